#include "wipe/station/asset_resolve.h"
#include "wipe/station/assets.h"

#include <string.h>

bool kesu_asset_arg_split(const char *arg, char *buf, size_t bufsz,
			  struct kesu_asset_arg *out)
{
	/* Messages name both parts: nothing that could drive a terminal. */
	if (!kesu_strlcpy(buf, arg, bufsz) || !kesu_is_clean(arg) || kesu_text_hidden_char(arg))
		return false;
	char *eq = strchr(buf, '=');
	if (!eq) {
		*out = (struct kesu_asset_arg){NULL, buf};
		return buf[0] != '\0';
	}
	*eq = '\0';
	*out = (struct kesu_asset_arg){buf, eq + 1};
	return buf[0] && eq[1];
}

static bool names(const struct kesu_asset_dev *d, const char *device)
{
	return !strcmp(d->given, device) || !strcmp(d->path, device) ||
	       (d->serial[0] && !strcmp(d->serial, device));
}

/* Give device i the number; two different numbers for one device are
 * refused rather than one silently winning. */
static enum kesu_rc assign(char *slot, const char *number, const char *from,
			   const struct kesu_asset_dev *d, struct kesu_err *err)
{
	if (!kesu_asset_ok(number))
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "%s: the asset number from %s is blank, too long or holds "
				 "a control, invisible or comma character; retype it",
				 d->path, from);
	if (slot[0] && strcmp(slot, number))
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "%s has two asset numbers, %s and %s (from %s); give it "
				 "one: fix the asset map or drop one --asset", d->path, slot,
				 number, from);
	kesu_strlcpy(slot, number, KESU_STR_MAX + 1);
	return KESU_OK;
}

/* --asset DEVICE=NUMBER: the one device it names, else refused. */
static enum kesu_rc by_device(const struct kesu_asset_arg *a, const struct kesu_asset_dev *devs,
			      size_t n, struct kesu_asset_row *out, struct kesu_err *err)
{
	size_t hit = n;
	for (size_t i = 0; i < n; i++) {
		if (!names(&devs[i], a->device))
			continue;
		if (hit < n)
			return kesu_fail(err, KESU_ERR_USAGE, 0,
					 "--asset %s=...: both %s and %s answer to '%s'; "
					 "name each device by its path", a->device,
					 devs[hit].path, devs[i].path, a->device);
		hit = i;
	}
	if (hit == n)
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "--asset %s=...: no device of this run is '%s'; name a "
				 "device given on the command line (its path or serial) or "
				 "drop that --asset", a->device, a->device);
	return assign(out[hit].asset, a->number, "--asset", &devs[hit], err);
}

/* What the map gives a device beside its asset number, against what the
 * command line gives all devices: two values are refused, not weighed. */
static enum kesu_rc details(const struct kesu_asset_req *req, const struct kesu_asset_row *given,
			    const struct kesu_asset_row *row, const struct kesu_asset_dev *d,
			    struct kesu_asset_row *out, struct kesu_err *err)
{
	if (given && given->class_ && row->class_ && given->class_ != row->class_)
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "%s: %s gives class %d, --class gives %d; give the class "
				 "in one place", d->path, req->map_name, row->class_,
				 given->class_);
	if (given && given->reason[0] && row->reason[0] && strcmp(given->reason, row->reason))
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "%s: %s gives reason %s, --reason gives %s; give the "
				 "reason in one place", d->path, req->map_name, row->reason,
				 given->reason);
	if (given && given->customer[0] && row->customer[0] &&
	    strcmp(given->customer, row->customer))
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "%s: %s gives customer %s, --customer gives %s; give the "
				 "customer in one place", d->path, req->map_name,
				 row->customer, given->customer);
	out->class_ = row->class_;
	kesu_strlcpy(out->reason, row->reason, sizeof(out->reason));
	kesu_strlcpy(out->customer, row->customer, sizeof(out->customer));
	return KESU_OK;
}

/* The map's line for each serial; a serial two devices share cannot say
 * which of them the asset is. */
