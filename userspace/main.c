// SPDX-License-Identifier: GPL-2.0
/* mshv-vmm: command dispatch. */
#include <stdio.h>
#include <string.h>

#include "builtin.h"

static const struct command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	void (*help)(void);
} commands[] = {
	{ "run", "boot a Linux guest", cmd_run, cmd_run_help },
	{ "doctor", "can this host launch VMs? what to fix", cmd_doctor, cmd_doctor_help },
	{ "resvd", "the hypervisor's memory: is hyperv_resvd_new reserved?", cmd_resvd,
	  cmd_resvd_help },
	{ "version", "versions of the tools and the mshv_fastpath module",
	  cmd_version, cmd_version_help },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fputs("Usage: mshv-vmm COMMAND [OPTIONS]\n"
	      "\n"
	      "Runs VMs on the Microsoft Hypervisor's /dev/mshv (or KVM), handling\n"
	      "hot VM exits in the mshv_fastpath kernel module when it is loaded.\n"
	      "\n"
	      "Commands:\n", out);
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\n'mshv-vmm help COMMAND' or 'mshv-vmm COMMAND --help' explains one.\n", out);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	fprintf(stderr, "mshv-vmm: unknown command '%s' (see 'mshv-vmm --help')\n", name);
	return NULL;
}

int main(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		puts("mshv-vmm " MSHV_FP_TOOLS_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		cmd = find_command(argv[2]);
		if (!cmd)
			return EXIT_USAGE;
		cmd->help();
		return 0;
	}
	cmd = find_command(argv[1]);
	if (!cmd)
		return EXIT_USAGE;
	/* getopt's messages name the command as "mshv-vmm NAME". */
	char prog[64];

	snprintf(prog, sizeof(prog), "mshv-vmm %s", cmd->name);
	argv[1] = prog;
	return cmd->run(argc - 1, argv + 1);
}
