#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# --explain: the report for people at a terminal.

load helpers

setup() {
	rtpp_setup
	fake_start a 'U* -> reply 31000 192.0.2.1 4'
}

teardown() {
	rtpp_teardown
}

@test "explain names the node chosen and why, the commands with replies and times, and the SDP diff" {
	run -0 --separate-stderr stdout_to_file rtpp-offer --explain --sock "$FAKE_URL_A" <"$FIX/invite.sip"
	assert_golden rtpp-offer/relay-invite.sip
	run -0 --separate-stderr cat "$BATS_TEST_TMPDIR/err"
	assert_line --index 0 "rtpp-offer: explain (exit 0)"
	assert_line --regexp "^    1\\. $FAKE_URL_A +weight 1 +score [0-9.]+ +used$"
	assert_line "    > U 1-15483@127.0.0.1 127.0.0.1 16000 15483-uac-1;1"
	assert_line --regexp '^    < 31000 192\.0\.2\.1 4  \([0-9]+ us\)$'
	assert_line '    -c=IN IP4 127.0.0.2'
	assert_line '    +c=IN IP4 192.0.2.1'
	assert_line '    -m=audio 16000 RTP/AVP 0 8 101'
	assert_line '    +m=audio 31000 RTP/AVP 0 8 101'
	assert_line '    +a=nortpproxy:yes'
	assert_line '     a=sendrecv'
	# no colour when stderr is not a terminal
	run -1 --separate-stderr grep -c $'\033' "$BATS_TEST_TMPDIR/err"
	assert_output 0
}

@test "explain tells why a node was skipped or failed" {
	fake_start b 'U* -> silent'
	rtpp-ctl --sock "$FAKE_URL_A" --sock "$FAKE_URL_B" enable "$FAKE_URL_A" 0
	run -3 --separate-stderr stdout_to_file rtpp-offer --explain --sock "$FAKE_URL_A" --sock "$FAKE_URL_B" --tout 0.05 --retr 1 <"$FIX/invite.sip"
	assert_no_out
	run -0 --separate-stderr cat "$BATS_TEST_TMPDIR/err"
	assert_line --index 0 --regexp "^rtpp-offer: no relay available: $FAKE_URL_B: no reply after 1 try in [0-9]+ ms$"
	assert_line --regexp "^    [12]\\. $FAKE_URL_A +weight 1 +score [0-9.]+ +skipped: disabled by the operator$"
	assert_line --regexp "^    [12]\\. $FAKE_URL_B +weight 1 +score [0-9.]+ +failed: $FAKE_URL_B: no reply after 1 try in [0-9]+ ms$"
}

@test "rtpp-manage --explain says what it decided" {
	run -0 --separate-stderr stdout_to_file rtpp-manage --explain --fake-reply '40000 192.0.2.1' <"$FIX/bye.sip"
	run -0 --separate-stderr cat "$BATS_TEST_TMPDIR/err"
	assert_line '  decided: delete (D)'
	assert_line '  relay: none asked (--fake-reply)'
}

@test "colour on a terminal, none with NO_COLOR" {
	command -v script >/dev/null
	TERM=xterm script -qec "rtpp-offer --explain --sock $FAKE_URL_A <'$FIX/invite.sip' >/dev/null" /dev/null >"$BATS_TEST_TMPDIR/tty"
	grep -q $'\033\\[31m-c=IN IP4 127.0.0.2' "$BATS_TEST_TMPDIR/tty"
	grep -q $'\033\\[32m+c=IN IP4 192.0.2.1' "$BATS_TEST_TMPDIR/tty"
	NO_COLOR=1 TERM=xterm script -qec "rtpp-offer --explain --sock $FAKE_URL_A <'$FIX/invite.sip' >/dev/null" /dev/null >"$BATS_TEST_TMPDIR/tty"
	grep -q -- '-c=IN IP4 127.0.0.2' "$BATS_TEST_TMPDIR/tty"
	run -1 --separate-stderr grep -c $'\033\\[3' "$BATS_TEST_TMPDIR/tty"
	assert_output 0
}
