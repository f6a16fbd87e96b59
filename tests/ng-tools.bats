#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# The tools over an ng node (ng:HOST:PORT) against the real rtpengine
# (Debian's rtpengine-daemon, --listen-ng on loopback): offer, answer,
# RTP both ways on audio and video, a prompt, query, a recording, delete,
# and a set that mixes an ng node and an rtpproxy-protocol node.

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
	rtpp_setup
	export RTPP_SOCK="ng:127.0.0.1:$NG_PORT"
	work=$BATS_TEST_TMPDIR
}

teardown() {
	if [[ -n ${bad_pid-} ]]; then
		kill "$bad_pid" 2>/dev/null || true
	fi
	rtpp_teardown
}

# An SDP of a party at 127.0.0.1: audio on $1, video on $2 (none if
# empty), CRLF.
party_sdp() {
	printf 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n'
	printf 'm=audio %s RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n' "$1"
	if [[ -n ${2:-} ]]; then
		printf 'm=video %s RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n' "$2"
	fi
}

# A SIP message (invite, ok, bye) of call $2 with the SDP file $3 (none
# for bye), Content-Length right.
sip() {
	local kind=$1 cid=$2 body="" to='<sip:svc@127.0.0.1:5060>'
	[[ -n ${3:-} ]] && body=$(cat "$3"; printf x) && body=${body%x}
	case $kind in
	invite) printf 'INVITE sip:svc@127.0.0.1:5060 SIP/2.0\r\n' ;;
	ok) printf 'SIP/2.0 200 OK\r\n'; to="$to;tag=callee-$cid" ;;
	bye) printf 'BYE sip:svc@127.0.0.3:5080 SIP/2.0\r\n'; to="$to;tag=callee-$cid" ;;
	esac
	printf 'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-%s\r\n' "$cid"
	printf 'From: <sip:sipp@127.0.0.1:5070>;tag=caller-%s\r\nTo: %s\r\n' "$cid" "$to"
	printf 'Call-ID: %s\r\nCSeq: 1 %s\r\n' "$cid" "$( [[ $kind == bye ]] && echo BYE || echo INVITE)"
	[[ -n $body ]] && printf 'Content-Type: application/sdp\r\n'
	printf 'Content-Length: %d\r\n\r\n%s' "${#body}" "$body"
}

# m= port of the media $2 in the file $1.
mport() {
	sed -n "s/^m=$2 \\([0-9]*\\) .*/\\1/p" "$1" | head -n 1
}

in_range() {
	(( $1 >= RTPENGINE_NG_PORT_MIN && $1 <= RTPENGINE_NG_PORT_MAX ))
}

# A call through the relay: offer and answer; sets pa pv pb pbv (the
# parties' ports) ua uv (the relay's toward the callee) la lv (toward
# the caller).
call_up() {
	cid=$1
	pa=$(free_udp_port); pv=$(free_udp_port)
	pb=$(free_udp_port); pbv=$(free_udp_port)
	party_sdp "$pa" "$pv" >"$work/a.sdp"
	party_sdp "$pb" "$pbv" >"$work/b.sdp"
	sip invite "$cid" "$work/a.sdp" >"$work/inv"
	sip ok "$cid" "$work/b.sdp" >"$work/ok"
	sip bye "$cid" >"$work/bye"
	run -0 --separate-stderr stdout_to_file rtpp-offer <"$work/inv"
	cp "$out" "$work/inv.out"
	ua=$(mport "$work/inv.out" audio)
	uv=$(mport "$work/inv.out" video)
	run -0 --separate-stderr stdout_to_file rtpp-answer <"$work/ok"
	cp "$out" "$work/ok.out"
	la=$(mport "$work/ok.out" audio)
	lv=$(mport "$work/ok.out" video)
}

# Content-Length of the message in $1 equals its body's length.
clen_right() {
	python3 - "$1" <<-'PY'
	import re, sys
	d = open(sys.argv[1], "rb").read()
	h, b = d.split(b"\r\n\r\n", 1)
	n = int(re.search(rb"Content-Length: (\d+)", h).group(1))
	sys.exit(0 if n == len(b) else 1)
	PY
}

