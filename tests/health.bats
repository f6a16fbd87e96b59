#!/usr/bin/env bats
# Choice of node and shared health across runs: stickiness, failover
# when a node dies mid-call, what disabling, removing, adding and
# weighting nodes move, steady-state traffic, the one-run re-test, 200
# concurrent runs on one state file, and two real rtpengine instances.
# (A silent node's single timeout and its skipping by later runs are in
# relay-faults.bats.)

load helpers
load lib/rtpengine

setup() {
	rtpp_setup
	fake_start a
	fake_start b
	fake_start c
	A=$FAKE_URL_A
	B=$FAKE_URL_B
	C=$FAKE_URL_C
	export RTPP_SOCK="$A $B $C"
	work=$BATS_TEST_TMPDIR
}

teardown() {
	rtpp_teardown
	rtpengine_stop_all
}

# The three commands of a call, each a separate run: Call-ID [OPTIONS].
offer() {
	rtpp-offer --call-id "$1" --from-tag f "${@:2}" <"$FIX/hold.sdp"
}
answer() {
	rtpp-answer --call-id "$1" --from-tag f --to-tag t "${@:2}" <"$FIX/hold.sdp"
}
destroy() {
	rtpp-destroy --call-id "$1" --from-tag f --to-tag t "${@:2}" </dev/null
}

# The relays (of a b c ...) whose log holds a command starting "$1 $2 ",
# e.g. "where U call-1".
where() {
	local r
	for r in "${@:3}"; do
		if cmds "$r" | grep -q "^$1 $2 "; then
			printf '%s\n' "$r"
		fi
	done
}

# The relay name (a, b, c, ...) of URL $1.
name_of() {
	local r u
	for r in a b c d s; do
		u=FAKE_URL_${r^^}
		if [[ ${!u-} == "$1" ]]; then
			echo "$r"
			return 0
		fi
	done
	return 1
}

# "rtpp-ctl which --json" for Call-ID $1: the node, then the order.
rank() {
	rtpp-ctl --json which "$1" | jq -r '[.node] + [.order[].url] | join(" ")'
}

# A Call-ID (PREFIX-1, ...) that URL ranks first, health aside.
first_choice() {
	local url=$1 prefix=$2 k
	for k in $(seq 1 200); do
		if [[ $(rtpp-ctl --json which "$prefix-$k" | jq -r '.order[0].url') == "$url" ]]; then
			echo "$prefix-$k"
			return 0
		fi
	done
	return 1
}

# The state file of the current configuration.
state_file() {
	ls "$RTPP_STATE_DIR"/state-* | grep -v '\.lock$'
}

# Start N background runs of "$@" that wait for the file $work/go, each
# with its own Call-ID PREFIX-K: spawn N PREFIX CMD... (CMD gets the
# Call-ID as first argument).  Each leaves rc.PREFIX-K and err.PREFIX-K.
spawn() {
	local n=$1 prefix=$2 k
	shift 2
	for k in $(seq 1 "$n"); do
		(
			while [[ ! -e $work/go ]]; do sleep 0.01; done
			rc=0
			timeout 20 "$@" "$prefix-$k" >/dev/null 2>"$work/err.$prefix-$k" || rc=$?
			echo "$rc" >"$work/rc.$prefix-$k"
		) &
	done
}

# Wait for the background runs, at most $1 seconds; fail if they hang.
reap() {
	local t0=$SECONDS
	while [[ -n $(jobs -pr) ]]; do
		(( SECONDS - t0 <= $1 )) || fail "runs still going after $1 s"
		sleep 0.05
	done
	wait
}

