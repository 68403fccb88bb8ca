/* What kesu wipe shows (cli/wipe_show.c): the plan before the
 * confirmation, the live progress while the sessions run, the summary
 * after.  The options and per-device state cmd_wipe.c keeps are here so
 * both files read them. */
#ifndef KESU_CLI_WIPE_SHOW_H
#define KESU_CLI_WIPE_SHOW_H

#include "certs/document/issue.h"
#include "certs/print/doc.h"
#include "cli/progress_mode.h"
#include "cli/session/session.h"
#include "lib/strutil.h"
#include "wipe/station/assets.h"

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define KESU_WIPE_MAX_ASSET_ARGS 64

struct wipe_opts {
	const char *method;
	const char *passes;
	const char *verify;
	bool yes, dry_run, quiet, resume, json;
	enum kesu_progress_mode progress;
	const char *state_dir;
	const char *out_dir;
	struct kesu_cert_opts cert;      /* certificate options (cli/cert_opts.h) */
	struct kesu_issuer *issuer;      /* NULL with --no-cert or --dry-run */
	struct kesu_purge_wipe_opts purge; /* firmware purge (purge_wipe.h) */
	bool pdf;                        /* --pdf: print each certificate */
	enum kesu_lang pdf_lang;
	const char *queue_depth;         /* --queue-depth, checked with kesu.conf's */
	unsigned qd;
	/* Asset numbers (wipe/station/asset_resolve.h): each --asset as given,
	 * --asset-map's path, --same-asset. */
	const char *assets[KESU_WIPE_MAX_ASSET_ARGS];
	size_t n_assets;
	const char *asset_map;
	bool same_asset;
};

/* What kesu wipe keeps per device beyond its session. */
struct wipe_dev {
	struct kesu_session_device *s;
	char pdf_path[PATH_MAX];         /* its PDF (--pdf), "" if none */
	struct kesu_asset_row asset;     /* its asset number ("" if none) and
					  * the map's class, reason, customer */
	enum kesu_rc rc;                 /* this device's outcome */
	bool ended;                      /* handed to the watch's on_end */
};

/* Device threads signal here when they end (the observer's ended), so
 * the display notices at once instead of at its next tick. */
struct wipe_watch {
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* The plan: text on stderr (stdout with --dry-run), or with --dry-run
 * --json the plan as JSON on stdout (keys in kesu(8)). */
void kesu_wipe_show_plan(struct wipe_dev *devs, size_t n, const struct wipe_opts *o);

/* Draw progress as --progress says until every started device has ended,
 * calling on_end once for each device as it ends (in the order given when
 * several end together; a device never started counts as ended); on_end
 * returns true when it printed something, so a live display starts its
 * next frame below that.  SIGUSR1 prints every device's status line. */
void kesu_wipe_watch(struct wipe_watch *wt, struct wipe_dev *devs, size_t n,
		     const struct wipe_opts *o, bool (*on_end)(struct wipe_dev *wd, void *ud),
		     void *ud);

/* One summary per device on stdout (--json: an array). */
void kesu_wipe_summary(struct wipe_dev *devs, size_t n, const struct wipe_opts *o);

#endif
