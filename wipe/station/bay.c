#include "wipe/station/bay.h"
#include "lib/i18n.h"

#include <stdio.h>
#include <string.h>

static const char *const STATE_NAMES[] = {
	"empty", "identified", "refused", "waiting", "running", "done", "failed", "pulled",
};

const char *kesu_bay_state_name(enum kesu_bay_state s)
{
	return (unsigned)s < sizeof(STATE_NAMES) / sizeof(STATE_NAMES[0]) ? STATE_NAMES[s] : "?";
}

void kesu_station_init(struct kesu_station *st, size_t nbays)
{
	memset(st, 0, sizeof(*st));
	st->nbays = nbays < 1 ? 1 : nbays > KESU_STATION_BAYS ? KESU_STATION_BAYS : nbays;
	st->next_run = 1;
}

size_t kesu_station_find(const struct kesu_station *st, const char *name)
{
	for (size_t i = 0; i < st->nbays; i++)
		if (st->bays[i].present && !strcmp(st->bays[i].disk.name, name))
			return i;
	return SIZE_MAX;
}

/* A bay is free when its disk is gone and no thread still works on it; an
 * empty bay is preferred so the last result of a pulled disk stays on the
 * dashboard as long as there is room. */
static size_t free_bay(const struct kesu_station *st)
{
	size_t reuse = SIZE_MAX;
	for (size_t i = 0; i < st->nbays; i++) {
		const struct kesu_bay *b = &st->bays[i];
		if (b->present || b->run_active)
			continue;
		if (b->state == KESU_BAY_EMPTY)
			return i;
		if (reuse == SIZE_MAX)
			reuse = i;
	}
	return reuse;
}

enum kesu_rc kesu_station_arrive(struct kesu_station *st, const struct kesu_bay_disk *d,
				 size_t *bay, struct kesu_err *err)
{
	size_t i = kesu_station_find(st, d->name);
	if (i != SIZE_MAX) {
		*bay = i;
		return KESU_OK;
	}
	if ((i = free_bay(st)) == SIZE_MAX)
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "%s: all %zu bays are taken; remove a finished disk first",
				 d->name, st->nbays);
	struct kesu_bay *b = &st->bays[i];
	memset(b, 0, sizeof(*b));
	b->state = KESU_BAY_IDENTIFIED;
	b->present = true;
	b->disk = *d;
	b->progress.eta_s = -1;
	*bay = i;
	return KESU_OK;
}

static enum kesu_rc wrong_state(struct kesu_err *err, size_t bay, const struct kesu_bay *b,
				const char *what)
{
	return kesu_fail(err, KESU_ERR_INVALID, 0, "bay %zu is %s; it cannot %s", bay + 1,
			 kesu_bay_state_name(b->state), what);
}

static void start(struct kesu_station *st, struct kesu_bay *b)
{
	b->state = KESU_BAY_RUNNING;
	b->run_active = true;
	b->stop_requested = false;
	b->run_id = st->next_run++;
	memset(&b->progress, 0, sizeof(b->progress));
	b->progress.eta_s = -1;
}

enum kesu_rc kesu_station_decided(struct kesu_station *st, size_t bay,
				  const struct kesu_station_decision *dec,
				  struct kesu_err *err)
{
	if (bay >= st->nbays)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "no bay %zu", bay + 1);
	struct kesu_bay *b = &st->bays[bay];
	if (b->state != KESU_BAY_IDENTIFIED || !b->present)
		return wrong_state(err, bay, b, "take a decision");
	b->decision = *dec;
	switch (dec->action) {
	case KESU_STATION_IGNORE:
		/* An ignored disk never occupies a bay. */
		memset(b, 0, sizeof(*b));
		break;
	case KESU_STATION_REFUSE:
		b->state = KESU_BAY_REFUSED;
		kesu_strlcpy(b->result, "refused", sizeof(b->result));
		kesu_strlcpy(b->cause, dec->reason, sizeof(b->cause));
		kesu_strlcpy(b->cause_local, dec->reason_local, sizeof(b->cause_local));
		break;
	case KESU_STATION_WAIT:
		b->state = KESU_BAY_WAITING;
		break;
	case KESU_STATION_START:
		start(st, b);
		break;
	}
	return KESU_OK;
}

enum kesu_rc kesu_station_confirm(struct kesu_station *st, size_t bay, struct kesu_err *err)
{
	if (bay >= st->nbays)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "no bay %zu", bay + 1);
	struct kesu_bay *b = &st->bays[bay];
	if (b->state != KESU_BAY_WAITING || !b->present)
		return wrong_state(err, bay, b, "be started");
	start(st, b);
	return KESU_OK;
}

