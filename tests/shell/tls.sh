#!/bin/sh
# tls.sh - the server's TLS key as the administrator meets it:
# `dutydeskd cert --out FILE` makes it once (mode 0600, the pin alone on
# stdout, an existing file refused) and `dutydeskd pin FILE` says the pin
# again; and the wire inside TLS against a real server on loopback: the
# right pin syncs, a wrong one is refused by the station before its
# hello (naming both pins), mixed-up ends fail within a second, a
# handshake never finished hits the handshake timeout, and protocol 1 is
# refused over TLS.
#
# Run from the repository root: sh tests/shell/tls.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

need_dutydeskd

# ---------------------------------------------------------------------
# cert and pin

ok_run "cert --out makes the key" -- "$DBIN" cert --out "$W/made.pem"
check "the pin alone on stdout: sha256: and 64 lowercase hex digits" \
	grep -qx 'sha256:[0-9a-f]\{64\}' "$OUT"
check "one line on stdout" test "$(nlines "$OUT")" = 1
MADE=$(cat "$OUT")
check "the key file is readable by its owner only" \
	sh -c 'test "$(stat -c %a "$1")" = 600' _ "$W/made.pem"
cp "$W/made.pem" "$W/made.pem.before"
expect_exit 1 "cert on an existing file is refused" -- \
	"$DBIN" cert --out "$W/made.pem"
check "the existing file is left as it was" cmp -s "$W/made.pem" \
	"$W/made.pem.before"
ok_run "pin FILE" -- "$DBIN" pin "$W/made.pem"
check "pin says the same pin" test "$(cat "$OUT")" = "$MADE"
expect_exit 3 "pin of a missing file: exit 3" -- "$DBIN" pin "$W/nothing.pem"
printf 'not a certificate\n' >"$W/junk.pem"
expect_exit 3 "pin of a file with no certificate: exit 3" -- \
	"$DBIN" pin "$W/junk.pem"
usage_error "cert without --out: usage" -- "$DBIN" cert
usage_error "pin without a file: usage" -- "$DBIN" pin
usage_error "--out with pin: usage" -- "$DBIN" pin "$W/made.pem" \
	--out "$W/x.pem"

# ---------------------------------------------------------------------
# the server's key file

keys_for datian gucheng
cp "$W/made.pem" "$W/open.pem"
chmod 644 "$W/open.pem"
run "$DBIN" --listen 127.0.0.1:1 --db "$W/never.db" --keys "$W/keys" \
	--cert "$W/open.pem"
check "a key file others can read: the server does not start (exit 3)" \
	test "$RC" = 3
check "...and says why in one line" sh -c 'test "$(wc -l <"$1")" = 1 &&
	grep -q "can be read by others" "$1"' _ "$ERR"
usage_error "serving without --cert or --insecure: usage (exit 2)" -- \
	"$DBIN" --listen 127.0.0.1:1 --db "$W/never.db" --keys "$W/keys"
check "...and no database made" test ! -e "$W/never.db"
usage_error "--cert with --insecure: usage" -- "$DBIN" --listen 127.0.0.1:1 \
	--db "$W/never.db" --keys "$W/keys" --cert "$W/made.pem" --insecure
usage_error "--listen-insecure without --cert: usage" -- "$DBIN" \
	--listen 127.0.0.1:1 --db "$W/never.db" --keys "$W/keys" \
	--listen-insecure 127.0.0.1:2
usage_error "--cert-next without --cert: usage" -- "$DBIN" \
	--listen 127.0.0.1:1 --db "$W/never.db" --keys "$W/keys" --insecure \
	--cert-next "$W/made.pem"
usage_error "--cert-previous without --cert: usage" -- "$DBIN" \
	--listen 127.0.0.1:1 --db "$W/never.db" --keys "$W/keys" --insecure \
	--cert-previous "$W/made.pem"
run "$DBIN" --listen 127.0.0.1:1 --db "$W/never.db" --keys "$W/keys" \
	--cert "$W/made.pem" --cert-next "$W/open.pem"
check "a next key file others can read: the server does not start (exit 3)" \
	test "$RC" = 3
check "...and no database made" test ! -e "$W/never.db"

# ---------------------------------------------------------------------
# a station over TLS

SFLAGS="--log-level debug --handshake-timeout 1"
server_up "$W/county.db"
st() { _s=$1; shift; "$BIN" --db "$W/$_s.db" "$@"; }

ok_run "init datian with the server's pin" -- st datian init --station datian \
	--server "$SRV" --key "$(cat "$W/key.datian")" --pin "$PIN"
expect_id "datian logs a note" -- st datian log add 加密的记录
ok_run "datian syncs over TLS" -- st datian sync --timeout 10
check "the server took it from a TLS session" grep -q "TLS handshake done" \
	"$W/server.log"
ok_run "status shows the pin" -- st datian status
check "...on its own line" grep -q "^pin  *$PIN\$" "$OUT"
ok_run "status --json" -- st datian status --json
check "...has the pin" grep -q "\"pin\":.*\"$PIN\"" "$OUT"

WRONG=sha256:$(printf '%064d' 7)
ok_run "init gucheng with a wrong pin" -- st gucheng init --station gucheng \
	--server "$SRV" --key "$(cat "$W/key.gucheng")" --pin "$WRONG"
: >"$W/server.log"
expect_exit 1 "gucheng's sync is refused by the station itself" -- \
	st gucheng sync --timeout 10
check "...naming the server's pin and the pinned one" sh -c \
	'grep -qF "$2" "$1" && grep -qF "$3" "$1"' _ "$ERR" "$PIN" "$WRONG"
