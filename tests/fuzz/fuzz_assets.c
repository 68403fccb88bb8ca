/* The station's asset map ([station] asset_map), and the same map resolved
 * for a kesu wipe of several devices (asset_resolve.h). */
#include "wipe/station/asset_resolve.h"
#include "wipe/station/assets.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char asset[257];
	bool found;
	struct kesu_err err;
	kesu_asset_lookup((const char *)data, size, "fuzz.csv", "S3Z9NB0K123456",
			  asset, sizeof(asset), &found, &err);
	struct kesu_asset_row row;
	kesu_asset_lookup_row((const char *)data, size, "fuzz.csv", "WD-2", &row, &found, &err);
	static const struct kesu_asset_dev devs[] = {
		{"/dev/sda", "/dev/sda", "S3Z9NB0K123456"},
		{"/dev/sdb", "/dev/sdb", "WD-2"},
		{"/dev/sdc", "/dev/sdc", ""},
	};
	static const struct kesu_asset_arg args[] = {{"/dev/sdc", "C-1"}};
	struct kesu_asset_row out[3];
	struct kesu_asset_row given = {"", 2, "reuse", "総務課"};
	const struct kesu_asset_req req = {args, 1, (const char *)data, "fuzz.csv", size,
					   false, true};
	kesu_assets_resolve(&req, &given, devs, 3, out, &err);
	return 0;
}
