/* Checkpoints and resuming: files and their strict format, the MAC and its
 * key file, the binding to a medium, the read-back fingerprint, and what
 * the engine does after a resume (the last verification reads the whole
 * medium again).  Also the sampled verification of a bad zone, which must
 * map it as a full read of the same samples does. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "wipe/device/medium_binding.h"
#include "wipe/engine/checkpoint.h"
#include "wipe/engine/checkpoint_mac.h"
#include "wipe/engine/engine.h"
#include "wipe/engine/fingerprint.h"
#include "wipe/engine/method.h"
#include "wipe/engine/sampling.h"
#include "test_targets.h"

#define SIZE (1u << 20) /* 1 MiB: 2048 blocks of 512 */
#define BS 512u
#define CHUNK (64u << 10)
#define RUN_ID "11111111-2222-4333-8444-555555555555"

static void wipe_with(struct kesu_wipe *w, const char *method, enum kesu_verify_mode v)
{
	struct kesu_err err;
	const struct kesu_method *m = kesu_method_find(method);
	struct kesu_method custom;
	if (!m) {
		assert_int_equal(kesu_method_custom(method, &custom, &err), KESU_OK);
		m = &custom;
	}
	assert_int_equal(kesu_wipe_init(w, m, v, &err), KESU_OK);
}

static enum kesu_result run(struct kesu_target *t, struct kesu_wipe *w)
{
	struct kesu_engine_opts o = {.chunk_bytes = CHUNK};
	struct kesu_err err;
	assert_int_equal(kesu_engine_run(t, w, &o, &err), KESU_OK);
	return w->result;
}

static void fill_random(uint8_t *d, size_t n)
{
	uint64_t x = 0x1234567887654321ull;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		d[i] = (uint8_t)x;
	}
}

/* ---- a state directory per test --------------------------------------- */

struct fx {
	char tmp[64];
	char dir[128];
	struct kesu_identity id;
	struct kesu_medium_binding mb;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	strcpy(f->tmp, "/tmp/kesu-ckpt.XXXXXX");
	if (!mkdtemp(f->tmp))
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/state", f->tmp);
	strcpy(f->id.path, "/dev/sdz");
	strcpy(f->id.name, "sdz");
	strcpy(f->id.serial, "WD-1234/../x");
	strcpy(f->id.wwn, "naa.5000c500a1b2c3d4");
	f->id.size_bytes = SIZE;
	f->id.logical_block_size = BS;
	strcpy(f->mb.serial, f->id.serial);
	strcpy(f->mb.wwn, f->id.wwn);
	f->mb.size_bytes = SIZE;
	f->mb.logical_block_size = BS;
	f->mb.dev_major = 8;
	f->mb.dev_minor = 16;
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->tmp);
	int r = system(cmd);
	free(f);
	return r == 0 ? 0 : -1;
}

static void save(struct fx *f, const struct kesu_wipe *w, const json_t *cert)
{
	struct kesu_err err;
	const struct kesu_checkpoint_meta m = {&f->id, &f->mb, RUN_ID, NULL, cert};
	assert_int_equal(kesu_checkpoint_save(f->dir, &m, w, &err), KESU_OK);
}

static enum kesu_rc load(struct fx *f, const struct kesu_medium_binding *now,
			 struct kesu_wipe *w, struct kesu_checkpoint_loaded *cl,
			 struct kesu_err *err)
{
	return kesu_checkpoint_load(f->dir, &f->id, now, w, cl, err);
}

static json_t *read_json(const char *path)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	assert_non_null(j);
	return j;
}

static void write_json(const char *path, const json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	struct kesu_err err;
	assert_int_equal(kesu_write_atomic(path, s, strlen(s), 0600, &err), KESU_OK);
	free(s);
}

/* ---- files, format ------------------------------------------------------ */

