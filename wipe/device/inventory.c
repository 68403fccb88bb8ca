#include "wipe/device/inventory.h"
#include "lib/strutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static bool starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static bool virtual_name(const char *n)
{
	return starts(n, "loop") || starts(n, "ram") || starts(n, "zram") ||
	       starts(n, "dm-") || starts(n, "md");
}

int kesu_inventory_names(const struct kesu_sysroot *root, bool all,
			 struct kesu_names *out)
{
	struct kesu_names n;
	out->v = NULL;
	out->n = 0;
	int rc = kesu_sys_list(root, all ? "class/block" : "block", &n);
	if (rc)
		return rc;
	for (size_t i = 0; i < n.n && rc == 0; i++) {
		const char *name = n.v[i];
		char rel[PATH_MAX];
		if (!all && virtual_name(name))
			continue;
		/* NVMe multipath paths (nvme0c0n1) are hidden: no node, and
		 * the namespace head is listed instead. */
		snprintf(rel, sizeof(rel), "class/block/%s/hidden", name);
		char h[8];
		if (kesu_sys_read(root, rel, h, sizeof(h)) > 0 && h[0] == '1')
			continue;
		if (starts(name, "loop")) {
			/* An unattached loop device has no medium at all; a
			 * loop partition is listed with its disk. */
			char disk[256];
			kesu_strlcpy(disk, name, sizeof(disk));
			char *p = strchr(disk + 4, 'p');
			if (p)
				*p = '\0';
			snprintf(rel, sizeof(rel), "block/%s/loop", disk);
			if (!kesu_sys_exists(root, rel))
				continue;
		}
		rc = kesu_names_add(out, name);
	}
	kesu_names_free(&n);
	if (rc)
		kesu_names_free(out);
	return rc;
}

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? kesu_json_str(s) : json_null();
}

static json_t *detail_json(const struct kesu_device_facts *f)
{
	json_t *parts = json_array(), *holders = json_array(), *mounts = json_array(),
	       *swaps = json_array(), *sys = json_array();
	for (size_t i = 0; i < f->partitions.n; i++)
		json_array_append_new(parts, kesu_json_str(f->partitions.v[i]));
	for (size_t i = 0; i < f->n_holders; i++)
		json_array_append_new(holders, json_pack(
			"{s:o s:o s:o}", "device", kesu_json_str(f->holders[i].device),
			"holder", kesu_json_str(f->holders[i].holder),
			"holder_name", str_or_null(f->holders[i].holder_name)));
	for (size_t i = 0; i < f->n_mounts; i++)
		json_array_append_new(mounts, json_pack(
			"{s:o s:o s:o}", "device", kesu_json_str(f->mounts[i].device),
			"mountpoint", kesu_json_str(f->mounts[i].mountpoint),
			"fstype", str_or_null(f->mounts[i].fstype)));
	for (size_t i = 0; i < f->n_swaps; i++)
		json_array_append_new(swaps, json_pack(
			"{s:o s:o s:I s:I}", "device", kesu_json_str(f->swaps[i].device),
			"path", kesu_json_str(f->swaps[i].path),
			"size_bytes", (json_int_t)(f->swaps[i].size_kib * 1024),
			"used_bytes", (json_int_t)(f->swaps[i].used_kib * 1024)));
	for (size_t i = 0; i < f->n_sysuses; i++)
		json_array_append_new(sys, json_pack(
			"{s:o s:o}", "what", kesu_json_str(f->sysuses[i].what),
			"via", kesu_json_str(f->sysuses[i].via)));
	return json_pack("{s:o s:o s:o s:o s:o s:o s:{s:b s:I}}",
			 "partitions", parts, "holders", holders, "mounts", mounts,
			 "swaps", swaps, "system_uses", sys,
			 "loop_backing_file", str_or_null(f->loop_backing),
			 "discard", "supported", f->discard_max_bytes > 0,
			 "max_bytes", (json_int_t)f->discard_max_bytes);
}

json_t *kesu_device_json(const struct kesu_device *d,
			 const struct kesu_gate_verdict *v, bool detail)
{
	const struct kesu_device_facts *f = kesu_device_facts(d);
	json_t *o = kesu_identity_to_json(kesu_device_identity(d));
	json_t *reasons = kesu_gate_reasons_json(v);
	if (!o || !reasons) {
		json_decref(o);
		json_decref(reasons);
		return NULL;
	}
	char mm[32] = "";
	if (f->is_block)
		snprintf(mm, sizeof(mm), "%u:%u", f->maj, f->min);
	json_t *content = kesu_device_content_json(d);
	int bad = json_object_set_new(o, "maj_min", str_or_null(mm)) ||
		  json_object_set_new(o, "ro", json_boolean(f->ro)) ||
		  json_object_set_new(o, "removable", json_boolean(f->removable)) ||
		  json_object_set_new(o, "partition", json_boolean(f->is_partition)) ||
		  json_object_set_new(o, "parent", str_or_null(f->parent)) ||
		  json_object_set_new(o, "content", content) ||
		  json_object_set_new(o, "erasable", json_boolean(v->allowed)) ||
		  json_object_set_new(o, "exclusive_checked", json_boolean(f->busy_checked)) ||
		  json_object_set_new(o, "protected_reasons", reasons);
	if (!bad && detail) {
		json_t *x = detail_json(f);
		bad = !x || json_object_update(o, x);
		json_decref(x);
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}
