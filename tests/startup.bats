#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# What the tools' start-up and I/O do (issue 18), whatever the way they
# do it: stdin read whole from a pipe, a file or a slow writer, at every
# size around the buffer's growth and the limits; stdout written whole,
# and a failed write reported; the environment read once, whatever it
# holds beside the RTPP_* and SIP_* variables a run reads.

load helpers

setup() {
	rtpp_setup
}

teardown() {
	rtpp_teardown
}

# A SIP INVITE whose SDP has two m= lines and PAD bytes of a= lines,
# with its Content-Length right, to stdout.
big_invite() {
	python3 - "$1" <<'PY'
import sys
pad = int(sys.argv[1])
l = ["v=0", "o=- 1 1 IN IP4 198.51.100.7", "s=-", "c=IN IP4 198.51.100.7", "t=0 0",
     "m=audio 20000 RTP/AVP 0 8", "a=rtpmap:0 PCMU/8000", "a=sendrecv",
     "m=video 20002 RTP/AVP 96", "a=rtpmap:96 H264/90000", "a=sendrecv"]
body = "\r\n".join(l) + "\r\n"
k = 0
while len(body) < pad:
    body += "a=x-pad-%d:%s\r\n" % (k, "p" * 60)
    k += 1
h = ["INVITE sip:bob@192.0.2.1 SIP/2.0",
     "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-startup",
     "From: <sip:alice@192.0.2.2>;tag=startup-ftag", "To: <sip:bob@192.0.2.1>",
     "Call-ID: startup-call@127.0.0.1", "CSeq: 1 INVITE",
     "Content-Type: application/sdp", "Content-Length: %d" % len(body)]
sys.stdout.write("\r\n".join(h) + "\r\n\r\n" + body)
PY
}

# Write file $1 to stdout in pieces of $2 bytes with a pause between.
slow_cat() {
	python3 - "$1" "$2" <<'PY'
import sys, time
d = open(sys.argv[1], "rb").read()
n = int(sys.argv[2])
for i in range(0, len(d), n):
    sys.stdout.buffer.write(d[i:i + n])
    sys.stdout.buffer.flush()
    time.sleep(0.01)
PY
}

@test "stdin at every size around the buffer's growth: echoed whole by --passthrough, from a file and from a pipe" {
	local n in=$BATS_TEST_TMPDIR/in
	for n in 1 1022 1023 1024 1025 2047 2048 2049 4095 4096 4097 8191 8192 8193 65536 65537 300001; do
		head -c "$n" /dev/zero | tr '\0' x >"$in"
		run -1 --separate-stderr stdout_to_file rtpp-offer --passthrough --fake-reply '40000 192.0.2.1' <"$in"
		assert_out_file "$in"
		run -1 --separate-stderr stdout_to_file rtpp-offer --passthrough --fake-reply '40000 192.0.2.1' < <(cat "$in")
		assert_out_file "$in"
	done
}

@test "a large message gives the same output from a file, a pipe and a slow writer" {
	local in=$BATS_TEST_TMPDIR/big.sip want=$BATS_TEST_TMPDIR/want
	big_invite 1000000 >"$in"
	run -0 --separate-stderr rtpp-offer --fake-reply '40000 192.0.2.1' <"$in"
	assert_equal "$stderr" ""
	printf '%s\n' "$output" >"$want"
	[[ $(head -c 7 "$want") == "INVITE " ]]
	[[ $(wc -c <"$want") -gt $(wc -c <"$in") ]]
	run -0 --separate-stderr stdout_to_file rtpp-offer --fake-reply '40000 192.0.2.1' <"$in"
	assert_out_file "$want"
	run -0 --separate-stderr stdout_to_file rtpp-offer --fake-reply '40000 192.0.2.1' < <(cat "$in")
	assert_out_file "$want"
	run -0 --separate-stderr stdout_to_file rtpp-offer --fake-reply '40000 192.0.2.1' < <(slow_cat "$in" 333333)
	assert_out_file "$want"
}

@test "stdin of exactly RTPC_INPUT_MAX bytes is read; one more is too large, from a file and from a pipe" {
	local max=$((4 * 1024 * 1024)) in=$BATS_TEST_TMPDIR/in
	head -c "$max" /dev/zero | tr '\0' x >"$in"
	run -1 --separate-stderr stdout_to_file rtpp-offer --fake-reply '40000 192.0.2.1' <"$in"
	refute [ "$stderr" = "rtpp-offer: stdin: input larger than $max bytes" ]
	assert_no_out
	printf x >>"$in"
	run -1 --separate-stderr stdout_to_file rtpp-offer --fake-reply '40000 192.0.2.1' <"$in"
	assert_equal "$stderr" "rtpp-offer: stdin: input larger than $max bytes"
	assert_no_out
	run -1 --separate-stderr stdout_to_file rtpp-offer --fake-reply '40000 192.0.2.1' < <(cat "$in")
	assert_equal "$stderr" "rtpp-offer: stdin: input larger than $max bytes"
	assert_no_out
}

