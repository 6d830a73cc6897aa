/*
 * words.c - the words for the codes records store. A status, a colour,
 * a kind is stored as its code (the same on every replica, whatever the
 * language of the station that wrote it); the console, the sheets and
 * the reports say it in the reader's language at the time they show it.
 * Each catalogue's English name is a message in a context of its own
 * (the catalogue's), so one English word can have two translations.
 */
#include "private.h"

#include <libintl.h>
#include <string.h>

/* The message for an English name in a context: gettext's convention,
 * the context and the name joined by EOT (xgettext -kDD_C_:1c,2). */
#define DD_C_(ctx, s) ctx "\004" s

struct word {
	const char *code;
	const char *msg;  /* DD_C_(): context, EOT, English */
};

#define WORDS_END { NULL, NULL }

static const struct word incident_status[] = {
	{ "reported",   DD_C_("incident status", "reported") },
	{ "verified",   DD_C_("incident status", "verified") },
	{ "responding", DD_C_("incident status", "responding") },
	{ "controlled", DD_C_("incident status", "controlled") },
	{ "closed",     DD_C_("incident status", "closed") },
	{ "reopen",     DD_C_("incident status", "reopen") },
	WORDS_END
};

static const struct word team_status[] = {
	{ "available",      DD_C_("team status", "available") },
	{ "dispatched",     DD_C_("team status", "dispatched") },
	{ "en_route",       DD_C_("team status", "en route") },
	{ "on_scene",       DD_C_("team status", "on scene") },
	{ "returning",      DD_C_("team status", "returning") },
	{ "out_of_service", DD_C_("team status", "out of service") },
	WORDS_END
};

static const struct word team_kind[] = {
	{ "municipal", DD_C_("team kind", "municipal") },
	{ "town",      DD_C_("team kind", "town") },
	{ "fire",      DD_C_("team kind", "fire") },
	{ "social",    DD_C_("team kind", "volunteer") },
	{ "expert",    DD_C_("team kind", "experts") },
	WORDS_END
};

static const struct word area[] = {
	{ "city",  DD_C_("area", "city") },
	{ "rural", DD_C_("area", "rural") },
	WORDS_END
};

static const struct word color[] = {
	{ "blue",   DD_C_("warning colour", "blue") },
	{ "yellow", DD_C_("warning colour", "yellow") },
	{ "orange", DD_C_("warning colour", "orange") },
	{ "red",    DD_C_("warning colour", "red") },
	WORDS_END
};

static const struct word log_kind[] = {
	{ "note",     DD_C_("log kind", "note") },
	{ "zero",     DD_C_("log kind", "zero report") },
	{ "handover", DD_C_("log kind", "handover") },
	WORDS_END
};

static const struct word report_type[] = {
	{ "first",    DD_C_("report type", "first") },
	{ "followup", DD_C_("report type", "follow-up") },
	{ "final",    DD_C_("report type", "final") },
	WORDS_END
};

static const struct word channel[] = {
	{ "phone",   DD_C_("report channel", "phone") },
	{ "written", DD_C_("report channel", "written") },
	WORDS_END
};

static const struct word move_kind[] = {
	{ "receive",  DD_C_("stock move", "receive") },
	{ "issue",    DD_C_("stock move", "issue") },
	{ "transfer", DD_C_("stock move", "transfer") },
	{ "count",    DD_C_("stock move", "stocktake") },
	WORDS_END
};

static const struct word action[] = {
	{ "start",   DD_C_("response action", "start") },
	{ "raise",   DD_C_("response action", "raise") },
	{ "lower",   DD_C_("response action", "lower") },
	{ "end",     DD_C_("response action", "end") },
	{ "confirm", DD_C_("response action", "confirm") },
	WORDS_END
};

static const struct word role[] = {
	{ "command", DD_C_("station role", "command") },
	{ "town",    DD_C_("station role", "town") },
	WORDS_END
};

/* A level is its Roman numeral in every language; only none is said. */
static const struct word level[] = {
	{ "none", DD_C_("level", "none") },
	WORDS_END
};

static const struct word shelter_state[] = {
	{ "open",   DD_C_("shelter state", "open") },
	{ "closed", DD_C_("shelter state", "closed") },
	WORDS_END
};

/* The roles of the people in the directory; the Chinese labels are also
 * what contact_role_parse takes (core/contact.c). */
static const struct word contact_role[] = {
	{ "town_leader",     DD_C_("contact role", "town leader") },
	{ "town_duty",       DD_C_("contact role", "town duty officer") },
	{ "village",         DD_C_("contact role", "village head") },
	{ "shelter_manager", DD_C_("contact role", "shelter manager") },
	{ "team_leader",     DD_C_("contact role", "team leader") },
	{ "risk_monitor",    DD_C_("contact role", "risk monitor") },
	{ "county_leader",   DD_C_("contact role", "county leader") },
	{ "officer",         DD_C_("contact role", "duty officer") },
	WORDS_END
};

