#!/bin/sh
# requests_console.sh - requests between levels as the county's duty
# officer meets them in pane 9, at 80x24 in zh_CN.UTF-8, on a drill's
# clock (30 times as fast): a request left unanswered past request.alert
# rings the bell and says so once; y approves from a depot, s sends (the
# depot issues), r receives into the town's depot, n refuses with a
# reason, a asks for a town; Enter shows a request with its steps. No
# English word on a Chinese screen; in C on a vt100 the same list in
# codes that can be typed back.
#
# Run from the repository root: sh tests/shell/requests_console.sh
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
LIVE=$W/live.db

cat >"$W/quiet.json" <<'EOF'
{"id": "quiet", "title": "支援请求演练", "hazard": "typhoon",
 "injects": [
  {"id": "late", "at_min": 600, "kind": "incident", "fields":
   {"town": "datian", "title": "晚间巡查", "severity": 4}}
 ],
 "expect": [
  {"id": "iv", "title": "启动IV级", "within_min": 700,
   "match": {"kind": "response.decide"}}
 ]
}
EOF
ok_run "a command station" -- "$BIN" --db "$LIVE" init --station linhai \
	--role command
tmux -S "$SOCK" new-session -d -s dd -x 80 -y 24 \
	"TERM=xterm-256color LANG=$ZH LC_ALL=$ZH DUTYDESK_BELL=off '$BIN' --db '$LIVE' --officer 钱立群 drill run '$W/quiet.json' --speed 30; echo CONSOLE-EXITED; sleep 60"
on_screen "the drill's console opens in Chinese" "演练" 10
DB=$(ls "$W"/drill-quiet-*.db 2>/dev/null | head -n 1)
if [ -z "$DB" ]; then
	fail "the drill's database is there" "files: $(ls "$W")"
	finish
fi
d() { "$BIN" --db "$DB" "$@"; }
field() { python3 -c "import json,sys; d=json.load(open('$OUT')); print($1)"; }

# look WHAT: keep the screen as it settles, for the check at the end
# that no English word is on it.
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
# seen DESC REGEX [SECONDS]: a line of the screen matches REGEX.
seen() {
	_i=0
	while [ $_i -lt $((${3:-5} * 10)) ]; do
		screen | grep -Eq -- "$2" && { pass "$1"; return 0; }
		sleep 0.1
		_i=$((_i + 1))
	done
	fail "$1" "wanted /$2/ on the screen" "$(screen | sed 's/^/    /')"
}

# ---- two towns ask (from the shell, on the wall clock: behind the
# drill's, so they are minutes old at once) ----
# The console takes what is late already as it starts (its first tick,
# a second in) without ringing: the requests come after that.
sleep 1.5
ok_run "request.alert at 1 minute" -- d setting set request.alert 1
expect_id "an incident at datian" -- d incident add --town datian \
	--title 山体滑坡 --severity 3
INC=$ID
expect_id "datian asks for 5 tents" -- d request add --town datian \
	--item tent --qty 5 --incident "$INC"
R1=$ID
on_screen "the county is told once the request goes unanswered" \
	"请求 $R1" 20
check "the message says where to look" sh -c \
	"tmux -S '$SOCK' capture-pane -p -t dd | tail -n 1 | grep -q '见第9页'"
look "the alert"
keys x
on_screen "x marks it seen" "提醒已阅" 5
expect_id "gucheng asks for a fire team" -- d request add --town gucheng \
	--team-kind fire --note 急需
R2=$ID
on_screen "the second request is called out on its own" "请求 $R2" 20
keys x
sleep 3
check "neither is called out again" sh -c \
	"! tmux -S '$SOCK' capture-pane -p -t dd | tail -n 1 | grep -q '未答复'"

# ---- pane 9 ----
keys 9 v v
on_screen "pane 9 lists the requests (its third list)" "支援请求" 5
seen "datian's, late, oldest open on top" "^$R1 +大田 +救灾帐篷 x5 +$INC +待审批!" 5
seen "gucheng's team" "^$R2 +古城 +专职消防队 +待审批!" 5
look "the requests"
keys y
on_screen "y opens the approval of supplies" "批准请求" 5
look "the approval form"
keys d-city Enter
keys Enter
on_screen "approved" "已批准（" 5
seen "the row says approved" "^$R1 .*已批准 " 5
keys s
on_screen "s sends: the depot issues" "已发出（" 5
keys r
on_screen "r opens the receipt, into datian's depot" "d-datian" 5
look "the receipt form"
keys Enter
on_screen "received" "已签收（" 5
run d request list --json
check "datian's is received" field \
	"'ok' if [r['state'] for r in d if r['id'] == '$R1'] == ['received'] else 1/0"
