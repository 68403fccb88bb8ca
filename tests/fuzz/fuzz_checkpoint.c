/* Checkpoints: the JSON a resume trusts. */
#include "wipe/engine/checkpoint.h"
#include "fuzz.h"

#include <jansson.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!j)
		return 0;
	struct kesu_identity id;
	struct kesu_wipe w;
	char run_id[KESU_RUN_ID_LEN];
	json_t *before = NULL;
	struct kesu_err err;
	memset(&w, 0, sizeof(w));
	if (kesu_checkpoint_from_json(j, &id, &w, run_id, &before, &err) == KESU_OK) {
		kesu_wipe_free(&w);
		json_decref(before);
	}
	json_decref(j);
	return 0;
}
