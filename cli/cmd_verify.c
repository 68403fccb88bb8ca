/* kesu verify DEVICE: a spot check of a medium someone else erased.  Reads
 * it (all of it, or a seeded NIST sample plus both edges), reports what the
 * regions read hold and anything recognisable, and writes a signed
 * kesu-verification/1 report that names the erasure certificate it checks.
 * wipe/inspect does the reading and judging, certs/document/verification.c
 * the document; this file joins the two. */
#include "certs/document/certificate.h"
#include "certs/document/verification.h"
#include "certs/register/backend.h"
#include "certs/sign/signer.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/progress_mode.h"
#include "lib/config.h"
#include "lib/digest.h"
#include "lib/fileio.h"
#include "lib/i18n.h"
#include "lib/timefmt.h"
#include "wipe/device/device.h"
#include "wipe/engine/progress.h"
#include "wipe/engine/signals.h"
#include "wipe/inspect/spot.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

/* Findings shown on the terminal; the report keeps up to
 * KESU_SPOT_MAX_FINDINGS. */
#define SHOWN 10

struct verify_opts {
	const char *device;
	bool full, json, no_sign;
	double confidence;
	const char *out_dir, *checks, *config, *key, *cert, *reg;
	char ca[PATH_MAX];
	enum kesu_progress_mode progress;
	char operator_name[KESU_STR_MAX + 1], organization[KESU_STR_MAX + 1],
		title[KESU_STR_MAX + 1], contact[KESU_STR_MAX + 1];
};

enum { OPT_FULL, OPT_CONFIDENCE, OPT_CHECKS, OPT_OUT, OPT_NO_SIGN, OPT_CONFIG, OPT_KEY,
       OPT_CERT, OPT_OPERATOR, OPT_ORG, OPT_TITLE, OPT_CONTACT, OPT_PROGRESS, OPT_JSON,
       OPT_REGISTER, OPT_CA };
static const struct kesu_opt verify_opts[] = {
	[OPT_FULL] = {"full", 'f', NULL, N_("read every byte instead of a sample")},
	[OPT_CONFIDENCE] = {"confidence", 'c', "C",
			    N_("confidence of the sample's statement, 0 < C < 1 (default 0.99)")},
	[OPT_CHECKS] = {"checks", 0, "CERT.json", N_("the erasure certificate this check is about")},
	[OPT_OUT] = {"out", 'o', "DIR", N_("where the report goes (default .)")},
	[OPT_NO_SIGN] = {"no-sign", 0, NULL, N_("write the report without a signature")},
	[OPT_CONFIG] = {"config", 0, "FILE", N_("configuration (default /etc/kesu/kesu.conf)")},
	[OPT_KEY] = {"key", 0, "FILE|URI", N_("signing key file or pkcs11: URI")},
	[OPT_CERT] = {"cert", 0, "FILE", N_("signer certificate (PEM)")},
	[OPT_OPERATOR] = {"operator", 0, "NAME", N_("who checks (default: kesu.conf)")},
	[OPT_ORG] = {"organization", 0, "ORG", N_("the operator's organization")},
	[OPT_TITLE] = {"title", 0, "TITLE", N_("the operator's title")},
	[OPT_CONTACT] = {"contact", 0, "TEXT", N_("the operator's contact")},
	[OPT_PROGRESS] = {"progress", 0, "MODE", N_("auto (a line every 5 s on stderr), json or none")},
	[OPT_JSON] = {"json", 'J', NULL, N_("print the result as JSON on stdout")},
	[OPT_REGISTER] = {"register", 0, "FILE|URL", N_("register the signed report there (kesu-register(5))")},
	[OPT_CA] = {"ca", 0, "FILE", N_("the CA the register is checked against ([trust] ca_file)")},
	KESU_OPT_HELP,
	KESU_OPT_END,
};

static void help(FILE *out)
{
	fputs(_("Usage: kesu verify DEVICE [--full | --confidence C] [options]\n\n"
	      "Spot-check a medium someone else erased: read it (a NIST SP 800-88\n"
	      "random sample plus the first and last MiB, or all of it), report\n"
	      "blank, pattern, random-looking and other regions and anything\n"
	      "recognisable (partition tables, file systems, files, text), and\n"
	      "write a signed report kesu-verification-<id>.json (with --register,\n"
	      "registered too).  Read-only.\n"
	      "Exit status 0: no data found; 1: data found or the read was\n"
	      "incomplete (or --checks names another medium).\n\n"),
	      out);
	kesu_opts_print(out, verify_opts);
}

