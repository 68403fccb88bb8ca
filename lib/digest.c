#include "lib/digest.h"
#include "lib/fileio.h"
#include "lib/strutil.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

void kesu_sha256_hex(const void *data, size_t len, char out[KESU_SHA256_HEX])
{
	unsigned char md[32];
	unsigned int n = 0;
	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	kesu_hex_encode(md, sizeof(md), out);
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
