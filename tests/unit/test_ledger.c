/* The ledger view: which My Number erasures are open, rows, filters,
 * overdue items and one medium's life. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "certs/register/ledger.h"
#include "lib/timefmt.h"

#define E1 "00000000-0000-4000-8000-000000000001"
#define E2 "00000000-0000-4000-8000-000000000002"
#define E3 "00000000-0000-4000-8000-000000000003"
#define D1 "00000000-0000-4000-8000-0000000000d1"

static json_t *cert(int seq, const char *id, const char *serial, const char *time)
{
	return json_pack("{s:i s:s s:s s:s s:s s:s s:s s:s s:s}", "seq", seq, "time", time,
			 "kind", "certificate", "cert_id", id, "serial", serial, "model", "M",
			 "result", "erased", "operator", "山田", "cert_file", "/x/c.json");
}

static json_t *doc(bool my_number, const char *asset, const char *dept)
{
	return json_pack("{s:{s:b s:s s:i s:s} s:s s:{s:s} s:{s:s} s:[{s:s s:n}]}",
			 "asset", "my_number", my_number, "property_number", asset,
			 "confidentiality_class", 3, "reason", "disposal", "customer", dept,
			 "method", "name", "nist-clear", "approval", "approver", "佐藤",
			 "witnesses", "name", "鈴木", "organization");
}

/* E1: My Number, closed by D1; E2: My Number, open; E3: not My Number;
 * a repair line between them shows nothing. */
static void fixture(json_t **lines, json_t **docs)
{
	*lines = json_pack("[o o o o o]",
		cert(1, E1, "S-1", "2026-10-01T10:00:00+09:00"),
		cert(2, E2, "S-2", "2026-10-02T10:00:00+09:00"),
		json_pack("{s:i s:s s:s}", "seq", 3, "kind", "repair", "time",
			  "2026-10-03T10:00:00+09:00"),
		cert(4, E3, "S-3", "2026-10-04T10:00:00+09:00"),
		json_pack("{s:i s:s s:s s:s s:s s:s s:s}", "seq", 5, "time",
			  "2026-11-01T10:00:00+09:00", "kind", "destruction", "cert_id", D1,
			  "serial", "S-1", "closes", E1, "technique", "crush"));
	*docs = json_pack("[o o n o {s:{s:b s:s s:s} s:s s:{s:s} s:[]}]",
		doc(true, "A-1", "市民課"), doc(true, "A-2", "税務課"),
		doc(false, "A-3", "市民課"),
		"asset", "my_number", true, "property_number", "A-1", "department", "市民課",
		"destroyed_at", "2026-11-01T09:00:00+09:00", "operator", "name", "田中",
		"witnesses");
}

static time_t at(const char *s)
{
	time_t t = 0;
	assert_true(kesu_time_parse(s, &t));
	return t;
}

static void open_items(void **state)
{
	(void)state;
	json_t *lines, *docs;
	fixture(&lines, &docs);
	long by;
	assert_false(kesu_ledger_is_open(lines, docs, 0, &by));
	assert_int_equal(by, 4);
	assert_true(kesu_ledger_is_open(lines, docs, 1, &by));
	assert_int_equal(by, -1);
	assert_false(kesu_ledger_is_open(lines, docs, 2, NULL));
	assert_false(kesu_ledger_is_open(lines, docs, 3, NULL));
	assert_false(kesu_ledger_is_open(lines, docs, 4, NULL));
	/* A certificate nobody can read here is open: the ledger never
	 * forgets an item it cannot disprove. */
	json_array_set_new(docs, 3, json_null());
	assert_true(kesu_ledger_is_open(lines, docs, 3, NULL));
	json_decref(lines);
	json_decref(docs);
}

