/* kesu register verify | list | export | import */
#include "certs/document/cert_verify.h"
#include "cli/cli.h"
#include "cli/cmd_pdf.h"
#include "lib/config.h"
#include "certs/document/issue.h"
#include "certs/register/backend.h"
#include "certs/register/register.h"
#include "lib/timefmt.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      "  kesu register verify [--register FILE] [--ca FILE] [--tsa-ca-file FILE] [--json]\n"
	      "  kesu register list [--since TIME] [--until TIME] [--serial S]\n"
	      "                     [--operator NAME] [--json] [--register FILE]\n"
	      "  kesu register export --csv [--register FILE]\n"
	      "  kesu register import CERT... [--ca FILE] [--key K --cert C] [--register FILE]\n"
	      "                       [--tsa URL] [--tsa-ca-file FILE]\n"
	      "  kesu register repair --reason TEXT [--operator NAME] [--ca FILE]\n"
	      "                       [--key K --cert C] [--register FILE]\n"
	      "  kesu register report --pdf --out FILE [--since T] [--until T] [--department D]\n"
	      "  kesu register init-db | push | pull | seal --register postgresql://...\n"
	      "FILE may be a postgresql:// URL: see 'kesu register init-db --help'.\n"
	      "All take --config FILE (default /etc/kesu/kesu.conf).  See kesu-register(5).\n",
	      out);
}

struct ropts {
	const char *reg, *ca, *config, *serial, *op, *key, *cert, *reason, *tsa_ca, *tsa;
	time_t since, until;
	bool json, csv;
};

static enum kesu_rc parse(int argc, char **argv, struct ropts *o, bool *help)
{
	static const struct option longopts[] = {
		{"register", required_argument, NULL, 'r'},
		{"ca", required_argument, NULL, 'a'},
		{"config", required_argument, NULL, 'C'},
		{"since", required_argument, NULL, 's'},
		{"until", required_argument, NULL, 'u'},
		{"serial", required_argument, NULL, 'S'},
		{"operator", required_argument, NULL, 'o'},
		{"key", required_argument, NULL, 'k'},
		{"cert", required_argument, NULL, 'c'},
		{"json", no_argument, NULL, 'j'},
		{"csv", no_argument, NULL, 'v'},
		{"tsa-ca-file", required_argument, NULL, 'T'},
		{"tsa", required_argument, NULL, 't'},
		{"reason", required_argument, NULL, 'R'},
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
		case 'S': o->serial = optarg; break;
		case 'o': o->op = optarg; break;
		case 'k': o->key = optarg; break;
		case 'c': o->cert = optarg; break;
		case 'j': o->json = true; break;
		case 'v': o->csv = true; break;
		case 'T': o->tsa_ca = optarg; break;
		case 't': o->tsa = optarg; break;
		case 'R': o->reason = optarg; break;
		case 's': case 'u':
			if (!kesu_time_parse(optarg, c == 's' ? &o->since : &o->until))
				return kesu_usage_error("--%s: '%s' is not RFC 3339 or YYYY-MM-DD",
							c == 's' ? "since" : "until", optarg);
			break;
		case 'h': *help = true; return KESU_OK;
		default: return KESU_ERR_USAGE;
		}
	}
	return KESU_OK;
}

struct collect {
	json_t *rows;
	const struct ropts *o;
};

static void collect(const json_t *line, void *arg)
{
	struct collect *c = arg;
	const struct ropts *o = c->o;
	time_t t = 0;
	kesu_time_parse(json_string_value(json_object_get(line, "time")), &t);
	if ((o->since && t < o->since) || (o->until && t > o->until))
		return;
	const char *serial = json_string_value(json_object_get(line, "serial"));
	const char *op = json_string_value(json_object_get(line, "operator"));
	if (o->serial && (!serial || strcmp(serial, o->serial)))
		return;
	if (o->op && (!op || strcmp(op, o->op)))
		return;
	json_array_append(c->rows, (json_t *)line);
}

