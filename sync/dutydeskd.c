/*
 * dutydeskd.c - the county sync server's command line: serve, add a
 * station's key, print a realm's export, list and remove realms, list
 * the log, back up, or show the server's status.
 * Scripts and monitoring rely on these options, outputs and exit codes:
 * they are documented in dutydeskd(8) (assets/man/dutydeskd.8) and
 * change only with it.
 */
#include "sync/sync.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "sync/internal.h"
#include "sync/tls.h"

static const char usage_text[] =
	"usage: dutydeskd --listen HOST:PORT --db FILE --keys FILE\n"
	"                 --cert FILE [--cert-next FILE] [--cert-previous FILE]\n"
	"                 [--listen-insecure HOST:PORT] | --insecure\n"
	"                 [--log-level debug|info|warn|error] [--max-conn N]\n"
	"                 [--max-realms N] [--handshake-timeout SEC]\n"
	"                 [--idle-timeout SEC]\n"
	"       dutydeskd cert --out FILE\n"
	"       dutydeskd pin FILE\n"
	"       dutydeskd keygen STATION --role town|command --keys FILE [--replace]\n"
	"       dutydeskd --db FILE export --json [--realm REALM]\n"
	"       dutydeskd --db FILE realm list\n"
	"       dutydeskd --db FILE realm remove REALM\n"
	"       dutydeskd --db FILE log [--json] [--realm REALM] [--station S]\n"
	"       dutydeskd --db FILE backup OUT [--realm REALM]\n"
	"       dutydeskd --db FILE status [--json]\n"
	"       dutydeskd --help | --version\n";

struct args {
	const char *listen, *db, *keys, *log_level, *max_conn, *role, *realm;
	const char *handshake, *idle, *max_realms, *station, *out;
	const char *cert, *cert_next, *cert_prev, *listen_insecure;
	int insecure;
	int json, help, version, replace;
	const char *pos[3];
	int npos;
};

static int
usage(const char *fmt, const char *what)
{
	if (fmt) {
		fputs("dutydeskd: ", stderr);
		fprintf(stderr, fmt, what);
		fputc('\n', stderr);
	}
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}

/* Options may come before or after the subcommand; "--opt VALUE" and
 * "--opt=VALUE" both work. */
static int
parse(int argc, char **argv, struct args *a)
{
	static const struct { const char *name; size_t off; } valued[] = {
		{ "--listen", offsetof(struct args, listen) },
		{ "--db", offsetof(struct args, db) },
		{ "--keys", offsetof(struct args, keys) },
		{ "--log-level", offsetof(struct args, log_level) },
		{ "--max-conn", offsetof(struct args, max_conn) },
		{ "--max-realms", offsetof(struct args, max_realms) },
		{ "--handshake-timeout", offsetof(struct args, handshake) },
		{ "--idle-timeout", offsetof(struct args, idle) },
		{ "--role", offsetof(struct args, role) },
		{ "--realm", offsetof(struct args, realm) },
		{ "--station", offsetof(struct args, station) },
		{ "--out", offsetof(struct args, out) },
		{ "--cert", offsetof(struct args, cert) },
		{ "--cert-next", offsetof(struct args, cert_next) },
		{ "--cert-previous", offsetof(struct args, cert_prev) },
		{ "--listen-insecure", offsetof(struct args, listen_insecure) },
	};
	int i;
	size_t k;

	memset(a, 0, sizeof *a);
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *eq, *val = NULL;
		size_t len;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			a->help = 1;
			continue;
		}
		if (strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0) {
			a->version = 1;
			continue;
		}
		if (strcmp(arg, "--json") == 0) {
			a->json = 1;
			continue;
		}
		if (strcmp(arg, "--replace") == 0) {
			a->replace = 1;
			continue;
		}
		if (strcmp(arg, "--insecure") == 0) {
			a->insecure = 1;
			continue;
		}
		if (arg[0] != '-' || arg[1] == 0) {
			if (a->npos == 3)
				return usage("too many arguments ('%s')", arg);
			a->pos[a->npos++] = arg;
			continue;
		}
		eq = strchr(arg, '=');
		len = eq ? (size_t)(eq - arg) : strlen(arg);
		for (k = 0; k < sizeof valued / sizeof valued[0]; k++)
			if (strlen(valued[k].name) == len &&
			    strncmp(valued[k].name, arg, len) == 0)
				break;
		if (k == sizeof valued / sizeof valued[0])
			return usage("unknown option '%s'", arg);
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			return usage("option %s needs a value", valued[k].name);
		*(const char **)((char *)a + valued[k].off) = val;
	}
	return 0;
}

