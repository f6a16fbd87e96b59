#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Real traffic (issue 15): SIP-I bodies with binary ISUP parts, the
# module's nortpproxy_str with "\r\n", the module's SDP rules for odd but
# valid lines, and Content-Length as RFC 3261 18.3 says.  Each test sends
# the hostile or unusual message through the tools against the fake
# relay and checks the commands sent and the output byte for byte.

load helpers
load lib/body

SIPI="$FIX/sip-i-invite.sip"
SIPI_BYE="$FIX/sip-i-bye.sip"

setup() {
	rtpp_setup
	fake_start a
	export RTPP_SOCK="$FAKE_URL_A"
	fake_script a 'U* -> reply 31000 127.0.0.9
L* -> reply 31002 127.0.0.9
D* -> reply 0'
	w="$BATS_TEST_TMPDIR"
}

teardown() {
	rtpp_teardown
}

# A message with its body replaced and Content-Length fixed:
# WITH_BODY FILE BODYFILE > OUT
with_body() {
	python3 - "$1" "$2" <<-'PY'
	import re, sys
	d = open(sys.argv[1], 'rb').read()
	h = d.split(b'\r\n\r\n', 1)[0]
	b = open(sys.argv[2], 'rb').read()
	h = re.sub(rb'Content-Length: \d+', b'Content-Length: %d' % len(b), h)
	sys.stdout.buffer.write(h + b'\r\n\r\n' + b)
	PY
}

# Replace bytes in a file: BREPLACE FILE OLD NEW > OUT (Python literals)
breplace() {
	python3 - "$@" <<-'PY'
	import ast, sys
	d = open(sys.argv[1], 'rb').read()
	old, new = ast.literal_eval(sys.argv[2]), ast.literal_eval(sys.argv[3])
	assert old in d, old
	sys.stdout.buffer.write(d.replace(old, new, 1))
	PY
}

# --- SIP-I / SIP-T: binary ISUP parts ------------------------------------

@test "the SIP-I fixtures really are binary: ISUP with 0x00, CR, LF and 0xff" {
	run -0 --separate-stderr python3 -c '
import sys
for f in sys.argv[1:]:
    d = open(f, "rb").read()
    body = d.split(b"\r\n\r\n", 1)[1]
    print(f.rsplit("/", 1)[1], *[n for n, c in (("NUL", b"\x00"),
          ("FF", b"\xff")) if c in body])
' "$SIPI" "$SIPI_BYE"
	assert_line 'sip-i-invite.sip NUL FF'
	assert_line 'sip-i-bye.sip NUL'
	# a CRLF inside the ISUP bytes, not followed by a header or boundary
	run -0 --separate-stderr python3 -c 'import sys; print(open(sys.argv[1], "rb").read().count(b"\x87\r\n\n\x07"))' "$SIPI"
	assert_output 1
}

@test "SIP-I INVITE: anchored, only the SDP part changes, the ISUP part byte for byte, Content-Length right" {
	run -0 --separate-stderr stdout_to_file rtpp-offer <"$SIPI"
	assert_equal "$stderr" ""
	assert_cmds a "${PROBES[@]}" 'U 1-15483@127.0.0.1 127.0.0.1 16000 15483-uac-1;1'
	body_check "$SIPI" "$out" >"$w/sdp"
	grep -qa $'^m=audio 31000 RTP/AVP 0 8 101\r$' "$w/sdp"
	grep -qa $'^c=IN IP4 127.0.0.9\r$' "$w/sdp"
	grep -qa $'^a=nortpproxy:yes\r$' "$w/sdp"
	# the head up to Content-Length and the ISUP part's bytes unchanged
	assert_equal "$(head -c 300 "$out" | md5sum)" "$(head -c 300 "$SIPI" | md5sum)"
	assert_equal "$(tail -c 80 "$out" | md5sum)" "$(tail -c 80 "$SIPI" | md5sum)"
	assert_equal "$(body_clen "$out")" $(( $(body_clen "$SIPI") + 18 ))
}

