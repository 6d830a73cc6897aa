#!/bin/sh
# people.sh - the people on duty from a shell: settings, the directory,
# the duty roster and its sheet, the officer on duty, calls, spot checks
# and an unrostered handover. Every bad input is refused with exit 1 (2
# for a usage error), one line on stderr and the export unchanged.
#
# Run from the repository root: sh tests/shell/people.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"
daytime_tz

DB=$W/county.db
TOWN=$W/town.db
d() { "$BIN" --db "$DB" "$@"; }
t() { "$BIN" --db "$TOWN" "$@"; }
# jq-less JSON field reading: python3 reads stdout of the last command.
field() { python3 -c "import json,sys; d=json.load(open('$OUT')); print($1)"; }
today() { TZ=$DUTYDESK_TZ date '+%Y-%m-%d'; }
day() { TZ=$DUTYDESK_TZ date -d "$1 days" '+%Y-%m-%d'; }

ok_run "a county command station" -- d init --station linhai --role command
ok_run "a town station" -- t init --station datian --role town
GUARD=$DB

# ---- settings ----
expect_json_array "setting list --json" -- d setting list --json
check "six keys with their defaults" sh -c "python3 -c \"
import json; d={r['key']: r for r in json.load(open('$OUT'))}
assert d['shift.start']['value'] == '08:30' and d['shift.hours']['value'] == '24'
assert d['silent.red']['value'] == '15' and d['silent.orange']['value'] == '15'
assert d['silent.yellow']['value'] == '30' and d['silent.blue']['value'] == '30'
assert d['shift.start']['local'] and not d['silent.red']['local']
assert d['silent.red']['set_by'] == 'default'\""
ok_run "the county sets silent.red" -- d setting set silent.red 20
ok_run "setting get" -- d setting get silent.red
check "it reads 20" grep -qx 20 "$OUT"
refused 1 "an unknown key" -- d setting set silent.purple 5
refused 1 "a bad time of day" -- d setting set shift.start 25:00
refused 1 "minutes out of range" -- d setting set silent.blue 0
refused 2 "set without a value" -- d setting set silent.blue
refused 1 "the county's empty value of a key" -- d setting set shift.start ""
refused 1 "get of an unknown key" -- d setting get nothing.here
refused 1 "follow-up times not in order" -- d setting set followup.times 17:00,08:00
refused 1 "follow-up times ending in a comma" -- d setting set followup.times 08:00,
refused 1 "a follow-up time without its leading zero" -- d setting set followup.times 8:00
refused 1 "follow-up times by another separator" -- d setting set followup.times "08:00;17:00"
refused 1 "a request alert of no minutes" -- d setting set request.alert 0
refused 1 "the command station serves no town of its own" -- d setting set station.town datian
refused 1 "a town station's town that is no town" -- t setting set station.town nowhere
ok_run "the county sets its follow-up times" -- d setting set followup.times 07:30,12:00,18:00
ok_run "...read back" -- d setting get followup.times
check "...as set" grep -qx 07:30,12:00,18:00 "$OUT"
# A town station's town, from init: refused, no database is left.
expect_exit 1 "init --town of no town" -- "$BIN" --db "$W/x1.db" init \
	--station xq --town nowhere
check "...leaves no database" test ! -e "$W/x1.db"
expect_exit 1 "init --town for a command station" -- "$BIN" --db "$W/x2.db" \
	init --station xc --role command --town datian
check "...leaves no database" test ! -e "$W/x2.db"
expect_exit 1 "init --town against the town its code names" -- "$BIN" \
	--db "$W/x3.db" init --station gucheng --town datian
check "...leaves no database" test ! -e "$W/x3.db"
ok_run "init --town of a town by its Chinese name" -- "$BIN" --db "$W/x4.db" \
	init --station xq --town 大田
ok_run "...its town" -- "$BIN" --db "$W/x4.db" setting get station.town
check "...is datian" grep -qx datian "$OUT"
ok_run "a town overrides its own shift start" -- t setting set shift.start 09:00
expect_exit 1 "a town may not set a county key" -- t setting set silent.red 5
ok_run "town setting get" -- t setting get shift.start
check "the town's own value" grep -qx 09:00 "$OUT"

# ---- the directory ----
expect_id "a town leader" -- d contact add --name 张伟 \
	--phone "138 0000 1111;0576-85112233" --role 镇街领导 --town 大田 \
	--unit 大田街道办事处
LEADER=$ID
expect_id "a town duty officer, role in English" -- d contact add --name 李娜 \
	--phone 13900002222 --role "town duty officer" --town datian
