/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's machine: where things live. The ACPI tables, the E820 map
 * and the devices all take their addresses from here.
 */
#ifndef MSHV_VMM_MACHINE_H
#define MSHV_VMM_MACHINE_H

/* Boot-time layout in low memory (all below 1 MiB). */
#define MACHINE_GDT_ADDR		0x500
#define MACHINE_BOOT_PARAMS_ADDR	0x7000
#define MACHINE_CMDLINE_ADDR		0x20000
#define MACHINE_CMDLINE_MAX		0x10000
#define MACHINE_PML4_ADDR		0x9000	/* + PDPT at 0xa000, PDs at 0xb000.. */
#define MACHINE_EBDA_START		0x9fc00
/* ACPI tables: RSDP first (the BIOS area Linux scans), then the rest. */
#define MACHINE_ACPI_ADDR		0xe0000
#define MACHINE_ACPI_SIZE		0x10000
/*
 * The x86 reset vector, F000:FFF0. Linux's BIOS reboot path jumps there (it
 * is the fallback after EFI reboot, which Linux picks on hardware-reduced
 * ACPI); a few instructions there write the ACPI reset register.
 */
#define MACHINE_RESET_VECTOR		0xffff0
#define MACHINE_KERNEL_ADDR		0x100000

/* Legacy ISA devices and their IRQs (GSI == ISA IRQ). */
#define MACHINE_UART_PORT		0x3f8
#define MACHINE_UART_IRQ		4
#define MACHINE_I8042_PORT		0x60	/* and 0x64 */
#define MACHINE_I8042_IRQ		1
#define MACHINE_RTC_PORT		0x70	/* and 0x71 */
#define MACHINE_RTC_IRQ			8

/* ACPI hardware-reduced sleep registers and reset register (port I/O). */
#define MACHINE_ACPI_SLEEP_CTL_PORT	0x600
#define MACHINE_ACPI_SLEEP_STS_PORT	0x601
#define MACHINE_ACPI_RESET_PORT		0x602
#define MACHINE_ACPI_RESET_VALUE	0x01
/* _S5_ sleep type: SLP_TYP written in bits 2-4 of the control register. */
#define MACHINE_ACPI_S5_TYPE		5
#define ACPI_SLEEP_CTL_SLP_EN		0x20

/* virtio-mmio devices: one 4 KiB window each, edge-triggered GSIs. */
#define MACHINE_VIRTIO_MMIO_BASE	0xd0000000ULL
#define MACHINE_VIRTIO_MMIO_SIZE	0x1000
#define MACHINE_VIRTIO_MAX		8	/* GSIs 16..23 */
#define MACHINE_VIRTIO_FIRST_GSI	16	/* 16..23 on the in-kernel IOAPIC */

#define MACHINE_IOAPIC_ADDR		0xfec00000ULL
#define MACHINE_LAPIC_ADDR		0xfee00000ULL

#endif
