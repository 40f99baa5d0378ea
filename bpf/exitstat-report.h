/* SPDX-License-Identifier: GPL-2.0 */
/* mshv-exitstat's output: the table a person reads, the JSON a program does. */
#ifndef EXITSTAT_REPORT_H
#define EXITSTAT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "exitstat-snapshot.h"

/* What a report covers and how it was gathered. */
struct exitstat_view {
	bool module;		/* the mshv_fastpath tracepoints were attached */
	bool kvm_reasons;	/* kvm:kvm_exit, counting the hardware's exit reasons */
	bool kvm_exits;		/* KVM's tracepoints, following every exit */
	double seconds;		/* length of the period reported */
	unsigned int interval;	/* 1, 2, ... with -i; 0: the whole run */
	size_t max_rows;	/* table rows to print (text); 0: all */
	__u32 pid, tid;		/* filters; 0: none */
	bool vcpu_on;
	__u32 vcpu;
};

void exitstat_print_text(FILE *out, const struct exitstat_snapshot *s,
			 const struct exitstat_view *view);

/* One JSON object on one line. */
void exitstat_print_json(FILE *out, const struct exitstat_snapshot *s,
			 const struct exitstat_view *view);

#endif /* EXITSTAT_REPORT_H */
