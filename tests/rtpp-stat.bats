#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# rtpp-stat: Q (a call's statistics), I and G (the relay's) against the
# fake relay: exact command text, the raw reply, --json; and a live call
# on a real rtpengine.
#
# rtpengine 10.5 hangs a control thread when a Q is followed by any other
# command on the same call, after which SIGTERM no longer stops it: the
# rtpengine tests query each call once, use an instance of their own and
# kill it with SIGKILL.

load helpers
load lib/rtpengine
load lib/body

setup() {
	relays_setup a
	work="$BATS_TEST_TMPDIR"
	# steady state: the query capability (VF 20080403, which Sippy
	# rtpproxy has) is known
	fake_script a 'VF 20080403 -> reply 1'
	rtpp-stat --call-id warm-up --from-tag f </dev/null >/dev/null
	: >"$BATS_TEST_TMPDIR/a.log"
}

teardown() {
	if [[ -n ${RTPENGINE_QS_PID-} ]]; then
		kill -KILL "$RTPENGINE_QS_PID" 2>/dev/null || true
	fi
	rtpengine_stop_all
	rtpp_teardown
}

# The standard output is exactly the text given plus a newline.
assert_out_line() {
	printf '%s\n' "$1" >"$BATS_TEST_TMPDIR/want"
	assert_out_file "$BATS_TEST_TMPDIR/want"
}

@test "request without To-tag: Q CID F;1 alone, no probe in steady state; the raw reply and a newline on stdout" {
	run -0 --separate-stderr stdout_to_file rtpp-stat <"$FIX/invite.sip"
	assert_equal "$stderr" ""
	assert_out_line '60 0 0 0 0'
	assert_cmds a 'Q 1-15483@127.0.0.1 15483-uac-1;1'
}

@test "request with To-tag: F;1 T;1; reply: T;1 F;1 (;1 on both tags)" {
	fake_script a 'Q* -> reply 17 100 200 300 4'
	run -0 --separate-stderr stdout_to_file rtpp-stat <"$FIX/bye.sip"
	assert_out_line '17 100 200 300 4'
	run -0 --separate-stderr rtpp-stat <"$FIX/ack.sip"
	run -0 --separate-stderr stdout_to_file rtpp-stat <"$FIX/ok.sip"
	assert_out_line '17 100 200 300 4'
	assert_cmds a \
	    'Q 1-15483@127.0.0.1 15483-uac-1;1 15475-uas-1;1' \
	    'Q 1-15483@127.0.0.1 15483-uac-1;1 15475-uas-1;1' \
	    'Q 1-15483@127.0.0.1 15475-uas-1;1 15483-uac-1;1'
}

@test "a reply without To-tag fails with exit 1, nothing sent" {
	run -1 --separate-stderr stdout_to_file rtpp-stat --to-tag '' <"$FIX/ok.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-stat: a reply needs a To-tag"
	assert_equal "$(fake_count a)" 0
}

@test "--request and --reply choose the order for call data given by options" {
	rtpp-stat --request --call-id c1 --from-tag f1 --to-tag t1 </dev/null >/dev/null
	rtpp-stat --reply --call-id c1 --from-tag f1 --to-tag t1 </dev/null >/dev/null
	rtpp-stat --request --call-id c1 --from-tag f1 </dev/null >/dev/null
	assert_cmds a 'Q c1 f1;1 t1;1' 'Q c1 t1;1 f1;1' 'Q c1 f1;1'
}

# Bug: with call data from options and no --request/--reply the run takes
# itself for a reply (T;1 F;1), and fails without a To-tag.
@test "call data from options alone: From-tag first, To-tag optional" {
	run -0 --separate-stderr rtpp-stat --call-id c2 --from-tag f2 </dev/null
	assert_equal "$stderr" ""
	run -0 --separate-stderr rtpp-stat --call-id c2 --from-tag f2 --to-tag t2 </dev/null
	assert_cmds a 'Q c2 f2;1' 'Q c2 f2;1 t2;1'
}

