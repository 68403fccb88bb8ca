#include "lib/error.h"
#include "lib/i18n.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* FNV-1a: only tells a msg rewritten behind kesu_fail's back from the one
 * local was made for; nothing depends on it resisting a chosen collision. */
static unsigned long long digest(const char *s)
{
	unsigned long long h = 0xcbf29ce484222325ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static bool local_valid(const struct kesu_err *e)
{
	return e->local[0] && e->local_of == digest(e->msg);
}

enum kesu_rc kesu_fail(struct kesu_err *e, enum kesu_rc rc, int sys_errno,
		       const char *fmt, ...)
{
	if (!e)
		return rc;
	/* Both texts are formatted before either field is written: callers
	 * may pass e->msg itself as an argument. */
	char en[sizeof(e->msg)], tr[sizeof(e->local)];
	const char *tfmt = _(fmt);
	va_list ap, aq;
	va_start(ap, fmt);
	va_copy(aq, ap);
	vsnprintf(en, sizeof(en), fmt, ap);
	tr[0] = '\0';
	if (tfmt != fmt)
		vsnprintf(tr, sizeof(tr), tfmt, aq);
	va_end(aq);
	va_end(ap);
	e->rc = rc;
	e->sys_errno = sys_errno;
	memcpy(e->msg, en, sizeof(en));
	memcpy(e->local, tr, sizeof(tr));
	e->local_of = digest(e->msg);
	return rc;
}

/* dst = prefix + dst, in place, truncated to size. */
static void prepend(char *dst, size_t size, const char *prefix)
{
	/* Truncating the end of a long message is intended: the context that
	 * names the device matters more than the tail. */
	size_t plen = strlen(prefix), olen = strnlen(dst, size - 1);
	if (plen > size - 1)
		plen = size - 1;
	if (plen + olen > size - 1)
		olen = size - 1 - plen;
	memmove(dst + plen, dst, olen);
	memcpy(dst, prefix, plen);
	dst[plen + olen] = '\0';
}

enum kesu_rc kesu_err_prefix(struct kesu_err *e, const char *fmt, ...)
{
	if (!e)
		return KESU_ERR_INTERNAL;
	char en[256], tr[256];
	const char *tfmt = _(fmt);
	va_list ap, aq;
	va_start(ap, fmt);
	va_copy(aq, ap);
	vsnprintf(en, sizeof(en), fmt, ap);
	vsnprintf(tr, sizeof(tr), tfmt, aq);
	va_end(aq);
	va_end(ap);
	/* A prefix in the operator's language before an English message still
	 * reads better than an English line; only when neither part has a
	 * translation does local stay empty. */
	bool had_local = local_valid(e);
	if (had_local || tfmt != fmt) {
		if (!had_local)
			memcpy(e->local, e->msg, sizeof(e->local));
		prepend(e->local, sizeof(e->local), tr);
	} else {
		e->local[0] = '\0';
	}
	prepend(e->msg, sizeof(e->msg), en);
	e->local_of = digest(e->msg);
	return e->rc;
}

void kesu_err_localize(struct kesu_err *e, const char *fmt, ...)
{
	if (!e)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->local, sizeof(e->local), fmt, ap);
	va_end(ap);
	e->local_of = digest(e->msg);
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

const char *kesu_err_text(const struct kesu_err *e)
{
	if (local_valid(e))
		return e->local;
	return e->msg[0] ? e->msg : kesu_rc_name(e->rc);
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
