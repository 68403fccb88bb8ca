/* The libpq backend of struct kesu_db (pg_db.h): built into kesu-pg.so,
 * which kesu loads only when a register is a database (lib/plugin.h). */
#include "certs/register/pg_db.h"
#include "lib/strutil.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OID_BYTEA 17
#define OID_TEXT 25

struct pq {
	PGconn *conn;
	char *password;   /* what to scrub from messages */
};

static void set_error(struct pq *q, struct kesu_db_error *e, const PGresult *r)
{
	const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	snprintf(e->sqlstate, sizeof(e->sqlstate), "%s", st ? st : "");
	snprintf(e->msg, sizeof(e->msg), "%s", m ? m : PQerrorMessage(q->conn));
	e->msg[strcspn(e->msg, "\n")] = '\0';
	kesu_db_scrub(e->msg, sizeof(e->msg), q->password);
	/* Server messages are text from outside kesu; keep them printable. */
	char clean[sizeof(e->msg)];
	kesu_clean(clean, sizeof(clean), e->msg, strlen(e->msg));
	memcpy(e->msg, clean, sizeof(clean));
}

static enum kesu_db_rc take(struct pq *q, PGresult *r, struct kesu_db_result **res,
			    struct kesu_db_error *e)
{
	ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		set_error(q, e, r);
		enum kesu_db_rc rc = kesu_db_classify(e->sqlstate,
						      PQstatus(q->conn) == CONNECTION_OK);
		PQclear(r);
		return rc;
	}
	if (!res) {
		PQclear(r);
		return KESU_DB_OK;
	}
	struct kesu_db_result *out = calloc(1, sizeof(*out));
	size_t nr = (size_t)PQntuples(r), nc = (size_t)PQnfields(r);
	if (out && nr && nc)
		out->v = calloc(nr * nc, sizeof(*out->v));
	if (!out || (nr && nc && !out->v)) {
		free(out);
		PQclear(r);
		snprintf(e->sqlstate, sizeof(e->sqlstate), "%s", "");
		snprintf(e->msg, sizeof(e->msg), "out of memory");
		return KESU_DB_FAIL;
	}
	out->nrows = nr;
	out->ncols = nc;
	for (size_t i = 0; i < nr; i++)
		for (size_t j = 0; j < nc; j++) {
			struct kesu_db_value *v = &out->v[i * nc + j];
			if (PQgetisnull(r, (int)i, (int)j)) {
				v->null = true;
				continue;
			}
			v->len = (size_t)PQgetlength(r, (int)i, (int)j);
			v->data = malloc(v->len + 1);
			if (!v->data) {
				PQclear(r);
				kesu_db_result_free(out);
				snprintf(e->msg, sizeof(e->msg), "out of memory");
				return KESU_DB_FAIL;
			}
			memcpy(v->data, PQgetvalue(r, (int)i, (int)j), v->len);
			v->data[v->len] = '\0';
		}
	PQclear(r);
	*res = out;
	return KESU_DB_OK;
}

static enum kesu_db_rc pq_exec(struct kesu_db *db, const char *sql, size_t n,
			       const struct kesu_db_param *p,
			       struct kesu_db_result **res, struct kesu_db_error *e)
{
	struct pq *q = db->impl;
	if (res)
		*res = NULL;
	Oid types[16];
	const char *vals[16];
	int lens[16], fmts[16];
	if (n > 16) {
		snprintf(e->msg, sizeof(e->msg), "too many parameters");
		return KESU_DB_FAIL;
	}
	for (size_t i = 0; i < n; i++) {
		types[i] = p[i].bytea ? OID_BYTEA : OID_TEXT;
		vals[i] = p[i].data;
		lens[i] = (int)p[i].len;
		fmts[i] = 1;
	}
	PGresult *r = PQexecParams(q->conn, sql, (int)n, types, vals, lens, fmts, 1);
	return take(q, r, res, e);
}

static enum kesu_db_rc pq_script(struct kesu_db *db, const char *sql,
				 struct kesu_db_error *e)
{
	struct pq *q = db->impl;
	return take(q, PQexec(q->conn, sql), NULL, e);
}

