/* kesu.conf. */
#include "lib/config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kesu_config cfg;
	struct kesu_err err;
	kesu_config_parse((const char *)data, size, "fuzz.conf", &cfg, &err);
	return 0;
}
