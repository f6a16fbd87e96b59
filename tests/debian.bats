#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# debian/: the .deb that "dpkg-buildpackage -us -uc -b" builds from the
# distributed tree ("make distdir" of the build tree, so debian/ and
# everything it installs must be in the tarball), unpacked with dpkg -x
# and checked: the files, a tool from it that runs, the completion and
# the unit it ships, lintian.  Also examples/rtpp.conf, which it
# installs as /etc/rtpp.conf.  The build and lintian take a minute or
# two; they run once for the file, on first use.  Needs debhelper and
# lintian (scripts/deps).

load helpers

TOOLS="rtpp-offer rtpp-answer rtpp-destroy rtpp-manage rtpp-stream rtpp-stat rtpp-ctl"

teardown() {
	rtpp_teardown
}

setup() {
	rtpp_setup
	SRC=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	CONF="$SRC/examples/rtpp.conf"
}

# The version of the tools under test ("rtpp-offer (rtpp) 0.1.0").
tool_version() {
	rtpp-offer --version | sed -n 's/^rtpp-offer (rtpp) //p'
}

# Build the package once for this file; sets PKG (the directory), DEB,
# CHANGES and ROOT (the .deb unpacked).  The build tree is the one of
# the tools under test (make check puts its tools/ first in PATH).
build_package() {
	skip_under_valgrind "the package's tools run as they are installed"
	PKG="$BATS_FILE_TMPDIR/pkg"
	ROOT="$PKG/root"
	if [[ -e $PKG/failed ]]; then
		fail "the package did not build (see the test that built it)"
	fi
	if [[ ! -e $PKG/done ]]; then
		local builddir version tree log st=0
		builddir=${RTPP_BUILDDIR:-$(cd "$(dirname "$(command -v rtpp-offer)")/.." && pwd)}
		version=$(tool_version)
		tree="$PKG/rtpp-$version"
		log="$PKG/build.log"
		mkdir -p "$PKG"
		# a make of our own, not a part of the "make check" running us
		(
			unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
			set -e
			make -C "$builddir" distdir distdir="$tree"
			# distcheck's tree is read-only, and so is a copy of it
			chmod -R u+w "$tree"
			cd "$tree"
			DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b
		) >"$log" 2>&1 || st=$?
		if [[ $st -ne 0 ]]; then
			touch "$PKG/failed"
			tail -n 60 "$log" | batslib_decorate "package build failed ($log)" | fail
		fi
		dpkg -x "$PKG"/rtpp_"$version"-*_*.deb "$ROOT"
		touch "$PKG/done"
	fi
	DEB=$(echo "$PKG"/rtpp_*.deb)
	CHANGES=$(echo "$PKG"/rtpp_*.changes)
}

# --- examples/rtpp.conf (installed as /etc/rtpp.conf) -----------------

@test "examples/rtpp.conf: only comments and blank lines, and it loads" {
	run ! --separate-stderr with_stderr grep -vnE '^(#.*)?$' "$CONF"
	assert_output ""
	run -0 --separate-stderr rtpp-ctl --config "$CONF" list
	assert_line --index 1 --regexp '^0 +udp:127\.0\.0\.1:22222 '
}

# The example with every setting uncommented.
uncommented() {
	sed 's/^#\([a-z_]* =\)/\1/' "$CONF" >"$BATS_TEST_TMPDIR/all.conf"
	printf '%s\n' "$BATS_TEST_TMPDIR/all.conf"
}

