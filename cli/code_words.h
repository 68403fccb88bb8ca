/* A document's codes (reason "disposal", result "erased", class "2",
 * technique "overwrite"...) as the show verbs print them for a person: in
 * the operator's language, the way the printed page has them ("廃棄
 * (disposal)"), from the page's own table (certs/print/codes.h), so the
 * terminal and the paper never use two words for one code.  The code
 * itself stays beside the words; --json prints the bare code. */
#ifndef KESU_CLI_CODE_WORDS_H
#define KESU_CLI_CODE_WORDS_H

#include "certs/print/codes.h"

#include <stdbool.h>
#include <stddef.h>

/* True when the messages are Japanese (the catalogue says so). */
bool kesu_cli_ja(void);

/* code in words when the messages are Japanese, else code as it is ("-"
 * for NULL).  Returns buf. */
const char *kesu_cli_code(const struct kesu_code *table, const char *code,
			  char *buf, size_t bufsz);

#endif
