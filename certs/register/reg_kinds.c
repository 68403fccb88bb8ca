/* The table of document kinds a register line may carry besides erasure
 * certificates, and the destruction row's rules. */
#include "certs/register/reg_kinds.h"
#include "certs/document/approval.h"
#include "certs/document/certificate.h"
#include "certs/document/countersign.h"
#include "certs/document/custody.h"
#include "certs/document/destruction.h"
#include "certs/document/verification.h"
#include "lib/jcheck.h"
#include "lib/strutil.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* ---- destruction ---- */

static const char *const destruction_keys[] = {"closes", "technique", NULL};

static enum kesu_rc destruction_check_line(const json_t *line, struct kesu_err *err)
{
	const char *closes, *tech;
	enum kesu_rc rc;
	if ((rc = kj_str(line, "", "closes", true, 36, &closes, err)) ||
	    (rc = kj_str(line, "", "technique", false, 32, &tech, err)))
		return rc;
	if (closes && !kj_is_uuid(closes))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "closes: not a lowercase UUID");
	const struct kesu_destroy_technique *t = kesu_destroy_technique_find(tech);
	if (!t || strcmp(t->name, tech))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "technique: unknown");
	return KESU_OK;
}

static json_t *destruction_fields(const json_t *doc)
{
	return json_pack("{s:s s:O s:O s:O s:O}", "kind", "destruction",
			 "cert_id", json_object_get(doc, "id"),
			 "serial", json_object_get(json_object_get(doc, "medium"), "serial"),
			 "closes", json_object_get(doc, "closes"),
			 "technique", json_object_get(json_object_get(doc, "technique"), "name"));
}

static const char *sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* A destruction closes at most one erasure certificate, of the same
 * serial, that the register holds and no other destruction closed; one
 * that closes none is for a serial the register has no certificate for. */
static enum kesu_rc destruction_admit(const json_t *entry, const json_t *lines,
				      struct kesu_err *err)
{
	const char *closes = sget(entry, "closes"), *serial = sget(entry, "serial");
	const json_t *erasure = NULL, *same_serial = NULL;
	size_t i;
	json_t *l;
	json_array_foreach(lines, i, l) {
		const char *kind = sget(l, "kind");
		if (!strcmp(kind, "certificate")) {
			if (closes && !strcmp(sget(l, "cert_id"), closes))
				erasure = l;
			if (serial && sget(l, "serial") && !strcmp(sget(l, "serial"), serial))
				same_serial = l;
		} else if (!strcmp(kind, "destruction") && closes && sget(l, "closes") &&
			   !strcmp(sget(l, "closes"), closes)) {
			return kesu_fail(err, KESU_ERR_INVALID, 0, "erasure certificate %s is "
					 "already closed by destruction %s (register entry %lld)",
					 closes, sget(l, "cert_id"),
					 (long long)json_integer_value(json_object_get(l, "seq")));
		}
	}
	if (closes && !erasure)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "the erasure certificate %s it "
				 "closes is not in the register", closes);
	if (erasure && (!sget(erasure, "serial") || strcmp(sget(erasure, "serial"), serial)))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "it closes erasure certificate %s, "
				 "which is for another serial", closes);
	if (!closes && same_serial)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "the register holds erasure "
				 "certificate %s for serial %s: a destruction of that medium "
				 "must close it", sget(same_serial, "cert_id"), serial);
	return KESU_OK;
}

/* ---- approval (kesu-approval(5)) ---- */

static const char *const approval_keys[] = {"reference", "valid_until", NULL};

static enum kesu_rc approval_check_line(const json_t *line, struct kesu_err *err)
{
	time_t t;
	enum kesu_rc rc = kj_str(line, "", "reference", false, KESU_STR_MAX, NULL, err);
	return rc ? rc : kj_time(line, "", "valid_until", false, &t, NULL, err);
}

/* An approval covers many media: its line names none. */
static json_t *approval_fields(const json_t *doc)
{
	return json_pack("{s:s s:O s:n s:O s:O}", "kind", "approval",
			 "cert_id", json_object_get(doc, "id"), "serial",
			 "reference", json_object_get(doc, "reference"),
			 "valid_until", json_object_get(doc, "valid_until"));
}

/* ---- custody (kesu-custody(5)) ---- */

static const char *const custody_keys[] = {"serials", "from", "to", "purpose", NULL};

