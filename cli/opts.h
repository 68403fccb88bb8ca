/* One option parser for every subcommand: a command describes its options
 * in a table beside its code; the table gives getopt its arguments, the
 * --help text its option lines, and every mistake the same message:
 *
 *   kesu list: unknown option '--jsn'; run 'kesu list --help'
 *   kesu wipe: option '--method' needs a value; run 'kesu wipe --help'
 *
 * Tables can be stacked (a command's own and the shared certificate
 * options), and because options are told apart by the entry they came from,
 * not by a number, two tables never need to keep their codes apart by hand. */
#ifndef KESU_CLI_OPTS_H
#define KESU_CLI_OPTS_H

#include "lib/error.h"
#include "lib/i18n.h"

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

struct kesu_opt {
	const char *name;   /* long name, without "--"; NULL ends a table */
	char short_name;    /* 0: none */
	const char *arg;    /* NULL: a flag; otherwise the value's name in --help,
			     * "[=NAME]" for a value that may be left out */
	const char *help;   /* the --help line, marked N_() for the catalogue;
			     * NULL keeps the option out of it */
};

/* The --help entry every command has; kesu_opts_parse answers it. */
#define KESU_OPT_HELP {"help", 'h', NULL, N_("show this help and exit")}
#define KESU_OPT_END {NULL, 0, NULL, NULL}
/* Entries several commands share, so their --help reads the same. */
#define KESU_OPT_CONFIG {"config", 0, "FILE", "configuration (default /etc/kesu/kesu.conf)"}
#define KESU_OPT_JSON {"json", 0, NULL, "machine-readable output (keys in kesu(8))"}

/* Called for every option given, in order: `opt` points into the table it
 * came from, `arg` is its value or NULL.  Returns KESU_OK or a usage error
 * it has already printed (kesu_usage_error). */
typedef enum kesu_rc (*kesu_opt_fn)(void *ud, const struct kesu_opt *opt, const char *arg);

struct kesu_cmd_opts {
	const char *cmd;                     /* "list", "cert issue": for messages */
	const struct kesu_opt *const *tables; /* NULL-terminated */
	kesu_opt_fn fn;
	void *ud;
	void (*help)(FILE *out);              /* the command's --help text */
};

/* Parse argv[1..argc) (argv[0] is the command's own name).  Returns
 * KESU_OK with *first_arg the index of the first operand, or a usage error
 * already printed.  On --help the command's help goes to stdout, nothing
 * else is parsed and *done is set: the command has nothing left to do. */
enum kesu_rc kesu_opts_parse(const struct kesu_cmd_opts *c, int argc, char **argv,
			     int *first_arg, bool *done);

/* The option lines of a table for --help: "  -a, --all     also ...". */
void kesu_opts_print(FILE *out, const struct kesu_opt *table);

/* A verb's whole --help: "Usage: kesu CMD OPERANDS [OPTIONS]", what it
 * does (about, lines without the last newline: a catalogue key, marked
 * N_() where it is written), the table's lines. */
void kesu_opts_usage(FILE *out, const char *cmd, const char *operands, const char *about,
		     const struct kesu_opt *table);

/* Which entry of table opt is, for a handler's switch. */
#define KESU_OPT_ID(opt, table) ((int)((opt) - (table)))

/* True if opt is one of table's entries (for a handler serving a shared
 * table, such as the certificate options). */
bool kesu_opt_in(const struct kesu_opt *opt, const struct kesu_opt *table);

/* An option's value that is a time (RFC 3339 or YYYY-MM-DD); a bad one is
 * a usage error already printed, naming the option. */
enum kesu_rc kesu_opt_time(const struct kesu_opt *opt, const char *arg, time_t *t);

/* A command with verbs (kesu cert VERB, kesu register VERB): a table of
 * them gives the dispatch, the list in --help, and one message for a verb
 * that does not exist. */
struct kesu_verb {
	const char *name;    /* NULL ends a table */
	const char *summary; /* its line in the command's --help (N_()) */
	/* argv[0] is the verb; cmd is "cert verify", for messages. */
	enum kesu_rc (*fn)(const struct kesu_verb *v, const char *cmd, int argc, char **argv);
	const void *data;    /* the verb's own: what fn needs to run it */
};

/* argv[0] is the command, argv[1] the verb.  No verb is a usage error
 * (the list on stderr); --help lists the verbs on stdout, then `footer`
 * (N_(), translated here like the summaries). */
enum kesu_rc kesu_verb_dispatch(const char *cmd, const struct kesu_verb *verbs,
				const char *footer, int argc, char **argv);

#endif
