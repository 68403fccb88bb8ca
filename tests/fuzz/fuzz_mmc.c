/* eMMC EXT_CSD (512 bytes from the card) and CSD (the first 16 bytes). */
#include "wipe/firmware/mmc.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kesu_mmc_ext_csd x;
	struct kesu_err err;
	kesu_mmc_parse_ext_csd(data, size, &x, &err);
	if (size >= 16) {
		uint32_t csd[4];
		memcpy(csd, data, 16);
		struct kesu_mmc_csd c;
		kesu_mmc_parse_csd(csd, &c);
	}
	if (size >= 4)
		kesu_mmc_write_prot_bits(data);
	char buf[256];
	if (size >= 4) {
		uint32_t r1;
		memcpy(&r1, data, 4);
		kesu_mmc_r1_describe(r1, buf, sizeof(buf));
	}
	return 0;
}
