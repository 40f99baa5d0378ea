// SPDX-License-Identifier: GPL-2.0
/*
 * mshv-vmm resvd: the hyperv_resvd_new= parameter, with which the mshv boot
 * stub tells the kernel which memory is the hypervisor's own. show decodes
 * it, check says whether the kernel keeps Linux off every range (from
 * /proc/iomem, the firmware's map, the boot stub's setup_data entries and
 * the mshv_fastpath module's own verdicts), generate writes it for a boot
 * loader entry. The parser is common/resvd.c, the module's too; what the
 * host says is read by resvd-host.c.
 *
 * Test hook: MSHV_VMM_ROOT (hostfs.h), for selftests/host/vmm_resvd_test.sh.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "hostfs.h"
#include "json.h"
#include "resvd-host.h"
#include "resvd.h"

#define EXIT_PROBLEM		1
#define CMDLINE_MAX		16384	/* x86 allows 2048 bytes; some kernels more */
#define PARAM_PREFIX		RESVD_PARAM "="
#define MAX_ROWS		(RESVD_MAX_RANGES + SETUP_MAX)
#define CELL			208

void cmd_resvd_help(void)
{
	puts("Usage: mshv-vmm resvd show [--cmdline STRING] [--json]\n"
	     "       mshv-vmm resvd check [--json]\n"
	     "       mshv-vmm resvd generate [--from setup-data|iomem] [--sort] [--merge]\n"
	     "                               [--json] [RANGE...]\n"
	     "\n"
	     "On the root partition of the Microsoft Hypervisor, the boot stub of the\n"
	     "mshv kernels (Azure's Mariner *.mshv*) appends\n"
	     "hyperv_resvd_new=SIZE!START,... to the kernel command line: the\n"
	     "hypervisor's own code and data, which the kernel must reserve. A range\n"
	     "it does not reserve is free memory to Linux, which may give it to a\n"
	     "driver or a guest: silent corruption of the hypervisor.\n"
	     "\n"
	     "  show       decode the parameter of /proc/cmdline: each range's start,\n"
	     "             end (inclusive, as /proc/iomem prints it), size, the ranges\n"
	     "             it touches, the total; a malformed one is shown with the\n"
	     "             problem and a caret under it\n"
	     "  check      whether the kernel keeps Linux off every range: the kernel's\n"
	     "             resource tree (/proc/iomem: run as root, other users see\n"
	     "             every address as 0), the firmware's memory map\n"
	     "             (/sys/firmware/memmap), the boot stub's SETUP_MSHV entries\n"
	     "             (/sys/kernel/boot_params/setup_data: their sizes; their\n"
	     "             addresses need the mshv_fastpath module) and, when the\n"
	     "             module is loaded, its own verdicts; a verdict per range,\n"
	     "             with the fix\n"
	     "  generate   print hyperv_resvd_new=... for a boot loader entry, from the\n"
	     "             boot stub's SETUP_MSHV entries as the module lists them (the\n"
	     "             default), from /proc/iomem's \"Hypervisor Code and Data\"\n"
	     "             entries (--from iomem, as root), or from RANGE arguments:\n"
	     "             SIZE@START or START-END (END inclusive), each number hex\n"
	     "             (0x...) or decimal, optionally followed by K, M or G (KiB,\n"
	     "             MiB, GiB): 372M@0x104e00000, 0x1000-0x1fff. The result is\n"
	     "             parsed back before it is printed\n"
	     "\n"
	     "Options:\n"
	     "  --cmdline STRING   show: decode STRING instead of /proc/cmdline: a\n"
	     "                     command line (when it has a space or an '=') or the\n"
	     "                     value alone (0x1000!0x933000,...)\n"
	     "  --from SOURCE      generate: setup-data or iomem\n"
	     "  --sort             generate: order the ranges by start (default: the\n"
	     "                     order of the source or the arguments)\n"
	     "  --merge            generate: join each range with the next one when it\n"
	     "                     ends where that one starts, as the boot stub does for\n"
	     "                     its SETUP_MSHV entries\n"
	     "  --json             one JSON object instead of text\n"
	     "  -h, --help         this text\n"
	     "\n"
	     "Verdicts of check: reserved (the kernel, or the firmware, keeps Linux off\n"
	     "all of it), claimed (the mshv_fastpath module holds it), UNPROTECTED\n"
	     "(some of it is System RAM Linux may hand out, or memory Linux does not\n"
	     "know or keeps for PCI devices, which a driver may be given as MMIO\n"
	     "space).\n"
	     "\n"
	     "The boot stub writes the parameter at every boot. Write one yourself for\n"
	     "a kernel that does not come through the stub: a kexec reboot (kexec -l\n"
	     "--append=..., or --reuse-cmdline), or a boot loader entry\n"
	     "(GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub or\n"
	     "grub2-mkconfig). A kdump capture kernel ignores it (Mariner's parser\n"
	     "returns at once in a kdump kernel), so KDUMP_COMMANDLINE_APPEND needs it\n"
	     "only for kernels that do read it there. On a kernel that does not know\n"
	     "the parameter, memmap=SIZE$START reserves a range instead.\n"
	     "\n"
	     "Exit status: show: 0 ranges shown, 1 absent or invalid; check: 0 every\n"
	     "range protected, 1 otherwise (unprotected, invalid, absent, or cannot\n"
	     "tell); generate: 0 printed, 1 no usable source; 2 bad command line.");
}

/* ---- Shared by the three commands ---- */

static void json_u64(const char *key, __u64 value, bool comma)
{
	printf("%s\"%s\":%llu", comma ? "," : "", key, (unsigned long long)value);
}

static void json_key_string(const char *key, const char *value, bool comma)
{
	printf("%s\"%s\":", comma ? "," : "", key);
	if (value)
		json__string(stdout, value);
	else
		fputs("null", stdout);
}

/* "4 KiB", "372 MiB", "1.5 GiB": exact when it can be, the hex says it exactly. */
static void human_size(char *buf, size_t size, __u64 bytes)
{
	static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned int u = 0;

	while (u < 6 && bytes >> (10 * (u + 1)))
		u++;
	if (!(bytes & ((1ULL << (10 * u)) - 1)))
		snprintf(buf, size, "%llu %s", (unsigned long long)(bytes >> (10 * u)), units[u]);
	else
		snprintf(buf, size, "%.1f %s", bytes / (double)(1ULL << (10 * u)), units[u]);
}

static __u64 range_end(const struct resvd_range *r)
{
	return r->start + (r->size - 1);
}

static bool ranges_touch(const struct resvd_range *a, const struct resvd_range *b)
{
	return range_end(a) + 1 == b->start || range_end(b) + 1 == a->start;
}

static const char *error_code_name(int code)
{
	static const char *const names[] = {
		[RESVD_ERR_SYNTAX] = "syntax",
		[RESVD_ERR_ZERO_SIZE] = "zero_size",
		[RESVD_ERR_ZERO_START] = "zero_start",
		[RESVD_ERR_TOO_MANY] = "too_many",
		[RESVD_ERR_NO_VALUE] = "no_value",
		[RESVD_ERR_OLD_FORM] = "old_form",
		[RESVD_ERR_EMPTY] = "empty",
		[RESVD_ERR_NUMBER] = "number",
		[RESVD_ERR_OVERFLOW] = "overflow",
		[RESVD_ERR_UNALIGNED] = "unaligned",
		[RESVD_ERR_DUPLICATE] = "duplicate",
		[RESVD_ERR_OVERLAP] = "overlap",
	};

	if (code > 0 && (size_t)code < sizeof(names) / sizeof(names[0]) && names[code])
		return names[code];
	return "unknown";
}

