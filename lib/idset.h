/* A set of short identifiers (UUIDs and the like) with a number kept for
 * each, for finding duplicates among hundreds of thousands of records in
 * linear time. */
#ifndef KESU_IDSET_H
#define KESU_IDSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KESU_IDSET_KEY_MAX 63

struct kesu_idset {
	struct kesu_idset_slot *slots;
	size_t cap, used;
};

/* Add key with value; if key is already present, leave the set unchanged,
 * put the stored value in *old (if non-NULL) and return false.  Keys longer
 * than KESU_IDSET_KEY_MAX and allocation failures also return false, with
 * *old = 0 and *oom set, so callers never mistake them for duplicates. */
bool kesu_idset_add(struct kesu_idset *s, const char *key, uint64_t value,
		    uint64_t *old, bool *oom);

/* The value stored for key, or false if absent. */
bool kesu_idset_get(const struct kesu_idset *s, const char *key, uint64_t *value);

void kesu_idset_free(struct kesu_idset *s);

#endif
