#!/bin/sh
# realms.sh - `dutydeskd --db FILE realm list|remove` on the databases
# beside a server database, as an administrator meets them: usage errors
# (exit 2), refusals (the live realm, a realm not there, one a running
# server holds: exit 1), a database that cannot be read (exit 3), and a
# removal that takes a drill's database with its -wal, -shm, -journal
# and lock files and nothing else. The databases are made by `dutydesk
# init` as the server makes its own (the station "server", in the
# realm). A running server's hold is played by a lock on the realm's
# lock file taken by python3 (skipped without it); test_server.c checks
# the same against the real server, with --max-realms.
#
# Run from the repository root: sh tests/shell/realms.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

need_dutydeskd
SDB=$W/server.db
rl() { "$DBIN" --db "$SDB" realm "$@"; }
# mk REALM FILE: a server database of REALM in FILE.
mk() {
	"$BIN" --db "$2" init --station server --role command --realm "$1" \
		--seed none >/dev/null 2>"$ERR"
}
# line REALM: its line of the last realm list.
line() { grep "^$1 " "$OUT"; }

# ---------------------------------------------------------------------
# The command line.

usage_error "realm without --db: usage" -- "$DBIN" realm list
usage_error "realm without list or remove: usage" -- rl
usage_error "realm frob: usage" -- rl frob
usage_error "realm list with an argument: usage" -- rl list drill-a
usage_error "realm remove without a realm: usage" -- rl remove
usage_error "realm remove of a name that is no realm's: usage" -- \
	rl remove Drill_7
usage_error "realm remove of drill- and 34 more: usage" -- \
	rl remove drill-abcdefghijabcdefghijabcdefghij0123
usage_error "realm list --json: usage" -- rl list --json
usage_error "realm list --max-realms: usage" -- rl list --max-realms 3
for n in -1 1001 abc "" 2x; do
	usage_error "--max-realms '$n': usage" -- "$DBIN" --listen \
		127.0.0.1:1 --db "$W/never.db" --keys "$W/keys" --max-realms "$n"
done
check "...saying what it takes" grep -q -- "--max-realms '2x': a number from 0 to 1000" "$ERR"
check "...and no database made" test ! -e "$W/never.db"
expect_exit 3 "realm list where there is no server database" -- \
	"$DBIN" --db "$W/none/server.db" realm list

# ---------------------------------------------------------------------
# A server's live database and two drills', with files that are not
# realms beside them.

mk live "$SDB" && mk drill-b "$SDB.drill-b" && mk drill-a "$SDB.drill-a"
check "a live and two drills' databases made" test -s "$SDB.drill-a"
: >"$SDB.drill-b-wal"
: >"$SDB.drill-c.lock"
: >"$SDB.county-1"
: >"$SDB.drill-Z"
mkdir "$SDB.drill-d"

run rl list
check "realm list: exit 0" test "$RC" = 0
check "...three realms" test "$(nlines "$OUT")" = 3
check "...live first, closed (no server runs)" grep -q '^live [0-9][0-9]* 0 closed$' "$OUT"
check "...then the drills by name" test "$(sed -n 2p "$OUT" | cut -d' ' -f1),$(sed -n 3p "$OUT" | cut -d' ' -f1)" = "drill-a,drill-b"
check "...each with its bytes, its operations, and closed" \
	test "$(line drill-a | cut -d' ' -f3-)" = "0 closed"
bytes=$(wc -c <"$SDB.drill-a")
[ -e "$SDB.drill-a-wal" ] && bytes=$((bytes + $(wc -c <"$SDB.drill-a-wal")))
check "...its bytes those of its database and log" \
	test "$(line drill-a | cut -d' ' -f2)" = "$bytes"
check "...nothing on stderr" test ! -s "$ERR"

expect_exit 1 "realm remove live: refused" -- rl remove live
check "...saying so" grep -q "live realm is never removed" "$ERR"
expect_exit 1 "realm remove of a realm not there: refused" -- rl remove drill-e
check "...saying so" grep -q "no realm drill-e beside" "$ERR"

# ---------------------------------------------------------------------
# Held by a running server: refused, and nothing goes.

if have python3; then
	python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "a")
fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(30)' "$SDB.drill-a.lock" "$W/locked" 2>/dev/null &
	HOLDER=$!
	CLEANUP='kill $HOLDER 2>/dev/null'
	_i=0
	while [ ! -e "$W/locked" ] && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	run rl list
	check "realm list says a held realm is open" test "$(line drill-a | cut -d' ' -f4)" = open
	check "...and the others closed" test "$(line drill-b | cut -d' ' -f4)" = closed
	expect_exit 1 "realm remove of a held realm: refused" -- rl remove drill-a
	check "...saying a running dutydeskd uses it" grep -q "in use by a running dutydeskd" "$ERR"
	check "...and its database is still there" test -s "$SDB.drill-a"
	kill "$HOLDER" 2>/dev/null
	wait "$HOLDER" 2>/dev/null
	CLEANUP=:
else
	skip "python3 not installed: no lock held for a server"
fi

# ---------------------------------------------------------------------
# Removed, with its files; nothing else.

: >"$SDB.drill-a-wal"
: >"$SDB.drill-a-shm"
: >"$SDB.drill-a-journal"
expect_exit 0 "realm remove drill-a" -- rl remove drill-a
check "...saying so on stderr" grep -q "realm drill-a removed" "$ERR"
check "...nothing on stdout" test ! -s "$OUT"
for f in "" -wal -shm -journal .lock; do
	check "...its file$f gone" test ! -e "$SDB.drill-a$f"
done
check "...the other drill and its log kept" test -s "$SDB.drill-b" -a -e "$SDB.drill-b-wal"
check "...the live database and what is not a realm's kept" \
	test -s "$SDB" -a -e "$SDB.drill-c.lock" -a -e "$SDB.county-1" -a -e "$SDB.drill-Z"
run rl list
check "realm list: live and drill-b left" test "$(cut -d' ' -f1 "$OUT" | tr '\n' ,)" = "live,drill-b,"
expect_exit 1 "realm remove drill-a again: refused (not there)" -- rl remove drill-a

# ---------------------------------------------------------------------
# A database that cannot be read: listed with ?, exit 3.

printf 'not a database' >"$SDB.drill-j"
run rl list
check "realm list with an unreadable database: exit 3" test "$RC" = 3
check "...it is listed with ?" test "$(line drill-j | cut -d' ' -f3)" = "?"
check "...the others as before" test -n "$(line drill-b)"
check "...one line on stderr naming it" test "$(nlines "$ERR")" = 1 -a -n "$(grep drill-j "$ERR")"
expect_exit 0 "realm remove of the unreadable one" -- rl remove drill-j
check "...gone" test ! -e "$SDB.drill-j"

finish
