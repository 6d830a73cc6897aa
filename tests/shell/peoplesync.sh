#!/bin/sh
# peoplesync.sh - the people on duty through a real dutydeskd on
# loopback: a command station and two towns edit the directory, their
# rosters, the call log, spot checks and settings offline, sync in
# different orders and export byte for byte the same; one contact edited
# on two stations at once converges field by field; the county's setting
# reaches the towns, a town's own value of a local key stays its own; a
# warning issued at the county names the people of the towns' directory,
# and a town's answer by name comes back.
#
# Run from the repository root: sh tests/shell/peoplesync.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

need_dutydeskd
CLEANUP='stop_server'

l() { "$BIN" --db "$W/linhai.db" "$@"; }
d() { "$BIN" --db "$W/datian.db" "$@"; }
g() { "$BIN" --db "$W/gucheng.db" "$@"; }
day() { TZ=$DUTYDESK_TZ date -d "$1 days" '+%Y-%m-%d'; }

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

# ---- round 1: offline, each its own ----
expect_id "linhai: a county officer" -- l contact add --name 王五 \
	--phone 13600004444 --role officer
WANG=$ID
expect_id "linhai: a county leader" -- l contact add --name 陈局长 \
	--phone 13500005555 --role county_leader
CHEN=$ID
expect_id "linhai: its shift" -- l roster add "$(day +1)" --leader "$CHEN" \
	--officer "$WANG"
ok_run "linhai: the county's red limit, 20 minutes" -- l setting set silent.red 20
expect_id "linhai: a spot check of datian, no answer" -- l check datian --no-answer
expect_id "datian: its leader" -- d contact add --name 张镇长 \
	--phone 13800001111 --role town_leader --town datian
DLEAD=$ID
expect_id "datian: its duty officer" -- d contact add --name 李娜 \
	--phone 13900002222 --role town_duty --town datian
DDUTY=$ID
expect_id "datian: its shift" -- d roster add "$(day +1)" --leader "$DLEAD" \
	--officer "$DDUTY"
ok_run "datian: its own shift start" -- d setting set shift.start 09:00
expect_id "datian: a call to the leader" -- d call "$DLEAD" --outcome busy
expect_id "gucheng: its duty officer" -- g contact add --name 赵六 \
	--phone 13700003333 --role town_duty --town gucheng
GDUTY=$ID
expect_id "gucheng: an incoming call" -- g call 13912345678 --outcome answered \
	--incoming --note 群众报告积水

sync_all gucheng linhai datian gucheng linhai
check "after syncing gucheng, linhai, datian, gucheng, linhai: the three and the server export the same" exports_equal
run d check list --json
check "the county's spot check is at the towns too" sh -c "python3 -c \"
import json; j = json.load(open('$OUT'))
assert j[0]['town'] == 'datian' and j[0]['answered'] == 0, j\""
run g setting get silent.red
check "the county's red limit reached gucheng" grep -qx 20 "$OUT"
run d setting get shift.start
check "datian's own shift start stays its own" grep -qx 09:00 "$OUT"
run g setting get shift.start
check "gucheng's is the county's (the default)" grep -qx 08:30 "$OUT"
run l roster list --json
check "every station's roster everywhere, each its own" sh -c "python3 -c \"
import json; j = json.load(open('$OUT'))
assert sorted(r['station'] for r in j) == ['datian', 'linhai'], j\""

# ---- round 2: one contact edited on two stations at once ----
ok_run "linhai changes 李娜's unit" -- l contact update "$DDUTY" --unit 大田街道应急办
sleep 0.01
ok_run "datian then changes her unit and phone" -- d contact update "$DDUTY" \
	--unit 大田街道值班室 --phone 13900002223
ok_run "gucheng gives her role by its Chinese label" -- \
	g contact update "$DDUTY" --role 镇街值班员
sync_all datian linhai gucheng datian linhai
check "after syncing in another order, still the same bytes" exports_equal
run l contact show "$DDUTY" --json
check "field by field the later write: datian's unit and phone" sh -c "python3 -c \"
import json; j = json.load(open('$OUT'))
assert j['unit'] == '大田街道值班室' and j['phones'] == '13900002223', j\""

# ---- a warning names the towns' people; an answer by name comes back ----
expect_id "linhai warns datian and gucheng" -- l warning issue --hazard typhoon \
	--color red --text 台风红色预警 --towns datian,gucheng
WARN=$ID
sync_all linhai datian gucheng
expect_id "datian answers by its duty officer's name" -- \
	d warning answer "$WARN" datian --who 李娜
sync_all datian linhai gucheng
run l warning list "$WARN" --json
check "the county sees each town's people and who answered" sh -c "python3 -c \"
import json; j = json.load(open('$OUT'))
rows = sorted((r['town'], r['name'], r['answered_by']) for r in j)
assert rows == [('datian', '张镇长', '李娜'), ('datian', '李娜', '李娜'), ('gucheng', '赵六', None)], rows\""
check "and all export the same" exports_equal
stop_server
finish
