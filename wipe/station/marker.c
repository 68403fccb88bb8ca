#include "wipe/station/marker.h"
#include "wipe/device/hotplug.h"
#include "lib/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void poke(const char *sysblock, const char *name)
{
	char p[PATH_MAX];
	if (snprintf(p, sizeof(p), "%s/%s/uevent", sysblock, name) >= (int)sizeof(p))
		return;
	int fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	/* Best effort: the marker is what counts; the event only hurries it. */
	ssize_t w = write(fd, "change", 6);
	(void)w;
	close(fd);
}

enum kesu_rc kesu_erasing_mark(const char *dir, const char *sysblock, const char *name,
			       bool on, struct kesu_err *err)
{
	char p[PATH_MAX];
	if (!kesu_hp_name_ok(name))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "not a block device name: %s", name);
	if (snprintf(p, sizeof(p), "%s/%s", dir, name) >= (int)sizeof(p))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "%s: path too long", dir);
	if (on) {
		int fd;
		if (kesu_mkdir_p(dir, 0755, err))
			return kesu_err_prefix(err, "cannot set the erasing marker: ");
		if ((fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644)) < 0)
			return kesu_fail(err, KESU_ERR_IO, errno,
					 "%s: cannot set the erasing marker: %s", p, strerror(errno));
		close(fd);
	} else if (unlink(p) && errno != ENOENT) {
		return kesu_fail(err, KESU_ERR_IO, errno,
				 "%s: cannot clear the erasing marker: %s", p, strerror(errno));
	}
	poke(sysblock, name);
	return KESU_OK;
}