@test "SIP-I INVITE in base64 (Kamailio mode): the same, base64 out" {
	run -0 --separate-stderr stdout_to_file rtpp-offer --kamailio-env --b64 "$(base64 -w 0 "$SIPI")"
	base64 -d "$out" >"$w/dec"
	body_check "$SIPI" "$w/dec" >"$w/sdp"
	grep -qa $'^m=audio 31000 RTP/AVP 0 8 101\r$' "$w/sdp"
	base64 "$SIPI" | rtpp-offer f >"$w/stdin64"
	base64 -d "$w/stdin64" | cmp - "$w/dec"
}

@test "SIP-I BYE with a binary ISUP body: rtpp-destroy sends D and passes the message through unchanged" {
	run -0 --separate-stderr stdout_to_file rtpp-destroy <"$SIPI_BYE"
	assert_cmds a 'D 1-15483@127.0.0.1 15483-uac-1 15475-uas-1'
	assert_out_file "$SIPI_BYE"
	run -0 --separate-stderr stdout_to_file rtpp-destroy --b64 "$(base64 -w 0 "$SIPI_BYE")"
	base64 -d "$out" | cmp - "$SIPI_BYE"
}

@test "SIP-I through rtpp-manage: the INVITE is U, the BYE is D" {
	run -0 --separate-stderr stdout_to_file rtpp-manage <"$SIPI"
	body_check "$SIPI" "$out" >/dev/null
	run -0 --separate-stderr stdout_to_file rtpp-manage <"$SIPI_BYE"
	assert_out_file "$SIPI_BYE"
	run -0 --separate-stderr cmds a
	assert_line --index 4 'U 1-15483@127.0.0.1 127.0.0.1 16000 15483-uac-1;1'
	assert_line --index 5 'D 1-15483@127.0.0.1 15483-uac-1 15475-uas-1'
}

@test "a multipart BYE without an SDP part, or with a broken boundary: D is sent anyway" {
	breplace "$SIPI" "b'application/sdp'" "b'application/xyz'" >"$w/nosdp"
	breplace "$SIPI" "b';boundary=unique-boundary-1'" "b''" >"$w/nobd"
	for f in nosdp nobd; do
		sed -e '1s/^INVITE/BYE/' -e 's/^CSeq: 1 INVITE/CSeq: 2 BYE/' "$w/$f" >"$w/$f.bye"
		run -0 --separate-stderr stdout_to_file rtpp-destroy <"$w/$f.bye"
		assert_out_file "$w/$f.bye"
	done
	assert_equal "$(fake_count a 'D *')" 2
	# but an offer needs the SDP part
	run -1 --separate-stderr stdout_to_file rtpp-offer <"$w/nosdp"
	assert_equal "$stderr" "rtpp-offer: multipart body has no application/sdp part"
	assert_no_out
}

@test "NUL stays refused in the SDP part and in the head; nothing is sent" {
	breplace "$SIPI" "b's=-'" "b's=\\x00'" >"$w/sdpnul"
	run -1 --separate-stderr stdout_to_file rtpp-offer <"$w/sdpnul"
	assert_equal "$stderr" "rtpp-offer: sdp contains a NUL byte"
	assert_no_out
	breplace "$SIPI" "b'Max-Forwards: 70'" "b'Max-Forwards: 7\\x000'" >"$w/headnul"
	for tool in rtpp-offer rtpp-destroy rtpp-manage; do
		run -1 --separate-stderr stdout_to_file $tool <"$w/headnul"
		assert_equal "$stderr" "$tool: sip line 8: NUL byte"
		assert_no_out
	done
	assert_equal "$(fake_count a '[UD]*')" 0
}

# --- nortpproxy_str as the module documents it ----------------------------

