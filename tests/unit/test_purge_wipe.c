/* kesu wipe's purge glue: a purge run becomes a kesu_wipe plus the run
 * record's firmware object, with the keys and values certificates check. */
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

#include "certs/document/certificate.h"
#include "nvme_model.h"
#include "wipe/firmware/purge_wipe.h"
#include "wipe/engine/run_record.h"
#include "lib/timefmt.h"

static json_t *record(struct nvme_model *m, struct kesu_purge_wipe_opts *p,
		      const struct kesu_method *then, struct kesu_wipe *w, enum kesu_rc *rc)
{
	struct kesu_err err;
	/* kesu wipe polls every 2 s on the real clock: one poll per command. */
	m->polls_to_finish = 1;
	assert_int_equal(kesu_purge_wipe_init(w, p, then, &err), KESU_OK);
	struct kesu_identity id;
	memset(&id, 0, sizeof(id));
	strcpy(id.path, "/dev/model-nvme0n1");
	strcpy(id.name, "model-nvme0n1");
	strcpy(id.kind, "nvme");
	strcpy(id.transport, "nvme");
	id.size_bytes = m->med.capacity;
	id.logical_block_size = m->med.block;
	struct kesu_target *t = model_medium_target(&m->med);
	json_t *fw = NULL;
	*rc = kesu_purge_wipe_run_on(&m->tr, &id, t, p, w, &fw, NULL, NULL, NULL, &err);
	struct kesu_run_record r = {0};
	kesu_run_id_new(r.run_id);
	strcpy(r.host.hostname, "test");
	r.device = &id;
	r.wipe = w;
	r.block_size = t->block_size;
	r.firmware = fw;
	json_t *j = kesu_run_record_to_json(&r);
	json_decref(fw);
	kesu_target_close(t);
	return j;
}

static void purge_run_record(void **state)
{
	(void)state;
	struct nvme_model m;
	nvme_model_init(&m, 0);
	struct kesu_purge_wipe_opts p = {0};
	const struct kesu_method *then = NULL;
	bool is_purge = false;
	struct kesu_err err;
	assert_int_equal(kesu_purge_wipe_select(&p, "purge", &then, &is_purge, &err), KESU_OK);
	assert_true(is_purge);
	struct kesu_wipe w;
	enum kesu_rc rc;
	json_t *j = record(&m, &p, NULL, &w, &rc);
	assert_int_equal(rc, KESU_OK);
	assert_string_equal(json_string_value(json_object_get(j, "result")), "erased");
	json_t *meth = json_object_get(j, "method");
	/* A flash controller with crypto and block erase: the chain. */
	assert_string_equal(json_string_value(json_object_get(meth, "name")),
			    "nvme-sanitize-crypto-block");
	assert_string_equal(json_string_value(json_object_get(meth, "nist_category")), "purge");
	assert_string_equal(json_string_value(json_object_get(meth, "technique")),
			    "crypto-erase+block-erase");
	assert_int_equal(json_array_size(json_object_get(meth, "passes")), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "verification"),
							       "outcome")), "passed");
	json_t *fw = json_object_get(j, "firmware");
	assert_string_equal(json_string_value(json_object_get(fw, "command")),
			    "nvme-sanitize-crypto-block");
	assert_string_equal(json_string_value(json_object_get(fw, "requested")), "purge");
	assert_true(json_is_string(json_object_get(fw, "chosen_because")));
	assert_int_equal(json_array_size(json_object_get(fw, "steps")), 2);
	/* Certificates embed the firmware object with its steps as it is. */
	struct kesu_cert_info info;
	memset(&info, 0, sizeof(info));
	strcpy(info.operator_name, "山田 太郎");
	strcpy(info.operator_organization, "テスト消去株式会社");
	strcpy(info.customer, "総務課");
	strcpy(info.property_number, "A-0001");
	info.confidentiality_class = 3;
	strcpy(info.reason, "disposal");
	strcpy(info.approver, "佐藤 花子");
	strcpy(info.approval_date, "2026-11-20");
	json_t *cert = NULL;
	char now[KESU_TIME_LEN];
	kesu_time_now(now);
	assert_int_equal(kesu_cert_build(j, "kesu-run-x.json",
					 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
					 &info, "0b7e2c1a-1111-4222-8333-444455556666", now, &cert,
					 &err), KESU_OK);
	size_t len;
	char *bytes = kesu_cert_serialize(cert, &len);
	json_t *back = NULL;
	assert_int_equal(kesu_cert_parse(bytes, len, &back, &err), KESU_OK);
	struct kesu_cert_verdict v;
	kesu_cert_judge(back, &v);
	if (v.n_errors)
		fail_msg("certificate judged wrong: %s", v.errors[0]);
	assert_string_equal(json_string_value(json_object_get(back, "result")), "erased");
	json_t *cfw = json_object_get(json_object_get(back, "method"), "firmware");
	assert_int_equal(json_array_size(json_object_get(cfw, "steps")), 2);
	json_decref(back);
	json_decref(cert);
	free(bytes);
	json_decref(j);
	kesu_wipe_free(&w);
	/* A failing purge: result failed with the drive's reason. */
	m.sanitize_fails = true;
	j = record(&m, &p, NULL, &w, &rc);
	assert_int_equal(rc, KESU_ERR_FAILED);
	assert_string_equal(json_string_value(json_object_get(j, "result")), "failed");
	assert_non_null(strstr(json_string_value(json_object_get(j, "reason")), "sanitize failed"));
	json_decref(j);
	kesu_wipe_free(&w);
	nvme_model_destroy(&m);
}

