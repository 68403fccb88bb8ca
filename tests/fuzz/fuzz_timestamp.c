/* RFC 3161 timestamp responses (.tsr): parse, and verify over fixed data. */
#include "certs/sign/timestamp.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sig[] = "signature bytes";
	struct kesu_ts_info info;
	struct kesu_err err;
	if (kesu_ts_resp_parse(data, size, &info, &err) == KESU_OK)
		kesu_ts_token_verify(sig, sizeof(sig) - 1, data, size, fuzz_ca_file(),
				     &info, &err);
	return 0;
}
