#!/bin/sh
# syncfault.sh - sync under faults, with a real dutydeskd on loopback:
#  a. the server killed (SIGKILL) while three stations push hundreds of
#     operations at once: after a restart and two more rounds every
#     export is byte-identical, every incident is there exactly once, the
#     supply stock counts every issue once, and nothing the server had
#     acknowledged before the kill is missing;
#  b. a station that worked offline (3,000 operations) catches up in one
#     sync, and a fresh station pulls all of it;
#  c. a station restored from an old backup (new incarnation) converges
#     with the server, doubles nothing and gets back what it made after
#     the backup, for reports and for supply issues; operations only the
#     backup held (never synced) are a known limitation, reported as a
#     SKIP when they do not reach the server.
#
# Run from the repository root: sh tests/shell/syncfault.sh
# (DUTYDESK_BIN and DUTYDESKD_BIN pick other binaries.) About 8 s; 30 s
# with the sanitized binaries.
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

need_dutydeskd
# start_server runs dutydeskd with a debug log here.
SFLAGS="--log-level debug"

BGPIDS=""
CLEANUP='stop_server; for _p in $BGPIDS; do kill -KILL "$_p" 2>/dev/null; done'

kill_server() {
	[ -n "$SPID" ] || return 0
	kill -KILL "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	SPID=""
}

# st CODE ARGS...: dutydesk on station CODE's database.
st() {
	_s=$1
	shift
	"$BIN" --db "$W/$_s.db" "$@"
}

# sync_all CODE...: one sync each, in turn; all must exit 0.
sync_all() {
	for _s in "$@"; do
		run st "$_s" sync --timeout 15
		if [ "$RC" != 0 ]; then
			fail "sync $_s" "exit $RC"
			return 1
		fi
	done
	return 0
}

# sync_parallel CODE...: one sync each, all at once; all must exit 0.
sync_parallel() {
	_pids=""
	for _s in "$@"; do
		st "$_s" sync --timeout 15 >/dev/null 2>"$W/psync.$_s" &
		_pids="$_pids $!"
		BGPIDS="$BGPIDS $!"
	done
	_bad=""
	for _p in $_pids; do
		wait "$_p"
		_rc=$?
		[ "$_rc" = 0 ] || _bad="$_bad $1:$_rc($(cat "$W/psync.$1"))"
		shift
	done
	BGPIDS=""
	if [ -n "$_bad" ]; then
		fail "parallel sync" "failed:$_bad"
		return 1
	fi
	return 0
}

# the server's export, into FILE
server_export() { "$DBIN" --db "$SDB" export --json >"$1" 2>/dev/null; }

# export_of CODE FILE
export_of() { st "$1" export --json >"$2" 2>/dev/null; }

# all_equal CODE...: the stations' exports and the server's are
# byte-identical.
all_equal() {
	server_export "$W/x.server" || return 1
	for _s in "$@"; do
		export_of "$_s" "$W/x.$_s" || return 1
		cmp -s "$W/x.$_s" "$W/x.server" || {
			echo "#   $_s differs from the server"
			return 1
		}
	done
	return 0
}

# incident_field FIELD EXPORT: the FIELD of every incident in an export
# (pretty JSON: top-level keys at one tab, incident members at three).
incident_field() {
	awk -v f="$1" '
		/^\t"[^"]*":/ { insec = ($0 ~ /^\t"incidents":/) }
		insec && index($0, "\t\t\t\"" f "\":\t\"") == 1 {
			s = substr($0, length(f) + 9)
			sub(/",?$/, "", s)
			print s
		}' "$2"
}

# qty ITEM DEPOT CODE: the stock a station shows.
qty() {
	st "$3" supply list --item "$1" --depot "$2" --json 2>/dev/null |
		sed -n 's/.*"qty":\([0-9-]*\).*/\1/p'
}

# server_qty ITEM DEPOT: the same, from the server's export.
server_qty() {
	server_export "$W/x.q" || return 1
	awk -v i="$1" -v d="$2" '
		/^\t"[^"]*":/ { insec = ($0 ~ /^\t"stock":/) }
		insec && /^\t\t\t"item":/ { it = $0 }
		insec && /^\t\t\t"depot":/ { de = $0 }
		insec && /^\t\t\t"qty":/ {
			if (index(it, "\"" i "\"") && index(de, "\"" d "\"")) {
				q = $0; sub(/.*:\t/, "", q); sub(/,$/, "", q); print q
			}
		}' "$W/x.q"
}