@test "offer and answer over ng: the relay's SDP in the body, the marker, Content-Length; RTP both ways on audio and video" {
	call_up "ngt1-$RANDOM"
	# the message is kept, the body is the relay's
	run -0 --separate-stderr head -n 1 "$work/inv.out"
	assert_output $'INVITE sip:svc@127.0.0.1:5060 SIP/2.0\r'
	run -0 --separate-stderr grep -ac $'^c=IN IP4 127.0.0.1\r$' "$work/inv.out"
	run -0 --separate-stderr grep -ac $'^a=nortpproxy:yes\r$' "$work/inv.out"
	assert_output 1
	in_range "$ua"; in_range "$uv"; in_range "$la"; in_range "$lv"
	[[ $ua != "$pa" && $uv != "$pv" && $la != "$ua" && $lv != "$uv" ]]
	clen_right "$work/inv.out"
	clen_right "$work/ok.out"

	# A sends to the ports of the answer, B to those of the offer
	run -0 --separate-stderr python3 "$BATS_TEST_DIRNAME/rtp-check.py" --a-port "$pa" --b-port "$pb" \
	    --a-sends-to "127.0.0.1:$la" --b-sends-to "127.0.0.1:$ua" --strict-source
	assert_line --regexp "^a->b [1-9][0-9]*/"
	assert_line --regexp "^b->a [1-9][0-9]*/"
	run -0 --separate-stderr python3 "$BATS_TEST_DIRNAME/rtp-check.py" --a-port "$pv" --b-port "$pbv" \
	    --a-sends-to "127.0.0.1:$lv" --b-sends-to "127.0.0.1:$uv" --strict-source
	assert_line --regexp "^a->b [1-9][0-9]*/"
	assert_line --regexp "^b->a [1-9][0-9]*/"

	run -0 --separate-stderr rtpp-destroy <"$work/bye"
	assert_equal "$(rtpengine_sessions ng)" 0
}

@test "bare SDP and base64 in and out over ng; the marker already there: exit 4, nothing sent" {
	local cid="ngt2-$RANDOM"
	party_sdp "$(free_udp_port)" >"$work/a.sdp"
	run -0 --separate-stderr rtpp-offer --call-id "$cid" --from-tag fa <"$work/a.sdp"
	assert_line --regexp $'^m=audio [0-9]+ RTP/AVP 0\r$'
	assert_line $'a=nortpproxy:yes\r'
	base64 -w0 "$work/a.sdp" >"$work/a.b64"
	run -0 --separate-stderr rtpp-offer --call-id "$cid-2" --from-tag fa <"$work/a.b64"
	printf '%s' "$output" | base64 -d | grep -qa $'^a=nortpproxy:yes\r$'
	printf 'a=nortpproxy:yes\r\n' >>"$work/a.sdp"
	run -4 --separate-stderr rtpp-offer --call-id "$cid-3" --from-tag fa <"$work/a.sdp"
	for c in "$cid" "$cid-2"; do
		run -0 --separate-stderr rtpp-destroy --call-id "$c" --from-tag fa </dev/null
	done
}

# A fake ng relay on port $1 that answers every request with its cookie
# and $2, for $3 seconds (bad_pid); returns once it listens.
bad_relay() {
	rm -f "$work/bad.ready"
	python3 - "$1" "$2" "$3" "$work/bad.ready" <<-'PY' &
	import socket, sys, time
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.bind(("127.0.0.1", int(sys.argv[1])))
	open(sys.argv[4], "w").close()
	end = time.time() + float(sys.argv[3])
	while time.time() < end:
	    s.settimeout(max(0.01, end - time.time()))
	    try:
	        d, a = s.recvfrom(65535)
	    except socket.timeout:
	        break
	    s.sendto(d.split(b" ", 1)[0] + b" " + sys.argv[2].encode(), a)
	PY
	bad_pid=$!
	local i
	for ((i = 0; i < 100; i++)); do
		[[ -e $work/bad.ready ]] && return 0
		sleep 0.05
	done
	fail "the fake ng relay did not start"
}

