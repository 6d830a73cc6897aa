#!/bin/sh
# records.sh - the whole record, as a duty officer reads it: Enter on a
# row opens every field of it on a page that scrolls (an incident's phone
# log with its reports and dispatches, a log entry in full, a warning with
# its answers...), p prints it beside the database, and a ':' verb that
# writes more than a line shows all of it. And the '?' help of every pane
# fits 80 columns, no line cut. The real console in tmux at 80x24, in
# zh_CN.UTF-8 and in the C locale on a vt100.
set -u
BIN=${DUTYDESK_BIN:-$PWD/dutydesk}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac
export DUTYDESK_ASSETS=${DUTYDESK_ASSETS:-$PWD/assets}
export DUTYDESK_TZ=Asia/Shanghai
SRC=$PWD
for t in tmux python3; do
	if ! command -v $t >/dev/null; then
		echo "not ok 1 - $t is not installed"
		exit 1
	fi
done
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
keys() { T send-keys -t dd "$@"; sleep 0.2; }
dd() { "$BIN" --db "$db" --officer wang "$@"; }
console() {
	t=$1 l=$2
	shift 2
	T kill-session -t dd 2>/dev/null
	T -f /dev/null new-session -d -s dd -x 80 -y 24 \
		"TERM=$t LANG=$l LC_ALL=$l DUTYDESK_BELL=off '$BIN' --db '$db' --officer wang $*; echo CONSOLE-EXITED; sleep 60"
}
pick_locale() {
	if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then echo zh_CN.UTF-8; else echo C.UTF-8; fi
}
# page FILE: the page shown, from its first line to its last, into FILE
# (the screens as it scrolls down by ^F until its last line shows).
page() {
	keys g
	: >"$1"
	k=0
	while [ $k -lt 10 ]; do
		screen >>"$1"
		screen | grep -q ' \([0-9]*\)-\([0-9]*\)/\2 -+$' && break
		keys C-f
		k=$((k + 1))
	done
}
# has FILE REGEX DESC: a line of the page matches.
has() { if grep -q -- "$2" "$1"; then ok "$3"; else nok "$3 (wanted /$2/)"; fi; }

T -f /dev/null new-session -d -s keep -x 20 -y 5 "sleep 600"
db=$dir/station.db
dd init --station linhai --role command >/dev/null 2>&1 || { echo "not ok 1 - init"; exit 1; }
ZH=$(pick_locale)

# An incident with every field of the phone log, an upward report and a
# dispatch, all from the shell.
inc=$(dd incident add --town datian --title "Bridge washed out" \
	--place "Xiayang village" --kind flash_flood --severity 2 \
	--received "$(TZ=Asia/Shanghai date -d yesterday +%Y-%m-%d) 00:05" --cause "rainstorm overnight" \
	--actions "villagers moved uphill" --trend rising --dead 11 \
	--injured 12 --missing 13 --trapped 14 --evacuated 150 \
	--caller-unit "Datian office" --caller-name "Zhang San" \
	--caller-phone 13800001111 --notified "county water bureau" \
	--recorder "Li Si")
rep=$(dd incident report first "$inc" --channel phone \
	--text "first report by phone: the bridge at Xiayang is gone, two cars cut off, REPORT-TEXT-END")
disp=$(dd dispatch t-datian "$inc")
dd team status t-datian en_route
[ -n "$inc" ] && [ -n "$rep" ] && [ -n "$disp" ] || { echo "not ok 1 - setup"; exit 1; }

