/* The database register without a server: the verdict over rows read from
 * the database (first bad row for every kind of superuser edit), the
 * append's retry decisions against a scripted fault-injecting backend,
 * and the handling of connection strings that carry passwords. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certs/register/pg_db.h"
#include "certs/register/register.h"
#include "certs/register/register_pg.h"
#include "lib/config.h"
#include "lib/digest.h"
#include "lib/timefmt.h"

#define N 5

/* ---- rows of a valid chain ---- */

struct chain {
	struct kesu_pgreg_row rows[N + 1];
	size_t n;
	struct kesu_pgreg_facts f;
};

static char *line_for(int seq, const char *prev, const char *result)
{
	char id[37], run[37];
	snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012d", seq);
	snprintf(run, sizeof(run), "11111111-0000-4000-8000-%012d", seq);
	json_t *e = json_pack("{s:s s:s s:s s:s s:s s:s s:s s:s s:s s:s s:I s:s s:s}",
		"kind", "certificate", "cert_id", id, "run_id", run, "cert_file", "/x/c.json",
		"cert_sha256", KESU_REGISTER_GENESIS, "sig_sha256", KESU_REGISTER_GENESIS,
		"serial", "S-1", "model", "M", "result", result, "operator", "山田",
		"seq", (json_int_t)seq, "time", "2026-11-22T10:00:00+09:00", "prev", prev);
	char *l = kesu_register_line(e);
	json_decref(e);
	return l;
}

static void set_row(struct kesu_pgreg_row *r, int seq, const char *prev, char *line)
{
	memset(r, 0, sizeof(*r));
	r->seq = (uint64_t)seq;
	snprintf(r->prev, sizeof(r->prev), "%s", prev);
	r->line = line;
	r->line_len = strlen(line);
	kesu_sha256_hex(line, r->line_len, r->line_sha256);
	json_t *o = json_loads(line, 0, NULL);
	snprintf(r->kind, sizeof(r->kind), "%s", json_string_value(json_object_get(o, "kind")));
	snprintf(r->cert_id, sizeof(r->cert_id), "%s",
		 json_string_value(json_object_get(o, "cert_id")));
	r->serial = strdup(json_string_value(json_object_get(o, "serial")));
	r->model = strdup(json_string_value(json_object_get(o, "model")));
	r->result = strdup(json_string_value(json_object_get(o, "result")));
	r->operator_name = strdup(json_string_value(json_object_get(o, "operator")));
	r->run_id = strdup(json_string_value(json_object_get(o, "run_id")));
	time_t t;
	kesu_time_parse(json_string_value(json_object_get(o, "time")), &t);
	r->at = (int64_t)t;
	json_decref(o);
}

static void free_row(struct kesu_pgreg_row *r)
{
	free(r->line);
	free(r->serial);
	free(r->model);
	free(r->result);
	free(r->operator_name);
	free(r->run_id);
	free(r->closes);
	free(r->refers_to);
	memset(r, 0, sizeof(*r));
}

static struct chain *make_chain(void)
{
	struct chain *c = calloc(1, sizeof(*c));
	char prev[65] = KESU_REGISTER_GENESIS;
	for (int i = 0; i < N; i++) {
		set_row(&c->rows[i], i + 1, prev, line_for(i + 1, prev, "erased"));
		memcpy(prev, c->rows[i].line_sha256, sizeof(prev));
	}
	c->n = N;
	c->f.rows = c->rows;
	c->f.nrows = N;
	c->f.head_seq = N;
	memcpy(c->f.head_hash, prev, sizeof(prev));
	return c;
}

static void free_chain(struct chain *c)
{
	for (size_t i = 0; i < N + 1; i++)
		free_row(&c->rows[i]);
	free(c);
}

static struct kesu_pgreg_verdict judge(struct chain *c)
{
	struct kesu_pgreg_verdict v;
	c->f.nrows = c->n;
	kesu_pgreg_judge(&c->f, &v);
	return v;
}

static void judge_valid(void **state)
{
	(void)state;
	struct chain *c = make_chain();
	struct kesu_pgreg_verdict v = judge(c);
	assert_int_equal(v.bad, 0);
	assert_int_equal(v.entries, N);
	assert_int_equal(v.last_seq, N);
	assert_string_equal(v.last_hash, c->f.head_hash);
	assert_int_equal(v.unsealed, N);
	free_chain(c);
}

/* A careful superuser rewrites the line in canonical form and every column
 * with it: only the next line's prev still knows the old bytes. */
static void judge_edited_line(void **state)
{
	(void)state;
	struct chain *c = make_chain();
	char prev[65];
	memcpy(prev, c->rows[1].prev, sizeof(prev));
	free_row(&c->rows[1]);
	set_row(&c->rows[1], 2, prev, line_for(2, prev, "not-erased"));
	struct kesu_pgreg_verdict v = judge(c);
	assert_int_equal(v.bad, 2);
	assert_non_null(strstr(v.why, "entry 2: edited after it was written"));
	free_chain(c);
}

static void judge_edited_column(void **state)
{
	(void)state;
	struct chain *c = make_chain();
	free(c->rows[2].serial);
	c->rows[2].serial = strdup("OTHER");
	struct kesu_pgreg_verdict v = judge(c);
	assert_int_equal(v.bad, 3);
	assert_non_null(strstr(v.why, "entry 3: the serial column"));
	c->rows[2].serial[0] = 'S';
	strcpy(c->rows[2].serial, "S-1");
	c->rows[3].at += 3600;
	v = judge(c);
	assert_int_equal(v.bad, 4);
	assert_non_null(strstr(v.why, "the at column"));
	c->rows[3].at -= 3600;
	/* A superuser moving a certificate to another run, to certify the
	 * first run again past the unique index, is found too. */
	c->rows[1].run_id[0] = '2';
	v = judge(c);
	assert_int_equal(v.bad, 2);
	assert_non_null(strstr(v.why, "entry 2: the run_id column"));
	free_chain(c);
}

