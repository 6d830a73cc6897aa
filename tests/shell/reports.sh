#!/bin/sh
# reports.sh - the upward reports' texts and their sign-off from a shell:
# a text composed from the record when none is given, a written report
# that counts only once the leader on duty signs it (its clock met at the
# signing), who may sign with and without a roster, the follow-ups due
# at fixed times (followup.times) with LATE, and each report as a sheet
# in UTF-8 and GB18030 within 80 columns. Every bad input is refused
# with exit 1 (2 for a usage error), one line on stderr and the export
# unchanged.
#
# Run from the repository root: sh tests/shell/reports.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

DB=$W/county.db
d() { "$BIN" --db "$DB" "$@"; }
# py EXPR: python3 on the JSON the last command printed (in $J).
py() { python3 -c "import json; J=json.load(open('$OUT')); $1"; }
# ago MINUTES: that long before now, as a local time to type.
ago() { TZ=$DUTYDESK_TZ date -d "$1 minutes ago" '+%Y-%m-%d %H:%M'; }
# iso LOCAL: a local time typed as the JSON gives it (UTC).
iso() { TZ=$DUTYDESK_TZ date -u -d "$(TZ=$DUTYDESK_TZ date -d "$1" '+%Y-%m-%d %H:%M %z')" '+%Y-%m-%dT%H:%M:%SZ'; }
# tod MINUTES: the time of day that many minutes from now (negative: ago).
tod() { TZ=$DUTYDESK_TZ date -d "$1 minutes" '+%H:%M'; }

ok_run "a county command station" -- d init --station linhai --role command
GUARD=$DB

# ---- a text composed from the record ----
R300=$(ago 300)
expect_id "a fire with casualties, received 5 hours ago" -- d incident add \
	--town datian --title 厂房起火 --kind 火灾 --place 工业园区3号 \
	--severity 4 --dead 1 --injured 3 --trapped 2 --evacuated 40 \
	--cause 电线短路 --actions 消防到场扑救 --trend 继续搜救被困人员 \
	--received "$R300"
INC=$ID
ok_run "a team sent" -- d dispatch m01 "$INC"
expect_id "a first report without --text" -- d incident report first "$INC" \
	--at "$(ago 290)"
FIRST=$ID
expect_json_object "incident show --json" -- d incident show "$INC" --json
check "the first report's text says when, where, what, who and what next" py "
t = [r for r in J['reports'] if r['id'] == '$FIRST'][0]['text']
for w in ['接报时间：$R300', '大田街道工业园区3号', '厂房起火（火灾）', '电线短路',
          '死亡1人', '受伤3人', '被困2人', '转移群众：40人', '消防到场扑救',
          '出动队伍：', '继续搜救被困人员']:
    assert w in t, (w, t)
assert J['reports'][0]['number'] is None"
ok_run "incident report first --lang en" -- d incident report first "$INC" \
	--lang en --at "$(ago 289)"
expect_json_object "incident show --json" -- d incident show "$INC" --json
check "the English text" py "
t = J['reports'][-1]['text']
assert 'Casualties: 1 dead, 3 injured, 2 trapped.' in t, t  # missing: not given
assert 'People moved: 40.' in t and 'Datian' in t, t"
ok_run "a given --text is kept as it is" -- d incident report first "$INC" \
	--text "电话首报：厂房起火" --at "$(ago 288)"
expect_id "an incident taken with no figures yet" -- d incident add --town 大田 \
	--title 路面塌陷
NOFIG=$ID
ok_run "its first report, composed" -- d incident report first "$NOFIG"
expect_json_object "incident show --json" -- d incident show "$NOFIG" --json
check "figures nobody gave are not sent upward as zeros" py "
t = J['reports'][0]['text']
assert '伤亡：待核实。' in t and '0人' not in t and '转移群众' not in t, t"

# ---- a written report counts when signed ----
WAT=$(ago 280)
expect_id "a written follow-up 4h40m ago" -- d incident report followup \
	"$INC" --channel written --at "$WAT"
WRITTEN=$ID
expect_json_object "incident show --json" -- d incident show "$INC" --json
check "not signed: the written clock is not met and is LATE" py "
assert J['written_done_at'] is None
r = [r for r in J['reports'] if r['id'] == '$WRITTEN'][0]
assert r['signed_at'] is None and r['counted_at'] is None and r['number'] == 1"
ok_run "status" -- d status
check "status says LATE" grep -q "LATE 1" "$OUT"
expect_json_object "status --json" -- d status --json
check "status --json counts it late" py "assert J['late_incidents'] == 1"
ok_run "the sheet of the unsigned report" -- d incident report sheet "$WRITTEN"
check "it says 未签发" grep -q "签发：未签发" "$OUT"

expect_id "a town leader" -- d contact add --name 张伟 --phone 13800001111 \
	--role town_leader --town datian
ZW=$ID
expect_id "a town duty officer" -- d contact add --name 李娜 \
	--phone 13900002222 --role town_duty --town datian
refused 1 "signed by someone who is not a leader" -- \
	d incident report sign "$WRITTEN" --signed-by 李娜
