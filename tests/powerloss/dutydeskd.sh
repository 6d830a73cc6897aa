#!/bin/sh
# dutydeskd.sh - the county server on the power-loss model's disk, cut
# again and again while stations push.
#
#	sh tests/powerloss/dutydeskd.sh [drop|reorder] [ROUNDS] [SECONDS]
#
# Four stations keep pushing in loops of their own for the whole run:
# three import incidents in batches of 1 to 2 * BATCH and push them with
# `dutydesk sync`; an id is listed as acknowledged once the sync that
# pushed it has returned 0. A fourth pushes one incident alone as each
# round begins, so that the log's first generation starts with a small
# transaction. Each round starts the server under the library
# (POWERLOSS_MATCH=county.db) on the same port, and the server is cut at
# a kill point the round draws, in turn:
#   - the first sync of the log after its Kth header (K = 2..5: its
#     restarts after checkpoint rounds; the first header creates it),
#   - the Nth write or sync after the log's Kth header (N = 1..40: just
#     after a restart, while the new generation's first frames go out),
#   - the Nth write or sync of the run (N = 1..KILL_MAX),
# or, if the server has not reached it within SECONDS, a SIGKILL then.
# The cut is made (POWERLOSS_MODE) and the database is read without the
# library: PRAGMA integrity_check, every acknowledged id among the
# incidents, each operation once (station, incarnation, seq), the
# stations' sequences without a hole, the server sequence without a hole
# or a repeat. In reorder mode a cut in the window between a restart of
# the log (its 32-byte header written at offset 0) and its next sync is
# also tried with every k (cut -k: the last k unsynced pages persist),
# each on a copy, when EVERYK=1 (the default).
# At the end the server runs without the library and every station
# syncs: the stations and the server must hold the same state (export
# digests). With EPOCH=N, that ends a world every N rounds and the next
# begins with new databases, so that they stay small over a long run.
# Figures go to stdout as "# " lines.
#
# The server is $POWERLOSS_BUILD/dutydeskd (make powerloss builds it
# plain, with a small CKPT_FRAMES so that the log starts over often);
# the stations are ./dutydesk. Run from the top of the tree.
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/../shell/lib.sh.inc"

need_dutydeskd
MODE=${1:-reorder}
ROUNDS=${2:-6}
SECS=${3:-12}
BATCH=${BATCH:-20}
KILL_MAX=${KILL_MAX:-1500}
EVERYK=${EVERYK:-1}
EPOCH=${EPOCH:-0}
PL=${POWERLOSS_BUILD:-$PWD/build/rel/powerloss}
LIB=$PL/powerloss.so
CUT=$PL/cut
SRVBIN=$PL/dutydeskd
SDB=$W/county.db
STATIONS="linhai datian gucheng"
FIRST=duqiao
LOOPS=""
CLEANUP='for p in $LOOPS; do kill -9 "-$p" 2>/dev/null; done; stop_server'

for f in "$LIB" "$CUT" "$SRVBIN"; do
	[ -f "$f" ] || { echo "not ok 1 - $f missing (make powerloss)"; exit 1; }
done
have setsid || { skip "setsid not available"; finish; }
have sqlite3 || { skip "sqlite3 not available"; finish; }

rand() { od -An -N4 -tu4 /dev/urandom | tr -d ' '; }

# server_pl [KILL_AT]: the plain server on PORT under the library; with
# no KILL_AT, without the library.
server_pl() {
	: >"$W/trace"
	_dbin=$DBIN
	DBIN=$SRVBIN
	if [ -n "${1:-}" ]; then
		export LD_PRELOAD="$LIB" POWERLOSS_MATCH=county.db \
			POWERLOSS_MODE="$MODE" POWERLOSS_TRACE="$W/trace" \
			POWERLOSS_KILL_AT="$1"
	fi
	start_server "$SDB" "${PORT:-}"
	_rc=$?
	unset LD_PRELOAD POWERLOSS_MATCH POWERLOSS_MODE POWERLOSS_TRACE \
		POWERLOSS_KILL_AT
	DBIN=$_dbin
	return $_rc
}

