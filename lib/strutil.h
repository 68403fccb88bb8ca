/* Handling of untrusted strings: everything read from a device (model,
 * serial, firmware, labels) or typed by a user passes through here before it
 * is shown, stored in JSON, or put into a certificate. */
#ifndef KESU_STRUTIL_H
#define KESU_STRUTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest untrusted string kesu ever keeps (bytes, without the NUL). */
#define KESU_STR_MAX 256

/* Copy at most srclen bytes of src into dst (dstsz bytes including the NUL):
 * stop at the first NUL, trim surrounding white space and padding, replace
 * invalid UTF-8, control characters and the invisible or direction-changing
 * ones of kesu_text_hidden_char with '?' (a drive's model must not read one
 * way on screen and another in the signed bytes, and must not make the
 * certificate of an erasure already done unsignable), and cut at a character
 * boundary so the result always fits and is valid UTF-8.  Returns the length
 * written.  dstsz must be at least 1. */
/* Length of the valid UTF-8 sequence at src (at most n bytes, n >= 1),
 * its code point in *cp; 0 if the bytes there are not one.  Rejects
 * overlong forms, surrogates and code points past U+10FFFF (RFC 3629). */
size_t kesu_utf8_seq(const void *src, size_t n, unsigned *cp);

size_t kesu_clean(char *dst, size_t dstsz, const void *src, size_t srclen);

/* True if s (NUL-terminated) is valid UTF-8 without control characters. */
bool kesu_is_clean(const char *s);

/* The first character of s (valid UTF-8) that a reader cannot see or that
 * reorders what they see: bidirectional embeddings, overrides and isolates
 * (U+202A-U+202E, U+2066-U+2069, U+061C, U+200E, U+200F), zero-width and
 * other invisible format characters (U+00AD, U+180E, U+200B-U+200D,
 * U+2060-U+2064, U+FEFF, U+FFF9-U+FFFB, tags U+E0000-U+E007F), line and
 * paragraph separators.  0 if there is none.  Text with one can say one
 * thing on screen and another in the bytes a signature covers. */
unsigned kesu_text_hidden_char(const char *s);

/* True if s holds nothing but white space, ASCII or Unicode (U+3000, the
 * ideographic space a Japanese keyboard types, included). */
bool kesu_text_is_blank(const char *s);

/* A JSON string for an untrusted value, cleaned and bounded to KESU_STR_MAX;
 * NULL gives JSON null.  Never returns NULL except on out-of-memory. */
json_t *kesu_json_str(const char *s);

/* Lowercase hex of n bytes into out, which holds 2n + 1 bytes. */
void kesu_hex_encode(const void *data, size_t n, char *out);

/* The value of one hex digit, or -1 if c is not one. */
int kesu_hex_digit(int c);

/* Copy with truncation; always NUL-terminates.  Returns true if it fit. */
bool kesu_strlcpy(char *dst, const char *src, size_t dstsz);

/* A size for a narrow column: 1.5T, 256G, 100M, 512B (IEC units, like
 * lsblk). */
void kesu_size_human(uint64_t bytes, char *out, size_t outsz);

#endif
