#include "certs/register/register_pg.h"
#include "certs/document/cert_verify.h"
#include "certs/document/certificate.h"
#include "certs/register/pg_schema.h"
#include "certs/register/register.h"
#include "certs/sign/cms_verify.h"
#include "lib/digest.h"
#include "lib/fileio.h"
#include "lib/jcheck.h"
#include "lib/strutil.h"
#include "lib/timefmt.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SIG_MAX_BYTES (1u << 20)
#define BATCH "500"

static struct kesu_db_param txt(const char *s)
{
	return (struct kesu_db_param){s, s ? strlen(s) : 0, false};
}

static struct kesu_db_param bin(const void *p, size_t n)
{
	return (struct kesu_db_param){p, n, true};
}

static enum kesu_db_rc run(struct kesu_db *db, const char *sql, size_t n,
			   const struct kesu_db_param *p, struct kesu_db_result **res,
			   struct kesu_db_error *e)
{
	return db->ops->exec(db, sql, n, p, res, e);
}

static void rollback(struct kesu_db *db)
{
	struct kesu_db_error ignored;
	run(db, "ROLLBACK", 0, NULL, NULL, &ignored);
}

/* A database failure as a kesu error: a lost server is an I/O error, a
 * refused privilege a permission error, a value the functions rejected
 * malformed input. */
static enum kesu_rc dbfail(struct kesu_err *err, enum kesu_db_rc rc,
			   const struct kesu_db_error *e, const char *what)
{
	enum kesu_rc k = KESU_ERR_IO;
	if (rc == KESU_DB_DENIED)
		k = KESU_ERR_PERM;
	else if (rc == KESU_DB_FAIL && !strncmp(e->sqlstate, "22", 2))
		k = KESU_ERR_INVALID;
	return kesu_fail(err, k, 0, "register database: %s: %s%s%s%s", what, e->msg,
			 e->sqlstate[0] ? " (SQLSTATE " : "", e->sqlstate,
			 e->sqlstate[0] ? ")" : "");
}

static uint64_t u64(const char *s)
{
	return s ? strtoull(s, NULL, 10) : 0;
}

/* ---- schema ---- */

enum kesu_rc kesu_pgreg_init(struct kesu_db *db, int *from, int *to,
			     struct kesu_err *err)
{
	struct kesu_db_error e;
	struct kesu_db_result *r = NULL;
	enum kesu_db_rc rc;
	const int latest = kesu_pg_schema_version();
	if ((rc = run(db, "BEGIN", 0, NULL, NULL, &e)))
		return dbfail(err, rc, &e, "init-db");
	/* Two init-db runs at once apply each migration once. */
	if ((rc = run(db, "SELECT pg_advisory_xact_lock(4347626955)", 0, NULL, NULL, &e)) ||
	    (rc = db->ops->script(db, "CREATE SCHEMA IF NOT EXISTS kesu;"
				  "CREATE TABLE IF NOT EXISTS kesu.schema_version ("
				  " version integer PRIMARY KEY, what text NOT NULL,"
				  " applied timestamptz NOT NULL DEFAULT now())", &e)) ||
	    (rc = run(db, "SELECT coalesce(max(version), 0)::text FROM kesu.schema_version",
		      0, NULL, &r, &e)))
		goto fail;
	*from = *to = (int)u64(kesu_db_text(r, 0, 0));
	kesu_db_result_free(r);
	if (*from > latest) {
		rollback(db);
		return kesu_fail(err, KESU_ERR_NOTSUP, 0, "register database: schema "
				 "version %d is newer than this kesu understands (%d); "
				 "upgrade kesu", *from, latest);
	}
	for (size_t i = 0; i < KESU_PG_NMIGRATIONS; i++) {
		const struct kesu_pg_migration *m = &KESU_PG_MIGRATIONS[i];
		if (m->version <= *from)
			continue;
		char v[16];
		snprintf(v, sizeof(v), "%d", m->version);
		struct kesu_db_param p[2] = {txt(v), txt(m->what)};
		if ((rc = db->ops->script(db, m->sql, &e)) ||
		    (rc = run(db, "INSERT INTO kesu.schema_version (version, what) "
			      "VALUES ($1::integer, $2)", 2, p, NULL, &e)))
			goto fail;
		*to = m->version;
	}
	if ((rc = run(db, "COMMIT", 0, NULL, NULL, &e)))
		return dbfail(err, rc, &e, "init-db: commit");
	return KESU_OK;
fail:
	rollback(db);
	return dbfail(err, rc, &e, "init-db");
}

enum kesu_rc kesu_pgreg_check_schema(struct kesu_db *db, struct kesu_err *err)
{
	struct kesu_db_error e;
	struct kesu_db_result *r = NULL;
	enum kesu_db_rc rc = run(db, "SELECT coalesce(max(version), 0)::text "
				 "FROM kesu.schema_version", 0, NULL, &r, &e);
	if (rc && (!strcmp(e.sqlstate, "42P01") || !strcmp(e.sqlstate, "3F000")))
		return kesu_fail(err, KESU_ERR_NOENT, 0, "register database: no kesu "
				 "schema; run 'kesu register init-db' as its owner first");
	if (rc)
		return dbfail(err, rc, &e, "reading the schema version");
	int v = (int)u64(kesu_db_text(r, 0, 0));
	kesu_db_result_free(r);
	if (v < kesu_pg_schema_version())
		return kesu_fail(err, KESU_ERR_NOTSUP, 0, "register database: schema "
				 "version %d, this kesu needs %d; run 'kesu register "
				 "init-db' to upgrade it", v, kesu_pg_schema_version());
	if (v > kesu_pg_schema_version())
		return kesu_fail(err, KESU_ERR_NOTSUP, 0, "register database: schema "
				 "version %d is newer than this kesu understands (%d); "
				 "upgrade kesu", v, kesu_pg_schema_version());
	return KESU_OK;
}

