#!/bin/sh
# terminal.sh - the console on the terminals Chinese duty rooms have, at
# 80x24 in tmux: a vt100 (no alternate screen) given back clean after q,
# the first key not blanking a line.
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
expect_id "an incident" -- \
	y incident add --town 大田街道 --title 民房进水 --place 下洋村

# A session that outlives the consoles (see console.sh).
tmux -S "$SOCK" -f /dev/null new-session -d -s keep -x 20 -y 5 "sleep 600"

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

finish
