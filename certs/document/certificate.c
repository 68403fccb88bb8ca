#include "certs/document/certificate.h"
#include "certs/document/approval.h"
#include "certs/document/cert_health.h"
#include "certs/document/method_catalog.h"
#include "lib/identity.h"
#include "lib/disposal.h"
#include "lib/jcheck.h"
#include "lib/smbios.h"
#include "lib/timefmt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const RESULTS[] = {"erased", "erased-with-exceptions", "not-erased", NULL};
static const char *const RUN_RESULTS[] = {"erased", "erased-with-exceptions", "failed",
					  "interrupted", NULL};
static const char *const NIST[] = {"clear", "purge", "destroy", NULL};
static const char *const VERIFY_MODES[] = {"last", "all", "none", "sample", NULL};
static const char *const OUTCOMES[] = {"passed", "failed", "skipped", "incomplete", NULL};
static const char *const BAD_OPS[] = {"write", "verify", "read", NULL};

#define MAX_BAD_RANGES 100000
#define MAX_PASSES 64

const char *kesu_cert_result_for_run(const char *run_result)
{
	if (!run_result)
		return "not-erased";
	if (!strcmp(run_result, "erased"))
		return "erased";
	if (!strcmp(run_result, "erased-with-exceptions"))
		return "erased-with-exceptions";
	/* failed, interrupted and anything unknown: never better than the truth. */
	return "not-erased";
}

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? kesu_json_str(s) : json_null();
}

/* The texts a person typed: the required ones present, none with a
 * control or hidden character. */
static enum kesu_rc check_typed_texts(const struct kesu_cert_info *info,
				      struct kesu_err *err)
{
	static const struct { size_t off; const char *what, *fix; } req[] = {
		{offsetof(struct kesu_cert_info, operator_name), "operator name", "--operator or [operator] name"},
		{offsetof(struct kesu_cert_info, operator_organization), "operator organization", "--organization or [operator] organization"},
		{offsetof(struct kesu_cert_info, customer), "customer (owning department)", "--customer or [customer] name"},
		{offsetof(struct kesu_cert_info, property_number), "asset property number", "--asset"},
		{offsetof(struct kesu_cert_info, approver), "approver (information security manager)", "--approver"},
	};
	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
		const char *s = (const char *)info + req[i].off;
		if (kesu_text_is_blank(s))
			return kesu_fail(err, KESU_ERR_USAGE, 0,
					 "certificate: the %s is missing or blank; give it "
					 "with %s (or use --no-cert)", req[i].what, req[i].fix);
	}
	/* Every text a person typed, required or not. */
	const struct { const char *s, *what; } texts[] = {
		{info->operator_name, "operator name"},
		{info->operator_title, "operator title"},
		{info->operator_organization, "operator organization"},
		{info->operator_contact, "operator contact"},
		{info->location, "work location"},
		{info->customer, "customer"},
		{info->property_number, "asset property number"},
		{info->destination, "destination"},
		{info->approver, "approver"},
		{info->approval_reference, "approval reference"},
		{info->approval_date, "approval date"},
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		if (!kesu_is_clean(texts[i].s))
			return kesu_fail(err, KESU_ERR_USAGE, 0,
					 "certificate: the %s contains control characters; "
					 "retype it", texts[i].what);
		unsigned cp = kesu_text_hidden_char(texts[i].s);
		if (cp)
			return kesu_fail(err, KESU_ERR_USAGE, 0,
					 "certificate: the %s contains the invisible or "
					 "direction-changing character U+%04X; retype it",
					 texts[i].what, cp);
	}
	return KESU_OK;
}

/* Each witness named, in clean and visible text. */
static enum kesu_rc check_witnesses(const struct kesu_cert_info *info,
				    struct kesu_err *err)
{
	for (size_t i = 0; i < info->n_witnesses; i++) {
		const struct kesu_cert_party *w = &info->witnesses[i];
		if (kesu_text_is_blank(w->name))
			return kesu_fail(err, KESU_ERR_USAGE, 0,
					 "certificate: witness %zu has no name; use "
					 "--witness 'NAME/ORGANIZATION'", i + 1);
		unsigned cp = kesu_text_hidden_char(w->name);
		cp = cp ? cp : kesu_text_hidden_char(w->organization);
		if (cp || !kesu_is_clean(w->name) || !kesu_is_clean(w->organization))
			return kesu_fail(err, KESU_ERR_USAGE, 0,
					 "certificate: witness %zu contains a control, "
					 "invisible or direction-changing character; retype it",
					 i + 1);
	}
	return KESU_OK;
}

