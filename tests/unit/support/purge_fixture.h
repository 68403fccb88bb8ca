/* What the purge unit tests (test_purge*.c) share: a fake clock that never
 * sleeps, a recorder of the progress a run reports, and one run of a
 * method against a device model. */
#ifndef KESU_TEST_PURGE_FIXTURE_H
#define KESU_TEST_PURGE_FIXTURE_H

#include "model_medium.h"
#include "wipe/firmware/purge.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct purge_fake_clock {
	uint64_t now;
	unsigned sleeps;
};

struct purge_prog {
	unsigned calls;
	double last_sanitize;
	bool monotonic;           /* "sanitize" progress never went back */
	char phases[16][96];      /* distinct phases, in the order first seen */
	unsigned nphases;
	const char *stop_at;      /* raise *stop when a phase starts with this */
	atomic_int *stop;
};

extern struct purge_fake_clock purge_fk;
extern struct purge_prog purge_pg;
extern struct kesu_err purge_last_err;   /* of the last purge_run() */

/* Options on the fake clock reporting to purge_pg; both start afresh. */
struct kesu_purge_opts purge_opts(void);

bool purge_seen_phase(const struct purge_prog *p, const char *phase);
/* Where phase was first seen, or -1. */
int purge_phase_index(const struct purge_prog *p, const char *phase);

/* Probe the device behind t and run method on it, verifying through med. */
enum kesu_rc purge_run(struct kesu_transport *t, struct model_medium *med, bool usb,
		       bool rotational, const char *method, const struct kesu_purge_opts *o,
		       struct kesu_purge_result *r);

#endif
