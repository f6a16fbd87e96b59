#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# libcore's ng protocol (bencode.c, ng.c) against the real rtpengine
# (Debian's rtpengine-daemon, --listen-ng on loopback), through
# tests/ng-probe: requests built by libcore, replies parsed by libcore.

load helpers
load lib/rtpengine

setup_file() {
	export NG_PORT
	NG_PORT=$(free_udp_port)
	mkdir -p "$BATS_FILE_TMPDIR/rec"
	rtpengine_start ng --listen-ng="127.0.0.1:$NG_PORT" \
	    --recording-dir="$BATS_FILE_TMPDIR/rec" --recording-method=pcap
}

teardown_file() {
	rtpengine_stop_all
}

setup() {
	# (before rtpp_setup, which unsets every RTPP_ variable)
	PROBE=${RTPP_BUILDDIR:-$BATS_TEST_DIRNAME/..}/tests/ng-probe
	rtpp_setup
	[[ -x $PROBE ]] || fail "$PROBE is not built (make tests/ng-probe)"
	work=$BATS_TEST_TMPDIR
}

teardown() {
	rtpp_teardown
}

# ng STATUS COMMAND [PROBE OPTIONS...]: one request to the relay, which
# must exit with STATUS; $out (file: result= then the reply flattened),
# $stderr.
ng() {
	run -"$1" --separate-stderr stdout_to_file "$PROBE" -w 3000 "${@:3}" 127.0.0.1 "$NG_PORT" "$2"
}

# The value of PATH=VALUE in $out.
val() {
	sed -n "s/^$1=//p" "$out" | head -n 1
}

# An SDP of a party at 127.0.0.1: audio on $1, video on $2 (0: none).
party_sdp() {
	printf 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n'
	printf 'm=audio %s RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n' "$1"
	if [[ ${2:-0} != 0 ]]; then
		printf 'm=video %s RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n' "$2"
	fi
}

# m= port of the media of type $2 in the SDP file $1.
mport() {
	sed -n "s/^m=$2 \\([0-9]*\\) .*/\\1/p" "$1" | head -n 1
}

in_range() {
	(( $1 >= RTPENGINE_NG_PORT_MIN && $1 <= RTPENGINE_NG_PORT_MAX ))
}

@test "ping: pong, request bencoded as the reference shows it" {
	ng 0 ping -D
	assert_equal "$stderr" ""
	run -0 --separate-stderr grep -c . "$out"
	assert_output 2
	run -0 --separate-stderr sed -n 1p "$out"
	assert_output --regexp '^request=p[0-9]+-[0-9]+ d7:command4:pinge$'
	assert_equal "$(val result)" pong
}

@test "offer, answer, RTP both ways on audio and video, query counts it, delete, then query fails" {
	local cid="ng1-$RANDOM" pa pv pb pbv ua uv la lv
	pa=$(free_udp_port)
	pv=$(free_udp_port)
	pb=$(free_udp_port)
	pbv=$(free_udp_port)
	party_sdp "$pa" "$pv" >"$work/a.sdp"
	party_sdp "$pb" "$pbv" >"$work/b.sdp"

	ng 0 offer -c "$cid" -f fa -b z9hG4bK-ng1 -s "$work/a.sdp" -S "$work/a.out"
	assert_equal "$(val result)" ok
	grep -qa $'^c=IN IP4 127.0.0.1\r$' "$work/a.out"
	ua=$(mport "$work/a.out" audio)
	uv=$(mport "$work/a.out" video)
	in_range "$ua"
	in_range "$uv"
	[[ $ua != "$pa" && $uv != "$pv" && $ua != "$uv" ]]
	grep -qa $'^a=rtcp:'$((ua + 1))$'\r$' "$work/a.out"

	ng 0 answer -c "$cid" -f fa -t tb -s "$work/b.sdp" -S "$work/b.out"
	la=$(mport "$work/b.out" audio)
	lv=$(mport "$work/b.out" video)
	in_range "$la"
	in_range "$lv"
	[[ $la != "$ua" && $lv != "$uv" ]]

	# A sends to the ports of the answer, B to those of the offer
	run -0 --separate-stderr python3 "$BATS_TEST_DIRNAME/rtp-check.py" --a-port "$pa" --b-port "$pb" \
	    --a-sends-to "127.0.0.1:$la" --b-sends-to "127.0.0.1:$ua" --strict-source
	assert_line --regexp "^a->b [1-9][0-9]*/"
	assert_line --regexp "^b->a [1-9][0-9]*/"
	run -0 --separate-stderr python3 "$BATS_TEST_DIRNAME/rtp-check.py" --a-port "$pv" --b-port "$pbv" \
	    --a-sends-to "127.0.0.1:$lv" --b-sends-to "127.0.0.1:$uv" --strict-source
	assert_line --regexp "^a->b [1-9][0-9]*/"
	assert_line --regexp "^b->a [1-9][0-9]*/"

	ng 0 query -c "$cid" -f fa
	assert_equal "$(val result)" ok
	assert_equal "$(val tags.fa.tag)" fa
	assert_equal "$(val tags.tb.tag)" tb
	(( $(val totals.RTP.packets) >= 2 ))
	(( $(val totals.RTP.bytes) > 0 ))
	# the relay's port toward A is the one the answer gave A
	grep -qx "tags.fa.medias.0.streams.0.local port=$la" "$out"

	ng 0 delete -c "$cid" -f fa -t tb
	assert_equal "$(val result)" ok
	[[ -n $(val created) ]]
	assert_equal "$(rtpengine_sessions ng)" 0

	ng 1 query -c "$cid" -f fa
	assert_equal "$(val result)" error
	assert_equal "$(val error-reason)" "Unknown call-id"
	assert_equal "$stderr" "ng-probe: relay error: Unknown call-id"
}

