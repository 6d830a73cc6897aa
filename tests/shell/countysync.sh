#!/bin/sh
# countysync.sh - the county picture converging, all of it at once,
# through a real dutydeskd on loopback. The command station linhai, its
# stand-by beiyong (a second command console: a request's concurrent
# approval and refusal needs two deciders) and the towns datian and
# gucheng set up risk points, leaders, incidents with written reports and
# requests, then work offline: the towns set their disaster statistics
# for one day, linhai approves and beiyong refuses the same request, each
# town's leader signs its report while the county signs it too, and all
# three move people out of the same risk point. Synced in one order, the
# four stations and the server export byte for byte the same, with the
# same county total on each (the sum of the towns' figures), the request
# in conflict everywhere, the point's people moved the sum of the three
# evacuations, each report signed at its earliest signing, and the same
# board. A second offline round (the county corrects figures the towns
# reported with --reason while a town sets the same figure later, a
# request settled and sent while another is decided both ways, the
# follow-ups signed twice, more moves and a point cleared twice), synced
# in another order, ends the same way.
#
# The verbs' own details are tried by stats.sh, requestsync.sh,
# reportsync.sh and risksync.sh; this is their combined scenario.
#
# Run from the repository root: sh tests/shell/countysync.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

if ! have python3; then
	skip "python3 not installed"
	finish
fi
need_dutydeskd
CLEANUP='stop_server'

STATIONS="linhai beiyong datian gucheng"
l() { "$BIN" --db "$W/linhai.db" "$@"; }
b() { "$BIN" --db "$W/beiyong.db" "$@"; }
d() { "$BIN" --db "$W/datian.db" "$@"; }
g() { "$BIN" --db "$W/gucheng.db" "$@"; }
ago() { TZ=$DUTYDESK_TZ date -d "$1 minutes ago" '+%Y-%m-%d %H:%M'; }
iso() { TZ=$DUTYDESK_TZ date -u -d "$(TZ=$DUTYDESK_TZ date -d "$1" '+%Y-%m-%d %H:%M %z')" '+%Y-%m-%dT%H:%M:%SZ'; }
DAY=2026-11-28

sync_all() {
	for s in "$@"; do
		run "$BIN" --db "$W/$s.db" sync --timeout 10
		[ "$RC" = 0 ] || { fail "sync $s" "exit $RC: $(cat "$ERR")"; return 1; }
	done
}
# same VERB...: `dutydesk VERB... --json` on every station (and `export`
# of the server too) into $W/o.STATION; all byte for byte the same.
same() {
	for s in $STATIONS; do
		"$BIN" --db "$W/$s.db" "$@" >"$W/o.$s" 2>"$ERR" || return 1
	done
	if [ "$1" = export ]; then
		"$DBIN" --db "$SDB" "$@" >"$W/o.server" 2>"$ERR" || return 1
		cmp -s "$W/o.linhai" "$W/o.server" || return 1
	fi
	for s in $STATIONS; do
		cmp -s "$W/o.linhai" "$W/o.$s" || return 1
	done
}
# same_but KEY VERB...: the same, but KEY of each object of the JSON
# array printed, a figure of the moment the command ran (a request's
# age in seconds).
same_but() {
	_k=$1
	shift
	same "$@" && return 0
	python3 -c "import json
docs = [json.load(open('$W/o.' + s, encoding='utf-8')) for s in '$STATIONS'.split()]
for d in docs:
    for o in d:
        o.pop('$_k', None)
assert all(d == docs[0] for d in docs), docs"
}
# each CODE: python3 on the JSON each station printed for the last same()
# (d, the document; s, its station); exit 1 when an assert fails.
each() {
	python3 -c "import json
$STATS_FOLD
for s in '$STATIONS'.split():
    d = json.load(open('$W/o.' + s, encoding='utf-8'))
$1"
}

