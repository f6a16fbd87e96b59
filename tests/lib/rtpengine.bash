# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash
#
# tests/lib/rtpengine.bash - run throw-away rtpengine instances from bats.
#
#   bats_require_minimum_version 1.5.0
#   bats_load_library bats-support
#   bats_load_library bats-assert
#   load lib/rtpengine
#
#   setup_file()    { rtpengine_start r1; }     # or in setup()
#   teardown_file() { rtpengine_stop_all; }     # or in teardown()
#
#   @test "offer" {
#     run rtpengine_cmd r1 'U call1 127.0.0.1 40000 ftag;1'
#     assert_success          # output: "<port> 127.0.0.1 4"
#   }
#
# Every instance listens on loopback only:
#   control (rtpproxy legacy protocol, UDP)  127.0.0.1:$RTPENGINE_<NAME>_PORT
#   CLI (TCP, what rtpengine-ctl talks to)   127.0.0.1:$RTPENGINE_<NAME>_CLI_PORT
#   media                                    127.0.0.1, ports PORT_MIN..PORT_MAX
#
# Functions (all return non-zero and say why on stderr when they fail):
#   free_udp_port            print a free UDP port on 127.0.0.1
#   free_tcp_port            print a free TCP port on 127.0.0.1
#   free_port_range N        print the base of N consecutive free UDP ports
#   rtpengine_start NAME [EXTRA_RTPENGINE_ARGS...]
#   rtpengine_stop NAME
#   rtpengine_stop_all
#   rtpengine_cmd NAME 'COMMAND'   one rtpproxy-protocol command, prints reply
#   rtpengine_cli NAME 'COMMAND'   one CLI command (e.g. 'list sessions all')
#   rtpengine_sessions NAME        number of live sessions
#   rtpengine_pid NAME / rtpengine_log NAME / rtpengine_url NAME
#
# Environment knobs (all optional):
#   RTPENGINE_BIN         rtpengine binary (default: rtpengine from PATH)
#   RTPENGINE_PYTHON      python interpreter (default: /usr/bin/python3)
#   RTPENGINE_PORT_COUNT  media ports per instance (default 400, min 40)
#   RTPENGINE_LOG_LEVEL   --log-level (default 6)
#   RTPENGINE_CMD_TIMEOUT seconds rtpengine_cmd/rtpengine_cli wait (default 2)
#   RTPENGINE_MAX_LIFETIME seconds after which a forgotten instance is killed
#                         by its watchdog (default 1800)
#   RTPENGINE_STATE_DIR   where logs/pid files go (default: $BATS_TEST_TMPDIR
#                         inside a test/setup/teardown, $BATS_FILE_TMPDIR in
#                         setup_file/teardown_file, a mktemp dir outside bats)
#   RTPENGINE_CMD_UNSAFE=1 let rtpengine_cmd send commands known to break
#                         rtpengine 10.5 (bare VF; D after Q on the same call)

# shellcheck source=tests/lib/proc.bash
source "${BASH_SOURCE[0]%/*}/proc.bash"

: "${RTPENGINE_PYTHON:=/usr/bin/python3}"

# One python helper for everything that needs sockets.  Sub-commands:
#   freeport udp|tcp
#   range N LO HI
#   cmd HOST PORT TIMEOUT COMMAND
#   cli HOST PORT TIMEOUT COMMAND
#   wait HOST PORT TIMEOUT PID
_RTPENGINE_PY='
import os, random, secrets, socket, sys, time

def die(msg, code=1):
    sys.stderr.write(msg + "\n")
    sys.exit(code)

def freeport(kind):
    t = socket.SOCK_DGRAM if kind == "udp" else socket.SOCK_STREAM
    s = socket.socket(socket.AF_INET, t)
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()

