/* The spot-check report, schema kesu-verification/1, kind "verification"
 * (man/kesu-verification.5): who read which medium, how (all of it, or a
 * seeded NIST sample with a confidence statement), what the regions read
 * held, what was found, what could not be read, the verdict, and which
 * erasure certificate it checks.
 *
 * Pure code like certificate.h: building from plain facts (cli/ joins them
 * from wipe/inspect, which certs/ does not know), deterministic bytes,
 * strict parsing back, and a consistency judgement that both the builder
 * and the parser apply, so a report whose verdict contradicts its own
 * contents is never written and never accepted. */
#ifndef KESU_VERIFICATION_H
#define KESU_VERIFICATION_H

#include "lib/error.h"
#include "lib/identity.h"
#include "lib/strutil.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KESU_VERIF_SCHEMA "kesu-verification/1"
#define KESU_VERIF_MAX_BYTES (1u << 20)
#define KESU_VERIF_MAX_FINDINGS 64
#define KESU_VERIF_MAX_UNREADABLE 64
#define KESU_VERIF_MAX_MISMATCHES 4
/* Region kinds, in the order of the "regions" object's keys' meaning:
 * zero one constant pattern random data. */
#define KESU_VERIF_KINDS 6

struct kesu_verif_finding {
	uint64_t offset, length;
	char what[16];
	char detail[96];
};

struct kesu_verif_range {
	uint64_t first_lba, count; /* logical blocks of device.logical_block_size */
};

/* One way the checked certificate's medium differs from the one read. */
struct kesu_verif_mismatch {
	char field[16];                     /* "serial", "wwn", "size_bytes" */
	char certificate[KESU_STR_MAX + 1]; /* what the certificate says */
	char medium[KESU_STR_MAX + 1];      /* what the medium says */
};

struct kesu_verif_input {
	const char *id, *issued_at, *started_at, *ended_at;
	const char *operator_name;                  /* required */
	const char *operator_organization, *operator_title, *operator_contact;
	const struct kesu_identity *device;
	bool full;                   /* every byte read */
	uint64_t seed;               /* sample: the plan's seed */
	uint64_t sample_locations;   /* sample: pseudorandom locations */
	uint64_t ranges_read;
	uint64_t bytes_planned, bytes_read;
	double confidence;           /* sample: in (0, 1) */
	double detectable_fraction;  /* sample: in (0, 1] */
	uint64_t cell_bytes;
	uint64_t cells[KESU_VERIF_KINDS], bytes[KESU_VERIF_KINDS];
	const struct kesu_verif_finding *findings;
	size_t n_findings;
	uint64_t findings_total;
	const struct kesu_verif_range *unreadable;
	size_t n_unreadable;
	uint64_t unreadable_total, unreadable_bytes;
	uint64_t size_after;
	const char *verdict;         /* "no-data-found", "data-found", "incomplete" */
	/* --checks: NULL cert_id for none */
	const char *cert_id, *cert_sha256, *cert_file;
	const struct kesu_verif_mismatch *mismatches;
	size_t n_mismatches;
};

/* The region kind names of the "regions" object, index as above. */
extern const char *const kesu_verif_kind_names[KESU_VERIF_KINDS];

/* The confidence statement printed and stored: "every byte ..." for a full
 * read, otherwise "data covering 0.23% of the medium or more would have
 * been found with 99% confidence ...". */
void kesu_verif_statement(bool full, uint64_t locations, double confidence,
			  double fraction, char *buf, size_t size);

/* Build a report (new reference).  Refuses (KESU_ERR_INVALID) input that
 * fails kesu_verif_check, such as a verdict its contents contradict. */
enum kesu_rc kesu_verif_build(const struct kesu_verif_input *in, json_t **out,
			      struct kesu_err *err);

/* Deterministic bytes: sorted keys, two-space indent, UTF-8 as is, reals
 * with at most 6 significant digits, trailing newline.  Caller frees. */
char *kesu_verif_serialize(const json_t *doc, size_t *len);

/* Parse exact bytes strictly (duplicate, unknown, missing or mistyped
 * fields, another schema, an inconsistent verdict: KESU_ERR_INVALID). */
enum kesu_rc kesu_verif_parse(const char *buf, size_t len, json_t **out,
			      struct kesu_err *err);

/* Whether buf is JSON whose schema is a verification report's (to choose
 * the parser; kesu_verif_parse judges it). */
bool kesu_verif_is(const char *buf, size_t len);

/* Structure and consistency of a loaded report:
 * - data-found exactly when there are findings or "data" regions;
 * - otherwise incomplete exactly when blocks were unreadable, the size
 *   changed or nothing was read;
 * - regions' bytes add up to bytes_read, bytes_read plus unreadable_bytes
 *   to bytes_planned, and a full read plans the whole medium;
 * - checks.confirmed is true only for the same medium and no-data-found. */
enum kesu_rc kesu_verif_check(const json_t *doc, struct kesu_err *err);

/* The verdict the contents imply (the rule above), for callers that hold
 * only the counts. */
const char *kesu_verif_verdict_for(uint64_t findings_total, uint64_t data_cells,
				   uint64_t unreadable_bytes, bool size_changed,
				   uint64_t bytes_read);

#endif
