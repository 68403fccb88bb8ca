/* kesu register verify on a database: read everything in one snapshot, in
 * batches, check every stored document's signature against the CA (read
 * once for the run), then hand the rows to the pure verdict (pg_judge.c). */
#include "certs/register/register_pg.h"
#include "certs/register/pg_util.h"
#include "certs/document/certificate.h"
#include "certs/register/reg_kinds.h"
#include "certs/register/register.h"
#include "certs/sign/cms_verify.h"
#include "certs/sign/timestamp.h"
#include "lib/digest.h"
#include "lib/i18n.h"
#include "lib/jcheck.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_text(const struct kesu_db_result *r, size_t row, size_t col)
{
	const char *s = kesu_db_text(r, row, col);
	return s ? strdup(s) : NULL;
}

static void free_rows(struct kesu_pgreg_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].serial);
		free(rows[i].model);
		free(rows[i].result);
		free(rows[i].operator_name);
		free(rows[i].run_id);
		free(rows[i].asset);
		free(rows[i].department);
		free(rows[i].closes);
		free(rows[i].refers_to);
		free(rows[i].line);
	}
	free(rows);
}

/* The stored certificate's ledger columns must say what it says. */
static bool cert_problem(const struct kesu_pgreg_row *r, const struct kesu_db_value *cert,
			 struct kesu_err *why)
{
	json_t *c = NULL;
	if (kesu_cert_parse(cert->data, cert->len, &c, why)) {
		kesu_err_prefix(why, "the stored certificate is malformed: ");
		return true;
	}
	const json_t *asset = json_object_get(c, "asset");
	const char *col = !kesu_pg_same_str(r->cert_id, json_object_get(c, "id")) ? NULL
			  : !kesu_pg_same_str(r->asset, json_object_get(asset, "property_number"))
			  ? "asset"
			  : !kesu_pg_same_str(r->department, json_object_get(c, "customer"))
			  ? "department"
			  : r->my_number != json_is_true(json_object_get(asset, "my_number"))
			  ? "my_number" : "";
	bool bad = !col || col[0];
	if (!col)
		kesu_fail(why, KESU_ERR_INVALID, 0, "the stored certificate's id is not the "
			  "line's cert_id");
	else if (col[0])
		kesu_fail(why, KESU_ERR_INVALID, 0, "the %s column does not match the stored "
			  "certificate (the row was edited in place)", col);
	json_decref(c);
	return bad;
}

/* Another kind's document: read by its kind's parser, it must say what
 * its line repeats; the certificate columns stay empty. */
static bool doc_kind_problem(const struct kesu_pgreg_row *r, const json_t *line,
			     const struct kesu_db_value *doc, struct kesu_err *why)
{
	const struct kesu_reg_kind *k = kesu_reg_kind_find(r->kind);
	json_t *d = NULL;
	if (!k) {
		kesu_fail(why, KESU_ERR_INVALID, 0, "a line of kind %.20s, which the database "
			  "does not take", r->kind);
		return true;
	}
	if (k->parse(doc->data, doc->len, &d, why)) {
		kesu_err_prefix(why, "the stored %s document is malformed: ", k->kind);
		return true;
	}
	bool bad = kesu_reg_kind_contradicts(k, line, d, why) != KESU_OK;
	if (!bad && (r->asset || r->department || r->my_number != -1)) {
		kesu_fail(why, KESU_ERR_INVALID, 0, "a certificate column is set on a %s row "
			  "(the row was edited in place)", k->kind);
		bad = true;
	}
	json_decref(d);
	return bad;
}

/* Which stored file does not have the hash its line records: the
 * document or its signature (whole sentences, for their translation). */
static void hash_problem(bool is_cert, bool sig, struct kesu_err *why)
{
	if (sig)
		kesu_fail(why, KESU_ERR_INVALID, 0, "the stored signature does not match the "
			  "hash in its line (the document was replaced)");
	else if (is_cert)
		kesu_fail(why, KESU_ERR_INVALID, 0, "the stored certificate does not match the "
			  "hash in its line (the document was replaced)");
	else
		kesu_fail(why, KESU_ERR_INVALID, 0, "the stored document does not match the "
			  "hash in its line (the document was replaced)");
}

