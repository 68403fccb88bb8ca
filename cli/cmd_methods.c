/* kesu methods [--json] [NAME...]: the erasure methods kesu wipe knows. */
#include "cli/cli.h"
#include "cli/opts.h"
#include "wipe/engine/method.h"
#include "wipe/firmware/purge_method.h"
#include "lib/i18n.h"
#include "lib/strutil.h"
#include "lib/termtext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_METHOD "nist-clear"

static const struct kesu_opt methods_opts[] = {
	{"json", 'J', NULL, N_("print JSON: {\"methods\": [...]}")},
	KESU_OPT_HELP,
	KESU_OPT_END,
};

static void usage(FILE *out)
{
	fputs(_("Usage: kesu methods [--json] [NAME...]\n\n"
		"List the erasure methods of 'kesu wipe --method NAME': NIST SP 800-88\n"
		"category, number of passes, default verification, a description and\n"
		"every pass (a hex pattern repeated over the medium, or 'random' for an\n"
		"AES-128-CTR stream).  With NAMEs, only those methods.\n\n"
		"Options:\n"), out);
	kesu_opts_print(out, methods_opts);
	fputs(_("\nA custom sequence is given to 'kesu wipe' with --passes LIST, e.g.\n"
		"--passes 00,ff,random.  See kesu(8), METHODS.\n"), out);
}

/* --json is its only option. */
static enum kesu_rc methods_opt(void *ud, const struct kesu_opt *opt, const char *arg)
{
	(void)opt;
	(void)arg;
	*(bool *)ud = true;
	return KESU_OK;
}

static void pass_list(const struct kesu_method *m, char *buf, size_t bufsz)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < m->npasses && o + 1 < bufsz; i++) {
		char d[2 * KESU_PATTERN_MAX + 1];
		kesu_pass_describe(&m->passes[i], d, sizeof(d));
		int n = snprintf(buf + o, bufsz - o, "%s%s", i ? "," : "", d);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

static enum kesu_rc print_table(const struct kesu_method **list, size_t n,
				const struct kesu_purge_method **plist, size_t np)
{
	char c1[80], c2[48], c3[32], c4[32];
	if (n) {
		/* TRANSLATORS: column headings of `kesu methods`, at most 18,
		 * 8, 6 and 6 columns wide. */
		kesu_term_cell(c1, sizeof(c1), _("NAME"), 18, false);
		kesu_term_cell(c2, sizeof(c2), _("CATEGORY"), 8, false);
		kesu_term_cell(c3, sizeof(c3), _("PASSES"), 6, true);
		kesu_term_cell(c4, sizeof(c4), _("VERIFY"), 6, false);
		printf("%s %s %s  %s  %s\n", c1, c2, c3, c4, _("DESCRIPTION"));
	}
	for (size_t i = 0; i < n; i++) {
		const struct kesu_method *m = list[i];
		char passes[KESU_PASSES_MAX * (2 * KESU_PATTERN_MAX + 1) + 1];
		pass_list(m, passes, sizeof(passes));
		printf("%-18s %-8s %6zu  %-6s  %s%s\n", m->name,
		       kesu_nist_category_name(m->category), m->npasses,
		       kesu_verify_mode_name(m->verify), _(m->description),
		       strcmp(m->name, DEFAULT_METHOD) ? "" : _(" [default]"));
		printf("%-18s %s %s\n", "", _("passes:"), passes);
	}
	if (np)
		printf("%s%s\n", n ? "\n" : "",
		       _("Firmware purge methods (the drive erases itself; verified by sampling):"));
	for (size_t i = 0; i < np; i++)
		printf("%-26s %-8s %s\n", plist[i]->name, "purge", _(plist[i]->description));
	return fflush(stdout) ? KESU_ERR_IO : KESU_OK;
}

static enum kesu_rc print_json(const struct kesu_method **list, size_t n,
			       const struct kesu_purge_method **plist, size_t np)
{
	json_t *arr = json_array();
	json_t *root = json_pack("{s:o}", "methods", arr);
	if (!root)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		json_t *j = kesu_method_to_json(list[i]);
		if (!j || json_object_set_new(j, "npasses", json_integer((json_int_t)list[i]->npasses)) ||
		    json_object_set_new(j, "default",
					json_boolean(!strcmp(list[i]->name, DEFAULT_METHOD))) ||
		    json_array_append_new(arr, j)) {
			json_decref(j);
			json_decref(root);
			goto oom;
		}
	}
	for (size_t i = 0; i < np; i++) {
		json_t *j = kesu_purge_method_to_json(plist[i]);
		if (!j || json_array_append_new(arr, j)) {
			json_decref(root);
			goto oom;
		}
	}
	char *s = json_dumps(root, JSON_INDENT(2));
	json_decref(root);
	if (!s)
		goto oom;
	puts(s);
	free(s);
	return fflush(stdout) ? KESU_ERR_IO : KESU_OK;
oom:
	fprintf(stderr, "kesu: %s\n", _("out of memory"));
	return KESU_ERR_INTERNAL;
}

enum kesu_rc cmd_methods(int argc, char **argv)
{
	static const struct kesu_opt *const tables[] = {methods_opts, NULL};
	bool json = false, done;
	const struct kesu_cmd_opts c = {"methods", tables, methods_opt, &json, usage};
	int optind;
	enum kesu_rc prc = kesu_opts_parse(&c, argc, argv, &optind, &done);
	if (prc != KESU_OK || done)
		return prc;

	/* Firmware purge methods come from their own table (purge_method.h):
	 * take their NAMEs out of argv before the overwrite lookup. */
	size_t pcount;
	const struct kesu_purge_method *pall = kesu_purge_methods(&pcount);
	const struct kesu_purge_method **plist = calloc(pcount + (size_t)argc, sizeof(*plist));
	size_t np = 0;
	bool named = optind < argc;
	if (!plist) {
		fprintf(stderr, "kesu: %s\n", _("out of memory"));
		return KESU_ERR_INTERNAL;
	}
	if (named) {
		int w = optind;
		for (int i = optind; i < argc; i++) {
			const struct kesu_purge_method *pm = kesu_purge_method_find(argv[i]);
			if (pm)
				plist[np++] = pm;
			else
				argv[w++] = argv[i];
		}
		argc = w;
	} else {
		for (size_t i = 0; i < pcount; i++)
			plist[np++] = &pall[i];
	}

	size_t count;
	const struct kesu_method *all = kesu_methods(&count);
	size_t want = named ? (size_t)(argc - optind) : count;
	const struct kesu_method **list = calloc(want + 1, sizeof(*list));
	if (!list) {
		free(plist);
		fprintf(stderr, "kesu: %s\n", _("out of memory"));
		return KESU_ERR_INTERNAL;
	}
	if (named) {
		for (size_t i = 0; i < want; i++) {
			const char *name = argv[optind + (int)i];
			list[i] = kesu_method_find(name);
			if (!list[i]) {
				free(list);
				free(plist);
				char shown[64];   /* user input: cleaned and bounded */
				kesu_clean(shown, sizeof(shown), name, strlen(name));
				return kesu_usage_error("methods: no method named '%s'; run "
							"'kesu methods' for the list", shown);
			}
		}
	} else {
		for (size_t i = 0; i < count; i++)
			list[i] = &all[i];
	}
	enum kesu_rc rc = json ? print_json(list, want, plist, np)
			       : print_table(list, want, plist, np);
	free(list);
	free(plist);
	if (rc == KESU_ERR_IO)
		fprintf(stderr, "kesu: %s\n",
			_("methods: could not write the output; check stdout"));
	return rc;
}
