/* Fact gathering against the fixture trees in tests/fixtures/sysfs/:
 * identity without udev, system disks through dm stacks, mounts, swap,
 * holders, and the gate's verdict on each case. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wipe/device/device.h"
#include "wipe/device/gate.h"
#include "wipe/device/inventory.h"
#include "lib/strutil.h"

struct fx {
	char sys[PATH_MAX], dev[PATH_MAX], proc[PATH_MAX], run[PATH_MAX];
	struct kesu_sysroot root;
};

/* tests/run.sh runs from the source tree; KESU_FIXTURES overrides. */
static void fixture(struct fx *f, const char *name)
{
	const char *base = getenv("KESU_FIXTURES");
	if (!base)
		base = "tests/fixtures/sysfs";
	snprintf(f->sys, sizeof(f->sys), "%s/%s/sys", base, name);
	snprintf(f->dev, sizeof(f->dev), "%s/%s/dev", base, name);
	snprintf(f->proc, sizeof(f->proc), "%s/%s/proc", base, name);
	snprintf(f->run, sizeof(f->run), "%s/%s/run", base, name);
	f->root = (struct kesu_sysroot){f->sys, f->dev, f->proc, f->run};
}

static struct kesu_device *probe(struct fx *f, const char *case_, const char *name)
{
	fixture(f, case_);
	struct kesu_device *d = NULL;
	struct kesu_err err = {0};
	enum kesu_rc rc = kesu_device_probe_name(&f->root, name, KESU_PROBE_NO_MEDIA,
						 &d, &err);
	if (rc)
		fail_msg("probe %s/%s: %s", case_, name, err.msg);
	return d;
}

static bool has(const struct kesu_gate_verdict *v, const char *code)
{
	for (size_t i = 0; i < v->n_reasons; i++)
		if (!strcmp(v->reasons[i].code, code))
			return true;
	return false;
}

static void verdict(struct kesu_device *d, struct kesu_gate_verdict *v)
{
	struct kesu_err err = {0};
	assert_int_equal(kesu_gate_check(d, v, &err), KESU_OK);
}

static void nvme_namespace_on_the_system(void **state)
{
	(void)state;
	struct fx f;
	struct kesu_device *d = probe(&f, "nvme", "nvme0n1");
	const struct kesu_identity *id = kesu_device_identity(d);
	const struct kesu_device_facts *fa = kesu_device_facts(d);
	assert_string_equal(id->kind, "nvme");
	assert_string_equal(id->transport, "nvme");
	assert_string_equal(id->model, "Samsung SSD 970 EVO Plus 1TB");
	assert_string_equal(id->serial, "S4EWNX0R123456");
	assert_string_equal(id->firmware, "2B2QEXM7");
	assert_string_equal(id->wwn, "eui.0025388b91b2c3d4");
	assert_string_equal(id->vendor, "");
	assert_string_equal(id->path, "tests/fixtures/sysfs/nvme/dev/nvme0n1");
	assert_int_equal(id->size_bytes, 1953525168ull * 512);
	assert_false(id->rotational);
	assert_false(id->is_file);
	assert_int_equal(fa->discard_max_bytes, 2199023255040ull);
	assert_int_equal(fa->partitions.n, 2);
	assert_string_equal(fa->partitions.v[0], "nvme0n1p1");
	assert_int_equal(fa->n_mounts, 2);
	assert_int_equal(fa->n_sysuses, 2);
	struct kesu_gate_verdict v;
	verdict(d, &v);
	assert_false(v.allowed);
	assert_string_equal(v.reasons[0].code, "system-disk");
	assert_non_null(strstr(v.reasons[0].text, "holds /"));
	assert_non_null(strstr(v.reasons[1].text, "/boot/efi"));
	assert_true(has(&v, "mounted"));
	kesu_device_free(d);

	struct kesu_names n;
	assert_int_equal(kesu_inventory_names(&f.root, false, &n), 0);
	assert_int_equal(n.n, 1);  /* the hidden multipath path is left out */
	assert_string_equal(n.v[0], "nvme0n1");
	kesu_names_free(&n);
	assert_int_equal(kesu_inventory_names(&f.root, true, &n), 0);
	assert_int_equal(n.n, 3);  /* with the partitions */
	kesu_names_free(&n);

	/* The partition is refused as a partition and as the system. */
	d = probe(&f, "nvme", "nvme0n1p2");
	fa = kesu_device_facts(d);
	assert_true(fa->is_partition);
	assert_string_equal(fa->parent, "nvme0n1");
	assert_string_equal(kesu_device_identity(d)->serial, "S4EWNX0R123456");
	verdict(d, &v);
	assert_true(has(&v, "partition"));
	assert_true(has(&v, "system-disk"));
	assert_true(has(&v, "mounted"));
	kesu_device_free(d);
}