@test "one run sends one command: no probe, never a D; the message is not echoed" {
	rtpp-stat <"$FIX/bye.sip" >"$work/1"
	rtpp-stat <"$FIX/bye.sip" >"$work/2"
	assert_equal "$(fake_count a)" 2
	run -1 --separate-stderr grep -c -v '^Q ' <(cmds a)
	assert_output 0
	assert_equal "$(cat "$work/1" "$work/2")" $'60 0 0 0 0\n60 0 0 0 0'
}

@test "--json: sippy's five fields named for the caller and the callee" {
	fake_script a 'Q* -> reply 60 1 2 3 4'
	run -0 --separate-stderr stdout_to_file rtpp-stat --json <"$FIX/bye.sip"
	assert_out_line '{"raw":"60 1 2 3 4","ttl":60,"pkts_from_caller":1,"pkts_from_callee":2,"relayed":3,"dropped":4}'
	jq -e '.ttl == 60 and .pkts_from_caller == 1 and .pkts_from_callee == 2 and .relayed == 3 and .dropped == 4' "$out"
	# in a reply the callee's tag goes first, so its count comes first
	run -0 --separate-stderr stdout_to_file rtpp-stat --json <"$FIX/ok.sip"
	assert_out_line '{"raw":"60 1 2 3 4","ttl":60,"pkts_from_callee":1,"pkts_from_caller":2,"relayed":3,"dropped":4}'
	jq -e '.pkts_from_caller == 2 and .pkts_from_callee == 1' "$out"
}

@test "--json: numbers stay numbers, anything else becomes a string, escaped" {
	fake_script a 'Q* -> reply 60 -1 1.5 007 x"y\\z'
	run -0 --separate-stderr stdout_to_file rtpp-stat --json <"$FIX/bye.sip"
	jq -e '.raw == "60 -1 1.5 007 x\"y\\z" and .ttl == 60 and .pkts_from_caller == -1 and
	    .pkts_from_callee == 1.5 and .relayed == "007" and .dropped == "x\"y\\z"' "$out"
	assert_equal "$(wc -l <"$out")" 1
}

@test "--json: a reply of another shape gets field names by position" {
	fake_script a 'Q* -> reply 3598 30 0'
	run -0 --separate-stderr stdout_to_file rtpp-stat --json <"$FIX/bye.sip"
	assert_out_line '{"raw":"3598 30 0","field1":3598,"field2":30,"field3":0}'
}

@test "--verbose: Qv; --json turns the name=value pairs into keys" {
	fake_script a 'Qv* -> reply ttl=59 npkts_ina=5 npkts_ino=7 nrelayed=12 ndropped=0'
	run -0 --separate-stderr stdout_to_file rtpp-stat --verbose <"$FIX/ok.sip"
	assert_out_line 'ttl=59 npkts_ina=5 npkts_ino=7 nrelayed=12 ndropped=0'
	run -0 --separate-stderr stdout_to_file rtpp-stat --verbose --json <"$FIX/ok.sip"
	jq -e '.ttl == 59 and .npkts_ina == 5 and .npkts_ino == 7 and .nrelayed == 12 and .ndropped == 0' "$out"
	assert_cmds a 'Qv 1-15483@127.0.0.1 15475-uas-1;1 15483-uac-1;1' 'Qv 1-15483@127.0.0.1 15475-uas-1;1 15483-uac-1;1'
}

@test "--counters: the names after the tags; --json names the values after them" {
	fake_script a 'Q* ttl rtpa_nlost -> reply 58 3'
	run -0 --separate-stderr stdout_to_file rtpp-stat --counters ttl,rtpa_nlost <"$FIX/bye.sip"
	assert_out_line '58 3'
	run -0 --separate-stderr stdout_to_file rtpp-stat --counters 'ttl rtpa_nlost' --json <"$FIX/bye.sip"
	assert_out_line '{"raw":"58 3","ttl":58,"rtpa_nlost":3}'
	run -0 --separate-stderr rtpp-stat --counters ttl,rtpa_nlost --verbose <"$FIX/ok.sip"
	assert_cmds a \
	    'Q 1-15483@127.0.0.1 15483-uac-1;1 15475-uas-1;1 ttl rtpa_nlost' \
	    'Q 1-15483@127.0.0.1 15483-uac-1;1 15475-uas-1;1 ttl rtpa_nlost' \
	    'Qv 1-15483@127.0.0.1 15475-uas-1;1 15483-uac-1;1 ttl rtpa_nlost'
}

