/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hyperv_resvd_new=<size>!<start>,... : the Microsoft Hypervisor's own code
 * and data, which the mshv boot stub appends to the kernel command line and
 * the kernel reserves (Mariner's arch/x86/kernel/cpu/mshyperv.c). One parser
 * (resvd.c), compiled into mshv-vmm and into mshv_fastpath.ko.
 *
 * resvd_parse() accepts exactly what the kernel accepts: hexadecimal numbers
 * with an optional 0x/0X prefix, a size and a start joined by '!', pairs
 * separated by ',', a trailing ',' allowed, at most 32 pairs, no size or
 * start of 0. On top of that it refuses what the kernel takes without a
 * word but what cannot be right: a number wider than 64 bits (the kernel
 * wraps it), start + size beyond 2^64, ranges that overlap or repeat, and
 * ranges not aligned to 4 KiB. It also recognises the 2023 Mariner form
 * <size>,<addr> and says what it is. The input is bytes and a length, never
 * a C string, so that any bytes can be fed to it.
 */
#ifndef MSHV_FP_RESVD_H
#define MSHV_FP_RESVD_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#endif

#define RESVD_PARAM		"hyperv_resvd_new"
#define RESVD_MAX_RANGES	32	/* the kernel's HV_MAX_RESVD_RANGES */
#define RESVD_ALIGN		0x1000ULL
/* How /proc/iomem names a range mshv_fastpath claimed (resvd_claim=1). */
#define RESVD_CLAIM_NAME	"Hypervisor Code and Data (mshv_fastpath)"

struct resvd_range {
	__u64 start;
	__u64 size;
};

struct resvd_list {
	unsigned int nr;
	struct resvd_range r[RESVD_MAX_RANGES];
};

/* Errors, returned negated. The kernel refuses those up to TOO_MANY. */
enum resvd_error_code {
	RESVD_ERR_SYNTAX = 1,	/* not <hex>!<hex>[,...] */
	RESVD_ERR_ZERO_SIZE,	/* a size of 0 */
	RESVD_ERR_ZERO_START,	/* a start of 0 */
	RESVD_ERR_TOO_MANY,	/* more than RESVD_MAX_RANGES */
	RESVD_ERR_NO_VALUE,	/* the parameter without '=' (resvd_parse_cmdline) */
	RESVD_ERR_OLD_FORM,	/* <size>,<addr>: the 2023 Mariner form */
	RESVD_ERR_EMPTY,	/* no ranges: nothing would be reserved */
	RESVD_ERR_NUMBER,	/* a number wider than 64 bits */
	RESVD_ERR_OVERFLOW,	/* start + size beyond 2^64 */
	RESVD_ERR_UNALIGNED,	/* start or size not a multiple of 4 KiB */
	RESVD_ERR_DUPLICATE,	/* the same range twice */
	RESVD_ERR_OVERLAP,	/* two ranges share bytes (touching is fine) */
};

struct resvd_error {
	int code;		/* RESVD_ERR_* */
	unsigned int index;	/* the range it is about, from 0 */
	unsigned int pos;	/* offset in the value where it was found */
	unsigned int occurrence; /* which parameter on a command line, from 0 */
	char msg[128];		/* "range 2 at offset 21: ..." */
};

/*
 * Parse the value of hyperv_resvd_new (@len bytes at @s, without the name).
 * Returns 0 with @out filled, in the order given, or -RESVD_ERR_* with @err
 * describing the first problem (@out is then incomplete).
 */
int resvd_parse(const char *s, size_t len, struct resvd_list *out,
		struct resvd_error *err);

/* Where one hyperv_resvd_new is on a kernel command line. */
struct resvd_param {
	size_t off;		/* its value: offset and length, quotes removed */
	size_t len;
	bool has_value;		/* false: written without '=' */
};

/*
 * Find the @nth (from 0) hyperv_resvd_new on the kernel command line
 * @cmdline (@len bytes; a NUL ends it early), split into words as the
 * kernel's next_arg() does: whitespace outside double quotes, quotes
 * removed, '-' and '_' alike in the name, nothing after "--". Returns true
 * and fills @param, or false when there are fewer.
 */
bool resvd_cmdline_find(const char *cmdline, size_t len, unsigned int nth,
			struct resvd_param *param);

/*
 * The kernel parses every hyperv_resvd_new on its command line, in order,
 * and reserves the ranges of each one. Parse them all the same way: returns
 * how many there are (0: absent) with @out holding the ranges of the last
 * one (the one the boot stub appends), or -RESVD_ERR_* for the first that
 * is malformed, err->occurrence naming it.
 */
int resvd_parse_cmdline(const char *cmdline, size_t len, struct resvd_list *out,
			struct resvd_error *err);

#endif /* MSHV_FP_RESVD_H */
