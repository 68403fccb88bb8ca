#include "certs/print/cert_pdf.h"
#include "certs/document/cert_verify.h"
#include "certs/document/certificate.h"
#include "certs/document/destruction.h"
#include "certs/document/destruction_issue.h"
#include "certs/document/verification.h"
#include "certs/print/cert_page.h"
#include "certs/print/cosign_load.h"
#include "certs/print/image.h"
#include "certs/print/render.h"
#include "certs/print/report_page.h"
#include "certs/print/signers.h"
#include "certs/register/register.h"
#include "certs/sign/cms_verify.h"
#include "lib/digest.h"
#include "lib/fileio.h"
#include "lib/timefmt.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SIG_BYTES (1u << 20)
#define MAX_REGISTER_BYTES (512u << 20)

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

bool kesu_cert_pdf_path(const char *cert_path, const char *out_dir, char *out,
			size_t outsz)
{
	char dir[PATH_MAX];
	const char *b = base_name(cert_path);
	size_t bl = strlen(b);
	if (bl > 5 && !strcmp(b + bl - 5, ".json"))
		bl -= 5;
	if (!out_dir) {
		if (!kesu_path_dirname(cert_path, dir, sizeof(dir)))
			return false;
		out_dir = dir;
	}
	int n = snprintf(out, outsz, "%s/%.*s.pdf", out_dir, (int)bl, b);
	return n > 0 && (size_t)n < outsz;
}

static enum kesu_rc write_doc(const struct kesu_doc *d, const struct kesu_print_opts *o,
			      const char *pdf_path, struct kesu_err *err)
{
	unsigned char *pdf;
	size_t len;
	enum kesu_rc rc = kesu_pdf_render(d, o->now, o->creator, &pdf, &len, err);
	if (rc)
		return rc;
	rc = kesu_write_atomic(pdf_path, pdf, len, 0644, err);
	free(pdf);
	return rc;
}

/* A certificate, a destruction document or a verification report, each
 * by its own strict parser. */
static enum kesu_rc parse_doc(const char *data, size_t len, json_t **out, struct kesu_err *err)
{
	if (kesu_destruction_is(data, len))
		return kesu_destruction_parse(data, len, out, err);
	if (kesu_verif_is(data, len))
		return kesu_verif_parse(data, len, out, err);
	return kesu_cert_parse(data, len, out, err);
}

/* One evidence file beside a destruction document: hashed against the
 * document before anything decodes it, so only the bytes that were signed
 * for can reach the image decoder and the page. */
static void load_photo(const char *dir, const json_t *e, struct kesu_print_photo *ph)
{
	const char *file = json_string_value(json_object_get(e, "file"));
	const char *want = json_string_value(json_object_get(e, "sha256"));
	char p[PATH_MAX], sha[KESU_SHA256_HEX];
	struct kesu_err err = {0};
	char *data;
	size_t len;
	memset(ph, 0, sizeof(*ph));
	if (!file || !want || (size_t)snprintf(p, sizeof(p), "%s/%s", dir, file) >= sizeof(p) ||
	    kesu_read_file(p, KESU_EVIDENCE_MAX_BYTES, &data, &len, &err)) {
		ph->state = err.rc == KESU_ERR_NOENT || !err.rc ? KESU_PHOTO_MISSING
								 : KESU_PHOTO_UNUSABLE;
		ph->cause = kesu_photo_cause_of(&err);
		snprintf(ph->why, sizeof(ph->why), "%s", err.msg);
		return;
	}
	const char *role = json_string_value(json_object_get(e, "role"));
	bool photo = role && strstr(role, "-photo");
	kesu_sha256_hex(data, len, sha);
	if (strcmp(sha, want)) {
		ph->state = KESU_PHOTO_MISMATCH;
	} else if (!photo && kesu_image_sniff(data, len) == KESU_IMAGE_NONE) {
		ph->state = KESU_PHOTO_NOT_IMAGE;
	} else if (kesu_image_thumb(data, len, KESU_THUMB_SIDE, &ph->img, &err)) {
		ph->state = KESU_PHOTO_UNUSABLE;
		ph->cause = kesu_photo_cause_of(&err);
		snprintf(ph->why, sizeof(ph->why), "%s", err.msg);
	} else {
		ph->state = KESU_PHOTO_SHOWN;
	}
	free(data);
}

static size_t load_photos(const char *cert_path, const json_t *doc,
			  struct kesu_print_photo *ph, size_t max)
{
	char dir[PATH_MAX];
	size_t i, n = 0;
	json_t *e;
	if (!kesu_path_dirname(cert_path, dir, sizeof(dir)))
		return 0;
	json_array_foreach(json_object_get(doc, "evidence"), i, e)
		if (n < max)
			load_photo(dir, e, &ph[n++]);
	return n;
}

