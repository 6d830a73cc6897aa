/*
 * draft.c - a half-typed form outlives a dropped link or a closed
 * window: whatever ends the terminal (SIGHUP, a stop, the end of input
 * or a read error on it) the console keeps the form, every field as
 * typed, in DBPATH.draft, and the next console on that database offers
 * it back (the form module holds the offer until a form of the same
 * title opens; see form_offer_draft in form.c).
 */
#include "tui/console.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void
draft_save(const char *dbpath)
{
	cJSON *d = form_snapshot();
	char path[4200], *s;
	FILE *f;

	if (!d)
		return;
	snprintf(path, sizeof path, "%s.draft", dbpath);
	s = cJSON_PrintUnformatted(d);
	f = s ? fopen(path, "w") : NULL;
	if (f) {
		fputs(s, f);
		fputc('\n', f);
		fflush(f);
		fsync(fileno(f));
		fclose(f);
	}
	free(s);
	cJSON_Delete(d);
}

/* A closed window shows on the terminal before any SIGHUP, if one comes
 * at all: the poll of the input fails (status < 0), or the terminal
 * reads as hung up. */
int
draft_terminal_gone(const char *dbpath, int status)
{
	struct pollfd p = { 0, POLLIN, 0 };

	if (status >= 0 && (poll(&p, 1, 0) != 1 ||
			    !(p.revents & (POLLHUP | POLLERR | POLLNVAL))))
		return 0;
	draft_save(dbpath);
	return 1;
}

/* The draft is read once: the file goes as soon as it is read. */
void
draft_load(const char *dbpath)
{
	char path[4200], buf[16384];
	FILE *f;
	size_t n;
	cJSON *d;

	snprintf(path, sizeof path, "%s.draft", dbpath);
	if (!(f = fopen(path, "r")))
		return;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	unlink(path);
	d = cJSON_ParseWithLength(buf, n);
	if (cJSON_IsObject(d) && cJSON_IsString(cJSON_GetObjectItem(d, "title"))) {
		console_msg(0, _("a half-typed form was kept: %s (press a on its "
				 "pane to go on)"), cJSON_GetObjectItem(d, "title")
			    ->valuestring);
		form_offer_draft(d);
	} else {
		cJSON_Delete(d);
	}
}
