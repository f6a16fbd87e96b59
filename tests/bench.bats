#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
#
# The benchmark's own programs (bench/): what they do, not how fast:
# timing is never a test.  The floor must do the work it claims (else
# every ratio against it is wrong), the floor filter must pass the
# checks of scripts/bench-kamailio, and the harness must count what it
# says.

load helpers

B=${RTPP_BUILDDIR:-$BATS_TEST_DIRNAME/..}

setup() {
	rtpp_setup
}

teardown() {
	rtpp_teardown
}

@test "floor filter: one base64 line, a valid SDP anchored on 127.0.0.4 with the marker, whatever the arguments" {
	run -0 --separate-stderr stdout_to_file "$B/bench/floor-filter" --kamailio-env --output sdp-base64 --b64 'SU5WSVRF'
	assert_equal "$(wc -l <"$out")" 1
	base64 -d <"$out" >"$BATS_TEST_TMPDIR/sdp"
	run -0 --separate-stderr grep -c $'\r$' "$BATS_TEST_TMPDIR/sdp"
	assert_output "$(wc -l <"$BATS_TEST_TMPDIR/sdp")"	# CRLF on every line
	run -0 --separate-stderr tr -d '\r' <"$BATS_TEST_TMPDIR/sdp"
	assert_line --index 0 'v=0'
	assert_line 'c=IN IP4 127.0.0.4'
	assert_line --regexp '^m=audio [0-9]+ RTP/AVP '
	assert_line 'a=nortpproxy:yes'
	# bench-kamailio's sipp check, as a POSIX extended regex over the body
	python3 -c 'import re, sys; sys.exit(not re.search(r"c=IN IP4 127\.0\.0\.4.*a=nortpproxy:yes", sys.stdin.read(), re.S))' \
	    <"$BATS_TEST_TMPDIR/sdp"
}

@test "oneshot floor: COUNT round trips, each waiting for its reply, and stdin copied to stdout byte for byte" {
	fake_start a 'U* -> reply 40000 127.0.0.1 4'
	head -c 70000 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr stdout_to_file "$B/bench/oneshot" "$FAKE_A_PORT" 3 'U call-%d 127.0.0.1 20000 ftag' <"$BATS_TEST_TMPDIR/in"
	cmp "$BATS_TEST_TMPDIR/in" "$out"
	assert_cmds a 'U call-1 127.0.0.1 20000 ftag' 'U call-2 127.0.0.1 20000 ftag' \
	    'U call-3 127.0.0.1 20000 ftag'
}

@test "oneshot floor: a relay that does not reply is a failure (exit 1), after one command" {
	fake_start a 'U* -> silent'
	run -1 --separate-stderr "$B/bench/oneshot" "$FAKE_A_PORT" 2 'U x-%d' </dev/null
	assert_cmds a 'U x-1'
}

@test "harness pair: N pairs, failures counted per side, page faults and peak RSS of each side" {
	# (a static musl no-op can report a peak RSS of 0 kB)
	run -0 --separate-stderr "$B/bench/harness" pair -n 6 -- /bin/false -- "$B/bench/noop"
	assert_output --regexp '^pairs 6 fail_a 6 fail_b 0 a_median_us [0-9]+ b_median_us [0-9]+ ratio_median [0-9.]+ ratio_p10 [0-9.]+ ratio_p90 [0-9.]+ a_minflt [1-9][0-9]* b_minflt [1-9][0-9]* a_cpu_us [0-9]+ b_cpu_us [0-9]+ a_maxrss_kb [1-9][0-9]* b_maxrss_kb [0-9]+$'
}

@test "harness pair: stdin of each side from its own file" {
	printf 'x' >"$BATS_TEST_TMPDIR/one"
	run -0 --separate-stderr "$B/bench/harness" pair -n 4 -i "$BATS_TEST_TMPDIR/one" -- \
	    /bin/sh -c 'test "$(cat)" = x' -- /bin/sh -c 'test -z "$(cat)"'
	assert_output --regexp '^pairs 4 fail_a 0 fail_b 0 '
	run -0 --separate-stderr "$B/bench/harness" pair -n 4 -I "$BATS_TEST_TMPDIR/one" -- \
	    /bin/sh -c 'test "$(cat)" = x' -- /bin/sh -c 'test "$(cat)" = x'
	assert_output --regexp '^pairs 4 fail_a 4 fail_b 0 '
}

@test "harness pair without a second command is a usage error" {
	run -2 --separate-stderr "$B/bench/harness" pair -n 2 -- "$B/bench/noop"
	assert_regex "$stderr" 'usage: harness'
}

@test "bench-kamailio: an unknown setup is refused before anything starts" {
	run -2 --separate-stderr "$BATS_TEST_DIRNAME/../scripts/bench-kamailio" --setups 'floor fast'
	assert_output ''
	assert_equal "$stderr" 'bench-kamailio: unknown setup fast'
}
