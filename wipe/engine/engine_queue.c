/* The queued path: up to queue_depth requests in flight on the device.
 *
 * Requests complete in any order, but they are retired -- counted, retried
 * block by block when they failed, compared, checkpointed -- strictly in
 * the order they were started, by the same functions the synchronous path
 * uses.  So the wipe's state (offset, bytes, bad ranges, verdict) always
 * describes a contiguous prefix of the phase, exactly as after the same
 * chunks one at a time: a checkpoint can never claim a chunk whose request
 * has not completed, and a fault is recorded the same way at any depth.
 * The chunks still in flight when the run stops are waited for and left
 * uncounted; a resume writes them again.
 *
 * A periodic checkpoint must not stall the queue: its flush is one more
 * request, started behind the writes of the prefix it covers while later
 * writes keep going, and the checkpoint saved when it completes holds a
 * copy of the wipe's state taken when the flush was started. */
#include "wipe/engine/engine_int.h"

#include <errno.h>
#include <string.h>

struct queue {
	struct ctx *c;
	struct kesu_io_req req[GEN_SLOTS_MAX];
	bool done[GEN_SLOTS_MAX];
	size_t nslot;       /* slots requests turn over */
	uint64_t sub, ret;  /* chunks of the phase started, retired */
	bool stopping;      /* retire nothing more, only wait */
	bool broken;        /* the queue failed with requests in flight */
	struct kesu_io_req flush; /* a checkpoint's flush */
	bool flushing;
	struct kesu_wipe snap;    /* what that checkpoint will save */
};

static void start(struct queue *q, uint8_t *buf, uint64_t off, size_t len, bool write)
{
	size_t i = q->sub % q->nslot;
	struct kesu_io_req *r = &q->req[i];
	r->buf = buf; /* qbufs[i]: request i always uses slot i */
	r->buf_index = (unsigned)i;
	r->len = len;
	r->off = off;
	r->write = write;
	r->res = 0;
	q->done[i] = false;
	int e = q->c->t->queue->submit(q->c->t, r);
	if (e < 0) {
		/* Not started: retired as a failed request, as the synchronous
		 * path handles a failed pwrite/pread. */
		r->res = e;
		q->done[i] = true;
	}
	q->sub++;
}

/* Copy the state at the completed prefix and start its flush.  Without
 * memory for the copy, the checkpoint waits for the next chunk. */
static void start_flush(struct queue *q)
{
	struct ctx *c = q->c;
	const struct kesu_wipe *w = c->w;
	q->snap = *w;
	q->snap.bad.v = NULL;
	if (w->bad.n) {
		q->snap.bad.v = malloc(w->bad.n * sizeof(w->bad.v[0]));
		if (!q->snap.bad.v)
			return;
		memcpy(q->snap.bad.v, w->bad.v, w->bad.n * sizeof(w->bad.v[0]));
	}
	q->snap.bad.cap = w->bad.n;
	c->ckpt_due = false;
	memset(&q->flush, 0, sizeof(q->flush));
	q->flush.flush = true;
	int e = c->t->queue->submit(c->t, &q->flush);
	if (e < 0) {
		/* Not started: flush the synchronous way, as the last resort. */
		q->flush.res = c->t->ops->sync(c->t);
		q->flushing = true;
		return;
	}
	q->flushing = true;
	q->flush.res = 1; /* pending */
}

static void end_flush(struct queue *q)
{
	struct ctx *c = q->c;
	q->flushing = false;
	if (eng_flush_result(c, (int)q->flush.res, "before a checkpoint")) {
		struct kesu_err e;
		c->o->checkpoint(&q->snap, c->o->checkpoint_ud, &e);
	} else {
		q->stopping = true;
	}
	free(q->snap.bad.v);
	q->snap.bad.v = NULL;
}

/* Wait for one completion.  False when the queue itself failed. */
static bool reap(struct queue *q)
{
	struct kesu_io_req *r = NULL;
	int e = q->c->t->queue->wait(q->c->t, &r);
	if (e == 0 && r == &q->flush && q->flushing) {
		end_flush(q);
		return true;
	}
	if (e < 0 || !r || r < q->req || r >= q->req + q->nslot) {
		q->broken = true;
		q->stopping = true;
		q->c->region_in_use = true;
		eng_set_fatal(q->c, "the device's I/O queue failed (%s); start over",
			      strerror(e < 0 ? -e : EIO));
		return false;
	}
	q->done[r - q->req] = true;
	return true;
}

