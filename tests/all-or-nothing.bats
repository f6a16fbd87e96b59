#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# All or nothing (issue 15, point 9): whatever fails, standard output
# holds the whole result or nothing.  Memory pressure (ulimit -v at many
# limits, from "cannot start" to "plenty") with megabyte messages: each
# run exits 0 with the full, correct output, or non-zero with empty
# stdout, and never dies of a signal.  --passthrough echoes an input
# that is too large to handle whole, or writes nothing.

load helpers

setup_file() {
	local p
	p=$(command -v rtpp-offer) || return 1
	# address-space limits mean nothing under valgrind or ASan
	if [[ -n ${VG_RTPP_TOOLS-} || $(head -c 2 "$p") == '#!' ]] ||
	    grep -qa __asan_init "$p"; then
		export AON_LIMITS=no
	fi
	export AON="$BATS_FILE_TMPDIR"
	# below some limit no program starts at all (the kernel cannot map
	# it: SIGSEGV before main); the loops start at the first limit where
	# "rtpp-offer --version" runs
	AON_FLOOR=
	for (( lim = 500; lim <= 16000; lim += 250 )); do
		if ( ulimit -v "$lim"; exec rtpp-offer --version ) >/dev/null 2>&1; then
			AON_FLOOR=$lim
			break
		fi
	done
	export AON_FLOOR
	python3 - "$AON" <<-'PY'
	import sys
	d = sys.argv[1]
	head = (b'v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\n'
	        b't=0 0\r\n')
	# one 3 MB m= line (the issue's case: a truncated m= line)
	open(d + '/m3.sdp', 'wb').write(
	    head + b'm=audio 7000 RTP/AVP' + b' 96' * 1000000 + b'\r\n'
	    b'a=sendrecv\r\n')
	# a SIP message with 3 MB of SDP attribute lines
	sdp = head + b'm=audio 7000 RTP/AVP 0\r\n' + \
	    (b'a=x-pad:' + b'y' * 90 + b'\r\n') * 30000
	sip = (b'INVITE sip:b@127.0.0.1 SIP/2.0\r\n'
	       b'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1\r\n'
	       b'From: <sip:a@127.0.0.1>;tag=f1\r\nTo: <sip:b@127.0.0.1>\r\n'
	       b'Call-ID: aon@127.0.0.1\r\nCSeq: 1 INVITE\r\n'
	       b'Content-Type: application/sdp\r\n'
	       b'Content-Length: %d\r\n\r\n' % len(sdp)) + sdp
	open(d + '/a3.sip', 'wb').write(sip)
	PY
}

setup() {
	rtpp_setup
}

teardown() {
	rtpp_teardown
}

# aon_loop NAME WANT CMD...: run CMD (stdin from $AON/in) under ulimit -v
# from the floor to 40 MB in steps of 500 kB; every run must exit 0 with
# stdout equal to WANT or exit non-zero (not by a signal) with stdout
# empty and one line on stderr.  Prints the number of runs that failed
# and that succeeded.
aon_loop() {
	local name=$1 want=$2 lim rc fails=0 oks=0
	shift 2
	[[ -n $AON_FLOOR ]] || { echo "rtpp-offer starts under no limit up to 16 MB"; return 1; }
	for (( lim = AON_FLOOR; lim <= 40000; lim += 500 )); do
		rc=0
		( ulimit -v "$lim"; exec "$@" ) <"$AON/in" >"$AON/out" 2>"$AON/err" || rc=$?
		if (( rc >= 128 )); then
			echo "$name: ulimit -v $lim: killed by signal $(( rc - 128 ))"
			return 1
		elif (( rc == 0 )); then
			if ! cmp -s "$AON/out" "$want"; then
				echo "$name: ulimit -v $lim: exit 0 but the output differs" \
				    "($(wc -c <"$AON/out") bytes, want $(wc -c <"$want"))"
				return 1
			fi
			oks=$(( oks + 1 ))
		else
			if [[ -s $AON/out ]]; then
				echo "$name: ulimit -v $lim: exit $rc with $(wc -c <"$AON/out")" \
				    "bytes on stdout: $(head -c 200 "$AON/err")"
				return 1
			fi
			if (( $(wc -l <"$AON/err") != 1 )); then
				echo "$name: ulimit -v $lim: exit $rc, stderr not one line:"
				cat "$AON/err"
				return 1
			fi
			fails=$(( fails + 1 ))
		fi
	done
	echo "$fails $oks"
}

# Both outcomes must occur: the loop reached the failure paths and the
# success path.
assert_both() {
	[[ $output =~ ^([0-9]+)\ ([0-9]+)$ ]] || fail "$output"
	(( BASH_REMATCH[1] > 0 )) || fail "no run failed: limits too high ($output)"
	(( BASH_REMATCH[2] > 0 )) || fail "no run succeeded: limits too low ($output)"
}