/* Why a row's stored documents fail, or false when they are good: the
 * bytes its line records, a signature the CA vouches for, and what the
 * document says. */
static bool doc_problem(const struct kesu_pgreg_row *r, const struct kesu_db_value *cert,
			const struct kesu_db_value *sig, const struct kesu_trust *t,
			struct kesu_err *why)
{
	json_t *line = json_loadb(r->line, r->line_len, 0, NULL);
	if (!line)
		return false;  /* the chain check reports the line itself */
	bool bad = true, is_cert = !strcmp(r->kind, "certificate");
	char hc[65], hs[65];
	struct kesu_sig_info si;
	if (!cert || !sig) {
		if (is_cert)
			kesu_fail(why, KESU_ERR_INVALID, 0, "no stored certificate or signature");
		else
			kesu_fail(why, KESU_ERR_INVALID, 0, "no stored document or signature");
		goto out;
	}
	kesu_sha256_hex(cert->data, cert->len, hc);
	kesu_sha256_hex(sig->data, sig->len, hs);
	bool doc_ok = kesu_pg_same_str(hc, json_object_get(line, "cert_sha256"));
	if (!doc_ok || !kesu_pg_same_str(hs, json_object_get(line, "sig_sha256"))) {
		hash_problem(is_cert, doc_ok, why);
		goto out;
	}
	if (kesu_cms_verify_trust(cert->data, cert->len, sig->data, sig->len, t, &si, why)) {
		if (is_cert)
			kesu_err_prefix(why, "the stored certificate's ");
		else
			kesu_err_prefix(why, "the stored document's ");
		goto out;
	}
	if (!strcmp(r->kind, "countersignature") && kesu_reg_countersig_signer(line, &si, why))
		goto out;
	bad = is_cert ? cert_problem(r, cert, why) : doc_kind_problem(r, line, cert, why);
out:
	json_decref(line);
	return bad;
}

static bool fill_row(struct kesu_pgreg_row *w, const struct kesu_db_result *r, size_t i)
{
	memset(w, 0, sizeof(*w));
	w->seq = kesu_pg_u64(kesu_db_text(r, i, 0));
	snprintf(w->prev, sizeof(w->prev), "%s", kesu_db_text(r, i, 1) ? kesu_db_text(r, i, 1) : "");
	snprintf(w->line_sha256, sizeof(w->line_sha256), "%s",
		 kesu_db_text(r, i, 2) ? kesu_db_text(r, i, 2) : "");
	snprintf(w->kind, sizeof(w->kind), "%s", kesu_db_text(r, i, 3) ? kesu_db_text(r, i, 3) : "");
	w->at = kesu_db_text(r, i, 4) ? strtoll(kesu_db_text(r, i, 4), NULL, 10) : 0;
	snprintf(w->cert_id, sizeof(w->cert_id), "%s", kesu_db_text(r, i, 5) ? kesu_db_text(r, i, 5) : "");
	w->run_id = dup_text(r, i, 13);
	w->asset = dup_text(r, i, 14);
	w->department = dup_text(r, i, 15);
	w->closes = dup_text(r, i, 17);
	w->refers_to = dup_text(r, i, 18);
	const char *mn = kesu_db_text(r, i, 16);
	w->my_number = !mn ? -1 : !strcmp(mn, "true");
	w->serial = dup_text(r, i, 6);
	w->model = dup_text(r, i, 7);
	w->result = dup_text(r, i, 8);
	w->operator_name = dup_text(r, i, 9);
	const struct kesu_db_value *l = kesu_db_cell(r, i, 10);
	w->line_len = l ? l->len : 0;
	w->line = malloc(w->line_len + 1);
	if (!w->line)
		return false;
	if (l)
		memcpy(w->line, l->data, l->len);
	w->line[w->line_len] = '\0';
	return true;
}

/* A seal's RFC 3161 token, checked against the TSA's CA when one is given:
 * then the sealer's certificate is judged at the TSA's genTime (at->at),
 * as a file register's timestamped head is.  True when it is bad. */
