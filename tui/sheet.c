/*
 * sheet.c - the shift handover as a plain-text sheet for any printer:
 * who hands over to whom and when, what stays open (incidents, responses
 * in force, teams out, towns that have not answered), and lines for both
 * signatures. UTF-8, or GB18030 for printers that need it.
 */
#include "tui/tui.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/console.h"

static const char *
s_(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static const char *
when(const cJSON *o, const char *k)
{
	static char buf[4][20];
	static int slot;
	int64_t t;

	if (time_parse_iso(s_(o, k), &t))
		return "-";
	slot = (slot + 1) % 4;
	time_format_local(t, buf[slot]);
	return buf[slot];
}

static int
write_sheet(struct db *db, const cJSON *entry, FILE *f)
{
	struct station_info si;
	cJSON *list = NULL, *filter, *r;
	int rc, n;

	if ((rc = station_identity(db, &si)))
		return rc;
	/* A drill's printout says so before anything else. */
	if (strcmp(si.realm, "live") != 0)
		fprintf(f, "*** %s (%s) ***\n", _("DRILL: NOT A REAL SHIFT"),
			si.realm);
	fprintf(f, "%s  %s\n", si.station, _("SHIFT HANDOVER SHEET (交接班记录)"));
	fprintf(f, "==============================================================\n");
	fprintf(f, "%-12s %s\n", _("Time:"), when(entry, "at"));
	fprintf(f, "%-12s %s\n", _("Outgoing:"), s_(entry, "officer"));
	fprintf(f, "%-12s %s\n", _("Incoming:"), s_(entry, "to_officer"));
	fprintf(f, "%-12s %s\n\n", _("Summary:"), s_(entry, "text"));

	filter = cJSON_CreateObject();
	cJSON_AddNumberToObject(filter, "open", 1);
	rc = state_list(db, LIST_INCIDENTS, filter, &list);
	cJSON_Delete(filter);
	if (rc)
		return rc;
	fprintf(f, "%s (%d)\n", _("Open incidents"), cJSON_GetArraySize(list));
	cJSON_ArrayForEach(r, list)
		fprintf(f, "  %-14s %s  %-12s %-11s %s  [%s %s, %s %s]\n", s_(r, "id"),
			when(r, "received_at"), s_(r, "town"), s_(r, "status"),
			*s_(r, "title") ? s_(r, "title") : s_(r, "place"),
			_("phone"), *s_(r, "phone_done_at") ? _("sent up")
			: _("NOT YET"),
			_("written"), *s_(r, "written_done_at") ? _("sent up")
			: _("NOT YET"));
	cJSON_Delete(list);

	if ((rc = state_list(db, LIST_RESPONSES, NULL, &list)))
		return rc;
	fprintf(f, "\n%s\n", _("Responses in force"));
	n = 0;
	cJSON_ArrayForEach(r, list) {
		if (cJSON_GetObjectItem(r, "level")->valuedouble <= 0)
			continue;
		fprintf(f, "  %-16s %-4s %s %s, %s %s%s\n", s_(r, "hazard"),
			s_(r, "level_name"), _("since"), when(r, "at"), _("signed by"),
			s_(r, "signed_by"), cJSON_IsTrue(cJSON_GetObjectItem(r,
			"conflict")) ? _("  CONFLICT: to confirm") : "");
		n++;
	}
	if (!n)
		fprintf(f, "  %s\n", _("none"));
	cJSON_Delete(list);

	if ((rc = state_list(db, LIST_TEAMS, NULL, &list)))
		return rc;
	fprintf(f, "\n%s\n", _("Teams out"));
	n = 0;
	cJSON_ArrayForEach(r, list) {
		if (strcmp(s_(r, "status"), "available") == 0)
			continue;
		fprintf(f, "  %-12s %-15s %s %s\n", s_(r, "id"), s_(r, "status"),
			s_(r, "incident"), when(r, "status_at"));
		n++;
	}
	if (!n)
		fprintf(f, "  %s\n", _("none"));
	cJSON_Delete(list);

	if ((rc = state_list(db, LIST_ANSWERS, NULL, &list)))
		return rc;
	fprintf(f, "\n%s\n", _("Towns that have not answered a warning (叫应)"));
	n = 0;
	cJSON_ArrayForEach(r, list) {
		if (*s_(r, "id"))
			continue;
		fprintf(f, "  %-14s %s\n", s_(r, "warning"), s_(r, "town"));
		n++;
	}
	if (!n)
		fprintf(f, "  %s\n", _("none"));
	cJSON_Delete(list);

	fprintf(f, "\n%s ____________________    %s ____________________\n",
		_("Outgoing officer signs:"), _("Incoming officer signs:"));
	return 0;
}

/* Convert UTF-8 text to GB18030 (every Unicode character has a form). */
int
sheet_gb18030(const char *in, size_t n, FILE *out)
{
	iconv_t cd = iconv_open("GB18030", "UTF-8");
	char buf[4096], *src = (char *)in, *dst;
	size_t left = n, room;

	if (cd == (iconv_t)-1)
		return DD_E_IO;
	while (left > 0) {
		dst = buf;
		room = sizeof buf;
		if (iconv(cd, &src, &left, &dst, &room) == (size_t)-1 &&
		    errno != E2BIG) {
			iconv_close(cd);
			return DD_E_INVALID;
		}
		fwrite(buf, 1, sizeof buf - room, out);
	}
	iconv_close(cd);
	return 0;
}

int
sheet_handover(struct db *db, const char *id, int gb18030, FILE *out)
{
	cJSON *log = NULL, *r, *entry = NULL;
	char *text = NULL;
	size_t n = 0;
	FILE *mem;
	int rc;

	if ((rc = state_list(db, LIST_LOG, NULL, &log)))
		return rc;
	cJSON_ArrayForEach(r, log)
		if (strcmp(s_(r, "kind"), "handover") == 0 &&
		    (!id || strcmp(s_(r, "id"), id) == 0))
			entry = r; /* the last one, or the one asked for */
	if (!entry) {
		cJSON_Delete(log);
		return db_fail(db, DD_E_NOTFOUND, id ? "no handover '%s'"
			       : "no handover recorded yet%s", id ? id : "");
	}
	mem = open_memstream(&text, &n);
	if (!mem) {
		cJSON_Delete(log);
		return DD_E_NOMEM;
	}
	rc = write_sheet(db, entry, mem);
	fclose(mem);
	if (!rc) {
		if (gb18030)
			rc = sheet_gb18030(text, n, out);
		else
			fwrite(text, 1, n, out);
	}
	free(text);
	cJSON_Delete(log);
	return rc;
}
