# SPDX-License-Identifier: BSD-2-Clause
# helpers.bash: loaded by every rtpp bats file.
#
# Tools come from PATH (make check puts the build's tools/ first), the
# fake relay from $FAKE_RELAY, fixtures from tests/fixtures.  Every test
# gets its own state directory and no config file, so nothing on the
# machine leaks in.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
load lib/fake

export LC_ALL=C
FIX="$BATS_TEST_DIRNAME/fixtures"

# A clean environment for one test.
rtpp_setup() {
	local v
	for v in $(env | sed -n 's/^\(RTPP_[A-Z_]*\)=.*/\1/p; s/^\(SIP_[A-Z_]*\)=.*/\1/p'); do
		unset "$v"
	done
	export RTPP_CONFIG=
	export RTPP_STATE_DIR="$BATS_TEST_TMPDIR/state"
}

rtpp_teardown() {
	fake_stop_all
}

# The relay log of NAME without cookies, one command per line.
cmds() {
	fake_log "$1"
}

# Assert that the command log of NAME is exactly the lines given.
assert_cmds() {
	local name=$1
	shift
	local want got
	want=$(printf '%s\n' "$@")
	got=$(cmds "$name")
	if [[ "$want" != "$got" ]]; then
		batslib_print_kv_single_or_multi 8 expected "$want" actual "$got" |
			batslib_decorate 'relay got other commands' | fail
	fi
}

# Run a tool with stdout to $BATS_TEST_TMPDIR/out and stderr to
# $BATS_TEST_TMPDIR/err; sets $status, $out (file) and $stderr.
runx() {
	out="$BATS_TEST_TMPDIR/out"
	status=0
	"$@" >"$out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
	stderr=$(cat "$BATS_TEST_TMPDIR/err")
}

# The output file is byte for byte the expected one.
assert_out_file() {
	if ! cmp -s "$1" "$out"; then
		diff -u "$1" "$out" | cat -A | batslib_decorate 'output differs' | fail
	fi
}

# The output file is empty.
assert_no_out() {
	if [[ -s $out ]]; then
		cat -A "$out" | batslib_decorate 'stdout should be empty' | fail
	fi
}

# The capability probes every first contact sends, without cookies.
PROBES=("V" "VF 20050322" "VF 20071116" "VF 20081102")

# Under scripts/valgrind-check (which sets VG_RTPP_TOOLS) every tool run
# costs a valgrind start-up: tests bound to wall-clock time, or to a PATH
# holding only the tools, say so and step aside there.
skip_under_valgrind() {
	[[ -z ${VG_RTPP_TOOLS-} ]] || skip "not under valgrind: $*"
}
