/* Strict field access for the JSON documents kesu must trust only after
 * checking: certificates, run records, register lines.  Every accessor names
 * the field by its path ("asset.reason") in the error, so a rejected file says
 * exactly what is wrong with it. */
#ifndef KESU_JCHECK_H
#define KESU_JCHECK_H

#include "lib/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* o must be an object whose keys are all in `allowed` (NULL-terminated). */
enum kesu_rc kj_keys(const json_t *o, const char *where,
		     const char *const *allowed, struct kesu_err *err);

/* A clean (strutil.h) string of at most max bytes; with nullable, JSON null
 * gives *out = NULL.  A missing key is always an error. */
enum kesu_rc kj_str(const json_t *o, const char *where, const char *key,
		    bool nullable, size_t max, const char **out,
		    struct kesu_err *err);

/* A string that is one of vals (NULL-terminated). */
enum kesu_rc kj_enum(const json_t *o, const char *where, const char *key,
		     const char *const *vals, const char **out,
		     struct kesu_err *err);

enum kesu_rc kj_int(const json_t *o, const char *where, const char *key,
		    int64_t min, int64_t max, int64_t *out, struct kesu_err *err);

enum kesu_rc kj_bool(const json_t *o, const char *where, const char *key,
		     bool *out, struct kesu_err *err);

/* An object (or null when nullable: *out = NULL). */
enum kesu_rc kj_obj(const json_t *o, const char *where, const char *key,
		    bool nullable, json_t **out, struct kesu_err *err);

enum kesu_rc kj_arr(const json_t *o, const char *where, const char *key,
		    size_t max_items, json_t **out, struct kesu_err *err);

/* An RFC 3339 time (timefmt.h); nullable gives *out = 0 and *s = NULL. */
enum kesu_rc kj_time(const json_t *o, const char *where, const char *key,
		     bool nullable, time_t *out, const char **s,
		     struct kesu_err *err);

/* Lowercase hex of exactly len characters. */
enum kesu_rc kj_hex(const json_t *o, const char *where, const char *key,
		    size_t len, const char **out, struct kesu_err *err);

/* The head every signed kesu document but the certificate starts with
 * (approval, custody, destruction): o's keys all in allowed, "schema"
 * exactly schema, "kind" exactly kind, "id" a lowercase UUID, "issued_at"
 * an RFC 3339 time. */
enum kesu_rc kj_doc_head(const json_t *o, const char *const *allowed, const char *schema,
			 const char *kind, struct kesu_err *err);

/* Load one document of at most max bytes with no key given twice, and keep
 * it only if check accepts it.  what/kind name it in the size error: "what
 * larger than max bytes; not a kesu kind". */
enum kesu_rc kj_load(const char *buf, size_t len, size_t max, const char *what,
		     const char *kind, enum kesu_rc (*check)(const json_t *, struct kesu_err *),
		     json_t **out, struct kesu_err *err);

/* A lowercase RFC 4122 UUID string. */
bool kj_is_uuid(const char *s);

/* True if buf parses as a JSON object whose "schema" is exactly schema:
 * which kind of document a file holds, before it is checked as one. */
bool kj_has_schema(const char *buf, size_t len, const char *schema);

/* doc as json_dumps(doc, flags) writes it, with a newline after the last
 * line, as the documents kesu writes are stored; *len (when len is not
 * NULL) is its length.  NULL when out of memory; the caller frees it. */
char *kj_dumps_line(const json_t *doc, size_t flags, size_t *len);

/* The member at a dotted path ("device.serial"; keys up to 63 bytes),
 * or NULL where any step is missing or not an object. */
const json_t *kj_at(const json_t *o, const char *path);

#endif
