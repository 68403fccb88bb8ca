/* The ledger view of a register file on the command line: list with the
 * ledger's filters, export as CSV (or for Excel), trace one medium, and
 * the open items register verify reports as late.  What a row says is
 * decided in certs/register/ledger.c; this file reads and prints. */
#include "certs/register/backend.h"
#include "certs/register/ledger.h"
#include "certs/register/register.h"
#include "cli/cli.h"
#include "cli/code_words.h"
#include "cli/register_opts.h"
#include "lib/i18n.h"
#include "lib/strutil.h"
#include "lib/termtext.h"
#include "lib/timefmt.h"

#include <stdlib.h>
#include <string.h>

void kesu_csv_cell(const char *s, bool last, const char *eol)
{
	if (!s)
		s = "";
	bool formula = s[0] && strchr("=+-@\t\r", s[0]);
	putchar('"');
	if (formula)
		putchar('\'');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
	fputs(last ? eol : ",", stdout);
}

bool kesu_reg_ledger_filtered(const struct kesu_reg_args *a)
{
	return a->asset || a->department || a->kind || a->open;
}

struct view {
	json_t *lines, *docs, *rows;   /* rows[i]: line i's ledger row or null */
	size_t shown;                  /* the lines selected; the rest are context */
	bool db;                       /* selected by the database's query */
};

static void view_free(struct view *v)
{
	json_decref(v->lines);
	json_decref(v->docs);
	json_decref(v->rows);
}

/* Every line of a register that verifies, with its document and row; a
 * database register answers with the lines its indexed query selects
 * (the options' filters, or with serial its trace), documents included,
 * after its chain verified. */
static enum kesu_rc view_load(const struct kesu_reg_ctx *c, const char *serial,
			      struct view *v)
{
	memset(v, 0, sizeof(*v));
	struct kesu_err err = {0};
	enum kesu_rc rc;
	if (kesu_reg_is_db(c->reg)) {
		v->db = true;
		rc = serial ? kesu_reg_pg_trace(c, serial, &v->lines, &v->docs)
			    : kesu_reg_pg_ledger(c, &v->lines, &v->docs, &v->shown);
		if (rc)
			return rc;
	} else if ((rc = kesu_reg_lines(c->reg, c->ca, &v->lines, &err))) {
		kesu_report(&err);
		if (rc == KESU_ERR_INVALID)
			fputs(_("kesu: nothing listed: the register does not verify; run "
			      "'kesu register verify'\n"), stderr);
		return rc;
	}
	if (!v->db || serial)
		v->shown = json_array_size(v->lines);
	if (!v->docs)
		v->docs = kesu_register_docs(v->lines);
	v->rows = json_array();
	time_t now = time(NULL);
	for (size_t i = 0; v->docs && v->rows && i < json_array_size(v->lines); i++) {
		json_t *row = kesu_ledger_row(v->lines, v->docs, i, now);
		json_array_append_new(v->rows, row ? row : json_null());
	}
	if (!v->docs || !v->rows) {
		view_free(v);
		return kesu_usage_error("register: out of memory");
	}
	return KESU_OK;
}

