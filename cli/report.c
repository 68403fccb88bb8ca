/* How the CLI tells the operator what went wrong: one "kesu: " prefix,
 * on stderr, for failed operations and for usage mistakes alike. */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>

void kesu_report(const struct kesu_err *err)
{
	fprintf(stderr, "kesu: %s\n", err->msg[0] ? err->msg : kesu_rc_name(err->rc));
}

enum kesu_rc kesu_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("kesu: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs("\n", stderr);
	va_end(ap);
	return KESU_ERR_USAGE;
}
