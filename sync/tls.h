/*
 * tls.h - TLS 1.3 for the sync link, inside sync/ only (like
 * internal.h, no other folder includes it): the server's pinned key
 * (made, read, pinned), the two ends' contexts, and one session per
 * connection driven through memory buffers, so that the libuv loops of
 * dutydeskd and of the station's link move the bytes and nothing here
 * ever blocks, reads a socket or starts a loop of its own. OpenSSL
 * does every record and every cipher.
 *
 * The server is known by its key alone, as an SSH host key is: its pin
 * is "sha256:" and the lowercase hex SHA-256 of the certificate's
 * DER SubjectPublicKeyInfo. A station checks that pin and nothing else
 * (no CA, no dates). For a rotation the server may hold its current
 * key, the next and the previous; a station names the pin it expects in
 * the TLS server name ("p-" and the pin's first 16 hex digits, then
 * ".dutydesk") and the server presents that key if it holds it, its
 * current one otherwise.
 *
 * Only TLS 1.3, ALPN "dutydesk/2" required, no session tickets, no
 * resumption, buffers released between records (SSL_MODE_RELEASE_BUFFERS).
 *
 * Depends on OpenSSL (libssl, libcrypto) and libc only. Functions that
 * can fail return 0 or a negative code of TLS_ERRORS below and, where
 * they take why/w, a sentence for the log or the officer there; a
 * session keeps its own (tls_error).
 */
#ifndef DUTYDESK_SYNC_TLS_H
#define DUTYDESK_SYNC_TLS_H

#include <stddef.h>

#define TLS_ALPN "dutydesk/2"
/* "sha256:" and 64 lowercase hex digits, and a NUL. */
#define TLS_PIN_LEN 71
#define TLS_PIN_SIZE (TLS_PIN_LEN + 1)
/* The RFC 9266 channel binding (EXPORTER-Channel-Binding). */
#define TLS_EXPORTER_BYTES 32

/* name, message. The codes are this module's own (it does not include
 * core): dutydeskd maps REFUSED to exit 1 (EXIT_REFUSED), IO to exit 4
 * (EXIT_DISK), the rest to exit 3 (EXIT_ENV). */
#define TLS_ERRORS(E) \
	E(REFUSED, "refused") /* a rule says no: a file exists or others \
			       * can read it, the pin differs, no ALPN */ \
	E(INVALID, "invalid input") /* not a key and certificate, a bad \
				     * pin, a call out of turn */ \
	E(IO,      "input/output error") /* a file not read, written or \
					  * synced */ \
	E(PROTO,   "TLS session failed") /* records that are not TLS, an \
					  * alert, a broken session */ \
	E(NOMEM,   "out of memory")

enum tls_err {
	TLS_OK = 0,
#define TLS_ERR_ENUM(name, msg) TLS_E_##name,
	TLS_ERR_FIRST_ = -50,
	TLS_ERRORS(TLS_ERR_ENUM)
#undef TLS_ERR_ENUM
	TLS_ERR_LAST_
};

/* The message of a code. */
const char *tls_strerror(int err);

/* ---- keys and pins ---- */

/* Make the server's key: a new ECDSA P-256 key and a self-signed X.509
 * v3 certificate for it (subject and issuer CN "dutydeskd", a random
 * serial, valid from now to 9999-12-31T23:59:59Z), both in one PEM file
 * at path, made new (an existing file is TLS_E_REFUSED and left as it
 * was) with mode 0600, written and synced with its directory; a file
 * half written is removed. pin gets its pin. */
int tls_cert_make(const char *path, char pin[TLS_PIN_SIZE], char *why,
		  size_t w);

/* The pin of the (first) certificate in the PEM file at path. Reads
 * nothing else: a certificate alone will do. */
int tls_cert_pin(const char *path, char pin[TLS_PIN_SIZE], char *why,
		 size_t w);

/* Whether s is a pin by its form: "sha256:" and 64 lowercase hex
 * digits. 1 or 0. */
int tls_pin_ok(const char *s);

/* What the first byte a peer sends says it speaks: 1 TLS (a handshake
 * record, 0x16), 0 the plain protocol (a frame's '{'), -1 neither. A
 * TLS port answers 0 with the plain error frame tls_required; a plain
 * port closes on 1. */
int tls_sniff(unsigned char first);

/* ---- contexts, one per program ---- */

struct tls_ctx;

/* The server's context: its current key (cert_file, presented unless
 * the station names another), and the next and the previous ones of a
 * rotation (NULL: none). Each is a PEM file holding a private key and
 * its certificate (tls_cert_make's), which only its owner may read: a
 * file with any group or other permission is TLS_E_REFUSED, as is a
 * key that does not match its certificate. *out is freed with
 * tls_ctx_free. */
int tls_server_ctx(struct tls_ctx **out, const char *cert_file,
		   const char *next_file, const char *prev_file, char *why,
		   size_t w);

/* A station's context (no key of its own: the station proves itself in
 * the HMAC handshake inside). */
