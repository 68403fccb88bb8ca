/* The firmware purge methods as data: name, which command family carries
 * them, which technique they apply.  A separate small table (not part of
 * method.c's overwrite table) so `kesu methods` can list both. */
#ifndef KESU_PURGE_METHOD_H
#define KESU_PURGE_METHOD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum kesu_purge_family {
	KESU_PF_NVME_SANITIZE,
	KESU_PF_NVME_FORMAT,
	KESU_PF_ATA_SANITIZE,
	KESU_PF_ATA_SECURITY,
	KESU_PF_SCSI_SANITIZE,
	KESU_PF_OPAL,
	KESU_PF_EMMC,          /* ERASE of the user area, then SANITIZE */
	KESU_PF_AUTO,          /* "purge": choose the strongest supported */
};

enum kesu_purge_action {
	KESU_PA_CRYPTO,
	KESU_PA_BLOCK,
	KESU_PA_OVERWRITE,
	KESU_PA_ERASE,         /* Format SES=1, SECURITY ERASE UNIT normal */
	KESU_PA_ENHANCED,      /* SECURITY ERASE UNIT enhanced */
	/* Two commands of one family: crypto erase, then block erase.  The
	 * key change makes the data unreadable at once; the block erase then
	 * resets the flash itself, so nothing rests on the key alone. */
	KESU_PA_CRYPTO_BLOCK,
	KESU_PA_AUTO,
};

struct kesu_purge_driver;   /* wipe/firmware/purge/driver.h */

struct kesu_purge_method {
	const char *name;
	enum kesu_purge_family family;
	enum kesu_purge_action action;
	const char *technique;   /* run record "technique" */
	const char *description;
	/* The family's driver (purge/driver.h); NULL for "purge", which
	 * resolves to another row.  A chain's steps are rows of their own. */
	const struct kesu_purge_driver *driver;
};

const struct kesu_purge_method *kesu_purge_methods(size_t *count);
const struct kesu_purge_method *kesu_purge_method_find(const char *name);

/* The single commands m sends, in order, into out: m itself, or for a
 * KESU_PA_CRYPTO_BLOCK chain its family's crypto erase then block erase.
 * Returns how many (1 or 2). */
size_t kesu_purge_method_steps(const struct kesu_purge_method *m,
			       const struct kesu_purge_method *out[2]);

/* The entry `kesu methods --json` shows, shaped like an overwrite method:
 * {"name","nist_category":"purge","technique","verify":"sample",
 *  "description","passes":[],"firmware":true} */
json_t *kesu_purge_method_to_json(const struct kesu_purge_method *m);

#endif