# checks WHEN: what every round ends with; the expectations are in the
# shell variables set before it.
checks() {
	check "$1: the four stations and the server export the same bytes" \
		same export --json
	check "$1: the same stats --json on each" same stats --date $DAY --json
	check "$1: the county total is the sum of the towns' winning figures" each "
    d = stats(d)
    t = d['total']
    assert (t['affected'], t['dead'], t['missing'], t['relocated']) == ($TOTAL), (s, t)
    assert (t['collapsed'], t['loss'], t['towns']) == ($TOTAL2), (s, t)
    assert sum(r.get('relocated') or 0 for r in d['towns']) == t['relocated'], (s, d)"
	check "$1: the same conflict list on each" same conflict list --json
	check "$1: every station lists the request conflicts" each "
    got = sorted(c['id'] for c in d if c['kind'] == 'request')
    assert got == sorted('request:' + r for r in '$CONFLICTS'.split()), (s, got)"
	check "$1: the same request list on each (but each one's age)" \
		same_but age_secs request list --json
	check "$1: the requests' states everywhere" each "
    got = {r['id']: r['state'] for r in d}
    assert got == $STATES, (s, got)"
	check "$1: the same risk list on each" same risk list --json
	check "$1: the people moved are the sum of every station's moves" each "
    r = {x['id']: x for x in d}
    assert (r['LH-DT-001']['moved'], r['LH-GC-001']['moved']) == ($MOVED), (s, r)
    assert bool(r['LH-GC-001']['cleared']) == $CLEARED, (s, r['LH-GC-001'])"
	for inc in "$DINC" "$GINC"; do
		check "$1: the same incident $inc on each" same incident show "$inc" --json
	done
	for s in $STATIONS; do
		"$BIN" --db "$W/$s.db" incident show "$DINC" --json >"$W/i.d.$s" 2>/dev/null
		"$BIN" --db "$W/$s.db" incident show "$GINC" --json >"$W/i.g.$s" 2>/dev/null
	done
	check "$1: each report counts from its earliest signing, everywhere" python3 -c "
import json
want = $SIGNED
for s in '$STATIONS'.split():
    for t in 'dg':
        j = json.load(open('$W/i.%s.%s' % (t, s), encoding='utf-8'))
        for r in j['reports']:
            if r['id'] in want:
                assert (r['signed_at'], r['signed_name']) == want[r['id']], (s, r)
"
	check "$1: the same board on each" same board --json
	check "$1: the board counts the towns' open requests and moves" each "
    r = {x['town']: x for x in d}
    assert r['datian']['requests'] == $DREQS and r['gucheng']['requests'] == $GREQS, (s, r['datian'], r['gucheng'])
    assert (r['datian']['risk_moved'], r['gucheng']['risk_moved']) == ($MOVED), (s, r['datian'], r['gucheng'])
    assert r['gucheng']['risk_cleared'] == int($CLEARED) and r['datian']['risk_points'] == 2, (s, r['gucheng'])"
}

keys_for linhai datian gucheng
"$DBIN" keygen beiyong --role command --keys "$W/keys" >"$W/key.beiyong" 2>"$ERR"
SDB=$W/server.db
server_up "$SDB"
ok_run "linhai, the command station" -- l init --station linhai --role command \
	--server "$SRV" --pin "$PIN" --key "$(cat "$W/key.linhai")"
ok_run "beiyong, its stand-by" -- b init --station beiyong --role command \
	--server "$SRV" --pin "$PIN" --key "$(cat "$W/key.beiyong")"
ok_run "datian" -- d init --station datian --server "$SRV" --pin "$PIN" \
	--key "$(cat "$W/key.datian")"
ok_run "gucheng" -- g init --station gucheng --server "$SRV" --pin "$PIN" \
	--key "$(cat "$W/key.gucheng")"

# ---- setup, synced ----
cat >"$W/points.csv" <<'EOF'
code,name,kind,town,village,people,monitor,monitor_phone
LH-DT-001,樟坦山洪沟,山洪,大田,樟坦村,94,罗小军,13303695438
LH-DT-002,南坦后山滑坡,地质灾害,大田,南坦村,45,陈永富,13700543711
LH-GC-001,上岗山塘,山塘,古城,上岗村,237,黄明亮,15800548325
EOF
expect_exit 0 "linhai imports three risk points" -- l risk import "$W/points.csv"
expect_id "linhai: the county leader" -- l contact add --name 陈局长 \
	--phone 13500005555 --role county_leader
expect_id "datian: its town leader" -- d contact add --name 张镇长 \
	--phone 13800001111 --role town_leader --town datian
expect_id "gucheng: its town leader" -- g contact add --name 刘镇长 \
	--phone 13800002222 --role town_leader --town gucheng
