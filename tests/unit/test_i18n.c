/* Messages in two languages: the English one for files and JSON, the
 * operator's for the terminal (lib/error.c), and text laid out by terminal
 * columns (lib/termtext.c).  The catalogue is tests/unit/i18n/ja.po,
 * compiled beside this binary into locale/ by the Makefile. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <libgen.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/i18n.h"
#include "lib/jcheck.h"
#include "lib/termtext.h"
#include "certs/register/register.h"
#include "certs/register/register_pg.h"
#include "wipe/device/gate.h"
#include "wipe/firmware/capabilities.h"
#include "wipe/engine/progress.h"
#include "wipe/station/dashboard.h"
#include "wipe/station/policy.h"

static char catalogue_dir[PATH_MAX];

/* Japanese through LANGUAGE: C.UTF-8 is always there (glibc 2.35), a
 * generated ja_JP.UTF-8 may not be, and gettext honours LANGUAGE under
 * any locale but "C".  setlocale also drops gettext's cached lookups. */
static void speak(const char *language)
{
	if (language) {
		setenv("LANGUAGE", language, 1);
		assert_non_null(setlocale(LC_ALL, "C.UTF-8"));
	} else {
		unsetenv("LANGUAGE");
		assert_non_null(setlocale(LC_ALL, "C"));
	}
}

static int setup(void **state)
{
	(void)state;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	snprintf(catalogue_dir, sizeof(catalogue_dir), "%s/locale", dirname(exe));
	if (access(catalogue_dir, R_OK) != 0)
		return -1;
	bindtextdomain(KESU_TEXTDOMAIN, catalogue_dir);
	return 0;
}

static int back_to_english(void **state)
{
	(void)state;
	speak(NULL);
	return 0;
}

static void english_when_the_locale_is_c(void **state)
{
	(void)state;
	speak(NULL);
	struct kesu_err e = {0};
	assert_int_equal(kesu_fail(&e, KESU_ERR_NOENT, 2, "%s: no such device", "sdz"),
			 KESU_ERR_NOENT);
	assert_string_equal(e.msg, "sdz: no such device");
	assert_string_equal(e.local, "");
	assert_string_equal(kesu_err_text(&e), "sdz: no such device");
}

static void japanese_for_people_english_for_files(void **state)
{
	(void)state;
	speak("ja");
	struct kesu_err e = {0};
	kesu_fail(&e, KESU_ERR_NOENT, 2, "%s: no such device", "sdz");
	assert_string_equal(e.msg, "sdz: no such device");
	assert_string_equal(e.local, "sdz: そのようなデバイスはありません");
	assert_string_equal(kesu_err_text(&e), e.local);
	assert_int_equal(e.rc, KESU_ERR_NOENT);
	assert_int_equal(e.sys_errno, 2);
}

static void positional_arguments_reorder(void **state)
{
	(void)state;
	speak("ja");
	struct kesu_err e = {0};
	kesu_fail(&e, KESU_ERR_IO, 0, "cannot copy %s to %s: %d bytes left", "a.json",
		  "/mnt/b", 42);
	assert_string_equal(e.msg, "cannot copy a.json to /mnt/b: 42 bytes left");
	assert_string_equal(kesu_err_text(&e), "/mnt/b へ a.json をコピーできません: 残り 42 バイト");
}

static void untranslated_message_stays_english(void **state)
{
	(void)state;
	speak("ja");
	struct kesu_err e = {0};
	kesu_fail(&e, KESU_ERR_IO, 0, "not in the catalogue: %d", 7);
	assert_string_equal(e.local, "");
	assert_string_equal(kesu_err_text(&e), "not in the catalogue: 7");
}

static void prefix_composes_both_languages(void **state)
{
	(void)state;
	speak("ja");
	struct kesu_err e = {0};
	kesu_fail(&e, KESU_ERR_NOENT, 0, "%s: no such device", "sdz");
	kesu_err_prefix(&e, "device %s: ", "sda");
	assert_string_equal(e.msg, "device sda: sdz: no such device");
	assert_string_equal(kesu_err_text(&e), "デバイス sda: sdz: そのようなデバイスはありません");

	/* A translated prefix before an English message: still the
	 * operator's language where there is one. */
	struct kesu_err f = {0};
	kesu_fail(&f, KESU_ERR_IO, 0, "untranslated tail");
	kesu_err_prefix(&f, "device %s: ", "sdb");
	assert_string_equal(f.msg, "device sdb: untranslated tail");
	assert_string_equal(kesu_err_text(&f), "デバイス sdb: untranslated tail");

	/* Neither part translated: local stays empty, msg is shown. */
	struct kesu_err g = {0};
	kesu_fail(&g, KESU_ERR_IO, 0, "untranslated tail");
	kesu_err_prefix(&g, "untranslated %s: ", "head");
	assert_string_equal(g.local, "");
	assert_string_equal(kesu_err_text(&g), "untranslated head: untranslated tail");
}

