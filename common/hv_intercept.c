// SPDX-License-Identifier: GPL-2.0
/*
 * Decoding and completing the Microsoft Hypervisor's intercept messages.
 * Compiled twice: into mshv_fastpath.ko (kmod/hv_intercept.c) and into
 * mshv-vmm. Plain C with no allocation and no library calls beyond
 * memcpy(), so that it means the same on both sides.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#else
#include <string.h>
#endif

#include "hv_intercept.h"

/* What a message type must carry to be decoded. */
struct hvi_msg_kind {
	__u32 type;
	__u8 min_payload;	/* bytes the layout needs */
	bool has_header;	/* starts with struct hvi_intercept_header */
	bool needs_insn_len;	/* an instruction the VMM may skip */
	const char *name;
};

static const struct hvi_msg_kind hvi_msg_kinds[] = {
	{ HVI_MSG_X64_IO_PORT_INTERCEPT, sizeof(struct hvi_io_port_intercept),
	  true, true, "port I/O intercept" },
	{ HVI_MSG_UNMAPPED_GPA, sizeof(struct hvi_memory_intercept),
	  true, false, "unmapped GPA intercept" },
	{ HVI_MSG_GPA_INTERCEPT, sizeof(struct hvi_memory_intercept),
	  true, false, "GPA intercept" },
	{ HVI_MSG_X64_MSR_INTERCEPT, sizeof(struct hvi_msr_intercept),
	  true, true, "MSR intercept" },
	{ HVI_MSG_X64_CPUID_INTERCEPT, sizeof(struct hvi_cpuid_intercept),
	  true, true, "CPUID intercept" },
	{ HVI_MSG_X64_HALT, sizeof(struct hvi_intercept_header),
	  true, false, "HLT intercept" },
	{ HVI_MSG_X64_APIC_EOI, sizeof(struct hvi_apic_eoi),
	  false, false, "APIC EOI" },
	/* Known, decoded as far as their common header; callers refuse them. */
	{ HVI_MSG_UNACCEPTED_GPA, sizeof(struct hvi_memory_intercept),
	  true, false, "unaccepted GPA intercept" },
	{ HVI_MSG_GPA_ATTRIBUTE_INTERCEPT, sizeof(struct hvi_intercept_header),
	  true, false, "GPA attribute intercept" },
	{ HVI_MSG_X64_EXCEPTION_INTERCEPT, sizeof(struct hvi_intercept_header),
	  true, false, "exception intercept" },
	{ HVI_MSG_UNRECOVERABLE_EXCEPTION, sizeof(struct hvi_intercept_header),
	  true, false, "unrecoverable exception (triple fault)" },
	{ HVI_MSG_X64_INTERRUPTION_DELIVERABLE, sizeof(struct hvi_intercept_header),
	  true, false, "interruption deliverable" },
	{ HVI_MSG_X64_SIPI_INTERCEPT, sizeof(struct hvi_intercept_header),
	  true, false, "SIPI intercept" },
	{ HVI_MSG_X64_SEV_VMGEXIT_INTERCEPT, sizeof(struct hvi_intercept_header),
	  true, false, "SEV VMGEXIT intercept" },
	{ HVI_MSG_UNSUPPORTED_FEATURE, 0, false, false, "unsupported feature" },
	{ HVI_MSG_OPAQUE_INTERCEPT, 0, false, false, "opaque intercept" },
	{ HVI_MSG_TIMER_EXPIRED, 0, false, false, "timer expired" },
};

static const struct hvi_msg_kind *hvi_msg_kind(__u32 type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hvi_msg_kinds); i++)
		if (hvi_msg_kinds[i].type == type)
			return &hvi_msg_kinds[i];
	return NULL;
}

const char *hvi_msg_name(__u32 type)
{
	const struct hvi_msg_kind *kind = hvi_msg_kind(type);

	return kind ? kind->name : "unknown message type";
}

