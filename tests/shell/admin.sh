#!/bin/sh
# admin.sh - what the county's administrator reads off the server's
# database, with the server running: `dutydeskd --db FILE log` (the
# operations in server order, for audit; --json, --station, --realm) and
# `dutydeskd --db FILE backup OUT` (an online copy that opens as a server
# database of its own while stations go on pushing). Bad input of each:
# exit 2 with one line first, refusals exit 1, a missing database exit 3.
#
# Run from the repository root: sh tests/shell/admin.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

need_dutydeskd
CLEANUP='stop_server'
SDB=$W/county.db
keys_for datian gucheng
server_up "$SDB"
dk() { "$DBIN" --db "$SDB" "$@"; }
st() { _s=$1; shift; "$BIN" --db "$W/$_s.db" "$@"; }

for s in datian gucheng; do
	ok_run "init $s with the server" -- st $s init --station $s --role town \
		--server "$SRV" --pin "$PIN" --key "$(cat "$W/key.$s")"
done
expect_id "datian logs a note" -- st datian log add 第一条
expect_id "datian reports an incident" -- st datian incident add \
	--town 大田街道 --title 山洪
INC=$ID
expect_id "gucheng logs a note" -- st gucheng log add 古城记录
ok_run "datian syncs" -- st datian sync --timeout 10
ok_run "gucheng syncs" -- st gucheng sync --timeout 10

# ---------------------------------------------------------------------
# log

ok_run "log on the running server's database" -- dk log
check "three operations, one line each" test "$(nlines "$OUT")" = 3
check "in server order: 1, 2, 3" sh -c 'cut -f1 "$1" | tr "\n" " " |
	grep -qx "1 2 3 "' _ "$OUT"
check "each says station, incarnation, seq, kind and record" \
	grep -q "^2	datian	[0-9a-f]\{16\}	2	incident.open	$INC\$" "$OUT"
ok_run "log --station gucheng" -- dk log --station gucheng
check "only gucheng's line" sh -c 'test "$(wc -l <"$1")" = 1 &&
	grep -q "	gucheng	" "$1"' _ "$OUT"
ok_run "log --json" -- dk log --json
if have python3; then
	check "log --json is an array of flat objects, 64-bit values as strings" \
		python3 -c 'import json,sys; v=json.load(open(sys.argv[1]));
sys.exit(0 if len(v)==3 and v[1]["sseq"]=="2" and v[1]["seq"]=="2" and
v[1]["entity"]==sys.argv[2] and all(set(o)=={"sseq","station",
"incarnation","seq","kind","entity"} for o in v) else 1)' "$OUT" "$INC"
else
	check "log --json holds the incident's row" grep -q "\"entity\":\"$INC\"" "$OUT"
fi
ok_run "log --json --station nobody: an empty array" -- \
	dk log --json --station nobody
check "the empty array is [ and ]" sh -c 'test "$(tr -d "\n" <"$1")" = "[]"' \
	_ "$OUT"
usage_error "log --station with a space: usage" -- dk log --station "a b"
usage_error "log with an argument: usage" -- dk log extra
usage_error "log --keys: usage" -- dk log --keys "$W/keys"
usage_error "log --realm Drill: usage" -- dk log --realm Drill
usage_error "log without --db: usage" -- "$DBIN" log
expect_exit 3 "log of a realm the server never held: exit 3" -- \
	dk log --realm drill-none
expect_exit 3 "log of a missing database: exit 3" -- \
	"$DBIN" --db "$W/none.db" log
check "the missing database was not made" test ! -e "$W/none.db"

# ---------------------------------------------------------------------
# backup, while a station keeps pushing

(
	i=0
	while [ $i -lt 20 ]; do
		st datian log add "推送 $i" >/dev/null 2>&1
		st datian sync --timeout 10 >/dev/null 2>&1
		i=$((i + 1))
	done
) &
PUSHER=$!
ok_run "backup while datian pushes" -- dk backup "$W/copy.db"
check "it says what it wrote" grep -q "copy.db written" "$ERR"
wait "$PUSHER"
if have sqlite3; then
	check "the copy passes integrity_check" sh -c \
		'test "$(sqlite3 "$1" "PRAGMA integrity_check")" = ok' _ "$W/copy.db"
fi
ok_run "the copy opens as a server database: its log" -- \
	"$DBIN" --db "$W/copy.db" log
check "it holds at least the three before the backup" \
	test "$(nlines "$OUT")" -ge 3
check "and no hole in its server sequence" sh -c 'cut -f1 "$1" |
	awk "\$1 != NR { exit 1 }"' _ "$OUT"
ok_run "the copy exports" -- "$DBIN" --db "$W/copy.db" export --json
expect_exit 1 "a backup never overwrites a file" -- dk backup "$W/copy.db"
usage_error "backup without a file: usage" -- dk backup
usage_error "backup --json: usage" -- dk backup "$W/x.db" --json
usage_error "backup --station: usage" -- dk backup "$W/x.db" --station x
expect_exit 3 "backup of a missing database: exit 3" -- \
	"$DBIN" --db "$W/none.db" backup "$W/y.db"
check "nothing was written for it" test ! -e "$W/y.db"
expect_exit 3 "backup into a directory that is not there: exit 3" -- \
	dk backup "$W/no/such/dir/z.db"

stop_server
finish
