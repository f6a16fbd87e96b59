#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# rtpp-offer against the fake relay: exact command text and exact output.

load helpers

setup() { relays_setup a; }
teardown() { rtpp_teardown; }

@test "offer on an initial INVITE: probes once, then one U per m= line, Appendix A output" {
	fake_script a 'U* -> reply 31000 127.0.0.1 4'
	run -0 --separate-stderr stdout_to_file rtpp-offer <"$FIX/invite.sip"
	assert_equal "$stderr" ""
	assert_out_file "$GOLDEN/rtpp-offer/invite.sip"
	assert_cmds a "${PROBES[@]}" 'U 1-15483@127.0.0.1 127.0.0.1 16000 15483-uac-1;1'
}

@test "steady state: a second run sends no probe, exactly one datagram per m= line" {
	fake_script a 'U* -> reply 31000 127.0.0.1 4'
	rtpp-offer <"$FIX/invite.sip" >/dev/null
	rtpp-offer <"$FIX/invite.sip" >/dev/null
	assert_equal "$(fake_count a)" 6
	assert_equal "$(cmds a | tail -n 2 | sort -u | wc -l)" 1
}

@test "every command gets a fresh cookie" {
	rtpp-offer <"$FIX/invite.sip" >/dev/null
	rtpp-offer <"$FIX/invite.sip" >/dev/null
	n=$(cut -d' ' -f1 "$BATS_TEST_TMPDIR/a.log" | sort -u | wc -l)
	assert_equal "$n" 6
}

@test "codec list and Z go only to a relay with the capabilities" {
	fake_script a 'VF 20071116 -> reply 1
VF 20081102 -> reply 1
U* -> reply 31000 127.0.0.1 4'
	run -0 --separate-stderr rtpp-offer z20 <"$FIX/invite.sip"
	assert_cmds a "${PROBES[@]}" 'UZ20c0,8,101 1-15483@127.0.0.1 127.0.0.1 16000 15483-uac-1;1'
}

@test "Z is dropped with a warning when the relay cannot re-packetize" {
	run -0 --separate-stderr rtpp-offer z20 <"$FIX/invite.sip"
	assert_cmds a "${PROBES[@]}" 'U 1-15483@127.0.0.1 127.0.0.1 16000 15483-uac-1;1'
	assert_equal "$stderr" "rtpp-offer: $FAKE_URL_A: relay cannot re-packetize; Z dropped"
}

@test "flags ar: modifier A and the SDP's own address" {
	run -0 --separate-stderr rtpp-offer ar <"$FIX/invite.sip"
	assert_equal "$(cmds a | tail -n 1)" 'UA 1-15483@127.0.0.1 127.0.0.2 16000 15483-uac-1;1'
}

@test "modifiers follow the flag order: a i e w, then x once, upper or lower case" {
	rtpp-offer --dry-run 'WeIA' <"$FIX/invite.sip" >"$BATS_TEST_TMPDIR/d"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/d")" 'USEIAc0,8,101 1-15483@127.0.0.1 127.0.0.2 16000 15483-uac-1;1'
	rtpp-offer --dry-run 'xa' <"$FIX/invite.sip" >"$BATS_TEST_TMPDIR/d"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/d")" 'UAIEc0,8,101 1-15483@127.0.0.1 127.0.0.2 16000 15483-uac-1;1'
	rtpp-offer --dry-run 'iew' <"$FIX/invite.sip" >"$BATS_TEST_TMPDIR/d"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/d")" 'UIESc0,8,101 1-15483@127.0.0.1 127.0.0.1 16000 15483-uac-1;1'
}

@test "re-INVITE: F;1 T;1" {
	run -0 --separate-stderr rtpp-offer <"$FIX/reinvite.sip"
	assert_equal "$(cmds a | tail -n 1)" 'U 1-15483@127.0.0.1 127.0.0.1 16000 15483-uac-1;1 15475-uas-1;1'
}

