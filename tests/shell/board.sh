#!/bin/sh
# board.sh - the town board from a shell: `dutydesk board [--json]`. Three
# towns report incidents to the command station (one with reports late on
# two incidents, one late on the phone report alone, one on time), people
# check in to shelters, a team goes out, a warning is answered by one town
# and left silent by the others: the board lists every town of the seed,
# the late first, then the silent, then those heard from longest ago
# (never first), then by code, with the counts of each. A town station's
# board says when its own station was last heard from, by its code or by
# its station.town; the county that holds nothing of a station says
# never (null). The text table fits 80 columns in Chinese and in C, in
# the order of the JSON. Bad arguments are usage errors (exit 2), one
# line on stderr, nothing stored.
#
# Requests (request add, approve, refuse, send, receive) and risk points
# (risk import, evacuate, clear) are counted by the board too: open
# requests (neither received nor refused), points cleared of all, people
# moved of the people at risk, as `request list --open` and `risk list`
# count them.
#
# Run from the repository root: sh tests/shell/board.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

DB=$W/county.db
d() { "$BIN" --db "$DB" "$@"; }
ago() { TZ=$DUTYDESK_TZ date -d "-$1 min" '+%Y-%m-%d %H:%M'; }
# py CODE: python3 with the last command's stdout as rows (a JSON array)
# and by (rows by town); exit 1 when an assert fails.
py() {
	python3 -c "import json
rows = json.load(open('$OUT'))
by = {r['town']: r for r in rows}
$1"
}

if ! have python3; then
	skip "python3 not installed"
	finish
fi

ok_run "a county command station" -- d init --station linhai --role command
GUARD=$DB

# ---- an empty county: every town, never heard from ----
expect_json_array "board --json of a county with nothing open" -- d board --json
check "nineteen towns, all quiet, never heard from, by code" py "
codes = [r['town'] for r in rows]
assert len(rows) == 19, len(rows)
assert codes == sorted(codes), codes
for r in rows:
    assert r['open'] == 0 and r['late'] == 0 and r['unanswered'] == 0, r
    assert r['last_heard_at'] is None and r['heard_station'] is None, r
    assert r['name'] and r['pinyin'], r"

# ---- three towns report ----
expect_id "datian: a report 90 minutes ago, none sent" -- d incident add \
	--town datian --title 山体滑坡 --received "$(ago 90)" --dead 1 \
	--trapped 3 --evacuated 40
DT1=$ID
expect_id "datian: another 70 minutes ago, phone report only" -- d incident add \
	--town 大田 --title 房屋倒塌 --received "$(ago 70)" --injured 2 \
	--missing 1 --evacuated 5
DT2=$ID
ok_run "its phone report (the written one is late)" -- d incident report \
	first "$DT2" --channel phone --at "$(ago 65)"
expect_id "datian: a third, closed" -- d incident add --town datian \
	--title 旧事 --received "$(ago 200)" --dead 9
ok_run "closed" -- d incident status "$ID" closed
expect_id "yanjiang: 45 minutes ago, no phone report yet" -- d incident add \
	--town yanjiang --title 河堤渗水 --received "$(ago 45)"
expect_id "gucheng: 40 minutes ago, reported by phone" -- d incident add \
	--town gucheng --title 内涝 --received "$(ago 40)" --evacuated 12
GC=$ID
ok_run "gucheng's phone report" -- d incident report first "$GC" \
	--channel phone
expect_id "huixi: just now" -- d incident add --town huixi --title 树木倒伏 \
	--injured 1
HX=$ID

# ---- shelters, a team, a warning ----
ok_run "a gucheng shelter opens" -- d shelter open s003
ok_run "25 people check in" -- d shelter checkin s003 25
ok_run "another opens" -- d shelter open s006
ok_run "15 check in there" -- d shelter checkin s006 15
ok_run "a third opens, empty" -- d shelter open s007
ok_run "a datian shelter opens and closes again" -- d shelter open s040
ok_run "closed" -- d shelter close s040
expect_id "a gucheng team goes to huixi" -- d dispatch m06 "$HX"
expect_id "huixi's own team too" -- d dispatch t-huixi "$HX"
ok_run "and one is back already" -- d team status t-huixi available
expect_id "a red warning 40 minutes ago to three towns" -- d warning issue \
	--hazard typhoon --color red --text 台风红色预警 \
	--towns datian,gucheng,huixi --at "$(ago 40)"
W1=$ID
expect_id "gucheng answers" -- d warning answer "$W1" gucheng --who 值班员
expect_id "a blue warning just now to huixi and xiaozhi" -- d warning issue \
	--hazard flood --color blue --text 防汛蓝色预警 --towns huixi,xiaozhi

