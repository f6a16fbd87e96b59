#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# The shared health state as an operator and a hostile local user meet
# it: one record per node whatever the set or order, the operator's
# verdict kept against the runs, bounded waits on a held lock or a FIFO,
# trust checks on the directory and its files, escaped output, URLs
# longer than 255 bytes, and draining a node without breaking its calls.
# (The 64-run stress is scripts/stress-health, run by stress-health.bats.)

load helpers
load lib/call

setup() {
	relays_setup a b
	S=$RTPP_STATE_DIR
}

teardown() {
	if [[ -n ${holder-} ]]; then
		kill "$holder" 2>/dev/null || true
		wait "$holder" 2>/dev/null || true
	fi
	rtpp_teardown
}


# The Call-IDs PREFIX-1..PREFIX-60 that URL ranks first (health aside),
# one a line, with the node order of the configuration in RTPP_SOCK.
firsts() {
	seq -f "$2-%g" 1 60 | xargs rtpp-ctl which | awk -v u="$1" '
	    /^call / { cid = $2; sub(/,$/, "", cid); next }
	    /^  1\. / && $2 == u { print cid }'
}

# "STATE DISABLED" of URL in "rtpp-ctl --json list" (more options may follow).
state_of() {
	rtpp-ctl --json list "${@:2}" | jq -r --arg u "$1" \
	    '[.[] | select(.url == $u)][0] | "\(.state) \(.disabled)"'
}

# Hold the state lock in the background until the test ends.
hold_lock() {
	mkdir -p "$S"
	flock -x "$S/health.lock" sleep 60 &
	holder=$!
	local i
	for i in $(seq 1 100); do
		flock -n "$S/health.lock" true || return 0
		sleep 0.02
	done
	fail "the lock holder did not start"
}

# --- one record per node ----------------------------------------------------

@test "per node: a verdict given with one configuration holds for every set, order and weight that names the node" {
	run -0 --separate-stderr rtpp-ctl --sock "$A" enable "$A" 0
	assert_equal "$(state_of "$A" --sock "$B $A")" "disabled 1"
	assert_equal "$(state_of "$A" --sock "1 == $B=3 $A=2")" "disabled 1"
	cids=$(firsts "$A" pn)
	[[ -n $cids ]]
	for cid in $cids; do
		run -0 --separate-stderr offer "$cid" --sock "$B $A"
		run -0 --separate-stderr offer "$cid" --sock "$A=5 $B=1"
		run -0 --separate-stderr offer "$cid" --sock "1 == $B $A" --set 1
	done
	assert_equal "$(fake_count a)" 0
	# enabled again from yet another configuration
	run -0 --separate-stderr rtpp-ctl --sock "$B $A" enable "$A" 1
	assert_equal "$(state_of "$A" --sock "$A")" "enabled 0"
}

@test "per node: a node that runs of \"B A\" found down is down for runs of \"A B\" too, and they skip it" {
	cid=$(firsts "$A" pd | head -n 1)
	fake_script a 'U* -> silent'
	run -0 --separate-stderr offer "$cid" --sock "$B $A" --tout 0.05 --retr 1 --disable-tout 60
	# B $A: the call's first node is the same, whatever the order written
	assert_equal "$(cmds a | grep -c "^U $cid ")" 1
	assert_equal "$(state_of "$A" --sock "$A $B")" "down 1"
	: >"$BATS_TEST_TMPDIR/a.log"
	run -0 --separate-stderr offer "$cid" --sock "$A=2 $B"
	assert_equal "$(fake_count a)" 0
	assert_equal "$(cmds b | grep -c "^U $cid ")" 2
}

@test "the operator's verdict wins: a run that saw the node fail before the operator enabled it does not put it down again" {
	cid=$(firsts "$A" ow | head -n 1)
	fake_script a 'U* -> delay 400 silent'
	( offer "$cid" --tout 0.3 --retr 1 --disable-tout 60 >/dev/null 2>&1 ) &
	runner=$!
	fake_wait_count a 5
	run -0 --separate-stderr rtpp-ctl enable "$A" 1
	wait "$runner"
	assert_equal "$(state_of "$A")" "enabled 0"
	# and a disable made meanwhile is never undone by a run's success
	fake_script a 'U* -> delay 300 reply 31000 127.0.0.1'
	cid2=$(firsts "$A" ow | sed -n 2p)
	( offer "$cid2" >/dev/null 2>&1 ) &
	runner=$!
	fake_wait_count a 6
	run -0 --separate-stderr rtpp-ctl enable "$A" 0
	wait "$runner"
	assert_equal "$(state_of "$A")" "disabled 1"
}

