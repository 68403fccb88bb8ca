/* The list of bad ranges a wipe keeps: blocks that could not be written,
 * read back differently or could not be read, merged and sorted, so a run
 * record lists each failing stretch once.  Pure code. */
#include "wipe/engine/engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *kesu_bad_op_name(enum kesu_bad_op op)
{
	switch (op) {
	case KESU_BAD_WRITE: return "write";
	case KESU_BAD_READ: return "read";
	case KESU_BAD_VERIFY: return "verify";
	}
	return "?";
}

bool kesu_bad_op_parse(const char *s, enum kesu_bad_op *out)
{
	static const enum kesu_bad_op all[] = {KESU_BAD_WRITE, KESU_BAD_READ,
					       KESU_BAD_VERIFY};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(s, kesu_bad_op_name(all[i]))) {
			*out = all[i];
			return true;
		}
	return false;
}

static int range_cmp(const struct kesu_bad_range *a, const struct kesu_bad_range *b)
{
	if (a->first_lba != b->first_lba)
		return a->first_lba < b->first_lba ? -1 : 1;
	return (int)a->op - (int)b->op;
}

enum kesu_rc kesu_bad_add(struct kesu_bad_list *l, uint64_t lba, uint64_t count,
			  enum kesu_bad_op op, struct kesu_err *err)
{
	if (count == 0)
		return KESU_OK;
	struct kesu_bad_range nr = {lba, count, op};
	/* Swallow every range of the same op that overlaps or touches. */
	size_t j = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct kesu_bad_range *r = &l->v[i];
		if (r->op == op && r->first_lba <= nr.first_lba + nr.count &&
		    nr.first_lba <= r->first_lba + r->count) {
			uint64_t end = nr.first_lba + nr.count;
			if (r->first_lba + r->count > end)
				end = r->first_lba + r->count;
			if (r->first_lba < nr.first_lba)
				nr.first_lba = r->first_lba;
			nr.count = end - nr.first_lba;
			continue;
		}
		l->v[j++] = *r;
	}
	l->n = j;
	if (l->n >= KESU_BAD_RANGES_MAX)
		return kesu_fail(err, KESU_ERR_FAILED, 0,
				 "more than %d separate bad ranges; the medium is failing, "
				 "destroy it physically",
				 KESU_BAD_RANGES_MAX);
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct kesu_bad_range *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	size_t pos = l->n;
	while (pos > 0 && range_cmp(&l->v[pos - 1], &nr) > 0)
		pos--;
	memmove(&l->v[pos + 1], &l->v[pos], (l->n - pos) * sizeof(nr));
	l->v[pos] = nr;
	l->n++;
	return KESU_OK;
}

uint64_t kesu_bad_blocks(const struct kesu_bad_list *l)
{
	/* Sorted by first_lba, so one sweep counts the union. */
	uint64_t total = 0, end = 0;
	bool any = false;
	for (size_t i = 0; i < l->n; i++) {
		uint64_t a = l->v[i].first_lba, b = a + l->v[i].count;
		if (!any || a >= end) {
			total += b - a;
			end = b;
			any = true;
		} else if (b > end) {
			total += b - end;
			end = b;
		}
	}
	return total;
}

void kesu_bad_free(struct kesu_bad_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}