# queued CODE: operations the station has not had acknowledged.
queued() {
	st "$1" status --json 2>/dev/null |
		sed -n 's/.*"queued":[[:space:]]*\([0-9]*\).*/\1/p'
}

# make_csv FILE PREFIX N: an incident ledger of N rows titled PREFIX-i.
make_csv() {
	{
		echo "title,town,place,received_at,trapped"
		_i=1
		while [ $_i -le "$3" ]; do
			echo "$2-$_i,gucheng,place $_i,2026-11-28 08:00,$((_i % 5))"
			_i=$((_i + 1))
		done
	} >"$1"
}

# dups FILE: lines that occur more than once.
dups() { sort "$1" | uniq -d; }

HAVE_SQL=0
have sqlite3 && HAVE_SQL=1

# acked_ops DB: "station/incarnation/seq" of every local operation
# acknowledged, sorted.
acked_ops() {
	sqlite3 -batch "$1" "SELECT station || '/' || incarnation || '/' || seq \
		FROM ops WHERE local = 1 AND acked = 1" 2>/dev/null | sort
}

# server_ops DB: the same for every operation the server holds with a
# server sequence.
server_ops() {
	sqlite3 -batch "$1" "SELECT station || '/' || incarnation || '/' || seq \
		FROM ops WHERE server_seq IS NOT NULL" 2>/dev/null | sort
}

T_START=$(date +%s)

# ---------------------------------------------------------------------
# Keys and the server.

keys_for linhai datian gucheng dongcheng duqiao jiangnan shangpan kuocang
SDB=$W/server.db
server_up "$SDB"

# ---------------------------------------------------------------------
# a. SIGKILL during concurrent pushes.

NIMP=700            # imported per station: two push frames each
NISSUE=6            # supply issues per station
THREE="linhai datian gucheng"
: >"$W/ids.printed"
: >"$W/titles.expected"
ok=1
for s in $THREE; do
	role=town
	[ $s = linhai ] && role=command
	run st $s init --station $s --role $role --server "$SRV" --pin "$PIN" --key "$(cat "$W/key.$s")"
	[ "$RC" = 0 ] || { ok=0; fail "init $s" "exit $RC"; }
done
[ $ok = 1 ] && pass "three stations made, linked to the server"
BED0=$(qty bed d-datian linhai)
check "every station starts with the same bed stock at d-datian ($BED0)" \
	test -n "$BED0" -a "$(qty bed d-datian datian)" = "$BED0" \
	-a "$(qty bed d-datian gucheng)" = "$BED0"

ISSUED=0
ok=1
for s in $THREE; do
	make_csv "$W/$s.csv" "imp-$s" $NIMP
	sed -n '2,$s/,.*//p' "$W/$s.csv" >>"$W/titles.expected"
	run st $s import incidents "$W/$s.csv"
	[ "$RC" = 0 ] || { ok=0; fail "import at $s" "exit $RC"; }
	i=1
	while [ $i -le 3 ]; do
		run st $s incident add --town gucheng --title "add-$s-$i"
		if [ "$RC" = 0 ] && is_id "$OUT"; then
			cat "$OUT" >>"$W/ids.printed"
			echo "add-$s-$i" >>"$W/titles.expected"
		else
			ok=0
			fail "incident add at $s" "exit $RC"
		fi
		i=$((i + 1))
	done
	# Each station issues less than it holds itself (1+2+...+6 = 21),
	# and the three together less than the stock.
	i=1
	while [ $i -le $NISSUE ]; do
		run st $s supply issue bed $i --depot d-datian --note "issue $s $i"
		if [ "$RC" = 0 ]; then
			ISSUED=$((ISSUED + i))
		else
			ok=0
			fail "supply issue at $s" "exit $RC"
		fi
		i=$((i + 1))
	done
done
[ $ok = 1 ] && pass "each station queued $NIMP imported and 3 typed incidents, $NISSUE issues"
NQ=$(($(queued linhai) + $(queued datian) + $(queued gucheng)))
check "the three queues hold $((3 * (NIMP + 3 + NISSUE))) operations ($NQ)" \
	test "$NQ" = $((3 * (NIMP + 3 + NISSUE)))

