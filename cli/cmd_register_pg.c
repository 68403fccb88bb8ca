/* kesu register init-db | push | pull | seal, and verify and list of a
 * register in PostgreSQL (kesu-register(5), POSTGRESQL). */
#include "certs/register/backend.h"
#include "certs/register/pg_db.h"
#include "certs/register/pg_schema.h"
#include "certs/register/register_pg.h"
#include "cli/cli.h"
#include "lib/config.h"
#include "lib/strutil.h"
#include "lib/timefmt.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *const VERBS[] = {"init-db", "push", "pull", "seal", NULL};

bool cmd_register_pg_verb(const char *sub)
{
	for (size_t i = 0; VERBS[i]; i++)
		if (!strcmp(sub, VERBS[i]))
			return true;
	return false;
}

struct pgopts {
	const char *reg, *ca, *config, *key, *cert, *from, *out, *schema, *tsa, *tsa_ca;
	struct kesu_pgreg_filter f;
	bool json;
};

static enum kesu_rc parse(int argc, char **argv, struct pgopts *o, bool *help)
{
	static const struct option longopts[] = {
		{"register", required_argument, NULL, 'r'},
		{"ca", required_argument, NULL, 'a'},
		{"config", required_argument, NULL, 'C'},
		{"key", required_argument, NULL, 'k'},
		{"cert", required_argument, NULL, 'c'},
		{"from", required_argument, NULL, 'F'},
		{"out", required_argument, NULL, 'O'},
		{"since", required_argument, NULL, 's'},
		{"until", required_argument, NULL, 'u'},
		{"serial", required_argument, NULL, 'S'},
		{"operator", required_argument, NULL, 'o'},
		{"json", no_argument, NULL, 'j'},
		{"schema-version", required_argument, NULL, 'V'},
		{"tsa", required_argument, NULL, 't'},
		{"tsa-ca-file", required_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	*help = false;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o->reg = optarg; break;
		case 'a': o->ca = optarg; break;
		case 'C': o->config = optarg; break;
		case 'k': o->key = optarg; break;
		case 'c': o->cert = optarg; break;
		case 'F': o->from = optarg; break;
		case 'O': o->out = optarg; break;
		case 'S': o->f.serial = optarg; break;
		case 'o': o->f.operator_name = optarg; break;
		case 'j': o->json = true; break;
		case 'V': o->schema = optarg; break;
		case 't': o->tsa = optarg; break;
		case 'T': o->tsa_ca = optarg; break;
		case 's': case 'u':
			if (!kesu_time_parse(optarg, c == 's' ? &o->f.since : &o->f.until))
				return kesu_usage_error("--%s: '%s' is not RFC 3339 or YYYY-MM-DD",
							c == 's' ? "since" : "until", optarg);
			break;
		case 'h': *help = true; return KESU_OK;
		default: return KESU_ERR_USAGE;
		}
	}
	return optind < argc ? kesu_usage_error("register: unexpected argument '%s'",
						argv[optind]) : KESU_OK;
}

static enum kesu_rc connect(const char *url, bool check, struct kesu_db **db)
{
	struct kesu_err err = {0};
	enum kesu_rc rc = kesu_db_connect_pq(url, 0, db, &err);
	if (!rc && check && (rc = kesu_pgreg_check_schema(*db, &err))) {
		kesu_db_close(*db);
		*db = NULL;
	}
	if (rc)
		kesu_report(&err);
	return rc;
}

enum kesu_rc cmd_register_pg_list(const char *url, time_t since, time_t until,
				  const char *serial, const char *op, json_t **rows)
{
	struct kesu_db *db;
	enum kesu_rc rc = connect(url, true, &db);
	if (rc)
		return rc;
	struct kesu_pgreg_filter f = {.since = since, .until = until, .serial = serial,
				      .operator_name = op};
	struct kesu_err err = {0};
	if ((rc = kesu_pgreg_list(db, &f, rows, &err)))
		kesu_report(&err);
	kesu_db_close(db);
	return rc;
}

static enum kesu_rc verify(struct kesu_db *db, const char *shown, const char *ca,
			   const char *tsa_ca, bool json)
{
	struct kesu_err err = {0};
	struct kesu_pgreg_verdict v;
	enum kesu_rc rc = kesu_pgreg_verify_ts(db, ca, tsa_ca, &v, &err);
	if (json) {
		json_t *j = json_pack("{s:s s:b s:I s:I s:I s:I s:I s:I s:I s:o s:o}",
			"register", shown, "ok", rc == KESU_OK,
			"entries", (json_int_t)v.entries,
			"seals", (json_int_t)v.seals,
			"seals_timestamped", (json_int_t)v.seals_timestamped,
			"seal_tokens_unchecked", (json_int_t)v.seal_tokens_unchecked,
			"sealed_seq", (json_int_t)v.sealed_seq,
			"unsealed", (json_int_t)v.unsealed,
			"documents_checked", (json_int_t)v.documents_checked,
			"first_bad_entry", v.bad ? json_integer((json_int_t)v.bad) : json_null(),
			"error", rc ? kesu_json_str(err.msg) : json_null());
		char *s = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(j);
		return rc;
	}
	if (rc) {
		kesu_report(&err);
		return rc;
	}
	printf("%s: verified: %zu entries, %zu stored documents checked, %zu seals "
	       "(last sealed entry %" PRIu64 ", %zu after it)", shown, v.entries,
	       v.documents_checked, v.seals, v.sealed_seq, v.unsealed);
	if (v.seals_timestamped)
		printf(", %zu seals timestamped", v.seals_timestamped);
	if (v.seal_tokens_unchecked)
		printf("; %zu seal timestamps NOT checked (give --tsa-ca-file)",
		       v.seal_tokens_unchecked);
	printf("\n");
	return KESU_OK;
}

