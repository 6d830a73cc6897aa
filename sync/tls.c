/*
 * tls.c - TLS 1.3 for the sync link through memory buffers (OpenSSL):
 * the server's key file made and read, pins, the two ends' contexts
 * with their checks (version, ALPN, the pinned key, the key named in
 * the server name), and one session per connection that the caller
 * feeds and drains. See tls.h.
 */
#include "sync/tls.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* ALPN's wire form: each name after its length byte. */
static const unsigned char alpn_wire[] = "\x0a" TLS_ALPN;
#define ALPN_WIRE_LEN (sizeof alpn_wire - 1)

/* A key file is a few hundred bytes; anything past this is not one. */
#define KEYFILE_MAX (64 * 1024)
/* A memory buffer that grew past this for one burst (a 1 MiB frame) is
 * given back once it is empty, so an idle session holds little. */
#define BIO_KEEP (32 * 1024)

#define SNI_PREFIX "p-"
#define SNI_SUFFIX ".dutydesk"
#define SNI_HEX 16

static const char *const tls_msgs[] = {
#define TLS_ERR_MSG(name, msg) msg,
	TLS_ERRORS(TLS_ERR_MSG)
#undef TLS_ERR_MSG
};

const char *
tls_strerror(int err)
{
	if (err == 0)
		return "ok";
	if (err <= TLS_ERR_FIRST_ || err >= TLS_ERR_LAST_)
		return "unknown error";
	return tls_msgs[err - TLS_ERR_FIRST_ - 1];
}

/* One key of the server with its certificate. */
struct tls_key {
	X509 *cert;
	EVP_PKEY *key;
	char pin[TLS_PIN_SIZE];
};

struct tls_ctx {
	SSL_CTX *ssl;
	int server;
	struct tls_key keys[3];   /* current, next, previous */
};

struct tls_conn {
	SSL *ssl;                 /* owns the two memory BIOs */
	struct tls_ctx *ctx;
	int server;
	int done;                 /* handshake finished and checked */
	int failed;               /* 0, or the code every call returns */
	int refused;              /* a check of ours ended the handshake */
	int closed;
	int slot;                 /* the server's key presented */
	char expect[TLS_PIN_SIZE];
	char also[TLS_PIN_SIZE];  /* the station's next pin too, or "" */
	char pin[TLS_PIN_SIZE];   /* the server's key presented, or "" */
	char err[400];
	char alert_sent[64];
};

/* ---- pins ---- */

/* The pin of a certificate's public key: SHA-256 over its DER
 * SubjectPublicKeyInfo (not X509_pubkey_digest, which hashes only the
 * key's bits). 0 or -1. */
static int
pin_of(X509 *x, char pin[TLS_PIN_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE], *der = NULL;
	unsigned int mdlen = 0, i;
	int len;

	len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	if (len <= 0)
		return -1;
	if (!EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL) ||
	    mdlen != 32) {
		OPENSSL_free(der);
		return -1;
	}
	OPENSSL_free(der);
	memcpy(pin, "sha256:", 7);
	for (i = 0; i < mdlen; i++) {
		pin[7 + 2 * i] = hex[md[i] >> 4];
		pin[8 + 2 * i] = hex[md[i] & 15];
	}
	pin[TLS_PIN_LEN] = '\0';
	return 0;
}

