#!/bin/sh
# make run: open the console on a seeded offline station in run/, made on
# first use as the county command station.
set -e
cd "$(dirname "$0")/.."
db=run/station.db
mkdir -p run
if [ ! -s "$db" ]; then
	./dutydesk --db "$db" init --station linhai --role command --seed county
fi
# The officer: DUTYDESK_OFFICER, else the roster's on duty now, else the
# login name (dutydesk(1), OPTIONS).
exec ./dutydesk --db "$db"
