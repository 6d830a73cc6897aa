#!/bin/sh
# streams.sh - shell_run(argc, argv, out, err) writes what a verb prints to
# out and every message to err, and nothing to stdout or stderr. A small
# program links the shell from the build tree and runs each command line
# with two memory streams; the same line is run by dutydesk on a twin
# database. Both must give the same exit code, the memory streams must
# hold exactly what dutydesk wrote to stdout and stderr, and the program's
# own stdout and stderr must stay empty. On a terminal, a memory stream
# is no terminal: no command is the station summary, not the console.
#
# Run from the repository root after `make all`: sh tests/shell/streams.sh
# (BUILD picks the object directory, build/rel by default; make test
# passes its own).
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

BUILD=${BUILD:-build/rel}
PKGS="ncursesw sqlite3 libuv libcjson libsodium openssl"
SAN=""
case $BUILD in *san*) SAN="-fsanitize=address,undefined" ;; esac

# The program: shell_run on two memory streams, their contents written to
# the files named first, the rest of argv the command line.
cat >"$W/streams.c" <<'EOF'
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "tui/tui.h"

static int
keep(const char *path, const char *buf, size_t n)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	if (n && fwrite(buf, 1, n, f) != n) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

int
main(int argc, char **argv)
{
	char *obuf = NULL, *ebuf = NULL;
	size_t on = 0, en = 0;
	FILE *out, *err;
	int rc;

	if (argc < 4)
		return 100;
	setlocale(LC_ALL, "");
	out = open_memstream(&obuf, &on);
	err = open_memstream(&ebuf, &en);
	if (!out || !err)
		return 101;
	rc = shell_run(argc - 3, argv + 3, out, err);
	fclose(out);
	fclose(err);
	if (keep(argv[1], obuf, on) || keep(argv[2], ebuf, en))
		rc = 102;
	free(obuf);
	free(ebuf);
	return rc;
}
EOF

