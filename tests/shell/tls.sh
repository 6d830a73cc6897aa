#!/bin/sh
# tls.sh - the server's TLS key as the administrator meets it:
# `dutydeskd cert --out FILE` makes it once (mode 0600, the pin alone on
# stdout, an existing file refused) and `dutydeskd pin FILE` says the pin
# again.
#
# Run from the repository root: sh tests/shell/tls.sh
set -u
# shellcheck source=tests/shell/lib.sh.inc
. "$(dirname "$0")/lib.sh.inc"

need_dutydeskd

# ---------------------------------------------------------------------
# cert and pin

ok_run "cert --out makes the key" -- "$DBIN" cert --out "$W/server.pem"
check "the pin alone on stdout: sha256: and 64 lowercase hex digits" \
	grep -qx 'sha256:[0-9a-f]\{64\}' "$OUT"
check "one line on stdout" test "$(nlines "$OUT")" = 1
PIN=$(cat "$OUT")
check "the key file is readable by its owner only" \
	sh -c 'test "$(stat -c %a "$1")" = 600' _ "$W/server.pem"
cp "$W/server.pem" "$W/server.pem.before"
expect_exit 1 "cert on an existing file is refused" -- \
	"$DBIN" cert --out "$W/server.pem"
check "the existing file is left as it was" cmp -s "$W/server.pem" \
	"$W/server.pem.before"
ok_run "pin FILE" -- "$DBIN" pin "$W/server.pem"
check "pin says the same pin" test "$(cat "$OUT")" = "$PIN"
expect_exit 3 "pin of a missing file: exit 3" -- "$DBIN" pin "$W/nothing.pem"
printf 'not a certificate\n' >"$W/junk.pem"
expect_exit 3 "pin of a file with no certificate: exit 3" -- \
	"$DBIN" pin "$W/junk.pem"
usage_error "cert without --out: usage" -- "$DBIN" cert
usage_error "pin without a file: usage" -- "$DBIN" pin
usage_error "--out with pin: usage" -- "$DBIN" pin "$W/server.pem" \
	--out "$W/x.pem"

finish