enum kesu_rc kesu_cert_pdf_write(const char *cert_path, const char *pdf_path,
				 const struct kesu_print_opts *o,
				 struct kesu_err *err)
{
	char *data = NULL, *der = NULL, sigpath[PATH_MAX], sha[KESU_SHA256_HEX];
	char printed[KESU_TIME_LEN];
	size_t len, derlen;
	json_t *cert = NULL;
	struct kesu_doc *d = NULL;
	struct kesu_print_sig sig;
	struct kesu_print_photo *photos = NULL;
	size_t n_photos = 0;
	struct kesu_print_cosigners *cos = NULL;
	struct kesu_print_approval appr;
	json_t *run = NULL;
	enum kesu_rc rc;
	if ((size_t)snprintf(sigpath, sizeof(sigpath), "%s.p7s", cert_path) >= sizeof(sigpath))
		return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", cert_path);
	if ((rc = kesu_read_file(cert_path, KESU_CERT_MAX_BYTES, &data, &len, err)) ||
	    (rc = parse_doc(data, len, &cert, err)))
		goto out;
	if ((rc = kesu_read_file(sigpath, MAX_SIG_BYTES, &der, &derlen, err))) {
		kesu_err_prefix(err, "the signature beside the certificate: ");
		goto out;
	}
	if ((rc = kesu_print_sig_read(data, len, der, derlen, &sig, err)))
		goto out;
	struct kesu_sig_info info = {0};
	struct kesu_trust trust = {.ca_file = o->ca_file};
	const struct kesu_trust *t = o->ca_file && o->ca_file[0] ? &trust : NULL;
	if (t) {
		if ((rc = kesu_cms_verify(data, len, der, derlen, o->ca_file, 0, &info, err)))
			goto out;
		sig.status = KESU_SIG_CA_VERIFIED;
		snprintf(sig.ca, sizeof(sig.ca), "%s", base_name(o->ca_file));
	}
	if (!(cos = malloc(sizeof(*cos)))) {
		rc = kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
		goto out;
	}
	kesu_print_cosigners_load(cert_path, data, len, t, cos);
	kesu_print_approval_load(cert_path, cert, t, t ? info.signer_sha256 : NULL, &appr);
	kesu_sha256_hex(data, len, sha);
	kesu_time_format(o->now, printed);
	if (json_is_array(json_object_get(cert, "evidence"))) {
		photos = calloc(KESU_DESTRUCTION_MAX_EVIDENCE, sizeof(*photos));
		if (!photos) {
			rc = kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
			goto out;
		}
		n_photos = load_photos(cert_path, cert, photos, KESU_DESTRUCTION_MAX_EVIDENCE);
	}
	struct kesu_cert_page_in in = {
		.cert = cert, .file_name = base_name(cert_path), .sha256 = sha,
		.sig = &sig, .lang = o->lang, .printed_at = printed,
		.photos = photos, .n_photos = n_photos, .cosigners = cos, .approval = &appr,
	};
	if (json_is_object(json_object_get(cert, "run_record"))) {
		char rr_path[PATH_MAX];
		struct kesu_err rerr = {0};
		in.run_mismatch = kesu_cert_run_record_beside(cert_path, cert, &run, rr_path,
							      sizeof(rr_path), &rerr) != KESU_OK;
		in.run = run;
	}
	if ((rc = kesu_cert_page_build(&in, &d, err)) ||
	    (rc = write_doc(d, o, pdf_path, err)))
		goto out;
out:
	if (rc)
		kesu_err_prefix(err, "%s: ", cert_path);
	for (size_t i = 0; i < n_photos; i++)
		kesu_image_free(&photos[i].img);
	free(photos);
	free(cos);
	kesu_doc_free(d);
	json_decref(run);
	json_decref(cert);
	free(data);
	free(der);
	return rc;
}

/* ---- the ledger ---- */

struct ledger {
	json_t *lines;          /* every valid register line, in order */
	size_t recoveries;
};

static void keep_line(const json_t *line, void *arg)
{
	struct ledger *l = arg;
	json_array_append(l->lines, (json_t *)line);
}

/* The certificate a register line names, if it is here and still the
 * bytes that were registered. */
