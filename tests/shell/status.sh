#!/bin/sh
# status.sh - `dutydeskd --db FILE status [--json]`, the administrator's
# view, against a real dutydeskd on loopback: right after the start the
# server's pid, address and live realm; stations that sync make the
# realm's head what they pushed and the projection catches up with it;
# a station kept connected (a console in tmux) is listed with its last
# push and its upto, live; after the stop "no server running", the
# figures still right, the status file gone and a stale one ignored; a
# lock held by another process without a status; a projection left
# behind by the last run shown as a lag, and brought up by the next
# server; a realm name too long for the table; usage errors (exit 2) and
# databases that cannot be read (exit 3). Every text output fits 80
# columns.
#
# Run from the repository root: sh tests/shell/status.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

need_dutydeskd
SOCK=$W/tmux.sock
CLEANUP='stop_server; tmux -S "$SOCK" kill-server 2>/dev/null; [ -z "$HOLDER" ] || kill "$HOLDER" 2>/dev/null; :'
SDB=$W/county.db
HOLDER=""
keys_for datian gucheng
dk() { "$DBIN" --db "$SDB" "$@"; }
st() { _s=$1; shift; "$BIN" --db "$W/$_s.db" "$@"; }

# status [--json]: dk status into $OUT (text in $W/st.txt, JSON in
# $W/st.json, kept for later checks).
status() {
	run dk status "$@"
	if [ "${1:-}" = --json ]; then cp "$OUT" "$W/st.json"; else
		cp "$OUT" "$W/st.txt"; fi
}
# realm_row REALM: HEAD PROJECTED LAG of its row in the last text status.
realm_row() { awk -v r="$1" '$1 == r { print $2, $3, $4 }' "$W/st.txt"; }
# station_row S: every column of its row in the last text status.
station_row() { awk -v s="$1" '$1 == s' "$W/st.txt"; }
# fits80 FILE: no line longer than 80 columns.
fits80() { awk 'length > 80 { exit 1 }' "$1"; }
# poll SECONDS CMD...: until CMD succeeds, every 0.2 s.
poll() {
	_t=$(($1 * 5))
	shift
	while [ $_t -gt 0 ]; do
		"$@" && return 0
		sleep 0.2
		_t=$((_t - 1))
	done
	return 1
}
# jtest FILE EXPR: python3 finds EXPR true of the JSON document v.
jtest() {
	python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}
# jcheck DESC EXPR: a check of the last status --json (skipped without
# python3).
jcheck() {
	if have python3; then
		check "$1" jtest "$W/st.json" "$2"
	else
		skip "$1 (python3 not installed)"
	fi
}
# the text status shows head, projected and lag of live as wanted
live_is() { status; [ "$(realm_row live)" = "$1" ]; }

# ---------------------------------------------------------------------
# The command line.

usage_error "status without --db: usage" -- "$DBIN" status
usage_error "status with an argument: usage" -- dk status now
usage_error "status --realm: usage" -- dk status --realm live
usage_error "status --keys: usage" -- dk status --keys "$W/keys"
usage_error "status --json=yes: usage" -- dk status --json=yes
check "the usage names status" grep -q "dutydeskd --db FILE status \[--json\]" "$ERR"
expect_exit 3 "status of a missing database: exit 3" -- \
	"$DBIN" --db "$W/none.db" status
check "...saying there is no server database there" \
	grep -q "none.db: no server database there" "$ERR"
check "...and the database was not made" test ! -e "$W/none.db"
echo "not a database at all, only text" >"$W/junk.db"
expect_exit 3 "status of a file that is not a database: exit 3" -- \
	"$DBIN" --db "$W/junk.db" status --json
check "...saying what is wrong with it" grep -q "junk.db" "$ERR"

# ---------------------------------------------------------------------
# A server just started: its pid, its address, its live realm.

server_up "$SDB"
status
check "status while the server runs: exit 0, nothing on stderr" \
	test "$RC" = 0 -a ! -s "$ERR"
check "...the server's pid and address" grep -q \
	"^server: dutydeskd [0-9.]*, pid $SPID, listening on 127.0.0.1:$PORT\$" "$W/st.txt"
check "...the live realm, empty, open" sh -c \
	'awk "\$1 == \"live\"" "$1" | grep -q "^live  *0  *0  *0 .* open\$"' _ "$W/st.txt"
check "...no station connected" grep -q "^no station connected\$" "$W/st.txt"
check "...in 80 columns" fits80 "$W/st.txt"
check "the status file is the server's own (mode 600)" \
	test "$(stat -c %a "$SDB.status" 2>/dev/null)" = 600

# ---------------------------------------------------------------------
# Stations sync: the head is what they pushed, the projection follows.

for s in datian gucheng; do
	ok_run "init $s with the server" -- st $s init --station $s --role town \
		--server "$SRV" --pin "$PIN" --key "$(cat "$W/key.$s")"
