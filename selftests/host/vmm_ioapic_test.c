// SPDX-License-Identifier: GPL-2.0
/*
 * The userspace IOAPIC (ioapic.c), programmed through the bus the way
 * Linux's io_apic.c programs it, with the deliveries recorded.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

#include "bus.h"
#include "ioapic.h"
#include "machine.h"

#define BASE		MACHINE_IOAPIC_ADDR
#define MAX_LOG		64

struct bench {
	struct bus bus;
	struct ioapic *ioapic;
	unsigned int deliveries;	/* under the IOAPIC's lock */
	struct ioapic_delivery log[MAX_LOG];
	unsigned int inside, overlaps;	/* deliveries run one at a time */
};

static void record(void *ctx, const struct ioapic_delivery *d)
{
	struct bench *b = ctx;

	if (__atomic_add_fetch(&b->inside, 1, __ATOMIC_SEQ_CST) > 1)
		__atomic_add_fetch(&b->overlaps, 1, __ATOMIC_SEQ_CST);
	for (volatile unsigned int spin = 0; spin < 100; spin++)
		;
	__atomic_sub_fetch(&b->inside, 1, __ATOMIC_SEQ_CST);
	if (b->deliveries < MAX_LOG)
		b->log[b->deliveries] = *d;
	b->deliveries++;
}

static struct bench *bench_create(void)
{
	struct bench *b = calloc(1, sizeof(*b));

	if (!b)
		abort();
	b->ioapic = ioapic_create(&b->bus, BASE, record, b);
	if (!b->ioapic)
		abort();
	return b;
}

static void bench_destroy(struct bench *b)
{
	ioapic_destroy(b->ioapic);
	free(b);
}

static void mmio_write(struct bench *b, uint64_t offset, uint64_t val, unsigned int len)
{
	uint8_t data[8];

	for (unsigned int i = 0; i < len; i++)
		data[i] = val >> (8 * i);
	bus_access(&b->bus, BUS_MMIO, BASE + offset, data, len, true);
}

static uint64_t mmio_read(struct bench *b, uint64_t offset, unsigned int len)
{
	uint8_t data[8];
	uint64_t val = 0;

	memset(data, 0xcc, sizeof(data));
	bus_access(&b->bus, BUS_MMIO, BASE + offset, data, len, false);
	for (unsigned int i = 0; i < len; i++)
		val |= (uint64_t)data[i] << (8 * i);
	return val;
}

static void reg_write(struct bench *b, uint32_t reg, uint32_t val)
{
	mmio_write(b, IOAPIC_IOREGSEL, reg, 4);
	mmio_write(b, IOAPIC_IOWIN, val, 4);
}

static uint32_t reg_read(struct bench *b, uint32_t reg)
{
	mmio_write(b, IOAPIC_IOREGSEL, reg, 4);
	return mmio_read(b, IOAPIC_IOWIN, 4);
}

/* As Linux does: high dword (destination) first, then the low dword. */
static void program(struct bench *b, unsigned int pin, uint32_t low, uint8_t dest)
{
	reg_write(b, IOAPIC_REG_REDTBL + 2 * pin + 1, (uint32_t)dest << 24);
	reg_write(b, IOAPIC_REG_REDTBL + 2 * pin, low);
}

static uint32_t rte_low(struct bench *b, unsigned int pin)
{
	return reg_read(b, IOAPIC_REG_REDTBL + 2 * pin);
}

#define FIXED		0
#define LOWEST		(1 << 8)
#define NMI		(4 << 8)
#define LOGICAL		(1 << 11)
#define LEVEL		(1 << 15)
#define MASKED		(1 << 16)
#define REMOTE_IRR	(1 << 14)

TEST(reset_state)
{
	struct bench *b = bench_create();

	EXPECT_EQ(0x00170011, reg_read(b, IOAPIC_REG_VERSION));
	EXPECT_EQ(0, reg_read(b, IOAPIC_REG_ID));
	EXPECT_EQ(0, reg_read(b, IOAPIC_REG_ARB));
	for (unsigned int pin = 0; pin < IOAPIC_NR_PINS; pin++) {
		EXPECT_EQ(MASKED, rte_low(b, pin)) TH_LOG("pin %u", pin);
		EXPECT_EQ(0, reg_read(b, IOAPIC_REG_REDTBL + 2 * pin + 1)) TH_LOG("pin %u", pin);
		ioapic_set_irq(b->ioapic, pin, 1);
	}
	EXPECT_EQ(0, b->deliveries);
	bench_destroy(b);
}

