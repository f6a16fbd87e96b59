#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# rtpp-ctl: list, enable, ping, raw and which against fake relays; the
# common options; text for people and --json for programs (checked with
# jq, and with python's strict decoder where bytes matter).

load helpers
load lib/call

setup() { relays_setup a b; }
teardown() { rtpp_teardown; }

# A Call-ID (PREFIX-1, PREFIX-2, ...) that URL ranks first, health aside
# (from the order that "rtpp-ctl which" prints).
first_choice() {
	seq -f "$2-%g" 1 60 | xargs rtpp-ctl which | awk -v u="$1" '
	    /^call / { cid = $2; sub(/,$/, "", cid); next }
	    /^  1\. / && $2 == u { print cid; found = 1; exit }
	    END { exit !found }'
}


# Empty the command log of relay $1.
clear_log() {
	: >"$BATS_TEST_TMPDIR/$1.log"
}

# One field of node URL in "rtpp-ctl --json list": jqfield URL KEY [OPTS].
jqfield() {
	rtpp-ctl --json list "${@:3}" | jq -r --arg u "$1" ".[] | select(.url == \$u) | .$2"
}

# The lines of a file with runs of blanks squeezed to one space.
squeeze() {
	tr -s ' ' <"$1"
}

# --- list -------------------------------------------------------------

@test "list: a header, then one line per node in set and config order, where the state lives, and nothing sent" {
	run -0 --separate-stderr stdout_to_file rtpp-ctl --sock "$A $B=3" --sock "1 == udp:127.0.0.1:9=0" list
	assert_equal "$stderr" ""
	run -0 --separate-stderr squeeze "$out"
	assert_equal "${#lines[@]}" 5
	assert_equal "${lines[0]}" "SETID URL INDEX DISABLED STATE WEIGHT RECHECK CAPS RTT_US LAST_ERROR"
	assert_equal "${lines[1]}" "0 $A 0 0 enabled 1 0 unknown 0 -"
	assert_equal "${lines[2]}" "0 $B 1 0 enabled 3 0 unknown 0 -"
	assert_equal "${lines[3]}" "1 udp:127.0.0.1:9 2 0 enabled 0 0 unknown 0 -"
	assert_equal "${lines[4]}" "state file: $RTPP_STATE_DIR/health"
	run -0 --separate-stderr stdout_to_file rtpp-ctl --state-dir '' list
	assert_equal "$(tail -n 1 "$out")" "state file: none (this run's memory only)"
	assert_equal "$(fake_count a)" 0
	assert_equal "$(fake_count b)" 0
}

@test "list --json: one array, one object per node, the same stable keys and types" {
	run -0 --separate-stderr stdout_to_file rtpp-ctl --json --sock "$A $B=3" --sock "1 == udp:127.0.0.1:9=0" list
	assert_equal "$(jq -s length "$out")" 1
	assert_equal "$(jq -c 'map(keys)|unique' "$out")" \
	    '[["caps","disabled","index","last_error","recheck","rtt_us","setid","state","state_file","url","weight"]]'
	assert_equal "$(jq -c '[.[]|[.setid,.url,.index,.disabled,.state,.weight,.recheck,.caps,.rtt_us,.last_error]]' "$out")" \
	    "[[0,\"$A\",0,0,\"enabled\",1,0,\"unknown\",0,\"\"],[0,\"$B\",1,0,\"enabled\",3,0,\"unknown\",0,\"\"],[1,\"udp:127.0.0.1:9\",2,0,\"enabled\",0,0,\"unknown\",0,\"\"]]"
	assert_equal "$(jq -r '[.[]|.state_file]|unique|.[]' "$out")" "$RTPP_STATE_DIR/health"
	run -0 --separate-stderr stdout_to_file rtpp-ctl --json --state-dir '' list
	assert_equal "$(jq -c '[.[]|.state_file]|unique' "$out")" '[null]'
}