static void rows_and_filters(void **state)
{
	(void)state;
	json_t *lines, *docs;
	fixture(&lines, &docs);
	time_t now = at("2026-11-20T10:00:00+09:00");
	json_t *all = kesu_ledger_rows(lines, docs, NULL, now);
	assert_int_equal(json_array_size(all), 4);
	const json_t *r0 = json_array_get(all, 0);
	for (size_t c = 0; kesu_ledger_columns[c]; c++)
		assert_non_null(json_object_get(r0, kesu_ledger_columns[c]));
	assert_string_equal(json_string_value(json_object_get(r0, "open")), "closed");
	assert_non_null(strstr(json_string_value(json_object_get(r0, "destruction")),
			       "crush 2026-11-01"));
	assert_string_equal(json_string_value(json_object_get(r0, "witnesses")), "鈴木");
	json_decref(all);

	struct kesu_ledger_filter f = {.open_only = true};
	json_t *open = kesu_ledger_rows(lines, docs, &f, now);
	assert_int_equal(json_array_size(open), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(open, 0), "id")), E2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(open, 0), "age_days")), 49);
	json_decref(open);

	f = (struct kesu_ledger_filter){.department = "市民課"};
	json_t *dept = kesu_ledger_rows(lines, docs, &f, now);
	assert_int_equal(json_array_size(dept), 3);
	json_decref(dept);
	f = (struct kesu_ledger_filter){.kind = "destruction"};
	json_t *k = kesu_ledger_rows(lines, docs, &f, now);
	assert_int_equal(json_array_size(k), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(k, 0), "closes")), E1);
	json_decref(k);
	f = (struct kesu_ledger_filter){.kind = "erasure", .asset = "A-3"};
	k = kesu_ledger_rows(lines, docs, &f, now);
	assert_int_equal(json_array_size(k), 1);
	json_decref(k);
	f = (struct kesu_ledger_filter){.asset = "A-404"};
	k = kesu_ledger_rows(lines, docs, &f, now);
	assert_int_equal(json_array_size(k), 0);
	json_decref(k);
	json_decref(lines);
	json_decref(docs);
}

static void overdue(void **state)
{
	(void)state;
	json_t *lines, *docs;
	fixture(&lines, &docs);
	time_t now = at("2026-11-20T10:00:00+09:00");
	json_t *late = kesu_ledger_overdue(lines, docs, 30, now);
	assert_int_equal(json_array_size(late), 1);
	json_decref(late);
	late = kesu_ledger_overdue(lines, docs, 60, now);
	assert_int_equal(json_array_size(late), 0);
	json_decref(late);
	json_decref(lines);
	json_decref(docs);
}

static void trace_and_erasure_for(void **state)
{
	(void)state;
	json_t *lines, *docs;
	fixture(&lines, &docs);
	json_t *t = kesu_ledger_trace(lines, docs, "S-1", 0);
	assert_int_equal(json_array_size(t), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(t, 0), "kind")),
			    "certificate");
	assert_string_equal(json_string_value(json_object_get(json_array_get(t, 1), "kind")),
			    "destruction");
	json_decref(t);
	bool closed;
	assert_int_equal(kesu_ledger_erasure_for(lines, "S-1", &closed), -1);
	assert_true(closed);
	assert_int_equal(kesu_ledger_erasure_for(lines, "S-2", &closed), 1);
	assert_false(closed);
	assert_int_equal(kesu_ledger_erasure_for(lines, "S-9", &closed), -1);
	assert_false(closed);
	json_decref(lines);
	json_decref(docs);
}

/* A spot check joins the medium's life with its verdict, its checker and
 * the certificate it checks; it opens and closes nothing. */
static void verification_in_trace(void **state)
{
	(void)state;
	json_t *lines, *docs;
	fixture(&lines, &docs);
	json_array_append_new(lines, json_pack("{s:i s:s s:s s:s s:s s:s s:s s:s}", "seq", 6,
		"time", "2026-11-02T10:00:00+09:00", "kind", "verification", "cert_id", "00000000-0000-4000-8000-0000000000f1",
		"serial", "S-2", "refers_to", E2, "verdict", "no-data-found", "signer", "佐藤"));
	json_array_append_new(docs, json_pack("{s:{s:s} s:{s:s}}", "device", "model", "M-2",
					      "method", "mode", "sample"));
	json_t *t = kesu_ledger_trace(lines, docs, "S-2", 0);
	assert_int_equal(json_array_size(t), 2);
	const json_t *v = json_array_get(t, 1);
	assert_string_equal(json_string_value(json_object_get(v, "kind")), "verification");
	assert_string_equal(json_string_value(json_object_get(v, "result")), "no-data-found");
	assert_string_equal(json_string_value(json_object_get(v, "operator")), "佐藤");
	assert_string_equal(json_string_value(json_object_get(v, "refers_to")), E2);
	assert_string_equal(json_string_value(json_object_get(v, "method")), "sample");
	assert_string_equal(json_string_value(json_object_get(v, "open")), "");
	assert_true(kesu_ledger_is_open(lines, docs, 1, NULL));
	json_decref(t);
	json_decref(lines);
	json_decref(docs);
}

/* Approvals and hand-overs name media by list: the trace finds them by
 * the serial or, for an approval, by the asset number the medium's
 * certificate records; others' stay out. */
