#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""kamdiff.py: differential test of rtpp against Kamailio's rtpproxy module.

For every case of tests/diff/cases.py, the same SIP messages go through

  - Kamailio (the Debian 5.6.3 binary) running rtpproxy_offer/answer/
    destroy/manage with the case's flags and ip argument, and
  - the matching rtpp tool (rtpp-offer, rtpp-answer, rtpp-destroy,
    rtpp-manage) given the message exactly as Kamailio received it,

both talking to the same fake relay (tests/fake-relay), and the harness
checks that they send the same control commands (cookies aside), give the
same result (module return code <-> exit status) and produce the same SDP
body, except for the deliberate differences listed in DELIBERATE below:
each is undone on the module's side by exactly one transformation, so any
other difference fails the case.

This harness plays every SIP party itself, on loopback only:

  UAC  127.0.0.13  sends requests to Kamailio, receives forwarded replies
  Kamailio 127.0.0.12  listens on a free port, children=1
  UAS  127.0.0.14  receives forwarded requests, answers with the corpus'
       reply
  relays 127.0.0.11  two fake-relay instances: "plain" (proxy set 0;
       answers 0 to VF 20071116 and VF 20081102) and "caps" (set 1;
       answers 1); U/L for stream N get "<30998+2N> 198.18.0.N" unless
       the case scripts another reply

Distinct addresses, none of them in the corpus, make every address the
module may use visible: the SIP source (.13 / .14, sent in U/L), the
address the message was received on (.12, used when the relay answers
only a port; rtpp gets it as --local-ip) and the relay's (.11).

Usage: kamdiff.py [--group G]... [--case NAME]... [--list] [-v]
Tools are taken from PATH (rtpp-offer ...), the fake relay from
$FAKE_RELAY (default: tests/fake-relay next to this directory), Kamailio
from $KAMAILIO (/usr/sbin/kamailio) with modules from $KAMAILIO_MODDIR.
Output: one "ok"/"not ok" line per case, details under failures; the exit
status is 0 only if every case passed.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
FIXTURES = os.path.join(TESTS, 'fixtures')
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True      # no __pycache__ in the source tree
# cases.py builds messages with the helpers below: one copy of this module
if __name__ == '__main__':
    sys.modules.setdefault('kamdiff', sys.modules['__main__'])

import cases as C  # noqa: E402  (the case list)

# addresses that appear nowhere in the corpus (its SDPs use 127.0.0.1-3)
RELAY_IP = '127.0.0.11'
LOCAL_IP = '127.0.0.12'     # Kamailio's listen address
UAC_IP = '127.0.0.13'
UAS_IP = '127.0.0.14'
TOUT, RETR = 1, 2           # rtpproxy_tout / rtpproxy_retr on both sides
PROBES = [b'V', b'VF 20050322', b'VF 20071116', b'VF 20081102']
MARKER = b'a=nortpproxy:yes'
TOOLS = {'offer': 'rtpp-offer', 'answer': 'rtpp-answer',
         'destroy': 'rtpp-destroy', 'manage': 'rtpp-manage'}
# the module's return code -> the rtpp exit status that means the same
RC_TO_EXIT = {1: 0, -1: 1, -2: 4, -3: 3}


_HELP = {}


def help_options(tool):
    """The long options tool --help lists: {name: takes a value}."""
    if tool not in _HELP:
        out = subprocess.run([tool, '--help'], capture_output=True,
                             check=True).stdout.decode()
        _HELP[tool] = {m.group(1): m.group(2) == '='
                       for m in re.finditer(
                           r'^ +(?:-., )?(--[a-z0-9][a-z0-9-]*)(=?)',
                           out, re.M)}
    return _HELP[tool]


def only_taken(argv):
    """argv (tool first, then options with their values) without the
    options the tool does not take.  Each tool takes only the options it
    uses (rtpp(7), COMMON OPTIONS), while a case's settings go to every
    call of it, as a modparam does: they reach the tools that use them."""
    takes = help_options(argv[0])
    every = {}
    for t in TOOLS.values():
        every.update(help_options(t))
    out, i = [argv[0]], 1
    while i < len(argv):
        o = argv[i]
        width = 2 if every.get(o) and '=' not in o else 1
        if o in takes or not o.startswith('--'):
            out += argv[i:i + width]
        i += width
    return out

# ---------------------------------------------------------------------------
# Deliberate differences.  Each has a reason (the spec/README item) and is
# undone on the module's side by one transformation, applied only where its
# condition holds; the harness reports which ones a case needed.
# ---------------------------------------------------------------------------

