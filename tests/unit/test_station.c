/* kesu station's pure core: the [station] policy, the decision per arriving
 * disk, the bay state machine, the dashboard line and the event lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "wipe/station/bay.h"
#include "wipe/station/dashboard.h"
#include "wipe/station/policy.h"
#include "wipe/station/marker.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static struct kesu_station_policy policy_from(const char *text)
{
	struct kesu_config c;
	struct kesu_station_policy p;
	struct kesu_err err = {0};
	assert_int_equal(kesu_config_parse(text, strlen(text), "k.conf", &c, &err), KESU_OK);
	assert_int_equal(kesu_station_policy_from_config(&c, &p, &err), KESU_OK);
	return p;
}

static void policy_defaults_and_rules(void **state)
{
	(void)state;
	struct kesu_station_policy p = policy_from("");
	assert_string_equal(kesu_station_method_for(&p, "nvme"), "purge");
	assert_string_equal(kesu_station_method_for(&p, "sata"), "purge");
	assert_string_equal(kesu_station_method_for(&p, "usb"), "nist-clear");
	assert_string_equal(kesu_station_method_for(&p, "floppy"), "purge");
	assert_string_equal(p.fallback, "nist-clear");
	assert_int_equal(p.start, KESU_STATION_CONFIRM);
	assert_false(p.verify_set);
	p = policy_from("[station]\nmethod = zero\nmethod_nvme = nvme-sanitize-crypto\n"
			"fallback = dod-3\nverify = all\nstart = auto\nclass = 2\n"
			"approver = 佐藤 花子\nreason = disposal\n");
	assert_int_equal(p.class_, 2);
	assert_string_equal(p.approver, "佐藤 花子");
	assert_string_equal(p.reason, "disposal");
	assert_string_equal(kesu_station_method_for(&p, "nvme"), "nvme-sanitize-crypto");
	assert_string_equal(kesu_station_method_for(&p, "sata"), "zero");
	assert_string_equal(kesu_station_method_for(&p, "virtio"), "zero");
	assert_string_equal(p.fallback, "dod-3");
	assert_true(p.verify_set);
	assert_int_equal(p.verify, KESU_VERIFY_ALL);
	assert_int_equal(p.start, KESU_STATION_AUTO);
}

static void policy_approval_and_resume(void **state)
{
	(void)state;
	struct kesu_station_policy p = policy_from("");
	assert_true(p.resume);
	assert_string_equal(p.approval, "");
	p = policy_from("[station]\nresume = no\napproval = /etc/kesu/work-order.json\n");
	assert_false(p.resume);
	assert_string_equal(p.approval, "/etc/kesu/work-order.json");
	assert_true(policy_from("[station]\nresume = yes\n").resume);
}

static void policy_errors_name_the_key(void **state)
{
	(void)state;
	struct { const char *text, *expect; } cases[] = {
		{"[station]\nmethod_sata = shred\n", "method_sata = shred: no such method"},
		{"[station]\nfallback = purge\n", "fallback = purge: no such overwrite method"},
		{"[station]\nverify = twice\n", "verify = twice"},
		{"[station]\nstart = now\n", "start = now: use confirm or auto"},
		{"[station]\npdf = 1\n", "pdf = 1: use yes or no"},
		{"[station]\nclass = 4\n", "class = 4: use 1, 2 or 3"},
		{"[station]\nclass = 22\n", "class = 22: use 1, 2 or 3"},
		{"[station]\napproval_ref = A-1\n", "approval_ref and approval_date go together"},
		{"[station]\nresume = maybe\n", "resume = maybe: use yes or no"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kesu_config c;
		struct kesu_station_policy p;
		struct kesu_err err = {0};
		assert_int_equal(kesu_config_parse(cases[i].text, strlen(cases[i].text), "k",
						   &c, &err), KESU_OK);
		assert_int_equal(kesu_station_policy_from_config(&c, &p, &err), KESU_ERR_INVALID);
		if (!strstr(err.msg, cases[i].expect))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].expect);
	}
}

static struct kesu_station_disk good_disk(const char *transport)
{
	struct kesu_station_disk d;
	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "sdb");
	snprintf(d.transport, sizeof(d.transport), "%s", transport);
	snprintf(d.serial, sizeof(d.serial), "S1");
	d.listed = true;
	d.gate_allowed = true;
	return d;
}

static void decision_purge_or_fallback(void **state)
{
	(void)state;
	struct kesu_station_policy p = policy_from("");
	struct kesu_station_disk d = good_disk("nvme");
	struct kesu_station_decision dec;
	d.purge_supported = true;
	kesu_station_decide(&p, &d, &dec);
	assert_int_equal(dec.action, KESU_STATION_WAIT);
	assert_string_equal(dec.method, "purge");
	assert_true(dec.purge);
	d.purge_supported = false;
	kesu_station_decide(&p, &d, &dec);
	assert_string_equal(dec.method, "nist-clear");
	assert_false(dec.purge);
	p = policy_from("[station]\nstart = auto\nasset_map = /a.csv\n");
	d.asset_found = true;
	kesu_station_decide(&p, &d, &dec);
	assert_int_equal(dec.action, KESU_STATION_START);
}

static void purge_support(void **state)
{
	(void)state;
	const char *nvme[] = {"nvme-sanitize-crypto", "nvme-format-erase"};
	assert_true(kesu_station_purge_supported("purge", nvme, 2));
	assert_false(kesu_station_purge_supported("purge", NULL, 0));
	assert_true(kesu_station_purge_supported("nvme-format-erase", nvme, 2));
	assert_false(kesu_station_purge_supported("nvme-sanitize-block", nvme, 2));
	assert_true(kesu_station_purge_supported("nist-clear", NULL, 0));
}

static void decision_refusals_never_start(void **state)
{
	(void)state;
	struct kesu_station_policy p = policy_from("[station]\nstart = auto\n"
						   "asset_map = /etc/kesu/a.csv\n");
	struct kesu_station_decision dec;
	struct kesu_station_disk d = good_disk("sata");
	d.asset_found = true;
	d.gate_allowed = false;
	snprintf(d.gate_text, sizeof(d.gate_text), "sdb1 is mounted on /mnt; unmount it");
	kesu_station_decide(&p, &d, &dec);
	assert_int_equal(dec.action, KESU_STATION_REFUSE);
	assert_string_equal(dec.reason, "sdb1 is mounted on /mnt; unmount it");
	assert_string_equal(dec.method, "");

	d = good_disk("sata");
	kesu_station_decide(&p, &d, &dec);
	assert_int_equal(dec.action, KESU_STATION_REFUSE);
	assert_non_null(strstr(dec.reason, "serial S1 is not in the asset map"));
	d.serial[0] = '\0';
	kesu_station_decide(&p, &d, &dec);
	assert_int_equal(dec.action, KESU_STATION_REFUSE);
	assert_non_null(strstr(dec.reason, "sdb reports no serial number"));
	struct kesu_station_policy nomap = policy_from("[station]\nstart = auto\n");
	d = good_disk("sata");
	kesu_station_decide(&nomap, &d, &dec);
	assert_int_equal(dec.action, KESU_STATION_REFUSE);
	assert_non_null(strstr(dec.reason, "needs [station] asset_map"));
	/* Confirmed by hand, the operator types the asset number instead. */
	struct kesu_station_policy confirm = policy_from("[station]\nasset_map = /a.csv\n");
	kesu_station_decide(&confirm, &d, &dec);
	assert_int_equal(dec.action, KESU_STATION_WAIT);
	assert_true(dec.need_asset);
	d.asset_found = true;
	kesu_station_decide(&confirm, &d, &dec);
	assert_false(dec.need_asset);

	d = good_disk("sata");
	d.asset_found = true;
	d.present_at_start = true;
	kesu_station_decide(&p, &d, &dec);
	assert_int_equal(dec.action, KESU_STATION_REFUSE);
	assert_non_null(strstr(dec.reason, "present when the station started"));

	d = good_disk("sata");
	d.asset_found = true;
	d.checkpoint = KESU_CKPT_INVALID;
	snprintf(d.ckpt_text, sizeof(d.ckpt_text), "bound to another medium");
	kesu_station_decide(&p, &d, &dec);
	assert_int_equal(dec.action, KESU_STATION_REFUSE);
	assert_non_null(strstr(dec.reason, "bound to another medium"));

	/* A valid checkpoint of another method than the policy's. */
	d.checkpoint = KESU_CKPT_VALID;
	snprintf(d.ckpt_method, sizeof(d.ckpt_method), "dod-7");
	kesu_station_decide(&p, &d, &dec);
	assert_int_equal(dec.action, KESU_STATION_REFUSE);
	assert_false(dec.resume);
	assert_non_null(strstr(dec.reason, "the interrupted wipe used dod-7"));

	kesu_station_decide(&p, &(struct kesu_station_disk){.listed = true,
		.gate_allowed = true, .transport = "sata", .asset_found = true}, &dec);
	snprintf(d.ckpt_method, sizeof(d.ckpt_method), "%s", dec.method);
	kesu_station_decide(&p, &d, &dec);
	assert_int_equal(dec.action, KESU_STATION_START);
	assert_true(dec.resume);
	assert_false(dec.need_asset);
	assert_non_null(strstr(dec.reason, "resumes the interrupted"));
	/* Confirm mode too: the run was confirmed when it started. */
	struct kesu_station_policy c = p;
	c.start = KESU_STATION_CONFIRM;
	kesu_station_decide(&c, &d, &dec);
	assert_int_equal(dec.action, KESU_STATION_START);
}

