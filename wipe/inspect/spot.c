/* The pure half of a spot check: plans, inspection of bytes read, verdict. */
#include "wipe/inspect/spot.h"

#include "lib/strutil.h"
#include "wipe/engine/sampling.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- plans ---- */

static enum kesu_rc check_geometry(uint64_t size, uint32_t bs, struct kesu_err *err)
{
	if (bs == 0 || bs % 512 || bs > KESU_SPOT_EDGE || (bs & (bs - 1)))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "spot check: block size %u is not a power of two "
				 "between 512 and 1 MiB",
				 bs);
	if (size == 0 || size % bs)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "spot check: size %llu is not a whole number of %u-byte "
				 "blocks",
				 (unsigned long long)size, bs);
	return KESU_OK;
}

enum kesu_rc kesu_spot_plan_full(uint64_t size, uint32_t block_size,
				 struct kesu_spot_plan *p, struct kesu_err *err)
{
	memset(p, 0, sizeof(*p));
	enum kesu_rc rc = check_geometry(size, block_size, err);
	if (rc)
		return rc;
	if (!(p->ranges = malloc(sizeof(*p->ranges))))
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	p->ranges[0] = (struct kesu_spot_range){0, size};
	p->count = 1;
	p->total_bytes = size;
	p->full = true;
	return KESU_OK;
}

