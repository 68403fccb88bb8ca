/* Pure inventory rules: kind/transport, VPD pages, wwid, udev database,
 * mountinfo and /proc/swaps parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "wipe/device/classify.h"
#include "lib/strutil.h"

struct kcase {
	const char *path, *name;
	bool rot;
	const char *kind, *tran;
};

static void kind_and_transport_from_the_sysfs_path(void **state)
{
	(void)state;
	static const struct kcase cases[] = {
		{"/devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/nvme0n1", "nvme0n1", false, "nvme", "nvme"},
		{"/devices/virtual/nvme-subsystem/nvme-subsys0/nvme0n1", "nvme0n1", false, "nvme", "nvme"},
		{"/devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda", "sda", true, "hdd", "sata"},
		{"/devices/pci0000:00/0000:00:17.0/ata2/host1/target1:0:0/1:0:0:0/block/sdb", "sdb", false, "ssd", "sata"},
		/* USB wins over the SCSI host below it, whatever rotational says */
		{"/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block/sdc", "sdc", true, "usb", "usb"},
		{"/devices/platform/soc/fe340000.mmc/mmc_host/mmc0/mmc0:aaaa/block/mmcblk0", "mmcblk0", false, "mmc", "mmc"},
		{"/devices/virtual/block/loop3", "loop3", false, "loop", "loop"},
		{"/devices/pci0000:00/0000:00:02.0/virtio1/block/vda", "vda", true, "virtual", "virtio"},
		{"/devices/pci0000:00/0000:00:03.0/virtio2/host0/target0:0:0/0:0:0:0/block/sda", "sda", true, "virtual", "scsi"},
		{"/devices/pseudo_0/adapter0/host2/target2:0:0/2:0:0:0/block/sdb", "sdb", true, "virtual", "scsi"},
		{"/devices/pci0000:00/0000:00:01.0/0000:01:00.0/host0/port-0:0/end_device-0:0/target0:0:0/0:0:0:0/block/sda", "sda", true, "hdd", "sas"},
		{"/devices/pci0000:00/0000:00:01.0/host3/rport-3:0-0/target3:0:0/3:0:0:0/block/sde", "sde", false, "ssd", "scsi"},
		{"/devices/virtual/block/dm-0", "dm-0", false, "virtual", ""},
		{"/devices/platform/foo/block/xyz0", "xyz0", false, "ssd", ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char kind[16], tran[16];
		kesu_classify(cases[i].path, cases[i].name, cases[i].rot, kind,
			      sizeof(kind), tran, sizeof(tran));
		assert_string_equal(kind, cases[i].kind);
		assert_string_equal(tran, cases[i].tran);
	}
}

static void vpd80_serial_is_trimmed_and_bounded(void **state)
{
	(void)state;
	char out[64];
	const unsigned char page[] = "\x00\x80\x00\x0c    ABC123  ";
	assert_true(kesu_vpd80_serial(page, sizeof(page) - 1, out, sizeof(out)));
	assert_string_equal(out, "ABC123");
	/* A page length past the data is cut to the data. */
	const unsigned char lying[] = "\x00\x80\x00\xffXYZ";
	assert_true(kesu_vpd80_serial(lying, sizeof(lying) - 1, out, sizeof(out)));
	assert_string_equal(out, "XYZ");
	const unsigned char wrong[] = "\x00\x83\x00\x03XYZ";
	assert_false(kesu_vpd80_serial(wrong, sizeof(wrong) - 1, out, sizeof(out)));
	assert_false(kesu_vpd80_serial(page, 3, out, sizeof(out)));
	const unsigned char blank[] = "\x00\x80\x00\x04    ";
	assert_false(kesu_vpd80_serial(blank, sizeof(blank) - 1, out, sizeof(out)));
	const unsigned char ctl[] = "\x00\x80\x00\x04" "A\x1b[B";
	assert_true(kesu_vpd80_serial(ctl, sizeof(ctl) - 1, out, sizeof(out)));
	assert_string_equal(out, "A?[B");
}

static void vpd83_prefers_naa_of_the_unit(void **state)
{
	(void)state;
	char out[64];
	const unsigned char page[] = {
		0x00, 0x83, 0x00, 0x24,
		0x02, 0x01, 0x00, 0x04, 'A', 'T', 'A', ' ',          /* T10 id */
		0x01, 0x13, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8,       /* NAA of the port */
		0x01, 0x03, 0x00, 0x08, 0x50, 0x01, 0x4e, 0xe2, 0x0b, 0x12, 0x34, 0x56,
	};
	assert_true(kesu_vpd83_wwn(page, sizeof(page), out, sizeof(out)));
	assert_string_equal(out, "0x50014ee20b123456");
	const unsigned char eui[] = {
		0x00, 0x83, 0x00, 0x0c,
		0x01, 0x02, 0x00, 0x08, 0x00, 0x25, 0x38, 0x8b, 0x91, 0xb2, 0xc3, 0xd4,
	};
	assert_true(kesu_vpd83_wwn(eui, sizeof(eui), out, sizeof(out)));
	assert_string_equal(out, "eui.0025388b91b2c3d4");
	/* A descriptor running past the page is ignored, not read past. */
	const unsigned char cut[] = {0x00, 0x83, 0x00, 0x08, 0x01, 0x03, 0x00, 0x08,
				     0x50, 0x01, 0x4e, 0xe2};
	assert_false(kesu_vpd83_wwn(cut, sizeof(cut), out, sizeof(out)));
	assert_false(kesu_vpd83_wwn(eui, 3, out, sizeof(out)));
}

