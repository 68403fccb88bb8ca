/* The built-in erasure methods and the --passes parser.
 *
 * Sources for the pass lists (facts only; checked 2026-11):
 * - NIST SP 800-88 Rev.1 (2014), section 2.4 and Appendix A: Clear by one
 *   overwrite of a fixed value on magnetic media (table ); USB
 *   removable media and memory cards: "at least two passes, to include a
 *   pattern in the first pass and its complement in the second".
 * - DoD 5220.22-M (1995) clearing/sanitization matrix, method "E": a
 *   character, its complement, then a random character, verify; "ECE":
 *   E, then "C" (a single character), then E again: 7 passes.  The standard
 *   lets the operator pick the character; kesu fixes it so a method is data
 *   that records and certificates can name byte for byte.  Same structure as
 *   nwipe's dodshort / dod522022m (nwipe 0.33 src/method.c).
 * - P. Gutmann, "Secure Deletion of Data from Magnetic and Solid-State
 *   Memory", USENIX Security 1996, table of 35 passes: 4 random, 27 fixed
 *   (passes 5-31), 4 random.  Gutmann suggests running the fixed passes in a
 *   random order; kesu keeps the paper's order so that the record is
 *   reproducible and checkable.
 * - HMG Infosec Standard No. 5 (CESG): Baseline = one pass of zeros with
 *   verification; Enhanced = 0x00, 0xFF, random, with verification.
 * - RCMP TSSIT OPS-II, Appendix OPS-II (Media Sanitization): six passes
 *   alternating a value and its complement, a seventh random pass that stays
 *   on the medium, verified (as nwipe's ops2 does).
 * - VSITR (German BSI, Richtlinien zum Geheimschutz von Verschlusssachen):
 *   0x00 and 0xFF alternating six times, seventh pass 0xAA.
 * - B. Schneier, Applied Cryptography 2nd ed. section 10.9: all ones, all
 *   zeros, then five cryptographically secure pseudorandom passes. */
#include "wipe/engine/method.h"

#include "lib/strutil.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define P1(b) {.kind = KESU_PASS_PATTERN, .pattern = {b}, .pattern_len = 1}
#define P3(a, b, c) {.kind = KESU_PASS_PATTERN, .pattern = {a, b, c}, .pattern_len = 3}
#define RND {.kind = KESU_PASS_RANDOM, .pattern_len = 0}

#define OVERWRITE(nm, desc, ...)                                        \
	{                                                               \
		.name = nm, .description = desc,                        \
		.category = KESU_NIST_CLEAR, .technique = "overwrite",  \
		.verify = KESU_VERIFY_LAST,                             \
		.npasses = sizeof((struct kesu_pass[]){__VA_ARGS__}) /  \
			   sizeof(struct kesu_pass),                    \
		.passes = {__VA_ARGS__},                                \
	}

