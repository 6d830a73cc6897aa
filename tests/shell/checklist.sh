#!/bin/sh
# checklist.sh - a response level's checklist worked from the console, as
# a duty officer meets it: start a Level IV typhoon response, raise it to
# III, take the cursor into the checklist (c), walk it to its last item
# and read each item's full text on the screen, tick three with Space and
# untick one; the progress shows beside the level in the pane's row and
# on the status line; a tick made from a shell shows in the running
# console within a second or two; Esc takes the cursor back to the
# levels list. At 80x24 and 160x48, in zh_CN.UTF-8 and in C with
# TERM=vt100. Last, a tick made at another station shows on a linked
# console.
#
# Run from the repository root: sh tests/shell/checklist.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

need_dutydeskd
if ! have tmux; then
	skip "tmux not installed"
	finish
fi
if ! have python3; then
	skip "python3 not installed (reads the screen by display column)"
	finish
fi

SOCK=$W/tmux.sock
CLEANUP='stop_server; tmux -S "$SOCK" kill-server 2>/dev/null'
tmux -S "$SOCK" -f /dev/null new-session -d -s keep -x 20 -y 5 "sleep 600"

# flat FROM: the screen from display column FROM on (the right-hand
# panes of the wide layout start at 80), every blank taken out, so a
# text wrapped over lines reads as one.
flat() {
	screen | python3 -c '
import sys, unicodedata
start = int(sys.argv[1])
out = []
for line in sys.stdin.read().split("\n"):
    col, keep = 0, []
    for ch in line:
        if col >= start:
            keep.append(ch)
        col += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    out.append("".join(keep))
print("".join("".join(out).split()))' "$1"
}

# flow TERM LANG COLS LINES: the whole flow on a fresh station.
flow() {
	_t=$1 _l=$2 _c=$3 _r=$4
	_tag="$_l $_t ${_c}x$_r"
	_db=$W/st-$_c-$_t.db
	_x=0
	[ "$_c" -ge 160 ] && _x=80
	d() { LANG=$_l LC_ALL=$_l "$BIN" --db "$_db" "$@"; }
	d init --station linhai --role command >/dev/null 2>"$ERR" ||
		{ fail "$_tag: init"; return; }
	tmux -S "$SOCK" kill-session -t dd 2>/dev/null
	tmux -S "$SOCK" -f /dev/null new-session -d -s dd -x "$_c" -y "$_r" \
		"TERM=$_t LANG=$_l LC_ALL=$_l DUTYDESK_BELL=off '$BIN' --db '$_db' --officer wang; echo CONSOLE-EXITED; sleep 30"
	wait_for "linhai" 8
	# The status line names the hazard as the reader says it.
	_hz=typhoon
	case $_l in zh_CN*) _hz=防台风 ;; esac
	keys 2
	keys G
	keys s
	keys C-d
	on_screen "$_tag: a Level IV typhoon response starts" "$_hz IV"
	keys +
	keys C-d
	on_screen "$_tag: raised to III" "$_hz III"

	# The items as the shell lists them, in this locale's language.
	d response show typhoon | sed -n 's/^  \[[ x]\] //p' >"$W/items"
	_n=$(nlines "$W/items")
	if [ "$_n" = 16 ]; then pass "$_tag: 16 items at III"; else
		fail "$_tag: 16 items at III" "got $_n"; fi

	keys c
	_k=0 _bad=""
	while IFS= read -r _line; do
		_k=$((_k + 1))
		_code=${_line%% *}
		_text=$(printf '%s' "${_line#"$_code"}" | tr -d ' \t')
		[ "$_k" -gt 1 ] && keys Down
		if ! screen | grep -Eq "> \[[ x]\] +[IV]+ +$_code( |\$)"; then
			_bad="$_bad cursor-not-on-$_code"
		elif ! flat "$_x" | grep -qF -- "$_text"; then
			_bad="$_bad text-of-$_code"
		fi
	done <"$W/items"
	if [ -z "$_bad" ]; then
		pass "$_tag: the cursor reaches every item, each one's text whole"
	else
		fail "$_tag: the cursor reaches every item, each one's text whole" \
			"$_bad"
		screen | sed 's/^/#   | /'
	fi

	# Three ticked with Space, the last one unticked again.
	keys Space
	keys Up
	keys Space
	keys Up
	keys Space
	keys Space
	d response show typhoon >"$OUT"
	if grep -q '^  \[x\] ty3-supply ' "$OUT" && grep -q '^  \[x\] ty3-teams ' "$OUT" &&
	   grep -q '^  \[ \] ty3-evac ' "$OUT"; then
		pass "$_tag: Space ticks and unticks the item under the cursor"
	else
		fail "$_tag: Space ticks and unticks the item under the cursor" \
			"$(grep 'ty3-' "$OUT" | tr '\n' '|')"
	fi
	if wait_for "III 2/16" 3 && screen | sed 1d | grep -q "typhoon.*III 2/16"
	then
		pass "$_tag: the row says III 2/16"
	else
		fail "$_tag: the row says III 2/16"
		screen | sed 's/^/#   | /'
	fi
	if screen | head -n 1 | grep -q "$_hz III 2/16"; then
		pass "$_tag: the status line says typhoon III 2/16"
	else
		fail "$_tag: the status line says typhoon III 2/16" \
			"line: $(screen | head -n 1)"
	fi

	# A tick from a shell shows in the running console.
	d response check typhoon ty3-boats 2>"$ERR"
	if wait_for "III 3/16" 2 && screen | grep -Eq "\[x\] +III +ty3-boats"; then
		pass "$_tag: a tick from the shell shows within 2 s"
	else
		fail "$_tag: a tick from the shell shows within 2 s"
		screen | sed 's/^/#   | /'
	fi

	if d response show | grep -q "^typhoon .* III 3/16\$"; then
		pass "$_tag: the shell's list of levels says III 3/16 too"
	else
		fail "$_tag: the shell's list of levels says III 3/16 too" \
			"$(d response show | grep typhoon)"
	fi

	# A page at a time (^F is PgDn, which vt100 has not), and back.
	keys g
	keys C-f
	if ! screen | grep -q "ty4-1833" &&
	   screen | grep -Eq "> \[[ x]\] +[IV]+ +ty[34]-"; then
		pass "$_tag: PgDn (^F) pages the checklist"
	else
		fail "$_tag: PgDn (^F) pages the checklist"
		screen | sed 's/^/#   | /'
	fi
	keys C-b
	keys C-b
	if screen | grep -Eq "> \[[ x]\] +IV +ty4-1833"; then
		pass "$_tag: PgUp (^B) pages back to the first item"
	else
		fail "$_tag: PgUp (^B) pages back to the first item"
	fi

	# Esc: the cursor leaves the checklist, Up moves the levels list.
	keys Escape
	keys Up
	sleep 0.2
	if ! screen | sed '$d' | grep -q "ty[34]-"; then
		pass "$_tag: Esc gives the keys back: Up selects the hazard above"
	else
		fail "$_tag: Esc gives the keys back: Up selects the hazard above"
		screen | sed 's/^/#   | /'
	fi
	keys Down
	if wait_for "ty4-1833" 2 && ! screen | grep -Eq "> \[[ x]\] "; then
		pass "$_tag: back on typhoon, its checklist shows without a cursor"
	else
		fail "$_tag: back on typhoon, its checklist shows without a cursor"
	fi
	if [ "$_l" = C ]; then
		if screen | LC_ALL=C grep -q '[^ -~]'; then
			fail "$_tag: the screen is ASCII only"
		else
			pass "$_tag: the screen is ASCII only"
		fi
	fi
	keys '?'
	on_screen "$_tag: ? tells how to get into the checklist" "c/Enter"
	keys Escape
	keys q
	on_screen "$_tag: the console quits" "CONSOLE-EXITED"
}