static void judge_deleted_row(void **state)
{
	(void)state;
	struct chain *c = make_chain();
	free_row(&c->rows[1]);
	memmove(&c->rows[1], &c->rows[2], (N - 2) * sizeof(c->rows[0]));
	memset(&c->rows[N - 1], 0, sizeof(c->rows[0]));
	c->n = N - 1;
	struct kesu_pgreg_verdict v = judge(c);
	assert_int_equal(v.bad, 2);
	assert_non_null(strstr(v.why, "sequence number 3 where 2"));
	free_chain(c);
}

static void judge_reordered(void **state)
{
	(void)state;
	struct chain *c = make_chain();
	struct kesu_pgreg_row t = c->rows[1];
	c->rows[1] = c->rows[2];
	c->rows[2] = t;
	struct kesu_pgreg_verdict v = judge(c);
	assert_int_equal(v.bad, 2);
	free_chain(c);
}

static void judge_tail(void **state)
{
	(void)state;
	struct chain *c = make_chain();
	c->n = N - 1;   /* the last row deleted, the head left alone */
	struct kesu_pgreg_verdict v = judge(c);
	assert_int_equal(v.bad, N);
	assert_non_null(strstr(v.why, "the chain head counts"));
	/* ... and with the head rewritten too, the seal still knows */
	memcpy(c->f.head_hash, c->rows[N - 2].line_sha256, 65);
	c->f.head_seq = N - 1;
	v = judge(c);
	assert_int_equal(v.bad, 0);
	struct kesu_pgreg_seal_row s = {.id = 1, .seq = N};
	memcpy(s.line_sha256, c->rows[N - 1].line_sha256, 65);
	c->f.seals = &s;
	c->f.nseals = 1;
	v = judge(c);
	assert_int_equal(v.bad, N);
	assert_non_null(strstr(v.why, "seal 1 signed 5 entries"));
	free_chain(c);
}

static void judge_seals(void **state)
{
	(void)state;
	struct chain *c = make_chain();
	struct kesu_pgreg_seal_row s[2] = {{.id = 1, .seq = 2, .ts = KESU_PGREG_TS_CHECKED},
					   {.id = 2, .seq = 4, .ts = KESU_PGREG_TS_UNCHECKED}};
	memcpy(s[0].line_sha256, c->rows[1].line_sha256, 65);
	memcpy(s[1].line_sha256, c->rows[3].line_sha256, 65);
	c->f.seals = s;
	c->f.nseals = 2;
	struct kesu_pgreg_verdict v = judge(c);
	assert_int_equal(v.bad, 0);
	assert_int_equal(v.seals, 2);
	assert_int_equal(v.sealed_seq, 4);
	assert_int_equal(v.unsealed, 1);
	assert_int_equal(v.seals_timestamped, 1);
	assert_int_equal(v.seal_tokens_unchecked, 1);
	s[0].line_sha256[0] ^= 1;   /* a seal that names other bytes */
	v = judge(c);
	assert_int_equal(v.bad, 2);
	assert_non_null(strstr(v.why, "signed in seal 1"));
	s[0].line_sha256[0] ^= 1;
	struct kesu_err bad_sig;
	kesu_fail(&bad_sig, KESU_ERR_CRYPTO, 0, "head signature does not verify");
	s[1].error = &bad_sig;
	v = judge(c);
	assert_int_equal(v.bad, 4);
	assert_non_null(strstr(v.why, "seal 2: head signature"));
	free_chain(c);
}

static void judge_documents_and_newlines(void **state)
{
	(void)state;
	struct chain *c = make_chain();
	c->f.doc_bad = 3;
	kesu_fail(&c->f.doc_why, KESU_ERR_INVALID, 0, "the stored certificate does not match");
	struct kesu_pgreg_verdict v = judge(c);
	assert_int_equal(v.bad, 3);
	assert_non_null(strstr(v.why, "entry 3: the stored certificate"));
	c->f.doc_bad = 0;
	c->rows[1].line[3] = '\n';
	v = judge(c);
	assert_int_equal(v.bad, 2);
	assert_non_null(strstr(v.why, "newline"));
	free_chain(c);
}

/* ---- the append against a scripted backend ---- */

struct step {
	const char *sql;          /* prefix the statement must start with; "RECONNECT" */
	enum kesu_db_rc rc;
	const char *sqlstate;
	const char *cols[3];      /* one result row, or none */
};

struct fake {
	const struct step *steps;
	size_t n, at;
	char appended[2048];      /* the last line handed to kesu.append */
	unsigned slept;
	size_t nparams;           /* the last statement's parameters */
	char param[12][64];
	bool param_null[12];
};

static enum kesu_db_rc fake_step(struct kesu_db *db, const char *sql,
				 struct kesu_db_result **res, struct kesu_db_error *e)
{
	struct fake *f = db->impl;
	assert_true(f->at < f->n);
	const struct step *s = &f->steps[f->at++];
	if (strncmp(sql, s->sql, strlen(s->sql)))
		fail_msg("step %zu: expected '%s', got '%s'", f->at, s->sql, sql);
	snprintf(e->sqlstate, sizeof(e->sqlstate), "%s", s->sqlstate ? s->sqlstate : "");
	snprintf(e->msg, sizeof(e->msg), "scripted %d", (int)s->rc);
	if (s->rc || !res)
		return s->rc;
	struct kesu_db_result *r = calloc(1, sizeof(*r));
	r->nrows = s->cols[0] ? 1 : 0;
	r->ncols = 3;
	r->v = calloc(3, sizeof(*r->v));
	for (size_t i = 0; i < 3; i++) {
		r->v[i].null = !s->cols[i];
		r->v[i].data = s->cols[i] ? strdup(s->cols[i]) : NULL;
		r->v[i].len = s->cols[i] ? strlen(s->cols[i]) : 0;
	}
	*res = r;
	return KESU_DB_OK;
}

