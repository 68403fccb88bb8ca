/* The disposal register in PostgreSQL (man/kesu-register.5, POSTGRESQL):
 * the same hash chain over the same canonical lines as the file register
 * (register.c builds and checks them), kept in a database the city already
 * runs and backs up, with the signed documents stored beside each line.
 *
 * Everything here talks to the server through struct kesu_db (pg_db.h);
 * the verdict over what was read is pure (kesu_pgreg_judge). */
#ifndef KESU_REGISTER_PG_H
#define KESU_REGISTER_PG_H

#include "certs/register/pg_db.h"
#include "certs/sign/signer.h"
#include "certs/sign/timestamp.h"
#include "lib/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Attempts per append before giving up on serialization failures and lost
 * connections. */
#define KESU_PGREG_ATTEMPTS 14
/* How long an append waits for a server that is down or restarting. */
#define KESU_PGREG_CONNECT_WAIT_MS 30000u

/* Create or upgrade the schema (idempotent).  *from and *to receive the
 * versions before and after. */
enum kesu_rc kesu_pgreg_init(struct kesu_db *db, int *from, int *to,
			     struct kesu_err *err);

/* The same, stopping after migration `target`: an upgrade in steps, and
 * how the tests make a database as an older kesu left it. */
enum kesu_rc kesu_pgreg_init_to(struct kesu_db *db, int target, int *from, int *to,
				struct kesu_err *err);

/* Refuse a database that init-db has not prepared, or one newer than this
 * kesu understands. */
enum kesu_rc kesu_pgreg_check_schema(struct kesu_db *db, struct kesu_err *err);

/* Refuse a role that may not call kesu.append() (not in kesu_station). */
enum kesu_rc kesu_pgreg_check_append(struct kesu_db *db, struct kesu_err *err);

/* What an append found when the certificate id was already registered. */
enum kesu_pgreg_dup {
	KESU_PGREG_DUP_REFUSE,   /* an error, as in the file register */
	KESU_PGREG_DUP_SKIP,     /* fine if byte-identical (push) */
};

/* Append one certificate entry (kind, cert_id, hashes, serial, ...; seq,
 * prev and time are set here, time from `time` or the clock) with its
 * documents, in one transaction, retrying serialization failures and lost
 * connections.  A retry after a connection lost during COMMIT finds its own
 * entry already there, byte-identical, and counts as done.  *already is set
 * when an identical entry was there before (only with DUP_SKIP). */
enum kesu_rc kesu_pgreg_append(struct kesu_db *db, const json_t *entry,
			       const char *time, const void *cert, size_t cert_len,
			       const void *sig, size_t sig_len,
			       enum kesu_pgreg_dup dup, uint64_t *seq, bool *already,
			       struct kesu_err *err);

/* Before a certificate is signed: refuse a run that a certificate in the
 * database already certifies (KESU_ERR_INVALID, the file register's
 * words); kesu.append() refuses it again, under the chain lock. */
enum kesu_rc kesu_pgreg_check_run(struct kesu_db *db, const char *run_id,
				  struct kesu_err *err);

/* Append a certificate file and its .p7s. */
enum kesu_rc kesu_pgreg_append_cert(struct kesu_db *db, const char *cert_path,
				    uint64_t *seq, struct kesu_err *err);

/* The city signs the current head: a kesu-register-head/1 document naming
 * the database, stored with its CMS signature in kesu.seals. */
enum kesu_rc kesu_pgreg_seal(struct kesu_db *db, struct kesu_signer *signer,
			     uint64_t *seq, struct kesu_err *err);

/* The same, and the seal's signature is timestamped by tsa (RFC 3161; NULL:
 * none), the token stored with it.  KESU_ERR_UNSTAMPED when only the token
 * is missing: the seal is stored all the same. */
enum kesu_rc kesu_pgreg_seal_ts(struct kesu_db *db, struct kesu_signer *signer,
				const struct kesu_tsa *tsa, uint64_t *seq,
				struct kesu_err *err);