DUTY=$ID
expect_id "a second 张伟 in another town" -- d contact add --name 张伟 \
	--phone 13700003333 --role town_duty --town gucheng
OTHER=$ID
expect_id "a county officer" -- d contact add --name 王五 --phone 13600004444 \
	--role officer --unit 临海市应急管理局
WANG=$ID
expect_id "a county leader" -- d contact add --name 陈局长 --phone 13500005555 \
	--role county_leader
CHEN=$ID
refused 1 "no phone" -- d contact add --name 赵六 --role officer
refused 1 "a bad phone" -- d contact add --name 赵六 --phone abc --role officer
refused 1 "an unknown role" -- d contact add --name 赵六 --phone 123456 --role boss
refused 1 "an unknown town" -- d contact add --name 赵六 --phone 123456 \
	--role officer --town nowhere
refused 1 "--for naming nothing" -- d contact add --name 赵六 --phone 123456 \
	--role shelter_manager --for zz99
refused 1 "update of an unknown contact" -- d contact update linhai-999 --unit x
refused 1 "update by an ambiguous name" -- d contact update 张伟 --unit x
check "the refusal lists both with their ids" \
	sh -c "grep -q '$LEADER' '$ERR' && grep -q '$OTHER' '$ERR'"
refused 1 "update with nothing to change" -- d contact update "$LEADER"
refused 1 "update to an unknown role" -- d contact update "$LEADER" --role boss
refused 1 "remove an unknown contact" -- d contact remove linhai-999
refused 1 "list by an unknown role" -- d contact list --role boss
refused 1 "list by an unknown town" -- d contact list --town nowhere
ok_run "update by id" -- d contact update "$DUTY" --unit 大田街道应急办
expect_json_array "contact list --town datian --role town_duty" -- \
	d contact list --town 大田 --role town_duty --json
check "李娜 alone, with her new unit" sh -c "python3 -c \"
import json; d=json.load(open('$OUT'))
assert [r['name'] for r in d] == ['李娜'], d
assert d[0]['unit'] == '大田街道应急办'\""
expect_json_array "contact find by part of a phone" -- d contact find 85112233 --json
check "finds the leader by his second phone" \
	sh -c "python3 -c \"import json; d=json.load(open('$OUT')); assert [r['id'] for r in d] == ['$LEADER'], d\""
expect_json_array "contact find by pinyin" -- d contact find "li na" --json
check "finds 李娜 by pinyin" \
	sh -c "python3 -c \"import json; d=json.load(open('$OUT')); assert '$DUTY' in [r['id'] for r in d], d\""
expect_json_array "contact find by town name" -- d contact find 大田 --json
check "finds the town's people" \
	sh -c "python3 -c \"import json; d=json.load(open('$OUT')); ids=[r['id'] for r in d]; assert '$LEADER' in ids and '$DUTY' in ids, ids\""
expect_json_array "the seed's shelter managers are contacts" -- \
	d contact list --role shelter_manager --json
check "one per seeded shelter with a manager, answering for it" \
	sh -c "python3 -c \"import json; d=json.load(open('$OUT')); assert len(d) > 200 and d[0]['for'].startswith('s') and d[0]['id'].startswith('seed-'), d[0]\""
ok_run "contact show" -- d contact show "$LEADER"
check "with both phones" grep -q "13800001111;0576-85112233" "$OUT"

# contact import: all rows or none
printf 'name,phones,unit,role,town,for\n周强,13100001111,,town_leader,shangpan,\n吴敏,13100002222;13100003333,上盘镇,town_duty,上盘,\n' >"$W/ok.csv"
printf 'name,phones,unit,role,town,for\n郑一,13200001111,,town_duty,hetou,\n郑二,,,town_duty,hetou,\n' >"$W/bad.csv"
refused 1 "a CSV with one bad row" -- d contact import "$W/bad.csv"
check "the message names line 3" grep -q "line 3" "$ERR"
run d contact find 郑一 --json
check "nothing of it stored" grep -qx '\[\]' "$OUT"
expect_exit 0 "a good CSV" -- d contact import "$W/ok.csv"
changed
check "two ids printed" test "$(nlines "$OUT")" = 2

# ---- the roster ----
TODAY=$(today)
TOMORROW=$(day +1)
refused 1 "an unknown person" -- d roster add "$TODAY" --leader 无名氏 --officer 王五
refused 1 "an ambiguous leader" -- d roster add "$TODAY" --leader 张伟 --officer 王五
refused 1 "three officers" -- d roster add "$TODAY" --leader "$CHEN" \
	--officer 王五,李娜,周强
