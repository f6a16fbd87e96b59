#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# examples/kamailio.cfg end to end: real Kamailio 5.6 running rtpp-manage
# through the exec module, sipp as caller (127.0.0.2) and callee
# (127.0.0.3), and a real rtpengine whose media address is 127.0.0.4, so
# that an SDP pointing at the relay cannot be mistaken for anyone else's.
# Loopback only.  Needs the Debian packages kamailio, sip-tester and
# rtpengine-daemon.

load helpers
load lib/rtpengine
load lib/kamailio
load lib/e2e

# start_kamailio NAME RELAY_URL UAS_PORT STATE_DIR: examples/kamailio.cfg
# with everything given on the command line.
start_kamailio() {
	mkdir -p "$4"
	kamailio_start "$1" "$CFG" -A CHILDREN=2 \
		-A "DEST_URI=\"sip:$UAS_IP:$3\"" \
		-A "RTPP_BIN_DIR=\"$RTPP_TOOLS\"" \
		-A "RTPP_SOCK=\"$2\"" \
		-A "RTPP_STATE_DIR=\"$4\"" \
		-A "RTPP_DEADLINE=\"$DEADLINE\""
}

setup_file() {
	# see setup()
	[[ -z ${VG_RTPP_TOOLS-} ]] || return 0
	local v
	for v in $(env | sed -n 's/^\(RTPP_[A-Z_]*\)=.*/\1/p; s/^\(SIP_[A-Z_]*\)=.*/\1/p'); do
		unset "$v"
	done
	export RTPP_CONFIG=
	local tool
	[[ -x ${SIPP_BIN:-/usr/bin/sipp} ]] || {
		echo "sipp not found (install the sip-tester package)" >&2
		return 1
	}
	tool=$(command -v rtpp-manage) || {
		echo "rtpp-manage is not on PATH (run through make check)" >&2
		return 1
	}
	RTPP_TOOLS=$(cd "$(dirname "$tool")" && pwd)
	export RTPP_TOOLS
	make_relay_wrapper
	export RTPENGINE_PORT_COUNT=1000
	rtpengine_start r1
	UAS_PORT=$(free_udp_port)
	export UAS_PORT
	start_kamailio k1 "$RTPENGINE_URL_R1" "$UAS_PORT" "$BATS_FILE_TMPDIR/rtpp-state"
}

teardown_file() {
	kamailio_stop_all
	rtpengine_stop_all
}

setup() {
	skip_under_valgrind "20 calls/s through Kamailio with per-message deadlines"
	work="$BATS_TEST_TMPDIR"
	log_mark=$(wc -l <"$KAMAILIO_K1_LOG")
}

teardown() {
	if [[ -n ${SILENT_PID:-} ]]; then
		kill -TERM "$SILENT_PID" 2>/dev/null || true
		wait "$SILENT_PID" 2>/dev/null || true
	fi
	if [[ -n ${STOPPED_PID:-} ]]; then
		kill -CONT "$STOPPED_PID" 2>/dev/null || true
	fi
	kamailio_stop_all
	rtpengine_stop_all
}

