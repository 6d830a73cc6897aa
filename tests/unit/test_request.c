/*
 * test_request.c - requests between levels: the state worked out from
 * the steps, the checks at intake (who may take which step, in which
 * state), the stock and the team moved by a send and a receive, and an
 * approval and a refusal made at once on two stations: a conflict listed
 * at both, the same export whatever the order, settled by a later
 * decision.
 */
#include "testlib.h"

static cJSON *
req_row(struct db *db, const char *id)
{
	cJSON *list;

	assert_int_equal(request_list(db, NULL, id, 0, &list), 0);
	tkeep(list);
	assert_int_equal(cJSON_GetArraySize(list), 1);
	return cJSON_GetArrayItem(list, 0);
}

static const char *
req_state(struct db *db, const char *id)
{
	return tstr(req_row(db, id), "state");
}

static int
conflicts_of(struct db *db, const char *id)
{
	char want[80];
	cJSON *list = tlist(db, LIST_CONFLICTS);

	snprintf(want, sizeof want, "request:%s", id);
	return trow(list, "id", want) != NULL;
}

/* The edge cases first: what no station may ask, whatever its role. */
static void
intake_refusals(void **state)
{
	struct db *cmd = tstation("linhai", ROLE_COMMAND, 1);
	struct db *town = tstation("datian", ROLE_TOWN, 1);
	char id[64], step[64], ref[64];
	(void)state;

	trefused(cmd, request_add(cmd, NULL, "tent", 5, NULL, NULL, NULL, id),
		 DD_E_INVALID, "--town");
	trefused(cmd, request_add(cmd, "nowhere", "tent", 5, NULL, NULL, NULL,
				  id), DD_E_NOTFOUND, NULL);
	trefused(town, request_add(town, NULL, "nothing", 5, NULL, NULL, NULL,
				   id), DD_E_NOTFOUND, NULL);
	trefused(town, request_add(town, NULL, "tent", -1, NULL, NULL, NULL, id),
		 DD_E_INVALID, NULL);
	trefused(town, request_add(town, NULL, "tent", 5, "fire", NULL, NULL, id),
		 DD_E_INVALID, NULL);
	trefused(town, request_add(town, NULL, NULL, 0, "boats", NULL, NULL, id),
		 DD_E_NOTFOUND, NULL);
	trefused(town, request_add(town, "gucheng", "tent", 5, NULL, NULL, NULL,
				   id), DD_E_ROLE, NULL);
	trefused(town, request_add(town, NULL, "tent", 5, NULL, "datian-99", NULL,
				   id), DD_E_NOTFOUND, NULL);
	assert_int_equal(request_add(town, NULL, "tent", 5, NULL, NULL, "急需",
				     id), 0);
	assert_string_equal(req_state(town, id), "requested");
	/* The town takes no step but receive, and receives nothing unsent. */
	trefused(town, request_approve(town, id, 0, "d-city", NULL, step),
		 DD_E_ROLE, NULL);
	trefused(town, request_refuse(town, id, "不", step), DD_E_ROLE, NULL);
	trefused(town, request_receive(town, id, NULL, step, ref), DD_E_REFUSED,
		 NULL);
	tsend_all(town, cmd);
	trefused(cmd, request_send(cmd, id, NULL, step, ref), DD_E_REFUSED,
		 NULL);
	trefused(cmd, request_refuse(cmd, id, "", step), DD_E_INVALID, NULL);
	trefused(cmd, request_approve(cmd, id, 0, NULL, NULL, step), DD_E_INVALID,
		 NULL);
	trefused(cmd, request_approve(cmd, id, 0, NULL, "m01", step),
		 DD_E_INVALID, NULL);
	trefused(cmd, request_approve(cmd, id, 0, "nowhere", NULL, step),
		 DD_E_NOTFOUND, NULL);
	trefused(cmd, request_approve(cmd, id, 999999, "d-city", NULL, step),
		 DD_E_REFUSED, NULL);
	trefused(cmd, request_approve(cmd, "linhai-99", 0, "d-city", NULL, step),
		 DD_E_NOTFOUND, NULL);
	assert_int_equal(request_refuse(cmd, id, "库存不足", step), 0);
	assert_string_equal(req_state(cmd, id), "refused");
	trefused(cmd, request_approve(cmd, id, 0, "d-city", NULL, step),
		 DD_E_REFUSED, NULL);
	trefused(cmd, request_send(cmd, id, NULL, step, ref), DD_E_REFUSED,
		 NULL);
}

/* Supplies: approved from the county's depot, sent (the depot issues
 * them), received into the town's depot once. */
