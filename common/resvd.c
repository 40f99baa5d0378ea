// SPDX-License-Identifier: GPL-2.0
/*
 * hyperv_resvd_new: the parser shared by mshv-vmm and mshv_fastpath.ko.
 *
 * The kernel's parser (Mariner, arch/x86/kernel/cpu/mshyperv.c,
 * hv_parse_hyperv_resvd_new()) reads each number with
 * simple_strtoull(curr, &curr, 16): an optional 0x/0X, then hex digits,
 * wrapping past 64 bits; 0 (also "no digits") is refused. After a size it
 * wants '!'; after a start it skips one ',' if there is one and goes on while
 * bytes remain, so that a trailing ',' ends the list and anything else
 * becomes the next size (and is refused as 0). Later versions refuse a 33rd
 * range (earlier ones overran their array of 32). This file follows that
 * byte for byte, then checks the ranges.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#else
#include <stdio.h>
#include <string.h>
#endif

#include "resvd.h"

/* Where each number of a range was found, for the messages. */
struct resvd_where {
	unsigned int size_pos, start_pos;
	bool size_wide, start_wide;	/* more than 64 bits: the kernel wraps it */
};

/* Fill @err's code, place and message prefix; returns -@code. */
static int resvd_fail(struct resvd_error *err, int code, unsigned int index,
		      size_t pos, const char *what)
{
	err->code = code;
	err->index = index;
	err->pos = pos;
	err->occurrence = 0;
	snprintf(err->msg, sizeof(err->msg), "range %u at offset %u: %s",
		 index, (unsigned int)pos, what);
	return -code;
}

/* "'x'", "the end" or "byte 0x07": what was found at @pos. */
static void resvd_describe(char *buf, size_t size, const char *s, size_t len,
			   size_t pos)
{
	unsigned char c;

	if (pos >= len) {
		snprintf(buf, size, "the end");
		return;
	}
	c = s[pos];
	if (c > ' ' && c < 0x7f)
		snprintf(buf, size, "'%c'", c);
	else
		snprintf(buf, size, "byte 0x%02x", c);
}

/* The kernel refuses what does not follow the grammar: say what was there. */
static int resvd_expected(struct resvd_error *err, unsigned int index, const char *s,
			  size_t len, size_t pos, const char *expected)
{
	char found[16], what[64];

	resvd_describe(found, sizeof(found), s, len, pos);
	snprintf(what, sizeof(what), "expected %s, found %s", expected, found);
	return resvd_fail(err, RESVD_ERR_SYNTAX, index, pos, what);
}

static int resvd_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * simple_strtoull(s, &end, 16) on @s[*@pos..@len): the value as the kernel
 * computes it (wrapped), whether it wrapped, and whether there was a digit.
 */
static bool resvd_hex(const char *s, size_t len, size_t *pos, __u64 *val,
		      bool *wide)
{
	size_t p = *pos;
	bool digits = false;
	int d;

	if (p + 1 < len && s[p] == '0' && (s[p + 1] | 0x20) == 'x')
		p += 2;
	*val = 0;
	*wide = false;
	for (; p < len && (d = resvd_hexval(s[p])) >= 0; p++) {
		if (*val >> 60)
			*wide = true;
		*val = (*val << 4) | d;
		digits = true;
	}
	*pos = p;
	return digits;
}

/* Exactly two numbers joined by ',' and no '!': the 2023 form. */
static bool resvd_old_form(const char *s, size_t len, __u64 *size, __u64 *addr)
{
	size_t pos = 0;
	bool wide;

	if (memchr(s, '!', len))
		return false;
	if (!resvd_hex(s, len, &pos, size, &wide) || wide || pos >= len || s[pos] != ',')
		return false;
	pos++;
	return resvd_hex(s, len, &pos, addr, &wide) && !wide && pos == len;
}

/* The kernel's grammar: fills @out and @where, or fails as the kernel does. */
static int resvd_parse_grammar(const char *s, size_t len, struct resvd_list *out,
			       struct resvd_where *where, struct resvd_error *err)
{
	char what[64];
	size_t pos = 0;
	__u64 size, start;