static enum kesu_db_rc fake_exec(struct kesu_db *db, const char *sql, size_t n,
				 const struct kesu_db_param *p,
				 struct kesu_db_result **res, struct kesu_db_error *e)
{
	struct fake *f = db->impl;
	if (res)
		*res = NULL;
	f->nparams = n;
	for (size_t i = 0; i < n && i < 12; i++) {
		f->param_null[i] = !p[i].data;
		snprintf(f->param[i], sizeof(f->param[i]), "%.*s", (int)p[i].len,
			 p[i].data ? (const char *)p[i].data : "");
	}
	if (!strncmp(sql, "SELECT kesu.append", 18) && n == 3)
		snprintf(f->appended, sizeof(f->appended), "%.*s", (int)p[0].len,
			 (const char *)p[0].data);
	return fake_step(db, sql, res, e);
}

static enum kesu_db_rc fake_script(struct kesu_db *db, const char *sql,
				   struct kesu_db_error *e)
{
	return fake_step(db, sql, NULL, e);
}

static enum kesu_db_rc fake_reconnect(struct kesu_db *db, struct kesu_db_error *e)
{
	return fake_step(db, "RECONNECT", NULL, e);
}

static void fake_close(struct kesu_db *db)
{
	(void)db;
}

static const struct kesu_db_ops FAKE_OPS = {fake_exec, fake_script, fake_reconnect,
					    fake_close};
static struct fake *g_fake;

static void fake_sleep(unsigned ms)
{
	g_fake->slept += ms;
}

#define HEAD5 "5555555555555555555555555555555555555555555555555555555555555555"
#define ID "00000000-0000-4000-8000-000000000001"
#define RUN "11111111-0000-4000-8000-000000000001"
#define OTHER "00000000-0000-4000-8000-000000000099"
static const char CERT[] = "{\"cert\":1}\n", SIG[] = "SIG";

static enum kesu_rc scripted_append(const struct step *steps, size_t n,
				    enum kesu_pgreg_dup dup, uint64_t *seq,
				    bool *already, struct kesu_err *err, struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->steps = steps;
	f->n = n;
	g_fake = f;
	struct kesu_db db = {&FAKE_OPS, f, fake_sleep};
	json_t *entry = json_pack("{s:s s:s s:s}", "kind", "certificate", "cert_id", ID,
				  "run_id", RUN);
	enum kesu_rc rc = kesu_pgreg_append(&db, entry, "2026-11-22T10:00:00+09:00",
					    CERT, strlen(CERT), SIG, strlen(SIG), dup,
					    seq, already, err);
	json_decref(entry);
	assert_int_equal(f->at, n);   /* every scripted step, and no more */
	return rc;
}

static void append_builds_line_on_locked_head(void **state)
{
	(void)state;
	static const struct step s[] = {
		{"BEGIN", 0, NULL, {0}},
		{"SELECT seq::text, line_sha256 FROM kesu.chain_head()", 0, NULL, {"5", HEAD5}},
		{"SELECT kesu.append", 0, NULL, {"6"}},
		{"COMMIT", 0, NULL, {0}},
	};
	struct fake f;
	struct kesu_err err = {0};
	uint64_t seq = 0;
	bool already = true;
	assert_int_equal(scripted_append(s, 4, KESU_PGREG_DUP_REFUSE, &seq, &already,
					 &err, &f), KESU_OK);
	assert_int_equal(seq, 6);
	assert_false(already);
	json_t *o = json_loads(f.appended, 0, NULL);
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "seq")), 6);
	assert_string_equal(json_string_value(json_object_get(o, "prev")), HEAD5);
	char *canon = kesu_register_line(o);
	assert_string_equal(canon, f.appended);   /* the file register's bytes */
	free(canon);
	json_decref(o);
}

static void append_retries_serialization_failure(void **state)
{
	(void)state;
	static const struct step s[] = {
		{"BEGIN", 0, NULL, {0}},
		{"SELECT seq::text", 0, NULL, {"5", HEAD5}},
		{"SELECT kesu.append", KESU_DB_RETRY, "40001", {0}},
		{"ROLLBACK", 0, NULL, {0}},
		{"BEGIN", 0, NULL, {0}},
		{"SELECT seq::text", 0, NULL, {"6", HEAD5}},
		{"SELECT kesu.append", 0, NULL, {"7"}},
		{"COMMIT", 0, NULL, {0}},
	};
	struct fake f;
	struct kesu_err err = {0};
	uint64_t seq;
	bool already;
	assert_int_equal(scripted_append(s, 8, KESU_PGREG_DUP_REFUSE, &seq, &already,
					 &err, &f), KESU_OK);
	assert_int_equal(seq, 7);
	assert_true(f.slept > 0);
}

/* The connection breaks during COMMIT: the server may have committed.  The
 * retry finds the entry with identical documents, which is ours. */