check "the message says who may sign" grep -q "leader" "$ERR"
refused 1 "signed by someone not in the directory" -- \
	d incident report sign "$WRITTEN" --signed-by 赵六
refused 1 "an unknown report" -- d incident report sign linhai-999 \
	--signed-by 张伟
refused 1 "a phone report needs no signing" -- \
	d incident report sign "$FIRST" --signed-by 张伟
refused 2 "sign without --signed-by" -- d incident report sign "$WRITTEN"
refused 2 "sign with an option of another verb" -- \
	d incident report sign "$WRITTEN" --signed-by 张伟 --channel phone
refused 1 "a signing time before the report" -- \
	d incident report sign "$WRITTEN" --signed-by 张伟 --at "$(ago 290)"
refused 1 "a signing time that is not a time" -- \
	d incident report sign "$WRITTEN" --signed-by 张伟 --at soon
refused 1 "an unknown report verb" -- d incident report countersign "$INC"
refused 1 "an incident's id is no report" -- d incident report sign "$INC" \
	--signed-by 张伟
refused 2 "a report with --signed-by" -- d incident report followup "$INC" \
	--signed-by 张伟
refused 2 "a report in a language we do not write" -- d incident report \
	followup "$INC" --lang fr
refused 1 "a report of an unknown incident, its text to compose" -- \
	d incident report followup linhai-999
expect_id "another 张伟, in gucheng" -- d contact add --name 张伟 \
	--phone 13700003333 --role town_leader --town gucheng
refused 1 "signed by a name two contacts share" -- \
	d incident report sign "$WRITTEN" --signed-by 张伟
check "the message lists both" grep -q "more than one contact" "$ERR"
SAT=$(ago 250)
expect_id "signed by the town leader (no roster kept)" -- \
	d incident report sign "$WRITTEN" --signed-by "$ZW" --at "$SAT"
expect_json_object "incident show --json" -- d incident show "$INC" --json
check "the written clock is met at the signing, not at the report" py "
assert J['written_done_at'] == '$(iso "$SAT")', J['written_done_at']
r = [r for r in J['reports'] if r['id'] == '$WRITTEN'][0]
assert r['signed_name'] == '张伟' and r['signed_at'] == '$(iso "$SAT")'
assert r['counted_at'] == r['signed_at'] and r['at'] == '$(iso "$WAT")'"
refused 1 "signed twice" -- d incident report sign "$WRITTEN" --signed-by "$ZW"
check "the message says it is signed already" grep -q "already signed" "$ERR"
expect_json_object "export --json" -- d export --json
check "the export holds the sign-off and the report's signing" py "
s = J['signoffs']; assert len(s) == 1 and s[0]['report'] == '$WRITTEN'
i = [i for i in J['incidents'] if i['id'] == '$INC'][0]
r = [r for r in i['reports'] if r['id'] == '$WRITTEN'][0]
assert r['signed_name'] == '张伟' and r['signed_by'] == s[0]['contact']"

# ---- with a roster: the leader on duty ----
expect_id "the leader on duty" -- d contact add --name 陈局长 \
	--phone 13500005555 --role county_leader
expect_id "an officer" -- d contact add --name 王五 --phone 13600004444 \
	--role officer
TODAY=$(TZ=$DUTYDESK_TZ date '+%Y-%m-%d')
YESTERDAY=$(TZ=$DUTYDESK_TZ date -d yesterday '+%Y-%m-%d')
ok_run "yesterday's shift from now on the roster" -- d roster add \
	"$YESTERDAY" --start "$(tod 1)" --hours 24 --leader 陈局长 --officer 王五
ok_run "today's" -- d roster add "$TODAY" --start "$(tod 1)" --hours 24 \
	--leader 陈局长 --officer 王五
expect_id "a written final report" -- d incident report final "$INC" \
	--channel written
FINAL=$ID
refused 1 "a town leader off duty may not sign now" -- \
	d incident report sign "$FINAL" --signed-by "$ZW"
check "the message names the leader on duty" grep -q "陈局长" "$ERR"
expect_id "the leader on duty signs" -- d incident report sign "$FINAL" \
	--signed-by 陈局长
ok_run "the sheet of the final report" -- d incident report sheet "$FINAL"
check "终报, signed by 陈局长" sh -c "grep -q '终报' '$OUT' && grep -q '签发人：陈局长' '$OUT'"

# ---- fixed-time follow-ups ----
# A severity-2 collapse received 5 hours ago, its first report by phone
# 10 minutes later: with follow-ups due at (now - 2h) and (now + 3h), the
# first at least an hour after that report is the one 2 hours ago.
# The due time, read once: the minute may turn while the test runs.
NOW=$(date +%s)
DUE1=$(TZ=$DUTYDESK_TZ date -u -d "@$((NOW - 7200))" '+%Y-%m-%dT%H:%M:00Z')
ok_run "follow-ups due 2 hours ago and in 3 hours" -- d setting set \
	followup.times "$( (TZ=$DUTYDESK_TZ date -d "@$((NOW - 7200))" +%H:%M;
	TZ=$DUTYDESK_TZ date -d "@$((NOW + 10800))" +%H:%M) | sort | paste -sd, -)"
