/*
 * test_people.c - the people on duty: the settings (defaults, what the
 * command station sets for the county, what a town may set for itself),
 * the duty roster (a shift's people, overlaps, the shift now and next)
 * and the directory (finding a person by id, name or pinyin, searching,
 * a caller's phone, importing a list all or nothing).
 */
#include "testlib.h"

/* A contact made through contact_add: its id, held in one of eight
 * buffers that take turns. */
static const char *
person_add(struct db *db, const char *name, const char *phones,
	   const char *role, const char *town, const char *unit)
{
	static char ids[8][64];
	static int slot;
	cJSON *f = cJSON_CreateObject();
	int rc;

	slot = (slot + 1) % 8;
	cJSON_AddStringToObject(f, "name", name);
	cJSON_AddStringToObject(f, "phones", phones);
	cJSON_AddStringToObject(f, "role", role);
	if (town)
		cJSON_AddStringToObject(f, "town", town);
	if (unit)
		cJSON_AddStringToObject(f, "unit", unit);
	rc = contact_add(db, f, ids[slot]);
	cJSON_Delete(f);
	if (rc)
		fail_msg("contact_add %s: %s", name, db_errmsg(db));
	return ids[slot];
}

/* The value of key in force at db. */
static const char *
setting_of(struct db *db, const char *key)
{
	static char buf[4][208];
	static int slot;

	slot = (slot + 1) % 4;
	assert_int_equal(setting_get(db, key, buf[slot], sizeof buf[slot]), 1);
	return buf[slot];
}

/* The row of setting_list for key. */
static cJSON *
setting_row(struct db *db, const char *key)
{
	cJSON *l = NULL, *r;

	assert_int_equal(setting_list(db, &l), 0);
	tkeep(l);
	assert_non_null(r = trow(l, "key", key));
	return r;
}

/* ---- settings ---------------------------------------------------------- */

static void
settings_defaults(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	const struct setting_def *d;
	char buf[208];
	size_t i;
	(void)state;

	/* Every named key holds its default, said to be the default. */
	for (i = 0; (d = setting_def(i)); i++) {
		assert_string_equal(setting_of(db, d->key), d->def);
		assert_string_equal(tstr(setting_row(db, d->key), "set_by"),
				    "default");
	}
	assert_true(i >= 6);
	assert_string_equal(setting_of(db, "shift.start"), "08:30");
	assert_string_equal(setting_of(db, "shift.hours"), "24");
	assert_string_equal(setting_of(db, "silent.red"), "15");
	assert_string_equal(setting_of(db, "silent.orange"), "15");
	assert_string_equal(setting_of(db, "silent.yellow"), "30");
	assert_string_equal(setting_of(db, "silent.blue"), "30");
	assert_int_equal(setting_shift_start(db), 8 * 60 + 30);
	assert_int_equal(setting_int(db, "shift.hours", 0), 24);
	assert_int_equal(warning_silent_secs(db, "red"), 15 * 60);
	assert_int_equal(warning_silent_secs(db, "blue"), 30 * 60);
	/* Only shift.start and shift.hours are a town's to change. */
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(setting_row(db,
		"shift.start"), "local")));
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(setting_row(db,
		"silent.red"), "local")));
	/* A key nobody named is not found, and cannot be set. */
	assert_int_equal(setting_get(db, "silent.green", buf, sizeof buf), 0);
	trefused(db, setting_set(db, "silent.green", "5"), DD_E_INVALID,
		 "silent.green");
}