enum kesu_rc kesu_pgreg_check_append(struct kesu_db *db, struct kesu_err *err)
{
	struct kesu_db_error e;
	struct kesu_db_result *r = NULL;
	enum kesu_db_rc rc = run(db, "SELECT has_function_privilege("
				 "'kesu.append(bytea, bytea, bytea)', 'EXECUTE')::text, "
				 "session_user::text", 0, NULL, &r, &e);
	if (rc)
		return dbfail(err, rc, &e, "checking the role");
	bool ok = kesu_db_text(r, 0, 0) && !strcmp(kesu_db_text(r, 0, 0), "true");
	char role[80];
	kesu_clean(role, sizeof(role), kesu_db_text(r, 0, 1) ? kesu_db_text(r, 0, 1) : "?",
		   strlen(kesu_db_text(r, 0, 1) ? kesu_db_text(r, 0, 1) : "?"));
	kesu_db_result_free(r);
	if (!ok)
		return kesu_fail(err, KESU_ERR_PERM, 0, "register database: role %s may "
				 "not append; the administrator grants it with 'GRANT "
				 "kesu_station TO %s'", role, role);
	return KESU_OK;
}

/* ---- appending ---- */

/* One attempt, one transaction: lock the head, build the canonical line on
 * it with the file register's code, hand it to append(), commit.  Any
 * failure rolls back, so nothing is ever half-written. */
static enum kesu_db_rc one_append(struct kesu_db *db, const json_t *entry,
				  const char *time, const void *cert, size_t cert_len,
				  const void *sig, size_t sig_len, uint64_t *seq,
				  struct kesu_db_error *e)
{
	struct kesu_db_result *r = NULL;
	enum kesu_db_rc rc;
	if ((rc = run(db, "BEGIN", 0, NULL, NULL, e)))
		return rc;
	if ((rc = run(db, "SELECT seq::text, line_sha256 FROM kesu.chain_head()",
		      0, NULL, &r, e)))
		goto fail;
	const char *hs = kesu_db_text(r, 0, 0), *hh = kesu_db_text(r, 0, 1);
	if (!hs || !hh) {
		kesu_db_result_free(r);
		snprintf(e->sqlstate, sizeof(e->sqlstate), "%s", "");
		snprintf(e->msg, sizeof(e->msg), "kesu.chain_head() returned no head");
		rc = KESU_DB_FAIL;
		goto fail;
	}
	json_t *o = json_deep_copy(entry);
	json_object_set_new(o, "seq", json_integer((json_int_t)(u64(hs) + 1)));
	json_object_set_new(o, "time", json_string(time));
	json_object_set_new(o, "prev", json_string(hh));
	kesu_db_result_free(r);
	r = NULL;
	char *line = kesu_register_line(o);
	json_decref(o);
	if (!line) {
		snprintf(e->sqlstate, sizeof(e->sqlstate), "%s", "");
		snprintf(e->msg, sizeof(e->msg), "out of memory");
		rc = KESU_DB_FAIL;
		goto fail;
	}
	struct kesu_db_param p[3] = {bin(line, strlen(line)), bin(cert, cert_len),
				     bin(sig, sig_len)};
	rc = run(db, "SELECT kesu.append($1, $2, $3)::text", 3, p, &r, e);
	free(line);
	if (rc)
		goto fail;
	*seq = u64(kesu_db_text(r, 0, 0));
	kesu_db_result_free(r);
	return run(db, "COMMIT", 0, NULL, NULL, e);
fail:
	if (rc != KESU_DB_LOST)
		rollback(db);
	return rc;
}

/* Whether the entry registered under id holds exactly these documents. */
static enum kesu_db_rc same_documents(struct kesu_db *db, const char *id,
				      const void *cert, size_t cert_len,
				      const void *sig, size_t sig_len, bool *same,
				      uint64_t *seq, struct kesu_db_error *e)
{
	struct kesu_db_result *r = NULL;
	struct kesu_db_param p[1] = {txt(id)};
	enum kesu_db_rc rc = run(db, "SELECT e.seq::text, encode(sha256(d.cert), 'hex'), "
				 "encode(sha256(d.sig), 'hex') FROM kesu.entries e "
				 "LEFT JOIN kesu.documents d ON d.seq = e.seq "
				 "WHERE e.cert_id = $1::uuid", 1, p, &r, e);
	if (rc)
		return rc;
	char hc[65], hs[65];
	kesu_sha256_hex(cert, cert_len, hc);
	kesu_sha256_hex(sig, sig_len, hs);
	const char *dc = kesu_db_text(r, 0, 1), *ds = kesu_db_text(r, 0, 2);
	*seq = u64(kesu_db_text(r, 0, 0));
	*same = dc && ds && !strcmp(dc, hc) && !strcmp(ds, hs);
	kesu_db_result_free(r);
	return KESU_DB_OK;
}

static unsigned backoff_ms(int attempt)
{
	unsigned ms = 50u << (attempt < 7 ? attempt : 7);
	return ms > 3000 ? 3000 : ms;
}

