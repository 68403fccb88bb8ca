/* The certificate options `kesu cert issue` and `kesu wipe` share: one
 * getopt table, one parser, one help text. */
#ifndef KESU_CLI_CERT_OPTS_H
#define KESU_CLI_CERT_OPTS_H

#include "certs/document/issue.h"

#include "cli/opts.h"
#include <stdbool.h>
#include <stdio.h>

/* getopt_long entries for the shared options; put KESU_CERT_LONGOPTS in a
 * command's option table and pass unknown option values to kesu_cert_opt. */
/* The shared certificate options, as a table for cli/opts.h: stack it
 * under a command's own table and hand what comes from it to
 * kesu_cert_opt_apply. */
extern const struct kesu_opt kesu_cert_opt_table[];

/* Apply one option of kesu_cert_opt_table; a bad value is a usage error
 * already printed. */
enum kesu_rc kesu_cert_opt_apply(struct kesu_cert_opts *o, const struct kesu_opt *opt,
				 const char *arg);

/* The --help text for the shared options. */
void kesu_cert_opts_help(FILE *out);

#endif