static void checkpoint_files(void **state)
{
	struct fx *f = *state;
	struct kesu_wipe w;
	wipe_with(&w, "dod-3", KESU_VERIFY_ALL);
	struct kesu_err err;
	w.pass = 2;
	w.offset = 8 * BS;
	w.bytes_written = 2 * SIZE + 8 * BS;
	assert_int_equal(kesu_bad_add(&w.bad, 7, 3, KESU_BAD_WRITE, &err), KESU_OK);
	json_t *before = json_pack("{s:s}", "pttype", "dos");
	json_t *cert = json_pack("{s:s}", "property_number", "A-1");
	const struct kesu_checkpoint_meta m = {&f->id, &f->mb, RUN_ID, before, cert};
	assert_int_equal(kesu_checkpoint_save(f->dir, &m, &w, &err), KESU_OK);
	char path[256];
	assert_true(kesu_checkpoint_path(f->dir, &f->id, path, sizeof(path)));
	assert_non_null(strstr(path, "/checkpoint-serial-WD-1234_.._x.json"));
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(f->dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	char key[256];
	snprintf(key, sizeof(key), "%s/%s", f->dir, KESU_CHECKPOINT_KEY_FILE);
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, KESU_CHECKPOINT_KEY_LEN);

	struct kesu_wipe back;
	struct kesu_checkpoint_loaded cl;
	assert_int_equal(load(f, &f->mb, &back, &cl, &err), KESU_OK);
	assert_int_equal(back.pass, 2);
	assert_int_equal(back.offset, 8 * BS);
	assert_int_equal(back.bytes_written, 2 * SIZE + 8 * BS);
	assert_int_equal(back.bad.n, 1);
	assert_int_equal(back.bad.v[0].first_lba, 7);
	assert_int_equal(back.verify, KESU_VERIFY_ALL);
	assert_string_equal(back.method.name, "dod-3");
	assert_memory_equal(&back.key, &w.key, sizeof(w.key));
	assert_int_equal(back.sample_seed, w.sample_seed);
	assert_string_equal(cl.run_id, RUN_ID);
	assert_true(json_equal(cl.before, before));
	assert_true(json_equal(cl.certificate, cert));
	kesu_checkpoint_loaded_free(&cl);
	kesu_wipe_free(&back);

	/* A second save keeps the key: the first checkpoint stays valid. */
	assert_int_equal(kesu_checkpoint_save(f->dir, &m, &w, &err), KESU_OK);
	assert_int_equal(load(f, &f->mb, &back, &cl, &err), KESU_OK);
	kesu_checkpoint_loaded_free(&cl);
	kesu_wipe_free(&back);

	/* Another disk with the same serial but resized is refused by name. */
	struct kesu_medium_binding other = f->mb;
	other.size_bytes = 2 * SIZE;
	assert_int_equal(load(f, &other, &back, &cl, &err), KESU_ERR_REFUSED);
	assert_non_null(strstr(err.msg, "size differs"));
	other = f->mb;
	strcpy(other.wwn, "naa.5000c500ffffffff");
	assert_int_equal(load(f, &other, &back, &cl, &err), KESU_ERR_REFUSED);
	assert_non_null(strstr(err.msg, "WWN differs"));
	assert_null(cl.before);

	assert_int_equal(kesu_checkpoint_remove(f->dir, &f->id, &err), KESU_OK);
	assert_int_equal(kesu_checkpoint_remove(f->dir, &f->id, &err), KESU_OK);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(load(f, &f->mb, &back, &cl, &err), KESU_ERR_NOENT);
	json_decref(before);
	json_decref(cert);
	kesu_wipe_free(&w);
}

static void checkpoint_rejects_bad_positions(void **state)
{
	struct fx *f = *state;
	struct kesu_wipe w;
	wipe_with(&w, "zero", KESU_VERIFY_LAST);
	struct kesu_err err;
	const struct kesu_checkpoint_meta m = {&f->id, &f->mb, RUN_ID, NULL, NULL};
	const char *fields[] = {"pass", "offset", "offset", "extra", "certificate", "medium"};
	json_t *values[] = {json_integer(1), json_integer(SIZE + BS), json_integer(100),
			    json_true(), json_string("A-1"), json_null()};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		json_t *j = kesu_checkpoint_to_json(&m, &w);
		json_object_set_new(j, fields[i], values[i]);
		struct kesu_wipe b;
		struct kesu_checkpoint_loaded cl;
		assert_int_equal(kesu_checkpoint_from_json(j, &b, &cl, &err), KESU_ERR_INVALID);
		json_decref(j);
	}
	/* A per-pass count larger than the run's total is not believed. */
	json_t *j = kesu_checkpoint_to_json(&m, &w);
	json_object_set_new(json_array_get(json_object_get(j, "passes"), 0),
			    "mismatched_blocks", json_integer(5));
	struct kesu_wipe b;
	struct kesu_checkpoint_loaded cl;
	assert_int_equal(kesu_checkpoint_from_json(j, &b, &cl, &err), KESU_ERR_INVALID);
	json_decref(j);
	kesu_wipe_free(&w);
}

