/* Checkpoints: the JSON a resume trusts. */
#include "wipe/engine/checkpoint.h"
#include "fuzz.h"

#include <jansson.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!j)
		return 0;
	struct kesu_wipe w;
	struct kesu_checkpoint_loaded l;
	struct kesu_err err;
	memset(&w, 0, sizeof(w));
	if (kesu_checkpoint_from_json(j, &w, &l, &err) == KESU_OK) {
		kesu_wipe_free(&w);
		kesu_checkpoint_loaded_free(&l);
	}
	size_t n;
	free(kesu_checkpoint_mac_text(j, &n));
	json_decref(j);
	return 0;
}
