/* How the CLI tells the operator what went wrong: one "kesu: " prefix,
 * on stderr, for failed operations and for usage mistakes alike. */
#include "cli/cli.h"
#include "lib/i18n.h"
#include "lib/strutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void kesu_report(const struct kesu_err *err)
{
	/* Library messages echo paths, serials and file contents as they came:
	 * cleaned here, the one place they reach the terminal, so no escape
	 * sequence from a device or a file does. */
	char shown[2048];
	const char *text = kesu_err_text(err);
	kesu_clean(shown, sizeof(shown), text, strlen(text));
	fprintf(stderr, "kesu: %s\n", shown);
}

enum kesu_rc kesu_usage_error(const char *fmt, ...)
{
	/* fmt is a catalogue key (xgettext --keyword=kesu_usage_error:1).  The
	 * arguments are often argv as typed: cleaned, so no escape sequence
	 * reaches the terminal. */
	char raw[1024], shown[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), _(fmt), ap);
	va_end(ap);
	kesu_clean(shown, sizeof(shown), raw, strlen(raw));
	fprintf(stderr, "kesu: %s\n", shown);
	return KESU_ERR_USAGE;
}