@test "3 MB m= line under ulimit -v: the whole output or nothing, never a truncated m= line" {
	[[ ${AON_LIMITS-} != no ]] || skip "ulimit -v is meaningless under valgrind or ASan"
	cp "$AON/m3.sdp" "$AON/in"
	rtpp-offer --fake-reply '40000 192.0.2.1' --call-id c --from-tag f <"$AON/in" >"$AON/want"
	run -0 --separate-stderr grep -ac '^m=audio 40000 RTP/AVP 96 96 ' "$AON/want"
	run -0 --separate-stderr aon_loop sdp "$AON/want" rtpp-offer --fake-reply '40000 192.0.2.1' --call-id c --from-tag f
	assert_both
}

@test "3 MB SDP in a SIP message, base64 out, under ulimit -v: all or nothing" {
	[[ ${AON_LIMITS-} != no ]] || skip "ulimit -v is meaningless under valgrind or ASan"
	cp "$AON/a3.sip" "$AON/in"
	rtpp-offer --output base64 --fake-reply '40000 192.0.2.1' <"$AON/in" >"$AON/want"
	run -0 --separate-stderr aon_loop sip64 "$AON/want" rtpp-offer --output base64 --fake-reply '40000 192.0.2.1'
	assert_both
	# and base64 in: decoding needs memory too
	base64 "$AON/a3.sip" >"$AON/in"
	rtpp-offer --fake-reply '40000 192.0.2.1' <"$AON/in" >"$AON/want"
	run -0 --separate-stderr aon_loop b64in "$AON/want" rtpp-offer --fake-reply '40000 192.0.2.1'
	assert_both
}

@test "a relay round trip under ulimit -v: all or nothing" {
	[[ ${AON_LIMITS-} != no ]] || skip "ulimit -v is meaningless under valgrind or ASan"
	fake_start a
	fake_script a 'U* -> reply 40000 192.0.2.1'
	export RTPP_SOCK="$FAKE_URL_A"
	cp "$AON/a3.sip" "$AON/in"
	rtpp-offer <"$AON/in" >"$AON/want"
	run -0 --separate-stderr aon_loop relay "$AON/want" rtpp-offer
	assert_both
}

@test "--passthrough with 5 MiB of input: the whole input, exit 1" {
	head -c $(( 5 * 1024 * 1024 )) /dev/urandom | base64 -w 76 | head -c $(( 5 * 1024 * 1024 )) >"$AON/in5"
	run -1 --separate-stderr stdout_to_file rtpp-offer --passthrough --fake-reply '40000 192.0.2.1' <"$AON/in5"
	assert_equal "$stderr" "rtpp-offer: stdin: input larger than 4194304 bytes"
	assert_out_file "$AON/in5"
	# a 5 MiB SIP message (a big SDP) the same, whatever the tool
	python3 -c '
import sys
sys.stdout.buffer.write(open(sys.argv[1], "rb").read() + b"a=x\r\n" * 500000)' "$AON/a3.sip" >"$AON/sip5"
	for tool in rtpp-offer rtpp-answer rtpp-destroy rtpp-manage; do
		run -1 --separate-stderr stdout_to_file $tool --passthrough --dry-run <"$AON/sip5"
		assert_out_file "$AON/sip5"
	done
	# without --passthrough: nothing
	run -1 --separate-stderr stdout_to_file rtpp-offer --fake-reply '40000 192.0.2.1' <"$AON/in5"
	assert_no_out
}

@test "--passthrough above its 64 MiB cap writes nothing" {
	run -1 --separate-stderr stdout_to_file rtpp-offer --passthrough --fake-reply '40000 192.0.2.1' < <(head -c $(( 64 * 1024 * 1024 + 1 )) /dev/zero)
	assert_equal "$stderr" "rtpp-offer: stdin: input larger than 67108864 bytes"
	assert_no_out
	# exactly at the cap: echoed whole
	head -c $(( 64 * 1024 * 1024 )) /dev/zero >"$AON/in64"
	run -1 --separate-stderr stdout_to_file rtpp-offer --passthrough --fake-reply '40000 192.0.2.1' <"$AON/in64"
	assert_equal "$(wc -c <"$out")" $(( 64 * 1024 * 1024 ))
	cmp -s "$out" "$AON/in64"
	rm -f "$AON/in64" "$out"
}

@test "--passthrough under ulimit -v: the whole input or nothing" {
	[[ ${AON_LIMITS-} != no ]] || skip "ulimit -v is meaningless under valgrind or ASan"
	head -c $(( 5 * 1024 * 1024 )) /dev/zero | tr '\0' 'v' >"$AON/in"
	lim_ok=0 lim_none=0
	for (( lim = AON_FLOOR; lim <= 40000; lim += 1000 )); do
		rc=0
		( ulimit -v "$lim"; exec rtpp-offer --passthrough --fake-reply 1 ) \
		    <"$AON/in" >"$AON/out" 2>/dev/null || rc=$?
		(( rc > 0 && rc < 128 )) || fail "ulimit -v $lim: exit $rc"
		if [[ -s $AON/out ]]; then
			cmp -s "$AON/out" "$AON/in" || fail "ulimit -v $lim: a part of the input"
			lim_ok=$(( lim_ok + 1 ))
		else
			lim_none=$(( lim_none + 1 ))
		fi
	done
	(( lim_ok > 0 && lim_none > 0 )) || fail "echoed $lim_ok, nothing $lim_none"
}
