#!/bin/sh
# console.sh - the console as a duty officer meets it: the real binary in
# a tmux pane at 80x24, driven by keys, read back from the screen, under
# TERM=xterm-256color and vt100, in zh_CN.UTF-8 and C locales.
set -u
BIN=${DUTYDESK_BIN:-$PWD/dutydesk}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac
export DUTYDESK_ASSETS=${DUTYDESK_ASSETS:-$PWD/assets}
if ! command -v tmux >/dev/null; then
	echo "not ok 1 - tmux is not installed"
	exit 1
fi
dir=$(mktemp -d)
printf '#!/bin/sh\ncat > "%s/printed"\n' "$dir" > "$dir/print.sh"
chmod +x "$dir/print.sh"
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
# wait_for TEXT [SECONDS]: until TEXT is on the screen.
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
# row TEXT: a row of the list starts with TEXT (the status line and the
# messages may name it too); no_row TEXT: none does.
row() { screen 2>/dev/null | grep -q "^$1 "; }
no_row() { ! row "$1"; }
# filter_rows TEXT DESC SHOWN [HIDDEN]: '/' TEXT in this pane; a check
# that a row starts with SHOWN and, within 5 s, none with HIDDEN.
shown() { row "$1" && { [ -z "$2" ] || no_row "$2"; }; }
filter_rows() {
	keys / "$1" Enter
	if within shown "$3" "${4:-}"; then ok "$2"; else nok "$2"; fi
}
keys() { T send-keys -t dd "$@"; sleep 0.15; }
dd() { "$BIN" --db "$db" "$@"; }
# console TERM LANG [OPTION...]: a fresh console in its own tmux server,
# 80x24. The flows run with --lang en so the checks read English
# messages while the data and the terminal are Chinese.
console() {
	t=$1 l=$2
	shift 2
	T kill-session -t dd 2>/dev/null
	T -f /dev/null new-session -d -s dd -x 80 -y 24 \
		"TERM=$t LANG=$l LC_ALL=$l DUTYDESK_BELL=off DUTYDESK_PRINT='$dir/print.sh' '$BIN' --db '$db' --officer wang $*; stty -a > '$dir/stty'; echo CONSOLE-EXITED; sleep 60"
}
pick_locale() {
	if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then echo zh_CN.UTF-8; else echo C.UTF-8; fi
}

# A session that outlives the consoles: killing the last session ends the
# tmux server, and a console started at that moment could reach the
# server on its way out ("server exited unexpectedly") and never run.
T -f /dev/null new-session -d -s keep -x 20 -y 5 "sleep 600"
db=$dir/station.db
dd init --station linhai --role command >/dev/null 2>&1 || { echo "not ok 1 - init"; exit 1; }
ZH=$(pick_locale)

# --- xterm-256color, Chinese locale: the main flows ---
console xterm-256color "$ZH" --lang en
check "the console opens on the incidents pane" "linhai"
keys a
check "a opens the intake form" "(接报)"
keys "大田街道" Enter "山洪冲毁便桥" Enter "下洋村" Enter
keys C-d
if wait_for "linhai-1" 5; then ok "the form records an incident"; else nok "the form records an incident"; fi
if dd export --json | grep -q '"title":	"山洪冲毁便桥"\|"title": "山洪冲毁便桥"'; then
	ok "the incident typed in the form is in export --json"
else
	nok "the incident typed in the form is in export --json"
fi

# A form refuses bad input in words and keeps what was typed.
keys a
keys "atlantis" Enter "x" C-d
check "an unknown town is refused in words" "unknown town 'atlantis'"
keys Escape

# A title of full-width spaces (what a Chinese input method types) is no
# title; a report time before the incident's receipt is refused in the
# form as in the shell.
keys a
keys "大田街道" Enter "　 　" C-d
check "a blank title is refused in the form" "title is blank"
keys Escape
keys r
keys Enter Enter Enter "2000-01-01 10:00" C-d
check "a report time before receipt is refused in the form" "before the incident"
keys Escape

# A shell command's change shows without a key press.
dd incident add --town 杜桥镇 --title 外部录入的事件 >/dev/null
check "a shell command's incident appears within a second" "外部录入的事件" 3
check "an incident from elsewhere is called out" "new incident linhai-2" 3
check "and counted until seen" "alert"
keys x
if wait_for "alert(s)" 1; then nok "x marks alerts seen"; else ok "x marks alerts seen"; fi

# The ':' command line takes the shell verbs.
keys : "incident status linhai-1 verified" Enter
check "the command line runs a shell verb" "verified"
if dd incident show linhai-1 --json | grep -q '"status":	"verified"\|"status": "verified"'; then
	ok "the verb changed the incident"
else
	nok "the verb changed the incident"
fi
keys : "incident status linhai-1 reported" Enter
check "a refused verb says why" "only moves forward"

