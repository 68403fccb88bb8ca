#include "lib/http.h"
#include "lib/strutil.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#ifndef KESU_VERSION
#define KESU_VERSION "0"
#endif

struct sink {
	unsigned char *buf;
	size_t len, max;
	bool too_big;
};

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t add = size * n;
	if (add > s->max - s->len) {
		s->too_big = true;
		return 0; /* makes curl stop with CURLE_WRITE_ERROR */
	}
	unsigned char *nb = realloc(s->buf, s->len + add + 1);
	if (!nb)
		return 0;
	memcpy(nb + s->len, p, add);
	s->buf = nb;
	s->len += add;
	return add;
}

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static CURLcode g_init_rc;

static void global_init(void)
{
	g_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

enum kesu_rc kesu_http_post(const char *url, const char *content_type,
			    const void *body, size_t len, size_t max,
			    long timeout_s, unsigned char **out, size_t *outlen,
			    struct kesu_err *err)
{
	*out = NULL;
	*outlen = 0;
	char shown[256];
	/* The URL comes from kesu.conf or the command line: shown cleaned. */
	kesu_clean(shown, sizeof(shown), url, strlen(url));
	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "timestamp authority %s: only http:// and https:// "
				 "URLs are supported", shown);
	pthread_once(&g_once, global_init);
	if (g_init_rc != CURLE_OK)
		return kesu_fail(err, KESU_ERR_INTERNAL, 0, "libcurl: %s",
				 curl_easy_strerror(g_init_rc));
	CURL *c = curl_easy_init();
	if (!c)
		return kesu_fail(err, KESU_ERR_INTERNAL, 0, "libcurl: cannot start");
	struct sink s = {.max = max};
	char cterr[CURL_ERROR_SIZE] = "";
	char ct[128];
	snprintf(ct, sizeof(ct), "Content-Type: %s", content_type);
	struct curl_slist *hdr = curl_slist_append(NULL, ct);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout_s < 10 ? timeout_s : 10L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cterr);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "kesu/" KESU_VERSION);
	CURLcode r = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	enum kesu_rc rc = KESU_OK;
	if (s.too_big)
		rc = kesu_fail(err, KESU_ERR_IO, 0,
			       "timestamp authority %s: answer larger than %zu bytes; "
			       "not a timestamp response", shown, max);
	else if (r != CURLE_OK)
		rc = kesu_fail(err, KESU_ERR_IO, 0, "timestamp authority %s: %s",
			       shown, cterr[0] ? cterr : curl_easy_strerror(r));
	else if (status != 200)
		rc = kesu_fail(err, KESU_ERR_IO, 0,
			       "timestamp authority %s: HTTP status %ld", shown, status);
	if (rc) {
		free(s.buf);
		return rc;
	}
	*out = s.buf;
	*outlen = s.len;
	return KESU_OK;
}