DELIBERATE = {
    'o-line': (
        'Flag o works: o= is rewritten only with o; the module always '
        'rewrites it (spec "Deliberate differences" 1, README 1).  '
        'Undone: without flag o, each o= line of the module\'s output is '
        'put back as it was in the input (its user, session id, version '
        'and "IN" must be unchanged).'),
    'z-6-once': (
        'Z<n> is sent once per command and 6 only for IPv6 streams; the '
        'module accumulates both over the streams and sends uninitialised '
        'bytes (spec 2, README 2).  Undone: in the module\'s k-th U/L, '
        'the run of 6s (one per IPv6 stream so far) becomes one 6 if '
        'stream k is IPv6, else none; after Z<n> the (k-1)*len(Z<n>) '
        'accumulated bytes are cut.'),
    'marker-eol': (
        'The marker line ends like the body\'s other lines; the module '
        'always inserts CRLF before it, mixing line ends in an LF body '
        '(README "Choices").  Undone: in an LF-only SDP, the module\'s '
        'CRLF before the marker becomes LF.'),
    'addr-family': (
        'The address family written into c=/o= follows the address; the '
        'module trusts the reply\'s family token and writes e.g. "IN IP4 '
        '2001:db8::1" (README "Choices").  Undone: a c=/o= line with IP4 '
        'and an address with a colon gets IP6, and IP6 with an address '
        'without one gets IP4.'),
    'null-reply-addr': (
        'A null reply address (0.0.0.0 or ::) for a stream that is not on '
        'hold is "no address" (rtpengine answers 0.0.0.0 for a second m= '
        'line); the module writes it and so puts the stream on hold '
        '(README "Choices").  Undone: a c=/o= line that the module set to '
        'a null address while the input\'s was not null gets the address '
        'used for a port-only reply (the ip argument, else the address '
        'the message was received on).'),
    'port0-answer0': (
        'A port-0 stream that the relay answers with port 0 (rtpengine '
        'does) is left as it is; the module fails the whole call '
        '(README "Choices").  Undone: module -1 after the last stream '
        'was answered 0 for m= port 0 means rtpp exit 0, and rtpp\'s body '
        'is what Kamailio forwarded (the module\'s edits up to that '
        'stream) plus the marker line.'),
    'ice-eol': (
        'A module bug, like marker-eol (README "Choices"): the module '
        'inserts its two ICE relay candidate lines with CRLF whatever the '
        'body\'s line ends; rtpp ends them like the body\'s other lines, '
        'as it does for the marker.  Undone: in an LF-only SDP, the CRLF '
        'after an inserted "a=candidate:... typ relay" line becomes LF.'),
    'destroy-z-digits': (
        'A module bug (README "Choices"): rtpproxy_destroy ignores '
        'the offer letters, z among them, but then reads the ptime digits '
        'of z<n> as flags of their own, so "z20" fails (-1, nothing sent) '
        'on the unknown "0"; rtpp-destroy skips z<n> whole.  Undone: '
        'module -1 without a command, for destroy flags whose only '
        'non-flag characters are digits after z, means exit 0 and the '
        'D the module sends for the same message ("D <Call-ID> '
        '<From-tag>[ <To-tag>]", the To-tag left out with t).'),
    'destroy-E': (
        'rtpp-destroy reports the relay\'s E<n> reply to D (exit 1); the '
        'module ignores the reply to D and returns 1 (README "Choices").  '
        'Undone: module 1 with an E reply to its D means exit 1.'),
    'bare-z': (
        'Flag z without a ptime is a usage error (exit 2, nothing sent); '
        'the module sends a bare "Z" modifier, which relays reject '
        '(README "Choices").  Undone: for offer, answer and manage, '
        'flags with a z not followed by a digit mean exit 2, no command '
        'and no output.'),
    'unknown-flag': (
        'Unknown flag letters are usage errors (exit 2); the module '
        'returns -1 (README "Choices").  Undone: module -1 with a flag '
        'letter outside 1 2 3 a b c e f i l o r t w x z means exit 2.'),
    'timeout-socket': (
        'timeout_socket works: U carries "<socket> <tag>" after the tags, '
        'the tag being "<call-id> <from-tag>" %-encoded; the module '
        'appends the bare socket and only when there is a To-tag (spec 4, '
        'README 4); rtpp sends them only to a relay that answers 1 to VF '
        '20081224, which it asks once with its other probes.  Undone: the tag (and the socket, when the module '
        'left it out) is appended to the module\'s U.'),
    'port-count': (
        'An m= port with a count (49170/2) goes to the relay as the plain '
        'port; the module sends "49170/2", which is no port (README '
        '"Choices").  Both drop the count in the SDP.  Undone: the port '
        'token of the module\'s U/L loses its "/<count>".'),
    'unsafe-token': (
        'Call-IDs, tags and other tokens with spaces or control '
        'characters are refused (exit 1), never sent; the module sends '
        'them and so breaks the protocol (spec 7, README 5).  Undone: '
        'module 1 with such a Call-ID means exit 1 and no command.'),
}

# README items that this test does not exercise, and why
NOT_COVERED = {
    'node-choice': (
        'README 3 (sticky weighted node choice): every proxy set here has '
        'one node, so both sides must use it; with several nodes the '
        'module\'s byte-sum hash and rtpp\'s rendezvous hashing choose '
        'differently on purpose (tests/health.bats covers rtpp\'s).'),
    'content-length': (
        'README "Choices" (Content-Length is the body): every message of '
        'the harness has a right Content-Length; what Kamailio does with '
        'bytes after it is its core\'s business, not the module\'s '
        '(tests/sip-bodies.bats covers rtpp\'s).'),
    'marker-escapes': (
        'README "Choices" (nortpproxy_str decoded wherever it is set): '
        'group "marker" compares the module\'s own double-quoted example; '
        'options, plain files and inner line breaks have no module '
        'counterpart (tests/unit/test-config.c covers them).'),
    'all-down-exit-3': (
        'README "Choices" (exit 3 at once when every node is down): only '
        'the first call after a failure is compared (group "down"); the '
        'module\'s later force-tests depend on its tick clock.'),
    'shared-health': (
        'README "Choices" (health shared per node URL by every run and '
        'rtpp-ctl, the operator\'s verdict never undone by a run): the '
        'module keeps health per Kamailio instance; the comparison runs '
        'one call at a time against healthy single-node sets '
        '(tests/health-state.bats and scripts/stress-health cover rtpp\'s).'),
    'drain': (
        'README "Choices" (rtpp-ctl drain, enable URL N): the module has '
        'no drain and its RPC is not driven here (tests/health-state.bats '
        'covers both).'),
    'bad-sock-url': (
        'README "Choices" (a socket URL that cannot be right is exit 2 '
        'with a hint): a configuration error, not a message; the module '
        'would not start a call at all with such a node, so there is '
        'nothing to compare (tests/cli.bats covers rtpp\'s).'),
    'escaped-text': (
        'README "Choices" (relay and state text printed escaped): only '
        'rtpp-stat, rtpp-ctl raw, watch and list print relay text; the '
        'module hands $rtpstat to the script (tests/rtpp-stat.bats and '
        'tests/rtpp-ctl-watch.bats cover rtpp\'s).'),
    'no-query-cap': (
        'README "Choices" (no Q to a node that lacks VF 20080403): the '
        'compared calls use the offer, answer and destroy functions '
        'only (tests/rtpp-stat.bats covers rtpp\'s, against the fake '
        'relay and rtpengine).'),
}

# Each item of the README section "Where rtpp differs from the module on
# purpose" (matched by the start of its text) and the entry above that
# handles it; --check-readme fails on an item that is not here.
README_ITEMS = [
    (r'Flag o works', 'o-line'),
    (r'Z<n> is sent once', 'z-6-once'),
    (r'Sticky weighted node choice', 'node-choice'),
    (r'timeout_socket sends', 'timeout-socket'),
    (r'Call-IDs, tags and other tokens', 'unsafe-token'),
    (r'The marker line ends like', 'marker-eol'),
    (r'The address family written', 'addr-family'),
    (r'A port-0 stream that the relay answers with port 0', 'port0-answer0'),
    (r'A null reply address', 'null-reply-addr'),
    (r'Unknown flag letters', 'unknown-flag'),
    (r'When every node is down', 'all-down-exit-3'),
    (r'rtpp-destroy reports the relay', 'destroy-E'),
    (r'The ICE candidate lines end like', 'ice-eol'),
    (r'rtpp-destroy skips z<n> whole', 'destroy-z-digits'),
    (r'Flag z without a ptime', 'bare-z'),
    (r'Relay health is shared by every run', 'shared-health'),
    (r'rtpp-ctl drain URL', 'drain'),
    (r'An m= port with a count', 'port-count'),
    (r'Content-Length is the body', 'content-length'),
    (r'nortpproxy_str is decoded like', 'marker-escapes'),
    (r'A socket URL that cannot be right', 'bad-sock-url'),
    (r'Text that comes from a relay or the state', 'escaped-text'),
    (r'rtpp-stat sends no Q to a node', 'no-query-cap'),
]

