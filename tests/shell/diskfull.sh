#!/bin/sh
# diskfull.sh - a full disk: incidents are added one after another until a
# command fails. The failure must be exit 4 with a one-line message saying
# the disk is full, and afterwards the database opens, passes PRAGMA
# integrity_check, holds every id that was printed and nothing more (no
# half-written incident). (a) with a file-size limit (ulimit -f), which
# also checks an import and a backup that run out of room; (b) on a tiny
# tmpfs, when running as root and mount is allowed.
#
# Run from the repository root: sh tests/shell/diskfull.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

MNT=""
CLEANUP='[ -n "$MNT" ] && umount "$MNT" 2>/dev/null; :'
MAX=1500          # bound on the incidents one fill may add

# ulimit -f counts 512-byte blocks in some shells (dash, POSIX) and
# 1024-byte blocks in others (bash): measure which.
(
	ulimit -f 1
	trap '' XFSZ
	head -c 1000 /dev/zero >"$W/blk" 2>/dev/null
)
BLK=1024
[ "$(wc -c <"$W/blk")" -lt 1000 ] && BLK=512

count_incidents() {
	"$BIN" --db "$1" incident list --all --json 2>/dev/null | tr '{' '\n' |
		sed -n 's/.*"id":"\([^"]*\)".*/\1/p' | sort
}

# fill LABEL DB LIMIT: add incidents until one fails, under ulimit -f
# LIMIT blocks (none if LIMIT is empty). Printed ids go to $W/LABEL.ids,
# the failing command's status, stdout and stderr to $W/LABEL.rc, .out
# and .err; $W/LABEL.n is how many were added.
fill() {
	: >"$W/$1.ids"
	rm -f "$W/$1.rc"
	(
		[ -n "$3" ] && ulimit -f "$3"
		i=0
		while [ "$i" -lt "$MAX" ]; do
			i=$((i + 1))
			"$BIN" --db "$2" incident add --town datian --title "满了 $i" \
				--place "某某村某某组 $i" --trapped 1 >"$W/$1.out" 2>"$W/$1.err"
			rc=$?
			if [ "$rc" != 0 ]; then
				echo "$rc" >"$W/$1.rc"
				break
			fi
			while IFS= read -r l; do echo "$l"; done <"$W/$1.out" >>"$W/$1.ids"
		done
		echo "$i" >"$W/$1.n"
	)
}

# after_full LABEL DB: the checks once the disk is full.
after_full() {
	_lab=$1
	_db=$2
	_n=$(cat "$W/$_lab.n")
	if [ -s "$W/$_lab.rc" ]; then
		pass "$_lab: a command failed after $((_n - 1)) incidents"
	else
		fail "$_lab: a command failed within $MAX incidents"
		return
	fi
	cp "$W/$_lab.err" "$ERR"
	cp "$W/$_lab.out" "$OUT"
	RC=$(cat "$W/$_lab.rc")
	_problems 4
	_report "$_lab: the failing incident add exits 4, one line, nothing on stdout" \
		"incident add (disk full)"
	if grep -Eqi 'disk (is )?full|no space' "$W/$_lab.err"; then
		pass "$_lab: the message says the disk is full"
	else
		fail "$_lab: the message says the disk is full"
	fi
}

# state_ok LABEL FILES DB: the database after the failure; FILES names the
# $W/FILES.ids of the ids printed so far.
state_ok() {
	_lab=$1
	_f=$W/$2
	_db=$3
	expect_exit 0 "$_lab: the database opens (status)" -- "$BIN" --db "$_db" status
	if integrity_ok "$_db"; then pass "$_lab: PRAGMA integrity_check: ok"
	else fail "$_lab: PRAGMA integrity_check: ok" "$_ic"; fi
	count_incidents "$_db" >"$_f.held"
	sort -u "$_f.ids" >"$_f.printed"
	_lost=$(comm -23 "$_f.printed" "$_f.held" | head -n 5)
	_extra=$(comm -13 "$_f.printed" "$_f.held" | head -n 5)
	_nh=$(grep -c . "$_f.held")
	_np=$(grep -c . "$_f.ids")
	if [ -z "$_lost" ]; then
		pass "$_lab: every printed id is there ($_np)"
	else
		fail "$_lab: every printed id is there" "lost: $(echo $_lost)"
	fi
	if [ -z "$_extra" ] && [ "$_nh" = "$_np" ]; then
		pass "$_lab: incidents held == ids printed (no half-written incident)"
	else
		fail "$_lab: incidents held == ids printed (no half-written incident)" \
			"held $_nh, printed $_np, not printed: $(echo $_extra)"
	fi
}

