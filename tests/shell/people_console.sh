#!/bin/sh
# people_console.sh - the people on duty as a duty officer meets them in
# the console, at 80x24 in zh_CN.UTF-8 (and the status line in C with
# TERM=vt100), on a drill's clock: the status line says no shift covers
# now, then, when the drill's clock reaches the shift of a roster
# imported with `roster import`, names its leader and officers. At
# intake a caller the directory (`contact import`) knows by phone gets
# name and unit filled in; an unknown caller is said so, and c saves
# them as a contact, whom the next intake finds. Pane 8 lists the
# directory, the roster and the calls, logs a call and shows a person's
# page. No English word on a Chinese screen.
#
# Run from the repository root: sh tests/shell/people_console.sh
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
TAB=$(printf '\t')
LIVE=$W/live.db

# A drill that runs for hours, with nothing in it but its clock: 30
# times faster than the wall clock, a drill minute in two seconds.
cat >"$W/quiet.json" <<'EOF'
{"id": "quiet", "title": "值班人员演练", "hazard": "typhoon",
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
STARTED=$(date +%s)
tmux -S "$SOCK" new-session -d -s dd -x 80 -y 24 \
	"TERM=xterm-256color LANG=$ZH LC_ALL=$ZH DUTYDESK_BELL=off '$BIN' --db '$LIVE' --officer 钱立群 drill run '$W/quiet.json' --speed 30; echo CONSOLE-EXITED; sleep 60"
on_screen "the drill's console opens in Chinese" "演练" 10
DB=$(ls "$W"/drill-quiet-*.db 2>/dev/null | head -n 1)
if [ -z "$DB" ]; then
	fail "the drill's database is there" "files: $(ls "$W")"
	finish
fi
d() { "$BIN" --db "$DB" "$@"; }

# ---- the directory and the roster, from the shell ----
cat >"$W/people.csv" <<'EOF'
name,phones,unit,role,town,for
赵建华,13906760001,县应急管理局,county_leader,,
钱立群,13906760002,县应急管理局值班室,officer,,
孙海燕,13906760003;0576-85110003,县应急管理局值班室,officer,,
陈国平,13805861234,大田街道应急办,town_duty,datian,
EOF
expect_exit 0 "contact import" -- d contact import "$W/people.csv"
check "four ids printed" test "$(nlines "$OUT")" = 4
# The shift starts 4 to 5 drill minutes after the drill did (its clock
# runs from the moment it started, 30 times as fast), for an hour.
AT=$(( (STARTED / 60 + 5) * 60 ))
SDATE=$(TZ=$DUTYDESK_TZ date -d "@$AT" +%Y-%m-%d)
SSTART=$(TZ=$DUTYDESK_TZ date -d "@$AT" +%H:%M)
printf 'date,start,hours,leader,officer1,officer2\n%s,%s,1,赵建华,钱立群,孙海燕\n' \
	"$SDATE" "$SSTART" >"$W/roster.csv"
expect_exit 0 "roster import" -- d roster import "$W/roster.csv"

# ---- the status line on the drill's clock ----
on_screen "before the shift, the status line says no shift covers now" \
	"当前无排班" 5
on_screen "at its start the status line names leader and officers" \
	"带班 赵建华 值班 钱立群" 30
check "the status line fits 80 columns, the level and the link whole" \
	sh -c "tmux -S '$SOCK' capture-pane -p -t dd | head -n 1 | grep -q '未设服务器'"
check "the console's officer, rostered, is not said twice" \
	sh -c "! tmux -S '$SOCK' capture-pane -p -t dd | head -n 1 | grep -q '值班员 钱立群'"
# In C on a vt100, the live station with the same people and a shift
# from midnight: the names in pinyin, the line still 80 columns.
expect_exit 0 "the people in the live station too" -- \
	"$BIN" --db "$LIVE" contact import "$W/people.csv"
TODAY=$(TZ=$DUTYDESK_TZ date +%Y-%m-%d)
printf 'date,start,hours,leader,officer1,officer2\n%s,00:00,24,赵建华,钱立群,\n' \
	"$TODAY" >"$W/today.csv"
expect_exit 0 "its roster, today from midnight" -- \
	"$BIN" --db "$LIVE" roster import "$W/today.csv"
tmux -S "$SOCK" new-session -d -s c -x 80 -y 24 \
	"TERM=vt100 LANG=C LC_ALL=C DUTYDESK_BELL=off '$BIN' --db '$LIVE' --officer 钱立群; echo CONSOLE-EXITED; sleep 60"
cscreen() { tmux -S "$SOCK" capture-pane -p -t c 2>/dev/null; }
_i=0
while [ $_i -lt 50 ] && ! cscreen | head -n 1 | grep -q "leader Zhao"; do
	sleep 0.1
	_i=$((_i + 1))
done
cscreen | head -n 2 > "$W/c.top"
check "in C the status line names them in pinyin" \
	grep -q '| leader Zhao Jian Hua, on duty Qian Li Qun |' "$W/c.top"
check "in C the nine tabs fit 80 columns, every number shown" grep -qE \
	'^ 1 Incidents 2 [A-Za-z]+ 3 [A-Za-z]+ 4 [A-Za-z]+ 5 [A-Za-z]+ 6 [A-Za-z]+ 7 Log 8 [A-Za-z]+ 9 [A-Za-z]+$' "$W/c.top"
tmux -S "$SOCK" send-keys -t c 8 / "Zhao Jian" Enter
_i=0
while [ $_i -lt 30 ] && ! cscreen | grep -q "^linhai-"; do
	sleep 0.1
	_i=$((_i + 1))
done
check "in C the directory's names in pinyin, whole" \
	sh -c "tmux -S '$SOCK' capture-pane -p -t c | grep -q '^linhai-[0-9]* *Zhao Jian Hua *county leader'"
check "in C the pane shown keeps its whole title on the tabs" \
	sh -c "tmux -S '$SOCK' capture-pane -p -t c | sed -n 2p | grep -q ' 8 Persons '"
tmux -S "$SOCK" send-keys -t c q

# ---- intake: the caller found by phone ----
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
# intake TITLE PHONE [NAME [UNIT]]: a new incident in datian, from the
# title on to the caller's unit and name (as given, or left empty) and
# phone, then Tab out of the phone (LEAVE: another key).
LEAVE=Tab
intake() {
	keys 1 a
	keys -l datian
	keys Enter
	_s=$1
	_i=0
	while [ $_i -lt 13 ]; do _s="$_s$TAB"; _i=$((_i + 1)); done
	keys -l "$_s${4:-}$TAB${3:-}$TAB$2"
	keys "$LEAVE"
}
intake 大田村道路塌方 13805861234
on_screen "the form says whom the phone found" "通讯录中找到来电人：陈国平" 5
seen "the caller's name filled in" "来电人 +陈国平" 2
seen "the caller's unit filled in" "来电单位 +大田街道应急办" 2
look "the intake form, the caller found"
keys C-d
on_screen "saved" "已登记" 5
INC1=$(screen | sed -n 's/.*事件 \([a-z0-9]*-[0-9]*\) 已登记.*/\1/p' | tail -n 1)
run d export --json
check "the incident holds the caller's name and unit from the directory" \
	sh -c "python3 -c \"
import json; d={r['id']: r for r in json.load(open('$OUT'))['incidents']}
i=d['$INC1']; assert (i.get('caller_name'), i.get('caller_unit'), i.get('caller_phone')) == ('陈国平', '大田街道应急办', '13805861234'), i\""

# Saved straight from the phone's field: filled in all the same.
LEAVE=C-d intake 大田村第二次来电 13805861234
LEAVE=Tab
# saved_id: the id the bottom line says was just recorded.
saved_id() { screen | sed -n 's/.*事件 \([a-z0-9]*-[0-9]*\) 已登记.*/\1/p' | tail -n 1; }
_i=0
while [ $_i -lt 50 ] && { [ -z "$(saved_id)" ] || [ "$(saved_id)" = "$INC1" ]; }; do
	sleep 0.1
	_i=$((_i + 1))
done
INC2=$(saved_id)
check "saved from the phone's field" test -n "$INC2" -a "$INC2" != "$INC1"
run d export --json
check "the caller filled in on saving too" sh -c "python3 -c \"
import json; d={r['id']: r for r in json.load(open('$OUT'))['incidents']}
i=d['$INC2']; assert (i.get('caller_name'), i.get('caller_unit')) == ('陈国平', '大田街道应急办'), i\""

# What was typed stays: the directory fills only what is empty.
intake 涌泉海塘漫水 13805861234 林晓东
seen "a typed name kept" "来电人 +林晓东" 5
seen "the empty unit filled in" "来电单位 +大田街道应急办" 2
keys Escape

# An unknown caller: said so, and c saves them.
intake 桃渚渔港渔船走锚 13905762345 郑海波 桃渚镇海洋渔业办
on_screen "an unknown number is said so" "此号码不在通讯录中" 5
look "the intake form, an unknown caller"
keys C-d
on_screen "saved, and c offered" "按 c 将来电人存入通讯录" 5
keys c
on_screen "c opens the contact form" "新增联系人" 5
seen "with the caller's name" "姓名 +郑海波" 2
seen "phone" "电话.* +13905762345" 2
seen "and unit" "单位 +桃渚镇海洋渔业办" 2
seen "and the incident's town" "镇街 +datian +大田街道" 2
look "the contact form from c"
keys Tab Tab Tab Right
keys C-d
on_screen "the caller is in the directory" "郑海波 已存入通讯录" 5
run d contact find 13905762345 --json
check "the shell finds them by phone" grep -q "郑海波" "$OUT"
intake 桃渚渔港二次来电 13905762345
seen "the next intake finds them" "来电人 +郑海波" 5
keys Escape

# ---- pane 8: the directory, the roster, the calls ----
# A warning to datian names its duty officer, the caller of the first
# intake (its silent limit is 15 drill minutes: half a minute here).
expect_id "a red warning to datian" -- d warning issue --hazard typhoon \
	--color red --text 台风红色预警 --towns datian
WARN=$(cat "$OUT")
keys 8
on_screen "pane 8 is the directory" "姓名" 5
look "the directory"
keys '?'
look "the keys of pane 8"
keys Escape a
look "the contact form"
keys Escape
keys /
keys -l 陈国平
keys Enter
on_screen "filtered to the caller" "陈国平" 2
on_screen "the role in words" "镇街值班员" 2
keys Enter
on_screen "Enter shows the person's page" "联系人 " 5
seen "with the phone" "电话 +13805861234" 2
seen "and the warning that named them, in words" "$WARN 防台风 红色" 2
look "a person's page"
keys Escape
keys l
on_screen "l opens the call form to the person" "记录通话" 5
look "the call form"
keys C-d
on_screen "the call logged" "通话已记录" 5
keys v
on_screen "v shows the roster" "带班领导" 5
on_screen "the shift imported" "$SDATE $SSTART" 2
look "the roster"
keys Enter
on_screen "Enter on a shift shows its people" "班次 " 5
look "a shift's page"
keys Escape a
look "the shift form"
keys Escape
keys v
on_screen "v shows the calls" "已接通" 5
look "the calls"
keys Enter
on_screen "Enter on a call shows the person's page" "通话：1" 5
keys Escape

# ---- 叫应 with names: three towns warned, two answer, one is called back ----
cat >"$W/towns.csv" <<'EOF'
name,phones,unit,role,town,for
周立新,13906761001,上盘镇人民政府,town_leader,shangpan,
吴晓红,13906761002,上盘镇人民政府,town_duty,shangpan,
郑国强,13906762001;0576-85612001,桃渚镇人民政府,town_leader,taozhu,
王丽娟,13906762002,桃渚镇人民政府,town_duty,taozhu,
EOF
expect_exit 0 "the towns' leaders and duty officers" -- d contact import "$W/towns.csv"
ok_run "datian answers the first warning" -- d warning answer "$WARN" datian --who 陈国平
# A red warning's towns are silent after 5 drill minutes (10 s here). The
# warning and its answers are made on the console's ':' line, on the
# drill's clock (a shell command on the drill's database runs on the
# wall clock).
ok_run "the county sets silent.red to 5 minutes" -- d setting set silent.red 5
keys : "warning issue --hazard typhoon --color red --text 台风红色预警二 --towns datian,shangpan,taozhu" Enter
_i=0
while [ $_i -lt 50 ] && ! d warning list --json 2>/dev/null | grep -q 台风红色预警二; do
	sleep 0.1
	_i=$((_i + 1))
done
run d warning list --json
W3=$(python3 -c "import json; print(json.load(open('$OUT'))[-1]['id'])")
expect_json_array "warning list: each town's people, named when issued" -- \
	d warning list "$W3" --json
cp "$OUT" "$W/w3.json"
check "taozhu's leader and duty officer, with their phones" sh -c "python3 -c \"
import json; d=[r for r in json.load(open('$W/w3.json')) if r['town'] == 'taozhu']
assert [(r['name'], r['phone']) for r in d] == [('郑国强', '13906762001;0576-85612001'), ('王丽娟', '13906762002')], d\""
keys : "warning answer $W3 datian --who 陈国平" Enter
keys : "warning answer $W3 上盘 --who 周立新" Enter
keys 6
check "datian and shangpan answered, by name" sh -c "'$BIN' --db '$DB' warning \
	list '$W3' --json | python3 -c \"import json, sys
d={r['town']: r['answered_by'] for r in json.load(sys.stdin)}
assert d['datian'] == '陈国平' and d['shangpan'] == '周立新' and d['taozhu'] is None, d\""
check "before its limit, no alert for taozhu" \
	sh -c "! tmux -S '$SOCK' capture-pane -p -t dd | grep -q '桃渚 超时未叫应'"
on_screen "at its limit taozhu raises the silent-town alert" \
	"桃渚 超时未叫应预警 $W3" 20
look "the warnings pane, the alert"
keys b
on_screen "b: the call-back list" "回拨对象" 5
seen "taozhu on it, with whom to call" "$W3 +桃渚 +红色 .*郑国强, 王丽娟" 2
seen "and their phones, whole" "郑国强 .*13906762001;0576-85612001" 2
check "not the towns that answered" \
	sh -c "! tmux -S '$SOCK' capture-pane -p -t dd | grep -Eq '$W3 +(大田|上盘)'"
look "the call-back list"
keys c
on_screen "c: the call-back form to taozhu's people" "回拨 桃渚" 5
look "the call-back form"
keys C-d
_i=0
while [ $_i -lt 30 ] && ! d call list --warning "$W3" --json 2>/dev/null |
	grep -q 郑国强; do
	sleep 0.1
	_i=$((_i + 1))
done
run d call list --warning "$W3" --json
check "the call-back is in the call log, linked to the warning" sh -c "python3 -c \"
import json; d=json.load(open('$OUT'))
assert len(d) == 1 and d[0]['name'] == '郑国强' and d[0]['number'] == '13906762001' and d[0]['outcome'] == 'answered', d\""
seen "the list shows the call" "$W3 +桃渚 .*已接通" 5
keys r
on_screen "r: the answer form, taozhu" "登记叫应" 5
keys Tab
keys -l 郑国强
look "the answer form"
keys C-d
_i=0
while [ $_i -lt 30 ] && ! d warning list "$W3" --json 2>/dev/null |
	tr -d ' \n' | grep -q '"answered_by":"郑国强"'; do
	sleep 0.1
	_i=$((_i + 1))
done
run d warning list "$W3" --json
check "taozhu answered by 郑国强: every town of the warning answered" sh -c "python3 -c \"
import json; d=json.load(open('$OUT'))
assert all(r['answered_at'] for r in d), d
assert {r['answered_by'] for r in d if r['town'] == 'taozhu'} == {'郑国强'}, d\""
on_screen "the call-back list is empty again" "（无记录）" 5
keys b q

# ---- no English word on a Chinese screen ----
# What may show: ids of records, town codes (beside their names where a
# field takes them), key names, the station and the drill's speed.
d export --json >"$W/export.json"
python3 - "$W" <<'PY' >"$W/english"
import json, re, sys
w = sys.argv[1]
x = json.load(open(w + '/export.json', encoding='utf-8'))
allowed = {'linhai', 'x30', 'Tab', 'Esc', 'Enter', 'PgUp', 'PgDn', 'Home',
           'End', 'Up', 'Down', 'Left', 'Right', 'F1', 'F2', 'F3', 'F4', 'F5',
           'F6', 'F7', 'F8', 'F9', 'F10', 'F12', 'S-Tab'}
for k in ('towns', 'incidents', 'contacts', 'roster', 'calls'):
    allowed |= {r['id'] for r in x[k]}
for line in open(w + '/looks', encoding='utf-8'):
    n, what = line.rstrip('\n').split('\t', 1)
    screen = open('%s/screen.%s' % (w, n), encoding='utf-8').read()
    bad = set()
    for m in re.finditer(r'[A-Za-z0-9_./-]*[A-Za-z][A-Za-z0-9_./-]*', screen):
        t = m.group(0).strip('./-')
        if (t in allowed or len(t) <= 1 or re.fullmatch(r'[A-Z]-[a-z]', t)
                or re.fullmatch(r'[0-9]+[a-z]', t)):
            continue
        # An id cut where a form's border covers the list under it.
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
