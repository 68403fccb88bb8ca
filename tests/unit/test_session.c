/* The wipe session end to end without a device: a real probe and gate of
 * an image file in a temporary directory, the erasure itself on a memory
 * or fault-injecting target put behind the session's open, a throwaway
 * CA and operator key, a temporary file register.  What is checked is
 * what the register and the documents say afterwards. */
#include "certs/document/cert_verify.h"
#include "certs/register/register.h"
#include "cli/session/session.h"
#include "lib/fileio.h"
#include "test_pki.h"
#include "test_targets.h"
#include "wipe/engine/checkpoint.h"
#include "wipe/engine/method.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIZE (16u << 20) /* four of the engine's chunks */

struct fx {
	char dir[64], img[128], state[128], out[128], reg[160], key[128], cert[128], ca[128];
	struct kesu_method method;
	struct kesu_session_opts so;
	struct kesu_session_observer obs;
	struct kesu_cert_opts co;
	struct kesu_issuer *issuer;
	/* what the open hands out */
	bool faulty;
	struct fault_spec spec;
	uint64_t open_size;
	struct kesu_target *opened;
	/* what the observer heard */
	int progress, phases, ended, done, notices;
	char last_notice[600];
	bool saw_verify;
	enum kesu_rc done_rc;
	bool interrupt_after_first_chunk;
	/* which devices the notices were about, in the order heard */
	struct kesu_session_device *noticed[32];
	size_t n_noticed;
};

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static char *slurp(const char *path)
{
	char *data;
	size_t len;
	struct kesu_err err;
	if (kesu_read_file(path, 1u << 24, &data, &len, &err) != KESU_OK)
		return NULL;
	return data;
}

static enum kesu_rc open_model(const char *path, void *ud, struct kesu_target **out,
			       struct kesu_err *err)
{
	(void)path;
	(void)err;
	struct fx *f = ud;
	uint64_t size = f->open_size ? f->open_size : SIZE;
	*out = f->faulty ? fault_target_new(size, 512, &f->spec) : mem_target_new(size, 512);
	f->opened = *out;
	return KESU_OK;
}

static void on_progress(struct kesu_session_device *d, const struct kesu_progress *p,
			void *ud)
{
	struct fx *f = ud;
	f->progress++;
	/* once something is written, so a resume has something to find */
	if (f->interrupt_after_first_chunk && p->run_done > 0)
		kesu_session_interrupt(d);
}

static void on_phase(struct kesu_session_device *d, const struct kesu_progress *p, void *ud)
{
	(void)d;
	struct fx *f = ud;
	f->phases++;
	f->saw_verify |= p->phase == KESU_PHASE_VERIFY;
}

static void on_notice(struct kesu_session_device *d, const struct kesu_err *note, void *ud)
{
	(void)d;
	snprintf(((struct fx *)ud)->last_notice, sizeof(((struct fx *)ud)->last_notice), "%s",
		 note->msg);
	struct fx *f = ud;
	f->notices++;
	if (f->n_noticed < sizeof(f->noticed) / sizeof(f->noticed[0]))
		f->noticed[f->n_noticed++] = d;
}

static void on_ended(struct kesu_session_device *d, void *ud)
{
	(void)d;
	((struct fx *)ud)->ended++;
}

static void on_done(struct kesu_session_device *d, enum kesu_rc rc, void *ud)
{
	(void)d;
	struct fx *f = ud;
	f->done++;
	f->done_rc = rc;
}

