#include "lib/config.h"
#include "lib/fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct field {
	const char *section, *key;
	size_t off, size;
};

#define F(sec, k, member) \
	{sec, k, offsetof(struct kesu_config, member), \
	 sizeof(((struct kesu_config *)0)->member)}
static const struct field FIELDS[] = {
	F("operator", "name", operator_name),
	F("operator", "title", operator_title),
	F("operator", "organization", operator_organization),
	F("operator", "contact", operator_contact),
	F("operator", "location", operator_location),
	F("customer", "name", customer),
	F("signing", "key", key),
	F("signing", "cert", cert),
	F("signing", "pin_file", pin_file),
	F("signing", "pkcs11_module", pkcs11_module),
	F("trust", "ca_file", ca_file),
	F("trust", "tsa_ca_file", tsa_ca_file),
	F("timestamp", "url", tsa_url),
	F("trust", "crl_file", crl_file),
	F("register", "path", register_path),
	F("register", "url", register_url),
	F("register", "open_max_days", open_max_days),
	F("paths", "state_dir", state_dir),
	F("policy", "signed_approval_classes", policy_signed_classes),
	F("policy", "typed_approvers", policy_typed_approvers),
	F("wipe", "queue_depth", queue_depth),
	F("station", "method", station.method),
	F("station", "method_nvme", station.method_nvme),
	F("station", "method_sata", station.method_sata),
	F("station", "method_sas", station.method_sas),
	F("station", "method_usb", station.method_usb),
	F("station", "method_mmc", station.method_mmc),
	F("station", "method_virtio", station.method_virtio),
	F("station", "fallback", station.fallback),
	F("station", "verify", station.verify),
	F("station", "start", station.start),
	F("station", "asset_map", station.asset_map),
	F("station", "approval_ref", station.approval_ref),
	F("station", "approval_date", station.approval_date),
	F("station", "approver", station.approver),
	F("station", "class", station.class_),
	F("station", "reason", station.reason),
	F("station", "pdf", station.pdf),
	F("station", "approval", station.approval),
	F("station", "resume", station.resume),
};
#define NFIELDS (sizeof(FIELDS) / sizeof(FIELDS[0]))

static size_t field_index(const char *section, const char *key)
{
	size_t i;
	for (i = 0; i < NFIELDS - 1; i++)
		if (!strcmp(FIELDS[i].section, section) && !strcmp(FIELDS[i].key, key))
			break;
	return i;
}

static void defaults(struct kesu_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	kesu_strlcpy(cfg->register_path, KESU_REGISTER_DEFAULT, sizeof(cfg->register_path));
	kesu_strlcpy(cfg->state_dir, KESU_STATE_DIR_DEFAULT, sizeof(cfg->state_dir));
	/* Secret-level media (class 3) are erased only on a signed approval
	 * unless the city says otherwise (city-policy.md, art. 20.3). */
	kesu_strlcpy(cfg->policy_signed_classes, "3", sizeof(cfg->policy_signed_classes));
	kesu_strlcpy(cfg->policy_typed_approvers, "yes", sizeof(cfg->policy_typed_approvers));
}

static char *trim(char *s, char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	*end = '\0';
	return s;
}

/* A "[name]" line: the section the keys below it belong to. */
static enum kesu_rc section_line(char *s, const char *name, size_t lineno,
				 char *section, size_t section_size, struct kesu_err *err)
{
	char *close = strchr(s, ']');
	if (!close || close[1])
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s:%zu: malformed section header; write [name]",
				 name, lineno);
	char *sec = trim(s + 1, close);
	bool known = false;
	for (size_t i = 0; i < NFIELDS; i++)
		known |= !strcmp(FIELDS[i].section, sec);
	if (!known)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s:%zu: unknown section [%s]; known: operator "
				 "customer signing trust timestamp register paths policy wipe station",
				 name, lineno, sec);
	kesu_strlcpy(section, sec, section_size);
	return KESU_OK;
}