enum kesu_rc kesu_pgreg_append(struct kesu_db *db, const json_t *entry,
			       const char *time, const void *cert, size_t cert_len,
			       const void *sig, size_t sig_len,
			       enum kesu_pgreg_dup dup, uint64_t *seq, bool *already,
			       struct kesu_err *err)
{
	char now[KESU_TIME_LEN];
	if (!time) {
		kesu_time_now(now);
		time = now;
	}
	const char *id = json_string_value(json_object_get(entry, "cert_id"));
	if (!id || !kj_is_uuid(id))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "entry without a valid cert_id");
	*already = false;
	bool maybe_committed = false;
	struct kesu_db_error e = {{0}, {0}};
	enum kesu_db_rc rc = KESU_DB_OK;
	for (int attempt = 0; attempt < KESU_PGREG_ATTEMPTS; attempt++) {
		if (attempt) {
			db->sleep_ms(backoff_ms(attempt - 1));
			if (rc == KESU_DB_LOST && (rc = db->ops->reconnect(db, &e)))
				continue;
		}
		rc = one_append(db, entry, time, cert, cert_len, sig, sig_len, seq, &e);
		if (rc == KESU_DB_OK)
			return KESU_OK;
		if (rc == KESU_DB_LOST) {
			/* If the COMMIT reached the server before the connection
			 * broke, the next attempt meets its own entry. */
			maybe_committed = true;
			continue;
		}
		if (rc == KESU_DB_RETRY)
			continue;
		if (rc != KESU_DB_UNIQUE)
			return dbfail(err, rc, &e, "append");
		bool same;
		if ((rc = same_documents(db, id, cert, cert_len, sig, sig_len, &same,
					 seq, &e))) {
			if (rc == KESU_DB_LOST || rc == KESU_DB_RETRY)
				continue;
			return dbfail(err, rc, &e, "append");
		}
		if (!same)
			return kesu_fail(err, KESU_ERR_INVALID, 0, "certificate %s is "
					 "already registered as entry %" PRIu64 " with "
					 "different documents; refusing to register a "
					 "second version", id, *seq);
		if (maybe_committed)
			return KESU_OK;
		if (dup == KESU_PGREG_DUP_SKIP) {
			*already = true;
			return KESU_OK;
		}
		return kesu_fail(err, KESU_ERR_INVALID, 0, "certificate %s is already in "
				 "the register (entry %" PRIu64 "); nothing to do", id, *seq);
	}
	return kesu_fail(err, KESU_ERR_IO, 0, "register database: append of %s gave "
			 "up after %d attempts (nothing was written): %s", id,
			 KESU_PGREG_ATTEMPTS, e.msg);
}

static enum kesu_rc read_docs(const char *cert_path, char **cert, size_t *cert_len,
			      char **sig, size_t *sig_len, struct kesu_err *err)
{
	char sp[PATH_MAX];
	if ((size_t)snprintf(sp, sizeof(sp), "%s.p7s", cert_path) >= sizeof(sp))
		return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", cert_path);
	enum kesu_rc rc = kesu_read_file(cert_path, KESU_CERT_MAX_BYTES, cert, cert_len, err);
	if (rc)
		return rc;
	if ((rc = kesu_read_file(sp, SIG_MAX_BYTES, sig, sig_len, err))) {
		free(*cert);
		*cert = NULL;
	}
	return rc;
}

/* The files must still be what the line says: they are read twice. */
static enum kesu_rc docs_match(const json_t *line, const char *cert, size_t cl,
			       const char *sig, size_t sl, const char *path,
			       struct kesu_err *err)
{
	char hc[65], hs[65];
	kesu_sha256_hex(cert, cl, hc);
	kesu_sha256_hex(sig, sl, hs);
	const char *wc = json_string_value(json_object_get(line, "cert_sha256"));
	const char *ws = json_string_value(json_object_get(line, "sig_sha256"));
	if (!wc || !ws || strcmp(wc, hc) || strcmp(ws, hs))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "%s: the certificate or its "
				 ".p7s does not match the hash recorded for it (changed "
				 "while kesu ran, or replaced)", path);
	return KESU_OK;
}

enum kesu_rc kesu_pgreg_append_cert(struct kesu_db *db, const char *cert_path,
				    uint64_t *seq, struct kesu_err *err)
{
	json_t *entry;
	char id[37];
	enum kesu_rc rc = kesu_register_cert_entry(cert_path, &entry, id, err);
	if (rc)
		return rc;
	char *cert = NULL, *sig = NULL;
	size_t cl, sl;
	bool already;
	uint64_t s = 0;
	if (!(rc = read_docs(cert_path, &cert, &cl, &sig, &sl, err)) &&
	    !(rc = docs_match(entry, cert, cl, sig, sl, cert_path, err)))
		rc = kesu_pgreg_append(db, entry, NULL, cert, cl, sig, sl,
				       KESU_PGREG_DUP_REFUSE, &s, &already, err);
	if (!rc && seq)
		*seq = s;
	free(cert);
	free(sig);
	json_decref(entry);
	return rc;
}

/* ---- sealing ---- */

