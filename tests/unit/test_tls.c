/*
 * test_tls.c - the sync link's TLS (sync/tls.c) without a socket: the
 * server's key file (made new with mode 0600, its pin, the pin read
 * again), sessions of a station and a server shuttling their bytes in
 * memory (whole, or a byte at a time), the channel binding both ends
 * share, the pin a station refuses, the key a station names among the
 * three a server may hold, the clients refused (TLS 1.2 only, no ALPN),
 * bytes that are not TLS, a key file others can read; and what a
 * session holds once its handshake is done.
 */
#include "testlib.h"

#include <sys/stat.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "sync/tls.h"

/* ---- what OpenSSL holds, counted (main installs it first) ---- */

static size_t mem_live;
static int mem_counted;

/* Each block carries its size in front, 16 bytes to keep alignment. */
static void *
mem_malloc(size_t n, const char *file, int line)
{
	unsigned char *p = malloc(n + 16);

	(void)file;
	(void)line;
	if (!p)
		return NULL;
	memcpy(p, &n, sizeof n);
	mem_live += n;
	return p + 16;
}

static void
mem_free(void *q, const char *file, int line)
{
	unsigned char *p;
	size_t n;

	(void)file;
	(void)line;
	if (!q)
		return;
	p = (unsigned char *)q - 16;
	memcpy(&n, p, sizeof n);
	mem_live -= n;
	free(p);
}

static void *
mem_realloc(void *q, size_t n, const char *file, int line)
{
	unsigned char *p;
	size_t old;

	if (!q)
		return mem_malloc(n, file, line);
	if (n == 0) {
		mem_free(q, file, line);
		return NULL;
	}
	p = (unsigned char *)q - 16;
	memcpy(&old, p, sizeof old);
	if (!(p = realloc(p, n + 16)))
		return NULL;
	memcpy(p, &n, sizeof n);
	mem_live = mem_live - old + n;
	return p + 16;
}

/* ---- keys ---- */

/* A new key file name in the test directory (removed first) with its
 * pin. */
static const char *
tkey(const char *name, char pin[TLS_PIN_SIZE])
{
	char why[300];
	const char *p = tpath(name);
	int rc;

	unlink(p);
	rc = tls_cert_make(p, pin, why, sizeof why);
	if (rc)
		fail_msg("tls_cert_make %s: %s", p, why);
	return p;
}

/* A whole file as a string (caller frees). */
static char *
tslurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* ---- two ends in memory ---- */

/* One end: its session and the plaintext it has read, and how its
 * last read ended (0, 1 closed, negative failed). */
struct end {
	struct tls_conn *c;
	unsigned char *got;
	size_t len, cap;
	int rc;
};

static void
end_free(struct end *e)
{
	tls_conn_free(&e->c);
	free(e->got);
	memset(e, 0, sizeof *e);
}

/* Read all the plaintext e can give now. */
static void
end_read(struct end *e)
{
	unsigned char buf[16384];
	size_t n;
	int rc;

	if (e->rc)
		return;
	do {
		rc = tls_read(e->c, buf, sizeof buf, &n);
		if (n) {
			if (e->len + n > e->cap) {
				e->cap = (e->len + n) * 2;
				e->got = realloc(e->got, e->cap);
				assert_non_null(e->got);
			}
			memcpy(e->got + e->len, buf, n);
			e->len += n;
		}
	} while (rc == 0 && n > 0);
	e->rc = rc;
}

/* Move what from has to send into to, step bytes at a time (0: as it
 * comes), to reading after each; returns the bytes moved. */
static size_t
end_move(struct end *from, struct end *to, size_t step)
{
	unsigned char buf[65536];
	size_t moved = 0, n, want;

	while (tls_out_pending(from->c) > 0) {
		want = step && step < sizeof buf ? step : sizeof buf;
		n = tls_out_take(from->c, buf, want);
		assert_true(n > 0);
		moved += n;
		if (tls_feed(to->c, buf, n) == 0)
			end_read(to);
	}
	return moved;
}

/* Run a station and a server until neither has anything to say. */
static void
trun(struct end *cli, struct end *srv, size_t step)
{
	end_read(cli); /* the station's first read makes its ClientHello */
	end_read(srv);
	while (end_move(cli, srv, step) + end_move(srv, cli, step) > 0)
		;
}

static struct tls_ctx *
tserver(const char *cur, const char *next, const char *prev)
{
	struct tls_ctx *ctx = NULL;
	char why[300];
	int rc = tls_server_ctx(&ctx, cur, next, prev, why, sizeof why);

	if (rc)
		fail_msg("tls_server_ctx: %s", why);
	return ctx;
}

