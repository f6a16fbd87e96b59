#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# What every call-path tool shares: help, version, usage errors, exit
# statuses, settings from options, environment and config files, input
# checks and write errors.

load helpers

TOOLS=(rtpp-offer rtpp-answer rtpp-destroy)

setup() {
	rtpp_setup
}

teardown() {
	rtpp_teardown
}

@test "--help goes to stdout with status 0 and lists the common options" {
	for t in "${TOOLS[@]}"; do
		run -0 --separate-stderr "$t" --help
		assert_line --partial "Usage: $t [OPTION...]"
		assert_line --partial '--sock=VALUE'
		assert_line --partial '--state-dir=DIR'
		assert_equal "$stderr" ""
	done
}

@test "--version prints the tool, package and version" {
	for t in "${TOOLS[@]}"; do
		run -0 --separate-stderr "$t" --version
		assert_output --regexp "^$t \\(rtpp\\) [0-9]+\\.[0-9]+\\.[0-9]+$"
	done
}

@test "an unknown option is a usage error (exit 2) naming it" {
	for t in "${TOOLS[@]}"; do
		run -2 --separate-stderr stdout_to_file "$t" --bogus </dev/null
		assert_no_out
		assert_equal "$stderr" "$t: --bogus: unknown option (try --help)"
	done
}

@test "too many arguments is a usage error" {
	run -2 --separate-stderr rtpp-offer '' 192.0.2.1 extra <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: unexpected argument 'extra' (try --help)"
	run -2 --separate-stderr rtpp-destroy t 192.0.2.1 </dev/null
	assert_equal "$stderr" "rtpp-destroy: unexpected argument '192.0.2.1' (try --help)"
}

@test "an unknown flag letter is a usage error and nothing is sent" {
	run -2 --separate-stderr stdout_to_file rtpp-offer q <"$FIX/invite.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-offer: flags 'q': unknown flag 'q'"
	run -2 --separate-stderr rtpp-offer z <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: flags 'z': z needs a ptime, as in z20"
	run -2 --separate-stderr rtpp-offer z1000 <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: flags 'z1000': z takes 1 to 999"
}

@test "empty flags and empty ip arguments mean none" {
	run -0 --separate-stderr rtpp-offer --dry-run '' '' <"$FIX/invite.sip"
	assert_output 'Uc0,8,101 1-15483@127.0.0.1 127.0.0.1 16000 15483-uac-1;1'
}

@test "option values out of range are usage errors" {
	for a in "--tout 0" "--tout -1" "--tout abc" "--tout 1.0001" "--retr 0" "--retr 101" \
	    "--disable-tout x" "--set -1" "--set x" "--ice loud" "--input xml" "--output sip"; do
		# shellcheck disable=SC2086
		run -2 --separate-stderr stdout_to_file rtpp-offer $a <"$FIX/invite.sip"
		assert_no_out
		[[ -n $stderr ]]
	done
}

@test "addresses given by the user must be IP addresses" {
	run -2 --separate-stderr stdout_to_file rtpp-offer '' 'not-an-ip' <"$FIX/invite.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-offer: ip argument 'not-an-ip' is not an IP address"
	run -2 --separate-stderr rtpp-offer --local-ip bogus <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: --local-ip 'bogus' is not an IP address"
	run -2 --separate-stderr rtpp-offer --source-ip 999.1.1.1 <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: source address '999.1.1.1' is not an IP address"
}

@test "option errors name the option" {
	run -2 --separate-stderr rtpp-offer --tout x <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: --tout: rtpproxy_tout: 'x' is not a number of seconds between 0.001 and 3600"
}

@test "blank lines before a message are skipped" {
	run -0 --separate-stderr rtpp-offer --dry-run < <(printf '\r\n\n'; cat "$FIX/invite.sip")
	assert_output 'Uc0,8,101 1-15483@127.0.0.1 127.0.0.1 16000 15483-uac-1;1'
}