run d supply list --item tent --depot d-datian --json
check "datian's depot holds 5 more tents than the seed's" field \
	"'ok' if d[0]['qty'] >= 5 else 1/0"
keys g
seen "the open one on top now" "^$R2 " 5
keys n
on_screen "n asks why" "驳回请求" 5
keys 县队已派完 Enter
on_screen "refused" "已驳回（" 5
keys G
seen "the received one is last, newest done first" "^$R1 .*已签收" 5
keys Enter
on_screen "Enter shows the request" "请求 $R1" 5
seen "with its steps: approved from the city depot" "^\| 已批准 .* x5 d-city" 5
seen "sent" "^\| 已发出 " 5
seen "received into datian's" "^\| 已签收 .* d-datian" 5
look "the request's page"
keys Escape

# ---- a new request made at the county for a town ----
keys a
on_screen "a opens the request form with the town" "向县请求支援" 5
look "the request form"
keys gucheng Enter
keys tent Enter
# Tab passes over the team kind, Enter over the incident left empty
# (nothing typed, no arrow: it stays empty).
keys 3 Enter Tab Enter
keys 帐篷不够 Enter
on_screen "made" "已报县指挥中心" 5
run d request list --town gucheng --json
check "gucheng has two requests, the new one for 3 tents" field \
	"'ok' if [(r['item'], r['qty'], r['incident'], r['note']) for r in d] == \
[(None, None, None, '急需'), ('tent', 3, None, '帐篷不够')] else 1/0"
look "the list at the end"
keys q

# ---- in C on a vt100: codes that can be typed back ----
tmux -S "$SOCK" new-session -d -s c -x 80 -y 24 \
	"TERM=vt100 LANG=C LC_ALL=C DUTYDESK_BELL=off '$BIN' --db '$DB' --officer qian; echo CONSOLE-EXITED; sleep 60"
cscreen() { tmux -S "$SOCK" capture-pane -p -t c 2>/dev/null; }
_i=0
while [ $_i -lt 50 ] && ! cscreen | grep -q "^ 1 Incidents"; do
	sleep 0.2
	_i=$((_i + 1))
done
tmux -S "$SOCK" send-keys -t c 9 v v
_i=0
while [ $_i -lt 25 ] && ! cscreen | grep -q "9 Request"; do
	sleep 0.2
	_i=$((_i + 1))
done
sleep 0.5
cscreen >"$W/c.screen"
check "in C the tabs fit 80 columns, pane 9 whole" grep -q '9 Request' "$W/c.screen"
check "in C the request in codes: town, item and its quantity" \
	grep -Eq "^$R1 +datian +tent x5 +$INC +received" "$W/c.screen"
check "in C the team kind as typed" grep -Eq "^$R2 +gucheng +fire .*refused" \
	"$W/c.screen"
tmux -S "$SOCK" send-keys -t c q

# ---- no English word on a Chinese screen ----
# What may show: ids of records, codes of depots and towns, key names.
d export --json >"$W/export.json"
python3 - "$W" <<'PY' >"$W/english"
import json, re, sys
w = sys.argv[1]
x = json.load(open(w + '/export.json', encoding='utf-8'))
allowed = {'linhai', 'x30', 'x5', 'x3', 'Tab', 'Esc', 'Enter', 'PgUp', 'PgDn',
           'Home', 'End', 'Up', 'Down', 'Left', 'Right', 'F1', 'F2', 'F3',
           'F4', 'F5', 'F6', 'F7', 'F8', 'F9', 'F10', 'F12', 'S-Tab', 'qian', 'tester'}
for k in ('towns', 'incidents', 'depots', 'teams', 'requests', 'dispatches'):
    allowed |= {r['id'] for r in x[k]}
for r in x['requests']:
    for s in r['steps']:
        allowed.add(s['id'])
        if s.get('ref'):
            allowed |= set(s['ref'].split())
for line in open(w + '/looks', encoding='utf-8'):
    n, what = line.rstrip('\n').split('\t', 1)
    screen = open('%s/screen.%s' % (w, n), encoding='utf-8').read()
    bad = set()
    for m in re.finditer(r'[A-Za-z0-9_./-]*[A-Za-z][A-Za-z0-9_./-]*', screen):
        t = m.group(0).strip('./-')
        if (t in allowed or len(t) <= 1 or re.fullmatch(r'[A-Z]-[a-z]', t)
                or re.fullmatch(r'[0-9]+[a-z]', t)):
            continue
        if screen[m.end():m.end() + 1] in ('|', '+') and any(
                a.startswith(t) for a in allowed):
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
