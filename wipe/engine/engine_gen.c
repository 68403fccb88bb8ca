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

static void *gen_main(void *arg)
{
	struct gen *g = arg;
	for (size_t r = 0; r < g->nranges; r++) {
		uint64_t end = g->ranges[r].offset + g->ranges[r].length;
		for (uint64_t off = g->ranges[r].offset; off < end;) {
			size_t len = end - off < g->chunk ? (size_t)(end - off) : g->chunk;
			pthread_mutex_lock(&g->mu);
			while (g->prod - g->cons >= g->nslot && !g->quit)
				pthread_cond_wait(&g->cv, &g->mu);
			bool quit = g->quit;
			struct gen_slot *s = &g->s[g->prod % g->nslot];
			pthread_mutex_unlock(&g->mu);
			if (quit)
				goto out;
			if (g->reader) {
				s->r = g->reader->ops->pread(g->reader, s->buf, len, off);
			} else if (g->pass->kind == KESU_PASS_RANDOM) {
				enum kesu_rc rc = kesu_stream_fill(g->stream, off, s->buf, len,
								   &g->err);
				if (rc != KESU_OK) {
					g->rc = rc;
					goto out;
				}
			} else {
				fill_pattern_once(s, g->pass, off, len);
			}
			s->off = off;
			s->len = len;
			pthread_mutex_lock(&g->mu);
			g->prod++;
			pthread_cond_broadcast(&g->cv);
			pthread_mutex_unlock(&g->mu);
			off += len;
		}
	}
out:
	pthread_mutex_lock(&g->mu);
	g->finished = true;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

enum kesu_rc gen_start(struct gen *g, uint8_t *const *bufs, size_t nslot,
		       struct kesu_target *reader, const struct kesu_wipe *w, size_t pass,
		       const struct kesu_sample *ranges, size_t nranges, size_t chunk,
		       struct kesu_err *err)
{
	memset(g, 0, sizeof(*g));
	if (nslot > GEN_SLOTS_MAX)
		nslot = GEN_SLOTS_MAX;
	g->nslot = nslot;
	for (size_t i = 0; i < nslot; i++)
		g->s[i].buf = bufs[i];
	g->pass = &w->method.passes[pass];
	g->ranges = ranges;
	g->nranges = nranges;
	g->chunk = chunk;
	g->reader = reader;
	if (!reader && g->pass->kind == KESU_PASS_RANDOM) {
		struct kesu_stream_key k;
		kesu_wipe_pass_key(w, pass, &k);
		enum kesu_rc rc = kesu_stream_new(&k, &g->stream, err);
		explicit_bzero(&k, sizeof(k));
		if (rc != KESU_OK)
			return rc;
	}
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	int e = pthread_create(&g->th, NULL, gen_main, g);
	if (e) {
		pthread_mutex_destroy(&g->mu);
		pthread_cond_destroy(&g->cv);
		kesu_stream_free(g->stream);
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

struct gen_slot *gen_peek(struct gen *g, uint64_t idx, bool block)
{
	pthread_mutex_lock(&g->mu);
	while (block && g->prod <= idx && !g->finished)
		pthread_cond_wait(&g->cv, &g->mu);
	struct gen_slot *s = g->prod > idx ? &g->s[idx % g->nslot] : NULL;
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
	kesu_stream_free(g->stream);
	g->stream = NULL;
	if (g->rc != KESU_OK && err)
		*err = g->err;
	return g->rc;
}
