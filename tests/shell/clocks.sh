#!/bin/sh
# clocks.sh - the reporting clocks before they run out, as a duty officer
# meets them at 80x24, in zh_CN.UTF-8 and in C with TERM=vt100: the bell
# and an alert 5 minutes before the 30-minute phone report and the
# 1-hour written report fall due (not a drill minute before, and once),
# the minutes left and LATE moving on the screen with nothing else
# happening, and within a severity the nearest deadline first. A drill at
# 120x gives the clocks (a drill minute is half a second), so nothing
# here waits minutes. Then the drill's text report in local time, and a
# team that reached the scene with no en route step in the turnouts.
#
# Run from the repository root: sh tests/shell/clocks.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

if ! have tmux; then
	skip "tmux not installed"
	finish
fi
SOCK=$W/tmux.sock
CLEANUP='tmux -S "$SOCK" kill-server 2>/dev/null'
tmux -S "$SOCK" -f /dev/null new-session -d -s keep -x 20 -y 5 "sleep 600"

# A warning to two towns at minute 0, a fire reported at minute 1 (its
# phone report due at minute 31, written at 61), and an action due at
# minute 100 so the drill runs on.
cat >"$W/clocks.json" <<'EOF'
{"id": "clocks", "title": "报告时限演练", "hazard": "typhoon",
 "injects": [
  {"id": "warn", "at_min": 0, "kind": "warning", "fields":
   {"hazard": "typhoon", "color": "red", "text": "台风红色预警",
    "towns": ["datian", "shangpan"]}},
  {"id": "fire", "at_min": 1, "kind": "incident", "fields":
   {"town": "datian", "title": "厂房起火", "severity": 2}}
 ],
 "expect": [
  {"id": "iv", "title": "启动IV级", "within_min": 100,
   "match": {"kind": "response.decide"}}
 ]
}
EOF

# drill SESSION TERM LANG: the drill in its own live station's
# directory, at 120x.
drill() {
	mkdir -p "$W/$1"
	"$BIN" --db "$W/$1/live.db" init --station linhai --role command \
		>/dev/null 2>&1
	tmux -S "$SOCK" new-session -d -s "$1" -x 80 -y 24 \
		"TERM=$2 LANG=$3 LC_ALL=$3 DUTYDESK_BELL=off '$BIN' --db '$W/$1/live.db' --officer wang drill run '$W/clocks.json' --speed 120; echo CONSOLE-EXITED; sleep 60"
}
# record SESSION...: each screen of each session, every tenth of a second
# for 40 seconds (80 drill minutes), one file of screens each, a line
# "=== n" before each.
record() {
	_i=0
	while [ $_i -lt 400 ]; do
		for _s in "$@"; do
			echo "=== $_i" >>"$W/$_s.screens"
			tmux -S "$SOCK" capture-pane -p -t "$_s" >>"$W/$_s.screens" \
				2>/dev/null
		done
		sleep 0.1
		_i=$((_i + 1))
	done
}

ZHS=""
if [ "$ZH" = zh_CN.UTF-8 ]; then
	drill zh xterm-256color zh_CN.UTF-8
	ZHS=zh
else
	skip "no zh_CN.UTF-8 locale on this machine"
fi
drill c vt100 C
record c $ZHS

# summary SESSION SOON LATE: one line per screen: the drill clock in
# seconds of the day, the alert count, 1 if SOON is on the message
# line (the bottom one), 1 if the phone cell of drill-2 says LATE, its
# minutes left otherwise ("-" before it came).
summary() {
	awk -v soon="$2" -v late="$3" '
	function flush() {
		if (clk != "") print clk, alerts, msg, cell
	}
	/^=== / { flush(); clk = ""; alerts = 0; msg = 0; cell = "-"; n = 0; next }
	{
		n++
		if (n == 1) {
			if (match($0, /[0-9][0-9]:[0-9][0-9]:[0-9][0-9] x120/)) {
				t = substr($0, RSTART, 8)
				split(t, h, ":")
				clk = h[1] * 3600 + h[2] * 60 + h[3]
			}
			if (match($0, /[0-9]+ (alert\(s\)|条提醒)/))
				alerts = substr($0, RSTART, RLENGTH) + 0
		}
		if (n == 24 && index($0, soon)) msg = 1
		if ($1 == "drill-2" && n < 20)
			cell = index($0, late) ? "LATE" : $5
	}
	END { flush() }' "$W/$1.screens"
}

