/* How the CLI tells the operator what went wrong: one "kesu: " prefix,
 * on stderr, for failed operations and for usage mistakes alike. */
#include "cli/cli.h"
#include "lib/i18n.h"

#include <stdarg.h>
#include <stdio.h>

void kesu_report(const struct kesu_err *err)
{
	fprintf(stderr, "kesu: %s\n", kesu_err_text(err));
}

enum kesu_rc kesu_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("kesu: ", stderr);
	/* fmt is a catalogue key (xgettext --keyword=kesu_usage_error:1). */
	vfprintf(stderr, _(fmt), ap);
	fputs("\n", stderr);
	va_end(ap);
	return KESU_ERR_USAGE;
}
