/*
 * import.c - load a list kept in a spreadsheet (CSV with a header row:
 * an incident ledger, the directory, the duty roster) in one
 * transaction: all rows or none. The file is UTF-8
 * (with or without a byte-order mark) or GB18030, what spreadsheets on
 * Chinese Windows save; it is read whole and converted to UTF-8 first.
 */
#include "private.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_FIELD_MAX 8192
#define CSV_COLS 64
#define CSV_FILE_MAX (64 << 20)

/* The line (from 1) that byte off of buf is on. */
static int
line_at(const char *buf, size_t off)
{
	int line = 1;
	size_t i;

	for (i = 0; i < off; i++)
		line += buf[i] == '\n';
	return line;
}

/* Where the first byte that is not well-formed UTF-8 is (no overlong
 * forms, no surrogates, nothing past U+10FFFF), or n if all are. */
static size_t
utf8_bad(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t k, len;
		unsigned lo = 0x80, hi = 0xBF;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			len = 2;
		else if (c >= 0xE0 && c <= 0xEF)
			len = 3;
		else if (c >= 0xF0 && c <= 0xF4)
			len = 4;
		else
			return i;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
		else if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
		if (n - i < len || s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (k = 2; k < len; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xBF)
				return i;
		i += len;
	}
	return n;
}

/* Convert GB18030 to UTF-8 into a new buffer (*out, *outn); on a byte
 * sequence that is not GB18030, *bad gets its offset and DD_E_INVALID
 * is returned. */
static int
gb18030_to_utf8(const char *in, size_t n, char **out, size_t *outn,
		size_t *bad)
{
	/* Two GB18030 bytes make at most three of UTF-8, four at most four. */
	size_t cap = n / 2 * 3 + 8, inleft = n, outleft = cap;
	char *ip = (char *)in, *op, *buf = malloc(cap);
	iconv_t cd;
	int rc = 0;

	if (!buf)
		return DD_E_NOMEM;
	if ((cd = iconv_open("UTF-8", "GB18030")) == (iconv_t)-1) {
		free(buf);
		return DD_E_NOMEM;
	}
	op = buf;
	if (iconv(cd, &ip, &inleft, &op, &outleft) == (size_t)-1) {
		*bad = (size_t)(ip - in);
		rc = errno == E2BIG ? DD_E_NOMEM : DD_E_INVALID;
	}
	iconv_close(cd);
	if (rc) {
		free(buf);
		return rc;
	}
	*out = buf;
	*outn = (size_t)(op - buf);
	return 0;
}

/* The whole of path as UTF-8 in a new buffer, its byte-order mark
 * dropped: read as charset says, or for CSV_AUTO as UTF-8 when it is
 * well-formed UTF-8 and as GB18030 otherwise. */
