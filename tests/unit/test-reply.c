/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test-reply.c: relay replies to U/L (reply.h): "port", "port addr",
 * "port addr 6", "E<n>", "0", junk and overlong replies.
 */
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "reply.h"
#include "tap.h"

/* Parse r; returns rc and fills u and err. */
static int
ul(const char *r, struct rtpc_ulreply *u, struct rtpc_err *err)
{
	rtpc_err_clear(err);
	return rtpc_reply_parse_ul(r, u, err);
}

static void
test_good(void)
{
	struct rtpc_ulreply u;
	struct rtpc_err err;

	/* Appendix A.1: rtpengine's reply to the U, with its newline */
	is_int(ul("31000 127.0.0.1 4\n", &u, &err), 0,
	    "rtpengine 'port addr 4' reply parses");
	is_int(u.port, 31000, "... port 31000");
	is_str(u.addr, "127.0.0.1", "... address 127.0.0.1");
	is_int(u.af, 4, "... IPv4");
	is_int(u.skip, 0, "... not a skipped stream");

	/* 1 token: the port alone; the address is chosen by the caller */
	is_int(ul("40000", &u, &err), 0, "'port' alone parses");
	is_int(u.port, 40000, "... port 40000");
	is_str(u.addr, "", "... no address");

	/* 2 tokens: IPv4 */
	is_int(ul("40000 192.0.2.10", &u, &err), 0, "'port addr' parses");
	is_int(u.port, 40000, "... port 40000");
	is_str(u.addr, "192.0.2.10", "... address 192.0.2.10");
	is_int(u.af, 4, "... IPv4");

	/* 3 tokens, third starts with 6: IPv6 */
	is_int(ul("40000 2001:db8::10 6", &u, &err), 0,
	    "'port addr 6' parses");
	is_str(u.addr, "2001:db8::10", "... address 2001:db8::10");
	is_int(u.af, 6, "... IPv6");
	is_int(ul("40000 2001:db8::10 6\n", &u, &err), 0,
	    "'port addr 6\\n' parses");
	is_int(u.af, 6, "... IPv6");

	/* rtpengine always adds the family: "4" */
	is_int(ul("31016 127.0.0.1 4", &u, &err), 0, "'port addr 4' parses");
	is_int(u.af, 4, "... IPv4");

	/* separators: space, tab, CR and LF, repeated */
	is_int(ul("  31000\t\t10.0.0.1 \r\n", &u, &err), 0,
	    "tabs, spaces and CRLF separate tokens");
	is_int(u.port, 31000, "... port 31000");
	is_str(u.addr, "10.0.0.1", "... address 10.0.0.1");

	/* extra tokens (up to 10) are ignored */
	is_int(ul("31000 10.0.0.1 4 x y z", &u, &err), 0,
	    "extra tokens after the family are ignored");
	is_int(u.port, 31000, "... port 31000");

	/*
	 * An IPv6 address with no family token is still written as IP6:
	 * the module's "2 tokens = IPv4" would produce "IN IP4 2001:..."
	 * (kamailio#523); the toolkit trusts the address.
	 */
	is_int(ul("40000 2001:db8::10", &u, &err), 0,
	    "'port v6addr' parses");
	is_int(u.af, 6, "... an IPv6 address is never given family 4");

	/* boundaries of the port */
	is_int(ul("65535 10.0.0.1", &u, &err), 0, "port 65535 parses");
	is_int(u.port, 65535, "... 65535");
	is_int(ul("1", &u, &err), 0, "port 1 parses");
	is_int(u.port, 1, "... 1");
}

static void
test_zero(void)
{
	struct rtpc_ulreply u;
	struct rtpc_err err;

	/*
	 * "0" parses as port 0; the caller refuses it unless the stream
	 * itself had port 0 (the module gives -1 for a 0 reply).
	 */
	is_int(ul("0", &u, &err), 0, "'0' parses (the caller judges it)");
	is_int(u.port, 0, "... as port 0");
	is_str(u.addr, "", "... with no address");

	/* rtpengine's L on an unknown call: "0 0.0.0.0" */
	is_int(ul("0 0.0.0.0\n", &u, &err), 0, "rtpengine '0 0.0.0.0' parses");
	is_int(u.port, 0, "... as port 0");
	is_str(u.addr, "0.0.0.0", "... address 0.0.0.0");
}