@test "a SIP message without From-tag is bad input (exit 1)" {
	sed 's/;tag=15483-uac-1//' "$FIX/invite.sip" >"$BATS_TEST_TMPDIR/m"
	run -1 --separate-stderr rtpp-offer <"$BATS_TEST_TMPDIR/m"
	assert_equal "$stderr" "rtpp-offer: sip message has no From-tag"
}

@test "bad rtpproxy_sock values are usage errors quoting the offending text" {
	run -2 --separate-stderr rtpp-offer --sock 'udp:127.0.0.1:99999' <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: --sock: rtpproxy_sock: 'udp:127.0.0.1:99999': bad port '99999', not 1-65535 (did you mean udp:127.0.0.1:22222?)"
	run -2 --separate-stderr rtpp-offer --sock '1 ==' <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: --sock: rtpproxy_sock: no node after '==' in '1 =='"
	run -2 --separate-stderr rtpp-offer --sock '== udp:127.0.0.1' <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: --sock: rtpproxy_sock: bad set id in '== udp:127.0.0.1'"
	run -2 --separate-stderr rtpp-offer --sock 'udp:127.0.0.1=x' <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: --sock: rtpproxy_sock: bad weight in 'udp:127.0.0.1=x'"
	run -2 --separate-stderr rtpp-offer --sock 'udp:' <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: --sock: rtpproxy_sock: 'udp:': expected host[:port]"
}

@test "--set chooses a proxy set; an unknown set is a usage error" {
	fake_start a
	fake_start b
	run -0 --separate-stderr rtpp-offer --sock "$FAKE_URL_A" --sock "1 == $FAKE_URL_B" --set 1 <"$FIX/invite.sip"
	assert_equal "$(fake_count a)" 0
	[[ $(fake_count b) -gt 0 ]]
	run -2 --separate-stderr rtpp-offer --sock "$FAKE_URL_A" --set 2 <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: no proxy set 2 in the configuration"
}

@test "settings precedence: option over environment over config file" {
	fake_start a
	fake_start b
	fake_start c
	printf 'rtpproxy_sock = %s\n' "$FAKE_URL_C" >"$BATS_TEST_TMPDIR/rtpp.conf"
	export RTPP_CONFIG="$BATS_TEST_TMPDIR/rtpp.conf"
	rtpp-offer <"$FIX/invite.sip" >/dev/null
	[[ $(fake_count c) -gt 0 ]]
	RTPP_SOCK="$FAKE_URL_B" rtpp-offer <"$FIX/invite.sip" >/dev/null
	[[ $(fake_count b) -gt 0 ]]
	RTPP_SOCK="$FAKE_URL_B" rtpp-offer --sock "$FAKE_URL_A" <"$FIX/invite.sip" >/dev/null
	[[ $(fake_count a) -gt 0 ]]
	assert_equal "$(fake_count b)" 5
	assert_equal "$(fake_count c)" 5
}

@test "config file: comments, quotes, repeated rtpproxy_sock, the module's names" {
	fake_start a
	cat >"$BATS_TEST_TMPDIR/rtpp.conf" <<-EOF2
	# relays
	rtpproxy_sock = "1 == $FAKE_URL_A"
	rtpproxy_sock = 1 == udp:127.0.0.1:9=0
	rtpproxy_tout = 0.5
	rtpproxy_retr = 2
	nortpproxy_str = "a=seen-by-rtpp:1"

	EOF2
	run -0 --separate-stderr stdout_to_file rtpp-offer --config "$BATS_TEST_TMPDIR/rtpp.conf" --set 1 <"$FIX/invite.sip"
	assert_equal "$(tail -n 1 "$out")" $'a=seen-by-rtpp:1\r'
}

