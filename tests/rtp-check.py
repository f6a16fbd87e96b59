#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""rtp-check.py - check that RTP flows both ways through a media relay.

Two parties are simulated on loopback:

  party A (the caller) is bound to 127.0.0.1:--a-port and sends to --a-sends-to
  party B (the callee) is bound to 127.0.0.1:--b-port and sends to --b-sends-to

With the rtpproxy control protocol, A is the address given in the U (offer)
command and B the one given in the L (answer) command; A must send to the port
in the *L* reply and B to the port in the *U* reply:

  rtp-check.py --a-port 40000 --b-port 40002 \\
      --a-sends-to 127.0.0.1:<L reply port> --b-sends-to 127.0.0.1:<U reply port>

A sends RTP packets (version 2, PT 0, SSRC 0xA, 160 bytes of payload), B the
same with SSRC 0xB.  Because relays latch on the first packet they see,
sending alternates between A and B for --rounds rounds of --count packets each,
--gap-ms apart; afterwards the script waits at most --timeout seconds for the
packets still in flight (it stops early once everything has arrived).

A packet counts for a direction only if it is a well-formed RTP packet with
the sender's SSRC and this run's nonce in its payload, and it arrived from the
relay: its source host is the host of the address the receiving party sends
to, and it is not the peer's own socket (a packet sent straight from the peer
is reported as "direct" and does not count).  With --strict-source the source
must be exactly the address the receiving party sends to (what a symmetric
relay such as rtpengine or Sippy rtpproxy does).

Output: one line per direction, e.g.

  a->b 15/15 from 127.0.0.1:30000 ssrc=0xa
  b->a 15/15 from 127.0.0.1:30018 ssrc=0xb

(the "from" address is the source of the packets the receiving party got,
i.e. the relay port), or with --json a single JSON object on stdout.

Exit status: 0 if at least --min-packets (default 1) packets made it in each
direction (--require-both, the default) or in at least one direction
(--no-require-both); 1 if not; 2 on a usage or socket error.

