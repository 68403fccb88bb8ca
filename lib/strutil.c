#include "lib/strutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

size_t kesu_utf8_seq(const void *src, size_t n, unsigned *cp)
{
	const unsigned char *s = src;
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		len = 2; min = 0x80; c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3; min = 0x800; c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4; min = 0x10000; c &= 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

static bool is_control(unsigned cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

static bool is_pad(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

static bool is_hidden(unsigned cp)
{
	return cp == 0x00AD || cp == 0x061C || cp == 0x180E ||
	       (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
	       (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF ||
	       (cp >= 0xFFF9 && cp <= 0xFFFB) || (cp >= 0xE0000 && cp <= 0xE007F);
}

static size_t clean(char *dst, size_t dstsz, const void *src, size_t srclen, bool hidden_too)
{
	const unsigned char *s = src;
	size_t n = s ? strnlen((const char *)s, srclen) : 0;
	while (n > 0 && is_pad(s[0])) {
		s++;
		n--;
	}
	while (n > 0 && is_pad(s[n - 1]))
		n--;

	size_t out = 0;
	size_t i = 0;
	while (i < n) {
		unsigned cp = 0;
		size_t len = kesu_utf8_seq(s + i, n - i, &cp);
		const unsigned char *from = s + i;
		size_t take = len;
		if (len == 0 || is_control(cp) || (hidden_too && is_hidden(cp))) {
			from = (const unsigned char *)"?";
			take = 1;
			len = len ? len : 1;
		}
		if (out + take + 1 > dstsz)
			break;
		memcpy(dst + out, from, take);
		out += take;
		i += len;
	}
	dst[out] = '\0';
	return out;
}

size_t kesu_clean(char *dst, size_t dstsz, const void *src, size_t srclen)
{
	return clean(dst, dstsz, src, srclen, true);
}

bool kesu_is_clean(const char *s)
{
	size_t n = strlen(s);
	size_t i = 0;
	while (i < n) {
		unsigned cp;
		size_t len = kesu_utf8_seq(s + i, n - i, &cp);
		if (len == 0 || is_control(cp))
			return false;
		i += len;
	}
	return true;
}

static bool is_space(unsigned cp)
{
	return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85 || cp == 0xA0 ||
	       cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
	       cp == 0x205F || cp == 0x3000;
}

/* Walk s by code point; stop at the first for which fn is true.  Invalid
 * UTF-8 counts as U+FFFD, which no predicate here matches. */
static unsigned first_cp(const char *s, bool (*fn)(unsigned), bool want)
{
	size_t n = strlen(s), i = 0;
	while (i < n) {
		unsigned cp;
		size_t len = kesu_utf8_seq(s + i, n - i, &cp);
		if (!len) {
			cp = 0xFFFD;
			len = 1;
		}
		if (fn(cp) == want)
			return cp;
		i += len;
	}
	return 0;
}

unsigned kesu_text_hidden_char(const char *s)
{
	return first_cp(s, is_hidden, true);
}

bool kesu_text_is_blank(const char *s)
{
	return first_cp(s, is_space, false) == 0;
}

json_t *kesu_json_str(const char *s)
{
	if (!s)
		return json_null();
	/* Hidden characters are kept here: what a person typed goes into a
	 * document as typed, so that the document's judge refuses it and the
	 * person learns why, instead of signing a silently altered name.
	 * Device strings have lost theirs in kesu_clean already. */
	char buf[KESU_STR_MAX + 1];
	size_t n = clean(buf, sizeof(buf), s, strlen(s), false);
	return json_stringn(buf, n);
}

bool kesu_strlcpy(char *dst, const char *src, size_t dstsz)
{
	size_t n = strlen(src);
	if (n < dstsz) {
		memcpy(dst, src, n + 1);
		return true;
	}
	if (dstsz > 0) {
		memcpy(dst, src, dstsz - 1);
		dst[dstsz - 1] = '\0';
	}
	return false;
}

void kesu_hex_encode(const void *data, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

int kesu_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void kesu_size_human(uint64_t bytes, char *out, size_t outsz)
{
	static const char units[] = "BKMGTPE";
	double v = (double)bytes;
	size_t u = 0;
	while (v >= 1024 && u < sizeof(units) - 2) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, outsz, "%" PRIu64 "B", bytes);
	else if (v < 10 && v != (double)(uint64_t)v)
		snprintf(out, outsz, "%.1f%c", v, units[u]);
	else
		snprintf(out, outsz, "%.0f%c", v, units[u]);
}