static void decision_only_and_virtual(void **state)
{
	(void)state;
	struct kesu_station_policy p = policy_from("");
	struct kesu_station_decision dec;
	struct kesu_station_disk d = good_disk("loop");
	d.virtual_dev = true;
	kesu_station_decide(&p, &d, &dec);
	assert_int_equal(dec.action, KESU_STATION_IGNORE);
	d.only_given = true;
	kesu_station_decide(&p, &d, &dec);
	assert_int_equal(dec.action, KESU_STATION_WAIT);
	d.listed = false;
	d.virtual_dev = false;
	kesu_station_decide(&p, &d, &dec);
	assert_int_equal(dec.action, KESU_STATION_IGNORE);
	assert_non_null(strstr(dec.reason, "not named by --only"));
}

static struct kesu_bay_disk disk(const char *name)
{
	struct kesu_bay_disk d;
	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "%s", name);
	snprintf(d.model, sizeof(d.model), "KESU-SATA-TEST");
	snprintf(d.serial, sizeof(d.serial), "SER-%s", name);
	d.size_bytes = 32 << 20;
	return d;
}

static size_t started(struct kesu_station *st, const char *name)
{
	struct kesu_bay_disk d = disk(name);
	struct kesu_station_decision dec = {.action = KESU_STATION_START};
	struct kesu_err err = {0};
	size_t bay;
	snprintf(dec.method, sizeof(dec.method), "nist-clear");
	assert_int_equal(kesu_station_arrive(st, &d, &bay, &err), KESU_OK);
	assert_int_equal(st->bays[bay].state, KESU_BAY_IDENTIFIED);
	assert_int_equal(kesu_station_decided(st, bay, &dec, &err), KESU_OK);
	assert_int_equal(st->bays[bay].state, KESU_BAY_RUNNING);
	return bay;
}

