#!/bin/sh
# badinput.sh - every shell command of dutydesk: its happy path once, then
# bad input. A refused command exits 1 (usage errors 2, database problems
# 3), says why in exactly one line on stderr, prints nothing on stdout and
# leaves the database as it was (same export digest). Creating commands
# print the new id alone on stdout.
#
# Run from the repository root: sh tests/shell/badinput.sh
# (DUTYDESK_BIN picks another binary, DUTYDESK_ASSETS other assets).
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

C=$W/command.db   # the county command station (may do everything)
TW=$W/town.db     # a town station
c() { "$BIN" --db "$C" "$@"; }
t() { "$BIN" --db "$TW" "$@"; }
dut() { "$BIN" "$@"; }

# ---------------------------------------------------------------------
# Global options, help, version, unknown commands: no database needed.

run dut --version
if [ "$RC" = 0 ] && grep -Eq '^dutydesk [0-9]+\.[0-9]+' "$OUT" && [ ! -s "$ERR" ]; then
	pass "--version prints 'dutydesk X.Y' on stdout, exit 0"
else
	fail "--version prints 'dutydesk X.Y' on stdout, exit 0" "exit $RC, stdout: $(cat "$OUT")"
fi

run dut --help
if [ "$RC" = 0 ] && grep -q '^usage: dutydesk' "$OUT" && grep -q 'incident add' "$OUT" &&
   [ ! -s "$ERR" ]; then
	pass "--help at top level: usage on stdout, exit 0"
else
	fail "--help at top level: usage on stdout, exit 0" "exit $RC"
fi

for noun in incident response team dispatch supply shelter warning log \
	    conflict import export backup restore init status handover drill link; do
	run dut "$noun" --help
	if [ "$RC" = 0 ] && grep -q "$noun" "$OUT" && [ ! -s "$ERR" ]; then
		pass "$noun --help: its commands on stdout, exit 0"
	else
		fail "$noun --help: its commands on stdout, exit 0" "exit $RC"
	fi
done

# Every command of the table, with --help: its own usage, exit 0.
while read -r cmd; do
	[ -n "$cmd" ] || continue
	# shellcheck disable=SC2086 # split the command into words
	run dut $cmd --help
	if [ "$RC" = 0 ] && grep -q "^usage: dutydesk .*$cmd" "$OUT" && [ ! -s "$ERR" ]; then
		pass "$cmd --help: its usage on stdout, exit 0"
	else
		fail "$cmd --help: its usage on stdout, exit 0" "exit $RC, stdout: $(head -n 2 "$OUT")"
	fi
done <<'EOF'
init
status
incident add
incident list
incident show
incident status
incident update
incident report
import
response start
response raise
response lower
response end
response confirm
response show
response check
team list
team status
dispatch list
dispatch
supply list
supply receive
supply issue
supply transfer
supply count
shelter list
shelter open
shelter close
shelter checkin
shelter checkout
warning issue
warning answer
warning list
log add
log zero
log list
handover
conflict list
conflict ack
export
backup
restore
EOF

expect_exit 2 "unknown command: exit 2, one line" -- dut frobnicate
expect_exit 2 "noun without its verb (incident): exit 2, one line" -- dut incident
expect_exit 2 "unknown verb (incident frob): exit 2, one line" -- dut incident frob
expect_exit 2 "unknown global option --frob: exit 2, one line" -- dut --frob status
expect_exit 2 "--db without its value: exit 2, one line" -- dut --db
expect_exit 2 "--lang fr: exit 2, one line" -- dut --lang fr --db "$C" status

# ---------------------------------------------------------------------
# Database problems: exit 3, and nothing is created or changed.

expect_exit 3 "missing database (status): exit 3" -- dut --db "$W/none.db" status
check "missing database (status): file not created" test ! -e "$W/none.db"
expect_exit 3 "missing database (incident add): exit 3" -- \
	dut --db "$W/none.db" incident add --town gucheng --title x
check "missing database (incident add): file not created" \
	test ! -e "$W/none.db" -a ! -e "$W/none.db-wal"
expect_exit 3 "missing default database (no --db): exit 3" -- dut incident list
check "missing default database: not created" test ! -e "$XDG_DATA_HOME/dutydesk/station.db"

printf 'duty roster\nnot a database at all\n' >"$W/notes.txt"
cp "$W/notes.txt" "$W/notes.orig"
expect_exit 3 "a text file as --db (read): exit 3" -- dut --db "$W/notes.txt" status
expect_exit 3 "a text file as --db (write): exit 3" -- \
	dut --db "$W/notes.txt" log add "hello"
check "a text file as --db: the file is unchanged" cmp -s "$W/notes.txt" "$W/notes.orig"
expect_exit 1 "init on an existing text file: refused" -- \
	dut --db "$W/notes.txt" init --station linhai
