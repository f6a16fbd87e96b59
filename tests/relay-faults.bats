#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Transport and relay faults: resends, deadlines, cookies, stale and
# oversized datagrams, unix sockets, failover and the shared health state.

load helpers

setup() { relays_setup a; }
teardown() { rtpp_teardown; }

# Milliseconds the tool said it waited, from "... in N ms".
waited_ms() {
	sed -n 's/.* \([0-9]*\) ms$/\1/p' <<<"$stderr"
}

@test "silence: retr identical datagrams (same cookie) tout apart, then exit 3" {
	rtpp-offer <"$FIX/invite.sip" >/dev/null	# learn the capabilities
	: >"$BATS_TEST_TMPDIR/a.log"
	fake_script a 'U* -> silent'
	run -3 --separate-stderr stdout_to_file rtpp-offer --tout 0.2 --retr 3 <"$FIX/invite.sip"
	assert_no_out
	[[ $stderr == "rtpp-offer: no relay available: $FAKE_URL_A: no reply after 3 tries in "*" ms" ]]
	ms=$(waited_ms)
	run -0 --separate-stderr cat "$BATS_TEST_TMPDIR/a.log"
	assert_equal "${#lines[@]}" 3
	assert_equal "$(sort -u "$BATS_TEST_TMPDIR/a.log" | wc -l)" 1
	(( ms >= 590 && ms < 2000 ))
}

@test "a node that timed out is skipped by the next runs (no datagram) until its time is up" {
	fake_script a 'U* -> silent'
	run -3 --separate-stderr rtpp-offer --tout 0.1 --retr 2 <"$FIX/invite.sip"
	n=$(fake_count a)
	run -3 --separate-stderr rtpp-offer --tout 0.1 --retr 2 <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: no relay available: every node of set 0 is disabled"
	assert_equal "$(fake_count a)" "$n"
}

@test "after rtpproxy_disable_tout one run re-tests the node (V probes) and uses it" {
	fake_script a 'U* -> silent'
	run -3 --separate-stderr rtpp-offer --tout 0.1 --retr 1 --disable-tout 1 <"$FIX/invite.sip"
	fake_script a 'U* -> reply 31000 127.0.0.1 4'
	sleep 1.1
	: >"$BATS_TEST_TMPDIR/a.log"
	run -0 --separate-stderr rtpp-offer --tout 0.1 --retr 1 --disable-tout 1 <"$FIX/invite.sip"
	assert_cmds a "${PROBES[@]}" 'U 1-15483@127.0.0.1 127.0.0.1 16000 15483-uac-1;1'
}

@test "a delayed reply is taken after a resend with the same cookie" {
	fake_script a '1* U* -> delay 300 reply 31000 127.0.0.1 4'
	rtpp-offer --dry-run <"$FIX/invite.sip" >/dev/null
	run -0 --separate-stderr rtpp-offer --tout 0.2 --retr 3 <"$FIX/invite.sip"
	run -0 --separate-stderr grep -c ' U ' "$BATS_TEST_TMPDIR/a.log"
	assert_output 2
	assert_equal "$(grep ' U ' "$BATS_TEST_TMPDIR/a.log" | cut -d' ' -f1 | sort -u | wc -l)" 1
}

@test "a reply with another cookie is dropped; the deadline still holds" {
	fake_script a 'U* -> cookie 99_wrong reply 31000 127.0.0.1 4'
	run -3 --separate-stderr stdout_to_file rtpp-offer --tout 0.2 --retr 2 <"$FIX/invite.sip"
	assert_no_out
	ms=$(waited_ms)
	(( ms >= 390 && ms < 2000 ))
}

@test "a flood of stale datagrams before the reply is dropped" {
	fake_script a 'U* -> stale 50 reply 31000 127.0.0.1 4'
	run -0 --separate-stderr stdout_to_file rtpp-offer <"$FIX/invite.sip"
	assert_out_file "$GOLDEN/rtpp-offer/invite.sip"
}

@test "a datagram cut inside the cookie matches nothing: timeout" {
	fake_script a 'U* -> truncate 3 reply 31000 127.0.0.1 4'
	run -3 --separate-stderr stdout_to_file rtpp-offer --tout 0.1 --retr 2 <"$FIX/invite.sip"
	assert_no_out
}

@test "a partial reply is unusable: exit 1, node stays enabled" {
	fake_script a 'U* -> reply 31000 127'
	run -1 --separate-stderr stdout_to_file rtpp-offer <"$FIX/invite.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-offer: $FAKE_URL_A, m= line 1 (sdp line 6): unusable reply '31000 127'"
	fake_script a 'U* -> reply 31000 127.0.0.1 4'
	run -0 --separate-stderr rtpp-offer <"$FIX/invite.sip"
}

@test "a reply larger than the buffer is refused" {
	fake_script a 'U* -> big 6000 reply 31000 127.0.0.1 4'
	run -1 --separate-stderr stdout_to_file rtpp-offer <"$FIX/invite.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-offer: $FAKE_URL_A: reply longer than 4096 bytes"
}

