#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# The README's recipes run as written: each "# recipe: NAME" block is
# taken out of the README and run with bash -e in a scratch directory
# holding the examples, with free ports instead of the defaults.

load helpers
load lib/rtpengine

README="$BATS_TEST_DIRNAME/../README"

# Print the recipe NAME: the indented block that starts with its marker.
recipe() {
	awk -v name="$1" '
		$0 == "    # recipe: " name { on = 1; next }
		on && /^    / { print substr($0, 5); next }
		on { exit }
	' "$README"
}

setup() {
	rtpp_setup
	cd "$BATS_TEST_TMPDIR"
	cp -r "$BATS_TEST_DIRNAME/../examples" .
	base=$(free_port_range 402)
	export PORTS=$base RELAY=$(free_udp_port)
}

run_recipe() {
	recipe "$1" >recipe.sh
	[[ -s recipe.sh ]]
	run -0 --separate-stderr timeout 60 bash -e recipe.sh
}

@test "README recipe: a test-rig pipeline against rtpengine" {
	run_recipe rig
	assert_line --regexp '^invite-out\.sip:m=audio [0-9]+ RTP/AVP 0 8 101'
	assert_line --regexp '^ok-out\.sip:m=audio [0-9]+ RTP/AVP 0 101'
	p1=$(sed -n 's/^m=audio \([0-9]*\) .*/\1/p' invite-out.sip)
	p2=$(sed -n 's/^m=audio \([0-9]*\) .*/\1/p' ok-out.sip)
	(( p1 >= PORTS && p1 < PORTS + 400 && p2 >= PORTS && p2 < PORTS + 400 ))
	grep -qa 'a=nortpproxy:yes' invite-out.sip
	# rtpengine stopped by the recipe's trap (bounded wait)
	pid=$(cat re.pid)
	for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid"
		fail "rtpengine $pid still running after the recipe"
	fi
}

@test "README recipe: operator checks with rtpp-ctl" {
	run_recipe operator
	assert_line --regexp "^udp:127\\.0\\.0\\.1:$RELAY +ok +[0-9]+ us  base"
	assert_line --regexp "^udp:127\\.0\\.0\\.1:$((RELAY + 1)) +FAILED"
	assert_line --partial "some node is down (exit 3)"
	assert_line --regexp "^call demo-1@127\\.0\\.0\\.1, set 0: udp:127\\.0\\.0\\.1:$RELAY$"
	assert_line "udp:127.0.0.1:$RELAY draining"
	assert_line "udp:127.0.0.1:$((RELAY + 1)) down"
	assert_line "udp:127.0.0.1:$RELAY disabled=0"
	assert_line "udp:127.0.0.1:$((RELAY + 1)) disabled=1"
}

@test "every recipe of the README is tested here" {
	run -0 --separate-stderr grep -c '^    # recipe: ' "$README"
	assert_output 2
}

@test "every file the README's examples read is shipped" {
	top="$BATS_TEST_DIRNAME/.."
	n=0
	while read -r f; do
		n=$((n + 1))
		[[ -f $top/$f ]] || fail "README names $f, which is not in the source tree"
		grep -q -F "$f" "$top/Makefile.am" || fail "$f is not in the distribution (Makefile.am)"
	done < <(sed -n 's/^    .*< \(examples\/[^ ]*\).*/\1/p' "$README" | sort -u)
	(( n >= 4 ))
	# no example reads a file that is not under examples/
	run ! --separate-stderr grep -n -E '^    [^#]*rtpp-[a-z]+ [^#]*< [^ /e$(]' "$README"
}
