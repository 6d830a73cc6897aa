/*
 * shell_args.c - what every verb of the shell shares: its words (options
 * and numbers), what it says (usage, refusals, core's failures) and how it
 * prints (ids, JSON, padded columns, lists and their filters), always on
 * the streams the shell was given.
 */
#include "tui/shell.h"
#include "tui/console.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "core/core.h"
#include "tui/tui.h"

/* ---- the words of a verb ---- */

/* Does spec ("a=,b,c=") declare name, and does it take a value? */
static int
spec_has(const char *spec, const char *name, size_t len, int *takes)
{
	const char *p = spec;

	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		int v = n > 0 && p[n - 1] == '=';
		if ((v ? n - 1 : n) == len && strncmp(p, name, len) == 0) {
			*takes = v;
			return 1;
		}
		p = e ? e + 1 : NULL;
	}
	return 0;
}

int
shell_args_parse(struct shell *sh, const struct cmd *c, int argc,
		 char **argv, struct args *a)
{
	int i, takes;

	memset(a, 0, sizeof *a);
	for (i = 0; i < argc; i++) {
		char *s = argv[i];
		if (strncmp(s, "--", 2) == 0 && s[2]) {
			char *name = s + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			if (!spec_has(c->opts, name, len, &takes))
				return shell_usage(sh, c, "unknown option '%s'", s);
			if (a->nopt == MAX_OPTS)
				return shell_usage(sh, c, "%s", "too many options");
			/* Counted at once, so shell_args_free() frees it on
			 * any exit. */
			a->opt[a->nopt++].name = strndup(name, len);
			if (takes) {
				if (eq)
					a->opt[a->nopt - 1].val = eq + 1;
				else if (i + 1 < argc)
					a->opt[a->nopt - 1].val = argv[++i];
				else
					return shell_usage(sh, c, "option '%s' "
							   "needs a value", s);
			} else if (eq) {
				return shell_usage(sh, c, "option '%s' takes "
						   "no value", s);
			}
		} else {
			if (a->npos == MAX_POS)
				return shell_usage(sh, c, "%s", "too many arguments");
			a->pos[a->npos++] = s;
		}
	}
	if (a->npos < c->minpos)
		return shell_usage(sh, c, "%s", "missing arguments");
	if (a->npos > c->maxpos)
		return shell_usage(sh, c, "unexpected argument '%s'",
				   a->pos[c->maxpos]);
	return 0;
}

void
shell_args_free(struct args *a)
{
	int i;

	for (i = 0; i < a->nopt; i++)
		free((char *)a->opt[i].name);
}

const char *
opt(const struct args *a, const char *name)
{
	int i;

	for (i = a->nopt - 1; i >= 0; i--)
		if (strcmp(a->opt[i].name, name) == 0)
			return a->opt[i].val ? a->opt[i].val : "";
	return NULL;
}

int
shell_qty(const char *s, int64_t lo, int64_t hi, int64_t *v)
{
	char *end;
	long long n;

	if (!s || !*s)
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno || *end || n < lo || n > hi)
		return -1;
	*v = n;
	return 0;
}

/* ---- what a verb says ---- */

int
shell_usage(struct shell *sh, const struct cmd *c, const char *fmt,
	    const char *what)
{
	/* One line, as every message: what is wrong, then the usage. */
	fprintf(sh->err, "dutydesk: ");
	fprintf(sh->err, fmt, what);
	fprintf(sh->err, " (usage: dutydesk %s)\n", c->usage);
	return EXIT_USAGE;
}

int
shell_refuse(struct shell *sh, const char *fmt, const char *what)
{
	fprintf(sh->err, "dutydesk: ");
	fprintf(sh->err, fmt, what);
	fputc('\n', sh->err);
	return EXIT_REFUSED;
}

int
shell_ref(struct shell *sh, enum ref r, const char *what, const char *near,
	   char out[64])
{
	cJSON *list = NULL;
	int rc;

	if (r == REF_ITEM) {
		/* An item is one of its hazard's checklist. */
		if ((rc = ref_list(sh->db, r, near, &list)) == 0)
			rc = ref_find_in(sh->db, r, list, what, out);
		cJSON_Delete(list);
	} else {
		rc = ref_find(sh->db, r, what, out);
	}
	if (rc == 1)
		return 0;
	if (rc < 0)
		return shell_fail(sh, rc);
	fprintf(sh->err, "dutydesk: %s\n", db_errmsg(sh->db));
	return EXIT_REFUSED;
}

