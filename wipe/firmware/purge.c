/* Firmware purge methods: refuse what is unsafe, send each command of the
 * method through its driver, verify from the medium after each, and say
 * exactly what happened.  What each command family does is in its driver
 * (purge/); this file is the order of things and the record. */
#include "wipe/firmware/purge.h"
#include "wipe/firmware/purge/driver.h"
#include "wipe/firmware/purge/hidden.h"
#include "wipe/firmware/purge/verify.h"
#include "lib/strutil.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- for the drivers ---- */

enum kesu_rc kesu_purge_still_running(struct kesu_purge_cmd *x, const char *phase, double f,
				      bool show_percent, const char *what, const char *noun,
				      struct kesu_err *err)
{
	kesu_purge_progress(x, phase, f);
	if (kesu_purge_stopped(x->o))
		return kesu_fail(err, KESU_ERR_FAILED, 0, KESU_PURGE_STOPPED_MSG);
	if (x->clk->now_ms(x->clk->ctx) < x->deadline_ms)
		return KESU_OK;
	char pct[32] = "";
	if (show_percent)
		snprintf(pct, sizeof(pct), " (progress %.1f%%)", 100.0 * f);
	return kesu_fail(err, KESU_ERR_FAILED, 0,
			 "%s did not finish within %" PRIu64 " s%s; the %s may still be working: leave it powered and check with 'kesu info'",
			 what, (x->deadline_ms - x->start_ms) / 1000, pct, noun);
}

uint32_t kesu_purge_cmd_timeout_ms(const struct kesu_purge_cmd *x)
{
	uint64_t to = x->deadline_ms - x->start_ms;
	return to > UINT32_MAX ? UINT32_MAX : (uint32_t)to;
}

/* ---- the run ---- */

/* One kesu_purge_run: what it works on and what it has found so far. */
struct run {
	struct kesu_transport *t;
	struct kesu_target *tgt;
	const struct kesu_caps *c;
	const struct kesu_purge_method *m;      /* resolved: never "purge" */
	const struct kesu_purge_opts *o;
	const struct kesu_clock *clk;
	struct kesu_purge_plan plan;
	struct kesu_purge_result *r;
	struct kesu_purge_sampler smp;
	const struct kesu_purge_method *steps[KESU_PURGE_STEPS_MAX];
	size_t nsteps;
	uint64_t size, now_size, start_ms;
};

static void set_result(struct kesu_purge_result *r, const char *result, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_result(struct kesu_purge_result *r, const char *result, const char *fmt, ...)
{
	r->result = result;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
		va_end(ap);
	}
}

/* Fail the run with err's message as the reason; returns rc. */
static enum kesu_rc failed(struct kesu_purge_result *r, enum kesu_rc rc,
			   const struct kesu_err *err)
{
	set_result(r, "failed", "%s", err->msg);
	return rc;
}

/* Progress of one step of a chain: the phase names the step. */
struct step_prog {
	const struct kesu_purge_opts *o;
	size_t i, n;
	const char *name;
};

static void step_progress(void *ctx, const char *phase, double f)
{
	struct step_prog *s = ctx;
	char p[128];
	snprintf(p, sizeof(p), "step %zu/%zu %s: %s", s->i + 1, s->n, s->name, phase);
	s->o->progress(s->o->progress_ctx, p, f);
}

static const char *interface_of(const struct kesu_caps *c)
{
	return c->kind == KESU_CAPS_NVME ? "nvme" : c->kind == KESU_CAPS_ATA ? "ata" :
	       c->kind == KESU_CAPS_EMMC ? "emmc" : "scsi";
}

/* The result shows the last command sent; a chain's description joins all
 * of them. */
static void record_command(struct run *x, const struct kesu_purge_step *st)
{
	struct kesu_purge_result *r = x->r;
	json_decref(r->completion);
	r->completion = json_incref(st->completion);
	kesu_strlcpy(r->opcode, st->opcode, sizeof(r->opcode));
	kesu_strlcpy(r->status, st->status, sizeof(r->status));
	if (x->nsteps == 1) {
		kesu_strlcpy(r->command, st->command, sizeof(r->command));
		return;
	}
	size_t at = 0;
	r->command[0] = '\0';
	for (size_t k = 0; k < r->nsteps && at < sizeof(r->command); k++) {
		int w = snprintf(r->command + at, sizeof(r->command) - at, "%s%s",
				 k ? ", then " : "", r->steps[k].command);
		at += w > 0 ? (size_t)w : 0;
	}
}

