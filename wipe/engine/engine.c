#include "wipe/engine/engine.h"
#include "wipe/engine/engine_gen.h"
#include "wipe/engine/engine_int.h"
#include "wipe/engine/sampling.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

/* ---- the engine ------------------------------------------------------- */

static uint64_t mono_ns(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

static double since(const struct timespec *a)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - a->tv_sec) + (double)(now.tv_nsec - a->tv_nsec) / 1e9;
}

bool eng_stop_requested(const struct ctx *c)
{
	return c->o->stop && atomic_load(c->o->stop) != 0;
}

void eng_set_fatal(struct ctx *c, const char *fmt, ...)
{
	if (c->w->fatal)
		return;
	c->w->fatal = true;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->w->reason, sizeof(c->w->reason), fmt, ap);
	va_end(ap);
}

/* Before eng_set_fatal when the cause is the device going away: the exit
 * code tells the operator to reconnect, not to suspect the medium. */
static void mark_gone(struct ctx *c)
{
	if (!c->w->fatal)
		c->w->device_gone = true;
}

/* False (and the wipe marked fatal) if the device is gone or resized. */
bool eng_device_still_there(struct ctx *c)
{
	uint64_t sz = 0;
	int r = c->t->ops->size_now(c->t, &sz);
	if (r < 0) {
		mark_gone(c);
		eng_set_fatal(c, "the device disappeared during the erasure (%s); reconnect it "
			     "and start over",
			  strerror(-r));
		return false;
	}
	if (sz == 0) {
		mark_gone(c);
		eng_set_fatal(c, "the device disappeared during the erasure (its size is now 0); "
			     "reconnect it and start over");
		return false;
	}
	if (sz != c->t->size) {
		eng_set_fatal(c, "the device changed size during the erasure (%" PRIu64
			     " bytes, was %" PRIu64 "); check what resized it and start over",
			  sz, c->t->size);
		return false;
	}
	return true;
}

/* Flush what was written; false (and the run fatal) if that failed.  A
 * flush that fails because the device went away reports the going away:
 * that is the cause the operator has to act on, the EIO only its symptom. */
bool eng_flush_result(struct ctx *c, int r, const char *after)
{
	if (r >= 0)
		return true;
	if (kesu_errno_gone(-r)) {
		mark_gone(c);
		eng_set_fatal(c, "the device disappeared %s (%s); reconnect it and start over",
			  after, strerror(-r));
	} else if (eng_device_still_there(c))
		eng_set_fatal(c, "flushing the device's write cache %s failed (%s); the data "
			     "may not be on the medium",
			  after, strerror(-r));
	return false;
}

static uint64_t verify_len(const struct ctx *c)
{
	if (c->w->verify == KESU_VERIFY_SAMPLE && c->have_plan)
		return c->plan.total_bytes;
	return c->t->size;
}

/* Bytes of the whole run and how many of them are done, for progress. */
static void totals(const struct ctx *c, uint64_t *done, uint64_t *total)
{
	const struct kesu_wipe *w = c->w;
	uint64_t t = 0, d = 0;
	for (size_t i = 0; i < w->method.npasses; i++) {
		uint64_t pw = c->t->size, pv = kesu_wipe_verifies_pass(w, i) ? verify_len(c) : 0;
		t += pw + pv;
		if (i < w->pass || w->phase == KESU_PHASE_DONE)
			d += pw + pv;
		else if (i == w->pass)
			d += w->phase == KESU_PHASE_WRITE ? c->phase_done : pw + c->phase_done;
	}
	*done = d;
	*total = t;
}

static void report(struct ctx *c)
{
	if (!c->o->progress)
		return;
	struct kesu_progress p = {0};
	p.pass = c->w->pass + 1;
	p.npasses = c->w->method.npasses;
	if (p.pass > p.npasses)
		p.pass = p.npasses;
	p.phase = c->w->phase;
	p.phase_done = c->phase_done;
	p.phase_total = c->phase_total;
	totals(c, &p.done, &p.total);
	p.elapsed_s = since(&c->t0);
	p.run_done = c->run_done;
	c->o->progress(&p, c->o->progress_ud);
}