def port_free(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()

def prange(n, lo, hi):
    if n < 1 or hi - lo + 1 < n:
        die("free_port_range: cannot fit %d ports in %d-%d" % (n, lo, hi))
    # Prefer bases below the kernel ephemeral range, so that ports handed out
    # by bind(0) (free_udp_port, clients) never fall inside the media range.
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            eph_lo = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        eph_lo = hi + 1
    windows = []
    if eph_lo - 1 - lo + 1 >= n:
        windows.append((lo, min(hi, eph_lo - 1)))
    windows.append((lo, hi))
    rnd = random.SystemRandom()
    attempts = 0
    for wlo, whi in windows:
        for _ in range(40):
            attempts += 1
            base = rnd.randint(wlo, whi - n + 1) & ~1
            if base < wlo:
                base += 2
            if base + n - 1 > whi:
                continue
            if all(port_free(p) for p in range(base, base + n)):
                print(base)
                return
    die("free_port_range: no %d free ports in %d-%d after %d attempts"
        % (n, lo, hi, attempts))

def udp_cmd(host, port, timeout, command):
    cookie = secrets.token_hex(6)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((host, port))
    deadline = time.monotonic() + timeout
    try:
        s.send(("%s %s" % (cookie, command)).encode())
        for _ in range(1000):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            s.settimeout(left)
            try:
                data = s.recv(65536)
            except socket.timeout:
                break
            c, _, rest = data.decode("utf-8", "replace").partition(" ")
            if c == cookie:
                print(rest.rstrip("\r\n"))
                return 0
    except ConnectionRefusedError:
        die("rtpengine_cmd: %s:%d refused (nothing listening)" % (host, port))
    except OSError as e:
        die("rtpengine_cmd: %s:%d: %s" % (host, port, e))
    finally:
        s.close()
    die("rtpengine_cmd: no reply from %s:%d within %gs to: %s"
        % (host, port, timeout, command))

def cli(host, port, timeout, command):
    deadline = time.monotonic() + timeout
    try:
        s = socket.create_connection((host, port), timeout=timeout)
    except OSError as e:
        die("rtpengine_cli: cannot connect to %s:%d: %s" % (host, port, e))
    data = b""
    try:
        s.sendall(command.encode() + b"\n")
        for _ in range(100000):
            left = deadline - time.monotonic()
            if left <= 0:
                die("rtpengine_cli: %s:%d did not finish answering within %gs"
                    % (host, port, timeout))
            s.settimeout(left)
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError as e:
        die("rtpengine_cli: %s:%d: %s" % (host, port, e))
    finally:
        s.close()
    sys.stdout.write(data.decode("utf-8", "replace"))

def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False

def wait_ready(host, port, timeout, pid):
    deadline = time.monotonic() + timeout
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((host, port))
    for _ in range(1000):
        if not alive(pid):
            die("rtpengine (pid %d) exited during startup" % pid, 3)
        if time.monotonic() >= deadline:
            break
        cookie = secrets.token_hex(6)
        try:
            s.send(("%s V" % cookie).encode())
            s.settimeout(0.1)
            data = s.recv(65536).decode("utf-8", "replace")
            if data.split() == [cookie, "20040107"]:
                return 0
        except (socket.timeout, ConnectionRefusedError):
            pass
        time.sleep(0.05)
    die("rtpengine did not answer V on %s:%d within %gs" % (host, port, timeout))

sub, args = sys.argv[1], sys.argv[2:]
if sub == "freeport":
    freeport(args[0])
elif sub == "range":
    prange(int(args[0]), int(args[1]), int(args[2]))
elif sub == "cmd":
    sys.exit(udp_cmd(args[0], int(args[1]), float(args[2]), args[3]))
elif sub == "cli":
    cli(args[0], int(args[1]), float(args[2]), args[3])
elif sub == "wait":
    sys.exit(wait_ready(args[0], int(args[1]), float(args[2]), int(args[3])))
else:
    die("unknown sub-command %r" % sub, 2)
'

_rtpengine_py() {
	"$RTPENGINE_PYTHON" -c "$_RTPENGINE_PY" "$@"
}

# free_udp_port: print a UDP port on 127.0.0.1 that was free a moment ago
# (the kernel picks it: python binds port 0 and reports what it got).
free_udp_port() {
	_rtpengine_py freeport udp
}

# free_tcp_port: same for TCP (used for rtpengine's CLI listener).
free_tcp_port() {
	_rtpengine_py freeport tcp
}

# free_port_range N [LO [HI]]: print an even base B such that the UDP ports
# B..B+N-1 on 127.0.0.1 are all free, with LO <= B and B+N-1 <= HI
# (default 20000-60000).  Bases below the kernel's ephemeral port range are
# preferred.  At most 80 random candidates are tried.
free_port_range() {
	local n=${1:?usage: free_port_range N [LO [HI]]} lo=${2:-20000} hi=${3:-60000}
	_rtpengine_py range "$n" "$lo" "$hi"
}

# Instance NAME -> upper-case variable stem: r1 -> R1.
_rtpengine_var() {
	local name=$1
	if [[ ! $name =~ ^[A-Za-z0-9_]+$ ]]; then
		printf 'rtpengine: bad instance name %q (use letters, digits, _)\n' "$name" >&2
		return 1
	fi
	printf '%s\n' "${name^^}"
}

# _rtpengine_state_dir: set _rtpengine_dir to the directory for logs, pid
# and state files.  Call it directly, not in $(...): outside bats it creates
# a directory once and exports RTPENGINE_STATE_DIR for later calls.
_rtpengine_state_dir() {
	proc_state_dir RTPENGINE_STATE_DIR rtpengine-helpers || return 1
	_rtpengine_dir=$_proc_dir
}

# _rtpengine_is_ours PID CONTROL_PORT: true if PID is a live (non-zombie)
# rtpengine whose command line has our control port (guards against PID reuse).
_rtpengine_is_ours() {
	proc_runs_with "$1" "*--listen-udp=127.0.0.1:$2 *"
}

# rtpengine_start NAME [EXTRA_ARGS...]
#
# Start an rtpengine on a free control port, a free TCP CLI port and a free
# range of RTPENGINE_PORT_COUNT (400) media ports, all on 127.0.0.1; wait (at
# most 10 s) until it answers "V" with 20040107.  EXTRA_ARGS are appended to
# the rtpengine command line.  Exports, with <N> = NAME in upper case:
#   RTPENGINE_<N>_PORT        control port (UDP, rtpproxy protocol)
#   RTPENGINE_URL_<N>         udp:127.0.0.1:<port>
#   RTPENGINE_<N>_CLI_PORT    CLI port (TCP; rtpengine-ctl -ip 127.0.0.1 -port P)
#   RTPENGINE_<N>_PORT_MIN / RTPENGINE_<N>_PORT_MAX   media port range
#   RTPENGINE_<N>_PID         process id
#   RTPENGINE_<N>_LOG         log file (DIR/NAME.rtpengine.log)
#   RTPENGINE_<N>_STATE       state file (DIR/NAME.rtpengine.state)
# DIR is $BATS_TEST_TMPDIR in setup/tests/teardown, $BATS_FILE_TMPDIR in
# setup_file.  Fails loudly (status 1, message on stderr, log tail) if
# rtpengine is not installed or does not come up; startup is retried with
# new ports at most 3 times if the process exits (e.g. a port was taken).
# A watchdog kills the instance when the shell that started it (the bats
# test or file process) is gone, or after RTPENGINE_MAX_LIFETIME seconds.
rtpengine_start() {
	local name=${1:?usage: rtpengine_start NAME [EXTRA_ARGS...]}
	shift
	local var dir bin count loglevel lifetime
	var=$(_rtpengine_var "$name") || return 1
	bin=${RTPENGINE_BIN:-$(command -v rtpengine 2>/dev/null)}
	if [[ -z $bin || ! -x $bin ]]; then
		echo "rtpengine_start: rtpengine not found (install the rtpengine-daemon package, or set RTPENGINE_BIN)" >&2
		return 1
	fi
	if [[ ! -x $RTPENGINE_PYTHON ]]; then
		echo "rtpengine_start: $RTPENGINE_PYTHON not found" >&2
		return 1
	fi
	local old_state_var="RTPENGINE_${var}_STATE"
	if [[ -n ${!old_state_var:-} && -e ${!old_state_var} ]]; then
		local old_pid_var="RTPENGINE_${var}_PID" old_port_var="RTPENGINE_${var}_PORT"
		if _rtpengine_is_ours "${!old_pid_var:-}" "${!old_port_var:-}"; then
			echo "rtpengine_start: instance '$name' is already running (pid ${!old_pid_var})" >&2
			return 1
		fi
	fi
	_rtpengine_state_dir || return 1
	dir=$_rtpengine_dir
	count=${RTPENGINE_PORT_COUNT:-400}
	((count >= 40)) || count=40
	loglevel=${RTPENGINE_LOG_LEVEL:-6}
	lifetime=${RTPENGINE_MAX_LIFETIME:-1800}

	local log="$dir/$name.rtpengine.log" pidfile="$dir/$name.rtpengine.pid"
	local state="$dir/$name.rtpengine.state"
	local attempt port cli_port base port_max pid rc i
	for attempt in 1 2 3; do
		base=$(free_port_range "$count") || return 1
		port_max=$((base + count - 1))
		# Control/CLI ports come from bind(0), i.e. normally from the
		# ephemeral range; make sure they are outside the media range.
		port='' cli_port=''
		for i in 1 2 3 4 5 6 7 8 9 10; do
			port=$(free_udp_port) || return 1
			((port < base || port > port_max)) && break
			port=''
		done
		for i in 1 2 3 4 5 6 7 8 9 10; do
			cli_port=$(free_tcp_port) || return 1
			((cli_port < base || cli_port > port_max)) && ((cli_port != port)) && break
			cli_port=''
		done
		if [[ -z $port || -z $cli_port ]]; then
			echo "rtpengine_start: could not find control/CLI ports outside $base-$port_max" >&2
			return 1
		fi
		local -a args=(
			--config-file=none --table=-1 --foreground --log-stderr
			--log-level="$loglevel"
			--interface=127.0.0.1
			--listen-udp="127.0.0.1:$port"
			--listen-cli="127.0.0.1:$cli_port"
			--port-min="$base" --port-max="$port_max"
			--tos=0 --timeout=60 --silent-timeout=3600 --delete-delay=0
			--num-threads=2 --pidfile="$pidfile"
		)
		{
			printf '### rtpengine_start %s attempt %d:' "$name" "$attempt"
			printf ' %q' "$bin" "${args[@]}" "$@"
			printf '\n'
		} >>"$log"
		rm -f "$pidfile"
		# fd 3 is closed so that bats does not wait for the daemon.
		"$bin" "${args[@]}" "$@" </dev/null >>"$log" 2>&1 3>&- &
		pid=$!
		rc=0
		_rtpengine_py wait 127.0.0.1 "$port" 10 "$pid" || rc=$?
		if ((rc == 0)); then
			break
		fi
		# Not up: make sure it is gone, then maybe retry.
		kill -KILL "$pid" 2>/dev/null || true
		local status=0
		wait "$pid" 2>/dev/null || status=$?
		if ((rc != 3)); then
			break # it was running but silent: retrying would not help
		fi
		# rtpengine exits 255 both for a port in use (with a CRIT line in
		# the log) and for an unknown option (silently).
		echo "### rtpengine exited with status $status" >>"$log"
		echo "rtpengine_start: $name exited with status $status during startup (attempt $attempt of 3)" >&2
	done
	if ((rc != 0)); then
		echo "rtpengine_start: instance '$name' failed to start; last lines of $log:" >&2
		tail -n 20 "$log" >&2
		return 1
	fi

	# Watchdog: kill the daemon if the starting shell ($$: the bats test or
	# file process) goes away without stopping it, or after $lifetime s.
	local owner=$$ ticks=$((lifetime * 2))
	(
		trap - EXIT ERR
		i=0
		while ((i < ticks)); do
			kill -0 "$owner" 2>/dev/null || break
			_rtpengine_is_ours "$pid" "$port" || exit 0
			sleep 0.5
			i=$((i + 1))
		done
		if _rtpengine_is_ours "$pid" "$port"; then
			kill -TERM "$pid" 2>/dev/null
			i=0
			while ((i < 20)) && _rtpengine_is_ours "$pid" "$port"; do
				sleep 0.1
				i=$((i + 1))
			done
			_rtpengine_is_ours "$pid" "$port" && kill -KILL "$pid" 2>/dev/null
		fi
		exit 0
	) </dev/null >/dev/null 2>&1 3>&- &
	local watchdog=$!

	printf 'name=%s\npid=%s\nport=%s\ncli_port=%s\nport_min=%s\nport_max=%s\nwatchdog=%s\nowner=%s\nlog=%s\n' \
		"$name" "$pid" "$port" "$cli_port" "$base" "$port_max" "$watchdog" "$owner" "$log" >"$state"

	export "RTPENGINE_${var}_PORT=$port"
	export "RTPENGINE_URL_${var}=udp:127.0.0.1:$port"
	export "RTPENGINE_${var}_CLI_PORT=$cli_port"
	export "RTPENGINE_${var}_PORT_MIN=$base"
	export "RTPENGINE_${var}_PORT_MAX=$port_max"
	export "RTPENGINE_${var}_PID=$pid"
	export "RTPENGINE_${var}_LOG=$log"
	export "RTPENGINE_${var}_STATE=$state"
	export "RTPENGINE_${var}_WATCHDOG=$watchdog"
	return 0
}

# _rtpengine_stop_pid PID PORT WATCHDOG: SIGTERM, wait <= 2 s, SIGKILL,
# wait <= 2 s.  Returns 1 only if the process is still there at the end.
_rtpengine_stop_pid() {
	local pid=$1 port=$2 watchdog=$3 i
	if _rtpengine_is_ours "$pid" "$port"; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 40; i++)); do
			_rtpengine_is_ours "$pid" "$port" || break
			sleep 0.05
		done
		if _rtpengine_is_ours "$pid" "$port"; then
			echo "rtpengine_stop: pid $pid ignored SIGTERM for 2 s, sending SIGKILL" >&2
			kill -KILL "$pid" 2>/dev/null || true
			for ((i = 0; i < 40; i++)); do
				_rtpengine_is_ours "$pid" "$port" || break
				sleep 0.05
			done
		fi
	fi
	# Reap it if it is our child (no-op otherwise), so kill -0 sees it gone.
	wait "$pid" 2>/dev/null || true
	if [[ $watchdog =~ ^[0-9]+$ ]] && kill -0 "$watchdog" 2>/dev/null; then
		kill -TERM "$watchdog" 2>/dev/null || true
		wait "$watchdog" 2>/dev/null || true
	fi
	if _rtpengine_is_ours "$pid" "$port"; then
		echo "rtpengine_stop: pid $pid is still running" >&2
		return 1
	fi
	return 0
}