static void
supplies_flow(void **state)
{
	struct db *cmd = tstation("linhai", ROLE_COMMAND, 1);
	struct db *town = tstation("datian", ROLE_TOWN, 1), *other;
	char id[64], step[64], ref[64];
	int64_t city, here;
	cJSON *row;
	(void)state;

	city = supply_stock(cmd, "d-city", "tent");
	here = supply_stock(town, "d-datian", "tent");
	assert_true(city >= 4);
	assert_int_equal(request_add(town, NULL, "救灾帐篷", 6, NULL, NULL, NULL, id),
			 0);
	tsend_all(town, cmd);
	assert_int_equal(request_approve(cmd, id, 4, "d-city", NULL, step), 0);
	assert_string_equal(req_state(cmd, id), "approved");
	trefused(cmd, request_approve(cmd, id, 0, "d-city", NULL, step),
		 DD_E_REFUSED, NULL);
	assert_int_equal(request_send(cmd, id, NULL, step, ref), 0);
	assert_int_equal(supply_stock(cmd, "d-city", "tent"), city - 4);
	row = req_row(cmd, id);
	assert_string_equal(tstr(row, "state"), "sent");
	assert_string_equal(tstr(row, "sent_ref"), ref);
	trefused(cmd, request_send(cmd, id, NULL, step, ref), DD_E_REFUSED,
		 NULL);
	tsend_all(cmd, town);
	assert_int_equal(request_receive(town, id, NULL, step, ref), 0);
	assert_int_equal(supply_stock(town, "d-datian", "tent"), here + 4);
	assert_string_equal(req_state(town, id), "received");
	trefused(town, request_receive(town, id, NULL, step, ref), DD_E_REFUSED,
		 "received");
	tsend_all(town, cmd);
	assert_string_equal(texport_of(cmd), texport_of(town));
	/* Another town receives nothing of datian's. */
	other = tstation("gucheng", ROLE_TOWN, 1);
	assert_int_equal(request_add(cmd, "datian", "tent", 1, NULL, NULL, NULL,
				     id), 0);
	assert_int_equal(request_approve(cmd, id, 0, "d-city", NULL, step), 0);
	assert_int_equal(request_send(cmd, id, NULL, step, ref), 0);
	tsend_all(cmd, other);
	trefused(other, request_receive(other, id, NULL, step, ref), DD_E_ROLE,
		 "datian");
	trefused(other, request_add(other, "datian", "tent", 1, NULL, NULL, NULL,
				    id), DD_E_ROLE, NULL);
}

/* A team: approved with an available team, sent to the request's
 * incident (a dispatch), or to one named when the request names none. */
static void
team_flow(void **state)
{
	struct db *cmd = tstation("linhai", ROLE_COMMAND, 1);
	char inc[64], id[64], id2[64], step[64], ref[64];
	cJSON *f = tkeep(cJSON_CreateObject()), *d;
	(void)state;

	cJSON_AddStringToObject(f, "town", "datian");
	cJSON_AddStringToObject(f, "title", "山体滑坡");
	assert_int_equal(incident_add(cmd, f, inc), 0);
	assert_int_equal(request_add(cmd, "datian", NULL, 0, "专职消防队", inc,
				     NULL, id), 0);
	assert_string_equal(tstr(req_row(cmd, id), "team_kind"), "fire");
	trefused(cmd, request_approve(cmd, id, 0, "d-city", NULL, step),
		 DD_E_INVALID, NULL);
	assert_int_equal(request_approve(cmd, id, 0, NULL, "f-datian", step), 0);
	assert_int_equal(request_send(cmd, id, NULL, step, ref), 0);
	d = trow(tlist(cmd, LIST_DISPATCHES), "id", ref);
	assert_non_null(d);
	assert_string_equal(tstr(d, "team"), "f-datian");
	assert_string_equal(tstr(d, "incident"), inc);
	/* The team is out now: not approved for another request. */
	assert_int_equal(request_add(cmd, "datian", NULL, 0, "fire", NULL, NULL,
				     id2), 0);
	trefused(cmd, request_approve(cmd, id2, 0, NULL, "f-datian", step),
		 DD_E_REFUSED, NULL);
	assert_int_equal(request_approve(cmd, id2, 0, NULL, "f-dayang", step), 0);
	trefused(cmd, request_send(cmd, id2, NULL, step, ref), DD_E_INVALID,
		 "incident");
	assert_int_equal(request_send(cmd, id2, inc, step, ref), 0);
	assert_int_equal(request_receive(cmd, id2, NULL, step, ref), 0);
	assert_string_equal(req_state(cmd, id2), "received");
}

/* An approval and a refusal made at once on two command stations: each
 * station, and a town that gets them in either order, lists the
 * conflict and exports the same bytes; a later decision settles it. */
