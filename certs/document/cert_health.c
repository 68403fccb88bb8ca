#include "certs/document/cert_health.h"
#include "lib/jcheck.h"
#include "lib/strutil.h"

#include <stdio.h>
#include <string.h>

#define U8 0, 255

static enum kesu_rc check_nvme(const json_t *r, const char *w, struct kesu_err *err)
{
	static const char *const keys[] = {"source", "critical_warning", "temperature_c",
		"available_spare", "available_spare_threshold", "percentage_used",
		"data_units_written", "power_on_hours", "power_cycles", "unsafe_shutdowns",
		"media_errors", NULL};
	static const char *const counters[] = {"data_units_written", "power_on_hours",
		"power_cycles", "unsafe_shutdowns", "media_errors"};
	enum kesu_rc rc;
	if ((rc = kj_keys(r, w, keys, err)) ||
	    (rc = kj_int(r, w, "critical_warning", U8, NULL, err)) ||
	    (rc = kj_int(r, w, "available_spare", U8, NULL, err)) ||
	    (rc = kj_int(r, w, "available_spare_threshold", U8, NULL, err)) ||
	    (rc = kj_int(r, w, "percentage_used", U8, NULL, err)))
		return rc;
	/* Kelvin 1..65535 less 273; null: not reported. */
	if (!json_is_null(json_object_get(r, "temperature_c")) &&
	    (rc = kj_int(r, w, "temperature_c", -272, 65535 - 273, NULL, err)))
		return rc;
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		if ((rc = kj_int(r, w, counters[i], 0, INT64_MAX, NULL, err)))
			return rc;
	return KESU_OK;
}

static enum kesu_rc check_ata(const json_t *r, const char *w, struct kesu_err *err)
{
	static const char *const keys[] = {"source", "overall", "attributes", NULL};
	static const char *const overall[] = {"passed", "failing", "unknown", NULL};
	static const char *const akeys[] = {"id", "name", "current", "worst", "raw", NULL};
	static const struct { int id; const char *name; } known[] = {
		{5, "reallocated_sectors"}, {9, "power_on_hours"},
		{197, "pending_sectors"}, {198, "uncorrectable_sectors"},
	};
	enum kesu_rc rc;
	json_t *attrs, *a;
	size_t i;
	if ((rc = kj_keys(r, w, keys, err)) ||
	    (rc = kj_enum(r, w, "overall", overall, NULL, err)) ||
	    (rc = kj_arr(r, w, "attributes", 4, &attrs, err)))
		return rc;
	json_array_foreach(attrs, i, a) {
		char aw[112];
		snprintf(aw, sizeof(aw), "%s.attributes[%zu]", w, i);
		int64_t id;
		const char *name;
		if ((rc = kj_keys(a, aw, akeys, err)) ||
		    (rc = kj_int(a, aw, "id", 1, 255, &id, err)) ||
		    (rc = kj_str(a, aw, "name", false, 32, &name, err)) ||
		    (rc = kj_int(a, aw, "current", U8, NULL, err)) ||
		    (rc = kj_int(a, aw, "worst", U8, NULL, err)) ||
		    (rc = kj_int(a, aw, "raw", 0, (1ll << 48) - 1, NULL, err)))
			return rc;
		bool ok = false;
		for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			ok |= known[k].id == id && !strcmp(known[k].name, name);
		if (!ok)
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "%s: attribute %lld '%s' is not one kesu records",
					 aw, (long long)id, name);
	}
	return KESU_OK;
}

static enum kesu_rc check_reading(const json_t *h, const char *key, bool nullable,
				  const char *where, struct kesu_err *err)
{
	static const char *const sources[] = {"nvme", "ata", "none", NULL};
	static const char *const none_keys[] = {"source", "reason", NULL};
	char w[64];
	snprintf(w, sizeof(w), "%s.%s", where, key);
	json_t *r;
	const char *src;
	enum kesu_rc rc;
	if ((rc = kj_obj(h, where, key, nullable, &r, err)) || !r ||
	    (rc = kj_enum(r, w, "source", sources, &src, err)))
		return rc;
	if (!strcmp(src, "nvme"))
		return check_nvme(r, w, err);
	if (!strcmp(src, "ata"))
		return check_ata(r, w, err);
	if ((rc = kj_keys(r, w, none_keys, err)))
		return rc;
	return kj_str(r, w, "reason", false, KESU_STR_MAX, NULL, err);
}

enum kesu_rc kesu_cert_check_health(const json_t *h, const char *where, struct kesu_err *err)
{
	static const char *const keys[] = {"before", "after", NULL};
	enum kesu_rc rc;
	if (!json_is_object(h))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "%s: not an object", where);
	if ((rc = kj_keys(h, where, keys, err)) ||
	    (rc = check_reading(h, "before", false, where, err)))
		return rc;
	return check_reading(h, "after", true, where, err);
}

static long long iv(const json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static void nvme_summary(const json_t *r, char *buf, size_t n)
{
	char temp[24] = "temperature not reported";
	const json_t *t = json_object_get(r, "temperature_c");
	if (json_is_integer(t))
		snprintf(temp, sizeof(temp), "%lld C", (long long)json_integer_value(t));
	snprintf(buf, n, "NVMe SMART: critical warning 0x%02llx, %s, %lld%% used, spare %lld%%, "
		 "%lld power-on hours, %lld data units (512,000 bytes) written, %lld unsafe "
		 "shutdowns, %lld media errors", iv(r, "critical_warning"), temp,
		 iv(r, "percentage_used"), iv(r, "available_spare"), iv(r, "power_on_hours"),
		 iv(r, "data_units_written"), iv(r, "unsafe_shutdowns"), iv(r, "media_errors"));
}

static void ata_summary(const json_t *r, char *buf, size_t n)
{
	int o = snprintf(buf, n, "ATA SMART %s", json_string_value(json_object_get(r, "overall")));
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(r, "attributes"), i, a) {
		if (o < 0 || (size_t)o >= n)
			return;
		o += snprintf(buf + o, n - (size_t)o, "%s%s %lld (raw)", i ? ", " : ": ",
			      json_string_value(json_object_get(a, "name")), iv(a, "raw"));
	}
}

void kesu_cert_health_summary(const json_t *r, char *buf, size_t n)
{
	const char *src = json_string_value(json_object_get(r, "source"));
	if (!src)
		snprintf(buf, n, "not read");
	else if (!strcmp(src, "nvme"))
		nvme_summary(r, buf, n);
	else if (!strcmp(src, "ata"))
		ata_summary(r, buf, n);
	else
		snprintf(buf, n, "not read: %s", json_string_value(json_object_get(r, "reason")));
}
