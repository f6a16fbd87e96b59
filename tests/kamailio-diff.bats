#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# The differential test: Kamailio's own rtpproxy module (Debian kamailio
# 5.6.3) and the rtpp tools, given the same SIP messages and pointed at the
# same fake relay, must send the same control commands (cookies aside),
# give the same result and produce the same SDP, except for the deliberate
# differences listed in tests/diff/kamdiff.py (DELIBERATE, each with its
# reason and the one transformation that undoes it).
#
# tests/diff/kamdiff.py is the harness (it plays UAC and UAS on loopback
# and starts Kamailio and two fake relays per group), tests/diff/cases.py
# the case list, tests/diff/kamailio.cfg.in the Kamailio configuration.
# One @test per group of cases, each with its own Kamailio; a failure
# prints, per case, the commands and the SDP of both sides.
#
# Needs /usr/sbin/kamailio with its rtpproxy, tm, sl, textops, pv and
# xlog modules (Debian package kamailio) and python3.

load helpers

DIFF="$BATS_TEST_DIRNAME/diff/kamdiff.py"

setup() {
	rtpp_setup
	if ! command -v rtpp-offer >/dev/null; then
		PATH="$BATS_TEST_DIRNAME/../tools:$PATH"
	fi
	: "${FAKE_RELAY:=$BATS_TEST_DIRNAME/fake-relay}"
	export FAKE_RELAY
}

teardown() {
	rtpp_teardown
}

# kamdiff GROUP: run one group of cases; fail with the harness' report.
kamdiff() {
	# a group takes seconds; under valgrind every tool run costs one
	local limit=60
	[[ -z ${VG_RTPP_TOOLS-} ]] || limit=900
	# the status is checked below, to fail with the harness' own report
	run --separate-stderr timeout "$limit" python3 "$DIFF" --group "$1" \
	    --workdir "$BATS_TEST_TMPDIR/kamdiff"
	if (( status != 0 )); then
		{
			printf '%s\n' "$output"
			[[ -z $stderr ]] || printf 'stderr:\n%s\n' "$stderr"
		} | batslib_decorate "kamdiff group $1: exit $status" | fail
	fi
}

@test "kamdiff: every deliberate difference of the README is handled" {
	run -0 --separate-stderr python3 "$DIFF" --check-readme "$BATS_TEST_DIRNAME/../README"
}

@test "kamdiff: the harness finds the differences it must (self-checks)" {
	run -0 --separate-stderr timeout 60 python3 "$DIFF" --group offer \
	    --case self-marker --case self-source --case self-o \
	    --case self-local --workdir "$BATS_TEST_TMPDIR/kamdiff"
	assert_equal "$(grep -c '^ok .*self-check: difference found' <<<"$output")" 4
}

@test "kamdiff offer: rtpproxy_offer on INVITEs, flags, ip, marker" {
	kamdiff offer
}

@test "kamdiff reply: answers and late offers in replies and ACKs" {
	kamdiff reply
}

@test "kamdiff branch: flags 1 2 3 and b" {
	kamdiff branch
}

@test "kamdiff caps: codec lists, z, IPv6 modifiers (VF 20071116/20081102)" {
	kamdiff caps
}

@test "kamdiff sdp: hold, IPv6, stream c=, three streams, port 0, replies" {
	kamdiff sdp
}

@test "kamdiff manage: rtpproxy_manage on INVITE/1xx/2xx/ACK/BYE/CANCEL/UPDATE" {
	kamdiff manage
}

@test "kamdiff destroy: rtpproxy_destroy and its flags" {
	kamdiff destroy
}

@test "kamdiff ice: ICE relay candidates, ice_candidate_priority_avp" {
	kamdiff ice
}

@test "kamdiff timeout: timeout_socket" {
	kamdiff timeout
}

@test "kamdiff down: a relay that never answers" {
	kamdiff down
}

@test "kamdiff rules: SIP-I bodies, multicast c=, port counts, spaces, trailing blanks, codec lists, no Content-Type" {
	kamdiff rules
}

@test "kamdiff marker: nortpproxy_str with \\r\\n, as the module documents it" {
	kamdiff marker
}
