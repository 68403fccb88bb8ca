/* Custody documents on disk: written and signed by the giving party,
 * countersigned by the receiving party (X.json.receiver-<n>.p7s), and
 * verified with both: each signer must be the person the document names,
 * by their certificate's common name. */
#ifndef KESU_CUSTODY_FILE_H
#define KESU_CUSTODY_FILE_H

#include "certs/document/countersign.h"
#include "certs/document/custody.h"
#include "certs/document/signed_doc.h"
#include "certs/sign/trust.h"

/* s must be the giving party: its certificate's common name is r->from.name,
 * and it chains to ca_file when given.  Writes dir/kesu-custody-<id>.json
 * and .p7s. */
enum kesu_rc kesu_custody_issue(struct kesu_signer *s, const struct kesu_custody_req *r,
				const char *ca_file, const char *crl_file, const char *dir,
				char *path, size_t size, struct kesu_err *err);

/* Countersign path as its receiver: s's common name must be to.name. */
enum kesu_rc kesu_custody_receive(struct kesu_signer *s, const char *path,
				  const struct kesu_trust *t, char *out, size_t size,
				  struct kesu_err *err);

struct kesu_custody_file {
	struct kesu_doc_file f;
	struct kesu_countersigs cs;
	bool received;   /* a receiver countersignature by to.name verified */
};

/* The giver's signature (by from.name) and every countersignature
 * verified; cf->received says whether the receiver acknowledged it, which
 * is not an error here (the chain verdict makes it a gap). */
enum kesu_rc kesu_custody_verify(const char *path, const struct kesu_trust *t,
				 struct kesu_custody_file *cf, struct kesu_err *err);
void kesu_custody_file_free(struct kesu_custody_file *cf);

#endif
