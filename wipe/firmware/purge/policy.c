/* The pure half of firmware purge: which method "purge" picks and why,
 * whether a method may run on this device now, how it is checked and how
 * long kesu waits for it.  Nothing here sends a command. */
#include "wipe/firmware/purge/driver.h"
#include "lib/strutil.h"

#include <stdio.h>
#include <string.h>

const char *kesu_purge_interface_name(const struct kesu_caps *c)
{
	return c->kind == KESU_CAPS_NVME ? "NVMe" :
	       c->kind == KESU_CAPS_ATA ? "ATA" :
	       c->kind == KESU_CAPS_SCSI ? "SCSI" :
	       c->kind == KESU_CAPS_EMMC ? "eMMC" : "no pass-through";
}

/* Flash with both crypto and block erase: the key change makes the data
 * unreadable at once, and the block erase that follows resets the cells
 * themselves, so the result does not rest on the key destruction alone
 * (a weak or escrowed key, a drive that left some blocks unencrypted). */
#define CHAIN_WHY(cmd) \
	"flash with " cmd " crypto and block erase: crypto erase makes the data unreadable at once, " \
	"then block erase resets every flash block, spare blocks included, so nothing depends on the key destruction alone"

/* One candidate for "purge", strongest first within its interface. */
struct pref {
	const char *method;
	enum { ALWAYS, FLASH, SPINNING, WITH_PSID } when;
	const char *why;
	const char *why_spinning;   /* where spinning media change the reason */
};

static const struct pref nvme_prefs[] = {
	{"nvme-sanitize-crypto-block", FLASH, CHAIN_WHY("Sanitize"), NULL},
	{"nvme-sanitize-crypto", ALWAYS,
	 "crypto erase through Sanitize: replaces the media key for every namespace, spare blocks included", NULL},
	{"nvme-sanitize-block", ALWAYS,
	 "no crypto erase; Sanitize block erase resets every flash block, spare blocks included", NULL},
	{"nvme-format-crypto", ALWAYS,
	 "no Sanitize crypto or block erase; Format with crypto erase (FNA) is the strongest left", NULL},
	{"opal-psid-revert", WITH_PSID, "no Sanitize; the Opal PSID revert replaces the media key", NULL},
	{"nvme-sanitize-overwrite", ALWAYS, "only Sanitize overwrite is offered; it reaches every namespace", NULL},
	{"nvme-format-erase", ALWAYS, "only Format with user data erase (SES=1) is offered", NULL},
	{NULL, ALWAYS, NULL, NULL},
};

/* ATA security erase is SP 800-88 Purge only on spinning media. */
static const struct pref ata_prefs[] = {
	{"ata-sanitize-crypto-block", FLASH, CHAIN_WHY("sanitize"), NULL},
	{"ata-sanitize-crypto", ALWAYS,
	 "crypto scramble changes the media key: fastest purge, hidden spare areas included", NULL},
	{"ata-sanitize-block", FLASH, "flash without crypto scramble: block erase resets every flash block", NULL},
	{"ata-sanitize-overwrite", ALWAYS, "only sanitize overwrite is offered",
	 "spinning media: sanitize overwrite writes every sector"},
	{"ata-sanitize-block", ALWAYS, "only sanitize block erase is offered", NULL},
	{"opal-psid-revert", WITH_PSID, "no sanitize; the Opal PSID revert replaces the media key", NULL},
	{"ata-secure-erase-enhanced", SPINNING,
	 "spinning media without sanitize: enhanced security erase (SP 800-88 Purge for ATA disks)", NULL},
	{"ata-secure-erase", SPINNING,
	 "spinning media without sanitize: security erase (SP 800-88 Purge for ATA disks)", NULL},
	{NULL, ALWAYS, NULL, NULL},
};

