/* Register text: every line's strict JSON, canonical form, sequence and
 * hash chain, and the torn-tail detection. */
#include "certs/register/register.h"
#include "fuzz.h"

static void each(const json_t *line, void *arg)
{
	(void)line;
	++*(size_t *)arg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kesu_reg_check r;
	size_t n = 0;
	/* No head: mark_seq 0, as for a register being checked on its own. */
	kesu_register_check_text((const char *)data, size, 0, &r, each, &n);
	if (n != r.lines)
		abort(); /* every valid line reported, no more */
	return 0;
}
