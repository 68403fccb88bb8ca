/* The ledger view of a register (ledger.h): pure. */
#include "certs/register/ledger.h"
#include "certs/register/reg_kinds.h"
#include "lib/i18n.h"
#include "lib/termtext.h"
#include "lib/timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const kesu_ledger_columns[] = {"seq", "time", "kind", "id", "serial",
	"model", "asset", "department", "class", "my_number", "reason", "method",
	"result", "operator", "approver", "witnesses", "destruction", "open", "closes",
	"document", "countersigners", NULL};

static const char *sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* "a.b" paths into a document; NULL when anything is missing. */
static const json_t *path(const json_t *o, const char *p)
{
	char key[64];
	while (o && p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		o = json_object_get(o, key);
		p = dot ? dot + 1 : NULL;
	}
	return o;
}

static const char *pstr(const json_t *o, const char *p)
{
	const char *s = json_string_value(path(o, p));
	return s ? s : "";
}

static bool is_kind(const json_t *l, const char *kind)
{
	const char *k = sget(l, "kind");
	return k && !strcmp(k, kind);
}

static long closer_of(const json_t *lines, const char *id)
{
	size_t i;
	json_t *l;
	json_array_foreach(lines, i, l)
		if (is_kind(l, "destruction") && sget(l, "closes") && !strcmp(sget(l, "closes"), id))
			return (long)i;
	return -1;
}

/* My Number, not My Number, or not known (certificate unreadable). */
enum mn { MN_NO, MN_YES, MN_UNKNOWN };

static enum mn my_number_of(const json_t *doc)
{
	const json_t *b = path(doc, "asset.my_number");
	return json_is_boolean(b) ? (json_is_true(b) ? MN_YES : MN_NO) : MN_UNKNOWN;
}

bool kesu_ledger_is_open(const json_t *lines, const json_t *docs, size_t i,
			 long *closed_by)
{
	const json_t *l = json_array_get(lines, i);
	long c = -1;
	if (l && is_kind(l, "certificate"))
		c = closer_of(lines, sget(l, "cert_id"));
	if (closed_by)
		*closed_by = c;
	return l && is_kind(l, "certificate") && c < 0 &&
	       my_number_of(json_array_get(docs, i)) != MN_NO;
}

static json_t *witnesses_text(const json_t *doc)
{
	char buf[1024] = "";
	size_t n = 0, i;
	json_t *w;
	json_array_foreach(json_object_get(doc, "witnesses"), i, w) {
		const char *org = sget(w, "organization");
		int k = snprintf(buf + n, sizeof(buf) - n, "%s%s%s%s%s", i ? "; " : "",
				 sget(w, "name"), org ? " (" : "", org ? org : "", org ? ")" : "");
		if (k < 0 || (size_t)k >= sizeof(buf) - n)
			break;
		n += (size_t)k;
	}
	return json_string(buf);
}

static void set(json_t *row, const char *k, const char *v)
{
	json_object_set_new(row, k, json_string(v ? v : ""));
}

void kesu_ledger_destroyed_of(const json_t *dline, const json_t *ddoc,
			      struct kesu_ledger_destroyed *out)
{
	const char *tech = sget(dline, "technique"), *by = pstr(ddoc, "destroyed_by.company");
	char date[11];
	snprintf(date, sizeof(date), "%.10s", pstr(ddoc, "destroyed_at"));
	/* One whole sentence per shape, so each translates whole; the parts
	 * in the order the sentence names them. */
	const char *parts[4] = {tech ? tech : "", date, by, pstr(ddoc, "destroyed_by.person")};
	size_t n = 0;
	if (by[0] && date[0])
		out->fmt = N_("destroyed: %s %s by %s (%s)");
	else if (by[0])
		out->fmt = N_("destroyed: %s by %s (%s)");
	else if (date[0])
		out->fmt = N_("destroyed: %s %s");
	else
		out->fmt = N_("destroyed: %s");
	for (size_t i = 0; i < 4; i++)
		if (i == 0 || (i == 1 && date[0]) || (i >= 2 && by[0])) {
			snprintf(out->args[n], sizeof(out->args[0]), "%s", parts[i]);
			kesu_utf8_cut(out->args[n++]);  /* a cut name stays valid JSON */
		}
	while (n < 4)
		out->args[n++][0] = '\0';
}

/* The English words the ledger's rows keep (JSON, CSV). */
static void destroyed_text(const json_t *dline, const json_t *ddoc, char *out, size_t size)
{
	struct kesu_ledger_destroyed d;
	kesu_ledger_destroyed_of(dline, ddoc, &d);
	snprintf(out, size, d.fmt, d.args[0], d.args[1], d.args[2], d.args[3]);
	kesu_utf8_cut(out);
}

