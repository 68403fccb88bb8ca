#include "certs/document/policy.h"

#include <string.h>

enum kesu_rc kesu_policy_from_config(const struct kesu_config *cfg,
				     struct kesu_policy *p, struct kesu_err *err)
{
	memset(p, 0, sizeof(*p));
	const char *s = cfg->policy_signed_classes;
	if (strcmp(s, "none")) {
		/* "1", "2,3", "1, 2, 3": digits 1-3 separated by commas. */
		bool want_digit = true;
		for (; *s; s++) {
			if (*s == ' ')
				continue;
			if (want_digit && *s >= '1' && *s <= '3')
				p->signed_required[*s - '0'] = true;
			else if (!want_digit && *s == ',')
				;
			else
				return kesu_fail(err, KESU_ERR_INVALID, 0,
						 "[policy] signed_approval_classes = '%s': "
						 "give 'none' or classes 1-3 separated by "
						 "commas", cfg->policy_signed_classes);
			want_digit = !want_digit;
		}
		if (want_digit)
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "[policy] signed_approval_classes = '%s': give "
					 "'none' or classes 1-3 separated by commas",
					 cfg->policy_signed_classes);
	}
	if (!strcmp(cfg->policy_typed_approvers, "yes"))
		p->typed_ok = true;
	else if (strcmp(cfg->policy_typed_approvers, "no"))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "[policy] typed_approvers = '%s': give yes or no",
				 cfg->policy_typed_approvers);
	return KESU_OK;
}

enum kesu_rc kesu_policy_check(const struct kesu_policy *p, int cls, bool signed_approval,
			       struct kesu_err *err)
{
	if (signed_approval)
		return KESU_OK;
	if (cls >= 1 && cls <= 3 && p->signed_required[cls])
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "policy: class %d media are erased only on a signed "
				 "approval; give --approval FILE (kesu approval new), "
				 "a typed --approver is not enough ([policy] "
				 "signed_approval_classes)", cls);
	if (!p->typed_ok)
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "policy: typed approvers are not accepted; give "
				 "--approval FILE ([policy] typed_approvers = no)");
	return KESU_OK;
}
