#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
#
# The layout the README describes: the tools see libcore through its one
# public header, rtpp.h; every other libcore header is libcore's own.

top=$BATS_TEST_DIRNAME/..

@test "the tools include no libcore header but rtpp.h" {
	local f h bad=
	for f in "$top"/tools/*.[ch]; do
		for h in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
			[[ $h == rtpp.h || ! -e $top/libcore/$h ]] ||
			    bad+="${f##*/}: $h "
		done
	done
	[[ -z $bad ]] || { echo "private libcore headers: $bad"; false; }
}

@test "rtpp.h and the public headers it includes include no private one" {
	local public="rtpp.h errors.h text.h buf.h config.h job.h health.h relays.h"
	local f h bad=
	for f in $public; do
		for h in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' \
		    "$top/libcore/$f"); do
			[[ " $public " == *" $h "* ]] || bad+="$f: $h "
		done
	done
	[[ -z $bad ]] || { echo "private headers made public: $bad"; false; }
}
