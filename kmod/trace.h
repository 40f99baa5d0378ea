/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of mshv_fastpath.ko: the stable interface of the BPF tools.
 * Every field is documented in README.md ("Tracepoints"); fields are only
 * ever added, never renamed or removed.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mshv_fastpath

#if !defined(_MSHV_FASTPATH_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _MSHV_FASTPATH_TRACE_H

#include <linux/tracepoint.h>

#include "mshv_fastpath.h"

/* Every ioctl on /dev/mshv_fastpath, with its result. */
TRACE_EVENT(ioctl,
	TP_PROTO(unsigned int cmd, long ret),
	TP_ARGS(cmd, ret),

	TP_STRUCT__entry(
		__field(unsigned int, cmd)
		__field(long, ret)
	),

	TP_fast_assign(
		__entry->cmd = cmd;
		__entry->ret = ret;
	),

	TP_printk("cmd=0x%08x ret=%ld", __entry->cmd, __entry->ret)
);

/*
 * One exit, once it is finished. @action is the MSHV_FP_ACTION_* that
 * finished it in the kernel, or MSHV_FP_ACTION_FORWARDED (255) when it went
 * to userspace; @ns is its time in the kernel, from the exit to the guest's
 * next entry (finished there) or to MSHV_FP_RUN's return (forwarded).
 * @user_ns is a forwarded exit's round trip through the VMM, from that
 * return to the next MSHV_FP_RUN on the vCPU: a forwarded exit is traced
 * then (or when the vCPU is detached, with @user_ns 0), so that one event
 * says all about one exit.
 *
 * The arguments are scalars, in the order of the record's fields: a raw
 * tracepoint program (the cheapest kind) reads them without
 * knowing any structure of the module's.
 */
TRACE_EVENT(exit,
	TP_PROTO(u32 vcpu_id, u8 hypervisor, u8 kind, u8 size, bool write,
		 u32 reason, u64 addr, u8 action, u32 rule_id, u64 ns,
		 u64 user_ns),
	TP_ARGS(vcpu_id, hypervisor, kind, size, write, reason, addr, action,
		rule_id, ns, user_ns),

	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u8, hypervisor)
		__field(u8, kind)
		__field(u8, size)
		__field(u8, write)
		__field(u32, reason)
		__field(u64, addr)
		__field(u8, action)
		__field(u32, rule_id)
		__field(u64, ns)
		__field(u64, user_ns)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->hypervisor = hypervisor;
		__entry->kind = kind;
		__entry->size = size;
		__entry->write = write;
		__entry->reason = reason;
		__entry->addr = addr;
		__entry->action = action;
		__entry->rule_id = rule_id;
		__entry->ns = ns;
		__entry->user_ns = user_ns;
	),

	TP_printk("vcpu=%u hv=%s kind=%s reason=0x%x addr=0x%llx size=%u %s action=%s rule=%u ns=%llu user_ns=%llu",
		  __entry->vcpu_id,
		  __print_symbolic(__entry->hypervisor,
				   { MSHV_FP_HV_KVM, "kvm" }, { MSHV_FP_HV_MSHV, "mshv" }),
		  __print_symbolic(__entry->kind,
				   { MSHV_FP_EXIT_PIO, "pio" }, { MSHV_FP_EXIT_MMIO, "mmio" },
				   { MSHV_FP_EXIT_OTHER, "other" }),
		  __entry->reason, __entry->addr, __entry->size,
		  __entry->write ? "write" : "read",
		  __print_symbolic(__entry->action,
				   { MSHV_FP_ACTION_DOORBELL, "doorbell" },
				   { MSHV_FP_ACTION_COALESCE, "coalesce" },
				   { MSHV_FP_ACTION_FIXED_READ, "fixed_read" },
				   { MSHV_FP_ACTION_COUNT, "count" },
				   { MSHV_FP_ACTION_FORWARDED, "forwarded" }),
		  __entry->rule_id, __entry->ns, __entry->user_ns)
);

/*
 * The exits of one vCPU, as the exit event has them, in batches: a tracer
 * runs once for up to MSHV_FP_EXIT_BATCH exits, which is what makes
 * watching every exit cheap (mshv-exitstat's source). A batch is traced
 * when full, when its first exit is MSHV_FP_TRACE_LAG_NS old as the next
 * one is added, and when the vCPU is detached; so a tracer sees an exit
 * late, never twice, and sees all once the vCPU is gone.
 */
TRACE_EVENT(exit_batch,
	TP_PROTO(u32 vcpu_id, u8 hypervisor,
		 const struct mshv_fp_exit_record *records, u32 nr),
	TP_ARGS(vcpu_id, hypervisor, records, nr),

	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u8, hypervisor)
		__field(u32, nr)
		/* struct mshv_fp_exit_record[nr]; bytes: trace wants scalars */
		__dynamic_array(u8, records, nr * sizeof(*records))
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->hypervisor = hypervisor;
		__entry->nr = nr;
		memcpy(__get_dynamic_array(records), records,
		       nr * sizeof(*records));
	),

	TP_printk("vcpu=%u hv=%s nr=%u", __entry->vcpu_id,
		  __print_symbolic(__entry->hypervisor,
				   { MSHV_FP_HV_KVM, "kvm" }, { MSHV_FP_HV_MSHV, "mshv" }),
		  __entry->nr)
);

/*
 * MSHV_FP_RUN entered, @user_ns after it last returned on this vCPU (0 the
 * first time).
 */
TRACE_EVENT(run_enter,
	TP_PROTO(u32 vcpu_id, u32 hypervisor, u64 user_ns),
	TP_ARGS(vcpu_id, hypervisor, user_ns),

	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u8, hypervisor)
		__field(u64, user_ns)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->hypervisor = hypervisor;
		__entry->user_ns = user_ns;
	),

	TP_printk("vcpu=%u hv=%u user_ns=%llu", __entry->vcpu_id,
		  __entry->hypervisor, __entry->user_ns)
);

/* MSHV_FP_RUN returns @ret, having finished @handled exits in the kernel. */
TRACE_EVENT(run_exit,
	TP_PROTO(u32 vcpu_id, u32 hypervisor, long ret, u64 handled),
	TP_ARGS(vcpu_id, hypervisor, ret, handled),

	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u8, hypervisor)
		__field(long, ret)
		__field(u64, handled)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->hypervisor = hypervisor;
		__entry->ret = ret;
		__entry->handled = handled;
	),

	TP_printk("vcpu=%u hv=%u ret=%ld handled=%llu", __entry->vcpu_id,
		  __entry->hypervisor, __entry->ret, __entry->handled)
);

#endif /* _MSHV_FASTPATH_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