# has_opt NEEDLE... -- ARGS...: true if the words NEEDLE... appear in a row
# in ARGS (sipp keeps the first of two -key options with the same name).
has_opt() {
	local -a needle=()
	while [[ $1 != -- ]]; do
		needle+=("$1")
		shift
	done
	shift
	local i j n=${#needle[@]}
	local -a a=("$@")
	for ((i = 0; i + n <= ${#a[@]}; i++)); do
		for ((j = 0; j < n; j++)); do
			[[ ${a[i + j]} == "${needle[j]}" ]] || continue 2
		done
		return 0
	done
	return 1
}

# uas NAME PORT CALLS [SIPP_ARGS...]: start the callee in the background
# (uas_pid) and wait until it listens.  Defaults: To-tag uas-<n>, m= port
# 18000.
uas() {
	local name=$1 port=$2 calls=$3
	shift 3
	local -a def=()
	has_opt -key ttag -- "$@" || def+=(-key ttag uas-)
	has_opt -key rtp_port -- "$@" || def+=(-key rtp_port 18000)
	sipp_start "$work" "$name" 60 -sf "$SC/uas.xml" -i "$UAS_IP" -p "$port" \
		-m "$calls" "${def[@]}" "$@"
	uas_pid=$SIPP_PID
	wait_udp_bound "$UAS_IP" "$port" 5
}

# uac NAME KAMAILIO_PORT [SIPP_ARGS...]: the caller's arguments, with
# defaults: Call-ID kam-<test>-<n>-<pid>@127.0.0.2, From-tag uac-<n>, m=
# port 16000, no pause.
uac_args() {
	local kport=$1
	shift
	local -a def=()
	has_opt -cid_str -- "$@" || def+=(-cid_str "kam-$BATS_TEST_NUMBER-%u-%p@%s")
	has_opt -key ftag -- "$@" || def+=(-key ftag uac-)
	has_opt -key rtp_port -- "$@" || def+=(-key rtp_port 16000)
	has_opt -d -- "$@" || def+=(-d 0)
	printf '%s\0' -sf "$SC/uac.xml" -i "$UAC_IP" -pause_msg_ign "${def[@]}" "$@" "127.0.0.1:$kport"
}

# uac NAME KAMAILIO_PORT [SIPP_ARGS...]: run the caller in the foreground.
uac() {
	local name=$1
	shift
	local -a args
	mapfile -d '' -t args < <(uac_args "$@")
	sipp_run "$work" "$name" 60 "${args[@]}"
}

# uac_bg: the same in the background (uac_pid).
uac_bg() {
	local name=$1
	shift
	local -a args
	mapfile -d '' -t args < <(uac_args "$@")
	sipp_start "$work" "$name" 60 "${args[@]}"
	uac_pid=$SIPP_PID
}

# wait_sipp PID SECONDS: sipp's exit status must be 0.
wait_sipp() {
	local rc=0
	sipp_wait "$1" "$2" || rc=$?
	((rc == 0)) || fail "sipp (pid $1) exited with status $rc"
}

# Lines of the rtpengine log: the control commands received, "VERB CALLID".
relay_cmds() { # LOG
	sed -n 's/^.*Got valid command from [^ ]* [^ ]* \([A-Z]\) \([^ ]*\).*$/\1 \2/p' "$1"
}

# The Kamailio log written since this test started.
kam_log() {
	tail -n +"$((log_mark + 1))" "$KAMAILIO_K1_LOG"
}

@test "200 calls through Kamailio and rtpp-manage: no failure, every SDP through the relay, one tool run per message, every call deleted" {
	uas uas "$UAS_PORT" 200
	run -0 --separate-stderr uac uac "$KAMAILIO_K1_PORT" -r 20 -l 40 -m 200
	wait_sipp "$uas_pid" 15
	assert_equal "$(sipp_stat "$work/uac" 'SuccessfulCall(C)')" 200
	assert_equal "$(sipp_stat "$work/uac" 'FailedCall(C)')" 0
	assert_equal "$(sipp_stat "$work/uas" 'SuccessfulCall(C)')" 200
	assert_equal "$(sipp_stat "$work/uas" 'FailedCall(C)')" 0

	# The offers the callee got and the answers the caller got.
	report "$work/uas" invite >"$work/offers"
	report "$work/uac" answer >"$work/answers"
	assert_equal "$(cut -f1 "$work/offers" | sort -u | wc -l)" 200
	assert_equal "$(cut -f1 "$work/answers" | sort -u | wc -l)" 200
	assert_relayed "$work/offers" "$RTPENGINE_R1_PORT_MIN" "$RTPENGINE_R1_PORT_MAX"
	assert_relayed "$work/answers" "$RTPENGINE_R1_PORT_MIN" "$RTPENGINE_R1_PORT_MAX"

	# Exactly one U, one L and one D per call reached the relay: no
	# retransmission ran the tool a second time.
	relay_cmds "$RTPENGINE_R1_LOG" | grep " kam-$BATS_TEST_NUMBER-" >"$work/cmds" || true
	assert_equal "$(grep -c '^U ' "$work/cmds")" 200
	assert_equal "$(grep -c '^L ' "$work/cmds")" 200
	assert_equal "$(grep -c '^D ' "$work/cmds")" 200
	assert_equal "$(sort "$work/cmds" | uniq -d | wc -l)" 0

	# Nothing failed open, and every session is gone.
	run -1 --separate-stderr grep -F 'left unchanged' <(kam_log)
	run -0 --separate-stderr rtpengine_sessions r1
	assert_output 0
}

@test "RTP from the caller reaches the callee through the relay; every retransmitted 200 gets the cached SDP, no second L" {
	local pa pb i off ans a_to b_to
	pa=$(free_udp_port)
	pb=$(free_udp_port)
	uas uas "$UAS_PORT" 1 -key rtp_port "$pb"
	# The call stays answered but un-ACKed for 9 s: media can flow, and
	# the callee retransmits its 200 (at 0.5, 1.5, 3.5 and 7.5 s).
	uac_bg uac "$KAMAILIO_K1_PORT" -key rtp_port "$pa" -d 9000 -m 1
	for ((i = 0; i < 60; i++)); do
		off=$(report "$work/uas" invite 2>/dev/null | head -n 1)
		ans=$(report "$work/uac" answer 2>/dev/null | head -n 1)
		[[ -n $off && -n $ans ]] && break
		sleep 0.1
	done
	[[ -n $off && -n $ans ]] || fail "the SDPs did not reach both sides within 6 s"
	b_to=$(cut -f4 <<<"$off")
	a_to=$(cut -f4 <<<"$ans")
	# The caller (A, port pa of the offer) sends to the port of the
	# answer, the callee (B, port pb) to the port of the offer.
	run -0 --separate-stderr python3 "$BATS_TEST_DIRNAME/rtp-check.py" --a-port "$pa" --b-port "$pb" \
		--a-sends-to "$RELAY_IP:$a_to" --b-sends-to "$RELAY_IP:$b_to" \
		--count 5 --rounds 3 --timeout 2 --min-packets 5
	assert_line --regexp "^a->b (1[0-5]|[5-9])/15 from $RELAY_IP:$b_to "
	assert_line --regexp "^b->a (1[0-5]|[5-9])/15 from $RELAY_IP:$a_to "

	wait_sipp "$uac_pid" 20
	wait_sipp "$uas_pid" 10
	assert_equal "$(sipp_stat "$work/uac" 'SuccessfulCall(C)')" 1

	# The caller got the 200 several times, always with the same SDP
	# (also the copy of 7.5 s, which came after tm had dropped the
	# transaction, 5 s after the first 200), and the relay saw one U,
	# one L and one D for the call.
	report "$work/uac" answer >"$work/answers"
	(($(grep -c $'\t200\t' "$work/answers") >= 5)) ||
		fail "expected retransmitted 200s: $(cat "$work/answers")"
	assert_equal "$(grep $'\t200\t' "$work/answers" | cut -f7 | sort -u | wc -l)" 1
	relay_cmds "$RTPENGINE_R1_LOG" | grep " kam-$BATS_TEST_NUMBER-" >"$work/cmds" || true
	assert_equal "$(cut -d' ' -f1 "$work/cmds" | tr -d '\n')" ULD
	run -0 --separate-stderr rtpengine_sessions r1
	assert_output 0
}

@test "Call-ID and tags full of shell metacharacters: the call goes through the relay, nothing is executed" {
	local mark="$work/pwned"
	local cid ftag ttag
	# Ways out of single quotes, double quotes and no quotes at all.
	cid="x'\$(touch\${IFS}$mark-1)'\"\$(touch\${IFS}$mark-2)\"\`touch\${IFS}$mark-3\`;touch\${IFS}$mark-4;%u@%s"
	ftag="f'\$(touch\${IFS}$mark-5)\`touch\${IFS}$mark-6\`"
	ttag="t'\$(touch\${IFS}$mark-7)\`touch\${IFS}$mark-8\`"
	uas uas "$UAS_PORT" 1 -key ttag "$ttag"
	run -0 --separate-stderr uac uac "$KAMAILIO_K1_PORT" -cid_str "$cid" -key ftag "$ftag" -m 1
	wait_sipp "$uas_pid" 10
	assert_equal "$(sipp_stat "$work/uac" 'SuccessfulCall(C)')" 1

	run ! --separate-stderr compgen -G "$mark*"
	# The relay got the literal Call-ID and tags (so the tool read them
	# from the environment intact) and the SDPs point at it.
	local want_cid=${cid/\%u@\%s/1@$UAC_IP}
	relay_cmds "$RTPENGINE_R1_LOG" | grep -F " $want_cid" >"$work/cmds" || true
	assert_equal "$(cut -d' ' -f1 "$work/cmds" | tr -d '\n')" ULD
	run -0 --separate-stderr grep -F "L $want_cid $UAS_IP 18000 ${ftag}1;1 ${ttag}1;1" "$RTPENGINE_R1_LOG"
	report "$work/uas" invite >"$work/offers"
	report "$work/uac" answer >"$work/answers"
	assert_equal "$(wc -l <"$work/offers")" 1
	assert_relayed "$work/offers" "$RTPENGINE_R1_PORT_MIN" "$RTPENGINE_R1_PORT_MAX"
	assert_relayed "$work/answers" "$RTPENGINE_R1_PORT_MIN" "$RTPENGINE_R1_PORT_MAX"
	run -0 --separate-stderr rtpengine_sessions r1
	assert_output 0
}

# three_calls_each_deleted NAME: three calls of the sipp scenarios
# uac-NAME.xml and uas-NAME.xml through Kamailio; every offer went through
# the relay, which got one U and one D a call (its commands in $work/cmds).
three_calls_each_deleted() {
	sipp_start "$work" uas 30 -sf "$SC/uas-$1.xml" -i "$UAS_IP" -p "$UAS_PORT" -m 3
	uas_pid=$SIPP_PID
	wait_udp_bound "$UAS_IP" "$UAS_PORT" 5
	run -0 --separate-stderr sipp_run "$work" uac 30 -sf "$SC/uac-$1.xml" -i "$UAC_IP" \
		-cid_str "kam-$BATS_TEST_NUMBER-%u-%p@%s" -key ftag uac- -key rtp_port 16000 \
		-m 3 -r 10 "127.0.0.1:$KAMAILIO_K1_PORT"
	wait_sipp "$uas_pid" 10
	assert_equal "$(sipp_stat "$work/uac" 'SuccessfulCall(C)')" 3
	report "$work/uas" invite >"$work/offers"
	assert_equal "$(wc -l <"$work/offers")" 3
	assert_relayed "$work/offers" "$RTPENGINE_R1_PORT_MIN" "$RTPENGINE_R1_PORT_MAX"
	relay_cmds "$RTPENGINE_R1_LOG" | grep " kam-$BATS_TEST_NUMBER-" >"$work/cmds" || true
	assert_equal "$(grep -c '^U ' "$work/cmds")" 3
	assert_equal "$(grep -c '^D ' "$work/cmds")" 3
}

@test "a rejected INVITE (486) deletes the relay session in the failure route" {
	three_calls_each_deleted busy
	run -0 --separate-stderr rtpengine_sessions r1
	assert_output 0
}

@test "a CANCELed call: the CANCEL deletes the relay session, the 487 does not run the tool again" {
	three_calls_each_deleted cancel
	assert_equal "$(wc -l <"$work/cmds")" 6
	run -0 --separate-stderr rtpengine_sessions r1
	assert_output 0
}

@test "a late offer (INVITE without SDP): the 200's offer and the ACK's answer go through the relay" {
	uas uas "$UAS_PORT" 3
	local -a args
	mapfile -d '' -t args < <(uac_args "$KAMAILIO_K1_PORT" -m 3 -r 10)
	args[1]="$SC/uac-late.xml"
	run -0 --separate-stderr sipp_run "$work" uac 30 "${args[@]}"
	wait_sipp "$uas_pid" 10
	assert_equal "$(sipp_stat "$work/uac" 'SuccessfulCall(C)')" 3
	report "$work/uac" answer >"$work/offers"
	report "$work/uas" ack >"$work/answers"
	assert_equal "$(cut -f1 "$work/offers" | sort -u | wc -l)" 3
	assert_equal "$(wc -l <"$work/answers")" 3
	assert_relayed "$work/offers" "$RTPENGINE_R1_PORT_MIN" "$RTPENGINE_R1_PORT_MAX"
	assert_relayed "$work/answers" "$RTPENGINE_R1_PORT_MIN" "$RTPENGINE_R1_PORT_MAX"
	# The offer came from the callee: U carries its tag first.
	relay_cmds "$RTPENGINE_R1_LOG" | grep " kam-$BATS_TEST_NUMBER-" >"$work/cmds" || true
	assert_equal "$(grep -c '^U ' "$work/cmds")" 3
	assert_equal "$(grep -c '^L ' "$work/cmds")" 3
	assert_equal "$(grep -c '^D ' "$work/cmds")" 3
	run -0 --separate-stderr grep -E "U kam-$BATS_TEST_NUMBER-1-[0-9]+@$UAC_IP $UAS_IP 18000 uas-1;1 uac-1;1\$" "$RTPENGINE_R1_LOG"
	run -0 --separate-stderr rtpengine_sessions r1
	assert_output 0
}

@test "relay stops answering mid-run: calls still complete with the original SDP, no worker waits beyond the deadline" {
	local uport state i n
	export RTPENGINE_PORT_COUNT=400
	rtpengine_start r2
	uport=$(free_udp_port)
	state="$work/rtpp-state"
	start_kamailio k2 "$RTPENGINE_URL_R2" "$uport" "$state"

	uas uas "$uport" 60
	uac_bg uac "$KAMAILIO_K2_PORT" -r 10 -l 20 -m 60
	# Let about 15 calls through, then freeze the relay.
	for ((i = 0; i < 100; i++)); do
		n=$(report "$work/uas" invite 2>/dev/null | wc -l)
		((n >= 15)) && break
		sleep 0.05
	done
	STOPPED_PID=$RTPENGINE_R2_PID
	kill -STOP "$STOPPED_PID"

	wait_sipp "$uac_pid" 40
	wait_sipp "$uas_pid" 15
	assert_equal "$(sipp_stat "$work/uac" 'SuccessfulCall(C)')" 60
	assert_equal "$(sipp_stat "$work/uac" 'FailedCall(C)')" 0

	# Before the stop the SDPs went through the relay; after it, the
	# callee got the caller's own SDP (fail open), and the caller the
	# callee's.
	report "$work/uas" invite >"$work/offers"
	report "$work/uac" answer >"$work/answers"
	assert_equal "$(cut -f1 "$work/offers" | sort -u | wc -l)" 60
	grep -P "\t$RELAY_IP\t" "$work/offers" >"$work/offers.relayed" || true
	grep -P "\t$UAC_IP\t16000\t0\t1\t" "$work/offers" >"$work/offers.orig" || true
	grep -P "\t$UAS_IP\t18000\t0\t1\t" "$work/answers" >"$work/answers.orig" || true
	(($(wc -l <"$work/offers.relayed") >= 10)) || fail "too few relayed offers: $(wc -l <"$work/offers.relayed")"
	(($(wc -l <"$work/offers.orig") >= 30)) || fail "too few original offers: $(wc -l <"$work/offers.orig")"
	(($(wc -l <"$work/answers.orig") >= 30)) || fail "too few original answers: $(wc -l <"$work/answers.orig")"
	assert_equal "$(($(wc -l <"$work/offers.relayed") + $(wc -l <"$work/offers.orig")))" 60

	# INVITE -> 200 never took much longer than one tool deadline.
	local max
	max=$(sipp_rtt_max "$work/uac")
	((max < DEADLINE * 1000 + 700)) || fail "INVITE->200 took up to $max ms (deadline ${DEADLINE}s)"
}

# Without RTPP_TOUT x RTPP_RETR below the deadline (as the example sets
# them), the deadline is what ends a run against a silent relay.  Such a
# run must still mark the node down, or every later run (every SIP
# message, each blocking a Kamailio worker) waits the full deadline again.
# Fails until rtpp-manage records the node as failed when --deadline cuts
# its exchange short.
@test "rtpp-manage: a relay silent until --deadline is marked down, so the next run does not wait for it again" {
	local port b64 i t0 t1 ms=()
	port=$(free_udp_port)
	# A UDP socket that never answers (nothing bound would give a quick
	# ICMP refusal instead).
	python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
time.sleep(30)' "$port" 3>&- &
	SILENT_PID=$!
	wait_udp_bound 127.0.0.1 "$port" 5
	b64=$(base64 -w0 "$BATS_TEST_DIRNAME/../examples/invite.sip")
	for i in 1 2; do
		t0=$(date +%s%N)
		run -3 --separate-stderr env SIP_SRCIP=127.0.0.2 rtpp-manage --b64 "$b64" --output sdp-base64 \
			--deadline 1 --sock "udp:127.0.0.1:$port" --state-dir "$work/state"
		t1=$(date +%s%N)
		ms+=($(((t1 - t0) / 1000000)))
	done
	((ms[0] < 1500)) || fail "first run took ${ms[0]} ms (deadline 1 s)"
	((ms[1] < 300)) || fail "second run took ${ms[1]} ms: the silent relay was not marked down by the first run (output: $output)"
}

@test "a header named CallID (exported as SIP_HF_CALLID) cannot choose the Call-ID: nothing is sent for the victim's call, the call fails open" {
	local victim="victim-$BATS_TEST_NUMBER-$RANDOM@127.0.0.9"
	uas uas "$UAS_PORT" 1
	run -0 --separate-stderr sipp_run "$work" uac 30 -sf "$SC/uac-callid.xml" -i "$UAC_IP" \
		-cid_str "kam-$BATS_TEST_NUMBER-%u-%p@%s" -key ftag uac- -key rtp_port 16000 \
		-key victim "$victim" -pause_msg_ign -d 0 -m 1 "127.0.0.1:$KAMAILIO_K1_PORT"
	wait_sipp "$uas_pid" 10
	# fail-open: the call completes with the SDP left unchanged
	assert_equal "$(sipp_stat "$work/uac" 'SuccessfulCall(C)')" 1
	run -0 --separate-stderr grep -F 'left unchanged' <(kam_log)
	# the relay heard nothing of the victim's call, and got no U for
	# the attacker's own INVITE nor a D for its BYE (both refused)
	relay_cmds "$RTPENGINE_R1_LOG" >"$work/cmds"
	run ! --separate-stderr grep -F "$victim" "$work/cmds"
	run ! --separate-stderr grep -E "^[UD] kam-$BATS_TEST_NUMBER-" "$work/cmds"
	run -0 --separate-stderr rtpengine_sessions r1
	assert_output 0
}