static enum kesu_rc custody_check_line(const json_t *line, struct kesu_err *err)
{
	static const char *const purposes[] = {"transfer", "destruction", NULL};
	json_t *serials, *s;
	size_t i;
	enum kesu_rc rc;
	if ((rc = kj_arr(line, "", "serials", KESU_CUSTODY_MAX_SERIALS, &serials, err)) ||
	    (rc = kj_str(line, "", "from", false, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_str(line, "", "to", false, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_enum(line, "", "purpose", purposes, NULL, err)))
		return rc;
	json_array_foreach(serials, i, s)
		if (!json_is_string(s) || !kesu_is_clean(json_string_value(s)) ||
		    json_string_length(s) > KESU_STR_MAX)
			return kesu_fail(err, KESU_ERR_INVALID, 0, "serials[%zu]: not a clean string", i);
	return KESU_OK;
}

/* The line repeats every serial and the two parties, so the register alone
 * can follow a medium from hand-over to hand-over. */
static json_t *custody_fields(const json_t *doc)
{
	const json_t *serials = json_object_get(doc, "serials");
	return json_pack("{s:s s:O s:O s:O s:O s:O s:O}", "kind", "custody",
			 "cert_id", json_object_get(doc, "id"),
			 "serial", json_array_size(serials) == 1 ? json_array_get(serials, 0)
								 : json_null(),
			 "serials", serials,
			 "from", json_object_get(json_object_get(doc, "from"), "organization"),
			 "to", json_object_get(json_object_get(doc, "to"), "organization"),
			 "purpose", json_object_get(doc, "purpose"));
}

/* ---- verification: a spot-check report (kesu-verification(5)) ---- */

static const char *const verification_keys[] = {"refers_to", "verdict", "signer", NULL};

static enum kesu_rc verification_check_line(const json_t *line, struct kesu_err *err)
{
	static const char *const verdicts[] = {"no-data-found", "data-found", "incomplete",
					       NULL};
	const char *refers;
	enum kesu_rc rc;
	if ((rc = kj_str(line, "", "refers_to", true, 36, &refers, err)) ||
	    (rc = kj_enum(line, "", "verdict", verdicts, NULL, err)) ||
	    (rc = kj_str(line, "", "signer", false, KESU_STR_MAX, NULL, err)))
		return rc;
	if (refers && !kj_is_uuid(refers))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "refers_to: not a lowercase UUID");
	return KESU_OK;
}

/* The line names the medium read, the erasure certificate the check is
 * about (null when none), its verdict and who checked. */
static json_t *verification_fields(const json_t *doc)
{
	const json_t *checks = json_object_get(doc, "checks");
	return json_pack("{s:s s:O s:O s:O s:O s:O}", "kind", "verification",
			 "cert_id", json_object_get(doc, "id"),
			 "serial", json_object_get(json_object_get(doc, "device"), "serial"),
			 "refers_to", json_is_object(checks)
				      ? json_object_get(checks, "certificate_id") : json_null(),
			 "verdict", json_object_get(doc, "verdict"),
			 "signer", json_object_get(json_object_get(doc, "operator"), "name"));
}

/* ---- countersignature: a witness's or the city's signature over a
 * registered document (countersign.h) ---- */

static const char *const countersig_keys[] = {"refers_to", "refers_kind", "role", "signer",
					      "sig_file", NULL};

static enum kesu_rc countersig_check_line(const json_t *line, struct kesu_err *err)
{
	static const char *const roles[] = {"witness", "city", "receiver", NULL};
	const char *refers;
	enum kesu_rc rc;
	if ((rc = kj_str(line, "", "refers_to", false, 36, &refers, err)) ||
	    (rc = kj_str(line, "", "refers_kind", false, 32, NULL, err)) ||
	    (rc = kj_enum(line, "", "role", roles, NULL, err)) ||
	    (rc = kj_str(line, "", "signer", false, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_str(line, "", "sig_file", false, PATH_MAX, NULL, err)))
		return rc;
	if (!kj_is_uuid(refers))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "refers_to: not a lowercase UUID");
	return KESU_OK;
}

/* The document countersigned: an erasure certificate or a document of a
 * kind in this table (never another countersignature). */
static enum kesu_rc countersigned_parse(const char *buf, size_t len, json_t **doc,
					struct kesu_err *err)
{
	const struct kesu_reg_kind *k = kesu_reg_kind_of_doc(buf, len);
	if (k && strcmp(k->kind, "countersignature"))
		return k->parse(buf, len, doc, err);
	if (k)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "a countersignature is not "
				 "countersigned");
	return kesu_cert_parse(buf, len, doc, err);
}

/* The line names the document it vouches for and repeats its serial. */
static json_t *countersig_fields(const json_t *doc)
{
	const char *dk = json_string_value(json_object_get(doc, "kind"));
	const struct kesu_reg_kind *k = kesu_reg_kind_find(dk);
	json_t *serial = NULL;
	if (k && strcmp(k->kind, "countersignature")) {
		json_t *f = k->line_fields(doc);
		serial = json_incref(json_object_get(f, "serial"));
		json_decref(f);
	} else {
		serial = json_incref(json_object_get(json_object_get(doc, "device"), "serial"));
	}
	if (!dk || !json_object_get(doc, "id")) {
		json_decref(serial);
		return NULL;
	}
	return json_pack("{s:s s:O s:s s:o}", "kind", "countersignature",
			 "refers_to", json_object_get(doc, "id"), "refers_kind", dk,
			 "serial", serial ? serial : json_null());
}

/* A countersignature joins a register that holds the document it signs. */
static enum kesu_rc countersig_admit(const json_t *entry, const json_t *lines,
				     struct kesu_err *err)
{
	const char *refers = sget(entry, "refers_to");
	size_t i;
	json_t *l;
	json_array_foreach(lines, i, l)
		if (sget(l, "cert_id") && refers && !strcmp(sget(l, "cert_id"), refers))
			return KESU_OK;
	return kesu_fail(err, KESU_ERR_INVALID, 0, "the document %s it countersigns is "
			 "not in the register", refers ? refers : "?");
}

