#include "certs/register/register_pg.h"
#include "certs/register/pg_util.h"
#include "certs/document/certificate.h"
#include "certs/register/pg_schema.h"
#include "certs/register/reg_kinds.h"
#include "certs/register/register.h"
#include "lib/digest.h"
#include "lib/fileio.h"
#include "lib/jcheck.h"
#include "lib/strutil.h"
#include "lib/timefmt.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- schema ---- */

enum kesu_rc kesu_pgreg_init(struct kesu_db *db, int *from, int *to,
			     struct kesu_err *err)
{
	return kesu_pgreg_init_to(db, kesu_pg_schema_version(), from, to, err);
}

enum kesu_rc kesu_pgreg_init_to(struct kesu_db *db, int target, int *from, int *to,
				struct kesu_err *err)
{
	struct kesu_db_error e;
	struct kesu_db_result *r = NULL;
	enum kesu_db_rc rc;
	const int latest = kesu_pg_schema_version();
	if (target < 1 || target > latest)
		return kesu_fail(err, KESU_ERR_USAGE, 0, "register database: schema "
				 "version %d does not exist (1 to %d)", target, latest);
	if ((rc = kesu_pg_run(db, "BEGIN", 0, NULL, NULL, &e)))
		return kesu_pg_fail(err, rc, &e, "init-db");
	/* Two init-db runs at once apply each migration once. */
	if ((rc = kesu_pg_run(db, "SELECT pg_advisory_xact_lock(4347626955)", 0, NULL, NULL, &e)) ||
	    (rc = db->ops->script(db, "CREATE SCHEMA IF NOT EXISTS kesu;"
				  "CREATE TABLE IF NOT EXISTS kesu.schema_version ("
				  " version integer PRIMARY KEY, what text NOT NULL,"
				  " applied timestamptz NOT NULL DEFAULT now())", &e)) ||
	    (rc = kesu_pg_run(db, "SELECT coalesce(max(version), 0)::text FROM kesu.schema_version",
		      0, NULL, &r, &e)))
		goto fail;
	*from = *to = (int)kesu_pg_u64(kesu_db_text(r, 0, 0));
	kesu_db_result_free(r);
	if (*from > latest) {
		kesu_pg_rollback(db);
		return kesu_fail(err, KESU_ERR_NOTSUP, 0, "register database: schema "
				 "version %d is newer than this kesu understands (%d); "
				 "upgrade kesu", *from, latest);
	}
	for (size_t i = 0; i < KESU_PG_NMIGRATIONS; i++) {
		const struct kesu_pg_migration *m = &KESU_PG_MIGRATIONS[i];
		if (m->version <= *from || m->version > target)
			continue;
		char v[16];
		snprintf(v, sizeof(v), "%d", m->version);
		struct kesu_db_param p[2] = {kesu_pg_txt(v), kesu_pg_txt(m->what)};
		if ((rc = db->ops->script(db, m->sql, &e)) ||
		    (rc = kesu_pg_run(db, "INSERT INTO kesu.schema_version (version, what) "
			      "VALUES ($1::integer, $2)", 2, p, NULL, &e)))
			goto fail;
		*to = m->version;
	}
	if ((rc = kesu_pg_run(db, "COMMIT", 0, NULL, NULL, &e)))
		return kesu_pg_fail(err, rc, &e, "init-db: commit");
	return KESU_OK;
fail:
	kesu_pg_rollback(db);
	return kesu_pg_fail(err, rc, &e, "init-db");
}

