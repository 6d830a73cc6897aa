/*
 * server_view.c - `dutydeskd --db FILE status [--json]`, the
 * administrator's view of a county server (dutydeskd(8)). It reads the
 * databases itself, read only: each realm's log head, projection and
 * write-ahead log. When a server holds the live realm's lock, it reads
 * what that server publishes in FILE.status (server_status.c): its
 * stations with their last push and pull, each open realm's lag and
 * last commit. It prints both as one table or one JSON object.
 */
#include "sync/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#define STATUS_STALE_S 30       /* older, with the lock held: stuck? */
#define STATUS_FILE_MAX (16 << 20)
#define STATUS_BEHIND_S 10      /* a lag the server logs (PROJ_WARN_MS) */
#define STATUS_COLUMNS 80

/* What is known of one realm: from its database, and from the server's
 * file when it has the realm open. Times in seconds, 0: none. */
struct vrealm {
	char name[40];
	int ok;                 /* its database was read */
	int open;               /* a server holds it: 1, 0, -1 cannot tell */
	int64_t head, projected, wal_bytes;
	int srv;                /* the server's file lists it */
	int64_t behind_since, last_commit;
	double wal_frames;
};

/* One connected station, as the server's file says. */
struct vstation {
	char station[32], role[16], realm[40], peer[64];
	int64_t connected, push, pull, caught_up;
	int64_t upto, cursor;
	int has_upto, live;
};

struct view {
	const char *db;
	int64_t now;
	int held;               /* the live realm's lock: 1, 0, -1 */
	long pid;               /* its holder, 0: not known */
	int published;          /* the holder's status file was read */
	char version[32], listen[80];
	int64_t started, written;
	double connections, protocol;
	int stopping;
	struct vrealm *realms;
	int nrealms, crealms;
	struct vstation *stations;
	int nstations;
	int bad;                /* something could not be read: exit 3 */
};

/* A realm's figures from its database, opened read only (a server may
 * be running on it): the projection's cursor read before the head, so
 * that it is never past it. 0, or -1 with one line on stderr. */
static int
view_realm(struct view *v, const char *realm)
{
	struct station_info si;
	struct vrealm *r, *more;
	struct db *db = NULL;
	struct stat st;
	char path[4096], wal[4200];
	int rc = 0;

	if (v->nrealms == v->crealms) {
		v->crealms = v->crealms ? 2 * v->crealms : 8;
		if (!(more = realloc(v->realms, (size_t)v->crealms * sizeof *more))) {
			fprintf(stderr, "dutydeskd: out of memory\n");
			v->bad = 1;
			return -1;
		}
		v->realms = more;
	}
	r = &v->realms[v->nrealms++];
	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "%s", realm);
	if (server_realm_path(v->db, realm, path, sizeof path)) {
		fprintf(stderr, "dutydeskd: %s: path too long\n", v->db);
		v->bad = 1;
		return -1;
	}
	if ((r->open = server_realm_held(path)) < 0)
		fprintf(stderr, "dutydeskd: %s.lock cannot be read: whether a "
			"server holds realm %s is not known\n", path, realm);
	snprintf(wal, sizeof wal, "%s-wal", path);
	if (stat(wal, &st) == 0)
		r->wal_bytes = st.st_size;
	if ((rc = db_open(path, DB_RDONLY, &db)) ||
	    (rc = station_identity(db, &si))) {
		const char *why = db_why(db, rc);
		/* Said once, with the file's name. */
		if (strstr(why, path))
			fprintf(stderr, "dutydeskd: %s\n", why);
		else
			fprintf(stderr, "dutydeskd: %s: %s\n", path, why);
	} else if (strcmp(si.station, "server") != 0) {
		fprintf(stderr, "dutydeskd: %s is station %s's database, not a "
			"server's\n", path, si.station);
		rc = DD_E_DB_NOTOURS;
	} else if (strcmp(si.realm, realm) != 0) {
		fprintf(stderr, "dutydeskd: %s holds realm '%s', not '%s'\n", path,
			si.realm, realm);
		rc = DD_E_REALM;
	} else if ((rc = replica_projected(db, &r->projected)) ||
		   (rc = replica_head(db, &r->head))) {
		fprintf(stderr, "dutydeskd: %s: %s\n", path, db_why(db, rc));
	}
	db_close(&db);
	r->ok = rc == 0;
	v->bad |= !r->ok || r->open < 0;
	return rc ? -1 : 0;
}