/* Options that have no meaning for what was asked are a usage error. */
static int
only(const struct args *a, const char *what, int listen, int db, int keys,
     int log, int role, int realm, int json)
{
	const char *bad = a->listen && !listen ? "--listen"
		: a->cert && !listen ? "--cert"
		: a->cert_next && !listen ? "--cert-next"
		: a->cert_prev && !listen ? "--cert-previous"
		: a->listen_insecure && !listen ? "--listen-insecure"
		: a->insecure && !listen ? "--insecure"
		: a->db && !db ? "--db" : a->keys && !keys ? "--keys"
		: (a->log_level || a->max_conn || a->max_realms || a->handshake ||
		   a->idle) && !log
		  ? (a->log_level ? "--log-level" : a->max_conn ? "--max-conn"
		     : a->max_realms ? "--max-realms"
		     : a->handshake ? "--handshake-timeout" : "--idle-timeout")
		: a->role && !role ? "--role" : a->realm && !realm ? "--realm"
		: a->json && !json ? "--json"
		: a->station && strcmp(what, "log") != 0 ? "--station"
		: a->replace && strcmp(what, "keygen") != 0 ? "--replace"
		: a->out && strcmp(what, "cert") != 0 ? "--out" : NULL;
	char msg[120];

	if (!bad)
		return 0;
	snprintf(msg, sizeof msg, "%s does not go with %%s", bad);
	return usage(msg, what);
}

static int
cmd_keygen(const struct args *a)
{
	char hex[SYNC_HEX], why[600];
	int rc, role;

	if ((rc = only(a, "keygen", 0, 0, 1, 0, 1, 0, 0)))
		return rc;
	if (a->npos != 2)
		return usage("keygen needs one station code%s", "");
	if (!a->role || !a->keys)
		return usage("keygen needs --role and --keys%s", "");
	if (!(role = role_parse(a->role)))
		return usage("--role is town or command, not '%s'", a->role);
	if (strcmp(a->pos[1], "seed") == 0 || strcmp(a->pos[1], "server") == 0) {
		fprintf(stderr, "dutydeskd: '%s' is reserved for the server's own "
			"records; choose another code\n", a->pos[1]);
		return EXIT_REFUSED;
	}
	if ((rc = keys_add(a->keys, a->pos[1], role, a->replace, hex, why,
			   sizeof why)) < 0) {
		fprintf(stderr, "dutydeskd: %s\n", why);
		return rc == DD_E_INVALID || rc == DD_E_REFUSED ? EXIT_REFUSED
			: EXIT_ENV;
	}
	printf("%s\n", hex);
	sodium_memzero(hex, sizeof hex);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "dutydeskd: cannot print the key\n");
		return EXIT_ENV;
	}
	if (rc == 1)
		fprintf(stderr, "dutydeskd: station %s (%s) has a new key in %s; "
			"its old key no longer works\n", a->pos[1], role_name(role),
			a->keys);
	else
		fprintf(stderr, "dutydeskd: station %s (%s) added to %s\n",
			a->pos[1], role_name(role), a->keys);
	return EXIT_OK;
}

/* A TLS error code to an exit status (sync/tls.h says which), except
 * that a file not read is exit 3 as a missing database is. */
static int
tls_exit(int rc, int writing)
{
	return rc == TLS_E_REFUSED ? EXIT_REFUSED
		: rc == TLS_E_IO && writing ? EXIT_DISK : EXIT_ENV;
}

