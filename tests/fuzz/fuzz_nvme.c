/* NVMe Identify Controller and Identify Namespace data. */
#include "wipe/firmware/nvme.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kesu_nvme_ctrl c;
	struct kesu_nvme_ns ns;
	struct kesu_err err;
	kesu_nvme_parse_ctrl(data, size, &c, &err);
	kesu_nvme_parse_ns(data, size, &ns, &err);
	return 0;
}