enum kesu_rc kesu_pgreg_check_schema(struct kesu_db *db, struct kesu_err *err)
{
	struct kesu_db_error e;
	struct kesu_db_result *r = NULL;
	enum kesu_db_rc rc = kesu_pg_run(db, "SELECT coalesce(max(version), 0)::text "
				 "FROM kesu.schema_version", 0, NULL, &r, &e);
	if (rc && (!strcmp(e.sqlstate, "42P01") || !strcmp(e.sqlstate, "3F000")))
		return kesu_fail(err, KESU_ERR_NOENT, 0, "register database: no kesu "
				 "schema; run 'kesu register init-db' as its owner first");
	if (rc)
		return kesu_pg_fail(err, rc, &e, "reading the schema version");
	int v = (int)kesu_pg_u64(kesu_db_text(r, 0, 0));
	kesu_db_result_free(r);
	if (v < kesu_pg_schema_version())
		return kesu_fail(err, KESU_ERR_NOTSUP, 0, "register database: schema "
				 "version %d, this kesu needs %d; run 'kesu register "
				 "init-db' to upgrade it", v, kesu_pg_schema_version());
	if (v > kesu_pg_schema_version())
		return kesu_fail(err, KESU_ERR_NOTSUP, 0, "register database: schema "
				 "version %d is newer than this kesu understands (%d); "
				 "upgrade kesu", v, kesu_pg_schema_version());
	return KESU_OK;
}

enum kesu_rc kesu_pgreg_check_append(struct kesu_db *db, struct kesu_err *err)
{
	struct kesu_db_error e;
	struct kesu_db_result *r = NULL;
	enum kesu_db_rc rc = kesu_pg_run(db, "SELECT has_function_privilege("
				 "'kesu.append(bytea, bytea, bytea)', 'EXECUTE')::text, "
				 "session_user::text", 0, NULL, &r, &e);
	if (rc)
		return kesu_pg_fail(err, rc, &e, "checking the role");
	bool ok = kesu_db_text(r, 0, 0) && !strcmp(kesu_db_text(r, 0, 0), "true");
	char role[80];
	kesu_clean(role, sizeof(role), kesu_db_text(r, 0, 1) ? kesu_db_text(r, 0, 1) : "?",
		   strlen(kesu_db_text(r, 0, 1) ? kesu_db_text(r, 0, 1) : "?"));
	kesu_db_result_free(r);
	if (!ok)
		return kesu_fail(err, KESU_ERR_PERM, 0, "register database: role %s may "
				 "not append; the administrator grants it with 'GRANT "
				 "kesu_station TO %s'", role, role);
	return KESU_OK;
}

/* ---- appending ---- */

/* The lines a kind's admit() reads (reg_kinds.h), fetched on the indexes
 * under the chain lock: the entry a destruction closes or a
 * countersignature signs (by id), the certificates of its serial, and the
 * destructions that already close that certificate.
 * *refused receives the kind's verdict. */
static enum kesu_db_rc admitted(struct kesu_db *db, const struct kesu_reg_kind *k,
				const json_t *entry, enum kesu_rc *refused,
				struct kesu_err *err, struct kesu_db_error *e)
{
	*refused = KESU_OK;
	if (!k || !k->admit)
		return KESU_DB_OK;
	/* The same document again is the cert_id constraint's business (as
	 * the file register asks about the id before admit()). */
	struct kesu_db_param id[1] = {
		kesu_pg_txt(json_string_value(json_object_get(entry, "cert_id")))};
	struct kesu_db_result *r = NULL;
	enum kesu_db_rc rc = kesu_pg_run(db, "SELECT 1 FROM kesu.entries WHERE cert_id = "
					 "$1::uuid", 1, id, &r, e);
	size_t there = rc ? 0 : r->nrows;
	kesu_db_result_free(r);
	if (rc || there)
		return rc;
	const char *ref = json_string_value(json_object_get(entry, "closes"));
	if (!ref)
		ref = json_string_value(json_object_get(entry, "refers_to"));
	struct kesu_db_param p[2] = {
		kesu_pg_txt(ref), kesu_pg_txt(json_string_value(json_object_get(entry, "serial")))};
	rc = kesu_pg_run(db, "SELECT e.line FROM kesu.entries e WHERE "
		"e.cert_id = $1::uuid OR (e.kind = 'certificate' AND e.serial = $2) OR "
		"(e.kind = 'destruction' AND e.closes = $1::uuid) ORDER BY e.seq", 2, p, &r, e);
	if (rc)
		return rc;
	json_t *lines = json_array();
	for (size_t i = 0; lines && i < r->nrows; i++) {
		const struct kesu_db_value *l = kesu_db_cell(r, i, 0);
		json_t *o = l ? json_loadb(l->data, l->len, 0, NULL) : NULL;
		if (json_is_object(o))
			json_array_append_new(lines, o);
		else
			json_decref(o);
	}
	kesu_db_result_free(r);
	*refused = lines ? k->admit(entry, lines, err)
			 : kesu_fail(err, KESU_ERR_INTERNAL, 0, "out of memory");
	json_decref(lines);
	return KESU_DB_OK;
}

