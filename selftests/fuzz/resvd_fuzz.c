// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the hyperv_resvd_new parser (common/resvd.c), which
 * mshv_fastpath.ko and mshv-vmm run on the kernel command line. Each input
 * is tried as a value (resvd_parse) and as a whole command line
 * (resvd_cmdline_find, resvd_parse_cmdline). Beyond "no crash, no
 * sanitizer report", what the parser promises:
 *
 *   success  1..32 ranges, each nonzero, 4 KiB aligned, not past 2^64, no
 *            two sharing a byte; the kernel (a model of Mariner's
 *            hv_parse_hyperv_resvd_new() below) reads the same ranges; the
 *            ranges written back in three spellings parse to the same list
 *   error    a known code, its position within the input, a nonempty
 *            NUL-terminated "range N at offset P: ..." message; refused as
 *            malformed exactly when the kernel refuses it, and accepted when
 *            the kernel accepts it with sane ranges
 *   cmdline  every value found lies within the line; resvd_parse_cmdline()
 *            counts them and agrees with resvd_parse() on each
 *
 * selftests/host/fuzz_test.sh runs it for 35 s; longer, new inputs in DIR:
 *   selftests/fuzz/resvd_fuzz -dict=selftests/fuzz/resvd.dict \
 *	-max_total_time=3600 DIR selftests/fuzz/corpus/resvd
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "resvd.h"
#include "fuzz.h"

/* The kernel's view: accepted or not, and what it would reserve. */
struct kernel_result {
	bool accepted;
	bool wide;		/* a number of more than 16 significant digits */
	struct resvd_list list;
};

static int hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* simple_strtoull(s, &end, 16) on a NUL-terminated string: wraps past 64 bits. */
static uint64_t kernel_strtoull(const char *s, const char **end, bool *wide)
{
	unsigned int significant = 0;
	uint64_t v = 0;
	int d;

	if (s[0] == '0' && (s[1] | 0x20) == 'x')
		s += 2;
	for (; (d = hex_digit(*s)) >= 0; s++) {
		v = v * 16 + d;
		if (significant || d)
			significant++;
	}
	if (significant > 16)
		*wide = true;
	*end = s;
	return v;
}

/*
 * Mariner's hv_parse_hyperv_resvd_new() with the 33rd-range check of its
 * later versions: every pr_err()+BUG() is a refusal.
 */
static void kernel_parse(const char *arg, struct kernel_result *k)
{
	const char *curr = arg;
	uint64_t size, start;

	memset(k, 0, sizeof(*k));
	while (*curr) {
		if (k->list.nr >= RESVD_MAX_RANGES)
			return;
		size = kernel_strtoull(curr, &curr, &k->wide);
		if (!size || *curr != '!')
			return;
		curr++;
		start = kernel_strtoull(curr, &curr, &k->wide);
		if (!start)
			return;
		k->list.r[k->list.nr].start = start;
		k->list.r[k->list.nr].size = size;
		k->list.nr++;
		if (*curr == ',')
			curr++;
	}
	k->accepted = true;
}

/* Errors for input the kernel takes but that cannot be right. */
static bool kernel_takes(int code)
{
	switch (code) {
	case RESVD_ERR_EMPTY:
	case RESVD_ERR_NUMBER:
	case RESVD_ERR_OVERFLOW:
	case RESVD_ERR_UNALIGNED:
	case RESVD_ERR_DUPLICATE:
	case RESVD_ERR_OVERLAP:
		return true;
	default:
		return false;
	}
}

/* What resvd_parse() must accept: what the kernel takes, if every range is sane. */
static bool sane(const struct kernel_result *k)
{
	unsigned int i, j;

	if (!k->accepted || k->wide || !k->list.nr)
		return false;
	for (i = 0; i < k->list.nr; i++) {
		const struct resvd_range *r = &k->list.r[i];

		if (r->size - 1 > UINT64_MAX - r->start || r->size % RESVD_ALIGN ||
		    r->start % RESVD_ALIGN)
			return false;
		for (j = 0; j < i; j++)
			if (r->start <= k->list.r[j].start + (k->list.r[j].size - 1) &&
			    k->list.r[j].start <= r->start + (r->size - 1))
				return false;
	}
	return true;
}

static bool same_list(const struct resvd_list *a, const struct resvd_list *b)
{
	return a->nr == b->nr && !memcmp(a->r, b->r, a->nr * sizeof(a->r[0]));
}

static void check_ranges(const struct resvd_list *l)
{
	unsigned int i, j;

	FUZZ_ASSERT(l->nr >= 1 && l->nr <= RESVD_MAX_RANGES, "%u ranges", l->nr);
	for (i = 0; i < l->nr; i++) {
		const struct resvd_range *r = &l->r[i];

		FUZZ_ASSERT(r->size && r->start, "range %u: 0x%llx!0x%llx", i,
			    (unsigned long long)r->size, (unsigned long long)r->start);
		FUZZ_ASSERT(!(r->size % RESVD_ALIGN) && !(r->start % RESVD_ALIGN),
			    "range %u: 0x%llx!0x%llx", i,
			    (unsigned long long)r->size, (unsigned long long)r->start);
		FUZZ_ASSERT(r->size - 1 <= UINT64_MAX - r->start, "range %u: 0x%llx!0x%llx",
			    i, (unsigned long long)r->size, (unsigned long long)r->start);
		for (j = 0; j < i; j++) {
			const struct resvd_range *q = &l->r[j];

			FUZZ_ASSERT(r->start + (r->size - 1) < q->start ||
				    q->start + (q->size - 1) < r->start,
				    "ranges %u and %u overlap", j, i);
		}
	}
}

