/* Shared by the page layouts of cert_page.c (erasure, destruction) and
 * verif_page.c (spot-check verification reports): a layout is sections of
 * fields read by dotted path, plus functions for what a row cannot hold.
 * Internal to certs/print. */
#ifndef KESU_PRINT_PAGE_INT_H
#define KESU_PRINT_PAGE_INT_H

#include "certs/document/certificate.h"
#include "certs/print/cert_page.h"
#include "certs/print/codes.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* F_LATER: a text added to a document kind later; a document issued before
 * has no such key and its page stays as it was (no row), while null still
 * shows "-". */
enum fmt { F_STR, F_MONO, F_INT, F_BYTES, F_BOOL, F_CODE, F_CLASS, F_LIST, F_REAL, F_LATER };

struct field {
	const char *ja, *en, *path;
	enum fmt fmt;
	const struct kesu_code *codes;
	bool half;
};

struct ctx {
	const struct kesu_cert_page_in *in;
	struct kesu_doc *d;
	enum kesu_lang lang;
};

struct section {
	const char *ja, *en;
	const struct field *fields;   /* NULL-terminated by ja == NULL */
	void (*extra)(struct ctx *);  /* lists and objects a row cannot hold */
};

const json_t *pg_at(const json_t *o, const char *path);
const char *pg_pick(const struct ctx *c, const char *ja, const char *en, char *buf, size_t n)
	__attribute__((warn_unused_result));
void pg_group_digits(int64_t v, char *out, size_t n);
void pg_field(struct ctx *c, const char *ja, const char *en, const char *value, bool half,
	      bool mono);
void pg_banner(struct ctx *c, int level, const char *text, const char *detail);

/* Sections every signed document's page ends with. */
void pg_notes(struct ctx *c);
void pg_signers(struct ctx *c);
void pg_cosigners(struct ctx *c);
void pg_check_box(struct ctx *c);

/* The medium as lib/identity writes it ("device" object). */
extern const struct field PG_DEVICE[];

/* The verification report (kesu-verification(5)): its sections, its
 * consistency verdict and its banners. */
extern const struct section PG_VERIFICATION[];
void pg_verif_judge(const json_t *doc, struct kesu_cert_verdict *v);
void pg_verif_banners(struct ctx *c);

#endif