static void sata_hdd_from_vpd_pages(void **state)
{
	(void)state;
	struct fx f;
	struct kesu_device *d = probe(&f, "sata-hdd", "sda");
	const struct kesu_identity *id = kesu_device_identity(d);
	assert_string_equal(id->kind, "hdd");
	assert_string_equal(id->transport, "sata");
	assert_string_equal(id->model, "WDC WD10EZEX-08W");
	assert_string_equal(id->vendor, "");  /* "ATA" is the protocol */
	assert_string_equal(id->serial, "WD-WCC6Y1234567");
	assert_string_equal(id->wwn, "0x50014ee20b123456");
	assert_string_equal(id->firmware, "1A01");
	assert_int_equal(id->physical_block_size, 4096);
	assert_true(id->rotational);
	assert_int_equal(kesu_device_facts(d)->discard_max_bytes, 0);
	struct kesu_gate_verdict v;
	verdict(d, &v);
	assert_true(v.allowed);
	assert_int_equal(v.n_reasons, 0);
	kesu_device_free(d);
}

static void sata_ssd_falls_back_to_udev_and_is_read_only(void **state)
{
	(void)state;
	struct fx f;
	struct kesu_device *d = probe(&f, "sata-ssd", "sdb");
	const struct kesu_identity *id = kesu_device_identity(d);
	assert_string_equal(id->kind, "ssd");
	assert_string_equal(id->transport, "sata");
	assert_string_equal(id->serial, "S3Z9NB0K123456X");
	assert_string_equal(id->wwn, "0x5002538e40a1b2c3");
	assert_string_equal(id->firmware, "RVT04B6Q");
	struct kesu_gate_verdict v;
	verdict(d, &v);
	assert_false(v.allowed);
	assert_int_equal(v.n_reasons, 1);
	assert_string_equal(v.reasons[0].code, "read-only");
	kesu_device_free(d);
}

static void usb_stick_with_hostile_strings(void **state)
{
	(void)state;
	struct fx f;
	struct kesu_device *d = probe(&f, "usb", "sdc");
	const struct kesu_identity *id = kesu_device_identity(d);
	assert_string_equal(id->kind, "usb");
	assert_string_equal(id->transport, "usb");
	/* No VPD page: the serial is the USB device's iSerial. */
	assert_string_equal(id->serial, "4C530001230915117185");
	/* Padding trimmed, Japanese kept, bad byte and ESC replaced. */
	assert_string_equal(id->vendor, "バッファロー??[2J");
	assert_true(kesu_is_clean(id->vendor));
	/* 400 characters are cut to the bound, padding gone. */
	assert_int_equal(strlen(id->model), KESU_STR_MAX);
	assert_int_equal(id->model[0], 'X');
	assert_true(kesu_device_facts(d)->removable);
	struct kesu_gate_verdict v;
	verdict(d, &v);
	assert_false(v.allowed);
	assert_string_equal(v.reasons[0].code, "mounted");
	assert_non_null(strstr(v.reasons[0].text, "/media/usb stick"));
	json_t *j = kesu_device_json(d, &v, true);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "vendor")),
			    "バッファロー??[2J");
	assert_true(json_is_null(json_object_get(j, "content")));
	assert_false(json_is_true(json_object_get(j, "erasable")));
	json_decref(j);
	kesu_device_free(d);
}

static void loop_device_used_as_swap(void **state)
{
	(void)state;
	struct fx f;
	struct kesu_device *d = probe(&f, "loop", "loop0");
	const struct kesu_identity *id = kesu_device_identity(d);
	const struct kesu_device_facts *fa = kesu_device_facts(d);
	assert_string_equal(id->kind, "loop");
	assert_string_equal(id->transport, "loop");
	assert_string_equal(fa->loop_backing, "/var/tmp/disk image.img");
	assert_int_equal(fa->n_swaps, 1);
	assert_int_equal(fa->swaps[0].used_kib, 1024);
	struct kesu_gate_verdict v;
	verdict(d, &v);
	assert_false(v.allowed);
	assert_true(has(&v, "swap"));
	/* active swap also makes it part of the running system */
	assert_true(has(&v, "system-disk"));
	json_t *j = kesu_device_json(d, &v, true);
	assert_string_equal(json_string_value(json_object_get(j, "loop_backing_file")),
			    "/var/tmp/disk image.img");
	assert_int_equal(json_array_size(json_object_get(j, "swaps")), 1);
	json_decref(j);
	kesu_device_free(d);

	struct kesu_names n;
	assert_int_equal(kesu_inventory_names(&f.root, true, &n), 0);
	assert_int_equal(n.n, 1);  /* loop1 has no backing file */
	assert_string_equal(n.v[0], "loop0");
	kesu_names_free(&n);
	assert_int_equal(kesu_inventory_names(&f.root, false, &n), 0);
	assert_int_equal(n.n, 0);
	kesu_names_free(&n);
}

