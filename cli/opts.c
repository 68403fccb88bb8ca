#include "cli/opts.h"
#include "cli/cli.h"
#include "lib/i18n.h"
#include "lib/strutil.h"
#include "lib/timefmt.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* getopt_long returns val; ours are FIRST_VAL + index into the flattened
 * tables, above every character a short option can be. */
#define FIRST_VAL 256

static size_t table_len(const struct kesu_opt *t)
{
	size_t n = 0;
	while (t[n].name)
		n++;
	return n;
}

bool kesu_opt_in(const struct kesu_opt *opt, const struct kesu_opt *table)
{
	return opt >= table && opt < table + table_len(table);
}

/* The entries of every table, in order, so an index names one. */
static const struct kesu_opt **flatten(const struct kesu_opt *const *tables, size_t *n)
{
	size_t total = 0;
	for (size_t t = 0; tables[t]; t++)
		total += table_len(tables[t]);
	const struct kesu_opt **v = calloc(total + 1, sizeof(*v));
	if (!v)
		return NULL;
	size_t k = 0;
	for (size_t t = 0; tables[t]; t++)
		for (const struct kesu_opt *o = tables[t]; o->name; o++)
			v[k++] = o;
	*n = total;
	return v;
}

/* The option as the operator typed it, without a "=value" part, and
 * cleaned: it goes to a terminal. */
static void typed(const char *raw, size_t len, char *buf, size_t size)
{
	kesu_clean(buf, size, raw, len);
}

