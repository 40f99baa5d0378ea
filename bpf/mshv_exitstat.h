/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What mshv_exitstat.bpf.c and mshv-exitstat share: the keys and values of
 * its maps. Every count is cumulative since the tool started; the program
 * prints differences of snapshots, so nothing is ever reset under the BPF
 * programs' feet (min and max excepted, see exitstat_row).
 */
#ifndef MSHV_EXITSTAT_H
#define MSHV_EXITSTAT_H

#include "mshv_fastpath_tp.h"

/* Exit kinds: the module's (kmod/trace.h) and, decoded, KVM's. */
#define EXITSTAT_KIND_PIO	0
#define EXITSTAT_KIND_MMIO	1
#define EXITSTAT_KIND_OTHER	2

/*
 * Who finished the exit: the module's MSHV_FP_ACTION_* (0-3) or, for
 * userspace, MSHV_FP_ACTION_FORWARDED; KVM itself; or userspace after a
 * KVM_RUN that the module did not make (seen by KVM's tracepoints only).
 */
#define EXITSTAT_KVM_FORWARDED	0xfd
#define EXITSTAT_BY_KVM		0xfe
#define EXITSTAT_FORWARDED	0xff

/* Whose numbering a row's reason is in. */
#define EXITSTAT_REASON_KVM_RUN	1	/* kvm_run.exit_reason (the module on KVM) */
#define EXITSTAT_REASON_HVMSG	2	/* hv_message type (the module on mshv) */
#define EXITSTAT_REASON_VMX	3	/* kvm:kvm_exit, Intel: basic exit reason */
#define EXITSTAT_REASON_SVM	4	/* kvm:kvm_exit, AMD: exit code */

/*
 * One row of the table. Port and MMIO exits are keyed by address and
 * direction, all others by reason.
 */
struct exitstat_key {
	__u64 addr;		/* port or guest physical address; 0 for other */
	__u32 reason;		/* kind other: the exit reason; else 0 */
	__u8 kind;		/* EXITSTAT_KIND_* */
	__u8 by;		/* MSHV_FP_ACTION_* or EXITSTAT_{KVM_FORWARDED,BY_KVM,FORWARDED} */
	__u8 write;		/* 1 write (OUT), 0 read (IN) */
	__u8 reason_space;	/* EXITSTAT_REASON_* */
};

/*
 * @count exits; @timed of them have a time, summed in @time_ns: the time in
 * the kernel for those finished there, the round trip through userspace for
 * forwarded ones (known at the next entry only). @min_ns and @max_ns restart
 * whenever @gen differs from the program's interval_gen + 1 (0: never
 * timed); mshv-exitstat advances interval_gen at every interval.
 */
struct exitstat_row {
	__u64 count;
	__u64 timed;
	__u64 time_ns;
	__u64 min_ns;
	__u64 max_ns;
	__u32 gen;
	__u32 used;		/* the slot holds this key's row */
};

/*
 * The rows of one CPU: an open-addressed table, a key in one of
 * EXITSTAT_ROW_PROBES slots from its hash. A full neighbourhood drops the
 * exit (counted). Slots are 64 bytes: a cache line each.
 */
#define EXITSTAT_ROW_SLOTS	512
#define EXITSTAT_ROW_PROBES	8

struct exitstat_slot {
	struct exitstat_key key;
	struct exitstat_row row;
};

/* Latency histograms: log2(ns) slots, one array per kind of latency. */
#define EXITSTAT_HIST_SLOTS	64
#define EXITSTAT_HIST_KERNEL	0	/* handled in the kernel */
#define EXITSTAT_HIST_USER	1	/* round trip through userspace */
#define EXITSTAT_NR_HISTS	2

/* Counters. */
#define EXITSTAT_CNT_DROPPED		0	/* not counted: no room in a map */
#define EXITSTAT_NR_COUNTERS		1

/*
 * kvm:kvm_exit reasons (also their only count): AMD exit codes at their own
 * index (VMEXIT_INVALID and anything above in the last slot), Intel basic
 * exit reasons after them.
 */
#define EXITSTAT_SVM_SLOTS	0x800
#define EXITSTAT_VMX_SLOTS	0x100
#define EXITSTAT_REASON_SLOTS	(EXITSTAT_SVM_SLOTS + EXITSTAT_VMX_SLOTS)

/*
 * Everything one CPU counts, in one element of an array map indexed by CPU:
 * an exit looks up one element (inlined by the verifier) and touches a
 * slot and a histogram counter, instead of walking three maps. A thread
 * runs on one CPU at a time and tracepoints run with preemption off, so
 * plain adds suffice; mshv-exitstat sums the CPUs.
 */
struct exitstat_cpu {
	/* The module's batch being counted (its records, copied out). */
	struct mshv_fp_tp_exit_record batch[MSHV_FP_TP_EXIT_BATCH];
	struct exitstat_slot slots[EXITSTAT_ROW_SLOTS];
	__u64 hists[EXITSTAT_NR_HISTS][EXITSTAT_HIST_SLOTS];
	__u64 counters[EXITSTAT_NR_COUNTERS];
	__u64 reasons[EXITSTAT_REASON_SLOTS];
};

#endif /* MSHV_EXITSTAT_H */