# ---------------------------------------------------------------------
# (a) a file-size limit

DB=$W/limit.db
expect_exit 0 "limit: init a town station" -- "$BIN" --db "$DB" init --station datian
size0=$(wc -c <"$DB")
LIMIT=$(((size0 + 128 * 1024) / BLK))
echo "# ulimit -f blocks of $BLK bytes; database $size0 bytes, limit $LIMIT blocks"
fill limit "$DB" "$LIMIT"
after_full limit "$DB"
state_ok limit limit "$DB"

# Still under the limit: an import of a ledger, too big to fit, is refused
# as a whole; a backup that does not fit leaves no half file behind.
awk 'BEGIN { print "title,town,place,trapped"
	for (i = 1; i <= 3000; i++) printf "ledger %d,datian,row %d,%d\n", i, i, i % 5 }' \
	>"$W/ledger.csv"
n0=$(count_incidents "$DB" | grep -c .)
run sh -c 'ulimit -f "$1"; shift; exec "$@"' sh "$LIMIT" \
	"$BIN" --db "$DB" import incidents "$W/ledger.csv"
_problems 4
_report "limit: import of a ledger that does not fit: exit 4, one line" "import incidents"
check "limit: the import's message says the disk is full" grep -Eqi 'disk (is )?full|no space' "$ERR"
n1=$(count_incidents "$DB" | grep -c .)
check "limit: the import loaded nothing ($n0 -> $n1)" test "$n0" = "$n1"
run sh -c 'ulimit -f "$1"; shift; exec "$@"' sh $((size0 / 2 / BLK)) \
	"$BIN" --db "$DB" backup "$W/half.db"
_problems 4
_report "limit: a backup that does not fit: exit 4, one line" "backup"
check "limit: the backup's message says the disk is full" grep -Eqi 'disk (is )?full|no space' "$ERR"
check "limit: no half-written backup left" test ! -e "$W/half.db"

# Without the limit the station works again.
expect_id "limit: incident add works again without the limit" -- \
	"$BIN" --db "$DB" incident add --town datian --title 恢复
echo "$ID" >>"$W/limit.ids"
state_ok "limit, recovered" limit "$DB"

# ---------------------------------------------------------------------
# (b) a tiny tmpfs

if [ "$(id -u)" != 0 ]; then
	skip "tmpfs not available (not root)"
	finish
fi
mkdir -p "$W/mnt"
# Room for the seeded database and about 128k more.
TDB=$W/tmpfs-src.db
"$BIN" --db "$TDB" init --station datian 2>/dev/null
size1=$(wc -c <"$TDB")
KB=$(((size1 + 128 * 1024) / 1024))
if mount -t tmpfs -o "size=${KB}k,mode=0755" dutydesk-test "$W/mnt" 2>/dev/null; then
	MNT=$W/mnt
	echo "# tmpfs of ${KB}k for a database of $size1 bytes"
	cp "$TDB" "$MNT/station.db"
	DB=$MNT/station.db
	fill tmpfs "$DB" ""
	after_full tmpfs "$DB"
	# On the full disk: reading still works, and so does the database.
	expect_exit 0 "tmpfs: status still works on the full disk" -- "$BIN" --db "$DB" status
	state_ok tmpfs tmpfs "$DB"
	# More room (tmpfs grows by remount): the station takes reports again.
	if mount -o "remount,size=$((KB + 512))k" "$MNT" 2>/dev/null; then
		expect_id "tmpfs: incident add works again with room" -- \
			"$BIN" --db "$DB" incident add --town datian --title 恢复
		echo "$ID" >>"$W/tmpfs.ids"
		state_ok "tmpfs, recovered" tmpfs "$DB"
	else
		skip "tmpfs: remount with more room not allowed"
	fi
	umount "$MNT"
	check "tmpfs: unmounted" test $? = 0
	MNT=""
else
	skip "tmpfs not available"
fi

finish