@test "a Kamailio config: modparam(\"rtpproxy\", ...) lines are read, the rest ignored" {
	fake_start a
	cat >"$BATS_TEST_TMPDIR/kamailio.cfg" <<-EOF2
	#!KAMAILIO
	children=4
	loadmodule "rtpproxy.so"
	modparam("rtpproxy", "rtpproxy_sock", "$FAKE_URL_A")
	modparam("rtpproxy", "rtpproxy_retr", 2)
	modparam("rtpproxy", "rtp_inst_pvar", "\$avp(RTP_INSTANCE)")
	modparam("tm", "fr_timer", 1000)
	request_route { rtpproxy_offer(); }
	EOF2
	run -0 --separate-stderr rtpp-offer --config "$BATS_TEST_TMPDIR/kamailio.cfg" <"$FIX/invite.sip"
	[[ $(fake_count a) -gt 0 ]]
}

@test "config errors name the file and line; exit 2" {
	printf '# ok\nrtpproxy_retr = 2\nno_such_key = 1\n' >"$BATS_TEST_TMPDIR/bad.conf"
	run -2 --separate-stderr stdout_to_file rtpp-offer --config "$BATS_TEST_TMPDIR/bad.conf" <"$FIX/invite.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-offer: $BATS_TEST_TMPDIR/bad.conf:3: unknown setting 'no_such_key'"
	printf 'rtpproxy_retr = zero\n' >"$BATS_TEST_TMPDIR/bad.conf"
	run -2 --separate-stderr rtpp-offer --config "$BATS_TEST_TMPDIR/bad.conf" <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: $BATS_TEST_TMPDIR/bad.conf:1: rtpproxy_retr: 'zero' is not an integer between 1 and 100"
	printf 'just words\n' >"$BATS_TEST_TMPDIR/bad.conf"
	run -2 --separate-stderr rtpp-offer --config "$BATS_TEST_TMPDIR/bad.conf" <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: $BATS_TEST_TMPDIR/bad.conf:1: expected 'key = value'"
	printf 'modparam("rtpproxy", "no_such", 1)\n' >"$BATS_TEST_TMPDIR/bad.cfg"
	run -2 --separate-stderr rtpp-offer --config "$BATS_TEST_TMPDIR/bad.cfg" <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: $BATS_TEST_TMPDIR/bad.cfg:1: unknown rtpproxy parameter 'no_such'"
	run -2 --separate-stderr rtpp-offer --config "$BATS_TEST_TMPDIR/missing.conf" <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: $BATS_TEST_TMPDIR/missing.conf: No such file or directory"
}

@test "environment values are checked too" {
	RTPP_RETR=0 run -2 --separate-stderr rtpp-offer <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: RTPP_RETR: rtpproxy_retr: '0' is not an integer between 1 and 100"
	RTPP_SET=abc run -2 --separate-stderr rtpp-offer <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: RTPP_SET: 'abc' is not a set number"
}

@test "empty input, garbage and a message without body are errors with empty stdout" {
	run -1 --separate-stderr stdout_to_file rtpp-offer </dev/null
	assert_no_out
	assert_equal "$stderr" "rtpp-offer: no input: give an SDP body or a SIP message on stdin"
	run -1 --separate-stderr rtpp-offer <<<'hello, world!'
	assert_equal "$stderr" "rtpp-offer: input is neither SDP, a SIP message nor base64"
	run -1 --separate-stderr rtpp-offer <"$FIX/bye.sip"
	assert_equal "$stderr" "rtpp-offer: sip message has no body"
}