@test "nortpproxy_str 'a=sdpmangled:yes\\r\\n' (option): decoded, one marker line with the body's own line end" {
	run -0 --separate-stderr stdout_to_file rtpp-offer --nortpproxy-str 'a=sdpmangled:yes\r\n' <"$FIX/invite.sip"
	run -0 --separate-stderr tail -c 30 "$out"
	assert_output $'a=sendrecv\r\na=sdpmangled:yes\r'
	run -1 --separate-stderr grep -c '\\' "$out"
	assert_output 0
	assert_equal "$(body_clen "$out")" 238
	# LF body: LF before the marker, the body's final LF after it
	tr -d '\r' <"$FIX/hold.sdp" >"$w/lf.sdp"
	run -0 --separate-stderr stdout_to_file rtpp-offer --call-id c --from-tag f --nortpproxy-str 'a=sdpmangled:yes\r\n' <"$w/lf.sdp"
	run -0 --separate-stderr tail -n 2 "$out"
	assert_line --index 1 'a=sdpmangled:yes'
	run -1 --separate-stderr grep -c $'\r' "$out"
	assert_output 0
	# and the marker is found again on the way back: exit 4, nothing sent
	cp "$out" "$w/marked"
	n=$(fake_count a 'U*')
	run -4 --separate-stderr stdout_to_file rtpp-offer --call-id c --from-tag f --nortpproxy-str 'a=sdpmangled:yes\r\n' <"$w/marked"
	assert_no_out
	assert_equal "$(fake_count a 'U*')" "$n"
}

@test "nortpproxy_str in a Kamailio config and a plain config: escapes decoded the same" {
	printf '%s\n' 'loadmodule "rtpproxy.so"' \
	    "modparam(\"rtpproxy\", \"rtpproxy_sock\", \"$FAKE_URL_A\")" \
	    'modparam("rtpproxy", "nortpproxy_str", "a=sdpmangled:\"yes\"\r\n")' >"$w/kam.cfg"
	printf '%s\n' "rtpproxy_sock = $FAKE_URL_A" \
	    'nortpproxy_str = "a=x:\ttab\r\n"' >"$w/plain.conf"
	unset RTPP_SOCK
	run -0 --separate-stderr stdout_to_file rtpp-offer --config "$w/kam.cfg" <"$FIX/invite.sip"
	run -0 --separate-stderr tail -n 1 "$out"
	assert_output $'a=sdpmangled:"yes"\r'
	run -0 --separate-stderr stdout_to_file rtpp-offer --config "$w/plain.conf" <"$FIX/invite.sip"
	run -0 --separate-stderr tail -n 1 "$out"
	assert_output $'a=x:\ttab\r'
	run -2 --separate-stderr stdout_to_file rtpp-offer --nortpproxy-str 'a=x\r\na=y' <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: --nortpproxy-str: nortpproxy_str: a line break inside the marker (it is one SDP line)"
	assert_no_out
}

# --- the module's SDP rules ----------------------------------------------

sdp() {
	printf 'v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\n%s\r\nt=0 0\r\n%s\r\n' "$1" "$2"
}

@test "multicast c= with /ttl (and IPv6 /n): the suffix goes with the address" {
	sdp 'c=IN IP4 224.2.1.1/127/3' 'm=audio 7000 RTP/AVP 0' >"$w/m4"
	run -0 --separate-stderr stdout_to_file rtpp-offer --call-id c --from-tag f --source-ip 10.0.0.1 <"$w/m4"
	run -0 --separate-stderr grep -a '^c=' "$out"
	assert_output $'c=IN IP4 127.0.0.9\r'
	sdp 'c=IN IP6 ff15::101/3' 'm=audio 7000 RTP/AVP 0' >"$w/m6"
	fake_script a 'U* -> reply 31000 2001:db8::9 6'
	run -0 --separate-stderr stdout_to_file rtpp-offer --call-id c --from-tag f <"$w/m6"
	run -0 --separate-stderr grep -a '^c=' "$out"
	assert_output $'c=IN IP6 2001:db8::9\r'
	# the relay got the address without the suffix (flag r)
	run -0 --separate-stderr rtpp-offer r --call-id c --from-tag f <"$w/m4"
	run -0 --separate-stderr cmds a
	assert_line --index 6 'U c 224.2.1.1 7000 f;1'
}

