/* What a stretch of a medium holds, judged from its bytes alone: blank (all
 * 0x00 or all 0xFF), one constant byte, a short repeating pattern, bytes
 * that look random, or anything else ("data").  Pure code; a spot check
 * (spot.h) classifies a medium cell by cell with it. */
#ifndef KESU_REGION_H
#define KESU_REGION_H

#include <stddef.h>
#include <stdint.h>

enum kesu_region_kind {
	KESU_REGION_ZERO,     /* every byte 0x00 */
	KESU_REGION_ONE,      /* every byte 0xFF */
	KESU_REGION_CONSTANT, /* every byte the same other value */
	KESU_REGION_PATTERN,  /* a sequence of 2..16 bytes repeated */
	KESU_REGION_RANDOM,   /* passes the randomness tests (see region.c) */
	KESU_REGION_DATA,     /* none of the above: something was written here */
	KESU_REGION_KINDS
};

/* The longest repeating pattern recognised, in bytes. */
#define KESU_REGION_MAX_PERIOD 16u

/* Shorter buffers are too short for the randomness tests to mean anything:
 * they are "data" unless blank, constant or a pattern. */
#define KESU_REGION_MIN_RANDOM 256u

struct kesu_region_class {
	enum kesu_region_kind kind;
	uint8_t byte;        /* CONSTANT (and ZERO/ONE): the byte */
	unsigned period;     /* PATTERN: its length in bytes */
	/* RANDOM/DATA: the two test statistics as standard scores (chi-square
	 * minus its degrees of freedom, over its standard deviation) of the
	 * symbol frequencies and of the differences of neighbouring symbols. */
	double z_freq, z_diff;
};

void kesu_region_classify(const uint8_t *buf, size_t len, struct kesu_region_class *out);

/* "zero", "one", "constant", "pattern", "random", "data". */
const char *kesu_region_kind_name(enum kesu_region_kind k);

#endif
