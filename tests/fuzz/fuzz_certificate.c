/* Certificate JSON: strict parse, then the consistency verdict. */
#include "certs/document/certificate.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *c = NULL;
	struct kesu_err err;
	if (kesu_cert_parse((const char *)data, size, &c, &err) == KESU_OK) {
		struct kesu_cert_verdict v;
		kesu_cert_judge(c, &v);
		char *s = kesu_cert_serialize(c, NULL);
		free(s);
		json_decref(c);
	}
	return 0;
}
