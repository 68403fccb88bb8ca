/* kesu destroy: record that media were physically destroyed, one signed
 * destruction document (kesu-destruction(5)) per medium, each closing the
 * erasure certificate the register holds for it.  The medium's identity is
 * read from the device when it is attached (--device), else typed
 * (--serial) and checked against the register; --manifest takes a
 * vendor's CSV for a pallet destroyed in one session. */
#include "certs/document/destruction_issue.h"
#include "certs/document/manifest.h"
#include "cli/cert_opts.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "lib/fileio.h"
#include "lib/i18n.h"
#include "lib/timefmt.h"
#include "wipe/device/device.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_SERIAL, OPT_DEVICE, OPT_MANIFEST, OPT_MODEL, OPT_DEPARTMENT, OPT_TECHNIQUE,
       OPT_PARTICLE, OPT_DESTROYED_AT, OPT_LOCATION, OPT_COMPANY, OPT_PERSON,
       OPT_LABEL_PHOTO, OPT_DESTROYED_PHOTO, OPT_VENDOR_CERT, OPT_OTHER_EVIDENCE,
       OPT_NO_ERASURE_RECORD, OPT_JSON };
static const struct kesu_opt destroy_table[] = {
	[OPT_SERIAL] = {"serial", 0, "S", N_("the medium's serial, as on its label")},
	[OPT_DEVICE] = {"device", 0, "PATH", N_("read serial and model from the attached device")},
	[OPT_MANIFEST] = {"manifest", 0, "FILE.csv", N_("a vendor's manifest: one document per row")},
	[OPT_MODEL] = {"model", 0, "MODEL", N_("the medium's model (checked against the register)")},
	[OPT_DEPARTMENT] = {"department", 0, "NAME", N_("owning department, for a medium the register does not know")},
	[OPT_TECHNIQUE] = {"technique", 0, "T", N_("shred, disintegrate, pulverize, incinerate, melt, crush (破砕), drill (穿孔) or degauss (消磁); 溶解 = melt")},
	[OPT_PARTICLE] = {"particle-size", 0, "MM", N_("largest particle left, in millimetres")},
	[OPT_DESTROYED_AT] = {"destroyed-at", 0, "TIME", N_("when it was destroyed (default: now)")},
	[OPT_LOCATION] = {"location", 0, "TEXT", N_("where it was destroyed")},
	[OPT_COMPANY] = {"company", 0, "NAME", N_("the company that destroyed it")},
	[OPT_PERSON] = {"person", 0, "NAME", N_("the person who destroyed it")},
	[OPT_LABEL_PHOTO] = {"label-photo", 0, "FILE", N_("photo of the medium's label")},
	[OPT_DESTROYED_PHOTO] = {"destroyed-photo", 0, "FILE", N_("photo of the destroyed medium")},
	[OPT_VENDOR_CERT] = {"vendor-certificate", 0, "FILE", N_("the vendor's certificate (scan)")},
	[OPT_OTHER_EVIDENCE] = {"evidence", 0, "FILE", N_("any other evidence file (repeatable)")},
	[OPT_NO_ERASURE_RECORD] = {"no-erasure-record", 0, "REASON", N_("destroy a serial the register has no erasure certificate for, and say why")},
	[OPT_JSON] = {"json", 'J', NULL, N_("print the results as JSON")},
	KESU_OPT_END,
};