static void prefix_in_c_locale_is_english(void **state)
{
	(void)state;
	speak(NULL);
	struct kesu_err e = {0};
	kesu_fail(&e, KESU_ERR_NOENT, 0, "%s: no such device", "sdz");
	kesu_err_prefix(&e, "device %s: ", "sda");
	assert_string_equal(kesu_err_text(&e), "device sda: sdz: no such device");
}

static void msg_rewritten_by_hand_is_not_shown_stale(void **state)
{
	(void)state;
	speak("ja");
	struct kesu_err e = {0};
	kesu_fail(&e, KESU_ERR_NOENT, 0, "%s: no such device", "sdz");
	/* As some library code appends to msg directly. */
	snprintf(e.msg, sizeof(e.msg), "a different problem");
	assert_string_equal(kesu_err_text(&e), "a different problem");
}

static void message_may_wrap_its_own_text(void **state)
{
	(void)state;
	speak("ja");
	struct kesu_err e = {0};
	kesu_fail(&e, KESU_ERR_IO, 0, "%s: no such device", "sdz");
	kesu_fail(&e, KESU_ERR_IO, 0, "wrapped: %s", e.msg);
	assert_string_equal(e.msg, "wrapped: sdz: no such device");
	assert_string_equal(e.local, "包んだ: sdz: no such device");
}

static void empty_error_names_its_result(void **state)
{
	(void)state;
	/* "" looked up in a catalogue is its header: never shown. */
	speak("ja");
	struct kesu_err h = {0};
	kesu_fail(&h, KESU_ERR_IO, 0, "%s", "");
	assert_string_equal(h.msg, "");
	assert_string_equal(kesu_err_text(&h), "io-error");
	assert_string_equal(_(""), "");
	speak(NULL);

	struct kesu_err e = {0};
	e.rc = KESU_ERR_REFUSED;
	assert_string_equal(kesu_err_text(&e), "refused");
	assert_int_equal(kesu_fail(NULL, KESU_ERR_IO, 0, "%s: no such device", "x"), KESU_ERR_IO);
	assert_int_equal(kesu_err_prefix(NULL, "device %s: ", "x"), KESU_ERR_INTERNAL);
}

static void long_translation_is_cut_not_overrun(void **state)
{
	(void)state;
	speak("ja");
	char big[600];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	struct kesu_err e = {0};
	kesu_fail(&e, KESU_ERR_IO, 0, "%s: no such device", big);
	assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);
	assert_int_equal(strlen(e.local), sizeof(e.local) - 1);
	kesu_err_prefix(&e, "device %s: ", "sda");
	assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);
	assert_memory_equal(e.local, "デバイス sda: ", strlen("デバイス sda: "));
	assert_string_equal(kesu_err_text(&e), e.local);
}

/* The safety gate's reasons: English in the verdict (JSON, run records),
 * the operator's language on the terminal and in the refusal's message. */
static void gate_reasons_speak_the_locale(void **state)
{
	(void)state;
	struct kesu_dev_mount m = {.device = "loop7", .mountpoint = "/mnt/t", .fstype = "ext4"};
	struct kesu_device_facts f = {.is_block = true, .mounts = &m, .n_mounts = 1};
	struct kesu_gate_verdict v;
	struct kesu_err e = {0};
	char line[512];
	speak("ja");
	kesu_gate_decide(&f, "loop7", &v);
	assert_string_equal(v.reasons[0].text, "loop7 is mounted on /mnt/t; unmount it first");
	assert_string_equal(kesu_gate_reason_text(&v.reasons[0], line, sizeof(line)),
			    "loop7 は /mnt/t にマウントされています。先にアンマウントしてください");
	assert_int_equal(kesu_gate_refusal(&v, "/dev/loop7", &e), KESU_ERR_REFUSED);
	assert_string_equal(e.msg, "refused: loop7 is mounted on /mnt/t; unmount it first");
	assert_string_equal(kesu_err_text(&e),
			    "拒否: loop7 は /mnt/t にマウントされています。先にアンマウントしてください");
	speak(NULL);
	assert_string_equal(kesu_gate_reason_text(&v.reasons[0], line, sizeof(line)),
			    v.reasons[0].text);
}

