#include "wipe/engine/checkpoint.h"
#include "lib/fileio.h"
#include "lib/strutil.h"
#include "wipe/engine/checkpoint_mac.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static json_t *pass_descs(const struct kesu_method *m)
{
	json_t *a = json_array();
	for (size_t i = 0; i < m->npasses; i++) {
		char d[2 * KESU_PATTERN_MAX + 8];
		kesu_pass_describe(&m->passes[i], d, sizeof(d));
		json_array_append_new(a, json_string(d));
	}
	return a;
}

json_t *kesu_checkpoint_to_json(const struct kesu_checkpoint_meta *m,
				const struct kesu_wipe *w)
{
	char key[97];
	kesu_stream_key_to_hex(&w->key, key);
	char seed[17];
	snprintf(seed, sizeof(seed), "%016" PRIx64, w->sample_seed);
	json_t *passes = json_array();
	for (size_t i = 0; i < w->method.npasses; i++) {
		const struct kesu_pass_state *p = &w->passes[i];
		json_array_append_new(
			passes,
			json_pack("{s:I, s:I, s:I, s:I, s:I, s:i, s:I, s:I}", "started_at",
				  (json_int_t)p->started_at, "ended_at", (json_int_t)p->ended_at,
				  "bytes_written", (json_int_t)p->bytes_written,
				  "bytes_verified", (json_int_t)p->bytes_verified, "verify_bad",
				  (json_int_t)p->verify_bad, "verified", p->verified,
				  "mismatched_blocks", (json_int_t)p->mismatched,
				  "unreadable_blocks", (json_int_t)p->unreadable));
	}
	json_t *bad = json_array();
	for (size_t i = 0; i < w->bad.n; i++)
		json_array_append_new(bad, json_pack("{s:I, s:I, s:s}", "first_lba",
						     (json_int_t)w->bad.v[i].first_lba,
						     "count", (json_int_t)w->bad.v[i].count,
						     "operation",
						     kesu_bad_op_name(w->bad.v[i].op)));
	json_t *j = json_pack(
		"{s:s, s:s, s:o, s:o, s:{s:s, s:s, s:o}, s:s, s:s, s:I, s:s, s:I, s:o, s:o,"
		" s:I, s:I, s:I, s:I, s:I}",
		"schema", KESU_CHECKPOINT_SCHEMA, "run_id", m->run_id, "device",
		kesu_identity_to_json(m->id), "medium",
		kesu_medium_binding_to_json(m->binding), "method", "name", w->method.name,
		"verify", kesu_verify_mode_name(w->verify), "passes", pass_descs(&w->method),
		"key", key, "sample_seed", seed, "pass", (json_int_t)w->pass, "phase",
		kesu_phase_name(w->phase), "offset", (json_int_t)w->offset, "passes",
		passes, "bad_ranges", bad, "bytes_written", (json_int_t)w->bytes_written,
		"bytes_verified", (json_int_t)w->bytes_verified, "mismatched_blocks",
		(json_int_t)w->mismatched_blocks, "unreadable_blocks",
		(json_int_t)w->unreadable_blocks, "started_at", (json_int_t)w->started_at);
	explicit_bzero(key, sizeof(key));
	if (j) {
		json_object_set_new(j, "before",
				    m->before ? json_deep_copy(m->before) : json_null());
		json_object_set_new(j, "certificate", m->certificate
							      ? json_deep_copy(m->certificate)
							      : json_null());
	}
	return j;
}

void kesu_checkpoint_loaded_free(struct kesu_checkpoint_loaded *l)
{
	json_decref(l->before);
	json_decref(l->certificate);
	l->before = l->certificate = NULL;
}

static enum kesu_rc bad_cp(struct kesu_err *err, const char *what)
{
	return kesu_fail(err, KESU_ERR_INVALID, 0,
			 "checkpoint is malformed (%s); remove it and start the wipe over",
			 what);
}