static void bay_runs_to_done(void **state)
{
	(void)state;
	struct kesu_station st;
	kesu_station_init(&st, 4);
	size_t b = started(&st, "sdb");
	uint64_t run = st.bays[b].run_id;
	struct kesu_bay_progress pr = {.pass = 1, .passes = 1, .percent = 50, .eta_s = 10};
	assert_true(kesu_station_progress(&st, b, run, &pr));
	assert_false(kesu_station_progress(&st, b, run + 7, &pr));
	assert_true(kesu_station_finished(&st, b, run, KESU_BAY_ERASED, NULL, NULL, "/c/x.json"));
	assert_int_equal(st.bays[b].state, KESU_BAY_DONE);
	assert_string_equal(st.bays[b].result, "erased");
	assert_false(kesu_station_busy(&st));
	/* A finished run cannot finish twice. */
	assert_false(kesu_station_finished(&st, b, run, KESU_BAY_ERROR, "late", NULL, NULL));
	assert_string_equal(st.bays[b].result, "erased");
}

static void pulled_mid_run_fails_with_cause(void **state)
{
	(void)state;
	struct kesu_station st;
	kesu_station_init(&st, 2);
	size_t b = started(&st, "sdb"), bay;
	uint64_t run = st.bays[b].run_id;
	struct kesu_bay_progress pr = {.pass = 1, .passes = 1, .percent = 40, .eta_s = 5};
	kesu_station_progress(&st, b, run, &pr);
	bool stop;
	kesu_station_removed(&st, "sdb", &bay, &stop);
	assert_int_equal(bay, b);
	assert_true(stop);
	assert_int_equal(st.bays[b].state, KESU_BAY_FAILED);
	assert_string_equal(st.bays[b].result, "removed");
	assert_non_null(strstr(st.bays[b].cause, "removed during the run (pass 1, 40%)"));
	/* The bay is not reused while its thread still runs... */
	assert_true(kesu_station_busy(&st));
	size_t other = started(&st, "sdc");
	assert_int_not_equal(other, b);
	struct kesu_bay_disk third = disk("sdd");
	struct kesu_err err = {0};
	assert_int_equal(kesu_station_arrive(&st, &third, &bay, &err), KESU_ERR_REFUSED);
	assert_non_null(strstr(err.msg, "all 2 bays are taken"));
	/* ...and the run's own end (an I/O error) does not hide the cause. */
	assert_true(kesu_station_finished(&st, b, run, KESU_BAY_ERROR, "read error", NULL, NULL));
	assert_string_equal(st.bays[b].result, "removed");
	assert_int_equal(st.bays[b].state, KESU_BAY_FAILED);
	assert_int_equal(kesu_station_arrive(&st, &third, &bay, &err), KESU_OK);
	assert_int_equal(bay, b);
}

