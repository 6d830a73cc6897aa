#!/bin/sh
# sync.sh - three stations and a real dutydeskd on loopback: work done
# offline converges byte for byte, concurrent supply issues both count, a
# wrong key changes nothing, a server killed or restored from a backup
# loses and doubles nothing, a copied station behind the server or
# diverged from it stops without pushing, and a console shows another
# station's incident within seconds with its status line saying online.
#
# Run from the repository root: sh tests/shell/sync.sh
# (DUTYDESK_BIN and DUTYDESKD_BIN pick other binaries.)
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

need_dutydeskd

SOCK=$W/tmux.sock
CLEANUP='stop_server; tmux -S "$SOCK" kill-server 2>/dev/null'

l() { "$BIN" --db "$W/linhai.db" "$@"; }
d() { "$BIN" --db "$W/datian.db" "$@"; }
g() { "$BIN" --db "$W/gucheng.db" "$@"; }

# exports_equal: the three stations and the server print byte-identical
# exports.
exports_equal() {
	l export --json >"$W/x.linhai" 2>/dev/null &&
	d export --json >"$W/x.datian" 2>/dev/null &&
	g export --json >"$W/x.gucheng" 2>/dev/null &&
	"$DBIN" --db "$SDB" export --json >"$W/x.server" 2>/dev/null &&
	cmp -s "$W/x.linhai" "$W/x.datian" && cmp -s "$W/x.linhai" "$W/x.gucheng" &&
	cmp -s "$W/x.linhai" "$W/x.server"
}

# count_incidents DB: how many incidents it holds (a duplicate would
# show as one more).
count_incidents() {
	"$BIN" --db "$1" incident list --all --json 2>/dev/null |
		grep -o '"id":"[^"]*"' | wc -l | tr -d ' '
}

tent() {
	"$BIN" --db "$1" supply list --item tent --depot d-datian --json 2>/dev/null |
		sed -n 's/.*"qty":\([0-9-]*\).*/\1/p'
}

sync_all() {
	for s in "$@"; do
		run "$BIN" --db "$W/$s.db" sync --timeout 10
		if [ "$RC" != 0 ]; then
			fail "sync $s" "exit $RC"
			return 1
		fi
	done
	return 0
}

# ---------------------------------------------------------------------
# Keys, the server, three stations.

keys_for linhai datian gucheng
KL=$(cat "$W/key.linhai")
KD=$(cat "$W/key.datian")
KG=$(cat "$W/key.gucheng")
check "dutydeskd keygen prints a 64-hex key per station" \
	sh -c "echo '$KL $KD $KG' | grep -Eq '^[0-9a-f]{64} [0-9a-f]{64} [0-9a-f]{64}$'"

SDB=$W/server.db
server_up "$SDB"

expect_exit 0 "init linhai (command) with --server and --key" -- \
	l init --station linhai --role command --server "$SRV" --pin "$PIN" --key "$KL"
expect_exit 0 "init datian with its link" -- \
	d init --station datian --server "$SRV" --pin "$PIN" --key "$KD"
expect_exit 0 "init gucheng with its link" -- \
	g init --station gucheng --server "$SRV" --pin "$PIN" --key "$KG"
expect_exit 1 "init --server in a drill realm: refused" -- \
	"$BIN" --db "$W/drill.db" init --station datian --realm drill-x \
	--server "$SRV" --pin "$PIN" --key "$KD"
check "the refused drill database was not made" test ! -e "$W/drill.db"
expect_exit 1 "init --server with port 70000: refused" -- \
	"$BIN" --db "$W/bad.db" init --station datian --server 127.0.0.1:70000 --key "$KD"
expect_exit 1 "init --key of 10 digits: refused" -- \
	"$BIN" --db "$W/bad.db" init --station datian --server "$SRV" --pin "$PIN" --key 0123456789

# ---------------------------------------------------------------------
# Offline work on each station, then sync rounds in two orders.

