# SPDX-License-Identifier: BSD-2-Clause
"""cases.py: the case list of the differential test (tests/diff/kamdiff.py).

A case is a short SIP exchange through Kamailio; each step is one message
(a request from the UAC or the UAS' reply to the last forwarded INVITE)
on which Kamailio runs a function of the rtpproxy module and rtpp runs
the matching tool.  A group is one Kamailio instance (one bats @test).

Messages come from tests/fixtures: SIP messages as they are, bare SDPs
put into invite.sip (sdp_in), a few variants made by editing the corpus.
The harness adds X-Test/X-Step headers and makes the top Via branch
unique; a reply takes the forwarded request's Via headers and CSeq.
"""

import re


class Step:
    def __init__(self, kind, msg, fn=None, flags='', ip=None, fwd=None,
                 rules=(), headers=(), ice_avp=None, rtpp_opts=(),
                 bare=False, relay_says_e=False, last_answer0=False,
                 null_reply=False, rtpp_flags=None):
        self.kind = kind          # 'req' (from the UAC) or 'rep' (UAS)
        self.msg = msg            # fixture name, bytes or builder
        self.fn = fn              # offer answer destroy manage, or None
        self.flags = flags
        self.ip = ip
        self.fwd = fwd            # 'tm' or 'sl' (default: the case's)
        self.rules = list(rules)  # fake-relay rules tried before the base
        self.headers = [h.encode() for h in headers]
        self.ice_avp = ice_avp    # None (unset), '0', '1' or '2'
        self.rtpp_opts = list(rtpp_opts)
        self.bare = bare          # also run rtpp on the bare SDP
        self.relay_says_e = relay_says_e
        self.last_answer0 = last_answer0  # the last stream is answered 0
        self.null_reply = null_reply      # a stream is answered 0.0.0.0
        self.rtpp_flags = rtpp_flags      # flags for rtpp, if not flags
        self.stop_on_fail = True

    def label(self):
        m = self.msg if isinstance(self.msg, str) else getattr(
            self.msg, 'label', 'message')
        s = '%s %s' % (self.fn or 'forward', m)
        if self.flags:
            s += ' flags=%s' % self.flags
        if self.ip:
            s += ' ip=%s' % self.ip
        return s


def req(msg, fn=None, flags='', ip=None, **kw):
    return Step('req', msg, fn, flags, ip, **kw)


def rep(msg, fn=None, flags='', ip=None, **kw):
    return Step('rep', msg, fn, flags, ip, **kw)


class Case:
    def __init__(self, name, doc, steps, caps=False, tm=False,
                 rtpp_opts=(), timeout_socket=None, ice=False, known=None,
                 expect_fail=False):
        self.name, self.doc, self.steps = name, doc, steps
        self.caps = caps          # use the relay that has rep and ptl
        self.tm = tm              # INVITEs through t_relay (replies in tm)
        self.rtpp_opts = list(rtpp_opts)
        self.timeout_socket = timeout_socket
        self.ice = ice
        self.known = known        # why this case fails, if it does
        self.expect_fail = expect_fail  # a self-check of the harness


# -- message builders: called with the harness' loader ----------------------

def _named(label, fn):
    fn.label = label
    return fn


def sdp_in(sdp, into='invite.sip'):
    """A bare SDP of the corpus as the body of a SIP message."""
    def build(load):
        from kamdiff import with_body
        return with_body(load(into), load(sdp))
    return _named('%s in %s' % (sdp, into), build)


def sdp_text(label, text, into='invite.sip'):
    """An SDP written here (LF line ends) in a SIP message."""
    def build(load):
        from kamdiff import with_body
        return with_body(load(into), text.encode())
    return _named(label, build)


def _name(msg):
    return msg if isinstance(msg, str) else msg.label


def no_body(msg):
    def build(load):
        from kamdiff import with_body
        return with_body(load(msg), b'')
    return _named('%s without body' % _name(msg), build)


def edit(msg, old, new, label=None):
    """Replace every old by new (a method name in the start line and
    the CSeq, a header value)."""
    def build(load):
        raw = load(msg)
        if old.encode() not in raw:
            raise ValueError('%r not in %s' % (old, _name(msg)))
        return raw.replace(old.encode(), new.encode())
    return _named(label or '%s (%s)' % (_name(msg), new.strip()), build)


