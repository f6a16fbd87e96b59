# SPDX-License-Identifier: BSD-2-Clause
# fake.bash - start, script, inspect and stop fake-relay instances from
# bats tests.
#
#	load lib/fake		(or: source "$BATS_TEST_DIRNAME/lib/fake.bash")
#	setup()    { fake_start a; }
#	teardown() { fake_stop_all; }
#
# Each instance NAME keeps its files in ${FAKE_DIR:-$BATS_TEST_TMPDIR}:
# NAME.script, NAME.log, NAME.pid (present while the relay runs), NAME.port,
# NAME.err (the relay's stderr), NAME.kind ("udp" or "unix") and, for unix
# instances, NAME.sockdir.  NAME must be a shell identifier; the variables
# use it upper-cased.
#
# Environment: FAKE_RELAY (the binary, default "fake-relay" from PATH),
# FAKE_RELAY_TIMEOUT (the relay's -t, default 300 seconds).

# The directory holding the instance files.
_fake_dir() {
	printf '%s\n' "${FAKE_DIR:-${BATS_TEST_TMPDIR:?BATS_TEST_TMPDIR unset}}"
}

# Check that $1 is usable as an instance name; print it upper-cased.
_fake_upper() {
	if [[ ! $1 =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
		printf 'fake: invalid instance name "%s"\n' "$1" >&2
		return 1
	fi
	printf '%s\n' "${1^^}"
}

# Sleep 10 ms for a polling loop; return 1 once the loop has lasted
# about 5 s ($1 is the iteration count so far; with EPOCHREALTIME the
# bound is in real time, $2 being the start time).
_fake_tick() {
	if [[ -n ${2-} && -n ${EPOCHREALTIME-} ]]; then
		local now=${EPOCHREALTIME/[.,]/} start=${2/[.,]/}
		(( now - start < 5000000 )) || return 1
	fi
	(( $1 < 500 )) || return 1
	sleep 0.01
}

# Fail if the relay NAME is running already.
_fake_not_running() {
	local dir

	dir=$(_fake_dir) || return 1
	if [[ -s $dir/$1.pid ]]; then
		printf 'fake_start %s: already running\n' "$1" >&2
		return 1
	fi
}

# Start a relay: NAME LISTEN KIND [SCRIPT_TEXT].  Used by fake_start and
# fake_start_unix.
_fake_launch() {
	local name=$1 listen=$2 kind=$3 text=${4-} up dir pid i t0 port
	local relay=${FAKE_RELAY:-fake-relay}

	up=$(_fake_upper "$name") || return 1
	dir=$(_fake_dir) || return 1
	_fake_not_running "$name" || return 1
	printf '%s\n' "$text" >"$dir/$name.script"
	touch "$dir/$name.log"
	rm -f "$dir/$name.pid" "$dir/$name.port"
	printf '%s\n' "$kind" >"$dir/$name.kind"

	"$relay" -l "$listen" -s "$dir/$name.script" -o "$dir/$name.log" \
	    -p "$dir/$name.port" -P "$dir/$name.pid" \
	    -t "${FAKE_RELAY_TIMEOUT:-300}" \
	    </dev/null >/dev/null 2>"$dir/$name.err" 3>&- &
	pid=$!
	declare -g "FAKE_PID_$up=$pid"

	i=0 t0=${EPOCHREALTIME-}
	while [[ ! -s $dir/$name.pid ]]; do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" 2>/dev/null || true
			printf 'fake_start %s: relay exited:\n' "$name" >&2
			cat "$dir/$name.err" >&2
			return 1
		fi
		if ! _fake_tick $((i++)) "$t0"; then
			printf 'fake_start %s: relay not ready after 5 s\n' \
			    "$name" >&2
			cat "$dir/$name.err" >&2
			fake_stop "$name"
			return 1
		fi
	done
	if [[ $kind == udp ]]; then
		read -r port <"$dir/$name.port" || return 1
		export "FAKE_${up}_PORT=$port"
		declare -g "FAKE_URL_$up=udp:127.0.0.1:$port"
	fi
	return 0
}

# fake_start NAME [SCRIPT_TEXT]: start a relay on an ephemeral UDP port
# of 127.0.0.1; export FAKE_<NAME>_PORT, set FAKE_URL_<NAME>.
fake_start() {
	if (( $# < 1 || $# > 2 )); then
		echo 'usage: fake_start NAME [SCRIPT_TEXT]' >&2
		return 2
	fi
	_fake_launch "$1" udp:127.0.0.1:0 udp "${2-}"
}

# fake_start_unix NAME [SCRIPT_TEXT]: start a relay on a unix stream
# socket in a fresh short directory; set FAKE_URL_<NAME>=unix:PATH.
fake_start_unix() {
	local up dir sockdir

	if (( $# < 1 || $# > 2 )); then
		echo 'usage: fake_start_unix NAME [SCRIPT_TEXT]' >&2
		return 2
	fi
	up=$(_fake_upper "$1") || return 1
	dir=$(_fake_dir) || return 1
	_fake_not_running "$1" || return 1
	fake_stop "$1"		# reap a relay that died, remove its directory
	sockdir=$(mktemp -d /tmp/rtppXXXX) || return 1
	printf '%s\n' "$sockdir" >"$dir/$1.sockdir"
	declare -g "FAKE_URL_$up=unix:$sockdir/s"
	_fake_launch "$1" "unix:$sockdir/s" unix "${2-}"
}

# fake_script NAME TEXT: replace the script of a running relay.  The new
# script is checked first (fake-relay -c) and then renamed into place, so
# the relay always sees a new inode and never a half-written file.
fake_script() {
	local name=$1 dir relay=${FAKE_RELAY:-fake-relay}

	if (( $# != 2 )); then
		echo 'usage: fake_script NAME TEXT' >&2
		return 2
	fi
	_fake_upper "$name" >/dev/null || return 1
	dir=$(_fake_dir) || return 1
	printf '%s\n' "$2" >"$dir/$name.script.new"
	if ! "$relay" -c -s "$dir/$name.script.new"; then
		rm -f "$dir/$name.script.new"
		return 1
	fi
	mv -f "$dir/$name.script.new" "$dir/$name.script"
}

# fake_log NAME: print the commands received, one a line, escaped as the
# relay logs them, without the cookies of UDP commands.
fake_log() {
	local dir kind=udp

	_fake_upper "$1" >/dev/null || return 1
	dir=$(_fake_dir) || return 1
	if [[ -r $dir/$1.kind ]]; then
		read -r kind <"$dir/$1.kind" || true
	fi
	if [[ $kind == unix ]]; then
		cat "$dir/$1.log"
	else
		sed -E 's/^[^ ]*( |$)//' "$dir/$1.log"
	fi
}

# fake_count NAME: print the number of commands received.
fake_count() {
	local dir n

	_fake_upper "$1" >/dev/null || return 1
	dir=$(_fake_dir) || return 1
	n=$(wc -l <"$dir/$1.log") || return 1
	printf '%d\n' "$n"
}

# fake_wait_count NAME N: wait (at most 5 s) until the relay has received
# at least N commands.  Return 1 on timeout.
fake_wait_count() {
	local i=0 t0=${EPOCHREALTIME-}

	while (( $(fake_count "$1") < $2 )); do
		_fake_tick $((i++)) "$t0" || return 1
	done
}

# fake_running NAME: succeed if the relay is running.
fake_running() {
	local dir pid

	dir=$(_fake_dir) || return 1
	pid=$(cat "$dir/$1.pid" 2>/dev/null) || return 1
	[[ -n $pid ]] && kill -0 "$pid" 2>/dev/null
}

# fake_wait_exit NAME: wait (at most 5 s) until the relay has exited by
# itself (an "exit" action, -t).  Return 1 on timeout.
fake_wait_exit() {
	local i=0 t0=${EPOCHREALTIME-}

	while fake_running "$1"; do
		_fake_tick $((i++)) "$t0" || return 1
	done
}

# fake_stop NAME: stop the relay (SIGTERM, then SIGKILL after 5 s), reap
# it and remove its unix socket directory.  A relay that already exited
# (an "exit" action) is only reaped.
fake_stop() {
	local name=$1 up dir pid='' child i t0 sockdir

	up=$(_fake_upper "$name") || return 1
	dir=$(_fake_dir) || return 1
	child=FAKE_PID_$up
	child=${!child-}
	# The relay removes its pid file when it exits cleanly; without one,
	# a child of this shell may still be starting up.
	pid=$(cat "$dir/$name.pid" 2>/dev/null) || pid=
	if [[ -z $pid && -n $child ]] && kill -0 "$child" 2>/dev/null; then
		pid=$child
	fi
	if [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null; then
		i=0 t0=${EPOCHREALTIME-}
		while kill -0 "$pid" 2>/dev/null; do
			if ! _fake_tick $((i++)) "$t0"; then
				printf 'fake_stop %s: killing %s\n' \
				    "$name" "$pid" >&2
				kill -KILL "$pid" 2>/dev/null
				break
			fi
		done
	fi
	if [[ -n $child ]]; then
		wait "$child" 2>/dev/null || true
		unset "FAKE_PID_$up"
	fi
	rm -f "$dir/$name.pid"
	if [[ -r $dir/$name.sockdir ]]; then
		read -r sockdir <"$dir/$name.sockdir" || true
		if [[ $sockdir == /tmp/rtpp?* ]]; then
			rm -rf -- "$sockdir"
		fi
		rm -f "$dir/$name.sockdir"
	fi
	return 0
}

# fake_stop_all: stop every relay started in this directory (teardown).
fake_stop_all() {
	local dir f name

	dir=$(_fake_dir) || return 1
	for f in "$dir"/*.kind; do
		[[ -e $f ]] || continue
		name=${f##*/}
		fake_stop "${name%.kind}"
	done
	return 0
}
