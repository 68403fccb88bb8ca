/* The small database interface the PostgreSQL register talks through.
 *
 * register_pg.c never calls libpq itself: it runs statements through a
 * struct kesu_db, so unit tests can put a scripted, fault-injecting backend
 * behind it (serialization failures, a connection lost before or during
 * COMMIT) and check the retry decisions without a server.  pg_db.c is the
 * libpq backend.
 *
 * Every value crosses the interface as bytes: parameters are sent as text
 * (or bytea) in binary format and results come back in binary format, with
 * the SQL casting numbers to text, so no value is ever hex-escaped or
 * spliced into a statement. */
#ifndef KESU_PG_DB_H
#define KESU_PG_DB_H

#include "lib/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a failed statement means for the caller's transaction. */
enum kesu_db_rc {
	KESU_DB_OK = 0,
	KESU_DB_RETRY,   /* serialization failure or deadlock: rolled back, try again */
	KESU_DB_LOST,    /* the connection broke: a COMMIT in flight may or may not have happened */
	KESU_DB_UNIQUE,  /* a unique constraint refused the row (23505) */
	KESU_DB_DENIED,  /* insufficient privilege (42501) */
	KESU_DB_FAIL,    /* any other error: the statement (and transaction) failed */
};

struct kesu_db_error {
	char sqlstate[6];
	char msg[400];     /* the server's message, with any password removed */
};

struct kesu_db_param {
	const void *data;  /* NULL: SQL NULL */
	size_t len;
	bool bytea;        /* sent as bytea; otherwise as text */
};

struct kesu_db_value {
	char *data;        /* NUL-terminated copy (bytea may hold NULs: use len) */
	size_t len;
	bool null;
};

struct kesu_db_result {
	size_t nrows, ncols;
	struct kesu_db_value *v;   /* row-major, nrows * ncols */
};

struct kesu_db;

struct kesu_db_ops {
	/* One statement with parameters; *res (may be NULL when the caller
	 * does not want rows) is freed with kesu_db_result_free. */
	enum kesu_db_rc (*exec)(struct kesu_db *db, const char *sql, size_t nparams,
				const struct kesu_db_param *params,
				struct kesu_db_result **res, struct kesu_db_error *e);
	/* Several statements without parameters (migrations). */
	enum kesu_db_rc (*script)(struct kesu_db *db, const char *sql,
				  struct kesu_db_error *e);
	/* Drop the connection and connect again. */
	enum kesu_db_rc (*reconnect)(struct kesu_db *db, struct kesu_db_error *e);
	void (*close)(struct kesu_db *db);
};

struct kesu_db {
	const struct kesu_db_ops *ops;
	void *impl;
	/* Pause between retries, in milliseconds; tests replace it. */
	void (*sleep_ms)(unsigned ms);
};

void kesu_db_result_free(struct kesu_db_result *r);

/* Cell (row, col) of a result; NULL for SQL NULL or out of range. */
const struct kesu_db_value *kesu_db_cell(const struct kesu_db_result *r,
					 size_t row, size_t col);
const char *kesu_db_text(const struct kesu_db_result *r, size_t row, size_t col);

/* The kesu_db_rc for a SQLSTATE (NULL or "" when there is none: the
 * connection is gone).  Pure. */
enum kesu_db_rc kesu_db_classify(const char *sqlstate, bool connection_ok);

/* True for "postgresql://" and "postgres://" URLs, which name a database
 * register; anything else is a file path. */
bool kesu_db_is_url(const char *where);

/* A copy of a connection string fit to print: the password, in the URL's
 * user-info or as a password= parameter, becomes "***". */
void kesu_db_redact(const char *conninfo, char *out, size_t size);

/* Replace every occurrence of secret in msg (a buffer of size bytes) with
 * "***". */
void kesu_db_scrub(char *msg, size_t size, const char *secret);

/* Connect with libpq (pg_conn.c, in kesu-pg.so).  While the server does not answer or
 * answers that it is starting or stopping, try again for up to wait_ms;
 * a server that refuses the login fails at once.  Errors name the
 * redacted URL and never carry the password. */
enum kesu_rc kesu_db_connect_pq(const char *conninfo, unsigned wait_ms,
				struct kesu_db **out, struct kesu_err *err);

void kesu_db_close(struct kesu_db *db);

#endif