# The pushing loop of station S, in a session of its own, for the whole
# run: batches of 1 to 2 * BATCH incidents imported, then synced; ids
# acknowledged when the sync returns 0. While the server is down the
# sync fails at once and the loop goes on.
start_loop() {
	_town=$1
	[ "$1" = linhai ] && _town=datian
	setsid sh -c '
		bin=$1 db=$2 town=$3 w=$4 s=$5 batch=$6
		i=0
		while [ ! -e "$w/stop" ]; do
			i=$((i + 1))
			if [ ! -s "$w/pend.$s" ]; then
				awk -v b="$batch" -v t="$town" -v r="$s $$ $i" \
					"BEGIN { srand(); srand(srand() + $$ + $i); n = int(1 + rand() * 2 * b)
					print \"title,town,place,trapped\"
					for (k = 1; k <= n; k++) printf \"pl %s %d,%s,row %d,%d\\n\", r, k, t, k, k % 5 }" \
					>"$w/batch.$s.csv"
				"$bin" --db "$db" import incidents "$w/batch.$s.csv" \
					>>"$w/pend.$s" 2>>"$w/loop.$s.err" || continue
			fi
			if "$bin" --db "$db" sync --timeout 5 >/dev/null 2>>"$w/loop.$s.err"; then
				cat "$w/pend.$s" >>"$w/acked.$s"
				: >"$w/pend.$s"
			else
				sleep 0.05
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
		sqlite3 -batch "$W/try/county.db" "$SQL_HELD" 2>&1 |
			sort -u >"$W/try.held"
		_ic=$(head -n 1 "$W/try.ic")
		_lost=$(comm -23 "$W/acked" "$W/try.held" | wc -l | tr -d ' ')
		if [ "$_ic" != ok ] || [ "$_lost" != 0 ]; then
			echo "$_k" >>"$W/badk"
			if [ ! -s "$W/badk.first" ]; then
				{
					echo "k=$_k: $_lost of $(wc -l <"$W/acked" | tr -d ' ') acknowledged ids not in the log; integrity_check says:"
					head -n 4 "$W/try.ic"
				} >"$W/badk.first"
			fi
		fi
		_k=$((_k + 1))
	done
	echo "$_n"
}

# The incidents the server holds: in its log, which is what it
# acknowledges (its state follows, see the projection check below).
SQL_HELD="SELECT entity FROM ops WHERE kind = 'incident.open' AND
	server_seq IS NOT NULL"

# What must hold of the server's database after any cut, read with the
# sqlite3 CLI (no library): one line per problem in $W/problems. The
# projection's cursor is committed with the state it applied: the
# incidents in the state are those the log holds up to it.
SQL_CHECK="
SELECT 'projection: ' || (SELECT count(*) FROM incidents) || ' incidents in '
	|| 'the state, ' || n || ' in the log up to its cursor ' || p FROM
	(SELECT (SELECT value FROM meta WHERE key = 'projected') AS p,
	 (SELECT count(*) FROM ops WHERE kind = 'incident.open' AND server_seq
	  <= (SELECT value FROM meta WHERE key = 'projected')) AS n)
	WHERE n != (SELECT count(*) FROM incidents) OR p > (SELECT
	coalesce(max(server_seq), 0) FROM ops);
SELECT 'integrity: ' || integrity_check FROM pragma_integrity_check
	WHERE integrity_check != 'ok';
SELECT 'twice: ' || station || '/' || seq FROM ops
	GROUP BY station, incarnation, seq HAVING count(*) > 1;
SELECT 'server sequence: ' || count(*) || ' operations, ' ||
	count(DISTINCT server_seq) || ' distinct, from ' || min(server_seq) ||
	' to ' || max(server_seq) FROM ops WHERE server_seq IS NOT NULL
	HAVING count(*) != count(DISTINCT server_seq) OR
	count(*) != max(server_seq) - min(server_seq) + 1;
SELECT 'hole: ' || station || ' holds ' || count(*) || ' up to ' || max(seq)
	FROM (SELECT station, incarnation, seq FROM ops
	      WHERE station IN ('linhai', 'datian', 'gucheng', 'duqiao')
	      UNION ALL SELECT station, incarnation, seq FROM refused)
	GROUP BY station, incarnation HAVING count(*) != max(seq);
"

# check_db: the checks above and the acknowledged ids; $lost and $bad.
check_db() {
	sqlite3 -batch "$SDB" "$SQL_CHECK" >"$W/problems" 2>&1
	sqlite3 -batch "$SDB" "$SQL_HELD" 2>>"$W/problems" |
		sort -u >"$W/held"
	cat "$W"/acked.* | sort -u >"$W/acked"
	lost=$(comm -23 "$W/acked" "$W/held" | wc -l | tr -d ' ')
	nacked=$(wc -l <"$W/acked" | tr -d ' ')
	bad=$(wc -l <"$W/problems" | tr -d ' ')
}

