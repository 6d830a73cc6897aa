#!/usr/bin/env python3
"""dutydesk_client.py - a station of our own, written from sync/PROTOCOL.md
alone, in another language and with a standard TLS library, to show that
the document is enough to speak to dutydeskd.

One session: TLS 1.3 (ALPN dutydesk/2, the server name of the pin, no
tickets), the pin checked before anything is sent, hello / challenge /
auth with the proofs of protocol 2 bound to the session's exporter,
welcome, a push of one log.add of a fresh incarnation, its ack, a pull
from 0 to live, a ping and its pong, close_notify.

    dutydesk_client.py --server HOST:PORT --pin PIN --station CODE
                       --key HEX [--record N] [--text TEXT] [--officer NAME]
                       [--timeout SEC]

Prints what it did, one line a step, on stdout, and the record's id last.
Exit status: 0 the session went through, 1 refused (the pin differs, the
server's proof is wrong, an error frame, a refused operation), 2 usage,
3 no pyOpenSSL.

The standard library's ssl has no exporter (RFC 9266 needs it), so the
whole session goes through pyOpenSSL (Debian: python3-openssl), which
also gives the SubjectPublicKeyInfo the pin is the hash of.
"""

import argparse
import hashlib
import hmac
import json
import os
import re
import select
import socket
import sys
import time

try:
    from OpenSSL import SSL, crypto
except ImportError:  # pragma: no cover - the shell test skips first
    print("dutydesk_client: pyOpenSSL is missing (apt-get install "
          "python3-openssl)", file=sys.stderr)
    sys.exit(3)

VERSION = 2
ALPN = b"dutydesk/2"
LIMIT_BEFORE = 4096        # a frame's bytes until the welcome
LIMIT_AFTER = 1048576      # after it
PIN_RE = re.compile(r"sha256:[0-9a-f]{64}\Z")
HEX64_RE = re.compile(r"[0-9a-f]{64}\Z")
HEX16_RE = re.compile(r"[0-9a-f]{16}\Z")
U64_RE = re.compile(r"(0|[1-9][0-9]{0,18})\Z")
KIND_RE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\Z")
WELCOME_MEMBERS = {"type", "history", "role", "have", "head", "now",
                   "last_seq", "last_digest", "kinds"}


class Refused(Exception):
    """The session cannot go on: the server or its answers said no."""


def u64(m, k):
    """A 64-bit value of message m: a string of digits, no leading zero,
    at most 2^63 - 1 ("Framing")."""
    v = m.get(k)
    if not isinstance(v, str) or not U64_RE.match(v) or int(v) > 2**63 - 1:
        raise Refused("%s: %r is not a 64-bit value" % (k, v))
    return int(v)


def proof(key, label, station, realm, first, second, binding):
    """HMAC-SHA-256 over label|station|realm|first|second|binding
    ("Authentication"), as 64 lowercase hex digits."""
    msg = "|".join([label, station, realm, first, second, binding])
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).hexdigest()


def pin_of(cert):
    """sha256: and the hex SHA-256 of the DER SubjectPublicKeyInfo."""
    spki = crypto.dump_publickey(crypto.FILETYPE_ASN1, cert.get_pubkey())
    return "sha256:" + hashlib.sha256(spki).hexdigest()


