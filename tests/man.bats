#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
#
# man.bats: the manual pages agree with the tools.
#
#  - "TOOL --help" lists its own options under "Options:" and the
#    shared tables it includes under their headings; the own options are
#    exactly those of man/TOOL.1's OPTIONS list, the options under each
#    other heading exactly those that rtpp(7) lists under the same
#    heading in COMMON OPTIONS, and every ".Fl -option" of the page is
#    one the tool takes (rtpp.conf.5 is checked against rtpp-offer);
#  - every exit status 0 to 4 is listed under EXIT STATUS;
#  - "mandoc -T lint" finds nothing at WARNING level or above, and groff
#    renders the pages without a warning;
#  - the runnable examples do what the pages show.
#
# Runnable examples are marked in the page source.  A display (.Bd ...
# .Ed) after the comment line
#	.\" example-file: NAME
# is written to the file NAME.  A display after
#	.\" example-run
# holds commands, each on a line that starts with "$ " (continued on the
# next lines while a line ends in a backslash), each followed by the
# exact standard output it prints.  The commands of one page run in
# order, with bash, in one directory that holds the page's files.
# Standard error is not compared.
#
# Tools come from PATH (the harness puts the build's tools/ first); the
# pages from $RTPP_MANDIR, else man/ beside this directory.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

TOOLS=(rtpp-offer rtpp-answer rtpp-destroy rtpp-manage rtpp-stream rtpp-stat
    rtpp-ctl)
PAGES=(rtpp-offer.1 rtpp-answer.1 rtpp-destroy.1 rtpp-manage.1 rtpp-stream.1
    rtpp-stat.1 rtpp-ctl.1 rtpp.conf.5 rtpp.7)

setup_file() {
	export MANDIR=${RTPP_MANDIR:-$BATS_TEST_DIRNAME/../man}
	export LC_ALL=C
}

setup() {
	local v

	# The examples assume no configuration file and no settings from
	# the caller's environment.
	for v in $(compgen -e); do
		case $v in
		RTPP_* | SIP_*) unset "$v" ;;
		esac
	done
	export RTPP_CONFIG=
	export RTPP_STATE_DIR=$BATS_TEST_TMPDIR/state
}

# The long options that TOOL --help lists, one a line, sorted.
help_options() {
	"$1" --help | sed -n -E 's/^ +(-., )?--([a-z0-9][a-z0-9-]*).*/\2/p' |
	    sort -u
}

# TOOL --help as "HEADING<tab>OPTION" lines, sorted: each long option
# with the heading it is listed under ("Options" for the tool's own).
help_groups() {
	"$1" --help | awk '
	    /^[^ ].*:$/ { head = substr($0, 1, length($0) - 1); next }
	    match($0, /^ +(-., )?--[a-z0-9][a-z0-9-]*/) {
		o = substr($0, RSTART, RLENGTH)
		sub(/.*--/, "", o)
		print head "\t" o
	    }' | sort -u
}

# The long options of the .It lines of a piece of page source on stdin.
item_options() {
	grep '^\.It' | grep -o -E 'Fl -[a-z0-9][a-z0-9-]*' | sed 's/Fl -//' |
	    sort -u
}

# The options rtpp(7) lists under heading $1 of COMMON OPTIONS.
common_options() {
	awk -v name="$1" '
	    /^\.Sh / { sec = substr($0, 5); on = 0; next }
	    /^\.Ss / { on = (sec == "COMMON OPTIONS" && substr($0, 5) == name)
		next }
	    on' "$MANDIR/rtpp.7" | item_options
}

# The long options that a page marks up with .Fl, one a line, sorted.
page_options() {
	grep -o -E '(^\.|[ ])Fl -[a-z0-9][a-z0-9-]*' "$1" |
	    sed -E 's/.*Fl -//' | sort -u
}

# The lines of section NAME of a page (from .Sh NAME to the next .Sh).
page_section() {
	awk -v name="$2" '
	    /^\.Sh / { on = (substr($0, 5) == name); next }
	    on' "$1"
}

# Extract the marked examples of page $1 into directory $2: the files
# by name, and each command as cmd.N with its expected output in out.N.
# Prints the number of commands.
extract_examples() {
	awk -v dir="$2" '
	function unesc(s) {
		gsub(/\\&/, "", s)
		gsub(/\\-/, "-", s)
		gsub(/\\e/, "\\", s)
		return s
	}
	/^\.\\" example-file: / { mode = "file"; name = $3; next }
	/^\.\\" example-run/ { mode = "run"; next }
	mode != "" && !inblk && /^\.Bd/ {
		inblk = 1
		if (mode == "file")
			printf "" > (dir "/" name)
		cont = 0
		next
	}
	inblk && /^\.Ed/ { inblk = 0; mode = ""; next }
	inblk && mode == "file" { print unesc($0) > (dir "/" name); next }
	inblk && mode == "run" {
		line = unesc($0)
		if (cont || line ~ /^\$ /) {
			if (!cont) {
				n++
				sub(/^\$ /, "", line)
				printf "" > (dir "/out." n)
			}
			print line > (dir "/cmd." n)
			cont = (line ~ /[\\|]$/)
		} else
			print line > (dir "/out." n)
	}
	END { print n + 0 }
	' "$1"
}