struct seen {
	size_t max_pass, npasses;
	bool verify_in_step1, write_in_step2;
};

static void on_progress(const struct kesu_progress *p, void *ud)
{
	struct seen *s = ud;
	if (p->pass > s->max_pass)
		s->max_pass = p->pass;
	s->npasses = p->npasses;
	if (p->pass == 1 && p->phase == KESU_PHASE_VERIFY)
		s->verify_in_step1 = true;
	if (p->pass == 2 && p->phase == KESU_PHASE_WRITE)
		s->write_in_step2 = true;
}

/* kesu wipe's progress line shows a chain's commands as its passes. */
static void chain_progress_shows_steps(void **state)
{
	(void)state;
	struct nvme_model m;
	nvme_model_init(&m, 0);
	struct kesu_purge_wipe_opts p = {.method = "nvme-sanitize-crypto-block"};
	struct kesu_wipe w;
	struct kesu_err err;
	assert_int_equal(kesu_purge_wipe_init(&w, &p, NULL, &err), KESU_OK);
	struct kesu_identity id;
	memset(&id, 0, sizeof(id));
	strcpy(id.path, "/dev/model-nvme0n1");
	strcpy(id.transport, "nvme");
	struct kesu_target *t = model_medium_target(&m.med);
	json_t *fw = NULL;
	struct seen s = {0};
	m.polls_to_finish = 1; /* real clock: one 2 s poll per command */
	assert_int_equal(kesu_purge_wipe_run_on(&m.tr, &id, t, &p, &w, &fw, on_progress, &s,
						NULL, &err), KESU_OK);
	assert_int_equal(s.npasses, 2);
	assert_int_equal(s.max_pass, 2);
	assert_true(s.verify_in_step1);
	assert_true(s.write_in_step2);
	json_decref(fw);
	kesu_target_close(t);
	kesu_wipe_free(&w);
	nvme_model_destroy(&m);
}

static void then_and_option_checks(void **state)
{
	(void)state;
	struct kesu_purge_wipe_opts p = {0};
	const struct kesu_method *then = NULL;
	bool is_purge = false;
	struct kesu_err err;
	p.then = "zero";
	assert_int_equal(kesu_purge_wipe_select(&p, "nist-clear", &then, &is_purge, &err),
			 KESU_ERR_USAGE);
	assert_int_equal(kesu_purge_wipe_select(&p, "nvme-format-erase", &then, &is_purge, &err),
			 KESU_OK);
	assert_non_null(then);
	p.then = "nvme-sanitize-block";
	assert_int_equal(kesu_purge_wipe_select(&p, "nvme-format-erase", &then, &is_purge, &err),
			 KESU_ERR_USAGE);
	p.then = NULL;
	p.psid_file = "/nonexistent/psid";
	assert_int_equal(kesu_purge_wipe_select(&p, "opal-psid-revert", &then, &is_purge, &err),
			 KESU_ERR_NOENT);
	/* --then zero: the method is named after both, with the pass. */
	struct nvme_model m;
	nvme_model_init(&m, 0);
	struct kesu_purge_wipe_opts q = {.method = "nvme-format-erase"};
	struct kesu_wipe w;
	enum kesu_rc rc;
	json_t *j = record(&m, &q, kesu_method_find("zero"), &w, &rc);
	assert_int_equal(rc, KESU_OK);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "method"), "name")),
			    "nvme-format-erase+zero");
	assert_int_equal(w.method.npasses, 1);
	json_decref(j);
	kesu_wipe_free(&w);
	nvme_model_destroy(&m);
}

static void sibling_namespaces(void **state)
{
	(void)state;
	char dir[] = "/tmp/kesu-sib.XXXXXX";
	assert_non_null(mkdtemp(dir));
	const char *names[] = {"nvme0n1", "nvme0n2", "nvme0n1p1", "nvme1n1", "nvme0c0n1", "sda"};
	char p[256];
	for (size_t i = 0; i < 6; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		assert_int_equal(mkdir(p, 0700), 0);
	}
	char out[128];
	kesu_nvme_sibling_namespaces(dir, "nvme0n1", out, sizeof(out));
	assert_string_equal(out, "nvme0n2");
	kesu_nvme_sibling_namespaces(dir, "nvme1n1", out, sizeof(out));
	assert_string_equal(out, "");
	kesu_nvme_sibling_namespaces(dir, "sda", out, sizeof(out));
	assert_string_equal(out, "");
	for (size_t i = 0; i < 6; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		rmdir(p);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(purge_run_record),
		cmocka_unit_test(chain_progress_shows_steps),
		cmocka_unit_test(then_and_option_checks),
		cmocka_unit_test(sibling_namespaces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