enum kesu_rc kesu_cert_info_check(const struct kesu_cert_info *info,
				  struct kesu_err *err)
{
	enum kesu_rc rc = check_typed_texts(info, err);
	if (rc)
		return rc;
	if (info->confidentiality_class < 1 || info->confidentiality_class > 3)
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "certificate: confidentiality class must be 1, 2 or 3; "
				 "give it with --class");
	if (!kesu_disposal_reason_ok(info->reason))
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "certificate: reason must be disposal, lease-return, "
				 "repair or reuse; give it with --reason");
	time_t t;
	if (info->approval_date[0] && !kesu_time_parse(info->approval_date, &t))
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "certificate: approval date '%s' is not YYYY-MM-DD or "
				 "RFC 3339; fix --approval-date", info->approval_date);
	if ((rc = check_witnesses(info, err)))
		return rc;
	/* Policy (city standard, sample procedure): My Number media are
	 * physically destroyed, leased or not; none goes back or elsewhere. */
	if (info->my_number && !strcmp(info->reason, "lease-return"))
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "certificate: My Number media are physically destroyed, "
				 "even when leased; they are never returned to the lessor: "
				 "use --reason disposal and destroy the medium");
	if (info->my_number && !kesu_text_is_blank(info->destination))
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "certificate: My Number media are physically destroyed, "
				 "not sent on: remove --destination");
	return KESU_OK;
}

/* ---- the run record, checked as strictly as the contract allows (other
 * keys may be added by later engines, so unknown keys are ignored there) ---- */

struct rr_view {
	const char *run_id, *tool_name, *tool_version, *hostname;
	bool clock_sync, resumed;
	json_t *device, *before, *firmware, *bad_ranges, *passes;
	json_t *smbios;          /* host.smbios, NULL when the run record has none */
	const char *method_name, *nist, *technique, *verify_mode, *outcome;
	int64_t mismatched, bytes_written, bytes_verified;
	const char *started, *ended, *result, *reason;
	time_t t_started, t_ended;
};

static enum kesu_rc check_bad_ranges(const json_t *arr, const char *where,
				     struct kesu_err *err)
{
	size_t i;
	json_t *r;
	json_array_foreach(arr, i, r) {
		char w[64];
		snprintf(w, sizeof(w), "%s[%zu]", where, i);
		enum kesu_rc rc;
		if ((rc = kj_int(r, w, "first_lba", 0, INT64_MAX, NULL, err)) ||
		    (rc = kj_int(r, w, "count", 1, INT64_MAX, NULL, err)) ||
		    (rc = kj_enum(r, w, "operation", BAD_OPS, NULL, err)))
			return rc;
	}
	return KESU_OK;
}

/* The run record's host.smbios, optional (older run records and machines
 * whose firmware names nothing have none). */
static enum kesu_rc read_smbios(const json_t *host, json_t **out, struct kesu_err *err)
{
	*out = json_object_get(host, "smbios");
	return *out ? kesu_smbios_check_json(*out, "host.smbios", err) : KESU_OK;
}

