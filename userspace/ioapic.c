// SPDX-License-Identifier: GPL-2.0
/*
 * The IOAPIC (82093AA, version 0x11), as KVM's virt/kvm/ioapic.c and
 * QEMU's hw/intc/ioapic.c model it: two window registers, IOREGSEL and
 * IOWIN, in front of the ID, version and arbitration registers and 24
 * 64-bit redirection entries.
 *
 * Edge-triggered pins deliver on a rising edge; an edge on a masked pin is
 * lost, as on the chip. Level-triggered pins deliver while the line is high
 * and remote IRR is clear; delivery sets remote IRR and the local APIC's
 * EOI of the vector clears it, delivering again if the line is still high.
 * Like KVM and QEMU, the polarity bit is stored but not applied: device
 * models drive logical (asserted/deasserted) levels.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "ioapic.h"

#define IOAPIC_ID_SHIFT		24
#define IOAPIC_ID_MASK		0xf
/* What the guest may write in an entry: all but delivery status, remote IRR, reserved. */
#define IOAPIC_RTE_WRITABLE	(0xffULL << IOAPIC_RTE_DEST_SHIFT | IOAPIC_RTE_MASKED | \
				 IOAPIC_RTE_LEVEL | IOAPIC_RTE_POLARITY | IOAPIC_RTE_LOGICAL | \
				 IOAPIC_RTE_DELMODE | IOAPIC_RTE_VECTOR)

struct ioapic {
	pthread_mutex_t lock;
	ioapic_deliver_fn deliver;
	void *ctx;
	uint8_t id;
	uint8_t ioregsel;
	uint32_t lines;		/* bit n: pin n asserted */
	uint64_t redtbl[IOAPIC_NR_PINS];
};

/* Send @pin's interrupt if its entry lets it through. Lock held. */
static void ioapic_service(struct ioapic *ioapic, unsigned int pin)
{
	uint64_t *e = &ioapic->redtbl[pin];
	struct ioapic_delivery d;

	if (*e & IOAPIC_RTE_MASKED)
		return;
	if (*e & IOAPIC_RTE_LEVEL) {
		if (*e & IOAPIC_RTE_REMOTE_IRR)
			return;
		*e |= IOAPIC_RTE_REMOTE_IRR;
	}
	d = (struct ioapic_delivery){
		.vector = *e & IOAPIC_RTE_VECTOR,
		.delivery_mode = (*e & IOAPIC_RTE_DELMODE) >> IOAPIC_RTE_DELMODE_SHIFT,
		.level = *e & IOAPIC_RTE_LEVEL,
		.logical = *e & IOAPIC_RTE_LOGICAL,
		.dest = *e >> IOAPIC_RTE_DEST_SHIFT,
		.pin = pin,
	};
	ioapic->deliver(ioapic->ctx, &d);
}

static bool line_high(const struct ioapic *ioapic, unsigned int pin)
{
	return ioapic->lines & (1u << pin);
}

static uint32_t read_indirect(const struct ioapic *ioapic)
{
	unsigned int reg = ioapic->ioregsel, pin;

	switch (reg) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:	/* the arbitration ID is the APIC ID, as in KVM */
		return (uint32_t)ioapic->id << IOAPIC_ID_SHIFT;
	case IOAPIC_REG_VERSION:
		return IOAPIC_VERSION;
	}
	if (reg < IOAPIC_REG_REDTBL || reg >= IOAPIC_REG_REDTBL + 2 * IOAPIC_NR_PINS)
		return 0;
	pin = (reg - IOAPIC_REG_REDTBL) / 2;
	return reg & 1 ? ioapic->redtbl[pin] >> 32 : (uint32_t)ioapic->redtbl[pin];
}

static void write_indirect(struct ioapic *ioapic, uint32_t val)
{
	unsigned int reg = ioapic->ioregsel, pin;
	uint64_t *e, new;

	if (reg == IOAPIC_REG_ID) {
		ioapic->id = (val >> IOAPIC_ID_SHIFT) & IOAPIC_ID_MASK;
		return;
	}
	if (reg < IOAPIC_REG_REDTBL || reg >= IOAPIC_REG_REDTBL + 2 * IOAPIC_NR_PINS)
		return;		/* version, arbitration: read-only */
	pin = (reg - IOAPIC_REG_REDTBL) / 2;
	e = &ioapic->redtbl[pin];
	if (reg & 1)
		new = (*e & 0xffffffffULL) | (uint64_t)val << 32;
	else
		new = (*e & ~0xffffffffULL) | val;
	new = (new & IOAPIC_RTE_WRITABLE) | (*e & IOAPIC_RTE_REMOTE_IRR);
	/* Linux relies on an entry switched to edge losing its remote IRR (KVM does the same). */
	if (!(new & IOAPIC_RTE_LEVEL))
		new &= ~IOAPIC_RTE_REMOTE_IRR;
	*e = new;
	/* A level line already high (now unmasked, say) is delivered now. */
	if ((new & IOAPIC_RTE_LEVEL) && line_high(ioapic, pin))
		ioapic_service(ioapic, pin);
}

