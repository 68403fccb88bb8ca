/* The register's head document (register.jsonl.head), parsed strictly. */
#include "certs/register/register.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kesu_reg_head h = {0};
	struct kesu_err err;
	kesu_register_head_parse((const char *)data, size, &h, &err);
	return 0;
}