static void append_lost_commit_that_happened(void **state)
{
	(void)state;
	char hc[65], hs[65];
	kesu_sha256_hex(CERT, strlen(CERT), hc);
	kesu_sha256_hex(SIG, strlen(SIG), hs);
	const struct step s[] = {
		{"BEGIN", 0, NULL, {0}},
		{"SELECT seq::text", 0, NULL, {"5", HEAD5}},
		{"SELECT kesu.append", 0, NULL, {"6"}},
		{"COMMIT", KESU_DB_LOST, NULL, {0}},
		{"RECONNECT", KESU_DB_LOST, NULL, {0}},
		{"RECONNECT", 0, NULL, {0}},
		{"BEGIN", 0, NULL, {0}},
		{"SELECT seq::text", 0, NULL, {"6", HEAD5}},
		{"SELECT kesu.append", KESU_DB_UNIQUE, "23505", {0}},
		{"ROLLBACK", 0, NULL, {0}},
		{"SELECT e.seq::text, encode(sha256(d.cert)", 0, NULL, {"6", hc, hs}},
	};
	struct fake f;
	struct kesu_err err = {0};
	uint64_t seq = 0;
	bool already = true;
	assert_int_equal(scripted_append(s, 11, KESU_PGREG_DUP_REFUSE, &seq, &already,
					 &err, &f), KESU_OK);
	assert_int_equal(seq, 6);
	assert_false(already);
}

static void append_lost_then_different_documents(void **state)
{
	(void)state;
	char hc[65];
	kesu_sha256_hex(CERT, strlen(CERT), hc);
	const struct step s[] = {
		{"BEGIN", KESU_DB_LOST, NULL, {0}},
		{"RECONNECT", 0, NULL, {0}},
		{"BEGIN", 0, NULL, {0}},
		{"SELECT seq::text", 0, NULL, {"6", HEAD5}},
		{"SELECT kesu.append", KESU_DB_UNIQUE, "23505", {0}},
		{"ROLLBACK", 0, NULL, {0}},
		{"SELECT e.seq::text", 0, NULL, {"3", hc, HEAD5}},
	};
	struct fake f;
	struct kesu_err err = {0};
	uint64_t seq;
	bool already;
	assert_int_equal(scripted_append(s, 7, KESU_PGREG_DUP_SKIP, &seq, &already,
					 &err, &f), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "different documents"));
}

static void append_duplicate(void **state)
{
	(void)state;
	char hc[65], hs[65];
	kesu_sha256_hex(CERT, strlen(CERT), hc);
	kesu_sha256_hex(SIG, strlen(SIG), hs);
	const struct step s[] = {
		{"BEGIN", 0, NULL, {0}},
		{"SELECT seq::text", 0, NULL, {"6", HEAD5}},
		{"SELECT kesu.append", KESU_DB_UNIQUE, "23505", {0}},
		{"ROLLBACK", 0, NULL, {0}},
		{"SELECT e.seq::text", 0, NULL, {"2", hc, hs}},
	};
	struct fake f;
	struct kesu_err err = {0};
	uint64_t seq;
	bool already = false;
	assert_int_equal(scripted_append(s, 5, KESU_PGREG_DUP_REFUSE, &seq, &already,
					 &err, &f), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "already in the register (entry 2)"));
	kesu_err_clear(&err);
	assert_int_equal(scripted_append(s, 5, KESU_PGREG_DUP_SKIP, &seq, &already,
					 &err, &f), KESU_OK);
	assert_true(already);
	assert_int_equal(seq, 2);
}

static void append_gives_up(void **state)
{
	(void)state;
	struct step s[KESU_PGREG_ATTEMPTS];
	s[0] = (struct step){"BEGIN", KESU_DB_LOST, NULL, {0}};
	for (size_t i = 1; i < KESU_PGREG_ATTEMPTS; i++)
		s[i] = (struct step){"RECONNECT", KESU_DB_LOST, NULL, {0}};
	struct fake f;
	struct kesu_err err = {0};
	uint64_t seq;
	bool already;
	assert_int_equal(scripted_append(s, KESU_PGREG_ATTEMPTS, KESU_PGREG_DUP_REFUSE,
					 &seq, &already, &err, &f), KESU_ERR_IO);
	assert_non_null(strstr(err.msg, "nothing was written"));
}

/* A refusal that is not transient (the documents do not match the line)
 * is reported at once, not retried. */
static void append_does_not_retry_errors(void **state)
{
	(void)state;
	static const struct step s[] = {
		{"BEGIN", 0, NULL, {0}},
		{"SELECT seq::text", 0, NULL, {"5", HEAD5}},
		{"SELECT kesu.append", KESU_DB_FAIL, "22023", {0}},
		{"ROLLBACK", 0, NULL, {0}},
	};
	struct fake f;
	struct kesu_err err = {0};
	uint64_t seq;
	bool already;
	assert_int_equal(scripted_append(s, 4, KESU_PGREG_DUP_REFUSE, &seq, &already,
					 &err, &f), KESU_ERR_INVALID);
	assert_int_equal(f.slept, 0);
}

/* kesu.append() refuses a second certificate for a run (the unique index
 * on run_id, or its own check under the chain lock): no entry has this
 * cert_id, so the refusal names the run and the certificate holding it, as
 * the file register does, and is not retried. */
static void append_run_already_certified(void **state)
{
	(void)state;
	static const struct step s[] = {
		{"BEGIN", 0, NULL, {0}},
		{"SELECT seq::text", 0, NULL, {"5", HEAD5}},
		{"SELECT kesu.append", KESU_DB_UNIQUE, "23505", {0}},
		{"ROLLBACK", 0, NULL, {0}},
		{"SELECT e.seq::text, encode(sha256(d.cert)", 0, NULL, {0}},
		{"SELECT e.seq::text, e.cert_id::text FROM kesu.entries e WHERE e.run_id",
		 0, NULL, {"3", OTHER}},
	};
	struct fake f;
	struct kesu_err err = {0};
	uint64_t seq;
	bool already = false;
	assert_int_equal(scripted_append(s, 6, KESU_PGREG_DUP_SKIP, &seq, &already,
					 &err, &f), KESU_ERR_INVALID);
	assert_false(already);
	assert_non_null(strstr(err.msg, "run " RUN " is already certified by certificate "
			       OTHER " (register entry 3); a run record is certified once"));
	assert_int_equal(f.slept, 0);
}

