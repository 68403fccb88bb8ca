#include "certs/document/cert_verify.h"
#include "certs/document/approval_link.h"
#include "certs/document/destruction.h"
#include "lib/digest.h"
#include "lib/fileio.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Run records are bounded as kesu cert issue bounds them. */
#define RUN_RECORD_MAX (16u << 20)

static enum kesu_rc check_signature(const char *path, const char *data, size_t len,
				    const struct kesu_trust *t,
				    struct kesu_cert_file_verdict *ov,
				    struct kesu_err *err)
{
	char sigpath[PATH_MAX], *sig = NULL;
	size_t slen;
	ov->stage = "BAD SIGNATURE";
	if ((size_t)snprintf(sigpath, sizeof(sigpath), "%s.p7s", path) >= sizeof(sigpath))
		return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", path);
	enum kesu_rc rc = kesu_read_file(sigpath, 1u << 20, &sig, &slen, err);
	if (rc)
		return rc;
	rc = kesu_cms_verify_trust(data, len, sig, slen, t, &ov->sig, err);
	free(sig);
	if (ov->sig.failure == KESU_SIG_UNTRUSTED || ov->sig.failure == KESU_SIG_SETUP)
		ov->stage = "UNTRUSTED";
	return rc;
}

/* A token (path.tsr) checked against the TSA CA gives trusted time: the
 * signer must then have been valid when the TSA saw the signature, not
 * merely when the signer's own clock says it signed, which also keeps the
 * certificate valid after the operator certificate expires.  Without a
 * TSA CA the token is only reported. */
static enum kesu_rc check_timestamp(const char *path, const struct kesu_trust *t,
				    struct kesu_cert_file_verdict *ov,
				    struct kesu_err *err)
{
	char tsr[PATH_MAX];
	if ((size_t)snprintf(tsr, sizeof(tsr), "%s%s", path, KESU_TSR_SUFFIX) >= sizeof(tsr))
		return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", path);
	ov->ts_present = access(tsr, F_OK) == 0;
	if (!ov->ts_present || !t->tsa_ca_file || !t->tsa_ca_file[0])
		return KESU_OK;
	ov->stage = "BAD TIMESTAMP";
	bool present;
	enum kesu_rc rc = kesu_timestamp_verify_file(path, t->tsa_ca_file, &present,
						     &ov->ts, err);
	ov->ts_checked = !rc && present;
	return rc;
}

static enum kesu_rc check_consistency(const json_t *c, const struct kesu_trust *t,
				      struct kesu_cert_file_verdict *ov,
				      struct kesu_err *err)
{
	ov->stage = "INCONSISTENT";
	struct kesu_cert_clock clock = {
		.now = t->now ? t->now : time(NULL),
		.signed_at = ov->sig.signing_time,
	};
	if (ov->destruction)
		kesu_destruction_judge(c, &clock, &ov->v);
	else
		kesu_cert_judge_at(c, &clock, &ov->v);
	if (!ov->v.n_errors)
		return KESU_OK;
	enum kesu_rc rc = kesu_fail(err, KESU_ERR_INVALID, 0, "%s", ov->v.errors[0]);
	for (size_t i = 1; i < ov->v.n_errors; i++) {
		size_t n = strlen(err->msg);
		snprintf(err->msg + n, sizeof(err->msg) - n, "; %s", ov->v.errors[i]);
	}
	return rc;
}

enum kesu_rc kesu_cert_run_record_beside(const char *path, const json_t *c, json_t **run,
					 char *rr_path, size_t rr_path_sz, struct kesu_err *err)
{
	char dir[PATH_MAX], h[KESU_SHA256_HEX];
	json_t *rr = json_object_get(c, "run_record");
	*run = NULL;
	if (!kesu_path_dirname(path, dir, sizeof(dir)) ||
	    (size_t)snprintf(rr_path, rr_path_sz, "%s/%s", dir,
			     json_string_value(json_object_get(rr, "file"))) >= rr_path_sz ||
	    access(rr_path, F_OK) != 0)
		return KESU_OK;
	char *data;
	size_t len;
	enum kesu_rc rc = kesu_read_file(rr_path, RUN_RECORD_MAX, &data, &len, err);
	if (rc)
		return rc;
	kesu_sha256_hex(data, len, h);
	if (strcmp(h, json_string_value(json_object_get(rr, "sha256")))) {
		free(data);
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "the run record %s beside it does not match the "
				 "SHA-256 the certificate gives (it was changed)", rr_path);
	}
	json_error_t je;
	*run = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	free(data);
	if (!*run)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "the run record %s beside it is not valid JSON (line %d: %s)",
				 rr_path, je.line, je.text);
	return KESU_OK;
}

/* The run record is the software's own log; when it is kept beside the
 * certificate it must be the one the certificate names, and say what the
 * certificate says. */
static enum kesu_rc check_run_record(const char *path, const json_t *c,
				     struct kesu_cert_file_verdict *ov,
				     struct kesu_err *err)
{
	char rr_path[PATH_MAX];
	json_t *run;
	enum kesu_rc rc = kesu_cert_run_record_beside(path, c, &run, rr_path, sizeof(rr_path), err);
	if (rc == KESU_OK && !run)
		return KESU_OK;
	ov->stage = "INCONSISTENT";
	if (rc)
		return rc;
	rc = kesu_cert_match_run(c, run, err);
	json_decref(run);
	if (rc)
		return kesu_err_prefix(err, "the run record %s beside it contradicts "
				       "the certificate: ", rr_path);
	ov->run_record_checked = true;
	return KESU_OK;
}

