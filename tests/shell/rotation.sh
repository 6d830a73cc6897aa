#!/bin/sh
# rotation.sh - the county server changes its TLS key without a flag
# day, against a real dutydeskd on loopback, with its key A, then B,
# then C:
#   step 1  --cert A --cert-next B: datian and gucheng sync and learn B
#           as the next pin; dongcheng and duqiao are offline.
#   step 2  --cert B --cert-previous A: datian syncs and moves to B;
#           dongcheng, which knows only A, gets the previous key A by
#           naming it and is told to move to B.
#   step 3  --cert B alone: gucheng, which learned B in step 1 and was
#           offline in step 2, takes the server's B as its next pin and
#           promotes it.
#   step 4  --cert B --cert-next C: duqiao, offline through both
#           announcements, knows only A: refused by the station itself,
#           naming A and B; `link --pin B` recovers it, and it learns C.
# At each step `dutydesk status --json` says which pins a station holds.
#
# Run from the repository root: sh tests/shell/rotation.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

need_dutydeskd

# A is the key need_dutydeskd made (start_server presents server.pem);
# the steps copy the key of the hour over it.
A=$PIN
cp -p "$W/server.pem" "$W/a.pem"
ok_run "key B" -- "$DBIN" cert --out "$W/b.pem"
B=$(cat "$OUT")
ok_run "key C" -- "$DBIN" cert --out "$W/c.pem"
C=$(cat "$OUT")
check "three different pins" sh -c 'test "$1" != "$2" && test "$2" != "$3" &&
	test "$1" != "$3"' _ "$A" "$B" "$C"

keys_for datian gucheng dongcheng duqiao
st() { _s=$1; shift; "$BIN" --db "$W/$_s.db" "$@"; }

# pins DESC STATION CURRENT NEXT: status --json holds the pin CURRENT
# and the next pin NEXT ("null": none).
pins() {
	run st "$2" status --json
	changed
	_p=""
	[ "$RC" = 0 ] || _p="status: exit $RC"
	grep -q "\"pin\":[[:space:]]*\"$3\"" "$OUT" ||
		_p="${_p:+$_p; }pin is not $3"
	if [ "$4" = null ]; then
		grep -q '"pin_next":[[:space:]]*null' "$OUT" ||
			_p="${_p:+$_p; }pin_next is not null"
	else
		grep -q "\"pin_next\":[[:space:]]*\"$4\"" "$OUT" ||
			_p="${_p:+$_p; }pin_next is not $4"
	fi
	[ -n "$_p" ] && _p="$_p; status: $(tr -d '\n\t' <"$OUT" | head -c 400)"
	_report "$1" "st $2 status --json"
}

# serve KEY FLAGS...: the server, on the port of the first step, with
# KEY as its current key and FLAGS beside.
serve() {
	stop_server
	cp -p "$W/$1.pem" "$W/server.pem"
	shift
	SFLAGS="--log-level debug $*"
	# shellcheck disable=SC2086 # no port at the first step
	if start_server "$W/county.db" $FIRST_PORT; then
		pass "dutydeskd listens on 127.0.0.1:$PORT with $SFLAGS"
	else
		fail "dutydeskd listens" "log: $(tail -n 3 "$W/server.log")"
		finish
	fi
	FIRST_PORT=$PORT
	SRV=127.0.0.1:$PORT
}

FIRST_PORT=""
# ---------------------------------------------------------------------
# step 1: A, and B announced

serve a --cert-next "$W/b.pem"
for s in datian gucheng dongcheng duqiao; do
	ok_run "init $s with pin A" -- st $s init --station $s --server "$SRV" \
		--key "$(cat "$W/key.$s")" --pin "$A"
	pins "$s holds A and no next pin" $s "$A" null
done
check "the server logs its current and next keys" grep -q \
	"next $B" "$W/server.log"
expect_id "datian logs a note" -- st datian log add 换钥前的记录
ok_run "step 1: datian syncs" -- st datian sync --timeout 10
pins "datian holds A and learned B as the next" datian "$A" "$B"
ok_run "step 1: gucheng syncs" -- st gucheng sync --timeout 10
pins "gucheng holds A and learned B as the next" gucheng "$A" "$B"
pins "dongcheng, offline, knows only A" dongcheng "$A" null
ok_run "status in words names both pins" -- st datian status
check "...the pin line" grep -q "^pin  *$A\$" "$OUT"
check "...and the next pin's line" grep -q "^pin next  *$B " "$OUT"

# ---------------------------------------------------------------------
# step 2: B, A kept as the previous key

serve b --cert-previous "$W/a.pem"
ok_run "step 2: datian syncs" -- st datian sync --timeout 10
pins "datian moved to B" datian "$B" null
ok_run "step 2: dongcheng, which knows only A, syncs" -- \
	st dongcheng sync --timeout 10
check "...the server presented it the previous key A" grep -q \
	"dongcheng.*got key $A; told current $B" "$W/server.log"
pins "dongcheng moved to B" dongcheng "$B" null
check "...and pulled datian's note" sh -c \
	'"$1" --db "$2" log list | grep -q 换钥前的记录' _ "$BIN" "$W/dongcheng.db"
ok_run "step 2: dongcheng syncs again, on B" -- st dongcheng sync --timeout 10
check "...named B, so got the current key" sh -c \
	'test "$(grep -c "dongcheng.*got key" "$1")" = 1' _ "$W/server.log"

# ---------------------------------------------------------------------
# step 3: B alone

serve b
pins "gucheng, offline in step 2, still holds A and B" gucheng "$A" "$B"
ok_run "step 3: gucheng syncs: the server's B is its next pin" -- \
	st gucheng sync --timeout 10
pins "gucheng promoted B" gucheng "$B" null
ok_run "step 3: datian syncs on B" -- st datian sync --timeout 10
pins "datian holds B" datian "$B" null

# ---------------------------------------------------------------------
# step 4: B, C announced; duqiao was offline through both steps

serve b --cert-next "$W/c.pem"
: >"$W/server.log"
expect_exit 1 "step 4: duqiao, which knows only A, is refused" -- \
	st duqiao sync --timeout 10
check "...by the station itself, naming its pin A and the server's B" sh -c \
	'grep -qF "$2" "$1" && grep -qF "$3" "$1"' _ "$ERR" "$A" "$B"
sleep 0.3
check "...before any hello reached the server" sh -c \
	'! grep -q "hello\|auth ok" "$1"' _ "$W/server.log"
pins "duqiao still holds A alone" duqiao "$A" null
ok_run "duqiao: link --pin B" -- st duqiao link --pin "$B"
ok_run "duqiao syncs on B" -- st duqiao sync --timeout 10
pins "duqiao holds B and learned C as the next" duqiao "$B" "$C"
ok_run "datian syncs, learns C" -- st datian sync --timeout 10
pins "datian holds B and C next" datian "$B" "$C"

# A pin set by hand starts afresh: the next one is forgotten until the
# server says it again.
ok_run "datian: link --pin B by hand" -- st datian link --pin "$B"
pins "...drops the next pin" datian "$B" null

# A station offline through a whole rotation meets a third key: B
# alone is a pin it does not hold either.
serve c
expect_exit 1 "a station on A meets C alone: refused" -- \
	st dongcheng sync --timeout 10
check "...naming B (its pin) and C" sh -c \
	'grep -qF "$2" "$1" && grep -qF "$3" "$1"' _ "$ERR" "$B" "$C"

stop_server
finish