@test "list shows what runs learnt: capabilities and RTT after a ping, disabled/recheck/last error after a failure" {
	fake_script a $'VF 20071116 -> reply 1\nVF 20081102 -> reply 1'
	fake_stop b
	run -3 --separate-stderr rtpp-ctl --disable-tout 5 ping
	now=$(date +%s)
	run -0 --separate-stderr stdout_to_file rtpp-ctl --json list
	assert_equal "$(jq -c ".[0]|[.disabled,.recheck,.caps,.last_error]" "$out")" '[0,0,"base,repacketize,codecs",""]'
	(( $(jq '.[0].rtt_us' "$out") > 0 ))
	assert_equal "$(jq -c ".[1]|[.disabled,.caps]" "$out")" '[1,"unknown"]'
	rc=$(jq '.[1].recheck' "$out")
	(( rc >= now + 3 && rc <= now + 6 ))
	[[ $(jq -r '.[1].last_error' "$out") == "$B: "?* ]]
	# the text form says the same
	run -0 --separate-stderr stdout_to_file rtpp-ctl list
	run -0 --separate-stderr squeeze "$out"
	[[ ${lines[1]} == "0 $A 0 0 enabled 1 0 base,repacketize,codecs "[1-9]*" -" ]]
	[[ ${lines[2]} == "0 $B 1 1 down 1 $rc unknown "[0-9]*" $B: "?* ]]
}

# Every row's fields line up under the header's: each field starts where
# its header word starts or ends where it ends (the last field, the error
# text, may hold blanks and only has to start in place).
assert_aligned() {
	python3 - "$1" <<'EOF' || fail "$(cat "$1")"
import re, sys
lines = [l for l in open(sys.argv[1]).read().splitlines() if not l.startswith("state file: ")]
head = [(m.start(), m.end()) for m in re.finditer(r"\S+", lines[0])]
ok = True
for row in lines[1:]:
    toks = [(m.start(), m.end()) for m in re.finditer(r"\S+", row)]
    toks = toks[:len(head) - 1] + [(toks[len(head) - 1][0], len(row))]
    for (hs, he), (ts, te) in zip(head, toks):
        if ts != hs and te != he:
            print("misaligned: %r (column at %d-%d)" % (row, hs, he))
            ok = False
sys.exit(0 if ok else 1)
EOF
}

@test "list: the text columns stay aligned with a long capability list and a long URL" {
	fake_script a $'VF 20071116 -> reply 1\nVF 20081102 -> reply 1'
	run -0 --separate-stderr rtpp-ctl ping "$A"
	run -0 --separate-stderr stdout_to_file rtpp-ctl list
	assert_equal "$(squeeze "$out" | sed -n 2p | cut -d' ' -f8)" base,repacketize,codecs
	cp "$out" "$BATS_TEST_TMPDIR/caps.txt"
	# a URL longer than 32 characters (not contacted by list)
	export RTPP_SOCK="$A unix:$BATS_TEST_TMPDIR/a/rather/long/path/to/control.sock $B"
	run -0 --separate-stderr stdout_to_file rtpp-ctl list
	cp "$out" "$BATS_TEST_TMPDIR/url.txt"
	assert_aligned "$BATS_TEST_TMPDIR/caps.txt"
	assert_aligned "$BATS_TEST_TMPDIR/url.txt"
}

# --- enable -----------------------------------------------------------

@test "enable URL 0: the next run avoids the node, even past rtpproxy_disable_tout; enable URL 1: the next run uses it again, no probe" {
	cid=$(first_choice "$A" en)
	run -0 --separate-stderr offer "$cid"
	assert_equal "$(cmds a | grep -c "^U $cid ")" 1
	run -0 --separate-stderr stdout_to_file rtpp-ctl enable "$A" 0
	assert_no_out
	assert_equal "$stderr" ""
	assert_equal "$(jqfield "$A" disabled),$(jqfield "$A" recheck)" "1,-1"
	assert_equal "$(jqfield "$B" disabled)" 0
	clear_log a
	run -0 --separate-stderr offer "$cid" --disable-tout 1
	assert_equal "$(fake_count a)" 0
	assert_equal "$(cmds b | grep -c "^U $cid ")" 1
	sleep 1.1
	run -0 --separate-stderr offer "$cid" --disable-tout 1
	assert_equal "$(fake_count a)" 0
	assert_equal "$(cmds b | grep -c "^U $cid ")" 2
	run -0 --separate-stderr stdout_to_file rtpp-ctl enable "$A" 1
	assert_no_out
	assert_equal "$(jqfield "$A" disabled),$(jqfield "$A" recheck)" "0,0"
	clear_log b
	run -0 --separate-stderr offer "$cid"
	assert_cmds a "U $cid 0.0.0.0 24000 f;1"
	assert_equal "$(fake_count b)" 0
}

