# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash
#
# tests/lib/kamailio.bash - run throw-away Kamailio instances and sipp
# from bats (and from scripts/bench-kamailio).  Needs tests/lib/rtpengine.bash
# (free_udp_port) loaded first.
#
#   kamailio_start NAME CFG [KAMAILIO_ARGS...]
#       Start "kamailio -DD -E" (no daemon, log on stderr) with CFG on a
#       free UDP port of 127.0.0.1 (passed as -A LISTEN=udp:127.0.0.1:PORT),
#       its own runtime dir and pid file, -m $KAMAILIO_SHM (64) MB of shared
#       and -M $KAMAILIO_PKG (16) MB of private memory; wait (at most 10 s)
#       until it answers an OPTIONS with 200.  Exports
#         KAMAILIO_<N>_PORT  KAMAILIO_<N>_PID  KAMAILIO_<N>_LOG
#       A watchdog stops the instance when the starting shell is gone or
#       after KAMAILIO_MAX_LIFETIME (1800) s.
#   kamailio_stop NAME     SIGTERM to the main process, wait <= 5 s, then
#                          SIGKILL to it and to the children it had
#   kamailio_stop_all      every instance started in the current scope
#   kamailio_ping HOST PORT TIMEOUT   one OPTIONS, 200 expected
#   kamailio_cpu_ticks PID  utime+stime+cutime+cstime of PID (clock ticks)
#
#   sipp_run OUTDIR NAME TIMEOUT SIPP_ARGS...
#       Run sipp in the foreground in OUTDIR/NAME (stdin closed, at most
#       TIMEOUT s, then SIGTERM and SIGKILL), with its message log in
#       msg (not with SIPP_TRACE_MSG=0), statistics in stat.csv, response times in *_rtt.csv, errors
#       in err and screen in out.  Returns sipp's exit status.
#   sipp_start OUTDIR NAME TIMEOUT SIPP_ARGS...  the same in the background;
#       sets SIPP_PID.  sipp_wait PID SECONDS: wait for it, kill it if it is
#       still running then; returns its exit status.
#   sipp_stat DIR COLUMN    the last value of COLUMN (e.g. SuccessfulCall(C))
#                           in DIR's statistics file
#   sipp_rtt_max DIR        the largest response time in DIR, in ms
#   wait_udp_bound IP PORT SECONDS   wait until a UDP socket is bound there

# shellcheck source=tests/lib/proc.bash
source "${BASH_SOURCE[0]%/*}/proc.bash"

: "${KAMAILIO_BIN:=/usr/sbin/kamailio}"
: "${SIPP_BIN:=/usr/bin/sipp}"
: "${KAMAILIO_PYTHON:=${RTPENGINE_PYTHON:-/usr/bin/python3}}"

_KAMAILIO_PING_PY='
import secrets, socket, sys, time
host, port, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
lp = s.getsockname()[1]
deadline = time.monotonic() + timeout
for _ in range(1000):
    if time.monotonic() >= deadline:
        break
    cid = secrets.token_hex(8)
    msg = ("OPTIONS sip:%s:%d SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s\r\n"
           "From: <sip:ping@127.0.0.1>;tag=%s\r\n"
           "To: <sip:%s:%d>\r\n"
           "Call-ID: %s\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
           "Content-Length: 0\r\n\r\n") % (host, port, lp, cid, cid, host, port, cid)
    try:
        s.sendto(msg.encode(), (host, port))
        s.settimeout(0.2)
        data = s.recv(65535).decode("utf-8", "replace")
        if cid in data and data.startswith("SIP/2.0 200"):
            sys.exit(0)
    except (socket.timeout, ConnectionRefusedError):
        time.sleep(0.05)
sys.exit(1)
'

kamailio_ping() {
	"$KAMAILIO_PYTHON" -c "$_KAMAILIO_PING_PY" "$1" "$2" "$3"
}

_kamailio_var() {
	if [[ ! $1 =~ ^[A-Za-z0-9_]+$ ]]; then
		echo "kamailio: bad instance name '$1'" >&2
		return 1
	fi
	printf '%s\n' "${1^^}"
}

_kamailio_dir() {
	proc_state_dir KAMAILIO_STATE_DIR kamailio-helpers || return 1
	_kamailio_d=$_proc_dir
}

# _kamailio_is_ours PID RUNDIR: a live kamailio whose command line has our
# runtime dir (guards against PID reuse).
_kamailio_is_ours() {
	proc_runs_with "$1" "* -Y $2 *"
}

