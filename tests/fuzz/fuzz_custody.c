/* Custody JSON (kesu-custody(5)): strict parse, then the chain verdict over
 * the hand-over as the only one, received and not. */
#include "certs/document/custody.h"
#include "certs/document/signed_doc.h"
#include "fuzz.h"

#include "lib/timefmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *d = NULL;
	struct kesu_err err;
	if (kesu_doc_parse((const char *)data, size, kesu_custody_check, &d, &err) == KESU_OK) {
		struct kesu_custody_hop h[2] = {{0}};
		h[0].id = json_string_value(json_object_get(d, "id"));
		h[0].from_org = json_string_value(json_object_get(json_object_get(d, "from"), "organization"));
		h[0].to_org = json_string_value(json_object_get(json_object_get(d, "to"), "organization"));
		kesu_time_parse(json_string_value(json_object_get(d, "at")), &h[0].at);
		h[0].destruction = !strcmp(json_string_value(json_object_get(d, "purpose")), "destruction");
		h[1] = h[0];
		h[1].received = true;
		static struct kesu_custody_gaps g;
		kesu_custody_chain(h, 2, "テスト市", &g);
		json_decref(d);
	}
	return 0;
}
