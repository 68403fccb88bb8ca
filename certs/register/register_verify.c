/* Verifying a register file: the chain and signed head under a shared
 * lock, each line against the certificate it names, the head's timestamp
 * token.  Decisions are register.c's. */
#include "certs/register/register_store.h"
#include "certs/register/reg_kinds.h"
#include "certs/document/certificate.h"
#include "certs/sign/cms_unanchored.h"
#include "certs/sign/cms_verify.h"
#include "lib/digest.h"
#include "lib/i18n.h"
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

/* ---- verification ---- */

struct file_check {
	bool on;
	const struct kesu_trust *trust;  /* documents' signatures; NULL: not checked */
	size_t checked, missing;
	size_t lineno;
	size_t bad_line;
	struct kesu_err why;   /* the first finding, English and the operator's */
	void (*each)(const json_t *, void *);
	void *arg;
};

static void check_cert_file(struct file_check *fc, const json_t *o)
{
	const char *file = json_string_value(json_object_get(o, "cert_file"));
	if (kesu_regf_check_hashes(o, &fc->checked, &fc->missing, &fc->why)) {
		fc->bad_line = fc->lineno;
		return;
	}
	/* The hashes match, so these are the certificate's own bytes: the
	 * line must say what the certificate says. */
	char *data;
	size_t len;
	json_t *c;
	struct kesu_err e = {0};
	if (access(file, F_OK) != 0 ||
	    kesu_read_file(file, KESU_CERT_MAX_BYTES, &data, &len, &e))
		return;
	if (kesu_cert_parse(data, len, &c, &fc->why)) {
		fc->bad_line = fc->lineno;
		kesu_err_prefix(&fc->why, "%.200s: ", file);
	} else {
		if (kesu_register_line_contradicts(o, c, &fc->why))
			fc->bad_line = fc->lineno;
		json_decref(c);
	}
	free(data);
}

static void verify_line(const json_t *o, void *arg)
{
	struct file_check *fc = arg;
	fc->lineno++;
	if (fc->each)
		fc->each(o, fc->arg);
	const char *kind = json_string_value(json_object_get(o, "kind"));
	const struct kesu_reg_kind *k = kesu_reg_kind_find(kind);
	if (fc->on && !fc->bad_line && !strcmp(kind, "certificate"))
		check_cert_file(fc, o);
	else if (fc->on && !fc->bad_line && k &&
		 kesu_regf_doc_check_file(k, o, fc->trust, &fc->checked, &fc->missing,
					  &fc->why))
		fc->bad_line = fc->lineno;
}

/* The head's token, checked against the TSA CA, then the head's signer at
 * the token's genTime (trusted time instead of the signer's own clock).
 * Read under the caller's shared lock, so head, signature and token are
 * one writer's. */
static enum kesu_rc check_head_token(const char *reg_path, const char *ca_file,
				     const char *tsa_ca_file, struct kesu_reg_verify *v,
				     struct kesu_err *err)
{
	struct head_paths p;
	char tsr[PATH_MAX + 8];
	enum kesu_rc rc = kesu_regf_head_paths(reg_path, &p, err);
	if (rc)
		return rc;
	snprintf(tsr, sizeof(tsr), "%s%s", p.head, KESU_TSR_SUFFIX);
	v->head_ts_present = access(tsr, F_OK) == 0;
	if (!v->head_ts_present || !tsa_ca_file || !tsa_ca_file[0])
		return KESU_OK;
	char *text = NULL, *sig = NULL, *tok = NULL;
	size_t len, slen, tlen;
	struct kesu_sig_info si;
	if ((rc = kesu_read_file(p.head, 64 * 1024, &text, &len, err)) ||
	    (rc = kesu_read_file(p.sig, 1u << 20, &sig, &slen, err)) ||
	    (rc = kesu_read_file(tsr, KESU_TSR_MAX_BYTES, &tok, &tlen, err)))
		goto out;
	if ((rc = kesu_ts_token_verify(sig, slen, tok, tlen, tsa_ca_file, &v->head_ts, err))) {
		kesu_err_prefix(err, "%s: ", tsr);
		goto out;
	}
	if ((rc = kesu_cms_verify(text, len, sig, slen, ca_file, v->head_ts.gen_time, &si,
				  err))) {
		kesu_err_prefix(err, "%s at the time of its timestamp: ", p.head);
		goto out;
	}
	if (si.signing_time > v->head_ts.gen_time + KESU_TS_SKEW_S) {
		rc = kesu_fail(err, KESU_ERR_INVALID, 0,
			       "%s: the signer claims to have signed after the timestamp "
			       "authority saw the signature (signingTime later than "
			       "genTime); the signer's clock was wrong", p.head);
		goto out;
	}
	v->head_timestamped = true;
out:
	free(text);
	free(sig);
	free(tok);
	return rc;
}

