// SPDX-License-Identifier: GPL-2.0
/*
 * Counts the mshv_fastpath tracepoints of one process, as the BPF tools
 * read them (tracepoints_test): ioctls, and exits per action.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "mshv_fastpath_tp.h"

const volatile int target_tgid;

__u64 nr_ioctls;
__u64 nr_enotty;
unsigned int last_cmd;

__u64 exits_by_action[256];
__u64 last_exit_addr;
__u64 last_exit_user_ns;
unsigned int last_exit_vcpu;
__u64 exit_ns_total;
__u64 nr_run_enter;
__u64 nr_run_exit;
__u64 handled_reported;

static bool ours(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == (__u32)target_tgid;
}

SEC("tracepoint/mshv_fastpath/ioctl")
int count_ioctl(struct mshv_fp_tp_ioctl *ctx)
{
	if (!ours())
		return 0;
	__sync_fetch_and_add(&nr_ioctls, 1);
	if (ctx->ret == -25 /* ENOTTY */)
		__sync_fetch_and_add(&nr_enotty, 1);
	last_cmd = ctx->cmd;
	return 0;
}

SEC("tracepoint/mshv_fastpath/exit")
int count_exit(struct mshv_fp_tp_exit *ctx)
{
	if (!ours())
		return 0;
	__sync_fetch_and_add(&exits_by_action[ctx->action & 0xff], 1);
	__sync_fetch_and_add(&exit_ns_total, ctx->ns);
	last_exit_addr = ctx->addr;
	last_exit_vcpu = ctx->vcpu_id;
	last_exit_user_ns = ctx->user_ns;
	return 0;
}

SEC("tracepoint/mshv_fastpath/run_enter")
int count_run_enter(struct mshv_fp_tp_run_enter *ctx)
{
	if (ours())
		__sync_fetch_and_add(&nr_run_enter, 1);
	return 0;
}

SEC("tracepoint/mshv_fastpath/run_exit")
int count_run_exit(struct mshv_fp_tp_run_exit *ctx)
{
	if (!ours())
		return 0;
	__sync_fetch_and_add(&nr_run_exit, 1);
	__sync_fetch_and_add(&handled_reported, ctx->handled);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