@test "over ng: the relay's error is exit 1 with its reason, a reply that does not parse exit 1, silence exit 3; only silence disables the node" {
	local cid="ngt3-$RANDOM" p
	party_sdp "$(free_udp_port)" >"$work/b.sdp"
	sip ok "$cid" "$work/b.sdp" >"$work/ok"
	# answer for a call the relay does not know
	run -1 --separate-stderr rtpp-answer <"$work/ok"
	assert_output ""
	assert_equal "$stderr" "rtpp-answer: ng:127.0.0.1:$NG_PORT: relay error: Unknown call-id"
	run -0 --separate-stderr rtpp-ctl list
	assert_line --regexp "^0 +ng:127.0.0.1:$NG_PORT +0 +0 enabled "

	p=$(free_udp_port)
	bad_relay "$p" notbencode 60
	run -1 --separate-stderr rtpp-answer --sock "ng:127.0.0.1:$p" <"$work/ok"
	assert_output ""
	assert_equal "${stderr%%: relay reply does not parse: *}" "rtpp-answer: ng:127.0.0.1:$p"
	run -0 --separate-stderr rtpp-ctl --sock "ng:127.0.0.1:$p" list
	assert_line --regexp "^0 +ng:127.0.0.1:$p +0 +0 enabled "
	kill "$bad_pid"
	wait "$bad_pid" || true

	run -3 --separate-stderr rtpp-answer --sock "ng:127.0.0.1:$p" --tout 0.2 --retr 1 <"$work/ok"
	assert_output ""
	assert_regex "$stderr" "^rtpp-answer: no relay available: ng:127.0.0.1:$p: "
	run -0 --separate-stderr rtpp-ctl --sock "ng:127.0.0.1:$p" list
	assert_line --regexp "^0 +ng:127.0.0.1:$p +0 +1 "
}

@test "over ng: the flag letters, the ip argument and --ice become ng options; --explain shows the exchange" {
	local cid="ngt10-$RANDOM"
	party_sdp "$(free_udp_port)" >"$work/a.sdp"
	sip invite "$cid" "$work/a.sdp" >"$work/inv"
	# o: the relay's origin; z30: ptime; the ip argument: c=
	run -0 --separate-stderr stdout_to_file rtpp-offer oz30 127.0.0.9 <"$work/inv"
	grep -qa $'^o=- 1 1 IN IP4 127.0.0.9\r$' "$out"
	grep -qa $'^c=IN IP4 127.0.0.9\r$' "$out"
	grep -qa $'^a=ptime:30\r$' "$out"
	# 1: the Via branch as via-branch, the Call-ID unchanged
	run -0 --separate-stderr stdout_to_file rtpp-offer --explain 1 <"$work/inv"
	[[ $stderr == *"> d7:call-id${#cid}:${cid}7:command5:offer"* ]]
	[[ $stderr == *"10:via-branch$(( ${#cid} + 8 )):z9hG4bK-${cid}e"* ]]
	[[ $stderr == *"< d3:sdp"* ]]
	# --ice high: ICE force, the relay adds its candidates
	run -0 --separate-stderr stdout_to_file rtpp-offer --ice high <"$work/inv"
	grep -qa '^a=candidate:' "$out"
	# a letter that is never right is still a usage error
	run -2 --separate-stderr rtpp-offer ie2iq <"$work/inv"
	run -0 --separate-stderr rtpp-destroy <"$work/inv"
	# delete of a call the relay does not know: ok, with its warning
	run -0 --separate-stderr rtpp-destroy --call-id "$cid-none" --from-tag fa </dev/null
	assert_equal "$stderr" "rtpp-destroy: ng:127.0.0.1:$NG_PORT: relay warning: Call-ID not found or tags didn't match"
}

