#!/bin/sh
# terminal.sh - the console on the terminals Chinese duty rooms have, at
# 80x24 in tmux: a vt100 (no alternate screen) given back clean after q,
# the first key not blanking a line; an ASCII locale (C) showing Chinese
# data as pinyin, never '?'; a GB18030 and a GBK terminal (luit turns
# the pane's UTF-8 into the locale's charset and back, as a Chinese SSH
# client would) showing Chinese, and storing what is typed there as
# UTF-8.
#
# Run from the repository root: sh tests/shell/terminal.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

if ! have tmux; then
	skip "tmux not installed"
	finish
fi

SOCK=$W/tmux.sock
CLEANUP='tmux -S "$SOCK" kill-server 2>/dev/null'
y() { "$BIN" --db "$W/datian.db" "$@"; }

ok_run "init datian" -- y init --station datian
expect_id "an incident whose title is Chinese free text" -- \
	y incident add --town 大田街道 --title 民房进水 --place 下洋村

# A session that outlives the consoles (see console.sh).
tmux -S "$SOCK" -f /dev/null new-session -d -s keep -x 20 -y 5 "sleep 600"

# console TERM LOCALE [WRAPPER...]: the console alone in the pane.
console() {
	_t=$1 _l=$2
	shift 2
	tmux -S "$SOCK" kill-session -t dd 2>/dev/null
	tmux -S "$SOCK" -f /dev/null new-session -d -s dd -x 80 -y 24 \
		"TERM=$_t LANG=$_l LC_ALL=$_l DUTYDESK_BELL=off $* '$BIN' --db '$W/datian.db' --officer wang; echo CONSOLE-EXITED; sleep 30"
}

# --- vt100 in C: the shell after q starts on a clean screen ---
tmux -S "$SOCK" kill-session -t dd 2>/dev/null
tmux -S "$SOCK" -f /dev/null new-session -d -s dd -x 80 -y 24 \
	"env PS1='$ ' TERM=vt100 LANG=C LC_ALL=C DUTYDESK_BELL=off sh"
sleep 0.3
keys "'$BIN' --db '$W/datian.db' --officer wang" Enter
wait_for "q quit" 8
# The first key read through stdscr used to blank the screen under the
# panes: the bottom line's key hints went.
keys j
sleep 0.3
on_screen "vt100: the key hints stay after the first key" "q quit" 1
keys q
sleep 0.3
keys "echo AFTER-QUIT" Enter
wait_for "AFTER-QUIT" 3
_s=$(screen)
_why=""
case $_s in *"q quit"* | *Incidents* | *datian-1*) _why="the console's screen is still there" ;; esac
printf '%s\n' "$_s" | grep -qx '\$ echo AFTER-QUIT' ||
	_why="$_why; the command line is not on a line of its own"
if [ -z "$_why" ]; then
	pass "vt100: after q the shell writes on a cleared screen"
else
	fail "vt100: after q the shell writes on a cleared screen" "$_why" \
		"screen: $(printf '%s\n' "$_s" | grep -v '^$' | head -n 4 | tr '\n' '|')"
fi

# --- C: Chinese data in pinyin ---
console vt100 C
wait_for "datian-1" 8
on_screen "C: a Chinese title shows in pinyin" "Min Fang Jin Shui"
_row=$(screen | grep '^datian-1' | head -n 1)
case $_row in
*"?"*) fail "C: no '?' stands for a Chinese character" "row: $_row" ;;
*) pass "C: no '?' stands for a Chinese character" ;;
esac
keys a
on_screen "C: the form's Chinese in its title shows in pinyin" \
	"New incident (Jie Bao)"
keys Escape
# The edit form showed a Chinese field empty: it is pinyin on the
# screen and kept as it was.
keys e
on_screen "C: the edit form shows a Chinese field in pinyin" "Xia Yang Cun"
keys C-d
wait_for "updated" 3
if y export --json | grep -q '"place":[[:space:]]*"下洋村"'; then
	pass "C: saving the edit form keeps the Chinese as it was"
