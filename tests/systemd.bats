#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# examples/rtpp-watch.service, "rtpp-ctl watch" as a systemd service:
# systemd-analyze verify and security, offline on the file (no running
# systemd needed), and what the unit must say.  systemd-analyze comes
# with the systemd package (scripts/deps): without it these tests fail,
# they do not skip.

load helpers

setup() {
	rtpp_setup
	UNIT="$BATS_TEST_DIRNAME/../examples/rtpp-watch.service"
	command -v systemd-analyze >/dev/null ||
		fail "systemd-analyze not found: install the systemd package (scripts/deps)"
}

# The unit in $BATS_TEST_TMPDIR/u/, ExecStart= running the rtpp-ctl under
# test (verify checks that the program exists).  Prints the copy's path.
unit_copy() {
	local ctl
	ctl=$(command -v rtpp-ctl)
	mkdir -p "$BATS_TEST_TMPDIR/u"
	sed "s|/usr/bin/rtpp-ctl|$ctl|g" "$UNIT" >"$BATS_TEST_TMPDIR/u/rtpp-watch.service"
	printf '%s\n' "$BATS_TEST_TMPDIR/u/rtpp-watch.service"
}

# The value of KEY in the unit ("KEY=value" lines; the last one).
unit_value() {
	sed -n "s/^$1=//p" "$UNIT" | tail -n 1
}

@test "systemd-analyze verify: no error and no warning about the unit" {
	local u
	u=$(unit_copy)
	run -0 --separate-stderr with_stderr systemd-analyze verify --man=no "$u"
	# verify exits 0 on unknown keys and bad values: any word about
	# the unit is a failure
	refute_output --partial rtpp-watch
}

@test "systemd-analyze verify would report a bad line (the check above works)" {
	local u
	u=$(unit_copy)
	printf '[Service]\nRestart=sometimes\nNoSuchKey=1\n' >>"$u"
	run -0 --separate-stderr with_stderr systemd-analyze verify --man=no "$u"
	assert_output --partial "NoSuchKey"
	assert_output --partial "sometimes"
}

@test "systemd-analyze verify: a missing program is an error" {
	local u
	u=$(unit_copy)
	sed -i "s|^ExecStart=[^ ]*|ExecStart=$BATS_TEST_TMPDIR/nonexistent|" "$u"
	run ! --separate-stderr systemd-analyze verify --man=no "$u"
}

@test "ExecStart: rtpp-ctl watch with /etc/rtpp.conf" {
	assert_equal "$(unit_value ExecStart)" "/usr/bin/rtpp-ctl --config /etc/rtpp.conf watch"
}

@test "the command of ExecStart parses: rtpp-ctl watch with the example config" {
	# the example config sets no timeout socket: a usage error, which
	# the unit does not restart on (RestartPreventExitStatus=2)
	run -2 --separate-stderr rtpp-ctl --config "$BATS_TEST_DIRNAME/../examples/rtpp.conf" watch
	assert_regex "$stderr" "no timeout socket"
	assert_equal "$(unit_value RestartPreventExitStatus)" 2
}

@test "the service: restarted on failure, /run/rtpp its runtime directory" {
	assert_equal "$(unit_value Type)" exec
	assert_equal "$(unit_value Restart)" on-failure
	assert_equal "$(unit_value RuntimeDirectory)" rtpp
	assert_equal "$(unit_value RuntimeDirectoryPreserve)" yes
	# the shared health state directory keeps its layout (rtpp.conf(5))
	assert_equal "$(unit_value RuntimeDirectoryMode)" 2775
	assert_equal "$(unit_value Group)" rtpp
	assert_equal "$(unit_value WantedBy)" multi-user.target
}

@test "the service: listens where the example config says it may" {
	local u
	# /run/rtpp is the only writable place: a unix socket goes there
	grep -q 'unix:/run/rtpp/' "$UNIT"
	grep -q '^#timeout_socket =' "$BATS_TEST_DIRNAME/../examples/rtpp.conf"
	# unix, IPv4 and IPv6 sockets; port numbers under 1024 allowed
	assert_equal "$(unit_value RestrictAddressFamilies)" "AF_UNIX AF_INET AF_INET6"
	assert_equal "$(unit_value CapabilityBoundingSet)" "CAP_NET_BIND_SERVICE"
	u=$(unit_copy)
	run -0 --separate-stderr systemd-analyze security --offline=yes "$u"
	assert_output --regexp "RestrictAddressFamilies=~AF_PACKET +Service cannot allocate packet sockets"
}

@test "systemd-analyze security: exposure 3.0 or less" {
	local u
	u=$(unit_copy)
	run -0 --separate-stderr systemd-analyze security --offline=yes --threshold=30 "$u"
}

@test "the man pages the unit names exist" {
	local page name sec
	for page in $(unit_value Documentation); do
		[[ $page =~ ^man:([^\(]+)\(([1-8])\)$ ]] || fail "$page: not man:NAME(N)"
		name=${BASH_REMATCH[1]} sec=${BASH_REMATCH[2]}
		[[ -f "$BATS_TEST_DIRNAME/../man/$name.$sec" ]] ||
			fail "$page: no man/$name.$sec"
	done
}