check "init on a text file: the file is unchanged" cmp -s "$W/notes.txt" "$W/notes.orig"

# An empty file (made by touch, or a copy that failed): not a station yet.
# A command must not turn it into something init then refuses.
: >"$W/empty.db"
expect_exit 3 "an empty file as --db (read): exit 3" -- dut --db "$W/empty.db" status
check "an empty file as --db (read): the message points to init" grep -q init "$ERR"
expect_exit 3 "an empty file as --db (write): exit 3" -- dut --db "$W/empty.db" log add hello
check "an empty file as --db (write): the file is left empty" test ! -s "$W/empty.db"
expect_exit 0 "an empty file as --db: init works on it afterwards" -- \
	dut --db "$W/empty.db" init --station abc --seed none
mkdir "$W/dir.db"
expect_exit 3 "a directory as --db: exit 3" -- dut --db "$W/dir.db" status

# ---------------------------------------------------------------------
# init

expect_exit 0 "init a command station" -- c init --station linhai --role command
check "init: stdout empty (no record id)" test ! -s "$OUT"
expect_exit 0 "init a town station" -- t init --station datian --role town
GUARD=$C
changed
refused 1 "second init on an existing database: refused, unchanged" -- \
	c init --station linhai --role command
refused 1 "second init under another station code: refused, unchanged" -- \
	c init --station other
expect_exit 2 "init without --station: exit 2" -- dut --db "$W/i1.db" init
check "init without --station: no file left" test ! -e "$W/i1.db"
expect_exit 1 "init with a bad station code: refused" -- \
	dut --db "$W/i2.db" init --station "Bad Code!"
check "init with a bad station code: no file left" test ! -e "$W/i2.db"
expect_exit 1 "init --role captain (no such role): refused" -- \
	dut --db "$W/i3.db" init --station abc --role captain
check "init --role captain: no file left" test ! -e "$W/i3.db"
expect_exit 2 "init --frob: exit 2" -- dut --db "$W/i4.db" init --station abc --frob
expect_exit 2 "init with an extra argument: exit 2" -- \
	dut --db "$W/i5.db" init --station abc extra
check "init usage errors leave no file" test ! -e "$W/i4.db" -a ! -e "$W/i5.db"

# A database from a newer dutydesk (schema 999): exit 3, says newer,
# is not migrated or touched.
dut --db "$W/newer.db" init --station newer >/dev/null 2>&1
if have sqlite3; then
	sqlite "$W/newer.db" "PRAGMA user_version = 999" >/dev/null
	cp "$W/newer.db" "$W/newer.orig"
	expect_exit 3 "user_version 999 (read): exit 3" -- dut --db "$W/newer.db" status
	check "user_version 999: the message says newer" grep -qi newer "$ERR"
	expect_exit 3 "user_version 999 (write): exit 3" -- \
		dut --db "$W/newer.db" log add hello
	check "user_version 999 (write): the message says newer" grep -qi newer "$ERR"
	check "user_version 999: still 999 afterwards" \
		test "$(sqlite "$W/newer.db" 'PRAGMA user_version')" = 999
else
	skip "sqlite3 CLI not installed (user_version test)"
fi

