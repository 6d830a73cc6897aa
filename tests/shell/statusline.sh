#!/bin/sh
# statusline.sh - the console's top line at 80x24 with the longest values
# a station meets at once: operations the server refused, the link
# offline since a time, incidents late on both reporting clocks and on
# one, alerts not yet seen. In zh_CN.UTF-8 and in C with TERM=vt100 the
# refused count, LATE (each incident once) and the alert count show
# whole; what goes for room goes as whole items.
#
# Run from the repository root: sh tests/shell/statusline.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

need_dutydeskd
if ! have tmux; then
	skip "tmux not installed"
	finish
fi

SOCK=$W/tmux.sock
CLEANUP='stop_server; tmux -S "$SOCK" kill-server 2>/dev/null'
y() { "$BIN" --db "$W/dayang.db" "$@"; }
ago() { TZ=$DUTYDESK_TZ date -d "-$1 minutes" '+%Y-%m-%d %H:%M'; }

# A command station whose key the server holds as a town's: its
# decision is refused.
"$DBIN" keygen dayang --role town --keys "$W/keys" >"$W/key.dayang" 2>"$ERR"
chmod 600 "$W/keys"
server_up "$W/server.db"
ok_run "init dayang, its key a town's" -- \
	y init --station dayang --role command --server "$SRV" --pin "$PIN" \
	--key "$(cat "$W/key.dayang")"
expect_id "a Level IV flood response" -- y response start flood IV
expect_exit 1 "the server refuses it" -- y sync --timeout 10
stop_server

# Two incidents: one late on both clocks, one on the phone report only;
# LATE counts 2, not 3.
expect_id "an incident received two hours ago" -- \
	y incident add --town 大田街道 --title 山洪冲毁便桥 --received "$(ago 120)"
expect_id "an incident received 40 minutes ago" -- \
	y incident add --town 杜桥镇 --title 民房进水 --received "$(ago 40)"

# first_line TERM LANG [OPTION...]: a console, the new incident called
# out (an alert), then its first line in $W/line.
console() {
	tmux -S "$SOCK" kill-session -t dd 2>/dev/null
	tmux -S "$SOCK" -f /dev/null new-session -d -s dd -x 80 -y 24 \
		"TERM=$1 LANG=$2 LC_ALL=$2 DUTYDESK_BELL=off '$BIN' --db '$W/dayang.db' --officer wang; echo CONSOLE-EXITED; sleep 30"
}
tmux -S "$SOCK" -f /dev/null new-session -d -s keep -x 20 -y 5 "sleep 600"

# line_ok DESC REFUSED LATE ALERT: the first line holds each, and
# ends with the alert count whole.
line_ok() {
	_l=$(screen | head -n 1 | sed 's/ *$//')
	_why=""
	case $_l in *"$2"*) ;; *) _why="no '$2'" ;; esac
	case $_l in *" | $3 | "*) ;; *) _why="$_why no '$3'" ;; esac
	case $_l in *"| $4") ;; *) _why="$_why not ending '$4'" ;; esac
	if [ -z "$_why" ]; then pass "$1"; else fail "$1" "$_why" "line: $_l"; fi
}

if [ "$ZH" = zh_CN.UTF-8 ]; then
	console xterm-256color zh_CN.UTF-8
	wait_for "被拒" 8
	y incident add --town 大田街道 --title 新来的事件 >/dev/null
	wait_for "1 条提醒" 5
	line_ok "zh_CN.UTF-8 80x24: refused, LATE 2 and the alert count whole" \
		"1 条被拒 (R)" "超时 2" "1 条提醒（x 已阅）"
	keys q
	on_screen "the zh console quits" "CONSOLE-EXITED"
else
	skip "no zh_CN.UTF-8 locale on this machine"
fi

console vt100 C
wait_for "REFUSED" 8
y incident add --town 大田街道 --title 又一个事件 >/dev/null
wait_for "alert(s)" 5
line_ok "C, vt100 80x24: refused, LATE 2 and the alert count whole" \
	"1 REFUSED (R)" "LATE 2" "1 alert(s): x"
# Every piece between the separators is one whole item as the status
# line writes it: a piece cut short matches none of these.
_l=$(screen | head -n 1)
_cut=$(printf '%s\n' "$_l" | sed 's/^ *//; s/ *$//' | awk -F ' [|] ' '{
	for (i = 1; i <= NF; i++) {
		p = $i
		if (i == 1 && p ~ /^[a-z][a-z0-9]*$/) continue
		if (p ~ /^officer [^ ]+$/ || p ~ /^[0-9][0-9]:[0-9][0-9]$/ ||
		    p ~ /^([0-9-]+ )?[0-9][0-9]:[0-9][0-9]$/ ||
		    p ~ /^level [^ ]+$/ ||
		    p ~ /^offline since [0-9][0-9]:[0-9][0-9], [0-9]+ queued(, insecure)?$/ ||
		    p ~ /^[0-9]+ REFUSED \(R\)$/ || p ~ /^LATE [0-9]+$/ ||
		    p ~ /^[0-9]+ SILENT$/ || p ~ /^[0-9]+ alert\(s\): .+$/)
			continue
		print p
	}
}')
if [ -z "$_cut" ]; then
	pass "what is left of the line is whole items"
else
	fail "what is left of the line is whole items" "not a whole item: $_cut" \
		"line: $_l"
fi
keys q
on_screen "the vt100 console quits" "CONSOLE-EXITED"
finish