enum kesu_rc kesu_pgreg_seal(struct kesu_db *db, struct kesu_signer *signer,
			     uint64_t *seq, struct kesu_err *err)
{
	struct kesu_db_error e;
	struct kesu_db_result *r = NULL;
	enum kesu_db_rc rc = run(db, "SELECT h.seq::text, h.line_sha256, "
				 "current_database()::text FROM kesu.head h",
				 0, NULL, &r, &e);
	if (rc)
		return dbfail(err, rc, &e, "seal");
	*seq = u64(kesu_db_text(r, 0, 0));
	char name[300], now[KESU_TIME_LEN];
	snprintf(name, sizeof(name), "postgresql:%.250s",
		 kesu_db_text(r, 0, 2) ? kesu_db_text(r, 0, 2) : "");
	kesu_time_now(now);
	json_t *h = json_pack("{s:s s:s s:I s:s s:s}", "schema", KESU_REGISTER_SCHEMA_HEAD,
			      "register", name, "seq", (json_int_t)*seq, "line_sha256",
			      kesu_db_text(r, 0, 1) ? kesu_db_text(r, 0, 1) : "",
			      "time", now);
	kesu_db_result_free(r);
	if (!*seq) {
		json_decref(h);
		return kesu_fail(err, KESU_ERR_INVALID, 0, "register database: nothing "
				 "to seal; the register is empty");
	}
	char *text = h ? json_dumps(h, JSON_SORT_KEYS | JSON_INDENT(2)) : NULL;
	json_decref(h);
	char *t2 = text ? realloc(text, strlen(text) + 2) : NULL;
	if (!t2) {
		free(text);
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	strcat(t2, "\n");  /* the same bytes as a file register's head */
	unsigned char *der;
	size_t derlen;
	enum kesu_rc krc = kesu_signer_sign(signer, t2, strlen(t2), &der, &derlen, err);
	if (krc) {
		free(t2);
		return krc;
	}
	struct kesu_db_param p[2] = {bin(t2, strlen(t2)), bin(der, derlen)};
	rc = run(db, "SELECT kesu.seal($1, $2)::text", 2, p, NULL, &e);
	free(t2);
	free(der);
	if (rc)
		return dbfail(err, rc, &e, "seal");
	return KESU_OK;
}

/* ---- the verdict (pure) ---- */

struct judge {
	const struct kesu_pgreg_facts *f;
	char (*hash)[65];
	size_t i;          /* rows seen by the chain check */
	size_t n;          /* rows given to the chain check */
	size_t col_bad;    /* first row whose columns disagree with its line */
	char col_why[200];
};

static void note(struct kesu_pgreg_verdict *v, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Keep the earliest finding: "the first bad row". */
static void note(struct kesu_pgreg_verdict *v, size_t pos, const char *fmt, ...)
{
	if (!pos)
		pos = 1;
	if (v->bad && v->bad <= pos)
		return;
	v->bad = pos;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
}

static bool same_str(const char *col, const json_t *j)
{
	const char *s = json_string_value(j);
	if (!col || !s)
		return !col && (!j || json_is_null(j));
	return !strcmp(col, s);
}

/* The indexed columns are what list and export filter on: each must say
 * what the line says, or a row edited in place would hide from a query
 * while the chain still verifies. */
static void compare_columns(const json_t *line, void *arg)
{
	struct judge *j = arg;
	if (j->i >= j->n)
		return;
	size_t pos = ++j->i;
	const struct kesu_pgreg_row *r = &j->f->rows[pos - 1];
	const char *col = NULL;
	time_t t = 0;
	kesu_time_parse(json_string_value(json_object_get(line, "time")), &t);
	if ((uint64_t)json_integer_value(json_object_get(line, "seq")) != r->seq)
		col = "seq";
	else if (!same_str(r->prev, json_object_get(line, "prev")))
		col = "prev";
	else if (strcmp(r->line_sha256, j->hash[pos - 1]))
		col = "line_sha256";
	else if (!same_str(r->kind, json_object_get(line, "kind")))
		col = "kind";
	else if (!same_str(r->cert_id[0] ? r->cert_id : NULL, json_object_get(line, "cert_id")))
		col = "cert_id";
	else if (!same_str(r->serial, json_object_get(line, "serial")))
		col = "serial";
	else if (!same_str(r->model, json_object_get(line, "model")))
		col = "model";
	else if (!same_str(r->result, json_object_get(line, "result")))
		col = "result";
	else if (!same_str(r->operator_name, json_object_get(line, "operator")))
		col = "operator_name";
	else if (r->at != (int64_t)t)
		col = "at";
	if (col && !j->col_bad) {
		j->col_bad = pos;
		snprintf(j->col_why, sizeof(j->col_why), "entry %zu: the %s column does "
			 "not match the stored line (the row was edited in place)",
			 pos, col);
	}
}

void kesu_pgreg_judge(const struct kesu_pgreg_facts *f, struct kesu_pgreg_verdict *v)
{
	memset(v, 0, sizeof(*v));
	memcpy(v->last_hash, KESU_REGISTER_GENESIS, sizeof(v->last_hash));
	size_t n = f->nrows, total = 0;
	char (*hash)[65] = n ? calloc(n, sizeof(*hash)) : NULL;
	if (n && !hash) {
		note(v, 1, "out of memory");
		return;
	}
	/* A stored line with a newline in it would shift every line after it
	 * in the joined text; judge only the rows before it. */
	for (size_t i = 0; i < n; i++) {
		const struct kesu_pgreg_row *r = &f->rows[i];
		if (!r->line_len || memchr(r->line, '\n', r->line_len)) {
			note(v, i + 1, "entry %zu: the stored line is empty or holds a "
			     "newline (the row was edited in place)", i + 1);
			n = i;
			break;
		}
		kesu_sha256_hex(r->line, r->line_len, hash[i]);
		total += r->line_len + 1;
	}
	char *text = malloc(total + 1);
	if (!text) {
		free(hash);
		note(v, 1, "out of memory");
		return;
	}
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(text + o, f->rows[i].line, f->rows[i].line_len);
		o += f->rows[i].line_len;
		text[o++] = '\n';
	}
	struct judge j = {f, hash, 0, n, 0, ""};
	struct kesu_reg_check c;
	kesu_register_check_text(text, o, 0, &c, compare_columns, &j);
	free(text);
	v->entries = c.lines;
	v->last_seq = c.last_seq;
	if (c.lines)
		memcpy(v->last_hash, c.last_hash, sizeof(v->last_hash));
	/* On the same entry the chain's finding says more than a column's. */
	if (c.bad_line)
		note(v, c.bad_line, "entry %zu: %s", c.bad_line, c.why);
	if (j.col_bad)
		note(v, j.col_bad, "%s", j.col_why);
	if (f->doc_bad)
		note(v, f->doc_bad, "entry %zu: %s", f->doc_bad, f->doc_why);
	/* The head row moves with every append: it must name the last row. */
	if (f->head_seq > n)
		note(v, n + 1, "entry %zu: missing; the chain head counts %" PRIu64
		     " entries but the database holds %zu (rows were deleted from the "
		     "end)", n + 1, f->head_seq, n);
	else if (f->head_seq < n)
		note(v, (size_t)f->head_seq + 1, "entry %" PRIu64 ": not counted by the "
		     "chain head, which ends at %" PRIu64 " (inserted without "
		     "kesu.append)", f->head_seq + 1, f->head_seq);
	else if (n && strcmp(f->head_hash, hash[n - 1]))
		note(v, n, "entry %zu: does not match the hash in the chain head (the "
		     "last row was edited or replaced)", n);
	for (size_t i = 0; i < f->nseals; i++) {
		const struct kesu_pgreg_seal_row *s = &f->seals[i];
		if (s->error) {
			note(v, (size_t)s->seq, "seal %" PRIu64 ": %s", s->id, s->error);
			continue;
		}
		if (s->seq > n) {
			note(v, n + 1, "entry %zu: missing; seal %" PRIu64 " signed %" PRIu64
			     " entries but the database holds %zu (rows were deleted "
			     "from the end)", n + 1, s->id, s->seq, n);
			continue;
		}
		if (!s->seq || strcmp(s->line_sha256, hash[s->seq - 1])) {
			note(v, (size_t)s->seq, "entry %" PRIu64 ": does not match the hash "
			     "signed in seal %" PRIu64 " (the row was edited or replaced)",
			     s->seq, s->id);
			continue;
		}
		v->seals++;
		if (s->seq > v->sealed_seq)
			v->sealed_seq = s->seq;
	}
	free(hash);
	if (!v->bad)
		v->unsealed = v->entries - (size_t)v->sealed_seq;
}

/* ---- verification (reads, then judges) ---- */

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
		free(rows[i].line);
	}
	free(rows);
}

