#!/bin/sh
# handover.sh - the shift handover sheet carries the shift: the open
# incidents with the overdue ones first and their due times and
# casualties, the shelters open and their evacuees, the levels in force
# with the checklist items not ticked, the teams out and the towns that
# have not answered; in the reader's language (towns and statuses in
# Chinese on a Chinese sheet), no line over 80 columns.
#
# Run from the repository root: sh tests/shell/handover.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

DB=$W/station.db
d() { "$BIN" --db "$DB" "$@"; }
ago() { TZ=$DUTYDESK_TZ date -d "-$1 minutes" '+%Y-%m-%d %H:%M'; }

ok_run "a county station" -- d init --station county --role command
expect_id "an incident received 10 minutes ago, casualties" -- \
	d incident add --town hetou --title 山体滑坡 --received "$(ago 10)" \
	--dead 1 --injured 2
NEW=$(cat "$OUT")
expect_id "an incident received 2 hours ago, no report sent" -- \
	d incident add --town datian --title 内涝 --received "$(ago 120)"
LATE=$(cat "$OUT")
expect_id "a closed incident" -- d incident add --town hetou --title 已处置
ok_run "closed" -- d incident status "$(cat "$OUT")" closed
expect_id "a team sent" -- d dispatch m01 "$NEW"
ok_run "on its way" -- d team status m01 en_route
ok_run "a team out of service is not out" -- d team status m03 out_of_service
expect_id "Level IV typhoon" -- d response start typhoon IV --signed-by 张局长
ok_run "one item ticked" -- d response check typhoon ty4-duty
expect_id "a red warning to two towns" -- d warning issue --hazard typhoon \
	--color red --text 台风红色预警 --towns hetou,kuocang
ok_run "hetou answers" -- d warning answer "$(cat "$OUT")" hetou --who 王
ok_run "a shelter open" -- d shelter open s001
ok_run "people in it" -- d shelter checkin s001 30
expect_id "handed over to 李四 with a note" -- \
	d handover --to 李四 --note 注意河头镇水位

LANGUAGE=zh_CN ok_run "the sheet, Chinese" -- d --lang zh handover sheet
cp "$OUT" "$W/zh"
check "outgoing, incoming and the note" \
	grep -q "接班人： 李四" "$W/zh"
check "the note as typed" grep -q "注意河头镇水位" "$W/zh"
check "two open incidents (not the closed one)" grep -q "在办事件 (2)" "$W/zh"
# The overdue incident comes first, though it is the older.
first=$(grep -n "$LATE " "$W/zh" | head -n 1 | cut -d: -f1)
second=$(grep -n "$NEW " "$W/zh" | head -n 1 | cut -d: -f1)
check "the overdue incident first" test "${first:-99}" -lt "${second:-0}"
check "its clocks overdue, with their due times" \
	grep -Eq "电话报告: 时限 [0-9-]+ [0-9:]+  已超时" "$W/zh"
check "towns and statuses in Chinese" grep -q "大田街道  已接报  内涝" "$W/zh"
check "the casualties" grep -q "死亡 1  受伤 2" "$W/zh"
check "the shelter and its evacuees" grep -q "s001  古城街道中心学校  古城  30/560" "$W/zh"
check "the level in force" grep -q "防台风 IV" "$W/zh"
check "its items not ticked, not the ticked one" \
	sh -c "grep -q 'ty4-1833' '$W/zh' && ! grep -q 'ty4-duty' '$W/zh'"
check "the team out, not the one out of service" \
	sh -c "grep -q '^  m01 .*出发途中  $NEW' '$W/zh' && ! grep -q '^  m03 ' '$W/zh'"
check "the town that has not answered, not the one that has" \
	sh -c "grep -q '括苍镇' '$W/zh' && ! grep -Eq '^  county-[0-9]+ +河头镇' '$W/zh'"
check "no line over 80 columns" \
	python3 -c "import sys,unicodedata as u
w=lambda s: sum(2 if u.east_asian_width(c) in 'WF' else 1 for c in s)
sys.exit(any(w(l.rstrip('\n')) > 80 for l in open(sys.argv[1], encoding='utf-8')))" "$W/zh"

LANGUAGE=en ok_run "the sheet, English" -- d --lang en handover sheet
cp "$OUT" "$W/en"
check "in English, towns by code and statuses in words" \
	grep -q "datian  reported  内涝" "$W/en"
check "the items' English text" grep -q "1833" "$W/en"
check "the team's status in words" grep -q "en route" "$W/en"

# The log shows the handover in the reader's words, not a stored
# English sentence.
LANGUAGE=zh_CN ok_run "log list, Chinese" -- d --lang zh log list
check "the handover read in Chinese" grep -q "交接班 tester → 李四: 注意河头镇水位" "$OUT"
finish