/* A destruction entry, appended as kesu_pgreg_append_doc does. */
static enum kesu_rc scripted_destruction(const struct step *steps, size_t n,
					 struct kesu_err *err, struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->steps = steps;
	f->n = n;
	g_fake = f;
	struct kesu_db db = {&FAKE_OPS, f, fake_sleep};
	json_t *entry = json_pack("{s:s s:s s:s s:s s:s}", "kind", "destruction",
				  "cert_id", OTHER, "closes", ID, "serial", "S-1",
				  "technique", "crush");
	uint64_t seq = 0;
	bool already = false;
	enum kesu_rc rc = kesu_pgreg_append(&db, entry, "2026-11-22T10:00:00+09:00",
					    CERT, strlen(CERT), SIG, strlen(SIG),
					    KESU_PGREG_DUP_SKIP, &seq, &already, err);
	json_decref(entry);
	assert_int_equal(f->at, n);   /* every scripted step, and no more */
	return rc;
}

#define CLOSED_LINE "{\"seq\":3,\"kind\":\"certificate\",\"cert_id\":\"" ID "\",\"serial\":\"S-1\"}"

/* A destruction is judged by its kind's admit() over the rows read under
 * the chain lock, before kesu.append() is asked: one closing a certificate
 * the database does not hold is refused and rolled back; one closing a
 * certificate it holds is appended; one already closed is refused. */
static void append_destruction_admitted(void **state)
{
	(void)state;
	static const struct step absent[] = {
		{"BEGIN", 0, NULL, {0}},
		{"SELECT seq::text, line_sha256 FROM kesu.chain_head()", 0, NULL, {"5", HEAD5}},
		{"SELECT 1 FROM kesu.entries WHERE cert_id", 0, NULL, {0}},
		{"SELECT e.line FROM kesu.entries e WHERE e.cert_id = $1::uuid OR", 0, NULL, {0}},
		{"ROLLBACK", 0, NULL, {0}},
	};
	static const struct step present[] = {
		{"BEGIN", 0, NULL, {0}},
		{"SELECT seq::text, line_sha256 FROM kesu.chain_head()", 0, NULL, {"5", HEAD5}},
		{"SELECT 1 FROM kesu.entries WHERE cert_id", 0, NULL, {0}},
		{"SELECT e.line FROM kesu.entries e WHERE e.cert_id = $1::uuid OR", 0, NULL,
		 {CLOSED_LINE}},
		{"SELECT kesu.append", 0, NULL, {"6"}},
		{"COMMIT", 0, NULL, {0}},
	};
	struct fake f;
	struct kesu_err err = {0};
	assert_int_equal(scripted_destruction(absent, 5, &err, &f), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "the erasure certificate " ID " it closes is not "
			       "in the register"));
	assert_int_equal(f.appended[0], '\0');
	assert_int_equal(scripted_destruction(present, 6, &err, &f), KESU_OK);
	json_t *o = json_loads(f.appended, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(o, "kind")), "destruction");
	assert_string_equal(json_string_value(json_object_get(o, "closes")), ID);
	json_decref(o);
}

static void append_destruction_closed_already(void **state)
{
	(void)state;
	/* The fake answers one row per statement: the closing destruction. */
	static const struct step closed[] = {
		{"BEGIN", 0, NULL, {0}},
		{"SELECT seq::text, line_sha256 FROM kesu.chain_head()", 0, NULL, {"5", HEAD5}},
		{"SELECT 1 FROM kesu.entries WHERE cert_id", 0, NULL, {0}},
		{"SELECT e.line FROM kesu.entries e WHERE e.cert_id = $1::uuid OR", 0, NULL,
		 {"{\"seq\":4,\"kind\":\"destruction\",\"cert_id\":\"" RUN "\",\"closes\":\""
		  ID "\"}"}},
		{"ROLLBACK", 0, NULL, {0}},
	};
	struct fake f;
	struct kesu_err err = {0};
	assert_int_equal(scripted_destruction(closed, 5, &err, &f), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "erasure certificate " ID " is already closed by "
			       "destruction " RUN " (register entry 4)"));
}

/* The closes column is a destruction's, refers_to a countersignature's or
 * spot check's; each says what its line says. */
static void judge_closes_column(void **state)
{
	(void)state;
	struct chain *c = make_chain();
	c->rows[2].closes = strdup(ID);
	struct kesu_pgreg_verdict v = judge(c);
	assert_int_equal(v.bad, 3);
	assert_non_null(strstr(v.why, "entry 3: the closes column does not match"));
	free(c->rows[2].closes);
	c->rows[2].closes = NULL;
	/* refers_to is a countersignature's or a spot check's only. */
	c->rows[3].refers_to = strdup(ID);
	v = judge(c);
	assert_int_equal(v.bad, 4);
	assert_non_null(strstr(v.why, "entry 4: the refers_to column does not match"));
	free_chain(c);
}

static struct kesu_db fake_db(struct fake *f, const struct step *steps, size_t n)
{
	memset(f, 0, sizeof(*f));
	f->steps = steps;
	f->n = n;
	g_fake = f;
	return (struct kesu_db){&FAKE_OPS, f, fake_sleep};
}