/* A rule that says no as the run starts (the approval, the [policy]):
 * the bay ends refused, not failed, and keeps the reason. */
static void denied_run_ends_refused(void **state)
{
	(void)state;
	struct kesu_station st;
	kesu_station_init(&st, 2);
	size_t b = started(&st, "sdb");
	uint64_t run = st.bays[b].run_id;
	assert_true(kesu_station_finished(&st, b, run, KESU_BAY_DENIED,
					  "approval R-1 does not cover this medium", NULL, NULL));
	assert_int_equal(st.bays[b].state, KESU_BAY_REFUSED);
	assert_string_equal(st.bays[b].result, "refused");
	assert_string_equal(st.bays[b].cause, "approval R-1 does not cover this medium");
	assert_string_equal(st.bays[b].certificate, "");
	assert_false(kesu_station_busy(&st));
	char line[KESU_DASH_WIDTH + 1];
	kesu_dash_line(&st, b, line, sizeof(line));
	assert_non_null(strstr(line, "refused: approval R-1 does not cover"));
}

static void refused_is_never_started(void **state)
{
	(void)state;
	struct kesu_station st;
	struct kesu_err err = {0};
	kesu_station_init(&st, 2);
	struct kesu_bay_disk d = disk("sdb");
	struct kesu_station_decision dec = {.action = KESU_STATION_REFUSE};
	snprintf(dec.reason, sizeof(dec.reason), "sdb1 is mounted on /mnt");
	size_t b;
	assert_int_equal(kesu_station_arrive(&st, &d, &b, &err), KESU_OK);
	assert_int_equal(kesu_station_decided(&st, b, &dec, &err), KESU_OK);
	assert_int_equal(st.bays[b].state, KESU_BAY_REFUSED);
	assert_int_equal(st.bays[b].run_id, 0);
	assert_int_equal(kesu_station_confirm(&st, b, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "bay 1 is refused; it cannot be started"));
	assert_false(kesu_station_busy(&st));
	/* A change event for the same disk keeps its bay and its refusal. */
	size_t again;
	assert_int_equal(kesu_station_arrive(&st, &d, &again, &err), KESU_OK);
	assert_int_equal(again, b);
	assert_int_equal(kesu_station_decided(&st, b, &dec, &err), KESU_ERR_INVALID);
	bool stop;
	kesu_station_removed(&st, "sdb", &again, &stop);
	assert_false(stop);
	assert_int_equal(st.bays[b].state, KESU_BAY_PULLED);
	assert_string_equal(st.bays[b].result, "refused");
}

static void waiting_needs_confirmation(void **state)
{
	(void)state;
	struct kesu_station st;
	struct kesu_err err = {0};
	kesu_station_init(&st, 1);
	struct kesu_bay_disk d = disk("nvme0n1");
	struct kesu_station_decision dec = {.action = KESU_STATION_WAIT};
	size_t b;
	kesu_station_arrive(&st, &d, &b, &err);
	kesu_station_decided(&st, b, &dec, &err);
	assert_int_equal(st.bays[b].state, KESU_BAY_WAITING);
	assert_false(kesu_station_busy(&st));
	assert_int_equal(kesu_station_confirm(&st, b, &err), KESU_OK);
	assert_int_equal(st.bays[b].state, KESU_BAY_RUNNING);
	assert_int_equal(kesu_station_confirm(&st, 5, &err), KESU_ERR_INVALID);
}