static int by_offset(const void *a, const void *b)
{
	const struct kesu_spot_range *x = a, *y = b;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

enum kesu_rc kesu_spot_plan_sample(uint64_t size, uint32_t block_size, uint64_t seed,
				   struct kesu_spot_plan *p, struct kesu_err *err)
{
	memset(p, 0, sizeof(*p));
	enum kesu_rc rc = check_geometry(size, block_size, err);
	if (rc)
		return rc;
	struct kesu_sample_plan sp;
	if ((rc = kesu_sampling_plan(size, block_size, seed, &sp, err)))
		return rc;
	if (sp.count == 1 && sp.samples[0].length == size) {
		kesu_sampling_plan_free(&sp);
		rc = kesu_spot_plan_full(size, block_size, p, err);
		p->seed = seed;
		return rc;
	}
	struct kesu_spot_range *r = calloc(sp.count + 2, sizeof(*r));
	if (!r) {
		kesu_sampling_plan_free(&sp);
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	uint64_t edge = size < KESU_SPOT_EDGE ? size : KESU_SPOT_EDGE;
	size_t n = 0;
	r[n++] = (struct kesu_spot_range){0, edge};
	r[n++] = (struct kesu_spot_range){size - edge, edge};
	for (size_t i = 0; i < sp.count; i++)
		r[n++] = (struct kesu_spot_range){sp.samples[i].offset, sp.samples[i].length};
	p->locations = sp.count;
	kesu_sampling_plan_free(&sp);
	qsort(r, n, sizeof(*r), by_offset);
	size_t m = 0;
	for (size_t i = 1; i < n; i++) {
		uint64_t end = r[m].offset + r[m].length;
		if (r[i].offset <= end) {
			uint64_t e2 = r[i].offset + r[i].length;
			if (e2 > end)
				r[m].length = e2 - r[m].offset;
		} else {
			r[++m] = r[i];
		}
	}
	p->ranges = r;
	p->count = m + 1;
	for (size_t i = 0; i < p->count; i++)
		p->total_bytes += r[i].length;
	p->seed = seed;
	return KESU_OK;
}

void kesu_spot_plan_free(struct kesu_spot_plan *p)
{
	if (!p)
		return;
	free(p->ranges);
	memset(p, 0, sizeof(*p));
}

double kesu_spot_detectable_fraction(size_t k, double confidence)
{
	if (k == 0 || !(confidence > 0 && confidence < 1))
		return 1.0;
	/* 1 - (1-C)^(1/k), written so that it stays exact for small results */
	return -expm1(log1p(-confidence) / (double)k);
}

/* ---- inspection ---- */

void kesu_spot_result_init(struct kesu_spot_result *r)
{
	memset(r, 0, sizeof(*r));
	r->data_index = KESU_SPOT_MAX_FINDINGS;
}

static void add_finding(void *ud, const struct kesu_finding *f)
{
	struct kesu_spot_result *r = ud;
	r->total_findings++;
	if (r->n_findings < KESU_SPOT_MAX_FINDINGS)
		r->findings[r->n_findings++] = *f;
}

static void add_data(struct kesu_spot_result *r, uint64_t off, uint64_t len)
{
	if (r->have_data && r->data_end == off) {
		r->data_end += len;
		if (r->data_index < KESU_SPOT_MAX_FINDINGS)
			r->findings[r->data_index].length += len;
		return;
	}
	struct kesu_finding f = {.offset = off, .length = len};
	kesu_strlcpy(f.what, "data", sizeof(f.what));
	kesu_strlcpy(f.detail, "neither blank, a pattern nor random-looking",
		     sizeof(f.detail));
	r->data_index = r->n_findings < KESU_SPOT_MAX_FINDINGS ? r->n_findings
							       : KESU_SPOT_MAX_FINDINGS;
	add_finding(r, &f);
	r->have_data = true;
	r->data_end = off + len;
}

static bool uniform(enum kesu_region_kind k)
{
	return k != KESU_REGION_RANDOM && k != KESU_REGION_DATA;
}

/* Cells: len split into equal parts of at most KESU_SPOT_CELL, rounded up
 * to 512 bytes, so that no cell is a sliver too short for the randomness
 * tests (a cell is at least half a KESU_SPOT_CELL unless len is shorter). */
void kesu_spot_inspect(struct kesu_spot_result *r, uint64_t medium_size,
		       const uint8_t *buf, size_t len, uint64_t off)
{
	if (!len || off > UINT64_MAX / 4 || len > UINT64_MAX / 4)
		return;
	size_t ncells = (len + KESU_SPOT_CELL - 1) / KESU_SPOT_CELL;
	size_t cell = (len + ncells - 1) / ncells;
	cell = (cell + 511) / 512 * 512;
	const struct kesu_scan scan = {medium_size, add_finding, r};
	size_t span = 0; /* start of the current run of non-uniform cells */
	bool in_span = false;
	for (size_t at = 0; at < len; at += cell) {
		size_t n = len - at < cell ? len - at : cell;
		struct kesu_region_class c;
		kesu_region_classify(buf + at, n, &c);
		r->cells[c.kind]++;
		r->bytes[c.kind] += n;
		if (c.kind == KESU_REGION_DATA)
			add_data(r, off + at, n);
		if (uniform(c.kind)) {
			/* Blank and pattern cells hold no headers or text; scanning
			 * them would only report a pattern of printable bytes as
			 * text. */
			if (in_span)
				kesu_sig_scan(&scan, buf + span, at - span, off + span);
			in_span = false;
		} else if (!in_span) {
			span = at;
			in_span = true;
		}
	}
	if (in_span)
		kesu_sig_scan(&scan, buf + span, len - span, off + span);
	r->bytes_read += len;
}

void kesu_spot_unreadable(struct kesu_spot_result *r, uint64_t off, uint64_t len)
{
	r->unreadable_bytes += len;
	if (r->have_unreadable && r->unreadable_end == off) {
		r->unreadable_end += len;
		/* merge only into a stored range that is the one just ended */
		struct kesu_spot_range *last = &r->unreadable[r->n_unreadable - 1];
		if (r->n_unreadable && last->offset + last->length == off)
			last->length += len;
		return;
	}
	r->have_unreadable = true;
	r->unreadable_end = off + len;
	r->total_unreadable++;
	if (r->n_unreadable < KESU_SPOT_MAX_UNREADABLE)
		r->unreadable[r->n_unreadable++] = (struct kesu_spot_range){off, len};
}

enum kesu_spot_verdict kesu_spot_verdict(const struct kesu_spot_result *r)
{
	if (r->total_findings || r->cells[KESU_REGION_DATA])
		return KESU_SPOT_DATA_FOUND;
	if (r->total_unreadable || r->unreadable_bytes || r->size_changed ||
	    r->bytes_read == 0)
		return KESU_SPOT_INCOMPLETE;
	return KESU_SPOT_NO_DATA_FOUND;
}

const char *kesu_spot_verdict_name(enum kesu_spot_verdict v)
{
	switch (v) {
	case KESU_SPOT_NO_DATA_FOUND: return "no-data-found";
	case KESU_SPOT_DATA_FOUND: return "data-found";
	case KESU_SPOT_INCOMPLETE: return "incomplete";
	}
	return "?";
}