static void
settings_county_replicates(void **state)
{
	struct db *cmd = tstation("county", ROLE_COMMAND, 1);
	struct db *town = tstation("datian", ROLE_TOWN, 1);
	const char *before;
	int64_t n;
	(void)state;

	/* Checked before anything is stored: a value of the wrong form. */
	before = texport_of(cmd);
	n = tnops(cmd);
	trefused(cmd, setting_set(cmd, "silent.red", "ten"), DD_E_INVALID,
		 "silent.red");
	trefused(cmd, setting_set(cmd, "silent.red", "0"), DD_E_INVALID, NULL);
	trefused(cmd, setting_set(cmd, "shift.start", "8:30"), DD_E_INVALID,
		 "08:30");
	trefused(cmd, setting_set(cmd, "shift.start", "24:00"), DD_E_INVALID,
		 NULL);
	trefused(cmd, setting_set(cmd, "shift.hours", "73"), DD_E_INVALID, NULL);
	/* The county's values are not dropped, only replaced. */
	trefused(cmd, setting_set(cmd, "silent.red", ""), DD_E_INVALID, NULL);
	assert_int_equal(tnops(cmd), n);
	assert_string_equal(texport_of(cmd), before);

	assert_int_equal(setting_set(cmd, "silent.red", "10"), 0);
	assert_int_equal(setting_set(cmd, "shift.start", "09:00"), 0);
	assert_string_equal(setting_of(cmd, "silent.red"), "10");
	assert_string_equal(tstr(setting_row(cmd, "silent.red"), "set_by"),
			    "county");
	/* The town holds the county's values once it has the operations. */
	assert_string_equal(setting_of(town, "silent.red"), "15");
	tsend_all(cmd, town);
	assert_string_equal(setting_of(town, "silent.red"), "10");
	assert_string_equal(setting_of(town, "shift.start"), "09:00");
	assert_int_equal(setting_shift_start(town), 9 * 60);
	assert_int_equal(warning_silent_secs(town, "red"), 10 * 60);
	assert_int_equal(warning_silent_secs(town, "orange"), 15 * 60);
	assert_string_equal(tstr(setting_row(town, "silent.red"), "set_by"),
			    "county");
	/* Last writer wins. */
	tclock_ms += 60000;
	assert_int_equal(setting_set(cmd, "silent.red", "12"), 0);
	tsend_all(cmd, town);
	assert_string_equal(setting_of(town, "silent.red"), "12");
	assert_string_equal(texport_of(town), texport_of(cmd));
}

static void
settings_town_local_only(void **state)
{
	struct db *cmd = tstation("county", ROLE_COMMAND, 1);
	struct db *town = tstation("datian", ROLE_TOWN, 1);
	struct db *other = tstation("gucheng", ROLE_TOWN, 1);
	struct db *fresh = tstation("rep", ROLE_TOWN, 1);
	struct db *each[] = { cmd, town, other, fresh };
	const char *before;
	struct op op;
	size_t i;
	int64_t n;
	(void)state;

	assert_int_equal(setting_set(cmd, "shift.start", "09:00"), 0);
	tsend_all(cmd, town);
	tsend_all(cmd, other);
	/* A town may not set what the county sets. */
	before = texport_of(town);
	n = tnops(town);
	trefused(town, setting_set(town, "silent.red", "5"), DD_E_ROLE,
		 "silent.red");
	assert_int_equal(tnops(town), n);
	assert_string_equal(texport_of(town), before);
	/* Nor does a setting.local of such a key, made elsewhere, pass on
	 * any replica: the town itself, the county, another town, a new one. */
	tmkop(&op, "datian", "abcdef0123456789", 1, (T0 * 1000) << 16, "x",
	      "setting.local", "silent.red",
	      "{\"key\":\"silent.red\",\"value\":\"5\","
	      "\"at\":\"2026-11-28T12:00:00Z\"}");
	for (i = 0; i < sizeof each / sizeof each[0]; i++) {
		const char *was = texport_of(each[i]);
		trefused(each[i], op_apply(each[i], &op), DD_E_ROLE, "silent.red");
		assert_string_equal(texport_of(each[i]), was);
		assert_string_equal(setting_of(each[i], "silent.red"), "15");
	}
	/* The county server refuses it too, on the ground role. */
	{
		struct db *srv = tstation("server", ROLE_COMMAND, 1);
		const char *was = texport_of(srv);
		int64_t sseq;
		assert_int_equal(db_begin(srv), 0);
		assert_int_equal(replica_take(srv, &op, ROLE_TOWN, &sseq), 2);
		assert_int_equal(db_end(srv, 0), 0);
		assert_string_equal(replica_refusal(srv), "role");
		assert_int_equal(replica_project_all(srv), 0);
		assert_string_equal(texport_of(srv), was);
	}
	op_clear(&op);

	/* Its own start of shift holds at the town alone. */
	assert_int_equal(setting_set(town, "shift.start", "07:30"), 0);
	assert_string_equal(setting_of(town, "shift.start"), "07:30");
	assert_string_equal(tstr(setting_row(town, "shift.start"), "set_by"),
			    "datian");
	texchange(town, cmd);
	texchange(town, other);
	assert_string_equal(setting_of(cmd, "shift.start"), "09:00");
	assert_string_equal(setting_of(other, "shift.start"), "09:00");
	assert_string_equal(texport_of(cmd), texport_of(town));
	assert_string_equal(texport_of(other), texport_of(town));
	/* The county changing the key does not undo the town's own value. */
	tclock_ms += 60000;
	assert_int_equal(setting_set(cmd, "shift.start", "10:00"), 0);
	tsend_all(cmd, town);
	assert_string_equal(setting_of(town, "shift.start"), "07:30");
	/* An empty value drops the town's own: the county's holds again. */
	tclock_ms += 60000;
	assert_int_equal(setting_set(town, "shift.start", ""), 0);
	assert_string_equal(setting_of(town, "shift.start"), "10:00");
	assert_string_equal(tstr(setting_row(town, "shift.start"), "set_by"),
			    "county");
	texchange(town, cmd);
	assert_string_equal(texport_of(cmd), texport_of(town));
}

