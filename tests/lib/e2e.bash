# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash
#
# tests/lib/e2e.bash - what the end-to-end runs of examples/kamailio.cfg
# share (kamailio.bats, ng-kamailio.bats): the addresses of the parties,
# a relay whose media address is its own, and the checks of the SDPs
# the parties saw.  Load after helpers, lib/rtpengine and lib/kamailio.

CFG="$BATS_TEST_DIRNAME/../examples/kamailio.cfg"
SC="$BATS_TEST_DIRNAME/sipp"
RELAY_IP=127.0.0.4
UAC_IP=127.0.0.2
UAS_IP=127.0.0.3
DEADLINE=1

# A wrapper that gives rtpengine 127.0.0.4 as its media interface
# (rtpengine_start passes --interface=127.0.0.1).
make_relay_wrapper() {
	local real
	real=$(command -v rtpengine) || return 1
	cat >"$BATS_FILE_TMPDIR/rtpengine" <<-EOF
		#!/bin/bash
		args=()
		for a in "\$@"; do
		        [[ \$a == --interface=127.0.0.1 ]] && a=--interface=$RELAY_IP
		        args+=("\$a")
		done
		exec $real "\${args[@]}"
	EOF
	chmod +x "$BATS_FILE_TMPDIR/rtpengine"
	export RTPENGINE_BIN="$BATS_FILE_TMPDIR/rtpengine"
}

# The SDPs of the messages sipp kept in DIR, one line each (tests/sipp/
# sdp-report.py): invite or answer.
report() { # DIR invite|answer
	python3 "$SC/sdp-report.py" "$1/msg" "$2"
}

# Every line of a report: all c= at the relay, every m= port in the
# relay's range, exactly one marker, Content-Length right.
assert_relayed() {
	local file=$1 min=$2 max=$3
	run -0 --separate-stderr awk -F'\t' -v ip="$RELAY_IP" -v lo="$min" -v hi="$max" '
		{
			nc = split($3, c, ","); np = split($4, p, ",")
			ok = nc > 0 && np > 0 && $5 == 1 && $6 == 1
			for (i = 1; i <= nc; i++) if (c[i] != ip) ok = 0
			for (i = 1; i <= np; i++) if (p[i] + 0 < lo || p[i] + 0 > hi) ok = 0
			if (!ok) { print "not through the relay: " $0; bad++ }
		}
		END { exit bad > 0 }' "$file"
}
