// SPDX-License-Identifier: GPL-2.0
/*
 * The host's view of the hypervisor's memory ranges (resvd-host.h): the
 * files are parsed strictly, and setup_data's data files are only ever
 * stat()ed - their content is the memory at the range, the hypervisor's
 * own, which the root partition must not touch.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostfs.h"
#include "resvd-host.h"

#define IOMEM_MAX_LINES		(1 << 20)
#define IOMEM_MAX_DEPTH		32
#define FWMAP_MAX		4096
#define MODULE_DIR		"/sys/kernel/mshv_fastpath"
#define MODULE_RESVD_DIR	MODULE_DIR "/resvd"
#define SETUP_DATA_DIR		"/sys/kernel/boot_params/setup_data"

static void say(char *why, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Hex digits at *@p (no prefix), at most 16: true with *@p past them. */
static bool parse_hex_digits(const char **p, __u64 *val)
{
	const char *s = *p;
	unsigned int n = 0;
	int d;

	*val = 0;
	for (; (d = hexval(*s)) >= 0; s++, n++) {
		if (n == 16)
			return false;
		*val = *val << 4 | d;
	}
	*p = s;
	return n > 0;
}

/* A sysfs number: 0x<hex> or decimal, whitespace around it. */
static bool parse_number(const char *s, __u64 *val)
{
	while (isspace((unsigned char)*s))
		s++;
	if (s[0] == '0' && (s[1] | 0x20) == 'x') {
		s += 2;
		if (!parse_hex_digits(&s, val))
			return false;
	} else {
		if (!isdigit((unsigned char)*s))
			return false;
		for (*val = 0; isdigit((unsigned char)*s); s++) {
			if (*val > (~0ULL - (*s - '0')) / 10)
				return false;
			*val = *val * 10 + (*s - '0');
		}
	}
	while (isspace((unsigned char)*s))
		s++;
	return !*s;
}

/* One line of ASCII text from the kernel: no newline, nothing unprintable. */
static void clean_text(char *s)
{
	s[strcspn(s, "\n")] = '\0';
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || (unsigned char)*s >= 0x7f)
			*s = '?';
}

static int read_text(const char *path, char *buf, size_t size)
{
	ssize_t len = host_read_file(path, buf, size);

	if (len < 0)
		return len;
	clean_text(buf);
	return 0;
}

static int read_number(const char *path, __u64 *val)
{
	char buf[64];
	ssize_t len = host_read_file(path, buf, sizeof(buf));

	if (len < 0)
		return len;
	return parse_number(buf, val) ? 0 : -EINVAL;
}

/* ---- /proc/iomem ---- */

/* "  START-END : NAME": false when the line is anything else. */
static bool iomem_parse_line(const char *line, struct iomem_entry *e)
{
	const char *p = line;
	size_t spaces = strspn(line, " "), len;

	if (spaces % 2 || spaces / 2 >= IOMEM_MAX_DEPTH)
		return false;
	e->depth = spaces / 2;
	p += spaces;
	if (!parse_hex_digits(&p, &e->start) || *p++ != '-' || !parse_hex_digits(&p, &e->end) ||
	    strncmp(p, " : ", 3))
		return false;
	p += 3;
	len = strcspn(p, "\n");
	snprintf(e->name, sizeof(e->name), "%.*s", (int)len, p);
	clean_text(e->name);
	return true;
}

/* The tree's rules: inside the parent, after the previous sibling. */
static int iomem_check_order(const struct iomem *io, char *why, size_t why_size)
{
	int last_at[IOMEM_MAX_DEPTH + 1];
	unsigned int d;

	for (d = 0; d <= IOMEM_MAX_DEPTH; d++)
		last_at[d] = -1;
	for (size_t i = 0; i < io->nr; i++) {
		const struct iomem_entry *e = &io->entry[i];
		int prev = last_at[e->depth];

		if (e->start > e->end ||
		    (e->parent >= 0 && (e->start < io->entry[e->parent].start ||
					e->end > io->entry[e->parent].end)) ||
		    (prev >= 0 && io->entry[prev].parent == e->parent &&
		     io->entry[prev].end >= e->start)) {
			say(why, why_size, "/proc/iomem line %zu (%llx-%llx : %s) is out of order",
			    i + 1, (unsigned long long)e->start, (unsigned long long)e->end,
			    e->name);
			return -EINVAL;
		}
		last_at[e->depth] = i;
		/* A new subtree: its deeper levels start afresh. */
		for (d = e->depth + 1; d <= IOMEM_MAX_DEPTH; d++)
			last_at[d] = -1;
	}
	return 0;
}

