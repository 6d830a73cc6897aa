#!/bin/sh
# typhoon.sh - a typhoon night at a county command station, worked from
# the console with keys alone, in zh_CN.UTF-8 at 80x24 (xterm-256color):
# three phone calls taken into the intake form with every field of the
# phone log (one town typed as its short name, one picked from the list by
# its pinyin, one typed as its code); a first report by phone and a
# written one; a team picked from the list and sent, then on its way and
# on scene; the typhoon response started at IV, raised to III, its whole
# checklist read through and three items ticked; tents issued; a shelter
# opened and filled over its capacity; an orange warning to three towns
# and two of them answering; a log entry and the shift handed over, its
# sheet printed. Each step is read back from the screen, and from the
# database through the shell's --json where that says more. The shell
# is used only to read.
#
# Run from the repository root: sh tests/shell/typhoon.sh
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
if ! have python3; then
	skip "python3 not installed (reads the checklist and the JSON)"
	finish
fi

SOCK=$W/tmux.sock
# shellcheck disable=SC2034 # lib.sh.inc's cleanup runs it
CLEANUP='tmux -S "$SOCK" kill-server 2>/dev/null'
DB=$W/station.db
d() { LANG=$ZH LC_ALL=$ZH "$BIN" --db "$DB" "$@"; }
# at MINUTES: the time that many minutes ago, as typed in a form.
at() { TZ=$DUTYDESK_TZ date -d "-$1 minutes" '+%Y-%m-%d %H:%M'; }
# utc TIME: a typed local time as the database keeps it.
utc() { date -u -d "@$(TZ=$DUTYDESK_TZ date -d "$1" +%s)" '+%Y-%m-%dT%H:%M:%SZ'; }
TAB=$(printf '\t')

