#!/bin/sh
# dutydeskd.sh - the county server on the power-loss model's disk. Figures,
# not part of make test (the server's fix comes later).
#
#	sh tests/powerloss/dutydeskd.sh [drop|reorder] [ROUNDS] [SECONDS]
#
# Each round starts ./dutydeskd under the library (POWERLOSS_MATCH=
# county.db), a fourth station pushes one incident (so the log's first
# generation begins with a small transaction), then three stations
# import incidents in batches of BATCH and
# push them with `dutydesk sync` (batches of 1 to 2 * BATCH incidents); an id is listed as acknowledged once
# the sync that pushed it has returned 0. After a random while (at most
# SECONDS) the server is killed with SIGKILL, the cut is made, and the
# database is read without the library: PRAGMA integrity_check, and
# every acknowledged id must be in `dutydeskd export`. The library's
# trace says whether the cut landed between a restart of the log (its
# 32-byte header written at offset 0) and the log's next sync: the
# window issue 15 is about. A cut in that window is also tried with every
# k (cut -k: the last k unsynced pages persist), each on a copy, read
# with the sqlite3 CLI. Run from the top of the tree after make all and
# make powerloss.
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/../shell/lib.sh.inc"

need_dutydeskd
MODE=${1:-reorder}
ROUNDS=${2:-6}
SECS=${3:-12}
BATCH=${BATCH:-100}
PL=${POWERLOSS_BUILD:-$PWD/build/rel/powerloss}
LIB=$PL/powerloss.so
CUT=$PL/cut
SDB=$W/county.db
STATIONS="linhai datian gucheng"
# A fourth station pushes one incident alone when a round begins, so
# that the log's first generation starts with a small transaction.
FIRST=duqiao
LOOPS=""
CLEANUP='for p in $LOOPS; do kill -9 "-$p" 2>/dev/null; done; stop_server'

for f in "$LIB" "$CUT"; do
	[ -x "$f" ] || [ -f "$f" ] || { echo "not ok 1 - $f missing (make powerloss)"; exit 1; }
done
have setsid || { skip "setsid not available"; finish; }

rand() { od -An -N4 -tu4 /dev/urandom | tr -d ' '; }

# server_pl [KILL_AT]: dutydeskd on PORT under the library.
server_pl() {
	: >"$W/trace"
	export LD_PRELOAD="$LIB" POWERLOSS_MATCH=county.db \
		POWERLOSS_MODE="$MODE" POWERLOSS_TRACE="$W/trace" \
		POWERLOSS_KILL_AT="${1:-0}"
	start_server "$SDB" "${PORT:-}"
	_rc=$?
	unset LD_PRELOAD POWERLOSS_MATCH POWERLOSS_MODE POWERLOSS_TRACE \
		POWERLOSS_KILL_AT
	return $_rc
}

# The pushing loop of station S, in a session of its own: batches of
# BATCH incidents imported, then synced; ids acknowledged when the sync
# returns 0.
start_loop() {
	_town=$1
	[ "$1" = linhai ] && _town=datian
	setsid sh -c '
		bin=$1 db=$2 town=$3 w=$4 s=$5 batch=$6
		i=0
		while :; do
			i=$((i + 1))
			awk -v b="$batch" -v t="$town" -v r="$s $$ $i" \
				"BEGIN { srand(); srand(srand() + $$ + $i); n = int(1 + rand() * 2 * b)
				print \"title,town,place,trapped\"
				for (k = 1; k <= n; k++) printf \"pl %s %d,%s,row %d,%d\\n\", r, k, t, k, k % 5 }" \
				>"$w/batch.$s.csv"
			"$bin" --db "$db" import incidents "$w/batch.$s.csv" \
				>>"$w/pend.$s" 2>>"$w/loop.$s.err" || continue
			if "$bin" --db "$db" sync --timeout 5 >/dev/null 2>>"$w/loop.$s.err"; then
				cat "$w/pend.$s" >>"$w/acked.$s"
				: >"$w/pend.$s"
			fi
		done' loop "$BIN" "$W/$1.db" "$_town" "$W" "$1" "$BATCH" &
	LOOPS="$LOOPS $!"
}