@test "the relay's errors come back with their error-reason" {
	printf 'garbage' >"$work/bad.sdp"
	ng 1 offer -c "ng2-$RANDOM" -f fa -s "$work/bad.sdp"
	assert_equal "$stderr" "ng-probe: relay error: Failed to parse SDP"

	ng 1 ping -r notbencode
	assert_equal "$stderr" "ng-probe: relay error: Invalid NG data format"

	# l: an offer that only looks up, sent as answer: no such call
	party_sdp "$(free_udp_port)" >"$work/a.sdp"
	ng 1 offer -c "ng2-$RANDOM" -f fa -t tb -F l -D -s "$work/a.sdp"
	grep -q '^request=.*7:command6:answer' "$out"
	assert_equal "$stderr" "ng-probe: relay error: Unknown call-id"

	ng 1 'play media' -c "ng2-$RANDOM" -f fa -m /nonexistent.wav
	[[ $stderr == "ng-probe: relay error: "* ]]
}

@test "flag letters over ng change what the real relay writes" {
	local cid="ng3-$RANDOM"
	printf 'v=0\r\no=- 1 1 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\nm=audio %s RTP/AVP 0\r\n' \
	    "$(free_udp_port)" >"$work/a.sdp"

	# without o the origin stays, with o it is the relay's
	ng 0 offer -c "$cid-1" -f fa -s "$work/a.sdp" -S "$work/o1"
	grep -qa $'^o=- 1 1 IN IP4 127.0.0.2\r$' "$work/o1"
	ng 0 offer -c "$cid-2" -f fa -F o -s "$work/a.sdp" -S "$work/o2"
	grep -qa $'^o=- 1 1 IN IP4 127.0.0.1\r$' "$work/o2"

	# z30: ptime 30
	ng 0 offer -c "$cid-3" -f fa -F z30 -s "$work/a.sdp" -S "$work/o3"
	grep -qa $'^a=ptime:30\r$' "$work/o3"
	run -1 --separate-stderr grep -qa '^a=ptime' "$work/o1"

	# the module's ip argument: media address, written into c=
	ng 0 offer -c "$cid-4" -f fa -M 127.0.0.9 -s "$work/a.sdp" -S "$work/o4"
	grep -qa $'^c=IN IP4 127.0.0.9\r$' "$work/o4"

	# without r the SIP source address is the endpoint; with r the SDP's
	ng 0 offer -c "$cid-5" -f fa -R 127.0.0.7 -s "$work/a.sdp"
	ng 0 query -c "$cid-5" -f fa
	assert_equal "$(val tags.fa.medias.0.streams.0.endpoint.address)" 127.0.0.7
	ng 0 offer -c "$cid-6" -f fa -F r -R 127.0.0.7 -s "$work/a.sdp"
	ng 0 query -c "$cid-6" -f fa
	assert_equal "$(val tags.fa.medias.0.streams.0.endpoint.address)" 127.0.0.2

	for i in 1 2 3 4 5 6; do
		ng 0 delete -c "$cid-$i" -f fa
	done
}

@test "list, statistics and start recording" {
	local cid="ng4-$RANDOM"
	party_sdp "$(free_udp_port)" >"$work/a.sdp"
	ng 0 offer -c "$cid" -f fa -s "$work/a.sdp"

	ng 0 list
	grep -qx "calls\.[0-9]*=$cid" "$out"

	ng 0 statistics
	(( $(val statistics.currentstatistics.sessionstotal) >= 1 ))

	ng 0 'start recording' -c "$cid"
	assert_equal "$(val result)" ok
	compgen -G "$BATS_FILE_TMPDIR/rec/pcaps/$cid-*.pcap" >/dev/null

	ng 0 delete -c "$cid" -f fa
}
