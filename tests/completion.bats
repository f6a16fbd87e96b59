#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# completion/rtpp, the bash completion of the seven tools: driven as
# bash drives it (COMP_WORDS, COMP_CWORD, COMP_LINE, COMP_POINT set,
# then the function called, COMPREPLY read), and checked against the
# tools themselves so that it cannot drift from them: every option of
# every --help, the subcommands of rtpp-ctl's usage line, the flag
# letters and the option values the tools accept.

load helpers

TOOLS="rtpp-offer rtpp-answer rtpp-destroy rtpp-manage rtpp-stream rtpp-stat rtpp-ctl"

setup() {
	rtpp_setup
	# shellcheck source=../completion/rtpp
	source "$BATS_TEST_DIRNAME/../completion/rtpp"
}

# comp LINE: complete LINE with the cursor at its end.  COMP_WORDS is
# split as bash splits it: at blanks outside quotes, and around runs of
# '=', ':', '<' and '>'.  Sets $reply: the matches, sorted, one a line.
# _rtpp runs with PATH=$COMP_PATH when that is set.
comp() {
	local line=$1 c cls prev="" q="" cur="" i
	COMP_WORDS=()
	for ((i = 0; i < ${#line}; i++)); do
		c=${line:i:1}
		if [[ -n $q ]]; then
			cur+=$c
			[[ $c == "$q" ]] && q=""
			continue
		fi
		case $c in
		[[:blank:]])
			[[ -n $cur ]] && COMP_WORDS+=("$cur")
			cur="" prev=""
			continue ;;
		[=:\<\>]) cls=sep ;;
		*) cls=word ;;
		esac
		if [[ -n $cur && $cls != "$prev" ]]; then
			COMP_WORDS+=("$cur")
			cur=""
		fi
		prev=$cls
		case $c in
		[\'\"]) q=$c ;;
		\\) cur+=$c; i=$((i + 1)); c=${line:i:1} ;;
		esac
		cur+=$c
	done
	COMP_WORDS+=("$cur")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMPREPLY=()
	if [[ -n ${COMP_PATH-} ]]; then
		PATH=$COMP_PATH _rtpp
	else
		_rtpp
	fi
	reply=$(printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort)
}

