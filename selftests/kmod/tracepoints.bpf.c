// SPDX-License-Identifier: GPL-2.0
/*
 * Counts the mshv_fastpath tracepoints of one process, as the BPF tools
 * read them (tracepoints_test): ioctls, and exits per action, one by one
 * and in batches.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

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

__u64 batched_by_action[256];
__u64 batched_ns_total;
__u64 last_batched_addr;
unsigned int last_batch_vcpu;
__u64 nr_batches;
__u64 max_batch;

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

/* As mshv-exitstat reads it: raw, the records copied out one by one. */
SEC("raw_tp/exit_batch")
int BPF_PROG(count_exit_batch, __u32 vcpu_id, __u8 hypervisor,
	     const struct mshv_fp_tp_exit_record *records, __u32 nr)
{
	struct mshv_fp_tp_exit_record rec;

	if (!ours())
		return 0;
	__sync_fetch_and_add(&nr_batches, 1);
	if (nr > max_batch)
		max_batch = nr;
	last_batch_vcpu = vcpu_id;
	for (__u32 i = 0; i < MSHV_FP_TP_EXIT_BATCH && i < nr; i++) {
		if (bpf_probe_read_kernel(&rec, sizeof(rec), &records[i]))
			return 0;
		__sync_fetch_and_add(&batched_by_action[rec.action], 1);
		__sync_fetch_and_add(&batched_ns_total, rec.ns);
		last_batched_addr = rec.addr;
	}
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