TEST(edge_delivery)
{
	struct bench *b = bench_create();

	program(b, 4, 0x31 | FIXED, 2);
	EXPECT_EQ(0x31, rte_low(b, 4));
	EXPECT_EQ(0x02000000, reg_read(b, IOAPIC_REG_REDTBL + 9));
	EXPECT_EQ(0, b->deliveries);

	ioapic_set_irq(b->ioapic, 4, 1);
	ASSERT_EQ(1, b->deliveries);
	EXPECT_EQ(0x31, b->log[0].vector);
	EXPECT_EQ(0, b->log[0].delivery_mode);
	EXPECT_FALSE(b->log[0].level);
	EXPECT_FALSE(b->log[0].logical);
	EXPECT_EQ(2, b->log[0].dest);
	EXPECT_EQ(4, b->log[0].pin);
	EXPECT_EQ(0x31, rte_low(b, 4));		/* no remote IRR for edge */

	ioapic_set_irq(b->ioapic, 4, 1);	/* still high: no edge */
	EXPECT_EQ(1, b->deliveries);
	ioapic_set_irq(b->ioapic, 4, 0);
	EXPECT_EQ(1, b->deliveries);
	ioapic_set_irq(b->ioapic, 4, 1);
	EXPECT_EQ(2, b->deliveries);
	ioapic_eoi(b->ioapic, 0x31);		/* no effect on edge entries */
	EXPECT_EQ(2, b->deliveries);

	/* lowest priority, logical destination */
	program(b, 16, 0x41 | LOWEST | LOGICAL, 0x0f);
	ioapic_set_irq(b->ioapic, 16, 1);
	ASSERT_EQ(3, b->deliveries);
	EXPECT_EQ(0x41, b->log[2].vector);
	EXPECT_EQ(1, b->log[2].delivery_mode);
	EXPECT_TRUE(b->log[2].logical);
	EXPECT_EQ(0x0f, b->log[2].dest);
	EXPECT_EQ(16, b->log[2].pin);

	/* NMI on the last pin */
	program(b, 23, NMI, 0xff);
	ioapic_set_irq(b->ioapic, 23, 1);
	ASSERT_EQ(4, b->deliveries);
	EXPECT_EQ(4, b->log[3].delivery_mode);
	EXPECT_EQ(0xff, b->log[3].dest);
	EXPECT_EQ(23, b->log[3].pin);

	/* pins beyond the chip are ignored */
	ioapic_set_irq(b->ioapic, IOAPIC_NR_PINS, 1);
	ioapic_set_irq(b->ioapic, ~0u, 1);
	EXPECT_EQ(4, b->deliveries);
	bench_destroy(b);
}

