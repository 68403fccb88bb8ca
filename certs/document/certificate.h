/* The disposal certificate, schema kesu-certificate/1 (man/kesu-certificate.5).
 *
 * Pure code: building a certificate from a run record and the operator's
 * answers, serialising it byte-for-byte deterministically, parsing one back
 * strictly, and judging whether what it says is internally consistent.  No
 * I/O and no clock here: callers pass the id and the time in, so tests pin
 * every byte. */
#ifndef KESU_CERTIFICATE_H
#define KESU_CERTIFICATE_H

#include "lib/error.h"
#include "lib/strutil.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define KESU_CERT_SCHEMA "kesu-certificate/1"
#define KESU_CERT_MAX_WITNESSES 8
#define KESU_CERT_MAX_BYTES (1u << 20)

/* The policy statement a certificate for My Number media carries. */
#define KESU_CERT_MY_NUMBER_NOTE \
	"This medium held My Number (individual number) data: policy requires " \
	"its physical destruction. Software erasure alone is NOT acceptable; " \
	"this certificate does not record a complete disposal."

struct kesu_cert_party {
	char name[KESU_STR_MAX + 1];
	char organization[KESU_STR_MAX + 1];
};

/* What the people involved add to a run record.  Empty strings mean "not
 * given" and become JSON null where the schema allows it. */
struct kesu_cert_info {
	char operator_name[KESU_STR_MAX + 1];
	char operator_title[KESU_STR_MAX + 1];
	char operator_organization[KESU_STR_MAX + 1];
	char operator_contact[KESU_STR_MAX + 1];
	char location[KESU_STR_MAX + 1];          /* where the work is done */
	char customer[KESU_STR_MAX + 1];          /* owning department */
	char property_number[KESU_STR_MAX + 1];
	int confidentiality_class;                /* 1..3, 0 = not given */
	bool my_number;
	char reason[16];                          /* disposal lease-return repair reuse */
	char destination[KESU_STR_MAX + 1];
	char approver[KESU_STR_MAX + 1];
	char approval_reference[KESU_STR_MAX + 1];
	char approval_date[40];                   /* RFC 3339 or YYYY-MM-DD */
	struct kesu_cert_party witnesses[KESU_CERT_MAX_WITNESSES];
	size_t n_witnesses;
};

/* Check the operator's answers before any device is touched: required fields
 * present, class in range, reason known, date parseable. */
enum kesu_rc kesu_cert_info_check(const struct kesu_cert_info *info,
				  struct kesu_err *err);

/* Build a certificate (new reference) from a kesu-run-record/1 document,
 * which is checked strictly first.  rr_file is the run record's base name,
 * rr_sha256 the hex SHA-256 of its exact bytes. */
enum kesu_rc kesu_cert_build(const json_t *run_record, const char *rr_file,
			     const char *rr_sha256,
			     const struct kesu_cert_info *info, const char *id,
			     const char *issued_at, json_t **out,
			     struct kesu_err *err);

/* Deterministic bytes: sorted keys, two-space indent, UTF-8 as is, trailing
 * newline.  Caller frees. */
char *kesu_cert_serialize(const json_t *cert, size_t *len);

/* Parse exact bytes strictly: duplicate keys, unknown fields, wrong types,
 * missing fields and unknown schemas are errors. */
enum kesu_rc kesu_cert_parse(const char *buf, size_t len, json_t **out,
			     struct kesu_err *err);

/* Strict structural check of an already loaded document. */
enum kesu_rc kesu_cert_check(const json_t *cert, struct kesu_err *err);

#define KESU_VERDICT_MAX 12
struct kesu_cert_verdict {
	size_t n_errors;
	char errors[KESU_VERDICT_MAX][256];
	size_t n_warnings;
	char warnings[KESU_VERDICT_MAX][256];
	bool physical_destruction_required;
};

/* Internal consistency of a structurally valid certificate (pure).  An
 * "erased" result contradicted by its own evidence is an error; so are an
 * unknown method, times out of order, an approval after the erasure, My
 * Number media sent anywhere but to destruction, blank required text and
 * invisible or direction-changing characters (kesu-certificate(5),
 * Consistency).  Rules that need a clock are skipped. */
void kesu_cert_judge(const json_t *cert, struct kesu_cert_verdict *v);

/* The clock the time rules are judged against: the checker's now and the
 * signature's signingTime (0 = not signed yet). */
struct kesu_cert_clock {
	time_t now;
	time_t signed_at;
};
/* How far ahead of the checker's clock a time may be (clocks of two
 * NTP-synchronised machines, and the seconds between issuing and signing). */
#define KESU_CERT_CLOCK_SKEW 300

/* kesu_cert_judge plus: issued_at and the signing time not in the future,
 * and the signing time not before issued_at.  clock may be NULL. */
void kesu_cert_judge_at(const json_t *cert, const struct kesu_cert_clock *clock,
			struct kesu_cert_verdict *v);

/* True if an approval dated approval_date (RFC 3339 or YYYY-MM-DD, which
 * covers the whole day) came after when (RFC 3339). */
bool kesu_cert_approval_after(const char *approval_date, const char *when);

/* Compare every fact the certificate takes from its run record (device,
 * contents before, method, verification, tool, execution, result, run id)
 * with that run record.  KESU_ERR_INVALID naming the first difference, or
 * the run record's own defect. */
enum kesu_rc kesu_cert_match_run(const json_t *cert, const json_t *run_record,
				 struct kesu_err *err);

/* Map a run record result to the certificate result. */
const char *kesu_cert_result_for_run(const char *run_result);

/* Each witness of a document ("witnesses" array): only name and
 * organization, a clean non-blank name.  Certificates and destruction
 * documents list witnesses the same way. */
enum kesu_rc kesu_cert_check_witnesses(const json_t *arr, struct kesu_err *err);

#endif
