/* kesu station (kesu-station(8)): the pieces of the command, which joins
 * the pure station core (wipe/station/) to the devices, the hot-plug
 * monitor, the terminal and the wipe sessions.  Everything here runs in the
 * station's one event loop thread except what station_run.c starts. */
#ifndef KESU_CLI_STATION_H
#define KESU_CLI_STATION_H

#include "lib/config.h"
#include "wipe/device/hotplug.h"
#include "wipe/station/bay.h"
#include "wipe/station/policy.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#define STATION_ONLY_MAX 16

struct station_opts {
	bool json, existing, once, exit_when_done, dry_run;
	size_t nbays;
	const char *config_path;
	const char *events_path;  /* --events: JSON event lines here as well */
	const char *approval_path; /* --approval: over [station] approval */
	char only[STATION_ONLY_MAX][PATH_MAX];   /* resolved device paths */
	size_t n_only;
};

/* What the station keeps per bay beside the core's state. */
struct station_slot {
	char path[PATH_MAX];
	char asset[KESU_STR_MAX + 1];
	bool announced_final;     /* its end has been reported (for --once) */
};

struct station {
	struct station_opts o;
	struct kesu_config cfg;
	struct kesu_station_policy pol;
	struct kesu_station st;
	struct station_slot slots[KESU_STATION_BAYS];
	char *assets;             /* the asset map's text, NULL if none */
	size_t assets_len;
	bool at_start;            /* handling the disks found at start */
	bool tty;                 /* stdout is a terminal: redraw in place */
	bool dirty;               /* the dashboard needs a redraw */
	/* The drawn dashboard, for the next redraw to go back over it: its
	 * lines, the terminal's width then (0: none drawn yet), the lines an
	 * operator's Enter added below it, and the latest note, shown as its
	 * last line (a note written below it would scroll it). */
	unsigned drawn, cols, typed_lines;
	char note[600];
	/* What the operator typed, read as soon as it is there: the terminal
	 * echoes a line when it is typed, so its Enter is counted when read,
	 * before the next redraw, not when the line is acted on. */
	char input[KESU_STR_MAX + 32];
	size_t input_len;
	bool input_open;
	int stop_signal;          /* the signal that ends the station, 0 */
	FILE *out;
	FILE *events;             /* --events, NULL if not given */
};

/* Reads what stdin holds now without waiting, counting the echoed Enters
 * (cmd_station.c); the lines are acted on by the event loop. */
void station_input_pull(struct station *s);

/* The batch's signed approval, if any, verified now (signature, chain,
 * approver role) so a bad one stops the station before it waits for
 * disks; each wipe checks it again as it starts (station_run.c). */
enum kesu_rc station_approval_check(struct station *s, struct kesu_err *err);

/* A disk arrived (or changed): probe it, decide, give it a bay, report. */
void station_arrive(struct station *s, const char *name);
/* A disk went away (or its medium did). */
void station_remove(struct station *s, const char *name);

/* Output: one JSON event line (--json) or a dashboard redraw. */
void station_event(struct station *s, size_t bay, const char *event);
/* A note for the operator: fmt is English (a catalogue key, xgettext
 * --keyword=station_note:2) for the event JSON, its translation on the
 * terminal. */
void station_note(struct station *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A note made elsewhere: en for the event JSON, local ("" or NULL: en)
 * for the terminal. */
void station_note_text(struct station *s, const char *en, const char *local);
void station_redraw(struct station *s);

#endif
