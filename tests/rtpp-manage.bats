#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# rtpp-manage: rtpproxy_manage's decision table, row by row, against the
# fake relay.

load helpers

# the store's test helper (make check names it; valgrind-check does not)
OFFERS_TOOL=${OFFERS_TOOL:-${RTPP_BUILDDIR:-$BATS_TEST_DIRNAME/..}/tests/offers-tool}

setup() { relays_setup a; }
teardown() { rtpp_teardown; }

# A fixture with its start line / CSeq changed: FILE 'sed script'.
msg() {
	sed -e "$2" "$FIX/$1" >"$BATS_TEST_TMPDIR/m"
}

# A fixture without its body (and without Content-Type).
nobody() {
	python3 - "$FIX/$1" "${2:-}" >"$BATS_TEST_TMPDIR/m" <<-'PY'
	import sys
	d = open(sys.argv[1], 'rb').read()
	h = d.split(b'\r\n\r\n', 1)[0].split(b'\r\n')
	h = [l for l in h if not l.startswith(b'Content-Type:')]
	h = [b'Content-Length: 0' if l.startswith(b'Content-Length:') else l for l in h]
	if sys.argv[2]:
	    h[0] = sys.argv[2].encode()
	sys.stdout.buffer.write(b'\r\n'.join(h) + b'\r\n\r\n')
	PY
}

@test "INVITE with SDP: U (offer), the output as rtpp-offer's" {
	fake_script a 'U* -> reply 31000 127.0.0.1 4'
	run -0 --separate-stderr stdout_to_file rtpp-manage <"$FIX/invite.sip"
	assert_out_file "$GOLDEN/rtpp-offer/invite.sip"
	assert_equal "$(cmds a | tail -n 1)" 'U 1-15483@127.0.0.1 127.0.0.1 16000 15483-uac-1;1'
}

@test "2xx with SDP to an INVITE that had SDP: L (answer)" {
	fake_script a 'L* -> reply 31016 127.0.0.1 4'
	rtpp-manage <"$FIX/invite.sip" >/dev/null
	run -0 --separate-stderr stdout_to_file rtpp-manage --source-ip 127.0.0.1 <"$FIX/ok.sip"
	assert_out_file "$GOLDEN/rtpp-answer/ok.sip"
	assert_equal "$(cmds a | tail -n 1)" 'L 1-15483@127.0.0.1 127.0.0.1 18000 15483-uac-1;1 15475-uas-1;1'
}

@test "1xx with SDP counts like a 2xx" {
	msg ok.sip '1s/^SIP\/2.0 200 OK/SIP\/2.0 183 Session Progress/'
	run -0 --separate-stderr rtpp-manage --dry-run <"$BATS_TEST_TMPDIR/m"
	assert_output 'Lc0,101 1-15483@127.0.0.1 127.0.0.3 18000 15483-uac-1;1 15475-uas-1;1'
}

@test "INVITE without SDP: nothing sent, exit 1; its 2xx with SDP is then the late offer (U, T;1 F;1)" {
	nobody invite.sip
	run -1 --separate-stderr stdout_to_file rtpp-manage <"$BATS_TEST_TMPDIR/m"
	assert_no_out
	assert_equal "$stderr" "rtpp-manage: INVITE without SDP: nothing sent (its 2xx with SDP will be the offer)"
	assert_equal "$(fake_count a)" 0
	run -0 --separate-stderr rtpp-manage --dry-run <"$FIX/ok.sip"
	assert_output 'Uc0,101 1-15483@127.0.0.1 127.0.0.3 18000 15475-uas-1;1 15483-uac-1;1'
	# the ACK then carries the answer: L with T;1 F;1
	run -0 --separate-stderr rtpp-manage --dry-run <"$FIX/ack.sip"
	assert_output 'Lc0,8,101 1-15483@127.0.0.1 127.0.0.1 16000 15475-uas-1;1 15483-uac-1;1'
}

@test "a late offer is remembered per CSeq: a 2xx to another INVITE of the call is an answer" {
	nobody invite.sip
	rtpp-manage <"$BATS_TEST_TMPDIR/m" 2>/dev/null || true
	msg ok.sip 's/^CSeq: 1 INVITE/CSeq: 2 INVITE/'
	run -0 --separate-stderr rtpp-manage --dry-run <"$BATS_TEST_TMPDIR/m"
	assert_output 'Lc0,101 1-15483@127.0.0.1 127.0.0.3 18000 15483-uac-1;1 15475-uas-1;1'
}

