/* Inside the register file's code (register_store.c, register_file.c,
 * register_verify.c, register_docs.c): one locked look at the register, and writing the
 * chained lines and the signed head.  Not for other callers: they use
 * register.h. */
#ifndef KESU_CERTS_REGISTER_STORE_H
#define KESU_CERTS_REGISTER_STORE_H

#include "certs/register/register.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

struct head_paths {
	char head[PATH_MAX], sig[PATH_MAX];
};

struct reg {
	const char *path;
	int fd;
	char *text;
	size_t len;
	struct kesu_reg_head head;
	struct kesu_reg_check check;
	struct kesu_reg_verdict verdict;
};

enum kesu_rc kesu_regf_head_paths(const char *reg, struct head_paths *p, struct kesu_err *err);

/* Open and lock (exclusive for writers, who also tidy after a crash), read
 * the text and the head, and judge them; each line goes to each. */
enum kesu_rc kesu_regf_open(struct reg *r, const char *path, const char *ca_file,
			    bool writer, bool must_exist,
			    void (*each)(const json_t *, void *), void *arg,
			    struct kesu_err *err);
void kesu_regf_close(struct reg *r);

/* A writer's refusal of a register that does not verify, naming the line. */
enum kesu_rc kesu_regf_refuse_damaged(const struct reg *r, struct kesu_err *err);

/* A chained line for entry after (seq, hash): sets seq/time/prev, appends
 * the line and its newline to buf, and advances hash. */
enum kesu_rc kesu_regf_chain_line(json_t *entry, uint64_t seq, char hash[65],
				  char **buf, size_t *n, struct kesu_err *err);

/* Keep what is cut off the register where an auditor can read it. */
enum kesu_rc kesu_regf_save_cut(const struct reg *r, size_t keep, uint64_t seq,
				char *path, size_t size, struct kesu_err *err);

/* Replace everything after keep with lines, then the head (timestamped
 * with tsa when given). */
enum kesu_rc kesu_regf_commit(struct reg *r, size_t keep, const char *lines, size_t n,
			      uint64_t seq, const char *hash, struct kesu_signer *signer,
			      const struct kesu_tsa *tsa, struct kesu_err *err);

/* Append entry (seq, time and prev are set here) after what the verdict
 * keeps, recording a crash's leftovers first, and publish the new head
 * (timestamped by tsa when given).  res->seq is the entry's number. */
enum kesu_rc kesu_regf_append_entry(struct reg *r, json_t *entry, struct kesu_signer *signer,
				    const struct kesu_tsa *tsa, struct kesu_reg_append *res,
				    struct kesu_err *err);

/* The document file and its .p7s a line names, where present here, have
 * the SHA-256 the line recorded: KESU_OK, else KESU_ERR_INVALID and why
 * (English, and in the operator's language).  Counts files checked and
 * missing. */
enum kesu_rc kesu_regf_check_hashes(const json_t *line, size_t *checked, size_t *missing,
				    struct kesu_err *why);

/* With the hashes recorded in a document line (register_docs.c): its
 * file and signature, when present, are the ones registered, the line
 * repeats what the document says, and with t the signature verifies
 * against t's CA.  KESU_OK when they are, else KESU_ERR_INVALID and why;
 * counts files checked and missing. */
struct kesu_reg_kind;
struct kesu_trust;
enum kesu_rc kesu_regf_doc_check_file(const struct kesu_reg_kind *k, const json_t *line,
				      const struct kesu_trust *t, size_t *checked,
				      size_t *missing, struct kesu_err *why);

#endif