@test "late offer in a 200 OK: T;1 F;1; a reply's address is its SDP's unless --source-ip" {
	run -0 --separate-stderr rtpp-offer <"$FIX/late-200.sip"
	assert_equal "$(cmds a | tail -n 1)" 'U 1-15483@127.0.0.1 127.0.0.3 18000 15475-uas-1;1 15483-uac-1;1'
	run -0 --separate-stderr rtpp-offer --source-ip 127.0.0.1 <"$FIX/late-200.sip"
	assert_equal "$(cmds a | tail -n 1)" 'U 1-15483@127.0.0.1 127.0.0.1 18000 15475-uas-1;1 15483-uac-1;1'
}

@test "flag l: L with T;1 F;1 in a request and F;1 T;1 in a reply" {
	run -0 --separate-stderr rtpp-offer l <"$FIX/reinvite.sip"
	run -0 --separate-stderr rtpp-offer l <"$FIX/late-200.sip"
	run -0 --separate-stderr cmds a
	assert_line --index 4 'L 1-15483@127.0.0.1 127.0.0.1 16000 15475-uas-1;1 15483-uac-1;1'
	assert_line --index 5 'L 1-15483@127.0.0.1 127.0.0.3 18000 15483-uac-1;1 15475-uas-1;1'
}

@test "flag l on an INVITE without To-tag fails, nothing sent" {
	run -1 --separate-stderr stdout_to_file rtpp-offer l <"$FIX/invite.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-offer: flag l needs a To-tag"
	assert_equal "$(fake_count a)" 0
}

@test "compact headers, LF line ends, Via received= as the source address" {
	fake_script a 'U* -> reply 40000 192.0.2.1'
	run -0 --separate-stderr stdout_to_file rtpp-offer <"$FIX/compact-lf.sip"
	assert_equal "$(cmds a | tail -n 1)" 'U compact-1@example.com 203.0.113.9 20000 ftag-c;1'
	assert_golden rtpp-offer/compact-lf.sip
	grep -q '^l: 88$' "$FIX/compact-lf.sip"
}

@test "flags 1 and 2 append the branch of Via 1 or 2 (values and headers counted); 3 is Via 1 in a request, Via 2 in a reply" {
	for f in 1 2 3; do rtpp-offer --dry-run "$f" <"$FIX/compact-lf.sip"; done >"$BATS_TEST_TMPDIR/d"
	run -0 --separate-stderr cat "$BATS_TEST_TMPDIR/d"
	assert_line --index 0 'Uc0 compact-1@example.com;z9hG4bK-top 203.0.113.9 20000 ftag-c;1'
	assert_line --index 1 'Uc0 compact-1@example.com;z9hG4bK-mid 203.0.113.9 20000 ftag-c;1'
	assert_line --index 2 'Uc0 compact-1@example.com;z9hG4bK-top 203.0.113.9 20000 ftag-c;1'
	# a reply with two Vias: 3 takes the second
	sed 's/^\(Via: .*\)\r$/\1\r\nVia: SIP\/2.0\/UDP 127.0.0.3;branch=z9hG4bK-second\r/' "$FIX/ok.sip" >"$BATS_TEST_TMPDIR/ok2"
	run -0 --separate-stderr rtpp-answer --dry-run 3 <"$BATS_TEST_TMPDIR/ok2"
	assert_output 'Lc0,101 1-15483@127.0.0.1;z9hG4bK-second 127.0.0.3 18000 15483-uac-1;1 15475-uas-1;1'
	run -1 --separate-stderr rtpp-answer --dry-run 3 <"$FIX/ok.sip"
}

@test "flag 2 on a message with one Via fails" {
	run -1 --separate-stderr stdout_to_file rtpp-offer 2 <"$FIX/invite.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-offer: flag 2: the message has only 1 Via value"
}