@test "enable URL N: any N > 0 enables, 0 disables, as the module's RPC" {
	for n in 0 2 00 17 +1 0; do
		run -0 --separate-stderr rtpp-ctl enable "$A" "$n"
		want="enabled 0"
		[[ $n =~ ^0+$ ]] && want="disabled 1"
		assert_equal "$(state_of "$A")" "$want"
	done
}

# --- bounded waits ----------------------------------------------------------

@test "a held lock: a run that must save a failure waits at most tens of ms, warns, and the call completes" {
	skip_under_valgrind "timed against a held lock"
	cid=$(firsts "$A" hl | head -n 1)
	fake_script a 'U* -> silent'
	hold_lock
	t0=$(date +%s%N)
	run -0 --separate-stderr timeout 10 rtpp-offer --call-id "$cid" --from-tag f --tout 0.1 --retr 1 <"$FIX/hold.sdp"
	t1=$(date +%s%N)
	assert_regex "$stderr" "^rtpp-offer: health state not saved: $S/health.lock: held by another process for [0-9]+ ms$"
	ms=$(sed -n 's/.* for \([0-9]*\) ms$/\1/p' <<<"$stderr")
	(( ms >= 30 && ms < 100 )) || fail "waited $ms ms"
	(( (t1 - t0) / 1000000 < 2000 )) || fail "took $(( (t1 - t0) / 1000000 )) ms"
	assert_equal "$(cmds b | grep -c "^U $cid ")" 1
	# the held lock is also no reason to lose a node due for a re-test
	kill "$holder"
	wait "$holder" || true
	holder=
	run -0 --separate-stderr rtpp-ctl --json list
}

@test "a held lock never keeps a run past its --deadline: the call completes within it" {
	skip_under_valgrind "timed against a held lock"
	cid=$(firsts "$A" hd | head -n 1)
	fake_script a 'U* -> silent'
	fake_script b 'U* -> delay 250 reply 31000 127.0.0.1'
	hold_lock
	# A costs 300 ms, B answers 250 ms later: the lock is what is left
	run -0 --separate-stderr stdout_to_file timeout 10 rtpp-offer --call-id "$cid" --from-tag f --tout 0.3 --retr 1 --deadline 1 <"$FIX/hold.sdp"
	assert_regex "$stderr" "held by another process for [0-9]+ ms$"
	grep -q '^m=audio 31000 ' "$out"
}

@test "a FIFO where the state file or the lock goes: no run blocks, one warning, the call completes" {
	mkdir -p "$S"
	mkfifo "$S/health"
	run -0 --separate-stderr timeout 10 rtpp-offer --call-id fifo-1 --from-tag f <"$FIX/hold.sdp"
	assert_equal "$stderr" "rtpp-offer: health state: $S/health: not a regular file with one link; not used"
	run -0 --separate-stderr stdout_to_file timeout 10 rtpp-ctl list
	assert_equal "$(tail -n 1 "$out")" "state file: none (this run's memory only)"
	rm "$S/health"
	mkfifo "$S/health.lock"
	fake_script a 'U* -> silent'
	fake_script b 'U* -> silent'
	run -3 --separate-stderr timeout 10 rtpp-offer --call-id fifo-2 --from-tag f --tout 0.05 --retr 1 <"$FIX/hold.sdp"
	assert_regex "$stderr" "health state not saved: $S/health.lock: not a regular file with one link; not used"
	run -1 --separate-stderr timeout 10 rtpp-ctl enable "$A" 0
	assert_equal "$stderr" "rtpp-ctl: $S/health.lock: not a regular file with one link; not used"
}

# --- trust ------------------------------------------------------------------

# Run an offer and expect exactly one warning WANT, the call done, and no
# state written in the directory.
assert_refused() {
	local before
	before=$(ls -A "$S" | sort)
	run -0 --separate-stderr rtpp-offer --call-id tr-1 --from-tag f <"$FIX/hold.sdp"
	assert_equal "$stderr" "rtpp-offer: health state: $1"
	assert_equal "$(ls -A "$S" | sort)" "$before"
	run -0 --separate-stderr stdout_to_file rtpp-ctl list
	assert_equal "$(tail -n 1 "$out")" "state file: none (this run's memory only)"
}

