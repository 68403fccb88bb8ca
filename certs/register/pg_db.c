#include "certs/register/pg_db.h"
#include "lib/strutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kesu_db_result_free(struct kesu_db_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nrows * r->ncols; i++)
		free(r->v[i].data);
	free(r->v);
	free(r);
}

const struct kesu_db_value *kesu_db_cell(const struct kesu_db_result *r,
					 size_t row, size_t col)
{
	if (!r || row >= r->nrows || col >= r->ncols || r->v[row * r->ncols + col].null)
		return NULL;
	return &r->v[row * r->ncols + col];
}

const char *kesu_db_text(const struct kesu_db_result *r, size_t row, size_t col)
{
	const struct kesu_db_value *v = kesu_db_cell(r, row, col);
	return v ? v->data : NULL;
}

enum kesu_db_rc kesu_db_classify(const char *sqlstate, bool connection_ok)
{
	if (!connection_ok || !sqlstate || !sqlstate[0])
		return KESU_DB_LOST;
	if (!strcmp(sqlstate, "40001") || !strcmp(sqlstate, "40P01"))
		return KESU_DB_RETRY;
	/* Class 08 is the connection; 57P01-57P03 a server shutting down,
	 * crashing or starting: the transaction is gone either way. */
	if (!strncmp(sqlstate, "08", 2) || !strcmp(sqlstate, "57P01") ||
	    !strcmp(sqlstate, "57P02") || !strcmp(sqlstate, "57P03"))
		return KESU_DB_LOST;
	if (!strcmp(sqlstate, "23505"))
		return KESU_DB_UNIQUE;
	if (!strcmp(sqlstate, "42501"))
		return KESU_DB_DENIED;
	return KESU_DB_FAIL;
}

bool kesu_db_is_url(const char *where)
{
	return where && (!strncmp(where, "postgresql://", 13) ||
			 !strncmp(where, "postgres://", 11));
}

static void put(char *out, size_t size, size_t *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n && *o + 1 < size; i++)
		out[(*o)++] = s[i];
	out[*o] = '\0';
}

void kesu_db_redact(const char *ci, char *out, size_t size)
{
	if (!size)
		return;
	size_t o = 0, i = 0, n = strlen(ci);
	out[0] = '\0';
	const char *scheme = strstr(ci, "://");
	if (kesu_db_is_url(ci) && scheme) {
		size_t a = (size_t)(scheme - ci) + 3;
		/* The user-info ends at the last '@' before the query: a
		 * password with an unescaped '/' must not end it early. */
		size_t end = a + strcspn(ci + a, "?");
		const char *at = NULL;
		for (size_t k = a; k < end; k++)
			if (ci[k] == '@')
				at = ci + k;
		put(out, size, &o, ci, a);
		i = a;
		if (at) {
			const char *colon = memchr(ci + a, ':', (size_t)(at - (ci + a)));
			if (colon) {
				put(out, size, &o, ci + a, (size_t)(colon - (ci + a)) + 1);
				put(out, size, &o, "***", 3);
				i = (size_t)(at - ci);
			}
		}
	}
	while (i < n) {
		bool boundary = i == 0 || strchr(" \t?&", ci[i - 1]);
		if (boundary && !strncmp(ci + i, "password", 8)) {
			size_t k = i + 8;
			while (ci[k] == ' ' || ci[k] == '\t')
				k++;
			if (ci[k] == '=') {
				k++;
				while (ci[k] == ' ' || ci[k] == '\t')
					k++;
				put(out, size, &o, "password=***", 12);
				if (ci[k] == '\'') {
					for (k++; ci[k] && ci[k] != '\''; k++)
						if (ci[k] == '\\' && ci[k + 1])
							k++;
					if (ci[k])
						k++;
				} else {
					k += strcspn(ci + k, " \t&");
				}
				i = k;
				continue;
			}
		}
		put(out, size, &o, ci + i, 1);
		i++;
	}
}

void kesu_db_scrub(char *msg, size_t size, const char *secret)
{
	size_t sl = secret ? strlen(secret) : 0;
	if (!sl || !size || !strstr(msg, secret))
		return;
	char *tmp = malloc(size);
	if (!tmp) {
		msg[0] = '\0';  /* better no message than a leaked password */
		return;
	}
	size_t o = 0;
	tmp[0] = '\0';
	for (const char *p = msg; *p;) {
		if (!strncmp(p, secret, sl)) {
			put(tmp, size, &o, "***", 3);
			p += sl;
		} else {
			put(tmp, size, &o, p, 1);
			p++;
		}
	}
	memcpy(msg, tmp, o + 1);
	free(tmp);
}

void kesu_db_close(struct kesu_db *db)
{
	if (!db)
		return;
	db->ops->close(db);
	free(db);
}
