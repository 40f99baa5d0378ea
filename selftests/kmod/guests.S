/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real-mode guests for the fast-path selftests. Each is copied to guest
 * physical 0x1000 and entered with CS = DS = 0; registers set by the test
 * select ports, addresses, sizes and counts. Only relative jumps: the code
 * runs wherever it is copied.
 *
 * Every guest ends with a write of AL to port SI ("done"), which no rule
 * matches, so the test sees one forwarded exit at the end, then HLT.
 */
	.code16
	.section .rodata.guests, "a"

/* One of three instructions, by the access size in BL: 1, 2, else 4. */
.macro BY_SIZE insn1, insn2, insn4
	cmp $1, %bl
	je 101f
	cmp $2, %bl
	je 102f
	\insn4
	jmp 103f
101:	\insn1
	jmp 103f
102:	\insn2
103:
.endm

/* ECX writes to port DX, of size BL (1, 2 or 4) bytes; the value starts
 * at EAX and grows by one per write. ECX = 0 writes (almost) forever. */
	.globl guest_port_writes, guest_port_writes_end
guest_port_writes:
1:	BY_SIZE "outb %al, (%dx)", "outw %ax, (%dx)", "outl %eax, (%dx)"
	inc %eax
	dec %ecx
	jnz 1b
	mov %si, %dx
	outb %al, (%dx)
	hlt
guest_port_writes_end:

/* ECX reads from port DX, of size BL; then reports EAX with a 4-byte
 * write to port SI. */
	.globl guest_port_reads, guest_port_reads_end
guest_port_reads:
1:	BY_SIZE "inb (%dx), %al", "inw (%dx), %ax", "inl (%dx), %eax"
	dec %ecx
	jnz 1b
	mov %si, %dx
	outl %eax, (%dx)
	hlt
guest_port_reads_end:

/* ECX writes to guest physical DI (below 64 KiB), of size BL (1, 2, 4),
 * value from EAX, growing by one. Then "done". */
	.globl guest_mmio_writes, guest_mmio_writes_end
guest_mmio_writes:
1:	BY_SIZE "movb %al, (%di)", "movw %ax, (%di)", "movl %eax, (%di)"
	inc %eax
	dec %ecx
	jnz 1b
	mov %si, %dx
	outb %al, (%dx)
	hlt
guest_mmio_writes_end:

/* One read of guest physical DI, size BL; reports EAX to port SI. */
	.globl guest_mmio_read, guest_mmio_read_end
guest_mmio_read:
	BY_SIZE "movb (%di), %al", "movw (%di), %ax", "movl (%di), %eax"
	mov %si, %dx
	outl %eax, (%dx)
	hlt
guest_mmio_read_end:

	.section .note.GNU-stack, "", @progbits
