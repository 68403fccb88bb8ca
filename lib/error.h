/* Error model shared by every library part of kesu.
 *
 * Library code never exits and never prints: it returns a kesu_rc and, when
 * given a struct kesu_err, a one-line message that names the problem and the
 * fix.  Only main() turns a kesu_rc into an exit code (kesu_exit_code). */
#ifndef KESU_ERROR_H
#define KESU_ERROR_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

enum kesu_rc {
	KESU_OK = 0,
	KESU_ERR_USAGE,       /* bad command line or option value */
	KESU_ERR_NOENT,       /* no such device or file */
	KESU_ERR_NOTSUP,      /* not a block device / regular file, or unsupported */
	KESU_ERR_PERM,        /* permission denied (not root, bad key mode) */
	KESU_ERR_REFUSED,     /* the safety gate refused the target */
	KESU_ERR_GONE,        /* device disappeared or changed while in use */
	KESU_ERR_IO,          /* I/O error outside the erase itself */
	KESU_ERR_INTERRUPTED, /* stopped by a signal */
	KESU_ERR_FAILED,      /* the operation ran but its result is not clean */
	KESU_ERR_INVALID,     /* malformed input file (JSON, certificate, config) */
	KESU_ERR_CRYPTO,      /* signing or signature verification failed */
	KESU_ERR_INTERNAL,    /* out of memory, library failure */
	KESU_ERR_UNSTAMPED,   /* signed and written, but no timestamp token */
};

struct kesu_err {
	enum kesu_rc rc;
	int sys_errno;  /* errno behind the failure, 0 if none */
	/* Always English: run records, certificates, the register and --json
	 * carry it, and they must read the same whatever the locale. */
	char msg[512];
	/* msg in the operator's language, for kesu_err_text; "" when the
	 * catalogue has no translation. */
	char local[512];
	/* Digest of the msg that local translates: code that rewrites msg by
	 * hand leaves local stale, and kesu_err_text must not show it then. */
	unsigned long long local_of;
};

/* Fill *e (if non-NULL) and return rc, so callers can write
 * `return kesu_fail(err, KESU_ERR_NOENT, errno, "%s: no such device", p);`
 * fmt is English and a catalogue key (xgettext --keyword=kesu_fail:4): msg
 * gets the English text, local the translation of the current locale. */
enum kesu_rc kesu_fail(struct kesu_err *e, enum kesu_rc rc, int sys_errno,
		       const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Prefix an existing message with context ("sda: " + old message), the
 * English prefix to msg and its translation to local. */
enum kesu_rc kesu_err_prefix(struct kesu_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void kesu_err_clear(struct kesu_err *e);

/* Gives e's current message its translation, for messages assembled from
 * parts (a field name and what is wrong with it) that no one format holds:
 * fmt here is already translated by the caller, and msg stays as it is. */
void kesu_err_localize(struct kesu_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The message for a person: the translation when it is still the one of
 * msg, else msg, else the result's name.  Never for files or JSON. */
const char *kesu_err_text(const struct kesu_err *e);

/* The documented exit code for a result (see man/kesu.8, EXIT STATUS). */
int kesu_exit_code(enum kesu_rc rc);

const char *kesu_rc_name(enum kesu_rc rc);

/* errno values that mean the device itself went away (removed, powered
 * off, its driver shut down), not that one command failed. */
static inline bool kesu_errno_gone(int e)
{
	return e == ENODEV || e == ENXIO || e == ENOMEDIUM || e == ESHUTDOWN;
}

#endif