/* A table printed with its columns aligned; extra lines may follow a row. */
#define TABLE_COLS 8

struct table {
	unsigned int cols, nr;
	char cell[MAX_ROWS + 2][TABLE_COLS][CELL];
	int width[TABLE_COLS];
};

static void table_set(struct table *t, unsigned int row, unsigned int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void table_set(struct table *t, unsigned int row, unsigned int col, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	vsnprintf(t->cell[row][col], CELL, fmt, ap);
	va_end(ap);
	len = strlen(t->cell[row][col]);
	if (len > t->width[col])
		t->width[col] = len;
	if (row >= t->nr)
		t->nr = row + 1;
}

static void table_print_row(const struct table *t, unsigned int row)
{
	unsigned int last = t->cols - 1;

	/* No padding after the last cell that has something in it. */
	while (last && !t->cell[row][last][0])
		last--;
	fputs(" ", stdout);
	for (unsigned int c = 0; c <= last; c++)
		printf(" %s%-*s", c ? " " : "", c == last ? 0 : t->width[c], t->cell[row][c]);
	putchar('\n');
}

/* ---- The parameter on a command line ---- */

struct cmdline_resvd {
	const char *source;	/* "/proc/cmdline" or "--cmdline" */
	char text[CMDLINE_MAX];
	size_t len;
	bool bare;		/* text is the value alone */
	bool unreadable;	/* the file could not be read: why says why */
	char why[160];
	int n;			/* occurrences, or -RESVD_ERR_* */
	unsigned int occurrences;
	struct resvd_list list;	/* of the last occurrence */
	struct resvd_error err;
};

/* A --cmdline STRING with a space or an '=' is a command line, else the value. */
static void cmdline_load(struct cmdline_resvd *c, const char *string)
{
	struct resvd_param param;
	ssize_t len;

	memset(c, 0, sizeof(*c));
	if (string) {
		c->source = "--cmdline";
		snprintf(c->text, sizeof(c->text), "%s", string);
		c->bare = *string && !strpbrk(string, " \t\n=");
	} else {
		c->source = "/proc/cmdline";
		len = host_read_file("/proc/cmdline", c->text, sizeof(c->text));
		if (len < 0) {
			c->unreadable = true;
			snprintf(c->why, sizeof(c->why), "cannot read /proc/cmdline: %s",
				 strerror(-len));
			return;
		}
	}
	c->len = strlen(c->text);
	if (c->bare) {
		c->n = resvd_parse(c->text, c->len, &c->list, &c->err);
		c->occurrences = 1;
		if (!c->n)
			c->n = 1;
		return;
	}
	c->n = resvd_parse_cmdline(c->text, c->len, &c->list, &c->err);
	while (resvd_cmdline_find(c->text, c->len, c->occurrences, &param))
		c->occurrences++;
}

/* Where the value of occurrence @nth is. */
static void cmdline_value(const struct cmdline_resvd *c, unsigned int nth, size_t *off, size_t *len)
{
	struct resvd_param param;

	*off = *len = 0;
	if (c->bare) {
		*len = c->len;
	} else if (resvd_cmdline_find(c->text, c->len, nth, &param)) {
		*off = param.off;
		*len = param.len;
	}
}

/* hyperv_resvd_new=VALUE of occurrence @nth, in @buf, unprintable bytes as '?'. */
static void cmdline_param_text(const struct cmdline_resvd *c, unsigned int nth, char *buf,
			       size_t size)
{
	size_t off, len, i;
	int n;

	cmdline_value(c, nth, &off, &len);
	n = snprintf(buf, size, "%s", PARAM_PREFIX);
	for (i = 0; i < len && n + i + 1 < size; i++) {
		unsigned char ch = c->text[off + i];

		buf[n + i] = ch >= ' ' && ch < 0x7f ? ch : '?';
	}
	buf[n + i] = '\0';
}

/*
 * The parameter with a caret under the error: a window of it when it is
 * long, so that the caret stays on the screen.
 */
static void print_caret(const struct cmdline_resvd *c, const char *indent)
{
	enum { WIDTH = 72, BEFORE = 36 };
	char text[CMDLINE_MAX + sizeof(PARAM_PREFIX)];
	size_t total, col, from = 0, shown;
	bool cut_left, cut_right;

	if (c->err.code == RESVD_ERR_NO_VALUE)
		return;
	cmdline_param_text(c, c->err.occurrence, text, sizeof(text));
	total = strlen(text);
	col = strlen(PARAM_PREFIX) + c->err.pos;
	if (total > WIDTH && col > BEFORE)
		from = col - BEFORE;
	cut_left = from > 0;
	shown = total - from > WIDTH ? WIDTH : total - from;
	cut_right = from + shown < total;
	printf("%s%s%.*s%s\n", indent, cut_left ? "..." : "", (int)shown, text + from,
	       cut_right ? "..." : "");
	printf("%s%*s^\n", indent, (int)(col - from + (cut_left ? 3 : 0)), "");
}

static void json_error(const struct cmdline_resvd *c)
{
	fputs(",\"error\":", stdout);
	if (c->n >= 0) {
		fputs("null", stdout);
		return;
	}
	putchar('{');
	json_key_string("code", error_code_name(c->err.code), false);
	json_key_string("message", c->err.msg, true);
	printf(",\"occurrence\":%u,\"range\":%u,\"offset\":%u}", c->err.occurrence,
	       c->err.index, c->err.pos);
}

static const char *cmdline_status(const struct cmdline_resvd *c)
{
	if (c->unreadable)
		return "unreadable";
	return c->n > 0 ? "ok" : c->n ? "invalid" : "absent";
}

/* ---- show ---- */

/* The ranges that touch range @i: "touches ranges 1 and 3". */
static void touch_note(const struct resvd_list *l, unsigned int i, char *buf, size_t size)
{
	unsigned int found = 0, n = 0;
	size_t len = 0;

	for (unsigned int j = 0; j < l->nr; j++)
		n += j != i && ranges_touch(&l->r[i], &l->r[j]);
	buf[0] = '\0';
	for (unsigned int j = 0; j < l->nr && len < size; j++) {
		if (j == i || !ranges_touch(&l->r[i], &l->r[j]))
			continue;
		found++;
		if (found == 1)
			len += snprintf(buf + len, size - len, "touches range%s %u",
					n > 1 ? "s" : "", j);
		else
			len += snprintf(buf + len, size - len, "%s%u", found == n ? " and " : ", ",
					j);
	}
}

/* The decoded table in @t (scratch space), or why there is none. */
static void show_text(const struct cmdline_resvd *c, struct table *t)
{
	const struct resvd_list *l = &c->list;
	char size[32], total_human[32], param[CMDLINE_MAX + sizeof(PARAM_PREFIX)];
	__u64 total = 0;
	unsigned int i;

	if (c->unreadable) {
		printf("%s\n", c->why);
		return;
	}
	if (!c->n) {
		printf("no %s on %s: the kernel was not told which memory is the hypervisor's\n",
		       RESVD_PARAM, c->source);
		return;
	}
	if (c->n < 0) {
		printf("%s on %s is invalid%s: %s\n", RESVD_PARAM, c->source,
		       c->occurrences > 1 ? " (one of several)" : "", c->err.msg);
		if (c->occurrences > 1)
			printf("  occurrence %u of %u:\n", c->err.occurrence + 1, c->occurrences);
		print_caret(c, "  ");
		if (c->err.code == RESVD_ERR_OLD_FORM)
			puts("  The 2023 boot stub passed where its list of ranges was, not the "
			     "ranges:\n  they are in memory, not on the command line, and cannot "
			     "be decoded here.");
		return;
	}
	for (i = 0; i < l->nr; i++)
		total += l->r[i].size;
	human_size(total_human, sizeof(total_human), total);
	printf("%s on %s: %u range%s, %s in all\n\n", RESVD_PARAM, c->source, l->nr,
	       l->nr == 1 ? "" : "s", total_human);

	memset(t, 0, sizeof(*t));
	t->cols = 5;
	table_set(t, 0, 0, "#");
	table_set(t, 0, 1, "start");
	table_set(t, 0, 2, "end (incl.)");
	table_set(t, 0, 3, "size");
	table_set(t, 0, 4, "notes");
	for (i = 0; i < l->nr; i++) {
		human_size(size, sizeof(size), l->r[i].size);
		table_set(t, i + 1, 0, "%u", i);
		table_set(t, i + 1, 1, "0x%llx", (unsigned long long)l->r[i].start);
		table_set(t, i + 1, 2, "0x%llx", (unsigned long long)range_end(&l->r[i]));
		table_set(t, i + 1, 3, "%s (0x%llx)", size, (unsigned long long)l->r[i].size);
		touch_note(l, i, t->cell[i + 1][4], CELL);
	}
	table_set(t, i + 1, 1, "total");
	table_set(t, i + 1, 3, "%s (0x%llx)", total_human, (unsigned long long)total);
	for (i = 0; i < t->nr; i++)
		table_print_row(t, i);
	if (c->occurrences > 1) {
		printf("\n%s appears %u times: the kernel reserves the ranges of each; shown is "
		       "the last,\nthe one the boot stub appends. The others:\n", RESVD_PARAM,
		       c->occurrences);
		for (i = 0; i + 1 < c->occurrences; i++) {
			cmdline_param_text(c, i, param, sizeof(param));
			printf("  %s\n", param);
		}
	}
}

static void show_json(const struct cmdline_resvd *c)
{
	char param[CMDLINE_MAX + sizeof(PARAM_PREFIX)];
	const struct resvd_list *l = &c->list;
	__u64 total = 0;
	unsigned int i;

	putchar('{');
	json_key_string("source", c->source, false);
	json_key_string("status", cmdline_status(c), true);
	printf(",\"occurrences\":%u,\"values\":[", c->occurrences);
	for (i = 0; i < c->occurrences; i++) {
		cmdline_param_text(c, i, param, sizeof(param));
		printf("%s", i ? "," : "");
		json__string(stdout, param + strlen(PARAM_PREFIX));
	}
	fputs("],\"ranges\":[", stdout);
	for (i = 0; c->n > 0 && i < l->nr; i++) {
		unsigned int found = 0;

		total += l->r[i].size;
		printf("%s{\"index\":%u", i ? "," : "", i);
		json_u64("start", l->r[i].start, true);
		json_u64("end", range_end(&l->r[i]), true);
		json_u64("size", l->r[i].size, true);
		fputs(",\"adjacent_to\":[", stdout);
		for (unsigned int j = 0; j < l->nr; j++)
			if (j != i && ranges_touch(&l->r[i], &l->r[j]))
				printf("%s%u", found++ ? "," : "", j);
		fputs("]}", stdout);
	}
	putchar(']');
	json_u64("total", total, true);
	if (c->unreadable)
		json_key_string("unreadable", c->why, true);
	json_error(c);
	puts("}");
}

/* ---- Command-line parsing shared by the subcommands ---- */

enum {
	OPT_JSON = 0x100, OPT_CMDLINE, OPT_FROM, OPT_SORT, OPT_MERGE,
};

/* One line for a usage error: EXIT_USAGE, for the caller to return. */
static int usage_error(const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int usage_error(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see 'mshv-vmm resvd --help')\n", stderr);
	return EXIT_USAGE;
}

struct resvd_opts {
	bool json, help, sort, merge;
	const char *cmdline;
	const char *from;
};

/* getopt_long, quiet: one line of ours for anything wrong. 0, or EXIT_USAGE. */
static int parse_opts(int argc, char **argv, const struct option *options, struct resvd_opts *o)
{
	int opt;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			o->help = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_CMDLINE:
			o->cmdline = optarg;
			break;
		case OPT_FROM:
			o->from = optarg;
			break;
		case OPT_SORT:
			o->sort = true;
			break;
		case OPT_MERGE:
			o->merge = true;
			break;
		case ':':
			return usage_error(argv[0], "%s needs a value", argv[optind - 1]);
		default:
			return usage_error(argv[0], "unknown option '%s'", argv[optind - 1]);
		}
	}
	return 0;
}

