/* What the consistency judges (cert_judge.c, destruction_judge.c) share:
 * adding a finding, hidden characters anywhere in a document, blank
 * required texts, and the clock checks. */
#ifndef KESU_VERDICT_H
#define KESU_VERDICT_H

#include "certs/document/certificate.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Append a finding to list (at most KESU_VERDICT_MAX; more are dropped). */
__attribute__((format(printf, 3, 4)))
void kesu_verdict_add(char (*list)[256], size_t *n, const char *fmt, ...);

#define KESU_VERDICT_ERR(v, ...) kesu_verdict_add((v)->errors, &(v)->n_errors, __VA_ARGS__)
#define KESU_VERDICT_WARN(v, ...) \
	kesu_verdict_add((v)->warnings, &(v)->n_warnings, __VA_ARGS__)

/* Hidden characters in every string below j (named path): a warning in
 * evidence read from the medium, an error anywhere else.  Below the member
 * whose path is evidence_path (NULL: none) everything is evidence. */
void kesu_verdict_hidden(const json_t *j, const char *path, bool evidence,
			 const char *evidence_path, struct kesu_cert_verdict *v);

/* An error for each of paths ({object or NULL for the top, key}) that is
 * present and blank. */
void kesu_verdict_blank(const json_t *doc, const char *const (*paths)[2], size_t n,
			struct kesu_cert_verdict *v);

/* The issue time (t_issued, as the document writes it: s_issued) and the
 * signature's signing time against the verifier's clock; what names the
 * document ("certificate", "document") in the findings. */
void kesu_verdict_clock(const struct kesu_cert_clock *clock, time_t t_issued,
			const char *s_issued, const char *what, struct kesu_cert_verdict *v);

#endif