@test "--counters need a To-tag (exit 1) and names of letters, digits and _ (exit 2); nothing sent" {
	run -1 --separate-stderr stdout_to_file rtpp-stat --counters ttl <"$FIX/invite.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-stat: named counters need a To-tag"
	run -2 --separate-stderr stdout_to_file rtpp-stat --counters 'ttl;D' <"$FIX/bye.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-stat: --counters 'ttl;D': names are letters, digits and _"
	assert_equal "$(fake_count a)" 0
}

# Bug: "a, b" and ",a,,b," are sent with runs of spaces ("G a  b").
@test "counter names go out separated by single spaces" {
	fake_script a 'G* -> reply 1 2'
	rtpp-stat --global --counters 'nsess_created, ncmds_rcvd' >/dev/null
	rtpp-stat --global --counters ',nsess_created,,ncmds_rcvd,' >/dev/null
	rtpp-stat --counters 'ttl,  npkts_ina' <"$FIX/bye.sip" >/dev/null
	assert_cmds a 'G nsess_created ncmds_rcvd' 'G nsess_created ncmds_rcvd' \
	    'Q 1-15483@127.0.0.1 15483-uac-1;1 15475-uas-1;1 ttl npkts_ina'
}

@test "--global: I, the multi-line reply as it is; no stdin read, no call data needed" {
	fake_script a 'I -> reply sessions created: 3\nactive sessions: 1\nactive streams: 2'
	run -0 --separate-stderr stdout_to_file rtpp-stat --global <"$FIX/invite.sip"
	printf 'sessions created: 3\nactive sessions: 1\nactive streams: 2\n' >"$work/want"
	assert_out_file "$work/want"
	run -0 --separate-stderr stdout_to_file rtpp-stat --global </dev/null
	assert_out_file "$work/want"
	assert_cmds a 'I' 'I'
}

@test "--global --verbose: Il (with the load line)" {
	fake_script a 'Il -> reply sessions created: 3\naverage load: 0.5'
	run -0 --separate-stderr stdout_to_file rtpp-stat --global --verbose </dev/null
	printf 'sessions created: 3\naverage load: 0.5\n' >"$work/want"
	assert_out_file "$work/want"
	assert_cmds a 'Il'
}

@test "--global --counters: G NAMES; --verbose: Gv; --json keys from the names or the pairs" {
	fake_script a 'G nsess_created ncmds_rcvd -> reply 12 345
Gv nsess_created ncmds_rcvd -> reply nsess_created=12 ncmds_rcvd=345'
	run -0 --separate-stderr stdout_to_file rtpp-stat --global --counters nsess_created,ncmds_rcvd
	assert_out_line '12 345'
	run -0 --separate-stderr stdout_to_file rtpp-stat --global --counters nsess_created,ncmds_rcvd --json
	assert_out_line '{"raw":"12 345","nsess_created":12,"ncmds_rcvd":345}'
	run -0 --separate-stderr stdout_to_file rtpp-stat --global --counters nsess_created,ncmds_rcvd --verbose --json
	jq -e '.nsess_created == 12 and .ncmds_rcvd == 345 and .raw == "nsess_created=12 ncmds_rcvd=345"' "$out"
	assert_cmds a 'G nsess_created ncmds_rcvd' 'G nsess_created ncmds_rcvd' 'Gv nsess_created ncmds_rcvd'
}

@test "E replies: exit 1, stdout empty, the code and its meaning on stderr" {
	fake_script a 'Q* -> reply E50
I -> reply E8
G* -> reply E68'
	run -1 --separate-stderr stdout_to_file rtpp-stat <"$FIX/bye.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-stat: $FAKE_URL_A: relay said E50 (session not found)"
	run -1 --separate-stderr stdout_to_file rtpp-stat --json <"$FIX/bye.sip"
	assert_no_out
	run -1 --separate-stderr stdout_to_file rtpp-stat --global
	assert_no_out
	assert_equal "$stderr" "rtpp-stat: $FAKE_URL_A: relay said E8 (refused: rtpengine's answer to any failure)"
	run -1 --separate-stderr rtpp-stat --global --counters nosuch
	[[ $stderr == "rtpp-stat: $FAKE_URL_A: relay said E68 ("*")" ]]
}

