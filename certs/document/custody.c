#include "certs/document/custody.h"
#include "certs/document/signed_doc.h"
#include "lib/jcheck.h"
#include "lib/timefmt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *party(const struct kesu_custody_party *p)
{
	return json_pack("{s:o s:o}", "name", kesu_json_str(p->name ? p->name : ""),
			 "organization", kesu_json_str(p->organization ? p->organization : ""));
}

enum kesu_rc kesu_custody_build(const struct kesu_custody_req *r, const char *id,
				const char *issued_at, json_t **out, struct kesu_err *err)
{
	*out = NULL;
	char at[KESU_TIME_LEN];
	kesu_time_format(r->at, at);
	json_t *serials = json_array();
	for (size_t i = 0; serials && i < r->n_serials; i++)
		json_array_append_new(serials, kesu_json_str(r->serials[i]));
	json_t *d = json_pack("{s:s s:s s:s s:s s:o s:o s:o s:s s:o s:o s:s s:o}",
		"schema", KESU_CUSTODY_SCHEMA, "kind", "custody", "id", id,
		"issued_at", issued_at, "serials", serials, "from", party(&r->from),
		"to", party(&r->to), "at", at, "place", kesu_json_str(r->place ? r->place : ""),
		"seal", r->seal && r->seal[0] ? kesu_json_str(r->seal) : json_null(),
		"purpose", r->destruction ? "destruction" : "transfer",
		"reference", r->reference && r->reference[0] ? kesu_json_str(r->reference)
							     : json_null());
	return kesu_doc_built(d, kesu_custody_check, "custody", out, err);
}

static enum kesu_rc check_party(const json_t *d, const char *key, struct kesu_err *err)
{
	static const char *const keys[] = {"name", "organization", NULL};
	json_t *p;
	const char *name, *org;
	enum kesu_rc rc;
	if ((rc = kj_obj(d, "", key, false, &p, err)) || (rc = kj_keys(p, key, keys, err)) ||
	    (rc = kj_str(p, key, "name", false, KESU_STR_MAX, &name, err)) ||
	    (rc = kj_str(p, key, "organization", false, KESU_STR_MAX, &org, err)))
		return rc;
	if (kesu_text_is_blank(name) || kesu_text_is_blank(org))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "%s: blank name or organization", key);
	return KESU_OK;
}

enum kesu_rc kesu_custody_check(const json_t *d, struct kesu_err *err)
{
	static const char *const keys[] = {"schema", "kind", "id", "issued_at", "serials",
		"from", "to", "at", "place", "seal", "purpose", "reference", NULL};
	static const char *const purposes[] = {"transfer", "destruction", NULL};
	const char *place;
	json_t *serials, *s;
	time_t t;
	size_t i;
	enum kesu_rc rc;
	if ((rc = kj_doc_head(d, keys, KESU_CUSTODY_SCHEMA, "custody", err)) ||
	    (rc = kj_arr(d, "", "serials", KESU_CUSTODY_MAX_SERIALS, &serials, err)) ||
	    (rc = check_party(d, "from", err)) || (rc = check_party(d, "to", err)) ||
	    (rc = kj_time(d, "", "at", false, &t, NULL, err)) ||
	    (rc = kj_str(d, "", "place", false, KESU_STR_MAX, &place, err)) ||
	    (rc = kj_str(d, "", "seal", true, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_enum(d, "", "purpose", purposes, NULL, err)) ||
	    (rc = kj_str(d, "", "reference", true, KESU_STR_MAX, NULL, err)))
		return rc;
	if (!json_array_size(serials))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "serials: no medium handed over");
	json_array_foreach(serials, i, s) {
		const char *v = json_string_value(s);
		if (!v || !kesu_is_clean(v) || strlen(v) != json_string_length(s) ||
		    strlen(v) > KESU_STR_MAX || kesu_text_is_blank(v))
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "serials[%zu]: not a clean, non-blank string", i);
	}
	if (kesu_text_is_blank(place))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "place is blank");
	const char *fo = json_string_value(json_object_get(json_object_get(d, "from"), "organization"));
	const char *to = json_string_value(json_object_get(json_object_get(d, "to"), "organization"));
	if (!strcmp(fo, to))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "from and to are the same party (%s): not a hand-over", fo);
	return KESU_OK;
}