/* init-db, up to --schema-version when given. */
static enum kesu_rc init_db(struct kesu_db *db, const char *schema, const char *shown,
			    struct kesu_err *err)
{
	int from, to;
	char *end;
	long want = schema ? strtol(schema, &end, 10) : kesu_pg_schema_version();
	if (schema && (end == schema || *end || want < 1 || want > 1000))
		return kesu_fail(err, KESU_ERR_USAGE, 0, "--schema-version: '%s' is not a "
				 "number from 1 to %d", schema, kesu_pg_schema_version());
	enum kesu_rc rc = kesu_pgreg_init_to(db, (int)want, &from, &to, err);
	if (!rc)
		printf(from == to ? "%s: schema already at version %d\n"
				  : "%s: schema at version %d (was %d)\n", shown, to, from);
	return rc;
}

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      "  kesu register init-db --register URL [--schema-version N]\n"
	      "  kesu register push --register URL [--from FILE] [--ca FILE]\n"
	      "  kesu register pull --register URL --out DIR [--since T] [--until T]\n"
	      "                     [--serial S] [--operator NAME]\n"
	      "  kesu register seal --register URL [--key K --cert C] [--tsa URL]\n"
	      "                     [--tsa-ca-file FILE]\n"
	      "  kesu register verify --register URL [--ca FILE] [--tsa-ca-file FILE] [--json]\n"
	      "URL is postgresql://...; [register] url in kesu.conf is the default.\n"
	      "All take --config FILE.  See kesu-register(5), POSTGRESQL.\n", out);
}

enum kesu_rc cmd_register_pg(int argc, char **argv)
{
	const char *sub = argv[1];
	struct pgopts o = {0};
	bool help;
	enum kesu_rc rc = parse(argc - 1, argv + 1, &o, &help);
	if (rc)
		return rc;
	if (help) {
		usage(stdout);
		return KESU_OK;
	}
	struct kesu_err err = {0};
	struct kesu_config cfg;
	if ((rc = kesu_config_load(o.config, &cfg, &err))) {
		kesu_report(&err);
		return rc;
	}
	const char *url = o.reg ? o.reg : cfg.register_url;
	const char *ca = o.ca ? o.ca : cfg.ca_file;
	if (!kesu_db_is_url(url))
		return kesu_usage_error("register %s: give --register postgresql://... "
					"or [register] url in kesu.conf", sub);
	char shown[512];
	kesu_db_redact(url, shown, sizeof(shown));
	if (!strcmp(sub, "pull") && !o.out)
		return kesu_usage_error("register pull: give --out DIR");
	struct kesu_db *db;
	if ((rc = connect(url, strcmp(sub, "init-db"), &db)))
		return rc;

	if (!strcmp(sub, "init-db")) {
		rc = init_db(db, o.schema, shown, &err);
	} else if (!strcmp(sub, "verify")) {
		rc = verify(db, shown, ca, o.tsa_ca ? o.tsa_ca : cfg.tsa_ca_file, o.json);
		err.msg[0] = '\0';
		kesu_db_close(db);
		return rc;
	} else if (!strcmp(sub, "push")) {
		const char *from = o.from ? o.from : cfg.register_path;
		struct kesu_pgreg_push_stats st;
		rc = kesu_pgreg_push(db, from, ca, &st, &err);
		printf("%s -> %s: %zu certificates sent, %zu already there "
		       "(byte-identical), %zu recovery lines kept local\n", from, shown,
		       st.sent, st.identical, st.skipped_recovery);
	} else if (!strcmp(sub, "pull")) {
		struct kesu_pgreg_pull_stats st;
		rc = kesu_pgreg_pull(db, &o.f, o.out, &st, &err);
		printf("%s: %zu certificates written to %s, %zu already there\n", shown,
		       st.written, o.out, st.identical);
	} else if (!strcmp(sub, "seal")) {
		struct kesu_signer *signer;
		uint64_t seq;
		if (!(rc = kesu_signer_open(o.key ? o.key : cfg.key, o.cert ? o.cert : cfg.cert,
					    cfg.pin_file, cfg.pkcs11_module, &signer, &err))) {
			/* The token is checked against the TSA's CA as it arrives. */
			struct kesu_tsa tsa = {o.tsa ? o.tsa : cfg.tsa_url,
					       o.tsa_ca ? o.tsa_ca : cfg.tsa_ca_file, NULL, NULL};
			rc = kesu_pgreg_seal_ts(db, signer, tsa.url[0] ? &tsa : NULL, &seq, &err);
			if (!rc || rc == KESU_ERR_UNSTAMPED)
				printf("%s: sealed at entry %" PRIu64 "%s\n", shown, seq,
				       rc ? ", not timestamped" : tsa.url[0] ? ", timestamped" : "");
			kesu_signer_free(signer);
		}
	}
	if (rc)
		kesu_report(&err);
	kesu_db_close(db);
	return rc;
}
