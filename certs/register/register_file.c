/* The register as a file: locking, the signed head on disk, appending,
 * repairing and verifying.  Every decision is made by the pure half
 * (register.c); this file only reads, writes and undoes. */
#include "certs/register/register.h"
#include "certs/register/register_io.h"
#include "certs/register/reg_kinds.h"
#include "certs/document/certificate.h"
#include "certs/sign/cms_unanchored.h"
#include "certs/sign/cms_verify.h"
#include "lib/digest.h"
#include "lib/fileio.h"
#include "lib/strutil.h"
#include "lib/timefmt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static enum kesu_rc read_fd(int fd, const char *path, char **out, size_t *len,
			    struct kesu_err *err)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return kesu_fail(err, KESU_ERR_IO, errno, "%s: %s", path, strerror(errno));
	if ((uint64_t)st.st_size > KESU_REGISTER_MAX_BYTES)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s: larger than %u MiB; start a new register file",
				 path, KESU_REGISTER_MAX_BYTES >> 20);
	size_t n = (size_t)st.st_size, got = 0;
	char *buf = malloc(n + 1);
	if (!buf)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	while (got < n) {
		ssize_t r = pread(fd, buf + got, n - got, (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(buf);
			return kesu_fail(err, KESU_ERR_IO, errno, "%s: read failed", path);
		}
		got += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return KESU_OK;
}

/* ---- the signed head on disk ---- */

struct head_paths {
	char head[PATH_MAX], sig[PATH_MAX];
};

static enum kesu_rc head_paths(const char *reg, struct head_paths *p, struct kesu_err *err)
{
	if ((size_t)snprintf(p->head, sizeof(p->head), "%s.head", reg) >= sizeof(p->head) ||
	    (size_t)snprintf(p->sig, sizeof(p->sig), "%s.head.p7s", reg) >= sizeof(p->sig) - 16)
		return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", reg);
	return KESU_OK;
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0 || errno != ENOENT;
}

/* A signature problem makes the head BAD (the register's state); a CA file
 * that cannot be used is the caller's problem and an error. */
static enum kesu_rc check_head_sig(const char *text, size_t len, const char *sig,
				   size_t slen, const char *ca_file,
				   struct kesu_reg_head *h, struct kesu_err *err)
{
	struct kesu_err e = {0};
	enum kesu_rc rc;
	if (ca_file && ca_file[0]) {
		struct kesu_sig_info si;
		rc = kesu_cms_verify(text, len, sig, slen, ca_file, 0, &si, &e);
		if (!rc)
			kesu_strlcpy(h->signer, si.signer_subject, sizeof(h->signer));
	} else {
		rc = kesu_cms_verify_unanchored(text, len, sig, slen, h->signer,
						sizeof(h->signer), &e);
	}
	if (rc && rc != KESU_ERR_CRYPTO) {
		*err = e;
		return rc;
	}
	if (rc) {
		h->state = KESU_REG_HEAD_BAD;
		snprintf(h->why, sizeof(h->why), "%.380s", e.msg);
	}
	return KESU_OK;
}

static enum kesu_rc load_head(const char *reg, const char *ca_file,
			      struct kesu_reg_head *h, struct kesu_err *err)
{
	memset(h, 0, sizeof(*h));
	struct head_paths p;
	enum kesu_rc rc = head_paths(reg, &p, err);
	if (rc)
		return rc;
	bool he = exists(p.head), se = exists(p.sig);
	if (!he && !se)
		return KESU_OK;
	h->state = KESU_REG_HEAD_BAD;
	if (!he || !se) {
		snprintf(h->why, sizeof(h->why), "%.300s is missing", he ? p.sig : p.head);
		return KESU_OK;
	}
	char *text = NULL, *sig = NULL;
	size_t len, slen;
	struct kesu_err e = {0};
	if (kesu_read_file(p.head, 64 * 1024, &text, &len, &e) ||
	    kesu_read_file(p.sig, 1u << 20, &sig, &slen, &e)) {
		snprintf(h->why, sizeof(h->why), "%.380s", e.msg);
		goto out;
	}
	h->state = KESU_REG_HEAD_VERIFIED;
	if ((rc = check_head_sig(text, len, sig, slen, ca_file, h, err)) ||
	    h->state != KESU_REG_HEAD_VERIFIED)
		goto out;
	if (kesu_register_head_parse(text, len, h, &e)) {
		h->state = KESU_REG_HEAD_BAD;
		snprintf(h->why, sizeof(h->why), "%.380s", e.msg);
	}
out:
	if (h->state == KESU_REG_HEAD_BAD)
		h->seq = 0;
	free(text);
	free(sig);
	return rc;
}

/* Stray temporary files of an interrupted head or cut-file write.  The
 * head and its signature are two files renamed one after the other; a
 * crash between the renames leaves the new head beside the old signature,
 * with the new signature still in its temporary file: finish that rename.
 * Only under the exclusive lock, when no other writer can be mid-way. */
static enum kesu_rc tidy_after_crash(const char *reg, const char *ca_file,
				     struct kesu_reg_head *h, struct kesu_err *err)
{
	char dir[PATH_MAX], p1[PATH_MAX], p2[PATH_MAX], p3[PATH_MAX], path[PATH_MAX];
	const char *base = base_name(reg);
	if (!kesu_path_dirname(reg, dir, sizeof(dir)))
		return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", reg);
	snprintf(p1, sizeof(p1), "%s.head.tmp.", base);
	snprintf(p2, sizeof(p2), "%s.head.p7s.tmp.", base);
	snprintf(p3, sizeof(p3), "%s.cut-", base);
	DIR *d = opendir(dir);
	if (!d)
		return kesu_fail(err, KESU_ERR_IO, errno, "%s: %s", dir, strerror(errno));
	struct head_paths hp;
	enum kesu_rc rc = head_paths(reg, &hp, err);
	bool renamed = false;
	struct dirent *de;
	while (!rc && (de = readdir(d))) {
		const char *n = de->d_name;
		bool sig_tmp = !strncmp(n, p2, strlen(p2));
		if (!sig_tmp && strncmp(n, p1, strlen(p1)) &&
		    !(strncmp(n, p3, strlen(p3)) == 0 && strstr(n, ".tmp.")))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, n) >= sizeof(path))
			continue;
		if (sig_tmp && !renamed && h->state == KESU_REG_HEAD_BAD) {
			char *text = NULL, *sig = NULL;
			size_t len, slen;
			struct kesu_err e = {0};
			struct kesu_reg_head t = {.state = KESU_REG_HEAD_VERIFIED};
			if (!kesu_read_file(hp.head, 64 * 1024, &text, &len, &e) &&
			    !kesu_read_file(path, 1u << 20, &sig, &slen, &e) &&
			    !(rc = check_head_sig(text, len, sig, slen, ca_file, &t, err)) &&
			    t.state == KESU_REG_HEAD_VERIFIED &&
			    rename(path, hp.sig) == 0)
				renamed = true;
			free(text);
			free(sig);
			if (renamed)
				continue;
		}
		if (unlink(path) != 0 && errno != ENOENT)
			rc = kesu_fail(err, KESU_ERR_IO, errno, "%s: cannot remove: %s",
				       path, strerror(errno));
	}
	closedir(d);
	if (!rc && renamed && !(rc = kesu_fsync_parent(reg, err)))
		rc = load_head(reg, ca_file, h, err);
	return rc;
}

