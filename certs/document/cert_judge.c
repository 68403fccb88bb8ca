/* A certificate's consistency rules: what kesu_cert_judge finds wrong with
 * a certificate that is well formed (certificate.c reads and builds it),
 * and when it needs physical destruction.  Pure: the clock is given. */
#include "certs/document/certificate.h"
#include "certs/document/method_catalog.h"
#include "certs/document/verdict.h"
#include "lib/smbios.h"
#include "lib/strutil.h"
#include "lib/timefmt.h"

#include <stdio.h>
#include <string.h>

#define ERR KESU_VERDICT_ERR
#define WARN KESU_VERDICT_WARN

static const char *sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int64_t iget(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static void judge_required(const json_t *c, struct kesu_cert_verdict *v)
{
	static const char *const paths[][2] = {
		{"operator", "name"}, {"operator", "organization"}, {NULL, "customer"},
		{"asset", "property_number"}, {"approval", "approver"},
	};
	kesu_verdict_blank(c, paths, sizeof(paths) / sizeof(paths[0]), v);
	size_t i;
	json_t *w;
	json_array_foreach(json_object_get(c, "witnesses"), i, w) {
		const char *s = sget(w, "name");
		if (s && kesu_text_is_blank(s))
			ERR(v, "witnesses[%zu].name is blank", i);
	}
}

/* The host's values are the firmware's own: kesu leaves out blanks and the
 * placeholders a vendor never filled in, so a certificate that carries one
 * claims an identity nobody read. */
static void judge_host(const json_t *c, struct kesu_cert_verdict *v)
{
	const char *k;
	json_t *x;
	json_object_foreach(json_object_get(c, "host"), k, x) {
		const char *s = json_string_value(x);
		if (s && (kesu_text_is_blank(s) || kesu_smbios_placeholder(s)))
			ERR(v, "host.%s is blank or a firmware placeholder ('%.64s')", k, s);
	}
}

/* A date-only approval (YYYY-MM-DD) covers that whole day where the
 * erasure happened: compare calendar days in the erasure's own offset. */
static bool approved_after(const char *approval, const char *when, time_t t_when)
{
	time_t ta;
	if (strlen(approval) == 10)
		return strncmp(approval, when, 10) > 0;
	return kesu_time_parse(approval, &ta) && ta > t_when;
}

bool kesu_cert_approval_after(const char *approval_date, const char *when)
{
	time_t t;
	return approval_date && approval_date[0] && when &&
	       kesu_time_parse(when, &t) && approved_after(approval_date, when, t);
}

/* What an 'erased' result must be backed by; the other results only
 * warn. */
static void judge_result_proof(const char *result, const json_t *exec, const json_t *ver,
			       const char *technique, int64_t size, size_t n_bad,
			       struct kesu_cert_verdict *v)
{
	const char *mode = sget(ver, "mode"), *outcome = sget(ver, "outcome");
	if (!strcmp(result, "erased")) {
		if (n_bad)
			ERR(v, "result 'erased' but the run lists bad ranges");
		if (!strcmp(mode, "none"))
			ERR(v, "result 'erased' without verification (mode none): an "
			       "unverified erasure is not proven");
		if (!strcmp(outcome, "failed") || !strcmp(outcome, "incomplete"))
			ERR(v, "result 'erased' but verification %s", outcome);
		if (!strcmp(outcome, "skipped") && strcmp(mode, "none"))
			ERR(v, "result 'erased' but the requested verification was skipped");
		if (iget(ver, "mismatched_blocks") > 0)
			ERR(v, "result 'erased' but verification found mismatched blocks");
		if ((!strcmp(mode, "all") || !strcmp(mode, "last")) &&
		    iget(exec, "bytes_verified") < size)
			ERR(v, "result 'erased' with full verification but fewer bytes "
			       "verified than the device holds");
		if (!strcmp(technique, "overwrite") && iget(exec, "bytes_written") < size)
			ERR(v, "result 'erased' by overwrite but fewer bytes written "
			       "than the device holds");
	} else if (!strcmp(result, "erased-with-exceptions")) {
		WARN(v, "erased with exceptions: bad ranges could not be erased");
	} else {
		WARN(v, "NOT ERASED: this certificate records a failed or interrupted run");
	}
}

/* A medium that held My Number data is physically destroyed, never
 * returned or passed on. */
static void judge_my_number(const json_t *c, const json_t *asset,
			    struct kesu_cert_verdict *v)
{
	bool my_number = json_is_true(json_object_get(asset, "my_number"));
	v->physical_destruction_required =
		json_is_true(json_object_get(c, "physical_destruction_required"));
	if (my_number && !v->physical_destruction_required)
		ERR(v, "medium held My Number data but the certificate does not "
		       "require its physical destruction");
	if (my_number && !strcmp(sget(asset, "reason"), "lease-return"))
		ERR(v, "medium held My Number data but is returned to the lessor: "
		       "policy requires its physical destruction");
	if (my_number && sget(asset, "destination"))
		ERR(v, "medium held My Number data but has a destination: policy "
		       "requires its physical destruction");
}

void kesu_cert_judge(const json_t *c, struct kesu_cert_verdict *v)
{
	kesu_cert_judge_at(c, NULL, v);
}

void kesu_cert_judge_at(const json_t *c, const struct kesu_cert_clock *clock,
			struct kesu_cert_verdict *v)
{
	memset(v, 0, sizeof(*v));
	json_t *exec = json_object_get(c, "execution");
	json_t *method = json_object_get(c, "method");
	json_t *ver = json_object_get(method, "verification");
	json_t *asset = json_object_get(c, "asset");
	json_t *dev = json_object_get(c, "device");
	const char *result = sget(c, "result");
	const char *run_result = sget(exec, "run_result");
	const char *technique = sget(method, "technique");
	int64_t size = iget(dev, "size_bytes");
	size_t n_bad = json_array_size(json_object_get(exec, "bad_ranges"));
	time_t t_start = 0, t_end = 0, t_issued = 0;
	const char *s_start = sget(exec, "started_at"), *s_end = sget(exec, "ended_at");
	const char *s_issued = sget(c, "issued_at");
	if (s_start)
		kesu_time_parse(s_start, &t_start);
	if (s_end)
		kesu_time_parse(s_end, &t_end);
	kesu_time_parse(s_issued, &t_issued);
	bool erasing = strcmp(result, "not-erased") != 0;

	if (strcmp(result, kesu_cert_result_for_run(run_result)))
		ERR(v, "result '%s' does not follow from the run result", result);
	if (s_start && s_end && t_end < t_start)
		ERR(v, "execution ended before it started");
	if (s_end && t_issued < t_end)
		ERR(v, "certificate issued before the execution ended");
	else if (s_start && t_issued < t_start)
		ERR(v, "certificate issued before the execution started");
	if (erasing && (!s_start || !s_end))
		ERR(v, "result '%s' without a start and end time", result);
	const char *why = kesu_catalog_check(sget(method, "name"), technique,
					     sget(method, "nist_category"), erasing);
	if (why)
		ERR(v, "method '%s' with technique '%s': %s", sget(method, "name"),
		    technique, why);
	if (erasing && size <= 0)
		ERR(v, "result '%s' for a device of size 0", result);
	if (erasing && !strcmp(technique, "overwrite") && iget(exec, "bytes_written") <= 0)
		ERR(v, "result '%s' by overwrite but no byte was written", result);
	judge_result_proof(result, exec, ver, technique, size, n_bad, v);

	json_t *appr = json_object_get(c, "approval");
	const char *s_appr = sget(appr, "date");
	const char *s_work = s_start ? s_start : s_issued;
	if (s_appr && approved_after(s_appr, s_work, s_start ? t_start : t_issued))
		ERR(v, "approval dated %s, after the erasure began (%s): the "
		       "erasure was not approved beforehand", s_appr, s_work);

	if (clock)
		kesu_verdict_clock(clock, t_issued, s_issued, "certificate", v);

	judge_my_number(c, asset, v);
	judge_required(c, v);
	judge_host(c, v);
	/* Hidden characters anywhere in the document.  Text read from the medium
	 * ("before": labels, partition names) is evidence of what was there, not
	 * a claim, and an attacker may have put it there: it is warned about; in
	 * anything else it is an error. */
	kesu_verdict_hidden(c, "", false, "before", v);
	if (v->physical_destruction_required)
		WARN(v, "PHYSICAL DESTRUCTION REQUIRED (My Number data): software "
			"erasure alone is not a complete disposal");
	if (!json_is_true(json_object_get(exec, "clock_synchronized")))
		WARN(v, "the clock was not synchronised during the run");
}
