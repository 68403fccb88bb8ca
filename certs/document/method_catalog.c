#include "certs/document/method_catalog.h"

#include <string.h>

#define OW(n) {n, KESU_CATALOG_OVERWRITE, "overwrite"}
#define PG(n, t) {n, KESU_CATALOG_PURGE, t}
static const struct kesu_catalog_method table[] = {
	OW("nist-clear"), OW("nist-clear-flash"), OW("zero"), OW("one"), OW("random"),
	OW("dod-3"), OW("dod-7"), OW("gutmann"), OW("hmg-is5-baseline"),
	OW("hmg-is5-enhanced"), OW("rcmp-ops2"), OW("vsitr"), OW("schneier"),
	OW("custom"),
	PG("purge", "auto"),
	PG("nvme-sanitize-crypto", "crypto-erase"),
	PG("nvme-sanitize-block", "block-erase"),
	PG("nvme-sanitize-crypto-block", "crypto-erase+block-erase"),
	PG("nvme-sanitize-overwrite", "sanitize-overwrite"),
	PG("nvme-format-crypto", "crypto-erase"),
	PG("nvme-format-erase", "user-data-erase"),
	PG("ata-sanitize-crypto", "crypto-erase"),
	PG("ata-sanitize-block", "block-erase"),
	PG("ata-sanitize-crypto-block", "crypto-erase+block-erase"),
	PG("ata-sanitize-overwrite", "sanitize-overwrite"),
	PG("ata-secure-erase", "secure-erase"),
	PG("ata-secure-erase-enhanced", "enhanced-secure-erase"),
	PG("scsi-sanitize-crypto", "crypto-erase"),
	PG("scsi-sanitize-block", "block-erase"),
	PG("scsi-sanitize-crypto-block", "crypto-erase+block-erase"),
	PG("scsi-sanitize-overwrite", "sanitize-overwrite"),
	PG("emmc-sanitize", "block-erase"),
	PG("opal-psid-revert", "crypto-erase"),
};
#define N (sizeof(table) / sizeof(table[0]))

const struct kesu_catalog_method *kesu_catalog_methods(size_t *count)
{
	*count = N;
	return table;
}

const struct kesu_catalog_method *kesu_catalog_find(const char *name)
{
	for (size_t i = 0; name && i < N; i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

const char *kesu_catalog_check(const char *method, const char *technique,
			       const char *nist, bool erasing)
{
	char first[80];
	const char *plus = strchr(method, '+');
	size_t n = plus ? (size_t)(plus - method) : strlen(method);
	if (n >= sizeof(first))
		return "unknown method";
	memcpy(first, method, n);
	first[n] = '\0';
	const struct kesu_catalog_method *m = kesu_catalog_find(first);
	if (!m)
		return "unknown method";
	if (plus) {
		/* Only a firmware purge takes an overwrite after it (--then). */
		const struct kesu_catalog_method *then = kesu_catalog_find(plus + 1);
		if (m->kind != KESU_CATALOG_PURGE || !then ||
		    then->kind != KESU_CATALOG_OVERWRITE)
			return "unknown method";
	}
	if (m->kind == KESU_CATALOG_OVERWRITE)
		return strcmp(technique, "overwrite") ? "technique does not match the method"
		       : strcmp(nist, "clear") ? "an overwrite is NIST clear, not another category"
		       : NULL;
	if (!strcmp(m->name, "purge")) {
		/* The run record names the command "purge" chose; a bare "purge"
		 * never reached a drive command. */
		if (strcmp(technique, "auto"))
			return "technique does not match the method";
		return erasing ? "a purge that never chose its drive command erased nothing"
			       : NULL;
	}
	if (strcmp(technique, m->technique))
		return "technique does not match the method";
	/* Some drive commands only reach NIST clear on some media (kesu(8)). */
	if (strcmp(nist, "purge") && strcmp(nist, "clear"))
		return "a drive command is NIST purge or clear, not destroy";
	return NULL;
}
