/* Who a signer is for kesu beyond "trusted": the roles the city CA grants
 * through extended key usages of kesu's own (certs/ca/openssl-ca.cnf).  An
 * operator certificate has none; an approval is signed by an approver, a
 * countersignature by a witness or the city.
 *
 * The OIDs sit under a UUID arc (2.25.<uuid>, ITU-T X.667), which is unique
 * without registration; they are kesu's own, registered nowhere. */
#ifndef KESU_ROLE_H
#define KESU_ROLE_H

#include "lib/error.h"

#include <stdbool.h>
#include <stddef.h>

#define KESU_ROLE_ARC "2.25.21648825853670830397930013739158844966"

enum kesu_role {
	KESU_ROLE_APPROVER = 1u << 0,  /* KESU_ROLE_ARC.1 */
	KESU_ROLE_WITNESS = 1u << 1,   /* KESU_ROLE_ARC.2 */
	KESU_ROLE_CITY = 1u << 2,      /* KESU_ROLE_ARC.3 */
};

/* The roles named by a certificate's extended key usage OIDs (dotted
 * text); OIDs that are not kesu's are ignored.  Pure. */
unsigned kesu_roles_from_oids(const char *const *oids, size_t n);

/* The roles of x (X509 *).  A certificate whose extended key usage cannot
 * be read has none: a role is granted, never assumed. */
unsigned kesu_cert_roles(void *x);

/* "approver", "witness", "city"; NULL for anything but one role bit. */
const char *kesu_role_name(unsigned role);

/* The role bit for a name, 0 if unknown. */
unsigned kesu_role_parse(const char *name);

/* "approver+witness", or "operator" for none (the role every certificate
 * the CA issues may sign with). */
void kesu_roles_format(unsigned roles, char *buf, size_t size);

/* The certificate's common name, UTF-8, cleaned; "" when it has none.
 * Documents that name a person take the name from here, not from what the
 * person typed. */
void kesu_cert_common_name(void *x, char *buf, size_t size);

/* Lowercase hex SHA-256 of the (first) certificate in a PEM file: how an
 * approval names an operator by certificate. */
enum kesu_rc kesu_cert_pem_sha256(const char *path, char out[65], struct kesu_err *err);

#endif
