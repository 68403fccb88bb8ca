/* Issuing destruction documents (destruction_issue.h). */
#include "certs/document/destruction_issue.h"
#include "certs/register/ledger.h"
#include "certs/register/register.h"
#include "lib/digest.h"
#include "lib/fileio.h"
#include "lib/strutil.h"
#include "lib/timefmt.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uuid/uuid.h>

static const char *pstr(const json_t *o, const char *a, const char *b)
{
	const json_t *v = json_object_get(o, a);
	return json_string_value(b ? json_object_get(v, b) : v);
}

/* A typed value that contradicts the register's certificate means the
 * wrong medium or a typo; either way nothing is signed. */
static enum kesu_rc take(char *field, size_t size, const char *from_cert,
			 const char *what, const char *serial, struct kesu_err *err)
{
	if (!from_cert || !from_cert[0])
		return KESU_OK;
	if (field[0] && strcmp(field, from_cert))
		return kesu_fail(err, KESU_ERR_REFUSED, 0, "serial %s: the %s given (%s) is "
				 "not the one its erasure certificate records (%s); check the "
				 "medium", serial, what, field, from_cert);
	kesu_strlcpy(field, from_cert, size);
	return KESU_OK;
}

enum kesu_rc kesu_destroy_resolve(const json_t *lines, const json_t *docs,
				  bool from_device, struct kesu_destruction_info *in,
				  struct kesu_err *err)
{
	bool closed;
	long i = kesu_ledger_erasure_for(lines, in->serial, &closed);
	snprintf(in->identity_source, sizeof(in->identity_source), "%s",
		 from_device ? "device" : i >= 0 ? "register" : "typed");
	if (closed)
		return kesu_fail(err, KESU_ERR_REFUSED, 0, "serial %s: every erasure "
				 "certificate for it is closed by a destruction already; see "
				 "'kesu register trace %s'", in->serial, in->serial);
	if (i < 0) {
		if (!in->no_erasure_record[0])
			return kesu_fail(err, KESU_ERR_REFUSED, 0, "serial %s: the register "
					 "holds no erasure certificate for it (kesu never erased "
					 "this medium); check the serial, or, to record its "
					 "destruction without one (a leased My Number disk...), give "
					 "--no-erasure-record REASON", in->serial);
		in->closes[0] = '\0';
		return KESU_OK;
	}
	const json_t *line = json_array_get(lines, (size_t)i);
	const json_t *cert = json_array_get(docs, (size_t)i);
	if (in->no_erasure_record[0])
		return kesu_fail(err, KESU_ERR_USAGE, 0, "serial %s: the register holds "
				 "erasure certificate %s for it; --no-erasure-record does not "
				 "apply", in->serial, pstr(line, "cert_id", NULL));
	kesu_strlcpy(in->closes, pstr(line, "cert_id", NULL), sizeof(in->closes));
	enum kesu_rc rc;
	if ((rc = take(in->model, sizeof(in->model), pstr(line, "model", NULL), "model",
		       in->serial, err)) ||
	    (rc = take(in->property_number, sizeof(in->property_number),
		       pstr(cert, "asset", "property_number"), "asset number", in->serial, err)) ||
	    (rc = take(in->department, sizeof(in->department), pstr(cert, "customer", NULL),
		       "department", in->serial, err)))
		return rc;
	/* The erasure's class decides; an unreadable certificate keeps
	 * what was said, and saying My Number is never undone. */
	in->my_number |= json_is_true(json_object_get(json_object_get(cert, "asset"),
						      "my_number"));
	return KESU_OK;
}

/* ---- evidence ---- */

/* The copy's name: kesu's own, so two media's photos never collide and
 * nothing from the source name but a short extension survives. */