@test "flag b appends --extra-id; ignored without it" {
	run -0 --separate-stderr rtpp-offer --dry-run --extra-id xid-7 b <"$FIX/invite.sip"
	assert_output 'Uc0,8,101 1-15483@127.0.0.1;xid-7 127.0.0.1 16000 15483-uac-1;1'
	run -0 --separate-stderr rtpp-offer --dry-run b <"$FIX/invite.sip"
	assert_output 'Uc0,8,101 1-15483@127.0.0.1 127.0.0.1 16000 15483-uac-1;1'
}

@test "three streams: ;1 ;2 ;3, a=rtcp to port+1 without address, media c=, port-0 stream kept" {
	fake_script a '*;1 -> reply 40000 192.0.2.1
*;2 -> reply 40010 192.0.2.1
*;3 -> reply 40020 192.0.2.1'
	run -0 --separate-stderr stdout_to_file rtpp-offer --call-id c3 --from-tag f3 <"$FIX/three.sdp"
	assert_cmds a "${PROBES[@]}" 'U c3 198.51.100.7 20000 f3;1' 'U c3 198.51.100.8 20002 f3;2' 'U c3 198.51.100.7 0 f3;3'
	cat >"$BATS_TEST_TMPDIR/want" <<-'X'
	v=0
	o=- 7 7 IN IP4 198.51.100.7
	s=-
	c=IN IP4 192.0.2.1
	t=0 0
	m=audio 40000 RTP/AVP 0 8
	a=rtcp:40001
	m=video 40010 RTP/AVP 96
	c=IN IP4 192.0.2.1
	a=rtpmap:96 H264/90000
	m=text 0 RTP/AVP 98
	a=nortpproxy:yes
	X
	assert_out_file "$BATS_TEST_TMPDIR/want"
}

@test "a port-0 stream answered with port 0 (rtpengine) is left alone" {
	fake_script a '*;3 -> reply 0 192.0.2.1 4
U* -> reply 40000 192.0.2.1 4'
	run -0 --separate-stderr stdout_to_file rtpp-offer --call-id c3 --from-tag f3 <"$FIX/three.sdp"
	grep -q '^m=text 0 RTP/AVP 98$' "$out"
}

@test "port 0 for a live stream is an error naming the stream" {
	fake_script a 'U* -> reply 0 0.0.0.0'
	run -1 --separate-stderr stdout_to_file rtpp-offer --call-id c3 --from-tag f3 <"$FIX/three.sdp"
	assert_no_out
	assert_equal "$stderr" "rtpp-offer: $FAKE_URL_A, m= line 1 (sdp line 6): relay returned port 0 (out of ports?)"
}

@test "IPv6 stream: modifier 6 on its own command only, IPv6 reply" {
	# two SDP sessions in one body: media indexes count across both
	cat "$FIX/ipv6.sdp" "$FIX/three.sdp" >"$BATS_TEST_TMPDIR/mixed.sdp"
	run -0 --separate-stderr rtpp-offer --dry-run --call-id c6 --from-tag f6 <"$BATS_TEST_TMPDIR/mixed.sdp"
	assert_line --index 0 'U6c0 c6 2001:db8::5 22000 f6;1'
	assert_line --index 1 'Uc0,8 c6 198.51.100.7 20000 f6;2'
	assert_line --index 2 'Uc96 c6 198.51.100.8 20002 f6;3'
	assert_line --index 3 'Uc98 c6 198.51.100.7 0 f6;4'
	run -0 --separate-stderr rtpp-offer --dry-run --call-id c6 --from-tag f6 x <"$FIX/ipv6.sdp"
	assert_output 'UEI6c0 c6 2001:db8::5 22000 f6;1'
	# x: one bridging direction for the whole call, from its first stream
	run -0 --separate-stderr rtpp-offer --dry-run --call-id c6 --from-tag f6 x <"$BATS_TEST_TMPDIR/mixed.sdp"
	assert_line --index 0 'UEI6c0 c6 2001:db8::5 22000 f6;1'
	assert_line --index 1 'UEIc0,8 c6 198.51.100.7 20000 f6;2'
	fake_script a 'U* -> reply 40000 2001:db8::10 6'
	run -0 --separate-stderr stdout_to_file rtpp-offer --call-id c6 --from-tag f6 <"$FIX/ipv6.sdp"
	grep -qx 'c=IN IP6 2001:db8::10' "$out"
	grep -qx 'o=- 8 8 IN IP6 2001:db8::5' "$out"
}

