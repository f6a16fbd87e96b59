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
#	body_message FILE CALLID PORT	FILE with another Call-ID and port
#	body_mport FILE		the port of FILE's first m=audio
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

# body_message FILE CALLID PORT: the SIP message of FILE with Call-ID
# CALLID and its first m=audio on PORT, Content-Length recounted.
body_message() {
	sed -e "s/1-15483@127.0.0.1/$2/g" -e "s/m=audio [0-9]*/m=audio $3/" "$1" |
	    python3 -c '
import re, sys
d = sys.stdin.buffer.read()
h, b = d.split(b"\r\n\r\n", 1)
h = re.sub(rb"Content-Length: \d+", b"Content-Length: %d" % len(b), h)
sys.stdout.buffer.write(h + b"\r\n\r\n" + b)'
}

# body_mport FILE: the m= port of the first audio stream in FILE.
body_mport() {
	sed -n 's/^m=audio \([0-9]*\) .*/\1/p' "$1" | head -n 1
}
