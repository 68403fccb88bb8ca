#include "lib/array.h"

#include <stdint.h>
#include <stdlib.h>

void *kesu_array_grow(void *v, size_t n, size_t size)
{
	/* Full exactly when n is 0 or a power of two. */
	if (n & (n - 1))
		return v;
	size_t cap = n ? 2 * n : 1;
	if (!size || cap > SIZE_MAX / size)
		return NULL;
	return realloc(v, cap * size);
}