static int cmd_show(int argc, char **argv)
{
	static const struct option options[] = {
		{ "cmdline", required_argument, NULL, OPT_CMDLINE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct cmdline_resvd *c;
	struct table *t;
	struct resvd_opts o;
	int ret = parse_opts(argc, argv, options, &o);

	if (ret)
		return ret;
	if (o.help) {
		cmd_resvd_help();
		return 0;
	}
	if (optind < argc)
		return usage_error(argv[0], "unexpected argument '%s'", argv[optind]);
	if (o.cmdline && strlen(o.cmdline) >= CMDLINE_MAX)
		return usage_error(argv[0], "--cmdline: longer than %d bytes", CMDLINE_MAX - 1);
	c = malloc(sizeof(*c));
	t = malloc(sizeof(*t));
	if (!c || !t) {
		free(c);
		free(t);
		fprintf(stderr, "%s: out of memory\n", argv[0]);
		return EXIT_PROBLEM;
	}
	cmdline_load(c, o.cmdline);
	if (o.json)
		show_json(c);
	else
		show_text(c, t);
	ret = c->n > 0 && !c->unreadable ? 0 : EXIT_PROBLEM;
	free(c);
	free(t);
	return ret;
}

/* ---- check ---- */

/* From the least to the most serious: the overall verdict is the worst found. */
enum overall {
	OVERALL_OK,
	OVERALL_MISMATCH,	/* the boot stub's entries and the command line differ */
	OVERALL_UNKNOWN,	/* cannot tell: /proc/iomem or /proc/cmdline unusable */
	OVERALL_UNPROTECTED,
	OVERALL_ABSENT,
	OVERALL_INVALID,
};

static const char *const overall_name[] = {
	[OVERALL_OK] = "ok", [OVERALL_MISMATCH] = "mismatch", [OVERALL_UNKNOWN] = "unknown",
	[OVERALL_UNPROTECTED] = "unprotected", [OVERALL_ABSENT] = "absent",
	[OVERALL_INVALID] = "invalid",
};

static const char *const verdict_name[] = {
	[VERDICT_RESERVED] = "reserved", [VERDICT_CLAIMED] = "claimed",
	[VERDICT_UNPROTECTED] = "unprotected", [VERDICT_UNKNOWN] = "unknown",
};

struct check_row {
	bool from_setup;	/* a range of the boot stub the command line lacks */
	unsigned int index;	/* in the command line's list, or the module's setup_data list */
	struct resvd_range r;
	struct iomem_verdict io;
	char firmware[96];	/* "" without a firmware map */
	int setup;		/* the boot stub's entry holding it (module's list), -1 */
	const struct module_range *mod;	/* the module's verdict, when it has one */
	bool disagree;		/* the module and /proc/iomem disagree */
	enum resvd_verdict verdict;
	char fix[400];
	char note[160];
};

struct check {
	struct cmdline_resvd cmd;
	struct iomem io;
	int io_ret;
	bool io_usable, io_hidden;
	char io_why[200];
	unsigned int hv_entries;	/* "Hypervisor Code and Data" in /proc/iomem */
	unsigned int hv_elsewhere;	/* ... outside the command line's ranges */
	struct fwmap fw;
	int fw_ret;
	char fw_why[200];
	struct setup_list sd;
	int sd_ret;
	char sd_why[200];
	unsigned int nr_mshv;		/* SETUP_MSHV entries in setup_data */
	__u64 mshv_size[SETUP_MAX];
	char sd_summary[720];
	char sd_notes[2][200];
	struct module_resvd mod;
	bool mod_usable, mod_addresses, mod_same_ranges;
	char mod_summary[400];
	struct check_row row[MAX_ROWS];
	unsigned int nr_rows;
	enum overall overall;
	char summary[400];
	struct table table;
};

static void worse(struct check *ck, enum overall o)
{
	if (o > ck->overall)
		ck->overall = o;
}

/* Whether the command line's ranges hold all of @r, together. */
static bool cmdline_covers(const struct check *ck, const struct resvd_range *r)
{
	__u64 pos = r->start, end = range_end(r);
	bool moved = true;

	if (ck->cmd.n <= 0)
		return false;
	while (moved) {
		moved = false;
		for (unsigned int i = 0; i < ck->cmd.list.nr; i++) {
			const struct resvd_range *c = &ck->cmd.list.r[i];

			if (c->start <= pos && pos <= range_end(c)) {
				if (range_end(c) >= end)
					return true;
				pos = range_end(c) + 1;
				moved = true;
			}
		}
	}
	return false;
}

static void check_collect(struct check *ck)
{
	struct resvd_range hv[RESVD_MAX_RANGES];

	cmdline_load(&ck->cmd, NULL);
	ck->io_ret = iomem_read(&ck->io, ck->io_why, sizeof(ck->io_why));
	ck->io_hidden = !ck->io_ret && iomem_hidden(&ck->io);
	ck->io_usable = !ck->io_ret && !ck->io_hidden && ck->io.nr;
	if (!ck->io_ret && !ck->io.nr)
		snprintf(ck->io_why, sizeof(ck->io_why), "/proc/iomem is empty");
	if (ck->io_usable) {
		ck->hv_entries = iomem_hypervisor_ranges(&ck->io, hv, RESVD_MAX_RANGES);
		for (unsigned int i = 0; i < ck->hv_entries && i < RESVD_MAX_RANGES; i++)
			ck->hv_elsewhere += !cmdline_covers(ck, &hv[i]);
	}
	ck->fw_ret = fwmap_read(&ck->fw, ck->fw_why, sizeof(ck->fw_why));
	ck->sd_ret = setup_data_read(&ck->sd, ck->sd_why, sizeof(ck->sd_why));
	for (unsigned int i = 0; !ck->sd_ret && i < ck->sd.nr; i++)
		if (ck->sd.entry[i].mshv)
			ck->mshv_size[ck->nr_mshv++] = ck->sd.entry[i].size;
	module_resvd_read(&ck->mod);
	ck->mod_usable = ck->mod.has_resvd && ck->mod.valid;
	ck->mod_addresses = ck->mod_usable && ck->mod.has_setup_data;
	ck->mod_same_ranges = ck->mod_usable && ck->cmd.n > 0 &&
			      ck->mod.count == ck->cmd.list.nr;
	for (unsigned int i = 0; ck->mod_same_ranges && i < ck->mod.count; i++)
		ck->mod_same_ranges = ck->mod.range[i].start == ck->cmd.list.r[i].start &&
				      ck->mod.range[i].size == ck->cmd.list.r[i].size;
}

static void row_fix(const struct check *ck, struct check_row *row)
{
	char memmap[64];

	snprintf(memmap, sizeof(memmap), "memmap=0x%llx$0x%llx",
		 (unsigned long long)row->r.size, (unsigned long long)row->r.start);
	if (row->disagree && row->io.verdict != VERDICT_UNPROTECTED)
		snprintf(row->fix, sizeof(row->fix), "the module finds it unprotected where "
			 "/proc/iomem shows %s: report both ('mshv-vmm resvd check --json')",
			 row->io.where);
	else if (row->io.in_use)
		snprintf(row->fix, sizeof(row->fix), "the kernel uses this memory itself: it was "
			 "placed over the hypervisor's; boot through the mshv loader again, and "
			 "report it if it stays");
	else if (row->from_setup)
		snprintf(row->fix, sizeof(row->fix), "this range of the boot stub is not on the "
			 "command line: look for a stale %s in the boot loader entry "
			 "(GRUB_CMDLINE_LINUX) or a command line cut short at its length limit; "
			 "%s keeps Linux off it meanwhile", RESVD_PARAM, memmap);
	else if (!ck->hv_entries)
		snprintf(row->fix, sizeof(row->fix), "this kernel reserved none of the ranges: "
			 "boot a kernel that reads %s (Mariner's *.mshv* kernels), or add %s to "
			 "the boot loader entry", RESVD_PARAM, memmap);
	else
		snprintf(row->fix, sizeof(row->fix), "the kernel reserved other ranges but not "
			 "this one: boot with the parameter the boot stub wrote (check the boot "
			 "loader entry for another copy), or add %s to it", memmap);
}

static void row_judge(struct check *ck, struct check_row *row)
{
	bool io_protected, mod_protected;

	if (ck->io_usable) {
		iomem_classify(&ck->io, row->r.start, range_end(&row->r), &row->io);
	} else {
		row->io.verdict = VERDICT_UNKNOWN;
		snprintf(row->io.where, sizeof(row->io.where), "%s",
			 ck->io_hidden ? "addresses hidden (not root)" : "unreadable");
	}
	if (!ck->fw_ret)
		fwmap_describe(&ck->fw, row->r.start, range_end(&row->r), row->firmware,
			       sizeof(row->firmware));
	row->setup = -1;
	for (unsigned int k = 0; ck->mod_addresses && k < ck->mod.nr_setup; k++)
		if (ck->mod.setup[k].start <= row->r.start &&
		    range_end(&row->r) <= range_end(&ck->mod.setup[k]))
			row->setup = k;
	if (!row->from_setup && ck->mod_addresses && row->setup < 0)
		snprintf(row->note, sizeof(row->note), "not one of the boot stub's ranges "
			 "(setup_data): the command line may be a stale copy");
	if (!row->from_setup && ck->mod_same_ranges)
		row->mod = &ck->mod.range[row->index];

	row->verdict = row->io.verdict;
	if (row->verdict == VERDICT_UNKNOWN)
		return;
	if (row->mod) {
		io_protected = row->io.verdict != VERDICT_UNPROTECTED;
		mod_protected = module_status_protected(row->mod->status);
		row->disagree = io_protected != mod_protected;
		if (row->disagree)
			row->verdict = VERDICT_UNPROTECTED;
		else if (!strcmp(row->mod->status, "claimed"))
			row->verdict = VERDICT_CLAIMED;
	}
	if (row->verdict == VERDICT_UNPROTECTED)
		row_fix(ck, row);
}

static void add_row(struct check *ck, bool from_setup, unsigned int index,
		    const struct resvd_range *r)
{
	struct check_row *row = &ck->row[ck->nr_rows++];

	row->from_setup = from_setup;
	row->index = index;
	row->r = *r;
	row_judge(ck, row);
}

/* The sizes of the command line's ranges as the boot stub merges them for setup_data. */
static unsigned int merged_sizes(const struct resvd_list *l, __u64 *sizes)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < l->nr; i++) {
		if (i && range_end(&l->r[i - 1]) + 1 == l->r[i].start)
			sizes[n - 1] += l->r[i].size;
		else
			sizes[n++] = l->r[i].size;
	}
	return n;
}