/* Shared with the certificate commands: applied through their table. */
static const struct kesu_opt shared_table[] = {
	{"config", 0, "FILE", N_("configuration (default /etc/kesu/kesu.conf)")},
	{"key", 0, "FILE|URI", N_("signing key file or pkcs11: URI")},
	{"cert", 0, "FILE", N_("signer certificate (PEM)")},
	{"ca-file", 0, "FILE", N_("trusted CA ([trust] ca_file)")},
	{"crl", 0, "FILE", N_("the CA's CRL ([trust] crl_file)")},
	{"operator", 0, "NAME", N_("who records this (default: kesu.conf)")},
	{"organization", 0, "ORG", N_("the operator's organization")},
	{"asset", 0, "NUMBER", N_("property (asset) number")},
	{"my-number", 0, NULL, N_("the medium held My Number data (the register's certificate also says so)")},
	{"witness", 0, "NAME[/ORG]", N_("a witness (repeatable)")},
	{"cert-dir", 0, "DIR", N_("where documents and evidence copies go (default .)")},
	{"register", 0, "FILE", N_("register (default /var/lib/kesu/register.jsonl)")},
	{"tsa", 0, "URL", N_("RFC 3161 timestamp authority ([timestamp] url)")},
	{"tsa-ca-file", 0, "FILE", N_("the TSA's CA ([trust] tsa_ca_file)")},
	{"approval", 0, "FILE", N_("a signed approval (kesu-approval(5)) that must cover every medium")},
	KESU_OPT_HELP,
	KESU_OPT_END,
};

struct destroy_opts {
	struct kesu_cert_opts o;
	struct kesu_destroy_req req;     /* what every medium shares */
	const char *device, *manifest;
	char particle[16];
	bool json;
};

static void help(FILE *out)
{
	fputs(_("Usage: kesu destroy (--serial S | --device PATH) --technique T --location TEXT\n"
	      "                    --company NAME --person NAME [options]\n"
	      "       kesu destroy --manifest FILE.csv --technique T --location TEXT\n"
	      "                    --company NAME --person NAME [options]\n\n"
	      "Record that media were physically destroyed: a signed destruction\n"
	      "document kesu-destruction-<id>.json per medium (kesu-destruction(5)),\n"
	      "with copies of the evidence files beside it, registered, closing the\n"
	      "medium's erasure certificate.  A serial the register holds no erasure\n"
	      "certificate for is refused (exit 6) unless --no-erasure-record says why.\n\n"),
	      out);
	kesu_opts_print(out, destroy_table);
	fputs(_("\nSigning and register options:\n"), out);
	kesu_opts_print(out, shared_table);
}

static enum kesu_rc text(char *dst, size_t size, const char *arg, const char *opt)
{
	if (!kesu_is_clean(arg) || !kesu_strlcpy(dst, arg, size))
		return kesu_usage_error("destroy: --%s: too long or contains control "
					"characters", opt);
	unsigned cp = kesu_text_hidden_char(arg);
	if (cp)
		return kesu_usage_error("destroy: --%s: contains the invisible or "
					"direction-changing character U+%04X; retype it", opt, cp);
	return KESU_OK;
}

static enum kesu_rc add_evidence(struct kesu_destroy_req *r, const char *path,
				 const char *role)
{
	if (r->n_ev >= KESU_DESTRUCTION_MAX_EVIDENCE)
		return kesu_usage_error("destroy: at most %d evidence files",
					KESU_DESTRUCTION_MAX_EVIDENCE);
	struct kesu_evidence_src *e = &r->ev[r->n_ev];
	if (!kesu_strlcpy(e->path, path, sizeof(e->path)))
		return kesu_usage_error("destroy: evidence path too long");
	kesu_strlcpy(e->role, role, sizeof(e->role));
	r->n_ev++;
	return KESU_OK;
}

static enum kesu_rc shared_opt(struct destroy_opts *d, const struct kesu_opt *opt,
			       const char *arg)
{
	for (const struct kesu_opt *c = kesu_cert_opt_table; c->name; c++)
		if (!strcmp(c->name, opt->name))
			return kesu_cert_opt_apply(&d->o, c, arg);
	return KESU_OK;
}