@test "a stdout whose reader goes away mid-write: exit 1 and one line, never a signal" {
	local in=$BATS_TEST_TMPDIR/big.sip err=$BATS_TEST_TMPDIR/err st
	# the output, over 1 MB, cannot fit in the pipe before head exits
	big_invite 1000000 >"$in"
	rtpp-offer --fake-reply '40000 192.0.2.1' <"$in" 2>"$err" | head -c 100 >/dev/null
	st=${PIPESTATUS[0]}
	assert_equal "$st" 1
	assert_equal "$(cat "$err")" "rtpp-offer: stdout: Broken pipe"
	# the same for --passthrough's echo of an input too large
	head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' x >"$in"
	rtpp-offer --passthrough --fake-reply '40000 192.0.2.1' <"$in" 2>"$err" | head -c 100 >/dev/null
	st=${PIPESTATUS[0]}
	assert_equal "$st" 1
	assert_equal "$(cat "$err")" "rtpp-offer: stdin: input larger than 4194304 bytes
rtpp-offer: stdout: Broken pipe"
}

@test "a stdout that is full or closed" {
	run -0 --separate-stderr stdout_to_file rtpp-offer --fake-reply '40000 192.0.2.1' <"$FIX/invite.sip"
	cp "$out" "$BATS_TEST_TMPDIR/want"
	run -1 --separate-stderr bash -c 'exec rtpp-offer --fake-reply \
	    "40000 192.0.2.1" <"$1" >/dev/full' _ "$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: stdout: No space left on device"
	# closed: the output goes nowhere, and that is not an error
	run -0 --separate-stderr bash -c 'exec rtpp-offer --fake-reply \
	    "40000 192.0.2.1" <"$1" >&-' _ "$FIX/invite.sip"
	assert_equal "$stderr" ""
	# stdin closed, the message in an argument: the same output
	run -0 --separate-stderr stdout_to_file rtpp-offer --fake-reply '40000 192.0.2.1' --output plain --b64 "$(base64 -w0 "$FIX/invite.sip")" <&-
	assert_out_file "$BATS_TEST_TMPDIR/want"
}

# Export N variables SIP_HF_X_<i> and as many RTPP_X_<i>, like the
# headers Kamailio's exec module puts in the environment.
crowd_env() {
	local i
	for ((i = 0; i < $1; i++)); do
		export "SIP_HF_X_$i=header value $i;tag=not-this-one" "RTPP_X_$i=udp:192.0.2.9:$i"
	done
}

@test "thousands of SIP_HF_* variables in the environment: the same commands and output" {
	fake_start a 'U* -> reply 31000 127.0.0.1 4'
	export SIP_HF_CALLID=env-call-1 SIP_SRCIP=198.51.100.77
	export SIP_HF_FROM='"A" <sip:a@example.com;tag=no>;tag=env-ftag' SIP_HF_TO='<sip:b@example.com>;tag=env-ttag'
	run -0 --separate-stderr rtpp-offer --dry-run --kamailio-env --b64 "$(base64 -w0 "$FIX/hold.sdp")"
	local want_dry=$output
	export RTPP_SOCK="$FAKE_URL_A"
	run -0 --separate-stderr stdout_to_file rtpp-offer <"$FIX/invite.sip"
	cp "$out" "$BATS_TEST_TMPDIR/want"
	crowd_env 3000
	# names that only begin like the ones read are not them
	export SIP_HF_CALLIDX=wrong SIP_HF_T=wrong SIP_SRCIPX=192.0.2.66 RTPP_SOCKS=udp:192.0.2.9:1 RTPP_SE=7
	run -0 --separate-stderr rtpp-offer --dry-run --kamailio-env --b64 "$(base64 -w0 "$FIX/hold.sdp")"
	assert_equal "$output" "$want_dry"
	assert_equal "$stderr" ""
	run -0 --separate-stderr stdout_to_file rtpp-offer <"$FIX/invite.sip"
	assert_out_file "$BATS_TEST_TMPDIR/want"
	# the settings still come from the environment, after the crowd
	run -2 --separate-stderr stdout_to_file env RTPP_SET=x rtpp-offer <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: RTPP_SET: 'x' is not a set number"
}

@test "an empty variable is set, as with getenv: RTPP_SOCK= replaces the file's nodes with none" {
	printf 'rtpproxy_sock = udp:192.0.2.9:7722\n' >"$BATS_TEST_TMPDIR/rtpp.conf"
	export RTPP_CONFIG="$BATS_TEST_TMPDIR/rtpp.conf" RTPP_SOCK=
	run -2 --separate-stderr stdout_to_file rtpp-offer <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: no proxy set 0 in the configuration"
	assert_no_out
}
