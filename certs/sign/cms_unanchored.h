/* A detached CMS signature checked without a trusted CA: the signature
 * matches the bytes and the certificate it carries, whoever that is.  For
 * writers that have no [trust] ca_file: it catches an edited file, not a
 * forger with a key of their own (kesu_cms_verify does that). */
#ifndef KESU_CMS_UNANCHORED_H
#define KESU_CMS_UNANCHORED_H

#include "lib/error.h"

#include <stddef.h>

/* signer (size bytes) receives the signer certificate's subject. */
enum kesu_rc kesu_cms_verify_unanchored(const void *data, size_t len,
					const void *der, size_t derlen,
					char *signer, size_t size,
					struct kesu_err *err);

#endif
