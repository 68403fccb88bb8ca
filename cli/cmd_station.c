/* kesu station (kesu-station(8)): a long-running erasure station for a dock
 * or a PC booted from the kesu image.  Watches disks come and go, decides
 * per disk from the [station] policy, runs one wipe session per bay and
 * shows them on a dashboard or as JSON event lines.  The decisions are the
 * pure core in wipe/station/; this file is the event loop around it. */
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/station.h"
#include "cli/station_run.h"
#include "lib/fileio.h"
#include "lib/i18n.h"
#include "lib/strutil.h"
#include "wipe/station/assets.h"
#include "wipe/station/dashboard.h"
#include "wipe/station/done.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

enum { O_JSON, O_EVENTS, O_ONLY, O_EXISTING, O_ONCE, O_EXIT_DONE, O_DRY_RUN, O_BAYS, O_CONFIG,
       O_APPROVAL };
static const struct kesu_opt station_opts[] = {
	[O_JSON] = {"json", 'J', NULL, N_("one JSON event line per change, for a supervisor")},
	[O_EVENTS] = {"events", 0, "FILE", N_("append the JSON event lines to FILE too (with the dashboard)")},
	[O_ONLY] = {"only", 0, "DEVICE", N_("handle only this disk (repeatable; loop devices too)")},
	[O_EXISTING] = {"existing", 0, NULL, N_("also handle disks present at start")},
	[O_ONCE] = {"once", 0, NULL, N_("exit when every disk handled has ended")},
	[O_EXIT_DONE] = {"exit-when-done", 0, NULL,
			 N_("exit when every disk present has ended; fail only if one failed")},
	[O_DRY_RUN] = {"dry-run", 'n', NULL, N_("identify, check and decide, never erase")},
	[O_BAYS] = {"bays", 0, "N", N_("bays on the dashboard (1-16, default 8)")},
	[O_CONFIG] = {"config", 'c', "FILE", N_("kesu.conf to read (default /etc/kesu/kesu.conf)")},
	[O_APPROVAL] = {"approval", 0, "FILE", N_("the signed approval (work order) every disk's wipe is checked against")},
	KESU_OPT_HELP,
	KESU_OPT_END,
};

static void help(FILE *out)
{
	fprintf(out, _("Usage: kesu station [--json] [--events FILE] [--only DEVICE]... [--existing]\n"
		     "                    [--once | --exit-when-done] [--dry-run] [--bays N] [--config FILE]\n"
		     "                    [--approval FILE]\n\n"
		     "Erase disks as they are plugged in: each disk that arrives is\n"
		     "identified, checked by the safety gate, handled by the [station]\n"
		     "policy of kesu.conf (method, verification, confirm or auto start),\n"
		     "erased, certified and registered.  Disks present at start, the\n"
		     "running system's disks, mounted or held disks are never erased.\n"
		     "SIGINT/SIGTERM stop every running wipe with a checkpoint.  See\n"
		     "kesu-station(8).\n\n"));
	kesu_opts_print(out, station_opts);
}

static enum kesu_rc station_opt(void *ud, const struct kesu_opt *opt, const char *arg)
{
	struct station_opts *o = ud;
	char *end;
	switch (KESU_OPT_ID(opt, station_opts)) {
	case O_JSON: o->json = true; break;
	case O_EXISTING: o->existing = true; break;
	case O_ONCE: o->once = true; break;
	case O_EXIT_DONE: o->exit_when_done = true; break;
	case O_DRY_RUN: o->dry_run = true; break;
	case O_CONFIG: o->config_path = arg; break;
	case O_EVENTS: o->events_path = arg; break;
	case O_APPROVAL: o->approval_path = arg; break;
	case O_BAYS:
		errno = 0;
		o->nbays = strtoul(arg, &end, 10);
		if (errno || *end || o->nbays < 1 || o->nbays > KESU_STATION_BAYS)
			return kesu_usage_error("station: --bays takes 1 to %d, not '%s'",
						KESU_STATION_BAYS, arg);
		break;
	case O_ONLY:
		if (o->n_only == STATION_ONLY_MAX)
			return kesu_usage_error("station: at most %d --only devices",
						STATION_ONLY_MAX);
		/* By the node's real path, so /dev/disk/by-id links name it too. */
		if (!realpath(arg, o->only[o->n_only]))
			return kesu_usage_error("station: --only %s: %s", arg, strerror(errno));
		o->n_only++;
		break;
	}
	return KESU_OK;
}