static int
view_each(const char *realm, void *ctx)
{
	view_realm(ctx, realm);
	return 0;
}

static struct vrealm *
view_find(struct view *v, const char *name)
{
	int i;

	for (i = 0; i < v->nrealms; i++)
		if (strcmp(v->realms[i].name, name) == 0)
			return &v->realms[i];
	return NULL;
}

/* Members of the file, checked as any input is: 0, or -1 when missing
 * or not of their type. A string that fits n; a time (ISO 8601 UTC, to
 * seconds; null: 0); a 64-bit value as digits (null: *has 0); a
 * number; a boolean. */
static int
get_str(const cJSON *o, const char *k, char *out, size_t n)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsString(x) || strlen(x->valuestring) >= n)
		return -1;
	snprintf(out, n, "%s", x->valuestring);
	return 0;
}

static int
get_time(const cJSON *o, const char *k, int64_t *t)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

	*t = 0;
	if (cJSON_IsNull(x))
		return 0;
	if (!cJSON_IsString(x) || time_parse_iso(x->valuestring, t) != 0)
		return -1;
	return 0;
}

static int
get_i64(const cJSON *o, const char *k, int64_t *v, int *has)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

	*v = 0;
	if (has)
		*has = 0;
	if (has && cJSON_IsNull(x))
		return 0;
	if (!cJSON_IsString(x) || dd_parse_i64(x->valuestring, v) != 0)
		return -1;
	if (has)
		*has = 1;
	return 0;
}

static int
get_num(const cJSON *o, const char *k, double *d)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsNumber(x))
		return -1;
	*d = x->valuedouble;
	return 0;
}

static int
get_bool(const cJSON *o, const char *k, int *b)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsBool(x))
		return -1;
	*b = cJSON_IsTrue(x);
	return 0;
}

/* One realm of the file, into the view's realm of that name (one the
 * databases show; another, made since, is left out). Its head and
 * projection are the database's, read after the file was written. */
static int
file_realm(struct view *v, const cJSON *o)
{
	struct vrealm *r, x;

	memset(&x, 0, sizeof x);
	if (get_str(o, "realm", x.name, sizeof x.name) ||
	    get_time(o, "behind_since", &x.behind_since) ||
	    get_num(o, "wal_frames", &x.wal_frames) ||
	    get_time(o, "last_commit", &x.last_commit))
		return -1;
	if ((r = view_find(v, x.name))) {
		r->srv = 1;
		r->behind_since = x.behind_since;
		r->wal_frames = x.wal_frames;
		r->last_commit = x.last_commit;
	}
	return 0;
}

static int
file_station(struct vstation *s, const cJSON *o)
{
	memset(s, 0, sizeof *s);
	if (get_str(o, "station", s->station, sizeof s->station) ||
	    get_str(o, "role", s->role, sizeof s->role) ||
	    get_str(o, "realm", s->realm, sizeof s->realm) ||
	    get_str(o, "peer", s->peer, sizeof s->peer) ||
	    get_time(o, "connected", &s->connected) ||
	    get_time(o, "last_push", &s->push) ||
	    get_i64(o, "push_upto", &s->upto, &s->has_upto) ||
	    get_time(o, "last_pull", &s->pull) ||
	    get_time(o, "caught_up", &s->caught_up) ||
	    get_i64(o, "cursor", &s->cursor, NULL) ||
	    get_bool(o, "live", &s->live))
		return -1;
	return 0;
}

/* The file read whole into memory (caller frees), or NULL with errno
 * set (EFBIG: larger than any status file). */
