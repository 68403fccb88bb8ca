/* CMS/DER signatures (.p7s) over a fixed document, against the test CA. */
#include "certs/sign/cms_verify.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char doc[] = "{\"fuzz\": true}\n";
	struct kesu_sig_info info;
	struct kesu_err err;
	kesu_cms_verify(doc, sizeof(doc) - 1, data, size, fuzz_ca_file(), 0, &info, &err);
	return 0;
}
