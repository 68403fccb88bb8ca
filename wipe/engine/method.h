/* Erasure methods as data: each is a list of passes plus its verification
 * rule and NIST SP 800-88 category.  Pure code; no I/O. */
#ifndef KESU_METHOD_H
#define KESU_METHOD_H

#include "lib/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KESU_PATTERN_MAX 16
#define KESU_PASSES_MAX 40

enum kesu_pass_kind {
	KESU_PASS_PATTERN, /* pattern[0..pattern_len) repeated; a fixed byte is len 1 */
	KESU_PASS_RANDOM,  /* AES-CTR stream (stream.h), verified by regeneration */
};

struct kesu_pass {
	enum kesu_pass_kind kind;
	uint8_t pattern[KESU_PATTERN_MAX];
	uint8_t pattern_len;
};

enum kesu_nist_category { KESU_NIST_CLEAR, KESU_NIST_PURGE };

enum kesu_verify_mode {
	KESU_VERIFY_LAST,   /* read back the whole final pass */
	KESU_VERIFY_ALL,    /* read back every pass */
	KESU_VERIFY_NONE,
	KESU_VERIFY_SAMPLE, /* NIST sampling (sampling.h) of the final pass */
};

struct kesu_method {
	char name[48];
	const char *description;   /* one line, static text */
	enum kesu_nist_category category;
	const char *technique;     /* "overwrite" for every overwrite method */
	enum kesu_verify_mode verify;  /* the method's default */
	size_t npasses;
	struct kesu_pass passes[KESU_PASSES_MAX];
};

/* The built-in table, in the order `kesu methods` shows it. */
const struct kesu_method *kesu_methods(size_t *count);

/* NULL if no built-in method has that name. */
const struct kesu_method *kesu_method_find(const char *name);

/* A custom method from --passes LIST: comma-separated items, each
 * "random" or a hex pattern of 1..KESU_PATTERN_MAX bytes ("00", "ff",
 * "924924").  Category clear, verify last. */
enum kesu_rc kesu_method_custom(const char *list, struct kesu_method *out,
				struct kesu_err *err);

/* Fill buf with a pattern pass's bytes for the medium range starting at
 * byte `offset`, so a pattern stays aligned to the medium, not to the chunk. */
void kesu_pass_fill_pattern(const struct kesu_pass *p, uint64_t offset,
			    uint8_t *buf, size_t len);

/* "00", "ff", "924924", or "random": how a pass is named in records. */
void kesu_pass_describe(const struct kesu_pass *p, char *buf, size_t bufsz);

const char *kesu_verify_mode_name(enum kesu_verify_mode m);
bool kesu_verify_mode_parse(const char *s, enum kesu_verify_mode *out);
const char *kesu_nist_category_name(enum kesu_nist_category c);

/* {"name":…, "nist_category":…, "technique":…, "verify":…, "description":…,
 *  "passes":["00","ff","random"]} */
json_t *kesu_method_to_json(const struct kesu_method *m);

#endif
