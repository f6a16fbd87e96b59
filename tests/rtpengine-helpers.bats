#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
#
# Tests for tests/lib/rtpengine.bash and tests/rtp-check.py against a real
# rtpengine (Debian package rtpengine-daemon).  Loopback only.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
load lib/rtpengine

RTP_CHECK="$BATS_TEST_DIRNAME/rtp-check.py"

setup_file() {
	# A file-level instance, shared by the tests below.
	rtpengine_start shared
}

teardown_file() {
	rtpengine_stop_all
}

teardown() {
	rtpengine_stop_all
}

# Two distinct free UDP ports for parties A and B.
two_ports() {
	local a b i
	a=$(free_udp_port)
	for i in 1 2 3 4 5; do
		b=$(free_udp_port)
		[[ $b != "$a" ]] && break
	done
	echo "$a $b"
}

@test "free_udp_port and free_port_range give usable ports" {
	run -0 --separate-stderr free_udp_port
	assert_output --regexp '^[0-9]+$'
	((output > 0 && output < 65536))

	run -0 --separate-stderr free_port_range 400
	assert_output --regexp '^[0-9]+$'
	((output >= 20000 && output + 399 <= 60000))
	((output % 2 == 0))

	run -0 --separate-stderr free_port_range 10 30000 30099
	((output >= 30000 && output + 9 <= 30099))

	run ! --separate-stderr free_port_range 10 30000 30005
}

@test "setup_file instance: exported variables, log in BATS_FILE_TMPDIR, V answers" {
	assert [ -n "$RTPENGINE_SHARED_PORT" ]
	assert_equal "$RTPENGINE_URL_SHARED" "udp:127.0.0.1:$RTPENGINE_SHARED_PORT"
	assert_equal "$RTPENGINE_SHARED_LOG" "$BATS_FILE_TMPDIR/shared.rtpengine.log"
	assert [ -s "$RTPENGINE_SHARED_LOG" ]
	kill -0 "$RTPENGINE_SHARED_PID"

	run -0 --separate-stderr rtpengine_cmd shared V
	assert_output 20040107

	run -0 --separate-stderr rtpengine_cmd "$RTPENGINE_URL_SHARED" V
	assert_output 20040107

	run -0 --separate-stderr rtpengine_sessions shared
	assert_output 0
}

@test "full call: U/L, media both ways through the relay, D, stop" {
	rtpengine_start r1
	local pid=$RTPENGINE_R1_PID
	assert_equal "$RTPENGINE_URL_R1" "udp:127.0.0.1:$RTPENGINE_R1_PORT"
	assert_equal "$RTPENGINE_R1_LOG" "$BATS_TEST_TMPDIR/r1.rtpengine.log"

	local pa pb
	read -r pa pb < <(two_ports)
	local callid="call-$RANDOM-$$"

	run -0 --separate-stderr rtpengine_cmd r1 "U $callid 127.0.0.1 $pa ftag;1"
	assert_output --regexp '^[0-9]+ 127\.0\.0\.1 4$'
	local u_port=${output%% *}
	((u_port >= RTPENGINE_R1_PORT_MIN && u_port <= RTPENGINE_R1_PORT_MAX))

	run -0 --separate-stderr rtpengine_cmd r1 "L $callid 127.0.0.1 $pb ftag;1 ttag;1"
	assert_output --regexp '^[0-9]+ 127\.0\.0\.1 4$'
	local l_port=${output%% *}
	((l_port >= RTPENGINE_R1_PORT_MIN && l_port <= RTPENGINE_R1_PORT_MAX))
	assert [ "$u_port" != "$l_port" ]

	run -0 --separate-stderr rtpengine_sessions r1
	assert_output 1

	# A (the U address) sends to the L reply port, B to the U reply port.
	run -0 --separate-stderr "$RTP_CHECK" --a-port "$pa" --b-port "$pb" \
		--a-sends-to "127.0.0.1:$l_port" --b-sends-to "127.0.0.1:$u_port" \
		--strict-source
	assert_line --index 0 --regexp "^a->b [1-9][0-9]*/15 from 127\.0\.0\.1:$u_port ssrc=0xa$"
	assert_line --index 1 --regexp "^b->a [1-9][0-9]*/15 from 127\.0\.0\.1:$l_port ssrc=0xb$"

	run -0 --separate-stderr "$RTP_CHECK" --json --count 3 --rounds 2 --a-port "$pa" --b-port "$pb" \
		--a-sends-to "127.0.0.1:$l_port" --b-sends-to "127.0.0.1:$u_port"
	run -0 --separate-stderr /usr/bin/python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
assert r["ok"] is True, r
assert r["a_to_b"]["sent"] == 6 and r["a_to_b"]["received"] >= 1, r
assert r["b_to_a"]["sent"] == 6 and r["b_to_a"]["received"] >= 1, r
assert r["a_to_b"]["direct"] == 0 and r["b_to_a"]["direct"] == 0, r
print("json ok")' <<<"$output"
	assert_output "json ok"

	run -0 --separate-stderr rtpengine_cmd r1 "D $callid ftag ttag"
	assert_output 0

	run -0 --separate-stderr rtpengine_sessions r1
	assert_output 0

	rtpengine_stop r1
	run ! --separate-stderr kill -0 "$pid"
	assert [ ! -e "/proc/$pid" ]
	assert [ -z "${RTPENGINE_R1_PORT:-}" ]
	# Stopping again is harmless.
	run -0 --separate-stderr rtpengine_stop r1
}

