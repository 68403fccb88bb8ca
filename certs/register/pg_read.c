/* Reading the database register: list's filters and trace as queries on
 * indexes, pull (documents back to files) and push (a station's file
 * register into the database). */
#include "certs/register/register_pg.h"
#include "certs/register/pg_util.h"
#include "certs/document/cert_verify.h"
#include "certs/document/certificate.h"
#include "certs/document/countersign.h"
#include "certs/register/reg_kinds.h"
#include "certs/register/register.h"
#include "certs/sign/cms_verify.h"
#include "lib/digest.h"
#include "lib/fileio.h"
#include "lib/jcheck.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- queries ---- */

/* Every filter is a parameter; an absent one is NULL and folds away when
 * the server plans the statement with the values, leaving an index scan on
 * whichever filters are given (at, serial, operator_name, asset,
 * department, kind, run_id, my_number).  A run id matches certificate
 * rows only, so the partial unique index serves it.  Open items are My
 * Number certificates that no destruction closes (the closes column, on
 * its unique index). */
#define FILTER \
	" ($1::bigint IS NULL OR e.at >= to_timestamp($1::bigint))" \
	" AND ($2::bigint IS NULL OR e.at <= to_timestamp($2::bigint))" \
	" AND ($3::text IS NULL OR e.serial = $3)" \
	" AND ($4::text IS NULL OR e.operator_name = $4)" \
	" AND ($5::text IS NULL OR e.asset = $5)" \
	" AND ($6::text IS NULL OR e.department = $6)" \
	" AND ($7::text IS NULL OR e.kind = $7)" \
	" AND ($8::uuid IS NULL OR (e.run_id = $8::uuid AND e.kind = 'certificate'))" \
	" AND ($9::boolean IS NULL OR (e.my_number AND e.kind = 'certificate' AND" \
	"  NOT EXISTS (SELECT 1 FROM kesu.entries x WHERE x.kind = 'destruction'" \
	"  AND x.closes = e.cert_id)))"
#define FILTER_PARAMS 9

struct fparams {
	char since[24], until[24];
	struct kesu_db_param p[FILTER_PARAMS + 1];
};

static void filter_params(const struct kesu_pgreg_filter *f, struct fparams *fp)
{
	snprintf(fp->since, sizeof(fp->since), "%lld", (long long)f->since);
	snprintf(fp->until, sizeof(fp->until), "%lld", (long long)f->until);
	fp->p[0] = kesu_pg_txt(f->since ? fp->since : NULL);
	fp->p[1] = kesu_pg_txt(f->until ? fp->until : NULL);
	fp->p[2] = kesu_pg_txt(f->serial);
	fp->p[3] = kesu_pg_txt(f->operator_name);
	fp->p[4] = kesu_pg_txt(f->asset);
	fp->p[5] = kesu_pg_txt(f->department);
	fp->p[6] = kesu_pg_txt(f->kind);
	fp->p[7] = kesu_pg_txt(f->run_id);
	fp->p[8] = kesu_pg_txt(f->open ? "true" : NULL);
}

/* The document in column 1 (a LEFT JOIN: NULL when none), parsed by its
 * kind's parser if it has the bytes its line records; anything else is
 * null, as the file register's listing has it (kesu_register_docs). */
static json_t *doc_of(struct kesu_db_result *r, size_t i, const json_t *line)
{
	const struct kesu_db_value *c = kesu_db_cell(r, i, 1);
	const char *kind = json_string_value(json_object_get(line, "kind"));
	const char *want = json_string_value(json_object_get(line, "cert_sha256"));
	const struct kesu_reg_kind *k = kesu_reg_kind_find(kind);
	char h[KESU_SHA256_HEX];
	json_t *doc = NULL;
	struct kesu_err e = {0};
	if (!c || !kind || (!k && strcmp(kind, "certificate")) || !want)
		return json_null();
	kesu_sha256_hex(c->data, c->len, h);
	if (strcmp(h, want))
		return json_null();
	if (k)
		k->parse(c->data, c->len, &doc, &e);
	else
		kesu_cert_parse(c->data, c->len, &doc, &e);
	return doc ? doc : json_null();
}

/* The lines a statement returned (its first column), as JSON objects, and
 * with docs its documents (column 1). */