static const struct kesu_method builtin[] = {
	OVERWRITE("nist-clear",
		  "NIST SP 800-88 Clear: one pass of 0x00, every byte read back",
		  P1(0x00)),
	OVERWRITE("nist-clear-flash",
		  "NIST SP 800-88 Clear for USB flash and memory cards: 0x55 then its complement 0xAA",
		  P1(0x55), P1(0xAA)),
	OVERWRITE("zero", "one pass of 0x00", P1(0x00)),
	OVERWRITE("one", "one pass of 0xFF", P1(0xFF)),
	OVERWRITE("random", "one pass of AES-128-CTR pseudorandom data", RND),
	OVERWRITE("dod-3", "DoD 5220.22-M (E): 0x00, its complement 0xFF, random",
		  P1(0x00), P1(0xFF), RND),
	OVERWRITE("dod-7",
		  "DoD 5220.22-M (ECE): 0x00, 0xFF, random, 0x55, 0x00, 0xFF, random",
		  P1(0x00), P1(0xFF), RND, P1(0x55), P1(0x00), P1(0xFF), RND),
	OVERWRITE("gutmann",
		  "Gutmann 1996: 4 random, 27 fixed patterns for MFM/RLL encodings, 4 random",
		  RND, RND, RND, RND,
		  P1(0x55), P1(0xAA),
		  P3(0x92, 0x49, 0x24), P3(0x49, 0x24, 0x92), P3(0x24, 0x92, 0x49),
		  P1(0x00), P1(0x11), P1(0x22), P1(0x33), P1(0x44), P1(0x55),
		  P1(0x66), P1(0x77), P1(0x88), P1(0x99), P1(0xAA), P1(0xBB),
		  P1(0xCC), P1(0xDD), P1(0xEE), P1(0xFF),
		  P3(0x92, 0x49, 0x24), P3(0x49, 0x24, 0x92), P3(0x24, 0x92, 0x49),
		  P3(0x6D, 0xB6, 0xDB), P3(0xB6, 0xDB, 0x6D), P3(0xDB, 0x6D, 0xB6),
		  RND, RND, RND, RND),
	OVERWRITE("hmg-is5-baseline", "HMG IS5 Baseline: one pass of 0x00, verified",
		  P1(0x00)),
	OVERWRITE("hmg-is5-enhanced", "HMG IS5 Enhanced: 0x00, 0xFF, random, verified",
		  P1(0x00), P1(0xFF), RND),
	OVERWRITE("rcmp-ops2",
		  "RCMP TSSIT OPS-II: 0x00/0xFF alternating six times, then random",
		  P1(0x00), P1(0xFF), P1(0x00), P1(0xFF), P1(0x00), P1(0xFF), RND),
	OVERWRITE("vsitr", "German VSITR: 0x00/0xFF alternating six times, then 0xAA",
		  P1(0x00), P1(0xFF), P1(0x00), P1(0xFF), P1(0x00), P1(0xFF), P1(0xAA)),
	OVERWRITE("schneier", "Schneier: 0xFF, 0x00, then five random passes",
		  P1(0xFF), P1(0x00), RND, RND, RND, RND, RND),
};

const struct kesu_method *kesu_methods(size_t *count)
{
	*count = sizeof(builtin) / sizeof(builtin[0]);
	return builtin;
}

const struct kesu_method *kesu_method_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (!strcmp(builtin[i].name, name))
			return &builtin[i];
	return NULL;
}

#define PASSES_HINT "give a comma-separated list like 00,ff,random"

static enum kesu_rc parse_item(const char *s, size_t n, size_t index,
			       struct kesu_pass *p, struct kesu_err *err)
{
	memset(p, 0, sizeof(*p));
	if (n == 0)
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "--passes: item %zu is empty; " PASSES_HINT, index);
	if (n == 6 && !strncasecmp(s, "random", 6)) {
		p->kind = KESU_PASS_RANDOM;
		return KESU_OK;
	}
	/* Show at most 40 characters of a bad item: the rest adds nothing. */
	int shown = n > 40 ? 40 : (int)n;
	if (n % 2)
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "--passes: item %zu '%.*s' has an odd number of hex digits; "
				 "write each byte as two digits (0f, not f)",
				 index, shown, s);
	for (size_t i = 0; i < n; i++)
		if (kesu_hex_digit((unsigned char)s[i]) < 0)
			return kesu_fail(err, KESU_ERR_USAGE, 0,
					 "--passes: item %zu '%.*s' is neither 'random' nor hex bytes; "
					 PASSES_HINT, index, shown, s);
	if (n / 2 > KESU_PATTERN_MAX)
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "--passes: item %zu is a %zu-byte pattern; use at most %d bytes",
				 index, n / 2, KESU_PATTERN_MAX);
	p->kind = KESU_PASS_PATTERN;
	p->pattern_len = (uint8_t)(n / 2);
	for (size_t i = 0; i < n / 2; i++)
		p->pattern[i] = (uint8_t)(kesu_hex_digit((unsigned char)s[2 * i]) << 4 |
					  kesu_hex_digit((unsigned char)s[2 * i + 1]));
	return KESU_OK;
}