static void one_failure_does_not_stop_others(void **state)
{
	(void)state;
	struct kesu_station st;
	kesu_station_init(&st, 3);
	size_t a = started(&st, "sdb"), b = started(&st, "sdc");
	assert_true(kesu_station_finished(&st, a, st.bays[a].run_id, KESU_BAY_NOT_ERASED,
					  "3 blocks did not read back", NULL, NULL));
	assert_int_equal(st.bays[a].state, KESU_BAY_FAILED);
	assert_string_equal(st.bays[a].result, "not-erased");
	assert_int_equal(st.bays[b].state, KESU_BAY_RUNNING);
	assert_false(st.bays[b].stop_requested);
	assert_true(kesu_station_busy(&st));
	assert_true(kesu_station_finished(&st, b, st.bays[b].run_id, KESU_BAY_ERASED, NULL, NULL, NULL));
	assert_int_equal(st.bays[b].state, KESU_BAY_DONE);
}

static void signal_stops_every_run(void **state)
{
	(void)state;
	struct kesu_station st;
	struct kesu_err err = {0};
	kesu_station_init(&st, 4);
	size_t a = started(&st, "sdb"), b = started(&st, "sdc"), w;
	struct kesu_bay_disk d = disk("sdd");
	struct kesu_station_decision wait = {.action = KESU_STATION_WAIT};
	kesu_station_arrive(&st, &d, &w, &err);
	kesu_station_decided(&st, w, &wait, &err);
	size_t stop[KESU_STATION_BAYS];
	assert_int_equal(kesu_station_stop_all(&st, stop), 2);
	assert_int_equal(stop[0], a);
	assert_int_equal(stop[1], b);
	assert_int_equal(kesu_station_stop_all(&st, stop), 0);
	assert_true(kesu_station_busy(&st));
	kesu_station_finished(&st, a, st.bays[a].run_id, KESU_BAY_INTERRUPTED,
			      "stopped by a signal; checkpoint kept", NULL, NULL);
	kesu_station_finished(&st, b, st.bays[b].run_id, KESU_BAY_INTERRUPTED,
			      "stopped by a signal; checkpoint kept", NULL, NULL);
	assert_string_equal(st.bays[a].result, "interrupted");
	assert_int_equal(st.bays[b].state, KESU_BAY_FAILED);
	assert_false(kesu_station_busy(&st));
	assert_int_equal(st.bays[w].state, KESU_BAY_WAITING);
}

static void dashboard_fixed_columns_and_escapes(void **state)
{
	(void)state;
	struct kesu_station st;
	kesu_station_init(&st, 2);
	size_t b = started(&st, "sdb");
	snprintf(st.bays[b].disk.model, sizeof(st.bays[b].disk.model),
		 "EVIL\x1b]0;owned\x07\x1b[2J MODEL NAME THAT IS FAR TOO LONG");
	snprintf(st.bays[b].disk.serial, sizeof(st.bays[b].disk.serial), "S\xe2\x80\xaeN1");
	struct kesu_bay_progress pr = {.pass = 2, .passes = 3, .percent = 42.4,
				       .rate_bps = 150e6, .eta_s = 3723};
	kesu_station_progress(&st, b, st.bays[b].run_id, &pr);
	char head[KESU_DASH_WIDTH + 1], line[KESU_DASH_WIDTH + 1], empty[KESU_DASH_WIDTH + 1];
	kesu_dash_header(head, sizeof(head));
	kesu_dash_line(&st, b, line, sizeof(line));
	kesu_dash_line(&st, 1, empty, sizeof(empty));
	for (const char *c = line; *c; c++)
		assert_true(*c >= 0x20 && *c < 0x7f);
	assert_non_null(strstr(line, "EVIL?]0;owned??[2J ~"));
	assert_non_null(strstr(line, "S???N1"));
	assert_non_null(strstr(line, " 2/3 "));
	assert_non_null(strstr(line, " 42% "));
	assert_non_null(strstr(line, "143M/s"));
	assert_non_null(strstr(line, "1:02:03"));
	/* Every column starts where its title does. */
	assert_int_equal(strstr(line, "running") - line, strstr(head, "STATE") - head);
	assert_int_equal(strstr(line, "1:02:03") - line, strstr(head, "ETA") - head);
	assert_int_equal(strstr(empty, "empty") - empty, strstr(head, "STATE") - head);
	assert_int_equal(strncmp(empty, "2   -    ", 9), 0);
	char eta[16];
	kesu_dash_eta(-1, eta, sizeof(eta));
	assert_string_equal(eta, "-");
	kesu_dash_eta(65, eta, sizeof(eta));
	assert_string_equal(eta, "1:05");
	kesu_dash_eta(400000, eta, sizeof(eta));
	assert_string_equal(eta, ">99h");
}