static enum kesu_rc rebuild_method(const char *name, const json_t *descs,
				   struct kesu_method *m, struct kesu_err *err)
{
	size_t n = json_array_size(descs);
	if (n == 0 || n > KESU_PASSES_MAX)
		return bad_cp(err, "pass list");
	const struct kesu_method *found = kesu_method_find(name);
	if (found) {
		*m = *found;
	} else {
		/* A --passes method: rebuild it from its pass list. */
		char list[KESU_PASSES_MAX * (2 * KESU_PATTERN_MAX + 1) + 1] = "";
		for (size_t i = 0; i < n; i++) {
			const char *d = json_string_value(json_array_get(descs, i));
			if (!d || strlen(d) > 2 * KESU_PATTERN_MAX)
				return bad_cp(err, "pass list");
			if (i)
				strcat(list, ",");
			strcat(list, d);
		}
		struct kesu_err e2;
		if (kesu_method_custom(list, m, &e2) != KESU_OK)
			return bad_cp(err, "pass list");
		kesu_strlcpy(m->name, name, sizeof(m->name));
	}
	if (m->npasses != n)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "checkpoint's method %s has %zu passes but this kesu's has %zu; "
				 "start the wipe over",
				 name, n, m->npasses);
	for (size_t i = 0; i < n; i++) {
		char d[2 * KESU_PATTERN_MAX + 8];
		kesu_pass_describe(&m->passes[i], d, sizeof(d));
		const char *s = json_string_value(json_array_get(descs, i));
		if (!s || strcmp(s, d))
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "checkpoint's method %s differs from this kesu's; start "
					 "the wipe over",
					 name);
	}
	return KESU_OK;
}

static bool phase_parse(const char *s, enum kesu_phase *out)
{
	if (!strcmp(s, "write"))
		*out = KESU_PHASE_WRITE;
	else if (!strcmp(s, "verify"))
		*out = KESU_PHASE_VERIFY;
	else if (!strcmp(s, "done"))
		*out = KESU_PHASE_DONE;
	else
		return false;
	return true;
}

/* Each pass's state, none counting more than the whole run, then the bad
 * ranges; w->bad is freed again on failure. */
static enum kesu_rc load_passes_and_bad(const json_t *passes, const json_t *bad,
					struct kesu_wipe *w, struct kesu_err *err)
{
	json_error_t je;
	enum kesu_rc rc;
	json_int_t mm = (json_int_t)w->mismatched_blocks, ur = (json_int_t)w->unreadable_blocks,
		   bv = (json_int_t)w->bytes_verified;
	if (json_array_size(passes) != w->method.npasses)
		return bad_cp(err, "passes");
	for (size_t i = 0; i < w->method.npasses; i++) {
		json_int_t s, e, pw, pv, vb, pm, pu;
		int verified;
		if (json_unpack_ex(json_array_get((json_t *)passes, i), &je, JSON_STRICT,
				   "{s:I, s:I, s:I, s:I, s:I, s:i, s:I, s:I}", "started_at", &s,
				   "ended_at", &e, "bytes_written", &pw, "bytes_verified", &pv,
				   "verify_bad", &vb, "verified", &verified, "mismatched_blocks",
				   &pm, "unreadable_blocks", &pu) != 0 ||
		    s < 0 || e < 0 || pw < 0 || pv < 0 || vb < 0 || verified < -1 ||
		    verified > 1 || pm < 0 || pu < 0 || pm > mm || pu > ur || pv > bv)
			return bad_cp(err, "passes");
		/* Timings are not carried over: they measure this process. */
		w->passes[i] = (struct kesu_pass_state){
			.started_at = (time_t)s, .ended_at = (time_t)e,
			.bytes_written = (uint64_t)pw, .bytes_verified = (uint64_t)pv,
			.verify_bad = (uint64_t)vb, .verified = verified,
			.mismatched = (uint64_t)pm, .unreadable = (uint64_t)pu};
	}
	for (size_t i = w->method.npasses; i < KESU_PASSES_MAX; i++)
		w->passes[i].verified = -1;
	size_t nb = json_array_size(bad);
	if (!json_is_array(bad) || nb > KESU_BAD_RANGES_MAX)
		return bad_cp(err, "bad_ranges");
	for (size_t i = 0; i < nb; i++) {
		json_int_t lba, count;
		const char *op;
		enum kesu_bad_op bop;
		if (json_unpack_ex(json_array_get((json_t *)bad, i), &je, JSON_STRICT,
				   "{s:I, s:I, s:s}", "first_lba", &lba, "count", &count,
				   "operation", &op) != 0 ||
		    lba < 0 || count <= 0 || !kesu_bad_op_parse(op, &bop)) {
			kesu_bad_free(&w->bad);
			return bad_cp(err, "bad_ranges");
		}
		rc = kesu_bad_add(&w->bad, (uint64_t)lba, (uint64_t)count, bop, err);
		if (rc != KESU_OK) {
			kesu_bad_free(&w->bad);
			return rc;
		}
	}
	return KESU_OK;
}