# jcheck DESC PYEXPR -- CMD...: CMD prints JSON; PYEXPR, with j the parsed
# document, must be true.
jcheck() {
	_desc=$1 _expr=$2
	shift 2
	[ "${1:-}" = "--" ] && shift
	run "$@"
	if [ "$RC" = 0 ] && python3 -c "
import json, sys
j = json.load(open(sys.argv[1], encoding='utf-8'))
sys.exit(0 if ($_expr) else 1)" "$OUT" 2>>"$ERR"; then
		pass "$_desc"
	else
		fail "$_desc" "exit $RC; wanted: $_expr" "got: $(head -c 400 "$OUT")"
	fi
}
# seen DESC REGEX: a line of the screen matches (after what was waited
# for is there).
seen() {
	if screen | grep -Eq -- "$2"; then pass "$1"; else
		fail "$1" "wanted /$2/ on the screen"
		screen | sed 's/^/#   | /'
	fi
}
# wait_re REGEX [SECONDS]: until a line of the screen matches REGEX.
wait_re() {
	_i=0
	while [ $_i -lt $((${2:-5} * 10)) ]; do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
# last_id: the first id in the bottom line's message.
last_id() { screen | tail -n 1 | grep -Eo 'linhai-[0-9]+' | head -n 1; }
# page FILE: the record page from its first line to its last, read as it
# scrolls a page at a time (^F) until its frame says the last line shows.
page() {
	keys g
	: >"$1"
	_k=0
	while [ $_k -lt 10 ]; do
		screen >>"$1"
		screen | grep -q ' \([0-9]*\)-\([0-9]*\)/\2 -+$' && break
		keys C-f
		_k=$((_k + 1))
	done
}
# has FILE DESC REGEX: a line of FILE matches.
has() {
	if grep -Eq -- "$3" "$1"; then pass "$2"; else fail "$2" "wanted /$3/"; fi
}

ok_run "a county command station" -- d init --station linhai --role command
cat >"$W/print.sh" <<EOF
#!/bin/sh
cat >"$W/printed.txt"
EOF
chmod +x "$W/print.sh"

tmux -S "$SOCK" -f /dev/null new-session -d -s keep -x 20 -y 5 "sleep 600"
tmux -S "$SOCK" -f /dev/null new-session -d -s dd -x 80 -y 24 \
	"TERM=xterm-256color LANG=$ZH LC_ALL=$ZH DUTYDESK_BELL=off DUTYDESK_PRINT='$W/print.sh' '$BIN' --db '$DB' --officer 王磊; echo CONSOLE-EXITED; sleep 60"
on_screen "the console opens in Chinese, officer 王磊" "值班员 王磊" 10

# ---- 1. three calls taken ------------------------------------------------
# Each incident's fields after the town, in the form's order, one per
# line: title, place, kind, severity, received, cause, actions, trend,
# dead, injured, missing, trapped, evacuated, caller unit, caller name,
# caller phone, notified.
R1=$(at 20) R2=$(at 12) R3=$(at 5)
cat >"$W/inc1" <<EOF
大田村道路塌方
大田村后山
山体滑坡
2
$R1
连续强降雨
封闭道路疏散群众
持续扩大
1
2
3
4
150
大田街道办
陈国平
13805861234
市应急管理局
EOF
cat >"$W/inc2" <<EOF
涌泉海塘漫水
涌泉镇梅岙村
海塘漫溢
3
$R2
天文大潮叠加台风
沙袋加固海塘
趋于稳定
0
1
0
2
86
涌泉镇应急办
林晓东
0576-85123456
市水利局
EOF
cat >"$W/inc3" <<EOF
桃渚渔港渔船走锚
桃渚镇渔港
船只险情
1
$R3
台风大风
拖轮前往救援
风力加大
0
0
2
7
30
桃渚镇海洋渔业办
郑海波
13905762345
海事处
EOF
FIELDS="title place kind severity received_at cause actions trend dead injured missing trapped evacuated caller_unit caller_name caller_phone notified"
LABELS="标题 地点 类型 等级_1-4 接报时间 起因 处置措施 发展趋势 死亡 受伤 失踪 被困 转移 来电单位 来电人 来电号码 已告知"

# rest FILE: Tab out of the town, then the fields of FILE, a Tab between
# two, typed as they come; the form shows the last one when all are in.
rest() {
	_s=""
	while IFS= read -r _v; do _s="$_s$TAB$_v"; done <"$1"
	keys -l "$_s"
	wait_for "$(tail -n 1 "$1")" 5
}
# intake N TOWN-CODE: the form of incident N is filled; save it with ^D
# and keep its id in INC_N.
intake() {
	keys C-d
	if wait_for "已登记" 5; then
		eval "INC_$1=\$(last_id)"
		pass "call $1 is recorded: $(last_id)"
	else
		fail "call $1 is recorded" "bottom: $(screen | tail -n 1)"
		eval "INC_$1=none"
	fi
	_id=$(eval "echo \$INC_$1")
	_title=$(head -n 1 "$W/inc$1")
	seen "call $1 is a row of the incidents list" "^$_id +[0-9]+m .*已接报 .*$_title"
	# What the database holds, field by field.
	python3 - "$W/inc$1" "$2" "$(utc "$(sed -n 5p "$W/inc$1")")" "$FIELDS" \
		>"$W/expect$1" <<'EOF'
import json, sys
vals = open(sys.argv[1], encoding='utf-8').read().split('\n')
want = dict(zip(sys.argv[4].split(), vals))
want['town'] = sys.argv[2]
want['received_at'] = sys.argv[3]
for k in 'severity dead injured missing trapped evacuated'.split():
    want[k] = int(want[k])
want['recorder'] = '王磊'
print(json.dumps(want, ensure_ascii=False))
EOF
	jcheck "call $1: every field of the phone log is stored as typed" \
		"all(j.get(k) == v for k, v in json.load(open('$W/expect$1', encoding='utf-8')).items())" \
		-- d incident show "$_id" --json
}

keys a
on_screen "a opens the intake form (新事件接报)" "新事件接报"
# The town by its short name, 大田 for 大田街道.
keys -l 大田
on_screen "大田 typed: the list offers 大田街道" "datian 大田街道"
rest "$W/inc1"
seen "the short name stays as typed" "镇街      大田 "
intake 1 datian

# The town picked: a few letters of its pinyin, an arrow, Enter.
keys a
on_screen "the second call's form" "新事件接报"
keys -l yong
if wait_for "yongquan 涌泉镇" 3 && screen | grep -q "yongfeng 永丰镇" &&
	! screen | grep -q "taozhu "; then
	pass "'yong' narrows the list to 永丰镇 and 涌泉镇"
else
	fail "'yong' narrows the list to 永丰镇 and 涌泉镇"
	screen | sed 's/^/#   | /'
fi
keys Down
keys Enter
on_screen "Down and Enter take 涌泉镇 into the field" "镇街      yongquan  涌泉镇"
# Enter went on to the title: no Tab before it.
_s=""
while IFS= read -r _v; do _s="$_s$_v$TAB"; done <"$W/inc2"
keys -l "${_s%"$TAB"}"
wait_for "$(tail -n 1 "$W/inc2")" 5
intake 2 yongquan

# The town typed as its code.
keys a
on_screen "the third call's form" "新事件接报"
keys -l taozhu
on_screen "the code typed shows the list on 桃渚镇" "taozhu      桃渚镇"
rest "$W/inc3"
seen "the code is followed by its name once left" "镇街      taozhu  桃渚镇"
intake 3 taozhu

# Open the incident of the third call: filter on its title.
keys /
keys -l 桃渚渔港
keys Enter
on_screen "the filter leaves the third call" "筛选：桃渚渔港"
seen "its row is the one left" "^$INC_3 "

# ---- 2. reports upward ---------------------------------------------------
keys r
on_screen "r opens the report form" "信息报送"
seen "it offers a first report by phone" "报送类型  首报"
seen "by phone" "报送方式  电话"
seen "the text composed from the record, to edit" "内容 +接报时间："
keys Tab Tab
keys C-u
keys -l "电话首报：渔船走锚，7人被困，2人失踪"
keys C-d
on_screen "the confirmation says 首报 in words" "已记录首报（事件 "
on_screen "the phone column says sent (已报)" "已报   "
on_screen "the first report by phone is under the list" "首报/电话"
keys r
on_screen "the report form again" "信息报送"
keys Tab
keys Right
on_screen "after a first report it offers a follow-up (续报)" "报送类型  续报"
on_screen "Right chooses writing (书面)" "报送方式  书面"
keys Tab
keys C-u
keys -l "书面续报：拖轮已到达，正在施救"
keys C-d
on_screen "the written report is under the list" "首报/电话 续报/书面"
# A written report counts once the leader on duty signs it (签发): with
# no roster, a town leader of the directory.
seen "not yet signed: the written clock still runs" "^$INC_3 .*已报 +[0-9]+m "
ok_run "a town leader in the directory" -- d contact add --name 林国栋 \
	--phone 13800007777 --role town_leader --town taozhu
keys S
on_screen "S opens the sign-off form" "签发书面报告"
seen "it offers the leader" "签发人 +林国栋"
keys C-d
on_screen "signed" "已签发，视为已报送"
wait_re "^$INC_3 .*已报 +已报 " 3
seen "both reporting clocks say sent" "^$INC_3 .*已报 +已报 "
# p prints the latest report's sheet, and keeps a copy beside the
# database.
keys p
if wait_for "报告单已送打印" 5 && grep -q "续报一" "$W/printed.txt" &&
	grep -q "签发人：林国栋" "$W/printed.txt" &&
	cmp -s "$W/printed.txt" "$DB.report-$(d incident show "$INC_3" --json |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["reports"][-1]["id"])').txt"; then
	pass "p prints the signed follow-up's sheet through DUTYDESK_PRINT, a copy beside"
else
	fail "p prints the signed follow-up's sheet through DUTYDESK_PRINT, a copy beside" \
		"bottom: $(screen | tail -n 1)"
fi
rm -f "$W/printed.txt"
jcheck "the database holds both reports and both deadlines met" \
	"[(r['type'], r['channel']) for r in j['reports']] == [('first', 'phone'), ('followup', 'written')] and j['phone_done_at'] and j['written_done_at']" \
	-- d incident show "$INC_3" --json

# ---- 3. a team sent -------------------------------------------------------
keys d
on_screen "d opens the dispatch form" "派遣队伍"
keys -l linhaishihaishang
if wait_for "m58 临海市海上搜救二队" 3; then
	order=$(screen | sed -n 's/^.*|\(m5[78]\) .*/\1/p' | tr '\n' ' ')
	if [ "$order" = "m57 m58 " ]; then
		pass "the pinyin narrows to the sea rescue teams, 桃渚's own first"
	else
		fail "the pinyin narrows to the sea rescue teams, 桃渚's own first" \
			"order: $order"
	fi
else
	fail "the pinyin narrows to the sea rescue teams" "no m58 in the list"
fi
keys Down
keys Up
keys Enter
on_screen "Down, Up and Enter take m57" "队伍  m57  临海市海上搜救一队"
keys Enter
on_screen "a second Enter sends it" "队伍 m57 已派遣至 $INC_3"
on_screen "the team shows under the incident" "队伍:m57"

keys 3
on_screen "pane 3, the teams" "队伍          名称"
keys /
keys -l m57
keys Enter
on_screen "m57 dispatched to $INC_3" "已派出"
seen "its row" "^m57 +临海市海上搜救一队 +桃渚 +已派出 .*$INC_3"
keys s
on_screen "s offers the next step: on its way" "新状态  出发途中"
keys Enter
on_screen "the confirmation says the step in words" "队伍 m57：出发途中"
if wait_re "^m57 .*出发途中 .*$INC_3" 5 && screen | grep -Eq "出发 [0-9]{2}:[0-9]{2}"; then
	pass "m57 is on its way, with the time it set out"
else
	fail "m57 is on its way, with the time it set out"
	screen | sed 's/^/#   | /'
fi
keys s
on_screen "s offers the next step: on scene" "新状态  到达现场"
keys Enter
if wait_re "^m57 .*到达现场 .*$INC_3" 5 && screen | grep -Eq "到场 [0-9]{2}:[0-9]{2}"; then
	pass "m57 is on scene, with the time it got there"
else
	fail "m57 is on scene, with the time it got there"
	screen | sed 's/^/#   | /'
fi
jcheck "the dispatch holds both steps" \
	"len(j) == 1 and j[0]['team'] == 'm57' and j[0]['en_route_at'] and j[0]['on_scene_at']" \
	-- d dispatch list --incident "$INC_3" --json
keys /
keys Enter

# ---- 4. the typhoon response and its checklist --------------------------
keys 2
on_screen "pane 2, the response levels" "灾种"
keys G
on_screen "G selects 防台风, the last hazard" "-- 防台风 -"
keys s
on_screen "s opens the start form, at IV" "级别    IV"
keys Tab C-u
keys -l 张建国
keys C-d
on_screen "Level IV is in force: the status line" "响应 防台风 IV 0/8"
keys +
on_screen "+ opens the raise form, at III" "级别    III"
keys Tab C-u
keys -l 张建国
keys C-d
on_screen "raised to III: the status line" "响应 防台风 III 0/16"
seen "the row says III and who signed" "^typhoon +防台风 +III 0/16 .*张建国"

# The items of Level III, its own after those of IV, from the assets.
python3 - "$DUTYDESK_ASSETS/checklists/typhoon.json" >"$W/items" <<'EOF'
import json, sys
lv = json.load(open(sys.argv[1], encoding='utf-8'))['levels']
for level in ('IV', 'III'):
    for it in lv[level]:
        print(level, it['code'], ''.join(it['text'].split()))
EOF
NITEMS=$(nlines "$W/items")
keys c
on_screen "c takes the cursor into the checklist" "> [ ] IV  ty4-"
_k=0 _bad=""
while read -r _lv _code _text; do
	_k=$((_k + 1))
	[ $_k -gt 1 ] && keys Down
	if ! screen | grep -Eq "^> \[ \] +$_lv +$_code( |\$)"; then
		_bad="$_bad cursor-not-on-$_code"
	elif ! screen | tr -d ' \n' | grep -qF -- "$_text"; then
		_bad="$_bad text-of-$_code"
	fi
done <"$W/items"
if [ -z "$_bad" ] && [ $_k = 16 ]; then
	pass "the cursor walks all $_k items to the last, each one's text on the screen"
else
	fail "the cursor walks all 16 items, each one's text on the screen" \
		"items: $_k;$_bad"
	screen | sed 's/^/#   | /'
fi
keys Space
keys Up
keys Space
keys Up
keys Space
on_screen "three ticked: the row" "III 3/$NITEMS"
seen "the row of typhoon says III 3/$NITEMS" "^typhoon +防台风 +III 3/$NITEMS "
if screen | head -n 1 | grep -q "响应 防台风 III 3/$NITEMS"; then
	pass "the status line says 防台风 III 3/$NITEMS"
else
	fail "the status line says 防台风 III 3/$NITEMS" "line: $(screen | head -n 1)"
fi
seen "the three last items are ticked" "^  \[x\] III ty3-teams"
jcheck "the database holds typhoon at III, signed by 张建国" \
	"[(r['hazard'], r['level_name'], r['signed_by'], r['conflict']) for r in j] == [('typhoon', 'III', '张建国', False)]" \
	-- d response show --json
d response show typhoon >"$W/resp"
check "ty3-evac, ty3-teams and ty3-supply ticked, no other" sh -c \
	"[ \$(grep -c '^  \[x\]' '$W/resp') = 3 ] && grep -q '^  \[x\] ty3-evac' '$W/resp' &&
	 grep -q '^  \[x\] ty3-teams' '$W/resp' && grep -q '^  \[x\] ty3-supply' '$W/resp'"
keys Escape

# ---- 5. tents issued ------------------------------------------------------
TENTS=$(d supply list --item tent --depot d-taozhu --json |
	python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["qty"])')
keys 4
on_screen "pane 4, the stock" "品类"
keys i
on_screen "i opens the issue form" "物资出库"
keys C-u
keys -l 救灾
on_screen "救灾 offers the relief tent" "tent 救灾帐篷"
keys Enter
keys -l 桃渚
on_screen "桃渚 offers its depot" "d-taozhu 桃渚镇应急物资储备点"
keys Enter
keys -l 12
keys Tab
keys -l 运往高墩村安置点
seen "the form: tents from 桃渚's depot" "项目    tent  救灾帐篷"
keys C-d
on_screen "the issue is recorded" "出库 12"
keys /
keys -l 救灾帐篷
keys Enter
on_screen "the filter leaves the tents" "筛选：救灾帐篷"
seen "桃渚's tents went down by 12" "^tent +救灾帐篷 +桃渚镇储备点 +$((TENTS - 12)) "
jcheck "the database holds $((TENTS - 12)) tents at d-taozhu" \
	"j[0]['qty'] == $((TENTS - 12))" \
	-- d supply list --item tent --depot d-taozhu --json
keys /
keys Enter

# ---- 6. a shelter over its capacity ---------------------------------------
keys 5
on_screen "pane 5, the shelters" "容量"
keys /
keys -l 高墩村
keys Enter
on_screen "the filter leaves 高墩村" "筛选：高墩村"
seen "高墩村避灾安置点 is closed, 60 places" "^s202 +高墩村避灾安置点 +桃渚 +0 +60 关闭"
keys o
on_screen "o opens it" "安置点 s202 已开放"
seen "its row says open" "^s202 .* 0 +60 开放"
keys i
on_screen "i opens the check-in form" "登记入住"
keys -l 75
keys Enter
on_screen "75 checked in: over capacity by 15" "现有 75 人，超员 15 人"
seen "its row says over capacity (超员)" "^s202 .* 75 +60 超员"
jcheck "the database holds s202 open with 75" \
	"len(j) == 1 and j[0]['id'] == 's202' and j[0]['occupancy'] == 75" \
	-- d shelter list --open --json
keys /
keys Enter

# ---- 7. a warning and its answers ----------------------------------------
keys 6
on_screen "pane 6, the warnings" "已叫应"
keys a
on_screen "a opens the warning form, on typhoon" "灾种           typhoon  防台风"
keys Tab
keys Right
keys Right
on_screen "Right Right: orange" "颜色           橙色"
keys Tab
keys -l "台风橙色预警，请立即叫应"
keys Tab
keys -l 上盘
on_screen "上盘 offers 上盘镇" "shangpan 上盘镇"
keys Enter
keys -l ,桃渚
on_screen ",桃渚 offers 桃渚镇" "taozhu 桃渚镇"
keys Enter
keys -l ,杜桥
on_screen ",杜桥 offers 杜桥镇" "duqiao 杜桥镇"
keys Enter
on_screen "three towns in the field" "shangpan,taozhu,duqiao"
keys Enter
on_screen "a second Enter issues it" "已发布"
WARN=$(last_id)
seen "its row: orange, none of 3 answered" "^$WARN .*防台风 +橙色 +0/3 台风橙色预警"
seen "the board lists the three towns silent" "杜桥 +未应 +上盘 +未应 +桃渚 +未应"
keys r
on_screen "r opens the answer form" "登记叫应"
keys -l 上盘
keys Enter
keys -l 林晓东
keys Enter
on_screen "the confirmation names the town" "上盘镇 已叫应"
on_screen "上盘 answered: 1/3" "1/3 台风橙色预警"
keys r
on_screen "the answer form again" "登记叫应"
keys -l 桃渚
keys Enter
keys -l 郑海波
keys C-d
on_screen "桃渚 answered: 2/3" "2/3 台风橙色预警"
seen "the board: 上盘 and 桃渚 with their minutes, 杜桥 silent" \
	"杜桥 +未应 +上盘 +[0-9]+m +桃渚 +[0-9]+m"
jcheck "the database holds the two answers and who gave them" \
	"sorted(set((a['town'], a['answered_by']) for a in j if a['answered_at'])) == [('shangpan', '林晓东'), ('taozhu', '郑海波')] and len(set(a['town'] for a in j)) == 3" \
	-- d warning list "$WARN" --json

# ---- 8. the log and the handover -----------------------------------------
keys 7
on_screen "pane 7, the duty log" "值班员     内容"
keys a
on_screen "a opens the log form" "值班记事"
keys -l "23:10 台风中心距临海120公里，各镇街加强巡查"
keys Enter
on_screen "the entry is recorded" "已记录"
seen "its row, by 王磊" "记事 +王磊 +23:10 台风中心距临海120公里"
keys h
on_screen "h opens the handover form" "交接班"
keys -l 陈芳
keys Tab
keys -l 注意桃渚渔港和高墩村安置点超员
keys C-d
on_screen "handed over to 陈芳" "已交班给 陈芳"
HAND=$(last_id)
on_screen "the status line shows the incoming officer" "值班员 陈芳 |"
seen "the handover row" "交接班 +王磊 +交接班 王磊 → 陈芳"
jcheck "the database holds the log entry and the handover" \
	"[(e['kind'], e['officer'], e.get('to_officer')) for e in sorted(j, key=lambda e: int(e['id'].split('-')[1]))] == [('note', '王磊', None), ('handover', '王磊', '陈芳')]" \
	-- d log list --json
keys g
keys p
# The message says where the copy is, whole at 80 columns.
if wait_for "交接班记录已送打印" 5 && [ -s "$W/printed.txt" ] &&
   screen | tail -n 1 | grep -q "副本为数据库旁的 .*\.handover-.*\.txt"; then
	pass "p prints the sheet through DUTYDESK_PRINT"
else
	fail "p prints the sheet through DUTYDESK_PRINT" "bottom: $(screen | tail -n 1)"
fi
S=$W/printed.txt
check "the sheet names the incoming officer" grep -q "接班人： 陈芳" "$S"
check "the sheet names the outgoing officer" grep -q "交班人： 王磊" "$S"
check "the sheet holds three open incidents" grep -q "在办事件 (3)" "$S"
for i in 1 2 3; do
	_id=$(eval "echo \$INC_$i")
	check "the sheet holds $_id, $(head -n 1 "$W/inc$i")" \
		grep -Eq "^  $_id  .*$(head -n 1 "$W/inc$i")\$" "$S"
done
check "the sheet holds the level in force" grep -q "^  防台风 III" "$S"
_bad=""
while read -r _lv _code _text; do
	case $_code in
	ty3-evac | ty3-teams | ty3-supply)
		grep -q "\[ \] $_code " "$S" && _bad="$_bad ticked-$_code-listed" ;;
	*) grep -q "\[ \] $_code " "$S" || _bad="$_bad $_code-missing" ;;
	esac