/* A register's findings: English for files and JSON, the operator's
 * language beside it for the terminal. */
static void register_findings_speak_the_locale(void **state)
{
	(void)state;
	struct kesu_reg_check chk;
	speak("ja");
	kesu_register_check_text("{\"seq\"", 6, 0, &chk, NULL, NULL);
	assert_int_equal(chk.bad_line, 1);
	assert_true(chk.torn);
	assert_string_equal(chk.why, "incomplete last line (6 bytes without newline)");
	assert_string_equal(chk.why_local, "最後の行が不完全です (改行のない 6 バイト)");
	speak(NULL);
	kesu_register_check_text("{\"seq\"", 6, 0, &chk, NULL, NULL);
	assert_string_equal(chk.why_local, chk.why);
}

/* A certificate file's finding (register verify): English in msg, the
 * operator's language in local. */
static void certificate_file_findings_speak_the_locale(void **state)
{
	(void)state;
	json_t *cert = json_pack("{s:s s:{s:s} s:{s:s s:s} s:s s:{s:s}}", "id", "c-1",
				 "run_record", "run_id", "r-1", "device", "serial", "S",
				 "model", "M", "result", "erased", "operator", "name", "山田");
	json_t *line = kesu_register_cert_fields(cert);
	json_object_set_new(line, "serial", json_string("forged"));
	struct kesu_err why = {0};
	speak("ja");
	assert_int_equal(kesu_register_line_contradicts(line, cert, &why), KESU_ERR_INVALID);
	assert_string_equal(why.msg, "its serial does not match the certificate it points to "
			    "(the line or the certificate was forged)");
	assert_string_equal(kesu_err_text(&why),
			    "serial が指す証明書と一致しません (行か証明書が偽造されています)");
	speak(NULL);
	assert_int_equal(kesu_register_line_contradicts(line, cert, &why), KESU_ERR_INVALID);
	assert_string_equal(kesu_err_text(&why), why.msg);
	json_decref(line);
	json_decref(cert);
}

/* A database register's verdict: the chain's and the columns' findings,
 * English in why, the operator's language in why_local. */
static void database_findings_speak_the_locale(void **state)
{
	(void)state;
	json_t *o = json_pack("{s:i s:s s:s s:s}", "seq", 1, "time", "2026-12-01T09:00:00Z",
			      "prev", KESU_REGISTER_GENESIS, "kind", "certificate");
	char *line = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	struct kesu_pgreg_row row = {.seq = 1, .kind = "certificate", .line = line,
				     .line_len = strlen(line)};
	struct kesu_pgreg_facts f = {.rows = &row, .nrows = 1};
	struct kesu_pgreg_verdict v;
	speak("ja");
	kesu_pgreg_judge(&f, &v);
	assert_int_equal(v.bad, 1);
	/* The chain check refuses the line itself (it is no valid entry). */
	assert_memory_equal(v.why, "entry 1: ", 9);
	assert_memory_equal(v.why_local, "エントリ 1: ", strlen("エントリ 1: "));
	assert_string_not_equal(v.why + 9, "");
	speak(NULL);
	kesu_pgreg_judge(&f, &v);
	assert_string_equal(v.why_local, v.why);
	free(line);
	json_decref(o);
}

/* The station's reasons: English for the event JSON, the operator's
 * language on the dashboard; the gate's reason comes translated from
 * the probe. */
