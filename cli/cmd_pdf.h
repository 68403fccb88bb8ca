/* kesu cert pdf and kesu register report: printing, kept apart from
 * cmd_cert.c and cmd_register.c, which dispatch here. */
#ifndef KESU_CLI_CMD_PDF_H
#define KESU_CLI_CMD_PDF_H

#include "certs/print/doc.h"
#include "cli/opts.h"
#include "lib/error.h"

#include <stdbool.h>

/* kesu cert pdf CERT... [--out DIR] [--lang ja|en|ja+en] [--ca FILE] [--config FILE] */
enum kesu_rc cmd_cert_pdf(const struct kesu_verb *v, const char *cmd, int argc, char **argv);

/* kesu register report --pdf --out FILE [--since T] [--until T] [--department D] ... */
enum kesu_rc cmd_register_report(const struct kesu_verb *v, const char *cmd, int argc,
				 char **argv);

/* kesu wipe --pdf: the PDF beside a certificate just issued, checked
 * against the CA of kesu.conf ([trust] ca_file) when it names one.  Its
 * path goes to pdf_path; a failure is reported on stderr. */
enum kesu_rc kesu_cli_pdf_beside(const char *cert_path, enum kesu_lang lang,
				 const char *config_path, char *pdf_path,
				 size_t pdf_path_size);

#endif
