/* kesu info DEVICE [--json]: everything kesu knows about one target and
 * every reason the gate would refuse it. */
#include "wipe/firmware/capabilities.h"
#include "cli/cli.h"
#include "cli/code_words.h"
#include "cli/contents.h"
#include "cli/opts.h"
#include "wipe/device/device.h"
#include "wipe/device/gate.h"
#include "wipe/device/inventory.h"
#include "lib/i18n.h"
#include "lib/strutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const struct kesu_opt info_opts[] = {
	{"json", 'J', NULL, N_("machine-readable output (keys in kesu(8))")},
	KESU_OPT_HELP,
	KESU_OPT_END,
};

static void help(FILE *out)
{
	fprintf(out, _("Usage: kesu info [--json] DEVICE\n\n"
		     "Show one block device or image file: identity, contents, partitions,\n"
		     "holders, mount points, swap, loop backing file, discard support and\n"
		     "every reason kesu would refuse to erase it.\n\n"));
	kesu_opts_print(out, info_opts);
}

/* --json is its only option. */
static enum kesu_rc info_opt(void *ud, const struct kesu_opt *opt, const char *arg)
{
	(void)opt;
	(void)arg;
	*(bool *)ud = true;
	return KESU_OK;
}

/* The summary line kesu wipe's plan shows too, then what only info
 * details: the signature's usage and UUID, and each partition's size. */
static void print_content(const json_t *c)
{
	char line[512];
	kesu_cli_contents_line(c, line, sizeof(line));
	printf(_("  contents:         %s\n"), line);
	if (!json_is_object(c))
		return;
	json_t *sig = json_object_get(c, "signature");
	if (json_is_object(sig))
		printf(_("  signature:        %s (%s) label %s uuid %s\n"),
		       kesu_cli_or_dash(json_string_value(json_object_get(sig, "type"))),
		       kesu_cli_or_dash(json_string_value(json_object_get(sig, "usage"))),
		       kesu_cli_or_dash(json_string_value(json_object_get(sig, "label"))),
		       kesu_cli_or_dash(json_string_value(json_object_get(sig, "uuid"))));
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(c, "partitions"), i, p) {
		char sz[16];
		kesu_size_human((uint64_t)json_integer_value(json_object_get(p, "size_bytes")),
				sz, sizeof(sz));
		char num[24];
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(json_object_get(p, "number")));
		printf(_("  partition %-3s %-10s %6s  %-8s label %s uuid %s\n"), num,
		       kesu_cli_or_dash(json_string_value(json_object_get(p, "name"))), sz,
		       kesu_cli_or_dash(json_string_value(json_object_get(p, "type"))),
		       kesu_cli_or_dash(json_string_value(json_object_get(p, "label"))),
		       kesu_cli_or_dash(json_string_value(json_object_get(p, "uuid"))));
	}
}

/* The "purge" object of kesu_caps_device_json as text. */
static void print_caps(const json_t *p)
{
	if (!json_is_object(p))
		return;
	const char *ifc = json_string_value(json_object_get(p, "interface"));
	printf(_("  purge interface:  %s\n"), ifc ? ifc : _("none"));
	size_t i;
	json_t *v;
	printf(_("  purge methods:   "));
	if (!json_array_size(json_object_get(p, "methods")))
		printf(_(" none"));
	json_array_foreach(json_object_get(p, "methods"), i, v)
		printf(" %s", json_string_value(v));
	printf("\n");
	json_array_foreach(json_object_get(p, "notes"), i, v)
		if (json_is_string(v)) {
			char note[512];
			kesu_caps_note_text(json_string_value(v), note, sizeof(note));
			printf(_("  purge note:       %s\n"), note);
		}
	const char *e = json_string_value(json_object_get(p, "error"));
	if (e)
		printf(_("  purge probe:      %s\n"), e);
}

