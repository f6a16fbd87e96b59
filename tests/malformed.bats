#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Malformed input.  Every case of tests/malformed (written by
# tests/gen-malformed, with the expected statuses in its EXPECT file)
# and the big cases made at test time go through rtpp-offer, rtpp-answer
# and rtpp-manage: the status is the one expected, no run dies of a
# signal, runs over its time or memory, prints anything on error or more
# than one line on stderr.  Then hostile Call-IDs and tags (refused,
# never sent), bad relay replies, and the fuzz regression corpus.
#
# A successful offer or answer is run again on its own output, which must
# go through with flag f and stop at the marker without it.
#
# Limits per run (tools built without sanitizers): 5 s and 64 MB of
# address space (ulimit -v), 32 MB resident (GNU time, when installed).
# Under AddressSanitizer the memory limits are left out; under the
# valgrind wrappers of tests/valgrind (scripts/valgrind-check, which sets
# VG_RTPP_TOOLS) the memory limits are left out, the time limit is
# 120 s, and each tool takes every third case (the three together still
# cover every case).

load helpers

MAL="$BATS_TEST_DIRNAME/malformed"
M_REPLY='31000 192.0.2.1'

setup_file() {
	local p
	p=$(command -v rtpp-offer) || return 1
	if [[ -n ${VG_RTPP_TOOLS-} || $(head -c 2 "$p") == '#!' ]]; then
		export M_KIND=valgrind M_TIME=120 M_VMEM= M_RSS=
	elif grep -qa __asan_init "$p"; then
		export M_KIND=asan M_TIME=20 M_VMEM= M_RSS=
	else
		export M_KIND=plain M_TIME=5 M_VMEM=65536 M_RSS=32768
	fi
	[[ -x /usr/bin/time ]] && /usr/bin/time -o /dev/null -f %M true 2>/dev/null ||
		M_RSS=
	export M_BIG="$BATS_FILE_TMPDIR/big"
	python3 "$BATS_TEST_DIRNAME/gen-malformed" --big "$M_BIG"
}

setup() {
	rtpp_setup
}

teardown() {
	rtpp_teardown
}

# mrun TOOL FILE [ARG...]: run TOOL on FILE (with --fake-reply unless
# NOFAKE is set, and call data for bare SDP) under the limits; set
# status, out (the stdout file), stderr, rss (KB, empty if unknown).
mrun() {
	local tool=$1 file=$2 tm=$BATS_TEST_TMPDIR/time
	shift 2
	local opts=()
	[[ -z ${NOFAKE-} ]] && opts+=(--fake-reply "$M_REPLY")
	[[ $file == *.sdp ]] && opts+=(--call-id mc-1 --from-tag mf-1 --to-tag mt-1)
	out=$BATS_TEST_TMPDIR/out
	status=0
	rm -f "$tm"
	(
		if [[ -n $M_VMEM ]]; then ulimit -v "$M_VMEM" || exit 99; fi
		if [[ -n $M_RSS ]]; then
			exec /usr/bin/time -o "$tm" -f %M timeout -k 1 "$M_TIME" \
			    "$tool" "${opts[@]}" "$@" <"$file"
		fi
		exec timeout -k 1 "$M_TIME" "$tool" "${opts[@]}" "$@" <"$file"
	) >"$out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
	stderr=$(cat "$BATS_TEST_TMPDIR/err")
	rss=
	[[ -s $tm ]] && rss=$(tail -n 1 "$tm")
	return 0
}

