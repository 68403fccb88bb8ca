/* kesu list [--json] [--all]: every disk, what is on it, and whether kesu
 * would erase it. */
#include "wipe/firmware/capabilities.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "wipe/device/device.h"
#include "wipe/device/gate.h"
#include "wipe/device/inventory.h"
#include "lib/i18n.h"
#include "lib/strutil.h"
#include "lib/termtext.h"

#include <stdio.h>
#include <string.h>

enum { OPT_ALL, OPT_JSON };
static const struct kesu_opt list_opts[] = {
	[OPT_ALL] = {"all", 'a', NULL, N_("also partitions, loop, ram, zram, dm and md devices")},
	[OPT_JSON] = {"json", 'J', NULL, N_("machine-readable output (keys in kesu(8))")},
	KESU_OPT_HELP,
	KESU_OPT_END,
};

static void help(FILE *out)
{
	fputs(_("Usage: kesu list [--json] [--all]\n\n"
		"List whole-disk block devices, what is on them, and whether kesu\n"
		"would erase them (STATE: ok, or the first reason it would not:\n"
		"system-disk, partition, mounted, swap, holder, attached, read-only,\n"
		"no-medium, no-access; +N when there are more, see 'kesu info').\n\n"), out);
	kesu_opts_print(out, list_opts);
}

struct list_args {
	bool json, all;
};

static enum kesu_rc list_opt(void *ud, const struct kesu_opt *opt, const char *arg)
{
	struct list_args *a = ud;
	(void)arg;
	switch (KESU_OPT_ID(opt, list_opts)) {
	case OPT_ALL: a->all = true; break;
	case OPT_JSON: a->json = true; break;
	}
	return KESU_OK;
}

/* The table's columns.  10+6+7+6+17+15 and separators leave 13 columns of
 * an 80-column terminal for STATE: "system-disk+2" fits.  Widths are
 * terminal columns, not bytes, so a translated heading or a model name in
 * Japanese keeps the table aligned; long values are cut. */
enum { W_NAME = 10, W_SIZE = 6, W_KIND = 7, W_TRAN = 6, W_MODEL = 17, W_SERIAL = 15 };

/* Room for a cell of `cols` columns: 4 bytes a column at most, plus the
 * combining marks that take none (beyond those, the cell is cut). */
#define CELL(cols) ((cols) * 4 + 16)

static void print_row(const char *name, const char *size, const char *kind,
		      const char *tran, const char *model, const char *serial,
		      const char *state)
{
	char c1[CELL(W_NAME)], c2[CELL(W_SIZE)], c3[CELL(W_KIND)], c4[CELL(W_TRAN)],
		c5[CELL(W_MODEL)], c6[CELL(W_SERIAL)], c7[CELL(16)];
	kesu_term_cell(c1, sizeof(c1), name, W_NAME, false);
	kesu_term_cell(c2, sizeof(c2), size, W_SIZE, true);
	kesu_term_cell(c3, sizeof(c3), kind, W_KIND, false);
	kesu_term_cell(c4, sizeof(c4), tran, W_TRAN, false);
	kesu_term_cell(c5, sizeof(c5), model, W_MODEL, false);
	kesu_term_cell(c6, sizeof(c6), serial, W_SERIAL, false);
	/* The last column is not padded: no trailing blanks. */
	kesu_clean(c7, sizeof(c7), state, strlen(state));
	printf("%s %s %s %s %s %s %s\n", c1, c2, c3, c4, c5, c6, c7);
}

static void row(const struct kesu_device *d, const struct kesu_gate_verdict *v)
{
	const struct kesu_identity *id = kesu_device_identity(d);
	char sz[16], state[64];
	kesu_size_human(id->size_bytes, sz, sizeof(sz));
	if (v->allowed)
		snprintf(state, sizeof(state), "ok");
	else if (v->n_reasons > 1)
		snprintf(state, sizeof(state), "%s+%zu", v->reasons[0].code, v->n_reasons - 1);
	else
		snprintf(state, sizeof(state), "%s", v->reasons[0].code);
	print_row(id->name, sz, id->kind, id->transport, id->model, id->serial, state);
}

enum kesu_rc cmd_list(int argc, char **argv)
{
	static const struct kesu_opt *const tables[] = {list_opts, NULL};
	struct list_args a = {0};
	const struct kesu_cmd_opts c = {"list", tables, list_opt, &a, help};
	int first;
	bool done;
	enum kesu_rc prc = kesu_opts_parse(&c, argc, argv, &first, &done);
	if (prc != KESU_OK || done)
		return prc;
	bool json = a.json, all = a.all;
	if (first != argc)
		return kesu_usage_error("list: takes no arguments; use 'kesu info DEVICE' "
					"for one device");
	const struct kesu_sysroot *root = kesu_sysroot_default();
	struct kesu_names names;
	struct kesu_err err = {0};
	if (kesu_inventory_names(root, all, &names)) {
		kesu_fail(&err, KESU_ERR_IO, 0, "cannot read /sys/block; is sysfs mounted?");
		kesu_report(&err);
		return KESU_ERR_IO;
	}
	json_t *arr = json ? json_array() : NULL;
	enum kesu_rc rc = KESU_OK;
	if (!json)
		/* TRANSLATORS: column headings of `kesu list`, at most as
		 * wide as the columns (10, 6, 7, 6, 17, 15). */
		print_row(_("NAME"), _("SIZE"), _("KIND"), _("TRAN"), _("MODEL"),
			  _("SERIAL"), _("STATE"));
	for (size_t i = 0; i < names.n && rc == KESU_OK; i++) {
		struct kesu_device *d;
		struct kesu_gate_verdict v;
		enum kesu_rc r = kesu_device_probe_name(root, names.v[i], 0, &d, &err);
		/* No exclusive-open test here: even a brief O_EXCL claim on
		 * every disk could make another program's open fail. */
		if (r == KESU_OK)
			kesu_gate_check_passive(d, &v);
		if (r == KESU_ERR_GONE) {
			/* Unplugged while we listed: not an error for a list. */
			kesu_report(&err);
			continue;
		}
		if (r) {
			rc = r;
			kesu_report(&err);
			break;
		}
		if (json) {
			json_t *o = kesu_device_json(d, &v, false);
			if (o)
				json_object_set_new(o, "purge", kesu_caps_device_json(d));
			if (!o || json_array_append_new(arr, o))
				rc = KESU_ERR_INTERNAL;
		} else {
			row(d, &v);
		}
		kesu_device_free(d);
	}
	kesu_names_free(&names);
	if (json && rc == KESU_OK) {
		json_t *top = json_pack("{s:O}", "devices", arr);
		if (!top || json_dumpf(top, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER))
			rc = KESU_ERR_INTERNAL;
		else
			putchar('\n');
		json_decref(top);
	}
	json_decref(arr);
	if (rc == KESU_ERR_INTERNAL) {
		kesu_fail(&err, rc, 0, "out of memory building the list");
		kesu_report(&err);
	}
	if (rc == KESU_OK && fflush(stdout) != 0)
		rc = KESU_ERR_IO;
	return rc;
}