	out->nr = 0;
	for (;;) {
		unsigned int i = out->nr;

		if (i == RESVD_MAX_RANGES) {
			snprintf(what, sizeof(what),
				 "more than %u ranges (the kernel refuses this)", RESVD_MAX_RANGES);
			return resvd_fail(err, RESVD_ERR_TOO_MANY, i, pos, what);
		}
		where[i].size_pos = pos;
		if (!resvd_hex(s, len, &pos, &size, &where[i].size_wide))
			return resvd_expected(err, i, s, len, pos, "a hexadecimal size");
		if (!size)
			return resvd_fail(err, RESVD_ERR_ZERO_SIZE, i, where[i].size_pos,
					  "size 0 (the kernel refuses this)");
		if (pos >= len || s[pos] != '!')
			return resvd_expected(err, i, s, len, pos, "'!' after the size");
		pos++;
		where[i].start_pos = pos;
		if (!resvd_hex(s, len, &pos, &start, &where[i].start_wide))
			return resvd_expected(err, i, s, len, pos, "a hexadecimal start");
		if (!start)
			return resvd_fail(err, RESVD_ERR_ZERO_START, i, where[i].start_pos,
					  "start 0 (the kernel refuses this)");
		out->r[i].start = start;
		out->r[i].size = size;
		out->nr++;
		if (pos == len)
			return 0;
		if (s[pos] != ',')
			return resvd_expected(err, i, s, len, pos, "',' after the start");
		pos++;
		if (pos == len)		/* a trailing ',': the kernel stops there */
			return 0;
	}
}

/* What the kernel does not check, range by range, in order. */
static int resvd_check_ranges(const struct resvd_list *list,
			      const struct resvd_where *where,
			      struct resvd_error *err)
{
	unsigned int i, j;
	char what[96];

	for (i = 0; i < list->nr; i++) {
		const struct resvd_range *r = &list->r[i];
		__u64 end = r->start + (r->size - 1);

		if (where[i].size_wide || where[i].start_wide) {
			snprintf(what, sizeof(what),
				 "%s wider than 64 bits (the kernel truncates it)",
				 where[i].size_wide ? "size" : "start");
			return resvd_fail(err, RESVD_ERR_NUMBER, i, where[i].size_wide ?
					  where[i].size_pos : where[i].start_pos, what);
		}
		if (r->size - 1 > ~0ULL - r->start) {
			snprintf(what, sizeof(what), "0x%llx + 0x%llx passes 2^64",
				 (unsigned long long)r->start, (unsigned long long)r->size);
			return resvd_fail(err, RESVD_ERR_OVERFLOW, i, where[i].size_pos, what);
		}
		if (r->size & (RESVD_ALIGN - 1))
			return resvd_fail(err, RESVD_ERR_UNALIGNED, i, where[i].size_pos,
					  "size not a multiple of 4 KiB");
		if (r->start & (RESVD_ALIGN - 1))
			return resvd_fail(err, RESVD_ERR_UNALIGNED, i, where[i].start_pos,
					  "start not aligned to 4 KiB");
		for (j = 0; j < i; j++) {
			const struct resvd_range *q = &list->r[j];
			__u64 q_end = q->start + (q->size - 1);

			if (q->start == r->start && q->size == r->size) {
				snprintf(what, sizeof(what), "the same as range %u", j);
				return resvd_fail(err, RESVD_ERR_DUPLICATE, i, where[i].size_pos,
						  what);
			}
			/* Inclusive ends: ranges that only touch do not overlap. */
			if (r->start <= q_end && q->start <= end) {
				snprintf(what, sizeof(what), "0x%llx-0x%llx overlaps range %u",
					 (unsigned long long)r->start,
					 (unsigned long long)end, j);
				return resvd_fail(err, RESVD_ERR_OVERLAP, i, where[i].size_pos,
						  what);
			}
		}
	}
	return 0;
}

int resvd_parse(const char *s, size_t len, struct resvd_list *out,
		struct resvd_error *err)
{
	struct resvd_where where[RESVD_MAX_RANGES];
	char what[96];
	__u64 size, addr;
	int ret;

