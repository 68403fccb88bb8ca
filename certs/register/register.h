/* The disposal register (man/kesu-register.5): an append-only JSON-lines
 * file where each line carries the SHA-256 of the previous line's exact
 * bytes, plus a CMS-signed head naming the latest line.  Editing, deleting,
 * reordering or truncating lines breaks the chain or the head. */
#ifndef KESU_REGISTER_H
#define KESU_REGISTER_H

#include "lib/error.h"
#include "certs/sign/signer.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define KESU_REGISTER_SCHEMA_HEAD "kesu-register-head/1"
#define KESU_REGISTER_GENESIS \
	"0000000000000000000000000000000000000000000000000000000000000000"

/* Result of checking register text (pure). */
struct kesu_reg_check {
	size_t lines;             /* complete, valid lines */
	uint64_t last_seq;
	char last_hash[65];       /* SHA-256 of the last valid line */
	size_t bad_line;          /* 1-based first bad line, 0 if none */
	char why[384];
	bool torn;                /* text ends inside a line (crash mid-append) */
	size_t good_bytes;        /* length of the valid prefix */
};

/* Check every line: canonical strict JSON, sequence 1,2,3... without gaps,
 * every prev link.  Calls each(line_obj, arg) for every valid line. */
void kesu_register_check_text(const char *text, size_t len,
			      struct kesu_reg_check *r,
			      void (*each)(const json_t *line, void *arg), void *arg);

/* The line (without newline) for an entry object (seq/prev/time set by the
 * caller); canonical form: sorted keys, compact.  Caller frees. */
char *kesu_register_line(const json_t *entry);

/* The entry (kind certificate, without seq, time and prev) for a
 * certificate file and its .p7s; id_out (37 bytes) receives its id.  Both
 * registers, file and database, append what this builds. */
enum kesu_rc kesu_register_cert_entry(const char *cert_path, json_t **out,
				      char *id_out, struct kesu_err *err);

/* Append an entry for a certificate file (its .p7s beside it) under an
 * exclusive lock, cutting and recording a torn last line first, then write
 * the signed head.  Refuses a certificate id already registered. */
enum kesu_rc kesu_register_append_cert(const char *reg_path,
				       const char *cert_path,
				       struct kesu_signer *signer,
				       uint64_t *seq_out, struct kesu_err *err);

struct kesu_reg_verify {
	struct kesu_reg_check text;
	uint64_t head_seq;
	size_t certs_checked, certs_missing;
};

/* Full check: text, signed head (against ca_file), and every referenced
 * certificate and signature file that is present. */
enum kesu_rc kesu_register_verify(const char *reg_path, const char *ca_file,
				  struct kesu_reg_verify *v, struct kesu_err *err);

#endif