@test "rtpp-stat: the Q line and --json from query, numbers growing after RTP; --global is statistics" {
	call_up "ngt4-$RANDOM"
	run -0 --separate-stderr rtpp-stat <"$work/inv"
	assert_output "- 0 0 0 0"
	run -0 --separate-stderr python3 "$BATS_TEST_DIRNAME/rtp-check.py" --a-port "$pa" --b-port "$pb" \
	    --a-sends-to "127.0.0.1:$la" --b-sends-to "127.0.0.1:$ua"
	run -0 --separate-stderr rtpp-stat <"$work/inv"
	read -r ttl from_a from_b relayed dropped <<<"$output"
	assert_equal "$ttl" -
	(( from_a > 0 && from_b > 0 && relayed >= from_a + from_b ))
	assert_equal "$dropped" 0
	# from the callee's side the parties swap
	run -0 --separate-stderr rtpp-stat <"$work/ok"
	assert_output "- $from_b $from_a $relayed $dropped"
	run -0 --separate-stderr rtpp-stat --json <"$work/inv"
	run -0 --separate-stderr jq -r '.result, .totals.RTP.packets, (.tags | length)' <<<"$output"
	assert_output "$(printf 'ok\n%s\n2' "$relayed")"
	run -0 --separate-stderr rtpp-stat --global
	assert_line --regexp '^statistics\.currentstatistics\.sessionsown=[1-9][0-9]*$'
	run -0 --separate-stderr rtpp-stat --global --json
	run -0 --separate-stderr jq -r .result <<<"$output"
	assert_output ok
	run -0 --separate-stderr rtpp-stat --verbose <"$work/inv"
	assert_equal "$stderr" "rtpp-stat: --verbose ignored over ng (--json shows every counter)"
	run -2 --separate-stderr rtpp-stat --counters a <"$work/ok"
	assert_equal "$stderr" "rtpp-stat: ng:127.0.0.1:$NG_PORT: --counters: ng's query has no named counters (--json shows them all)"
	run -0 --separate-stderr rtpp-destroy <"$work/bye"
}

@test "rtpp-stream plays a WAV the test makes to the caller (play media); --stop is stop media" {
	call_up "ngt5-$RANDOM"
	python3 - "$work/prompt.wav" <<-'PY'
	import math, struct, sys, wave
	w = wave.open(sys.argv[1], "wb")
	w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
	w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(i / 8.0)))
	    for i in range(8000 * 2)))
	w.close()
	PY
	# the caller listens on its audio port
	python3 - "$pa" "$work/listening" >"$work/heard" <<-'PY' &
	import socket, sys
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.bind(("127.0.0.1", int(sys.argv[1])))
	open(sys.argv[2], "w").close()
	s.settimeout(3)
	n = 0
	try:
	    while n < 20:
	        s.recvfrom(2048)
	        n += 1
	except socket.timeout:
	    pass
	print(n)
	PY
	listener=$!
	for ((i = 0; i < 100; i++)); do
		[[ -e $work/listening ]] && break
		sleep 0.05
	done
	run -0 --separate-stderr rtpp-stream uac "$work/prompt.wav" <"$work/inv"
	# the message goes out as it came
	assert_equal "$output" "$(cat "$work/inv")"
	wait "$listener"
	(( $(cat "$work/heard") >= 5 ))
	run -0 --separate-stderr rtpp-stream --stop uac <"$work/inv"
	run -1 --separate-stderr rtpp-stream uac /nonexistent.wav <"$work/inv"
	assert_equal "$stderr" "rtpp-stream: ng:127.0.0.1:$NG_PORT: relay error: Failed to start media playback from file"
	run -0 --separate-stderr rtpp-destroy <"$work/bye"
}

@test "rtpp-ctl record: start recording, a pcap on disk" {
	call_up "ngt6-$RANDOM"
	run -0 --separate-stderr rtpp-ctl record <"$work/inv"
	run -0 --separate-stderr python3 "$BATS_TEST_DIRNAME/rtp-check.py" --a-port "$pa" --b-port "$pb" \
	    --a-sends-to "127.0.0.1:$la" --b-sends-to "127.0.0.1:$ua"
	run -0 --separate-stderr rtpp-destroy <"$work/bye"
	run -0 --separate-stderr find "$BATS_FILE_TMPDIR/rec" -name "*$cid*.pcap"
	[[ -n $output ]]
}

@test "rtpp-destroy: delete, after which rtpp-stat fails (exit 1, relay error)" {
	call_up "ngt7-$RANDOM"
	run -0 --separate-stderr rtpp-destroy <"$work/bye"
	assert_equal "$output" "$(cat "$work/bye")"
	run -1 --separate-stderr rtpp-stat <"$work/inv"
	assert_output ""
	assert_equal "$stderr" "rtpp-stat: ng:127.0.0.1:$NG_PORT: relay error: Unknown call-id"
}

