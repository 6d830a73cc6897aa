#!/bin/sh
# refused.sh - operations the server refused, as the officer finds them:
# a station made as command whose key the server holds as town makes a
# response decision; the server refuses it (code role); `dutydesk link
# refused` lists it with its code, message and record, in words and in
# JSON; the console at 80x24 shows the count, opens the list with R (and
# with :link refused), and marking them seen clears the count while the
# list stays. Then the new command's bad input.
#
# Run from the repository root: sh tests/shell/refused.sh
# (DUTYDESK_BIN and DUTYDESKD_BIN pick other binaries.)
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

need_dutydeskd

SOCK=$W/tmux.sock
CLEANUP='stop_server; tmux -S "$SOCK" kill-server 2>/dev/null'

y() { "$BIN" --db "$W/dayang.db" "$@"; }

# json_has FILE PYTHON-CONDITION: the JSON array in FILE satisfies the
# condition on `v` (python3), or, without python3, FILE holds every
# "key":"value" pair given after the condition as GREP patterns.
json_has() {
	_f=$1
	_cond=$2
	shift 2
	if have python3; then
		python3 -c "import json,sys; v=json.load(open(sys.argv[1])); sys.exit(0 if ($_cond) else 1)" "$_f"
	else
		for _g in "$@"; do grep -q -- "$_g" "$_f" || return 1; done
	fi
}

# ---------------------------------------------------------------------
# The server and a station whose key says town.

"$DBIN" keygen dayang --role town --keys "$W/keys" >"$W/key.dayang" 2>"$ERR"
chmod 600 "$W/keys"
SDB=$W/server.db
server_up "$SDB"

ok_run "init dayang as a command station, its key a town's" -- \
	y init --station dayang --role command --server "$SRV" --pin "$PIN" \
	--key "$(cat "$W/key.dayang")"

expect_json_array "an offline-made station with nothing refused: link refused --json is []" -- \
	y link refused --json
check "the empty list is exactly []" grep -qx '\[\]' "$OUT"
run y link refused
check "the empty list in words prints nothing" test "$RC" = 0 -a ! -s "$OUT"

expect_id "dayang starts a Level IV flood response" -- y response start flood IV
DEC=$ID
expect_id "and logs it" -- y log add 启动防汛四级应急响应
expect_exit 1 "the server refuses the decision: sync exits 1, one line" -- \
	y sync --timeout 10
check "the sync says why" grep -q "a town station may not decide a response level (response.decide)" "$ERR"

# ---------------------------------------------------------------------
# The list from a shell.

expect_json_array "link refused --json: a JSON array" -- y link refused --json
cp "$OUT" "$W/refused.json"
check "one refusal, of the decision, code role, not yet seen" \
	json_has "$W/refused.json" \
	"len(v) == 1 and v[0]['code'] == 'role' and v[0]['entity'] == '$DEC' and v[0]['kind'] == 'response.decide' and v[0]['seq'] == 1 and v[0]['seen'] is False" \
	'"code":"role"' "\"entity\":\"$DEC\"" '"seen":false'
check "it carries the server's message and when it was made" \
	json_has "$W/refused.json" \
	"'response.decide' in v[0]['message'] and v[0]['at'].endswith('Z') and len(v[0]['incarnation']) == 16" \
	'"message":"a town station may not decide a response level (response.decide)"' '"at":"20'
check "the log entry, taken, is not listed" \
	json_has "$W/refused.json" "all(o['kind'] != 'log.add' for o in v)"

run y link refused
check "link refused in words: exit 0, nothing on stderr" test "$RC" = 0 -a ! -s "$ERR"
check "a header, then one line per refusal" test "$(nlines "$OUT")" = 2
check "the line names seq, kind, record, code, message and says new" \
	grep -Eq "^1 +20[0-9-]+ [0-9:]+ +response\.decide +$DEC +role +a town station may not decide a response level \(response\.decide\) +\(new\)$" "$OUT"
run y status
check "status counts the refusal" grep -q "^link .*0 queued, 1 refused" "$OUT"

# ---------------------------------------------------------------------
# The console at 80x24: the count, the list, marking it seen.

if have tmux; then
	tmux -S "$SOCK" -f /dev/null new-session -d -s dd -x 80 -y 24 \
		"TERM=xterm-256color LANG=$ZH LC_ALL=$ZH DUTYDESK_BELL=off '$BIN' --db '$W/dayang.db' --officer wang --lang en; echo CONSOLE-EXITED; sleep 30"
	on_screen "the console on dayang counts the refusal first, where 80 columns keep it" \
		"dayang | 1 REFUSED (R) |" 8
	on_screen "and the bottom line says where the list is" "R lists them"
	keys R
	on_screen "R opens the list of refusals" "operations the server refused: 1, 1 new"
	on_screen "the list names the decision, its record and the code" \
		"response.decide  $DEC  [role]"
	on_screen "and the server's reason in full" \
		"a town station may not decide a response level (response.decide)"
	keys Escape
	off_screen "Esc closes the list, the count stays" "operations the server refused:"
	on_screen "the count is still there after a look" "1 REFUSED (R)"
	keys : "link refused" Enter
	on_screen ":link refused opens the same list" "operations the server refused: 1, 1 new"
	keys x
	off_screen "x in the list marks them seen: the count clears" "REFUSED (R)"
	on_screen "and the bottom line says so" "1 refusal(s) marked seen"
	on_screen "the status line has room for the link again: online" \
		"level flood IV | online"
	run y link refused --json
	cp "$OUT" "$W/seen.json"
	check "the list is kept, marked seen" \
		json_has "$W/seen.json" "len(v) == 1 and v[0]['seen'] is True" '"seen":true'
	run y status
	check "status counts no refusal any more" grep -q "^link .*, 0 refused" "$OUT"
	keys R
	on_screen "R still lists the refusal, no longer new" \
		"operations the server refused: 1, 0 new"
	keys q
	off_screen "any other key closes it" "operations the server refused:"

	# A decision made in the console goes out at once and is refused:
	# the officer is called and the count comes back.
	keys : "response raise flood III" Enter
	on_screen "a refusal while the console runs is called out" \
		"the server refused 1 operation(s): R lists them" 8
	on_screen "and counted again" "1 REFUSED (R)"
	keys R
	on_screen "the list holds both, one new" "operations the server refused: 2, 1 new"
	keys x
	off_screen "marked seen again: the count clears" "REFUSED (R)"
	keys q
	on_screen "the console quits cleanly" "CONSOLE-EXITED" 5
	if screen | grep -q "ERROR\|Assertion\|Segmentation\|runtime error"; then
		fail "the console left no error behind"
	fi
	run y link refused --json
	cp "$OUT" "$W/two.json"
	check "link refused --json lists both, in the order refused, all seen" \
		json_has "$W/two.json" \
		"[o['seq'] for o in v] == [1, 3] and all(o['seen'] and o['code'] == 'role' for o in v)" \
		'"seq":3' '"seen":true'
