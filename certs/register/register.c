#include "certs/register/register.h"
#include "certs/document/certificate.h"
#include "certs/sign/cms_verify.h"
#include "lib/digest.h"
#include "lib/fileio.h"
#include "lib/jcheck.h"
#include "lib/strutil.h"
#include "lib/timefmt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define REG_MAX_BYTES (512u << 20)

char *kesu_register_line(const json_t *entry)
{
	return json_dumps(entry, JSON_SORT_KEYS | JSON_COMPACT);
}

static enum kesu_rc check_entry(const json_t *o, struct kesu_err *err)
{
	static const char *const cert_keys[] = {"seq", "time", "prev", "kind", "cert_id",
		"cert_file", "cert_sha256", "sig_sha256", "serial", "model", "result",
		"operator", NULL};
	static const char *const rec_keys[] = {"seq", "time", "prev", "kind", "cut_bytes",
		"cut_sha256", NULL};
	static const char *const kinds[] = {"certificate", "recovery", NULL};
	static const char *const results[] = {"erased", "erased-with-exceptions",
					      "not-erased", NULL};
	const char *kind, *id;
	time_t t;
	enum kesu_rc rc;
	if ((rc = kj_enum(o, "", "kind", kinds, &kind, err)) ||
	    (rc = kj_int(o, "", "seq", 1, INT64_MAX, NULL, err)) ||
	    (rc = kj_time(o, "", "time", false, &t, NULL, err)) ||
	    (rc = kj_hex(o, "", "prev", 64, NULL, err)))
		return rc;
	if (!strcmp(kind, "recovery"))
		return (rc = kj_keys(o, "", rec_keys, err)) ? rc
		       : (rc = kj_int(o, "", "cut_bytes", 1, INT64_MAX, NULL, err)) ? rc
		       : kj_hex(o, "", "cut_sha256", 64, NULL, err);
	if ((rc = kj_keys(o, "", cert_keys, err)) ||
	    (rc = kj_str(o, "", "cert_id", false, 36, &id, err)) ||
	    (rc = kj_str(o, "", "cert_file", false, PATH_MAX, NULL, err)) ||
	    (rc = kj_hex(o, "", "cert_sha256", 64, NULL, err)) ||
	    (rc = kj_hex(o, "", "sig_sha256", 64, NULL, err)) ||
	    (rc = kj_str(o, "", "serial", true, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_str(o, "", "model", true, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_enum(o, "", "result", results, NULL, err)) ||
	    (rc = kj_str(o, "", "operator", false, KESU_STR_MAX, NULL, err)))
		return rc;
	if (!kj_is_uuid(id))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "cert_id: not a lowercase UUID");
	return KESU_OK;
}

void kesu_register_check_text(const char *text, size_t len,
			      struct kesu_reg_check *r,
			      void (*each)(const json_t *line, void *arg), void *arg)
{
	memset(r, 0, sizeof(*r));
	char prev[65] = KESU_REGISTER_GENESIS;
	size_t pos = 0, lineno = 0;
	while (pos < len) {
		lineno++;
		const char *nl = memchr(text + pos, '\n', len - pos);
		if (!nl) {
			r->torn = true;
			r->bad_line = lineno;
			snprintf(r->why, sizeof(r->why),
				 "incomplete last line (%zu bytes without newline: a "
				 "crash during an append); the next append cuts it and "
				 "records a recovery entry", len - pos);
			return;
		}
		size_t n = (size_t)(nl - (text + pos));
		struct kesu_err err = {0};
		json_error_t je;
		json_t *o = json_loadb(text + pos, n, JSON_REJECT_DUPLICATES, &je);
		if (!o) {
			r->bad_line = lineno;
			snprintf(r->why, sizeof(r->why), "not valid JSON: %s", je.text);
			return;
		}
		enum kesu_rc rc = check_entry(o, &err);
		char *canon = rc ? NULL : kesu_register_line(o);
		if (rc) {
			snprintf(r->why, sizeof(r->why), "%.380s", err.msg);
		} else if (!canon || strlen(canon) != n || memcmp(canon, text + pos, n)) {
			rc = KESU_ERR_INVALID;
			snprintf(r->why, sizeof(r->why),
				 "not in canonical form (the line was edited)");
		} else if ((uint64_t)json_integer_value(json_object_get(o, "seq")) !=
			   r->last_seq + 1) {
			rc = KESU_ERR_INVALID;
			snprintf(r->why, sizeof(r->why),
				 "sequence number %lld where %llu was expected (a line "
				 "was deleted, inserted or moved)",
				 (long long)json_integer_value(json_object_get(o, "seq")),
				 (unsigned long long)r->last_seq + 1);
		} else if (strcmp(json_string_value(json_object_get(o, "prev")), prev)) {
			/* Sequence numbers are intact, so nothing was moved or
			 * removed: the previous line's bytes changed after line
			 * `lineno` recorded their hash (or this prev was edited). */
			rc = KESU_ERR_INVALID;
			snprintf(r->why, sizeof(r->why),
				 "edited after it was written: its hash no longer matches "
				 "the prev recorded in line %zu (hash link broken)", lineno);
			lineno--;
		}
		free(canon);
		if (rc) {
			json_decref(o);
			r->bad_line = lineno;
			return;
		}
		if (each)
			each(o, arg);
		json_decref(o);
		kesu_sha256_hex(text + pos, n, prev);
		r->lines++;
		r->last_seq++;
		memcpy(r->last_hash, prev, sizeof(prev));
		pos += n + 1;
		r->good_bytes = pos;
	}
}

/* ---- appending ---- */

static enum kesu_rc read_fd(int fd, const char *path, char **out, size_t *len,
			    struct kesu_err *err)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return kesu_fail(err, KESU_ERR_IO, errno, "%s: %s", path, strerror(errno));
	if ((uint64_t)st.st_size > REG_MAX_BYTES)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s: larger than %u MiB; start a new register file",
				 path, REG_MAX_BYTES >> 20);
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

