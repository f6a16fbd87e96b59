# SPDX-License-Identifier: BSD-2-Clause
# helpers.bash: loaded by every rtpp bats file.
#
# Tools come from PATH (make check puts the build's tools/ first), the
# fake relay from $FAKE_RELAY, fixtures from tests/fixtures, expected
# outputs from tests/golden.  Every test gets its own state directory and
# no config file, so nothing on the machine leaks in.
#
# How to write a test (one idiom):
# - Run every command with bats-core's `run -N --separate-stderr` (N the
#   exit status it must have; `run !` where any failure will do): $output
#   is stdout, $stderr stderr.  Then bats-assert: assert_output,
#   assert_line, refute_output, assert_equal "$stderr" ...  Where a test
#   reads both streams as one (a command's warnings, a refute that must
#   see everything), run the command through with_stderr.  Three places
#   keep the status to report more than run -N would: the corpus loops of
#   malformed.bats (mrun collects every case's problems, then fails once)
#   and kamdiff in kamailio-diff.bats (fails with the harness' report);
#   the loops of options.bats over options read from --help check the
#   status themselves to name the option that failed.
#	run -2 --separate-stderr rtpp-destroy ieq <"$FIX/bye.sip"
#	assert_equal "$stderr" "rtpp-destroy: flags 'ieq': unknown flag 'q'"
# - Where stdout matters byte for byte ($output drops trailing newlines),
#   run the command through stdout_to_file: stdout lands in the file $out
#   and is compared with assert_out_file (a golden file) or assert_no_out.
#	run -0 --separate-stderr stdout_to_file rtpp-offer <"$FIX/invite.sip"
#	assert_out_file "$GOLDEN/rtpp-offer/invite.sip"
# - What the relay got: assert_cmds NAME 'CMD'... (the fake relay's log).
# - The main outputs of each tool are golden files under tests/golden/
#   (see tests/golden/README); values that change per run come from the
#   fake relay's fixed replies, or are masked with normalise.
# - Setup: `setup() { relays_setup a b; }` and `teardown() { rtpp_teardown; }`
#   for files that talk to fake relays; lib/call.bash has offer, answer
#   and destroy of a one-stream call.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
load lib/fake

export LC_ALL=C
FIX="$BATS_TEST_DIRNAME/fixtures"
GOLDEN="$BATS_TEST_DIRNAME/golden"

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

# The setup most files share: a clean environment, the fake relays NAME...
# started, their URLs in RTPP_SOCK in that order and in $A, $B, $C...
#	setup() { relays_setup a b; }
#	teardown() { rtpp_teardown; }
relays_setup() {
	local name url urls=()
	rtpp_setup
	for name; do
		fake_start "$name"
		url=FAKE_URL_${name^^}
		urls+=("${!url}")
		declare -g "${name^^}=${!url}"
	done
	export RTPP_SOCK="${urls[*]}"
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

# For `run`: the command with its standard output in the file $out, byte
# for byte ($output strips trailing newlines and cannot hold NULs), and
# its standard error both in $BATS_TEST_TMPDIR/err and on stderr (so
# `run --separate-stderr` still sets $stderr).
#	run -0 --separate-stderr stdout_to_file rtpp-offer <"$FIX/invite.sip"
#	assert_out_file "$GOLDEN/rtpp-offer/invite.sip"
out="${BATS_TEST_TMPDIR-}/out"
stdout_to_file() {
	local rc=0
	"$@" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || rc=$?
	cat "$BATS_TEST_TMPDIR/err" >&2
	return "$rc"
}

# The output file is byte for byte the expected one.
assert_out_file() {
	if ! cmp -s "$1" "$out"; then
		diff -u "$1" "$out" | cat -A | batslib_decorate 'output differs' | fail
	fi
}

# assert_golden NAME [FILE]: FILE (default $out) is byte for byte the
# committed tests/golden/NAME.  With GOLDEN_UPDATE=1 in the environment
# the file is written there instead: review `git diff tests/golden`.
assert_golden() {
	local want=$GOLDEN/$1 got=${2:-$out}
	if [[ -n ${GOLDEN_UPDATE-} ]]; then
		mkdir -p "${want%/*}"
		cp "$got" "$want"
		return
	fi
	out=$got assert_out_file "$want"
}

# normalise FILE: mask in place the only values of an output that change
# from run to run: each fake relay's URL (FAKE_URL_A -> @URL_A@), this
# test's directory (@TMP@), durations ("12 us", "3 ms" -> "@N@ us") and
# node scores (a hash of the Call-ID and the URL: "score @N@").
# Everything else (ports, addresses, cookies) the fake relay's fixed
# replies keep stable.
normalise() {
	local text v
	text=$(cat "$1"; printf .)
	for v in ${!FAKE_URL_*}; do
		text=${text//"${!v}"/@${v#FAKE_}@}
	done
	text=${text//"$BATS_TEST_TMPDIR"/@TMP@}
	printf '%s' "${text%.}" | sed -E 's/\b[0-9]+ (us|ms)\b/@N@ \1/g; s/score [0-9.]+ */score @N@ /g' >"$1.n"
	mv "$1.n" "$1"
}

# For `run`: the command with its standard error in its standard output.
with_stderr() {
	"$@" 2>&1
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
