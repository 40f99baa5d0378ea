/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The little x86 emulation a hypervisor without an in-kernel emulator
 * (mshv) leaves to the VMM: decoding the MOV that touched an MMIO address,
 * from the instruction bytes of the intercept, and running INS/OUTS (with
 * or without REP) that a port intercept describes.
 *
 * Everything here comes from the guest: anything outside the supported
 * forms is a clear error, never a guess.
 */
#ifndef MSHV_VMM_X86_EMUL_H
#define MSHV_VMM_X86_EMUL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv_intercept.h"	/* common/: struct hvi_exit, struct hvi_completion */

/* General-purpose register numbers, in the ModRM and register page order. */
enum x86_gpr {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
};

#define X86_RFLAGS_DF		(1ULL << 10)
#define X86_MAX_INSN_LEN	15

/* One MMIO access decoded from its instruction: the MOV forms Linux uses on MMIO. */
struct x86_mmio_op {
	uint8_t len;		/* instruction length, 1..15 */
	uint8_t size;		/* memory access: 1, 2, 4 or 8 bytes */
	bool is_write;		/* store to MMIO */
	/*
	 * store source / load destination GPR 0..15 (rax rcx rdx rbx rsp rbp
	 * rsi rdi r8..r15); -1: immediate store
	 */
	int reg;
	bool high_byte;		/* AH CH DH BH (8-bit reg 4..7 without REX) */
	uint64_t imm;		/* immediate of a store, truncated to size */
	uint8_t reg_size;	/* load: destination width 1, 2, 4 or 8 (> size for MOVZX/MOVSX) */
	bool sign_extend;	/* MOVSX / MOVSXD */
};

/*
 * Decode the @count bytes at @insn (more than the instruction is fine).
 * @long_mode: CS.L (64-bit code); else @default32 (CS.D) picks 32- or
 * 16-bit operands and addressing. Returns 0, or -EINVAL with @err saying
 * which bytes were not understood ("unsupported MMIO instruction
 * 0f 38 ...: ...").
 */
int x86_decode_mmio(const uint8_t *insn, unsigned int count, bool long_mode, bool default32,
		    struct x86_mmio_op *op, char *err, size_t errlen);

/* The value a store writes, from the GPRs, truncated to op->size. */
uint64_t x86_mmio_store_value(const struct x86_mmio_op *op, const uint64_t gpr[16]);

/*
 * Put a load's @value into the destination GPR with the CPU's rules:
 * 8/16-bit destinations merge, 32-bit ones zero the upper half,
 * MOVZX/MOVSX extend.
 */
void x86_mmio_load_result(const struct x86_mmio_op *op, uint64_t gpr[16], uint64_t value);

/* What x86_string_io() needs from the VM: the guest's page tables, RAM and ports. */
struct x86_string_io_ops {
	void *ctx;
	/* Guest-virtual to guest-physical, for an access within one 4 KiB page: 0 or -errno. */
	int (*translate)(void *ctx, uint64_t gva, bool write, uint64_t *gpa);
	/* Host pointer to [gpa, gpa+len) of guest RAM, or NULL (as guest_ptr() in mem.h). */
	void *(*guest_ptr)(void *ctx, uint64_t gpa, uint64_t len);
	/* One port access of @size bytes; @data filled on a read (IN). */
	void (*port_io)(void *ctx, uint16_t port, uint8_t *data, unsigned int size, bool is_write);
};

#define X86_STRING_IO_MAX_ELEMENTS 4096   /* per call: a huge RCX must not stall the VMM */

/*
 * Run the string I/O of @exit (an HVI_MSG_X64_IO_PORT_INTERCEPT with
 * io.string set): OUTS reads [ds_base+rsi], INS writes [es_base+rdi], step
 * +/-size by DF, REP counts RCX down (RCX 0: nothing). Fills @done (rip,
 * gpr_mask/gpr for rcx/rsi/rdi). If more than X86_STRING_IO_MAX_ELEMENTS
 * remain, stop there with RIP unchanged (the guest re-executes the REP
 * instruction and continues, as after an interrupt). 0, or -errno with
 * @err (translation failure, not RAM, ...) - the element at fault is not
 * performed, and @done holds the registers after the elements before it,
 * with RIP still at the instruction.
 *
 * Limitation: 64-bit address size (RSI/RDI/RCX used whole). The intercept
 * carries no instruction bytes in struct hvi_exit, so a 0x67 prefix or
 * 16/32-bit code (which would wrap SI/ESI and count CX/ECX) is not seen.
 */
int x86_string_io(const struct hvi_exit *exit, const struct x86_string_io_ops *ops,
		  struct hvi_completion *done, char *err, size_t errlen);

#endif