expect_id "a severe collapse" -- d incident add --town gucheng \
	--title 民房倒塌 --severity 2 --received "$R300"
SEV=$ID
expect_id "its first report by phone" -- d incident report first "$SEV" \
	--at "$(ago 290)" --text 首报
expect_id "its written first report" -- d incident report first "$SEV" \
	--at "$(ago 285)" --text 书面首报 --channel written
expect_id "signed at once" -- d incident report sign "$ID" --signed-by 陈局长 \
	--at "$(ago 284)"
expect_json_object "incident show --json" -- d incident show "$SEV" --json
check "a follow-up was due 2 hours ago" py "
assert J['followup_due_at'] == '$DUE1', J['followup_due_at']"
ok_run "status" -- d status
check "status: LATE on the follow-up" grep -q "LATE 1 (a follow-up overdue: 1)" "$OUT"
expect_json_array "incident list --json" -- d incident list --json
check "the list gives each incident's follow-up due" py "
r = {x['id']: x for x in J}
assert r['$SEV']['followup_due_at'] == '$DUE1'
assert r['$INC']['followup_due_at'] is None"
ok_run "the record page" -- d incident show "$SEV"
check "the page shows the follow-up LATE" grep -q "Follow-up.*LATE" "$OUT"
expect_id "a follow-up by phone now" -- d incident report followup "$SEV"
expect_json_object "incident show --json" -- d incident show "$SEV" --json
check "it meets the due time in 3 hours: the next is then owed" py "
import datetime
due = datetime.datetime.strptime(J['followup_due_at'], '%Y-%m-%dT%H:%M:%SZ')
now = datetime.datetime.utcnow()
assert due - now > datetime.timedelta(hours=4), (due, now)"
ok_run "status" -- d status
check "no LATE now" sh -c "! grep -q LATE '$OUT'"
expect_id "a follow-up in writing, not yet signed" -- d incident report \
	followup "$SEV" --channel written --text 书面续报
FOLLOW2=$ID
expect_json_object "incident show --json" -- d incident show "$SEV" --json
check "follow-ups numbered by time: 续报二 is the written one" py "
r = [r for r in J['reports'] if r['id'] == '$FOLLOW2'][0]
assert r['number'] == 2, r"
expect_id "signed" -- d incident report sign "$FOLLOW2" --signed-by 陈局长
ok_run "the sheet of a signed follow-up" -- d incident report sheet "$FOLLOW2"
cp "$OUT" "$W/sheet.txt"
check "续报二, the incident, the text, the signer" python3 -c "
t = open('$W/sheet.txt', encoding='utf-8').read().split('\f')
assert '续报二' in t[0].split('\n')[0] and '民房倒塌' in t[0], t
assert t[1] == '书面续报\n', t
assert '签发人：陈局长' in t[2], t"
check "at most 80 columns, sections split by form feeds" python3 -c "
import unicodedata
t = open('$W/sheet.txt', encoding='utf-8').read()
assert t.count('\f') == 2, t
for l in t.split('\n'):
    l = l.replace('\f', '')
    w = sum(2 if unicodedata.east_asian_width(c) in 'WF' else 1 for c in l)
    assert w <= 80, (w, l)"
ok_run "the same in GB18030" -- d incident report sheet "$FOLLOW2" --gb18030
check "converted back, the same sheet" sh -c "iconv -f GB18030 -t UTF-8 \
'$OUT' | cmp -s - '$W/sheet.txt'"
ok_run "the sheet in English" -- d incident report sheet "$FOLLOW2" --lang en
check "Follow-up 2, signed" sh -c "grep -q 'Follow-up 2' '$OUT' && grep -q \
'Signed by: 陈局长' '$OUT'"
refused 1 "the sheet of an unknown report" -- d incident report sheet linhai-999
refused 2 "a sheet in a language we do not write" -- d incident report sheet \
	"$FOLLOW2" --lang fr
refused 2 "a sheet with --signed-by" -- d incident report sheet "$FOLLOW2" \
	--signed-by 陈局长
expect_id "a final report by phone" -- d incident report final "$SEV" --text 终报
expect_json_object "incident show --json" -- d incident show "$SEV" --json
check "no follow-up is due after the final report" py "
assert J['followup_due_at'] is None"

# A long composed text still fits its 4000 bytes.
LONG=$(python3 -c "print('组织力量抢险。' * 94)")
expect_id "an incident with a long account" -- d incident add --town datian \
	--title 山体滑坡 --actions "$LONG" --cause "$LONG" --trend "$LONG"
LONGINC=$ID
expect_id "a first report composed from it" -- d incident report first "$ID"
expect_json_object "incident show --json" -- d incident show "$LONGINC" --json
check "cut at 4000 bytes, on a whole character" py "
t = J['reports'][0]['text'].encode()
assert 3990 <= len(t) <= 4000, len(t)"
finish
