/* The station's asset map ([station] asset_map). */
#include "wipe/station/assets.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char asset[257];
	bool found;
	struct kesu_err err;
	kesu_asset_lookup((const char *)data, size, "fuzz.csv", "S3Z9NB0K123456",
			  asset, sizeof(asset), &found, &err);
	return 0;
}
