/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A toy bzImage for mshv-vmm's boot path: a real setup header (boot
 * protocol 2.15, 64-bit entry, relocatable) in front of a few hundred
 * bytes of 64-bit code. Built into a flat file by selftests/Makefile
 * (objcopy -O binary); Documentation/x86/boot.rst describes the layout.
 *
 * Entered at the 64-bit entry (load address + 0x200) with RSI pointing to
 * boot_params, the code writes a banner to the UART (COM1, polling the
 * line status register), then does what "toy=X" on the command line says:
 *   toy=p  power off: ACPI sleep control register, SLP_EN | S5
 *   toy=t  triple fault: zero-length IDT, then int3
 *   toy=r  reset: i8042 pulse (0xfe to port 0x64)
 *   toy=h  spin forever, no exits (for signals)
 *   toy=o  print 500 numbered lines, then power off (console output)
 *   toy=e  echo console input back until a 'q', then power off
 * and without "toy=" it says so and powers off.
 */
#define SETUP_SECTS		4
#define BOOT_PARAMS_CMDLINE_PTR	0x228	/* hdr.cmd_line_ptr */
#define UART_THR		0x3f8
#define UART_LSR		0x3fd
#define UART_RBR		0x3f8
#define UART_LSR_DR		0x01
#define UART_LSR_THRE		0x20
#define ACPI_SLEEP_CTL		0x600
#define ACPI_SLEEP_S5		(0x20 | (5 << 2))	/* SLP_EN | SLP_TYP 5 */
#define I8042_COMMAND		0x64
#define I8042_PULSE_RESET	0xfe
#define TOY_INIT_SIZE		0x10000	/* code, then the stack */

	.section .text, "ax"
	.code16
boot_sector:
	/* Not bootable from a BIOS: a boot loader reads the header. */
	.org 0x1f1
hdr:
setup_sects:	.byte SETUP_SECTS
root_flags:	.word 0
syssize:	.long (pm_end - pm_start + 15) / 16
ram_size:	.word 0
vid_mode:	.word 0xffff		/* normal */
root_dev:	.word 0
boot_flag:	.word 0xaa55
	/* 0x200: the real-mode entry jumps over the header. */
jump:		.byte 0xeb, setup_code - 1f
1:
header:		.ascii "HdrS"
version:	.word 0x020f
realmode_swtch:	.long 0
start_sys_seg:	.word 0x1000
kernel_version:	.word toy_version - boot_sector - 0x200
type_of_loader:	.byte 0
loadflags:	.byte 0x01		/* LOADED_HIGH */
setup_move_size: .word 0x8000
code32_start:	.long 0x100000
ramdisk_image:	.long 0
ramdisk_size:	.long 0
bootsect_kludge: .long 0
heap_end_ptr:	.word 0
ext_loader_ver:	.byte 0
ext_loader_type: .byte 0
cmd_line_ptr:	.long 0
initrd_addr_max: .long 0x7fffffff
kernel_alignment: .long 0x200000
relocatable_kernel: .byte 1
min_alignment:	.byte 21
xloadflags:	.word 0x0001		/* XLF_KERNEL_64 */
cmdline_size:	.long 2047
hardware_subarch: .long 0
hardware_subarch_data: .quad 0
payload_offset:	.long 0
payload_length:	.long 0
setup_data:	.quad 0
pref_address:	.quad 0x1000000
init_size:	.long TOY_INIT_SIZE
handover_offset: .long 0
kernel_info_offset: .long kernel_info - pm_start

setup_code:
	/* Real-mode entry: this toy only has a 64-bit one. */
	cli
1:	hlt
	jmp 1b
toy_version:
	.asciz "toy-bzimage (mshv-vmm selftest)"

	/* The protected-mode part starts after the setup sectors. */
	.org (SETUP_SECTS + 1) * 512
pm_start:
	.code32
startup_32:
	cli
1:	hlt
	jmp 1b

	.org pm_start + 0x200
	.code64
startup_64:
	cli
	lea stack_top(%rip), %rsp
	mov %rsi, %rbx			/* boot_params */
	lea banner(%rip), %rsi
	call puts

	/* Find "toy=" in the command line (NUL-terminated, <= 2 KiB). */
	mov BOOT_PARAMS_CMDLINE_PTR(%rbx), %edi
	test %edi, %edi
	jz no_action
	mov $2048, %ecx