# The casualty counts in Chinese: missing persons are 失踪 (失联 is a
# lost contact, not a casualty).
zh_missing=$(awk '/^msgid "[Mm]issing"$/ { m = 1; next }
	m && /^msgstr/ { print; m = 0 }' "$DUTYDESK_ASSETS/po/zh_CN.po" | sort -u)
check "zh_CN: 'Missing' (casualties) is 失踪" test "$zh_missing" = 'msgstr "失踪"'

# A zero report on a quiet station (nothing open, no response in force).
expect_id "log zero" -- c log zero
expect_id "log zero TEXT" -- c log zero "无灾情"

# ---------------------------------------------------------------------
# status

ok_run "status" -- c status
expect_json_object "status --json: a JSON object" -- c status --json
refused 2 "status with an extra argument: exit 2" -- c status now
refused 2 "status --frob: exit 2" -- c status --frob

# ---------------------------------------------------------------------
# incidents

expect_id "incident add prints the id alone" -- \
	c incident add --town gucheng --title 山体滑坡 --place 前洋村 --trapped 3
I1=$ID
expect_id "incident add by Chinese town name" -- \
	c incident add --town 大田街道 --title 内涝 --severity 2
I2=$ID
expect_id "incident add by pinyin town name" -- \
	c incident add --town "Gucheng Jiedao" --place 古城东路 --received "2020-01-02 03:04"
I3=$ID
refused 1 "incident add: unknown town" -- c incident add --town atlantis --title x
refused 2 "incident add: missing --town (required option)" -- c incident add --title x
refused 2 "incident add: neither --title nor --place" -- c incident add --town gucheng
refused 1 "incident add: negative --trapped" -- c incident add --town gucheng --title x --trapped -1
refused 1 "incident add: non-numeric --dead" -- c incident add --town gucheng --title x --dead three
refused 1 "incident add: --severity 5" -- c incident add --town gucheng --title x --severity 5
refused 1 "incident add: --severity 0" -- c incident add --town gucheng --title x --severity 0
refused 1 "incident add: --received not a time" -- c incident add --town gucheng --title x --received yesterday
refused 1 "incident add: --received in the future" -- c incident add --town gucheng --title x --received "2099-01-01 00:00"
refused 1 "incident add: a title of spaces" -- c incident add --town gucheng --title "   "
check "a blank title: stderr says so" grep -q "title is blank" "$ERR"
refused 1 "incident add: a title of full-width spaces" -- \
	c incident add --town gucheng --title "　 　" --place 东门
refused 1 "incident update: a blank title" -- c incident update "$I1" --title "　"
refused 1 "incident add: a title over 2000 bytes" -- \
	c incident add --town gucheng --title "$(head -c 2100 /dev/zero | tr '\0' x)"
refused 1 "incident add: a control character in the title" -- \
	c incident add --town gucheng --title "$(printf 'a\033[2Jb')"
refused 2 "incident add: --officer name too long" -- \
	dut --db "$C" --officer "$(head -c 80 /dev/zero | tr '\0' o)" incident add --town gucheng --title x
refused 2 "incident add: unknown option --colour" -- c incident add --town gucheng --title x --colour red
refused 2 "incident add: an unexpected argument" -- c incident add --town gucheng --title x extra
refused 2 "incident add: option without its value" -- c incident add --title x --town

expect_json_array "incident list --json" -- c incident list --json
ok_run "incident list (table)" -- c incident list
expect_json_array "incident list --all --town gucheng --limit 5 --json" -- \
	c incident list --all --town gucheng --limit 5 --json
refused 1 "incident list: unknown town" -- c incident list --town atlantis
refused 1 "incident list: --limit 0" -- c incident list --limit 0
refused 1 "incident list: --limit -3" -- c incident list --limit -3
refused 1 "incident list: --limit many" -- c incident list --limit many
refused 2 "incident list: an unexpected argument" -- c incident list all
refused 2 "incident list: unknown option" -- c incident list --open

ok_run "incident show" -- c incident show "$I1"
expect_json_object "incident show --json: a JSON object" -- c incident show "$I1" --json
refused 1 "incident show: unknown id" -- c incident show linhai-9999
refused 2 "incident show: no id" -- c incident show
refused 2 "incident show: two ids" -- c incident show "$I1" "$I2"

ok_run "incident status verified" -- c incident status "$I1" verified
refused 1 "incident status: unknown id" -- c incident status linhai-9999 verified
refused 1 "incident status: unknown status" -- c incident status "$I1" flying
refused 1 "incident status: backwards (reported)" -- c incident status "$I1" reported
refused 1 "incident status: reopen an open incident" -- c incident status "$I1" reopen
refused 2 "incident status: missing the status" -- c incident status "$I1"
refused 2 "incident status: too many arguments" -- c incident status "$I1" verified closed

ok_run "incident update --trapped 2" -- c incident update "$I1" --trapped 2 --caller-name 王
refused 1 "incident update: unknown id" -- c incident update linhai-9999 --title x
refused 1 "incident update: unknown town" -- c incident update "$I1" --town atlantis
refused 1 "incident update: negative --dead" -- c incident update "$I1" --dead -1
refused 1 "incident update: --injured 1.5" -- c incident update "$I1" --injured 1.5
refused 2 "incident update: no field given" -- c incident update "$I1"
refused 2 "incident update: no id" -- c incident update --title x
refused 2 "incident update: unknown option" -- c incident update "$I1" --status closed

expect_id "incident report first prints the id alone" -- \
	c incident report first "$I1" --text 电话首报
expect_id "incident report followup --channel written, --at after receipt" -- \
	c incident report followup "$I3" --channel written --at "2020-01-02 04:00"
refused 1 "incident report: --at before the incident was received" -- \
	c incident report first "$I3" --at "2000-01-01 10:00"
check "--at before receipt: stderr says so" grep -q "before the incident was received" "$ERR"
refused 1 "incident report written: --at before the incident was received" -- \
	c incident report first "$I1" --channel written --at "2020-01-01 08:00"
refused 1 "incident report: --at more than 5 minutes ahead" -- \
	c incident report first "$I1" --at "2099-01-01 10:00"
check "--at ahead: stderr says so" grep -q "more than 5 minutes ahead" "$ERR"
refused 1 "incident report: unknown incident" -- c incident report first linhai-9999
refused 1 "incident report: type 'second' does not exist" -- c incident report second "$I1"
refused 1 "incident report: --channel fax" -- c incident report first "$I1" --channel fax
refused 1 "incident report: --at not a time" -- c incident report first "$I1" --at soon
refused 2 "incident report: no incident" -- c incident report first
refused 2 "incident report: too many arguments" -- c incident report first "$I1" "$I2"
refused 2 "incident report: unknown option" -- c incident report first "$I1" --by phone

# ---------------------------------------------------------------------
# import incidents

cat >"$W/good.csv" <<'EOF'
title,town,place,received_at,trapped
旧账一,gucheng,东门,2024-07-01 08:00,0
旧账二,大田街道,,2024-07-02 09:30,2
"旧账三, 带逗号",dayang,"码头 ""北""",2024-07-03 10:00,
EOF
before=$(c incident list --all --json | grep -o '"id":' | wc -l)
expect_exit 2 "import incidents --encoding latin1: usage" -- \
	c import incidents "$W/good.csv" --encoding latin1
check "...naming the encodings it takes" grep -q "utf-8 or gb18030" "$ERR"
expect_exit 2 "import incidents --encoding without a value: usage" -- \
	c import incidents "$W/good.csv" --encoding
ok_run "import incidents: a good CSV" -- c import incidents "$W/good.csv"
check "import incidents: stdout is the 3 new ids, one per line" \
	sh -c "test \$(grep -cE '^[a-z][a-z0-9]*-[0-9]+\$' '$OUT') = 3 && test \$(wc -l <'$OUT') = 3"
after=$(c incident list --all --json | grep -o '"id":' | wc -l)
check "import incidents: 3 incidents more ($before -> $after)" test "$after" -eq $((before + 3))
run c export --json
check "import incidents: quoted fields kept" grep -q '旧账三, 带逗号' "$OUT"

cat >"$W/bad.csv" <<'EOF'
title,town,place,received_at,trapped
好的一行,gucheng,东门,2024-07-01 08:00,0
坏的一行,atlantis,西门,2024-07-01 09:00,1
好的另一行,gucheng,南门,2024-07-01 10:00,0
EOF
refused 1 "import incidents: one bad row (unknown town): nothing loaded" -- \
	c import incidents "$W/bad.csv"
check "import incidents: the message names line 3" grep -q 'line 3' "$ERR"
printf 'title,town,trapped\nx,gucheng,1\ny,gucheng,-4\n' >"$W/neg.csv"
refused 1 "import incidents: a negative count: nothing loaded" -- c import incidents "$W/neg.csv"
check "import incidents: the message names line 3 (negative)" grep -q 'line 3' "$ERR"
printf 'title,town\nx,gucheng\ny,gucheng,extra\n' >"$W/cols.csv"
refused 1 "import incidents: a row with too many fields" -- c import incidents "$W/cols.csv"
check "import incidents: the message names line 3 (fields)" grep -q 'line 3' "$ERR"
printf 'title,town,colour\nx,gucheng,red\n' >"$W/unk.csv"
refused 1 "import incidents: an unknown column" -- c import incidents "$W/unk.csv"
refused 1 "import incidents: a file that does not exist" -- c import incidents "$W/nope.csv"
refused 2 "import teams: only incidents can be imported" -- c import teams "$W/good.csv"
refused 2 "import: no file" -- c import incidents
refused 2 "import: too many arguments" -- c import incidents "$W/good.csv" "$W/good.csv"

# ---------------------------------------------------------------------
# response levels (command station)

expect_id "response start typhoon IV prints the id" -- c response start typhoon IV --signed-by 局长
ok_run "response show" -- c response show
ok_run "response show typhoon (history, checklist)" -- c response show typhoon
expect_json_array "response show --json" -- c response show --json
ok_run "response check typhoon ty4-duty" -- c response check typhoon ty4-duty
ok_run "response check --undo" -- c response check typhoon ty4-duty --undo
expect_id "response raise typhoon III" -- c response raise typhoon III
expect_id "response lower typhoon IV" -- c response lower typhoon 4
expect_id "response end typhoon" -- c response end typhoon --note 台风远离
expect_id "response start geological 三级" -- c response start geological 三级

refused 1 "response start: unknown hazard" -- c response start volcano IV
refused 1 "response start: level V" -- c response start typhoon V
refused 1 "response start: level 0" -- c response start typhoon 0
refused 1 "response start: level five" -- c response start typhoon five
refused 1 "response start: already in force" -- c response start geological IV
refused 1 "response raise: not above the level in force" -- c response raise geological IV
refused 1 "response raise: level V" -- c response raise geological V
refused 1 "response raise: nothing in force" -- c response raise flood II
refused 1 "response lower: level five" -- c response lower geological five
refused 1 "response lower: not below" -- c response lower geological I
refused 1 "response end: nothing in force" -- c response end typhoon
refused 1 "response end: unknown hazard" -- c response end volcano
refused 1 "response confirm: no conflict" -- c response confirm geological III
refused 1 "response confirm: level 0" -- c response confirm geological 0
refused 1 "response show: unknown hazard" -- c response show volcano
refused 1 "response check: unknown item" -- c response check geological no-such-item
refused 1 "response check: nothing in force" -- c response check flood fl4-duty
refused 1 "response check: unknown hazard" -- c response check volcano x
refused 2 "response start: missing the level" -- c response start flood
refused 2 "response start: too many arguments" -- c response start flood IV III
refused 2 "response end: too many arguments" -- c response end geological now
refused 2 "response start: unknown option --level" -- c response start flood --level IV
refused 2 "response show: too many arguments" -- c response show flood typhoon
refused 2 "response check: missing the item" -- c response check geological

# Two decisions following the same one with different levels are a
# conflict (from two stations, over sync). The shell has no sync, so put
# the second decision in with sqlite3, then settle it with the commands.
if have sqlite3; then
	expect_id "response start flood IV" -- c response start flood IV
	FS=$ID
	expect_id "response raise flood III" -- c response raise flood III
	sqlite "$C" "INSERT INTO decisions(id, hazard, action, level, signed_by, at,
		officer, station) VALUES('xianju-1', 'flood', 'raise', 2, 'x',
		strftime('%s','now'), 'x', 'xianju');
		INSERT INTO follows(decision, hazard, follows)
		VALUES('xianju-1', 'flood', '$FS');" >/dev/null
	changed
	refused 1 "response raise during a conflict: refused" -- c response raise flood I
	run c conflict list --json
	check "conflict list --json shows the response conflict" grep -q "response:flood:$FS" "$OUT"
	expect_id "response confirm flood II settles it" -- c response confirm flood II
	ok_run "conflict ack" -- c conflict ack "response:flood:$FS"
	refused 1 "response confirm: level 五" -- c response confirm flood 五
