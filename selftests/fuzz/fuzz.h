/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the libFuzzer targets (*_fuzz.c) share: an invariant that, broken,
 * stops the fuzzer with its reason, which libFuzzer then reports as a crash
 * and saves the input as a reproducer.
 */
#ifndef MSHV_FP_FUZZ_H
#define MSHV_FP_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_ASSERT(cond, ...)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "FUZZ INVARIANT %s:%d: %s: ",		\
				__FILE__, __LINE__, #cond);			\
			fprintf(stderr, __VA_ARGS__);				\
			fputc('\n', stderr);					\
			abort();						\
		}								\
	} while (0)

/* Little-endian reads of the input. */
static inline unsigned long long fuzz_le(const unsigned char *p, unsigned int n)
{
	unsigned long long v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

#endif
