/* Private keys on a PKCS#11 token (smart card, HSM, softhsm2) through
 * OpenSSL's pkcs11 engine (libp11, Debian libengine-pkcs11-openssl). */
#ifndef KESU_PKCS11_ENGINE_H
#define KESU_PKCS11_ENGINE_H

#include "lib/error.h"

#include <openssl/evp.h>

/* Load the key named by a pkcs11: URI.  The PIN comes from pin_file (if
 * non-empty) or is asked on the terminal; never from the command line.
 * module is the PKCS#11 module path ("" = the engine's default). */
enum kesu_rc kesu_pkcs11_load_key(const char *uri, const char *pin_file,
				  const char *module, EVP_PKEY **out,
				  struct kesu_err *err);

#endif
