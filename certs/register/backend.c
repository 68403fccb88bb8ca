#include "certs/register/backend.h"
#include "certs/register/pg_db.h"
#include "certs/register/register.h"
#include "certs/register/register_pg.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool kesu_reg_is_db(const char *where)
{
	return kesu_db_is_url(where);
}

/* One connection per process and database, kept between appends: setting
 * up a PostgreSQL session costs more than the append itself, and a wipe of
 * several disks or an import of many certificates appends again and again.
 * A connection that broke is re-established by the append's own retries. */
static pthread_mutex_t conn_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char *where;
	struct kesu_db *db;
} conn;

static enum kesu_rc connection(const char *where, struct kesu_db **db,
			       struct kesu_err *err)
{
	if (conn.db && !strcmp(conn.where, where)) {
		*db = conn.db;
		return KESU_OK;
	}
	kesu_db_close(conn.db);
	free(conn.where);
	conn.db = NULL;
	conn.where = NULL;
	/* An erasure's certificate waits out a server restart rather than
	 * go unregistered. */
	enum kesu_rc rc = kesu_db_connect_pq(where, KESU_PGREG_CONNECT_WAIT_MS, db, err);
	if (rc)
		return rc;
	if ((rc = kesu_pgreg_check_schema(*db, err))) {
		kesu_db_close(*db);
		return rc;
	}
	if (!(conn.where = strdup(where))) {
		kesu_db_close(*db);
		return kesu_fail(err, KESU_ERR_INTERNAL, 0, "out of memory");
	}
	conn.db = *db;
	return KESU_OK;
}

/* A certificate's append to a database register, under the connection
 * lock. */
static enum kesu_rc db_append(const char *where, const char *path,
			      enum kesu_rc (*append)(struct kesu_db *, const char *,
						     uint64_t *, bool *, struct kesu_err *),
			      struct kesu_reg_append *res, struct kesu_err *err)
{
	struct kesu_reg_append dummy;
	if (!res)
		res = &dummy;
	memset(res, 0, sizeof(*res));
	pthread_mutex_lock(&conn_lock);
	struct kesu_db *db;
	enum kesu_rc rc = connection(where, &db, err);
	if (!rc)
		rc = append(db, path, &res->seq, &res->already, err);
	pthread_mutex_unlock(&conn_lock);
	return rc;
}

enum kesu_rc kesu_reg_append_cert(const char *where, const char *cert_path,
				  struct kesu_signer *signer, const char *ca_file,
				  struct kesu_reg_append *res, struct kesu_err *err)
{
	return kesu_reg_append_cert_ts(where, cert_path, signer, ca_file, NULL, res, err);
}

/* The certificate append has no "already there" outcome of its own: a run
 * certified twice is refused by the database (kesu_pgreg_check_run). */
static enum kesu_rc append_cert(struct kesu_db *db, const char *path, uint64_t *seq,
				bool *already, struct kesu_err *err)
{
	*already = false;
	return kesu_pgreg_append_cert(db, path, seq, err);
}

enum kesu_rc kesu_reg_append_cert_ts(const char *where, const char *cert_path,
				     struct kesu_signer *signer, const char *ca_file,
				     const struct kesu_tsa *tsa,
				     struct kesu_reg_append *res, struct kesu_err *err)
{
	if (!kesu_reg_is_db(where))
		return kesu_register_append_cert_ts(where, cert_path, signer, ca_file, tsa,
						    res, err);
	return db_append(where, cert_path, append_cert, res, err);
}

enum kesu_rc kesu_reg_check_run(const char *where, const char *ca_file,
				const char *run_id, struct kesu_err *err)
{
	if (!kesu_reg_is_db(where))
		return kesu_register_precheck(where, ca_file, run_id, err);
	pthread_mutex_lock(&conn_lock);
	struct kesu_db *db;
	enum kesu_rc rc = connection(where, &db, err);
	if (!rc && run_id)
		rc = kesu_pgreg_check_run(db, run_id, err);
	pthread_mutex_unlock(&conn_lock);
	return rc;
}

enum kesu_rc kesu_reg_check_writable(const char *where, const char *ca_file,
				     struct kesu_err *err)
{
	if (!kesu_reg_is_db(where))
		return kesu_register_precheck(where, ca_file, NULL, err);
	pthread_mutex_lock(&conn_lock);
	struct kesu_db *db;
	enum kesu_rc rc = connection(where, &db, err);
	if (!rc)
		rc = kesu_pgreg_check_append(db, err);
	pthread_mutex_unlock(&conn_lock);
	return rc;
}

enum kesu_rc kesu_reg_append_doc_ts(const char *where, const char *doc_path,
				    struct kesu_signer *signer, const char *ca_file,
				    const struct kesu_tsa *tsa,
				    struct kesu_reg_append *res, struct kesu_err *err)
{
	if (!kesu_reg_is_db(where))
		return kesu_register_append_doc_ts(where, doc_path, signer, ca_file, tsa,
						   res, err);
	return db_append(where, doc_path, kesu_pgreg_append_doc, res, err);
}

enum kesu_rc kesu_reg_append_countersig(const char *where, const char *doc_path,
					const char *sig_file, const char *role,
					const char *signer_name, struct kesu_signer *signer,
					const char *ca_file, struct kesu_reg_append *res,
					struct kesu_err *err)
{
	if (!kesu_reg_is_db(where))
		return kesu_register_append_countersig(where, doc_path, sig_file, role,
						       signer_name, signer, ca_file, res, err);
	memset(res, 0, sizeof(*res));
	pthread_mutex_lock(&conn_lock);
	struct kesu_db *db;
	enum kesu_rc rc = connection(where, &db, err);
	if (!rc)
		rc = kesu_pgreg_append_countersig(db, doc_path, sig_file, role, signer_name,
						  &res->seq, &res->already, err);
	pthread_mutex_unlock(&conn_lock);
	return rc;
}

static void collect_line(const json_t *line, void *arg)
{
	json_array_append((json_t *)arg, (json_t *)line);
}

enum kesu_rc kesu_reg_lines(const char *where, const char *ca_file, json_t **lines,
			    struct kesu_err *err)
{
	*lines = NULL;
	if (kesu_reg_is_db(where)) {
		pthread_mutex_lock(&conn_lock);
		struct kesu_db *db;
		enum kesu_rc rc = connection(where, &db, err);
		if (!rc)
			rc = kesu_pgreg_lines(db, ca_file, lines, err);
		pthread_mutex_unlock(&conn_lock);
		return rc;
	}
	json_t *all = json_array();
	struct kesu_reg_verify v;
	if (!all)
		return kesu_fail(err, KESU_ERR_INTERNAL, 0, "out of memory");
	enum kesu_rc rc = kesu_register_verify(where, ca_file, false, &v, collect_line, all,
					       err);
	/* A register nothing was added to yet (no file, or an empty one
	 * without a head) holds no lines: a lookup finds nothing, and the
	 * first append creates it. */
	if ((rc == KESU_ERR_NOENT && access(where, F_OK) != 0) ||
	    (rc == KESU_ERR_INVALID && v.verdict.state == KESU_REG_NEW)) {
		kesu_err_clear(err);
		*lines = all;
		return KESU_OK;
	}
	if (rc) {
		json_decref(all);
		return rc;
	}
	*lines = all;
	return KESU_OK;
}