static char *
file_slurp(const char *path, size_t *n)
{
	struct stat st;
	char *buf = NULL;
	FILE *f;
	int e;

	if (!(f = fopen(path, "re")))
		return NULL;
	if (fstat(fileno(f), &st) != 0)
		goto out;
	if (st.st_size > STATUS_FILE_MAX) {
		errno = EFBIG;
		goto out;
	}
	if (!(buf = malloc((size_t)st.st_size + 1)))
		goto out;
	*n = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		free(buf);
		buf = NULL;
		errno = EIO;
		goto out;
	}
	buf[*n] = 0;
out:
	e = errno;
	fclose(f);
	errno = e;
	return buf;
}

/* The status file of the server that holds the live realm's lock. A
 * file another process wrote (one killed, whose lock went with it) is
 * not this one's: its pid differs. */
static void
view_file(struct view *v)
{
	char path[4200];
	const char *end = NULL;
	const cJSON *x, *y;
	cJSON *o = NULL;
	char *buf;
	double pid;
	size_t n = 0;
	int i = 0;

	snprintf(path, sizeof path, "%s.status", v->db);
	if (!(buf = file_slurp(path, &n))) {
		if (errno != ENOENT)
			fprintf(stderr, "dutydeskd: cannot read %s: %s\n", path,
				strerror(errno));
		return;
	}
	/* The length with its NUL: nothing may follow the object. */
	if (!(o = cJSON_ParseWithLengthOpts(buf, n + 1, &end, 1)) ||
	    !cJSON_IsObject(o) ||
	    get_num(o, "pid", &pid) ||
	    get_str(o, "version", v->version, sizeof v->version) ||
	    get_num(o, "protocol", &v->protocol) ||
	    get_str(o, "listen", v->listen, sizeof v->listen) ||
	    get_time(o, "started", &v->started) ||
	    get_time(o, "written", &v->written) ||
	    get_num(o, "connections", &v->connections) ||
	    get_bool(o, "stopping", &v->stopping) ||
	    !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o, "realms")) ||
	    !cJSON_IsArray(x = cJSON_GetObjectItemCaseSensitive(o, "stations")))
		goto bad;
	if (v->pid > 0 && (long)pid != v->pid)
		goto out;
	if (!(v->stations = calloc((size_t)cJSON_GetArraySize(x) + 1,
				   sizeof *v->stations))) {
		fprintf(stderr, "dutydeskd: out of memory\n");
		goto out;
	}
	cJSON_ArrayForEach(y, x)
		if (file_station(&v->stations[i++], y))
			goto bad;
	v->nstations = i;
	cJSON_ArrayForEach(y, cJSON_GetObjectItemCaseSensitive(o, "realms"))
		if (file_realm(v, y))
			goto bad;
	if (!v->pid)
		v->pid = (long)pid;
	v->published = 1;
	goto out;
bad:
	fprintf(stderr, "dutydeskd: %s: not a status file of this dutydeskd; "
		"ignored\n", path);
	v->nstations = 0;
out:
	if (!v->published) {
		free(v->stations);
		v->stations = NULL;
		v->nstations = 0;
		for (i = 0; i < v->nrealms; i++)
			v->realms[i].srv = 0;
	}
	cJSON_Delete(o);
	free(buf);
}

/* Stations by realm (live first) then code. */
static int
by_realm_station(const void *a, const void *b)
{
	const struct vstation *x = a, *y = b;
	int lx = strcmp(x->realm, "live") != 0, ly = strcmp(y->realm, "live") != 0;
	int c = lx != ly ? lx - ly : strcmp(x->realm, y->realm);

	return c ? c : strcmp(x->station, y->station);
}

/* How long the state has been behind the log, in seconds: 0 when it is
 * not, -1 when no server says (none runs, or it has not the realm
 * open). */
static int64_t
behind_s(const struct view *v, const struct vrealm *r)
{
	if (!r->ok || r->head <= r->projected)
		return 0;
	if (!r->srv)
		return -1;
	/* The file is up to a second older than the databases: a lag it
	 * does not know yet has only just begun. */
	return r->behind_since && v->now > r->behind_since
		? v->now - r->behind_since : 0;
}

