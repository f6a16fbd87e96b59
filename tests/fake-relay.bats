#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
#
# Tests of the fake relay itself (tests/fake-relay.c) and of its bats
# helpers (tests/lib/fake.bash).  The client is a small python3 script.
#
# Run: FAKE_RELAY=/path/to/fake-relay bats tests/fake-relay.bats
# (without FAKE_RELAY, tests/fake-relay beside this file, then PATH).

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
load lib/fake

setup_file() {
	if [[ -z ${FAKE_RELAY-} && -x $BATS_TEST_DIRNAME/fake-relay ]]; then
		export FAKE_RELAY=$BATS_TEST_DIRNAME/fake-relay
	fi
	export FAKE_RELAY=${FAKE_RELAY:-fake-relay}
	# The interpreter itself, run with -S: a pyenv shim and site-packages
	# would cost ~150 ms a run.
	PY=$(python3 -c 'import sys; print(sys.executable)')
	export PY
	# A test client.  "udp PORT|udp6 PORT [-n N] MSG..." sends each MSG
	# (python escapes such as \n and \x00 are decoded) as a datagram and
	# prints the next N (default 1) datagrams received, one a line,
	# escaped like the relay's log.  With -n 0 it does not wait: a later
	# MSG's reply shows what came first; after a last MSG sent with -n 0
	# it waits 200 ms (-w MS to change) and fails if anything comes.  "unix PATH [-shut] [-hold MS] MSG" sends MSG on a
	# new connection (then shuts down the write side, or waits MS ms
	# before sending) and prints everything read until EOF as one line.
	cat >"$BATS_FILE_TMPDIR/client.py" <<'EOF'
import select, socket, sys, time

def esc(b):
    return ''.join(chr(c) if 0x20 <= c <= 0x7e and c != 0x5c
                   else '\\x%02x' % c for c in b)

def dec(s):
    return s.encode('utf-8').decode('unicode_escape').encode('latin-1')

def wait(s, t):
    return select.select([s], [], [], t)[0]

mode, addr, args = sys.argv[1], sys.argv[2], sys.argv[3:]
if mode == 'unix':
    shut, hold = False, 0
    while args[0].startswith('-'):
        if args[0] == '-shut':
            shut = True
            args = args[1:]
        elif args[0] == '-hold':
            hold, args = int(args[1]), args[2:]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(addr)
    if hold:
        time.sleep(hold / 1000.0)
    s.sendall(dec(args[0]))
    if shut:
        s.shutdown(socket.SHUT_WR)
    got = b''
    while True:
        if not wait(s, 3.0):
            print('TIMEOUT')
            sys.exit(1)
        b = s.recv(65536)
        if not b:
            break
        got += b
    print(esc(got))
    sys.exit(0)

fam, host = ((socket.AF_INET, '127.0.0.1') if mode == 'udp'
             else (socket.AF_INET6, '::1'))
s = socket.socket(fam, socket.SOCK_DGRAM)
s.connect((host, int(addr)))
n, last, rc = 1, 200, 0
while args:
    a, args = args[0], args[1:]
    if a == '-n':
        n, args = int(args[0]), args[1:]
        continue
    if a == '-w':
        last, args = int(args[0]), args[1:]
        continue
    s.send(dec(a))
    for _ in range(n):
        if not wait(s, 3.0):
            print('TIMEOUT')
            sys.exit(1)
        print(esc(s.recv(1 << 17)))
if n == 0 and last > 0 and wait(s, last / 1000.0):
    print(esc(s.recv(1 << 17)))
    rc = 1
sys.exit(rc)
EOF
}

teardown() {
	fake_stop_all
}

# udp NAME ARGS...: run the client against instance NAME.
udp() {
	local var=FAKE_${1^^}_PORT

	shift
	"$PY" -S "$BATS_FILE_TMPDIR/client.py" udp "${!var}" "$@"
}

# unixc NAME ARGS...: run the unix client against instance NAME.
unixc() {
	local var=FAKE_URL_${1^^}

	shift
	"$PY" -S "$BATS_FILE_TMPDIR/client.py" unix "${!var#unix:}" "$@"
}

@test "fake_start sets the port and URL, writes the pid and port files" {
	fake_start a
	[[ $FAKE_A_PORT =~ ^[0-9]+$ ]]
	(( FAKE_A_PORT > 0 ))
	assert_equal "$FAKE_URL_A" "udp:127.0.0.1:$FAKE_A_PORT"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/a.port")" "$FAKE_A_PORT"
	fake_running a
	run -0 --separate-stderr bash -c 'env | grep "^FAKE_A_PORT="'
	assert_output "FAKE_A_PORT=$FAKE_A_PORT"
	fake_stop a
	assert [ ! -e "$BATS_TEST_TMPDIR/a.pid" ]
	run ! --separate-stderr fake_running a
	assert_equal "$(cat "$BATS_TEST_TMPDIR/a.err")" ""
}

