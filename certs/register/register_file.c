/* The register as a file: appending certificates and repairing.  Every
 * decision is made by the pure half (register.c); this file reads, writes
 * and undoes through register_store.h. */
#include "certs/register/register_store.h"
#include "certs/register/reg_kinds.h"
#include "certs/document/certificate.h"
#include "certs/sign/cms_unanchored.h"
#include "certs/sign/cms_verify.h"
#include "lib/digest.h"
#include "lib/fileio.h"
#include "lib/strutil.h"
#include "lib/timefmt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- appending a certificate ---- */

static enum kesu_rc cert_entry(const char *cert_path, json_t **out, char *id_out,
			       char *run_out, struct kesu_err *err)
{
	char *data;
	size_t len;
	char sig_path[PATH_MAX], abs[PATH_MAX], h_cert[65], h_sig[65];
	enum kesu_rc rc = kesu_read_file(cert_path, KESU_CERT_MAX_BYTES, &data, &len, err);
	if (rc)
		return rc;
	json_t *c;
	rc = kesu_cert_parse(data, len, &c, err);
	kesu_sha256_hex(data, len, h_cert);
	free(data);
	if (rc)
		return kesu_err_prefix(err, "%s: ", cert_path);
	snprintf(sig_path, sizeof(sig_path), "%s.p7s", cert_path);
	if ((rc = kesu_sha256_file(sig_path, h_sig, err))) {
		json_decref(c);
		return kesu_err_prefix(err, "signature of %s: ", cert_path);
	}
	if (!realpath(cert_path, abs))
		kesu_strlcpy(abs, cert_path, sizeof(abs));
	if (!kesu_is_clean(abs)) {
		json_decref(c);
		return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path is not clean UTF-8; "
				 "rename the certificate file", cert_path);
	}
	json_t *e = kesu_register_cert_fields(c);
	json_decref(c);
	if (!e || json_object_set_new(e, "cert_file", json_string(abs)) ||
	    json_object_set_new(e, "cert_sha256", json_string(h_cert)) ||
	    json_object_set_new(e, "sig_sha256", json_string(h_sig))) {
		json_decref(e);
		return kesu_fail(err, KESU_ERR_INTERNAL, 0, "cannot build register entry");
	}
	snprintf(id_out, 37, "%s", json_string_value(json_object_get(e, "cert_id")));
	snprintf(run_out, 37, "%s", json_string_value(json_object_get(e, "run_id")));
	*out = e;
	return KESU_OK;
}

enum kesu_rc kesu_register_cert_entry(const char *cert_path, json_t **out,
				      char *id_out, struct kesu_err *err)
{
	char run[37];
	return cert_entry(cert_path, out, id_out, run, err);
}

/* What the register already says about one certificate and its run. */
/* Append entry after what the verdict keeps (r opened as a writer, not
 * DAMAGED): what a crash left after the signed line is cut, kept aside
 * and recorded in the chain itself first, so the cut is never silent. */
enum kesu_rc kesu_regf_append_entry(struct reg *r, json_t *entry, struct kesu_signer *signer,
				    const struct kesu_tsa *tsa, struct kesu_reg_append *res,
				    struct kesu_err *err)
{
	const struct kesu_reg_verdict *v = &r->verdict;
	char *lines = NULL;
	size_t n = 0;
	enum kesu_rc rc;
	uint64_t seq = v->keep_seq;
	char hash[65];
	memcpy(hash, v->keep_hash, sizeof(hash));
	if (v->state == KESU_REG_RESIDUE) {
		char cut_hash[65], cut_file[PATH_MAX];
		kesu_sha256_hex(r->text + v->keep_bytes, r->len - v->keep_bytes, cut_hash);
		json_t *rec = json_pack("{s:s s:I s:s}", "kind", "recovery", "cut_bytes",
					(json_int_t)(r->len - v->keep_bytes), "cut_sha256",
					cut_hash);
		res->recovery_seq = ++seq;
		rc = rec ? kesu_regf_chain_line(rec, seq, hash, &lines, &n, err)
			 : kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
		json_decref(rec);
		if (rc || (rc = kesu_regf_save_cut(r, v->keep_bytes, seq, cut_file,
						    sizeof(cut_file), err)))
			goto out;
		res->recovered = true;
	}
	if ((rc = kesu_regf_chain_line(entry, ++seq, hash, &lines, &n, err)))
		goto out;
	/* Without its token the entry and the head are still in place. */
	rc = kesu_regf_commit(r, v->keep_bytes, lines, n, seq, hash, signer, tsa, err);
	if (!rc || rc == KESU_ERR_UNSTAMPED)
		res->seq = seq;
out:
	free(lines);
	return rc;
}

