/*
 * names.c - the names the panes show for the codes rows hold: towns
 * (from the database, read again when another program changed it) and
 * hazards (from the checklists, read once).
 */
#include "tui/console.h"

#include <string.h>
#include <time.h>

#define TOWNS_MAX 64

struct town_name {
	char code[64];
	char name[96];   /* whole */
	char shortname[96]; /* without 街道, 镇 or 乡 */
};

static struct {
	struct town_name t[TOWNS_MAX];
	int n, loaded;
	int64_t version;
	cJSON *hazards;
	const struct db *from; /* the database the towns were read from */
	time_t asked;       /* when it was last asked whether it changed */
	int hazards_loaded;
} N;

static const char *
field(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* name without its last 街道, 镇 or 乡: what people call the town. */
static void
shorten(const char *name, char *out, size_t n)
{
	static const char *const ends[] = { "街道", "镇", "乡", NULL };
	size_t len = strlen(name), e;
	int i;

	snprintf(out, n, "%s", name);
	for (i = 0; ends[i]; i++) {
		e = strlen(ends[i]);
		if (len > e && strcmp(name + len - e, ends[i]) == 0) {
			if (len - e < n)
				out[len - e] = '\0';
			return;
		}
	}
}

/* The towns of db, read again when it is another database than last
 * time or another program changed it. Cells ask for a town as they are
 * drawn: the database is asked whether it changed once a second at
 * most, not once a cell. */
static void
towns_load(struct db *db)
{
	cJSON *rows = NULL, *r;
	int64_t v = 0;
	time_t now = time(NULL);

	if (!db || (N.loaded && db == N.from && now == N.asked))
		return;
	N.asked = now;
	if (db_data_version(db, &v) != 0 ||
	    (N.loaded && v == N.version && db == N.from))
		return;
	N.from = db;
	N.version = v;
	N.loaded = 1;
	N.n = 0;
	if (state_list(db, LIST_TOWNS, NULL, &rows) != 0)
		return;
	cJSON_ArrayForEach(r, rows) {
		const char *code = field(r, "id"), *name = field(r, "name");
		struct town_name *t = &N.t[N.n];
		if (!code || !name || !*name || N.n >= TOWNS_MAX)
			continue;
		snprintf(t->code, sizeof t->code, "%s", code);
		snprintf(t->name, sizeof t->name, "%s", name);
		shorten(name, t->shortname, sizeof t->shortname);
		N.n++;
	}
	cJSON_Delete(rows);
}

const char *
names_town(struct db *db, const char *code, int shortname)
{
	int i;

	if (!code || !console_utf8 || !words_chinese())
		return code ? code : "";
	towns_load(db);
	for (i = 0; i < N.n; i++)
		if (strcmp(N.t[i].code, code) == 0)
			return shortname ? N.t[i].shortname : N.t[i].name;
	return code;
}

const char *
console_town(const char *code, int shortname)
{
	return names_town(console_db(), code, shortname);
}

const char *
console_hazard(const char *code)
{
	const cJSON *h;

	if (!code)
		return "";
	if (!N.hazards_loaded) {
		N.hazards_loaded = 1;
		if (hazards_load(&N.hazards) != 0)
			N.hazards = NULL;
	}
	cJSON_ArrayForEach(h, N.hazards) {
		const char *c = field(h, "hazard"), *name = field(h, "name");
		if (!c || strcmp(c, code) != 0)
			continue;
		/* In English the code is the word (typhoon, flood). */
		return console_utf8 && words_chinese() && name ? name : code;
	}
	return code;
}