static enum kesu_rc from_map(const struct kesu_asset_req *req, const struct kesu_asset_row *given,
			     const struct kesu_asset_dev *devs, size_t n,
			     struct kesu_asset_row *out, struct kesu_err *err)
{
	struct kesu_asset_row row;
	bool found;
	for (size_t i = 0; i < n; i++) {
		if (!devs[i].serial[0])
			continue;
		enum kesu_rc rc = kesu_asset_lookup_row(req->map, req->map_len, req->map_name,
							devs[i].serial, &row, &found, err);
		if (rc || !found)
			continue;
		for (size_t j = 0; j < n; j++)
			if (j != i && !strcmp(devs[j].serial, devs[i].serial))
				return kesu_fail(err, KESU_ERR_USAGE, 0,
						 "%s: serial %s is both %s and %s; give "
						 "each its number with --asset PATH=NUMBER",
						 req->map_name, devs[i].serial, devs[i].path,
						 devs[j].path);
		if ((rc = assign(out[i].asset, row.asset, req->map_name, &devs[i], err)) ||
		    (rc = details(req, given, &row, &devs[i], &out[i], err)))
			return rc;
	}
	/* A malformed map is refused whichever serial it is read for. */
	return kesu_asset_lookup_row(req->map, req->map_len, req->map_name, "", &row, &found,
				     err);
}

/* A plain --asset NUMBER: the one device's, or with --same-asset every
 * device's; per-device numbers beside it would contradict it. */
static enum kesu_rc plain(const struct kesu_asset_req *req, const struct kesu_asset_arg *a,
			  const struct kesu_asset_dev *devs, size_t n,
			  struct kesu_asset_row *out, struct kesu_err *err)
{
	if (req->n_args > 1 || req->map)
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "--asset %s names no device, but other asset numbers are "
				 "given per device; write it as --asset DEVICE=%s",
				 a->number, a->number);
	if (n > 1 && !req->same)
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "--asset %s names one asset, but %zu devices are given; "
				 "add --same-asset if they are one asset (a server's disks), "
				 "else give each its own with --asset DEVICE=NUMBER or "
				 "--asset-map FILE", a->number, n);
	for (size_t i = 0; i < n; i++) {
		enum kesu_rc rc = assign(out[i].asset, a->number, "--asset", &devs[i], err);
		if (rc)
			return rc;
	}
	return KESU_OK;
}

static enum kesu_rc resolve(const struct kesu_asset_req *req, const struct kesu_asset_row *given,
			    const struct kesu_asset_dev *devs, size_t n, struct kesu_asset_row *out,
			    struct kesu_err *err)
{
	bool have_plain = false;
	for (size_t k = 0; k < req->n_args; k++)
		have_plain |= !req->args[k].device;
	if (req->same && (!have_plain || req->n_args != 1 || req->map))
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "--same-asset takes the one number of a single --asset "
				 "NUMBER; drop --asset-map and --asset DEVICE=NUMBER, or "
				 "drop --same-asset");
	enum kesu_rc rc;
	for (size_t k = 0; k < req->n_args; k++) {
		const struct kesu_asset_arg *a = &req->args[k];
		rc = a->device ? by_device(a, devs, n, out, err) : plain(req, a, devs, n, out, err);
		if (rc)
			return rc;
	}
	if (req->map && (rc = from_map(req, given, devs, n, out, err)))
		return rc;
	for (size_t i = 0; i < n && req->required; i++)
		if (!out[i].asset[0])
			return kesu_fail(err, KESU_ERR_USAGE, 0,
					 "%s (serial %s) has no asset number and its "
					 "certificate needs one; give --asset %s=NUMBER or add "
					 "its serial to the asset map", devs[i].path,
					 devs[i].serial[0] ? devs[i].serial : "none",
					 devs[i].given);
	return KESU_OK;
}

enum kesu_rc kesu_assets_resolve(const struct kesu_asset_req *req,
				 const struct kesu_asset_row *given,
				 const struct kesu_asset_dev *devs, size_t n,
				 struct kesu_asset_row *out, struct kesu_err *err)
{
	memset(out, 0, n * sizeof(*out));
	enum kesu_rc rc = resolve(req, given, devs, n, out, err);
	if (rc)
		memset(out, 0, n * sizeof(*out));
	return rc;
}