static void station_reasons_speak_the_locale(void **state)
{
	(void)state;
	struct kesu_station_policy p = {0};
	struct kesu_station_disk d = {.name = "loop3", .virtual_dev = true, .listed = true};
	struct kesu_station_decision dec;
	speak("ja");
	kesu_station_decide(&p, &d, &dec);
	assert_int_equal(dec.action, KESU_STATION_IGNORE);
	assert_string_equal(dec.reason, "loop3: a virtual device (name it with --only to "
			    "handle it)");
	assert_string_equal(dec.reason_local, "loop3: 仮想デバイスです (扱うには --only で指定して"
			    "ください)");
	d.virtual_dev = false;
	d.gate_allowed = false;
	snprintf(d.gate_text, sizeof(d.gate_text), "sdb is mounted on /mnt; unmount it first");
	snprintf(d.gate_local, sizeof(d.gate_local), "sdb は /mnt にマウントされています");
	kesu_station_decide(&p, &d, &dec);
	assert_int_equal(dec.action, KESU_STATION_REFUSE);
	assert_string_equal(dec.reason, d.gate_text);
	assert_string_equal(dec.reason_local, d.gate_local);

	/* On the bay: the dashboard's result column in Japanese, laid out
	 * by display columns; the event's reason and cause in English. */
	struct kesu_station st = {0};
	struct kesu_bay_disk bd = {.name = "sdb", .model = "M", .serial = "S", .size_bytes = 1};
	struct kesu_err err = {0};
	size_t bay;
	kesu_station_init(&st, 2);
	assert_int_equal(kesu_station_arrive(&st, &bd, &bay, &err), KESU_OK);
	assert_int_equal(kesu_station_decided(&st, bay, &dec, &err), KESU_OK);
	char l[KESU_DASH_WIDTH + 1];
	kesu_dash_line(&st, bay, l, sizeof(l));
	assert_non_null(strstr(l, "refused: sdb は /mnt にマウントされています"));
	json_t *j = kesu_station_event_json(&st, bay, "decided", "2026-12-01T09:00:00Z");
	assert_string_equal(json_string_value(json_object_get(j, "reason")), d.gate_text);
	assert_string_equal(json_string_value(json_object_get(j, "cause")), d.gate_text);
	json_decref(j);
	/* A reason too long for its column is cut on a character, with '~'. */
	char longer[400] = "";
	for (int i = 0; i < 40; i++)
		strcat(longer, "長");
	snprintf(st.bays[bay].cause_local, sizeof(st.bays[bay].cause_local), "%s", longer);
	kesu_dash_line(&st, bay, l, sizeof(l));
	const char *res = strstr(l, "refused: ");
	assert_non_null(res);
	assert_int_equal(kesu_term_width(res), 58);
	assert_int_equal(l[strlen(l) - 1], '~');
	assert_true(strlen(l) <= KESU_DASH_WIDTH);
}

static void localize_replaces_the_translation_only(void **state)
{
	(void)state;
	struct kesu_err e = {0};
	kesu_fail(&e, KESU_ERR_INVALID, 0, "a.b: %s", "missing");
	kesu_err_localize(&e, "a.b: %s", "ありません");
	assert_string_equal(e.msg, "a.b: missing");
	assert_string_equal(kesu_err_text(&e), "a.b: ありません");
	kesu_err_prefix(&e, "%s: ", "cert.json");
	assert_string_equal(e.msg, "cert.json: a.b: missing");
	assert_string_equal(kesu_err_text(&e), "cert.json: a.b: ありません");
	kesu_err_localize(NULL, "%s", "x");
}

/* The display column where needle starts in line. */
static size_t column_of(const char *line, const char *needle)
{
	const char *at = strstr(line, needle);
	assert_non_null(at);
	char head[KESU_DASH_WIDTH + 1];
	snprintf(head, sizeof(head), "%.*s", (int)(at - line), line);
	return kesu_term_width(head);
}

/* The dashboard's titles, states, result words, hint and a run's causes in
 * the operator's language, each column where the English one starts; the
 * event JSON the same English. */
/* kesu info's purge notes: the JSON keeps the English with its counts;
 * the operator reads the translation with the same counts, and a note
 * that only starts like a counted one is not taken for it. */
