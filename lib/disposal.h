/* Why a medium is erased (kesu-certificate(5) asset.reason): the one list
 * the certificate, the approval and the asset map all check against. */
#ifndef KESU_DISPOSAL_H
#define KESU_DISPOSAL_H

#include <stdbool.h>

/* NULL-terminated, for lib/jcheck's kj_enum. */
extern const char *const KESU_DISPOSAL_REASONS[];

/* Whether r is one of KESU_DISPOSAL_REASONS. */
bool kesu_disposal_reason_ok(const char *r);

#endif
