#!/bin/sh
# board_console.sh - the town board as the command station's duty officer
# meets it, at 80x24 in zh_CN.UTF-8: after three towns report incidents
# (one of them with its reports late), their statistics (stats set) and
# huixi's request for tents and its risk points (REQ, RISK and MOVED on
# its row), pane 9 shows every town of the county at once under the
# status line, the town with the late report first and marked; Enter on it shows that town alone in every pane (the
# incidents pane lists its incidents only, the status line says which
# town and the key that clears it); * shows every town again. No English
# word on those screens. Then once in C on a vt100: the same in ASCII.
#
# Run from the repository root: sh tests/shell/board_console.sh
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
ago() { TZ=$DUTYDESK_TZ date -d "-$1 min" '+%Y-%m-%d %H:%M'; }

ok_run "a county command station" -- d init --station linhai --role command

# ---- three towns report ----
expect_id "datian: a report 90 minutes ago, none sent upward" -- d incident \
	add --town datian --title 山体滑坡 --received "$(ago 90)" --trapped 3
expect_id "gucheng: just now" -- d incident add --town gucheng --title 城区内涝 \
	--evacuated 20
expect_id "gucheng: another" -- d incident add --town gucheng --title 地下车库进水
expect_id "huixi: just now" -- d incident add --town huixi --title 树木倒伏
HX=$ID
ok_run "a shelter opens in gucheng" -- d shelter open s003
ok_run "people check in" -- d shelter checkin s003 20
expect_id "a team to huixi" -- d dispatch t-huixi "$HX"
expect_id "and a gucheng team" -- d dispatch m06 "$HX"
expect_id "a warning to the three" -- d warning issue --hazard typhoon \
	--color orange --text 台风橙色预警 --towns datian,gucheng,huixi
expect_id "gucheng answers it" -- d warning answer "$ID" gucheng

# ---- statistics and a request ----
ok_run "datian's statistics" -- d stats set datian --affected 300 --dead 0 \
	--missing 0 --relocated 45 --collapsed 2
ok_run "gucheng's" -- d stats set 古城 --affected 1200 --relocated 20 \
	--crop-ha 12.5 --loss 80
ok_run "huixi's" -- d stats set huixi --affected 60 --damaged 3
expect_id "huixi asks the county for tents for its incident" -- d request add \
	--town huixi --item tent --qty 20 --incident "$HX" --note 树木压塌民房
RQ=$ID
cat >"$W/risk.csv" <<'CSV'
code,name,kind,town,village,people,monitor,monitor_phone
HX-1,汇溪后山滑坡点,地质灾害,汇溪镇,后山村,20,项守山,13700003001
HX-2,汇溪溪坑山洪沟,山洪,汇溪镇,溪坑村,6,项守山,13700003001
CSV
ok_run "two huixi risk points" -- d risk import "$W/risk.csv"
expect_id "8 people moved out of one" -- d risk evacuate HX-1 8
ok_run "the other cleared" -- d risk clear HX-2
expect_json_array "the statistics of the day" -- d stats --json
json_flush
check "three towns' figures and the county total" python3 -c "import json,sys
$STATS_FOLD
s = stats(json.load(open(sys.argv[1])))
sys.exit(not ([t['town'] for t in s['towns']] == ['datian', 'gucheng', 'huixi']
	and s['total']['affected'] == 1560 and s['total']['relocated'] == 65 and
	s['total']['crop_ha'] == 125))" "$OUT"
expect_json_array "the open requests" -- d request list --open --json
json_flush
check "huixi's request open, asked for" python3 -c "import json,sys
r = json.load(open(sys.argv[1]))
sys.exit(not ([(x['id'], x['town'], x['state']) for x in r] ==
	[(sys.argv[2], 'huixi', 'requested')]))" "$OUT" "$RQ"

# ---- the console ----
tmux -S "$SOCK" new-session -d -s dd -x 80 -y 24 \
	"TERM=xterm-256color LANG=$ZH LC_ALL=$ZH DUTYDESK_BELL=off '$BIN' --db '$DB' --officer 钱立群; echo CONSOLE-EXITED; sleep 60"