/* ---- as JSON ---- */

static void
json_i64(cJSON *o, const char *k, int64_t x, int has)
{
	if (has)
		msg_add_i64(o, k, x);
	else
		cJSON_AddNullToObject(o, k);
}

static cJSON *
view_json(const struct view *v)
{
	cJSON *o = cJSON_CreateObject(), *s, *a, *x;
	int i;

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "db", v->db);
	if (v->held != 1) {
		cJSON_AddNullToObject(o, "server");
	} else if ((s = cJSON_AddObjectToObject(o, "server"))) {
		if (v->pid > 0)
			cJSON_AddNumberToObject(s, "pid", (double)v->pid);
		else
			cJSON_AddNullToObject(s, "pid");
		cJSON_AddBoolToObject(s, "published", v->published);
		if (v->published) {
			cJSON_AddStringToObject(s, "version", v->version);
			cJSON_AddNumberToObject(s, "protocol", v->protocol);
			cJSON_AddStringToObject(s, "listen", v->listen);
			msg_add_time(s, "started", v->started);
			msg_add_time(s, "written", v->written);
			cJSON_AddBoolToObject(s, "stale",
					      v->now - v->written > STATUS_STALE_S);
			cJSON_AddBoolToObject(s, "stopping", v->stopping);
			cJSON_AddNumberToObject(s, "connections", v->connections);
		} else {
			static const char *const none[] = { "version", "protocol",
				"listen", "started", "written", "stale", "stopping",
				"connections" };
			for (i = 0; i < (int)(sizeof none / sizeof none[0]); i++)
				cJSON_AddNullToObject(s, none[i]);
		}
	}
	if ((a = cJSON_AddArrayToObject(o, "realms")))
		for (i = 0; i < v->nrealms; i++) {
			const struct vrealm *r = &v->realms[i];
			int64_t b = behind_s(v, r);
			if (!(x = cJSON_CreateObject()))
				break;
			cJSON_AddStringToObject(x, "realm", r->name);
			if (r->open < 0)
				cJSON_AddNullToObject(x, "open");
			else
				cJSON_AddBoolToObject(x, "open", r->open);
			json_i64(x, "head", r->head, r->ok);
			json_i64(x, "projected", r->projected, r->ok);
			json_i64(x, "lag", r->head - r->projected, r->ok);
			if (b < 0 || !r->ok)
				cJSON_AddNullToObject(x, "behind_seconds");
			else
				cJSON_AddNumberToObject(x, "behind_seconds", (double)b);
			cJSON_AddNumberToObject(x, "wal_bytes", (double)r->wal_bytes);
			if (r->srv)
				cJSON_AddNumberToObject(x, "wal_frames", r->wal_frames);
			else
				cJSON_AddNullToObject(x, "wal_frames");
			msg_add_time(x, "last_commit", r->srv ? r->last_commit : 0);
			cJSON_AddItemToArray(a, x);
		}
	if ((a = cJSON_AddArrayToObject(o, "stations")))
		for (i = 0; i < v->nstations; i++) {
			const struct vstation *t = &v->stations[i];
			if (!(x = cJSON_CreateObject()))
				break;
			cJSON_AddStringToObject(x, "station", t->station);
			cJSON_AddStringToObject(x, "role", t->role);
			cJSON_AddStringToObject(x, "realm", t->realm);
			cJSON_AddStringToObject(x, "peer", t->peer);
			msg_add_time(x, "connected", t->connected);
			msg_add_time(x, "last_push", t->push);
			json_i64(x, "push_upto", t->upto, t->has_upto);
			msg_add_time(x, "last_pull", t->pull);
			msg_add_time(x, "caught_up", t->caught_up);
			msg_add_i64(x, "cursor", t->cursor);
			cJSON_AddBoolToObject(x, "live", t->live);
			cJSON_AddItemToArray(a, x);
		}
	return o;
}

/* ---- as text ---- */

/* How long ago t was (seconds), in at most five characters: 42s, 9m59s,
 * 42m, 9h59m, 42h, 9d; "-" for never. */