static void purge_notes_keep_their_counts(void **state)
{
	(void)state;
	const char *hidden = "hidden area: 8 sector(s) behind HPA, 0 behind DCO; use "
			     "--unlock-hidden to erase them";
	char out[512];
	speak(NULL);
	kesu_caps_note_text(hidden, out, sizeof(out));
	assert_string_equal(out, hidden);
	speak("ja");
	kesu_caps_note_text(hidden, out, sizeof(out));
	assert_string_equal(out, "隠し領域: HPA の奥に 8 セクタ、DCO の奥に 0 セクタ。消去するには "
			    "--unlock-hidden を指定");
	kesu_caps_note_text("two boot partitions of 4194304 bytes each (mmcblkNboot0/1) hold "
			    "firmware and are not erased", out, sizeof(out));
	assert_string_equal(out, "4194304 バイトのブートパーティション 2 つ (mmcblkNboot0/1) は"
			    "ファームウェアを保持し、消去されません");
	kesu_caps_note_text("a sanitize is running now; wait for it to finish", out, sizeof(out));
	assert_string_equal(out, "サニタイズが実行中です。終わるまで待ってください");
	const char *longer = "two boot partitions of 4 bytes each (mmcblkNboot0/1) hold "
			     "firmware and are not erased, and more";
	kesu_caps_note_text(longer, out, sizeof(out));
	assert_string_equal(out, longer);
	speak(NULL);
}

static void dashboard_speaks_the_locale(void **state)
{
	(void)state;
	struct kesu_station st = {0};
	struct kesu_bay_disk bd = {.name = "sdb", .model = "M", .serial = "S", .size_bytes = 1};
	struct kesu_station_decision dec = {.action = KESU_STATION_WAIT};
	struct kesu_err err = {0};
	char en[KESU_DASH_WIDTH + 1], ja[KESU_DASH_WIDTH + 1];
	size_t bay;
	snprintf(dec.method, sizeof(dec.method), "zero");
	kesu_station_init(&st, 2);
	assert_int_equal(kesu_station_arrive(&st, &bd, &bay, &err), KESU_OK);
	assert_int_equal(kesu_station_decided(&st, bay, &dec, &err), KESU_OK);
	speak(NULL);
	kesu_dash_header(en, sizeof(en));
	speak("ja");
	kesu_dash_header(ja, sizeof(ja));
	assert_int_equal(column_of(ja, "デバイス"), column_of(en, "DEVICE"));
	assert_int_equal(column_of(ja, "状態"), column_of(en, "STATE"));
	assert_int_equal(column_of(ja, "結果"), column_of(en, "RESULT"));
	speak(NULL);
	kesu_dash_line(&st, bay, en, sizeof(en));
	assert_non_null(strstr(en, "waiting"));
	assert_non_null(strstr(en, "zero; type 1 to start"));
	speak("ja");
	kesu_dash_line(&st, bay, ja, sizeof(ja));
	assert_int_equal(column_of(ja, "開始待ち"), column_of(en, "waiting"));
	assert_int_equal(column_of(ja, "zero。開始するには 1 と入力"), column_of(en, "zero;"));

	/* Pulled mid-run: the cause made in both languages, where it happened. */
	assert_int_equal(kesu_station_confirm(&st, bay, &err), KESU_OK);
	bool stop;
	kesu_station_removed(&st, "sdb", &bay, &stop);
	kesu_dash_line(&st, bay, ja, sizeof(ja));
	assert_non_null(strstr(ja, "取外し: 実行中にディスクが取り外されました (パス 0、0%)"));
	json_t *j = kesu_station_event_json(&st, bay, "removed", "2026-12-01T09:00:00Z");
	assert_string_equal(json_string_value(json_object_get(j, "result")), "removed");
	assert_string_equal(json_string_value(json_object_get(j, "cause")),
			    "disk removed during the run (pass 0, 0%); not erased");
	json_decref(j);

	/* A run's end: the session's cause in both texts; without a
	 * translation the English shows, and a word the table lacks stays. */
	memset(&st, 0, sizeof(st));
	kesu_station_init(&st, 1);
	dec.action = KESU_STATION_START;
	assert_int_equal(kesu_station_arrive(&st, &bd, &bay, &err), KESU_OK);
	assert_int_equal(kesu_station_decided(&st, bay, &dec, &err), KESU_OK);
	assert_true(kesu_station_finished(&st, bay, st.bays[bay].run_id, KESU_BAY_NOT_ERASED,
					  "read error", "読取りエラー", NULL));
	kesu_dash_line(&st, bay, ja, sizeof(ja));
	assert_non_null(strstr(ja, "失敗"));
	assert_non_null(strstr(ja, "未消去: 読取りエラー"));
	j = kesu_station_event_json(&st, bay, "finished", "2026-12-01T09:00:00Z");
	assert_string_equal(json_string_value(json_object_get(j, "cause")), "read error");
	assert_string_equal(json_string_value(json_object_get(j, "state")), "failed");
	json_decref(j);
	st.bays[bay].cause_local[0] = '\0';
	kesu_dash_line(&st, bay, ja, sizeof(ja));
	assert_non_null(strstr(ja, "未消去: read error"));
	assert_string_equal(kesu_dash_result_text("odd"), "odd");
	speak(NULL);
	kesu_dash_line(&st, bay, en, sizeof(en));
	assert_non_null(strstr(en, "not-erased: read error"));
}