@test "m= port with a count: the relay gets the plain port, the SDP loses the count" {
	sdp 'c=IN IP4 10.0.0.1' 'm=audio 49170/2 RTP/AVP 0' >"$w/pc"
	run -0 --separate-stderr stdout_to_file rtpp-offer --call-id c --from-tag f --source-ip 10.0.0.1 <"$w/pc"
	assert_cmds a "${PROBES[@]}" 'U c 10.0.0.1 49170 f;1'
	run -0 --separate-stderr grep -a '^m=' "$out"
	assert_output $'m=audio 31000 RTP/AVP 0\r'
}

@test "runs of spaces and tabs between fields are taken; rewritten values keep their line's trailing blanks" {
	printf 'v=0\no=-  1  1  IN  IP4  10.0.0.1 \ns=-\nc=IN\tIP4  10.0.0.1\t\nt=0 0\nm=audio  40000  RTP/AVP  0\t8 \na=rtcp:40001 \n' >"$w/sp"
	run -0 --separate-stderr stdout_to_file rtpp-offer o --call-id c --from-tag f --source-ip 10.0.0.1 <"$w/sp"
	assert_cmds a "${PROBES[@]}" 'U c 10.0.0.1 40000 f;1'
	printf 'v=0\no=-  1  1  IN  IP4  127.0.0.9 \ns=-\nc=IN\tIP4  127.0.0.9\t\nt=0 0\nm=audio  31000  RTP/AVP  0\t8 \na=rtcp:31001 \na=nortpproxy:yes\n' >"$w/want"
	assert_out_file "$w/want"
	run -0 --separate-stderr rtpp-offer --dry-run --call-id c --from-tag f --source-ip 10.0.0.1 <"$w/sp"
	assert_output 'Uc0,8 c 10.0.0.1 40000 f;1'
}

@test "codec lists: every RTP profile sends its payload types, non-RTP streams none" {
	printf 'v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\n%s\n' \
	    'm=audio 7000 RTP/AVP 0' 'm=audio 7002 RTP/SAVP 8' 'm=audio 7004 RTP/AVPF 9' \
	    'm=audio 7006 RTP/SAVPF 18' 'm=audio 7008 UDP/TLS/RTP/SAVPF 111 0' \
	    'm=application 7010 UDP/DTLS/SCTP webrtc-datachannel' \
	    'm=application 7012 TCP/BFCP *' 'm=image 7014 udptl t38' >"$w/prof"
	run -0 --separate-stderr rtpp-offer --dry-run --call-id c --from-tag f --source-ip 10.0.0.1 <"$w/prof"
	assert_output "Uc0 c 10.0.0.1 7000 f;1
Uc8 c 10.0.0.1 7002 f;2
Uc9 c 10.0.0.1 7004 f;3
Uc18 c 10.0.0.1 7006 f;4
Uc111,0 c 10.0.0.1 7008 f;5
U c 10.0.0.1 7010 f;6
U c 10.0.0.1 7012 f;7
U c 10.0.0.1 7014 f;8"
}

@test "a body without Content-Type is refused, as the module does: nothing sent" {
	grep -av '^Content-Type:' "$FIX/invite.sip" >"$w/noct"
	grep -av '^Content-Type:' "$FIX/ok.sip" >"$w/noct200"
	run -1 --separate-stderr stdout_to_file rtpp-offer <"$w/noct"
	assert_equal "$stderr" "rtpp-offer: sip message has a body but no Content-Type"
	assert_no_out
	run -1 --separate-stderr rtpp-answer <"$w/noct200"
	assert_equal "$stderr" "rtpp-answer: sip message has a body but no Content-Type"
	run -1 --separate-stderr rtpp-manage <"$w/noct"
	assert_equal "$stderr" "rtpp-manage: sip message has a body but no Content-Type"
	assert_equal "$(fake_count a '[UL]*')" 0
	# a BYE's body does not matter
	grep -av '^Content-Length:' "$FIX/bye.sip" | sed '$d' >"$w/bye"
	printf 'Content-Length: 4\r\n\r\nabcd' >>"$w/bye"
	run -0 --separate-stderr rtpp-destroy <"$w/bye"
}