int
tls_pin_ok(const char *s)
{
	int i;

	if (!s || strncmp(s, "sha256:", 7) != 0)
		return 0;
	for (i = 7; i < TLS_PIN_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[TLS_PIN_LEN] == '\0';
}

int
tls_sniff(unsigned char first)
{
	if (first == 0x16)
		return 1;
	if (first == '{')
		return 0;
	return -1;
}

/* ---- key files ---- */

/* A PEM file never asks for a password: an encrypted key fails rather
 * than have OpenSSL prompt on the terminal. */
static int
no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* Read a whole small file into *out (*n bytes; OPENSSL_clear_free it),
 * refusing one that others may read when private says so. */
static int
file_slurp(const char *path, int private, char **out, size_t *n, char *why,
	   size_t w)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	ssize_t r;
	int fd, rc = 0;

	*out = NULL;
	*n = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(why, w, "cannot read key file %s: %s", path,
			 strerror(errno));
		return TLS_E_IO;
	}
	/* The file we read is the file we checked: fstat, not stat. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, w, "key file %s is not a regular file", path);
		rc = TLS_E_INVALID;
		goto out;
	}
	if (private && (st.st_mode & 077)) {
		snprintf(why, w, "key file %s can be read by others (mode %03o); "
			 "chmod 600 it", path, (unsigned)(st.st_mode & 0777));
		rc = TLS_E_REFUSED;
		goto out;
	}
	if (st.st_size > KEYFILE_MAX) {
		snprintf(why, w, "key file %s is too large to be one", path);
		rc = TLS_E_INVALID;
		goto out;
	}
	if (!(buf = OPENSSL_malloc((size_t)st.st_size + 1))) {
		snprintf(why, w, "out of memory");
		rc = TLS_E_NOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size &&
	       (r = read(fd, buf + got, (size_t)st.st_size - got)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(why, w, "cannot read key file %s: %s", path,
				 strerror(errno));
			rc = TLS_E_IO;
			goto out;
		}
		got += (size_t)r;
	}
	buf[got] = '\0';
	*out = buf;
	*n = got;
	buf = NULL;
out:
	if (buf)
		OPENSSL_clear_free(buf, (size_t)st.st_size + 1);
	close(fd);
	return rc;
}

/* The first certificate in a PEM buffer, or NULL. */
static X509 *
pem_cert(const char *buf, size_t n)
{
	BIO *b = BIO_new_mem_buf(buf, (int)n);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, no_password, NULL) : NULL;

	BIO_free(b);
	return x;
}

/* Load the server's key file at path into k: a private key and the
 * certificate of its public key, in a file only its owner may read. */
static int
key_load(const char *path, struct tls_key *k, char *why, size_t w)
{
	char *buf = NULL;
	size_t n = 0;
	BIO *b = NULL;
	int rc;

	if ((rc = file_slurp(path, 1, &buf, &n, why, w)))
		return rc;
	rc = TLS_E_INVALID;
	if (!(b = BIO_new_mem_buf(buf, (int)n)) ||
	    !(k->key = PEM_read_bio_PrivateKey(b, NULL, no_password, NULL))) {
		snprintf(why, w, "key file %s holds no private key (or an "
			 "encrypted one)", path);
		goto out;
	}
	if (!(k->cert = pem_cert(buf, n))) {
		snprintf(why, w, "key file %s holds no certificate", path);
		goto out;
	}
	if (X509_check_private_key(k->cert, k->key) != 1) {
		snprintf(why, w, "key file %s: the certificate is not the "
			 "private key's", path);
		goto out;
	}
	if (pin_of(k->cert, k->pin) != 0) {
		snprintf(why, w, "key file %s: cannot read its public key", path);
		goto out;
	}
	rc = 0;
out:
	BIO_free(b);
	OPENSSL_clear_free(buf, n + 1);
	ERR_clear_error();
	if (rc) {
		X509_free(k->cert);
		EVP_PKEY_free(k->key);
		memset(k, 0, sizeof *k);
	}
	return rc;
}

int
tls_cert_pin(const char *path, char pin[TLS_PIN_SIZE], char *why, size_t w)
{
	char *buf = NULL;
	size_t n = 0;
	X509 *x;
	int rc;

	if ((rc = file_slurp(path, 0, &buf, &n, why, w)))
		return rc;
	x = pem_cert(buf, n);
	OPENSSL_clear_free(buf, n + 1);
	ERR_clear_error();
	if (!x) {
		snprintf(why, w, "%s holds no certificate", path);
		return TLS_E_INVALID;
	}
	rc = pin_of(x, pin) == 0 ? 0 : TLS_E_INVALID;
	if (rc)
		snprintf(why, w, "%s: cannot read the certificate's public key",
			 path);
	X509_free(x);
	return rc;
}

/* Add an X.509 v3 extension given as openssl.cnf would write it. */
static int
cert_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *e;
	int ok;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	if (!(e = X509V3_EXT_conf_nid(NULL, &v3, nid, value)))
		return 0;
	ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok;
}

