/* The PostgreSQL register's queries from the command line, for
 * tests/integration/pg_register.sh, until `kesu register list` and `trace`
 * reach them through the register backend:
 *
 *   pgquery URL list [--serial S] [--asset A] [--department D] [--kind K]
 *                    [--run-id R] [--open]
 *   pgquery URL trace SERIAL
 *
 * prints the matching lines as one JSON array; exit 0, or 1 with the
 * error on stderr. */
#include "certs/register/pg_db.h"
#include "certs/register/register_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
	fputs("usage: pgquery URL list [--serial S] [--asset A] [--department D] "
	      "[--kind K] [--run-id R] [--open] | pgquery URL trace SERIAL\n", stderr);
	return 2;
}

static bool filter(int argc, char **argv, struct kesu_pgreg_filter *f)
{
	for (int i = 0; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		const char **to = !strcmp(o, "--serial") ? &f->serial
				  : !strcmp(o, "--asset") ? &f->asset
				  : !strcmp(o, "--department") ? &f->department
				  : !strcmp(o, "--kind") ? &f->kind
				  : !strcmp(o, "--run-id") ? &f->run_id : NULL;
		if (!strcmp(o, "--open"))
			f->open = true;
		else if (to && v)
			*to = v, i++;
		else
			return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	struct kesu_pgreg_filter f = {0};
	bool trace = !strcmp(argv[2], "trace");
	if (trace ? argc != 4 : strcmp(argv[2], "list") || !filter(argc - 3, argv + 3, &f))
		return usage();
	struct kesu_err err = {0};
	struct kesu_db *db = NULL;
	json_t *rows = NULL;
	enum kesu_rc rc = kesu_db_connect_pq(argv[1], 0, &db, &err);
	if (!rc)
		rc = trace ? kesu_pgreg_trace(db, argv[3], &rows, &err)
			   : kesu_pgreg_list(db, &f, &rows, &err);
	kesu_db_close(db);
	if (rc) {
		fprintf(stderr, "pgquery: %s\n", err.msg);
		return 1;
	}
	char *s = json_dumps(rows, JSON_COMPACT);
	printf("%s\n", s ? s : "[]");
	free(s);
	json_decref(rows);
	return 0;
}
