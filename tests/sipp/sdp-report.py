#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""sdp-report.py - list the SDP bodies in a sipp -trace_msg message log.

  sdp-report.py LOG KIND

LOG is the file written by sipp -trace_msg (-message_file).  KIND chooses
the messages, among those sipp *received*:

  invite   INVITE requests
  ack      ACK requests that carry a body
  answer   1xx/2xx replies to INVITE that carry a body

One tab-separated line per message, in log order:

  CALL-ID  STATUS  C-ADDRS  M-PORTS  MARKERS  LENGTH-OK  BODY-SHA1

STATUS is the reply code (or INVITE); C-ADDRS the addresses of every c=
line (comma-separated, session and media level), M-PORTS the ports of
every m= line; MARKERS the number of a=nortpproxy:yes lines; LENGTH-OK is
1 if Content-Length equals the body's length in bytes, else 0; BODY-SHA1
the SHA-1 of the body ("-" if there is none).  Only the standard library
is used; the file is read once.
"""

import hashlib
import re
import sys

SEP = re.compile(r"^-{20,}.*$", re.M)


def header(head, name, compact=None):
    for line in head.split("\r\n")[1:]:
        k, _, v = line.partition(":")
        k = k.strip().lower()
        if k == name or (compact and k == compact):
            return v.strip()
    return ""


def main(argv):
    if len(argv) != 3 or argv[2] not in ("invite", "ack", "answer"):
        sys.stderr.write("usage: sdp-report.py LOG invite|ack|answer\n")
        return 2
    kind = argv[2]
    with open(argv[1], "rb") as f:
        data = f.read().decode("utf-8", "replace")
    for block in SEP.split(data):
        lines = block.lstrip("\r\n").split("\n", 1)
        # "UDP message received [N] bytes :", or "Dead call ID received a
        # UDP message:" for one that came after its call had ended
        if len(lines) < 2 or not re.search(r"message received|received a \S+ message",
                                           lines[0]):
            continue
        msg = lines[1].lstrip("\r\n")
        # sipp logs the message as received (CRLF), then a blank line.
        head, sep, body = msg.partition("\r\n\r\n")
        if not sep:
            continue
        first = head.split("\r\n", 1)[0]
        cseq = header(head, "cseq")
        if kind in ("invite", "ack"):
            if not first.startswith(kind.upper() + " "):
                continue
            status = kind.upper()
        else:
            m = re.match(r"SIP/2\.0 ([12]\d\d) ", first)
            if not m or not cseq.endswith("INVITE"):
                continue
            status = m.group(1)
        clen = header(head, "content-length", "l")
        try:
            n = int(clen)
        except ValueError:
            n = -1
        raw = body.encode("utf-8", "surrogateescape")
        # sipp may add trailing newlines after the message in its log
        body_msg = raw[:n] if 0 <= n <= len(raw) else raw
        length_ok = 1 if n == len(body_msg) and raw[n:].strip() == b"" else 0
        if kind != "invite" and n <= 0:
            continue
        text = body_msg.decode("utf-8", "replace")
        caddrs = re.findall(r"^c=IN IP[46] (\S+)\r?$", text, re.M)
        mports = re.findall(r"^m=\S+ (\d+)", text, re.M)
        markers = len(re.findall(r"^a=nortpproxy:yes\r?$", text, re.M))
        sha = hashlib.sha1(body_msg).hexdigest() if body_msg else "-"
        print("\t".join([header(head, "call-id", "i"), status,
                         ",".join(caddrs) or "-", ",".join(mports) or "-",
                         str(markers), str(length_ok), sha]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
