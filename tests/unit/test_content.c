/* kesu_device_probe on image files: identity of a file target and what
 * libblkid reports, including a partition table that lies about its size. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wipe/device/device.h"
#include "wipe/device/gate.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/kesu-content.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char p[128];
	const char *names[] = {"zero.img", "swap.img", "mbr.img", "empty.img"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	return rmdir(dir);
}

/* Write a file of `size` zero bytes with `len` bytes of `data` at `off`. */
static void image(const char *name, size_t size, size_t off, const void *data,
		  size_t len, char *path)
{
	sprintf(path, "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	if (len)
		assert_int_equal(pwrite(fd, data, len, (off_t)off), (ssize_t)len);
	close(fd);
}

static json_t *content_of(const char *path, struct kesu_device **dp)
{
	struct kesu_err err = {0};
	assert_int_equal(kesu_device_probe(path, dp, &err), KESU_OK);
	return kesu_device_content_json(*dp);
}

static void blank_file_is_an_erasable_file_target(void **state)
{
	(void)state;
	char path[128];
	image("zero.img", 1 << 20, 0, NULL, 0, path);
	struct kesu_device *d;
	json_t *c = content_of(path, &d);
	const struct kesu_identity *id = kesu_device_identity(d);
	assert_true(id->is_file);
	assert_string_equal(id->kind, "file");
	assert_string_equal(id->transport, "file");
	assert_string_equal(id->name, "zero.img");
	assert_string_equal(id->path, path);
	assert_int_equal(id->size_bytes, 1 << 20);
	assert_true(json_is_null(json_object_get(c, "pttype")));
	assert_true(json_is_null(json_object_get(c, "signature")));
	assert_int_equal(json_array_size(json_object_get(c, "partitions")), 0);
	json_decref(c);
	struct kesu_gate_verdict v;
	struct kesu_err err = {0};
	assert_int_equal(kesu_gate_check(d, &v, &err), KESU_OK);
	assert_true(v.allowed);
	kesu_device_free(d);
}

static void swap_signature_on_the_whole_file(void **state)
{
	(void)state;
	char path[128];
	unsigned char hdr[4096];
	memset(hdr, 0, sizeof(hdr));
	hdr[1024] = 1;                       /* version 1 */
	hdr[1028] = 0xff;                    /* last page */
	memcpy(hdr + 1024 + 12, "\x01\x02\x03\x04\x05\x06\x07\x08"
	       "\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10", 16);  /* uuid */
	memcpy(hdr + 1024 + 28, "old-swap", 8);           /* label */
	memcpy(hdr + 4096 - 10, "SWAPSPACE2", 10);
	image("swap.img", 1 << 20, 0, hdr, sizeof(hdr), path);
	struct kesu_device *d;
	json_t *c = content_of(path, &d);
	json_t *sig = json_object_get(c, "signature");
	assert_true(json_is_object(sig));
	assert_string_equal(json_string_value(json_object_get(sig, "type")), "swap");
	assert_string_equal(json_string_value(json_object_get(sig, "label")), "old-swap");
	json_decref(c);
	kesu_device_free(d);
}

static void partition_past_the_end_is_listed_not_probed(void **state)
{
	(void)state;
	char path[128];
	unsigned char mbr[512];
	memset(mbr, 0, sizeof(mbr));
	unsigned char *e = mbr + 446;
	e[4] = 0x83;                                   /* Linux */
	e[8] = 0x00; e[9] = 0x08;                      /* start LBA 2048 */
	e[12] = 0x00; e[13] = 0x00; e[14] = 0x10;      /* 1 MiB sectors: far past the end */
	e += 16;
	e[4] = 0x82;                                   /* a small one inside */
	e[8] = 0x00; e[9] = 0x01;                      /* start LBA 256 */
	e[12] = 0x00; e[13] = 0x01;                    /* 256 sectors */
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
	image("mbr.img", 1 << 20, 0, mbr, sizeof(mbr), path);
	struct kesu_device *d;
	json_t *c = content_of(path, &d);
	assert_string_equal(json_string_value(json_object_get(c, "pttype")), "dos");
	json_t *parts = json_object_get(c, "partitions");
	assert_int_equal(json_array_size(parts), 2);
	json_t *p0 = json_array_get(parts, 0);
	assert_int_equal(json_integer_value(json_object_get(p0, "start_bytes")), 2048 * 512);
	assert_string_equal(json_string_value(json_object_get(p0, "part_type")), "0x83");
	assert_true(json_is_null(json_object_get(p0, "type")));
	json_t *p1 = json_array_get(parts, 1);
	assert_int_equal(json_integer_value(json_object_get(p1, "number")), 2);
	assert_int_equal(json_integer_value(json_object_get(p1, "size_bytes")), 256 * 512);
	json_decref(c);
	kesu_device_free(d);
}

static void empty_file_has_unknown_content(void **state)
{
	(void)state;
	char path[128];
	image("empty.img", 0, 0, NULL, 0, path);
	struct kesu_device *d;
	json_t *c = content_of(path, &d);
	assert_true(json_is_null(c));
	assert_int_equal(kesu_device_identity(d)->size_bytes, 0);
	json_decref(c);
	kesu_device_free(d);
}

static void bad_paths(void **state)
{
	(void)state;
	struct kesu_device *d = NULL;
	struct kesu_err err = {0};
	assert_int_equal(kesu_device_probe("/nonexistent/kesu/disk", &d, &err), KESU_ERR_NOENT);
	assert_null(d);
	assert_non_null(strstr(err.msg, "kesu list"));
	assert_int_equal(kesu_device_probe("/dev/null", &d, &err), KESU_ERR_NOTSUP);
	assert_non_null(strstr(err.msg, "not a block device"));
	assert_int_equal(kesu_device_probe(dir, &d, &err), KESU_ERR_NOTSUP);
	assert_null(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(blank_file_is_an_erasable_file_target),
		cmocka_unit_test(swap_signature_on_the_whole_file),
		cmocka_unit_test(partition_past_the_end_is_listed_not_probed),
		cmocka_unit_test(empty_file_has_unknown_content),
		cmocka_unit_test(bad_paths),
	};
	return cmocka_run_group_tests_name("content", tests, setup, teardown);
}
