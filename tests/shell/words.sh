#!/bin/sh
# words.sh - the Chinese console speaks Chinese: every pane, its help,
# its forms and the prompts, in zh_CN.UTF-8 at 80x24 and at 160x48, on a
# station holding a record of every kind in every state; any English
# word on a screen fails, except ids and codes of records, key names,
# the levels' Roman numerals and environment variables' names.
#
# Run from the repository root: sh tests/shell/words.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

if ! have tmux || ! have python3; then
	skip "tmux or python3 not installed"
	finish
fi
if [ "$ZH" != zh_CN.UTF-8 ]; then
	skip "no zh_CN.UTF-8 locale"
	finish
fi

SOCK=$W/tmux.sock
CLEANUP='tmux -S "$SOCK" kill-server 2>/dev/null'
DB=$W/station.db
d() { "$BIN" --db "$DB" "$@"; }
ago() { TZ=$DUTYDESK_TZ date -d "-$1 minutes" '+%Y-%m-%d %H:%M'; }

ok_run "a county station" -- d init --station linhai --role command
# A record of every kind, in every state the panes show.
n=0
for s in reported verified responding controlled closed; do
	n=$((n + 1))
	expect_id "an incident, $s" -- d incident add --town 大田街道 \
		--title "山洪$n" --received "$(ago 50)" --dead 1 --injured 2
	[ "$s" = reported ] || ok_run "to $s" -- d incident status "$(cat "$OUT")" "$s"
done
expect_id "a Level IV typhoon response" -- d response start typhoon IV --signed-by 张局长
ok_run "raised to III" -- d response raise typhoon III --signed-by 张局长
ok_run "an item ticked" -- d response check typhoon ty4-duty
expect_id "a flood response" -- d response start flood IV --signed-by 张局长
ok_run "ended" -- d response end flood --signed-by 张局长
n=1
for st in en_route on_scene returning; do
	n=$((n + 1))
	expect_id "a dispatch" -- d dispatch "m0$n" linhai-1
	ok_run "the team $st" -- d team status "m0$n" "$st"
done
ok_run "a team out of service" -- d team status m06 out_of_service
for c in blue:蓝 yellow:黄 orange:橙 red:红; do
	expect_id "a ${c%:*} warning" -- d warning issue --hazard typhoon \
		--color "${c%:*}" --text "台风${c#*:}色预警" --towns datian,hetou
done
ok_run "an answer" -- d warning answer "$(cat "$OUT")" datian --who 王镇长
ok_run "a shelter opened" -- d shelter open s001
ok_run "people checked in" -- d shelter checkin s001 600
ok_run "stock issued below its low mark" -- d supply issue bed 620 --depot d-city
ok_run "a note" -- d log add 大田水位上涨
ok_run "a handover" -- d handover --to 李四
# The people on duty: a shift on the roster (after the handover, which
# it would otherwise expect to go to its officer) and a call.
ok_run "the leader in the directory" -- d contact add --name 赵建华 \
	--phone 13906760001 --role county_leader
ok_run "and the officer" -- d contact add --name 钱立群 --phone 13906760002 --role officer
expect_id "a shift" -- d roster add "$(TZ=$DUTYDESK_TZ date +%Y-%m-%d)" \
	--leader 赵建华 --officer 钱立群
expect_id "a call" -- d call 钱立群 --outcome no_answer

