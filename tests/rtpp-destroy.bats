#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# rtpp-destroy against the fake relay.

load helpers

setup() { relays_setup a; }
teardown() { rtpp_teardown; }

@test "BYE: D CID F T without ;N, no probe, message passed through unchanged" {
	run -0 --separate-stderr stdout_to_file rtpp-destroy <"$FIX/bye.sip"
	assert_out_file "$FIX/bye.sip"
	assert_cmds a 'D 1-15483@127.0.0.1 15483-uac-1 15475-uas-1'
}

@test "tags are never swapped, even in a reply" {
	run -0 --separate-stderr rtpp-destroy <"$FIX/ok.sip"
	assert_cmds a 'D 1-15483@127.0.0.1 15483-uac-1 15475-uas-1'
}

@test "no To-tag, or flag t: D CID F" {
	run -0 --separate-stderr rtpp-destroy <"$FIX/invite.sip"
	run -0 --separate-stderr rtpp-destroy t <"$FIX/bye.sip"
	assert_cmds a 'D 1-15483@127.0.0.1 15483-uac-1' 'D 1-15483@127.0.0.1 15483-uac-1'
}

@test "offer letters are ignored, branch flags and b work, other letters are usage errors" {
	run -0 --separate-stderr rtpp-destroy --dry-run 'aiexlfrcowz20' <"$FIX/bye.sip"
	assert_output 'D 1-15483@127.0.0.1 15483-uac-1 15475-uas-1'
	# any number of digits after z, skipped without overflow
	run -0 --separate-stderr rtpp-destroy --dry-run 'z999999999999999999999999w' <"$FIX/bye.sip"
	assert_output 'D 1-15483@127.0.0.1 15483-uac-1 15475-uas-1'
	run -0 --separate-stderr rtpp-destroy --dry-run 1 <"$FIX/bye.sip"
	assert_output 'D 1-15483@127.0.0.1;z9hG4bK-1-9 15483-uac-1 15475-uas-1'
	run -0 --separate-stderr rtpp-destroy --dry-run --extra-id e1 b <"$FIX/bye.sip"
	assert_output 'D 1-15483@127.0.0.1;e1 15483-uac-1 15475-uas-1'
	run -2 --separate-stderr rtpp-destroy ieq <"$FIX/bye.sip"
	assert_equal "$stderr" "rtpp-destroy: flags 'ieq': unknown flag 'q'"
	assert_equal "$(fake_count a)" 0
}

@test "call data from options alone, no input" {
	run -0 --separate-stderr stdout_to_file rtpp-destroy --call-id c1 --from-tag f1 </dev/null
	assert_no_out
	assert_cmds a 'D c1 f1'
}

@test "without a Call-ID: usage error" {
	run -2 --separate-stderr rtpp-destroy </dev/null
	assert_equal "$stderr" "rtpp-destroy: no Call-ID: give a SIP message or --call-id"
}

@test "relay says E: exit 1 with the code" {
	fake_script a 'D* -> reply E50'
	run -1 --separate-stderr stdout_to_file rtpp-destroy <"$FIX/bye.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-destroy: $FAKE_URL_A: relay said E50 (session not found)"
}

@test "a body with the marker is still destroyed (no marker check for D)" {
	run -0 --separate-stderr stdout_to_file rtpp-destroy --call-id c --from-tag f <"$FIX/marked.sdp"
	assert_out_file "$FIX/marked.sdp"
}