# The direct children of PID (Kamailio's workers), from /proc.
_kamailio_children() {
	local f s ppid
	for f in /proc/[0-9]*/stat; do
		s=$(cat "$f" 2>/dev/null) || continue
		s=${s##*) }
		read -r _ ppid _ <<<"$s"
		if [[ $ppid == "$1" ]]; then
			f=${f#/proc/}
			printf '%s\n' "${f%/stat}"
		fi
	done
}

kamailio_start() {
	local name=${1:?usage: kamailio_start NAME CFG [ARGS...]} cfg=${2:?usage: kamailio_start NAME CFG [ARGS...]}
	shift 2
	local var dir rundir log port pid i lifetime
	var=$(_kamailio_var "$name") || return 1
	if [[ ! -x $KAMAILIO_BIN ]]; then
		echo "kamailio_start: $KAMAILIO_BIN not found (install the kamailio package)" >&2
		return 1
	fi
	_kamailio_dir || return 1
	dir=$_kamailio_d
	rundir="$dir/$name.kamailio.run"
	log="$dir/$name.kamailio.log"
	mkdir -p "$rundir"
	lifetime=${KAMAILIO_MAX_LIFETIME:-1800}
	for i in 1 2 3; do
		port=$(free_udp_port) || return 1
		{
			printf '### kamailio_start %s attempt %d:' "$name" "$i"
			printf ' %q' "$KAMAILIO_BIN" -DD -E -f "$cfg" -Y "$rundir" -P "$rundir/kamailio.pid" \
				-m "${KAMAILIO_SHM:-64}" -M "${KAMAILIO_PKG:-16}" \
				-A "LISTEN=udp:127.0.0.1:$port" "$@"
			printf '\n'
		} >>"$log"
		# fd 3 is closed so that bats does not wait for the daemon.
		"$KAMAILIO_BIN" -DD -E -f "$cfg" -Y "$rundir" -P "$rundir/kamailio.pid" \
			-m "${KAMAILIO_SHM:-64}" -M "${KAMAILIO_PKG:-16}" \
			-A "LISTEN=udp:127.0.0.1:$port" "$@" </dev/null >>"$log" 2>&1 3>&- &
		pid=$!
		if kamailio_ping 127.0.0.1 "$port" 10; then
			break
		fi
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=''
		echo "### kamailio did not answer OPTIONS on 127.0.0.1:$port" >>"$log"
	done
	if [[ -z $pid ]]; then
		echo "kamailio_start: instance '$name' did not come up; last lines of $log:" >&2
		tail -n 20 "$log" >&2
		return 1
	fi
	local owner=$$ ticks=$((lifetime * 2))
	(
		trap - EXIT ERR
		i=0
		while ((i < ticks)); do
			kill -0 "$owner" 2>/dev/null || break
			_kamailio_is_ours "$pid" "$rundir" || exit 0
			sleep 0.5
			i=$((i + 1))
		done
		if _kamailio_is_ours "$pid" "$rundir"; then
			kids=$(_kamailio_children "$pid")
			kill -TERM "$pid" 2>/dev/null
			sleep 2
			# shellcheck disable=SC2086
			kill -KILL "$pid" $kids 2>/dev/null
		fi
		exit 0
	) </dev/null >/dev/null 2>&1 3>&- &
	printf 'name=%s\npid=%s\nport=%s\nrundir=%s\nwatchdog=%s\n' \
		"$name" "$pid" "$port" "$rundir" "$!" >"$dir/$name.kamailio.state"
	export "KAMAILIO_${var}_PORT=$port" "KAMAILIO_${var}_PID=$pid" "KAMAILIO_${var}_LOG=$log"
}

kamailio_stop() {
	local name=${1:?usage: kamailio_stop NAME} var dir state pid rundir watchdog kids i
	var=$(_kamailio_var "$name") || return 1
	_kamailio_dir || return 1
	dir=$_kamailio_d
	state="$dir/$name.kamailio.state"
	[[ -e $state ]] || return 0
	pid=$(sed -n 's/^pid=//p' "$state")
	rundir=$(sed -n 's/^rundir=//p' "$state")
	watchdog=$(sed -n 's/^watchdog=//p' "$state")
	if _kamailio_is_ours "$pid" "$rundir"; then
		kids=$(_kamailio_children "$pid")
		kill -TERM "$pid" 2>/dev/null
		for ((i = 0; i < 50; i++)); do
			_kamailio_is_ours "$pid" "$rundir" || break
			sleep 0.1
		done
		if _kamailio_is_ours "$pid" "$rundir"; then
			echo "kamailio_stop: pid $pid ignored SIGTERM for 5 s, sending SIGKILL" >&2
			kill -KILL "$pid" 2>/dev/null
		fi
		# Workers left behind (the main process was killed, or died).
		for i in $kids; do
			_kamailio_is_ours "$i" "$rundir" && kill -KILL "$i" 2>/dev/null
		done
	fi
	wait "$pid" 2>/dev/null
	if [[ $watchdog =~ ^[0-9]+$ ]] && kill -0 "$watchdog" 2>/dev/null; then
		kill -TERM "$watchdog" 2>/dev/null
		wait "$watchdog" 2>/dev/null
	fi
	rm -f "$state"
	unset "KAMAILIO_${var}_PORT" "KAMAILIO_${var}_PID"
	! _kamailio_is_ours "$pid" "$rundir"
}

kamailio_stop_all() {
	local dir state rc=0
	_kamailio_dir || return 1
	dir=$_kamailio_d
	for state in "$dir"/*.kamailio.state; do
		[[ -e $state ]] || continue
		kamailio_stop "$(sed -n 's/^name=//p' "$state")" || rc=1
	done
	return "$rc"
}

# kamailio_cpu_ticks PID: CPU time of PID and of the children it waited
# for (the exec'd tools), in clock ticks.
kamailio_cpu_ticks() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	s=${s##*) }
	# fields after ") ": state=1 ... utime=12 stime=13 cutime=14 cstime=15
	awk '{print $12 + $13 + $14 + $15}' <<<"$s"
}

_sipp_args() { # DIR
	printf '%s\n' -nostdin
	[[ ${SIPP_TRACE_MSG:-1} == 0 ]] || printf '%s\n' -trace_msg -message_file "$1/msg"
	printf '%s\n' -trace_stat -stf "$1/stat.csv" -fd 1 \
		-trace_rtt -rtt_freq 1 -trace_err -error_file "$1/err"
}

# _sipp_exec DIR TIMEOUT SIPP_ARGS...: become sipp, under timeout, in DIR
# with our trace files (run it in a subshell).
_sipp_exec() {
	local dir=$1 tmo=$2
	shift 2
	local -a base
	mkdir -p "$dir" && cd "$dir" || return 1
	dir=$PWD
	mapfile -t base < <(_sipp_args "$dir")
	exec timeout -k 2 "$tmo" "$SIPP_BIN" "${base[@]}" "$@" \
		</dev/null >"$dir/out" 2>&1 3>&-
}

sipp_run() {
	(_sipp_exec "$1/$2" "${@:3}")
}

# $! is timeout's own PID, as _sipp_exec ends in exec.
sipp_start() {
	_sipp_exec "$1/$2" "${@:3}" &
	# shellcheck disable=SC2034 # for the caller
	SIPP_PID=$!
}

sipp_wait() {
	local pid=$1 secs=$2 i
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "sipp_wait: sipp (pid $pid) still running after ${secs}s, killing it" >&2
		kill -TERM "$pid" 2>/dev/null
		sleep 0.5
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid"
}

# sipp_stat DIR COLUMN: the last value of COLUMN in DIR's statistics file.
sipp_stat() {
	awk -F';' -v col="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		c && NF >= c { v = $c }
		END { if (c == "") exit 1; print v }' "$1/stat.csv"
}

# sipp_rtt_max DIR: the largest response time (ms) in DIR's rtt file.
sipp_rtt_max() {
	# whole milliseconds, rounded up (sipp may print 724.001)
	awk -F';' 'FNR > 1 && $2 + 0 > m { m = $2 + 0 }
	    END { printf "%d\n", m == int(m) ? m : int(m) + 1 }' "$1"/*_rtt.csv
}

# udp_bound IP PORT: true if some socket is bound to IP:PORT (UDP).
udp_bound() {
	local hex o
	IFS=. read -r -a o <<<"$1"
	hex=$(printf '%02X%02X%02X%02X:%04X' "${o[3]}" "${o[2]}" "${o[1]}" "${o[0]}" "$2")
	awk -v a="$hex" '$2 == a { f = 1 } END { exit !f }' /proc/net/udp
}

# wait_udp_bound IP PORT SECONDS
wait_udp_bound() {
	local i
	for ((i = 0; i < $3 * 20; i++)); do
		udp_bound "$1" "$2" && return 0
		sleep 0.05
	done
	echo "nothing bound to udp $1:$2 after $3 s" >&2
	return 1
}