/* cert --out FILE: the server's key and certificate, made once; the pin
 * alone on stdout, for the administrator to give the stations. */
static int
cmd_cert(const struct args *a)
{
	char pin[TLS_PIN_SIZE], why[600];
	int rc;

	if ((rc = only(a, "cert", 0, 0, 0, 0, 0, 0, 0)))
		return rc;
	if (a->npos != 1)
		return usage("cert takes no argument ('%s')", a->pos[1]);
	if (!a->out)
		return usage("cert needs --out FILE%s", "");
	if ((rc = tls_cert_make(a->out, pin, why, sizeof why)) < 0) {
		fprintf(stderr, "dutydeskd: %s\n", why);
		return tls_exit(rc, 1);
	}
	printf("%s\n", pin);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "dutydeskd: cannot print the pin\n");
		return EXIT_ENV;
	}
	fprintf(stderr, "dutydeskd: key and certificate written to %s; give "
		"the stations the pin above (dutydesk link --pin PIN)\n", a->out);
	return EXIT_OK;
}

/* pin FILE: the pin of a certificate file, again. */
static int
cmd_pin(const struct args *a)
{
	char pin[TLS_PIN_SIZE], why[600];
	int rc;

	if ((rc = only(a, "pin", 0, 0, 0, 0, 0, 0, 0)))
		return rc;
	if (a->npos != 2)
		return usage("pin needs one certificate file%s", "");
	if ((rc = tls_cert_pin(a->pos[1], pin, why, sizeof why)) < 0) {
		fprintf(stderr, "dutydeskd: %s\n", why);
		return tls_exit(rc, 0);
	}
	printf("%s\n", pin);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "dutydeskd: cannot print the pin\n");
		return EXIT_ENV;
	}
	return EXIT_OK;
}

/* The database of a's realm (--realm, live by default), opened read
 * only: the server may be running on it. 0 with *db, or the exit code
 * once the reason is said (*db is closed then). */
static int
open_realm(const struct args *a, const char *what, struct db **db)
{
	const char *realm = a->realm ? a->realm : "live";
	struct station_info si;
	char path[4096];
	int rc;

	*db = NULL;
	if (!a->db)
		return usage("%s needs --db FILE", what);
	if (!realm_name_ok(realm))
		return usage("--realm '%s': live, or drill- and 1 to 33 of a-z, "
			     "0-9 and -", realm);
	if (server_realm_path(a->db, realm, path, sizeof path))
		return usage("--db '%s': path too long", a->db);
	if ((rc = db_open(path, DB_RDONLY, db))) {
		if (*db_errmsg(*db))
			fprintf(stderr, "dutydeskd: %s\n", db_errmsg(*db));
		else
			fprintf(stderr, "dutydeskd: cannot open %s: %s\n", path,
				dd_strerror(rc));
		db_close(db);
		return EXIT_ENV;
	}
	if ((rc = station_identity(*db, &si))) {
		fprintf(stderr, "dutydeskd: %s: %s\n", path, db_why(*db, rc));
		db_close(db);
		return EXIT_ENV;
	}
	if (strcmp(si.realm, realm) != 0) {
		fprintf(stderr, "dutydeskd: %s holds realm '%s', not '%s'\n", path,
			si.realm, realm);
		db_close(db);
		return EXIT_ENV;
	}
	return 0;
}

/* How long export waits for a running server's state to hold its log. */
#define EXPORT_WAIT_MS 10000

