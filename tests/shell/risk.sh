#!/bin/sh
# risk.sh - the county's risk points (风险点) from a shell: the import
# (all rows or none, a re-import updates by code, a monitor not in the
# directory joins it), the list, people moved, a point cleared, and a
# warning that names risk points (their monitors must answer it). Every
# bad input is refused with exit 1 (2 for a usage error), one line on
# stderr and the export unchanged.
#
# Run from the repository root: sh tests/shell/risk.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

DB=$W/county.db
TOWN=$W/town.db
d() { "$BIN" --db "$DB" "$@"; }
t() { "$BIN" --db "$TOWN" "$@"; }
# py EXPR...: python3 asserts on the JSON of the last command's stdout (d).
py() { python3 -c "import json; d=json.load(open('$OUT')); $1"; }

ok_run "a county command station" -- d init --station linhai --role command
ok_run "a town station" -- t init --station datian --role town
GUARD=$DB

# A monitor the directory knows by phone, one it knows by name.
expect_id "a monitor in the directory" -- d contact add --name 罗小军 \
	--phone 13303695438 --role risk_monitor --town 大田
LUO=$ID
expect_id "another, found by name" -- d contact add --name 陈永富 \
	--phone 13700543711 --role village --town datian
CHEN=$ID

# ---- import ----
H=code,name,kind,town,village,people,monitor,monitor_phone
cat >"$W/ok.csv" <<EOF
$H
LH-DT-001,樟坦山洪沟,山洪,大田街道,樟坦村,94,罗小军,133-0369-5438
LH-DT-002,南坦后山滑坡,地质灾害,datian,南坦村,45,陈永富,
LH-GC-001,上岗山塘,山塘,古城,上岗村,237,黄明亮,15800548325
LH-KC-001,岭根泥石流沟,geological,kuocang,岭根村,18,,
LH-KC-002,溪口水库下游,reservoir,括苍镇,溪口村,120,黄明亮,15800548325
EOF
# Each bad file has one bad row among good ones: nothing of it is kept.
bad() {
	{ echo "$H"; echo "LH-SP-001,沙滩山洪,山洪,上盘,沙滩村,30,,"; echo "$1"; } \
		>"$W/bad.csv"
	refused 1 "a CSV with one bad row: $2" -- d risk import "$W/bad.csv"
}
bad "LH-SP-002,海塘,山洪,nowhere,海村,30,," "an unknown town"
check "the message names line 3" grep -q "line 3" "$ERR"
bad "LH-SP-002,海塘,台风,上盘,海村,30,," "an unknown kind"
bad "LH-SP-002,海塘,山洪,上盘,海村,-3,," "a negative number of people"
bad "LH-SP-002,海塘,山洪,上盘,海村,many,," "people not a number"
bad "LH-SP-002,,山洪,上盘,海村,30,," "a new point without its name"
bad "LH SP 002,海塘,山洪,上盘,海村,30,," "a code with spaces"
bad "LH-SP-002,海塘,山洪,上盘,海村,30,无名氏," \
	"a monitor not in the directory without a phone"
bad "LH-SP-002,海塘,山洪,上盘,海村,30,,abc" "a monitor phone of letters"
bad "lh-sp-001,沙滩山洪,山洪,上盘,沙滩村,31,," "a code twice in one file"
check "said so, on line 3" sh -c "grep -q 'line 3' '$ERR' && grep -q twice '$ERR'"
printf 'code,name,kind,town,village,people,monitor,phone\n' >"$W/head.csv"
refused 1 "a header with an unknown column" -- d risk import "$W/head.csv"
refused 1 "a file that is not there" -- d risk import "$W/none.csv"
refused 2 "import without a file" -- d risk import
refused 2 "an unknown encoding" -- d risk import "$W/ok.csv" --encoding latin1
run d risk list --json
check "nothing of the bad files stored" grep -qx '\[\]' "$OUT"
run d contact find 黄明亮 --json
check "no monitor added by a refused import" grep -qx '\[\]' "$OUT"
refused 1 "a town station may not import the county's points" -- \
	t risk import "$W/ok.csv"

expect_exit 0 "the good file" -- d risk import "$W/ok.csv"
changed
check "its five codes on stdout" test "$(nlines "$OUT")" = 5
check "first LH-DT-001" grep -qx LH-DT-001 "$OUT"
check "one line on stderr says how many" grep -q "imported 5 risk points (5 new" "$ERR"
run d contact list --role risk_monitor --json
check "黄明亮 joined the directory once, a monitor of 古城" py "
m=[r for r in d if r['name'] == '黄明亮']
assert len(m) == 1 and m[0]['town'] == 'gucheng' and m[0]['phones'] == '15800548325', m"