1:	cmpb $0, (%rdi)
	je no_action
	cmpl $0x3d796f74, (%rdi)	/* "toy=" */
	je found
	inc %rdi
	dec %ecx
	jnz 1b
no_action:
	lea msg_no_action(%rip), %rsi
	call puts
	jmp poweroff

found:
	movzbl 4(%rdi), %eax
	cmp $'p', %al
	je do_poweroff
	cmp $'t', %al
	je do_triple_fault
	cmp $'r', %al
	je do_reset
	cmp $'h', %al
	je do_spin
	cmp $'o', %al
	je do_lines
	cmp $'e', %al
	je do_echo
	lea msg_unknown(%rip), %rsi
	call puts
	jmp poweroff

do_poweroff:
	lea msg_poweroff(%rip), %rsi
	call puts
poweroff:
	mov $ACPI_SLEEP_CTL, %dx
	mov $ACPI_SLEEP_S5, %al
	outb %al, (%dx)
	jmp halt_forever

do_triple_fault:
	lea msg_triple_fault(%rip), %rsi
	call puts
	lidt null_idt(%rip)
	int3
	jmp halt_forever

do_reset:
	lea msg_reset(%rip), %rsi
	call puts
	mov $I8042_PULSE_RESET, %al
	outb %al, $I8042_COMMAND
	jmp halt_forever

do_spin:
	lea msg_spin(%rip), %rsi
	call puts
1:	jmp 1b

do_lines:
	xor %r12d, %r12d
1:	lea msg_line(%rip), %rsi
	call puts
	mov %r12d, %eax
	call put_dec
	mov $'\n', %al
	call putc
	inc %r12d
	cmp $500, %r12d
	jne 1b
	lea msg_lines_done(%rip), %rsi
	call puts
	jmp poweroff

do_echo:
	lea msg_echo(%rip), %rsi
	call puts
1:	mov $UART_LSR, %dx
	inb (%dx), %al
	test $UART_LSR_DR, %al
	jz 1b
	mov $UART_RBR, %dx
	inb (%dx), %al
	cmp $'q', %al
	je 2f
	call putc
	jmp 1b
2:	lea msg_echo_done(%rip), %rsi
	call puts
	jmp poweroff

/* Should the VMM go on after a power-off or reset request: say so, stop. */
halt_forever:
	lea msg_still_running(%rip), %rsi
	call puts
1:	hlt
	jmp 1b

/* Write the NUL-terminated string at RSI to the UART. */
puts:
	lodsb
	test %al, %al
	jz 1f
	call putc
	jmp puts
1:	ret

/* Write AL to the UART once it can take it. */
putc:
	mov %eax, %ecx
	mov $UART_LSR, %dx
1:	inb (%dx), %al
	test $UART_LSR_THRE, %al
	jz 1b
	mov %ecx, %eax
	mov $UART_THR, %dx
	outb %al, (%dx)
	ret

/* Write EAX (< 10^9) in decimal, without leading zeros. */
put_dec:
	mov $10, %r8d
	xor %r9d, %r9d			/* digits pushed */
1:	xor %edx, %edx
	div %r8d
	add $'0', %dl
	push %rdx
	inc %r9d
	test %eax, %eax
	jnz 1b
2:	pop %rax
	call putc
	dec %r9d
	jnz 2b
	ret

null_idt:
	.word 0
	.quad 0

banner:		.asciz "toy: hello from a 64-bit bzImage\n"
msg_no_action:	.asciz "toy: no toy= on the command line, power off\n"
msg_unknown:	.asciz "toy: unknown toy= action, power off\n"
msg_poweroff:	.asciz "toy: power off\n"
msg_triple_fault: .asciz "toy: triple fault\n"
msg_reset:	.asciz "toy: reset\n"
msg_spin:	.asciz "toy: spinning\n"
msg_line:	.asciz "toy: abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ "
msg_echo:	.asciz "toy: echo until q\n"
msg_echo_done:	.asciz "\ntoy: echo done\n"
msg_lines_done:	.asciz "toy: lines done\n"
msg_still_running: .asciz "toy: STILL RUNNING after the request\n"

	.balign 8
kernel_info:
	.ascii "LToP"			/* header */
	.long kernel_info_end - kernel_info	/* size */
	.long kernel_info_end - kernel_info	/* size_total */
	.long 0				/* setup_type_max */
kernel_info_end:
pm_end:

	/* The stack lies beyond the image, inside init_size. */
	.set stack_top, pm_start + TOY_INIT_SIZE

	.section .note.GNU-stack, "", @progbits
