/* What the register's verbs share (cli/cmd_register.c for a register file,
 * cli/cmd_register_pg.c for the database's own verbs): the option entries
 * their tables are made of, one handler for all of them, and one runner
 * that parses, loads kesu.conf and resolves the defaults before a verb
 * runs. */
#ifndef KESU_CLI_REGISTER_OPTS_H
#define KESU_CLI_REGISTER_OPTS_H

#include "certs/sign/signer.h"
#include "cli/opts.h"
#include "lib/config.h"
#include "lib/i18n.h"

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#define KESU_REG_OPT_REGISTER {"register", 0, "FILE|URL", N_("the register: a file or a postgresql:// URL ([register] path or url)")}
#define KESU_REG_OPT_CA {"ca", 0, "FILE", N_("trusted CA ([trust] ca_file)")}
#define KESU_REG_OPT_TSA_CA {"tsa-ca-file", 0, "FILE", N_("the TSA's CA, to check timestamp tokens ([trust] tsa_ca_file)")}
#define KESU_REG_OPT_TSA {"tsa", 0, "URL", N_("timestamp each new head ([timestamp] url)")}
#define KESU_REG_OPT_KEY {"key", 0, "FILE|URI", N_("signing key file or pkcs11: URI ([signing] key)")}
#define KESU_REG_OPT_CERT {"cert", 0, "FILE", N_("signer certificate ([signing] cert)")}
#define KESU_REG_OPT_SINCE {"since", 0, "TIME", N_("entries at or after TIME (RFC 3339 or YYYY-MM-DD)")}
#define KESU_REG_OPT_UNTIL {"until", 0, "TIME", N_("entries at or before TIME")}
#define KESU_REG_OPT_SERIAL {"serial", 0, "S", N_("entries for this device serial")}
#define KESU_REG_OPT_OPERATOR {"operator", 0, "NAME", N_("entries by this operator")}
#define KESU_REG_OPT_ASSET {"asset", 0, "A", N_("entries for this asset (property) number")}
#define KESU_REG_OPT_DEPARTMENT {"department", 0, "D", N_("entries for this owning department")}
#define KESU_REG_OPT_KIND {"kind", 0, "K", N_("entries of this kind: erasure (certificate), destruction, repair, recovery")}
#define KESU_REG_OPT_SCHEMA {"schema-version", 0, "N", N_("init-db: upgrade only up to schema version N")}
#define KESU_REG_OPT_OPEN {"open", 0, NULL, N_("only My Number erasures no destruction has closed yet")}

/* What the options said; NULL or 0 where they said nothing. */
struct kesu_reg_args {
	const char *reg, *ca, *config, *key, *cert, *tsa, *tsa_ca, *reason, *from, *out;
	const char *serial, *op, *schema;
	const char *asset, *department, *kind, *open_max_days;
	time_t since, until;
	bool json, csv, excel, open;
};

/* The options, kesu.conf, and what the two make of the usual choices. */
struct kesu_reg_ctx {
	const char *cmd; /* "register verify", for messages */
	struct kesu_reg_args a;
	struct kesu_config cfg;
	const char *reg, *ca, *tsa_ca;
};

/* One verb: its options, its operands, and what runs it. */
struct kesu_reg_verb {
	const struct kesu_opt *opts; /* built from the entries above */
	const char *operands;        /* in its usage line; NULL: it takes none */
	const char *about;           /* its --help text before the options (N_()) */
	enum kesu_rc (*run)(const struct kesu_reg_ctx *c, int nargs, char **args);
};

/* The kesu_verb fn of every register verb whose data is a kesu_reg_verb. */
enum kesu_rc kesu_reg_verb_main(const struct kesu_verb *v, const char *cmd, int argc,
				char **argv);

/* The signer of --key/--cert or kesu.conf; a failure is reported. */
enum kesu_rc kesu_reg_signer(const struct kesu_reg_ctx *c, struct kesu_signer **out);

/* The database's verbs (cli/cmd_register_pg.c). */
extern const struct kesu_reg_verb kesu_reg_pg_init_db, kesu_reg_pg_push, kesu_reg_pg_pull,
	kesu_reg_pg_seal;
/* register verify and list/export when the register is a database;
 * verify's report carries the open items past max_days (late, from
 * kesu_reg_ledger_overdue; -1 and NULL: no limit). */
enum kesu_rc kesu_reg_pg_verify(const struct kesu_reg_ctx *c, long max_days,
				const json_t *late);
enum kesu_rc kesu_reg_pg_list(const struct kesu_reg_ctx *c, json_t **rows);
/* list's filters (all of them) and trace as the database's indexed
 * queries: the selected lines and their documents (kesu_pgreg_list_docs);
 * the ledger's rows are the first *shown, the destructions closing them
 * follow (kesu_pgreg_closers). */
enum kesu_rc kesu_reg_pg_ledger(const struct kesu_reg_ctx *c, json_t **rows, json_t **docs,
				size_t *shown);
enum kesu_rc kesu_reg_pg_trace(const struct kesu_reg_ctx *c, const char *serial,
			       json_t **rows, json_t **docs);

/* The ledger view of a register (cli/register_ledger.c): list, export
 * and trace over every line joined with its document, and the open items
 * register verify reports as late. */
enum kesu_rc kesu_reg_ledger_list(const struct kesu_reg_ctx *c);
enum kesu_rc kesu_reg_ledger_export(const struct kesu_reg_ctx *c);
enum kesu_rc kesu_reg_ledger_trace(const struct kesu_reg_ctx *c, const char *serial);
/* A table heading on stdout: names[i] in cols[i] terminal columns, the last
 * one unpadded (register_ledger.c). */
void kesu_reg_heading(const char *const *names, const size_t *cols, size_t n);
/* After a register verified: the open items older than --open-max-days
 * (or [register] open_max_days) as ledger rows in *late (new reference;
 * NULL and *max_days -1 when no limit is set).  Errors are reported. */
enum kesu_rc kesu_reg_ledger_overdue(const struct kesu_reg_ctx *c, long *max_days,
				     json_t **late);
/* One CSV cell (RFC 4180; text a spreadsheet would run as a formula gets
 * a leading quote), then a comma or the line end eol. */
void kesu_csv_cell(const char *s, bool last, const char *eol);
/* Whether a list or export asks for the ledger's own filters. */
bool kesu_reg_ledger_filtered(const struct kesu_reg_args *a);

#endif
