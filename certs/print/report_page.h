/* The disposal ledger as a document model (pure): one row per medium,
 * totals by result and by method, the My Number media still awaiting
 * destruction, the register's head and how it was checked, and the
 * security manager's signature box. */
#ifndef KESU_PRINT_REPORT_PAGE_H
#define KESU_PRINT_REPORT_PAGE_H

#include "certs/print/doc.h"
#include "lib/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Why a line's certificate is not on the ledger (shown in its row, in
 * the page's language). */
enum kesu_report_problem {
	KESU_REPORT_CERT_OK,         /* the certificate is there */
	KESU_REPORT_NO_ERASURE,      /* a destruction that closes no erasure */
	KESU_REPORT_NOT_CERT_LINE,   /* the line names no certificate file */
	KESU_REPORT_NOT_HERE,        /* its file is not here */
	KESU_REPORT_CHANGED,         /* its bytes are not the registered ones */
	KESU_REPORT_INVALID,         /* not a valid certificate */
};

struct kesu_report_entry {
	const json_t *line;      /* the register line (kind certificate) */
	const json_t *cert;      /* its certificate, NULL when not available */
	enum kesu_report_problem problem;  /* why cert is NULL */
	const json_t *closed_by; /* the destruction line closing it, or NULL */
};

struct kesu_report_in {
	const struct kesu_report_entry *e;
	size_t n;
	const char *register_path;
	size_t lines, recoveries;   /* lines in the register, recovery lines in range */
	uint64_t head_seq;
	const char *last_hash;      /* SHA-256 of the register's last line */
	bool head_checked;          /* checked against a CA */
	bool head_ok;
	const char *head_problem;   /* why not ok */
	const char *ca_name;
	const char *department;     /* filter, NULL for all */
	time_t since, until;        /* filter on the register time, 0 open */
	enum kesu_lang lang;
	const char *printed_at;
};

/* Which entries the ledger lists: in the period (register time) and, with
 * a department, whose certificate names it. */
bool kesu_report_selects(const struct kesu_report_in *in,
			 const struct kesu_report_entry *e);

enum kesu_rc kesu_report_page_build(const struct kesu_report_in *in,
				    struct kesu_doc **out, size_t *rows,
				    struct kesu_err *err);

#endif