const char *hvi_decode_strerror(int err)
{
	switch (-err) {
	case 0:
		return "no error";
	case HVI_ERR_SHORT_BUFFER:
		return "message shorter than its header";
	case HVI_ERR_PAYLOAD_SIZE:
		return "payload size does not fit the message type";
	case HVI_ERR_UNKNOWN_TYPE:
		return "unknown message type";
	case HVI_ERR_INSN_LEN:
		return "instruction length 0 or over 15";
	case HVI_ERR_INSN_BYTES:
		return "more than 16 instruction bytes";
	case HVI_ERR_ACCESS_SIZE:
		return "port access size not 1, 2 or 4";
	case HVI_ERR_ACCESS_TYPE:
		return "access type not read, write or execute";
	case HVI_ERR_VECTOR:
		return "interrupt vector over 255";
	default:
		return "unknown decode error";
	}
}

static int hvi_decode_io(const struct hvi_message *msg, struct hvi_exit *exit)
{
	struct hvi_io_port_intercept io;
	__u8 size;

	memcpy(&io, msg->payload, sizeof(io));
	size = io.access_info & HVI_IO_ACCESS_SIZE_MASK;
	if (size != 1 && size != 2 && size != 4)
		return -HVI_ERR_ACCESS_SIZE;
	if (io.insn_byte_count > sizeof(io.insn_bytes))
		return -HVI_ERR_INSN_BYTES;
	if (exit->access != HVI_ACCESS_READ && exit->access != HVI_ACCESS_WRITE)
		return -HVI_ERR_ACCESS_TYPE;
	exit->io.port = io.port;
	exit->io.size = size;
	exit->io.write = exit->access == HVI_ACCESS_WRITE;
	exit->io.string = io.access_info & HVI_IO_ACCESS_STRING;
	exit->io.rep = io.access_info & HVI_IO_ACCESS_REP;
	exit->io.rax = io.rax;
	exit->io.rcx = io.rcx;
	exit->io.rsi = io.rsi;
	exit->io.rdi = io.rdi;
	exit->io.ds_base = io.ds.base;
	exit->io.es_base = io.es.base;
	return 0;
}

static int hvi_decode_mem(const struct hvi_message *msg, struct hvi_exit *exit)
{
	struct hvi_memory_intercept mem;

	memcpy(&mem, msg->payload, sizeof(mem));
	if (mem.insn_byte_count > sizeof(mem.insn_bytes))
		return -HVI_ERR_INSN_BYTES;
	exit->mem.gpa = mem.gpa;
	exit->mem.gva = mem.gva;
	exit->mem.gva_valid = mem.access_info & HVI_MEM_ACCESS_GVA_VALID;
	exit->mem.insn_count = mem.insn_byte_count;
	memcpy(exit->mem.insn, mem.insn_bytes, sizeof(exit->mem.insn));
	return 0;
}

static void hvi_decode_msr(const struct hvi_message *msg, struct hvi_exit *exit)
{
	struct hvi_msr_intercept msr;

	memcpy(&msr, msg->payload, sizeof(msr));
	exit->msr.index = msr.msr;
	exit->msr.rax = msr.rax;
	exit->msr.rdx = msr.rdx;
}

static void hvi_decode_cpuid(const struct hvi_message *msg, struct hvi_exit *exit)
{
	struct hvi_cpuid_intercept cpuid;

	memcpy(&cpuid, msg->payload, sizeof(cpuid));
	exit->cpuid.rax = cpuid.rax;
	exit->cpuid.rbx = cpuid.rbx;
	exit->cpuid.rcx = cpuid.rcx;
	exit->cpuid.rdx = cpuid.rdx;
	exit->cpuid.default_rax = cpuid.default_rax;
	exit->cpuid.default_rbx = cpuid.default_rbx;
	exit->cpuid.default_rcx = cpuid.default_rcx;
	exit->cpuid.default_rdx = cpuid.default_rdx;
}