@test "trust: a state directory writable by others, or by its group without set-group-ID, is refused with one warning" {
	mkdir -p "$S"
	chmod 0777 "$S"
	assert_refused "state directory $S: writable by others; not used"
	chmod 1777 "$S"
	assert_refused "state directory $S: writable by others; not used"
	chmod 0770 "$S"
	assert_refused "state directory $S: writable by its group but not set-group-ID (not a shared state directory); not used"
	# set-group-ID and group-writable: the shared layout, used
	chmod 2770 "$S"
	run -0 --separate-stderr offer tr-2
	assert_equal "$(stat -c %a "$S/health")" 640
	run -0 --separate-stderr stdout_to_file rtpp-ctl list
	assert_equal "$(tail -n 1 "$out")" "state file: $S/health (shared with its group)"
}

@test "trust: a symlink for the directory or the file is refused" {
	mkdir -p "$BATS_TEST_TMPDIR/real"
	ln -s "$BATS_TEST_TMPDIR/real" "$S"
	assert_refused "state directory $S: a symbolic link or not a directory; not used"
	rm "$S"
	mkdir "$S"
	printf 'rtpp-health 1\n' >"$BATS_TEST_TMPDIR/real/health"
	ln -s "$BATS_TEST_TMPDIR/real/health" "$S/health"
	assert_refused "$S/health: a symbolic link; not used"
	rm "$S/health"
	ln "$BATS_TEST_TMPDIR/real/health" "$S/health"
	assert_refused "$S/health: not a regular file with one link; not used"
}

@test "trust: a directory or file owned by another user, or a file writable by others, is refused" {
	[[ $(id -u) == 0 ]] || skip "needs root to give files to another user"
	mkdir -p "$S"
	chown 65534 "$S"
	assert_refused "state directory $S: owned by uid 65534, neither you nor root; not used"
	chown 0 "$S"
	printf 'rtpp-health 1\n' >"$S/health"
	chown 65534 "$S/health"
	assert_refused "$S/health: owned by uid 65534, neither you nor root; not used"
	chown 0 "$S/health"
	chmod 0666 "$S/health"
	assert_refused "$S/health: writable by others; not used"
	# in a shared directory a file of the directory's group may be anyone's
	chmod 0640 "$S/health"
	chgrp 65534 "$S"
	chmod 2770 "$S"
	chgrp 65534 "$S/health"
	chown 65534 "$S/health"
	run -0 --separate-stderr rtpp-ctl enable "$A" 0
	assert_equal "$(state_of "$A")" "disabled 1"
}

@test "everything list prints from the state is escaped in text and exact in JSON (a byte that is not UTF-8 as its code point)" {
	mkdir -p "$S"
	printf 'rtpp-health 1\nnode %s admin=0 opgen=0 down=1 until=%d caps=0 err=x%%1B%%5B31mred%%0Dback%%C3%%28%%07%%5C\n' \
	    "$A" "$(( $(date +%s) + 100 ))" >"$S/health"
	chmod 0600 "$S/health"
	run -0 --separate-stderr stdout_to_file rtpp-ctl list
	line=$(sed -n 2p "$out")
	[[ $line == *' x\x1b[31mred\x0dback\xc3(\x07\\' ]] || fail "not escaped: $(cat -v <<<"$line")"
	! grep -q $'\x1b' "$out"
	! grep -q $'\r' "$out"
	run -0 --separate-stderr stdout_to_file rtpp-ctl --json list
	python3 -c '
import json, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
want = "x\x1b[31mred\rback\xc3(\x07\\"
sys.exit(0 if d[0]["last_error"] == want else 1)' "$out" || fail "JSON: $(cat -v "$out")"
}

# --- long URLs --------------------------------------------------------------

@test "a node URL longer than 255 bytes works end to end: calls reach it, it can be disabled and is listed" {
	zeros=$(printf '0%.0s' $(seq 1 300))
	L="udp:127.0.0.1:$zeros$FAKE_A_PORT"
	export RTPP_SOCK="$L $B"
	cid=$(firsts "$L" lu | head -n 1)
	run -0 --separate-stderr offer "$cid"
	assert_equal "$(cmds a | grep -c "^U $cid ")" 1
	assert_equal "$(rtpp-ctl --json list | jq -r '.[0].url')" "$L"
	assert_equal "$(rtpp-ctl --json list | jq -r '.[0].caps')" base
	run -0 --separate-stderr rtpp-ctl enable "$L" 0
	assert_equal "$(state_of "$L")" "disabled 1"
	run -0 --separate-stderr offer "$cid"
	assert_equal "$(cmds a | grep -c "^U $cid ")" 1
	assert_equal "$(cmds b | grep -c "^U $cid ")" 1
	# a 250-character host name: configured, disabled, never looked up
	H=$(printf 'a%.0s' $(seq 1 63)).$(printf 'b%.0s' $(seq 1 63)).$(printf 'c%.0s' $(seq 1 63)).$(printf 'd%.0s' $(seq 1 58))
	assert_equal "${#H}" 250
	export RTPP_SOCK="udp:$H:22222 $B"
	run -0 --separate-stderr rtpp-ctl enable "udp:$H:22222" 0
	assert_equal "$(state_of "udp:$H:22222")" "disabled 1"
	run -0 --separate-stderr offer lu-host
	assert_equal "$(cmds b | grep -c "^U lu-host ")" 1
	# a unix socket path longer than the system's limit: exit 2
	run -2 --separate-stderr rtpp-offer --sock "unix:/tmp/$(printf 'p%.0s' $(seq 1 250))" --call-id x --from-tag f <"$FIX/hold.sdp"
}

