/* kesu custody new | receive | verify | chain: hand-overs of media between
 * the city, the contractor and the destruction vendor (kesu-custody(5)). */
#include "certs/document/custody_file.h"
#include "certs/register/backend.h"
#include "certs/sign/role.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "lib/config.h"
#include "lib/i18n.h"
#include "lib/timefmt.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILES 4096

enum {
	OPT_KEY, OPT_CERT, OPT_CONFIG, OPT_CA, OPT_CRL, OPT_SERIAL, OPT_FROM, OPT_TO,
	OPT_AT, OPT_PLACE, OPT_SEAL, OPT_REF, OPT_DESTRUCTION, OPT_OUT, OPT_ORIGIN, OPT_JSON,
	OPT_REGISTER,
};
static const struct kesu_opt custody_opts[] = {
	[OPT_KEY] = {"key", 0, "FILE|URI", N_("new, receive: the signer's key ([signing] key)")},
	[OPT_CERT] = {"cert", 0, "FILE", N_("new, receive: the signer's certificate ([signing] cert)")},
	[OPT_CONFIG] = {"config", 0, "FILE", N_("configuration (default /etc/kesu/kesu.conf)")},
	[OPT_CA] = {"ca", 0, "FILE", N_("trusted CA ([trust] ca_file)")},
	[OPT_CRL] = {"crl", 0, "FILE", N_("the CA's CRL ([trust] crl_file)")},
	[OPT_SERIAL] = {"serial", 0, "SERIAL", N_("new: a medium handed over (repeatable); chain: the one to follow")},
	[OPT_FROM] = {"from", 0, "NAME/ORG", N_("new: the giving party (the signer)")},
	[OPT_TO] = {"to", 0, "NAME/ORG", N_("new: the receiving party")},
	[OPT_AT] = {"at", 0, "TIME", N_("new: when (RFC 3339; default now)")},
	[OPT_PLACE] = {"place", 0, "TEXT", N_("new: where")},
	[OPT_SEAL] = {"seal", 0, "TEXT", N_("new: seal or container number")},
	[OPT_REF] = {"reference", 0, "REF", N_("new: work order or contract reference")},
	[OPT_DESTRUCTION] = {"destruction", 0, NULL, N_("new: handed over to be destroyed")},
	[OPT_OUT] = {"out", 0, "DIR", N_("new: where it goes (default .)")},
	[OPT_ORIGIN] = {"origin", 0, "ORG", N_("chain: who held the medium first")},
	[OPT_JSON] = {"json", 0, NULL, N_("verify, chain: JSON output")},
	[OPT_REGISTER] = {"register", 0, "FILE", N_("new: also add it to this register; receive: register the receipt (the hand-over must be there); chain: ask it whether the medium was destroyed (kesu-register(5))")},
	KESU_OPT_HELP,
	KESU_OPT_END,
};

static void usage(FILE *out)
{
	fputs(_("Usage:\n"
	      "  kesu custody new --serial S... --from NAME/ORG --to NAME/ORG --place P\n"
	      "                   [--seal S] [--at TIME] [--reference R] [--destruction]\n"
	      "                   [--key K --cert C] [--out DIR] [--register FILE]\n"
	      "  kesu custody receive FILE... [--key K --cert C] [--register FILE]\n"
	      "  kesu custody verify FILE... [--ca FILE] [--json]\n"
	      "  kesu custody chain --serial S [--origin ORG] FILE... [--ca FILE] [--json]\n"
	      "                     [--register FILE]\n\n"
	      "Record a hand-over of media, signed by the giving party; acknowledge it\n"
	      "as the receiving party (FILE.receiver-1.p7s); verify hand-overs; follow\n"
	      "one serial through them and report every gap; with --register, whether\n"
	      "a registered destruction closes it.  See kesu-custody(5).\n\n"), out);
	kesu_opts_print(out, custody_opts);
}

struct args {
	const char *key, *cert, *config, *ca, *crl, *from, *to, *out, *origin, *reg;
	bool json, at_given;
	struct kesu_custody_req r;
	const char *serials[KESU_CUSTODY_MAX_SERIALS];
	char from_name[KESU_STR_MAX + 1], to_name[KESU_STR_MAX + 1];
};