done
expect_id "datian logs a note" -- st datian log add 一
expect_id "datian logs another" -- st datian log add 二
expect_id "gucheng logs a note" -- st gucheng log add 三
ok_run "datian syncs" -- st datian sync --timeout 10
ok_run "gucheng syncs" -- st gucheng sync --timeout 10
status
check "status: the live realm's head is the 3 operations pushed" \
	test "$(realm_row live | cut -d' ' -f1)" = 3
check "the projection catches up with it: 3 3 0 within 5 s" poll 5 live_is "3 3 0"
# committed_ago: the live realm's last commit is seconds ago.
committed_ago() {
	status
	awk '$1 == "live"' "$W/st.txt" | grep -Eq " [0-9]+s +open\$"
}
check "...and its last commit seconds ago (the server's, within 5 s)" \
	poll 5 committed_ago
check "the stations that synced and left are not listed" poll 5 sh -c \
	'"$0" --db "$1" status | grep -q "^no station connected\$"' "$DBIN" "$SDB"

# ---------------------------------------------------------------------
# A station kept connected: datian's console.

if have tmux; then
	tmux -S "$SOCK" -f /dev/null new-session -d -s dd -x 100 -y 24 \
		"TERM=xterm-256color LANG=$ZH LC_ALL=$ZH DUTYDESK_BELL=off '$BIN' --db '$W/datian.db' --officer wang --lang en; echo CONSOLE-EXITED; sleep 30"
	on_screen "datian's console opens and says online" "| online" 5
	keys : "log add 控制台记录" Enter
	# datian's third operation, pushed by the console's link, counted
	# by the server and listed with datian's row.
	pushed() { status; station_row datian | awk '$7 == 3 { f = 1 } END { exit !f }'; }
	check "datian's row shows its push, upto 3, within 5 s" poll 5 pushed
	check "...a town, in live, from 127.0.0.1" sh -c \
		'awk "\$1 == \"datian\"" "$1" | grep -Eq "^datian +town +live +127\.0\.0\.1:[0-9]+ "' \
		_ "$W/st.txt"
	check "...its push seconds ago, its cursor the head (4), live" sh -c \
		'awk "\$1 == \"datian\" { print \$6, \$9, \$10 }" "$1" |
		grep -Eq "^[0-9]+s 4 yes\$"' _ "$W/st.txt"
	check "...the realm's head 4" test "$(realm_row live | cut -d' ' -f1)" = 4
	check "...only datian is connected" test "$(grep -c "^datian \|^gucheng " "$W/st.txt")" = 1
	check "...in 80 columns" fits80 "$W/st.txt"
	status --json
	check "status --json: exit 0, nothing on stderr" test "$RC" = 0 -a ! -s "$ERR"
	jcheck "...the server: its pid and address, published, not stale" \
		"v['server']['pid'] == $SPID and v['server']['listen'] == '127.0.0.1:$PORT' and v['server']['published'] and not v['server']['stale']"
	jcheck "...the live realm: head 4, open, with its WAL" \
		"[(r['realm'], r['head'], r['open'], r['wal_bytes'] > 0, r['wal_frames'] is not None) for r in v['realms']] == [('live', '4', True, True, True)]"
	jcheck "...datian: town, live, cursor 4, push_upto 3, every time set" \
		"[(s['station'], s['role'], s['realm'], s['live'], s['cursor'], s['push_upto']) for s in v['stations']] == [('datian', 'town', 'live', True, '4', '3')] and all(v['stations'][0][k] for k in ('connected', 'last_push', 'last_pull', 'caught_up', 'peer'))"
	cp "$SDB.status" "$W/old.status"
	keys q
	on_screen "the console quits" "CONSOLE-EXITED" 5
else
	skip "tmux not installed: no station kept connected"
	cp "$SDB.status" "$W/old.status"
fi
expect_json_object "status --json is one object" -- dk status --json

# ---------------------------------------------------------------------
# The server stops: no server running, the figures still right.

HEAD=$(realm_row live | cut -d' ' -f1)
stop_server
check "the status file goes with the server" test ! -e "$SDB.status"
status
check "status with no server: exit 0" test "$RC" = 0
check "...says no server running" grep -q "^no server running" "$W/st.txt"
check "...the head and the projection as they were, no lag" \
	test "$(realm_row live)" = "$HEAD $HEAD 0"
check "...the realm closed, no station listed" sh -c \
	'grep -q " closed\$" "$1" && ! grep -q "^STATION\|^no station" "$1"' _ "$W/st.txt"
cp "$W/old.status" "$SDB.status"
status --json
check "a status file left behind is ignored: exit 0" test "$RC" = 0
jcheck "...server null, no station, the head as it was" \
	"v['server'] is None and v['stations'] == [] and v['realms'][0]['head'] == '$HEAD' and v['realms'][0]['lag'] == '0' and v['realms'][0]['open'] is False"
status
check "...no server running, in words too" grep -q "^no server running" "$W/st.txt"
check "...and datian is not listed" sh -c '! grep -q "^datian" "$1"' _ "$W/st.txt"

# A process that holds the live realm's lock (as an export does when no
# server runs) and writes no status: the file left behind is not its.
if have python3; then
	python3 -c 'import fcntl, os, sys, time
