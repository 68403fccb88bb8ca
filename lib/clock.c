#include "lib/clock.h"

#include <errno.h>
#include <time.h>

static uint64_t real_now(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void real_sleep(void *ctx, uint64_t ms)
{
	(void)ctx;
	struct timespec ts = {.tv_sec = (time_t)(ms / 1000),
			      .tv_nsec = (long)(ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static const struct kesu_clock real_clock = {real_now, real_sleep, NULL};

const struct kesu_clock *kesu_clock_real(void)
{
	return &real_clock;
}