def status(msg, line, body=False):
    """A reply template with another status line (and no body)."""
    def build(load):
        from kamdiff import with_body
        raw = load(msg) if body else with_body(load(msg), b'')
        return re.sub(rb'^SIP/2\.0 [^\r\n]*', line.encode(), raw, count=1)
    return _named('%s as "%s"' % (_name(msg), line), build)


TWO6 = """v=0
o=- 12 12 IN IP6 2001:db8::5
s=-
c=IN IP6 2001:db8::5
t=0 0
m=audio 22000 RTP/AVP 0
m=video 22002 RTP/AVP 96
a=rtpmap:96 H264/90000
"""

MIXED = """v=0
o=- 13 13 IN IP4 198.51.100.7
s=-
c=IN IP4 198.51.100.7
t=0 0
m=audio 20000 RTP/AVP 0
m=audio 22000 RTP/AVP 8
c=IN IP6 2001:db8::5
"""

MIXED6 = """v=0
o=- 14 14 IN IP6 2001:db8::5
s=-
c=IN IP6 2001:db8::5
t=0 0
m=audio 22000 RTP/AVP 0
m=audio 20000 RTP/AVP 8
c=IN IP4 198.51.100.7
"""

NONRTP = """v=0
o=- 15 15 IN IP4 198.51.100.7
s=-
c=IN IP4 198.51.100.7
t=0 0
m=application 9 TCP/MRCPv2 1
m=audio 20000 RTP/SAVP 0 101
"""

REL = '[UL]*;%d -> reply %s'      # a rule for stream N

# -- the groups ---------------------------------------------------------------

GROUPS = {}


def group(name, cases, config=()):
    GROUPS[name] = {'cases': cases, 'config': list(config)}