/* A town whose code is "county" sets only its own value, never the
 * county's. */
static void
settings_town_named_county(void **state)
{
	struct db *cmd = tstation("linhai", ROLE_COMMAND, 1);
	struct db *town = tstation("county", ROLE_TOWN, 1);
	struct db *other = tstation("datian", ROLE_TOWN, 1);
	(void)state;

	assert_int_equal(setting_set(town, "shift.start", "07:00"), 0);
	assert_string_equal(setting_of(town, "shift.start"), "07:00");
	tsend_all(town, cmd);
	tsend_all(town, other);
	assert_string_equal(setting_of(cmd, "shift.start"), "08:30");
	assert_string_equal(setting_of(other, "shift.start"), "08:30");
	assert_string_equal(tstr(setting_row(other, "shift.start"), "set_by"),
			    "default");
	/* And the county's value, set later, does not override the town's. */
	tclock_ms += 60000;
	assert_int_equal(setting_set(cmd, "shift.start", "09:00"), 0);
	tsend_all(cmd, town);
	assert_string_equal(setting_of(town, "shift.start"), "07:00");
	assert_string_equal(setting_of(cmd, "shift.start"), "09:00");
}

/* ---- the roster -------------------------------------------------------- */

struct crew {
	char lead[64], o1[64], o2[64], o3[64];
};

static void
crew_make(struct db *db, struct crew *c)
{
	snprintf(c->lead, 64, "%s", person_add(db, "郑国强", "13800000001",
					       "county_leader", NULL, "应急管理局"));
	snprintf(c->o1, 64, "%s", person_add(db, "王芳", "13800000002",
					     "officer", NULL, "应急管理局"));
	snprintf(c->o2, 64, "%s", person_add(db, "李明", "13800000003",
					     "officer", NULL, "应急管理局"));
	snprintf(c->o3, 64, "%s", person_add(db, "赵强", "13800000004",
					     "officer", NULL, "应急管理局"));
}