on_screen "the console opens in Chinese" "事件" 10
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
keys 9
on_screen "pane 9 opens on the town board" "镇街态势" 5
on_screen "its heads" "镇街        事件 超时 亡伤失困" 5
look "the town board"
S=$W/screen.$NLOOK
check "the status line on top, the tabs, then the heads" sh -c \
	"sed -n 2p '$S' | grep -q '9 镇街态势' && sed -n 3p '$S' | grep -q '^镇街 '"
check "the town with the late report first, its counts" sh -c \
	"sed -n 4p '$S' | grep -Eq '^大田 +1 +1 0/0/0/3 +0 -'"
check "all nineteen towns on the screen at once" test "$(sed -n '4,24p' "$S" |
	grep -Ec '^(古城|大洋|江南|大田|邵家渡|汛桥|东塍|汇溪|小芝|河头|白水洋|括苍|永丰|上盘|桃渚|杜桥|涌泉|尤溪|沿江) ')" = 19
check "gucheng: two open, 20 moved, 20 in a shelter of 100" sh -c \
	"grep -Eq '^古城 +2 +0 - +20 20 20% +0 +0 ' '$S'"
check "huixi: two teams out at it, the warning not answered, its request" sh -c \
	"grep -Eq '^汇溪 +1 +0 - +0 - +2 +1 +1 1/2 +8/26 ' '$S'"
check "the late town first: no request of its own" sh -c \
	"sed -n 4p '$S' | grep -Eq '^大田 +1 +1 0/0/0/3 +0 - +0 +1 +0 '"
check "gucheng answered, no request" sh -c \
	"grep -Eq '^古城 +2 +0 - +20 20 20% +0 +0 +0 ' '$S'"
check "no other town with an open request" test "$(sed -n '4,24p' "$S" |
	grep -Ec ' [1-9][0-9]* +(-|[0-9]+/[0-9]+) +(-|[0-9]+/[0-9]+) +[^ ]+ *$')" = 1
check "never heard from: 从未" sh -c "sed -n 4p '$S' | grep -q '从未 *\$'"
# The late town stands out: bold, in colour.
tmux -S "$SOCK" capture-pane -p -e -t dd | sed -n 4p >"$W/attr"
check "the late town's row is bold" grep -q "$(printf '\033')\\[1m\\|$(printf '\033')\\[[0-9;]*;1[;m]" "$W/attr"

# ---- Enter: that town alone ----
keys Enter
on_screen "the status line names the town and the key that clears it" \
	"镇街: 大田 (* 清除)" 5
look "the board with the town filter"
keys 1
on_screen "the incidents pane" "山体滑坡" 5
look "the incidents of datian alone"
S=$W/screen.$NLOOK
check "only datian's incidents" sh -c "! grep -q '城区内涝\|地下车库进水\|树木倒伏' '$S'"
check "the filter still on the status line" sh -c "head -n 1 '$S' | grep -q '镇街: 大田'"
keys 3
on_screen "the teams pane" "队伍" 5
check "the teams of datian alone" sh -c \
	"! tmux -S '$SOCK' capture-pane -p -t dd | sed -n '4,23p' | grep -q 'huixi\|汇溪'"
keys 5
look "the shelters of datian alone"
S=$W/screen.$NLOOK
check "shelters: datian's" sh -c "grep -q '大田' '$S' && ! grep -q '古城' '$S'"
keys 6
on_screen "the warnings pane: the one that went to datian" "台风橙色预警" 5
keys 8
look "the directory of datian alone"
S=$W/screen.$NLOOK
check "the directory: datian's people" sh -c \
	"sed -n '4,23p' '$S' | grep -q '大田' && ! sed -n '4,23p' '$S' | grep -q '古城\|汇溪'"
keys 4
look "the supplies of datian's depot alone"
S=$W/screen.$NLOOK
check "supplies: datian's depot" sh -c \
	"grep -q '大田街道储备点' '$S' && ! grep -q '古城街道储备点' '$S'"