group('offer', [
    Case('invite', 'rtpproxy_offer() on the corpus INVITE',
         [req('invite.sip', 'offer', bare=True)]),
    Case('invite-ar', 'flags ar: UA with the SDP address',
         [req('invite.sip', 'offer', 'ar')]),
    Case('invite-r', 'flag r', [req('invite.sip', 'offer', 'r')]),
    Case('invite-a', 'flag a', [req('invite.sip', 'offer', 'a')]),
    Case('invite-iew', 'flags i e w in order', [req('invite.sip', 'offer',
                                                    'iew')]),
    Case('invite-wei', 'flags w e i in order', [req('invite.sip', 'offer',
                                                    'wei')]),
    Case('invite-x', 'flag x on IPv4 media', [req('invite.sip', 'offer',
                                                  'x')]),
    Case('invite-o', 'flag o: both rewrite o=', [req('invite.sip', 'offer',
                                                     'o')]),
    Case('invite-upper', 'upper-case flags ARIEWOC', [req('invite.sip',
                                                          'offer',
                                                          'ARIEWOC')]),
    Case('invite-t', 'flag t: ignored by offer', [req('invite.sip', 'offer',
                                                      't')]),
    Case('invite-f', 'flag f without a marker: no effect',
         [req('invite.sip', 'offer', 'f')]),
    Case('invite-c', 'flag c, no stream c= of its own', [req(
        'invite.sip', 'offer', 'c')]),
    Case('invite-ip', 'ip argument', [req('invite.sip', 'offer', '',
                                          '203.0.113.7')]),
    Case('invite-ar-ip', 'flags ar and ip argument',
         [req('invite.sip', 'offer', 'ar', '203.0.113.7', bare=True)]),
    Case('invite-ip6-arg', 'IPv6 ip argument, IPv4 reply (family)',
         [req('invite.sip', 'offer', '', '2001:db8::1')]),
    Case('invite-reply-1tok', 'relay answers only a port',
         [req('invite.sip', 'offer', rules=[REL % (1, '31010')])]),
    Case('invite-reply-1tok-ip', 'only a port, ip argument',
         [req('invite.sip', 'offer', '', '203.0.113.7',
              rules=[REL % (1, '31010')])]),
    Case('invite-reply-3tok', 'reply with family token 4',
         [req('invite.sip', 'offer', rules=[REL % (1, '31010 192.0.2.9 4')])]),
    Case('invite-reply-v6', 'IPv4 SDP, IPv6 reply (family change)',
         [req('invite.sip', 'offer',
              rules=[REL % (1, '31010 2001:db8::10 6')])]),
    Case('reinvite', 'offer in a re-INVITE: U F;1 T;1',
         [req('reinvite.sip', 'offer', bare=True)]),
    Case('reinvite-l', 'flag l in a re-INVITE: L T;1 F;1',
         [req('reinvite.sip', 'offer', 'l')]),
    Case('invite-l', 'flag l without To-tag: -1',
         [req('invite.sip', 'offer', 'l')]),
    Case('answer-invite', 'rtpproxy_answer on an INVITE: -1',
         [req('invite.sip', 'answer')]),
    Case('compact-lf', 'compact headers, LF line ends',
         [req('compact-lf.sip', 'offer')]),
    Case('compact-lf-ar', 'compact headers, flags ar',
         [req('compact-lf.sip', 'offer', 'ar')]),
    Case('multipart', 'multipart/mixed body', [req('multipart.sip',
                                                   'offer')]),
    Case('multipart-o', 'multipart/mixed body, flag o',
         [req('multipart.sip', 'offer', 'o')]),
    Case('marked', 'marker present: module -2, rtpp exit 4, nothing sent',
         [req(sdp_in('marked.sdp'), 'offer')]),
    Case('marked-f', 'marker present, flag f: proxied, no second marker',
         [req(sdp_in('marked.sdp'), 'offer', 'f')]),
    Case('flag-q', 'unknown flag q', [req('invite.sip', 'offer', 'aq')]),
    Case('relay-E', 'relay answers E8', [req('invite.sip', 'offer',
                                             rules=[REL % (1, 'E8')])]),
    Case('relay-port0', 'relay answers port 0 for a real stream',
         [req('invite.sip', 'offer', rules=[REL % (1, '0')])]),
    Case('b-unset', 'flag b without extra_id_pv: ignored',
         [req('invite.sip', 'offer', 'b')]),
    Case('unsafe-callid', 'Call-ID with a space',
         [req(edit('invite.sip', 'Call-ID: 1-15483@127.0.0.1',
                   'Call-ID: 1-15483 x@127.0.0.1'), 'offer')]),
])

SELF = [
    Case('self-marker', 'rtpp with another marker: SDP must differ',
         [req('invite.sip', 'offer',
              rtpp_opts=['--nortpproxy-str', 'a=other:yes'])],
         expect_fail=True),
    Case('self-source', 'rtpp with another source address: U must differ',
         [req('invite.sip', 'offer', rtpp_opts=['--source-ip',
                                                '127.0.0.99'])],
         expect_fail=True),
    Case('self-o', 'flag o for rtpp only: o= must differ',
         [req('invite.sip', 'offer', 'ar', rtpp_flags='aro')],
         expect_fail=True),
    Case('self-local', 'port-only reply, rtpp with another local address',
         [req('invite.sip', 'offer', rules=[REL % (1, '31010')],
              rtpp_opts=['--local-ip', '127.0.0.98'])], expect_fail=True),
]
GROUPS['offer']['cases'] += SELF

