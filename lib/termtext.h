/* Text laid out in terminal columns.  Japanese characters take two columns,
 * combining marks none: byte counts (printf's %-10s) misalign a table as
 * soon as one cell is translated or a device reports a non-ASCII model. */
#ifndef KESU_TERMTEXT_H
#define KESU_TERMTEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Columns s takes on a terminal.  s is text kesu_clean has passed (valid
 * UTF-8 without controls); a byte that is not counts one column, as the
 * '?' kesu_term_cell would print for it.  Widths are Unicode's (glibc's
 * C.UTF-8 tables), whatever the process locale. */
size_t kesu_term_width(const char *s);

/* One table cell: src cleaned as kesu_clean does (controls, invalid UTF-8,
 * characters without a width and bidirectional controls become '?'), cut
 * at a character boundary to at most cols columns, then padded with spaces
 * to exactly cols columns, on the right or, with right_align, on the left.
 * An empty src prints as "-".  Returns the bytes written to dst, which is
 * always NUL-terminated; a dst too small for the cell gets a shorter one. */
size_t kesu_term_cell(char *dst, size_t dstsz, const char *src, size_t cols,
		      bool right_align);

/* Drops an incomplete UTF-8 sequence at the end of s, as a truncating
 * snprintf leaves when the buffer ends inside a multi-byte character. */
void kesu_utf8_cut(char *s);

#endif
