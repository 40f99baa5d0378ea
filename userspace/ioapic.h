/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A userspace IOAPIC (version 0x11, 24 pins, as KVM's and QEMU's), for a
 * hypervisor that has only the local APICs (mshv): device lines come in
 * through ioapic_set_irq(), interrupts go out through the @deliver
 * callback, and the local APIC's EOI of a level-triggered vector comes
 * back through ioapic_eoi().
 */
#ifndef MSHV_VMM_IOAPIC_H
#define MSHV_VMM_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define IOAPIC_NR_PINS		24
#define IOAPIC_MMIO_SIZE	0x1000
#define IOAPIC_VERSION		0x00170011	/* max entry 0x17 (24 pins), version 0x11 */

/* Window registers, offsets in the MMIO page. */
#define IOAPIC_IOREGSEL		0x00
#define IOAPIC_IOWIN		0x10

/* Indirect registers (IOREGSEL values). */
#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VERSION	0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_REDTBL	0x10	/* entry n: low dword 0x10 + 2n, high 0x11 + 2n */

/* Redirection entry bits. */
#define IOAPIC_RTE_VECTOR	0xffULL
#define IOAPIC_RTE_DELMODE_SHIFT 8
#define IOAPIC_RTE_DELMODE	(7ULL << 8)
#define IOAPIC_RTE_LOGICAL	(1ULL << 11)
#define IOAPIC_RTE_DELIVS	(1ULL << 12)	/* read-only; always 0 here */
#define IOAPIC_RTE_POLARITY	(1ULL << 13)	/* stored; lines are logical levels */
#define IOAPIC_RTE_REMOTE_IRR	(1ULL << 14)	/* read-only */
#define IOAPIC_RTE_LEVEL	(1ULL << 15)
#define IOAPIC_RTE_MASKED	(1ULL << 16)
#define IOAPIC_RTE_DEST_SHIFT	56

struct ioapic_delivery {
	uint8_t vector;
	uint8_t delivery_mode;	/* 0 fixed, 1 lowest prio, 2 SMI, 4 NMI, 5 INIT, 7 ExtINT */
	bool level;		/* level-triggered: the local APIC reports its EOI */
	bool logical;		/* destination mode */
	uint8_t dest;		/* APIC id, or logical destination */
	unsigned int pin;
};

/*
 * Called for each interrupt the IOAPIC sends, with its lock held: it must
 * not call back into the IOAPIC (a later ioapic_eoi() from a vCPU is fine).
 */
typedef void (*ioapic_deliver_fn)(void *ctx, const struct ioapic_delivery *d);

struct bus;
struct ioapic;

/*
 * Registers its IOAPIC_MMIO_SIZE window on @bus at @base (BUS_MMIO); every
 * redirection entry starts masked. NULL on error (errno set).
 */
struct ioapic *ioapic_create(struct bus *bus, uint64_t base, ioapic_deliver_fn deliver, void *ctx);

/*
 * After the vCPUs and the device threads have stopped. The bus cannot
 * unregister a range, so @bus must not be used after this: destroy the
 * IOAPIC together with the bus (the VM), as the other devices are.
 */
void ioapic_destroy(struct ioapic *ioapic);

/* The logical level of @pin (1 asserted); other pins are ignored. Any thread. */
void ioapic_set_irq(struct ioapic *ioapic, unsigned int pin, int level);

/* The local APIC's EOI of @vector: ends level-triggered deliveries of it. Any thread. */
void ioapic_eoi(struct ioapic *ioapic, uint8_t vector);

/* The MSI address/data an entry's delivery corresponds to (for MSI routing). */
void ioapic_delivery_to_msi(const struct ioapic_delivery *d, uint32_t *address_lo, uint32_t *data);

#endif