static enum kesu_rc read_run_record(const json_t *rr, struct rr_view *v,
				    struct kesu_err *err)
{
	memset(v, 0, sizeof(*v));
	enum kesu_rc rc;
	const char *schema;
	if (!json_is_object(rr))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "run record: not a JSON object");
	if ((rc = kj_str(rr, "", "schema", false, 64, &schema, err)))
		return rc;
	if (strcmp(schema, "kesu-run-record/1"))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "run record: unknown schema '%s'; this kesu reads "
				 "kesu-run-record/1", schema);
	json_t *tool, *host, *method, *ver, *pass_names;
	struct kesu_identity id;
	if ((rc = kj_str(rr, "", "run_id", false, 36, &v->run_id, err)) ||
	    (rc = kj_obj(rr, "", "tool", false, &tool, err)) ||
	    (rc = kj_str(tool, "tool", "name", false, 64, &v->tool_name, err)) ||
	    (rc = kj_str(tool, "tool", "version", false, 64, &v->tool_version, err)) ||
	    (rc = kj_obj(rr, "", "host", false, &host, err)) ||
	    (rc = kj_str(host, "host", "hostname", true, KESU_STR_MAX, &v->hostname, err)) ||
	    (rc = kj_bool(host, "host", "clock_synchronized", &v->clock_sync, err)) ||
	    (rc = read_smbios(host, &v->smbios, err)) ||
	    (rc = kj_obj(rr, "", "device", false, &v->device, err)) ||
	    (rc = kesu_identity_from_json(v->device, &id, err)) ||
	    (rc = kj_obj(rr, "", "before", true, &v->before, err)) ||
	    (rc = kj_obj(rr, "", "method", false, &method, err)) ||
	    (rc = kj_str(method, "method", "name", false, 64, &v->method_name, err)) ||
	    (rc = kj_enum(method, "method", "nist_category", NIST, &v->nist, err)) ||
	    (rc = kj_str(method, "method", "technique", false, 64, &v->technique, err)) ||
	    (rc = kj_enum(method, "method", "verify", VERIFY_MODES, NULL, err)) ||
	    (rc = kj_arr(method, "method", "passes", MAX_PASSES, &pass_names, err)) ||
	    (rc = kj_arr(rr, "", "passes", MAX_PASSES, &v->passes, err)) ||
	    (rc = kj_obj(rr, "", "verification", false, &ver, err)) ||
	    (rc = kj_enum(ver, "verification", "mode", VERIFY_MODES, &v->verify_mode, err)) ||
	    (rc = kj_enum(ver, "verification", "outcome", OUTCOMES, &v->outcome, err)) ||
	    (rc = kj_int(ver, "verification", "bytes_verified", 0, INT64_MAX, NULL, err)) ||
	    (rc = kj_int(ver, "verification", "mismatched_blocks", 0, INT64_MAX, &v->mismatched, err)) ||
	    (rc = kj_arr(rr, "", "bad_ranges", MAX_BAD_RANGES, &v->bad_ranges, err)) ||
	    (rc = check_bad_ranges(v->bad_ranges, "bad_ranges", err)) ||
	    (rc = kj_time(rr, "", "started_at", true, &v->t_started, &v->started, err)) ||
	    (rc = kj_time(rr, "", "ended_at", true, &v->t_ended, &v->ended, err)) ||
	    (rc = kj_int(rr, "", "bytes_written", 0, INT64_MAX, &v->bytes_written, err)) ||
	    (rc = kj_int(rr, "", "bytes_verified", 0, INT64_MAX, &v->bytes_verified, err)) ||
	    (rc = kj_bool(rr, "", "resumed", &v->resumed, err)) ||
	    (rc = kj_enum(rr, "", "result", RUN_RESULTS, &v->result, err)) ||
	    (rc = kj_str(rr, "", "reason", true, 1024, &v->reason, err)) ||
	    (rc = kj_obj(rr, "", "firmware", true, &v->firmware, err)))
		return kesu_err_prefix(err, "run record: ");
	if (!kj_is_uuid(v->run_id))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "run record: run_id is not a lowercase UUID");
	size_t i;
	json_t *p;
	json_array_foreach(pass_names, i, p)
		if (!json_is_string(p) || !kesu_is_clean(json_string_value(p)) ||
		    json_string_length(p) > 64)
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "run record: method.passes[%zu] is not a short string", i);
	v->passes = pass_names;
	return KESU_OK;
}

/* Everything a certificate says that comes from the run record, keyed as
 * in the certificate.  The issuer copies it in; a verifier rebuilds it from
 * the run record kept beside the certificate and compares. */
