#!/bin/sh
# make.sh - how the schema-1 fixtures beside this script were made, with
# the dutydesk and dutydeskd of commit 9bd3f17 (the last with schema 1):
#
#	git worktree add /tmp/v1 9bd3f17 && make -C /tmp/v1
#	OLD=/tmp/v1 tests/data/schema1/make.sh
#
# A county of two stations and its server: the town datian (two reports
# taken, one with a team sent and supplies issued, one taken after the
# last sync and still waiting to be pushed) and the command station
# linhai (a typhoon response started, a report of its own), synced
# through the server in turn so each holds the other's operations.
# Written here: each database as gzipped SQL, its export --json, and the
# server's keys file. tests/shell/migrate.sh opens them with today's
# binaries.
set -eu
OLD=${OLD:?set OLD to a built tree of commit 9bd3f17}
OUTDIR=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
trap 'kill "$SPID" 2>/dev/null; rm -rf "$W"' EXIT
SPID=
export DUTYDESK_ASSETS="$OLD/assets" DUTYDESK_TZ=Asia/Shanghai
unset DUTYDESK_DB DUTYDESK_LANG
D="$OLD/dutydesk"
"$OLD/dutydeskd" keygen datian --role town --keys "$W/keys" >"$W/key.datian"
"$OLD/dutydeskd" keygen linhai --role command --keys "$W/keys" >"$W/key.linhai"
PORT=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000 + 20000 ))
"$OLD/dutydeskd" --listen "127.0.0.1:$PORT" --db "$W/server.db" \
	--keys "$W/keys" 2>"$W/server.log" &
SPID=$!
sleep 1
"$D" --db "$W/datian.db" init --station datian --server "127.0.0.1:$PORT" \
	--key "$(cat "$W/key.datian")" >/dev/null
"$D" --db "$W/linhai.db" init --station linhai --role command \
	--server "127.0.0.1:$PORT" --key "$(cat "$W/key.linhai")" >/dev/null
a() { DUTYDESK_OFFICER=$1; export DUTYDESK_OFFICER; shift; "$D" "$@"; }
i1=$(a 王芳 --db "$W/datian.db" incident add --town datian \
	--title "大田村道路塌方" --place "村口" --trapped 2)
a 王芳 --db "$W/datian.db" incident report first "$i1" --channel phone >/dev/null
team=$(a 王芳 --db "$W/datian.db" team list --town datian --json |
	sed -n 's/.*"id": *"\([^"]*\)".*/\1/p' | head -n 1)
a 王芳 --db "$W/datian.db" dispatch "$team" "$i1" >/dev/null
item=$(a 王芳 --db "$W/datian.db" supply list --json |
	sed -n 's/.*"item": *"\([^"]*\)".*/\1/p' | head -n 1)
depot=$(a 王芳 --db "$W/datian.db" supply list --json |
	sed -n 's/.*"depot": *"\([^"]*\)".*/\1/p' | head -n 1)
a 王芳 --db "$W/datian.db" supply issue "$item" 3 --depot "$depot" >/dev/null
a 李明 --db "$W/linhai.db" response start typhoon IV --signed-by 张局 >/dev/null
a 李明 --db "$W/linhai.db" incident add --town gucheng --title "古城水位上涨" \
	>/dev/null
a 王芳 --db "$W/datian.db" sync >/dev/null
a 李明 --db "$W/linhai.db" sync >/dev/null
a 王芳 --db "$W/datian.db" sync >/dev/null
a 赵强 --db "$W/datian.db" incident add --town datian --title "积水" >/dev/null
kill "$SPID"
wait "$SPID" 2>/dev/null || :
SPID=
for s in datian linhai; do
	"$D" --db "$W/$s.db" export --json | gzip -9n >"$OUTDIR/$s.export.json.gz"
done
"$OLD/dutydeskd" --db "$W/server.db" export --json |
	gzip -9n >"$OUTDIR/server.export.json.gz"
# .dump leaves out the header's application id and schema version.
for s in datian linhai server; do
	{
		sqlite3 "$W/$s.db" .dump
		echo "PRAGMA application_id = $(sqlite3 "$W/$s.db" \
			'PRAGMA application_id');"
		echo "PRAGMA user_version = $(sqlite3 "$W/$s.db" \
			'PRAGMA user_version');"
	} | gzip -9n >"$OUTDIR/$s.sql.gz"
done
cp "$W/keys" "$OUTDIR/keys"
