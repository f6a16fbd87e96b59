#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# scripts/stress-health at its defaults: 64 concurrent runs against 4
# flapping fake relays while an operator disables, drains and enables
# nodes, 20 rounds: no operator verdict lost, no new call on a node out
# of service, every run done in time.

load helpers

setup() {
	rtpp_setup
}

@test "stress: 64 runs x 20 rounds against flapping relays while the operator flips nodes: 0 verdicts lost" {
	skip_under_valgrind "1,600 runs within a bound"
	run -0 --separate-stderr timeout 600 "$BATS_TEST_DIRNAME/../scripts/stress-health"
	echo "$output"
	assert_line --regexp '^rounds 20, runs 1280 \(\+320 after the verdicts\), nodes 4, operator verdicts 240, checks 80$'
	assert_line --regexp '^verdicts lost 0, new calls on a node out of service 0, runs failed 0, runs over 5.5 s 0$'
}

@test "stress-health refuses bad arguments" {
	run -2 --separate-stderr "$BATS_TEST_DIRNAME/../scripts/stress-health" --runs 0
	run -2 --separate-stderr "$BATS_TEST_DIRNAME/../scripts/stress-health" --nodes 1
}