static json_t *run_facts_common(const struct rr_view *v)
{
	return json_pack(
		"{s:O s:O"
		" s:{s:s s:s s:s s:O s:{s:s s:s s:I} s:O}"
		" s:{s:s s:s}"
		" s:{s:o s:o s:o s:I s:I s:O s:b s:b s:s s:o}"
		" s:s}",
		"device", v->device, "before", v->before ? v->before : json_null(),
		"method", "name", v->method_name, "nist_category", v->nist,
		"technique", v->technique, "passes", v->passes,
		"verification", "mode", v->verify_mode, "outcome", v->outcome,
		"mismatched_blocks", (json_int_t)v->mismatched,
		"firmware", v->firmware ? v->firmware : json_null(),
		"tool", "name", v->tool_name, "version", v->tool_version,
		"execution", "host", str_or_null(v->hostname),
		/* null when the run failed before it started */
		"started_at", str_or_null(v->started), "ended_at", str_or_null(v->ended),
		"bytes_written", (json_int_t)v->bytes_written,
		"bytes_verified", (json_int_t)v->bytes_verified,
		"bad_ranges", v->bad_ranges, "resumed", v->resumed,
		"clock_synchronized", v->clock_sync, "run_result", v->result,
		"reason", str_or_null(v->reason),
		"result", kesu_cert_result_for_run(v->result));
}

/* The drive's health readings (cert_health.h) are a fact of the run record
 * like the rest: copied in, compared on verification.  A run record from
 * before them has none, and its certificate no "health" key. */
static enum kesu_rc health_fact(const json_t *rr, json_t *facts, struct kesu_err *err)
{
	const json_t *h = json_object_get(rr, "health");
	if (!h || json_is_null(h))
		return KESU_OK;
	enum kesu_rc rc = kesu_cert_check_health(h, "health", err);
	if (rc)
		return kesu_err_prefix(err, "run record: ");
	if (json_object_set_new(facts, "health", json_deep_copy(h)))
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	return KESU_OK;
}

static json_t *run_facts(const struct rr_view *v)
{
	json_t *f = run_facts_common(v);
	/* The computer the run was on, as its firmware names it. */
	if (f && v->smbios && json_object_set_new(f, "host", json_deep_copy(v->smbios))) {
		json_decref(f);
		return NULL;
	}
	return f;
}

enum kesu_rc kesu_cert_build(const json_t *run_record, const char *rr_file,
			     const char *rr_sha256,
			     const struct kesu_cert_info *info, const char *id,
			     const char *issued_at, json_t **out,
			     struct kesu_err *err)
{
	*out = NULL;
	struct rr_view v;
	enum kesu_rc rc;
	if ((rc = kesu_cert_info_check(info, err)) ||
	    (rc = read_run_record(run_record, &v, err)))
		return rc;
	time_t t;
	if (!kj_is_uuid(id) || !kesu_time_parse(issued_at, &t))
		return kesu_fail(err, KESU_ERR_INTERNAL, 0,
				 "certificate: bad id or issue time (internal error)");
	json_t *facts = run_facts(&v);
	if (!facts)
		return kesu_fail(err, KESU_ERR_INTERNAL, 0, "certificate: out of memory");
	if ((rc = health_fact(run_record, facts, err))) {
		json_decref(facts);
		return rc;
	}
	json_t *witnesses = json_array();
	for (size_t i = 0; i < info->n_witnesses; i++)
		json_array_append_new(witnesses,
			json_pack("{s:o s:o}", "name", kesu_json_str(info->witnesses[i].name),
				  "organization", str_or_null(info->witnesses[i].organization)));
	json_t *notes = json_array();
	if (info->my_number)
		json_array_append_new(notes, json_string(KESU_CERT_MY_NUMBER_NOTE));
	json_t *cert = json_pack(
		"{s:s s:s s:s s:s"
		" s:{s:o s:o s:o s:o s:o}"
		" s:o"
		" s:{s:o s:i s:b s:s s:o}"
		" s:b s:o"
		" s:{s:o s:o s:o}"
		" s:o"
		" s:{s:s s:s s:s}}",
		"schema", KESU_CERT_SCHEMA, "id", id, "issued_at", issued_at,
		"kind", "erasure",
		"operator", "name", kesu_json_str(info->operator_name),
		"title", str_or_null(info->operator_title),
		"organization", kesu_json_str(info->operator_organization),
		"contact", str_or_null(info->operator_contact),
		"location", str_or_null(info->location),
		"customer", kesu_json_str(info->customer),
		"asset", "property_number", kesu_json_str(info->property_number),
		"confidentiality_class", info->confidentiality_class,
		"my_number", info->my_number, "reason", info->reason,
		"destination", str_or_null(info->destination),
		"physical_destruction_required", info->my_number, "notes", notes,
		"approval", "approver", kesu_json_str(info->approver),
		"reference", str_or_null(info->approval_reference),
		"date", str_or_null(info->approval_date),
		"witnesses", witnesses,
		"run_record", "file", rr_file, "sha256", rr_sha256, "run_id", v.run_id);
	if (!cert || json_object_update(cert, facts)) {
		json_decref(facts);
		json_decref(cert);
		return kesu_fail(err, KESU_ERR_INTERNAL, 0,
				 "certificate: could not build the document (out of memory?)");
	}
	json_decref(facts);
	/* What we emit must pass our own strict reader, or the city could not
	 * verify it: check before anyone signs it. */
	if ((rc = kesu_cert_check(cert, err))) {
		json_decref(cert);
		return kesu_err_prefix(err, "certificate (internal): ");
	}
	*out = cert;
	return KESU_OK;
}

