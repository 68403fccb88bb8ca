#include "wipe/device/blkid_probe.h"
#include "lib/strutil.h"

#include <blkid.h>
#include <string.h>

/* Most partitions kesu lists; GPT allows 128 by default. */
#define MAX_PARTS 256

static json_t *val(blkid_probe pr, const char *name)
{
	const char *v = NULL;
	size_t len = 0;
	if (blkid_probe_lookup_value(pr, name, &v, &len) != 0 || !v)
		return json_null();
	char buf[KESU_STR_MAX + 1];
	kesu_clean(buf, sizeof(buf), v, len);
	return buf[0] ? kesu_json_str(buf) : json_null();
}

/* Superblock (filesystem, RAID, LVM, swap) signature in [off, off+size). */
static enum kesu_rc probe_signature(int fd, uint64_t off, uint64_t size,
				    json_t **sig, bool *ambivalent,
				    struct kesu_err *err)
{
	*sig = json_null();
	*ambivalent = false;
	blkid_probe pr = blkid_new_probe();
	if (!pr)
		return kesu_fail(err, KESU_ERR_INTERNAL, 0, "libblkid: out of memory");
	if (blkid_probe_set_device(pr, fd, (blkid_loff_t)off, (blkid_loff_t)size) != 0) {
		blkid_free_probe(pr);
		return kesu_fail(err, KESU_ERR_IO, 0,
				 "libblkid could not read the device; check dmesg for I/O errors");
	}
	blkid_probe_enable_partitions(pr, 0);
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_LABEL |
					  BLKID_SUBLKS_UUID | BLKID_SUBLKS_USAGE |
					  BLKID_SUBLKS_VERSION);
	int rc = blkid_do_safeprobe(pr);
	if (rc == 0) {
		json_decref(*sig);
		*sig = json_pack("{s:o s:o s:o s:o s:o}", "type", val(pr, "TYPE"),
				 "usage", val(pr, "USAGE"), "label", val(pr, "LABEL"),
				 "uuid", val(pr, "UUID"), "version", val(pr, "VERSION"));
	} else if (rc == -2) {
		*ambivalent = true;
	}
	blkid_free_probe(pr);
	if (!*sig)
		return kesu_fail(err, KESU_ERR_INTERNAL, 0, "out of memory");
	return KESU_OK;
}

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? kesu_json_str(s) : json_null();
}

/* One partition's entry, with what is on it; *e stays NULL for a partition
 * libblkid gives no extent for. */
static enum kesu_rc partition_json(int fd, uint64_t size, blkid_partition p, json_t **e,
				   struct kesu_err *err)
{
	blkid_loff_t start = blkid_partition_get_start(p);
	blkid_loff_t len = blkid_partition_get_size(p);
	if (start < 0 || len < 0)
		return KESU_OK;
	uint64_t sb = (uint64_t)start * 512, lb = (uint64_t)len * 512;
	json_t *psig = json_null();
	bool pamb = false;
	/* Extended partitions hold other partitions, not a filesystem; a
	 * partition past the end of the medium (truncated image) is listed
	 * without probing. */
	if (!blkid_partition_is_extended(p) && sb < size && lb > 0 && lb <= size - sb) {
		json_decref(psig);
		enum kesu_rc rc = probe_signature(fd, sb, lb, &psig, &pamb, err);
		if (rc)
			return rc;
	}
	char ptype[64];
	snprintf(ptype, sizeof(ptype), "%s",
		 blkid_partition_get_type_string(p) ? blkid_partition_get_type_string(p) : "");
	if (!ptype[0] && blkid_partition_get_type(p))
		snprintf(ptype, sizeof(ptype), "0x%x", (unsigned)blkid_partition_get_type(p));
	json_t *sig_obj = json_is_object(psig) ? psig : NULL;
	*e = json_pack("{s:i s:o s:I s:I s:o s:o s:o s:o s:o s:o s:o s:b}",
		       "number", blkid_partition_get_partno(p),
		       "name", json_null(),
		       "start_bytes", (json_int_t)sb, "size_bytes", (json_int_t)lb,
		       "part_type", str_or_null(ptype),
		       "part_uuid", str_or_null(blkid_partition_get_uuid(p)),
		       "part_label", str_or_null(blkid_partition_get_name(p)),
		       "type", sig_obj ? json_incref(json_object_get(sig_obj, "type")) : json_null(),
		       "usage", sig_obj ? json_incref(json_object_get(sig_obj, "usage")) : json_null(),
		       "label", sig_obj ? json_incref(json_object_get(sig_obj, "label")) : json_null(),
		       "uuid", sig_obj ? json_incref(json_object_get(sig_obj, "uuid")) : json_null(),
		       "ambivalent", pamb);
	json_decref(psig);
	return *e ? KESU_OK : kesu_fail(err, KESU_ERR_INTERNAL, 0, "out of memory");
}

enum kesu_rc kesu_blkid_content(int fd, uint64_t size, json_t **out,
				struct kesu_err *err)
{
	*out = NULL;
	json_t *sig;
	bool amb;
	enum kesu_rc rc = probe_signature(fd, 0, size, &sig, &amb, err);
	if (rc)
		return rc;
	json_t *parts = json_array();
	json_t *o = json_pack("{s:n s:n s:o s:b s:o}", "pttype", "ptuuid", "signature",
			      sig, "ambivalent", amb, "partitions", parts);
	if (!o)
		return kesu_fail(err, KESU_ERR_INTERNAL, 0, "out of memory");

	blkid_probe pr = blkid_new_probe();
	if (!pr || blkid_probe_set_device(pr, fd, 0, (blkid_loff_t)size) != 0) {
		if (pr)
			blkid_free_probe(pr);
		json_decref(o);
		return kesu_fail(err, KESU_ERR_IO, 0,
				 "libblkid could not read the partition table; check dmesg for I/O errors");
	}
	blkid_probe_enable_superblocks(pr, 0);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	if (blkid_do_safeprobe(pr) == 0) {
		json_object_set_new(o, "pttype", val(pr, "PTTYPE"));
		json_object_set_new(o, "ptuuid", val(pr, "PTUUID"));
		blkid_partlist ls = blkid_probe_get_partitions(pr);
		int n = ls ? blkid_partlist_numof_partitions(ls) : 0;
		for (int i = 0; i < n && i < MAX_PARTS; i++) {
			blkid_partition p = blkid_partlist_get_partition(ls, i);
			json_t *e = NULL;
			rc = p ? partition_json(fd, size, p, &e, err) : KESU_OK;
			if (rc == KESU_OK && e && json_array_append_new(parts, e))
				rc = kesu_fail(err, KESU_ERR_INTERNAL, 0, "out of memory");
			if (rc != KESU_OK) {
				blkid_free_probe(pr);
				json_decref(o);
				return rc;
			}
		}
	}
	blkid_free_probe(pr);
	*out = o;
	return KESU_OK;
}
