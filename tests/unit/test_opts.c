/* The shared option parser (cli/opts.c): tables stacked, options told apart
 * by entry, one message per kind of mistake. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli/opts.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct kesu_opt own[] = {
	{"all", 'a', NULL, "everything"},
	{"out", 'o', "DIR", "where to write"},
	{"pdf", 0, "[=LANG]", "print too"},
	KESU_OPT_HELP,
	KESU_OPT_END,
};
static const struct kesu_opt shared[] = {
	{"key", 0, "FILE", "signing key"},
	{"quiet", 'q', NULL, NULL},
	KESU_OPT_END,
};

struct seen {
	char log[256];
	int calls;
};

static enum kesu_rc record(void *ud, const struct kesu_opt *opt, const char *arg)
{
	struct seen *s = ud;
	s->calls++;
	size_t n = strlen(s->log);
	snprintf(s->log + n, sizeof(s->log) - n, "%s%s=%s;", kesu_opt_in(opt, shared) ? "S:" : "",
		 opt->name, arg ? arg : "-");
	return KESU_OK;
}

static int helps;
static void demo_help(FILE *out)
{
	(void)out;
	helps++;
}

static enum kesu_rc parse(struct seen *s, int *first, bool *help, int argc, char **argv)
{
	static const struct kesu_opt *const tables[] = {own, shared, NULL};
	const struct kesu_cmd_opts c = {"demo", tables, record, s, demo_help};
	memset(s, 0, sizeof(*s));
	return kesu_opts_parse(&c, argc, argv, first, help);
}

static void options_from_both_tables_in_order(void **state)
{
	(void)state;
	char *argv[] = {"demo", "-a", "--key", "k.pem", "DEV1", "-o", "/tmp", "--quiet",
			"--pdf", "--pdf=en", "DEV2", NULL};
	struct seen s;
	int first;
	bool help;
	assert_int_equal(parse(&s, &first, &help, 11, argv), KESU_OK);
	assert_false(help);
	/* An optional value: absent, then given with '='. */
	assert_string_equal(s.log, "all=-;S:key=k.pem;out=/tmp;S:quiet=-;pdf=-;pdf=en;");
	/* GNU order: operands are moved after the options. */
	assert_int_equal(first, 9);
	assert_string_equal(argv[first], "DEV1");
	assert_string_equal(argv[first + 1], "DEV2");
}

static void help_stops_parsing(void **state)
{
	(void)state;
	char *argv[] = {"demo", "--help", "--bogus", NULL};
	struct seen s;
	int first;
	bool done;
	helps = 0;
	assert_int_equal(parse(&s, &first, &done, 3, argv), KESU_OK);
	assert_true(done);
	assert_int_equal(helps, 1);
	assert_int_equal(s.calls, 0);
}

/* stderr of one parse, for the message checks. */
static enum kesu_rc parse_err(char *msg, size_t size, int argc, char **argv)
{
	fflush(stderr);
	int saved = dup(2);
	FILE *tmp = tmpfile();
	assert_non_null(tmp);
	dup2(fileno(tmp), 2);
	struct seen s;
	int first;
	bool help;
	enum kesu_rc rc = parse(&s, &first, &help, argc, argv);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	size_t n = fread(msg, 1, size - 1, tmp);
	msg[n] = '\0';
	fclose(tmp);
	assert_int_equal(s.calls, 0);
	return rc;
}

static void one_message_per_mistake(void **state)
{
	(void)state;
	char msg[256];
	char *a1[] = {"demo", "--jsn", NULL};
	assert_int_equal(parse_err(msg, sizeof(msg), 2, a1), KESU_ERR_USAGE);
	assert_string_equal(msg, "kesu: demo: unknown option '--jsn'; run 'kesu demo --help'\n");
	char *a2[] = {"demo", "-z", NULL};
	assert_int_equal(parse_err(msg, sizeof(msg), 2, a2), KESU_ERR_USAGE);
	assert_string_equal(msg, "kesu: demo: unknown option '-z'; run 'kesu demo --help'\n");
	char *a3[] = {"demo", "--out", NULL};
	assert_int_equal(parse_err(msg, sizeof(msg), 2, a3), KESU_ERR_USAGE);
	assert_string_equal(msg, "kesu: demo: option '--out' needs a value; run 'kesu demo --help'\n");
	char *a4[] = {"demo", "-o", NULL};
	assert_int_equal(parse_err(msg, sizeof(msg), 2, a4), KESU_ERR_USAGE);
	assert_string_equal(msg, "kesu: demo: option '-o' needs a value; run 'kesu demo --help'\n");
	/* What the operator typed goes to a terminal: cleaned. */
	char *a6[] = {"demo", "--\x1b[2Jx", NULL};
	assert_int_equal(parse_err(msg, sizeof(msg), 2, a6), KESU_ERR_USAGE);
	assert_string_equal(msg, "kesu: demo: unknown option '--?[2Jx'; run 'kesu demo --help'\n");
	char *a5[] = {"demo", "--all=yes", NULL};
	assert_int_equal(parse_err(msg, sizeof(msg), 2, a5), KESU_ERR_USAGE);
	assert_string_equal(msg, "kesu: demo: option '--all' takes no value; run 'kesu demo --help'\n");
}

static void help_lines_from_the_table(void **state)
{
	(void)state;
	char buf[512];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	kesu_opts_print(f, own);
	kesu_opts_print(f, shared);
	fclose(f);
	assert_non_null(strstr(buf, "  -a, --all                    everything\n"));
	assert_non_null(strstr(buf, "  -o, --out DIR                where to write\n"));
	assert_non_null(strstr(buf, "      --key FILE               signing key\n"));
	assert_non_null(strstr(buf, "      --pdf[=LANG]             print too\n"));
	/* An entry without help text stays out of --help. */
	assert_null(strstr(buf, "quiet"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options_from_both_tables_in_order),
		cmocka_unit_test(help_stops_parsing),
		cmocka_unit_test(one_message_per_mistake),
		cmocka_unit_test(help_lines_from_the_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