static bool seal_token(const struct kesu_db_value *sig, const struct kesu_db_value *tsr,
		       struct kesu_trust *at, struct kesu_pgreg_seal_row *s,
		       struct kesu_err *why)
{
	s->ts = KESU_PGREG_TS_UNCHECKED;
	if (!at->tsa_ca_file || !at->tsa_ca_file[0])
		return false;
	struct kesu_ts_info ti;
	if (kesu_ts_token_verify(sig->data, sig->len, tsr->data, tsr->len, at->tsa_ca_file,
				 &ti, why)) {
		kesu_err_prefix(why, "timestamp token: ");
		return true;
	}
	s->ts = KESU_PGREG_TS_CHECKED;
	s->gen_time = ti.gen_time;
	at->at = ti.gen_time;
	return false;
}

/* A seal's signed head, checked against the CA; its columns must repeat
 * what the signature covers.  True, with why, when it is bad. */
static bool seal_problem(const struct kesu_db_result *r, size_t i,
			 const struct kesu_trust *t, struct kesu_pgreg_seal_row *s,
			 struct kesu_err *why)
{
	const struct kesu_db_value *head = kesu_db_cell(r, i, 3), *sig = kesu_db_cell(r, i, 4);
	struct kesu_sig_info si;
	s->id = kesu_pg_u64(kesu_db_text(r, i, 0));
	s->seq = kesu_pg_u64(kesu_db_text(r, i, 1));
	snprintf(s->line_sha256, sizeof(s->line_sha256), "%s",
		 kesu_db_text(r, i, 2) ? kesu_db_text(r, i, 2) : "");
	if (!head || !sig) {
		kesu_fail(why, KESU_ERR_INVALID, 0, "head or signature missing");
		return true;
	}
	const struct kesu_db_value *tsr = kesu_db_cell(r, i, 5);
	struct kesu_trust at = *t;
	if (tsr && seal_token(sig, tsr, &at, s, why))
		return true;
	if (kesu_cms_verify_trust(head->data, head->len, sig->data, sig->len, &at, &si, why)) {
		kesu_err_prefix(why, "head ");
		return true;
	}
	json_t *h = json_loadb(head->data, head->len, JSON_REJECT_DUPLICATES, NULL);
	static const char *const keys[] = {"schema", "register", "seq", "line_sha256",
					   "time", NULL};
	static const char *const schemas[] = {KESU_REGISTER_SCHEMA_HEAD, NULL};
	int64_t seq;
	const char *lh;
	if (!h) {
		kesu_fail(why, KESU_ERR_INVALID, 0, "signed head is malformed: not JSON");
		return true;
	}
	if (kj_keys(h, "head", keys, why) || kj_enum(h, "head", "schema", schemas, NULL, why) ||
	    kj_int(h, "head", "seq", 1, INT64_MAX, &seq, why) ||
	    kj_hex(h, "head", "line_sha256", 64, &lh, why)) {
		json_decref(h);
		kesu_err_prefix(why, "signed head is malformed: ");
		return true;
	}
	bool bad = (uint64_t)seq != s->seq || strcmp(lh, s->line_sha256);
	if (bad)
		kesu_fail(why, KESU_ERR_INVALID, 0, "the seq or line_sha256 column does not "
			  "match the signed head (the seal row was edited)");
	s->seq = (uint64_t)seq;
	snprintf(s->line_sha256, sizeof(s->line_sha256), "%s", lh);
	json_decref(h);
	return bad;
}

/* What verify has read so far. */
struct reading {
	const struct kesu_trust *trust;
	bool docs;                 /* read and check the stored documents */
	struct kesu_pgreg_facts f;
	struct kesu_pgreg_row *rows;
	size_t cap, ndocs;
	struct kesu_pgreg_seal_row *seals;
	struct kesu_err *seal_why;
};

static bool grow(struct reading *g, size_t more)
{
	if (g->f.nrows + more <= g->cap)
		return true;
	size_t ncap = g->cap ? g->cap * 2 : 1024;
	while (ncap < g->f.nrows + more)
		ncap *= 2;
	struct kesu_pgreg_row *nr = realloc(g->rows, ncap * sizeof(*nr));
	if (!nr)
		return false;
	g->rows = nr;
	g->cap = ncap;
	return true;
}

