#include "certs/document/cert_info.h"
#include "lib/strutil.h"

#include <string.h>

/* One table for the string fields: JSON key, command-line option, where. */
struct field {
	const char *key, *opt;
	size_t off, size;
};
#define F(k, o, m) {k, o, offsetof(struct kesu_cert_info, m), sizeof(((struct kesu_cert_info *)0)->m)}
static const struct field FIELDS[] = {
	F("operator", "operator", operator_name),
	F("title", "title", operator_title),
	F("organization", "organization", operator_organization),
	F("contact", "contact", operator_contact),
	F("location", "location", location),
	F("customer", "customer", customer),
	F("asset", "asset", property_number),
	F("reason", "reason", reason),
	F("destination", "destination", destination),
	F("approver", "approver", approver),
	F("approval_reference", "approval-ref", approval_reference),
	F("approval_date", "approval-date", approval_date),
};
#undef F
#define NFIELDS (sizeof(FIELDS) / sizeof(FIELDS[0]))

static const char *str_at(const struct kesu_cert_info *i, const struct field *f)
{
	return (const char *)i + f->off;
}

json_t *kesu_cert_info_to_json(const struct kesu_cert_info *info)
{
	json_t *j = json_object();
	for (size_t k = 0; k < NFIELDS; k++)
		json_object_set_new(j, FIELDS[k].key, json_string(str_at(info, &FIELDS[k])));
	json_object_set_new(j, "class", json_integer(info->confidentiality_class));
	json_object_set_new(j, "my_number", json_boolean(info->my_number));
	json_t *w = json_array();
	for (size_t k = 0; k < info->n_witnesses; k++)
		json_array_append_new(w, json_pack("{s:s, s:s}", "name", info->witnesses[k].name,
						   "organization",
						   info->witnesses[k].organization));
	json_object_set_new(j, "witnesses", w);
	return j;
}

static enum kesu_rc bad(struct kesu_err *err, const char *what)
{
	return kesu_fail(err, KESU_ERR_INVALID, 0,
			 "checkpoint: certificate details: %s is missing or malformed", what);
}

static bool copy_str(const json_t *v, char *dst, size_t size)
{
	const char *s = json_string_value(v);
	return s && kesu_is_clean(s) && kesu_strlcpy(dst, s, size);
}

enum kesu_rc kesu_cert_info_from_json(const json_t *j, struct kesu_cert_info *info,
				      struct kesu_err *err)
{
	memset(info, 0, sizeof(*info));
	/* A checkpoint written before "location" existed has one key less:
	 * its run is resumed without a work location, as it was started. */
	bool old = !json_object_get(j, "location");
	if (!json_is_object(j) || json_object_size(j) != NFIELDS + 3 - old)
		return bad(err, "the object");
	for (size_t k = 0; k < NFIELDS; k++)
		if (!(old && !strcmp(FIELDS[k].key, "location")) &&
		    !copy_str(json_object_get(j, FIELDS[k].key), (char *)info + FIELDS[k].off,
			      FIELDS[k].size))
			return bad(err, FIELDS[k].key);
	const json_t *c = json_object_get(j, "class"), *m = json_object_get(j, "my_number"),
		     *w = json_object_get(j, "witnesses");
	if (!json_is_integer(c) || json_integer_value(c) < 0 || json_integer_value(c) > 3)
		return bad(err, "class");
	info->confidentiality_class = (int)json_integer_value(c);
	if (!json_is_boolean(m))
		return bad(err, "my_number");
	info->my_number = json_is_true(m);
	if (!json_is_array(w) || json_array_size(w) > KESU_CERT_MAX_WITNESSES)
		return bad(err, "witnesses");
	for (size_t k = 0; k < json_array_size(w); k++) {
		const json_t *p = json_array_get(w, k);
		if (!json_is_object(p) || json_object_size(p) != 2 ||
		    !copy_str(json_object_get(p, "name"), info->witnesses[k].name,
			      sizeof(info->witnesses[k].name)) ||
		    !copy_str(json_object_get(p, "organization"), info->witnesses[k].organization,
			      sizeof(info->witnesses[k].organization)))
			return bad(err, "witnesses");
	}
	info->n_witnesses = json_array_size(w);
	return KESU_OK;
}

const char *kesu_cert_info_conflict(const struct kesu_cert_info *saved,
				    const struct kesu_cert_info *given)
{
	for (size_t k = 0; k < NFIELDS; k++) {
		const char *g = str_at(given, &FIELDS[k]);
		if (g[0] && strcmp(g, str_at(saved, &FIELDS[k])))
			return FIELDS[k].opt;
	}
	if (given->confidentiality_class &&
	    given->confidentiality_class != saved->confidentiality_class)
		return "class";
	if (given->my_number && !saved->my_number)
		return "my-number";
	if (given->n_witnesses) {
		if (given->n_witnesses != saved->n_witnesses)
			return "witness";
		for (size_t k = 0; k < given->n_witnesses; k++)
			if (strcmp(given->witnesses[k].name, saved->witnesses[k].name) ||
			    strcmp(given->witnesses[k].organization,
				   saved->witnesses[k].organization))
				return "witness";
	}
	return NULL;
}