static struct kesu_bay *run_bay(struct kesu_station *st, size_t bay, uint64_t run_id)
{
	if (bay >= st->nbays || !run_id || st->bays[bay].run_id != run_id ||
	    !st->bays[bay].run_active)
		return NULL;
	return &st->bays[bay];
}

bool kesu_station_progress(struct kesu_station *st, size_t bay, uint64_t run_id,
			   const struct kesu_bay_progress *p)
{
	struct kesu_bay *b = run_bay(st, bay, run_id);
	if (!b || b->state != KESU_BAY_RUNNING)
		return false;
	b->progress = *p;
	return true;
}

static const char *outcome_name(enum kesu_bay_outcome o)
{
	switch (o) {
	case KESU_BAY_ERASED: return "erased";
	case KESU_BAY_NOT_ERASED: return "not-erased";
	case KESU_BAY_INTERRUPTED: return "interrupted";
	case KESU_BAY_DENIED: return "refused";
	case KESU_BAY_ERROR: break;
	}
	return "error";
}

bool kesu_station_finished(struct kesu_station *st, size_t bay, uint64_t run_id,
			   enum kesu_bay_outcome o, const char *cause,
			   const char *cause_local, const char *certificate)
{
	struct kesu_bay *b = run_bay(st, bay, run_id);
	if (!b)
		return false;
	b->run_active = false;
	/* A disk pulled mid-run already failed with that cause; the run's
	 * own error (I/O on a vanished device) would only hide it. */
	if (b->state != KESU_BAY_RUNNING)
		return true;
	/* "erased" comes from the run's own verified verdict alone: a stop
	 * that raced with a finished verification does not undo it. */
	bool erased = o == KESU_BAY_ERASED;
	b->state = erased ? KESU_BAY_DONE
		 : o == KESU_BAY_DENIED ? KESU_BAY_REFUSED : KESU_BAY_FAILED;
	kesu_strlcpy(b->result, outcome_name(o), sizeof(b->result));
	kesu_strlcpy(b->cause, cause ? cause : "", sizeof(b->cause));
	kesu_strlcpy(b->cause_local, cause_local ? cause_local : "", sizeof(b->cause_local));
	kesu_strlcpy(b->certificate, certificate ? certificate : "", sizeof(b->certificate));
	if (erased)
		b->progress.percent = 100.0;
	b->progress.eta_s = -1;
	b->progress.rate_bps = 0;
	return true;
}

void kesu_station_removed(struct kesu_station *st, const char *name, size_t *bay,
			  bool *stop)
{
	*stop = false;
	*bay = kesu_station_find(st, name);
	if (*bay == SIZE_MAX)
		return;
	struct kesu_bay *b = &st->bays[*bay];
	b->present = false;
	if (b->state == KESU_BAY_RUNNING) {
		b->state = KESU_BAY_FAILED;
		kesu_strlcpy(b->result, "removed", sizeof(b->result));
		static const char mid[] = N_("disk removed during the run (pass %u, %.0f%%); "
					     "not erased");
		snprintf(b->cause, sizeof(b->cause), mid, b->progress.pass, b->progress.percent);
		snprintf(b->cause_local, sizeof(b->cause_local), _(mid), b->progress.pass,
			 b->progress.percent);
		b->progress.eta_s = -1;
		b->progress.rate_bps = 0;
		*stop = b->run_active;
		b->stop_requested = true;
		return;
	}
	if (b->state == KESU_BAY_WAITING || b->state == KESU_BAY_IDENTIFIED) {
		kesu_strlcpy(b->result, "removed", sizeof(b->result));
		static const char before[] = N_("removed before it was erased");
		kesu_strlcpy(b->cause, before, sizeof(b->cause));
		kesu_strlcpy(b->cause_local, _(before), sizeof(b->cause_local));
	}
	/* done, failed and refused keep their result beside "pulled". */
	b->state = KESU_BAY_PULLED;
}

size_t kesu_station_stop_all(struct kesu_station *st, size_t out[KESU_STATION_BAYS])
{
	size_t n = 0;
	for (size_t i = 0; i < st->nbays; i++) {
		struct kesu_bay *b = &st->bays[i];
		if (b->run_active && !b->stop_requested) {
			b->stop_requested = true;
			out[n++] = i;
		}
	}
	return n;
}

bool kesu_station_busy(const struct kesu_station *st)
{
	for (size_t i = 0; i < st->nbays; i++)
		if (st->bays[i].run_active)
			return true;
	return false;
}