/* Send step i through its driver and poll it to its end. */
static enum kesu_rc send_step(struct run *x, size_t i, const struct kesu_purge_opts *so,
			      struct kesu_err *err)
{
	struct kesu_purge_result *r = x->r;
	const struct kesu_purge_method *sm = x->steps[i];
	struct kesu_purge_step *st = &r->steps[i];
	st->method = sm;
	st->verify.check = i + 1 == x->nsteps ? r->verify.check : kesu_purge_check_for(sm, x->c);
	st->verify.outcome = "incomplete";
	st->verify.first_failure_offset = -1;
	struct kesu_purge_cmd cmd = {.t = x->t, .c = x->c, .m = sm, .o = so, .clk = x->clk,
				     .poll_ms = x->o->poll_ms ? x->o->poll_ms : 2000, .step = st};
	kesu_time_now(st->started_at);
	cmd.start_ms = x->clk->now_ms(x->clk->ctx);
	cmd.deadline_ms = cmd.start_ms + 1000 * kesu_purge_timeout_s(sm, x->c, x->size);
	enum kesu_rc rc = sm->driver ? sm->driver->run(&cmd, err)
			  : kesu_fail(err, KESU_ERR_INTERNAL, 0, "purge method not resolved");
	uint64_t end_ms = x->clk->now_ms(x->clk->ctx);
	kesu_time_now(st->ended_at);
	st->duration_s = (double)(end_ms - cmd.start_ms) / 1000.0;
	if (!st->completion)
		st->completion = json_object();
	if (cmd.recovery_password[0])
		kesu_strlcpy(r->recovery_password, cmd.recovery_password, sizeof(r->recovery_password));
	if (cmd.started) {
		/* A command went to the drive: it is part of the record. */
		r->started = true;
		r->nsteps = i + 1;
		kesu_strlcpy(r->ended_at, st->ended_at, sizeof(r->ended_at));
		r->duration_s = (double)(end_ms - x->start_ms) / 1000.0;
	}
	record_command(x, st);
	return rc;
}

/* The drive says step i is done; now the medium has to agree.  A failed
 * check stops a chain: a later erase would overwrite the evidence. */
static enum kesu_rc verify_step(struct run *x, size_t i, const struct kesu_purge_opts *so,
				struct kesu_err *err)
{
	struct kesu_purge_result *r = x->r;
	const struct kesu_purge_method *sm = x->steps[i];
	struct kesu_purge_step *st = &r->steps[i];
	bool last = i + 1 == x->nsteps;
	int e = x->tgt->ops->size_now(x->tgt, &x->now_size);
	enum kesu_rc rc = e < 0 ? kesu_fail(err, kesu_errno_gone(-e) ? KESU_ERR_GONE : KESU_ERR_IO, -e,
					    "cannot read the device size after the purge")
			  : kesu_purge_sample_check(&x->smp, so, &st->verify, err);
	if (last || rc != KESU_OK || st->verify.chunks_failed)
		r->verify = st->verify;
	if (rc != KESU_OK) {
		kesu_err_prefix(err, "verification after %s: ", sm->name);
		if (x->nsteps > 1)
			kesu_err_prefix(err, "step %zu of %s: ", i + 1, x->m->name);
		return failed(r, rc, err);
	}
	if (!st->verify.chunks_failed)
		return KESU_OK;
	char stop_note[96] = "";
	if (!last)
		snprintf(stop_note, sizeof(stop_note), "%s was not sent so as not to hide this; ",
			 x->steps[i + 1]->name);
	rc = kesu_fail(err, KESU_ERR_FAILED, 0,
		       "%s: the drive reported success but %" PRIu64 " sampled region(s) fail the '%s' check (first at byte %" PRId64 "); %sthe data may still be readable: do not release this drive",
		       sm->name, st->verify.chunks_failed, kesu_purge_check_name(st->verify.check),
		       st->verify.first_failure_offset, stop_note);
	if (x->nsteps > 1)
		kesu_err_prefix(err, "step %zu of %s: ", i + 1, x->m->name);
	return failed(r, rc, err);
}

static enum kesu_rc run_step(struct run *x, size_t i, struct kesu_err *err)
{
	const struct kesu_purge_method *sm = x->steps[i];
	struct step_prog sp = {x->o, i, x->nsteps, sm->name};
	struct kesu_purge_opts so = *x->o;
	if (x->nsteps > 1 && x->o->progress) {
		so.progress = step_progress;
		so.progress_ctx = &sp;
	}
	if (i > 0 && kesu_purge_stopped(x->o))
		return failed(x->r, kesu_fail(err, KESU_ERR_FAILED, 0,
					      "kesu was stopped by a signal after step %zu of %s; %s was not sent: run the purge again",
					      i, x->m->name, sm->name), err);
	enum kesu_rc rc = send_step(x, i, &so, err);
	if (rc != KESU_OK) {
		if (x->nsteps > 1)
			kesu_err_prefix(err, "step %zu of %s (%s): ", i + 1, x->m->name, sm->name);
		return failed(x->r, rc, err);
	}
	return verify_step(x, i, &so, err);
}

