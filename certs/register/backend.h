/* Where a register lives decides how it is written: a file path is the
 * JSON-lines register (register.c), a postgresql:// URL the database
 * register (register_pg.c).  Callers that only append or test which one
 * they have go through here and need not know either. */
#ifndef KESU_REGISTER_BACKEND_H
#define KESU_REGISTER_BACKEND_H

#include "certs/register/register.h"
#include "certs/sign/signer.h"
#include "certs/sign/timestamp.h"
#include "lib/error.h"

#include <stdbool.h>
#include <stdint.h>

/* True when `where` names a database register (postgresql:// URL). */
bool kesu_reg_is_db(const char *where);

/* Before anything irreversible (a wipe): can this machine append to the
 * register at `where`?  For a database: it answers, has the kesu schema,
 * and this role may call kesu.append().  For a file: it verifies against
 * its signed head (ca_file as in kesu_register_append_cert). */
enum kesu_rc kesu_reg_check_writable(const char *where, const char *ca_file,
				     struct kesu_err *err);

/* Before a certificate is signed: no certificate in the register is for
 * run_id (a run record is certified once).  The database register asks
 * here and refuses again at kesu.append(), under the chain lock. */
enum kesu_rc kesu_reg_check_run(const char *where, const char *ca_file,
				const char *run_id, struct kesu_err *err);

/* Append a certificate file (its .p7s beside it) to the register at
 * `where`.  The file register signs its new head with signer; the database
 * register leaves signing the head to `kesu register seal`. */
enum kesu_rc kesu_reg_append_cert(const char *where, const char *cert_path,
				  struct kesu_signer *signer, const char *ca_file,
				  struct kesu_reg_append *res, struct kesu_err *err);

/* The same, and a file register's new head is timestamped by tsa (NULL:
 * none); KESU_ERR_UNSTAMPED when only the token is missing.  A database
 * register has no head file here: tsa is not used for it. */
enum kesu_rc kesu_reg_append_cert_ts(const char *where, const char *cert_path,
				     struct kesu_signer *signer, const char *ca_file,
				     const struct kesu_tsa *tsa,
				     struct kesu_reg_append *res, struct kesu_err *err);

/* Append a signed document of another kind (reg_kinds.h: a destruction
 * document...) to the register at `where`, as kesu_reg_append_cert_ts does
 * a certificate; the same document again sets res->already. */
enum kesu_rc kesu_reg_append_doc_ts(const char *where, const char *doc_path,
				    struct kesu_signer *signer, const char *ca_file,
				    const struct kesu_tsa *tsa,
				    struct kesu_reg_append *res, struct kesu_err *err);

/* Append a countersignature: sig_file, signed as role by signer_name over
 * the document at doc_path, which the register must hold
 * (kesu_register_countersig_entry). */
enum kesu_rc kesu_reg_append_countersig(const char *where, const char *doc_path,
					const char *sig_file, const char *role,
					const char *signer_name, struct kesu_signer *signer,
					const char *ca_file, struct kesu_reg_append *res,
					struct kesu_err *err);

/* Every valid line of the register at `where` (new reference), after it
 * verified against its signed head (ca_file); a database register's chain
 * and seals are checked the same way (kesu_pgreg_lines). */
enum kesu_rc kesu_reg_lines(const char *where, const char *ca_file, json_t **lines,
			    struct kesu_err *err);

#endif
