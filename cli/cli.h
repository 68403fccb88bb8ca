/* The command-line layer: one function per subcommand.  Each parses its own
 * options, prints, and returns a kesu_rc; main() alone maps that to the exit
 * code. */
#ifndef KESU_CLI_H
#define KESU_CLI_H

#include "lib/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

/* Print "kesu: <message>" for a failed operation on stderr. */
void kesu_report(const struct kesu_err *err);

/* Print "kesu: <fmt...>" on stderr and return KESU_ERR_USAGE. */
enum kesu_rc kesu_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Subcommands, one file each (cli/cmd_*.c); each is listed
 * in the table in main.c. */
enum kesu_rc cmd_list(int argc, char **argv);   /* cli/cmd_list.c */
enum kesu_rc cmd_info(int argc, char **argv);   /* cli/cmd_info.c */
enum kesu_rc cmd_methods(int argc, char **argv);
enum kesu_rc cmd_cert(int argc, char **argv);     /* cli/cmd_cert.c */
enum kesu_rc cmd_register(int argc, char **argv); /* cli/cmd_register.c */
enum kesu_rc cmd_key(int argc, char **argv);      /* cli/cmd_key.c */
enum kesu_rc cmd_approval(int argc, char **argv); /* cli/cmd_approval.c */
enum kesu_rc cmd_custody(int argc, char **argv);  /* cli/cmd_custody.c */
enum kesu_rc cmd_countersign(int argc, char **argv); /* cert countersign */
enum kesu_rc cmd_wipe(int argc, char **argv);   /* cli/cmd_wipe.c */
enum kesu_rc cmd_verify(int argc, char **argv); /* cli/cmd_verify.c */
enum kesu_rc cmd_destroy(int argc, char **argv); /* cli/cmd_destroy.c */
enum kesu_rc cmd_station(int argc, char **argv); /* cli/cmd_station.c */

#endif
