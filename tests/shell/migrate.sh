#!/bin/sh
# migrate.sh - a county upgrading from schema 1: two stations and the
# server, made and synced by the binaries of commit 9bd3f17 (see
# tests/data/schema1/make.sh), opened by today's, which run every later
# step (2: the log laid out for appends; 3: who created each record id;
# 4: the server's state a projection; 5: the people on duty, with the
# seed's contacts; 6: the county picture, written reports made before it
# signed when made). Each database is upgraded in place when first opened
# and exports what it did before (and the seed's contacts, and the empty
# arrays of what schemas 5 and 6 add); what each holds is known exactly (heads and
# gaps), so syncing again pushes only what was waiting, doubles nothing,
# and converges.
#
# Run from the repository root: sh tests/shell/migrate.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

need_dutydeskd
CLEANUP='stop_server'
FIX=$PWD/tests/data/schema1

d() { "$BIN" --db "$W/datian.db" "$@"; }
l() { "$BIN" --db "$W/linhai.db" "$@"; }
SDB=$W/server.db

for s in datian linhai server; do
	zcat "$FIX/$s.sql.gz" | sqlite3 -batch "$W/$s.db"
	zcat "$FIX/$s.export.json.gz" >"$W/$s.before"
done
check "the fixtures are schema 1" \
	test "$(sqlite "$W/datian.db" 'PRAGMA user_version')" = 1
n_ops_before=$(sqlite "$W/datian.db" 'SELECT count(*) FROM ops')

# The export of schema 5 less what it adds: the people on duty (the
# seed's contacts, and nothing else yet), the log's unrostered marks
# (none) and each warning's people (none), and the digest over it all.
# 391 contacts: the seed's shelters with a manager and teams with a
# leader.
SEEDED=$(python3 -c "import json; c=json.load(open('assets/seed/county.json'))
print(sum(1 for s in c['shelters'] if s.get('manager') and s.get('phone')) +
      sum(1 for t in c['teams'] if t.get('leader') and t.get('phone')))")
same_as_before() {
	python3 - "$1" "$2" "$SEEDED" <<'PY'
import json, sys
now, before = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert len(now.pop('contacts')) == int(sys.argv[3]), 'the seed contacts'
for k in ('settings', 'roster', 'calls', 'checks', 'stats', 'signoffs',
          'requests', 'risk_points'):
    assert now.pop(k) == [], k
for e in now['log']:
    assert e.pop('unrostered') == 0
for w in now['warnings']:
    assert w.pop('people') == []
    assert w.pop('risks') == []
# A written report made before schema 6 counted when it was made: it
# stays signed at that time, by nobody named.
for i in now['incidents']:
    for r in i['reports']:
        want = r['at'] if r['channel'] == 'written' else None
        assert r.pop('signed_at') == want, r
        assert r.pop('signed_by') is None and r.pop('signed_name') is None
now.pop('digest'); before.pop('digest')
assert now == before
PY
}

# ---- opened by today's binaries: upgraded, the same state ----
run d export --json
check "datian upgraded on opening exports what it did before" \
	same_as_before "$OUT" "$W/datian.before"
run l export --json
check "linhai too" same_as_before "$OUT" "$W/linhai.before"
run "$DBIN" --db "$SDB" export --json
check "the server's database too" same_as_before "$OUT" "$W/server.before"
for s in datian linhai server; do
	check "$s is at schema 6" \
		test "$(sqlite "$W/$s.db" 'PRAGMA user_version')" = 6
	check "$s: its state holds its whole log (projected = its head)" \
		test "$(sqlite "$W/$s.db" "SELECT value = (SELECT coalesce(max(
		server_seq), 0) FROM ops) FROM meta WHERE key = 'projected'")" = 1
	check "$s knows which operation created each record id" test "$(sqlite \
		"$W/$s.db" "SELECT count(*) FROM creators c JOIN ops o ON
		o.entity = c.id AND o.station = c.station AND o.incarnation =
		c.incarnation AND o.seq = c.seq")" = "$(sqlite "$W/$s.db" "SELECT
		count(DISTINCT entity) FROM ops WHERE kind IN ('incident.open',
		'incident.report', 'response.decide', 'dispatch.create',
		'supply.move', 'warning.issue', 'warning.answer', 'log.add',
		'contact.add', 'roster.add', 'call.log', 'check.log')")"
	if integrity_ok "$W/$s.db"; then
		pass "$s passes the integrity check"
	else
		fail "$s passes the integrity check" "$_ic"
	fi
done
check "every operation kept, and the seed's contacts added" \
	test "$(sqlite "$W/datian.db" 'SELECT count(*) FROM ops')" = \
	"$((n_ops_before + SEEDED))"
check "as operations of the seed after the rest of it" test "$(sqlite \
	"$W/datian.db" "SELECT count(*) FROM ops WHERE station = 'seed' AND
	kind = 'contact.add' AND seq > (SELECT max(seq) FROM ops WHERE station =
	'seed' AND kind <> 'contact.add')")" = "$SEEDED"
check "a head for each incarnation held, at its last sequence" test "$(sqlite \
	"$W/datian.db" "SELECT count(*) FROM heads h WHERE seq = (SELECT max(seq)
	FROM ops o WHERE o.station = h.station AND o.incarnation = h.incarnation)
	AND n = (SELECT n FROM ops o WHERE o.station = h.station AND
	o.incarnation = h.incarnation AND o.seq = h.seq)")" = \
	"$(sqlite "$W/datian.db" "SELECT count(DISTINCT station || '/' ||
	incarnation) FROM ops")"
check "who opened each incident is kept on it" test "$(sqlite \
	"$W/datian.db" "SELECT opened_by FROM incidents WHERE title = '积水'")" = 赵强
run d status --json
check "the upgraded town still has one operation waiting" \
	grep -q '"queued":[[:space:]]*1,' "$OUT"

# ---- and they go on syncing with the upgraded server ----
cp "$FIX/keys" "$W/keys"
chmod 600 "$W/keys"
server_up "$SDB"
d link --server "$SRV" --pin "$PIN" --key "$(sqlite "$W/datian.db" \
	"SELECT value FROM meta WHERE key = 'server_key'")" >/dev/null 2>&1
l link --server "$SRV" --pin "$PIN" --key "$(sqlite "$W/linhai.db" \
	"SELECT value FROM meta WHERE key = 'server_key'")" >/dev/null 2>&1
run d sync
check "datian syncs: pushes its one waiting operation, pulls nothing" \
	grep -q "pushed 1, pulled 0, refused 0" "$ERR"
run l sync
check "linhai pulls just that one" grep -q "pushed 0, pulled 1, refused 0" "$ERR"
expect_id "a new report after the upgrade" -- d incident add --town datian \
	--title "涵洞积水"
run d sync
run l sync
check "linhai gets it" grep -q "pulled 1," "$ERR"
d export --json >"$W/x.datian" 2>/dev/null
l export --json >"$W/x.linhai" 2>/dev/null
"$DBIN" --db "$SDB" export --json >"$W/x.server" 2>/dev/null
check "the three export the same bytes" \
	sh -c 'cmp -s "$1" "$2" && cmp -s "$1" "$3"' - "$W/x.datian" \
	"$W/x.linhai" "$W/x.server"
check "nothing doubled on the server (one row per identity)" test "$(sqlite \
	"$SDB" "SELECT count(*) - count(DISTINCT station || '/' || incarnation ||
	'/' || seq) FROM ops")" = 0
check "the server's sequence has no repeats" test "$(sqlite "$SDB" \
	"SELECT count(server_seq) - count(DISTINCT server_seq) FROM ops")" = 0
stop_server
finish