/* The list written back as @fmt pairs, then parsed: the same list. */
static void check_rendering(const struct resvd_list *l, const char *fmt, const char *tail)
{
	char buf[RESVD_MAX_RANGES * 48];
	struct resvd_error err;
	struct resvd_list again;
	size_t len = 0;
	unsigned int i;
	int ret;

	for (i = 0; i < l->nr; i++) {
		if (i)
			buf[len++] = ',';
		len += snprintf(buf + len, sizeof(buf) - len, fmt,
				(unsigned long long)l->r[i].size,
				(unsigned long long)l->r[i].start);
	}
	len += snprintf(buf + len, sizeof(buf) - len, "%s", tail);
	ret = resvd_parse(buf, len, &again, &err);
	FUZZ_ASSERT(ret == 0, "'%s' does not parse again: %s", buf, err.msg);
	FUZZ_ASSERT(same_list(l, &again), "'%s' parses to other ranges", buf);
}

static void check_error(int ret, const struct resvd_error *err, size_t len, bool cmdline)
{
	char prefix[64];

	FUZZ_ASSERT(ret >= -RESVD_ERR_OVERLAP && ret <= -RESVD_ERR_SYNTAX, "ret %d", ret);
	FUZZ_ASSERT(cmdline || ret != -RESVD_ERR_NO_VALUE, "NO_VALUE from a value");
	FUZZ_ASSERT(err->code == -ret, "code %d, returned %d", err->code, ret);
	FUZZ_ASSERT(err->pos <= len, "position %u in %zu bytes", err->pos, len);
	FUZZ_ASSERT(err->index <= RESVD_MAX_RANGES, "range index %u", err->index);
	FUZZ_ASSERT(memchr(err->msg, 0, sizeof(err->msg)), "message not NUL-terminated");
	FUZZ_ASSERT(err->msg[0], "empty message");
	snprintf(prefix, sizeof(prefix), "range %u at offset %u: ", err->index, err->pos);
	FUZZ_ASSERT(!strncmp(err->msg, prefix, strlen(prefix)), "message '%s'", err->msg);
}

static void fuzz_value(const char *s, size_t len)
{
	struct kernel_result kernel;
	struct resvd_error err;
	struct resvd_list list;
	char *str;
	int ret;

	ret = resvd_parse(s, len, &list, &err);
	if (ret) {
		check_error(ret, &err, len, false);
		FUZZ_ASSERT((ret == -RESVD_ERR_EMPTY) == !len, "EMPTY for %zu bytes", len);
	} else {
		check_ranges(&list);
		check_rendering(&list, "0x%llx!0x%llx", "");
		check_rendering(&list, "%llX!%llX", ",");
		check_rendering(&list, "0X%016llx!0x%020llx", "");
	}

	/* The kernel reads a C string: compare where there is no NUL inside. */
	if (memchr(s, 0, len))
		return;
	str = malloc(len + 1);
	memcpy(str, s, len);
	str[len] = 0;
	kernel_parse(str, &kernel);
	free(str);
	FUZZ_ASSERT(kernel.accepted == (!ret || kernel_takes(-ret)),
		    "the kernel %s it, resvd_parse() returns %d (%s)",
		    kernel.accepted ? "accepts" : "refuses", ret, ret ? err.msg : "");
	FUZZ_ASSERT(!ret == sane(&kernel), "resvd_parse() returns %d (%s) for what is%s sane",
		    ret, ret ? err.msg : "", sane(&kernel) ? "" : " not");
	FUZZ_ASSERT(ret || same_list(&list, &kernel.list), "the kernel reads other ranges");
}

static void fuzz_cmdline(const char *line, size_t len)
{
	size_t visible = strnlen(line, len);
	struct resvd_list list, last;
	struct resvd_error err, err1;
	struct resvd_param param;
	unsigned int n;
	int ret, ret1 = 0;

	ret = resvd_parse_cmdline(line, len, &list, &err);
	for (n = 0; resvd_cmdline_find(line, len, n, &param); n++) {
		FUZZ_ASSERT(param.off <= visible && param.len <= visible - param.off,
			    "value %u at %zu+%zu of %zu bytes", n, param.off, param.len, visible);
		FUZZ_ASSERT(param.has_value || !param.len, "value %u without '='", n);
		FUZZ_ASSERT(n < len, "%u values in %zu bytes", n + 1, len);
		if (!param.has_value) {
			ret1 = -RESVD_ERR_NO_VALUE;
		} else {
			ret1 = resvd_parse(line + param.off, param.len, &last, &err1);
		}
		if (ret1) {
			FUZZ_ASSERT(ret == ret1, "value %u: %d, resvd_parse_cmdline() %d",
				    n, ret1, ret);
			FUZZ_ASSERT(err.occurrence == n, "error in value %u named %u",
				    n, err.occurrence);
			check_error(ret, &err, len, true);
			return;
		}
	}
	FUZZ_ASSERT(ret == (int)n, "%u values, resvd_parse_cmdline() %d", n, ret);
	FUZZ_ASSERT(!n || same_list(&list, &last), "ranges other than those of the last value");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_value((const char *)data, size);
	fuzz_cmdline((const char *)data, size);
	return 0;
}
