#include "certs/document/countersign.h"
#include "certs/sign/cms_unanchored.h"
#include "certs/sign/role.h"
#include "lib/fileio.h"
#include "lib/strutil.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SIG_MAX (1u << 20)

int kesu_countersign_role_bits(const char *role)
{
	if (!strcmp(role, "witness"))
		return KESU_ROLE_WITNESS;
	if (!strcmp(role, "city"))
		return KESU_ROLE_CITY;
	if (!strcmp(role, "receiver"))
		return 0;
	return -1;
}

static enum kesu_rc verify_own(const char *path, const char *data, size_t len,
			       const struct kesu_trust *t, struct kesu_err *err)
{
	char sp[PATH_MAX], *sig;
	size_t slen;
	struct kesu_sig_info info;
	if ((size_t)snprintf(sp, sizeof(sp), "%s.p7s", path) >= sizeof(sp))
		return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", path);
	enum kesu_rc rc = kesu_read_file(sp, SIG_MAX, &sig, &slen, err);
	if (rc)
		return kesu_err_prefix(err, "nothing to countersign: ");
	rc = kesu_cms_verify_trust(data, len, sig, slen, t, &info, err);
	free(sig);
	return rc ? kesu_err_prefix(err, "%s: its own signature does not verify; "
				   "not countersigned: ", path) : KESU_OK;
}

enum kesu_rc kesu_countersign_file(struct kesu_signer *s, const char *path,
				   const char *role, const struct kesu_trust *t,
				   char *out, size_t size, struct kesu_err *err)
{
	int bits = kesu_countersign_role_bits(role);
	if (bits < 0)
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "countersign: unknown role '%s'; use witness, city "
				 "or receiver", role);
	if (bits && !(kesu_cert_roles(kesu_signer_x509(s)) & (unsigned)bits))
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "countersign: the signing certificate was not issued "
				 "for the %s role (certs/ca/issue-role.sh %s)", role, role);
	char *data = NULL;
	size_t len;
	enum kesu_rc rc = kesu_read_file(path, SIG_MAX, &data, &len, err);
	if (rc || (rc = verify_own(path, data, len, t, err)))
		goto out;
	for (int n = 1; n <= KESU_COUNTERSIG_MAX; n++) {
		if ((size_t)snprintf(out, size, "%s.%s-%d.p7s", path, role, n) >= size) {
			rc = kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", path);
			goto out;
		}
		if (access(out, F_OK) == 0)
			continue;
		unsigned char *der;
		size_t derlen;
		if (!(rc = kesu_signer_sign(s, data, len, &der, &derlen, err))) {
			rc = kesu_write_atomic(out, der, derlen, 0644, err);
			free(der);
		}
		goto out;
	}
	rc = kesu_fail(err, KESU_ERR_USAGE, 0, "%s: already %d %s countersignatures",
		       path, KESU_COUNTERSIG_MAX, role);
out:
	free(data);
	return rc;
}

/* "<base>.<role>-<n>.p7s" -> role; false for any other name. */
static bool parse_name(const char *name, const char *base, char *role, size_t size)
{
	size_t bl = strlen(base);
	if (strncmp(name, base, bl) || name[bl] != '.')
		return false;
	const char *r = name + bl + 1, *dash = strrchr(r, '-');
	size_t nl = strlen(name);
	if (!dash || nl < 4 || strcmp(name + nl - 4, ".p7s") || (size_t)(dash - r) >= size)
		return false;
	for (const char *p = dash + 1; p < name + nl - 4; p++)
		if (*p < '0' || *p > '9')
			return false;
	if (dash + 1 == name + nl - 4)
		return false;
	memcpy(role, r, (size_t)(dash - r));
	role[dash - r] = '\0';
	return true;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct kesu_countersig *)a)->file,
		      ((const struct kesu_countersig *)b)->file);
}

static void verify_one(const char *dir, const void *data, size_t len,
		       const struct kesu_trust *t, struct kesu_countersig *c)
{
	char p[PATH_MAX], *sig;
	size_t slen;
	struct kesu_err e = {0};
	int bits = kesu_countersign_role_bits(c->role);
	if (bits < 0) {
		snprintf(c->error, sizeof(c->error), "'%s' is not a countersigning role", c->role);
		return;
	}
	if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, c->file) >= sizeof(p)) {
		snprintf(c->error, sizeof(c->error), "path too long");
		return;
	}
	if (kesu_read_file(p, SIG_MAX, &sig, &slen, &e)) {
		kesu_strlcpy(c->error, e.msg, sizeof(c->error));
		return;
	}
	enum kesu_rc rc;
	if (t) {
		struct kesu_trust own = *t;
		own.at = 0;
		rc = kesu_cms_verify_trust(data, len, sig, slen, &own, &c->sig, &e);
	} else {
		rc = kesu_cms_verify_unanchored(data, len, sig, slen, c->sig.signer_subject,
						sizeof(c->sig.signer_subject), &e);
	}
	free(sig);
	if (rc)
		kesu_strlcpy(c->error, e.msg, sizeof(c->error));
	else if (t && bits && !(c->sig.roles & (unsigned)bits))
		snprintf(c->error, sizeof(c->error),
			 "signed by %s, whose certificate does not hold the %s role",
			 c->sig.signer_subject, c->role);
	else
		c->ok = true;
}

enum kesu_rc kesu_countersigs_verify(const char *path, const void *data, size_t len,
				     const struct kesu_trust *t,
				     struct kesu_countersigs *out, struct kesu_err *err)
{
	memset(out, 0, sizeof(*out));
	char dir[PATH_MAX];
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (!kesu_path_dirname(path, dir, sizeof(dir)))
		return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", path);
	DIR *d = opendir(dir);
	if (!d)
		return kesu_fail(err, KESU_ERR_IO, errno, "%s: cannot list", dir);
	struct dirent *e;
	while ((e = readdir(d))) {
		char role[16];
		if (!parse_name(e->d_name, base, role, sizeof(role)) ||
		    strlen(e->d_name) >= sizeof(out->cs[0].file))
			continue;
		if (out->n == KESU_COUNTERSIG_MAX) {
			closedir(d);
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "%s: more than %d countersignatures", path,
					 KESU_COUNTERSIG_MAX);
		}
		struct kesu_countersig *c = &out->cs[out->n++];
		kesu_strlcpy(c->file, e->d_name, sizeof(c->file));
		kesu_strlcpy(c->role, role, sizeof(c->role));
	}
	closedir(d);
	qsort(out->cs, out->n, sizeof(out->cs[0]), by_name);
	enum kesu_rc rc = KESU_OK;
	for (size_t i = 0; i < out->n; i++) {
		verify_one(dir, data, len, t, &out->cs[i]);
		if (!out->cs[i].ok && !rc)
			rc = kesu_fail(err, KESU_ERR_CRYPTO, 0, "countersignature %s: %s",
				       out->cs[i].file, out->cs[i].error);
	}
	return rc;
}