static const char *
ago(int64_t now, int64_t t, char out[24])
{
	int64_t d = now - t;

	if (t <= 0)
		return strcpy(out, "-");
	if (d < 0)
		d = 0;
	if (d < 60)
		snprintf(out, 24, "%llds", (long long)d);
	else if (d < 600)
		snprintf(out, 24, "%lldm%02llds", (long long)(d / 60),
			 (long long)(d % 60));
	else if (d < 3600)
		snprintf(out, 24, "%lldm", (long long)(d / 60));
	else if (d < 36000)
		snprintf(out, 24, "%lldh%02lldm", (long long)(d / 3600),
			 (long long)(d % 3600 / 60));
	else if (d < 172800)
		snprintf(out, 24, "%lldh", (long long)(d / 3600));
	else
		snprintf(out, 24, "%lldd", (long long)(d / 86400));
	return out;
}

/* A figure read from a database, or "?" when it could not be. */
static const char *
figure(int ok, int64_t n, char out[24])
{
	if (!ok)
		return "?";
	snprintf(out, 24, "%lld", (long long)n);
	return out;
}

static const char *
bytes(int64_t n, char out[24])
{
	if (n < 1024)
		snprintf(out, 24, "%lld B", (long long)n);
	else if (n < 1024 * 1024)
		snprintf(out, 24, "%.1f KiB", (double)n / 1024);
	else if (n < 1024LL * 1024 * 1024)
		snprintf(out, 24, "%.1f MiB", (double)n / (1024 * 1024));
	else
		snprintf(out, 24, "%.1f GiB", (double)n / (1024.0 * 1024 * 1024));
	return out;
}

/* A table of short cells: numbers to the right, words to the left. */
#define TABLE_COLS 10
#define TABLE_CELL 64

struct table {
	int ncol;
	const char *const *head;
	const char *align;          /* 'l' or 'r' per column */
	char (*cell)[TABLE_CELL];   /* row after row */
	int nrow, cap;
};

/* Cell col of row. */
static char *
table_cell(struct table *t, int row, int col)
{
	return t->cell[row * t->ncol + col];
}

/* A new row, its cells empty: its index, or -1 when out of memory. */
static int
table_add(struct table *t)
{
	char (*more)[TABLE_CELL];

	if (t->nrow == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 8;
		if (!(more = realloc(t->cell, (size_t)t->cap * (size_t)t->ncol *
				     sizeof *more)))
			return -1;
		t->cell = more;
	}
	memset(t->cell[t->nrow * t->ncol], 0, (size_t)t->ncol * sizeof *t->cell);
	return t->nrow++;
}

/* Columns as wide as their widest cell, two spaces apart, or one when
 * that is what fits STATUS_COLUMNS; when even that does not, each row
 * as its first cell and the others named ("datian: role town, realm
 * live, ..."), wrapped at that width. */
static void
table_print(const struct table *t)
{
	int w[TABLE_COLS], total, gap, i, j, col, len;
	char name[TABLE_CELL], *p;

	for (j = 0; j < t->ncol; j++)
		w[j] = (int)strlen(t->head[j]);
	for (i = 0; i < t->nrow; i++)
		for (j = 0; j < t->ncol; j++) {
			len = (int)strlen(t->cell[i * t->ncol + j]);
			w[j] = len > w[j] ? len : w[j];
		}
	for (total = 0, j = 0; j < t->ncol; j++)
		total += w[j];
	gap = total + 2 * (t->ncol - 1) <= STATUS_COLUMNS ? 2 : 1;
	if (total + gap * (t->ncol - 1) <= STATUS_COLUMNS) {
		for (i = -1; i < t->nrow; i++) {
			for (j = 0; j < t->ncol; j++) {
				const char *s = i < 0 ? t->head[j] : t->cell[i * t->ncol + j];
				int last = j == t->ncol - 1;
				printf("%*s", j ? gap : 0, "");
				if (t->align[j] == 'r')
					printf("%*s", w[j], s);
				else
					printf("%-*s", last ? 0 : w[j], s);
			}
			putchar('\n');
		}
		return;
	}
	for (i = 0; i < t->nrow; i++) {
		col = printf("%s:", t->cell[i * t->ncol]);
		for (j = 1; j < t->ncol; j++) {
			snprintf(name, sizeof name, "%s", t->head[j]);
			for (p = name; *p; p++)
				*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
			len = (int)(strlen(name) + strlen(t->cell[i * t->ncol + j])) + 3;
			if (col + len > STATUS_COLUMNS) {
				printf("\n ");
				col = 1;
			}
			col += printf(" %s %s%s", name, t->cell[i * t->ncol + j],
				      j < t->ncol - 1 ? "," : "");
		}
		putchar('\n');
	}
}

