/* SPDX-License-Identifier: GPL-2.0 */
/* --stats: where each rule was placed and where the exits went. */
#ifndef MSHV_VMM_STATS_H
#define MSHV_VMM_STATS_H

#include <stdbool.h>
#include <stdio.h>

struct vm;

/* @module_state: "loaded", "not loaded" or "disabled (--no-fastpath)". */
void vm_print_stats(struct vm *vm, FILE *out, bool json, const char *module_state);

#endif