_rtpengine_state_get() { # FILE KEY
	sed -n "s/^$2=//p" "$1" 2>/dev/null | head -n 1
}

# rtpengine_stop NAME: stop the instance (SIGTERM; SIGKILL if it has not
# exited after 2 s), reap it, stop its watchdog, unset its variables except
# RTPENGINE_<N>_LOG.  Succeeds if the instance was already stopped; fails
# if NAME was never started or the process could not be killed.
rtpengine_stop() {
	local name=${1:?usage: rtpengine_stop NAME} var state_var state pid port watchdog
	var=$(_rtpengine_var "$name") || return 1
	state_var="RTPENGINE_${var}_STATE"
	state=${!state_var:-}
	if [[ -z $state ]]; then
		local dir
		_rtpengine_state_dir || return 1
		dir=$_rtpengine_dir
		state="$dir/$name.rtpengine.state"
	fi
	if [[ ! -e $state ]]; then
		# Already stopped (e.g. in a test) or never started.
		local pid_var="RTPENGINE_${var}_PID"
		if [[ -n ${!state_var:-} ]]; then
			unset "RTPENGINE_${var}_PORT" "RTPENGINE_URL_${var}" "RTPENGINE_${var}_CLI_PORT" \
				"RTPENGINE_${var}_PORT_MIN" "RTPENGINE_${var}_PORT_MAX" "$pid_var" \
				"RTPENGINE_${var}_STATE" "RTPENGINE_${var}_WATCHDOG"
			return 0
		fi
		local log_var="RTPENGINE_${var}_LOG"
		if [[ -n ${!log_var:-} && -e ${!log_var} ]]; then
			return 0 # started and stopped before
		fi
		echo "rtpengine_stop: no instance named '$name'" >&2
		return 1
	fi
	pid=$(_rtpengine_state_get "$state" pid)
	port=$(_rtpengine_state_get "$state" port)
	watchdog=$(_rtpengine_state_get "$state" watchdog)
	_rtpengine_stop_pid "$pid" "$port" "$watchdog" || return 1
	rm -f "$state"
	unset "RTPENGINE_${var}_PORT" "RTPENGINE_URL_${var}" "RTPENGINE_${var}_CLI_PORT" \
		"RTPENGINE_${var}_PORT_MIN" "RTPENGINE_${var}_PORT_MAX" "RTPENGINE_${var}_PID" \
		"RTPENGINE_${var}_STATE" "RTPENGINE_${var}_WATCHDOG"
	return 0
}