static void list_sizes(char *buf, size_t size, const __u64 *sizes, unsigned int n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < n && len < size; i++) {
		char human[32];

		human_size(human, sizeof(human), sizes[i]);
		len += snprintf(buf + len, size - len, "%s%s", i ? ", " : "", human);
	}
}

static void check_setup_data(struct check *ck)
{
	char have[160], want[160];
	__u64 sizes[RESVD_MAX_RANGES] = { 0 };
	unsigned int n, notes = 0, outside = 0, missing = 0;

	for (unsigned int i = 0; !ck->sd_ret && i < ck->sd.nr && notes < 2; i++) {
		const struct setup_entry *e = &ck->sd.entry[i];

		if (e->type_known && e->type == SETUP_MSHV && !e->mshv)
			snprintf(ck->sd_notes[notes++], sizeof(ck->sd_notes[0]),
				 "setup_data %u: type 0x7 but %llu bytes, not whole pages: not the "
				 "boot stub's (upstream Linux uses 7 for SETUP_CC_BLOB, an SEV-SNP "
				 "guest's)", e->number, (unsigned long long)e->size);
	}
	if (ck->sd_ret) {
		snprintf(ck->sd_summary, sizeof(ck->sd_summary), "%s", ck->sd_why);
		return;
	}
	list_sizes(have, sizeof(have), ck->mshv_size, ck->nr_mshv);
	if (ck->sd.more && notes < 2)
		snprintf(ck->sd_notes[notes++], sizeof(ck->sd_notes[0]), "more than %d setup_data "
			 "entries: the first %d were looked at", SETUP_MAX, SETUP_MAX);
	if (!ck->nr_mshv) {
		snprintf(ck->sd_summary, sizeof(ck->sd_summary), "no SETUP_MSHV entries%s: this "
			 "kernel was not started by the mshv boot stub (a kexec, or a boot loader "
			 "entry that writes the parameter itself); nothing to compare",
			 ck->sd.present ? "" : " (no /sys/kernel/boot_params/setup_data)");
		return;
	}
	if (ck->mod_addresses) {
		bool same = ck->mod.nr_setup == ck->nr_mshv;

		for (unsigned int i = 0; same && i < ck->nr_mshv; i++)
			same = ck->mod.setup[i].size == ck->mshv_size[i];
		for (unsigned int i = 0; i < ck->nr_rows; i++) {
			outside += ck->row[i].from_setup;
			missing += !ck->row[i].from_setup && ck->row[i].setup < 0;
		}
		if (!same) {
			worse(ck, OVERALL_MISMATCH);
			snprintf(ck->sd_summary, sizeof(ck->sd_summary), "%u SETUP_MSHV entries "
				 "(%s), but the module lists %u: they should be the same",
				 ck->nr_mshv, have, ck->mod.nr_setup);
		} else if (outside || missing) {
			size_t len = snprintf(ck->sd_summary, sizeof(ck->sd_summary),
					      "%u SETUP_MSHV entries at the addresses the module "
					      "lists:", ck->nr_mshv);

			if (outside)
				len += snprintf(ck->sd_summary + len, sizeof(ck->sd_summary) - len,
						" %u not on the command line (rows s*)%s", outside,
						missing ? ";" : "");
			if (missing)
				snprintf(ck->sd_summary + len, sizeof(ck->sd_summary) - len,
					 " %u range%s of the command line not among them", missing,
					 missing == 1 ? "" : "s");
		} else {
			snprintf(ck->sd_summary, sizeof(ck->sd_summary), "%u SETUP_MSHV entries "
				 "at the addresses the module lists: the same memory as the "
				 "command line's ranges", ck->nr_mshv);
		}
		return;
	}
	if (ck->cmd.n <= 0) {
		snprintf(ck->sd_summary, sizeof(ck->sd_summary), "%u SETUP_MSHV entries (%s): "
			 "the boot stub did run; their addresses need the mshv_fastpath module",
			 ck->nr_mshv, have);
		return;
	}
	n = merged_sizes(&ck->cmd.list, sizes);
	list_sizes(want, sizeof(want), sizes, n);
	if (n == ck->nr_mshv && !memcmp(sizes, ck->mshv_size, n * sizeof(sizes[0]))) {
		snprintf(ck->sd_summary, sizeof(ck->sd_summary), "%u SETUP_MSHV entries (%s): "
			 "the sizes of the command line's ranges; their addresses need the "
			 "mshv_fastpath module", ck->nr_mshv, have);
		return;
	}
	worse(ck, OVERALL_MISMATCH);
	snprintf(ck->sd_summary, sizeof(ck->sd_summary), "%u SETUP_MSHV entries (%s), but the "
		 "command line's ranges make %u (%s): the command line may not be the one the boot "
		 "stub wrote; the module would show the addresses", ck->nr_mshv, have, n, want);
}