static int
read_text(struct db *db, const char *path, int charset, char **text,
	  size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *raw = NULL, *conv = NULL;
	size_t n = 0, cap = 0, bad;
	int rc = 0;

	if (!f)
		return db_fail(db, DD_E_INVALID, "cannot read %s", path);
	for (;;) {
		if (n == cap) {
			char *p;
			if (cap >= CSV_FILE_MAX) {
				rc = db_fail(db, DD_E_INVALID, "%s: over %d MiB",
					     path, CSV_FILE_MAX >> 20);
				goto out;
			}
			cap = cap ? cap * 2 : 65536;
			if (!(p = realloc(raw, cap + 1))) {
				rc = DD_E_NOMEM;
				goto out;
			}
			raw = p;
		}
		size_t got = fread(raw + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		rc = db_fail(db, DD_E_INVALID, "cannot read %s", path);
		goto out;
	}
	if (!raw && !(raw = malloc(1))) {
		rc = DD_E_NOMEM;
		goto out;
	}
	raw[n] = 0;
	bad = utf8_bad((const unsigned char *)raw, n);
	if (charset == CSV_UTF8 && bad < n) {
		rc = db_fail(db, DD_E_INVALID, "%s line %d: not UTF-8", path,
			     line_at(raw, bad));
		goto out;
	}
	if (charset == CSV_GB18030 || (charset == CSV_AUTO && bad < n)) {
		size_t m;
		rc = gb18030_to_utf8(raw, n, &conv, &m, &bad);
		if (rc == DD_E_INVALID && charset == CSV_AUTO)
			db_fail(db, rc, "%s line %d: neither UTF-8 nor GB18030",
				path, line_at(raw, bad));
		else if (rc == DD_E_INVALID)
			db_fail(db, rc, "%s line %d: not GB18030", path,
				line_at(raw, bad));
		if (rc)
			goto out;
		free(raw);
		raw = conv;
		n = m;
		raw[n] = 0;
	}
	/* A byte-order mark (GB18030 has one too, which became this). */
	if (n >= 3 && memcmp(raw, "\xEF\xBB\xBF", 3) == 0) {
		memmove(raw, raw + 3, n - 3 + 1);
		n -= 3;
	}
	*text = raw;
	*len = n;
	raw = NULL;
out:
	free(raw);
	fclose(f);
	return rc;
}

/* Read one CSV record (RFC 4180: quotes, doubled quotes, CRLF, newlines
 * inside quotes). Returns the number of fields, 0 at end of file, or a
 * negative code. Each field is malloc'd into cols[]. */
static int
csv_record(FILE *f, char **cols, int *line)
{
	/* *line counts physical lines read so far (a quoted field may span
	 * several); the caller notes where a record starts. */
	char buf[CSV_FIELD_MAX];
	size_t n = 0;
	int c, ncol = 0, quoted = 0, any = 0;

	for (;;) {
		c = fgetc(f);
		if (c == EOF && !any)
			return 0;
		any = 1;
		if (quoted) {
			if (c == EOF)
				return DD_E_INVALID;
			if (c == '"') {
				int d = fgetc(f);
				if (d == '"') {
					c = '"';
				} else {
					quoted = 0;
					if (d != EOF)
						ungetc(d, f);
					continue;
				}
			} else if (c == '\n') {
				(*line)++;
			}
		} else if (c == '"' && n == 0) {
			quoted = 1;
			continue;
		} else if (c == ',' || c == '\n' || c == EOF) {
			if (n > 0 && buf[n - 1] == '\r' && c != ',')
				n--;
			if (ncol >= CSV_COLS)
				return DD_E_INVALID;
			buf[n] = 0;
			if (!(cols[ncol++] = strdup(buf)))
				return DD_E_NOMEM;
			n = 0;
			if (c == ',')
				continue;
			(*line)++;
			return ncol;
		}
		if (n + 1 >= sizeof buf)
			return DD_E_INVALID;
		buf[n++] = (char)c;
	}
}

static void
free_cols(char **cols, int n)
{
	while (n-- > 0) {
		free(cols[n]);
		cols[n] = NULL;
	}
}

/* Line 1 of the file: every name one of names, none twice. */
static int
check_header(struct db *db, const char *path, char **head, int nhead,
	     const char *const *names, const char *what)
{
	int i, j;

	for (i = 0; i < nhead; i++) {
		if (str_in(head[i], names) < 0)
			return db_fail(db, DD_E_INVALID, "%s line %d: unknown "
				       "%s field '%s'", path, 1, what, head[i]);
		for (j = 0; j < i; j++)
			if (strcmp(head[i], head[j]) == 0)
				return db_fail(db, DD_E_INVALID, "%s line %d: "
					       "field '%s' twice", path, 1,
					       head[i]);
	}
	return 0;
}

int
import_csv(struct db *db, const char *path, int charset,
	   const struct csv_kind *k, int64_t *count, cJSON *ids)
{
	char *head[CSV_COLS] = { 0 }, *row[CSV_COLS] = { 0 }, id[64];
	char *text = NULL;
	size_t len = 0;
	int nhead, n, i, line = 0, rc;
	FILE *f = NULL;

	*count = 0;
	if ((rc = read_text(db, path, charset, &text, &len)))
		return rc;
	if (!(f = fmemopen(text, len ? len : 1, "rb"))) {
		free(text);
		return DD_E_NOMEM;
	}
	nhead = len ? csv_record(f, head, &line) : 0;
	if (nhead < 0) {
		rc = db_fail(db, nhead, "%s line %d: malformed CSV (unclosed "
			     "quote or field over %d bytes)", path, 1,
			     CSV_FIELD_MAX);
		goto out;
	}
	if (nhead == 0) {
		rc = db_fail(db, DD_E_INVALID, "%s: no header row", path);
		goto out;
	}
	if ((rc = check_header(db, path, head, nhead, k->names, k->what)))
		goto out;
	if ((rc = db_begin(db)))
		goto out;
	for (;;) {
		int start = line + 1;
		n = csv_record(f, row, &line);
		if (n <= 0) {
			if (n < 0 && !rc)
				rc = db_fail(db, n, "%s line %d: malformed CSV (unclosed "
					     "quote or field over %d bytes)", path,
					     start, CSV_FIELD_MAX);
			break;
		}
		cJSON *fields = cJSON_CreateObject();
		if (!fields) {
			rc = DD_E_NOMEM;
			break;
		}
		if (n != nhead && !(n == 1 && !row[0][0])) {
			rc = db_fail(db, DD_E_INVALID, "%s line %d: %d fields, the "
				     "header has %d", path, start, n, nhead);
		} else if (n == nhead) {
			for (i = 0; i < n; i++)
				if (row[i][0])
					cJSON_AddStringToObject(fields, head[i], row[i]);
			id[0] = 0;
			rc = k->row(db, fields, id, k->ctx);
			if (rc) {
				char why[sizeof db->err];
				memcpy(why, db->err, sizeof why);
				db_fail(db, rc, "%s line %d: %s", path, start, why);
			} else {
				(*count)++;
				if (ids && id[0] && !cJSON_AddItemToArray(ids,
						cJSON_CreateString(id)))
					rc = DD_E_NOMEM;
			}
		}
		cJSON_Delete(fields);
		free_cols(row, CSV_COLS);
		if (rc)
			break;
	}
	rc = db_end(db, rc);
	if (rc) {
		*count = 0;
		while (ids && cJSON_GetArraySize(ids) > 0)
			cJSON_DeleteItemFromArray(ids, 0);
	}
out:
	free_cols(head, CSV_COLS);
	free_cols(row, CSV_COLS);
	fclose(f);
	free(text);
	return rc;
}

/* The names a ledger's header may hold. */
#define F_NAME(name, type) #name,
static const char *const ledger_fields[] = { INCIDENT_FIELDS(F_NAME) NULL };
#undef F_NAME

static int
ledger_row(struct db *db, const cJSON *fields, char id[64], void *ctx)
{
	(void)ctx;
	return incident_add(db, fields, id);
}

int
import_incidents_csv(struct db *db, const char *path, int charset,
		     int64_t *count, cJSON *ids)
{
	const struct csv_kind k = { ledger_fields, "incident", ledger_row, NULL };

	return import_csv(db, path, charset, &k, count, ids);
}
