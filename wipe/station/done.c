/* See done.h. */
#include "wipe/station/done.h"

#include <string.h>

enum kesu_rc kesu_station_done_outcome(const struct kesu_station *st)
{
	enum kesu_rc rc = KESU_OK;
	for (size_t i = 0; i < st->nbays; i++) {
		const struct kesu_bay *b = &st->bays[i];
		if (!strcmp(b->result, "interrupted"))
			return KESU_ERR_INTERRUPTED;
		/* Pulled mid-run is a failed bay; pulled while it waited keeps
		 * the result "removed": not erased either.  Pulled after it
		 * ended (done, refused) keeps its own result. */
		if (b->state == KESU_BAY_FAILED || !strcmp(b->result, "removed"))
			rc = KESU_ERR_FAILED;
	}
	return rc;
}