static int
cmd_export(const struct args *a)
{
	const char *realm = a->realm ? a->realm : "live";
	struct db *db = NULL;
	char *s = NULL, path[4096], why[4400];
	cJSON *x = NULL;
	int64_t behind = 0;
	int rc, held, ex = EXIT_OK, lockfd = -1;

	if ((rc = only(a, "export", 0, 1, 0, 0, 0, 1, 1)))
		return rc;
	if (a->npos != 1)
		return usage("export takes no argument ('%s')", a->pos[1]);
	if (!a->json)
		return usage("export needs --db FILE and --json%s", "");
	if ((ex = open_realm(a, "export", &db)))
		return ex;
	/* The state is a projection of the log. A running server (it holds
	 * the realm's lock) brings it up to the log: export waits for it.
	 * With none, export brings it up itself, if it is behind (a copy on
	 * a disk it cannot write is exported as it is when it is not). */
	server_realm_path(a->db, realm, path, sizeof path);
	held = server_realm_lock(path, realm, &lockfd, why, sizeof why);
	rc = state_export_server(db, held == DD_E_REFUSED ? EXPORT_WAIT_MS : 0,
				 &x, &behind);
	if (rc == DD_E_DB_BUSY && lockfd >= 0) {
		/* Behind, and no server to bring it up: done here, on a
		 * connection that writes (while the lock keeps a server out). */
		db_close(&db);
		if ((rc = db_open(path, 0, &db)) ||
		    (rc = replica_project_all(db))) {
			fprintf(stderr, "dutydeskd: %s: cannot bring the state up to "
				"the log: %s\n", path, db_why(db, rc));
			ex = EXIT_ENV;
			goto out;
		}
		rc = state_export_server(db, 0, &x, &behind);
	}
	if (rc) {
		if (rc == DD_E_DB_BUSY && held == DD_E_REFUSED)
			fprintf(stderr, "dutydeskd: the running server's state is "
				"still %lld operations behind its log after %d s; try "
				"again (dutydeskd status shows how far it is)\n",
				(long long)behind, EXPORT_WAIT_MS / 1000);
		else if (rc == DD_E_DB_BUSY)
			fprintf(stderr, "dutydeskd: the state is %lld operations "
				"behind the log, and it cannot be brought up: %s\n",
				(long long)behind, why);
		else
			fprintf(stderr, "dutydeskd: %s\n", db_why(db, rc));
		ex = EXIT_ENV;
		goto out;
	}
	if (!(s = cJSON_Print(x))) {
		fprintf(stderr, "dutydeskd: out of memory\n");
		ex = EXIT_ENV;
		goto out;
	}
	fputs(s, stdout);
	fputc('\n', stdout);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "dutydeskd: cannot write the export\n");
		ex = EXIT_ENV;
	}
out:
	free(s);
	cJSON_Delete(x);
	db_close(&db);
	server_realm_unlock(&lockfd);
	return ex;
}

/* realm list: what one line says of a realm. */
struct listing {
	const char *db;
	int bad;        /* a realm could not be read */
};

/* One realm's line: its name, the bytes of its database and write-ahead
 * log, the operations it holds (its head), and whether a running server
 * has it open ("-" for live, which is always open while one runs). */
static int
list_one(const char *realm, void *ctx)
{
	struct listing *ls = ctx;
	struct station_info si;
	struct stat st, wst;
	struct db *db = NULL;
	char path[4096], wal[4200], ops[24] = "?";
	const char *state;
	int64_t head = 0;
	int held, rc;

	if (server_realm_path(ls->db, realm, path, sizeof path) ||
	    stat(path, &st) != 0) {
		fprintf(stderr, "dutydeskd: realm %s: cannot read its database "
			"beside %s\n", realm, ls->db);
		ls->bad = 1;
		return 0;
	}
	snprintf(wal, sizeof wal, "%s-wal", path);
	if (stat(wal, &wst) == 0)
		st.st_size += wst.st_size;
	/* Read only, as export: the server may be running on it. */
	if ((rc = db_open(path, DB_RDONLY, &db)) == 0 &&
	    (rc = station_identity(db, &si)) == 0 &&
	    (rc = replica_head(db, &head)) == 0 && strcmp(si.realm, realm) == 0)
		snprintf(ops, sizeof ops, "%" PRId64, head);
	else if (rc == 0)
		fprintf(stderr, "dutydeskd: %s holds realm '%s', not '%s'\n",
			path, si.realm, realm);
	else
		fprintf(stderr, "dutydeskd: %s: %s\n", path, db_why(db, rc));
	ls->bad |= ops[0] == '?';
	db_close(&db);
	held = server_realm_held(path);
	state = held == 1 ? "open" : held == 0 ? "closed" : "?";
	printf("%s %lld %s %s\n", realm, (long long)st.st_size, ops, state);
	return 0;
}

