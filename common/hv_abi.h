/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Microsoft Hypervisor as the mshv driver shows it, in both of the
 * driver's ABIs, shared by mshv_fastpath.ko and mshv-vmm:
 *
 *   upstream  Linux >= 6.15, include/uapi/linux/mshv.h (magic 0xB8)
 *   mariner   the 2023 driver of Azure's Mariner 5.15.*.mshv* kernels: the
 *             same magic and hypervisor messages, other ioctl numbers
 *
 * The project does not include <linux/mshv.h>: no kernel it is built for
 * ships it. These definitions follow the public sources named in
 * docs/mshv.md; selftests/host/mshv_uapi_test compares them with the
 * header of Debian's linux-libc-dev 7.x.
 *
 * Names: MSHV_UAPI_* / mshv_uapi_* upstream ioctls, MSHV_MARINER_* /
 * mshv_mariner_* Mariner ioctls, HVI_* / hvi_* the hypervisor's own
 * definitions (messages, registers, hypercalls), which both ABIs share.
 * The prefixes keep them apart from the kernel's own hyperv-tlfs.h names.
 * Everything is little-endian x86-64.
 */
#ifndef MSHV_FP_HV_ABI_H
#define MSHV_FP_HV_ABI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#ifndef __KERNEL__
#include "user-compat.h"
#endif

#define MSHV_IOCTL_MAGIC		0xB8
#define HVI_PAGE_SIZE			0x1000

/* ---- Upstream ABI (Linux >= 6.15) ---- */

#define MSHV_UAPI_PT_BIT_LAPIC		0
#define MSHV_UAPI_PT_BIT_X2APIC		1
#define MSHV_UAPI_PT_BIT_GPA_SUPER_PAGES 2
#define MSHV_UAPI_PT_ISOLATION_NONE	0

struct mshv_uapi_create_partition {
	__u64 pt_flags;			/* 1 << MSHV_UAPI_PT_BIT_* */
	__u64 pt_isolation;		/* MSHV_UAPI_PT_ISOLATION_* */
};

struct mshv_uapi_create_vp {
	__u32 vp_index;
};

#define MSHV_UAPI_MEM_BIT_WRITABLE	0
#define MSHV_UAPI_MEM_BIT_EXECUTABLE	1
#define MSHV_UAPI_MEM_BIT_UNMAP		2

struct mshv_uapi_user_mem_region {
	__u64 size;
	__u64 guest_pfn;
	__u64 userspace_addr;
	__u8 flags;			/* 1 << MSHV_UAPI_MEM_BIT_* */
	__u8 rsvd[7];
};

/* Same layout in both ABIs. */
struct mshv_irqfd_args {
	__s32 fd;
	__s32 resamplefd;
	__u32 gsi;
	__u32 flags;			/* 1 << MSHV_IRQFD_ARGS_BIT_* */
};

#define MSHV_IRQFD_ARGS_BIT_DEASSIGN	0
#define MSHV_IRQFD_ARGS_BIT_RESAMPLE	1

#define MSHV_IOEVENTFD_ARGS_BIT_DATAMATCH 0
#define MSHV_IOEVENTFD_ARGS_BIT_PIO	1
#define MSHV_IOEVENTFD_ARGS_BIT_DEASSIGN 2

/* Same layout in both ABIs. PIO is refused (-EOPNOTSUPP) upstream. */
struct mshv_ioeventfd_args {
	__u64 datamatch;
	__u64 addr;
	__u32 len;
	__s32 fd;
	__u32 flags;			/* 1 << MSHV_IOEVENTFD_ARGS_BIT_* */
	__u8 rsvd[4];
};

/* Same layout in both ABIs. */
struct mshv_msi_routing_entry_args {
	__u32 gsi;
	__u32 address_lo;
	__u32 address_hi;
	__u32 data;
};

struct mshv_msi_routing_args {
	__u32 nr;
	__u32 rsvd;
	struct mshv_msi_routing_entry_args entries[];
};

