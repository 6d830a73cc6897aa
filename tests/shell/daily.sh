#!/bin/sh
# daily.sh - the daily report (值班日报) of a duty day: the day's
# incidents with their report clocks (one reported late, one owing its
# written report, two carried over from before the day, one of them
# closed in it; tests/unit/test_daily.c has one closed before the day
# left out), the level started, a warning to three towns of
# which two answered, a team sent and its turnout, a shelter with people
# in it, a zero report from a town station (through a real dutydeskd),
# the day's roster; as a sheet in UTF-8 and GB18030 (the same text), at
# most 80 columns a line, a form feed before each section, English
# headings without Chinese; --json read back by python3; a day with
# nothing in it; bad input refused with one line; nothing stored.
#
# The statistics and risk-point sections are checked empty first, then
# filled through their verbs (stats set, risk import, evacuate, clear:
# "---- statistics and risk points ----" at the end), against `stats`
# and `risk list` too. A written report counts when the leader on duty
# signs it ("---- signing ----"): unsigned it is not sent, signed in time
# it is on time, made in time but signed late it is late, and of two the
# one signed first counts.
#
# Run from the repository root: sh tests/shell/daily.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

need_dutydeskd
CLEANUP='stop_server'

DB=$W/linhai.db
c() { "$BIN" --db "$DB" "$@"; }
h() { "$BIN" --db "$W/hetou.db" "$@"; }
ago() { TZ=$DUTYDESK_TZ date -d "-$1 minutes" '+%Y-%m-%d %H:%M'; }
# Display columns of each line over 80 (east Asian wide and full-width
# characters count two): exit 1 when there is one.
cols80() {
	python3 -c "import sys,unicodedata as u
w=lambda s: sum(2 if u.east_asian_width(c) in 'WF' else 1 for c in s)
sys.exit(any(w(l.rstrip('\n')) > 80 for l in open(sys.argv[1], encoding='utf-8')))" "$1"
}

keys_for linhai hetou
server_up "$W/server.db"
ok_run "linhai, the command station" -- c init --station linhai --role command \
	--server "$SRV" --pin "$PIN" --key "$(cat "$W/key.linhai")"
ok_run "hetou, a town station" -- h init --station hetou --server "$SRV" \
	--pin "$PIN" --key "$(cat "$W/key.hetou")"

# The duty day began three hours ago: whatever the hour the test runs,
# what happens now and in the last two hours is inside it.
START=$(TZ=$DUTYDESK_TZ date -d '-3 hours' '+%H:%M')
DAY=$(TZ=$DUTYDESK_TZ date -d '-3 hours' '+%Y-%m-%d')
ok_run "the shift starts at $START" -- c setting set shift.start "$START"

expect_id "a county leader" -- c contact add --name 张局长 --phone 13500001111 \
	--role county_leader
expect_id "a duty officer" -- c contact add --name 李四 --phone 13900002222 \
	--role officer
expect_id "the day's shift" -- c roster add "$DAY" --leader 张局长 --officer 李四

expect_id "an incident reported on time" -- c incident add --town datian \
	--title 城区内涝 --received "$(ago 50)" --evacuated 12
ONTIME=$ID
ok_run "its phone report 10 minutes after" -- \
	c incident report first "$ONTIME" --channel phone --at "$(ago 40)"
expect_id "its written report 30 minutes after, not signed yet" -- \
	c incident report followup "$ONTIME" --channel written --at "$(ago 20)"
WR_ONTIME=$ID
expect_id "an incident reported late" -- c incident add --town hetou \
	--title 山体滑坡 --received "$(ago 120)" --dead 1 --injured 2
LATE=$ID
ok_run "its phone report 75 minutes after" -- \
	c incident report first "$LATE" --channel phone --at "$(ago 45)"
expect_id "an incident from before the day, still open" -- \
	c incident add --town kuocang --title 道路塌方 --received "$(ago 250)"
CARRIED=$ID
expect_id "an incident from before the day, closed in it" -- \
	c incident add --town yongfeng --title 已处置火情 --received "$(ago 260)"
CLOSED=$ID
ok_run "closed" -- c incident status "$CLOSED" closed
expect_id "Level IV typhoon" -- c response start typhoon IV --signed-by 张局长
expect_id "a red warning to three towns" -- c warning issue --hazard typhoon \
	--color red --text 台风红色预警 --towns hetou,kuocang,datian