refused 1 "a bad date" -- d roster add 2026-13-40 --leader "$CHEN" --officer 王五
refused 1 "a bad start" -- d roster add "$TODAY" --leader "$CHEN" --officer 王五 \
	--start 8h
refused 1 "hours out of range" -- d roster add "$TODAY" --leader "$CHEN" \
	--officer 王五 --hours 100
refused 2 "no officer" -- d roster add "$TODAY" --leader "$CHEN"
# Today's shift starts at midnight so that it covers now.
expect_id "today's shift, from midnight" -- d roster add "$TODAY" \
	--leader "$CHEN" --officer "王五,$DUTY" --start 00:00
refused 1 "an overlapping shift" -- d roster add "$TODAY" --leader "$CHEN" \
	--officer 王五 --start 12:00 --hours 6
expect_id "tomorrow's shift, by the settings (08:30, 24 hours)" -- \
	d roster add "$TOMORROW" --leader "$CHEN" --officer 周强
printf 'date,start,hours,leader,officer1,officer2\n%s,,,%s,李娜,\n%s,,,%s,王五,周强\n' \
	"$(day +3)" "$CHEN" "$(day +4)" "$CHEN" >"$W/roster.csv"
printf 'date,start,hours,leader,officer1,officer2\n%s,,,%s,李娜,\n%s,,,%s,无名氏,\n' \
	"$(day +5)" "$CHEN" "$(day +6)" "$CHEN" >"$W/roster-bad.csv"
refused 1 "a roster CSV with an unknown person" -- d roster import "$W/roster-bad.csv"
check "the message names line 3" grep -q "line 3" "$ERR"
expect_exit 0 "roster import" -- d roster import "$W/roster.csv"
changed
expect_json_array "roster list --json" -- d roster list --from "$TODAY" --json
check "four shifts, tomorrow's from 08:30 for 24 hours" sh -c "python3 -c \"
import json; d=json.load(open('$OUT'))
assert len(d) == 4, d
s=[r for r in d if r['date'] == '$TOMORROW'][0]
assert s['hours'] == 24 and s['officer1_name'] == '周强' and s['leader_name'] == '陈局长', s\""

LANG=C LC_ALL=C run d roster list
check "in an ASCII locale the roster names people in pinyin" \
	grep -q "Chen Ju Zhang  *Wang Wu, Li Na" "$OUT"

# The officer on duty: --officer, DUTYDESK_OFFICER, the roster, login.
(unset DUTYDESK_OFFICER; d log add 来自排班) >/dev/null 2>&1
changed
run d log list --json
check "no --officer, no DUTYDESK_OFFICER: the roster's first officer" \
	sh -c "python3 -c \"import json; d=json.load(open('$OUT')); assert d[-1]['officer'] == '王五', d[-1]\""
ok_run "DUTYDESK_OFFICER wins over the roster" -- d log add 来自环境
run d log list --json
check "it signs" sh -c "python3 -c \"import json; d=json.load(open('$OUT')); assert d[-1]['officer'] == 'tester', d[-1]\""
(unset DUTYDESK_OFFICER; d status --json) >"$W/status.json" 2>&1
check "status --json: the roster's officer signs, the shift on duty" \
	sh -c "python3 -c \"import json; d=json.load(open('$W/status.json'))
assert d['officer'] == '王五', d['officer']
s=d['on_duty']; assert s['leader_name'] == '陈局长' and s['officer2_name'] == '李娜', s\""
ok_run "status" -- d status
check "names who is on duty" grep -q "^on duty   leader 陈局长, officers 王五, 李娜" "$OUT"
ok_run "roster now" -- d roster now
check "names the leader and both officers" \
	sh -c "grep -q 陈局长 '$OUT' && grep -q 王五 '$OUT' && grep -q 李娜 '$OUT'"

# The roster sheet, with phones, in UTF-8 and GB18030.
ok_run "roster sheet" -- d --lang zh roster sheet --from "$TODAY"
cp "$OUT" "$W/sheet.txt"
check "the leader with his phone" grep -q "陈局长  13500005555" "$W/sheet.txt"
check "the officers with theirs" \
	sh -c "grep -q '王五  13600004444' '$W/sheet.txt' && grep -q '李娜  13900002222' '$W/sheet.txt'"
check "no line over 80 columns" sh -c "! python3 -c \"
import sys,unicodedata
for l in open('$W/sheet.txt', encoding='utf-8'):
    w=sum(2 if unicodedata.east_asian_width(c) in 'WF' else 1 for c in l.rstrip('\n'))
    if w > 80: sys.exit(0)