FLAG_LETTERS = set('123abceflortwxz0123456789')


class Fail(Exception):
    pass


# ---------------------------------------------------------------------------
# SIP and SDP text helpers (bytes)
# ---------------------------------------------------------------------------

def split_msg(raw):
    """(head, sep, body) of a SIP message; head without the blank line."""
    cands = [(raw.find(s), s) for s in (b'\r\n\r\n', b'\n\n')]
    cands = [c for c in cands if c[0] >= 0]
    if not cands:
        return raw, b'', b''
    i, s = min(cands)
    # "\r\n\r\n" and "\n\r\n" both end with a blank line: take the first
    return raw[:i], s, raw[i + len(s):]


def head_lines(head):
    return head.split(b'\n')


def first_eol(raw):
    i = raw.find(b'\n')
    return b'\r\n' if i > 0 and raw[i - 1:i] == b'\r' else b'\n'


def hdr_name(line):
    i = line.find(b':')
    return line[:i].strip().lower() if i > 0 else b''


LONG = {b'v': b'via', b'f': b'from', b't': b'to', b'i': b'call-id',
        b'l': b'content-length', b'c': b'content-type', b'm': b'contact'}


def canon(name):
    return LONG.get(name, name)


def hdr_values(raw, name):
    head, _, _ = split_msg(raw)
    out = []
    for ln in head_lines(head)[1:]:
        if canon(hdr_name(ln)) == name:
            out.append(ln.split(b':', 1)[1].strip())
    return out


def hdr_value(raw, name):
    v = hdr_values(raw, name)
    return v[0] if v else None


def tag_of(v):
    if v is None:
        return None
    m = re.search(rb';\s*tag=([^;>\s]+)\s*(?:;|$)', v[v.rfind(b'>') + 1:]
                  if b'>' in v else v)
    return m.group(1) if m else None


def body_of(raw):
    """The body of a message, cut at its Content-Length."""
    head, _, body = split_msg(raw)
    cl = hdr_value(raw, b'content-length')
    if cl is not None and cl.isdigit():
        n = int(cl)
        if n > len(body):
            raise Fail('Content-Length %d beyond the body (%d bytes)'
                       % (n, len(body)))
        if n != len(body):
            raise Fail('Content-Length %d but %d body bytes'
                       % (n, len(body)))
        return body[:n]
    return body


def add_headers(raw, lines):
    """Insert header lines right after the start line."""
    eol = first_eol(raw)
    i = raw.find(b'\n') + 1
    return raw[:i] + b''.join(ln + eol for ln in lines) + raw[i:]


def set_branch(raw, suffix):
    """Append suffix to the first branch= of the headers."""
    head, sep, body = split_msg(raw)
    new, n = re.subn(rb'(branch=[^;,\s]+)', lambda m: m.group(1) + suffix,
                     head, count=1)
    return new + sep + body


def with_body(raw, body, ctype=b'application/sdp'):
    """raw's headers with a new body and Content-Length (and type)."""
    head, sep, _ = split_msg(raw)
    eol = first_eol(raw)
    lines = [ln for ln in head.split(eol)
             if canon(hdr_name(ln)) not in (b'content-length',
                                            b'content-type')]
    if body:
        lines.append(b'Content-Type: ' + ctype)
    lines.append(b'Content-Length: %d' % len(body))
    return eol.join(lines) + eol + eol + body


def build_reply(template, fwd_req, extra):
    """The corpus reply template answering fwd_req (the request as the UAS
    got it from Kamailio): its Via lines and CSeq, plus extra headers."""
    eol = first_eol(template)
    head, _, body = split_msg(template)
    tl = head.split(eol)
    fhead, _, _ = split_msg(fwd_req)
    feol = first_eol(fwd_req)
    vias = [ln for ln in fhead.split(feol)[1:]
            if canon(hdr_name(ln.rstrip(b'\r'))) == b'via']
    vias = [ln.rstrip(b'\r') for ln in vias]
    cseq = hdr_value(fwd_req, b'cseq')
    out = [tl[0]] + vias + extra
    for ln in tl[1:]:
        n = canon(hdr_name(ln))
        if n == b'via':
            continue
        if n == b'cseq':
            ln = b'CSeq: ' + cseq
        out.append(ln)
    return eol.join(out) + eol + eol + body


def is_null(addr):
    return addr in (b'0.0.0.0',) or (b':' in addr and
                                     not addr.replace(b':', b'').strip(b'0'))


class Stream:
    def __init__(self, port, af, addr):
        self.port, self.af, self.addr = port, af, addr


def sdp_streams(body):
    """The streams of every SDP session: port, family and address."""
    streams, sess, cur = [], None, None
    for ln in body.replace(b'\r', b'').split(b'\n'):
        if ln.startswith(b'v='):
            sess, cur = {'c': None}, None
        elif ln.startswith(b'm=') and sess is not None:
            f = ln[2:].split()
            cur = {'port': f[1] if len(f) > 1 else b'', 'c': None}
            streams.append((sess, cur))
        elif ln.startswith(b'c=') and sess is not None:
            f = ln[2:].split()
            val = (f[1], f[2]) if len(f) >= 3 else (b'', b'')
            if cur is None:
                sess['c'] = val
            else:
                cur['c'] = val
    out = []
    for sess, st in streams:
        c = st['c'] or sess['c'] or (b'', b'')
        out.append(Stream(st['port'], 6 if c[0] == b'IP6' else 4, c[1]))
    return out


def lines_keep(b):
    """Split into lines keeping their ends."""
    return b.splitlines(keepends=True)


def esc(b):
    return repr(bytes(b))[2:-1]


def unescape_log(line):
    """A fake-relay log line (bytes outside 0x20-0x7e as \\xNN) as bytes."""
    return re.sub(rb'\\x([0-9a-fA-F]{2})',
                  lambda m: bytes([int(m.group(1), 16)]), line)


# ---------------------------------------------------------------------------
# Processes: fake relays and Kamailio
# ---------------------------------------------------------------------------

