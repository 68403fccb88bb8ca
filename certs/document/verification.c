/* The kesu-verification/1 document: building, bytes, strict reading and
 * the consistency rule (verification.h). */
#include "certs/document/verification.h"

#include "lib/jcheck.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const kesu_verif_kind_names[KESU_VERIF_KINDS] = {
	"zero", "one", "constant", "pattern", "random", "data",
};

static const char *const kind_keys[] = {
	"zero", "one", "constant", "pattern", "random", "data", NULL,
};

/* Said in every report, so that nobody reads more into a verdict than a
 * spot check can give. */
static const char *const notes[] = {
	"Random-looking regions cannot be told apart from encrypted or "
	"compressed data: no-data-found means nothing readable was found, not "
	"that nothing is there.",
	"In the disposal register only when kesu verify --register named one.",
};

void kesu_verif_statement(bool full, uint64_t locations, double confidence,
			  double fraction, char *buf, size_t size)
{
	if (full) {
		snprintf(buf, size, "every byte of the medium was read");
		return;
	}
	double pct = fraction * 100;
	snprintf(buf, size,
		 "data covering %.*f%% of the medium or more would have been found "
		 "with %g%% confidence (%" PRIu64 " random sample locations, NIST SP "
		 "800-88 plan; the first and last MiB were read in full)",
		 pct >= 10 ? 1 : pct >= 0.01 ? 2 : 4, pct, confidence * 100, locations);
}

const char *kesu_verif_verdict_for(uint64_t findings_total, uint64_t data_cells,
				   uint64_t unreadable_bytes, bool size_changed,
				   uint64_t bytes_read)
{
	if (findings_total || data_cells)
		return "data-found";
	if (unreadable_bytes || size_changed || bytes_read == 0)
		return "incomplete";
	return "no-data-found";
}

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? kesu_json_str(s) : json_null();
}

static json_t *u64(uint64_t v)
{
	return json_integer((json_int_t)v);
}

/* json_object_set_new that remembers an out-of-memory failure. */
static void put(json_t *o, const char *k, json_t *v, bool *oom)
{
	if (!v || json_object_set_new(o, k, v))
		*oom = true;
}

static void add(json_t *a, json_t *v, bool *oom)
{
	if (!v || json_array_append_new(a, v))
		*oom = true;
}

static json_t *build_checks(const struct kesu_verif_input *in, bool *oom)
{
	if (!in->cert_id)
		return json_null();
	json_t *c = json_object(), *mm = json_array();
	if (!c || !mm) {
		json_decref(c);
		json_decref(mm);
		*oom = true;
		return NULL;
	}
	for (size_t i = 0; i < in->n_mismatches; i++)
		add(mm,
		    json_pack("{s:o s:o s:o}", "field", kesu_json_str(in->mismatches[i].field),
			      "certificate", kesu_json_str(in->mismatches[i].certificate),
			      "medium", kesu_json_str(in->mismatches[i].medium)),
		    oom);
	put(c, "certificate_id", kesu_json_str(in->cert_id), oom);
	put(c, "certificate_sha256", kesu_json_str(in->cert_sha256), oom);
	put(c, "certificate_file", kesu_json_str(in->cert_file), oom);
	put(c, "same_medium", json_boolean(in->n_mismatches == 0), oom);
	put(c, "mismatches", mm, oom);
	put(c, "confirmed",
	    json_boolean(in->n_mismatches == 0 && in->verdict &&
			 !strcmp(in->verdict, "no-data-found")),
	    oom);
	return c;
}

/* How the medium was read, and the sentence that says what that proves. */
static json_t *build_method(const struct kesu_verif_input *in, bool *oom)
{
	char seed[17], statement[320];
	snprintf(seed, sizeof(seed), "%016" PRIx64, in->seed);
	kesu_verif_statement(in->full, in->sample_locations, in->confidence,
			     in->detectable_fraction, statement, sizeof(statement));
	json_t *m = json_object();
	if (!m)
		return NULL;        /* put() counts it as out of memory */
	put(m, "mode", json_string(in->full ? "full" : "sample"), oom);
	put(m, "seed", in->full ? json_null() : json_string(seed), oom);
	put(m, "sample_locations", u64(in->full ? 0 : in->sample_locations), oom);
	put(m, "ranges_read", u64(in->ranges_read), oom);
	put(m, "bytes_planned", u64(in->bytes_planned), oom);
	put(m, "bytes_read", u64(in->bytes_read), oom);
	put(m, "cell_bytes", u64(in->cell_bytes), oom);
	put(m, "confidence", in->full ? json_null() : json_real(in->confidence), oom);
	put(m, "detectable_fraction",
	    in->full ? json_null() : json_real(in->detectable_fraction), oom);
	put(m, "statement", json_string(statement), oom);
	return m;
}

