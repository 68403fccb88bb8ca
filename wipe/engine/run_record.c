#include "wipe/engine/run_record.h"
#include "lib/fileio.h"
#include "lib/strutil.h"
#include "lib/timefmt.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <uuid/uuid.h>

#ifndef KESU_VERSION
#define KESU_VERSION "0.0.0"
#endif

bool kesu_clock_synced(int adjtimex_state, int status)
{
	return adjtimex_state >= 0 && adjtimex_state != TIME_ERROR &&
	       !(status & STA_UNSYNC);
}

void kesu_host_probe(struct kesu_host *h)
{
	memset(h, 0, sizeof(*h));
	char name[256] = "";
	if (gethostname(name, sizeof(name) - 1) == 0)
		kesu_clean(h->hostname, sizeof(h->hostname), name, strlen(name));
	char *mid = NULL;
	size_t len = 0;
	if (kesu_read_file("/etc/machine-id", 4096, &mid, &len, NULL) == KESU_OK) {
		/* A machine-id is 32 lower-case hex digits; anything else is not
		 * one and is recorded as unknown. */
		size_t n = 0;
		while (n < len && isxdigit((unsigned char)mid[n]))
			n++;
		if (n == 32 && (len == 32 || mid[32] == '\n'))
			kesu_clean(h->machine_id, sizeof(h->machine_id), mid, 32);
		free(mid);
	}
	struct utsname u;
	if (uname(&u) == 0)
		kesu_clean(h->kernel, sizeof(h->kernel), u.release, strlen(u.release));
	struct timex tx = {0};
	int state = adjtimex(&tx);
	h->clock_synchronized = kesu_clock_synced(state, tx.status);
	struct kesu_smbios_reader dmi = {kesu_smbios_read_dir, (void *)KESU_SMBIOS_DIR};
	kesu_smbios_read(&dmi, &h->smbios);
}

void kesu_run_id_new(char out[KESU_RUN_ID_LEN])
{
	uuid_t u;
	uuid_generate_random(u);
	uuid_unparse_lower(u, out);
}

static json_t *time_or_null(time_t t)
{
	if (!t)
		return json_null();
	char buf[KESU_TIME_LEN];
	kesu_time_format(t, buf);
	return json_string(buf);
}

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? kesu_json_str(s) : json_null();
}

/* {"ms", "bytes", "mb_per_s"} of one phase, or null when this process did
 * not run it.  Rates are decimal MB/s, as dd prints them. */
static json_t *phase_timing(uint64_t ns, uint64_t bytes)
{
	if (!ns && !bytes)
		return json_null();
	double rate = ns ? (double)bytes / ((double)ns / 1e9) / 1e6 : 0.0;
	return json_pack("{s:I, s:I, s:f}", "ms", (json_int_t)(ns / 1000000u), "bytes",
			 (json_int_t)bytes, "mb_per_s", (double)(int64_t)(rate * 10 + 0.5) / 10);
}

/* How the last invocation did its I/O: speed differences between runs are
 * explained by it, the verdict never depends on it. */
static json_t *io_json(const struct kesu_io_info *io)
{
	return json_pack("{s:s, s:I, s:I, s:b, s:I, s:o, s:o}", "path",
			 io->queued ? "io_uring" : "sync", "queue_depth",
			 (json_int_t)(io->queue_depth ? io->queue_depth : 1),
			 "queue_depth_requested",
			 (json_int_t)(io->queue_depth_asked ? io->queue_depth_asked : 1),
			 "registered_buffers", io->registered_buffers, "buffer_bytes",
			 (json_int_t)io->buffer_bytes, "fallback", str_or_null(io->fallback),
			 "stream_library", str_or_null(io->stream_library));
}

/* The passes as run (the record's "passes") and, into *desc, each one's
 * pattern as the method lists it ("method.passes"). */
static json_t *passes_json(const struct kesu_wipe *w, json_t **desc)
{
	json_t *passes = json_array();
	*desc = json_array();
	for (size_t i = 0; i < w->method.npasses; i++) {
		char d[2 * KESU_PATTERN_MAX + 8];
		kesu_pass_describe(&w->method.passes[i], d, sizeof(d));
		json_array_append_new(*desc, json_string(d));
		const struct kesu_pass_state *ps = &w->passes[i];
		json_array_append_new(
			passes,
			json_pack("{s:I, s:s, s:o, s:o, s:I, s:I, s:o, s:{s:o, s:o}}", "index",
				  (json_int_t)(i + 1), "pattern", d, "started_at",
				  time_or_null(ps->started_at), "ended_at",
				  time_or_null(ps->ended_at), "bytes_written",
				  (json_int_t)ps->bytes_written, "bytes_verified",
				  (json_int_t)ps->bytes_verified, "verified",
				  ps->verified < 0 ? json_null() : json_boolean(ps->verified),
				  "timing", "write",
				  phase_timing(ps->write_ns, ps->write_timed_bytes), "verify",
				  phase_timing(ps->verify_ns, ps->verify_timed_bytes)));
	}
	return passes;
}

static json_t *bad_ranges_json(const struct kesu_wipe *w)
{
	json_t *bad = json_array();
	for (size_t i = 0; i < w->bad.n; i++)
		json_array_append_new(bad,
				      json_pack("{s:I, s:I, s:s}", "first_lba",
						(json_int_t)w->bad.v[i].first_lba, "count",
						(json_int_t)w->bad.v[i].count, "operation",
						kesu_bad_op_name(w->bad.v[i].op)));
	return bad;
}

