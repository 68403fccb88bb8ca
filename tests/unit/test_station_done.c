/* kesu station --exit-when-done: the exit status over the bays (done.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "wipe/station/bay.h"
#include "wipe/station/done.h"

static size_t put(struct kesu_station *st, const char *name, enum kesu_station_action a)
{
	struct kesu_err err = {0};
	struct kesu_bay_disk d = {0};
	struct kesu_station_decision dec = {.action = a};
	size_t bay;
	snprintf(d.name, sizeof(d.name), "%s", name);
	assert_int_equal(kesu_station_arrive(st, &d, &bay, &err), KESU_OK);
	if (a == KESU_STATION_REFUSE)
		snprintf(dec.reason, sizeof(dec.reason), "mounted");
	assert_int_equal(kesu_station_decided(st, bay, &dec, &err), KESU_OK);
	return bay;
}

static void finish(struct kesu_station *st, size_t bay, enum kesu_bay_outcome o)
{
	assert_true(kesu_station_finished(st, bay, st->bays[bay].run_id, o, "cause", NULL,
					  o == KESU_BAY_ERASED ? "c.json" : NULL));
}

static void refused_disks_do_not_fail_the_run(void **state)
{
	(void)state;
	struct kesu_station st;
	kesu_station_init(&st, 4);
	put(&st, "sda", KESU_STATION_REFUSE);   /* the KESU stick, mounted */
	finish(&st, put(&st, "nvme0n1", KESU_STATION_START), KESU_BAY_ERASED);
	finish(&st, put(&st, "sdb", KESU_STATION_START), KESU_BAY_ERASED);
	assert_int_equal(kesu_station_done_outcome(&st), KESU_OK);
}

static void a_disk_not_erased_fails_the_run(void **state)
{
	(void)state;
	struct kesu_station st;
	kesu_station_init(&st, 4);
	finish(&st, put(&st, "nvme0n1", KESU_STATION_START), KESU_BAY_ERASED);
	finish(&st, put(&st, "sdb", KESU_STATION_START), KESU_BAY_NOT_ERASED);
	assert_int_equal(kesu_station_done_outcome(&st), KESU_ERR_FAILED);
	kesu_station_init(&st, 4);
	finish(&st, put(&st, "sdb", KESU_STATION_START), KESU_BAY_ERROR);
	assert_int_equal(kesu_station_done_outcome(&st), KESU_ERR_FAILED);
}

static void pulled_before_erased_fails_pulled_after_does_not(void **state)
{
	(void)state;
	struct kesu_station st;
	size_t bay;
	bool stop;
	kesu_station_init(&st, 4);
	finish(&st, put(&st, "sdb", KESU_STATION_START), KESU_BAY_ERASED);
	put(&st, "sdd", KESU_STATION_REFUSE);
	kesu_station_removed(&st, "sdb", &bay, &stop);
	kesu_station_removed(&st, "sdd", &bay, &stop);
	assert_int_equal(st.bays[bay].state, KESU_BAY_PULLED);
	assert_int_equal(kesu_station_done_outcome(&st), KESU_OK);
	put(&st, "sdc", KESU_STATION_WAIT);
	kesu_station_removed(&st, "sdc", &bay, &stop);
	assert_int_equal(kesu_station_done_outcome(&st), KESU_ERR_FAILED);
	kesu_station_init(&st, 4);
	put(&st, "sdb", KESU_STATION_START);
	kesu_station_removed(&st, "sdb", &bay, &stop);
	assert_int_equal(st.bays[bay].state, KESU_BAY_FAILED);
	assert_int_equal(kesu_station_done_outcome(&st), KESU_ERR_FAILED);
}

static void interrupted_wins(void **state)
{
	(void)state;
	struct kesu_station st;
	kesu_station_init(&st, 4);
	finish(&st, put(&st, "sdb", KESU_STATION_START), KESU_BAY_NOT_ERASED);
	finish(&st, put(&st, "sdc", KESU_STATION_START), KESU_BAY_INTERRUPTED);
	assert_int_equal(kesu_station_done_outcome(&st), KESU_ERR_INTERRUPTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(refused_disks_do_not_fail_the_run),
		cmocka_unit_test(a_disk_not_erased_fails_the_run),
		cmocka_unit_test(pulled_before_erased_fails_pulled_after_does_not),
		cmocka_unit_test(interrupted_wins),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
