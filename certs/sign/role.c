#include "certs/sign/role.h"
#include "lib/strutil.h"

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *suffix;
	unsigned role;
	const char *name;
} ROLES[] = {
	{".1", KESU_ROLE_APPROVER, "approver"},
	{".2", KESU_ROLE_WITNESS, "witness"},
	{".3", KESU_ROLE_CITY, "city"},
};
#define NROLES (sizeof(ROLES) / sizeof(ROLES[0]))

unsigned kesu_roles_from_oids(const char *const *oids, size_t n)
{
	size_t arc = strlen(KESU_ROLE_ARC);
	unsigned roles = 0;
	for (size_t i = 0; i < n; i++) {
		if (!oids[i] || strncmp(oids[i], KESU_ROLE_ARC, arc))
			continue;
		/* Exact match only: ARC.10 or ARC.1.5 is not the approver. */
		for (size_t r = 0; r < NROLES; r++)
			if (!strcmp(oids[i] + arc, ROLES[r].suffix))
				roles |= ROLES[r].role;
	}
	return roles;
}

unsigned kesu_cert_roles(void *cert)
{
	X509 *x = cert;
	int crit = 0;
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL);
	if (!eku)
		return 0;
	unsigned roles = 0;
	for (int i = 0; i < sk_ASN1_OBJECT_num(eku) && i < 32; i++) {
		char buf[128];
		int n = OBJ_obj2txt(buf, sizeof(buf), sk_ASN1_OBJECT_value(eku, i), 1);
		if (n <= 0 || (size_t)n >= sizeof(buf))
			continue;
		const char *one = buf;
		roles |= kesu_roles_from_oids(&one, 1);
	}
	EXTENDED_KEY_USAGE_free(eku);
	return roles;
}

const char *kesu_role_name(unsigned role)
{
	for (size_t r = 0; r < NROLES; r++)
		if (ROLES[r].role == role)
			return ROLES[r].name;
	return NULL;
}

unsigned kesu_role_parse(const char *name)
{
	for (size_t r = 0; r < NROLES; r++)
		if (name && !strcmp(name, ROLES[r].name))
			return ROLES[r].role;
	return 0;
}

void kesu_roles_format(unsigned roles, char *buf, size_t size)
{
	size_t n = 0;
	if (!size)
		return;
	buf[0] = '\0';
	for (size_t r = 0; r < NROLES; r++) {
		if (!(roles & ROLES[r].role))
			continue;
		int k = snprintf(buf + n, size - n, "%s%s", n ? "+" : "", ROLES[r].name);
		if (k < 0 || (size_t)k >= size - n)
			return;
		n += (size_t)k;
	}
	if (!n)
		snprintf(buf, size, "operator");
}

void kesu_cert_common_name(void *cert, char *buf, size_t size)
{
	X509_NAME *name = X509_get_subject_name(cert);
	int idx = name ? X509_NAME_get_index_by_NID(name, NID_commonName, -1) : -1;
	unsigned char *utf8 = NULL;
	int n = idx >= 0 ? ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(
						  X509_NAME_get_entry(name, idx))) : -1;
	if (size)
		buf[0] = '\0';
	if (n > 0 && size)
		kesu_clean(buf, size, utf8, (size_t)n);
	OPENSSL_free(utf8);
}

enum kesu_rc kesu_cert_pem_sha256(const char *path, char out[65], struct kesu_err *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return kesu_fail(err, KESU_ERR_NOENT, errno, "%s: cannot open", path);
	X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	unsigned char md[32];
	unsigned int n = 0;
	bool ok = x && X509_digest(x, EVP_sha256(), md, &n) && n == sizeof(md);
	X509_free(x);
	if (!ok)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "%s: not a PEM certificate", path);
	kesu_hex_encode(md, n, out);
	return KESU_OK;
}