WARN=$ID
expect_id "hetou answers" -- c warning answer "$WARN" hetou --who 王镇长
expect_id "datian answers" -- c warning answer "$WARN" datian
expect_id "a team sent to the late one" -- c dispatch m01 "$LATE"
ok_run "on its way at once" -- c team status m01 en_route
ok_run "a shelter open" -- c shelter open s001
ok_run "people in it" -- c shelter checkin s001 30
expect_id "hetou files its zero report" -- h log zero
ok_run "hetou syncs" -- h sync --timeout 10
ok_run "linhai syncs" -- c sync --timeout 10
stop_server
GUARD=$DB
changed

# ---- the sheet, in Chinese ----
LANGUAGE=zh_CN ok_run "the sheet, Chinese" -- c --lang zh report daily
cp "$OUT" "$W/zh"
check "headed with the county, the report and the date" \
	grep -q "^临海市  值班日报" "$W/zh"
check "the day's bounds from shift.start" \
	grep -q "日期：$DAY（$DAY $START 至 " "$W/zh"
check "the late incident's phone report, late by about 45 minutes" \
	grep -Eq "电话报告：迟报 4[4-6] 分钟" "$W/zh"
check "its written report not sent and overdue" \
	grep -q "书面报告：未报，已超时" "$W/zh"
check "the incident reported on time" grep -q "电话报告：按时" "$W/zh"
check "its written report, not signed yet" grep -q "续报 书面 .*尚未签发" "$W/zh"
check "so not sent: its clock still running" \
	sh -c "grep -A3 '^  $ONTIME ' '$W/zh' | grep -q '书面报告：时限 '"
check "the casualties" grep -q "死亡 1  受伤 2" "$W/zh"
check "the open incident from before the day, carried over" \
	grep -q "$CARRIED .*道路塌方（前日延续）" "$W/zh"
check "and the one closed in the day, carried over too" \
	grep -q "$CLOSED .*已办结  已处置火情（前日延续）" "$W/zh"
check "the counts of the day" \
	grep -q "当日接报 2 起，前日延续 2 起，日终在办 3 起" "$W/zh"
check "the level in force and the decision" \
	sh -c "grep -q '防台风 IV  自' '$W/zh' && grep -q '防台风  启动 IV' '$W/zh'"
check "the warning answered by 2 of 3 towns" grep -q "已叫应 2/3（66%）" "$W/zh"
check "the town that did not answer" grep -q "括苍镇：未叫应" "$W/zh"
check "the town that did, and who" grep -q "河头镇：.*应答人 王镇长" "$W/zh"
check "the team sent, on time" \
	sh -c "grep -A1 '  m01  ' '$W/zh' | grep -q '^    出动用时 0 分钟 / 目标 10 分钟，按时'"
check "the shelter and its people" grep -q "s001  古城街道中心学校  古城  30/560" "$W/zh"
check "the people evacuated" grep -q "当日事件转移人数：12" "$W/zh"
check "the town that filed a zero report" grep -q "已报 (1): 河头$" "$W/zh"
check "the towns that did not" grep -q "未报 (18): " "$W/zh"
check "the roster with phones" \
	sh -c "grep -q '带班领导： 张局长  13500001111' '$W/zh' &&
	       grep -q '值班员： 李四  13900002222' '$W/zh'"
check "lines to sign, named" \
	sh -c "grep -q '^值班员签字： 李四 ____' '$W/zh' &&
	       grep -q '^带班领导签字： 张局长 ____' '$W/zh'"
check "no line over 80 columns" cols80 "$W/zh"
check "nine sections, each after a form feed on its own line" \
	python3 -c "import sys
t = open(sys.argv[1], encoding='utf-8').read()
parts = t.split('\f\n')
sys.exit(not (t.count('\f') == 9 and len(parts) == 10 and
	all(p.startswith(n) for p, n in zip(parts[1:], '一二三四五六七八九'))))" "$W/zh"
check "no English word on the Chinese sheet but codes" \
	sh -c "! grep -Eq '\b(on time|LATE|none|report|signed|Date)\b' '$W/zh'"

