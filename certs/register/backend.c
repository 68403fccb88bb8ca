#include "certs/register/backend.h"
#include "certs/register/pg_db.h"
#include "certs/register/register.h"
#include "certs/register/register_pg.h"

bool kesu_reg_is_db(const char *where)
{
	return kesu_db_is_url(where);
}

enum kesu_rc kesu_reg_append_cert(const char *where, const char *cert_path,
				  struct kesu_signer *signer, uint64_t *seq,
				  struct kesu_err *err)
{
	if (!kesu_reg_is_db(where))
		return kesu_register_append_cert(where, cert_path, signer, seq, err);
	struct kesu_db *db;
	/* An erasure's certificate waits out a server restart rather than
	 * go unregistered. */
	enum kesu_rc rc = kesu_db_connect_pq(where, KESU_PGREG_CONNECT_WAIT_MS, &db, err);
	if (rc)
		return rc;
	if (!(rc = kesu_pgreg_check_schema(db, err)))
		rc = kesu_pgreg_append_cert(db, cert_path, seq, err);
	kesu_db_close(db);
	return rc;
}

enum kesu_rc kesu_reg_check_writable(const char *where, struct kesu_err *err)
{
	if (!kesu_reg_is_db(where))
		return KESU_OK;
	struct kesu_db *db;
	enum kesu_rc rc = kesu_db_connect_pq(where, KESU_PGREG_CONNECT_WAIT_MS, &db, err);
	if (rc)
		return rc;
	if (!(rc = kesu_pgreg_check_schema(db, err)))
		rc = kesu_pgreg_check_append(db, err);
	kesu_db_close(db);
	return rc;
}
