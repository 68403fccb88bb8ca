/* make bench: a register of N certified entries, made in-process so that
 * verifying 100,000 entries can be timed without issuing them one command
 * at a time.  Every certificate is built from a run record, signed and
 * entered with kesu's own code, so both registers hold exactly what kesu
 * would have written:
 *
 *   regfill KEY CERT RUN_RECORD N DIR
 *
 * writes DIR/certs/kesu-cert-<id>.json(.p7s), the file register
 * DIR/register.jsonl with its signed head, and DIR/entries.csv,
 * DIR/documents.csv and DIR/head.csv for COPY into kesu.entries (its
 * columns up to operator_name, then run_id, asset, department, my_number),
 * kesu.documents and kesu.head. */
#include "certs/document/certificate.h"
#include "certs/register/register.h"
#include "certs/sign/signer.h"
#include "lib/digest.h"
#include "lib/fileio.h"
#include "lib/timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

static void die(const char *what, const struct kesu_err *e)
{
	fprintf(stderr, "regfill: %s: %s\n", what, e ? e->msg : "failed");
	exit(1);
}

/* Plain writes: the fsyncs of kesu_write_atomic would time the disk, and
 * these files only feed the benchmark. */
static void put(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f))
		die(path, NULL);
}

static void csv_text(FILE *f, const char *s, const char *sep)
{
	if (!s) {
		fputs(sep, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
	fputs(sep, f);
}

static void csv_bytea(FILE *f, const void *p, size_t n, const char *sep)
{
	fputs("\\x", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", ((const unsigned char *)p)[i]);
	fputs(sep, f);
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fputs("usage: regfill KEY CERT RUN_RECORD N DIR\n", stderr);
		return 2;
	}
	struct kesu_err e = {0};
	struct kesu_signer *signer;
	if (kesu_signer_open(argv[1], argv[2], NULL, NULL, &signer, &e))
		die("signer", &e);
	char *rrtext, path[4096], hash[65];
	size_t rrlen;
	if (kesu_read_file(argv[3], 16u << 20, &rrtext, &rrlen, &e))
		die(argv[3], &e);
	kesu_sha256_hex(rrtext, rrlen, hash);
	json_t *rr = json_loadb(rrtext, rrlen, 0, NULL);
	long n = atol(argv[4]);
	const char *dir = argv[5];
	snprintf(path, sizeof(path), "%s/certs", dir);
	if (!rr || n < 1 || kesu_mkdir_p(path, 0755, &e))
		die("set-up", &e);
	struct kesu_cert_info info = {0};
	strcpy(info.operator_name, "山田 太郎");
	strcpy(info.operator_organization, "テスト消去株式会社");
	strcpy(info.customer, "総務課");
	strcpy(info.property_number, "A-0001");
	info.confidentiality_class = 3;
	strcpy(info.reason, "disposal");
	strcpy(info.approver, "佐藤 花子");
	strcpy(info.approval_date, "2026-11-20");
	char regp[4096];
	snprintf(regp, sizeof(regp), "%s/register.jsonl", dir);
	FILE *reg = fopen(regp, "w");
	snprintf(path, sizeof(path), "%s/entries.csv", dir);
	FILE *ent = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/documents.csv", dir);
	FILE *docs = fopen(path, "w");
	if (!reg || !ent || !docs)
		die("output files", NULL);
	char prev[65] = KESU_REGISTER_GENESIS, now[KESU_TIME_LEN];
	kesu_time_now(now);
	for (long i = 1; i <= n; i++) {
		uuid_t u;
		char id[37];
		uuid_generate_random(u);
		uuid_unparse_lower(u, id);
		/* A run is certified once: each certificate gets its own run. */
		char run[37];
		uuid_generate_random(u);
		uuid_unparse_lower(u, run);
		json_object_set_new(rr, "run_id", json_string(run));
		json_t *cert;
		if (kesu_cert_build(rr, "run.json", hash, &info, id, now, &cert, &e))
			die("certificate", &e);
		size_t cl;
		char *ctext = kesu_cert_serialize(cert, &cl);
		json_t *asset = json_object_get(cert, "asset");
		char *prop = strdup(json_string_value(json_object_get(asset, "property_number")));
		char *dept = strdup(json_string_value(json_object_get(cert, "customer")));
		bool mn = json_is_true(json_object_get(asset, "my_number"));
		json_decref(cert);
		snprintf(path, sizeof(path), "%s/certs/kesu-cert-%s.json", dir, id);
		unsigned char *der;
		size_t derlen;
		if (!ctext || kesu_signer_sign(signer, ctext, cl, &der, &derlen, &e))
			die(path, &e);
		put(path, ctext, cl);
		char sp[4200];
		snprintf(sp, sizeof(sp), "%s.p7s", path);
		put(sp, der, derlen);
		json_t *entry;
		char eid[37];
		if (kesu_register_cert_entry(path, &entry, eid, &e))
			die(path, &e);
		json_object_set_new(entry, "seq", json_integer(i));
		json_object_set_new(entry, "time", json_string(now));
		json_object_set_new(entry, "prev", json_string(prev));
		char *line = kesu_register_line(entry);
		size_t ll = strlen(line);
		char lh[65];
		kesu_sha256_hex(line, ll, lh);
		fprintf(reg, "%s\n", line);
		fprintf(ent, "%ld,%s,%s,", i, prev, lh);
		csv_bytea(ent, line, ll, ",");
		fprintf(ent, "certificate,%s,%s,", now, id);
		csv_text(ent, json_string_value(json_object_get(entry, "serial")), ",");
		csv_text(ent, json_string_value(json_object_get(entry, "model")), ",");
		csv_text(ent, json_string_value(json_object_get(entry, "result")), ",");
		csv_text(ent, json_string_value(json_object_get(entry, "operator")), ",");
		fprintf(ent, "%s,", run);
		csv_text(ent, prop, ",");
		csv_text(ent, dept, ",");
		fprintf(ent, "%s\n", mn ? "true" : "false");
		free(prop);
		free(dept);
		fprintf(docs, "%ld,", i);
		csv_bytea(docs, ctext, cl, ",");
		csv_bytea(docs, der, derlen, "\n");
		memcpy(prev, lh, sizeof(prev));
		free(line);
		free(ctext);
		free(der);
		json_decref(entry);
	}
	fclose(ent);
	fclose(docs);
	if (fclose(reg))
		die("register", NULL);
	/* The file register's signed head, as register.c writes it. */
	json_t *h = json_pack("{s:s s:s s:I s:s s:s}", "schema", KESU_REGISTER_SCHEMA_HEAD,
			      "register", "register.jsonl", "seq", (json_int_t)n,
			      "line_sha256", prev, "time", now);
	char *ht = json_dumps(h, JSON_SORT_KEYS | JSON_INDENT(2));
	json_decref(h);
	snprintf(path, sizeof(path), "%s/register.jsonl.head", dir);
	FILE *hf = fopen(path, "w");
	if (!hf || fprintf(hf, "%s\n", ht) < 0 || fclose(hf) ||
	    kesu_signer_sign_file(signer, path, &e))
		die("head", &e);
	free(ht);
	snprintf(path, sizeof(path), "%s/head.csv", dir);
	FILE *hc = fopen(path, "w");
	if (!hc || fprintf(hc, "true,%ld,%s\n", n, prev) < 0 || fclose(hc))
		die("head.csv", NULL);
	kesu_signer_free(signer);
	json_decref(rr);
	free(rrtext);
	return 0;
}