static void
roster_people(void **state)
{
	struct db *db = tstation("county", ROLE_COMMAND, 1);
	struct crew c;
	char id[64], id2[64];
	const char *before;
	cJSON *s = NULL;
	int64_t n;
	(void)state;

	crew_make(db, &c);
	/* By name, pinyin or id; the second officer may be left out. */
	assert_int_equal(roster_add(db, "2026-11-28", "08:30", 24, "郑国强",
				    "wang fang", c.o2, id), 0);
	assert_int_equal(roster_at(db, NULL, T0, 0, &s), 1);
	tkeep(s);
	assert_string_equal(tstr(s, "id"), id);
	assert_string_equal(tstr(s, "station"), "county");
	assert_string_equal(tstr(s, "leader"), c.lead);
	assert_string_equal(tstr(s, "leader_name"), "郑国强");
	assert_string_equal(tstr(s, "leader_phone"), "13800000001");
	assert_string_equal(tstr(s, "officer1"), c.o1);
	assert_string_equal(tstr(s, "officer1_name"), "王芳");
	assert_string_equal(tstr(s, "officer2_name"), "李明");
	/* 08:30 in Asia/Shanghai is 00:30 UTC. */
	assert_string_equal(tstr(s, "start_at"), "2026-11-28T00:30:00Z");
	assert_string_equal(tstr(s, "end_at"), "2026-11-29T00:30:00Z");
	assert_int_equal(roster_add(db, "2026-11-29", NULL, 0, c.lead, c.o3,
				    NULL, id2), 0);

	before = texport_of(db);
	n = tnops(db);
	/* Overlapping shifts: the next day's starting before this one ends,
	 * or one inside it. */
	trefused(db, roster_add(db, "2026-11-29", "09:00", 2, c.lead, c.o2,
				NULL, id), DD_E_REFUSED, id2);
	trefused(db, roster_add(db, "2026-11-29", "08:00", 24, c.lead, c.o2,
				NULL, id), DD_E_REFUSED, "overlaps");
	trefused(db, roster_add(db, "2026-11-28", "20:00", 2, c.lead, c.o2,
				NULL, id), DD_E_REFUSED, "overlaps");
	trefused(db, roster_add(db, "2026-11-27", "08:30", 25, c.lead, c.o2,
				NULL, id), DD_E_REFUSED, "overlaps");
	/* An unknown person, for any of the three. */
	trefused(db, roster_add(db, "2026-12-01", NULL, 0, "钱某", c.o1, NULL,
				id), DD_E_NOTFOUND, "钱某");
	trefused(db, roster_add(db, "2026-12-01", NULL, 0, c.lead, "nobody",
				NULL, id), DD_E_NOTFOUND, "nobody");
	trefused(db, roster_add(db, "2026-12-01", NULL, 0, c.lead, c.o1,
				"county-999", id), DD_E_NOTFOUND, "county-999");
	/* One person twice, no officer, a bad date or time. */
	trefused(db, roster_add(db, "2026-12-01", NULL, 0, c.lead, c.o1, "王芳",
				id), DD_E_INVALID, NULL);
	trefused(db, roster_add(db, "2026-12-01", NULL, 0, c.lead, NULL, NULL,
				id), DD_E_INVALID, NULL);
	trefused(db, roster_add(db, "2026-13-01", NULL, 0, c.lead, c.o1, NULL,
				id), DD_E_INVALID, "2026-13-01");
	trefused(db, roster_add(db, "2026-02-29", NULL, 0, c.lead, c.o1, NULL,
				id), DD_E_INVALID, "2026-02-29");
	trefused(db, roster_add(db, "2026-12-1", NULL, 0, c.lead, c.o1, NULL,
				id), DD_E_INVALID, NULL);
	trefused(db, roster_add(db, "2026-12-01", "25:00", 0, c.lead, c.o1, NULL,
				id), DD_E_INVALID, "25:00");
	trefused(db, roster_add(db, "2026-12-01", NULL, 73, c.lead, c.o1, NULL,
				id), DD_E_INVALID, NULL);
	assert_int_equal(tnops(db), n);
	assert_string_equal(texport_of(db), before);
	/* Right after the last one ends is not an overlap. */
	assert_int_equal(roster_add(db, "2026-11-30", NULL, 0, c.lead, c.o1,
				    NULL, id), 0);
}