def wait_for(pred, what, timeout=10.0):
    t0 = time.monotonic()
    while not pred():
        if time.monotonic() - t0 > timeout:
            raise Fail('timed out waiting for ' + what)
        time.sleep(0.01)


class Relay:
    """One fake-relay on an ephemeral UDP port of 127.0.0.1."""

    def __init__(self, name, wd, binary, caps):
        self.name, self.caps = name, caps
        self.script = os.path.join(wd, name + '.script')
        self.log = os.path.join(wd, name + '.log')
        portf = os.path.join(wd, name + '.port')
        self.pidf = os.path.join(wd, name + '.pid')
        self.rules([])
        open(self.log, 'w').close()
        self.proc = subprocess.Popen(
            [binary, '-l', 'udp:%s:0' % RELAY_IP, '-s', self.script,
             '-o', self.log,
             '-p', portf, '-P', self.pidf, '-t', '600'],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(wd, name + '.err'), 'w'))

        def ready():
            if self.proc.poll() is not None:
                raise Fail('fake relay %s exited' % name)
            return os.path.exists(self.pidf) and os.path.getsize(portf) > 0
        wait_for(ready, 'fake relay ' + name)
        with open(portf) as f:
            self.port = int(f.read().strip())
        self.url = 'udp:%s:%d' % (RELAY_IP, self.port)

    def rules(self, extra):
        """Replace the script: the case's rules first, then the base."""
        cap = '1' if self.caps else '0'
        base = ['V -> reply 20040107',
                'VF 20050322 -> reply 1',
                'VF 20071116 -> reply ' + cap,
                'VF 20081102 -> reply ' + cap,
                'VF 20081224 -> reply 1',     # notifications (rtpproxy -n)
                'D * -> reply 0']
        for n in range(1, 10):
            reply = 'reply %d 198.18.0.%d' % (30998 + 2 * n, n)
            base.append('[UL]*;%d -> %s' % (n, reply))
            base.append('[UL]*;%d * -> %s' % (n, reply))
        tmp = self.script + '.new'
        with open(tmp, 'w') as f:
            f.write('\n'.join(list(extra) + base) + '\n')
        os.replace(tmp, self.script)

    def mark(self):
        return os.path.getsize(self.log)

    def read(self, start, end=None):
        """[(cookie, command)] logged between two marks."""
        with open(self.log, 'rb') as f:
            f.seek(start)
            data = f.read() if end is None else f.read(end - start)
        out = []
        for ln in data.split(b'\n'):
            if not ln:
                continue
            raw = unescape_log(ln)
            i = raw.find(b' ')
            out.append((raw, b'') if i < 0 else (raw[:i], raw[i + 1:]))
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def free_udp_port(ip):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ip, 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Kamailio:
    def __init__(self, wd, relays, uas_port, extra_cfg, uac):
        self.wd = wd
        binary = os.environ.get('KAMAILIO', '/usr/sbin/kamailio')
        moddir = os.environ.get('KAMAILIO_MODDIR',
                                '/usr/lib/x86_64-linux-gnu/kamailio/modules')
        if not os.access(binary, os.X_OK):
            raise Fail('no Kamailio at %s' % binary)
        with open(os.path.join(HERE, 'kamailio.cfg.in')) as f:
            tmpl = f.read()
        last = None
        for attempt in range(3):
            self.port = free_udp_port(LOCAL_IP)
            cfg = tmpl
            for k, v in {'DEBUG': '2', 'LOCAL_IP': LOCAL_IP,
                         'PORT': str(self.port), 'MODDIR': moddir,
                         'RELAY_IP': RELAY_IP,
                         'PLAIN_PORT': str(relays['plain'].port),
                         'CAPS_PORT': str(relays['caps'].port),
                         'TOUT': str(TOUT), 'RETR': str(RETR),
                         'UAS_IP': UAS_IP, 'UAS_PORT': str(uas_port),
                         'EXTRA': '\n'.join(extra_cfg)}.items():
                cfg = cfg.replace('@%s@' % k, v)
            self.cfg = os.path.join(wd, 'kamailio.cfg')
            with open(self.cfg, 'w') as f:
                f.write(cfg)
            rundir = os.path.join(wd, 'run')
            os.makedirs(rundir, exist_ok=True)
            self.errf = os.path.join(wd, 'kamailio.err')
            self.proc = subprocess.Popen(
                [binary, '-f', self.cfg, '-DD', '-E', '-m', '64', '-M', '8',
                 '-Y', rundir, '-P', os.path.join(wd, 'kamailio.pid')],
                stdin=subprocess.DEVNULL, stdout=open(self.errf, 'w'),
                stderr=subprocess.STDOUT, start_new_session=True)
            try:
                self.wait_ready(uac)
                return
            except Fail as e:
                last = e
                self.stop()
        raise Fail('Kamailio did not start: %s\n%s' % (last, self.tail()))

    def tail(self, n=30):
        try:
            with open(self.errf, errors='replace') as f:
                return ''.join(f.readlines()[-n:])
        except OSError:
            return ''

    def wait_ready(self, uac):
        t0 = time.monotonic()
        n = 0
        while time.monotonic() - t0 < 10:
            if self.proc.poll() is not None:
                raise Fail('Kamailio exited with %s' % self.proc.returncode)
            n += 1
            ping = (b'OPTIONS sip:ping@%s:%d SIP/2.0\r\n'
                    b'Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-ping-%d\r\n'
                    b'From: <sip:h@x>;tag=p\r\nTo: <sip:k@x>\r\n'
                    b'Call-ID: ping-%d\r\nCSeq: 1 OPTIONS\r\nX-Ping: 1\r\n'
                    b'Content-Length: 0\r\n\r\n'
                    % (LOCAL_IP.encode(), self.port, UAC_IP.encode(),
                       uac.getsockname()[1], n, n))
            uac.sendto(ping, (LOCAL_IP, self.port))
            uac.settimeout(0.1)
            try:
                while True:
                    data, _ = uac.recvfrom(65536)
                    if b'ping-%d' % n in data:
                        return
            except socket.timeout:
                pass
        raise Fail('Kamailio does not answer')

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


# ---------------------------------------------------------------------------
# One group: relays + Kamailio + its cases
# ---------------------------------------------------------------------------

class Outcome:
    """What one side did with one message."""

    def __init__(self):
        self.rc = None        # module return code / rtpp exit status
        self.cmds = []        # commands without cookies (bytes)
        self.cookies = []
        self.body = None      # SDP/body produced (bytes), None if none
        self.stderr = ''
        self.fwd = None       # module: the forwarded message