/* One put() a field of the report, in the order of the schema (docs), so
 * it reads against the schema top to bottom. */
enum kesu_rc kesu_verif_build(const struct kesu_verif_input *in, json_t **out,
			      struct kesu_err *err)
{
	*out = NULL;
	bool oom = false;
	json_t *d = json_object();
	if (!d)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	put(d, "schema", json_string(KESU_VERIF_SCHEMA), &oom);
	put(d, "kind", json_string("verification"), &oom);
	put(d, "id", kesu_json_str(in->id), &oom);
	put(d, "issued_at", kesu_json_str(in->issued_at), &oom);
	put(d, "started_at", kesu_json_str(in->started_at), &oom);
	put(d, "ended_at", kesu_json_str(in->ended_at), &oom);
	put(d, "operator",
	    json_pack("{s:o s:o s:o s:o}", "name", kesu_json_str(in->operator_name),
		      "organization", str_or_null(in->operator_organization), "title",
		      str_or_null(in->operator_title), "contact",
		      str_or_null(in->operator_contact)),
	    &oom);
	put(d, "device", kesu_identity_to_json(in->device), &oom);

	put(d, "method", build_method(in, &oom), &oom);
	json_t *r = json_object();
	put(d, "regions", r, &oom);
	for (size_t k = 0; r && k < KESU_VERIF_KINDS; k++)
		put(r, kesu_verif_kind_names[k],
		    json_pack("{s:o s:o}", "cells", u64(in->cells[k]), "bytes", u64(in->bytes[k])),
		    &oom);
	json_t *f = json_array();
	put(d, "findings", f, &oom);
	for (size_t i = 0; f && i < in->n_findings; i++)
		add(f,
		    json_pack("{s:o s:o s:o s:o}", "offset", u64(in->findings[i].offset),
			      "length", u64(in->findings[i].length), "what",
			      kesu_json_str(in->findings[i].what), "detail",
			      kesu_json_str(in->findings[i].detail)),
		    &oom);
	put(d, "findings_total", u64(in->findings_total), &oom);
	json_t *u = json_array();
	put(d, "unreadable", u, &oom);
	for (size_t i = 0; u && i < in->n_unreadable; i++)
		add(u,
		    json_pack("{s:o s:o}", "first_lba", u64(in->unreadable[i].first_lba),
			      "count", u64(in->unreadable[i].count)),
		    &oom);
	put(d, "unreadable_ranges_total", u64(in->unreadable_total), &oom);
	put(d, "unreadable_bytes", u64(in->unreadable_bytes), &oom);
	put(d, "size_after", u64(in->size_after), &oom);
	put(d, "verdict", kesu_json_str(in->verdict), &oom);
	put(d, "checks", build_checks(in, &oom), &oom);
	json_t *n = json_array();
	put(d, "notes", n, &oom);
	for (size_t i = 0; n && i < sizeof(notes) / sizeof(notes[0]); i++)
		add(n, json_string(notes[i]), &oom);
	if (oom) {
		json_decref(d);
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	enum kesu_rc rc = kesu_verif_check(d, err);
	if (rc) {
		json_decref(d);
		return kesu_err_prefix(err, "refusing to write a verification report: ");
	}
	*out = d;
	return KESU_OK;
}

char *kesu_verif_serialize(const json_t *doc, size_t *len)
{
	return kj_dumps_line(doc, JSON_SORT_KEYS | JSON_INDENT(2) | JSON_REAL_PRECISION(6), len);
}

/* ---- strict reading ---- */

#define MAXI INT64_MAX

static enum kesu_rc real_in(const json_t *o, const char *where, const char *key,
			    double lo, double hi, bool lo_open, double *out,
			    struct kesu_err *err)
{
	json_t *v = json_object_get(o, key);
	double x = json_is_real(v) ? json_real_value(v)
		   : json_is_integer(v) ? (double)json_integer_value(v)
					: -1e300;
	if (!v || !json_is_number(v) || x > hi || x < lo || (lo_open && x == lo))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "%s.%s: not a number in %c%g, %g]",
				 where, key, lo_open ? '(' : '[', lo, hi);
	*out = x;
	return KESU_OK;
}

