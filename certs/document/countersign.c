#include "certs/document/countersign.h"
#include "certs/sign/cms_unanchored.h"
#include "certs/sign/role.h"
#include "lib/fileio.h"
#include "lib/strutil.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

struct kesu_cosign_listing {
	char dir[PATH_MAX];
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
	bool have;
	char **names; /* sorted */
	size_t n;
};

enum kesu_rc kesu_cosign_listing_new(struct kesu_cosign_listing **out, struct kesu_err *err)
{
	*out = calloc(1, sizeof(**out));
	return *out ? KESU_OK : kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
}

static void listing_drop(struct kesu_cosign_listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	l->names = NULL;
	l->n = 0;
	l->have = false;
}

void kesu_cosign_listing_free(struct kesu_cosign_listing *l)
{
	if (!l)
		return;
	listing_drop(l);
	free(l);
}

/* "<anything>-<digits>.p7s": what parse_name can accept for some base.  A
 * document's own "X.json.p7s" has no dash-number and is left out, so the
 * listing of a directory of 100,000 certificates is only their
 * countersignatures. */
static bool cosign_shaped(const char *name)
{
	size_t nl = strlen(name);
	if (nl < 7 || strcmp(name + nl - 4, ".p7s"))
		return false;
	const char *p = name + nl - 4;
	size_t digits = 0;
	while (p > name && p[-1] >= '0' && p[-1] <= '9') {
		p--;
		digits++;
	}
	return digits && p > name && p[-1] == '-';
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* l holds dir's names, listed now unless it already did and the directory
 * has not changed since.  False (l emptied) when it cannot be listed. */
static bool listing_fill(struct kesu_cosign_listing *l, const char *dir)
{
	struct stat st;
	if (stat(dir, &st) != 0) {
		listing_drop(l);
		return false;
	}
	if (l->have && !strcmp(l->dir, dir) && l->dev == st.st_dev && l->ino == st.st_ino &&
	    l->mtime.tv_sec == st.st_mtim.tv_sec && l->mtime.tv_nsec == st.st_mtim.tv_nsec)
		return true;
	listing_drop(l);
	if (strlen(dir) >= sizeof(l->dir))
		return false;
	DIR *d = opendir(dir);
	if (!d)
		return false;
	size_t cap = 0;
	bool ok = true;
	struct dirent *e;
	while (ok && (e = readdir(d))) {
		if (!cosign_shaped(e->d_name))
			continue;
		if (l->n == cap) {
			size_t nc = cap ? 2 * cap : 64;
			char **v = realloc(l->names, nc * sizeof(*v));
			if (!v) {
				ok = false;
				break;
			}
			l->names = v;
			cap = nc;
		}
		if (!(l->names[l->n] = strdup(e->d_name)))
			ok = false;
		else
			l->n++;
	}
	closedir(d);
	if (!ok) {
		listing_drop(l);
		return false;
	}
	if (l->n > 1) /* qsort wants a non-null base even for no names */
		qsort(l->names, l->n, sizeof(*l->names), by_str);
	snprintf(l->dir, sizeof(l->dir), "%s", dir);
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	l->mtime = st.st_mtim;
	l->have = true;
	return true;
}

/* name is a countersignature of base: add it to out.  False when out is
 * full. */
static bool add_cosign(struct kesu_countersigs *out, const char *name, const char *base)
{
	char role[16];
	if (!parse_name(name, base, role, sizeof(role)) || strlen(name) >= sizeof(out->cs[0].file))
		return true;
	if (out->n == KESU_COUNTERSIG_MAX)
		return false;
	struct kesu_countersig *c = &out->cs[out->n++];
	kesu_strlcpy(c->file, name, sizeof(c->file));
	kesu_strlcpy(c->role, role, sizeof(c->role));
	return true;
}

/* Every name beginning "<base>." from the sorted listing. */
static bool from_listing(const struct kesu_cosign_listing *l, const char *base,
			 struct kesu_countersigs *out)
{
	char prefix[NAME_MAX + 2];
	size_t pl = (size_t)snprintf(prefix, sizeof(prefix), "%s.", base);
	if (pl >= sizeof(prefix))
		return true; /* no file name is that long */
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(l->names[mid], prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < l->n && !strncmp(l->names[i], prefix, pl); i++)
		if (!add_cosign(out, l->names[i], base))
			return false;
	return true;
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
	bool room = true;
	if (t && t->listing && listing_fill(t->listing, dir)) {
		room = from_listing(t->listing, base, out);
	} else {
		DIR *d = opendir(dir);
		if (!d)
			return kesu_fail(err, KESU_ERR_IO, errno, "%s: cannot list", dir);
		struct dirent *e;
		while (room && (e = readdir(d)))
			room = add_cosign(out, e->d_name, base);
		closedir(d);
	}
	if (!room)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "%s: more than %d countersignatures",
				 path, KESU_COUNTERSIG_MAX);
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
