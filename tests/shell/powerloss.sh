#!/bin/sh
# powerloss.sh - the county server cut by power loss while stations push:
# tests/powerloss/dutydeskd.sh, six kill points in each mode of the
# model (drop: nothing unsynced survives; reorder: of the pages written
# since the last sync, any later ones may survive without the earlier
# ones), some of them just after the write-ahead log starts over. Every
# acknowledged operation must be there once, the database sound, and
# the stations must converge once the server runs again without the
# model. make crash runs the same with 1,000 kill points in each mode.
#
# The model is a library loaded with LD_PRELOAD, which a sanitized
# binary cannot take: the server it runs is build/rel/powerloss/dutydeskd,
# built plain (and with small checkpoint rounds) whatever SANITIZE says;
# make test builds it, and so does this script when it is missing.
#
# Run from the repository root: sh tests/shell/powerloss.sh
set -u
PL=${POWERLOSS_BUILD:-$PWD/build/rel/powerloss}
ROUNDS=${POWERLOSS_TEST_ROUNDS:-6}
if [ ! -f "$PL/powerloss.so" ] || [ ! -f "$PL/cut" ] || [ ! -f "$PL/dutydeskd" ]; then
	make --no-print-directory powerloss-bins >/dev/null 2>&1
fi
rc=0
for mode in drop reorder; do
	echo "# $mode"
	POWERLOSS_BUILD=$PL EVERYK=1 VERBOSE=0 KILL_MAX=600 \
		sh "$(dirname "$0")/../powerloss/dutydeskd.sh" "$mode" "$ROUNDS" 3 || rc=1
done
exit $rc