static enum kesu_rc write_all(int fd, const char *path, const char *s, size_t n,
			      struct kesu_err *err)
{
	if (lseek(fd, 0, SEEK_END) < 0)
		return kesu_fail(err, KESU_ERR_IO, errno, "%s: seek failed", path);
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return kesu_fail(err, KESU_ERR_IO, errno, "%s: write failed: %s; "
					 "check free space", path, strerror(errno));
		s += w;
		n -= (size_t)w;
	}
	if (fsync(fd) != 0)
		return kesu_fail(err, KESU_ERR_IO, errno, "%s: fsync failed: %s",
				 path, strerror(errno));
	return kesu_fsync_parent(path, err);
}

static enum kesu_rc append_entry(int fd, const char *path, json_t *entry,
				 struct kesu_reg_check *st, struct kesu_err *err)
{
	char now[KESU_TIME_LEN];
	kesu_time_now(now);
	json_object_set_new(entry, "seq", json_integer((json_int_t)st->last_seq + 1));
	json_object_set_new(entry, "time", json_string(now));
	json_object_set_new(entry, "prev", json_string(st->lines ? st->last_hash
							   : KESU_REGISTER_GENESIS));
	char *line = kesu_register_line(entry);
	if (!line)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	size_t n = strlen(line);
	line[n] = '\n'; /* json_dumps leaves room for exactly this NUL */
	enum kesu_rc rc = write_all(fd, path, line, n + 1, err);
	if (!rc) {
		st->last_seq++;
		st->lines++;
		kesu_sha256_hex(line, n, st->last_hash);
	}
	free(line);
	return rc;
}

static enum kesu_rc write_head(const char *path, const struct kesu_reg_check *st,
			       struct kesu_signer *signer, struct kesu_err *err)
{
	char now[KESU_TIME_LEN], head_path[PATH_MAX];
	kesu_time_now(now);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if ((size_t)snprintf(head_path, sizeof(head_path), "%s.head", path) >=
	    sizeof(head_path))
		return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", path);
	json_t *h = json_pack("{s:s s:s s:I s:s s:s}", "schema", KESU_REGISTER_SCHEMA_HEAD,
			      "register", base, "seq", (json_int_t)st->last_seq,
			      "line_sha256", st->last_hash, "time", now);
	char *text = h ? json_dumps(h, JSON_SORT_KEYS | JSON_INDENT(2)) : NULL;
	json_decref(h);
	if (!text)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	size_t n = strlen(text);
	char *t2 = realloc(text, n + 2);
	if (!t2) {
		free(text);
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	t2[n] = '\n';
	t2[n + 1] = '\0';
	enum kesu_rc rc = kesu_write_atomic(head_path, t2, n + 1, 0644, err);
	free(t2);
	if (!rc)
		rc = kesu_signer_sign_file(signer, head_path, err);
	return rc;
}

enum kesu_rc kesu_register_cert_entry(const char *cert_path, json_t **out,
				      char *id_out, struct kesu_err *err)
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
	json_t *dev = json_object_get(c, "device");
	snprintf(id_out, 37, "%s", json_string_value(json_object_get(c, "id")));
	*out = json_pack("{s:s s:s s:o s:s s:s s:O s:O s:O s:O}",
			 "kind", "certificate", "cert_id", id_out,
			 "cert_file", json_string(abs),
			 "cert_sha256", h_cert, "sig_sha256", h_sig,
			 "serial", json_object_get(dev, "serial"),
			 "model", json_object_get(dev, "model"),
			 "result", json_object_get(c, "result"),
			 "operator", json_object_get(json_object_get(c, "operator"), "name"));
	json_decref(c);
	if (!*out)
		return kesu_fail(err, KESU_ERR_INTERNAL, 0, "cannot build register entry "
				 "(path not clean UTF-8?)");
	return KESU_OK;
}

