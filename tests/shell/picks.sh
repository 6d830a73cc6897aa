#!/bin/sh
# picks.sh - pick, don't type. In the shell a town is taken by its name
# without 街道/镇/乡, by the start of its pinyin, and an ambiguous name is
# refused (exit 1) listing the candidates. In the console, at 80x24 in
# zh_CN.UTF-8 (xterm-256color) and in C (vt100): a town picked from the
# list by typing a few letters and the arrows; a dispatch's team picked
# with the incident's town's available teams first; a list longer than
# its box scrolls inside the form; an ambiguous name typed and not
# picked is refused with the candidates; and every form's labels are
# whole in both languages, as are the hazard names of the Response pane.
set -u
BIN=${DUTYDESK_BIN:-$PWD/dutydesk}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac
export DUTYDESK_ASSETS=${DUTYDESK_ASSETS:-$PWD/assets}
LOCALEDIR=${DUTYDESK_LOCALE:-$PWD/locale}
if ! command -v tmux >/dev/null; then
	echo "not ok 1 - tmux is not installed"
	exit 1
fi
dir=$(mktemp -d)
sock=$dir/tmux.sock
T() { tmux -S "$sock" "$@"; }
trap 'T kill-server 2>/dev/null; rm -rf "$dir"' EXIT
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() {
	n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"
	T capture-pane -p -t dd 2>/dev/null | sed 's/^/#   /'
}
screen() { T capture-pane -p -t dd; }
wait_for() {
	i=0
	while [ $i -lt $((${2:-5} * 10)) ]; do
		screen 2>/dev/null | grep -qF -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
check() { if wait_for "$2" "${3:-5}"; then ok "$1"; else nok "$1 (wanted '$2')"; fi; }
keys() { T send-keys -t dd "$@"; sleep 0.15; }
dd() { "$BIN" --db "$db" "$@"; }
console() {
	t=$1 l=$2
	shift 2
	T kill-session -t dd 2>/dev/null
	T -f /dev/null new-session -d -s dd -x 80 -y 24 \
		"TERM=$t LANG=$l LC_ALL=$l DUTYDESK_BELL=off '$BIN' --db '$db' --officer wang $*; echo CONSOLE-EXITED; sleep 60"
	wait_for "linhai" 5
}
pick_locale() {
	if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then echo zh_CN.UTF-8; else echo C.UTF-8; fi
}
# The entries of the pick list on the screen, in order: the code of
# each line inside the list's box.
list_codes() { screen | sed -n 's/^[^|]*|[^|]*|\([a-z0-9-][a-z0-9-]*\) .*/\1/p'; }
# town_of ID: the town stored for an incident.
town_of() { dd incident show "$1" --json | sed -n 's/.*"town":[	 ]*"\([^"]*\)".*/\1/p' | head -n 1; }

T -f /dev/null new-session -d -s keep -x 20 -y 5 "sleep 600"
db=$dir/station.db
dd init --station linhai --role command >/dev/null 2>&1 || { echo "not ok 1 - init"; exit 1; }
ZH=$(pick_locale)

# --- the shell -------------------------------------------------------------
id=$(dd incident add --town 大田 --title 短名 2>"$dir/err")
if [ $? = 0 ] && [ "$(town_of "$id")" = datian ]; then
	ok "incident add --town 大田 takes datian"
else
	nok "incident add --town 大田 ($(cat "$dir/err"))"
fi
id=$(dd incident add --town "Dati" --title 拼音开头 2>"$dir/err")
if [ $? = 0 ] && [ "$(town_of "$id")" = datian ]; then
	ok "a pinyin start in any case names a town"
else
	nok "--town Dati ($(cat "$dir/err"))"
fi
LC_ALL=$ZH dd incident add --town da --title 两个 >"$dir/out" 2>"$dir/err"
rc=$?
if [ $rc = 1 ] && [ ! -s "$dir/out" ] && [ "$(wc -l <"$dir/err")" = 1 ] &&
   grep -q "datian 大田街道" "$dir/err" && grep -q "dayang 大洋街道" "$dir/err"; then
	ok "an ambiguous town exits 1 listing the candidates"
else
	nok "--town da: exit $rc, $(cat "$dir/err")"
fi
LC_ALL=C dd incident add --town da --title 两个 >"$dir/out" 2>"$dir/err"
rc=$?
if [ $rc = 1 ] && grep -q "datian Datian Jiedao, dayang Dayang Jiedao" "$dir/err"; then
	ok "in the C locale the candidates are named in pinyin"
else
	nok "--town da in C: exit $rc, $(cat "$dir/err")"
fi
dd incident add --town 大 --title 两个 >/dev/null 2>&1
if [ $? = 1 ]; then ok "a Chinese start that fits two is refused"; else nok "--town 大"; fi
ok_team=$(dd team list --town 大田 --json 2>/dev/null | grep -c '"id"')
if [ "$ok_team" -gt 0 ]; then ok "a filter takes the short name too"; else nok "team list --town 大田"; fi
# Hazards, incidents and checklist items are named the same way.
if dd response start 防台 IV --signed-by 张 >/dev/null 2>"$dir/err" &&
   dd response show typhoon | grep -q "IV"; then
	ok "response start 防台 names typhoon"
else
	nok "response start 防台: $(cat "$dir/err")"
fi
if dd response check typhoon 1833 2>"$dir/err"; then
	nok "an item's code must start as given: 1833 is not one"
else
	ok "an item's code must start as given: 1833 is not one"
fi
if dd response check 防台风 ty4-du 2>"$dir/err" &&
   dd response show typhoon | grep -q "IV 1/8"; then
	ok "response check 防台风 ty4-du ticks ty4-duty"
else
	nok "response check 防台风 ty4-du: $(cat "$dir/err")"
fi
LC_ALL=$ZH dd response check typhoon ty4 >/dev/null 2>"$dir/err"
rc=$?
if [ $rc = 1 ] && grep -q "ty4-1833" "$dir/err" && grep -q ", \.\.\.$" "$dir/err" &&
   iconv -f UTF-8 -t UTF-8 "$dir/err" >/dev/null 2>&1; then
	ok "an ambiguous item lists whole candidates, never a cut character"
else
	nok "response check typhoon ty4: exit $rc, $(cat "$dir/err")"
fi
sid=$(dd incident add --town datian --title 独一无二的标题 2>/dev/null)
if dd incident status 独一无二 verified 2>"$dir/err" &&
   dd incident show "$sid" --json | grep -q "\"status\":[[:space:]]*\"verified\""; then
	ok "incident status takes the start of an incident's title"
else
	nok "incident status 独一无二: $(cat "$dir/err")"
fi
if dd dispatch m01 独一无二 >/dev/null 2>"$dir/err"; then
	ok "dispatch takes the incident by its title too"
else
	nok "dispatch m01 独一无二: $(cat "$dir/err")"
fi

# --- the console: a town picked ------------------------------------------
# The incident's town's teams are all available here; the one of
# another town sent elsewhere shows the order is by town, then state.
datian=$(dd incident add --town datian --title 大田内涝 2>/dev/null)
for mode in "xterm-256color $ZH" "vt100 C"; do
	set -- $mode
	term=$1 lang=$2
	console "$term" "$lang" --lang en
	keys a
	check "$lang: the town field opens its list" " 1/19 -+"
	keys d a
	if [ "$(list_codes | tr '\n' ' ')" = "datian dayang " ]; then
		ok "$lang: typing 'da' narrows the list to datian and dayang"
	else
		nok "$lang: list after 'da': $(list_codes | tr '\n' ' ')"
	fi
	keys Down Enter
	if screen | grep -q "Town  *dayang"; then
		ok "$lang: Down and Enter take dayang into the field"
	else
		nok "$lang: dayang taken"
	fi
	keys "picked-$lang" C-d
	check "$lang: the form records the incident" "recorded"
	id=$(screen | sed -n 's/.*incident \([a-z]*-[0-9]*\) recorded.*/\1/p' | tail -n 1)
	if [ -n "$id" ] && [ "$(town_of "$id")" = dayang ]; then
		ok "$lang: the picked town is stored"
	else
		nok "$lang: town of '$id' is '$(town_of "$id")'"
	fi

	# A code typed whole shows the whole list on it; Enter keeps it.
	keys a
	keys "xunqiao"
	check "$lang: a whole code shows the list on its entry" " 15/19 -+"
	keys Enter
	if screen | grep -q "Town  *xunqiao"; then
		ok "$lang: Enter keeps the code typed"
	else
		nok "$lang: Enter kept xunqiao"
	fi
	keys Escape

	# Typed, not picked: resolved on save, and refused when it fits two.
	keys a
	keys "baishui" Tab "typed-$lang" C-d
	check "$lang: a start typed and not picked is taken" "recorded"
	keys a
	keys "da" Tab "ambiguous-$lang" C-d
	check "$lang: an ambiguous name is refused in the form" \
		"'da' names more than one town: datian"
	if [ "$lang" = C ] && ! screen | grep -q "datian Datian Jiedao"; then
		nok "C: the candidates in pinyin"
	fi
	if screen | grep -q "Town  *da "; then
		ok "$lang: the refused form keeps what was typed"
	else
		nok "$lang: the form kept 'da'"
	fi
	keys Escape

	# Dispatch from the incident of datian: its available teams first.
	keys / "$datian" Enter
	keys d
	check "$lang: the dispatch form lists teams" "/"
	first=$(list_codes | head -n 4 | tr '\n' ' ')
	case $first in
	"f-datian m02 m25 t-datian ")
		ok "$lang: datian's available teams come first ($first)" ;;
	*) nok "$lang: first teams: $first" ;;
	esac
	# The list is longer than its box: it scrolls, and says where.
	keys Down Down Down Down Down Down Down Down
	if screen | grep -q " 9/[0-9]* -+" && ! list_codes | grep -qx f-datian; then
		ok "$lang: the list scrolls inside its box"
	else
		nok "$lang: scrolled list"
	fi
	if [ "$(screen | LC_ALL=$ZH wc -L)" -le 80 ]; then
		ok "$lang: the list fits the screen"
	else
		nok "$lang: a line is wider than 80 columns"
	fi
	keys Up Up Up Up Up Up Up Up Up
	keys Enter
	taken=$(screen | sed -n 's/.*| Team  *\([a-z0-9-]*\) .*/\1/p')
	keys Enter
	check "$lang: Enter takes the team, a second Enter dispatches" \
		"team $taken dispatched to $datian"
	# Back to available for the next round.
	for s in en_route on_scene returning available; do
		dd team status "$taken" $s >/dev/null 2>&1
	done
	keys / Enter
	keys q
