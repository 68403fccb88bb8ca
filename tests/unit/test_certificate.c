/* The certificate model: deterministic bytes, strict parsing, the
 * consistency verdict, and that results are never dressed up. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "certs/document/cert_health.h"
#include "certs/document/certificate.h"
#include "lib/fileio.h"
#include "lib/strutil.h"
#include "lib/timefmt.h"

static const char *ID = "0b7e2c1a-1111-4222-8333-444455556666";
static const char *NOW = "2026-11-22T11:00:00+09:00";

static void info_fill(struct kesu_cert_info *i)
{
	memset(i, 0, sizeof(*i));
	strcpy(i->operator_name, "山田 太郎");
	strcpy(i->operator_organization, "テスト消去株式会社");
	strcpy(i->customer, "総務課");
	strcpy(i->property_number, "A-0001");
	i->confidentiality_class = 3;
	strcpy(i->reason, "disposal");
	strcpy(i->approver, "佐藤 花子");
	strcpy(i->approval_date, "2026-11-20");
	strcpy(i->witnesses[0].name, "鈴木 一郎");
	i->n_witnesses = 1;
}

static json_t *load_run(const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "tests/fixtures/runs/%s", name);
	json_error_t je;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	assert_non_null(j);
	return j;
}

static json_t *build(const char *run, const struct kesu_cert_info *info)
{
	json_t *rr = load_run(run), *c = NULL;
	struct kesu_err err = {0};
	enum kesu_rc rc = kesu_cert_build(rr, run, "00112233445566778899aabbccddeeff"
					  "00112233445566778899aabbccddeeff",
					  info, ID, NOW, &c, &err);
	if (rc)
		fail_msg("build failed: %s", err.msg);
	json_decref(rr);
	return c;
}

static void serialization_is_deterministic(void **state)
{
	(void)state;
	struct kesu_cert_info info;
	info_fill(&info);
	json_t *a = build("erased.json", &info), *b = build("erased.json", &info);
	size_t la, lb;
	char *sa = kesu_cert_serialize(a, &la), *sb = kesu_cert_serialize(b, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(sa, sb, la);
	assert_int_equal(sa[la - 1], '\n');
	/* UTF-8 stays as is, keys are sorted. */
	assert_non_null(strstr(sa, "住民データ"));
	assert_true(strstr(sa, "\"approval\"") < strstr(sa, "\"asset\""));
	/* It parses back to an equal document. */
	json_t *back;
	struct kesu_err err = {0};
	assert_int_equal(kesu_cert_parse(sa, la, &back, &err), KESU_OK);
	assert_true(json_equal(back, a));
	struct kesu_cert_verdict v;
	kesu_cert_judge(back, &v);
	assert_int_equal(v.n_errors, 0);
	assert_false(v.physical_destruction_required);
	json_decref(back);
	free(sa);
	free(sb);
	json_decref(a);
	json_decref(b);
}

static void results_are_never_dressed_up(void **state)
{
	(void)state;
	struct kesu_cert_info info;
	info_fill(&info);
	json_t *c = build("interrupted.json", &info);
	assert_string_equal(json_string_value(json_object_get(c, "result")), "not-erased");
	struct kesu_cert_verdict v;
	kesu_cert_judge(c, &v);
	assert_int_equal(v.n_errors, 0);
	assert_non_null(strstr(v.warnings[0], "NOT ERASED"));
	json_decref(c);
	c = build("exceptions.json", &info);
	assert_string_equal(json_string_value(json_object_get(c, "result")),
			    "erased-with-exceptions");
	json_decref(c);
	c = build("purge.json", &info);
	assert_string_equal(json_string_value(json_object_get(c, "result")), "erased");
	assert_true(json_is_object(json_object_get(json_object_get(c, "method"), "firmware")));
	json_decref(c);
	assert_string_equal(kesu_cert_result_for_run("failed"), "not-erased");
	assert_string_equal(kesu_cert_result_for_run("bogus"), "not-erased");
}

/* A run that failed before it started has no times: still certified, as
 * not-erased; an "erased" without times is a contradiction. */
static void run_without_times(void **state)
{
	(void)state;
	struct kesu_cert_info info;
	info_fill(&info);
	json_t *rr = load_run("interrupted.json"), *c = NULL;
	json_object_set_new(rr, "started_at", json_null());
	json_object_set_new(rr, "ended_at", json_null());
	json_object_set_new(rr, "result", json_string("failed"));
	struct kesu_err err = {0};
	assert_int_equal(kesu_cert_build(rr, "r.json", "00112233445566778899aabbccddeeff"
					 "00112233445566778899aabbccddeeff", &info, ID, NOW,
					 &c, &err), KESU_OK);
	assert_string_equal(json_string_value(json_object_get(c, "result")), "not-erased");
	assert_true(json_is_null(json_object_get(json_object_get(c, "execution"), "started_at")));
	struct kesu_cert_verdict v;
	kesu_cert_judge(c, &v);
	assert_int_equal(v.n_errors, 0);
	json_object_set_new(c, "result", json_string("erased"));
	json_object_set_new(json_object_get(c, "execution"), "run_result", json_string("erased"));
	kesu_cert_judge(c, &v);
	assert_true(v.n_errors > 0);
	json_decref(c);
	json_decref(rr);
}