TEST(level_remote_irr_and_eoi)
{
	struct bench *b = bench_create();

	program(b, 9, 0x45 | LEVEL, 1);
	ioapic_set_irq(b->ioapic, 9, 1);
	ASSERT_EQ(1, b->deliveries);
	EXPECT_TRUE(b->log[0].level);
	EXPECT_EQ(0x45, b->log[0].vector);
	EXPECT_EQ(9, b->log[0].pin);
	EXPECT_EQ(0x45 | LEVEL | REMOTE_IRR, rte_low(b, 9));

	/* remote IRR blocks re-delivery, whatever the line does */
	ioapic_set_irq(b->ioapic, 9, 1);
	ioapic_set_irq(b->ioapic, 9, 0);
	ioapic_set_irq(b->ioapic, 9, 1);
	EXPECT_EQ(1, b->deliveries);

	/* another vector's EOI does nothing */
	ioapic_eoi(b->ioapic, 0x46);
	EXPECT_EQ(1, b->deliveries);
	EXPECT_EQ(0x45 | LEVEL | REMOTE_IRR, rte_low(b, 9));

	/* EOI while the line is still high: delivered again */
	ioapic_eoi(b->ioapic, 0x45);
	EXPECT_EQ(2, b->deliveries);
	EXPECT_EQ(0x45 | LEVEL | REMOTE_IRR, rte_low(b, 9));

	/* the device deasserts, then the EOI: remote IRR clear, nothing sent */
	ioapic_set_irq(b->ioapic, 9, 0);
	ioapic_eoi(b->ioapic, 0x45);
	EXPECT_EQ(2, b->deliveries);
	EXPECT_EQ(0x45 | LEVEL, rte_low(b, 9));

	ioapic_set_irq(b->ioapic, 9, 1);
	EXPECT_EQ(3, b->deliveries);

	/* two level pins sharing a vector: one EOI serves both */
	program(b, 10, 0x45 | LEVEL, 1);
	ioapic_set_irq(b->ioapic, 10, 1);
	EXPECT_EQ(4, b->deliveries);
	ioapic_set_irq(b->ioapic, 9, 0);
	ioapic_eoi(b->ioapic, 0x45);
	ASSERT_EQ(5, b->deliveries);
	EXPECT_EQ(10, b->log[4].pin);
	EXPECT_EQ(0x45 | LEVEL, rte_low(b, 9));
	bench_destroy(b);
}

TEST(masked_pins)
{
	struct bench *b = bench_create();

	/* an edge on a masked pin is lost */
	program(b, 4, 0x31 | MASKED, 0);
	ioapic_set_irq(b->ioapic, 4, 1);
	EXPECT_EQ(0, b->deliveries);
	program(b, 4, 0x31, 0);
	EXPECT_EQ(0, b->deliveries);
	ioapic_set_irq(b->ioapic, 4, 0);
	ioapic_set_irq(b->ioapic, 4, 1);
	EXPECT_EQ(1, b->deliveries);

	/* a level line high while masked is delivered when unmasked */
	program(b, 11, 0x50 | LEVEL | MASKED, 0);
	ioapic_set_irq(b->ioapic, 11, 1);
	EXPECT_EQ(1, b->deliveries);
	EXPECT_EQ(0x50 | LEVEL | MASKED, rte_low(b, 11));
	program(b, 11, 0x50 | LEVEL, 0);
	ASSERT_EQ(2, b->deliveries);
	EXPECT_EQ(11, b->log[1].pin);
	EXPECT_EQ(0x50 | LEVEL | REMOTE_IRR, rte_low(b, 11));

	/* masked while remote IRR: the EOI clears it but sends nothing */
	program(b, 11, 0x50 | LEVEL | MASKED, 0);
	EXPECT_EQ(0x50 | LEVEL | MASKED | REMOTE_IRR, rte_low(b, 11));
	ioapic_eoi(b->ioapic, 0x50);
	EXPECT_EQ(2, b->deliveries);
	EXPECT_EQ(0x50 | LEVEL | MASKED, rte_low(b, 11));
	bench_destroy(b);
}

TEST(entry_bits)
{
	struct bench *b = bench_create();

	/* reserved bits, delivery status and remote IRR are not writable */
	reg_write(b, IOAPIC_REG_REDTBL + 2 * 5, 0xffffffff);
	reg_write(b, IOAPIC_REG_REDTBL + 2 * 5 + 1, 0xffffffff);
	EXPECT_EQ(0x0001afff, rte_low(b, 5));
	EXPECT_EQ(0xff000000, reg_read(b, IOAPIC_REG_REDTBL + 2 * 5 + 1));

	/* switching a level entry with remote IRR to edge clears remote IRR */
	program(b, 6, 0x60 | LEVEL, 0);
	ioapic_set_irq(b->ioapic, 6, 1);
	EXPECT_EQ(0x60 | LEVEL | REMOTE_IRR, rte_low(b, 6));
	reg_write(b, IOAPIC_REG_REDTBL + 2 * 6, 0x60 | REMOTE_IRR);
	EXPECT_EQ(0x60, rte_low(b, 6));
	EXPECT_EQ(1, b->deliveries);

	/* writing the high half keeps remote IRR */
	program(b, 7, 0x70 | LEVEL, 0);
	ioapic_set_irq(b->ioapic, 7, 1);
	reg_write(b, IOAPIC_REG_REDTBL + 2 * 7 + 1, 0x03000000);
	EXPECT_EQ(0x70 | LEVEL | REMOTE_IRR, rte_low(b, 7));
	ioapic_eoi(b->ioapic, 0x70);
	ASSERT_EQ(3, b->deliveries);
	EXPECT_EQ(3, b->log[2].dest);
	bench_destroy(b);
}