/* Why a row's stored documents fail, or false when they are good. */
static bool doc_problem(const struct kesu_pgreg_row *r, const struct kesu_db_value *cert,
			const struct kesu_db_value *sig, const char *ca,
			char *why, size_t size)
{
	json_t *line = json_loadb(r->line, r->line_len, 0, NULL);
	if (!line)
		return false;  /* the chain check reports the line itself */
	bool bad = true;
	char hc[65], hs[65];
	struct kesu_err e = {0};
	json_t *c = NULL;
	struct kesu_sig_info si;
	if (!cert || !sig) {
		snprintf(why, size, "no stored certificate or signature");
		goto out;
	}
	kesu_sha256_hex(cert->data, cert->len, hc);
	kesu_sha256_hex(sig->data, sig->len, hs);
	if (!same_str(hc, json_object_get(line, "cert_sha256")) ||
	    !same_str(hs, json_object_get(line, "sig_sha256"))) {
		snprintf(why, size, "the stored %s does not match the hash in its line "
			 "(the document was replaced)",
			 same_str(hc, json_object_get(line, "cert_sha256"))
			 ? "signature" : "certificate");
		goto out;
	}
	if (kesu_cms_verify(cert->data, cert->len, sig->data, sig->len, ca, 0, &si, &e)) {
		snprintf(why, size, "the stored certificate's %.300s", e.msg);
		goto out;
	}
	if (kesu_cert_parse(cert->data, cert->len, &c, &e)) {
		snprintf(why, size, "the stored certificate is malformed: %.300s", e.msg);
		goto out;
	}
	if (!same_str(r->cert_id, json_object_get(c, "id"))) {
		snprintf(why, size, "the stored certificate's id is not the line's cert_id");
		goto out;
	}
	bad = false;
out:
	json_decref(c);
	json_decref(line);
	return bad;
}