TENT0=$(tent "$W/datian.db")
expect_id "datian takes a report offline" -- \
	d incident add --town datian --title 大田山体滑坡 --trapped 3
DI=$ID
expect_id "datian dispatches its team to it" -- d dispatch t-datian "$DI"
expect_id "datian issues 3 tents from d-datian" -- \
	d supply issue tent 3 --depot d-datian
expect_id "gucheng takes a report offline" -- \
	g incident add --town gucheng --title 古城内涝
expect_id "gucheng issues 5 tents from the same depot" -- \
	g supply issue tent 5 --depot d-datian
expect_id "linhai starts a Level IV typhoon response" -- \
	l response start typhoon IV
expect_id "linhai logs it" -- l log add 启动台风四级应急响应

run d status --json
check "datian has 3 operations queued" grep -q '"queued":[[:space:]]*3' "$OUT"

if sync_all datian gucheng linhai; then pass "first round: datian, gucheng, linhai sync"; fi
check "sync prints its summary on stderr" grep -q 'pushed [0-9]*, pulled [0-9]*, refused 0' "$ERR"
check "sync prints nothing on stdout" test ! -s "$OUT"
if sync_all gucheng datian linhai; then pass "second round: gucheng, datian, linhai"; fi
check "after two rounds all three exports and the server's are byte-identical" exports_equal
T0=$(tent "$W/datian.db")
check "concurrent issues from two stations both count ($TENT0 - 8 = $T0)" \
	test "$T0" = $((TENT0 - 8))
check "every station shows the same stock" \
	test "$(tent "$W/gucheng.db")" = "$T0" -a "$(tent "$W/linhai.db")" = "$T0"
run g response show --json
check "the typhoon Level IV from linhai is in force at gucheng" \
	grep -q '"hazard":"typhoon","level":4' "$OUT"
run d status --json
check "datian has nothing queued after sync" grep -q '"queued":[[:space:]]*0' "$OUT"
run d status
check "status shows the link and the last sync" grep -q "^link .*$SRV.*last sync [0-9]" "$OUT"
N0=$(count_incidents "$W/datian.db")

# ---------------------------------------------------------------------
# A wrong key: refused in words, nothing changes anywhere.

expect_id "datian takes another report" -- d incident add --town datian --title 错误密钥期间
WRONG=0000000000000000000000000000000000000000000000000000000000000000
run d link --key "$WRONG"
"$DBIN" --db "$SDB" export --json >"$W/server.before" 2>/dev/null
GUARD=$W/datian.db
changed
refused 1 "sync with a wrong key: exit 1, one line" -- d sync --timeout 5
check "the message says the key is wrong" grep -qi "key" "$ERR"
"$DBIN" --db "$SDB" export --json >"$W/server.after" 2>/dev/null
check "the server holds nothing new after the wrong key" \
	cmp -s "$W/server.before" "$W/server.after"
run d status --json
check "the report still waits in datian's queue" grep -q '"queued":[[:space:]]*1' "$OUT"
run d link --key "$KD"
if sync_all datian; then pass "with the right key again, it goes"; fi
check "the summary counts it pushed" grep -q 'pushed 1,' "$ERR"
GUARD=""

# ---------------------------------------------------------------------
# The console on datian, in tmux: another station's incident appears,
# the status line says online, and follows the server going away.