static void check_module(struct check *ck)
{
	const struct module_resvd *m = &ck->mod;
	unsigned int disagree = 0;
	size_t len;

	if (!m->loaded) {
		snprintf(ck->mod_summary, sizeof(ck->mod_summary), "mshv_fastpath not loaded: "
			 "with it, check also sees the boot stub's addresses and the module's "
			 "own verdicts (sudo modprobe mshv_fastpath)");
		return;
	}
	if (!m->has_resvd) {
		snprintf(ck->mod_summary, sizeof(ck->mod_summary), "mshv_fastpath is loaded, "
			 "without /sys/kernel/mshv_fastpath/resvd: a version before it had one");
		return;
	}
	if (!m->valid) {
		snprintf(ck->mod_summary, sizeof(ck->mod_summary), "its verdicts cannot be "
			 "used: %s", m->problem);
		return;
	}
	for (unsigned int i = 0; i < ck->nr_rows; i++)
		disagree += ck->row[i].disagree;
	len = snprintf(ck->mod_summary, sizeof(ck->mod_summary), "status %s, %u range%s",
		       m->status, m->count, m->count == 1 ? "" : "s");
	if (m->error[0])
		len += snprintf(ck->mod_summary + len, sizeof(ck->mod_summary) - len,
				" (its parser: %s)", m->error);
	if (len >= sizeof(ck->mod_summary))
		return;
	if (ck->cmd.n > 0 && !ck->mod_same_ranges) {
		worse(ck, OVERALL_MISMATCH);
		snprintf(ck->mod_summary + len, sizeof(ck->mod_summary) - len, "; it has other "
			 "ranges than /proc/cmdline: its verdicts are not compared");
	} else if (ck->cmd.n <= 0 && strcmp(m->status, cmdline_status(&ck->cmd))) {
		worse(ck, OVERALL_MISMATCH);
		snprintf(ck->mod_summary + len, sizeof(ck->mod_summary) - len, "; this tool "
			 "finds the parameter %s", cmdline_status(&ck->cmd));
	} else if (ck->cmd.n > 0 && !ck->io_usable) {
		snprintf(ck->mod_summary + len, sizeof(ck->mod_summary) - len, "; not compared: "
			 "/proc/iomem gives no verdicts to compare with");
	} else if (ck->cmd.n > 0) {
		snprintf(ck->mod_summary + len, sizeof(ck->mod_summary) - len, "; %s",
			 disagree ? "it DISAGREES with /proc/iomem (above)" :
			 "it agrees with /proc/iomem on every range");
	}
}