# assert_reply WORD...: the matches are exactly these words.
assert_reply() {
	local want
	want=$(printf '%s\n' "$@" | LC_ALL=C sort)
	[[ $# -gt 0 ]] || want=""
	assert_equal "$reply" "$want"
}

# The long options in a tool's --help, each once; with "=" for those
# that take an argument when $2 is "args".
help_opts() {
	if [[ ${2-} == args ]]; then
		"$1" --help | grep -oE -- '--[a-z][a-z0-9-]*=' | LC_ALL=C sort -u
	else
		"$1" --help | grep -oE -- '--[a-z][a-z0-9-]*' | LC_ALL=C sort -u
	fi
}

# --- drift: everything the tools offer is completed ----------------------

@test "every long option of every tool's --help is completed, and nothing else" {
	local t
	for t in $TOOLS; do
		comp "$t --"
		assert_equal "$(sed 's/=$//' <<<"$reply" | LC_ALL=C sort -u)" "$(help_opts "$t")"
		# options that take an argument are completed with their '='
		assert_equal "$(grep '=$' <<<"$reply")" "$(help_opts "$t" args)"
	done
}

@test "every option argument in any --help has a completion rule" {
	local t o
	for t in $TOOLS; do
		for o in $(help_opts "$t" args); do
			o=${o%=}
			[[ $(_rtpp_optarg_kind "$o") != unknown ]] ||
				fail "$t $o: no rule in _rtpp_optarg_kind (completion/rtpp)"
		done
	done
}

@test "rtpp-ctl: the subcommands are those of its usage line" {
	local want
	want=$(rtpp-ctl --help | sed -n 's/^Usage: rtpp-ctl \[OPTION\.\.\.\] //p' |
		sed 's/ | /\n/g' | awk '{ print $1 }' | LC_ALL=C sort)
	[[ -n $want ]]
	comp "rtpp-ctl "
	assert_equal "$reply" "$want"
	comp "rtpp-ctl --json "
	assert_equal "$reply" "$want"
}

@test "offer, answer, manage: the flag letters completed are exactly those accepted" {
	local t c offered err
	for t in rtpp-offer rtpp-answer rtpp-manage; do
		comp "$t "
		offered=$(tr -d '\n' <<<"$reply")
		for c in {a..z} {0..9}; do
			err=$("$t" --dry-run --call-id c --from-tag f "${c/z/z20}" \
				</dev/null 2>&1 >/dev/null) || true
			if [[ $offered == *"$c"* ]]; then
				[[ $err != *"unknown flag"* ]] || fail "$t: '$c' offered, refused: $err"
			else
				[[ $err == *"unknown flag"* ]] || fail "$t: '$c' accepted, not offered"
			fi
		done
	done
}

@test "destroy: the letters that change D are completed, and accepted" {
	local c err
	comp "rtpp-destroy "
	assert_reply 1 2 3 b t
	for c in 1 2 3 b t; do
		err=$(rtpp-destroy --dry-run --call-id c --from-tag f "$c" </dev/null 2>&1 >/dev/null) || true
		[[ $err != *"unknown flag"* ]] || fail "rtpp-destroy $c: $err"
	done
}

@test "the words completed for --input, --output and --ice are accepted" {
	local o v st
	for o in --input --output --ice; do
		comp "rtpp-offer $o "
		[[ -n $reply ]]
		for v in $reply; do
			st=0
			rtpp-offer --dry-run --call-id c --from-tag f "$o" "$v" \
				</dev/null >/dev/null 2>&1 || st=$?
			[[ $st -ne 2 ]] || fail "rtpp-offer $o $v: usage error"
		done
	done
}

# --- options ----------------------------------------------------------

@test "options: a prefix, an option with an argument gets its '='" {
	comp "rtpp-offer --fa"
	assert_reply --fake-reply=
	comp "rtpp-offer --dry"
	assert_reply --dry-run
	comp "rtpp-stat --j"
	assert_reply --json
	comp "rtpp-offer --b"
	assert_reply --b64=
}

@test "options: each tool has its own" {
	comp "rtpp-ctl --e"
	assert_reply --exec=
	# only the shared options the tool takes
	comp "rtpp-ctl --i"
	assert_reply --input=
	comp "rtpp-stat --p"
	assert_reply
	comp "rtpp-manage --fail"
	assert_reply --failure-route
	comp "rtpp-offer --fail"
	assert_reply
	comp "rtpp-stream --st"
	assert_reply --state-dir= --stop
	comp "rtpp-offer --ex"
	assert_reply --explain --extra-id=
}

@test "option values: as --opt VALUE and as --opt=VALUE" {
	comp "rtpp-offer --input "
	assert_reply auto base64 sdp sip
	comp "rtpp-offer --input=s"
	assert_reply sdp sip
	comp "rtpp-answer --output=sdp"
	assert_reply sdp sdp-base64
	comp "rtpp-offer --ice h"
	assert_reply high
	comp "rtpp-ctl --timeout-socket u"
	assert_reply unix:
	# free text: nothing
	comp "rtpp-offer --call-id "
	assert_reply
	# an option's argument is not a positional argument
	comp "rtpp-offer --call-id x "
	assert_reply 1 2 3 a b c e f i l o r t w x z
}

@test "option values: files for --config, directories for --state-dir" {
	mkdir "$BATS_TEST_TMPDIR/dir"
	: >"$BATS_TEST_TMPDIR/file.conf"
	comp "rtpp-offer --config $BATS_TEST_TMPDIR/fi"
	assert_reply "$BATS_TEST_TMPDIR/file.conf"
	comp "rtpp-offer --config=$BATS_TEST_TMPDIR/fi"
	assert_reply "$BATS_TEST_TMPDIR/file.conf"
	comp "rtpp-offer --state-dir $BATS_TEST_TMPDIR/"
	assert_reply "$BATS_TEST_TMPDIR/dir"
	# quoted, and from ~
	comp "rtpp-offer --config \"$BATS_TEST_TMPDIR/fi"
	assert_reply "$BATS_TEST_TMPDIR/file.conf"
	HOME=$BATS_TEST_TMPDIR comp "rtpp-offer --config ~/fi"
	assert_reply "~/file.conf"
}

@test "after --, everything is an argument" {
	comp "rtpp-offer -- "
	assert_reply 1 2 3 a b c e f i l o r t w x z
	comp "rtpp-ctl -- p"
	assert_reply ping
}

@test "redirections and their files are not arguments" {
	: >"$BATS_TEST_TMPDIR/in.sip"
	comp "rtpp-offer <$BATS_TEST_TMPDIR/in."
	assert_reply "$BATS_TEST_TMPDIR/in.sip"
	comp "rtpp-offer < $BATS_TEST_TMPDIR/in.sip "
	assert_reply 1 2 3 a b c e f i l o r t w x z
}

# --- flags ------------------------------------------------------------

@test "flags: one more letter, each once; 1, 2, 3 exclude one another" {
	comp "rtpp-offer "
	assert_reply 1 2 3 a b c e f i l o r t w x z
	comp "rtpp-offer ar"
	assert_reply ar ar1 ar2 ar3 arb arc are arf ari arl aro art arw arx arz
	comp "rtpp-answer 2f"
	assert_reply 2f 2fa 2fb 2fc 2fe 2fi 2fl 2fo 2fr 2ft 2fw 2fx 2fz
	comp "rtpp-manage fa"
	assert_reply fa fa1 fa2 fa3 fab fac fae fai fal fao far fat faw fax faz
}

@test "flags: z takes a ptime; no digit right after one" {
	comp "rtpp-offer az"
	assert_reply az10 az20 az30 az40 az60
	comp "rtpp-offer az20"
	assert_reply az20 az20b az20c az20e az20f az20i az20l az20o az20r az20t az20w az20x
}

@test "flags: upper case letters count; nothing for an invalid string" {
	comp "rtpp-offer A"
	assert_reply A A1 A2 A3 Ab Ac Ae Af Ai Al Ao Ar At Aw Ax Az
	comp "rtpp-offer aq"
	assert_reply
	comp "rtpp-destroy a"
	assert_reply
}

@test "flags: only the first argument; nothing for the IP" {
	comp "rtpp-offer ar "
	assert_reply
	comp "rtpp-stat "
	assert_reply
}

# --- rtpp-stream ------------------------------------------------------

@test "rtpp-stream: uac or uas, a prompt file, a count; --stop: the side only" {
	: >"$BATS_TEST_TMPDIR/prompt.wav"
	comp "rtpp-stream "
	assert_reply uac uas
	comp "rtpp-stream --call-id c u"
	assert_reply uac uas
	comp "rtpp-stream uas $BATS_TEST_TMPDIR/pro"
	assert_reply "$BATS_TEST_TMPDIR/prompt.wav"
	comp "rtpp-stream uas p.wav "
	assert_reply -1 loop
	comp "rtpp-stream --stop "
	assert_reply uac uas
	comp "rtpp-stream --stop uac "
	assert_reply
}

# --- node URLs from the configuration ---------------------------------

@test "rtpp-ctl enable, drain and ping: the nodes of the default configuration" {
	comp "rtpp-ctl ping "
	assert_reply udp:127.0.0.1:22222
	comp "rtpp-ctl enable "
	assert_reply udp:127.0.0.1:22222
	comp "rtpp-ctl enable udp:127.0.0.1:22222 "
	assert_reply 0 1
	comp "rtpp-ctl enable udp:127.0.0.1:22222 1 "
	assert_reply
	comp "rtpp-ctl drain "
	assert_reply udp:127.0.0.1:22222
	comp "rtpp-ctl drain udp:127.0.0.1:22222 "
	assert_reply
}

@test "node URLs: from --sock on the line, before or after the cursor, each once" {
	comp "rtpp-ctl --sock 'udp:192.0.2.1 udp6:[2001:db8::1]:5=2' --sock '1 == udp:192.0.2.1' ping "
	assert_reply udp:192.0.2.1 'udp6:[2001:db8::1]:5'
	COMP_WORDS=(rtpp-ctl enable "" --sock "unix:/run/x.sock")
	COMP_CWORD=2
	COMP_LINE="rtpp-ctl enable  --sock unix:/run/x.sock"
	COMP_POINT=16
	COMPREPLY=()
	_rtpp
	assert_equal "${COMPREPLY[*]}" "unix:/run/x.sock"
}

@test "node URLs: ping leaves out those already given" {
	comp "rtpp-ctl --sock='udp:192.0.2.1 udp:192.0.2.2 udp:192.0.2.3' ping udp:192.0.2.2 "
	assert_reply udp:192.0.2.1 udp:192.0.2.3
}

@test "node URLs: from --config FILE, --config=FILE and RTPP_CONFIG" {
	local cfg="$BATS_TEST_TMPDIR/r.conf"
	printf '%s\n' 'rtpproxy_sock = udp:198.51.100.7:22222 unix:/run/rtpproxy.sock=0' \
		'rtpproxy_sock = 3 == udp:198.51.100.8' >"$cfg"
	comp "rtpp-ctl --config $cfg ping "
	assert_reply udp:198.51.100.7:22222 udp:198.51.100.8 unix:/run/rtpproxy.sock
	comp "rtpp-ctl --config=$cfg enable udp:198"
	# readline replaces what follows the last ':' only
	assert_reply 198.51.100.7:22222 198.51.100.8
	RTPP_CONFIG=$cfg comp "rtpp-ctl --node "
	assert_reply udp:198.51.100.7:22222 udp:198.51.100.8 unix:/run/rtpproxy.sock
	comp "rtpp-ctl --config '$cfg' --set "
	assert_reply 0 3
}

@test "node URLs: a configuration that does not load gives nothing, quietly" {
	comp "rtpp-ctl --config /nonexistent/rtpp.conf ping "
	assert_reply
	comp "rtpp-ctl --sock 'udp:x:99999999' ping "
	assert_reply
}

@test "--sock: the schemes and the configured nodes (without the line's --sock)" {
	comp "rtpp-offer --sock udp:192.0.2.9 --sock "
	assert_reply ng: udp: udp6: udp:127.0.0.1:22222 unix:
	comp "rtpp-offer --sock=udp:1"
	assert_reply 127.0.0.1:22222
}

@test "words split at ':' are completed after the last ':'" {
	comp "rtpp-ctl ping udp:"
	assert_reply 127.0.0.1:22222
	comp "rtpp-ctl ping udp:127.0.0.1:"
	assert_reply 22222
	comp "rtpp-offer --input="
	assert_reply auto base64 sdp sip
}

# --- how it runs --------------------------------------------------------

@test "the tool is run from the path typed; rtpp-ctl is taken next to it" {
	skip_under_valgrind "the wrappers need valgrind on PATH"
	local dir
	dir=$(dirname "$(command -v rtpp-ctl)")
	COMP_PATH=/nonexistent comp "$dir/rtpp-ctl --no"
	assert_reply --node=
	COMP_PATH=/nonexistent comp "$dir/rtpp-offer --set "
	assert_reply 0
}

@test "needs nothing but bash: no other command than the tools" {
	skip_under_valgrind "the wrappers need valgrind on PATH"
	local dir
	dir=$(dirname "$(command -v rtpp-ctl)")
	COMP_PATH=$dir comp "rtpp-ctl --sock 'udp:192.0.2.1 udp:192.0.2.2' ping udp:192.0.2.1 "
	assert_reply udp:192.0.2.2
	COMP_PATH=$dir comp "rtpp-offer ar"
	assert_reply ar ar1 ar2 ar3 arb arc are arf ari arl aro art arw arx arz
}

@test "nothing typed on the line is run or expanded" {
	local mark="$BATS_TEST_TMPDIR/ran"
	comp "rtpp-ctl --config \"\$(touch $mark)\" --sock '\`touch $mark\`' ping "
	[[ ! -e $mark ]]
	comp "rtpp-ctl --set \$(touch$mark) ping "
	[[ ! -e $mark ]]
}

@test "registered for the seven tools" {
	local t
	for t in $TOOLS; do
		run -0 --separate-stderr complete -p "$t"
		assert_output "complete -F _rtpp $t"
	done
}
