/* kesu's side of kesu-http.so (http.c with libcurl), loaded on first use
 * (lib/plugin.h).  Only the kesu executable links this file; tests link
 * http.c itself. */
#include "lib/http.h"
#include "lib/plugin.h"

enum kesu_rc kesu_http_post(const char *url, const char *content_type,
			    const void *body, size_t len, size_t max,
			    long timeout_s, unsigned char **out, size_t *outlen,
			    struct kesu_err *err)
{
	void *f;
	enum kesu_rc rc = kesu_plugin_sym("http", "kesu_http_post", &f, err);
	if (rc != KESU_OK)
		return rc;
	enum kesu_rc (*fn)(const char *, const char *, const void *, size_t, size_t,
			   long, unsigned char **, size_t *, struct kesu_err *) = f;
	return fn(url, content_type, body, len, max, timeout_s, out, outlen, err);
}