else
	fail "C: saving the edit form keeps the Chinese as it was" \
		"export: $(y export --json | grep -a '"place"' | tr '\n' ' ')"
fi
# A record page wraps Chinese text spelt out in pinyin: every row whole,
# nothing lost between rows, no '?'.
keys q
on_screen "C: the console quits" "CONSOLE-EXITED"
ok_run "a long Chinese log entry" -- y log add \
	"这是一段很长的中文值班日志，用来检查在终端里记录页面是否会被截断，而不是换行显示完整的内容，值班员需要看到全部文字。"
console vt100 C
wait_for "datian-1" 8
keys 7
keys Enter
on_screen "C: the log entry's record page opens" "Log entry"
_page=$(screen | sed -n 's/^| \(.*[^ ]\) *|$/\1/p' | tr '\n' ' ')
case $_page in
*"Zhe Shi Yi Duan Hen Zhang"*"Jian Cha Zai Zhong Duan Li"*"Er Bu Shi Huan Xing Xian Shi"*"Quan Bu Wen Zi."*)
	case $_page in
	*"?"*) fail "C: the page's pinyin rows have no '?'" "page: $_page" ;;
	*) pass "C: the page wraps the pinyin whole, nothing lost between rows" ;;
	esac ;;
*) fail "C: the page wraps the pinyin whole, nothing lost between rows" \
	"page: $_page" ;;
esac
keys Escape 4
on_screen "C: the supplies pane names the scarcest kind in English" \
	"(limited by first-aid kit)"
keys q
on_screen "C: the console quits again" "CONSOLE-EXITED"

# --- GB18030 and GBK: Chinese in the terminal's own charset ---
# locale_ok CHARSET: the zh_CN locale in CHARSET is on this machine.
locale_ok() {
	locale -a 2>/dev/null | tr 'A-Z' 'a-z' | tr -d '-' |
		grep -qx "zh_cn\.$(echo "$1" | tr 'A-Z' 'a-z' | tr -d '-')"
}
# legacy CHARSET TITLE1 TITLE2: the console in zh_CN.CHARSET behind
# luit; the screen is Chinese, and TITLE1 typed in the intake form and
# TITLE2 on the : line are stored as UTF-8.
legacy() {
	if ! have luit; then
		skip "$1: luit not installed"
		return
	fi
	if ! locale_ok "$1"; then
		skip "$1: no zh_CN.$1 locale on this machine"
		return
	fi
	console xterm "zh_CN.$1" luit -encoding "$1" --
	on_screen "$1: a Chinese title shows in Chinese" "民房进水" 8
	on_screen "$1: the console's words are Chinese" "值班日志" 1
	keys a
	wait_for "接报" 3
	keys "大田街道" Enter "$2" Enter "下洋村" Enter
	keys C-d
	on_screen "$1: the incident typed in the form is listed" "$2" 5
	if y export --json | grep -q "\"title\":[[:space:]]*\"$2\""; then
		pass "$1: what was typed is stored as UTF-8"
	else
		fail "$1: what was typed is stored as UTF-8" \
			"export: $(y export --json | grep -a '"title"' | tr '\n' ' ')"
	fi
	# The : line too.
	keys ":incident add --town 大田街道 --title $3" Enter
	on_screen "$1: an incident added on the : line is listed" "$3" 5
	if y export --json | grep -q "\"title\":[[:space:]]*\"$3\""; then
		pass "$1: what was typed on the : line is stored as UTF-8"
	else
		fail "$1: what was typed on the : line is stored as UTF-8"
	fi
	keys q
	on_screen "$1: the console quits" "CONSOLE-EXITED"
}
legacy GB18030 山洪冲毁便桥 路面塌陷
legacy GBK 堤坝渗水 树木倒伏

finish
