#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# rtpp-offer, rtpp-answer and rtpp-destroy against a real rtpengine
# (Debian's rtpengine-daemon, userspace, loopback only).

load helpers
load lib/rtpengine
load lib/body

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

in_range() {
	(( $1 >= RTPENGINE_RE_PORT_MIN && $1 <= RTPENGINE_RE_PORT_MAX ))
}

@test "one-stream call: relay ports in the SDPs, RTP flows both ways through the relay, D deletes it" {
	pa=$(free_udp_port)
	pb=$(free_udp_port)
	cid="rt1-$RANDOM@127.0.0.1"
	body_message "$FIX/invite.sip" "$cid" "$pa" >"$work/inv"
	body_message "$FIX/ok.sip" "$cid" "$pb" >"$work/ok"
	body_message "$FIX/bye.sip" "$cid" 0 >"$work/bye"
	run -0 --separate-stderr stdout_to_file rtpp-offer <"$work/inv"
	cp "$out" "$work/inv.out"
	uport=$(body_mport "$work/inv.out")
	in_range "$uport"
	grep -qa $'^c=IN IP4 127.0.0.1\r$' "$work/inv.out"
	run -0 --separate-stderr stdout_to_file rtpp-answer <"$work/ok"
	cp "$out" "$work/ok.out"
	lport=$(body_mport "$work/ok.out")
	in_range "$lport"
	[[ $lport != "$uport" ]]
	assert_equal "$(rtpengine_sessions re)" 1
	# the caller (A) sends to the port in the 200 OK, the callee (B)
	# to the port in the INVITE
	run -0 --separate-stderr python3 "$BATS_TEST_DIRNAME/rtp-check.py" --a-port "$pa" --b-port "$pb" \
	    --a-sends-to "127.0.0.1:$lport" --b-sends-to "127.0.0.1:$uport" --strict-source
	assert_line --regexp "^a->b [1-9][0-9]*/"
	assert_line --regexp "^b->a [1-9][0-9]*/"
	run -0 --separate-stderr stdout_to_file rtpp-destroy <"$work/bye"
	cmp "$out" "$work/bye"
	assert_equal "$(rtpengine_sessions re)" 0
}

@test "the same offer twice gets the same port (retransmitted INVITE)" {
	cid="rt2-$RANDOM@127.0.0.1"
	body_message "$FIX/invite.sip" "$cid" 40100 >"$work/inv"
	rtpp-offer <"$work/inv" >"$work/a"
	rtpp-offer f <"$work/inv" >"$work/b"
	assert_equal "$(body_mport "$work/a")" "$(body_mport "$work/b")"
	rtpp-destroy --call-id "$cid" --from-tag 15483-uac-1 </dev/null
}

@test "two-stream call: one U and one L per m= line, every port a relay port" {
	cid="rt3-$RANDOM"
	run -0 --separate-stderr stdout_to_file rtpp-offer --call-id "$cid" --from-tag ft --source-ip 127.0.0.1 <"$FIX/three.sdp"
	cp "$out" "$work/o"
	run -0 --separate-stderr sed -n 's/^m=[a-z]* \([0-9]*\) .*/\1/p' "$work/o"
	in_range "${lines[0]}"
	in_range "${lines[1]}"
	assert_equal "${lines[2]}" 0
	run -0 --separate-stderr stdout_to_file rtpp-answer --call-id "$cid" --from-tag ft --to-tag tt --source-ip 127.0.0.1 <"$FIX/three.sdp"
	run -0 --separate-stderr sed -n 's/^m=[a-z]* \([0-9]*\) .*/\1/p' "$out"
	in_range "${lines[0]}"
	in_range "${lines[1]}"
	run -1 --separate-stderr grep -c '0\.0\.0\.0' "$out"
	assert_output 0
	run -0 --separate-stderr rtpp-destroy --call-id "$cid" --from-tag ft --to-tag tt </dev/null
	assert_equal "$(rtpengine_sessions re)" 0
}

@test "steady state against rtpengine: one datagram per command, no probe" {
	cid="rt4-$RANDOM@127.0.0.1"
	body_message "$FIX/invite.sip" "$cid" 40200 >"$work/inv"
	rtpp-offer <"$work/inv" >/dev/null
	run -0 --separate-stderr stdout_to_file rtpp-offer --trace <"$work/inv"
	run -0 --separate-stderr grep -c '^rtpp-offer: > ' "$BATS_TEST_TMPDIR/err"
	assert_output 1
	rtpp-destroy --call-id "$cid" --from-tag 15483-uac-1 </dev/null
}

@test "rtpengine's E8 is reported clearly: D of an unknown call" {
	run -1 --separate-stderr rtpp-destroy --call-id "no-such-call-$RANDOM" --from-tag x </dev/null
	assert_equal "$stderr" "rtpp-destroy: $RTPENGINE_URL_RE: relay said E8 (refused: rtpengine's answer to any failure)"
}

@test "answer for a call rtpengine does not know: exit 1, stdout empty" {
	body_message "$FIX/ok.sip" "rt5-$RANDOM@127.0.0.1" 40300 >"$work/ok"
	run -1 --separate-stderr stdout_to_file rtpp-answer <"$work/ok"
	assert_no_out
	[[ $stderr == *"relay returned port 0 (it does not know the call?)" ]]
}

@test "SIP-I call (binary ISUP parts): anchored, the ISUP bytes untouched, the BYE with its binary REL deletes the session" {
	load lib/body
	cid="rt6-$RANDOM@127.0.0.1"
	body_message "$FIX/sip-i-invite.sip" "$cid" 40400 >"$work/inv"
	body_message "$FIX/sip-i-bye.sip" "$cid" 0 >"$work/bye"
	run -0 --separate-stderr stdout_to_file rtpp-offer <"$work/inv"
	body_check "$work/inv" "$out" >"$work/sdp"
	body_check "$FIX/sip-i-invite.sip" "$out" >/dev/null
	in_range "$(body_mport "$work/sdp")"
	grep -qa $'^a=nortpproxy:yes\r$' "$work/sdp"
	assert_equal "$(rtpengine_sessions re)" 1
	run -0 --separate-stderr stdout_to_file rtpp-destroy <"$work/bye"
	cmp "$out" "$work/bye"
	assert_equal "$(rtpengine_sessions re)" 0
}