# ---- the same in GB18030 ----
LANGUAGE=zh_CN ok_run "the sheet, GB18030" -- c --lang zh report daily --gb18030
cp "$OUT" "$W/gb"
check "GB18030 bytes, not UTF-8" sh -c "! iconv -f UTF-8 -t UTF-8 '$W/gb' >/dev/null 2>&1"
iconv -f GB18030 -t UTF-8 "$W/gb" >"$W/gb.utf8" 2>/dev/null
# The line with the time the sheet was made may be a minute apart.
check "the same sheet, read back" sh -c \
	"grep -v '制表时间' '$W/zh' >'$W/a' && grep -v '制表时间' '$W/gb.utf8' >'$W/b' &&
	 cmp -s '$W/a' '$W/b'"

# ---- English ----
LANGUAGE=en ok_run "the sheet, English, --lang on the verb" -- \
	c report daily --lang en
cp "$OUT" "$W/en"
check "English headings, no Chinese in them" python3 -c "import sys
t = open(sys.argv[1], encoding='utf-8').read().split('\n')
heads = [t[0]] + [t[i + 1] for i, l in enumerate(t) if l == '\f']
sys.exit(not (len(heads) == 10 and heads[0].startswith('Linhai Shi  DAILY') and
	all(all(ord(c) < 128 for c in h) for h in heads)))" "$W/en"
check "the clocks in English" grep -Eq "phone report: LATE by 4[4-6] min" "$W/en"
check "towns by code" grep -q "kuocang: NOT ANSWERED" "$W/en"
check "English: no line over 80 columns" cols80 "$W/en"

# ---- JSON ----
expect_json_object "--json" -- c report daily --json
json_flush
cp "$OUT" "$W/j"
check "--json: the day, its sections and their counts" python3 - "$W/j" \
	"$DAY" "$LATE" "$ONTIME" "$CARRIED" "$CLOSED" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
day, late, ontime, carried, closed = sys.argv[2:7]
inc = {i["id"]: i for i in r["incidents"]}
ic = r["incident_counts"]
w = r["warnings"]
z = r["zero_reports"]
ok = (r["date"] == day and r["over"] is False and
      r["county"]["name"] == "临海市" and
      set(inc) == {late, ontime, carried, closed} and
      ic["received"] == 2 and ic["carried"] == 2 and ic["open_at_end"] == 3 and
      inc[closed]["open_at_end"] == 0 and inc[carried]["open_at_end"] == 1 and
      inc[late]["phone_state"] == "late" and
      2600 <= inc[late]["phone_late_secs"] <= 2800 and
      inc[late]["written_state"] == "overdue" and
      inc[ontime]["phone_state"] == "on_time" and
      inc[ontime]["written_state"] == "pending" and
      inc[ontime]["written_done_at"] is None and
      [p["type"] for p in inc[ontime]["reports"]] == ["first", "followup"] and
      inc[ontime]["reports"][1]["signed_at"] is None and
      inc[carried]["carried"] == 1 and
      [l["hazard"] for l in r["levels"]] == ["typhoon"] and
      r["levels"][0]["level"] == 4 and
      [d["action"] for d in r["decisions"]] == ["start"] and
      len(w) == 1 and w[0]["warned"] == 3 and w[0]["answered"] == 2 and
      w[0]["answer_rate_pct"] == 66 and
      [t["town"] for t in w[0]["towns"] if t["answered_at"] is None] == ["kuocang"] and
      r["warning_counts"]["towns_answered"] == 2 and
      len(r["dispatches"]) == 1 and r["dispatches"][0]["on_time"] is True and
      r["dispatches"][0]["target_secs"] == 600 and
      r["turnout_counts"] == {"dispatches": 1, "turnouts": 1, "on_time": 1} and
      r["shelter_counts"]["people"] == 30 and r["shelter_counts"]["open"] == 1 and
      [f["town"] for f in z["filed"]] == ["hetou"] and
      z["towns_filed"] == 1 and len(z["not_filed"]) == z["towns"] - 1 and
      "hetou" not in z["not_filed"] and
      len(r["roster"]) == 1 and r["roster"][0]["leader_name"] == "张局长" and
      r["stats"]["towns"] == [] and r["stats"]["total"]["affected"] == 0 and
      r["risk_points"] == [] and r["risk_counts"]["points"] == 0)
sys.exit(not ok)
PY