if have tmux; then
	tmux -S "$SOCK" -f /dev/null new-session -d -s dd -x 100 -y 24 \
		"TERM=xterm-256color LANG=$ZH LC_ALL=$ZH DUTYDESK_BELL=off '$BIN' --db '$W/datian.db' --officer wang --lang en; echo CONSOLE-EXITED; sleep 30"
	on_screen "the console on datian opens and says online" "| online" 5
	expect_exit 3 "a second link on datian while the console holds it: exit 3" -- \
		d sync --timeout 5
	g incident add --town gucheng --title 古城新报泥石流 >/dev/null 2>&1
	run g sync --timeout 10
	on_screen "gucheng's synced incident shows on datian's console within seconds" \
		"古城新报泥石流" 5
	tmux -S "$SOCK" send-keys -t dd : "log add 控制台值班记录" Enter
	_i=0
	while [ $_i -lt 50 ] && ! "$DBIN" --db "$SDB" export --json 2>/dev/null |
	      grep -q 控制台值班记录; do
		sleep 0.1
		_i=$((_i + 1))
	done
	check "an entry made in the console reaches the server at once" test $_i -lt 50
	kill -KILL "$SPID"
	wait "$SPID" 2>/dev/null
	SPID=""
	on_screen "the server killed: the status line says offline since" "offline since" 5
	if start_server "$SDB" "$PORT"; then
		on_screen "the server back: the console is online again" "| online" 8
	else
		fail "dutydeskd restarts on port $PORT" "log: $(tail -n 3 "$W/server.log")"
	fi
	tmux -S "$SOCK" send-keys -t dd q
	on_screen "the console quits cleanly" "CONSOLE-EXITED" 5
	if screen | grep -q "ERROR\|Assertion\|Segmentation"; then
		fail "the console left no error behind"
	fi
	if sync_all gucheng linhai datian gucheng linhai; then
		pass "everyone catches up after the console session"; fi
	check "the exports are still byte-identical" exports_equal
	N0=$(count_incidents "$W/datian.db")
else
	skip "tmux not installed: the console part"
fi

# ---------------------------------------------------------------------
# The server killed (SIGKILL) and restarted: nothing lost or doubled.

[ -n "$SPID" ] || start_server "$SDB" "$PORT"
expect_id "datian: a report before the crash" -- d incident add --town datian --title 崩溃前
run d sync --timeout 10
kill -KILL "$SPID"
wait "$SPID" 2>/dev/null
SPID=""
expect_id "datian: a report while the server is down" -- \
	d incident add --town datian --title 服务器宕机期间
expect_id "gucheng: an issue while the server is down" -- \
	g supply issue tent 1 --depot d-datian
expect_exit 5 "sync with the server down: exit 5, one line" -- d sync --timeout 5
check "the message says the server cannot be reached" grep -qi "connect" "$ERR"
if start_server "$SDB" "$PORT"; then pass "dutydeskd restarts on the same port"; else
	fail "dutydeskd restarts" "log: $(tail -n 3 "$W/server.log")"; fi
if sync_all datian gucheng linhai datian gucheng; then
	pass "after the restart every station syncs"; fi
check "the exports are byte-identical after the crash" exports_equal
N1=$(count_incidents "$W/datian.db")
check "two reports more, none lost, none doubled ($N0 + 2 = $N1)" \
	test "$N1" = $((N0 + 2))
check "the issue made during the outage counted once" \
	test "$(tent "$W/linhai.db")" = $((T0 - 1))

# ---------------------------------------------------------------------
# The server restored from a backup: a new history; stations offer
# their operations again, and nothing is applied twice.

ok_run "backup of the server's database while it runs" -- \
	"$BIN" --db "$SDB" backup "$W/server.bak"
expect_id "datian: a report after the backup" -- d incident add --town datian --title 备份之后
expect_id "linhai: a log entry after the backup" -- l log add 备份之后的记录
if sync_all datian linhai gucheng; then pass "synced after the backup"; fi
stop_server
SDB=$W/server2.db
ok_run "restore the backup as a new server database" -- \
	"$BIN" --db "$SDB" restore "$W/server.bak"
if start_server "$SDB" "$PORT"; then pass "dutydeskd serves the restored database"; else
	fail "dutydeskd serves the restored database" "log: $(tail -n 3 "$W/server.log")"; fi
expect_id "gucheng: a report on the restored server" -- \
	g incident add --town gucheng --title 恢复之后
if sync_all gucheng datian linhai gucheng datian; then
	pass "every station resyncs with the restored server"; fi
check "the exports (and the restored server's) are byte-identical" exports_equal
N2=$(count_incidents "$W/gucheng.db")
check "no incident lost or doubled across the restore ($N1 + 2 = $N2)" \
	test "$N2" = $((N1 + 2))
