/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exit_loop's guest: real mode, copied to guest physical 0x1000 and entered
 * with CS = DS = 0. Passes forever, each one reading the parameter block
 * (exit_loop.h) afresh: one-byte OUTs to the handled port, OUTs to the
 * forwarded port, one-byte MMIO writes, then one OUT to the done port. Every
 * access is one exit, so the counts are exact; exit_loop decides at each
 * done exit whether to run the guest again.
 */
#include "exit_loop.h"

	.code16
	.section .rodata.exit_loop_guest, "a"

/* COUNT (a u32 in the block) one-byte OUTs of AL to PORT (a u16 in it). */
.macro OUTS count, port
	movl	\count, %ecx
	movw	\port, %dx
	testl	%ecx, %ecx
	jz	2f
1:	outb	%al, (%dx)
	incl	%eax
	decl	%ecx
	jnz	1b
2:
.endm

	.globl exit_loop_guest, exit_loop_guest_end
exit_loop_guest:
	OUTS	P_HANDLED, P_HANDLED_PORT
	OUTS	P_FORWARDED, P_FORWARDED_PORT
	movl	P_MMIO, %ecx
	movw	P_MMIO_ADDR, %di
	testl	%ecx, %ecx
	jz	2f
1:	movb	%al, (%di)
	decl	%ecx
	jnz	1b
2:	movw	P_DONE_PORT, %dx
	outb	%al, (%dx)
	jmp	exit_loop_guest
exit_loop_guest_end:

	.section .note.GNU-stack, "", @progbits