/* The check before a wipe: a run already certified is refused with the
 * same words; a free run passes; a lost connection is retried; a failed
 * lookup is an error, not a pass. */
static void check_run(void **state)
{
	(void)state;
	static const struct step taken[] = {
		{"SELECT e.seq::text, e.cert_id::text", 0, NULL, {"7", OTHER}},
	};
	static const struct step free_run[] = {
		{"SELECT e.seq::text, e.cert_id::text", 0, NULL, {0}},
	};
	static const struct step restart[] = {
		{"SELECT e.seq::text, e.cert_id::text", KESU_DB_LOST, NULL, {0}},
		{"RECONNECT", 0, NULL, {0}},
		{"SELECT e.seq::text, e.cert_id::text", 0, NULL, {"7", OTHER}},
	};
	static const struct step denied[] = {
		{"SELECT e.seq::text, e.cert_id::text", KESU_DB_DENIED, "42501", {0}},
	};
	struct fake f;
	struct kesu_err err = {0};
	struct kesu_db db = fake_db(&f, taken, 1);
	assert_int_equal(kesu_pgreg_check_run(&db, RUN, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "already certified by certificate " OTHER
			       " (register entry 7)"));
	db = fake_db(&f, free_run, 1);
	assert_int_equal(kesu_pgreg_check_run(&db, RUN, &err), KESU_OK);
	/* A server restart is waited out, and the run still found. */
	db = fake_db(&f, restart, 3);
	assert_int_equal(kesu_pgreg_check_run(&db, RUN, &err), KESU_ERR_INVALID);
	assert_int_equal(f.at, 3);
	db = fake_db(&f, denied, 1);
	assert_int_equal(kesu_pgreg_check_run(&db, RUN, &err), KESU_ERR_PERM);
	assert_int_equal(f.at, 1);
}

/* init-db on a version 1 database applies migration 2 only, once; asked to
 * stop at 1 it applies nothing; a version that does not exist is refused
 * before the database is touched. */
static void init_upgrades_v1(void **state)
{
	(void)state;
	static const struct step up[] = {
		{"BEGIN", 0, NULL, {0}},
		{"SELECT pg_advisory_xact_lock", 0, NULL, {0}},
		{"CREATE SCHEMA IF NOT EXISTS kesu", 0, NULL, {0}},
		{"SELECT coalesce(max(version), 0)", 0, NULL, {"1"}},
		{"DO $c$", 0, NULL, {0}},
		{"INSERT INTO kesu.schema_version", 0, NULL, {0}},
		{"ALTER TABLE kesu.entries ADD COLUMN closes", 0, NULL, {0}},
		{"INSERT INTO kesu.schema_version", 0, NULL, {0}},
		{"COMMIT", 0, NULL, {0}},
	};
	static const struct step stay[] = {
		{"BEGIN", 0, NULL, {0}},
		{"SELECT pg_advisory_xact_lock", 0, NULL, {0}},
		{"CREATE SCHEMA IF NOT EXISTS kesu", 0, NULL, {0}},
		{"SELECT coalesce(max(version), 0)", 0, NULL, {"1"}},
		{"COMMIT", 0, NULL, {0}},
	};
	/* A register that already names a run twice: the migration raises,
	 * init-db rolls back and says why. */
	static const struct step twice[] = {
		{"BEGIN", 0, NULL, {0}},
		{"SELECT pg_advisory_xact_lock", 0, NULL, {0}},
		{"CREATE SCHEMA IF NOT EXISTS kesu", 0, NULL, {0}},
		{"SELECT coalesce(max(version), 0)", 0, NULL, {"1"}},
		{"DO $c$", KESU_DB_UNIQUE, "23505", {0}},
		{"ROLLBACK", 0, NULL, {0}},
	};
	struct fake f;
	struct kesu_err err = {0};
	int from = -1, to = -1;
	struct kesu_db db = fake_db(&f, up, 9);
	assert_int_equal(kesu_pgreg_init(&db, &from, &to, &err), KESU_OK);
	assert_int_equal(from, 1);
	assert_int_equal(to, 3);
	assert_int_equal(f.at, 9);
	db = fake_db(&f, stay, 5);
	assert_int_equal(kesu_pgreg_init_to(&db, 1, &from, &to, &err), KESU_OK);
	assert_int_equal(to, 1);
	assert_int_equal(f.at, 5);
	db = fake_db(&f, twice, 6);
	assert_int_not_equal(kesu_pgreg_init(&db, &from, &to, &err), KESU_OK);
	assert_int_equal(f.at, 6);
	db = fake_db(&f, NULL, 0);
	assert_int_equal(kesu_pgreg_init_to(&db, 4, &from, &to, &err), KESU_ERR_USAGE);
	assert_int_equal(kesu_pgreg_init_to(&db, 0, &from, &to, &err), KESU_ERR_USAGE);
	assert_int_equal(f.at, 0);
}

/* list's filters are parameters of one statement: the absent ones NULL
 * (they fold away and leave the index scan), the given ones as given; a
 * run id that is not a UUID is refused before the database is asked. */