TEST(registers_and_garbage)
{
	struct bench *b = bench_create();

	/* ID: bits 24-27 only; arbitration reads the same; version is read-only */
	reg_write(b, IOAPIC_REG_ID, 0xffffffff);
	EXPECT_EQ(0x0f000000, reg_read(b, IOAPIC_REG_ID));
	EXPECT_EQ(0x0f000000, reg_read(b, IOAPIC_REG_ARB));
	reg_write(b, IOAPIC_REG_ID, 0x02000000);
	EXPECT_EQ(0x02000000, reg_read(b, IOAPIC_REG_ID));
	reg_write(b, IOAPIC_REG_VERSION, 0);
	EXPECT_EQ(0x00170011, reg_read(b, IOAPIC_REG_VERSION));
	reg_write(b, IOAPIC_REG_ARB, 0x05000000);
	EXPECT_EQ(0x02000000, reg_read(b, IOAPIC_REG_ARB));

	/* IOREGSEL is 8 bits */
	mmio_write(b, IOAPIC_IOREGSEL, 0x12345601, 4);
	EXPECT_EQ(0x01, mmio_read(b, IOAPIC_IOREGSEL, 4));
	EXPECT_EQ(0x00170011, mmio_read(b, IOAPIC_IOWIN, 4));

	/* out-of-range selectors read 0, writes go nowhere */
	for (uint32_t sel = 0x03; sel < 0x100; sel++) {
		if (sel >= IOAPIC_REG_REDTBL && sel < IOAPIC_REG_REDTBL + 2 * IOAPIC_NR_PINS)
			continue;
		reg_write(b, sel, 0xffffffff);
		EXPECT_EQ(0, reg_read(b, sel)) TH_LOG("IOREGSEL 0x%x", sel);
	}
	for (unsigned int pin = 0; pin < IOAPIC_NR_PINS; pin++) {
		EXPECT_EQ(MASKED, rte_low(b, pin)) TH_LOG("pin %u", pin);
	}
	EXPECT_EQ(0x02000000, reg_read(b, IOAPIC_REG_ID));

	/* the last entry's high half is 0x3f; 0x40 is beyond */
	reg_write(b, 0x3f, 0xab000000);
	EXPECT_EQ(0xab000000, reg_read(b, 0x3f));
	EXPECT_EQ(0, reg_read(b, 0x40));
	bench_destroy(b);
}

TEST(window_accesses)
{
	struct bench *b = bench_create();

	/* other offsets in the page read 0 and ignore writes (no EOI register in 0x11) */
	program(b, 9, 0x45 | LEVEL, 0);
	ioapic_set_irq(b->ioapic, 9, 1);
	mmio_write(b, 0x40, 0x45, 4);
	EXPECT_EQ(0x45 | LEVEL | REMOTE_IRR, rte_low(b, 9));
	EXPECT_EQ(0, mmio_read(b, 0x20, 4));
	EXPECT_EQ(0, mmio_read(b, 0x40, 4));
	EXPECT_EQ(0, mmio_read(b, 0xffc, 4));

	/* byte and word accesses reach parts of the 32-bit registers */
	mmio_write(b, IOAPIC_IOREGSEL, IOAPIC_REG_VERSION, 1);
	EXPECT_EQ(0x11, mmio_read(b, IOAPIC_IOWIN, 1));
	EXPECT_EQ(0x17, mmio_read(b, IOAPIC_IOWIN + 2, 1));
	EXPECT_EQ(0x0017, mmio_read(b, IOAPIC_IOWIN + 2, 2));
	/* an 8-byte read: the register, then zeros */
	EXPECT_EQ(0x00170011, mmio_read(b, IOAPIC_IOWIN, 8));
	/* a byte write to IOWIN updates one byte of the entry */
	mmio_write(b, IOAPIC_IOREGSEL, IOAPIC_REG_REDTBL + 2 * 3, 4);
	mmio_write(b, IOAPIC_IOWIN, 0x33, 1);
	EXPECT_EQ(MASKED | 0x33, rte_low(b, 3));
	mmio_write(b, IOAPIC_IOREGSEL, IOAPIC_REG_REDTBL + 2 * 3, 4);
	mmio_write(b, IOAPIC_IOWIN + 2, 0, 1);		/* unmask */
	EXPECT_EQ(0x33, rte_low(b, 3));
	bench_destroy(b);
}