@test "SIP errors name the problem" {
	sed 's/^Content-Length: 220/Content-Length: 999/' "$FIX/invite.sip" >"$BATS_TEST_TMPDIR/m"
	run -1 --separate-stderr rtpp-offer <"$BATS_TEST_TMPDIR/m"
	assert_equal "$stderr" "rtpp-offer: Content-Length 999 but the body has 220 bytes"
	sed '/^Call-ID/d' "$FIX/invite.sip" >"$BATS_TEST_TMPDIR/m"
	run -1 --separate-stderr rtpp-offer <"$BATS_TEST_TMPDIR/m"
	assert_equal "$stderr" "rtpp-offer: sip message has no Call-ID"
	sed 's/^Content-Type: application\/sdp/Content-Type: text\/plain/' "$FIX/invite.sip" >"$BATS_TEST_TMPDIR/m"
	run -1 --separate-stderr rtpp-offer <"$BATS_TEST_TMPDIR/m"
	assert_equal "$stderr" "rtpp-offer: Content-Type text/plain is not application/sdp"
	{ sed -n '1,10p' "$FIX/invite.sip"; printf 'Content-Length: 5\r\n\r\n'; } >"$BATS_TEST_TMPDIR/m"
	run -1 --separate-stderr stdout_to_file rtpp-offer <"$BATS_TEST_TMPDIR/m"
	assert_equal "$stderr" "rtpp-offer: sip line 11: second content-length header"
	assert_no_out
}

@test "SDP errors name the line" {
	printf 'v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\nm=audio 1 RTP/AVP 0\n' >"$BATS_TEST_TMPDIR/s"
	run -1 --separate-stderr rtpp-offer --call-id c --from-tag f <"$BATS_TEST_TMPDIR/s"
	assert_equal "$stderr" "rtpp-offer: sdp line 5: m= line without a c= line"
	printf 'v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nm=audio 70000 RTP/AVP 0\n' >"$BATS_TEST_TMPDIR/s"
	run -1 --separate-stderr rtpp-offer --call-id c --from-tag f <"$BATS_TEST_TMPDIR/s"
	assert_equal "$stderr" "rtpp-offer: sdp line 5: bad m= line"
	printf 'v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 300.1.1.1\nm=audio 7000 RTP/AVP 0\n' >"$BATS_TEST_TMPDIR/s"
	run -1 --separate-stderr rtpp-offer --call-id c --from-tag f <"$BATS_TEST_TMPDIR/s"
	assert_equal "$stderr" "rtpp-offer: sdp line 4: bad c= line"
	printf 'v=0\ro=- 1 1 IN IP4 192.0.2.1\r' >"$BATS_TEST_TMPDIR/s"
	run -1 --separate-stderr stdout_to_file rtpp-offer --call-id c --from-tag f <"$BATS_TEST_TMPDIR/s"
	assert_equal "$stderr" "rtpp-offer: sdp line 1: bare CR"
	assert_no_out
}

@test "a failed write to stdout is an error (exit 1)" {
	fake_start a
	export RTPP_SOCK="$FAKE_URL_A"
	run -1 --separate-stderr stdout_to_full rtpp-offer <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: stdout: No space left on device"
	run -1 --separate-stderr stdout_to_full rtpp-offer --version
}

@test "Kamailio exec environment: --kamailio-env takes Call-ID, tags and source address" {
	export SIP_HF_CALLID=env-call-1 SIP_SRCIP=198.51.100.77
	export SIP_HF_FROM='"A" <sip:a@example.com;tag=no>;tag=env-ftag' SIP_HF_TO='<sip:b@example.com>;tag=env-ttag'
	run -0 --separate-stderr rtpp-offer --dry-run --kamailio-env --b64 "$(base64 -w0 "$FIX/hold.sdp")"
	assert_output 'Uc0 env-call-1 198.51.100.77 24000 env-ftag;1 env-ttag;1'
	run -0 --separate-stderr rtpp-offer --dry-run --b64 "$(base64 -w0 "$FIX/invite.sip")"
	assert_output 'Uc0,8,101 1-15483@127.0.0.1 127.0.0.1 16000 15483-uac-1;1'
}

# For `run`: the command with its standard output on /dev/full.
stdout_to_full() {
	"$@" >/dev/full
}

# For `run`: the command with standard descriptors closed: closed WHICH
# COMMAND..., WHICH stdout, stderr or all (stdin too).
closed() {
	local which=$1
	shift
	case $which in
	stdout) "$@" >&- ;;
	stderr) "$@" 2>&- ;;
	all) "$@" <&- >&- 2>&- ;;
	esac
}