@test "built-in replies" {
	fake_start a
	run -0 --separate-stderr udp a 'c1 V' 'c2 VF 20040107' 'c3 VF 20050322' \
	    'c4 VF 20060704\n' 'c5 VF 20081102' 'c6 U abc 10.0.0.1 4000 t' \
	    'c7 Lc0 abc 10.0.0.1 4000 t f' 'c8 D abc t f' 'c9 R abc' \
	    'c10 P abc x' 'c11 S abc' 'c12 Q abc t f' 'c13 I' 'c14 v' \
	    'c15 u x' 'c16 V\r\n'
	assert_output "c1 20040107\\x0a
c2 1\\x0a
c3 1\\x0a
c4 1\\x0a
c5 0\\x0a
c6 30000 127.0.0.1\\x0a
c7 30002 127.0.0.1\\x0a
c8 0\\x0a
c9 0\\x0a
c10 0\\x0a
c11 0\\x0a
c12 60 0 0 0 0\\x0a
c13 E1\\x0a
c14 20040107\\x0a
c15 30004 127.0.0.1\\x0a
c16 20040107\\x0a"
}

@test "the log escapes bytes, fake_log strips cookies, fake_count counts" {
	fake_start a
	run -0 --separate-stderr udp a 'k1 V\n' 'nospace\r\n' 'k2 U a\\b\r\n' \
	    'k3 \x00\xff\x7f~'
	assert_output 'k1 20040107\x0a
nospace E1\x0a
k2 30000 127.0.0.1\x0a
k3 E1\x0a'
	assert_equal "$(cat "$BATS_TEST_TMPDIR/a.log")" 'k1 V\x0a
nospace\x0d\x0a
k2 U a\x5cb\x0d\x0a
k3 \x00\xff\x7f~'
	run -0 --separate-stderr fake_log a
	assert_output 'V\x0a

U a\x5cb\x0d\x0a
\x00\xff\x7f~'
	run -0 --separate-stderr fake_count a
	assert_output 4
}

@test "rules: first match wins, N* limits uses, then the defaults" {
	fake_start a '# a comment

2* U * -> reply %p 192.0.2.1
  U x* -> reply ux
VF 20081102 -> reply 1
1* VF * -> reply first
D * -> reply %%p %% 100%%'
	run -0 --separate-stderr udp a 'c U a' 'c U x' 'c U x' 'c U y' 'c VF 20081102' \
	    'c VF 1' 'c VF 2' 'c D 1'
	assert_output 'c 30000 192.0.2.1\x0a
c 30002 192.0.2.1\x0a
c ux\x0a
c 30004 127.0.0.1\x0a
c 1\x0a
c first\x0a
c 0\x0a
c %p % 100%\x0a'
}

@test "reply escapes, cookie, stale, raw" {
	fake_start a 'A -> reply a\tb\\c\x41\r
B -> cookie other reply 0
C -> stale 2 reply 7
E -> raw junk\x20data raw x\n reply ok'
	run -0 --separate-stderr udp a 'c A' 'c B' -n 3 'c C' 'c E'
	assert_output 'c a\x09b\x5ccA\x0d\x0a
other 0\x0a
stale1 0\x0a
stale2 0\x0a
c 7\x0a
junk data
x\x0a
c ok\x0a'
	run -0 --separate-stderr fake_log a
	assert_output 'A
B
C
E'
}

@test "truncate and big" {
	fake_start a 'T -> truncate 4 reply 12345
B -> big 2000 reply 0
BT -> big 100 truncate 50 reply 0
S -> big 2 reply 0'
	run -0 --separate-stderr udp a 'ck T' 'ck B' 'ck BT' 'ck S'
	assert_line --index 0 'ck 1'
	# "ck 0" + 1995 x + "\x0a" = 2000 bytes, escaped newline is 4 chars
	assert_equal "${#lines[1]}" 2003
	assert_regex "${lines[1]}" '^ck 0x+\\x0a$'
	assert_equal "${#lines[2]}" 50
	assert_regex "${lines[2]}" '^ck 0x+$'
	assert_line --index 3 'ck 0\x0a'
}