/* The evidence copies beside a destruction document are part of what it
 * proves: each must be there with the size and SHA-256 it records. */
static enum kesu_rc check_evidence(const char *path, const json_t *d,
				   struct kesu_cert_file_verdict *ov, struct kesu_err *err)
{
	char dir[PATH_MAX], p[PATH_MAX], h[KESU_SHA256_HEX];
	if (!kesu_path_dirname(path, dir, sizeof(dir)))
		snprintf(dir, sizeof(dir), ".");
	ov->stage = "INCONSISTENT";
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(d, "evidence"), i, e) {
		const char *file = json_string_value(json_object_get(e, "file"));
		struct stat st;
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, file) >= sizeof(p))
			return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", dir);
		if (stat(p, &st) != 0)
			return kesu_fail(err, KESU_ERR_INVALID, 0, "evidence file %s is missing "
					 "(it must be kept beside the document)", p);
		enum kesu_rc rc = kesu_sha256_file(p, h, err);
		if (rc)
			return rc;
		if ((json_int_t)st.st_size != json_integer_value(json_object_get(e, "size")) ||
		    strcmp(h, json_string_value(json_object_get(e, "sha256"))))
			return kesu_fail(err, KESU_ERR_INVALID, 0, "evidence file %s does not "
					 "match the size and SHA-256 the document records (it "
					 "was changed or replaced)", p);
		ov->evidence_checked++;
	}
	return KESU_OK;
}

static enum kesu_rc parse_any(const char *data, size_t len, json_t **c,
			      struct kesu_cert_file_verdict *ov, struct kesu_err *err)
{
	ov->destruction = kesu_destruction_is(data, len);
	if (!ov->destruction)
		return kesu_cert_parse(data, len, c, err);
	enum kesu_rc rc = kesu_destruction_parse(data, len, c, err);
	if (!rc)
		snprintf(ov->result, sizeof(ov->result), "destroyed");
	return rc;
}

enum kesu_rc kesu_cert_verify(const char *path, const struct kesu_trust *t,
			      struct kesu_cert_file_verdict *ov)
{
	return kesu_cert_verify_with(path, t, NULL, ov);
}

enum kesu_rc kesu_cert_verify_with(const char *path, const struct kesu_trust *t,
				   const char *approval_file,
				   struct kesu_cert_file_verdict *ov)
{
	memset(ov, 0, sizeof(*ov));
	struct kesu_err err = {0};
	char *data = NULL;
	size_t len;
	json_t *c = NULL;
	enum kesu_rc rc;
	ov->stage = "INVALID";
	if ((rc = kesu_read_file(path, KESU_CERT_MAX_BYTES, &data, &len, &err)) ||
	    (rc = parse_any(data, len, &c, ov, &err)))
		goto out;
	if (!ov->destruction)
		snprintf(ov->result, sizeof(ov->result), "%s",
			 json_string_value(json_object_get(c, "result")));
	snprintf(ov->id, sizeof(ov->id), "%s", json_string_value(json_object_get(c, "id")));
	if ((rc = check_timestamp(path, t, ov, &err)))
		goto out;
	struct kesu_trust at_ts = *t;
	if (ov->ts_checked && !t->at)
		at_ts.at = ov->ts.gen_time;
	if ((rc = check_signature(path, data, len, &at_ts, ov, &err)))
		goto out;
	if (ov->ts_checked && ov->sig.signing_time > ov->ts.gen_time + KESU_TS_SKEW_S) {
		ov->stage = "INCONSISTENT";
		rc = kesu_fail(&err, KESU_ERR_INVALID, 0,
			       "the signer claims to have signed after the timestamp "
			       "authority saw the signature (signingTime later than "
			       "genTime); the signer's clock was wrong");
		goto out;
	}
	if ((rc = check_consistency(c, t, ov, &err)) ||
	    (rc = ov->destruction ? check_evidence(path, c, ov, &err)
				  : check_run_record(path, c, ov, &err)))
		goto out;
	ov->stage = "BAD COUNTERSIGNATURE";
	if ((rc = kesu_countersigs_verify(path, data, len, t, &ov->cs, &err)))
		goto out;
	ov->stage = "APPROVAL";
	if ((rc = kesu_approval_verify_cert(path, c, approval_file, ov->sig.signer_sha256,
					    t, &ov->approval_checked, &err)))
		goto out;
	ov->ok = true;
	ov->stage = "OK";
out:
	if (rc)
		snprintf(ov->error, sizeof(ov->error), "%s", err.msg);
	json_decref(c);
	free(data);
	return rc;
}

enum kesu_rc kesu_cert_verify_file(const char *path, const char *ca, time_t at,
				   struct kesu_cert_file_verdict *ov)
{
	struct kesu_trust t = {.ca_file = ca, .at = at};
	return kesu_cert_verify(path, &t, ov);
}