TEST(bus_registration)
{
	struct bench *b = bench_create();
	const struct bus_range *r = bus_find(&b->bus, BUS_MMIO, MACHINE_IOAPIC_ADDR, 4);
	uint8_t data[4];

	ASSERT_NE(NULL, r);
	EXPECT_EQ(MACHINE_IOAPIC_ADDR, r->base);
	EXPECT_EQ(IOAPIC_MMIO_SIZE, r->len);
	EXPECT_STREQ("ioapic", r->name);
	EXPECT_TRUE(bus_access(&b->bus, BUS_MMIO, BASE + 0xffc, data, 4, false));
	EXPECT_FALSE(bus_access(&b->bus, BUS_MMIO, BASE + IOAPIC_MMIO_SIZE, data, 4, false));
	EXPECT_FALSE(bus_access(&b->bus, BUS_PIO, 0, data, 1, false));

	/* a second IOAPIC on the same window is refused */
	errno = 0;
	EXPECT_EQ(NULL, ioapic_create(&b->bus, BASE + 0x800, record, b));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(NULL, ioapic_create(&b->bus, BASE, NULL, b));
	EXPECT_EQ(EINVAL, errno);
	bench_destroy(b);
}

TEST(msi_translation)
{
	struct ioapic_delivery fixed = { .vector = 0x31, .dest = 2, .pin = 4 };
	struct ioapic_delivery level = {
		.vector = 0x45, .delivery_mode = 1, .level = true, .logical = true, .dest = 0x0f,
	};
	struct ioapic_delivery nmi = { .vector = 0, .delivery_mode = 4, .dest = 0xff };
	uint32_t address, data;

	ioapic_delivery_to_msi(&fixed, &address, &data);
	EXPECT_EQ(0xfee02000, address);
	EXPECT_EQ(0x31, data);
	ioapic_delivery_to_msi(&level, &address, &data);
	EXPECT_EQ(0xfee0f004, address);
	EXPECT_EQ(0x45 | 1 << 8 | 1 << 14 | 1 << 15, data);
	ioapic_delivery_to_msi(&nmi, &address, &data);
	EXPECT_EQ(0xfeeff000, address);
	EXPECT_EQ(4 << 8, data);
}

/* Device threads pulse edge pins at once: every rising edge is delivered once. */
struct pulser {
	struct bench *b;
	unsigned int pin;
	pthread_barrier_t *start;
};

#define PULSES		20000
#define PULSERS		4

static void *pulse(void *arg)
{
	struct pulser *p = arg;

	pthread_barrier_wait(p->start);
	for (unsigned int i = 0; i < PULSES; i++) {
		ioapic_set_irq(p->b->ioapic, p->pin, 1);
		ioapic_set_irq(p->b->ioapic, p->pin, 0);
	}
	return NULL;
}

TEST(concurrent_lines)
{
	struct bench *b = bench_create();
	struct pulser p[PULSERS];
	pthread_t t[PULSERS];
	pthread_barrier_t start;

	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, PULSERS));
	for (unsigned int i = 0; i < PULSERS; i++) {
		program(b, 16 + i, 0x80 + i, 0);
		p[i] = (struct pulser){ b, 16 + i, &start };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, pulse, &p[i]));
	}
	for (unsigned int i = 0; i < PULSERS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	EXPECT_EQ(PULSES * PULSERS, b->deliveries);
	EXPECT_EQ(0, b->overlaps);
	bench_destroy(b);
}

TEST_HARNESS_MAIN
