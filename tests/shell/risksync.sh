#!/bin/sh
# risksync.sh - risk points through a real dutydeskd on loopback: the
# county imports them and the towns get them; the county and two towns
# move people out of one point and two of them clear it, all offline;
# synced in two different orders, the three stations and the server
# export byte for byte the same, the people moved the sum of every
# station's and the point cleared at the earlier clearing. A warning
# that names a point reaches the town with the point's monitor among
# those who must answer it.
#
# Run from the repository root: sh tests/shell/risksync.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

need_dutydeskd
CLEANUP='stop_server'

l() { "$BIN" --db "$W/linhai.db" "$@"; }
d() { "$BIN" --db "$W/datian.db" "$@"; }
g() { "$BIN" --db "$W/gucheng.db" "$@"; }
py() { python3 -c "import json; d=json.load(open('$OUT')); $1"; }

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

cat >"$W/points.csv" <<'EOF'
code,name,kind,town,village,people,monitor,monitor_phone
LH-DT-001,樟坦山洪沟,山洪,大田,樟坦村,94,罗小军,13303695438
LH-DT-002,南坦后山滑坡,地质灾害,大田,南坦村,45,陈永富,13700543711
LH-GC-001,上岗山塘,山塘,古城,上岗村,237,黄明亮,15800548325
EOF
expect_exit 0 "linhai imports three points" -- l risk import "$W/points.csv"
sync_all linhai datian gucheng
run d risk list --json
check "datian holds them, with their monitors" py "
assert [x['id'] for x in d] == ['LH-DT-001', 'LH-DT-002', 'LH-GC-001'], d
assert d[0]['monitor_name'] == '罗小军'"

# ---- offline, each on its own ----
expect_id "linhai: 10 moved out of LH-DT-001" -- l risk evacuate LH-DT-001 10
expect_id "datian: 25 more" -- d risk evacuate LH-DT-001 25
expect_id "datian: 5 more" -- d risk evacuate 樟坦山洪沟 5
expect_id "gucheng: 7 more" -- g risk evacuate LH-DT-001 7
expect_id "gucheng: its own point, all 237" -- g risk evacuate LH-GC-001 237
ok_run "gucheng clears LH-DT-001 first" -- g risk clear LH-DT-001
run g risk show LH-DT-001 --json
GCLEAR=$(py "print(d['cleared_at'])")
sleep 1
ok_run "datian clears it too, later" -- d risk clear LH-DT-001
sed 's/,45,/,50,/' "$W/points.csv" >"$W/again.csv"
expect_exit 0 "linhai: a re-import, 50 at risk at LH-DT-002" -- \
	l risk import "$W/again.csv"
check "one code changed" test "$(nlines "$OUT")" = 1

sync_all gucheng linhai datian gucheng linhai
check "after syncing gucheng, linhai, datian, gucheng, linhai: the three and the server export the same" exports_equal
run l risk list --json
check "47 moved of LH-DT-001, cleared; 50 at risk at LH-DT-002" py "
r={x['id']: x for x in d}
assert r['LH-DT-001']['moved'] == 47 and r['LH-DT-001']['cleared'], r
assert r['LH-DT-002']['people'] == 50 and r['LH-GC-001']['moved'] == 237, r"
run l risk show LH-DT-001 --json
check "cleared at gucheng's time, the earlier" py "
assert d['cleared_at'] == '$GCLEAR', (d['cleared_at'], '$GCLEAR')"
expect_exit 1 "gucheng: cleared already" -- g risk clear LH-DT-001

# ---- the other order, after more offline ----
expect_id "datian: 3 found later" -- d risk evacuate LH-DT-001 3
expect_id "linhai: 2 at LH-DT-002" -- l risk evacuate LH-DT-002 2
expect_id "linhai: a warning to 古城 naming LH-DT-002" -- l warning issue \
	--hazard rainstorm --color orange --text 暴雨橙色预警 --towns 古城 \
	--risks LH-DT-002
WARN=$ID
sync_all datian linhai gucheng datian
check "after syncing datian, linhai, gucheng, datian: all export the same" exports_equal
run d risk show LH-DT-001 --json
check "50 moved in five moves, from three stations" py "
assert d['moved'] == 50 and len(d['moves']) == 5, d
assert {m['station'] for m in d['moves']} == {'linhai', 'datian', 'gucheng'}, d"
run d warning list "$WARN" --json
check "datian sees the warning with the point's monitor under datian" py "
assert ('datian', '陈永富') in {(x['town'], x['name']) for x in d}, d"
finish