# The drill's start and the fire's receipt (minute 1), in seconds of the
# day, local time, from the drill's report.
started_of() {
	_db=$(ls "$W/$1"/drill-clocks-*.db | head -n 1)
	"$BIN" drill report "$_db" --json >"$W/$1.json" 2>/dev/null
	_s=$(tr -d '\n\t ' <"$W/$1.json" | sed 's/.*"started":"\([^"]*\)".*/\1/')
	TZ=$DUTYDESK_TZ date -d "$_s" '+%H %M %S' |
		awk '{ print $1 * 3600 + $2 * 60 + $3 }'
}

# clocks_ok SESSION SOON WSOON LATE: the checks on one console's screens.
clocks_ok() {
	_st=$(started_of "$1")
	_rec=$((_st + 60))
	summary "$1" "$2" "$4" >"$W/$1.sum"
	summary "$1" "$3" "$4" >"$W/$1.wsum"
	# Seconds of the day may wrap at midnight: keep them in order.
	awk -v r="$_rec" -v d=$((25 * 60)) -v due=$((30 * 60)) '
	{ t = $1 - r; if (t < -43200) t += 86400; print t, $2, $3, $4 }' \
		"$W/$1.sum" >"$W/$1.rel"
	awk -v r="$_rec" '
	{ t = $1 - r; if (t < -43200) t += 86400; print t, $2, $3, $4 }' \
		"$W/$1.wsum" >"$W/$1.wrel"
	# Before the phone clock is 5 minutes from running out: no alert.
	_early=$(awk '$1 < 1500 && $3 == 1' "$W/$1.rel" | head -n 1)
	_first=$(awk '$3 == 1 { print; exit }' "$W/$1.rel")
	if [ -z "$_early" ] && [ -n "$_first" ] &&
	   [ "${_first%% *}" -ge 1500 ] && [ "${_first%% *}" -le 1680 ]; then
		pass "$1: the phone alert comes 5 minutes before the deadline, not before (at +${_first%% *} s of drill time)"
	else
		fail "$1: the phone alert comes 5 minutes before the deadline, not before" \
			"first screen with it: ${_first:-none}" "too early: ${_early:-none}"
	fi
	# It is counted as an alert, once: the count it left holds until
	# the phone clock runs out (the late alert).
	_before=$(awk '$1 < 1500 { a = $2 } END { print a + 0 }' "$W/$1.rel")
	_at=$(echo "$_first" | awk '{ print $2 + 0 }')
	_after=$(awk '$1 >= 1500 && $1 < 1800 { a = $2 } END { print a + 0 }' \
		"$W/$1.rel")
	if [ -n "$_first" ] && [ "$_at" = $((_before + 1)) ] &&
	   [ "$_after" = "$_at" ]; then
		pass "$1: counted once as an alert ($_before, then $_at until late)"
	else
		fail "$1: counted once as an alert" \
			"alerts before: $_before, at: ${_at:-none}, until late: $_after"
	fi
	# The minutes left move with nothing else happening: 5 or fewer at
	# the alert, LATE once past the deadline.
	_cell=$(echo "$_first" | awk '{ print $4 }')
	_late=$(awk '$1 > 1860 && $1 < 3000 { c = $4 } END { print c }' "$W/$1.rel")
	case $_cell in [0-5]m) _ok=1 ;; *) _ok=0 ;; esac
	if [ $_ok = 1 ] && [ "$_late" = LATE ]; then
		pass "$1: the phone cell says $_cell at the alert, then LATE by itself"
	else
		fail "$1: the phone cell says 5m or less at the alert, then LATE by itself" \
			"at the alert: ${_cell:-none}" "past the deadline: ${_late:-none}"
	fi
	_wearly=$(awk '$1 < 3300 && $3 == 1' "$W/$1.wrel" | head -n 1)
	_wfirst=$(awk '$3 == 1 { print; exit }' "$W/$1.wrel")
	if [ -z "$_wearly" ] && [ -n "$_wfirst" ] &&
	   [ "${_wfirst%% *}" -ge 3300 ] && [ "${_wfirst%% *}" -le 3480 ]; then
		pass "$1: the written alert comes 5 minutes before the hour, not before (at +${_wfirst%% *} s)"
	else
		fail "$1: the written alert comes 5 minutes before the hour, not before" \
			"first screen with it: ${_wfirst:-none}" "too early: ${_wearly:-none}"
	fi
}

clocks_ok c "first report due within 5 minutes" \
	"written report due within 5 minutes" LATE
if [ -n "$ZHS" ]; then
	clocks_ok zh "起事件首报将于 5 分钟内到期" "起事件书面报告将于 5 分钟内到期" \
		"超时"
