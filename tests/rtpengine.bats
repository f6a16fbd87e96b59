#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# rtpp-offer, rtpp-answer and rtpp-destroy against a real rtpengine
# (Debian's rtpengine-daemon, userspace, loopback only).

load helpers
load lib/rtpengine

setup_file() {
	rtpengine_start re
}

teardown_file() {
	rtpengine_stop_all
}

setup() {
	rtpp_setup
	export RTPP_SOCK="$RTPENGINE_URL_RE"
	work="$BATS_TEST_TMPDIR"
}

teardown() {
	rtpp_teardown
}

# Make a SIP message from a fixture with a fresh Call-ID, tags and the
# party's media port: FILE CALLID PORT.
message() {
	sed -e "s/1-15483@127.0.0.1/$2/g" -e "s/m=audio [0-9]*/m=audio $3/" "$1" |
	    python3 -c '
import re, sys
d = sys.stdin.buffer.read()
h, b = d.split(b"\r\n\r\n", 1)
h = re.sub(rb"Content-Length: \d+", b"Content-Length: %d" % len(b), h)
sys.stdout.buffer.write(h + b"\r\n\r\n" + b)'
}

# The m= port of the first stream in a message.
mport() {
	sed -n 's/^m=audio \([0-9]*\) .*/\1/p' "$1" | head -n 1
}

in_range() {
	(( $1 >= RTPENGINE_RE_PORT_MIN && $1 <= RTPENGINE_RE_PORT_MAX ))
}

@test "one-stream call: relay ports in the SDPs, RTP flows both ways through the relay, D deletes it" {
	pa=$(free_udp_port)
	pb=$(free_udp_port)
	cid="rt1-$RANDOM@127.0.0.1"
	message "$FIX/invite.sip" "$cid" "$pa" >"$work/inv"
	message "$FIX/ok.sip" "$cid" "$pb" >"$work/ok"
	message "$FIX/bye.sip" "$cid" 0 >"$work/bye"
	run -0 --separate-stderr stdout_to_file rtpp-offer <"$work/inv"
	cp "$out" "$work/inv.out"
	uport=$(mport "$work/inv.out")
	in_range "$uport"
	grep -qa $'^c=IN IP4 127.0.0.1\r$' "$work/inv.out"
	run -0 --separate-stderr stdout_to_file rtpp-answer <"$work/ok"
	cp "$out" "$work/ok.out"
	lport=$(mport "$work/ok.out")
	in_range "$lport"
	[[ $lport != "$uport" ]]
	assert_equal "$(rtpengine_sessions re)" 1
	# the caller (A) sends to the port in the 200 OK, the callee (B)
	# to the port in the INVITE
	run -0 python3 "$BATS_TEST_DIRNAME/rtp-check.py" --a-port "$pa" --b-port "$pb" \
	    --a-sends-to "127.0.0.1:$lport" --b-sends-to "127.0.0.1:$uport" --strict-source
	assert_line --regexp "^a->b [1-9][0-9]*/"
	assert_line --regexp "^b->a [1-9][0-9]*/"
	run -0 --separate-stderr stdout_to_file rtpp-destroy <"$work/bye"
	cmp "$out" "$work/bye"
	assert_equal "$(rtpengine_sessions re)" 0
}

@test "the same offer twice gets the same port (retransmitted INVITE)" {
	cid="rt2-$RANDOM@127.0.0.1"
	message "$FIX/invite.sip" "$cid" 40100 >"$work/inv"
	rtpp-offer <"$work/inv" >"$work/a"
	rtpp-offer f <"$work/inv" >"$work/b"
	assert_equal "$(mport "$work/a")" "$(mport "$work/b")"
	rtpp-destroy --call-id "$cid" --from-tag 15483-uac-1 </dev/null
}

@test "two-stream call: one U and one L per m= line, every port a relay port" {
	cid="rt3-$RANDOM"
	run -0 --separate-stderr stdout_to_file rtpp-offer --call-id "$cid" --from-tag ft --source-ip 127.0.0.1 <"$FIX/three.sdp"
	cp "$out" "$work/o"
	run -0 sed -n 's/^m=[a-z]* \([0-9]*\) .*/\1/p' "$work/o"
	in_range "${lines[0]}"
	in_range "${lines[1]}"
	assert_equal "${lines[2]}" 0
	run -0 --separate-stderr stdout_to_file rtpp-answer --call-id "$cid" --from-tag ft --to-tag tt --source-ip 127.0.0.1 <"$FIX/three.sdp"
	run -0 sed -n 's/^m=[a-z]* \([0-9]*\) .*/\1/p' "$out"
	in_range "${lines[0]}"
	in_range "${lines[1]}"
	run -1 grep -c '0\.0\.0\.0' "$out"
	assert_output 0
	run -0 --separate-stderr rtpp-destroy --call-id "$cid" --from-tag ft --to-tag tt </dev/null
	assert_equal "$(rtpengine_sessions re)" 0
}

@test "steady state against rtpengine: one datagram per command, no probe" {
	cid="rt4-$RANDOM@127.0.0.1"
	message "$FIX/invite.sip" "$cid" 40200 >"$work/inv"
	rtpp-offer <"$work/inv" >/dev/null
	run -0 --separate-stderr stdout_to_file rtpp-offer --trace <"$work/inv"
	run -0 grep -c '^rtpp-offer: > ' "$BATS_TEST_TMPDIR/err"
	assert_output 1
	rtpp-destroy --call-id "$cid" --from-tag 15483-uac-1 </dev/null
}

@test "rtpengine's E8 is reported clearly: D of an unknown call" {
	run -1 --separate-stderr rtpp-destroy --call-id "no-such-call-$RANDOM" --from-tag x </dev/null
	assert_equal "$stderr" "rtpp-destroy: $RTPENGINE_URL_RE: relay said E8 (refused: rtpengine's answer to any failure)"
}

@test "answer for a call rtpengine does not know: exit 1, stdout empty" {
	message "$FIX/ok.sip" "rt5-$RANDOM@127.0.0.1" 40300 >"$work/ok"
	run -1 --separate-stderr stdout_to_file rtpp-answer <"$work/ok"
	assert_no_out
	[[ $stderr == *"relay returned port 0 (it does not know the call?)" ]]
}

@test "SIP-I call (binary ISUP parts): anchored, the ISUP bytes untouched, the BYE with its binary REL deletes the session" {
	load lib/body
	cid="rt6-$RANDOM@127.0.0.1"
	message "$FIX/sip-i-invite.sip" "$cid" 40400 >"$work/inv"
	message "$FIX/sip-i-bye.sip" "$cid" 0 >"$work/bye"
	run -0 --separate-stderr stdout_to_file rtpp-offer <"$work/inv"
	body_check "$work/inv" "$out" >"$work/sdp"
	body_check "$FIX/sip-i-invite.sip" "$out" >/dev/null
	in_range "$(mport "$work/sdp")"
	grep -qa $'^a=nortpproxy:yes\r$' "$work/sdp"
	assert_equal "$(rtpengine_sessions re)" 1
	run -0 --separate-stderr stdout_to_file rtpp-destroy <"$work/bye"
	cmp "$out" "$work/bye"
	assert_equal "$(rtpengine_sessions re)" 0
}