static struct tls_ctx *
tclient(void)
{
	struct tls_ctx *ctx = NULL;
	char why[300];

	assert_int_equal(tls_client_ctx(&ctx, why, sizeof why), 0);
	return ctx;
}

/* A station expecting pin and a server of sctx, shuttled to the end. */
static void
tpair(struct tls_ctx *cctx, struct tls_ctx *sctx, const char *pin,
      struct end *cli, struct end *srv, size_t step)
{
	memset(cli, 0, sizeof *cli);
	memset(srv, 0, sizeof *srv);
	assert_non_null(cli->c = tls_conn_new(cctx, 0, pin));
	assert_non_null(srv->c = tls_conn_new(sctx, 1, NULL));
	trun(cli, srv, step);
}

/* Send n bytes one way and check they all arrive, as they were. */
static void
tsend(struct end *from, struct end *to, const unsigned char *data, size_t n)
{
	size_t before = to->len;

	assert_int_equal(tls_write(from->c, data, n), 0);
	while (end_move(from, to, 0) > 0)
		;
	assert_int_equal(to->rc, 0);
	assert_int_equal(to->len - before, n);
	assert_memory_equal(to->got + before, data, n);
}

/* ---- the server's key ---- */

static void
key_file_and_pin(void **state)
{
	char pin[TLS_PIN_SIZE], again[TLS_PIN_SIZE], other[TLS_PIN_SIZE];
	char why[300], *before, *after;
	const char *p;
	struct stat st;
	struct tm tm;
	mode_t mask;
	X509 *x;
	FILE *f;
	(void)state;

	/* The pin's form. */
	assert_false(tls_pin_ok(NULL));
	assert_false(tls_pin_ok(""));
	assert_false(tls_pin_ok("sha256:"));
	assert_true(tls_pin_ok("sha256:0123456789abcdef0123456789abcdef"
			       "0123456789abcdef0123456789abcdef"));
	assert_false(tls_pin_ok("sha256:0123456789ABCDEF0123456789abcdef"
				"0123456789abcdef0123456789abcdef"));
	assert_false(tls_pin_ok("sha256:0123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcde"));
	assert_false(tls_pin_ok("sha256:0123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcdef0"));
	assert_false(tls_pin_ok("sha512:0123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcdef"));
	assert_false(tls_pin_ok("sha256:0123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcdeg"));

	/* The first byte of a peer: TLS, plain, neither. */
	assert_int_equal(tls_sniff(0x16), 1);
	assert_int_equal(tls_sniff('{'), 0);
	assert_int_equal(tls_sniff('G'), -1);
	assert_int_equal(tls_sniff(0), -1);

	/* Made new, mode 0600 even under a lax umask. */
	mask = umask(0);
	p = tkey("server.pem", pin);
	umask(mask);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_true(tls_pin_ok(pin));
	assert_int_equal(tls_cert_pin(p, again, why, sizeof why), 0);
	assert_string_equal(again, pin);

	/* An existing file is refused and left as it was. */
	before = tslurp(p);
	assert_int_equal(tls_cert_make(p, other, why, sizeof why),
			 TLS_E_REFUSED);
	assert_non_null(strstr(why, "exists"));
	after = tslurp(p);
	assert_string_equal(before, after);
	free(before);
	free(after);
	assert_int_equal(tls_cert_pin(p, again, why, sizeof why), 0);
	assert_string_equal(again, pin);

	/* Another key has another pin; a missing directory is no file. */
	tkey("other.pem", other);
	assert_string_not_equal(other, pin);
	assert_int_equal(tls_cert_make(tpath("none/x.pem"), other, why,
				       sizeof why), TLS_E_IO);
	assert_int_equal(tls_cert_pin(tpath("none.pem"), other, why,
				      sizeof why), TLS_E_IO);

	/* What the certificate says: CN dutydeskd, self-signed, P-256,
	 * valid to 9999-12-31T23:59:59Z, a positive serial. */
	assert_non_null(f = fopen(p, "r"));
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	{
		char cn[64] = "";
		char group[64] = "";
		EVP_PKEY *pk = X509_get0_pubkey(x);
		const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
		BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
		size_t gl = 0;

		X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName,
					  cn, sizeof cn);
		assert_string_equal(cn, "dutydeskd");
		assert_int_equal(X509_NAME_cmp(X509_get_subject_name(x),
					       X509_get_issuer_name(x)), 0);
		assert_int_equal(X509_verify(x, pk), 1);
		assert_int_equal(X509_get_version(x), X509_VERSION_3);
		assert_int_equal(EVP_PKEY_get_group_name(pk, group, sizeof group,
							 &gl), 1);
		assert_string_equal(group, "prime256v1");
		assert_int_equal(ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm), 1);
		assert_int_equal(tm.tm_year + 1900, 9999);
		assert_int_equal(tm.tm_mon, 11);
		assert_int_equal(tm.tm_mday, 31);
		assert_int_equal(tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec,
				 86399);
		assert_non_null(bn);
		assert_false(BN_is_negative(bn));
		assert_false(BN_is_zero(bn));
		BN_free(bn);
	}
	X509_free(x);

	/* The pin is what openssl's own tools make of the key, where they
	 * are installed. */
	if (system("command -v openssl >/dev/null 2>&1 && "
		   "command -v sha256sum >/dev/null 2>&1") == 0) {
		char cmd[1200], line[200] = "";
		FILE *o;

		snprintf(cmd, sizeof cmd, "openssl x509 -in '%s' -pubkey -noout | "
			 "openssl pkey -pubin -outform DER | sha256sum", p);
		assert_non_null(o = popen(cmd, "r"));
		assert_non_null(fgets(line, sizeof line, o));
		pclose(o);
		assert_memory_equal(line, pin + 7, 64);
	} else {
		print_message("# openssl(1) not installed: pin not cross-checked\n");
	}
}