static enum kesu_rc setup(struct station *s, struct kesu_err *err)
{
	enum kesu_rc rc;
	if ((rc = kesu_config_load(s->o.config_path, &s->cfg, err)) ||
	    (rc = kesu_station_policy_from_config(&s->cfg, &s->pol, err)))
		return rc;
	if (s->o.approval_path &&
	    !kesu_strlcpy(s->pol.approval, s->o.approval_path, sizeof(s->pol.approval)))
		return kesu_fail(err, KESU_ERR_USAGE, 0, "--approval: the path is too long");
	if ((rc = station_approval_check(s, err)))
		return rc;
	if (s->pol.asset_map[0] &&
	    (rc = kesu_read_file(s->pol.asset_map, 16 << 20, &s->assets, &s->assets_len, err)))
		return kesu_err_prefix(err, "[station] asset_map: ");
	if (s->o.events_path) {
		int fd = open(s->o.events_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
		if (fd < 0 || !(s->events = fdopen(fd, "a"))) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			return kesu_fail(err, KESU_ERR_IO, e, "--events %s: %s", s->o.events_path,
					 strerror(e));
		}
	}
	kesu_station_init(&s->st, s->o.nbays ? s->o.nbays : 8);
	s->out = stdout;
	s->tty = !s->o.json && isatty(STDOUT_FILENO);
	s->dirty = true;
	return KESU_OK;
}

static void on_existing(void *ud, const struct kesu_hp_event *ev)
{
	station_arrive(ud, ev->name);
}

static void on_hotplug(struct station *s, const struct kesu_hp_event *ev)
{
	size_t bay = kesu_station_find(&s->st, ev->name);
	if (ev->action == KESU_HP_REMOVE) {
		station_remove(s, ev->name);
		return;
	}
	/* A card reader reports a card going out as a change to size 0. */
	if (ev->action == KESU_HP_CHANGE && bay != SIZE_MAX) {
		char p[128];
		snprintf(p, sizeof(p), "/sys/class/block/%s/size", ev->name);
		char *t = NULL;
		size_t n;
		if (!kesu_read_file(p, 64, &t, &n, NULL) && strtoull(t, NULL, 10) == 0)
			station_remove(s, ev->name);
		free(t);
		return;
	}
	station_arrive(s, ev->name);
}

/* "N [ASSET]" or "start N [ASSET]" on stdin starts waiting bay N; the
 * asset number is needed when the asset map did not give one. */
static void on_input(struct station *s, char *line)
{
	struct kesu_err err = {0};
	char *end, *p = strncmp(line, "start ", 6) ? line : line + 6;
	line[strcspn(line, "\r\n")] = '\0';
	unsigned long n = strtoul(p, &end, 10);
	while (*end == ' ')
		end++;
	if (end == p || n < 1 || n > s->st.nbays) {
		station_note(s, "type the number of a waiting bay (1-%zu) to start it",
			     s->st.nbays);
		return;
	}
	struct kesu_bay *b = &s->st.bays[n - 1];
	if (s->o.dry_run) {
		station_note(s, "dry run: bay %lu is not started", n);
		return;
	}
	if (b->state == KESU_BAY_WAITING && b->decision.need_asset) {
		if (!*end || !kesu_asset_ok(end)) {
			station_note(s, "bay %lu needs its asset number: type '%lu ASSET-NUMBER'",
				     n, n);
			return;
		}
		kesu_strlcpy(s->slots[n - 1].asset, end, sizeof(s->slots[n - 1].asset));
	}
	if (kesu_station_confirm(&s->st, n - 1, &err)) {
		station_note_text(s, err.msg, kesu_err_text(&err));
		return;
	}
	station_run_start(s, n - 1);
}

