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

@test "rtpp.h leaves the message, SDP and rewriting units out" {
	local h
	for h in sip.h sdp.h message.h manage.h reply.h rewrite.h encode.h \
	    select.h offers.h base64.h bencode.h ng.h; do
		! grep -q "^#include \"$h\"" "$top/libcore/rtpp.h"
	done
}
