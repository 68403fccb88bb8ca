#include "wipe/engine/checkpoint_mac.h"
#include "lib/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

static enum kesu_rc create_key(const char *path, struct kesu_err *err)
{
	uint8_t key[KESU_CHECKPOINT_KEY_LEN];
	if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key))
		return kesu_fail(err, KESU_ERR_INTERNAL, errno, "getrandom failed: %s",
				 strerror(errno));
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
		return kesu_fail(err, KESU_ERR_USAGE, ENAMETOOLONG, "%s: path too long", path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return kesu_fail(err, errno == EACCES ? KESU_ERR_PERM : KESU_ERR_IO, errno,
				 "%s: cannot create the checkpoint key: %s", path,
				 strerror(errno));
	enum kesu_rc rc = KESU_OK;
	if (fchmod(fd, 0600) != 0 || write(fd, key, sizeof(key)) != (ssize_t)sizeof(key) ||
	    fsync(fd) != 0)
		rc = kesu_fail(err, KESU_ERR_IO, errno, "%s: cannot write the checkpoint key: %s",
			       tmp, strerror(errno));
	explicit_bzero(key, sizeof(key));
	if (close(fd) != 0 && rc == KESU_OK)
		rc = kesu_fail(err, KESU_ERR_IO, errno, "%s: close failed: %s", tmp,
			       strerror(errno));
	/* link() rather than rename(): a key another kesu made meanwhile is
	 * kept, so no checkpoint is ever signed under a key that vanishes.
	 * FAT has no hard links (EPERM), and the live image keeps its state on
	 * a FAT stick: there a rename that never replaces does the same. */
	if (rc == KESU_OK && link(tmp, path) != 0 && errno != EEXIST &&
	    (errno != EPERM || renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) != 0) &&
	    errno != EEXIST)
		rc = kesu_fail(err, KESU_ERR_IO, errno, "%s: cannot create the checkpoint key: %s",
			       path, strerror(errno));
	unlink(tmp);
	if (rc == KESU_OK)
		kesu_fsync_parent(path, NULL);
	return rc;
}

enum kesu_rc kesu_checkpoint_key(const char *state_dir, bool create,
				 uint8_t key[KESU_CHECKPOINT_KEY_LEN], struct kesu_err *err)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/%s", state_dir, KESU_CHECKPOINT_KEY_FILE) >=
	    (int)sizeof(path))
		return kesu_fail(err, KESU_ERR_USAGE, ENAMETOOLONG,
				 "%s: state directory path too long", state_dir);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		enum kesu_rc rc = create_key(path, err);
		if (rc != KESU_OK)
			return rc;
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT)
			return kesu_fail(err, KESU_ERR_NOENT, e,
					 "%s: the checkpoint key is missing, so no checkpoint "
					 "in %s can be trusted; start the wipe over without "
					 "--resume",
					 path, state_dir);
		return kesu_fail(err, e == EACCES || e == ELOOP ? KESU_ERR_PERM : KESU_ERR_IO, e,
				 "%s: cannot open the checkpoint key: %s", path, strerror(e));
	}
	struct stat st;
	enum kesu_rc rc = KESU_OK;
	if (fstat(fd, &st) != 0)
		rc = kesu_fail(err, KESU_ERR_IO, errno, "%s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
		rc = kesu_fail(err, KESU_ERR_PERM, 0,
			       "%s: unsafe checkpoint key (must be a regular file owned by "
			       "uid %u with mode 0600; it is mode %04o, owner %u); whoever "
			       "could change it could forge checkpoints",
			       path, (unsigned)geteuid(), (unsigned)(st.st_mode & 07777),
			       (unsigned)st.st_uid);
	else if (st.st_size != KESU_CHECKPOINT_KEY_LEN ||
		 read(fd, key, KESU_CHECKPOINT_KEY_LEN) != KESU_CHECKPOINT_KEY_LEN)
		rc = kesu_fail(err, KESU_ERR_INVALID, 0,
			       "%s: the checkpoint key is not %d bytes; remove it and every "
			       "checkpoint beside it, and start the wipes over",
			       path, KESU_CHECKPOINT_KEY_LEN);
	close(fd);
	if (rc != KESU_OK)
		explicit_bzero(key, KESU_CHECKPOINT_KEY_LEN);
	return rc;
}

enum kesu_rc kesu_checkpoint_mac(const uint8_t key[KESU_CHECKPOINT_KEY_LEN], const char *text,
				 size_t len, char hex[KESU_CHECKPOINT_MAC_HEX],
				 struct kesu_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!HMAC(EVP_sha256(), key, KESU_CHECKPOINT_KEY_LEN, (const unsigned char *)text, len,
		  md, &mdlen) ||
	    mdlen != 32)
		return kesu_fail(err, KESU_ERR_INTERNAL, 0, "HMAC-SHA-256 failed");
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return KESU_OK;
}

bool kesu_checkpoint_mac_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	return la == lb && la == KESU_CHECKPOINT_MAC_HEX - 1 && CRYPTO_memcmp(a, b, la) == 0;
}