# problems TOOL FILE WANT [MESSAGE]: after mrun, print what is wrong
# (nothing when all is well).
problems() {
	local tool=$1 file=$2 want=$3 msg=${4--} nl
	if (( status == 124 || status >= 128 )); then
		echo "$tool $file: killed or timed out (status $status): $stderr"
		return
	fi
	[[ $status == "$want" ]] ||
		echo "$tool $file: status $status, expected $want: $stderr"
	if [[ -n $M_RSS && -n $rss ]] && (( rss > M_RSS )); then
		echo "$tool $file: $rss KB resident, limit $M_RSS KB"
	fi
	if [[ $status != 0 ]]; then
		[[ -s $out ]] && echo "$tool $file: status $status with output"
		nl=$(wc -l <"$BATS_TEST_TMPDIR/err")
		[[ $nl == 1 && $stderr == "$tool: "?* ]] ||
			echo "$tool $file: not one error line: $(cat -A "$BATS_TEST_TMPDIR/err" | head -n 3)"
		[[ $stderr == *[[:cntrl:]]* ]] &&
			echo "$tool $file: control characters in the error: $(cat -A "$BATS_TEST_TMPDIR/err")"
		[[ $msg == - || $stderr == *"$msg"* ]] ||
			echo "$tool $file: error '$stderr' lacks '$msg'"
	else
		[[ -s $out ]] || echo "$tool $file: status 0 without output"
		[[ -z $stderr ]] || echo "$tool $file: status 0 with stderr: $stderr"
	fi
}

# The output of a successful offer or answer is a message the tool takes
# again: with flag f it goes through, without it the marker stops it.
rerun_problems() {
	local tool=$1 file=$2 again
	again=$BATS_TEST_TMPDIR/again.${file##*.}
	cp "$out" "$again"
	mrun "$tool" "$again" f
	problems "$tool" "output of $file" 0
	mrun "$tool" "$again"
	problems "$tool" "output of $file" 4 'already proxied'
}

# sampled INDEX SLOT: true when case INDEX is run.  Under valgrind,
# where a run costs a second, each tool takes every third case (SLOT 0,
# 1 or 2), so that the three tools still cover every case between them.
sampled() {
	[[ $M_KIND != valgrind ]] || (( $1 % 3 == $2 ))
}

# corpus DIR TOOL: every case of DIR/EXPECT through TOOL.
corpus() {
	local dir=$1 tool=$2 f o a m msg want bad=$BATS_TEST_TMPDIR/bad n=0
	local i=0 slot
	case $tool in
	rtpp-offer) slot=0 ;;
	rtpp-answer) slot=1 ;;
	*) slot=2 ;;
	esac
	: >"$bad"
	while IFS=$'\t' read -r f o a m msg; do
		[[ $f == \#* || -z $f ]] && continue
		sampled $((i++)) "$slot" || continue
		case $tool in
		rtpp-offer) want=$o ;;
		rtpp-answer) want=$a msg=- ;;
		*) want=$m msg=- ;;
		esac
		mrun "$tool" "$dir/$f"
		problems "$tool" "$f" "$want" "$msg" >>"$bad"
		# (under valgrind, where a run costs a second, only the runs)
		if [[ $status == 0 && $want == 0 && $tool != rtpp-manage &&
		    $M_KIND != valgrind ]]; then
			rerun_problems "$tool" "$f" >>"$bad"
		fi
		n=$((n + 1))
	done <"$dir/EXPECT"
	if [[ -s $bad ]]; then
		batslib_decorate "$tool: $(wc -l <"$bad") problems in $n cases" <"$bad" | fail
	fi
	(( n > 0 ))
}

@test "the corpus has at least 100 cases, all listed in EXPECT" {
	n=$(grep -vc '^#' "$MAL/EXPECT")
	(( n >= 100 ))
	assert_equal "$(ls "$MAL" | grep -vc '^EXPECT$')" "$n"
	python3 "$BATS_TEST_DIRNAME/gen-malformed" "$BATS_TEST_TMPDIR/again"
	diff -r "$MAL" "$BATS_TEST_TMPDIR/again"
}

@test "rtpp-offer: every malformed case gives its status and one clear error line, or a correct result" {
	corpus "$MAL" rtpp-offer
}

@test "rtpp-answer: every malformed case gives its status and one error line, or a correct result" {
	corpus "$MAL" rtpp-answer
}

@test "rtpp-manage: every malformed case gives its status and one error line, or a result" {
	corpus "$MAL" rtpp-manage
}

@test "big cases (1 MB lines and bodies, 4 MB inputs, 100001 lines, 10000 headers): bounded time and memory" {
	corpus "$M_BIG" rtpp-offer
	corpus "$M_BIG" rtpp-answer
	corpus "$M_BIG" rtpp-manage
}