done

# --- every form's labels whole at 80 columns -----------------------------
# The labels of every form, in each language: the first words of each
# form line (up to two spaces) must be one of them, never a cut one.
labels="$dir/labels"
sed -n 's/^\t{ N_("\([^"]*\)"), "[a-z_]*", FT_.*/\1/p' tui/pane_*.c | sort -u >"$labels.C"
while IFS= read -r l; do
	TEXTDOMAINDIR=$LOCALEDIR LANGUAGE=zh_CN LC_ALL=$ZH gettext -d dutydesk "$l"
	echo
done <"$labels.C" >"$labels.zh"
dd response start flood IV --signed-by li >/dev/null 2>&1
dd warning issue --hazard typhoon --color blue --text 标签 >/dev/null 2>&1
# form_labels LANGFILE: the label of each field line of the form on the
# screen (its lines but the last two, the hint and the keys) that is not
# a whole label of LANGFILE.
form_labels() {
	screen | sed -n 's/^.\{0,2\}| \(.*\)$/\1/p' | head -n -2 |
	while IFS= read -r line; do
		lab=$(printf '%s\n' "$line" | sed 's/  .*//; s/ *[|+].*$//')
		[ -n "$lab" ] || continue
		grep -qxF -- "$lab" "$1" || echo "$lab"
	done
}
forms="1:a 1:e 1:s 1:r 1:d 2:s 2:e 3:d 3:s 4:r 4:t 5:i 6:a 6:r 7:a 7:z 7:h"
for mode in "xterm-256color $ZH zh" "vt100 C C"; do
	set -- $mode
	console "$1" "$2"
	lf=$labels.$3
	# Wide characters show as '?' in an ASCII terminal: English there.
	[ "$2" = C ] && lf=$labels.C
	bad=""
	seen=0
	for f in $forms; do
		# The pane loads when shown: its key once it is there.
		keys "${f%%:*}"
		sleep 0.2
		keys "${f#*:}"
		if ! wait_for "+--" 2; then bad="$bad [$f: no form]"; continue; fi
		cut=$(form_labels "$lf")
		[ -z "$cut" ] || bad="$bad [$f: $cut]"
		seen=$((seen + 1))
		keys Escape
	done
	# The hazards' names in the Response pane are whole too.
	if [ "$2" = C ]; then
		keys 2
		check "C: the Response pane shows 'Geological hazard' whole" \
			"Geological hazard "
	fi
	if [ -z "$bad" ] && [ $seen -ge 15 ]; then
		ok "$2: the labels of $seen forms are whole at 80 columns"
	else
		nok "$2: labels cut or forms missing:$bad"
	fi
	keys q
done

echo "# $n checks, $fails failed"
[ $fails = 0 ]