/* One field of the run record after another, in the order of the schema,
 * read best top to bottom against it. */
json_t *kesu_run_record_to_json(const struct kesu_run_record *r)
{
	const struct kesu_wipe *w = r->wipe;
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "schema", json_string(KESU_RUN_RECORD_SCHEMA));
	json_object_set_new(o, "run_id", json_string(r->run_id));
	json_object_set_new(o, "tool", json_pack("{s:s, s:s}", "name", "kesu", "version",
						 KESU_VERSION));
	json_object_set_new(o, "host",
			    json_pack("{s:o, s:o, s:o, s:b}", "hostname",
				      str_or_null(r->host.hostname), "machine_id",
				      str_or_null(r->host.machine_id), "kernel",
				      str_or_null(r->host.kernel), "clock_synchronized",
				      r->host.clock_synchronized));
	json_t *smbios = kesu_smbios_to_json(&r->host.smbios);
	if (smbios)
		json_object_set_new(json_object_get(o, "host"), "smbios", smbios);
	json_object_set_new(o, "device", kesu_identity_to_json(r->device));
	json_object_set_new(o, "before", r->before ? json_incref(r->before) : json_null());

	json_t *passes_desc;
	json_t *passes = passes_json(w, &passes_desc);
	json_object_set_new(o, "method",
			    json_pack("{s:s, s:s, s:s, s:s, s:o}", "name", w->method.name,
				      "nist_category",
				      kesu_nist_category_name(w->method.category), "technique",
				      w->method.technique ? w->method.technique : "overwrite",
				      "verify", kesu_verify_mode_name(w->verify), "passes",
				      passes_desc));
	/* Which cipher regenerates the random passes: a record must say what
	 * a verifier would have to run to check its bytes again, and a run
	 * resumed from an older checkpoint keeps that checkpoint's AES-256. */
	bool any_random = false;
	for (size_t i = 0; i < w->method.npasses; i++)
		any_random |= w->method.passes[i].kind == KESU_PASS_RANDOM;
	json_object_set_new(json_object_get(o, "method"), "random_stream",
			    any_random ? json_string(kesu_stream_cipher_name(w->key.cipher))
				       : json_null());
	json_object_set_new(o, "passes", passes);
	json_object_set_new(o, "verification",
			    json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "mode",
				      kesu_verify_mode_name(w->verify), "outcome",
				      kesu_verify_outcome_name(w->verify_outcome),
				      "bytes_verified", (json_int_t)w->bytes_verified,
				      "bytes_planned", (json_int_t)w->verify_planned,
				      "mismatched_blocks", (json_int_t)w->mismatched_blocks,
				      "unreadable_blocks", (json_int_t)w->unreadable_blocks));
	json_object_set_new(o, "bad_ranges", bad_ranges_json(w));
	json_object_set_new(o, "block_size", json_integer(r->block_size));
	json_object_set_new(o, "started_at", time_or_null(w->started_at));
	json_object_set_new(o, "ended_at", time_or_null(w->ended_at));
	json_object_set_new(o, "bytes_written", json_integer((json_int_t)w->bytes_written));
	json_object_set_new(o, "bytes_verified", json_integer((json_int_t)w->bytes_verified));
	json_object_set_new(o, "resumed", json_boolean(w->resumed));
	json_object_set_new(o, "resumed_from", str_or_null(r->resumed_from));
	json_object_set_new(o, "result", json_string(kesu_result_name(w->result)));
	json_object_set_new(o, "reason", w->result == KESU_RESULT_ERASED || !w->reason[0]
						 ? json_null()
						 : kesu_json_str(w->reason));
	json_object_set_new(o, "firmware", r->firmware ? json_incref(r->firmware) : json_null());
	json_object_set_new(o, "health", r->health ? json_incref(r->health) : json_null());
	json_object_set_new(o, "io", io_json(&w->io));
	/* A key that failed to build (out of memory) would be missing; the
	 * certs side parses strictly, so refuse to hand out half a record. */
	static const char *const keys[] = {"tool", "host", "device", "method", "passes",
					   "verification", "bad_ranges"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!json_object_get(o, keys[i])) {
			json_decref(o);
			return NULL;
		}
	return o;
}

enum kesu_rc kesu_run_record_write(const char *dir, const struct kesu_run_record *r,
				   char *path_out, size_t path_sz, struct kesu_err *err)
{
	json_t *j = kesu_run_record_to_json(r);
	if (!j)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM,
				 "out of memory building the run record");
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	json_decref(j);
	if (!text)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM,
				 "out of memory building the run record");
	int n = snprintf(path_out, path_sz, "%s/kesu-run-%s.json", dir, r->run_id);
	if (n < 0 || (size_t)n >= path_sz) {
		free(text);
		return kesu_fail(err, KESU_ERR_USAGE, ENAMETOOLONG,
				 "%s: output directory path too long; use a shorter --out", dir);
	}
	size_t len = strlen(text);

	/* One trailing newline, so the file is a proper text file. */
	char *full = malloc(len + 2);
	if (!full) {
		free(text);
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	memcpy(full, text, len);
	full[len] = '\n';
	free(text);
	enum kesu_rc rc = kesu_write_atomic(path_out, full, len + 1, 0644, err);
	free(full);
	if (rc != KESU_OK)
		kesu_err_prefix(err, "run record: ");
	return rc;
}
