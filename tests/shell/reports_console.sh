#!/bin/sh
# reports_console.sh - the fixed-time follow-up as a duty officer meets
# it at 80x24 in zh_CN.UTF-8: the alert 5 minutes before a follow-up
# falls due (once), then LATE on the status line and the alert when it
# is overdue, the line under the list saying when it is due, and a
# follow-up made clearing it; the report form filled in with the text
# composed from the record, edited and saved whole.
#
# Run from the repository root: sh tests/shell/reports_console.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

if ! have tmux; then
	skip "tmux not installed"
	finish
fi
if [ "$ZH" != zh_CN.UTF-8 ]; then
	skip "no zh_CN.UTF-8 locale on this machine"
	finish
fi
SOCK=$W/tmux.sock
CLEANUP='tmux -S "$SOCK" kill-server 2>/dev/null'
DB=$W/county.db
d() { "$BIN" --db "$DB" "$@"; }
ago() { TZ=$DUTYDESK_TZ date -d "$1 minutes ago" '+%Y-%m-%d %H:%M'; }
tod() { TZ=$DUTYDESK_TZ date -d "$1 minutes" '+%H:%M'; }

ok_run "a county command station" -- d init --station linhai --role command
# A follow-up due 3 minutes from now, once a first report is made.
T3=$(tod 3)
ok_run "follow-ups due 3 minutes from now" -- d setting set followup.times "$T3"
expect_id "a severe incident, 3 hours ago" -- d incident add --town datian \
	--title 山体滑坡 --severity 2 --dead 1 --received "$(ago 180)" \
	--trend 继续监测
INC=$ID
expect_id "its written report, not yet signed" -- d incident report first \
	"$INC" --channel written --at "$(ago 170)" --text 书面首报
WRITTEN=$ID
expect_id "the leader" -- d contact add --name 张伟 --phone 13800001111 \
	--role town_leader --town datian

tmux -S "$SOCK" -f /dev/null new-session -d -s dd -x 80 -y 24 \
	"TERM=xterm-256color LANG=$ZH LC_ALL=$ZH DUTYDESK_BELL=off DUTYDESK_PRINT='cat >$W/printed.txt' '$BIN' --db '$DB' --officer 王磊; echo CONSOLE-EXITED; sleep 60"
on_screen "the console opens on the incidents" "山体滑坡" 10
# The counts later alerts compare with are taken after the first paint.
sleep 1
# The first report by phone, made 2 hours ago, entered now: the
# follow-up due in 3 minutes is within 5.
ok_run "the first report by phone, 2 hours ago" -- d incident report first \
	"$INC" --at "$(ago 120)" --text 电话首报
on_screen "the alert 5 minutes before the follow-up" "1 起事件定时续报将于 5 分钟内到期" 5
on_screen "the line under the list says when" "续报时限 $T3" 3
on_screen "the written report not signed: still LATE" "超时 1" 3
expect_id "signed 165 minutes ago" -- d incident report sign "$WRITTEN" \
	--signed-by 张伟 --at "$(ago 165)"
off_screen "signed: LATE goes" "超时 1" 5
keys x
# Now the due time is a minute ago: overdue.
T1=$(tod -1)
ok_run "the follow-up was due a minute ago" -- d setting set followup.times "$T1"
on_screen "the alert when it is overdue" "1 起事件定时续报超时" 5
on_screen "LATE on the status line" "超时 1" 3
on_screen "the line under the list says LATE" "续报时限 $T1 超时" 3

# r: the report form offers a follow-up, its text composed from the
# record; a word added at its start, saved whole.
keys r
on_screen "r opens the report form" "信息报送"
on_screen "a follow-up" "报送类型  续报"
on_screen "its text composed from the record, from its start" "截至" 3
keys Tab Tab
keys -l "【定时续报】"
keys C-d
on_screen "saved" "已记录续报" 5
run d incident show "$INC" --json
check "the text is the composed one, whole, with the word added" python3 -c "
import json; j = json.load(open('$OUT'))
t = [r for r in j['reports'] if r['type'] == 'followup'][0]['text']
assert t.startswith('【定时续报】截至'), t
for w in ['接报时间：', '事件：山体滑坡', '死亡1人', '下一步：继续监测。']:
    assert w in t, (w, t)
assert '\n' not in t, t
assert j['followup_due_at'] is not None"
off_screen "the follow-up made: LATE goes" "超时 1" 5

# On the incident's record page: S signs a written report, P prints the
# latest report's sheet.
expect_id "a written follow-up from the shell" -- d incident report followup \
	"$INC" --channel written --text 书面续报二
W2=$ID
keys Enter
keys G
on_screen "Enter opens the record page, G its end" "续报二" 5
on_screen "the page says it is not signed" "未签发" 3
keys S
on_screen "S on the page opens the sign-off form" "签发书面报告" 5
keys C-d
on_screen "signed" "已签发，视为已报送" 5
keys Enter
keys G
on_screen "the page again" "签发人 张伟" 5
keys P
on_screen "P prints the report's sheet" "报告单已送打印" 5
check "the sheet printed is the signed follow-up's" sh -c "grep -q '续报二' \
'$W/printed.txt' && grep -q '签发人：张伟' '$W/printed.txt' && cmp -s \
'$W/printed.txt' '$DB.report-$W2.txt'"
keys Escape
keys q
on_screen "q quits" "CONSOLE-EXITED" 5
finish
