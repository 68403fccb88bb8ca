/* The codes a certificate stores (result, reason, class, method...) in
 * words a clerk reads.  The code itself stays on the page, so the printed
 * value can be matched against the signed JSON. */
#ifndef KESU_PRINT_CODES_H
#define KESU_PRINT_CODES_H

#include "certs/print/doc.h"

#include <stddef.h>

struct kesu_code {
	const char *code, *ja, *en;
};

extern const struct kesu_code KESU_CODES_RESULT[], KESU_CODES_RUN_RESULT[],
	KESU_CODES_REASON[], KESU_CODES_CLASS[], KESU_CODES_NIST[],
	KESU_CODES_TECHNIQUE[], KESU_CODES_VERIFY_MODE[], KESU_CODES_OUTCOME[],
	KESU_CODES_BAD_OP[], KESU_CODES_DEVICE_KIND[], KESU_CODES_KIND[];

/* The text for code in the document's language: Japanese "消去完了
 * (erased)", English "erased (Erased)" only where the words add to the
 * code, both "消去完了 / erased".  A code the table lacks is shown as it
 * is; a technique such as "crypto-erase+block-erase" is translated part by
 * part.  Returns buf. */
const char *kesu_code_text(enum kesu_lang lang, const struct kesu_code *table,
			   const char *code, char *buf, size_t bufsz);

/* The entry for code, or NULL. */
const struct kesu_code *kesu_code_find(const struct kesu_code *table,
				       const char *code);

#endif