@test "family change: IPv6 SDP, IPv4 relay address (and back)" {
	fake_script a 'U* -> reply 40000 192.0.2.10'
	run -0 --separate-stderr stdout_to_file rtpp-offer --call-id c6 --from-tag f6 <"$FIX/ipv6.sdp"
	grep -qx 'c=IN IP4 192.0.2.10' "$out"
	fake_script a 'U* -> reply 40000 2001:db8::10 6'
	run -0 --separate-stderr stdout_to_file rtpp-offer --call-id c7 --from-tag f7 <"$FIX/media-c.sdp"
	grep -qx 'c=IN IP6 2001:db8::10' "$out"
	grep -qx 'c=IN IP4 198.51.100.7' "$out"
}

@test "hold: c=IN IP4 0.0.0.0 stays" {
	fake_script a 'U* -> reply 40000 192.0.2.1'
	run -0 --separate-stderr stdout_to_file rtpp-offer --call-id ch --from-tag fh <"$FIX/hold.sdp"
	grep -qx 'c=IN IP4 0.0.0.0' "$out"
	grep -qx 'm=audio 40000 RTP/AVP 0' "$out"
}

@test "flag o rewrites o=, only with o; on hold it becomes 0.0.0.0" {
	fake_script a 'U* -> reply 40000 192.0.2.1'
	run -0 --separate-stderr stdout_to_file rtpp-offer o <"$FIX/invite.sip"
	grep -qa $'^o=uac 53655765 2353687637 IN IP4 192.0.2.1\r$' "$out"
	run -0 --separate-stderr stdout_to_file rtpp-offer --call-id ch --from-tag fh o <"$FIX/hold.sdp"
	grep -qx 'o=- 9 9 IN IP4 0.0.0.0' "$out"
	run -0 --separate-stderr stdout_to_file rtpp-offer <"$FIX/invite.sip"
	grep -qa $'^o=uac 53655765 2353687637 IN IP4 127.0.0.2\r$' "$out"
}

@test "session c= is kept when the stream has its own, unless flag c" {
	fake_script a 'U* -> reply 40000 192.0.2.1'
	run -0 --separate-stderr stdout_to_file rtpp-offer --call-id cc --from-tag fc <"$FIX/media-c.sdp"
	assert_equal "$(grep -c '^c=' "$out")" 2
	grep -qx 'c=IN IP4 198.51.100.7' "$out"
	grep -qx 'c=IN IP4 192.0.2.1' "$out"
	run -0 --separate-stderr stdout_to_file rtpp-offer --call-id cc --from-tag fc c <"$FIX/media-c.sdp"
	assert_equal "$(grep -c '^c=IN IP4 192.0.2.1$' "$out")" 2
}

@test "ICE: two relay candidates before the last candidate line, low and high priority" {
	fake_script a 'U* -> reply 40000 192.0.2.10'
	run -0 --separate-stderr stdout_to_file rtpp-offer --ice low --call-id ci --from-tag fi <"$FIX/ice.sdp"
	run -0 --separate-stderr sed -n '7,10p' "$out"
	assert_line --index 0 'a=candidate:1 1 UDP 2130706431 198.51.100.7 28000 typ host'
	assert_line --index 1 'a=candidate:1920210 2 UDP 16777214 192.0.2.10 40001 typ relay'
	assert_line --index 2 'a=candidate:1920210 1 UDP 16777215 192.0.2.10 40000 typ relay'
	assert_line --index 3 'a=candidate:1 2 UDP 2130706430 198.51.100.7 28001 typ host'
	run -0 --separate-stderr stdout_to_file rtpp-offer --ice high --call-id ci --from-tag fi <"$FIX/ice.sdp"
	grep -qx 'a=candidate:1920210 1 UDP 2197815295 192.0.2.10 40000 typ relay' "$out"
	run -0 --separate-stderr stdout_to_file rtpp-offer --call-id ci --from-tag fi <"$FIX/ice.sdp"
	run -1 --separate-stderr grep -c relay "$out"
	assert_output 0
}

