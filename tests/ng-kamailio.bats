#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# examples/kamailio.cfg end to end once with an ng node: real Kamailio
# running rtpp-manage through the exec module with rtpproxy_sock
# ng:127.0.0.1:PORT, sipp as caller (127.0.0.2) and callee (127.0.0.3),
# and a real rtpengine (--listen-ng) whose media address is 127.0.0.4.
# Loopback only.  Needs kamailio, sip-tester and rtpengine-daemon.

load helpers
load lib/rtpengine
load lib/kamailio
load lib/e2e

setup_file() {
	[[ -z ${VG_RTPP_TOOLS-} ]] || return 0
	local v tool
	for v in $(env | sed -n 's/^\(RTPP_[A-Z_]*\)=.*/\1/p; s/^\(SIP_[A-Z_]*\)=.*/\1/p'); do
		unset "$v"
	done
	export RTPP_CONFIG=
	[[ -x ${SIPP_BIN:-/usr/bin/sipp} ]] || {
		echo "sipp not found (install the sip-tester package)" >&2
		return 1
	}
	tool=$(command -v rtpp-manage) || {
		echo "rtpp-manage is not on PATH (run through make check)" >&2
		return 1
	}
	RTPP_TOOLS=$(cd "$(dirname "$tool")" && pwd)
	export RTPP_TOOLS NG_PORT UAS_PORT
	make_relay_wrapper
	export RTPENGINE_PORT_COUNT=400
	NG_PORT=$(free_udp_port)
	rtpengine_start n1 --listen-ng="127.0.0.1:$NG_PORT"
	UAS_PORT=$(free_udp_port)
	mkdir -p "$BATS_FILE_TMPDIR/rtpp-state"
	kamailio_start k1 "$CFG" -A CHILDREN=2 \
		-A "DEST_URI=\"sip:$UAS_IP:$UAS_PORT\"" \
		-A "RTPP_BIN_DIR=\"$RTPP_TOOLS\"" \
		-A "RTPP_SOCK=\"ng:127.0.0.1:$NG_PORT\"" \
		-A "RTPP_STATE_DIR=\"$BATS_FILE_TMPDIR/rtpp-state\"" \
		-A "RTPP_DEADLINE=\"$DEADLINE\""
}

teardown_file() {
	kamailio_stop_all
	rtpengine_stop_all
}

setup() {
	skip_under_valgrind "calls through Kamailio with per-message deadlines"
	work="$BATS_TEST_TMPDIR"
	log_mark=$(wc -l <"$KAMAILIO_K1_LOG")
}

@test "50 calls through Kamailio and rtpp-manage over an ng node: no failure, every SDP through the relay, every call deleted" {
	local uas_pid
	sipp_start "$work" uas 60 -sf "$SC/uas.xml" -i "$UAS_IP" -p "$UAS_PORT" \
		-m 50 -key ttag uas- -key rtp_port 18000
	uas_pid=$SIPP_PID
	wait_udp_bound "$UAS_IP" "$UAS_PORT" 5
	run -0 --separate-stderr sipp_run "$work" uac 60 -sf "$SC/uac.xml" -i "$UAC_IP" -pause_msg_ign \
		-cid_str "ngkam-%u-%p@%s" -key ftag uac- -key rtp_port 16000 -d 0 \
		-r 10 -l 20 -m 50 "127.0.0.1:$KAMAILIO_K1_PORT"
	sipp_wait "$uas_pid" 15
	assert_equal "$(sipp_stat "$work/uac" 'SuccessfulCall(C)')" 50
	assert_equal "$(sipp_stat "$work/uac" 'FailedCall(C)')" 0
	assert_equal "$(sipp_stat "$work/uas" 'SuccessfulCall(C)')" 50

	report "$work/uas" invite >"$work/offers"
	report "$work/uac" answer >"$work/answers"
	assert_equal "$(cut -f1 "$work/offers" | sort -u | wc -l)" 50
	assert_equal "$(cut -f1 "$work/answers" | sort -u | wc -l)" 50
	assert_relayed "$work/offers" "$RTPENGINE_N1_PORT_MIN" "$RTPENGINE_N1_PORT_MAX"
	assert_relayed "$work/answers" "$RTPENGINE_N1_PORT_MIN" "$RTPENGINE_N1_PORT_MAX"

	# nothing failed open, and every session is gone
	run -1 --separate-stderr grep -F 'left unchanged' <(tail -n +"$((log_mark + 1))" "$KAMAILIO_K1_LOG")
	run -0 --separate-stderr rtpengine_sessions n1
	assert_output 0
}