else
	skip "sqlite3 CLI not installed (conflict confirm/ack)"
fi

# A town station may not decide a response.
GUARD=$TW
changed
refused 1 "response start on a town station: refused (role)" -- t response start typhoon IV
refused 1 "warning issue on a town station: refused (role)" -- \
	t warning issue --hazard typhoon --color red --text 台风
GUARD=$C
changed

# ---------------------------------------------------------------------
# teams and dispatch

expect_json_array "team list --json" -- c team list --json
ok_run "team list (table)" -- c team list
refused 1 "team list: a status that does not exist" -- c team list --status bogus
refused 1 "team list: a kind that does not exist" -- c team list --kind bogus
expect_json_array "team list --town gucheng --status available --json" -- \
	c team list --town gucheng --status available --json
refused 1 "team list: unknown town" -- c team list --town atlantis
refused 2 "team list: an unexpected argument" -- c team list c01
refused 2 "team list: unknown option" -- c team list --busy

expect_id "dispatch prints the id alone" -- c dispatch c01 "$I1"
D1=$ID
refused 1 "dispatch: a team already out" -- c dispatch c01 "$I2"
refused 1 "dispatch: unknown team" -- c dispatch t-nowhere "$I1"
refused 1 "dispatch: unknown incident" -- c dispatch c02 linhai-9999
refused 2 "dispatch: missing the incident" -- c dispatch c02
refused 2 "dispatch: too many arguments" -- c dispatch c02 "$I1" "$I2"
refused 2 "dispatch: unknown option" -- c dispatch c02 "$I1" --now