sleep 0.3
check "...before any hello reached the server" sh -c \
	'! grep -q "hello\|auth ok" "$1"' _ "$W/server.log"
expect_exit 1 "a pin of the wrong form is refused at link" -- \
	st gucheng link --pin sha256:abc
expect_exit 2 "--pin with --insecure: usage" -- \
	st gucheng link --pin "$PIN" --insecure
ok_run "link --pin sets the right pin" -- st gucheng link --pin "$PIN"
ok_run "gucheng syncs now" -- st gucheng sync --timeout 10

ok_run "init a station with a server and no pin" -- st nopin init \
	--station datian --server "$SRV" --key "$(cat "$W/key.datian")"
expect_exit 1 "its sync stops: no pin for the server" -- \
	st nopin sync --timeout 10
check "...and says so" grep -q "no pin for the server" "$ERR"

# ---------------------------------------------------------------------
# mixed-up ends, handshakes never finished, protocol 1 over TLS

if have python3; then
	run python3 - "$PORT" <<'PY'
import socket, ssl, sys, time
port = int(sys.argv[1])
bad = []
def timed_read(s, limit):
    s.settimeout(limit)
    t, d = time.time(), b""
    try:
        while True:
            x = s.recv(4096)
            if not x:
                break
            d += x
    except socket.timeout:
        bad.append("not closed within %.1f s" % limit)
    except OSError:
        pass
    return d, time.time() - t
# A plain hello on the TLS port: tls_required, in plain text, and closed.
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b'{"type":"hello","version":2}\n')
d, t = timed_read(s, 1.0)
if b'"code":"tls_required"' not in d:
    bad.append("plain hello on the TLS port got %r" % d[:80])
print("plain on TLS: %.3f s" % t)
# A handshake never finished: closed by the handshake timeout (1 s).
s = socket.create_connection(("127.0.0.1", port))
s.sendall(bytes([0x16, 3, 1, 0, 200]))
d, t = timed_read(s, 3.0)
if t < 0.5:
    bad.append("half a handshake closed after %.3f s, before the timeout" % t)
print("half a handshake: %.3f s" % t)
# Protocol 1 over TLS: the error version.
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.set_alpn_protocols(["dutydesk/2"])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)),
                    server_hostname="dutydesk")
s.sendall(b'{"type":"hello","version":1,"station":"datian","incarnation":'
          b'"0000000000000001","realm":"live","nonce":"' + b"a" * 64 + b'"}\n')
s.settimeout(2)
d = s.recv(4096)
if b'"code":"version"' not in d or b"upgrade the station" not in d:
    bad.append("protocol 1 over TLS got %r" % d[:120])
for b in bad:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
	check "plain on TLS gets tls_required within 1 s; a half handshake hits the timeout; protocol 1 over TLS is refused" test "$RC" = 0
	check "the plain hello on the TLS port is one log line" \
		grep -q "tls_required: this port speaks TLS" "$W/server.log"
	check "the half handshake is closed by the handshake timeout" \
		grep -q "no handshake in 1 s" "$W/server.log"
	stop_server
	SFLAGS="--insecure --log-level debug"
	server_up "$W/county.db"
	run python3 - "$PORT" <<'PY'
import socket, ssl, sys, time
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.set_alpn_protocols(["dutydesk/2"])
t = time.time()
try:
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))),
                        server_hostname="dutydesk", do_handshake_on_connect=False)
    s.settimeout(1.0)
    s.do_handshake()
    print("a TLS handshake on a plain port succeeded", file=sys.stderr)
    sys.exit(1)
except socket.timeout:
    print("not closed within 1 s", file=sys.stderr)
    sys.exit(1)
except (ssl.SSLError, OSError):
    pass
print("closed in %.3f s" % (time.time() - t))
PY
	check "a TLS client on a plain listener is closed within 1 s" test "$RC" = 0
	check "...with one log line" grep -q "a TLS client on the plain listener" \
		"$W/server.log"
	ok_run "a station without TLS (--insecure on both ends) syncs" -- \
		st plain init --station datian --server "$SRV" \
		--key "$(cat "$W/key.datian")" --insecure
	ok_run "...its sync" -- st plain sync --timeout 10
	ok_run "...status says insecure" -- st plain status
	check "...on the pin line" grep -q "^pin  *insecure" "$OUT"
else
	skip "mixed-up ends (no python3)"
fi
stop_server

# ---------------------------------------------------------------------
# a changeover: a plain listener beside the TLS one (--listen-insecure)

PLAIN=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000 + 20000 ))
SFLAGS="--log-level debug --listen-insecure 127.0.0.1:$PLAIN"
server_up "$W/county.db"
ok_run "a station without TLS on the plain listener beside the TLS one" -- \
	st gplain init --station gucheng --server "127.0.0.1:$PLAIN" \
	--key "$(cat "$W/key.gucheng")" --insecure
expect_id "...logs a note" -- st gplain log add 换装期间的明文记录
ok_run "...and syncs there" -- st gplain sync --timeout 10
ok_run "a station over TLS on the other port" -- st dtls init --station \
	datian --server "$SRV" --key "$(cat "$W/key.datian")" --pin "$PIN"
ok_run "...syncs" -- st dtls sync --timeout 10
ok_run "...and holds gucheng's note" -- st dtls log list
check "...the note itself" grep -q 换装期间的明文记录 "$OUT"
check "the server said the plain listener is neither private nor bound" \
	grep -q "also without TLS on 127.0.0.1:$PLAIN" "$W/server.log"
stop_server
finish