static enum kesu_rc lines_of(struct kesu_db_result *r, json_t **rows, json_t **docs,
			     struct kesu_err *err)
{
	json_t *out = json_array(), *d = docs ? json_array() : NULL;
	for (size_t i = 0; out && (!docs || d) && i < r->nrows; i++) {
		const struct kesu_db_value *l = kesu_db_cell(r, i, 0);
		json_t *o = l ? json_loadb(l->data, l->len, JSON_REJECT_DUPLICATES, NULL) : NULL;
		if (!json_is_object(o)) {
			json_decref(o);
			json_decref(out);
			json_decref(d);
			return kesu_fail(err, KESU_ERR_INVALID, 0, "register database: a "
					 "stored line is not JSON; run 'kesu register verify'");
		}
		if (d)
			json_array_append_new(d, doc_of(r, i, o));
		json_array_append_new(out, o);
	}
	if (!out || (docs && !d)) {
		json_decref(out);
		json_decref(d);
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	*rows = out;
	if (docs)
		*docs = d;
	return KESU_OK;
}

static enum kesu_rc check_filter(const struct kesu_pgreg_filter *f, struct kesu_err *err)
{
	if (f->run_id && !kj_is_uuid(f->run_id))
		return kesu_fail(err, KESU_ERR_USAGE, 0, "run id '%s' is not a lowercase UUID",
				 f->run_id);
	return KESU_OK;
}

/* The documents come by primary key, after the indexes chose the rows. */
#define LINES "SELECT e.line FROM kesu.entries e WHERE"
#define LINES_DOCS "SELECT e.line, d.cert FROM kesu.entries e LEFT JOIN " \
	"kesu.documents d ON d.seq = e.seq WHERE"

enum kesu_rc kesu_pgreg_list_docs(struct kesu_db *db, const struct kesu_pgreg_filter *f,
				  json_t **rows, json_t **docs, struct kesu_err *err)
{
	enum kesu_rc krc = check_filter(f, err);
	if (krc)
		return krc;
	struct fparams fp;
	filter_params(f, &fp);
	struct kesu_db_error e;
	struct kesu_db_result *r = NULL;
	enum kesu_db_rc rc = kesu_pg_run(db, docs ? LINES_DOCS FILTER " ORDER BY e.seq"
					 : LINES FILTER " ORDER BY e.seq",
					 FILTER_PARAMS, fp.p, &r, &e);
	if (rc)
		return kesu_pg_fail(err, rc, &e, "list");
	krc = lines_of(r, rows, docs, err);
	kesu_db_result_free(r);
	return krc;
}

enum kesu_rc kesu_pgreg_list(struct kesu_db *db, const struct kesu_pgreg_filter *f,
			     json_t **rows, struct kesu_err *err)
{
	return kesu_pgreg_list_docs(db, f, rows, NULL, err);
}

/* One medium's life (kesu_ledger_trace): its own lines by the indexed
 * serial, the hand-overs whose serials list it, and the approvals whose
 * document lists its serial or one of the asset numbers its lines carry
 * (those two kinds are few; their JSON is read only for their rows). */
#define TRACE_WHERE " (e.serial = $1 OR (e.kind = 'custody' AND " \
	"convert_from(e.line, 'UTF8')::jsonb -> 'serials' ? $1) OR (e.kind = 'approval' AND " \
	"EXISTS (SELECT 1 FROM kesu.documents a WHERE a.seq = e.seq AND " \
	"(convert_from(a.cert, 'UTF8')::jsonb -> 'serials' ? $1 OR " \
	"convert_from(a.cert, 'UTF8')::jsonb -> 'assets' ?| ARRAY(SELECT s.asset FROM " \
	"kesu.entries s WHERE s.serial = $1 AND s.asset <> ''))))) ORDER BY e.seq"

enum kesu_rc kesu_pgreg_trace_docs(struct kesu_db *db, const char *serial, json_t **rows,
				   json_t **docs, struct kesu_err *err)
{
	if (!serial || !serial[0])
		return kesu_fail(err, KESU_ERR_USAGE, 0, "trace: give a serial number");
	struct kesu_db_param p[1] = {kesu_pg_txt(serial)};
	struct kesu_db_error e;
	struct kesu_db_result *r = NULL;
	enum kesu_db_rc rc = kesu_pg_run(db, docs ? LINES_DOCS TRACE_WHERE : LINES TRACE_WHERE,
					 1, p, &r, &e);
	if (rc)
		return kesu_pg_fail(err, rc, &e, "trace");
	enum kesu_rc krc = lines_of(r, rows, docs, err);
	kesu_db_result_free(r);
	return krc;
}

enum kesu_rc kesu_pgreg_trace(struct kesu_db *db, const char *serial, json_t **rows,
			      struct kesu_err *err)
{
	return kesu_pgreg_trace_docs(db, serial, rows, NULL, err);
}

enum kesu_rc kesu_pgreg_closers(struct kesu_db *db, json_t *rows, json_t *docs,
				struct kesu_err *err)
{
	size_t n = json_array_size(rows), i;
	char *ids = malloc(n * 37 + 3), *o = ids;
	if (!ids)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	*o++ = '{';
	for (i = 0; i < n; i++) {
		const json_t *l = json_array_get(rows, i);
		const char *id = json_string_value(json_object_get(l, "cert_id"));
		if (!id || !kj_is_uuid(id))
			continue;
		o += sprintf(o, "%s%s", o - ids > 1 ? "," : "", id);
	}
	strcpy(o, "}");
	struct kesu_db_param p[1] = {kesu_pg_txt(ids)};
	struct kesu_db_error e;
	struct kesu_db_result *r = NULL;
	enum kesu_db_rc rc = kesu_pg_run(db, LINES_DOCS " (e.kind = 'destruction' AND "
					 "e.closes = ANY($1::uuid[])) OR (e.kind = "
					 "'countersignature' AND e.refers_to = ANY($1::uuid[])) "
					 "ORDER BY e.seq", 1, p, &r, &e);
	free(ids);
	if (rc)
		return kesu_pg_fail(err, rc, &e, "list");
	json_t *more, *more_docs;
	enum kesu_rc krc = lines_of(r, &more, &more_docs, err);
	kesu_db_result_free(r);
	if (krc)
		return krc;
	if (json_array_extend(rows, more) || json_array_extend(docs, more_docs))
		krc = kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	json_decref(more);
	json_decref(more_docs);
	return krc;
}

/* Write data to path unless an identical file is there; a different one is
 * never overwritten. */
static enum kesu_rc put_file(const char *path, const void *data, size_t len,
			     bool *identical, struct kesu_err *err)
{
	*identical = false;
	if (access(path, F_OK) == 0) {
		char *old;
		size_t ol;
		enum kesu_rc rc = kesu_read_file(path, KESU_CERT_MAX_BYTES, &old, &ol, err);
		if (rc)
			return rc;
		*identical = ol == len && !memcmp(old, data, len);
		free(old);
		if (!*identical)
			return kesu_fail(err, KESU_ERR_INVALID, 0, "%s: exists with other "
					 "content; not overwritten", path);
		return KESU_OK;
	}
	return kesu_write_atomic(path, data, len, 0644, err);
}

/* The file name a stored document is written under: the name its own
 * command gives it (kesu-cert-, kesu-destruction-, ... and its id). */
static bool pull_name(const json_t *line, const char *id, const char *dir, char *path,
		      size_t size)
{
	const char *kind = json_string_value(json_object_get(line, "kind"));
	if (!kind || (!kesu_reg_kind_find(kind) && strcmp(kind, "certificate")))
		return false;
	return (size_t)snprintf(path, size, "%s/kesu-%s-%s.json", dir,
				strcmp(kind, "certificate") ? kind : "cert", id) < size;
}

/* A countersignature is written as the file kesu cert countersign made,
 * beside its document's pulled name (<name>.<role>-<n>.p7s), so kesu cert
 * verify finds it there; any other name in the line is refused. */
static bool countersig_name(const json_t *line, const char *dir, char *path, size_t size)
{
	const char *sf = json_string_value(json_object_get(line, "sig_file"));
	const char *kind = json_string_value(json_object_get(line, "refers_kind"));
	const char *ref = json_string_value(json_object_get(line, "refers_to"));
	const char *role = json_string_value(json_object_get(line, "role"));
	const char *base = sf && strrchr(sf, '/') ? strrchr(sf, '/') + 1 : sf;
	char want[160];
	if (!base || !kind || !ref || !kj_is_uuid(ref) || !role ||
	    (strcmp(kind, "erasure") && !kesu_reg_kind_find(kind)) ||
	    kesu_countersign_role_bits(role) < 0)
		return false;
	int n = snprintf(want, sizeof(want), "kesu-%s-%s.json.%s-",
			 strcmp(kind, "erasure") ? kind : "cert", ref, role);
	size_t bl = strlen(base);
	if (n < 0 || (size_t)n >= sizeof(want) || strncmp(base, want, (size_t)n) ||
	    bl < (size_t)n + 5 || strcmp(base + bl - 4, ".p7s"))
		return false;
	for (const char *p = base + n; p < base + bl - 4; p++)
		if (*p < '0' || *p > '9')
			return false;
	return (size_t)snprintf(path, size, "%s/%s", dir, base) < size;
}

static enum kesu_rc pull_countersig(const json_t *line, const struct kesu_db_value *c,
				    const struct kesu_db_value *s, const char *dir,
				    const char *seq, struct kesu_pgreg_pull_stats *st,
				    struct kesu_err *err)
{
	char path[PATH_MAX];
	bool same;
	enum kesu_rc krc;
	if (!countersig_name(line, dir, path, sizeof(path)))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "register database: entry %s is "
				 "damaged (or %s is too long); run 'kesu register verify'",
				 seq ? seq : "?", dir);
	if (!(krc = kesu_pg_docs_match(line, c->data, c->len, s->data, s->len, path, err)) &&
	    !(krc = put_file(path, s->data, s->len, &same, err)))
		same ? st->identical++ : st->written++;
	return krc;
}