static void print_text(const struct kesu_device *d, const struct kesu_gate_verdict *v)
{
	const struct kesu_identity *id = kesu_device_identity(d);
	const struct kesu_device_facts *f = kesu_device_facts(d);
	char sz[16], kind[96];
	kesu_size_human(id->size_bytes, sz, sizeof(sz));
	printf("%s\n", id->path);
	if (f->is_partition)
		printf(_("  name:             %s (partition of %s)\n"), id->name, f->parent);
	else
		printf(_("  name:             %s\n"), id->name);
	printf(_("  kind/transport:   %s / %s\n"),
	       kesu_cli_code(KESU_CODES_DEVICE_KIND, id->kind[0] ? id->kind : NULL, kind,
			     sizeof(kind)),
	       kesu_cli_or_dash(id->transport));
	printf(_("  model:            %s\n"), kesu_cli_or_dash(id->model));
	printf(_("  vendor:           %s\n"), kesu_cli_or_dash(id->vendor));
	printf(_("  serial:           %s\n"), kesu_cli_or_dash(id->serial));
	printf(_("  wwn:              %s\n"), kesu_cli_or_dash(id->wwn));
	printf(_("  firmware:         %s\n"), kesu_cli_or_dash(id->firmware));
	printf(_("  size:             %s (%" PRIu64 " bytes)\n"), sz, id->size_bytes);
	printf(_("  block size:       %u logical, %u physical\n"), id->logical_block_size,
	       id->physical_block_size);
	printf(_("  rotational:       %s\n"), id->rotational ? _("yes") : _("no"));
	printf(_("  read-only:        %s\n"), f->ro ? _("yes") : _("no"));
	printf(_("  removable:        %s\n"), f->removable ? _("yes") : _("no"));
	if (f->is_block)
		printf(_("  discard:          %s\n"), f->discard_max_bytes ? _("yes") : _("no"));
	if (f->loop_backing[0])
		printf(_("  loop backing:     %s\n"), f->loop_backing);
	if (f->no_medium)
		printf(_("  medium:           none inserted\n"));
	json_t *c = kesu_device_content_json(d);
	print_content(c);
	json_decref(c);
	for (size_t i = 0; i < f->n_mounts; i++)
		printf(_("  mounted:          %s on %s (%s)\n"), f->mounts[i].device,
		       f->mounts[i].mountpoint, kesu_cli_or_dash(f->mounts[i].fstype));
	for (size_t i = 0; i < f->n_swaps; i++)
		printf(_("  swap:             %s (%s), %" PRIu64 " KiB used\n"), f->swaps[i].device,
		       f->swaps[i].path, f->swaps[i].used_kib);
	for (size_t i = 0; i < f->n_holders; i++)
		printf(_("  held by:          %s holds %s%s%s%s\n"), f->holders[i].holder,
		       f->holders[i].device, f->holders[i].holder_name[0] ? " (" : "",
		       f->holders[i].holder_name, f->holders[i].holder_name[0] ? ")" : "");
	printf(_("  erasable:         %s\n"), v->allowed ? _("yes") : _("no"));
	char line[512];
	for (size_t i = 0; i < v->n_reasons; i++)
		printf(_("  protected:        [%s] %s\n"), v->reasons[i].code,
		       kesu_gate_reason_text(&v->reasons[i], line, sizeof(line)));
}

enum kesu_rc cmd_info(int argc, char **argv)
{
	static const struct kesu_opt *const tables[] = {info_opts, NULL};
	bool json = false, done;
	const struct kesu_cmd_opts c = {"info", tables, info_opt, &json, help};
	int first;
	enum kesu_rc prc = kesu_opts_parse(&c, argc, argv, &first, &done);
	if (prc != KESU_OK || done)
		return prc;
	if (first != argc - 1)
		return kesu_usage_error("info: give exactly one DEVICE; run 'kesu info --help'");
	int optind = first;

	struct kesu_err err = {0};
	struct kesu_device *d;
	enum kesu_rc rc = kesu_device_probe(argv[optind], &d, &err);
	if (rc) {
		kesu_report(&err);
		return rc;
	}
	struct kesu_gate_verdict v;
	if ((rc = kesu_gate_check(d, &v, &err))) {
		kesu_report(&err);
		kesu_device_free(d);
		return rc;
	}
	if (json) {
		json_t *o = kesu_device_json(d, &v, true);
		if (o)
			json_object_set_new(o, "purge", kesu_caps_device_json(d));
		if (!o || json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
			json_decref(o);
			kesu_device_free(d);
			kesu_fail(&err, KESU_ERR_INTERNAL, 0, "out of memory writing JSON");
			kesu_report(&err);
			return KESU_ERR_INTERNAL;
		}
		putchar('\n');
		json_decref(o);
	} else {
		print_text(d, &v);
		json_t *p = kesu_caps_device_json(d);
		print_caps(p);
		json_decref(p);
	}
	kesu_device_free(d);
	return fflush(stdout) == 0 ? KESU_OK : KESU_ERR_IO;
}
