#include "digest.h"
#include "fileio.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

void kesu_sha256_hex(const void *data, size_t len, char out[KESU_SHA256_HEX])
{
	unsigned char md[32];
	unsigned int n = 0;
	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
}

enum kesu_rc kesu_sha256_file(const char *path, char out[KESU_SHA256_HEX],
			      struct kesu_err *err)
{
	char *data;
	size_t len;
	enum kesu_rc rc = kesu_read_file(path, 64u << 20, &data, &len, err);
	if (rc)
		return rc;
	kesu_sha256_hex(data, len, out);
	free(data);
	return KESU_OK;
}