static enum kesu_rc set(char *dst, size_t size, const char *arg, const char *opt)
{
	if (!arg[0] || !kesu_is_clean(arg) || !kesu_strlcpy(dst, arg, size))
		return kesu_usage_error("verify: --%s: empty, too long or contains control "
					"characters",
					opt);
	return KESU_OK;
}

static enum kesu_rc verify_opt(void *ud, const struct kesu_opt *opt, const char *arg)
{
	struct verify_opts *o = ud;
	switch (KESU_OPT_ID(opt, verify_opts)) {
	case OPT_FULL: o->full = true; break;
	case OPT_CONFIDENCE: {
		char *end;
		errno = 0;
		o->confidence = strtod(arg, &end);
		if (errno || end == arg || *end || !(o->confidence > 0) || !(o->confidence < 1))
			return kesu_usage_error("verify: --confidence must be a number between 0 "
						"and 1, such as 0.99");
		break;
	}
	case OPT_CHECKS: o->checks = arg; break;
	case OPT_OUT: o->out_dir = arg; break;
	case OPT_NO_SIGN: o->no_sign = true; break;
	case OPT_CONFIG: o->config = arg; break;
	case OPT_KEY: o->key = arg; break;
	case OPT_CERT: o->cert = arg; break;
	case OPT_OPERATOR: return set(o->operator_name, sizeof(o->operator_name), arg, "operator");
	case OPT_ORG: return set(o->organization, sizeof(o->organization), arg, "organization");
	case OPT_TITLE: return set(o->title, sizeof(o->title), arg, "title");
	case OPT_CONTACT: return set(o->contact, sizeof(o->contact), arg, "contact");
	case OPT_PROGRESS: return kesu_progress_mode_parse("verify", arg, &o->progress);
	case OPT_JSON: o->json = true; break;
	case OPT_REGISTER: o->reg = arg; break;
	case OPT_CA: kesu_strlcpy(o->ca, arg, sizeof(o->ca)); break;
	}
	return KESU_OK;
}

static enum kesu_rc parse(int argc, char **argv, struct verify_opts *o, bool *done)
{
	static const struct kesu_opt *const tables[] = {verify_opts, NULL};
	const struct kesu_cmd_opts c = {"verify", tables, verify_opt, o, help};
	int first;
	enum kesu_rc rc = kesu_opts_parse(&c, argc, argv, &first, done);
	if (rc || *done)
		return rc;
	if (o->full && o->confidence > 0)
		return kesu_usage_error("verify: --full reads everything; --confidence is only "
					"for a sample");
	if (first != argc - 1)
		return kesu_usage_error("verify: give exactly one DEVICE (a block device or "
					"image file); run 'kesu verify --help'");
	o->device = argv[first];
	return KESU_OK;
}

/* ---- the certificate being checked ---- */

struct checked {
	char id[37], sha256[KESU_SHA256_HEX], file[KESU_STR_MAX + 1];
	struct kesu_identity device;
};

static enum kesu_rc load_checked(const char *path, struct checked *c, struct kesu_err *err)
{
	char *data;
	size_t len;
	enum kesu_rc rc = kesu_read_file(path, KESU_CERT_MAX_BYTES, &data, &len, err);
	if (rc)
		return kesu_err_prefix(err, "--checks: ");
	kesu_sha256_hex(data, len, c->sha256);
	json_t *cert;
	rc = kesu_cert_parse(data, len, &cert, err);
	free(data);
	if (rc)
		return kesu_err_prefix(err, "--checks %s: not a kesu certificate: ", path);
	const char *id = json_string_value(json_object_get(cert, "id"));
	kesu_strlcpy(c->id, id ? id : "", sizeof(c->id));
	rc = kesu_identity_from_json(json_object_get(cert, "device"), &c->device, err);
	json_decref(cert);
	if (rc)
		return kesu_err_prefix(err, "--checks %s: ", path);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	kesu_clean(c->file, sizeof(c->file), base, strlen(base));
	return KESU_OK;
}

/* Every identity field that differs between the certificate's medium and
 * the one read: a check of the wrong disk confirms nothing. */
