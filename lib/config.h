/* /etc/kesu/kesu.conf (man/kesu.conf.5): who the operator is, which key
 * signs, where the register lives.  INI-like "key = value" lines in
 * [sections]; parsing is strict so a typo never silently drops a setting. */
#ifndef KESU_CONFIG_H
#define KESU_CONFIG_H

#include "lib/error.h"
#include "lib/strutil.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define KESU_CONFIG_DEFAULT "/etc/kesu/kesu.conf"
#define KESU_REGISTER_DEFAULT "/var/lib/kesu/register.jsonl"
#define KESU_STATE_DIR_DEFAULT "/var/lib/kesu"

struct kesu_config {
	char operator_name[KESU_STR_MAX + 1];
	char operator_title[KESU_STR_MAX + 1];
	char operator_organization[KESU_STR_MAX + 1];
	char operator_contact[KESU_STR_MAX + 1];
	char operator_location[KESU_STR_MAX + 1]; /* where the work is done */
	char customer[KESU_STR_MAX + 1];
	char key[PATH_MAX];        /* key file or pkcs11: URI */
	char cert[PATH_MAX];       /* signer certificate (PEM) */
	char pin_file[PATH_MAX];   /* token PIN, for pkcs11: keys */
	char pkcs11_module[PATH_MAX]; /* PKCS#11 module for pkcs11: keys */
	char ca_file[PATH_MAX];    /* trusted CA certificates (PEM bundle) */
	char tsa_ca_file[PATH_MAX]; /* CA certificates of the timestamp authority */
	char tsa_url[PATH_MAX];    /* RFC 3161 timestamp authority, "" = none */
	char crl_file[PATH_MAX];   /* their CRLs (PEM); empty = no revocation check */
	char register_path[PATH_MAX];
	char register_url[PATH_MAX]; /* postgresql:// URL of a database register */
	char open_max_days[8];     /* register verify: open items older are late */
	char state_dir[PATH_MAX];
	/* [policy], judged by certs/document/policy.h: kept as text here so
	 * the foundation knows nothing of approvals. */
	char policy_signed_classes[32];  /* "3", "2,3", "none" */
	char policy_typed_approvers[8];  /* "yes" or "no" */
	/* kesu wipe's requests in flight per device, as written ("": the
	 * default); the command checks the number. */
	char queue_depth[16];
	/* [station] (kesu-station(8)): kept as text here; wipe/station/policy.c
	 * knows the method names and turns them into a policy. */
	struct kesu_config_station {
		char method[48];           /* any transport not named below */
		char method_nvme[48], method_sata[48], method_sas[48];
		char method_usb[48], method_mmc[48], method_virtio[48];
		char fallback[48];         /* when "purge" is not supported */
		char verify[16];           /* last all none sample */
		char start[16];            /* confirm auto */
		char asset_map[PATH_MAX];  /* "serial,asset" lines */
		char approval_ref[KESU_STR_MAX + 1];
		char approval_date[40];
		char approver[KESU_STR_MAX + 1];
		char class_[4];            /* confidentiality class 1..3 */
		char reason[16];           /* disposal lease-return repair reuse */
		char pdf[8];               /* yes no */
		char approval[PATH_MAX];   /* a signed approval for the batch */
		char resume[8];            /* yes no: resume a re-inserted disk */
	} station;
};

/* The register commands use: [register] url when set, else path. */
const char *kesu_config_register(const struct kesu_config *cfg);

/* Parse the text of a config file; name is used in error messages. */
enum kesu_rc kesu_config_parse(const char *text, size_t len, const char *name,
			       struct kesu_config *cfg, struct kesu_err *err);

/* Load path; if path is NULL the default file is read when it exists and
 * defaults are used when it does not.  An explicit path must exist. */
enum kesu_rc kesu_config_load(const char *path, struct kesu_config *cfg,
			      struct kesu_err *err);

#endif
