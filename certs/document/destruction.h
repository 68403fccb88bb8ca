/* The physical destruction certificate, schema kesu-destruction/1
 * (man/kesu-destruction.5): a medium was shredded, melted, drilled...,
 * by whom, where, when, before which witnesses, with which evidence files,
 * and which erasure certificate it closes.
 *
 * Pure code like certificate.h: building, strict parsing and the
 * consistency verdict.  Hashing and copying the evidence files is
 * destruction_issue.c's. */
#ifndef KESU_DESTRUCTION_H
#define KESU_DESTRUCTION_H

#include "certs/document/certificate.h"
#include "lib/error.h"
#include "lib/strutil.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KESU_DESTRUCTION_SCHEMA "kesu-destruction/1"
#define KESU_DESTRUCTION_MAX_EVIDENCE 16
/* Evidence copies are named by kesu (destruction_issue.c); a name from a
 * document must be a plain file name beside it. */
#define KESU_EVIDENCE_NAME_MAX 160

/* One technique: NIST SP 800-88's Destroy techniques and the names the
 * city's procedure uses, with its Japanese term (accepted as input too). */
struct kesu_destroy_technique {
	const char *name;      /* shred, disintegrate, ..., degauss */
	const char *term_ja;   /* 破砕, 溶解, 穿孔, 消磁, ... */
	bool nist_destroy;     /* one of SP 800-88's Destroy techniques */
	bool physical;         /* the medium itself is broken (not degauss) */
};

/* The technique named name or term_ja; NULL if none. */
const struct kesu_destroy_technique *kesu_destroy_technique_find(const char *s);
/* The table, for --help and man pages; ends with a NULL name. */
extern const struct kesu_destroy_technique kesu_destroy_techniques[];

/* Roles an evidence file plays; NULL-terminated. */
extern const char *const kesu_evidence_roles[];

struct kesu_evidence {
	char file[KESU_EVIDENCE_NAME_MAX + 1];  /* base name beside the document */
	char sha256[65];
	uint64_t size;
	char role[24];
};

/* What the people involved say about one destruction.  Empty strings are
 * "not given" (JSON null where the schema allows it). */
struct kesu_destruction_info {
	char operator_name[KESU_STR_MAX + 1];          /* who records and signs */
	char operator_organization[KESU_STR_MAX + 1];
	char serial[KESU_STR_MAX + 1];
	char model[KESU_STR_MAX + 1];
	char identity_source[16];                      /* device register typed */
	char property_number[KESU_STR_MAX + 1];
	char department[KESU_STR_MAX + 1];
	bool my_number;
	char closes[37];                               /* erasure certificate id */
	char no_erasure_record[KESU_STR_MAX + 1];      /* why there is none */
	char technique[64];                            /* name or Japanese term */
	double particle_size_mm;                       /* 0: not known */
	char destroyed_at[40];                         /* RFC 3339 */
	char location[KESU_STR_MAX + 1];
	char company[KESU_STR_MAX + 1];
	char person[KESU_STR_MAX + 1];
	struct kesu_cert_party witnesses[KESU_CERT_MAX_WITNESSES];
	size_t n_witnesses;
	struct kesu_evidence evidence[KESU_DESTRUCTION_MAX_EVIDENCE];
	size_t n_evidence;
	/* The signed approval it was recorded on (kesu_approval_record), or
	 * NULL; borrowed. */
	json_t *approval;
};

/* Build the document (new reference), checked strictly and judged: a
 * document that would contradict itself is refused, naming the fix. */
enum kesu_rc kesu_destruction_build(const struct kesu_destruction_info *info,
				    const char *id, const char *issued_at,
				    json_t **out, struct kesu_err *err);

/* Strict structural check; parse = JSON (duplicates rejected) + check. */
enum kesu_rc kesu_destruction_check(const json_t *doc, struct kesu_err *err);
enum kesu_rc kesu_destruction_parse(const char *buf, size_t len, json_t **out,
				    struct kesu_err *err);

/* Internal consistency (kesu-destruction(5), Consistency), with the clock
 * rules when clock is given. */
void kesu_destruction_judge(const json_t *doc, const struct kesu_cert_clock *clock,
			    struct kesu_cert_verdict *v);

/* True if the text looks like a destruction document (its schema), so
 * readers of signed documents can tell it from an erasure certificate
 * before parsing it strictly. */
bool kesu_destruction_is(const char *buf, size_t len);

#endif