expect_id "datian: a severe incident, 60 minutes ago" -- d incident add \
	--town datian --title 山体滑坡 --severity 2 --received "$(ago 60)"
DINC=$ID
expect_id "datian: its written first report" -- d incident report first \
	"$DINC" --channel written --at "$(ago 55)"
DW1=$ID
expect_id "gucheng: an incident, 58 minutes ago" -- g incident add \
	--town gucheng --title 山塘渗漏 --severity 3 --received "$(ago 58)"
GINC=$ID
expect_id "gucheng: its written first report" -- g incident report first \
	"$GINC" --channel written --at "$(ago 54)"
GW1=$ID
expect_id "datian asks for 4 tents" -- d request add --item tent --qty 4 \
	--incident "$DINC" --note 安置点缺帐篷
REQ=$ID
sync_all datian gucheng linhai beiyong datian gucheng
check "setup: all export the same" same export --json

# ---- round 1, offline: no sync between any of these ----
ok_run "datian: its figures of the day" -- d stats set datian --date $DAY \
	--affected 1200 --dead 2 --relocated 350 --loss 120
ok_run "gucheng: its figures of the same day" -- g stats set gucheng \
	--date $DAY --affected 800 --dead 1 --relocated 200 --collapsed 3 \
	--loss 45.5
ok_run "linhai: a town that reported nothing" -- l stats set yanjiang \
	--date $DAY --affected 50
expect_id "linhai approves the tents from the city depot" -- l request \
	approve "$REQ" --depot d-city
expect_id "beiyong refuses them" -- b request refuse "$REQ" --reason 另行调拨
expect_id "gucheng asks for a team" -- g request add --team-kind fire
GREQ=$ID
S_DL=$(ago 45)
S_GG=$(ago 50)
expect_id "datian's leader signs its report 40 minutes ago" -- d incident \
	report sign "$DW1" --signed-by 张镇长 --at "$(ago 40)"
expect_id "linhai signs it too, 45 minutes ago: the earliest" -- l incident \
	report sign "$DW1" --signed-by 陈局长 --at "$S_DL"
expect_id "gucheng's leader signs its report 50 minutes ago: the earliest" -- \
	g incident report sign "$GW1" --signed-by 刘镇长 --at "$S_GG"
expect_id "linhai signs it too, 48 minutes ago" -- l incident report sign \
	"$GW1" --signed-by 陈局长 --at "$(ago 48)"
expect_id "datian: a written follow-up, unsigned" -- d incident report \
	followup "$DINC" --channel written --text 书面续报 --at "$(ago 30)"
DW2=$ID
expect_id "gucheng: a written follow-up, unsigned" -- g incident report \
	followup "$GINC" --channel written --text 书面续报 --at "$(ago 30)"
GW2=$ID
expect_id "linhai: 10 moved out of LH-DT-001" -- l risk evacuate LH-DT-001 10
expect_id "datian: 25 more" -- d risk evacuate LH-DT-001 25
expect_id "gucheng: 7 more" -- g risk evacuate LH-DT-001 7
expect_id "gucheng: 100 out of its own LH-GC-001" -- g risk evacuate LH-GC-001 100

sync_all gucheng linhai datian beiyong gucheng linhai datian
TOTAL="2050, 3, 0, 550"
TOTAL2="3, 1655, 3"
CONFLICTS="$REQ"
STATES="{'$REQ': 'conflict', '$GREQ': 'requested'}"
MOVED="42, 100"
CLEARED=False
SIGNED="{'$DW1': ('$(iso "$S_DL")', '陈局长'), '$GW1': ('$(iso "$S_GG")', '刘镇长'), '$DW2': (None, None), '$GW2': (None, None)}"
DREQS=1
GREQS=1
checks "round 1, synced gucheng, linhai, datian, beiyong, ..."

# ---- round 2, offline again ----
ok_run "linhai corrects datian's dead with --reason" -- l stats set datian \
	--date $DAY --dead 3 --reason "县里核实：一人系外地游客"
ok_run "datian adds its missing" -- d stats set datian --date $DAY --missing 1
ok_run "linhai corrects gucheng's relocated with --reason" -- l stats set \
	gucheng --date $DAY --relocated 210 --reason 电话核实
