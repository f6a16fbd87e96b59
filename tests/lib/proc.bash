# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash
#
# tests/lib/proc.bash - what the instance helpers (rtpengine.bash and
# kamailio.bash, which source it) share: a guard against PID reuse and the
# directory for their logs and pid files.

# proc_runs_with PID PATTERN: PID is a live (non-zombie) process whose
# command line, its arguments joined and ended by spaces, matches the glob
# PATTERN.
proc_runs_with() {
	local pid=$1 pattern=$2 stat state cmdline
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	state=${stat##*) }
	state=${state%% *}
	[[ $state != Z ]] || return 1
	cmdline=$( { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null) || return 1
	# shellcheck disable=SC2053 # PATTERN is a glob on purpose
	[[ $cmdline == $pattern ]]
}

# proc_state_dir VAR PREFIX: set _proc_dir to the directory named by the
# variable VAR, else to bats' test or file temporary directory, else to a
# new PREFIX.XXXXXX under $TMPDIR, exported as VAR for the later calls.
# Call it directly, not in $(...), or that export is lost.
proc_state_dir() {
	local var=$1 prefix=$2
	if [[ -n ${!var:-} ]]; then
		_proc_dir=${!var}
	elif [[ -n ${BATS_TEST_TMPDIR:-} ]]; then
		_proc_dir=$BATS_TEST_TMPDIR
	elif [[ -n ${BATS_FILE_TMPDIR:-} ]]; then
		_proc_dir=$BATS_FILE_TMPDIR
	else
		_proc_dir=$(mktemp -d "${TMPDIR:-/tmp}/$prefix.XXXXXX") || return 1
		export "$var=$_proc_dir"
	fi
	mkdir -p "$_proc_dir"
}