int tls_client_ctx(struct tls_ctx **out, char *why, size_t w);

/* The pin of the server's key of slot 0 (current), 1 (next) or 2
 * (previous), or NULL when it holds none there; for dutydeskd to log
 * at its start what it presents. */
const char *tls_ctx_pin(const struct tls_ctx *ctx, int slot);

/* Free a context and set *ctx to NULL; a context outlives its
 * sessions. */
void tls_ctx_free(struct tls_ctx **ctx);

/* ---- one session per connection ----
 *
 * The caller moves bytes: what it reads from the socket goes to
 * tls_feed, then tls_read gives the plaintext (and advances the
 * handshake); tls_write encrypts. After each of tls_feed, tls_read,
 * tls_write and tls_shutdown, whatever tls_out_pending counts is to be
 * sent (tls_out_take), even before the handshake is done and even when
 * a call failed (it may hold the alert that tells the peer why). */

struct tls_conn;

/* A session of ctx: a server's (server 1; expected_pin NULL), or a
 * station's (server 0) that expects the server's key to have
 * expected_pin (required: a station never trusts a key it was not
 * given) and names it in the server name. A station's handshake starts
 * at its first tls_read (cap 0 will do), which leaves its ClientHello
 * to send. NULL when memory is short, or expected_pin is missing or
 * malformed on a station, or ctx is not of that end. */
struct tls_conn *tls_conn_new(struct tls_ctx *ctx, int server,
			      const char *expected_pin);

/* A station's session accepts the server's key of pin too (the next
 * pin the server announced, during a change of key), beside the
 * expected one, which alone it names in the server name. Before the
 * handshake starts; pin NULL or "" accepts none more. 0, or
 * TLS_E_INVALID (a server's session, a malformed pin, too late). A
 * refusal names both pins beside the one presented. */
int tls_conn_also_pin(struct tls_conn *c, const char *pin);

/* Free a session (what it had to send is lost: tls_shutdown first for
 * a clean end) and set *c to NULL. */
void tls_conn_free(struct tls_conn **c);

/* Take n bytes read from the socket. 0, or negative when the session
 * has already failed (its code again) or memory is short. */
int tls_feed(struct tls_conn *c, const void *data, size_t n);

/* Advance the handshake with what was fed, then give up to cap bytes
 * of plaintext in buf: 0 with *got bytes (0 when more must be fed
 * first); 1 when the peer ended the session (close_notify; *got 0);
 * negative when it failed, tls_error saying why: TLS_E_REFUSED when a
 * check of ours ended it (the station: the server's key is not the
 * pinned one, or no ALPN agreed; the server: the station offers no
 * ALPN dutydesk/2), which a person must look at, TLS_E_PROTO for
 * anything else (an alert from the peer, bytes that are not TLS 1.3),
 * which a retry may cure. Call it until *got is 0: a record fed
 * earlier may still hold bytes. */
int tls_read(struct tls_conn *c, void *buf, size_t cap, size_t *got);

/* Encrypt n bytes of plaintext, whole (the ciphertext waits for
 * tls_out_take; nothing is kept of buf). Only once the handshake is
 * done: before, TLS_E_INVALID. */
int tls_write(struct tls_conn *c, const void *buf, size_t n);

/* Bytes of ciphertext waiting to be sent. */
size_t tls_out_pending(const struct tls_conn *c);

/* Move up to cap of them to buf; returns how many. */
size_t tls_out_take(struct tls_conn *c, void *buf, size_t cap);

/* Send close_notify (to take with tls_out_take); the session writes
 * nothing after. 0, or negative when it has failed. */
int tls_shutdown(struct tls_conn *c);

/* 1 once the handshake is done (the station has checked the pin, the
 * server has agreed on ALPN), else 0. */
int tls_handshake_done(const struct tls_conn *c);

/* The pin of the key the server presented in this session, on either
 * end (the server logs which of its keys a station got): 0 with pin
 * set, or TLS_E_INVALID when none was presented yet. A station has it
 * even when its pin check failed. */
int tls_server_pin(const struct tls_conn *c, char pin[TLS_PIN_SIZE]);

/* The session's channel binding (RFC 9266: the exporter with label
 * "EXPORTER-Channel-Binding", no context, 32 bytes): both ends of one
 * session get the same bytes, no other session does. The HMAC proofs
 * cover it. 0, or TLS_E_INVALID before the handshake is done. */
int tls_exporter(const struct tls_conn *c,
		 unsigned char out[TLS_EXPORTER_BYTES]);
/* The same as the proofs cover it: 64 lowercase hex digits. 0, or
 * TLS_E_INVALID (hex left empty). */
#define TLS_BINDING_HEX (2 * TLS_EXPORTER_BYTES + 1)
int tls_binding(const struct tls_conn *c, char hex[TLS_BINDING_HEX]);

/* Why the session failed, for the log: the pin that differs (naming
 * both), an alert from the peer or one we sent, the protocol version,
 * ALPN, records that are not TLS. "" while nothing failed. */
const char *tls_error(const struct tls_conn *c);

#endif
