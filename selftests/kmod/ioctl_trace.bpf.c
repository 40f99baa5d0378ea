// SPDX-License-Identifier: GPL-2.0
/* Counts mshv_fastpath:ioctl events of one process (ioctl_trace_test). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "mshv_fastpath_tp.h"

const volatile int target_tgid;

__u64 nr_ioctls;
__u64 nr_enotty;
unsigned int last_cmd;

SEC("tracepoint/mshv_fastpath/ioctl")
int count_ioctl(struct mshv_fp_tp_ioctl *ctx)
{
	if ((bpf_get_current_pid_tgid() >> 32) != (__u32)target_tgid)
		return 0;
	__sync_fetch_and_add(&nr_ioctls, 1);
	if (ctx->ret == -25 /* ENOTTY */)
		__sync_fetch_and_add(&nr_enotty, 1);
	last_cmd = ctx->cmd;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