# world_start: a new server database and new stations (a first run of
# the server without the library makes the database, so that every
# round starts on a log of an earlier process), their loops started.
world_start() {
	rm -f "$W"/*.db "$W"/*.db-wal "$W"/*.db-shm "$W"/acked.* "$W"/pend.* "$W/stop"
	server_pl || { fail "dutydeskd starts" "$(tail -n 3 "$W/server.log")"; finish; }
	for s in $STATIONS $FIRST; do
		_role=town
		[ "$s" = linhai ] && _role=command
		"$BIN" --db "$W/$s.db" init --station "$s" --role $_role \
			--server "127.0.0.1:$PORT" --pin "$PIN" --key "$(cat "$W/key.$s")" >/dev/null 2>"$ERR" ||
			{ fail "init $s"; finish; }
		: >"$W/acked.$s"
		: >"$W/pend.$s"
	done
	stop_server
	for s in $STATIONS; do start_loop "$s"; done
}

# world_end: the loops stopped, the server without the library, every
# station synced until it holds what the server holds.
world_end() {
	: >"$W/stop"
	for p in $LOOPS; do wait "$p" 2>/dev/null; done
	LOOPS=""
	if ! server_pl; then
		fail "dutydeskd starts without the library" "$(tail -n 3 "$W/server.log")"
		return
	fi
	# Twice round: the first pushes what each holds, the second pulls
	# what the others pushed after it.
	for s in $STATIONS $FIRST $STATIONS $FIRST; do
		_i=0
		until "$BIN" --db "$W/$s.db" sync --timeout 10 >/dev/null 2>>"$W/final.err"; do
			_i=$((_i + 1))
			[ $_i -ge 5 ] && break
			sleep 0.2
		done
		if [ $_i -lt 5 ]; then
			cat "$W/pend.$s" >>"$W/acked.$s"
			: >"$W/pend.$s"
		fi
	done
	stop_server
	check_db
	total_acked=$((total_acked + nacked))
	want=$("$DBIN" --db "$SDB" export --json 2>"$ERR" | sed -n 's/.*"digest":[[:space:]]*"\([0-9a-f]*\)".*/\1/p')
	diverged=""
	for s in $STATIONS $FIRST; do
		got=$("$BIN" --db "$W/$s.db" export --json 2>/dev/null | sed -n 's/.*"digest":[[:space:]]*"\([0-9a-f]*\)".*/\1/p')
		[ -n "$want" ] && [ "$got" = "$want" ] || diverged="$diverged $s"
	done
	if [ -z "$diverged" ] && [ "$lost" = 0 ] && [ "$bad" = 0 ]; then
		[ "$1" = last ] &&
			pass "restarted without the library: every acknowledged id held once, and the stations converge"
	else
		fail "restarted without the library: the acknowledged ids held once, and the stations converge" \
			"lost $lost; problems: $(head -n 2 "$W/problems" | tr '\n' ' ')" \
			"stations not at the server's digest ($want):$diverged"
	fi
}

keys_for $STATIONS $FIRST
total_acked=0
world_start
pass "dutydeskd listens on 127.0.0.1:$PORT"