/* A "key = value" line of a known section, each key set at most once. */
static enum kesu_rc key_line(char *s, const char *name, size_t lineno, const char *section,
			     struct kesu_config *cfg, bool *seen, struct kesu_err *err)
{
	char *eq = strchr(s, '=');
	if (!eq)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s:%zu: expected 'key = value'", name, lineno);
	char *val = trim(eq + 1, s + strlen(s));
	char *key = trim(s, eq);
	if (!section[0])
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s:%zu: '%s' outside any section; put it under "
				 "its [section]", name, lineno, key);
	size_t i;
	for (i = 0; i < NFIELDS; i++)
		if (!strcmp(FIELDS[i].section, section) && !strcmp(FIELDS[i].key, key))
			break;
	if (i == NFIELDS)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s:%zu: unknown key '%s' in [%s]; see kesu.conf(5)",
				 name, lineno, key, section);
	if (seen[i])
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s:%zu: '%s' set twice in [%s]; keep one",
				 name, lineno, key, section);
	seen[i] = true;
	if (!*val)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s:%zu: '%s' has an empty value; remove the line "
				 "or give a value", name, lineno, key);
	if (!kesu_strlcpy((char *)cfg + FIELDS[i].off, val, FIELDS[i].size))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s:%zu: value of '%s' is too long", name, lineno, key);
	if (!strcmp(section, "register") && !strcmp(key, "open_max_days") &&
	    strspn(val, "0123456789") != strlen(val))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s:%zu: [register] open_max_days must be a whole "
				 "number of days", name, lineno);
	if (!strcmp(section, "register") && !strcmp(key, "url") &&
	    strncmp(val, "postgresql://", 13) && strncmp(val, "postgres://", 11))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s:%zu: [register] url must start with "
				 "postgresql://", name, lineno);
	return KESU_OK;
}

enum kesu_rc kesu_config_parse(const char *text, size_t len, const char *name,
			       struct kesu_config *cfg, struct kesu_err *err)
{
	defaults(cfg);
	bool seen[NFIELDS] = {false};
	char section[32] = "";
	size_t lineno = 0, pos = 0;
	while (pos < len) {
		lineno++;
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char line[1024];
		if (n >= sizeof(line))
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "%s:%zu: line longer than %zu bytes; shorten it",
					 name, lineno, sizeof(line) - 1);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + (nl ? 1 : 0);
		if (strlen(line) != n || !kesu_is_clean(trim(line, line + n)))
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "%s:%zu: control characters or invalid UTF-8; "
					 "save the file as UTF-8 text", name, lineno);
		char *s = trim(line, line + strlen(line));
		if (!*s || *s == '#' || *s == ';')
			continue;
		enum kesu_rc rc;
		if (*s == '[')
			rc = section_line(s, name, lineno, section, sizeof(section), err);
		else
			rc = key_line(s, name, lineno, section, cfg, seen, err);
		if (rc)
			return rc;
	}
	/* One register per machine: two settings would leave it to chance
	 * which one a command writes. */
	if (seen[field_index("register", "path")] && seen[field_index("register", "url")])
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s: [register] has both path and url; keep the one "
				 "this machine uses", name);
	return KESU_OK;
}

const char *kesu_config_register(const struct kesu_config *cfg)
{
	return cfg->register_url[0] ? cfg->register_url : cfg->register_path;
}

enum kesu_rc kesu_config_load(const char *path, struct kesu_config *cfg,
			      struct kesu_err *err)
{
	const char *p = path ? path : KESU_CONFIG_DEFAULT;
	if (!path && access(p, F_OK) != 0 && errno == ENOENT) {
		defaults(cfg);
		return KESU_OK;
	}
	char *text;
	size_t len;
	enum kesu_rc rc = kesu_read_file(p, 64 * 1024, &text, &len, err);
	if (rc)
		return kesu_err_prefix(err, "config %s: ", p);
	rc = kesu_config_parse(text, len, p, cfg, err);
	free(text);
	return rc;
}