static bool flush_ok(struct ctx *c, const char *after)
{
	return eng_flush_result(c, c->t->ops->sync(c->t), after);
}

static void maybe_checkpoint(struct ctx *c, bool force)
{
	if (!c->o->checkpoint)
		return;
	if (!force && (c->o->checkpoint_every_s <= 0 ||
		       since(&c->last_ckpt) < c->o->checkpoint_every_s))
		return;
	if (!force && c->qd > 1 && c->w->phase == KESU_PHASE_WRITE) {
		/* The queued path flushes through the queue, behind the
		 * requests in flight, and saves when the flush completes. */
		c->ckpt_due = true;
		clock_gettime(CLOCK_MONOTONIC, &c->last_ckpt);
		return;
	}
	/* The checkpoint promises that everything before offset is on the
	 * medium, so flush first; a flush that fails makes the run fail. */
	if (c->w->phase == KESU_PHASE_WRITE) {
		if (!flush_ok(c, "before a checkpoint"))
			return;
	}
	struct kesu_err e;
	c->o->checkpoint(c->w, c->o->checkpoint_ud, &e);
	clock_gettime(CLOCK_MONOTONIC, &c->last_ckpt);
}

static void note_bad(struct ctx *c, uint64_t off, uint64_t len, enum kesu_bad_op op)
{
	struct kesu_err e;
	uint32_t bs = c->t->block_size;
	if (kesu_bad_add(&c->w->bad, off / bs, len / bs, op, &e) != KESU_OK)
		eng_set_fatal(c, "%s", e.msg);
}

/* A whole chunk failed with r.  False when the device is gone (the run is
 * already fatal); true when retrying block by block can save the rest. */
static bool chunk_worth_retrying(struct ctx *c, ssize_t r, const char *during)
{
	int e = r < 0 ? (int)-r : EIO;
	if (kesu_errno_gone(e)) {
		mark_gone(c);
		eng_set_fatal(c, "the device disappeared during %s (%s); reconnect it and "
			     "start over",
			  during, strerror(e));
		return false;
	}
	return eng_device_still_there(c);
}

/* One block of a retry failed with r: true (and fatal) if the device left. */
static bool block_gone(struct ctx *c, ssize_t r, const char *during)
{
	if (r >= 0 || !kesu_errno_gone((int)-r))
		return false;
	mark_gone(c);
	eng_set_fatal(c, "the device disappeared during %s (%s)", during, strerror((int)-r));
	return true;
}

/* A device that fails every block over DEAD_CHUNKS chunks of the medium in
 * a row is dead: stop rather than grind through the rest one block at a
 * time.  The stretch is measured on the medium, not in reads: a sampled
 * verification reads a bad zone in many small samples, and counting them
 * as chunks called a device dead (and its result failed) after a few
 * hundred KiB that a full read maps as an ordinary bad range. */
static void count_dead_chunk(struct ctx *c, size_t failed, size_t len, uint64_t off,
			     const char *doing)
{
	if (failed != len) {
		c->dead_run = false;
		return;
	}
	if (!c->dead_run) {
		c->dead_run = true;
		c->dead_from = off;
	}
	if (off + len - c->dead_from >= (uint64_t)DEAD_CHUNKS * c->chunk)
		eng_set_fatal(c, "the device stopped %s (%d chunks in a row failed); destroy it "
			     "physically",
			  doing, DEAD_CHUNKS);
}

/* buf was written to [off, off+len) with result r (from pwrite, or a
 * queued request): count it, or retry block by block. */