@test "without a state directory there is no memory: a 2xx is always the answer" {
	nobody invite.sip
	rtpp-manage --state-dir '' <"$BATS_TEST_TMPDIR/m" 2>/dev/null || true
	run -0 --separate-stderr rtpp-manage --state-dir '' --dry-run <"$FIX/ok.sip"
	assert_output 'Lc0,101 1-15483@127.0.0.1 127.0.0.3 18000 15483-uac-1;1 15475-uas-1;1'
}

@test "ACK with SDP: L (T;1 F;1); ACK without SDP: nothing to do, exit 1" {
	run -0 --separate-stderr rtpp-manage --dry-run <"$FIX/ack.sip"
	assert_output 'Lc0,8,101 1-15483@127.0.0.1 127.0.0.1 16000 15475-uas-1;1 15483-uac-1;1'
	nobody ack.sip
	run -1 --separate-stderr rtpp-manage <"$BATS_TEST_TMPDIR/m"
	assert_equal "$stderr" "rtpp-manage: request ACK without SDP: nothing to do"
}

@test "UPDATE and PRACK with SDP: U; their 2xx with SDP: L" {
	for m in UPDATE PRACK; do
		msg reinvite.sip "1s/^INVITE/$m/; s/^CSeq: 2 INVITE/CSeq: 2 $m/"
		run -0 --separate-stderr rtpp-manage --dry-run <"$BATS_TEST_TMPDIR/m"
		assert_output 'Uc0,8,101 1-15483@127.0.0.1 127.0.0.1 16000 15483-uac-1;1 15475-uas-1;1'
		msg ok.sip "s/^CSeq: 1 INVITE/CSeq: 2 $m/"
		run -0 --separate-stderr rtpp-manage --dry-run <"$BATS_TEST_TMPDIR/m"
		assert_output 'Lc0,101 1-15483@127.0.0.1 127.0.0.3 18000 15483-uac-1;1 15475-uas-1;1'
	done
}

@test "BYE and CANCEL, and any reply to them: D" {
	run -0 --separate-stderr rtpp-manage --dry-run <"$FIX/bye.sip"
	assert_output 'D 1-15483@127.0.0.1 15483-uac-1 15475-uas-1'
	msg bye.sip '1s/^BYE/CANCEL/; s/^CSeq: 2 BYE/CSeq: 1 CANCEL/; s/;tag=15475-uas-1//'
	run -0 --separate-stderr rtpp-manage --dry-run <"$BATS_TEST_TMPDIR/m"
	assert_output 'D 1-15483@127.0.0.1 15483-uac-1'
	nobody ok.sip 'SIP/2.0 200 OK'
	sed -i 's/^CSeq: 1 INVITE/CSeq: 2 BYE/' "$BATS_TEST_TMPDIR/m"
	run -0 --separate-stderr rtpp-manage --dry-run <"$BATS_TEST_TMPDIR/m"
	assert_output 'D 1-15483@127.0.0.1 15483-uac-1 15475-uas-1'
}

@test "a reply >= 300: D with the To-tag; the message passes through" {
	nobody ok.sip 'SIP/2.0 486 Busy Here'
	run -0 --separate-stderr stdout_to_file rtpp-manage <"$BATS_TEST_TMPDIR/m"
	assert_out_file "$BATS_TEST_TMPDIR/m"
	assert_cmds a 'D 1-15483@127.0.0.1 15483-uac-1 15475-uas-1'
}

@test "--failure-route: INVITE with SDP is D (no To-tag); without SDP nothing, exit 0" {
	run -0 --separate-stderr rtpp-manage --dry-run --failure-route <"$FIX/invite.sip"
	assert_output 'D 1-15483@127.0.0.1 15483-uac-1'
	nobody invite.sip
	run -0 --separate-stderr stdout_to_file rtpp-manage --failure-route <"$BATS_TEST_TMPDIR/m"
	assert_out_file "$BATS_TEST_TMPDIR/m"
	assert_equal "$(fake_count a)" 0
}

@test "a 2xx without SDP: nothing to do, exit 1" {
	nobody ok.sip
	run -1 --separate-stderr stdout_to_file rtpp-manage <"$BATS_TEST_TMPDIR/m"
	assert_no_out
	assert_equal "$stderr" "rtpp-manage: reply to INVITE without SDP: nothing to do"
}

