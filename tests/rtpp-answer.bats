#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# rtpp-answer against the fake relay.

load helpers

setup() { relays_setup a; }
teardown() { rtpp_teardown; }

@test "answer in a 200 OK: L with F;1 T;1, Appendix A output" {
	fake_script a 'L* -> reply 31016 127.0.0.1 4'
	# the reply came from 127.0.0.1 in the capture: a reply's source
	# address is not in the message
	run -0 --separate-stderr stdout_to_file rtpp-answer --source-ip 127.0.0.1 <"$FIX/ok.sip"
	assert_equal "$stderr" ""
	assert_out_file "$GOLDEN/rtpp-answer/ok.sip"
	assert_cmds a "${PROBES[@]}" 'L 1-15483@127.0.0.1 127.0.0.1 18000 15483-uac-1;1 15475-uas-1;1'
}

@test "a reply without --source-ip: its SDP's address, not the caller's Via" {
	run -0 --separate-stderr rtpp-answer <"$FIX/ok.sip"
	assert_equal "$(cmds a | tail -n 1)" 'L 1-15483@127.0.0.1 127.0.0.3 18000 15483-uac-1;1 15475-uas-1;1'
	run -0 --separate-stderr rtpp-answer --kamailio-env <"$FIX/ok.sip"
	SIP_SRCIP=198.51.100.3 run -0 --separate-stderr rtpp-answer --kamailio-env <"$FIX/ok.sip"
	assert_equal "$(cmds a | tail -n 1)" 'L 1-15483@127.0.0.1 198.51.100.3 18000 15483-uac-1;1 15475-uas-1;1'
}

@test "answer in an ACK: L with T;1 F;1" {
	run -0 --separate-stderr rtpp-answer <"$FIX/ack.sip"
	assert_equal "$(cmds a | tail -n 1)" 'L 1-15483@127.0.0.1 127.0.0.1 16000 15475-uas-1;1 15483-uac-1;1'
}

@test "flags ar on the answer: LA and the SDP's address" {
	run -0 --separate-stderr rtpp-answer --dry-run ar <"$FIX/ok.sip"
	assert_output 'LAc0,101 1-15483@127.0.0.1 127.0.0.3 18000 15483-uac-1;1 15475-uas-1;1'
}

@test "answer in a request other than ACK fails, nothing sent" {
	run -1 --separate-stderr stdout_to_file rtpp-answer <"$FIX/reinvite.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-answer: an answer in a request must be in an ACK"
	assert_equal "$(fake_count a)" 0
}

@test "answer without a To-tag fails" {
	run -1 --separate-stderr stdout_to_file rtpp-answer --to-tag '' <"$FIX/ok.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-answer: an answer needs a To-tag"
}

@test "flag l is refused on an answer (exit 1, as the module's -1)" {
	run -1 --separate-stderr stdout_to_file rtpp-answer l <"$FIX/ok.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-answer: flag l works only with an offer"
}

@test "bare SDP is the 200's answer by default; --request makes it the ACK's" {
	run -0 --separate-stderr rtpp-answer --dry-run --call-id c --from-tag F --to-tag T <"$FIX/hold.sdp"
	assert_output 'Lc0 c 0.0.0.0 24000 F;1 T;1'
	run -0 --separate-stderr rtpp-answer --dry-run --request --call-id c --from-tag F --to-tag T <"$FIX/hold.sdp"
	assert_output 'Lc0 c 0.0.0.0 24000 T;1 F;1'
}

@test "L for a call the relay does not know (rtpengine answers 0 0.0.0.0)" {
	fake_script a 'L* -> reply 0 0.0.0.0'
	run -1 --separate-stderr stdout_to_file rtpp-answer <"$FIX/ok.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-answer: $FAKE_URL_A, m= line 1 (sdp line 6): relay returned port 0 (it does not know the call?)"
}

@test "an E reply fails with the code and its meaning" {
	fake_script a 'L* -> reply E50'
	run -1 --separate-stderr stdout_to_file rtpp-answer <"$FIX/ok.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-answer: $FAKE_URL_A, m= line 1 (sdp line 6): relay said E50 (session not found)"
}

@test "a second m= line answered 0.0.0.0 (rtpengine) keeps a real address" {
	fake_script a '*;1 -> reply 40000 192.0.2.1 4
*;2 -> reply 40010 0.0.0.0 4
*;3 -> reply 40020 192.0.2.1 4'
	run -0 --separate-stderr stdout_to_file rtpp-answer --call-id c3 --from-tag f3 --to-tag t3 <"$FIX/three.sdp"
	run -1 --separate-stderr grep -c '^c=IN IP4 0.0.0.0' "$out"
	assert_output 0
	grep -qx 'c=IN IP4 127.0.0.1' "$out"
}

@test "--passthrough writes the input unchanged on failure, status still says why" {
	fake_script a 'L* -> reply E8'
	run -1 --separate-stderr stdout_to_file rtpp-answer --passthrough <"$FIX/ok.sip"
	assert_out_file "$FIX/ok.sip"
}
