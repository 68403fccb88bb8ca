/* SCSI VPD pages 0x80 (serial) and 0x83 (device identification), sense
 * data, and REPORT SUPPORTED OPERATION CODES answers. */
#include "wipe/device/classify.h"
#include "wipe/firmware/scsi.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[128];
	kesu_vpd80_serial(data, size, out, sizeof(out));
	kesu_vpd83_wwn(data, size, out, sizeof(out));
	struct kesu_sense s;
	kesu_scsi_parse_sense(data, size, &s);
	kesu_scsi_rsoc_supported(data, size);
	return 0;
}
