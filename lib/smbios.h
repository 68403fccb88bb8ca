/* The computer kesu runs on, as its firmware names it (SMBIOS system
 * vendor, product name, serial number and chassis asset tag, which Linux
 * shows in /sys/class/dmi/id).  Run records keep it as host.smbios
 * (kesu-run-record(5)) and certificates as "host" (kesu-certificate(5)):
 * on the live image it is the PC whose disks were erased.  The strings are the firmware's: untrusted, of any length, often
 * placeholders a vendor never filled in; those count as absent. */
#ifndef KESU_SMBIOS_H
#define KESU_SMBIOS_H

#include "lib/error.h"
#include "lib/strutil.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Longest value kept (bytes): SMBIOS strings are short; a longer one is
 * cut at a character boundary. */
#define KESU_SMBIOS_MAX 128

struct kesu_smbios {
	char vendor[KESU_SMBIOS_MAX + 1];     /* "" when absent */
	char product[KESU_SMBIOS_MAX + 1];
	char serial[KESU_SMBIOS_MAX + 1];
	char asset_tag[KESU_SMBIOS_MAX + 1];
};

/* One value as the firmware gave it (raw bytes, len of them): cleaned,
 * trimmed and bounded into out (cap bytes with the NUL, at least 1); ""
 * when it is blank, a placeholder, or holds characters a reader cannot see
 * (kesu_text_hidden_char). */
void kesu_smbios_value(const void *raw, size_t len, char *out, size_t cap);

/* True for the strings firmware puts where nothing was filled in ("To Be
 * Filled By O.E.M.", "Default string", "Not Specified", "System Serial
 * Number", one character repeated as "00000000" ...), compared without
 * case. */
bool kesu_smbios_placeholder(const char *s);

/* True when any of the four values is present. */
bool kesu_smbios_present(const struct kesu_smbios *h);

/* Where the values come from: read reads the file called field (sys_vendor,
 * product_name, product_serial, chassis_asset_tag) into buf (cap bytes) and
 * returns how many bytes it read, -1 when there is none. */
struct kesu_smbios_reader {
	ssize_t (*read)(void *ud, const char *field, char *buf, size_t cap);
	void *ud;
};

/* The four values through r; a value r cannot give is absent. */
void kesu_smbios_read(const struct kesu_smbios_reader *r, struct kesu_smbios *out);

/* The reader over a directory of such files (ud: its path), as
 * /sys/class/dmi/id; KESU_SMBIOS_DIR is that one. */
#define KESU_SMBIOS_DIR "/sys/class/dmi/id"
ssize_t kesu_smbios_read_dir(void *dir, const char *field, char *buf, size_t cap);

/* As JSON: an object of the present values ("vendor", "product", "serial",
 * "asset_tag"), NULL when none is present (or out of memory). */
json_t *kesu_smbios_to_json(const struct kesu_smbios *h);

/* Strict reading of such an object (where names it in messages): only
 * those keys, each a clean string of at most KESU_SMBIOS_MAX bytes, at
 * least one of them. */
enum kesu_rc kesu_smbios_check_json(const json_t *o, const char *where, struct kesu_err *err);

#endif