# Dispatch a team from the teams pane and move it on.
keys 3
check "the teams pane shows the board" "c01"
keys / "t-datian" Enter
check "/ filters the board" "t-datian"
if screen | grep -q "^c01 "; then nok "the filter hides the other teams"; else
	ok "the filter hides the other teams"; fi
keys d
keys "linhai-1" C-d
check "dispatch a team" "dispatched to linhai-1"
keys s
keys C-d
check "the team moves on to en route, said in words" ": en route"
if dd team list --json | grep -q '"id":"t-datian".*"status":"en_route"'; then
	ok "the team's status is stored"
else
	nok "the team's status is stored"
fi
# At 80 columns the board says where a team is sent, and an id longer
# than 10 characters shows whole (a cut one typed back names nothing).
if within sh -c "tmux -S '$sock' capture-pane -p -t dd | grep -Eq '^t-datian .* linhai-1 *\$'"; then
	ok "the row shows the incident the team is sent to"
else
	nok "the row shows the incident the team is sent to"
fi
filter_rows "f-baishuiyang" "a 13-character team id shows whole" "f-baishuiyang"

# Issue supplies and see the stock change.
keys 4
keys / "d-datian" Enter
check "the supplies pane lists the depot" "d-datian"
before=$(dd supply list --item tent --depot d-datian --json | sed 's/.*"qty":\([0-9-]*\).*/\1/')
keys i
keys C-u "tent" Enter C-u "d-datian" Enter "3" C-d
check "issue supplies, the kind by its name and unit" "issued 3 救灾帐篷 顶"
after=$(dd supply list --item tent --depot d-datian --json | sed 's/.*"qty":\([0-9-]*\).*/\1/')
if [ "$after" -eq $((before - 3)) ] 2>/dev/null; then ok "the stock went down by 3"; else nok "stock $before -> $after"; fi

# Open a shelter and check in more people than it holds: taken (they
# are there), and the officer is told by how much; the row is marked.
keys 5
keys / "s001" Enter
check "the shelters pane lists the shelter" "s001"
keys o
check "open the shelter" "shelter s001 opened"
keys i
keys C-u "600" C-d
check "a check-in above capacity says by how much" "now 600, 40 over its capacity"
check "the row is marked over capacity" "OVER CAPACITY"

# Start a Level IV typhoon response and raise it to III.
keys 2
keys G
keys s
keys C-d
check "start a Level IV typhoon response" "level typhoon IV"
keys +
keys C-d
check "raise it to III" "level typhoon III"
if dd response show --json | grep -q '"hazard":"typhoon","level":3,"level_name":"III"'; then
	ok "the level in force is III"
else
	nok "the level in force is III"
fi

# '/' filters the response levels too: by the hazard, or by its name as
# the screen shows it; an empty filter shows every hazard again.
keys g
keys s
keys C-d
check "start a Level IV flood response beside it" "flood: start IV"
filter_rows typhoon "/ filters the response levels by hazard" typhoon flood
filter_rows "" "an empty filter shows every hazard again" flood
filter_rows 防汛 "/ finds a hazard by the name shown" flood typhoon
filter_rows "" "and the empty filter shows them all again" typhoon

# A zero report with incidents open and responses in force: refused,
# saying which.
keys 7
keys z
keys C-d
check "a zero report with work open is refused in the form" "no zero report while"
keys Escape

# Shift handover, signed by both, and its sheet for the printer.
keys 7
keys h
keys "李明" Enter "大田山洪需跟进" C-d
check "the handover is recorded" "handed over to 李明"
check "the console now acts as the incoming officer" "officer 李明"
keys p
check "p prints the handover sheet" "sent to the printer"
sheet=$(ls "$db".handover-*.txt 2>/dev/null | head -n 1)
if [ -n "$sheet" ] && grep -q "李明" "$sheet" && grep -q "linhai-1" "$sheet" &&
	cmp -s "$sheet" "$dir/printed"; then
	ok "the printer got the sheet (the incoming officer, the open incidents) and a copy is kept"
else
	nok "the printer got the sheet (the incoming officer, the open incidents) and a copy is kept"
fi
printf '#!/bin/sh\nexit 1\n' > "$dir/print.sh"
keys p
check "a printer that fails is said, with where the sheet is" "the printer command failed"
if dd handover sheet --gb18030 | iconv -f GB18030 -t UTF-8 | grep -q "李明"; then
	ok "the sheet prints in GB18030 too"
else
	nok "the sheet prints in GB18030 too"
fi

# With a roster, the form offers the next shift's officer; a handover to
# someone else is refused first, and taken on Enter again, marked off
# the roster.
dd contact add --name 陈晨 --phone 13600001111 --role officer >/dev/null
dd contact add --name 周局 --phone 13500002222 --role county_leader >/dev/null
next=$(TZ=Asia/Shanghai date -d '+1 hour' '+%Y-%m-%d %H:%M')
dd roster add "${next% *}" --start "${next#* }" --hours 12 --leader 周局 \
	--officer 陈晨 >/dev/null