Only the Python 3 standard library is used, and only the given addresses are
contacted.  The run is bounded: at most rounds*count packets per party and
about rounds*count*gap + timeout seconds.
"""

import argparse
import json
import os
import select
import socket
import struct
import sys
import time

RTP_HEADER = struct.Struct("!BBHII")
PAYLOAD_LEN = 160
NONCE_LEN = 8
SSRC_A = 0xA
SSRC_B = 0xB
PT_PCMU = 0
MAX_PACKETS = 10000


def parse_hostport(text):
    """Parse HOST:PORT (IPv4 or hostname) into (host, port)."""
    host, sep, port = text.rpartition(":")
    if not sep or not host:
        raise argparse.ArgumentTypeError("expected HOST:PORT, got %r" % text)
    host = host.strip("[]")
    try:
        port = int(port)
    except ValueError:
        raise argparse.ArgumentTypeError("bad port in %r" % text) from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError("port out of range in %r" % text)
    return host, port


def port_number(text):
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("bad port %r" % text) from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError("port out of range: %r" % text)
    return port


def build_packet(ssrc, seq, nonce, marker=False):
    byte0 = 0x80  # V=2, P=0, X=0, CC=0
    byte1 = (0x80 if marker else 0) | PT_PCMU
    header = RTP_HEADER.pack(byte0, byte1, seq & 0xFFFF,
                             (seq * PAYLOAD_LEN) & 0xFFFFFFFF, ssrc)
    return header + nonce + b"\xff" * (PAYLOAD_LEN - NONCE_LEN)


def fmt_addr(addr):
    return "%s:%d" % (addr[0], addr[1])


class Party:
    def __init__(self, name, ssrc, bind_host, port, sends_to):
        self.name = name
        self.ssrc = ssrc
        self.sends_to = sends_to
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((bind_host, port))
        self.sock.setblocking(False)
        self.addr = self.sock.getsockname()
        self.seq = 0
        self.sent = 0
        self.send_errors = 0


class Direction:
    """Packets from party `src` as seen by party `dst`."""

    def __init__(self, src, dst, strict):
        self.src = src
        self.dst = dst
        self.strict = strict
        self.received = 0       # valid, via the relay, unique sequence numbers
        self.duplicates = 0
        self.direct = 0         # valid but sent straight from the peer socket
        self.wrong_source = 0   # valid but from an unexpected address
        self.sources = []       # relay addresses the valid packets came from
        self.seqs = set()

    @property
    def label(self):
        return "%s->%s" % (self.src.name, self.dst.name)

    def expected_source_ok(self, addr):
        relay = self.dst.sends_to
        if self.strict:
            return addr[0] == relay[0] and addr[1] == relay[1]
        return addr[0] == relay[0]

    def account(self, seq, addr):
        if addr[0] == self.src.addr[0] and addr[1] == self.src.addr[1]:
            self.direct += 1
            return
        if not self.expected_source_ok(addr):
            self.wrong_source += 1
            return
        if seq in self.seqs:
            self.duplicates += 1
            return
        self.seqs.add(seq)
        self.received += 1
        a = fmt_addr(addr)
        if a not in self.sources:
            self.sources.append(a)

    def as_dict(self):
        return {
            "direction": self.label,
            "sent": self.src.sent,
            "received": self.received,
            "from": self.sources,
            "ssrc": "0x%x" % self.src.ssrc,
            "sender": fmt_addr(self.src.addr),
            "sender_sends_to": fmt_addr(self.src.sends_to),
            "receiver": fmt_addr(self.dst.addr),
            "duplicates": self.duplicates,
            "direct": self.direct,
            "wrong_source": self.wrong_source,
        }

    def line(self):
        src = ",".join(self.sources) if self.sources else "-"
        text = "%s %d/%d from %s ssrc=0x%x" % (
            self.label, self.received, self.src.sent, src, self.src.ssrc)
        extras = []
        for key in ("duplicates", "direct", "wrong_source"):
            val = getattr(self, key)
            if val:
                extras.append("%s=%d" % (key, val))
        if extras:
            text += " " + " ".join(extras)
        return text


def drain(party, directions, nonce, stats):
    """Read everything queued on party's socket (non-blocking)."""
    for _ in range(MAX_PACKETS):
        try:
            data, addr = party.sock.recvfrom(4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            # e.g. ECONNREFUSED reported for an earlier send; ignore.
            stats["socket_errors"] += 1
            continue
        if len(data) < RTP_HEADER.size + NONCE_LEN:
            stats["foreign"] += 1
            continue
        byte0, _byte1, seq, _ts, ssrc = RTP_HEADER.unpack_from(data)
        payload = data[RTP_HEADER.size:]
        if byte0 >> 6 != 2 or payload[:NONCE_LEN] != nonce:
            stats["foreign"] += 1
            continue
        direction = directions.get((ssrc, party.name))
        if direction is None:
            stats["foreign"] += 1
            continue
        direction.account(seq, addr)


def wait_and_drain(parties, directions, nonce, stats, seconds):
    deadline = time.monotonic() + max(0.0, seconds)
    socks = {p.sock: p for p in parties}
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        readable, _, _ = select.select(list(socks), [], [], left)
        for s in readable:
            drain(socks[s], directions, nonce, stats)


def send_one(party, nonce, stats):
    pkt = build_packet(party.ssrc, party.seq, nonce, marker=(party.seq == 0))
    party.seq += 1
    try:
        party.sock.sendto(pkt, party.sends_to)
        party.sent += 1
    except OSError:
        party.send_errors += 1
        stats["send_errors"] += 1


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Check that RTP flows both ways through a media relay.",
        epilog="Exit 0 on success, 1 if media did not flow, 2 on error.")
    ap.add_argument("--a-port", type=port_number, required=True,
                    help="local UDP port of party A (caller, the U address)")
    ap.add_argument("--b-port", type=port_number, required=True,
                    help="local UDP port of party B (callee, the L address)")
    ap.add_argument("--a-sends-to", type=parse_hostport, required=True,
                    metavar="HOST:PORT",
                    help="where A sends: the relay port given to A "
                         "(rtpproxy protocol: the L reply)")
    ap.add_argument("--b-sends-to", type=parse_hostport, required=True,
                    metavar="HOST:PORT",
                    help="where B sends: the relay port given to B "
                         "(rtpproxy protocol: the U reply)")
    ap.add_argument("--bind-host", default="127.0.0.1",
                    help="local address for both parties (default 127.0.0.1)")
    ap.add_argument("--count", type=int, default=5,
                    help="packets per party per round (default 5)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="rounds of alternating sending (default 3)")
    ap.add_argument("--gap-ms", type=float, default=20.0,
                    help="gap between packets in ms (default 20)")
    ap.add_argument("--timeout", type=float, default=2.0,
                    help="max seconds to wait for late packets after "
                         "sending (default 2)")
    ap.add_argument("--min-packets", type=int, default=1,
                    help="packets a direction needs to count as flowing "
                         "(default 1)")
    both = ap.add_mutually_exclusive_group()
    both.add_argument("--require-both", dest="require_both",
                      action="store_true", default=True,
                      help="succeed only if media flowed both ways (default)")
    both.add_argument("--no-require-both", dest="require_both",
                      action="store_false",
                      help="succeed if media flowed in at least one direction")
    ap.add_argument("--strict-source", action="store_true",
                    help="require packets to come from exactly the address "
                         "the receiving party sends to (symmetric relay)")
    ap.add_argument("--json", action="store_true",
                    help="print a JSON object instead of text lines")
    args = ap.parse_args(argv)

    if not 1 <= args.count <= 1000:
        ap.error("--count must be 1..1000")
    if not 1 <= args.rounds <= 100:
        ap.error("--rounds must be 1..100")
    if not 0 <= args.gap_ms <= 1000:
        ap.error("--gap-ms must be 0..1000")
    if not 0 < args.timeout <= 60:
        ap.error("--timeout must be in (0, 60]")
    if args.min_packets < 1:
        ap.error("--min-packets must be >= 1")
    if args.a_port == args.b_port:
        ap.error("--a-port and --b-port must differ")

    try:
        a = Party("a", SSRC_A, args.bind_host, args.a_port, args.a_sends_to)
        b = Party("b", SSRC_B, args.bind_host, args.b_port, args.b_sends_to)
    except OSError as e:
        print("rtp-check: cannot bind: %s" % e, file=sys.stderr)
        return 2

    a_to_b = Direction(a, b, args.strict_source)
    b_to_a = Direction(b, a, args.strict_source)
    # (ssrc, receiving party name) -> Direction
    directions = {(SSRC_A, "b"): a_to_b, (SSRC_B, "a"): b_to_a}
    stats = {"foreign": 0, "send_errors": 0, "socket_errors": 0}
    nonce = os.urandom(NONCE_LEN)
    gap = args.gap_ms / 1000.0
    parties = (a, b)
    started = time.monotonic()

    for rnd in range(args.rounds):
        # Alternate which party starts a round, so neither is always first.
        order = (a, b) if rnd % 2 == 0 else (b, a)
        for _ in range(args.count):
            for p in order:
                send_one(p, nonce, stats)
            wait_and_drain(parties, directions, nonce, stats, gap)

    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if a_to_b.received >= a.sent and b_to_a.received >= b.sent:
            break
        wait_and_drain(parties, directions, nonce, stats,
                       min(0.05, max(0.0, deadline - time.monotonic())))
    for p in parties:
        drain(p, directions, nonce, stats)
        p.sock.close()

    flowing = [d.received >= args.min_packets for d in (a_to_b, b_to_a)]
    ok = all(flowing) if args.require_both else any(flowing)

    if args.json:
        result = {
            "ok": ok,
            "require_both": args.require_both,
            "strict_source": args.strict_source,
            "min_packets": args.min_packets,
            "a_to_b": a_to_b.as_dict(),
            "b_to_a": b_to_a.as_dict(),
            "foreign": stats["foreign"],
            "send_errors": stats["send_errors"],
            "socket_errors": stats["socket_errors"],
            "elapsed": round(time.monotonic() - started, 3),
        }
        print(json.dumps(result, sort_keys=True))
    else:
        # the report before any complaint, however stdout is buffered
        print(a_to_b.line())
        print(b_to_a.line(), flush=True)
        if stats["foreign"] or stats["send_errors"]:
            print("rtp-check: note: foreign=%d send_errors=%d" % (
                stats["foreign"], stats["send_errors"]), file=sys.stderr)
        if not ok:
            print("rtp-check: FAIL: media did not flow %s" % (
                "both ways" if args.require_both else "in either direction"),
                file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