check "the stock is unchanged by the resync" test "$(tent "$W/gucheng.db")" = $((T0 - 1))
run d status --json
check "datian has nothing queued after the resync" grep -q '"queued":[[:space:]]*0' "$OUT"

# ---------------------------------------------------------------------
# The server's file put back by a plain copy (same history id): the
# stations notice it went back, offer and pull everything again.

ok_run "an online copy of the server's database" -- \
	"$BIN" --db "$SDB" backup "$W/server.copy"
expect_id "datian: a report after the copy" -- d incident add --town datian --title 拷贝之后
expect_id "gucheng: a report after the copy" -- g incident add --town gucheng --title 拷贝之后二
if sync_all datian gucheng; then pass "synced after the copy"; fi
stop_server
rm -f "$SDB" "$SDB-wal" "$SDB-shm"
cp "$W/server.copy" "$SDB"
if start_server "$SDB" "$PORT"; then pass "dutydeskd serves the copied-back file"; else
	fail "dutydeskd serves the copied-back file" "log: $(tail -n 3 "$W/server.log")"; fi
expect_id "linhai: a log entry on the copied-back server" -- l log add 拷贝回去之后
if sync_all linhai datian gucheng linhai datian gucheng; then
	pass "every station resyncs with the copied-back server"; fi
check "the exports are byte-identical after the copy-back" exports_equal
N3=$(count_incidents "$W/linhai.db")
check "no incident lost or doubled across the copy-back ($N2 + 2 = $N3)" \
	test "$N3" = $((N2 + 2))

# ---------------------------------------------------------------------
# A station database copied without 'dutydesk restore' and started
# later: the server holds more of this incarnation than the copy made;
# the copy stops rather than push under numbers already used.

ok_run "an online copy of datian's database" -- d backup "$W/datian.copy"
expect_id "datian: a report after its copy" -- d incident add --town datian --title 副本之后
if sync_all datian; then pass "datian syncs it"; fi
"$DBIN" --db "$SDB" export --json >"$W/server.before" 2>/dev/null
expect_exit 1 "the copy's sync: exit 1, one line" -- \
	"$BIN" --db "$W/datian.copy" sync --timeout 5
check "the message says the server is ahead" grep -q "server ahead of this station" "$ERR"
"$DBIN" --db "$SDB" export --json >"$W/server.after" 2>/dev/null
check "the server took nothing from the copy" cmp -s "$W/server.before" "$W/server.after"

# ---------------------------------------------------------------------
# A copy that went on by itself exactly as far as the original: the
# same number of operations, not the same ones. The welcome carries the
# digest of the last operation the server holds of this incarnation; the
# copy's own at that number differs, and it stops as a copy behind does.

ok_run "another online copy of datian's database" -- d backup "$W/datian.twin"
expect_id "datian: a report after the second copy" -- \
	d incident add --town datian --title 孪生原件的报告
ORIG=$ID
expect_id "the copy: a report of its own" -- \
	"$BIN" --db "$W/datian.twin" incident add --town datian --title 孪生副本的报告
check "both made the same record id (same length, diverged)" test "$ID" = "$ORIG"
if sync_all datian; then pass "datian syncs its report"; fi
"$DBIN" --db "$SDB" export --json >"$W/server.before" 2>/dev/null
expect_exit 1 "the diverged copy's sync: exit 1, one line" -- \
	"$BIN" --db "$W/datian.twin" sync --timeout 5
check "the message says it diverged from the server" \
	grep -q "diverged from the server: its operation [0-9]* of this incarnation is not the one this station made" "$ERR"
check "and how that comes about" grep -q "copied without 'dutydesk restore'" "$ERR"
"$DBIN" --db "$SDB" export --json >"$W/server.after" 2>/dev/null
check "the server took nothing from the diverged copy" \
	cmp -s "$W/server.before" "$W/server.after"
