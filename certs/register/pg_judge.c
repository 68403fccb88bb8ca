/* The verdict over what was read from the database (pure): the file
 * register's chain check over the stored lines, then what only a database
 * can get wrong: columns that disagree with their line, a head row that
 * does not name the last entry, seals over other bytes. */
#include "certs/register/register_pg.h"
#include "certs/register/pg_util.h"
#include "certs/register/register.h"
#include "lib/digest.h"
#include "lib/timefmt.h"

#include <inttypes.h>
#include <stdarg.h>
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
	char col_why[200];
};

static void note(struct kesu_pgreg_verdict *v, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Keep the earliest finding: "the first bad row". */
static void note(struct kesu_pgreg_verdict *v, size_t pos, const char *fmt, ...)
{
	if (!pos)
		pos = 1;
	if (v->bad && v->bad <= pos)
		return;
	v->bad = pos;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
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
		snprintf(j->col_why, sizeof(j->col_why), "entry %zu: the %s column does "
			 "not match the stored line (the row was edited in place)",
			 pos, col);
	}
}

/* A seal counts when its signed head names a row that is still there with
 * the bytes it had. */
static void judge_seals(const struct kesu_pgreg_facts *f, char (*hash)[65], size_t n,
			struct kesu_pgreg_verdict *v)
{
	for (size_t i = 0; i < f->nseals; i++) {
		const struct kesu_pgreg_seal_row *s = &f->seals[i];
		if (s->error) {
			note(v, (size_t)s->seq, "seal %" PRIu64 ": %s", s->id, s->error);
			continue;
		}
		if (s->seq > n) {
			note(v, n + 1, "entry %zu: missing; seal %" PRIu64 " signed %" PRIu64
			     " entries but the database holds %zu (rows were deleted "
			     "from the end)", n + 1, s->id, s->seq, n);
			continue;
		}
		if (!s->seq || strcmp(s->line_sha256, hash[s->seq - 1])) {
			note(v, (size_t)s->seq, "entry %" PRIu64 ": does not match the hash "
			     "signed in seal %" PRIu64 " (the row was edited or replaced)",
			     s->seq, s->id);
			continue;
		}
		v->seals++;
		v->seals_timestamped += s->ts == KESU_PGREG_TS_CHECKED;
		v->seal_tokens_unchecked += s->ts == KESU_PGREG_TS_UNCHECKED;
		if (s->seq > v->sealed_seq)
			v->sealed_seq = s->seq;
}
}

void kesu_pgreg_judge(const struct kesu_pgreg_facts *f, struct kesu_pgreg_verdict *v)
{
	memset(v, 0, sizeof(*v));
	memcpy(v->last_hash, KESU_REGISTER_GENESIS, sizeof(v->last_hash));
	size_t n = f->nrows, total = 0;
	char (*hash)[65] = n ? calloc(n, sizeof(*hash)) : NULL;
	if (n && !hash) {
		note(v, 1, "out of memory");
		return;
	}
	/* A stored line with a newline in it would shift every line after it
	 * in the joined text; judge only the rows before it. */
	for (size_t i = 0; i < n; i++) {
		const struct kesu_pgreg_row *r = &f->rows[i];
		if (!r->line_len || memchr(r->line, '\n', r->line_len)) {
			note(v, i + 1, "entry %zu: the stored line is empty or holds a "
			     "newline (the row was edited in place)", i + 1);
			n = i;
			break;
		}
		kesu_sha256_hex(r->line, r->line_len, hash[i]);
		total += r->line_len + 1;
	}
	char *text = malloc(total + 1);
	if (!text) {
		free(hash);
		note(v, 1, "out of memory");
		return;
	}
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(text + o, f->rows[i].line, f->rows[i].line_len);
		o += f->rows[i].line_len;
		text[o++] = '\n';
	}
	struct judge j = {f, hash, 0, n, 0, ""};
	struct kesu_reg_check c;
	kesu_register_check_text(text, o, 0, &c, compare_columns, &j);
	free(text);
	v->entries = c.lines;
	v->last_seq = c.last_seq;
	if (c.lines)
		memcpy(v->last_hash, c.last_hash, sizeof(v->last_hash));
	/* On the same entry the chain's finding says more than a column's. */
	if (c.bad_line)
		note(v, c.bad_line, "entry %zu: %s", c.bad_line, c.why);
	if (j.col_bad)
		note(v, j.col_bad, "%s", j.col_why);
	if (f->doc_bad)
		note(v, f->doc_bad, "entry %zu: %s", f->doc_bad, f->doc_why);
	/* The head row moves with every append: it must name the last row. */
	if (f->head_seq > n)
		note(v, n + 1, "entry %zu: missing; the chain head counts %" PRIu64
		     " entries but the database holds %zu (rows were deleted from the "
		     "end)", n + 1, f->head_seq, n);
	else if (f->head_seq < n)
		note(v, (size_t)f->head_seq + 1, "entry %" PRIu64 ": not counted by the "
		     "chain head, which ends at %" PRIu64 " (inserted without "
		     "kesu.append)", f->head_seq + 1, f->head_seq);
	else if (n && strcmp(f->head_hash, hash[n - 1]))
		note(v, n, "entry %zu: does not match the hash in the chain head (the "
		     "last row was edited or replaced)", n);
	judge_seals(f, hash, n, v);
	free(hash);
	if (!v->bad)
		v->unsealed = v->entries - (size_t)v->sealed_seq;
}