enum kesu_rc kesu_reg_countersig_signer(const json_t *line, const struct kesu_sig_info *si,
					struct kesu_err *why)
{
	const char *role = sget(line, "role"), *signer = sget(line, "signer");
	int bits = role ? kesu_countersign_role_bits(role) : -1;
	if (bits < 0 || (bits && !(si->roles & (unsigned)bits)))
		return kesu_fail(why, KESU_ERR_INVALID, 0, "countersignature by %.100s, whose "
				 "certificate does not hold the %.16s role", si->signer_name,
				 role ? role : "?");
	if (!signer || strcmp(signer, si->signer_name))
		return kesu_fail(why, KESU_ERR_INVALID, 0, "the countersignature is by %.100s, "
				 "not %.100s as its line says", si->signer_name,
				 signer ? signer : "?");
	return KESU_OK;
}

/* ---- the table ---- */

static const struct kesu_reg_kind kinds[] = {
	{"destruction", destruction_keys, destruction_check_line, kesu_destruction_parse,
	 destruction_fields, destruction_admit},
	{"approval", approval_keys, approval_check_line, kesu_approval_parse,
	 approval_fields, NULL},
	{"custody", custody_keys, custody_check_line, kesu_custody_parse,
	 custody_fields, NULL},
	{"verification", verification_keys, verification_check_line, kesu_verif_parse,
	 verification_fields, NULL},
	{"countersignature", countersig_keys, countersig_check_line, countersigned_parse,
	 countersig_fields, countersig_admit},
};

const struct kesu_reg_kind *kesu_reg_kind_find(const char *kind)
{
	for (size_t i = 0; kind && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].kind, kind))
			return &kinds[i];
	return NULL;
}

enum kesu_rc kesu_reg_kind_check_line(const struct kesu_reg_kind *k, const json_t *line,
				      struct kesu_err *err)
{
	static const char *const common[] = {"seq", "time", "prev", "kind", "cert_id",
		"cert_file", "cert_sha256", "sig_sha256", "serial"};
	const size_t n_common = sizeof(common) / sizeof(common[0]);
	const char *allowed[32];
	size_t n = 0;
	for (; n < n_common; n++)
		allowed[n] = common[n];
	for (size_t i = 0; k->keys[i] && n < 31; i++)
		allowed[n++] = k->keys[i];
	allowed[n] = NULL;
	const char *id;
	enum kesu_rc rc;
	if ((rc = kj_keys(line, "", allowed, err)) ||
	    (rc = kj_str(line, "", "cert_id", false, 36, &id, err)) ||
	    (rc = kj_str(line, "", "cert_file", false, PATH_MAX, NULL, err)) ||
	    (rc = kj_hex(line, "", "cert_sha256", 64, NULL, err)) ||
	    (rc = kj_hex(line, "", "sig_sha256", 64, NULL, err)) ||
	    (rc = kj_str(line, "", "serial", true, KESU_STR_MAX, NULL, err)))
		return rc;
	if (!kj_is_uuid(id))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "cert_id: not a lowercase UUID");
	return k->check_line(line, err);
}

enum kesu_rc kesu_reg_fields_contradict(const json_t *line, json_t *want,
				       enum kesu_reg_doc_noun what, struct kesu_err *why)
{
	bool cert = what == KESU_REG_CERTIFICATE;
	if (!want)
		return cert ? kesu_fail(why, KESU_ERR_INVALID, 0, "the certificate lacks a "
					"field the line repeats")
			    : kesu_fail(why, KESU_ERR_INVALID, 0, "the document lacks a field "
					"the line repeats");
	const char *key;
	enum kesu_rc rc = KESU_OK;
	json_t *v;
	/* One whole sentence per noun: a translation cannot be put together
	 * from "certificate" and "document" as words. */
	json_object_foreach(want, key, v) {
		const json_t *got = json_object_get(line, key);
		if (got && json_equal(got, v))
			continue;
		rc = cert ? kesu_fail(why, KESU_ERR_INVALID, 0, "its %s does not match the "
				      "certificate it points to (the line or the certificate "
				      "was forged)", key)
			  : kesu_fail(why, KESU_ERR_INVALID, 0, "its %s does not match the "
				      "document it points to (the line or the document was "
				      "forged)", key);
		break;
	}
	json_decref(want);
	return rc;
}

enum kesu_rc kesu_reg_kind_contradicts(const struct kesu_reg_kind *k, const json_t *line,
				       const json_t *doc, struct kesu_err *why)
{
	return kesu_reg_fields_contradict(line, k->line_fields(doc), KESU_REG_DOCUMENT, why);
}

const struct kesu_reg_kind *kesu_reg_kind_of_doc(const char *buf, size_t len)
{
	json_t *d = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
	const struct kesu_reg_kind *k = kesu_reg_kind_find(
		json_string_value(json_object_get(d, "kind")));
	json_decref(d);
	return k;
}
