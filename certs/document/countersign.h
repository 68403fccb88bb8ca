/* Countersignatures: a witness, the city (its receipt of a contractor's
 * document) or the receiving party of a hand-over signs the same bytes as
 * the document's own signer, each in a detached CMS file of its own,
 *   X.json.<role>-<n>.p7s    role: witness, city, receiver; n: 1, 2, ...
 * so stock `openssl cms -verify -binary -content X.json -in FILE -inform
 * DER` checks each alone, and X.json.p7s stays the issuer's.  The file
 * name's role is a claim the signer's certificate must back: witness and
 * city are roles the CA grants (certs/sign/role.h); receiver is whoever
 * the document names as receiving (the custody check compares names). */
#ifndef KESU_COUNTERSIGN_H
#define KESU_COUNTERSIGN_H

#include "certs/sign/cms_verify.h"
#include "certs/sign/signer.h"
#include "lib/error.h"

#include <stdbool.h>
#include <stddef.h>

#define KESU_COUNTERSIG_MAX 16

struct kesu_countersig {
	char file[256];     /* base name */
	char role[16];      /* from the file name */
	bool ok;
	char error[512];
	struct kesu_sig_info sig;
};

struct kesu_countersigs {
	size_t n;
	struct kesu_countersig cs[KESU_COUNTERSIG_MAX];
};

/* The role bit a countersignature file's role demands; 0 for receiver,
 * -1 for a name that is not a countersigning role. */
int kesu_countersign_role_bits(const char *role);

/* Countersign path as role: the signer's certificate must hold the role,
 * and the document's own signature (path.p7s) must verify over its bytes
 * against t (t->ca_file) first, so nobody countersigns a changed
 * document.  out receives the new file's path. */
enum kesu_rc kesu_countersign_file(struct kesu_signer *s, const char *path,
				   const char *role, const struct kesu_trust *t,
				   char *out, size_t size, struct kesu_err *err);

/* The countersignature-shaped names of one directory, listed once for all
 * the documents a command checks there.  Listing the directory for each
 * document made checking N documents in one directory cost N listings:
 * 10,266 certificates in 9 minutes in a directory of 200,000 files.  The
 * listing is kept while the directory's inode and mtime stay the same and
 * taken again when they change or another directory is asked for, so a
 * countersignature added later in the command is seen, except one added
 * within the clock tick of the listing itself.  Not for concurrent use. */
enum kesu_rc kesu_cosign_listing_new(struct kesu_cosign_listing **out, struct kesu_err *err);
void kesu_cosign_listing_free(struct kesu_cosign_listing *l);

/* Verify every countersignature of path over data[0..len) against t, each
 * at its own signing time, and its role.  All are listed; KESU_ERR_CRYPTO
 * naming the first that fails.  With t NULL (kesu cert show, which trusts
 * nothing) each is only checked against the bytes and the certificate it
 * carries: its signer is named, its role and trust are not judged.
 * t->listing, when set, supplies the directory's names. */
enum kesu_rc kesu_countersigs_verify(const char *path, const void *data, size_t len,
				     const struct kesu_trust *t,
				     struct kesu_countersigs *out, struct kesu_err *err);

#endif
