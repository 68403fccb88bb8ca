/* One spelling of --progress for every command that shows progress. */
#include "cli/progress_mode.h"
#include "cli/cli.h"

#include <string.h>

enum kesu_rc kesu_progress_mode_parse(const char *cmd, const char *arg,
				      enum kesu_progress_mode *mode)
{
	static const char *const names[] = {
		[KESU_PROGRESS_AUTO] = "auto",
		[KESU_PROGRESS_JSON] = "json",
		[KESU_PROGRESS_NONE] = "none",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(arg, names[i])) {
			*mode = (enum kesu_progress_mode)i;
			return KESU_OK;
		}
	return kesu_usage_error("%s: --progress must be auto, json or none", cmd);
}
