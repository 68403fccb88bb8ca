/* An in-process RFC 3161 timestamp authority for unit tests: a fresh CA and
 * TSA certificate (extendedKeyUsage critical timeStamping) in memory,
 * answering through OpenSSL's TS_RESP_CTX, and able to misbehave. */
#ifndef KESU_TSA_MODEL_H
#define KESU_TSA_MODEL_H

#include "certs/sign/timestamp.h"

#include <time.h>

enum tsa_model_mode {
	TSA_OK,
	TSA_GARBAGE,      /* bytes that are no response */
	TSA_WRONG_NONCE,  /* a genuine answer to a request with another nonce */
	TSA_OTHER_DATA,   /* a genuine answer over another digest */
	TSA_REJECT,       /* status rejection */
	TSA_DOWN,         /* the transport fails */
};

struct tsa_model {
	enum tsa_model_mode mode;
	char ca_file[64];  /* PEM of the model's CA, in a temp file */
	void *priv;
	int requests;
	time_t gen_time;   /* non-zero: the genTime the model claims (a TSA
			    * whose clock is off, to test the order checks) */
};

void tsa_model_init(struct tsa_model *m);
void tsa_model_free(struct tsa_model *m);

/* A kesu_tsa_post_fn; ctx is the struct tsa_model. */
enum kesu_rc tsa_model_post(void *ctx, const char *url, const unsigned char *req,
			    size_t len, unsigned char **resp, size_t *resplen,
			    struct kesu_err *err);

#endif