static void
concurrent_decisions(void **state)
{
	struct db *a = tstation("linhai", ROLE_COMMAND, 1);
	struct db *b = tstation("beiyong", ROLE_COMMAND, 1);
	struct db *town = tstation("datian", ROLE_TOWN, 1);
	struct db *other = tstation("gucheng", ROLE_TOWN, 1);
	char id[64], sa[64], sb[64], step[64], ref[64], want[160];
	cJSON *row;
	(void)state;

	assert_int_equal(request_add(town, NULL, "tent", 3, NULL, NULL, NULL, id),
			 0);
	tsend_all(town, a);
	tsend_all(town, b);
	tsend_all(town, other);
	assert_int_equal(request_approve(a, id, 0, "d-city", NULL, sa), 0);
	assert_int_equal(request_refuse(b, id, "另行调拨", sb), 0);
	/* Both orders: a then b at the town, b then a at the other. */
	tsend_all(a, town);
	tsend_all(b, town);
	tsend_all(b, other);
	tsend_all(a, other);
	texchange(a, b);
	assert_string_equal(texport_of(a), texport_of(b));
	assert_string_equal(texport_of(town), texport_of(a));
	assert_string_equal(texport_of(other), texport_of(a));
	assert_string_equal(req_state(a, id), "conflict");
	assert_string_equal(req_state(town, id), "conflict");
	assert_true(conflicts_of(a, id));
	assert_true(conflicts_of(town, id));
	snprintf(want, sizeof want, "%s %s", strcmp(sa, sb) < 0 ? sa : sb,
		 strcmp(sa, sb) < 0 ? sb : sa);
	row = trow(tlist(a, LIST_CONFLICTS), "subject", id);
	assert_string_equal(tstr(row, "members"), want);
	assert_string_equal(tstr(row, "kind"), "request");
	/* Not sent while it is in conflict; acknowledged like any conflict. */
	trefused(a, request_send(a, id, NULL, step, ref), DD_E_REFUSED, NULL);
	snprintf(want, sizeof want, "request:%s", id);
	assert_int_equal(conflict_ack(a, want), 0);
	assert_string_equal(tstr(trow(tlist(a, LIST_CONFLICTS), "id", want),
				 "acked_by"), "tester");
	/* A decision made after both settles it, here and everywhere. */
	assert_int_equal(request_approve(a, id, 0, "d-city", NULL, step), 0);
	assert_string_equal(req_state(a, id), "approved");
	texchange(a, b);
	tsend_all(a, town);
	assert_string_equal(req_state(b, id), "approved");
	assert_string_equal(req_state(town, id), "approved");
	assert_string_equal(texport_of(a), texport_of(b));
	assert_string_equal(texport_of(town), texport_of(a));
	/* The conflict stays listed, acknowledged. */
	assert_true(conflicts_of(town, id));
	assert_int_equal(request_send(a, id, NULL, step, ref), 0);
	/* Received at once at the town and at the county: both kept (the
	 * stock came in twice), listed for a person to put right. */
	tsend_all(a, town);
	assert_int_equal(request_receive(town, id, NULL, step, ref), 0);
	assert_int_equal(request_receive(a, id, NULL, sb, ref), 0);
	trefused(a, request_receive(a, id, NULL, sb, ref), DD_E_REFUSED,
		 "received");
	texchange(a, town);
	assert_string_equal(texport_of(town), texport_of(a));
	snprintf(want, sizeof want, "request:%s:receive", id);
	row = trow(tlist(town, LIST_CONFLICTS), "id", want);
	assert_non_null(row);
	assert_string_equal(tstr(row, "kind"), "request");
	assert_string_equal(req_state(town, id), "received");
}

/* An open request unanswered for request.alert minutes is late; an
 * answer, or a refused or received one, is not. */
static void
late_requests(void **state)
{
	struct db *cmd = tstation("linhai", ROLE_COMMAND, 1);
	char id[64], id2[64], step[64];
	cJSON *list;
	(void)state;

	assert_int_equal(request_add(cmd, "datian", "tent", 1, NULL, NULL, NULL,
				     id), 0);
	assert_int_equal(request_add(cmd, "gucheng", "tent", 1, NULL, NULL, NULL,
				     id2), 0);
	tclock_ms += 29 * 60 * 1000;
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(req_row(cmd, id), "late")));
	tclock_ms += 60 * 1000;
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(req_row(cmd, id), "late")));
	assert_int_equal(request_refuse(cmd, id2, "不需要", step), 0);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(req_row(cmd, id2), "late")));
	assert_int_equal(request_list(cmd, NULL, NULL, 1, &list), 0);
	tkeep(list);
	assert_int_equal(cJSON_GetArraySize(list), 1);
	assert_int_equal(request_list(cmd, "gucheng", NULL, 0, &list), 0);
	tkeep(list);
	assert_int_equal(cJSON_GetArraySize(list), 1);
	assert_int_equal(setting_set(cmd, "request.alert", "60"), 0);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(req_row(cmd, id), "late")));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, tfresh, trelease)
		T(intake_refusals),
		T(supplies_flow),
		T(team_flow),
		T(concurrent_decisions),
		T(late_requests),
#undef T
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	tcleanup();
	return rc;
}
