/* --progress, which kesu wipe and kesu verify share: auto (a live
 * terminal, or lines now and then), json (one object a line on stderr,
 * wipe/engine/progress.h's keys) or none. */
#ifndef KESU_CLI_PROGRESS_MODE_H
#define KESU_CLI_PROGRESS_MODE_H

#include "lib/error.h"

enum kesu_progress_mode { KESU_PROGRESS_AUTO, KESU_PROGRESS_JSON, KESU_PROGRESS_NONE };

/* The value of --progress for command cmd ("wipe"); anything else is a
 * usage error, already printed. */
enum kesu_rc kesu_progress_mode_parse(const char *cmd, const char *arg,
				      enum kesu_progress_mode *mode);

#endif