static enum kesu_rc on_opt(void *ud, const struct kesu_opt *opt, const char *arg)
{
	struct destroy_opts *d = ud;
	struct kesu_destruction_info *in = &d->req.info;
	if (kesu_opt_in(opt, shared_table))
		return shared_opt(d, opt, arg);
	switch (KESU_OPT_ID(opt, destroy_table)) {
	case OPT_SERIAL: return text(in->serial, sizeof(in->serial), arg, "serial");
	case OPT_DEVICE: d->device = arg; return KESU_OK;
	case OPT_MANIFEST: d->manifest = arg; return KESU_OK;
	case OPT_MODEL: return text(in->model, sizeof(in->model), arg, "model");
	case OPT_DEPARTMENT: return text(in->department, sizeof(in->department), arg, "department");
	case OPT_TECHNIQUE:
		if (!kesu_destroy_technique_find(arg))
			return kesu_usage_error("destroy: --technique: unknown; use shred, "
						"disintegrate, pulverize, incinerate, melt, crush, "
						"drill or degauss (or 破砕, 溶解, 穿孔, 消磁)");
		return text(in->technique, sizeof(in->technique), arg, "technique");
	case OPT_PARTICLE: return text(d->particle, sizeof(d->particle), arg, "particle-size");
	case OPT_DESTROYED_AT: return text(in->destroyed_at, sizeof(in->destroyed_at), arg,
					   "destroyed-at");
	case OPT_LOCATION: return text(in->location, sizeof(in->location), arg, "location");
	case OPT_COMPANY: return text(in->company, sizeof(in->company), arg, "company");
	case OPT_PERSON: return text(in->person, sizeof(in->person), arg, "person");
	case OPT_LABEL_PHOTO: return add_evidence(&d->req, arg, "label-photo");
	case OPT_DESTROYED_PHOTO: return add_evidence(&d->req, arg, "destroyed-photo");
	case OPT_VENDOR_CERT: return add_evidence(&d->req, arg, "vendor-certificate");
	case OPT_OTHER_EVIDENCE: return add_evidence(&d->req, arg, "other");
	case OPT_NO_ERASURE_RECORD:
		return text(in->no_erasure_record, sizeof(in->no_erasure_record), arg,
			    "no-erasure-record");
	case OPT_JSON: d->json = true; return KESU_OK;
	}
	return KESU_OK;
}

/* Values that apply to every medium: checked once, before any key is
 * opened or any file written. */
static enum kesu_rc check_common(struct destroy_opts *d, int nargs)
{
	struct kesu_destruction_info *in = &d->req.info;
	const struct kesu_cert_info *ci = &d->o.info;
	if (nargs)
		return kesu_usage_error("destroy: takes no operands; give --serial, --device "
					"or --manifest");
	if (!!in->serial[0] + !!d->device + !!d->manifest != 1)
		return kesu_usage_error("destroy: give exactly one of --serial, --device and "
					"--manifest");
	if (d->manifest && (in->model[0] || ci->property_number[0] || in->no_erasure_record[0]))
		return kesu_usage_error("destroy: with --manifest, model, asset and "
					"no_erasure_record are columns of the manifest");
	if (!in->technique[0] && !d->manifest)
		return kesu_usage_error("destroy: give --technique");
	if (!in->location[0] || !in->company[0] || !in->person[0])
		return kesu_usage_error("destroy: give --location, --company and --person "
					"(where and by whom it was destroyed)");
	time_t t;
	if (in->destroyed_at[0] && !kesu_time_parse(in->destroyed_at, &t))
		return kesu_usage_error("destroy: --destroyed-at: not RFC 3339 or YYYY-MM-DD");
	char *end = NULL;
	if (d->particle[0] && ((in->particle_size_mm = strtod(d->particle, &end)) <= 0 || *end))
		return kesu_usage_error("destroy: --particle-size: a size in millimetres");
	kesu_strlcpy(in->property_number, ci->property_number, sizeof(in->property_number));
	in->my_number = ci->my_number;
	memcpy(in->witnesses, ci->witnesses, sizeof(in->witnesses));
	in->n_witnesses = ci->n_witnesses;
	if (!in->destroyed_at[0]) {
		char now[KESU_TIME_LEN];
		kesu_time_now(now);
		kesu_strlcpy(in->destroyed_at, now, sizeof(in->destroyed_at));
	}
	return KESU_OK;
}