# The three syncs at once; the server is killed once the log shows the
# second push frame taken (so some were answered and some not), or after
# 100 polls (well under a second). A fixed delay of 0.2-0.5 s would land
# after the end: three syncs of 709 operations take about 0.15 s.
T0=$(date +%s%N 2>/dev/null)
case $T0 in *[!0-9]*|"") T0=0 ;; esac
P1=""
for s in $THREE; do
	st $s sync --timeout 15 >/dev/null 2>"$W/sync1.$s" &
	P1="$P1 $!"
	BGPIDS="$BGPIDS $!"
done
i=0
while [ $i -lt 100 ]; do
	n=$(grep -c "push from" "$W/server.log")
	[ "$n" -ge 2 ] && break
	sleep 0.005
	i=$((i + 1))
done
kill_server
T1=$(date +%s%N 2>/dev/null)
case $T1 in *[!0-9]*|"") T1=0 ;; esac
RCS=""
for p in $P1; do
	wait "$p"
	RCS="$RCS $?"
done
BGPIDS=""
echo "# SIGKILL $(( (T1 - T0) / 1000000 )) ms after the syncs started," \
	"$n push frame(s) logged; sync exits:$RCS"
for s in $THREE; do echo "#   $s: $(cat "$W/sync1.$s")"; done
bad=0
for r in $RCS; do case $r in 0|5) ;; *) bad=1 ;; esac; done
check "each interrupted sync exits 0 (done in time) or 5 (server gone)" test $bad = 0

# What each station had acknowledged when the server died.
ACKED=0
for s in $THREE; do
	q=$(queued $s)
	a=$((NIMP + 3 + NISSUE - q))
	eval "ACK_$s=$a"
	ACKED=$((ACKED + a))
	[ $HAVE_SQL = 1 ] && acked_ops "$W/$s.db" >"$W/acked.$s"
	echo "#   $s: $a of $((NIMP + 3 + NISSUE)) acknowledged before the kill"
done
TOTAL=$((3 * (NIMP + 3 + NISSUE)))
if [ $ACKED -gt 0 ] && [ $ACKED -lt $TOTAL ]; then
	pass "the kill landed mid-push: $ACKED of $TOTAL acknowledged"
else
	skip "the kill did not land mid-push this time ($ACKED of $TOTAL acknowledged): timing"
fi

check "the killed server's database passes integrity_check" integrity_ok "$SDB"
if start_server "$SDB" "$PORT"; then
	pass "dutydeskd restarts on the same database and port"
else
	fail "dutydeskd restarts" "log: $(tail -n 3 "$W/server.log")"
	finish
fi

# Before anything is pushed again: the server still holds every
# operation it acknowledged.
if [ $HAVE_SQL = 1 ]; then
	server_ops "$SDB" >"$W/server.ops0"
	cat "$W/acked.linhai" "$W/acked.datian" "$W/acked.gucheng" | sort >"$W/acked.all"
	comm -23 "$W/acked.all" "$W/server.ops0" >"$W/acked.lost"
	check "every operation acknowledged before the kill is on the restarted server ($(wc -l <"$W/acked.all" | tr -d ' '))" \
		test ! -s "$W/acked.lost"
	echo "#   the restarted server holds $(wc -l <"$W/server.ops0" | tr -d ' ') operations;" \
		"$(comm -13 "$W/acked.all" "$W/server.ops0" | wc -l | tr -d ' ') of them taken but never acknowledged"
else
	skip "sqlite3 not installed: the per-operation acknowledgement check"
fi

if sync_parallel $THREE; then pass "second round: the three sync again at once"; fi
# The welcome each got: have is never below what it had acknowledged.
ok=1
for s in $THREE; do
	h=$(sed -n "s/.*auth ok: station $s .*; have \([0-9]*\),.*/\1/p" "$W/server.log" | head -n 1)
	eval "a=\$ACK_$s"
	if [ -z "$h" ] || [ "$h" -lt "$a" ]; then
		ok=0
		fail "welcome.have for $s after the restart >= $a acknowledged" "have '$h'"
	fi
done
[ $ok = 1 ] && pass "after the restart, welcome.have covers every station's acknowledged operations"
if sync_all linhai datian gucheng; then pass "third round: one after another"; fi