static void
key_file_readable_by_others_refused(void **state)
{
	char pin[TLS_PIN_SIZE], why[300];
	struct tls_ctx *ctx = NULL;
	const char *cur, *next, *junk;
	FILE *f;
	(void)state;

	cur = tkey("cur.pem", pin);
	next = tkey("next.pem", pin);
	assert_int_equal(chmod(cur, 0640), 0);
	assert_int_equal(tls_server_ctx(&ctx, cur, NULL, NULL, why, sizeof why),
			 TLS_E_REFUSED);
	assert_null(ctx);
	assert_non_null(strstr(why, "chmod 600"));
	assert_int_equal(chmod(cur, 0604), 0);
	assert_int_equal(tls_server_ctx(&ctx, cur, NULL, NULL, why, sizeof why),
			 TLS_E_REFUSED);
	assert_int_equal(chmod(cur, 0600), 0);
	/* The next and previous keys too. */
	assert_int_equal(chmod(next, 0644), 0);
	assert_int_equal(tls_server_ctx(&ctx, cur, next, NULL, why, sizeof why),
			 TLS_E_REFUSED);
	assert_int_equal(tls_server_ctx(&ctx, cur, NULL, next, why, sizeof why),
			 TLS_E_REFUSED);
	assert_int_equal(chmod(next, 0600), 0);
	assert_int_equal(tls_server_ctx(&ctx, cur, next, next, why, sizeof why), 0);
	assert_string_equal(tls_ctx_pin(ctx, 1), pin);
	assert_null(tls_ctx_pin(ctx, 3));
	tls_ctx_free(&ctx);
	assert_null(ctx);

	/* Not a key file; no file; a certificate without its key. */
	junk = tpath("junk.pem");
	assert_non_null(f = fopen(junk, "w"));
	fputs("not a key\n", f);
	fclose(f);
	assert_int_equal(chmod(junk, 0600), 0);
	assert_int_equal(tls_server_ctx(&ctx, junk, NULL, NULL, why, sizeof why),
			 TLS_E_INVALID);
	assert_int_equal(tls_server_ctx(&ctx, tpath("absent.pem"), NULL, NULL,
					why, sizeof why), TLS_E_IO);
	{
		char cmd[1200];
		snprintf(cmd, sizeof cmd, "sed -n '/BEGIN CERT/,$p' '%s' > '%s'",
			 cur, junk);
		assert_int_equal(system(cmd), 0);
	}
	assert_int_equal(tls_server_ctx(&ctx, junk, NULL, NULL, why, sizeof why),
			 TLS_E_INVALID);
	assert_non_null(strstr(why, "no private key"));
	/* ...whose pin is still the key's. */
	{
		char again[TLS_PIN_SIZE];
		assert_int_equal(tls_cert_pin(junk, again, why, sizeof why), 0);
		assert_int_equal(tls_cert_pin(cur, pin, why, sizeof why), 0);
		assert_string_equal(again, pin);
	}
	assert_null(ctx);
}

/* ---- sessions ---- */