static void evidence_name(const char *id, size_t n, const struct kesu_evidence_src *src,
			  char *out, size_t size)
{
	const char *base = strrchr(src->path, '/');
	const char *dot = strrchr(base ? base + 1 : src->path, '.');
	char ext[8] = "";
	size_t k = 0;
	if (dot && strlen(dot + 1) <= 5) {
		ext[k++] = '.';
		for (const char *p = dot + 1; *p && isalnum((unsigned char)*p); p++)
			ext[k++] = (char)tolower((unsigned char)*p);
		ext[k] = '\0';
		if (k == 1 || dot[1 + k - 1])
			ext[0] = '\0';
	}
	snprintf(out, size, "kesu-destruction-%s-%zu-%s%s", id, n + 1, src->role, ext);
}

static enum kesu_rc read_evidence(const char *path, char **data, size_t *len,
				  struct kesu_err *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kesu_fail(err, errno == ENOENT ? KESU_ERR_NOENT : KESU_ERR_IO, errno,
				 "evidence %s: %s", path, strerror(errno));
	bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	close(fd);
	if (!regular)
		return kesu_fail(err, KESU_ERR_USAGE, 0, "evidence %s: not a regular file", path);
	if ((uint64_t)st.st_size > KESU_EVIDENCE_MAX_BYTES)
		return kesu_fail(err, KESU_ERR_USAGE, 0, "evidence %s: larger than %u MiB",
				 path, KESU_EVIDENCE_MAX_BYTES >> 20);
	return kesu_read_file(path, KESU_EVIDENCE_MAX_BYTES, data, len, err);
}

static void remove_copies(const char *dir, const struct kesu_destruction_info *in, size_t n)
{
	char p[PATH_MAX];
	for (size_t i = 0; i < n; i++)
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, in->evidence[i].file) < sizeof(p))
			unlink(p);
}

static enum kesu_rc copy_evidence(const char *dir, const char *id,
				  const struct kesu_destroy_req *req,
				  struct kesu_destruction_info *in, struct kesu_err *err)
{
	in->n_evidence = 0;
	for (size_t i = 0; i < req->n_ev; i++) {
		struct kesu_evidence *e = &in->evidence[i];
		char *data, dst[PATH_MAX];
		size_t len;
		evidence_name(id, i, &req->ev[i], e->file, sizeof(e->file));
		enum kesu_rc rc = read_evidence(req->ev[i].path, &data, &len, err);
		if (!rc) {
			kesu_sha256_hex(data, len, e->sha256);
			e->size = len;
			kesu_strlcpy(e->role, req->ev[i].role, sizeof(e->role));
			if ((size_t)snprintf(dst, sizeof(dst), "%s/%s", dir, e->file) >= sizeof(dst))
				rc = kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", dir);
			else
				rc = kesu_write_atomic(dst, data, len, 0644, err);
			free(data);
		}
		if (rc) {
			remove_copies(dir, in, in->n_evidence);
			return rc;
		}
		in->n_evidence++;
	}
	return KESU_OK;
}

/* ---- issuing ---- */

static enum kesu_rc resolve_with(struct kesu_issuer *is, struct kesu_destroy_req *req,
				 struct kesu_err *err)
{
	json_t *lines;
	enum kesu_rc rc = kesu_issuer_register_lines(is, &lines, err);
	if (rc)
		return rc;
	json_t *docs = kesu_register_docs(lines);
	rc = docs ? kesu_destroy_resolve(lines, docs, req->from_device, &req->info, err)
		  : kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	json_decref(docs);
	json_decref(lines);
	return rc;
}

/* The document req would make, with stand-ins for what only issuing
 * knows (id, evidence hashes): the same rules judge it. */
static void fill_operator(const struct kesu_issuer *is, struct kesu_destruction_info *in)
{
	const struct kesu_cert_info *who = kesu_issuer_info(is);
	if (!in->operator_name[0])
		kesu_strlcpy(in->operator_name, who->operator_name, sizeof(in->operator_name));
	if (!in->operator_organization[0])
		kesu_strlcpy(in->operator_organization, who->operator_organization,
			     sizeof(in->operator_organization));
}

/* The approval must cover the medium as the register completes it: an
 * approval that lists asset numbers covers a medium whose number only the
 * register's erasure certificate knows. */
