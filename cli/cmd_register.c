/* kesu register VERB: the verbs of a register file (verify, list, export,
 * import, repair) and the dispatch to the others (report in cmd_pdf.c,
 * the database's own in cmd_register_pg.c). */
#include "certs/document/cert_verify.h"
#include "certs/document/countersign.h"
#include "cli/cli.h"
#include "cli/cmd_pdf.h"
#include "cli/register_opts.h"
#include "certs/document/issue.h"
#include "certs/register/backend.h"
#include "certs/register/register.h"
#include "lib/i18n.h"
#include "lib/strutil.h"
#include "lib/timefmt.h"

#include <stdlib.h>
#include <string.h>

struct collect {
	json_t *rows;
	const struct kesu_reg_args *o;
};

static void collect(const json_t *line, void *arg)
{
	struct collect *c = arg;
	const struct kesu_reg_args *o = c->o;
	time_t t = 0;
	kesu_time_parse(json_string_value(json_object_get(line, "time")), &t);
	if ((o->since && t < o->since) || (o->until && t > o->until))
		return;
	const char *serial = json_string_value(json_object_get(line, "serial"));
	const char *op = json_string_value(json_object_get(line, "operator"));
	if (o->serial && (!serial || strcmp(serial, o->serial)))
		return;
	if (o->op && (!op || strcmp(op, o->op)))
		return;
	json_array_append(c->rows, (json_t *)line);
}

/* list and export show only a register that verifies (chain and signed
 * head; the certificate files are register verify's job). */
static enum kesu_rc reg_read(const struct kesu_reg_ctx *c, json_t **rows)
{
	if (kesu_reg_is_db(c->reg))
		return kesu_reg_pg_list(c, rows);
	struct kesu_err err = {0};
	struct collect col = {json_array(), &c->a};
	struct kesu_reg_verify v;
	enum kesu_rc rc = kesu_register_verify(c->reg, c->ca, false, &v, collect, &col, &err);
	if (rc) {
		json_decref(col.rows);
		kesu_report(&err);
		if (rc == KESU_ERR_INVALID)
			fputs(_("kesu: nothing listed: the register does not verify; run "
			      "'kesu register verify'\n"), stderr);
		return rc;
	}
	*rows = col.rows;
	return KESU_OK;
}

static const char *sv(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}


static void repair_print(const char *reg, const struct kesu_reg_repair *res)
{
	const struct kesu_reg_verdict *v = &res->verdict;
	if (res->nothing) {
		printf(_("%s: verifies; nothing to repair\n"), reg);
		return;
	}
	printf(_("%s: found: %s%zu%s%s\n"), reg, v->bad_line ? _("line ") : "",
	       v->bad_line, v->bad_line ? ": " : "", v->why_local[0] ? v->why_local : v->why);
	printf(_("%s: kept %zu line(s) up to seq %llu; "), reg, v->keep_lines,
	       (unsigned long long)v->keep_seq);
	if (v->lost_known)
		printf(_("entries %llu to %llu are lost; "), (unsigned long long)v->lost_first,
		       (unsigned long long)v->lost_last);
	else
		printf(_("the lost entries are not known (no verified head); "));
	if (res->cut_bytes)
		printf(_("%zu byte(s) cut, kept in %s\n"), res->cut_bytes, res->cut_file);
	else
		printf(_("nothing cut\n"));
	printf(_("%s: repair recorded as %llu and signed; re-import the lost entries' "
	       "certificates with 'kesu register import'\n"), reg,
	       (unsigned long long)res->seq);
}

static enum kesu_rc run_repair(const struct kesu_reg_ctx *c, int nargs, char **args)
{
	(void)nargs, (void)args;
	const char *by = c->a.op ? c->a.op : c->cfg.operator_name;
	if (kesu_reg_is_db(c->reg))
		return kesu_usage_error("register repair: only for register files; a "
					"database register is repaired in the database");
	if (!c->a.reason)
		return kesu_usage_error("register repair: give --reason: why entries may "
					"be lost (it is recorded in the register)");
	if (!by[0])
		return kesu_usage_error("register repair: give --operator NAME (or "
					"[operator] name): who decides the repair");
	if (!c->ca[0])
		return kesu_usage_error("register repair: no trusted CA; give --ca or "
					"set [trust] ca_file");
	struct kesu_err err = {0};
	struct kesu_signer *signer;
	enum kesu_rc rc = kesu_reg_signer(c, &signer);
	if (rc)
		return rc;
	struct kesu_reg_repair res;
	rc = kesu_register_repair(c->reg, c->a.reason, by, signer, c->ca, &res, &err);
	kesu_signer_free(signer);
	if (rc) {
		kesu_report(&err);
		return rc;
	}
	repair_print(c->reg, &res);
	return KESU_OK;
}

