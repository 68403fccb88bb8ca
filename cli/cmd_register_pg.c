/* kesu register init-db | push | pull | seal, and verify and list of a
 * register in PostgreSQL (kesu-register(5), POSTGRESQL). */
#include "certs/register/backend.h"
#include "certs/register/pg_db.h"
#include "certs/register/pg_schema.h"
#include "certs/register/register_pg.h"
#include "cli/cli.h"
#include "cli/register_opts.h"
#include "lib/config.h"
#include "lib/i18n.h"
#include "lib/strutil.h"
#include "lib/timefmt.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static enum kesu_rc connect(const char *url, bool check, struct kesu_db **db)
{
	struct kesu_err err = {0};
	enum kesu_rc rc = kesu_db_connect_pq(url, 0, db, &err);
	if (!rc && check && (rc = kesu_pgreg_check_schema(*db, &err))) {
		kesu_db_close(*db);
		*db = NULL;
	}
	if (rc)
		kesu_report(&err);
	return rc;
}

static void filter(const struct kesu_reg_args *a, struct kesu_pgreg_filter *f)
{
	/* --kind erasure is the certificate lines, as in the file register. */
	const char *kind = a->kind && !strcmp(a->kind, "erasure") ? "certificate" : a->kind;
	*f = (struct kesu_pgreg_filter){.since = a->since, .until = a->until,
					.serial = a->serial, .operator_name = a->op,
					.asset = a->asset, .department = a->department,
					.kind = kind, .open = a->open};
}

/* The rows a database query selected, with their documents when docs is
 * given (the ledger's view); serial: trace instead of list.  As the file
 * register does, the chain and its seals are checked first: a register
 * that does not verify lists nothing. */
static enum kesu_rc query(const struct kesu_reg_ctx *c, const char *serial, json_t **rows,
			  json_t **docs, size_t *shown)
{
	struct kesu_db *db;
	enum kesu_rc rc = connect(c->reg, true, &db);
	if (rc)
		return rc;
	struct kesu_pgreg_filter f;
	filter(&c->a, &f);
	struct kesu_err err = {0};
	struct kesu_pgreg_verdict v;
	if ((rc = kesu_pgreg_check_chain(db, c->ca, &v, &err))) {
		kesu_report(&err);
		if (rc == KESU_ERR_INVALID)
			fputs(_("kesu: nothing listed: the register does not verify; run "
			      "'kesu register verify'\n"), stderr);
	} else if ((rc = serial ? kesu_pgreg_trace_docs(db, serial, rows, docs, &err)
				: kesu_pgreg_list_docs(db, &f, rows, docs, &err))) {
		kesu_report(&err);
	} else if (shown) {
		*shown = json_array_size(*rows);
		if ((rc = kesu_pgreg_closers(db, *rows, *docs, &err))) {
			kesu_report(&err);
			json_decref(*rows);
			json_decref(*docs);
		}
	}
	kesu_db_close(db);
	return rc;
}

enum kesu_rc kesu_reg_pg_list(const struct kesu_reg_ctx *c, json_t **rows)
{
	return query(c, NULL, rows, NULL, NULL);
}

enum kesu_rc kesu_reg_pg_ledger(const struct kesu_reg_ctx *c, json_t **rows, json_t **docs,
				size_t *shown)
{
	return query(c, NULL, rows, docs, shown);
}

enum kesu_rc kesu_reg_pg_trace(const struct kesu_reg_ctx *c, const char *serial,
			       json_t **rows, json_t **docs)
{
	return query(c, serial, rows, docs, NULL);
}

