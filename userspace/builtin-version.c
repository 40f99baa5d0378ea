// SPDX-License-Identifier: GPL-2.0
/* mshv-vmm version: versions of the tools and of the loaded module. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "fastpath.h"
#include "json.h"

void cmd_version_help(void)
{
	puts("Usage: mshv-vmm version [--json]\n"
	     "\n"
	     "Print the version of these tools and of the mshv_fastpath module,\n"
	     "its ABI and capabilities, and whether the two match.\n"
	     "\n"
	     "  --json   one JSON object, for programs\n"
	     "  -h       this text");
}

static void print_caps(FILE *out, __u64 caps, bool json)
{
	const char *sep = "";

	for (unsigned int cap = 0; cap < 64; cap++) {
		const char *name = fastpath__cap_name(cap);
		char unknown[16];

		if (!(caps & (1ULL << cap)))
			continue;
		if (!name) {
			snprintf(unknown, sizeof(unknown), "cap%u", cap);
			name = unknown;
		}
		fputs(sep, out);
		if (json)
			json__string(out, name);
		else
			fputs(name, out);
		sep = json ? "," : " ";
	}
}

int cmd_version(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct mshv_fp_version v;
	bool json = false, matches;
	int opt, fd;

	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			cmd_version_help();
			return 0;
		default:
			fputs("Try 'mshv-vmm version --help'.\n", stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mshv-vmm version: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}

	fd = fastpath__open(&v);
	matches = fd >= 0 && v.abi_major == MSHV_FP_ABI_MAJOR &&
		  !strcmp(v.module_version, MSHV_FP_TOOLS_VERSION);

	if (json) {
		printf("{\"tools_version\":\"%s\",\"abi\":\"%d.%d\",\"module\":{",
		       MSHV_FP_TOOLS_VERSION, MSHV_FP_ABI_MAJOR, MSHV_FP_ABI_MINOR);
		if (fd < 0) {
			printf("\"loaded\":false,\"error\":");
			json__string(stdout, strerror(-fd));
		} else {
			printf("\"loaded\":true,\"version\":");
			json__string(stdout, v.module_version);
			printf(",\"abi\":\"%u.%u\",\"capabilities\":[", v.abi_major, v.abi_minor);
			print_caps(stdout, v.capabilities, true);
			printf("],\"matches_tools\":%s", matches ? "true" : "false");
		}
		puts("}}");
	} else {
		printf("mshv-vmm  %s (ABI %d.%d)\n", MSHV_FP_TOOLS_VERSION,
		       MSHV_FP_ABI_MAJOR, MSHV_FP_ABI_MINOR);
		if (fd < 0) {
			printf("module    not available: /dev/%s: %s\n", MSHV_FP_DEVICE_NAME,
			       strerror(-fd));
			if (fd == -ENOENT)
				puts("          load it with: sudo modprobe mshv_fastpath");
			else if (fd == -EACCES)
				puts("          add yourself to the kvm group, or run as root");
		} else {
			printf("module    %s (ABI %u.%u), capabilities: ", v.module_version,
			       v.abi_major, v.abi_minor);
			print_caps(stdout, v.capabilities, false);
			putchar('\n');
			if (!matches)
				puts("          differs from these tools: install the module and tools from one release");
		}
	}
	if (fd >= 0)
		close(fd);
	return 0;
}
