/* kesu station: what the station learns about a disk that arrives — its
 * identity, the safety gate's verdict, the purge methods it answers, its
 * asset number — and the decision the policy takes on it. */
#include "cli/station.h"
#include "cli/station_run.h"
#include "lib/i18n.h"
#include "lib/strutil.h"
#include "wipe/device/device.h"
#include "wipe/device/gate.h"
#include "wipe/device/medium_binding.h"
#include "wipe/engine/checkpoint.h"
#include "wipe/firmware/capabilities.h"
#include "wipe/station/assets.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Devices that are never a disk in a bay.  Not kind "virtual": a virtio
 * disk is the station's own business when it runs in a virtual machine. */
static bool is_virtual(const struct kesu_identity *id)
{
	static const char *const prefixes[] = {"loop", "ram", "zram", "dm-", "md", "sr", "nbd",
					       "zd", "fd"};
	if (!strcmp(id->kind, "loop"))
		return true;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(id->name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static bool listed(const struct station *s, const char *path)
{
	for (size_t i = 0; i < s->o.n_only; i++)
		if (!strcmp(s->o.only[i], path))
			return true;
	return false;
}

static void purge_support(struct station *s, struct kesu_device *dev,
			  const struct kesu_identity *id, struct kesu_station_disk *d)
{
	const char *m = kesu_station_method_for(&s->pol, id->transport);
	const char *names[32];
	size_t n = 0;
	json_t *caps = NULL, *methods, *v;
	size_t i;
	/* Only a purge method makes kesu ask the drive anything. */
	if (kesu_station_purge_supported(m, NULL, 0)) {
		d->purge_supported = true;
		return;
	}
	caps = kesu_caps_device_json(dev);
	methods = json_object_get(caps, "methods");
	json_array_foreach(methods, i, v)
		if (json_is_string(v) && n < sizeof(names) / sizeof(names[0]))
			names[n++] = json_string_value(v);
	d->purge_supported = kesu_station_purge_supported(m, names, n);
	json_decref(caps);
}

/* The asset number from the map; a map that cannot be read or parsed
 * refuses the disk with the map's own error. */
static void asset(struct station *s, const struct kesu_identity *id, size_t slot,
		  struct kesu_station_disk *d, struct kesu_err *why)
{
	bool found = false;
	if (!s->assets)
		return;
	if (!kesu_asset_lookup(s->assets, s->assets_len, s->pol.asset_map, id->serial,
			       s->slots[slot].asset, sizeof(s->slots[slot].asset), &found, why))
		kesu_err_clear(why);
	d->asset_found = found;
}

static void identity_of(const struct kesu_identity *id, struct kesu_bay_disk *bd,
			struct kesu_station_disk *d)
{
	kesu_strlcpy(bd->name, id->name, sizeof(bd->name));
	kesu_strlcpy(bd->model, id->model, sizeof(bd->model));
	kesu_strlcpy(bd->serial, id->serial, sizeof(bd->serial));
	kesu_strlcpy(bd->transport, id->transport, sizeof(bd->transport));
	bd->size_bytes = id->size_bytes;
	kesu_strlcpy(d->name, id->name, sizeof(d->name));
	kesu_strlcpy(d->transport, id->transport, sizeof(d->transport));
	kesu_strlcpy(d->serial, id->serial, sizeof(d->serial));
}

/* Probes /dev/NAME into d and bd; false (reported) when it cannot. */
static bool probe(struct station *s, const char *name, struct kesu_device **dev,
		  struct kesu_station_disk *d, struct kesu_bay_disk *bd, char *path,
		  size_t pathsz)
{
	struct kesu_err err = {0};
	snprintf(path, pathsz, "/dev/%s", name);
	if (kesu_device_probe(path, dev, &err)) {
		/* A disk that vanished again before it could be looked at. */
		if (!s->o.n_only || listed(s, path)) {
			kesu_err_prefix(&err, "%s: ", name);
			station_note_text(s, err.msg, kesu_err_text(&err));
		}
		return false;
	}
	const struct kesu_identity *id = kesu_device_identity(*dev);
	memset(d, 0, sizeof(*d));
	memset(bd, 0, sizeof(*bd));
	identity_of(id, bd, d);
	d->virtual_dev = is_virtual(id);
	d->only_given = s->o.n_only > 0;
	d->listed = listed(s, path);
	d->present_at_start = s->at_start && !s->o.existing;
	return true;
}

static void gate(struct kesu_device *dev, struct kesu_station_disk *d)
{
	struct kesu_gate_verdict v;
	struct kesu_err err = {0};
	if (kesu_gate_check(dev, &v, &err)) {
		d->gate_allowed = false;
		kesu_strlcpy(d->gate_text, err.msg, sizeof(d->gate_text));
		kesu_strlcpy(d->gate_local, kesu_err_text(&err), sizeof(d->gate_local));
		return;
	}
	d->gate_allowed = v.allowed;
	/* The English reason is the recorded one (events, JSON); the
	 * dashboard shows its translation. */
	if (!v.allowed && v.n_reasons) {
		kesu_strlcpy(d->gate_text, v.reasons[0].text, sizeof(d->gate_text));
		kesu_gate_reason_text(&v.reasons[0], d->gate_local, sizeof(d->gate_local));
	}
}

/* A checkpoint of an interrupted run (station or kesu wipe) for this disk,
 * judged by the loader `kesu wipe --resume` uses: its MAC under the state
 * directory's key, bound to this medium (identity and binding).  The
 * medium's content is checked against it (fingerprint) when the resumed run
 * opens the disk, before any write.  With [station] resume = no a
 * checkpoint is not looked at: the new run replaces it, and says so. */
static void checkpoint(struct station *s, struct kesu_device *dev,
		       struct kesu_station_disk *d)
{
	const struct kesu_identity *id = kesu_device_identity(dev);
	struct kesu_medium_binding mb;
	struct kesu_wipe w;
	struct kesu_checkpoint_loaded cl;
	struct kesu_err err = {0};
	char cp[PATH_MAX];
	if (!s->pol.resume || !kesu_checkpoint_path(s->cfg.state_dir, id, cp, sizeof(cp)) ||
	    access(cp, F_OK) != 0)
		return;
	enum kesu_rc rc = kesu_medium_binding_of(dev, &mb, &err);
	if (rc == KESU_OK)
		rc = kesu_checkpoint_load(s->cfg.state_dir, id, &mb, &w, &cl, &err);
	if (rc == KESU_ERR_NOENT)
		return;
	if (rc != KESU_OK) {
		d->checkpoint = KESU_CKPT_INVALID;
		kesu_strlcpy(d->ckpt_text, err.msg, sizeof(d->ckpt_text));
		kesu_strlcpy(d->ckpt_local, kesu_err_text(&err), sizeof(d->ckpt_local));
		return;
	}
	d->checkpoint = KESU_CKPT_VALID;
	kesu_strlcpy(d->ckpt_method, w.method.name, sizeof(d->ckpt_method));
	kesu_wipe_free(&w);
	kesu_checkpoint_loaded_free(&cl);
}

void station_arrive(struct station *s, const char *name)
{
	struct kesu_device *dev = NULL;
	struct kesu_station_disk d;
	struct kesu_bay_disk bd;
	struct kesu_station_decision dec;
	struct kesu_err err = {0}, why = {0};
	char path[PATH_MAX];
	size_t bay = kesu_station_find(&s->st, name);
	/* A change event on a disk the station already handles. */
	if (bay != SIZE_MAX)
		return;
	if (!probe(s, name, &dev, &d, &bd, path, sizeof(path)))
		return;
	/* Ignored disks never get a bay, and are not asked anything. */
	kesu_station_decide(&s->pol, &d, &dec);
	if (dec.action == KESU_STATION_IGNORE) {
		kesu_device_free(dev);
		return;
	}
	if (kesu_station_arrive(&s->st, &bd, &bay, &err)) {
		station_note_text(s, err.msg, kesu_err_text(&err));
		kesu_device_free(dev);
		return;
	}
	memset(&s->slots[bay], 0, sizeof(s->slots[bay]));
	kesu_strlcpy(s->slots[bay].path, path, sizeof(s->slots[bay].path));
	station_event(s, bay, "arrived");
	gate(dev, &d);
	if (d.gate_allowed) {
		purge_support(s, dev, kesu_device_identity(dev), &d);
		checkpoint(s, dev, &d);
	}
	asset(s, kesu_device_identity(dev), bay, &d, &why);
	kesu_device_free(dev);
	kesu_station_decide(&s->pol, &d, &dec);
	if (why.msg[0] && dec.action != KESU_STATION_REFUSE) {
		dec.action = KESU_STATION_REFUSE;
		kesu_strlcpy(dec.reason, why.msg, sizeof(dec.reason));
		kesu_strlcpy(dec.reason_local, kesu_err_text(&why), sizeof(dec.reason_local));
	}
	/* Observing only: what would happen is reported, nothing starts. */
	if (s->o.dry_run && dec.action == KESU_STATION_START) {
		dec.action = KESU_STATION_WAIT;
		snprintf(dec.reason, sizeof(dec.reason), "dry run: would start %s", dec.method);
		snprintf(dec.reason_local, sizeof(dec.reason_local), _("dry run: would start %s"),
			 dec.method);
	}
	kesu_station_decided(&s->st, bay, &dec, &err);
	station_event(s, bay, "decided");
	if (s->st.bays[bay].state == KESU_BAY_RUNNING)
		station_run_start(s, bay);
}

void station_remove(struct station *s, const char *name)
{
	size_t bay;
	bool stop;
	kesu_station_removed(&s->st, name, &bay, &stop);
	if (bay == SIZE_MAX)
		return;
	station_event(s, bay, "removed");
	if (stop)
		station_run_stop(s, bay);
}