static void dashboard_shows_cause(void **state)
{
	(void)state;
	struct kesu_station st;
	kesu_station_init(&st, 1);
	size_t b = started(&st, "sdb"), bay;
	bool stop;
	kesu_station_removed(&st, "sdb", &bay, &stop);
	char line[KESU_DASH_WIDTH + 1];
	kesu_dash_line(&st, b, line, sizeof(line));
	assert_non_null(strstr(line, " failed "));
	assert_non_null(strstr(line, "removed: disk removed during the run"));
	assert_true(strlen(line) <= KESU_DASH_WIDTH);
}

static void event_lines(void **state)
{
	(void)state;
	struct kesu_station st;
	kesu_station_init(&st, 1);
	size_t b = started(&st, "sdb");
	snprintf(st.bays[b].disk.serial, sizeof(st.bays[b].disk.serial), "X\x1b[1mY");
	kesu_station_finished(&st, b, st.bays[b].run_id, KESU_BAY_ERASED, NULL, NULL, "/var/c.json");
	json_t *j = kesu_station_event_json(&st, b, "finished", "2026-12-02T08:00:00Z");
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "event")), "finished");
	assert_int_equal(json_integer_value(json_object_get(j, "bay")), 1);
	assert_string_equal(json_string_value(json_object_get(j, "state")), "done");
	assert_string_equal(json_string_value(json_object_get(j, "result")), "erased");
	assert_string_equal(json_string_value(json_object_get(j, "serial")), "X?[1mY");
	assert_string_equal(json_string_value(json_object_get(j, "certificate")), "/var/c.json");
	assert_true(json_is_null(json_object_get(j, "cause")));
	assert_true(json_is_null(json_object_get(j, "eta_s")));
	json_decref(j);
}

static char *slurp(const char *path)
{
	static char buf[64];
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void erasing_marker(void **state)
{
	(void)state;
	char tmp[] = "/tmp/kesu-marker.XXXXXX", dir[128], sys[128], path[256];
	struct kesu_err err = {0};
	assert_non_null(mkdtemp(tmp));
	snprintf(dir, sizeof(dir), "%s/run/kesu/erasing", tmp);
	snprintf(sys, sizeof(sys), "%s/sys", tmp);
	snprintf(path, sizeof(path), "%s/sdb", sys);
	assert_int_equal(mkdir(sys, 0755) | mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/sdb/uevent", sys);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(kesu_erasing_mark(dir, sys, "sdb", true, &err), KESU_OK);
	snprintf(path, sizeof(path), "%s/sdb", dir);
	assert_int_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/sdb/uevent", sys);
	assert_string_equal(slurp(path), "change");
	assert_int_equal(kesu_erasing_mark(dir, sys, "sdb", false, &err), KESU_OK);
	snprintf(path, sizeof(path), "%s/sdb", dir);
	assert_int_equal(access(path, F_OK), -1);
	/* A disk already gone: its marker is still cleared, no error. */
	assert_int_equal(kesu_erasing_mark(dir, sys, "sdc", false, &err), KESU_OK);
	assert_int_equal(kesu_erasing_mark(dir, sys, "../etc", true, &err), KESU_ERR_INVALID);
	/* The marker directory cannot be made: the error says where. */
	snprintf(path, sizeof(path), "%s/sdb/uevent/x", sys);
	assert_int_equal(kesu_erasing_mark(path, sys, "sdb", true, &err), KESU_ERR_IO);
	assert_non_null(strstr(err.msg, "cannot set the erasing marker"));
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(policy_defaults_and_rules),
		cmocka_unit_test(policy_errors_name_the_key),
		cmocka_unit_test(decision_purge_or_fallback),
		cmocka_unit_test(purge_support),
		cmocka_unit_test(decision_refusals_never_start),
		cmocka_unit_test(decision_only_and_virtual),
		cmocka_unit_test(bay_runs_to_done),
		cmocka_unit_test(pulled_mid_run_fails_with_cause),
		cmocka_unit_test(refused_is_never_started),
		cmocka_unit_test(waiting_needs_confirmation),
		cmocka_unit_test(one_failure_does_not_stop_others),
		cmocka_unit_test(signal_stops_every_run),
		cmocka_unit_test(denied_run_ends_refused),
		cmocka_unit_test(policy_approval_and_resume),
		cmocka_unit_test(dashboard_fixed_columns_and_escapes),
		cmocka_unit_test(dashboard_shows_cause),
		cmocka_unit_test(event_lines),
		cmocka_unit_test(erasing_marker),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