@test "enable URL 1 ends a failure's disable at once, without waiting for rtpproxy_disable_tout" {
	cid=$(first_choice "$A" ef)
	fake_script a 'U* -> silent'
	run -0 --separate-stderr offer "$cid" --tout 0.05 --retr 1
	assert_equal "$(jqfield "$A" disabled)" 1
	(( $(jqfield "$A" recheck) > $(date +%s) ))
	fake_script a ''
	run -0 --separate-stderr rtpp-ctl enable "$A" 1
	assert_equal "$(jqfield "$A" disabled),$(jqfield "$A" recheck)" "0,0"
	clear_log a
	clear_log b
	run -0 --separate-stderr offer "$cid"
	assert_equal "$(cmds a | grep -c "^U $cid ")" 1
	assert_equal "$(fake_count b)" 0
}

@test "enable affects the URL in every set that lists it" {
	run -0 --separate-stderr rtpp-ctl --sock "$A $B" --sock "1 == $B $A" enable "$A" 0
	run -0 --separate-stderr rtpp-ctl --json --sock "$A $B" --sock "1 == $B $A" list
	assert_equal "$(jq -c '[.[]|[.setid,.url,.disabled,.recheck]]' <<<"$output")" \
	    "[[0,\"$A\",1,-1],[0,\"$B\",0,0],[1,\"$B\",0,0],[1,\"$A\",1,-1]]"
}

@test "enable: a URL outside the configuration is exit 1, a state other than a number or no state directory exit 2; nothing changes" {
	run -1 --separate-stderr stdout_to_file rtpp-ctl enable udp:127.0.0.1:9 0
	assert_no_out
	assert_equal "$stderr" "rtpp-ctl: udp:127.0.0.1:9: no such node in the configuration"
	for v in on '' 1x 0x1 ' 1'; do
		run -2 --separate-stderr stdout_to_file rtpp-ctl enable "$A" "$v"
		assert_no_out
		assert_equal "$stderr" "rtpp-ctl: enable: '$v' is not a number (0 disables, more enables)"
	done
	run -2 --separate-stderr rtpp-ctl enable "$A"
	assert_equal "$stderr" "rtpp-ctl: usage: enable URL 0|1 (try --help)"
	run -2 --separate-stderr rtpp-ctl --state-dir '' enable "$A" 0
	assert_equal "$stderr" "rtpp-ctl: enable needs a state directory (--state-dir)"
	[[ ! -e $RTPP_STATE_DIR ]] || [[ -z $(ls "$RTPP_STATE_DIR" | grep -v lock) ]]
	assert_equal "$(jqfield "$A" disabled)" 0
}

# --- ping -------------------------------------------------------------

