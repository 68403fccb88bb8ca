/* A uevent's properties (kesu station's hot-plug events): any process can
 * send uevents on the netlink socket a kernel-sourced monitor reads. */
#include "wipe/device/hotplug.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kesu_hp_event ev;
	if (kesu_hp_parse((const char *)data, size, &ev) && !kesu_hp_name_ok(ev.name))
		abort();
	return 0;
}
