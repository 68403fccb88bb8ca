#include "wipe/station/policy.h"
#include "wipe/firmware/purge_method.h"
#include "lib/i18n.h"
#include "lib/strutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static bool is_purge(const char *m)
{
	return kesu_purge_method_find(m) != NULL;
}

static enum kesu_rc take_method(char *dst, size_t dstsz, const char *val,
				const char *dflt, const char *key, bool purge_ok,
				struct kesu_err *err)
{
	const char *m = val[0] ? val : dflt;
	if (!(purge_ok && is_purge(m)) && !kesu_method_find(m))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "[station] %s = %s: no such %smethod; see 'kesu methods'",
				 key, m, purge_ok ? "" : "overwrite ");
	kesu_strlcpy(dst, m, dstsz);
	return KESU_OK;
}

enum kesu_rc kesu_station_policy_from_config(const struct kesu_config *cfg,
					     struct kesu_station_policy *p,
					     struct kesu_err *err)
{
	const struct {
		const char *transport, *key, *val, *dflt;
	} rules[KESU_STATION_RULES] = {
		{"nvme", "method_nvme", cfg->station.method_nvme, NULL},
		{"sata", "method_sata", cfg->station.method_sata, NULL},
		{"sas", "method_sas", cfg->station.method_sas, NULL},
		{"usb", "method_usb", cfg->station.method_usb, "nist-clear"},
		{"mmc", "method_mmc", cfg->station.method_mmc, NULL},
		{"virtio", "method_virtio", cfg->station.method_virtio, NULL},
	};
	const struct kesu_config_station *s = &cfg->station;
	enum kesu_rc rc;
	memset(p, 0, sizeof(*p));
	if ((rc = take_method(p->method, sizeof(p->method), s->method, "purge",
			      "method", true, err)) ||
	    (rc = take_method(p->fallback, sizeof(p->fallback), s->fallback,
			      "nist-clear", "fallback", false, err)))
		return rc;
	for (size_t i = 0; i < KESU_STATION_RULES; i++) {
		p->rules[i].transport = rules[i].transport;
		const char *d = rules[i].dflt ? rules[i].dflt : p->method;
		if ((rc = take_method(p->rules[i].method, sizeof(p->rules[i].method),
				      rules[i].val, d, rules[i].key, true, err)))
			return rc;
	}
	if (s->verify[0]) {
		if (!kesu_verify_mode_parse(s->verify, &p->verify))
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "[station] verify = %s: use last, all, none or sample",
					 s->verify);
		p->verify_set = true;
	}
	if (!s->start[0] || !strcmp(s->start, "confirm"))
		p->start = KESU_STATION_CONFIRM;
	else if (!strcmp(s->start, "auto"))
		p->start = KESU_STATION_AUTO;
	else
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "[station] start = %s: use confirm or auto", s->start);
	if (!s->pdf[0] || !strcmp(s->pdf, "no"))
		p->pdf = false;
	else if (!strcmp(s->pdf, "yes"))
		p->pdf = true;
	else
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "[station] pdf = %s: use yes or no", s->pdf);
	if (!s->resume[0] || !strcmp(s->resume, "yes"))
		p->resume = true;
	else if (strcmp(s->resume, "no"))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "[station] resume = %s: use yes or no", s->resume);
	/* An approval names the batch it covers; a reference without its date
	 * (or the reverse) could not be checked against the erasure time. */
	if (!s->approval_ref[0] != !s->approval_date[0])
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "[station] approval_ref and approval_date go together; "
				 "set both or neither");
	if (s->class_[0]) {
		if (strlen(s->class_) != 1 || s->class_[0] < '1' || s->class_[0] > '3')
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "[station] class = %s: use 1, 2 or 3", s->class_);
		p->class_ = s->class_[0] - '0';
	}
	kesu_strlcpy(p->approver, s->approver, sizeof(p->approver));
	kesu_strlcpy(p->reason, s->reason, sizeof(p->reason));
	kesu_strlcpy(p->asset_map, s->asset_map, sizeof(p->asset_map));
	kesu_strlcpy(p->approval_ref, s->approval_ref, sizeof(p->approval_ref));
	kesu_strlcpy(p->approval_date, s->approval_date, sizeof(p->approval_date));
	kesu_strlcpy(p->approval, s->approval, sizeof(p->approval));
	return KESU_OK;
}

const char *kesu_station_method_for(const struct kesu_station_policy *p,
				    const char *transport)
{
	for (size_t i = 0; i < KESU_STATION_RULES; i++)
		if (p->rules[i].transport && !strcmp(p->rules[i].transport, transport))
			return p->rules[i].method;
	return p->method;
}

/* The decision's reason, in English (events, files) and in the operator's
 * language (the dashboard), made together as kesu_fail makes its two
 * texts: fmt is a catalogue key (xgettext --keyword=kesu_station_say:2). */
