/* The spot check's report (kesu-verification/1): strict parse, then the
 * consistency rules a report read back from a contractor must meet. */
#include "certs/document/verification.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *d = NULL;
	struct kesu_err err;
	if (kesu_verif_parse((const char *)data, size, &d, &err) == KESU_OK) {
		(void)kesu_verif_check(d, &err);
		size_t n;
		char *s = kesu_verif_serialize(d, &n);
		free(s);
		json_decref(d);
	}
	return 0;
}