/* One attempt, one transaction: lock the head, ask the kind whether the
 * entry may join what the register holds, build the canonical line on it
 * with the file register's code, hand it to append(), commit.  Any
 * failure or refusal rolls back, so nothing is ever half-written. */
static enum kesu_db_rc one_append(struct kesu_db *db, const json_t *entry,
				  const char *time, const void *cert, size_t cert_len,
				  const void *sig, size_t sig_len, uint64_t *seq,
				  enum kesu_rc *refused, struct kesu_err *err,
				  struct kesu_db_error *e)
{
	struct kesu_db_result *r = NULL;
	enum kesu_db_rc rc;
	if ((rc = kesu_pg_run(db, "BEGIN", 0, NULL, NULL, e)))
		return rc;
	if ((rc = kesu_pg_run(db, "SELECT seq::text, line_sha256 FROM kesu.chain_head()",
		      0, NULL, &r, e)))
		goto fail;
	const struct kesu_reg_kind *k =
		kesu_reg_kind_find(json_string_value(json_object_get(entry, "kind")));
	if ((rc = admitted(db, k, entry, refused, err, e)) || *refused) {
		kesu_db_result_free(r);
		goto fail;
	}
	const char *hs = kesu_db_text(r, 0, 0), *hh = kesu_db_text(r, 0, 1);
	if (!hs || !hh) {
		kesu_db_result_free(r);
		snprintf(e->sqlstate, sizeof(e->sqlstate), "%s", "");
		snprintf(e->msg, sizeof(e->msg), "kesu.chain_head() returned no head");
		rc = KESU_DB_FAIL;
		goto fail;
	}
	json_t *o = json_deep_copy(entry);
	json_object_set_new(o, "seq", json_integer((json_int_t)(kesu_pg_u64(hs) + 1)));
	json_object_set_new(o, "time", json_string(time));
	json_object_set_new(o, "prev", json_string(hh));
	kesu_db_result_free(r);
	r = NULL;
	char *line = kesu_register_line(o);
	json_decref(o);
	if (!line) {
		snprintf(e->sqlstate, sizeof(e->sqlstate), "%s", "");
		snprintf(e->msg, sizeof(e->msg), "out of memory");
		rc = KESU_DB_FAIL;
		goto fail;
	}
	struct kesu_db_param p[3] = {kesu_pg_bin(line, strlen(line)), kesu_pg_bin(cert, cert_len),
				     kesu_pg_bin(sig, sig_len)};
	rc = kesu_pg_run(db, "SELECT kesu.append($1, $2, $3)::text", 3, p, &r, e);
	free(line);
	if (rc)
		goto fail;
	*seq = kesu_pg_u64(kesu_db_text(r, 0, 0));
	kesu_db_result_free(r);
	return kesu_pg_run(db, "COMMIT", 0, NULL, NULL, e);
fail:
	if (rc != KESU_DB_LOST)
		kesu_pg_rollback(db);
	return rc;
}