@test "silent, delay and default off" {
	fake_start a 'X -> silent
Y -> delay 200 reply late'
	run -0 --separate-stderr udp a -n 0 'c1 X' -n 1 'c2 V'
	assert_output 'c2 20040107\x0a'
	local t0=${EPOCHREALTIME/[.,]/} t1
	run -0 --separate-stderr udp a 'c Y'
	t1=${EPOCHREALTIME/[.,]/}
	assert_output 'c late\x0a'
	(( t1 - t0 >= 200000 ))
	fake_script a 'default off
P -> reply pong'
	run -0 --separate-stderr udp a -n 0 'c1 V' 'c2 U x' 'c3 X' -n 1 'c4 P'
	assert_output 'c4 pong\x0a'
	run -0 --separate-stderr udp a -n 0 'c5 V'
	assert_equal "$(fake_count a)" 8
}

@test "fake_script replaces the rules mid-run, uses are reset" {
	fake_start a '1* V -> reply one'
	run -0 --separate-stderr udp a 'c V' 'c V'
	assert_output 'c one\x0a
c 20040107\x0a'
	# Same size and (likely) same second: the new inode gives it away.
	fake_script a '1* V -> reply two'
	run -0 --separate-stderr udp a 'c V' 'c V'
	assert_output 'c two\x0a
c 20040107\x0a'
	fake_script a '* -> reply any'
	run -0 --separate-stderr udp a 'c V'
	assert_output 'c any\x0a'
	# An in-place rewrite is seen too (mtime in nanoseconds, size).
	printf '* -> reply inplace\n' >"$BATS_TEST_TMPDIR/a.script"
	run -0 --separate-stderr udp a 'c V'
	assert_output 'c inplace\x0a'
}

@test "bad scripts are refused, the old rules stay" {
	run ! --separate-stderr fake_start a 'V -> delay'
	run ! --separate-stderr fake_start b 'V -> frobnicate'
	assert_regex "$stderr" 'unknown action'
	fake_start c 'V -> reply ok'
	for bad in 'V ->' 'V reply 1' 'V -> reply %q' 'V -> reply \q' \
	    'V -> delay x' 'V -> exit reply 1' 'V -> silent exit silent' \
	    'V -> silent reply 0' 'V -> cookie' 'V -> reply \x4'; do
		run ! --separate-stderr fake_script c "$bad"
	done
	run -0 --separate-stderr udp c 'c V'
	assert_output 'c ok\x0a'
	# Written behind the checker's back: reported, old rules kept.
	printf 'V -> bogus\n' >"$BATS_TEST_TMPDIR/c.script"
	run -0 --separate-stderr udp c 'c V'
	assert_output 'c ok\x0a'
	run -0 --separate-stderr cat "$BATS_TEST_TMPDIR/c.err"
	assert_output --partial 'c.script:1: unknown action'
	run ! --separate-stderr "$FAKE_RELAY" -c -s "$BATS_TEST_TMPDIR/c.script"
	printf '3* V* -> delay 1 stale 1 raw a cookie b truncate 9 big 9 reply x exit\n' \
	    >"$BATS_TEST_TMPDIR/ok.script"
	run -0 --separate-stderr "$FAKE_RELAY" -c -s "$BATS_TEST_TMPDIR/ok.script"
}

@test "exit: the relay dies after the preceding actions" {
	fake_start a 'K -> reply bye exit
Q -> exit'
	run -0 --separate-stderr udp a 'c V' 'c K'
	assert_output 'c 20040107\x0a
c bye\x0a'
	fake_wait_exit a
	run ! --separate-stderr fake_running a
	run ! --separate-stderr udp a -n 0 'c V'
	fake_stop a
	assert_equal "$(fake_count a)" 2
	# Restarting the same name appends to the log.
	fake_start a 'Q -> exit'
	run -0 --separate-stderr udp a -n 0 -w 0 'c Q'
	fake_wait_count a 3
	fake_stop a
	assert_equal "$(fake_count a)" 3
}