# ---- at the town station ----
expect_json_object "a town station's report, --json" -- h report daily --json
json_flush
check "it knows its own zero report" python3 -c "import json,sys
r = json.load(open(sys.argv[1]))
sys.exit(not ([f['town'] for f in r['zero_reports']['filed']] == ['hetou'] and
	r['station'] == 'hetou'))" "$OUT"

# ---- a day with nothing in it ----
expect_json_object "--date of a day long ago" -- c report daily --date 2020-01-01 --json
json_flush
check "nothing in it, from shift.start that day" python3 -c "import json,sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo
r = json.load(open(sys.argv[1]))
h, m = map(int, sys.argv[2].split(':'))
start = datetime(2020, 1, 1, h, m, tzinfo=ZoneInfo('Asia/Shanghai'))
start = start.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
sys.exit(not (r['date'] == '2020-01-01' and r['over'] is True and
	r['from'] == start and r['incidents'] == [] and r['levels'] == [] and
	r['decisions'] == [] and r['warnings'] == [] and r['dispatches'] == [] and
	r['roster'] == [] and r['zero_reports']['filed'] == []))" "$OUT" "$START"
LANGUAGE=zh_CN ok_run "its sheet" -- c --lang zh report daily --date 2020-01-01
check "says none in each section" sh -c "[ \$(grep -c '^  无$' '$OUT') -ge 5 ]"
check "the day over: no 'not over' note" sh -c "! grep -q '尚未结束' '$OUT'"

# ---- bad input: one line, exit 1 (or 2 for usage), nothing stored ----
refused 1 "a day not in the calendar" -- c report daily --date 2026-02-30
refused 1 "not a date" -- c report daily --date yesterday
refused 1 "a date half written" -- c report daily --date 2026-1-5
refused 1 "an empty date" -- c report daily --date ""
refused 1 "a date with more after it" -- c report daily --date 2026-01-05T
refused 2 "--lang neither zh nor en" -- c report daily --lang fr
refused 2 "--json and --gb18030" -- c report daily --json --gb18030
refused 2 "an unknown option" -- c report daily --town hetou
refused 2 "a word too many" -- c report daily today

# ---- nothing stored by any of it ----
before=$(digest "$DB")
c report daily >/dev/null 2>&1
c report daily --json >/dev/null 2>&1
c report daily --gb18030 --date 2020-01-01 >/dev/null 2>&1
check "the export is unchanged by the report" test "$before" = "$(digest "$DB")"

# ---- statistics and risk points ----
check "no statistics yet: the section says none" \
	sh -c "grep -A1 '^六、灾情统计（$DAY）' '$W/zh' | grep -q '^  无$'"
GUARD=$DB
changed
ok_run "hetou's figures, loss in tenths" -- c stats set hetou --date "$DAY" \
	--affected 1200 --loss 1234.5
ok_run "baishuiyang's" -- c stats set 白水洋 --date "$DAY" --dead 2 --crop-ha 7.5
ok_run "a figure of another day, not this one's" -- \
	c stats set hetou --date 2020-01-01 --affected 999
refused 1 "a negative figure: nothing stored" -- \
	c stats set hetou --date "$DAY" --dead -1
cat >"$W/risk.csv" <<'CSV'
code,name,kind,town,village,people,monitor,monitor_phone
r1,后山滑坡点,地质灾害,河头镇,后山村,100,陈守望,13700001001
r2,溪口山洪沟,山洪,河头镇,溪口村,50,陈守望,13700001001
r3,大田水库,水库,大田街道,水库村,40,林看护,13700001002
CSV
ok_run "three risk points imported" -- c risk import "$W/risk.csv"
expect_id "60 people moved out of r1" -- c risk evacuate r1 60
ok_run "r1 cleared" -- c risk clear r1
refused 1 "cleared twice: nothing stored" -- c risk clear r1
LANGUAGE=zh_CN ok_run "the sheet with statistics" -- c --lang zh report daily
cp "$OUT" "$W/zh2"
check "a row per town, tenths as decimals" grep -Eq \
	"^  河头 +1200 +0 +0 +0 +0 +0 +0 +0 +0\.0 +1234\.5$" "$W/zh2"
check "the other town's row" grep -Eq \
	"^  白水洋 +0 +2 +0 +0 +0 +0 +0 +0 +7\.5 +0\.0$" "$W/zh2"
check "the county total" grep -Eq \
	"^  全县 +1200 +2 +0 +0 +0 +0 +0 +0 +7\.5 +1234\.5$" "$W/zh2"
