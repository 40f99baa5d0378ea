/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Record layouts of the mshv_fastpath tracepoints, for BPF programs attached
 * with SEC("tracepoint/mshv_fastpath/NAME"). The module has no BTF on every
 * kernel (Debian 6.1 builds it without), so the layouts are declared here and
 * checked against tracefs' format files by the selftests. They follow
 * kmod/trace.h; fields are only ever added at the end.
 */
#ifndef MSHV_FASTPATH_TP_H
#define MSHV_FASTPATH_TP_H

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

#endif /* MSHV_FASTPATH_TP_H */