group('reply', [
    Case('offer-answer', 'INVITE offer, 200 answer (L F;1 T;1)',
         [req('invite.sip', 'offer'), rep('ok.sip', 'answer', bare=True)],
         tm=True),
    Case('offer-answer-ar', 'flags ar on both sides',
         [req('invite.sip', 'offer', 'ar'), rep('ok.sip', 'answer', 'ar')],
         tm=True),
    Case('answer-ip', 'answer with ip argument and flags ie',
         [req('invite.sip', 'offer'),
          rep('ok.sip', 'answer', 'ie', '203.0.113.8')], tm=True),
    Case('answer-o', 'answer with flag o',
         [req('invite.sip', 'offer'), rep('ok.sip', 'answer', 'o')],
         tm=True),
    Case('late-offer', 'INVITE without SDP, offer in 200 (U T;1 F;1), '
         'answer in ACK (L T;1 F;1)',
         [req(no_body('invite.sip')), rep('late-200.sip', 'offer',
                                          bare=True),
          req('ack.sip', 'answer', bare=True)], tm=True),
    Case('late-offer-l', 'flag l in a 200 (L F;1 T;1)',
         [req(no_body('invite.sip')), rep('late-200.sip', 'offer', 'l')],
         tm=True),
    Case('answer-l', 'rtpproxy_answer with flag l in a 200',
         [req('invite.sip', 'offer'), rep('ok.sip', 'answer', 'l')],
         tm=True,
         known='the module returns -1 (a failure, exit 1); rtpp-answer '
         'calls it a usage error (exit 2), which the README does not list'),
    Case('ack-answer-ar', 'answer in an ACK with flags ar',
         [req('ack.sip', 'answer', 'ar')]),
    Case('stateless-reply', 'answer in a statelessly forwarded 200',
         [req('invite.sip', 'offer'), rep('ok.sip', 'answer')]),
    Case('reinvite-answer', 're-INVITE offer and its 200 answer',
         [req('reinvite.sip', 'offer'), rep('ok.sip', 'answer')], tm=True),
])

group('branch', [
    Case('req-1', 'flag 1 on a request: Call-ID;branch of Via 1',
         [req('compact-lf.sip', 'offer', '1')]),
    Case('req-2', 'flag 2 on a request: Via 2',
         [req('compact-lf.sip', 'offer', '2')]),
    Case('req-3', 'flag 3 on a request',
         [req('compact-lf.sip', 'offer', '3')],
         known='the module reads flag 3 as "Via 1 in a request, Via 2 in '
         'a reply"; rtpp uses Via 3'),
    Case('req-2-one-via', 'flag 2, one Via: -1',
         [req('invite.sip', 'offer', '2')]),
    Case('rep-1', 'flag 1 on a reply: Kamailio\'s own Via',
         [req('invite.sip', 'offer'), rep('ok.sip', 'answer', '1')],
         tm=True),
    Case('rep-2', 'flag 2 on a reply',
         [req('invite.sip', 'offer'), rep('ok.sip', 'answer', '2')],
         tm=True),
    Case('rep-3', 'flag 3 on a reply',
         [req('invite.sip', 'offer'), rep('ok.sip', 'answer', '3')],
         tm=True,
         known='the module reads flag 3 as Via 2 in a reply; rtpp uses '
         'Via 3, which a reply with two Vias does not have'),
    Case('b', 'flag b with extra_id_pv set ($hdr(X-Extra))',
         [req('invite.sip', 'offer', 'b', headers=['X-Extra: leg7'])]),
    Case('1-and-b', 'flags 1 and b: the branch wins',
         [req('invite.sip', 'offer', 'b1', headers=['X-Extra: leg7'])]),
    Case('destroy-1', 'rtpproxy_destroy("1")',
         [req('bye.sip', 'destroy', '1')]),
    Case('destroy-b', 'rtpproxy_destroy("b")',
         [req('bye.sip', 'destroy', 'b', headers=['X-Extra: leg7'])]),
], config=['modparam("rtpproxy", "extra_id_pv", "$hdr(X-Extra)")'])

