/* The certificate options `kesu cert issue` and `kesu wipe` share: one
 * getopt table, one parser, one help text. */
#ifndef KESU_CLI_CERT_OPTS_H
#define KESU_CLI_CERT_OPTS_H

#include "certs/document/issue.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

/* getopt_long entries for the shared options; put KESU_CERT_LONGOPTS in a
 * command's option table and pass unknown option values to kesu_cert_opt. */
enum {
	KESU_OPT_CONFIG = 0x4b00, KESU_OPT_KEY, KESU_OPT_CERT, KESU_OPT_OPERATOR,
	KESU_OPT_TITLE, KESU_OPT_ORG, KESU_OPT_CONTACT, KESU_OPT_CUSTOMER,
	KESU_OPT_ASSET, KESU_OPT_CLASS, KESU_OPT_MY_NUMBER, KESU_OPT_REASON,
	KESU_OPT_DEST, KESU_OPT_APPROVER, KESU_OPT_APPROVAL_REF,
	KESU_OPT_APPROVAL_DATE, KESU_OPT_WITNESS, KESU_OPT_REGISTER,
	KESU_OPT_NO_REGISTER, KESU_OPT_NO_CERT, KESU_OPT_CERT_DIR,
	KESU_OPT_CA_FILE, KESU_OPT_CRL,
};
#define KESU_CERT_LONGOPTS \
	{"config", required_argument, NULL, KESU_OPT_CONFIG}, \
	{"key", required_argument, NULL, KESU_OPT_KEY}, \
	{"cert", required_argument, NULL, KESU_OPT_CERT}, \
	{"operator", required_argument, NULL, KESU_OPT_OPERATOR}, \
	{"title", required_argument, NULL, KESU_OPT_TITLE}, \
	{"organization", required_argument, NULL, KESU_OPT_ORG}, \
	{"contact", required_argument, NULL, KESU_OPT_CONTACT}, \
	{"customer", required_argument, NULL, KESU_OPT_CUSTOMER}, \
	{"asset", required_argument, NULL, KESU_OPT_ASSET}, \
	{"class", required_argument, NULL, KESU_OPT_CLASS}, \
	{"my-number", no_argument, NULL, KESU_OPT_MY_NUMBER}, \
	{"reason", required_argument, NULL, KESU_OPT_REASON}, \
	{"destination", required_argument, NULL, KESU_OPT_DEST}, \
	{"approver", required_argument, NULL, KESU_OPT_APPROVER}, \
	{"approval-ref", required_argument, NULL, KESU_OPT_APPROVAL_REF}, \
	{"approval-date", required_argument, NULL, KESU_OPT_APPROVAL_DATE}, \
	{"witness", required_argument, NULL, KESU_OPT_WITNESS}, \
	{"register", required_argument, NULL, KESU_OPT_REGISTER}, \
	{"no-register", no_argument, NULL, KESU_OPT_NO_REGISTER}, \
	{"no-cert", no_argument, NULL, KESU_OPT_NO_CERT}, \
	{"cert-dir", required_argument, NULL, KESU_OPT_CERT_DIR}, \
	{"ca-file", required_argument, NULL, KESU_OPT_CA_FILE}, \
	{"crl", required_argument, NULL, KESU_OPT_CRL}

/* Handle one shared option.  Returns false if c is not one of them;
 * otherwise *rc is KESU_OK or a usage error already printed. */
bool kesu_cert_opt(struct kesu_cert_opts *o, int c, const char *arg,
		   enum kesu_rc *rc);

/* The --help text for the shared options. */
void kesu_cert_opts_help(FILE *out);

#endif