static void
sessions_refuse_misuse(void **state)
{
	char pin[TLS_PIN_SIZE];
	struct tls_ctx *sctx, *cctx;
	struct tls_conn *c;
	unsigned char x[TLS_EXPORTER_BYTES];
	(void)state;

	sctx = tserver(tkey("s.pem", pin), NULL, NULL);
	cctx = tclient();
	/* A station needs a well-formed pin; each context is of one end. */
	assert_null(tls_conn_new(cctx, 0, NULL));
	assert_null(tls_conn_new(cctx, 0, "sha256:abc"));
	assert_null(tls_conn_new(cctx, 1, NULL));
	assert_null(tls_conn_new(sctx, 0, pin));
	/* Nothing is written or exported before the handshake. */
	assert_non_null(c = tls_conn_new(cctx, 0, pin));
	assert_int_equal(tls_write(c, "x", 1), TLS_E_INVALID);
	assert_int_equal(tls_exporter(c, x), TLS_E_INVALID);
	assert_int_equal(tls_handshake_done(c), 0);
	assert_string_equal(tls_error(c), "");
	tls_conn_free(&c);
	assert_null(c);
	tls_conn_free(&c); /* twice is harmless */
	assert_string_equal(tls_strerror(TLS_E_REFUSED), "refused");
	assert_string_equal(tls_strerror(TLS_E_NOMEM), "out of memory");
	tls_ctx_free(&sctx);
	tls_ctx_free(&cctx);
}

static void
handshake_binding_and_data(void **state)
{
	char pin[TLS_PIN_SIZE], seen[TLS_PIN_SIZE];
	unsigned char xa[TLS_EXPORTER_BYTES], xb[TLS_EXPORTER_BYTES];
	unsigned char xc[TLS_EXPORTER_BYTES], zero[TLS_EXPORTER_BYTES] = { 0 };
	struct tls_ctx *sctx, *cctx;
	struct end cli, srv, cli2, srv2;
	unsigned char *big;
	size_t i, n = 1 << 20;
	(void)state;

	sctx = tserver(tkey("s.pem", pin), NULL, NULL);
	cctx = tclient();
	tpair(cctx, sctx, pin, &cli, &srv, 0);
	if (cli.rc || srv.rc)
		fail_msg("station: %s; server: %s", tls_error(cli.c),
			 tls_error(srv.c));
	assert_true(tls_handshake_done(cli.c));
	assert_true(tls_handshake_done(srv.c));
	assert_int_equal(tls_server_pin(cli.c, seen), 0);
	assert_string_equal(seen, pin);
	assert_int_equal(tls_server_pin(srv.c, seen), 0);
	assert_string_equal(seen, pin);

	/* Both ends bind the same 32 bytes; another session others. */
	assert_int_equal(tls_exporter(cli.c, xa), 0);
	assert_int_equal(tls_exporter(srv.c, xb), 0);
	assert_memory_equal(xa, xb, TLS_EXPORTER_BYTES);
	assert_memory_not_equal(xa, zero, TLS_EXPORTER_BYTES);
	tpair(cctx, sctx, pin, &cli2, &srv2, 0);
	assert_int_equal(tls_exporter(cli2.c, xc), 0);
	assert_memory_not_equal(xa, xc, TLS_EXPORTER_BYTES);
	end_free(&cli2);
	end_free(&srv2);

	/* Plaintext both ways, small and 1 MiB. */
	tsend(&cli, &srv, (const unsigned char *)"{\"type\":\"hello\"}\n", 17);
	tsend(&srv, &cli, (const unsigned char *)"{\"type\":\"challenge\"}\n", 21);
	assert_non_null(big = malloc(n));
	for (i = 0; i < n; i++)
		big[i] = (unsigned char)(i * 2654435761u >> 13);
	tsend(&cli, &srv, big, n);
	tsend(&srv, &cli, big, n);
	free(big);

	/* close_notify: the peer's read says the session ended. */
	assert_int_equal(tls_shutdown(cli.c), 0);
	assert_true(tls_out_pending(cli.c) > 0);
	end_move(&cli, &srv, 0);
	assert_int_equal(srv.rc, 1);
	assert_string_equal(tls_error(srv.c), "");
	end_free(&cli);
	end_free(&srv);
	tls_ctx_free(&sctx);
	tls_ctx_free(&cctx);
}

static void
handshake_a_byte_at_a_time(void **state)
{
	char pin[TLS_PIN_SIZE];
	unsigned char xa[TLS_EXPORTER_BYTES], xb[TLS_EXPORTER_BYTES];
	struct tls_ctx *sctx, *cctx;
	struct end cli, srv;
	(void)state;

	sctx = tserver(tkey("s.pem", pin), NULL, NULL);
	cctx = tclient();
	tpair(cctx, sctx, pin, &cli, &srv, 1);
	if (cli.rc || srv.rc)
		fail_msg("station: %s; server: %s", tls_error(cli.c),
			 tls_error(srv.c));
	assert_true(tls_handshake_done(cli.c));
	assert_true(tls_handshake_done(srv.c));
	assert_int_equal(tls_exporter(cli.c, xa), 0);
	assert_int_equal(tls_exporter(srv.c, xb), 0);
	assert_memory_equal(xa, xb, TLS_EXPORTER_BYTES);
	assert_int_equal(tls_write(cli.c, "ping\n", 5), 0);
	end_move(&cli, &srv, 1);
	assert_int_equal(srv.len, 5);
	assert_memory_equal(srv.got, "ping\n", 5);
	end_free(&cli);
	end_free(&srv);
	tls_ctx_free(&sctx);
	tls_ctx_free(&cctx);
}