static void list_filters(void **state)
{
	(void)state;
	static const struct step one[] = {
		{"SELECT e.line FROM kesu.entries e WHERE", 0, NULL,
		 {"{\"seq\":4,\"kind\":\"certificate\"}"}},
	};
	struct fake f;
	struct kesu_err err = {0};
	json_t *rows = NULL;
	struct kesu_pgreg_filter q = {.since = 1700000000, .asset = "A-0042",
				      .department = "総務課", .run_id = RUN, .open = true};
	struct kesu_db db = fake_db(&f, one, 1);
	assert_int_equal(kesu_pgreg_list(&db, &q, &rows, &err), KESU_OK);
	assert_int_equal(json_array_size(rows), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 0), "seq")), 4);
	json_decref(rows);
	assert_int_equal(f.nparams, 9);
	assert_string_equal(f.param[0], "1700000000");
	assert_true(f.param_null[1] && f.param_null[2] && f.param_null[3] && f.param_null[6]);
	assert_string_equal(f.param[4], "A-0042");
	assert_string_equal(f.param[5], "総務課");
	assert_string_equal(f.param[7], RUN);
	assert_string_equal(f.param[8], "true");
	q = (struct kesu_pgreg_filter){.kind = "certificate"};
	db = fake_db(&f, one, 1);
	assert_int_equal(kesu_pgreg_list(&db, &q, &rows, &err), KESU_OK);
	json_decref(rows);
	assert_string_equal(f.param[6], "certificate");
	assert_true(f.param_null[0] && f.param_null[7] && f.param_null[8]);
	q = (struct kesu_pgreg_filter){.run_id = "not-a-uuid"};
	db = fake_db(&f, NULL, 0);
	assert_int_equal(kesu_pgreg_list(&db, &q, &rows, &err), KESU_ERR_USAGE);
	assert_int_equal(f.at, 0);
}

/* The statement pg_read.c sends for one medium's trace. */
#define TRACE_WHERE " (e.serial = $1 OR (e.kind = 'custody' AND " \
	"convert_from(e.line, 'UTF8')::jsonb -> 'serials' ? $1) OR (e.kind = 'approval' AND " \
	"EXISTS (SELECT 1 FROM kesu.documents a WHERE a.seq = e.seq AND " \
	"(convert_from(a.cert, 'UTF8')::jsonb -> 'serials' ? $1 OR " \
	"convert_from(a.cert, 'UTF8')::jsonb -> 'assets' ?| ARRAY(SELECT s.asset FROM " \
	"kesu.entries s WHERE s.serial = $1 AND s.asset <> ''))))) ORDER BY e.seq"

/* trace asks for the serial's rows in order; a stored line that is not
 * JSON is reported, not skipped; no serial is a usage error. */
static void trace(void **state)
{
	(void)state;
	static const struct step good[] = {
		{"SELECT e.line FROM kesu.entries e WHERE" TRACE_WHERE, 0,
		 NULL, {"{\"seq\":2,\"serial\":\"S-1\"}"}},
	};
	static const struct step damaged[] = {
		{"SELECT e.line FROM kesu.entries e WHERE (e.serial", 0, NULL, {"{\"seq\":"}},
	};
	struct fake f;
	struct kesu_err err = {0};
	json_t *rows = NULL;
	struct kesu_db db = fake_db(&f, good, 1);
	assert_int_equal(kesu_pgreg_trace(&db, "S-1", &rows, &err), KESU_OK);
	assert_int_equal(f.nparams, 1);
	assert_string_equal(f.param[0], "S-1");
	assert_int_equal(json_array_size(rows), 1);
	json_decref(rows);
	db = fake_db(&f, damaged, 1);
	assert_int_equal(kesu_pgreg_trace(&db, "S-1", &rows, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "not JSON"));
	db = fake_db(&f, NULL, 0);
	assert_int_equal(kesu_pgreg_trace(&db, "", &rows, &err), KESU_ERR_USAGE);
}

/* With documents, list and trace join each selected row's document by
 * its seq; a document is handed on only when it is an erasure certificate
 * with the bytes its line records (and parses), otherwise null, so the
 * ledger says "unknown" as the file register does for a changed file. */
static void list_and_trace_docs(void **state)
{
	(void)state;
	char h[KESU_SHA256_HEX], wrong[160], other[160];
	kesu_sha256_hex("{}", 2, h);
	snprintf(wrong, sizeof(wrong), "{\"seq\":1,\"kind\":\"certificate\","
		 "\"cert_sha256\":\"%064d\"}", 0);
	snprintf(other, sizeof(other), "{\"seq\":2,\"kind\":\"destruction\","
		 "\"cert_sha256\":\"%s\"}", h);
	const struct step list[] = {
		{"SELECT e.line, d.cert FROM kesu.entries e LEFT JOIN kesu.documents d "
		 "ON d.seq = e.seq WHERE ($1::bigint IS NULL", 0, NULL, {wrong, "{}"}},
	};
	const struct step tr[] = {
		{"SELECT e.line, d.cert FROM kesu.entries e LEFT JOIN kesu.documents d "
		 "ON d.seq = e.seq WHERE" TRACE_WHERE, 0, NULL, {other, "{}"}},
	};
	struct fake f;
	struct kesu_err err = {0};
	json_t *rows = NULL, *docs = NULL;
	struct kesu_pgreg_filter q = {.asset = "A-1"};
	struct kesu_db db = fake_db(&f, list, 1);
	assert_int_equal(kesu_pgreg_list_docs(&db, &q, &rows, &docs, &err), KESU_OK);
	assert_int_equal(f.nparams, 9);
	assert_string_equal(f.param[4], "A-1");
	assert_int_equal(json_array_size(rows), 1);
	assert_int_equal(json_array_size(docs), 1);
	assert_true(json_is_null(json_array_get(docs, 0)));
	json_decref(rows);
	json_decref(docs);
	db = fake_db(&f, tr, 1);
	assert_int_equal(kesu_pgreg_trace_docs(&db, "S-1", &rows, &docs, &err), KESU_OK);
	assert_string_equal(f.param[0], "S-1");
	assert_int_equal(json_array_size(docs), 1);
	assert_true(json_is_null(json_array_get(docs, 0)));
	json_decref(rows);
	json_decref(docs);
	db = fake_db(&f, NULL, 0);
	q = (struct kesu_pgreg_filter){.run_id = "X"};
	assert_int_equal(kesu_pgreg_list_docs(&db, &q, &rows, &docs, &err), KESU_ERR_USAGE);
	assert_int_equal(f.at, 0);
}

