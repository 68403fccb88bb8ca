#include "wipe/device/classify.h"
#include "lib/array.h"
#include "lib/strutil.h"

#include <ctype.h>
#include <inttypes.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static void set2(char *kind, size_t ks, const char *k, char *tran, size_t ts,
		 const char *t)
{
	kesu_strlcpy(kind, k, ks);
	kesu_strlcpy(tran, t, ts);
}

void kesu_classify(const char *devpath, const char *name, bool rotational,
		   char *kind, size_t kindsz, char *transport, size_t transz)
{
	const char *media = rotational ? "hdd" : "ssd";
	if (!devpath)
		devpath = "";
	/* Order matters: a USB bridge sits above a SCSI host, an NVMe disk
	 * above PCI, so the most specific bus in the path wins. */
	if (starts(name, "loop"))
		set2(kind, kindsz, "loop", transport, transz, "loop");
	else if (strstr(devpath, "/usb"))
		set2(kind, kindsz, "usb", transport, transz, "usb");
	else if (starts(name, "nvme") || strstr(devpath, "/nvme"))
		set2(kind, kindsz, "nvme", transport, transz, "nvme");
	else if (starts(name, "mmcblk") || strstr(devpath, "/mmc_host/"))
		set2(kind, kindsz, "mmc", transport, transz, "mmc");
	else if (strstr(devpath, "/ata"))
		set2(kind, kindsz, media, transport, transz, "sata");
	else if (strstr(devpath, "/end_device-") || strstr(devpath, "/sas_") ||
		 strstr(devpath, "/expander-"))
		set2(kind, kindsz, media, transport, transz, "sas");
	else if (strstr(devpath, "/virtio") && strstr(devpath, "/target"))
		set2(kind, kindsz, "virtual", transport, transz, "scsi");
	else if (strstr(devpath, "/virtio"))
		set2(kind, kindsz, "virtual", transport, transz, "virtio");
	else if (strstr(devpath, "/pseudo_") || strstr(devpath, "/devices/virtual/"))
		set2(kind, kindsz, "virtual", transport, transz,
		     strstr(devpath, "/target") ? "scsi" : "");
	else if (strstr(devpath, "/target"))
		set2(kind, kindsz, media, transport, transz, "scsi");
	else
		set2(kind, kindsz, media, transport, transz, "");
}

bool kesu_vpd80_serial(const unsigned char *page, size_t len, char *out,
		       size_t outsz)
{
	out[0] = '\0';
	if (len < 4 || page[1] != 0x80)
		return false;
	size_t plen = ((size_t)page[2] << 8) | page[3];
	if (plen > len - 4)
		plen = len - 4;
	return kesu_clean(out, outsz, page + 4, plen) > 0;
}

static bool hex_into(const unsigned char *b, size_t n, const char *prefix,
		     char *out, size_t outsz)
{
	size_t pl = strlen(prefix);
	if (outsz < pl + 2 * n + 1)
		return false;
	memcpy(out, prefix, pl);
	for (size_t i = 0; i < n; i++)
		snprintf(out + pl + 2 * i, 3, "%02x", b[i]);
	return true;
}

bool kesu_vpd83_wwn(const unsigned char *page, size_t len, char *out,
		    size_t outsz)
{
	out[0] = '\0';
	if (len < 4 || page[1] != 0x83)
		return false;
	size_t end = 4 + (((size_t)page[2] << 8) | page[3]);
	if (end > len)
		end = len;
	const unsigned char *eui = NULL;
	size_t euilen = 0;
	for (size_t off = 4; off + 4 <= end;) {
		const unsigned char *d = page + off;
		size_t dl = d[3];
		if (off + 4 + dl > end)
			break;
		unsigned assoc = (d[1] >> 4) & 3, type = d[1] & 0xf;
		unsigned codeset = d[0] & 0xf;
		/* Only designators of the logical unit itself, in binary. */
		if (assoc == 0 && codeset == 1) {
			if (type == 3 && (dl == 8 || dl == 16))
				return hex_into(d + 4, dl, "0x", out, outsz);
			if (type == 2 && (dl == 8 || dl == 12 || dl == 16) && !eui) {
				eui = d + 4;
				euilen = dl;
			}
		}
		off += 4 + dl;
	}
	return eui && hex_into(eui, euilen, "eui.", out, outsz);
}