sleep 0.2
ok_run "gucheng sets its relocated later: its figure wins" -- g stats set \
	gucheng --date $DAY --relocated 220
expect_id "linhai approves the tents again, settling the conflict" -- \
	l request approve "$REQ" --depot d-city
expect_id "and sends them" -- l request send "$REQ"
expect_id "beiyong approves gucheng's team" -- b request approve "$GREQ" \
	--team f-gucheng
expect_id "linhai refuses it" -- l request refuse "$GREQ" --reason 队伍已出动
S_DF=$(ago 25)
S_GF=$(ago 15)
expect_id "datian's leader signs its follow-up 20 minutes ago" -- d incident \
	report sign "$DW2" --signed-by 张镇长 --at "$(ago 20)"
expect_id "linhai signs it 25 minutes ago: the earliest" -- l incident report \
	sign "$DW2" --signed-by 陈局长 --at "$S_DF"
expect_id "gucheng's leader signs its follow-up 15 minutes ago: the earliest" -- \
	g incident report sign "$GW2" --signed-by 刘镇长 --at "$S_GF"
expect_id "linhai signs it 10 minutes ago" -- l incident report sign "$GW2" \
	--signed-by 陈局长 --at "$(ago 10)"
expect_id "linhai: 3 more out of LH-DT-001" -- l risk evacuate LH-DT-001 3
expect_id "datian: 4 more" -- d risk evacuate 樟坦山洪沟 4
expect_id "gucheng: 5 more" -- g risk evacuate LH-DT-001 5
expect_id "linhai: 20 out of LH-GC-001" -- l risk evacuate LH-GC-001 20
ok_run "gucheng clears LH-GC-001" -- g risk clear LH-GC-001
sleep 1
ok_run "linhai clears it too, later" -- l risk clear LH-GC-001
GCLEAR=$(g risk show LH-GC-001 --json | python3 -c \
	"import json,sys; print(json.load(sys.stdin)['cleared_at'])")

sync_all datian beiyong linhai gucheng datian beiyong linhai
TOTAL="2050, 4, 1, 570"
CONFLICTS="$REQ $GREQ"
STATES="{'$REQ': 'sent', '$GREQ': 'conflict'}"
MOVED="54, 120"
CLEARED=True
SIGNED="{'$DW1': ('$(iso "$S_DL")', '陈局长'), '$GW1': ('$(iso "$S_GG")', '刘镇长'), '$DW2': ('$(iso "$S_DF")', '陈局长'), '$GW2': ('$(iso "$S_GF")', '刘镇长')}"
checks "round 2, synced datian, beiyong, linhai, gucheng, ..."
run d stats --date $DAY --town gucheng --json
check "gucheng's later relocated won over the county's correction" python3 -c "
import json
$STATS_FOLD
r = stats(json.load(open('$OUT')))['towns'][0]
assert r['relocated'] == 220 and r['relocated_station'] == 'gucheng', r"
run b stats --date $DAY --town datian --json
check "datian's dead is the county's, with its reason" python3 -c "
import json
$STATS_FOLD
r = stats(json.load(open('$OUT')))['towns'][0]
assert r['dead'] == 3 and r['dead_station'] == 'linhai', r
assert r['dead_reason'].startswith('县里核实') and r['missing_station'] == 'datian', r"
run d risk show LH-GC-001 --json
check "LH-GC-001 cleared at gucheng's time, the earlier" python3 -c "
import json; r = json.load(open('$OUT'))
assert r['cleared_at'] == '$GCLEAR', (r['cleared_at'], '$GCLEAR')"

# ---- datian receives; all agree once more ----
expect_id "datian receives the tents" -- d request receive "$REQ"
sync_all datian linhai gucheng beiyong datian
check "after datian's receipt: all export the same" same export --json
check "and show the tents received" same_but age_secs request list --json
check "received everywhere" each "
    assert [r['state'] for r in d if r['id'] == '$REQ'] == ['received'], (s, d)"
check "the same board on each" same board --json
check "datian's request no longer open on the board; gucheng's in conflict is" each "
    r = {x['town']: x for x in d}
    assert r['datian']['requests'] == 0 and r['gucheng']['requests'] == 1, (s, r['datian'])"
stop_server
finish