static enum kesu_rc write_tmp(const char *path, const void *data, size_t len,
			      char tmp[PATH_MAX], struct kesu_err *err)
{
	if ((size_t)snprintf(tmp, PATH_MAX, "%s.tmp.XXXXXX", path) >= PATH_MAX)
		return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		tmp[0] = '\0';
		return kesu_fail(err, KESU_ERR_IO, e, "%s: cannot create: %s", path,
				 strerror(e));
	}
	const char *p = data;
	size_t left = len;
	int e = 0;
	if (fchmod(fd, 0644) != 0)
		e = errno;
	while (!e && left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			e = errno;
			break;
		}
		p += w;
		left -= (size_t)w;
	}
	if (!e && fsync(fd) != 0)
		e = errno;
	if (close(fd) != 0 && !e)
		e = errno;
	if (e) {
		unlink(tmp);
		tmp[0] = '\0';
		return kesu_fail(err, KESU_ERR_IO, e, "%s: write failed: %s; check free "
				 "space", path, strerror(e));
	}
	return KESU_OK;
}

/* A new head, written in two steps around the register write: prepare
 * (sign, and write both files under temporary names, so a full file system
 * fails here, before the register changes), then publish (two renames,
 * which need no space).  Its RFC 3161 token is asked for once the head is
 * published (commit). */
struct head_commit {
	struct head_paths p;
	char head_tmp[PATH_MAX], sig_tmp[PATH_MAX];
};

static void head_abandon(struct head_commit *c)
{
	if (c->head_tmp[0])
		unlink(c->head_tmp);
	if (c->sig_tmp[0])
		unlink(c->sig_tmp);
	c->head_tmp[0] = c->sig_tmp[0] = '\0';
}