# --- the C locale on a vt100: English labels, ASCII ---
console vt100 C
check "vt100 in the C locale opens" "linhai"
keys Enter
check "Enter opens the incident's whole record" "Incident $inc"
page "$dir/inc.txt"
has "$dir/inc.txt" "Caller name  *Zhang San" "the caller's name"
has "$dir/inc.txt" "Caller phone  *13800001111" "the caller's phone"
has "$dir/inc.txt" "Caller unit  *Datian office" "the caller's unit"
has "$dir/inc.txt" "Notified  *county water bureau" "who was notified"
has "$dir/inc.txt" "Cause  *rainstorm overnight" "the cause"
has "$dir/inc.txt" "Actions  *villagers moved uphill" "the actions"
has "$dir/inc.txt" "Trend  *rising" "the trend"
has "$dir/inc.txt" "Severity 1-4  *2" "the severity"
has "$dir/inc.txt" "Kind  *flash_flood" "the kind"
has "$dir/inc.txt" "Place  *Xiayang village" "the place"
has "$dir/inc.txt" "Received  *[0-9-]* 00:05" "when it was received, in local time"
has "$dir/inc.txt" "Dead  *11 " "the dead"
has "$dir/inc.txt" "Injured  *12 " "the injured"
has "$dir/inc.txt" "Missing  *13 " "the missing"
has "$dir/inc.txt" "Trapped  *14 " "the trapped"
has "$dir/inc.txt" "Evacuated  *150 " "the evacuated"
has "$dir/inc.txt" "Recorder  *Li Si" "the recorder"
has "$dir/inc.txt" "Town  *datian Datian Jiedao" "the town, by code and name"
has "$dir/inc.txt" "first  phone  recorded by wang  ($rep)" "the upward report, its type and channel"
has "$dir/inc.txt" "REPORT-TEXT-END" "the report's text to its end"
has "$dir/inc.txt" "$disp  team t-datian" "the dispatch"
has "$dir/inc.txt" "dispatched  *[0-9-]* [0-9:]*" "the dispatch's time"
has "$dir/inc.txt" "en route  *[0-9-]* [0-9:]*" "the team's steps with their times"
has "$dir/inc.txt" "p: print to a file" "the page says p prints it"
# Nothing on the page runs into its right border.
if grep '^| ' "$dir/inc.txt" | grep -q '[^ ] |$'; then nok "no line of the page is cut"; else
	ok "no line of the page is cut"; fi
keys p
check "p writes the record beside the database and says where" "written to $(basename "$db").record-$inc.txt beside the database"
if grep -q "Caller phone  *13800001111" "$db.record-$inc.txt" &&
	grep -q "REPORT-TEXT-END" "$db.record-$inc.txt"; then
	ok "the printed record holds every field"
else
	nok "the printed record holds every field"
fi
keys Escape
if wait_for "Incident $inc" 1; then nok "Esc closes the page"; else ok "Esc closes the page"; fi

# A long log entry (a drill's message, say) is read whole.
long="DRILL MESSAGE:"
for w in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	long="$long typhoon landfall expected, move people out of the danger zones"
done
dd log add "$long LOG-TEXT-END" >/dev/null
keys 7
wait_for "DRILL MESSAGE"
keys g
keys Enter
check "Enter opens a log entry" "Log entry"
page "$dir/log.txt"
has "$dir/log.txt" "DRILL MESSAGE: typhoon" "the entry's first words"
has "$dir/log.txt" "LOG-TEXT-END" "and its last: the entry whole"
keys q
if wait_for "Log entry" 1; then nok "q closes the page"; else ok "q closes the page"; fi

# A ':' verb that prints more than a line shows all of it.
for t in one two three four five; do dd incident add --town duqiao --title "list row $t" >/dev/null; done
keys : "incident list" Enter
check "':incident list' opens a page" ":incident list"
page "$dir/list.txt"
all=1
for t in one two three four five; do grep -q "list row $t" "$dir/list.txt" || all=0; done
grep -q "Bridge washed out" "$dir/list.txt" || all=0
if [ $all = 1 ]; then ok "every row of the list is on the page"; else nok "every row of the list is on the page"; fi
keys Escape
keys : "incident show $inc" Enter
page "$dir/show.txt"
has "$dir/show.txt" "Caller phone  *13800001111" "':incident show' shows every field"
has "$dir/show.txt" "$disp  team" "and the dispatch at its end"
keys Escape
# One line stays on the message line.
keys : "log add one more line" Enter
if wait_for "Up/Down" 1; then nok "a verb that prints one line opens no page"; else
	ok "a verb that prints one line opens no page"; fi

# The other panes: a team with its dispatch, a shelter's manager, a
# warning's answers, a response with its checklist, a depot's stock.
keys 3
keys / t-datian Enter
keys Enter
page "$dir/team.txt"
has "$dir/team.txt" "Dispatch  *$disp" "a team shows its current dispatch"
has "$dir/team.txt" "Title  *Bridge washed out" "and the incident it went to"
keys q / "" Enter
keys 5
keys Enter
page "$dir/shelter.txt"
has "$dir/shelter.txt" "Manager  " "a shelter shows its manager"
has "$dir/shelter.txt" "Address  " "and its address"
keys q
w=$(dd warning issue --hazard typhoon --color orange --text "orange typhoon warning" --towns datian,duqiao)
dd warning answer "$w" datian --who "Town head Chen" >/dev/null
keys 6
wait_for "orange typhoon"
keys g
keys Enter
page "$dir/warn.txt"
has "$dir/warn.txt" "by Town head Chen, after" "a warning shows each town's answer and when"
has "$dir/warn.txt" "NOT ANSWERED" "and the towns that have not answered"
keys q
dd response start typhoon IV >/dev/null
keys 2
wait_for "level typhoon IV"
keys / typhoon Enter
keys G
keys Enter
page "$dir/resp.txt"
has "$dir/resp.txt" "Signed by  *wang" "a response shows who signed"
has "$dir/resp.txt" "Checklist of level IV" "and its checklist"
keys q / "" Enter
keys 4
keys Enter
page "$dir/supply.txt"
has "$dir/supply.txt" "d-city  *630" "a kind's total row shows what each depot holds"
keys q Down Enter
page "$dir/supply.txt"
has "$dir/supply.txt" "Depot name  " "a supply row shows its depot"
keys q

