/* The station's bays: one per disk it is handling, and the state machine
 * each walks through.  Pure: the caller (cli/cmd_station.c) feeds it what
 * happened — a disk arrived, the decision, progress, a run's end, a
 * removal, a signal — and acts on what it returns.  All of it runs in the
 * station's one event loop; wipe threads only post events to it.
 *
 *   empty ─arrive→ identified ─decide→ refused | waiting | running
 *   waiting ─confirm→ running ─finish→ done | failed | refused (denied)
 *   running ─remove→ failed (cause: removed), bay free once its run ends
 *   other ─remove→ pulled (free)     signal: every running run asked to stop
 */
#ifndef KESU_STATION_BAY_H
#define KESU_STATION_BAY_H

#include "lib/error.h"
#include "lib/strutil.h"
#include "wipe/station/policy.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KESU_STATION_BAYS 16

enum kesu_bay_state {
	KESU_BAY_EMPTY,
	KESU_BAY_IDENTIFIED,
	KESU_BAY_REFUSED,
	KESU_BAY_WAITING,
	KESU_BAY_RUNNING,
	KESU_BAY_DONE,
	KESU_BAY_FAILED,
	KESU_BAY_PULLED,
};

struct kesu_bay_disk {
	char name[64];
	char model[KESU_STR_MAX + 1];
	char serial[KESU_STR_MAX + 1];
	char transport[16];
	uint64_t size_bytes;
};

struct kesu_bay_progress {
	unsigned pass, passes;     /* 1-based; 0 passes: not known yet */
	double percent;            /* of the whole run, 0..100 */
	double rate_bps;           /* bytes per second, 0: not known */
	int64_t eta_s;             /* -1: not known */
	char phase[16];            /* write verify purge flush */
};

enum kesu_bay_outcome {
	KESU_BAY_ERASED,           /* verified, certificate written */
	KESU_BAY_NOT_ERASED,       /* ran, but the result is not clean */
	KESU_BAY_INTERRUPTED,      /* stopped by a signal; checkpoint kept */
	KESU_BAY_ERROR,            /* could not run or finish */
	/* Not allowed as the run was about to start (the [policy], a signed
	 * approval that does not cover the disk or has expired, a checkpoint
	 * of another medium): nothing written, the bay ends "refused". */
	KESU_BAY_DENIED,
};

struct kesu_bay {
	enum kesu_bay_state state;
	bool present;              /* the disk is still there */
	bool run_active;           /* a wipe thread is still working on it */
	bool stop_requested;
	uint64_t run_id;           /* which run events belong to; 0: none */
	struct kesu_bay_disk disk;
	struct kesu_station_decision decision;
	struct kesu_bay_progress progress;
	char result[24];           /* erased not-erased interrupted error refused */
	char cause[512];           /* English: the event JSON carries it */
	char cause_local[512];     /* the operator's language, or "": the dashboard */
	char certificate[256];     /* path of the certificate, when done */
};

struct kesu_station {
	struct kesu_bay bays[KESU_STATION_BAYS];
	size_t nbays;              /* bays the dashboard shows (1..BAYS) */
	uint64_t next_run;
};

void kesu_station_init(struct kesu_station *st, size_t nbays);

/* A disk appeared (or changed and is not known yet).  Puts it in the bay
 * it already has, else the first free one.  KESU_ERR_REFUSED when every
 * bay is taken. */
enum kesu_rc kesu_station_arrive(struct kesu_station *st, const struct kesu_bay_disk *d,
				 size_t *bay, struct kesu_err *err);

/* The decision for the disk in bay (identified) moves it on; START gives
 * the bay a run id the wipe's events must carry. */
enum kesu_rc kesu_station_decided(struct kesu_station *st, size_t bay,
				  const struct kesu_station_decision *dec,
				  struct kesu_err *err);

/* The operator's go for a waiting bay. */
enum kesu_rc kesu_station_confirm(struct kesu_station *st, size_t bay, struct kesu_err *err);

/* Events of a run; ignored (false) when run_id is not the bay's current run,
 * so a late event of a pulled disk never lands on the next one. */
bool kesu_station_progress(struct kesu_station *st, size_t bay, uint64_t run_id,
			   const struct kesu_bay_progress *p);
/* cause is the English the event JSON carries, cause_local its
 * translation for the dashboard (NULL or "": the English). */
bool kesu_station_finished(struct kesu_station *st, size_t bay, uint64_t run_id,
			   enum kesu_bay_outcome o, const char *cause,
			   const char *cause_local, const char *certificate);

/* The disk named name went away.  *bay is its bay (SIZE_MAX if it had none);
 * *stop is true when its run must be told to stop. */
void kesu_station_removed(struct kesu_station *st, const char *name, size_t *bay,
			  bool *stop);

/* Ask every running run to stop (a signal): their bays into out (up to
 * KESU_STATION_BAYS), how many returned. */
size_t kesu_station_stop_all(struct kesu_station *st, size_t out[KESU_STATION_BAYS]);

/* True while any run is active (the station may not exit yet). */
bool kesu_station_busy(const struct kesu_station *st);

/* The bay of a present disk by kernel name, SIZE_MAX if none. */
size_t kesu_station_find(const struct kesu_station *st, const char *name);

const char *kesu_bay_state_name(enum kesu_bay_state s);

#endif
