/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test-config.c: settings, config files (plain and Kamailio modparam
 * lines) and rtpproxy_sock proxy sets (config.h, config.c, pset.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errors.h"
#include "config.h"
#include "tap.h"

static void
test_defaults(void)
{
	struct rtpc_settings s;

	rtpc_settings_init(&s);
	is_int(s.nsocks, 0, "defaults: no rtpproxy_sock");
	is_int(s.tout_ms, 1000, "defaults: rtpproxy_tout 1 s");
	is_int(s.retr, 5, "defaults: rtpproxy_retr 5");
	is_int(s.disable_tout, 60, "defaults: rtpproxy_disable_tout 60");
	is_str(s.marker, "a=nortpproxy:yes",
	    "defaults: nortpproxy_str a=nortpproxy:yes");
	ok(s.timeout_socket == NULL, "defaults: no timeout_socket");
	ok(s.force_socket == NULL, "defaults: no force_socket");
	is_int(s.ice, RTPC_ICE_OFF, "defaults: no ICE candidates");
	is_int(s.set, 0, "defaults: set 0");
	is_str(RTPC_DEFAULT_SOCK, "udp:127.0.0.1:22222",
	    "default node is udp:127.0.0.1:22222");
	is_int(RTPC_DEFAULT_PORT, 22222, "default port 22222");
	rtpc_settings_free(&s);
}

/* Set key=v from the command line; returns rc, fills err. */
static int
set1(struct rtpc_settings *s, const char *key, const char *v,
    struct rtpc_err *err)
{
	struct rtpc_origin o = { "option", 0 };

	rtpc_err_clear(err);
	return rtpc_settings_set(s, key, v, 3, &o, err);
}

static void
test_settings(void)
{
	struct rtpc_settings s;
	struct rtpc_err err;

	rtpc_settings_init(&s);

	is_int(set1(&s, "rtpproxy_tout", "2", &err), 0, "tout 2");
	is_int(s.tout_ms, 2000, "... 2000 ms");
	is_int(set1(&s, "rtpproxy_tout", "0.25", &err), 0, "tout 0.25");
	is_int(s.tout_ms, 250, "... 250 ms");
	is_int(set1(&s, "rtpproxy_tout", "0", &err), -1, "tout 0 refused");
	is_int(err.code, RTPC_EXIT_USAGE, "... usage error (exit 2)");
	like(err.msg, "rtpproxy_tout", "... names the setting");
	like(err.msg, "'0'", "... names the value");
	like(err.msg, "option", "... names where it came from");
	is_int(s.tout_ms, 250, "... and keeps the old value");
	is_int(set1(&s, "rtpproxy_tout", "1s", &err), -1, "tout 1s refused");
	like(err.msg, "'1s'", "... names '1s'");
	is_int(set1(&s, "rtpproxy_tout", "-1", &err), -1, "tout -1 refused");
	is_int(set1(&s, "rtpproxy_tout", "", &err), -1, "empty tout refused");

	is_int(set1(&s, "rtpproxy_retr", "2", &err), 0, "retr 2");
	is_int(s.retr, 2, "... 2");
	is_int(set1(&s, "rtpproxy_retr", "0", &err), -1, "retr 0 refused");
	like(err.msg, "rtpproxy_retr: '0'", "... naming rtpproxy_retr '0'");
	is_int(set1(&s, "rtpproxy_retr", "three", &err), -1,
	    "retr three refused");
	like(err.msg, "'three'", "... naming 'three'");
	is_int(set1(&s, "rtpproxy_retr", " 3", &err), -1,
	    "retr with a leading space refused");
	is_int(s.retr, 2, "... keeps 2");

	is_int(set1(&s, "rtpproxy_disable_tout", "120", &err), 0,
	    "disable_tout 120");
	is_int(s.disable_tout, 120, "... 120");
	is_int(set1(&s, "rtpproxy_disable_tout", "-1", &err), 0,
	    "disable_tout -1 (never re-test)");
	is_int(s.disable_tout, -1, "... -1");
	is_int(set1(&s, "rtpproxy_disable_tout", "1m", &err), -1,
	    "disable_tout 1m refused");
	like(err.msg, "'1m'", "... naming '1m'");

	is_int(set1(&s, "nortpproxy_str", "a=proxied:yes\r\n", &err), 0,
	    "nortpproxy_str with CRLF");
	is_str(s.marker, "a=proxied:yes", "... CR/LF stripped");
	is_int(set1(&s, "nortpproxy_str", "a=sdpmangled:yes\\r\\n", &err), 0,
	    "nortpproxy_str with \\r\\n written out, as the module's docs do");
	is_str(s.marker, "a=sdpmangled:yes", "... decoded, then stripped");
	is_int(set1(&s, "nortpproxy_str", "a=x:\\\"q\\\"\\tt\\\\n\\z\\n\\n", &err),
	    0, "nortpproxy_str with \\\" \\t \\\\ and an unknown escape");
	is_str(s.marker, "a=x:\"q\"\tt\\n\\z", "... \\\" \\t \\\\ decoded, \\z kept");
	is_int(set1(&s, "nortpproxy_str", "a=x\\r\\na=y", &err), -1,
	    "a line break inside the marker refused");
	like(err.msg, "nortpproxy_str", "... naming the setting");
	is_str(s.marker, "a=x:\"q\"\tt\\n\\z", "... the marker unchanged");
	is_int(set1(&s, "nortpproxy_str", "", &err), 0, "empty nortpproxy_str");
	is_str(s.marker, "", "... disables the marker");

	is_int(set1(&s, "timeout_socket", "unix:/run/rtpp-notify.sock",
	    &err), 0, "timeout_socket");
	is_str(s.timeout_socket, "unix:/run/rtpp-notify.sock", "... stored");
	is_int(set1(&s, "timeout_socket", "unix:/a b", &err), -1,
	    "timeout_socket with a space refused");
	like(err.msg, "'unix:/a b'", "... naming it");
	is_int(set1(&s, "timeout_socket", "", &err), 0,
	    "empty timeout_socket");
	ok(s.timeout_socket == NULL, "... unsets it");

	is_int(set1(&s, "force_socket", "10.0.0.1", &err), 0, "force_socket");
	is_str(s.force_socket, "10.0.0.1", "... stored");
	is_int(set1(&s, "force_socket", "", &err), 0, "empty force_socket");
	ok(s.force_socket == NULL, "... unsets it");

	is_int(set1(&s, "ice_candidate_priority", "high", &err), 0, "ice high");
	is_int(s.ice, RTPC_ICE_HIGH, "... high");
	is_int(set1(&s, "ice_candidate_priority", "2", &err), 0,
	    "ice 2 (the module's AVP value for low)");
	is_int(s.ice, RTPC_ICE_LOW, "... low");
	is_int(set1(&s, "ice_candidate_priority", "0", &err), 0, "ice 0");
	is_int(s.ice, RTPC_ICE_OFF, "... off");
	is_int(set1(&s, "ice_candidate_priority", "3", &err), -1,
	    "ice 3 refused (the module gives -1)");
	like(err.msg, "'3'", "... naming '3'");

	is_int(set1(&s, "extra_id", "leg-a", &err), 0, "extra_id");
	is_str(s.extra_id, "leg-a", "... stored");
	is_int(set1(&s, "extra_id", "leg a", &err), -1,
	    "extra_id with a space refused");

	is_int(set1(&s, "state_dir", "/tmp/rtpp-state", &err), 0, "state_dir");
	is_str(s.state_dir, "/tmp/rtpp-state", "... stored");

	is_int(set1(&s, "rtpproxy_socks", "udp:1.2.3.4", &err), -1,
	    "unknown setting refused");
	like(err.msg, "'rtpproxy_socks'", "... naming it");

	ok(rtpc_settings_known("rtpproxy_sock"), "rtpproxy_sock is known");
	ok(rtpc_settings_known("state_dir"), "state_dir is known");
	ok(!rtpc_settings_known("db_url"), "db_url is not a setting");
	rtpc_settings_free(&s);
}

static void
test_sock_priority(void)
{
	struct rtpc_settings s;
	struct rtpc_origin file = { "rtpp.conf", 3 }, env = { "environment", 0 };
	struct rtpc_err err;

	rtpc_settings_init(&s);
	/* the file gives two values (repeatable): both kept, in order */
	is_int(rtpc_settings_set(&s, "rtpproxy_sock", "udp:10.0.0.1", 1,
	    &file, &err), 0, "file rtpproxy_sock 1");
	is_int(rtpc_settings_set(&s, "rtpproxy_sock", "1 == udp:10.0.0.2", 1,
	    &file, &err), 0, "file rtpproxy_sock 2");
	is_int(s.nsocks, 2, "... two values from the same source add up");
	is_str(s.nsocks > 1 ? s.socks[1] : NULL, "1 == udp:10.0.0.2",
	    "... stored as written");
	/* the environment (higher) replaces them */
	is_int(rtpc_settings_set(&s, "rtpproxy_sock", "udp:10.0.0.3", 2, &env,
	    &err), 0, "environment rtpproxy_sock");
	is_int(s.nsocks, 1, "... replaces the file's values");
	is_str(s.nsocks > 0 ? s.socks[0] : NULL, "udp:10.0.0.3",
	    "... with its own");
	/* a bad value is refused, naming the source, the line and the text */
	is_int(rtpc_settings_set(&s, "rtpproxy_sock", "x == udp:10.0.0.4", 1,
	    &file, &err), -1, "bad rtpproxy_sock refused");
	like(err.msg, "rtpp.conf:3:", "... names file and line");
	like(err.msg, "x == udp:10.0.0.4", "... names the value");
	is_int(s.nsocks, 1, "... and leaves the values alone");
	rtpc_settings_free(&s);
}

static void
test_parse_seconds(void)
{
	long ms = -7;

	is_int(rtpc_parse_seconds("1", 1, 3600000, &ms), 0, "seconds: 1");
	is_int(ms, 1000, "... 1000 ms");
	is_int(rtpc_parse_seconds("0.5", 1, 3600000, &ms), 0, "seconds: 0.5");
	is_int(ms, 500, "... 500 ms");
	is_int(rtpc_parse_seconds("0.001", 1, 3600000, &ms), 0,
	    "seconds: 0.001");
	is_int(ms, 1, "... 1 ms");
	is_int(rtpc_parse_seconds("2.25", 1, 3600000, &ms), 0, "seconds: 2.25");
	is_int(ms, 2250, "... 2250 ms");
	is_int(rtpc_parse_seconds("3600", 1, 3600000, &ms), 0,
	    "seconds: 3600");
	is_int(rtpc_parse_seconds("3601", 1, 3600000, &ms), -1,
	    "seconds: 3601 is over the top");
	is_int(rtpc_parse_seconds("0.0001", 1, 3600000, &ms), -1,
	    "seconds: four decimals refused");
	is_int(rtpc_parse_seconds("1.", 1, 3600000, &ms), -1,
	    "seconds: '1.' refused");
	is_int(rtpc_parse_seconds("", 1, 3600000, &ms), -1,
	    "seconds: empty refused");
	is_int(rtpc_parse_seconds("1e3", 1, 3600000, &ms), -1,
	    "seconds: '1e3' refused");
	is_int(rtpc_parse_seconds("99999999999999999999", 1, 3600000, &ms), -1,
	    "seconds: a huge number refused, no overflow");
}

/* Parse a config text named "t.conf" into s (initialised here). */
static int
conf(struct rtpc_settings *s, const char *text, struct rtpc_err *err)
{
	rtpc_settings_init(s);
	rtpc_err_clear(err);
	return rtpc_config_parse(s, text, strlen(text), "t.conf", err);
}

static void
test_plain_file(void)
{
	struct rtpc_settings s;
	struct rtpc_err err;
	static const char good[] =
	    "# rtpp settings\n"
	    "\n"
	    "rtpproxy_sock = udp:127.0.0.1:7722\n"
	    "rtpproxy_sock = \"1 == udp:10.0.0.1 udp:10.0.0.2=3\"\n"
	    "  rtpproxy_tout=2\n"
	    "rtpproxy_retr =\t3\n"
	    "// also a comment\n"
	    "nortpproxy_str = 'a=proxied:yes'\n"
	    "rtpproxy_disable_tout = 30";	/* no final newline */
	static const char crlf[] =
	    "rtpproxy_sock = udp:127.0.0.1:7722\r\n"
	    "rtpproxy_retr = 4\r\n";

	is_int(conf(&s, good, &err), 0, "plain file parses");
	is_int(s.nsocks, 2, "... two rtpproxy_sock values");
	is_str(s.nsocks > 0 ? s.socks[0] : NULL, "udp:127.0.0.1:7722",
	    "... first as written");
	is_str(s.nsocks > 1 ? s.socks[1] : NULL,
	    "1 == udp:10.0.0.1 udp:10.0.0.2=3", "... second unquoted");
	is_int(s.tout_ms, 2000, "... rtpproxy_tout 2 s");
	is_int(s.retr, 3, "... rtpproxy_retr 3");
	is_str(s.marker, "a=proxied:yes", "... single-quoted marker");
	is_int(s.disable_tout, 30, "... last line without a newline");
	rtpc_settings_free(&s);

	is_int(conf(&s, crlf, &err), 0, "CRLF file parses");
	is_str(s.nsocks > 0 ? s.socks[0] : NULL, "udp:127.0.0.1:7722",
	    "... no CR left in the value");
	is_int(s.retr, 4, "... rtpproxy_retr 4");
	rtpc_settings_free(&s);

	is_int(conf(&s, "# x\nrtpproxy_retr 4\n", &err), -1,
	    "a line without '=' is refused");
	like(err.msg, "t.conf:2:", "... naming file and line 2");
	is_int(err.code, RTPC_EXIT_USAGE, "... usage error");
	rtpc_settings_free(&s);

	is_int(conf(&s, "rtpproxy_retr = 4\n\nrtpproxy_timeout = 1\n", &err),
	    -1, "an unknown key is refused");
	like(err.msg, "t.conf:3:", "... naming line 3");
	like(err.msg, "'rtpproxy_timeout'", "... and the key");
	rtpc_settings_free(&s);

	is_int(conf(&s, "rtpproxy_sock = udp:1.2.3.4\nrtpproxy_sock = "
	    "udp:1.2.3.4:0\n", &err), -1, "a bad rtpproxy_sock is refused");
	like(err.msg, "t.conf:2:", "... naming line 2");
	like(err.msg, "udp:1.2.3.4:0", "... and the node");
	rtpc_settings_free(&s);

	is_int(conf(&s, "rtpproxy_tout = soon\n", &err), -1,
	    "a bad rtpproxy_tout is refused");
	like(err.msg, "t.conf:1:", "... naming line 1");
	like(err.msg, "'soon'", "... and the value");
	rtpc_settings_free(&s);

	{
		static const char nul[] = "rtpproxy_retr = 4\0\n";

		rtpc_settings_init(&s);
		is_int(rtpc_config_parse(&s, nul, sizeof(nul) - 1, "t.conf",
		    &err), -1, "a NUL byte is refused");
		like(err.msg, "t.conf", "... naming the file");
		rtpc_settings_free(&s);
	}
}

static void
test_kamailio_file(void)
{
	struct rtpc_settings s;
	struct rtpc_err err;
	/* the Appendix A script's shape, plus other modules */
	static const char kam[] =
	    "#!KAMAILIO\n"
	    "children=4\n"
	    "loadmodule \"tm.so\"\n"
	    "loadmodule \"rtpproxy.so\"\n"
	    "modparam(\"tm\", \"fr_timer\", 5000)\n"
	    "modparam(\"rtpproxy\", \"rtpproxy_sock\", \"udp:127.0.0.1:22223\")\n"
	    "modparam(\"rtpproxy\", \"rtpproxy_tout\", 1)\n"
	    "modparam(\"rtpproxy\", \"rtpproxy_retr\", 2)\n"
	    "modparam(\"rtpproxy\", \"extra_id_pv\", \"$avp(extra_id)\")\n"
	    "modparam( 'rtpproxy' , 'rtpproxy_sock' , '1 == unix:/run/r.sock=2' )\n"
	    "\tmodparam(\"rtpproxy\",\"nortpproxy_str\",\"a=sdp-proxied\\r\\n\")\n"
	    "request_route {\n"
	    "\tif (is_method(\"INVITE\") && has_body(\"application/sdp\")) "
	    "rtpproxy_offer();\n"
	    "\tif (is_method(\"BYE\")) unforce_rtp_proxy();\n"
	    "}\n";

	is_int(conf(&s, kam, &err), 0, "Kamailio config parses");
	if (err.msg[0] != '\0')
		diag("%s", err.msg);
	is_int(s.nsocks, 2, "... two rtpproxy_sock modparams");
	is_str(s.nsocks > 0 ? s.socks[0] : NULL, "udp:127.0.0.1:22223",
	    "... first: udp:127.0.0.1:22223");
	is_str(s.nsocks > 1 ? s.socks[1] : NULL, "1 == unix:/run/r.sock=2",
	    "... second, single-quoted, with spaces around");
	is_int(s.tout_ms, 1000, "... rtpproxy_tout 1 (an unquoted integer)");
	is_int(s.retr, 2, "... rtpproxy_retr 2");
	is_str(s.marker, "a=sdp-proxied",
	    "... nortpproxy_str read, its \\r\\n decoded and stripped");
	rtpc_settings_free(&s);

	is_int(conf(&s, "loadmodule \"rtpproxy.so\"\n"
	    "modparam(\"rtpproxy\", \"nortpproxy_str\", \"a=x:\\\"y, z)\\\"\\r\\n\")\n",
	    &err), 0, "modparam with \\\" inside a double-quoted value");
	is_str(s.marker, "a=x:\"y, z)\"", "... the quote does not end the value");
	rtpc_settings_free(&s);

	is_int(conf(&s, "loadmodule \"rtpproxy.so\"\n"
	    "modparam(\"rtpproxy\", \"rtpproxy_retr\", 2)\n"
	    "modparam(\"rtpproxy\", \"rtpproxy_bogus\", 2)\n", &err), -1,
	    "an unknown rtpproxy parameter is refused");
	like(err.msg, "t.conf:3:", "... naming line 3");
	like(err.msg, "'rtpproxy_bogus'", "... and the parameter");
	rtpc_settings_free(&s);

	is_int(conf(&s, "modparam(\"rtpproxy\", \"db_url\", "
	    "\"mysql://k:p@localhost/kamailio\")\n"
	    "modparam(\"rtpproxy\", \"table_name\", \"rtpproxy\")\n"
	    "modparam(\"rtpproxy\", \"rtp_inst_pvar\", \"$avp(rtp)\")\n"
	    "modparam(\"rtpproxy\", \"ice_candidate_priority_avp\", "
	    "\"$avp(ice)\")\n", &err), 0,
	    "module-only parameters are accepted and unused");
	is_int(s.nsocks, 0, "... no nodes from them");
	rtpc_settings_free(&s);

	is_int(conf(&s, "modparam (\"rtpproxy\", \"rtpproxy_retr\", 3 )\n",
	    &err), 0, "modparam with a space before '(' and before ')'");
	is_int(s.retr, 3, "... rtpproxy_retr 3");
	rtpc_settings_free(&s);

	is_int(conf(&s, "loadmodule \"rtpproxy.so\"\nmodparam \"rtpproxy\"\n",
	    &err), -1, "modparam without '(' is refused");
	like(err.msg, "t.conf:2:", "... naming line 2");
	rtpc_settings_free(&s);

	is_int(conf(&s, "modparam(\"rtpproxy\" \"rtpproxy_retr\", 2)\n", &err),
	    -1, "a modparam without its comma is refused");
	like(err.msg, "t.conf:1:", "... naming line 1");
	rtpc_settings_free(&s);

	is_int(conf(&s, "modparam(\"rtpproxy\", \"rtpproxy_retr\", \"2)\n",
	    &err), -1, "a modparam with an open quote is refused");
	rtpc_settings_free(&s);

	is_int(conf(&s, "loadmodule \"rtpproxy.so\"\n"
	    "modparam(\"rtpproxy\", \"rtpproxy_retr\", \"many\")\n", &err), -1,
	    "a bad modparam value is refused");
	like(err.msg, "t.conf:2:", "... naming line 2");
	like(err.msg, "'many'", "... and the value");
	rtpc_settings_free(&s);

	is_int(conf(&s, "modparam(\"rtpproxy\", \"rtpproxy_sock\", "
	    "\"1 ==\")\n", &err), -1,
	    "rtpproxy_sock '1 ==' is refused (a startup error)");
	like(err.msg, "1 ==", "... naming it");
	rtpc_settings_free(&s);
}

static void
test_load(void)
{
	struct rtpc_settings s;
	struct rtpc_err err;
	const char *tmp = getenv("TMPDIR");
	char path[512], dir[512];
	static const char text[] = "rtpproxy_retr = 7\n";
	int fd;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(path, sizeof(path), "%s/rtpp-unit-XXXXXX", tmp);
	snprintf(dir, sizeof(dir), "%s/rtpp-unit-dir-XXXXXX", tmp);
	rtpc_settings_init(&s);
	fd = mkstemp(path);
	ok(fd != -1 && write(fd, text, strlen(text)) == (ssize_t)strlen(text),
	    "wrote a temporary config file");
	if (fd != -1)
		close(fd);
	is_int(rtpc_config_load(&s, path, 1, &err), 0, "load it");
	is_int(s.retr, 7, "... rtpproxy_retr 7");
	unlink(path);
	is_int(rtpc_config_load(&s, path, 0, &err), 0,
	    "a missing optional file is fine");
	is_int(rtpc_config_load(&s, path, 1, &err), -1,
	    "a missing required file is an error");
	like(err.msg, path, "... naming the file");
	is_int(err.code, RTPC_EXIT_USAGE, "... usage error");
	ok(mkdtemp(dir) != NULL, "made a temporary directory");
	is_int(rtpc_config_load(&s, dir, 1, &err), -1,
	    "a directory is not a config file");
	like(err.msg, dir, "... naming it");
	rmdir(dir);
	rtpc_settings_free(&s);
}

/* Parse one value into a fresh set; returns rc. */
static int
ps1(struct rtpc_pset *ps, const char *v, struct rtpc_err *err)
{
	ps->nodes = NULL;
	ps->nnodes = 0;
	rtpc_err_clear(err);
	return rtpc_pset_parse(ps, v, NULL, err);
}

static void
test_pset_nodes(void)
{
	struct rtpc_pset ps;
	struct rtpc_err err;
	const struct rtpc_node *n;

	is_int(ps1(&ps, "udp:127.0.0.1:22222", &err), 0, "one udp node");
	is_int(ps.nnodes, 1, "... one node");
	n = &ps.nodes[0];
	is_int(n->setid, 0, "... set 0 without '=='");
	is_int(n->scheme, RTPC_UDP, "... udp");
	is_str(n->host, "127.0.0.1", "... host");
	is_str(n->port, "22222", "... port");
	is_int(n->weight, 1, "... default weight 1");
	is_str(n->url, "udp:127.0.0.1:22222", "... url as written");
	is_int(n->index, 0, "... index 0");
	rtpc_pset_free(&ps);

	is_int(ps1(&ps, "udp:localhost", &err), 0, "udp node without a port");
	is_str(ps.nodes[0].host, "localhost", "... host localhost");
	is_str(ps.nodes[0].port, "22222", "... default port 22222");
	rtpc_pset_free(&ps);

	is_int(ps1(&ps, "udp:localhost:", &err), 0,
	    "udp node with an empty port");
	is_str(ps.nodes[0].port, "22222", "... default port 22222");
	rtpc_pset_free(&ps);

	is_int(ps1(&ps, "UDP:10.0.0.1:7722", &err), 0, "scheme in capitals");
	is_int(ps.nodes[0].scheme, RTPC_UDP, "... udp");
	is_str(ps.nodes[0].port, "7722", "... port 7722");
	rtpc_pset_free(&ps);

	is_int(ps1(&ps, "udp6:::1:7722", &err), 0, "udp6:::1:7722");
	is_int(ps.nodes[0].scheme, RTPC_UDP6, "... udp6");
	is_str(ps.nodes[0].host, "::1", "... host ::1 (split at the last ':')");
	is_str(ps.nodes[0].port, "7722", "... port 7722");
	rtpc_pset_free(&ps);

	is_int(ps1(&ps, "udp6:2001:db8::10:22223", &err), 0,
	    "udp6:2001:db8::10:22223");
	is_str(ps.nodes[0].host, "2001:db8::10", "... host 2001:db8::10");
	is_str(ps.nodes[0].port, "22223", "... port 22223");
	rtpc_pset_free(&ps);

	is_int(ps1(&ps, "Udp6:[::1]:7722", &err), 0,
	    "udp6 with brackets (the module cannot read it; we can)");
	is_str(ps.nodes[0].host, "::1", "... host ::1 without brackets");
	is_str(ps.nodes[0].port, "7722", "... port 7722");
	rtpc_pset_free(&ps);

	is_int(ps1(&ps, "unix:/var/run/rtpproxy.sock", &err), 0, "unix node");
	is_int(ps.nodes[0].scheme, RTPC_UNIX, "... unix");
	is_str(ps.nodes[0].path, "/var/run/rtpproxy.sock", "... path");
	is_str(ps.nodes[0].url, "unix:/var/run/rtpproxy.sock", "... url");
	rtpc_pset_free(&ps);

	is_int(ps1(&ps, "127.0.0.1:7722", &err), 0, "no prefix");
	is_int(ps.nodes[0].scheme, RTPC_UNIX, "... is a unix socket");
	is_str(ps.nodes[0].path, "127.0.0.1:7722", "... named 127.0.0.1:7722");
	rtpc_pset_free(&ps);

	is_int(ps1(&ps, "/run/rtpp.sock=2", &err), 0, "bare path with weight");
	is_int(ps.nodes[0].scheme, RTPC_UNIX, "... unix");
	is_str(ps.nodes[0].path, "/run/rtpp.sock", "... path without =2");
	is_int(ps.nodes[0].weight, 2, "... weight 2");
	rtpc_pset_free(&ps);
}

static void
test_pset_ng(void)
{
	struct rtpc_pset ps;
	struct rtpc_err err;
	const char *bad[] = { "ng:127.0.0.1", "ng:127.0.0.1:", "ng:[::1]",
	    "ng://127.0.0.1:2223", "ng:::1:2223", "ng:127.0.0.1:0",
	    "ng:relay_1:2223", "ng:[127.0.0.1]:2223", NULL };
	size_t i;

	is_int(ps1(&ps, "ng:127.0.0.1:2223=2", &err), 0, "ng node");
	is_int(ps.nodes[0].proto, RTPC_PROTO_NG, "... speaks ng");
	is_int(ps.nodes[0].scheme, RTPC_UDP, "... over UDP");
	is_str(ps.nodes[0].host, "127.0.0.1", "... host");
	is_str(ps.nodes[0].port, "2223", "... port");
	is_str(ps.nodes[0].url, "ng:127.0.0.1:2223", "... url");
	is_int(ps.nodes[0].weight, 2, "... weight 2");
	rtpc_pset_free(&ps);

	is_int(ps1(&ps, "NG:[::1]:2223", &err), 0, "ng node over IPv6");
	is_int(ps.nodes[0].proto, RTPC_PROTO_NG, "... speaks ng");
	is_int(ps.nodes[0].scheme, RTPC_UDP6, "... over UDP6");
	is_str(ps.nodes[0].host, "::1", "... host ::1");
	rtpc_pset_free(&ps);

	is_int(ps1(&ps, "ng:relay.example:2223 udp:127.0.0.1", &err), 0,
	    "an ng node and an rtpproxy node in one set");
	is_int(ps.nodes[1].proto, RTPC_PROTO_RTPP, "... the udp one speaks "
	    "rtpproxy's protocol");
	rtpc_pset_free(&ps);

	for (i = 0; bad[i] != NULL; i++) {
		is_int(ps1(&ps, bad[i], &err), -1, "%s refused", bad[i]);
		is_int(err.code, RTPC_EXIT_USAGE, "... a usage error");
		rtpc_pset_free(&ps);
	}
}

static void
test_pset_sets(void)
{
	struct rtpc_pset ps;
	struct rtpc_err err;
	const struct rtpc_node *sel[8];

	is_int(ps1(&ps, "1 == udp:10.0.0.1:7722=3  udp:10.0.0.2=0\tunix:/r.sock",
	    &err), 0, "set 1 with three nodes and weights");
	is_int(ps.nnodes, 3, "... three nodes");
	if (ps.nnodes == 3) {
		is_int(ps.nodes[0].setid, 1, "... node 1 in set 1");
		is_int(ps.nodes[2].setid, 1, "... node 3 in set 1");
		is_str(ps.nodes[0].url, "udp:10.0.0.1:7722",
		    "... url without =weight");
		is_int(ps.nodes[0].weight, 3, "... weight 3");
		is_str(ps.nodes[1].url, "udp:10.0.0.2", "... second url");
		is_int(ps.nodes[1].weight, 0, "... weight 0 accepted");
		is_str(ps.nodes[1].port, "22222", "... default port");
		is_int(ps.nodes[2].weight, 1, "... default weight 1");
		is_int(ps.nodes[2].index, 2, "... index 2");
	}
	rtpc_pset_free(&ps);

	is_int(ps1(&ps, "2==udp:10.0.0.9", &err), 0, "'==' without spaces");
	is_int(ps.nnodes == 1 ? ps.nodes[0].setid : -1, 2, "... set 2");
	rtpc_pset_free(&ps);

	is_int(ps1(&ps, "  12  ==  udp:10.0.0.9  ", &err), 0,
	    "spaces all around");
	is_int(ps.nnodes == 1 ? ps.nodes[0].setid : -1, 12, "... set 12");
	rtpc_pset_free(&ps);

	/* repeating the value with the same set id adds nodes to it */
	ps1(&ps, "1 == udp:10.0.0.1", &err);
	is_int(rtpc_pset_parse(&ps, "1 == udp:10.0.0.2", NULL, &err), 0,
	    "second value for set 1");
	is_int(rtpc_pset_parse(&ps, "udp:10.0.0.3", NULL, &err), 0,
	    "a value for set 0");
	is_int(ps.nnodes, 3, "... three nodes in all");
	is_int(rtpc_pset_select(&ps, 1, sel, 8), 2, "... two in set 1");
	is_int(rtpc_pset_select(&ps, 0, sel, 8), 1, "... one in set 0");
	is_str(sel[0]->url, "udp:10.0.0.3", "... set 0 is udp:10.0.0.3");
	is_int(sel[0]->index, 2, "... global index 2 (config order)");
	is_int(rtpc_pset_select(&ps, 1, sel, 1), 1, "select honours max");
	is_str(sel[0]->url, "udp:10.0.0.1", "... config order");
	ok(rtpc_pset_has_set(&ps, 1) && rtpc_pset_has_set(&ps, 0) &&
	    !rtpc_pset_has_set(&ps, 2), "has_set: 0 and 1, not 2");
	rtpc_pset_free(&ps);

	is_int(ps1(&ps, "", &err), 0, "empty value is ignored");
	is_int(ps.nnodes, 0, "... no node");
	is_int(ps1(&ps, " \t ", &err), 0, "all-blank value is ignored");
	is_int(ps.nnodes, 0, "... no node");
	rtpc_pset_free(&ps);
}

static void
test_pset_errors(void)
{
	static const struct {
		const char *v;
		const char *want;
		const char *what;
	} bad[] = {
		{ "1 ==", "1 ==", "nothing after '=='" },
		{ "1 ==   ", "1 ==", "only blanks after '=='" },
		{ "== udp:10.0.0.1", "== udp:10.0.0.1", "an empty set id" },
		{ "x == udp:10.0.0.1", "x == udp:10.0.0.1", "a set id 'x'" },
		{ "-1 == udp:10.0.0.1", "-1 == udp:10.0.0.1",
		    "a negative set id" },
		{ "1.5 == udp:10.0.0.1", "1.5", "a set id 1.5" },
		{ "udp:10.0.0.1:0", "'0'", "port 0" },
		{ "udp:10.0.0.1:65536", "'65536'", "port 65536" },
		{ "udp:10.0.0.1:x1", "'x1'", "port x1" },
		{ "udp:10.0.0.1:-5", "'-5'", "port -5" },
		{ "udp::7722", "udp::7722", "an empty host" },
		{ "udp:", "udp:", "no host at all" },
		{ "unix:", "unix:", "an empty unix path" },
		{ "udp6:[::1", "udp6:[::1", "an unclosed bracket" },
		{ "udp:10.0.0.1 udp:10.0.0.2:99999", "udp:10.0.0.2:99999",
		    "the second node bad" },
	};
	struct rtpc_pset ps;
	struct rtpc_err err;
	struct rtpc_origin o = { "rtpp.conf", 4 };
	char longpath[200];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_int(ps1(&ps, bad[i].v, &err), -1, "refuses %s",
		    bad[i].what);
		is_int(err.code, RTPC_EXIT_USAGE, "... usage error");
		like(err.msg, bad[i].want, "... naming '%s'", bad[i].want);
		rtpc_pset_free(&ps);
	}

	snprintf(longpath, sizeof(longpath), "unix:/%0150d", 0);
	is_int(ps1(&ps, longpath, &err), -1, "refuses a 151-byte unix path");
	like(err.msg, "unix socket path", "... saying why");
	rtpc_pset_free(&ps);

	ps.nodes = NULL;
	ps.nnodes = 0;
	is_int(rtpc_pset_parse(&ps, "udp:10.0.0.1:0", &o, &err), -1,
	    "error with an origin");
	like(err.msg, "rtpp.conf:4:", "... starts with file and line");
	like(err.msg, "rtpproxy_sock", "... names the parameter");
	like(err.msg, "udp:10.0.0.1:0", "... names the node");
	rtpc_pset_free(&ps);
}

