/* The SMBIOS values a run record and a certificate keep (lib/smbios.c):
 * the four fields come from four slices of the input, as firmware might
 * give them.  Whatever is kept must pass the strict reader of the JSON. */
#include "lib/smbios.h"
#include "fuzz.h"

struct slices {
	const uint8_t *data;
	size_t size;
};

static ssize_t slice_read(void *ud, const char *field, char *buf, size_t cap)
{
	const struct slices *s = ud;
	static const char *const order[] = {"sys_vendor", "product_name", "product_serial",
		"chassis_asset_tag"};
	size_t i = 0;
	while (i < 4 && strcmp(order[i], field))
		i++;
	size_t from = s->size * i / 4, to = s->size * (i + 1) / 4, n = to - from;
	if (n > cap)
		n = cap;
	memcpy(buf, s->data + from, n);
	return (ssize_t)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct slices s = {data, size};
	struct kesu_smbios_reader r = {slice_read, &s};
	struct kesu_smbios h;
	struct kesu_err err;
	kesu_smbios_read(&r, &h);
	json_t *j = kesu_smbios_to_json(&h);
	if (j && kesu_smbios_check_json(j, "host", &err) != KESU_OK)
		abort();
	if (!j && kesu_smbios_present(&h))
		abort();
	json_decref(j);
	return 0;
}