static void check_judge(struct check *ck)
{
	unsigned int reserved = 0, claimed = 0, unprotected = 0;
	size_t len;

	if (ck->cmd.n > 0)
		for (unsigned int i = 0; i < ck->cmd.list.nr; i++)
			add_row(ck, false, i, &ck->cmd.list.r[i]);
	for (unsigned int k = 0; ck->mod_addresses && k < ck->mod.nr_setup; k++)
		if (!cmdline_covers(ck, &ck->mod.setup[k]))
			add_row(ck, true, k, &ck->mod.setup[k]);
	for (unsigned int i = 0; i < ck->nr_rows; i++) {
		reserved += ck->row[i].verdict == VERDICT_RESERVED;
		claimed += ck->row[i].verdict == VERDICT_CLAIMED;
		unprotected += ck->row[i].verdict == VERDICT_UNPROTECTED;
	}
	check_setup_data(ck);
	check_module(ck);

	if (ck->cmd.unreadable) {
		worse(ck, OVERALL_UNKNOWN);
		snprintf(ck->summary, sizeof(ck->summary), "cannot tell: %s", ck->cmd.why);
		return;
	}
	if (ck->cmd.n < 0) {
		worse(ck, OVERALL_INVALID);
		snprintf(ck->summary, sizeof(ck->summary), "invalid: %s does not parse (above); "
			 "the boot stub writes it at every boot: remove any copy from the boot "
			 "loader's configuration", RESVD_PARAM);
		return;
	}
	if (!ck->cmd.n) {
		worse(ck, OVERALL_ABSENT);
		len = snprintf(ck->summary, sizeof(ck->summary), "absent: no %s on /proc/cmdline: "
			       "nothing tells this kernel which memory is the hypervisor's",
			       RESVD_PARAM);
		if (ck->nr_mshv && len < sizeof(ck->summary))
			snprintf(ck->summary + len, sizeof(ck->summary) - len, "; yet the boot "
				 "stub left %u SETUP_MSHV entries: the parameter was lost (a "
				 "command line cut short?); with the module loaded, 'mshv-vmm "
				 "resvd generate' prints it", ck->nr_mshv);
		return;
	}
	if (unprotected) {
		worse(ck, OVERALL_UNPROTECTED);
		snprintf(ck->summary, sizeof(ck->summary), "UNPROTECTED: %u of %u range%s: Linux "
			 "may hand the hypervisor's memory out (the fix is under each)",
			 unprotected, ck->nr_rows, ck->nr_rows == 1 ? "" : "s");
		return;
	}
	if (!ck->io_usable) {
		worse(ck, OVERALL_UNKNOWN);
		snprintf(ck->summary, sizeof(ck->summary), "cannot tell: %s", ck->io_hidden ?
			 "run as root: /proc/iomem hides addresses from other users" : ck->io_why);
		return;
	}
	if (ck->overall == OVERALL_MISMATCH) {
		snprintf(ck->summary, sizeof(ck->summary), "mismatch: every range is protected, "
			 "but the sources disagree on what the ranges are (above)");
		return;
	}
	len = snprintf(ck->summary, sizeof(ck->summary), "ok: every range is protected: ");
	if (reserved)
		len += snprintf(ck->summary + len, sizeof(ck->summary) - len, "%u reserved%s",
				reserved, claimed ? ", " : "");
	if (claimed && len < sizeof(ck->summary))
		snprintf(ck->summary + len, sizeof(ck->summary) - len, "%u claimed by "
			 "mshv_fastpath", claimed);
}

static void check_text(struct check *ck)
{
	struct table *t = &ck->table;
	bool module_col = ck->mod_same_ranges;
	unsigned int col_fw = module_col ? 6 : 5, i;
	char human[32];

	if (ck->cmd.unreadable) {
		printf("%s\n", ck->cmd.why);
	} else if (ck->cmd.n < 0 || !ck->cmd.n) {
		show_text(&ck->cmd, t);
	} else {
		__u64 total = 0;

		for (i = 0; i < ck->cmd.list.nr; i++)
			total += ck->cmd.list.r[i].size;
		human_size(human, sizeof(human), total);
		printf("%s on /proc/cmdline: %u range%s, %s in all\n", RESVD_PARAM,
		       ck->cmd.list.nr, ck->cmd.list.nr == 1 ? "" : "s", human);
	}
	if (ck->nr_rows) {
		memset(t, 0, sizeof(*t));
		t->cols = col_fw + 2;
		table_set(t, 0, 0, "#");
		table_set(t, 0, 1, "start");
		table_set(t, 0, 2, "end");
		table_set(t, 0, 3, "size");
		table_set(t, 0, 4, "verdict");
		if (module_col)
			table_set(t, 0, 5, "module");
		table_set(t, 0, col_fw, "firmware map");
		table_set(t, 0, col_fw + 1, "/proc/iomem");
		for (i = 0; i < ck->nr_rows; i++) {
			const struct check_row *row = &ck->row[i];

			human_size(human, sizeof(human), row->r.size);
			table_set(t, i + 1, 0, "%s%u", row->from_setup ? "s" : "", row->index);
			table_set(t, i + 1, 1, "0x%llx", (unsigned long long)row->r.start);
			table_set(t, i + 1, 2, "0x%llx", (unsigned long long)range_end(&row->r));
			table_set(t, i + 1, 3, "%s", human);
			table_set(t, i + 1, 4, "%s", row->verdict == VERDICT_UNPROTECTED ?
				  "UNPROTECTED" : verdict_name[row->verdict]);
			if (module_col)
				table_set(t, i + 1, 5, "%s%s", row->mod ? row->mod->status : "-",
					  row->disagree ? " (!)" : "");
			table_set(t, i + 1, col_fw, "%s", row->firmware[0] ? row->firmware : "-");
			table_set(t, i + 1, col_fw + 1, "%s", row->io.where);
		}
		putchar('\n');
		table_print_row(t, 0);
		for (i = 0; i < ck->nr_rows; i++) {
			const struct check_row *row = &ck->row[i];

			table_print_row(t, i + 1);
			if (row->from_setup)
				printf("       note: a range of the boot stub (setup_data) that "
				       "the command line lacks\n");
			if (row->note[0])
				printf("       note: %s\n", row->note);
			if (row->disagree)
				printf("       the module says %s%s%s; /proc/iomem shows %s\n",
				       row->mod->status, row->mod->detail[0] ? ": " : "",
				       row->mod->detail, row->io.where);
			if (row->fix[0])
				printf("       fix: %s\n", row->fix);
		}
	}
	putchar('\n');
	if (ck->io_ret && !ck->cmd.unreadable)
		printf("/proc/iomem: %s\n", ck->io_why);
	else if (ck->io_hidden)
		printf("/proc/iomem: every address reads 0: run as root: /proc/iomem hides "
		       "addresses from other users\n");
	else if (ck->io_usable && ck->hv_elsewhere)
		printf("/proc/iomem: %u \"%s\" entr%s, %u of them outside the command "
		       "line's ranges\n", ck->hv_entries, IOMEM_HYPERVISOR,
		       ck->hv_entries == 1 ? "y" : "ies", ck->hv_elsewhere);
	else if (ck->io_usable)
		printf("/proc/iomem: %u \"%s\" entr%s%s\n", ck->hv_entries, IOMEM_HYPERVISOR,
		       ck->hv_entries == 1 ? "y" : "ies", ck->hv_entries ?
		       ", each one within the command line's ranges" : "");
	if (ck->fw_ret == -ENOENT)
		printf("firmware map: no /sys/firmware/memmap (a kernel without "
		       "CONFIG_FIRMWARE_MEMMAP)\n");
	else if (ck->fw_ret)
		printf("firmware map: %s\n", ck->fw_why);
	printf("setup_data: %s\n", ck->sd_summary);
	for (i = 0; i < 2 && ck->sd_notes[i][0]; i++)
		printf("  %s\n", ck->sd_notes[i]);
	printf("module: %s\n", ck->mod_summary);
	printf("\n%s\n", ck->summary);
}

