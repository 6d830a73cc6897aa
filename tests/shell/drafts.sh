#!/bin/sh
# drafts.sh - a half-typed form outlives its terminal, whatever ends it.
# At 80x24, in zh_CN.UTF-8 (xterm-256color) and C (vt100): a form typed
# into, a name typed into a pick list among its fields, then the window
# closed (`tmux kill-session`: the console sees the end of its input or
# a read error, not a SIGHUP) or the console stopped (SIGTERM); the
# draft is kept beside the database with every field, and the next
# start offers it and opens the form with what was typed.
set -u
BIN=${DUTYDESK_BIN:-$PWD/dutydesk}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac
export DUTYDESK_ASSETS=${DUTYDESK_ASSETS:-$PWD/assets}
if ! command -v tmux >/dev/null; then
	echo "not ok 1 - tmux is not installed"
	exit 1
fi
dir=$(mktemp -d)
sock=$dir/tmux.sock
T() { tmux -S "$sock" "$@"; }
trap 'T kill-server 2>/dev/null; rm -rf "$dir"' EXIT
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() {
	n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"
	T capture-pane -p -t dd 2>/dev/null | sed 's/^/#   /'
}
screen() { T capture-pane -p -t dd; }
wait_for() {
	i=0
	while [ $i -lt $((${2:-5} * 10)) ]; do
		screen 2>/dev/null | grep -qF -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
check() { if wait_for "$2" "${3:-5}"; then ok "$1"; else nok "$1 (wanted '$2')"; fi; }
# within COMMAND...: until COMMAND succeeds, for up to 5 seconds.
within() {
	i=0
	while [ $i -lt 50 ]; do
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
keys() { T send-keys -t dd "$@"; sleep 0.15; }
dd() { "$BIN" --db "$db" "$@"; }
console() {
	t=$1 l=$2
	shift 2
	T kill-session -t dd 2>/dev/null
	T -f /dev/null new-session -d -s dd -x 80 -y 24 \
		"TERM=$t LANG=$l LC_ALL=$l DUTYDESK_BELL=off '$BIN' --db '$db' --officer wang --lang en $*; echo CONSOLE-EXITED; sleep 60"
	wait_for "linhai" 5
}
pick_locale() {
	if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then echo zh_CN.UTF-8; else echo C.UTF-8; fi
}
running() { pgrep -f -- "--db $db --officer wang" >/dev/null; }
gone() { ! running; }
# in_draft TEXT...: each TEXT is in the draft file.
in_draft() {
	for x in "$@"; do
		grep -qF -- "$x" "$db.draft" || { echo "# not in the draft: $x"; return 1; }
	done
}
# on_screen TEXT...: each TEXT is on the screen.
on_screen() {
	for x in "$@"; do
		screen | grep -qF -- "$x" || { echo "# not on the screen: $x"; return 1; }
	done
}

T -f /dev/null new-session -d -s keep -x 20 -y 5 "sleep 600"
db=$dir/station.db
dd init --station linhai --role command >/dev/null 2>&1 || { echo "not ok 1 - init"; exit 1; }
ZH=$(pick_locale)
inc=$(dd incident add --town datian --title 内涝 2>/dev/null)

for mode in "xterm-256color $ZH zh" "vt100 C en"; do
	set -- $mode
	term=$1 lang=$2
	if [ "$3" = zh ]; then
		title=桥面被冲 place=下洋村 kind=山洪 cause=暴雨 who=李明
	else
		title=bridge-out place=xiayang kind=torrent cause=rain who=liming
	fi

	# The incident form: a name typed into the town's list, and the
	# fields after it.
	console "$term" "$lang"
	keys a
	keys "dat"
	check "$lang: the town's list narrows as it is typed" "datian"
	keys Tab "$title" Tab "$place" Tab "$kind" Tab "3" Tab Tab "$cause"
	keys Tab Tab Tab "2" Tab Tab Tab Tab Tab Tab "$who"
	check "$lang: half a form typed" "$who"
	T kill-session -t dd
	if within gone; then ok "$lang: a closed window ends the console"; else
		nok "$lang: the console still runs after its window closed"; fi
	if [ -s "$db.draft" ] && in_draft '"town":"dat"' "$title" "$place" \
	   "$kind" '"severity":"3"' "$cause" '"dead":"2"' "$who"; then
		ok "$lang: the draft holds every field, the name typed into the list too"
	else
		nok "$lang: draft: $(cat "$db.draft" 2>/dev/null)"
	fi
	console "$term" "$lang"
	check "$lang: the next start offers the draft" "half-typed"
	keys a
	if within on_screen "draft restored" "Town" "dat" "$title" "$place" \
	   "$kind" "$cause" "$who"; then
		ok "$lang: the form opens with every field of the draft"
	else
		nok "$lang: the form with the draft"
	fi
	if [ ! -e "$db.draft" ]; then ok "$lang: the draft is taken once"; else
		nok "$lang: the draft file is still there"; fi
	keys Escape

	# The dispatch form: its one field is a pick; text typed into its
	# list is kept when the console is stopped.
	keys / "$inc" Enter
	keys d
	keys "m2"
	check "$lang: the team list narrows" "m25"
	pid=$(pgrep -f -- "--db $db --officer wang" | head -n 1)
	kill -TERM "$pid"
	check "$lang: SIGTERM ends the console" "CONSOLE-EXITED"
	if [ -s "$db.draft" ] && in_draft "Dispatch a team" '"team":"m2"'; then
		ok "$lang: SIGTERM keeps the name typed into the team's list"
	else
		nok "$lang: draft: $(cat "$db.draft" 2>/dev/null)"
	fi
	console "$term" "$lang"
	keys / "$inc" Enter
	keys d
	if within on_screen "draft restored" "Team" "m2"; then
		ok "$lang: the dispatch form opens with it"
	else
		nok "$lang: the dispatch form with its draft"
	fi
	keys Escape
	keys q
	within gone
done

echo "# $n checks, $fails failed"
[ $fails = 0 ]
