#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# The installed defaults of the shared health state: the distributed
# tree is configured with --prefix in a temporary directory and a state
# group of the test's own, built and installed with "make install" as
# root (which makes the group and RUNSTATEDIR/rtpp); then a run as an
# unprivileged service user, in that group, and rtpp-ctl as root, both
# without any state option, share one view.  Needs root (useradd,
# groupadd); the build takes a minute, once for the file.

load helpers

G=rtpptestg
U=rtpptestu

setup_file() {
	[[ $(id -u) == 0 ]] || return 0
	command -v useradd >/dev/null && command -v setpriv >/dev/null || return 0
	[[ -z ${VG_RTPP_TOOLS-} ]] || return 0
	local builddir tree st=0
	userdel "$U" 2>/dev/null || true
	groupdel "$G" 2>/dev/null || true
	P=$(mktemp -d /tmp/rtpp-inst.XXXXXX)
	chmod 0755 "$P"
	export P
	builddir=${RTPP_BUILDDIR:-$(cd "$(dirname "$(command -v rtpp-offer)")/.." && pwd)}
	tree=$P/src
	(
		unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
		set -e
		make -C "$builddir" distdir distdir="$tree"
		chmod -R u+w "$tree"
		cd "$tree"
		./configure -q --prefix="$P/inst" --with-state-group="$G" \
		    --with-bash-completion-dir=no --with-systemdsystemunitdir=no
		make -s -j2
		make -s install
	) >"$P/build.log" 2>&1 || st=$?
	[[ $st == 0 ]] || touch "$P/failed"
}

teardown_file() {
	[[ -n ${P-} && $P == /tmp/rtpp-inst.* ]] || return 0
	userdel "$U" 2>/dev/null || true
	groupdel "$G" 2>/dev/null || true
	rm -rf -- "$P"
}

setup() {
	[[ $(id -u) == 0 ]] || skip "needs root: useradd, groupadd and make install as root"
	command -v useradd >/dev/null && command -v setpriv >/dev/null ||
	    skip "needs useradd and setpriv"
	skip_under_valgrind "the installed tools run as they are installed"
	if [[ -e $P/failed ]]; then
		tail -n 40 "$P/build.log" | batslib_decorate "build or install failed" | fail
	fi
	rtpp_setup
	# the installed defaults: no state option, the installed config file
	unset RTPP_STATE_DIR RTPP_CONFIG
	SD=$P/inst/var/run/rtpp
	BIN=$P/inst/bin
	fake_start a
	fake_start b
	A=$FAKE_URL_A
	B=$FAKE_URL_B
	export RTPP_SOCK="$A $B"
	id "$U" >/dev/null 2>&1 || useradd -M -N -g nogroup -G "$G" -s /usr/sbin/nologin "$U"
}

teardown() {
	rtpp_teardown
}

# Run a tool as the service user, with the environment of the test.
as_service() {
	setpriv --reuid="$U" --regid=nogroup --init-groups "$@"
}

# A Call-ID (PREFIX-N) that URL ranks first.
first_choice() {
	seq -f "$2-%g" 1 60 | xargs "$BIN/rtpp-ctl" which | awk -v u="$1" '
	    /^call / { cid = $2; sub(/,$/, "", cid); next }
	    /^  1\. / && $2 == u { print cid; exit }'
}

@test "make install: RUNSTATEDIR/rtpp made root's, set-group-ID and writable by the state group (made too); the tools default to it" {
	getent group "$G" >/dev/null
	assert_equal "$(stat -c '%U %G %a' "$SD")" "root $G 2775"
	run -0 --separate-stderr stdout_to_file "$BIN/rtpp-ctl" list
	assert_equal "$stderr" ""
	assert_equal "$(tail -n 1 "$out")" "state file: $SD/health (shared with its group)"
	run -0 --separate-stderr "$BIN/rtpp-ctl" --json list
	assert_equal "$(jq -r '.[0].state_file' <<<"$output")" "$SD/health"
}

@test "a run as the unprivileged service user and rtpp-ctl as root, both with the installed defaults, share one view" {
	cid=$(first_choice "$A" si)
	[[ -n $cid ]]
	# the service user's run learns A's capabilities and saves them
	run -0 --separate-stderr as_service "$BIN/rtpp-offer" --call-id "$cid" --from-tag f <"$FIX/hold.sdp"
	assert_equal "$stderr" ""
	assert_equal "$(stat -c '%G %a' "$SD/health")" "$G 640"
	run -0 --separate-stderr "$BIN/rtpp-ctl" --json list
	assert_equal "$(jq -r '.[0].caps' <<<"$output")" base
	# root disables A: the service user's next run of that call avoids it
	run -0 --separate-stderr "$BIN/rtpp-ctl" enable "$A" 0
	run -0 --separate-stderr as_service "$BIN/rtpp-offer" --call-id "$cid" --from-tag f <"$FIX/hold.sdp"
	assert_equal "$stderr" ""
	assert_equal "$(cmds a | grep -c "^U $cid ")" 1
	assert_equal "$(cmds b | grep -c "^U $cid ")" 1
	# a member of the group may give a verdict too; root sees it
	run -0 --separate-stderr as_service "$BIN/rtpp-ctl" drain "$B"
	run -0 --separate-stderr "$BIN/rtpp-ctl" --json list
	assert_equal "$(jq -c '[.[]|.state]' <<<"$output")" '["disabled","draining"]'
	run -0 --separate-stderr as_service "$BIN/rtpp-ctl" enable "$A" 1
	run -0 --separate-stderr "$BIN/rtpp-ctl" --json list
	assert_equal "$(jq -c '[.[]|.state]' <<<"$output")" '["enabled","draining"]'
}

@test "a user outside the state group cannot change the shared state: a warning, and the call still works" {
	run -1 --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups "$BIN/rtpp-ctl" enable "$A" 0
	assert_equal "$stderr" "rtpp-ctl: health state: $SD/health: Permission denied; not used
rtpp-ctl: $A: not changed: the state in $SD cannot be used"
	run -0 --separate-stderr "$BIN/rtpp-ctl" --json list
	assert_equal "$(jq -r '.[0].state' <<<"$output")" enabled
	run -0 --separate-stderr stdout_to_file setpriv --reuid=nobody --regid=nogroup --clear-groups "$BIN/rtpp-offer" --call-id out-1 --from-tag f <"$FIX/hold.sdp"
	grep -q '^m=audio ' "$out"
}