/* ---- the MAC ------------------------------------------------------------ */

/* The attack: the last pass's verification declared finished by
 * hand (phase verify, offset = size).  Without a valid MAC it is refused. */
static void edited_checkpoint_refused(void **state)
{
	struct fx *f = *state;
	struct kesu_wipe w;
	wipe_with(&w, "zero", KESU_VERIFY_LAST);
	w.phase = KESU_PHASE_VERIFY;
	save(f, &w, NULL);
	char path[256];
	assert_true(kesu_checkpoint_path(f->dir, &f->id, path, sizeof(path)));
	json_t *orig = read_json(path);
	struct kesu_err err;
	struct kesu_wipe b;
	struct kesu_checkpoint_loaded cl;

	json_t *j = json_deep_copy(orig);
	json_object_set_new(j, "offset", json_integer(SIZE));
	write_json(path, j);
	json_decref(j);
	assert_int_equal(load(f, &f->mb, &b, &cl, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "MAC does not match"));

	/* One flipped hex digit of the MAC itself. */
	j = json_deep_copy(orig);
	char mac[80];
	strcpy(mac, json_string_value(json_object_get(j, "mac")));
	mac[10] = mac[10] == '0' ? '1' : '0';
	json_object_set_new(j, "mac", json_string(mac));
	write_json(path, j);
	json_decref(j);
	assert_int_equal(load(f, &f->mb, &b, &cl, &err), KESU_ERR_INVALID);

	/* No MAC at all. */
	j = json_deep_copy(orig);
	json_object_del(j, "mac");
	write_json(path, j);
	json_decref(j);
	assert_int_equal(load(f, &f->mb, &b, &cl, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "no MAC"));

	/* The untouched file, re-serialised, still loads: the MAC covers the
	 * content, not the whitespace. */
	write_json(path, orig);
	assert_int_equal(load(f, &f->mb, &b, &cl, &err), KESU_OK);
	kesu_checkpoint_loaded_free(&cl);
	kesu_wipe_free(&b);

	/* Made under another state directory's key. */
	char key[256];
	snprintf(key, sizeof(key), "%s/%s", f->dir, KESU_CHECKPOINT_KEY_FILE);
	assert_int_equal(unlink(key), 0);
	uint8_t k[KESU_CHECKPOINT_KEY_LEN];
	assert_int_equal(kesu_checkpoint_key(f->dir, true, k, &err), KESU_OK);
	assert_int_equal(load(f, &f->mb, &b, &cl, &err), KESU_ERR_INVALID);

	/* An old, unbound checkpoint is refused with its own reason. */
	j = json_deep_copy(orig);
	json_object_set_new(j, "schema", json_string(KESU_CHECKPOINT_SCHEMA_V1));
	json_object_del(j, "mac");
	write_json(path, j);
	json_decref(j);
	assert_int_equal(load(f, &f->mb, &b, &cl, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "older kesu"));
	json_decref(orig);
	kesu_wipe_free(&w);
}

