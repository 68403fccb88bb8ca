/* kesu station's hot-plug events: what a uevent may make kesu look at. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "wipe/device/hotplug.h"

#define UEV(s) s, sizeof(s)

static void whole_disk_events(void **state)
{
	(void)state;
	struct kesu_hp_event ev;
	assert_true(kesu_hp_parse(UEV("ACTION=add\0SUBSYSTEM=block\0DEVTYPE=disk\0"
				      "DEVNAME=sdb\0SEQNUM=2214"), &ev));
	assert_int_equal(ev.action, KESU_HP_ADD);
	assert_string_equal(ev.name, "sdb");
	assert_int_equal(ev.seqnum, 2214);
	assert_false(ev.media_change);
	assert_true(kesu_hp_parse(UEV("ACTION=remove\0SUBSYSTEM=block\0DEVTYPE=disk\0"
				      "DEVNAME=/dev/nvme1n1\0TAGS=:kesu:"), &ev));
	assert_int_equal(ev.action, KESU_HP_REMOVE);
	assert_string_equal(ev.name, "nvme1n1");
	assert_true(kesu_hp_parse(UEV("ACTION=change\0SUBSYSTEM=block\0DEVTYPE=disk\0"
				      "DEVNAME=mmcblk0\0DISK_MEDIA_CHANGE=1\0SEQNUM=x"), &ev));
	assert_int_equal(ev.action, KESU_HP_CHANGE);
	assert_true(ev.media_change);
	assert_int_equal(ev.seqnum, 0);
}

static void other_events_are_not_disks(void **state)
{
	(void)state;
	struct kesu_hp_event ev;
	/* partitions, other subsystems, unknown actions */
	assert_false(kesu_hp_parse(UEV("ACTION=add\0SUBSYSTEM=block\0DEVTYPE=partition\0"
				       "DEVNAME=sdb1"), &ev));
	assert_false(kesu_hp_parse(UEV("ACTION=add\0SUBSYSTEM=usb\0DEVTYPE=disk\0"
				       "DEVNAME=sdb"), &ev));
	assert_false(kesu_hp_parse(UEV("ACTION=bind\0SUBSYSTEM=block\0DEVTYPE=disk\0"
				       "DEVNAME=sdb"), &ev));
	assert_false(kesu_hp_parse(UEV("ACTION=add\0SUBSYSTEM=block\0DEVTYPE=disk"), &ev));
}

static void hostile_names_and_framing(void **state)
{
	(void)state;
	struct kesu_hp_event ev;
	assert_false(kesu_hp_parse(UEV("ACTION=add\0SUBSYSTEM=block\0DEVTYPE=disk\0"
				       "DEVNAME=../../etc/passwd"), &ev));
	assert_false(kesu_hp_parse(UEV("ACTION=add\0SUBSYSTEM=block\0DEVTYPE=disk\0"
				       "DEVNAME=/dev/sd\x1b[2Jb"), &ev));
	assert_false(kesu_hp_parse(UEV("ACTION=add\0SUBSYSTEM=block\0DEVTYPE=disk\0"
				       "DEVNAME=.."), &ev));
	assert_false(kesu_hp_parse(UEV("ACTION=add\0SUBSYSTEM=block\0DEVTYPE=disk\0"
				       "DEVNAME="), &ev));
	/* Not NUL-terminated: a record running off the end of the buffer. */
	const char cut[] = "ACTION=add\0SUBSYSTEM=block\0DEVTYPE=disk\0DEVNAME=sdb";
	assert_false(kesu_hp_parse(cut, sizeof(cut) - 1, &ev));
	assert_false(kesu_hp_parse("", 0, &ev));
	char big[9000];
	memset(big, 'A', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	assert_false(kesu_hp_parse(big, sizeof(big), &ev));
	char longname[128] = "ACTION=add\0SUBSYSTEM=block\0DEVTYPE=disk\0DEVNAME=";
	size_t at = 49;
	memset(longname + at, 'a', 64);
	longname[at + 64] = '\0';
	assert_false(kesu_hp_parse(longname, at + 65, &ev));
	assert_true(kesu_hp_name_ok("nvme0n1"));
	assert_true(kesu_hp_name_ok("cciss!c0d0") == false);
}

static void monitor_opens_or_says_why(void **state)
{
	(void)state;
	struct kesu_hotplug *h = NULL;
	struct kesu_err err = {0};
	enum kesu_rc rc = kesu_hotplug_open(&h, &err);
	/* Unprivileged or sandboxed runs may not open the netlink socket; the
	 * error must then say what to do rather than crash. */
	if (rc != KESU_OK) {
		assert_non_null(strstr(err.msg, "cannot listen for disk events"));
		return;
	}
	assert_true(kesu_hotplug_fd(h) >= 0);
	struct kesu_hp_event ev;
	bool got = true;
	/* Nothing is waiting on a fresh non-blocking socket (or only noise). */
	assert_int_equal(kesu_hotplug_read(h, &ev, &got, &err), KESU_OK);
	kesu_hotplug_close(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whole_disk_events),
		cmocka_unit_test(other_events_are_not_disks),
		cmocka_unit_test(hostile_names_and_framing),
		cmocka_unit_test(monitor_opens_or_says_why),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
