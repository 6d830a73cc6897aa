#!/bin/sh
# make run: open the console on a seeded offline station in run/, made on
# first use as the county command station, with the sample directory of
# assets/sample/people.csv (made-up people: an office loads its own with
# dutydesk contact import), the 555 made-up risk points of
# assets/sample/risk_points.csv (the office loads its own with dutydesk
# risk import) and a week's roster from yesterday on.
set -e
cd "$(dirname "$0")/.."
db=run/station.db
mkdir -p run
if [ ! -s "$db" ]; then
	./dutydesk --db "$db" init --station linhai --role command --seed county
	./dutydesk --db "$db" contact import assets/sample/people.csv >/dev/null
	./dutydesk --db "$db" risk import assets/sample/risk_points.csv >/dev/null
	# Leaders and officers of the county office take turns.
	leaders=$(./dutydesk --db "$db" contact list --role county_leader --json |
		tr ',' '\n' | sed -n 's/.*"id":[[:space:]]*"\([^"]*\)".*/\1/p')
	officers=$(./dutydesk --db "$db" contact list --role officer --json |
		tr ',' '\n' | sed -n 's/.*"id":[[:space:]]*"\([^"]*\)".*/\1/p')
	i=0
	for day in -1 0 1 2 3 4 5; do
		date=$(TZ=${DUTYDESK_TZ:-Asia/Shanghai} date -d "$day days" +%Y-%m-%d)
		lead=$(echo "$leaders" | sed -n "$((i % 2 + 1))p")
		o1=$(echo "$officers" | sed -n "$((i % 4 + 1))p")
		o2=$(echo "$officers" | sed -n "$(((i + 1) % 4 + 1))p")
		./dutydesk --db "$db" roster add "$date" --leader "$lead" \
			--officer "$o1,$o2" >/dev/null
		i=$((i + 1))
	done
fi
# The officer: DUTYDESK_OFFICER, else the roster's on duty now, else the
# login name (dutydesk(1), OPTIONS).
exec ./dutydesk --db "$db"
