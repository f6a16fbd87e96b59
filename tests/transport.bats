#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# The UDP transport's addressing and per-run economy: numeric IPv4 and
# IPv6 nodes without a name lookup, host names looked up, a fresh
# cookie prefix per run, no drain of a socket that nothing used yet;
# and its ng exchange (rtpc_tx_send_ng, through tests/ng-probe -T)
# against the real rtpengine.

load helpers
load lib/rtpengine

setup_file() {
	export NG_PORT
	NG_PORT=$(free_udp_port)
	rtpengine_start ng --listen-ng="127.0.0.1:$NG_PORT"
}

teardown_file() {
	rtpengine_stop_all
}

setup() {
	# (before rtpp_setup, which unsets every RTPP_ variable)
	PROBE=${RTPP_BUILDDIR:-$BATS_TEST_DIRNAME/..}/tests/ng-probe
	rtpp_setup
}

# ngx STATUS COMMAND [PROBE OPTIONS...]: one ng request through
# libcore's transport, which must exit STATUS; $output holds result= and
# the reply flattened.
ngx() {
	local want=$1 cmd=$2
	shift 2
	run "-$want" --separate-stderr "$PROBE" -T -w 3000 "$@" 127.0.0.1 "$NG_PORT" \
	    "$cmd"
}

# An SDP with N audio streams of a party at 127.0.0.1.
many_sdp() {
	local i
	printf 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n'
	for ((i = 0; i < $1; i++)); do
		printf 'm=audio %d RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\n' $((20000 + 2 * i))
	done
}

teardown() {
	rtpp_teardown
}

# The cookie of each command in relay NAME's log.
cookies() {
	cut -d' ' -f1 "$BATS_TEST_TMPDIR/$1.log"
}

@test "an IPv6 node ([::1]) gets the command and its reply is used" {
	ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/' ||
		skip "no ::1 on lo"
	_fake_launch v6 'udp6:[::1]:0' udp
	run -0 --separate-stderr rtpp-offer --sock "udp6:[::1]:$FAKE_V6_PORT" \
	    <"$FIX/invite.sip"
	assert_equal "$stderr" ""
	assert_line --regexp '^c=IN IP4 127\.0\.0\.1.?$'
	assert_line --regexp '^m=audio 30000 RTP/AVP 0 8 101.?$'
	run -0 --separate-stderr grep -c ' U ' "$BATS_TEST_TMPDIR/v6.log"
	assert_output 1
}

@test "a host name node is looked up and used" {
	[[ $(getent ahostsv4 localhost 2>/dev/null) == 127.0.0.1* ]] ||
		skip "localhost does not resolve to 127.0.0.1 here"
	fake_start a
	run -0 --separate-stderr rtpp-offer --sock "udp:localhost:$FAKE_A_PORT" \
	    <"$FIX/invite.sip"
	assert_line --regexp '^m=audio 30000 RTP/AVP 0 8 101.?$'
	run -0 --separate-stderr grep -c ' U ' "$BATS_TEST_TMPDIR/a.log"
	assert_output 1
}

@test "each run has its own cookie prefix: pid, 8 hex digits, then a count" {
	fake_start a
	run -0 --separate-stderr rtpp-offer --sock "$FAKE_URL_A" <"$FIX/invite.sip"
	run -0 --separate-stderr rtpp-offer --sock "$FAKE_URL_A" <"$FIX/invite.sip"
	run -0 --separate-stderr cookies a
	local c prefixes=()
	for c in "${lines[@]}"; do
		[[ $c =~ ^([0-9]+_[0-9a-f]{8})_[0-9]+$ ]] ||
			fail "cookie '$c' is not PID_HEX8_SEQ"
		prefixes+=("${BASH_REMATCH[1]}")
	done
	run -0 --separate-stderr bash -c 'printf "%s\n" "$@" | sort -u | wc -l' _ "${prefixes[@]}"
	assert_output 2
}

@test "no receive before the first command on a new socket; a reused one is drained" {
	skip_under_valgrind "counts the tool's own system calls"
	fake_start a
	rtpp-offer --sock "$FAKE_URL_A" <"$FIX/invite.sip" >/dev/null # probes
	# (LeakSanitizer cannot work under a tracer: off for this run)
	run -0 --separate-stderr env \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    strace -f -qq -o "$BATS_TEST_TMPDIR/trace" \
	    -e trace=sendto,recvfrom rtpp-offer --sock "$FAKE_URL_A" \
	    --call-id c1 --from-tag f1 <"$FIX/three.sdp"
	# three commands (two m= lines and the port-0 one) on one socket:
	# no drain before the first, one before each later one
	run -0 --separate-stderr awk '/sendto\(/ { s++ } /MSG_DONTWAIT/ { if (s == 0) first++; d++ }
	    END { print s, first + 0, d + 0 }' "$BATS_TEST_TMPDIR/trace"
	assert_output '3 0 2'
}

@test "ng through the transport: ping gets pong" {
	ngx 0 ping
	assert_line result=pong
	assert_equal "$stderr" ""
}

@test "ng through the transport: an offer's reply longer than a text reply's limit comes whole" {
	many_sdp 90 >"$BATS_TEST_TMPDIR/a.sdp"
	ngx 0 offer -c "tx-$RANDOM" -f fa -s "$BATS_TEST_TMPDIR/a.sdp" \
	    -S "$BATS_TEST_TMPDIR/out.sdp"
	assert_line result=ok
	run -0 --separate-stderr grep -c '^m=audio ' "$BATS_TEST_TMPDIR/out.sdp"
	assert_output 90
	(( $(wc -c <"$BATS_TEST_TMPDIR/out.sdp") > 4096 )) ||
		fail "the reply's SDP is not longer than 4096 bytes"
}

@test "ng through the transport: an error reply is the relay's reason, exit 1" {
	ngx 1 query -c "no-such-call-$RANDOM" -f fa
	assert_line result=error
	assert_equal "$stderr" "ng-probe: relay error: Unknown call-id"
}

@test "ng through the transport: silence is no reply after three tries, exit 3" {
	local port
	port=$(free_udp_port)
	run -3 --separate-stderr "$PROBE" -T -w 300 127.0.0.1 "$port" ping
	assert_output ""
	[[ $stderr == "ng-probe: udp:127.0.0.1:$port: no reply after 3 tries in "*" ms" ||
	    $stderr == "ng-probe: udp:127.0.0.1:$port: "*"refused" ]] ||
		fail "unexpected: $stderr"
}