static void
print_server(const struct view *v)
{
	char a[24], b[24];

	if (v->held == 0) {
		printf("no server running; the figures are the database's alone\n");
		return;
	}
	if (v->held < 0) {
		printf("cannot tell whether a server runs; the figures are the "
		       "database's alone\n");
		return;
	}
	if (!v->published) {
		if (v->pid > 0)
			printf("server: pid %ld holds the database but has written no "
			       "status\n", v->pid);
		else
			printf("server: a process holds the database but has written "
			       "no status\n");
		printf("        (a server starting, or an export bringing the state "
		       "up to the log)\n");
		return;
	}
	printf("server: dutydeskd %s, pid %ld, listening on %s%s\n", v->version,
	       v->pid, v->listen, v->stopping ? ", stopping" : "");
	printf("        up %s, %.0f connection%s; status written %s ago%s\n",
	       ago(v->now, v->started, a), v->connections,
	       v->connections == 1 ? "" : "s", ago(v->now, v->written, b),
	       v->now - v->written > STATUS_STALE_S
	       ? " (is it stuck?)" : "");
}

static int
print_realms(const struct view *v)
{
	static const char *const head[] = { "REALM", "HEAD", "PROJECTED", "LAG",
		"BEHIND", "WAL", "COMMITTED", "STATE" };
	struct table t = { 8, head, "lrrrrrrl", NULL, 0, 0 };
	char x[24];
	int i, k;

	for (i = 0; i < v->nrealms; i++) {
		const struct vrealm *r = &v->realms[i];
		int64_t b = behind_s(v, r);
		if ((k = table_add(&t)) < 0) {
			free(t.cell);
			return -1;
		}
		snprintf(table_cell(&t, k, 0), TABLE_CELL, "%s", r->name);
		snprintf(table_cell(&t, k, 1), TABLE_CELL, "%s",
			 figure(r->ok, r->head, x));
		snprintf(table_cell(&t, k, 2), TABLE_CELL, "%s",
			 figure(r->ok, r->projected, x));
		snprintf(table_cell(&t, k, 3), TABLE_CELL, "%s",
			 figure(r->ok, r->head - r->projected, x));
		snprintf(table_cell(&t, k, 4), TABLE_CELL, "%s",
			 !r->ok || b < 0 ? "?" : r->head <= r->projected ? "-"
			 : ago(v->now, v->now - b, x));
		snprintf(table_cell(&t, k, 5), TABLE_CELL, "%s",
			 bytes(r->wal_bytes, x));
		snprintf(table_cell(&t, k, 6), TABLE_CELL, "%s",
			 ago(v->now, r->srv ? r->last_commit : 0, x));
		snprintf(table_cell(&t, k, 7), TABLE_CELL, "%s", r->open > 0
			 ? "open" : r->open == 0 ? "closed" : "?");
	}
	table_print(&t);
	for (i = 0; i < v->nrealms; i++) {
		const struct vrealm *r = &v->realms[i];
		int64_t b = behind_s(v, r);
		if (b >= STATUS_BEHIND_S)
			printf("realm %s: the state is %s behind the log (%lld "
			       "operations to apply)\n", r->name, ago(v->now,
			       v->now - b, x), (long long)(r->head - r->projected));
		else if (b < 0 && v->held == 0)
			printf("realm %s: the state is %lld operations behind the log; "
			       "the server applies them when it starts\n", r->name,
			       (long long)(r->head - r->projected));
	}
	free(t.cell);
	return 0;
}