struct mshv_uapi_root_hvcall {
	__u16 code;			/* HVI_CALL_* */
	__u16 reps;
	__u16 in_sz;
	__u16 out_sz;
	__u16 status;			/* out: HVI_STATUS_* */
	__u8 rsvd[6];
	__u64 in_ptr;			/* first u64: partition id, set by the kernel */
	__u64 out_ptr;
};

#define MSHV_RUN_VP_BUF_SIZE		256

/* VP fd mmap offsets, in pages (both ABIs map the register page at 0). */
#define MSHV_VP_MMAP_REGISTERS		0
#define MSHV_VP_MMAP_INTERCEPT_MESSAGE	1
#define MSHV_VP_MMAP_GHCB		2

/* /dev/mshv */
#define MSHV_UAPI_CREATE_PARTITION \
	_IOW(MSHV_IOCTL_MAGIC, 0x00, struct mshv_uapi_create_partition)
/* partition fd */
#define MSHV_UAPI_INITIALIZE_PARTITION	_IO(MSHV_IOCTL_MAGIC, 0x00)
#define MSHV_UAPI_CREATE_VP \
	_IOW(MSHV_IOCTL_MAGIC, 0x01, struct mshv_uapi_create_vp)
#define MSHV_UAPI_SET_GUEST_MEMORY \
	_IOW(MSHV_IOCTL_MAGIC, 0x02, struct mshv_uapi_user_mem_region)
#define MSHV_UAPI_IRQFD	_IOW(MSHV_IOCTL_MAGIC, 0x03, struct mshv_irqfd_args)
#define MSHV_UAPI_IOEVENTFD \
	_IOW(MSHV_IOCTL_MAGIC, 0x04, struct mshv_ioeventfd_args)
#define MSHV_UAPI_SET_MSI_ROUTING \
	_IOW(MSHV_IOCTL_MAGIC, 0x05, struct mshv_msi_routing_args)
/* partition and VP fds */
#define MSHV_UAPI_ROOT_HVCALL \
	_IOWR(MSHV_IOCTL_MAGIC, 0x07, struct mshv_uapi_root_hvcall)
/* VP fd */
#define MSHV_UAPI_RUN_VP \
	_IOR(MSHV_IOCTL_MAGIC, 0x00, __u8[MSHV_RUN_VP_BUF_SIZE])

/* ---- Mariner 5.15 ABI (2023 driver) ---- */

#define MSHV_MARINER_CAP_CORE_API_STABLE 0
#define MSHV_MARINER_CAP_REGISTER_PAGE	1

/* The hypervisor's own creation flags (HVI_PT_CREATION_*) go in flags. */
struct mshv_mariner_create_partition {
	__u64 flags;
	__u64 disabled_processor_features[2];	/* creation properties */
	__u64 disabled_processor_xsave_features;
	__u64 synthetic_processor_features;
	__u64 isolation_properties;		/* bits 0-4: HVI_ISOLATION_* */
};

struct mshv_mariner_user_mem_region {
	__u64 size;
	__u64 guest_pfn;
	__u64 userspace_addr;
	__u32 flags;			/* HVI_MAP_GPA_* */
	__u32 pad;
};

struct mshv_mariner_create_vp {
	__u32 vp_index;
};

#define MSHV_MARINER_MAX_REGISTERS	128

struct mshv_mariner_vp_registers {
	__s32 count;			/* <= MSHV_MARINER_MAX_REGISTERS */
	__u32 pad;
	__u64 regs;			/* struct hvi_register_assoc * */
};

struct mshv_mariner_install_intercept {
	__u32 access_type_mask;		/* HVI_INTERCEPT_ACCESS_MASK_* */
	__u32 intercept_type;		/* HVI_INTERCEPT_TYPE_* */
	__u64 intercept_parameter;
};

struct mshv_mariner_assert_interrupt {
	__u64 control;			/* hvi_interrupt_control() */
	__u64 dest_addr;		/* APIC id */
	__u32 vector;
	__u32 pad;
};

