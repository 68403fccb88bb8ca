/* The register's pure half: line syntax, the chain, the head document and
 * the verdict on a register's text against its signed head. */
#include "certs/register/register.h"
#include "certs/register/reg_kinds.h"
#include "lib/digest.h"
#include "lib/idset.h"
#include "lib/i18n.h"
#include "lib/jcheck.h"
#include "lib/strutil.h"

#include <inttypes.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *kesu_register_line(const json_t *entry)
{
	return json_dumps(entry, JSON_SORT_KEYS | JSON_COMPACT);
}

static const char *const results[] = {"erased", "erased-with-exceptions",
				      "not-erased", NULL};

/* key present, and null exactly when want_value is false */
static enum kesu_rc value_iff(const json_t *o, const char *key, bool want_value,
			      struct kesu_err *err)
{
	const json_t *v = json_object_get(o, key);
	if (!v)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "%s: missing", key);
	if (json_is_null(v) == want_value)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "%s: %s", key,
				 want_value ? "null where a value is required"
					    : "set where it must be null");
	return KESU_OK;
}

static enum kesu_rc check_repair(const json_t *o, struct kesu_err *err)
{
	static const char *const keys[] = {"seq", "time", "prev", "kind", "reason",
		"by", "signer", "head", "head_seq", "head_line_sha256", "lost_first_seq",
		"lost_last_seq", "cut_bytes", "cut_sha256", NULL};
	static const char *const heads[] = {"verified", "missing", "unverified", NULL};
	const char *head;
	enum kesu_rc rc;
	if ((rc = kj_keys(o, "", keys, err)) ||
	    (rc = kj_str(o, "", "reason", false, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_str(o, "", "by", false, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_str(o, "", "signer", false, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_enum(o, "", "head", heads, &head, err)) ||
	    (rc = kj_int(o, "", "cut_bytes", 0, INT64_MAX, NULL, err)) ||
	    (rc = kj_hex(o, "", "cut_sha256", 64, NULL, err)))
		return rc;
	/* Only a verified head's claims are evidence, and lost numbers are
	 * known only from one; they come as a pair. */
	bool verified = !strcmp(head, "verified");
	bool lost = !json_is_null(json_object_get(o, "lost_first_seq"));
	if ((rc = value_iff(o, "head_seq", verified, err)) ||
	    (rc = value_iff(o, "head_line_sha256", verified, err)) ||
	    (rc = value_iff(o, "lost_first_seq", lost, err)) ||
	    (rc = value_iff(o, "lost_last_seq", lost, err)))
		return rc;
	if (lost && !verified)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "lost_first_seq: set although no verified head said so");
	if (verified &&
	    ((rc = kj_int(o, "", "head_seq", 0, INT64_MAX, NULL, err)) ||
	     (rc = kj_hex(o, "", "head_line_sha256", 64, NULL, err))))
		return rc;
	if (lost &&
	    ((rc = kj_int(o, "", "lost_first_seq", 1, INT64_MAX, NULL, err)) ||
	     (rc = kj_int(o, "", "lost_last_seq", 1, INT64_MAX, NULL, err))))
		return rc;
	if (lost && (json_integer_value(json_object_get(o, "lost_last_seq")) <
	     json_integer_value(json_object_get(o, "lost_first_seq"))))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "lost_last_seq: before lost_first_seq");
	return KESU_OK;
}

static enum kesu_rc check_entry(const json_t *o, const char **kind_out,
				struct kesu_err *err)
{
	static const char *const cert_keys[] = {"seq", "time", "prev", "kind", "cert_id",
		"run_id", "cert_file", "cert_sha256", "sig_sha256", "serial", "model",
		"result", "operator", NULL};
	static const char *const rec_keys[] = {"seq", "time", "prev", "kind", "cut_bytes",
		"cut_sha256", NULL};
	static const char *const kinds[] = {"certificate", "recovery", "repair", NULL};
	const char *kind, *id, *run;
	time_t t;
	enum kesu_rc rc;
	const struct kesu_reg_kind *doc_kind =
		kesu_reg_kind_find(json_string_value(json_object_get(o, "kind")));
	if ((rc = doc_kind ? kj_str(o, "", "kind", false, 32, &kind, err)
			   : kj_enum(o, "", "kind", kinds, &kind, err)) ||
	    (rc = kj_int(o, "", "seq", 1, INT64_MAX, NULL, err)) ||
	    (rc = kj_time(o, "", "time", false, &t, NULL, err)) ||
	    (rc = kj_hex(o, "", "prev", 64, NULL, err)))
		return rc;
	*kind_out = kind;
	if (!strcmp(kind, "recovery"))
		return (rc = kj_keys(o, "", rec_keys, err)) ? rc
		       : (rc = kj_int(o, "", "cut_bytes", 1, INT64_MAX, NULL, err)) ? rc
		       : kj_hex(o, "", "cut_sha256", 64, NULL, err);
	if (!strcmp(kind, "repair"))
		return check_repair(o, err);
	if (doc_kind)
		return kesu_reg_kind_check_line(doc_kind, o, err);
	if ((rc = kj_keys(o, "", cert_keys, err)) ||
	    (rc = kj_str(o, "", "cert_id", false, 36, &id, err)) ||
	    (rc = kj_str(o, "", "run_id", false, 36, &run, err)) ||
	    (rc = kj_str(o, "", "cert_file", false, PATH_MAX, NULL, err)) ||
	    (rc = kj_hex(o, "", "cert_sha256", 64, NULL, err)) ||
	    (rc = kj_hex(o, "", "sig_sha256", 64, NULL, err)) ||
	    (rc = kj_str(o, "", "serial", true, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_str(o, "", "model", true, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_enum(o, "", "result", results, NULL, err)) ||
	    (rc = kj_str(o, "", "operator", false, KESU_STR_MAX, NULL, err)))
		return rc;
	if (!kj_is_uuid(id))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "cert_id: not a lowercase UUID");
	if (!kj_is_uuid(run))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "run_id: not a lowercase UUID");
	return KESU_OK;
}

static uint64_t jint(const json_t *o, const char *k)
{
	return (uint64_t)json_integer_value(json_object_get(o, k));
}

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The sequence number a line must carry after prev_seq; a repair line
 * skips exactly the numbers it declares lost, so numbers are never reused
 * for other entries. */
/* A finding in English (why: the register's own words, JSON) and in the
 * operator's language (local), made together as kesu_fail makes its two
 * texts: fmt is a catalogue key (xgettext --keyword=kesu_reg_say:4). */
static void kesu_reg_say(char *why, char *local, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void kesu_reg_say(char *why, char *local, size_t size, const char *fmt, ...)
{
	va_list ap, aq;
	va_start(ap, fmt);
	va_copy(aq, ap);
	vsnprintf(why, size, fmt, ap);
	vsnprintf(local, size, _(fmt), aq);
	va_end(aq);
	va_end(ap);
}

static bool seq_follows(const json_t *o, const char *kind, uint64_t prev_seq,
			char *why, char *local, size_t size)
{
	uint64_t seq = jint(o, "seq"), want = prev_seq + 1;
	if (!strcmp(kind, "repair") && !json_is_null(json_object_get(o, "lost_first_seq"))) {
		uint64_t first = jint(o, "lost_first_seq"), last = jint(o, "lost_last_seq");
		if (first != prev_seq + 1) {
			kesu_reg_say(why, local, size, "repair declares entries lost from %"
				     PRIu64 " but the previous line is %" PRIu64, first, prev_seq);
			return false;
		}
		want = last + 1;
	}
	if (seq == want)
		return true;
	kesu_reg_say(why, local, size, "sequence number %" PRIu64 " where %" PRIu64 " was "
		     "expected (a line was deleted, inserted or moved)", seq, want);
	return false;
}

struct dup_index {
	struct kesu_idset certs, runs;
};

/* A certificate id or run id seen before: a run is certified once, and a
 * certificate registered once. */
static bool unique_ids(struct dup_index *d, const json_t *o, size_t lineno,
		       char *why, char *local, size_t size)
{
	uint64_t old;
	bool oom;
	const char *id = jstr(o, "cert_id"), *run = jstr(o, "run_id");
	if (!kesu_idset_add(&d->certs, id, lineno, &old, &oom)) {
		if (oom)
			kesu_reg_say(why, local, size, "out of memory checking certificate ids");
		else
			kesu_reg_say(why, local, size, "certificate %s is registered twice "
				     "(already in line %" PRIu64 ")", id, old);
		return false;
	}
	/* Documents other than erasure certificates share the id space but
	 * certify no run. */
	if (!run)
		return true;
	if (!kesu_idset_add(&d->runs, run, lineno, &old, &oom)) {
		if (oom)
			kesu_reg_say(why, local, size, "out of memory checking run ids");
		else
			kesu_reg_say(why, local, size, "run %s is certified twice (already in "
				     "line %" PRIu64 "): a run record is certified once", run, old);
		return false;
	}
	return true;
}

/* One parsed line against the rules: a valid entry, written canonically,
 * next in sequence, linked to the previous line's hash, and no id seen
 * before.  A broken hash link is blamed on the line before (*lineno). */
static enum kesu_rc judge_line(json_t *o, const char *line, size_t n, const char *prev,
			       struct dup_index *dups, size_t *lineno,
			       struct kesu_reg_check *r, const char **kind)
{
	struct kesu_err err = {0};
	enum kesu_rc rc = check_entry(o, kind, &err);
	char *canon = rc ? NULL : kesu_register_line(o);
	if (rc) {
		snprintf(r->why, sizeof(r->why), "%.380s", err.msg);
		snprintf(r->why_local, sizeof(r->why_local), "%.380s", kesu_err_text(&err));
	} else if (!canon || strlen(canon) != n || memcmp(canon, line, n)) {
		rc = KESU_ERR_INVALID;
		kesu_reg_say(r->why, r->why_local, sizeof(r->why),
			     "not in canonical form (the line was edited)");
	} else if (!seq_follows(o, *kind, r->last_seq, r->why, r->why_local, sizeof(r->why))) {
		rc = KESU_ERR_INVALID;
	} else if (strcmp(jstr(o, "prev"), prev)) {
		/* Sequence numbers are intact, so nothing was moved or
		 * removed: the previous line's bytes changed after line
		 * `lineno` recorded their hash (or this prev was edited). */
		rc = KESU_ERR_INVALID;
		kesu_reg_say(r->why, r->why_local, sizeof(r->why),
			     "edited after it was written: its hash no longer matches "
			     "the prev recorded in line %zu (hash link broken)", *lineno);
		(*lineno)--;
	} else if ((!strcmp(*kind, "certificate") || kesu_reg_kind_find(*kind)) &&
		   !unique_ids(dups, o, *lineno, r->why, r->why_local, sizeof(r->why))) {
		rc = KESU_ERR_INVALID;
	}
	free(canon);
	return rc;
}

/* Where the marked sequence number and the line before it end. */
static void note_mark(struct kesu_reg_mark *m, const struct kesu_reg_check *r,
		      uint64_t seq, uint64_t mark_seq, size_t lineno, size_t pos,
		      const char prev[65])
{
	if (seq < mark_seq) {
		m->before_bytes = pos;
		m->before_lines = r->lines;
		m->before_seq = seq;
		memcpy(m->before_hash, prev, 65);
	} else if (seq == mark_seq) {
		m->found = true;
		m->line = lineno;
		m->end = pos;
		memcpy(m->hash, prev, 65);
	}
}

void kesu_register_check_text(const char *text, size_t len, uint64_t mark_seq,
			      struct kesu_reg_check *r,
			      void (*each)(const json_t *line, void *arg), void *arg)
{
	memset(r, 0, sizeof(*r));
	struct kesu_reg_mark *m = &r->mark;
	memcpy(m->before_hash, KESU_REGISTER_GENESIS, 65);
	if (mark_seq == 0) {
		m->found = true;
		memcpy(m->hash, KESU_REGISTER_GENESIS, 65);
	}
	char prev[65] = KESU_REGISTER_GENESIS;
	struct dup_index dups = {{0}, {0}};
	size_t pos = 0, lineno = 0;
	while (pos < len) {
		lineno++;
		const char *nl = memchr(text + pos, '\n', len - pos);
		if (!nl) {
			r->torn = true;
			r->bad_line = lineno;
			kesu_reg_say(r->why, r->why_local, sizeof(r->why),
				     "incomplete last line (%zu bytes without newline)", len - pos);
			break;
		}
		size_t n = (size_t)(nl - (text + pos));
		json_error_t je;
		json_t *o = json_loadb(text + pos, n, JSON_REJECT_DUPLICATES, &je);
		if (!o) {
			r->bad_line = lineno;
			kesu_reg_say(r->why, r->why_local, sizeof(r->why), "not valid JSON: %s",
				     je.text);
			break;
		}
		const char *kind = NULL;
		enum kesu_rc rc = judge_line(o, text + pos, n, prev, &dups, &lineno, r, &kind);
		if (rc) {
			json_decref(o);
			r->bad_line = lineno;
			break;
		}
		r->repairs += !strcmp(kind, "repair");
		r->recoveries += !strcmp(kind, "recovery");
		uint64_t seq = jint(o, "seq");
		if (each)
			each(o, arg);
		json_decref(o);
		kesu_sha256_hex(text + pos, n, prev);
		r->lines++;
		r->last_seq = seq;
		memcpy(r->last_hash, prev, sizeof(prev));
		pos += n + 1;
		r->good_bytes = pos;
		note_mark(m, r, seq, mark_seq, lineno, pos, prev);
	}
	kesu_idset_free(&dups.certs);
	kesu_idset_free(&dups.runs);
}

/* ---- certificate lines against their certificates ---- */

json_t *kesu_register_cert_fields(const json_t *cert)
{
	const json_t *dev = json_object_get(cert, "device");
	return json_pack("{s:s s:O s:O s:O s:O s:O s:O}", "kind", "certificate",
			 "cert_id", json_object_get(cert, "id"),
			 "run_id", json_object_get(json_object_get(cert, "run_record"), "run_id"),
			 "serial", json_object_get(dev, "serial"),
			 "model", json_object_get(dev, "model"),
			 "result", json_object_get(cert, "result"),
			 "operator", json_object_get(json_object_get(cert, "operator"), "name"));
}

enum kesu_rc kesu_register_line_contradicts(const json_t *line, const json_t *cert,
					    struct kesu_err *why)
{
	return kesu_reg_fields_contradict(line, kesu_register_cert_fields(cert),
					  KESU_REG_CERTIFICATE, why);
}

/* ---- the head document ---- */

char *kesu_register_head_text(const char *reg_base, uint64_t seq,
			      const char *line_sha256, const char *time, size_t *len)
{
	json_t *h = json_pack("{s:s s:s s:I s:s s:s}", "schema", KESU_REGISTER_SCHEMA_HEAD,
			      "register", reg_base, "seq", (json_int_t)seq,
			      "line_sha256", line_sha256, "time", time);
	char *text = kj_dumps_line(h, JSON_SORT_KEYS | JSON_INDENT(2), len);
	json_decref(h);
	return text;
}

enum kesu_rc kesu_register_head_parse(const char *text, size_t len,
				      struct kesu_reg_head *h, struct kesu_err *err)
{
	static const char *const head_keys[] = {"schema", "register", "seq",
						"line_sha256", "time", NULL};
	static const char *const schemas[] = {KESU_REGISTER_SCHEMA_HEAD, NULL};
	json_error_t je;
	json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	int64_t seq;
	const char *lh;
	time_t t;
	enum kesu_rc rc;
	if (!o)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "not JSON: %s", je.text);
	if ((rc = kj_keys(o, "head", head_keys, err)) ||
	    (rc = kj_enum(o, "head", "schema", schemas, NULL, err)) ||
	    (rc = kj_str(o, "head", "register", false, 255, NULL, err)) ||
	    (rc = kj_int(o, "head", "seq", 0, INT64_MAX, &seq, err)) ||
	    (rc = kj_hex(o, "head", "line_sha256", 64, &lh, err)) ||
	    (rc = kj_time(o, "head", "time", false, &t, NULL, err))) {
		json_decref(o);
		return KESU_ERR_INVALID;
	}
	h->seq = (uint64_t)seq;
	memcpy(h->line_sha256, lh, 65);
	json_decref(o);
	return KESU_OK;
}

/* ---- the verdict ---- */

static void keep_before_mark(const struct kesu_reg_check *t, struct kesu_reg_verdict *v)
{
	v->keep_bytes = t->mark.before_bytes;
	v->keep_lines = t->mark.before_lines;
	v->keep_seq = t->mark.before_seq;
	memcpy(v->keep_hash, t->mark.before_hash, 65);
}

static void keep_prefix(const struct kesu_reg_check *t, struct kesu_reg_verdict *v)
{
	v->keep_bytes = t->good_bytes;
	v->keep_lines = t->lines;
	v->keep_seq = t->last_seq;
	memcpy(v->keep_hash, t->lines ? t->last_hash : KESU_REGISTER_GENESIS, 65);
}

void kesu_register_judge(const struct kesu_reg_check *t, size_t len,
			 const struct kesu_reg_head *h, struct kesu_reg_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->state = KESU_REG_DAMAGED;
	if (h->state != KESU_REG_HEAD_VERIFIED) {
		/* Without a signed head nothing vouches for any line: keep the
		 * valid prefix, and nothing is known about what was lost. */
		keep_prefix(t, v);
		if (h->state == KESU_REG_HEAD_NONE && len == 0) {
			v->state = KESU_REG_NEW;
			return;
		}
		if (t->bad_line) {
			v->bad_line = t->bad_line;
			snprintf(v->why, sizeof(v->why), "%s", t->why);
			snprintf(v->why_local, sizeof(v->why_local), "%s", t->why_local);
		} else if (h->state == KESU_REG_HEAD_NONE) {
			kesu_reg_say(v->why, v->why_local, sizeof(v->why), "the signed head is "
				     "missing (deleted, or lost in a crash during the first append)");
		} else {
			kesu_reg_say(v->why, v->why_local, sizeof(v->why), "signed head: %.480s",
				     h->why);
		}
		return;
	}
	const struct kesu_reg_mark *m = &t->mark;
	if (m->found && !strcmp(m->hash, h->line_sha256)) {
		v->keep_bytes = m->end;
		v->keep_lines = m->line;
		v->keep_seq = h->seq;
		memcpy(v->keep_hash, m->hash, 65);
		if (m->end == len) {
			v->state = KESU_REG_OK;
			return;
		}
		/* Bytes after the signed line: an append that crashed before its
		 * head was in place, whatever they look like. */
		v->state = KESU_REG_RESIDUE;
		v->bad_line = m->line + 1;
		kesu_reg_say(v->why, v->why_local, sizeof(v->why), "%zu bytes after line %zu "
			     "are not covered by the signed head (which ends at seq %" PRIu64
			     "): a crash during an append, or added without signing; the next "
			     "append cuts them and records a recovery line",
			     len - m->end, m->line, h->seq);
		return;
	}
	keep_before_mark(t, v);
	v->lost_known = true;
	v->lost_first = v->keep_seq + 1;
	v->lost_last = h->seq;
	if (m->found) {
		v->bad_line = m->line;
		kesu_reg_say(v->why, v->why_local, sizeof(v->why), "does not match the hash "
			     "in the signed head (the line was edited or replaced)");
	} else if (t->bad_line) {
		static const char cut[] = N_(": bytes were cut from a line the signed head covers");
		v->bad_line = t->bad_line;
		snprintf(v->why, sizeof(v->why), "%s%s", t->why, t->torn ? cut : "");
		snprintf(v->why_local, sizeof(v->why_local), "%s%s", t->why_local,
			 t->torn ? _(cut) : "");
	} else if (t->lines) {
		v->bad_line = t->lines + 1;
		kesu_reg_say(v->why, v->why_local, sizeof(v->why), "missing: the signed head "
			     "covers entries up to seq %" PRIu64 " but the file ends earlier "
			     "(lines were deleted from the end, or the file was emptied or "
			     "replaced)", h->seq);
	} else {
		v->bad_line = 1;
		kesu_reg_say(v->why, v->why_local, sizeof(v->why), "missing: the signed head "
			     "covers entries up to seq %" PRIu64 " but the file ends before its "
			     "first line (lines were deleted from the end, or the file was "
			     "emptied or replaced)", h->seq);
	}
}
