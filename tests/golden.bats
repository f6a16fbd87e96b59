#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# The main outputs of every tool against committed golden files
# (tests/golden/TOOL/CASE, see tests/golden/README): a message rewritten
# by rtpp-offer, rtpp-answer and rtpp-manage (SIP, bare SDP, base64),
# rtpp-destroy, rtpp-stat and rtpp-ctl in text and JSON, --explain and
# the --dry-run command lines.  The fake relay's fixed replies keep the
# outputs stable; normalise masks its URL, the test directory and times.

load helpers

setup() {
	relays_setup a
	fake_script a 'U* -> reply 31000 192.0.2.1 4
L* -> reply 31016 192.0.2.1 4
Q* -> reply 60 10 20 30 4
I* -> reply sessions created: 2
VF 20080403 -> reply 1'
}
teardown() { rtpp_teardown; }

# golden NAME STATUS COMMAND...: COMMAND exits with STATUS, its stdout
# is tests/golden/NAME and its stderr empty.
golden() {
	local name=$1 st=$2
	shift 2
	run -"$st" --separate-stderr stdout_to_file "$@"
	assert_equal "$stderr" ""
	assert_golden "$name"
}

@test "rtpp-offer: an INVITE, a bare SDP, base64 in and out" {
	golden rtpp-offer/relay-invite.sip 0 rtpp-offer <"$FIX/invite.sip"
	golden rtpp-offer/hold.sdp 0 rtpp-offer --call-id c1 --from-tag f1 <"$FIX/hold.sdp"
	golden rtpp-offer/three.sdp 0 rtpp-offer --call-id c3 --from-tag f3 <"$FIX/three.sdp"
	golden rtpp-offer/invite.b64 0 rtpp-offer --output base64 <"$FIX/invite.sip"
	golden rtpp-offer/invite-b64.sdp 0 rtpp-offer --b64 "$(base64 -w0 "$FIX/invite.sip")" --output sdp
	golden rtpp-offer/invite.sdp-b64 0 rtpp-offer --output sdp-base64 <"$FIX/invite.sip"
}

@test "rtpp-answer: a 200 OK and a bare SDP" {
	golden rtpp-answer/relay-ok.sip 0 rtpp-answer <"$FIX/ok.sip"
	golden rtpp-answer/hold.sdp 0 rtpp-answer --call-id c1 --from-tag f1 --to-tag t1 <"$FIX/hold.sdp"
	golden rtpp-answer/ok.b64 0 rtpp-answer --output base64 <"$FIX/ok.sip"
}

@test "rtpp-manage: INVITE, 200 OK (base64 in and out), re-INVITE (SDP out), BYE" {
	golden rtpp-manage/invite.sip 0 rtpp-manage <"$FIX/invite.sip"
	golden rtpp-manage/ok.b64 0 rtpp-manage --b64 "$(base64 -w0 "$FIX/ok.sip")" --output base64
	golden rtpp-manage/reinvite.sdp 0 rtpp-manage --output sdp <"$FIX/reinvite.sip"
	golden rtpp-manage/bye.sip 0 rtpp-manage <"$FIX/bye.sip"
	cmds a >"$BATS_TEST_TMPDIR/cmds"
	assert_golden rtpp-manage/call.cmds "$BATS_TEST_TMPDIR/cmds"
}

@test "rtpp-destroy: the message unchanged, one D" {
	golden rtpp-destroy/bye.sip 0 rtpp-destroy <"$FIX/bye.sip"
	cmds a >"$BATS_TEST_TMPDIR/cmds"
	assert_golden rtpp-destroy/bye.cmds "$BATS_TEST_TMPDIR/cmds"
}

@test "rtpp-stat: a call's statistics in text and JSON, the relay's" {
	golden rtpp-stat/bye.txt 0 rtpp-stat <"$FIX/bye.sip"
	golden rtpp-stat/bye.json 0 rtpp-stat --json <"$FIX/bye.sip"
	golden rtpp-stat/global.txt 0 rtpp-stat --global
}

@test "rtpp-ctl list in text (fake relays' URLs and the state directory masked)" {
	fake_start b
	run -0 --separate-stderr stdout_to_file rtpp-ctl --sock "$FAKE_URL_A $FAKE_URL_B=3" --sock "1 == udp:127.0.0.1:9=0" list
	assert_equal "$stderr" ""
	normalise "$out"
	assert_golden rtpp-ctl/list.txt
}

@test "rtpp-ctl list --json" {
	fake_start b
	run -0 --separate-stderr stdout_to_file rtpp-ctl --json --sock "$FAKE_URL_A $FAKE_URL_B=3" --sock "1 == udp:127.0.0.1:9=0" list
	assert_equal "$stderr" ""
	normalise "$out"
	assert_golden rtpp-ctl/list.json
}

@test "--explain: the node, the commands with their replies, the SDP diff on stderr" {
	run -0 --separate-stderr stdout_to_file rtpp-offer --explain <"$FIX/invite.sip"
	assert_golden rtpp-offer/explain-invite.sip
	normalise "$BATS_TEST_TMPDIR/err"
	assert_golden rtpp-offer/explain-invite.err "$BATS_TEST_TMPDIR/err"
}

@test "--dry-run: the command each tool would send" {
	for t in rtpp-offer rtpp-answer rtpp-destroy rtpp-stat rtpp-manage; do
		for f in invite.sip ok.sip bye.sip; do
			printf '%s %s: ' "$t" "$f"
			"$t" --dry-run <"$FIX/$f" 2>&1 || echo "exit $?"
		done
	done >"$BATS_TEST_TMPDIR/dry"
	run -0 --separate-stderr stdout_to_file rtpp-offer --dry-run --call-id c1 --from-tag f1 <"$FIX/hold.sdp"
	cat "$out" >>"$BATS_TEST_TMPDIR/dry"
	assert_golden dry-run.txt "$BATS_TEST_TMPDIR/dry"
	assert_equal "$(fake_count a)" 0
}
