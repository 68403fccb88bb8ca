/* ATA IDENTIFY DEVICE data and the sense data ATA registers come back in. */
#include "wipe/firmware/ata.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kesu_ata_identify id;
	struct kesu_err err;
	kesu_ata_parse_identify(data, size, &id, &err);
	struct kesu_ata_result r;
	kesu_ata_parse_sense(data, size, &r);
	return 0;
}
