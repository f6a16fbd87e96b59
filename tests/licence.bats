#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
#
# The licence: BSD 2-Clause, stated in COPYING, by an SPDX line near the
# top of every source file, and in the Debian package's copyright file.

load helpers

top=$BATS_TEST_DIRNAME/..

# Every source file of the tree (the distributed ones: this also runs
# from the release tarball).
source_files() {
	local f
	for f in "$top"/libcore/*.[ch] "$top"/tools/*.[ch] \
	    "$top"/tests/*.bats "$top"/tests/*.c "$top"/tests/*.py \
	    "$top"/tests/lib/*.bash "$top"/tests/unit/*.[ch] \
	    "$top"/tests/diff/*.py "$top"/tests/diff/*.in "$top"/tests/sipp/*.xml \
	    "$top"/tests/gen-malformed "$top"/tests/valgrind/bin/* \
	    "$top"/fuzz/*.[ch] "$top"/fuzz/make-seeds "$top"/bench/*.c \
	    "$top"/scripts/* "$top"/man/*.[157] "$top"/completion/rtpp \
	    "$top"/configure.ac "$top"/Makefile.am "$top"/debian/rules \
	    "$top"/examples/kamailio.cfg "$top"/examples/rtpp.conf; do
		[[ -f $f ]] && printf '%s\n' "$f"
	done
}

@test "COPYING holds the BSD 2-Clause licence" {
	run -0 --separate-stderr grep -c -e '^BSD 2-Clause License$' \
	    -e 'Redistributions in binary form must reproduce' \
	    -e 'THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS' "$top/COPYING"
	assert_output 3
}

@test "every source file names its licence in an SPDX line within its first three lines" {
	local f missing=() n=0
	while read -r f; do
		n=$((n + 1))
		head -n 3 "$f" | grep -q 'SPDX-License-Identifier: BSD-2-Clause' ||
		    missing+=("${f#"$top"/}")
	done < <(source_files)
	(( n > 100 )) || fail "only $n source files found under $top"
	(( ${#missing[@]} == 0 )) ||
	    printf '%s\n' "${missing[@]}" | batslib_decorate "no SPDX line" | fail
}

@test "the Debian package: BSD-2-Clause in debian/copyright, maintained by the rtpp developers" {
	run -0 --separate-stderr with_stderr grep -E '^License: ' "$top/debian/copyright"
	refute_line --regexp 'License: (UNDECIDED|.*[^A-Za-z0-9.-].*)$'
	assert_line 'License: BSD-2-Clause'
	run -0 --separate-stderr with_stderr grep -E '^(Maintainer|Uploaders):' "$top/debian/control"
	assert_line --regexp '^Maintainer: rtpp developers <[^@ ]+@[^> ]+>$'
	refute_output --partial example.org
}