@test "examples/rtpp.conf: uncommented, it loads and changes nothing" {
	local all want got
	all=$(uncommented)
	# each setting once (an unknown one would not load)
	assert_equal "$(sed -n 's/^\([a-z_]*\) =.*/\1/p' "$all" | sort | uniq -d)" ""
	want=$(rtpp-ctl --config '' --json list)
	got=$(rtpp-ctl --config "$all" --json list)
	assert_equal "$got" "$want"
	# the settings that show in the commands (nortpproxy_str, ICE,
	# timeout_socket, extra_id with flag b) and in the SDP
	want=$(rtpp-offer --config '' --dry-run b <"$SRC/examples/invite.sip")
	got=$(rtpp-offer --config "$all" --dry-run b <"$SRC/examples/invite.sip")
	assert_equal "$got" "$want"
	want=$(rtpp-offer --config '' --fake-reply '40000 192.0.2.1' <"$SRC/examples/invite.sip")
	got=$(rtpp-offer --config "$all" --fake-reply '40000 192.0.2.1' <"$SRC/examples/invite.sip")
	assert_equal "$got" "$want"
}

@test "examples/rtpp.conf: uncommented, the same timeouts, tries and disable time" {
	local all pa pb
	all=$(uncommented)
	# two relays that never answer: each run waits rtpproxy_tout,
	# rtpproxy_retr times, then disables its node for
	# rtpproxy_disable_tout seconds (5 s, run side by side)
	fake_start a '* -> silent'
	fake_start b '* -> silent'
	rtpp-offer --config "$all" --state-dir "$BATS_TEST_TMPDIR/sa" --sock "$FAKE_URL_A" \
		--call-id c --from-tag f <"$FIX/hold.sdp" >/dev/null 2>"$BATS_TEST_TMPDIR/ea" &
	pa=$!
	rtpp-offer --config '' --state-dir "$BATS_TEST_TMPDIR/sb" --sock "$FAKE_URL_B" \
		--call-id c --from-tag f <"$FIX/hold.sdp" >/dev/null 2>"$BATS_TEST_TMPDIR/eb" &
	pb=$!
	wait "$pa" "$pb" || true
	# "no reply after N tries in M ms": the same N, the same M in seconds
	local re='no reply after ([0-9]+) tries in ([0-9]+) ms' na ma
	[[ $(cat "$BATS_TEST_TMPDIR/ea") =~ $re ]] || fail "$(cat "$BATS_TEST_TMPDIR/ea")"
	na=${BASH_REMATCH[1]} ma=${BASH_REMATCH[2]}
	[[ $(cat "$BATS_TEST_TMPDIR/eb") =~ $re ]] || fail "$(cat "$BATS_TEST_TMPDIR/eb")"
	assert_equal "$na" "${BASH_REMATCH[1]}"
	assert_equal "$(((ma + 500) / 1000))" "$(((BASH_REMATCH[2] + 500) / 1000))"
	assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/a.log")" "$(wc -l <"$BATS_TEST_TMPDIR/b.log")"
	local ra rb
	ra=$(rtpp-ctl --state-dir "$BATS_TEST_TMPDIR/sa" --sock "$FAKE_URL_A" --json list |
		jq .[0].recheck)
	rb=$(rtpp-ctl --state-dir "$BATS_TEST_TMPDIR/sb" --sock "$FAKE_URL_B" --json list |
		jq .[0].recheck)
	[[ $ra -gt 0 && $((ra - rb)) -ge -1 && $((ra - rb)) -le 1 ]] ||
		fail "recheck $ra (example) and $rb (defaults) differ"
}

@test "examples/rtpp.conf: names every setting of rtpp.conf(5)" {
	local key keys
	keys=$(sed -n '/^\.Sh SETTINGS/,/^\.Sh /p' "$SRC/man/rtpp.conf.5" |
		sed -n 's/^\.It Cm \([a-z_]*\)$/\1/p')
	[[ -n $keys ]]
	for key in $keys; do
		grep -q "^#$key =" "$CONF" || fail "examples/rtpp.conf: no '#$key ='"
	done
}

@test "debian/changelog: the version is the tools' version" {
	local v
	v=$(sed -n '1s/^rtpp (\([^)]*\)) .*/\1/p' "$SRC/debian/changelog")
	assert_equal "${v%-*}" "$(tool_version)"
}

# --- the package --------------------------------------------------------