static enum kesu_rc verify(struct kesu_db *db, const char *shown, const char *ca,
			   const char *tsa_ca, bool json, long max_days, const json_t *late)
{
	struct kesu_err err = {0};
	struct kesu_pgreg_verdict v;
	enum kesu_rc rc = kesu_pgreg_verify_ts(db, ca, tsa_ca, &v, &err);
	if (json) {
		json_t *j = json_pack("{s:s s:b s:I s:I s:I s:I s:I s:I s:I s:o s:o}",
			"register", shown, "ok", rc == KESU_OK,
			"entries", (json_int_t)v.entries,
			"seals", (json_int_t)v.seals,
			"seals_timestamped", (json_int_t)v.seals_timestamped,
			"seal_tokens_unchecked", (json_int_t)v.seal_tokens_unchecked,
			"sealed_seq", (json_int_t)v.sealed_seq,
			"unsealed", (json_int_t)v.unsealed,
			"documents_checked", (json_int_t)v.documents_checked,
			"first_bad_entry", v.bad ? json_integer((json_int_t)v.bad) : json_null(),
			"error", rc ? kesu_json_str(err.msg) : json_null());
		json_object_set_new(j, "open_max_days", max_days < 0 ? json_null()
								     : json_integer(max_days));
		json_object_set(j, "open_items_late", late && !rc ? (json_t *)late : json_null());
		char *s = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(j);
		return rc;
	}
	if (rc) {
		kesu_report(&err);
		return rc;
	}
	printf(_("%s: verified: %zu entries, %zu stored documents checked, %zu seals "
	       "(last sealed entry %" PRIu64 ", %zu after it)"), shown, v.entries,
	       v.documents_checked, v.seals, v.sealed_seq, v.unsealed);
	if (v.seals_timestamped)
		printf(_(", %zu seals timestamped"), v.seals_timestamped);
	if (v.seal_tokens_unchecked)
		printf(_("; %zu seal timestamps NOT checked (give --tsa-ca-file)"),
		       v.seal_tokens_unchecked);
	printf("\n");
	return KESU_OK;
}

/* What a database verb does once connected; shown is the URL without its
 * password. */
typedef enum kesu_rc (*pg_fn)(const struct kesu_reg_ctx *c, struct kesu_db *db,
			      const char *shown, struct kesu_err *err);

/* Connects to the register the verb names (with its schema checked unless
 * the verb creates it), runs fn, reports its failure. */
static enum kesu_rc with_db(const struct kesu_reg_ctx *c, bool check, pg_fn fn)
{
	if (!kesu_db_is_url(c->reg))
		return kesu_usage_error("%s: give --register postgresql://... "
					"or [register] url in kesu.conf", c->cmd);
	char shown[512];
	kesu_db_redact(c->reg, shown, sizeof(shown));
	struct kesu_db *db;
	enum kesu_rc rc = connect(c->reg, check, &db);
	if (rc)
		return rc;
	struct kesu_err err = {0};
	if ((rc = fn(c, db, shown, &err)) && err.msg[0])
		kesu_report(&err);
	kesu_db_close(db);
	return rc;
}

/* The open items past --open-max-days come from an indexed query
 * (kesu_reg_ledger_overdue), made before the whole register is read. */
static long verify_max_days;
static const json_t *verify_late;

static enum kesu_rc do_verify(const struct kesu_reg_ctx *c, struct kesu_db *db,
			      const char *shown, struct kesu_err *err)
{
	(void)err; /* verify reports its own, or puts it in the JSON */
	return verify(db, shown, c->ca, c->tsa_ca, c->a.json, verify_max_days, verify_late);
}

enum kesu_rc kesu_reg_pg_verify(const struct kesu_reg_ctx *c, long max_days,
				const json_t *late)
{
	verify_max_days = max_days;
	verify_late = late;
	return with_db(c, true, do_verify);
}

static enum kesu_rc do_init_db(const struct kesu_reg_ctx *c, struct kesu_db *db,
			       const char *shown, struct kesu_err *err)
{
	int from, to;
	const char *schema = c->a.schema;
	char *end;
	long want = schema ? strtol(schema, &end, 10) : kesu_pg_schema_version();
	if (schema && (end == schema || *end || want < 1 || want > 1000))
		return kesu_fail(err, KESU_ERR_USAGE, 0, "--schema-version: '%s' is not a "
				 "number from 1 to %d", schema, kesu_pg_schema_version());
	enum kesu_rc rc = kesu_pgreg_init_to(db, (int)want, &from, &to, err);
	if (!rc)
		printf(from == to ? _("%s: schema already at version %d\n")
				  : _("%s: schema at version %d (was %d)\n"), shown, to, from);
	return rc;
}

static enum kesu_rc init_db(const struct kesu_reg_ctx *c, int nargs, char **args)
{
	(void)nargs, (void)args;
	return with_db(c, false, do_init_db);
}

static enum kesu_rc do_push(const struct kesu_reg_ctx *c, struct kesu_db *db,
			    const char *shown, struct kesu_err *err)
{
	const char *from = c->a.from ? c->a.from : c->cfg.register_path;
	struct kesu_pgreg_push_stats st;
	enum kesu_rc rc = kesu_pgreg_push(db, from, c->ca, &st, err);
	printf(_("%s -> %s: %zu entries sent (certificates and documents), %zu already "
	       "there (byte-identical), %zu repair or recovery lines kept local\n"), from, shown,
	       st.sent, st.identical, st.skipped_recovery);
	return rc;
}