static void check_json(const struct check *ck)
{
	unsigned int i;

	printf("{\"status\":\"%s\"", overall_name[ck->overall]);
	json_key_string("summary", ck->summary, true);
	fputs(",\"cmdline\":{", stdout);
	json_key_string("status", cmdline_status(&ck->cmd), false);
	printf(",\"occurrences\":%u", ck->cmd.occurrences);
	json_error(&ck->cmd);
	fputs("},\"iomem\":{", stdout);
	json_key_string("status", ck->io_usable ? "ok" : ck->io_hidden ? "hidden" :
			"unreadable", false);
	printf(",\"hypervisor_entries\":%u", ck->hv_entries);
	json_key_string("error", ck->io_usable ? NULL : ck->io_hidden ?
			"run as root: /proc/iomem hides addresses from other users" : ck->io_why,
			true);
	printf("},\"firmware_map\":{\"available\":%s", ck->fw_ret ? "false" : "true");
	json_key_string("error", ck->fw_ret ? ck->fw_why : NULL, true);
	printf("},\"setup_data\":{\"present\":%s,\"entries\":[", ck->sd.present ? "true" : "false");
	for (i = 0; !ck->sd_ret && i < ck->sd.nr; i++) {
		const struct setup_entry *e = &ck->sd.entry[i];

		printf("%s{\"number\":%u,\"type\":", i ? "," : "", e->number);
		if (e->type_known)
			printf("%u", e->type);
		else
			fputs("null", stdout);
		json_u64("size", e->size, true);
		printf(",\"mshv\":%s}", e->mshv ? "true" : "false");
	}
	printf("],\"addresses_from_module\":%s", ck->mod_addresses ? "true" : "false");
	json_key_string("summary", ck->sd_summary, true);
	printf("},\"module\":{\"loaded\":%s,\"resvd\":%s", ck->mod.loaded ? "true" : "false",
	       ck->mod.has_resvd ? "true" : "false");
	if (ck->mod_usable) {
		json_key_string("status", ck->mod.status, true);
		printf(",\"count\":%u", ck->mod.count);
		json_key_string("error", ck->mod.error[0] ? ck->mod.error : NULL, true);
	}
	if (ck->mod.has_resvd && !ck->mod.valid)
		json_key_string("problem", ck->mod.problem, true);
	json_key_string("summary", ck->mod_summary, true);
	fputs("},\"ranges\":[", stdout);
	for (i = 0; i < ck->nr_rows; i++) {
		const struct check_row *row = &ck->row[i];

		printf("%s{\"source\":\"%s\",\"index\":%u", i ? "," : "",
		       row->from_setup ? "setup_data" : "cmdline", row->index);
		json_u64("start", row->r.start, true);
		json_u64("end", range_end(&row->r), true);
		json_u64("size", row->r.size, true);
		printf(",\"verdict\":\"%s\",\"iomem\":{\"verdict\":\"%s\"",
		       verdict_name[row->verdict], verdict_name[row->io.verdict]);
		json_key_string("where", row->io.where, true);
		putchar('}');
		json_key_string("firmware", row->firmware[0] ? row->firmware : NULL, true);
		fputs(",\"setup_data\":", stdout);
		if (row->setup >= 0)
			printf("%d", row->setup);
		else
			fputs("null", stdout);
		fputs(",\"module\":", stdout);
		if (row->mod) {
			putchar('{');
			json_key_string("status", row->mod->status, false);
			json_key_string("detail", row->mod->detail[0] ? row->mod->detail : NULL,
					true);
			putchar('}');
		} else {
			fputs("null", stdout);
		}
		printf(",\"disagree\":%s", row->disagree ? "true" : "false");
		json_key_string("fix", row->fix[0] ? row->fix : NULL, true);
		json_key_string("note", row->note[0] ? row->note : NULL, true);
		putchar('}');
	}
	puts("]}");
}

static int cmd_check(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct resvd_opts o;
	struct check *ck;
	int ret = parse_opts(argc, argv, options, &o);

	if (ret)
		return ret;
	if (o.help) {
		cmd_resvd_help();
		return 0;
	}
	if (optind < argc)
		return usage_error(argv[0], "unexpected argument '%s'", argv[optind]);
	ck = calloc(1, sizeof(*ck));
	if (!ck) {
		fprintf(stderr, "%s: out of memory\n", argv[0]);
		return EXIT_PROBLEM;
	}
	check_collect(ck);
	check_judge(ck);
	if (o.json)
		check_json(ck);
	else
		check_text(ck);
	ret = ck->overall == OVERALL_OK ? 0 : EXIT_PROBLEM;
	iomem_free(&ck->io);
	fwmap_free(&ck->fw);
	free(ck);
	return ret;
}

/* ---- generate ---- */

/* The value of digit @c in @base (10 or 16), or -1. */
static int digit_value(char c, unsigned int base)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return base == 16 && c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A number of a RANGE: 0x<hex> or decimal, then K, M or G (binary). */
static bool parse_range_number(const char **p, __u64 *val)
{
	const char *s = *p;
	unsigned int shift = 0, digits = 0;
	unsigned int base = s[0] == '0' && (s[1] | 0x20) == 'x' ? 16 : 10;
	int d;

	*val = 0;
	if (base == 16)
		s += 2;
	for (; (d = digit_value(*s, base)) >= 0; s++, digits++) {
		if (*val > (~0ULL - d) / base)
			return false;
		*val = *val * base + d;
	}
	if (!digits)
		return false;
	switch (*s | 0x20) {
	case 'k':
		shift = 10;
		break;
	case 'm':
		shift = 20;
		break;
	case 'g':
		shift = 30;
		break;
	}
	if (shift) {
		if (*val > ~0ULL >> shift)
			return false;
		*val <<= shift;
		s++;
	}
	*p = s;
	return true;
}

/* SIZE@START or START-END (END inclusive). */
static bool parse_range_arg(const char *arg, struct resvd_range *r)
{
	const char *p = arg;
	__u64 a, b;

	if (!parse_range_number(&p, &a))
		return false;
	if (*p != '@' && *p != '-')
		return false;
	if (*p++ == '@') {
		if (!parse_range_number(&p, &b) || *p)
			return false;
		r->size = a;
		r->start = b;
		return true;
	}
	if (!parse_range_number(&p, &b) || *p || b < a || b - a == ~0ULL)
		return false;
	r->start = a;
	r->size = b - a + 1;
	return true;
}