static enum kesu_rc head_prepare(const char *reg, uint64_t seq, const char *hash,
				 struct kesu_signer *signer, struct head_commit *c,
				 struct kesu_err *err)
{
	memset(c, 0, sizeof(*c));
	enum kesu_rc rc = head_paths(reg, &c->p, err);
	if (rc)
		return rc;
	char now[KESU_TIME_LEN];
	kesu_time_now(now);
	size_t len, derlen;
	char *text = kesu_register_head_text(base_name(reg), seq, hash, now, &len);
	if (!text)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	unsigned char *der = NULL;
	if (!(rc = kesu_signer_sign(signer, text, len, &der, &derlen, err)) &&
	    !(rc = write_tmp(c->p.sig, der, derlen, c->sig_tmp, err)))
		rc = write_tmp(c->p.head, text, len, c->head_tmp, err);
	free(text);
	free(der);
	if (rc) {
		head_abandon(c);
		kesu_err_prefix(err, "signed head: ");
	}
	return rc;
}

static enum kesu_rc head_publish(struct head_commit *c, struct kesu_err *err)
{
	/* Head first: a crash between the renames leaves the new signature in
	 * its temporary file, which the next writer finds and finishes. */
	if (rename(c->head_tmp, c->p.head) != 0)
		return kesu_fail(err, KESU_ERR_IO, errno, "%s: %s", c->p.head, strerror(errno));
	c->head_tmp[0] = '\0';
	if (rename(c->sig_tmp, c->p.sig) != 0)
		return kesu_fail(err, KESU_ERR_IO, errno, "%s: %s", c->p.sig, strerror(errno));
	c->sig_tmp[0] = '\0';
	return kesu_fsync_parent(c->p.head, err);
}

/* A token for the previous head would be a token for other bytes: it goes
 * as soon as the new head is published (still under the writer's lock).
 * Then the new head's token, when a TSA is configured; the register itself
 * is complete without it. */
static enum kesu_rc head_timestamp(const struct head_commit *c, const struct kesu_tsa *tsa,
				   struct kesu_err *err)
{
	char tsr[PATH_MAX + 8];
	snprintf(tsr, sizeof(tsr), "%s%s", c->p.head, KESU_TSR_SUFFIX);
	if (unlink(tsr) != 0 && errno != ENOENT)
		return kesu_fail(err, KESU_ERR_IO, errno, "%s: cannot remove the previous "
				 "head's token: %s", tsr, strerror(errno));
	struct kesu_ts_info ts;
	if (tsa && kesu_timestamp_file(tsa, c->p.head, &ts, err)) {
		kesu_err_prefix(err, "%s: signed but not timestamped: ", c->p.head);
		return err->rc = KESU_ERR_UNSTAMPED;
	}
	return KESU_OK;
}

/* ---- one locked look at the register ---- */


void reg_close(struct reg *r)
{
	free(r->text);
	r->text = NULL;
	if (r->fd >= 0) {
		flock(r->fd, LOCK_UN);
		close(r->fd);
	}
	r->fd = -1;
}

/* Open and lock (exclusive for writers, who also tidy after a crash), read
 * the text and the head, and judge them. */
