/* Arrays that grow one element at a time, without a capacity field: the
 * allocation is always the element count rounded up to a power of two, so
 * appending stays amortised O(1) and every struct keeps its plain (v, n)
 * pair.  Only arrays grown through KESU_APPEND (or empty ones) may be
 * appended to. */
#ifndef KESU_ARRAY_H
#define KESU_ARRAY_H

#include <stddef.h>
#include <string.h>

/* Room for element n of v (n elements of `size` bytes each so far): v
 * itself, or v reallocated.  NULL when out of memory; v is then unchanged
 * and still owned by the caller. */
void *kesu_array_grow(void *v, size_t n, size_t size);

/* Append one zeroed element to arr (a pointer variable holding n elements)
 * and evaluate to a pointer to it, or to NULL when out of memory (arr and n
 * unchanged). */
#define KESU_APPEND(arr, n)                                                     \
	__extension__({                                                         \
		__typeof__(arr) kesu_a_ = kesu_array_grow((arr), (n), sizeof(*(arr))); \
		__typeof__(arr) kesu_e_ = NULL;                                 \
		if (kesu_a_) {                                                  \
			(arr) = kesu_a_;                                        \
			kesu_e_ = &kesu_a_[(n)++];                              \
			memset(kesu_e_, 0, sizeof(*kesu_e_));                   \
		}                                                               \
		kesu_e_;                                                        \
	})

#endif