/* ---- connection strings ---- */

static void redact(void **state)
{
	(void)state;
	char out[256];
	kesu_db_redact("postgresql://st01:pa%40ss@db.example:5432/kesu?sslmode=verify-full",
		       out, sizeof(out));
	assert_string_equal(out, "postgresql://st01:***@db.example:5432/kesu?sslmode=verify-full");
	kesu_db_redact("postgres:///kesu?host=/run/pg&password=hunter2&user=x", out, sizeof(out));
	assert_string_equal(out, "postgres:///kesu?host=/run/pg&password=***&user=x");
	kesu_db_redact("postgresql://st01@/kesu?host=/tmp/s", out, sizeof(out));
	assert_string_equal(out, "postgresql://st01@/kesu?host=/tmp/s");
	kesu_db_redact("host=x password = 'a b\\' c' user=y", out, sizeof(out));
	assert_string_equal(out, "host=x password=*** user=y");
	kesu_db_redact("postgresql://u:pa/ss@h/d?x=1", out, sizeof(out));
	assert_string_equal(out, "postgresql://u:***@h/d?x=1");
	kesu_db_redact("postgresql://u:secret@h/d", out, 12);   /* cut short, never the secret */
	assert_null(strstr(out, "sec"));
}

static void scrub(void **state)
{
	(void)state;
	char msg[32] = "auth for p failed: p";
	kesu_db_scrub(msg, sizeof(msg), "p");
	assert_string_equal(msg, "auth for *** failed: ***");
	char m2[16] = "xxhunter2xx";
	kesu_db_scrub(m2, sizeof(m2), "hunter2");
	assert_string_equal(m2, "xx***xx");
}

static void classify(void **state)
{
	(void)state;
	assert_int_equal(kesu_db_classify("40001", true), KESU_DB_RETRY);
	assert_int_equal(kesu_db_classify("40P01", true), KESU_DB_RETRY);
	assert_int_equal(kesu_db_classify("57P01", true), KESU_DB_LOST);
	assert_int_equal(kesu_db_classify("08006", true), KESU_DB_LOST);
	assert_int_equal(kesu_db_classify("", true), KESU_DB_LOST);
	assert_int_equal(kesu_db_classify("22023", false), KESU_DB_LOST);
	assert_int_equal(kesu_db_classify("23505", true), KESU_DB_UNIQUE);
	assert_int_equal(kesu_db_classify("42501", true), KESU_DB_DENIED);
	assert_int_equal(kesu_db_classify("22023", true), KESU_DB_FAIL);
	assert_true(kesu_db_is_url("postgresql://x"));
	assert_true(kesu_db_is_url("postgres://x"));
	assert_false(kesu_db_is_url("/var/lib/kesu/register.jsonl"));
	assert_false(kesu_db_is_url("postgresql:/x"));
}

static void config_register_url(void **state)
{
	(void)state;
	struct kesu_config cfg;
	struct kesu_err err = {0};
	const char *ok = "[register]\nurl = postgresql://st01@db/kesu\n";
	assert_int_equal(kesu_config_parse(ok, strlen(ok), "t", &cfg, &err), KESU_OK);
	assert_string_equal(kesu_config_register(&cfg), "postgresql://st01@db/kesu");
	const char *file = "[register]\npath = /srv/r.jsonl\n";
	assert_int_equal(kesu_config_parse(file, strlen(file), "t", &cfg, &err), KESU_OK);
	assert_string_equal(kesu_config_register(&cfg), "/srv/r.jsonl");
	const char *both = "[register]\npath = /srv/r.jsonl\nurl = postgresql:///kesu\n";
	assert_int_equal(kesu_config_parse(both, strlen(both), "t", &cfg, &err),
			 KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "both path and url"));
	const char *bad = "[register]\nurl = mysql://x\n";
	assert_int_equal(kesu_config_parse(bad, strlen(bad), "t", &cfg, &err),
			 KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "postgresql://"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(judge_valid),
		cmocka_unit_test(judge_edited_line),
		cmocka_unit_test(judge_edited_column),
		cmocka_unit_test(judge_deleted_row),
		cmocka_unit_test(judge_reordered),
		cmocka_unit_test(judge_tail),
		cmocka_unit_test(judge_seals),
		cmocka_unit_test(judge_documents_and_newlines),
		cmocka_unit_test(append_builds_line_on_locked_head),
		cmocka_unit_test(append_retries_serialization_failure),
		cmocka_unit_test(append_lost_commit_that_happened),
		cmocka_unit_test(append_lost_then_different_documents),
		cmocka_unit_test(append_duplicate),
		cmocka_unit_test(append_gives_up),
		cmocka_unit_test(append_does_not_retry_errors),
		cmocka_unit_test(append_run_already_certified),
		cmocka_unit_test(append_destruction_admitted),
		cmocka_unit_test(append_destruction_closed_already),
		cmocka_unit_test(judge_closes_column),
		cmocka_unit_test(check_run),
		cmocka_unit_test(init_upgrades_v1),
		cmocka_unit_test(list_filters),
		cmocka_unit_test(trace),
		cmocka_unit_test(list_and_trace_docs),
		cmocka_unit_test(redact),
		cmocka_unit_test(scrub),
		cmocka_unit_test(classify),
		cmocka_unit_test(config_register_url),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