/* Per-session settings: a station that stops while it holds the chain's
 * lock (hung, stopped in a debugger) must not block every other station, so
 * the server ends such a transaction. */
static enum kesu_db_rc session_setup(struct kesu_db *db, struct kesu_db_error *e)
{
	return pq_script(db, "SET idle_in_transaction_session_timeout = '60s'", e);
}

static enum kesu_db_rc pq_reconnect(struct kesu_db *db, struct kesu_db_error *e)
{
	struct pq *q = db->impl;
	PQreset(q->conn);
	if (PQstatus(q->conn) != CONNECTION_OK) {
		set_error(q, e, NULL);
		return KESU_DB_LOST;
	}
	return session_setup(db, e);
}

static void pq_close(struct kesu_db *db)
{
	struct pq *q = db->impl;
	PQfinish(q->conn);
	if (q->password) {
		explicit_bzero(q->password, strlen(q->password));
		free(q->password);
	}
	free(q);
}

static const struct kesu_db_ops PQ_OPS = {pq_exec, pq_script, pq_reconnect, pq_close};

/* Server notices ("schema already exists, skipping") are not for the
 * operator; library code does not print. */
static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static void real_sleep(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

enum kesu_rc kesu_db_connect_pq(const char *conninfo, unsigned wait_ms,
				struct kesu_db **out, struct kesu_err *err)
{
	*out = NULL;
	char shown[512];
	kesu_db_redact(conninfo, shown, sizeof(shown));
	char *perr = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
	if (!opts) {
		/* libpq's parse errors quote the string, which may hold the
		 * password: say what is wrong without repeating it. */
		PQfreemem(perr);
		return kesu_fail(err, KESU_ERR_USAGE, 0, "register %s: malformed "
				 "connection string (see kesu.conf(5))", shown);
	}
	struct pq *q = calloc(1, sizeof(*q));
	struct kesu_db *db = calloc(1, sizeof(*db));
	if (!q || !db) {
		free(q);
		free(db);
		PQconninfoFree(opts);
		return kesu_fail(err, KESU_ERR_INTERNAL, 0, "out of memory");
	}
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (!strcmp(o->keyword, "password") && o->val && o->val[0])
			q->password = strdup(o->val);
	PQconninfoFree(opts);
	/* Defaults first: with expand_dbname the string's own settings win. */
	const char *const keys[] = {"connect_timeout", "fallback_application_name",
				    "dbname", NULL};
	const char *const vals[] = {"10", "kesu", conninfo, NULL};
	db->ops = &PQ_OPS;
	db->impl = q;
	db->sleep_ms = real_sleep;
	struct kesu_db_error e = {{0}, {0}};
	bool last_try = false;
	for (unsigned waited = 0, pause = 100;; waited += pause, pause *= 2) {
		q->conn = PQconnectdbParams(keys, vals, 1);
		if (q->conn && PQstatus(q->conn) == CONNECTION_OK)
			break;
		if (q->conn)
			set_error(q, &e, NULL);
		/* Wait only for a server that is down, starting or shutting
		 * down; one that answers and refuses us (password, role,
		 * database) will refuse again. */
		PGPing ping = waited < wait_ms ? PQpingParams(keys, vals, 1) : PQPING_OK;
		/* A server that came up between our attempt and the ping
		 * answers OK: one more attempt tells the two cases apart. */
		if (ping == PQPING_OK && waited < wait_ms && !last_try) {
			last_try = true;
			PQfinish(q->conn);
			q->conn = NULL;
			continue;
		}
		if (ping == PQPING_OK || ping == PQPING_NO_ATTEMPT) {
			kesu_db_close(db);
			return kesu_fail(err, KESU_ERR_IO, 0, "register %s: cannot "
					 "connect: %s", shown, e.msg);
		}
		PQfinish(q->conn);
		q->conn = NULL;
		if (pause > 2000)
			pause = 2000;
		real_sleep(pause);
	}
	PQsetNoticeProcessor(q->conn, quiet, NULL);
	if (session_setup(db, &e)) {
		kesu_db_close(db);
		return kesu_fail(err, KESU_ERR_IO, 0, "register %s: %s", shown, e.msg);
	}
	*out = db;
	return KESU_OK;
}