@test "every command of a call reaches the same node while the nodes are healthy" {
	declare -A used
	for k in $(seq 1 12); do
		cid="st-$k"
		node=$(rtpp-ctl --json which "$cid" | jq -r .node)
		run -0 offer "$cid"
		run -0 answer "$cid"
		run -0 destroy "$cid"
		r=$(name_of "$node")
		assert_equal "$(where U "$cid" a b c)" "$r"
		assert_equal "$(where L "$cid" a b c)" "$r"
		assert_equal "$(where D "$cid" a b c)" "$r"
		used[$r]=1
	done
	(( ${#used[@]} >= 2 ))
}

@test "a node killed mid-call: its calls fail over to their next node, the others stay; the dead node costs one exchange in all" {
	declare -A node second
	for k in $(seq 1 30); do
		cid="mc-$k"
		run -0 offer "$cid"
		node[$cid]=$(where U "$cid" a b c)
		read -r _ first nxt _ <<<"$(rank "$cid")"
		assert_equal "$(name_of "$first")" "${node[$cid]}"
		second[$cid]=$(name_of "$nxt")
	done
	# every node has calls
	for r in a b c; do
		[[ " ${node[*]} " == *" $r "* ]] || fail "no call on $r"
	done
	fake_stop b
	: >"$work/trace"
	for k in $(seq 1 30); do
		cid="mc-$k"
		runx answer "$cid" --trace
		assert_equal "$status" 0
		cat "$BATS_TEST_TMPDIR/err" >>"$work/trace"
		if [[ ${node[$cid]} == b ]]; then
			assert_equal "$(where L "$cid" a c)" "${second[$cid]}"
		else
			assert_equal "$(where L "$cid" a c)" "${node[$cid]}"
		fi
		run -0 destroy "$cid"
		assert_equal "$(where D "$cid" a c)" "$(where L "$cid" a c)"
	done
	assert_equal "$(grep -c "^rtpp-answer: > $B " "$work/trace")" 1
	assert_equal "$(rtpp-ctl --json list | jq -c '[.[]|.disabled]')" '[0,1,0]'
}

@test "disabling or removing a node moves only its calls, to their next node; adding a node moves calls only onto it" {
	fake_start d
	D=$FAKE_URL_D
	for k in $(seq 1 60); do
		rank "rm-$k" >>"$work/before"
	done
	run -0 rtpp-ctl enable "$B" 0
	for k in $(seq 1 60); do
		rank "rm-$k" | cut -d' ' -f1 >>"$work/disabled"
	done
	for k in $(seq 1 60); do
		RTPP_SOCK="$A $C" rtpp-ctl --json which "rm-$k" | jq -r .node >>"$work/removed"
	done
	for k in $(seq 1 60); do
		RTPP_SOCK="$A $B $C $D" RTPP_STATE_DIR=$work/fresh rtpp-ctl --json which "rm-$k" | jq -r .node >>"$work/added"
	done
	moved=0 onto_d=0
	for k in $(seq 1 60); do
		read -r was first second _ < <(sed -n "${k}p" "$work/before")
		assert_equal "$was" "$first"
		dis=$(sed -n "${k}p" "$work/disabled")
		rem=$(sed -n "${k}p" "$work/removed")
		add=$(sed -n "${k}p" "$work/added")
		if [[ $was == "$B" ]]; then
			assert_equal "$dis" "$second"
			assert_equal "$rem" "$second"
			moved=$((moved + 1))
		else
			assert_equal "$dis" "$was"
			assert_equal "$rem" "$was"
		fi
		if [[ $add != "$was" ]]; then
			assert_equal "$add" "$D"
			onto_d=$((onto_d + 1))
		fi
	done
	(( moved > 0 && moved < 60 ))
	(( onto_d > 0 && onto_d < 60 ))
}

@test "weights are ratios at any size: 1000:3000 ranks every call as 1:3 does and gives the heavier node about 3/4 of the calls" {
	n=400 heavy=0
	for k in $(seq 1 "$n"); do
		r1=$(RTPP_SOCK="$A=1 $B=3" rtpp-ctl --json which "w-$k" | jq -r '[.order[].url]|join(" ")')
		r2=$(RTPP_SOCK="$A=1000 $B=3000" rtpp-ctl --json which "w-$k" | jq -r '[.order[].url]|join(" ")')
		assert_equal "$r2" "$r1"
		[[ $r1 == "$B "* ]] && heavy=$((heavy + 1))
	done
	# 3/4 of 400 is 300, standard deviation 8.7: allow about 4 of them
	(( heavy >= 265 && heavy <= 335 )) || fail "the weight-3 node got $heavy of $n calls"
}

@test "a weight-0 node is a standby: no call while a weighted node is up, every call when none is" {
	fake_start s
	export RTPP_SOCK="$A=1 $FAKE_URL_S=0"
	for k in 1 2 3 4 5; do
		run -0 offer "sb-$k"
	done
	assert_equal "$(cmds a | grep -c '^U ')" 5
	assert_equal "$(fake_count s)" 0
	fake_stop a
	for k in 1 2 3 4 5; do
		run -0 offer "sb-$k"
	done
	assert_equal "$(cmds s | grep -c '^U ')" 5
}

@test "steady state: one datagram per command on every node; each node is probed once, on first contact" {
	for k in $(seq 1 12); do
		run -0 offer "ss-$k"
		run -0 answer "ss-$k"
		run -0 destroy "ss-$k"
	done
	total=0
	for r in a b c; do
		n=$(cmds "$r" | grep -c '^V$' || true)
		(( n <= 1 )) || fail "$r was probed $n times"
		total=$((total + $(fake_count "$r") - 4 * n))
	done
	assert_equal "$total" 36
	for k in $(seq 1 12); do
		for t in offer answer destroy; do
			runx "$t" "ss-$k" --trace
			assert_equal "$status" 0
			assert_equal "$(grep -c '> ' "$BATS_TEST_TMPDIR/err")" 1
		done
	done
}

@test "a node whose recheck time has come is re-tested by one run only, even with 20 concurrent runs" {
	export RTPP_SOCK="$A $B"
	cid=$(first_choice "$A" rt)
	fake_script a 'U* -> silent'
	run -0 offer "$cid" --tout 0.05 --retr 1 --disable-tout 1
	assert_equal "$(rtpp-ctl --json list | jq '.[0].disabled')" 1
	fake_script a 'V -> delay 300 reply 20040107'
	sleep 1.1
	: >"$work/a.log"
	: >"$work/b.log"
	# the same call, 20 times at once (each run with its own From-tag)
	offer_rt() {
		rtpp-offer --call-id "$cid" --from-tag "$1" --tout 0.5 --retr 2 \
		    --disable-tout 1 <"$FIX/hold.sdp"
	}
	spawn 20 rt offer_rt
	touch "$work/go"
	reap 20
	for k in $(seq 1 20); do
		assert_equal "$(cat "$work/rc.rt-$k")" 0
	done
	# one V datagram (one cookie) in all: one run re-tested the node
	assert_equal "$(grep -c ' V$' "$work/a.log")" 1
	assert_equal "$(rtpp-ctl --json list | jq -c '[.[]|.disabled]')" '[0,0]'
	assert_equal $(( $(cmds a | grep -c "^U $cid ") + $(cmds b | grep -c "^U $cid ") )) 20
}

@test "200 concurrent runs against 3 nodes: all succeed on their call's node, a consistent state file, no lost record, bounded time" {
	t0=$SECONDS
	spawn 200 cc offer
	touch "$work/go"
	reap 25
	(( SECONDS - t0 <= 25 ))
	for k in $(seq 1 200); do
		assert_equal "$(cat "$work/rc.cc-$k")" 0
		[[ ! -s $work/err.cc-$k ]] || fail "run $k: $(cat "$work/err.cc-$k")"
	done
	# every call reached exactly one node, the one its Call-ID ranks first
	assert_equal "$(cat "$work/a.log" "$work/b.log" "$work/c.log" | grep -c ' U ')" 200
	for k in $(seq 1 200); do
		assert_equal "$(where U "cc-$k" a b c | wc -l)" 1
	done
	for k in $(seq 5 10 200); do
		r=$(where U "cc-$k" a b c)
		u=FAKE_URL_${r^^}
		assert_equal "${!u}" "$(rtpp-ctl --json which "cc-$k" | jq -r .node)"
	done
	# the state file: the header and one good line per node, nothing else
	f=$(state_file)
	run -0 cat "$f"
	assert_equal "${#lines[@]}" 4
	assert_equal "${lines[0]}" 'rtpp-state 1'
	for u in "$A" "$B" "$C"; do
		assert_equal "$(grep -c "^node $u disabled=0 until=0 caps=1 " "$f")" 1
	done
	assert_equal "$(ls "$RTPP_STATE_DIR" | grep -v -c -x -e "${f##*/}" -e "${f##*/}.lock")" 0
	# what the runs learnt was kept: the next run sends one datagram
	runx offer cc-1 --trace
	assert_equal "$status" 0
	assert_equal "$(grep -c '> ' "$BATS_TEST_TMPDIR/err")" 1
}

@test "no lost update: an operator's disable made while a run is in flight survives that run's write" {
	cid=$(first_choice "$A" lu)
	fake_script a 'U* -> delay 600 reply 31000 127.0.0.1'
	( rc=0; offer "$cid" >/dev/null 2>&1 || rc=$?; echo "$rc" >"$work/rc.lu" ) &
	fake_wait_count a 5		# the probes and the U: the run is waiting
	run -0 rtpp-ctl enable "$A" 0
	wait
	assert_equal "$(cat "$work/rc.lu")" 0
	assert_equal "$(rtpp-ctl --json list | jq -c '.[0]|[.disabled,.recheck]')" '[1,-1]'
}

@test "no lost update under load: a disable made during 200 concurrent runs survives them all" {
	for r in a b c; do
		fake_script "$r" 'U* -> delay 10 reply 31000 127.0.0.1'
	done
	spawn 100 l1 offer
	touch "$work/go"
	fake_wait_count c 10
	run -0 rtpp-ctl enable "$C" 0
	rm "$work/go"
	spawn 100 l2 offer
	touch "$work/go"
	reap 25
	for k in $(seq 1 100); do
		assert_equal "$(cat "$work/rc.l1-$k")" 0
		assert_equal "$(cat "$work/rc.l2-$k")" 0
	done
	assert_equal "$(rtpp-ctl --json list | jq -c '[.[]|[.disabled,.recheck]]')" '[[0,0],[0,0],[1,-1]]'
}

# --- two real rtpengine instances -------------------------------------------

start_two_rtpengines() {
	rtpengine_start r1
	rtpengine_start r2
	R1=$RTPENGINE_URL_R1
	R2=$RTPENGINE_URL_R2
	export RTPP_SOCK="$R1 $R2"
}

@test "rtpengine x2: rtpp-ctl ping and list show both instances" {
	start_two_rtpengines
	runx rtpp-ctl ping
	assert_equal "$status" 0
	run cat "$out"
	assert_equal "${#lines[@]}" 2
	assert_regex "${lines[0]}" "^$R1 +ok +[0-9]+ us +base"
	assert_regex "${lines[1]}" "^$R2 +ok +[0-9]+ us +base"
	run -0 rtpp-ctl --json ping
	assert_equal "$(jq -c '[.[]|[.url,.ok]]' <<<"$output")" "[[\"$R1\",true],[\"$R2\",true]]"
	run -0 rtpp-ctl --json list
	assert_equal "$(jq -c '[.[]|[.url,.index,.disabled]]' <<<"$output")" "[[\"$R1\",0,0],[\"$R2\",1,0]]"
	assert_equal "$(jq -c '[.[]|.caps|startswith("base")]' <<<"$output")" '[true,true]'
	runx rtpp-ctl list
	run squeeze_lines "$out"
	assert_regex "${lines[1]}" "^0 $R1 0 0 1 0 base"
	assert_regex "${lines[2]}" "^0 $R2 1 0 1 0 base"
}

squeeze_lines() {
	tr -s ' ' <"$1"
}

@test "rtpengine x2: a call's offer, answer and destroy all go to the instance which names" {
	start_two_rtpengines
	for r in r1 r2; do
		u=RTPENGINE_URL_${r^^}
		cid=$(first_choice "${!u}" "re-$r")
		o=r1
		[[ $r == r1 ]] && o=r2
		: >"$work/trace"
		runx offer "$cid" --source-ip 127.0.0.1 --trace
		assert_equal "$status" 0
		cat "$BATS_TEST_TMPDIR/err" >>"$work/trace"
		assert_equal "$(rtpengine_sessions "$r") $(rtpengine_sessions "$o")" "1 0"
		runx answer "$cid" --source-ip 127.0.0.1 --trace
		assert_equal "$status" 0
		cat "$BATS_TEST_TMPDIR/err" >>"$work/trace"
		assert_equal "$(rtpengine_sessions "$r") $(rtpengine_sessions "$o")" "1 0"
		runx destroy "$cid" --trace
		assert_equal "$status" 0
		cat "$BATS_TEST_TMPDIR/err" >>"$work/trace"
		assert_equal "$(rtpengine_sessions "$r") $(rtpengine_sessions "$o")" "0 0"
		# every datagram of the three runs went to that instance
		run -0 grep -c ' > ' "$work/trace"
		(( output >= 3 ))
		assert_equal "$(grep ' > ' "$work/trace" | grep -c -v " > ${!u} ")" 0
		assert_equal "$(grep -c " > ${!u} [^ ]* [ULD] $cid " "$work/trace")" 3
	done
}
