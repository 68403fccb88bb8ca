/* kesu key new: a signing key and a certificate signing request for the CA
 * (certs/ca/), made with OpenSSL's APIs so no shell is involved. */
#include "cli/cli.h"
#include "cli/opts.h"
#include "lib/i18n.h"
#include "lib/strutil.h"
#include "lib/fileio.h"
#include "certs/sign/signer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { OPT_SUBJECT, OPT_OUT, OPT_TYPE };
static const struct kesu_opt key_opts[] = {
	[OPT_SUBJECT] = {"subject", 0, "DN", N_("the certificate subject, '/C=JP/O=ORG/CN=NAME'")},
	[OPT_OUT] = {"out", 0, "DIR", N_("where the key and request go (default .)")},
	[OPT_TYPE] = {"type", 0, "ec|rsa", N_("ECDSA P-256 (default) or RSA 3072")},
	KESU_OPT_HELP,
	KESU_OPT_END,
};

static void usage(FILE *out)
{
	fputs(_("Usage: kesu key new --subject '/C=JP/O=ORG/CN=NAME' [--out DIR] [--type ec|rsa]\n\n"
		"Write DIR/kesu-signing.key (mode 0600; ECDSA P-256 or RSA 3072) and\n"
		"DIR/kesu-signing.csr for the CA to certify (certs/ca/issue-operator.sh).\n"
		"An existing key is never overwritten.\n\n"), out);
	kesu_opts_print(out, key_opts);
}

struct key_args {
	const char *subject, *out, *type;
};

static enum kesu_rc key_opt(void *ud, const struct kesu_opt *opt, const char *arg)
{
	struct key_args *a = ud;
	switch (KESU_OPT_ID(opt, key_opts)) {
	case OPT_SUBJECT: a->subject = arg; break;
	case OPT_OUT: a->out = arg; break;
	case OPT_TYPE: a->type = arg; break;
	}
	return KESU_OK;
}

/* "/C=JP/O=Example City/CN=山田 太郎" -> X509_NAME; values are UTF-8. */
static X509_NAME *parse_subject(const char *s)
{
	if (s[0] != '/')
		return NULL;
	X509_NAME *n = X509_NAME_new();
	char *copy = strdup(s + 1), *save = NULL;
	bool ok = n && copy;
	for (char *part = ok ? strtok_r(copy, "/", &save) : NULL; part && ok;
	     part = strtok_r(NULL, "/", &save)) {
		char *eq = strchr(part, '=');
		if (!eq || eq == part || !eq[1]) {
			ok = false;
			break;
		}
		*eq = '\0';
		ok = X509_NAME_add_entry_by_txt(n, part, MBSTRING_UTF8,
						(unsigned char *)eq + 1, -1, -1, 0);
	}
	free(copy);
	if (!ok || !n || X509_NAME_entry_count(n) == 0) {
		X509_NAME_free(n);
		return NULL;
	}
	return n;
}

/* The new private key, written once and never over an existing one, and
 * its certificate request for the CA, both in out. */
static enum kesu_rc write_key_and_request(const char *out, const char *type,
					  X509_NAME *name, struct kesu_err *err)
{
	enum kesu_rc rc = kesu_mkdir_p(out, 0700, err);
	char kpath[PATH_MAX], cpath[PATH_MAX], why[256];
	EVP_PKEY *key = NULL;
	X509_REQ *req = NULL;
	FILE *kf = NULL, *cf = NULL;
	int fd = -1;
	if (rc)
		goto fail;
	snprintf(kpath, sizeof(kpath), "%s/kesu-signing.key", out);
	snprintf(cpath, sizeof(cpath), "%s/kesu-signing.csr", out);
	key = !strcmp(type, "ec") ? EVP_EC_gen("P-256") : EVP_RSA_gen(3072);
	req = X509_REQ_new();
	if (!key || !req || !X509_REQ_set_version(req, 0) ||
	    !X509_REQ_set_subject_name(req, name) || !X509_REQ_set_pubkey(req, key) ||
	    !X509_REQ_sign(req, key, EVP_sha256())) {
		kesu_openssl_error(why, sizeof(why));
		rc = kesu_fail(err, KESU_ERR_CRYPTO, 0, "cannot make the key or request: %s", why);
		goto fail;
	}
	fd = open(kpath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = kesu_fail(err, errno == EEXIST ? KESU_ERR_USAGE : KESU_ERR_IO, errno,
			       "%s: %s; an existing key is never overwritten: choose "
			       "another --out", kpath, strerror(errno));
		goto fail;
	}
	if (fchmod(fd, 0600) != 0 || !(kf = fdopen(fd, "w"))) {
		rc = kesu_fail(err, KESU_ERR_IO, errno, "%s: %s", kpath, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (!PEM_write_PrivateKey(kf, key, NULL, NULL, 0, NULL, NULL) || fflush(kf) ||
	    fsync(fileno(kf))) {
		rc = kesu_fail(err, KESU_ERR_IO, errno, "%s: write failed", kpath);
		goto fail;
	}
	cf = fopen(cpath, "we");
	if (!cf || !PEM_write_X509_REQ(cf, req) || fflush(cf) || fsync(fileno(cf))) {
		rc = kesu_fail(err, KESU_ERR_IO, errno, "%s: write failed", cpath);
		goto fail;
	}
	printf("%s\n%s\n", kpath, cpath);
fail:
	if (kf)
		fclose(kf);
	if (cf)
		fclose(cf);
	if (fd >= 0)
		close(fd);
	X509_REQ_free(req);
	EVP_PKEY_free(key);
	return rc;
}

enum kesu_rc cmd_key(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? KESU_ERR_USAGE : KESU_OK;
	}
	if (strcmp(argv[1], "new"))
		return kesu_usage_error("key: unknown subcommand '%s'; use 'key new'", argv[1]);
	static const struct kesu_opt *const tables[] = {key_opts, NULL};
	struct key_args a = {NULL, ".", "ec"};
	const struct kesu_cmd_opts c = {"key new", tables, key_opt, &a, usage};
	int first;
	bool done;
	enum kesu_rc prc = kesu_opts_parse(&c, argc - 1, argv + 1, &first, &done);
	if (prc != KESU_OK || done)
		return prc;
	if (first != argc - 1) {
		char extra[64];
		kesu_clean(extra, sizeof(extra), argv[first + 1], strlen(argv[first + 1]));
		return kesu_usage_error("key new: unexpected argument '%s'", extra);
	}
	const char *subject = a.subject, *out = a.out, *type = a.type;
	if (!subject)
		return kesu_usage_error("key new: give --subject '/C=JP/O=ORG/CN=NAME'");
	if (strcmp(type, "ec") && strcmp(type, "rsa"))
		return kesu_usage_error("key new: --type must be ec or rsa");
	X509_NAME *name = parse_subject(subject);
	if (!name)
		return kesu_usage_error("key new: --subject must look like "
					"'/C=JP/O=ORG/CN=NAME' with known attribute names");
	struct kesu_err err = {0};
	enum kesu_rc rc = write_key_and_request(out, type, name, &err);
	X509_NAME_free(name);
	if (rc)
		kesu_report(&err);
	return rc;
}
