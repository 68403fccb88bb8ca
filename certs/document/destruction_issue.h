/* Issuing destruction documents: the medium looked up in the register
 * (which erasure certificate it closes, its asset, department and class),
 * the evidence files hashed and copied beside the document, and the
 * document signed and registered through the issuer (issue.h). */
#ifndef KESU_DESTRUCTION_ISSUE_H
#define KESU_DESTRUCTION_ISSUE_H

#include "certs/document/destruction.h"
#include "certs/document/issue.h"
#include "lib/error.h"

#include <jansson.h>
#include <limits.h>

/* Evidence files larger than this are refused (photos and scans). */
#define KESU_EVIDENCE_MAX_BYTES (64u << 20)

struct kesu_evidence_src {
	char path[PATH_MAX];
	char role[24];
};

struct kesu_destroy_req {
	struct kesu_destruction_info info;  /* as given; the register fills the rest */
	bool from_device;                   /* serial and model read from the device */
	struct kesu_evidence_src ev[KESU_DESTRUCTION_MAX_EVIDENCE];
	size_t n_ev;
};

/* Pure: complete info from the register's lines and their documents.
 * The serial's open erasure certificate is the one closed, and its asset,
 * department and My Number flag are taken (a typed asset or model that
 * differs from it is refused).  A serial with no erasure certificate is
 * refused (KESU_ERR_REFUSED) unless info->no_erasure_record gives the
 * reason; one whose certificates are all closed already is refused. */
enum kesu_rc kesu_destroy_resolve(const json_t *lines, const json_t *docs,
				  bool from_device, struct kesu_destruction_info *info,
				  struct kesu_err *err);

/* Before a batch signs anything: every request resolves against the
 * register and would build a consistent document (its evidence counted,
 * not yet read).  *bad is the index of the first that would not. */
enum kesu_rc kesu_destroy_check_all(struct kesu_issuer *is,
				    const struct kesu_destroy_req *reqs, size_t n,
				    size_t *bad, struct kesu_err *err);

/* One destruction document: resolve against the issuer's register, copy
 * the evidence, build, sign and register.  path receives the document's
 * path (also on KESU_ERR_UNSTAMPED). */
enum kesu_rc kesu_destroy_issue(struct kesu_issuer *is, struct kesu_destroy_req *req,
				char *path, size_t path_size, struct kesu_err *err);

#endif