class Harness:
    def __init__(self, args):
        self.args = args
        self.verbose = args.verbose
        self.fake = os.environ.get('FAKE_RELAY') or os.path.join(
            TESTS, 'fake-relay')
        if not os.access(self.fake, os.X_OK):
            raise Fail('no fake relay at %s (make tests/fake-relay)'
                       % self.fake)
        for t in TOOLS.values():
            if shutil.which(t) is None:
                raise Fail('%s not in PATH' % t)

    def log(self, *a):
        if self.verbose:
            print('#', *a, flush=True)

    # -- group lifetime -----------------------------------------------------

    def run_group(self, gname, group, only):
        wd = tempfile.mkdtemp(prefix='kd-%s-' % gname, dir=self.args.workdir)
        self.wd = wd
        self.relays, self.kam = {}, None
        # flag b: rtpp gets --extra-id where the module has extra_id_pv
        self.extra_pv = any('extra_id_pv' in c for c in group.get('config',
                                                                  []))
        self.uac = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.uac.bind((UAC_IP, 0))
        self.uas = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.uas.bind((UAS_IP, 0))
        results = []
        try:
            for name, caps in (('plain', False), ('caps', True)):
                self.relays[name] = Relay(name, wd, self.fake, caps)
            marks = {n: r.mark() for n, r in self.relays.items()}
            self.kam = Kamailio(wd, self.relays, self.uas.getsockname()[1],
                                group.get('config', []), self.uac)
            self.settle_probes(marks)
            for case in group['cases']:
                if only and case.name not in only:
                    continue
                results.append(self.run_case(gname, case))
        finally:
            if self.kam:
                self.kam.stop()
            for r in self.relays.values():
                r.stop()
            self.uac.close()
            self.uas.close()
        return results

    def settle_probes(self, marks):
        """Wait until every Kamailio process has probed both relays, and
        check that each sent exactly the probes rtpp sends."""
        def per_pid(relay):
            got = {}
            for cookie, cmd in relay.read(marks[relay.name]):
                got.setdefault(cookie.split(b'_')[0], []).append(cmd)
            return got

        last, t_last = None, time.monotonic()
        t0 = time.monotonic()
        while True:
            sizes = tuple(r.mark() for r in self.relays.values())
            now = time.monotonic()
            if sizes != last:
                last, t_last = sizes, now
            elif now - t_last > 0.2:
                break
            if now - t0 > 10:
                raise Fail('Kamailio keeps probing')
            time.sleep(0.02)
        self.probe_note = []
        for r in self.relays.values():
            got = per_pid(r)
            if not got:
                raise Fail('Kamailio sent no probe to relay %s' % r.name)
            for pid, cmds in got.items():
                if cmds != PROBES:
                    raise Fail('Kamailio process %s probed relay %s with %r, '
                               'not %r' % (pid.decode(), r.name, cmds,
                                           PROBES))
            self.probe_note.append('%s: %d processes' % (r.name, len(got)))
        self.log('module probes', ', '.join(self.probe_note))

    # -- messages -----------------------------------------------------------

    def recv(self, sock, step_id, what, timeout=5.0):
        """The next message on sock carrying X-Step: step_id."""
        t0 = time.monotonic()
        while True:
            left = timeout - (time.monotonic() - t0)
            if left <= 0:
                raise Fail('nothing forwarded to the %s in %.0f s\n%s'
                           % (what, timeout, self.kam.tail(15)))
            sock.settimeout(left)
            try:
                data, _ = sock.recvfrom(65536)
            except socket.timeout:
                continue
            if hdr_value(data, b'x-step') == step_id:
                return data
            self.log('dropped a stray message on the', what)

    def load(self, src):
        """A step's message: fixture name, bytes or a builder of cases.py."""
        if isinstance(src, bytes):
            return src
        if callable(src):
            return src(self.load)
        with open(os.path.join(FIXTURES, src), 'rb') as f:
            return f.read()

    # -- one case -----------------------------------------------------------

    def run_case(self, gname, case):
        name = '%s/%s' % (gname, case.name)
        self.state = tempfile.mkdtemp(prefix='state-', dir=self.wd)
        self.probes_left = True
        self.last_fwd_req = None
        problems, used = [], set()
        for i, st in enumerate(case.steps):
            sid = ('%s-%d' % (case.name, i)).encode()
            try:
                p, u = self.run_step(case, st, sid)
            except Fail as e:
                p, u = ['step %d: %s' % (i + 1, e)], set()
            problems += ['step %d (%s): %s' % (i + 1, st.label(), x)
                         for x in p]
            used |= u
            if p and st.stop_on_fail:
                break
        return name, case, problems, used

    def run_step(self, case, st, sid):
        relay = self.relays['caps' if case.caps else 'plain']
        relay.rules(st.rules)
        raw = self.load(st.msg)
        fwd = st.fwd or ('tm' if case.tm else 'sl')
        xtest = b'X-Test: %s/%s/%s/%s/%s/%s' % (
            (st.fn or 'none').encode(), (st.flags or '-').encode(),
            (st.ip or '-').encode(), b'1' if case.caps else b'0',
            (st.ice_avp or '-').encode(), fwd.encode())
        extra = [xtest, b'X-Step: ' + sid] + list(st.headers)
        if st.kind == 'req':
            msg = set_branch(add_headers(raw, extra), b'.' + sid)
            src_ip = UAC_IP
        else:
            if self.last_fwd_req is None:
                raise Fail('a reply step needs a forwarded request first')
            msg = build_reply(raw, self.last_fwd_req, extra)
            src_ip = UAS_IP

        # the module
        m0 = relay.mark()
        if st.kind == 'req':
            self.uac.sendto(msg, (LOCAL_IP, self.kam.port))
            got = self.recv(self.uas, sid, 'UAS')
            if not got.startswith(b'ACK '):
                self.last_fwd_req = got     # what a reply step answers
        else:
            self.uas.sendto(msg, (LOCAL_IP, self.kam.port))
            got = self.recv(self.uac, sid, 'UAC')
        m1 = relay.mark()
        mod = Outcome()
        mod.fwd = got
        rc = hdr_value(got, b'x-rc')
        if rc is None:
            raise Fail('Kamailio forwarded the message without X-Rc')
        mod.rc = None if rc == b'none' else int(rc)
        for cookie, cmd in relay.read(m0, m1):
            if cmd in PROBES:
                # a slow Kamailio process probing late: not this step's
                self.log('late module probe %s %s' % (esc(cookie), esc(cmd)))
                continue
            mod.cookies.append(cookie)
            mod.cmds.append(cmd)
        mod.body = body_of(got)
        self.log('%s: module rc %s, commands %s' % (
            st.label(), mod.rc, [esc(c) for c in mod.cmds]))
        if self.verbose > 1:
            self.log('  module body:\n' + esc(mod.body).replace('\\n', '\n'))
        if st.fn is None:
            return [], set()

        # rtpp, on the message as Kamailio received it
        problems, used = [], set()
        runs = [('sip', msg)]
        if st.bare:
            runs.append(('bare', body_of(msg)))
        for form, inp in runs:
            r = self.run_rtpp(case, st, relay, form, inp, msg, src_ip)
            p, u = compare(case, st, msg, mod, r, self.kam_ctx(st))
            problems += ['[%s input] %s' % (form, x) if form != 'sip' else x
                         for x in p]
            used |= u
        return problems, used

    def kam_ctx(self, st):
        return {'default_ip': (st.ip or LOCAL_IP).encode()}

    def run_rtpp(self, case, st, relay, form, inp, msg, src_ip):
        argv = [TOOLS[st.fn], '--sock', relay.url, '--state-dir', self.state,
                '--tout', str(TOUT), '--retr', str(RETR),
                '--source-ip', src_ip, '--local-ip', LOCAL_IP]
        argv += case.rtpp_opts + st.rtpp_opts
        if st.ice_avp is not None or case.ice:
            argv += ['--ice', {None: 'low', '0': 'off', '1': 'high',
                               '2': 'low'}[st.ice_avp]]
        xe = hdr_value(msg, b'x-extra')
        if xe is not None and self.extra_pv:
            argv += ['--extra-id', xe.decode()]
        if form == 'bare':
            argv += ['--call-id', hdr_value(msg, b'call-id').decode(),
                     '--from-tag', tag_of(hdr_value(msg, b'from')).decode(),
                     '--to-tag', (tag_of(hdr_value(msg, b'to')) or
                                  b'').decode(),
                     '--reply' if msg.startswith(b'SIP/2.0') else
                     '--request']
        argv = only_taken(argv)
        flags = st.flags if st.rtpp_flags is None else st.rtpp_flags
        if st.ip is not None:
            argv += [flags or '', st.ip]
        elif flags:
            argv += [flags]
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(('RTPP_', 'SIP_'))}
        env['RTPP_CONFIG'] = ''
        env['LC_ALL'] = 'C'
        m0 = relay.mark()
        p = subprocess.run(argv, input=inp, capture_output=True, env=env,
                           timeout=30)
        r = Outcome()
        r.rc = p.returncode
        r.stderr = p.stderr.decode(errors='replace').strip()
        r.argv = argv
        cmds = relay.read(m0)
        r.cookies = [c for c, _ in cmds]
        r.cmds = [c for _, c in cmds]
        # rtpp probes on its first contact, when the commands depend on
        # the capabilities (the module probed at startup, checked above):
        # exactly the module's probes, once per case
        if self.probes_left and r.cmds[:len(PROBES)] == PROBES:
            r.cmds = r.cmds[len(PROBES):]
            self.probes_left = False
            # with a timeout socket rtpp also asks whether the relay can
            # notify (a relay that cannot misreads such a U)
            if case.timeout_socket and r.cmds[:1] == [b"VF 20081224"]:
                r.cmds = r.cmds[1:]
        if any(c == b'V' or c.startswith(b'VF ') for c in r.cmds):
            r.probe_problem = 'unexpected probes: %r' % r.cmds
        if p.stdout:
            r.body = p.stdout if form == 'bare' else body_of(p.stdout)
        self.log('  rtpp (%s input): %s -> exit %s, commands %s%s' % (
            form, ' '.join(argv), r.rc, [esc(c) for c in r.cmds],
            ', stderr: ' + r.stderr if r.stderr else ''))
        if self.verbose > 1 and r.body is not None:
            self.log('  rtpp body:\n' + esc(r.body).replace('\\n', '\n'))
        return r