/* Where a and b first differ, as a dotted path under prefix; false if they
 * are equal. */
static bool first_diff(const json_t *a, const json_t *b, const char *prefix,
		       char *path, size_t size)
{
	if (json_equal(a, b))
		return false;
	if (json_is_object(a) && json_is_object(b)) {
		const char *k;
		json_t *x;
		char sub[200];
		json_object_foreach((json_t *)a, k, x) {
			snprintf(sub, sizeof(sub), "%s.%s", prefix, k);
			if (first_diff(x, json_object_get(b, k), sub, path, size))
				return true;
		}
		json_object_foreach((json_t *)b, k, x)
			if (!json_object_get(a, k)) {
				snprintf(path, size, "%s.%s", prefix, k);
				return true;
			}
	} else if (json_is_array(a) && json_is_array(b) &&
		   json_array_size(a) == json_array_size(b)) {
		char sub[200];
		for (size_t i = 0; i < json_array_size(a); i++) {
			snprintf(sub, sizeof(sub), "%s[%zu]", prefix, i);
			if (first_diff(json_array_get(a, i), json_array_get(b, i), sub,
				       path, size))
				return true;
		}
	}
	snprintf(path, size, "%s", prefix);
	return true;
}

/* A short, clean rendering of a value for a message. */
static void show_value(const json_t *j, char *buf, size_t size)
{
	char *s = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	kesu_clean(buf, size > 60 ? 60 : size, s ? s : "(absent)", strlen(s ? s : "(absent)"));
	free(s);
}

enum kesu_rc kesu_cert_match_run(const json_t *cert, const json_t *run_record,
				 struct kesu_err *err)
{
	struct rr_view v;
	enum kesu_rc rc = read_run_record(run_record, &v, err);
	if (rc)
		return rc;
	json_t *facts = run_facts(&v);
	if (!facts)
		return kesu_fail(err, KESU_ERR_INTERNAL, 0, "out of memory");
	if ((rc = health_fact(run_record, facts, err))) {
		json_decref(facts);
		return rc;
	}
	/* A health reading the run record does not have is not a fact. */
	if (!json_object_get(facts, "health") && json_object_get(cert, "health"))
		json_object_set_new(facts, "health", json_null());
	json_object_set_new(facts, "run_record",
			    json_pack("{s:s}", "run_id", v.run_id));
	json_t *mine = json_deep_copy(cert);
	json_t *rr = json_object_get(mine, "run_record");
	/* file and sha256 name the run record; they are not facts in it. */
	json_object_del(rr, "file");
	json_object_del(rr, "sha256");
	const char *k;
	json_t *fact;
	char path[200] = "", a[64], b[64];
	json_object_foreach(facts, k, fact)
		if (first_diff(json_object_get(mine, k), fact, k, path, sizeof(path)))
			break;
	/* The facts name only what the run record has: a host the run record
	 * lacks differs too. */
	if (!path[0] && json_object_get(mine, "host") && !json_object_get(facts, "host"))
		snprintf(path, sizeof(path), "host");
	if (path[0]) {
		json_t *jc = mine, *jr = facts;
		/* Walk both to the differing value for the message. */
		char tmp[200], *save = NULL;
		snprintf(tmp, sizeof(tmp), "%s", path);
		for (char *tok = strtok_r(tmp, ".", &save); tok; tok = strtok_r(NULL, ".", &save)) {
			char *br = strchr(tok, '[');
			size_t idx = 0;
			if (br) {
				idx = strtoul(br + 1, NULL, 10);
				*br = '\0';
			}
			jc = json_object_get(jc, tok);
			jr = json_object_get(jr, tok);
			if (br) {
				jc = json_array_get(jc, idx);
				jr = json_array_get(jr, idx);
			}
		}
		show_value(jc, a, sizeof(a));
		show_value(jr, b, sizeof(b));
		rc = kesu_fail(err, KESU_ERR_INVALID, 0,
			       "%s: the certificate says %s, the run record says %s",
			       path, a, b);
	}
	json_decref(mine);
	json_decref(facts);
	return rc;
}

