/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Record layouts of the mshv_fastpath tracepoints, for BPF programs attached
 * with SEC("tracepoint/mshv_fastpath/NAME"); raw tracepoint programs get the
 * same fields, in the same order, as arguments. The module has no BTF on every
 * kernel (Debian 6.1 builds it without), so the layouts are declared here and
 * checked against tracefs' format files by the selftests. They follow
 * kmod/trace.h; fields are only ever added at the end.
 */
#ifndef MSHV_FASTPATH_TP_H
#define MSHV_FASTPATH_TP_H

/* The hypervisor fields' values (the uapi's MSHV_FP_HV_*). */
#define MSHV_FP_TP_HV_KVM	1
#define MSHV_FP_TP_HV_MSHV	2

/* The fields every trace record starts with. */
struct mshv_fp_tp_common {
	unsigned short common_type;
	unsigned char common_flags;
	unsigned char common_preempt_count;
	int common_pid;
};

/* mshv_fastpath:ioctl */
struct mshv_fp_tp_ioctl {
	struct mshv_fp_tp_common common;
	unsigned int cmd;
	long ret;
};

/* mshv_fastpath:exit (README: "Tracepoints" for every field's meaning) */
struct mshv_fp_tp_exit {
	struct mshv_fp_tp_common common;
	unsigned int vcpu_id;
	unsigned char hypervisor;	/* MSHV_FP_TP_HV_* */
	unsigned char kind;		/* 0 pio, 1 mmio, 2 other */
	unsigned char size;
	unsigned char write;
	unsigned int reason;		/* the hypervisor's exit code */
	unsigned long long addr;
	unsigned char action;		/* MSHV_FP_ACTION_*, 255 forwarded */
	unsigned int rule_id;
	unsigned long long ns;
	unsigned long long user_ns;	/* forwarded: the round trip through the VMM */
};

/*
 * One exit of mshv_fastpath:exit_batch: struct mshv_fp_exit_record of
 * include/uapi/linux/mshv_fastpath.h, in a BPF program's types (the
 * selftests check that the two agree).
 */
#define MSHV_FP_TP_EXIT_BATCH	32

struct mshv_fp_tp_exit_record {
	unsigned long long addr;
	unsigned long long ns;
	unsigned long long user_ns;
	unsigned int reason;
	unsigned int rule_id;
	unsigned char kind;
	unsigned char size;
	unsigned char write;
	unsigned char action;
	unsigned int reserved;
};

/* mshv_fastpath:exit_batch */
struct mshv_fp_tp_exit_batch {
	struct mshv_fp_tp_common common;
	unsigned int vcpu_id;
	unsigned char hypervisor;
	unsigned int nr;
	unsigned int records;	/* __data_loc: offset | size << 16 */
};

/* mshv_fastpath:run_enter */
struct mshv_fp_tp_run_enter {
	struct mshv_fp_tp_common common;
	unsigned int vcpu_id;
	unsigned char hypervisor;
	unsigned long long user_ns;	/* since MSHV_FP_RUN last returned */
};

/* mshv_fastpath:run_exit */
struct mshv_fp_tp_run_exit {
	struct mshv_fp_tp_common common;
	unsigned int vcpu_id;
	unsigned char hypervisor;
	long ret;
	unsigned long long handled;
};

#endif /* MSHV_FASTPATH_TP_H */