# ---------------------------------------------------------------------------
# Comparison, with the deliberate differences undone on the module's side
# ---------------------------------------------------------------------------

def mod_cmd_undo_z6(cmd, k, flags, streams):
    """Undo the accumulation of 6 and of the Z segment in the module's
    k-th (1-based) U/L command.  Returns (new, changed) or raises Fail
    when the command is not what the module's code would send."""
    m = re.match(rb'([UL])([AIES]*)', cmd)
    if not m:
        return cmd, False
    i = m.end()
    n6 = 0
    while i + n6 < len(cmd) and cmd[i + n6:i + n6 + 1] == b'6':
        n6 += 1
    want6 = sum(1 for s in streams[:k] if s.af == 6)
    if n6 != want6:
        raise Fail('module command %d has %d "6", expected %d'
                   % (k, n6, want6))
    new = cmd[:i] + (b'6' if streams[k - 1].af == 6 else b'')
    j = i + n6
    zm = re.search(r'[zZ](\d*)', flags or '')
    if zm and cmd[j:j + 1] == b'Z':
        zseg = b'Z' + zm.group(1).encode()
        if cmd[j:j + len(zseg)] != zseg:
            raise Fail('module command %d: Z segment %r' % (k, cmd[j:j + 8]))
        new += zseg
        j += len(zseg) * k
    new += cmd[j:]
    return new, new != cmd


