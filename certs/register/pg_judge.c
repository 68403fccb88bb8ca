/* The verdict over what was read from the database (pure): the file
 * register's chain check over the stored lines, then what only a database
 * can get wrong: columns that disagree with their line, a head row that
 * does not name the last entry, seals over other bytes. */
#include "certs/register/register_pg.h"
#include "certs/register/pg_util.h"
#include "certs/register/register.h"
#include "lib/digest.h"
#include "lib/i18n.h"
#include "lib/strutil.h"
#include "lib/timefmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the verdict (pure) ---- */

struct judge {
	const struct kesu_pgreg_facts *f;
	char (*hash)[65];
	size_t i;          /* rows seen by the chain check */
	size_t n;          /* rows given to the chain check */
	size_t col_bad;    /* first row whose columns disagree with its line */
	struct kesu_err col_why;
};

/* Keep the earliest finding: "the first bad row".  Findings are made by
 * kesu_fail, so each has its English text (JSON, the error's msg) and the
 * operator's. */
static void note(struct kesu_pgreg_verdict *v, size_t pos, const struct kesu_err *e)
{
	if (!pos)
		pos = 1;
	if (v->bad && v->bad <= pos)
		return;
	v->bad = pos;
	kesu_strlcpy(v->why, e->msg, sizeof(v->why));
	kesu_strlcpy(v->why_local, kesu_err_text(e), sizeof(v->why_local));
}

/* A finding of another check (the chain's, a seal's, a document's) for
 * entry or seal n: the same words after "entry N: " or "seal N: ". */
static void note_of(struct kesu_pgreg_verdict *v, size_t pos, bool seal, uint64_t n,
		    const struct kesu_err *sub)
{
	struct kesu_err e = *sub;
	if (seal)
		kesu_err_prefix(&e, "seal %" PRIu64 ": ", n);
	else
		kesu_err_prefix(&e, "entry %" PRIu64 ": ", n);
	note(v, pos, &e);
}


/* The indexed columns are what list and export filter on: each must say
 * what the line says, or a row edited in place would hide from a query
 * while the chain still verifies. */
static void compare_columns(const json_t *line, void *arg)
{
	struct judge *j = arg;
	if (j->i >= j->n)
		return;
	size_t pos = ++j->i;
	const struct kesu_pgreg_row *r = &j->f->rows[pos - 1];
	const char *col = NULL;
	time_t t = 0;
	kesu_time_parse(json_string_value(json_object_get(line, "time")), &t);
	if ((uint64_t)json_integer_value(json_object_get(line, "seq")) != r->seq)
		col = "seq";
	else if (!kesu_pg_same_str(r->prev, json_object_get(line, "prev")))
		col = "prev";
	else if (strcmp(r->line_sha256, j->hash[pos - 1]))
		col = "line_sha256";
	else if (!kesu_pg_same_str(r->kind, json_object_get(line, "kind")))
		col = "kind";
	else if (!kesu_pg_same_str(r->cert_id[0] ? r->cert_id : NULL, json_object_get(line, "cert_id")))
		col = "cert_id";
	else if (!kesu_pg_same_str(r->serial, json_object_get(line, "serial")))
		col = "serial";
	else if (!kesu_pg_same_str(r->model, json_object_get(line, "model")))
		col = "model";
	else if (!kesu_pg_same_str(r->result, json_object_get(line, "result")))
		col = "result";
	else if (!kesu_pg_same_str(r->operator_name, json_object_get(line, "operator")))
		col = "operator_name";
	else if (!kesu_pg_same_str(r->run_id, json_object_get(line, "run_id")))
		col = "run_id";
	else if (r->at != (int64_t)t)
		col = "at";
	else if (!kesu_pg_same_str(r->closes, strcmp(r->kind, "destruction") ? NULL
					     : json_object_get(line, "closes")))
		col = "closes";
	else if (!kesu_pg_same_str(r->refers_to, strcmp(r->kind, "countersignature") &&
					      strcmp(r->kind, "verification") ? NULL
					      : json_object_get(line, "refers_to")))
		col = "refers_to";
	if (col && !j->col_bad) {
		j->col_bad = pos;
		kesu_fail(&j->col_why, KESU_ERR_INVALID, 0, "entry %zu: the %s column does "
			  "not match the stored line (the row was edited in place)", pos, col);
	}
}

/* A seal counts when its signed head names a row that is still there with
 * the bytes it had. */