static const struct pref scsi_prefs[] = {
	{"scsi-sanitize-crypto-block", FLASH, CHAIN_WHY("SANITIZE"), NULL},
	{"scsi-sanitize-crypto", ALWAYS, "cryptographic erase changes the media key: fastest purge", NULL},
	{"scsi-sanitize-block", FLASH, "flash without crypto erase: block erase resets every flash block", NULL},
	{"scsi-sanitize-overwrite", ALWAYS, "only SANITIZE overwrite is offered",
	 "spinning media: SANITIZE overwrite writes every block"},
	{"scsi-sanitize-block", ALWAYS, "only SANITIZE block erase is offered", NULL},
	{"opal-psid-revert", WITH_PSID, "no SANITIZE; the Opal PSID revert replaces the media key", NULL},
	{NULL, ALWAYS, NULL, NULL},
};

static const struct pref emmc_prefs[] = {
	{"emmc-sanitize", ALWAYS,
	 "eMMC: erase the whole user area, then sanitize the unmapped blocks (the only purge eMMC offers)", NULL},
	{NULL, ALWAYS, NULL, NULL},
};

static const struct pref none_prefs[] = {
	{"opal-psid-revert", WITH_PSID, "the Opal PSID revert replaces the media key", NULL},
	{NULL, ALWAYS, NULL, NULL},
};

/* Why nothing was chosen. */
static const char *none_why(const struct kesu_caps *c)
{
	switch (c->kind) {
	case KESU_CAPS_ATA:
		return !c->rotational && c->ata.id.sec_supported
		       ? "this flash drive has no sanitize; security erase is only Clear on flash: use ata-secure-erase explicitly or an overwrite method"
		       : "the drive offers no sanitize or security erase; use an overwrite method";
	case KESU_CAPS_NONE:
		return "the device takes no firmware commands (no NVMe or SCSI pass-through); use an overwrite method";
	default:
		return "the device supports no firmware purge; use an overwrite method";
	}
}

void kesu_purge_choose(const struct kesu_caps *c, bool have_psid,
		       struct kesu_purge_choice *out)
{
	static const struct pref *const by_kind[] = {
		[KESU_CAPS_NONE] = none_prefs, [KESU_CAPS_NVME] = nvme_prefs,
		[KESU_CAPS_ATA] = ata_prefs, [KESU_CAPS_SCSI] = scsi_prefs,
		[KESU_CAPS_EMMC] = emmc_prefs,
	};
	memset(out, 0, sizeof(*out));
	bool flash = !c->rotational;
	char why[256];
	for (const struct pref *p = by_kind[c->kind]; p->method; p++) {
		if ((p->when == FLASH && !flash) || (p->when == SPINNING && flash) ||
		    (p->when == WITH_PSID && !have_psid))
			continue;
		const struct kesu_purge_method *m = kesu_purge_method_find(p->method);
		if (!m || !kesu_caps_supports(c, m, why, sizeof(why)))
			continue;
		out->method = m;
		snprintf(out->why, sizeof(out->why), "%s",
			 !flash && p->why_spinning ? p->why_spinning : p->why);
		return;
	}
	snprintf(out->why, sizeof(out->why), "%s", none_why(c));
}

#define WHY(...) (snprintf(why, whysz, __VA_ARGS__), false)

bool kesu_caps_supports(const struct kesu_caps *c, const struct kesu_purge_method *m,
			char *why, size_t whysz)
{
	if (m->action == KESU_PA_CRYPTO_BLOCK) {
		/* A chain runs only where both of its commands can run. */
		const struct kesu_purge_method *st[2];
		char w0[256], w1[256];
		if (kesu_purge_method_steps(m, st) != 2 || !st[0] || !st[1])
			return WHY("%s: its commands are missing from the method table", m->name);
		bool ok0 = kesu_caps_supports(c, st[0], w0, sizeof(w0));
		bool ok1 = kesu_caps_supports(c, st[1], w1, sizeof(w1));
		if (ok0 && ok1)
			return true;
		if (!ok0 && !ok1)
			return WHY("%s needs both %s and %s, and the device offers neither (%s)",
				   m->name, st[0]->name, st[1]->name, w0);
		return WHY("%s needs both %s and %s; the device lacks %s (%s)", m->name,
			   st[0]->name, st[1]->name, ok0 ? st[1]->name : st[0]->name,
			   ok0 ? w1 : w0);
	}
	if (m->family == KESU_PF_AUTO)
		return true;
	if (!m->driver)
		return WHY("unknown method");
	return m->driver->supports(c, m, why, whysz);
}

