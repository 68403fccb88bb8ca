/* Untrusted text on paper.  Every string a page shows (from a certificate,
 * a signer's certificate or the register) passes through here: control and
 * direction-changing characters are replaced by a visible <U+XXXX>, so a
 * serial cannot hide characters or reorder itself on the page, and the
 * length is bounded so a 10,000-character name leaves room for the rest. */
#ifndef KESU_PRINT_TEXT_H
#define KESU_PRINT_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Longest value a page shows, in characters, before cutting with a note
 * of the full length. */
#define KESU_PRINT_MAX_CHARS 240

/* A new NUL-terminated string (caller frees; NULL only on out of memory)
 * holding s made safe to show: characters that are invisible or change
 * the layout are written <U+XXXX>, invalid UTF-8 bytes <0xXX>, and text
 * past max_chars characters is cut and ends with "… [N chars]".  s NULL
 * gives "-".  *replaced (if not NULL) tells whether anything was
 * replaced. */
char *kesu_print_text(const char *s, size_t max_chars, bool *replaced);

#endif