# --- Content-Length (RFC 3261 18.3) --------------------------------------

@test "bytes after Content-Length are not the body: not written, Content-Length right" {
	{ cat "$FIX/invite.sip"; printf 'GARBAGE\r\nm=audio 1 RTP/AVP 0\r\n'; } >"$w/tail"
	run -0 --separate-stderr stdout_to_file rtpp-offer <"$w/tail"
	rtpp-offer f <"$FIX/invite.sip" >"$w/want"
	assert_out_file "$w/want"
	run -0 --separate-stderr stdout_to_file rtpp-destroy <"$w/tail"
	assert_out_file "$FIX/invite.sip"
	# trailing line ends after an SDP without a final one are dropped too
	head -c -2 "$FIX/invite.sip" | sed 's/^Content-Length: 220/Content-Length: 218/' >"$w/noeol"
	{ cat "$w/noeol"; printf '\r\n\r\n'; } >"$w/noeol-crlf"
	run -0 --separate-stderr stdout_to_file rtpp-offer <"$w/noeol-crlf"
	run -0 --separate-stderr tail -c 28 "$out"
	assert_output $'a=sendrecv\r\na=nortpproxy:yes'
}

@test "Content-Length that cuts an SDP line, or runs past the input: an error naming both lengths, nothing sent" {
	sed 's/^Content-Length: 220/Content-Length: 60/' "$FIX/invite.sip" >"$w/cut60"
	sed 's/^Content-Length: 220/Content-Length: 150/' "$FIX/invite.sip" >"$w/cut150"
	sed 's/^Content-Length: 220/Content-Length: 300/' "$FIX/invite.sip" >"$w/long"
	run -1 --separate-stderr stdout_to_file rtpp-offer <"$w/cut60"
	assert_equal "$stderr" "rtpp-offer: Content-Length 60 ends the body inside an SDP line, but 220 bytes follow the headers"
	assert_no_out
	run -1 --separate-stderr stdout_to_file rtpp-offer <"$w/cut150"
	assert_equal "$stderr" "rtpp-offer: Content-Length 150 ends the body inside an SDP line, but 220 bytes follow the headers"
	assert_no_out
	run -1 --separate-stderr stdout_to_file rtpp-offer <"$w/long"
	assert_equal "$stderr" "rtpp-offer: Content-Length 300 but the body has 220 bytes"
	assert_no_out
	assert_equal "$(fake_count a 'U*')" 0
}

@test "Content-Length at a line end before the SDP is complete: the SDP error says where the body ended" {
	# 54 bytes: "v=0", "o=...", "s=-" and their CRLFs
	sed 's/^Content-Length: 220/Content-Length: 54/' "$FIX/invite.sip" >"$w/cut"
	run -1 --separate-stderr stdout_to_file rtpp-offer <"$w/cut"
	assert_equal "$stderr" "rtpp-offer: sdp has no m= line (the body ends at Content-Length 54; 166 more bytes not read)"
	assert_no_out
}

@test "without Content-Length the body runs to the end of the input" {
	grep -av '^Content-Length:' "$FIX/invite.sip" >"$w/nocl"
	run -0 --separate-stderr stdout_to_file rtpp-offer <"$w/nocl"
	run -0 --separate-stderr tail -n 2 "$out"
	assert_line --index 0 $'a=sendrecv\r'
	assert_line --index 1 $'a=nortpproxy:yes\r'
	run -1 --separate-stderr grep -c '^Content-Length' "$out"
	assert_output 0
}