char *kesu_cert_serialize(const json_t *cert, size_t *len)
{
	return kj_dumps_line(cert, JSON_SORT_KEYS | JSON_INDENT(2), len);
}

/* ---- strict reading of a certificate ---- */

static enum kesu_rc check_str_array(const json_t *arr, const char *where,
				    size_t maxlen, struct kesu_err *err)
{
	size_t i;
	json_t *s;
	json_array_foreach(arr, i, s)
		if (!json_is_string(s) || !kesu_is_clean(json_string_value(s)) ||
		    json_string_length(s) != strlen(json_string_value(s)) ||
		    json_string_length(s) > maxlen)
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "%s[%zu]: not a clean string", where, i);
	return KESU_OK;
}

/* The envelope: schema first, so a run record or a newer certificate gets
 * a message that says so, then the top-level keys. */
static enum kesu_rc check_head(const json_t *c, const char **id, struct kesu_err *err)
{
	static const char *const top[] = {"schema", "id", "issued_at", "kind", "operator",
		"customer", "asset", "physical_destruction_required", "notes", "approval",
		"witnesses", "device", "before", "method", "tool", "execution", "result",
		"run_record", "health", "host", NULL};
	static const char *const kinds[] = {"erasure", NULL};
	static const char *const schemas[] = {KESU_CERT_SCHEMA, NULL};
	enum kesu_rc rc;
	const char *schema = NULL;
	time_t t;
	if (!json_is_object(c))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "certificate: not a JSON object");
	if ((rc = kj_str(c, "", "schema", false, 64, &schema, err)))
		return rc;
	if (!strncmp(schema, "kesu-run-record/", 16))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "this is a run record, not a certificate; issue one "
				 "with 'kesu cert issue RUN-RECORD'");
	if (strcmp(schema, KESU_CERT_SCHEMA))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "unknown schema '%s'; this kesu reads %s only (use a "
				 "newer kesu)", schema, KESU_CERT_SCHEMA);
	if ((rc = kj_keys(c, "", top, err)) ||
	    (rc = kj_enum(c, "", "schema", schemas, NULL, err)) ||
	    (rc = kj_str(c, "", "id", false, 36, id, err)) ||
	    (rc = kj_time(c, "", "issued_at", false, &t, NULL, err)) ||
	    (rc = kj_enum(c, "", "kind", kinds, NULL, err)))
		return rc;
	return KESU_OK;
}