group('caps', [
    Case('codecs', 'VF 20081102: codec list c0,8,101',
         [req('invite.sip', 'offer')], caps=True),
    Case('z20', 'VF 20071116: Z20', [req('invite.sip', 'offer', 'z20')],
         caps=True),
    Case('z20-plain', 'z20 without rep: Z dropped',
         [req('invite.sip', 'offer', 'z20')]),
    Case('answer-codecs', '200 answer with codec list and z30',
         [req('invite.sip', 'offer'), rep('ok.sip', 'answer', 'z30')],
         caps=True, tm=True),
    Case('three-rz30', 'three streams, rz30: Z accumulates in the module',
         [req(sdp_in('three.sdp'), 'offer', 'rz30',
              rules=['U* -> reply 31000 198.18.0.1'])], caps=True),
    Case('two6-x', 'two IPv6 streams, x: 6 accumulates in the module',
         [req(sdp_text('two IPv6 streams', TWO6), 'offer', 'x',
              rules=['U* -> reply 31000 2001:db8::10 6'])], caps=True),
    Case('two6-rz20', 'two IPv6 streams, rz20: 6 and Z accumulate',
         [req(sdp_text('two IPv6 streams', TWO6), 'offer', 'rz20',
              rules=['U* -> reply 31000 2001:db8::10 6'])], caps=True),
    Case('mixed-x', 'IPv4 then IPv6 stream, flag x',
         [req(sdp_text('IPv4 + IPv6 streams', MIXED), 'offer', 'x')],
         caps=True,
         known='the module adds IE/EI once, for the first stream\'s '
         'family, and keeps it for every stream; rtpp chooses per stream'),
    Case('mixed6-x', 'IPv6 then IPv4 stream, flag x',
         [req(sdp_text('IPv6 + IPv4 streams', MIXED6), 'offer', 'x')],
         caps=True,
         known='as mixed-x; also the module keeps the 6 of stream 1 for '
         'stream 2 (undone as deliberate difference 2)'),
    Case('non-rtp', 'TCP/MRCPv2 stream: no codec list; RTP/SAVP: one',
         [req(sdp_text('MRCP + SAVP', NONRTP), 'offer')], caps=True),
    Case('z-bare', 'flag z without digits',
         [req('invite.sip', 'offer', 'z')], caps=True,
         known='the module sends a bare Z (UZc0,8,101); rtpp refuses the '
         'flags with exit 2 ("z needs a ptime"), which the README does '
         'not list as a difference'),
])

group('sdp', [
    Case('hold', 'c=0.0.0.0 stays (hold)', [req(sdp_in('hold.sdp'),
                                                'offer', bare=True)]),
    Case('hold-o', 'hold with flag o: o= gets 0.0.0.0',
         [req(sdp_in('hold.sdp'), 'offer', 'o')]),
    Case('ipv6', 'IPv6 SDP, IPv6 reply', [req(
        sdp_in('ipv6.sdp'), 'offer', rules=[REL % (1, '31010 2001:db8::10 6')],
        bare=True)]),
    Case('ipv6-o', 'IPv6 SDP, flag o', [req(
        sdp_in('ipv6.sdp'), 'offer', 'o',
        rules=[REL % (1, '31010 2001:db8::10 6')])]),
    Case('ipv6-v4reply', 'IPv6 SDP, IPv4 reply: family change',
         [req(sdp_in('ipv6.sdp'), 'offer', 'o')]),
    Case('ipv6-1tok', 'IPv6 SDP, relay answers only a port',
         [req(sdp_in('ipv6.sdp'), 'offer', 'r', rules=[REL % (1, '31010')])]),
    Case('ipv6-ip-v4reply', 'IPv6 SDP, IPv6 ip argument, IPv4 reply',
         [req(sdp_in('ipv6.sdp'), 'offer', '', '2001:db8::1')]),
    Case('media-c', 'stream c= only', [req(sdp_in('media-c.sdp'),
                                          'offer')]),
    Case('media-c-c', 'stream c=, flag c: session c= too',
         [req(sdp_in('media-c.sdp'), 'offer', 'c')]),
    Case('three', 'three streams: rtcp, stream c=, port 0',
         [req(sdp_in('three.sdp'), 'offer', bare=True)]),
    Case('three-co', 'three streams, flags co',
         [req(sdp_in('three.sdp'), 'offer', 'co')]),
    Case('three-answer', 'three streams in an ACK answer',
         [req(sdp_in('three.sdp', 'ack.sip'), 'answer')]),
    Case('null-reply', 'relay answers 0.0.0.0 for stream 2',
         [req(sdp_in('three.sdp'), 'offer',
              rules=[REL % (2, '31002 0.0.0.0')], null_reply=True)]),
    Case('port0-answer0', 'relay answers port 0 for the port-0 stream',
         [req(sdp_in('three.sdp'), 'offer', rules=[REL % (3, '0')],
              last_answer0=True)]),
    Case('E-stream2', 'relay answers E8 for stream 2',
         [req(sdp_in('three.sdp'), 'offer', rules=[REL % (2, 'E8')])],
         known='the module stops at the first failed stream; rtpp sends '
         'the U of every stream before it looks at the replies, so the '
         'relay gets a U for stream 3 of a call that has already failed'),
    Case('port0-stream1', 'relay answers port 0 for stream 1 of 3',
         [req(sdp_in('three.sdp'), 'offer', rules=[REL % (1, '0')])],
         known='as E-stream2: rtpp still sends streams 2 and 3'),
    Case('two-1tok', 'streams 1 and 2 answered with a port only',
         [req(sdp_in('three.sdp'), 'offer', rules=[REL % (1, '31010'),
                                                   REL % (2, '31012')])]),
])