static int
print_stations(const struct view *v)
{
	static const char *const head[] = { "STATION", "ROLE", "REALM", "PEER",
		"UP", "PUSHED", "UPTO", "PULLED", "CURSOR", "LIVE" };
	struct table t = { 10, head, "llllrrrrrl", NULL, 0, 0 };
	char x[24];
	int i, k;

	if (!v->nstations) {
		printf("no station connected\n");
		return 0;
	}
	for (i = 0; i < v->nstations; i++) {
		const struct vstation *s = &v->stations[i];
		if ((k = table_add(&t)) < 0) {
			free(t.cell);
			return -1;
		}
		snprintf(table_cell(&t, k, 0), TABLE_CELL, "%s", s->station);
		snprintf(table_cell(&t, k, 1), TABLE_CELL, "%s", s->role);
		snprintf(table_cell(&t, k, 2), TABLE_CELL, "%s", s->realm);
		snprintf(table_cell(&t, k, 3), TABLE_CELL, "%s", s->peer);
		snprintf(table_cell(&t, k, 4), TABLE_CELL, "%s",
			 ago(v->now, s->connected, x));
		snprintf(table_cell(&t, k, 5), TABLE_CELL, "%s",
			 ago(v->now, s->push, x));
		if (s->has_upto)
			snprintf(table_cell(&t, k, 6), TABLE_CELL, "%lld",
				 (long long)s->upto);
		else
			snprintf(table_cell(&t, k, 6), TABLE_CELL, "-");
		snprintf(table_cell(&t, k, 7), TABLE_CELL, "%s",
			 ago(v->now, s->pull, x));
		snprintf(table_cell(&t, k, 8), TABLE_CELL, "%lld",
			 (long long)s->cursor);
		snprintf(table_cell(&t, k, 9), TABLE_CELL, "%s",
			 s->live ? "yes" : "no");
	}
	table_print(&t);
	free(t.cell);
	return 0;
}

int
server_view(const char *db, int json)
{
	struct view v;
	char *s = NULL;
	cJSON *o = NULL;
	int ex = EXIT_OK, rc;

	memset(&v, 0, sizeof v);
	v.db = db;
	v.now = sync_now_ms() / 1000;
	if (access(db, F_OK) != 0) {
		fprintf(stderr, "dutydeskd: %s: no server database there (%s)\n", db,
			strerror(errno));
		return EXIT_ENV;
	}
	/* Without the live realm there is nothing to show. */
	if (view_realm(&v, "live")) {
		ex = EXIT_ENV;
		goto out;
	}
	if (server_realm_each(db, view_each, &v) < 0) {
		fprintf(stderr, "dutydeskd: cannot list the realms beside %s: %s\n",
			db, strerror(errno));
		v.bad = 1;
	}
	v.held = v.realms[0].open > 0 ? server_realm_holder(db, &v.pid)
		: v.realms[0].open;
	if (v.held > 0)
		view_file(&v);
	if (v.nstations > 1)
		qsort(v.stations, (size_t)v.nstations, sizeof *v.stations,
		      by_realm_station);
	if (json) {
		if (!(o = view_json(&v)) || !(s = cJSON_Print(o))) {
			fprintf(stderr, "dutydeskd: out of memory\n");
			ex = EXIT_ENV;
			goto out;
		}
		puts(s);
	} else {
		print_server(&v);
		putchar('\n');
		rc = print_realms(&v);
		if (rc == 0 && v.published) {
			putchar('\n');
			rc = print_stations(&v);
		}
		if (rc) {
			fprintf(stderr, "dutydeskd: out of memory\n");
			ex = EXIT_ENV;
			goto out;
		}
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "dutydeskd: cannot write the status\n");
		ex = EXIT_ENV;
	} else if (v.bad) {
		ex = EXIT_ENV;
	}
out:
	cJSON_free(s);
	cJSON_Delete(o);
	free(v.realms);
	free(v.stations);
	return ex;
}
