/* An injected monotonic clock, so code that waits (for a drive's sanitize)
 * runs in tests against a fake one that never sleeps. */
#ifndef KESU_CLOCK_H
#define KESU_CLOCK_H

#include <stdint.h>

struct kesu_clock {
	uint64_t (*now_ms)(void *ctx);
	void (*sleep_ms)(void *ctx, uint64_t ms);
	void *ctx;
};

/* CLOCK_MONOTONIC and nanosleep. */
const struct kesu_clock *kesu_clock_real(void);

#endif