static void my_number_requires_destruction(void **state)
{
	(void)state;
	struct kesu_cert_info info;
	info_fill(&info);
	info.my_number = true;
	json_t *c = build("erased.json", &info);
	assert_true(json_is_true(json_object_get(c, "physical_destruction_required")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(c, "notes"), 0)),
			    KESU_CERT_MY_NUMBER_NOTE);
	struct kesu_cert_verdict v;
	kesu_cert_judge(c, &v);
	assert_int_equal(v.n_errors, 0);
	assert_true(v.physical_destruction_required);
	bool warned = false;
	for (size_t i = 0; i < v.n_warnings; i++)
		warned |= strstr(v.warnings[i], "PHYSICAL DESTRUCTION REQUIRED") != NULL;
	assert_true(warned);
	/* A certificate claiming My Number media needs no destruction lies. */
	json_object_set_new(c, "physical_destruction_required", json_false());
	kesu_cert_judge(c, &v);
	assert_int_equal(v.n_errors, 1);
	assert_non_null(strstr(v.errors[0], "My Number"));
	json_decref(c);
}

/* Each mutation of a good "erased" certificate must be judged an error. */
static void verdict_catches_contradictions(void **state)
{
	(void)state;
	struct kesu_cert_info info;
	info_fill(&info);
	const char *muts[] = {"bad_range", "verify_failed", "verify_incomplete",
			      "verify_skipped", "mismatch", "end_before_start",
			      "short_verify", "short_write", "issued_early",
			      "result_vs_run"};
	for (size_t m = 0; m < sizeof(muts) / sizeof(muts[0]); m++) {
		json_t *c = build("erased.json", &info);
		json_t *ex = json_object_get(c, "execution");
		json_t *ver = json_object_get(json_object_get(c, "method"), "verification");
		const char *k = muts[m];
		if (!strcmp(k, "bad_range"))
			json_array_append_new(json_object_get(ex, "bad_ranges"),
				json_pack("{s:i s:i s:s}", "first_lba", 8, "count", 1,
					  "operation", "verify"));
		else if (!strcmp(k, "verify_failed"))
			json_object_set_new(ver, "outcome", json_string("failed"));
		else if (!strcmp(k, "verify_incomplete"))
			json_object_set_new(ver, "outcome", json_string("incomplete"));
		else if (!strcmp(k, "verify_skipped"))
			json_object_set_new(ver, "outcome", json_string("skipped"));
		else if (!strcmp(k, "mismatch"))
			json_object_set_new(ver, "mismatched_blocks", json_integer(3));
		else if (!strcmp(k, "end_before_start"))
			json_object_set_new(ex, "ended_at", json_string("2026-11-22T09:59:59+09:00"));
		else if (!strcmp(k, "short_verify"))
			json_object_set_new(ex, "bytes_verified", json_integer(4096));
		else if (!strcmp(k, "short_write"))
			json_object_set_new(ex, "bytes_written", json_integer(4096));
		else if (!strcmp(k, "issued_early"))
			json_object_set_new(c, "issued_at", json_string("2026-11-22T10:03:00+09:00"));
		else
			json_object_set_new(ex, "run_result", json_string("interrupted"));
		struct kesu_err err = {0};
		assert_int_equal(kesu_cert_check(c, &err), KESU_OK);
		struct kesu_cert_verdict v;
		kesu_cert_judge(c, &v);
		if (v.n_errors == 0)
			fail_msg("mutation %s was not caught", k);
		json_decref(c);
	}
}

/* Forged "erased" certificates that kesu_cert_judge must refuse (issue
 * #10, item 9).  Each row mutates a good certificate in one way. */
struct forgery {
	const char *name;
	/* Up to 4 changes {"obj.key" or "key", new value as JSON}. */
	const char *change[4][2];
};

