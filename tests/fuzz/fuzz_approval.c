/* Approval JSON (kesu-approval(5)): strict parse with the hidden-character
 * rule, then the verdict against fixed facts; and as the approval a
 * checkpoint keeps for a resume. */
#include "certs/document/approval.h"
#include "certs/document/signed_doc.h"
#include "certs/sign/role.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *d = NULL;
	struct kesu_err err;
	if (kesu_doc_parse((const char *)data, size, kesu_approval_check, &d, &err) == KESU_OK) {
		struct kesu_approval_facts f = {
			.signer_roles = KESU_ROLE_APPROVER, .serial = "SN-1",
			.property_number = "A-0042", .operator_name = "山田 太郎",
			.operator_cert = NULL, .confidentiality_class = 3,
			.reason = "disposal", .at = 1790000000,
		};
		kesu_approval_judge(d, &f, &err);
		json_decref(d);
	}
	/* The same bytes as the approval a checkpoint keeps for its run. */
	json_t *kept = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (kept) {
		static const char sha[] = "00000000000000000000000000000000"
					  "00000000000000000000000000000000";
		kesu_approval_resume_check(kept, sha, &err);
		json_decref(kept);
	}
	return 0;
}
