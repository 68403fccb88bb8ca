#include "lib/idset.h"

#include <stdlib.h>
#include <string.h>

struct kesu_idset_slot {
	char key[KESU_IDSET_KEY_MAX + 1];
	uint64_t value;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static struct kesu_idset_slot *find(const struct kesu_idset *s, const char *key)
{
	size_t i = (size_t)hash(key) & (s->cap - 1);
	while (s->slots[i].key[0] && strcmp(s->slots[i].key, key))
		i = (i + 1) & (s->cap - 1);
	return &s->slots[i];
}

static bool grow(struct kesu_idset *s)
{
	size_t cap = s->cap ? s->cap * 2 : 1024;
	struct kesu_idset old = *s;
	s->slots = calloc(cap, sizeof(*s->slots));
	if (!s->slots) {
		*s = old;
		return false;
	}
	s->cap = cap;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].key[0])
			*find(s, old.slots[i].key) = old.slots[i];
	free(old.slots);
	return true;
}

bool kesu_idset_add(struct kesu_idset *s, const char *key, uint64_t value,
		    uint64_t *old, bool *oom)
{
	size_t n = strlen(key);
	if (old)
		*old = 0;
	if (oom)
		*oom = false;
	/* Half full at most, so probes stay short and always end. */
	if (!n || n > KESU_IDSET_KEY_MAX || ((s->used + 1) * 2 > s->cap && !grow(s))) {
		if (oom)
			*oom = true;
		return false;
	}
	struct kesu_idset_slot *e = find(s, key);
	if (e->key[0]) {
		if (old)
			*old = e->value;
		return false;
	}
	memcpy(e->key, key, n + 1);
	e->value = value;
	s->used++;
	return true;
}

bool kesu_idset_get(const struct kesu_idset *s, const char *key, uint64_t *value)
{
	if (!s->cap || !key[0] || strlen(key) > KESU_IDSET_KEY_MAX)
		return false;
	const struct kesu_idset_slot *e = find(s, key);
	if (!e->key[0])
		return false;
	if (value)
		*value = e->value;
	return true;
}

void kesu_idset_free(struct kesu_idset *s)
{
	free(s->slots);
	s->slots = NULL;
	s->cap = s->used = 0;
}