@test "unix socket: newline, EOF and quiet end a command" {
	fake_start_unix u 'X -> cookie ck reply x%p
Z -> stale 1 raw r reply z'
	[[ $FAKE_URL_U == unix:/tmp/rtpp*/s ]]
	local path=${FAKE_URL_U#unix:}
	[[ -S $path ]]
	run -0 --separate-stderr unixc u 'V\n'
	assert_output '20040107\x0a'
	run -0 --separate-stderr unixc u -shut 'VF 20040107'
	assert_output '1\x0a'
	run -0 --separate-stderr unixc u 'U a b'
	assert_output '30000 127.0.0.1\x0a'
	run -0 --separate-stderr unixc u -hold 150 'X\r\n'
	assert_output 'ck x30002\x0a'
	run -0 --separate-stderr unixc u 'Z\n'
	assert_output 'stale1 0\x0arz\x0a'
	run -0 --separate-stderr fake_log u
	assert_output 'V\x0a
VF 20040107
U a b
X\x0d\x0a
Z\x0a'
	fake_stop u
	[[ ! -e $path ]]
	[[ ! -e ${path%/s} ]]
}

@test "unix socket: exit leaves the socket file, stop cleans up" {
	fake_start_unix u 'K -> reply bye exit'
	local path=${FAKE_URL_U#unix:}
	run -0 --separate-stderr unixc u 'K\n'
	assert_output 'bye\x0a'
	fake_wait_exit u
	[[ -S $path ]]
	run ! --separate-stderr unixc u 'V\n'
	assert_regex "$stderr" 'ConnectionRefused'
	fake_stop u
	[[ ! -e ${path%/s} ]]
}

@test "only loopback addresses, valid listen specs" {
	local d=$BATS_TEST_TMPDIR spec
	for spec in udp:0.0.0.0:0 udp:192.0.2.1:0 udp6:::0 'udp6:[::]:0' \
	    udp:localhost:0 udp:127.0.0.1 udp:127.0.0.1:70000 \
	    udp:127.0.0.1:x tcp:127.0.0.1:0 unix: udp6:127.0.0.1:0; do
		: >"$d/s"
		run ! --separate-stderr "$FAKE_RELAY" -l "$spec" -s "$d/s" -o "$d/log" -t 1
		assert [ -n "$output$stderr" ]
	done
	run -2 --separate-stderr "$FAKE_RELAY" -l unix:/x -s "$d/s"
	assert_regex "$stderr" usage
	run ! --separate-stderr "$FAKE_RELAY" -l udp:127.0.0.1:0 -s "$d/s" -o "$d/log" -t 0
	run ! --separate-stderr "$FAKE_RELAY" -l udp:127.0.0.1:0 -s "$d/missing" -o "$d/log"
	local f
	f=$(mktemp /tmp/rtppXXXX)
	run ! --separate-stderr "$FAKE_RELAY" -l "unix:$f" -s "$d/s" -o "$d/log" -t 1
	rm -f "$f"
	assert_regex "$stderr" 'not a socket'
}

@test "udp6 on ::1" {
	if ! "$PY" -c 'import socket; socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).bind(("::1", 0))' 2>/dev/null; then
		skip 'no IPv6 loopback'
	fi
	local d=$BATS_TEST_TMPDIR
	: >"$d/s"
	"$FAKE_RELAY" -l 'udp6:::1:0' -s "$d/s" -o "$d/log" -p "$d/port" \
	    -P "$d/pid" -t 5 3>&- &
	local pid=$! i
	for (( i = 0; i < 500; i++ )); do
		[[ -s $d/pid ]] && break
		sleep 0.01
	done
	run -0 --separate-stderr "$PY" -S "$BATS_FILE_TMPDIR/client.py" udp6 "$(cat "$d/port")" \
	    'c6 V'
	kill "$pid"
	wait "$pid"
	assert_output 'c6 20040107\x0a'
	assert [ ! -e "$d/pid" ]
}

@test "-t ends the relay, SIGTERM exits cleanly" {
	local d=$BATS_TEST_TMPDIR t0 t1 rc tpid
	: >"$d/s"
	t0=${EPOCHREALTIME/[.,]/}
	"$FAKE_RELAY" -l udp:127.0.0.1:0 -s "$d/s" -o "$d/log" -P "$d/pid" \
	    -t 1 3>&- &
	tpid=$!
	# Meanwhile: a long delay is cut short by SIGTERM.
	fake_start a 'V -> delay 60000 reply late'
	run -0 --separate-stderr udp a -n 0 -w 0 'c V'
	fake_wait_count a 1
	local pid=$FAKE_PID_A
	t1=${EPOCHREALTIME/[.,]/}
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 0
	(( ${EPOCHREALTIME/[.,]/} - t1 < 1000000 ))
	run ! --separate-stderr fake_running a
	[[ -s $d/pid ]]
	# Bounded wait: a relay ignoring -t must not hang the test.
	local i
	for (( i = 0; i < 500; i++ )); do
		kill -0 "$tpid" 2>/dev/null || break
		sleep 0.01
	done
	t1=${EPOCHREALTIME/[.,]/}
	if kill -0 "$tpid" 2>/dev/null; then
		kill -KILL "$tpid"
		fail "-t 1 did not end the relay"
	fi
	rc=0
	wait "$tpid" || rc=$?
	assert_equal "$rc" 0
	(( t1 - t0 >= 1000000 ))
	assert [ ! -e "$d/pid" ]
}
