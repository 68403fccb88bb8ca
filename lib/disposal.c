#include "lib/disposal.h"

#include <string.h>

const char *const KESU_DISPOSAL_REASONS[] = {"disposal", "lease-return", "repair", "reuse",
					     NULL};

bool kesu_disposal_reason_ok(const char *r)
{
	for (size_t i = 0; KESU_DISPOSAL_REASONS[i]; i++)
		if (!strcmp(r, KESU_DISPOSAL_REASONS[i]))
			return true;
	return false;
}
