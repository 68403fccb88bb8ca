/* The disposal register (man/kesu-register.5): an append-only JSON-lines
 * file where each line carries the SHA-256 of the previous line's exact
 * bytes, plus a CMS-signed head naming the latest line.  Editing, deleting,
 * reordering or truncating lines breaks the chain or the head.
 *
 * The first half of this header is pure (text in, verdict out) so that
 * every backend that stores the same lines (the file here, a database
 * elsewhere) judges them with the same code; the second half does the file
 * I/O (register_file.c). */
#ifndef KESU_REGISTER_H
#define KESU_REGISTER_H

#include "lib/error.h"
#include "certs/sign/signer.h"
#include "certs/sign/timestamp.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define KESU_REGISTER_SCHEMA_HEAD "kesu-register-head/1"
#define KESU_REGISTER_GENESIS \
	"0000000000000000000000000000000000000000000000000000000000000000"
#define KESU_REGISTER_MAX_BYTES (512u << 20)

/* ---- pure: lines ---- */

/* Where the line with a given sequence number (the one a head names) sits
 * in the text, and what comes before it. */
struct kesu_reg_mark {
	bool found;               /* a valid line has exactly that seq */
	size_t line;              /* its 1-based line number */
	char hash[65];            /* its SHA-256 */
	size_t end;               /* offset just after its newline */
	/* the valid lines before the first line whose seq is >= the mark's */
	size_t before_bytes, before_lines;
	uint64_t before_seq;
	char before_hash[65];
};

/* Result of checking register text (pure). */
struct kesu_reg_check {
	size_t lines;             /* complete, valid lines */
	uint64_t last_seq;
	char last_hash[65];       /* SHA-256 of the last valid line */
	size_t bad_line;          /* 1-based first bad line, 0 if none */
	char why[384];            /* English: files, JSON */
	char why_local[384];      /* why in the operator's language */
	bool torn;                /* text ends inside a line (crash mid-append) */
	size_t good_bytes;        /* length of the valid prefix */
	size_t repairs, recoveries;
	struct kesu_reg_mark mark;
};

/* Check every line: canonical strict JSON, sequence numbers without gaps
 * (a repair line may skip exactly the numbers it declares lost), every prev
 * link, each certificate id and each run id at most once.  mark_seq is the
 * sequence number the signed head names (see struct kesu_reg_mark).  Calls
 * each(line_obj, arg) for every valid line. */
void kesu_register_check_text(const char *text, size_t len, uint64_t mark_seq,
			      struct kesu_reg_check *r,
			      void (*each)(const json_t *line, void *arg), void *arg);

/* The line (without newline) for an entry object (seq/prev/time set by the
 * caller); canonical form: sorted keys, compact.  Caller frees. */
char *kesu_register_line(const json_t *entry);

/* The certificate line's fields (kind, cert_id, run_id, serial, model,
 * result, operator) as they must read for a parsed certificate; cert_file
 * and the two hashes are added by the caller.  New reference. */
json_t *kesu_register_cert_fields(const json_t *cert);

/* KESU_OK if a certificate line repeats what the certificate it points to
 * says, otherwise KESU_ERR_INVALID and why, naming the field that differs
 * (English in msg, the operator's language in local). */
enum kesu_rc kesu_register_line_contradicts(const json_t *line, const json_t *cert,
					    struct kesu_err *why);

/* ---- pure: the signed head ---- */

enum kesu_reg_head_state {
	KESU_REG_HEAD_NONE,       /* neither the head nor its signature exists */
	KESU_REG_HEAD_VERIFIED,   /* present, well formed, signature verifies */
	KESU_REG_HEAD_BAD,        /* anything else: half missing, malformed, unsigned */
};

struct kesu_reg_head {
	enum kesu_reg_head_state state;
	uint64_t seq;
	char line_sha256[65];
	char why[384];            /* KESU_REG_HEAD_BAD: what is wrong */
	char signer[256];         /* KESU_REG_HEAD_VERIFIED: the signer's subject */
};

/* The head document for a register file base name, sequence number, hash
 * and time; NUL-terminated, *len bytes.  Caller frees. */
char *kesu_register_head_text(const char *reg_base, uint64_t seq,
			      const char *line_sha256, const char *time,
			      size_t *len);

