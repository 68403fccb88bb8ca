/* The destruction manifest (CSV) of kesu destroy --manifest. */
#include "certs/document/manifest.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kesu_manifest_row *rows = NULL;
	size_t n = 0;
	struct kesu_err err;
	if (kesu_manifest_parse((const char *)data, size, &rows, &n, &err) == KESU_OK) {
		for (size_t i = 0; i < n; i++)
			if (!rows[i].serial[0])
				abort();
		free(rows);
	}
	return 0;
}