bool kesu_wwid_to_wwn(const char *wwid, char *out, size_t outsz)
{
	char buf[KESU_STR_MAX + 1];
	out[0] = '\0';
	kesu_clean(buf, sizeof(buf), wwid, strlen(wwid));
	const char *hex;
	const char *prefix;
	if (starts(buf, "naa.")) {
		hex = buf + 4;
		prefix = "0x";
	} else if (starts(buf, "eui.") || starts(buf, "uuid.")) {
		hex = buf;
		prefix = "";
	} else {
		return false;
	}
	size_t n = strlen(hex);
	if (n == 0 || strlen(prefix) + n + 1 > outsz)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)hex[i]) && hex[i] != '.' && hex[i] != '-' &&
		    !(prefix[0] == '\0' && isalpha((unsigned char)hex[i])))
			return false;
	snprintf(out, outsz, "%s%s", prefix, hex);
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return true;
}

bool kesu_udev_db_get(const char *text, const char *key, char *out, size_t outsz)
{
	size_t kl = strlen(key);
	out[0] = '\0';
	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t ll = nl ? (size_t)(nl - l) : strlen(l);
		if (ll > kl + 3 && l[0] == 'E' && l[1] == ':' &&
		    !strncmp(l + 2, key, kl) && l[2 + kl] == '=')
			return kesu_clean(out, outsz, l + 3 + kl, ll - 3 - kl) > 0;
		l = nl ? nl + 1 : NULL;
	}
	return false;
}

void kesu_unescape_octal(char *s)
{
	char *w = s;
	for (char *r = s; *r;) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' &&
		    r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

/* Next space-separated field of line [*p, end) into out; false if none. */
static bool field(const char **p, const char *end, char *out, size_t outsz)
{
	const char *s = *p;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s >= end)
		return false;
	const char *e = s;
	while (e < end && *e != ' ' && *e != '\t')
		e++;
	size_t n = (size_t)(e - s);
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	*p = e;
	return true;
}

int kesu_mountinfo_parse(const char *text, struct kesu_mount **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	char f[PATH_MAX];
	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n');
		const char *end = nl ? nl : l + strlen(l);
		const char *p = l;
		struct kesu_mount m = {0};
		bool ok = field(&p, end, f, sizeof(f)) && field(&p, end, f, sizeof(f)) &&
			  field(&p, end, f, sizeof(f)) &&
			  sscanf(f, "%u:%u", &m.maj, &m.min) == 2 &&
			  field(&p, end, f, sizeof(f)) &&
			  field(&p, end, m.mountpoint, sizeof(m.mountpoint));
		/* Optional fields run up to the lone "-". */
		bool sep = false;
		while (ok && field(&p, end, f, sizeof(f)))
			if (!strcmp(f, "-")) {
				sep = true;
				break;
			}
		ok = ok && sep && field(&p, end, m.fstype, sizeof(m.fstype)) &&
		     field(&p, end, m.source, sizeof(m.source));
		if (ok) {
			kesu_unescape_octal(m.mountpoint);
			kesu_unescape_octal(m.source);
			struct kesu_mount *v = KESU_APPEND(*out, *n);
			if (!v) {
				free(*out);
				*out = NULL;
				*n = 0;
				return -ENOMEM;
			}
			*v = m;
		}
		l = nl ? nl + 1 : NULL;
	}
	return 0;
}

int kesu_swaps_parse(const char *text, struct kesu_swap **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	char f[64];
	const char *l = strchr(text, '\n');  /* skip the header */
	l = l ? l + 1 : NULL;
	for (; l && *l;) {
		const char *nl = strchr(l, '\n');
		const char *end = nl ? nl : l + strlen(l);
		const char *p = l;
		struct kesu_swap s = {0};
		bool ok = field(&p, end, s.path, sizeof(s.path)) &&
			  field(&p, end, s.type, sizeof(s.type));
		/* A deleted swap file shows as "/path\040(deleted)" or a
		 * trailing "(deleted)" field; either way it stays in use. */
		if (ok && !strcmp(s.type, "(deleted)"))
			ok = field(&p, end, s.type, sizeof(s.type));
		ok = ok && field(&p, end, f, sizeof(f)) &&
		     sscanf(f, "%" SCNu64, &s.size_kib) == 1 &&
		     field(&p, end, f, sizeof(f)) &&
		     sscanf(f, "%" SCNu64, &s.used_kib) == 1;
		if (ok) {
			kesu_unescape_octal(s.path);
			size_t pl = strlen(s.path);
			if (pl > 10 && !strcmp(s.path + pl - 10, " (deleted)"))
				s.path[pl - 10] = '\0';
			struct kesu_swap *v = KESU_APPEND(*out, *n);
			if (!v) {
				free(*out);
				*out = NULL;
				*n = 0;
				return -ENOMEM;
			}
			*v = s;
		}
		l = nl ? nl + 1 : NULL;
	}
	return 0;
}

bool kesu_is_system_mountpoint(const char *mp)
{
	static const char *const sys[] = {"/", "/boot", "/boot/efi", "/usr", "/var"};
	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
		if (!strcmp(mp, sys[i]))
			return true;
	return false;
}