def undo_body(case, st, inp_body, mbody, ctx, used):
    """The module's body with the deliberate differences undone."""
    flags = (st.flags or '').lower()
    out = mbody
    in_lines = lines_keep(inp_body)
    # marker line end in an LF-only SDP
    if b'\r' not in inp_body and b'\r\n' + MARKER in out:
        out = out.replace(b'\r\n' + MARKER, b'\n' + MARKER, 1)
        used.add('marker-eol')
    # the ICE relay candidates the module inserts, in an LF-only SDP
    if b'\r' not in inp_body:
        new = re.sub(rb'(?<=\n)(a=candidate:\d+ [12] UDP \d+ \S+ \d+ '
                     rb'typ relay)\r\n', rb'\1\n', out)
        if new != out:
            out = new
            used.add('ice-eol')
    ol = lines_keep(out)
    in_o = [ln for ln in in_lines if ln.startswith(b'o=')]
    in_c = [ln for ln in in_lines if ln.startswith(b'c=')]
    oi = ci = 0
    for n, ln in enumerate(ol):
        if ln.startswith(b'c=') or ln.startswith(b'o='):
            ref = None
            if ln.startswith(b'o='):
                ref = in_o[oi] if oi < len(in_o) else None
                oi += 1
            else:
                ref = in_c[ci] if ci < len(in_c) else None
                ci += 1
            body, eol = (ln[:-2], ln[-2:]) if ln.endswith(b'\r\n') else \
                (ln[:-1], ln[-1:]) if ln.endswith(b'\n') else (ln, b'')
            f = body.split(b' ')
            if ref is not None and body != ref.rstrip(b'\r\n') and \
                    len(f) >= 3:
                rf = ref.rstrip(b'\r\n').split(b' ')
                # null reply address for a stream not on hold
                if st.null_reply and is_null(f[-1]) and not is_null(rf[-1]):
                    f[-1] = ctx['default_ip']
                    used.add('null-reply-addr')
                # family token from the address itself
                if f[-2] == b'IP4' and b':' in f[-1]:
                    f[-2] = b'IP6'
                    used.add('addr-family')
                elif f[-2] == b'IP6' and b':' not in f[-1]:
                    f[-2] = b'IP4'
                    used.add('addr-family')
            body = b' '.join(f)
            if ln.startswith(b'o=') and 'o' not in flags and ref is not None:
                rb_ = ref.rstrip(b'\r\n')
                if body != rb_ and f[:4] == rb_.split(b' ')[:4]:
                    body = rb_
                    used.add('o-line')
            ol[n] = body + eol
    return b''.join(ol)


def compare(case, st, msg, mod, r, ctx):
    """Problems (list of str) and deliberate differences used (set)."""
    problems, used = [], set()
    flags = (st.flags or '')
    inp_body = body_of(msg)
    if getattr(r, 'probe_problem', None):
        problems.append(r.probe_problem)

    # commands, with the module's deliberate differences undone
    mcmds = list(mod.cmds)
    streams = sdp_streams(inp_body)
    k = 0
    for n, c in enumerate(mcmds):
        if c[:1] in (b'U', b'L') and streams:
            if n > 0 and mcmds[n - 1] == c:     # a retransmission
                continue
            k += 1
            if k <= len(streams):
                try:
                    new, ch = mod_cmd_undo_z6(c, k, flags, streams)
                except Fail as e:
                    problems.append(str(e))
                    new, ch = c, False
                if ch:
                    used.add('z-6-once')
                # the port token: "U<mods> <cid> <ip> <port> ..."
                f = new.split(b' ')
                if len(f) > 3 and re.fullmatch(rb'\d+/\d+', f[3]):
                    f[3] = f[3].split(b'/')[0]
                    new = b' '.join(f)
                    used.add('port-count')
                mcmds[n] = new
    if case.timeout_socket and mcmds:
        callid = hdr_value(msg, b'call-id')
        ftag = tag_of(hdr_value(msg, b'from'))
        tag = pct(callid + b' ' + ftag)
        sock = case.timeout_socket.encode()
        for n, c in enumerate(mcmds):
            if c[:1] == b'U':
                if c.endswith(b' ' + sock):
                    mcmds[n] = c + b' ' + tag
                else:
                    mcmds[n] = c + b' ' + sock + b' ' + tag
                used.add('timeout-socket')

    want_rc = RC_TO_EXIT.get(mod.rc, 'module rc %r' % mod.rc)
    want_cmds = mcmds
    want_body = None
    bused = set()                     # transformations of the body
    if mod.rc == 1 and st.fn in ('offer', 'answer', 'manage') and \
            any(c[:1] in (b'U', b'L') for c in mod.cmds):
        want_body = undo_body(case, st, inp_body, mod.body, ctx, bused)
    elif mod.rc == 1:
        want_body = inp_body          # D: the message passes unchanged
    # the module's destroy reads the digits of z<n> as flags
    zless = re.sub(r'[zZ]\d+', 'z', flags)
    if st.fn == 'destroy' and mod.rc == -1 and not mod.cmds and \
            zless != flags and all(ch.lower() in FLAG_LETTERS
                                   for ch in zless) and \
            not re.search(r'[123b]', zless):
        d = b'D ' + hdr_value(msg, b'call-id') + b' ' + \
            tag_of(hdr_value(msg, b'from'))
        tt = tag_of(hdr_value(msg, b'to'))
        if tt and 't' not in zless.lower():
            d += b' ' + tt
        want_rc, want_cmds, want_body = 0, [d], inp_body
        used.add('destroy-z-digits')
    # rtpp-destroy reports E<n> to D
    if mod.rc == 1 and any(c[:1] == b'D' for c in mod.cmds) and \
            st.relay_says_e:
        want_rc, want_body = 1, None
        used.add('destroy-E')
    # unknown flag letters
    if mod.rc == -1 and any(ch.lower() not in FLAG_LETTERS for ch in flags):
        want_rc = 2
        used.add('unknown-flag')
    # a bare z: the module sends "Z" without a ptime
    if st.fn != 'destroy' and re.search(r'[zZ](?!\d)', flags):
        want_rc, want_cmds, want_body = 2, [], None
        used.add('bare-z')
    # unsafe Call-ID
    cid = hdr_value(msg, b'call-id') or b''
    if re.search(rb'[\x00-\x20\x7f]', cid):
        want_rc, want_cmds, want_body = 1, [], None
        used.add('unsafe-token')
    # port 0 answered with port 0: the module gives up at that stream
    # (the step says the relay answers the last stream with 0; the module
    # must have sent a U/L for every stream and returned -1)
    if mod.rc == -1 and st.last_answer0 and streams and \
            streams[-1].port == b'0' and \
            sum(1 for c in mod.cmds if c[:1] in (b'U', b'L')) == len(streams):
        want_rc = 0
        eol = b'\r\n' if inp_body.endswith(b'\r\n') else b'\n'
        want_body = undo_body(case, st, inp_body, mod.body + MARKER + eol,
                              ctx, bused)
        used.add('port0-answer0')

    for who, o in (('module', mod), ('rtpp', r)):
        p = cookie_problem(o)
        if p:
            problems.append('%s cookies: %s' % (who, p))
    if r.rc != want_rc:
        problems.append('exit status %s, want %s (module returned %s)%s'
                        % (r.rc, want_rc, mod.rc,
                           ': ' + r.stderr if r.stderr else ''))
    if r.cmds != want_cmds:
        problems.append('commands differ:\n' + fmt_cmds(
            want_cmds, r.cmds, mod.cmds))
    if r.rc == 0 and want_rc == 0 and want_body is not None:
        used |= bused
        if r.body != want_body:
            problems.append('SDP differs:\n' + fmt_diff(want_body, r.body,
                                                        mod.body))
    if r.rc != 0 and r.body:
        problems.append('rtpp failed but wrote output')
    return problems, used