@test "the marker: exit 4 and nothing sent; with f sent and not added twice" {
	run -4 --separate-stderr stdout_to_file rtpp-offer --call-id cm --from-tag fm <"$FIX/marked.sdp"
	assert_no_out
	assert_equal "$stderr" "rtpp-offer: already proxied: the body has 'a=nortpproxy:yes' (flag f sends anyway)"
	assert_equal "$(fake_count a)" 0
	run -0 --separate-stderr stdout_to_file rtpp-offer --call-id cm --from-tag fm f <"$FIX/marked.sdp"
	assert_equal "$(grep -c nortpproxy "$out")" 1
}

@test "a custom marker, and an empty one that adds nothing" {
	run -0 --separate-stderr stdout_to_file rtpp-offer --nortpproxy-str 'a=relayed:1' <"$FIX/invite.sip"
	assert_equal "$(tail -n 1 "$out")" $'a=relayed:1\r'
	run -0 --separate-stderr stdout_to_file rtpp-offer --nortpproxy-str '' <"$FIX/invite.sip"
	assert_equal "$(tail -n 1 "$out")" $'a=sendrecv\r'
	grep -qa '^Content-Length: 220' "$out"
}

@test "multipart/mixed: only the SDP part changes, Content-Length fixed" {
	fake_script a 'U* -> reply 31000 127.0.0.1 4'
	run -0 --separate-stderr stdout_to_file rtpp-offer <"$FIX/multipart.sip"
	grep -qa $'^m=audio 31000 RTP/AVP 0 8 101\r$' "$out"
	grep -qa '^ISUPDATA' "$out"
	python3 - "$out" <<-'PY'
	import re, sys
	d = open(sys.argv[1], 'rb').read()
	h, b = d.split(b'\r\n\r\n', 1)
	n = int(re.search(rb'Content-Length: (\d+)', h).group(1))
	assert n == len(b), (n, len(b))
	assert b.endswith(b'--b0undary--\r\n')
	PY
}

@test "base64 in, base64 out; --b64 takes it from an argument" {
	fake_script a 'U* -> reply 31000 127.0.0.1 4'
	base64 -w 60 "$FIX/invite.sip" >"$BATS_TEST_TMPDIR/in.b64"
	run -0 --separate-stderr stdout_to_file rtpp-offer <"$BATS_TEST_TMPDIR/in.b64"
	assert_equal "$(wc -l <"$out")" 1
	base64 -d "$out" >"$BATS_TEST_TMPDIR/dec"
	cmp "$BATS_TEST_TMPDIR/dec" "$GOLDEN/rtpp-offer/invite.sip"
	run -0 --separate-stderr stdout_to_file rtpp-offer --b64 "$(base64 -w0 "$FIX/invite.sip")"
	base64 -d "$out" | cmp - "$GOLDEN/rtpp-offer/invite.sip"
	run -0 --separate-stderr stdout_to_file rtpp-offer --b64 "$(base64 -w0 "$FIX/invite.sip")" --output plain
	assert_out_file "$GOLDEN/rtpp-offer/invite.sip"
}

@test "bad base64 is refused" {
	run -1 --separate-stderr stdout_to_file rtpp-offer --b64 'AAAA=AAA'
	assert_no_out
	assert_equal "$stderr" "rtpp-offer: base64 input: bad data at byte 5"
}