/* /dev/mshv */
#define MSHV_MARINER_CHECK_EXTENSION	_IOW(MSHV_IOCTL_MAGIC, 0x00, __u32)
#define MSHV_MARINER_CREATE_PARTITION \
	_IOW(MSHV_IOCTL_MAGIC, 0x01, struct mshv_mariner_create_partition)
/* partition fd */
#define MSHV_MARINER_MAP_GUEST_MEMORY \
	_IOW(MSHV_IOCTL_MAGIC, 0x02, struct mshv_mariner_user_mem_region)
#define MSHV_MARINER_UNMAP_GUEST_MEMORY \
	_IOW(MSHV_IOCTL_MAGIC, 0x03, struct mshv_mariner_user_mem_region)
#define MSHV_MARINER_CREATE_VP \
	_IOW(MSHV_IOCTL_MAGIC, 0x04, struct mshv_mariner_create_vp)
#define MSHV_MARINER_INSTALL_INTERCEPT \
	_IOW(MSHV_IOCTL_MAGIC, 0x08, struct mshv_mariner_install_intercept)
#define MSHV_MARINER_ASSERT_INTERRUPT \
	_IOW(MSHV_IOCTL_MAGIC, 0x09, struct mshv_mariner_assert_interrupt)
#define MSHV_MARINER_IRQFD \
	_IOW(MSHV_IOCTL_MAGIC, 0x0E, struct mshv_irqfd_args)
#define MSHV_MARINER_IOEVENTFD \
	_IOW(MSHV_IOCTL_MAGIC, 0x0F, struct mshv_ioeventfd_args)
#define MSHV_MARINER_SET_MSI_ROUTING \
	_IOW(MSHV_IOCTL_MAGIC, 0x11, struct mshv_msi_routing_args)
/* VP fd */
#define MSHV_MARINER_GET_VP_REGISTERS \
	_IOWR(MSHV_IOCTL_MAGIC, 0x05, struct mshv_mariner_vp_registers)
#define MSHV_MARINER_SET_VP_REGISTERS \
	_IOW(MSHV_IOCTL_MAGIC, 0x06, struct mshv_mariner_vp_registers)
#define MSHV_MARINER_RUN_VP \
	_IOR(MSHV_IOCTL_MAGIC, 0x07, __u8[MSHV_RUN_VP_BUF_SIZE])

/* ---- The hypervisor's definitions (TLFS, hvgdk/hvhdk) ---- */

/* Partition creation flags (Mariner's CREATE_PARTITION takes them raw). */
#define HVI_PT_CREATION_GPA_SUPER_PAGES	(1ULL << 4)
#define HVI_PT_CREATION_EXO_PARTITION	(1ULL << 8)
#define HVI_PT_CREATION_LAPIC_ENABLED	(1ULL << 13)
#define HVI_PT_CREATION_X2APIC_CAPABLE	(1ULL << 22)

#define HVI_ISOLATION_NONE		0
#define HVI_ISOLATION_VBS		1
#define HVI_ISOLATION_SNP		2
#define HVI_ISOLATION_TDX		3

/* Mariner MAP_GUEST_MEMORY flags */
#define HVI_MAP_GPA_READABLE		(1U << 0)
#define HVI_MAP_GPA_WRITABLE		(1U << 1)
#define HVI_MAP_GPA_EXECUTABLE		0xcU	/* kernel and user */

/* Hypercall codes usable through MSHV_UAPI_ROOT_HVCALL */
#define HVI_CALL_GET_PARTITION_PROPERTY	0x0044
#define HVI_CALL_SET_PARTITION_PROPERTY	0x0045
#define HVI_CALL_INSTALL_INTERCEPT	0x004d
#define HVI_CALL_GET_VP_REGISTERS	0x0050
#define HVI_CALL_SET_VP_REGISTERS	0x0051
#define HVI_CALL_TRANSLATE_VIRTUAL_ADDRESS 0x0052
#define HVI_CALL_ASSERT_VIRTUAL_INTERRUPT 0x0094

#define HVI_STATUS_SUCCESS		0x0000
#define HVI_STATUS_INSUFFICIENT_MEMORY	0x000b