/* One row's document and signature, checked against its line, written
 * unless identical files are there. */
static enum kesu_rc pull_one(struct kesu_db_result *r, size_t i, const char *dir,
			     struct kesu_pgreg_pull_stats *st, struct kesu_err *err)
{
	const char *seq = kesu_db_text(r, i, 0), *id = kesu_db_text(r, i, 1);
	const struct kesu_db_value *l = kesu_db_cell(r, i, 2), *c = kesu_db_cell(r, i, 3),
		*s = kesu_db_cell(r, i, 4);
	json_t *line = l ? json_loadb(l->data, l->len, 0, NULL) : NULL;
	char path[PATH_MAX], sp[PATH_MAX];
	bool same = false, same2 = false;
	enum kesu_rc krc;
	const char *kind = json_string_value(json_object_get(line, "kind"));
	if (kind && !strcmp(kind, "countersignature") && c && s) {
		krc = pull_countersig(line, c, s, dir, seq, st, err);
		json_decref(line);
		return krc;
	}
	if (!id || !kj_is_uuid(id) || !line || !c || !s ||
	    !pull_name(line, id, dir, path, sizeof(path)) ||
	    (size_t)snprintf(sp, sizeof(sp), "%s.p7s", path) >= sizeof(sp))
		krc = kesu_fail(err, KESU_ERR_INVALID, 0, "register database: entry %s is "
				"damaged (or %s is too long); run 'kesu register verify'",
				seq ? seq : "?", dir);
	else if (!(krc = kesu_pg_docs_match(line, c->data, c->len, s->data, s->len, path,
					    err)) &&
		 !(krc = put_file(path, c->data, c->len, &same, err)) &&
		 !(krc = put_file(sp, s->data, s->len, &same2, err))) {
		if (same && same2)
			st->identical++;
		else
			st->written++;
	}
	json_decref(line);
	return krc;
}

