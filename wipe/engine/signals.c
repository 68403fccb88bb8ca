#include "wipe/engine/signals.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static atomic_int *g_stop;
static volatile sig_atomic_t g_count;
static volatile sig_atomic_t g_usr1;
static struct sigaction g_old[4];
static const int g_sigs[4] = {SIGINT, SIGTERM, SIGHUP, SIGUSR1};

static void on_stop(int sig)
{
	if (g_count++ == 0) {
		atomic_store(g_stop, sig);
		static const char m[] =
			"\nkesu: stopping at the next chunk and saving a checkpoint; "
			"signal again to abort at once\n";
		ssize_t r = write(STDERR_FILENO, m, sizeof(m) - 1);
		(void)r;
		return;
	}
	/* Second signal: leave now.  No run record says "erased"; the last
	 * periodic checkpoint remains for --resume. */
	static const char m[] = "kesu: aborted by a second signal; nothing was "
				"reported erased, resume with 'kesu wipe --resume'\n";
	ssize_t r = write(STDERR_FILENO, m, sizeof(m) - 1);
	(void)r;
	_exit(8);
}

static void on_usr1(int sig)
{
	(void)sig;
	g_usr1 = 1;
}

void kesu_signals_install(atomic_int *stop)
{
	g_stop = stop;
	g_count = 0;
	g_usr1 = 0;
	for (int i = 0; i < 4; i++) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = g_sigs[i] == SIGUSR1 ? on_usr1 : on_stop;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_RESTART;
		sigaction(g_sigs[i], &sa, &g_old[i]);
	}
}

void kesu_signals_restore(void)
{
	for (int i = 0; i < 4; i++)
		sigaction(g_sigs[i], &g_old[i], NULL);
}

void kesu_signals_block(bool block)
{
	sigset_t set;
	sigemptyset(&set);
	for (int i = 0; i < 4; i++)
		sigaddset(&set, g_sigs[i]);
	pthread_sigmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

bool kesu_signals_take_usr1(void)
{
	if (!g_usr1)
		return false;
	g_usr1 = 0;
	return true;
}