static size_t compare(const struct kesu_identity *cert, const struct kesu_identity *med,
		      struct kesu_verif_mismatch *mm)
{
	size_t n = 0;
	if (strcmp(cert->serial, med->serial)) {
		kesu_strlcpy(mm[n].field, "serial", sizeof(mm[n].field));
		kesu_strlcpy(mm[n].certificate, cert->serial[0] ? cert->serial : "(none)",
			     sizeof(mm[n].certificate));
		kesu_strlcpy(mm[n].medium, med->serial[0] ? med->serial : "(none)",
			     sizeof(mm[n].medium));
		n++;
	}
	if (cert->wwn[0] && med->wwn[0] && strcmp(cert->wwn, med->wwn)) {
		kesu_strlcpy(mm[n].field, "wwn", sizeof(mm[n].field));
		kesu_strlcpy(mm[n].certificate, cert->wwn, sizeof(mm[n].certificate));
		kesu_strlcpy(mm[n].medium, med->wwn, sizeof(mm[n].medium));
		n++;
	}
	if (cert->size_bytes != med->size_bytes) {
		kesu_strlcpy(mm[n].field, "size_bytes", sizeof(mm[n].field));
		snprintf(mm[n].certificate, sizeof(mm[n].certificate), "%" PRIu64,
			 cert->size_bytes);
		snprintf(mm[n].medium, sizeof(mm[n].medium), "%" PRIu64, med->size_bytes);
		n++;
	}
	return n;
}

/* ---- progress ---- */

struct progress {
	enum kesu_progress_mode mode;
	const char *name;
	struct timespec start, last;
};

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

static void on_progress(void *ud, uint64_t done, uint64_t total)
{
	struct progress *p = ud;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double every = p->mode == KESU_PROGRESS_JSON ? 1 : 5;
	if (p->mode == KESU_PROGRESS_NONE || (done < total && since(&p->last, &now) < every))
		return;
	p->last = now;
	double el = since(&p->start, &now);
	if (p->mode == KESU_PROGRESS_JSON) {
		/* The same object kesu wipe writes, in a phase of its own. */
		const struct kesu_progress_snap snap = {
			.device = p->name, .phase = "read", .pass = 1, .npasses = 1,
			.phase_done = done, .phase_total = total, .done = done, .total = total,
			.elapsed_s = el, .run_done = done,
		};
		char *line = kesu_progress_json_line(&snap);
		if (line)
			fprintf(stderr, "%s\n", line);
		free(line);
		return;
	}
	double pct = total ? 100.0 * (double)done / (double)total : 100;
	double mbps = el > 0 ? (double)done / el / 1e6 : 0;
	char name[64];
	kesu_clean(name, sizeof(name), p->name, strlen(p->name));
	/* a short read finishes before anyone needs to be told */
	if (done == total && el < every)
		return;
	fprintf(stderr, _("kesu verify: %s  %5.1f%% read  %.1f MB/s  %.0f s\n"), name, pct,
		mbps, el);
}

/* ---- the run ---- */