static void
wrong_pin_refused_by_the_station(void **state)
{
	char pin[TLS_PIN_SIZE], other[TLS_PIN_SIZE], seen[TLS_PIN_SIZE];
	struct tls_ctx *sctx, *cctx;
	struct end cli, srv;
	(void)state;

	sctx = tserver(tkey("s.pem", pin), NULL, NULL);
	tkey("o.pem", other);
	cctx = tclient();
	tpair(cctx, sctx, other, &cli, &srv, 0);
	assert_int_equal(cli.rc, TLS_E_REFUSED);
	assert_false(tls_handshake_done(cli.c));
	assert_false(tls_handshake_done(srv.c));
	print_message("# station: %s\n", tls_error(cli.c));
	assert_non_null(strstr(tls_error(cli.c), pin));
	assert_non_null(strstr(tls_error(cli.c), other));
	/* The station knows what it was shown; the server hears why. */
	assert_int_equal(tls_server_pin(cli.c, seen), 0);
	assert_string_equal(seen, pin);
	assert_int_equal(srv.rc, TLS_E_PROTO);
	print_message("# server: %s\n", tls_error(srv.c));
	assert_non_null(strstr(tls_error(srv.c), "alert"));
	/* A failed session stays failed. */
	assert_int_equal(tls_feed(cli.c, "x", 1), TLS_E_REFUSED);
	assert_int_equal(tls_write(cli.c, "x", 1), TLS_E_REFUSED);
	end_free(&cli);
	end_free(&srv);
	tls_ctx_free(&sctx);
	tls_ctx_free(&cctx);
}

static void
server_presents_the_key_named(void **state)
{
	char cur[TLS_PIN_SIZE], next[TLS_PIN_SIZE], prev[TLS_PIN_SIZE];
	char unknown[TLS_PIN_SIZE], seen[TLS_PIN_SIZE];
	const char *fc, *fn, *fp;
	struct tls_ctx *sctx, *cctx;
	struct end cli, srv;
	(void)state;

	fc = tkey("cur.pem", cur);
	fn = tkey("next.pem", next);
	fp = tkey("prev.pem", prev);
	tkey("unknown.pem", unknown);
	sctx = tserver(fc, fn, fp);
	cctx = tclient();
	assert_string_equal(tls_ctx_pin(sctx, 0), cur);
	assert_string_equal(tls_ctx_pin(sctx, 1), next);
	assert_string_equal(tls_ctx_pin(sctx, 2), prev);

	/* Each of the three keys held, when named. */
	{
		const char *want[3] = { cur, next, prev };
		int i;

		for (i = 0; i < 3; i++) {
			tpair(cctx, sctx, want[i], &cli, &srv, 0);
			if (cli.rc || srv.rc)
				fail_msg("key %d: station: %s; server: %s", i,
					 tls_error(cli.c), tls_error(srv.c));
			assert_int_equal(tls_server_pin(cli.c, seen), 0);
			assert_string_equal(seen, want[i]);
			assert_int_equal(tls_server_pin(srv.c, seen), 0);
			assert_string_equal(seen, want[i]);
			end_free(&cli);
			end_free(&srv);
		}
	}

	/* A key it does not hold: the current one, which the station
	 * refuses, naming both. */
	tpair(cctx, sctx, unknown, &cli, &srv, 0);
	assert_true(cli.rc < 0);
	assert_int_equal(tls_server_pin(cli.c, seen), 0);
	assert_string_equal(seen, cur);
	assert_non_null(strstr(tls_error(cli.c), cur));
	assert_non_null(strstr(tls_error(cli.c), unknown));
	end_free(&cli);
	end_free(&srv);

	/* A server with its current key only presents it to anyone. */
	tls_ctx_free(&sctx);
	sctx = tserver(fc, NULL, NULL);
	tpair(cctx, sctx, next, &cli, &srv, 0);
	assert_true(cli.rc < 0);
	assert_int_equal(tls_server_pin(cli.c, seen), 0);
	assert_string_equal(seen, cur);
	end_free(&cli);
	end_free(&srv);
	tls_ctx_free(&sctx);
	tls_ctx_free(&cctx);
}

/* A station that holds the next pin too (announced during a change of
 * key) accepts the server's key of either pin, names only its current
 * one, and a refusal names all three pins. */