void eng_write_result(struct ctx *c, const uint8_t *buf, uint64_t off, size_t len, ssize_t r)
{
	struct kesu_wipe *w = c->w;
	struct kesu_pass_state *ps = &w->passes[w->pass];
	if (r == (ssize_t)len) {
		w->bytes_written += len;
		ps->bytes_written += len;
		c->dead_run = false;
		return;
	}
	if (!chunk_worth_retrying(c, r, "the erasure"))
		return;
	/* Retry block by block so only the blocks that really fail are lost. */
	uint32_t bs = c->t->block_size;
	size_t failed = 0;
	for (size_t b = 0; b < len; b += bs) {
		memcpy(c->bounce, buf + b, bs);
		r = c->t->ops->pwrite(c->t, c->bounce, bs, off + b);
		if (r == (ssize_t)bs) {
			w->bytes_written += bs;
			ps->bytes_written += bs;
			continue;
		}
		if (block_gone(c, r, "the erasure"))
			return;
		note_bad(c, off + b, bs, KESU_BAD_WRITE);
		failed += bs;
		if (w->fatal)
			return;
	}
	c->pass_failed_bytes += failed;
	count_dead_chunk(c, failed, len, off, "accepting writes");
	if (!w->fatal && c->pass_failed_bytes > c->t->size / 2)
		eng_set_fatal(c, "most of the medium could not be written; destroy it physically");
}

static void compare_blocks(struct ctx *c, const uint8_t *got, const uint8_t *exp,
			   uint64_t off, size_t len)
{
	struct kesu_wipe *w = c->w;
	struct kesu_pass_state *ps = &w->passes[w->pass];
	uint32_t bs = c->t->block_size;
	for (size_t b = 0; b < len; b += bs) {
		if (memcmp(got + b, exp + b, bs) == 0) {
			w->bytes_verified += bs;
			ps->bytes_verified += bs;
			continue;
		}
		note_bad(c, off + b, bs, KESU_BAD_VERIFY);
		w->mismatched_blocks++;
		ps->mismatched++;
		ps->verify_bad++;
	}
}

static const struct kesu_pass *cur_pass(const struct ctx *c)
{
	return &c->w->method.passes[c->w->pass];
}

/* Does got hold the current pass's bytes for [off, off+len)?  Pattern
 * passes compare against the cache-resident tile; random passes regenerate
 * the stream TILE bytes at a time into a buffer that stays in cache, instead
 * of a whole generated chunk that has left the cache by the time it is
 * compared (and a second thread to make it). */
static bool matches_expected(struct ctx *c, const uint8_t *got, uint64_t off, size_t len)
{
	const struct kesu_pass *p = cur_pass(c);
	for (size_t i = 0; i < len; i += TILE) {
		size_t n = len - i < TILE ? len - i : TILE;
		const uint8_t *exp;
		if (p->kind == KESU_PASS_RANDOM) {
			struct kesu_err e;
			if (kesu_stream_fill(c->vstream, off + i, c->piece, n, &e) != KESU_OK) {
				eng_set_fatal(c, "%s", e.msg);
				return false;
			}
			exp = c->piece;
		} else {
			exp = c->tile + (off + i) % p->pattern_len;
		}
		if (memcmp(got + i, exp, n) != 0)
			return false;
	}
	return true;
}

/* The current pass's bytes for [off, off+len) spelled out in full, for the
 * block-by-block comparison after a mismatch or a failed read. */
static const uint8_t *expected_chunk(struct ctx *c, uint8_t *scratch, uint64_t off,
				     size_t len)
{
	const struct kesu_pass *p = cur_pass(c);
	if (p->kind != KESU_PASS_RANDOM) {
		kesu_pass_fill_pattern(p, off, scratch, len);
		return scratch;
	}
	struct kesu_err e;
	if (kesu_stream_fill(c->vstream, off, scratch, len, &e) != KESU_OK) {
		eng_set_fatal(c, "%s", e.msg);
		return NULL;
	}
	return scratch;
}

/* got/r: what the read-ahead thread read for [off, off+len).  The expected
 * bytes are only spelled out into `scratch` when something did not match. */