check "the three exports and the server's are byte-identical" all_equal $THREE
server_export "$W/x.server"
incident_field id "$W/x.server" >"$W/server.ids"
incident_field title "$W/x.server" >"$W/server.titles"
NS=$(wc -l <"$W/server.titles" | tr -d ' ')
NE=$(wc -l <"$W/titles.expected" | tr -d ' ')
check "the server holds $NE incidents ($NS)" test "$NS" = "$NE"
dups "$W/server.titles" >"$W/dup.titles"
check "no incident title twice on the server" test ! -s "$W/dup.titles"
sort "$W/titles.expected" >"$W/te.sorted"
sort "$W/server.titles" >"$W/ts.sorted"
comm -23 "$W/te.sorted" "$W/ts.sorted" >"$W/missing.titles"
check "every imported and typed incident is on the server ($(wc -l <"$W/missing.titles" | tr -d ' ') missing)" \
	test ! -s "$W/missing.titles"
ok=1
while read -r id; do
	c=$(grep -cx "$id" "$W/server.ids")
	[ "$c" = 1 ] || { ok=0; fail "printed id $id on the server once" "found $c times"; }
done <"$W/ids.printed"
[ $ok = 1 ] && pass "every printed incident id is on the server exactly once"
SQ=$(server_qty bed d-datian)
check "bed stock at d-datian = $BED0 - $ISSUED issued = $((BED0 - ISSUED)) (server: $SQ)" \
	test "$SQ" = $((BED0 - ISSUED))
check "every station shows the same stock" \
	test "$(qty bed d-datian linhai)" = "$SQ" -a "$(qty bed d-datian datian)" = "$SQ" \
	-a "$(qty bed d-datian gucheng)" = "$SQ"
check "nothing is queued anywhere" \
	test "$(queued linhai)$(queued datian)$(queued gucheng)" = 000
if [ $HAVE_SQL = 1 ]; then
	server_ops "$SDB" >"$W/server.ops1"
	comm -23 "$W/acked.all" "$W/server.ops1" >"$W/acked.lost"
	check "every operation acknowledged before the kill is still on the server" \
		test ! -s "$W/acked.lost"
	n=$(sqlite3 -batch "$SDB" "SELECT count(*) FROM ops WHERE server_seq IS NOT NULL")
	m=$(sqlite3 -batch "$SDB" "SELECT count(DISTINCT server_seq) FROM ops WHERE server_seq IS NOT NULL")
	h=$(sqlite3 -batch "$SDB" "SELECT max(server_seq) FROM ops")
	check "server sequences are 1..$n without a hole or a repeat (distinct $m, max $h)" \
		test "$n" = "$TOTAL" -a "$m" = "$n" -a "$h" = "$n"
fi
echo "# part a: $(( $(date +%s) - T_START )) s"

# ---------------------------------------------------------------------
# b. A station offline with thousands of operations catches up.

TB=$(date +%s)
NBIG=3200
ok_run "dongcheng made, linked" -- st dongcheng init --station dongcheng \
	--server "$SRV" --pin "$PIN" --key "$(cat "$W/key.dongcheng")"
make_csv "$W/big.csv" "off-dongcheng" $NBIG
ok_run "dongcheng imports $NBIG incidents offline" -- st dongcheng import incidents "$W/big.csv"
check "dongcheng has $NBIG operations queued" test "$(queued dongcheng)" = $NBIG
server_export "$W/x.before"
run st dongcheng sync --timeout 30
check "one sync takes them all: exit 0" test "$RC" = 0
check "its summary counts $NBIG pushed" grep -q "pushed $NBIG, pulled [0-9]*, refused 0" "$ERR"
check "dongcheng has nothing queued" test "$(queued dongcheng)" = 0
server_export "$W/x.server"
incident_field title "$W/x.server" | grep '^off-dongcheng-' >"$W/big.titles"
check "the server holds all $NBIG, once each ($(wc -l <"$W/big.titles" | tr -d ' '))" \
	test "$(wc -l <"$W/big.titles" | tr -d ' ')" = $NBIG -a -z "$(dups "$W/big.titles")"
ok_run "duqiao, a fresh station, made" -- st duqiao init --station duqiao \
	--server "$SRV" --pin "$PIN" --key "$(cat "$W/key.duqiao")"
run st duqiao sync --timeout 30
check "duqiao pulls everything in one sync: exit 0" test "$RC" = 0
check "duqiao pulled (summary: $(cat "$ERR"))" grep -q "pulled [1-9][0-9]*" "$ERR"
check "dongcheng, duqiao and the server: byte-identical exports" all_equal dongcheng duqiao
echo "# part b: $(( $(date +%s) - TB )) s"