@test "other CSeq methods (OPTIONS, INFO): exit 1, nothing sent" {
	nobody invite.sip 'OPTIONS sip:svc@127.0.0.1:5060 SIP/2.0'
	sed -i 's/^CSeq: 1 INVITE/CSeq: 1 OPTIONS/' "$BATS_TEST_TMPDIR/m"
	run -1 --separate-stderr rtpp-manage <"$BATS_TEST_TMPDIR/m"
	assert_equal "$stderr" "rtpp-manage: nothing to do for CSeq method OPTIONS"
	assert_equal "$(fake_count a)" 0
}

@test "bare SDP is refused: manage needs a SIP message" {
	run -2 --separate-stderr rtpp-manage --call-id c --from-tag f <"$FIX/hold.sdp"
	assert_equal "$stderr" "rtpp-manage: rtpp-manage needs a SIP message"
}

@test "Kamailio mode: base64 message in an argument, SIP_* environment, the SDP body out as one base64 line" {
	fake_script a 'U* -> reply 31000 127.0.0.1 4'
	export SIP_SRCIP=198.51.100.7 SIP_HF_CALLID=1-15483@127.0.0.1
	export SIP_HF_FROM='sipp <sip:sipp@127.0.0.1:5070>;tag=15483-uac-1' SIP_HF_TO='svc <sip:svc@127.0.0.1:5060>'
	run -0 --separate-stderr stdout_to_file rtpp-manage --kamailio-env --b64 "$(base64 -w0 "$FIX/invite.sip")" --output sdp-base64 --deadline 1 </dev/null
	assert_equal "$(wc -l <"$out")" 1
	base64 -d "$out" >"$BATS_TEST_TMPDIR/sdp"
	python3 - "$GOLDEN/rtpp-offer/invite.sip" "$BATS_TEST_TMPDIR/sdp" <<-'PY'
	import sys
	want = open(sys.argv[1], 'rb').read().split(b'\r\n\r\n', 1)[1]
	got = open(sys.argv[2], 'rb').read()
	assert got == want, (got, want)
	PY
	assert_equal "$(cmds a | tail -n 1)" 'U 1-15483@127.0.0.1 198.51.100.7 16000 15483-uac-1;1'
	# the same message again (a retransmission): the same SDP, one marker
	run -0 --separate-stderr stdout_to_file rtpp-manage --kamailio-env --b64 "$(base64 -w0 "$FIX/invite.sip")" --output sdp-base64 </dev/null
	base64 -d "$out" | cmp - "$BATS_TEST_TMPDIR/sdp"
	# a BYE: D, nothing printed, exit 0
	run -0 --separate-stderr stdout_to_file rtpp-manage --kamailio-env --b64 "$(base64 -w0 "$FIX/bye.sip")" --output sdp-base64 </dev/null
	assert_no_out
}

@test "--deadline: a silent relay costs at most the deadline, is recorded as down, and later runs skip it" {
	skip_under_valgrind "a 0.3 s deadline"
	fake_script a 'U* -> silent'
	rtpp-manage --dry-run <"$FIX/invite.sip" >/dev/null
	start=$(date +%s%N)
	run -3 --separate-stderr stdout_to_file rtpp-manage --tout 1 --retr 5 --deadline 0.3 <"$FIX/invite.sip"
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	assert_no_out
	[[ $stderr =~ ^"rtpp-manage: no relay available: $FAKE_URL_A: no reply after 1 try in "[0-9]+" ms"$ ]]
	(( ms < 2500 ))
	n=$(fake_count a)
	run -3 --separate-stderr rtpp-manage --tout 1 --retr 5 --deadline 0.3 <"$FIX/invite.sip"
	assert_equal "$stderr" "rtpp-manage: no relay available: every node of set 0 is disabled"
	assert_equal "$(fake_count a)" "$n"
}

@test "--deadline is also a hard stop for anything else that blocks (exit 3, nothing printed)" {
	mkfifo "$BATS_TEST_TMPDIR/conf.fifo"
	start=$(date +%s%N)
	run -3 --separate-stderr stdout_to_file timeout 10 rtpp-manage --deadline 0.2 --config "$BATS_TEST_TMPDIR/conf.fifo" <"$FIX/invite.sip"
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	assert_no_out
	assert_equal "$stderr" "rtpp-manage: deadline reached; gave up"
	(( ms < 5000 ))
}

# The 200 OK of ok.sip with Call-ID $1, classified: U or L.
classify() {
	sed -e "s/^Call-ID: .*/Call-ID: $1\r/" "$FIX/ok.sip" |
		rtpp-manage --dry-run | cut -c1
}

