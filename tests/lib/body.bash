# SPDX-License-Identifier: BSD-2-Clause
# body.bash - check SIP message bodies byte for byte from bats tests.
#
#	load lib/body
#	body_check IN OUT	Content-Length of OUT is its body's length,
#				and every body part of IN that is not
#				application/sdp is in OUT byte for byte (a
#				single-part body: OUT's body equals IN's
#				unless IN's is SDP); prints OUT's SDP
#	body_clen FILE		the Content-Length of FILE's message
#
# Messages are read as bytes: parts may be binary (SIP-I's ISUP).

_body_py='
import re, sys

def split(d):
    i = d.find(b"\r\n\r\n")
    j = d.find(b"\n\n")
    if i < 0 or (0 <= j < i):
        return d[:j], d[j + 2:]
    return d[:i], d[i + 4:]

def hdr(head, name):
    m = re.search(rb"(?im)^" + name + rb"[ \t]*:[ \t]*([^\r\n]*)", head)
    return m.group(1).strip() if m else None

def parts(head, body):
    ct = hdr(head, b"content-type") or b""
    m = re.search(rb"boundary=\"?([^\";\s]+)", ct)
    if not ct.lower().startswith(b"multipart/") or not m:
        return [(ct, body)]
    bd = b"--" + m.group(1)
    out = []
    for chunk in body.split(b"\r\n" + bd)[1:] if not body.startswith(bd) \
            else (b"\r\n" + body).split(b"\r\n" + bd)[1:]:
        if chunk.startswith(b"--"):
            break
        ph, pb = split(chunk.split(b"\r\n", 1)[1])
        out.append((hdr(ph, b"content-type") or b"", pb))
    return out

mode, a = sys.argv[1], open(sys.argv[2], "rb").read()
ha, ba = split(a)
if mode == "clen":
    print(int(hdr(ha, rb"(?:content-length|l)")))
    sys.exit(0)
b = open(sys.argv[3], "rb").read()
hb, bb = split(b)
n = int(hdr(hb, rb"(?:content-length|l)"))
if n != len(bb):
    sys.exit("Content-Length %d, body %d bytes" % (n, len(bb)))
pa, pb = parts(ha, ba), parts(hb, bb)
if len(pa) != len(pb):
    sys.exit("%d parts in, %d out" % (len(pa), len(pb)))
sdp = None
for (ta, xa), (tb, xb) in zip(pa, pb):
    if ta != tb:
        sys.exit("part type %r became %r" % (ta, tb))
    if ta.lower().startswith(b"application/sdp"):
        sdp = xb
    elif xa != xb:
        sys.exit("a %s part changed: %r -> %r" % (ta.decode(errors="replace"),
                 xa[:80], xb[:80]))
if sdp is not None:
    sys.stdout.buffer.write(sdp)
'

body_check() {
	python3 -c "$_body_py" check "$1" "$2"
}

body_clen() {
	python3 -c "$_body_py" clen "$1"
}