/* lib/jcheck.c names the field as the file does and says what is wrong
 * with it in the operator's language; the English stays in msg. */
static void field_checks_translate_what_is_wrong(void **state)
{
	(void)state;
	speak("ja");
	json_t *doc = json_pack("{s:s}", "serial", "0123456789abcdef");
	struct kesu_err e = {0};
	const char *v;
	assert_int_equal(kj_str(doc, "device", "model", false, 64, &v, &e), KESU_ERR_INVALID);
	assert_string_equal(e.msg, "device.model: missing");
	assert_string_equal(kesu_err_text(&e), "device.model: ありません");
	assert_int_equal(kj_str(doc, "", "serial", false, 4, &v, &e), KESU_ERR_INVALID);
	assert_string_equal(e.msg, "serial: too long");
	assert_string_equal(kesu_err_text(&e), "serial: 長すぎます");
	json_decref(doc);
}

/* The progress line is for people: translated, its phase too. */
static void progress_line_speaks_the_locale(void **state)
{
	(void)state;
	struct kesu_progress_snap p = {0};
	p.device = "sdb";
	p.pass = 1;
	p.npasses = 1;
	p.phase = "verify";
	char line[160];
	speak("ja");
	kesu_progress_line(&p, line, sizeof(line));
	assert_non_null(strstr(line, "sdb  パス 1/1  検証  "));
	assert_non_null(strstr(line, "経過 00:00:00  残り"));
	/* Cut inside a character: the half character is dropped. */
	char tiny[12];   /* "sdb  パ" is 8 bytes, "ス" 3 more, the NUL one */
	kesu_progress_line(&p, tiny, 11);
	assert_string_equal(tiny, "sdb  パ");
	speak(NULL);
	kesu_progress_line(&p, line, sizeof(line));
	assert_non_null(strstr(line, "sdb  pass 1/1  verify  "));
}

static void utf8_cut_drops_only_a_partial_character(void **state)
{
	(void)state;
	char a[] = "ab\xe6\x97";         /* the first two bytes of 日 */
	kesu_utf8_cut(a);
	assert_string_equal(a, "ab");
	char b[] = "ab日";
	kesu_utf8_cut(b);
	assert_string_equal(b, "ab日");
	char c[] = "\xf0\x9f\x98";      /* three of an emoji's four bytes */
	kesu_utf8_cut(c);
	assert_string_equal(c, "");
	char d[] = "x\xc3";
	kesu_utf8_cut(d);
	assert_string_equal(d, "x");
	char e[] = "";
	kesu_utf8_cut(e);
	assert_string_equal(e, "");
}

/* --- terminal columns ---------------------------------------------------- */

static void widths(void **state)
{
	(void)state;
	assert_int_equal(kesu_term_width(""), 0);
	assert_int_equal(kesu_term_width("sda"), 3);
	assert_int_equal(kesu_term_width("日本語"), 6);
	assert_int_equal(kesu_term_width("ﾃﾞｨｽｸ"), 5);        /* half-width kana */
	assert_int_equal(kesu_term_width("e\xcc\x81"), 1);     /* e + combining acute */
	assert_int_equal(kesu_term_width("a\xff" "b"), 3);     /* a stray byte: one '?' */
	assert_int_equal(kesu_term_width("\xe2\x80\xae"), 1);  /* RLO: shown as '?' */
}

static void widths_do_not_follow_the_process_locale(void **state)
{
	(void)state;
	speak(NULL);
	assert_int_equal(kesu_term_width("消去済み"), 8);
	char c[64];
	kesu_term_cell(c, sizeof(c), "消去", 6, false);
	assert_string_equal(c, "消去  ");
}