enum kesu_rc kesu_pgreg_pull(struct kesu_db *db, const struct kesu_pgreg_filter *f,
			     const char *dir, struct kesu_pgreg_pull_stats *st,
			     struct kesu_err *err)
{
	memset(st, 0, sizeof(*st));
	enum kesu_rc krc = check_filter(f, err);
	if (!krc)
		krc = kesu_mkdir_p(dir, 0755, err);
	if (krc)
		return krc;
	struct fparams fp;
	filter_params(f, &fp);
	char after[24] = "0";
	struct kesu_db_error e;
	for (;;) {
		fp.p[FILTER_PARAMS] = kesu_pg_txt(after);
		struct kesu_db_result *r = NULL;
		enum kesu_db_rc rc = kesu_pg_run(db, "SELECT e.seq::text, e.cert_id::text, e.line, "
					 "d.cert, d.sig FROM kesu.entries e JOIN "
					 "kesu.documents d ON d.seq = e.seq WHERE" FILTER
					 " AND e.seq > $10::bigint ORDER BY e.seq LIMIT "
					 KESU_PG_BATCH_SQL, FILTER_PARAMS + 1, fp.p, &r, &e);
		if (rc)
			return kesu_pg_fail(err, rc, &e, "pull");
		for (size_t i = 0; !krc && i < r->nrows; i++)
			krc = pull_one(r, i, dir, st, err);
		size_t got = r->nrows;
		if (got)
			snprintf(after, sizeof(after), "%s", kesu_db_text(r, got - 1, 0));
		kesu_db_result_free(r);
		if (krc || got < (size_t)KESU_PG_BATCH)
			return krc;
	}
}

struct lines {
	json_t *a;
};

static void keep_line(const json_t *line, void *arg)
{
	json_array_append(((struct lines *)arg)->a, (json_t *)line);
}

/* A document line's file: its signature against the CA, then what its
 * kind's parser reads must be what the line repeats. */