# Every line of the relay log of NAME is "COOKIE COMMAND" with our cookie.
assert_only_commands() {
	local bad
	bad=$(grep -vE '^[0-9]+_[0-9a-f]{8}_[0-9]+ [A-Z]' "$BATS_TEST_TMPDIR/$1.log" || true)
	if [[ -n $bad ]]; then
		printf '%s\n' "$bad" | batslib_decorate 'the relay got other text' | fail
	fi
}

@test "closed standard descriptors: reports and traces never reach the relay" {
	fake_start a 'U* -> reply 31000 127.0.0.1 4'
	export RTPP_SOCK="$FAKE_URL_A"
	# stdout closed: the ping report is lost, not sent
	run -0 --separate-stderr closed stdout rtpp-ctl ping
	assert_only_commands a
	grep -q ' V$' "$BATS_TEST_TMPDIR/a.log"
	# stderr closed: the trace is lost, not sent; the output is right
	run -0 --separate-stderr stdout_to_file closed stderr rtpp-offer --trace <"$FIX/invite.sip"
	assert_out_file "$GOLDEN/rtpp-offer/invite.sip"
	assert_only_commands a
	# all three closed, the message in an argument: still only commands
	n=$(fake_count a)
	run -0 --separate-stderr closed all rtpp-offer --trace --b64 "$(base64 -w0 "$FIX/invite.sip")"
	assert_equal "$(fake_count a)" $((n + 1))
	assert_only_commands a
}

@test "Kamailio mode: the message's Call-ID and tags win; a SIP_HF_* value that differs (a CallID header) is refused, nothing sent" {
	fake_start a 'U* -> reply 31000 127.0.0.1 4'
	export RTPP_SOCK="$FAKE_URL_A"
	# what Kamailio's exec module exports for an INVITE with a header
	# "CallID: victim-call" placed before its real Call-ID
	python3 - "$FIX/invite.sip" >"$BATS_TEST_TMPDIR/m" <<-'PY'
	import sys
	d = open(sys.argv[1], 'rb').read()
	sys.stdout.buffer.write(d.replace(b'Call-ID:', b'CallID: victim-call\r\nCall-ID:', 1))
	PY
	export SIP_HF_CALLID=victim-call SIP_SRCIP=127.0.0.1
	export SIP_HF_FROM='sipp <sip:sipp@127.0.0.1:5070>;tag=15483-uac-1' SIP_HF_TO='svc <sip:svc@127.0.0.1:5060>'
	run -1 --separate-stderr stdout_to_file rtpp-manage --kamailio-env --output sdp-base64 --b64 "$(base64 -w0 "$BATS_TEST_TMPDIR/m")" </dev/null
	assert_no_out
	assert_equal "$stderr" "rtpp-manage: the message's Call-ID '1-15483@127.0.0.1' and SIP_HF_CALLID's 'victim-call' differ (a header of another name may have set SIP_HF_CALLID); nothing sent"
	assert_equal "$(fake_count a)" 0
	# the same for a BYE (D) and for the tags
	export SIP_HF_CALLID=1-15483@127.0.0.1 SIP_HF_TO='svc <sip:svc@127.0.0.1:5060>;tag=victim-tag'
	run -1 --separate-stderr rtpp-destroy --kamailio-env --b64 "$(base64 -w0 "$FIX/bye.sip")" </dev/null
	assert_equal "$stderr" "rtpp-destroy: the message's To-tag '15475-uas-1' and SIP_HF_TO's tag 'victim-tag' differ (a header of another name may have set SIP_HF_TO); nothing sent"
	export SIP_HF_TO='svc <sip:svc@127.0.0.1:5060>' SIP_HF_FROM='x <sip:x@example.com>;tag=victim-ftag'
	run -1 --separate-stderr rtpp-destroy --kamailio-env --b64 "$(base64 -w0 "$FIX/bye.sip")" </dev/null
	assert_equal "$stderr" "rtpp-destroy: the message's From-tag '15483-uac-1' and SIP_HF_FROM's tag 'victim-ftag' differ (a header of another name may have set SIP_HF_FROM); nothing sent"
	assert_equal "$(fake_count a)" 0
	# agreeing values go through, and the message's values are sent
	export SIP_HF_FROM='sipp <sip:sipp@127.0.0.1:5070>;tag=15483-uac-1'
	run -0 --separate-stderr rtpp-offer --kamailio-env --b64 "$(base64 -w0 "$FIX/invite.sip")" </dev/null
	assert_equal "$(cmds a | tail -n 1)" 'U 1-15483@127.0.0.1 127.0.0.1 16000 15483-uac-1;1'
	# an option still wins over both
	run -0 --separate-stderr rtpp-offer --dry-run --kamailio-env --call-id opt-call --b64 "$(base64 -w0 "$BATS_TEST_TMPDIR/m")"
	assert_output 'Uc0,8,101 opt-call 127.0.0.1 16000 15483-uac-1;1'
}

