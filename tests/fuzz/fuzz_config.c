/* kesu.conf, and the [station] policy read from it. */
#include "lib/config.h"
#include "wipe/station/policy.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kesu_config cfg;
	struct kesu_station_policy p;
	struct kesu_err err;
	if (kesu_config_parse((const char *)data, size, "fuzz.conf", &cfg, &err) == KESU_OK)
		kesu_station_policy_from_config(&cfg, &p, &err);
	return 0;
}