enum kesu_rc reg_open(struct reg *r, const char *path, const char *ca_file,
			     bool writer, bool must_exist,
			     void (*each)(const json_t *, void *), void *arg,
			     struct kesu_err *err)
{
	memset(r, 0, sizeof(*r));
	r->path = path;
	r->fd = -1;
	enum kesu_rc rc;
	char dir[PATH_MAX];
	if (writer && kesu_path_dirname(path, dir, sizeof(dir)) &&
	    (rc = kesu_mkdir_p(dir, 0755, err)))
		return rc;
	r->fd = open(path, (writer ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC, 0644);
	if (r->fd < 0 && (must_exist || errno != ENOENT))
		return kesu_fail(err, errno == EACCES ? KESU_ERR_PERM : errno == ENOENT
				 ? KESU_ERR_NOENT : KESU_ERR_IO, errno,
				 "%s: cannot open register: %s", path, strerror(errno));
	if (r->fd >= 0) {
		/* Writers hold it exclusively for the whole check-append-head
		 * sequence; readers share it, so they never see a line whose
		 * head is not yet written. */
		while (flock(r->fd, writer ? LOCK_EX : LOCK_SH) != 0 && errno == EINTR)
			;
		if ((rc = read_fd(r->fd, path, &r->text, &r->len, err)))
			goto fail;
	}
	if ((rc = load_head(path, ca_file, &r->head, err)) ||
	    (writer && (rc = tidy_after_crash(path, ca_file, &r->head, err))))
		goto fail;
	kesu_register_check_text(r->text ? r->text : "", r->len,
				 r->head.state == KESU_REG_HEAD_VERIFIED ? r->head.seq : 0,
				 &r->check, each, arg);
	kesu_register_judge(&r->check, r->len, &r->head, &r->verdict);
	return KESU_OK;
fail:
	reg_close(r);
	return rc;
}

enum kesu_rc refuse_damaged(const struct reg *r, struct kesu_err *err)
{
	const struct kesu_reg_verdict *v = &r->verdict;
	char where[32] = "";
	if (v->bad_line)
		snprintf(where, sizeof(where), "line %zu: ", v->bad_line);
	return kesu_fail(err, KESU_ERR_INVALID, 0,
			 "%s: %s%.300s; nothing appended: the register does not verify "
			 "(see 'kesu register verify'; restore it from a backup, or "
			 "record the loss with 'kesu register repair')",
			 r->path, where, v->why);
}

/* Write lines (already chained) at the keep point, replacing what follows
 * it.  On any failure put the original bytes back, so a full file system
 * never leaves a line without its head. */
static enum kesu_rc write_tail(struct reg *r, size_t keep, const char *lines,
			       size_t n, struct kesu_err *err)
{
	size_t done = 0;
	int e = 0;
	while (done < n) {
		ssize_t w = pwrite(r->fd, lines + done, n - done, (off_t)(keep + done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			e = w < 0 ? errno : EIO;
			break;
		}
		done += (size_t)w;
	}
	if (!e && ftruncate(r->fd, (off_t)(keep + n)) != 0)
		e = errno;
	if (!e && fsync(r->fd) != 0)
		e = errno;
	if (!e)
		return KESU_OK;
	enum kesu_rc rc = kesu_fail(err, KESU_ERR_IO, e, "%s: write failed: %s; the "
				    "register is unchanged (check free space)", r->path,
				    strerror(e));
	size_t put = 0;
	bool ok = ftruncate(r->fd, (off_t)keep) == 0;
	while (ok && put < r->len - keep) {
		ssize_t w = pwrite(r->fd, r->text + keep + put, r->len - keep - put,
				   (off_t)(keep + put));
		if (w < 0 && errno == EINTR)
			continue;
		ok = w > 0;
		put += ok ? (size_t)w : 0;
	}
	if (!ok || ftruncate(r->fd, (off_t)r->len) != 0 || fsync(r->fd) != 0)
		kesu_fail(err, KESU_ERR_IO, e, "%s: write failed (%s) and the register "
			  "could not be put back: run 'kesu register verify'", r->path,
			  strerror(e));
	return rc;
}

/* A chained line for entry after (seq, hash): sets seq/time/prev, appends
 * the line and its newline to buf, and advances hash. */
static enum kesu_rc chain_line(json_t *entry, uint64_t seq, char hash[65],
			       char **buf, size_t *n, struct kesu_err *err)
{
	char now[KESU_TIME_LEN];
	kesu_time_now(now);
	json_object_set_new(entry, "seq", json_integer((json_int_t)seq));
	json_object_set_new(entry, "time", json_string(now));
	json_object_set_new(entry, "prev", json_string(hash));
	char *line = kesu_register_line(entry);
	size_t l = line ? strlen(line) : 0;
	char *nb = line ? realloc(*buf, *n + l + 1) : NULL;
	if (!nb) {
		free(line);
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	memcpy(nb + *n, line, l);
	nb[*n + l] = '\n';
	kesu_sha256_hex(line, l, hash);
	*buf = nb;
	*n += l + 1;
	free(line);
	return KESU_OK;
}

/* Keep what is cut off the register where an auditor can read it. */
static enum kesu_rc save_cut(const struct reg *r, size_t keep, uint64_t seq,
			     char *path, size_t size, struct kesu_err *err)
{
	if ((size_t)snprintf(path, size, "%s.cut-%" PRIu64, r->path, seq) >= size)
		return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", r->path);
	return kesu_write_atomic(path, r->text + keep, r->len - keep, 0644, err);
}

/* Replace everything after keep with lines, then the head.  The head's
 * files are written before the register is touched, and the register is
 * restored if anything fails before they are in place. */
static enum kesu_rc commit(struct reg *r, size_t keep, const char *lines, size_t n,
			   uint64_t seq, const char *hash, struct kesu_signer *signer,
			   const struct kesu_tsa *tsa, struct kesu_err *err)
{
	struct head_commit hc;
	enum kesu_rc rc = head_prepare(r->path, seq, hash, signer, &hc, err);
	if (rc)
		return rc;
	if ((rc = write_tail(r, keep, lines, n, err))) {
		head_abandon(&hc);
		return rc;
	}
	if ((rc = head_publish(&hc, err)) && hc.head_tmp[0]) {
		/* Nothing published: the old head still stands, so put the
		 * register back under it.  (Once the head is renamed, the
		 * signature's temporary file must stay for the next writer.) */
		struct kesu_err ignored;
		if (!write_tail(r, keep, r->text + keep, r->len - keep, &ignored))
			kesu_err_prefix(err, "register unchanged: ");
		head_abandon(&hc);
	}
	if (!rc)
		rc = head_timestamp(&hc, tsa, err);
	return rc;
}

/* Append entry after what the verdict keeps (r opened as a writer, not
 * DAMAGED): what a crash left after the signed line is cut, kept aside
 * and recorded in the chain itself first, so the cut is never silent. */
enum kesu_rc reg_append_entry(struct reg *r, json_t *entry, struct kesu_signer *signer,
			      const struct kesu_tsa *tsa, struct kesu_reg_append *res,
			      struct kesu_err *err)
{
	const struct kesu_reg_verdict *v = &r->verdict;
	char *lines = NULL;
	size_t n = 0;
	enum kesu_rc rc;
	uint64_t seq = v->keep_seq;
	char hash[65];
	memcpy(hash, v->keep_hash, sizeof(hash));
	if (v->state == KESU_REG_RESIDUE) {
		char cut_hash[65], cut_file[PATH_MAX];
		kesu_sha256_hex(r->text + v->keep_bytes, r->len - v->keep_bytes, cut_hash);
		json_t *rec = json_pack("{s:s s:I s:s}", "kind", "recovery", "cut_bytes",
					(json_int_t)(r->len - v->keep_bytes), "cut_sha256",
					cut_hash);
		res->recovery_seq = ++seq;
		rc = rec ? chain_line(rec, seq, hash, &lines, &n, err)
			 : kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
		json_decref(rec);
		if (rc || (rc = save_cut(r, v->keep_bytes, seq, cut_file, sizeof(cut_file), err)))
			goto out;
		res->recovered = true;
	}
	if ((rc = chain_line(entry, ++seq, hash, &lines, &n, err)))
		goto out;
	/* Without its token the entry and the head are still in place. */
	rc = commit(r, v->keep_bytes, lines, n, seq, hash, signer, tsa, err);
	if (!rc || rc == KESU_ERR_UNSTAMPED)
		res->seq = seq;
out:
	free(lines);
	return rc;
}

/* ---- appending a certificate ---- */

static enum kesu_rc cert_entry(const char *cert_path, json_t **out, char *id_out,
			       char *run_out, struct kesu_err *err)
{
	char *data;
	size_t len;
	char sig_path[PATH_MAX], abs[PATH_MAX], h_cert[65], h_sig[65];
	enum kesu_rc rc = kesu_read_file(cert_path, KESU_CERT_MAX_BYTES, &data, &len, err);
	if (rc)
		return rc;
	json_t *c;
	rc = kesu_cert_parse(data, len, &c, err);
	kesu_sha256_hex(data, len, h_cert);
	free(data);
	if (rc)
		return kesu_err_prefix(err, "%s: ", cert_path);
	snprintf(sig_path, sizeof(sig_path), "%s.p7s", cert_path);
	if ((rc = kesu_sha256_file(sig_path, h_sig, err))) {
		json_decref(c);
		return kesu_err_prefix(err, "signature of %s: ", cert_path);
	}
	if (!realpath(cert_path, abs))
		kesu_strlcpy(abs, cert_path, sizeof(abs));
	if (!kesu_is_clean(abs)) {
		json_decref(c);
		return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path is not clean UTF-8; "
				 "rename the certificate file", cert_path);
	}
	json_t *e = kesu_register_cert_fields(c);
	json_decref(c);
	if (!e || json_object_set_new(e, "cert_file", json_string(abs)) ||
	    json_object_set_new(e, "cert_sha256", json_string(h_cert)) ||
	    json_object_set_new(e, "sig_sha256", json_string(h_sig))) {
		json_decref(e);
		return kesu_fail(err, KESU_ERR_INTERNAL, 0, "cannot build register entry");
	}
	snprintf(id_out, 37, "%s", json_string_value(json_object_get(e, "cert_id")));
	snprintf(run_out, 37, "%s", json_string_value(json_object_get(e, "run_id")));
	*out = e;
	return KESU_OK;
}

enum kesu_rc kesu_register_cert_entry(const char *cert_path, json_t **out,
				      char *id_out, struct kesu_err *err)
{
	char run[37];
	return cert_entry(cert_path, out, id_out, run, err);
}

/* What the register already says about one certificate and its run. */
struct seen {
	const char *id, *run, *h_cert, *h_sig;
	uint64_t id_seq, run_seq;
	bool same;
	char run_cert[37];
};

static void find_seen(const json_t *line, void *arg)
{
	struct seen *s = arg;
	const char *kind = json_string_value(json_object_get(line, "kind"));
	bool cert = !strcmp(kind, "certificate");
	/* Every signed document shares the certificate id space. */
	if (!cert && !kesu_reg_kind_find(kind))
		return;
	uint64_t seq = (uint64_t)json_integer_value(json_object_get(line, "seq"));
	const char *id = json_string_value(json_object_get(line, "cert_id"));
	if (s->id && !strcmp(id, s->id)) {
		s->id_seq = seq;
		s->same = s->h_cert &&
			  !strcmp(json_string_value(json_object_get(line, "cert_sha256")),
				  s->h_cert) &&
			  !strcmp(json_string_value(json_object_get(line, "sig_sha256")),
				  s->h_sig);
	}
	if (cert && s->run &&
	    !strcmp(json_string_value(json_object_get(line, "run_id")), s->run)) {
		s->run_seq = seq;
		snprintf(s->run_cert, sizeof(s->run_cert), "%s", id);
	}
}

/* Only what the signed head vouches for counts: lines after it are cut. */
static void seen_within(struct seen *s, uint64_t keep_seq)
{
	if (s->id_seq > keep_seq)
		s->id_seq = 0, s->same = false;
	if (s->run_seq > keep_seq)
		s->run_seq = 0;
}

static enum kesu_rc refuse_seen(const struct seen *s, const char *reg,
				struct kesu_err *err)
{
	if (s->id_seq)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "%s: a different certificate "
				 "with id %s is already registered as %" PRIu64 "; not "
				 "registered", reg, s->id, s->id_seq);
	return kesu_fail(err, KESU_ERR_INVALID, 0, "%s: run %s is already certified "
			 "by certificate %s (register entry %" PRIu64 "); a run record "
			 "is certified once", reg, s->run, s->run_cert, s->run_seq);
}

enum kesu_rc kesu_register_append_cert(const char *reg_path,
				       const char *cert_path,
				       struct kesu_signer *signer,
				       const char *ca_file,
				       struct kesu_reg_append *res,
				       struct kesu_err *err)
{
	return kesu_register_append_cert_ts(reg_path, cert_path, signer, ca_file, NULL,
					    res, err);
}

enum kesu_rc kesu_register_append_cert_ts(const char *reg_path,
					  const char *cert_path,
					  struct kesu_signer *signer,
					  const char *ca_file,
					  const struct kesu_tsa *tsa,
					  struct kesu_reg_append *res,
					  struct kesu_err *err)
{
	struct kesu_reg_append dummy;
	if (!res)
		res = &dummy;
	memset(res, 0, sizeof(*res));
	json_t *entry;
	char id[37], run[37];
	enum kesu_rc rc = cert_entry(cert_path, &entry, id, run, err);
	if (rc)
		return rc;
	struct seen s = {.id = id, .run = run,
		.h_cert = json_string_value(json_object_get(entry, "cert_sha256")),
		.h_sig = json_string_value(json_object_get(entry, "sig_sha256"))};
	struct reg r;
	if ((rc = reg_open(&r, reg_path, ca_file, true, false, find_seen, &s, err)))
		goto out_entry;
	const struct kesu_reg_verdict *v = &r.verdict;
	if (v->state == KESU_REG_DAMAGED) {
		rc = refuse_damaged(&r, err);
		goto out;
	}
	seen_within(&s, v->keep_seq);
	if (s.same) {
		res->already = true;
		res->seq = s.id_seq;
		goto out;
	}
	if (s.id_seq || s.run_seq) {
		rc = refuse_seen(&s, reg_path, err);
		goto out;
	}
	rc = reg_append_entry(&r, entry, signer, tsa, res, err);
out:
	reg_close(&r);
out_entry:
	json_decref(entry);
	return rc;
}

enum kesu_rc kesu_register_precheck(const char *reg_path, const char *ca_file,
				    const char *run_id, struct kesu_err *err)
{
	struct seen s = {.run = run_id};
	struct reg r;
	/* As a writer: what a crash left is tidied now, as the append would. */
	enum kesu_rc rc = reg_open(&r, reg_path, ca_file, true, false, find_seen, &s, err);
	if (rc)
		return rc;
	if (r.verdict.state == KESU_REG_DAMAGED)
		rc = refuse_damaged(&r, err);
	seen_within(&s, r.verdict.keep_seq);
	if (!rc && s.run_seq)
		rc = refuse_seen(&s, reg_path, err);
	reg_close(&r);
	return rc;
}

/* ---- repair ---- */

enum kesu_rc kesu_register_repair(const char *reg_path, const char *reason,
				  const char *by, struct kesu_signer *signer,
				  const char *ca_file, struct kesu_reg_repair *res,
				  struct kesu_err *err)
{
	memset(res, 0, sizeof(*res));
	if (!reason || !reason[0] || strlen(reason) > KESU_STR_MAX || !kesu_is_clean(reason) ||
	    !by || !by[0] || strlen(by) > KESU_STR_MAX || !kesu_is_clean(by))
		return kesu_fail(err, KESU_ERR_USAGE, 0, "a repair needs a reason and the "
				 "name of who decides it (clean text, at most %d bytes)",
				 KESU_STR_MAX);
	struct reg r;
	enum kesu_rc rc = reg_open(&r, reg_path, ca_file, true, true, NULL, NULL, err);
	if (rc)
		return rc;
	const struct kesu_reg_verdict *v = &r.verdict;
	res->verdict = *v;
	if (v->state == KESU_REG_OK || v->state == KESU_REG_NEW) {
		res->nothing = true;
		reg_close(&r);
		return KESU_OK;
	}
	static const char *const head_states[] = {
		[KESU_REG_HEAD_NONE] = "missing", [KESU_REG_HEAD_VERIFIED] = "verified",
		[KESU_REG_HEAD_BAD] = "unverified"};
	bool verified = r.head.state == KESU_REG_HEAD_VERIFIED;
	char cut_hash[65], signer_subject[256], hash[65];
	kesu_signer_subject(signer, signer_subject, sizeof(signer_subject));
	kesu_sha256_hex(r.text + v->keep_bytes, r.len - v->keep_bytes, cut_hash);
	res->cut_bytes = r.len - v->keep_bytes;
	uint64_t seq = (v->lost_known ? v->lost_last : v->keep_seq) + 1;
	json_t *e = json_pack("{s:s s:s s:s s:s s:s s:o s:o s:o s:o s:I s:s}",
		"kind", "repair", "reason", reason, "by", by,
		"signer", signer_subject[0] ? signer_subject : "(unknown)",
		"head", head_states[r.head.state],
		"head_seq", verified ? json_integer((json_int_t)r.head.seq) : json_null(),
		"head_line_sha256", verified ? json_string(r.head.line_sha256) : json_null(),
		"lost_first_seq", v->lost_known ? json_integer((json_int_t)v->lost_first)
						: json_null(),
		"lost_last_seq", v->lost_known ? json_integer((json_int_t)v->lost_last)
					       : json_null(),
		"cut_bytes", (json_int_t)res->cut_bytes, "cut_sha256", cut_hash);
	char *lines = NULL;
	size_t n = 0;
	memcpy(hash, v->keep_hash, sizeof(hash));
	if (!e)
		rc = kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	else if (!(rc = chain_line(e, seq, hash, &lines, &n, err)) &&
		 (!res->cut_bytes ||
		  !(rc = save_cut(&r, v->keep_bytes, seq, res->cut_file,
				  sizeof(res->cut_file), err))))
		rc = commit(&r, v->keep_bytes, lines, n, seq, hash, signer, NULL, err);
	if (!rc)
		res->seq = seq;
	json_decref(e);
	free(lines);
	reg_close(&r);
	return rc;
}

/* ---- verification ---- */

struct file_check {
	bool on;
	size_t checked, missing;
	size_t lineno;
	size_t bad_line;
	char why[384];
	void (*each)(const json_t *, void *);
	void *arg;
};

static void check_cert_file(struct file_check *fc, const json_t *o)
{
	const char *file = json_string_value(json_object_get(o, "cert_file"));
	char sig[PATH_MAX], h[65];
	snprintf(sig, sizeof(sig), "%s.p7s", file);
	const char *paths[2] = {file, sig};
	const char *keys[2] = {"cert_sha256", "sig_sha256"};
	for (int i = 0; i < 2; i++) {
		struct kesu_err e = {0};
		if (access(paths[i], F_OK) != 0) {
			fc->missing++;
			continue;
		}
		if (kesu_sha256_file(paths[i], h, &e) ||
		    strcmp(h, json_string_value(json_object_get(o, keys[i])))) {
			fc->bad_line = fc->lineno;
			snprintf(fc->why, sizeof(fc->why),
				 "%.200s does not match the hash recorded for it "
				 "(the file was changed or replaced)", paths[i]);
			return;
		}
		fc->checked++;
		if (i)
			continue;
		/* The hash matches, so these are the certificate's own bytes:
		 * the line must say what the certificate says. */
		char *data;
		size_t len;
		json_t *c;
		char why[256];
		if (kesu_read_file(file, KESU_CERT_MAX_BYTES, &data, &len, &e))
			continue;
		if (kesu_cert_parse(data, len, &c, &e)) {
			fc->bad_line = fc->lineno;
			snprintf(fc->why, sizeof(fc->why), "%.200s: %.160s", file, e.msg);
		} else {
			if (kesu_register_line_contradicts(o, c, why, sizeof(why))) {
				fc->bad_line = fc->lineno;
				snprintf(fc->why, sizeof(fc->why), "%.200s", why);
			}
			json_decref(c);
		}
		free(data);
		if (fc->bad_line)
			return;
	}
}

static void verify_line(const json_t *o, void *arg)
{
	struct file_check *fc = arg;
	fc->lineno++;
	if (fc->each)
		fc->each(o, fc->arg);
	const char *kind = json_string_value(json_object_get(o, "kind"));
	const struct kesu_reg_kind *k = kesu_reg_kind_find(kind);
	if (fc->on && !fc->bad_line && !strcmp(kind, "certificate"))
		check_cert_file(fc, o);
	else if (fc->on && !fc->bad_line && k &&
		 reg_doc_check_file(k, o, &fc->checked, &fc->missing, fc->why,
				    sizeof(fc->why)))
		fc->bad_line = fc->lineno;
}

/* The head's token, checked against the TSA CA, then the head's signer at
 * the token's genTime (trusted time instead of the signer's own clock).
 * Read under the caller's shared lock, so head, signature and token are
 * one writer's. */
static enum kesu_rc check_head_token(const char *reg_path, const char *ca_file,
				     const char *tsa_ca_file, struct kesu_reg_verify *v,
				     struct kesu_err *err)
{
	struct head_paths p;
	char tsr[PATH_MAX + 8];
	enum kesu_rc rc = head_paths(reg_path, &p, err);
	if (rc)
		return rc;
	snprintf(tsr, sizeof(tsr), "%s%s", p.head, KESU_TSR_SUFFIX);
	v->head_ts_present = access(tsr, F_OK) == 0;
	if (!v->head_ts_present || !tsa_ca_file || !tsa_ca_file[0])
		return KESU_OK;
	char *text = NULL, *sig = NULL, *tok = NULL;
	size_t len, slen, tlen;
	struct kesu_sig_info si;
	if ((rc = kesu_read_file(p.head, 64 * 1024, &text, &len, err)) ||
	    (rc = kesu_read_file(p.sig, 1u << 20, &sig, &slen, err)) ||
	    (rc = kesu_read_file(tsr, KESU_TSR_MAX_BYTES, &tok, &tlen, err)))
		goto out;
	if ((rc = kesu_ts_token_verify(sig, slen, tok, tlen, tsa_ca_file, &v->head_ts, err))) {
		kesu_err_prefix(err, "%s: ", tsr);
		goto out;
	}
	if ((rc = kesu_cms_verify(text, len, sig, slen, ca_file, v->head_ts.gen_time, &si,
				  err))) {
		kesu_err_prefix(err, "%s at the time of its timestamp: ", p.head);
		goto out;
	}
	if (si.signing_time > v->head_ts.gen_time + KESU_TS_SKEW_S) {
		rc = kesu_fail(err, KESU_ERR_INVALID, 0,
			       "%s: the signer claims to have signed after the timestamp "
			       "authority saw the signature (signingTime later than "
			       "genTime); the signer's clock was wrong", p.head);
		goto out;
	}
	v->head_timestamped = true;
out:
	free(text);
	free(sig);
	free(tok);
	return rc;
}

enum kesu_rc kesu_register_verify(const char *reg_path, const char *ca_file,
				  bool check_files, struct kesu_reg_verify *v,
				  void (*each)(const json_t *line, void *arg), void *arg,
				  struct kesu_err *err)
{
	return kesu_register_verify_ts(reg_path, ca_file, NULL, check_files, v, each, arg,
				       err);
}

enum kesu_rc kesu_register_verify_ts(const char *reg_path, const char *ca_file,
				     const char *tsa_ca_file, bool check_files,
				     struct kesu_reg_verify *v,
				     void (*each)(const json_t *line, void *arg), void *arg,
				     struct kesu_err *err)
{
	memset(v, 0, sizeof(*v));
	if (!ca_file || !ca_file[0])
		return kesu_fail(err, KESU_ERR_USAGE, 0, "no trusted CA to check the "
				 "register's signed head; give --ca FILE or set [trust] "
				 "ca_file in kesu.conf");
	struct file_check fc = {.on = check_files, .each = each, .arg = arg};
	struct reg r;
	enum kesu_rc rc = reg_open(&r, reg_path, ca_file, false, true, verify_line, &fc, err);
	if (rc)
		return rc;
	v->text = r.check;
	v->verdict = r.verdict;
	v->head_seq = r.head.state == KESU_REG_HEAD_VERIFIED ? r.head.seq : 0;
	v->certs_checked = fc.checked;
	v->certs_missing = fc.missing;
	const char *why = r.verdict.why;
	v->bad_line = r.verdict.bad_line;
	bool bad = r.verdict.state != KESU_REG_OK;
	if (fc.bad_line && (!bad || !v->bad_line || fc.bad_line < v->bad_line)) {
		bad = true;
		v->bad_line = fc.bad_line;
		why = fc.why;
	}
	if (bad) {
		char where[32] = "";
		if (v->bad_line)
			snprintf(where, sizeof(where), "line %zu: ", v->bad_line);
		rc = kesu_fail(err, KESU_ERR_INVALID, 0, "%s: %s%.400s", reg_path, where, why);
	}
	if (!rc && r.head.state == KESU_REG_HEAD_VERIFIED)
		rc = check_head_token(reg_path, ca_file, tsa_ca_file, v, err);
	reg_close(&r);
	return rc;
}
