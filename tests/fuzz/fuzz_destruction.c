/* Destruction document JSON: strict parse, the consistency verdict, and the
 * register line a document makes. */
#include "certs/document/destruction.h"
#include "certs/register/reg_kinds.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *d = NULL;
	struct kesu_err err;
	if (kesu_destruction_parse((const char *)data, size, &d, &err) == KESU_OK) {
		struct kesu_cert_verdict v;
		struct kesu_cert_clock clock = {.now = 1800000000, .signed_at = 1790000000};
		kesu_destruction_judge(d, &clock, &v);
		const struct kesu_reg_kind *k = kesu_reg_kind_find("destruction");
		json_t *line = k->line_fields(d);
		struct kesu_err why;
		if (line)
			kesu_reg_kind_contradicts(k, line, d, &why);
		json_decref(line);
		char *s = kesu_cert_serialize(d, NULL);
		free(s);
		json_decref(d);
	}
	return 0;
}