ok_run "team status c01 en_route" -- c team status c01 en_route
refused 1 "team status: already en_route" -- c team status c01 en_route
refused 1 "team status: backwards (dispatched)" -- c team status c01 dispatched
refused 1 "team status: unknown team" -- c team status t-nowhere en_route
refused 1 "team status: unknown status" -- c team status c02 flying
refused 1 "team status: a team not out cannot be en_route" -- c team status c02 en_route
refused 1 "team status: out_of_service while out" -- c team status c01 out_of_service
refused 2 "team status: missing the status" -- c team status c02
refused 2 "team status: too many arguments" -- c team status c02 en_route now

expect_json_array "dispatch list --json" -- c dispatch list --json
ok_run "dispatch list (table)" -- c dispatch list
expect_json_array "dispatch list --incident ID --json" -- c dispatch list --incident "$I1" --json
check "dispatch list --incident ID holds the dispatch" grep -q "$D1" "$OUT"
refused 1 "dispatch list: unknown incident" -- c dispatch list --incident linhai-9999
refused 2 "dispatch list: an unexpected argument" -- c dispatch list "$I1"

ok_run "incident status closed" -- c incident status "$I3" closed
refused 1 "dispatch: to a closed incident" -- c dispatch c02 "$I3"
ok_run "incident status reopen" -- c incident status "$I3" reopen