/* realm list, realm remove REALM: the realm databases beside the live
 * one, for an administrator to see what drills left and clear them. */
static int
cmd_realm(const struct args *a)
{
	struct listing ls = { a->db, 0 };
	char why[600];
	int rc;

	if ((rc = only(a, "realm", 0, 1, 0, 0, 0, 0, 0)))
		return rc;
	if (!a->db)
		return usage("realm needs --db FILE%s", "");
	if (a->npos == 3 && strcmp(a->pos[1], "remove") == 0) {
		rc = server_realm_remove(a->db, a->pos[2], why, sizeof why);
		if (rc == DD_E_INVALID)
			return usage("realm remove '%s': a drill's realm is drill- "
				     "and 1 to 33 of a-z, 0-9 and -", a->pos[2]);
		if (rc) {
			fprintf(stderr, "dutydeskd: %s\n", why);
			return rc == DD_E_REFUSED ? EXIT_REFUSED : EXIT_ENV;
		}
		fprintf(stderr, "dutydeskd: realm %s removed from beside %s\n",
			a->pos[2], a->db);
		return EXIT_OK;
	}
	if (a->npos != 2 || strcmp(a->pos[1], "list") != 0)
		return usage("realm takes list, or remove REALM%s", "");
	if (access(a->db, F_OK) != 0) {
		fprintf(stderr, "dutydeskd: %s: no server database there (%s)\n",
			a->db, strerror(errno));
		return EXIT_ENV;
	}
	list_one("live", &ls);
	if ((rc = server_realm_each(a->db, list_one, &ls)) < 0) {
		fprintf(stderr, "dutydeskd: cannot list the directory of %s: %s\n",
			a->db, strerror(errno));
		return EXIT_ENV;
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "dutydeskd: cannot write the list\n");
		return EXIT_ENV;
	}
	return ls.bad ? EXIT_ENV : EXIT_OK;
}

/* log: one operation of the log, as it is printed. */
struct logging {
	const char *station;    /* only this station's, or NULL */
	int json, n;            /* --json, rows printed */
	int64_t last;           /* the last server sequence read */
};

static int
log_one(const struct op *op, int64_t sseq, void *ctx)
{
	struct logging *lg = ctx;

	lg->last = sseq;
	if (lg->station && strcmp(op->station, lg->station) != 0)
		return 0;
	if (!lg->json) {
		printf("%" PRId64 "\t%s\t%s\t%" PRId64 "\t%s\t%s\n", sseq,
		       op->station, op->incarnation, op->seq, op->kind,
		       op->entity);
	} else {
		cJSON *o = cJSON_CreateObject();
		char *s;
		if (!o)
			return DD_E_NOMEM;
		/* 64-bit values as the wire carries them: digit strings. */
		msg_add_i64(o, "sseq", sseq);
		cJSON_AddStringToObject(o, "station", op->station);
		cJSON_AddStringToObject(o, "incarnation", op->incarnation);
		msg_add_i64(o, "seq", op->seq);
		cJSON_AddStringToObject(o, "kind", op->kind);
		cJSON_AddStringToObject(o, "entity", op->entity);
		s = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		if (!s)
			return DD_E_NOMEM;
		printf("%s%s\n", lg->n ? "," : "", s);
		free(s);
	}
	lg->n++;
	return 0;
}

/* The operations a realm's log holds, in server order, for audit: who
 * (station, incarnation, seq), when in the server's order, what kind and
 * which record. Read in batches, so a long log never sits in memory. */