enum kesu_rc kesu_checkpoint_from_json(const json_t *j, struct kesu_wipe *w,
				       struct kesu_checkpoint_loaded *out,
				       struct kesu_err *err)
{
	memset(w, 0, sizeof(*w));
	memset(out, 0, sizeof(*out));
	struct kesu_identity *id = &out->id;
	const char *schema, *rid, *mname, *verify, *key, *seed, *phase;
	json_t *dev, *medium, *descs, *passes, *bad, *before, *cert;
	json_int_t pass, offset, bw, bv, mm, ur, started;
	json_error_t je;
	if (json_unpack_ex((json_t *)j, &je, JSON_STRICT,
			   "{s:s, s:s, s:o, s:o, s:{s:s, s:s, s:o}, s:s, s:s, s:I, s:s, s:I, s:o,"
			   " s:o, s:I, s:I, s:I, s:I, s:I, s:o, s:o}",
			   "schema", &schema, "run_id", &rid, "device", &dev, "medium", &medium,
			   "method", "name",
			   &mname, "verify", &verify, "passes", &descs, "key", &key,
			   "sample_seed", &seed, "pass", &pass, "phase", &phase, "offset",
			   &offset, "passes", &passes, "bad_ranges", &bad, "bytes_written",
			   &bw, "bytes_verified", &bv, "mismatched_blocks", &mm,
			   "unreadable_blocks", &ur, "started_at", &started, "before",
			   &before, "certificate", &cert) != 0)
		return bad_cp(err, je.text);
	if (strcmp(schema, KESU_CHECKPOINT_SCHEMA))
		return bad_cp(err, "unknown schema");
	if (strlen(rid) != KESU_RUN_ID_LEN - 1 || !kesu_is_clean(rid))
		return bad_cp(err, "run_id");
	memcpy(out->run_id, rid, KESU_RUN_ID_LEN);
	enum kesu_rc rc = kesu_identity_from_json(dev, id, err);
	if (rc != KESU_OK)
		return rc;
	if (kesu_medium_binding_from_json(medium, &out->binding, err) != KESU_OK)
		return bad_cp(err, "medium");
	if (out->binding.size_bytes != id->size_bytes)
		return bad_cp(err, "medium size");
	rc = rebuild_method(mname, descs, &w->method, err);
	if (rc != KESU_OK)
		return rc;
	if (!kesu_verify_mode_parse(verify, &w->verify))
		return bad_cp(err, "verify mode");
	if (kesu_stream_key_from_hex(key, &w->key, err) != KESU_OK)
		return bad_cp(err, "key");
	char *endp;
	errno = 0;
	w->sample_seed = strtoull(seed, &endp, 16);
	if (strlen(seed) != 16 || *endp || errno)
		return bad_cp(err, "sample_seed");
	if (!phase_parse(phase, &w->phase))
		return bad_cp(err, "phase");
	uint32_t bs = id->logical_block_size ? id->logical_block_size : 512;
	if (pass < 0 || (size_t)pass >= w->method.npasses || offset < 0 ||
	    (uint64_t)offset > id->size_bytes || (uint64_t)offset % bs || bw < 0 || bv < 0 ||
	    mm < 0 || ur < 0 || started < 0 || w->phase == KESU_PHASE_DONE)
		return bad_cp(err, "position");
	if (w->phase == KESU_PHASE_VERIFY && !kesu_wipe_verifies_pass(w, (size_t)pass))
		return bad_cp(err, "phase");
	w->pass = (size_t)pass;
	w->offset = (uint64_t)offset;
	w->bytes_written = (uint64_t)bw;
	w->bytes_verified = (uint64_t)bv;
	w->mismatched_blocks = (uint64_t)mm;
	w->unreadable_blocks = (uint64_t)ur;
	w->started_at = (time_t)started;
	if ((rc = load_passes_and_bad(passes, bad, w, err)))
		return rc;
	if ((!json_is_object(before) && !json_is_null(before)) ||
	    (!json_is_object(cert) && !json_is_null(cert))) {
		kesu_bad_free(&w->bad);
		return bad_cp(err, json_is_object(cert) || json_is_null(cert) ? "before"
									      : "certificate");
	}
	out->before = json_incref(before);
	out->certificate = json_incref(cert);
	w->result = KESU_RESULT_FAILED;
	w->verify_outcome = KESU_VERIFY_INCOMPLETE;
	return KESU_OK;
}