/* One CSV cell: RFC 4180 quoting, and a leading quote on text a spreadsheet
 * would run as a formula (=, +, -, @, tab, CR), since serials and names come
 * from devices and people. */
static void csv_cell(const char *s, bool last)
{
	if (!s)
		s = "";
	bool formula = s[0] && strchr("=+-@\t\r", s[0]);
	putchar('"');
	if (formula)
		putchar('\'');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
	putchar(last ? '\n' : ',');
}

/* list and export show only a register that verifies (chain and signed
 * head; the certificate files are register verify's job). */
static enum kesu_rc reg_read(const struct ropts *o, const char *path, const char *ca,
			     json_t **rows)
{
	if (kesu_reg_is_db(path))
		return cmd_register_pg_list(path, o->since, o->until, o->serial, o->op, rows);
	struct kesu_err err = {0};
	struct collect c = {json_array(), o};
	struct kesu_reg_verify v;
	enum kesu_rc rc = kesu_register_verify(path, ca, false, &v, collect, &c, &err);
	if (rc) {
		json_decref(c.rows);
		kesu_report(&err);
		if (rc == KESU_ERR_INVALID)
			fputs("kesu: nothing listed: the register does not verify; run "
			      "'kesu register verify'\n", stderr);
		return rc;
	}
	*rows = c.rows;
	return KESU_OK;
}