/* ---- verification: what was read, and the pure verdict over it ---- */

struct kesu_pgreg_row {
	uint64_t seq;              /* the seq column */
	char prev[65], line_sha256[65], kind[32], cert_id[40];
	char *serial, *model, *result, *operator_name;  /* NULL: SQL NULL */
	char *run_id;              /* schema 2 on; NULL: SQL NULL */
	char *asset, *department;  /* from the stored certificate; NULL: SQL NULL */
	char *closes;              /* schema 3: a destruction's; NULL: SQL NULL */
	char *refers_to;           /* schema 3: a countersignature's or spot check's */
	int my_number;             /* 1, 0, or -1 for SQL NULL */
	int64_t at;                /* the at column, seconds since the epoch */
	char *line;                /* the stored line bytes */
	size_t line_len;
};

enum kesu_pgreg_ts {
	KESU_PGREG_TS_NONE,        /* no token */
	KESU_PGREG_TS_UNCHECKED,   /* a token, but no TSA CA to check it */
	KESU_PGREG_TS_CHECKED,     /* a token that verifies; gen_time */
};

struct kesu_pgreg_seal_row {
	uint64_t id, seq;
	char line_sha256[65];      /* from the signed head */
	const struct kesu_err *error; /* why its head, signature or token is
				       * bad, NULL if good */
	enum kesu_pgreg_ts ts;
	time_t gen_time;
};

struct kesu_pgreg_facts {
	const struct kesu_pgreg_row *rows;   /* in seq column order */
	size_t nrows;
	uint64_t head_seq;                   /* kesu.head */
	char head_hash[65];
	const struct kesu_pgreg_seal_row *seals;
	size_t nseals;
	size_t doc_bad;                      /* 1-based row whose documents failed, 0 none */
	struct kesu_err doc_why;             /* English, and the operator's */
};

struct kesu_pgreg_verdict {
	size_t entries;
	uint64_t last_seq;
	char last_hash[65];
	size_t seals;
	uint64_t sealed_seq;       /* highest entry a good seal covers */
	size_t seals_timestamped;  /* good seals whose token verified */
	size_t seal_tokens_unchecked; /* tokens not checked: no TSA CA given */
	size_t unsealed;           /* entries after it */
	size_t documents_checked;
	size_t bad;                /* first bad entry (position = expected seq), 0 none */
	char why[512];             /* English: files, JSON */
	char why_local[512];       /* why in the operator's language */
};

void kesu_pgreg_judge(const struct kesu_pgreg_facts *f, struct kesu_pgreg_verdict *v);

/* Read everything (one snapshot) and judge it; every stored certificate's
 * signature is checked against ca_file.  KESU_ERR_INVALID when the verdict
 * names a bad entry. */
enum kesu_rc kesu_pgreg_verify(struct kesu_db *db, const char *ca_file,
			       struct kesu_pgreg_verdict *v, struct kesu_err *err);

/* The same, and every seal's RFC 3161 token is checked against
 * tsa_ca_file (NULL or "": tokens are counted, not checked); a seal with a
 * good token has its signer judged at the token's genTime. */
enum kesu_rc kesu_pgreg_verify_ts(struct kesu_db *db, const char *ca_file,
				  const char *tsa_ca_file, struct kesu_pgreg_verdict *v,
				  struct kesu_err *err);

/* ---- reading ---- */

struct kesu_pgreg_filter {
	time_t since, until;       /* 0: open */
	const char *serial, *operator_name;  /* NULL: any */
	const char *asset;         /* the certificate's asset.property_number */
	const char *department;    /* the certificate's customer */
	const char *kind;          /* certificate, destruction, ... */
	const char *run_id;        /* a lowercase UUID */
	bool open;                 /* only My Number certificates that no
				    * destruction document closes */
};

/* The matching lines as JSON objects, in seq order, selected by the
 * database on its indexes. */