int iomem_read(struct iomem *io, char *why, size_t why_size)
{
	int parent_at[IOMEM_MAX_DEPTH];
	FILE *f = host_fopen("/proc/iomem");
	char *line = NULL;
	size_t cap = 0, room = 0;
	int ret = 0;

	io->entry = NULL;
	io->nr = 0;
	if (!f) {
		ret = -errno;
		say(why, why_size, "cannot read /proc/iomem: %s", strerror(-ret));
		return ret;
	}
	while (getline(&line, &cap, f) > 0) {
		struct iomem_entry e;

		if (!iomem_parse_line(line, &e) || (e.depth && (!io->nr ||
		    e.depth > io->entry[io->nr - 1].depth + 1))) {
			line[strcspn(line, "\n")] = '\0';
			clean_text(line);
			say(why, why_size, "/proc/iomem line %zu is not \"START-END : NAME\" "
			    "under its parent: '%.60s'", io->nr + 1, line);
			ret = -EINVAL;
			break;
		}
		if (io->nr == IOMEM_MAX_LINES) {
			say(why, why_size, "/proc/iomem has more than %d lines", IOMEM_MAX_LINES);
			ret = -EFBIG;
			break;
		}
		if (io->nr == room) {
			struct iomem_entry *more;

			room = room ? room * 2 : 256;
			more = realloc(io->entry, room * sizeof(*more));
			if (!more) {
				say(why, why_size, "out of memory reading /proc/iomem");
				ret = -ENOMEM;
				break;
			}
			io->entry = more;
		}
		e.parent = e.depth ? parent_at[e.depth - 1] : -1;
		parent_at[e.depth] = io->nr;
		io->entry[io->nr++] = e;
	}
	free(line);
	fclose(f);
	/* Hidden addresses are all 0: there is no order to check. */
	if (!ret && !iomem_hidden(io))
		ret = iomem_check_order(io, why, why_size);
	if (ret)
		iomem_free(io);
	return ret;
}

void iomem_free(struct iomem *io)
{
	free(io->entry);
	io->entry = NULL;
	io->nr = 0;
}

bool iomem_hidden(const struct iomem *io)
{
	for (size_t i = 0; i < io->nr; i++)
		if (io->entry[i].start || io->entry[i].end)
			return false;
	return io->nr > 0;
}

unsigned int iomem_hypervisor_ranges(const struct iomem *io, struct resvd_range *out,
				     unsigned int max)
{
	unsigned int n = 0;

	for (size_t i = 0; i < io->nr; i++) {
		const struct iomem_entry *e = &io->entry[i];

		if (strcmp(e->name, IOMEM_HYPERVISOR))
			continue;
		if (n < max) {
			out[n].start = e->start;
			out[n].size = e->end - e->start + 1;
		}
		n++;
	}
	return n;
}

/* From PART_RAM on, Linux may hand the part out: the range is unprotected. */
enum part_kind {
	PART_HYPERVISOR,	/* "Hypervisor Code and Data" */
	PART_CLAIMED,		/* held by the mshv_fastpath module */
	PART_RESERVED,		/* not RAM to Linux: firmware-reserved, ACPI, ROM... */
	PART_RAM,		/* System RAM nothing holds: the allocator's */
	PART_IN_USE,		/* System RAM the kernel uses for something else */
	PART_WINDOW,		/* in a PCI host bridge window: a device may be given it */
	PART_NOTHING,		/* in no resource: a driver may be given it as MMIO space */
};

struct part {
	enum part_kind kind;
	int entry;		/* what covers it, -1 for nothing */
	__u64 start, end;
};

#define MAX_PARTS 8

struct parts {
	struct part part[MAX_PARTS];
	unsigned int nr;
	bool more;
};

static bool is_ram(const char *name)
{
	return !strncmp(name, "System RAM", 10);
}

/* What the deepest entry covering a part, @i, makes of it. */
static enum part_kind kind_of(const struct iomem *io, int i)
{
	const char *name, *top;
	bool in_ram = false;
	int t;

	if (i < 0)
		return PART_NOTHING;
	name = io->entry[i].name;
	if (!strcmp(name, IOMEM_HYPERVISOR))
		return PART_HYPERVISOR;
	if (!strcmp(name, RESVD_CLAIM_NAME))
		return PART_CLAIMED;
	for (t = i; io->entry[t].parent >= 0; t = io->entry[t].parent)
		in_ram |= is_ram(io->entry[io->entry[t].parent].name);
	top = io->entry[t].name;
	/* As the module sees it: the outermost resource decides, a window covers nothing. */
	if (!strncmp(top, IOMEM_PCI_WINDOW, strlen(IOMEM_PCI_WINDOW)))
		return PART_WINDOW;
	if (is_ram(name))
		return PART_RAM;
	if (strcasestr(name, "reserved"))
		return PART_RESERVED;
	/* Inside RAM, a busy resource is the kernel's (Kernel code, Crash kernel...). */
	return in_ram ? PART_IN_USE : PART_RESERVED;
}