static enum kesu_rc opt_fn(void *ud, const struct kesu_opt *opt, const char *arg)
{
	struct args *a = ud;
	struct kesu_custody_req *r = &a->r;
	if (arg && (!kesu_is_clean(arg) || strlen(arg) > KESU_STR_MAX))
		return kesu_usage_error("--%s: too long or contains control characters", opt->name);
	switch (KESU_OPT_ID(opt, custody_opts)) {
	case OPT_KEY: a->key = arg; break;
	case OPT_CERT: a->cert = arg; break;
	case OPT_CONFIG: a->config = arg; break;
	case OPT_CA: a->ca = arg; break;
	case OPT_CRL: a->crl = arg; break;
	case OPT_FROM: a->from = arg; break;
	case OPT_TO: a->to = arg; break;
	case OPT_OUT: a->out = arg; break;
	case OPT_ORIGIN: a->origin = arg; break;
	case OPT_REGISTER: a->reg = arg; break;
	case OPT_JSON: a->json = true; break;
	case OPT_PLACE: r->place = arg; break;
	case OPT_SEAL: r->seal = arg; break;
	case OPT_REF: r->reference = arg; break;
	case OPT_DESTRUCTION: r->destruction = true; break;
	case OPT_AT:
		if (!kesu_time_parse(arg, &r->at))
			return kesu_usage_error("--at: '%s' is not RFC 3339", arg);
		a->at_given = true;
		break;
	case OPT_SERIAL:
		if (r->n_serials >= KESU_CUSTODY_MAX_SERIALS)
			return kesu_usage_error("--serial: at most %d", KESU_CUSTODY_MAX_SERIALS);
		a->serials[r->n_serials++] = arg;
		break;
	}
	return KESU_OK;
}

/* "NAME/ORG" into p; the name is the signer's common name, so both parts
 * are required. */
static enum kesu_rc split_party(const char *arg, char *name, struct kesu_custody_party *p,
				const char *opt)
{
	const char *slash = arg ? strchr(arg, '/') : NULL;
	if (!slash || slash == arg || !slash[1] || (size_t)(slash - arg) > KESU_STR_MAX)
		return kesu_usage_error("--%s: give 'NAME/ORGANIZATION'", opt);
	memcpy(name, arg, (size_t)(slash - arg));
	name[slash - arg] = '\0';
	p->name = name;
	p->organization = slash + 1;
	return KESU_OK;
}

struct env {
	struct kesu_config cfg;
	struct kesu_trust t;
	struct kesu_signer *s;
};

static enum kesu_rc setup(const struct args *a, bool sign, struct env *e, struct kesu_err *err)
{
	memset(e, 0, sizeof(*e));
	enum kesu_rc rc = kesu_config_load(a->config, &e->cfg, err);
	if (rc)
		return rc;
	e->t.ca_file = a->ca ? a->ca : e->cfg.ca_file;
	e->t.crl_file = a->crl ? a->crl : a->ca ? NULL : e->cfg.crl_file;
	if (!sign && !e->t.ca_file[0])
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "no trusted CA; give --ca FILE or [trust] ca_file");
	if (sign)
		rc = kesu_signer_open(a->key ? a->key : e->cfg.key, a->cert ? a->cert : e->cfg.cert,
				      e->cfg.pin_file, e->cfg.pkcs11_module, &e->s, err);
	return rc;
}

static enum kesu_rc custody_new(struct args *a, int nargs, struct kesu_err *err)
{
	struct kesu_custody_req *r = &a->r;
	enum kesu_rc rc;
	if (nargs)
		return kesu_usage_error("custody new: takes no file operands");
	if (!r->n_serials || !r->place)
		return kesu_usage_error("custody new: give --serial, --from, --to and --place");
	if ((rc = split_party(a->from, a->from_name, &r->from, "from")) ||
	    (rc = split_party(a->to, a->to_name, &r->to, "to")))
		return rc;
	if (!a->at_given)
		r->at = time(NULL);
	r->serials = a->serials;
	struct env e;
	char path[PATH_MAX];
	if (!(rc = setup(a, true, &e, err)) &&
	    !(rc = a->reg ? kesu_reg_check_writable(a->reg, e.t.ca_file, err) : KESU_OK) &&
	    !(rc = kesu_custody_issue(e.s, r, e.t.ca_file, e.t.crl_file,
				      a->out ? a->out : ".", path, sizeof(path), err)) &&
	    !(rc = a->reg ? kesu_reg_append_doc_ts(a->reg, path, e.s, e.t.ca_file, NULL,
						   NULL, err) : KESU_OK))
		printf("%s\n", path);
	if (rc)
		kesu_report(err);
	kesu_signer_free(e.s);
	return rc;
}