done <"$W/items"
if [ -z "$_bad" ]; then
	pass "the sheet lists the $((NITEMS - 3)) items not ticked, not the three ticked"
else
	fail "the sheet lists the items not ticked, not the ticked" "$_bad"
fi
check "the sheet holds the open shelter" grep -q "s202  高墩村避灾安置点" "$S"
check "the sheet holds the team out" grep -Eq "^  m57  .*到达现场  $INC_3" "$S"
check "the sheet holds the town not answered" grep -Eq "^  $WARN +杜桥镇" "$S"
check "the copy beside the database is the sheet printed" \
	cmp -s "$S" "$DB.handover-$HAND.txt"

# ---- the record page of the third call -----------------------------------
keys 1
on_screen "pane 1, the incidents" "电话报"
keys /
keys -l 桃渚渔港
keys Enter
on_screen "the filter leaves the third call" "筛选：桃渚渔港"
keys Enter
on_screen "Enter opens its record page" "事件 $INC_3"
page "$W/page"
has "$W/page" "the page: 镇街, typed as its code, with its name" "^\| 镇街 +taozhu 桃渚镇 +\|"
# shellcheck disable=SC2086 # the labels are split on purpose
set -- $LABELS
_n=0
while IFS= read -r _v; do
	_n=$((_n + 1))
	_lab=$(printf '%s' "$1" | tr _ ' ')
	shift
	[ "$_n" = 5 ] && _v=$R3
	has "$W/page" "the page: $_lab" "^\| $_lab +$_v +\|"
done <"$W/inc3"
has "$W/page" "the page: the recorder" "^\| 记录人 +王磊 +\|"
has "$W/page" "the page: the first report by phone and its text" "首报  电话  记录人 王磊"
has "$W/page" "the page: the written report, numbered" "续报一  书面  记录人 王磊"
has "$W/page" "the page: who signed it" "签发人 林国栋，签发时间 "
has "$W/page" "the page: the report's text" "书面续报：拖轮已到达，正在施救"
has "$W/page" "the page: the dispatch and its team" "队伍 m57 临海市海上搜救一队"
has "$W/page" "the page: on its way at a time" "出发途中 +[0-9-]+ [0-9:]+"
has "$W/page" "the page: on scene at a time" "到达现场 +[0-9-]+ [0-9:]+"
keys Escape
off_screen "Esc closes the page" "事件 $INC_3"
keys q
on_screen "the console quits" "CONSOLE-EXITED"
finish