/* Parse a head strictly into seq and line_sha256 (state untouched). */
enum kesu_rc kesu_register_head_parse(const char *text, size_t len,
				      struct kesu_reg_head *h, struct kesu_err *err);

/* ---- pure: the verdict on text + head ---- */

enum kesu_reg_state {
	KESU_REG_OK,       /* the signed head names the last line */
	KESU_REG_NEW,      /* empty text and no head: a new register */
	KESU_REG_RESIDUE,  /* the head names an earlier line; what follows it is
			    * what a crash left: the next append cuts it and
			    * records a recovery line */
	KESU_REG_DAMAGED,  /* anything else: refused until 'register repair' */
};

struct kesu_reg_verdict {
	enum kesu_reg_state state;
	size_t bad_line;          /* 1-based first bad line, 0 if none or unknown */
	char why[512];            /* English: files, JSON */
	char why_local[512];      /* why in the operator's language */
	/* Where an append (RESIDUE) or a repair (DAMAGED) continues the chain:
	 * the bytes and lines kept, the last kept line's seq and hash. */
	size_t keep_bytes, keep_lines;
	uint64_t keep_seq;
	char keep_hash[65];
	/* Signed entries lost (only known with a verified head). */
	bool lost_known;
	uint64_t lost_first, lost_last;
};

/* t from kesu_register_check_text over text of len bytes with mark_seq =
 * h->seq (0 when there is no verified head). */
void kesu_register_judge(const struct kesu_reg_check *t, size_t len,
			 const struct kesu_reg_head *h, struct kesu_reg_verdict *v);

/* ---- file I/O (register_file.c) ---- */

/* The entry (kind certificate, without seq, time and prev) for a
 * certificate file and its .p7s; id_out (37 bytes) receives its id.  Both
 * registers, file and database, append what this builds. */
enum kesu_rc kesu_register_cert_entry(const char *cert_path, json_t **out,
				      char *id_out, struct kesu_err *err);

struct kesu_reg_kind;

/* The same for a signed document of another kind (reg_kinds.h, read
 * strictly by its kind's parser): the line's fields, cert_file and the
 * hashes of the document and its .p7s; *kind_out its row
 * (register_docs.c). */
enum kesu_rc kesu_register_doc_entry(const char *path, const struct kesu_reg_kind **kind_out,
				     json_t **out, struct kesu_err *err);

/* The entry (kind countersignature) for sig_file, a countersignature as
 * role by signer (a name, checked against the signature by register
 * verify) over the document at doc_path: the document's id, kind and
 * serial, both files' paths and hashes, and an id of its own derived from
 * the signature's hash. */
enum kesu_rc kesu_register_countersig_entry(const char *doc_path, const char *sig_file,
					    const char *role, const char *signer,
					    json_t **out, struct kesu_err *err);

struct kesu_reg_append {
	uint64_t seq;        /* the certificate's entry */
	bool already;        /* this very certificate was registered before */
	bool recovered;      /* a crash's leftovers were cut and recorded first */
	uint64_t recovery_seq;
};

/* Append an entry for a certificate file (its .p7s beside it) under an
 * exclusive lock.  The existing register must verify against its signed
 * head (whose signature is checked against ca_file; with no ca_file only
 * that it matches its bytes): otherwise nothing is appended and the error
 * names the first bad line.  Leftovers of a crash after the head's line
 * are cut (kept in <register>.cut-<seq>) and recorded first.  A certificate
 * already registered with the same bytes is not added again (res->already);
 * a different certificate with the same id, or any certificate for a run
 * already certified, is refused.  The new head is written last; if anything
 * fails before it is in place, the file is put back as it was. */
enum kesu_rc kesu_register_append_cert(const char *reg_path,
				       const char *cert_path,
				       struct kesu_signer *signer,
				       const char *ca_file,
				       struct kesu_reg_append *res,
				       struct kesu_err *err);

/* The same, and the new head is timestamped by tsa (NULL: none).  A token
 * for an older head (<register>.head.tsr) is removed whenever a new head is
 * published, by repairs too.  KESU_ERR_UNSTAMPED when the entry and the
 * signed head were written but the token could not be had. */