enum kesu_rc kesu_opts_parse(const struct kesu_cmd_opts *c, int argc, char **argv,
			     int *first_arg, bool *done)
{
	*done = false;
	size_t n = 0;
	const struct kesu_opt **all = flatten(c->tables, &n);
	struct option *lo = calloc(n + 1, sizeof(*lo));
	/* ':' first: a missing value is told apart from an unknown option. */
	char *shorts = calloc(4 * n + 2, 1);
	if (!all || !lo || !shorts) {
		free(all);
		free(lo);
		free(shorts);
		return kesu_usage_error("%s: out of memory", c->cmd);
	}
	char *sp = shorts;
	*sp++ = ':';
	for (size_t i = 0; i < n; i++) {
		int has = !all[i]->arg ? no_argument
			  : all[i]->arg[0] == '[' ? optional_argument : required_argument;
		lo[i] = (struct option){all[i]->name, has, NULL, FIRST_VAL + (int)i};
		if (all[i]->short_name) {
			*sp++ = all[i]->short_name;
			if (all[i]->arg)
				*sp++ = ':';
			if (all[i]->arg && all[i]->arg[0] == '[')
				*sp++ = ':';
		}
	}
	enum kesu_rc rc = KESU_OK;
	/* 0, not 1: GNU getopt starts afresh, whatever an earlier parse of
	 * another argv left in its state. */
	optind = 0;
	opterr = 0;
	int ch;
	char buf[64];
	while (rc == KESU_OK && (ch = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		const struct kesu_opt *o = NULL;
		if (ch >= FIRST_VAL) {
			o = all[ch - FIRST_VAL];
		} else if (ch == '?' || ch == ':') {
			bool is_long = optopt == 0 || optopt >= FIRST_VAL;
			if (is_long) {
				const char *raw = argv[optind - 1];
				typed(raw, strcspn(raw, "="), buf, sizeof(buf));
			} else {
				const char o[2] = {'-', (char)optopt};
				typed(o, 2, buf, sizeof(buf));
			}
			/* Whole sentences, not pieces around the option: a
			 * translation may need to put it elsewhere. */
			if (ch == ':')
				rc = kesu_usage_error("%s: option '%s' needs a value; "
						      "run 'kesu %s --help'", c->cmd, buf, c->cmd);
			else if (optopt >= FIRST_VAL)
				rc = kesu_usage_error("%s: option '%s' takes no value; "
						      "run 'kesu %s --help'", c->cmd, buf, c->cmd);
			else
				rc = kesu_usage_error("%s: unknown option '%s'; "
						      "run 'kesu %s --help'", c->cmd, buf, c->cmd);
			break;
		} else {
			for (size_t i = 0; i < n; i++)
				if (all[i]->short_name == ch)
					o = all[i];
		}
		if (!strcmp(o->name, "help")) {
			if (c->help)
				c->help(stdout);
			*done = true;
			break;
		}
		rc = c->fn(c->ud, o, o->arg ? optarg : NULL);
	}
	*first_arg = optind;
	free(all);
	free(lo);
	free(shorts);
	return rc;
}

void kesu_opts_print(FILE *out, const struct kesu_opt *table)
{
	for (const struct kesu_opt *o = table; o->name; o++) {
		if (!o->help)
			continue;
		char left[64];
		snprintf(left, sizeof(left), "--%s%s%s", o->name,
			 o->arg && o->arg[0] != '[' ? " " : "", o->arg ? o->arg : "");
		/* The tables mark their help with N_(); names and value
		 * placeholders stay as typed. */
		const char *help = _(o->help);
		if (o->short_name)
			fprintf(out, "  -%c, %-24s %s\n", o->short_name, left, help);
		else
			fprintf(out, "      %-24s %s\n", left, help);
	}
}

void kesu_opts_usage(FILE *out, const char *cmd, const char *operands, const char *about,
		     const struct kesu_opt *table)
{
	fprintf(out, _("Usage: kesu %s%s%s [OPTIONS]\n\n"), cmd, operands ? " " : "",
		operands ? operands : "");
	fprintf(out, "%s\n\n", _(about));
	kesu_opts_print(out, table);
}

enum kesu_rc kesu_opt_time(const struct kesu_opt *opt, const char *arg, time_t *t)
{
	if (kesu_time_parse(arg, t))
		return KESU_OK;
	char shown[64];
	kesu_clean(shown, sizeof(shown), arg, strlen(arg));
	return kesu_usage_error("--%s: '%s' is not RFC 3339 or YYYY-MM-DD", opt->name, shown);
}

static void verbs_print(FILE *out, const char *cmd, const struct kesu_verb *verbs,
			const char *footer)
{
	fprintf(out, _("Usage: kesu %s VERB [OPTIONS] [ARGS]\n\nVerbs:\n"), cmd);
	for (const struct kesu_verb *v = verbs; v->name; v++)
		fprintf(out, "  %-11s %s\n", v->name, _(v->summary));
	fprintf(out, _("\nRun 'kesu %s VERB --help' for a verb's options.\n"), cmd);
	fputs(footer ? _(footer) : "", out);
}

enum kesu_rc kesu_verb_dispatch(const char *cmd, const struct kesu_verb *verbs,
				const char *footer, int argc, char **argv)
{
	if (argc < 2) {
		verbs_print(stderr, cmd, verbs, footer);
		return KESU_ERR_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		verbs_print(stdout, cmd, verbs, footer);
		return KESU_OK;
	}
	char full[64];
	for (const struct kesu_verb *v = verbs; v->name; v++) {
		if (strcmp(argv[1], v->name))
			continue;
		snprintf(full, sizeof(full), "%s %s", cmd, v->name);
		return v->fn(v, full, argc - 1, argv + 1);
	}
	/* "use a, b or c", from the table. */
	char list[256] = "", shown[64];
	for (const struct kesu_verb *v = verbs; v->name; v++) {
		size_t n = strlen(list);
		snprintf(list + n, sizeof(list) - n, "%s%s", n ? v[1].name ? ", " : " or " : "",
			 v->name);
	}
	kesu_clean(shown, sizeof(shown), argv[1], strlen(argv[1]));
	return kesu_usage_error("%s: unknown subcommand '%s'; use %s", cmd, shown, list);
}