# ---- * clears it ----
keys '*'
on_screen "every town again" "已恢复显示全部镇街" 5
keys 1
on_screen "gucheng's incidents again" "城区内涝" 5
on_screen "huixi's too" "树木倒伏" 5
look "the incidents of every town"
check "the status line no longer names a town" sh -c \
	"! tmux -S '$SOCK' capture-pane -p -t dd | head -n 1 | grep -q '镇街:'"

# ---- another town, found on the board with / ----
keys 9 / huixi Enter
on_screen "the board narrowed to huixi" "汇溪" 5
keys Enter
on_screen "huixi alone" "镇街: 汇溪 (* 清除)" 5
keys 3
look "the teams of huixi and those sent to it"
S=$W/screen.$NLOOK
check "huixi's own team and the gucheng team sent to it, no other" sh -c \
	"grep -q '^t-huixi ' '$S' && grep -q '^m06 ' '$S' && ! grep -q '^t-gucheng \|^t-datian ' '$S'"
keys '*'
keys q

# ---- no English word on a Chinese screen ----
d export --json >"$W/export.json"
python3 - "$W" <<'PY' >"$W/english"
import json, re, sys
w = sys.argv[1]
x = json.load(open(w + '/export.json', encoding='utf-8'))
allowed = {'linhai', 'Tab', 'Enter', 'F1', 'F10', 'F12'}
for k in ('towns', 'incidents', 'shelters', 'contacts', 'supply_kinds',
          'depots', 'teams'):
    allowed |= {r['id'] for r in x[k]}
for line in open(w + '/looks', encoding='utf-8'):
    n, what = line.rstrip('\n').split('\t', 1)
    screen = open('%s/screen.%s' % (w, n), encoding='utf-8').read()
    bad = set()
    for m in re.finditer(r'[A-Za-z0-9_./-]*[A-Za-z][A-Za-z0-9_./-]*', screen):
        t = m.group(0).strip('./-')
        if (t in allowed or len(t) <= 1 or re.fullmatch(r'[0-9]+[a-z]', t)
                or re.fullmatch(r'[0-9]+h[0-9]+', t)):
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

# ---- in C on a vt100 ----
tmux -S "$SOCK" new-session -d -s c -x 80 -y 24 \
	"TERM=vt100 LANG=C LC_ALL=C DUTYDESK_BELL=off '$BIN' --db '$DB' --officer qian; echo CONSOLE-EXITED; sleep 60"
cscreen() { tmux -S "$SOCK" capture-pane -p -t c 2>/dev/null; }
cwait() {
	_i=0
	while [ $_i -lt 50 ]; do
		cscreen | grep -qF -- "$1" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
cwait "Incidents" || :
tmux -S "$SOCK" send-keys -t c 9
check "in C the board's heads" cwait "TOWN        OPEN LATE CASUALTY"
cscreen >"$W/c.board"
check "in C datian first, by its code" sh -c "sed -n 4p '$W/c.board' | grep -Eq '^datian +1 +1 '"
check "in C nineteen towns" test "$(sed -n '4,24p' "$W/c.board" | grep -Ec '^[a-z]+ +[0-9]+ +[0-9]+ ')" = 19
check "in C never heard: never" sh -c "sed -n 4p '$W/c.board' | grep -q 'never *\$'"
tmux -S "$SOCK" send-keys -t c Enter
check "in C the status line names the town" cwait "town: datian (* clears)"
tmux -S "$SOCK" send-keys -t c 1
cwait "Incidents" || :
sleep 0.3
check "in C only datian's incidents" sh -c \
	"tmux -S '$SOCK' capture-pane -p -t c | grep -q '^linhai-1 ' && ! tmux -S '$SOCK' capture-pane -p -t c | grep -q 'gucheng\|huixi'"
tmux -S "$SOCK" send-keys -t c '*'
sleep 0.3
check "in C * shows every town" sh -c \
	"tmux -S '$SOCK' capture-pane -p -t c | grep -q 'gucheng' && ! tmux -S '$SOCK' capture-pane -p -t c | head -n 1 | grep -q 'town:'"
tmux -S "$SOCK" send-keys -t c q

finish