/* Whether the entry registered under id holds exactly these documents. */
static enum kesu_db_rc same_documents(struct kesu_db *db, const char *id,
				      const void *cert, size_t cert_len,
				      const void *sig, size_t sig_len, bool *same,
				      uint64_t *seq, struct kesu_db_error *e)
{
	struct kesu_db_result *r = NULL;
	struct kesu_db_param p[1] = {kesu_pg_txt(id)};
	enum kesu_db_rc rc = kesu_pg_run(db, "SELECT e.seq::text, encode(sha256(d.cert), 'hex'), "
				 "encode(sha256(d.sig), 'hex') FROM kesu.entries e "
				 "LEFT JOIN kesu.documents d ON d.seq = e.seq "
				 "WHERE e.cert_id = $1::uuid", 1, p, &r, e);
	if (rc)
		return rc;
	char hc[65], hs[65];
	kesu_sha256_hex(cert, cert_len, hc);
	kesu_sha256_hex(sig, sig_len, hs);
	const char *dc = kesu_db_text(r, 0, 1), *ds = kesu_db_text(r, 0, 2);
	*seq = kesu_pg_u64(kesu_db_text(r, 0, 0));
	*same = dc && ds && !strcmp(dc, hc) && !strcmp(ds, hs);
	kesu_db_result_free(r);
	return KESU_DB_OK;
}

static unsigned backoff_ms(int attempt)
{
	unsigned ms = 50u << (attempt < 7 ? attempt : 7);
	return ms > 3000 ? 3000 : ms;
}

/* Before attempt ATTEMPT of a retried statement: from the second on, waits
 * out the backoff and, if the last one lost the connection, reconnects.
 * False when that reconnect failed (*RC and *E say how): the attempt is
 * spent without a statement, as a lost connection would spend it. */
static bool before_attempt(struct kesu_db *db, int attempt, enum kesu_db_rc *rc,
			   struct kesu_db_error *e)
{
	if (!attempt)
		return true;
	db->sleep_ms(backoff_ms(attempt - 1));
	return !(*rc == KESU_DB_LOST && (*rc = db->ops->reconnect(db, e)));
}

static enum kesu_rc refuse_run(const char *run, const char *holder, uint64_t seq,
			       struct kesu_err *err)
{
	return kesu_fail(err, KESU_ERR_INVALID, 0, "register database: run %s is "
			 "already certified by certificate %s (register entry %" PRIu64
			 "); a run record is certified once", run, holder, seq);
}

/* The certificate entry that certifies run, if any (*seq 0: none). */
static enum kesu_db_rc run_holder(struct kesu_db *db, const char *run, uint64_t *seq,
				  char holder[37], struct kesu_db_error *e)
{
	struct kesu_db_result *r = NULL;
	struct kesu_db_param p[1] = {kesu_pg_txt(run)};
	enum kesu_db_rc rc = kesu_pg_run(db, "SELECT e.seq::text, e.cert_id::text FROM "
					 "kesu.entries e WHERE e.run_id = $1::uuid AND "
					 "e.kind = 'certificate'", 1, p, &r, e);
	if (rc)
		return rc;
	*seq = kesu_pg_u64(kesu_db_text(r, 0, 0));
	snprintf(holder, 37, "%s", kesu_db_text(r, 0, 1) ? kesu_db_text(r, 0, 1) : "?");
	kesu_db_result_free(r);
	return KESU_DB_OK;
}

/* How messages name an entry: "certificate", "destruction", ... */
static const char *kind_of(const json_t *entry)
{
	const char *k = json_string_value(json_object_get(entry, "kind"));
	return k ? k : "entry";
}

/* What a unique constraint refused.  *same when the entry under this
 * cert_id holds exactly these documents (ours, or the same certificate
 * again); otherwise *krc is the refusal: other documents under the id, or
 * another certificate for the run. */