static void unsafe_key_file_refused(void **state)
{
	struct fx *f = *state;
	struct kesu_err err;
	uint8_t k[KESU_CHECKPOINT_KEY_LEN], k2[KESU_CHECKPOINT_KEY_LEN];
	assert_int_equal(kesu_mkdir_p(f->dir, 0700, &err), KESU_OK);
	assert_int_equal(kesu_checkpoint_key(f->dir, false, k, &err), KESU_ERR_NOENT);
	assert_int_equal(kesu_checkpoint_key(f->dir, true, k, &err), KESU_OK);
	assert_int_equal(kesu_checkpoint_key(f->dir, true, k2, &err), KESU_OK);
	assert_memory_equal(k, k2, sizeof(k));
	char key[256], other[256];
	snprintf(key, sizeof(key), "%s/%s", f->dir, KESU_CHECKPOINT_KEY_FILE);
	snprintf(other, sizeof(other), "%s/elsewhere", f->tmp);

	assert_int_equal(chmod(key, 0640), 0);
	assert_int_equal(kesu_checkpoint_key(f->dir, false, k, &err), KESU_ERR_PERM);
	assert_non_null(strstr(err.msg, "unsafe checkpoint key"));
	assert_int_equal(chmod(key, 0602), 0);
	assert_int_equal(kesu_checkpoint_key(f->dir, true, k, &err), KESU_ERR_PERM);
	assert_int_equal(chmod(key, 0600), 0);
	assert_int_equal(kesu_checkpoint_key(f->dir, false, k, &err), KESU_OK);
	if (geteuid() == 0) {
		assert_int_equal(chown(key, 1, 1), 0);
		assert_int_equal(kesu_checkpoint_key(f->dir, false, k, &err), KESU_ERR_PERM);
		assert_int_equal(chown(key, 0, 0), 0);
	}
	/* A symlink is not followed, whatever it points to. */
	assert_int_equal(rename(key, other), 0);
	assert_int_equal(symlink(other, key), 0);
	assert_int_equal(kesu_checkpoint_key(f->dir, true, k, &err), KESU_ERR_PERM);
	assert_int_equal(unlink(key), 0);
	/* Truncated. */
	assert_int_equal(kesu_write_atomic(key, "short", 5, 0600, &err), KESU_OK);
	assert_int_equal(kesu_checkpoint_key(f->dir, false, k, &err), KESU_ERR_INVALID);
}

/* ---- the binding -------------------------------------------------------- */

static void binding_rules(void **state)
{
	(void)state;
	struct kesu_medium_binding loop = {.size_bytes = SIZE, .logical_block_size = BS,
					   .dev_major = 7, .dev_minor = 3, .have_inode = true,
					   .inode_dev = 0x803, .inode_ino = 4242};
	char why[256];
	struct kesu_medium_binding now = loop;
	assert_true(kesu_medium_binding_same(&loop, &now, why, sizeof(why)));
	assert_string_equal(why, "");
	/* Re-attached to another image: same size, same /dev/loop3. */
	now.inode_ino = 4243;
	assert_false(kesu_medium_binding_same(&loop, &now, why, sizeof(why)));
	assert_non_null(strstr(why, "backing file is another file"));
	now = loop;
	now.dev_minor = 4;
	assert_false(kesu_medium_binding_same(&loop, &now, why, sizeof(why)));
	assert_non_null(strstr(why, "device number differs"));
	now = loop;
	now.have_inode = false;
	assert_false(kesu_medium_binding_same(&loop, &now, why, sizeof(why)));
	now = loop;
	now.logical_block_size = 4096;
	assert_false(kesu_medium_binding_same(&loop, &now, why, sizeof(why)));
	now = loop;
	now.is_file = true;
	assert_false(kesu_medium_binding_same(&loop, &now, why, sizeof(why)));

	struct kesu_medium_binding dm = {.size_bytes = SIZE, .logical_block_size = BS,
					 .dev_major = 253, .dev_minor = 0};
	strcpy(dm.dm_uuid, "LVM-abc");
	now = dm;
	strcpy(now.dm_uuid, "LVM-abd");
	assert_false(kesu_medium_binding_same(&dm, &now, why, sizeof(why)));
	assert_non_null(strstr(why, "device-mapper UUID"));

	/* With a serial number the disk may move to another port. */
	struct kesu_medium_binding disk = {.size_bytes = SIZE, .logical_block_size = BS,
					   .dev_major = 8, .dev_minor = 16};
	strcpy(disk.serial, "S1");
	now = disk;
	now.dev_minor = 32;
	assert_true(kesu_medium_binding_same(&disk, &now, why, sizeof(why)));
	strcpy(now.serial, "S2");
	assert_false(kesu_medium_binding_same(&disk, &now, why, sizeof(why)));
	assert_non_null(strstr(why, "serial number differs (checkpoint: S1, now: S2)"));
	/* A disk that gained a serial is not the one without. */
	struct kesu_medium_binding noserial = disk;
	noserial.serial[0] = '\0';
	assert_false(kesu_medium_binding_same(&noserial, &disk, why, sizeof(why)));

	/* JSON round trip, strict. */
	struct kesu_err err;
	struct kesu_medium_binding back;
	json_t *j = kesu_medium_binding_to_json(&loop);
	assert_int_equal(kesu_medium_binding_from_json(j, &back, &err), KESU_OK);
	assert_true(kesu_medium_binding_same(&loop, &back, why, sizeof(why)));
	assert_string_equal(json_string_value(json_object_get(j, "dev")), "7:3");
	json_object_set_new(j, "dev", json_string("7:3x"));
	assert_int_equal(kesu_medium_binding_from_json(j, &back, &err), KESU_ERR_INVALID);
	json_object_set_new(j, "dev", json_string("7:3"));
	json_object_set_new(j, "serial", json_string("a\nb"));
	assert_int_equal(kesu_medium_binding_from_json(j, &back, &err), KESU_ERR_INVALID);
	json_object_set_new(j, "serial", json_null());
	json_object_set_new(j, "more", json_null());
	assert_int_equal(kesu_medium_binding_from_json(j, &back, &err), KESU_ERR_INVALID);
	json_decref(j);
}

