/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoding and completing the Microsoft Hypervisor's intercept messages:
 * one implementation (hv_intercept.c), compiled into mshv_fastpath.ko
 * (kmod/hv_intercept.c includes it) and into mshv-vmm.
 *
 * A message comes from RUN_VP, and in the VMM from a buffer the guest's
 * behaviour shaped: hvi_decode() checks every field it returns and rejects
 * what the documented layouts do not allow, so that no caller acts on a
 * malformed message.
 */
#ifndef MSHV_FP_HV_INTERCEPT_H
#define MSHV_FP_HV_INTERCEPT_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#endif

#include "hv_abi.h"

/* hvi_decode() errors, returned negated. */
enum hvi_decode_error {
	HVI_ERR_SHORT_BUFFER = 1,	/* fewer bytes than a message header */
	HVI_ERR_PAYLOAD_SIZE,		/* payload_size too small for the type, or > 240 */
	HVI_ERR_UNKNOWN_TYPE,		/* a message type this code does not know */
	HVI_ERR_INSN_LEN,		/* instruction length 0 or > 15 */
	HVI_ERR_INSN_BYTES,		/* instruction byte count > 16 */
	HVI_ERR_ACCESS_SIZE,		/* port I/O size not 1, 2 or 4 */
	HVI_ERR_ACCESS_TYPE,		/* access type not read, write or execute */
	HVI_ERR_VECTOR,			/* APIC EOI vector over 255 */
};

/* A decoded intercept. Only the part of the union that @type names is set. */
struct hvi_exit {
	__u32 type;			/* HVI_MSG_* */
	__u32 vp_index;
	__u8 insn_len;			/* 1..15 where the type has one, else 0 */
	__u8 access;			/* HVI_ACCESS_* (header types) */
	__u16 cs_attributes;		/* the intercepted code's CS: L, D (header types) */
	__u64 rip;
	__u64 rflags;
	union {
		struct {		/* HVI_MSG_X64_IO_PORT_INTERCEPT */
			__u16 port;
			__u8 size;	/* 1, 2 or 4 */
			bool write;
			bool string;	/* INS/OUTS */
			bool rep;
			__u64 rax, rcx, rsi, rdi;
			__u64 ds_base, es_base;
		} io;
		struct {		/* UNMAPPED_GPA, GPA_INTERCEPT */
			__u64 gpa;
			__u64 gva;
			bool gva_valid;
			__u8 insn_count; /* 0..16 valid bytes in insn[] */
			__u8 insn[16];
		} mem;
		struct {		/* HVI_MSG_X64_MSR_INTERCEPT */
			__u32 index;
			__u64 rax, rdx;
		} msr;
		struct {		/* HVI_MSG_X64_CPUID_INTERCEPT */
			__u64 rax, rbx, rcx, rdx;	/* the guest's inputs */
			/* what the hypervisor would answer */
			__u64 default_rax, default_rbx, default_rcx, default_rdx;
		} cpuid;
		struct {		/* HVI_MSG_X64_APIC_EOI */
			__u32 vector;
		} eoi;
	};
};

/* Decode the @len bytes of a RUN_VP message: 0 or -HVI_ERR_*. */
int hvi_decode(const void *msg, size_t len, struct hvi_exit *exit);
/* "port I/O intercept", "unknown message type", ...; never NULL. */
const char *hvi_msg_name(__u32 type);
const char *hvi_decode_strerror(int err);

/*
 * What finishing an intercept writes back: the new RIP (always) and the
 * general-purpose registers in @gpr_mask (bit n: gpr[n], in the register
 * page's order rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15).
 */
struct hvi_completion {
	__u64 rip;
	__u16 gpr_mask;
	__u64 gpr[16];
};

/*
 * A scalar port I/O intercept (not string, not rep): RIP past the
 * instruction; for IN, the CPU's register write: IN AL and IN AX merge
 * @in_value into the low 8 or 16 bits and keep the rest of RAX, IN EAX
 * sets RAX to the zero-extended 32-bit value (its upper half cleared).
 */
void hvi_complete_io(const struct hvi_exit *exit, __u32 in_value,
		     struct hvi_completion *done);
/* Any intercept finished by skipping the instruction (RIP += length). */
void hvi_complete_skip(const struct hvi_exit *exit, struct hvi_completion *done);

/*
 * Write @done into a VP's register page and mark what changed dirty, so
 * that the hypervisor loads it on the next RUN_VP. Returns false, writing
 * nothing, when the page cannot be used (isvalid clear or an unknown
 * version): the caller sets the registers another way or, in the kernel,
 * leaves the intercept to userspace.
 */
bool hvi_regpage_apply(struct hvi_register_page *page,
		       const struct hvi_completion *done);

#endif /* MSHV_FP_HV_INTERCEPT_H */