static void certificate_row(json_t *row, const json_t *lines, const json_t *docs,
			    size_t i, time_t now)
{
	const json_t *l = json_array_get(lines, i), *c = json_array_get(docs, i);
	long closer;
	bool open = kesu_ledger_is_open(lines, docs, i, &closer);
	enum mn mn = my_number_of(c);
	char buf[256] = "";
	set(row, "model", sget(l, "model"));
	set(row, "asset", pstr(c, "asset.property_number"));
	set(row, "department", pstr(c, "customer"));
	if (json_is_integer(path(c, "asset.confidentiality_class")))
		snprintf(buf, sizeof(buf), "%d",
			 (int)json_integer_value(path(c, "asset.confidentiality_class")));
	set(row, "class", buf);
	set(row, "my_number", mn == MN_YES ? "yes" : mn == MN_NO ? "no" : "unknown");
	set(row, "reason", pstr(c, "asset.reason"));
	set(row, "method", pstr(c, "method.name"));
	set(row, "result", sget(l, "result"));
	set(row, "operator", sget(l, "operator"));
	set(row, "approver", pstr(c, "approval.approver"));
	json_object_set_new(row, "witnesses", witnesses_text(c));
	buf[0] = '\0';
	if (closer >= 0)
		destroyed_text(json_array_get(lines, (size_t)closer),
			       json_array_get(docs, (size_t)closer), buf, sizeof(buf));
	else if (open)
		snprintf(buf, sizeof(buf), "%s", mn == MN_YES ? "required"
			 : "unknown (certificate file not readable here)");
	set(row, "destruction", buf);
	set(row, "open", open ? "open" : closer >= 0 ? "closed" : "");
	set(row, "closes", "");
	time_t t = 0;
	if (open && kesu_time_parse(sget(l, "time"), &t) && now >= t)
		json_object_set_new(row, "age_days", json_integer((json_int_t)((now - t) / 86400)));
}

static void destruction_row(json_t *row, const json_t *l, const json_t *d)
{
	char buf[256];
	enum mn mn = my_number_of(d);
	set(row, "model", pstr(d, "medium.model"));
	set(row, "asset", pstr(d, "asset.property_number"));
	set(row, "department", pstr(d, "asset.department"));
	set(row, "class", "");
	set(row, "my_number", mn == MN_YES ? "yes" : mn == MN_NO ? "no" : "unknown");
	set(row, "reason", "");
	set(row, "method", sget(l, "technique"));
	set(row, "result", "destroyed");
	set(row, "operator", pstr(d, "operator.name"));
	set(row, "approver", "");
	json_object_set_new(row, "witnesses", witnesses_text(d));
	destroyed_text(l, d, buf, sizeof(buf));
	set(row, "destruction", buf);
	set(row, "open", "");
	set(row, "closes", sget(l, "closes") ? sget(l, "closes") : KESU_LEDGER_NO_ERASURE);
}

/* A spot check: its verdict, who checked, and the certificate it checks
 * (refers_to, beside the columns). */
static void verification_row(json_t *row, const json_t *l, const json_t *d)
{
	set(row, "model", pstr(d, "device.model"));
	set(row, "result", sget(l, "verdict"));
	set(row, "operator", sget(l, "signer"));
	set(row, "method", pstr(d, "method.mode"));
	set(row, "refers_to", sget(l, "refers_to") ? sget(l, "refers_to") : "");
}

/* Who countersigned the document of line i, from the countersignature
 * lines that name it: "role: signer" joined by "; ". */
static json_t *countersigners_of(const json_t *lines, const char *id)
{
	char buf[512] = "";
	size_t o = 0, i;
	json_t *l;
	json_array_foreach(lines, i, l) {
		const char *r = sget(l, "refers_to");
		if (!id || !r || strcmp(sget(l, "kind"), "countersignature") || strcmp(r, id))
			continue;
		int n = snprintf(buf + o, sizeof(buf) - o, "%s%s: %s", o ? "; " : "",
				 sget(l, "role") ? sget(l, "role") : "?",
				 sget(l, "signer") ? sget(l, "signer") : "?");
		if (n < 0 || (size_t)n >= sizeof(buf) - o)
			break;
		o += (size_t)n;
	}
	return json_string(buf);
}

/* A countersignature: who signed as what, and the document it signs. */
static void countersig_row(json_t *row, const json_t *l)
{
	set(row, "result", sget(l, "role"));
	set(row, "operator", sget(l, "signer"));
	set(row, "refers_to", sget(l, "refers_to"));
}

json_t *kesu_ledger_row(const json_t *lines, const json_t *docs, size_t i, time_t now)
{
	const json_t *l = json_array_get(lines, i);
	const char *kind = sget(l, "kind");
	if (!kind || (strcmp(kind, "certificate") && !kesu_reg_kind_find(kind)))
		return NULL;
	json_t *row = json_object();
	char seq[24];
	snprintf(seq, sizeof(seq), "%" JSON_INTEGER_FORMAT,
		 json_integer_value(json_object_get(l, "seq")));
	set(row, "seq", seq);
	set(row, "time", sget(l, "time"));
	set(row, "kind", kind);
	set(row, "id", sget(l, "cert_id"));
	set(row, "serial", sget(l, "serial"));
	set(row, "document", sget(l, "cert_file"));
	if (!strcmp(kind, "certificate"))
		certificate_row(row, lines, docs, i, now);
	else if (!strcmp(kind, "destruction"))
		destruction_row(row, l, json_array_get(docs, i));
	else if (!strcmp(kind, "verification"))
		verification_row(row, l, json_array_get(docs, i));
	else if (!strcmp(kind, "countersignature"))
		countersig_row(row, l);
	json_object_set_new(row, "countersigners", countersigners_of(lines, sget(l, "cert_id")));
	/* A kind added later shows its common fields until it has a row of
	 * its own; every column is still there. */
	for (size_t c = 0; kesu_ledger_columns[c]; c++)
		if (!json_object_get(row, kesu_ledger_columns[c]))
			set(row, kesu_ledger_columns[c], "");
	return row;
}