/* Every command ran and verified: what the run still did not reach keeps
 * it from ending "erased". */
static enum kesu_rc judge(struct run *x, struct kesu_err *err)
{
	struct kesu_purge_result *r = x->r;
	enum kesu_rc rc = KESU_OK;
	if ((r->hpa_sectors || r->dco_sectors) && !r->hidden_unlocked)
		rc = kesu_fail(err, KESU_ERR_FAILED, 0,
			       "%" PRIu64 " hidden sector(s) (HPA %" PRIu64 ", DCO %" PRIu64 ") were not addressed or verified; rerun with --unlock-hidden",
			       r->hpa_sectors + r->dco_sectors, r->hpa_sectors, r->dco_sectors);
	else if (x->plan.unreached[0])
		rc = kesu_fail(err, KESU_ERR_FAILED, 0, "%s", x->plan.unreached);
	else if (r->hidden_unlocked &&
		 x->now_size < kesu_purge_native_sectors(x->c) * (uint64_t)x->tgt->block_size)
		rc = kesu_fail(err, KESU_ERR_FAILED, 0,
			       "the hidden area was restored but the kernel still sees %" PRIu64 " bytes, so the restored sectors were not verified; rescan the disk (echo 1 > /sys/block/NAME/device/rescan) and run kesu again",
			       x->now_size);
	if (rc != KESU_OK) {
		set_result(r, "erased-with-exceptions", "%s", err->msg);
		return rc;
	}
	set_result(r, "erased", NULL);
	r->reason[0] = '\0';
	return KESU_OK;
}

static enum kesu_rc run_steps(struct run *x, struct kesu_err *err)
{
	struct kesu_purge_result *r = x->r;
	bool before = kesu_purge_check_needs_before(r->verify.check);
	for (size_t i = 0; i < x->nsteps; i++)
		before = before || kesu_purge_check_needs_before(kesu_purge_check_for(x->steps[i], x->c));
	if (before) {
		enum kesu_rc rc = kesu_purge_sample_before(&x->smp, x->o, err);
		if (rc != KESU_OK) {
			kesu_err_prefix(err, "before the purge: ");
			if (r->started)
				set_result(r, "failed", "%s", err->msg);
			return rc;
		}
	}
	x->start_ms = x->clk->now_ms(x->clk->ctx);
	kesu_time_now(r->started_at);
	for (size_t i = 0; i < x->nsteps; i++) {
		enum kesu_rc rc = run_step(x, i, err);
		if (rc != KESU_OK)
			return rc;
	}
	return judge(x, err);
}

/* Everything before the first command: resolve the method, describe it in
 * the result, restore hidden areas if asked, plan the sampling.  A failure
 * here returns at once, with the result as far as it got. */
static enum kesu_rc prepare(struct run *x, const char *method, struct kesu_err *err)
{
	struct kesu_purge_result *r = x->r;
	const struct kesu_caps *c = x->c;
	enum kesu_rc rc = kesu_purge_precheck(c, method, x->o, &x->m, r->why, sizeof(r->why), err);
	if (rc != KESU_OK)
		return rc;
	kesu_purge_plan(x->m, c, 0, &x->plan);
	x->nsteps = kesu_purge_method_steps(x->m, x->steps);
	kesu_strlcpy(r->method, x->m->name, sizeof(r->method));
	r->technique = x->m->technique;
	r->interface = interface_of(c);
	r->nist_category = x->plan.nist_category;
	r->verify.check = x->plan.check;
	r->hpa_sectors = kesu_caps_hpa_sectors(c);
	r->dco_sectors = kesu_caps_dco_sectors(c);
	if ((r->hpa_sectors || r->dco_sectors) && x->o->unlock_hidden) {
		r->started = true;
		rc = kesu_purge_unlock_hidden(x->t, c, err);
		if (rc != KESU_OK)
			return failed(r, rc == KESU_ERR_GONE ? rc : KESU_ERR_FAILED, err);
		r->hidden_unlocked = true;
	}
	int e = x->tgt->ops->size_now(x->tgt, &x->size);
	if (e < 0)
		return kesu_fail(err, kesu_errno_gone(-e) ? KESU_ERR_GONE : KESU_ERR_IO, -e,
				 "cannot read the device size before the purge");
	return kesu_purge_sampler_init(&x->smp, x->tgt, x->size, x->o->seed, err);
}