static enum kesu_rc identity_from_device(struct destroy_opts *d)
{
	struct kesu_device *dev;
	struct kesu_err err = {0};
	enum kesu_rc rc = kesu_device_probe(d->device, &dev, &err);
	if (rc) {
		kesu_report(&err);
		return rc;
	}
	const struct kesu_identity *id = kesu_device_identity(dev);
	struct kesu_destruction_info *in = &d->req.info;
	/* The messages name the device's strings: they are reported before
	 * the device (which owns them) is freed. */
	if (!id->serial[0]) {
		rc = kesu_usage_error("destroy: %s reports no serial; read it from the label "
				      "and give --serial", id->path);
		kesu_device_free(dev);
		return rc;
	}
	if (in->model[0] && strcmp(in->model, id->model)) {
		rc = kesu_usage_error("destroy: --model says '%s' but the device says '%s'",
				      in->model, id->model);
		kesu_device_free(dev);
		return rc;
	}
	kesu_strlcpy(in->serial, id->serial, sizeof(in->serial));
	kesu_strlcpy(in->model, id->model, sizeof(in->model));
	d->req.from_device = true;
	kesu_device_free(dev);
	return KESU_OK;
}

/* One medium: issue and report. */
static enum kesu_rc one(struct kesu_issuer *is, struct kesu_destroy_req *req, bool json,
			json_t *results)
{
	char path[PATH_MAX] = "";
	struct kesu_err err = {0};
	enum kesu_rc rc = kesu_destroy_issue(is, req, path, sizeof(path), &err);
	bool written = !rc || rc == KESU_ERR_UNSTAMPED;
	if (rc)
		kesu_report(&err);
	if (json)
		json_array_append_new(results, json_pack("{s:o s:b s:o s:o s:o}",
			"serial", kesu_json_str(req->info.serial), "ok", !rc,
			"document", written ? kesu_json_str(path) : json_null(),
			"closes", written && req->info.closes[0] ? json_string(req->info.closes)
								: json_null(),
			"error", rc ? kesu_json_str(err.msg) : json_null()));
	else if (written)
		printf("%s\n", path);
	return rc;
}

/* A manifest path is relative to the manifest's own folder. */
static enum kesu_rc row_evidence(struct kesu_destroy_req *r, const char *dir,
				 const char *file, const char *role)
{
	char p[PATH_MAX];
	if (!file[0])
		return KESU_OK;
	if ((size_t)snprintf(p, sizeof(p), "%s/%s", file[0] == '/' ? "" : dir,
			     file[0] == '/' ? file + 1 : file) >= sizeof(p))
		return kesu_usage_error("destroy: evidence path too long");
	return add_evidence(r, file[0] == '/' ? file : p, role);
}

static enum kesu_rc row_request(const struct destroy_opts *d, const char *dir,
				const struct kesu_manifest_row *row,
				struct kesu_destroy_req *r)
{
	struct kesu_destruction_info *in = &r->info;
	*r = d->req;
	kesu_strlcpy(in->serial, row->serial, sizeof(in->serial));
	kesu_strlcpy(in->model, row->model, sizeof(in->model));
	kesu_strlcpy(in->property_number, row->asset, sizeof(in->property_number));
	kesu_strlcpy(in->no_erasure_record, row->no_erasure_record,
		     sizeof(in->no_erasure_record));
	if (row->technique[0])
		kesu_strlcpy(in->technique, row->technique, sizeof(in->technique));
	if (row->destroyed_at[0])
		kesu_strlcpy(in->destroyed_at, row->destroyed_at, sizeof(in->destroyed_at));
	char *end;
	if (row->particle_size_mm[0] &&
	    ((in->particle_size_mm = strtod(row->particle_size_mm, &end)) <= 0 || *end))
		return kesu_usage_error("destroy: manifest line %zu: particle_size_mm: a "
					"size in millimetres", row->line);
	time_t t;
	if (!in->technique[0] || !kesu_destroy_technique_find(in->technique))
		return kesu_usage_error("destroy: manifest line %zu: no known technique (its "
					"column, or --technique)", row->line);
	if (!kesu_time_parse(in->destroyed_at, &t))
		return kesu_usage_error("destroy: manifest line %zu: destroyed_at: not "
					"RFC 3339", row->line);
	enum kesu_rc rc;
	if ((rc = row_evidence(r, dir, row->label_photo, "label-photo")) ||
	    (rc = row_evidence(r, dir, row->destroyed_photo, "destroyed-photo")) ||
	    (rc = row_evidence(r, dir, row->vendor_certificate, "vendor-certificate")))
		return rc;
	return KESU_OK;
}

