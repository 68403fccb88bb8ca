/* The erasure methods and techniques a certificate may name.
 *
 * certs/ may not include wipe/, yet a verifier must refuse a certificate
 * naming a method kesu never had: this is the certificate side's own copy of
 * the names.  tests/unit/test_method_catalog.c checks it against the wipe
 * engine's and the firmware purge's tables, so the two cannot drift apart
 * silently. */
#ifndef KESU_METHOD_CATALOG_H
#define KESU_METHOD_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

enum kesu_catalog_kind {
	KESU_CATALOG_OVERWRITE,  /* technique "overwrite", NIST clear */
	KESU_CATALOG_PURGE,      /* a drive command, NIST purge (or clear) */
};

struct kesu_catalog_method {
	const char *name;
	enum kesu_catalog_kind kind;
	const char *technique;   /* what the run record says for this method */
};

const struct kesu_catalog_method *kesu_catalog_methods(size_t *count);
const struct kesu_catalog_method *kesu_catalog_find(const char *name);

/* NULL if method/technique/nist_category form a combination kesu writes
 * ("NAME", or "PURGE+OVERWRITE" for a purge followed by --then), otherwise
 * why not.  "auto" is the technique of a "purge" that never chose its
 * command: allowed only when the run did not end erased (erasing). */
const char *kesu_catalog_check(const char *method, const char *technique,
			       const char *nist_category, bool erasing);

#endif