@test "a unix-socket relay gets the same text without a cookie" {
	fake_start_unix u 'VF 20080403 -> reply 1
Q* -> reply 60 5 6 11 0'
	export RTPP_SOCK="$FAKE_URL_U"
	run -0 --separate-stderr stdout_to_file rtpp-stat <"$FIX/ok.sip"
	assert_out_line '60 5 6 11 0'
	# a new node: its query capability is asked once first
	assert_cmds u 'VF 20080403' 'Q 1-15483@127.0.0.1 15475-uas-1;1 15483-uac-1;1'
}

@test "a relay that lacks the query capability (VF 20080403 answers 0) gets no Q: exit 1, said why; asked once, remembered" {
	fake_start b 'VF 20080403 -> reply 0'
	export RTPP_SOCK="$FAKE_URL_B"
	for i in 1 2; do
		run -1 --separate-stderr stdout_to_file rtpp-stat <"$FIX/bye.sip"
		assert_no_out
		assert_equal "$stderr" "rtpp-stat: $FAKE_URL_B: relay lacks capability 20080403 (statistics query Q; answered '0'); nothing sent"
	done
	assert_cmds b 'VF 20080403'
	# the node is not marked down: the call's other commands still go
	run -0 --separate-stderr rtpp-destroy <"$FIX/bye.sip"
	assert_equal "$(cmds b | tail -n 1)" 'D 1-15483@127.0.0.1 15483-uac-1 15475-uas-1'
	run -1 --separate-stderr rtpp-stat --json <"$FIX/bye.sip"
	# --dry-run asks nothing
	run -0 --separate-stderr rtpp-stat --dry-run <"$FIX/bye.sip"
	assert_output 'Q 1-15483@127.0.0.1 15483-uac-1;1 15475-uas-1;1'
	run -1 --separate-stderr grep -c '^Q' <(cmds b)
	assert_output 0
}

@test "--dry-run prints the command and sends nothing" {
	run -0 --separate-stderr rtpp-stat --dry-run <"$FIX/ok.sip"
	assert_output 'Q 1-15483@127.0.0.1 15475-uas-1;1 15483-uac-1;1'
	run -0 --separate-stderr rtpp-stat --dry-run --global
	assert_output 'I'
	run -0 --separate-stderr rtpp-stat --dry-run --global --verbose --counters a,b
	assert_output 'Gv a b'
	assert_equal "$(fake_count a)" 0
}

@test "a relay that does not answer: exit 3, stdout empty" {
	fake_script a 'Q* -> silent'
	run -3 --separate-stderr stdout_to_file rtpp-stat --tout 0.1 --retr 2 <"$FIX/ok.sip"
	assert_no_out
	[[ $stderr == "rtpp-stat: no relay available: "* ]]
	assert_equal "$(fake_count a)" 2
}

@test "extra arguments are a usage error" {
	run -2 --separate-stderr stdout_to_file rtpp-stat foo <"$FIX/ok.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-stat: unexpected argument 'foo' (try --help)"
	assert_equal "$(fake_count a)" 0
}