round=1
damaged=0
losing=0
windows=0
restart_kills=0
self_kills=0
everyk_bad=0
everyk_all=0
t0=$(date +%s)
while [ "$round" -le "$ROUNDS" ]; do
	# A new world every EPOCH rounds, so that the databases stay small.
	if [ "$EPOCH" -gt 0 ] && [ "$round" -gt 1 ] && [ $(((round - 1) % EPOCH)) = 0 ]; then
		world_end epoch
		[ "$NFAIL" = 0 ] || break
		world_start
	fi
	case $((round % 3)) in
	1) at="sync:county.db-wal@0:$(( $(rand) % 4 + 2 ))" ;;
	2) at="$(( $(rand) % 40 + 1 )):county.db-wal@0:$(( $(rand) % 4 + 2 ))" ;;
	*) at=$(( $(rand) % KILL_MAX + 1 )) ;;
	esac
	server_pl "$at" || { fail "round $round: dutydeskd starts" "$(tail -n 3 "$W/server.log")"; break; }
	printf 'title,town,place,trapped\nfirst %s,duqiao,x,0\n' "$round" >"$W/first.csv"
	if "$BIN" --db "$W/$FIRST.db" import incidents "$W/first.csv" >>"$W/pend.$FIRST" 2>>"$W/first.err" &&
	    "$BIN" --db "$W/$FIRST.db" sync --timeout 5 >/dev/null 2>>"$W/first.err"; then
		cat "$W/pend.$FIRST" >>"$W/acked.$FIRST"
		: >"$W/pend.$FIRST"
	fi
	# Until it kills itself, SECS at most.
	ms=0
	while [ $ms -lt $((SECS * 1000)) ] && kill -0 "$SPID" 2>/dev/null; do
		sleep 0.05
		ms=$((ms + 50))
	done
	if kill -0 "$SPID" 2>/dev/null; then
		how="killed after $ms ms (kill point $at not reached)"
	else
		how="killed at the write or sync $at"
		self_kills=$((self_kills + 1))
		case $at in *county.db-wal*) restart_kills=$((restart_kills + 1)) ;; esac
	fi
	kill -9 "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	SPID=""
	# A sync that returned before the kill gets to list its ids.
	sleep 0.1
	cat "$W"/acked.* | sort -u >"$W/acked"
	# What the trace says of the log at the cut.
	wal_stats=$(awk '$3 ~ /-wal$/ {
			if ($2 == "write" && $4 == 0 && $5 == 32) { hdr = $1; restarts++ }
			if ($2 == "sync") last_sync = $1
			if ($2 == "write") writes++
		}
		END { printf "%d %d %d %d", restarts, writes, (hdr > last_sync), NR }' "$W/trace")
	set -- $wal_stats
	restarts=$1 in_window=$3 events=$4
	[ "$in_window" = 1 ] && windows=$((windows + 1))
	if [ "$MODE:$in_window:$EVERYK" = reorder:1:1 ]; then
		n=$(every_k)
		nbad=$(wc -l <"$W/badk" | tr -d ' ')
		[ "${VERBOSE:-1}" = 1 ] || [ "$nbad" != 0 ] &&
			echo "# round $round: every k tried on a copy: $nbad of $((n + 1)) cuts (k = 0..$n of $n unsynced log pages) lose acknowledged ids or fail integrity_check"
		if [ "$nbad" != 0 ]; then
			fail "round $round: every k of the cut keeps the acknowledged ids and a sound database" \
				"bad k: $(tr '\n' ' ' <"$W/badk")"
			sed 's/^/#   /' "$W/badk.first" | cut -c 1-160
		fi
		everyk_bad=$((everyk_bad + nbad))
		everyk_all=$((everyk_all + n + 1))
	fi
	seed=$(rand)
	"$CUT" -s "$seed" "$W" >"$W/cut.out" 2>&1
	check_db
	if [ "${VERBOSE:-1}" = 1 ]; then
		echo "# round $round: $how; $events writes and syncs of held files," \
			"$restarts log headers; cut seed $seed$( [ "$in_window" = 1 ] && echo ', IN the restart-to-sync window')"
		sed 's/^/#   /' "$W/cut.out" | grep -v "seed\|deleted county.db-shm" | head -n 4
		echo "#   acknowledged so far: $nacked ids; lost: $lost; problems: $bad"
	fi
	if [ "$bad" != 0 ]; then
		damaged=$((damaged + 1))
		fail "round $round ($how, seed $seed): the database is sound after the cut" \
			"$(head -n 3 "$W/problems")"
		break
	fi
	if [ "$lost" != 0 ]; then
		losing=$((losing + 1))
		fail "round $round ($how, seed $seed): every acknowledged id survives the cut" \
			"lost: $(comm -23 "$W/acked" "$W/held" | head -n 5 | tr '\n' ' ')"
		break
	fi
	[ "${VERBOSE:-1}" = 1 ] && pass "round $round: every acknowledged id survives the cut ($nacked)"
	round=$((round + 1))
done
t1=$(date +%s)
rounds=$((round - 1))
[ "${VERBOSE:-1}" = 1 ] || [ "$NFAIL" != 0 ] ||
	pass "$rounds cuts: every acknowledged id survives, each once, the database sound"

world_end last
echo "# $MODE: $rounds kill points in $((t1 - t0)) s ($self_kills at the drawn write or sync," \
	"$restart_kills of them just after a restart of the log, $windows cuts in the restart-to-sync window);" \
	"$total_acked ids acknowledged and checked, $((damaged + losing)) failed cuts; tried with every k: $everyk_bad of $everyk_all cuts bad"
[ -n "${KEEP_TRACE:-}" ] && cp "$W/trace" "$KEEP_TRACE"
finish