static void dm_crypt_stack_reaches_the_disk(void **state)
{
	(void)state;
	struct fx f;
	fixture(&f, "dmcrypt");
	struct kesu_names disks = {0};
	assert_int_equal(kesu_stack_disks(&f.root, "dm-0", &disks), 0);
	assert_int_equal(disks.n, 1);
	assert_string_equal(disks.v[0], "sdd");
	kesu_names_free(&disks);

	struct kesu_sysdisk *sd;
	size_t n;
	struct kesu_err err = {0};
	assert_int_equal(kesu_system_disks(&f.root, &sd, &n, &err), KESU_OK);
	assert_int_equal(n, 2);  /* sdd below /var, and dm-0 itself */
	assert_string_equal(sd[0].disk, "sdd");
	assert_string_equal(sd[0].use.what, "/var");
	assert_string_equal(sd[0].use.via, "dm-0");
	assert_string_equal(sd[1].disk, "dm-0");
	free(sd);

	struct kesu_device *d = probe(&f, "dmcrypt", "sdd");
	const struct kesu_device_facts *fa = kesu_device_facts(d);
	assert_int_equal(fa->n_holders, 1);
	assert_string_equal(fa->holders[0].device, "sdd1");
	assert_string_equal(fa->holders[0].holder, "dm-0");
	assert_string_equal(fa->holders[0].holder_name, "luks-3f2a");
	assert_int_equal(fa->n_mounts, 0);
	struct kesu_gate_verdict v;
	verdict(d, &v);
	assert_false(v.allowed);
	assert_string_equal(v.reasons[0].code, "system-disk");
	assert_non_null(strstr(v.reasons[0].text, "/var (through dm-0)"));
	assert_true(has(&v, "holder"));
	assert_non_null(strstr(v.reasons[1].text, "luks-3f2a"));
	kesu_device_free(d);

	d = probe(&f, "dmcrypt", "dm-0");
	assert_string_equal(kesu_device_identity(d)->kind, "virtual");
	verdict(d, &v);
	assert_true(has(&v, "system-disk"));
	assert_true(has(&v, "mounted"));
	kesu_device_free(d);
}

static void missing_device_is_gone(void **state)
{
	(void)state;
	struct fx f;
	fixture(&f, "sata-hdd");
	struct kesu_device *d = NULL;
	struct kesu_err err = {0};
	assert_int_equal(kesu_device_probe_name(&f.root, "sdz", KESU_PROBE_NO_MEDIA,
						&d, &err), KESU_ERR_GONE);
	assert_null(d);
	assert_non_null(strstr(err.msg, "disappeared"));
	assert_int_equal(kesu_device_probe_name(&f.root, "../sda", KESU_PROBE_NO_MEDIA,
						&d, &err), KESU_ERR_NOENT);
	assert_int_equal(kesu_device_probe_name(&f.root, "", KESU_PROBE_NO_MEDIA,
						&d, &err), KESU_ERR_NOENT);
}

static void missing_proc_is_an_error(void **state)
{
	(void)state;
	struct fx f;
	fixture(&f, "sata-hdd");
	f.root.proc = "tests/fixtures/sysfs/no-such-proc";
	struct kesu_device *d = NULL;
	struct kesu_err err = {0};
	assert_int_equal(kesu_device_probe_name(&f.root, "sda", KESU_PROBE_NO_MEDIA,
						&d, &err), KESU_ERR_IO);
	assert_null(d);
	assert_non_null(strstr(err.msg, "mountinfo"));
}

static void kernel_without_swap_is_fine(void **state)
{
	(void)state;
	struct fx f;
	struct kesu_device *d = probe(&f, "noswap", "sda");
	assert_int_equal(kesu_device_facts(d)->n_swaps, 0);
	kesu_device_free(d);
}

static void unreadable_swaps_is_an_error(void **state)
{
	(void)state;
	struct fx f;
	fixture(&f, "badswaps");
	/* /proc/swaps there but unreadable: an error, never "no swap" */
	struct kesu_device *d = NULL;
	struct kesu_err err = {0};
	assert_int_equal(kesu_device_probe_name(&f.root, "sda", KESU_PROBE_NO_MEDIA,
						&d, &err), KESU_ERR_IO);
	assert_null(d);
	assert_non_null(strstr(err.msg, "swaps"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nvme_namespace_on_the_system),
		cmocka_unit_test(sata_hdd_from_vpd_pages),
		cmocka_unit_test(sata_ssd_falls_back_to_udev_and_is_read_only),
		cmocka_unit_test(usb_stick_with_hostile_strings),
		cmocka_unit_test(loop_device_used_as_swap),
		cmocka_unit_test(dm_crypt_stack_reaches_the_disk),
		cmocka_unit_test(missing_device_is_gone),
		cmocka_unit_test(missing_proc_is_an_error),
		cmocka_unit_test(kernel_without_swap_is_fine),
		cmocka_unit_test(unreadable_swaps_is_an_error),
	};
	return cmocka_run_group_tests_name("inventory", tests, NULL, NULL);
}
