#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# rtpp-stream: P (play a prompt) and S (stop it) against the fake relay,
# exact command text, capability gating, E replies; and against a real
# rtpengine, which lacks the capability.

load helpers
load lib/rtpengine

# The capability P and S need (VF 20081102); the fake relay answers 0
# to it unless told otherwise.
CAP='VF 20081102 -> reply 1'

setup() {
	rtpp_setup
	fake_start a "$CAP"
	export RTPP_SOCK="$FAKE_URL_A"
}

teardown() {
	rtpengine_stop_all
	rtpp_teardown
}

@test "uac on a 200 OK: probes, then P1 CID PROMPT session F;1 T;1; the message passes through unchanged" {
	run -0 --separate-stderr stdout_to_file rtpp-stream uac /srv/prompts/hello <"$FIX/ok.sip"
	assert_equal "$stderr" ""
	assert_out_file "$FIX/ok.sip"
	assert_cmds a "${PROBES[@]}" 'P1 1-15483@127.0.0.1 /srv/prompts/hello session 15483-uac-1;1 15475-uas-1;1'
}

@test "uas: T;1 F;1" {
	run -0 --separate-stderr stdout_to_file rtpp-stream uas /srv/prompts/hello <"$FIX/ok.sip"
	assert_out_file "$FIX/ok.sip"
	assert_equal "$(cmds a | tail -n 1)" 'P1 1-15483@127.0.0.1 /srv/prompts/hello session 15475-uas-1;1 15483-uac-1;1'
}

@test "the tag order depends on uac/uas only, not on request or reply" {
	for m in ok ack bye; do
		rtpp-stream uac /p <"$FIX/$m.sip" >/dev/null
		rtpp-stream uas /p <"$FIX/$m.sip" >/dev/null
	done
	run -0 --separate-stderr cmds a
	assert_equal "${#lines[@]}" 10
	for k in 4 6 8; do
		assert_line --index "$k" 'P1 1-15483@127.0.0.1 /p session 15483-uac-1;1 15475-uas-1;1'
		assert_line --index "$((k + 1))" 'P1 1-15483@127.0.0.1 /p session 15475-uas-1;1 15483-uac-1;1'
	done
}

@test "uac without a To-tag (initial INVITE): F;1 only, no trailing space" {
	run -0 --separate-stderr stdout_to_file rtpp-stream uac /p <"$FIX/invite.sip"
	assert_out_file "$FIX/invite.sip"
	assert_cmds a "${PROBES[@]}" 'P1 1-15483@127.0.0.1 /p session 15483-uac-1;1'
}

@test "uas without a To-tag fails with exit 1 before anything is sent" {
	run -1 --separate-stderr stdout_to_file rtpp-stream uas /p <"$FIX/invite.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-stream: uas needs a To-tag"
	assert_equal "$(fake_count a)" 0
	run -1 --separate-stderr rtpp-stream --stop uas <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-stream: uas needs a To-tag"
	assert_equal "$(fake_count a)" 0
}

@test "COUNT: a number, -1 or loop (P-1); 1 when left out" {
	rtpp-stream uac /p 3 <"$FIX/ok.sip" >/dev/null
	rtpp-stream uac /p -1 <"$FIX/ok.sip" >/dev/null
	rtpp-stream uac /p loop <"$FIX/ok.sip" >/dev/null
	rtpp-stream uas /p 1000000 <"$FIX/ok.sip" >/dev/null
	rtpp-stream uas /p <"$FIX/ok.sip" >/dev/null
	run -0 --separate-stderr cmds a
	assert_line --index 4 'P3 1-15483@127.0.0.1 /p session 15483-uac-1;1 15475-uas-1;1'
	assert_line --index 5 'P-1 1-15483@127.0.0.1 /p session 15483-uac-1;1 15475-uas-1;1'
	assert_line --index 6 'P-1 1-15483@127.0.0.1 /p session 15483-uac-1;1 15475-uas-1;1'
	assert_line --index 7 'P1000000 1-15483@127.0.0.1 /p session 15475-uas-1;1 15483-uac-1;1'
	assert_line --index 8 'P1 1-15483@127.0.0.1 /p session 15475-uas-1;1 15483-uac-1;1'
	assert_equal "${#lines[@]}" 9
}