expect_json_array "risk list --json" -- d risk list --json
check "the points with their monitors, kinds as codes" py "
r={x['code']: x for x in d}
assert sorted(r) == ['LH-DT-001', 'LH-DT-002', 'LH-GC-001', 'LH-KC-001', 'LH-KC-002'], r
a=r['LH-DT-001']
assert a['name'] == '樟坦山洪沟' and a['kind'] == 'torrent' and a['town'] == 'datian'
assert a['village'] == '樟坦村' and a['people'] == 94 and a['moved'] == 0
assert a['monitor'] == '$LUO' and a['monitor_name'] == '罗小军' and not a['cleared']
assert r['LH-DT-002']['monitor'] == '$CHEN' and r['LH-DT-002']['kind'] == 'geological'
assert r['LH-GC-001']['kind'] == 'reservoir' and r['LH-KC-001']['monitor'] is None
assert r['LH-GC-001']['monitor'] == r['LH-KC-002']['monitor']"
expect_json_array "risk list --town 大田" -- d risk list --town 大田 --json
check "its two points" py "assert [x['id'] for x in d] == ['LH-DT-001', 'LH-DT-002'], d"
refused 1 "list by an unknown town" -- d risk list --town nowhere
ok_run "risk list in words (Chinese)" -- env LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 \
	"$BIN" --db "$DB" risk list
check "a kind in Chinese, where the locale has it" sh -c "
	! locale -a 2>/dev/null | grep -qi '^zh_CN.utf' || grep -q 山洪 '$OUT'"
ok_run "risk list under C" -- env LANG=C LC_ALL=C "$BIN" --db "$DB" risk list
check "names in pinyin, kinds as codes" sh -c "grep -q torrent '$OUT' &&
	grep -qi 'zhang tan' '$OUT' && ! grep -q '[^ -~]' '$OUT'"

# A re-import changes what changed, by code, and nothing else.
sed -e 's/,94,/,120,/' -e 's/南坦后山滑坡/南坦村后山滑坡/' "$W/ok.csv" >"$W/again.csv"
expect_exit 0 "a re-import" -- d risk import "$W/again.csv"
changed
check "the two changed codes alone on stdout" \
	sh -c "test \"\$(cat '$OUT' | tr '\n' ' ')\" = 'LH-DT-001 LH-DT-002 '"
check "said so" grep -q "0 new, 2 changed, 3 as they were" "$ERR"
run d risk list --json
check "the new count and name, the rest as it was" py "
r={x['code']: x for x in d}
assert r['LH-DT-001']['people'] == 120 and r['LH-DT-002']['name'] == '南坦村后山滑坡'
assert r['LH-DT-002']['people'] == 45 and len(d) == 5"
iconv -f UTF-8 -t GB18030 "$W/again.csv" >"$W/gb.csv"
expect_exit 0 "the same file in GB18030 changes nothing" -- \
	d risk import "$W/gb.csv" --encoding gb18030
check "no code printed" test ! -s "$OUT"
printf '%s\n lh-kc-001 ,,,,, 19 ,,\n' "$H" >"$W/case.csv"
expect_exit 0 "a code in another case, spaces around, updates the point held" -- \
	d risk import "$W/case.csv"
changed
check "its code as held" grep -qx LH-KC-001 "$OUT"
run d risk list --json
check "no second point, 19 at risk" py "
r=[x for x in d if x['code'].upper() == 'LH-KC-001']
assert len(d) == 5 and len(r) == 1 and r[0]['people'] == 19, d"

# A sheet of a few columns changes only those.
printf 'code,people\nLH-GC-001,240\n' >"$W/few.csv"
expect_exit 0 "a file of code and people alone" -- d risk import "$W/few.csv"
changed
run d risk list --json
check "240 at risk at LH-GC-001, its name and monitor as they were" py "
r=[x for x in d if x['code'] == 'LH-GC-001'][0]
assert r['people'] == 240 and r['name'] == '上岗山塘' and r['monitor_name'] == '黄明亮', r"
printf 'code,people\nLH-ZZ-001,5\n' >"$W/new-few.csv"
refused 1 "a new point without its name, kind and town" -- \
	d risk import "$W/new-few.csv"