@test "an E reply does not disable the node" {
	fake_script a 'U* -> reply E72'
	run -1 --separate-stderr rtpp-offer <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: $FAKE_URL_A, m= line 1 (sdp line 6): relay said E72 (cannot create a session (out of ports?))"
	fake_script a 'U* -> reply 31000 127.0.0.1 4'
	run -0 --separate-stderr rtpp-offer <"$FIX/invite.sip"
}

@test "a node that is not an rtpproxy relay (bad V answer) is not used" {
	fake_script a 'V -> reply 1999'
	run -3 --separate-stderr rtpp-offer <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: no relay available: $FAKE_URL_A: not an rtpproxy-protocol relay (V answered '1999')"
}

@test "unix socket: no cookie, one connection per command" {
	fake_start_unix u 'U* -> reply 31000 127.0.0.1'
	run -0 --separate-stderr stdout_to_file rtpp-offer --sock "$FAKE_URL_U" <"$FIX/invite.sip"
	assert_out_file "$GOLDEN/rtpp-offer/invite.sip"
	assert_cmds u "${PROBES[@]}" 'U 1-15483@127.0.0.1 127.0.0.1 16000 15483-uac-1;1'
}

@test "unix socket that accepts and never answers: bounded by tout x retr" {
	fake_start_unix u 'U* -> delay 3000 silent'
	rtpp-offer --sock "$FAKE_URL_U" --dry-run <"$FIX/invite.sip" >/dev/null
	run -3 --separate-stderr rtpp-offer --sock "$FAKE_URL_U" --tout 0.2 --retr 2 <"$FIX/invite.sip"
	[[ $stderr == "rtpp-offer: no relay available: $FAKE_URL_U: no reply within "*" ms" ]]
	ms=$(waited_ms)
	(( ms >= 390 && ms < 2000 ))
}

@test "unix socket closed without a reply: exit 3" {
	fake_start_unix u 'U* -> silent'
	run -3 --separate-stderr rtpp-offer --sock "$FAKE_URL_U" <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: no relay available: $FAKE_URL_U: connection closed without a reply"
}

@test "unix socket nobody listens on: exit 3 at once" {
	run -3 --separate-stderr rtpp-offer --sock "unix:$BATS_TEST_TMPDIR/none.sock" <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: no relay available: unix:$BATS_TEST_TMPDIR/none.sock: connect: No such file or directory"
}

@test "with no configuration at all the tools talk to udp:127.0.0.1:22222" {
	unset RTPP_SOCK
	run -3 --separate-stderr rtpp-offer --trace --tout 0.05 --retr 1 <"$FIX/invite.sip"
	[[ $(head -n 1 <<<"$stderr") == "rtpp-offer: > udp:127.0.0.1:22222 "*" V" ]]
}

@test "failover: a silent node costs one timeout, the call moves to the next node" {
	fake_start b 'U* -> reply 40000 192.0.2.2'
	fake_script a 'U* -> silent'
	export RTPP_SOCK="$FAKE_URL_A $FAKE_URL_B"
	# a Call-ID whose first choice is node a
	cid=$(for i in $(seq 1 200); do
		o=$(rtpp-offer --dry-run --call-id "fo-$i" --from-tag f <"$FIX/hold.sdp" 2>/dev/null)
		echo "fo-$i"; done | head -n 0)
	for i in $(seq 1 200); do
		: >"$BATS_TEST_TMPDIR/a.log"; : >"$BATS_TEST_TMPDIR/b.log"
		rm -rf "$RTPP_STATE_DIR"
		rtpp-offer --tout 0.05 --retr 1 --call-id "fo-$i" --from-tag f <"$FIX/hold.sdp" >/dev/null 2>&1 || true
		if grep -q ' U ' "$BATS_TEST_TMPDIR/a.log"; then cid="fo-$i"; break; fi
	done
	[[ -n $cid ]]
	# node a timed out once, node b took the call
	grep -q ' U ' "$BATS_TEST_TMPDIR/b.log"
	# next run of the same call: straight to b, nothing to a
	: >"$BATS_TEST_TMPDIR/a.log"; : >"$BATS_TEST_TMPDIR/b.log"
	run -0 --separate-stderr rtpp-offer --tout 0.05 --retr 1 --call-id "$cid" --from-tag f <"$FIX/hold.sdp"
	assert_equal "$(fake_count a)" 0
	assert_equal "$(cmds b)" "U $cid 0.0.0.0 24000 f;1"
}