/* ---- the fingerprint ---------------------------------------------------- */

static void fingerprint_plan_follows_the_state(void **state)
{
	(void)state;
	struct kesu_wipe w;
	wipe_with(&w, "00,random", KESU_VERIFY_LAST);
	struct kesu_fingerprint_block p[KESU_FINGERPRINT_BLOCKS], q[KESU_FINGERPRINT_BLOCKS];
	/* Nothing written yet: nothing to compare. */
	assert_int_equal(kesu_fingerprint_plan(&w, SIZE, BS, p), 0);
	/* Half of the first pass: only blocks below the offset. */
	w.offset = SIZE / 2;
	size_t n = kesu_fingerprint_plan(&w, SIZE, BS, p);
	assert_int_equal(n, KESU_FINGERPRINT_BLOCKS);
	for (size_t i = 0; i < n; i++) {
		assert_true(p[i].lba < SIZE / 2 / BS);
		assert_false(p[i].or_prev);
		assert_int_equal(p[i].pass, 0);
		if (i)
			assert_true(p[i].lba > p[i - 1].lba);
	}
	/* Same state, same blocks. */
	assert_int_equal(kesu_fingerprint_plan(&w, SIZE, BS, q), n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(p[i].lba, q[i].lba);
	/* Second pass: the whole medium, above the offset either pass. */
	w.pass = 1;
	w.offset = SIZE / 4;
	n = kesu_fingerprint_plan(&w, SIZE, BS, p);
	bool above = false;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(p[i].or_prev, p[i].lba >= SIZE / 4 / BS);
		above = above || p[i].or_prev;
	}
	assert_true(above);
	/* Bad blocks are never planned. */
	struct kesu_err err;
	assert_int_equal(kesu_bad_add(&w.bad, 0, SIZE / BS / 2, KESU_BAD_WRITE, &err), KESU_OK);
	n = kesu_fingerprint_plan(&w, SIZE, BS, p);
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++)
		assert_true(p[i].lba >= SIZE / BS / 2);
	kesu_wipe_free(&w);
}