static bool fill_row(struct kesu_pgreg_row *w, const struct kesu_db_result *r, size_t i)
{
	memset(w, 0, sizeof(*w));
	w->seq = u64(kesu_db_text(r, i, 0));
	snprintf(w->prev, sizeof(w->prev), "%s", kesu_db_text(r, i, 1) ? kesu_db_text(r, i, 1) : "");
	snprintf(w->line_sha256, sizeof(w->line_sha256), "%s",
		 kesu_db_text(r, i, 2) ? kesu_db_text(r, i, 2) : "");
	snprintf(w->kind, sizeof(w->kind), "%s", kesu_db_text(r, i, 3) ? kesu_db_text(r, i, 3) : "");
	w->at = kesu_db_text(r, i, 4) ? strtoll(kesu_db_text(r, i, 4), NULL, 10) : 0;
	snprintf(w->cert_id, sizeof(w->cert_id), "%s", kesu_db_text(r, i, 5) ? kesu_db_text(r, i, 5) : "");
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

/* A seal's signed head, checked against the CA; its columns must repeat
 * what the signature covers. */
static const char *seal_problem(const struct kesu_db_result *r, size_t i,
				const char *ca, struct kesu_pgreg_seal_row *s,
				char *why, size_t size)
{
	const struct kesu_db_value *head = kesu_db_cell(r, i, 3), *sig = kesu_db_cell(r, i, 4);
	struct kesu_err e = {0};
	struct kesu_sig_info si;
	s->id = u64(kesu_db_text(r, i, 0));
	s->seq = u64(kesu_db_text(r, i, 1));
	snprintf(s->line_sha256, sizeof(s->line_sha256), "%s",
		 kesu_db_text(r, i, 2) ? kesu_db_text(r, i, 2) : "");
	if (!head || !sig)
		return "head or signature missing";
	if (kesu_cms_verify(head->data, head->len, sig->data, sig->len, ca, 0, &si, &e)) {
		snprintf(why, size, "head %.300s", e.msg);
		return why;
	}
	json_t *h = json_loadb(head->data, head->len, JSON_REJECT_DUPLICATES, NULL);
	static const char *const keys[] = {"schema", "register", "seq", "line_sha256",
					   "time", NULL};
	static const char *const schemas[] = {KESU_REGISTER_SCHEMA_HEAD, NULL};
	int64_t seq;
	const char *lh;
	if (!h || kj_keys(h, "head", keys, &e) || kj_enum(h, "head", "schema", schemas, NULL, &e) ||
	    kj_int(h, "head", "seq", 1, INT64_MAX, &seq, &e) ||
	    kj_hex(h, "head", "line_sha256", 64, &lh, &e)) {
		json_decref(h);
		snprintf(why, size, "signed head is malformed: %.300s", h ? e.msg : "not JSON");
		return why;
	}
	const char *problem = NULL;
	if ((uint64_t)seq != s->seq || strcmp(lh, s->line_sha256)) {
		snprintf(why, size, "the seq or line_sha256 column does not match the "
			 "signed head (the seal row was edited)");
		problem = why;
	}
	s->seq = (uint64_t)seq;
	snprintf(s->line_sha256, sizeof(s->line_sha256), "%s", lh);
	json_decref(h);
	return problem;
}

enum kesu_rc kesu_pgreg_verify(struct kesu_db *db, const char *ca_file,
			       struct kesu_pgreg_verdict *v, struct kesu_err *err)
{
	memset(v, 0, sizeof(*v));
	if (!ca_file || !ca_file[0])
		return kesu_fail(err, KESU_ERR_USAGE, 0, "register verify: no trusted CA; "
				 "give --ca FILE or [trust] ca_file in kesu.conf");
	struct kesu_pgreg_facts f = {0};
	struct kesu_pgreg_row *rows = NULL;
	struct kesu_pgreg_seal_row *seals = NULL;
	char (*seal_why)[400] = NULL;
	size_t cap = 0, docs = 0;
	struct kesu_db_error e;
	struct kesu_db_result *r = NULL;
	enum kesu_db_rc rc;
	enum kesu_rc krc = KESU_OK;
	/* One snapshot: appends going on meanwhile are simply not seen. */
	if ((rc = run(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, NULL, &e)))
		return dbfail(err, rc, &e, "verify");
	char after[24] = "0";
	for (;;) {
		struct kesu_db_param p[1] = {txt(after)};
		if ((rc = run(db, "SELECT e.seq::text, e.prev, e.line_sha256, e.kind, "
			      "extract(epoch FROM e.at)::bigint::text, e.cert_id::text, "
			      "e.serial, e.model, e.result, e.operator_name, e.line, "
			      "d.cert, d.sig FROM kesu.entries e "
			      "LEFT JOIN kesu.documents d ON d.seq = e.seq "
			      "WHERE e.seq > $1::bigint ORDER BY e.seq LIMIT " BATCH,
			      1, p, &r, &e)))
			goto dbfailed;
		if (f.nrows + r->nrows > cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			while (ncap < f.nrows + r->nrows)
				ncap *= 2;
			struct kesu_pgreg_row *nr = realloc(rows, ncap * sizeof(*rows));
			if (!nr)
				goto oom;
			rows = nr;
			cap = ncap;
		}
		for (size_t i = 0; i < r->nrows; i++) {
			struct kesu_pgreg_row *w = &rows[f.nrows];
			if (!fill_row(w, r, i)) {
				f.nrows++;
				goto oom;
			}
			f.nrows++;
			if (!strcmp(w->kind, "certificate")) {
				docs++;
				if (!f.doc_bad && doc_problem(w, kesu_db_cell(r, i, 11),
							      kesu_db_cell(r, i, 12), ca_file,
							      f.doc_why, sizeof(f.doc_why)))
					f.doc_bad = f.nrows;
			}
		}
		size_t got = r->nrows;
		if (got)
			snprintf(after, sizeof(after), "%" PRIu64, rows[f.nrows - 1].seq);
		kesu_db_result_free(r);
		r = NULL;
		if (got < (size_t)atoi(BATCH))
			break;
	}
	if ((rc = run(db, "SELECT seq::text, line_sha256 FROM kesu.head", 0, NULL, &r, &e)))
		goto dbfailed;
	f.head_seq = u64(kesu_db_text(r, 0, 0));
	snprintf(f.head_hash, sizeof(f.head_hash), "%s",
		 kesu_db_text(r, 0, 1) ? kesu_db_text(r, 0, 1) : "");
	kesu_db_result_free(r);
	r = NULL;
	if ((rc = run(db, "SELECT id::text, seq::text, line_sha256, head, sig "
		      "FROM kesu.seals ORDER BY id", 0, NULL, &r, &e)))
		goto dbfailed;
	if (r->nrows) {
		seals = calloc(r->nrows, sizeof(*seals));
		seal_why = calloc(r->nrows, sizeof(*seal_why));
		if (!seals || !seal_why)
			goto oom;
	}
	for (size_t i = 0; i < r->nrows; i++)
		seals[i].error = seal_problem(r, i, ca_file, &seals[i], seal_why[i],
					      sizeof(seal_why[i]));
	f.nseals = r->nrows;
	kesu_db_result_free(r);
	r = NULL;
	rollback(db);  /* read only: nothing to commit */
	f.rows = rows;
	f.seals = seals;
	kesu_pgreg_judge(&f, v);
	v->documents_checked = v->bad ? 0 : docs;
	if (v->bad)
		krc = kesu_fail(err, KESU_ERR_INVALID, 0, "register database: %s", v->why);
	goto out;
oom:
	rollback(db);
	krc = kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	goto out;
dbfailed:
	if (rc != KESU_DB_LOST)
		rollback(db);
	krc = dbfail(err, rc, &e, "verify");
out:
	kesu_db_result_free(r);
	free_rows(rows, f.nrows);
	free(seals);
	free(seal_why);
	return krc;
}

/* ---- reading ---- */

/* Every filter is a parameter; an absent one is NULL and folds away when
 * the server plans the statement with the values, leaving index scans on
 * at, serial and operator_name. */
#define FILTER \
	" ($1::bigint IS NULL OR e.at >= to_timestamp($1::bigint))" \
	" AND ($2::bigint IS NULL OR e.at <= to_timestamp($2::bigint))" \
	" AND ($3::text IS NULL OR e.serial = $3)" \
	" AND ($4::text IS NULL OR e.operator_name = $4)"

struct fparams {
	char since[24], until[24];
	struct kesu_db_param p[5];
};

static void filter_params(const struct kesu_pgreg_filter *f, struct fparams *fp)
{
	snprintf(fp->since, sizeof(fp->since), "%lld", (long long)f->since);
	snprintf(fp->until, sizeof(fp->until), "%lld", (long long)f->until);
	fp->p[0] = txt(f->since ? fp->since : NULL);
	fp->p[1] = txt(f->until ? fp->until : NULL);
	fp->p[2] = txt(f->serial);
	fp->p[3] = txt(f->operator_name);
}

enum kesu_rc kesu_pgreg_list(struct kesu_db *db, const struct kesu_pgreg_filter *f,
			     json_t **rows, struct kesu_err *err)
{
	struct fparams fp;
	filter_params(f, &fp);
	struct kesu_db_error e;
	struct kesu_db_result *r = NULL;
	enum kesu_db_rc rc = run(db, "SELECT e.line FROM kesu.entries e WHERE" FILTER
				 " ORDER BY e.seq", 4, fp.p, &r, &e);
	if (rc)
		return dbfail(err, rc, &e, "list");
	json_t *out = json_array();
	for (size_t i = 0; out && i < r->nrows; i++) {
		const struct kesu_db_value *l = kesu_db_cell(r, i, 0);
		json_t *o = l ? json_loadb(l->data, l->len, JSON_REJECT_DUPLICATES, NULL) : NULL;
		if (!json_is_object(o)) {
			json_decref(o);
			json_decref(out);
			kesu_db_result_free(r);
			return kesu_fail(err, KESU_ERR_INVALID, 0, "register database: a "
					 "stored line is not JSON; run 'kesu register verify'");
		}
		json_array_append_new(out, o);
	}
	kesu_db_result_free(r);
	if (!out)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	*rows = out;
	return KESU_OK;
}

/* Write data to path unless an identical file is there; a different one is
 * never overwritten. */
static enum kesu_rc put_file(const char *path, const void *data, size_t len,
			     bool *identical, struct kesu_err *err)
{
	*identical = false;
	if (access(path, F_OK) == 0) {
		char *old;
		size_t ol;
		enum kesu_rc rc = kesu_read_file(path, KESU_CERT_MAX_BYTES, &old, &ol, err);
		if (rc)
			return rc;
		*identical = ol == len && !memcmp(old, data, len);
		free(old);
		if (!*identical)
			return kesu_fail(err, KESU_ERR_INVALID, 0, "%s: exists with other "
					 "content; not overwritten", path);
		return KESU_OK;
	}
	return kesu_write_atomic(path, data, len, 0644, err);
}

enum kesu_rc kesu_pgreg_pull(struct kesu_db *db, const struct kesu_pgreg_filter *f,
			     const char *dir, struct kesu_pgreg_pull_stats *st,
			     struct kesu_err *err)
{
	memset(st, 0, sizeof(*st));
	enum kesu_rc krc = kesu_mkdir_p(dir, 0755, err);
	if (krc)
		return krc;
	struct fparams fp;
	filter_params(f, &fp);
	char after[24] = "0";
	struct kesu_db_error e;
	for (;;) {
		fp.p[4] = txt(after);
		struct kesu_db_result *r = NULL;
		enum kesu_db_rc rc = run(db, "SELECT e.seq::text, e.cert_id::text, e.line, "
					 "d.cert, d.sig FROM kesu.entries e JOIN "
					 "kesu.documents d ON d.seq = e.seq WHERE" FILTER
					 " AND e.seq > $5::bigint ORDER BY e.seq LIMIT " BATCH,
					 5, fp.p, &r, &e);
		if (rc)
			return dbfail(err, rc, &e, "pull");
		for (size_t i = 0; !krc && i < r->nrows; i++) {
			const char *seq = kesu_db_text(r, i, 0), *id = kesu_db_text(r, i, 1);
			const struct kesu_db_value *l = kesu_db_cell(r, i, 2),
				*c = kesu_db_cell(r, i, 3), *s = kesu_db_cell(r, i, 4);
			json_t *line = l ? json_loadb(l->data, l->len, 0, NULL) : NULL;
			char path[PATH_MAX], sp[PATH_MAX];
			bool same;
			if (!id || !kj_is_uuid(id) || !line || !c || !s)
				krc = kesu_fail(err, KESU_ERR_INVALID, 0, "register database: "
						"entry %s is damaged; run 'kesu register "
						"verify'", seq ? seq : "?");
			else if ((size_t)snprintf(path, sizeof(path), "%s/kesu-cert-%s.json",
						  dir, id) >= sizeof(path) ||
				 (size_t)snprintf(sp, sizeof(sp), "%s.p7s", path) >= sizeof(sp))
				krc = kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", dir);
			else if (!(krc = docs_match(line, c->data, c->len, s->data, s->len,
						    path, err)) &&
				 !(krc = put_file(path, c->data, c->len, &same, err))) {
				bool same2;
				if (!(krc = put_file(sp, s->data, s->len, &same2, err))) {
					if (same && same2)
						st->identical++;
					else
						st->written++;
				}
			}
			json_decref(line);
		}
		size_t got = r->nrows;
		if (got)
			snprintf(after, sizeof(after), "%s", kesu_db_text(r, got - 1, 0));
		kesu_db_result_free(r);
		if (krc || got < (size_t)atoi(BATCH))
			return krc;
	}
}

struct lines {
	json_t *a;
};

static void keep_line(const json_t *line, void *arg)
{
	json_array_append(((struct lines *)arg)->a, (json_t *)line);
}

enum kesu_rc kesu_pgreg_push(struct kesu_db *db, const char *reg_path,
			     const char *ca_file, struct kesu_pgreg_push_stats *st,
			     struct kesu_err *err)
{
	memset(st, 0, sizeof(*st));
	struct kesu_reg_verify rv;
	enum kesu_rc rc = kesu_register_verify(reg_path, ca_file, true, &rv, NULL, NULL, err);
	if (rc)
		return kesu_err_prefix(err, "push: the local register does not verify: ");
	char *text;
	size_t len;
	if ((rc = kesu_read_file(reg_path, 512u << 20, &text, &len, err)))
		return rc;
	struct lines ls = {json_array()};
	struct kesu_reg_check c;
	kesu_register_check_text(text, len, 0, &c, keep_line, &ls);
	free(text);
	size_t i;
	json_t *line;
	json_array_foreach(ls.a, i, line) {
		if (strcmp(json_string_value(json_object_get(line, "kind")), "certificate")) {
			st->skipped_recovery++;
			continue;
		}
		const char *path = json_string_value(json_object_get(line, "cert_file"));
		struct kesu_cert_file_verdict cv;
		if ((rc = kesu_cert_verify_file(path, ca_file, 0, &cv))) {
			rc = kesu_fail(err, rc, 0, "push: line %zu: %s: %s: %s", i + 1, path,
				       cv.stage, cv.error);
			break;
		}
		char *cert = NULL, *sig = NULL;
		size_t cl, sl;
		bool already;
		uint64_t seq;
		if (!(rc = read_docs(path, &cert, &cl, &sig, &sl, err)) &&
		    !(rc = docs_match(line, cert, cl, sig, sl, path, err))) {
			json_t *entry = json_deep_copy(line);
			json_object_del(entry, "seq");
			json_object_del(entry, "prev");
			json_object_del(entry, "time");
			/* The station's registration time travels with the entry. */
			rc = kesu_pgreg_append(db, entry,
					       json_string_value(json_object_get(line, "time")),
					       cert, cl, sig, sl, KESU_PGREG_DUP_SKIP, &seq,
					       &already, err);
			json_decref(entry);
			if (!rc)
				already ? st->identical++ : st->sent++;
		}
		free(cert);
		free(sig);
		if (rc) {
			kesu_err_prefix(err, "push: line %zu: ", i + 1);
			break;
		}
	}
	json_decref(ls.a);
	return rc;
}

/* ---- not yet in the database (register_pg.h) ---- */

enum kesu_rc kesu_pgreg_append_doc(struct kesu_db *db, const char *doc_path,
				   uint64_t *seq, struct kesu_err *err)
{
	(void)db;
	*seq = 0;
	return kesu_fail(err, KESU_ERR_NOTSUP, 0, "%s: documents other than erasure "
			 "certificates are not supported by the PostgreSQL register yet; "
			 "use a file register (--register FILE)", doc_path);
}

enum kesu_rc kesu_pgreg_lines(struct kesu_db *db, json_t **lines, struct kesu_err *err)
{
	(void)db;
	*lines = NULL;
	return kesu_fail(err, KESU_ERR_NOTSUP, 0, "this query is not supported by the "
			 "PostgreSQL register yet; 'kesu register pull' copies it to a file "
			 "register that answers it");
}