static json_t *load_cert(const json_t *line, const char *cert_dir,
			 enum kesu_report_problem *problem)
{
	const char *file = json_string_value(json_object_get(line, "cert_file"));
	const char *want = json_string_value(json_object_get(line, "cert_sha256"));
	char alt[PATH_MAX], sha[KESU_SHA256_HEX];
	struct kesu_err e = {0};
	char *data;
	size_t len;
	json_t *c = NULL;
	const char *kind = json_string_value(json_object_get(line, "kind"));
	if (kind && !strcmp(kind, "destruction")) {
		*problem = KESU_REPORT_NO_ERASURE;
		return NULL;
	}
	if (!file || !want) {
		*problem = KESU_REPORT_NOT_CERT_LINE;
		return NULL;
	}
	if (access(file, F_OK) != 0 && cert_dir &&
	    (size_t)snprintf(alt, sizeof(alt), "%s/%s", cert_dir, base_name(file)) < sizeof(alt))
		file = alt;
	if (kesu_read_file(file, KESU_CERT_MAX_BYTES, &data, &len, &e)) {
		*problem = KESU_REPORT_NOT_HERE;
		return NULL;
	}
	kesu_sha256_hex(data, len, sha);
	if (strcmp(sha, want))
		*problem = KESU_REPORT_CHANGED;
	else if (kesu_cert_parse(data, len, &c, &e))
		*problem = KESU_REPORT_INVALID;
	free(data);
	return c;
}

/* The destruction line that closes a certificate line, if any. */
static const json_t *closer_of(const json_t *lines, const json_t *line)
{
	const char *id = json_string_value(json_object_get(line, "cert_id"));
	const char *kind = json_string_value(json_object_get(line, "kind"));
	size_t i;
	json_t *l;
	if (!id || !kind || strcmp(kind, "certificate"))
		return NULL;
	json_array_foreach(lines, i, l) {
		const char *c = json_string_value(json_object_get(l, "closes"));
		if (c && !strcmp(c, id))
			return l;
	}
	return NULL;
}

enum kesu_rc kesu_report_pdf_write(const struct kesu_report_opts *r,
				   const struct kesu_print_opts *o,
				   const char *pdf_path, size_t *rows,
				   struct kesu_err *err)
{
	char *text = NULL, printed[KESU_TIME_LEN];
	size_t len, n = 0;
	struct ledger led = {json_array(), 0};
	struct kesu_report_entry *e = NULL;
	struct kesu_doc *d = NULL;
	struct kesu_reg_check chk;
	struct kesu_reg_verify v;
	struct kesu_err verr = {0};
	enum kesu_rc rc;
	*rows = 0;
	if ((rc = kesu_read_file(r->register_path, MAX_REGISTER_BYTES, &text, &len, err)))
		goto out;
	kesu_register_check_text(text, len, 0, &chk, keep_line, &led);
	if (chk.bad_line) {
		rc = kesu_fail(err, KESU_ERR_INVALID, 0,
			       "%s: line %zu: %s; the register is damaged, run 'kesu "
			       "register verify' (no ledger is printed from it)",
			       r->register_path, chk.bad_line, chk.why);
		goto out;
	}
	bool head_checked = o->ca_file && o->ca_file[0];
	bool head_ok = head_checked &&
		       kesu_register_verify(r->register_path, o->ca_file, true, &v,
					     NULL, NULL, &verr) == KESU_OK;
	e = calloc(json_array_size(led.lines) + 1, sizeof(*e));
	if (!e) {
		rc = kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
		goto out;
	}
	kesu_time_format(o->now, printed);
	struct kesu_report_in in = {
		.register_path = r->register_path, .lines = chk.lines,
		.head_seq = chk.last_seq, .last_hash = chk.last_hash,
		.head_checked = head_checked, .head_ok = head_ok,
		.head_problem = verr.msg, .ca_name = head_checked ? base_name(o->ca_file) : NULL,
		.department = r->department, .since = r->since, .until = r->until,
		.lang = o->lang, .printed_at = printed,
	};
	size_t i;
	json_t *line;
	json_array_foreach(led.lines, i, line) {
		struct kesu_report_entry cand = {line, NULL, KESU_REPORT_CERT_OK,
						 closer_of(led.lines, line)};
		const char *kind = json_string_value(json_object_get(line, "kind"));
		/* A destruction shows on the row of the erasure it closes. */
		if (kind && !strcmp(kind, "destruction") &&
		    json_is_string(json_object_get(line, "closes")))
			continue;
		if (kind && !strcmp(kind, "recovery")) {
			if (kesu_report_selects(&in, &cand))
				in.recoveries++;
			continue;
		}
		/* The period is decided on the register line alone, so a
		 * certificate outside it is never opened. */
		struct kesu_report_in period = in;
		period.department = NULL;
		if (!kesu_report_selects(&period, &cand))
			continue;
		cand.cert = load_cert(line, r->cert_dir, &cand.problem);
		e[n++] = cand;
	}
	in.e = e;
	in.n = n;
	if ((rc = kesu_report_page_build(&in, &d, rows, err)) ||
	    (rc = write_doc(d, o, pdf_path, err)))
		goto out;
out:
	for (size_t k = 0; e && k < n; k++)
		json_decref((json_t *)e[k].cert);
	free(e);
	kesu_doc_free(d);
	json_decref(led.lines);
	free(text);
	return rc;
}