static void kesu_station_say(struct kesu_station_decision *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void kesu_station_say(struct kesu_station_decision *out, const char *fmt, ...)
{
	va_list ap, aq;
	va_start(ap, fmt);
	va_copy(aq, ap);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	vsnprintf(out->reason_local, sizeof(out->reason_local), _(fmt), aq);
	va_end(aq);
	va_end(ap);
}

static bool verdict(struct kesu_station_decision *out, enum kesu_station_action a)
{
	out->action = a;
	return true;
}

/* A reason made elsewhere, with its own translation (or none). */
static bool verdict_of(struct kesu_station_decision *out, enum kesu_station_action a,
		       const char *text, const char *local)
{
	kesu_strlcpy(out->reason, text, sizeof(out->reason));
	kesu_strlcpy(out->reason_local, local[0] ? local : text, sizeof(out->reason_local));
	return verdict(out, a);
}

/* True when the disk is kept from the policy: ignored or refused. */
static bool kept_out(const struct kesu_station_policy *p, const struct kesu_station_disk *d,
		     struct kesu_station_decision *out)
{
	static const char ckpt[] = N_("checkpoint not usable: %s; resume by hand with "
				      "'kesu wipe --resume' or discard it");
	/* Order matters: what keeps a disk out of the station altogether
	 * first, then what the gate says, and only then the policy. */
	if (d->only_given && !d->listed) {
		kesu_station_say(out, "%s: not named by --only", d->name);
		return verdict(out, KESU_STATION_IGNORE);
	}
	if (!d->only_given && d->virtual_dev) {
		kesu_station_say(out, "%s: a virtual device (name it with --only to handle it)",
				 d->name);
		return verdict(out, KESU_STATION_IGNORE);
	}
	if (d->present_at_start) {
		kesu_station_say(out, "%s: was present when the station started; re-insert it "
				 "or start with --existing", d->name);
		return verdict(out, KESU_STATION_REFUSE);
	}
	if (!d->gate_allowed)
		return verdict_of(out, KESU_STATION_REFUSE, d->gate_text, d->gate_local);
	if (d->checkpoint == KESU_CKPT_INVALID) {
		kesu_station_say(out, ckpt, d->ckpt_text);
		snprintf(out->reason_local, sizeof(out->reason_local), _(ckpt),
			 d->ckpt_local[0] ? d->ckpt_local : d->ckpt_text);
		return verdict(out, KESU_STATION_REFUSE);
	}
	if (d->checkpoint == KESU_CKPT_VALID || d->asset_found ||
	    p->start == KESU_STATION_CONFIRM)
		return false;
	/* Started automatically, a disk needs its asset number from the map:
	 * a certificate names the asset, and nobody is asked. */
	if (!p->asset_map[0])
		kesu_station_say(out, "%s: no asset number: start = auto needs [station] "
				 "asset_map", d->name);
	else if (!d->serial[0])
		kesu_station_say(out, "%s reports no serial number; the asset map cannot name "
				 "it (start it with confirm)", d->name);
	else
		kesu_station_say(out, "serial %s is not in the asset map; add it and re-insert",
				 d->serial);
	return verdict(out, KESU_STATION_REFUSE);
}

void kesu_station_decide(const struct kesu_station_policy *p,
			 const struct kesu_station_disk *d,
			 struct kesu_station_decision *out)
{
	memset(out, 0, sizeof(*out));
	if (kept_out(p, d, out))
		return;
	const char *m = kesu_station_method_for(p, d->transport);
	if (is_purge(m) && !d->purge_supported)
		m = p->fallback;
	kesu_strlcpy(out->method, m, sizeof(out->method));
	/* A resume continues the interrupted run's own method: one the policy
	 * no longer gives this disk is not the station's to continue. */
	if (d->checkpoint == KESU_CKPT_VALID && strcmp(d->ckpt_method, m)) {
		out->action = KESU_STATION_REFUSE;
		kesu_station_say(out, "checkpoint not usable: the interrupted wipe used %s, the "
				 "station gives this disk %s; resume it with 'kesu wipe "
				 "--resume' or discard it", d->ckpt_method, m);
		return;
	}
	out->purge = is_purge(m);
	out->resume = d->checkpoint == KESU_CKPT_VALID;
	if (out->resume)
		kesu_station_say(out, "resumes the interrupted %s wipe from its checkpoint", m);
	/* A resume certifies what its checkpoint kept. */
	out->need_asset = !out->resume && !d->asset_found;
	/* A resume continues what an operator already confirmed once. */
	out->action = (p->start == KESU_STATION_AUTO || out->resume) ? KESU_STATION_START
								     : KESU_STATION_WAIT;
}

const char *kesu_station_action_name(enum kesu_station_action a)
{
	static const char *const names[] = {"ignore", "refuse", "wait", "start"};
	return (unsigned)a < 4 ? names[a] : "?";
}

bool kesu_station_purge_supported(const char *method, const char *const *supported,
				  size_t n)
{
	if (!is_purge(method))
		return true;
	if (!strcmp(method, "purge"))
		return n > 0;
	for (size_t i = 0; i < n; i++)
		if (supported[i] && !strcmp(supported[i], method))
			return true;
	return false;
}