@test "a bad COUNT is a usage error (exit 2), nothing sent" {
	for c in 0 -2 1.5 x 1000001 ''; do
		run -2 --separate-stderr stdout_to_file rtpp-stream uac /p "$c" <"$FIX/ok.sip"
		assert_no_out
		[[ -n $stderr ]]
	done
	run -2 --separate-stderr rtpp-stream uac /p 0 <"$FIX/ok.sip"
	assert_equal "$stderr" "rtpp-stream: count '0' is not -1 or loop, or a number from 1 to 1000000"
	assert_equal "$(fake_count a)" 0
}

@test "bad arguments are usage errors: no side, other side, no prompt, extra argument" {
	run -2 --separate-stderr rtpp-stream <"$FIX/ok.sip"
	assert_equal "$stderr" "rtpp-stream: first argument must be uac or uas (try --help)"
	run -2 --separate-stderr rtpp-stream callee /p <"$FIX/ok.sip"
	assert_equal "$stderr" "rtpp-stream: first argument must be uac or uas (try --help)"
	run -2 --separate-stderr rtpp-stream uac <"$FIX/ok.sip"
	assert_equal "$stderr" "rtpp-stream: no prompt given (try --help)"
	run -2 --separate-stderr rtpp-stream uac /p 2 more <"$FIX/ok.sip"
	assert_equal "$stderr" "rtpp-stream: unexpected argument 'more' (try --help)"
	run -2 --separate-stderr stdout_to_file rtpp-stream --stop uac /p <"$FIX/ok.sip"
	assert_equal "$stderr" "rtpp-stream: unexpected argument '/p' (try --help)"
	assert_no_out
	assert_equal "$(fake_count a)" 0
}

@test "--stop uac: S CID F;1 T;1; --stop uas: S CID T;1 F;1; the message passes through" {
	run -0 --separate-stderr stdout_to_file rtpp-stream --stop uac <"$FIX/ok.sip"
	assert_out_file "$FIX/ok.sip"
	run -0 --separate-stderr stdout_to_file rtpp-stream --stop uas <"$FIX/ack.sip"
	assert_out_file "$FIX/ack.sip"
	run -0 --separate-stderr rtpp-stream --stop uac <"$FIX/invite.sip"
	assert_cmds a "${PROBES[@]}" \
	    'S 1-15483@127.0.0.1 15483-uac-1;1 15475-uas-1;1' \
	    'S 1-15483@127.0.0.1 15475-uas-1;1 15483-uac-1;1' \
	    'S 1-15483@127.0.0.1 15483-uac-1;1'
}

@test "a relay without capability 20081102: exit 1, only the probes sent, stdout empty" {
	fake_start b
	export RTPP_SOCK="$FAKE_URL_B"
	run -1 --separate-stderr stdout_to_file rtpp-stream uac /p <"$FIX/ok.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-stream: $FAKE_URL_B: relay lacks capability 20081102 (prompts); nothing sent"
	assert_cmds b "${PROBES[@]}"
	# learnt once: the next runs send nothing at all
	run -1 --separate-stderr stdout_to_file rtpp-stream --stop uas <"$FIX/ok.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-stream: $FAKE_URL_B: relay lacks capability 20081102 (prompts); nothing sent"
	run -1 --separate-stderr stdout_to_file rtpp-stream --passthrough uac /p <"$FIX/ok.sip"
	assert_out_file "$FIX/ok.sip"
	assert_cmds b "${PROBES[@]}"
}

