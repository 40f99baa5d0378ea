/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mshv_fastpath: userspace interface of /dev/mshv_fastpath.
 *
 * This header is shared, unchanged, by the kernel module and by the
 * userspace tools. Every struct has a fixed size, explicit padding and
 * reserved fields that must be zero, so that later ABI minor versions can
 * give them a meaning without breaking older callers.
 */
#ifndef _UAPI_LINUX_MSHV_FASTPATH_H
#define _UAPI_LINUX_MSHV_FASTPATH_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define MSHV_FP_DEVICE_NAME		"mshv_fastpath"

/*
 * ABI version. The major number changes only when an existing ioctl or
 * struct changes incompatibly; the minor number when something is added.
 */
#define MSHV_FP_ABI_MAJOR		0
#define MSHV_FP_ABI_MINOR		3

/* 0xB8 is the mshv driver's magic; its neighbour is ours. */
#define MSHV_FP_IOCTL_MAGIC		0xB9

#define MSHV_FP_VERSION_LEN		32

/* MSHV_FP_GET_VERSION: what the loaded module is and what it can do. */
struct mshv_fp_version {
	__u16 abi_major;
	__u16 abi_minor;
	__u32 reserved0;			/* zero */
	__u64 capabilities;			/* MSHV_FP_CAP_* bit mask */
	char module_version[MSHV_FP_VERSION_LEN]; /* NUL-terminated */
	__u64 reserved[4];			/* zero */
};

/*
 * Capability numbers, for MSHV_FP_CHECK_EXTENSION and as bit positions in
 * mshv_fp_version.capabilities. Numbers are never reused.
 */
#define MSHV_FP_CAP_VERSION		0	/* this ioctl set; always 1 */
#define MSHV_FP_CAP_TRACEPOINTS		1	/* TRACE_SYSTEM mshv_fastpath */
#define MSHV_FP_CAP_KVM			2	/* attach KVM vCPUs */
#define MSHV_FP_CAP_MSHV		3	/* attach mshv VPs */
#define MSHV_FP_CAP_RULES		4	/* rules, run loop, stats */
#define MSHV_FP_CAP_RING		5	/* coalesced-write ring */

/*
 * The fast path, in four objects:
 *
 *   /dev/mshv_fastpath fd    one per VM: its rules, its coalesced ring
 *                            (mmap), its stats. Open it once per VM.
 *   vCPU fd                  MSHV_FP_ATTACH_VCPU returns one per attached
 *                            hypervisor vCPU; MSHV_FP_RUN on it enters the
 *                            guest through the hypervisor's own run ioctl
 *                            and loops in the kernel while exits match
 *                            rules. Closing it detaches the vCPU.
 *   rule                     which guest accesses the kernel finishes, how.
 *   ring                     writes coalesced by MSHV_FP_ACTION_COALESCE.
 */

/* Hypervisors (mshv_fp_attach.hypervisor, tracepoints). */
#define MSHV_FP_HV_KVM			1
#define MSHV_FP_HV_MSHV			2

/* MSHV_FP_ATTACH_VCPU on the VM fd. Returns a new vCPU fd (O_CLOEXEC). */
struct mshv_fp_attach {
	__u32 hypervisor;	/* MSHV_FP_HV_* */
	__s32 vcpu_fd;		/* the hypervisor's vCPU fd, owned by the caller */
	__u32 vcpu_id;		/* caller's vCPU number: stats, tracepoints */
	__u32 flags;		/* zero */
	/*
	 * Hypervisor-specific: KVM: zero (the module finds kvm_run itself).
	 * mshv: address of the caller's 256-byte hv_message buffer, which
	 * MSHV_FP_RUN hands to the driver's RUN_VP.
	 */
	__u64 user_area;
	/*
	 * mshv only (KVM: zero): where the caller mapped the VP's register
	 * page (mmap of vcpu_fd at offset 0), or zero when the VP has none
	 * (isolated partitions): the module then finishes no exit itself.
	 * Since ABI 0.3.
	 */
	__u64 register_page;
	__u64 reserved[3];	/* zero */
};

/* Address spaces (mshv_fp_rule.space, mshv_fp_ring_entry.space). */
#define MSHV_FP_SPACE_PIO		0
#define MSHV_FP_SPACE_MMIO		1

/* mshv_fp_rule.access: which directions match (at least one). */
#define MSHV_FP_ACCESS_READ		(1 << 0)
#define MSHV_FP_ACCESS_WRITE		(1 << 1)

/* mshv_fp_rule.sizes: accepted access sizes, one bit per size; 0 = any. */
#define MSHV_FP_SIZE_1			(1 << 0)
#define MSHV_FP_SIZE_2			(1 << 1)
#define MSHV_FP_SIZE_4			(1 << 2)
#define MSHV_FP_SIZE_8			(1 << 3)

/* What the kernel does with a matching access. */
#define MSHV_FP_ACTION_DOORBELL		0	/* write: signal eventfd */
#define MSHV_FP_ACTION_COALESCE		1	/* write: append to the ring */
#define MSHV_FP_ACTION_FIXED_READ	2	/* read: answer value */
#define MSHV_FP_ACTION_COUNT		3	/* count; write dropped, read gets value */
#define MSHV_FP_NR_ACTIONS		4
/* Tracepoints only: the exit went to userspace. */
#define MSHV_FP_ACTION_FORWARDED	0xff

/*
 * Tracepoint mshv_fastpath:exit_batch: finished exits of one vCPU, in the
 * order they happened, up to MSHV_FP_EXIT_BATCH at a time (the fields are
 * the exit event's, README "Tracepoints").
 */
#define MSHV_FP_EXIT_BATCH		32

