/* Custody of media (certs/document/custody.c): the document's strict
 * check and the chain verdict, one gap at a time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "certs/document/custody.h"

#include <string.h>

#define ID "0b7e2c1a-1111-4222-8333-444455556666"
#define CITY "テスト市"
#define CONTRACTOR "消去株式会社"
#define VENDOR "破砕センター"

static struct kesu_custody_hop hop(const char *id, const char *from, const char *to,
				   time_t at, bool destruction)
{
	struct kesu_custody_hop h = {id, from, to, at, destruction, true};
	return h;
}

static bool has_gap(const struct kesu_custody_gaps *g, const char *needle)
{
	for (size_t i = 0; i < g->n; i++)
		if (strstr(g->gap[i], needle))
			return true;
	return false;
}

static void complete_chain_in_any_order(void **state)
{
	(void)state;
	struct kesu_custody_hop h[] = {hop("b", CONTRACTOR, VENDOR, 200, true),
				       hop("a", CITY, CONTRACTOR, 100, false)};
	struct kesu_custody_gaps g;
	kesu_custody_chain(h, 2, CITY, &g);
	assert_int_equal(g.n, 0);
	assert_true(g.destroyed);
	assert_string_equal(g.holder, VENDOR);
}

static void each_gap(void **state)
{
	(void)state;
	struct kesu_custody_gaps g;
	struct kesu_custody_hop stops[] = {hop("a", CITY, CONTRACTOR, 100, false)};
	kesu_custody_chain(stops, 1, CITY, &g);
	assert_int_equal(g.n, 1);
	assert_true(has_gap(&g, "does not end at destruction: " CONTRACTOR " holds"));

	struct kesu_custody_hop skip[] = {hop("a", CITY, CONTRACTOR, 100, false),
					  hop("b", "別の業者", VENDOR, 200, true)};
	kesu_custody_chain(skip, 2, CITY, &g);
	assert_int_equal(g.n, 1);
	assert_true(has_gap(&g, "from 別の業者, which did not hold the medium (" CONTRACTOR " did)"));

	struct kesu_custody_hop origin[] = {hop("a", CONTRACTOR, VENDOR, 100, true)};
	kesu_custody_chain(origin, 1, CITY, &g);
	assert_true(has_gap(&g, "did not hold the medium (" CITY " did)"));
	kesu_custody_chain(origin, 1, NULL, &g);
	assert_int_equal(g.n, 0);

	struct kesu_custody_hop unack[] = {hop("a", CITY, VENDOR, 100, true)};
	unack[0].received = false;
	kesu_custody_chain(unack, 1, CITY, &g);
	assert_int_equal(g.n, 1);
	assert_true(has_gap(&g, "not acknowledged by the receiver"));

	struct kesu_custody_hop after[] = {hop("a", CITY, VENDOR, 100, true),
					   hop("b", VENDOR, CONTRACTOR, 200, false)};
	kesu_custody_chain(after, 2, CITY, &g);
	assert_true(has_gap(&g, "after the medium was handed over for destruction"));

	kesu_custody_chain(NULL, 0, CITY, &g);
	assert_int_equal(g.n, 1);
	assert_true(has_gap(&g, "never left " CITY));
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* The register's destruction closes a chain that reached the destroyer;
 * without one the medium is open with its holder and date; one registered
 * where custody never reached the destroyer, or before it did, is a gap. */
static void settled_by_the_register(void **state)
{
	(void)state;
	struct kesu_custody_gaps g;
	struct kesu_custody_status st;
	struct kesu_custody_destruction none = {NULL, 0}, late = {"d-1", 300},
		early = {"d-1", 150};
	struct kesu_custody_hop full[] = {hop("a", CITY, CONTRACTOR, 100, false),
					  hop("b", CONTRACTOR, VENDOR, 200, true)};
	kesu_custody_chain(full, 2, CITY, &g);
	kesu_custody_settle(full, 2, &late, &g, &st);
	assert_true(st.closed);
	assert_int_equal(g.n, 0);
	assert_true(starts(st.text, "closed: destroyed (destruction d-1 registered at "));
	assert_non_null(strstr(st.text, "last held by " VENDOR));

	kesu_custody_chain(full, 2, CITY, &g);
	kesu_custody_settle(full, 2, &none, &g, &st);
	assert_false(st.closed);
	assert_int_equal(g.n, 0);
	assert_true(starts(st.text, "open: in custody of " VENDOR " since "));
	assert_non_null(strstr(st.text, ", not destroyed"));

	kesu_custody_chain(full, 2, CITY, &g);
	kesu_custody_settle(full, 2, &early, &g, &st);
	assert_false(st.closed);
	assert_true(has_gap(&g, "before the medium was handed over for destruction"));

	struct kesu_custody_hop half[] = {hop("a", CITY, CONTRACTOR, 100, false)};
	kesu_custody_chain(half, 1, CITY, &g);
	size_t before = g.n;
	kesu_custody_settle(half, 1, &late, &g, &st);
	assert_false(st.closed);
	assert_int_equal(g.n, before + 1);
	assert_true(has_gap(&g, "destruction d-1 is registered at "));
	assert_true(has_gap(&g, "custody never reached the destroyer: " CONTRACTOR
			    " holds the medium"));
	assert_true(starts(st.text, "open: in custody of " CONTRACTOR " since "));

	kesu_custody_chain(NULL, 0, CITY, &g);
	kesu_custody_settle(NULL, 0, &none, &g, &st);
	assert_string_equal(st.text, "open: in custody of " CITY ", not destroyed");
}

static json_t *doc(void)
{
	static const char *const serials[] = {"SN-1"};
	struct kesu_custody_req r = {serials, 1, {"市 職員", CITY}, {"業者 一郎", CONTRACTOR},
				     100, "サーバ室", "SEAL-1", NULL, false};
	json_t *d;
	struct kesu_err err;
	assert_int_equal(kesu_custody_build(&r, ID, "2026-12-01T09:00:00Z", &d, &err), KESU_OK);
	return d;
}

static void document_is_strict(void **state)
{
	(void)state;
	struct kesu_err err;
	json_t *d = doc();
	assert_int_equal(kesu_custody_check(d, &err), KESU_OK);
	json_object_set_new(d, "serials", json_array());
	assert_int_equal(kesu_custody_check(d, &err), KESU_ERR_INVALID);
	json_decref(d);
	d = doc();
	json_object_set_new(json_object_get(d, "to"), "organization", json_string(CITY));
	assert_int_equal(kesu_custody_check(d, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "same party"));
	json_decref(d);
	d = doc();
	json_object_set_new(d, "purpose", json_string("lost"));
	assert_int_equal(kesu_custody_check(d, &err), KESU_ERR_INVALID);
	json_decref(d);
	d = doc();
	json_object_set_new(json_object_get(d, "from"), "badge", json_string("1"));
	assert_int_equal(kesu_custody_check(d, &err), KESU_ERR_INVALID);
	json_decref(d);
	static const char *const serials[] = {"SN-\u2066"};
	struct kesu_custody_req r = {serials, 1, {"a", "b"}, {"c", "d"}, 1, "p", NULL, NULL, true};
	assert_int_equal(kesu_custody_build(&r, ID, "2026-12-01T09:00:00Z", &d, &err),
			 KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "U+2066"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(complete_chain_in_any_order),
		cmocka_unit_test(each_gap),
		cmocka_unit_test(settled_by_the_register),
		cmocka_unit_test(document_is_strict),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