bool kesu_checkpoint_path(const char *state_dir, const struct kesu_identity *id,
			  char *buf, size_t bufsz)
{
	const char *key = id->serial[0] ? id->serial : id->wwn[0] ? id->wwn : id->path;
	char safe[KESU_STR_MAX + 1];
	size_t n = 0;
	for (const char *p = key; *p && n < sizeof(safe) - 1; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '.';
		safe[n++] = ok ? c : '_';
	}
	safe[n] = '\0';
	int r = snprintf(buf, bufsz, "%s/checkpoint-%s%s.json", state_dir,
			 id->serial[0] ? "serial-" : id->wwn[0] ? "wwn-" : "path", safe);
	return r > 0 && (size_t)r < bufsz;
}

char *kesu_checkpoint_mac_text(const json_t *j, size_t *len)
{
	json_t *c = json_copy((json_t *)j);
	if (!c)
		return NULL;
	json_object_del(c, "mac");
	char *text = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(c);
	if (text)
		*len = strlen(text);
	return text;
}

enum kesu_rc kesu_checkpoint_save(const char *state_dir, const struct kesu_checkpoint_meta *m,
				  const struct kesu_wipe *w, struct kesu_err *err)
{
	char path[PATH_MAX];
	if (!kesu_checkpoint_path(state_dir, m->id, path, sizeof(path)))
		return kesu_fail(err, KESU_ERR_USAGE, ENAMETOOLONG,
				 "%s: state directory path too long", state_dir);
	enum kesu_rc rc = kesu_mkdir_p(state_dir, 0700, err);
	if (rc != KESU_OK)
		return kesu_err_prefix(err, "checkpoint: ");
	uint8_t mkey[KESU_CHECKPOINT_KEY_LEN];
	rc = kesu_checkpoint_key(state_dir, true, mkey, err);
	if (rc != KESU_OK)
		return kesu_err_prefix(err, "checkpoint: ");
	json_t *j = kesu_checkpoint_to_json(m, w);
	size_t len = 0;
	char *body = j ? kesu_checkpoint_mac_text(j, &len) : NULL;
	char mac[KESU_CHECKPOINT_MAC_HEX];
	char *text = NULL;
	if (body && (rc = kesu_checkpoint_mac(mkey, body, len, mac, err)) == KESU_OK) {
		json_object_set_new(j, "mac", json_string(mac));
		text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	}
	explicit_bzero(mkey, sizeof(mkey));
	if (body) {
		explicit_bzero(body, len);
		free(body);
	}
	json_decref(j);
	if (rc != KESU_OK)
		return rc;
	if (!text)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM,
				 "out of memory writing the checkpoint");
	len = strlen(text);
	rc = kesu_write_atomic(path, text, len, 0600, err);
	explicit_bzero(text, len);
	free(text);
	if (rc != KESU_OK)
		kesu_err_prefix(err, "checkpoint: ");
	return rc;
}

