#!/bin/sh
# answers.sh - 叫应 with names from a shell: a warning names, as it is
# issued, the town leaders and duty officers of the directory for each
# town it warns, and keeps them whatever the directory becomes; `warning
# list WARNING` shows each town's people and who has not answered (one
# JSON row per town and person); `warning answer --who` takes a person
# and refuses a name two contacts share; `warning callbacks` lists the
# towns silent past their colour's limit with the people to call and the
# last call logged with --warning. Bad input: exit 1, one line on
# stderr, the export unchanged.
#
# The red warning is recorded as sent 90 seconds before, while the red
# limit is 2 minutes; the county then sets it to 1 minute, and the towns
# that have not answered are silent at once.
#
# Run from the repository root: sh tests/shell/answers.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

DB=$W/county.db
d() { "$BIN" --db "$DB" "$@"; }
# py EXPR...: the statements run with j, the JSON the last command printed.
py() {
	python3 -c "import json, sys
j = json.load(open(sys.argv[1], encoding='utf-8'))
$1" "$OUT" 2>>"$ERR"
}

if ! have python3; then
	skip "python3 is needed to read the lists"
	finish
fi

ok_run "a county command station" -- d init --station linhai --role command
GUARD=$DB

# ---- the directory: datian has a leader and a duty officer, gucheng a
# leader and a duty officer who shares a name with datian's, shangpan
# nobody; a village head of datian does not answer for the town ----
expect_id "datian's leader" -- d contact add --name 陈镇长 --phone 13800000002 \
	--role town_leader --town datian
DT_LEAD=$ID
expect_id "datian's duty officer" -- d contact add --name 王五 \
	--phone 13800000001 --role town_duty --town datian
DT_DUTY=$ID
expect_id "a village head of datian" -- d contact add --name 村支书 \
	--phone 13800000003 --role village --town datian
expect_id "gucheng's leader" -- d contact add --name 赵六 --phone 13800000004 \
	--role town_leader --town gucheng
GU_LEAD=$ID
expect_id "gucheng's duty officer, also 王五" -- d contact add --name 王五 \
	--phone 13800000009 --role town_duty --town gucheng
GU_DUTY=$ID
ok_run "red warnings go silent after 2 minutes" -- d setting set silent.red 2
refused 1 "a warning sent later than now" -- d warning issue --hazard typhoon \
	--color red --text 台风红色预警 --towns datian \
	--at "$(TZ=$DUTYDESK_TZ date -d '+10 minutes' '+%Y-%m-%d %H:%M:%S')"
SENT=$(TZ=$DUTYDESK_TZ date -d '-90 seconds' '+%Y-%m-%d %H:%M:%S')
expect_id "a red warning to three towns, sent 90 s ago" -- d warning issue \
	--hazard typhoon --color red --text 台风红色预警 \
	--towns datian,gucheng,shangpan --at "$SENT"
WARN=$ID
expect_id "a blue warning to datian" -- d warning issue --hazard rainstorm \
	--color blue --text 暴雨蓝色预警 --towns datian
BLUE=$ID

expect_json_array "warning callbacks --json at once" -- d warning callbacks --json
check "nobody is silent yet" py "assert j == [], j"

# ---- warning list WARNING ----
expect_json_array "warning list WARNING --json" -- d warning list "$WARN" --json
cp "$OUT" "$W/people.json"
check "one row per town and person: leader first, the village head left out" py "
rows = [(r['town'], r['contact'], r['name'], r['phone']) for r in j]
assert rows == [('datian', '$DT_LEAD', '陈镇长', '13800000002'),
	('datian', '$DT_DUTY', '王五', '13800000001'),
	('gucheng', '$GU_LEAD', '赵六', '13800000004'),
	('gucheng', '$GU_DUTY', '王五', '13800000009'),
	('shangpan', None, None, None)], rows"
check "every row has the answer fields; nobody answered, all silent" py "
for r in j:
	for k in ('called_at', 'answered_by', 'answered_at', 'silent_secs'):
		assert k in r, (k, r)
	assert r['answered_by'] is None and r['answered_at'] is None, r
	assert isinstance(r['silent_secs'], int) and 90 <= r['silent_secs'] < 120, r
	assert r['called_at'].endswith('Z'), r"
ok_run "warning list WARNING (text)" -- d warning list "$WARN"
check "the text names each town's people and who has not answered" sh -c "
grep -q '^datian .*NOT ANSWERED' '$OUT' &&
grep -q '^  陈镇长 .*13800000002 .*not answered' '$OUT' &&
grep -q '^  赵六 .*not answered' '$OUT' &&
grep -q '^shangpan ' '$OUT' && grep -q 'names nobody' '$OUT'"
LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 run d warning list "$WARN"
check "in Chinese: the towns by name, no English word" sh -c "
grep -q '^大田街道 .*未叫应' '$OUT' && grep -q '未应答' '$OUT' &&
! grep -Eq '[A-Za-z]{3,}' '$OUT'"

# ---- bad input ----
refused 1 "answer to an unknown warning" -- d warning answer linhai-999 datian \
	--who "$DT_LEAD"
refused 1 "a name two contacts share" -- d warning answer "$WARN" gucheng --who 王五
check "the refusal lists both with their ids" \
	sh -c "grep -q '$GU_DUTY' '$ERR' && grep -q '$DT_DUTY' '$ERR'"