static enum kesu_rc finish(struct run *x, enum kesu_rc rc, struct kesu_err *err)
{
	struct kesu_purge_result *r = x->r;
	if (r->started && !r->ended_at[0])
		kesu_time_now(r->ended_at);
	if (r->started && !r->started_at[0])
		kesu_strlcpy(r->started_at, r->ended_at, sizeof(r->started_at));
	if (r->recovery_password[0]) {
		/* The password goes first so no truncation can ever drop it. */
		char msg[1024];
		snprintf(msg, sizeof(msg),
			 "THE DRIVE STILL HAS THE TEMPORARY USER PASSWORD '%s': unlock and disable it with hdparm --user-master u --security-unlock %s, then --security-disable %s; %s",
			 r->recovery_password, r->recovery_password, r->recovery_password, r->reason);
		kesu_strlcpy(r->reason, msg, sizeof(r->reason));
		kesu_strlcpy(err->msg, msg, sizeof(err->msg));
	}
	kesu_purge_sampler_free(&x->smp);
	if (rc != KESU_OK && rc != KESU_ERR_GONE && r->started)
		rc = KESU_ERR_FAILED;
	if (rc != KESU_OK && r->started)
		err->rc = rc;
	return rc;
}

enum kesu_rc kesu_purge_run(struct kesu_transport *t, struct kesu_target *tgt,
			    const struct kesu_caps *c, const char *method,
			    const struct kesu_purge_opts *o, struct kesu_purge_result *r,
			    struct kesu_err *err)
{
	memset(r, 0, sizeof(*r));
	r->verify.first_failure_offset = -1;
	r->result = "failed";
	r->verify.outcome = "incomplete";
	kesu_strlcpy(r->requested, method, sizeof(r->requested));
	struct run x = {.t = t, .tgt = tgt, .c = c, .o = o, .r = r,
			.clk = o->clock ? o->clock : kesu_clock_real()};
	enum kesu_rc rc = prepare(&x, method, err);
	if (rc != KESU_OK)
		return rc;
	return finish(&x, run_steps(&x, err), err);
}

/* ---- the record ---- */

static json_t *verification_json(const struct kesu_purge_verification *v)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:o}",
			 "check", kesu_purge_check_name(v->check),
			 "outcome", v->outcome ? v->outcome : "incomplete",
			 "samples", (json_int_t)v->samples,
			 "bytes_verified", (json_int_t)v->bytes_verified,
			 "failed_regions", (json_int_t)v->chunks_failed,
			 "first_failure_offset",
			 v->first_failure_offset >= 0 ? json_integer(v->first_failure_offset)
						      : json_null());
}

static json_t *opt_str(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

static json_t *step_json(const struct kesu_purge_step *st)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:O, s:o, s:o, s:f, s:o}",
			      "method", st->method ? st->method->name : "",
			      "description", st->command, "opcode", st->opcode,
			      "status", st->status,
			      "completion", st->completion ? st->completion : json_null(),
			      "started_at", opt_str(st->started_at),
			      "ended_at", opt_str(st->ended_at),
			      "duration_s", st->duration_s,
			      "verification", verification_json(&st->verify));
	return o ? o : json_null();
}

json_t *kesu_purge_firmware_json(const struct kesu_purge_result *r)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:O, s:o, s:{s:I, s:I, s:b}}",
			      "command", r->method, "requested", r->requested,
			      "description", r->command, "interface", r->interface ? r->interface : "",
			      "technique", r->technique ? r->technique : "",
			      "nist_category", r->nist_category ? r->nist_category : "",
			      "opcode", r->opcode, "status", r->status,
			      "duration_s", r->duration_s,
			      "completion", r->completion ? r->completion : json_null(),
			      "verification", verification_json(&r->verify),
			      "hidden_area", "hpa_sectors", (json_int_t)r->hpa_sectors,
			      "dco_sectors", (json_int_t)r->dco_sectors, "unlocked", r->hidden_unlocked);
	if (!o)
		return NULL;
	json_object_set_new(o, "chosen_because", r->why[0] ? json_string(r->why) : json_null());
	json_object_set_new(o, "started_at", opt_str(r->started_at));
	json_object_set_new(o, "ended_at", opt_str(r->ended_at));
	json_object_set_new(o, "recovery_password", opt_str(r->recovery_password));
	json_t *steps = json_array();
	for (size_t i = 0; i < r->nsteps && i < KESU_PURGE_STEPS_MAX; i++)
		json_array_append_new(steps, step_json(&r->steps[i]));
	json_object_set_new(o, "steps", steps);
	return o;
}

void kesu_purge_result_free(struct kesu_purge_result *r)
{
	json_decref(r->completion);
	r->completion = NULL;
	for (size_t i = 0; i < KESU_PURGE_STEPS_MAX; i++) {
		json_decref(r->steps[i].completion);
		r->steps[i].completion = NULL;
	}
}