# ---------------------------------------------------------------------
# c. A station restored from an old backup.
#
# jiangnan: two reports synced, backup B1, two more reports synced; then
# jiangnan2 is restored from B1 (a new incarnation), takes two reports of
# its own and syncs. The restored copy must get back what jiangnan made
# after the backup, and every report must stay its own incident.

TC=$(date +%s)
ok_run "jiangnan made, linked" -- st jiangnan init --station jiangnan \
	--server "$SRV" --pin "$PIN" --key "$(cat "$W/key.jiangnan")"
expect_id "jiangnan: a report" -- st jiangnan incident add --town gucheng --title rb-early-1
expect_id "jiangnan: another" -- st jiangnan incident add --town gucheng --title rb-early-2
if sync_all jiangnan; then pass "jiangnan syncs them"; fi
ok_run "backup B1 of jiangnan" -- st jiangnan backup "$W/jiangnan.b1"
expect_id "jiangnan after the backup: a report" -- \
	st jiangnan incident add --town gucheng --title rb-after-1
A1=$ID
expect_id "jiangnan after the backup: another" -- \
	st jiangnan incident add --town gucheng --title rb-after-2
A2=$ID
if sync_all jiangnan; then pass "jiangnan syncs what it made after the backup"; fi

ok_run "jiangnan2 restored from B1 (a new incarnation)" -- \
	"$BIN" --db "$W/jiangnan2.db" restore "$W/jiangnan.b1"
INC1=$(st jiangnan status --json | sed -n 's/.*"incarnation":[[:space:]]*"\([0-9a-f]*\)".*/\1/p')
INC2=$(st jiangnan2 status --json | sed -n 's/.*"incarnation":[[:space:]]*"\([0-9a-f]*\)".*/\1/p')
check "the restored copy has its own incarnation ($INC1 -> $INC2)" \
	test -n "$INC2" -a "$INC1" != "$INC2"
expect_id "jiangnan2: a new report" -- st jiangnan2 incident add --town gucheng --title rb-new-1
N1=$ID
expect_id "jiangnan2: another" -- st jiangnan2 incident add --town gucheng --title rb-new-2
N2=$ID
if sync_all jiangnan2; then pass "jiangnan2 syncs"; fi
if sync_all jiangnan2 jiangnan jiangnan2; then pass "another round (jiangnan2, jiangnan, jiangnan2)"; fi
check "jiangnan2, jiangnan and the server: byte-identical exports" all_equal jiangnan2 jiangnan
server_export "$W/x.server"
incident_field title "$W/x.server" >"$W/server.titles"
dups "$W/server.titles" >"$W/dup.titles"
check "no incident title twice on the server" test ! -s "$W/dup.titles"
export_of jiangnan2 "$W/x.j2"
incident_field title "$W/x.j2" >"$W/j2.titles"
missing=""
for t in rb-after-1 rb-after-2; do
	grep -qx "$t" "$W/j2.titles" || missing="$missing $t"
done
if [ -z "$missing" ]; then
	pass "the reports made after the backup are pulled back into jiangnan2"
