/* What the PostgreSQL register's files share (register_pg.c, pg_judge.c,
 * pg_verify.c, pg_read.c): parameters, statements, and database failures
 * as kesu errors.  Private to certs/register/. */
#ifndef KESU_PG_UTIL_H
#define KESU_PG_UTIL_H

#include "certs/register/pg_db.h"
#include "lib/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define KESU_PG_SIG_MAX_BYTES (1u << 20)
/* Rows fetched per statement when reading the whole register, so memory
 * on both sides stays bounded by the batch, not the register. */
#define KESU_PG_BATCH 500
#define KESU_PG_BATCH_SQL "500"

static inline struct kesu_db_param kesu_pg_txt(const char *s)
{
	return (struct kesu_db_param){s, s ? strlen(s) : 0, false};
}

static inline struct kesu_db_param kesu_pg_bin(const void *p, size_t n)
{
	return (struct kesu_db_param){p, n, true};
}

static inline enum kesu_db_rc kesu_pg_run(struct kesu_db *db, const char *sql, size_t n,
					  const struct kesu_db_param *p,
					  struct kesu_db_result **res,
					  struct kesu_db_error *e)
{
	return db->ops->exec(db, sql, n, p, res, e);
}

void kesu_pg_rollback(struct kesu_db *db);

/* A database failure as a kesu error: a lost server is an I/O error, a
 * refused privilege a permission error, a value the functions rejected
 * malformed input. */
enum kesu_rc kesu_pg_fail(struct kesu_err *err, enum kesu_db_rc rc,
			  const struct kesu_db_error *e, const char *what);

uint64_t kesu_pg_u64(const char *s);

/* Whether a column (NULL: SQL NULL) says what a line's field says. */
bool kesu_pg_same_str(const char *col, const json_t *j);

/* A certificate file and its .p7s. */
enum kesu_rc kesu_pg_read_docs(const char *cert_path, char **cert, size_t *cert_len,
			       char **sig, size_t *sig_len, struct kesu_err *err);

/* The documents must still be what the line says (files are read twice). */
enum kesu_rc kesu_pg_docs_match(const json_t *line, const char *cert, size_t cl,
				const char *sig, size_t sl, const char *path,
				struct kesu_err *err);

#endif