static void judge_seals(const struct kesu_pgreg_facts *f, char (*hash)[65], size_t n,
			struct kesu_pgreg_verdict *v)
{
	struct kesu_err e;
	for (size_t i = 0; i < f->nseals; i++) {
		const struct kesu_pgreg_seal_row *s = &f->seals[i];
		if (s->error) {
			note_of(v, (size_t)s->seq, true, s->id, s->error);
			continue;
		}
		if (s->seq > n) {
			kesu_fail(&e, KESU_ERR_INVALID, 0, "entry %zu: missing; seal %" PRIu64
				  " signed %" PRIu64 " entries but the database holds %zu (rows "
				  "were deleted from the end)", n + 1, s->id, s->seq, n);
			note(v, n + 1, &e);
			continue;
		}
		if (!s->seq || strcmp(s->line_sha256, hash[s->seq - 1])) {
			kesu_fail(&e, KESU_ERR_INVALID, 0, "entry %" PRIu64 ": does not match the "
				  "hash signed in seal %" PRIu64 " (the row was edited or "
				  "replaced)", s->seq, s->id);
			note(v, (size_t)s->seq, &e);
			continue;
		}
		v->seals++;
		v->seals_timestamped += s->ts == KESU_PGREG_TS_CHECKED;
		v->seal_tokens_unchecked += s->ts == KESU_PGREG_TS_UNCHECKED;
		if (s->seq > v->sealed_seq)
			v->sealed_seq = s->seq;
	}
}

/* The head row moves with every append: it must name the last row. */
static void judge_head(const struct kesu_pgreg_facts *f, char (*hash)[65], size_t n,
		       struct kesu_pgreg_verdict *v)
{
	struct kesu_err e;
	if (f->head_seq > n) {
		kesu_fail(&e, KESU_ERR_INVALID, 0, "entry %zu: missing; the chain head counts %"
			  PRIu64 " entries but the database holds %zu (rows were deleted from "
			  "the end)", n + 1, f->head_seq, n);
		note(v, n + 1, &e);
	} else if (f->head_seq < n) {
		kesu_fail(&e, KESU_ERR_INVALID, 0, "entry %" PRIu64 ": not counted by the "
			  "chain head, which ends at %" PRIu64 " (inserted without "
			  "kesu.append)", f->head_seq + 1, f->head_seq);
		note(v, (size_t)f->head_seq + 1, &e);
	} else if (n && strcmp(f->head_hash, hash[n - 1])) {
		kesu_fail(&e, KESU_ERR_INVALID, 0, "entry %zu: does not match the hash in the "
			  "chain head (the last row was edited or replaced)", n);
		note(v, n, &e);
	}
}

/* The rows' lines joined as a register file's text, each line's hash in
 * hash[]; *n becomes the rows before the first stored line with a
 * newline in it, which would shift every line after it.  NULL: out of
 * memory. */
static char *joined_text(const struct kesu_pgreg_facts *f, char (*hash)[65], size_t *n,
			 size_t *len, struct kesu_pgreg_verdict *v)
{
	size_t total = 0;
	for (size_t i = 0; i < *n; i++) {
		const struct kesu_pgreg_row *r = &f->rows[i];
		if (!r->line_len || memchr(r->line, '\n', r->line_len)) {
			struct kesu_err e;
			kesu_fail(&e, KESU_ERR_INVALID, 0, "entry %zu: the stored line is empty "
				  "or holds a newline (the row was edited in place)", i + 1);
			note(v, i + 1, &e);
			*n = i;
			break;
		}
		kesu_sha256_hex(r->line, r->line_len, hash[i]);
		total += r->line_len + 1;
	}
	char *text = malloc(total + 1);
	size_t o = 0;
	for (size_t i = 0; text && i < *n; i++) {
		memcpy(text + o, f->rows[i].line, f->rows[i].line_len);
		o += f->rows[i].line_len;
		text[o++] = '\n';
	}
	*len = o;
	return text;
}

void kesu_pgreg_judge(const struct kesu_pgreg_facts *f, struct kesu_pgreg_verdict *v)
{
	memset(v, 0, sizeof(*v));
	memcpy(v->last_hash, KESU_REGISTER_GENESIS, sizeof(v->last_hash));
	size_t n = f->nrows, len;
	struct kesu_err e;
	char (*hash)[65] = n ? calloc(n, sizeof(*hash)) : NULL;
	char *text = n && !hash ? NULL : joined_text(f, hash, &n, &len, v);
	if (!text) {
		free(hash);
		kesu_fail(&e, KESU_ERR_INTERNAL, 0, "out of memory");
		note(v, 1, &e);
		return;
	}
	struct judge j = {.f = f, .hash = hash, .n = n};
	struct kesu_reg_check c;
	kesu_register_check_text(text, len, 0, &c, compare_columns, &j);
	free(text);
	v->entries = c.lines;
	v->last_seq = c.last_seq;
	if (c.lines)
		memcpy(v->last_hash, c.last_hash, sizeof(v->last_hash));
	/* On the same entry the chain's finding says more than a column's. */
	if (c.bad_line) {
		kesu_fail(&e, KESU_ERR_INVALID, 0, "entry %zu: %s", c.bad_line, c.why);
		kesu_err_localize(&e, _("entry %zu: %s"), c.bad_line,
				  c.why_local[0] ? c.why_local : c.why);
		note(v, c.bad_line, &e);
	}
	if (j.col_bad)
		note(v, j.col_bad, &j.col_why);
	if (f->doc_bad)
		note_of(v, f->doc_bad, false, f->doc_bad, &f->doc_why);
	judge_head(f, hash, n, v);
	judge_seals(f, hash, n, v);
	free(hash);
	if (!v->bad)
		v->unsealed = v->entries - (size_t)v->sealed_seq;
}
