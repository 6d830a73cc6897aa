#!/bin/sh
# statusdrill.sh - the status line at 80 columns with everything a
# station can meet at once, in a county-wide drill: the DRILL banner and
# the drill's realm and clock, an operation the server refused, the link
# offline since a time, an incident late on its report and alerts not yet
# seen. In zh_CN.UTF-8 and in C with TERM=vt100 the refused count, LATE
# and the alert count always show whole; what goes for room goes whole.
#
# Run from the repository root: sh tests/shell/statusdrill.sh
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
SCENARIO=$PWD/assets/drills/chemical-fire-duqiao.json
tm() { tmux -S "$SOCK" "$@"; }
# until_ok SECONDS CMD...: CMD until it succeeds, every tenth of a second.
until_ok() {
	_n=$(($1 * 10))
	shift
	while [ "$_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}
tm -f /dev/null new-session -d -s keep -x 20 -y 5 "sleep 600"

# linhai runs the drill; dayang, a command station whose key the server
# holds as a town's, joins it: what it decides is refused.
keys_for linhai
"$DBIN" keygen dayang --role town --keys "$W/keys" >"$W/key.dayang" 2>"$ERR"
chmod 600 "$W/keys"
server_up "$W/server.db"
for s in linhai dayang; do
	ok_run "init $s, linked" -- "$BIN" --db "$W/$s.db" init --station $s \
		--role command --server "$SRV" --pin "$PIN" --key "$(cat "$W/key.$s")"
done
tm new-session -d -s cmd -x 80 -y 24 \
	"TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 DUTYDESK_BELL=off '$BIN' --db '$W/linhai.db' --officer li drill run '$SCENARIO' --speed 120 --county; sleep 60"
realm() {
	_db=$(ls "$W"/drill-chemical-fire-duqiao-*.db 2>/dev/null | head -n 1)
	[ -n "$_db" ] && REALM=$("$BIN" --db "$_db" status --json 2>/dev/null |
		sed -n 's/.*"realm":[[:space:]]*"\(drill-[0-9]*\)".*/\1/p') &&
		[ -n "$REALM" ] &&
		"$BIN" --db "$_db" status --json 2>/dev/null | grep -q '"queued":[[:space:]]*0'
}
REALM=
if until_ok 15 realm; then pass "linhai's drill ($REALM) reaches the server"; else
	fail "linhai's drill reaches the server" "screen: $(tm capture-pane -p -t cmd | head -n 3)"
	finish
fi

# console TERM LANG: dayang's console on the drill, at 80x24.
console() {
	tm kill-session -t dd 2>/dev/null
	tm new-session -d -s dd -x 80 -y 24 \
		"TERM=$1 LANG=$2 LC_ALL=$2 DUTYDESK_BELL=off '$BIN' --db '$W/dayang.db' --officer wang drill join $REALM --timeout 10; echo CONSOLE-EXITED; sleep 30"
}
# line_ok DESC REFUSED LATE ALERT: the first line holds each whole, and
# ends with the alert count.
line_ok() {
	_l=$(screen | head -n 1 | sed 's/ *$//')
	_why=""
	case $_l in *"$2"*) ;; *) _why="no '$2'" ;; esac
	case $_l in *" $3 "*) ;; *) _why="$_why no '$3'" ;; esac
	case $_l in *"| "[0-9]*"$4") ;; *) _why="$_why not ending '$4'" ;; esac
	if [ -z "$_why" ]; then pass "$1"; else fail "$1" "$_why" "line: $_l"; fi
}

console xterm-256color "$ZH"
on_screen "dayang joins the drill" "$REALM" 10
keys : "response start flood IV" Enter
if [ "$ZH" = zh_CN.UTF-8 ]; then
	on_screen "the server refuses dayang's decision" "1 条被拒 (R)" 15
	on_screen "its fire, reported at the drill's start, goes late" "超时 1" 30
else
	on_screen "the server refuses dayang's decision" "1 REFUSED (R)" 15
	on_screen "its fire, reported at the drill's start, goes late" "LATE 1" 30
fi
stop_server
# The link's item goes first for room; the server is gone all the same.
sleep 2
if [ "$ZH" = zh_CN.UTF-8 ]; then
	line_ok "zh_CN.UTF-8 80x24 in a drill: refused, LATE and alerts whole" \
		"1 条被拒 (R)" "超时 1" "条提醒（x 已阅）"
	keys q
	on_screen "the zh console quits" "CONSOLE-EXITED"
else
	skip "no zh_CN.UTF-8 locale on this machine"
fi

# The same drill database again, offline, in C on a vt100.
console vt100 C
on_screen "dayang's drill console opens again, offline" "offline since" 15
on_screen "the late incident is counted again" "LATE 1" 20
ok_run "an incident arrives in the drill's database" -- \
	"$BIN" --db "$W/$REALM-dayang.db" incident add --town datian --title 又一起
on_screen "it is called out" "alert(s): x" 10
line_ok "C, vt100 80x24 in a drill: refused, LATE and alerts whole" \
	"1 REFUSED (R)" "LATE" " alert(s): x"
_l=$(screen | head -n 1)
case $_l in
*DRILL*) pass "the DRILL banner stays" ;;
*) fail "the DRILL banner stays" "line: $_l" ;;
esac
keys q
on_screen "the vt100 console quits" "CONSOLE-EXITED"
finish