static enum kesu_rc check_method(const json_t *m, const json_t *dev, bool *full,
				 int64_t *planned, int64_t *read, struct kesu_err *err)
{
	static const char *const keys[] = {
		"mode", "seed", "sample_locations", "ranges_read", "bytes_planned",
		"bytes_read", "cell_bytes", "confidence", "detectable_fraction",
		"statement", NULL,
	};
	static const char *const modes[] = {"full", "sample", NULL};
	const char *mode, *s;
	int64_t i;
	enum kesu_rc rc;
	if ((rc = kj_keys(m, "method", keys, err)) ||
	    (rc = kj_enum(m, "method", "mode", modes, &mode, err)) ||
	    (rc = kj_int(m, "method", "sample_locations", 0, MAXI, &i, err)) ||
	    (rc = kj_int(m, "method", "ranges_read", 0, MAXI, &i, err)) ||
	    (rc = kj_int(m, "method", "bytes_planned", 0, MAXI, planned, err)) ||
	    (rc = kj_int(m, "method", "bytes_read", 0, MAXI, read, err)) ||
	    (rc = kj_int(m, "method", "cell_bytes", 512, 1 << 30, &i, err)) ||
	    (rc = kj_str(m, "method", "statement", false, 512, &s, err)))
		return rc;
	*full = !strcmp(mode, "full");
	int64_t size = json_integer_value(json_object_get(dev, "size_bytes"));
	if (*full) {
		if (!json_is_null(json_object_get(m, "seed")) ||
		    !json_is_null(json_object_get(m, "confidence")) ||
		    !json_is_null(json_object_get(m, "detectable_fraction")))
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "method: a full read has no seed, confidence or "
					 "detectable fraction");
		if (*planned != size)
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "method: a full read must plan the whole medium "
					 "(%" PRId64 " of %" PRId64 " bytes)",
					 *planned, size);
		return KESU_OK;
	}
	double c, p;
	if ((rc = kj_hex(m, "method", "seed", 16, &s, err)) ||
	    (rc = real_in(m, "method", "confidence", 0, 1, true, &c, err)) ||
	    (rc = real_in(m, "method", "detectable_fraction", 0, 1, true, &p, err)))
		return rc;
	if (c >= 1)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "method.confidence: must be below 1");
	if (*planned > size)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "method: plans more bytes than the medium holds");
	return KESU_OK;
}

static enum kesu_rc check_checks(const json_t *c, const char *verdict,
				 struct kesu_err *err)
{
	static const char *const keys[] = {
		"certificate_id", "certificate_sha256", "certificate_file", "same_medium",
		"mismatches", "confirmed", NULL,
	};
	static const char *const mkeys[] = {"field", "certificate", "medium", NULL};
	static const char *const fields[] = {"serial", "wwn", "size_bytes", NULL};
	const char *s;
	bool same, confirmed;
	json_t *mm, *x;
	size_t i;
	enum kesu_rc rc;
	if ((rc = kj_keys(c, "checks", keys, err)) ||
	    (rc = kj_str(c, "checks", "certificate_id", false, 36, &s, err)))
		return rc;
	if (!kj_is_uuid(s))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "checks.certificate_id: not a UUID");
	if ((rc = kj_hex(c, "checks", "certificate_sha256", 64, &s, err)) ||
	    (rc = kj_str(c, "checks", "certificate_file", false, KESU_STR_MAX, &s, err)) ||
	    (rc = kj_bool(c, "checks", "same_medium", &same, err)) ||
	    (rc = kj_bool(c, "checks", "confirmed", &confirmed, err)) ||
	    (rc = kj_arr(c, "checks", "mismatches", KESU_VERIF_MAX_MISMATCHES, &mm, err)))
		return rc;
	json_array_foreach(mm, i, x) {
		if ((rc = kj_keys(x, "checks.mismatches[]", mkeys, err)) ||
		    (rc = kj_enum(x, "checks.mismatches[]", "field", fields, &s, err)) ||
		    (rc = kj_str(x, "checks.mismatches[]", "certificate", false, KESU_STR_MAX,
				 &s, err)) ||
		    (rc = kj_str(x, "checks.mismatches[]", "medium", false, KESU_STR_MAX, &s,
				 err)))
			return rc;
	}
	if (same != (json_array_size(mm) == 0))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "checks: same_medium contradicts the mismatches listed");
	if (confirmed != (same && !strcmp(verdict, "no-data-found")))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "checks.confirmed: must be true exactly when the medium is "
				 "the certificate's and no data was found");
	return KESU_OK;
}

/* The head of a report: schema, kind, id, the three times in order and
 * the operator. */