# ---- requests and risk points ----
expect_id "datian asks for tents" -- d request add --town datian --item tent \
	--qty 10
ok_run "approved from the city depot: still open" -- d request approve "$ID" \
	--depot d-city
expect_id "datian asks for beds" -- d request add --town datian --item bed \
	--qty 5
ok_run "refused: closed" -- d request refuse "$ID" --reason 库存另有安排
expect_id "huixi asks for a fire team for its incident" -- d request add \
	--town huixi --team-kind fire --incident "$HX"
expect_id "gucheng asks for water" -- d request add --town gucheng \
	--item water --qty 3
GRQ=$ID
ok_run "approved" -- d request approve "$GRQ" --depot d-city
ok_run "sent" -- d request send "$GRQ"
ok_run "received: closed" -- d request receive "$GRQ"
refused 1 "received twice: nothing stored" -- d request receive "$GRQ"
cat >"$W/risk.csv" <<'CSV'
code,name,kind,town,village,people,monitor,monitor_phone
DT-1,岭头滑坡点,地质灾害,大田街道,岭头村,30,朱守山,13700002001
DT-2,溪坑山洪沟,山洪,大田街道,溪坑村,8,朱守山,13700002001
GC-1,城西山塘,山塘,古城街道,城西村,20,王看塘,13700002002
CSV
ok_run "three risk points imported" -- d risk import "$W/risk.csv"
expect_id "12 moved out of DT-1" -- d risk evacuate DT-1 12
expect_id "8 out of DT-2" -- d risk evacuate DT-2 8
ok_run "DT-2 cleared" -- d risk clear DT-2
expect_id "5 out of GC-1" -- d risk evacuate GC-1 5
expect_id "5 more: they add up" -- d risk evacuate GC-1 5

expect_json_array "board --json" -- d board --json
cp "$OUT" "$W/board.json"
check "the late first (most first), then the silent, then by code" py "
codes = [r['town'] for r in rows]
assert codes[:4] == ['datian', 'yanjiang', 'huixi', 'baishuiyang'], codes
rest = codes[3:]
assert rest == sorted(rest), rest
assert len(rows) == 19 and len(set(codes)) == 19"
check "datian: two open, both late, casualties and evacuated of the open" py "
r = by['datian']
assert (r['open'], r['late']) == (2, 2), r
assert (r['dead'], r['injured'], r['missing'], r['trapped']) == (1, 2, 1, 3), r
assert r['evacuated'] == 45, r
assert (r['unanswered'], r['silent']) == (1, 1), r
assert (r['sheltered'], r['capacity']) == (0, 0), r"
check "yanjiang: late on the phone report alone" py "
r = by['yanjiang']
assert (r['open'], r['late'], r['unanswered']) == (1, 1, 0), r"
check "gucheng: on time, 40 in its open shelters of 235, answered" py "
r = by['gucheng']
assert (r['open'], r['late']) == (1, 0), r
assert (r['sheltered'], r['capacity']) == (40, 235), r
assert r['evacuated'] == 12 and r['unanswered'] == 0 and r['silent'] == 0, r
assert r['teams_out'] == 0, r"
check "huixi: one team out at it, two warnings unanswered, one silent" py "
r = by['huixi']
assert (r['open'], r['late'], r['injured']) == (1, 0, 1), r
assert r['teams_out'] == 1, r
assert (r['unanswered'], r['silent']) == (2, 1), r"
check "xiaozhi: a warning unanswered, not yet silent" py "
r = by['xiaozhi']
assert (r['unanswered'], r['silent'], r['open']) == (1, 0, 0), r"
check "open requests: datian's approved, huixi's asked; refused and received not" py "
assert by['datian']['requests'] == 1, by['datian']
assert by['huixi']['requests'] == 1, by['huixi']
assert by['gucheng']['requests'] == 0, by['gucheng']
assert sum(r['requests'] for r in rows) == 2"
check "risk points: datian 1 of 2 cleared, 20 of 38 moved; gucheng 10 of 20" py "
r = by['datian']
assert (r['risk_points'], r['risk_cleared']) == (2, 1), r
assert (r['risk_moved'], r['risk_people']) == (20, 38), r
r = by['gucheng']
assert (r['risk_points'], r['risk_cleared']) == (1, 0), r
assert (r['risk_moved'], r['risk_people']) == (10, 20), r
for r in rows:
    if r['town'] not in ('datian', 'gucheng'):
        assert r['risk_points'] == r['risk_people'] == r['risk_moved'] == 0, r
    assert r['last_heard_at'] is None, r"