iconv -f UTF-8 -t GB18030 "$W/ok.csv" >"$W/auto.csv"
expect_exit 0 "a GB18030 file found so without --encoding" -- \
	d risk import "$W/auto.csv"
changed
check "it changed what it holds otherwise" grep -q "LH-" "$OUT"

# ---- people moved, cleared ----
expect_id "30 moved out of LH-DT-001" -- d risk evacuate LH-DT-001 30
MOVE=$ID
expect_id "12 more, the point by name" -- d risk evacuate 樟坦山洪沟 12
expect_id "by code in lower case" -- d risk evacuate lh-kc-001 5
refused 1 "no one moved" -- d risk evacuate LH-DT-001 0
refused 1 "a negative number" -- d risk evacuate LH-DT-001 -4
refused 1 "not a number" -- d risk evacuate LH-DT-001 ten
refused 1 "too many" -- d risk evacuate LH-DT-001 1000001
refused 1 "an unknown point" -- d risk evacuate LH-XX-999 3
refused 2 "without the number" -- d risk evacuate LH-DT-001
refused 2 "a word too many" -- d risk evacuate LH-DT-001 3 4
refused 1 "a town that does not hold the point" -- t risk evacuate LH-DT-001 3
refused 1 "nor clears it" -- t risk clear LH-DT-001
printf '%s\nLH-KC-003,上岗山塘,山塘,括苍,上岗村,12,,\n' "$H" >"$W/same.csv"
expect_exit 0 "a second point of the same name" -- d risk import "$W/same.csv"
changed
refused 1 "a name two points share" -- d risk evacuate 上岗山塘 3
check "the refusal lists both codes" \
	sh -c "grep -q LH-GC-001 '$ERR' && grep -q LH-KC-003 '$ERR'"
refused 1 "list by an ambiguous town" -- d risk list --town da
expect_json_object "risk show --json" -- d risk show LH-DT-001 --json
check "42 moved in two moves" py "
assert d['moved'] == 42 and [m['n'] for m in d['moves']] == [30, 12], d
assert d['moves'][0]['id'] == '$MOVE' and d['monitor_phone'] == '13303695438'"
refused 1 "show an unknown point" -- d risk show LH-XX-999

ok_run "LH-DT-001 cleared" -- d risk clear LH-DT-001
changed
check "nothing on stdout" test ! -s "$OUT"
refused 1 "cleared a second time" -- d risk clear LH-DT-001
check "said so" grep -q "cleared already" "$ERR"
refused 1 "clear an unknown point" -- d risk clear LH-XX-999
refused 2 "clear without a point" -- d risk clear
expect_id "people found later still count" -- d risk evacuate LH-DT-001 2
run d risk list --json
check "moved 44, cleared, at a time" py "
a=[x for x in d if x['code'] == 'LH-DT-001'][0]
assert a['moved'] == 44 and a['cleared'] and a['cleared_at'].endswith('Z'), a"

# ---- a warning that names risk points ----
refused 1 "a warning naming an unknown point" -- d warning issue --hazard \
	rainstorm --color orange --text 暴雨橙色预警 --towns 古城 --risks LH-XX-9
refused 1 "--risks of nothing" -- d warning issue --hazard rainstorm \
	--color orange --text 暴雨橙色预警 --towns 古城 --risks ,
expect_id "a warning to 古城 naming two points" -- d warning issue \
	--hazard rainstorm --color orange --text 暴雨橙色预警 --towns 古城 \
	--risks LH-DT-002,lh-kc-002
WARN=$ID
expect_json_array "warning list ID --json" -- d warning list "$WARN" --json
check "the monitors are among its people, under their point's town" py "
p={(x['town'], x['name']) for x in d}
assert ('datian', '陈永富') in p and ('kuocang', '黄明亮') in p, p"
run d export --json
check "the export holds the points, their moves and the warning's" py "
r={x['id']: x for x in d['risk_points']}
assert [m['n'] for m in r['LH-DT-001']['moves']] == [30, 12, 2]
assert r['LH-DT-001']['moved'] == 44 and r['LH-DT-001']['cleared_at']
assert r['LH-KC-003']['people'] == 12 and r['LH-KC-003']['moves'] == []
w=[x for x in d['warnings'] if x['id'] == '$WARN'][0]
assert [x['point'] for x in w['risks']] == ['LH-DT-002', 'LH-KC-002'], w"

finish