/* A self-signed certificate for key pk, valid until the end of 9999:
 * nobody checks its dates (the station checks the pin), and a server's
 * key must not die of age on a typhoon night. */
static X509 *
cert_self_signed(EVP_PKEY *pk)
{
	unsigned char r[16];
	BIGNUM *bn = NULL;
	X509_NAME *name;
	X509 *x;
	int ok = 0;

	if (!(x = X509_new()))
		return NULL;
	/* A random positive serial of 16 bytes, its top bit clear. */
	if (RAND_bytes(r, sizeof r) != 1)
		goto out;
	r[0] = (unsigned char)((r[0] & 0x7f) | 0x40);
	if (!(bn = BN_bin2bn(r, sizeof r, NULL)) ||
	    !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
		goto out;
	if (!X509_set_version(x, X509_VERSION_3) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), 0) ||
	    !ASN1_TIME_set_string_X509(X509_getm_notAfter(x), "99991231235959Z"))
		goto out;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					(const unsigned char *)"dutydeskd", -1,
					-1, 0) ||
	    !X509_set_issuer_name(x, name) || !X509_set_pubkey(x, pk))
		goto out;
	if (!cert_ext(x, NID_basic_constraints, "critical,CA:FALSE") ||
	    !cert_ext(x, NID_key_usage, "critical,digitalSignature") ||
	    !cert_ext(x, NID_subject_key_identifier, "hash"))
		goto out;
	ok = X509_sign(x, pk, EVP_sha256()) > 0;
out:
	BN_free(bn);
	if (!ok) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

/* Sync the directory that holds path, so that its new name survives a
 * power cut. */