# ---------------------------------------------------------------------
# supplies

expect_json_array "supply list --json" -- c supply list --json
check "supply list --json rows carry item, depot and qty" \
	grep -q '"item":.*"depot":.*"qty":\|"qty":.*"depot":.*"item":' "$OUT"
ok_run "supply list (table)" -- c supply list
expect_json_array "supply list --depot d-datian --item tent --json" -- \
	c supply list --depot d-datian --item tent --json
refused 1 "supply list: unknown depot" -- c supply list --depot d-atlantis
refused 1 "supply list: unknown item" -- c supply list --item unicorn
refused 2 "supply list: an unexpected argument" -- c supply list tent

expect_id "supply receive prints the id alone" -- c supply receive tent 5 --depot d-datian
expect_id "supply issue" -- c supply issue tent 1 --depot d-datian --note 前洋村
expect_id "supply transfer" -- c supply transfer tent 2 --from d-city --to d-datian
expect_id "supply count" -- c supply count tent 50 --depot d-datian
expect_id "supply count 0 (a count may be zero)" -- c supply count bed 0 --depot d-datian
for verb in receive issue; do
	refused 1 "supply $verb: negative quantity" -- c supply $verb tent -5 --depot d-datian
	refused 1 "supply $verb: zero quantity" -- c supply $verb tent 0 --depot d-datian
	refused 1 "supply $verb: non-numeric quantity" -- c supply $verb tent five --depot d-datian
	refused 1 "supply $verb: 1.5" -- c supply $verb tent 1.5 --depot d-datian
	refused 1 "supply $verb: unknown item" -- c supply $verb unicorn 1 --depot d-datian
	refused 1 "supply $verb: unknown depot" -- c supply $verb tent 1 --depot d-atlantis
	refused 2 "supply $verb: missing --depot" -- c supply $verb tent 1
	refused 2 "supply $verb: missing the quantity" -- c supply $verb tent --depot d-datian
	refused 2 "supply $verb: too many arguments" -- c supply $verb tent 1 2 --depot d-datian
	refused 2 "supply $verb: unknown option" -- c supply $verb tent 1 --depot d-datian --to d-city
done
refused 1 "supply receive: quantity over 1000000000" -- c supply receive tent 1000000001 --depot d-datian
refused 1 "supply receive: quantity overflowing 64 bits" -- c supply receive tent 99999999999999999999 --depot d-datian
refused 1 "supply issue: more than the depot holds" -- c supply issue tent 999999 --depot d-datian
refused 1 "supply transfer: negative quantity" -- c supply transfer tent -1 --from d-city --to d-datian
refused 1 "supply transfer: zero quantity" -- c supply transfer tent 0 --from d-city --to d-datian
refused 1 "supply transfer: non-numeric quantity" -- c supply transfer tent x --from d-city --to d-datian
refused 1 "supply transfer: to the same depot" -- c supply transfer tent 1 --from d-city --to d-city
refused 1 "supply transfer: unknown depot" -- c supply transfer tent 1 --from d-city --to d-atlantis
refused 2 "supply transfer: missing --to" -- c supply transfer tent 1 --from d-city
refused 1 "supply count: negative quantity" -- c supply count tent -1 --depot d-datian
refused 1 "supply count: non-numeric quantity" -- c supply count tent many --depot d-datian
refused 2 "supply count: missing --depot" -- c supply count tent 3

# ---------------------------------------------------------------------
# shelters

expect_json_array "shelter list --json" -- c shelter list --json
ok_run "shelter list (table)" -- c shelter list
expect_json_array "shelter list --town gucheng --open --json" -- c shelter list --town gucheng --open --json
refused 1 "shelter list: unknown town" -- c shelter list --town atlantis
refused 2 "shelter list: an unexpected argument" -- c shelter list s001

ok_run "shelter open s001" -- c shelter open s001
ok_run "shelter checkin s001 10" -- c shelter checkin s001 10
check "shelter checkin within capacity: nothing on stderr" test ! -s "$ERR"
ok_run "shelter checkin s001 600: above capacity of 560, taken" -- c shelter checkin s001 600
check "shelter checkin above capacity: stderr says by how much" \
	grep -q "s001 now holds 610 people, 50 over its capacity of 560" "$ERR"