static const char *sv(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The options' filters: the old ones on the line itself, the ledger's on
 * its row (lines without one pass only a --kind naming their own kind). */
static bool selects(const struct kesu_reg_args *a, const json_t *line, const json_t *row)
{
	time_t t = 0;
	kesu_time_parse(sv(line, "time"), &t);
	const char *op = json_is_object(row) ? sv(row, "operator") : sv(line, "operator");
	if ((a->since && t < a->since) || (a->until && t > a->until) ||
	    (a->serial && (!sv(line, "serial") || strcmp(sv(line, "serial"), a->serial))) ||
	    (a->op && (!op || strcmp(op, a->op))))
		return false;
	struct kesu_ledger_filter f = {.asset = a->asset, .department = a->department,
				       .kind = a->kind, .open_only = a->open};
	if (json_is_object(row))
		return kesu_ledger_selects(row, &f);
	return !a->asset && !a->department && !a->open &&
	       (!a->kind || !strcmp(a->kind, sv(line, "kind")));
}

static void print_json(const struct view *v, const struct kesu_reg_args *a)
{
	json_t *out = json_array();
	for (size_t i = 0; i < v->shown; i++) {
		json_t *l = json_array_get(v->lines, i), *r = json_array_get(v->rows, i);
		if (!v->db && !selects(a, l, r))
			continue;
		json_t *copy = json_copy(l);
		json_object_set(copy, "ledger", r);
		json_array_append_new(out, copy);
	}
	char *s = json_dumps(out, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (s)
		printf("%s\n", s);
	free(s);
	json_decref(out);
}

/* A table's heading line: each name cut and padded to its columns (kesu_term_cell:
 * a translated heading is wider on a terminal than its bytes say), the last one
 * as it is; one space between. */
void kesu_reg_heading(const char *const *names, const size_t *cols, size_t n)
{
	char cell[256];
	for (size_t i = 0; i + 1 < n; i++) {
		kesu_term_cell(cell, sizeof(cell), names[i], cols[i], false);
		printf("%s ", cell);
	}
	if (n)
		printf("%s\n", names[n - 1]);
}

static const char *word(const char *cell);

/* One row of `register list`: each cell laid out in display columns (an
 * operator's or department's Japanese name, a translated result or state
 * keeps the columns) and cleaned of what a terminal would obey. */
static void print_row(const json_t *l, const json_t *r)
{
	static const size_t cols[] = {6, 25, 22, 20, 12, 16, 8};
	char seq[24], kind[40], res[128], cell[256];
	bool row = json_is_object(r);
	const char *by = row ? sv(r, "operator") : sv(l, "by"),
		   *dept = row ? sv(r, "department") : NULL;
	snprintf(seq, sizeof(seq), "%lld", (long long)json_integer_value(json_object_get(l, "seq")));
	snprintf(kind, sizeof(kind), "(%s)", sv(l, "kind") ? sv(l, "kind") : "-");
	const char *v[] = {seq, sv(l, "time"),
		row ? kesu_cli_code(KESU_CODES_RESULT, sv(r, "result"), res, sizeof(res)) : kind,
		row ? sv(r, "serial") : NULL, row ? sv(r, "asset") : NULL, by,
		row ? word(sv(r, "open")) : NULL};
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		kesu_term_cell(cell, sizeof(cell), v[i] ? v[i] : "", cols[i], false);
		printf("%s ", cell);
	}
	size_t w = dept ? kesu_term_width(dept) : 0;
	kesu_term_cell(cell, sizeof(cell), dept ? dept : "", w ? w : 1, false);
	printf("%s\n", cell);
}

static void print_table(const struct view *v, const struct kesu_reg_args *a)
{
	static const size_t cols[] = {6, 25, 22, 20, 12, 16, 8, 0};
	const char *heads[] = {_("SEQ"), _("TIME"), _("RESULT"), _("SERIAL"), _("ASSET"),
			       _("OPERATOR"), _("STATUS"), _("DEPARTMENT")};
	kesu_reg_heading(heads, cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t i = 0; i < v->shown; i++) {
		const json_t *l = json_array_get(v->lines, i), *r = json_array_get(v->rows, i);
		if (!v->db && !selects(a, l, r))
			continue;
		print_row(l, r);
	}
}

enum kesu_rc kesu_reg_ledger_list(const struct kesu_reg_ctx *c)
{
	struct view v;
	enum kesu_rc rc = view_load(c, NULL, &v);
	if (rc)
		return rc;
	if (c->a.json)
		print_json(&v, &c->a);
	else
		print_table(&v, &c->a);
	view_free(&v);
	return KESU_OK;
}

/* The line's own columns, then the ledger's. */
static const char *const RAW[] = {"seq", "time", "kind", "cert_id", "run_id", "serial",
	"model", "result", "operator", "cert_file", "cert_sha256", "sig_sha256", NULL};
static const char *const LEDGER[] = {"asset", "department", "class", "my_number",
	"reason", "method", "approver", "witnesses", "destruction", "open", "closes",
	"countersigners", NULL};

enum kesu_rc kesu_reg_ledger_export(const struct kesu_reg_ctx *c)
{
	struct view v;
	enum kesu_rc rc = view_load(c, NULL, &v);
	if (rc)
		return rc;
	/* Japanese Excel reads CSV as Shift_JIS unless a BOM says UTF-8. */
	const char *eol = c->a.excel ? "\r\n" : "\n";
	if (c->a.excel)
		fputs("\xef\xbb\xbf", stdout);
	for (size_t k = 0; RAW[k]; k++)
		kesu_csv_cell(RAW[k], false, eol);
	for (size_t k = 0; LEDGER[k]; k++)
		kesu_csv_cell(LEDGER[k], !LEDGER[k + 1], eol);
	for (size_t i = 0; i < v.shown; i++) {
		const json_t *l = json_array_get(v.lines, i), *r = json_array_get(v.rows, i);
		if (!v.db && !selects(&c->a, l, r))
			continue;
		char seq[24];
		snprintf(seq, sizeof(seq), "%lld",
			 (long long)json_integer_value(json_object_get(l, "seq")));
		for (size_t k = 0; RAW[k]; k++) {
			const char *s = k ? sv(l, RAW[k]) : seq;
			/* A destruction line has no result or operator of its own. */
			if (!s && json_is_object(r) && json_object_get(r, RAW[k]))
				s = sv(r, RAW[k]);
			kesu_csv_cell(s, false, eol);
		}
		for (size_t k = 0; LEDGER[k]; k++)
			kesu_csv_cell(json_is_object(r) ? sv(r, LEDGER[k]) : "", !LEDGER[k + 1], eol);
	}
	view_free(&v);
	return KESU_OK;
}

/* A destruction row's "destruction" cell in the operator's language: the
 * row keeps the English (JSON, CSV); the same parts, from its line and
 * document (ids are unique in a register that verifies), under _(). */
static void destroyed_local(const struct view *v, const json_t *r, char *out, size_t size)
{
	size_t i;
	json_t *l;
	json_array_foreach(v->lines, i, l) {
		const char *id = sv(l, "cert_id");
		if (!id || !sv(r, "id") || strcmp(id, sv(r, "id")))
			continue;
		struct kesu_ledger_destroyed d;
		kesu_ledger_destroyed_of(l, json_array_get(v->docs, i), &d);
		snprintf(out, size, _(d.fmt), d.args[0], d.args[1], d.args[2], d.args[3]);
		kesu_utf8_cut(out);
		return;
	}
	snprintf(out, size, "%s", sv(r, "destruction"));
}

/* The ledger's own words in a row (my_number, open, closes), which the
 * row keeps in English, for a person; anything else as it is. */
static const char *word(const char *cell)
{
	static const char *const words[] = {N_("yes"), N_("no"), N_("unknown"), N_("open"),
		N_("closed"), KESU_LEDGER_NO_ERASURE, NULL};
	for (size_t i = 0; cell && words[i]; i++)
		if (!strcmp(cell, words[i]))
			return _(words[i]);
	return cell;
}

/* One line of a medium's life, in words. */
static void trace_detail(const struct view *v, const json_t *r, char *out, size_t size)
{
	char destroyed[600];
	const char *kind = sv(r, "kind");
	if (!strcmp(kind, "certificate"))
		snprintf(out, size, _("erasure: %s by %s (%s), asset %s, My Number %s%s%s%s%s"),
			 sv(r, "result"), sv(r, "method")[0] ? sv(r, "method") : "?",
			 sv(r, "operator"), sv(r, "asset")[0] ? sv(r, "asset") : "?",
			 word(sv(r, "my_number")), sv(r, "open")[0] ? ", " : "", word(sv(r, "open")),
			 sv(r, "countersigners")[0] ? _("; countersigned: ") : "",
			 sv(r, "countersigners"));
	else if (!strcmp(kind, "destruction")) {
		destroyed_local(v, r, destroyed, sizeof(destroyed));
		snprintf(out, size, _("%s; recorded by %s; closes %s"), destroyed,
			 sv(r, "operator"), word(sv(r, "closes")));
	} else if (!strcmp(kind, "countersignature"))
		snprintf(out, size, _("countersigned as %s by %s: %s"), sv(r, "result"),
			 sv(r, "operator"), sv(r, "refers_to"));
	else if (!strcmp(kind, "verification"))
		snprintf(out, size, _("spot check: %s, by %s; checks %s"), sv(r, "result"),
			 sv(r, "operator"), sv(r, "refers_to")[0] ? sv(r, "refers_to") : "-");
	else
		snprintf(out, size, "%s %s", kind, sv(r, "id"));
}

enum kesu_rc kesu_reg_ledger_trace(const struct kesu_reg_ctx *c, const char *serial)
{
	struct view v;
	enum kesu_rc rc = view_load(c, serial, &v);
	if (rc)
		return rc;
	json_t *t = kesu_ledger_trace(v.lines, v.docs, serial, time(NULL));
	if (c->a.json) {
		char *s = json_dumps(t, JSON_INDENT(2) | JSON_SORT_KEYS);
		if (s)
			printf("%s\n", s);
		free(s);
	} else {
		char shown[KESU_STR_MAX + 1];
		kesu_clean(shown, sizeof(shown), serial, strlen(serial));
		printf(P_("%s: %zu entry\n", "%s: %zu entries\n", json_array_size(t)), shown,
		       json_array_size(t));
		size_t i;
		json_t *r;
		json_array_foreach(t, i, r) {
			char detail[768];
			trace_detail(&v, r, detail, sizeof(detail));
			printf("%-6s %-25s %-12s %s\n", sv(r, "seq"), sv(r, "time"), sv(r, "kind"),
			       detail);
		}
	}
	bool none = !json_array_size(t);
	json_decref(t);
	view_free(&v);
	/* A serial the register never saw is worth an exit status: scripts
	 * check a medium before it leaves. */
	return none ? KESU_ERR_NOENT : KESU_OK;
}

enum kesu_rc kesu_reg_ledger_overdue(const struct kesu_reg_ctx *c, long *max_days,
				     json_t **late)
{
	const char *s = c->a.open_max_days ? c->a.open_max_days : c->cfg.open_max_days;
	*max_days = -1;
	*late = NULL;
	if (!s[0])
		return KESU_OK;
	char *end;
	long n = strtol(s, &end, 10);
	if (*end || n < 0 || end == s)
		return kesu_usage_error("%s: --open-max-days: a whole number of days", c->cmd);
	/* A database answers with the open items registered before the
	 * limit, on its indexes; the ledger then judges them as a file's. */
	time_t now = time(NULL);
	struct kesu_reg_ctx q = *c;
	if (kesu_reg_is_db(c->reg)) {
		memset(&q.a, 0, sizeof(q.a));
		q.a.open = true;
		q.a.until = now - (time_t)n * 86400;
	}
	struct view v;
	enum kesu_rc rc = view_load(&q, NULL, &v);
	if (rc)
		return rc;
	*max_days = n;
	*late = kesu_ledger_overdue(v.lines, v.docs, n, now);
	view_free(&v);
	return KESU_OK;
}