group('manage', [
    Case('call', 'INVITE, 200, ACK without SDP, BYE',
         [req('invite.sip', 'manage'), rep('ok.sip', 'manage'),
          req(no_body('ack.sip'), 'manage'), req('bye.sip', 'manage')],
         tm=True),
    Case('late-offer', 'INVITE without SDP; 200 with SDP: U T;1 F;1; '
         'ACK with SDP: L T;1 F;1; BYE',
         [req(no_body('invite.sip'), 'manage'),
          rep('late-200.sip', 'manage'), req('ack.sip', 'manage'),
          req('bye.sip', 'manage')], tm=True),
    Case('flags-ip', 'manage with flags ar and an ip argument',
         [req('invite.sip', 'manage', 'ar', '203.0.113.7'),
          rep('ok.sip', 'manage', 'ar', '203.0.113.8')], tm=True),
    Case('reinvite', 're-INVITE with SDP and its 200',
         [req('reinvite.sip', 'manage'), rep('ok.sip', 'manage')], tm=True),
    Case('486', 'a 486 to the INVITE: D with the To-tag',
         [req('invite.sip', 'manage'),
          rep(status('ok.sip', 'SIP/2.0 486 Busy Here'), 'manage')],
         tm=True),
    Case('183-200', '183 with SDP counts like a 2xx: L, then L again',
         [req('invite.sip', 'manage'),
          rep(status('ok.sip', 'SIP/2.0 183 Session Progress', True),
              'manage'),
          rep('ok.sip', 'manage')], tm=True),
    Case('update', 'UPDATE with SDP: U F;1 T;1; its 200: L',
         [req(edit('reinvite.sip', 'INVITE', 'UPDATE'), 'manage'),
          rep('ok.sip', 'manage')]),
    Case('cancel', 'CANCEL: D without To-tag',
         [req(no_body(edit('invite.sip', 'INVITE', 'CANCEL')), 'manage')]),
    Case('stateless-200', '200 with no transaction: answer',
         [req('invite.sip', 'manage'), rep('ok.sip', 'manage')]),
    Case('options', 'OPTIONS: -1',
         [req(edit('bye.sip', 'BYE', 'OPTIONS'), 'manage')]),
    Case('bye-t', 'BYE with flag t', [req('bye.sip', 'manage', 't')]),
    Case('compact', 'compact LF INVITE', [req('compact-lf.sip',
                                              'manage')]),
])

group('destroy', [
    Case('bye', 'rtpproxy_destroy() on the BYE: D F T',
         [req('bye.sip', 'destroy')]),
    Case('bye-t', 'flag t: D F', [req('bye.sip', 'destroy', 't')]),
    Case('bye-offer-flags', 'offer letters are ignored',
         [req('bye.sip', 'destroy', 'arcoxwlfie')]),
    Case('bye-z20', 'z20: the module reads the 0 as a flag',
         [req('bye.sip', 'destroy', 'z20')]),
    Case('bye-z', 'a bare z is an offer letter too: ignored',
         [req('bye.sip', 'destroy', 'z')],
         known='rtpp-destroy refuses a bare z (exit 2, "z needs a '
         'ptime") although it ignores the offer letters; the module '
         'ignores it'),
    Case('invite', 'on an INVITE (no To-tag): D F',
         [req('invite.sip', 'destroy')]),
    Case('bye-ieq', 'flags ieq: -1 (q)', [req('bye.sip', 'destroy',
                                              'ieq')]),
    Case('bye-E', 'relay answers E7 to D', [req('bye.sip', 'destroy',
                                                rules=['D * -> reply E7'],
                                                relay_says_e=True)]),
    Case('reply', 'on a 200 (tags never swapped)',
         [req('invite.sip', 'offer'), rep('ok.sip', 'destroy')], tm=True),
])

