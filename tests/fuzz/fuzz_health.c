/* Drive health logs: the NVMe SMART / Health Information log, ATA SMART
 * data and the SMART RETURN STATUS registers in sense data. */
#include "wipe/firmware/health.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kesu_err err;
	struct kesu_nvme_smart n;
	if (kesu_nvme_parse_smart(data, size, &n, &err) == KESU_OK)
		json_decref(kesu_health_nvme_json(&n));
	struct kesu_ata_smart a;
	struct kesu_ata_result r;
	bool have = kesu_ata_parse_smart(data, size, &a, &err) == KESU_OK;
	enum kesu_ata_smart_status st = KESU_SMART_STATUS_UNKNOWN;
	if (kesu_ata_parse_sense(data, size, &r))
		st = kesu_ata_smart_status_of(&r);
	json_decref(kesu_health_ata_json(&a, have, st));
	return 0;
}