/* Who erased it, for whom, why, and who approved and watched. */
static enum kesu_rc check_people(const json_t *c, struct kesu_err *err)
{
	static const char *const op_keys[] = {"name", "title", "organization", "contact",
		"location", NULL};
	static const char *const asset_keys[] = {"property_number", "confidentiality_class",
		"my_number", "reason", "destination", NULL};
	static const char *const appr_keys[] = {"approver", "reference", "date",
		"document", NULL};
	enum kesu_rc rc;
	json_t *op, *asset, *notes, *appr, *wits;
	time_t t;
	bool b;
	if ((rc = kj_obj(c, "", "operator", false, &op, err)) ||
	    (rc = kj_keys(op, "operator", op_keys, err)) ||
	    (rc = kj_str(op, "operator", "name", false, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_str(op, "operator", "title", true, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_str(op, "operator", "organization", false, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_str(op, "operator", "contact", true, KESU_STR_MAX, NULL, err)) ||
	    /* location came later: a certificate issued before has no key */
	    (json_object_get(op, "location") &&
	     (rc = kj_str(op, "operator", "location", true, KESU_STR_MAX, NULL, err))) ||
	    (rc = kj_str(c, "", "customer", false, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_obj(c, "", "asset", false, &asset, err)) ||
	    (rc = kj_keys(asset, "asset", asset_keys, err)) ||
	    (rc = kj_str(asset, "asset", "property_number", false, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_int(asset, "asset", "confidentiality_class", 1, 3, NULL, err)) ||
	    (rc = kj_bool(asset, "asset", "my_number", &b, err)) ||
	    (rc = kj_enum(asset, "asset", "reason", KESU_DISPOSAL_REASONS, NULL, err)) ||
	    (rc = kj_str(asset, "asset", "destination", true, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_bool(c, "", "physical_destruction_required", &b, err)) ||
	    (rc = kj_arr(c, "", "notes", 16, &notes, err)) ||
	    (rc = check_str_array(notes, "notes", 1024, err)) ||
	    (rc = kj_obj(c, "", "approval", false, &appr, err)) ||
	    (rc = kj_keys(appr, "approval", appr_keys, err)) ||
	    (rc = kj_str(appr, "approval", "approver", false, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_str(appr, "approval", "reference", true, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_time(appr, "approval", "date", true, &t, NULL, err)) ||
	    (rc = kesu_approval_check_link(appr, err)) ||
	    (rc = kj_arr(c, "", "witnesses", KESU_CERT_MAX_WITNESSES, &wits, err)))
		return rc;
	return kesu_cert_check_witnesses(wits, err);
}

enum kesu_rc kesu_cert_check_witnesses(const json_t *arr, struct kesu_err *err)
{
	static const char *const wit_keys[] = {"name", "organization", NULL};
	size_t i;
	json_t *w;
	enum kesu_rc rc;
	json_array_foreach(arr, i, w) {
		char where[32];
		snprintf(where, sizeof(where), "witnesses[%zu]", i);
		if ((rc = kj_keys(w, where, wit_keys, err)) ||
		    (rc = kj_str(w, where, "name", false, KESU_STR_MAX, NULL, err)) ||
		    (rc = kj_str(w, where, "organization", true, KESU_STR_MAX, NULL, err)))
			return rc;
	}
	return KESU_OK;
}

/* What was erased, and by which method. */
static enum kesu_rc check_medium(const json_t *c, struct kesu_err *err)
{
	static const char *const method_keys[] = {"name", "nist_category", "technique",
		"passes", "verification", "firmware", NULL};
	static const char *const ver_keys[] = {"mode", "outcome", "mismatched_blocks", NULL};
	enum kesu_rc rc;
	json_t *dev, *before, *method, *ver, *fw, *passes;
	struct kesu_identity ident;
	if ((rc = kj_obj(c, "", "device", false, &dev, err)) ||
	    (rc = kesu_identity_from_json(dev, &ident, err)) ||
	    (rc = kj_obj(c, "", "before", true, &before, err)) ||
	    (rc = kj_obj(c, "", "method", false, &method, err)) ||
	    (rc = kj_keys(method, "method", method_keys, err)) ||
	    (rc = kj_str(method, "method", "name", false, 64, NULL, err)) ||
	    (rc = kj_enum(method, "method", "nist_category", NIST, NULL, err)) ||
	    (rc = kj_str(method, "method", "technique", false, 64, NULL, err)) ||
	    (rc = kj_arr(method, "method", "passes", MAX_PASSES, &passes, err)) ||
	    (rc = check_str_array(passes, "method.passes", 64, err)) ||
	    (rc = kj_obj(method, "method", "verification", false, &ver, err)) ||
	    (rc = kj_keys(ver, "method.verification", ver_keys, err)) ||
	    (rc = kj_enum(ver, "method.verification", "mode", VERIFY_MODES, NULL, err)) ||
	    (rc = kj_enum(ver, "method.verification", "outcome", OUTCOMES, NULL, err)) ||
	    (rc = kj_int(ver, "method.verification", "mismatched_blocks", 0, INT64_MAX, NULL, err)) ||
	    (rc = kj_obj(method, "method", "firmware", true, &fw, err)))
		return rc;
	return KESU_OK;
}

/* The run: the tool, what it did, and the record it came from; last the
 * id's form, so a document wrong in several places is named by the first
 * wrong field in reading order. */
static enum kesu_rc check_run(const json_t *c, const char *id, struct kesu_err *err)
{
	static const char *const tool_keys[] = {"name", "version", NULL};
	static const char *const exec_keys[] = {"host", "started_at", "ended_at",
		"bytes_written", "bytes_verified", "bad_ranges", "resumed",
		"clock_synchronized", "run_result", "reason", NULL};
	static const char *const rr_keys[] = {"file", "sha256", "run_id", NULL};
	static const char *const br_keys[] = {"first_lba", "count", "operation", NULL};
	enum kesu_rc rc;
	json_t *tool, *exec, *brs, *rr, *w;
	time_t t;
	bool b;
	size_t i;
	if ((rc = kj_obj(c, "", "tool", false, &tool, err)) ||
	    (rc = kj_keys(tool, "tool", tool_keys, err)) ||
	    (rc = kj_str(tool, "tool", "name", false, 64, NULL, err)) ||
	    (rc = kj_str(tool, "tool", "version", false, 64, NULL, err)) ||
	    (rc = kj_obj(c, "", "execution", false, &exec, err)) ||
	    (rc = kj_keys(exec, "execution", exec_keys, err)) ||
	    (rc = kj_str(exec, "execution", "host", true, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_time(exec, "execution", "started_at", true, &t, NULL, err)) ||
	    (rc = kj_time(exec, "execution", "ended_at", true, &t, NULL, err)) ||
	    (rc = kj_int(exec, "execution", "bytes_written", 0, INT64_MAX, NULL, err)) ||
	    (rc = kj_int(exec, "execution", "bytes_verified", 0, INT64_MAX, NULL, err)) ||
	    (rc = kj_arr(exec, "execution", "bad_ranges", MAX_BAD_RANGES, &brs, err)) ||
	    (rc = kj_bool(exec, "execution", "resumed", &b, err)) ||
	    (rc = kj_bool(exec, "execution", "clock_synchronized", &b, err)) ||
	    (rc = kj_enum(exec, "execution", "run_result", RUN_RESULTS, NULL, err)) ||
	    (rc = kj_str(exec, "execution", "reason", true, 1024, NULL, err)) ||
	    (rc = kj_enum(c, "", "result", RESULTS, NULL, err)) ||
	    (rc = kj_obj(c, "", "run_record", false, &rr, err)) ||
	    (rc = kj_keys(rr, "run_record", rr_keys, err)) ||
	    (rc = kj_str(rr, "run_record", "file", false, 255, NULL, err)) ||
	    (rc = kj_hex(rr, "run_record", "sha256", 64, NULL, err)) ||
	    (rc = kj_str(rr, "run_record", "run_id", false, 36, NULL, err)))
		return rc;
	json_array_foreach(brs, i, w) {
		char where[48];
		snprintf(where, sizeof(where), "execution.bad_ranges[%zu]", i);
		if ((rc = kj_keys(w, where, br_keys, err)))
			return rc;
	}
	if ((rc = check_bad_ranges(brs, "execution.bad_ranges", err)))
		return rc;
	if (!kj_is_uuid(id))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "id: not a lowercase UUID");
	/* A base name only: verifiers look for it beside the certificate. */
	const char *rf = json_string_value(json_object_get(rr, "file"));
	if (!rf[0] || strchr(rf, '/') || !strcmp(rf, ".") || !strcmp(rf, ".."))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "run_record.file: not a plain file name");
	return KESU_OK;
}

/* The computer the run was on (optional: left out when the run record
 * has no host.smbios). */
static enum kesu_rc check_host(const json_t *c, struct kesu_err *err)
{
	const json_t *host = json_object_get(c, "host");
	return host ? kesu_smbios_check_json(host, "host", err) : KESU_OK;
}

enum kesu_rc kesu_cert_check(const json_t *c, struct kesu_err *err)
{
	const char *id = NULL;
	enum kesu_rc rc;
	if ((rc = check_head(c, &id, err)) || (rc = check_people(c, err)) ||
	    (rc = check_host(c, err)) || (rc = check_medium(c, err)))
		return rc;
	/* Absent on certificates from before health readings. */
	const json_t *health = json_object_get(c, "health");
	if (health && (rc = kesu_cert_check_health(health, "health", err)))
		return rc;
	return check_run(c, id, err);
}

enum kesu_rc kesu_cert_parse(const char *buf, size_t len, json_t **out,
			     struct kesu_err *err)
{
	return kj_load(buf, len, KESU_CERT_MAX_BYTES, "certificate", "certificate",
		       kesu_cert_check, out, err);
}
