/* See smbios.h.  Parsing and judging are pure; kesu_smbios_read_dir is the
 * one place that touches files. */
#include "lib/smbios.h"
#include "lib/jcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Seen in the field (dmidecode reports, vendor BIOS defaults). */
static const char *const placeholders[] = {
	"To Be Filled By O.E.M.", "To Be Filled By OEM", "Default string",
	"Not Specified", "Not Applicable", "Not Available", "None", "N/A", "NA",
	"Unknown", "OEM", "O.E.M.", "Invalid", "System manufacturer",
	"System Manufacturer", "System Product Name", "System Name", "System Serial Number",
	"System Version", "Chassis Manufacture", "Chassis Serial Number", "Asset Tag",
	"Asset-1234567890", "No Asset Tag", "No Asset Information", "Base Board Serial Number",
	"Type1ProductConfigId", "SKU", "XXXXXXXX", "123456789", "0123456789",
	"1234567890", "Serial", "Empty", "Product Name", "Manufacturer", NULL,
};

/* "0000000", "FFFF", ".....": one character, repeated (or alone). */
static bool one_char_repeated(const char *s)
{
	for (const char *p = s; *p; p++)
		if (*p != *s)
			return false;
	return true;
}

bool kesu_smbios_placeholder(const char *s)
{
	if (!s || !*s || one_char_repeated(s))
		return true;
	for (size_t i = 0; placeholders[i]; i++)
		if (!strcasecmp(s, placeholders[i]))
			return true;
	return false;
}

void kesu_smbios_value(const void *raw, size_t len, char *out, size_t cap)
{
	/* A value a reader cannot see as it is (a bidi override, a zero-width
	 * space) is left out rather than shown with a '?' in its place:
	 * looked for in the raw bytes, since kesu_clean replaces them.  Then
	 * kesu_clean trims white space and padding and makes control
	 * characters and bad UTF-8 visible ('?'), bounded to cap. */
	char raw_text[KESU_STR_MAX + 1];
	size_t n = len < KESU_STR_MAX ? len : KESU_STR_MAX;
	memcpy(raw_text, raw, n);
	raw_text[n] = '\0';
	kesu_clean(out, cap, raw, len);
	if (kesu_text_is_blank(out) || kesu_text_hidden_char(raw_text) ||
	    kesu_smbios_placeholder(out))
		out[0] = '\0';
}

bool kesu_smbios_present(const struct kesu_smbios *h)
{
	return h->vendor[0] || h->product[0] || h->serial[0] || h->asset_tag[0];
}

static void read_one(const struct kesu_smbios_reader *r, const char *field, char *out,
		     size_t cap)
{
	char buf[1024];
	ssize_t n = r->read(r->ud, field, buf, sizeof(buf));
	out[0] = '\0';
	if (n > 0)
		kesu_smbios_value(buf, (size_t)n, out, cap);
}

void kesu_smbios_read(const struct kesu_smbios_reader *r, struct kesu_smbios *out)
{
	read_one(r, "sys_vendor", out->vendor, sizeof(out->vendor));
	read_one(r, "product_name", out->product, sizeof(out->product));
	read_one(r, "product_serial", out->serial, sizeof(out->serial));
	read_one(r, "chassis_asset_tag", out->asset_tag, sizeof(out->asset_tag));
}

ssize_t kesu_smbios_read_dir(void *dir, const char *field, char *buf, size_t cap)
{
	char path[512];
	if (snprintf(path, sizeof(path), "%s/%s", (const char *)dir, field) >= (int)sizeof(path))
		return -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	/* sysfs gives the whole value in one read; more than cap is cut. */
	ssize_t n;
	do
		n = read(fd, buf, cap);
	while (n < 0 && errno == EINTR);
	close(fd);
	return n;
}

static const char *const json_keys[] = {"vendor", "product", "serial", "asset_tag", NULL};

json_t *kesu_smbios_to_json(const struct kesu_smbios *h)
{
	if (!kesu_smbios_present(h))
		return NULL;
	const char *vals[] = {h->vendor, h->product, h->serial, h->asset_tag};
	json_t *o = json_object();
	for (size_t i = 0; o && json_keys[i]; i++)
		if (vals[i][0] && json_object_set_new(o, json_keys[i], kesu_json_str(vals[i]))) {
			json_decref(o);
			return NULL;
		}
	return o;
}

enum kesu_rc kesu_smbios_check_json(const json_t *o, const char *where, struct kesu_err *err)
{
	enum kesu_rc rc;
	if (!json_is_object(o))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "%s: not an object", where);
	if ((rc = kj_keys(o, where, json_keys, err)))
		return rc;
	for (size_t i = 0; json_keys[i]; i++)
		if (json_object_get(o, json_keys[i]) &&
		    (rc = kj_str(o, where, json_keys[i], false, KESU_SMBIOS_MAX, NULL, err)))
			return rc;
	if (!json_object_size(o))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s: empty (left out when the firmware names nothing)", where);
	return KESU_OK;
}