static void retire(struct queue *q, const struct kesu_io_req *r, uint8_t *scratch)
{
	struct ctx *c = q->c;
	if (q->stopping)
		return;
	if (eng_stop_requested(c)) {
		c->w->interrupted = true;
		q->stopping = true;
		return;
	}
	if (!eng_device_still_there(c)) {
		q->stopping = true;
		return;
	}
	if (r->write)
		eng_write_result(c, r->buf, r->off, r->len, r->res);
	else
		eng_verify_chunk(c, scratch, r->buf, r->res, r->off, r->len);
	if (!c->w->fatal)
		eng_chunk_done(c, r->off, r->len);
	if (c->w->fatal)
		q->stopping = true;
	else if (c->ckpt_due && !q->flushing)
		start_flush(q);
}

/* Retire the oldest request if it completed, else wait for one.  False
 * when nothing is in flight any more, or the queue broke. */
static bool step(struct queue *q, uint8_t *scratch)
{
	if (q->broken)
		return false;
	if (q->flushing && q->flush.res <= 0) {
		end_flush(q); /* flushed synchronously */
		return true;
	}
	if (q->ret == q->sub)
		return q->flushing ? reap(q) : false;
	size_t i = q->ret % q->nslot;
	if (!q->done[i])
		return reap(q);
	retire(q, &q->req[i], scratch);
	q->ret++;
	return true;
}

/* Writing: this thread fills a slot and starts its write, until depth
 * requests are in flight; the kernel moves the data while the next slot is
 * filled.  No helper thread: handing each chunk from a generator thread to
 * this one cost two wake-ups a chunk for nothing the ring does not already
 * overlap (docs/BENCHMARKS.md).  A failed fill starts nothing more; the
 * requests in flight are retired as usual, as the synchronous path writes
 * the chunks its generator filled before failing. */
static enum kesu_rc write_phase(struct queue *q, const struct kesu_sample *ranges,
				size_t nranges, struct kesu_err *err)
{
	struct ctx *c = q->c;
	struct gen_fill f;
	/* A slot is filled again only once its request retired, so the
	 * depth's slots are all it needs: the rest of the region stays
	 * untouched, never faulted in. */
	q->nslot = c->qd;
	enum kesu_rc rc = gen_fill_begin(&f, c->w, c->w->pass, c->o->fail_fill_at, err);
	if (rc != KESU_OK)
		return rc;
	eng_note_stream(c, f.stream);
	struct gen_slot slot[GEN_SLOTS_MAX];
	memset(slot, 0, sizeof(slot));
	for (size_t i = 0; i < q->nslot; i++)
		slot[i].buf = c->qbufs[i];
	size_t ri = 0, len;
	uint64_t off = 0;
	do {
		while (!q->stopping && rc == KESU_OK && q->sub - q->ret < c->qd &&
		       gen_next_chunk(ranges, nranges, c->chunk, &ri, &off, &len)) {
			struct gen_slot *s = &slot[q->sub % q->nslot];
			rc = gen_fill_slot(&f, s, off, len, err);
			if (rc != KESU_OK)
				break; /* the chunks started before it still count */
			start(q, s->buf, off, len, true);
			gen_chunk_done(ranges, nranges, &ri, &off, len);
		}
	} while (step(q, NULL));
	gen_fill_end(&f);
	return rc;
}

/* Reading back: requests read ahead into the depth's slots; the region's
 * last slot is the scratch space for spelling out expected bytes after a
 * mismatch, touched only then.  Comparing chunk N here overlaps the reads
 * of the chunks after it. */
static void verify_phase(struct queue *q, const struct kesu_sample *ranges, size_t nranges)
{
	struct ctx *c = q->c;
	q->nslot = c->qd;
	uint8_t *scratch = c->qbufs[c->nqslot - 1];
	size_t ri = 0, len;
	uint64_t off = 0;
	do {
		while (!q->stopping && q->sub - q->ret < c->qd &&
		       gen_next_chunk(ranges, nranges, c->chunk, &ri, &off, &len)) {
			start(q, c->qbufs[q->sub % q->nslot], off, len, false);
			gen_chunk_done(ranges, nranges, &ri, &off, len);
		}
	} while (step(q, scratch));
}

enum kesu_rc eng_run_phase_queued(struct ctx *c, const struct kesu_sample *ranges,
				  size_t nranges, struct kesu_err *err)
{
	struct queue q;
	memset(&q, 0, sizeof(q));
	q.c = c;
	if (c->w->phase == KESU_PHASE_VERIFY) {
		verify_phase(&q, ranges, nranges);
		return KESU_OK;
	}
	return write_phase(&q, ranges, nranges, err);
}