static const struct forgery FORGERIES[] = {
	{"erased without verification", {{"method.verification.mode", "\"none\""}, {"method.verification.outcome", "\"skipped\""}}},
	{"unknown technique", {{"method.technique", "\"magic\""}}},
	{"unknown method", {{"method.name", "\"quick-format\""}}},
	{"technique not the method's", {{"method.technique", "\"crypto-erase\""}}},
	{"overwrite called NIST purge", {{"method.nist_category", "\"purge\""}}},
	{"overwrite after an overwrite", {{"method.name", "\"zero+nist-clear\""}}},
	{"purge that chose no command", {{"method.name", "\"purge\""}, {"method.technique", "\"auto\""}}},
	{"size 0", {{"device.size_bytes", "0"}}},
	{"zero bytes written, size 0", {{"device.size_bytes", "0"}, {"execution.bytes_written", "0"}}},
	{"not-erased run started after its certificate", {{"execution.started_at", "\"2026-11-22T11:30:00+09:00\""}, {"execution.ended_at", "null"}, {"execution.run_result", "\"failed\""}, {"result", "\"not-erased\""}}},
	{"approval the day after", {{"approval.date", "\"2026-11-23\""}}},
	{"approval an hour after the start", {{"approval.date", "\"2026-11-22T10:30:00+09:00\""}}},
	{"My Number returned to the lessor", {{"asset.my_number", "true"}, {"asset.reason", "\"lease-return\""}, {"physical_destruction_required", "true"}}},
	{"My Number with a destination", {{"asset.my_number", "true"}, {"asset.destination", "\"中古販売業者\""}, {"physical_destruction_required", "true"}}},
	{"blank operator", {{"operator.name", "\"   \""}}},
	{"ideographic-space customer", {{"customer", "\"\u3000\u3000\""}}},
	{"blank asset number", {{"asset.property_number", "\"\\t \""}}},
	{"blank approver", {{"approval.approver", "\" \""}}},
	{"bidi override in the asset number", {{"asset.property_number", "\"A-\u202e1000\""}}},
	{"bidi isolate in the approver", {{"approval.approver", "\"\u2066佐藤\u2069\""}}},
	{"zero-width space in the operator", {{"operator.name", "\"山田\u200b太郎\""}}},
	{"BOM in the device model", {{"device.model", "\"\ufeffWDC\""}}},
	{"RLM in the serial", {{"device.serial", "\"WD-\u200fWCC6\""}}},
	{"word joiner in a note", {{"notes", "[\"\u2060x\"]"}}},
	{"tag character in the customer", {{"customer", "\"総務課\\udb40\\udc41\""}}},
	{"firmware placeholder as the host serial", {{"host", "{\"vendor\": \"Dell Inc.\", \"serial\": \"To Be Filled By O.E.M.\"}"}}},
	{"blank host asset tag", {{"host", "{\"asset_tag\": \"   \"}"}}},
	{"bidi override in the host vendor", {{"host", "{\"vendor\": \"\u202eDell\"}"}}},
};

/* Set path (one or two levels) in c to the JSON text value. */
static void set_path(json_t *c, const char *path, const char *value)
{
	json_error_t je;
	json_t *val = json_loads(value, JSON_DECODE_ANY, &je);
	if (!val)
		fail_msg("bad JSON in test: %s", value);
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", path);
	json_t *o = c;
	char *save = NULL, *tok = strtok_r(buf, ".", &save), *next;
	while ((next = strtok_r(NULL, ".", &save))) {
		o = json_object_get(o, tok);
		tok = next;
	}
	json_object_set_new(o, tok, val);
}

static void verdict_catches_forgeries(void **state)
{
	(void)state;
	struct kesu_cert_info info;
	info_fill(&info);
	size_t n = sizeof(FORGERIES) / sizeof(FORGERIES[0]), missed = 0;
	for (size_t i = 0; i < n; i++) {
		const struct forgery *f = &FORGERIES[i];
		json_t *c = build("erased.json", &info);
		for (size_t k = 0; k < 4 && f->change[k][0]; k++)
			set_path(c, f->change[k][0], f->change[k][1]);
		struct kesu_cert_verdict v;
		kesu_cert_judge(c, &v);
		if (v.n_errors == 0) {
			print_message("forgery not caught: %s\n", f->name);
			missed++;
		}
		json_decref(c);
	}
	print_message("judge forgeries: %zu tried, %zu caught, %zu missed\n", n,
		      n - missed, missed);
	assert_int_equal(missed, 0);
}