static enum kesu_rc covered(const struct kesu_issuer *is,
			    const struct kesu_destruction_info *in, struct kesu_err *err)
{
	enum kesu_rc rc = kesu_issuer_check_medium(is, in->serial, in->property_number,
						   time(NULL), err);
	return rc ? kesu_err_prefix(err, "%s: nothing recorded: ", in->serial) : KESU_OK;
}

static enum kesu_rc dry_run(const struct kesu_issuer *is, const json_t *lines,
			    const json_t *docs, const struct kesu_destroy_req *req,
			    struct kesu_err *err)
{
	struct kesu_destruction_info in = req->info;
	fill_operator(is, &in);
	enum kesu_rc rc = kesu_destroy_resolve(lines, docs, req->from_device, &in, err);
	if (rc || (rc = covered(is, &in, err)))
		return rc;
	in.n_evidence = req->n_ev;
	for (size_t i = 0; i < req->n_ev; i++) {
		snprintf(in.evidence[i].file, sizeof(in.evidence[i].file), "e%zu", i);
		memset(in.evidence[i].sha256, '0', 64);
		in.evidence[i].sha256[64] = '\0';
		kesu_strlcpy(in.evidence[i].role, req->ev[i].role, sizeof(in.evidence[i].role));
	}
	char now[KESU_TIME_LEN];
	kesu_time_now(now);
	json_t *doc;
	rc = kesu_destruction_build(&in, "00000000-0000-4000-8000-000000000000", now, &doc, err);
	json_decref(doc);
	if (rc)
		kesu_err_prefix(err, "serial %s: ", in.serial);
	return rc;
}

enum kesu_rc kesu_destroy_check_all(struct kesu_issuer *is,
				    const struct kesu_destroy_req *reqs, size_t n,
				    size_t *bad, struct kesu_err *err)
{
	json_t *lines;
	enum kesu_rc rc = kesu_issuer_register_lines(is, &lines, err);
	if (rc)
		return rc;
	json_t *docs = kesu_register_docs(lines);
	if (!docs)
		rc = kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < n; i++)
		if ((rc = dry_run(is, lines, docs, &reqs[i], err)))
			*bad = i;
	json_decref(docs);
	json_decref(lines);
	return rc;
}

enum kesu_rc kesu_destroy_issue(struct kesu_issuer *is, struct kesu_destroy_req *req,
				char *path, size_t path_size, struct kesu_err *err)
{
	struct kesu_destruction_info *in = &req->info;
	fill_operator(is, in);
	enum kesu_rc rc = resolve_with(is, req, err);
	if (rc || (rc = covered(is, in, err)))
		return rc;
	uuid_t u;
	char id[37], now[KESU_TIME_LEN], dir[PATH_MAX];
	uuid_generate_random(u);
	uuid_unparse_lower(u, id);
	kesu_time_now(now);
	kesu_strlcpy(dir, kesu_issuer_out_dir(is)[0] ? kesu_issuer_out_dir(is) : ".",
		     sizeof(dir));
	if ((size_t)snprintf(path, path_size, "%s/kesu-destruction-%s.json", dir, id) >=
	    path_size)
		return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", dir);
	if ((rc = kesu_mkdir_p(dir, 0755, err)) ||
	    (rc = copy_evidence(dir, id, req, in, err)))
		return rc;
	json_t *doc, *appr;
	if ((rc = kesu_issuer_approval_record(is, dir, &appr, err))) {
		remove_copies(dir, in, in->n_evidence);
		return rc;
	}
	in->approval = appr;
	rc = kesu_destruction_build(in, id, now, &doc, err);
	in->approval = NULL;
	json_decref(appr);
	if (rc) {
		remove_copies(dir, in, in->n_evidence);
		return kesu_err_prefix(err, "serial %s: ", in->serial);
	}
	size_t n;
	char *text = kesu_cert_serialize(doc, &n);
	json_decref(doc);
	if (!text) {
		remove_copies(dir, in, in->n_evidence);
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	rc = kesu_issuer_publish(is, path, text, n, err);
	free(text);
	return rc;
}
