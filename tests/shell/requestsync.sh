#!/bin/sh
# requestsync.sh - requests between levels through a real dutydeskd on
# loopback: datian asks, the county's two command consoles (linhai and
# its stand-by, beiyong) approve and refuse it at once, offline; after
# syncing in different orders all three and the server export the same
# bytes, each lists the conflict (acknowledged the same way as any) and
# shows the request as in conflict; a later approval settles it, the
# county sends, datian receives once, and all agree again.
#
# Run from the repository root: sh tests/shell/requestsync.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

need_dutydeskd
CLEANUP='stop_server'

l() { "$BIN" --db "$W/linhai.db" "$@"; }
b() { "$BIN" --db "$W/beiyong.db" "$@"; }
d() { "$BIN" --db "$W/datian.db" "$@"; }
field() { python3 -c "import json,sys; d=json.load(open('$OUT')); print($1)"; }

exports_equal() {
	l export --json >"$W/x.linhai" 2>/dev/null &&
	b export --json >"$W/x.beiyong" 2>/dev/null &&
	d export --json >"$W/x.datian" 2>/dev/null &&
	"$DBIN" --db "$SDB" export --json >"$W/x.server" 2>/dev/null &&
	cmp -s "$W/x.linhai" "$W/x.beiyong" && cmp -s "$W/x.linhai" "$W/x.datian" &&
	cmp -s "$W/x.linhai" "$W/x.server"
}
sync_all() {
	for s in "$@"; do
		run "$BIN" --db "$W/$s.db" sync --timeout 10
		[ "$RC" = 0 ] || { fail "sync $s" "exit $RC: $(cat "$ERR")"; return 1; }
	done
}

keys_for linhai datian
"$DBIN" keygen beiyong --role command --keys "$W/keys" >"$W/key.beiyong" 2>"$ERR"
SDB=$W/server.db
server_up "$SDB"
ok_run "linhai, the command station" -- l init --station linhai --role command \
	--server "$SRV" --pin "$PIN" --key "$(cat "$W/key.linhai")"
ok_run "beiyong, its stand-by" -- b init --station beiyong --role command \
	--server "$SRV" --pin "$PIN" --key "$(cat "$W/key.beiyong")"
ok_run "datian" -- d init --station datian --server "$SRV" --pin "$PIN" \
	--key "$(cat "$W/key.datian")"

expect_id "datian asks for 4 tents" -- d request add --item tent --qty 4 \
	--note 安置点缺帐篷
REQ=$ID
expect_id "and for a team" -- d request add --team-kind fire
TEAM=$ID
sync_all datian linhai beiyong
run l request list --json
check "the county has datian's requests" field \
	"'ok' if [r['id'] for r in d] == ['$REQ', '$TEAM'] else 1/0"

# ---- at once, offline: an approval and a refusal ----
expect_id "linhai approves from the city depot" -- l request approve "$REQ" \
	--depot d-city
expect_id "beiyong refuses" -- b request refuse "$REQ" --reason 另行调拨
expect_id "linhai approves the team with f-datian" -- l request approve \
	"$TEAM" --team f-datian
sync_all beiyong datian linhai beiyong datian
check "after syncing beiyong, datian, linhai: all export the same" exports_equal
for s in linhai beiyong datian; do
	run "$BIN" --db "$W/$s.db" conflict list --json
	check "$s lists the request's conflict" field \
		"'ok' if [c['kind'] for c in d if c['id'] == 'request:$REQ'] == ['request'] else 1/0"
	run "$BIN" --db "$W/$s.db" request list --json
	check "$s shows it in conflict" field \
		"'ok' if [r['state'] for r in d if r['id'] == '$REQ'] == ['conflict'] else 1/0"
done
expect_exit 1 "it is not sent while in conflict" -- l request send "$REQ"
ok_run "datian acknowledges the conflict" -- d conflict ack "request:$REQ"

# ---- a later approval settles it; the county sends, datian receives ----
expect_id "linhai approves it again" -- l request approve "$REQ" --depot d-city
expect_id "linhai sends the tents" -- l request send "$REQ"
expect_id "linhai sends the team" -- l request send "$TEAM" --incident \
	"$(l incident add --town datian --title 山体滑坡)"
sync_all linhai datian beiyong
run d request list --json
check "datian sees both sent" field \
	"'ok' if [r['state'] for r in d] == ['sent', 'sent'] else 1/0"
HERE=$(d supply list --item tent --depot d-datian --json | python3 -c \
	"import json,sys; print(json.load(sys.stdin)[0]['qty'])")
expect_id "datian receives the tents" -- d request receive "$REQ"
expect_exit 1 "a request received twice is refused" -- d request receive "$REQ"
expect_id "datian receives the team" -- d request receive "$TEAM"
run d supply list --item tent --depot d-datian --json
check "datian's depot holds 4 more" field "'ok' if d[0]['qty'] == $HERE + 4 else 1/0"
sync_all datian linhai beiyong datian
check "after all sync again: all export the same" exports_equal
run b conflict list --json
check "the conflict stays listed, acknowledged by datian's officer" field \
	"'ok' if [c['acked_by'] for c in d if c['id'] == 'request:$REQ'] == ['tester'] else 1/0"
run b request list --json
check "beiyong: both received" field \
	"'ok' if [r['state'] for r in d] == ['received', 'received'] else 1/0"
run b dispatch list --json
check "the team is out on a dispatch" field \
	"'ok' if [r['team'] for r in d] == ['f-datian'] else 1/0"
finish