static enum kesu_rc custody_receive(struct args *a, int argc, char **argv, int first,
				    struct kesu_err *err)
{
	if (first >= argc)
		return kesu_usage_error("custody receive: give the hand-over file(s)");
	struct env e;
	enum kesu_rc rc = setup(a, true, &e, err), worst = rc;
	if (!rc && !e.t.ca_file[0])
		worst = rc = kesu_fail(err, KESU_ERR_USAGE, 0,
				       "no trusted CA to check the giver against; give "
				       "--ca FILE or [trust] ca_file");
	/* The receipt is registered like a witness's countersignature, so that
	 * register trace shows who took the media, not only who gave them. */
	if (!rc && a->reg)
		worst = rc = kesu_reg_check_writable(a->reg, e.t.ca_file, err);
	if (rc)
		kesu_report(err);
	char name[KESU_STR_MAX + 1] = "";
	if (!rc)
		kesu_cert_common_name(kesu_signer_x509(e.s), name, sizeof(name));
	for (int i = first; !rc && i < argc; i++) {
		char out[PATH_MAX];
		struct kesu_reg_append res;
		enum kesu_rc r = kesu_custody_receive(e.s, argv[i], &e.t, out, sizeof(out), err);
		/* A receipt the register refuses stays beside the hand-over: it
		 * is valid, and registering it again later is not an error. */
		if (!r && a->reg)
			r = kesu_reg_append_countersig(a->reg, argv[i], out, "receiver", name, e.s,
						       e.t.ca_file, &res, err);
		if (r) {
			kesu_report(err);
			worst = worst ? worst : r;
			continue;
		}
		printf("%s\n", out);
	}
	kesu_signer_free(e.s);
	return worst;
}

static const char *jparty(const json_t *d, const char *which, const char *k)
{
	return json_string_value(json_object_get(json_object_get(d, which), k));
}

static json_t *verdict_json(const char *file, const struct kesu_custody_file *cf,
			    enum kesu_rc rc, const struct kesu_err *err)
{
	const json_t *d = cf->f.doc;
	json_t *recv = json_array();
	for (size_t i = 0; i < cf->cs.n; i++)
		json_array_append_new(recv, json_pack("{s:o s:o s:o}",
			"file", kesu_json_str(cf->cs.cs[i].file),
			"role", kesu_json_str(cf->cs.cs[i].role),
			"subject", kesu_json_str(cf->cs.cs[i].sig.signer_subject)));
	return json_pack("{s:o s:b s:s s:o s:b s:o s:o s:o s:o s:o}",
		"file", kesu_json_str(file), "ok", !rc && cf->received,
		"verdict", rc ? cf->f.stage : cf->received ? "OK" : "NOT RECEIVED",
		"error", rc ? kesu_json_str(err->msg) : json_null(),
		"received", !rc && cf->received,
		"from", rc || !d ? json_null() : json_deep_copy(json_object_get(d, "from")),
		"to", rc || !d ? json_null() : json_deep_copy(json_object_get(d, "to")),
		"at", rc || !d ? json_null() : json_deep_copy(json_object_get(d, "at")),
		"serials", rc || !d ? json_null() : json_deep_copy(json_object_get(d, "serials")),
		"countersigners", recv);
}

static void print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2));
	printf("%s\n", s ? s : "null");
	free(s);
	json_decref(j);
}