def cookie_problem(o):
    """A fresh cookie per command, the same one for its resends."""
    seen = {}
    prev = None
    for cookie, cmd in zip(o.cookies, o.cmds):
        if prev is not None and prev == (cookie, cmd):
            continue                      # a retransmission
        if cookie in seen:
            return 'cookie %s used again (for %s)' % (esc(cookie), esc(cmd))
        seen[cookie] = cmd
        prev = (cookie, cmd)
    return None


def pct(b):
    out = b''
    for c in b:
        ch = bytes([c])
        if ch.isalnum() or ch in b'-._~@':
            out += ch
        else:
            out += b'%%%02X' % c
    return out


def fmt_cmds(want, got, orig):
    s = '      module (as rtpp should send it):\n'
    s += ''.join('        %s\n' % esc(c) for c in want) or '        (none)\n'
    if orig != want:
        s += '      module (as sent):\n'
        s += ''.join('        %s\n' % esc(c) for c in orig)
    s += '      rtpp:\n'
    s += ''.join('        %s\n' % esc(c) for c in got) or '        (none)\n'
    return s.rstrip('\n')


def fmt_diff(want, got, orig):
    import difflib
    a = [esc(x) for x in lines_keep(want)]
    b = [esc(x) for x in lines_keep(got or b'')]
    d = difflib.unified_diff(a, b, 'module (deliberate differences undone)',
                             'rtpp', lineterm='', n=2)
    return '\n'.join('      ' + x for x in d)


# ---------------------------------------------------------------------------

def check_readme(path):
    """Every item of the README's list of deliberate differences is
    handled here (DELIBERATE) or said to be out of reach (NOT_COVERED)."""
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    try:
        i = lines.index('Where rtpp differs from the module on purpose')
    except ValueError:
        print('not ok: %s has no section "Where rtpp differs from the '
              'module on purpose"' % path)
        return 1
    items = []
    for j in range(i + 2, len(lines)):
        if j + 1 < len(lines) and re.match(r'^-{3,}$', lines[j + 1]):
            break                       # the next section's title
        m = re.match(r'^(?:\d+\.|-)\s+(.*)', lines[j])
        if m:
            items.append(m.group(1))
    bad = 0
    for it in items:
        keys = [k for pat, k in README_ITEMS if it.startswith(pat)]
        if not keys:
            print('not ok: README item not handled by the test: %s' % it)
            bad += 1
            continue
        k = keys[0]
        where = 'compared' if k in DELIBERATE else 'not covered' \
            if k in NOT_COVERED else None
        if where is None:
            print('not ok: README item maps to unknown entry %s' % k)
            bad += 1
        else:
            print('ok %s (%s): %s' % (k, where, it))
    for k, v in DELIBERATE.items():
        if v.startswith('NOT IN THE README LIST'):
            print('# %s: not in the README list (a module bug the test '
                  'accepts)' % k)
    if len(items) < len(README_ITEMS):
        print('not ok: the README lists %d items, the test knows %d'
              % (len(items), len(README_ITEMS)))
        bad += 1
    return 1 if bad else 0


def on_signal(signum, frame):
    raise SystemExit(128 + signum)    # run the finally blocks: stop all


def main():
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--group', action='append', default=[])
    ap.add_argument('--case', action='append', default=[])
    ap.add_argument('--list', action='store_true',
                    help='list the cases')
    ap.add_argument('--deliberate', action='store_true',
                    help='list the deliberate differences and exit')
    ap.add_argument('--check-readme', metavar='README',
                    help='check that every deliberate difference the '
                    'README lists is handled, and exit')
    ap.add_argument('--workdir', default=None)
    ap.add_argument('--keep', action='store_true',
                    help='keep the work directory')
    ap.add_argument('-v', '--verbose', action='count', default=0,
                    help='show the commands (-vv: and the bodies)')
    args = ap.parse_args()
    groups = C.GROUPS
    names = args.group or list(groups)
    for g in names:
        if g not in groups:
            print('unknown group %s (have: %s)' % (g, ' '.join(groups)),
                  file=sys.stderr)
            return 2
    if args.check_readme:
        return check_readme(args.check_readme)
    if args.deliberate:
        for k, v in DELIBERATE.items():
            print('%s\n    %s' % (k, v))
        for k, v in NOT_COVERED.items():
            print('%s (not covered)\n    %s' % (k, v))
        return 0
    if args.list:
        for g in names:
            for c in groups[g]['cases']:
                print('%s/%s\t%s' % (g, c.name, c.doc))
        return 0
    own_wd = args.workdir is None
    if own_wd:
        args.workdir = tempfile.mkdtemp(prefix='kamdiff-')
    else:
        os.makedirs(args.workdir, exist_ok=True)
    t0 = time.monotonic()
    nfail = ntot = 0
    try:
        h = Harness(args)
        for g in names:
            try:
                res = h.run_group(g, groups[g], set(args.case))
            except Fail as e:
                print('not ok %s: %s' % (g, e))
                nfail += 1
                continue
            for name, case, problems, used in res:
                ntot += 1
                note = ''
                if used:
                    note = '  [deliberate: %s]' % ', '.join(sorted(used))
                if case.expect_fail:
                    # a self-check: rtpp is run wrongly on purpose
                    if problems:
                        print('ok %s  (self-check: difference found, as '
                              'it must be)' % name)
                        if args.verbose:
                            for p in problems:
                                print('#   ' + p.replace('\n', '\n#   '))
                    else:
                        nfail += 1
                        print('not ok %s  (self-check: %s, and the harness '
                              'saw no difference)' % (name, case.doc))
                    continue
                if problems:
                    nfail += 1
                    print('not ok %s  (%s)%s' % (name, case.doc, note))
                    if case.known:
                        print('    a difference the README does not list '
                              '(an rtpp bug, or a deliberate difference '
                              'to add): ' + case.known)
                    for p in problems:
                        print('    ' + p.replace('\n', '\n    '))
                else:
                    print('ok %s%s' % (name, note))
    except Fail as e:
        print('not ok: %s' % e)
        return 1
    finally:
        if own_wd and not args.keep and nfail == 0:
            shutil.rmtree(args.workdir, ignore_errors=True)
        elif own_wd:
            print('# work directory kept: %s' % args.workdir)
    print('# %d cases, %d failed, %.1f s' % (ntot, nfail,
                                               time.monotonic() - t0))
    return 1 if nfail else 0


if __name__ == '__main__':
    sys.exit(main())