static void
roster_ambiguous(void **state)
{
	struct db *db = tstation("county", ROLE_COMMAND, 1);
	struct crew c;
	const char *twin;
	char id[64];
	int64_t n;
	(void)state;

	crew_make(db, &c);
	twin = person_add(db, "王芳", "13900000009", "town_duty", "datian", NULL);
	n = tnops(db);
	/* Both are named with their ids; neither is chosen. */
	trefused(db, roster_add(db, "2026-12-01", NULL, 0, c.lead, "王芳", NULL,
				id), DD_E_REFUSED, c.o1);
	assert_non_null(strstr(db_errmsg(db), twin));
	trefused(db, roster_add(db, "2026-12-01", NULL, 0, c.lead, "Wang Fang",
				NULL, id), DD_E_REFUSED, twin);
	assert_int_equal(tnops(db), n);
	/* An id always names one. */
	assert_int_equal(roster_add(db, "2026-12-01", NULL, 0, c.lead, twin,
				    NULL, id), 0);
}

static void
roster_now_and_next(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	struct db *cmd = tstation("county", ROLE_COMMAND, 1);
	struct crew c;
	char a[64], b[64], x[64];
	cJSON *s = NULL;
	int64_t start_a;
	(void)state;

	crew_make(db, &c);
	/* Two shifts with a gap between them: 11-28 08:30 for 12 hours,
	 * 11-29 08:30 for 24. */
	assert_int_equal(roster_add(db, "2026-11-28", "08:30", 12, c.lead, c.o1,
				    NULL, a), 0);
	assert_int_equal(roster_add(db, "2026-11-29", "08:30", 24, c.lead, c.o2,
				    c.o3, b), 0);
	assert_int_equal(time_parse_iso("2026-11-28T00:30:00Z", &start_a), 0);
	/* Its first second is the shift's; its last is the next's. */
	assert_int_equal(roster_at(db, NULL, start_a, 0, &s), 1);
	assert_string_equal(tstr(tkeep(s), "id"), a);
	assert_int_equal(roster_at(db, NULL, start_a - 1, 0, &s), 0);
	assert_null(s);
	assert_int_equal(roster_at(db, NULL, start_a + 12 * 3600 - 1, 0, &s), 1);
	assert_string_equal(tstr(tkeep(s), "id"), a);
	assert_int_equal(roster_at(db, NULL, start_a + 12 * 3600, 0, &s), 0);
	/* Next: the first starting at or after the time. */
	assert_int_equal(roster_at(db, NULL, start_a - 1, 1, &s), 1);
	assert_string_equal(tstr(tkeep(s), "id"), a);
	assert_int_equal(roster_at(db, NULL, start_a + 1, 1, &s), 1);
	assert_string_equal(tstr(tkeep(s), "id"), b);
	assert_string_equal(tstr(s, "officer2_name"), "赵强");
	assert_int_equal(roster_at(db, NULL, start_a + 86400 + 1, 1, &s), 0);
	/* A shift taken off is no longer on duty nor next. */
	assert_int_equal(roster_remove(db, b), 0);
	assert_int_equal(roster_at(db, NULL, start_a + 86400 + 60, 0, &s), 0);
	assert_int_equal(roster_at(db, NULL, start_a + 1, 1, &s), 0);
	trefused(db, roster_remove(db, b), DD_E_NOTFOUND, b);
	/* Its hours are free again. */
	assert_int_equal(roster_add(db, "2026-11-29", "08:30", 24, c.lead, c.o2,
				    NULL, x), 0);
	/* Each station's roster is its own: the county's has none of the
	 * town's shifts, and may hold its own at the same hours. */
	texchange(db, cmd);
	assert_int_equal(roster_at(cmd, NULL, start_a, 0, &s), 0);
	assert_int_equal(roster_at(cmd, "datian", start_a, 0, &s), 1);
	assert_string_equal(tstr(tkeep(s), "id"), a);
	assert_int_equal(roster_add(cmd, "2026-11-28", "08:30", 24, c.lead, c.o1,
				    NULL, x), 0);
	assert_int_equal(roster_at(cmd, NULL, start_a, 0, &s), 1);
	assert_string_equal(tstr(tkeep(s), "id"), x);
	/* Nor may it take the town's shifts off: the town keeps its own. */
	trefused(cmd, roster_remove(cmd, a), DD_E_REFUSED, "datian");
	assert_int_equal(roster_at(cmd, "datian", start_a, 0, &s), 1);
	assert_string_equal(tstr(tkeep(s), "id"), a);
}

/* ---- the directory ----------------------------------------------------- */