enum kesu_rc kesu_method_custom(const char *list, struct kesu_method *out,
				struct kesu_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!list || !*list)
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "--passes: the list is empty; " PASSES_HINT);
	memcpy(out->name, "custom", sizeof("custom"));
	out->description = "custom passes given with --passes";
	out->category = KESU_NIST_CLEAR;
	out->technique = "overwrite";
	out->verify = KESU_VERIFY_LAST;

	const char *s = list;
	for (size_t index = 1;; index++) {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		if (out->npasses == KESU_PASSES_MAX) {
			memset(out, 0, sizeof(*out));
			return kesu_fail(err, KESU_ERR_USAGE, 0,
					 "--passes: more than %d passes; give at most %d",
					 KESU_PASSES_MAX, KESU_PASSES_MAX);
		}
		enum kesu_rc rc = parse_item(s, n, index, &out->passes[out->npasses], err);
		if (rc != KESU_OK) {
			memset(out, 0, sizeof(*out));
			return rc;
		}
		out->npasses++;
		if (!comma)
			break;
		s = comma + 1;
	}
	return KESU_OK;
}

void kesu_pass_fill_pattern(const struct kesu_pass *p, uint64_t offset,
			    uint8_t *buf, size_t len)
{
	size_t plen = p->pattern_len ? p->pattern_len : 1;
	if (len == 0)
		return;
	if (plen == 1) {
		memset(buf, p->pattern[0], len);
		return;
	}
	/* One period starting at the pattern's phase for this medium offset,
	 * then copy what is already filled onto the rest, doubling each time:
	 * a prefix whose length is a multiple of the period stays periodic. */
	size_t phase = (size_t)(offset % plen);
	size_t n = len < plen ? len : plen;
	for (size_t i = 0; i < n; i++)
		buf[i] = p->pattern[(phase + i) % plen];
	while (n < len) {
		size_t c = n < len - n ? n : len - n;
		memcpy(buf + n, buf, c);
		n += c;
	}
}

void kesu_pass_describe(const struct kesu_pass *p, char *buf, size_t bufsz)
{
	if (bufsz == 0)
		return;
	if (p->kind == KESU_PASS_RANDOM) {
		snprintf(buf, bufsz, "random");
		return;
	}
	size_t n = p->pattern_len;
	if (2 * n + 1 > bufsz)
		n = (bufsz - 1) / 2;
	kesu_hex_encode(p->pattern, n, buf);
}

const char *kesu_verify_mode_name(enum kesu_verify_mode m)
{
	switch (m) {
	case KESU_VERIFY_LAST: return "last";
	case KESU_VERIFY_ALL: return "all";
	case KESU_VERIFY_NONE: return "none";
	case KESU_VERIFY_SAMPLE: return "sample";
	}
	return "unknown";
}

bool kesu_verify_mode_parse(const char *s, enum kesu_verify_mode *out)
{
	static const enum kesu_verify_mode all[] = {
		KESU_VERIFY_LAST, KESU_VERIFY_ALL, KESU_VERIFY_NONE, KESU_VERIFY_SAMPLE};
	if (!s)
		return false;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(s, kesu_verify_mode_name(all[i]))) {
			*out = all[i];
			return true;
		}
	return false;
}

const char *kesu_nist_category_name(enum kesu_nist_category c)
{
	switch (c) {
	case KESU_NIST_CLEAR: return "clear";
	case KESU_NIST_PURGE: return "purge";
	}
	return "unknown";
}

json_t *kesu_method_to_json(const struct kesu_method *m)
{
	json_t *passes = json_array();
	if (!passes)
		return NULL;
	for (size_t i = 0; i < m->npasses && i < KESU_PASSES_MAX; i++) {
		char d[2 * KESU_PATTERN_MAX + 1];
		kesu_pass_describe(&m->passes[i], d, sizeof(d));
		if (json_array_append_new(passes, json_string(d))) {
			json_decref(passes);
			return NULL;
		}
	}
	/* The name of a custom or built-in method is ours, but it sits in a
	 * fixed char array: kesu_json_str bounds and cleans it regardless. */
	return json_pack("{s:o, s:s, s:s, s:s, s:s?, s:o}",
			 "name", kesu_json_str(m->name),
			 "nist_category", kesu_nist_category_name(m->category),
			 "technique", m->technique ? m->technique : "overwrite",
			 "verify", kesu_verify_mode_name(m->verify),
			 "description", m->description,
			 "passes", passes);
}