/* Every row is read and checked (here, then against the register in
 * run) before the first document is signed, so a typo on row 40 does not
 * leave a pallet half recorded. */
static enum kesu_rc load_manifest(const struct destroy_opts *d,
				  struct kesu_destroy_req **reqs, size_t *n)
{
	char *data, dir[PATH_MAX];
	size_t len, nrows;
	struct kesu_err err = {0};
	struct kesu_manifest_row *rows;
	enum kesu_rc rc = kesu_read_file(d->manifest, KESU_MANIFEST_MAX_BYTES, &data, &len, &err);
	if (!rc) {
		rc = kesu_manifest_parse(data, len, &rows, &nrows, &err);
		free(data);
	}
	if (rc) {
		kesu_err_prefix(&err, "%s: ", d->manifest);
		kesu_report(&err);
		return rc;
	}
	if (!kesu_path_dirname(d->manifest, dir, sizeof(dir)))
		kesu_strlcpy(dir, ".", sizeof(dir));
	*reqs = calloc(nrows, sizeof(**reqs));
	for (size_t i = 0; *reqs && !rc && i < nrows; i++)
		rc = row_request(d, dir, &rows[i], &(*reqs)[i]);
	free(rows);
	if (!*reqs)
		return kesu_usage_error("destroy: out of memory");
	if (rc) {
		free(*reqs);
		*reqs = NULL;
		return rc;
	}
	*n = nrows;
	return KESU_OK;
}

static enum kesu_rc run(struct destroy_opts *d, struct kesu_destroy_req *reqs, size_t n)
{
	struct kesu_issuer *is;
	struct kesu_err err = {0};
	d->o.document_only = true;
	enum kesu_rc rc = kesu_issuer_prepare(&d->o, &is, &err);
	if (rc) {
		kesu_report(&err);
		return rc;
	}
	if (!kesu_issuer_info(is)->operator_name[0] ||
	    !kesu_issuer_info(is)->operator_organization[0]) {
		kesu_issuer_free(is);
		return kesu_usage_error("destroy: give --operator and --organization (or "
					"[operator] name and organization): who records this");
	}
	size_t bad = 0;
	if (n > 1 && (rc = kesu_destroy_check_all(is, reqs, n, &bad, &err))) {
		kesu_issuer_free(is);
		kesu_err_prefix(&err, "%s: row %zu: ", d->manifest, bad + 1);
		kesu_report(&err);
		fputs(_("kesu: nothing recorded: fix the manifest and run it again\n"), stderr);
		return rc;
	}
	json_t *results = d->json ? json_array() : NULL;
	enum kesu_rc worst = KESU_OK;
	for (size_t i = 0; i < n; i++) {
		rc = one(is, &reqs[i], d->json, results);
		if (rc && (!worst || worst == KESU_ERR_UNSTAMPED))
			worst = rc;
	}
	kesu_issuer_free(is);
	if (d->json) {
		char *s = json_dumps(results, JSON_INDENT(2));
		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(results);
	}
	return worst;
}

enum kesu_rc cmd_destroy(int argc, char **argv)
{
	static const struct kesu_opt *const tables[] = {destroy_table, shared_table, NULL};
	struct destroy_opts *d = calloc(1, sizeof(*d));
	if (!d)
		return kesu_usage_error("destroy: out of memory");
	const struct kesu_cmd_opts c = {"destroy", tables, on_opt, d, help};
	int first;
	bool done;
	enum kesu_rc rc = kesu_opts_parse(&c, argc, argv, &first, &done);
	if (rc || done || (rc = check_common(d, argc - first)) ||
	    (d->device && (rc = identity_from_device(d)))) {
		free(d);
		return rc;
	}
	struct kesu_destroy_req *reqs = &d->req;
	size_t n = 1;
	if (d->manifest && (rc = load_manifest(d, &reqs, &n))) {
		free(d);
		return rc;
	}
	rc = run(d, reqs, n);
	if (reqs != &d->req)
		free(reqs);
	free(d);
	return rc;
}