keys 7
keys h
check "the handover form offers the next shift's officer" "陈晨"
keys C-u "赵六" Enter "" C-d
check "a handover off the roster asks again" "Enter again to confirm"
keys C-d
check "Enter again hands over" "handed over to 赵六"
if dd log list --json | tr -d ' \n\t' | grep -q '"to_officer":"赵六".*"unrostered":1'; then
	ok "recorded as off the roster"
else
	nok "recorded as off the roster"
fi

# Resize to 40x10 and back.
T resize-window -t dd -x 40 -y 10
check "a tiny terminal gets a clear notice" "too small"
T resize-window -t dd -x 80 -y 24
check "enlarged again, the console comes back" "typhoon"
T resize-window -t dd -x 200 -y 50
check "a wide terminal shows the supplies pane too" "QTY"
check "a wide terminal shows the teams pane too" "INCIDENT"
T resize-window -t dd -x 80 -y 24

# A resize storm does not crash it.
i=0
while [ $i -lt 30 ]; do
	T resize-window -t dd -x $((20 + i * 7 % 150)) -y $((5 + i * 3 % 50))
	i=$((i + 1))
done
T resize-window -t dd -x 80 -y 24
check "after a storm of resizes the console is whole" "typhoon"

# Help comes from the key table.
keys ?
check "? shows the keys of the pane" "shift handover"
keys Escape

# Quit leaves the terminal sane.
keys q
check "q quits" "CONSOLE-EXITED"
if grep -q ' icanon' "$dir/stty" && grep -q ' echo' "$dir/stty"; then
	ok "the terminal is back in canonical mode with echo"
else
	nok "the terminal is back in canonical mode with echo"
fi

# --- SIGHUP with a half-typed form: the draft comes back ---
console xterm-256color "$ZH" --lang en
check "the console opens again" "linhai"
keys a
keys "大田街道" Enter "半截的报告"
check "half a form typed" "半截的报告"
pid=$(pgrep -f -- "--db $db --officer wang" | head -n 1)
kill -HUP "$pid"
check "SIGHUP ends the console" "CONSOLE-EXITED"
if [ -s "$db.draft" ]; then ok "the draft is kept beside the database"; else nok "the draft is kept"; fi
console xterm-256color "$ZH" --lang en
check "the next start offers the draft" "half-typed"
keys a
check "the form opens with the draft" "半截的报告"
keys Escape
keys q

# --- SIGTERM: stops cleanly, terminal restored ---
console xterm-256color "$ZH" --lang en
check "the console opens for SIGTERM" "linhai"
# What lands in the console's first second is called out like the rest:
# the officer's baseline is what the first screen showed.
dd incident add --town 杜桥镇 --title 开屏即到的事件 >/dev/null
check "an incident in the console's first second is called out" \
	"new incident" 3
pid=$(pgrep -f -- "--db $db --officer wang" | head -n 1)
kill -TERM "$pid"
check "SIGTERM ends the console" "CONSOLE-EXITED"
if grep -q ' icanon' "$dir/stty" && grep -q ' echo' "$dir/stty"; then
	ok "after SIGTERM the terminal is sane"
else
	nok "after SIGTERM the terminal is sane"
fi

# --- vt100 and the C locale: monochrome, ASCII, pinyin names ---
console vt100 C
check "vt100 in the C locale opens" "linhai"
keys 3
check "names show in pinyin in the C locale" "Datian Jiedao"
# Home, End and PgDn as PuTTY and tmux send them, which a vt100 entry
# does not name: keys, not a digit that switches panes.
keys "$(printf '\033[4~')" "$(printf '\033[6~')" "$(printf '\033[1~')"
sleep 0.3
check "Home, End and PgDn by their ESC [ n ~ codes stay in the pane" \
	"FOR INCIDENT"
shot=$(screen)
if [ -n "$shot" ] && ! printf '%s\n' "$shot" | LC_ALL=C grep -q '[^ -~]'; then
	ok "the C locale screen is ASCII only"
else
	nok "the C locale screen is ASCII only"
fi
keys q
check "vt100 quits" "CONSOLE-EXITED"

# --- xterm-256color in C.UTF-8, English ---
console xterm-256color C.UTF-8
check "C.UTF-8 opens in English" "Incidents"
keys q

# --- the Chinese interface, from the locale ---
if [ "$ZH" = zh_CN.UTF-8 ]; then
	console xterm-256color zh_CN.UTF-8
	check "zh_CN.UTF-8 shows the Chinese tabs" "应急响应"
	keys 2
	check "and Chinese column titles" "灾种"
	keys q
	check "zh console quits" "CONSOLE-EXITED"
else
	ok "# SKIP no zh_CN.UTF-8 locale on this machine"
fi

echo "# $n checks, $fails failed"
[ "$fails" -eq 0 ]
