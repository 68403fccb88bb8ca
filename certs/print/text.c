#include "certs/print/text.h"
#include "lib/strutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Characters a reader cannot see or that move other text: C0/C1 controls,
 * zero-width and direction marks, bidi embeddings, overrides and isolates,
 * line/paragraph separators, the BOM, and the interlinear annotation
 * characters.  Shown as code points, never passed to the layout engine. */
static bool hidden(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ||
	       (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
	       (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF ||
	       (cp >= 0xFFF9 && cp <= 0xFFFB) || cp == 0x00AD || cp == 0x061C ||
	       (cp >= 0xE0000 && cp <= 0xE007F);
}

char *kesu_print_text(const char *s, size_t max_chars, bool *replaced)
{
	if (replaced)
		*replaced = false;
	if (!s)
		return strdup("-");
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), total = 0;
	for (size_t i = 0; i < n; total++) {
		unsigned cp;
		size_t l = kesu_utf8_seq(p + i, n - i, &cp);
		i += l ? l : 1;
	}
	/* Each shown character takes at most 8 bytes (<U+XXXXX>, <0xXX>), plus
	 * the cut note. */
	size_t shown = total < max_chars ? total : max_chars;
	char *out = malloc(shown * 10 + 64);
	if (!out)
		return NULL;
	size_t o = 0, i = 0;
	for (size_t k = 0; k < shown; k++) {
		unsigned cp;
		size_t l = kesu_utf8_seq(p + i, n - i, &cp);
		if (!l) {
			o += (size_t)sprintf(out + o, "<0x%02X>", p[i]);
			i++;
			if (replaced)
				*replaced = true;
		} else if (hidden(cp)) {
			o += (size_t)sprintf(out + o, "<U+%04X>", cp);
			i += l;
			if (replaced)
				*replaced = true;
		} else {
			memcpy(out + o, p + i, l);
			o += l;
			i += l;
		}
	}
	if (shown < total)
		o += (size_t)sprintf(out + o, "… [%zu chars]", total);
	out[o] = '\0';
	return out;
}
