/* The station policy ([station] in kesu.conf, kesu-station(8)) and the
 * decision for each disk that arrives at a station: pure functions over
 * facts the caller collected (identity, the gate's verdict, what the drive
 * supports), so every path to "start erasing" is tested without a disk. */
#ifndef KESU_STATION_POLICY_H
#define KESU_STATION_POLICY_H

#include "lib/config.h"
#include "lib/error.h"
#include "wipe/engine/method.h"

#include <limits.h>
#include <stdbool.h>

enum kesu_station_start { KESU_STATION_CONFIRM, KESU_STATION_AUTO };

#define KESU_STATION_RULES 6

struct kesu_station_policy {
	struct {
		const char *transport;   /* static: "nvme", "sata", ... */
		char method[48];         /* "purge", a purge or an overwrite method */
	} rules[KESU_STATION_RULES];
	char method[48];             /* transports without a rule */
	char fallback[48];           /* overwrite method when purge is unsupported */
	enum kesu_verify_mode verify;
	bool verify_set;             /* false: the method's own */
	enum kesu_station_start start;
	char asset_map[PATH_MAX];
	char approval_ref[KESU_STR_MAX + 1];
	char approval_date[40];
	char approver[KESU_STR_MAX + 1];
	int class_;                  /* 0: not set */
	char reason[16];
	bool pdf;
	/* A signed approval (kesu-approval(5)) each disk's wipe is checked
	 * against as `kesu wipe --approval` checks it; "" for none. */
	char approval[PATH_MAX];
	/* Resume a re-inserted disk from its checkpoint (default yes); no:
	 * start it over, replacing the checkpoint. */
	bool resume;
};

/* From a parsed kesu.conf; unknown method names and values are refused with
 * the key they came from, so a typo never changes what a station erases
 * with.  Defaults: purge where supported, nist-clear otherwise (USB:
 * nist-clear, as bridges rarely pass purge commands), confirm. */
enum kesu_rc kesu_station_policy_from_config(const struct kesu_config *cfg,
					     struct kesu_station_policy *p,
					     struct kesu_err *err);

enum kesu_station_action {
	KESU_STATION_IGNORE,  /* not a disk a station handles: no bay */
	KESU_STATION_REFUSE,  /* a bay, marked refused, never written */
	KESU_STATION_WAIT,    /* a bay waiting for the operator's go */
	KESU_STATION_START,
};

enum kesu_station_ckpt { KESU_CKPT_NONE, KESU_CKPT_VALID, KESU_CKPT_INVALID };

/* What the caller found out about an arriving whole disk. */
struct kesu_station_disk {
	char name[64];               /* kernel name */
	char transport[16];
	char serial[KESU_STR_MAX + 1];
	bool virtual_dev;            /* loop, ram, zram, dm, md, sr, nbd */
	bool listed;                 /* named by --only (or no --only given) */
	bool only_given;
	bool present_at_start;       /* and --existing not given */
	bool gate_allowed;
	char gate_text[384];         /* the gate's first reason, if refused */
	char gate_local[384];        /* the same in the operator's language, or "" */
	bool purge_supported;        /* the drive answers a purge method */
	enum kesu_station_ckpt checkpoint;
	char ckpt_text[256];         /* why an invalid checkpoint is refused */
	char ckpt_local[256];        /* the same in the operator's language, or "" */
	char ckpt_method[48];        /* the method a valid checkpoint continues */
	bool asset_found;            /* serial in the asset map */
};

struct kesu_station_decision {
	enum kesu_station_action action;
	char method[48];             /* what will run */
	bool purge;                  /* method is a firmware purge */
	bool resume;                 /* continue from the disk's checkpoint */
	bool need_asset;             /* the operator types the asset number */
	/* One line, for refusals and ignores: English, as the event JSON and
	 * every file carry it whatever the locale. */
	char reason[512];
	/* The same in the operator's language, for the dashboard only. */
	char reason_local[512];
};

/* The method a transport gets before purge support is considered. */
const char *kesu_station_method_for(const struct kesu_station_policy *p,
				    const char *transport);

void kesu_station_decide(const struct kesu_station_policy *p,
			 const struct kesu_station_disk *d,
			 struct kesu_station_decision *out);

const char *kesu_station_action_name(enum kesu_station_action a);

/* Whether a drive supports method, given the purge methods it answers
 * (the "methods" array of kesu_caps_device_json): "purge" needs any of
 * them, a named purge method itself; an overwrite method needs none. */
bool kesu_station_purge_supported(const char *method, const char *const *supported,
				  size_t n);

#endif