# --- drain ------------------------------------------------------------------

@test "drain: calls already on the node keep reaching it, new calls go elsewhere; list shows it; enable URL 1 ends it" {
	cids=($(firsts "$A" dr))
	(( ${#cids[@]} >= 3 ))
	old=${cids[0]} new=${cids[1]} man=${cids[2]}
	run -0 --separate-stderr offer "$old"
	assert_equal "$(cmds a | grep -c "^U $old ")" 1
	# the relay knows only the calls it has: E50 for another one
	# (and it answers Q: VF 20080403)
	fake_script a "$(printf '%s\n' "L* $new * -> reply E50" "D* $new * -> reply E50" \
	    "L* $man * -> reply E50" "D* $man * -> reply E50" "VF 20080403 -> reply 1")"
	run -0 --separate-stderr stdout_to_file rtpp-ctl drain "$A"
	assert_no_out
	assert_equal "$stderr" ""
	assert_equal "$(state_of "$A")" "draining 0"
	run -0 --separate-stderr stdout_to_file rtpp-ctl list
	[[ $(sed -n 2p "$out" | tr -s ' ') == "0 $A 0 0 draining 1 0 "* ]] || fail "$(cat "$out")"
	# the call in progress: answer, re-INVITE offer, destroy reach A
	run -0 --separate-stderr answer "$old"
	run -0 --separate-stderr offer "$old" --to-tag t
	run -0 --separate-stderr rtpp-stat --call-id "$old" --from-tag f --to-tag t </dev/null
	run -0 --separate-stderr destroy "$old"
	assert_equal "$(cmds a | grep -c " $old ")" 5
	assert_equal "$(cmds b | grep -c " $old ")" 0
	# a new call: the offer skips A, answer and destroy find it on B
	run -0 --separate-stderr offer "$new"
	run -0 --separate-stderr answer "$new"
	run -0 --separate-stderr destroy "$new"
	assert_equal "$(cmds a | grep -c "^U $new ")" 0
	assert_equal "$(cmds b | grep -c -e "^U $new " -e "^L $new " -e "^D $new ")" 3
	# rtpp-manage: an initial INVITE is a new call too
	run -0 --separate-stderr rtpp-manage --call-id "$man" <"$FIX/invite.sip"
	assert_equal "$(cmds a | grep -c "^U $man ")" 0
	assert_equal "$(cmds b | grep -c "^U $man ")" 1
	# which says where a new call goes
	assert_equal "$(rtpp-ctl --json which "$old" | jq -r '.node, .order[0].state')" "$B
draining"
	# enable URL 1 ends the drain
	run -0 --separate-stderr rtpp-ctl enable "$A" 1
	assert_equal "$(state_of "$A")" "enabled 0"
	run -0 --separate-stderr offer "$new"
	assert_equal "$(cmds a | grep -c "^U $new ")" 1
}

@test "drain needs a URL of the configuration and a state directory; --json prints the verdict" {
	run -1 --separate-stderr rtpp-ctl drain udp:127.0.0.1:9
	assert_equal "$stderr" "rtpp-ctl: udp:127.0.0.1:9: no such node in the configuration"
	run -2 --separate-stderr rtpp-ctl --state-dir '' drain "$A"
	assert_equal "$stderr" "rtpp-ctl: drain needs a state directory (--state-dir)"
	run -2 --separate-stderr rtpp-ctl drain
	run -0 --separate-stderr rtpp-ctl --json drain "$A"
	assert_equal "$(jq -c . <<<"$output")" "{\"url\":\"$A\",\"disabled\":0,\"state\":\"draining\",\"recheck\":0}"
}