check "no other day's figure in it" sh -c "! grep -q '999' '$W/zh2'"
check "risk points per town" grep -q "^  河头 *已销号 1/2 处，已转移 60/150 人" "$W/zh2"
check "and their county figures" grep -q "九、风险点（日终）：已销号 1/3 处，已转移 60/190 人" "$W/zh2"
check "still no line over 80 columns" cols80 "$W/zh2"
LANGUAGE=en ok_run "in English" -- c --lang en report daily
check "English: no line over 80 columns" cols80 "$OUT"
check "English: the total" grep -Eq "^  county +1200 +2 .* 7\.5 +1234\.5$" "$OUT"
expect_json_object "--json with statistics" -- c report daily --json
json_flush
cp "$OUT" "$W/j2"
check "--json: towns and total" python3 -c "import json,sys
r = json.load(open(sys.argv[1]))
s = r['stats']
sys.exit(not ([t['town'] for t in s['towns']] == ['baishuiyang', 'hetou'] and
	s['total']['affected'] == 1200 and s['total']['loss'] == 12345 and
	s['total']['dead'] == 2 and s['total']['crop_ha'] == 75 and
	r['risk_counts'] == {'points': 3, 'cleared': 1, 'people': 190,
	'moved': 60} and [(p['town'], p['points'], p['cleared'], p['people'],
	p['moved']) for p in r['risk_points']] == [('datian', 1, 0, 40, 0),
	('hetou', 2, 1, 150, 60)]))" "$W/j2"
expect_json_array "stats --json of the day" -- c stats --date "$DAY" --json
json_flush
cp "$OUT" "$W/stats.json"
expect_json_array "risk list --json" -- c risk list --json
json_flush
cp "$OUT" "$W/risk.json"
check "the report's figures are those of stats and risk list" python3 -c "import json,sys
$STATS_FOLD
r = json.load(open(sys.argv[1]))
st = stats(json.load(open(sys.argv[2])))
rl = json.load(open(sys.argv[3]))
f = ('affected', 'dead', 'missing', 'relocated', 'need_aid', 'collapsed',
	'severe', 'damaged', 'crop_ha', 'loss')
sys.exit(not (all(r['stats']['total'][k] == st['total'].get(k, 0) for k in f) and
	[t['town'] for t in st['towns']] == [t['town'] for t in r['stats']['towns']] and
	r['risk_counts']['points'] == len(rl) and
	r['risk_counts']['moved'] == sum(p['moved'] for p in rl) and
	r['risk_counts']['people'] == sum(p['people'] for p in rl) and
	r['risk_counts']['cleared'] == sum(p['cleared_at'] is not None for p in rl)))" \
	"$W/j2" "$W/stats.json" "$W/risk.json"

# ---- signing: a written report counts when signed ----
# Every time of this part from one reading of the clock, so the minutes
# between them are exact whenever a minute turns.
BASE=$(date +%s)
at() { TZ=$DUTYDESK_TZ date -d "@$((BASE - $1 * 60))" '+%Y-%m-%d %H:%M'; }
expect_id "an incident 100 minutes ago" -- c incident add --town xiaozhi \
	--title 山洪冲毁便桥 --received "$(at 100)"
SIGNLATE=$ID
ok_run "its phone report in time" -- \
	c incident report first "$SIGNLATE" --channel phone --at "$(at 95)"
expect_id "its written report made 40 minutes after, in time" -- \
	c incident report followup "$SIGNLATE" --channel written --at "$(at 60)"
WR_LATE=$ID
expect_id "another incident 100 minutes ago" -- c incident add --town taozhu \
	--title 海塘渗水 --received "$(at 100)"
TWO=$ID
ok_run "its phone report in time" -- \
	c incident report first "$TWO" --channel phone --at "$(at 95)"
expect_id "a written report made 40 minutes after" -- \
	c incident report followup "$TWO" --channel written --at "$(at 60)"
WR_A=$ID
expect_id "another made 50 minutes after" -- \
	c incident report followup "$TWO" --channel written --at "$(at 50)"
WR_B=$ID
refused 1 "signed by someone not on duty: nothing stored" -- \
	c incident report sign "$WR_ONTIME" --signed-by 李四
refused 1 "signed before it was made: nothing stored" -- \
	c incident report sign "$WR_ONTIME" --signed-by 张局长 --at "$(at 30)"