refused 1 "a town the warning did not warn" -- d warning answer "$WARN" xiaozhi \
	--who 赵六
refused 1 "a town the blue warning did not warn" -- d warning answer "$BLUE" \
	gucheng --who 赵六
refused 1 "an unknown town" -- d warning answer "$WARN" atlantis --who 赵六
refused 1 "the list of an unknown warning" -- d warning list linhai-999
refused 1 "a call about an unknown warning" -- d call "$GU_LEAD" \
	--outcome no_answer --warning linhai-999
refused 2 "callbacks takes no argument" -- d warning callbacks "$WARN"

# ---- the directory changes; the warning's people do not ----
ok_run "datian's duty officer changes name and phone" -- \
	d contact update "$DT_DUTY" --name 王小五 --phone 13900000009
ok_run "gucheng's leader becomes a village head" -- \
	d contact update "$GU_LEAD" --role village
expect_id "shangpan gets a duty officer" -- d contact add --name 林晓东 \
	--phone 13800000005 --role town_duty --town shangpan
expect_json_array "warning list WARNING --json again" -- d warning list "$WARN" --json
check "the same people, names and phones as the warning named them" python3 -c "
import json, sys
key = lambda r: (r['town'], r['contact'], r['name'], r['phone'])
a = [key(r) for r in json.load(open(sys.argv[1], encoding='utf-8'))]
b = [key(r) for r in json.load(open(sys.argv[2], encoding='utf-8'))]
assert a == b, (a, b)" "$W/people.json" "$OUT"
check "the export keeps them with the warning" sh -c "
'$BIN' --db '$DB' export --json | python3 -c \"
import json, sys
w = [w for w in json.load(sys.stdin)['warnings'] if w['id'] == '$WARN'][0]
assert [p['name'] for p in w['people']] == ['陈镇长', '王五', '赵六', '王五'], w\""

# ---- an answer by a person's id ----
expect_id "datian answers, its leader by id" -- d warning answer "$WARN" datian \
	--who "$DT_LEAD"
expect_json_array "warning list WARNING --json, datian answered" -- \
	d warning list "$WARN" --json
check "datian's rows say who answered and when; no longer silent" py "
d = [r for r in j if r['town'] == 'datian']
assert len(d) == 2 and all(r['answered_by'] == '陈镇长' for r in d), d
assert all(r['answered_at'] and r['silent_secs'] is None for r in d), d
assert all(r['answered_by'] is None for r in j if r['town'] != 'datian'), j"
ok_run "the text marks who answered" -- d warning list "$WARN"
check "陈镇长 answered, gucheng's people have not" sh -c "
grep -q '^datian .*answered .* by 陈镇长' '$OUT' &&
grep -q '^  陈镇长 .* answered\$' '$OUT' && grep -q '^  赵六 .*not answered' '$OUT'"

# ---- past the limit: the call-back list ----
ok_run "the county sets the red limit to a minute" -- d setting set silent.red 1
expect_json_array "warning callbacks --json past the limit" -- \
	d warning callbacks --json
check "gucheng and shangpan of the red warning, with their people" py "
rows = [(r['warning'], r['town'], r['color'], r['people'], r['last_call'])
	for r in j]
assert rows == [('$WARN', 'gucheng', 'red', '赵六, 王五', None),
	('$WARN', 'shangpan', 'red', None, None)], rows
assert all(r['silent_secs'] >= 60 for r in j), j"
ok_run "warning callbacks (text)" -- d warning callbacks
check "the text lists the towns and whom to call" sh -c "
grep -q '^$WARN .*gucheng .*red .*赵六, 王五' '$OUT' &&
grep -q '^$WARN .*shangpan ' '$OUT' && ! grep -q datian '$OUT'"

expect_id "the officer calls gucheng's leader back about the warning" -- \
	d call "$GU_LEAD" --outcome no_answer --warning "$WARN"
CALL=$ID
expect_id "a call about the blue warning" -- d call "$GU_LEAD" \
	--outcome busy --warning "$BLUE"
expect_json_array "warning callbacks --json after the call" -- \
	d warning callbacks --json
check "the call is gucheng's last call" py "
c = {r['town']: r['last_call'] for r in j}
assert c == {'gucheng': '$CALL', 'shangpan': None}, c"
expect_json_array "warning list WARNING --json after the call" -- \
	d warning list "$WARN" --json
check "赵六 was called after the warning; 王五 not yet" py "
r = {(x['town'], x['contact']): x for x in j}
z, w = r[('gucheng', '$GU_LEAD')], r[('gucheng', '$GU_DUTY')]
assert z['called_at'] > w['called_at'], (z, w)"
expect_json_array "call list --warning" -- d call list --warning "$WARN" --json
check "the call is linked to the warning" py "
assert [c['id'] for c in j] == ['$CALL'], j
assert j[0]['warning'] == '$WARN' and j[0]['contact'] == '$GU_LEAD', j"

expect_id "gucheng answers on the call-back, 赵六 by name" -- \
	d warning answer "$WARN" gucheng --who 赵六
expect_json_array "warning callbacks --json after the answer" -- \
	d warning callbacks --json
check "shangpan alone is left" py "
assert [r['town'] for r in j] == ['shangpan'], j"
refused 1 "gucheng has answered already" -- d warning answer "$WARN" gucheng \
	--who 赵六

finish
