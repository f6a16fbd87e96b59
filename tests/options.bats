#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
#
# options.bats: each tool accepts only the options it uses.
#
# The options come from the tools' own --help: an option that another
# tool lists and this one does not is a usage error (exit 2, nothing on
# standard output, one line on standard error naming it, as for any
# unknown option); every option a tool lists is accepted in a run that
# sends nothing (--dry-run).

load helpers

TOOLS=(rtpp-offer rtpp-answer rtpp-destroy rtpp-manage rtpp-stream rtpp-stat
    rtpp-ctl)

setup() {
	rtpp_setup
}

# The long options that TOOL --help lists, one a line, sorted.
help_options() {
	"$1" --help | sed -n -E 's/^ +(-., )?--([a-z0-9][a-z0-9-]*).*/\2/p' |
	    sort -u
}

# The long options of every tool's --help, one a line, sorted.
all_options() {
	local t

	for t in "${TOOLS[@]}"; do
		help_options "$t"
	done | sort -u
}

# Does option $2 of tool $1 take a value (--opt=VALUE in --help)?
takes_value() {
	"$1" --help | grep -q -E -- "^ +(-., )?--$2="
}

# The message tool $1 reads in a run that succeeds.
input_of() {
	case $1 in
	rtpp-manage) echo "$FIX/invite.sip" ;;
	*) echo "$FIX/three.sdp" ;;
	esac
}

# A value that option $2 of tool $1 accepts.
value_of() {
	case $2 in
	sock) echo udp:127.0.0.1:22222 ;;
	set) echo 0 ;;
	config | state-dir) echo "" ;;
	tout | retr | wait | max | for) echo 1 ;;
	disable-tout) echo 60 ;;
	deadline) echo 30 ;;
	force-socket) echo 127.0.0.1 ;;
	input) echo auto ;;
	output) echo same ;;
	b64) base64 -w0 "$(input_of "$1")" ;;
	fake-reply) echo 40000 ;;
	source-ip | local-ip) echo 192.0.2.1 ;;
	ice) echo off ;;
	nortpproxy-str) echo a=nortpproxy:yes ;;
	timeout-socket) echo "unix:$BATS_TEST_TMPDIR/timeout.sock" ;;
	extra-id | call-id) echo c1 ;;
	from-tag) echo f1 ;;
	to-tag) echo t1 ;;
	counters) echo ttl ;;
	node) echo udp:127.0.0.1:22222 ;;
	exec) echo /bin/true ;;
	max-hooks) echo 16 ;;
	*) return 1 ;;
	esac
}

# The arguments after the options that make a run of tool $1 that
# sends nothing succeed ($2: the option tried, which may change them).
args_of() {
	case $1 in
	rtpp-stream)
		if [[ $2 == stop ]]; then
			echo uac
		else
			printf '%s\n' uac /prompt.wav
		fi ;;
	rtpp-ctl) echo record ;;
	esac
}

@test "every option a tool does not take is a usage error naming it" {
	local t o n=0
	local -a all own

	mapfile -t all < <(all_options)
	for t in "${TOOLS[@]}"; do
		mapfile -t own < <(help_options "$t")
		for o in "${all[@]}"; do
			[[ " ${own[*]} " == *" $o "* ]] && continue
			run --separate-stderr "$t" "--$o" </dev/null
			[[ $status -eq 2 ]] ||
			    fail "$t --$o: exit $status, not 2 (stderr: $stderr)"
			assert_output ""
			assert_equal "$stderr" "$t: --$o: unknown option (try --help)"
			n=$((n + 1))
		done
	done
	# every tool but offer and manage leaves some out
	((n > 20)) || fail "only $n options refused in all"
}

@test "the same with a value given after an equals sign" {
	run -2 --separate-stderr rtpp-stream --ice=high uac /p.wav </dev/null
	assert_output ""
	assert_equal "$stderr" "rtpp-stream: --ice=high: unknown option (try --help)"
}

@test "every option a tool lists is accepted" {
	local t o v
	local -a opt

	for t in "${TOOLS[@]}"; do
		for o in $(help_options "$t"); do
			case $o in
			help | usage | version)
				run --separate-stderr "$t" "--$o" </dev/null
				[[ $status -eq 0 && -n $output ]] ||
				    fail "$t --$o: exit $status: $stderr"
				continue ;;
			esac
			if takes_value "$t" "$o"; then
				v=$(value_of "$t" "$o") ||
				    fail "$t --$o: no value known for it (value_of)"
				opt=("--$o=$v")
			else
				opt=("--$o")
			fi
			run --separate-stderr "$t" "${opt[@]}" --dry-run \
			    --call-id c --from-tag f --to-tag t $(args_of "$t" "$o") \
			    <"$(input_of "$t")"
			[[ $status -eq 0 ]] ||
			    fail "$t ${opt[*]}: exit $status: $stderr"
		done
	done
}

@test "rtpp-ctl --ice high list is a usage error" {
	run -2 --separate-stderr rtpp-ctl --ice high list
	assert_output ""
	assert_equal "$stderr" "rtpp-ctl: --ice: unknown option (try --help)"
}

@test "rtpp-stat --passthrough is a usage error" {
	run -2 --separate-stderr rtpp-stat --passthrough </dev/null
	assert_output ""
	assert_equal "$stderr" "rtpp-stat: --passthrough: unknown option (try --help)"
}

@test "what each tool takes: the tools that write no SDP take no SDP option" {
	local t o

	for t in rtpp-destroy rtpp-stream rtpp-stat rtpp-ctl; do
		for o in source-ip local-ip ice nortpproxy-str; do
			help_options "$t" | grep -q -x -- "$o" &&
			    fail "$t lists --$o"
		done
	done
	for t in rtpp-stat rtpp-ctl; do
		for o in output passthrough explain extra-id; do
			help_options "$t" | grep -q -x -- "$o" &&
			    fail "$t lists --$o"
		done
	done
	return 0
}
