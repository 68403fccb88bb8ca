/* The countersignatures and the signed approval on a printed page (pure):
 * who countersigned in which role, with the validity of their
 * certificates, and whether each held when printed; the approval's id,
 * signer, window and check.  A check that failed is a red box and the
 * words "does not verify", never a valid-looking row. */
#ifndef KESU_PRINT_COSIGN_PAGE_H
#define KESU_PRINT_COSIGN_PAGE_H

#include "certs/print/doc.h"
#include "certs/print/signers.h"

void kesu_page_cosigners(struct kesu_doc *d, enum kesu_lang lang,
			 const struct kesu_print_cosigners *cs);

void kesu_page_approval(struct kesu_doc *d, enum kesu_lang lang,
			const struct kesu_print_approval *a);

#endif