static void
contact_finding(void **state)
{
	struct db *db = tstation("county", ROLE_COMMAND, 1);
	const char *wu, *lin;
	char id[64], want[64];
	(void)state;

	wu = person_add(db, "吴雨桐", "138 0576 1234; 0576-8512345",
			"town_leader", "datian", "大田街道办事处");
	snprintf(want, sizeof want, "%s", wu);
	/* Spaces around a name are not kept. */
	lin = person_add(db, " 林一鸣  ", "13905761111", "town_duty", "古城", NULL);
	/* Found by id, by name, by pinyin however it is spaced or cased. */
	assert_int_equal(contact_find(db, want, id), 1);
	assert_string_equal(id, want);
	assert_int_equal(contact_find(db, "吴雨桐", id), 1);
	assert_string_equal(id, want);
	assert_int_equal(contact_find(db, "wu yu tong", id), 1);
	assert_string_equal(id, want);
	assert_int_equal(contact_find(db, "WuYutong", id), 1);
	assert_string_equal(id, want);
	assert_int_equal(contact_find(db, "lin yi ming", id), 1);
	assert_string_equal(id, lin);
	/* Not by part of a name, nor an unknown one. */
	assert_int_equal(contact_find(db, "吴雨", id), 0);
	assert_int_equal(contact_find(db, "wuyu", id), 0);
	assert_int_equal(contact_find(db, "", id), 0);
	assert_int_equal(contact_find(db, "county-999", id), 0);
	/* A person taken out of the directory is not found. */
	{
		cJSON *f = cJSON_CreateObject();
		cJSON_AddBoolToObject(f, "deleted", 1);
		assert_int_equal(contact_update(db, lin, f), 0);
		cJSON_Delete(f);
	}
	assert_int_equal(contact_find(db, "林一鸣", id), 0);
	/* The phones were kept in one form. */
	{
		cJSON *c = NULL;
		assert_int_equal(contact_get(db, want, &c), 1);
		tkeep(c);
		assert_string_equal(tstr(c, "phones"), "13805761234;0576-8512345");
		assert_string_equal(tstr(c, "pinyin"), "Wu Yu Tong");
		assert_string_equal(tstr(c, "town"), "datian");
	}
}

/* The ids of a search's results, ", " between them, leaving out the
 * seed's people (the shelters' managers and the teams' leaders). */
static const char *
found_ids(struct db *db, const char *text)
{
	static char buf[512];
	cJSON *l = NULL, *o;
	size_t n = 0;

	buf[0] = 0;
	assert_int_equal(contact_search(db, text, &l), 0);
	cJSON_ArrayForEach(o, l)
		if (strncmp(tstr(o, "id"), "seed-", 5) != 0)
			n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s",
					      n ? ", " : "", tstr(o, "id"));
	cJSON_Delete(l);
	return buf;
}

static void
contact_searching(void **state)
{
	struct db *db = tstation("county", ROLE_COMMAND, 1);
	char wu[64], lin[64], ge[64], want[200];
	(void)state;

	snprintf(wu, 64, "%s", person_add(db, "吴雨桐", "13805761234",
					  "town_leader", "datian", "大田街道办事处"));
	snprintf(lin, 64, "%s", person_add(db, "林一鸣", "0576-85123456",
					   "town_duty", "gucheng", NULL));
	snprintf(ge, 64, "%s", person_add(db, "葛丽", "15900001111", "village",
					  NULL, "前所村"));
	/* Any part of a phone (three digits at least), typed any way. */
	assert_string_equal(found_ids(db, "0576"), strcat(strcat(strcpy(want,
		wu), ", "), lin));
	assert_string_equal(found_ids(db, "8512 3456"), lin);
	assert_string_equal(found_ids(db, "85123456"), lin);
	assert_string_equal(found_ids(db, "1111"), ge);
	/* A unit, or part of it. */
	assert_string_equal(found_ids(db, "前所"), ge);
	assert_string_equal(found_ids(db, "办事处"), wu);
	/* A town by code, by name or part of it, by its pinyin. */
	assert_string_equal(found_ids(db, "gucheng"), lin);
	assert_string_equal(found_ids(db, "古城"), lin);
	assert_string_equal(found_ids(db, "Datian"), wu);
	/* A name, Chinese or pinyin, whole or in part. */
	assert_string_equal(found_ids(db, "雨桐"), wu);
	assert_string_equal(found_ids(db, "yutong"), wu);
	assert_string_equal(found_ids(db, "Lin Yi"), lin);
	/* Nothing, and nothing for an empty text. */
	assert_string_equal(found_ids(db, "xyzzy"), "");
	assert_string_equal(found_ids(db, ""), "");
	assert_string_equal(found_ids(db, "   "), "");
}