fi
for s in c $ZHS; do
	tmux -S "$SOCK" send-keys -t "$s" q
done

# The drill's text report gives local times (the JSON keeps ISO UTC):
# the start as the station's clock read it, with its offset.
db=$(ls "$W"/c/drill-clocks-*.db | head -n 1)
run "$BIN" --lang en drill report "$db"
_s=$(tr -d '\n\t ' <"$W/c.json" | sed 's/.*"started":"\([^"]*\)".*/\1/')
_local=$(TZ=Asia/Shanghai date -d "$_s" '+%Y-%m-%d %H:%M')
check "the text report's start is local ($_local, UTC+08:00), the JSON's UTC ($_s)" \
	grep -q "^started $_local (UTC+08:00) " "$OUT"
# A red warning: silent after silent.red, 15 minutes by default.
_due=$(TZ=Asia/Shanghai date -d "$_s 15 minutes" '+%Y-%m-%d %H:%M')
check "each warned town's answer is an action, due in local time ($_due)" \
	grep -q "^  missed   drill-1/datian .* answers warning drill-1" "$OUT"
check "...its due time local" grep -q "due $_due, done -" "$OUT"
check "the score counts the silent towns (the action and 2 answers missed)" \
	grep -q "^score 0 / 100: 0 on time, 0 late, 3 missed" "$OUT"
if [ -n "$ZHS" ]; then
	LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 "$BIN" --lang zh drill report "$db" \
		>"$W/zh.txt" 2>"$ERR"
	check "in Chinese: the answer worded for the reader, local time" \
		grep -q "drill-1/shangpan .*上盘镇叫应预警 drill-1" "$W/zh.txt"
	check "...the start local too" grep -q "^开始于 $_local (UTC+08:00)" "$W/zh.txt"
fi

# The live console: within a severity the nearest deadline comes first,
# not the newest; a more severe incident comes before both.
y() { "$BIN" --db "$W/live.db" "$@"; }
ago() { TZ=$DUTYDESK_TZ date -d "-$1 minutes" '+%Y-%m-%d %H:%M'; }
y init --station linhai --role command >/dev/null 2>&1
expect_id "severity 2, received 20 minutes ago" -- \
	y incident add --town 大田街道 --title 旧事件 --severity 2 --received "$(ago 20)"
expect_id "severity 2, received 2 minutes ago" -- \
	y incident add --town 杜桥镇 --title 新事件 --severity 2 --received "$(ago 2)"
expect_id "severity 1, received just now" -- \
	y incident add --town 上盘镇 --title 重大事件 --severity 1
# A team sent to the old one reaches the scene with no en route step:
# it turned out all the same (the teams pane, 3).
expect_id "t-datian sent to linhai-1" -- y dispatch t-datian linhai-1
ok_run "t-datian on the scene, en route skipped" -- y team status t-datian on_scene
# order_ok DESC: linhai-3, linhai-1, linhai-2 from the top.
order_ok() {
	_o=$(screen | awk '/^----/ { exit } $1 ~ /^linhai-[0-9]+$/ { printf "%s ", $1 }')
	if [ "$_o" = "linhai-3 linhai-1 linhai-2 " ]; then pass "$1"; else
		fail "$1" "rows: $_o"; fi
}
live() {
	tmux -S "$SOCK" kill-session -t dd 2>/dev/null
	tmux -S "$SOCK" new-session -d -s dd -x 80 -y 24 \
		"TERM=$1 LANG=$2 LC_ALL=$2 DUTYDESK_BELL=off '$BIN' --db '$W/live.db' --officer wang; echo CONSOLE-EXITED; sleep 30"
}
if [ -n "$ZHS" ]; then
	live xterm-256color zh_CN.UTF-8
	wait_for "linhai-3" 8
	order_ok "zh_CN.UTF-8: severity 1, then the nearer deadline of severity 2"
	keys 3
	on_screen "zh_CN.UTF-8: the skipped en route counts as a turnout" \
		"：1/1（100%）；0 支待出发"
	keys q
	on_screen "the zh console quits" "CONSOLE-EXITED"
fi
live vt100 C
wait_for "linhai-3" 8
order_ok "C, vt100: severity 1, then the nearer deadline of severity 2"
keys 3
on_screen "C, vt100: the skipped en route counts as a turnout" \
	"rural): 1 of 1 (100%); 0 waiting to set out"
keys q
on_screen "the vt100 console quits" "CONSOLE-EXITED"
finish