static enum kesu_db_rc duplicate(struct kesu_db *db, const json_t *entry,
				 const void *cert, size_t cert_len, const void *sig,
				 size_t sig_len, uint64_t *seq, bool *same,
				 enum kesu_rc *krc, struct kesu_err *err,
				 struct kesu_db_error *e)
{
	const char *id = json_string_value(json_object_get(entry, "cert_id"));
	const char *run = json_string_value(json_object_get(entry, "run_id"));
	char refused[sizeof(e->msg)];
	snprintf(refused, sizeof(refused), "%s", e->msg);  /* the constraint's words */
	enum kesu_db_rc rc = same_documents(db, id, cert, cert_len, sig, sig_len, same,
					    seq, e);
	if (rc || *same)
		return rc;
	if (*seq) {
		*krc = kesu_fail(err, KESU_ERR_INVALID, 0, "%s %s is already "
				 "registered as entry %" PRIu64 " with different "
				 "documents; refusing to register a second version",
				 kind_of(entry), id, *seq);
		return KESU_DB_OK;
	}
	char holder[37];
	if (run && (rc = run_holder(db, run, seq, holder, e)))
		return rc;
	/* Otherwise the index on closes: kesu's own check runs first, under
	 * the same lock, so only a bypassed check gets here. */
	*krc = run && *seq ? refuse_run(run, holder, *seq, err)
		    : kesu_fail(err, KESU_ERR_INVALID, 0, "register database: a unique "
				"constraint refused %s %s (%s)", kind_of(entry), id,
				refused[0] ? refused : "no detail");
	return KESU_DB_OK;
}

enum kesu_rc kesu_pgreg_check_run(struct kesu_db *db, const char *run_id,
				  struct kesu_err *err)
{
	struct kesu_db_error e;
	uint64_t seq = 0;
	char holder[37];
	/* A server restarting now must not stop a wipe the append would
	 * have waited out. */
	enum kesu_db_rc rc = KESU_DB_OK;
	for (int attempt = 0; attempt < KESU_PGREG_ATTEMPTS; attempt++) {
		if (!before_attempt(db, attempt, &rc, &e))
			continue;
		rc = run_holder(db, run_id, &seq, holder, &e);
		if (rc != KESU_DB_LOST && rc != KESU_DB_RETRY)
			break;
	}
	if (rc)
		return kesu_pg_fail(err, rc, &e, "looking up the run");
	return seq ? refuse_run(run_id, holder, seq, err) : KESU_OK;
}

enum kesu_rc kesu_pgreg_append(struct kesu_db *db, const json_t *entry,
			       const char *time, const void *cert, size_t cert_len,
			       const void *sig, size_t sig_len,
			       enum kesu_pgreg_dup dup, uint64_t *seq, bool *already,
			       struct kesu_err *err)
{
	char now[KESU_TIME_LEN];
	if (!time) {
		kesu_time_now(now);
		time = now;
	}
	const char *id = json_string_value(json_object_get(entry, "cert_id"));
	if (!id || !kj_is_uuid(id))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "entry without a valid cert_id");
	*already = false;
	bool maybe_committed = false;
	struct kesu_db_error e = {{0}, {0}};
	enum kesu_db_rc rc = KESU_DB_OK;
	for (int attempt = 0; attempt < KESU_PGREG_ATTEMPTS; attempt++) {
		if (!before_attempt(db, attempt, &rc, &e))
			continue;
		enum kesu_rc refused = KESU_OK;
		rc = one_append(db, entry, time, cert, cert_len, sig, sig_len, seq, &refused,
				err, &e);
		if (refused)
			return refused;
		if (rc == KESU_DB_OK)
			return KESU_OK;
		if (rc == KESU_DB_LOST) {
			/* If the COMMIT reached the server before the connection
			 * broke, the next attempt meets its own entry. */
			maybe_committed = true;
			continue;
		}
		if (rc == KESU_DB_RETRY)
			continue;
		if (rc != KESU_DB_UNIQUE)
			return kesu_pg_fail(err, rc, &e, "append");
		enum kesu_rc krc = KESU_OK;
		bool same = false;
		rc = duplicate(db, entry, cert, cert_len, sig, sig_len, seq, &same, &krc,
			       err, &e);
		if (rc == KESU_DB_LOST || rc == KESU_DB_RETRY)
			continue;
		if (rc)
			return kesu_pg_fail(err, rc, &e, "append");
		if (!same)
			return krc;
		/* Our own entry, after a COMMIT whose answer was lost. */
		if (maybe_committed)
			return KESU_OK;
		if (dup == KESU_PGREG_DUP_SKIP) {
			*already = true;
			return KESU_OK;
		}
		return kesu_fail(err, KESU_ERR_INVALID, 0, "%s %s is already in "
				 "the register (entry %" PRIu64 "); nothing to do",
				 kind_of(entry), id, *seq);
	}
	return kesu_fail(err, KESU_ERR_IO, 0, "register database: append of %s gave "
			 "up after %d attempts (nothing was written): %s", id,
			 KESU_PGREG_ATTEMPTS, e.msg);
}