static void
station_accepts_its_next_pin(void **state)
{
	char a[TLS_PIN_SIZE], b[TLS_PIN_SIZE], c[TLS_PIN_SIZE];
	char seen[TLS_PIN_SIZE];
	const char *fa, *fb, *fc;
	struct tls_ctx *sctx, *cctx;
	struct end cli, srv;
	(void)state;

	fa = tkey("rot-a.pem", a);
	fb = tkey("rot-b.pem", b);
	fc = tkey("rot-c.pem", c);
	cctx = tclient();

	/* Misuse: a server's session, a malformed pin, too late. */
	sctx = tserver(fb, NULL, NULL);
	memset(&srv, 0, sizeof srv);
	assert_non_null(srv.c = tls_conn_new(sctx, 1, NULL));
	assert_int_equal(tls_conn_also_pin(srv.c, b), TLS_E_INVALID);
	end_free(&srv);
	memset(&cli, 0, sizeof cli);
	assert_non_null(cli.c = tls_conn_new(cctx, 0, a));
	assert_int_equal(tls_conn_also_pin(cli.c, "sha256:abc"), TLS_E_INVALID);
	assert_int_equal(tls_conn_also_pin(cli.c, NULL), 0);
	assert_int_equal(tls_conn_also_pin(cli.c, b), 0);
	end_read(&cli);
	assert_int_equal(tls_conn_also_pin(cli.c, b), TLS_E_INVALID);
	end_free(&cli);

	/* The server moved to B and holds A no more: a station on A with
	 * B next gets B and takes it. */
	memset(&cli, 0, sizeof cli);
	memset(&srv, 0, sizeof srv);
	assert_non_null(cli.c = tls_conn_new(cctx, 0, a));
	assert_int_equal(tls_conn_also_pin(cli.c, b), 0);
	assert_non_null(srv.c = tls_conn_new(sctx, 1, NULL));
	trun(&cli, &srv, 0);
	if (cli.rc || srv.rc)
		fail_msg("station: %s; server: %s", tls_error(cli.c),
			 tls_error(srv.c));
	assert_true(tls_handshake_done(cli.c));
	assert_int_equal(tls_server_pin(cli.c, seen), 0);
	assert_string_equal(seen, b);
	end_free(&cli);
	end_free(&srv);
	tls_ctx_free(&sctx);

	/* A server on C: neither pin; the refusal names A, B and C. */
	sctx = tserver(fc, NULL, NULL);
	memset(&cli, 0, sizeof cli);
	memset(&srv, 0, sizeof srv);
	assert_non_null(cli.c = tls_conn_new(cctx, 0, a));
	assert_int_equal(tls_conn_also_pin(cli.c, b), 0);
	assert_non_null(srv.c = tls_conn_new(sctx, 1, NULL));
	trun(&cli, &srv, 0);
	assert_int_equal(cli.rc, TLS_E_REFUSED);
	assert_false(tls_handshake_done(cli.c));
	assert_non_null(strstr(tls_error(cli.c), a));
	assert_non_null(strstr(tls_error(cli.c), b));
	assert_non_null(strstr(tls_error(cli.c), c));
	end_free(&cli);
	end_free(&srv);
	tls_ctx_free(&sctx);

	/* A server still on A with B next: the station named A and gets A
	 * (it does not move before the server does). */
	sctx = tserver(fa, fb, NULL);
	memset(&cli, 0, sizeof cli);
	memset(&srv, 0, sizeof srv);
	assert_non_null(cli.c = tls_conn_new(cctx, 0, a));
	assert_int_equal(tls_conn_also_pin(cli.c, b), 0);
	assert_non_null(srv.c = tls_conn_new(sctx, 1, NULL));
	trun(&cli, &srv, 0);
	assert_int_equal(cli.rc, 0);
	assert_int_equal(tls_server_pin(cli.c, seen), 0);
	assert_string_equal(seen, a);
	end_free(&cli);
	end_free(&srv);
	tls_ctx_free(&sctx);
	tls_ctx_free(&cctx);
}

/* A client made with OpenSSL directly, as a foreign peer would be:
 * max_version TLS 1.3 or 1.2, with the ALPN list alpn (wire form,
 * NULL: none). It checks nothing of the server. */
