#include "wipe/device/medium_binding.h"
#include "lib/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* The loop driver knows the backing file by (device, inode), which stays
 * true when the file is renamed or its path is reused by another file. */
static bool loop_backing_inode(const char *path, uint64_t *dev, uint64_t *ino)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return false;
	struct loop_info64 li;
	memset(&li, 0, sizeof(li));
	int r = ioctl(fd, LOOP_GET_STATUS64, &li);
	close(fd);
	if (r != 0)
		return false;
	*dev = li.lo_device;
	*ino = li.lo_inode;
	return true;
}

static void dm_uuid_of(unsigned maj, unsigned min, char *out, size_t outsz)
{
	char p[96];
	snprintf(p, sizeof(p), "/sys/dev/block/%u:%u/dm/uuid", maj, min);
	out[0] = '\0';
	char *text = NULL;
	size_t len = 0;
	struct kesu_err e;
	if (kesu_read_file(p, 4096, &text, &len, &e) != KESU_OK)
		return;
	while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
		len--;
	kesu_clean(out, outsz, text, len);
	free(text);
}

enum kesu_rc kesu_medium_binding_of(const struct kesu_device *dev,
				    struct kesu_medium_binding *b, struct kesu_err *err)
{
	memset(b, 0, sizeof(*b));
	const struct kesu_identity *id = kesu_device_identity(dev);
	const struct kesu_device_facts *f = kesu_device_facts(dev);
	kesu_strlcpy(b->serial, id->serial, sizeof(b->serial));
	kesu_strlcpy(b->wwn, id->wwn, sizeof(b->wwn));
	b->size_bytes = id->size_bytes;
	b->logical_block_size = id->logical_block_size;
	b->is_file = id->is_file;
	struct stat st;
	if (stat(id->path, &st) != 0)
		return kesu_fail(err, KESU_ERR_GONE, errno, "%s: %s", id->path,
				 strerror(errno));
	if (id->is_file) {
		b->have_inode = true;
		b->inode_dev = (uint64_t)st.st_dev;
		b->inode_ino = (uint64_t)st.st_ino;
		return KESU_OK;
	}
	b->dev_major = major(st.st_rdev);
	b->dev_minor = minor(st.st_rdev);
	if (f->loop_backing[0])
		b->have_inode = loop_backing_inode(id->path, &b->inode_dev, &b->inode_ino);
	dm_uuid_of(b->dev_major, b->dev_minor, b->dm_uuid, sizeof(b->dm_uuid));
	return KESU_OK;
}

static json_t *str_or_null(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

json_t *kesu_medium_binding_to_json(const struct kesu_medium_binding *b)
{
	char devno[32];
	snprintf(devno, sizeof(devno), "%" PRIu32 ":%" PRIu32, b->dev_major, b->dev_minor);
	json_t *inode = b->have_inode
				? json_pack("{s:I, s:I}", "dev", (json_int_t)b->inode_dev, "ino",
					    (json_int_t)b->inode_ino)
				: json_null();
	return json_pack("{s:o, s:o, s:I, s:I, s:b, s:s, s:o, s:o}", "serial",
			 str_or_null(b->serial), "wwn", str_or_null(b->wwn), "size_bytes",
			 (json_int_t)b->size_bytes, "logical_block_size",
			 (json_int_t)b->logical_block_size, "is_file", b->is_file, "dev", devno,
			 "inode", inode, "dm_uuid", str_or_null(b->dm_uuid));
}

static bool get_str(const json_t *v, char *out, size_t outsz)
{
	if (json_is_null(v)) {
		out[0] = '\0';
		return true;
	}
	const char *s = json_string_value(v);
	return s && s[0] && kesu_is_clean(s) && kesu_strlcpy(out, s, outsz);
}

enum kesu_rc kesu_medium_binding_from_json(const json_t *j, struct kesu_medium_binding *b,
					   struct kesu_err *err)
{
	memset(b, 0, sizeof(*b));
	json_t *serial, *wwn, *inode, *dm;
	json_int_t size, lbs;
	int is_file;
	const char *devno;
	json_error_t je;
	if (json_unpack_ex((json_t *)j, &je, JSON_STRICT,
			   "{s:o, s:o, s:I, s:I, s:b, s:s, s:o, s:o}", "serial", &serial, "wwn",
			   &wwn, "size_bytes", &size, "logical_block_size", &lbs, "is_file",
			   &is_file, "dev", &devno, "inode", &inode, "dm_uuid", &dm) != 0)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "medium binding: %s", je.text);
	if (!get_str(serial, b->serial, sizeof(b->serial)) ||
	    !get_str(wwn, b->wwn, sizeof(b->wwn)) ||
	    !get_str(dm, b->dm_uuid, sizeof(b->dm_uuid)))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "medium binding: bad string");
	if (size <= 0 || lbs <= 0 || lbs > (1 << 20))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "medium binding: bad size");
	b->size_bytes = (uint64_t)size;
	b->logical_block_size = (uint32_t)lbs;
	b->is_file = is_file;
	unsigned maj, min;
	char tail;
	if (sscanf(devno, "%u:%u%c", &maj, &min, &tail) != 2 || strlen(devno) > 21)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "medium binding: bad dev");
	b->dev_major = maj;
	b->dev_minor = min;
	if (!json_is_null(inode)) {
		json_int_t d, i;
		if (json_unpack_ex(inode, &je, JSON_STRICT, "{s:I, s:I}", "dev", &d, "ino",
				   &i) != 0 || d < 0 || i < 0)
			return kesu_fail(err, KESU_ERR_INVALID, 0, "medium binding: bad inode");
		b->have_inode = true;
		b->inode_dev = (uint64_t)d;
		b->inode_ino = (uint64_t)i;
	}
	return KESU_OK;
}

