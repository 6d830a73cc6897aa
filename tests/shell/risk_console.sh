#!/bin/sh
# risk_console.sh - the risk points (风险点) as a duty officer meets them
# in the console at 80x24 in zh_CN.UTF-8: pane 9 lists them, '/' narrows
# to a town, m moves people out (a form asks how many), c twice clears a
# point, Enter shows its monitor, phone and moves, and the line under the
# list counts the town's and the county's points cleared and people
# moved. No English word on a Chinese screen; in C on a vt100 the names
# are pinyin and the lines 80 columns.
#
# Run from the repository root: sh tests/shell/risk_console.sh
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
DB=$W/county.db
d() { "$BIN" --db "$DB" "$@"; }

ok_run "a county command station" -- d init --station linhai --role command
expect_exit 0 "the sample's 555 risk points" -- \
	d risk import "$DUTYDESK_ASSETS/sample/risk_points.csv"
check "555 codes" test "$(nlines "$OUT")" = 555

tmux -S "$SOCK" new-session -d -s dd -x 80 -y 24 \
	"TERM=xterm-256color LANG=$ZH LC_ALL=$ZH DUTYDESK_BELL=off '$BIN' --db '$DB' --officer 钱立群; echo CONSOLE-EXITED; sleep 60"
on_screen "the console opens" "值班员 钱立群" 10
# look WHAT: keep the screen as it settles, for the check at the end.
NLOOK=0
: >"$W/looks"
look() {
	_i=0 _prev=""
	while [ $_i -lt 30 ]; do
		sleep 0.1
		_cur=$(screen)
		[ $_i -ge 1 ] && [ "$_cur" = "$_prev" ] && break
		_prev=$_cur
		_i=$((_i + 1))
	done
	NLOOK=$((NLOOK + 1))
	printf '%s\n' "$_cur" >"$W/screen.$NLOOK"
	printf '%s\t%s\n' "$NLOOK" "$1" >>"$W/looks"
}

keys 9 v v v
on_screen "pane 9 (its fourth list) is the risk points" "9 风险点" 5
on_screen "their columns" "威胁人数" 5
on_screen "the county's line under the list" "全县：风险点清零 0/555" 5
keys / 古城 Enter
on_screen "filtered to 古城" "LH-GC-005" 5
check "the first row is 古城's first point" \
	sh -c "tmux -S '$SOCK' capture-pane -p -t dd | sed -n 4p | grep -q '^LH-GC-001 .*古城'"
on_screen "the town's line" "古城：风险点清零 0/5" 5
look "the risk points of 古城"

keys m
on_screen "m asks how many" "本次转移人数" 5
look "the people moved form"
keys 12 Enter
on_screen "said in Chinese" "12 人已从 LH-GC-001 转移" 5
on_screen "the town's line counts them" "已转移 12/366 人" 5
keys c
on_screen "c asks again" "再按 c 将 LH-GC-001" 5
look "the clearing asked again"
keys c
on_screen "cleared" "LH-GC-001 已清零" 5
on_screen "the town counts it" "古城：风险点清零 1/5" 5
keys c
on_screen "a second clear is refused" "LH-GC-001 已清零" 5
keys Enter
on_screen "Enter shows the point's page" "风险点 LH-GC-001" 5
on_screen "with its monitor" "监测员" 5
on_screen "and their phone" "13905564128" 5
on_screen "and the move" "转移记录：1" 5
look "the risk point's page"
keys Escape
run d risk list --json
check "the shell sees what the console did" sh -c "python3 -c \"
import json; r=[x for x in json.load(open('$OUT')) if x['id'] == 'LH-GC-001'][0]
assert r['moved'] == 12 and r['cleared'], r\""
keys q
on_screen "the console quits" "CONSOLE-EXITED" 5

# In C on a vt100: names in pinyin, every line within 80 columns.
tmux -S "$SOCK" new-session -d -s c -x 80 -y 24 \
	"TERM=vt100 LANG=C LC_ALL=C DUTYDESK_BELL=off '$BIN' --db '$DB' --officer qian; echo CONSOLE-EXITED; sleep 60"
cscreen() { tmux -S "$SOCK" capture-pane -p -t c 2>/dev/null; }
sleep 1
tmux -S "$SOCK" send-keys -t c 9 v v v / gucheng Enter
_i=0
while [ $_i -lt 30 ] && ! cscreen | grep -q "^LH-GC-001"; do
	sleep 0.1
	_i=$((_i + 1))
done
check "in C the names in pinyin, the kind a word" \
	sh -c "tmux -S '$SOCK' capture-pane -p -t c | grep -q '^LH-GC-001 *Keng Yang Keng *gucheng *24 *12 .* torrent'"
check "in C the town's line" \
	sh -c "tmux -S '$SOCK' capture-pane -p -t c | grep -q 'gucheng: 1 of 5 points cleared, 12 of 366 people moved'"
check "in C nothing but ASCII" \
	sh -c "! tmux -S '$SOCK' capture-pane -p -t c | grep -q '[^ -~]'"
tmux -S "$SOCK" send-keys -t c q

# ---- no English word on a Chinese screen ----
d export --json >"$W/export.json"
python3 - "$W" <<'PY' >"$W/english"
import json, re, sys
w = sys.argv[1]
x = json.load(open(w + '/export.json', encoding='utf-8'))
allowed = {'linhai', 'Tab', 'Esc', 'Enter', 'PgUp', 'PgDn', 'Home', 'End',
           'Up', 'Down', 'F2', 'S-Tab'}
for k in ('towns', 'risk_points', 'contacts'):
    allowed |= {r['id'] for r in x[k]}
for r in x['risk_points']:
    allowed |= {m['id'] for m in r['moves']}
for line in open(w + '/looks', encoding='utf-8'):
    n, what = line.rstrip('\n').split('\t', 1)
    screen = open('%s/screen.%s' % (w, n), encoding='utf-8').read()
    bad = set()
    for m in re.finditer(r'[A-Za-z0-9_./-]*[A-Za-z][A-Za-z0-9_./-]*', screen):
        t = m.group(0).strip('./-')
        if t in allowed or len(t) <= 1 or re.fullmatch(r'[A-Z]-[a-z]', t):
            continue
        parts = [p for p in re.split(r'[/-]', t) if p]
        if all(p in allowed or len(p) <= 1 or p.isdigit() for p in parts):
            continue
        bad.add(t)
    print('%s\t%s\t%s' % (n, what, ' '.join(sorted(bad))))
PY
while IFS='	' read -r _n _what _bad; do
	if [ -z "$_bad" ]; then pass "$_what: Chinese only"; else
		fail "$_what: Chinese only" "English: $_bad" \
			"$(sed 's/^/    /' "$W/screen.$_n")"; fi
done <"$W/english"
finish