@test "rtpengine: it lacks the query capability, so no Q is sent and the call's later commands still work" {
	# rtpengine 10.5 answers VF 20080403 with 0 and, once sent a Q,
	# answers no later command of the call (the BYE's D timed out and
	# the node was marked down for every call): refuse before sending
	rtpengine_start qs
	export RTPP_SOCK="$RTPENGINE_URL_QS"
	pa=$(free_udp_port)
	pb=$(free_udp_port)
	cid="qs1-$RANDOM@127.0.0.1"
	body_message "$FIX/invite.sip" "$cid" "$pa" >"$work/inv1"
	body_message "$FIX/ok.sip" "$cid" "$pb" >"$work/ok1"
	body_message "$FIX/bye.sip" "$cid" "$pa" >"$work/bye1"
	rtpp-offer <"$work/inv1" >"$work/inv1.out"
	rtpp-answer <"$work/ok1" >"$work/ok1.out"
	assert_equal "$(rtpengine_sessions qs)" 1
	run -1 --separate-stderr stdout_to_file rtpp-stat --trace --json <"$work/ok1"
	assert_no_out
	[[ $stderr == *"rtpp-stat: $RTPENGINE_URL_QS: relay lacks capability 20080403 (statistics query Q; answered '0'); nothing sent" ]]
	# only the capability probe went out, no Q
	run -0 --separate-stderr grep -c '^rtpp-stat: > .* VF 20080403$' "$BATS_TEST_TMPDIR/err"
	assert_output 1
	run -1 --separate-stderr grep -c '^rtpp-stat: > .* Q ' "$BATS_TEST_TMPDIR/err"
	assert_output 0
	# the call's media still flows and its BYE still deletes it at once
	run -0 --separate-stderr python3 "$BATS_TEST_DIRNAME/rtp-check.py" --a-port "$pa" --b-port "$pb" \
	    --a-sends-to "127.0.0.1:$(body_mport "$work/ok1.out")" \
	    --b-sends-to "127.0.0.1:$(body_mport "$work/inv1.out")" --timeout 1
	assert_line --regexp '^a->b [1-9][0-9]*/'
	run -0 --separate-stderr rtpp-destroy --tout 0.5 --retr 2 <"$work/bye1"
	assert_equal "$(rtpengine_sessions qs)" 0
	# remembered: a second rtpp-stat asks nothing at all
	run -1 --separate-stderr stdout_to_file rtpp-stat --trace <"$work/ok1"
	run -1 --separate-stderr grep -c '^rtpp-stat: > ' "$BATS_TEST_TMPDIR/err"
	assert_output 0
}

@test "rtpengine: I and G are refused with E8, named on stderr, exit 1; Q is not sent" {
	rtpengine_start qs
	export RTPP_SOCK="$RTPENGINE_URL_QS"
	e8="relay said E8 (refused: rtpengine's answer to any failure)"
	run -1 --separate-stderr stdout_to_file rtpp-stat --global
	assert_no_out
	assert_equal "$stderr" "rtpp-stat: $RTPENGINE_URL_QS: $e8"
	run -1 --separate-stderr stdout_to_file rtpp-stat --global --counters nsess_created --json
	assert_no_out
	assert_equal "$stderr" "rtpp-stat: $RTPENGINE_URL_QS: $e8"
	# Q is refused before sending: rtpengine lacks VF 20080403
	run -1 --separate-stderr stdout_to_file rtpp-stat --counters ttl --call-id "nosuch-$RANDOM" --from-tag f --to-tag t --request </dev/null
	assert_no_out
	assert_equal "$stderr" "rtpp-stat: $RTPENGINE_URL_QS: relay lacks capability 20080403 (statistics query Q; answered '0'); nothing sent"
}

@test "the reply is printed escaped: ESC, CR, LF, backslash and invalid UTF-8 as \\xNN; --json keeps it exact; a NUL is refused" {
	fake_script a 'Q* -> reply 60\x1b[31m 1\r\nFORGED 2\\3 \xc3\xa9\xff'
	run -0 --separate-stderr stdout_to_file rtpp-stat <"$FIX/bye.sip"
	assert_out_line '60\x1b[31m 1\x0d\x0aFORGED 2\\3 é\xff'
	run -0 --separate-stderr stdout_to_file rtpp-stat --json <"$FIX/bye.sip"
	assert_equal "$(jq -c .raw "$out")" '"60\u001b[31m 1\r\nFORGED 2\\3 éÿ"'
	# the multi-line I keeps its lines, escaped otherwise
	fake_script a 'I -> reply sessions created: 1\x1b]0;x\x07\nactive sessions: 0'
	run -0 --separate-stderr stdout_to_file rtpp-stat --global
	assert_out_line 'sessions created: 1\x1b]0;x\x07
active sessions: 0'
	fake_script a 'Q* -> reply 60 1\x00 2 3 4'
	run -1 --separate-stderr stdout_to_file rtpp-stat <"$FIX/bye.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-stat: $FAKE_URL_A: reply holds a NUL byte"
}
