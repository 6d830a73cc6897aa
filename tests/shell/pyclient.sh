#!/bin/sh
# pyclient.sh - a station of our own in Python (tests/py/dutydesk_client.py),
# written from sync/PROTOCOL.md alone with pyOpenSSL, against a real
# dutydeskd on loopback: it completes a session (TLS 1.3, the pin, the
# bound proofs of protocol 2, welcome, a push of one log.add, its ack, a
# pull to live) and the server's export then holds its record; with a
# wrong pin it stops before its hello. Skipped without python3 and
# python3-openssl.
#
# Run from the repository root: sh tests/shell/pyclient.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

CLIENT=$PWD/tests/py/dutydesk_client.py

# A python3 that has pyOpenSSL: the one in PATH, else Debian's own (a
# python3 of pyenv or a virtualenv in PATH does not see Debian's modules).
PY=""
for p in python3 /usr/bin/python3; do
	if have "$p" && "$p" -c 'import OpenSSL.SSL' >/dev/null 2>&1; then
		PY=$p
		break
	fi
done
if [ -z "$PY" ]; then
	skip "a Python client from PROTOCOL.md: no python3 with pyOpenSSL (apt-get install python3 python3-openssl)"
	finish
fi

need_dutydeskd
keys_for datian
server_up "$W/county.db"

ok_run "the Python client completes a session over TLS" -- "$PY" "$CLIENT" \
	--server "$SRV" --pin "$PIN" --station datian \
	--key "$(cat "$W/key.datian")" --text "from a client of its own"
check "...with the bound proofs: the server took protocol 2" \
	grep -q "auth ok: station datian .*protocol 2" "$W/server.log"
check "...its operation was acknowledged" grep -q "^ack: upto 1" "$OUT"
check "...and came back in the pull to live" grep -q "^pull: .*ours is sseq" \
	"$OUT"
check "...it ends with the record's id" sh -c \
	'tail -n 1 "$1" | grep -qx datian-1' _ "$OUT"

WRONG=sha256:$(printf '%064d' 7)
: >"$W/server.log"
expect_exit 1 "with a wrong pin the client stops" -- "$PY" "$CLIENT" \
	--server "$SRV" --pin "$WRONG" --station datian \
	--key "$(cat "$W/key.datian")" --record 2
check "...naming both pins" sh -c 'grep -qF "$2" "$1" && grep -qF "$3" "$1"' \
	_ "$ERR" "$PIN" "$WRONG"
sleep 0.3
check "...before its hello reached the server" sh -c \
	'! grep -q "auth ok\|hello" "$1"' _ "$W/server.log"
stop_server

run "$DBIN" --db "$W/county.db" export --json
check "dutydeskd export --json exits 0" test "$RC" = 0
cp "$OUT" "$W/export.json"
run "$PY" - "$W/export.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
rows = [r for r in d.get("log", []) if r.get("id") == "datian-1"]
assert len(rows) == 1, "no log entry datian-1 in the export"
r = rows[0]
assert r["station"] == "datian" and r["kind"] == "note", r
assert r["text"] == "from a client of its own", r
assert not [x for x in d["log"] if x.get("id") == "datian-2"], "datian-2"
PY
check "the export holds the pushed record (and nothing of the refused run)" \
	test "$RC" = 0

finish