static void print_human(const struct verify_opts *o, const json_t *doc,
			const struct kesu_spot_result *r, const char *path, bool signed_)
{
	const json_t *m = json_object_get(doc, "method");
	const char *verdict = json_string_value(json_object_get(doc, "verdict"));
	printf("%s: %s\n", o->device, verdict);
	printf(_("  read: %s, %" PRIu64 " of %" PRIu64 " bytes\n"),
	       json_string_value(json_object_get(m, "mode")), r->bytes_read,
	       (uint64_t)json_integer_value(json_object_get(m, "bytes_planned")));
	printf("  %s\n", json_string_value(json_object_get(m, "statement")));
	printf(_("  regions:"));
	for (int k = 0; k < KESU_REGION_KINDS; k++)
		if (r->cells[k])
			printf(" %s %" PRIu64, kesu_region_kind_name(k), r->cells[k]);
	printf(_(" (cells of up to %u KiB)\n"), KESU_SPOT_CELL >> 10);
	for (size_t i = 0; i < r->n_findings && i < SHOWN; i++)
		printf(_("  found at %" PRIu64 " (%" PRIu64 " bytes): %s, %s\n"),
		       r->findings[i].offset, r->findings[i].length, r->findings[i].what,
		       r->findings[i].detail);
	if (r->total_findings > SHOWN)
		printf(_("  ... %" PRIu64 " findings in all; the report lists the first %zu\n"),
		       r->total_findings, r->n_findings);
	for (size_t i = 0; i < r->n_unreadable && i < SHOWN; i++)
		printf(_("  UNREADABLE: bytes %" PRIu64 "-%" PRIu64 "\n"), r->unreadable[i].offset,
		       r->unreadable[i].offset + r->unreadable[i].length - 1);
	if (r->size_changed)
		printf(_("  THE MEDIUM'S SIZE CHANGED during the read (now %" PRIu64 " bytes)\n"),
		       r->size_after);
	const json_t *c = json_object_get(doc, "checks");
	if (json_is_object(c)) {
		const json_t *mm = json_object_get(c, "mismatches");
		size_t i;
		const json_t *x;
		printf(_("  checks certificate %s: %s\n"),
		       json_string_value(json_object_get(c, "certificate_id")),
		       json_is_true(json_object_get(c, "confirmed")) ? _("confirmed")
								     : _("NOT confirmed"));
		json_array_foreach(mm, i, x)
			printf(_("  FINDING: this is not the medium that certificate is about: "
			       "%s is %s there, %s here\n"),
			       json_string_value(json_object_get(x, "field")),
			       json_string_value(json_object_get(x, "certificate")),
			       json_string_value(json_object_get(x, "medium")));
	}
	printf(_("  report: %s%s\n"), path, signed_ ? _(" (signed: .p7s beside it)") : _(" (NOT signed)"));
}

static void fill(char *dst, size_t size, const char *from)
{
	if (!dst[0])
		kesu_strlcpy(dst, from, size);
}

/* Everything that can fail without the device fails before reading it,
 * which may take hours: who checks, the certificate named, the key, --out. */
static enum kesu_rc prepare(struct verify_opts *o, struct checked *chk,
			    struct kesu_signer **signer, struct kesu_err *err)
{
	struct kesu_config cfg;
	enum kesu_rc rc = kesu_config_load(o->config, &cfg, err);
	if (rc)
		return rc;
	fill(o->operator_name, sizeof(o->operator_name), cfg.operator_name);
	fill(o->organization, sizeof(o->organization), cfg.operator_organization);
	fill(o->title, sizeof(o->title), cfg.operator_title);
	fill(o->contact, sizeof(o->contact), cfg.operator_contact);
	if (!o->operator_name[0])
		return kesu_fail(err, KESU_ERR_USAGE, 0, "verify: who checks? give --operator "
							 "NAME or set operator_name in kesu.conf");
	if (o->checks && (rc = load_checked(o->checks, chk, err)))
		return rc;
	/* A report is registered with its signature, and the register must
	 * take it before the medium is read. */
	if (o->reg && o->no_sign)
		return kesu_fail(err, KESU_ERR_USAGE, 0, "verify: --register needs a signed "
				 "report; drop --no-sign");
	if (!o->ca[0])
		kesu_strlcpy(o->ca, cfg.ca_file, sizeof(o->ca));
	if (o->reg && (rc = kesu_reg_check_writable(o->reg, o->ca, err)))
		return kesu_err_prefix(err, "%s: ", o->reg);
	if (!o->no_sign &&
	    (rc = kesu_signer_open(o->key ? o->key : cfg.key, o->cert ? o->cert : cfg.cert,
				   cfg.pin_file, cfg.pkcs11_module, signer, err)))
		return kesu_err_prefix(err, "cannot sign the report (use --no-sign to write "
					    "it unsigned): ");
	if ((rc = kesu_mkdir_p(o->out_dir, 0755, err)))
		return rc;
	if (access(o->out_dir, W_OK | X_OK))
		return kesu_fail(err, KESU_ERR_PERM, errno,
				 "%s: cannot write the report there (%s); give a writable --out",
				 o->out_dir, strerror(errno));
	return KESU_OK;
}

/* The medium as read: what it is, where it was read, what was found. */
struct reading {
	struct kesu_device *dev;
	struct kesu_target *t;
	struct kesu_identity id;
	struct kesu_spot_plan plan;
	struct kesu_spot_result *r;
	char started[KESU_TIME_LEN], ended[KESU_TIME_LEN];
};

