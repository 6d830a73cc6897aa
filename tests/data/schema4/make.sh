#!/bin/sh
# make.sh - how the schema-4 fixture beside this script was made, with
# the dutydesk of commit 9bd02e0 (the last with schema 4, before the
# people on duty):
#
#	git archive 9bd02e0 | tar -x -C /tmp/v4 && make -C /tmp/v4
#	OLD=/tmp/v4 tests/data/schema4/make.sh
#
# The town datian, seeded from the county's assets, with two records of
# its own after the seed (an incident and a duty log note). Written
# here: the database as gzipped SQL. tests/unit/test_upgrade.c opens it
# with today's code, which upgrades it to schema 5.
set -eu
OLD=${OLD:?set OLD to a built tree of commit 9bd02e0}
OUTDIR=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export DUTYDESK_ASSETS="$OLD/assets" DUTYDESK_TZ=Asia/Shanghai
export DUTYDESK_OFFICER=王芳
unset DUTYDESK_DB DUTYDESK_LANG
D="$OLD/dutydesk"
"$D" --db "$W/datian.db" init --station datian >/dev/null
"$D" --db "$W/datian.db" incident add --town datian --title "大田村道路塌方" \
	--place "村口" --trapped 2 >/dev/null
"$D" --db "$W/datian.db" log add "交接班前巡查一遍" >/dev/null
# .dump leaves out the header's application id and schema version.
{
	sqlite3 "$W/datian.db" .dump
	echo "PRAGMA application_id = $(sqlite3 "$W/datian.db" \
		'PRAGMA application_id');"
	echo "PRAGMA user_version = $(sqlite3 "$W/datian.db" \
		'PRAGMA user_version');"
} | gzip -9n >"$OUTDIR/datian.sql.gz"