struct seen {
	const char *id, *run, *h_cert, *h_sig;
	uint64_t id_seq, run_seq;
	bool same;
	char run_cert[37];
};

static void find_seen(const json_t *line, void *arg)
{
	struct seen *s = arg;
	const char *kind = json_string_value(json_object_get(line, "kind"));
	bool cert = !strcmp(kind, "certificate");
	/* Every signed document shares the certificate id space. */
	if (!cert && !kesu_reg_kind_find(kind))
		return;
	uint64_t seq = (uint64_t)json_integer_value(json_object_get(line, "seq"));
	const char *id = json_string_value(json_object_get(line, "cert_id"));
	if (s->id && !strcmp(id, s->id)) {
		s->id_seq = seq;
		s->same = s->h_cert &&
			  !strcmp(json_string_value(json_object_get(line, "cert_sha256")),
				  s->h_cert) &&
			  !strcmp(json_string_value(json_object_get(line, "sig_sha256")),
				  s->h_sig);
	}
	if (cert && s->run &&
	    !strcmp(json_string_value(json_object_get(line, "run_id")), s->run)) {
		s->run_seq = seq;
		snprintf(s->run_cert, sizeof(s->run_cert), "%s", id);
	}
}

/* Only what the signed head vouches for counts: lines after it are cut. */
static void seen_within(struct seen *s, uint64_t keep_seq)
{
	if (s->id_seq > keep_seq)
		s->id_seq = 0, s->same = false;
	if (s->run_seq > keep_seq)
		s->run_seq = 0;
}

static enum kesu_rc refuse_seen(const struct seen *s, const char *reg,
				struct kesu_err *err)
{
	if (s->id_seq)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "%s: a different certificate "
				 "with id %s is already registered as %" PRIu64 "; not "
				 "registered", reg, s->id, s->id_seq);
	return kesu_fail(err, KESU_ERR_INVALID, 0, "%s: run %s is already certified "
			 "by certificate %s (register entry %" PRIu64 "); a run record "
			 "is certified once", reg, s->run, s->run_cert, s->run_seq);
}

enum kesu_rc kesu_register_append_cert(const char *reg_path,
				       const char *cert_path,
				       struct kesu_signer *signer,
				       const char *ca_file,
				       struct kesu_reg_append *res,
				       struct kesu_err *err)
{
	return kesu_register_append_cert_ts(reg_path, cert_path, signer, ca_file, NULL,
					    res, err);
}

enum kesu_rc kesu_register_append_cert_ts(const char *reg_path,
					  const char *cert_path,
					  struct kesu_signer *signer,
					  const char *ca_file,
					  const struct kesu_tsa *tsa,
					  struct kesu_reg_append *res,
					  struct kesu_err *err)
{
	struct kesu_reg_append dummy;
	if (!res)
		res = &dummy;
	memset(res, 0, sizeof(*res));
	json_t *entry;
	char id[37], run[37];
	enum kesu_rc rc = cert_entry(cert_path, &entry, id, run, err);
	if (rc)
		return rc;
	struct seen s = {.id = id, .run = run,
		.h_cert = json_string_value(json_object_get(entry, "cert_sha256")),
		.h_sig = json_string_value(json_object_get(entry, "sig_sha256"))};
	struct reg r;
	if ((rc = kesu_regf_open(&r, reg_path, ca_file, true, false, find_seen, &s, err)))
		goto out_entry;
	const struct kesu_reg_verdict *v = &r.verdict;
	if (v->state == KESU_REG_DAMAGED) {
		rc = kesu_regf_refuse_damaged(&r, err);
		goto out;
	}
	seen_within(&s, v->keep_seq);
	if (s.same) {
		res->already = true;
		res->seq = s.id_seq;
		goto out;
	}
	if (s.id_seq || s.run_seq) {
		rc = refuse_seen(&s, reg_path, err);
		goto out;
	}
	rc = kesu_regf_append_entry(&r, entry, signer, tsa, res, err);
out:
	kesu_regf_close(&r);
out_entry:
	json_decref(entry);
	return rc;
}

