#include "cli/code_words.h"
#include "lib/i18n.h"

#include <stdio.h>
#include <string.h>

bool kesu_cli_ja(void)
{
	/* The catalogue in use names its language: the codes follow the
	 * messages (LANGUAGE, LC_ALL, LC_MESSAGES, LANG as gettext reads
	 * them), never a second guess at the locale. */
	/* TRANSLATORS: the language of this catalogue, "ja" in the Japanese
	 * one; kesu cert show and approval show then give codes in the
	 * printed page's Japanese words. */
	return !strcmp(_("messages-language:en"), "messages-language:ja");
}

const char *kesu_cli_code(const struct kesu_code *table, const char *code,
			  char *buf, size_t bufsz)
{
	if (code && kesu_cli_ja())
		return kesu_code_text(KESU_LANG_JA, table, code, buf, bufsz);
	snprintf(buf, bufsz, "%s", code ? code : "-");
	return buf;
}