/* With --once: true when every disk that got a bay has ended and nothing
 * still runs. */
static bool all_ended(const struct station *s)
{
	bool any = false;
	for (size_t i = 0; i < s->st.nbays; i++) {
		const struct kesu_bay *b = &s->st.bays[i];
		if (b->state == KESU_BAY_EMPTY)
			continue;
		any = true;
		if (b->run_active || b->state == KESU_BAY_IDENTIFIED ||
		    b->state == KESU_BAY_RUNNING ||
		    (b->state == KESU_BAY_WAITING && !s->o.dry_run))
			return false;
	}
	return any;
}

static int sig_pipe[2] = {-1, -1};

/* A handler, not signalfd: each wipe session unblocks the stop signals in
 * the thread that starts it, so a signal can land in any thread.  Wherever
 * it lands, it only becomes a byte for the loop. */
static void on_stop_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;
	ssize_t w = write(sig_pipe[1], &b, 1);
	(void)w;
	errno = saved;
}

static int signal_fd(void)
{
	struct sigaction sa = {.sa_handler = on_stop_signal};
	sigemptyset(&sa.sa_mask);
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK))
		return -1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	return sig_pipe[0];
}

static void on_signal(struct station *s, int fd)
{
	unsigned char b;
	while (read(fd, &b, 1) == 1) {
		if (s->stop_signal) {
			station_note(s, "second signal: leaving now; no disk is reported erased");
			_exit(kesu_exit_code(KESU_ERR_INTERRUPTED));
		}
		s->stop_signal = b;
		size_t bays[KESU_STATION_BAYS];
		size_t n = kesu_station_stop_all(&s->st, bays);
		for (size_t i = 0; i < n; i++) {
			station_event(s, bays[i], "stopping");
			station_run_stop(s, bays[i]);
		}
	}
}

void station_input_pull(struct station *s)
{
	struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
	while (s->input_open && s->input_len < sizeof(s->input) - 1 &&
	       poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP))) {
		ssize_t r = read(STDIN_FILENO, s->input + s->input_len,
				 sizeof(s->input) - 1 - s->input_len);
		if (r <= 0) {
			s->input_open = false;
			break;
		}
		/* The terminal echoed each line: the dashboard is that much higher. */
		for (ssize_t i = 0; s->tty && i < r; i++)
			s->typed_lines += s->input[s->input_len + (size_t)i] == '\n' &&
					  isatty(STDIN_FILENO);
		s->input_len += (size_t)r;
	}
}

/* Each whole line read so far; one too long for the buffer is taken as
 * it is, so a stuck line cannot stop the input. */
static void act_on_input(struct station *s)
{
	char line[sizeof(s->input)];
	for (;;) {
		char *nl = memchr(s->input, '\n', s->input_len);
		size_t n = nl ? (size_t)(nl - s->input) + 1
			      : s->input_len == sizeof(s->input) - 1 ? s->input_len : 0;
		if (!n)
			return;
		memcpy(line, s->input, n);
		line[n] = '\0';
		memmove(s->input, s->input + n, s->input_len - n);
		s->input_len -= n;
		on_input(s, line);
	}
}