static void approval_and_custody_in_trace(void **state)
{
	(void)state;
	json_t *lines, *docs;
	fixture(&lines, &docs);
	json_array_append_new(lines, json_pack("{s:i s:s s:s s:s}", "seq", 6, "time",
		"2026-09-01T10:00:00+09:00", "kind", "approval", "cert_id", "00000000-0000-4000-8000-0000000000a1"));
	json_array_append_new(docs, json_pack("{s:[s] s:[]}", "assets", "A-2", "serials"));
	json_array_append_new(lines, json_pack("{s:i s:s s:s s:s}", "seq", 7, "time",
		"2026-09-02T10:00:00+09:00", "kind", "approval", "cert_id", "00000000-0000-4000-8000-0000000000a2"));
	json_array_append_new(docs, json_pack("{s:[s] s:[]}", "serials", "S-9", "assets"));
	json_array_append_new(lines, json_pack("{s:i s:s s:s s:s s:[s s]}", "seq", 8, "time",
		"2026-10-05T10:00:00+09:00", "kind", "custody", "cert_id", "00000000-0000-4000-8000-0000000000c1",
		"serials", "S-1", "S-2"));
	json_array_append_new(docs, json_null());
	json_t *t = kesu_ledger_trace(lines, docs, "S-2", 0);
	assert_int_equal(json_array_size(t), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(t, 0), "kind")),
			    "certificate");
	assert_string_equal(json_string_value(json_object_get(json_array_get(t, 1), "kind")),
			    "approval");
	assert_string_equal(json_string_value(json_object_get(json_array_get(t, 2), "kind")),
			    "custody");
	json_decref(t);
	/* S-3's asset A-3 is in no approval; it was never handed over. */
	t = kesu_ledger_trace(lines, docs, "S-3", 0);
	assert_int_equal(json_array_size(t), 1);
	json_decref(t);
	json_decref(lines);
	json_decref(docs);
}

/* The "destruction" cell, one whole sentence per shape (its English is
 * what rows keep; a person reads its translation with the same parts). */
static void destroyed_sentences(void **state)
{
	(void)state;
	json_t *line = json_pack("{s:s}", "technique", "crush");
	json_t *doc = json_pack("{s:s s:{s:s s:s}}", "destroyed_at", "2026-11-01T09:00:00+09:00",
				"destroyed_by", "company", "破砕工業", "person", "佐藤");
	struct kesu_ledger_destroyed d;
	char out[300];
	kesu_ledger_destroyed_of(line, doc, &d);
	snprintf(out, sizeof(out), d.fmt, d.args[0], d.args[1], d.args[2], d.args[3]);
	assert_string_equal(out, "destroyed: crush 2026-11-01 by 破砕工業 (佐藤)");
	json_object_del(doc, "destroyed_at");
	kesu_ledger_destroyed_of(line, doc, &d);
	snprintf(out, sizeof(out), d.fmt, d.args[0], d.args[1], d.args[2], d.args[3]);
	assert_string_equal(out, "destroyed: crush by 破砕工業 (佐藤)");
	json_object_del(doc, "destroyed_by");
	kesu_ledger_destroyed_of(line, doc, &d);
	assert_string_equal(d.fmt, "destroyed: %s");
	assert_string_equal(d.args[0], "crush");
	assert_string_equal(d.args[1], "");
	/* An unreadable document: the line's technique alone. */
	kesu_ledger_destroyed_of(line, json_null(), &d);
	assert_string_equal(d.fmt, "destroyed: %s");
	/* A company name longer than its part is cut on a character. */
	char longname[400] = "";
	for (int i = 0; i < 60; i++)
		strcat(longname, "株");
	json_decref(doc);
	doc = json_pack("{s:s s:{s:s s:s}}", "destroyed_at", "2026-11-01T09:00:00+09:00",
			"destroyed_by", "company", longname, "person", "p");
	kesu_ledger_destroyed_of(line, doc, &d);
	assert_true(strlen(d.args[2]) < sizeof(d.args[2]));
	assert_int_equal(strlen(d.args[2]) % 3, 0);
	json_decref(line);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_items),
		cmocka_unit_test(destroyed_sentences),
		cmocka_unit_test(rows_and_filters),
		cmocka_unit_test(overdue),
		cmocka_unit_test(trace_and_erasure_for),
		cmocka_unit_test(verification_in_trace),
		cmocka_unit_test(approval_and_custody_in_trace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
