#include "certs/document/cert_verify.h"
#include "lib/digest.h"
#include "lib/fileio.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum kesu_rc kesu_cert_verify_file(const char *path, const char *ca,
				   const char *tsa_ca, time_t at,
				   struct kesu_cert_file_verdict *ov)
{
	memset(ov, 0, sizeof(*ov));
	struct kesu_err err = {0};
	char *data = NULL, *sig = NULL, sigpath[PATH_MAX];
	size_t len, slen;
	json_t *c = NULL;
	enum kesu_rc rc;
	ov->stage = "INVALID";
	if ((rc = kesu_read_file(path, KESU_CERT_MAX_BYTES, &data, &len, &err)) ||
	    (rc = kesu_cert_parse(data, len, &c, &err)))
		goto out;
	snprintf(ov->result, sizeof(ov->result), "%s",
		 json_string_value(json_object_get(c, "result")));
	snprintf(ov->id, sizeof(ov->id), "%s", json_string_value(json_object_get(c, "id")));
	char tsr[PATH_MAX];
	snprintf(tsr, sizeof(tsr), "%s%s", path, KESU_TSR_SUFFIX);
	ov->ts_present = access(tsr, F_OK) == 0;
	if (ov->ts_present && tsa_ca && tsa_ca[0]) {
		ov->stage = "BAD TIMESTAMP";
		bool present;
		if ((rc = kesu_timestamp_verify_file(path, tsa_ca, &present, &ov->ts, &err)))
			goto out;
		ov->ts_checked = present;
	}
	ov->stage = "BAD SIGNATURE";
	snprintf(sigpath, sizeof(sigpath), "%s.p7s", path);
	if ((rc = kesu_read_file(sigpath, 1u << 20, &sig, &slen, &err)))
		goto out;
	/* Trusted time beats the signer's own clock: the operator certificate
	 * must have been valid when the TSA saw the signature, which also keeps
	 * the certificate valid after the operator certificate expires. */
	if ((rc = kesu_cms_verify(data, len, sig, slen, ca,
				  at ? at : ov->ts_checked ? ov->ts.gen_time : 0,
				  &ov->sig, &err)))
		goto out;
	if (ov->ts_checked && ov->sig.signing_time > ov->ts.gen_time + KESU_TS_SKEW_S) {
		ov->stage = "INCONSISTENT";
		rc = kesu_fail(&err, KESU_ERR_INVALID, 0,
			       "the signer claims to have signed after the timestamp "
			       "authority saw the signature (signingTime later than "
			       "genTime); the signer's clock was wrong");
		goto out;
	}
	ov->stage = "INCONSISTENT";
	kesu_cert_judge(c, &ov->v);
	if (ov->v.n_errors) {
		rc = kesu_fail(&err, KESU_ERR_INVALID, 0, "%s", ov->v.errors[0]);
		for (size_t i = 1; i < ov->v.n_errors; i++) {
			size_t n = strlen(err.msg);
			snprintf(err.msg + n, sizeof(err.msg) - n, "; %s", ov->v.errors[i]);
		}
		goto out;
	}
	/* The run record is the software's own log; when it is kept beside
	 * the certificate it must be the one the certificate names. */
	char dir[PATH_MAX], rr_path[PATH_MAX], h[KESU_SHA256_HEX];
	json_t *rr = json_object_get(c, "run_record");
	if (kesu_path_dirname(path, dir, sizeof(dir)) &&
	    (size_t)snprintf(rr_path, sizeof(rr_path), "%s/%s", dir,
			     json_string_value(json_object_get(rr, "file"))) < sizeof(rr_path) &&
	    access(rr_path, F_OK) == 0) {
		if ((rc = kesu_sha256_file(rr_path, h, &err)))
			goto out;
		if (strcmp(h, json_string_value(json_object_get(rr, "sha256")))) {
			rc = kesu_fail(&err, KESU_ERR_INVALID, 0,
				       "the run record %s beside it does not match the "
				       "SHA-256 the certificate gives (it was changed)", rr_path);
			goto out;
		}
		ov->run_record_checked = true;
	}
	ov->ok = true;
	ov->stage = "OK";
out:
	if (rc)
		snprintf(ov->error, sizeof(ov->error), "%s", err.msg);
	json_decref(c);
	free(data);
	free(sig);
	return rc;
}

