/* Shared by the libFuzzer targets (tests/fuzz/README.md). */
#ifndef KESU_FUZZ_H
#define KESU_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy, for parsers that take C strings. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

/* The CA the CMS and timestamp targets check against: the committed test
 * CA that signed their seeds (tests/fuzz/corpus/cms/). */
static inline const char *fuzz_ca_file(void)
{
	const char *p = getenv("KESU_FUZZ_CA");
	return p && p[0] ? p : "tests/fuzz/ca.pem";
}

#endif