ok_run "shelter checkout s001 600" -- c shelter checkout s001 600
refused 1 "shelter open: already open" -- c shelter open s001
refused 1 "shelter open: unknown shelter" -- c shelter open s99999
refused 1 "shelter checkin: negative number" -- c shelter checkin s001 -3
refused 1 "shelter checkin: zero" -- c shelter checkin s001 0
refused 1 "shelter checkin: non-numeric" -- c shelter checkin s001 ten
refused 1 "shelter checkin: unknown shelter" -- c shelter checkin s99999 1
refused 1 "shelter checkin: a closed shelter" -- c shelter checkin s002 1
refused 1 "shelter checkout: more than are there" -- c shelter checkout s001 11
refused 1 "shelter checkout: negative number" -- c shelter checkout s001 -1
refused 1 "shelter close: people still in" -- c shelter close s001
refused 2 "shelter checkin: missing the number" -- c shelter checkin s001
refused 2 "shelter checkin: too many arguments" -- c shelter checkin s001 1 2
refused 2 "shelter open: no shelter" -- c shelter open
refused 2 "shelter open: too many arguments" -- c shelter open s001 s002
ok_run "shelter checkout s001 10" -- c shelter checkout s001 10
ok_run "shelter close s001" -- c shelter close s001
refused 1 "shelter close: already closed" -- c shelter close s001
refused 1 "shelter close: unknown shelter" -- c shelter close s99999

# ---------------------------------------------------------------------
# warnings and their answers

expect_id "warning issue prints the id alone" -- \
	c warning issue --hazard typhoon --color orange --text 台风橙色预警
W1=$ID
expect_id "warning issue --towns" -- \
	c warning issue --hazard rainstorm --color blue --text 暴雨 --towns gucheng,大田街道
W2=$ID
refused 1 "warning issue: wrong colour (purple)" -- \
	c warning issue --hazard typhoon --color purple --text x
refused 1 "warning issue: unknown hazard (not a hazard word)" -- \
	c warning issue --hazard "台风!" --color red --text x
refused 1 "warning issue: unknown town in --towns" -- \
	c warning issue --hazard typhoon --color red --text x --towns gucheng,atlantis
refused 1 "warning issue: empty --text" -- c warning issue --hazard typhoon --color red --text ""
refused 2 "warning issue: missing --text" -- c warning issue --hazard typhoon --color red
refused 2 "warning issue: missing --color" -- c warning issue --hazard typhoon --text x
refused 2 "warning issue: unknown option" -- c warning issue --hazard typhoon --color red --text x --level IV
refused 2 "warning issue: an unexpected argument" -- c warning issue --hazard typhoon --color red --text x now

expect_id "warning answer prints the id alone" -- c warning answer "$W1" gucheng --who 李
refused 1 "warning answer: already answered" -- c warning answer "$W1" gucheng
refused 1 "warning answer: unknown town" -- c warning answer "$W1" atlantis
refused 1 "warning answer: unknown warning" -- c warning answer linhai-9999 gucheng
refused 1 "warning answer: a town that was not warned" -- c warning answer "$W2" dayang
refused 2 "warning answer: missing the town" -- c warning answer "$W1"
refused 2 "warning answer: too many arguments" -- c warning answer "$W1" gucheng dayang

expect_json_array "warning list --json" -- c warning list --json
ok_run "warning list (table)" -- c warning list
expect_json_array "warning list WARNING --json (answers)" -- c warning list "$W1" --json
refused 1 "warning list: unknown warning" -- c warning list linhai-9999
refused 2 "warning list: too many arguments" -- c warning list "$W1" "$W2"

# ---------------------------------------------------------------------
# duty log, handover, conflicts

expect_id "log add prints the id alone" -- c log add "08:00 接班，一切正常"
refused 1 "log zero: refused while incidents are open and a response in force" -- \
	c log zero
check "log zero refused: names the open incidents" grep -q "$I1" "$ERR"
check "log zero refused: names the response in force" grep -q "responses are in force" "$ERR"
refused 1 "log add: empty text" -- c log add ""
refused 2 "log add: no text" -- c log add
refused 2 "log add: too many arguments" -- c log add one two
refused 2 "log zero: too many arguments" -- c log zero one two
refused 2 "log add: unknown option" -- c log add x --kind zero
expect_json_array "log list --json" -- c log list --json
ok_run "log list (table)" -- c log list
refused 2 "log list: an unexpected argument" -- c log list today

expect_id "handover prints the id alone" -- c handover --to 张三 --note 平安
refused 1 "handover: to oneself" -- c handover --to tester
refused 1 "handover: empty --to" -- c handover --to ""
refused 2 "handover: missing --to" -- c handover --note x
refused 2 "handover: an unexpected argument" -- c handover --to 张三 now

expect_json_array "conflict list --json" -- c conflict list --json
ok_run "conflict list (table)" -- c conflict list
refused 1 "conflict ack: unknown conflict" -- c conflict ack response:flood:nothing
refused 2 "conflict ack: no id" -- c conflict ack
refused 2 "conflict ack: too many arguments" -- c conflict ack a b
refused 2 "conflict list: an unexpected argument" -- c conflict list all

