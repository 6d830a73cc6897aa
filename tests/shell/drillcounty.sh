#!/bin/sh
# drillcounty.sh - a county-wide drill over the link: a real dutydeskd on
# loopback, the command station linhai and the towns duqiao and taozhu,
# each linked in the live realm and synced once. linhai runs the
# chemical-fire scenario at 300x with --county in tmux; both towns join
# its realm in their own consoles; duqiao makes the expected first phone
# report through the ':' line, taozhu skips its answer to the smoke
# warning. linhai's report counts duqiao's report on time and taozhu's
# answer missed; the injects reached the towns' drill databases; every
# replica of the drill's realm exports the same bytes; and afterwards
# every live database is byte for byte what it was, as is the server's
# live export.
#
# Run from the repository root: sh tests/shell/drillcounty.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

need_dutydeskd
if ! have tmux; then
	skip "tmux not installed: a county-wide drill runs in consoles"
	finish
fi

SOCK=$W/tmux.sock
CLEANUP='tmux -S "$SOCK" kill-server 2>/dev/null; stop_server'
SPEED=300
SCENARIO=$PWD/assets/drills/chemical-fire-duqiao.json
tm() { tmux -S "$SOCK" "$@"; }
screen() { tm capture-pane -p -t "$1" 2>/dev/null; }
# until_ok SECONDS CMD...: wait for CMD to succeed, trying every tenth of
# a second; fails after SECONDS.
until_ok() {
	_n=$(($1 * 10))
	shift
	while [ "$_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}
on_screen() { screen "$1" | grep -qF -- "$2"; }
# console SESSION DB OFFICER ARGS...: the console of DB in tmux, with its
# exit status in $W/SESSION.rc when it ends.
console() {
	_s=$1 _db=$2 _o=$3
	shift 3
	tm new-session -d -s "$_s" -x 80 -y 24 \
		"TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 DUTYDESK_BELL=off '$BIN' --db '$_db' --officer $_o --lang en $* 2>'$W/$_s.err'; echo \$? >'$W/$_s.rc'; sleep 60"
}
# report_of ACTION FIELD: a member of an action in linhai's JSON report.
report_of() {
	tr -d '\n\t ' <"$W/county.json" | sed 's/},{/}\n{/g' |
		grep "\"id\":\"$1\"" | sed "s/.*\"$2\":\"\\{0,1\\}\\([a-z_0-9:TZ-]*\\).*/\\1/" |
		head -n 1
}
ops_of_drill() { sqlite "$1" "SELECT count(*) FROM ops WHERE station = 'drill'"; }

# ---------------------------------------------------------------------
# The server, three stations linked in live and synced once.

keys_for linhai duqiao taozhu
SDB=$W/server.db
server_up "$SDB"
for s in linhai duqiao taozhu; do
	role=town
	[ $s = linhai ] && role=command
	run "$BIN" --db "$W/$s.db" init --station $s --role $role --server "$SRV" --pin "$PIN" \
		--key "$(cat "$W/key.$s")"
done
run "$BIN" --db "$W/linhai.db" log add 真实值班记录
run "$BIN" --db "$W/duqiao.db" incident add --town duqiao --title 真实事件
synced=0
for s in linhai duqiao taozhu linhai; do
	run "$BIN" --db "$W/$s.db" sync --timeout 10
	[ "$RC" = 0 ] && synced=$((synced + 1))
done
check "three stations linked in live and synced" test "$synced" = 4
for s in linhai duqiao taozhu; do
	sha256sum "$W/$s.db" | cut -d' ' -f1 >"$W/$s.sha"
done
"$DBIN" --db "$SDB" export --json >"$W/live.before" 2>"$ERR"
check "the server's live export holds the live work" grep -q 真实事件 "$W/live.before"

# ---------------------------------------------------------------------
# What is refused.

refused_at() { # SESSION: the exit status its console command left
	until_ok 5 test -s "$W/$1.rc" && cat "$W/$1.rc"
}
expect_exit 1 "drill join live: refused" -- "$BIN" --db "$W/duqiao.db" drill join live
expect_exit 1 "drill join of a realm that is not a drill's: refused" -- \
	"$BIN" --db "$W/duqiao.db" drill join county-1
console rt "$W/taozhu.db" chen drill run "'$SCENARIO'" --county
check "drill run --county on a town station: refused (exit 1)" \
	test "$(refused_at rt)" = 1
check "...saying a town joins" grep -q "drill join REALM" "$W/rt.err"
"$BIN" --db "$W/solo.db" init --station dayang --role command >/dev/null 2>&1
console rs "$W/solo.db" li drill run "'$SCENARIO'" --county
check "drill run --county on a station without a server: refused (exit 1)" \
	test "$(refused_at rs)" = 1
console rn "$W/taozhu.db" chen drill join drill-19990101000000 --timeout 10
check "drill join of a drill realm where no drill runs: refused (exit 1)" \
	test "$(refused_at rn)" = 1
check "...saying so" grep -q "no drill runs in realm drill-19990101000000" "$W/rn.err"
check "...and no drill database is left" \
	test ! -e "$W/drill-19990101000000-taozhu.db"
check "...nor one on the server (a town cannot make it open realms)" \
	test ! -e "$SDB.drill-19990101000000"

# ---------------------------------------------------------------------
# linhai runs the drill county-wide; the towns join.

console cmd "$W/linhai.db" li drill run "'$SCENARIO'" --speed $SPEED --county \
	--report "'$W/county'"
if until_ok 5 on_screen cmd "DRILL"; then pass "linhai's drill console opens with DRILL"; else
	fail "linhai's drill console opens" "screen: $(screen cmd | head -n 3)"; fi
CDB=$(ls "$W"/drill-chemical-fire-duqiao-*.db 2>/dev/null | head -n 1)
REALM=$("$BIN" --db "$CDB" status --json 2>/dev/null |
	sed -n 's/.*"realm":[[:space:]]*"\([^"]*\)".*/\1/p')
check "the drill has a realm of its own ($REALM)" \
	sh -c "echo '$REALM' | grep -Eq '^drill-[0-9]{14}$'"
check "the console says how the towns join" \
	until_ok 5 on_screen cmd "drill join $REALM"
tm send-keys -t cmd "?"
check "...and so does its help, at any time (the help box's last line)" \
	until_ok 5 sh -c "tmux -S '$SOCK' capture-pane -p -t cmd | sed -n 22p |
		grep -q 'drill join $REALM'"
tm send-keys -t cmd Escape
check "at 80 columns its status line says DRILL, the station and the link" \
	until_ok 10 sh -c "tmux -S '$SOCK' capture-pane -p -t cmd | head -n 1 |
		grep -q 'DRILL linhai |.*| online'"
queued0() {
	"$BIN" --db "$CDB" status --json 2>/dev/null | grep -q '"queued":[[:space:]]*0'
}
check "the drill's setup reaches the server over the link" until_ok 10 queued0
console dq "$W/duqiao.db" zhang drill join "$REALM"
console tz "$W/taozhu.db" chen drill join "$REALM"
for s in dq tz; do
	if until_ok 10 on_screen $s "$REALM"; then pass "$s joins: its console names the realm it joined"; else
		fail "$s joins" "screen: $(screen $s | head -n 3)" \
			"stderr: $(cat "$W/$s.err" 2>/dev/null)"; fi
done
check "duqiao's console runs on the command station's speed" on_screen dq "x$SPEED"
check "the fire's report (inject 1) reaches duqiao" until_ok 5 on_screen dq "drill-1"
tm send-keys -t dq : "incident report first drill-1 --channel phone" Enter
tm send-keys -t tz : "drill pause" Enter
check "a town cannot pause the county's drill clock" \
	until_ok 5 on_screen tz "cannot pause"
if until_ok 30 on_screen cmd "x$SPEED OVER"; then pass "the drill ends at linhai"; else
	fail "the drill ends at linhai" "screen: $(screen cmd | tail -n 2)"; fi
check "it ends at duqiao too" until_ok 5 on_screen dq "x$SPEED OVER"
for s in cmd dq tz; do
	tm send-keys -t $s q
	until_ok 5 test -s "$W/$s.rc"
	check "$s's console quits cleanly" test "$(cat "$W/$s.rc" 2>/dev/null)" = 0
done

# ---------------------------------------------------------------------
# The score counts the towns.

check "linhai's report: duqiao's first phone report is on time" \
	test "$(report_of first-phone status)" = on_time
check "...and done by duqiao" test "$(report_of first-phone by)" = duqiao
check "linhai's report: taozhu's skipped answer to the smoke warning is missed" \
	test "$(report_of ans-smoke status)" = missed
check "the text report says who did it" grep -q "by duqiao" "$W/county.txt"

# ---------------------------------------------------------------------
# The injects reached the towns; every replica of the realm is equal.

DDB=$W/$REALM-duqiao.db
TDB=$W/$REALM-taozhu.db
check "each town's drill database is beside its live one" test -s "$DDB" -a -s "$TDB"
console dq2 "$W/duqiao.db" zhang drill join "$REALM"
if until_ok 10 on_screen dq2 "x$SPEED OVER"; then
	pass "joining again opens the same drill, over"
else
	fail "joining again opens the same drill" "screen: $(screen dq2 | head -n 1)" \
		"stderr: $(cat "$W/dq2.err" 2>/dev/null)"
fi
tm send-keys -t dq2 q
until_ok 5 test -s "$W/dq2.rc"
check "...and quits cleanly" test "$(cat "$W/dq2.rc" 2>/dev/null)" = 0
synced=0
for s in "$CDB" "$DDB" "$TDB"; do
	run "$BIN" --db "$s" sync --timeout 10
	[ "$RC" = 0 ] && synced=$((synced + 1))
done
check "the drill's databases sync again afterwards" test "$synced" = 3
# The drill ends when its last inject (minute 90) and its last deadline
# (minute 65) have passed: all 8 injects fired.
N=$(ops_of_drill "$CDB")
check "linhai holds the drill's setup and all 8 injects ($N)" test "$N" = 9
check "duqiao's drill database holds all of them" test "$(ops_of_drill "$DDB")" = "$N"
check "taozhu's drill database holds all of them" test "$(ops_of_drill "$TDB")" = "$N"
run "$BIN" --db "$TDB" warning list --json
check "taozhu sees the smoke warning (drill-4)" grep -q '"id":"drill-4"' "$OUT"
for s in "$CDB" "$DDB" "$TDB"; do
	"$BIN" --db "$s" export --json >"$s.export" 2>/dev/null
done
"$DBIN" --db "$SDB" export --json --realm "$REALM" >"$W/server.drill" 2>"$ERR"
check "the server's drill realm and the three drill databases export the same bytes" \
	sh -c "cmp -s '$CDB.export' '$W/server.drill' && cmp -s '$DDB.export' '$W/server.drill' && cmp -s '$TDB.export' '$W/server.drill'"
check "...marked drill" grep -q '"drill":[[:space:]]*true' "$W/server.drill"
check "duqiao's report is in the server's drill realm" \
	sh -c "grep -q '\"type\":[[:space:]]*\"first\"' '$W/server.drill'"

# ---------------------------------------------------------------------
# The live realm saw nothing.

for s in linhai duqiao taozhu; do
	check "$s's live database is byte for byte unchanged" \
		test "$(sha256sum "$W/$s.db" | cut -d' ' -f1)" = "$(cat "$W/$s.sha")"
done
"$DBIN" --db "$SDB" export --json >"$W/live.after" 2>"$ERR"
check "the server's live export is unchanged" cmp -s "$W/live.before" "$W/live.after"
check "the server's live database holds nothing of the drill" \
	test "$(sqlite "$SDB" "SELECT count(*) FROM ops WHERE station = 'drill' OR realm <> 'live'")" = 0
stop_server
finish