class Session:
    def __init__(self, host, port, pin, timeout):
        self.deadline = time.monotonic() + timeout
        self.buf = b""
        self.limit = LIMIT_BEFORE
        self.sent = 0
        self.got = 0
        ctx = SSL.Context(SSL.TLS_METHOD)
        ctx.set_min_proto_version(SSL.TLS1_3_VERSION)
        ctx.set_max_proto_version(SSL.TLS1_3_VERSION)
        ctx.set_options(SSL.OP_NO_TICKET)
        ctx.set_alpn_protos([ALPN])
        # No CA, no names, no dates: the pin below is the whole check.
        ctx.set_verify(SSL.VERIFY_NONE, lambda *a: True)
        sock = socket.create_connection((host, port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # Non-blocking, each wait a select() against the one deadline.
        sock.setblocking(False)
        self.sock = sock
        self.tls = SSL.Connection(ctx, sock)
        self.tls.set_tlsext_host_name(
            ("p-%s.dutydesk" % pin[7:23]).encode("ascii"))
        self.tls.set_connect_state()
        self.io(self.tls.do_handshake)
        cert = self.tls.get_peer_certificate()
        if cert is None:
            raise Refused("the server presented no certificate")
        presented = pin_of(cert)
        if presented != pin:
            raise Refused("the server presented the key %s, not the pinned "
                          "%s: nothing sent" % (presented, pin))
        if self.tls.get_protocol_version_name() != "TLSv1.3":
            raise Refused("not TLS 1.3: %s" %
                          self.tls.get_protocol_version_name())
        if self.tls.get_alpn_proto_negotiated() != ALPN:
            raise Refused("the server did not select ALPN dutydesk/2")
        ekm = self.tls.export_keying_material(b"EXPORTER-Channel-Binding",
                                              32, None)
        self.binding = ekm.hex()

    def send(self, m):
        data = json.dumps(m, ensure_ascii=False, separators=(",", ":"))
        data = data.encode("utf-8") + b"\n"
        while data:
            n = self.io(self.tls.send, data)
            data = data[n:]
        self.sent += 1

    def io(self, fn, *args):
        """fn(*args) on the TLS session, waiting on the socket while
        OpenSSL wants to read or write, until the deadline."""
        while True:
            try:
                return fn(*args)
            except SSL.WantReadError:
                r, w = [self.sock], []
            except SSL.WantWriteError:
                r, w = [], [self.sock]
            left = self.deadline - time.monotonic()
            if left <= 0 or not any(select.select(r, w, [], left)):
                raise Refused("nothing from the server in time")

    def recv(self):
        """The next frame, parsed; every frame is an object with a
        string type. A ping is answered here."""
        while True:
            nl = self.buf.find(b"\n")
            if nl >= 0:
                raw, self.buf = self.buf[:nl], self.buf[nl + 1:]
                if raw.endswith(b"\r"):
                    raw = raw[:-1]
                if len(raw) > self.limit:
                    raise Refused("frame %d over %d bytes" %
                                  (self.got + 1, self.limit))
                self.got += 1
                try:
                    m = json.loads(raw.decode("utf-8"))
                except ValueError as e:
                    raise Refused("frame %d is not JSON: %s" % (self.got, e))
                if not isinstance(m, dict) or not isinstance(m.get("type"),
                                                             str):
                    raise Refused("frame %d has no type" % self.got)
                if m["type"] == "ping":
                    self.send({"type": "pong"})
                    continue
                if m["type"] == "error":
                    raise Refused("error %s: %s" % (m.get("code"),
                                                     m.get("message")))
                return m
            if len(self.buf) > self.limit + 1:
                raise Refused("frame %d over %d bytes" %
                              (self.got + 1, self.limit))
            try:
                data = self.io(self.tls.recv, 65536)
            except SSL.ZeroReturnError:
                raise Refused("the server ended the session")
            if not data:
                raise Refused("the server closed the connection")
            self.buf += data

    def expect(self, kind):
        m = self.recv()
        if m["type"] != kind:
            raise Refused("wanted %s, got %s" % (kind, m["type"]))
        return m

    def close(self):
        try:
            self.io(self.tls.shutdown)
        except (SSL.Error, Refused):
            pass
        self.sock.close()


def welcome_check(m):
    """The members of a version 2 welcome, and only those."""
    extra = set(m) - WELCOME_MEMBERS
    if extra:
        raise Refused("welcome: unknown member %s" % sorted(extra)[0])
    if not isinstance(m.get("history"), str) or \
            not HEX16_RE.match(m["history"]):
        raise Refused("welcome: history")
    if m.get("role") not in ("town", "command"):
        raise Refused("welcome: role")
    u64(m, "have")
    u64(m, "head")
    if "now" in m:
        u64(m, "now")
    if ("last_seq" in m) != ("last_digest" in m):
        raise Refused("welcome: last_seq and last_digest come together")
    if "last_seq" in m:
        u64(m, "last_seq")
        if not isinstance(m["last_digest"], str) or \
                not HEX64_RE.match(m["last_digest"]):
            raise Refused("welcome: last_digest")
    kinds = m.get("kinds")
    if not isinstance(kinds, list) or len(kinds) > 128:
        raise Refused("welcome: kinds")
    for i, k in enumerate(kinds):
        if not isinstance(k, str) or not 1 <= len(k) <= 31 or \
                not KIND_RE.match(k) or kinds.index(k) != i:
            raise Refused("welcome: kinds[%d]" % i)


def session(a, key):
    host, _, port = a.server.rpartition(":")
    s = Session(host, int(port), a.pin, a.timeout)
    print("tls: TLSv1.3, ALPN dutydesk/2, pin %s, binding %s..." %
          (a.pin, s.binding[:16]))
    realm = "live"
    inc = os.urandom(8).hex()      # a fresh incarnation: seq from 1
    snonce = os.urandom(32).hex()
    s.send({"type": "hello", "version": VERSION, "station": a.station,
            "incarnation": inc, "realm": realm, "nonce": snonce})
    ch = s.expect("challenge")
    if ch.get("version") != VERSION or not isinstance(ch.get("nonce"), str) \
            or not HEX64_RE.match(ch["nonce"]):
        raise Refused("challenge: version or nonce")
    want = proof(key, "dutydesk-v2-server", a.station, realm, snonce,
                 ch["nonce"], s.binding)
    if not hmac.compare_digest(want, str(ch.get("proof", ""))):
        raise Refused("the server's proof is wrong: it does not hold our key")
    s.send({"type": "auth",
            "proof": proof(key, "dutydesk-v2-station", a.station, realm,
                           ch["nonce"], snonce, s.binding)})
    w = s.expect("welcome")
    welcome_check(w)
    s.limit = LIMIT_AFTER
    print("welcome: history %s, role %s, have %s, head %s, %d kinds" %
          (w["history"], w["role"], w["have"], w["head"], len(w["kinds"])))
    if u64(w, "have") != 0:
        raise Refused("server ahead of this station (have %s)" % w["have"])
    if "log.add" not in w["kinds"]:
        raise Refused("the server does not know log.add")
    # Over TLS the server says next which pins it holds ("Changing the
    # server's key"): current, and next while it has one.
    p = s.expect("pins")
    extra = set(p) - {"type", "current", "next"}
    if extra or not PIN_RE.match(str(p.get("current", ""))) or (
            "next" in p and (not PIN_RE.match(str(p["next"])) or
                             p["next"] == p["current"])):
        raise Refused("pins: not a current pin and at most a next one")
    print("pins: current %s%s" % (p["current"], ", next " + p["next"]
                                  if "next" in p else ""))

    now_ms = int(time.time() * 1000)
    entity = "%s-%d" % (a.station, a.record)
    op = {"station": a.station, "incarnation": inc, "seq": "1",
          "hlc": str(now_ms << 16), "realm": realm, "officer": a.officer,
          "kind": "log.add", "entity": entity,
          "body": {"kind": "note", "text": a.text,
                   "at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                       time.gmtime(now_ms // 1000))}}
    s.send({"type": "push", "ops": [op]})
    ack = s.expect("ack")
    if ack.get("incarnation") != inc or u64(ack, "upto") != 1:
        raise Refused("ack: %r" % ack)
    if ack.get("refused"):
        r = ack["refused"][0]
        raise Refused("the server refused %s: %s %s" %
                      (entity, r.get("code"), r.get("message")))
    print("ack: upto 1, nothing refused")

    s.send({"type": "pull", "after": "0"})
    seen, n, last = None, 0, 0
    while True:
        m = s.recv()
        if m["type"] == "live":
            head = u64(m, "head")
            break
        if m["type"] != "ops" or not isinstance(m.get("ops"), list):
            raise Refused("pull: wanted ops or live, got %s" % m["type"])
        for o in m["ops"]:
            sseq = u64(o, "sseq")
            if sseq <= last:
                raise Refused("pull: sseq %d after %d" % (sseq, last))
            last = sseq
            n += 1
            if o.get("station") == a.station and \
                    o.get("incarnation") == inc and o.get("seq") == "1":
                seen = sseq
    if seen is None:
        raise Refused("pull: our operation is not among the %d pulled" % n)
    if head < last:
        raise Refused("live: head %d below the last sseq %d" % (head, last))
    print("pull: %d operations to live at head %d; ours is sseq %d" %
          (n, head, seen))

    s.send({"type": "ping"})
    pong = s.expect("pong")
    if "now" in pong:
        print("pong: server clock %+d ms from ours" %
              (u64(pong, "now") - int(time.time() * 1000)))
    s.close()
    print(entity)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--server", required=True, help="HOST:PORT")
    p.add_argument("--pin", required=True)
    p.add_argument("--station", required=True)
    p.add_argument("--key", required=True, help="64 hex digits")
    p.add_argument("--record", type=int, default=1,
                   help="the number of the record id (default 1)")
    p.add_argument("--text", default="from a client of its own")
    p.add_argument("--officer", default="tester")
    p.add_argument("--timeout", type=float, default=10)
    a = p.parse_args()
    if not PIN_RE.match(a.pin):
        p.error("--pin: sha256: and 64 lowercase hex digits")
    if not HEX64_RE.match(a.key.lower()):
        p.error("--key: 64 hex digits")
    if not re.match(r"[a-z][a-z0-9]{1,23}\Z", a.station):
        p.error("--station: [a-z][a-z0-9]{1,23}")
    if not 1 <= a.record <= 999999999999:
        p.error("--record: 1 to 12 digits")
    if ":" not in a.server:
        p.error("--server: HOST:PORT")
    try:
        session(a, bytes.fromhex(a.key))
    except Refused as e:
        print("dutydesk_client: %s" % e, file=sys.stderr)
        return 1
    except (OSError, SSL.Error) as e:
        print("dutydesk_client: %s" % (e,), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