enum kesu_rc kesu_pgreg_append_cert(struct kesu_db *db, const char *cert_path,
				    uint64_t *seq, struct kesu_err *err)
{
	json_t *entry;
	char id[37];
	enum kesu_rc rc = kesu_register_cert_entry(cert_path, &entry, id, err);
	if (rc)
		return rc;
	char *cert = NULL, *sig = NULL;
	size_t cl, sl;
	bool already;
	uint64_t s = 0;
	if (!(rc = kesu_pg_read_docs(cert_path, &cert, &cl, &sig, &sl, err)) &&
	    !(rc = kesu_pg_docs_match(entry, cert, cl, sig, sl, cert_path, err)))
		rc = kesu_pgreg_append(db, entry, NULL, cert, cl, sig, sl,
				       KESU_PGREG_DUP_REFUSE, &s, &already, err);
	if (!rc && seq)
		*seq = s;
	free(cert);
	free(sig);
	json_decref(entry);
	return rc;
}

/* ---- sealing ---- */

/* The head document for the database's current head, the same bytes a file
 * register's head would be. */
static enum kesu_rc seal_head(struct kesu_db *db, uint64_t *seq, char **out,
			      struct kesu_err *err)
{
	struct kesu_db_error e;
	struct kesu_db_result *r = NULL;
	enum kesu_db_rc rc = kesu_pg_run(db, "SELECT h.seq::text, h.line_sha256, "
				 "current_database()::text FROM kesu.head h",
				 0, NULL, &r, &e);
	if (rc)
		return kesu_pg_fail(err, rc, &e, "seal");
	*seq = kesu_pg_u64(kesu_db_text(r, 0, 0));
	char name[300], now[KESU_TIME_LEN];
	snprintf(name, sizeof(name), "postgresql:%.250s",
		 kesu_db_text(r, 0, 2) ? kesu_db_text(r, 0, 2) : "");
	kesu_time_now(now);
	json_t *h = json_pack("{s:s s:s s:I s:s s:s}", "schema", KESU_REGISTER_SCHEMA_HEAD,
			      "register", name, "seq", (json_int_t)*seq, "line_sha256",
			      kesu_db_text(r, 0, 1) ? kesu_db_text(r, 0, 1) : "",
			      "time", now);
	kesu_db_result_free(r);
	if (!*seq) {
		json_decref(h);
		return kesu_fail(err, KESU_ERR_INVALID, 0, "register database: nothing "
				 "to seal; the register is empty");
	}
	char *text = kj_dumps_line(h, JSON_SORT_KEYS | JSON_INDENT(2), NULL);
	json_decref(h);
	if (!text)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	*out = text;
	return KESU_OK;
}

enum kesu_rc kesu_pgreg_seal(struct kesu_db *db, struct kesu_signer *signer,
			     uint64_t *seq, struct kesu_err *err)
{
	return kesu_pgreg_seal_ts(db, signer, NULL, seq, err);
}