struct generated {
	const char *from;	/* "setup-data", "iomem", "arguments" */
	unsigned int nr;
	struct resvd_range r[SETUP_MAX];
	char why[300];		/* when there is nothing to print */
};

static int generate_from_setup_data(struct generated *g)
{
	struct module_resvd *m = malloc(sizeof(*m));

	g->from = "setup-data";
	if (!m) {
		snprintf(g->why, sizeof(g->why), "out of memory");
		return -1;
	}
	module_resvd_read(m);
	if (!m->has_resvd || (m->valid && !m->has_setup_data))
		snprintf(g->why, sizeof(g->why), "the boot stub's ranges need the mshv_fastpath "
			 "module, which lists them in /sys/kernel/mshv_fastpath/resvd/setup_data "
			 "(sudo modprobe mshv_fastpath); or use --from iomem (as root), or give "
			 "the ranges");
	else if (!m->valid)
		snprintf(g->why, sizeof(g->why), "the module's list cannot be read: %s",
			 m->problem);
	else if (!m->nr_setup)
		snprintf(g->why, sizeof(g->why), "the module lists no SETUP_MSHV entries: this "
			 "boot did not come through the mshv boot stub; use --from iomem (as "
			 "root), or give the ranges");
	g->nr = m->nr_setup;
	memcpy(g->r, m->setup, m->nr_setup * sizeof(g->r[0]));
	free(m);
	return g->why[0] ? -1 : 0;
}

static int generate_from_iomem(struct generated *g)
{
	struct iomem io;
	char why[200];
	unsigned int n;

	g->from = "iomem";
	if (iomem_read(&io, why, sizeof(why))) {
		snprintf(g->why, sizeof(g->why), "%s", why);
		return -1;
	}
	if (iomem_hidden(&io)) {
		snprintf(g->why, sizeof(g->why), "run as root: /proc/iomem hides addresses from "
			 "other users");
		iomem_free(&io);
		return -1;
	}
	n = iomem_hypervisor_ranges(&io, g->r, SETUP_MAX);
	iomem_free(&io);
	if (!n)
		snprintf(g->why, sizeof(g->why), "no \"%s\" in /proc/iomem: this kernel reserved "
			 "no range of the hypervisor", IOMEM_HYPERVISOR);
	else if (n > SETUP_MAX)
		snprintf(g->why, sizeof(g->why), "%u \"%s\" entries in /proc/iomem: more than "
			 "the kernel takes", n, IOMEM_HYPERVISOR);
	g->nr = n;
	return g->why[0] ? -1 : 0;
}

static int compare_start(const void *a, const void *b)
{
	const struct resvd_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Join each range with the next when it ends where that one starts. */
static void merge_touching(struct generated *g)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < g->nr; i++) {
		if (n && range_end(&g->r[n - 1]) + 1 == g->r[i].start &&
		    g->r[i].size <= ~0ULL - g->r[n - 1].size)
			g->r[n - 1].size += g->r[i].size;
		else
			g->r[n++] = g->r[i];
	}
	g->nr = n;
}

static int cmd_generate(int argc, char **argv)
{
	static const struct option options[] = {
		{ "from", required_argument, NULL, OPT_FROM },
		{ "sort", no_argument, NULL, OPT_SORT },
		{ "merge", no_argument, NULL, OPT_MERGE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char value[RESVD_MAX_RANGES * 40 + 1];
	struct resvd_list back;
	struct resvd_error err;
	struct generated g;
	struct resvd_opts o;
	bool from_args;
	size_t len = 0;
	int ret = parse_opts(argc, argv, options, &o);

	if (ret)
		return ret;
	if (o.help) {
		cmd_resvd_help();
		return 0;
	}
	memset(&g, 0, sizeof(g));
	from_args = optind < argc;
	if (o.from && strcmp(o.from, "setup-data") && strcmp(o.from, "iomem"))
		return usage_error(argv[0], "--from takes setup-data or iomem, not '%s'", o.from);
	if (o.from && from_args)
		return usage_error(argv[0], "--from and RANGE arguments do not go together");
	if (from_args) {
		g.from = "arguments";
		if (argc - optind > SETUP_MAX)
			return usage_error(argv[0], "%d ranges: the kernel takes at most %d",
					   argc - optind, RESVD_MAX_RANGES);
		for (int i = optind; i < argc; i++)
			if (!parse_range_arg(argv[i], &g.r[g.nr++]))
				return usage_error(argv[0], "'%s' is not SIZE@START or START-END",
						   argv[i]);
	} else if (o.from && !strcmp(o.from, "iomem")) {
		ret = generate_from_iomem(&g);
	} else {
		ret = generate_from_setup_data(&g);
	}
	if (ret) {
		fprintf(stderr, "%s: %s\n", argv[0], g.why);
		return EXIT_PROBLEM;
	}
	if (o.sort)
		qsort(g.r, g.nr, sizeof(g.r[0]), compare_start);
	if (o.merge)
		merge_touching(&g);
	if (g.nr > RESVD_MAX_RANGES) {
		fprintf(stderr, "%s: %u ranges: the kernel takes at most %d (--merge joins those "
			"that touch)\n", argv[0], g.nr, RESVD_MAX_RANGES);
		return from_args ? EXIT_USAGE : EXIT_PROBLEM;
	}
	value[0] = '\0';
	for (unsigned int i = 0; i < g.nr; i++)
		len += snprintf(value + len, sizeof(value) - len, "%s0x%llx!0x%llx", i ? "," : "",
				(unsigned long long)g.r[i].size, (unsigned long long)g.r[i].start);
	/* What is printed is what the kernel (and the module) will read back. */
	ret = resvd_parse(value, len, &back, &err);
	for (unsigned int i = 0; !ret && i < g.nr; i++)
		if (back.nr != g.nr || back.r[i].start != g.r[i].start ||
		    back.r[i].size != g.r[i].size)
			ret = -1;
	if (ret) {
		fprintf(stderr, "%s: refused: %s, in %s%s\n", argv[0],
			ret < 0 && err.msg[0] ? err.msg : "it does not read back the same",
			PARAM_PREFIX, value);
		return from_args ? EXIT_USAGE : EXIT_PROBLEM;
	}
	if (!o.json) {
		printf("%s%s\n", PARAM_PREFIX, value);
		return 0;
	}
	printf("{\"parameter\":\"%s%s\",\"from\":\"%s\",\"ranges\":[", PARAM_PREFIX, value,
	       g.from);
	for (unsigned int i = 0; i < g.nr; i++) {
		printf("%s{\"start\":%llu", i ? "," : "", (unsigned long long)g.r[i].start);
		json_u64("end", range_end(&g.r[i]), true);
		json_u64("size", g.r[i].size, true);
		putchar('}');
	}
	puts("]}");
	return 0;
}

int cmd_resvd(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} subcommands[] = {
		{ "show", cmd_show },
		{ "check", cmd_check },
		{ "generate", cmd_generate },
	};
	char prog[64];

	if (argc < 2)
		return usage_error("mshv-vmm resvd", "show, check or generate?");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		cmd_resvd_help();
		return 0;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (strcmp(argv[1], subcommands[i].name))
			continue;
		/* Messages name the subcommand as "mshv-vmm resvd NAME". */
		snprintf(prog, sizeof(prog), "mshv-vmm resvd %s", subcommands[i].name);
		argv[1] = prog;
		return subcommands[i].run(argc - 1, argv + 1);
	}
	return usage_error("mshv-vmm resvd", "unknown subcommand '%s': show, check or generate",
			   argv[1]);
}
