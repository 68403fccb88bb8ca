/* The register read as the city's ledger: its lines joined with the
 * documents they point to (kesu_register_docs), one row per certificate
 * or document line, which My Number erasures are still open, and the life
 * of one medium.  Pure: lines and documents in, rows out. */
#ifndef KESU_LEDGER_H
#define KESU_LEDGER_H

#include "lib/error.h"
#include "lib/i18n.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Open: a certificate line whose certificate is for My Number media (or
 * whose certificate cannot be read, so nobody can say it is not), and no
 * destruction line closes it.  *closed_by (may be NULL) receives the
 * index of the closing line or -1. */
bool kesu_ledger_is_open(const json_t *lines, const json_t *docs, size_t i,
			 long *closed_by);

/* The ledger row for line i of lines (docs[i] its document or null), new
 * reference, or NULL for lines that record no document (repairs,
 * recoveries).  Keys (strings, "" when unknown): seq, time, kind, id,
 * serial, model, asset, department, class, my_number, reason, method,
 * result, operator, approver, witnesses, destruction, open, closes,
 * document, countersigners (each countersignature line naming it, "role:
 * signer; ..."); now is the clock open items are aged against
 * (age_days).  Spot checks and countersignatures add refers_to. */
json_t *kesu_ledger_row(const json_t *lines, const json_t *docs, size_t i, time_t now);

/* What a destruction line and its document (null when unreadable) say of
 * a medium's end, as the ledger's "destruction" cell says it: fmt, an
 * English catalogue key (N_()) with up to four %s, and its arguments in
 * order (technique, date, company, person, those the sentence names).
 * The rows keep the English text; a person gets _(fmt) with the same
 * arguments. */
struct kesu_ledger_destroyed {
	const char *fmt;
	char args[4][128];
};

void kesu_ledger_destroyed_of(const json_t *dline, const json_t *ddoc,
			      struct kesu_ledger_destroyed *out);

/* The closes cell of a destruction that closes no erasure certificate
 * (an English catalogue key: rows keep it, a person reads _() of it). */
#define KESU_LEDGER_NO_ERASURE N_("(no erasure record)")

/* The keys every row has, in order. */
extern const char *const kesu_ledger_columns[];

struct kesu_ledger_filter {
	const char *asset, *department, *kind, *serial, *op;
	bool open_only;
	time_t since, until;   /* 0: no bound */
};

/* True if a row passes the filter (exact matches; kind "certificate" is
 * also "erasure"). */
bool kesu_ledger_selects(const json_t *row, const struct kesu_ledger_filter *f);

/* Every row (new reference) passing f. */
json_t *kesu_ledger_rows(const json_t *lines, const json_t *docs,
			 const struct kesu_ledger_filter *f, time_t now);

/* Open items open longer than max_days at now, to the second (rows, new
 * reference). */
json_t *kesu_ledger_overdue(const json_t *lines, const json_t *docs, long max_days,
			    time_t now);

/* The life of one medium, in register order, as rows (new reference):
 * every line naming serial, the custody hand-overs listing it, and the
 * signed approvals covering it by serial or by an asset number its own
 * lines record. */
json_t *kesu_ledger_trace(const json_t *lines, const json_t *docs, const char *serial,
			  time_t now);

/* The erasure certificate a destruction of serial should close: the
 * latest certificate line for serial that no destruction closes (index,
 * or -1).  *closed (may be NULL) is set when every certificate for serial
 * is closed already (then -1 is returned and a new destruction has
 * nothing left to close). */
long kesu_ledger_erasure_for(const json_t *lines, const char *serial, bool *closed);

#endif
