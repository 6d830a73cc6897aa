#!/bin/sh
# drill.sh - each shipped scenario run at high speed in the console as an
# officer would: one expected action done through the ':' command line,
# the others skipped; the JSON report says done on time and skipped
# missed; the drill holds the live directory and makes no record under a
# live id; the live database is byte for byte unchanged; a malformed
# scenario is refused with its line and field and leaves no database.
set -u
BIN=${DUTYDESK_BIN:-$PWD/dutydesk}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac
export DUTYDESK_ASSETS=${DUTYDESK_ASSETS:-$PWD/assets}
DRILLS=$PWD/assets/drills
dir=$(mktemp -d)
sock=$dir/tmux.sock
T() { tmux -S "$sock" "$@"; }
trap 'T kill-server 2>/dev/null; rm -rf "$dir"' EXIT
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }
# wait_for SESSION TEXT SECONDS
wait_for() {
	i=0
	while [ $i -lt $(($3 * 10)) ]; do
		T capture-pane -p -t "$1" 2>/dev/null | grep -qF -- "$2" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# status_of REPORT.json ACTION: the status the report gives an action.
status_of() {
	tr -d '\n\t ' <"$1" | sed 's/},{/}\n{/g' | grep "\"id\":\"$2\"" |
		sed 's/.*"status":"\([a-z_]*\)".*/\1/' | head -n 1
}
# secs_in REPORT.json ACTION: seconds from the drill's start to the
# action's done_at.
secs_in() {
	_s=$(tr -d '\n\t ' <"$1" | sed 's/.*"started":"\([^"]*\)".*/\1/')
	_d=$(tr -d '\n\t ' <"$1" | sed 's/},{/}\n{/g' | grep "\"id\":\"$2\"" |
		sed 's/.*"done_at":"\([^"]*\)".*/\1/' | head -n 1)
	echo $(( $(date -u -d "$_d" +%s) - $(date -u -d "$_s" +%s) ))
}

live=$dir/live.db
"$BIN" --db "$live" init --station linhai --role command >/dev/null 2>&1 ||
	{ echo "not ok 1 - init"; exit 1; }
"$BIN" --db "$live" incident add --town 大田街道 --title 真实事件 >/dev/null
before=$(sha256sum "$live" | cut -d' ' -f1)

# A malformed scenario: refused with where, and no drill database.
printf '{"id": "bad", "title": "x", "hazard": "typhoon",\n "injects": [{"id": "a", "at_min": -1, "kind": "note", "fields": {}}],\n "expect": []}\n' >"$dir/bad.json"
T -f /dev/null new-session -d -s bad -x 80 -y 24 \
	"'$BIN' --db '$live' drill run '$dir/bad.json' 2>'$dir/bad.err'; echo \$? >'$dir/bad.rc'; sleep 30"
i=0; while [ ! -s "$dir/bad.rc" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "a malformed scenario is refused (exit 1)" '[ "$(cat "$dir/bad.rc")" = 1 ]'
check "the message names the line and the field" \
	'grep -q "line 2: injects\[0\].at_min" "$dir/bad.err"'
check "no drill database is left" '! ls "$dir"/drill-bad-* >/dev/null 2>&1'

# run SESSION SCENARIO [LOCALE [OPTIONS]]: a drill at 600x (30 drill
# minutes are 3 seconds) in LOCALE (C.UTF-8 by default), with more
# OPTIONS of drill run. Actions typed on its ':' line are stamped on the
# drill's clock, so the one done at once is on time only if it is typed
# within that many seconds.
run() {
	T new-session -d -s "$1" -x 80 -y 24 \
		"TERM=xterm-256color LANG=${3:-C.UTF-8} LC_ALL=${3:-C.UTF-8} DUTYDESK_BELL=off '$BIN' --db '$live' --officer wang drill run '$DRILLS/$2.json' --speed 600 --report '$dir/$1' ${4:-}; echo DRILL-EXITED; sleep 60"
}
# The flood's report is asked for in GB18030, in Chinese where the
# machine has the zh_CN.UTF-8 locale.
ZH=C.UTF-8
locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$' && ZH=zh_CN.UTF-8
T -f /dev/null new-session -d -s idle -x 20 -y 5 "sleep 120"
run ty typhoon-danas
run fl meiyu-datian-flood "$ZH" "--report-charset gb18030"
run ch chemical-fire-duqiao
for s in ty fl ch; do
	banner=DRILL
	[ $s = fl ] && [ "$ZH" != C.UTF-8 ] && banner=演练
	wait_for $s "$banner" 5 || nok "$s: the drill console opens with its banner"
done
T send-keys -t ty : "response start typhoon IV" Enter
T send-keys -t fl : "response start flood IV" Enter
# The fire is reported by the first inject: once it is on the screen.
wait_for ch "drill-1" 5 || nok "chemical fire: the fire's report arrives"
T send-keys -t ch : "incident report first drill-1 --channel phone" Enter
for s in ty fl ch; do
	over="x600 OVER"
	[ $s = fl ] && [ "$ZH" != C.UTF-8 ] && over="x600 已结束"
	if wait_for $s "$over" 40; then ok "$s: the drill ends by itself"; else
		nok "$s: the drill ends by itself"; T capture-pane -p -t $s | sed 's/^/#   /'; fi
	T send-keys -t $s q
done
check "typhoon: the Level IV start done at once is on time" \
	'[ "$(status_of "$dir/ty.json" start-iv)" = on_time ]'
check "typhoon: the ':' command is stamped on the drill's clock ($(secs_in "$dir/ty.json" start-iv) s in)" \
	'[ "$(secs_in "$dir/ty.json" start-iv)" -ge 60 ]'
check "typhoon: the skipped answer to the blue warning is missed" \
	'[ "$(status_of "$dir/ty.json" ans-blue)" = missed ]'
check "flood: the Level IV start is on time" \
	'[ "$(status_of "$dir/fl.json" start-iv)" = on_time ]'
check "flood: the skipped dispatch to the underpass is missed" \
	'[ "$(status_of "$dir/fl.json" car-send)" = missed ]'
check "chemical fire: the first phone report is on time" \
	'[ "$(status_of "$dir/ch.json" first-phone)" = on_time ]'
check "chemical fire: the skipped fire-brigade dispatch is missed" \
	'[ "$(status_of "$dir/ch.json" fire-send)" = missed ]'
check "the plain-text reports are written" \
	'grep -q "score" "$dir/ty.txt" && grep -q "score" "$dir/ch.txt"'
# gb18030_ok FILE: valid GB18030 that is not UTF-8 (so it was converted),
# going back to the same bytes; its UTF-8 form is left in FILE.utf8.
gb18030_ok() {
	iconv -f GB18030 -t UTF-8 "$1" >"$1.utf8" 2>/dev/null &&
		! iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1 &&
		iconv -f UTF-8 -t GB18030 "$1.utf8" | cmp -s - "$1"
}
check "--report-charset gb18030: the text report is GB18030" 'gb18030_ok "$dir/fl.txt"'
check "the GB18030 report holds the scenario's Chinese title" \
	'grep -q "梅汛期" "$dir/fl.txt.utf8"'
check "the JSON report beside it stays UTF-8" \
	'iconv -f UTF-8 -t UTF-8 "$dir/fl.json" >/dev/null 2>&1 && grep -q "梅汛期" "$dir/fl.json"'
if [ "$ZH" != C.UTF-8 ]; then
	check "the GB18030 report has the Chinese labels (得分, 按时, 未完成, 时限)" \
		'grep -q "^得分 [0-9]* / 100" "$dir/fl.txt.utf8" && grep -q "^  按时 *start-iv" "$dir/fl.txt.utf8" &&
		 grep -q "^  未完成 *car-send" "$dir/fl.txt.utf8" && grep -q "时限" "$dir/fl.txt.utf8"'
else
	ok "# SKIP no zh_CN.UTF-8 locale: the Chinese labels"
fi
fldb=$(ls "$dir"/drill-meiyu-datian-flood-*.db | head -n 1)
LANG=$ZH LC_ALL=$ZH "$BIN" --lang zh drill report "$fldb" --charset gb18030 >"$dir/fl2.txt" 2>"$dir/fl2.err"
check "drill report --charset gb18030 prints GB18030" 'gb18030_ok "$dir/fl2.txt"'
LANG=$ZH LC_ALL=$ZH "$BIN" --lang zh drill report "$fldb" >"$dir/fl3.txt" 2>/dev/null
check "...the same report as the UTF-8 one, converted" 'cmp -s "$dir/fl2.txt.utf8" "$dir/fl3.txt"'
if [ "$ZH" != C.UTF-8 ]; then
	check "...with the Chinese labels" \
		'grep -q "^得分 [0-9]* / 100" "$dir/fl2.txt.utf8" && grep -q "叫应率" "$dir/fl2.txt.utf8"'
fi
"$BIN" drill report "$fldb" --charset latin1 >/dev/null 2>"$dir/cs.err"
rc=$?
check "drill report --charset latin1: refused (exit 1)" '[ $rc = 1 ] && grep -q "utf-8 or gb18030" "$dir/cs.err"'
"$BIN" drill report "$fldb" --charset gb18030 --json >/dev/null 2>&1
rc=$?
check "drill report --json --charset gb18030: a usage error (JSON is UTF-8)" '[ $rc = 2 ]'
check "the chemical-fire report gives the time to the first phone report" \
	'grep -q "time to the first phone report" "$dir/ch.txt" && grep -q "\"first_reports\":[[:space:]]*1" "$dir/ch.json"'
db=$(ls "$dir"/drill-typhoon-danas-*.db | head -n 1)
check "drill report prints the report again" \
	'"$BIN" drill report "$db" --json | grep -q "\"scenario\":[[:space:]]*\"typhoon-danas\""'
check "drill report names the drill's realm" \
	'"$BIN" drill report "$db" | grep -q "realm drill-[0-9]"'
"$BIN" --db "$db" --officer wang handover --to li >/dev/null 2>&1
check "a printout of the drill says DRILL first" \
	'"$BIN" --db "$db" handover sheet | head -n 1 | grep -q "DRILL"'
check "response show HAZARD --json gives that hazard's row only" \
	'[ "$("$BIN" --db "$db" response show flood --json)" = "[]" ] &&
	 "$BIN" --db "$db" response show typhoon --json | grep -q "^\[{\"hazard\":\"typhoon\",\"level\":4,"'
check "the drill database is in its own realm" \
	'"$BIN" --db "$db" status | grep -q "realm drill-"'
# The export of a drill says DRILL at the top and on every record, at
# any depth; the live export carries no mark at all.
"$BIN" --db "$db" export --json >"$dir/drill.export"
"$BIN" --db "$live" export --json >"$dir/live.export"
check "the drill's export says drill and its realm at the top" \
	'head -n 3 "$dir/drill.export" | tr -d "\t\n " | grep -q "^{\"drill\":true,\"realm\":\"drill-[0-9]*\","'
# marks FILE: records with the mark, then records without it.
marks() {
	python3 -c '
import json, sys
def walk(n, c):
    if isinstance(n, dict):
        for v in n.values():
            walk(v, c)
    elif isinstance(n, list):
        for e in n:
            if isinstance(e, dict):
                c[e.get("drill") is not True] += 1
            walk(e, c)
c = [0, 0]
walk(json.load(open(sys.argv[1], encoding="utf-8")), c)
print(c[0], c[1])' "$1"
}
if command -v python3 >/dev/null 2>&1; then
	read -r yes no <<EOF
$(marks "$dir/drill.export")
EOF
	check "every record of the drill's export is marked drill ($yes marked, $no not)" \
		'[ "$yes" -gt 400 ] && [ "$no" = 0 ]'
	read -r yes no <<EOF
$(marks "$dir/live.export")
EOF
	check "no record of the live export is marked ($yes marked)" '[ "$yes" = 0 ]'
else
	check "the drill's incidents are marked drill" \
		'tr -d "\t\n " <"$dir/drill.export" | grep -q "\"id\":\"drill-4\".*\"drill\":true"'
fi
# The drill database carries the live directory, and the station's own
# records in it are numbered on from its live ones (the live incident
# is linhai-1).
check "the drill makes no record under a live id" \
	'! grep -q "\"linhai-1\"" "$dir/drill.export" &&
	 grep -q "\"linhai-2\"" "$dir/drill.export"'
if command -v python3 >/dev/null 2>&1; then
	check "the drill holds the live directory" \
		'python3 -c "
import json, sys
d, l = (json.load(open(f, encoding=\"utf-8\"))[\"contacts\"] for f in sys.argv[1:])
for c in d:
    c.pop(\"drill\")
sys.exit(not (d == l and len(l) > 20))" "$dir/drill.export" "$dir/live.export"'
fi
check "the live export has neither the drill nor the realm member" \
	'! grep -q "\"drill\":\|\"realm\":" "$dir/live.export"'
after=$(sha256sum "$live" | cut -d' ' -f1)
check "the live database is byte for byte unchanged" '[ "$before" = "$after" ]'
check "the live database holds none of the drill" \
	'! "$BIN" --db "$live" export --json | grep -q "drill-1"'

echo "# $n checks, $fails failed"
[ "$fails" -eq 0 ]