expect_json_array "request list --open --json" -- d request list --open --json
cp "$OUT" "$W/open.json"
expect_json_array "risk list --json" -- d risk list --json
cp "$OUT" "$W/risk.json"
check "the same counts as request list and risk list" python3 -c "
import json
rows = json.load(open('$W/board.json'))
rq = json.load(open('$W/open.json'))
rk = json.load(open('$W/risk.json'))
for r in rows:
    t = r['town']
    p = [x for x in rk if x['town'] == t]
    assert r['requests'] == sum(1 for x in rq if x['town'] == t), r
    assert r['risk_points'] == len(p), r
    assert r['risk_cleared'] == sum(x['cleared_at'] is not None for x in p), r
    assert r['risk_people'] == sum(x['people'] for x in p), r
    assert r['risk_moved'] == sum(x['moved'] for x in p), r"

# ---- the text table ----
LANG=C LC_ALL=C expect_exit 0 "board in C" -- d board
cp "$OUT" "$W/board.c.txt"
check "a header and nineteen rows" test "$(nlines "$OUT")" = 20
check "in the order of the JSON, by code" python3 -c "
import json
rows = json.load(open('$W/board.json'))
lines = open('$W/board.c.txt').read().splitlines()
assert lines[0].split()[0] == 'TOWN', lines[0]
assert [l.split()[0] for l in lines[1:]] == [r['town'] for r in rows], lines"
check "datian's line: counts, casualties d/i/m/t, never heard" python3 -c "
l = open('$W/board.c.txt').read().splitlines()[1].split()
assert l[:6] == ['datian', '2', '2', '1/2/1/3', '45', '-'], l
assert l[-1] == 'never', l"
check "gucheng's shelters: 40 people, 17% full" grep -q '^gucheng .* 40 17% ' \
	"$W/board.c.txt"
check "datian's request, points cleared 1/2 and people moved 20/38" \
	grep -Eq '^datian .* 1 +1/2 +20/38 +never$' "$W/board.c.txt"
check "huixi's request, no risk points" grep -Eq '^huixi .* 1 +- +- +never$' \
	"$W/board.c.txt"
check "at most 80 columns" sh -c "! awk 'length > 80' '$W/board.c.txt' | grep -q ."
if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 expect_exit 0 "board in Chinese" -- d board
	cp "$OUT" "$W/board.zh.txt"
	check "Chinese heads, no English word" sh -c \
		"head -n 1 '$W/board.zh.txt' | grep -q '^镇街' && ! grep -q '[A-Za-z]' '$W/board.zh.txt'"
	check "towns by their short names, datian first" sh -c \
		"sed -n 2p '$W/board.zh.txt' | grep -q '^大田 ' && grep -q '^古城 ' '$W/board.zh.txt'"
	check "never heard: 从未" sh -c "sed -n 2p '$W/board.zh.txt' | grep -q '从未\$'"
	check "at most 80 display columns" python3 -c "
import unicodedata
for l in open('$W/board.zh.txt', encoding='utf-8').read().splitlines():
    w = sum(2 if unicodedata.east_asian_width(c) in 'WF' else 1 for c in l)
    assert w <= 80, (w, l)"
else
	skip "no zh_CN.UTF-8 locale: the Chinese table"
fi

# ---- bad arguments: usage errors, nothing stored ----
refused 2 "an argument" -- d board datian
refused 2 "an unknown option" -- d board --town datian
refused 2 "--json with a value" -- d board --json=yes
expect_exit 3 "no database" -- "$BIN" --db "$W/none.db" board

# ---- last heard: the town's own station ----
TDB=$W/datian.db
ok_run "datian's station" -- "$BIN" --db "$TDB" init --station datian \
	--role town
expect_id "it takes a report" -- "$BIN" --db "$TDB" incident add \
	--town datian --title 积水
expect_json_array "its board" -- "$BIN" --db "$TDB" board --json
check "datian heard from by its station, just now; the others never" py "
import datetime
r = by['datian']
assert r['heard_station'] == 'datian', r
t = datetime.datetime.strptime(r['last_heard_at'], '%Y-%m-%dT%H:%M:%SZ')
age = datetime.datetime.utcnow() - t
assert abs(age.total_seconds()) < 120, age
assert all(x['last_heard_at'] is None for x in rows if x['town'] != 'datian')
codes = [x['town'] for x in rows]
assert codes[-1] == 'datian', codes"
check "heard the longest ago last, after every town never heard from" py "
assert [x['town'] for x in rows][0] == 'baishuiyang'"

XDB=$W/xq.db
ok_run "a station with a code of its own serving xunqiao" -- "$BIN" \
	--db "$XDB" init --station xq --role town --town xunqiao
expect_json_array "its board" -- "$BIN" --db "$XDB" board --json
check "xunqiao heard from by station xq" py "
r = by['xunqiao']
assert r['heard_station'] == 'xq' and r['last_heard_at'], r
assert sum(1 for x in rows if x['last_heard_at']) == 1"

finish
