/* What a medium holds (kesu_device_content_json) as the operator reads it:
 * one renderer for kesu wipe's plan and kesu info. */
#ifndef KESU_CLI_CONTENTS_H
#define KESU_CLI_CONTENTS_H

#include <jansson.h>
#include <stddef.h>

/* One line: "gpt partition table, 2 partitions: ext4 "root", vfat".
 * Device strings are cleaned; "unknown (not read)" for NULL or JSON null. */
void kesu_cli_contents_line(const json_t *contents, char *buf, size_t size);

/* s, or "-" when NULL or empty: a column that must not look blank. */
const char *kesu_cli_or_dash(const char *s);

#endif
