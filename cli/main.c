#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef KESU_VERSION
#define KESU_VERSION "0.0.0"
#endif

struct command {
	const char *name;
	enum kesu_rc (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	/* Keep sorted by how often operators reach for them. */
	{"list", cmd_list, "list storage devices and whether kesu may erase them"},
	{"info", cmd_info, "show one device: identity, contents, why it is protected"},
	{"wipe", cmd_wipe, "overwrite devices, verify from the medium, write run records"},
	{"station", cmd_station, "erase disks as they are plugged in, one bay each (kesu-station(8))"},
	{"verify", cmd_verify, "spot-check an erased medium and write a signed report"},
	{"methods", cmd_methods, "list the erasure methods and their passes"},
	{"cert", cmd_cert, "issue, verify or show disposal certificates"},
	{"register", cmd_register, "verify, list, export, import, push or seal the disposal register"},
	{"key", cmd_key, "create a signing key and certificate request"},
	{NULL, NULL, NULL},
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: kesu COMMAND [OPTIONS] [ARGS]\n\n"
		     "Erase storage devices beyond recovery and prove it with signed\n"
		     "disposal certificates.\n\nCommands:\n");
	for (size_t i = 0; commands[i].name; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nRun 'kesu COMMAND --help' for a command's options; see kesu(8).\n");
}

int main(int argc, char **argv)
{
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
	fprintf(stderr, "kesu: unknown command '%s'; run 'kesu --help' for the list\n",
		name);
	return kesu_exit_code(KESU_ERR_USAGE);
}
