/* Custody of media between removal and destruction, schema kesu-custody/1
 * (man/kesu-custody.5): one hand-over of a batch of serials from one
 * party to another (the city to the contractor, the contractor to the
 * destruction vendor), with time, place and seal or container number;
 * signed by the giving party, countersigned by the receiving party
 * (countersign.h, role receiver).
 *
 * Pure code: build, strict check, and the chain verdict over all the
 * hand-overs of one serial. */
#ifndef KESU_CUSTODY_H
#define KESU_CUSTODY_H

#include "lib/error.h"
#include "lib/strutil.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define KESU_CUSTODY_SCHEMA "kesu-custody/1"
#define KESU_CUSTODY_PREFIX "kesu-custody-"
#define KESU_CUSTODY_MAX_SERIALS 256

struct kesu_custody_party {
	const char *name, *organization;
};

struct kesu_custody_req {
	const char *const *serials;
	size_t n_serials;
	struct kesu_custody_party from, to;
	time_t at;
	const char *place, *seal, *reference;  /* seal, reference may be NULL */
	bool destruction;   /* handed over to be destroyed */
};

enum kesu_rc kesu_custody_build(const struct kesu_custody_req *r, const char *id,
				const char *issued_at, json_t **out, struct kesu_err *err);

/* Strict structure: unknown keys, wrong types, no serials, blank parties,
 * giver and receiver the same party. */
enum kesu_rc kesu_custody_check(const json_t *doc, struct kesu_err *err);

/* Parse exact bytes strictly (signed_doc.h rules, kesu_custody_check):
 * the register's reader of custody documents. */
enum kesu_rc kesu_custody_parse(const char *buf, size_t len, json_t **out,
				struct kesu_err *err);

/* One verified hand-over, as the chain verdict sees it. */
struct kesu_custody_hop {
	const char *id;
	const char *from_org, *to_org;
	time_t at;
	bool destruction;
	bool received;      /* the receiver's countersignature verified */
};

#define KESU_CUSTODY_MAX_GAPS 16
struct kesu_custody_gaps {
	size_t n;
	char gap[KESU_CUSTODY_MAX_GAPS][320];
	const char *holder;  /* who holds the medium at the end (into hops) */
	bool destroyed;      /* the chain ends with a hand-over for destruction */
};

/* The custody chain of one serial from its hand-overs (any order; sorted
 * by time here): every hand-over is from the party that held the medium
 * (the first from origin_org when given), acknowledged by its receiver,
 * none after the hand-over for destruction, and the last one is that
 * hand-over.  Each violation is a gap, in order.  Pure; hops is sorted in
 * place. */
void kesu_custody_chain(struct kesu_custody_hop *hops, size_t n, const char *origin_org,
			struct kesu_custody_gaps *g);

/* A destruction of the serial that the register holds. */
struct kesu_custody_destruction {
	const char *id;      /* NULL: the register holds none */
	time_t at;           /* when it was registered */
};

/* Where a medium stands once its chain is known (hops and g as
 * kesu_custody_chain left them) and the register was asked about its
 * destruction d: closed when the chain ends with the hand-over for
 * destruction and a destruction is registered after it; otherwise open,
 * "in custody of HOLDER since DATE, not destroyed".  A destruction
 * registered for a medium whose custody never reached the destroyer, or
 * before it did, is a gap of its own.  Pure. */
struct kesu_custody_status {
	bool closed;
	char text[400];
};
void kesu_custody_settle(const struct kesu_custody_hop *hops, size_t n,
			 const struct kesu_custody_destruction *d, struct kesu_custody_gaps *g,
			 struct kesu_custody_status *s);

#endif
