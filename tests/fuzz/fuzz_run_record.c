/* Run records: strict check and certificate building from one, and the
 * per-pass speeds cert show and the printed page show from one beside a
 * certificate. */
#include "certs/document/certificate.h"
#include "certs/document/run_speed.h"
#include "certs/print/cert_page.h"
#include "fuzz.h"

#include <jansson.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *rr = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!rr)
		return 0;
	struct kesu_cert_info info = {0};
	strcpy(info.operator_name, "fuzz");
	strcpy(info.operator_organization, "fuzz");
	strcpy(info.customer, "fuzz");
	strcpy(info.property_number, "A-1");
	info.confidentiality_class = 3;
	strcpy(info.reason, "disposal");
	strcpy(info.approver, "fuzz");
	strcpy(info.approval_date, "2026-01-01");
	json_t *cert = NULL;
	struct kesu_err err;
	if (kesu_cert_build(rr, "kesu-run-x.json",
			    "0000000000000000000000000000000000000000000000000000000000000000",
			    &info, "00000000-0000-4000-8000-000000000000",
			    "2026-01-02T00:00:00+00:00", &cert, &err) == KESU_OK) {
		struct kesu_cert_verdict v;
		kesu_cert_judge(cert, &v);
		/* The page of that certificate with the record beside it. */
		struct kesu_print_sig sig = {0};
		struct kesu_cert_page_in in = {
			.cert = cert, .file_name = "kesu-cert-x.json",
			.sha256 = "0000000000000000000000000000000000000000000000000000000000000000",
			.sig = &sig, .lang = KESU_LANG_JA_EN,
			.printed_at = "2026-01-02T00:00:00+00:00", .run = rr,
		};
		struct kesu_doc *d = NULL;
		if (kesu_cert_page_build(&in, &d, &err) == KESU_OK)
			kesu_doc_free(d);
		json_decref(cert);
	}
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(rr, "passes"), i, p) {
		char line[400];
		kesu_run_pass_speed(p, i % 2, line, sizeof(line));
		(void)kesu_run_pass_pattern(p);
	}
	json_decref(rr);
	return 0;
}