enum kesu_rc kesu_pgreg_list(struct kesu_db *db, const struct kesu_pgreg_filter *f,
			     json_t **rows, struct kesu_err *err);

/* Every line naming serial, in seq order: a disk's history in the
 * register. */
enum kesu_rc kesu_pgreg_trace(struct kesu_db *db, const char *serial, json_t **rows,
			      struct kesu_err *err);

/* The same, and *docs (same length) each row's stored document parsed when
 * it is an erasure certificate with the bytes its line records, else null:
 * what kesu_ledger_row() takes. */
enum kesu_rc kesu_pgreg_list_docs(struct kesu_db *db, const struct kesu_pgreg_filter *f,
				  json_t **rows, json_t **docs, struct kesu_err *err);
enum kesu_rc kesu_pgreg_trace_docs(struct kesu_db *db, const char *serial, json_t **rows,
				   json_t **docs, struct kesu_err *err);

/* Append to rows and docs (as kesu_pgreg_list_docs made them) the
 * destruction lines that close any certificate among rows and the
 * countersignatures of any of them, on the closes and refers_to indexes: a
 * selection judges open and closed items, and names countersigners, as the
 * whole register would.  The caller shows only the rows it had. */
enum kesu_rc kesu_pgreg_closers(struct kesu_db *db, json_t *rows, json_t *docs,
				struct kesu_err *err);

struct kesu_pgreg_pull_stats {
	size_t written, identical;
};

/* Write the matching entries' documents into dir as kesu-cert-<id>.json
 * and .p7s, after checking them against the hashes in their lines; an
 * existing identical file is left alone, a different one is an error. */
enum kesu_rc kesu_pgreg_pull(struct kesu_db *db, const struct kesu_pgreg_filter *f,
			     const char *dir, struct kesu_pgreg_pull_stats *st,
			     struct kesu_err *err);

struct kesu_pgreg_push_stats {
	size_t sent, identical, skipped_recovery;
};

/* Send a station's file register to the database: the local register is
 * verified first (its chain, signed head and files against ca_file), then
 * every certificate is checked against ca_file and appended with its
 * documents; what is already there must be byte-identical. */
enum kesu_rc kesu_pgreg_push(struct kesu_db *db, const char *reg_path,
			     const char *ca_file, struct kesu_pgreg_push_stats *st,
			     struct kesu_err *err);

/* Append a signed document of another kind (reg_kinds.h: destruction,
 * approval, custody) and its .p7s, with the file register's rules: its
 * kind's admit() judges it against the rows it reads under the chain lock,
 * and the same document again sets *already (not an error). */
enum kesu_rc kesu_pgreg_append_doc(struct kesu_db *db, const char *doc_path,
				   uint64_t *seq, bool *already, struct kesu_err *err);

/* Append a countersignature the same way (kesu_register_countersig_entry):
 * the document's bytes and the countersignature are stored as its
 * documents; the database must hold the document it signs. */
enum kesu_rc kesu_pgreg_append_countersig(struct kesu_db *db, const char *doc_path,
					  const char *sig_file, const char *role,
					  const char *signer_name, uint64_t *seq, bool *already,
					  struct kesu_err *err);

/* The chain and the seals (against ca_file), without the stored
 * documents: what list and export check before they answer, as the file
 * register checks its chain and signed head.  KESU_ERR_INVALID names the
 * first bad entry. */
enum kesu_rc kesu_pgreg_check_chain(struct kesu_db *db, const char *ca_file,
				    struct kesu_pgreg_verdict *v, struct kesu_err *err);

/* Every line (new reference), in seq order, after the chain checked as
 * kesu_pgreg_check_chain does: the whole-register queries the file
 * register answers from its lines (the erasure a destruction closes). */
enum kesu_rc kesu_pgreg_lines(struct kesu_db *db, const char *ca_file, json_t **lines,
			      struct kesu_err *err);

#endif