static enum kesu_rc doc_verify(const struct kesu_reg_kind *k, const json_t *line,
			       const char *data, size_t len, const char *sig, size_t sl,
			       const struct kesu_trust *t, struct kesu_err *err)
{
	struct kesu_sig_info si;
	json_t *doc = NULL;
	enum kesu_rc rc = kesu_cms_verify_trust(data, len, sig, sl, t, &si, err);
	if (rc || (rc = k->parse(data, len, &doc, err)))
		return rc;
	rc = kesu_reg_kind_contradicts(k, line, doc, err);
	if (!rc && !strcmp(k->kind, "countersignature"))
		rc = kesu_reg_countersig_signer(line, &si, err);
	json_decref(doc);
	return rc;
}

/* One certificate or document line of the local register, checked and
 * sent. */
static enum kesu_rc push_one(struct kesu_db *db, const json_t *line,
			     const struct kesu_trust *t, struct kesu_pgreg_push_stats *st,
			     struct kesu_err *err)
{
	const char *path = json_string_value(json_object_get(line, "cert_file"));
	const struct kesu_reg_kind *k =
		kesu_reg_kind_find(json_string_value(json_object_get(line, "kind")));
	struct kesu_cert_file_verdict cv;
	enum kesu_rc rc = k ? KESU_OK : kesu_cert_verify(path, t, &cv);
	if (rc)
		return kesu_fail(err, rc, 0, "%s: %s: %s", path, cv.stage, cv.error);
	char *cert = NULL, *sig = NULL;
	size_t cl, sl;
	bool already;
	uint64_t seq;
	/* A countersignature's signature is a file of its own. */
	const char *sigf = json_string_value(json_object_get(line, "sig_file"));
	if (sigf && !(rc = kesu_read_file(path, KESU_CERT_MAX_BYTES, &cert, &cl, err)) &&
	    (rc = kesu_read_file(sigf, KESU_PG_SIG_MAX_BYTES, &sig, &sl, err))) {
		free(cert);
		cert = NULL;
	}
	if (!rc && (sigf || !(rc = kesu_pg_read_docs(path, &cert, &cl, &sig, &sl, err))) &&
	    !(rc = kesu_pg_docs_match(line, cert, cl, sig, sl, path, err)) &&
	    !(rc = k ? doc_verify(k, line, cert, cl, sig, sl, t, err) : KESU_OK)) {
		json_t *entry = json_deep_copy(line);
		json_object_del(entry, "seq");
		json_object_del(entry, "prev");
		json_object_del(entry, "time");
		/* The station's registration time travels with the entry. */
		rc = kesu_pgreg_append(db, entry, json_string_value(json_object_get(line, "time")),
				       cert, cl, sig, sl, KESU_PGREG_DUP_SKIP, &seq, &already,
				       err);
		json_decref(entry);
		if (!rc)
			already ? st->identical++ : st->sent++;
	} else if (rc && k) {
		kesu_err_prefix(err, "%s: ", path);
	}
	free(cert);
	free(sig);
	return rc;
}

enum kesu_rc kesu_pgreg_push(struct kesu_db *db, const char *reg_path,
			     const char *ca_file, struct kesu_pgreg_push_stats *st,
			     struct kesu_err *err)
{
	memset(st, 0, sizeof(*st));
	struct kesu_reg_verify rv;
	enum kesu_rc rc = kesu_register_verify(reg_path, ca_file, true, &rv, NULL, NULL, err);
	if (rc)
		return kesu_err_prefix(err, "push: the local register does not verify: ");
	char *text;
	size_t len;
	if ((rc = kesu_read_file(reg_path, 512u << 20, &text, &len, err)))
		return rc;
	struct lines ls = {json_array()};
	struct kesu_reg_check c;
	kesu_register_check_text(text, len, 0, &c, keep_line, &ls);
	free(text);
	struct kesu_trust t = {.ca_file = ca_file};
	if ((rc = kesu_trust_store_new(&t.store, err))) {
		json_decref(ls.a);
		return rc;
	}
	struct kesu_err ignored;
	kesu_cosign_listing_new(&t.listing, &ignored); /* NULL: listed per file */
	size_t i;
	json_t *line;
	json_array_foreach(ls.a, i, line) {
		const char *kind = json_string_value(json_object_get(line, "kind"));
		/* Repairs and recoveries record the station's own file. */
		if (strcmp(kind, "certificate") && !kesu_reg_kind_find(kind)) {
			st->skipped_recovery++;
			continue;
		}
		if ((rc = push_one(db, line, &t, st, err))) {
			kesu_err_prefix(err, "push: line %zu: ", i + 1);
			break;
		}
	}
	kesu_trust_store_free(t.store);
	kesu_cosign_listing_free(t.listing);
	json_decref(ls.a);
	return rc;
}
