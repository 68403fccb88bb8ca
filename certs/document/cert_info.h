/* The certificate details (struct kesu_cert_info) as JSON, for a checkpoint
 * to keep: a resumed wipe certifies the asset the interrupted one was
 * started for, never one typed afresh at the resume. */
#ifndef KESU_CERT_INFO_H
#define KESU_CERT_INFO_H

#include "certs/document/certificate.h"
#include "lib/error.h"

#include <jansson.h>
#include <stddef.h>

/* Every field, empty ones as "" (new reference). */
json_t *kesu_cert_info_to_json(const struct kesu_cert_info *info);

/* Strict inverse: unknown or missing keys, wrong types, over-long or unclean
 * strings and a class outside 0..3 are KESU_ERR_INVALID. */
enum kesu_rc kesu_cert_info_from_json(const json_t *j, struct kesu_cert_info *info,
				      struct kesu_err *err);

/* Pure: does what the operator typed at a resume (`given`, empty fields not
 * given) differ from what the run was started with (`saved`)?  Returns the
 * command-line option of the first field that differs ("asset", "class",
 * "my-number", "witness", ...) or NULL when nothing given contradicts it.
 * A flag (--my-number) given at the resume must match; not giving it says
 * nothing. */
const char *kesu_cert_info_conflict(const struct kesu_cert_info *saved,
				    const struct kesu_cert_info *given);

#endif
