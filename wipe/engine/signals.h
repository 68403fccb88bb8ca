/* Signals during a wipe: the first SIGINT/SIGTERM/SIGHUP asks every device
 * to stop at its next chunk boundary (so it can be checkpointed and
 * resumed); a second one ends the process at once, still without any
 * "erased" record.  SIGUSR1 asks for a status line. */
#ifndef KESU_SIGNALS_H
#define KESU_SIGNALS_H

#include <stdatomic.h>
#include <stdbool.h>

/* Install the handlers; *stop is set to the signal number on the first
 * stop signal.  Worker threads should be created with these signals
 * blocked (kesu_signals_block) so the main thread takes them. */
void kesu_signals_install(atomic_int *stop);
void kesu_signals_restore(void);

/* Block / unblock the handled signals in the calling thread. */
void kesu_signals_block(bool block);

/* True once per SIGUSR1 received. */
bool kesu_signals_take_usr1(void);

#endif
