#include "lib/termtext.h"
#include "lib/strutil.h"

#include <locale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static locale_t utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void open_utf8(void)
{
	utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* Decodes one character of text known to be valid UTF-8 (kesu_clean's
 * output); returns its length, 1 for a stray byte. */
static size_t decode(const unsigned char *s, unsigned *cp)
{
	unsigned c = s[0];
	size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	if (len == 1) {
		*cp = c;
		return 1;
	}
	unsigned v = c & (0x3F >> (len - 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		v = (v << 6) | (s[i] & 0x3F);
	}
	*cp = v;
	return len;
}

/* Bidirectional embeddings, overrides and isolates would let a device's
 * model string reorder the columns after it. */
static bool is_bidi_control(unsigned cp)
{
	return cp == 0x200E || cp == 0x200F || cp == 0x061C ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Columns of one code point, or -1 if it must not reach a terminal as is. */
static int cp_width(unsigned cp)
{
	if (cp < 0x80)
		return cp >= 0x20 && cp != 0x7F ? 1 : -1;
	if (is_bidi_control(cp) || cp == 0xFFFD)
		return -1;
	pthread_once(&utf8_once, open_utf8);
	if (!utf8_locale)
		return 1;
	/* uselocale is per thread: the engine's threads are not disturbed. */
	locale_t old = uselocale(utf8_locale);
	int w = wcwidth((wchar_t)cp);
	uselocale(old);
	return w;
}

size_t kesu_term_width(const char *s)
{
	size_t cols = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned cp;
		p += decode(p, &cp);
		int w = cp_width(cp);
		cols += w < 0 ? 1 : (size_t)w;
	}
	return cols;
}

size_t kesu_term_cell(char *dst, size_t dstsz, const char *src, size_t cols,
		      bool right_align)
{
	if (dstsz == 0)
		return 0;
	size_t srclen = strlen(src);
	char *clean = malloc(srclen + 1);
	size_t n = clean ? kesu_clean(clean, srclen + 1, src, srclen) : 0;
	const char *text = !clean ? "?" : n ? clean : "-";
	/* The cell's own text first, then its padding moved in front when it
	 * is right-aligned. */
	size_t out = 0, used = 0;
	const unsigned char *p = (const unsigned char *)text;
	while (*p) {
		unsigned cp;
		size_t len = decode(p, &cp);
		int w = cp_width(cp);
		const char *bytes = (const char *)p;
		size_t blen = len;
		if (w < 0) {
			bytes = "?";
			blen = 1;
			w = 1;
		}
		if (used + (size_t)w > cols || out + blen + 1 > dstsz)
			break;
		memcpy(dst + out, bytes, blen);
		out += blen;
		used += (size_t)w;
		p += len;
	}
	size_t pad = cols - used;
	if (out + pad + 1 > dstsz)
		pad = dstsz - 1 - out;
	if (right_align) {
		memmove(dst + pad, dst, out);
		memset(dst, ' ', pad);
	} else {
		memset(dst + out, ' ', pad);
	}
	out += pad;
	dst[out] = '\0';
	free(clean);
	return out;
}

void kesu_utf8_cut(char *s)
{
	size_t n = strlen(s), i = n, cont = 0;
	while (i > 0 && cont < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) {
		i--;
		cont++;
	}
	if (i == 0)
		return;
	unsigned char lead = (unsigned char)s[i - 1];
	size_t need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
	if (lead >= 0xC0 && cont < need)
		s[i - 1] = '\0';
}