static void verify_json(const char *reg, enum kesu_rc rc, const struct kesu_reg_verify *v,
			const struct kesu_err *err, long max_days, const json_t *late)
{
	char gt[KESU_TIME_LEN];
	kesu_time_format(v->head_ts.gen_time, gt);
	json_t *ts = !v->head_ts_present ? json_null()
		: json_pack("{s:b s:o}", "checked", v->head_timestamped,
			    "gen_time", v->head_timestamped ? json_string(gt) : json_null());
	json_t *j = json_pack("{s:s s:b s:I s:I s:I s:I s:I s:I s:o s:o s:o}",
		"register", reg, "ok", rc == KESU_OK,
		"lines", (json_int_t)v->text.lines,
		"head_seq", (json_int_t)v->head_seq,
		"certificates_checked", (json_int_t)v->certs_checked,
		"certificates_missing", (json_int_t)v->certs_missing,
		"repairs", (json_int_t)v->text.repairs,
		"recoveries", (json_int_t)v->text.recoveries,
		"first_bad_line", v->bad_line ? json_integer((json_int_t)v->bad_line) : json_null(),
		"error", rc ? kesu_json_str(err->msg) : json_null(),
		"head_timestamp", ts);
	json_object_set_new(j, "open_max_days", max_days < 0 ? json_null()
							     : json_integer(max_days));
	json_object_set(j, "open_items_late", late ? (json_t *)late : json_null());
	char *s = json_dumps(j, JSON_INDENT(2));
	if (s)
		printf("%s\n", s);
	free(s);
	json_decref(j);
}

/* Open My Number items past the limit: the register is sound, but the
 * city's work is not done; exit 1 says so. */
static enum kesu_rc print_late(const char *reg, long max_days, json_t *late)
{
	size_t i;
	json_t *r;
	json_array_foreach(late, i, r)
		printf(_("%s: LATE: seq %s, serial %s, asset %s, department %s: My Number "
		       "erasure %s still open after %lld days (limit %ld); record its "
		       "destruction with 'kesu destroy'\n"), reg, sv(r, "seq"), sv(r, "serial"),
		       sv(r, "asset")[0] ? sv(r, "asset") : "?",
		       sv(r, "department")[0] ? sv(r, "department") : "?", sv(r, "id"),
		       (long long)json_integer_value(json_object_get(r, "age_days")), max_days);
	size_t n = json_array_size(late);
	json_decref(late);
	if (n)
		printf(_("%s: %zu open item(s) older than %ld days\n"), reg, n, max_days);
	return n ? KESU_ERR_FAILED : KESU_OK;
}

static enum kesu_rc run_verify(const struct kesu_reg_ctx *c, int nargs, char **args)
{
	(void)nargs, (void)args;
	if (kesu_reg_is_db(c->reg)) {
		long max_days;
		json_t *late;
		enum kesu_rc rc = kesu_reg_ledger_overdue(c, &max_days, &late);
		if (rc)
			return rc;
		if ((rc = kesu_reg_pg_verify(c, max_days, late)) || c->a.json) {
			size_t n_late = json_array_size(late);
			json_decref(late);
			return rc ? rc : n_late ? KESU_ERR_FAILED : KESU_OK;
		}
		return print_late(c->reg, max_days, late);
	}
	struct kesu_err err = {0};
	struct kesu_reg_verify v;
	enum kesu_rc rc = kesu_register_verify_ts(c->reg, c->ca, c->tsa_ca, true, &v, NULL,
						  NULL, &err);
	long max_days = -1;
	json_t *late = NULL;
	if (!rc && (rc = kesu_reg_ledger_overdue(c, &max_days, &late)))
		return rc;
	if (c->a.json) {
		verify_json(c->reg, rc, &v, &err, max_days, late);
		size_t n_late = json_array_size(late);
		json_decref(late);
		return rc ? rc : n_late ? KESU_ERR_FAILED : KESU_OK;
	}
	if (rc) {
		kesu_report(&err);
		return rc;
	}
	printf(_("%s: verified: %zu lines, signed head at %llu, %zu certificate "
	       "files checked, %zu not present here"), c->reg, v.text.lines,
	       (unsigned long long)v.head_seq, v.certs_checked, v.certs_missing);
	if (v.head_timestamped) {
		char gt[KESU_TIME_LEN];
		kesu_time_format(v.head_ts.gen_time, gt);
		printf(_(", head timestamped %s by %s"), gt, v.head_ts.tsa_subject);
	} else if (v.head_ts_present) {
		printf(_("; head timestamp NOT checked (give --tsa-ca-file)"));
	}
	printf("\n");
	if (v.text.repairs)
		printf(_("%s: %zu repair line(s) record entries lost; see 'kesu "
		       "register list'\n"), c->reg, v.text.repairs);
	return print_late(c->reg, max_days, late);
}