void kesu_purge_plan(const struct kesu_purge_method *m, const struct kesu_caps *c,
		     uint64_t size_bytes, struct kesu_purge_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->check = KESU_CHECK_CHANGED_OR_BLANK;
	p->nist_category = "purge";
	const struct kesu_purge_method *st[2];
	if (kesu_purge_method_steps(m, st) == 2 && st[0] && st[1]) {
		/* A chain is judged by its last command and waits as long as
		 * both together. */
		struct kesu_purge_plan p0, p1;
		kesu_purge_plan(st[0], c, size_bytes, &p0);
		kesu_purge_plan(st[1], c, size_bytes, &p1);
		*p = p1;
		p->all_namespaces = p0.all_namespaces || p1.all_namespaces;
		p->estimate_s = 0;
		p->timeout_s = p0.timeout_s + p1.timeout_s;
		return;
	}
	if (m->driver)
		m->driver->plan(c, m, p);
	/* Without an estimate: 10 minutes for a key change, otherwise the
	 * time to write the medium at a slow 20 MB/s. */
	uint64_t write_s = size_bytes / (20u * 1000 * 1000);
	uint64_t est = p->estimate_s ? p->estimate_s
		       : m->action == KESU_PA_CRYPTO ? 600 : 600 + write_s;
	/* Twice the estimate plus ten minutes: drives miss their own
	 * estimates, but a stalled drive must not hang kesu forever. */
	p->timeout_s = 2 * est + 600;
}

enum kesu_purge_check kesu_purge_check_for(const struct kesu_purge_method *m,
					   const struct kesu_caps *c)
{
	struct kesu_purge_plan p;
	kesu_purge_plan(m, c, 0, &p);
	return p.check;
}

uint64_t kesu_purge_timeout_s(const struct kesu_purge_method *m,
			      const struct kesu_caps *c, uint64_t size_bytes)
{
	struct kesu_purge_plan p;
	kesu_purge_plan(m, c, size_bytes, &p);
	return p.timeout_s;
}

static enum kesu_rc refuse_state(const struct kesu_caps *c, const struct kesu_purge_method *m,
				 const struct kesu_purge_opts *o, struct kesu_err *err)
{
	if (c->usb_bridge && !o->allow_usb_bridge)
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "%s: the device is behind a USB bridge, which can drop or mangle firmware commands; connect it directly, or pass --allow-usb-bridge if you trust this bridge",
				 m->name);
	if (m->driver && m->driver->refuses)
		return m->driver->refuses(c, m, o, err);
	return KESU_OK;
}

enum kesu_rc kesu_purge_precheck(const struct kesu_caps *c, const char *method,
				 const struct kesu_purge_opts *o,
				 const struct kesu_purge_method **out, char *why, size_t whysz,
				 struct kesu_err *err)
{
	const struct kesu_purge_method *m = kesu_purge_method_find(method);
	if (!m)
		return kesu_fail(err, KESU_ERR_USAGE, 0, "unknown purge method '%s'; see 'kesu methods'", method);
	if (why && whysz)
		why[0] = '\0';
	if (m->family == KESU_PF_AUTO) {
		struct kesu_purge_choice ch;
		kesu_purge_choose(c, o->psid && o->psid[0], &ch);
		if (!ch.method)
			return kesu_fail(err, KESU_ERR_NOTSUP, 0, "purge: %s", ch.why);
		m = ch.method;
		if (why)
			kesu_strlcpy(why, ch.why, whysz);
	}
	char w[256];
	if (!kesu_caps_supports(c, m, w, sizeof(w)))
		return kesu_fail(err, KESU_ERR_NOTSUP, 0, "%s: %s; see 'kesu info' for what the device supports",
				 m->name, w);
	enum kesu_rc rc = refuse_state(c, m, o, err);
	if (rc == KESU_OK && out)
		*out = m;
	return rc;
}
