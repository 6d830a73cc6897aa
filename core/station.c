/*
 * station.c - the station a database belongs to (code, role, realm,
 * incarnation), and where the assets are found.
 */
#include "private.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#ifndef DATADIR
#define DATADIR "/usr/local/share/dutydesk"
#endif

const char *
role_name(int role)
{
	return role == ROLE_COMMAND ? "command" : role == ROLE_TOWN ? "town" : "?";
}

int
role_parse(const char *s)
{
	if (s && strcmp(s, "town") == 0)
		return ROLE_TOWN;
	if (s && strcmp(s, "command") == 0)
		return ROLE_COMMAND;
	return 0;
}

int
station_code_ok(const char *s)
{
	size_t i, n = s ? strlen(s) : 0;

	if (n < 2 || n > 24 || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

int
station_reserved(const char *s)
{
	return s && (strcmp(s, "seed") == 0 || strcmp(s, "drill") == 0 ||
		     strcmp(s, "server") == 0);
}

/* A drill's name and a side file's ending of SQLite's: realm drill-x-wal
 * would be kept in the file that is realm drill-x's write-ahead log. */
static int
side_file_name(const char *s, size_t n)
{
	static const char *const ends[] = { "-wal", "-shm", "-journal" };
	size_t i, k;

	for (i = 0; i < sizeof ends / sizeof ends[0]; i++) {
		k = strlen(ends[i]);
		if (n >= k + 7 && strcmp(s + n - k, ends[i]) == 0)
			return 1;
	}
	return 0;
}

/* "drill-" and 1 to 33 of [a-z0-9-], not ending in -wal, -shm or
 * -journal: with the live realm, the one rule of sync/PROTOCOL.md
 * ("Realms"). */
int
realm_is_drill(const char *realm)
{
	size_t i, n = realm ? strlen(realm) : 0;

	if (n < 7 || n > 39 || strncmp(realm, "drill-", 6) != 0 ||
	    side_file_name(realm, n))
		return 0;
	for (i = 6; i < n; i++)
		if (!((realm[i] >= 'a' && realm[i] <= 'z') ||
		      (realm[i] >= '0' && realm[i] <= '9') || realm[i] == '-'))
			return 0;
	return 1;
}

int
realm_name_ok(const char *realm)
{
	return (realm && strcmp(realm, "live") == 0) || realm_is_drill(realm);
}

int
station_town(struct db *db, char town[32])
{
	char self[32];
	int64_t one;
	int rc;

	*town = 0;
	if ((rc = meta_get_text(db, "station", self, sizeof self)) <= 0)
		return rc;
	rc = db_int(db, &one, "SELECT 1 FROM towns WHERE id = ? AND deleted = 0",
		    "s", self);
	if (rc > 0) {
		snprintf(town, 32, "%s", self);
		return 1;
	}
	if (rc < 0 || (rc = setting_get(db, "station.town", town, 32)) < 0)
		return rc;
	return *town != 0;
}

static int
new_incarnation(char out[17])
{
	unsigned char r[8];
	int i;

	if (sodium_init() < 0)
		return DD_E_IO;
	randombytes_buf(r, sizeof r);
	for (i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
	return 0;
}

int
station_init(struct db *db, const char *station, int role, const char *realm,
	     int seed)
{
	char inc[17], have[32];
	int rc;

	if (!station_code_ok(station) || strcmp(station, "seed") == 0)
		return db_fail(db, DD_E_INVALID, "station code '%s': use 2 to 24 "
			       "lowercase letters and digits, starting with a letter",
			       station);
	if (role != ROLE_TOWN && role != ROLE_COMMAND)
		return db_fail(db, DD_E_INVALID, "role must be town or command");
	if ((rc = new_incarnation(inc)))
		return rc;
	if ((rc = db_begin(db)))
		return rc;
	db->self[0] = 0;
	rc = meta_get_text(db, "station", have, sizeof have);
	if (rc > 0) {
		rc = db_fail(db, DD_E_REFUSED, "database already belongs to "
			     "station '%s'", have);
		goto out;
	}
	if (rc < 0 ||
	    (rc = meta_set_text(db, "station", station)) ||
	    (rc = meta_set_text(db, "incarnation", inc)) ||
	    (rc = meta_set_text(db, "realm", realm)) ||
	    (rc = meta_set_int(db, "role", role)) ||
	    (rc = meta_set_int(db, "seq", 0)) ||
	    (rc = meta_set_int(db, "hlc", 0)))
		goto out;
	if (seed)
		rc = seed_load(db);
out:
	return db_end(db, rc);
}

int
station_identity(struct db *db, struct station_info *si)
{
	int64_t role = 0;
	int rc;

	memset(si, 0, sizeof *si);
	/* The clock as the operations taken in so far leave it. */
	if ((rc = op_settle(db)))
		return rc;
	if ((rc = meta_get_text(db, "station", si->station, sizeof si->station)) <= 0)
		return rc < 0 ? rc : db_fail(db, DD_E_DB_NOINIT,
					     "database has no station; run "
					     "'dutydesk init --station CODE' first");
	if ((rc = meta_get_text(db, "incarnation", si->incarnation,
				sizeof si->incarnation)) < 0 ||
	    (rc = meta_get_text(db, "realm", si->realm, sizeof si->realm)) < 0 ||
	    (rc = meta_get_int(db, "role", &role)) < 0 ||
	    (rc = meta_get_int(db, "seq", &si->seq)) < 0 ||
	    (rc = meta_get_int(db, "hlc", &si->hlc)) < 0)
		return rc;
	si->role = (int)role;
	return 0;
}

int
station_info(struct db *db, struct station_info *si)
{
	int rc;

	if ((rc = station_identity(db, si)) ||
	    (rc = db_int(db, &si->ops, "SELECT count(*) FROM ops", NULL)) < 0 ||
	    (rc = db_int(db, &si->queued, "SELECT count(*) FROM ops WHERE "
			 "local = 1 AND acked = 0", NULL)) < 0)
		return rc;
	return 0;
}

int
db_restore_mark(struct db *db)
{
	char inc[17];
	int rc;

	if ((rc = new_incarnation(inc)))
		return rc;
	if ((rc = db_begin(db)))
		return rc;
	db->self[0] = 0;
	/* A restored copy starts a new incarnation with its own sequence:
	 * operations made after the backup under the old one may still
	 * exist elsewhere, and must never be confused with new ones. */
	if (!(rc = meta_set_text(db, "incarnation", inc)))
		rc = meta_set_int(db, "seq", 0);
	/* Records made after the backup under the old incarnation may exist
	 * on the server with the ids that follow: new ids here skip ahead to
	 * the next million past a million more (datian-42 -> datian-2000001;
	 * an office makes a few thousand records a year), so they still read
	 * as <station>-<n> over the radio and do not collide unless the lost
	 * copy made over a million records after the backup. Two copies
	 * restored from one backup do start at the same id: what the second
	 * to reach the server made under it is refused (conflict), and a
	 * copy that syncs before it makes records moves past what the server
	 * holds (op_store counts every id it takes in). */
	if (!rc)
		rc = op_settle(db);
	if (!rc)
		rc = db_exec(db, "INSERT INTO counters(station, n) SELECT value, "
			     "2000000 FROM meta WHERE key = 'station' ON CONFLICT("
			     "station) DO UPDATE SET n = (n / 1000000 + 2) * 1000000",
			     NULL);
	return db_end(db, rc);
}

/* ---- assets ---- */

static char assets_path[PATH_MAX + 32];

void
assets_set_dir(const char *dir)
{
	size_t n = strlen(dir);

	if (n >= sizeof assets_path)
		n = sizeof assets_path - 1;
	memcpy(assets_path, dir, n);
	assets_path[n] = 0;
}

static int
is_assets(const char *dir)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof p, "%.*s/seed/county.json", PATH_MAX, dir);
	return access(p, R_OK) == 0;
}

const char *
assets_dir(void)
{
	char exe[PATH_MAX], try[PATH_MAX + 32];
	const char *env = getenv("DUTYDESK_ASSETS");
	ssize_t n;
	char *slash;

	if (assets_path[0])
		return assets_path;
	if (env && *env) {
		assets_set_dir(env);
		return assets_path;
	}
	/* From the build tree the binary sits at the top, beside assets/
	 * (tests may run it from a subdirectory one level down); installed,
	 * the data is in DATADIR or in share/ beside bin/. */
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = 0;
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			snprintf(try, sizeof try, "%s/assets", exe);
			if (is_assets(try)) {
				assets_set_dir(try);
				return assets_path;
			}
			snprintf(try, sizeof try, "%s/../assets", exe);
			if (is_assets(try)) {
				assets_set_dir(try);
				return assets_path;
			}
			/* Installed under another prefix than it was built for. */
			snprintf(try, sizeof try, "%s/../share/dutydesk", exe);
			if (is_assets(try)) {
				assets_set_dir(try);
				return assets_path;
			}
		}
	}
	assets_set_dir(DATADIR);
	return assets_path;
}

int
assets_load_json(const char *rel, cJSON **out)
{
	char path[PATH_MAX + 64];
	FILE *f;
	char *buf = NULL;
	long n;
	int rc = 0;

	*out = NULL;
	snprintf(path, sizeof path, "%s/%s", assets_dir(), rel);
	f = fopen(path, "rb");
	if (!f)
		return DD_E_ASSETS;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || n > 64L << 20 ||
	    fseek(f, 0, SEEK_SET)) {
		rc = DD_E_ASSETS;
		goto out;
	}
	buf = malloc((size_t)n + 1);
	if (!buf) {
		rc = DD_E_NOMEM;
		goto out;
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		rc = DD_E_ASSETS;
		goto out;
	}
	buf[n] = 0;
	*out = cJSON_ParseWithLength(buf, (size_t)n);
	if (!*out)
		rc = DD_E_ASSETS;
out:
	free(buf);
	fclose(f);
	return rc;
}
