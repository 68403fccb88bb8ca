/* Register text: every line's strict JSON, canonical form, sequence, hash
 * chain, repair and recovery lines, and the verdict against a signed head
 * that names the last line read (and one that names none). */
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
	struct kesu_reg_verdict v;
	size_t n = 0;
	kesu_register_check_text((const char *)data, size, 0, &r, each, &n);
	if (n != r.lines)
		abort(); /* every valid line reported, no more */
	struct kesu_reg_head h = {.state = KESU_REG_HEAD_NONE};
	kesu_register_judge(&r, size, &h, &v);
	h.state = KESU_REG_HEAD_VERIFIED;
	h.seq = r.last_seq;
	memcpy(h.line_sha256, r.last_hash, sizeof(h.line_sha256));
	kesu_register_check_text((const char *)data, size, h.seq, &r, NULL, NULL);
	kesu_register_judge(&r, size, &h, &v);
	return 0;
}
