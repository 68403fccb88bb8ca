/* One HTTP POST, for the RFC 3161 timestamp authority (libcurl).  Kept
 * apart from the TSA logic so that logic can be tested with canned answers
 * and no network. */
#ifndef KESU_HTTP_H
#define KESU_HTTP_H

#include "lib/error.h"

#include <stddef.h>

/* POST body to url (http:// or https:// only; no redirects) with the given
 * Content-Type, and return the body of a 200 answer (at most max bytes) in
 * *out, freed with free().  KESU_ERR_IO, naming the URL, for anything else:
 * no connection, timeout (timeout_s for the whole exchange), another status,
 * an answer too big. */
enum kesu_rc kesu_http_post(const char *url, const char *content_type,
			    const void *body, size_t len, size_t max,
			    long timeout_s, unsigned char **out, size_t *outlen,
			    struct kesu_err *err);

#endif