# every_k: the unsynced pages at this cut, N, and each k in 0..N tried on
# a copy; the ks that lose an acknowledged id or fail integrity_check
# are listed in $W/badk.
every_k() {
	rm -rf "$W/snap" "$W/try"
	mkdir "$W/snap"
	cp -a "$W"/county.db* "$W/.powerloss" "$W/snap/" 2>/dev/null
	cp -a "$W/snap" "$W/try"
	_n=$("$CUT" -k 0 "$W/try" | sed -n 's/^cut: county.db-wal: 0 of \([0-9]*\) .*/\1/p')
	_n=${_n:-0}
	: >"$W/badk"
	: >"$W/badk.first"
	_k=0
	while [ $_k -le "$_n" ]; do
		rm -rf "$W/try"
		cp -a "$W/snap" "$W/try"
		"$CUT" -q -k $_k "$W/try"
		sqlite3 -batch "$W/try/county.db" "PRAGMA integrity_check" >"$W/try.ic" 2>&1
		sqlite3 -batch "$W/try/county.db" "SELECT id FROM incidents" 2>&1 |
			sort -u >"$W/try.held"
		_ic=$(head -n 1 "$W/try.ic")
		_lost=$(comm -23 "$W/acked" "$W/try.held" | wc -l | tr -d ' ')
		if [ "$_ic" != ok ] || [ "$_lost" != 0 ]; then
			echo "$_k" >>"$W/badk"
			if [ ! -s "$W/badk.first" ]; then
				{
					echo "k=$_k: $_lost of $(wc -l <"$W/acked" | tr -d ' ') acknowledged ids not in SELECT id FROM incidents; integrity_check says:"
					head -n 4 "$W/try.ic"
				} >"$W/badk.first"
			fi
		fi
		_k=$((_k + 1))
	done
	echo "$_n"
}

keys_for $STATIONS $FIRST
server_pl || { fail "dutydeskd starts under the library" "$(tail -n 3 "$W/server.log")"; finish; }
pass "dutydeskd listens on 127.0.0.1:$PORT under the library ($MODE)"
for s in $STATIONS $FIRST; do
	_role=town
	[ "$s" = linhai ] && _role=command
	"$BIN" --db "$W/$s.db" init --station "$s" --role $_role \
		--server "127.0.0.1:$PORT" --key "$(cat "$W/key.$s")" >/dev/null 2>"$ERR" ||
		{ fail "init $s"; finish; }
	: >"$W/acked.$s"
	: >"$W/pend.$s"
done