# The words a Chinese screen may hold: ids and codes of the records (a
# town's code is not one: a town shows by its name), the checklist
# items' and hazards' codes, key names, levels, variables.
allowed=$W/allowed
{
	for t in teams depots supply_kinds shelters incidents warnings log dispatches \
		contacts shifts calls; do
		sqlite3 "$DB" "SELECT id FROM $t"
	done
	echo linhai tester 王五
	ls "$DUTYDESK_ASSETS/checklists" | sed -n 's/\.json$//p'
	cat "$DUTYDESK_ASSETS"/checklists/*.json | grep -o '"code": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/'
	printf '%s\n' Tab Esc Enter Space PgUp PgDn Home End Up Down Left Right \
		Del Backspace Ins F1 F2 F3 F4 F5 F6 F7 F8 F9 F10 F11 F12 Ctrl \
		I II III IV
} > "$allowed"
# A form's list and its fields, and a record, may show a town's code
# beside its name (what a field takes).
sqlite3 "$DB" "SELECT id FROM towns" | cat "$allowed" - > "$W/allowed-forms"
# english LOOKS: for each screen listed in LOOKS (number, allowed words'
# file, what it is), a line: number, then the English words on it.
english() {
	python3 - "$1" "$W" <<'EOF'
import re, sys
looks, wdir = sys.argv[1], sys.argv[2]
sets = {}
def bad_words(allowed, screen):
    bad = []
    for m in re.finditer(r'[A-Za-z0-9_./-]*[A-Za-z][A-Za-z0-9_./-]*', screen):
        t = m.group(0).strip('./-')
        edge = screen[m.end():m.end() + 1] in ('|', '+')
        if (t in allowed or len(t) <= 1 or t.startswith('/')
                or re.fullmatch(r'[A-Z][A-Z0-9]*(_[A-Z0-9]+)+', t)  # a variable
                or re.fullmatch(r'[A-Z]-[a-z]', t)                  # C-d
                or re.fullmatch(r'[0-9]+[a-z]', t)):                # 5m, 2h
            continue
        # A code cut where an overlay's border covers the pane under it.
        if edge and any(a.startswith(t) for a in allowed):
            continue
        if '/' in t or '-' in t:
            # a path, or ids joined: each part must pass
            parts = [p for p in re.split(r'[/-]', t) if p]
            if all(p in allowed or len(p) <= 1 or p.isdigit() for p in parts):
                continue
        bad.append(t)
    return sorted(set(bad))
for line in open(looks, encoding='utf-8'):
    n, allowed_file, what = line.rstrip('\n').split('\t', 2)
    if allowed_file not in sets:
        sets[allowed_file] = set(open(allowed_file, encoding='utf-8').read().split())
    screen = open('%s/screen.%s' % (wdir, n), encoding='utf-8').read()
    print(n + '\t' + ' '.join(bad_words(sets[allowed_file], screen)))
EOF
}

console() {
	tmux -S "$SOCK" kill-session -t dd 2>/dev/null
	tmux -S "$SOCK" -f /dev/null new-session -d -s dd -x "$1" -y "$2" \
		"TERM=xterm-256color LANG=$ZH LC_ALL=$ZH DUTYDESK_BELL=off '$BIN' --db '$DB' --officer 王五; echo CONSOLE-EXITED; sleep 30"
}
tmux -S "$SOCK" -f /dev/null new-session -d -s keep -x 20 -y 5 "sleep 600"

# look WHAT [ALLOWED]: the screen holds no English word.
# The screen is read once it has settled (two reads alike); the words
# of every screen are checked at the end, in one pass.
NLOOK=0
: > "$W/looks"
look() {
	_i=0 _prev=""
	while [ $_i -lt 30 ]; do
		sleep 0.1
		_cur=$(screen)
		[ $_i -ge 1 ] && [ "$_cur" = "$_prev" ] && break
		_prev=$_cur
		_i=$((_i + 1))
	done
	NLOOK=$((NLOOK + 1))
	printf '%s\n' "$_cur" > "$W/screen.$NLOOK"
	# WORDS_KEEP=DIR keeps every screen read, to look at.
	[ -n "${WORDS_KEEP:-}" ] && cp "$W/screen.$NLOOK" "$WORDS_KEEP/$SIZE $1.txt"
	printf '%s\t%s\t%s\n' "$NLOOK" "${2:-$allowed}" "$SIZE $1" >> "$W/looks"
}
# Keys with no more wait than the console's Esc delay needs (100 ms).
keys() { tmux -S "$SOCK" send-keys -t dd "$@"; sleep 0.12; }

# Each pane's form keys (the pane's keymap).
forms_1="a e s r d"; forms_2="s + - e t"; forms_3="d s"; forms_4="r i t c"
forms_5="o i -"; forms_6="a r"; forms_7="a z h"; forms_8="a l"
for size in 80x24 160x48; do
	SIZE=$size
	console "${size%x*}" "${size#*x}"
	on_screen "$size: the console opens" "事件" 10
	for p in 1 2 3 4 5 6 7 8; do
		keys "$p"
		look "pane $p"
		# Its first row's whole record, and the record's last page.
		keys Enter
		look "pane $p record" "$W/allowed-forms"
		keys G
		look "pane $p record, its end" "$W/allowed-forms"
		keys Escape
		keys '?'
		look "pane $p help"
		keys Escape
		eval "fl=\$forms_$p"
		for f in $fl; do
			keys "$f"
			look "pane $p form '$f'" "$W/allowed-forms"
			keys Escape Escape
		done
	done
	# Pane 8's other lists, the roster and the calls (v), and their
	# records and forms.
	keys 8
	for l in roster calls; do
		keys v
		look "pane 8 $l"
		keys Enter
		look "pane 8 $l record" "$W/allowed-forms"
		keys Escape a
		look "pane 8 $l form 'a'" "$W/allowed-forms"
		keys Escape Escape
	done
	keys v
	for v in "incident list --all" "team list" "warning list" \
		"dispatch list" "shelter list" "supply list" "log list"; do
		# The page's title repeats the command typed.
		_av="$W/allowed-verb-$(echo "$v" | tr ' ' _)"
		echo "$v" | tr ' ' '\n' | sed 's/^--//' | cat "$W/allowed-forms" - \
			> "$_av"
		keys : "$v" Enter
		look "the output of :$v" "$_av"
		keys Escape
	done
	keys R
	look "the refusals (none)"
	keys Escape
	keys :
	look "the command line"
	keys Escape /
	look "the filter line"
	keys Escape q
done
english "$W/looks" > "$W/english"
while IFS='	' read -r _n _what; do
	_bad=$(sed -n "${_n}p" "$W/english" | cut -f2)
	if [ -z "$_bad" ]; then pass "$_what: Chinese only"; else
		fail "$_what: Chinese only" "English: $_bad" \
			"$(sed 's/^/    /' "$W/screen.$_n")"; fi
done <<EOF2
$(cut -f1,3 "$W/looks")
EOF2
finish