void eng_verify_chunk(struct ctx *c, uint8_t *scratch, const uint8_t *got, ssize_t r,
			 uint64_t off, size_t len)
{
	struct kesu_wipe *w = c->w;
	struct kesu_pass_state *ps = &w->passes[w->pass];
	if (r == (ssize_t)len && matches_expected(c, got, off, len)) {
		c->dead_run = false;
		w->bytes_verified += len;
		ps->bytes_verified += len;
		return;
	}
	if (w->fatal)
		return;
	const uint8_t *exp = expected_chunk(c, scratch, off, len);
	if (!exp)
		return;
	if (r == (ssize_t)len) {
		c->dead_run = false;
		compare_blocks(c, got, exp, off, len);
		return;
	}
	if (!chunk_worth_retrying(c, r, "verification"))
		return;
	uint32_t bs = c->t->block_size;
	size_t failed = 0;
	for (size_t b = 0; b < len; b += bs) {
		r = c->t->ops->pread(c->t, c->bounce, bs, off + b);
		if (r == (ssize_t)bs) {
			compare_blocks(c, c->bounce, exp + b, off + b, bs);
			continue;
		}
		if (block_gone(c, r, "verification"))
			return;
		note_bad(c, off + b, bs, KESU_BAD_READ);
		w->unreadable_blocks++;
		ps->unreadable++;
		ps->verify_bad++;
		failed += bs;
		if (w->fatal)
			return;
	}
	count_dead_chunk(c, failed, len, off, "answering reads");
}

/* Verification state for the current pass: the tile of a pattern pass, or
 * the stream of a random one. */
enum kesu_rc eng_verify_begin(struct ctx *c, struct kesu_err *err)
{
	const struct kesu_pass *p = cur_pass(c);
	if (p->kind != KESU_PASS_RANDOM) {
		kesu_pass_fill_pattern(p, 0, c->tile, sizeof(c->tile));
		return KESU_OK;
	}
	struct kesu_stream_key k;
	kesu_wipe_pass_key(c->w, c->w->pass, &k);
	enum kesu_rc rc = kesu_stream_new(&k, &c->vstream, err);
	explicit_bzero(&k, sizeof(k));
	eng_note_stream(c, c->vstream);
	return rc;
}

void eng_note_stream(struct ctx *c, const struct kesu_stream *s)
{
	if (s)
		c->w->io.stream_library = kesu_stream_engine_name(kesu_stream_engine(s));
}

void eng_verify_end(struct ctx *c)
{
	kesu_stream_free(c->vstream);
	c->vstream = NULL;
}

/* After a chunk: position, progress, checkpoint. */
void eng_chunk_done(struct ctx *c, uint64_t off, size_t len)
{
	c->w->offset = off + len;
	c->phase_done += len;
	c->run_done += len;
	report(c);
	maybe_checkpoint(c, false);
}

/* One phase of the current pass over `ranges`: write, or read back.  On
 * the synchronous path a write phase has a generator thread filling chunk
 * N+1 while chunk N is written, and a verify phase a read-ahead thread
 * reading chunk N+1 while chunk N is compared; the queued path needs
 * neither (engine_queue.c). */
static enum kesu_rc run_phase(struct ctx *c, const struct kesu_sample *ranges,
			      size_t nranges, struct kesu_err *err)
{
	struct kesu_wipe *w = c->w;
	bool verify = w->phase == KESU_PHASE_VERIFY;
	struct gen g;
	enum kesu_rc rc = verify ? eng_verify_begin(c, err) : KESU_OK;
	if (rc == KESU_OK && c->qd > 1) {
		rc = eng_run_phase_queued(c, ranges, nranges, err);
		eng_verify_end(c);
		return rc;
	}
	struct gen_fill fill = {0};
	if (rc == KESU_OK && !verify)
		rc = gen_fill_begin(&fill, w, w->pass, c->o->fail_fill_at, err);
	eng_note_stream(c, fill.stream);
	if (rc == KESU_OK)
		rc = gen_start(&g, verify ? c->rbufs : c->bufs, NSLOT, verify ? c->t : NULL, &fill,
			       ranges, nranges, c->chunk, err);
	if (rc != KESU_OK) {
		eng_verify_end(c);
		return rc;
	}
	struct gen_slot *s;
	while ((s = gen_next(&g))) {
		if (eng_stop_requested(c)) {
			w->interrupted = true;
			break;
		}
		if (!eng_device_still_there(c))
			break;
		if (verify)
			eng_verify_chunk(c, c->bufs[0], s->buf, s->r, s->off, s->len);
		else
			eng_write_result(c, s->buf, s->off, s->len,
					 c->t->ops->pwrite(c->t, s->buf, s->len, s->off));
		if (w->fatal)
			break;
		uint64_t off = s->off;
		size_t len = s->len;
		gen_release(&g);
		eng_chunk_done(c, off, len);
		if (w->fatal)
			break;
	}
	rc = gen_stop(&g, err);
	eng_verify_end(c);
	return rc;
}