@test "rtpp-ctl: ping and list show an ng node (caps ng), raw sends a dictionary; a silent ng node is FAILED, exit 3" {
	local dead
	dead=$(free_udp_port)
	run -0 --separate-stderr rtpp-ctl ping
	assert_output --regexp "^ng:127.0.0.1:$NG_PORT +ok +[0-9]+ us  ng$"
	run -0 --separate-stderr rtpp-ctl list
	assert_line --regexp "^0 +ng:127.0.0.1:$NG_PORT +0 +0 enabled +1 +0 ng +[0-9]+ +-$"
	run -0 --separate-stderr rtpp-ctl raw d7:command4:pinge
	assert_output d6:result4:ponge
	run -3 --separate-stderr rtpp-ctl --sock "ng:127.0.0.1:$dead" --tout 0.2 --retr 1 ping
	assert_output --regexp "^ng:127.0.0.1:$dead +FAILED "
}

@test "a set mixing an ng node and an rtpproxy node: the call fails over between them when one relay stops" {
	local ngp legacy ngn cid node other
	ngp=$(free_udp_port)
	rtpengine_start ng2 --listen-ng="127.0.0.1:$ngp"
	rtpengine_start lg
	ngn="ng:127.0.0.1:$ngp"
	legacy="udp:127.0.0.1:$RTPENGINE_LG_PORT"
	export RTPP_SOCK="$ngn $legacy"
	cid="ngt9-$RANDOM"
	party_sdp "$(free_udp_port)" >"$work/a.sdp"
	sip invite "$cid" "$work/a.sdp" >"$work/inv"
	run -0 --separate-stderr rtpp-offer <"$work/inv"
	run -0 --separate-stderr rtpp-ctl which "$cid"
	node=$(sed -n 's/^call [^ ]*, set 0: //p' <<<"$output")
	if [[ $node == "$ngn" ]]; then
		rtpengine_stop ng2
		other=$legacy
	else
		assert_equal "$node" "$legacy"
		rtpengine_stop lg
		other=$ngn
	fi
	# the chosen relay is gone: the same call goes to the other node
	run -0 --separate-stderr rtpp-offer --tout 0.3 --retr 1 <"$work/inv"
	assert_line --regexp $'^m=audio [0-9]+ RTP/AVP 0'
	run -0 --separate-stderr rtpp-ctl which "$cid"
	assert_line "call $cid, set 0: $other"
	run -0 --separate-stderr rtpp-ctl list
	assert_line --regexp "^0 +$node +[01] +1 "
}

@test "drain an ng node: its calls stay, new calls go to the other node, and an answer for a call it does not have moves on" {
	local ngp n1 n2 cid kept moved
	ngp=$(free_udp_port)
	rtpengine_start nd --listen-ng="127.0.0.1:$ngp"
	n1="ng:127.0.0.1:$NG_PORT"
	n2="ng:127.0.0.1:$ngp"
	export RTPP_SOCK="$n1 $n2"
	# two calls that n1 would take: one made before the drain, one after
	for cid in $(seq -f "ngt11-$RANDOM-%g" 1 40); do
		run -0 --separate-stderr rtpp-ctl which "$cid"
		[[ ${lines[0]} == *": $n1" ]] || continue
		if [[ -z ${kept-} ]]; then kept=$cid; elif [[ -z ${moved-} ]]; then moved=$cid; break; fi
	done
	[[ -n ${kept-} && -n ${moved-} ]]
	call_up "$kept"
	cp "$work/ok" "$work/kept.ok"
	cp "$work/bye" "$work/kept.bye"
	run -0 --separate-stderr rtpp-ctl drain "$n1"

	# the new call goes to n2, its answer too (n1 does not know it)
	call_up "$moved"
	run -0 --separate-stderr rtpp-answer --explain <"$work/ok"
	[[ $stderr == *"draining: the call is not there"* ]]
	run -0 --separate-stderr rtpengine_sessions nd
	assert_output 1
	# the call made before the drain stays on n1
	run -0 --separate-stderr rtpp-answer <"$work/kept.ok"
	run -0 --separate-stderr rtpp-destroy <"$work/kept.bye"
	run -0 --separate-stderr rtpp-destroy <"$work/bye"
	run -0 --separate-stderr rtpengine_sessions nd
	assert_output 0
}
