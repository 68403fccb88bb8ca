#include "wipe/engine/engine_gen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void fill_pattern_once(struct gen_slot *s, const struct kesu_pass *p, uint64_t off,
			      size_t len)
{
	size_t period = p->pattern_len ? p->pattern_len : 1;
	size_t phase = (size_t)(off % period);
	if (s->filled_pass == p && s->filled_phase == phase && s->filled_len >= len)
		return;
	kesu_pass_fill_pattern(p, off, s->buf, len);
	s->filled_pass = p;
	s->filled_phase = phase;
	s->filled_len = len;
}

enum kesu_rc gen_fill_begin(struct gen_fill *f, const struct kesu_wipe *w, size_t pass,
			    uint64_t fail_at, struct kesu_err *err)
{
	f->pass = &w->method.passes[pass];
	f->stream = NULL;
	f->fail_at = fail_at;
	if (f->pass->kind != KESU_PASS_RANDOM)
		return KESU_OK;
	struct kesu_stream_key k;
	kesu_wipe_pass_key(w, pass, &k);
	enum kesu_rc rc = kesu_stream_new(&k, &f->stream, err);
	explicit_bzero(&k, sizeof(k));
	return rc;
}

enum kesu_rc gen_fill_slot(struct gen_fill *f, struct gen_slot *s, uint64_t off, size_t len,
			   struct kesu_err *err)
{
	if (f->fail_at && off + len > f->fail_at)
		return kesu_fail(err, KESU_ERR_CRYPTO, 0, "injected generator failure");
	if (f->pass->kind == KESU_PASS_RANDOM) {
		enum kesu_rc rc = kesu_stream_fill(f->stream, off, s->buf, len, err);
		if (rc != KESU_OK)
			return rc;
	} else {
		fill_pattern_once(s, f->pass, off, len);
	}
	s->off = off;
	s->len = len;
	return KESU_OK;
}

void gen_fill_end(struct gen_fill *f)
{
	kesu_stream_free(f->stream);
	f->stream = NULL;
}

bool gen_next_chunk(const struct kesu_sample *ranges, size_t nranges, size_t chunk,
		    size_t *ri, uint64_t *off, size_t *len)
{
	if (*ri >= nranges)
		return false;
	if (*off < ranges[*ri].offset)
		*off = ranges[*ri].offset;
	uint64_t end = ranges[*ri].offset + ranges[*ri].length;
	*len = end - *off < chunk ? (size_t)(end - *off) : chunk;
	return true;
}

void gen_chunk_done(const struct kesu_sample *ranges, size_t nranges, size_t *ri,
		    uint64_t *off, size_t len)
{
	*off += len;
	if (*off >= ranges[*ri].offset + ranges[*ri].length && ++*ri < nranges)
		*off = ranges[*ri].offset;
}

static void *gen_main(void *arg)
{
	struct gen *g = arg;
	size_t ri = 0, len;
	uint64_t off = 0;
	while (gen_next_chunk(g->ranges, g->nranges, g->chunk, &ri, &off, &len)) {
		pthread_mutex_lock(&g->mu);
		while (g->prod - g->cons >= g->nslot && !g->quit)
			pthread_cond_wait(&g->cv, &g->mu);
		bool quit = g->quit;
		struct gen_slot *s = &g->s[g->prod % g->nslot];
		pthread_mutex_unlock(&g->mu);
		if (quit)
			break;
		if (g->reader) {
			s->r = g->reader->ops->pread(g->reader, s->buf, len, off);
			s->off = off;
			s->len = len;
		} else {
			g->rc = gen_fill_slot(&g->fill, s, off, len, &g->err);
			if (g->rc != KESU_OK)
				break;
		}
		pthread_mutex_lock(&g->mu);
		g->prod++;
		pthread_cond_broadcast(&g->cv);
		pthread_mutex_unlock(&g->mu);
		gen_chunk_done(g->ranges, g->nranges, &ri, &off, len);
	}
	pthread_mutex_lock(&g->mu);
	g->finished = true;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

enum kesu_rc gen_start(struct gen *g, uint8_t *const *bufs, size_t nslot,
		       struct kesu_target *reader, const struct gen_fill *fill,
		       const struct kesu_sample *ranges, size_t nranges, size_t chunk,
		       struct kesu_err *err)
{
	memset(g, 0, sizeof(*g));
	if (!reader)
		g->fill = *fill;
	if (nslot > GEN_SLOTS_MAX)
		nslot = GEN_SLOTS_MAX;
	g->nslot = nslot;
	for (size_t i = 0; i < nslot; i++)
		g->s[i].buf = bufs[i];
	g->ranges = ranges;
	g->nranges = nranges;
	g->chunk = chunk;
	g->reader = reader;
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	int e = pthread_create(&g->th, NULL, gen_main, g);
	if (e) {
		pthread_mutex_destroy(&g->mu);
		pthread_cond_destroy(&g->cv);
		gen_fill_end(&g->fill);
		return kesu_fail(err, KESU_ERR_INTERNAL, e, "cannot start a thread: %s",
				 strerror(e));
	}
	return KESU_OK;
}

struct gen_slot *gen_next(struct gen *g)
{
	pthread_mutex_lock(&g->mu);
	while (g->cons == g->prod && !g->finished)
		pthread_cond_wait(&g->cv, &g->mu);
	struct gen_slot *s = g->cons == g->prod ? NULL : &g->s[g->cons % g->nslot];
	pthread_mutex_unlock(&g->mu);
	return s;
}

void gen_release(struct gen *g)
{
	pthread_mutex_lock(&g->mu);
	g->cons++;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

/* Stop and join; returns the generator's own failure, if any. */
enum kesu_rc gen_stop(struct gen *g, struct kesu_err *err)
{
	pthread_mutex_lock(&g->mu);
	g->quit = true;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	pthread_join(g->th, NULL);
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->cv);
	gen_fill_end(&g->fill);
	if (g->rc != KESU_OK && err)
		*err = g->err;
	return g->rc;
}