static int
cmd_log(const struct args *a)
{
	struct logging lg = { a->station, a->json, 0, 0 };
	struct db *db = NULL;
	int64_t before;
	int rc, ex;

	if ((rc = only(a, "log", 0, 1, 0, 0, 0, 1, 1)))
		return rc;
	if (a->npos != 1)
		return usage("log takes no argument ('%s')", a->pos[1]);
	if (a->station && (!station_code_ok(a->station) &&
			   strcmp(a->station, "drill") != 0 &&
			   strcmp(a->station, "seed") != 0))
		return usage("--station '%s' is no station's code", a->station);
	if ((ex = open_realm(a, "log", &db)))
		return ex;
	if (lg.json)
		fputs("[\n", stdout);
	do {
		before = lg.last;
		rc = replica_each_after(db, lg.last, SYNC_BATCH, log_one, &lg);
	} while (rc == 0 && lg.last > before);
	if (lg.json)
		fputs("]\n", stdout);
	if (rc) {
		fprintf(stderr, "dutydeskd: cannot read the log: %s\n",
			db_why(db, rc));
		ex = EXIT_ENV;
	} else if (fflush(stdout) != 0) {
		fprintf(stderr, "dutydeskd: cannot write the log\n");
		ex = EXIT_ENV;
	}
	db_close(&db);
	return ex;
}

/* An online copy of a realm's database, consistent as of one moment,
 * while the server goes on; an existing file is never overwritten. */
static int
cmd_backup(const struct args *a)
{
	struct db *db = NULL;
	int rc, ex;

	if ((rc = only(a, "backup", 0, 1, 0, 0, 0, 1, 0)))
		return rc;
	if (a->npos != 2)
		return usage("backup needs the file to write%s", "");
	if (access(a->pos[1], F_OK) == 0) {
		fprintf(stderr, "dutydeskd: %s exists; a backup never overwrites "
			"a file\n", a->pos[1]);
		return EXIT_REFUSED;
	}
	if ((ex = open_realm(a, "backup", &db)))
		return ex;
	if ((rc = db_backup(db, a->pos[1]))) {
		fprintf(stderr, "dutydeskd: %s\n", db_why(db, rc));
		ex = rc == DD_E_DISK_FULL ? EXIT_DISK : EXIT_ENV;
	} else {
		fprintf(stderr, "dutydeskd: %s written\n", a->pos[1]);
	}
	db_close(&db);
	return ex;
}

/* What the administrator wants to see of a running (or stopped)
 * server: its realms, its stations, its projection and log. */
static int
cmd_status(const struct args *a)
{
	int rc;

	if ((rc = only(a, "status", 0, 1, 0, 0, 0, 0, 1)))
		return rc;
	if (a->npos != 1)
		return usage("status takes no argument ('%s')", a->pos[1]);
	if (!a->db)
		return usage("status needs --db FILE%s", "");
	return server_view(a->db, a->json);
}

/* A timeout option: whole seconds from 1 to max, into milliseconds.
 * 0, or a usage error that says what is wanted. */
static int
parse_timeout(const char *name, const char *s, int max, int *ms)
{
	char msg[160], *end;
	long n;

	if (!s)
		return 0;
	n = strtol(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || n < 1 || n > max) {
		snprintf(msg, sizeof msg, "%s '%%s': whole seconds from 1 to %d",
			 name, max);
		return usage(msg, s);
	}
	*ms = (int)n * 1000;
	return 0;
}

/* What the listeners speak: TLS with --cert (and the keys of a
 * rotation), a plain listener beside it with --listen-insecure; plain
 * alone with --insecure. */
