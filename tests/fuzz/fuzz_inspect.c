/* The spot check's readers of device bytes: region classes, partition
 * tables, file-system superblocks, archive and text signatures.  A medium
 * returned by a contractor is the input here, so it is untrusted end to end.
 * Each input is inspected twice: as the whole medium (the GPT backup header
 * falls inside it) and as the first chunk of a 1 GiB medium (it does not),
 * then as a later chunk so offsets near the end are exercised too. */
#include "wipe/inspect/spot.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kesu_spot_result r;
	kesu_spot_result_init(&r);
	kesu_spot_inspect(&r, size, data, size, 0);
	kesu_spot_inspect(&r, 1ull << 30, data, size, 0);
	if (size <= (1u << 20))
		kesu_spot_inspect(&r, 1ull << 30, data, size, (1ull << 30) - (1u << 20));
	(void)kesu_spot_verdict(&r);
	return 0;
}