sys.exit(1)\""
ok_run "roster sheet in GB18030" -- d --lang zh roster sheet --from "$TODAY" --gb18030
check "the same sheet, converted" sh -c "iconv -f GB18030 -t UTF-8 '$OUT' | cmp -s - '$W/sheet.txt'"
refused 1 "roster sheet of a bad date" -- d roster sheet --from yesterday
refused 1 "roster list from a bad date" -- d roster list --from 2026-02-30x
refused 1 "remove an unknown shift" -- d roster remove linhai-999

# ---- a handover off the roster ----
refused 1 "a handover to someone not on the next shift" -- \
	d handover --to 赵六
check "names whom the roster expects" grep -q "周强" "$ERR"
expect_id "with --unrostered it is taken" -- d handover --to 赵六 --unrostered
expect_json_array "log list --json" -- d log list --json
check "and recorded as such" sh -c "python3 -c \"import json; d=json.load(open('$OUT')); assert d[-1]['unrostered'] == 1, d[-1]\""
ok_run "the handover sheet" -- d --lang zh handover sheet
check "says so, with the leader on duty and phones" \
	sh -c "grep -q '不在排班' '$OUT' && grep -q '带班领导' '$OUT'"
ok_run "the handover sheet in GB18030" -- d --lang zh handover sheet --gb18030
check "converts" sh -c "iconv -f GB18030 -t UTF-8 '$OUT' | grep -q 带班领导"
expect_id "a handover to the next shift's officer needs nothing more" -- \
	d --officer 王五 handover --to 周强

# ---- calls ----
expect_id "a call to a contact by name" -- d call 李娜 --outcome answered \
	--note 已转达
CALL=$ID
expect_id "a bare number found in the directory" -- d call 0576-85112233 \
	--outcome no_answer --at "$TODAY 06:00"
expect_id "an incoming call from an unknown number" -- d call 13912345678 \
	--outcome answered --incoming
refused 1 "an unknown outcome" -- d call 李娜 --outcome maybe
refused 2 "no outcome" -- d call 李娜
refused 1 "an ambiguous name" -- d call 张伟 --outcome answered
refused 1 "an unknown person" -- d call 无名氏 --outcome answered
refused 1 "an unknown incident" -- d call 李娜 --outcome busy --incident linhai-999
refused 1 "an unknown warning" -- d call 李娜 --outcome busy --warning linhai-999
refused 1 "a bad time" -- d call 李娜 --outcome busy --at soon
expect_json_array "call list --json" -- d call list --json
check "three calls: contact id, name, number dialled" sh -c "python3 -c \"
import json; d=json.load(open('$OUT')); assert len(d) == 3, d
by={r['id']: r for r in d}
c=by['$CALL']; assert c['contact'] == '$DUTY' and c['name'] == '李娜' and c['number'] == '13900002222', c
n=[r for r in d if r['number'] == '0576-85112233'][0]; assert n['contact'] == '$LEADER', n
u=[r for r in d if r['number'] == '13912345678'][0]; assert u['contact'] is None and u['incoming'] == 1, u\""

# ---- spot checks ----
expect_id "a spot check answered" -- d check 大田 --who 李娜
expect_id "a spot check with no answer" -- d check gucheng --no-answer --at "$TODAY 03:10"
expect_id "a later one answered" -- d check gucheng --who "$OTHER"
refused 2 "neither --who nor --no-answer" -- d check datian
refused 2 "both --who and --no-answer" -- d check datian --who 李娜 --no-answer
refused 1 "a spot check at a bad time" -- d check datian --no-answer --at soon
refused 1 "an unknown town" -- d check nowhere --no-answer
refused 1 "an unknown person" -- d check datian --who 无名氏
expect_exit 1 "a town station may not spot-check" -- t check datian --no-answer
expect_json_array "check list --json" -- d check list --json
check "the last check per town" sh -c "python3 -c \"
import json; d={r['town']: r for r in json.load(open('$OUT'))}
assert d['datian']['name'] == '李娜' and d['datian']['answered'] == 1, d
assert d['gucheng']['who'] == '$OTHER' and d['gucheng']['answered'] == 1, d\""

# ---- the export carries it all ----
expect_json_object "export --json" -- d export --json
check "contacts, roster, calls, checks, settings sorted by id" sh -c "python3 -c \"
import json; x=json.load(open('$OUT'))
for k in ('contacts', 'roster', 'calls', 'checks'):
    ids=[r['id'] for r in x[k]]
    assert ids == sorted(ids) and ids, k
assert {'scope': 'county', 'key': 'silent.red', 'value': '20'} in x['settings'], x['settings']\""

finish
