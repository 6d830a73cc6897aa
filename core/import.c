/*
 * import.c - load an incident ledger kept in a spreadsheet (CSV with a
 * header row) in one transaction: all rows or none.
 */
#include "private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_FIELD_MAX 8192
#define CSV_COLS 64

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

int
import_incidents_csv(struct db *db, const char *path, int64_t *count,
		     cJSON *ids)
{
	char *head[CSV_COLS] = { 0 }, *row[CSV_COLS] = { 0 }, id[64];
	int nhead, n, i, line = 0, rc;
	FILE *f = fopen(path, "rb");

	*count = 0;
	if (!f)
		return db_fail(db, DD_E_INVALID, "cannot read %s", path);
	nhead = csv_record(f, head, &line);
	if (nhead <= 0) {
		rc = nhead < 0 ? nhead : DD_E_INVALID;
		db_fail(db, rc, "%s: no header row", path);
		goto out;
	}
	/* A spreadsheet saved as UTF-8 often starts with a byte-order mark. */
	if (strncmp(head[0], "\xEF\xBB\xBF", 3) == 0)
		memmove(head[0], head[0] + 3, strlen(head[0] + 3) + 1);
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
			rc = incident_add(db, fields, id);
			if (rc) {
				char why[sizeof db->err];
				memcpy(why, db->err, sizeof why);
				db_fail(db, rc, "%s line %d: %s", path, start, why);
			} else {
				(*count)++;
				if (ids && !cJSON_AddItemToArray(ids,
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
	return rc;
}