static void wwid_becomes_wwn_only_when_it_is_one(void **state)
{
	(void)state;
	char out[64];
	assert_true(kesu_wwid_to_wwn("naa.5000C500A1B2C3D4\n", out, sizeof(out)));
	assert_string_equal(out, "0x5000c500a1b2c3d4");
	assert_true(kesu_wwid_to_wwn("eui.0025388B91B2C3D4", out, sizeof(out)));
	assert_string_equal(out, "eui.0025388b91b2c3d4");
	assert_false(kesu_wwid_to_wwn("t10.ATA     WDC WD10EZEX  WD-1", out, sizeof(out)));
	assert_false(kesu_wwid_to_wwn("nvme.144d-5334-53616d73756e67-00000001", out, sizeof(out)));
	assert_false(kesu_wwid_to_wwn("naa.50zz", out, sizeof(out)));
	assert_false(kesu_wwid_to_wwn("naa.", out, sizeof(out)));
	assert_false(kesu_wwid_to_wwn("naa.5000c500a1b2c3d4", out, 8));
}

static void udev_db_values(void **state)
{
	(void)state;
	char out[64];
	const char *db = "S:disk/by-id/x\nE:ID_SERIAL=Long_Name_S3Z\n"
			 "E:ID_SERIAL_SHORT=  S3Z9  \nE:ID_WWN=0x5002538e40a1b2c3\n";
	assert_true(kesu_udev_db_get(db, "ID_SERIAL_SHORT", out, sizeof(out)));
	assert_string_equal(out, "S3Z9");
	assert_true(kesu_udev_db_get(db, "ID_WWN", out, sizeof(out)));
	assert_string_equal(out, "0x5002538e40a1b2c3");
	assert_false(kesu_udev_db_get(db, "ID_SERIAL_SHORTER", out, sizeof(out)));
	assert_false(kesu_udev_db_get(db, "ID_MODEL", out, sizeof(out)));
	assert_false(kesu_udev_db_get("", "ID_WWN", out, sizeof(out)));
}

static void mountinfo_fields_and_escapes(void **state)
{
	(void)state;
	const char *text =
		"36 35 98:0 /mnt1 /mnt/my\\040disk rw,noatime master:1 shared:2 - ext3 /dev/root rw\n"
		"garbage line\n"
		"37 35 8:1 / /boot rw - vfat /dev/sda1 rw\n"
		"38 35 0:44 / /home rw - btrfs /dev/sda2 rw,subvol=/home\n"
		"39 35 8:3 / /nosep rw ext4 /dev/sda3 rw\n";
	struct kesu_mount *m;
	size_t n;
	assert_int_equal(kesu_mountinfo_parse(text, &m, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(m[0].maj, 98);
	assert_string_equal(m[0].mountpoint, "/mnt/my disk");
	assert_string_equal(m[0].fstype, "ext3");
	assert_string_equal(m[0].source, "/dev/root");
	assert_string_equal(m[1].mountpoint, "/boot");
	assert_int_equal(m[1].min, 1);
	assert_int_equal(m[2].maj, 0);
	assert_string_equal(m[2].source, "/dev/sda2");
	free(m);
}

static void swaps_table(void **state)
{
	(void)state;
	const char *text =
		"Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
		"/dev/dm-1                               partition\t8388604\t\t0\t\t-2\n"
		"/swap\\040file\\040(deleted)             file\t\t1048572\t\t512\t\t-3\n"
		"/bad line\n";
	struct kesu_swap *s;
	size_t n;
	assert_int_equal(kesu_swaps_parse(text, &s, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(s[0].path, "/dev/dm-1");
	assert_string_equal(s[0].type, "partition");
	assert_int_equal(s[0].size_kib, 8388604);
	assert_string_equal(s[1].path, "/swap file");
	assert_int_equal(s[1].used_kib, 512);
	free(s);
	assert_int_equal(kesu_swaps_parse("Filename Type\n", &s, &n), 0);
	assert_int_equal(n, 0);
	free(s);
}

static void system_mountpoints(void **state)
{
	(void)state;
	assert_true(kesu_is_system_mountpoint("/"));
	assert_true(kesu_is_system_mountpoint("/boot/efi"));
	assert_true(kesu_is_system_mountpoint("/var"));
	assert_true(kesu_is_system_mountpoint("/usr"));
	assert_false(kesu_is_system_mountpoint("/var/lib"));
	assert_false(kesu_is_system_mountpoint("/mnt"));
	assert_false(kesu_is_system_mountpoint(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kind_and_transport_from_the_sysfs_path),
		cmocka_unit_test(vpd80_serial_is_trimmed_and_bounded),
		cmocka_unit_test(vpd83_prefers_naa_of_the_unit),
		cmocka_unit_test(wwid_becomes_wwn_only_when_it_is_one),
		cmocka_unit_test(udev_db_values),
		cmocka_unit_test(mountinfo_fields_and_escapes),
		cmocka_unit_test(swaps_table),
		cmocka_unit_test(system_mountpoints),
	};
	return cmocka_run_group_tests_name("classify", tests, NULL, NULL);
}