/*
 * The MMIO window: IOREGSEL at 0x00, IOWIN at 0x10, each a 32-bit register
 * that narrower accesses read or update in part; anything else in the
 * page reads 0 and ignores writes.
 */
static void ioapic_mmio(void *opaque, uint64_t offset, uint8_t *data, unsigned int len,
			bool is_write)
{
	struct ioapic *ioapic = opaque;
	unsigned int shift = 8 * (offset & 3), avail = 4 - (offset & 3);
	uint64_t reg = offset & ~3ULL;
	uint32_t cur, mask, val = 0;

	if (!is_write)
		memset(data, 0, len);
	if (reg != IOAPIC_IOREGSEL && reg != IOAPIC_IOWIN)
		return;
	if (len > avail)
		len = avail;	/* the register ends there: the rest reads 0 */

	pthread_mutex_lock(&ioapic->lock);
	cur = reg == IOAPIC_IOREGSEL ? ioapic->ioregsel : read_indirect(ioapic);
	if (!is_write) {
		cur >>= shift;
		for (unsigned int i = 0; i < len; i++)
			data[i] = cur >> (8 * i);
	} else {
		for (unsigned int i = 0; i < len; i++)
			val |= (uint32_t)data[i] << (8 * i);
		mask = (len == 4 ? ~0u : (1u << (8 * len)) - 1) << shift;
		val = (cur & ~mask) | ((val << shift) & mask);
		if (reg == IOAPIC_IOREGSEL)
			ioapic->ioregsel = val & 0xff;	/* an 8-bit register */
		else
			write_indirect(ioapic, val);
	}
	pthread_mutex_unlock(&ioapic->lock);
}

struct ioapic *ioapic_create(struct bus *bus, uint64_t base, ioapic_deliver_fn deliver, void *ctx)
{
	struct ioapic *ioapic;
	int err;

	if (!deliver) {
		errno = EINVAL;
		return NULL;
	}
	ioapic = calloc(1, sizeof(*ioapic));
	if (!ioapic)
		return NULL;
	ioapic->deliver = deliver;
	ioapic->ctx = ctx;
	for (unsigned int pin = 0; pin < IOAPIC_NR_PINS; pin++)
		ioapic->redtbl[pin] = IOAPIC_RTE_MASKED;
	pthread_mutex_init(&ioapic->lock, NULL);
	err = bus_register(bus, BUS_MMIO, base, IOAPIC_MMIO_SIZE, ioapic_mmio, ioapic, "ioapic");
	if (err) {
		ioapic_destroy(ioapic);
		errno = -err;
		return NULL;
	}
	return ioapic;
}

void ioapic_destroy(struct ioapic *ioapic)
{
	if (!ioapic)
		return;
	pthread_mutex_destroy(&ioapic->lock);
	free(ioapic);
}

void ioapic_set_irq(struct ioapic *ioapic, unsigned int pin, int level)
{
	bool was_high;

	if (pin >= IOAPIC_NR_PINS)
		return;
	pthread_mutex_lock(&ioapic->lock);
	was_high = line_high(ioapic, pin);
	if (level)
		ioapic->lines |= 1u << pin;
	else
		ioapic->lines &= ~(1u << pin);
	if (level && (ioapic->redtbl[pin] & IOAPIC_RTE_LEVEL || !was_high))
		ioapic_service(ioapic, pin);
	pthread_mutex_unlock(&ioapic->lock);
}

void ioapic_eoi(struct ioapic *ioapic, uint8_t vector)
{
	pthread_mutex_lock(&ioapic->lock);
	for (unsigned int pin = 0; pin < IOAPIC_NR_PINS; pin++) {
		uint64_t *e = &ioapic->redtbl[pin];

		if ((*e & IOAPIC_RTE_VECTOR) != vector || !(*e & IOAPIC_RTE_LEVEL) ||
		    !(*e & IOAPIC_RTE_REMOTE_IRR))
			continue;
		*e &= ~IOAPIC_RTE_REMOTE_IRR;
		if (line_high(ioapic, pin))
			ioapic_service(ioapic, pin);
	}
	pthread_mutex_unlock(&ioapic->lock);
}

void ioapic_delivery_to_msi(const struct ioapic_delivery *d, uint32_t *address_lo, uint32_t *data)
{
	*address_lo = 0xfee00000u | (uint32_t)d->dest << 12 | (uint32_t)d->logical << 2;
	*data = d->vector | (uint32_t)(d->delivery_mode & 7) << 8;
	if (d->level)
		*data |= 1u << 15 | 1u << 14;	/* level trigger, asserted */
}