/* What must still pass: the rules above may not refuse honest work. */
static void verdict_accepts_honest_variants(void **state)
{
	(void)state;
	struct kesu_cert_info info;
	info_fill(&info);
	static const struct forgery honest[] = {
	{"approval the same day (date only)", {{"approval.date", "\"2026-11-22\""}}},
	{"approval minutes before", {{"approval.date", "\"2026-11-22T09:55:00+09:00\""}}},
	{"custom passes", {{"method.name", "\"custom\""}}},
	{"purge then overwrite", {{"method.name", "\"nvme-sanitize-crypto+nist-clear\""}, {"method.technique", "\"crypto-erase\""}}},
	{"ATA secure erase only reaching clear", {{"method.name", "\"ata-secure-erase\""}, {"method.technique", "\"secure-erase\""}}},
	{"My Number for disposal", {{"asset.my_number", "true"}, {"physical_destruction_required", "true"}}},
	{"a hidden character in a label read from the disk", {{"before.partitions", "[{\"label\": \"\u202egnp.exe\"}]"}}},
	{"Japanese names with variation selectors", {{"operator.name", "\"葛\\udb40\\udd00城 太郎\""}}},
	{"the host as its firmware names it", {{"host", "{\"vendor\": \"QEMU\", \"product\": \"Standard PC (i440FX + PIIX, 1996)\", \"serial\": \"KESU-HOST-0042\", \"asset_tag\": \"TKY-PC-00042\"}"}}},
};
	for (size_t i = 0; i < sizeof(honest) / sizeof(honest[0]); i++) {
		json_t *c = build("erased.json", &info);
		for (size_t k = 0; k < 4 && honest[i].change[k][0]; k++)
			set_path(c, honest[i].change[k][0], honest[i].change[k][1]);
		struct kesu_cert_verdict v;
		kesu_cert_judge(c, &v);
		if (v.n_errors)
			fail_msg("honest variant '%s' refused: %s", honest[i].name, v.errors[0]);
		json_decref(c);
	}
	/* The purge fixture and an interrupted run with a bare "purge". */
	json_t *c = build("purge.json", &info);
	struct kesu_cert_verdict v;
	kesu_cert_judge(c, &v);
	assert_int_equal(v.n_errors, 0);
	json_decref(c);
	c = build("interrupted.json", &info);
	set_path(c, "method.name", "\"purge\"");
	set_path(c, "method.technique", "\"auto\"");
	set_path(c, "method.nist_category", "\"purge\"");
	kesu_cert_judge(c, &v);
	if (v.n_errors)
		fail_msg("interrupted purge refused: %s", v.errors[0]);
	json_decref(c);
}

