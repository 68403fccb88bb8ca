/* Trusted time (RFC 3161): a timestamp authority (TSA) signs the SHA-256 of
 * a signature file (X.p7s), so the token (X.tsr) proves the signature
 * existed at the TSA's genTime, whatever the signer's own clock said.  The
 * stock check is `openssl ts -verify -data X.p7s -in X.tsr -CAfile tsa.pem`.
 *
 * Request building and response checking are pure; the HTTP exchange sits
 * behind kesu_tsa_post_fn so tests can answer with canned responses. */
#ifndef KESU_TIMESTAMP_H
#define KESU_TIMESTAMP_H

#include "lib/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The file names: the token for "X" (signed as "X.p7s") is "X.tsr". */
#define KESU_TSR_SUFFIX ".tsr"
#define KESU_TSR_MAX_BYTES (256u * 1024)
/* How far a signer's signingTime may lie after the TSA's genTime (clocks
 * of two machines); more is a contradiction. */
#define KESU_TS_SKEW_S 300

/* Send a DER TimeStampReq to url, return the DER answer (free()). */
typedef enum kesu_rc (*kesu_tsa_post_fn)(void *ctx, const char *url,
					 const unsigned char *req, size_t len,
					 unsigned char **resp, size_t *resplen,
					 struct kesu_err *err);

struct kesu_tsa {
	const char *url;
	const char *ca_file;     /* checks the answer's signature; may be NULL */
	kesu_tsa_post_fn post;   /* NULL: HTTP through libcurl (lib/http.h) */
	void *post_ctx;
};

struct kesu_ts_info {
	time_t gen_time;
	char serial[80];         /* hex */
	char tsa_subject[256];   /* the TSA certificate's subject, cleaned */
};

/* A TimeStampReq over a SHA-256 digest: random 64-bit nonce, certReq
 * true, no policy.  Opaque; freed with kesu_ts_req_free. */
struct kesu_ts_req;
enum kesu_rc kesu_ts_req_new(const unsigned char digest[32],
			     struct kesu_ts_req **out, struct kesu_err *err);
void kesu_ts_req_free(struct kesu_ts_req *r);
/* The request's DER encoding (owned by r). */
const unsigned char *kesu_ts_req_der(const struct kesu_ts_req *r, size_t *len);

/* Parse a DER TimeStampResp without judging it: granted status, a SHA-256
 * imprint and a genTime are all it needs to be a token; info filled. */
enum kesu_rc kesu_ts_resp_parse(const void *der, size_t len,
				struct kesu_ts_info *info, struct kesu_err *err);

/* The answer to req: granted, the same imprint and nonce, and, when
 * ca_file is given, signed by a TSA certificate chaining to it (extended key
 * usage timeStamping, checked now). */
enum kesu_rc kesu_ts_resp_check(const struct kesu_ts_req *req,
				const void *der, size_t len, const char *ca_file,
				struct kesu_ts_info *info, struct kesu_err *err);

/* A stored token for data[0..len): granted, imprint = SHA-256(data), signed
 * by a TSA certificate chaining to ca_file (checked now, as stock
 * `openssl ts -verify` does). */
enum kesu_rc kesu_ts_token_verify(const void *data, size_t len,
				  const void *der, size_t dlen,
				  const char *ca_file, struct kesu_ts_info *info,
				  struct kesu_err *err);

/* A token over SHA-256(data[0..len)) (a signature kept elsewhere than in a
 * file: a database register's seal), checked as kesu_timestamp_file
 * checks it; *token is the DER answer (free()). */
enum kesu_rc kesu_timestamp_data(const struct kesu_tsa *tsa, const void *data,
				 size_t len, unsigned char **token, size_t *toklen,
				 struct kesu_ts_info *info, struct kesu_err *err);

/* Timestamp the signature of path: request over SHA-256(path.p7s), check
 * the answer, write it to path.tsr atomically.  On failure an existing
 * path.tsr is left as it was: a good token is never lost to a TSA that is
 * down (whoever replaces path.p7s removes the old token, as the register
 * does for its head). */
enum kesu_rc kesu_timestamp_file(const struct kesu_tsa *tsa, const char *path,
				 struct kesu_ts_info *info, struct kesu_err *err);

/* Check path.tsr, if present, against path.p7s.  *present says whether
 * there was a token; without one the result is KESU_OK. */
enum kesu_rc kesu_timestamp_verify_file(const char *path, const char *ca_file,
					bool *present, struct kesu_ts_info *info,
					struct kesu_err *err);

#endif
