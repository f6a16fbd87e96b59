#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
#
# The test scripts keep their promises: scripts/test runs the suite in a
# controlled environment, and scripts/valgrind-check fails when a test
# fails, not only when valgrind reports something.

load helpers

top=$BATS_TEST_DIRNAME/..
# before rtpp_setup, which unsets every RTPP_ variable
controlled_home=${RTPP_TEST_ENV-}

setup() {
	rtpp_setup
}

@test "scripts/test: an unknown argument is a usage error, before anything is installed or built" {
	run -2 --separate-stderr "$top/scripts/test" --fast
	assert_regex "$stderr" 'scripts/test --full'
}

@test "under scripts/test the suite sees only the controlled environment" {
	[[ -n $controlled_home ]] || skip "only under scripts/test"
	assert_equal "$HOME" "$controlled_home"
	assert_equal "$LC_ALL" C
	assert_equal "$TZ" UTC
	# the system directories, after what make check puts first
	[[ $PATH == *:/usr/sbin:/usr/bin:/sbin:/bin ]] || fail "PATH is $PATH"
	[[ $PATH != *local* && $PATH != *pyenv* ]] || fail "PATH is $PATH"
	# nothing of the caller's: no variable of a shell profile, python or
	# a language runtime
	run -0 --separate-stderr with_stderr env
	refute_line --regexp '^(PYTHON|PIP_|LANG=|LC_CTYPE|LD_|CC=|CFLAGS=|SSL_|USER=|SHELL=)'
}

@test "scripts/valgrind-check: a failing test fails the run and is counted" {
	command -v valgrind >/dev/null || skip "valgrind not installed (scripts/deps --full)"
	local dir=$BATS_TEST_TMPDIR/vg
	mkdir -p "$dir"
	# (written with printf: bats would take the lines for tests of ours)
	printf '@%s "passes" { true; }\n@%s "fails" { false; }\n@%s "skipped" { skip "why"; }\n' \
	    test test test >"$dir/one.bats"
	VG_RTPP_TOOLS=$(dirname "$(command -v rtpp-offer)") VG_WORK=$dir/work \
	    run -1 --separate-stderr "$top/scripts/valgrind-check" "$dir/one.bats"
	assert_line '1 passed, 1 failed, 1 skipped'
	assert_line --partial 'one: not ok 2 fails'
}

@test "scripts/valgrind-check: all passing and no valgrind report is success" {
	command -v valgrind >/dev/null || skip "valgrind not installed (scripts/deps --full)"
	local dir=$BATS_TEST_TMPDIR/vg
	mkdir -p "$dir"
	printf '@%s "passes" { true; }\n' test >"$dir/ok.bats"
	VG_RTPP_TOOLS=$(dirname "$(command -v rtpp-offer)") VG_WORK=$dir/work \
	    run -0 --separate-stderr "$top/scripts/valgrind-check" "$dir/ok.bats"
	assert_line '1 passed, 0 failed, 0 skipped'
}

@test "scripts/valgrind-check: a file that bats cannot run counts as a failure" {
	command -v valgrind >/dev/null || skip "valgrind not installed (scripts/deps --full)"
	local dir=$BATS_TEST_TMPDIR/vg
	mkdir -p "$dir"
	printf '@%s "never closed" {\n' test >"$dir/broken.bats"
	VG_RTPP_TOOLS=$(dirname "$(command -v rtpp-offer)") VG_WORK=$dir/work \
	    run -1 --separate-stderr "$top/scripts/valgrind-check" "$dir/broken.bats"
	assert_line '0 passed, 1 failed, 0 skipped'
}