expect_id "the on-time incident's report signed 35 minutes after" -- \
	c incident report sign "$WR_ONTIME" --signed-by 张局长 --at "$(at 15)"
expect_id "the other signed 80 minutes after: late by 20" -- \
	c incident report sign "$WR_LATE" --signed-by 张局长 --at "$(at 20)"
expect_id "of two, the first made signed last, 90 minutes after" -- \
	c incident report sign "$WR_A" --signed-by 张局长 --at "$(at 10)"
expect_id "the second signed first, 55 minutes after: this one counts" -- \
	c incident report sign "$WR_B" --signed-by 张局长 --at "$(at 45)"
refused 1 "signed twice: nothing stored" -- \
	c incident report sign "$WR_LATE" --signed-by 张局长
expect_json_object "--json with the signings" -- c report daily --json
json_flush
cp "$OUT" "$W/j3"
check "--json: written clocks met at the signing" python3 - "$W/j3" \
	"$ONTIME" "$SIGNLATE" "$TWO" "$WR_ONTIME" "$WR_LATE" "$WR_A" "$WR_B" <<'PY'
import json, sys
from datetime import datetime
r = json.load(open(sys.argv[1], encoding="utf-8"))
ontime, late, two, w_on, w_late, w_a, w_b = sys.argv[2:9]
inc = {i["id"]: i for i in r["incidents"]}
def t(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").timestamp()
def rep(i, rid):
    return [p for p in inc[i]["reports"] if p["id"] == rid][0]
o, l, b = inc[ontime], inc[late], inc[two]
ic = r["incident_counts"]
ok = (o["written_state"] == "on_time" and o["written_late_secs"] == 0 and
      o["written_done_at"] == rep(ontime, w_on)["signed_at"] and
      30 * 60 <= t(o["written_done_at"]) - t(o["received_at"]) <= 40 * 60 and
      rep(ontime, w_on)["signed_name"] == "张局长" and
      l["written_state"] == "late" and l["written_late_secs"] == 20 * 60 and
      l["written_done_at"] == rep(late, w_late)["signed_at"] and
      t(l["written_done_at"]) - t(rep(late, w_late)["at"]) == 40 * 60 and
      l["phone_state"] == "on_time" and
      b["written_state"] == "on_time" and
      b["written_done_at"] == rep(two, w_b)["signed_at"] and
      t(b["written_done_at"]) - t(b["received_at"]) == 55 * 60 and
      rep(two, w_a)["signed_at"] > rep(two, w_b)["signed_at"] and
      ic["received"] == 4 and ic["written_on_time"] == 2 and
      ic["written_late"] == 4)
sys.exit(not ok)
PY
LANGUAGE=zh_CN ok_run "the sheet with the signings" -- c --lang zh report daily
cp "$OUT" "$W/zh3"
check "signed in time: on time at the signing" \
	sh -c "grep -A3 '^  $ONTIME ' '$W/zh3' | grep -q '书面报告：按时（'"
check "made in time, signed late: late by 20 minutes" \
	sh -c "grep -A3 '^  $SIGNLATE ' '$W/zh3' | grep -q '书面报告：迟报 20 分钟（'"
check "a signed written report says when and by whom" \
	grep -Eq "续报 书面 [0-9-]+ [0-9:]+，[0-9-]+ [0-9:]+ 由 张局长 签发" "$W/zh3"
check "no written report left unsigned" \
	sh -c "! grep -q '尚未签发' '$W/zh3'"
check "the day's written counts (the two carried over owe theirs)" \
	grep -q "书面报告按时 2 起、迟报 4 起" "$W/zh3"
check "still no line over 80 columns, signed" cols80 "$W/zh3"
LANGUAGE=zh_CN ok_run "the same in GB18030" -- c --lang zh report daily --gb18030
iconv -f GB18030 -t UTF-8 "$OUT" >"$W/gb3.utf8" 2>/dev/null
check "GB18030 read back: the same sheet, statistics and signings" sh -c \
	"grep -v '制表时间' '$W/zh3' >'$W/a3' && grep -v '制表时间' '$W/gb3.utf8' >'$W/b3' &&
	 cmp -s '$W/a3' '$W/b3' && grep -q '由 张局长 签发' '$W/b3' &&
	 grep -q '^  全县 ' '$W/b3'"
finish
