#include "certs/register/pg_util.h"
#include "certs/document/certificate.h"
#include "lib/digest.h"
#include "lib/fileio.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

void kesu_pg_rollback(struct kesu_db *db)
{
	struct kesu_db_error ignored;
	kesu_pg_run(db, "ROLLBACK", 0, NULL, NULL, &ignored);
}

enum kesu_rc kesu_pg_fail(struct kesu_err *err, enum kesu_db_rc rc,
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

uint64_t kesu_pg_u64(const char *s)
{
	return s ? strtoull(s, NULL, 10) : 0;
}

bool kesu_pg_same_str(const char *col, const json_t *j)
{
	const char *s = json_string_value(j);
	if (!col || !s)
		return !col && (!j || json_is_null(j));
	return !strcmp(col, s);
}

enum kesu_rc kesu_pg_read_docs(const char *cert_path, char **cert, size_t *cert_len,
			       char **sig, size_t *sig_len, struct kesu_err *err)
{
	char sp[PATH_MAX];
	if ((size_t)snprintf(sp, sizeof(sp), "%s.p7s", cert_path) >= sizeof(sp))
		return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", cert_path);
	enum kesu_rc rc = kesu_read_file(cert_path, KESU_CERT_MAX_BYTES, cert, cert_len, err);
	if (rc)
		return rc;
	if ((rc = kesu_read_file(sp, KESU_PG_SIG_MAX_BYTES, sig, sig_len, err))) {
		free(*cert);
		*cert = NULL;
	}
	return rc;
}

enum kesu_rc kesu_pg_docs_match(const json_t *line, const char *cert, size_t cl,
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