@test "against the fake relay: the same statuses, nothing sent for bad input, no control byte ever sent" {
	fake_start a
	export RTPP_SOCK="$FAKE_URL_A"
	bad=$BATS_TEST_TMPDIR/bad
	: >"$bad"
	local i=0
	while IFS=$'\t' read -r f o a m msg; do
		[[ $f == \#* ]] && continue
		sampled $((i++)) 1 || continue
		want=$o
		# the relay path refuses a command longer than a datagram buffer
		[[ $f == *call-id-5k* ]] && want=1 msg='command longer than 4159 bytes'
		before=$(fake_count a)
		NOFAKE=1 mrun rtpp-offer "$MAL/$f"
		problems rtpp-offer "$f" "$want" "$msg" >>"$bad"
		if [[ $want != 0 ]] && (( $(fake_count a) != before )); then
			echo "rtpp-offer $f: failed with status $status but sent: $(cmds a | tail -n +$((before + 1)) | head -n 2)" >>"$bad"
		fi
	done <"$MAL/EXPECT"
	if grep -E '\\x([01][0-9a-f]|7f)' "$BATS_TEST_TMPDIR/a.log" >"$BATS_TEST_TMPDIR/ctl"; then
		echo "control bytes sent: $(head -n 3 "$BATS_TEST_TMPDIR/ctl")" >>"$bad"
	fi
	if [[ -s $bad ]]; then
		batslib_decorate "$(wc -l <"$bad") problems" <"$bad" | fail
	fi
}

@test "with no relay: bad input is still exit 1 (nothing tried), good input exit 3" {
	export RTPP_SOCK=udp:127.0.0.1:9	# discard: nobody answers
	bad=$BATS_TEST_TMPDIR/bad
	: >"$bad"
	local i=0
	while IFS=$'\t' read -r f o a m msg; do
		[[ $f == \#* ]] && continue
		sampled $((i++)) 1 || continue
		want=$o
		[[ $want == 0 ]] && want=3 msg=-
		# too long for a datagram, or no relay: which comes first varies
		[[ $f == *call-id-5k* ]] && continue
		NOFAKE=1 mrun rtpp-offer "$MAL/$f" --tout 0.02 --retr 1
		problems rtpp-offer "$f" "$want" "$msg" >>"$bad"
	done <"$MAL/EXPECT"
	if [[ -s $bad ]]; then
		batslib_decorate "$(wc -l <"$bad") problems" <"$bad" | fail
	fi
}

@test "Call-IDs and tags with spaces or control characters in the message are refused by every tool, nothing sent" {
	fake_start a
	export RTPP_SOCK="$FAKE_URL_A"
	n=0
	for f in "$MAL"/*-call-id-{space,tab,ctrl,esc,del,vt,ff,folded}.sip \
	    "$MAL"/*-from-tag-{quoted-space,ctrl}.sip "$MAL"/*-to-tag-{quoted-tab,del}.sip; do
		[[ -e $f ]] || continue
		for tool in rtpp-offer rtpp-answer rtpp-manage rtpp-destroy; do
			run -1 --separate-stderr stdout_to_file "$tool" <"$f"
			assert_no_out
			[[ $stderr == "$tool: "*" is empty or contains spaces or control characters; not sent" ]] ||
				fail "$tool ${f##*/}: $stderr"
			[[ $stderr != *[[:cntrl:]]* ]] || fail "raw control byte in: $(cat -A <<<"$stderr")"
		done
		n=$((n + 1))
	done
	assert_equal "$n" 12
	assert_equal "$(fake_count a)" 0
}

@test "hostile --call-id, --from-tag and --to-tag values are refused by every tool, nothing sent" {
	fake_start a
	export RTPP_SOCK="$FAKE_URL_A"
	vals=('a b' $'a\tb' $'a\nb' $'a\rb' $'a\x01b' $'a\x1b[0mb' $'a\x7fb' $'a\vb' ' ' '')
	for v in "${vals[@]}"; do
		for opt in --call-id --from-tag; do
			for tool in rtpp-offer rtpp-answer rtpp-destroy rtpp-manage; do
				run -1 --separate-stderr stdout_to_file "$tool" "$opt" "$v" <"$FIX/ok.sip"
				assert_no_out
				[[ $stderr == *"not sent" && $stderr != *[[:cntrl:]]* ]] ||
					fail "$tool $opt '$(cat -A <<<"$v")': $stderr"
			done
			run -1 --separate-stderr rtpp-stream "$opt" "$v" uac /p <"$FIX/ok.sip"
			run -1 --separate-stderr rtpp-stat "$opt" "$v" <"$FIX/ok.sip"
		done
		# an empty --to-tag means "none"; every other value is checked
		[[ -z $v ]] && continue
		for tool in rtpp-offer rtpp-answer rtpp-destroy rtpp-manage rtpp-stat; do
			run -1 --separate-stderr "$tool" --to-tag "$v" <"$FIX/ok.sip"
			[[ $stderr == "$tool: to-tag '"*"' is empty or contains spaces or control characters; not sent" ]] ||
				fail "$tool --to-tag '$(cat -A <<<"$v")': $stderr"
		done
	done
	assert_equal "$(fake_count a)" 0
}

@test "hostile values from Kamailio's exec environment and Via branches are refused, nothing sent" {
	fake_start a
	export RTPP_SOCK="$FAKE_URL_A"
	SIP_HF_CALLID=$'env\ncall' SIP_HF_FROM='<sip:a@b>;tag=f1' run -1 --separate-stderr rtpp-offer --kamailio-env <"$FIX/hold.sdp"
	assert_equal "$stderr" "rtpp-offer: call-id 'env\\x0acall' is empty or contains spaces or control characters; not sent"
	SIP_HF_CALLID=c1 SIP_HF_FROM=$'<sip:a@b>;tag="f\r1"' run -1 --separate-stderr rtpp-offer --kamailio-env <"$FIX/hold.sdp"
	assert_equal "$stderr" "rtpp-offer: from-tag 'f\\x0d1' is empty or contains spaces or control characters; not sent"
	SIP_HF_CALLID=c1 SIP_HF_FROM='<sip:a@b>;tag=f1' SIP_HF_TO='<sip:b@c>;tag="t 1"' \
	    run -1 --separate-stderr rtpp-answer --kamailio-env <"$FIX/hold.sdp"
	assert_equal "$stderr" "rtpp-answer: to-tag 't 1' is empty or contains spaces or control characters; not sent"
	sed 's/;branch=z9hG4bK-1-0/;branch="z9 hG4bK"/' "$FIX/invite.sip" >"$BATS_TEST_TMPDIR/br.sip"
	run -1 --separate-stderr rtpp-offer 1 <"$BATS_TEST_TMPDIR/br.sip"
	assert_equal "$stderr" "rtpp-offer: via branch 'z9 hG4bK' is empty or contains spaces or control characters; not sent"
	run -1 --separate-stderr rtpp-destroy 1 <"$BATS_TEST_TMPDIR/br.sip"
	assert_equal "$(fake_count a)" 0
}

@test "hostile --extra-id and --timeout-socket values are usage errors" {
	run -2 --separate-stderr stdout_to_file rtpp-offer --extra-id 'x y' --dry-run b <"$FIX/invite.sip"
	assert_no_out
	assert_equal "$stderr" "rtpp-offer: --extra-id: extra_id: 'x y' contains spaces or control characters"
	run -2 --separate-stderr stdout_to_file rtpp-offer --timeout-socket $'unix:/x\n' --dry-run <"$FIX/invite.sip"
	assert_no_out
}

@test "a tag holding ';' (the rtpproxy media-number separator) is refused, nothing sent" {
	fake_start a
	export RTPP_SOCK="$FAKE_URL_A"
	run -1 --separate-stderr stdout_to_file rtpp-offer --from-tag 'f;2' <"$FIX/invite.sip"
	assert_no_out
	[[ $stderr == "rtpp-offer: from-tag 'f;2' "*"not sent" ]] || fail "$stderr"
	sed 's/;tag=15483-uac-1/;tag="a;2"/' "$FIX/ok.sip" >"$BATS_TEST_TMPDIR/semi.sip"
	for tool in rtpp-offer rtpp-answer rtpp-destroy rtpp-manage; do
		run -1 --separate-stderr stdout_to_file "$tool" <"$BATS_TEST_TMPDIR/semi.sip"
		assert_no_out
	done
	assert_equal "$(fake_count a)" 0
}

@test "errors quoting the message escape control bytes and stay on one line" {
	sed 's|^Content-Type: application/sdp\r$|Content-Type: text/\r\n plain\r|' \
	    "$FIX/ok.sip" >"$BATS_TEST_TMPDIR/folded.sip"
	sed $'s|^Content-Type: application/sdp\r$|Content-Type: text/\e[31mred\r|' \
	    "$FIX/ok.sip" >"$BATS_TEST_TMPDIR/esc.sip"
	sed $'s|^CSeq: 1 INVITE\r$|CSeq: 1 INV\e[2JITE\r|' \
	    "$FIX/ok.sip" >"$BATS_TEST_TMPDIR/cseq.sip"
	for c in "rtpp-offer folded" "rtpp-offer esc" "rtpp-manage cseq"; do
		set -- $c
		run -1 --separate-stderr stdout_to_file "$1" --fake-reply "$M_REPLY" <"$BATS_TEST_TMPDIR/$2.sip"
		assert_no_out
		[[ $(wc -l <"$BATS_TEST_TMPDIR/err") == 1 && $stderr != *[[:cntrl:]]* ]] ||
			fail "$1 $2: $(cat -A "$BATS_TEST_TMPDIR/err")"
	done
}

@test "a relay port of 65535 never yields port 65536 (a=rtcp, ICE relay candidate)" {
	run -1 --separate-stderr stdout_to_file rtpp-offer --fake-reply '65535 192.0.2.1' --call-id c --from-tag f <"$FIX/three.sdp"
	refute grep -q 65536 "$out"
	run -1 --separate-stderr stdout_to_file rtpp-offer --ice high --fake-reply '65535 192.0.2.1' --call-id c --from-tag f <"$FIX/ice.sdp"
	refute grep -q 65536 "$out"
}

@test "malformed relay replies: exit 1 with one clear line (or 0 when usable), never a crash" {
	bad=$BATS_TEST_TMPDIR/bad
	: >"$bad"
	# reply|status (printf %b escapes in the reply)
	while IFS='|' read -r r want; do
		M_REPLY=$(printf '%b' "$r") mrun rtpp-offer "$FIX/invite.sip"
		problems rtpp-offer "reply '$r'" "$want" >>"$bad"
	done <<-'EOF'
	31000 192.0.2.1|0
	31000 2001:db8::1 6|0
	31000 192.0.2.1 6|0
	31000 192.0.2.1 4 extra words are ignored a b c d e f|0
	31000\t192.0.2.1|0
	31000 192.0.2.1\r\n|0
	|1
	 |1
	31000|1
	E|1
	E72|1
	E72 trailing|1
	E9999999|1
	E1x|1
	x|1
	-1|1
	+31000|1
	031000|1
	65536|1
	99999 192.0.2.1|1
	0|1
	0 0.0.0.0|1
	31000 999.0.0.1|1
	31000 ::g|1
	31000 fe80::1%lo|1
	31000 192.0.2.1\x01|1
	31000 \xff\xfe|1
	31000 1111111111111111111111111111111111111111111111111111111111111111111111|1
	EOF
	if [[ -s $bad ]]; then
		batslib_decorate "$(wc -l <"$bad") problems" <"$bad" | fail
	fi
}

@test "the fuzz seed and regression corpora replay cleanly (scripts/fuzz replay)" {
	local top=$BATS_TEST_DIRNAME/..
	[[ -x $top/scripts/fuzz && -d $top/fuzz ]] || skip "fuzz/ not in this tree"
	command -v "${CC:-cc}" >/dev/null || skip "no C compiler"
	pkg-config --exists libbsd-overlay 2>/dev/null || skip "no libbsd"
	FUZZ_WORK="$BATS_FILE_TMPDIR/fuzz" run -0 --separate-stderr with_stderr "$top/scripts/fuzz" replay
	refute_output --partial FAILED
}