static int by_time(const void *a, const void *b)
{
	const struct kesu_custody_hop *x = a, *y = b;
	return x->at < y->at ? -1 : x->at > y->at;
}

static void gap(struct kesu_custody_gaps *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void gap(struct kesu_custody_gaps *g, const char *fmt, ...)
{
	if (g->n == KESU_CUSTODY_MAX_GAPS)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g->gap[g->n++], sizeof(g->gap[0]), fmt, ap);
	va_end(ap);
}

void kesu_custody_chain(struct kesu_custody_hop *hops, size_t n, const char *origin_org,
			struct kesu_custody_gaps *g)
{
	memset(g, 0, sizeof(*g));
	g->holder = origin_org;
	if (!n) {
		gap(g, "no hand-over recorded: the medium never left %s",
		    origin_org ? origin_org : "its first holder");
		return;
	}
	qsort(hops, n, sizeof(*hops), by_time);
	for (size_t i = 0; i < n; i++) {
		const struct kesu_custody_hop *h = &hops[i];
		char at[KESU_TIME_LEN];
		kesu_time_format(h->at, at);
		if (g->destroyed)
			gap(g, "hand-over %s at %s from %s after the medium was handed "
			       "over for destruction", h->id, at, h->from_org);
		else if (g->holder && strcmp(h->from_org, g->holder))
			gap(g, "hand-over %s at %s is from %s, which did not hold the "
			       "medium (%s did)", h->id, at, h->from_org, g->holder);
		if (!h->received)
			gap(g, "hand-over %s at %s from %s to %s is not acknowledged by "
			       "the receiver", h->id, at, h->from_org, h->to_org);
		g->holder = h->to_org;
		g->destroyed = g->destroyed || h->destruction;
	}
	if (!g->destroyed)
		gap(g, "the chain does not end at destruction: %s holds the medium",
		    g->holder);
}

void kesu_custody_settle(const struct kesu_custody_hop *hops, size_t n,
			 const struct kesu_custody_destruction *d, struct kesu_custody_gaps *g,
			 struct kesu_custody_status *s)
{
	memset(s, 0, sizeof(*s));
	const char *holder = g->holder ? g->holder : "its first holder";
	char since[KESU_TIME_LEN] = "", at[KESU_TIME_LEN] = "";
	/* The hand-over that gave the holder the medium: the chain's last. */
	time_t handed = n ? hops[n - 1].at : 0;
	if (n)
		kesu_time_format(handed, since);
	if (d->id)
		kesu_time_format(d->at, at);
	if (d->id && !g->destroyed)
		gap(g, "destruction %s is registered at %s, but custody never reached the "
		       "destroyer: %s holds the medium", d->id, at, holder);
	else if (d->id && d->at < handed)
		gap(g, "destruction %s is registered at %s, before the medium was handed "
		       "over for destruction at %s", d->id, at, since);
	else if (d->id) {
		s->closed = true;
		snprintf(s->text, sizeof(s->text), "closed: destroyed (destruction %s "
			 "registered at %s), last held by %s", d->id, at, holder);
		return;
	}
	if (n)
		snprintf(s->text, sizeof(s->text), "open: in custody of %s since %s, not "
			 "destroyed", holder, since);
	else
		snprintf(s->text, sizeof(s->text), "open: in custody of %s, not destroyed",
			 holder);
}

enum kesu_rc kesu_custody_parse(const char *buf, size_t len, json_t **out,
				struct kesu_err *err)
{
	return kesu_doc_parse(buf, len, kesu_custody_check, out, err);
}