enum kesu_rc kesu_register_append_cert(const char *reg_path,
				       const char *cert_path,
				       struct kesu_signer *signer,
				       uint64_t *seq_out, struct kesu_err *err)
{
	json_t *entry;
	char id[37];
	enum kesu_rc rc = kesu_register_cert_entry(cert_path, &entry, id, err);
	if (rc)
		return rc;
	char dir[PATH_MAX];
	if (kesu_path_dirname(reg_path, dir, sizeof(dir)) &&
	    (rc = kesu_mkdir_p(dir, 0755, err))) {
		json_decref(entry);
		return rc;
	}
	int fd = open(reg_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		json_decref(entry);
		return kesu_fail(err, errno == EACCES ? KESU_ERR_PERM : KESU_ERR_IO, errno,
				 "%s: cannot open register: %s", reg_path, strerror(errno));
	}
	/* One writer at a time for the whole read-check-append-head sequence,
	 * so concurrent runs never interleave lines or fork the chain. */
	while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
		;
	char *text = NULL;
	size_t len = 0;
	struct kesu_reg_check st;
	if ((rc = read_fd(fd, reg_path, &text, &len, err)))
		goto out;
	kesu_register_check_text(text, len, &st, NULL, NULL);
	if (st.bad_line && !st.torn) {
		rc = kesu_fail(err, KESU_ERR_INVALID, 0,
			       "%s: line %zu: %s; refusing to extend a damaged register "
			       "(run 'kesu register verify' and restore it from backup)",
			       reg_path, st.bad_line, st.why);
		goto out;
	}
	char needle[64];
	snprintf(needle, sizeof(needle), "\"cert_id\":\"%s\"", id);
	if (memmem(text, st.good_bytes, needle, strlen(needle))) {
		rc = kesu_fail(err, KESU_ERR_INVALID, 0,
			       "certificate %s is already in %s; nothing to do", id, reg_path);
		goto out;
	}
	if (st.torn) {
		/* A crash mid-append left a partial line: cut it, and say so in
		 * the chain itself so the cut is never silent. */
		char cut_hash[65];
		size_t cut = len - st.good_bytes;
		kesu_sha256_hex(text + st.good_bytes, cut, cut_hash);
		if (ftruncate(fd, (off_t)st.good_bytes) != 0 || fsync(fd) != 0) {
			rc = kesu_fail(err, KESU_ERR_IO, errno, "%s: cannot cut torn line: %s",
				       reg_path, strerror(errno));
			goto out;
		}
		json_t *rec = json_pack("{s:s s:I s:s}", "kind", "recovery",
					"cut_bytes", (json_int_t)cut, "cut_sha256", cut_hash);
		rc = append_entry(fd, reg_path, rec, &st, err);
		json_decref(rec);
		if (rc)
			goto out;
	}
	if ((rc = append_entry(fd, reg_path, entry, &st, err)))
		goto out;
	if (seq_out)
		*seq_out = st.last_seq;
	rc = write_head(reg_path, &st, signer, err);
out:
	free(text);
	json_decref(entry);
	flock(fd, LOCK_UN);
	close(fd);
	return rc;
}

/* ---- verification ---- */

struct file_check {
	size_t checked, missing;
	size_t lineno;
	size_t bad_line;
	char why[384];
};

static void check_files(const json_t *o, void *arg)
{
	struct file_check *fc = arg;
	fc->lineno++;
	if (fc->bad_line || strcmp(json_string_value(json_object_get(o, "kind")), "certificate"))
		return;
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
	}
}