static bool differ_str(const char *what, const char *a, const char *b, char *why,
		       size_t whysz)
{
	if (!strcmp(a, b))
		return false;
	snprintf(why, whysz, "%s differs (checkpoint: %s, now: %s)", what, a[0] ? a : "none",
		 b[0] ? b : "none");
	return true;
}

bool kesu_medium_binding_same(const struct kesu_medium_binding *s,
			      const struct kesu_medium_binding *n, char *why, size_t whysz)
{
	if (whysz)
		why[0] = '\0';
	if (s->is_file != n->is_file) {
		snprintf(why, whysz, "one is an image file, the other a block device");
		return false;
	}
	if (s->size_bytes != n->size_bytes) {
		snprintf(why, whysz,
			 "size differs (checkpoint: %" PRIu64 " bytes, now: %" PRIu64 ")",
			 s->size_bytes, n->size_bytes);
		return false;
	}
	if (s->logical_block_size != n->logical_block_size) {
		snprintf(why, whysz,
			 "logical block size differs (checkpoint: %" PRIu32 ", now: %" PRIu32 ")",
			 s->logical_block_size, n->logical_block_size);
		return false;
	}
	if (differ_str("serial number", s->serial, n->serial, why, whysz) ||
	    differ_str("WWN", s->wwn, n->wwn, why, whysz))
		return false;
	/* A disk with a hardware identity may move to another port or
	 * controller between runs; that is still the same medium. */
	if (s->serial[0] || s->wwn[0])
		return true;
	if (s->dev_major != n->dev_major || s->dev_minor != n->dev_minor) {
		snprintf(why, whysz,
			 "the device has no serial number or WWN and its device number "
			 "differs (checkpoint: %" PRIu32 ":%" PRIu32 ", now: %" PRIu32 ":%" PRIu32 ")",
			 s->dev_major, s->dev_minor, n->dev_major, n->dev_minor);
		return false;
	}
	if (s->have_inode != n->have_inode ||
	    (s->have_inode && (s->inode_dev != n->inode_dev || s->inode_ino != n->inode_ino))) {
		snprintf(why, whysz,
			 "%s is another file (inode %" PRIu64 ":%" PRIu64 " in the checkpoint, "
			 "%" PRIu64 ":%" PRIu64 " now)",
			 s->is_file ? "the image" : "the loop device's backing file",
			 s->inode_dev, s->inode_ino, n->inode_dev, n->inode_ino);
		return false;
	}
	if (differ_str("device-mapper UUID", s->dm_uuid, n->dm_uuid, why, whysz))
		return false;
	return true;
}
