/* kesu's side of kesu-pg.so (pg_conn.c with libpq), loaded when a register
 * is a database (lib/plugin.h).  Only the kesu executable links this file;
 * tests link pg_conn.c itself. */
#include "certs/register/pg_db.h"
#include "lib/plugin.h"

enum kesu_rc kesu_db_connect_pq(const char *conninfo, unsigned wait_ms,
				struct kesu_db **out, struct kesu_err *err)
{
	void *f;
	*out = NULL;
	enum kesu_rc rc = kesu_plugin_sym("pg", "kesu_db_connect_pq", &f, err);
	if (rc != KESU_OK)
		return rc;
	enum kesu_rc (*fn)(const char *, unsigned, struct kesu_db **, struct kesu_err *) = f;
	return fn(conninfo, wait_ms, out, err);
}