/* Time rules that need the checker's clock and the signing time. */
static void verdict_checks_signing_time(void **state)
{
	(void)state;
	struct kesu_cert_info info;
	info_fill(&info);
	json_t *c = build("erased.json", &info);
	time_t issued;
	assert_true(kesu_time_parse(NOW, &issued));
	struct kesu_cert_verdict v;
	struct kesu_cert_clock ok = {.now = issued + 86400, .signed_at = issued};
	kesu_cert_judge_at(c, &ok, &v);
	assert_int_equal(v.n_errors, 0);
	struct kesu_cert_clock cases[] = {
		{.now = issued - 3600, .signed_at = 0},            /* issued in the future */
		{.now = issued + 86400, .signed_at = issued - 1},  /* signed before issued */
		{.now = issued + 86400, .signed_at = issued + 86400 + KESU_CERT_CLOCK_SKEW + 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		kesu_cert_judge_at(c, &cases[i], &v);
		if (v.n_errors == 0)
			fail_msg("clock case %zu not caught", i);
	}
	/* Within the skew is not an error: clocks differ by seconds. */
	struct kesu_cert_clock skew = {.now = issued - 60, .signed_at = issued};
	kesu_cert_judge_at(c, &skew, &v);
	assert_int_equal(v.n_errors, 0);
	json_decref(c);
}

static void text_helpers(void **state)
{
	(void)state;
	assert_int_equal(kesu_text_hidden_char("山田 太郎"), 0);
	assert_int_equal(kesu_text_hidden_char("a\u202eb"), 0x202E);
	assert_int_equal(kesu_text_hidden_char("\u2069"), 0x2069);
	assert_int_equal(kesu_text_hidden_char("x\u00ady"), 0xAD);
	assert_true(kesu_text_is_blank(""));
	assert_true(kesu_text_is_blank(" \t\u3000\u00a0"));
	assert_false(kesu_text_is_blank(" x "));
	assert_false(kesu_text_is_blank("\u3000山"));
}

/* The operator's answers get the same rules before any device is touched. */
static void info_refuses_what_the_judge_refuses(void **state)
{
	(void)state;
	struct kesu_cert_info info;
	struct kesu_err err = {0};
	info_fill(&info);
	strcpy(info.approver, "\u3000");
	assert_int_equal(kesu_cert_info_check(&info, &err), KESU_ERR_USAGE);
	assert_non_null(strstr(err.msg, "blank"));
	info_fill(&info);
	strcpy(info.property_number, "A-\u202e0001");
	assert_int_equal(kesu_cert_info_check(&info, &err), KESU_ERR_USAGE);
	assert_non_null(strstr(err.msg, "U+202E"));
	info_fill(&info);
	strcpy(info.witnesses[0].organization, "\u200b");
	assert_int_equal(kesu_cert_info_check(&info, &err), KESU_ERR_USAGE);
	info_fill(&info);
	strcpy(info.location, "作業室\x1b[2J");
	assert_int_equal(kesu_cert_info_check(&info, &err), KESU_ERR_USAGE);
	assert_non_null(strstr(err.msg, "work location"));
	strcpy(info.location, "作業室\u2067B");
	assert_int_equal(kesu_cert_info_check(&info, &err), KESU_ERR_USAGE);
	assert_non_null(strstr(err.msg, "U+2067"));
	info_fill(&info);
	info.my_number = true;
	assert_int_equal(kesu_cert_info_check(&info, &err), KESU_OK);
	strcpy(info.reason, "lease-return");
	assert_int_equal(kesu_cert_info_check(&info, &err), KESU_ERR_USAGE);
	assert_non_null(strstr(err.msg, "lessor"));
	strcpy(info.reason, "disposal");
	strcpy(info.destination, "リース会社");
	assert_int_equal(kesu_cert_info_check(&info, &err), KESU_ERR_USAGE);
	assert_true(kesu_cert_approval_after("2026-11-23", "2026-11-22T23:59:00+09:00"));
	assert_false(kesu_cert_approval_after("2026-11-22", "2026-11-22T00:01:00+09:00"));
	assert_false(kesu_cert_approval_after("", "2026-11-22T00:01:00+09:00"));
}

/* The work location (issue #12) lands in operator.location; the strict
 * reader takes a certificate without it (issued before) and refuses one
 * whose location is not a clean string. */
static void location_is_written_and_checked(void **state)
{
	(void)state;
	struct kesu_cert_info info;
	info_fill(&info);
	strcpy(info.location, "本庁舎 地下1階 作業室");
	json_t *c = build("erased.json", &info);
	json_t *op = json_object_get(c, "operator");
	assert_string_equal(json_string_value(json_object_get(op, "location")),
			    "本庁舎 地下1階 作業室");
	struct kesu_err err = {0};
	json_object_set_new(op, "location", json_string("作業室\x1b[2J"));
	assert_int_equal(kesu_cert_check(c, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "operator.location"));
	json_object_set_new(op, "location", json_integer(3));
	assert_int_equal(kesu_cert_check(c, &err), KESU_ERR_INVALID);
	json_object_set_new(op, "location", json_null());
	assert_int_equal(kesu_cert_check(c, &err), KESU_OK);
	json_object_del(op, "location");
	assert_int_equal(kesu_cert_check(c, &err), KESU_OK);
	json_decref(c);
	/* none given: null, as for the other optional operator texts */
	info_fill(&info);
	c = build("erased.json", &info);
	assert_true(json_is_null(json_object_get(json_object_get(c, "operator"), "location")));
	json_decref(c);
}

/* The facts a certificate takes from its run record are compared one by
 * one with that run record (issue #10, item 8). */
static void run_record_facts_compared(void **state)
{
	(void)state;
	struct kesu_cert_info info;
	info_fill(&info);
	json_t *c = build("erased.json", &info), *rr = load_run("erased.json");
	struct kesu_err err = {0};
	assert_int_equal(kesu_cert_match_run(c, rr, &err), KESU_OK);
	json_decref(rr);
	/* A genuine interrupted run record beside an "erased" certificate. */
	rr = load_run("interrupted.json");
	json_object_set(rr, "run_id", json_object_get(json_object_get(c, "run_record"), "run_id"));
	assert_int_equal(kesu_cert_match_run(c, rr, &err), KESU_ERR_INVALID);
	json_decref(rr);
	static const struct { const char *path, *json, *expect; } lies[] = {
		{"result", "\"interrupted\"", "result"},
		{"device.serial", "\"OTHER-SERIAL\"", "device.serial"},
		{"device.size_bytes", "2097152", "device.size_bytes"},
		{"method.name", "\"dod-3\"", "method.name"},
		{"verification.outcome", "\"failed\"", "method.verification.outcome"},
		{"verification.mode", "\"sample\"", "method.verification.mode"},
		{"bytes_written", "3145729", "execution.bytes_written"},
		{"started_at", "\"2026-11-22T09:00:00+09:00\"", "execution.started_at"},
		{"ended_at", "\"2026-11-22T10:05:00+09:00\"", "execution.ended_at"},
		{"bad_ranges", "[{\"first_lba\": 8, \"count\": 1, \"operation\": \"write\"}]",
		 "execution.bad_ranges"},
		{"run_id", "\"3f0c1a52-9d7e-4b1a-8c55-0a9a3e5d2b99\"", "run_record.run_id"},
		{"tool.version", "\"9.9.9\"", "tool.version"},
		{"resumed", "true", "execution.resumed"},
		{"host.clock_synchronized", "false", "execution.clock_synchronized"},
		/* The certificate (from erased.json) names no host. */
		{"host.smbios", "{\"serial\": \"PC-SERIAL-1\"}", "host"},
	};
	size_t n = sizeof(lies) / sizeof(lies[0]), missed = 0;
	for (size_t i = 0; i < n; i++) {
		rr = load_run("erased.json");
		set_path(rr, lies[i].path, lies[i].json);
		enum kesu_rc rc = kesu_cert_match_run(c, rr, &err);
		if (rc != KESU_ERR_INVALID || !strstr(err.msg, lies[i].expect)) {
			print_message("run record change %s: rc %d '%s'\n", lies[i].path, rc,
				      rc ? err.msg : "");
			missed++;
		}
		json_decref(rr);
	}
	print_message("run record forgeries: %zu tried, %zu caught, %zu missed\n", n,
		      n - missed, missed);
	assert_int_equal(missed, 0);
	json_decref(c);
}

static const char *HEALTH =
	"{\"before\": {\"source\": \"nvme\", \"critical_warning\": 0, \"temperature_c\": 37,"
	" \"available_spare\": 100, \"available_spare_threshold\": 10, \"percentage_used\": 3,"
	" \"data_units_written\": 987654, \"power_on_hours\": 1234, \"power_cycles\": 42,"
	" \"unsafe_shutdowns\": 7, \"media_errors\": 0},"
	" \"after\": {\"source\": \"ata\", \"overall\": \"passed\", \"attributes\":"
	" [{\"id\": 9, \"name\": \"power_on_hours\", \"current\": 100, \"worst\": 99,"
	" \"raw\": 4321}]}}";

static const char *SHA = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

static json_t *run_with_health(const char *health)
{
	json_t *rr = load_run("erased.json");
	set_path(rr, "health", health);
	return rr;
}

/* The drive's health goes from the run record onto the certificate as it
 * is, is checked strictly there, and is one of the facts compared. */
static void health_is_copied_checked_and_compared(void **state)
{
	(void)state;
	struct kesu_cert_info info;
	info_fill(&info);
	json_t *rr = run_with_health(HEALTH), *c = NULL;
	struct kesu_err err = {0};
	assert_int_equal(kesu_cert_build(rr, "r.json", SHA, &info, ID, NOW, &c, &err), KESU_OK);
	assert_true(json_equal(json_object_get(c, "health"), json_object_get(rr, "health")));
	assert_int_equal(kesu_cert_check(c, &err), KESU_OK);
	assert_int_equal(kesu_cert_match_run(c, rr, &err), KESU_OK);
	/* another reading in the run record, or none at all */
	json_t *other = run_with_health(HEALTH);
	set_path(other, "health.before.power_on_hours", "1");
	assert_int_equal(kesu_cert_match_run(c, other, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "health.before.power_on_hours"));
	json_decref(other);
	other = load_run("erased.json");
	assert_int_equal(kesu_cert_match_run(c, other, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "health"));
	json_decref(other);
	/* Readings the strict reader refuses, on the certificate or in the
	 * run record it would be built from. */
	static const struct { const char *path, *json, *expect; } bad[] = {
		{"health.before.source", "\"smart\"", "health.before.source"},
		{"health.before.percentage_used", "300", "health.before.percentage_used"},
		{"health.before.temperature_c", "-300", "health.before.temperature_c"},
		{"health.before.power_on_hours", "-1", "health.before.power_on_hours"},
		{"health.before.extra", "1", "health.before"},
		{"health.after.overall", "\"fine\"", "health.after.overall"},
		{"health.after.attributes", "[{\"id\": 9, \"name\": \"spin_up_time\", \"current\": 1,"
		 " \"worst\": 1, \"raw\": 1}]", "not one kesu records"},
		{"health.after.attributes", "[{\"id\": 9, \"name\": \"power_on_hours\", \"current\": 1,"
		 " \"worst\": 1, \"raw\": 281474976710656}]", "attributes[0].raw"},
		{"health.before", "null", "health.before"},
		{"health", "[]", "health"},
		{"health.after", "{\"source\": \"none\", \"reason\": \"a\\u001b[2J\"}", "reason"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *cc = json_deep_copy(c);
		set_path(cc, bad[i].path, bad[i].json);
		enum kesu_rc rc = kesu_cert_check(cc, &err);
		if (rc != KESU_ERR_INVALID || !strstr(err.msg, bad[i].expect))
			fail_msg("case %zu (%s): rc %d '%s'", i, bad[i].path, rc, err.msg);
		json_decref(cc);
	}
	char line[700];
	kesu_cert_health_summary(json_object_get(json_object_get(c, "health"), "before"), line,
				 sizeof(line));
	assert_string_equal(line, "NVMe SMART: critical warning 0x00, 37 C, 3% used, spare 100%, "
			    "1234 power-on hours, 987654 data units (512,000 bytes) written, "
			    "7 unsafe shutdowns, 0 media errors");
	kesu_cert_health_summary(json_object_get(json_object_get(c, "health"), "after"), line,
				 sizeof(line));
	assert_string_equal(line, "ATA SMART passed: power_on_hours 4321 (raw)");
	kesu_cert_health_summary(NULL, line, sizeof(line));
	assert_string_equal(line, "not read");
	kesu_cert_health_summary(json_object_get(json_object_get(c, "health"), "after"), line, 12);
	assert_string_equal(line, "ATA SMART p");
	json_t *brr = run_with_health(HEALTH), *bc = NULL;
	set_path(brr, "health.before.source", "\"smart\"");
	assert_int_equal(kesu_cert_build(brr, "r.json", SHA, &info, ID, NOW, &bc, &err),
			 KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "run record: health.before.source"));
	assert_null(bc);
	json_decref(brr);
	json_decref(rr);
	json_decref(c);
}

static void parse_is_strict(void **state)
{
	(void)state;
	struct kesu_cert_info info;
	info_fill(&info);
	json_t *c = build("erased.json", &info);
	size_t n;
	char *good = kesu_cert_serialize(c, &n);
	struct { const char *from, *to, *expect; } cases[] = {
		/* duplicate key */
		{"\"kind\": \"erasure\",", "\"kind\": \"erasure\", \"kind\": \"erasure\",", "duplicate"},
		/* wrong types */
		{"\"confidentiality_class\": 3", "\"confidentiality_class\": \"3\"", "confidentiality_class"},
		{"\"my_number\": false", "\"my_number\": 0", "my_number"},
		{"\"bytes_written\": 3145728", "\"bytes_written\": 3145728.0", "bytes_written"},
		/* out of range and unknown values */
		{"\"confidentiality_class\": 3", "\"confidentiality_class\": 4", "confidentiality_class"},
		{"\"result\": \"erased\"", "\"result\": \"clean\"", "result"},
		{"\"schema\": \"kesu-certificate/1\"", "\"schema\": \"kesu-certificate/2\"", "unknown schema"},
		{"\"schema\": \"kesu-certificate/1\"", "\"schema\": \"kesu-run-record/1\"",
		 "this is a run record, not a certificate; issue one with 'kesu cert issue"},
		/* unknown and missing fields */
		{"\"kind\": \"erasure\",", "\"kind\": \"erasure\", \"extra\": 1,", "unknown field"},
		{"\"kind\": \"erasure\",", "", "kind: missing"},
		/* not UTF-8 clean */
		{"\"customer\": \"総務課\"", "\"customer\": \"総務\\u001b課\"", "customer"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *at = strstr(good, cases[i].from);
		if (!at)
			fail_msg("case %zu: fixture text '%s' not found", i, cases[i].from);
		size_t fl = strlen(cases[i].from), tl = strlen(cases[i].to);
		char *bad = malloc(n - fl + tl + 1);
		size_t pre = (size_t)(at - good);
		memcpy(bad, good, pre);
		memcpy(bad + pre, cases[i].to, tl);
		memcpy(bad + pre + tl, at + fl, n - pre - fl + 1);
		json_t *out = NULL;
		struct kesu_err err = {0};
		enum kesu_rc rc = kesu_cert_parse(bad, strlen(bad), &out, &err);
		if (rc != KESU_ERR_INVALID || !strstr(err.msg, cases[i].expect))
			fail_msg("case %zu: rc %d msg '%s' (wanted '%s')", i, rc, err.msg,
				 cases[i].expect);
		assert_null(out);
		free(bad);
	}
	free(good);
	json_decref(c);
}

/* Before JSON is read: a size bound, then no key twice (lib/jcheck kj_load). */
static void parse_bounds_size_and_duplicates(void **state)
{
	(void)state;
	json_t *out = NULL;
	struct kesu_err err = {0};
	char *big = calloc(KESU_CERT_MAX_BYTES + 1, 1);
	assert_non_null(big);
	memset(big, ' ', KESU_CERT_MAX_BYTES + 1);
	assert_int_equal(kesu_cert_parse(big, KESU_CERT_MAX_BYTES + 1, &out, &err),
			 KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "certificate larger than "));
	assert_non_null(strstr(err.msg, " bytes; not a kesu certificate"));
	assert_null(out);
	free(big);
	const char dup[] = "{\"id\": \"a\", \"id\": \"b\"}";
	assert_int_equal(kesu_cert_parse(dup, sizeof(dup) - 1, &out, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "not valid JSON at line 1"));
	assert_null(out);
}

static void info_and_run_record_checked(void **state)
{
	(void)state;
	struct kesu_cert_info info;
	struct kesu_err err = {0};
	info_fill(&info);
	info.operator_name[0] = '\0';
	assert_int_equal(kesu_cert_info_check(&info, &err), KESU_ERR_USAGE);
	assert_non_null(strstr(err.msg, "operator name"));
	info_fill(&info);
	info.confidentiality_class = 4;
	assert_int_equal(kesu_cert_info_check(&info, &err), KESU_ERR_USAGE);
	info_fill(&info);
	strcpy(info.reason, "sold");
	assert_int_equal(kesu_cert_info_check(&info, &err), KESU_ERR_USAGE);
	info_fill(&info);
	strcpy(info.approval_date, "20/11/2026");
	assert_int_equal(kesu_cert_info_check(&info, &err), KESU_ERR_USAGE);

	info_fill(&info);
	json_t *rr = load_run("erased.json"), *c = NULL;
	json_object_set_new(rr, "bytes_written", json_string("lots"));
	assert_int_equal(kesu_cert_build(rr, "x", "00", &info, ID, NOW, &c, &err),
			 KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "bytes_written"));
	json_object_set_new(rr, "schema", json_string("kesu-run-record/9"));
	assert_int_equal(kesu_cert_build(rr, "x", "00", &info, ID, NOW, &c, &err),
			 KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "schema"));
	assert_null(c);
	json_decref(rr);
}