/* Input header of GET/SET_VP_REGISTERS (then names or hvi_register_assoc). */
struct hvi_input_vp_registers {
	__u64 partition_id;
	__u32 vp_index;
	__u8 input_vtl;
	__u8 rsvd8;
	__u16 rsvd16;
};

struct hvi_input_install_intercept {
	__u64 partition_id;
	__u32 access_type_mask;
	__u32 intercept_type;
	__u64 intercept_parameter;
};

struct hvi_input_assert_virtual_interrupt {
	__u64 partition_id;
	__u64 control;			/* hvi_interrupt_control() */
	__u64 dest_addr;		/* APIC id */
	__u32 vector;
	__u8 target_vtl;
	__u8 rsvd8;
	__u16 rsvd16;
};

#define HVI_INTERRUPT_TYPE_FIXED	0
#define HVI_INTERRUPT_TYPE_LOWEST_PRIORITY 1
#define HVI_INTERRUPT_TYPE_NMI		4
#define HVI_INTERRUPT_TYPE_INIT		5
#define HVI_INTERRUPT_TYPE_SIPI		6

/* union hv_interrupt_control: type in bits 0-31, then level, logical. */
static inline __u64 hvi_interrupt_control(__u32 type, int level_triggered,
					  int logical_dest)
{
	return type | (__u64)!!level_triggered << 32 |
	       (__u64)!!logical_dest << 33;
}

#define HVI_INTERCEPT_ACCESS_MASK_READ	1
#define HVI_INTERCEPT_ACCESS_MASK_WRITE	2
#define HVI_INTERCEPT_ACCESS_MASK_EXECUTE 4

#define HVI_INTERCEPT_TYPE_IO_PORT	0x0
#define HVI_INTERCEPT_TYPE_MSR		0x1
#define HVI_INTERCEPT_TYPE_CPUID	0x2
#define HVI_INTERCEPT_TYPE_EXCEPTION	0x3
#define HVI_INTERCEPT_TYPE_MMIO		0x5
#define HVI_INTERCEPT_TYPE_MSR_INDEX	0xc

/* Register names (enum hv_register_name) */
#define HVI_REG_RAX		0x00020000	/* RAX..R15: + GPR number */
#define HVI_REG_RSP		0x00020004
#define HVI_REG_RSI		0x00020006
#define HVI_REG_RDI		0x00020007
#define HVI_REG_RIP		0x00020010
#define HVI_REG_RFLAGS		0x00020011
#define HVI_REG_CR0		0x00040000
#define HVI_REG_CR3		0x00040002
#define HVI_REG_CR4		0x00040003
#define HVI_REG_ES		0x00060000	/* ES CS SS DS FS GS LDTR TR */
#define HVI_REG_CS		0x00060001
#define HVI_REG_SS		0x00060002
#define HVI_REG_DS		0x00060003
#define HVI_REG_FS		0x00060004
#define HVI_REG_GS		0x00060005
#define HVI_REG_LDTR		0x00060006
#define HVI_REG_TR		0x00060007
#define HVI_REG_IDTR		0x00070000
#define HVI_REG_GDTR		0x00070001
#define HVI_REG_TSC		0x00080000
#define HVI_REG_EFER		0x00080001
#define HVI_REG_APIC_BASE	0x00080003

struct hvi_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u16 attributes;	/* type 0-3, S 4, DPL 5-6, P 7, AVL 12, L 13, D 14, G 15 */
};

struct hvi_table {
	__u16 pad[3];
	__u16 limit;
	__u64 base;
};

/* 32 bytes: a name and its 16-byte value. */
struct hvi_register_assoc {
	__u32 name;
	__u32 rsvd1;
	__u64 rsvd2;
	union {
		__u64 reg64;
		__u32 reg32;
		struct hvi_segment segment;
		struct hvi_table table;
		__u64 reg128[2];
	} value;
};

/* ---- struct hv_message and the intercepts it carries ---- */

