#include "cli/register_opts.h"
#include "certs/register/backend.h"
#include "cli/cli.h"
#include "lib/strutil.h"

#include <stddef.h>
#include <string.h>

/* Every register option is a string, a flag or a time: one handler finds
 * the field by name, so a verb's table is just the entries it takes. */
static const struct {
	const char *name;
	size_t off;
} STRINGS[] = {
	{"register", offsetof(struct kesu_reg_args, reg)},
	{"ca", offsetof(struct kesu_reg_args, ca)},
	{"config", offsetof(struct kesu_reg_args, config)},
	{"key", offsetof(struct kesu_reg_args, key)},
	{"cert", offsetof(struct kesu_reg_args, cert)},
	{"tsa", offsetof(struct kesu_reg_args, tsa)},
	{"tsa-ca-file", offsetof(struct kesu_reg_args, tsa_ca)},
	{"reason", offsetof(struct kesu_reg_args, reason)},
	{"from", offsetof(struct kesu_reg_args, from)},
	{"out", offsetof(struct kesu_reg_args, out)},
	{"serial", offsetof(struct kesu_reg_args, serial)},
	{"operator", offsetof(struct kesu_reg_args, op)},
	{"asset", offsetof(struct kesu_reg_args, asset)},
	{"department", offsetof(struct kesu_reg_args, department)},
	{"kind", offsetof(struct kesu_reg_args, kind)},
	{"open-max-days", offsetof(struct kesu_reg_args, open_max_days)},
	{"schema-version", offsetof(struct kesu_reg_args, schema)},
};

/* A verb's table names an entry no field is kept for: a slip in this
 * file, not the operator's. */
static enum kesu_rc unhandled(const struct kesu_opt *opt)
{
	struct kesu_err err = {0};
	kesu_fail(&err, KESU_ERR_INTERNAL, 0, "register: option '--%s' has no handler", opt->name);
	kesu_report(&err);
	return KESU_ERR_INTERNAL;
}

static enum kesu_rc reg_opt(void *ud, const struct kesu_opt *opt, const char *arg)
{
	struct kesu_reg_args *a = ud;
	for (size_t i = 0; i < sizeof(STRINGS) / sizeof(STRINGS[0]); i++) {
		if (!strcmp(opt->name, STRINGS[i].name)) {
			*(const char **)((char *)a + STRINGS[i].off) = arg;
			return KESU_OK;
		}
	}
	if (!strcmp(opt->name, "json"))
		a->json = true;
	else if (!strcmp(opt->name, "csv"))
		a->csv = true;
	else if (!strcmp(opt->name, "excel"))
		a->excel = true;
	else if (!strcmp(opt->name, "open"))
		a->open = true;
	else if (!strcmp(opt->name, "since"))
		return kesu_opt_time(opt, arg, &a->since);
	else if (!strcmp(opt->name, "until"))
		return kesu_opt_time(opt, arg, &a->until);
	else
		return unhandled(opt);
	return KESU_OK;
}

/* The verb's --help: its usage line, what it does, its options.  The
 * parser's help callback takes no context; one verb runs per process. */
static const struct kesu_reg_verb *help_verb;
static const char *help_cmd;

static void verb_help(FILE *out)
{
	kesu_opts_usage(out, help_cmd, help_verb->operands, help_verb->about, help_verb->opts);
}

enum kesu_rc kesu_reg_verb_main(const struct kesu_verb *v, const char *cmd, int argc,
				char **argv)
{
	const struct kesu_reg_verb *rv = v->data;
	const struct kesu_opt *const tables[] = {rv->opts, NULL};
	struct kesu_reg_ctx c = {.cmd = cmd};
	const struct kesu_cmd_opts co = {cmd, tables, reg_opt, &c.a, verb_help};
	help_verb = rv;
	help_cmd = cmd;
	int first;
	bool done;
	enum kesu_rc rc = kesu_opts_parse(&co, argc, argv, &first, &done);
	if (rc != KESU_OK || done)
		return rc;
	if (!rv->operands && first < argc) {
		char shown[64];
		kesu_clean(shown, sizeof(shown), argv[first], strlen(argv[first]));
		return kesu_usage_error("%s: unexpected argument '%s'", cmd, shown);
	}
	struct kesu_err err = {0};
	if ((rc = kesu_config_load(c.a.config, &c.cfg, &err))) {
		kesu_report(&err);
		return rc;
	}
	c.reg = c.a.reg ? c.a.reg : kesu_config_register(&c.cfg);
	c.ca = c.a.ca ? c.a.ca : c.cfg.ca_file;
	c.tsa_ca = c.a.tsa_ca ? c.a.tsa_ca : c.cfg.tsa_ca_file;
	return rv->run(&c, argc - first, argv + first);
}

enum kesu_rc kesu_reg_signer(const struct kesu_reg_ctx *c, struct kesu_signer **out)
{
	struct kesu_err err = {0};
	enum kesu_rc rc = kesu_signer_open(c->a.key ? c->a.key : c->cfg.key,
					   c->a.cert ? c->a.cert : c->cfg.cert, c->cfg.pin_file,
					   c->cfg.pkcs11_module, out, &err);
	if (rc)
		kesu_report(&err);
	return rc;
}