@test "socket URLs that cannot be right are usage errors with a hint (exit 2), never a relay down" {
	fake_start a 'U* -> reply 31000 127.0.0.1 4'
	p=$FAKE_A_PORT
	while read -r url want; do
		run -2 --separate-stderr stdout_to_file rtpp-offer --sock "$url" <"$FIX/invite.sip"
		assert_no_out
		assert_equal "$stderr" "rtpp-offer: --sock: rtpproxy_sock: '$url': $want"
	done <<-EOF
	udp://127.0.0.1:$p no '//' after the scheme (did you mean udp:127.0.0.1:$p?)
	tcp:127.0.0.1:$p the rtpproxy protocol has no tcp: transport (did you mean udp:127.0.0.1:$p?)
	ng://127.0.0.1:$p no '//' after the scheme (did you mean ng:127.0.0.1:$p?)
	ng:127.0.0.1 expected ng:HOST:PORT or ng:[IPv6]:PORT (as in ng:127.0.0.1:2223)
	http:127.0.0.1:$p unknown scheme 'http:' (udp:, udp6:, unix:, ng: or a socket path) (did you mean udp:127.0.0.1:$p?)
	udp:127.0.0.1:70000 bad port '70000', not 1-65535 (did you mean udp:127.0.0.1:22222?)
	udp:[::1]:$p an IPv6 address needs udp6: (did you mean udp6:[::1]:$p?)
	udp:relay_1:$p bad host: neither an address nor a host name (did you mean udp:127.0.0.1:$p?)
	EOF
	# the same from the environment and from a config file; rtpp-ctl too
	RTPP_SOCK="udp://127.0.0.1:$p" run -2 --separate-stderr rtpp-offer <"$FIX/invite.sip"
	printf 'rtpproxy_sock = tcp:127.0.0.1:%s\n' "$p" >"$BATS_TEST_TMPDIR/c.conf"
	run -2 --separate-stderr rtpp-offer --config "$BATS_TEST_TMPDIR/c.conf" <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: $BATS_TEST_TMPDIR/c.conf:1: rtpproxy_sock: 'tcp:127.0.0.1:$p': the rtpproxy protocol has no tcp: transport (did you mean udp:127.0.0.1:$p?)"
	run -2 --separate-stderr rtpp-ctl --sock "udp://127.0.0.1:$p" ping
	# nothing was sent and nothing was recorded about any node
	assert_equal "$(fake_count a)" 0
	run ! --separate-stderr grep -rl "127.0.0.1" "$RTPP_STATE_DIR"
	# the right URL works at once: no node was marked down
	run -0 --separate-stderr rtpp-offer --sock "udp:127.0.0.1:$p" <"$FIX/invite.sip"
	# a plain path stays a unix socket, as in the module
	run -0 --separate-stderr rtpp-offer --dry-run --sock "$BATS_TEST_TMPDIR/relay.sock" <"$FIX/invite.sip"
}

