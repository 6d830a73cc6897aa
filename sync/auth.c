/*
 * auth.c - challenge and response with HMAC-SHA-256 (libsodium), and the
 * server's keys file.
 */
#include "sync/sync.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

void
auth_nonce(char out[SYNC_HEX])
{
	unsigned char r[32];

	if (sodium_init() < 0)
		abort(); /* no randomness: nothing safe can be done */
	randombytes_buf(r, sizeof r);
	sodium_bin2hex(out, SYNC_HEX, r, sizeof r);
}

void
auth_proof(const unsigned char key[SYNC_KEY_BYTES], const char *label,
	   const char *station, const char *realm, const char *a, const char *b,
	   const char *binding, char out[SYNC_HEX])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	const char *parts[6] = { label, station, realm, a, b, binding };
	int i, n = binding ? 6 : 5;

	crypto_auth_hmacsha256_init(&st, key, SYNC_KEY_BYTES);
	for (i = 0; i < n; i++) {
		if (i)
			crypto_auth_hmacsha256_update(&st, (const unsigned char *)"|", 1);
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)parts[i],
					      strlen(parts[i]));
	}
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, SYNC_HEX, mac, sizeof mac);
	sodium_memzero(&st, sizeof st);
}

int
auth_equal(const char *a, const char *b)
{
	if (!a || !b || strlen(a) != SYNC_HEX - 1 || strlen(b) != SYNC_HEX - 1)
		return 0;
	return sodium_memcmp(a, b, SYNC_HEX - 1) == 0;
}

int
key_parse(const char *hex, unsigned char key[SYNC_KEY_BYTES])
{
	size_t len = 0;

	if (!hex || strlen(hex) != 2 * SYNC_KEY_BYTES ||
	    sodium_hex2bin(key, SYNC_KEY_BYTES, hex, strlen(hex), NULL, &len,
			   NULL) != 0 || len != SYNC_KEY_BYTES)
		return -1;
	return 0;
}

int
keys_check(const char *path, char *why, size_t w)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		snprintf(why, w, "cannot read keys file %s: %s", path,
			 strerror(errno));
		return DD_E_REFUSED;
	}
	if (st.st_mode & 077) {
		snprintf(why, w, "keys file %s can be read by others (mode %03o); "
			 "chmod 600 it", path, (unsigned)(st.st_mode & 0777));
		return DD_E_REFUSED;
	}
	return 0;
}

int
keys_find(const char *path, const char *station, int *role,
	  unsigned char key[SYNC_KEY_BYTES], char *why, size_t w)
{
	char line[512], code[64], rolename[32], hex[160];
	FILE *f;
	int rc, found = 0;

	if ((rc = keys_check(path, why, w)))
		return rc;
	if (!(f = fopen(path, "r"))) {
		snprintf(why, w, "cannot read keys file %s", path);
		return DD_E_REFUSED;
	}
	while (!found && fgets(line, sizeof line, f)) {
		if (line[0] == '#' || sscanf(line, "%63s %31s %159s", code,
					     rolename, hex) != 3)
			continue;
		if (strcmp(code, station) == 0 && role_parse(rolename) &&
		    key_parse(hex, key) == 0) {
			*role = role_parse(rolename);
			found = 1;
		}
	}
	fclose(f);
	sodium_memzero(hex, sizeof hex);
	sodium_memzero(line, sizeof line);
	return found;
}

int
keys_add(const char *path, const char *station, int role, int replace,
	 char hex[SYNC_HEX], char *why, size_t w)
{
	unsigned char key[SYNC_KEY_BYTES];
	char tmp[4200], line[512], code[64];
	FILE *in, *out;
	int fd, found = 0;

	if (!station_code_ok(station) || station_reserved(station)) {
		snprintf(why, w, "station code '%s': 2 to 24 lowercase letters and "
			 "digits, starting with a letter, not seed, drill or server",
			 station);
		return DD_E_INVALID;
	}
	if (role != ROLE_TOWN && role != ROLE_COMMAND) {
		snprintf(why, w, "role is town or command");
		return DD_E_INVALID;
	}
	if ((in = fopen(path, "r"))) {
		while (!found && fgets(line, sizeof line, in))
			found = sscanf(line, "%63s", code) == 1 &&
				strcmp(code, station) == 0;
		fclose(in);
	}
	if (found && !replace) {
		snprintf(why, w, "station %s already has a key in %s; --replace "
			 "gives it a new one (the old one stops working at once)",
			 station, path);
		return DD_E_REFUSED;
	}
	if (sodium_init() < 0)
		return DD_E_IO;
	randombytes_buf(key, sizeof key);
	sodium_bin2hex(hex, SYNC_HEX, key, sizeof key);
	sodium_memzero(key, sizeof key);
	/* Write the new file beside the old one, readable by its owner
	 * only, and rename it over: a crash leaves one or the other. */
	snprintf(tmp, sizeof tmp, "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || !(out = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		snprintf(why, w, "cannot write %s: %s", tmp, strerror(errno));
		return DD_E_IO;
	}
	if ((in = fopen(path, "r"))) {
		while (fgets(line, sizeof line, in)) {
			if (sscanf(line, "%63s", code) == 1 &&
			    strcmp(code, station) == 0)
				continue; /* replaced below */
			fputs(line, out);
		}
		fclose(in);
	} else {
		fputs("# dutydeskd keys: CODE ROLE KEY (keep this file private)\n",
		      out);
	}
	fprintf(out, "%s %s %s\n", station, role_name(role), hex);
	if (fflush(out) != 0 || fsync(fileno(out)) != 0) {
		fclose(out);
		unlink(tmp);
		snprintf(why, w, "cannot write %s: %s", tmp, strerror(errno));
		return DD_E_IO;
	}
	fclose(out);
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		snprintf(why, w, "cannot replace %s: %s", path, strerror(errno));
		return DD_E_IO;
	}
	return found;
}
