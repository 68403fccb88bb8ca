#include "lib/identity.h"

#include <string.h>

static json_t *str_or_null(const char *s)
{
	return s[0] ? kesu_json_str(s) : json_null();
}

json_t *kesu_identity_to_json(const struct kesu_identity *id)
{
	return json_pack("{s:o s:o s:o s:o s:o s:o s:o s:o s:o s:I s:i s:i s:b s:b}",
			 "path", kesu_json_str(id->path),
			 "name", kesu_json_str(id->name),
			 "kind", str_or_null(id->kind),
			 "transport", str_or_null(id->transport),
			 "model", str_or_null(id->model),
			 "vendor", str_or_null(id->vendor),
			 "serial", str_or_null(id->serial),
			 "wwn", str_or_null(id->wwn),
			 "firmware", str_or_null(id->firmware),
			 "size_bytes", (json_int_t)id->size_bytes,
			 "logical_block_size", (int)id->logical_block_size,
			 "physical_block_size", (int)id->physical_block_size,
			 "rotational", id->rotational,
			 "is_file", id->is_file);
}

static enum kesu_rc get_str(const json_t *obj, const char *key, char *dst,
			    size_t dstsz, bool required, struct kesu_err *err)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		if (required)
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "device.%s: missing", key);
		dst[0] = '\0';
		return KESU_OK;
	}
	if (!json_is_string(v))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "device.%s: not a string", key);
	const char *s = json_string_value(v);
	if (json_string_length(v) != strlen(s) || !kesu_is_clean(s) ||
	    !kesu_strlcpy(dst, s, dstsz))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "device.%s: too long or not clean text", key);
	return KESU_OK;
}

static enum kesu_rc get_uint(const json_t *obj, const char *key, uint64_t max,
			     uint64_t *out, struct kesu_err *err)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > max)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "device.%s: missing or not a valid integer", key);
	*out = (uint64_t)json_integer_value(v);
	return KESU_OK;
}

static enum kesu_rc get_bool(const json_t *obj, const char *key, bool *out,
			     struct kesu_err *err)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_boolean(v))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "device.%s: not a boolean", key);
	*out = json_is_true(v);
	return KESU_OK;
}

enum kesu_rc kesu_identity_from_json(const json_t *obj, struct kesu_identity *id,
				     struct kesu_err *err)
{
	memset(id, 0, sizeof(*id));
	if (!json_is_object(obj))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "device: not an object");
	uint64_t lbs, pbs;
	enum kesu_rc rc;
	if ((rc = get_str(obj, "path", id->path, sizeof(id->path), true, err)) ||
	    (rc = get_str(obj, "name", id->name, sizeof(id->name), true, err)) ||
	    (rc = get_str(obj, "kind", id->kind, sizeof(id->kind), false, err)) ||
	    (rc = get_str(obj, "transport", id->transport, sizeof(id->transport), false, err)) ||
	    (rc = get_str(obj, "model", id->model, sizeof(id->model), false, err)) ||
	    (rc = get_str(obj, "vendor", id->vendor, sizeof(id->vendor), false, err)) ||
	    (rc = get_str(obj, "serial", id->serial, sizeof(id->serial), false, err)) ||
	    (rc = get_str(obj, "wwn", id->wwn, sizeof(id->wwn), false, err)) ||
	    (rc = get_str(obj, "firmware", id->firmware, sizeof(id->firmware), false, err)) ||
	    (rc = get_uint(obj, "size_bytes", INT64_MAX, &id->size_bytes, err)) ||
	    (rc = get_uint(obj, "logical_block_size", 1u << 20, &lbs, err)) ||
	    (rc = get_uint(obj, "physical_block_size", 1u << 20, &pbs, err)) ||
	    (rc = get_bool(obj, "rotational", &id->rotational, err)) ||
	    (rc = get_bool(obj, "is_file", &id->is_file, err)))
		return rc;
	id->logical_block_size = (uint32_t)lbs;
	id->physical_block_size = (uint32_t)pbs;
	return KESU_OK;
}

bool kesu_identity_same_medium(const struct kesu_identity *a,
			       const struct kesu_identity *b)
{
	if (a->size_bytes != b->size_bytes || a->is_file != b->is_file)
		return false;
	if (strcmp(a->serial, b->serial) != 0 || strcmp(a->wwn, b->wwn) != 0)
		return false;
	/* Without serial or WWN (loop devices, images) the path is all that
	 * names the medium. */
	if (!a->serial[0] && !a->wwn[0])
		return strcmp(a->path, b->path) == 0;
	return true;
}