/* The SMBIOS identity a run record keeps (host.smbios) is the
 * certificate's "host", compared like every other fact. */
static void host_comes_from_the_run_record(void **state)
{
	(void)state;
	struct kesu_cert_info info;
	info_fill(&info);
	struct kesu_err err = {0};
	json_t *rr = load_run("erased.json"), *c = NULL;
	set_path(rr, "host.smbios", "{\"vendor\": \"Dell Inc.\", \"asset_tag\": \"TKY-PC-00042\"}");
	assert_int_equal(kesu_cert_build(rr, "erased.json", "00112233445566778899aabbccddeeff"
					 "00112233445566778899aabbccddeeff", &info, ID, NOW, &c, &err),
			 KESU_OK);
	assert_true(json_equal(json_object_get(c, "host"),
			       json_object_get(json_object_get(rr, "host"), "smbios")));
	assert_int_equal(kesu_cert_check(c, &err), KESU_OK);
	assert_int_equal(kesu_cert_match_run(c, rr, &err), KESU_OK);
	set_path(c, "host.asset_tag", "\"TKY-PC-99999\"");
	assert_int_equal(kesu_cert_match_run(c, rr, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "host.asset_tag"));
	/* A host the run record does not have. */
	json_object_del(json_object_get(rr, "host"), "smbios");
	assert_int_equal(kesu_cert_match_run(c, rr, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "host"));
	/* Without host.smbios, no "host" at all. */
	json_decref(c);
	assert_int_equal(kesu_cert_build(rr, "erased.json", "00112233445566778899aabbccddeeff"
					 "00112233445566778899aabbccddeeff", &info, ID, NOW, &c, &err),
			 KESU_OK);
	assert_null(json_object_get(c, "host"));
	/* A run record whose host.smbios is malformed is refused. */
	set_path(rr, "host.smbios", "{\"vendor\": 7}");
	json_decref(c);
	c = NULL;
	assert_int_equal(kesu_cert_build(rr, "erased.json", "00112233445566778899aabbccddeeff"
					 "00112233445566778899aabbccddeeff", &info, ID, NOW, &c, &err),
			 KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "host.smbios"));
	json_decref(rr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(serialization_is_deterministic),
		cmocka_unit_test(parse_bounds_size_and_duplicates),
		cmocka_unit_test(results_are_never_dressed_up),
		cmocka_unit_test(run_without_times),
		cmocka_unit_test(my_number_requires_destruction),
		cmocka_unit_test(verdict_catches_contradictions),
		cmocka_unit_test(verdict_catches_forgeries),
		cmocka_unit_test(verdict_accepts_honest_variants),
		cmocka_unit_test(verdict_checks_signing_time),
		cmocka_unit_test(text_helpers),
		cmocka_unit_test(info_refuses_what_the_judge_refuses),
		cmocka_unit_test(location_is_written_and_checked),
		cmocka_unit_test(run_record_facts_compared),
		cmocka_unit_test(health_is_copied_checked_and_compared),
		cmocka_unit_test(host_comes_from_the_run_record),
		cmocka_unit_test(parse_is_strict),
		cmocka_unit_test(info_and_run_record_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