/* The ranges still to do in this phase, clipped at w->offset. */
static enum kesu_rc phase_ranges(struct ctx *c, struct kesu_sample **out, size_t *n,
				 struct kesu_err *err)
{
	struct kesu_wipe *w = c->w;
	const struct kesu_sample whole = {0, c->t->size};
	const struct kesu_sample *src = &whole;
	size_t count = 1;
	if (w->phase == KESU_PHASE_VERIFY && w->verify == KESU_VERIFY_SAMPLE) {
		src = c->plan.samples;
		count = c->plan.count;
	}
	struct kesu_sample *v = calloc(count ? count : 1, sizeof(*v));
	if (!v)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	size_t k = 0;
	c->phase_done = 0;
	c->phase_total = 0;
	for (size_t i = 0; i < count; i++) {
		uint64_t a = src[i].offset, b = a + src[i].length;
		c->phase_total += src[i].length;
		if (b <= w->offset) {
			c->phase_done += src[i].length;
			continue;
		}
		if (a < w->offset) {
			c->phase_done += w->offset - a;
			a = w->offset;
		}
		v[k].offset = a;
		v[k].length = b - a;
		k++;
	}
	*out = v;
	*n = k;
	return KESU_OK;
}

static void pause_for_test(struct ctx *c)
{
	const char *p = c->o->pause_before_verify;
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	close(fd);
	const struct timespec ts = {0, 20 * 1000 * 1000};
	while (access(p, F_OK) == 0 && !eng_stop_requested(c))
		nanosleep(&ts, NULL);
}

static void next_pass(struct kesu_wipe *w)
{
	w->passes[w->pass].ended_at = time(NULL);
	w->pass++;
	w->offset = 0;
	if (w->pass >= w->method.npasses) {
		w->phase = KESU_PHASE_DONE;
		w->verify_done = w->verify != KESU_VERIFY_NONE;
	} else {
		w->phase = KESU_PHASE_WRITE;
	}
}

static enum kesu_rc engine_loop(struct ctx *c, struct kesu_err *err)
{
	struct kesu_wipe *w = c->w;
	struct kesu_target *t = c->t;
	while (w->phase != KESU_PHASE_DONE && !w->fatal && !w->interrupted) {
		struct kesu_pass_state *ps = &w->passes[w->pass];
		uint64_t phase_start = mono_ns();
		uint64_t phase_bytes0 = c->run_done;
		bool writing = w->phase == KESU_PHASE_WRITE;
		if (w->phase == KESU_PHASE_VERIFY) {
			/* Read the medium, not a cache: flushed at the end of the
			 * pass, now drop every cached copy before the O_DIRECT
			 * reads; also when resuming halfway through. */
			if (c->o->pause_before_verify && w->offset == 0 &&
			    w->pass + 1 == w->method.npasses) {
				pause_for_test(c);
				phase_start = mono_ns();
			}
			int r = t->ops->drop_cache(t);
			if (r < 0) {
				eng_set_fatal(c, "verification could not run: dropping the device's "
					     "cache failed (%s); run kesu as root",
					  strerror(-r));
				break;
			}
		}
		if (w->phase == KESU_PHASE_WRITE && !ps->started_at)
			ps->started_at = time(NULL);
		/* A checkpoint at the start of every phase, before its first
		 * write: whatever kills the run later, the newest checkpoint
		 * then names the phase in progress, and a resume can tell what
		 * the medium holds below and above its offset (fingerprint.h). */
		maybe_checkpoint(c, true);
		if (w->fatal)
			break;
		c->pass_failed_bytes = 0;
		c->dead_run = false;
		struct kesu_sample *ranges = NULL;
		size_t n = 0;
		enum kesu_rc rc = phase_ranges(c, &ranges, &n, err);
		if (rc != KESU_OK)
			return rc;
		report(c);
		rc = run_phase(c, ranges, n, err);
		free(ranges);
		bool flushed = rc == KESU_OK && !w->fatal && !w->interrupted && writing &&
			       flush_ok(c, "at the end of a pass");
		uint64_t ns = mono_ns() - phase_start, moved = c->run_done - phase_bytes0;
		if (writing) {
			ps->write_ns += ns;
			ps->write_timed_bytes += moved;
		} else {
			ps->verify_ns += ns;
			ps->verify_timed_bytes += moved;
		}
		if (rc != KESU_OK)
			return rc;
		if (w->fatal || w->interrupted)
			break;
		if (w->phase == KESU_PHASE_WRITE) {
			if (!flushed)
				break;
			if (kesu_wipe_verifies_pass(w, w->pass)) {
				w->phase = KESU_PHASE_VERIFY;
				w->offset = 0;
			} else {
				next_pass(w);
			}
		} else {
			ps->verified = ps->verify_bad == 0 ? 1 : 0;
			next_pass(w);
		}
		c->phase_done = 0;
		report(c);
	}
	return KESU_OK;
}