static const char *sv(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static enum kesu_rc repair(const struct ropts *o, const struct kesu_config *cfg,
			   const char *reg, const char *ca)
{
	const char *by = o->op ? o->op : cfg->operator_name;
	if (!o->reason)
		return kesu_usage_error("register repair: give --reason: why entries may "
					"be lost (it is recorded in the register)");
	if (!by[0])
		return kesu_usage_error("register repair: give --operator NAME (or "
					"[operator] name): who decides the repair");
	if (!ca[0])
		return kesu_usage_error("register repair: no trusted CA; give --ca or "
					"set [trust] ca_file");
	struct kesu_err err = {0};
	struct kesu_signer *signer;
	enum kesu_rc rc = kesu_signer_open(o->key ? o->key : cfg->key,
					   o->cert ? o->cert : cfg->cert, cfg->pin_file,
					   cfg->pkcs11_module, &signer, &err);
	if (rc) {
		kesu_report(&err);
		return rc;
	}
	struct kesu_reg_repair res;
	rc = kesu_register_repair(reg, o->reason, by, signer, ca, &res, &err);
	kesu_signer_free(signer);
	if (rc) {
		kesu_report(&err);
		return rc;
	}
	const struct kesu_reg_verdict *v = &res.verdict;
	if (res.nothing) {
		printf("%s: verifies; nothing to repair\n", reg);
		return KESU_OK;
	}
	printf("%s: found: %s%zu%s%s\n", reg, v->bad_line ? "line " : "",
	       v->bad_line, v->bad_line ? ": " : "", v->why);
	printf("%s: kept %zu line(s) up to seq %llu; ", reg, v->keep_lines,
	       (unsigned long long)v->keep_seq);
	if (v->lost_known)
		printf("entries %llu to %llu are lost; ", (unsigned long long)v->lost_first,
		       (unsigned long long)v->lost_last);
	else
		printf("the lost entries are not known (no verified head); ");
	if (res.cut_bytes)
		printf("%zu byte(s) cut, kept in %s\n", res.cut_bytes, res.cut_file);
	else
		printf("nothing cut\n");
	printf("%s: repair recorded as %llu and signed; re-import the lost entries' "
	       "certificates with 'kesu register import'\n", reg,
	       (unsigned long long)res.seq);
	return KESU_OK;
}

enum kesu_rc cmd_register(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? KESU_ERR_USAGE : KESU_OK;
	}
	const char *sub = argv[1];
	if (!strcmp(sub, "report"))
		return cmd_register_report(argc - 1, argv + 1);
	if (cmd_register_pg_verb(sub))
		return cmd_register_pg(argc, argv);
	struct ropts o = {0};
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
	const char *reg = o.reg ? o.reg : kesu_config_register(&cfg);
	const char *ca = o.ca ? o.ca : cfg.ca_file;
	const char *tsa_ca = o.tsa_ca ? o.tsa_ca : cfg.tsa_ca_file;
	int nargs = argc - 1 - optind;
	char **args = argv + 1 + optind;
	if (strcmp(sub, "import") && nargs)
		return kesu_usage_error("register %s: unexpected argument '%s'", sub, args[0]);

	if (!strcmp(sub, "verify") && kesu_reg_is_db(reg))
		return cmd_register_pg(argc, argv);
	if (!strcmp(sub, "verify")) {
		struct kesu_reg_verify v;
		rc = kesu_register_verify_ts(reg, ca, tsa_ca, true, &v, NULL, NULL, &err);
		char gt[KESU_TIME_LEN];
		kesu_time_format(v.head_ts.gen_time, gt);
		if (o.json) {
			json_t *ts = !v.head_ts_present ? json_null()
				: json_pack("{s:b s:o}", "checked", v.head_timestamped,
					    "gen_time", v.head_timestamped ? json_string(gt)
									    : json_null());
			json_t *j = json_pack("{s:s s:b s:I s:I s:I s:I s:I s:I s:o s:o s:o}",
				"register", reg, "ok", rc == KESU_OK,
				"lines", (json_int_t)v.text.lines,
				"head_seq", (json_int_t)v.head_seq,
				"certificates_checked", (json_int_t)v.certs_checked,
				"certificates_missing", (json_int_t)v.certs_missing,
				"repairs", (json_int_t)v.text.repairs,
				"recoveries", (json_int_t)v.text.recoveries,
				"first_bad_line", v.bad_line ? json_integer((json_int_t)v.bad_line) : json_null(),
				"error", rc ? kesu_json_str(err.msg) : json_null(),
				"head_timestamp", ts);
			char *s = json_dumps(j, JSON_INDENT(2));
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
		printf("%s: verified: %zu lines, signed head at %llu, %zu certificate "
		       "files checked, %zu not present here", reg, v.text.lines,
		       (unsigned long long)v.head_seq, v.certs_checked, v.certs_missing);
		if (v.head_timestamped)
			printf(", head timestamped %s by %s", gt, v.head_ts.tsa_subject);
		else if (v.head_ts_present)
			printf("; head timestamp NOT checked (give --tsa-ca-file)");
		printf("\n");
		if (v.text.repairs)
			printf("%s: %zu repair line(s) record entries lost; see 'kesu "
			       "register list'\n", reg, v.text.repairs);
		return KESU_OK;
	}
	if (!strcmp(sub, "list") || !strcmp(sub, "export")) {
		if (!strcmp(sub, "export") && !o.csv)
			return kesu_usage_error("register export: give --csv");
		json_t *rows;
		if ((rc = reg_read(&o, reg, ca, &rows)))
			return rc;
		size_t i;
		json_t *r;
		if (o.json) {
			char *s = json_dumps(rows, JSON_INDENT(2) | JSON_SORT_KEYS);
			if (s)
				printf("%s\n", s);
			free(s);
		} else if (!strcmp(sub, "export")) {
			static const char *const cols[] = {"seq", "time", "kind", "cert_id",
				"run_id", "serial", "model", "result", "operator", "cert_file",
				"cert_sha256", "sig_sha256", NULL};
			for (i = 0; cols[i]; i++)
				csv_cell(cols[i], !cols[i + 1]);
			json_array_foreach(rows, i, r) {
				char seq[24];
				snprintf(seq, sizeof(seq), "%lld",
					 (long long)json_integer_value(json_object_get(r, "seq")));
				for (size_t k = 0; cols[k]; k++)
					csv_cell(k ? sv(r, cols[k]) : seq, !cols[k + 1]);
			}
		} else {
			printf("%-6s %-25s %-22s %-20s %-24s %s\n", "SEQ", "TIME", "RESULT",
			       "SERIAL", "MODEL", "OPERATOR");
			json_array_foreach(rows, i, r) {
				bool rec = strcmp(sv(r, "kind"), "certificate");
				char kind[24];
				snprintf(kind, sizeof(kind), "(%s)", sv(r, "kind"));
				printf("%-6lld %-25s %-22s %-20s %-24s %s\n",
				       (long long)json_integer_value(json_object_get(r, "seq")),
				       sv(r, "time"), rec ? kind : sv(r, "result"),
				       rec ? "-" : sv(r, "serial") ? sv(r, "serial") : "-",
				       rec ? "-" : sv(r, "model") ? sv(r, "model") : "-",
				       rec ? sv(r, "by") ? sv(r, "by") : "-" : sv(r, "operator"));
			}
		}
		json_decref(rows);
		return KESU_OK;
	}
	if (!strcmp(sub, "import")) {
		if (!nargs)
			return kesu_usage_error("register import: give the certificate file(s)");
		if (!ca[0])
			return kesu_usage_error("register import: no trusted CA; give --ca "
						"or set [trust] ca_file");
		struct kesu_signer *signer;
		if ((rc = kesu_signer_open(o.key ? o.key : cfg.key, o.cert ? o.cert : cfg.cert,
					   cfg.pin_file, cfg.pkcs11_module, &signer, &err))) {
			kesu_report(&err);
			return rc;
		}
		/* The new head is timestamped like one written by kesu wipe. */
		struct kesu_tsa tsa = {o.tsa ? o.tsa : cfg.tsa_url, tsa_ca, NULL, NULL};
		enum kesu_rc worst = KESU_OK;
		struct kesu_trust trust = {.ca_file = ca, .tsa_ca_file = tsa_ca};
		struct kesu_err ignored;  /* no store: the files are read per check */
		kesu_trust_store_new(&trust.store, &ignored);
		for (int i = 0; i < nargs; i++) {
			struct kesu_cert_file_verdict v;
			struct kesu_reg_append a;
			if ((rc = kesu_cert_verify(args[i], &trust, &v))) {
				fprintf(stderr, "kesu: %s: %s: %s; not registered\n", args[i],
					v.stage, v.error);
			} else if ((rc = kesu_reg_append_cert_ts(reg, args[i], signer, ca,
								 tsa.url[0] ? &tsa : NULL,
								 &a, &err))) {
				kesu_report(&err);
				if (rc == KESU_ERR_UNSTAMPED)
					printf("%s: registered as %llu (result %s), head not "
					       "timestamped\n", args[i], (unsigned long long)a.seq,
					       v.result);
			} else if (a.already) {
				printf("%s: already registered as %llu; nothing to do\n",
				       args[i], (unsigned long long)a.seq);
			} else {
				if (a.recovered)
					printf("%s: leftovers of an interrupted append were cut "
					       "and recorded as %llu\n", reg,
					       (unsigned long long)a.recovery_seq);
				printf("%s: registered as %llu (result %s)\n", args[i],
				       (unsigned long long)a.seq, v.result);
			}
			if (rc && (!worst || worst == KESU_ERR_UNSTAMPED))
				worst = rc;
		}
		kesu_signer_free(signer);
		kesu_trust_store_free(trust.store);
		return worst;
	}
	if (!strcmp(sub, "repair") && kesu_reg_is_db(reg))
		return kesu_usage_error("register repair: only for register files; a "
					"database register is repaired in the database");
	if (!strcmp(sub, "repair"))
		return repair(&o, &cfg, reg, ca);
	return kesu_usage_error("register: unknown subcommand '%s'; use verify, list, "
				"export, import, repair, report, init-db, push, pull or seal", sub);
}
