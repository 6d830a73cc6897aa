#!/bin/sh
# stats_console.sh - disaster statistics in pane 9 (v from the board) as the officers meet
# them at 80x24: a town station (zh_CN.UTF-8) sees every town, may set
# its own town's figures alone and sets them through the form; the
# command station (C, TERM=vt100) sees all 19 towns under the county
# total, goes to another day with d, reads who reported a figure with
# Enter, and is asked for a reason when it changes the town's figure
# (zh_CN.UTF-8). No English word on a Chinese screen.
#
# Run from the repository root: sh tests/shell/stats_console.sh
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
need_dutydeskd
SOCK=$W/tmux.sock
CLEANUP='tmux -S "$SOCK" kill-server 2>/dev/null; stop_server'
tmux -S "$SOCK" -f /dev/null new-session -d -s keep -x 20 -y 5 "sleep 600"
l() { "$BIN" --db "$W/linhai.db" "$@"; }
d() { "$BIN" --db "$W/datian.db" "$@"; }
# py CODE: CODE with d, the stats --json printed, as {date, towns, total}.
py() { python3 -c "import json
$STATS_FOLD
d = stats(json.load(open('$OUT')))
$1"; }
TODAY=$(TZ=$DUTYDESK_TZ date -d '-9 hours' '+%Y-%m-%d')
: >"$W/looks"
# look N WHAT: keep the screen to check for English at the end.
look() { screen >"$W/screen.$1"; printf '%s\t%s\n' "$1" "$2" >>"$W/looks"; }
# console DB LANG TERM: the console in the tmux session dd.
console() {
	tmux -S "$SOCK" kill-session -t dd 2>/dev/null
	tmux -S "$SOCK" new-session -d -s dd -x 80 -y 24 \
		"TERM=$3 LANG=$2 LC_ALL=$2 DUTYDESK_BELL=off '$BIN' --db '$1' --officer 钱立群; echo CONSOLE-EXITED; sleep 60"
}

keys_for linhai datian
SDB=$W/server.db
server_up "$SDB"
ok_run "linhai, the command station" -- l init --station linhai --role command \
	--server "$SRV" --pin "$PIN" --key "$(cat "$W/key.linhai")"
ok_run "datian" -- d init --station datian --server "$SRV" --pin "$PIN" \
	--key "$(cat "$W/key.datian")"
ok_run "the county sets gucheng's figures for yesterday" -- l stats set gucheng \
	--date 2026-11-28 --dead 4 --collapsed 2

# ---- the town's console, in Chinese ----
console "$W/datian.db" "$ZH" xterm-256color
on_screen "datian's console opens" "值班员" 10
keys 9 v
on_screen "pane 9 shows the disaster statistics" "灾情统计" 5
on_screen "under the county total" "合计" 5
look 1 "the town's statistics"
# The rows: the total, then the towns by code (baishuiyang, datian, ...).
keys Down Down Down
keys e
on_screen "another town's row is there to read only" "只能填报本镇街" 5
keys Up
keys e
on_screen "its own town opens the form" "受灾人口" 5
look 2 "the town's form"
keys Down 3 Down 1 Down 2 Down Down Down Down Down 12.5
keys F2
on_screen "the figures are set" "的灾情已填报" 5
look 3 "the town's statistics after"
run d stats --json
check "dead 3, missing 1, relocated 2, crops 12.5 ha, by datian" py "
r = d['towns'][0]; assert r['town'] == 'datian' and r['dead'] == 3, r
assert r['missing'] == 1 and r['relocated'] == 2 and r['crop_ha'] == 125
assert r['dead_station'] == 'datian' and r['dead_officer'] == '钱立群'"
keys q
wait_for CONSOLE-EXITED 5
run d sync --timeout 10
check "datian syncs" test "$RC" = 0
run l sync --timeout 10
check "linhai syncs" test "$RC" = 0

# ---- the county's console in C on a vt100 ----
console "$W/linhai.db" C vt100
on_screen "linhai's console opens" "officer" 10
keys 9 v
on_screen "the statistics" "TOTAL" 5
check "all 19 towns fit under the total" sh -c "tmux -S '$SOCK' capture-pane -p -t dd | grep -q '^youxi '"
check "datian's figures" sh -c "tmux -S '$SOCK' capture-pane -p -t dd | grep -Eq '^datian +- +3 +1 +2 +- +- +- +- +12.5 +-$'"
keys / gucheng Enter
off_screen "/ narrows the towns" "datian " 5
check "the total stays over the town filtered" sh -c "tmux -S '$SOCK' capture-pane -p -t dd | grep -q '^TOTAL' && tmux -S '$SOCK' capture-pane -p -t dd | grep -q '^gucheng '"
keys / BSpace BSpace BSpace BSpace BSpace BSpace BSpace Enter
on_screen "the filter cleared" "youxi " 5
keys d
on_screen "d asks for a day" "YYYY-MM-DD" 5
keys C-u 2026-11-28 Enter
on_screen "yesterday's total" "TOTAL 11-28" 5
check "gucheng's figures of that day" sh -c "tmux -S '$SOCK' capture-pane -p -t dd | grep -Eq '^gucheng +- +4 +- +- +- +2 '"
keys d C-u Enter
on_screen "back to today" "TOTAL ${TODAY#?????}" 5
keys Down Down Enter
on_screen "Enter: who reported each figure" "reported by datian" 5
keys Escape q

# ---- the county changes the town's figure: a reason, in Chinese ----
console "$W/linhai.db" "$ZH" xterm-256color
on_screen "linhai's console in Chinese" "值班员" 10
keys 9 v
on_screen "the statistics" "合计" 5
keys Down Down e
on_screen "datian's form" "修改理由" 5
keys Down BSpace 5 F2
on_screen "a change of the town's figure asks for a reason" "须说明理由" 5
look 4 "the county's form asking a reason"
keys Down Down Down Down Down Down Down Down Down 核实 F2
on_screen "with a reason it is set" "的灾情已填报" 5
look 5 "the county's statistics"
run l stats --town datian --json
check "dead 5 by linhai with its reason; missing still datian's" py "
r = d['towns'][0]; assert r['dead'] == 5 and r['dead_station'] == 'linhai', r
assert r['dead_reason'] == '核实' and r['missing_station'] == 'datian'"
keys q

# ---- no English word on a Chinese screen ----
python3 - "$W" <<'PY' >"$W/english"
import re, sys
w = sys.argv[1]
allowed = {'linhai', 'datian', 'gucheng', 'Tab', 'Esc', 'Enter', 'PgUp',
           'PgDn', 'Home', 'End', 'Up', 'Down', 'F2', 'YYYY-MM-DD'}
for line in open(w + '/looks', encoding='utf-8'):
    n, what = line.rstrip('\n').split('\t', 1)
    screen = open('%s/screen.%s' % (w, n), encoding='utf-8').read()
    bad = set()
    for m in re.finditer(r'[A-Za-z0-9_./-]*[A-Za-z][A-Za-z0-9_./-]*', screen):
        t = m.group(0).strip('./-')
        parts = [p for p in re.split(r'[/-]', t) if p]
        if t in allowed or len(t) <= 1 or all(
                p in allowed or len(p) <= 1 or p.isdigit() or
                re.fullmatch(r'\^?[A-Z]', p) for p in parts):
            continue
        bad.add(t)
    print('%s\t%s\t%s' % (n, what, ' '.join(sorted(bad))))
PY
while IFS='	' read -r _n _what _bad; do
	if [ -z "$_bad" ]; then pass "$_what: Chinese only"; else
		fail "$_what: Chinese only" "English: $_bad" \
			"$(sed 's/^/    /' "$W/screen.$_n")"; fi
done <"$W/english"
stop_server
finish