static void
foreign_client(struct tls_ctx *sctx, int max_version,
	       const unsigned char *alpn, size_t alpn_len, struct end *srv,
	       int *client_ok)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *s;
	BIO *in, *out;
	unsigned char buf[65536];
	size_t moved;
	int n;

	assert_non_null(ctx);
	SSL_CTX_set_max_proto_version(ctx, max_version);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (alpn)
		assert_int_equal(SSL_CTX_set_alpn_protos(ctx, alpn,
							 (unsigned)alpn_len), 0);
	assert_non_null(s = SSL_new(ctx));
	in = BIO_new(BIO_s_mem());
	out = BIO_new(BIO_s_mem());
	SSL_set_bio(s, in, out);
	SSL_set_connect_state(s);
	memset(srv, 0, sizeof *srv);
	assert_non_null(srv->c = tls_conn_new(sctx, 1, NULL));
	do {
		moved = 0;
		*client_ok = SSL_do_handshake(s) == 1;
		while ((n = BIO_read(out, buf, sizeof buf)) > 0) {
			moved += (size_t)n;
			if (tls_feed(srv->c, buf, (size_t)n) == 0)
				end_read(srv);
		}
		while (tls_out_pending(srv->c) > 0) {
			size_t k = tls_out_take(srv->c, buf, sizeof buf);
			moved += k;
			BIO_write(in, buf, (int)k);
		}
	} while (moved > 0);
	*client_ok = SSL_do_handshake(s) == 1;
	ERR_clear_error();
	SSL_free(s);
	SSL_CTX_free(ctx);
}

static void
foreign_clients_refused(void **state)
{
	static const unsigned char ours[] = "\x0a" "dutydesk/2";
	static const unsigned char http[] = "\x08" "http/1.1";
	char pin[TLS_PIN_SIZE];
	struct tls_ctx *sctx;
	struct end srv;
	int ok;
	(void)state;

	sctx = tserver(tkey("s.pem", pin), NULL, NULL);

	/* The foreign client itself works when it speaks as a station
	 * does: the refusals below are the server's checks. */
	foreign_client(sctx, TLS1_3_VERSION, ours, sizeof ours - 1, &srv, &ok);
	assert_true(ok);
	assert_int_equal(srv.rc, 0);
	assert_true(tls_handshake_done(srv.c));
	end_free(&srv);

	/* TLS 1.2 at most. */
	foreign_client(sctx, TLS1_2_VERSION, ours, sizeof ours - 1, &srv, &ok);
	assert_false(ok);
	assert_int_equal(srv.rc, TLS_E_PROTO);
	assert_false(tls_handshake_done(srv.c));
	print_message("# TLS 1.2 client: %s\n", tls_error(srv.c));
	assert_non_null(strstr(tls_error(srv.c), "protocol"));
	end_free(&srv);

	/* No ALPN at all. */
	foreign_client(sctx, TLS1_3_VERSION, NULL, 0, &srv, &ok);
	assert_false(ok);
	assert_int_equal(srv.rc, TLS_E_REFUSED);
	print_message("# no ALPN: %s\n", tls_error(srv.c));
	assert_non_null(strstr(tls_error(srv.c), "no ALPN"));
	end_free(&srv);

	/* Another protocol's ALPN. */
	foreign_client(sctx, TLS1_3_VERSION, http, sizeof http - 1, &srv, &ok);
	assert_false(ok);
	assert_int_equal(srv.rc, TLS_E_REFUSED);
	print_message("# http/1.1: %s\n", tls_error(srv.c));
	assert_non_null(strstr(tls_error(srv.c), "ALPN"));
	end_free(&srv);
	tls_ctx_free(&sctx);
}