@test "the ip argument replaces the relay's address; a bare port uses --local-ip or the node's address" {
	fake_script a 'U* -> reply 40000 192.0.2.1'
	run -0 --separate-stderr stdout_to_file rtpp-offer '' 203.0.113.7 <"$FIX/invite.sip"
	grep -qa $'^c=IN IP4 203.0.113.7\r$' "$out"
	fake_script a 'U* -> reply 40000'
	run -0 --separate-stderr stdout_to_file rtpp-offer <"$FIX/invite.sip"
	grep -qa $'^c=IN IP4 127.0.0.1\r$' "$out"
	run -0 --separate-stderr stdout_to_file rtpp-offer --local-ip 198.51.100.99 <"$FIX/invite.sip"
	grep -qa $'^c=IN IP4 198.51.100.99\r$' "$out"
}

@test "--source-ip wins over the Via" {
	run -0 --separate-stderr rtpp-offer --dry-run --source-ip 198.51.100.50 <"$FIX/invite.sip"
	assert_output 'Uc0,8,101 1-15483@127.0.0.1 198.51.100.50 16000 15483-uac-1;1'
}

@test "options win over the message: --call-id, --from-tag, --to-tag" {
	run -0 --separate-stderr rtpp-offer --dry-run --call-id other --from-tag F2 --to-tag T2 <"$FIX/invite.sip"
	assert_output 'Uc0,8,101 other 127.0.0.1 16000 F2;1 T2;1'
	run -0 --separate-stderr rtpp-offer --dry-run --to-tag '' <"$FIX/reinvite.sip"
	assert_output 'Uc0,8,101 1-15483@127.0.0.1 127.0.0.1 16000 15483-uac-1;1'
}

@test "bare SDP with --reply is a late offer: T;1 F;1" {
	run -0 --separate-stderr rtpp-offer --dry-run --reply --call-id c --from-tag F --to-tag T <"$FIX/hold.sdp"
	assert_output 'Uc0 c 0.0.0.0 24000 T;1 F;1'
	run -1 --separate-stderr stdout_to_file rtpp-offer --dry-run --reply --call-id c --from-tag F <"$FIX/hold.sdp"
	assert_no_out
	assert_equal "$stderr" "rtpp-offer: an offer in a reply needs a To-tag"
}

@test "timeout socket: U carries the socket and a %-encoded tag naming the call" {
	run -0 --separate-stderr rtpp-offer --dry-run --timeout-socket unix:/run/rtpp-notify.sock <"$FIX/invite.sip"
	assert_output 'Uc0,8,101 1-15483@127.0.0.1 127.0.0.1 16000 15483-uac-1;1 unix:/run/rtpp-notify.sock 1-15483@127.0.0.1%2015483-uac-1'
}

@test "unsafe Call-ID or tag is refused with exit 1 and nothing sent" {
	run -1 --separate-stderr stdout_to_file rtpp-offer --call-id 'a b' <"$FIX/invite.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-offer: call-id 'a b' is empty or contains spaces or control characters; not sent"
	run -1 --separate-stderr rtpp-offer --from-tag $'x\ty' <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: from-tag 'x\\x09y' is empty or contains spaces or control characters; not sent"
	run -1 --separate-stderr rtpp-offer --to-tag 'x;2' <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: to-tag 'x;2' contains ';', which separates a tag from its media number; not sent"
	assert_equal "$(fake_count a)" 0
}

@test "--dry-run sends nothing" {
	run -0 --separate-stderr rtpp-offer --dry-run <"$FIX/invite.sip"
	assert_output 'Uc0,8,101 1-15483@127.0.0.1 127.0.0.1 16000 15483-uac-1;1'
	assert_equal "$(fake_count a)" 0
}

@test "--trace shows every datagram both ways on stderr" {
	fake_script a 'U* -> reply 31000 127.0.0.1 4'
	run -0 --separate-stderr stdout_to_file rtpp-offer --trace <"$FIX/invite.sip"
	run -0 --separate-stderr grep -c "^rtpp-offer: [<>] $FAKE_URL_A " "$BATS_TEST_TMPDIR/err"
	assert_output 10
	run -0 --separate-stderr grep -E "^rtpp-offer: < $FAKE_URL_A [0-9]+_[0-9a-f]{8}_4 31000 127.0.0.1 4\\\\x0a$" "$BATS_TEST_TMPDIR/err"
}