static enum kesu_rc loop(struct station *s, struct kesu_hotplug *hp, struct kesu_err *err)
{
	int sfd = signal_fd();
	if (sfd < 0)
		return kesu_fail(err, KESU_ERR_INTERNAL, errno, "pipe: %s", strerror(errno));
	s->input_open = true;
	while (!(s->stop_signal && !kesu_station_busy(&s->st)) &&
	       !((s->o.once || s->o.exit_when_done) && all_ended(s))) {
		struct pollfd p[4] = {
			{.fd = kesu_hotplug_fd(hp), .events = POLLIN},
			{.fd = sfd, .events = POLLIN},
			{.fd = station_run_fd(s), .events = POLLIN},
			{.fd = s->input_open ? STDIN_FILENO : -1, .events = POLLIN},
		};
		station_redraw(s);
		if (poll(p, 4, 1000) < 0 && errno != EINTR) {
			return kesu_fail(err, KESU_ERR_INTERNAL, errno, "poll: %s", strerror(errno));
		}
		if (p[1].revents & POLLIN)
			on_signal(s, sfd);
		if (p[2].revents & POLLIN)
			station_run_events(s);
		if (p[0].revents & POLLIN) {
			struct kesu_hp_event ev;
			bool got;
			if (kesu_hotplug_read(hp, &ev, &got, err) == KESU_OK && got &&
			    !s->stop_signal)
				on_hotplug(s, &ev);
		}
		if (p[3].revents & (POLLIN | POLLHUP)) {
			station_input_pull(s);
			act_on_input(s);
		}
	}
	/* The end the loop stopped on is shown too. */
	station_redraw(s);
	return KESU_OK;
}

/* Exit status: interrupted when a signal stopped a wipe; with --once,
 * failed or refused when any disk did not end erased. */
static enum kesu_rc outcome(const struct station *s)
{
	enum kesu_rc rc = KESU_OK;
	for (size_t i = 0; i < s->st.nbays; i++) {
		const struct kesu_bay *b = &s->st.bays[i];
		if (!strcmp(b->result, "interrupted"))
			return KESU_ERR_INTERRUPTED;
		if (!s->o.once)
			continue;
		if (b->state == KESU_BAY_FAILED || !strcmp(b->result, "removed"))
			rc = KESU_ERR_FAILED;
		else if (b->state == KESU_BAY_REFUSED && rc == KESU_OK)
			rc = KESU_ERR_REFUSED;
	}
	return s->stop_signal && rc == KESU_OK && !s->o.once ? KESU_OK : rc;
}

enum kesu_rc cmd_station(int argc, char **argv)
{
	static struct station s;
	struct kesu_err err = {0};
	struct kesu_hotplug *hp = NULL;
	enum kesu_rc rc;
	int first;
	bool done = false;
	struct kesu_cmd_opts c = {"station", (const struct kesu_opt *const[]){station_opts, NULL},
				  station_opt, &s.o, help};
	if ((rc = kesu_opts_parse(&c, argc, argv, &first, &done)) || done)
		return rc;
	if (first < argc)
		return kesu_usage_error("station: takes no operands; name disks with --only");
	if (s.o.once && s.o.exit_when_done)
		return kesu_usage_error("station: --once and --exit-when-done exclude each other");
	if ((rc = setup(&s, &err)) || (rc = station_run_init(&s, &err)) ||
	    (rc = kesu_hotplug_open(&hp, &err))) {
		kesu_report(&err);
		return rc;
	}
	const char *via = kesu_hotplug_via_udev(hp) ? "udev" : "kernel";
	if (s.o.dry_run)
		station_note(&s, "listening for disks (%s events); dry run, nothing is erased",
			     via);
	else
		station_note(&s, "listening for disks (%s events)", via);
	/* Disks already there get a bay, refused unless --existing: a
	 * station must not start on the machine's other disks by itself. */
	s.at_start = true;
	rc = kesu_hotplug_existing(hp, on_existing, &s, &err);
	s.at_start = false;
	if (rc == KESU_OK)
		rc = loop(&s, hp, &err);
	if (rc)
		kesu_report(&err);
	kesu_hotplug_close(hp);
	station_run_fini(&s);
	free(s.assets);
	if (s.events)
		fclose(s.events);
	if (rc)
		return rc;
	/* --exit-when-done (the live image): refusals are expected (the
	 * KESU stick, the boot medium); only a disk that failed counts. */
	return s.o.exit_when_done ? kesu_station_done_outcome(&s.st) : outcome(&s);
}
