/* The run record: one JSON file per device run (schema kesu-run-record/1,
 * man/kesu-run-record.5), the input from which certificates are made.
 * Building the JSON is pure; probing the host and writing the file are the
 * only effects here. */
#ifndef KESU_RUN_RECORD_H
#define KESU_RUN_RECORD_H

#include "wipe/engine/engine.h"
#include "lib/error.h"
#include "lib/identity.h"
#include "lib/smbios.h"

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>

#define KESU_RUN_RECORD_SCHEMA "kesu-run-record/1"
#define KESU_RUN_ID_LEN 37

struct kesu_host {
	char hostname[256];
	char machine_id[64];      /* "" if unknown: JSON null */
	char kernel[128];
	bool clock_synchronized;
	struct kesu_smbios smbios;   /* the firmware's names for this computer */
};

/* Hostname, /etc/machine-id, uname -r, adjtimex's sync state, and the
 * SMBIOS identity in /sys/class/dmi/id. */
void kesu_host_probe(struct kesu_host *h);

/* adjtimex(2) returns a clock state and fills status: the clock counts as
 * synchronised only if STA_UNSYNC is clear and the state is not TIME_ERROR. */
bool kesu_clock_synced(int adjtimex_state, int status);

/* A new random UUID, lower case. */
void kesu_run_id_new(char out[KESU_RUN_ID_LEN]);

struct kesu_run_record {
	char run_id[KESU_RUN_ID_LEN];
	char resumed_from[KESU_RUN_ID_LEN]; /* run_id of the interrupted run, or "" */
	struct kesu_host host;
	const struct kesu_identity *device;
	json_t *before;             /* borrowed; NULL: unknown */
	const struct kesu_wipe *wipe;
	uint32_t block_size;        /* unit of bad_ranges */
	json_t *firmware;           /* borrowed; NULL: JSON null */
	json_t *health;             /* borrowed {"before", "after"}; NULL: JSON null */
};

/* The record as JSON (new reference), or NULL on out-of-memory. */
json_t *kesu_run_record_to_json(const struct kesu_run_record *r);

/* Write <dir>/kesu-run-<run_id>.json atomically, mode 0644; the path
 * written goes to path_out. */
enum kesu_rc kesu_run_record_write(const char *dir, const struct kesu_run_record *r,
				   char *path_out, size_t path_sz, struct kesu_err *err);

#endif