static void
test_pset_build(void)
{
	struct rtpc_settings s;
	struct rtpc_pset ps;
	struct rtpc_err err;
	struct rtpc_origin o = { "option", 0 };
	const struct rtpc_node *sel[4];

	rtpc_settings_init(&s);
	is_int(rtpc_pset_build(&ps, &s, &err), 0, "build with nothing set");
	is_int(ps.nnodes, 1, "... one node");
	is_str(ps.nnodes ? ps.nodes[0].url : NULL, "udp:127.0.0.1:22222",
	    "... the relays' default udp:127.0.0.1:22222");
	is_int(ps.nnodes ? ps.nodes[0].setid : -1, 0, "... in set 0");
	rtpc_pset_free(&ps);

	rtpc_settings_set(&s, "rtpproxy_sock", "udp:10.0.0.1 udp:10.0.0.2=2",
	    3, &o, &err);
	rtpc_settings_set(&s, "rtpproxy_sock", "2 == unix:/r.sock", 3, &o,
	    &err);
	is_int(rtpc_pset_build(&ps, &s, &err), 0, "build with two values");
	is_int(ps.nnodes, 3, "... three nodes");
	is_int(rtpc_pset_select(&ps, 0, sel, 4), 2, "... two in set 0");
	is_int(rtpc_pset_select(&ps, 2, sel, 4), 1, "... one in set 2");
	is_int(sel[0]->scheme, RTPC_UNIX, "... set 2 is the unix node");
	is_int(sel[0]->index, 2, "... index 2");
	ok(!rtpc_pset_has_set(&ps, 1), "... no set 1");
	rtpc_pset_free(&ps);
	rtpc_settings_free(&s);
}

int
main(void)
{
	test_defaults();
	test_settings();
	test_sock_priority();
	test_parse_seconds();
	test_plain_file();
	test_kamailio_file();
	test_load();
	test_pset_nodes();
	test_pset_ng();
	test_pset_sets();
	test_pset_errors();
	test_pset_build();
	return done_testing();
}
