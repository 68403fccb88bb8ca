#include "lib/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum kesu_rc kesu_fail(struct kesu_err *e, enum kesu_rc rc, int sys_errno,
		       const char *fmt, ...)
{
	if (!e)
		return rc;
	e->rc = rc;
	e->sys_errno = sys_errno;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return rc;
}

enum kesu_rc kesu_err_prefix(struct kesu_err *e, const char *fmt, ...)
{
	if (!e)
		return KESU_ERR_INTERNAL;
	char prefix[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	/* Truncating the end of a long message is intended: the context that
	 * names the device matters more than the tail. */
	size_t plen = strlen(prefix), olen = strnlen(e->msg, sizeof(e->msg) - 1);
	if (plen > sizeof(e->msg) - 1)
		plen = sizeof(e->msg) - 1;
	if (plen + olen > sizeof(e->msg) - 1)
		olen = sizeof(e->msg) - 1 - plen;
	memmove(e->msg + plen, e->msg, olen);
	memcpy(e->msg, prefix, plen);
	e->msg[plen + olen] = '\0';
	return e->rc;
}

void kesu_err_clear(struct kesu_err *e)
{
	if (e)
		memset(e, 0, sizeof(*e));
}

/* Exit codes are part of the interface: scripts act on them, so they never
 * change meaning.  Keep in sync with man/kesu.8. */
int kesu_exit_code(enum kesu_rc rc)
{
	switch (rc) {
	case KESU_OK: return 0;
	case KESU_ERR_FAILED: return 1;
	case KESU_ERR_USAGE: return 2;
	case KESU_ERR_NOENT: return 3;
	case KESU_ERR_NOTSUP: return 4;
	case KESU_ERR_PERM: return 5;
	case KESU_ERR_REFUSED: return 6;
	case KESU_ERR_GONE: return 7;
	case KESU_ERR_IO: return 7;
	case KESU_ERR_INTERRUPTED: return 8;
	case KESU_ERR_INVALID: return 9;
	case KESU_ERR_CRYPTO: return 9;
	case KESU_ERR_INTERNAL: return 10;
	case KESU_ERR_UNSTAMPED: return 11;
	}
	return 10;
}

const char *kesu_rc_name(enum kesu_rc rc)
{
	switch (rc) {
	case KESU_OK: return "ok";
	case KESU_ERR_USAGE: return "usage";
	case KESU_ERR_NOENT: return "no-such-device";
	case KESU_ERR_NOTSUP: return "not-supported";
	case KESU_ERR_PERM: return "permission-denied";
	case KESU_ERR_REFUSED: return "refused";
	case KESU_ERR_GONE: return "device-gone";
	case KESU_ERR_IO: return "io-error";
	case KESU_ERR_INTERRUPTED: return "interrupted";
	case KESU_ERR_FAILED: return "failed";
	case KESU_ERR_INVALID: return "invalid";
	case KESU_ERR_CRYPTO: return "signature";
	case KESU_ERR_INTERNAL: return "internal";
	case KESU_ERR_UNSTAMPED: return "no-timestamp";
	}
	return "internal";
}
