/* Inside the file register: one locked look at the register file and the
 * steps that extend it, shared by register_file.c (certificates, repairs,
 * verification) and register_docs.c (other signed documents).  Not for
 * use outside certs/register/. */
#ifndef KESU_REGISTER_IO_H
#define KESU_REGISTER_IO_H

#include "certs/register/register.h"

struct reg {
	const char *path;
	int fd;
	char *text;
	size_t len;
	struct kesu_reg_head head;
	struct kesu_reg_check check;
	struct kesu_reg_verdict verdict;
};

/* Open and lock (exclusive for writers, who also tidy after a crash), read
 * the text and the head, and judge them; each sees every valid line. */
enum kesu_rc reg_open(struct reg *r, const char *path, const char *ca_file,
		      bool writer, bool must_exist,
		      void (*each)(const json_t *, void *), void *arg,
		      struct kesu_err *err);
void reg_close(struct reg *r);

/* The error for a register that does not verify, naming the fixes. */
enum kesu_rc refuse_damaged(const struct reg *r, struct kesu_err *err);

/* Append entry (seq, time and prev are set here) after what the verdict
 * keeps, recording a crash's leftovers first, and publish the new head
 * (timestamped by tsa when given).  res->seq is the entry's number. */
enum kesu_rc reg_append_entry(struct reg *r, json_t *entry, struct kesu_signer *signer,
			      const struct kesu_tsa *tsa, struct kesu_reg_append *res,
			      struct kesu_err *err);

/* With the hashes recorded in a document line (register_docs.c): its
 * file and signature, when present, are the ones registered, and the line
 * repeats what the document says.  NULL when they are, else why (in why);
 * counts files checked and missing. */
struct kesu_reg_kind;
const char *reg_doc_check_file(const struct kesu_reg_kind *k, const json_t *line,
			       size_t *checked, size_t *missing, char *why, size_t size);

#endif
