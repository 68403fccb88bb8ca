/* kesu station: one wipe session per bay (cli/session/session.h).  Each run
 * has its own thread — prepare, open, arm, erase, finish: certificate,
 * register, PDF — and tells the station's loop what happens through a
 * datagram socket, so the bay table is only ever changed by the loop. */
#ifndef KESU_CLI_STATION_RUN_H
#define KESU_CLI_STATION_RUN_H

#include "cli/station.h"

/* The message socket, the records directory; before the first run. */
enum kesu_rc station_run_init(struct station *s, struct kesu_err *err);
/* Joins every run thread (after stopping them). */
void station_run_fini(struct station *s);
/* Readable when run messages are waiting. */
int station_run_fd(const struct station *s);
/* Apply the waiting messages to the bay table and report them. */
void station_run_events(struct station *s);
/* Start the run of a bay the core has just put in "running". */
void station_run_start(struct station *s, size_t bay);
/* Ask a bay's run to stop at its next chunk (checkpointed, "interrupted"). */
void station_run_stop(struct station *s, size_t bay);

#endif
