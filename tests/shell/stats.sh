#!/bin/sh
# stats.sh - disaster statistics (灾情统计) from a shell: a town sets its
# own figures of the duty day, the county any town's; stats lists them
# per town with the county total (--json checked); every bad input (an
# unknown town, a negative or non-numeric figure, a town setting
# another's, no figure, a bad date) is refused with one line on stderr
# and the export unchanged. Through a real dutydeskd on loopback: the
# county's change of a figure a town reported needs --reason; three
# stations synced in different orders export byte for byte the same,
# with the same county total.
#
# Run from the repository root: sh tests/shell/stats.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

need_dutydeskd
CLEANUP='stop_server'

l() { "$BIN" --db "$W/linhai.db" "$@"; }
d() { "$BIN" --db "$W/datian.db" "$@"; }
g() { "$BIN" --db "$W/gucheng.db" "$@"; }
# py CODE: CODE with d, the stats --json printed, as {date, towns, total}.
py() { python3 -c "import json
$STATS_FOLD
d = stats(json.load(open('$OUT')))
$1"; }
DAY=2026-11-28

keys_for linhai datian gucheng
SDB=$W/server.db
server_up "$SDB"
ok_run "linhai, the command station" -- l init --station linhai --role command \
	--server "$SRV" --pin "$PIN" --key "$(cat "$W/key.linhai")"
ok_run "datian" -- d init --station datian --server "$SRV" --pin "$PIN" \
	--key "$(cat "$W/key.datian")"
ok_run "gucheng" -- g init --station gucheng --server "$SRV" --pin "$PIN" \
	--key "$(cat "$W/key.gucheng")"

# ---- a town sets its own figures ----
ok_run "datian sets its figures, by name" -- d stats set 大田 --date $DAY \
	--affected 1200 --dead 1 --missing 2 --relocated 350 --need-aid 80 \
	--collapsed 3 --severe 5 --damaged 12 --crop-ha 45.5 --loss 120
check "nothing on stdout" test ! -s "$OUT"
ok_run "datian adds one figure later" -- d stats set datian --date $DAY \
	--dead 2
ok_run "datian today, no date given" -- d stats set datian --affected 10
ok_run "stats --date" -- d stats --date $DAY
check "datian's row" grep -Eq '^datian +1200 +2 +2 +350 +80 +3 +5 +12 +45.5 +120.0$' "$OUT"
check "the county total" grep -Eq '^TOTAL +1200 +2 +2 +350 +80 +3 +5 +12 +45.5 +120.0$' "$OUT"
check "at most 80 columns" sh -c "! awk 'length > 80' '$OUT' | grep -q ."
run env LANG="$ZH" LC_ALL="$ZH" "$BIN" --db "$W/datian.db" stats --date $DAY
if [ "$ZH" = zh_CN.UTF-8 ]; then
	check "in Chinese: 镇街 and 合计" sh -c "grep -q '^镇街' '$OUT' && grep -q '^合计' '$OUT' && grep -q '^大田街道' '$OUT'"
	check "no English on the Chinese table" sh -c "! grep -Eq '[A-Za-z]{3,}' '$OUT'"
else
	skip "no zh_CN.UTF-8 locale"
	skip "no zh_CN.UTF-8 locale"
fi
expect_json_array "stats --json" -- d stats --date $DAY --json
check "--json: the row, who reported each figure, and the total" py "
t = d['towns']; assert d['date'] == '$DAY' and len(t) == 1, d
r = t[0]; assert r['town'] == 'datian' and r['name'] == '大田街道'
assert r['dead'] == 2 and r['affected'] == 1200 and r['crop_ha'] == 455 and r['loss'] == 1200
assert r['dead_station'] == 'datian' and r['dead_officer'] == 'tester' and r['dead_at'].endswith('Z')
assert d['total']['dead'] == 2 and d['total']['crop_ha'] == 455 and d['total']['towns'] == 1
assert d['total']['missing'] == 2 and d['total']['damaged'] == 12"
expect_json_array "stats today --json" -- d stats --json
check "today's duty day holds the figure set without a date" py "
assert d['towns'][0]['affected'] == 10 and d['date'] != '$DAY', d"

# ---- bad input: one line, exit 1 (2 for usage), nothing stored ----
GUARD=$W/datian.db
refused 1 "an unknown town" -- d stats set nowhere --dead 1
refused 1 "a negative figure" -- d stats set datian --dead -3
refused 1 "not a number" -- d stats set datian --affected many
refused 1 "a decimal where a whole number goes" -- d stats set datian --dead 1.5
refused 1 "two decimals" -- d stats set datian --loss 1.25
refused 1 "too large" -- d stats set datian --affected 99999999999
refused 1 "a town setting another town" -- d stats set gucheng --dead 1
refused 1 "the same, by name" -- d stats set 古城 --dead 1
refused 1 "a bad date" -- d stats set datian --date 2026-02-30 --dead 1
refused 2 "no figure" -- d stats set datian --date $DAY
refused 2 "no town" -- d stats set --dead 1
refused 2 "an unknown option" -- d stats set datian --wounded 1
refused 2 "an empty reason" -- d stats set datian --dead 1 --reason ""
refused 1 "an ambiguous name" -- d stats set da --dead 1
check "the candidates listed" grep -q "datian.*dayang" "$ERR"
refused 1 "list: an unknown town" -- d stats --town nowhere
refused 1 "list: a bad date" -- d stats --date 28/11/2026

expect_json_array "a day nobody reported" -- d stats --date 2020-01-01 --json
check "no rows, a total of zeros" py "
assert d['towns'] == [] and d['total']['dead'] == 0 and d['total']['towns'] == 0, d"

# ---- a town station named otherwise serves the town given at init ----
ok_run "a town station dtzhan for datian" -- "$BIN" --db "$W/dtzhan.db" init \
	--station dtzhan --role town --town datian
ok_run "it sets datian's figures" -- "$BIN" --db "$W/dtzhan.db" stats set datian \
	--dead 1
GUARD=$W/dtzhan.db
refused 1 "and not gucheng's" -- "$BIN" --db "$W/dtzhan.db" stats set gucheng \
	--dead 1

# ---- the county's correction needs a reason ----
ok_run "gucheng sets its figures" -- g stats set gucheng --date $DAY --dead 4 \
	--collapsed 2
run d sync --timeout 10
check "datian syncs" test "$RC" = 0
run g sync --timeout 10
check "gucheng syncs" test "$RC" = 0
run l sync --timeout 10
check "linhai syncs" test "$RC" = 0
GUARD=$W/linhai.db
changed
refused 1 "the county changes datian's figure without --reason" -- \
	l stats set datian --date $DAY --dead 3
check "the message says a reason is needed" grep -q reason "$ERR"
ok_run "the same value again needs none" -- l stats set datian --date $DAY --dead 2
changed
refused 1 "and leaves the figure the town's: a change still needs --reason" -- \
	l stats set datian --date $DAY --dead 3
ok_run "a figure nobody reported needs none" -- l stats set gucheng --date $DAY \
	--missing 1
ok_run "the county corrects with --reason" -- l stats set datian --date $DAY \
	--dead 3 --reason "县里核实：一人系外地游客"
ok_run "its own figure it changes freely" -- l stats set gucheng --date $DAY \
	--missing 2
expect_json_array "linhai: stats --town datian --json" -- l stats --date $DAY \
	--town datian --json
check "the corrected figure, by the county, with its reason" py "
r = d['towns'][0]; assert r['dead'] == 3 and r['dead_station'] == 'linhai', r
assert r['dead_reason'].startswith('县里核实') and r['missing_station'] == 'datian'
assert len(d['towns']) == 1 and d['total']['dead'] == 7 and d['total']['towns'] == 2"

# ---- offline on three stations, synced in different orders ----
ok_run "datian, offline: more relocated" -- d stats set datian --date $DAY \
	--relocated 400
ok_run "gucheng, offline" -- g stats set gucheng --date $DAY --damaged 9 \
	--loss 33.3
ok_run "linhai, offline: gucheng's dead" -- l stats set gucheng --date $DAY \
	--dead 5 --reason "电话核实"
for s in gucheng linhai datian gucheng linhai; do
	run "$BIN" --db "$W/$s.db" sync --timeout 10
	[ "$RC" = 0 ] || fail "sync $s" "exit $RC"
done
l export --json >"$W/x.l" 2>/dev/null
d export --json >"$W/x.d" 2>/dev/null
g export --json >"$W/x.g" 2>/dev/null
"$DBIN" --db "$SDB" export --json >"$W/x.s" 2>/dev/null
check "three stations and the server export the same" sh -c \
	"cmp -s '$W/x.l' '$W/x.d' && cmp -s '$W/x.l' '$W/x.g' && cmp -s '$W/x.l' '$W/x.s'"
check "the export holds the figures" python3 -c "
import json; x = json.load(open('$W/x.l'))
s = {(r['town'], r['field']): r for r in x['stats'] if r['date'] == '$DAY'}
assert s[('datian', 'dead')]['value'] == 3 and s[('datian', 'relocated')]['value'] == 400
assert s[('gucheng', 'dead')]['value'] == 5 and s[('gucheng', 'loss')]['value'] == 333"
for s in l d g; do
	$s stats --date $DAY --json >"$W/t.$s" 2>/dev/null
done
check "the same county total on each" python3 -c "
import json
$STATS_FOLD
t = [stats(json.load(open('$W/t.' + s)))['total'] for s in 'ldg']
assert t[0] == t[1] == t[2], t
assert t[0]['dead'] == 8 and t[0]['relocated'] == 400 and t[0]['loss'] == 1533, t[0]"

stop_server
finish