struct mshv_fp_exit_record {
	__u64 addr;		/* port or guest physical address */
	__u64 ns;		/* time in the kernel */
	__u64 user_ns;		/* forwarded: the round trip through the VMM */
	__u32 reason;		/* the hypervisor's exit code */
	__u32 rule_id;		/* the matching rule, 0: none */
	__u8 kind;		/* 0 port I/O, 1 MMIO, 2 other */
	__u8 size;		/* access size in bytes, 0 for other */
	__u8 write;		/* 1 write, 0 read */
	__u8 action;		/* MSHV_FP_ACTION_* or MSHV_FP_ACTION_FORWARDED */
	__u32 reserved;		/* zero */
};

/* mshv_fp_rule.flags */
#define MSHV_FP_RULE_DATAMATCH		(1 << 0) /* writes of datamatch only */

/*
 * A rule covers [addr, addr + len) of one space; an access matches when it
 * lies wholly inside, its direction is in access and its size in sizes.
 * Rules of a VM may not overlap (-EEXIST), except write rules with
 * DATAMATCH on the same range and different datamatch values (one per
 * virtqueue on a virtio notify register, as KVM's ioeventfd allows).
 */
struct mshv_fp_rule {
	__u32 id;		/* out of MSHV_FP_ADD_RULE; in for REMOVE */
	__u8 space;		/* MSHV_FP_SPACE_* */
	__u8 access;		/* MSHV_FP_ACCESS_* mask */
	__u8 action;		/* MSHV_FP_ACTION_* */
	__u8 sizes;		/* MSHV_FP_SIZE_* mask, 0 = any */
	__u64 addr;		/* first port or guest physical address */
	__u64 len;		/* bytes covered: >= 1 */
	__u64 datamatch;	/* with MSHV_FP_RULE_DATAMATCH */
	__u64 value;		/* FIXED_READ/COUNT reads: the answer */
	__s32 eventfd;		/* DOORBELL: eventfd to signal */
	__u32 flags;		/* MSHV_FP_RULE_* */
	__u64 reserved[4];	/* zero */
};

/*
 * The coalesced-write ring: mmap the VM fd at offset 0, one page, shared,
 * read-write. As KVM's coalesced MMIO ring: the kernel produces at last,
 * userspace consumes from first; first == last is empty; one slot always
 * stays free. When the ring is full, the write goes to userspace as a normal
 * exit instead: nothing is dropped. Userspace drains the ring before it
 * handles any exit of a device that has coalesced writes, to keep order.
 */
struct mshv_fp_ring_entry {
	__u64 addr;		/* port or guest physical address */
	__u32 len;		/* bytes of data: 1, 2, 4 or 8 */
	__u8 space;		/* MSHV_FP_SPACE_* */
	__u8 reserved[3];
	__u64 data;		/* the value written, little-endian */
	__u32 vcpu_id;		/* who wrote it */
	__u32 rule_id;		/* which rule coalesced it */
};

struct mshv_fp_ring {
	__u32 first;		/* next entry userspace reads; userspace writes it */
	__u32 last;		/* next entry the kernel writes; kernel writes it */
	__u32 nr_entries;	/* size of entries[] */
	__u32 reserved;
	struct mshv_fp_ring_entry entries[];
};

#define MSHV_FP_RING_SIZE		4096

/* Exit statistics (MSHV_FP_GET_STATS on a vCPU fd or on the VM fd). */
struct mshv_fp_stats {
	__u64 runs;		/* MSHV_FP_RUN calls */
	__u64 exits;		/* exits the run loop saw */
	__u64 handled[MSHV_FP_NR_ACTIONS]; /* finished in the kernel, per action */
	__u64 forwarded;	/* returned to userspace */
	__u64 ring_full;	/* of forwarded: COALESCE with the ring full */
	__u64 run_ns;		/* time in MSHV_FP_RUN */
	__u64 hv_ns;		/* of run_ns: inside the hypervisor's run ioctl */
	__u64 reserved[6];	/* zero */
};

#define MSHV_FP_GET_VERSION \
	_IOR(MSHV_FP_IOCTL_MAGIC, 0x00, struct mshv_fp_version)
/* Argument: a capability number. Returns 1 if supported, else 0. */
#define MSHV_FP_CHECK_EXTENSION	_IO(MSHV_FP_IOCTL_MAGIC, 0x01)
/* VM fd: attach a vCPU; returns the new vCPU fd. */
#define MSHV_FP_ATTACH_VCPU \
	_IOW(MSHV_FP_IOCTL_MAGIC, 0x02, struct mshv_fp_attach)
/* VM fd: add a rule; its id is written back. */
#define MSHV_FP_ADD_RULE \
	_IOWR(MSHV_FP_IOCTL_MAGIC, 0x03, struct mshv_fp_rule)
/* VM fd: argument: a rule id. */
#define MSHV_FP_REMOVE_RULE	_IO(MSHV_FP_IOCTL_MAGIC, 0x04)
/* VM fd (the VM's totals) or vCPU fd (that vCPU's). */
#define MSHV_FP_GET_STATS \
	_IOR(MSHV_FP_IOCTL_MAGIC, 0x05, struct mshv_fp_stats)
/*
 * vCPU fd: run the guest. Returns 0 when an exit needs userspace (it is in
 * the hypervisor's own run area: kvm_run, or the mshv message buffer), or
 * the hypervisor's error (-EINTR: signal or immediate_exit). -EINTR leaves
 * no exit to handle: if the kernel finished exits during the call, the run
 * area says so (kvm_run.exit_reason KVM_EXIT_INTR; mshv: message_type 0,
 * HVMSG_NONE), so that the last of them is not taken for a pending one.
 */
#define MSHV_FP_RUN		_IO(MSHV_FP_IOCTL_MAGIC, 0x06)

#endif /* _UAPI_LINUX_MSHV_FASTPATH_H */
