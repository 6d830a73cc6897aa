#!/bin/sh
# reportsync.sh - sign-offs through a real dutydeskd on loopback: a
# written report made at datian reaches the county and gucheng; all
# three sign it offline at different times, sync in different orders and
# export byte for byte the same, the report counting from the earliest
# signing everywhere, and the incident's written clock met then; a
# written follow-up signed where it was made counts at the others once
# synced.
#
# Run from the repository root: sh tests/shell/reportsync.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

need_dutydeskd
CLEANUP='stop_server'

l() { "$BIN" --db "$W/linhai.db" "$@"; }
d() { "$BIN" --db "$W/datian.db" "$@"; }
g() { "$BIN" --db "$W/gucheng.db" "$@"; }
ago() { TZ=$DUTYDESK_TZ date -d "$1 minutes ago" '+%Y-%m-%d %H:%M'; }
iso() { TZ=$DUTYDESK_TZ date -u -d "$(TZ=$DUTYDESK_TZ date -d "$1" '+%Y-%m-%d %H:%M %z')" '+%Y-%m-%dT%H:%M:%SZ'; }

exports_equal() {
	l export --json >"$W/x.linhai" 2>/dev/null &&
	d export --json >"$W/x.datian" 2>/dev/null &&
	g export --json >"$W/x.gucheng" 2>/dev/null &&
	"$DBIN" --db "$SDB" export --json >"$W/x.server" 2>/dev/null &&
	cmp -s "$W/x.linhai" "$W/x.datian" && cmp -s "$W/x.linhai" "$W/x.gucheng" &&
	cmp -s "$W/x.linhai" "$W/x.server"
}
sync_all() {
	for s in "$@"; do
		run "$BIN" --db "$W/$s.db" sync --timeout 10
		[ "$RC" = 0 ] || { fail "sync $s" "exit $RC: $(cat "$ERR")"; return 1; }
	done
}

keys_for linhai datian gucheng
SDB=$W/server.db
server_up "$SDB"
ok_run "linhai, the command station" -- l init --station linhai --role command \
	--server "$SRV" --pin "$PIN" --key "$(cat "$W/key.linhai")"
ok_run "datian" -- d init --station datian --server "$SRV" --pin "$PIN" \
	--key "$(cat "$W/key.datian")"
ok_run "gucheng" -- g init --station gucheng --server "$SRV" --pin "$PIN" \
	--key "$(cat "$W/key.gucheng")"

expect_id "datian: a severe incident, 50 minutes ago" -- d incident add \
	--town datian --title 民房倒塌 --severity 2 --received "$(ago 50)"
INC=$ID
expect_id "datian: its written first report, 45 minutes ago" -- d incident \
	report first "$INC" --channel written --at "$(ago 45)"
W1=$ID
expect_id "datian: its town leader" -- d contact add --name 张镇长 \
	--phone 13800001111 --role town_leader --town datian
expect_id "linhai: the county leader" -- l contact add --name 陈局长 \
	--phone 13500005555 --role county_leader
sync_all datian linhai gucheng datian
run g incident show "$INC" --json
check "everyone holds the report, unsigned" python3 -c "
import json; j = json.load(open('$OUT'))
assert j['written_done_at'] is None and len(j['reports']) == 1"

# Offline, each signs it: linhai's signing is the earliest.
S_L=$(ago 30)
expect_id "datian signs it 20 minutes ago" -- d incident report sign "$W1" \
	--signed-by 张镇长 --at "$(ago 20)"
expect_id "linhai signs it 30 minutes ago" -- l incident report sign "$W1" \
	--signed-by 陈局长 --at "$S_L"
expect_id "gucheng signs it 10 minutes ago" -- g incident report sign "$W1" \
	--signed-by 张镇长 --at "$(ago 10)"
expect_id "gucheng: a written follow-up, signed at once" -- g incident report \
	followup "$INC" --channel written --text 书面续报
W2=$ID
expect_id "gucheng signs it" -- g incident report sign "$W2" --signed-by 陈局长

sync_all gucheng linhai datian gucheng linhai
check "after syncing gucheng, linhai, datian, gucheng, linhai: the three and the server export the same" exports_equal
run d incident show "$INC" --json
check "the first report counts from linhai's signing, the earliest" python3 -c "
import json; j = json.load(open('$OUT'))
r = {x['id']: x for x in j['reports']}
assert r['$W1']['signed_name'] == '陈局长', r['$W1']
assert r['$W1']['signed_at'] == '$(iso "$S_L")', r['$W1']
assert j['written_done_at'] == r['$W1']['signed_at'], j['written_done_at']
assert r['$W2']['signed_at'] and r['$W2']['number'] == 1"
run l export --json
check "all three sign-offs are kept" python3 -c "
import json; j = json.load(open('$OUT'))
assert sorted(s['station'] for s in j['signoffs'] if s['report'] == '$W1') == ['datian', 'gucheng', 'linhai'], j['signoffs']"
GUARD=$W/datian.db
refused 1 "signed again at datian, now that it has the others" -- \
	d incident report sign "$W1" --signed-by 张镇长
ok_run "the sheet of the signed follow-up at the county" -- l incident report \
	sheet "$W2"
check "it names the signer" grep -q "签发人：陈局长" "$OUT"
finish