static void print_csv(const json_t *rows)
{
	static const char *const cols[] = {"seq", "time", "kind", "cert_id",
		"run_id", "serial", "model", "result", "operator", "cert_file",
		"cert_sha256", "sig_sha256", NULL};
	size_t i;
	json_t *r;
	for (i = 0; cols[i]; i++)
		kesu_csv_cell(cols[i], !cols[i + 1], "\n");
	json_array_foreach(rows, i, r) {
		char seq[24];
		snprintf(seq, sizeof(seq), "%lld",
			 (long long)json_integer_value(json_object_get(r, "seq")));
		for (size_t k = 0; cols[k]; k++)
			kesu_csv_cell(k ? sv(r, cols[k]) : seq, !cols[k + 1], "\n");
	}
}

static void print_table(const json_t *rows)
{
	size_t i;
	json_t *r;
	static const size_t cols[] = {6, 25, 22, 20, 24, 0};
	const char *heads[] = {_("SEQ"), _("TIME"), _("RESULT"), _("SERIAL"), _("MODEL"),
			       _("OPERATOR")};
	kesu_reg_heading(heads, cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(rows, i, r) {
		bool rec = strcmp(sv(r, "kind"), "certificate");
		char kind[24];
		snprintf(kind, sizeof(kind), "(%s)", sv(r, "kind"));
		printf("%-6lld %-25s %-22s %-20s %-24s %s\n",
		       (long long)json_integer_value(json_object_get(r, "seq")),
		       sv(r, "time"), rec ? kind : sv(r, "result"),
		       rec ? "-" : sv(r, "serial") ? sv(r, "serial") : "-",
		       rec ? "-" : sv(r, "model") ? sv(r, "model") : "-",
		       rec ? sv(r, "by") ? sv(r, "by") : "-" : sv(r, "operator"));
	}
}

static enum kesu_rc run_list(const struct kesu_reg_ctx *c, int nargs, char **args)
{
	(void)nargs, (void)args;
	if (!kesu_reg_is_db(c->reg) || kesu_reg_ledger_filtered(&c->a))
		return kesu_reg_ledger_list(c);
	json_t *rows;
	enum kesu_rc rc = reg_read(c, &rows);
	if (rc)
		return rc;
	if (c->a.json) {
		char *s = json_dumps(rows, JSON_INDENT(2) | JSON_SORT_KEYS);
		if (s)
			printf("%s\n", s);
		free(s);
	} else {
		print_table(rows);
	}
	json_decref(rows);
	return KESU_OK;
}

static enum kesu_rc run_export(const struct kesu_reg_ctx *c, int nargs, char **args)
{
	(void)nargs, (void)args;
	if (!c->a.csv && !c->a.excel)
		return kesu_usage_error("register export: give --csv or --excel");
	if (!kesu_reg_is_db(c->reg) || c->a.excel || kesu_reg_ledger_filtered(&c->a))
		return kesu_reg_ledger_export(c);
	json_t *rows;
	enum kesu_rc rc = reg_read(c, &rows);
	if (rc)
		return rc;
	print_csv(rows);
	json_decref(rows);
	return KESU_OK;
}

static enum kesu_rc run_trace(const struct kesu_reg_ctx *c, int nargs, char **args)
{
	if (nargs != 1)
		return kesu_usage_error("register trace: give one SERIAL");
	return kesu_reg_ledger_trace(c, args[0]);
}

/* One certificate: verified, then appended; what happened is printed. */
static enum kesu_rc import_one(const struct kesu_reg_ctx *c, const char *file,
			       const struct kesu_trust *trust, struct kesu_signer *signer,
			       const struct kesu_tsa *tsa)
{
	struct kesu_err err = {0};
	static struct kesu_cert_file_verdict v;
	struct kesu_reg_append a;
	enum kesu_rc rc;
	if ((rc = kesu_cert_verify(file, trust, &v))) {
		fprintf(stderr, _("kesu: %s: %s: %s; not registered\n"), file, v.stage, v.error);
	} else if ((rc = (v.destruction ? kesu_reg_append_doc_ts : kesu_reg_append_cert_ts)(
			    c->reg, file, signer, c->ca, tsa->url[0] ? tsa : NULL, &a, &err))) {
		kesu_report(&err);
		if (rc == KESU_ERR_UNSTAMPED)
			printf(_("%s: registered as %llu (result %s), head not timestamped\n"),
			       file, (unsigned long long)a.seq, v.result);
	} else if (a.already) {
		printf(_("%s: already registered as %llu; nothing to do\n"), file,
		       (unsigned long long)a.seq);
	} else {
		if (a.recovered)
			printf(_("%s: leftovers of an interrupted append were cut and "
			       "recorded as %llu\n"), c->reg, (unsigned long long)a.recovery_seq);
		printf(_("%s: registered as %llu (result %s)\n"), file, (unsigned long long)a.seq,
		       v.result);
	}
	return rc;
}

static enum kesu_rc run_import(const struct kesu_reg_ctx *c, int nargs, char **args)
{
	if (!nargs)
		return kesu_usage_error("register import: give the certificate file(s)");
	if (!c->ca[0])
		return kesu_usage_error("register import: no trusted CA; give --ca "
					"or set [trust] ca_file");
	struct kesu_signer *signer;
	enum kesu_rc rc = kesu_reg_signer(c, &signer);
	if (rc)
		return rc;
	/* The new head is timestamped like one written by kesu wipe. */
	struct kesu_tsa tsa = {c->a.tsa ? c->a.tsa : c->cfg.tsa_url, c->tsa_ca, NULL, NULL};
	enum kesu_rc worst = KESU_OK;
	/* Many files, one reading of the CA and CRL; without memory for the
	 * store each check reads the files itself, as before. */
	struct kesu_trust trust = {.ca_file = c->ca, .tsa_ca_file = c->tsa_ca};
	struct kesu_err ignored;
	kesu_trust_store_new(&trust.store, &ignored);
	kesu_cosign_listing_new(&trust.listing, &ignored);
	for (int i = 0; i < nargs; i++) {
		rc = import_one(c, args[i], &trust, signer, &tsa);
		if (rc && (!worst || worst == KESU_ERR_UNSTAMPED))
			worst = rc;
	}
	kesu_trust_store_free(trust.store);
	kesu_cosign_listing_free(trust.listing);
	kesu_signer_free(signer);
	return worst;
}

static const struct kesu_opt verify_opts[] = {
	KESU_REG_OPT_REGISTER, KESU_REG_OPT_CA, KESU_REG_OPT_TSA_CA, KESU_OPT_JSON,
	{"open-max-days", 0, "N", N_("report My Number items open longer than N days, exit 1 ([register] open_max_days)")},
	KESU_OPT_CONFIG, KESU_OPT_HELP, KESU_OPT_END,
};
static const struct kesu_opt list_opts[] = {
	KESU_REG_OPT_SINCE, KESU_REG_OPT_UNTIL, KESU_REG_OPT_SERIAL, KESU_REG_OPT_OPERATOR,
	KESU_REG_OPT_ASSET, KESU_REG_OPT_DEPARTMENT, KESU_REG_OPT_KIND, KESU_REG_OPT_OPEN,
	KESU_OPT_JSON, KESU_REG_OPT_REGISTER, KESU_REG_OPT_CA, KESU_OPT_CONFIG,
	KESU_OPT_HELP, KESU_OPT_END,
};
static const struct kesu_opt export_opts[] = {
	{"csv", 0, NULL, N_("CSV for the asset ledger (columns in kesu(8))")},
	{"excel", 0, NULL, N_("the same CSV for Excel: UTF-8 with a BOM, CRLF line ends")},
	KESU_REG_OPT_SINCE, KESU_REG_OPT_UNTIL, KESU_REG_OPT_SERIAL, KESU_REG_OPT_OPERATOR,
	KESU_REG_OPT_ASSET, KESU_REG_OPT_DEPARTMENT, KESU_REG_OPT_KIND, KESU_REG_OPT_OPEN,
	KESU_REG_OPT_REGISTER, KESU_REG_OPT_CA, KESU_OPT_CONFIG, KESU_OPT_HELP, KESU_OPT_END,
};
static const struct kesu_opt trace_opts[] = {
	KESU_OPT_JSON, KESU_REG_OPT_REGISTER, KESU_REG_OPT_CA, KESU_OPT_CONFIG, KESU_OPT_HELP,
	KESU_OPT_END,
};
static const struct kesu_opt import_opts[] = {
	KESU_REG_OPT_CA, KESU_REG_OPT_KEY, KESU_REG_OPT_CERT, KESU_REG_OPT_REGISTER,
	KESU_REG_OPT_TSA, KESU_REG_OPT_TSA_CA, KESU_OPT_CONFIG, KESU_OPT_HELP, KESU_OPT_END,
};
static const struct kesu_opt repair_opts[] = {
	{"reason", 0, "TEXT", N_("why entries may be lost (recorded in the register)")},
	{"operator", 0, "NAME", N_("who decides the repair ([operator] name)")},
	KESU_REG_OPT_CA, KESU_REG_OPT_KEY, KESU_REG_OPT_CERT, KESU_REG_OPT_REGISTER,
	KESU_OPT_CONFIG, KESU_OPT_HELP, KESU_OPT_END,
};

static const struct kesu_reg_verb verify_verb = {verify_opts, NULL,
	N_("Check the register (kesu-register(5)) under a shared lock: the chain, the\n"
	   "signed head and its timestamp, that no certificate or run is registered\n"
	   "twice, and that every line matches the certificate it points to."), run_verify};
static const struct kesu_reg_verb list_verb = {list_opts, NULL,
	N_("List the entries of a register that verifies (chain and signed head),\n"
	   "each with what its document says (asset, department, open or closed)."), run_list};
static const struct kesu_reg_verb export_verb = {export_opts, NULL,
	N_("Write the entries of a register that verifies as CSV; text a spreadsheet\n"
	   "would run as a formula is quoted."), run_export};
static const struct kesu_reg_verb trace_verb = {trace_opts, "SERIAL",
	N_("The life of one medium: every line naming its serial, in register order\n"
	   "(erasure, destruction, and the other documents the register carries).\n"
	   "Exit status 3 when the register has nothing for it."), run_trace};
static const struct kesu_reg_verb import_verb = {import_opts, "CERT...",
	N_("Verify certificates and destruction documents against the trusted CA\n"
	   "and register them under a new signed head."), run_import};
static const struct kesu_reg_verb repair_verb = {repair_opts, NULL,
	N_("Make a register that does not verify extendable again, on the record:\n"
	   "keep what the signed head vouches for, save the rest, and sign a repair\n"
	   "line naming the lost entries."), run_repair};

static const struct kesu_verb VERBS[] = {
	{"verify", N_("check the chain, the signed head and the certificates"), kesu_reg_verb_main, &verify_verb},
	{"list", N_("list the entries"), kesu_reg_verb_main, &list_verb},
	{"export", N_("the entries as CSV for the asset ledger"), kesu_reg_verb_main, &export_verb},
	{"trace", N_("the whole life of one medium"), kesu_reg_verb_main, &trace_verb},
	{"import", N_("verify and register certificates"), kesu_reg_verb_main, &import_verb},
	{"repair", N_("make a damaged register extendable again, on the record"), kesu_reg_verb_main, &repair_verb},
	{"report", N_("the disposal ledger for a period as a PDF"), cmd_register_report, NULL},
	{"init-db", N_("create or upgrade a database register's schema"), kesu_reg_verb_main, &kesu_reg_pg_init_db},
	{"push", N_("send a register file's certificates to the database"), kesu_reg_verb_main, &kesu_reg_pg_push},
	{"pull", N_("write the database's certificates to a directory"), kesu_reg_verb_main, &kesu_reg_pg_pull},
	{"seal", N_("sign the database register's tail"), kesu_reg_verb_main, &kesu_reg_pg_seal},
	{NULL, NULL, NULL, NULL},
};

enum kesu_rc cmd_register(int argc, char **argv)
{
	return kesu_verb_dispatch("register", VERBS,
				  N_("FILE may be a postgresql:// URL: see kesu-register(5), "
				     "POSTGRESQL.\n"), argc, argv);
}