@test "late-offer memory: 100,000 entries within the TTL are all kept, whatever the order of their 2xx" {
	skip_under_valgrind "100,000 notes"
	"$OFFERS_TOOL" fill "$RTPP_STATE_DIR" late- 1 50000 500
	"$OFFERS_TOOL" fill "$RTPP_STATE_DIR" late- 50001 100000
	run -0 --separate-stderr "$OFFERS_TOOL" count "$RTPP_STATE_DIR" late- 1 100000
	assert_output 100000
	for i in 1 2 49999 50000 50001 77777 100000; do
		assert_equal "$(classify "late-$i")" U
	done
	assert_equal "$(classify late-100001)" L
	# the store has a fixed size however full
	(( $(stat -c %s "$RTPP_STATE_DIR/late-offers") < 8 * 1024 * 1024 ))
}

@test "late-offer memory: at its bound the oldest entry is evicted first, and only it" {
	"$OFFERS_TOOL" create "$RTPP_STATE_DIR" 1000
	"$OFFERS_TOOL" fill "$RTPP_STATE_DIR" late- 1 1000
	# one more INVITE without SDP, through rtpp-manage
	nobody invite.sip
	sed -i 's/^Call-ID: .*/Call-ID: late-1001\r/' "$BATS_TEST_TMPDIR/m"
	run -1 --separate-stderr rtpp-manage <"$BATS_TEST_TMPDIR/m"
	assert_equal "$(classify late-1)" L
	assert_equal "$(classify late-2)" U
	assert_equal "$(classify late-1001)" U
	run -0 --separate-stderr "$OFFERS_TOOL" count "$RTPP_STATE_DIR" late- 2 1001
	assert_output 1000
}

@test "late-offer memory: 13 INVITEs without SDP carrying 45 kB Call-IDs wipe nothing" {
	"$OFFERS_TOOL" fill "$RTPP_STATE_DIR" late- 1 10080
	for i in $(seq 1 13); do
		nobody invite.sip
		python3 - "$BATS_TEST_TMPDIR/m" "$i" <<-'PY'
		import sys
		p = sys.argv[1]
		d = open(p, 'rb').read()
		big = (b'%02d' % int(sys.argv[2])) + b'x' * 45000
		open(p, 'wb').write(d.replace(b'Call-ID: 1-15483@127.0.0.1', b'Call-ID: ' + big))
		PY
		run -1 --separate-stderr rtpp-manage <"$BATS_TEST_TMPDIR/m"
		assert_equal "$stderr" "rtpp-manage: INVITE without SDP: nothing sent (its 2xx with SDP will be the offer)"
	done
	run -0 --separate-stderr "$OFFERS_TOOL" count "$RTPP_STATE_DIR" late- 1 10080
	assert_output 10080
	assert_equal "$(classify late-1)" U
	assert_equal "$(classify late-10080)" U
	# the long Call-IDs themselves were remembered
	python3 -c "import sys; sys.stdout.write('01' + 'x' * 45000)" >"$BATS_TEST_TMPDIR/big"
	sed -e "s/^Call-ID: .*/Call-ID: $(cat "$BATS_TEST_TMPDIR/big")\r/" "$FIX/ok.sip" >"$BATS_TEST_TMPDIR/ok"
	run -0 --separate-stderr rtpp-manage --dry-run <"$BATS_TEST_TMPDIR/ok"
	assert_equal "${output:0:1}" U
}