enum kesu_rc kesu_register_verify(const char *reg_path, const char *ca_file,
				  struct kesu_reg_verify *v, struct kesu_err *err)
{
	memset(v, 0, sizeof(*v));
	char *text, *head = NULL, *sig = NULL;
	size_t len, hlen, slen;
	enum kesu_rc rc = kesu_read_file(reg_path, REG_MAX_BYTES, &text, &len, err);
	if (rc)
		return rc;
	struct file_check fc = {0};
	kesu_register_check_text(text, len, &v->text, check_files, &fc);
	if (v->text.bad_line) {
		rc = kesu_fail(err, KESU_ERR_INVALID, 0, "%s: line %zu: %s", reg_path,
			       v->text.bad_line, v->text.why);
		goto out;
	}
	v->certs_checked = fc.checked;
	v->certs_missing = fc.missing;
	if (fc.bad_line) {
		v->text.bad_line = fc.bad_line;
		rc = kesu_fail(err, KESU_ERR_INVALID, 0, "%s: line %zu: %s", reg_path,
			       fc.bad_line, fc.why);
		goto out;
	}
	char hp[PATH_MAX], sp[PATH_MAX];
	snprintf(hp, sizeof(hp), "%s.head", reg_path);
	snprintf(sp, sizeof(sp), "%s.head.p7s", reg_path);
	if ((rc = kesu_read_file(hp, 64 * 1024, &head, &hlen, err)) ||
	    (rc = kesu_read_file(sp, 1u << 20, &sig, &slen, err))) {
		rc = kesu_err_prefix(err, "signed head: ");
		goto out;
	}
	struct kesu_sig_info si;
	if ((rc = kesu_cms_verify(head, hlen, sig, slen, ca_file, 0, &si, err))) {
		kesu_err_prefix(err, "%s: ", hp);
		goto out;
	}
	static const char *const head_keys[] = {"schema", "register", "seq",
						"line_sha256", "time", NULL};
	static const char *const schemas[] = {KESU_REGISTER_SCHEMA_HEAD, NULL};
	json_error_t je;
	json_t *h = json_loadb(head, hlen, JSON_REJECT_DUPLICATES, &je);
	int64_t seq;
	const char *lh;
	time_t t;
	if (!h || (rc = kj_keys(h, "head", head_keys, err)) ||
	    (rc = kj_enum(h, "head", "schema", schemas, NULL, err)) ||
	    (rc = kj_str(h, "head", "register", false, 255, NULL, err)) ||
	    (rc = kj_int(h, "head", "seq", 0, INT64_MAX, &seq, err)) ||
	    (rc = kj_hex(h, "head", "line_sha256", 64, &lh, err)) ||
	    (rc = kj_time(h, "head", "time", false, &t, NULL, err))) {
		if (!h)
			kesu_fail(err, KESU_ERR_INVALID, 0, "not JSON: %s", je.text);
		rc = KESU_ERR_INVALID;
		kesu_err_prefix(err, "%s: ", hp);
		json_decref(h);
		goto out;
	}
	v->head_seq = (uint64_t)seq;
	if ((uint64_t)seq > v->text.last_seq) {
		v->text.bad_line = v->text.lines + 1;
		rc = kesu_fail(err, KESU_ERR_INVALID, 0,
			       "%s: line %zu: missing; the signed head covers %lld lines "
			       "but the file has %zu (lines were deleted from the end)",
			       reg_path, v->text.lines + 1, (long long)seq, v->text.lines);
	} else if ((uint64_t)seq < v->text.last_seq) {
		v->text.bad_line = (size_t)seq + 1;
		rc = kesu_fail(err, KESU_ERR_INVALID, 0,
			       "%s: line %lld: not covered by the signed head (which "
			       "ends at %lld): appended without signing, or a crash "
			       "before the head was written", reg_path,
			       (long long)seq + 1, (long long)seq);
	} else if (strcmp(lh, v->text.last_hash)) {
		v->text.bad_line = v->text.lines;
		rc = kesu_fail(err, KESU_ERR_INVALID, 0,
			       "%s: line %zu: does not match the hash in the signed "
			       "head (the last line was edited or replaced)",
			       reg_path, v->text.lines);
	}
	json_decref(h);
out:
	free(text);
	free(head);
	free(sig);
	return rc;
}