static void
test_errors(void)
{
	static const struct {
		const char *reply;
		const char *want;
		const char *what;
	} bad[] = {
		{ "E8", "E8", "rtpengine's E8" },
		{ "E8\n", "E8", "E8 with a newline" },
		{ "E71", "E71", "sippy's E71" },
		{ "E50 \n", "E50", "E50 with trailing space" },
		{ "", "empty", "an empty reply" },
		{ " \r\n", "empty", "a blank reply" },
		{ "abc", "'abc'", "a word" },
		{ "E", "'E'", "a bare E" },
		{ "Ex", "'Ex'", "E and a letter" },
		{ "-1", "'-1'", "a negative port" },
		{ "+5", "'+5'", "a signed port" },
		{ "65536", "'65536'", "port 65536" },
		{ "99999 10.0.0.1", "99999", "port 99999" },
		{ "123456", "'123456'", "a 6-digit port" },
		{ "0x10", "'0x10'", "a hex port" },
		{ "3100O", "'3100O'", "a letter in the port" },
		{ "31000 not-an-ip", "not-an-ip", "an address that is not one" },
		{ "31000 10.0.0.256", "10.0.0.256", "an IPv4 octet of 256" },
		{ "31000 10.0.0.1/24", "10.0.0.1/24", "an address with a mask" },
		{ "31000 [2001:db8::1] 6", "[2001:db8::1]",
		    "a bracketed IPv6 address" },
	};
	struct rtpc_ulreply u;
	struct rtpc_err err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_int(ul(bad[i].reply, &u, &err), -1, "refuses %s",
		    bad[i].what);
		is_int(err.code, RTPC_EXIT_FAIL, "... with exit status 1");
		like(err.msg, bad[i].want, "... naming '%s'", bad[i].want);
	}
	ul("E50", &u, &err);
	like(err.msg, "session not found", "E50 is explained as session not "
	    "found");
}

static void
test_overlong(void)
{
	char r[600], a[120];
	struct rtpc_ulreply u;
	struct rtpc_err err;

	/* an address longer than any address */
	memset(a, '1', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	snprintf(r, sizeof(r), "31000 %s", a);
	is_int(ul(r, &u, &err), -1, "refuses a 119-character address");
	ok(strlen(u.addr) < sizeof(u.addr), "... without overflowing addr");

	/* a long junk reply: refused, message bounded and escaped */
	memset(r, 'x', sizeof(r) - 1);
	r[sizeof(r) - 1] = '\0';
	is_int(ul(r, &u, &err), -1, "refuses 599 bytes of junk");
	ok(strlen(err.msg) < sizeof(err.msg), "... message fits the record");
	like(err.msg, "...", "... and is shortened with '...'");

	/* control bytes in a junk reply are escaped in the message */
	is_int(ul("\x01\x02junk\x7f", &u, &err), -1,
	    "refuses junk with control bytes");
	like(err.msg, "\\x01\\x02junk\\x7f", "... shown escaped");
	ok(strchr(err.msg, '\x01') == NULL, "... no raw control byte");
}

static void
test_error_codes(void)
{
	int code = -1;

	is_int(rtpc_reply_error("E8", &code), 1, "E8 is an error reply");
	is_int(code, 8, "... code 8");
	is_int(rtpc_reply_error("E71\n", &code), 1, "E71\\n is an error reply");
	is_int(code, 71, "... code 71");
	is_int(rtpc_reply_error("E0", &code), 1, "E0 is an error reply");
	is_int(code, 0, "... code 0");
	code = -1;
	is_int(rtpc_reply_error("E", &code), 0, "bare E is not");
	is_int(rtpc_reply_error("E8x", &code), 0, "E8x is not");
	is_int(rtpc_reply_error("31000 127.0.0.1", &code), 0,
	    "a port reply is not");
	is_int(rtpc_reply_error("e8", &code), 0, "lowercase e8 is not");
	is_int(rtpc_reply_error("", &code), 0, "empty is not");
	is_int(code, -1, "... and the code is left alone");

	/* meanings from sippy's rtpp_command_ecodes.h */
	like(rtpc_ecode_str(0), "unknown command", "E0: unknown command");
	like(rtpc_ecode_str(1), "wrong number of arguments",
	    "E1: wrong number of arguments");
	like(rtpc_ecode_str(50), "session not found", "E50: session not found");
	like(rtpc_ecode_str(84), "memory", "E81-89: out of memory");
	like(rtpc_ecode_str(13), "Z", "E13: the Z ptime");
	ok(rtpc_ecode_str(4242) != NULL, "an unknown code still has a text");
}

int
main(void)
{
	test_good();
	test_zero();
	test_errors();
	test_overlong();
	test_error_codes();
	return done_testing();
}
