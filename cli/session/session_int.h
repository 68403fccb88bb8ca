/* What session.c and session_finish.c share and no front end needs. */
#ifndef KESU_SESSION_INT_H
#define KESU_SESSION_INT_H

#include "cli/session/session.h"

/* One line to the observer's notice (cleaned), if it listens: note's
 * English and its translation, both kept. */
void kesu_session_notice(struct kesu_session_device *d, const struct kesu_err *note);

/* Save w as the device's checkpoint, with its identity, run id, contents
 * before and certificate details. */
enum kesu_rc kesu_session_save_checkpoint(const struct kesu_session_device *d,
					  const struct kesu_wipe *w, struct kesu_err *err);

#endif
