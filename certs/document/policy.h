/* The city's approval policy ([policy] in kesu.conf, kesu.conf(5)): which
 * confidentiality classes may be erased only on a signed approval
 * (kesu-approval(5)), and whether an approver's name typed on the command
 * line is accepted at all for the others.  Pure. */
#ifndef KESU_POLICY_H
#define KESU_POLICY_H

#include "lib/config.h"
#include "lib/error.h"

#include <stdbool.h>

struct kesu_policy {
	bool signed_required[4];  /* by class 1..3; [0] unused */
	bool typed_ok;
};

/* From [policy] signed_approval_classes ("none" or a comma list of 1-3)
 * and typed_approvers (yes|no).  KESU_ERR_INVALID naming the key. */
enum kesu_rc kesu_policy_from_config(const struct kesu_config *cfg,
				     struct kesu_policy *p, struct kesu_err *err);

/* May an erasure of class `cls` proceed with what it has: a signed
 * approval, or only a typed approver's name?  KESU_ERR_REFUSED saying
 * which rule and how to satisfy it. */
enum kesu_rc kesu_policy_check(const struct kesu_policy *p, int cls, bool signed_approval,
			       struct kesu_err *err);

#endif