static int
tls_opts(const struct args *a, struct server_opts *o)
{
	if (a->cert && a->insecure)
		return usage("--cert and --insecure do not go together%s", "");
	/* The secure way is the default: plain frames only when asked. */
	if (!a->cert && !a->insecure)
		return usage("serving needs --cert FILE (dutydeskd cert --out FILE "
			     "makes one), or --insecure to run without TLS%s", "");
	if (!a->cert && (a->cert_next || a->cert_prev || a->listen_insecure))
		return usage("%s goes with --cert", a->cert_next ? "--cert-next"
			     : a->cert_prev ? "--cert-previous"
			     : "--listen-insecure");
	o->cert = a->cert;
	o->cert_next = a->cert_next;
	o->cert_prev = a->cert_prev;
	o->listen_insecure = a->listen_insecure;
	o->insecure = !a->cert;
	return 0;
}

static int
cmd_serve(const struct args *a)
{
	struct server_opts o;
	char why[600], *end;
	long n;
	int level, rc;

	if ((rc = only(a, "serving", 1, 1, 1, 1, 0, 0, 0)))
		return rc;
	if (!a->listen || !a->db || !a->keys)
		return usage("serving needs --listen, --db and --keys%s", "");
	memset(&o, 0, sizeof o);
	o.listen = a->listen;
	o.db = a->db;
	o.keys = a->keys;
	o.max_conn = SERVER_MAX_CONN;
	o.max_realms = SERVER_MAX_DRILLS;
	if (a->log_level) {
		if ((level = server_log_parse(a->log_level)) < 0)
			return usage("--log-level is debug, info, warn or error, not "
				     "'%s'", a->log_level);
		server_log_level(level);
	}
	if (a->max_conn) {
		n = strtol(a->max_conn, &end, 10);
		if (!*a->max_conn || *end || n < 1 || n > 1000000)
			return usage("--max-conn '%s': a number from 1 to 1000000",
				     a->max_conn);
		o.max_conn = (int)n;
	}
	if (a->max_realms) {
		n = strtol(a->max_realms, &end, 10);
		if (*a->max_realms < '0' || *a->max_realms > '9' || *end || n < 0 ||
		    n > 1000)
			return usage("--max-realms '%s': a number from 0 to 1000",
				     a->max_realms);
		o.max_realms = (int)n;
	}
	if ((rc = parse_timeout("--handshake-timeout", a->handshake,
				SERVER_HANDSHAKE_MAX_S, &o.handshake_ms)) ||
	    (rc = parse_timeout("--idle-timeout", a->idle, SERVER_IDLE_MAX_S,
				&o.idle_ms)))
		return rc;
	if ((rc = tls_opts(a, &o)))
		return rc;
	/* A keys file others can read is a key others may have: refuse. */
	if (keys_check(a->keys, why, sizeof why)) {
		fprintf(stderr, "dutydeskd: %s\n", why);
		return EXIT_ENV;
	}
	/* A peer that closes while we write must not kill the server. */
	signal(SIGPIPE, SIG_IGN);
	if (sodium_init() < 0) {
		fprintf(stderr, "dutydeskd: no source of randomness\n");
		return EXIT_ENV;
	}
	return server_run(&o);
}

int
main(int argc, char **argv)
{
	struct args a;
	int rc;

	if ((rc = parse(argc, argv, &a)))
		return rc;
	if (a.help) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	if (a.version) {
		printf("dutydeskd %s (protocol %d)\n", DD_VERSION, SYNC_VERSION);
		return EXIT_OK;
	}
	if (a.npos == 0)
		return cmd_serve(&a);
	if (strcmp(a.pos[0], "keygen") == 0)
		return cmd_keygen(&a);
	if (strcmp(a.pos[0], "cert") == 0)
		return cmd_cert(&a);
	if (strcmp(a.pos[0], "pin") == 0)
		return cmd_pin(&a);
	if (strcmp(a.pos[0], "export") == 0)
		return cmd_export(&a);
	if (strcmp(a.pos[0], "realm") == 0)
		return cmd_realm(&a);
	if (strcmp(a.pos[0], "log") == 0)
		return cmd_log(&a);
	if (strcmp(a.pos[0], "backup") == 0)
		return cmd_backup(&a);
	if (strcmp(a.pos[0], "status") == 0)
		return cmd_status(&a);
	return usage("unknown command '%s'", a.pos[0]);
}