@test "the package builds: dpkg-buildpackage -us -uc -b on the distributed tree" {
	build_package
	[[ -f $DEB && -f $CHANGES ]]
	run -0 --separate-stderr dpkg-deb -f "$DEB" Package Version Architecture
	assert_line "Package: rtpp"
	assert_line "Version: $(sed -n '1s/^rtpp (\([^)]*\)) .*/\1/p' "$SRC/debian/changelog")"
}

@test "the package holds the tools, the man pages, /etc/rtpp.conf, the completion, the unit" {
	local t f page want=() missing=()
	build_package
	for t in $TOOLS; do
		want+=("usr/bin/$t" "usr/share/bash-completion/completions/$t")
	done
	want+=(etc/rtpp.conf
		usr/share/bash-completion/completions/rtpp
		lib/systemd/system/rtpp-watch.service
		usr/share/doc/rtpp/copyright
		usr/share/doc/rtpp/changelog.Debian.gz
		usr/share/doc/rtpp/README.Debian)
	# every man page that is distributed, and at least these
	for page in "$PKG"/rtpp-*/man/*.[1-8]; do
		page=${page##*/}
		want+=("usr/share/man/man${page##*.}/$page.gz")
	done
	want+=(usr/share/man/man1/rtpp-offer.1.gz usr/share/man/man1/rtpp-answer.1.gz
		usr/share/man/man1/rtpp-destroy.1.gz usr/share/man/man5/rtpp.conf.5.gz)
	# the Kamailio example, when the source tree has one
	[[ ! -f $SRC/examples/kamailio.cfg ]] ||
		want+=(usr/share/doc/rtpp/examples/kamailio.cfg)
	for f in "${want[@]}"; do
		[[ -e $ROOT/$f || -L $ROOT/$f ]] || missing+=("$f")
	done
	[[ ${#missing[@]} -eq 0 ]] ||
		printf '%s\n' "${missing[@]}" | batslib_decorate "not in the package" | fail
	for t in $TOOLS; do
		[[ -x $ROOT/usr/bin/$t ]] || fail "usr/bin/$t: not executable"
	done
}

@test "the completion: one file, a relative symlink to it per tool" {
	local t dir
	build_package
	dir="$ROOT/usr/share/bash-completion/completions"
	[[ -f $dir/rtpp && ! -L $dir/rtpp ]]
	cmp "$dir/rtpp" "$SRC/completion/rtpp"
	for t in $TOOLS; do
		[[ -L $dir/$t ]] || fail "$t: not a symlink"
		assert_equal "$(readlink "$dir/$t")" rtpp
	done
}

@test "/etc/rtpp.conf: a conffile, the example as it is" {
	build_package
	cmp "$ROOT/etc/rtpp.conf" "$CONF"
	run -0 --separate-stderr dpkg-deb -I "$DEB" conffiles
	assert_output "/etc/rtpp.conf"
}

@test "the tools are linked dynamically; Depends names their libraries" {
	local t
	build_package
	for t in $TOOLS; do
		run -0 --separate-stderr readelf -d "$ROOT/usr/bin/$t"
		assert_output --regexp 'NEEDED.*libpopt\.so'
	done
	run -0 --separate-stderr dpkg-deb -f "$DEB" Depends
	assert_output --regexp 'libpopt0'
	assert_output --regexp 'libbsd0'
}

@test "a tool from the package runs: --version, its config path, a --fake-reply run" {
	build_package
	run -0 --separate-stderr "$ROOT/usr/bin/rtpp-offer" --version
	assert_output "rtpp-offer (rtpp) $(tool_version)"
	run -0 --separate-stderr "$ROOT/usr/bin/rtpp-offer" --help
	assert_output --regexp '\(default[[:space:]]+/etc/rtpp\.conf\)'
	# the same output as the tool under test, byte for byte
	run -0 --separate-stderr stdout_to_file "$ROOT/usr/bin/rtpp-offer" --fake-reply '40000 192.0.2.1' ar <"$SRC/examples/invite.sip"
	assert_equal "$stderr" ""
	grep -q '^c=IN IP4 192\.0\.2\.1' "$out"
	grep -q '^m=audio 40000 ' "$out"
	rtpp-offer --fake-reply '40000 192.0.2.1' ar <"$SRC/examples/invite.sip" >"$BATS_TEST_TMPDIR/want"
	assert_out_file "$BATS_TEST_TMPDIR/want"
	run -0 --separate-stderr "$ROOT/usr/bin/rtpp-ctl" --config "$ROOT/etc/rtpp.conf" --json list
	assert_output --partial '"url":"udp:127.0.0.1:22222"'
}

@test "the shared state directory: /run/rtpp by tmpfiles.d, root's, set-group-ID, group rtpp made by postinst; nothing shipped in /run; the tools default to it" {
	build_package
	run -0 --separate-stderr grep -v '^#' "$ROOT/usr/lib/tmpfiles.d/rtpp.conf"
	assert_output 'd /run/rtpp 2775 root rtpp -'
	run -0 --separate-stderr with_stderr dpkg-deb -c "$DEB"
	refute_output --regexp ' \./run/'
	dpkg-deb -e "$DEB" "$BATS_TEST_TMPDIR/control"
	grep -q '^	addgroup --system rtpp$' "$BATS_TEST_TMPDIR/control/postinst"
	grep -q 'tmpfiles' "$BATS_TEST_TMPDIR/control/postinst"
	# the packaged tools look there without any option
	run -0 --separate-stderr stdout_to_file env -u RTPP_STATE_DIR "$ROOT/usr/bin/rtpp-ctl" --config '' list
	[[ "$stderr $(tail -n 1 "$out")" == *' /run/rtpp'[/:]* ]] || fail "$stderr $(cat "$out")"
}

@test "the packaged completion loads by tool name and completes with the packaged tools" {
	build_package
	# as bash-completion loads it: the file named after the command
	# shellcheck source=/dev/null
	source "$ROOT/usr/share/bash-completion/completions/rtpp-ctl"
	COMP_WORDS=("$ROOT/usr/bin/rtpp-ctl" --config "$ROOT/etc/rtpp.conf" ping "")
	COMP_CWORD=4
	COMPREPLY=()
	_rtpp
	assert_equal "${COMPREPLY[*]}" "udp:127.0.0.1:22222"
	COMP_WORDS=("$ROOT/usr/bin/rtpp-stat" --gl)
	COMP_CWORD=1
	COMPREPLY=()
	_rtpp
	assert_equal "${COMPREPLY[*]}" "--global"
}

@test "the packaged unit runs the packaged rtpp-ctl; systemd-analyze verify passes" {
	local u="$BATS_TEST_TMPDIR/u/rtpp-watch.service"
	build_package
	command -v systemd-analyze >/dev/null ||
		fail "systemd-analyze not found: install the systemd package (scripts/deps)"
	run -0 --separate-stderr sed -n 's/^ExecStart=//p' "$ROOT/lib/systemd/system/rtpp-watch.service"
	assert_output "/usr/bin/rtpp-ctl --config /etc/rtpp.conf watch"
	mkdir -p "${u%/*}"
	sed "s|/usr/bin/rtpp-ctl|$ROOT/usr/bin/rtpp-ctl|" \
		"$ROOT/lib/systemd/system/rtpp-watch.service" >"$u"
	run -0 --separate-stderr with_stderr systemd-analyze verify --man=no "$u"
	refute_output --partial rtpp-watch
	# installed, neither enabled nor started: the maintainer scripts
	# start nothing, and enable it again only if the admin had
	run -0 --separate-stderr with_stderr dpkg-deb -I "$DEB" postinst
	refute_output --partial "deb-systemd-invoke"
	assert_output --partial "if deb-systemd-helper --quiet was-enabled 'rtpp-watch.service'; then"
}

@test "lintian: no errors" {
	build_package
	run -0 --separate-stderr with_stderr lintian --fail-on error "$CHANGES"
	refute_line --regexp '^E: '
}