/* The kinds of risk point (core/risk.c). */
static const struct word risk_kind[] = {
	{ "geological", DD_C_("risk kind", "geological") },
	{ "torrent",    DD_C_("risk kind", "torrent") },
	{ "reservoir",  DD_C_("risk kind", "reservoir") },
	WORDS_END
};

static const struct word call_outcome[] = {
	{ "answered",     DD_C_("call outcome", "answered") },
	{ "no_answer",    DD_C_("call outcome", "no answer") },
	{ "busy",         DD_C_("call outcome", "busy") },
	{ "left_message", DD_C_("call outcome", "left a message") },
	WORDS_END
};

/* The pseudo-stations that make operations no person made, as the
 * officer who made them (a person's name is not in any catalogue). */
static const struct word officer[] = {
	{ "drill", DD_C_("officer", "drill") },
	{ "seed",  DD_C_("officer", "reference data") },
	WORDS_END
};

/* What an operation does, as a refusal names it. */
static const struct word op_kind[] = {
	{ "town.put",        DD_C_("operation", "change a town") },
	{ "team.put",        DD_C_("operation", "change a team") },
	{ "depot.put",       DD_C_("operation", "change a depot") },
	{ "supply_kind.put", DD_C_("operation", "change a supply kind") },
	{ "shelter.put",     DD_C_("operation", "change a shelter") },
	{ "incident.open",   DD_C_("operation", "take in an incident") },
	{ "incident.update", DD_C_("operation", "edit an incident") },
	{ "incident.status", DD_C_("operation", "change an incident's status") },
	{ "incident.report", DD_C_("operation", "report an incident upward") },
	{ "response.decide", DD_C_("operation", "decide a response level") },
	{ "response.check",  DD_C_("operation", "tick a checklist item") },
	{ "dispatch.create", DD_C_("operation", "dispatch a team") },
	{ "team.status",     DD_C_("operation", "change a team's status") },
	{ "supply.move",     DD_C_("operation", "move stock") },
	{ "shelter.occupy",  DD_C_("operation", "check people in or out") },
	{ "warning.issue",   DD_C_("operation", "issue a warning") },
	{ "warning.answer",  DD_C_("operation", "record a warning's answer") },
	{ "log.add",         DD_C_("operation", "write in the duty log") },
	{ "conflict.ack",    DD_C_("operation", "acknowledge a conflict") },
	{ "drill.setup",     DD_C_("operation", "set up a drill") },
	{ "setting.set",     DD_C_("operation", "change a county setting") },
	{ "setting.local",   DD_C_("operation", "change a station's setting") },
	{ "contact.add",     DD_C_("operation", "add a contact") },
	{ "contact.update",  DD_C_("operation", "change a contact") },
	{ "roster.add",      DD_C_("operation", "put a shift on the roster") },
	{ "roster.update",   DD_C_("operation", "change a shift") },
	{ "call.log",        DD_C_("operation", "log a call") },
	{ "check.log",       DD_C_("operation", "log a spot check") },
	{ "warning.people",  DD_C_("operation", "name who answers a warning") },
	{ "log.mark",        DD_C_("operation", "mark a duty log entry") },
	{ "risk.put",        DD_C_("operation", "change a risk point") },
	{ "risk.evacuate",   DD_C_("operation", "move people out of a risk point") },
	{ "risk.clear",      DD_C_("operation", "mark a risk point cleared") },
	{ "warning.risks",   DD_C_("operation", "name a warning's risk points") },
	WORDS_END
};

static const struct word *const lists[W_N] = {
	[W_INCIDENT_STATUS] = incident_status,
	[W_TEAM_STATUS] = team_status,
	[W_TEAM_KIND] = team_kind,
	[W_AREA] = area,
	[W_COLOR] = color,
	[W_LOG_KIND] = log_kind,
	[W_REPORT_TYPE] = report_type,
	[W_CHANNEL] = channel,
	[W_MOVE_KIND] = move_kind,
	[W_ACTION] = action,
	[W_ROLE] = role,
	[W_OP_KIND] = op_kind,
	[W_OFFICER] = officer,
	[W_SHELTER_STATE] = shelter_state,
	[W_LEVEL] = level,
	[W_CONTACT_ROLE] = contact_role,
	[W_CALL_OUTCOME] = call_outcome,
	[W_RISK_KIND] = risk_kind,
};

static const char *
say(const char *msg)
{
	const char *t = dgettext("dutydesk", msg);

	/* Untranslated: gettext gives the message back, context and all. */
	if (t == msg)
		t = strchr(msg, '\004') + 1;
	return t;
}

const char *
word(enum words w, const char *code)
{
	const struct word *x;

	if (!code || w <= W_NONE || w >= W_N)
		return code ? code : "";
	for (x = lists[w]; x->code; x++)
		if (strcmp(x->code, code) == 0)
			return say(x->msg);
	/* A code from a newer version shows as it is. */
	return code;
}

int
words_chinese(void)
{
	/* TRANSLATORS: the code of this language, "zh" in Chinese. The
	 * console shows town names in Chinese when it is zh. */
	return strcmp(say(DD_C_("language", "en")), "zh") == 0;
}