# rtpengine_stop_all: stop every instance started in the current scope:
# from a test/setup/teardown, those started in that test (state files in
# $BATS_TEST_TMPDIR); from setup_file/teardown_file, those started there
# ($BATS_FILE_TMPDIR).  So a teardown's stop_all leaves setup_file's
# instances running.  Returns non-zero if any could not be stopped.
rtpengine_stop_all() {
	local dir state name rc=0
	_rtpengine_state_dir || return 1
	dir=$_rtpengine_dir
	for state in "$dir"/*.rtpengine.state; do
		[[ -e $state ]] || continue
		name=$(_rtpengine_state_get "$state" name)
		rtpengine_stop "$name" || rc=1
	done
	return "$rc"
}

# _rtpengine_addr NAME_OR_URL: print "HOST PORT".  Accepts an instance name,
# udp:HOST:PORT or HOST:PORT.
_rtpengine_addr() {
	local target=$1 var port_var
	if [[ $target =~ ^(udp:)?([^:]+):([0-9]+)$ ]]; then
		printf '%s %s\n' "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}"
		return 0
	fi
	var=$(_rtpengine_var "$target") || return 1
	port_var="RTPENGINE_${var}_PORT"
	if [[ -z ${!port_var:-} ]]; then
		echo "rtpengine: no running instance named '$target' (\$$port_var is not set)" >&2
		return 1
	fi
	printf '127.0.0.1 %s\n' "${!port_var}"
}

# rtpengine_cmd NAME 'COMMAND': send "COOKIE COMMAND" (fresh random cookie,
# no trailing newline) to the instance's control port over UDP and print the
# reply with the cookie removed, e.g. rtpengine_cmd r1 V -> 20040107.
# Waits at most RTPENGINE_CMD_TIMEOUT (2) s; exits 1 if no reply came.
# NAME may also be udp:HOST:PORT or HOST:PORT.
# Refuses (exit 2) commands that break rtpengine 10.5 unless
# RTPENGINE_CMD_UNSAFE=1: a bare "VF" (crashes it) and "D" for a call-id
# that was queried with "Q" through rtpengine_cmd before (D never answers
# and the daemon then ignores SIGTERM).
rtpengine_cmd() {
	local name=${1:?usage: rtpengine_cmd NAME COMMAND} command=${2:?usage: rtpengine_cmd NAME COMMAND}
	local addr host port
	addr=$(_rtpengine_addr "$name") || return 1
	read -r host port <<<"$addr"
	local -a words
	read -r -a words <<<"$command"
	local verb=${words[0]^^} callid=${words[1]:-}
	local qfile=''
	if [[ $name =~ ^[A-Za-z0-9_]+$ ]]; then
		local dir
		_rtpengine_state_dir || return 1
		dir=$_rtpengine_dir
		qfile="$dir/$name.rtpengine.queried"
	fi
	if [[ ${RTPENGINE_CMD_UNSAFE:-0} != 1 ]]; then
		if [[ $verb == VF && ${#words[@]} -eq 1 ]]; then
			echo "rtpengine_cmd: refusing a bare 'VF' (crashes rtpengine 10.5); set RTPENGINE_CMD_UNSAFE=1 to send it anyway" >&2
			return 2
		fi
		if [[ $verb == D* && -n $qfile && -n $callid ]] && grep -qxF -- "$callid" "$qfile" 2>/dev/null; then
			echo "rtpengine_cmd: refusing 'D' for call '$callid' after 'Q' (hangs rtpengine 10.5); set RTPENGINE_CMD_UNSAFE=1 to send it anyway" >&2
			return 2
		fi
	fi
	if [[ $verb == Q* && -n $qfile && -n $callid ]]; then
		printf '%s\n' "$callid" >>"$qfile"
	fi
	_rtpengine_py cmd "$host" "$port" "${RTPENGINE_CMD_TIMEOUT:-2}" "$command"
}

# rtpengine_cli NAME 'COMMAND': send one command to the instance's CLI (TCP,
# the protocol of rtpengine-ctl) and print the whole answer.  Bounded by
# RTPENGINE_CMD_TIMEOUT (2) s.  Examples: 'list numsessions',
# 'list sessions all', 'list totals', 'terminate all'.
rtpengine_cli() {
	local name=${1:?usage: rtpengine_cli NAME COMMAND} command=${2:?usage: rtpengine_cli NAME COMMAND}
	local var cli_var
	var=$(_rtpengine_var "$name") || return 1
	cli_var="RTPENGINE_${var}_CLI_PORT"
	if [[ -z ${!cli_var:-} ]]; then
		echo "rtpengine_cli: no running instance named '$name' (\$$cli_var is not set)" >&2
		return 1
	fi
	_rtpengine_py cli 127.0.0.1 "${!cli_var}" "${RTPENGINE_CMD_TIMEOUT:-2}" "$command"
}

# rtpengine_sessions NAME: print the number of live sessions (calls) the
# instance holds: "Current sessions total" from the CLI's
# 'list numsessions' (same as: rtpengine-ctl -ip 127.0.0.1 -port
# $RTPENGINE_<N>_CLI_PORT list numsessions).  With --delete-delay=0 a call
# disappears from the count as soon as D is answered.  Note: the legacy
# protocol itself has no such query ('I' answers E8).
rtpengine_sessions() {
	local name=${1:?usage: rtpengine_sessions NAME} out n
	out=$(rtpengine_cli "$name" 'list numsessions') || return 1
	n=$(sed -n 's/^Current sessions total: *\([0-9][0-9]*\).*/\1/p' <<<"$out" | head -n 1)
	if [[ -z $n ]]; then
		echo "rtpengine_sessions: unexpected CLI answer: $out" >&2
		return 1
	fi
	printf '%s\n' "$n"
}

# rtpengine_pid / rtpengine_log / rtpengine_url NAME: print what they say.
rtpengine_pid() {
	local var v
	var=$(_rtpengine_var "${1:?usage: rtpengine_pid NAME}") || return 1
	v="RTPENGINE_${var}_PID"
	[[ -n ${!v:-} ]] || { echo "rtpengine_pid: no instance '$1'" >&2; return 1; }
	printf '%s\n' "${!v}"
}

rtpengine_log() {
	local var v
	var=$(_rtpengine_var "${1:?usage: rtpengine_log NAME}") || return 1
	v="RTPENGINE_${var}_LOG"
	[[ -n ${!v:-} ]] || { echo "rtpengine_log: no instance '$1'" >&2; return 1; }
	printf '%s\n' "${!v}"
}

rtpengine_url() {
	local var v
	var=$(_rtpengine_var "${1:?usage: rtpengine_url NAME}") || return 1
	v="RTPENGINE_URL_${var}"
	[[ -n ${!v:-} ]] || { echo "rtpengine_url: no instance '$1'" >&2; return 1; }
	printf '%s\n' "${!v}"
}