enum kesu_rc kesu_register_append_cert_ts(const char *reg_path,
					  const char *cert_path,
					  struct kesu_signer *signer,
					  const char *ca_file,
					  const struct kesu_tsa *tsa,
					  struct kesu_reg_append *res,
					  struct kesu_err *err);

/* Before anything is signed: the register (if it exists) can be extended
 * (as kesu_register_append_cert checks), and no certificate in it is for
 * run_id (NULL: skip that check).  Creates an empty register if there is
 * none, and tidies after a crash, as an append would. */
enum kesu_rc kesu_register_precheck(const char *reg_path, const char *ca_file,
				    const char *run_id, struct kesu_err *err);

struct kesu_reg_repair {
	bool nothing;        /* the register verified: nothing written */
	uint64_t seq;        /* the repair line */
	struct kesu_reg_verdict verdict;  /* what was found */
	size_t cut_bytes;
	char cut_file[4096]; /* where the cut bytes were saved ("" if none) */
};

/* Make a register that does not verify extendable again, on purpose and
 * on the record: keep the lines the verdict keeps, save the rest to
 * <register>.cut-<seq>, append a repair line naming what was lost, why
 * (reason) and by whom (by, and the signer's certificate subject), and
 * sign a new head. */
enum kesu_rc kesu_register_repair(const char *reg_path, const char *reason,
				  const char *by, struct kesu_signer *signer,
				  const char *ca_file, struct kesu_reg_repair *res,
				  struct kesu_err *err);

struct kesu_reg_verify {
	struct kesu_reg_check text;
	struct kesu_reg_verdict verdict;
	uint64_t head_seq;
	size_t bad_line;          /* first bad line of all checks, 0 if none */
	size_t certs_checked, certs_missing;
	bool head_ts_present;         /* <register>.head.tsr exists */
	bool head_timestamped;        /* ... and was verified against the TSA CA */
	struct kesu_ts_info head_ts;
};

/* Full check under a shared lock: text, signed head (against ca_file), and,
 * with check_files, every referenced certificate and signature file that
 * is present (hashes, and that the line repeats what the certificate
 * says).  each (may be NULL) sees every valid line. */
enum kesu_rc kesu_register_verify(const char *reg_path, const char *ca_file,
				  bool check_files, struct kesu_reg_verify *v,
				  void (*each)(const json_t *line, void *arg), void *arg,
				  struct kesu_err *err);

/* The same, and a head token (<register>.head.tsr) is checked against
 * tsa_ca_file when one is given (NULL or "": only reported), after which
 * the head's signer is checked at the token's genTime. */
enum kesu_rc kesu_register_verify_ts(const char *reg_path, const char *ca_file,
				     const char *tsa_ca_file, bool check_files,
				     struct kesu_reg_verify *v,
				     void (*each)(const json_t *line, void *arg), void *arg,
				     struct kesu_err *err);

/* ---- other signed documents (register_docs.c, reg_kinds.h) ---- */

/* Append a line for a signed document of a kind in reg_kinds.c (a
 * destruction document...; its .p7s beside it), as
 * kesu_register_append_cert_ts appends a certificate: the register must
 * verify, the same document is not added twice (res->already), another
 * with its id is refused, and the kind's own rule (admit) must accept it
 * against the lines the signed head vouches for. */
enum kesu_rc kesu_register_append_doc_ts(const char *reg_path, const char *doc_path,
					 struct kesu_signer *signer, const char *ca_file,
					 const struct kesu_tsa *tsa,
					 struct kesu_reg_append *res, struct kesu_err *err);

/* Append a countersignature (kesu_register_countersig_entry) the same way;
 * the register must hold the document it signs. */
enum kesu_rc kesu_register_append_countersig(const char *reg_path, const char *doc_path,
					     const char *sig_file, const char *role,
					     const char *signer_name, struct kesu_signer *signer,
					     const char *ca_file, struct kesu_reg_append *res,
					     struct kesu_err *err);

/* The documents the lines point to, read back: an array as long as lines
 * with, for each certificate or document line, the parsed document when
 * its file is present and has the bytes the line recorded, else null. */
json_t *kesu_register_docs(const json_t *lines);

#endif
