#!/bin/sh
# daily_console.sh - the daily report (值班日报) in the console at 80x24:
# D shows it on a page over the panes in zh_CN.UTF-8, its sections apart;
# p sends the sheet to the printer (DUTYDESK_PRINT) and keeps a copy
# beside the database, and says where; the copy is the sheet `report
# daily` prints; ? names the key; in C with TERM=vt100 the page is in
# English and ASCII.
#
# Run from the repository root: sh tests/shell/daily_console.sh
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
tmux -S "$SOCK" -f /dev/null new-session -d -s keep -x 20 -y 5 "sleep 600"
DB=$W/linhai.db
c() { "$BIN" --db "$DB" "$@"; }
ago() { TZ=$DUTYDESK_TZ date -d "-$1 minutes" '+%Y-%m-%d %H:%M'; }

ok_run "a command station" -- c init --station linhai --role command
START=$(TZ=$DUTYDESK_TZ date -d '-3 hours' '+%H:%M')
DAY=$(TZ=$DUTYDESK_TZ date -d '-3 hours' '+%Y-%m-%d')
ok_run "the shift starts at $START" -- c setting set shift.start "$START"
expect_id "an incident, reported late" -- c incident add --town hetou \
	--title 山体滑坡 --received "$(ago 100)"

console() {
	tmux -S "$SOCK" kill-session -t dd 2>/dev/null
	tmux -S "$SOCK" new-session -d -s dd -x 80 -y 24 \
		"TERM=$1 LANG=$2 LC_ALL=$2 DUTYDESK_BELL=off DUTYDESK_PRINT='cat >\"$W/printed\"' '$BIN' --db '$DB' --officer 李四; sleep 60"
}

console xterm-256color "$ZH"
on_screen "the console opens" "值班员" 10
keys D
on_screen "D: the daily report on a page" "值班日报 $DAY" 5
on_screen "its header" "临海市  值班日报"
on_screen "the first section" "一、突发事件（当日接报 1 起"
on_screen "the late report" "电话报告：未报，已超时"
on_screen "a rule between the sections" "-----------------------"
if screen | grep -q "$(printf '\f')"; then fail "no form feed on the screen"
else pass "no form feed on the screen"; fi
keys C-f
on_screen "the next page: the zero reports" "七、零报告"
on_screen "the page says p prints" "p：打印  Esc/q：关闭"
keys p
on_screen "p: sent to the printer, with the copy's name" \
	"值班日报已送打印，副本为数据库旁的 linhai.db.daily-$DAY.txt" 5
check "the printer got the sheet" test -s "$W/printed"
check "the copy beside the database is what it printed" \
	cmp -s "$W/printed" "$W/linhai.db.daily-$DAY.txt"
LANGUAGE=zh_CN ok_run "report daily" -- c --lang zh report daily
check "the same sheet as report daily" sh -c \
	"grep -v '制表时间' '$W/printed' >'$W/a' && grep -v '制表时间' '$OUT' >'$W/b' &&
	 cmp -s '$W/a' '$W/b'"
check "with its form feeds" test "$(tr -cd '\f' <"$W/printed" | wc -c)" = 9
keys q
off_screen "q closes the page" "一、突发事件" 5
keys '?'
on_screen "? names D" "值班日报（p 打印）" 5
keys Escape

console vt100 C
on_screen "C/vt100: the console opens" "officer" 10
keys D
on_screen "C/vt100: the page in English" "Linhai Shi  DAILY DUTY REPORT" 5
on_screen "C/vt100: the first section" "1. Incidents (received 1"
if screen | LC_ALL=C grep -q '[^ -~]'; then fail "C/vt100: ASCII only"
else pass "C/vt100: ASCII only"; fi
finish