round=1
total_lost=0
damaged=0
windows=0
everyk_bad=0
everyk_all=0
while [ "$round" -le "$ROUNDS" ]; do
	# The log's first header of a run creates it (and SQLite syncs it
	# itself); the second and third are its restarts after checkpoints.
	at=0
	[ $((round % 2)) = 0 ] && at="sync:county.db-wal@0:2"
	if [ "$round" -gt 1 ]; then
		server_pl "$at" || { fail "round $round: dutydeskd starts" "$(tail -n 3 "$W/server.log")"; break; }
	fi
	LOOPS=""
	printf 'title,town,place,trapped\nfirst %s,duqiao,x,0\n' "$round" >"$W/first.csv"
	if "$BIN" --db "$W/$FIRST.db" import incidents "$W/first.csv" >"$W/first.ids" 2>>"$W/first.err" &&
	    "$BIN" --db "$W/$FIRST.db" sync --timeout 5 >/dev/null 2>>"$W/first.err"; then
		cat "$W/first.ids" >>"$W/acked.$FIRST"
	fi
	for s in $STATIONS; do start_loop "$s"; done
	if [ "$at" = 0 ]; then
		ms=$(( $(rand) % (SECS * 1000 - 1000) + 1000 ))
		sleep "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')"
	else
		# Until it kills itself, 30 s at most.
		ms=0
		while [ $ms -lt 30000 ] && kill -0 "$SPID" 2>/dev/null; do
			sleep 0.1
			ms=$((ms + 100))
		done
		at="at the write or sync $at"
	fi
	kill -9 "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	SPID=""
	# The stations notice at once; a sync that returned before the kill
	# gets to list its ids.
	sleep 0.5
	for p in $LOOPS; do kill -9 "-$p" 2>/dev/null; done
	for p in $LOOPS; do wait "$p" 2>/dev/null; done
	LOOPS=""
	cat "$W"/acked.* | sort -u >"$W/acked"
	case $MODE:$at in reorder:*county.db-wal*)
		n=$(every_k)
		nbad=$(wc -l <"$W/badk" | tr -d ' ')
		echo "# round $round: every k tried on a copy: $nbad of $((n + 1)) cuts (k = 0..$n of $n unsynced log pages) lose acknowledged ids or fail integrity_check"
		if [ "$nbad" = 0 ]; then
			pass "round $round: every k of the cut keeps the acknowledged ids and a sound database"
		else
			fail "round $round: every k of the cut keeps the acknowledged ids and a sound database" \
				"bad k: $(tr '\n' ' ' <"$W/badk")"
			sed 's/^/#   /' "$W/badk.first" | cut -c 1-160
		fi
		everyk_bad=$((everyk_bad + nbad))
		everyk_all=$((everyk_all + n + 1))
		;;
	esac
	seed=$(rand)
	"$CUT" -s "$seed" "$W" >"$W/cut.out" 2>&1
	# What the trace says of the log at the cut.
	wal_stats=$(awk '$3 ~ /-wal$/ {
			if ($2 == "write" && $4 == 0 && $5 == 32) { hdr = $1; restarts++ }
			if ($2 == "sync") last_sync = $1
			if ($2 == "write") writes++
		}
		END { printf "%d %d %d %d", restarts, writes, (hdr > last_sync), NR }' "$W/trace")
	set -- $wal_stats
	restarts=$1 wal_writes=$2 in_window=$3 events=$4
	[ "$in_window" = 1 ] && windows=$((windows + 1))
	# The database without the library.
	ic=ok
	integrity_ok "$SDB" || ic=$_ic
	"$DBIN" --db "$SDB" export --json >"$W/export.json" 2>"$ERR"
	xrc=$?
	sed -n 's/.*"id":[[:space:]]*"\([^"]*\)".*/\1/p' "$W/export.json" | sort -u >"$W/held"
	cat "$W"/acked.* | sort -u >"$W/acked"
	lost=$(comm -23 "$W/acked" "$W/held" | wc -l | tr -d ' ')
	nacked=$(wc -l <"$W/acked" | tr -d ' ')
	[ "$at" = 0 ] && at="at ${ms} ms"
	echo "# round $round: killed $at; $events writes and syncs of held files," \
		"$restarts log restarts; cut seed $seed$( [ "$in_window" = 1 ] && echo ', IN the restart-to-sync window')"
	sed 's/^/#   /' "$W/cut.out" | grep -v "seed\|deleted county.db-shm" | head -n 4
	echo "#   acknowledged so far: $nacked ids; lost: $lost; integrity_check: $(echo "$ic" | head -n 1); export exit $xrc"
	if [ "$ic" != ok ] || [ "$xrc" != 0 ]; then
		damaged=$((damaged + 1))
		fail "round $round: the database is sound after the cut" "$(echo "$ic" | head -n 3)"
		break
	fi
	if [ "$lost" != 0 ]; then
		total_lost=$lost
		fail "round $round: every acknowledged id survives the cut" \
			"lost: $(comm -23 "$W/acked" "$W/held" | head -n 5 | tr '\n' ' ')"
	else
		pass "round $round: every acknowledged id survives the cut ($nacked)"
	fi
	round=$((round + 1))
done
echo "# $MODE: $((round - 1)) cuts, $(wc -l <"$W/acked" | tr -d ' ') ids acknowledged," \
	"$total_lost lost, $damaged damaged databases, $windows cuts in the restart-to-sync window;" \
	"tried with every k: $everyk_bad of $everyk_all cuts bad"
[ -n "${KEEP_TRACE:-}" ] && cp "$W/trace" "$KEEP_TRACE"
finish