static enum kesu_rc push(const struct kesu_reg_ctx *c, int nargs, char **args)
{
	(void)nargs, (void)args;
	return with_db(c, true, do_push);
}

static enum kesu_rc do_pull(const struct kesu_reg_ctx *c, struct kesu_db *db,
			    const char *shown, struct kesu_err *err)
{
	struct kesu_pgreg_filter f;
	filter(&c->a, &f);
	struct kesu_pgreg_pull_stats st;
	enum kesu_rc rc = kesu_pgreg_pull(db, &f, c->a.out, &st, err);
	printf(_("%s: %zu documents written to %s, %zu already there\n"), shown,
	       st.written, c->a.out, st.identical);
	return rc;
}

static enum kesu_rc pull(const struct kesu_reg_ctx *c, int nargs, char **args)
{
	(void)nargs, (void)args;
	if (kesu_db_is_url(c->reg) && !c->a.out)
		return kesu_usage_error("register pull: give --out DIR");
	return with_db(c, true, do_pull);
}

static enum kesu_rc do_seal(const struct kesu_reg_ctx *c, struct kesu_db *db,
			    const char *shown, struct kesu_err *err)
{
	struct kesu_signer *signer;
	uint64_t seq;
	enum kesu_rc rc = kesu_reg_signer(c, &signer);
	if (rc)
		return rc;
	/* The token is checked against the TSA's CA as it arrives. */
	struct kesu_tsa tsa = {c->a.tsa ? c->a.tsa : c->cfg.tsa_url, c->tsa_ca, NULL, NULL};
	rc = kesu_pgreg_seal_ts(db, signer, tsa.url[0] ? &tsa : NULL, &seq, err);
	if (!rc || rc == KESU_ERR_UNSTAMPED)
		printf(_("%s: sealed at entry %" PRIu64 "%s\n"), shown, seq,
		       rc ? _(", not timestamped") : tsa.url[0] ? _(", timestamped") : "");
	kesu_signer_free(signer);
	return rc;
}

static enum kesu_rc seal(const struct kesu_reg_ctx *c, int nargs, char **args)
{
	(void)nargs, (void)args;
	return with_db(c, true, do_seal);
}

#define PG_URL {"register", 0, "URL", N_("the database: postgresql://... ([register] url)")}

static const struct kesu_opt init_db_opts[] = {
	PG_URL, KESU_REG_OPT_SCHEMA, KESU_OPT_CONFIG, KESU_OPT_HELP, KESU_OPT_END,
};
static const struct kesu_opt push_opts[] = {
	PG_URL, {"from", 0, "FILE", N_("the register file to send ([register] path)")},
	KESU_REG_OPT_CA, KESU_OPT_CONFIG, KESU_OPT_HELP, KESU_OPT_END,
};
static const struct kesu_opt pull_opts[] = {
	PG_URL, {"out", 0, "DIR", N_("where the certificates go")},
	KESU_REG_OPT_SINCE, KESU_REG_OPT_UNTIL, KESU_REG_OPT_SERIAL, KESU_REG_OPT_OPERATOR,
	KESU_OPT_CONFIG, KESU_OPT_HELP, KESU_OPT_END,
};
static const struct kesu_opt seal_opts[] = {
	PG_URL, KESU_REG_OPT_KEY, KESU_REG_OPT_CERT,
	{"tsa", 0, "URL", N_("timestamp the seal ([timestamp] url)")}, KESU_REG_OPT_TSA_CA,
	KESU_OPT_CONFIG, KESU_OPT_HELP,
	KESU_OPT_END,
};

const struct kesu_reg_verb kesu_reg_pg_init_db = {init_db_opts, NULL,
	N_("Create the register's schema in the database, or upgrade it\n"
	   "(kesu-register(5), POSTGRESQL)."), init_db};
const struct kesu_reg_verb kesu_reg_pg_push = {push_opts, NULL,
	N_("Send the certificates and documents of a register file to the database;\n"
	   "those already there byte for byte are skipped."), push};
const struct kesu_reg_verb kesu_reg_pg_pull = {pull_opts, NULL,
	N_("Write the database's certificates, documents and signatures to a directory."), pull};
const struct kesu_reg_verb kesu_reg_pg_seal = {seal_opts, NULL,
	N_("Sign the database register's chain up to its last entry."), seal};
