#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# The UDP transport's addressing and per-run economy: numeric IPv4 and
# IPv6 nodes without a name lookup, host names looked up, a fresh
# cookie prefix per run, no drain of a socket that nothing used yet.

load helpers

setup() {
	rtpp_setup
}

teardown() {
	rtpp_teardown
}

# The cookie of each command in relay NAME's log.
cookies() {
	cut -d' ' -f1 "$BATS_TEST_TMPDIR/$1.log"
}

@test "an IPv6 node ([::1]) gets the command and its reply is used" {
	ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/' ||
		skip "no ::1 on lo"
	_fake_launch v6 'udp6:[::1]:0' udp
	run --separate-stderr rtpp-offer --sock "udp6:[::1]:$FAKE_V6_PORT" \
	    <"$FIX/invite.sip"
	assert_success
	assert_equal "$stderr" ""
	assert_line --regexp '^c=IN IP4 127\.0\.0\.1.?$'
	assert_line --regexp '^m=audio 30000 RTP/AVP 0 8 101.?$'
	run grep -c ' U ' "$BATS_TEST_TMPDIR/v6.log"
	assert_output 1
}

@test "a host name node is looked up and used" {
	[[ $(getent ahostsv4 localhost 2>/dev/null) == 127.0.0.1* ]] ||
		skip "localhost does not resolve to 127.0.0.1 here"
	fake_start a
	run --separate-stderr rtpp-offer --sock "udp:localhost:$FAKE_A_PORT" \
	    <"$FIX/invite.sip"
	assert_success
	assert_line --regexp '^m=audio 30000 RTP/AVP 0 8 101.?$'
	run grep -c ' U ' "$BATS_TEST_TMPDIR/a.log"
	assert_output 1
}

@test "each run has its own cookie prefix: pid, 8 hex digits, then a count" {
	fake_start a
	run rtpp-offer --sock "$FAKE_URL_A" <"$FIX/invite.sip"
	assert_success
	run rtpp-offer --sock "$FAKE_URL_A" <"$FIX/invite.sip"
	assert_success
	run cookies a
	local c prefixes=()
	for c in "${lines[@]}"; do
		[[ $c =~ ^([0-9]+_[0-9a-f]{8})_[0-9]+$ ]] ||
			fail "cookie '$c' is not PID_HEX8_SEQ"
		prefixes+=("${BASH_REMATCH[1]}")
	done
	run bash -c 'printf "%s\n" "$@" | sort -u | wc -l' _ "${prefixes[@]}"
	assert_output 2
}

@test "no receive before the first command on a new socket; a reused one is drained" {
	skip_under_valgrind "counts the tool's own system calls"
	fake_start a
	rtpp-offer --sock "$FAKE_URL_A" <"$FIX/invite.sip" >/dev/null # probes
	run strace -f -qq -o "$BATS_TEST_TMPDIR/trace" -e trace=sendto,recvfrom \
	    rtpp-offer --sock "$FAKE_URL_A" --call-id c1 --from-tag f1 \
	    <"$FIX/three.sdp"
	assert_success
	# three commands (two m= lines and the port-0 one) on one socket:
	# no drain before the first, one before each later one
	run awk '/sendto\(/ { s++ } /MSG_DONTWAIT/ { if (s == 0) first++; d++ }
	    END { print s, first + 0, d + 0 }' "$BATS_TEST_TMPDIR/trace"
	assert_output '3 0 2'
}
