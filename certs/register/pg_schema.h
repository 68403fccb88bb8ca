/* The PostgreSQL register's schema as versioned migrations
 * (man/kesu-register.5, POSTGRESQL).  `kesu register init-db` applies, in
 * one transaction, every migration newer than the database's
 * kesu.schema_version; a migration is never edited once released: a change
 * is a new one. */
#ifndef KESU_PG_SCHEMA_H
#define KESU_PG_SCHEMA_H

#include <stddef.h>

struct kesu_pg_migration {
	int version;
	const char *what;
	const char *sql;
};

extern const struct kesu_pg_migration KESU_PG_MIGRATIONS[];
extern const size_t KESU_PG_NMIGRATIONS;

/* The version this kesu expects (the last migration's). */
int kesu_pg_schema_version(void);

#endif