static void add_part(struct parts *parts, enum part_kind kind, int entry, __u64 start, __u64 end)
{
	struct part *last = parts->nr ? &parts->part[parts->nr - 1] : NULL;

	if (last && last->kind == kind && last->entry == entry && last->end + 1 == start) {
		last->end = end;
		return;
	}
	if (parts->nr == MAX_PARTS) {
		parts->more = true;
		return;
	}
	parts->part[parts->nr++] = (struct part){ kind, entry, start, end };
}

/* The parts of [@start, @end] under entry @parent (-1: the top), children first. */
static void classify_under(const struct iomem *io, int parent, __u64 start, __u64 end,
			   struct parts *parts)
{
	unsigned int depth = parent < 0 ? 0 : io->entry[parent].depth + 1;
	enum part_kind kind = kind_of(io, parent);
	__u64 pos = start;

	for (size_t i = parent + 1; i < io->nr && io->entry[i].depth >= depth; i++) {
		const struct iomem_entry *e = &io->entry[i];

		if (e->depth != depth || e->end < pos)
			continue;
		if (e->start > end)
			break;
		if (e->start > pos)
			add_part(parts, kind, parent, pos, e->start - 1);
		classify_under(io, i, e->start > pos ? e->start : pos, e->end < end ? e->end : end,
			       parts);
		if (e->end >= end)
			return;
		pos = e->end + 1;
	}
	add_part(parts, kind, parent, pos, end);
}

static void describe_part(const struct iomem *io, const struct part *p, char *buf, size_t size)
{
	const char *name = p->entry >= 0 ? io->entry[p->entry].name : "";

	switch (p->kind) {
	case PART_RAM:
		snprintf(buf, size, "%s, not reserved", name);
		break;
	case PART_IN_USE:
		snprintf(buf, size, "System RAM used by %s", name);
		break;
	case PART_WINDOW:
		if (io->entry[p->entry].parent < 0)
			snprintf(buf, size, "only a PCI window (%s)", name);
		else
			snprintf(buf, size, "MMIO of %s, in a PCI window", name);
		break;
	case PART_NOTHING:
		snprintf(buf, size, "nothing (not in /proc/iomem)");
		break;
	default:
		snprintf(buf, size, "%s", name);
	}
}

void iomem_classify(const struct iomem *io, __u64 start, __u64 end, struct iomem_verdict *v)
{
	struct parts parts = { .nr = 0 };
	bool claimed = false, exposed = false;
	size_t len = 0;

	classify_under(io, -1, start, end, &parts);
	memset(v, 0, sizeof(*v));
	for (unsigned int i = 0; i < parts.nr; i++) {
		const struct part *p = &parts.part[i];
		char what[128];

		v->in_use |= p->kind == PART_IN_USE;
		exposed |= p->kind >= PART_RAM;
		claimed |= p->kind == PART_CLAIMED;
		describe_part(io, p, what, sizeof(what));
		/* One part: its name says it all. Several: where each one is. */
		if (parts.nr == 1)
			len += snprintf(v->where + len, sizeof(v->where) - len, "%s", what);
		else if (len < sizeof(v->where))
			len += snprintf(v->where + len, sizeof(v->where) - len,
					"%s%s 0x%llx-0x%llx", i ? "; " : "", what,
					(unsigned long long)p->start, (unsigned long long)p->end);
	}
	if (parts.more && len < sizeof(v->where))
		snprintf(v->where + len, sizeof(v->where) - len, "; ...");
	if (exposed)
		v->verdict = VERDICT_UNPROTECTED;
	else
		v->verdict = claimed ? VERDICT_CLAIMED : VERDICT_RESERVED;
}

/* ---- /sys/firmware/memmap and setup_data: numbered directories ---- */

static int compare_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/* The numeric entries of @dir, sorted: how many (at most @max), or -errno. */
static int numbered_entries(const char *dir, unsigned int *out, unsigned int max, bool *more)
{
	DIR *d = host_opendir(dir);
	struct dirent *de;
	unsigned int n = 0;

	*more = false;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *end;
		unsigned long v;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		v = strtoul(de->d_name, &end, 10);
		if (*end || v > UINT_MAX)
			continue;
		if (n == max) {
			*more = true;
			continue;
		}
		out[n++] = v;
	}
	closedir(d);
	qsort(out, n, sizeof(*out), compare_uint);
	return n;
}

