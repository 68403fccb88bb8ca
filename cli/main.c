#include "cli/cli.h"
#include "lib/fileio.h"
#include "lib/i18n.h"
#include "lib/strutil.h"

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef KESU_VERSION
#define KESU_VERSION "0.0.0"
#endif
#ifndef KESU_LOCALEDIR
#define KESU_LOCALEDIR "/usr/local/share/locale"
#endif

struct command {
	const char *name;
	enum kesu_rc (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	/* Keep sorted by how often operators reach for them. */
	{"list", cmd_list, N_("list storage devices and whether kesu may erase them")},
	{"info", cmd_info, N_("show one device: identity, contents, why it is protected")},
	{"wipe", cmd_wipe, N_("overwrite devices, verify from the medium, write run records")},
	{"station", cmd_station, N_("erase disks as they are plugged in, one bay each (kesu-station(8))")},
	{"verify", cmd_verify, N_("spot-check an erased medium and write a signed report")},
	{"methods", cmd_methods, N_("list the erasure methods and their passes")},
	{"destroy", cmd_destroy, N_("record the physical destruction of media (signed, registered)")},
	{"cert", cmd_cert, N_("issue, verify or show disposal certificates")},
	{"register", cmd_register, N_("verify, list, export, import, push or seal the disposal register")},
	{"key", cmd_key, N_("create a signing key and certificate request")},
	{"approval", cmd_approval, N_("sign, verify or show an approval to erase")},
	{"custody", cmd_custody, N_("record, acknowledge, verify and follow hand-overs of media")},
	{NULL, NULL, NULL},
};

static void usage(FILE *out)
{
	fputs(_("Usage: kesu COMMAND [OPTIONS] [ARGS]\n\n"
		"Erase storage devices beyond recovery and prove it with signed\n"
		"disposal certificates.\n\nCommands:\n"), out);
	for (size_t i = 0; commands[i].name; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
	fputs(_("\nRun 'kesu COMMAND --help' for a command's options; see kesu(8).\n"), out);
}

/* Only the categories that change what a person reads: LC_NUMERIC and
 * LC_TIME stay "C" so no number or date written to a file, a record or
 * JSON depends on the operator's locale.  A locale/ directory beside the
 * executable (build/locale/, where make compiles the catalogues) comes
 * before the installed one, so a build tree and its tests use the
 * catalogue they were built with (kesu(8), ENVIRONMENT). */
static void init_i18n(void)
{
	setlocale(LC_CTYPE, "");
	setlocale(LC_MESSAGES, "");
	const char *dir = KESU_LOCALEDIR;
	char exe[PATH_MAX], beside[PATH_MAX + 8];
	if (kesu_exe_dir_has("locale", exe, sizeof(exe))) {
		snprintf(beside, sizeof(beside), "%s/locale", exe);
		dir = beside;
	}
	bindtextdomain(KESU_TEXTDOMAIN, dir);
	textdomain(KESU_TEXTDOMAIN);
}

int main(int argc, char **argv)
{
	init_i18n();
	if (argc < 2) {
		usage(stderr);
		return kesu_exit_code(KESU_ERR_USAGE);
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "-V") ||
	    !strcmp(name, "version")) {
		printf("kesu %s\n", KESU_VERSION);
		return 0;
	}
	for (size_t i = 0; commands[i].name; i++)
		if (!strcmp(name, commands[i].name))
			return kesu_exit_code(commands[i].fn(argc - 1, argv + 1));
	char shown[64];
	kesu_clean(shown, sizeof(shown), name, strlen(name));
	fprintf(stderr, _("kesu: unknown command '%s'; run 'kesu --help' for the list\n"),
		shown);
	return kesu_exit_code(KESU_ERR_USAGE);
}
