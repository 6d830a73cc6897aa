#!/bin/sh
# run-tests.sh UNIT-BINARIES...: every unit test binary (cmocka), then
# every shell test script in tests/shell, each with the seconds it took;
# ends with "N passed, N failed".
cd "$(dirname "$0")/.."
passed=0
failed=0
log=$(mktemp)
for t in "$@"; do
	t0=$(date +%s)
	"$t" >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	p=${p:-0}
	f=${f:-0}
	if [ $rc -ne 0 ] && [ "$f" = 0 ]; then f=1; fi
	if [ "$f" != 0 ]; then cat "$log"; fi
	echo "$(basename "$t"): $p passed, $f failed, $(($(date +%s) - t0)) s"
	passed=$((passed + p))
	failed=$((failed + f))
done
for t in tests/shell/*.sh; do
	[ -f "$t" ] || continue
	t0=$(date +%s)
	sh "$t" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ $rc -ne 0 ] && [ "$f" = 0 ]; then f=1; fi
	if [ "$f" != 0 ]; then cat "$log"; fi
	echo "$(basename "$t"): $p passed, $f failed, $(($(date +%s) - t0)) s"
	passed=$((passed + p))
	failed=$((failed + f))
done
rm -f "$log"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