static enum kesu_rc custody_verify(struct args *a, int argc, char **argv, int first,
				   struct kesu_err *err)
{
	if (first >= argc)
		return kesu_usage_error("custody verify: give the hand-over file(s)");
	struct env e;
	enum kesu_rc rc = setup(a, false, &e, err), worst = KESU_OK;
	if (rc) {
		kesu_report(err);
		return rc;
	}
	json_t *arr = a->json ? json_array() : NULL;
	for (int i = first; i < argc; i++) {
		static struct kesu_custody_file cf;
		char shown[PATH_MAX];
		kesu_clean(shown, sizeof(shown), argv[i], strlen(argv[i]));
		rc = kesu_custody_verify(argv[i], &e.t, &cf, err);
		/* A hand-over nobody acknowledged is not a finished record. */
		enum kesu_rc r = rc ? rc : cf.received ? KESU_OK : KESU_ERR_FAILED;
		worst = worst ? worst : r;
		if (arr)
			json_array_append_new(arr, verdict_json(argv[i], &cf, rc, err));
		else if (rc)
			printf("%s: %s: %s\n", shown, cf.f.stage, err->msg);
		else
			printf(_("%s: %s: %s/%s handed %zu media to %s/%s at %s\n"), shown,
			       cf.received ? "OK" : _("NOT RECEIVED (no countersignature by the receiver)"),
			       jparty(cf.f.doc, "from", "name"), jparty(cf.f.doc, "from", "organization"),
			       json_array_size(json_object_get(cf.f.doc, "serials")),
			       jparty(cf.f.doc, "to", "name"), jparty(cf.f.doc, "to", "organization"),
			       json_string_value(json_object_get(cf.f.doc, "at")));
		kesu_custody_file_free(&cf);
	}
	if (arr)
		print_json(arr);
	return worst;
}

static bool lists(const json_t *d, const char *serial)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(d, "serials"), i, s)
		if (!strcmp(json_string_value(s), serial))
			return true;
	return false;
}

/* The first destruction line for serial in the register at reg (checked
 * against ca first); d->id NULL when there is none.  *lines keeps the
 * strings d points into. */
static enum kesu_rc registered_destruction(const char *reg, const char *ca, const char *serial,
					   struct kesu_custody_destruction *d, json_t **lines,
					   struct kesu_err *err)
{
	memset(d, 0, sizeof(*d));
	enum kesu_rc rc = kesu_reg_lines(reg, ca, lines, err);
	if (rc)
		return kesu_err_prefix(err, "%s: ", reg);
	size_t i;
	json_t *l;
	json_array_foreach(*lines, i, l) {
		const char *kind = json_string_value(json_object_get(l, "kind"));
		const char *sn = json_string_value(json_object_get(l, "serial"));
		if (kind && sn && !strcmp(kind, "destruction") && !strcmp(sn, serial)) {
			d->id = json_string_value(json_object_get(l, "cert_id"));
			kesu_time_parse(json_string_value(json_object_get(l, "time")), &d->at);
			break;
		}
	}
	return KESU_OK;
}

/* The verdict; st NULL when no register was asked.  Gaps, and with a
 * register a medium still open, exit 1. */
static enum kesu_rc report_chain(const struct args *a, const char *serial, size_t n,
				 const struct kesu_custody_gaps *g,
				 const struct kesu_custody_status *st)
{
	if (a->json) {
		json_t *gaps = json_array();
		for (size_t i = 0; i < g->n; i++)
			json_array_append_new(gaps, json_string(g->gap[i]));
		json_t *j = json_pack("{s:o s:i s:o s:b s:o}", "serial", kesu_json_str(serial),
				      "hand_overs", (int)n, "holder",
				      g->holder ? kesu_json_str(g->holder) : json_null(),
				      "destroyed", g->destroyed, "gaps", gaps);
		json_object_set_new(j, "closed", st ? json_boolean(st->closed) : json_null());
		json_object_set_new(j, "status", st ? json_string(st->text) : json_null());
		print_json(j);
	} else {
		printf(_("%s: %zu hand-over(s), %s%s\n"), serial, n,
		       g->destroyed ? _("handed over for destruction by ") : _("held by "),
		       g->holder ? g->holder : "-");
		if (st)
			printf("  %s\n", st->text);
		for (size_t i = 0; i < g->n; i++)
			printf(_("  GAP: %s\n"), g->gap[i]);
	}
	return g->n || (st && !st->closed) ? KESU_ERR_FAILED : KESU_OK;
}