@test "rtp-check.py fails when packets come straight from the peer or not at all" {
	local pa pb
	read -r pa pb < <(two_ports)
	# A and B send to each other directly: not through a relay.
	run -1 --separate-stderr "$RTP_CHECK" --a-port "$pa" --b-port "$pb" \
		--count 2 --rounds 1 --timeout 0.3 \
		--a-sends-to "127.0.0.1:$pb" --b-sends-to "127.0.0.1:$pa"
	assert_line --index 0 --regexp '^a->b 0/2 from - ssrc=0xa direct=2$'
	assert_line --index 1 --regexp '^b->a 0/2 from - ssrc=0xb direct=2$'
	[[ $stderr == *'rtp-check: FAIL: media did not flow'* ]]

	# Nothing answers: a relay address where nobody listens.
	local nobody
	nobody=$(free_udp_port)
	run -1 --separate-stderr "$RTP_CHECK" --json --a-port "$pa" --b-port "$pb" --count 2 --rounds 1 \
		--timeout 0.3 --a-sends-to "127.0.0.1:$nobody" --b-sends-to "127.0.0.1:$nobody"
	assert_output --partial '"ok": false'

	run -2 --separate-stderr "$RTP_CHECK" --a-port "$pa"
}

@test "rtpengine_cmd: no reply is an error; dangerous commands are refused" {
	local nobody
	nobody=$(free_udp_port)
	RTPENGINE_CMD_TIMEOUT=0.5 run ! --separate-stderr rtpengine_cmd "udp:127.0.0.1:$nobody" V

	# A socket that receives but never answers: the 0.5 s timeout applies.
	local silent_port
	silent_port=$(free_udp_port)
	/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
print("ready", flush=True)
s.settimeout(3)
try:
    s.recv(100)
except socket.timeout:
    pass
time.sleep(1)' "$silent_port" >"$BATS_TEST_TMPDIR/silent.out" 3>&- &
	local silent_pid=$!
	local i
	for ((i = 0; i < 50; i++)); do
		grep -q ready "$BATS_TEST_TMPDIR/silent.out" && break
		sleep 0.05
	done
	local t0=$SECONDS
	RTPENGINE_CMD_TIMEOUT=0.5 run ! --separate-stderr rtpengine_cmd "127.0.0.1:$silent_port" V
	assert_regex "$stderr" 'no reply'
	((SECONDS - t0 <= 2))
	wait "$silent_pid" || true

	run -2 --separate-stderr rtpengine_cmd shared VF
	assert_regex "$stderr" 'refusing'
	run -0 --separate-stderr rtpengine_cmd shared V
	assert_output 20040107

	run ! --separate-stderr rtpengine_cmd nosuchinstance V
}

@test "rtpengine_start fails loudly without rtpengine" {
	RTPENGINE_BIN=/nonexistent/rtpengine run ! --separate-stderr rtpengine_start nope
	assert_regex "$stderr" 'rtpengine not found'
	assert [ -z "${RTPENGINE_NOPE_PORT:-}" ]
}

@test "rtpengine_stop_all in a test stops that test's instances only" {
	rtpengine_start t1
	rtpengine_start t2
	local p1=$RTPENGINE_T1_PID p2=$RTPENGINE_T2_PID
	assert [ "$RTPENGINE_T1_PORT" != "$RTPENGINE_T2_PORT" ]
	run -0 --separate-stderr rtpengine_cmd t2 V
	assert_output 20040107

	rtpengine_stop_all
	run ! --separate-stderr kill -0 "$p1"
	run ! --separate-stderr kill -0 "$p2"

	# The setup_file instance is untouched.
	run -0 --separate-stderr rtpengine_cmd shared V
	assert_output 20040107
}