static int
dir_sync(const char *path)
{
	char dir[4096];
	char *slash;
	int fd, rc;

	snprintf(dir, sizeof dir, "%s", path);
	if (!(slash = strrchr(dir, '/')))
		snprintf(dir, sizeof dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
tls_cert_make(const char *path, char pin[TLS_PIN_SIZE], char *why, size_t w)
{
	EVP_PKEY *pk = NULL;
	X509 *x = NULL;
	BIO *mem = NULL;
	char *data;
	long len;
	size_t off = 0;
	ssize_t r;
	int fd = -1, made = 0, rc = TLS_E_NOMEM;

	snprintf(why, w, "cannot make the key: out of memory");
	if (!(pk = EVP_EC_gen("P-256")) || !(x = cert_self_signed(pk)) ||
	    pin_of(x, pin) != 0 || !(mem = BIO_new(BIO_s_mem())) ||
	    !PEM_write_bio_PrivateKey(mem, pk, NULL, NULL, 0, NULL, NULL) ||
	    !PEM_write_bio_X509(mem, x))
		goto out;
	len = BIO_get_mem_data(mem, &data);
	/* O_EXCL: a key is never overwritten, since every station pins
	 * it. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		if (errno == EEXIST) {
			snprintf(why, w, "%s exists: a key file is never "
				 "overwritten (stations pin its key)", path);
			rc = TLS_E_REFUSED;
		} else {
			snprintf(why, w, "cannot make %s: %s", path,
				 strerror(errno));
			rc = TLS_E_IO;
		}
		goto out;
	}
	made = 1;
	rc = TLS_E_IO;
	/* 0600 whatever the umask made of it. */
	if (fchmod(fd, 0600) != 0) {
		snprintf(why, w, "cannot chmod %s: %s", path, strerror(errno));
		goto out;
	}
	while (off < (size_t)len) {
		if ((r = write(fd, data + off, (size_t)len - off)) < 0) {
			if (errno == EINTR)
				continue;
			snprintf(why, w, "cannot write %s: %s", path,
				 strerror(errno));
			goto out;
		}
		off += (size_t)r;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		snprintf(why, w, "cannot sync %s: %s", path, strerror(errno));
		goto out;
	}
	fd = -1;
	if (dir_sync(path) != 0) {
		snprintf(why, w, "cannot sync the directory of %s: %s", path,
			 strerror(errno));
		goto out;
	}
	rc = 0;
	why[0] = '\0';
out:
	if (fd >= 0)
		close(fd);
	if (rc && made)
		unlink(path);
	BIO_free(mem); /* clears the key's text as it frees */
	X509_free(x);
	EVP_PKEY_free(pk);
	ERR_clear_error();
	return rc;
}

/* ---- sessions: failure ---- */

static void
conn_fail(struct tls_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Note why the session fails; the first reason given stands, since
 * what follows is its consequence. */
static void
conn_fail(struct tls_conn *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof c->err, fmt, ap);
	va_end(ap);
}

/* A check of ours ends the handshake: the session fails with
 * TLS_E_REFUSED (a person must look: the key, the version of the
 * program), not TLS_E_PROTO (the network, a foreign peer). */
static void
conn_refuse(struct tls_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
conn_refuse(struct tls_conn *c, const char *fmt, ...)
{
	va_list ap;

	c->refused = 1;
	if (c->err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof c->err, fmt, ap);
	va_end(ap);
}

/* The session failed in OpenSSL: the reason in its error queue unless
 * a callback said more, and the alert we sent. The queue is left
 * empty. */
static int
conn_failed(struct tls_conn *c)
{
	unsigned long e = ERR_peek_error();
	const char *reason = e ? ERR_reason_error_string(e) : NULL;
	size_t n;

	c->failed = c->refused ? TLS_E_REFUSED : TLS_E_PROTO;
	conn_fail(c, "TLS: %s", reason ? reason : "the session broke");
	n = strlen(c->err);
	if (c->alert_sent[0] && !strstr(c->err, c->alert_sent) &&
	    n < sizeof c->err)
		snprintf(c->err + n, sizeof c->err - n, " (we sent alert '%s')",
			 c->alert_sent);
	ERR_clear_error();
	return c->failed;
}

/* What an SSL call that did not succeed (r) means: 0 more bytes are
 * needed, 1 the peer ended the session, negative it failed. */
static int
conn_result(struct tls_conn *c, int r)
{
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		ERR_clear_error();
		return 0;
	case SSL_ERROR_ZERO_RETURN:
		c->closed = 1;
		ERR_clear_error();
		return 1;
	default:
		return conn_failed(c);
	}
}

/* ---- sessions: callbacks ---- */

/* Alerts either way, for the log. */
static void
on_info(const SSL *s, int where, int ret)
{
	struct tls_conn *c = SSL_get_app_data(s);
	const char *desc;

	if (!c || !(where & SSL_CB_ALERT))
		return;
	desc = SSL_alert_desc_string_long(ret);
	if ((ret & 0xff) == SSL_AD_CLOSE_NOTIFY)
		return;
	if (where & SSL_CB_READ)
		conn_fail(c, "the %s sent alert '%s'",
			  c->server ? "station" : "server", desc);
	else if (!c->alert_sent[0])
		snprintf(c->alert_sent, sizeof c->alert_sent, "%s", desc);
}

/* The server: a station that offers no ALPN at all never reaches the
 * ALPN callback, so its ClientHello is refused here. */
static int
on_client_hello(SSL *s, int *al, void *arg)
{
	struct tls_conn *c = SSL_get_app_data(s);
	const unsigned char *ext;
	size_t n;

	(void)arg;
	if (!SSL_client_hello_get0_ext(
		    s, TLSEXT_TYPE_application_layer_protocol_negotiation, &ext,
		    &n)) {
		conn_refuse(c, "the station offered no ALPN (" TLS_ALPN
			    " is required)");
		*al = SSL_AD_NO_APPLICATION_PROTOCOL;
		return SSL_CLIENT_HELLO_ERROR;
	}
	return SSL_CLIENT_HELLO_SUCCESS;
}

static int
on_alpn(SSL *s, const unsigned char **out, unsigned char *outlen,
	const unsigned char *in, unsigned int inlen, void *arg)
{
	struct tls_conn *c = SSL_get_app_data(s);
	unsigned int i = 0;

	(void)arg;
	while (i < inlen) {
		unsigned int n = in[i];
		if (i + 1 + n > inlen)
			break;
		if (n == ALPN_WIRE_LEN - 1 &&
		    memcmp(in + i + 1, alpn_wire + 1, n) == 0) {
			*out = in + i + 1;
			*outlen = (unsigned char)n;
			return SSL_TLSEXT_ERR_OK;
		}
		i += 1 + n;
	}
	conn_refuse(c, "the station does not offer ALPN " TLS_ALPN);
	return SSL_TLSEXT_ERR_ALERT_FATAL;
}

/* The server name "p-HEX16.dutydesk" names the key a station expects:
 * present it when we hold it (a rotation's next or previous key), else
 * the current one, which the station then refuses itself, naming both
 * pins. */
static int
on_servername(SSL *s, int *al, void *arg)
{
	struct tls_conn *c = SSL_get_app_data(s);
	struct tls_ctx *ctx = arg;
	const char *name = SSL_get_servername(s, TLSEXT_NAMETYPE_host_name);
	size_t pre = strlen(SNI_PREFIX);
	int i;

	(void)al;
	if (!name || strlen(name) != pre + SNI_HEX + strlen(SNI_SUFFIX) ||
	    strncmp(name, SNI_PREFIX, pre) != 0 ||
	    strcmp(name + pre + SNI_HEX, SNI_SUFFIX) != 0)
		return SSL_TLSEXT_ERR_NOACK;
	for (i = 1; i < 3; i++) {
		if (!ctx->keys[i].cert ||
		    strncmp(ctx->keys[i].pin + 7, name + pre, SNI_HEX) != 0)
			continue;
		if (SSL_use_certificate(s, ctx->keys[i].cert) != 1 ||
		    SSL_use_PrivateKey(s, ctx->keys[i].key) != 1) {
			*al = SSL_AD_INTERNAL_ERROR;
			return SSL_TLSEXT_ERR_ALERT_FATAL;
		}
		c->slot = i;
		snprintf(c->pin, sizeof c->pin, "%s", ctx->keys[i].pin);
		return SSL_TLSEXT_ERR_OK;
	}
	return strncmp(ctx->keys[0].pin + 7, name + pre, SNI_HEX) == 0
		       ? SSL_TLSEXT_ERR_OK : SSL_TLSEXT_ERR_NOACK;
}

/* The station's whole check of the server's certificate, instead of
 * OpenSSL's chain building: its key must have the expected pin. No CA,
 * no dates, no names. The signature of the handshake (CertificateVerify)
 * still proves the server holds that key. */
static int
on_verify(X509_STORE_CTX *xs, void *arg)
{
	SSL *s = X509_STORE_CTX_get_ex_data(xs,
					    SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_conn *c = s ? SSL_get_app_data(s) : NULL;
	X509 *x = X509_STORE_CTX_get0_cert(xs);
	char pin[TLS_PIN_SIZE];

	(void)arg;
	if (!c || !x || pin_of(x, pin) != 0) {
		X509_STORE_CTX_set_error(xs, X509_V_ERR_UNSPECIFIED);
		if (c)
			conn_fail(c, "cannot read the server's key");
		return 0;
	}
	snprintf(c->pin, sizeof c->pin, "%s", pin);
	/* During a change of key the station holds the next pin too: a
	 * server that has moved to it presents it when it no longer holds
	 * the old one. */
	if (CRYPTO_memcmp(pin, c->expect, TLS_PIN_LEN) != 0 &&
	    (!c->also[0] || CRYPTO_memcmp(pin, c->also, TLS_PIN_LEN) != 0)) {
		if (c->also[0])
			conn_refuse(c, "the server's key is %s, not the pinned %s "
				    "nor the next %s", pin, c->expect, c->also);
		else
			conn_refuse(c, "the server's key is %s, not the pinned %s",
				    pin, c->expect);
		X509_STORE_CTX_set_error(xs, X509_V_ERR_APPLICATION_VERIFICATION);
		return 0;
	}
	X509_STORE_CTX_set_error(xs, X509_V_OK);
	return 1;
}

/* ---- contexts ---- */

/* What both ends set: TLS 1.3 alone, no tickets, no session cache,
 * buffers released between records. */
static SSL_CTX *
ctx_common(const SSL_METHOD *m)
{
	SSL_CTX *s = SSL_CTX_new(m);

	if (!s)
		return NULL;
	if (!SSL_CTX_set_min_proto_version(s, TLS1_3_VERSION) ||
	    !SSL_CTX_set_max_proto_version(s, TLS1_3_VERSION) ||
	    !SSL_CTX_set_num_tickets(s, 0)) {
		SSL_CTX_free(s);
		return NULL;
	}
	SSL_CTX_set_options(s, SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(s, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_mode(s, SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_info_callback(s, on_info);
	return s;
}

int
tls_server_ctx(struct tls_ctx **out, const char *cert_file,
	       const char *next_file, const char *prev_file, char *why,
	       size_t w)
{
	const char *files[3] = { cert_file, next_file, prev_file };
	struct tls_ctx *ctx;
	int i, rc;

	*out = NULL;
	if (!cert_file) {
		snprintf(why, w, "no key file");
		return TLS_E_INVALID;
	}
	if (!(ctx = OPENSSL_zalloc(sizeof *ctx))) {
		snprintf(why, w, "out of memory");
		return TLS_E_NOMEM;
	}
	ctx->server = 1;
	for (i = 0; i < 3; i++)
		if (files[i] && (rc = key_load(files[i], &ctx->keys[i], why, w)))
			goto fail;
	rc = TLS_E_NOMEM;
	snprintf(why, w, "cannot set TLS up: out of memory");
	if (!(ctx->ssl = ctx_common(TLS_server_method())))
		goto fail;
	if (SSL_CTX_use_certificate(ctx->ssl, ctx->keys[0].cert) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx->ssl, ctx->keys[0].key) != 1)
		goto fail;
	SSL_CTX_set_client_hello_cb(ctx->ssl, on_client_hello, NULL);
	SSL_CTX_set_alpn_select_cb(ctx->ssl, on_alpn, NULL);
	SSL_CTX_set_tlsext_servername_callback(ctx->ssl, on_servername);
	SSL_CTX_set_tlsext_servername_arg(ctx->ssl, ctx);
	why[0] = '\0';
	ERR_clear_error();
	*out = ctx;
	return 0;
fail:
	ERR_clear_error();
	tls_ctx_free(&ctx);
	return rc;
}

int
tls_client_ctx(struct tls_ctx **out, char *why, size_t w)
{
	struct tls_ctx *ctx;

	*out = NULL;
	if (!(ctx = OPENSSL_zalloc(sizeof *ctx)) ||
	    !(ctx->ssl = ctx_common(TLS_client_method())) ||
	    SSL_CTX_set_alpn_protos(ctx->ssl, alpn_wire, ALPN_WIRE_LEN) != 0) {
		snprintf(why, w, "cannot set TLS up: out of memory");
		ERR_clear_error();
		tls_ctx_free(&ctx);
		return TLS_E_NOMEM;
	}
	/* SSL_VERIFY_PEER, so that a failed check ends the handshake;
	 * on_verify is the whole check. */
	SSL_CTX_set_verify(ctx->ssl, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_cert_verify_callback(ctx->ssl, on_verify, NULL);
	*out = ctx;
	return 0;
}

const char *
tls_ctx_pin(const struct tls_ctx *ctx, int slot)
{
	if (!ctx || slot < 0 || slot > 2 || !ctx->keys[slot].cert)
		return NULL;
	return ctx->keys[slot].pin;
}

void
tls_ctx_free(struct tls_ctx **p)
{
	struct tls_ctx *ctx = *p;
	int i;

	if (!ctx)
		return;
	SSL_CTX_free(ctx->ssl);
	for (i = 0; i < 3; i++) {
		X509_free(ctx->keys[i].cert);
		EVP_PKEY_free(ctx->keys[i].key);
	}
	OPENSSL_free(ctx);
	*p = NULL;
}

/* ---- sessions ---- */

struct tls_conn *
tls_conn_new(struct tls_ctx *ctx, int server, const char *expected_pin)
{
	struct tls_conn *c;
	BIO *in = NULL, *out = NULL;
	char sni[64];

	if (!ctx || !ctx->server != !server ||
	    (!server && !tls_pin_ok(expected_pin)))
		return NULL;
	/* From OpenSSL's allocator, like the rest of a session, so that
	 * one count holds all a session costs. */
	if (!(c = OPENSSL_zalloc(sizeof *c)))
		return NULL;
	c->ctx = ctx;
	c->server = server;
	if (!(c->ssl = SSL_new(ctx->ssl)) || !(in = BIO_new(BIO_s_mem())) ||
	    !(out = BIO_new(BIO_s_mem())))
		goto fail;
	/* An empty buffer means "more to come", never end of file. */
	BIO_set_mem_eof_return(in, -1);
	BIO_set_mem_eof_return(out, -1);
	SSL_set_bio(c->ssl, in, out);
	in = out = NULL;
	SSL_set_app_data(c->ssl, c);
	if (server) {
		snprintf(c->pin, sizeof c->pin, "%s", ctx->keys[0].pin);
		SSL_set_accept_state(c->ssl);
	} else {
		snprintf(c->expect, sizeof c->expect, "%s", expected_pin);
		snprintf(sni, sizeof sni, SNI_PREFIX "%.*s" SNI_SUFFIX, SNI_HEX,
			 expected_pin + 7);
		if (SSL_set_tlsext_host_name(c->ssl, sni) != 1)
			goto fail;
		SSL_set_connect_state(c->ssl);
	}
	return c;
fail:
	BIO_free(in);
	BIO_free(out);
	ERR_clear_error();
	tls_conn_free(&c);
	return NULL;
}

int
tls_conn_also_pin(struct tls_conn *c, const char *pin)
{
	if (!c || c->server || !SSL_in_before(c->ssl))
		return TLS_E_INVALID;
	if (!pin || !pin[0]) {
		c->also[0] = '\0';
		return 0;
	}
	if (!tls_pin_ok(pin))
		return TLS_E_INVALID;
	snprintf(c->also, sizeof c->also, "%s", pin);
	return 0;
}

void
tls_conn_free(struct tls_conn **p)
{
	struct tls_conn *c = *p;

	if (!c)
		return;
	SSL_free(c->ssl);
	OPENSSL_clear_free(c, sizeof *c);
	*p = NULL;
}

/* Give back a memory buffer that one burst grew, once it is empty:
 * sessions idle for hours should not each hold a megabyte. */
static void
bio_trim(struct tls_conn *c, int reading)
{
	BIO *b = reading ? SSL_get_rbio(c->ssl) : SSL_get_wbio(c->ssl);
	BUF_MEM *bm = NULL;
	BIO *fresh;

	if (!b || BIO_ctrl_pending(b) != 0)
		return;
	BIO_get_mem_ptr(b, &bm);
	if (!bm || bm->max <= BIO_KEEP || !(fresh = BIO_new(BIO_s_mem())))
		return;
	BIO_set_mem_eof_return(fresh, -1);
	/* set0 frees the old one; rbio and wbio are two BIOs here. */
	if (reading)
		SSL_set0_rbio(c->ssl, fresh);
	else
		SSL_set0_wbio(c->ssl, fresh);
}

int
tls_feed(struct tls_conn *c, const void *data, size_t n)
{
	const char *p = data;
	BIO *in = SSL_get_rbio(c->ssl);

	if (c->failed)
		return c->failed;
	while (n > 0) {
		int chunk = n > INT_MAX ? INT_MAX : (int)n;
		int r = BIO_write(in, p, chunk);
		if (r <= 0) {
			ERR_clear_error();
			conn_fail(c, "out of memory");
			c->failed = TLS_E_NOMEM;
			return c->failed;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* After the handshake: both ends agreed on dutydesk/2 (a server that
 * ignores ALPN would leave it empty). */
static int
conn_check_alpn(struct tls_conn *c)
{
	const unsigned char *p = NULL;
	unsigned int n = 0;

	SSL_get0_alpn_selected(c->ssl, &p, &n);
	if (n != ALPN_WIRE_LEN - 1 || memcmp(p, alpn_wire + 1, n) != 0) {
		conn_refuse(c, "the %s agreed on no ALPN " TLS_ALPN,
			    c->server ? "station" : "server");
		c->failed = TLS_E_REFUSED;
		return c->failed;
	}
	return 0;
}

int
tls_read(struct tls_conn *c, void *buf, size_t cap, size_t *got)
{
	int r;

	*got = 0;
	if (c->failed)
		return c->failed;
	if (c->closed)
		return 1;
	ERR_clear_error();
	if (!c->done) {
		if ((r = SSL_do_handshake(c->ssl)) != 1)
			return conn_result(c, r);
		if ((r = conn_check_alpn(c)))
			return r;
		c->done = 1;
	}
	if (cap == 0)
		return 0;
	if (SSL_read_ex(c->ssl, buf, cap, got) != 1) {
		*got = 0;
		r = conn_result(c, 0);
		bio_trim(c, 1);
		return r;
	}
	return 0;
}

int
tls_write(struct tls_conn *c, const void *buf, size_t n)
{
	const char *p = buf;
	size_t wrote;

	if (c->failed)
		return c->failed;
	if (!c->done || c->closed)
		return TLS_E_INVALID;
	ERR_clear_error();
	while (n > 0) {
		/* A memory BIO always has room: SSL_write_ex takes it all
		 * or fails. */
		if (SSL_write_ex(c->ssl, p, n, &wrote) != 1)
			return conn_failed(c);
		p += wrote;
		n -= wrote;
	}
	return 0;
}

size_t
tls_out_pending(const struct tls_conn *c)
{
	return BIO_ctrl_pending(SSL_get_wbio(c->ssl));
}

size_t
tls_out_take(struct tls_conn *c, void *buf, size_t cap)
{
	int r;

	if (cap > INT_MAX)
		cap = INT_MAX;
	if (cap == 0 || (r = BIO_read(SSL_get_wbio(c->ssl), buf, (int)cap)) <= 0) {
		ERR_clear_error();
		return 0;
	}
	bio_trim(c, 0);
	return (size_t)r;
}

int
tls_shutdown(struct tls_conn *c)
{
	if (c->failed)
		return c->failed;
	if (!c->done)
		return 0;
	ERR_clear_error();
	/* 0: our close_notify is out, the peer's not yet in; we do not
	 * wait for it. */
	if (SSL_shutdown(c->ssl) < 0) {
		ERR_clear_error();
		return TLS_E_PROTO;
	}
	return 0;
}

int
tls_handshake_done(const struct tls_conn *c)
{
	return c->done;
}

int
tls_server_pin(const struct tls_conn *c, char pin[TLS_PIN_SIZE])
{
	if (!c->pin[0])
		return TLS_E_INVALID;
	memcpy(pin, c->pin, TLS_PIN_SIZE);
	return 0;
}

int
tls_exporter(const struct tls_conn *c, unsigned char out[TLS_EXPORTER_BYTES])
{
	static const char label[] = "EXPORTER-Channel-Binding";

	if (!c->done || c->failed)
		return TLS_E_INVALID;
	if (SSL_export_keying_material(c->ssl, out, TLS_EXPORTER_BYTES, label,
				       sizeof label - 1, NULL, 0, 0) != 1) {
		ERR_clear_error();
		return TLS_E_INVALID;
	}
	return 0;
}

int
tls_binding(const struct tls_conn *c, char hex[TLS_BINDING_HEX])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char x[TLS_EXPORTER_BYTES];
	int i, rc;

	hex[0] = 0;
	if ((rc = tls_exporter(c, x)))
		return rc;
	for (i = 0; i < TLS_EXPORTER_BYTES; i++) {
		hex[2 * i] = digits[x[i] >> 4];
		hex[2 * i + 1] = digits[x[i] & 15];
	}
	hex[2 * TLS_EXPORTER_BYTES] = 0;
	OPENSSL_cleanse(x, sizeof x);
	return 0;
}

const char *
tls_error(const struct tls_conn *c)
{
	return c->err;
}