#define HVI_MESSAGE_SIZE		256
#define HVI_MESSAGE_PAYLOAD_SIZE	240
#define HVI_MESSAGE_FLAG_PENDING	0x01

#define HVI_MSG_NONE			0x00000000
#define HVI_MSG_UNMAPPED_GPA		0x80000000
#define HVI_MSG_GPA_INTERCEPT		0x80000001
#define HVI_MSG_UNACCEPTED_GPA		0x80000003
#define HVI_MSG_GPA_ATTRIBUTE_INTERCEPT	0x80000004
#define HVI_MSG_TIMER_EXPIRED		0x80000010
#define HVI_MSG_UNRECOVERABLE_EXCEPTION	0x80000021
#define HVI_MSG_UNSUPPORTED_FEATURE	0x80000022
#define HVI_MSG_OPAQUE_INTERCEPT	0x8000003f
#define HVI_MSG_X64_IO_PORT_INTERCEPT	0x80010000
#define HVI_MSG_X64_MSR_INTERCEPT	0x80010001
#define HVI_MSG_X64_CPUID_INTERCEPT	0x80010002
#define HVI_MSG_X64_EXCEPTION_INTERCEPT	0x80010003
#define HVI_MSG_X64_APIC_EOI		0x80010004
#define HVI_MSG_X64_LEGACY_FP_ERROR	0x80010005
#define HVI_MSG_X64_HALT		0x80010007
#define HVI_MSG_X64_INTERRUPTION_DELIVERABLE 0x80010008
#define HVI_MSG_X64_SIPI_INTERCEPT	0x80010009
#define HVI_MSG_X64_SEV_VMGEXIT_INTERCEPT 0x80010013

struct hvi_message_header {
	__u32 message_type;		/* HVI_MSG_* */
	__u8 payload_size;
	__u8 message_flags;		/* HVI_MESSAGE_FLAG_* */
	__u8 rsvd[2];
	__u64 sender;
};

struct hvi_message {
	struct hvi_message_header header;
	__u8 payload[HVI_MESSAGE_PAYLOAD_SIZE];
};

#define HVI_ACCESS_READ			0
#define HVI_ACCESS_WRITE		1
#define HVI_ACCESS_EXECUTE		2

/* 40 bytes at the start of every x64 intercept payload. */
struct hvi_intercept_header {
	__u32 vp_index;
	__u8 insn_len_cr8;		/* instruction length bits 0-3, cr8 4-7 */
	__u8 access_type;		/* HVI_ACCESS_* */
	__u16 execution_state;
	struct hvi_segment cs;
	__u64 rip;
	__u64 rflags;
} __packed;

#define HVI_IO_ACCESS_SIZE_MASK		0x07	/* 1, 2 or 4 */
#define HVI_IO_ACCESS_STRING		0x08
#define HVI_IO_ACCESS_REP		0x10

struct hvi_io_port_intercept {
	struct hvi_intercept_header header;
	__u16 port;
	__u8 access_info;		/* HVI_IO_ACCESS_* */
	__u8 insn_byte_count;
	__u32 rsvd;
	__u64 rax;
	__u8 insn_bytes[16];
	struct hvi_segment ds;
	struct hvi_segment es;
	__u64 rcx;
	__u64 rsi;
	__u64 rdi;
} __packed;

#define HVI_MEM_ACCESS_GVA_VALID	0x01

struct hvi_memory_intercept {
	struct hvi_intercept_header header;
	__u32 cache_type;
	__u8 insn_byte_count;
	__u8 access_info;		/* HVI_MEM_ACCESS_* */
	__u8 tpr_priority;
	__u8 rsvd;
	__u64 gva;
	__u64 gpa;
	__u8 insn_bytes[16];
} __packed;

struct hvi_msr_intercept {
	struct hvi_intercept_header header;
	__u32 msr;
	__u32 rsvd;
	__u64 rdx;
	__u64 rax;
} __packed;

struct hvi_cpuid_intercept {
	struct hvi_intercept_header header;
	__u64 rax, rcx, rdx, rbx;
	__u64 default_rax, default_rcx, default_rdx, default_rbx;
} __packed;