if [ "$ZH" = zh_CN.UTF-8 ]; then
	flow xterm-256color zh_CN.UTF-8 80 24
	flow xterm-256color zh_CN.UTF-8 160 48
else
	skip "no zh_CN.UTF-8 locale on this machine"
fi
flow vt100 C 80 24
flow vt100 C 160 48

# A tick made at another command station reaches the console over the
# link: linhai's console is online, backup ticks and syncs.
for s in linhai backup; do
	"$DBIN" keygen $s --role command --keys "$W/keys" >"$W/key.$s" 2>"$ERR"
done
chmod 600 "$W/keys"
server_up "$W/server.db"
for s in linhai backup; do
	ok_run "init $s, linked" -- "$BIN" --db "$W/$s.db" init --station $s \
		--role command --server "$SRV" --pin "$PIN" --key "$(cat "$W/key.$s")"
done
expect_id "linhai starts a Level IV typhoon response" -- \
	"$BIN" --db "$W/linhai.db" response start typhoon IV
ok_run "linhai syncs" -- "$BIN" --db "$W/linhai.db" sync --timeout 10
ok_run "backup syncs" -- "$BIN" --db "$W/backup.db" sync --timeout 10
tmux -S "$SOCK" kill-session -t dd 2>/dev/null
tmux -S "$SOCK" -f /dev/null new-session -d -s dd -x 80 -y 24 \
	"TERM=vt100 LANG=C LC_ALL=C DUTYDESK_BELL=off '$BIN' --db '$W/linhai.db' --officer wang; echo CONSOLE-EXITED; sleep 30"
on_screen "linhai's console is online" "| online" 8
keys 2
keys G
on_screen "it shows typhoon IV 0/8" "IV 0/8"
ok_run "backup ticks ty4-duty" -- \
	"$BIN" --db "$W/backup.db" response check typhoon ty4-duty
ok_run "backup syncs its tick" -- "$BIN" --db "$W/backup.db" sync --timeout 10
if wait_for "IV 1/8" 5 && screen | grep -Eq "\[x\] +IV +ty4-duty"; then
	pass "backup's tick shows on linhai's console"
else
	fail "backup's tick shows on linhai's console"
	screen | sed 's/^/#   | /'
fi
keys q
on_screen "linhai's console quits" "CONSOLE-EXITED"

# A town station is told, before any form, that responses are the
# command station's.
ok_run "a town station" -- "$BIN" --db "$W/datian.db" init --station datian \
	--role town
tmux -S "$SOCK" kill-session -t dd 2>/dev/null
tmux -S "$SOCK" -f /dev/null new-session -d -s dd -x 80 -y 24 \
	"TERM=vt100 LANG=C LC_ALL=C DUTYDESK_BELL=off '$BIN' --db '$W/datian.db' --officer wang; echo CONSOLE-EXITED; sleep 30"
on_screen "the town's console opens" "datian" 8
keys 2
keys s
on_screen "s on a town station says whose decision it is" \
	"only the command station decides response levels"
off_screen "and opens no form" "Start a response" 1
finish
