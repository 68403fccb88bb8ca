/* Printing files: a certificate (with its .p7s) to a PDF beside it or in
 * a directory, and the disposal ledger of a register for a period.  The
 * I/O around the pure page builders (cert_page.h, report_page.h) and the
 * renderer (render.h). */
#ifndef KESU_PRINT_CERT_PDF_H
#define KESU_PRINT_CERT_PDF_H

#include "certs/print/doc.h"
#include "lib/error.h"

#include <stddef.h>
#include <time.h>

struct kesu_print_opts {
	enum kesu_lang lang;
	const char *ca_file;   /* NULL or "": the signature is only checked to be
				* over the file's bytes, and the page says so */
	time_t now;            /* printed-at time and the PDF's dates */
	const char *creator;   /* PDF creator, "kesu 0.1.0" */
};

/* The PDF's path for a certificate: out_dir (or the certificate's own
 * directory when NULL) / the certificate's base name with .json replaced
 * by .pdf. */
bool kesu_cert_pdf_path(const char *cert_path, const char *out_dir, char *out,
			size_t outsz);

/* Check and print one certificate: strict parse, the signature in
 * cert_path.p7s over its exact bytes (and against the CA when one is
 * given), the consistency verdict; then the PDF, written atomically to
 * pdf_path.  Nothing is written when any check fails. */
enum kesu_rc kesu_cert_pdf_write(const char *cert_path, const char *pdf_path,
				 const struct kesu_print_opts *o,
				 struct kesu_err *err);

struct kesu_report_opts {
	const char *register_path;
	const char *cert_dir;    /* where to look for certificates by base name
				  * when the register's path is not here */
	const char *department;  /* NULL: every department */
	time_t since, until;     /* 0: open */
};

/* The disposal ledger (register report) as a PDF at pdf_path; *rows gets
 * the number of media listed. */
enum kesu_rc kesu_report_pdf_write(const struct kesu_report_opts *r,
				   const struct kesu_print_opts *o,
				   const char *pdf_path, size_t *rows,
				   struct kesu_err *err);

#endif
