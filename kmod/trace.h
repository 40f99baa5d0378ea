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

#endif /* _MSHV_FASTPATH_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