enum kesu_rc kesu_register_verify(const char *reg_path, const char *ca_file,
				  bool check_files, struct kesu_reg_verify *v,
				  void (*each)(const json_t *line, void *arg), void *arg,
				  struct kesu_err *err)
{
	return kesu_register_verify_ts(reg_path, ca_file, NULL, check_files, v, each, arg,
				       err);
}

enum kesu_rc kesu_register_verify_ts(const char *reg_path, const char *ca_file,
				     const char *tsa_ca_file, bool check_files,
				     struct kesu_reg_verify *v,
				     void (*each)(const json_t *line, void *arg), void *arg,
				     struct kesu_err *err)
{
	memset(v, 0, sizeof(*v));
	if (!ca_file || !ca_file[0])
		return kesu_fail(err, KESU_ERR_USAGE, 0, "no trusted CA to check the "
				 "register's signed head; give --ca FILE or set [trust] "
				 "ca_file in kesu.conf");
	/* Documents other than certificates have their signatures checked
	 * here, against the CA read once for the run. */
	struct kesu_trust t = {.ca_file = ca_file};
	struct file_check fc = {.on = check_files, .each = each, .arg = arg};
	enum kesu_rc rc = check_files ? kesu_trust_store_new(&t.store, err) : KESU_OK;
	if (rc)
		return rc;
	fc.trust = check_files ? &t : NULL;
	struct reg r;
	if ((rc = kesu_regf_open(&r, reg_path, ca_file, false, true, verify_line, &fc, err))) {
		kesu_trust_store_free(t.store);
		return rc;
	}
	v->text = r.check;
	v->verdict = r.verdict;
	v->head_seq = r.head.state == KESU_REG_HEAD_VERIFIED ? r.head.seq : 0;
	v->certs_checked = fc.checked;
	v->certs_missing = fc.missing;
	static const char empty[] = N_("the register is empty: nothing has been added to it yet");
	bool is_new = r.verdict.state == KESU_REG_NEW && !r.verdict.why[0];
	const char *why = is_new ? empty : r.verdict.why;
	const char *local = is_new ? _(empty) : r.verdict.why_local[0] ? r.verdict.why_local : why;
	v->bad_line = r.verdict.bad_line;
	bool bad = r.verdict.state != KESU_REG_OK;
	if (fc.bad_line && (!bad || !v->bad_line || fc.bad_line < v->bad_line)) {
		bad = true;
		v->bad_line = fc.bad_line;
		why = fc.why.msg;
		local = kesu_err_text(&fc.why);
	}
	if (bad) {
		char where[32] = "", where_local[96] = "";
		if (v->bad_line) {
			snprintf(where, sizeof(where), "line %zu: ", v->bad_line);
			snprintf(where_local, sizeof(where_local), _("line %zu: "), v->bad_line);
		}
		rc = kesu_fail(err, KESU_ERR_INVALID, 0, "%s: %s%.400s", reg_path, where, why);
		kesu_err_localize(err, _("%s: %s%.400s"), reg_path, where_local, local);
	}
	if (!rc && r.head.state == KESU_REG_HEAD_VERIFIED)
		rc = check_head_token(reg_path, ca_file, tsa_ca_file, v, err);
	kesu_regf_close(&r);
	kesu_trust_store_free(t.store);
	return rc;
}