else
	skip "tmux not installed: the console part"
fi

# ---------------------------------------------------------------------
# --ack from a shell, and the new command's bad input: usage errors exit
# 2 with one line and change nothing.

expect_id "another decision" -- y response end flood
run y sync --timeout 10
run y link refused --json
cp "$OUT" "$W/three.json"
check "a third refusal, new" json_has "$W/three.json" \
	"len(v) == 3 and v[2]['seen'] is False" '"seen":false'
GUARD=$W/dayang.db
changed
refused 2 "link refused --frob: exit 2" -- y link refused --frob
refused 2 "link refused with an argument: exit 2" -- y link refused all
refused 2 "link refused --json=yes (takes no value): exit 2" -- y link refused --json=yes
refused 2 "link refused --ack --json: exit 2" -- y link refused --ack --json
check "the usage error names the command" grep -q "usage: dutydesk link refused" "$ERR"
refused 2 "link refuse (no such verb, taken as link): exit 2" -- y link refuse
expect_exit 3 "link refused on a missing database: exit 3" -- \
	"$BIN" --db "$W/none.db" link refused
check "the missing database was not made" test ! -e "$W/none.db"
run "$BIN" link refused --help
check "link refused --help: its usage on stdout, exit 0" \
	test "$RC" = 0 -a ! -s "$ERR"
check "the usage names --json and --ack" grep -q "^usage: dutydesk link refused \[--json\] \[--ack\]" "$OUT"
run "$BIN" link --help
check "link --help shows link refused too" grep -q "link refused" "$OUT"
run y status
check "status counts the new one" grep -q "^link .*, 1 refused" "$OUT"
expect_exit 0 "link refused --ack: exit 0" -- y link refused --ack
check "it says how many it marked and by whom" \
	grep -q "1 refusal(s) acknowledged by tester" "$ERR"
check "and prints nothing on stdout" test ! -s "$OUT"
run y status
check "status counts no refusal after --ack" grep -q "^link .*, 0 refused" "$OUT"
_snapshot
expect_exit 0 "link refused --ack with nothing new: exit 0" -- y link refused --ack
check "it says none" grep -q "0 refusal(s) acknowledged" "$ERR"
_p=""
_unchanged || :
if [ -z "$_p" ]; then pass "--ack with nothing new changes nothing"; else
	fail "--ack with nothing new changes nothing" "$_p"; fi
GUARD=""

# ---------------------------------------------------------------------
# One backup restored twice, both copies used offline: the two make the
# same record id; the second to reach the server is refused (conflict)
# and its list shows the whole id, never cut.

"$DBIN" keygen datian --role town --keys "$W/keys" >"$W/key.datian" 2>"$ERR"
da() { db=$1; shift; "$BIN" --db "$W/$db.db" "$@"; }
ok_run "init datian as a town" -- da datian init --station datian \
	--role town --server "$SRV" --pin "$PIN" --key "$(cat "$W/key.datian")"
expect_id "datian logs a note" -- da datian log add 白天的记录
ok_run "datian syncs" -- da datian sync --timeout 10
ok_run "a backup of datian" -- da datian backup "$W/datian-bk.db"
ok_run "restored once" -- da copy1 restore "$W/datian-bk.db"
ok_run "restored twice" -- da copy2 restore "$W/datian-bk.db"
expect_id "the first copy logs a note offline" -- da copy1 log add 第一份副本
ID1=$ID
expect_id "the second copy logs one offline" -- da copy2 log add 第二份副本
check "both copies made the same id, a million ahead" \
	test "$ID1" = "$ID" -a "${ID#datian-}" -ge 1000000
ok_run "the first copy syncs: it owns the id" -- da copy1 sync --timeout 10
run da copy1 status --json
check "status --json: what the server acknowledged, per incarnation" \
	json_has "$OUT" "v['acked'][0]['incarnation'] == v['incarnation'] and v['acked'][0]['upto'] == 1 and len(v['acked']) == 2 and v['acked'][1]['upto'] >= 1" '"acked"'
expect_exit 1 "the second is refused: sync exits 1" -- \
	da copy2 sync --timeout 10
run da copy2 link refused
check "the refusal is listed with its code" grep -q " conflict " "$OUT"
check "and the whole id, apart from the code" grep -q "$ID conflict" "$OUT"
run da copy2 log list --json
check "the refused note left the second copy's log" \
	sh -c '! grep -q "$1" "$2"' _ 第二份副本 "$OUT"
check "where the first copy's note stands" grep -q "第一份副本" "$OUT"

stop_server
finish