DRV=$W/streams
objs=""
# The objects of today's sources only: a build tree may keep objects of
# files since removed.
for c in tui/*.c sync/*.c core/*.c; do
	case $c in tui/main.c | sync/dutydeskd.c) continue ;; esac
	o="$BUILD/${c%.c}.o"
	[ -f "$o" ] && objs="$objs $o"
done
if [ -z "$objs" ] || [ ! -f "$BUILD/tui/shell.o" ]; then
	skip "no objects in $BUILD (make all first)"
	finish
fi
# shellcheck disable=SC2086 # the lists are split on purpose
if ${CC:-cc} -std=c11 -D_GNU_SOURCE -I. $SAN $(pkg-config --cflags $PKGS) \
	-o "$DRV" "$W/streams.c" $objs $(pkg-config --libs $PKGS) 2>"$ERR"; then
	pass "a program links shell_run from $BUILD"
else
	fail "a program links shell_run from $BUILD"
	finish
fi

mkdir -p "$W/mem" "$W/std"
# same DESC -- ARGS...: the command line in $W/mem by shell_run and in
# $W/std by dutydesk, each on its own station.db: same exit code, same
# output, same messages, and the program's stdout and stderr empty.
same() {
	_desc=$1
	shift
	[ "${1:-}" = "--" ] && shift
	(cd "$W/mem" && "$DRV" "$W/m.out" "$W/m.err" dutydesk --db station.db "$@" \
		</dev/null >"$W/d.out" 2>"$W/d.err")
	_mrc=$?
	(cd "$W/std" && "$BIN" --db station.db "$@" </dev/null >"$OUT" 2>"$ERR")
	RC=$?
	_p=""
	[ "$_mrc" = "$RC" ] || _p="exit $_mrc, dutydesk exits $RC"
	[ -s "$W/d.out" ] && _p="${_p:+$_p; }stdout: $(head -c 200 "$W/d.out")"
	[ -s "$W/d.err" ] && _p="${_p:+$_p; }stderr: $(head -c 200 "$W/d.err")"
	cmp -s "$W/m.out" "$OUT" ||
		_p="${_p:+$_p; }out differs: '$(head -c 200 "$W/m.out")' vs '$(head -c 200 "$OUT")'"
	cmp -s "$W/m.err" "$ERR" ||
		_p="${_p:+$_p; }err differs: '$(head -c 200 "$W/m.err")' vs '$(head -c 200 "$ERR")'"
	_report "$_desc" "$*"
}

# A record stamped now is shown to the minute: the twins must not make
# theirs on either side of a minute's turn, so a few commands that stamp
# and then show start early in a minute.
early_in_minute() {
	_s=$(date +%S)
	_s=${_s#0}
	[ "$_s" -lt 45 ] || sleep $((61 - _s))
}

# No database needed.
same "--version" -- --version
same "--help" -- --help
same "a noun's help" -- incident --help
same "a verb's help" -- supply transfer --help
same "an unknown command" -- frobnicate
same "a noun without its verb" -- incident
same "an unknown global option" -- --frob status
same "no database yet" -- status

# A station in each directory, made the same way.
same "init (the message on err)" -- init --station linhai --role command
check "init: its message is on err" grep -q '^dutydesk: station linhai' "$W/m.err"
# Twins from here on: the same incarnation and the same seed.
rm -f "$W/std/station.db" "$W/std/station.db-wal" "$W/std/station.db-shm"
cp "$W/mem/station.db" "$W/std/station.db"
same "status" -- status
same "no command off a terminal: the summary" --
same "status --json" -- status --json
# The digest covers every stamp: only the twins as made are alike.
same "export" -- export

# What each noun prints, and what it refuses.
same "incident add (the id on out)" -- \
	incident add --town gucheng --title slide --received "2026-01-02 03:04"
check "incident add: the new id alone on out" is_id "$W/m.out"
same "incident add: usage error" -- incident add --title slide
same "incident list" -- incident list
check "incident list: the table on out" grep -q '^ID  .*TITLE$' "$W/m.out"
same "incident list --json" -- incident list --json
same "incident list: an unknown town" -- incident list --town atlantis
same "incident show" -- incident show linhai-1
same "incident show: no such incident" -- incident show linhai-99
same "incident report (the id on out)" -- incident report first linhai-1 --at "2026-01-02 03:10"
same "import: only incidents" -- import teams x.csv
early_in_minute
same "response start" -- response start flood IV --signed-by chen
same "response show" -- response show
same "response show flood" -- response show flood
same "response show --json" -- response show --json
same "response start: no such level" -- response start flood V
same "team list --town" -- team list --town gucheng
same "team list: no such kind" -- team list --kind navy
same "dispatch list" -- dispatch list
same "dispatch list: no such incident" -- dispatch list --incident linhai-99
same "supply list --depot --item" -- supply list --depot d-datian --item tent
same "supply list: an unknown item" -- supply list --item unobtainium
same "supply issue: a bad quantity" -- supply issue tent -3 --depot d-datian
same "shelter list --town --open" -- shelter list --town gucheng --open
same "shelter list: an unknown town" -- shelter list --town atlantis
same "warning list" -- warning list
same "warning list: no such warning" -- warning list linhai-99
early_in_minute
same "log add (the id on out)" -- log add "all quiet"
same "log list" -- log list
same "handover (the id on out)" -- handover --to li
same "handover sheet" -- handover sheet
same "conflict list" -- conflict list
same "link refused" -- link refused
same "sync without a server" -- sync
same "drill run off a terminal: refused" -- drill run "$PWD/assets/drills/typhoon-danas.json"
same "drill report: not a drill database" -- drill report "$W/none.db"

# On a terminal, shell_run with a memory stream still gives the summary
# (the console's ':' line will run it so): the console never opens.
if have tmux; then
	SOCK=$W/tmux.sock
	tmux -S "$SOCK" -f /dev/null new-session -d -s dd -x 100 -y 30 \
		"cd '$W/mem' && '$DRV' '$W/t.out' '$W/t.err' dutydesk --db station.db; echo \$? >'$W/t.rc'; sleep 30"
	_i=0
	while [ ! -s "$W/t.rc" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	if [ "$(cat "$W/t.rc" 2>/dev/null)" = 0 ] && grep -q '^station   linhai' "$W/t.out"; then
		pass "on a terminal, no command on a memory stream is the summary"
	else
		fail "on a terminal, no command on a memory stream is the summary" \
			"exit $(cat "$W/t.rc" 2>/dev/null), out: $(head -c 200 "$W/t.out" 2>/dev/null)" \
			"screen: $(screen | head -n 3)"
	fi
	tmux -S "$SOCK" kill-server 2>/dev/null
else
	skip "tmux not installed (a memory stream on a terminal)"
fi

finish