@test "--help lists the flag letters and the IP argument; an address given as the flags says what went wrong" {
	run -0 --separate-stderr rtpp-offer --help
	assert_line "FLAGS, the module's flags string, letters in any case ('' for none):"
	for l in '1 2 3' a b c 'e i' f l o r w x 'z<N>'; do
		assert_line --regexp "^  $l +[a-z(]"
	done
	assert_line --partial "IP, the module's ip_address"
	run -0 --separate-stderr rtpp-destroy --help
	assert_line --regexp '^  t +leave out the To-tag'
	run -0 --separate-stderr rtpp-manage --help
	assert_line --regexp '^  z<N> +re-packetize'
	run -0 --separate-stderr with_stderr rtpp-stat --help
	refute_line --partial "FLAGS"
	run -2 --separate-stderr stdout_to_file rtpp-offer 192.0.2.1 <"$FIX/invite.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-offer: '192.0.2.1' is an address, not a flags string: the flags come first ('' for none): rtpp-offer '' 192.0.2.1"
	run -2 --separate-stderr rtpp-manage 2001:db8::1 <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-manage: '2001:db8::1' is an address, not a flags string: the flags come first ('' for none): rtpp-manage '' 2001:db8::1"
	run -2 --separate-stderr rtpp-destroy 192.0.2.1 <"$FIX/bye.sip"
	assert_equal "$stderr" "rtpp-destroy: '192.0.2.1' is an address, not a flags string; rtpp-destroy takes no address"
	# the right way round works
	run -0 --separate-stderr rtpp-offer --dry-run '' 192.0.2.1 <"$FIX/invite.sip"
}

@test "--deadline covers reading standard input and lock waits: a writer that never closes stdin costs the deadline, exit 3" {
	skip_under_valgrind "a 0.3 s deadline"
	t0=${EPOCHREALTIME/[.,]/}
	run -3 --separate-stderr stdout_to_file bash -c '{ cat "$1"; sleep 5; } | rtpp-offer --deadline 0.3' - "$FIX/invite.sip"
	t1=${EPOCHREALTIME/[.,]/}
	assert_no_out
	assert_equal "$stderr" "rtpp-offer: deadline reached; gave up"
	# the pipeline waited for sleep; the tool itself ended at its deadline
	(( t1 - t0 < 6000000 ))
	# the late-offer lock held by another process: a bounded wait, a warning
	mkdir -p "$RTPP_STATE_DIR"
	python3 - "$FIX/invite.sip" >"$BATS_TEST_TMPDIR/m" <<-'PY'
	import sys
	d = open(sys.argv[1], 'rb').read()
	h = d.split(b'\r\n\r\n', 1)[0].split(b'\r\n')
	h = [l for l in h if not l.startswith(b'Content-Type:')]
	h = [b'Content-Length: 0' if l.startswith(b'Content-Length:') else l for l in h]
	sys.stdout.buffer.write(b'\r\n'.join(h) + b'\r\n\r\n')
	PY
	touch "$RTPP_STATE_DIR/late-offers.lock"
	flock "$RTPP_STATE_DIR/late-offers.lock" sleep 5 &
	sleep 0.2
	t0=${EPOCHREALTIME/[.,]/}
	run -1 --separate-stderr rtpp-manage --deadline 1 <"$BATS_TEST_TMPDIR/m"
	t1=${EPOCHREALTIME/[.,]/}
	kill %1 2>/dev/null || true
	echo "status $status: $stderr"
	echo "$stderr"
	[[ $stderr == *"rtpp-manage: late-offer memory: $RTPP_STATE_DIR/late-offers.lock: held by another process; gave up waiting"* ]]
	(( t1 - t0 < 900000 ))
}