/* One batch of rows after seq `after`; *got is how many came. */
static enum kesu_db_rc read_batch(struct kesu_db *db, struct reading *g, const char *after,
				  size_t *got, bool *oom, struct kesu_db_error *e)
{
	struct kesu_db_result *r = NULL;
	struct kesu_db_param p[1] = {kesu_pg_txt(after)};
#define ROW_COLS(CERT, SIG) "SELECT e.seq::text, e.prev, e.line_sha256, " \
	"e.kind, extract(epoch FROM e.at)::bigint::text, e.cert_id::text, " \
	"e.serial, e.model, e.result, e.operator_name, e.line, " CERT ", " SIG ", " \
	"e.run_id::text, e.asset, e.department, e.my_number::text, e.closes::text, " \
	"e.refers_to::text " \
	"FROM kesu.entries e "
#define ROW_WHERE "WHERE e.seq > $1::bigint ORDER BY e.seq LIMIT " KESU_PG_BATCH_SQL
	enum kesu_db_rc rc = kesu_pg_run(db, g->docs
		? ROW_COLS("d.cert", "d.sig") "LEFT JOIN kesu.documents d ON d.seq = e.seq "
		  ROW_WHERE
		: ROW_COLS("NULL::bytea", "NULL::bytea") ROW_WHERE, 1, p, &r, e);
	if (rc)
		return rc;
	*got = r->nrows;
	*oom = !grow(g, r->nrows);
	for (size_t i = 0; !*oom && i < r->nrows; i++) {
		struct kesu_pgreg_row *w = &g->rows[g->f.nrows++];
		if ((*oom = !fill_row(w, r, i)))
			break;
		if (!g->docs)
			continue;
		g->ndocs++;
		if (!g->f.doc_bad && doc_problem(w, kesu_db_cell(r, i, 11),
						 kesu_db_cell(r, i, 12), g->trust,
						 &g->f.doc_why))
			g->f.doc_bad = g->f.nrows;
	}
	kesu_db_result_free(r);
	return KESU_DB_OK;
}

/* The head row and every seal, each seal's signed head checked. */
static enum kesu_db_rc read_head_seals(struct kesu_db *db, struct reading *g, bool *oom,
				       struct kesu_db_error *e)
{
	struct kesu_db_result *r = NULL;
	enum kesu_db_rc rc = kesu_pg_run(db, "SELECT seq::text, line_sha256 FROM kesu.head",
					 0, NULL, &r, e);
	if (rc)
		return rc;
	g->f.head_seq = kesu_pg_u64(kesu_db_text(r, 0, 0));
	snprintf(g->f.head_hash, sizeof(g->f.head_hash), "%s",
		 kesu_db_text(r, 0, 1) ? kesu_db_text(r, 0, 1) : "");
	kesu_db_result_free(r);
	r = NULL;
	if ((rc = kesu_pg_run(db, "SELECT id::text, seq::text, line_sha256, head, sig, tsr "
			      "FROM kesu.seals ORDER BY id", 0, NULL, &r, e)))
		return rc;
	if (r->nrows) {
		g->seals = calloc(r->nrows, sizeof(*g->seals));
		g->seal_why = calloc(r->nrows, sizeof(*g->seal_why));
		if ((*oom = !g->seals || !g->seal_why)) {
			kesu_db_result_free(r);
			return KESU_DB_OK;
		}
	}
	for (size_t i = 0; i < r->nrows; i++)
		g->seals[i].error = seal_problem(r, i, g->trust, &g->seals[i], &g->seal_why[i])
				    ? &g->seal_why[i] : NULL;
	g->f.nseals = r->nrows;
	kesu_db_result_free(r);
	return KESU_DB_OK;
}

/* Everything, in one snapshot: appends going on meanwhile are simply not
 * seen. */