@test "capabilities are remembered: a second run sends P alone; rtpp-ctl ping learns them again" {
	fake_start b
	export RTPP_SOCK="$FAKE_URL_B"
	run -1 --separate-stderr rtpp-stream uac /p <"$FIX/ok.sip"
	# the relay gains the capability (say, rtpproxy restarted with it)
	fake_script b "$CAP"
	run -1 --separate-stderr rtpp-stream uac /p <"$FIX/ok.sip"
	rtpp-ctl ping >/dev/null
	run -0 --separate-stderr rtpp-stream uac /p <"$FIX/ok.sip"
	run -0 --separate-stderr rtpp-stream uac /q <"$FIX/ok.sip"
	run -0 --separate-stderr cmds b
	assert_equal "${lines[-2]}" 'P1 1-15483@127.0.0.1 /p session 15483-uac-1;1 15475-uas-1;1'
	assert_equal "${lines[-1]}" 'P1 1-15483@127.0.0.1 /q session 15483-uac-1;1 15475-uas-1;1'
	[[ ${lines[-3]} != P* ]]
	run -0 --separate-stderr grep -c '^P' <(cmds b)
	assert_output 2
}

@test "E replies: exit 1, stdout empty, the code and its meaning on stderr" {
	fake_script a "$CAP
P* -> reply E60
S* -> reply E50"
	run -1 --separate-stderr stdout_to_file rtpp-stream uac /srv/prompts/none <"$FIX/ok.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-stream: $FAKE_URL_A: relay said E60 (playback failed)"
	run -1 --separate-stderr stdout_to_file rtpp-stream --stop uac <"$FIX/ok.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-stream: $FAKE_URL_A: relay said E50 (session not found)"
	run -1 --separate-stderr stdout_to_file rtpp-stream --passthrough --stop uac <"$FIX/ok.sip"
	assert_out_file "$FIX/ok.sip"
}

@test "E8 (rtpengine's refusal) is named in the message" {
	fake_script a "$CAP
P* -> reply E8
S* -> reply E8"
	run -1 --separate-stderr stdout_to_file rtpp-stream uas /p <"$FIX/ok.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-stream: $FAKE_URL_A: relay said E8 (refused: rtpengine's answer to any failure)"
	run -1 --separate-stderr rtpp-stream --stop uas <"$FIX/ok.sip"
	assert_equal "$stderr" "rtpp-stream: $FAKE_URL_A: relay said E8 (refused: rtpengine's answer to any failure)"
}

@test "a unix-socket relay gets the same text without a cookie" {
	fake_start_unix u "$CAP"
	export RTPP_SOCK="$FAKE_URL_U"
	run -0 --separate-stderr stdout_to_file rtpp-stream uas /p 2 <"$FIX/bye.sip"
	assert_out_file "$FIX/bye.sip"
	run -0 --separate-stderr rtpp-stream --stop uas <"$FIX/bye.sip"
	assert_cmds u "${PROBES[@]}" \
	    'P2 1-15483@127.0.0.1 /p session 15475-uas-1;1 15483-uac-1;1' \
	    'S 1-15483@127.0.0.1 15475-uas-1;1 15483-uac-1;1'
}

@test "call data from options: nothing to pass through, nothing on stdout" {
	run -0 --separate-stderr stdout_to_file rtpp-stream --call-id c9 --from-tag f9 --to-tag t9 uas /p </dev/null
	assert_no_out
	run -0 --separate-stderr rtpp-stream --call-id c9 --from-tag f9 --to-tag t9 --stop uac </dev/null
	run -2 --separate-stderr rtpp-stream --call-id c9 --to-tag t9 uac /p </dev/null
	assert_equal "$stderr" "rtpp-stream: no From-tag: give a SIP message or --from-tag"
	assert_cmds a "${PROBES[@]}" 'P1 c9 /p session t9;1 f9;1' 'S c9 f9;1 t9;1'
}

@test "options win over the message" {
	run -0 --separate-stderr stdout_to_file rtpp-stream --call-id other --to-tag tt uas /p <"$FIX/ok.sip"
	assert_out_file "$FIX/ok.sip"
	assert_equal "$(cmds a | tail -n 1)" 'P1 other /p session tt;1 15483-uac-1;1'
}

