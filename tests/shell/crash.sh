#!/bin/sh
# crash.sh - durability: "where an id is printed, it has been committed"
# (README, How it is built: synchronous=FULL). A loop adds incidents one after another
# and records every id dutydesk prints; the loop's whole process group is
# killed with SIGKILL at random moments, several times. Afterwards the
# database opens, passes PRAGMA integrity_check, holds every printed id
# exactly once, and holds at most one unrecorded incident per kill. Then
# an import is killed midway: it must have loaded all rows or none.
#
# Run from the repository root: sh tests/shell/crash.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

DB=$W/station.db
IDS=$W/ids
: >"$IDS"
KILLS=5
LOOP=""

# Whatever happens, no loop outlives the test.
CLEANUP='[ -n "$LOOP" ] && kill -9 "-$LOOP" 2>/dev/null; :'

if ! have setsid; then
	skip "setsid not available: cannot kill a process group"
	finish
fi

expect_exit 0 "init a town station" -- "$BIN" --db "$DB" init --station datian --seed county

# A random number of milliseconds in [lo, hi), as seconds for sleep.
rand_sleep() {
	awk -v lo="$1" -v hi="$2" -v seed="$$$(date +%N 2>/dev/null)" \
		'BEGIN { srand(seed % 2147483647); printf "%.3f\n", (lo + rand() * (hi - lo)) / 1000 }'
}

# The adding loop, in its own session (so its own process group): each
# dutydesk appends what it prints straight to the ids file, so an id is
# recorded exactly when dutydesk has printed it.
start_loop() {
	setsid sh -c '
		i=0
		while :; do
			i=$((i + 1))
			"$1" --db "$2" incident add --town datian --title "crash $$ $i" \
				--trapped 1 >>"$3" 2>>"$3.err"
		done' loop "$BIN" "$DB" "$IDS" &
	LOOP=$!
}

round=1
while [ "$round" -le "$KILLS" ]; do
	start_loop
	if [ "$round" = 1 ]; then sleep "$(rand_sleep 1000 1500)"
	else sleep "$(rand_sleep 100 600)"; fi
	kill -9 "-$LOOP" 2>/dev/null
	wait "$LOOP" 2>/dev/null
	LOOP=""
	round=$((round + 1))
done

n_ids=$(grep -c . "$IDS")
check "the loop printed ids ($n_ids)" test "$n_ids" -gt 5
bad=$(grep -Ev '^[a-z][a-z0-9]*-[0-9]+$' "$IDS" | head -n 3)
check "every line printed is one whole id" test -z "$bad"
dups=$(sort "$IDS" | uniq -d | head -n 3)
if [ -z "$dups" ]; then pass "no id was printed twice"
else fail "no id was printed twice" "printed twice: $dups"; fi
# The loop's dutydesk runs said nothing but an id, or died on the kill.
if [ -s "$IDS.err" ]; then
	fail "the adding loop got no errors" "$(head -n 3 "$IDS.err")"
else
	pass "the adding loop got no errors"
fi

expect_exit 0 "the database opens after the kills (status)" -- "$BIN" --db "$DB" status
if integrity_ok "$DB"; then pass "PRAGMA integrity_check: ok"
else fail "PRAGMA integrity_check: ok" "$_ic"; fi

run "$BIN" --db "$DB" incident list --all --json
tr '{' '\n' <"$OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p' | sort >"$W/held"
sort -u "$IDS" >"$W/printed"
lost=$(comm -23 "$W/printed" "$W/held")
if [ "$RC" = 0 ] && [ -z "$lost" ]; then
	pass "every printed id is in incident list --all ($(grep -c . "$W/printed") ids)"
else
	fail "every printed id is in incident list --all" "exit $RC" \
		"lost: $(echo $lost | head -c 300)"
fi
n_held=$(grep -c . "$W/held")
extra=$((n_held - $(grep -c . "$W/printed")))
if [ "$extra" -ge 0 ] && [ "$extra" -le "$KILLS" ]; then
	pass "at most one unprinted incident per kill ($extra for $KILLS kills)"
else
	fail "at most one unprinted incident per kill" "$n_held incidents, $extra not printed, $KILLS kills"
fi
expect_id "a new incident after the crashes" -- \
	"$BIN" --db "$DB" incident add --town datian --title after
if grep -qx "$ID" "$W/printed"; then
	fail "the new id was never printed before (no rewound counter)" "$ID was printed before"
else
	pass "the new id was never printed before (no rewound counter)"
fi

# An import is one transaction: killed midway, all rows or none.
awk 'BEGIN { print "title,town,place,trapped"
	for (i = 1; i <= 8000; i++) printf "ledger %d,datian,row %d,%d\n", i, i, i % 5 }' \
	>"$W/ledger.csv"
before=$n_held
before=$((before + 1))
setsid "$BIN" --db "$DB" import incidents "$W/ledger.csv" >/dev/null 2>&1 &
LOOP=$!
sleep "$(rand_sleep 30 300)"
kill -9 "-$LOOP" 2>/dev/null
wait "$LOOP" 2>/dev/null
LOOP=""
run "$BIN" --db "$DB" incident list --all --json
after=$(tr '{' '\n' <"$OUT" | grep -c '"id":')
if [ "$after" = "$before" ] || [ "$after" = $((before + 8000)) ]; then
	pass "import killed midway: all rows or none ($before -> $after)"
else
	fail "import killed midway: all rows or none" "$before incidents before, $after after"
fi
if integrity_ok "$DB"; then pass "PRAGMA integrity_check after the killed import: ok"
else fail "PRAGMA integrity_check after the killed import: ok" "$_ic"; fi
ok_run "the import runs to the end afterwards" -- "$BIN" --db "$DB" import incidents "$W/ledger.csv"

finish
