/* The one place kesu uses OpenSSL's ENGINE API.  It is deprecated in
 * OpenSSL 3, but Debian 12 ships the PKCS#11 bridge (libp11) only as an
 * engine, not as a provider, so token keys need it.  Keeping it confined to
 * this file lets the rest of kesu build without deprecated declarations. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include "certs/sign/pkcs11_engine.h"
#include "lib/fileio.h"
#include "certs/sign/signer.h"

#include <fcntl.h>
#include <openssl/engine.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static enum kesu_rc read_pin_file(const char *path, char *pin, size_t size,
				  struct kesu_err *err)
{
	enum kesu_rc rc = kesu_key_file_check(path, err);
	if (rc)
		return kesu_err_prefix(err, "PIN file: ");
	char *text;
	size_t len;
	if ((rc = kesu_read_file(path, 256, &text, &len, err)))
		return kesu_err_prefix(err, "PIN file %s: ", path);
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	bool ok = len > 0 && strlen(text) == len && len < size;
	if (ok)
		memcpy(pin, text, len + 1);
	OPENSSL_cleanse(text, len);
	free(text);
	if (!ok)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "PIN file %s: empty or malformed; write the PIN on "
				 "one line", path);
	return KESU_OK;
}

static enum kesu_rc ask_pin(const char *uri, char *pin, size_t size,
			    struct kesu_err *err)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "no terminal to ask the token PIN on; set pin_file in "
				 "[signing] of kesu.conf");
	struct termios old, quiet;
	bool tty = tcgetattr(fd, &old) == 0;
	if (tty) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	char prompt[600];
	int n = snprintf(prompt, sizeof(prompt), "PIN for %.500s: ", uri);
	if (write(fd, prompt, (size_t)n) < 0) { /* best effort */ }
	size_t len = 0;
	char c;
	while (read(fd, &c, 1) == 1 && c != '\n' && len + 1 < size)
		pin[len++] = c;
	pin[len] = '\0';
	if (tty)
		tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0) { /* best effort */ }
	close(fd);
	if (!len)
		return kesu_fail(err, KESU_ERR_USAGE, 0, "no PIN entered for %s", uri);
	return KESU_OK;
}

/* Loading the engine (the dynamic engine's first ENGINE_by_id) and its
 * MODULE_PATH and PIN controls act on one shared ENGINE: two threads doing
 * it at once (two bays of a station finishing together) made one of them
 * fail with "no such engine".  One key load at a time. */
static pthread_mutex_t engine_lock = PTHREAD_MUTEX_INITIALIZER;

static enum kesu_rc load_key(const char *uri, const char *pin_file, const char *module,
			     EVP_PKEY **out, struct kesu_err *err);

enum kesu_rc kesu_pkcs11_load_key(const char *uri, const char *pin_file,
				  const char *module, EVP_PKEY **out,
				  struct kesu_err *err)
{
	pthread_mutex_lock(&engine_lock);
	enum kesu_rc rc = load_key(uri, pin_file, module, out, err);
	pthread_mutex_unlock(&engine_lock);
	return rc;
}

static enum kesu_rc load_key(const char *uri, const char *pin_file, const char *module,
			     EVP_PKEY **out, struct kesu_err *err)
{
	*out = NULL;
	char pin[128];
	enum kesu_rc rc = pin_file && pin_file[0]
		? read_pin_file(pin_file, pin, sizeof(pin), err)
		: ask_pin(uri, pin, sizeof(pin), err);
	if (rc)
		return rc;
	char why[256];
	ENGINE *e = ENGINE_by_id("pkcs11");
	if (!e) {
		OPENSSL_cleanse(pin, sizeof(pin));
		kesu_openssl_error(why, sizeof(why));
		return kesu_fail(err, KESU_ERR_NOTSUP, 0,
				 "OpenSSL pkcs11 engine not available (%s); install "
				 "libengine-pkcs11-openssl", why);
	}
	bool ok = (!module || !module[0] ||
		   ENGINE_ctrl_cmd_string(e, "MODULE_PATH", module, 0)) &&
		  ENGINE_ctrl_cmd_string(e, "PIN", pin, 0) && ENGINE_init(e);
	OPENSSL_cleanse(pin, sizeof(pin));
	if (!ok) {
		kesu_openssl_error(why, sizeof(why));
		ENGINE_free(e);
		return kesu_fail(err, KESU_ERR_CRYPTO, 0,
				 "cannot start the pkcs11 engine (%s); check "
				 "pkcs11_module in kesu.conf", why);
	}
	EVP_PKEY *k = ENGINE_load_private_key(e, uri, NULL, NULL);
	if (!k)
		kesu_openssl_error(why, sizeof(why));
	/* The key keeps its own reference to the engine. */
	ENGINE_finish(e);
	ENGINE_free(e);
	if (!k)
		return kesu_fail(err, KESU_ERR_CRYPTO, 0,
				 "cannot load key %s from the token (%s); check the "
				 "URI (p11tool --list-privkeys) and the PIN", uri, why);
	*out = k;
	return KESU_OK;
}