static bool eq(const json_t *row, const char *key, const char *want)
{
	return !want || !strcmp(sget(row, key), want);
}

bool kesu_ledger_selects(const json_t *row, const struct kesu_ledger_filter *f)
{
	const char *kind = f->kind && !strcmp(f->kind, "erasure") ? "certificate" : f->kind;
	time_t t = 0;
	kesu_time_parse(sget(row, "time"), &t);
	return eq(row, "asset", f->asset) && eq(row, "department", f->department) &&
	       eq(row, "kind", kind) && eq(row, "serial", f->serial) &&
	       eq(row, "operator", f->op) && (!f->open_only || eq(row, "open", "open")) &&
	       (!f->since || t >= f->since) && (!f->until || t <= f->until);
}

json_t *kesu_ledger_rows(const json_t *lines, const json_t *docs,
			 const struct kesu_ledger_filter *f, time_t now)
{
	json_t *rows = json_array();
	for (size_t i = 0; rows && i < json_array_size(lines); i++) {
		json_t *row = kesu_ledger_row(lines, docs, i, now);
		if (row && (!f || kesu_ledger_selects(row, f)))
			json_array_append(rows, row);
		json_decref(row);
	}
	return rows;
}

json_t *kesu_ledger_overdue(const json_t *lines, const json_t *docs, long max_days,
			    time_t now)
{
	struct kesu_ledger_filter f = {.open_only = true};
	json_t *rows = kesu_ledger_rows(lines, docs, &f, now), *late = json_array();
	size_t i;
	json_t *r;
	/* Longer than max_days to the second: a limit of 0 flags every open
	 * item, however fresh. */
	json_array_foreach(rows, i, r) {
		time_t t;
		if (!kesu_time_parse(sget(r, "time"), &t) || now - t > (time_t)max_days * 86400)
			json_array_append(late, r);
	}
	json_decref(rows);
	return late;
}

static bool names(const json_t *list, const char *v)
{
	size_t i;
	json_t *s;
	json_array_foreach(list, i, s)
		if (v && v[0] && json_is_string(s) && !strcmp(json_string_value(s), v))
			return true;
	return false;
}

/* Lines that name media by list rather than one serial: a hand-over
 * whose serials include it, an approval whose serials do or whose asset
 * numbers include one of the medium's (assets: from its own rows). */
static bool concerns(const json_t *l, const json_t *doc, const char *serial,
		     const json_t *assets)
{
	if (is_kind(l, "custody"))
		return names(json_object_get(l, "serials"), serial);
	if (!is_kind(l, "approval"))
		return false;
	if (names(json_object_get(doc, "serials"), serial))
		return true;
	size_t i;
	json_t *a;
	json_array_foreach(assets, i, a)
		if (names(json_object_get(doc, "assets"), json_string_value(a)))
			return true;
	return false;
}

json_t *kesu_ledger_trace(const json_t *lines, const json_t *docs, const char *serial,
			  time_t now)
{
	struct kesu_ledger_filter f = {.serial = serial};
	json_t *own = kesu_ledger_rows(lines, docs, &f, now), *assets = json_array();
	json_t *rows = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(own, i, r)
		if (sget(r, "asset") && sget(r, "asset")[0])
			json_array_append_new(assets, json_string(sget(r, "asset")));
	json_decref(own);
	for (i = 0; rows && assets && i < json_array_size(lines); i++) {
		json_t *row = kesu_ledger_row(lines, docs, i, now);
		if (row && (kesu_ledger_selects(row, &f) ||
			    concerns(json_array_get(lines, i), json_array_get(docs, i), serial,
				     assets)))
			json_array_append(rows, row);
		json_decref(row);
	}
	json_decref(assets);
	return rows;
}

long kesu_ledger_erasure_for(const json_t *lines, const char *serial, bool *closed)
{
	long found = -1;
	bool any = false;
	size_t i;
	json_t *l;
	json_array_foreach(lines, i, l) {
		if (!is_kind(l, "certificate") || !sget(l, "serial") || strcmp(sget(l, "serial"), serial))
			continue;
		any = true;
		if (closer_of(lines, sget(l, "cert_id")) < 0)
			found = (long)i;
	}
	if (closed)
		*closed = any && found < 0;
	return found;
}