/* Huge pages for the I/O slots: an O_DIRECT request pins every page it
 * covers, and a 2 MiB request on 4 KiB pages pins 512 of them; on 2 MiB
 * pages it pins one.  Measured 1.4-1.7x on zero, random and nist-clear
 * passes over a tmpfs loop device (docs/BENCHMARKS.md).  Where the kernel
 * has no transparent huge pages the madvise fails and the slots are
 * ordinary memory, which is only slower. */
#define HUGE_ALIGN (2u << 20)

static size_t slot_bytes(size_t chunk, size_t align)
{
	return chunk % align ? chunk + align - chunk % align : chunk;
}

static size_t slots_for(unsigned qd)
{
	size_t queued = qd > 1 ? (size_t)qd + 2 : 0;
	return queued > 2 * NSLOT ? queued : 2 * NSLOT;
}

bool kesu_queue_depth_parse(const char *s, unsigned *out)
{
	if (!s || *s < '0' || *s > '9')
		return false;
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v < 1 || v > KESU_QUEUE_DEPTH_MAX)
		return false;
	*out = (unsigned)v;
	return true;
}

unsigned kesu_queue_depth_for(size_t ndevices, unsigned ncpus)
{
	if (ndevices == 0)
		ndevices = 1;
	size_t share = 2 * (size_t)(ncpus ? ncpus : 1) / ndevices;
	return share >= KESU_QUEUE_DEPTH_DEFAULT ? KESU_QUEUE_DEPTH_DEFAULT
						 : share < 2 ? 2 : (unsigned)share;
}

uint64_t kesu_engine_buffer_bytes(unsigned queue_depth, size_t chunk_bytes)
{
	size_t chunk = chunk_bytes ? chunk_bytes : KESU_CHUNK_DEFAULT;
	return (uint64_t)slots_for(queue_depth) * slot_bytes(chunk, 4096);
}

static enum kesu_rc io_region_alloc(struct ctx *c, size_t chunk, size_t align, size_t nslots,
				    struct kesu_err *err)
{
	size_t slot = slot_bytes(chunk, align);
	size_t total = nslots * slot;
	size_t al = total >= HUGE_ALIGN ? HUGE_ALIGN : align;
	if (total % al)
		total += al - total % al;
	void *p = NULL;
	int e = posix_memalign(&p, al, total);
	if (e)
		return kesu_fail(err, KESU_ERR_INTERNAL, e, "out of memory");
	if (al == HUGE_ALIGN)
		(void)madvise(p, total, MADV_HUGEPAGE);
	c->region = p;
	c->w->io.buffer_bytes = total;
	for (size_t i = 0; i < NSLOT; i++) {
		c->bufs[i] = c->region + i * slot;
		c->rbufs[i] = c->region + (NSLOT + i) * slot;
	}
	c->nqslot = nslots < GEN_SLOTS_MAX ? nslots : GEN_SLOTS_MAX;
	for (size_t i = 0; i < c->nqslot; i++)
		c->qbufs[i] = c->region + i * slot;
	return KESU_OK;
}