static void fingerprint_check_reads_the_medium(void **state)
{
	(void)state;
	struct kesu_target *t = mem_target_new(SIZE, BS);
	struct kesu_wipe w;
	wipe_with(&w, "00,random", KESU_VERIFY_LAST);
	assert_int_equal(run(t, &w), KESU_RESULT_ERASED);
	struct kesu_err err;
	size_t checked;
	/* As if stopped in the last verification. */
	w.pass = 1;
	w.phase = KESU_PHASE_VERIFY;
	w.offset = SIZE / 2;
	assert_int_equal(kesu_fingerprint_check(t, &w, &checked, &err), KESU_OK);
	assert_int_equal(checked, KESU_FINGERPRINT_BLOCKS);
	/* One planned block changed: refused, naming it. */
	struct kesu_fingerprint_block p[KESU_FINGERPRINT_BLOCKS];
	kesu_fingerprint_plan(&w, SIZE, BS, p);
	uint8_t *d = mem_target_data(t);
	d[p[5].lba * BS + 17] ^= 1;
	assert_int_equal(kesu_fingerprint_check(t, &w, &checked, &err), KESU_ERR_REFUSED);
	char want[64];
	snprintf(want, sizeof(want), "block %llu does not hold", (unsigned long long)p[5].lba);
	assert_non_null(strstr(err.msg, want));
	d[p[5].lba * BS + 17] ^= 1;
	/* Killed after a checkpoint in the write phase of pass 2: above the
	 * offset the medium holds pass 2 (here: all of it) or pass 1. */
	w.phase = KESU_PHASE_WRITE;
	w.offset = SIZE / 4;
	assert_int_equal(kesu_fingerprint_check(t, &w, &checked, &err), KESU_OK);
	memset(d + SIZE / 2, 0, SIZE / 2); /* pass 1's zeros above */
	assert_int_equal(kesu_fingerprint_check(t, &w, &checked, &err), KESU_OK);
	/* Another medium entirely. */
	fill_random(d, SIZE);
	assert_int_equal(kesu_fingerprint_check(t, &w, &checked, &err), KESU_ERR_REFUSED);
	kesu_wipe_free(&w);
	kesu_target_close(t);

	/* Unreadable blocks are refused too, never skipped. */
	struct fault_spec fs = {.rerr_lba = 0, .rerr_count = SIZE / BS};
	t = fault_target_new(SIZE, BS, &fs);
	wipe_with(&w, "zero", KESU_VERIFY_LAST);
	w.phase = KESU_PHASE_VERIFY;
	assert_int_equal(kesu_fingerprint_check(t, &w, &checked, &err), KESU_ERR_REFUSED);
	assert_non_null(strstr(err.msg, "cannot be read back"));
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

/* ---- what a resume verifies -------------------------------------------- */

/* Through a real checkpoint file with a valid MAC: a resume in the last
 * verification, even at offset = size, reads the whole medium again; a
 * medium whose data differs can never end erased. */
static void resume_rereads_the_whole_medium(void **state)
{
	struct fx *f = *state;
	struct kesu_target *t = mem_target_new(SIZE, BS);
	struct kesu_wipe w;
	wipe_with(&w, "zero", KESU_VERIFY_LAST);
	assert_int_equal(run(t, &w), KESU_RESULT_ERASED);
	w.phase = KESU_PHASE_VERIFY;
	w.pass = 0;
	w.offset = SIZE;
	w.passes[0].bytes_verified = SIZE;
	w.passes[0].verified = -1;
	save(f, &w, NULL);
	kesu_wipe_free(&w);

	struct kesu_wipe r;
	struct kesu_checkpoint_loaded cl;
	struct kesu_err err;
	assert_int_equal(load(f, &f->mb, &r, &cl, &err), KESU_OK);
	kesu_checkpoint_loaded_free(&cl);
	fill_random(mem_target_data(t), SIZE);
	kesu_wipe_prepare_resume(&r);
	assert_int_equal(r.offset, 0);
	enum kesu_result res = run(t, &r);
	assert_int_not_equal(res, KESU_RESULT_ERASED);
	assert_int_equal(r.verify_outcome, KESU_VERIFY_FAILED);
	kesu_wipe_free(&r);
	kesu_target_close(t);
}

/* New checkpoints keep a 64-digit AES-128 key.  One written by an earlier
 * version keeps a 96-digit AES-256 key: its random pass resumes and
 * verifies against the AES-256 stream already on the medium. */
static void checkpoint_keeps_the_stream_cipher(void **state)
{
	struct fx *f = *state;
	char path[256];
	assert_true(kesu_checkpoint_path(f->dir, &f->id, path, sizeof(path)));
	for (int old = 0; old < 2; old++) {
		struct kesu_target *t = mem_target_new(SIZE, BS);
		struct kesu_wipe w;
		wipe_with(&w, "random", KESU_VERIFY_LAST);
		if (old) {
			w.key.cipher = KESU_STREAM_AES_256_CTR;
			memset(w.key.key + 16, 0x5a, 16);
		}
		w.verify = KESU_VERIFY_NONE;
		assert_int_equal(run(t, &w), KESU_RESULT_EXCEPTIONS);
		/* interrupted before its verification */
		w.verify = KESU_VERIFY_LAST;
		w.phase = KESU_PHASE_VERIFY;
		w.pass = 0;
		w.offset = 0;
		w.passes[0].verified = -1;
		save(f, &w, NULL);
		kesu_wipe_free(&w);

		struct kesu_err err;
		json_error_t je;
		json_t *j = json_load_file(path, 0, &je);
		assert_non_null(j);
		assert_int_equal(strlen(json_string_value(json_object_get(j, "key"))),
				 old ? 96 : 64);
		json_decref(j);

		struct kesu_wipe r;
		struct kesu_checkpoint_loaded cl;
		assert_int_equal(load(f, &f->mb, &r, &cl, &err), KESU_OK);
		kesu_checkpoint_loaded_free(&cl);
		assert_int_equal(r.key.cipher,
				 old ? KESU_STREAM_AES_256_CTR : KESU_STREAM_AES_128_CTR);
		kesu_wipe_prepare_resume(&r);
		assert_int_equal(run(t, &r), KESU_RESULT_ERASED);
		assert_int_equal(r.bytes_verified, SIZE);
		kesu_wipe_free(&r);
		kesu_target_close(t);
	}
}

/* Data written to the part already verified, between the interruption and
 * the resume, is found, exactly, and counted once. */
static void write_into_verified_part_is_found(void **state)
{
	(void)state;
	struct kesu_target *t = mem_target_new(SIZE, BS);
	struct kesu_wipe w;
	wipe_with(&w, "random", KESU_VERIFY_LAST);
	assert_int_equal(run(t, &w), KESU_RESULT_ERASED);
	w.pass = 0;
	w.phase = KESU_PHASE_VERIFY;
	w.offset = SIZE / 2;
	w.bytes_verified = w.passes[0].bytes_verified = SIZE / 2;
	w.passes[0].verified = -1;
	w.verify_done = false;
	uint8_t *d = mem_target_data(t);
	memset(d + 100 * BS, 0xab, 3 * BS);
	kesu_wipe_prepare_resume(&w);
	assert_int_equal(w.bytes_verified, 0);
	assert_int_equal(run(t, &w), KESU_RESULT_EXCEPTIONS);
	assert_int_equal(w.bad.n, 1);
	assert_int_equal(w.bad.v[0].first_lba, 100);
	assert_int_equal(w.bad.v[0].count, 3);
	assert_int_equal(w.bad.v[0].op, KESU_BAD_VERIFY);
	assert_int_equal(w.mismatched_blocks, 3);
	assert_int_equal(w.bytes_verified, SIZE - 3 * BS);
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

/* A resumed verification that had found bad blocks before the interruption
 * finds them again but counts them once. */
static void restarted_verification_counts_once(void **state)
{
	(void)state;
	struct fault_spec fs = {.rerr_lba = 40, .rerr_count = 2};
	struct kesu_target *t = fault_target_new(SIZE, BS, &fs);
	struct kesu_wipe w;
	wipe_with(&w, "zero", KESU_VERIFY_LAST);
	assert_int_equal(run(t, &w), KESU_RESULT_EXCEPTIONS);
	assert_int_equal(w.unreadable_blocks, 2);
	w.pass = 0;
	w.phase = KESU_PHASE_VERIFY;
	w.offset = SIZE / 2;
	w.verify_done = false;
	kesu_wipe_prepare_resume(&w);
	assert_int_equal(run(t, &w), KESU_RESULT_EXCEPTIONS);
	assert_int_equal(w.unreadable_blocks, 2);
	assert_int_equal(w.passes[0].unreadable, 2);
	assert_int_equal(w.bytes_verified, SIZE - 2 * BS);
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

/* ---- sampled verification of a bad zone --------------------------------- */

/* The bad ranges a sampled verification lists are exactly the sampled part
 * of those a full verification lists, and the verdict is the same. */
static void sampled_bad_zone_mapped_like_full(void **state)
{
	(void)state;
	/* 8 MiB: 1,000 subsections of 16 blocks, two 1-block samples each.
	 * 256 KiB unreadable (4 chunks) is an ordinary bad zone to a full
	 * read; it holds 64 samples in a row. */
	const uint64_t size = 8u << 20, zlba = 4096, zcount = 512;
	struct fault_spec fs = {.rerr_lba = zlba, .rerr_count = zcount};
	struct kesu_target *t = fault_target_new(size, BS, &fs);
	struct kesu_wipe full, smp;
	wipe_with(&full, "zero", KESU_VERIFY_LAST);
	assert_int_equal(run(t, &full), KESU_RESULT_EXCEPTIONS);
	assert_int_equal(full.bad.n, 1);
	assert_int_equal(full.bad.v[0].first_lba, zlba);
	assert_int_equal(full.bad.v[0].count, zcount);

	wipe_with(&smp, "zero", KESU_VERIFY_SAMPLE);
	assert_int_equal(run(t, &smp), KESU_RESULT_EXCEPTIONS);
	assert_false(smp.fatal);
	struct kesu_sample_plan plan;
	struct kesu_err err;
	assert_int_equal(kesu_sampling_plan(size, BS, smp.sample_seed, &plan, &err), KESU_OK);
	struct kesu_bad_list want = {0};
	for (size_t i = 0; i < plan.count; i++) {
		uint64_t a = plan.samples[i].offset / BS, b = a + plan.samples[i].length / BS;
		if (a < zlba)
			a = zlba;
		if (b > zlba + zcount)
			b = zlba + zcount;
		if (a < b)
			assert_int_equal(kesu_bad_add(&want, a, b - a, KESU_BAD_READ, &err), KESU_OK);
	}
	assert_true(want.n > 2 * 8);
	assert_int_equal(smp.bad.n, want.n);
	for (size_t i = 0; i < want.n; i++) {
		assert_int_equal(smp.bad.v[i].first_lba, want.v[i].first_lba);
		assert_int_equal(smp.bad.v[i].count, want.v[i].count);
		assert_int_equal(smp.bad.v[i].op, KESU_BAD_READ);
	}
	assert_int_equal(smp.unreadable_blocks, kesu_bad_blocks(&want));
	kesu_bad_free(&want);
	kesu_sampling_plan_free(&plan);
	kesu_wipe_free(&full);
	kesu_wipe_free(&smp);
	kesu_target_close(t);

	/* A truly dead device is still given up on, sampled or not. */
	struct fault_spec dead = {.rerr_lba = 0, .rerr_count = size / BS};
	t = fault_target_new(size, BS, &dead);
	wipe_with(&smp, "zero", KESU_VERIFY_SAMPLE);
	assert_int_equal(run(t, &smp), KESU_RESULT_FAILED);
	assert_non_null(strstr(smp.reason, "stopped answering reads"));
	kesu_wipe_free(&smp);
	kesu_target_close(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(checkpoint_files, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(checkpoint_rejects_bad_positions, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(edited_checkpoint_refused, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(unsafe_key_file_refused, fx_setup, fx_teardown),
		cmocka_unit_test(binding_rules),
		cmocka_unit_test(fingerprint_plan_follows_the_state),
		cmocka_unit_test(fingerprint_check_reads_the_medium),
		cmocka_unit_test_setup_teardown(checkpoint_keeps_the_stream_cipher, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(resume_rereads_the_whole_medium, fx_setup,
						fx_teardown),
		cmocka_unit_test(write_into_verified_part_is_found),
		cmocka_unit_test(restarted_verification_counts_once),
		cmocka_unit_test(sampled_bad_zone_mapped_like_full),
	};
	return cmocka_run_group_tests_name("checkpoint", tests, NULL, NULL);
}
