/* kesu wipe's firmware purge options (wipe/firmware/purge_wipe.h holds
 * what they set), as a table for cli/opts.h. */
#ifndef KESU_CLI_PURGE_OPTS_H
#define KESU_CLI_PURGE_OPTS_H

#include "cli/opts.h"
#include "wipe/firmware/purge_wipe.h"

extern const struct kesu_opt kesu_purge_opt_table[];

void kesu_purge_opt_apply(struct kesu_purge_wipe_opts *p, const struct kesu_opt *opt,
			  const char *arg);

#endif