static void reading_free(struct reading *rd)
{
	free(rd->r);
	kesu_spot_plan_free(&rd->plan);
	kesu_target_close(rd->t);
	kesu_device_free(rd->dev);
}

static enum kesu_rc read_medium(const struct verify_opts *o, struct reading *rd,
				struct kesu_err *err)
{
	enum kesu_rc rc;
	if ((rc = kesu_device_probe(o->device, &rd->dev, err)) ||
	    (rc = kesu_target_open_readonly(o->device, &rd->t, err)))
		return rc;
	rd->id = *kesu_device_identity(rd->dev);
	if (rd->t->size != rd->id.size_bytes)
		return kesu_fail(err, KESU_ERR_GONE, 0,
				 "%s changed size between probing and opening it; try again",
				 o->device);
	uint64_t seed = 0;
	if (!o->full && getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		return kesu_fail(err, KESU_ERR_INTERNAL, errno,
				 "getrandom failed; cannot pick sample locations");
	const struct kesu_target *t = rd->t;
	rc = o->full ? kesu_spot_plan_full(t->size, t->block_size, &rd->plan, err)
		     : kesu_spot_plan_sample(t->size, t->block_size, seed, &rd->plan, err);
	if (rc)
		return rc;
	if (!(rd->r = malloc(sizeof(*rd->r))))
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	kesu_spot_result_init(rd->r);
	kesu_time_now(rd->started);
	atomic_int stop = 0;
	struct progress pr = {.mode = o->progress, .name = rd->id.name};
	clock_gettime(CLOCK_MONOTONIC, &pr.start);
	pr.last = pr.start;
	const struct kesu_spot_io io = {on_progress, &pr, &stop};
	kesu_signals_install(&stop);
	rc = kesu_spot_read(rd->t, &rd->plan, &io, rd->r, err);
	kesu_signals_restore();
	if (rc == KESU_OK)
		kesu_time_now(rd->ended);
	return rc;
}

/* wipe/inspect's result joined to the document's plain facts. */
struct facts {
	struct kesu_verif_finding f[KESU_SPOT_MAX_FINDINGS];
	struct kesu_verif_range u[KESU_SPOT_MAX_UNREADABLE];
	struct kesu_verif_mismatch mm[KESU_VERIF_MAX_MISMATCHES];
	char uuid[37], now[KESU_TIME_LEN];
	struct kesu_verif_input in;
};

static void to_facts(const struct verify_opts *o, const struct reading *rd,
		     const struct checked *chk, struct facts *x)
{
	const struct kesu_spot_result *r = rd->r;
	for (size_t i = 0; i < r->n_findings; i++) {
		x->f[i].offset = r->findings[i].offset;
		x->f[i].length = r->findings[i].length;
		kesu_strlcpy(x->f[i].what, r->findings[i].what, sizeof(x->f[i].what));
		kesu_strlcpy(x->f[i].detail, r->findings[i].detail, sizeof(x->f[i].detail));
	}
	for (size_t i = 0; i < r->n_unreadable; i++) {
		x->u[i].first_lba = r->unreadable[i].offset / rd->t->block_size;
		x->u[i].count = r->unreadable[i].length / rd->t->block_size;
	}
	uuid_t ub;
	uuid_generate_random(ub);
	uuid_unparse_lower(ub, x->uuid);
	kesu_time_now(x->now);
	double conf = o->confidence > 0 ? o->confidence : 0.99;
	const struct kesu_spot_plan *plan = &rd->plan;
	x->in = (struct kesu_verif_input){
		.id = x->uuid, .issued_at = x->now, .started_at = rd->started,
		.ended_at = rd->ended, .operator_name = o->operator_name,
		.operator_organization = o->organization, .operator_title = o->title,
		.operator_contact = o->contact, .device = &rd->id, .full = plan->full,
		.seed = plan->seed, .sample_locations = plan->locations,
		.ranges_read = plan->count, .bytes_planned = plan->total_bytes,
		.bytes_read = r->bytes_read, .confidence = conf,
		.detectable_fraction = kesu_spot_detectable_fraction(plan->locations, conf),
		.cell_bytes = KESU_SPOT_CELL, .findings = x->f, .n_findings = r->n_findings,
		.findings_total = r->total_findings, .unreadable = x->u,
		.n_unreadable = r->n_unreadable, .unreadable_total = r->total_unreadable,
		.unreadable_bytes = r->unreadable_bytes, .size_after = r->size_after,
		.verdict = kesu_spot_verdict_name(kesu_spot_verdict(r)),
	};
	for (int k = 0; k < KESU_REGION_KINDS; k++)
		x->in.cells[k] = r->cells[k], x->in.bytes[k] = r->bytes[k];
	if (chk) {
		x->in.cert_id = chk->id;
		x->in.cert_sha256 = chk->sha256;
		x->in.cert_file = chk->file;
		x->in.mismatches = x->mm;
		x->in.n_mismatches = compare(&chk->device, &rd->id, x->mm);
	}
}

/* <out>/kesu-verification-<id>.json, and its .p7s when signing. */
static enum kesu_rc write_report(const struct verify_opts *o, const struct facts *x,
				 struct kesu_signer *signer, json_t **doc, char *path,
				 size_t path_size, struct kesu_err *err)
{
	enum kesu_rc rc = kesu_verif_build(&x->in, doc, err);
	if (rc)
		return rc;
	size_t len;
	char *text = kesu_verif_serialize(*doc, &len);
	if (!text)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	if ((size_t)snprintf(path, path_size, "%s/kesu-verification-%s.json", o->out_dir,
			     x->uuid) >= path_size)
		rc = kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", o->out_dir);
	else if (!(rc = kesu_write_atomic(path, text, len, 0644, err)) && signer)
		rc = kesu_signer_sign_file(signer, path, err);
	free(text);
	return rc;
}

static enum kesu_rc print_json(const char *path, bool signed_, json_t *doc,
			       struct kesu_err *err)
{
	char sig[PATH_MAX + 8];
	snprintf(sig, sizeof(sig), "%s.p7s", path);
	json_t *top = json_pack("{s:o s:o s:O}", "report", kesu_json_str(path), "signature",
				signed_ ? kesu_json_str(sig) : json_null(), "document", doc);
	enum kesu_rc rc = KESU_OK;
	if (!top || json_dumpf(top, stdout, JSON_INDENT(2) | JSON_SORT_KEYS |
						JSON_REAL_PRECISION(6)))
		rc = kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	else
		putchar('\n');
	json_decref(top);
	return rc;
}

static enum kesu_rc run(struct verify_opts *o)
{
	struct kesu_err err = {0};
	struct checked chk;
	struct kesu_signer *signer = NULL;
	struct reading rd = {0};
	struct facts *x = NULL;
	json_t *doc = NULL;
	char path[PATH_MAX];
	enum kesu_rc rc;
	if ((rc = prepare(o, &chk, &signer, &err)) || (rc = read_medium(o, &rd, &err)))
		goto out;
	if (!(x = calloc(1, sizeof(*x)))) {
		rc = kesu_fail(&err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
		goto out;
	}
	to_facts(o, &rd, o->checks ? &chk : NULL, x);
	struct kesu_reg_append reg = {0};
	if ((rc = write_report(o, x, signer, &doc, path, sizeof(path), &err)) ||
	    (o->reg && (rc = kesu_reg_append_doc_ts(o->reg, path, signer, o->ca, NULL, &reg,
						    &err))))
		goto out;
	if (o->json && (rc = print_json(path, signer != NULL, doc, &err)))
		goto out;
	if (!o->json)
		print_human(o, doc, rd.r, path, signer != NULL);
	if (o->reg && !o->json)
		printf(_("  registered: %s as %llu%s\n"), o->reg, (unsigned long long)reg.seq,
		       reg.already ? _(" (already there)") : "");
	if (kesu_spot_verdict(rd.r) != KESU_SPOT_NO_DATA_FOUND || (o->checks && x->in.n_mismatches))
		rc = KESU_ERR_FAILED;
	if (fflush(stdout))
		rc = rc ? rc : KESU_ERR_IO;
	goto done;
out:
	kesu_report(&err);
done:
	free(x);
	json_decref(doc);
	reading_free(&rd);
	kesu_signer_free(signer);
	return rc;
}

enum kesu_rc cmd_verify(int argc, char **argv)
{
	struct verify_opts o = {.out_dir = ".", .progress = KESU_PROGRESS_AUTO};
	bool done = false;
	enum kesu_rc rc = parse(argc, argv, &o, &done);
	if (rc || done)
		return rc;
	return run(&o);
}