static void cell_pads_by_columns(void **state)
{
	(void)state;
	char c[64];
	assert_int_equal(kesu_term_cell(c, sizeof(c), "名前", 10, false), strlen("名前") + 6);
	assert_string_equal(c, "名前      ");
	kesu_term_cell(c, sizeof(c), "容量", 6, true);
	assert_string_equal(c, "  容量");
	kesu_term_cell(c, sizeof(c), "sda", 5, false);
	assert_string_equal(c, "sda  ");
	kesu_term_cell(c, sizeof(c), "", 3, false);
	assert_string_equal(c, "-  ");
	kesu_term_cell(c, sizeof(c), "e\xcc\x81t\xc3\xa9", 4, false);
	assert_string_equal(c, "e\xcc\x81t\xc3\xa9 ");   /* three columns */
}

static void cell_never_splits_a_wide_character(void **state)
{
	(void)state;
	char c[64];
	/* Five columns hold two kanji and one blank, not half of a third. */
	kesu_term_cell(c, sizeof(c), "日本語テキスト", 5, false);
	assert_string_equal(c, "日本 ");
	assert_int_equal(kesu_term_width(c), 5);
	kesu_term_cell(c, sizeof(c), "abcdefghijkl", 4, false);
	assert_string_equal(c, "abcd");
}

static void cell_escapes_what_a_terminal_would_obey(void **state)
{
	(void)state;
	char c[64];
	/* An escape sequence, invalid UTF-8 and a right-to-left override in a
	 * device's model string each print as one '?' column. */
	kesu_term_cell(c, sizeof(c), "\x1b[2Jx\xc0\xaf" "y\xe2\x80\xae" "z", 12, false);
	assert_string_equal(c, "?[2Jx??y?z  ");
	assert_int_equal(kesu_term_width(c), 12);
}

static void cell_fits_a_small_buffer(void **state)
{
	(void)state;
	char c[8];
	/* Each kanji is three bytes: two fit with the NUL, padding does not. */
	size_t n = kesu_term_cell(c, sizeof(c), "日本語", 6, false);
	assert_true(n < sizeof(c));
	assert_int_equal(strlen(c), n);
	assert_string_equal(c, "日本 ");
	char one[1];
	assert_int_equal(kesu_term_cell(one, sizeof(one), "abc", 3, true), 0);
	assert_string_equal(one, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(english_when_the_locale_is_c, back_to_english),
		cmocka_unit_test_teardown(japanese_for_people_english_for_files, back_to_english),
		cmocka_unit_test_teardown(positional_arguments_reorder, back_to_english),
		cmocka_unit_test_teardown(untranslated_message_stays_english, back_to_english),
		cmocka_unit_test_teardown(prefix_composes_both_languages, back_to_english),
		cmocka_unit_test_teardown(prefix_in_c_locale_is_english, back_to_english),
		cmocka_unit_test_teardown(msg_rewritten_by_hand_is_not_shown_stale, back_to_english),
		cmocka_unit_test_teardown(message_may_wrap_its_own_text, back_to_english),
		cmocka_unit_test(empty_error_names_its_result),
		cmocka_unit_test_teardown(long_translation_is_cut_not_overrun, back_to_english),
		cmocka_unit_test(localize_replaces_the_translation_only),
		cmocka_unit_test_teardown(gate_reasons_speak_the_locale, back_to_english),
		cmocka_unit_test_teardown(register_findings_speak_the_locale, back_to_english),
		cmocka_unit_test_teardown(certificate_file_findings_speak_the_locale,
					  back_to_english),
		cmocka_unit_test_teardown(database_findings_speak_the_locale, back_to_english),
		cmocka_unit_test_teardown(station_reasons_speak_the_locale, back_to_english),
		cmocka_unit_test_teardown(dashboard_speaks_the_locale, back_to_english),
		cmocka_unit_test_teardown(field_checks_translate_what_is_wrong, back_to_english),
		cmocka_unit_test_teardown(progress_line_speaks_the_locale, back_to_english),
		cmocka_unit_test(utf8_cut_drops_only_a_partial_character),
		cmocka_unit_test(widths),
		cmocka_unit_test_teardown(widths_do_not_follow_the_process_locale, back_to_english),
		cmocka_unit_test(cell_pads_by_columns),
		cmocka_unit_test(cell_never_splits_a_wide_character),
		cmocka_unit_test(cell_escapes_what_a_terminal_would_obey),
		cmocka_unit_test(cell_fits_a_small_buffer),
		cmocka_unit_test(purge_notes_keep_their_counts),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