static int compare_fwmap(const void *a, const void *b)
{
	const struct fwmap_entry *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int fwmap_read(struct fwmap *map, char *why, size_t why_size)
{
	static const char dir[] = "/sys/firmware/memmap";
	unsigned int *numbers = malloc(FWMAP_MAX * sizeof(*numbers));
	bool more;
	int n, ret = 0;

	map->nr = 0;
	map->entry = calloc(FWMAP_MAX, sizeof(*map->entry));
	if (!numbers || !map->entry) {
		free(numbers);
		say(why, why_size, "out of memory");
		return -ENOMEM;
	}
	n = numbered_entries(dir, numbers, FWMAP_MAX, &more);
	if (n < 0) {
		ret = n;
		say(why, why_size, "cannot read %s: %s", dir, strerror(-n));
	}
	for (int i = 0; i < n && !ret; i++) {
		struct fwmap_entry *e = &map->entry[map->nr];
		char path[96];
		const char *bad = "type";

		snprintf(path, sizeof(path), "%s/%u/type", dir, numbers[i]);
		ret = read_text(path, e->type, sizeof(e->type));
		if (!ret) {
			bad = "start";
			snprintf(path, sizeof(path), "%s/%u/start", dir, numbers[i]);
			ret = read_number(path, &e->start);
		}
		if (!ret) {
			bad = "end";
			snprintf(path, sizeof(path), "%s/%u/end", dir, numbers[i]);
			ret = read_number(path, &e->end);
		}
		if (!ret && e->end < e->start)
			ret = -EINVAL;
		if (ret)
			say(why, why_size, "%s/%u/%s: %s", dir, numbers[i], bad,
			    ret == -EINVAL ? "not an address" : strerror(-ret));
		else
			map->nr++;
	}
	free(numbers);
	if (ret) {
		fwmap_free(map);
		return ret;
	}
	qsort(map->entry, map->nr, sizeof(*map->entry), compare_fwmap);
	return 0;
}

void fwmap_free(struct fwmap *map)
{
	free(map->entry);
	map->entry = NULL;
	map->nr = 0;
}

void fwmap_describe(const struct fwmap *map, __u64 start, __u64 end, char *buf, size_t size)
{
	const char *last = NULL;
	bool gap = false, done = false;
	__u64 pos = start;
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < map->nr && !done; i++) {
		const struct fwmap_entry *e = &map->entry[i];

		if (e->end < pos || e->start > end)
			continue;
		gap |= e->start > pos;
		/* Name each type once where consecutive entries share it. */
		if ((!last || strcmp(last, e->type)) && len < size)
			len += snprintf(buf + len, size - len, "%s%s", last ? " + " : "", e->type);
		last = e->type;
		done = e->end >= end;
		pos = done ? end : e->end + 1;
	}
	if (!last)
		snprintf(buf, size, "not in the firmware map");
	else if ((gap || !done) && len < size)
		snprintf(buf + len, size - len, " + gaps");
}

int setup_data_read(struct setup_list *list, char *why, size_t why_size)
{
	unsigned int numbers[SETUP_MAX];
	int n = numbered_entries(SETUP_DATA_DIR, numbers, SETUP_MAX, &list->more);

	list->nr = 0;
	list->present = n >= 0;
	if (n == -ENOENT)
		return 0;
	if (n < 0) {
		say(why, why_size, "cannot read %s: %s", SETUP_DATA_DIR, strerror(-n));
		return n;
	}
	for (int i = 0; i < n; i++) {
		struct setup_entry *e = &list->entry[list->nr++];
		char path[96], type[32];
		struct stat st;
		__u64 value;

		e->number = numbers[i];
		snprintf(path, sizeof(path), "%s/%u/type", SETUP_DATA_DIR, e->number);
		e->type_known = !read_text(path, type, sizeof(type)) && !strncmp(type, "0x", 2) &&
				parse_number(type, &value) && value <= UINT_MAX;
		e->type = e->type_known ? value : 0;
		/* The size only: the data is the memory at the range. */
		snprintf(path, sizeof(path), "%s/%u/data", SETUP_DATA_DIR, e->number);
		if (host_stat(path, &st)) {
			int err = errno;

			say(why, why_size, "cannot stat %s: %s", path, strerror(err));
			return -err;
		}
		e->size = st.st_size;
		e->mshv = e->type_known && e->type == SETUP_MSHV && e->size &&
			  !(e->size % RESVD_ALIGN);
	}
	return 0;
}