else
	fail "the reports made after the backup are pulled back into jiangnan2" \
		"missing titles:$missing" \
		"ids: after the backup $A1 $A2; made on the restored copy $N1 $N2" \
		"incident $A1 is now titled '$(st jiangnan2 incident show "$A1" --json 2>/dev/null | sed -n 's/.*"title":[[:space:]]*"\([^"]*\)".*/\1/p' | head -n 1)'"
fi
check "the restored copy's new reports got ids not used before ($N1 $N2; after the backup $A1 $A2)" \
	test "$N1" != "$A1" -a "$N1" != "$A2" -a "$N2" != "$A1" -a "$N2" != "$A2"
missing=""
for t in rb-early-1 rb-early-2 rb-after-1 rb-after-2 rb-new-1 rb-new-2; do
	grep -qx "$t" "$W/server.titles" || missing="$missing $t"
done
if [ -z "$missing" ]; then pass "all six jiangnan reports are on the server, each its own incident"; else
	fail "all six jiangnan reports are on the server, each its own incident" \
		"missing:$missing"; fi
check "jiangnan2 has nothing queued (queued: $(queued jiangnan2))" \
	test "$(queued jiangnan2)" = 0

# The same with supply issues: shangpan issues after its backup and
# syncs; shangpan2, restored from the backup, issues too and syncs.
ok_run "shangpan made, linked, synced" -- st shangpan init --station shangpan \
	--server "$SRV" --pin "$PIN" --key "$(cat "$W/key.shangpan")"
run st shangpan sync --timeout 15
ok_run "backup B3 of shangpan" -- st shangpan backup "$W/shangpan.b3"
expect_id "shangpan after the backup: issues 2 beds" -- \
	st shangpan supply issue bed 2 --depot d-datian
M1=$ID
ISSUED=$((ISSUED + 2))
if sync_all shangpan; then pass "shangpan syncs its issue"; fi
ok_run "shangpan2 restored from B3" -- "$BIN" --db "$W/shangpan2.db" restore "$W/shangpan.b3"
expect_id "shangpan2: issues 1 bed" -- st shangpan2 supply issue bed 1 --depot d-datian
M2=$ID
ISSUED=$((ISSUED + 1))
run st shangpan2 sync --timeout 15
check "shangpan2 syncs: exit 0 (movement ids $M1 and $M2)" test "$RC" = 0
if [ "$RC" != 0 ]; then
	echo "#   shangpan2 sync: $(cat "$ERR")"
	grep "shangpan" "$W/server.log" | grep -i "not taken\|failed" | head -n 2 |
		sed 's/^/#   server log: /'
fi
run st shangpan2 sync --timeout 15
run st shangpan sync --timeout 15
SQ=$(server_qty bed d-datian)
check "bed stock = $BED0 - $ISSUED, every issue once (server: $SQ)" \
	test "$SQ" = $((BED0 - ISSUED))
check "shangpan2 has nothing queued (queued: $(queued shangpan2))" \
	test "$(queued shangpan2)" = 0
if sync_all linhai; then pass "another station still syncs meanwhile"; fi

# The known limitation: an operation that only the backup held (made,
# never synced, then the station lost) cannot be sent by the restored
# copy: it belongs to the old incarnation.
ok_run "kuocang made, linked" -- st kuocang init --station kuocang \
	--server "$SRV" --pin "$PIN" --key "$(cat "$W/key.kuocang")"
expect_id "kuocang: a report, synced" -- st kuocang incident add --town gucheng --title kc-synced
if sync_all kuocang; then pass "kuocang syncs"; fi
expect_id "kuocang: a report never synced" -- \
	st kuocang incident add --town gucheng --title kc-only-in-backup
ok_run "backup B2 of kuocang; then kuocang is lost" -- st kuocang backup "$W/kuocang.b2"
rm -f "$W/kuocang.db" "$W/kuocang.db-wal" "$W/kuocang.db-shm"
ok_run "kuocang2 restored from B2" -- "$BIN" --db "$W/kuocang2.db" restore "$W/kuocang.b2"
run st kuocang2 sync --timeout 15
KRC=$RC
KMSG=$(cat "$ERR")
run st kuocang2 sync --timeout 15
KMSG2=$(cat "$ERR")
KQ=$(queued kuocang2)
server_export "$W/x.server"
if incident_field title "$W/x.server" | grep -qx kc-only-in-backup; then
	pass "the operation only the backup held reached the server"
else
	T=$((T + 1))
	echo "ok $T - # SKIP known limitation: old-incarnation operations stranded (see notes)"
	echo "#   kuocang2 sync exit $KRC: $KMSG"
	echo "#   second sync: $KMSG2"
	echo "#   kuocang2 status: $KQ queued; the server has no 'kc-only-in-backup'"
fi
echo "# part c: $(( $(date +%s) - TC )) s"

# The last server: stopped by SIGTERM, exit 0, and (under sanitizers)
# nothing reported in its log.
SRC=""
if [ -n "$SPID" ]; then
	kill -TERM "$SPID" 2>/dev/null
	wait "$SPID"
	SRC=$?
	SPID=""
fi
check "dutydeskd stops on SIGTERM with exit 0 (exit $SRC)" test "$SRC" = 0
if grep -q "Sanitizer\|runtime error" "$W/server.log"; then
	fail "the server's log has no sanitizer report" \
		"$(grep -m 3 "Sanitizer\|runtime error" "$W/server.log")"
else
	pass "the server's log has no sanitizer report"
fi
echo "# total $(( $(date +%s) - T_START )) s"
finish