static void
contact_by_phones(void **state)
{
	struct db *db = tstation("county", ROLE_COMMAND, 1);
	const char *lin;
	char id[64];
	cJSON *c = NULL;
	(void)state;

	snprintf(id, sizeof id, "%s", person_add(db, "吴雨桐",
		 "13805761234;0576-85123456", "town_leader", "datian", NULL));
	lin = person_add(db, "林一鸣", "+86 139 0576 1111", "town_duty",
			 "gucheng", NULL);
	/* Either phone, however it is written, finds its contact. */
	assert_int_equal(contact_by_phone(db, "13805761234", &c), 1);
	assert_string_equal(tstr(tkeep(c), "id"), id);
	assert_int_equal(contact_by_phone(db, "138-0576-1234", &c), 1);
	assert_string_equal(tstr(tkeep(c), "name"), "吴雨桐");
	assert_int_equal(contact_by_phone(db, "0576 8512 3456", &c), 1);
	assert_string_equal(tstr(tkeep(c), "id"), id);
	assert_int_equal(contact_by_phone(db, "+8613905761111", &c), 1);
	assert_string_equal(tstr(tkeep(c), "id"), lin);
	/* Only a whole phone: not a part, not another number. */
	assert_int_equal(contact_by_phone(db, "1380576", &c), 0);
	assert_null(c);
	assert_int_equal(contact_by_phone(db, "85123456", &c), 0);
	assert_int_equal(contact_by_phone(db, "13805761235", &c), 0);
	assert_int_equal(contact_by_phone(db, "12", &c), 0);
	assert_int_equal(contact_by_phone(db, "", &c), 0);
	/* A seed's shelter manager is in the directory too. */
	assert_int_equal(contact_by_phone(db, "18992023272", &c), 1);
	assert_string_equal(tstr(tkeep(c), "role"), "shelter_manager");
	assert_string_equal(tstr(c, "for"), "s001");
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void
contact_import(void **state)
{
	struct db *db = tstation("county", ROLE_COMMAND, 1);
	const char *p = tpath("contacts.csv");
	cJSON *ids = tkeep(cJSON_CreateArray());
	const char *before;
	int64_t n, count = -1;
	char id[64];
	(void)state;

	before = texport_of(db);
	n = tnops(db);
	/* The third line is bad (a role nobody has): nothing is loaded, and
	 * the message names the line. */
	write_file(p, "name,phones,unit,role,town,for\n"
		   "吴雨桐,13805761234;0576-85123456,大田街道,town_leader,datian,\n"
		   "林一鸣,13905761111,,mayor,gucheng,\n"
		   "葛丽,15900001111,,village,,\n");
	trefused(db, import_contacts_csv(db, p, CSV_AUTO, &count, ids),
		 DD_E_INVALID, "line 3");
	assert_non_null(strstr(db_errmsg(db), "mayor"));
	assert_int_equal(cJSON_GetArraySize(ids), 0);
	assert_int_equal(tnops(db), n);
	assert_string_equal(texport_of(db), before);
	/* A bad phone, an unknown town, a missing name: each by its line. */
	write_file(p, "name,phones,unit,role,town,for\n"
		   "吴雨桐,13805761234,大田街道,town_leader,datian,\n"
		   "葛丽,15900001111,,village,,\n"
		   "林一鸣,12,,town_duty,gucheng,\n");
	trefused(db, import_contacts_csv(db, p, CSV_AUTO, &count, ids),
		 DD_E_INVALID, "line 4");
	write_file(p, "name,phones,unit,role,town,for\n"
		   "林一鸣,13905761111,,town_duty,nowhere,\n");
	trefused(db, import_contacts_csv(db, p, CSV_AUTO, &count, ids),
		 DD_E_NOTFOUND, "line 2");
	write_file(p, "name,phones,unit,role,town,for\n"
		   ",13905761111,,town_duty,gucheng,\n");
	trefused(db, import_contacts_csv(db, p, CSV_AUTO, &count, ids),
		 DD_E_INVALID, "line 2");
	assert_int_equal(tnops(db), n);
	assert_string_equal(texport_of(db), before);
	/* All good: every row, in file order, roles by their Chinese label. */
	write_file(p, "name,phones,unit,role,town,for\n"
		   "吴雨桐,13805761234;0576-85123456,大田街道,town_leader,datian,\n"
		   "林一鸣,13905761111,,镇街值班员,古城,\n"
		   "葛丽,15900001111,,village,,s001\n");
	assert_int_equal(import_contacts_csv(db, p, CSV_AUTO, &count, ids), 0);
	assert_int_equal(count, 3);
	assert_int_equal(cJSON_GetArraySize(ids), 3);
	assert_int_equal(tnops(db), n + 3);
	assert_int_equal(contact_find(db, "林一鸣", id), 1);
	assert_string_equal(id, cJSON_GetArrayItem(ids, 1)->valuestring);
	{
		cJSON *c = NULL;
		assert_int_equal(contact_get(db, id, &c), 1);
		assert_string_equal(tstr(tkeep(c), "role"), "town_duty");
		assert_string_equal(tstr(c, "town"), "gucheng");
		assert_int_equal(contact_find(db, "葛丽", id), 1);
		assert_int_equal(contact_get(db, id, &c), 1);
		assert_string_equal(tstr(tkeep(c), "for"), "s001");
	}
}

static void
roster_import(void **state)
{
	struct db *db = tstation("county", ROLE_COMMAND, 1);
	const char *p = tpath("roster.csv");
	cJSON *ids = tkeep(cJSON_CreateArray());
	const char *before;
	int64_t n, count = -1;
	struct crew c;
	cJSON *s = NULL;
	(void)state;

	crew_make(db, &c);
	before = texport_of(db);
	n = tnops(db);
	/* The fourth line overlaps the third: nothing is loaded. */
	write_file(p, "date,start,hours,leader,officer1,officer2\n"
		   "2026-11-28,,,郑国强,王芳,李明\n"
		   "2026-11-29,08:30,24,郑国强,赵强,\n"
		   "2026-11-30,08:00,24,郑国强,王芳,\n");
	trefused(db, import_roster_csv(db, p, CSV_AUTO, &count, ids),
		 DD_E_REFUSED, "line 4");
	assert_int_equal(tnops(db), n);
	assert_string_equal(texport_of(db), before);
	/* Start and hours may be left empty: the settings give them. */
	write_file(p, "date,start,hours,leader,officer1,officer2\n"
		   "2026-11-28,,,郑国强,王芳,李明\n"
		   "2026-11-29,08:30,24,郑国强,赵强,\n"
		   "2026-11-30,,12,郑国强,王芳,\n");
	assert_int_equal(import_roster_csv(db, p, CSV_AUTO, &count, ids), 0);
	assert_int_equal(count, 3);
	assert_int_equal(roster_at(db, NULL, T0, 0, &s), 1);
	assert_string_equal(tstr(tkeep(s), "officer2_name"), "李明");
	assert_int_equal(tnum(s, "hours"), 24);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, tfresh, trelease)
		T(settings_defaults),
		T(settings_county_replicates),
		T(settings_town_local_only),
		T(settings_town_named_county),
		T(roster_people),
		T(roster_ambiguous),
		T(roster_now_and_next),
		T(contact_finding),
		T(contact_searching),
		T(contact_by_phones),
		T(contact_import),
		T(roster_import),
#undef T
	};
	int rc;

	/* Shifts are given in the station's zone. */
	time_set_zone("Asia/Shanghai");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tcleanup();
	return rc;
}