static enum kesu_db_rc read_all(struct kesu_db *db, struct reading *g, bool *oom,
				struct kesu_db_error *e)
{
	enum kesu_db_rc rc = kesu_pg_run(db, "BEGIN ISOLATION LEVEL REPEATABLE READ "
					 "READ ONLY", 0, NULL, NULL, e);
	if (rc)
		return rc;
	char after[24] = "0";
	size_t got = KESU_PG_BATCH;
	while (!rc && !*oom && got == KESU_PG_BATCH) {
		rc = read_batch(db, g, after, &got, oom, e);
		if (!rc && g->f.nrows)
			snprintf(after, sizeof(after), "%" PRIu64, g->rows[g->f.nrows - 1].seq);
	}
	if (!rc && !*oom)
		rc = read_head_seals(db, g, oom, e);
	if (rc != KESU_DB_LOST)
		kesu_pg_rollback(db);  /* read only: nothing to commit */
	return rc;
}

enum kesu_rc kesu_pgreg_verify(struct kesu_db *db, const char *ca_file,
			       struct kesu_pgreg_verdict *v, struct kesu_err *err)
{
	return kesu_pgreg_verify_ts(db, ca_file, NULL, v, err);
}

/* The stored lines as JSON objects (the chain check accepted them). */
static json_t *lines_of_rows(const struct kesu_pgreg_row *rows, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++) {
		json_t *o = json_loadb(rows[i].line, rows[i].line_len, 0, NULL);
		if (!o || json_array_append_new(a, o)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* Read in one snapshot and judge: with docs every stored document is
 * checked too; with lines the lines of a register that verified. */
static enum kesu_rc check(struct kesu_db *db, const char *ca_file, const char *tsa_ca_file,
			  bool docs, struct kesu_pgreg_verdict *v, json_t **lines,
			  struct kesu_err *err)
{
	memset(v, 0, sizeof(*v));
	if (!ca_file || !ca_file[0])
		return kesu_fail(err, KESU_ERR_USAGE, 0, "register database: no trusted CA "
				 "for its seals; give --ca FILE or [trust] ca_file in kesu.conf");
	struct kesu_trust t = {.ca_file = ca_file, .tsa_ca_file = tsa_ca_file};
	enum kesu_rc krc = kesu_trust_store_new(&t.store, err);
	if (krc)
		return krc;
	struct reading g = {.trust = &t, .docs = docs};
	struct kesu_db_error e;
	bool oom = false;
	enum kesu_db_rc rc = read_all(db, &g, &oom, &e);
	if (rc) {
		krc = kesu_pg_fail(err, rc, &e, "verify");
	} else if (oom) {
		krc = kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	} else {
		g.f.rows = g.rows;
		g.f.seals = g.seals;
		kesu_pgreg_judge(&g.f, v);
		v->documents_checked = v->bad ? 0 : g.ndocs;
		if (v->bad) {
			krc = kesu_fail(err, KESU_ERR_INVALID, 0, "register database: %s",
					v->why);
			kesu_err_localize(err, _("register database: %s"),
					  v->why_local[0] ? v->why_local : v->why);
		}
		else if (lines && !(*lines = lines_of_rows(g.rows, g.f.nrows)))
			krc = kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	free_rows(g.rows, g.f.nrows);
	free(g.seals);
	free(g.seal_why);
	kesu_trust_store_free(t.store);
	return krc;
}

enum kesu_rc kesu_pgreg_verify_ts(struct kesu_db *db, const char *ca_file,
				  const char *tsa_ca_file, struct kesu_pgreg_verdict *v,
				  struct kesu_err *err)
{
	return check(db, ca_file, tsa_ca_file, true, v, NULL, err);
}

enum kesu_rc kesu_pgreg_check_chain(struct kesu_db *db, const char *ca_file,
				    struct kesu_pgreg_verdict *v, struct kesu_err *err)
{
	return check(db, ca_file, NULL, false, v, NULL, err);
}

enum kesu_rc kesu_pgreg_lines(struct kesu_db *db, const char *ca_file, json_t **lines,
			      struct kesu_err *err)
{
	struct kesu_pgreg_verdict v;
	*lines = NULL;
	return check(db, ca_file, NULL, false, &v, lines, err);
}