static void
garbage_is_an_error(void **state)
{
	/* Each with its length: the records hold NUL bytes. */
#define J(s) { s, sizeof s - 1 }
	static const struct { const char *s; size_t n; } junk[] = {
		J("GET / HTTP/1.1\r\nHost: county\r\n\r\n"),
		J("{\"type\":\"hello\",\"version\":1}\n"),
		J("\x16\x03\x01\x40\x00\x01\x00\x3f\xfc\x03\x03"), /* a big record */
		J("\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00"),     /* a tiny hello */
		J("\x17\x03\x03\x00\x10xxxxxxxxxxxxxxxx"),           /* data first */
		J("\x16\x03\x01\xff\xff"),                           /* over 16 KiB */
	};
#undef J
	char pin[TLS_PIN_SIZE];
	unsigned char rnd[4096], buf[256];
	struct tls_ctx *sctx;
	struct tls_conn *c;
	size_t i, got;
	int rc;
	(void)state;

	sctx = tserver(tkey("s.pem", pin), NULL, NULL);
	for (i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		assert_non_null(c = tls_conn_new(sctx, 1, NULL));
		assert_int_equal(tls_feed(c, junk[i].s, junk[i].n), 0);
		rc = tls_read(c, buf, sizeof buf, &got);
		/* The big record's start waits for the rest of it. */
		if (i == 2) {
			assert_int_equal(rc, 0);
			tls_conn_free(&c);
			continue;
		}
		assert_int_equal(rc, TLS_E_PROTO);
		assert_int_equal(got, 0);
		assert_true(tls_error(c)[0] != '\0');
		print_message("# junk %zu: %s\n", i, tls_error(c));
		/* Once failed, always failed; the alert can still be sent. */
		assert_true(tls_read(c, buf, sizeof buf, &got) < 0);
		assert_true(tls_feed(c, "x", 1) < 0);
		while (tls_out_pending(c))
			tls_out_take(c, buf, sizeof buf);
		tls_conn_free(&c);
	}
	/* Random bytes, many times, fed in pieces. */
	srand(42);
	for (i = 0; i < 200; i++) {
		size_t k, off = 0;

		for (k = 0; k < sizeof rnd; k++)
			rnd[k] = (unsigned char)rand();
		if (i % 2)
			rnd[0] = 0x16; /* past the record type at least */
		assert_non_null(c = tls_conn_new(sctx, 1, NULL));
		rc = 0;
		while (off < sizeof rnd && rc == 0) {
			k = 1 + (size_t)rand() % 700;
			if (k > sizeof rnd - off)
				k = sizeof rnd - off;
			if (tls_feed(c, rnd + off, k) < 0)
				break;
			off += k;
			do
				rc = tls_read(c, buf, sizeof buf, &got);
			while (rc == 0 && got > 0);
		}
		assert_false(tls_handshake_done(c));
		tls_conn_free(&c);
	}
	tls_ctx_free(&sctx);
}

static void
footprint_after_the_handshake(void **state)
{
	char pin[TLS_PIN_SIZE];
	struct tls_ctx *sctx, *cctx;
	struct end cli, srv;
	unsigned char *big;
	size_t base, both, after_hs, one_srv, after_big, n = 1 << 20;
	struct tls_conn *s;
	(void)state;

	if (!mem_counted) {
		print_message("# OpenSSL's allocations not counted: footprint "
			      "not measured\n");
		skip();
	}
	sctx = tserver(tkey("s.pem", pin), NULL, NULL);
	cctx = tclient();
	base = mem_live;
	memset(&cli, 0, sizeof cli);
	memset(&srv, 0, sizeof srv);
	assert_non_null(cli.c = tls_conn_new(cctx, 0, pin));
	assert_non_null(srv.c = tls_conn_new(sctx, 1, NULL));
	both = mem_live - base;
	trun(&cli, &srv, 0);
	assert_int_equal(srv.rc, 0);
	assert_true(tls_handshake_done(srv.c));
	after_hs = mem_live - base;
	/* The server's session alone: what is left when the station's
	 * is freed. */
	tls_conn_free(&cli.c);
	one_srv = mem_live - base;
	print_message("# two new sessions: %zu bytes; after the handshake: "
		      "%zu; the server's session alone: %zu\n", both, after_hs,
		      one_srv);

	/* After a 1 MiB frame each way, once drained. */
	end_free(&srv);
	end_free(&cli);
	tpair(cctx, sctx, pin, &cli, &srv, 0);
	assert_non_null(big = calloc(1, n));
	tsend(&cli, &srv, big, n);
	tsend(&srv, &cli, big, n);
	free(big);
	free(srv.got);
	srv.got = NULL;
	srv.len = srv.cap = 0;
	s = srv.c;
	srv.c = NULL;
	end_free(&cli);
	after_big = mem_live - base;
	print_message("# the server's session after 1 MiB each way: %zu bytes\n",
		      after_big);
	/* Not a figure, a shape: a burst's buffers are given back once
	 * drained, so an idle session stays near its size after the
	 * handshake instead of keeping a megabyte. */
	assert_true(after_big < 2 * one_srv);
	tls_conn_free(&s);
	tls_ctx_free(&sctx);
	tls_ctx_free(&cctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(key_file_and_pin),
		cmocka_unit_test(key_file_readable_by_others_refused),
		cmocka_unit_test(sessions_refuse_misuse),
		cmocka_unit_test(handshake_binding_and_data),
		cmocka_unit_test(handshake_a_byte_at_a_time),
		cmocka_unit_test(wrong_pin_refused_by_the_station),
		cmocka_unit_test(server_presents_the_key_named),
		cmocka_unit_test(station_accepts_its_next_pin),
		cmocka_unit_test(foreign_clients_refused),
		cmocka_unit_test(garbage_is_an_error),
		cmocka_unit_test(footprint_after_the_handshake),
	};
	int rc;

	/* Before OpenSSL allocates anything, or it refuses. */
	mem_counted = CRYPTO_set_mem_functions(mem_malloc, mem_realloc,
					       mem_free);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tcleanup();
	return rc;
}