# ---------------------------------------------------------------------
# drills: what is refused before any console opens

refused 2 "drill run: no scenario" -- c drill run
refused 1 "drill run --report-charset latin1" -- c drill run assets/drills/typhoon-danas.json --report-charset latin1
check "drill run --report-charset latin1: the message names the charsets" grep -q "utf-8 or gb18030" "$ERR"
refused 1 "drill run --speed 0" -- c drill run assets/drills/typhoon-danas.json --speed 0
refused 2 "drill run: not in a terminal" -- c drill run assets/drills/typhoon-danas.json
refused 2 "drill join: no realm" -- c drill join
refused 1 "drill join live" -- c drill join live
refused 1 "drill join of a realm that is not a drill's" -- c drill join "drill-A B"
refused 2 "drill join --timeout 0" -- c drill join drill-20260101000000 --timeout 0
check "drill join: no drill database was left behind" \
	sh -c "! ls '$(dirname "$C")'/drill-* >/dev/null 2>&1"

# ---------------------------------------------------------------------
# export, backup, restore

expect_json_object "export --json: one object" -- c export --json
check "export --json: has the arrays and the digest" \
	grep -q '"digest"' "$OUT"
for key in towns teams depots supply_kinds stock shelters incidents dispatches \
	   responses warnings log conflicts; do
	grep -q "\"$key\":" "$OUT" || fail "export --json: has the array $key"
done
digest_json=$(sed -n 's/.*"digest":[[:space:]]*"\([0-9a-f]*\)".*/\1/p' "$OUT")
ok_run "export without --json: a summary for a person" -- c export
check "export: one line per array with its count, and the same digest" \
	sh -c "grep -Eq '^towns +19\$' '$OUT' && grep -Eq '^incidents +[0-9]+\$' '$OUT' &&
	       grep -Eq '^digest +$digest_json\$' '$OUT' && test -n '$digest_json'"
refused 2 "export: an unexpected argument" -- c export all
refused 2 "export: unknown option" -- c export --csv

ok_run "backup to a new file" -- c backup "$W/b1.db"
check "backup: the file exists" test -s "$W/b1.db"
echo "keep me" >"$W/exists.db"
refused 1 "backup to an existing file: refused" -- c backup "$W/exists.db"
check "backup to an existing file: the file is unchanged" test "$(cat "$W/exists.db")" = "keep me"
refused 2 "backup: no file" -- c backup
refused 2 "backup: too many arguments" -- c backup "$W/b2.db" "$W/b3.db"
check "backup usage errors create nothing" test ! -e "$W/b2.db" -a ! -e "$W/b3.db"

ok_run "restore into a new file" -- dut --db "$W/r1.db" restore "$W/b1.db"
check "restore: the export is identical to the original" \
	test "$(digest "$W/r1.db")" = "$(digest "$C")" -a "$(digest "$C")" != -
incarnation() {
	"$BIN" --db "$1" status --json 2>/dev/null |
		sed -n 's/.*"incarnation":[[:space:]]*"\([^"]*\)".*/\1/p'
}
inc_c=$(incarnation "$C")
inc_r=$(incarnation "$W/r1.db")
check "restore: a new incarnation ($inc_c vs $inc_r)" test -n "$inc_r" -a "$inc_c" != "$inc_r"
GUARD=$W/r1.db
changed
refused 1 "restore onto an existing database: refused, unchanged" -- \
	dut --db "$W/r1.db" restore "$W/b1.db"
GUARD=$C
changed
refused 1 "restore onto the live database: refused, unchanged" -- \
	dut --db "$C" restore "$W/b1.db"
expect_exit 3 "restore from a backup that does not exist: exit 3" -- \
	dut --db "$W/r2.db" restore "$W/nope.db"
check "restore from a missing backup: nothing created" test ! -e "$W/r2.db" -a ! -e "$W/nope.db"
expect_exit 3 "restore from a text file: exit 3" -- dut --db "$W/r3.db" restore "$W/notes.txt"
check "restore from a text file: nothing created" test ! -e "$W/r3.db"
expect_exit 2 "restore: no backup named" -- dut --db "$W/r4.db" restore
check "restore usage error: nothing created" test ! -e "$W/r4.db"

# ---------------------------------------------------------------------
# The town station can do its own work (happy path with the other role).
expect_id "town station: incident add" -- t incident add --town datian --title 树倒
expect_id "town station: dispatch" -- t dispatch t-datian "$ID"
if have sqlite3; then
	for db in "$C" "$TW" "$W/r1.db"; do
		if integrity_ok "$db"; then pass "integrity_check ok: $(basename "$db")"
		else fail "integrity_check ok: $(basename "$db")" "$_ic"; fi
	done
fi

finish