group('ice', [
    Case('avp-unset', 'ICE, priority AVP unset: low',
         [req(sdp_in('ice.sdp'), 'offer')], ice=True),
    Case('avp-0', 'ICE off', [req(sdp_in('ice.sdp'), 'offer',
                                  ice_avp='0')], ice=True),
    Case('avp-1', 'ICE high', [req(sdp_in('ice.sdp'), 'offer',
                                   ice_avp='1')], ice=True),
    Case('avp-2', 'ICE low, ip argument',
         [req(sdp_in('ice.sdp'), 'offer', '', '203.0.113.7', ice_avp='2')],
         ice=True),
    Case('no-candidates', 'ICE low on an SDP without candidates',
         [req('invite.sip', 'offer')], ice=True),
], config=['modparam("rtpproxy", "ice_candidate_priority_avp", '
           '"$avp(icep)")'])

TSOCK = 'udp:127.0.0.1:9999'
group('timeout', [
    Case('invite', 'U without To-tag',
         [req('invite.sip', 'offer')], timeout_socket=TSOCK,
         rtpp_opts=['--timeout-socket', TSOCK]),
    Case('reinvite', 'U with To-tag',
         [req('reinvite.sip', 'offer')], timeout_socket=TSOCK,
         rtpp_opts=['--timeout-socket', TSOCK]),
    Case('late', 'U in a 200, L in the ACK',
         [req(no_body('invite.sip')), rep('late-200.sip', 'offer'),
          req('ack.sip', 'answer')], tm=True, timeout_socket=TSOCK,
         rtpp_opts=['--timeout-socket', TSOCK]),
], config=['modparam("rtpproxy", "timeout_socket", "%s")' % TSOCK])

group('down', [
    Case('silent', 'relay never answers: module -3, rtpp exit 3, the same '
         'datagram sent rtpproxy_retr times',
         [req('invite.sip', 'offer', rules=['U* -> silent'])]),
])


# -- issue 15: SDP rules where the module is the reference -------------------

def no_ctype(msg):
    """msg with its body kept and its Content-Type header removed."""
    def build(load):
        raw = load(msg)
        out = re.sub(rb'(?im)^content-type:[^\r\n]*\r?\n', b'', raw, count=1)
        if out == raw:
            raise ValueError('no Content-Type in %s' % _name(msg))
        return out
    return _named('%s without Content-Type' % _name(msg), build)


def body_edit(msg, old, new):
    """Replace old by new in the body, Content-Length fixed."""
    def build(load):
        from kamdiff import with_body, split_msg
        raw = load(msg)
        body = split_msg(raw)[2]
        if old.encode() not in body:
            raise ValueError('%r not in the body of %s' % (old, _name(msg)))
        return with_body(raw, body.replace(old.encode(), new.encode()))
    return _named('%s (%s)' % (_name(msg), new.strip()), build)


def _sdp(o='o=- 16 16 IN IP4 198.51.100.7', c='c=IN IP4 198.51.100.7',
         m=('m=audio 20000 RTP/AVP 0',)):
    return 'v=0\n%s\ns=-\n%s\nt=0 0\n%s\n' % (o, c, '\n'.join(m))


MCAST = _sdp(c='c=IN IP4 224.2.1.1/127')
MCAST_N = _sdp(c='c=IN IP4 224.2.1.1/127/3')
MCAST6 = _sdp(o='o=- 16 16 IN IP6 2001:db8::5', c='c=IN IP6 ff15::101/3')
PORTCOUNT = _sdp(m=('m=audio 49170/2 RTP/AVP 0',))
SPACES_M = _sdp(m=('m=audio  40000  RTP/AVP  0  8',))
SPACES_C = _sdp(c='c=IN  IP4  198.51.100.7')
SPACES_O = _sdp(o='o=-  16  16  IN  IP4  198.51.100.7')
TRAILING = _sdp(c='c=IN IP4 198.51.100.7 ',
                m=('m=audio 20000 RTP/AVP 0 ', 'a=rtcp:20001 '))
