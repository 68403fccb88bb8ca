/* The register as a file, its storage half: the signed head on disk, one
 * locked look at the register, and writing lines and head so that a crash
 * or a full disk never leaves a line without its head.  Every decision is
 * made by the pure half (register.c). */
#include "certs/register/register_store.h"
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

enum kesu_rc kesu_regf_head_paths(const char *reg, struct head_paths *p, struct kesu_err *err)
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
	enum kesu_rc rc = kesu_regf_head_paths(reg, &p, err);
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
	enum kesu_rc rc = kesu_regf_head_paths(reg, &hp, err);
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
	enum kesu_rc rc = kesu_regf_head_paths(reg, &c->p, err);
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

void kesu_regf_close(struct reg *r)
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
enum kesu_rc kesu_regf_open(struct reg *r, const char *path, const char *ca_file,
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
	kesu_regf_close(r);
	return rc;
}

enum kesu_rc kesu_regf_refuse_damaged(const struct reg *r, struct kesu_err *err)
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
enum kesu_rc kesu_regf_chain_line(json_t *entry, uint64_t seq, char hash[65],
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
enum kesu_rc kesu_regf_save_cut(const struct reg *r, size_t keep, uint64_t seq,
			     char *path, size_t size, struct kesu_err *err)
{
	if ((size_t)snprintf(path, size, "%s.cut-%" PRIu64, r->path, seq) >= size)
		return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", r->path);
	return kesu_write_atomic(path, r->text + keep, r->len - keep, 0644, err);
}

/* Replace everything after keep with lines, then the head.  The head's
 * files are written before the register is touched, and the register is
 * restored if anything fails before they are in place. */
enum kesu_rc kesu_regf_commit(struct reg *r, size_t keep, const char *lines, size_t n,
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