# Run the examples of one page; fail on the first that differs.
check_examples() {
	local page=$MANDIR/$1 dir=$BATS_TEST_TMPDIR/ex n k

	mkdir -p "$dir"
	n=$(extract_examples "$page" "$dir")
	(( n > 0 )) || fail "$1: no runnable example found"
	# not "i": bats' run clobbers it
	cd "$dir" || return 1
	for (( k = 1; k <= n; k++ )); do
		run --separate-stderr bash -c "$(<"cmd.$k")"
		if [[ $output != "$(<"$dir/out.$k")" ]]; then
			fail "$(printf '%s: example %d:\n%s\n' "$1" "$k" \
			    "$(<"$dir/cmd.$k")"
			    printf -- '-- expected --\n%s\n' \
			    "$(<"$dir/out.$k")"
			    printf -- '-- got (status %d) --\n%s\n' \
			    "$status" "$output"
			    printf -- '-- stderr --\n%s' "$stderr")"
		fi
	done
}

@test "the pages exist" {
	local p

	for p in "${PAGES[@]}"; do
		assert [ -f "$MANDIR/$p" ]
	done
}

@test "each tool's own options are in its page, the shared ones in rtpp(7), once" {
	local t p g heads want got extra

	for t in "${TOOLS[@]}"; do
		p=$MANDIR/$t.1
		want=$(help_groups "$t" | awk -F '\t' '$1 == "Options" { print $2 }')
		got=$(page_section "$p" OPTIONS | item_options)
		[[ $want == "$got" ]] ||
		    fail "$t: own options of --help: [$want]; in the OPTIONS of $t.1: [$got]"
		heads=$(help_groups "$t" | cut -f 1 | sort -u | grep -v -x Options)
		[[ -n $heads ]] || fail "$t: no shared table in --help"
		while IFS= read -r g; do
			want=$(help_groups "$t" | awk -F '\t' -v g="$g" '$1 == g { print $2 }')
			got=$(common_options "$g")
			[[ -n $got ]] ||
			    fail "$t: rtpp.7 has no \"$g\" in COMMON OPTIONS"
			[[ $want == "$got" ]] ||
			    fail "$t: \"$g\" of --help: [$want]; of rtpp.7: [$got]"
		done <<<"$heads"
		extra=$(comm -13 <(help_options "$t") <(page_options "$p"))
		[[ -z $extra ]] ||
		    fail "$t: options of $t.1 that $t does not take: $extra"
	done
	extra=$(comm -13 <(help_options rtpp-offer) \
	    <(page_options "$MANDIR/rtpp.conf.5"))
	[[ -z $extra ]] || fail "rtpp.conf.5: unknown options: $extra"
}

@test "rtpp(7)'s COMMON OPTIONS documents no option that no tool takes" {
	local t extra

	page_section "$MANDIR/rtpp.7" "COMMON OPTIONS" >"$BATS_TEST_TMPDIR/common"
	extra=$(comm -13 <(for t in "${TOOLS[@]}"; do help_options "$t"; done |
	    sort -u) <(page_options "$BATS_TEST_TMPDIR/common"))
	[[ -z $extra ]] || fail "rtpp.7: unknown options: $extra"
}

@test "--help lists the options the test looks for" {
	run -0 --separate-stderr help_options rtpp-offer
	assert_line sock
	assert_line help
	assert_line usage
	assert_line version
}

@test "every exit status is listed" {
	local t s code

	for t in "${TOOLS[@]}"; do
		s=$(page_section "$MANDIR/$t.1" "EXIT STATUS")
		for code in 0 1 2 3 4; do
			grep -q -x "\.It $code" <<<"$s" ||
			    fail "$t.1: exit status $code not listed"
		done
	done
}

@test "every page has the sections the tools need" {
	local t sec

	for t in "${TOOLS[@]}"; do
		for sec in NAME SYNOPSIS DESCRIPTION FLAGS OPTIONS \
		    "INPUT AND OUTPUT" RELAYS ENVIRONMENT FILES "EXIT STATUS" \
		    EXAMPLES "DIFFERENCES FROM THE MODULE" "SEE ALSO" \
		    STANDARDS AUTHORS; do
			# the operator tool has no flags, message or relay story
			if [[ $t == rtpp-ctl ]]; then
				case $sec in FLAGS | "INPUT AND OUTPUT" | RELAYS | STANDARDS)
					continue ;;
				esac
			fi
			grep -q -x "\.Sh $sec" "$MANDIR/$t.1" ||
			    fail "$t.1: no section $sec"
		done
	done
}

@test "mandoc -T lint finds nothing" {
	local p

	command -v mandoc >/dev/null || skip "mandoc not installed"
	for p in "${PAGES[@]}"; do
		run mandoc -T lint -W warning "$MANDIR/$p"
		[[ $status -eq 0 && -z $output ]] ||
		    fail "$p: mandoc -T lint: $output"
	done
}

@test "groff renders the pages without a warning" {
	local p

	command -v groff >/dev/null || skip "groff not installed"
	for p in "${PAGES[@]}"; do
		run --separate-stderr groff -mandoc -ww -Tutf8 "$MANDIR/$p"
		[[ $status -eq 0 && -z $stderr && -n $output ]] ||
		    fail "$p: groff: $stderr"
	done
}

@test "rtpp-offer(1) examples" {
	check_examples rtpp-offer.1
}

@test "rtpp-answer(1) examples" {
	check_examples rtpp-answer.1
}

@test "rtpp-destroy(1) examples" {
	check_examples rtpp-destroy.1
}

@test "rtpp-stream(1) examples" {
	check_examples rtpp-stream.1
}

@test "rtpp-stat(1) examples" {
	check_examples rtpp-stat.1
}

@test "rtpp.conf(5) examples" {
	check_examples rtpp.conf.5
}