TRAILING_TAB = _sdp(c='c=IN IP4 198.51.100.7\t',
                    m=('m=audio 20000 RTP/AVP 0\t', 'a=rtcp:20001\t'))
PROFILES = _sdp(m=('m=audio 20000 RTP/AVPF 0 8', 'm=audio 20002 RTP/SAVPF 9',
                   'm=audio 20004 UDP/TLS/RTP/SAVPF 111 0',
                   'm=audio 20006 UDP/TLS/RTP/SAVP 18',
                   'm=audio 20008 rtp/avp 3'))
NONRTP2 = _sdp(m=('m=application 20000 UDP/DTLS/SCTP webrtc-datachannel',
                  'm=application 20002 TCP/BFCP *',
                  'm=image 20004 udptl t38',
                  'm=audio 20006 RTP/AVP 0'))
MARKER_CRLF = 'a=sdpmangled:yes\\r\\n'

group('rules', [
    Case('mcast-ttl', 'multicast c= with a TTL: the suffix is dropped',
         [req(sdp_text('c= with /127', MCAST), 'offer')]),
    Case('mcast-ttl-n', 'multicast c= with TTL and count',
         [req(sdp_text('c= with /127/3', MCAST_N), 'offer')]),
    Case('mcast6', 'IPv6 multicast c= with /3',
         [req(sdp_text('IPv6 c= with /3', MCAST6), 'offer',
              rules=[REL % (1, '31010 2001:db8::10 6')])]),
    Case('port-count', 'm= port with /2: plain port to the relay and SDP',
         [req(sdp_text('m= 49170/2', PORTCOUNT), 'offer')]),
    Case('spaces-m', 'extra spaces between m= fields',
         [req(sdp_text('m= with double spaces', SPACES_M), 'offer')],
         caps=True),
    Case('spaces-c', 'extra spaces between c= fields',
         [req(sdp_text('c= with double spaces', SPACES_C), 'offer')]),
    Case('spaces-o', 'extra spaces between o= fields, flag o',
         [req(sdp_text('o= with double spaces', SPACES_O), 'offer', 'o')]),
    Case('trailing-space', 'trailing spaces after c=, m= and a=rtcp: values',
         [req(sdp_text('trailing spaces', TRAILING), 'offer')]),
    Case('trailing-tab', 'trailing tabs after c=, m= and a=rtcp: values',
         [req(sdp_text('trailing tabs', TRAILING_TAB), 'offer')]),
    Case('profiles', 'codec lists of every RTP profile',
         [req(sdp_text('RTP profiles', PROFILES), 'offer')], caps=True),
    Case('non-rtp', 'no codec list for SCTP, BFCP and udptl streams',
         [req(sdp_text('non-RTP streams', NONRTP2), 'offer')], caps=True),
    Case('sip-i', 'SIP-I INVITE (SDP + binary ISUP part), its BYE with '
         'a binary ISUP body', [req('sip-i-invite.sip', 'offer'),
                                req('sip-i-bye.sip', 'destroy')]),
    Case('no-ctype', 'INVITE with a body but no Content-Type: -1',
         [req(no_ctype('invite.sip'), 'offer')]),
    Case('no-ctype-200', '200 with a body but no Content-Type: -1',
         [req('invite.sip', 'offer'), rep(no_ctype('ok.sip'), 'answer')],
         tm=True),
])

group('marker', [
    Case('crlf-marker', 'nortpproxy_str "a=sdpmangled:yes\\r\\n" as the '
         'module documents it', [req('invite.sip', 'offer')],
         rtpp_opts=['--nortpproxy-str', MARKER_CRLF]),
    Case('crlf-marker-present', 'that marker already in the SDP: -2',
         [req(body_edit('invite.sip', 'a=sendrecv', 'a=sdpmangled:yes'),
              'offer')],
         rtpp_opts=['--nortpproxy-str', MARKER_CRLF]),
], config=['modparam("rtpproxy", "nortpproxy_str", "%s")' % MARKER_CRLF])