int hvi_decode(const void *buf, size_t len, struct hvi_exit *exit)
{
	const struct hvi_msg_kind *kind;
	struct hvi_message msg;

	memset(exit, 0, sizeof(*exit));
	if (len < sizeof(msg.header))
		return -HVI_ERR_SHORT_BUFFER;
	/* A short buffer reads as zeroes, which the size checks then refuse. */
	memset(&msg, 0, sizeof(msg));
	memcpy(&msg, buf, len < sizeof(msg) ? len : sizeof(msg));

	exit->type = msg.header.message_type;
	kind = hvi_msg_kind(exit->type);
	if (!kind)
		return -HVI_ERR_UNKNOWN_TYPE;
	if (msg.header.payload_size < kind->min_payload ||
	    msg.header.payload_size > HVI_MESSAGE_PAYLOAD_SIZE ||
	    len < sizeof(msg.header) + kind->min_payload)
		return -HVI_ERR_PAYLOAD_SIZE;

	if (kind->has_header) {
		struct hvi_intercept_header hdr;

		memcpy(&hdr, msg.payload, sizeof(hdr));
		exit->vp_index = hdr.vp_index;
		exit->access = hdr.access_type;
		if (exit->access > HVI_ACCESS_EXECUTE)
			return -HVI_ERR_ACCESS_TYPE;
		exit->cs_attributes = hdr.cs.attributes;
		exit->rip = hdr.rip;
		exit->rflags = hdr.rflags;
		if (kind->needs_insn_len) {
			/* A 4-bit field: 0 is the only impossible length. */
			exit->insn_len = hdr.insn_len_cr8 & 0x0f;
			if (!exit->insn_len)
				return -HVI_ERR_INSN_LEN;
		}
	}

	switch (exit->type) {
	case HVI_MSG_X64_IO_PORT_INTERCEPT:
		return hvi_decode_io(&msg, exit);
	case HVI_MSG_UNMAPPED_GPA:
	case HVI_MSG_GPA_INTERCEPT:
	case HVI_MSG_UNACCEPTED_GPA:
		return hvi_decode_mem(&msg, exit);
	case HVI_MSG_X64_MSR_INTERCEPT:
		hvi_decode_msr(&msg, exit);
		return 0;
	case HVI_MSG_X64_CPUID_INTERCEPT:
		hvi_decode_cpuid(&msg, exit);
		return 0;
	case HVI_MSG_X64_APIC_EOI: {
		struct hvi_apic_eoi eoi;

		memcpy(&eoi, msg.payload, sizeof(eoi));
		if (eoi.vector > 0xff)
			return -HVI_ERR_VECTOR;
		exit->vp_index = eoi.vp_index;
		exit->eoi.vector = eoi.vector;
		return 0;
	}
	default:
		return 0;
	}
}

void hvi_complete_skip(const struct hvi_exit *exit, struct hvi_completion *done)
{
	memset(done, 0, sizeof(*done));
	done->rip = exit->rip + exit->insn_len;
}

void hvi_complete_io(const struct hvi_exit *exit, __u32 in_value,
		     struct hvi_completion *done)
{
	__u64 mask;

	hvi_complete_skip(exit, done);
	if (exit->io.write)
		return;
	/*
	 * As the CPU writes the destination: IN AL and IN AX replace only
	 * their bits of RAX, IN EAX zero-extends into RAX (a 32-bit result).
	 */
	if (exit->io.size == 4) {
		done->gpr[0] = in_value;
	} else {
		mask = (1ULL << (exit->io.size * 8)) - 1;
		done->gpr[0] = (exit->io.rax & ~mask) | (in_value & mask);
	}
	done->gpr_mask = 1;
}

bool hvi_regpage_apply(struct hvi_register_page *page,
		       const struct hvi_completion *done)
{
	__u32 dirty = HVI_REGPAGE_DIRTY_IP;
	unsigned int i;

	if (page->version != HVI_REGPAGE_VERSION_1 || !page->isvalid)
		return false;
	page->rip = done->rip;
	for (i = 0; i < 16; i++) {
		if (done->gpr_mask & (1U << i)) {
			page->gpr[i] = done->gpr[i];
			dirty |= HVI_REGPAGE_DIRTY_GENERAL;
		}
	}
	page->dirty |= dirty;
	return true;
}