/* A CA, an operator key and certificate, files mode 0600 as kesu wants. */
static void make_pki(struct fx *f, bool mismatched_key)
{
	struct pki_id ca = pki_ca("Session Test CA");
	time_t now = time(NULL);
	struct pki_id op = pki_operator(&ca, "Session Operator", now - 3600, now + 86400, 7);
	struct pki_id other = pki_operator(&ca, "Someone Else", now - 3600, now + 86400, 8);
	pki_write_cert(f->ca, ca.cert);
	pki_write_cert(f->cert, op.cert);
	int fd = open(f->key, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	FILE *kf = fdopen(fd, "w");
	assert_non_null(kf);
	assert_int_equal(PEM_write_PrivateKey(kf, mismatched_key ? other.key : op.key, NULL,
					      NULL, 0, NULL, NULL), 1);
	fclose(kf);
	pki_free(&other);
	pki_free(&op);
	pki_free(&ca);
}

static void cert_opts(struct fx *f)
{
	struct kesu_cert_info *i = &f->co.info;
	strcpy(i->operator_name, "山田 太郎");
	strcpy(i->operator_organization, "テスト消去株式会社");
	strcpy(i->customer, "総務課");
	strcpy(i->property_number, "A-0001");
	/* Class 2: a typed approver is enough under the default [policy]
	 * (signed approvals are test_approval's and approval.sh's). */
	i->confidentiality_class = 2;
	strcpy(i->reason, "disposal");
	strcpy(i->approver, "佐藤 花子");
	strcpy(i->approval_date, "2025-01-20");
	strcpy(i->witnesses[0].name, "鈴木 一郎");
	strcpy(i->witnesses[0].organization, "情報政策課");
	i->n_witnesses = 1;
	f->co.config_path = "/dev/null";
	f->co.key = f->key;
	f->co.cert = f->cert;
	f->co.ca_file = f->ca;
	f->co.register_path = f->reg;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	strcpy(f->dir, "/tmp/kesu-session-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->img, sizeof(f->img), "%s/disk.img", f->dir);
	snprintf(f->state, sizeof(f->state), "%s/state", f->dir);
	snprintf(f->out, sizeof(f->out), "%s/out", f->dir);
	snprintf(f->reg, sizeof(f->reg), "%s/register.jsonl", f->dir);
	snprintf(f->key, sizeof(f->key), "%s/op.key", f->dir);
	snprintf(f->cert, sizeof(f->cert), "%s/op.pem", f->dir);
	snprintf(f->ca, sizeof(f->ca), "%s/ca.pem", f->dir);
	/* An image file: probed and gated for real, written only through
	 * the model the open hands out. */
	int fd = open(f->img, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0 && ftruncate(fd, SIZE) == 0);
	close(fd);
	struct kesu_err err;
	assert_int_equal(kesu_method_custom("ff", &f->method, &err), KESU_OK);
	make_pki(f, false);
	cert_opts(f);
	f->obs = (struct kesu_session_observer){on_progress, on_phase, on_notice, on_ended,
						on_done, f};
	f->so = (struct kesu_session_opts){
		.state_dir = f->state, .out_dir = f->out, .method = &f->method,
		.given = &f->co.info, .open = open_model, .open_ud = f,
	};
	*state = f;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	kesu_issuer_free(f->issuer);
	/* our own mkdtemp directory, depth first, links not followed */
	assert_int_equal(nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	free(f);
	return 0;
}

static void with_issuer(struct fx *f)
{
	struct kesu_err err;
	if (kesu_issuer_prepare(&f->co, &f->issuer, &err) != KESU_OK)
		fail_msg("issuer: %s", err.msg);
	f->so.issuer = f->issuer;
}

/* Prepare, open, arm, start, join: the device's erasure as far as the
 * thread goes. */
static struct kesu_session_device *erase(struct fx *f, atomic_int *stop)
{
	struct kesu_err err;
	struct kesu_session_device *d = kesu_session_device_new(f->img, &f->so, &f->obs);
	assert_non_null(d);
	if (kesu_session_prepare(d, &err) || kesu_session_open(d, &err) ||
	    kesu_session_arm(d, &err) || kesu_session_start(d, stop, &err))
		fail_msg("%s", err.msg);
	kesu_session_join(d);
	assert_true(kesu_session_ended(d));
	return d;
}

static json_t *load_json(const char *path)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	if (!j)
		fail_msg("%s: %s", path, je.text);
	return j;
}

static const char *record_result(const struct kesu_session_device *d, json_t **keep)
{
	*keep = load_json(d->record_path);
	return json_string_value(json_object_get(*keep, "result"));
}

static size_t register_lines(const char *reg)
{
	char *t = slurp(reg);
	size_t n = 0;
	for (char *p = t; p && *p; p++)
		n += *p == '\n';
	free(t);
	return n;
}

static void clean_run_is_erased_certified_and_registered(void **state)
{
	struct fx *f = *state;
	with_issuer(f);
	struct kesu_session_device *d = erase(f, NULL);
	/* every byte went through the injected target */
	const uint8_t *m = mem_target_data(f->opened);
	for (size_t i = 0; i < SIZE; i += 4096)
		assert_int_equal(m[i], 0xff);
	struct kesu_err err;
	assert_int_equal(kesu_session_finish(d, &err), KESU_OK);
	assert_string_equal(err.msg, "");
	assert_int_equal(d->w.result, KESU_RESULT_ERASED);
	assert_true(d->cert_issued);
	assert_true(f->progress > 0 && f->saw_verify && f->phases >= 2);
	assert_int_equal(f->ended, 1);
	assert_int_equal(f->done, 1);
	assert_int_equal(f->done_rc, KESU_OK);
	/* the certificate verifies against the CA and says erased */
	struct kesu_cert_file_verdict v;
	kesu_cert_verify_file(d->cert_path, f->ca, 0, &v);
	if (!v.ok)
		fail_msg("%s: %s", v.stage, v.error);
	assert_string_equal(v.result, "erased");
	/* its register line is there and the register verifies */
	struct kesu_reg_verify rv;
	assert_int_equal(kesu_register_verify(f->reg, f->ca, true, &rv, NULL, NULL, &err),
			 KESU_OK);
	assert_int_equal(rv.bad_line, 0);
	assert_true(rv.certs_checked > 0);
	assert_int_equal(rv.certs_missing, 0);
	char *reg = slurp(f->reg);
	assert_non_null(strstr(reg, v.id));
	free(reg);
	/* the record says erased, and where it ran */
	json_t *rec;
	assert_string_equal(record_result(d, &rec), "erased");
	const char *host = json_string_value(json_object_get(json_object_get(rec, "host"),
							     "hostname"));
	assert_true(host && host[0]);
	json_decref(rec);
	/* a finished run leaves no checkpoint behind */
	char cp[PATH_MAX];
	assert_true(kesu_checkpoint_path(f->state, d->id, cp, sizeof(cp)));
	assert_int_equal(access(cp, F_OK), -1);
	kesu_session_device_free(d);
}

static void bad_sectors_are_never_erased(void **state)
{
	struct fx *f = *state;
	with_issuer(f);
	f->faulty = true;
	f->spec.werr_lba = 1000;
	f->spec.werr_count = 16;
	struct kesu_session_device *d = erase(f, NULL);
	struct kesu_err err;
	enum kesu_rc rc = kesu_session_finish(d, &err);
	assert_int_equal(rc, KESU_ERR_FAILED);
	assert_int_not_equal(d->w.result, KESU_RESULT_ERASED);
	assert_true(d->w.bad.n > 0);
	json_t *rec;
	assert_string_not_equal(record_result(d, &rec), "erased");
	json_decref(rec);
	/* certified as what it is, and registered */
	struct kesu_cert_file_verdict v;
	kesu_cert_verify_file(d->cert_path, f->ca, 0, &v);
	assert_true(v.ok);
	assert_string_not_equal(v.result, "erased");
	assert_int_equal(register_lines(f->reg), 1);
	assert_int_equal(f->done_rc, KESU_ERR_FAILED);
	kesu_session_device_free(d);
}

static void interrupted_run_keeps_its_checkpoint(void **state)
{
	struct fx *f = *state;
	with_issuer(f);
	f->interrupt_after_first_chunk = true;
	struct kesu_session_device *d = erase(f, NULL);
	struct kesu_err err;
	assert_int_equal(kesu_session_finish(d, &err), KESU_ERR_INTERRUPTED);
	assert_int_equal(d->w.result, KESU_RESULT_INTERRUPTED);
	char cp[PATH_MAX];
	assert_true(kesu_checkpoint_path(f->state, d->id, cp, sizeof(cp)));
	assert_int_equal(access(cp, F_OK), 0);
	/* whatever was issued does not say erased */
	if (d->cert_path[0]) {
		struct kesu_cert_file_verdict v;
		kesu_cert_verify_file(d->cert_path, f->ca, 0, &v);
		assert_string_not_equal(v.result, "erased");
	}
	kesu_session_device_free(d);
	/* A new wipe of the same medium is told it replaces that one. */
	f->notices = 0;
	d = kesu_session_device_new(f->img, &f->so, &f->obs);
	assert_int_equal(kesu_session_prepare(d, &err), KESU_OK);
	assert_int_equal(f->notices, 1);
	assert_non_null(strstr(f->last_notice, "has an interrupted wipe; this new wipe replaces it"));
	kesu_session_device_free(d);
	/* The checkpoint is what a resume takes up ... */
	f->so.resume = true;
	f->so.method = NULL;
	d = kesu_session_device_new(f->img, &f->so, &f->obs);
	assert_int_equal(kesu_session_prepare(d, &err), KESU_OK);
	assert_true(d->w.resumed);
	assert_string_not_equal(d->resumed_from, "");
	/* ... but only on a medium that still holds what the interrupted run
	 * wrote: this model comes back blank. */
	assert_int_not_equal(kesu_session_open(d, &err), KESU_OK);
	assert_non_null(strstr(err.msg, f->img));
	kesu_session_device_free(d);
}

/* Flip one byte of the register's only line: the chain no longer matches
 * its signed head. */
static void tamper(const char *reg)
{
	char *t = slurp(reg);
	assert_non_null(t);
	char *p = strstr(t, "\"serial\"");
	if (!p)
		p = t + 10;
	p[1] ^= 0x20;
	write_file(reg, t, strlen(t), 0644);
	free(t);
}

static void refused_register_is_the_outcome(void **state)
{
	struct fx *f = *state;
	with_issuer(f);
	struct kesu_session_device *d = erase(f, NULL);
	struct kesu_err err;
	assert_int_equal(kesu_session_finish(d, &err), KESU_OK);
	kesu_session_device_free(d);
	f->progress = f->done = 0;
	/* The register is checked when the issuer is made; here it breaks
	 * while the disk is being erased. */
	d = erase(f, NULL);
	tamper(f->reg);
	char *before = slurp(f->reg);
	enum kesu_rc rc = kesu_session_finish(d, &err);
	assert_int_not_equal(rc, KESU_OK);
	assert_int_not_equal(rc, KESU_ERR_UNSTAMPED);
	assert_int_equal(err.rc, rc);
	assert_string_not_equal(err.msg, "");
	assert_int_equal(f->done_rc, rc);
	assert_false(d->cert_issued);
	/* the record stays as the evidence; the register is as it was */
	assert_int_equal(access(d->record_path, F_OK), 0);
	char *after = slurp(f->reg);
	assert_string_equal(before, after);
	free(before);
	free(after);
	kesu_session_device_free(d);
}

static void no_certificate_without_a_usable_signer(void **state)
{
	struct fx *f = *state;
	/* A key that is not the certificate's is refused before any device
	 * is touched. */
	make_pki(f, true);
	struct kesu_err err;
	struct kesu_issuer *is = NULL;
	assert_int_equal(kesu_issuer_prepare(&f->co, &is, &err), KESU_ERR_CRYPTO);
	assert_null(is);
	/* A certificate that cannot be written: the record stays, no
	 * certificate, nothing registered, and the device is not "done". */
	make_pki(f, false);
	char blocker[160];
	snprintf(blocker, sizeof(blocker), "%s/certs", f->dir);
	write_file(blocker, "x", 1, 0644);
	f->co.out_dir = blocker;
	with_issuer(f);
	struct kesu_session_device *d = erase(f, NULL);
	enum kesu_rc rc = kesu_session_finish(d, &err);
	assert_int_not_equal(rc, KESU_OK);
	assert_int_equal(d->w.result, KESU_RESULT_ERASED);
	assert_string_equal(d->cert_path, "");
	assert_false(d->cert_issued);
	assert_int_equal(access(d->record_path, F_OK), 0);
	assert_int_equal(register_lines(f->reg), 0);
	kesu_session_device_free(d);
}

/* kesu wipe's per-device asset numbers: the issuer is prepared without
 * one, each device is given its own, and open waits for it. */
static void asset_given_per_device(void **state)
{
	struct fx *f = *state;
	struct kesu_err err;
	f->co.info.property_number[0] = '\0';
	f->co.asset_per_device = true;
	f->so.asset_per_device = true;
	with_issuer(f);
	struct kesu_session_device *d = kesu_session_device_new(f->img, &f->so, &f->obs);
	assert_int_equal(kesu_session_prepare(d, &err), KESU_OK);
	assert_int_equal(kesu_session_open(d, &err), KESU_ERR_INTERNAL);
	assert_null(f->opened);
	/* none, or one with a control character: refused, still unopened */
	assert_int_equal(kesu_session_set_asset(d, &(struct kesu_asset_row){.asset = ""}, &err),
			 KESU_ERR_USAGE);
	assert_non_null(strstr(err.msg, "asset property number is missing"));
	assert_int_equal(kesu_session_set_asset(d, &(struct kesu_asset_row){.asset = "A\x1b[2J"}, &err),
			 KESU_ERR_USAGE);
	assert_int_equal(kesu_session_set_asset(d, &(struct kesu_asset_row){.asset = "PC-7"}, &err),
			 KESU_OK);
	assert_int_equal(kesu_session_set_asset(d, &(struct kesu_asset_row){.asset = "PC-8"}, &err),
			 KESU_ERR_INTERNAL);
	assert_string_equal(d->cert_info.property_number, "PC-7");
	assert_string_equal(json_string_value(json_object_get(d->cert_json, "asset")), "PC-7");
	if (kesu_session_open(d, &err) || kesu_session_arm(d, &err) ||
	    kesu_session_start(d, NULL, &err))
		fail_msg("%s", err.msg);
	kesu_session_join(d);
	assert_int_equal(kesu_session_finish(d, &err), KESU_OK);
	json_t *c = load_json(d->cert_path);
	assert_string_equal(json_string_value(json_object_get(json_object_get(c, "asset"),
							      "property_number")), "PC-7");
	/* An image file has no health log: read before and after, as "none". */
	const json_t *h = json_object_get(c, "health");
	assert_string_equal(json_string_value(json_object_get(json_object_get(h, "before"),
							      "source")), "none");
	assert_string_equal(json_string_value(json_object_get(json_object_get(h, "after"),
							      "source")), "none");
	json_decref(c);
	kesu_session_device_free(d);
}

/* Issue #12: an asset map's class, reason and customer settle per device,
 * and the [policy] applies to each device's own class: by default class 3
 * needs a signed approval, which a typed approver is not. */
static void details_given_per_device(void **state)
{
	struct fx *f = *state;
	struct kesu_err err;
	struct kesu_cert_info *i = &f->co.info;
	i->property_number[0] = i->reason[0] = i->customer[0] = '\0';
	i->confidentiality_class = 0;
	f->co.asset_per_device = f->co.details_per_device = true;
	f->so.asset_per_device = true;
	with_issuer(f);
	struct kesu_session_device *d = kesu_session_device_new(f->img, &f->so, &f->obs);
	assert_int_equal(kesu_session_prepare(d, &err), KESU_OK);
	struct kesu_asset_row row = {"PC-9", 3, "disposal", "総務課"};
	assert_int_equal(kesu_session_set_asset(d, &row, &err), KESU_ERR_REFUSED);
	assert_non_null(strstr(err.msg, "class 3 media are erased only on a signed approval"));
	assert_int_equal(kesu_session_open(d, &err), KESU_ERR_INTERNAL);
	assert_null(f->opened);
	kesu_session_device_free(d);
	d = kesu_session_device_new(f->img, &f->so, &f->obs);
	assert_int_equal(kesu_session_prepare(d, &err), KESU_OK);
	/* a device the map gives no class: the certificate cannot go without */
	struct kesu_asset_row none = {"PC-9", 0, "disposal", "総務課"};
	assert_int_equal(kesu_session_set_asset(d, &none, &err), KESU_ERR_USAGE);
	assert_non_null(strstr(err.msg, "class"));
	kesu_session_device_free(d);
	d = kesu_session_device_new(f->img, &f->so, &f->obs);
	assert_int_equal(kesu_session_prepare(d, &err), KESU_OK);
	row.class_ = 2;
	strcpy(row.reason, "repair");
	assert_int_equal(kesu_session_set_asset(d, &row, &err), KESU_OK);
	assert_int_equal(d->cert_info.confidentiality_class, 2);
	assert_string_equal(d->cert_info.reason, "repair");
	assert_string_equal(d->cert_info.customer, "総務課");
	assert_int_equal(json_integer_value(json_object_get(d->cert_json, "class")), 2);
	kesu_session_device_free(d);
}

static void refusals_before_anything_is_written(void **state)
{
	struct fx *f = *state;
	struct kesu_err err;
	/* no such device */
	char missing[160];
	snprintf(missing, sizeof(missing), "%s/none.img", f->dir);
	struct kesu_session_device *d = kesu_session_device_new(missing, &f->so, &f->obs);
	assert_int_equal(kesu_session_prepare(d, &err), KESU_ERR_NOENT);
	kesu_session_device_free(d);
	/* steps out of order touch nothing */
	d = kesu_session_device_new(f->img, &f->so, &f->obs);
	assert_int_equal(kesu_session_open(d, &err), KESU_ERR_INTERNAL);
	assert_int_equal(kesu_session_arm(d, &err), KESU_ERR_INTERNAL);
	assert_int_equal(kesu_session_start(d, NULL, &err), KESU_ERR_INTERNAL);
	assert_int_equal(kesu_session_prepare(d, &err), KESU_OK);
	assert_int_equal(kesu_session_prepare(d, &err), KESU_ERR_INTERNAL);
	assert_int_equal(kesu_session_arm(d, &err), KESU_ERR_INTERNAL);
	assert_null(f->opened);
	kesu_session_device_free(d);
	/* a resume without a checkpoint */
	f->so.resume = true;
	d = kesu_session_device_new(f->img, &f->so, &f->obs);
	assert_int_not_equal(kesu_session_prepare(d, &err), KESU_OK);
	kesu_session_device_free(d);
	f->so.resume = false;
	/* a medium whose size changed between probe and open */
	f->open_size = SIZE / 2;
	d = kesu_session_device_new(f->img, &f->so, &f->obs);
	assert_int_equal(kesu_session_prepare(d, &err), KESU_OK);
	assert_int_equal(kesu_session_open(d, &err), KESU_ERR_GONE);
	/* never started: starting or finishing it is refused */
	kesu_target_close(d->t);
	d->t = NULL;
	assert_int_equal(kesu_session_start(d, NULL, &err), KESU_ERR_INTERNAL);
	assert_int_equal(kesu_session_finish(d, &err), KESU_ERR_INTERNAL);
	assert_int_equal(f->done_rc, KESU_ERR_INTERNAL);
	kesu_session_device_free(d);
	/* records that cannot be kept stop it before the first write */
	char blocker[160];
	snprintf(blocker, sizeof(blocker), "%s/out", f->dir);
	write_file(blocker, "x", 1, 0644);
	f->open_size = 0;
	d = kesu_session_device_new(f->img, &f->so, &f->obs);
	assert_int_equal(kesu_session_prepare(d, &err), KESU_OK);
	assert_int_equal(kesu_session_open(d, &err), KESU_OK);
	assert_int_not_equal(kesu_session_arm(d, &err), KESU_OK);
	assert_non_null(strstr(err.msg, "writable --out"));
	char cp[PATH_MAX];
	assert_true(kesu_checkpoint_path(f->state, d->id, cp, sizeof(cp)));
	assert_int_equal(access(cp, F_OK), -1);
	kesu_session_device_free(d);
}

static void two_names_one_medium(void **state)
{
	struct fx *f = *state;
	char link[160];
	snprintf(link, sizeof(link), "%s/link.img", f->dir);
	assert_int_equal(symlink(f->img, link), 0);
	struct kesu_err err;
	struct kesu_session_device *a = kesu_session_device_new(f->img, &f->so, NULL);
	struct kesu_session_device *b = kesu_session_device_new(link, &f->so, NULL);
	assert_int_equal(kesu_session_prepare(a, &err), KESU_OK);
	assert_int_equal(kesu_session_prepare(b, &err), KESU_OK);
	assert_true(kesu_session_same_medium(a, b));
	kesu_session_device_free(b);
	char other[160];
	snprintf(other, sizeof(other), "%s/other.img", f->dir);
	write_file(other, "", 0, 0600);
	assert_int_equal(truncate(other, SIZE), 0);
	b = kesu_session_device_new(other, &f->so, NULL);
	assert_int_equal(kesu_session_prepare(b, &err), KESU_OK);
	assert_false(kesu_session_same_medium(a, b));
	kesu_session_device_free(b);
	kesu_session_device_free(a);
}

/* Before anything is probed: a link and a hard link to one image are the
 * same file as the image, another image is not, and what cannot be stat'ed
 * or is neither a file nor a block device (a character device) is left to
 * preparing.  The first pair found is reported, in the order given. */
static void given_twice_before_preparing(void **state)
{
	struct fx *f = *state;
	char soft[160], hard[160], other[160];
	snprintf(soft, sizeof(soft), "%s/link.img", f->dir);
	snprintf(hard, sizeof(hard), "%s/hard.img", f->dir);
	snprintf(other, sizeof(other), "%s/other.img", f->dir);
	assert_int_equal(symlink(f->img, soft), 0);
	assert_int_equal(link(f->img, hard), 0);
	write_file(other, "", 0, 0600);
	const char *paths[] = {"/dev/null", other, "/nonexistent/disk.img", f->img,
			       "/dev/null", hard, soft};
	enum { N = sizeof(paths) / sizeof(paths[0]) };
	struct kesu_session_device *ds[N];
	for (size_t i = 0; i < N; i++)
		assert_non_null(ds[i] = kesu_session_device_new(paths[i], &f->so, NULL));
	size_t a = 99, b = 99;
	assert_true(kesu_session_given_twice(ds, N, &a, &b));
	assert_int_equal(a, 3);
	assert_int_equal(b, 5);
	/* the image and its symlink alone */
	struct kesu_session_device *pair[] = {ds[6], ds[1], ds[3]};
	assert_true(kesu_session_given_twice(pair, 3, &a, &b));
	assert_int_equal(a, 0);
	assert_int_equal(b, 2);
	/* nothing twice: /dev/null twice is not a medium, a missing path not
	 * one at all */
	assert_false(kesu_session_given_twice(ds, 5, &a, &b));
	assert_false(kesu_session_given_twice(ds, 0, &a, &b));
	for (size_t i = 0; i < N; i++)
		kesu_session_device_free(ds[i]);
}

/* Twenty devices, more than are prepared together, each with an
 * interrupted wipe's checkpoint left behind, so each has a notice to give;
 * the eighteenth and the twentieth are missing.  Heard: the notices of the
 * seventeen before the first missing one, in the order given, and its
 * error, as one-by-one preparing would have said; nothing after it. */
static void prepare_all_speaks_in_the_order_given(void **state)
{
	struct fx *f = *state;
	enum { N = 20, MISSING = 17, ALSO_MISSING = 19, PRESENT = 18 };
	char paths[N][160];
	struct kesu_session_device *ds[N];
	struct kesu_err err;
	assert_int_equal(mkdir(f->state, 0700), 0);
	for (int i = 0; i < N; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/disk%02d.img", f->dir, i);
		if (i == MISSING || i == ALSO_MISSING)
			continue;
		write_file(paths[i], "", 0, 0600);
		assert_int_equal(truncate(paths[i], SIZE), 0);
		struct kesu_session_device *d = kesu_session_device_new(paths[i], &f->so, NULL);
		assert_int_equal(kesu_session_prepare(d, &err), KESU_OK);
		char cp[PATH_MAX];
		assert_true(kesu_checkpoint_path(f->state, d->id, cp, sizeof(cp)));
		write_file(cp, "{}", 2, 0600);
		kesu_session_device_free(d);
	}
	for (int i = 0; i < N; i++)
		assert_non_null(ds[i] = kesu_session_device_new(paths[i], &f->so, &f->obs));
	size_t failed = 0;
	assert_int_equal(kesu_session_prepare_all(ds, N, &failed, &err), KESU_ERR_NOENT);
	assert_int_equal(failed, MISSING);
	assert_non_null(strstr(err.msg, "disk17.img"));
	assert_int_equal(f->notices, MISSING);
	for (int i = 0; i < MISSING; i++)
		assert_ptr_equal(f->noticed[i], ds[i]);
	assert_non_null(strstr(f->last_notice, "disk16.img"));
	for (int i = 0; i < N; i++)
		kesu_session_device_free(ds[i]);

	/* Without the missing ones: every device heard from, in order. */
	f->notices = 0;
	f->n_noticed = 0;
	for (int i = 0; i < PRESENT; i++)
		ds[i] = kesu_session_device_new(paths[i < MISSING ? i : i + 1], &f->so, &f->obs);
	assert_int_equal(kesu_session_prepare_all(ds, PRESENT, &failed, &err), KESU_OK);
	assert_int_equal(failed, PRESENT);
	assert_int_equal(f->notices, PRESENT);
	for (int i = 0; i < PRESENT; i++) {
		assert_ptr_equal(f->noticed[i], ds[i]);
		assert_non_null(ds[i]->id);
	}
	/* Prepared already: the step out of order is that device's error. */
	assert_int_equal(kesu_session_prepare_all(ds + 3, 1, &failed, &err), KESU_ERR_INTERNAL);
	assert_int_equal(failed, 0);
	for (int i = 0; i < PRESENT; i++)
		kesu_session_device_free(ds[i]);
	assert_int_equal(kesu_session_prepare_all(ds, 0, &failed, &err), KESU_OK);
	assert_int_equal(failed, 0);
}

/* Three devices armed at once: each has its first checkpoint; one that
 * was never opened is the error reported, by its index. */
static void arm_all_leaves_a_checkpoint_for_each(void **state)
{
	struct fx *f = *state;
	enum { N = 3 };
	char paths[N][160];
	struct kesu_session_device *ds[N];
	struct kesu_err err;
	size_t failed = 0;
	for (int i = 0; i < N; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/arm%d.img", f->dir, i);
		write_file(paths[i], "", 0, 0600);
		assert_int_equal(truncate(paths[i], SIZE), 0);
		assert_non_null(ds[i] = kesu_session_device_new(paths[i], &f->so, &f->obs));
	}
	assert_int_equal(kesu_session_prepare_all(ds, N, &failed, &err), KESU_OK);
	assert_int_equal(kesu_session_open(ds[0], &err), KESU_OK);
	assert_int_equal(kesu_session_open(ds[2], &err), KESU_OK);
	assert_int_equal(kesu_session_arm_all(ds, N, &failed, &err), KESU_ERR_INTERNAL);
	assert_int_equal(failed, 1);
	assert_non_null(strstr(err.msg, "arm1.img: arm out of order"));
	assert_int_equal(kesu_session_open(ds[1], &err), KESU_OK);
	assert_int_equal(kesu_session_arm_all(ds + 1, 1, &failed, &err), KESU_OK);
	assert_int_equal(failed, 1);
	for (int i = 0; i < N; i++) {
		char cp[PATH_MAX];
		assert_true(kesu_checkpoint_path(f->state, ds[i]->id, cp, sizeof(cp)));
		assert_int_equal(access(cp, F_OK), 0);
		assert_false(ds[i]->started);
		kesu_session_device_free(ds[i]);
	}
}

static void worst_outcome(void **state)
{
	(void)state;
	assert_int_equal(kesu_session_worst(KESU_OK, KESU_OK), KESU_OK);
	assert_int_equal(kesu_session_worst(KESU_ERR_FAILED, KESU_ERR_INTERRUPTED),
			 KESU_ERR_INTERRUPTED);
	assert_int_equal(kesu_session_worst(KESU_ERR_UNSTAMPED, KESU_ERR_FAILED),
			 KESU_ERR_FAILED);
	assert_int_equal(kesu_session_worst(KESU_ERR_UNSTAMPED, KESU_OK), KESU_ERR_UNSTAMPED);
	assert_int_equal(kesu_session_worst(KESU_OK, KESU_ERR_GONE), KESU_ERR_GONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(clean_run_is_erased_certified_and_registered,
						setup, teardown),
		cmocka_unit_test_setup_teardown(bad_sectors_are_never_erased, setup, teardown),
		cmocka_unit_test_setup_teardown(interrupted_run_keeps_its_checkpoint, setup,
						teardown),
		cmocka_unit_test_setup_teardown(refused_register_is_the_outcome, setup, teardown),
		cmocka_unit_test_setup_teardown(no_certificate_without_a_usable_signer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(asset_given_per_device, setup, teardown),
		cmocka_unit_test_setup_teardown(details_given_per_device, setup, teardown),
		cmocka_unit_test_setup_teardown(refusals_before_anything_is_written, setup,
						teardown),
		cmocka_unit_test_setup_teardown(two_names_one_medium, setup, teardown),
		cmocka_unit_test_setup_teardown(given_twice_before_preparing, setup, teardown),
		cmocka_unit_test_setup_teardown(prepare_all_speaks_in_the_order_given, setup,
						teardown),
		cmocka_unit_test_setup_teardown(arm_all_leaves_a_checkpoint_for_each, setup,
						teardown),
		cmocka_unit_test(worst_outcome),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