/* Documents that fail verification are errors, not gaps: a chain is only
 * judged over hand-overs whose signatures hold.  With --register the
 * register's destruction documents settle whether the medium is closed. */
static enum kesu_rc custody_chain(struct args *a, int argc, char **argv, int first,
				  struct kesu_err *err)
{
	if (a->r.n_serials != 1 || first >= argc)
		return kesu_usage_error("custody chain: give one --serial and the hand-over files");
	if (argc - first > MAX_FILES)
		return kesu_usage_error("custody chain: at most %d files", MAX_FILES);
	struct env e;
	enum kesu_rc rc = setup(a, false, &e, err);
	if (rc) {
		kesu_report(err);
		return rc;
	}
	const char *serial = a->serials[0];
	struct kesu_custody_file *cf = calloc((size_t)(argc - first), sizeof(*cf));
	struct kesu_custody_hop *hops = calloc((size_t)(argc - first), sizeof(*hops));
	size_t n = 0, nf = 0;
	for (int i = first; cf && hops && !rc && i < argc; i++, nf++) {
		/* cf[nf] may keep a parsed document even when it fails: freed below. */
		if ((rc = kesu_custody_verify(argv[i], &e.t, &cf[nf], err)))
			break;
		const json_t *d = cf[nf].f.doc;
		if (!lists(d, serial))
			continue;
		struct kesu_custody_hop *h = &hops[n++];
		h->id = json_string_value(json_object_get(d, "id"));
		h->from_org = jparty(d, "from", "organization");
		h->to_org = jparty(d, "to", "organization");
		kesu_time_parse(json_string_value(json_object_get(d, "at")), &h->at);
		h->destruction = !strcmp(json_string_value(json_object_get(d, "purpose")), "destruction");
		h->received = cf[nf].received;
	}
	if (!cf || !hops)
		rc = kesu_fail(err, KESU_ERR_INTERNAL, 0, "out of memory");
	json_t *lines = NULL;
	struct kesu_custody_destruction dd;
	if (!rc && a->reg)
		rc = registered_destruction(a->reg, e.t.ca_file, serial, &dd, &lines, err);
	if (rc) {
		kesu_report(err);
	} else {
		static struct kesu_custody_gaps g;
		static struct kesu_custody_status st;
		kesu_custody_chain(hops, n, a->origin, &g);
		if (a->reg)
			kesu_custody_settle(hops, n, &dd, &g, &st);
		rc = report_chain(a, serial, n, &g, a->reg ? &st : NULL);
	}
	json_decref(lines);
	for (size_t i = 0; cf && i < (size_t)(argc - first); i++)
		kesu_custody_file_free(&cf[i]);
	free(cf);
	free(hops);
	return rc;
}

enum kesu_rc cmd_custody(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? KESU_ERR_USAGE : KESU_OK;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "new") && strcmp(sub, "receive") && strcmp(sub, "verify") &&
	    strcmp(sub, "chain"))
		return kesu_usage_error("custody: unknown subcommand '%s'; use new, receive, "
					"verify or chain", sub);
	static const struct kesu_opt *const tables[] = {custody_opts, NULL};
	struct args *a = calloc(1, sizeof(*a));
	if (!a)
		return KESU_ERR_INTERNAL;
	char name[32];
	snprintf(name, sizeof(name), "custody %s", sub);
	const struct kesu_cmd_opts c = {name, tables, opt_fn, a, usage};
	int first;
	bool done;
	struct kesu_err err = {0};
	enum kesu_rc rc = kesu_opts_parse(&c, argc - 1, argv + 1, &first, &done);
	if (!rc && !done) {
		if (!strcmp(sub, "new"))
			rc = custody_new(a, argc - 1 - first, &err);
		else if (!strcmp(sub, "receive"))
			rc = custody_receive(a, argc - 1, argv + 1, first, &err);
		else if (!strcmp(sub, "verify"))
			rc = custody_verify(a, argc - 1, argv + 1, first, &err);
		else
			rc = custody_chain(a, argc - 1, argv + 1, first, &err);
	}
	free(a);
	return rc;
}