check "the server holds the original's report" grep -q 孪生原件的报告 "$W/server.after"
check "and not the copy's" sh -c "! grep -q 孪生副本的报告 '$W/server.after'"
expect_exit 1 "the copy stops again on the next try" -- \
	"$BIN" --db "$W/datian.twin" sync --timeout 5
if sync_all datian; then pass "the original still syncs: its digest matches"; fi

# ---------------------------------------------------------------------
# An operation the server refuses (a station made as command whose key
# the server holds as town): the sync says so and exits 1; the refusal
# is counted; the next sync has nothing left to send.

"$DBIN" keygen dayang --role town --keys "$W/keys" >"$W/key.dayang" 2>/dev/null
ok_run "init dayang as a command station, its key a town's" -- \
	"$BIN" --db "$W/dayang.db" init --station dayang --role command \
	--server "$SRV" --pin "$PIN" --key "$(cat "$W/key.dayang")"
run "$BIN" --db "$W/dayang.db" response start flood IV
expect_exit 1 "the server refuses its response decision: exit 1, one line" -- \
	"$BIN" --db "$W/dayang.db" sync --timeout 10
check "the message counts and explains the refusal" \
	grep -q "refused 1 (a town station may not decide a response level (response.decide))" "$ERR"
expect_exit 0 "the next sync has nothing left to send" -- \
	"$BIN" --db "$W/dayang.db" sync --timeout 10
run "$BIN" --db "$W/dayang.db" status
check "status counts the refusal" grep -q "^link .*0 queued, 1 refused" "$OUT"

# ---------------------------------------------------------------------
# A station restored from a backup taken before it had synced: what it
# made under its old incarnation still reaches the server from the
# restored copy, and what it made after the backup (already on the
# server) comes back to it; nothing is doubled.

"$DBIN" keygen taozhu --role town --keys "$W/keys" >"$W/key.taozhu" 2>/dev/null
ok_run "init taozhu" -- "$BIN" --db "$W/taozhu.db" init --station taozhu \
	--server "$SRV" --pin "$PIN" --key "$(cat "$W/key.taozhu")"
expect_id "taozhu: an incident before the backup" -- \
	"$BIN" --db "$W/taozhu.db" incident add --town 桃渚镇 --title 备份前的事件
ok_run "taozhu: backup, not yet synced" -- \
	"$BIN" --db "$W/taozhu.db" backup "$W/taozhu.bak"
expect_id "taozhu: an incident after the backup" -- \
	"$BIN" --db "$W/taozhu.db" incident add --town 桃渚镇 --title 备份后的事件
expect_exit 0 "taozhu syncs both" -- "$BIN" --db "$W/taozhu.db" sync --timeout 10
ok_run "restore taozhu's old backup as a new database" -- \
	"$BIN" --db "$W/taozhu2.db" restore "$W/taozhu.bak"
expect_id "the restored taozhu: a new incident" -- \
	"$BIN" --db "$W/taozhu2.db" incident add --town 桃渚镇 --title 恢复后的事件
expect_exit 0 "the restored copy syncs (old and new incarnation)" -- \
	"$BIN" --db "$W/taozhu2.db" sync --timeout 10
expect_exit 0 "and again" -- "$BIN" --db "$W/taozhu2.db" sync --timeout 10
run "$BIN" --db "$W/taozhu2.db" status --json
check "nothing of the restored copy waits any more" grep -q '"queued":[[:space:]]*0' "$OUT"
"$BIN" --db "$W/taozhu2.db" export --json >"$W/x.taozhu2" 2>/dev/null
"$DBIN" --db "$SDB" export --json >"$W/x.server2" 2>/dev/null
check "the restored copy and the server are byte-identical" \
	cmp -s "$W/x.taozhu2" "$W/x.server2"
for t in 备份前的事件 备份后的事件 恢复后的事件; do
	check "the server holds '$t' once" \
		test "$(grep -c "\"$t\"" "$W/x.server2")" -eq 1
done

stop_server
check "dutydeskd stops on SIGTERM" test -z "$SPID"
finish