@test "base64 in, base64 out" {
	run -0 --separate-stderr stdout_to_file rtpp-stream --b64 "$(base64 -w 0 "$FIX/ok.sip")" uac /p
	assert_equal "$(cat "$out")" "$(base64 -w 0 "$FIX/ok.sip")"
	base64 -w 60 "$FIX/ok.sip" >"$BATS_TEST_TMPDIR/in.b64"
	run -0 --separate-stderr stdout_to_file rtpp-stream --output plain uac /p <"$BATS_TEST_TMPDIR/in.b64"
	assert_out_file "$FIX/ok.sip"
	assert_cmds a "${PROBES[@]}" \
	    'P1 1-15483@127.0.0.1 /p session 15483-uac-1;1 15475-uas-1;1' \
	    'P1 1-15483@127.0.0.1 /p session 15483-uac-1;1 15475-uas-1;1'
}

@test "a prompt, Call-ID or tag that would break the protocol is refused with exit 1, nothing sent" {
	run -1 --separate-stderr stdout_to_file rtpp-stream uac '/srv/my prompt' <"$FIX/ok.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-stream: prompt '/srv/my prompt' is empty or contains spaces or control characters; not sent"
	run -1 --separate-stderr rtpp-stream --to-tag $'t\nx' uac /p <"$FIX/ok.sip"
	assert_equal "$stderr" "rtpp-stream: to-tag 't\\x0ax' is empty or contains spaces or control characters; not sent"
	assert_equal "$(fake_count a)" 0
}

@test "--dry-run prints the command and sends nothing" {
	run -0 --separate-stderr rtpp-stream --dry-run uas /p loop <"$FIX/ok.sip"
	assert_output 'P-1 1-15483@127.0.0.1 /p session 15475-uas-1;1 15483-uac-1;1'
	run -0 --separate-stderr rtpp-stream --dry-run --stop uac <"$FIX/ok.sip"
	assert_output 'S 1-15483@127.0.0.1 15483-uac-1;1 15475-uas-1;1'
	assert_equal "$(fake_count a)" 0
}

@test "a relay that does not answer P: exit 3, stdout empty" {
	fake_script a "$CAP
P* -> silent"
	run -3 --separate-stderr stdout_to_file rtpp-stream --tout 0.1 --retr 2 uac /p <"$FIX/ok.sip"
	assert_no_out
	[[ $stderr == "rtpp-stream: no relay available: "* ]]
	assert_equal "$(cmds a | grep -c '^P1 ')" 2
}

# Bug: the "-1" that means "loop" is rewritten everywhere on the command
# line, also where it is the value of an option.
@test "-1 as the value of an option is not a COUNT" {
	run -0 --separate-stderr stdout_to_file rtpp-stream --dry-run --from-tag -1 uac /p <"$FIX/ok.sip"
	assert_equal "$(cat "$out")" 'P1 1-15483@127.0.0.1 /p session -1;1 15475-uas-1;1'
	run -0 --separate-stderr rtpp-stream --disable-tout -1 uac /p <"$FIX/ok.sip"
	assert_equal "$stderr" ""
}

@test "rtpengine: refused before sending (it lacks 20081102), exit 1, only the probes sent" {
	rtpengine_start sp
	export RTPP_SOCK="$RTPENGINE_URL_SP"
	run -1 --separate-stderr stdout_to_file rtpp-stream --trace --call-id c-sp --from-tag f --to-tag t uac /p </dev/null
	assert_no_out
	assert_equal "$(grep -v '^rtpp-stream: [<>] ' "$BATS_TEST_TMPDIR/err")" \
	    "rtpp-stream: $RTPENGINE_URL_SP: relay lacks capability 20081102 (prompts); nothing sent"
	run -0 --separate-stderr sed -n "s/^rtpp-stream: > $RTPENGINE_URL_SP [^ ]* //p" "$BATS_TEST_TMPDIR/err"
	assert_equal "$output" "$(printf '%s\n' "${PROBES[@]}")"
	run -1 --separate-stderr stdout_to_file rtpp-stream --trace --call-id c-sp --from-tag f --to-tag t --stop uac </dev/null
	run -1 --separate-stderr grep -c '^rtpp-stream: > ' "$BATS_TEST_TMPDIR/err"
	assert_output 0
	run -1 --separate-stderr grep -c 'c-sp' "$(rtpengine_log sp)"
	assert_output 0
}