enum kesu_rc kesu_register_precheck(const char *reg_path, const char *ca_file,
				    const char *run_id, struct kesu_err *err)
{
	struct seen s = {.run = run_id};
	struct reg r;
	/* As a writer: what a crash left is tidied now, as the append would. */
	enum kesu_rc rc = kesu_regf_open(&r, reg_path, ca_file, true, false, find_seen, &s, err);
	if (rc)
		return rc;
	if (r.verdict.state == KESU_REG_DAMAGED)
		rc = kesu_regf_refuse_damaged(&r, err);
	seen_within(&s, r.verdict.keep_seq);
	if (!rc && s.run_seq)
		rc = refuse_seen(&s, reg_path, err);
	kesu_regf_close(&r);
	return rc;
}

/* ---- repair ---- */

enum kesu_rc kesu_register_repair(const char *reg_path, const char *reason,
				  const char *by, struct kesu_signer *signer,
				  const char *ca_file, struct kesu_reg_repair *res,
				  struct kesu_err *err)
{
	memset(res, 0, sizeof(*res));
	if (!reason || !reason[0] || strlen(reason) > KESU_STR_MAX || !kesu_is_clean(reason) ||
	    !by || !by[0] || strlen(by) > KESU_STR_MAX || !kesu_is_clean(by))
		return kesu_fail(err, KESU_ERR_USAGE, 0, "a repair needs a reason and the "
				 "name of who decides it (clean text, at most %d bytes)",
				 KESU_STR_MAX);
	struct reg r;
	enum kesu_rc rc = kesu_regf_open(&r, reg_path, ca_file, true, true, NULL, NULL, err);
	if (rc)
		return rc;
	const struct kesu_reg_verdict *v = &r.verdict;
	res->verdict = *v;
	if (v->state == KESU_REG_OK || v->state == KESU_REG_NEW) {
		res->nothing = true;
		kesu_regf_close(&r);
		return KESU_OK;
	}
	static const char *const head_states[] = {
		[KESU_REG_HEAD_NONE] = "missing", [KESU_REG_HEAD_VERIFIED] = "verified",
		[KESU_REG_HEAD_BAD] = "unverified"};
	bool verified = r.head.state == KESU_REG_HEAD_VERIFIED;
	char cut_hash[65], signer_subject[256], hash[65];
	kesu_signer_subject(signer, signer_subject, sizeof(signer_subject));
	kesu_sha256_hex(r.text + v->keep_bytes, r.len - v->keep_bytes, cut_hash);
	res->cut_bytes = r.len - v->keep_bytes;
	uint64_t seq = (v->lost_known ? v->lost_last : v->keep_seq) + 1;
	json_t *e = json_pack("{s:s s:s s:s s:s s:s s:o s:o s:o s:o s:I s:s}",
		"kind", "repair", "reason", reason, "by", by,
		"signer", signer_subject[0] ? signer_subject : "(unknown)",
		"head", head_states[r.head.state],
		"head_seq", verified ? json_integer((json_int_t)r.head.seq) : json_null(),
		"head_line_sha256", verified ? json_string(r.head.line_sha256) : json_null(),
		"lost_first_seq", v->lost_known ? json_integer((json_int_t)v->lost_first)
						: json_null(),
		"lost_last_seq", v->lost_known ? json_integer((json_int_t)v->lost_last)
					       : json_null(),
		"cut_bytes", (json_int_t)res->cut_bytes, "cut_sha256", cut_hash);
	char *lines = NULL;
	size_t n = 0;
	memcpy(hash, v->keep_hash, sizeof(hash));
	if (!e)
		rc = kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	else if (!(rc = kesu_regf_chain_line(e, seq, hash, &lines, &n, err)) &&
		 (!res->cut_bytes ||
		  !(rc = kesu_regf_save_cut(&r, v->keep_bytes, seq, res->cut_file,
				  sizeof(res->cut_file), err))))
		rc = kesu_regf_commit(&r, v->keep_bytes, lines, n, seq, hash, signer, NULL, err);
	if (!rc)
		res->seq = seq;
	json_decref(e);
	free(lines);
	kesu_regf_close(&r);
	return rc;
}

