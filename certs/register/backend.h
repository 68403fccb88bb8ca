/* Where a register lives decides how it is written: a file path is the
 * JSON-lines register (register.c), a postgresql:// URL the database
 * register (register_pg.c).  Callers that only append or test which one
 * they have go through here and need not know either. */
#ifndef KESU_REGISTER_BACKEND_H
#define KESU_REGISTER_BACKEND_H

#include "certs/sign/signer.h"
#include "lib/error.h"

#include <stdbool.h>
#include <stdint.h>

/* True when `where` names a database register (postgresql:// URL). */
bool kesu_reg_is_db(const char *where);

/* Before anything irreversible (a wipe): can this machine append to the
 * register at `where`?  For a database: it answers, has the kesu schema,
 * and this role may call kesu.append().  A file register is checked when
 * it is written. */
enum kesu_rc kesu_reg_check_writable(const char *where, struct kesu_err *err);

/* Append a certificate file (its .p7s beside it) to the register at
 * `where`.  The file register signs its new head with signer; the database
 * register leaves signing the head to `kesu register seal`. */
enum kesu_rc kesu_reg_append_cert(const char *where, const char *cert_path,
				  struct kesu_signer *signer, uint64_t *seq,
				  struct kesu_err *err);

#endif