@test "a relay that dies between offer and answer: the answer fails over (exit 0 on the other node) or exits 3" {
	fake_start b
	export RTPP_SOCK="$FAKE_URL_A $FAKE_URL_B"
	run -0 --separate-stderr rtpp-offer --tout 0.1 --retr 1 <"$FIX/invite.sip"
	if [[ $(fake_count a) -gt 0 ]]; then dead=a; other=b; else dead=b; other=a; fi
	fake_stop "$dead"
	run -0 --separate-stderr rtpp-answer --tout 0.1 --retr 1 <"$FIX/ok.sip"
	assert_equal "$(cmds "$other" | grep -c '^L ')" 1
	fake_stop "$other"
	run -3 --separate-stderr stdout_to_file rtpp-destroy --tout 0.1 --retr 1 <"$FIX/bye.sip"
	assert_no_out
}

@test "--force-socket binds the source address; a bad one is a usage error" {
	run -0 --separate-stderr rtpp-offer --force-socket 127.0.0.2 <"$FIX/invite.sip"
	run -2 --separate-stderr rtpp-offer --force-socket 'not an address' <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: force_socket 'not an address': not an address of the node's family"
}

@test "an unreadable state file is ignored with a warning, the call still works" {
	fake_script a 'U* -> reply 31000 127.0.0.1 4'
	mkdir -p "$RTPP_STATE_DIR"
	rtpp-offer <"$FIX/invite.sip" >/dev/null
	f=$RTPP_STATE_DIR/health
	printf 'garbage\n' >"$f"
	run -0 --separate-stderr stdout_to_file rtpp-offer <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-offer: health state: $f: not an rtpp state file; ignored"
	assert_out_file "$GOLDEN/rtpp-offer/invite.sip"
}

@test "an oversize datagram without the command's cookie is stale: dropped, the reply is taken" {
	big=$(printf 'x%.0s' $(seq 1 6000))
	fake_script a "U* -> raw $big reply 31000 127.0.0.1 4"
	run -0 --separate-stderr stdout_to_file rtpp-offer <"$FIX/invite.sip"
	assert_out_file "$GOLDEN/rtpp-offer/invite.sip"
	# also during the capability probes: the node is not disabled
	rm -rf "$RTPP_STATE_DIR"
	fake_script a "V -> raw foreign_1\\x20$big reply 20040107
U* -> reply 31000 127.0.0.1 4"
	run -0 --separate-stderr stdout_to_file rtpp-offer <"$FIX/invite.sip"
	assert_out_file "$GOLDEN/rtpp-offer/invite.sip"
	# not recorded as down: the next run reaches it
	run -0 --separate-stderr rtpp-offer <"$FIX/invite.sip"
	assert_equal "$(cmds a | tail -n 1)" 'U 1-15483@127.0.0.1 127.0.0.1 16000 15483-uac-1;1'
}

# N udp: URLs of 127.0.0.1 ports where nothing listens.
closed_ports() {
	python3 - "$1" <<-'PY'
	import socket, sys
	ss = []
	for _ in range(int(sys.argv[1])):
	    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	    s.bind(('127.0.0.1', 0))
	    ss.append(s)
	print(' '.join('udp:127.0.0.1:%d=1' % s.getsockname()[1] for s in ss))
	PY
}

@test "40 nodes tried in one run under ulimit -n 32: at most one socket per node, every socket closed" {
	# 39 nodes where nothing listens come first; the relay is the standby
	export RTPP_SOCK="$(closed_ports 39) $FAKE_URL_A=0"
	fake_script a 'U* -> reply 31000 127.0.0.1 4'
	# (LeakSanitizer cannot run under ptrace: off for the sanitizer build)
	run -0 --separate-stderr stdout_to_file env ASAN_OPTIONS=detect_leaks=0 bash -c 'ulimit -n 32 && exec strace -f -e trace=socket,close -o "$0" rtpp-offer --tout 0.2 --retr 1' \
		"$BATS_TEST_TMPDIR/st" <"$FIX/invite.sip"
	assert_out_file "$GOLDEN/rtpp-offer/invite.sip"
	assert_equal "$(cmds a | tail -n 1)" 'U 1-15483@127.0.0.1 127.0.0.1 16000 15483-uac-1;1'
	# every node was tried, each got one socket, and every socket was closed
	nsock=$(grep -c 'socket(AF_INET, SOCK_DGRAM' "$BATS_TEST_TMPDIR/st")
	assert_equal "$nsock" 40
	python3 - "$BATS_TEST_TMPDIR/st" <<-'PY'
	import re, sys
	open_fds = set()
	for line in open(sys.argv[1]):
	    m = re.search(r'socket\(AF_INET, SOCK_DGRAM.*= (\d+)$', line)
	    if m:
	        open_fds.add(int(m.group(1)))
	    m = re.search(r'close\((\d+)\)\s+= 0', line)
	    if m:
	        open_fds.discard(int(m.group(1)))
	assert not open_fds, 'sockets never closed: %s' % sorted(open_fds)
	PY
	# a second run: the 39 dead nodes are skipped, the relay answers
	run -0 --separate-stderr bash -c 'ulimit -n 32 && exec rtpp-offer' <"$FIX/invite.sip"
}