int
shell_fail(struct shell *sh, int rc)
{
	if (rc == 0)
		return 0;
	fprintf(sh->err, "dutydesk: %s\n", db_why(sh->db, rc));
	return dd_exitcode(rc);
}

/* ---- what a verb prints ---- */

void
shell_print_id(struct shell *sh, const char *id)
{
	fprintf(sh->out, "%s\n", id);
}

int
shell_made(struct shell *sh, int rc, const char *id)
{
	if (rc)
		return shell_fail(sh, rc);
	shell_print_id(sh, id);
	return 0;
}

int
shell_print_json(struct shell *sh, cJSON *j, int pretty)
{
	char *s = pretty ? cJSON_Print(j) : cJSON_PrintUnformatted(j);

	if (!s)
		return DD_E_NOMEM;
	fputs(s, sh->out);
	fputc('\n', sh->out);
	free(s);
	return 0;
}

/* text_width() measures each character on its own, so the columns are
 * those the console counts. */
void
shell_pad(struct shell *sh, const char *s, int width)
{
	int w = 0, n, cw;
	char one[MB_LEN_MAX + 1];
	mbstate_t st;

	while (s && *s) {
		memset(&st, 0, sizeof st);
		n = (int)mbrlen(s, strlen(s), &st);
		if (n < 1 || n > MB_LEN_MAX)
			n = 1;
		memcpy(one, s, (size_t)n);
		one[n] = 0;
		if (w + (cw = text_width(one)) > width)
			break;
		fwrite(s, 1, (size_t)n, sh->out);
		s += n;
		w += cw;
	}
	while (w++ < width)
		fputc(' ', sh->out);
}

const char *
shell_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	static char num[4][32];
	static int slot;

	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v)) {
		slot = (slot + 1) % 4;
		snprintf(num[slot], sizeof num[slot], "%.0f", v->valuedouble);
		return num[slot];
	}
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v) ? "yes" : "no";
	return "";
}

double
shell_num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

const char *
shell_name(const struct shell *sh, const cJSON *o)
{
	const char *n = shell_str(o, "name"), *p = shell_str(o, "pinyin");
	return sh->utf8 && *n ? n : *p ? p : n;
}

const char *
shell_time(const cJSON *o, const char *k)
{
	static char buf[4][20];
	static int slot;
	int64_t t;
	const char *s = shell_str(o, k);

	if (!*s || time_parse_iso(s, &t))
		return "-";
	slot = (slot + 1) % 4;
	time_format_local(t, buf[slot]);
	return buf[slot];
}

/* ---- lists ---- */

void
shell_header(struct shell *sh, const struct shell_col *header)
{
	const struct shell_col *c;

	for (c = header; c && c->title; c++) {
		if (c->width)
			shell_pad(sh, _(c->title), c->width);
		else
			fprintf(sh->out, "%s", _(c->title));
	}
	if (header)
		fputc('\n', sh->out);
}

int
shell_list(struct shell *sh, const struct args *a, enum list l,
	   cJSON *filter, shell_row_fn *row, const struct shell_col *header)
{
	cJSON *list = NULL, *o;
	int rc = state_list(sh->db, l, filter, &list);

	cJSON_Delete(filter);
	if (rc)
		return shell_fail(sh, rc);
	if (opt(a, "json")) {
		rc = shell_print_json(sh, list, 0);
	} else {
		shell_header(sh, header);
		cJSON_ArrayForEach(o, list)
			row(sh, o);
	}
	cJSON_Delete(list);
	return shell_fail(sh, rc);
}

static int
chinese(const struct shell *sh)
{
	return sh->utf8 && words_chinese();
}

const char *
shell_word(const struct shell *sh, enum words w, const char *code)
{
	return chinese(sh) ? word(w, code) : code;
}

const char *
shell_hazard(const struct shell *sh, const char *code)
{
	return chinese(sh) ? console_hazard(code) : code;
}

const char *
shell_town(struct shell *sh, const char *code)
{
	if (!chinese(sh))
		return code;
	return names_town(sh->db, code, 0);
}

int
shell_filter_ref(struct shell *sh, const struct args *a, cJSON *f,
		 const char *name, enum ref r)
{
	char code[64];
	int rc;

	if (!opt(a, name))
		return 0;
	if ((rc = ref_find(sh->db, r, opt(a, name), code)) != 1)
		return shell_fail(sh, rc < 0 ? rc : DD_E_NOTFOUND);
	cJSON_AddStringToObject(f, name, code);
	return 0;
}
