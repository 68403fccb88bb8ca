#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "purge_fixture.h"

struct purge_fake_clock purge_fk;
struct purge_prog purge_pg;
struct kesu_err purge_last_err;

static uint64_t fake_now(void *ctx) { return ((struct purge_fake_clock *)ctx)->now; }

static void fake_sleep(void *ctx, uint64_t ms)
{
	struct purge_fake_clock *f = ctx;
	f->now += ms;
	f->sleeps++;
}

static const struct kesu_clock clk = {fake_now, fake_sleep, &purge_fk};

bool purge_seen_phase(const struct purge_prog *p, const char *phase)
{
	return purge_phase_index(p, phase) >= 0;
}

int purge_phase_index(const struct purge_prog *p, const char *phase)
{
	for (unsigned i = 0; i < p->nphases; i++)
		if (!strcmp(p->phases[i], phase))
			return (int)i;
	return -1;
}

static void on_progress(void *ctx, const char *phase, double f)
{
	struct purge_prog *p = ctx;
	p->calls++;
	if (!purge_seen_phase(p, phase) && p->nphases < 16)
		snprintf(p->phases[p->nphases++], sizeof(p->phases[0]), "%s", phase);
	if (p->stop_at && !strncmp(phase, p->stop_at, strlen(p->stop_at)))
		atomic_store(p->stop, 15);
	if (!strcmp(phase, "sanitize")) {
		if (f < p->last_sanitize)
			p->monotonic = false;
		p->last_sanitize = f;
	}
}

struct kesu_purge_opts purge_opts(void)
{
	memset(&purge_fk, 0, sizeof(purge_fk));
	memset(&purge_pg, 0, sizeof(purge_pg));
	purge_pg.monotonic = true;
	return (struct kesu_purge_opts){.seed = 42, .poll_ms = 1000, .clock = &clk,
					.progress = on_progress, .progress_ctx = &purge_pg};
}

enum kesu_rc purge_run(struct kesu_transport *t, struct model_medium *med, bool usb,
		       bool rotational, const char *method, const struct kesu_purge_opts *o,
		       struct kesu_purge_result *r)
{
	struct kesu_caps c;
	struct kesu_err err;
	enum kesu_rc rc = kesu_caps_probe(t, usb, rotational, &c, &err);
	assert_int_equal(rc, KESU_OK);
	struct kesu_target *tgt = model_medium_target(med);
	rc = kesu_purge_run(t, tgt, &c, method, o, r, &err);
	purge_last_err = err;
	if (rc != KESU_OK)
		assert_true(err.msg[0] != '\0');
	kesu_target_close(tgt);
	return rc;
}