# The help of every pane fits 80 columns: each key's text whole, wrapped
# under itself where it is long.
cat >"$dir/help.py" <<'EOF'
# help.py SRC LANG: read the help overlay from stdin; print the texts of
# its keys that are not a whole help text of the console.
import re, sys, unicodedata
src, lang = sys.argv[1], sys.argv[2]
helps = re.findall(r'R\(\w+,\s*N_\("([^"]*)"\)\)', open(src + '/tui/console.h').read())
if lang != 'C':
    po = open(src + '/assets/po/zh_CN.po', encoding='utf-8').read()
    tr = dict(re.findall(r'\nmsgid "(.*)"\nmsgstr "(.*)"\n', po))
    helps = [tr.get(h) or h for h in helps]
def cells(line):
    out = []
    for ch in line:
        out.append(ch)
        if unicodedata.east_asian_width(ch) in 'WF':
            out.append('')
    return out
rows = sys.stdin.read().split('\n')[2:22]
cw = (80 - 6) // 2
found = 0
for x in (2, 2 + cw + 2):
    entries = []
    for r in rows:
        c = cells(r)
        text = ''.join(c[x:x + cw]).rstrip()
        if not text.strip():
            continue
        if text[0] != ' ':
            key, _, desc = text.partition(' ')
            entries.append(desc.strip())
        elif entries:
            more = text.strip()
            sep = ' ' if entries[-1][-1:].isascii() and more[:1].isascii() else ''
            entries[-1] += sep + more
    for e in entries:
        found += 1
        if e not in helps:
            print('cut or unknown: ' + repr(e))
if found < 25:
    print('only %d keys shown' % found)
EOF
help_check() {
	bad=""
	for p in 1 2 3 4 5 6 7; do
		keys $p
		keys '?'
		wait_for "+- " 2
		out=$(screen | python3 "$dir/help.py" "$SRC" "$1")
		[ -n "$out" ] && bad="$bad pane $p: $out;"
		keys x
	done
	if [ -z "$bad" ]; then ok "$2"; else nok "$2:$bad"; fi
}
help_check C "the help of all 7 panes fits 80 columns in the C locale"
keys q
check "vt100 quits" "CONSOLE-EXITED"

# --- zh_CN.UTF-8: Chinese labels and text ---
console xterm-256color "$ZH"
check "the console opens in Chinese" "linhai"
keys 1
keys g
keys Enter
check "Enter opens the incident in Chinese" "$inc"
page "$dir/zh.txt"
has "$dir/zh.txt" "来电号码  *13800001111" "the caller's phone, labelled in Chinese"
has "$dir/zh.txt" "来电人  *Zhang San" "the caller's name, labelled in Chinese"
has "$dir/zh.txt" "已告知  *county water bureau" "who was notified, labelled in Chinese"
has "$dir/zh.txt" "REPORT-TEXT-END" "the report's text to its end"
has "$dir/zh.txt" "$disp" "the dispatch"
has "$dir/zh.txt" "p：打印到文件" "the page's keys in Chinese"
keys Escape
dd log add "演练消息：$(printf '台风即将登陆，请各镇立即组织危险区域人员转移；%.0s' 1 2 3 4 5 6 7 8)中文结束" >/dev/null
keys 7
wait_for "演练消息"
keys g
keys Enter
page "$dir/zhlog.txt"
has "$dir/zhlog.txt" "演练消息：台风" "a Chinese log entry's first words"
has "$dir/zhlog.txt" "中文结束" "and its last: wrapped, not cut"
keys q
help_check zh "the help of all 7 panes fits 80 columns in Chinese"
keys q

echo "# $n checks, $fails failed"
if [ $fails -gt 0 ]; then exit 1; fi
exit 0