struct hvi_apic_eoi {
	__u32 vp_index;
	__u32 vector;
};

/* The VP register page (mmap offset MSHV_VP_MMAP_REGISTERS). */
#define HVI_REGPAGE_VERSION_1		1
#define HVI_REGPAGE_DIRTY_GENERAL	(1U << 0)
#define HVI_REGPAGE_DIRTY_IP		(1U << 1)
#define HVI_REGPAGE_DIRTY_XMM		(1U << 2)
#define HVI_REGPAGE_DIRTY_SEGMENT	(1U << 3)
#define HVI_REGPAGE_DIRTY_FLAGS		(1U << 4)

struct hvi_register_page {
	__u16 version;
	__u8 isvalid;
	__u8 rsvdz;
	__u32 dirty;			/* HVI_REGPAGE_DIRTY_* */
	__u64 gpr[16];			/* rax rcx rdx rbx rsp rbp rsi rdi r8-r15 */
	__u64 rip;
	__u64 rflags;
};

#define HVI_ASSERT_SIZE(type, size) \
	_Static_assert(sizeof(type) == (size), #type " has the documented size")
#define HVI_ASSERT_OFFSET(type, field, offset) \
	_Static_assert(__builtin_offsetof(type, field) == (offset), \
		       #type "." #field " is at the documented offset")

HVI_ASSERT_SIZE(struct mshv_uapi_create_partition, 16);
HVI_ASSERT_SIZE(struct mshv_uapi_user_mem_region, 32);
HVI_ASSERT_SIZE(struct mshv_irqfd_args, 16);
HVI_ASSERT_SIZE(struct mshv_ioeventfd_args, 32);
HVI_ASSERT_SIZE(struct mshv_msi_routing_args, 8);
HVI_ASSERT_SIZE(struct mshv_uapi_root_hvcall, 32);
HVI_ASSERT_SIZE(struct mshv_mariner_create_partition, 48);
HVI_ASSERT_SIZE(struct mshv_mariner_user_mem_region, 32);
HVI_ASSERT_SIZE(struct mshv_mariner_vp_registers, 16);
HVI_ASSERT_SIZE(struct mshv_mariner_install_intercept, 16);
HVI_ASSERT_SIZE(struct mshv_mariner_assert_interrupt, 24);
HVI_ASSERT_SIZE(struct hvi_input_vp_registers, 16);
HVI_ASSERT_SIZE(struct hvi_input_install_intercept, 24);
HVI_ASSERT_SIZE(struct hvi_input_assert_virtual_interrupt, 32);
HVI_ASSERT_SIZE(struct hvi_segment, 16);
HVI_ASSERT_SIZE(struct hvi_table, 16);
HVI_ASSERT_SIZE(struct hvi_register_assoc, 32);
HVI_ASSERT_SIZE(struct hvi_message, HVI_MESSAGE_SIZE);
HVI_ASSERT_SIZE(struct hvi_intercept_header, 40);
HVI_ASSERT_OFFSET(struct hvi_intercept_header, rip, 24);
HVI_ASSERT_SIZE(struct hvi_io_port_intercept, 128);
HVI_ASSERT_OFFSET(struct hvi_io_port_intercept, rax, 48);
HVI_ASSERT_OFFSET(struct hvi_io_port_intercept, insn_bytes, 56);
HVI_ASSERT_OFFSET(struct hvi_io_port_intercept, rcx, 104);
HVI_ASSERT_SIZE(struct hvi_memory_intercept, 80);
HVI_ASSERT_OFFSET(struct hvi_memory_intercept, gpa, 56);
HVI_ASSERT_SIZE(struct hvi_msr_intercept, 64);
HVI_ASSERT_SIZE(struct hvi_cpuid_intercept, 104);
HVI_ASSERT_OFFSET(struct hvi_register_page, rip, 136);
HVI_ASSERT_OFFSET(struct hvi_register_page, rflags, 144);

#endif /* MSHV_FP_HV_ABI_H */