/* ---- /sys/kernel/mshv_fastpath/resvd ---- */

static bool one_of(const char *word, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(word, *words))
			return true;
	return false;
}

bool module_status_protected(const char *status)
{
	return !strcmp(status, "reserved") || !strcmp(status, "claimed");
}

static bool module_problem(struct module_resvd *m, const char *file, const char *what)
{
	m->valid = false;
	snprintf(m->problem, sizeof(m->problem), "%s/%s: %s", MODULE_RESVD_DIR, file, what);
	return false;
}

static bool module_word(struct module_resvd *m, const char *file, char *buf, size_t size,
			const char *const *words)
{
	char path[128];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", MODULE_RESVD_DIR, file);
	ret = read_text(path, buf, size);
	if (ret)
		return module_problem(m, file, strerror(-ret));
	if (!one_of(buf, words))
		return module_problem(m, file, "an unknown word");
	return true;
}

static bool module_number(struct module_resvd *m, const char *file, __u64 *val)
{
	char path[128];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", MODULE_RESVD_DIR, file);
	ret = read_number(path, val);
	if (ret)
		return module_problem(m, file, ret == -EINVAL ? "not a number" : strerror(-ret));
	return true;
}

static bool module_range_read(struct module_resvd *m, unsigned int i)
{
	static const char *const statuses[] = { "reserved", "unprotected", "claimed", NULL };
	struct module_range *r = &m->range[i];
	char file[32], path[128];

	snprintf(file, sizeof(file), "%u/start", i);
	if (!module_number(m, file, &r->start))
		return false;
	snprintf(file, sizeof(file), "%u/size", i);
	if (!module_number(m, file, &r->size))
		return false;
	snprintf(file, sizeof(file), "%u/end", i);
	if (!module_number(m, file, &r->end))
		return false;
	if (!r->size || r->end != r->start + (r->size - 1))
		return module_problem(m, file, "not start + size - 1");
	snprintf(file, sizeof(file), "%u/status", i);
	if (!module_word(m, file, r->status, sizeof(r->status), statuses))
		return false;
	/* The detail is a sentence for people; an absent one is no error. */
	snprintf(path, sizeof(path), "%s/%u/detail", MODULE_RESVD_DIR, i);
	if (read_text(path, r->detail, sizeof(r->detail)))
		r->detail[0] = '\0';
	return true;
}

/* One "0x<start> 0x<size>" line per entry. */
static bool module_setup_read(struct module_resvd *m)
{
	FILE *f = host_fopen(MODULE_RESVD_DIR "/setup_data");
	static const char not_a_line[] = "a line that is not 0x<start> 0x<size>";
	char *line = NULL;
	size_t cap = 0;
	bool ok = true;

	if (!f)
		return errno == ENOENT || module_problem(m, "setup_data", strerror(errno));
	m->has_setup_data = true;
	while (ok && getline(&line, &cap, f) > 0) {
		char *space = strchr(line, ' ');
		struct resvd_range r;

		if (!space) {
			ok = module_problem(m, "setup_data", not_a_line);
			break;
		}
		*space = '\0';
		if (!parse_number(line, &r.start) || !parse_number(space + 1, &r.size) ||
		    !r.size || r.size - 1 > ~0ULL - r.start)
			ok = module_problem(m, "setup_data", not_a_line);
		else if (m->nr_setup == SETUP_MAX)
			ok = module_problem(m, "setup_data", "too many lines");
		else
			m->setup[m->nr_setup++] = r;
	}
	free(line);
	fclose(f);
	return ok;
}

void module_resvd_read(struct module_resvd *m)
{
	static const char *const statuses[] = { "ok", "unprotected", "invalid", "absent", NULL };
	char path[128];
	__u64 count;

	memset(m, 0, sizeof(*m));
	m->loaded = host_exists(MODULE_DIR);
	m->has_resvd = host_exists(MODULE_RESVD_DIR);
	if (!m->has_resvd)
		return;
	m->valid = true;
	if (!module_word(m, "status", m->status, sizeof(m->status), statuses) ||
	    !module_number(m, "count", &count))
		return;
	if (count > RESVD_MAX_RANGES) {
		module_problem(m, "count", "more than 32");
		return;
	}
	m->count = count;
	snprintf(path, sizeof(path), "%s/error", MODULE_RESVD_DIR);
	if (read_text(path, m->error, sizeof(m->error)))
		m->error[0] = '\0';
	for (unsigned int i = 0; i < m->count; i++)
		if (!module_range_read(m, i))
			return;
	module_setup_read(m);
}