enum kesu_rc kesu_pgreg_seal_ts(struct kesu_db *db, struct kesu_signer *signer,
				const struct kesu_tsa *tsa, uint64_t *seq,
				struct kesu_err *err)
{
	char *head = NULL;
	enum kesu_rc krc = seal_head(db, seq, &head, err);
	if (krc)
		return krc;
	unsigned char *der, *tok = NULL;
	size_t derlen, toklen = 0;
	if ((krc = kesu_signer_sign(signer, head, strlen(head), &der, &derlen, err))) {
		free(head);
		return krc;
	}
	/* A TSA that does not answer must not cost the seal: it is stored
	 * without a token and the caller hears KESU_ERR_UNSTAMPED. */
	struct kesu_err tserr = {0};
	struct kesu_ts_info ti;
	bool unstamped = tsa && kesu_timestamp_data(tsa, der, derlen, &tok, &toklen, &ti,
						    &tserr);
	struct kesu_db_param p[3] = {kesu_pg_bin(head, strlen(head)), kesu_pg_bin(der, derlen),
				     kesu_pg_bin(tok, toklen)};
	struct kesu_db_error e;
	enum kesu_db_rc rc = kesu_pg_run(db, tok ? "SELECT kesu.seal($1, $2, $3)::text"
					 : "SELECT kesu.seal($1, $2)::text",
					 tok ? 3 : 2, p, NULL, &e);
	free(head);
	free(der);
	free(tok);
	if (rc)
		return kesu_pg_fail(err, rc, &e, "seal");
	if (unstamped)
		return kesu_fail(err, KESU_ERR_UNSTAMPED, 0, "register database: sealed at "
				 "entry %" PRIu64 " without a timestamp: %s", *seq, tserr.msg);
	return KESU_OK;
}

/* ---- documents of other kinds (reg_kinds.h) ---- */

enum kesu_rc kesu_pgreg_append_doc(struct kesu_db *db, const char *doc_path,
				   uint64_t *seq, bool *already, struct kesu_err *err)
{
	const struct kesu_reg_kind *k;
	json_t *entry;
	*seq = 0;
	*already = false;
	enum kesu_rc rc = kesu_register_doc_entry(doc_path, &k, &entry, err);
	if (rc)
		return rc;
	char *doc = NULL, *sig = NULL;
	size_t dl, sl;
	/* The same document again is not an error, as in the file register. */
	if (!(rc = kesu_pg_read_docs(doc_path, &doc, &dl, &sig, &sl, err)) &&
	    !(rc = kesu_pg_docs_match(entry, doc, dl, sig, sl, doc_path, err)) &&
	    (rc = kesu_pgreg_append(db, entry, NULL, doc, dl, sig, sl, KESU_PGREG_DUP_SKIP,
				    seq, already, err)))
		kesu_err_prefix(err, "%s: not registered: ", doc_path);
	free(doc);
	free(sig);
	json_decref(entry);
	return rc;
}

enum kesu_rc kesu_pgreg_append_countersig(struct kesu_db *db, const char *doc_path,
					  const char *sig_file, const char *role,
					  const char *signer_name, uint64_t *seq, bool *already,
					  struct kesu_err *err)
{
	json_t *entry;
	*seq = 0;
	*already = false;
	enum kesu_rc rc = kesu_register_countersig_entry(doc_path, sig_file, role, signer_name,
						       &entry, err);
	if (rc)
		return rc;
	char *doc = NULL, *sig = NULL;
	size_t dl, sl;
	if (!(rc = kesu_read_file(doc_path, KESU_CERT_MAX_BYTES, &doc, &dl, err)) &&
	    !(rc = kesu_read_file(sig_file, KESU_PG_SIG_MAX_BYTES, &sig, &sl, err)) &&
	    !(rc = kesu_pg_docs_match(entry, doc, dl, sig, sl, sig_file, err)) &&
	    (rc = kesu_pgreg_append(db, entry, NULL, doc, dl, sig, sl, KESU_PGREG_DUP_SKIP,
				    seq, already, err)))
		kesu_err_prefix(err, "%s: not registered: ", sig_file);
	free(doc);
	free(sig);
	json_decref(entry);
	return rc;
}