static enum kesu_rc check_head(const json_t *doc, struct kesu_err *err)
{
	static const char *const okeys[] = {"name", "organization", "title", "contact", NULL};
	static const char *const kinds[] = {"verification", NULL};
	enum kesu_rc rc;
	const char *s;
	json_t *o;
	time_t t0, t1, ti;
	if ((rc = kj_str(doc, "", "schema", false, 64, &s, err)))
		return rc;
	if (strcmp(s, KESU_VERIF_SCHEMA))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "schema: '%s' is not " KESU_VERIF_SCHEMA, s);
	if ((rc = kj_enum(doc, "", "kind", kinds, &s, err)) ||
	    (rc = kj_str(doc, "", "id", false, 36, &s, err)))
		return rc;
	if (!kj_is_uuid(s))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "id: not a lowercase UUID");
	if ((rc = kj_time(doc, "", "issued_at", false, &ti, &s, err)) ||
	    (rc = kj_time(doc, "", "started_at", false, &t0, &s, err)) ||
	    (rc = kj_time(doc, "", "ended_at", false, &t1, &s, err)))
		return rc;
	if (t1 < t0 || ti < t1)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "times: started_at <= ended_at <= issued_at does not hold");
	if ((rc = kj_obj(doc, "", "operator", false, &o, err)) ||
	    (rc = kj_keys(o, "operator", okeys, err)) ||
	    (rc = kj_str(o, "operator", "name", false, KESU_STR_MAX, &s, err)) ||
	    (rc = kj_str(o, "operator", "organization", true, KESU_STR_MAX, &s, err)) ||
	    (rc = kj_str(o, "operator", "title", true, KESU_STR_MAX, &s, err)) ||
	    (rc = kj_str(o, "operator", "contact", true, KESU_STR_MAX, &s, err)))
		return rc;
	return KESU_OK;
}

/* The regions, whose bytes must add up to the bytes read; *data_cells is
 * the last kind's cell count, the one the verdict turns on. */
static enum kesu_rc check_regions(const json_t *doc, int64_t read, int64_t *data_cells,
				  struct kesu_err *err)
{
	static const char *const rkeys[] = {"cells", "bytes", NULL};
	enum kesu_rc rc;
	json_t *o, *x;
	int64_t sum = 0;
	if ((rc = kj_obj(doc, "", "regions", false, &o, err)) ||
	    (rc = kj_keys(o, "regions", kind_keys, err)))
		return rc;
	for (size_t k = 0; k < KESU_VERIF_KINDS; k++) {
		char where[32];
		snprintf(where, sizeof(where), "regions.%s", kesu_verif_kind_names[k]);
		int64_t cells, bytes;
		if ((rc = kj_obj(o, "regions", kesu_verif_kind_names[k], false, &x, err)) ||
		    (rc = kj_keys(x, where, rkeys, err)) ||
		    (rc = kj_int(x, where, "cells", 0, MAXI, &cells, err)) ||
		    (rc = kj_int(x, where, "bytes", 0, MAXI, &bytes, err)))
			return rc;
		if (bytes > INT64_MAX - sum)
			return kesu_fail(err, KESU_ERR_INVALID, 0, "regions: bytes overflow");
		sum += bytes;
		if (k == KESU_VERIF_KINDS - 1)
			*data_cells = cells;
	}
	if (sum != read)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "regions: their bytes (%" PRId64 ") are not the bytes read "
				 "(%" PRId64 ")",
				 sum, read);
	return KESU_OK;
}

/* The findings listed and their total. */
static enum kesu_rc check_findings(const json_t *doc, int64_t *total, struct kesu_err *err)
{
	static const char *const fkeys[] = {"offset", "length", "what", "detail", NULL};
	enum kesu_rc rc;
	const char *s;
	json_t *arr, *x;
	int64_t i;
	size_t k;
	if ((rc = kj_arr(doc, "", "findings", KESU_VERIF_MAX_FINDINGS, &arr, err)) ||
	    (rc = kj_int(doc, "", "findings_total", (int64_t)json_array_size(arr), MAXI,
			 total, err)))
		return rc;
	json_array_foreach(arr, k, x) {
		if ((rc = kj_keys(x, "findings[]", fkeys, err)) ||
		    (rc = kj_int(x, "findings[]", "offset", 0, MAXI, &i, err)) ||
		    (rc = kj_int(x, "findings[]", "length", 0, MAXI, &i, err)) ||
		    (rc = kj_str(x, "findings[]", "what", false, 15, &s, err)) ||
		    (rc = kj_str(x, "findings[]", "detail", false, 95, &s, err)))
			return rc;
	}
	return KESU_OK;
}

/* The unreadable ranges, their bytes and the size after; read and
 * unreadable bytes must add up to the bytes planned. */