f = open(sys.argv[1], "a")
fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").write(str(os.getpid()))
time.sleep(30)' "$SDB.lock" "$W/locked" 2>/dev/null &
	HOLDER=$!
	poll 5 test -s "$W/locked"
	status
	check "a lock held with no status of its own: exit 0" test "$RC" = 0
	check "...the holder's pid, no status written" grep -q \
		"^server: pid $(cat "$W/locked") holds the database but has written no status\$" \
		"$W/st.txt"
	check "...no station listed from the old file" sh -c '! grep -q "^datian" "$1"' \
		_ "$W/st.txt"
	status --json
	jcheck "...in JSON: published false, the holder's pid" \
		"v['server']['published'] is False and v['server']['pid'] == $(cat "$W/locked") and v['stations'] == []"
	kill "$HOLDER" 2>/dev/null
	wait "$HOLDER" 2>/dev/null
	HOLDER=""
else
	skip "python3 not installed: no lock held without a status"
fi
rm -f "$SDB.status"

# ---------------------------------------------------------------------
# A projection left behind by the last run (a server killed during a
# catch-up): shown as a lag, brought up by the next server.

if have sqlite3; then
	"$DBIN" --db "$SDB" export --json >"$W/before.json" 2>"$ERR"
	sqlite "$SDB" "UPDATE meta SET value = 1 WHERE key = 'projected'" >/dev/null
	status
	check "a state behind its log, no server: exit 0" test "$RC" = 0
	check "...head $HEAD, projected 1, lag $((HEAD - 1))" \
		test "$(realm_row live)" = "$HEAD 1 $((HEAD - 1))"
	check "...how long not known without a server" sh -c \
		'awk "\$1 == \"live\" { print \$5 }" "$1" | grep -qx "?"' _ "$W/st.txt"
	check "...and said in words" grep -q \
		"^realm live: the state is $((HEAD - 1)) operations behind the log" "$W/st.txt"
	status --json
	jcheck "...in JSON: lag as a string, behind_seconds null" \
		"v['realms'][0]['lag'] == '$((HEAD - 1))' and v['realms'][0]['behind_seconds'] is None"
	# export with no server: the state brought up first, the same
	# bytes as before (this test's operations are log entries, which
	# the projection writes again alike), the cursor at the head.
	"$DBIN" --db "$SDB" export --json >"$W/behind.json" 2>"$ERR"
	check "export with the state behind and no server: exit 0" test $? = 0
	check "...the same state as the server left" cmp -s "$W/behind.json" "$W/before.json"
	check "...the projection brought up to the log by export" \
		test "$(sqlite "$SDB" "SELECT value FROM meta WHERE key = 'projected'")" = "$HEAD"
	sqlite "$SDB" "UPDATE meta SET value = 1 WHERE key = 'projected'" >/dev/null
	server_up "$SDB"
	# At once, while the server may still be bringing the state up: the
	# export waits for it (it holds the lock), then prints it whole.
	"$DBIN" --db "$SDB" export --json >"$W/running.json" 2>"$ERR"
	check "export as the server starts, the state behind: exit 0" test $? = 0
	check "...the same state as the server left" \
		cmp -s "$W/running.json" "$W/before.json"
	check "the next server brings the projection up: $HEAD $HEAD 0 within 5 s" \
		poll 5 live_is "$HEAD $HEAD 0"
	check "...and status says it runs" grep -q "^server: dutydeskd .* pid $SPID," "$W/st.txt"
	stop_server
else
	skip "sqlite3 not installed: no projection left behind"
fi

# ---------------------------------------------------------------------
# Drills' realms beside the live one: one with a name too long for the
# table, one that cannot be read.

LONG=drill-abcdefghijabcdefghijabcdefghij012
"$BIN" --db "$SDB.$LONG" init --station server --role command \
	--realm "$LONG" --seed none >/dev/null 2>"$ERR"
status
check "a drill's realm with a long name: exit 0" test "$RC" = 0
check "...every line in 80 columns still" fits80 "$W/st.txt"
check "...its head, projected and lag named on its line" \
	grep -q "^$LONG: head 0, projected 0, lag 0," "$W/st.txt"
check "...the live realm too, first" sh -c \
	'grep "^live:" "$1" | grep -q "head $2, projected $2, lag 0,"' _ "$W/st.txt" "$HEAD"
echo "not a database" >"$SDB.drill-bad"
status --json
check "a drill's database that cannot be read: exit 3" test "$RC" = 3
check "...one line on stderr naming it" sh -c \
	'test "$(wc -l <"$1")" = 1 && grep -q "drill-bad" "$1"' _ "$ERR"
jcheck "...the rest still shown, its figures null" \
	"[(r['realm'], r['head']) for r in v['realms']] == [('live', '$HEAD'), ('$LONG', '0'), ('drill-bad', None)]"
rm -f "$SDB.drill-bad" "$SDB.$LONG"

expect_exit 3 "status of a station's database: exit 3" -- \
	"$DBIN" --db "$W/datian.db" status
check "...saying it is a station's" grep -q "station datian's database, not a server's" "$ERR"

finish