@test "ping: V, VF 20050322, VF 20071116, VF 20081102 and optional dates; URL, ok, RTT and capabilities; exit 0" {
	fake_script a $'VF 20071116 -> reply 1\nVF 20081102 -> reply 1\nVF 20080403 -> reply 1'
	run -0 --separate-stderr stdout_to_file rtpp-ctl ping
	assert_equal "$stderr" ""
	run -0 --separate-stderr cat "$out"
	assert_equal "${#lines[@]}" 2
	assert_regex "${lines[0]}" "^$A +ok +[0-9]+ us +base,repacketize,codecs,query$"
	assert_regex "${lines[1]}" "^$B +ok +[0-9]+ us +base$"
	run -0 --separate-stderr cmds a
	assert_equal "${lines[*]:0:4}" "${PROBES[*]}"
	(( ${#lines[@]} > 4 ))
	for l in "${lines[@]:4}"; do
		assert_regex "$l" '^VF 20[0-9]{6}$'
	done
	assert_equal "$(cmds b | head -n 4)" "$(printf '%s\n' "${PROBES[@]}")"
}

@test "ping --json: one array of {url, ok, rtt_us, caps, error}" {
	fake_script b 'V -> silent'
	run -3 --separate-stderr stdout_to_file rtpp-ctl --json --tout 0.05 --retr 1 ping
	assert_equal "$(jq -s length "$out")" 1
	assert_equal "$(jq -c 'map(keys)|unique' "$out")" '[["caps","error","ok","rtt_us","url"]]'
	assert_equal "$(jq -c '[.[]|[.url,.ok,.caps,.error]]' "$out")" \
	    "[[\"$A\",true,\"base\",\"\"],[\"$B\",false,\"\",\"$B: no reply after 1 try in $(jq -r '.[1].error' "$out" | sed -n 's/.* in \([0-9]*\) ms$/\1/p') ms\"]]"
	(( $(jq '.[0].rtt_us' "$out") > 0 ))
	assert_equal "$(jq '.[1].rtt_us' "$out")" 0
}

@test "ping: a node that does not answer is FAILED (exit 3) and the next runs skip it" {
	cid=$(first_choice "$B" pf)
	fake_script b 'V -> silent'
	run -3 --separate-stderr stdout_to_file rtpp-ctl --tout 0.05 --retr 1 ping
	run -0 --separate-stderr cat "$out"
	assert_regex "${lines[0]}" "^$A +ok "
	assert_regex "${lines[1]}" "^$B +FAILED +$B: no reply after 1 try in [0-9]+ ms$"
	assert_equal "$(jqfield "$B" disabled)" 1
	n=$(fake_count b)
	run -0 --separate-stderr offer "$cid"
	assert_equal "$(fake_count b)" "$n"
	assert_equal "$(cmds a | grep -c "^U $cid ")" 1
}

@test "ping URL: only the nodes named; a URL outside the configuration is exit 1 and nothing is sent" {
	run -0 --separate-stderr stdout_to_file rtpp-ctl ping "$B"
	run -0 --separate-stderr cat "$out"
	assert_equal "${#lines[@]}" 1
	assert_regex "${lines[0]}" "^$B +ok "
	assert_equal "$(fake_count a)" 0
	clear_log b
	run -1 --separate-stderr stdout_to_file rtpp-ctl ping "$B" udp:127.0.0.1:9
	assert_no_out
	assert_equal "$stderr" "rtpp-ctl: udp:127.0.0.1:9: no such node in the configuration"
	assert_equal "$(fake_count a)" 0
	assert_equal "$(fake_count b)" 0
}

@test "ping keeps an operator's disable, and ends a failure's disable when the node answers" {
	run -0 --separate-stderr rtpp-ctl enable "$A" 0
	fake_script b 'V -> silent'
	run -3 --separate-stderr rtpp-ctl --tout 0.05 --retr 1 ping "$B"
	assert_equal "$(jqfield "$B" disabled)" 1
	fake_script b ''
	run -0 --separate-stderr rtpp-ctl ping
	assert_equal "$(jqfield "$A" disabled),$(jqfield "$A" recheck)" "1,-1"
	assert_equal "$(jqfield "$B" disabled),$(jqfield "$B" recheck)" "0,0"
}

# --- raw --------------------------------------------------------------

@test "raw: one command to the set's first node (or --node URL), the reply on stdout" {
	run -0 --separate-stderr stdout_to_file rtpp-ctl raw 'V'
	assert_equal "$(cat "$out")" 20040107
	assert_cmds a V
	assert_equal "$(fake_count b)" 0
	run -0 --separate-stderr stdout_to_file rtpp-ctl --node "$B" raw 'Q call-1 f t'
	assert_equal "$(cat "$out")" "60 0 0 0 0"
	assert_cmds b 'Q call-1 f t'
	assert_cmds a V
}

@test "raw --set N goes to set N's first node; --node outside the configuration is exit 1" {
	run -0 --separate-stderr rtpp-ctl --sock "$A" --sock "1 == $B" --set 1 raw V
	assert_equal "$(fake_count a)" 0
	assert_cmds b V
	run -1 --separate-stderr stdout_to_file rtpp-ctl --node udp:127.0.0.1:9 raw V
	assert_no_out
	assert_equal "$stderr" "rtpp-ctl: udp:127.0.0.1:9: no such node in the configuration"
	run -2 --separate-stderr rtpp-ctl --set 7 raw V
	assert_equal "$stderr" "rtpp-ctl: no proxy set 7 in the configuration"
}

@test "raw --json: {url, command, reply, rtt_us}" {
	fake_script a 'X -> reply E5'
	run -0 --separate-stderr stdout_to_file rtpp-ctl --json raw X
	assert_equal "$(jq -s length "$out")" 1
	assert_equal "$(jq -c 'keys' "$out")" '["command","reply","rtt_us","url"]'
	assert_equal "$(jq -c '[.url,.command,.reply]' "$out")" "[\"$A\",\"X\",\"E5\"]"
	(( $(jq .rtt_us "$out") > 0 ))
}

@test "raw --json: quotes, backslashes, control and non-UTF-8 bytes in a reply still make valid JSON" {
	fake_script a $'X1 -> reply a"b\\\\c\\td\\x01\nX2 -> reply caf\\xc3\\xa9 \\xff\\xfe'
	run -0 --separate-stderr stdout_to_file rtpp-ctl --json raw X1
	run -0 --separate-stderr python3 -c 'import json,sys; print(repr(json.loads(open(sys.argv[1],"rb").read().decode("utf-8"))["reply"]))' "$out"
	assert_output "'a\"b\\\\c\\td\\x01'"
	run -0 --separate-stderr stdout_to_file rtpp-ctl --json raw X2
	run -0 --separate-stderr python3 -c 'import json,sys; print(json.loads(open(sys.argv[1],"rb").read().decode("utf-8"))["reply"])' "$out"
	assert_output --partial 'café '
}

@test "raw: no reply is exit 3 with the reason; a bare VF is refused (exit 2) and not sent" {
	fake_script a 'X -> silent'
	run -3 --separate-stderr stdout_to_file rtpp-ctl --tout 0.05 --retr 2 raw X
	assert_no_out
	[[ $stderr == "rtpp-ctl: $A: no reply after 2 tries in "*" ms" ]]
	clear_log a
	for c in VF 'VF ' 'VF   '; do
		run -2 --separate-stderr stdout_to_file rtpp-ctl raw "$c"
		assert_no_out
		assert_equal "$stderr" "rtpp-ctl: raw: 'VF' needs a date (a bare VF crashes rtpengine 10.5)"
	done
	assert_equal "$(fake_count a)" 0
	run -2 --separate-stderr rtpp-ctl raw
	assert_equal "$stderr" "rtpp-ctl: usage: raw 'COMMAND' (try --help)"
}

# --- which ------------------------------------------------------------

@test "which names the node that rtpp-offer then uses, for every call" {
	fake_start c
	export RTPP_SOCK="$A $B=2 $FAKE_URL_C"
	declare -A seen
	for k in $(seq 1 15); do
		cid="wh-$k"
		node=$(rtpp-ctl --json which "$cid" | jq -r .node)
		run -0 --separate-stderr offer "$cid"
		for r in a b c; do
			u=FAKE_URL_${r^^}
			if cmds "$r" | grep -q "^U $cid "; then
				assert_equal "${!u}" "$node"
				seen[$r]=1
			fi
		done
	done
	# the calls did spread
	(( ${#seen[@]} >= 2 ))
}

@test "which: the chosen node, then the set's nodes in the call's order with weight, score and state" {
	fake_start s
	export RTPP_SOCK="$A=2 $B $FAKE_URL_S=0"
	run -0 --separate-stderr stdout_to_file rtpp-ctl which call-7
	run -0 --separate-stderr rtpp-ctl --json which call-7
	json=$output
	assert_equal "$(jq -c keys <<<"$json")" '["call_id","node","order","set"]'
	assert_equal "$(jq -c 'map(keys)|unique' <<<"$(jq .order <<<"$json")")" '[["score","state","url","weight"]]'
	assert_equal "$(jq -c '[.call_id,.set]' <<<"$json")" '["call-7",0]'
	# the standby comes last; the node is the first of the order
	assert_equal "$(jq -r '.order[2].url' <<<"$json")" "$FAKE_URL_S"
	assert_equal "$(jq -r '.order[2].state' <<<"$json")" standby
	assert_equal "$(jq -r .node <<<"$json")" "$(jq -r '.order[0].url' <<<"$json")"
	assert_equal "$(jq '.order[0].score >= .order[1].score and .order[1].score >= .order[2].score' <<<"$json")" true
	run -0 --separate-stderr cat "$out"
	assert_equal "${#lines[@]}" 4
	assert_equal "${lines[0]}" "call call-7, set 0: $(jq -r .node <<<"$json")"
	for k in 0 1 2; do
		u=$(jq -r ".order[$k].url" <<<"$json")
		w=$(jq -r ".order[$k].weight" <<<"$json")
		st=$(jq -r ".order[$k].state" <<<"$json")
		assert_regex "${lines[k+1]}" "^  $((k + 1))\. $u +weight $w +score +-?[0-9]+\.[0-9]+  $st$"
	done
}

@test "which skips disabled nodes and says why; none left: exit 3, node null" {
	cid=$(first_choice "$A" wd)
	run -0 --separate-stderr rtpp-ctl enable "$A" 0
	run -0 --separate-stderr rtpp-ctl --json which "$cid"
	assert_equal "$(jq -c '[.node,[.order[]|[.url,.state]]]' <<<"$output")" \
	    "[\"$B\",[[\"$A\",\"disabled by operator\"],[\"$B\",\"enabled\"]]]"
	fake_script b 'U* -> silent'
	cid2=$(first_choice "$B" wd2)
	run -3 --separate-stderr offer "$cid2" --tout 0.05 --retr 1
	run -3 --separate-stderr stdout_to_file rtpp-ctl --json which "$cid"
	assert_equal "$(jq -c '[.node,[.order[]|.state]]' "$out")" \
	    '[null,["disabled by operator","disabled after a failure"]]'
	run -3 --separate-stderr stdout_to_file rtpp-ctl which "$cid"
	assert_equal "$(head -n 1 "$out")" "call $cid, set 0: no node available"
}

@test "which with several Call-IDs: the reports of one run each, in order; --json one object per line" {
	fake_start c
	export RTPP_SOCK="$A $B=2 $FAKE_URL_C"
	for cid in m-1 m-2 m-3; do
		rtpp-ctl which "$cid"
	done >"$BATS_TEST_TMPDIR/one-by-one"
	run -0 --separate-stderr stdout_to_file rtpp-ctl which m-1 m-2 m-3
	assert_equal "$(cat "$out")" "$(cat "$BATS_TEST_TMPDIR/one-by-one")"
	assert_equal "$(grep -c '^call ' "$out")" 3
	run -0 --separate-stderr rtpp-ctl --json which m-1 m-2 m-3
	assert_equal "${#lines[@]}" 3
	for k in 0 1 2; do
		assert_equal "${lines[k]}" "$(rtpp-ctl --json which "m-$((k + 1))")"
	done
	# no node for any call: exit 3, every report still printed
	run -0 --separate-stderr rtpp-ctl enable "$A" 0
	run -0 --separate-stderr rtpp-ctl enable "$B" 0
	run -0 --separate-stderr rtpp-ctl enable "$FAKE_URL_C" 0
	run -3 --separate-stderr stdout_to_file rtpp-ctl which m-1 m-2
	assert_equal "$(grep -c ': no node available$' "$out")" 2
}

@test "which --set N ranks set N's nodes; an unknown set is a usage error" {
	run -0 --separate-stderr stdout_to_file rtpp-ctl --sock "$A" --sock "1 == $B" --set 1 --json which x
	assert_equal "$(jq -c '[.set,.node,(.order|length)]' "$out")" "[1,\"$B\",1]"
	RTPP_SET=1 run -0 --separate-stderr stdout_to_file rtpp-ctl --sock "$A" --sock "1 == $B" --json which x
	assert_equal "$(jq -r .node "$out")" "$B"
	run -2 --separate-stderr stdout_to_file rtpp-ctl --set 3 which x
	assert_no_out
	assert_equal "$stderr" "rtpp-ctl: no proxy set 3 in the configuration"
}

# --- what every tool shares --------------------------------------------

@test "--sock, RTPP_SOCK, --config (a Kamailio config) and --set work as for the other tools" {
	printf 'modparam("rtpproxy", "rtpproxy_sock", "%s=4")\nmodparam("rtpproxy", "rtpproxy_sock", "2 == %s")\n' "$A" "$B" >"$BATS_TEST_TMPDIR/k.cfg"
	unset RTPP_SOCK
	run -0 --separate-stderr rtpp-ctl --json --config "$BATS_TEST_TMPDIR/k.cfg" list
	assert_equal "$(jq -c '[.[]|[.setid,.url,.weight]]' <<<"$output")" "[[0,\"$A\",4],[2,\"$B\",1]]"
	RTPP_CONFIG=$BATS_TEST_TMPDIR/k.cfg run -0 --separate-stderr rtpp-ctl --json --set 2 which x
	assert_equal "$(jq -r .node <<<"$output")" "$B"
	# the environment beats the file, options beat the environment
	RTPP_SOCK=$B run -0 --separate-stderr rtpp-ctl --json --config "$BATS_TEST_TMPDIR/k.cfg" list
	assert_equal "$(jq -c '[.[]|.url]' <<<"$output")" "[\"$B\"]"
	RTPP_SOCK=$B run -0 --separate-stderr rtpp-ctl --json --sock "$A" list
	assert_equal "$(jq -c '[.[]|.url]' <<<"$output")" "[\"$A\"]"
	run -2 --separate-stderr stdout_to_file rtpp-ctl --config "$BATS_TEST_TMPDIR/none.cfg" list
	assert_no_out
}

@test "--state-dir, RTPP_STATE_DIR and state_dir: rtpp-ctl and rtpp-offer share the state of the same directory only" {
	cid=$(first_choice "$A" sd)
	d1=$BATS_TEST_TMPDIR/d1 d2=$BATS_TEST_TMPDIR/d2
	run -0 --separate-stderr rtpp-ctl --state-dir "$d1" enable "$A" 0
	[[ -n $(ls "$d1") ]]
	# another directory knows nothing of it
	RTPP_STATE_DIR=$d2 run -0 --separate-stderr offer "$cid"
	assert_equal "$(cmds a | grep -c "^U $cid ")" 1
	# the same directory, by environment, option or config file
	clear_log a
	RTPP_STATE_DIR=$d1 run -0 --separate-stderr offer "$cid"
	run -0 --separate-stderr offer "$cid" --state-dir "$d1"
	printf 'state_dir = %s\n' "$d1" >"$BATS_TEST_TMPDIR/s.cfg"
	unset RTPP_STATE_DIR
	run -0 --separate-stderr offer "$cid" --config "$BATS_TEST_TMPDIR/s.cfg"
	assert_equal "$(fake_count a)" 0
	assert_equal "$(cmds b | grep -c "^U $cid ")" 3
	run -0 --separate-stderr rtpp-ctl --config "$BATS_TEST_TMPDIR/s.cfg" --json list
	assert_equal "$(jq -c '[.[]|.disabled]' <<<"$output")" '[1,0]'
}

@test "usage errors: exit 2, stdout empty, one line on stderr" {
	for args in '' 'frob' 'list x' 'enable' "enable $A" 'raw' 'raw a b' 'which' "which $(seq -s ' ' 65)" "ping $(seq -s ' ' 65)" '--bogus list'; do
		# shellcheck disable=SC2086
		run -2 --separate-stderr stdout_to_file rtpp-ctl $args
		assert_no_out
		assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/err")" 1
	done
	run -2 --separate-stderr rtpp-ctl frob
	assert_equal "$stderr" "rtpp-ctl: unknown subcommand 'frob' (try --help)"
	run -2 --separate-stderr rtpp-ctl
	assert_equal "$stderr" "rtpp-ctl: a subcommand is needed (try --help)"
	run -2 --separate-stderr rtpp-ctl which $(seq -s ' ' 65)
	assert_equal "$stderr" "rtpp-ctl: too many arguments (try --help)"
	assert_equal "$(fake_count a)$(fake_count b)" 00
}

@test "--help lists the subcommands, the own and the common options; --version" {
	run -0 --separate-stderr rtpp-ctl --help
	assert_line --partial 'Usage: rtpp-ctl [OPTION...] list | enable URL 0|1 | drain URL | ping [URL...] | raw COMMAND | which CALL-ID...'
	for o in json node=URL sock=VALUE set=N config=FILE state-dir=DIR tout=SECONDS retr=N disable-tout=SECONDS trace; do
		assert_line --partial -- "--$o"
	done
	assert_equal "$stderr" ""
	run -0 --separate-stderr rtpp-ctl --version
	assert_output --regexp '^rtpp-ctl \(rtpp\) [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "a corrupt state file: a warning, then the run behaves like a fresh one" {
	run -0 --separate-stderr rtpp-ctl enable "$A" 0
	f=$RTPP_STATE_DIR/health
	printf 'garbage\n' >"$f"
	run -0 --separate-stderr stdout_to_file rtpp-ctl --json list
	assert_equal "$stderr" "rtpp-ctl: health state: $f: not an rtpp state file; ignored"
	assert_equal "$(jq -c '[.[]|.disabled]' "$out")" '[0,0]'
	run -0 --separate-stderr rtpp-ctl ping
	# ping's results replace the garbage with a good file
	run -0 --separate-stderr rtpp-ctl list
	assert_equal "$stderr" ""
	assert_equal "$(head -n 1 "$f")" 'rtpp-health 1'
}

@test "--json: every subcommand that succeeds prints exactly one JSON document" {
	for args in list ping "ping $B" 'raw V' 'which x' "enable $A 0" "enable $A 1"; do
		# shellcheck disable=SC2086
		run -0 --separate-stderr stdout_to_file rtpp-ctl --json $args
		jq -e . "$out" >/dev/null || fail "rtpp-ctl --json $args: not JSON: $(cat "$out")"
		[[ $(jq -s length "$out") == 1 ]] || fail "rtpp-ctl --json $args: $(jq -s length "$out") documents"
	done
}

@test "--trace: ping and raw show every datagram on stderr" {
	run -0 --separate-stderr stdout_to_file rtpp-ctl --trace raw V
	run -0 --separate-stderr cat "$BATS_TEST_TMPDIR/err"
	assert_equal "${#lines[@]}" 2
	assert_regex "${lines[0]}" "^rtpp-ctl: > $A [0-9]+_[0-9a-f]+_[0-9]+ V$"
	assert_regex "${lines[1]}" "^rtpp-ctl: < $A [0-9]+_[0-9a-f]+_[0-9]+ 20040107\\\\x0a$"
}

@test "raw: the reply is printed escaped (ESC, CR, LF, backslash, invalid UTF-8 as \\xNN; valid UTF-8 as it is)" {
	fake_script a 'X -> reply 0\x1b[2J\r\nFORGED \\ é\xff'
	run -0 --separate-stderr stdout_to_file rtpp-ctl raw X
	assert_equal "$(cat "$out")" '0\x1b[2J\x0d\x0aFORGED \\ é\xff'
	assert_equal "$(wc -l <"$out")" 1
}

@test "ping --wait SECONDS: retries until a node answers (bounded), then reports; nothing listening: exit 3 after the wait" {
	skip_under_valgrind "timing of --wait"
	p=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	t0=${EPOCHREALTIME/[.,]/}
	run -3 --separate-stderr stdout_to_file rtpp-ctl --sock "udp:127.0.0.1:$p" ping --wait 0.6
	t1=${EPOCHREALTIME/[.,]/}
	[[ $(cat "$out") == "udp:127.0.0.1:$p"*FAILED* ]]
	(( t1 - t0 >= 550000 && t1 - t0 < 3000000 ))
	# without --wait it does not wait
	t0=${EPOCHREALTIME/[.,]/}
	run -3 --separate-stderr rtpp-ctl --sock "udp:127.0.0.1:$p" ping
	t1=${EPOCHREALTIME/[.,]/}
	(( t1 - t0 < 500000 ))
	# a relay that comes up 0.5 s later is waited for
	( sleep 0.5; _fake_launch c "udp:127.0.0.1:$p" udp ) 3>&- &
	launcher=$!
	t0=${EPOCHREALTIME/[.,]/}
	run -0 --separate-stderr stdout_to_file rtpp-ctl --sock "udp:127.0.0.1:$p" ping --wait 10
	t1=${EPOCHREALTIME/[.,]/}
	wait "$launcher"	# (a bare wait would wait for setup's relays too)
	[[ $(cat "$out") =~ ^"udp:127.0.0.1:$p "+ok ]]
	(( t1 - t0 >= 400000 && t1 - t0 < 5000000 ))
	run -2 --separate-stderr rtpp-ctl ping --wait x
	assert_output ''
	assert_equal "$stderr" "rtpp-ctl: --wait takes seconds from 0.001 to 3600 (try --help)"
}