@test "late-offer memory: 400 concurrent 2xx are classified right while writers note new entries" {
	skip_under_valgrind "400 concurrent runs"
	"$OFFERS_TOOL" fill "$RTPP_STATE_DIR" late- 1 20000
	nobody invite.sip
	mkdir "$BATS_TEST_TMPDIR/r"
	# outside bats (its debug trap slows every subshell down): writers
	# note new entries all the time, through the library and the tool,
	# while 400 runs classify at once a 2xx noted (late-N: U) or never
	# noted (never-N: L)
	T=$BATS_TEST_TMPDIR FIX=$FIX bash -s <<-'SH'
	"$OFFERS_TOOL" fill "$RTPP_STATE_DIR" w1- 1 30000 2>"$T/w1" &
	w1=$!
	"$OFFERS_TOOL" fill "$RTPP_STATE_DIR" w2- 1 30000 2>/dev/null &
	w2=$!
	( for i in $(seq 1 50); do
		sed "s/^Call-ID: .*/Call-ID: w3-$i\r/" "$T/m" |
			rtpp-manage 2>>"$T/w3"
	done ) &
	w3=$!
	pids=
	for i in $(seq 1 400); do
		if (( i % 2 )); then id="late-$(( i * 47 ))"; else id="never-$i"; fi
		( sed -e "s/^Call-ID: .*/Call-ID: $id\r/" "$FIX/ok.sip" |
			rtpp-manage --dry-run | cut -c1 >"$T/r/$id" ) &
		pids="$pids $!"
	done
	rc=0
	for p in $pids; do wait "$p" || rc=1; done
	wait "$w1" "$w2" "$w3"
	exit $rc
	SH
	bad=0
	for f in "$BATS_TEST_TMPDIR"/r/*; do
		case $(basename "$f"):$(cat "$f") in
		late-*:U|never-*:L) ;;
		*) echo "misclassified: $(basename "$f") -> $(cat "$f")"; bad=$((bad + 1)) ;;
		esac
	done
	assert_equal "$(ls "$BATS_TEST_TMPDIR/r" | wc -l)" 400
	assert_equal "$bad" 0
	run -0 --separate-stderr "$OFFERS_TOOL" count "$RTPP_STATE_DIR" late- 1 20000
	assert_output 20000
	# a writer's note is lost only when it gave up on the lock (and
	# said so): every note that succeeded is kept
	f1=$(sed -n 's/^offers-tool: \([0-9]*\) notes failed.*/\1/p' "$BATS_TEST_TMPDIR/w1")
	run -0 --separate-stderr "$OFFERS_TOOL" count "$RTPP_STATE_DIR" w1- 1 30000
	assert_output $(( 30000 - ${f1:-0} ))
	f3=$(grep -c 'late-offer memory' "$BATS_TEST_TMPDIR/w3" || true)
	run -0 --separate-stderr "$OFFERS_TOOL" count "$RTPP_STATE_DIR" w3- 1 50
	assert_output $(( 50 - f3 ))
	echo "# notes given up on the lock: w1 ${f1:-0} of 30000, w3 $f3 of 50" >&3
}

@test "late-offer memory: a store not ours to trust is not used (warning), and the call goes on" {
	nobody invite.sip
	rtpp-manage <"$BATS_TEST_TMPDIR/m" 2>/dev/null || true
	assert_equal "$(classify 1-15483@127.0.0.1)" U
	chmod o+w "$RTPP_STATE_DIR/late-offers"
	run -0 --separate-stderr stdout_to_file rtpp-manage --dry-run <"$FIX/ok.sip"
	assert_equal "$(head -c1 "$out")" L
	assert_equal "$stderr" "rtpp-manage: late-offer memory: $RTPP_STATE_DIR/late-offers: writable by others; not used"
	rm "$RTPP_STATE_DIR/late-offers"
	mkfifo "$RTPP_STATE_DIR/late-offers"
	run -0 --separate-stderr timeout 5 rtpp-manage --dry-run <"$FIX/ok.sip"
	assert_equal "$stderr" "rtpp-manage: late-offer memory: $RTPP_STATE_DIR/late-offers: not a regular file with one link; not used"
	run -1 --separate-stderr timeout 5 rtpp-manage <"$BATS_TEST_TMPDIR/m"
	echo "$stderr"
	assert_equal "$stderr" "rtpp-manage: late-offer memory: $RTPP_STATE_DIR/late-offers: not a regular file with one link; not used
rtpp-manage: INVITE without SDP: nothing sent (its 2xx with SDP will be the offer)"
}

@test "late-offer memory: the health state's trust rule; in a shared directory its files are the group's" {
	S=$RTPP_STATE_DIR
	mkdir -m 0770 "$S"
	chmod g-s "$S"
	nobody invite.sip
	# group-writable without set-group-ID: not a shared directory, refused
	run -1 --separate-stderr rtpp-manage <"$BATS_TEST_TMPDIR/m"
	[[ $stderr == *"late-offer memory: $S: writable by its group but not set-group-ID (not a shared state directory); not used"* ]] ||
		fail "$stderr"
	[[ ! -e $S/late-offers ]]
	# set-group-ID and group-writable: the shared layout; the store and
	# its lock are writable by the group, whatever the umask
	chmod 2770 "$S"
	(umask 077 && rtpp-manage <"$BATS_TEST_TMPDIR/m" 2>/dev/null) || true
	assert_equal "$(classify 1-15483@127.0.0.1)" U
	assert_equal "$(stat -c %a "$S/late-offers")" 660
	assert_equal "$(stat -c %a "$S/late-offers.lock")" 660
	assert_equal "$(stat -c %g "$S/late-offers")" "$(stat -c %g "$S")"
}