/* The MAC first, before anything in the file is believed. */
static enum kesu_rc check_mac(const char *state_dir, const char *path, const json_t *j,
			      struct kesu_err *err)
{
	const char *mac = json_string_value(json_object_get(j, "mac"));
	if (!mac)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s: the checkpoint has no MAC; it was not written by this "
				 "kesu and is not resumed: start a new wipe without --resume",
				 path);
	uint8_t mkey[KESU_CHECKPOINT_KEY_LEN];
	enum kesu_rc rc = kesu_checkpoint_key(state_dir, false, mkey, err);
	if (rc != KESU_OK)
		return rc;
	size_t len = 0;
	char *body = kesu_checkpoint_mac_text(j, &len);
	char want[KESU_CHECKPOINT_MAC_HEX];
	if (!body)
		rc = kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	else
		rc = kesu_checkpoint_mac(mkey, body, len, want, err);
	explicit_bzero(mkey, sizeof(mkey));
	if (body) {
		explicit_bzero(body, len);
		free(body);
	}
	if (rc == KESU_OK && !kesu_checkpoint_mac_equal(mac, want))
		rc = kesu_fail(err, KESU_ERR_INVALID, 0,
			       "%s: the checkpoint's MAC does not match: it was changed after "
			       "kesu wrote it (or made under another state directory's key); "
			       "it is not resumed: start a new wipe without --resume",
			       path);
	return rc;
}

enum kesu_rc kesu_checkpoint_load(const char *state_dir, const struct kesu_identity *current,
				  const struct kesu_medium_binding *binding,
				  struct kesu_wipe *w, struct kesu_checkpoint_loaded *out,
				  struct kesu_err *err)
{
	memset(out, 0, sizeof(*out));
	char path[PATH_MAX];
	if (!kesu_checkpoint_path(state_dir, current, path, sizeof(path)))
		return kesu_fail(err, KESU_ERR_USAGE, ENAMETOOLONG,
				 "%s: state directory path too long", state_dir);
	if (access(path, F_OK) != 0)
		return kesu_fail(err, KESU_ERR_NOENT, errno,
				 "%s: no checkpoint for this device in %s; start a new wipe "
				 "without --resume",
				 current->path, state_dir);
	char *text = NULL;
	size_t len = 0;
	enum kesu_rc rc = kesu_read_file(path, 1 << 20, &text, &len, err);
	if (rc != KESU_OK)
		return rc;
	json_error_t je;
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	explicit_bzero(text, len);
	free(text);
	if (!j)
		return bad_cp(err, je.text);
	const char *schema = json_string_value(json_object_get(j, "schema"));
	if (schema && !strcmp(schema, KESU_CHECKPOINT_SCHEMA_V1)) {
		json_decref(j);
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s: this checkpoint (%s) was written by an older kesu that "
				 "did not bind it to its medium; it cannot be resumed safely: "
				 "remove it and start a new wipe without --resume",
				 path, KESU_CHECKPOINT_SCHEMA_V1);
	}
	rc = check_mac(state_dir, path, j, err);
	if (rc == KESU_OK) {
		json_t *body = json_copy(j);
		json_object_del(body, "mac");
		rc = kesu_checkpoint_from_json(body, w, out, err);
		json_decref(body);
	}
	json_decref(j);
	if (rc != KESU_OK)
		return rc;
	char why[256];
	if (!kesu_medium_binding_same(&out->binding, binding, why, sizeof(why))) {
		kesu_wipe_free(w);
		kesu_checkpoint_loaded_free(out);
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "%s is not the medium the checkpoint was made for: %s; "
				 "start a new wipe without --resume",
				 current->path, why);
	}
	return KESU_OK;
}

enum kesu_rc kesu_checkpoint_remove(const char *state_dir, const struct kesu_identity *id,
				    struct kesu_err *err)
{
	char path[PATH_MAX];
	if (!kesu_checkpoint_path(state_dir, id, path, sizeof(path)))
		return kesu_fail(err, KESU_ERR_USAGE, ENAMETOOLONG,
				 "%s: state directory path too long", state_dir);
	if (unlink(path) < 0) {
		if (errno == ENOENT)
			return KESU_OK;
		return kesu_fail(err, KESU_ERR_IO, errno,
				 "%s: cannot remove the checkpoint: %s", path, strerror(errno));
	}
	kesu_fsync_parent(path, NULL);
	return KESU_OK;
}