/* The queued path when asked for and possible; otherwise the synchronous
 * one, and the record says why. */
static void io_choose(struct ctx *c, unsigned asked)
{
	struct kesu_io_info *io = &c->w->io;
	io->queue_depth_asked = asked ? asked : 1;
	io->queue_depth = 1;
	if (asked <= 1)
		return;
	if (!c->t->queue) {
		snprintf(io->fallback, sizeof(io->fallback),
			 "the target has no queued I/O path");
		return;
	}
	/* Only the depth's slots take requests (engine_queue.c): registering
	 * the others would pin, and so fault in and zero, memory that the
	 * queued path never touches. */
	int r = c->t->queue->setup(c->t, asked, (void *const *)c->qbufs, asked,
				   slot_bytes(c->chunk, c->t->block_size > 4096 ? c->t->block_size : 4096),
				   &io->registered_buffers,
				   io->fallback, sizeof(io->fallback));
	if (r < 0)
		return;
	io->queued = true;
	io->queue_depth = asked;
	c->qd = asked;
}

enum kesu_rc kesu_engine_run(struct kesu_target *t, struct kesu_wipe *w,
			     const struct kesu_engine_opts *o, struct kesu_err *err)
{
	struct ctx c = {0};
	c.t = t;
	c.w = w;
	c.o = o;
	size_t align = t->block_size > 4096 ? t->block_size : 4096;
	size_t chunk = o->chunk_bytes ? o->chunk_bytes : KESU_CHUNK_DEFAULT;
	chunk -= chunk % align;
	if (chunk == 0)
		chunk = align;
	c.chunk = chunk;
	clock_gettime(CLOCK_MONOTONIC, &c.t0);
	c.last_ckpt = c.t0;
	memset(&w->io, 0, sizeof(w->io));
	if (!w->started_at)
		w->started_at = time(NULL);

	enum kesu_rc rc = KESU_OK;
	if (t->block_size == 0 || t->size % t->block_size || align % t->block_size) {
		eng_set_fatal(&c, "the device reports an unusable block size (%u); it cannot be "
			      "overwritten safely",
			  t->block_size);
		goto done;
	}
	if (w->verify == KESU_VERIFY_SAMPLE) {
		rc = kesu_sampling_plan(t->size, t->block_size, w->sample_seed, &c.plan, err);
		if (rc != KESU_OK)
			goto done;
		c.have_plan = true;
	}
	w->verify_planned = 0;
	for (size_t i = 0; i < w->method.npasses; i++)
		if (kesu_wipe_verifies_pass(w, i))
			w->verify_planned += verify_len(&c);
	unsigned qd = o->queue_depth > KESU_QUEUE_DEPTH_MAX ? KESU_QUEUE_DEPTH_MAX
							   : o->queue_depth;
	rc = io_region_alloc(&c, chunk, align, slots_for(qd), err);
	if (rc != KESU_OK)
		goto done;
	io_choose(&c, qd);
	c.bounce = aligned_alloc(align, align);
	if (!c.bounce) {
		rc = kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
		goto done;
	}
	rc = engine_loop(&c, err);
	if (rc == KESU_OK && w->interrupted) {
		/* Stopped at a chunk boundary: make what was written durable so
		 * the checkpoint the caller saves is true. */
		flush_ok(&c, "after the interruption");
	}
done:
	if (rc != KESU_OK && !w->fatal)
		eng_set_fatal(&c, "%s", err->msg);
	if (c.qd > 1 && !c.region_in_use)
		t->queue->teardown(t);
	if (!c.region_in_use)
		free(c.region);
	free(c.bounce);
	if (c.have_plan)
		kesu_sampling_plan_free(&c.plan);
	w->ended_at = time(NULL);
	kesu_wipe_finish(w, t->size, t->block_size);
	return rc;
}