static enum kesu_rc check_unreadable(const json_t *doc, int64_t planned, int64_t read,
				     int64_t *ubytes, int64_t *size_after,
				     struct kesu_err *err)
{
	static const char *const ukeys[] = {"first_lba", "count", NULL};
	enum kesu_rc rc;
	json_t *arr, *x;
	int64_t i, utotal;
	size_t k;
	if ((rc = kj_arr(doc, "", "unreadable", KESU_VERIF_MAX_UNREADABLE, &arr, err)) ||
	    (rc = kj_int(doc, "", "unreadable_ranges_total", (int64_t)json_array_size(arr),
			 MAXI, &utotal, err)) ||
	    (rc = kj_int(doc, "", "unreadable_bytes", 0, MAXI, ubytes, err)) ||
	    (rc = kj_int(doc, "", "size_after", 0, MAXI, size_after, err)))
		return rc;
	json_array_foreach(arr, k, x) {
		if ((rc = kj_keys(x, "unreadable[]", ukeys, err)) ||
		    (rc = kj_int(x, "unreadable[]", "first_lba", 0, MAXI, &i, err)) ||
		    (rc = kj_int(x, "unreadable[]", "count", 1, MAXI, &i, err)))
			return rc;
	}
	if ((utotal == 0) != (*ubytes == 0))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "unreadable: ranges and bytes disagree");
	if (read > planned || *ubytes != planned - read)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "method: bytes read (%" PRId64 ") and unreadable (%" PRId64
				 ") do not add up to the bytes planned (%" PRId64 ")",
				 read, *ubytes, planned);
	return KESU_OK;
}

enum kesu_rc kesu_verif_check(const json_t *doc, struct kesu_err *err)
{
	static const char *const keys[] = {
		"schema", "kind", "id", "issued_at", "started_at", "ended_at", "operator",
		"device", "method", "regions", "findings", "findings_total", "unreadable",
		"unreadable_ranges_total", "unreadable_bytes", "size_after", "verdict",
		"checks", "notes", NULL,
	};
	static const char *const verdicts[] = {"no-data-found", "data-found", "incomplete",
					       NULL};
	enum kesu_rc rc;
	const char *verdict;
	json_t *o, *x, *arr;
	int64_t planned, read, total, ubytes, size_after, data_cells = 0;
	size_t k;
	if ((rc = kj_keys(doc, "", keys, err)) || (rc = check_head(doc, err)))
		return rc;
	struct kesu_identity id;
	json_t *dev;
	if ((rc = kj_obj(doc, "", "device", false, &dev, err)) ||
	    (rc = kesu_identity_from_json(dev, &id, err)))
		return rc;
	if (id.size_bytes == 0 || id.size_bytes > INT64_MAX || id.logical_block_size == 0)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "device: size_bytes and logical_block_size must be positive");
	bool full; /* check_method holds a full read to the whole medium */
	if ((rc = kj_obj(doc, "", "method", false, &o, err)) ||
	    (rc = check_method(o, dev, &full, &planned, &read, err)) ||
	    (rc = check_regions(doc, read, &data_cells, err)) ||
	    (rc = check_findings(doc, &total, err)) ||
	    (rc = check_unreadable(doc, planned, read, &ubytes, &size_after, err)) ||
	    (rc = kj_enum(doc, "", "verdict", verdicts, &verdict, err)))
		return rc;
	const char *implied =
		kesu_verif_verdict_for((uint64_t)total, (uint64_t)data_cells, (uint64_t)ubytes,
				       (uint64_t)size_after != id.size_bytes, (uint64_t)read);
	if (strcmp(verdict, implied))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "verdict: '%s' contradicts the report's contents, which "
				 "say '%s'",
				 verdict, implied);
	if ((rc = kj_obj(doc, "", "checks", true, &o, err)))
		return rc;
	if (o && (rc = check_checks(o, verdict, err)))
		return rc;
	if ((rc = kj_arr(doc, "", "notes", 8, &arr, err)))
		return rc;
	json_array_foreach(arr, k, x)
		if (!json_is_string(x) || !kesu_is_clean(json_string_value(x)))
			return kesu_fail(err, KESU_ERR_INVALID, 0, "notes: not clean strings");
	return KESU_OK;
}

enum kesu_rc kesu_verif_parse(const char *buf, size_t len, json_t **out,
			      struct kesu_err *err)
{
	return kj_load(buf, len, KESU_VERIF_MAX_BYTES, "report", "verification report",
		       kesu_verif_check, out, err);
}

bool kesu_verif_is(const char *buf, size_t len)
{
	return kj_has_schema(buf, len, KESU_VERIF_SCHEMA);
}