	memset(err, 0, sizeof(*err));
	out->nr = 0;
	if (!len)
		return resvd_fail(err, RESVD_ERR_EMPTY, 0, 0,
				  "empty (the kernel accepts it and reserves nothing)");
	if (resvd_old_form(s, len, &size, &addr)) {
		/* The 2023 stub passed where its array of ranges was, not the ranges. */
		snprintf(what, sizeof(what),
			 "the 2023 form <size>,<addr>: an array of struct resource, 0x%llx bytes at 0x%llx",
			 (unsigned long long)size, (unsigned long long)addr);
		return resvd_fail(err, RESVD_ERR_OLD_FORM, 0, 0, what);
	}
	ret = resvd_parse_grammar(s, len, out, where, err);
	if (!ret)
		ret = resvd_check_ranges(out, where, err);
	return ret;
}

/* The kernel's isspace(): its ctype also counts 0xa0 (Latin-1 NBSP). */
static bool resvd_isspace(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

/* parameq(): '-' and '_' are the same in parameter names. */
static bool resvd_name_is_param(const char *name, size_t len)
{
	static const char param[] = RESVD_PARAM;
	size_t i;

	if (len != sizeof(param) - 1)
		return false;
	for (i = 0; i < len; i++)
		if ((name[i] == '-' ? '_' : name[i]) != param[i])
			return false;
	return true;
}

bool resvd_cmdline_find(const char *cmdline, size_t len, unsigned int nth,
			struct resvd_param *param)
{
	unsigned int seen = 0;
	size_t i = 0;

	/* A NUL ends the command line, as it ends the kernel's string. */
	len = strnlen(cmdline, len);
	for (;;) {
		size_t name, name_end, end, equals = 0;
		bool quoted = false, in_quote;

		while (i < len && resvd_isspace(cmdline[i]))
			i++;
		if (i >= len)
			return false;
		/* next_arg(): one word, maybe quoted as a whole or after '='. */
		if (cmdline[i] == '"') {
			quoted = true;
			i++;
		}
		in_quote = quoted;
		name = i;
		for (; i < len; i++) {
			if (resvd_isspace(cmdline[i]) && !in_quote)
				break;
			if (!equals && i > name && cmdline[i] == '=')
				equals = i;
			if (cmdline[i] == '"')
				in_quote = !in_quote;
		}
		end = i;
		name_end = equals ? equals : end;
		if (!equals && quoted && end > name && cmdline[end - 1] == '"')
			name_end = end - 1;
		if (!equals && name_end - name == 2 && !memcmp(cmdline + name, "--", 2))
			return false;	/* the rest is init's */
		if (!resvd_name_is_param(cmdline + name, name_end - name) || seen++ != nth)
			continue;

		param->has_value = equals != 0;
		param->off = equals ? equals + 1 : end;
		param->len = 0;
		if (equals) {
			size_t value_end = end;

			if (param->off < end && cmdline[param->off] == '"') {
				param->off++;
				if (cmdline[end - 1] == '"')
					value_end = end - 1;
			}
			if (quoted && cmdline[end - 1] == '"')
				value_end = end - 1;
			if (value_end > param->off)
				param->len = value_end - param->off;
		}
		return true;
	}
}

int resvd_parse_cmdline(const char *cmdline, size_t len, struct resvd_list *out,
			struct resvd_error *err)
{
	struct resvd_param param;
	unsigned int n;
	int ret;

	memset(err, 0, sizeof(*err));
	out->nr = 0;
	for (n = 0; resvd_cmdline_find(cmdline, len, n, &param); n++) {
		if (!param.has_value) {
			ret = resvd_fail(err, RESVD_ERR_NO_VALUE, 0, 0,
					 "no '=' and no value (the kernel's parser reads NULL)");
		} else {
			ret = resvd_parse(cmdline + param.off, param.len, out, err);
		}
		if (ret) {
			err->occurrence = n;
			return ret;
		}
	}
	return n;
}
