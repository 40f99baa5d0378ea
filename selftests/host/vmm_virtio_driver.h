/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal virtio-mmio guest driver for the unit tests: it touches the
 * device only through bus_access(), as a guest would, and lays out its
 * split rings in guest RAM the way Linux's virtio_ring does.
 */
#ifndef VMM_VIRTIO_DRIVER_H
#define VMM_VIRTIO_DRIVER_H

#include <stdlib.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "machine.h"
#include "vmm.h"
#include "vmm_test_util.h"

#define TEST_RAM_SIZE	(32ULL << 20)	/* room for a 17 MiB buffer past the data */
#define TEST_BASE	MACHINE_VIRTIO_MMIO_BASE
/* Queue n's rings at TEST_RING_GPA + n * 0x10000; buffers from TEST_DATA_GPA. */
#define TEST_RING_GPA	0x10000ULL
#define TEST_DATA_GPA	0x100000ULL
#define TEST_DATA_SIZE	0x100000ULL
#define TEST_CANARY	0xc3

#define F(bit)		(1ULL << (bit))

struct test_vm {
	struct vm vm;
	struct fake_irq irq;
};

static inline struct test_vm *test_vm_create(void)
{
	struct test_vm *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	vm_init(&t->vm);
	if (guest_mem_init(&t->vm.mem, TEST_RAM_SIZE)) {
		free(t);
		return NULL;
	}
	fake_irq_init(&t->irq, MACHINE_VIRTIO_FIRST_GSI);
	memset(t->vm.mem.base + TEST_DATA_GPA, TEST_CANARY, TEST_DATA_SIZE);
	return t;
}

/* Devices are destroyed between the two: the rules refer to them. */
static inline void test_vm_drop_rules(struct test_vm *t)
{
	rules_destroy(&t->vm.rules);
}

static inline void test_vm_free(struct test_vm *t)
{
	guest_mem_free(&t->vm.mem);
	free(t);
}

static inline void *gpa_ptr(struct test_vm *t, uint64_t gpa)
{
	return t->vm.mem.base + gpa;
}

/* True if no byte of [gpa, gpa + len) changed from the canary. */
static inline bool canary_intact(struct test_vm *t, uint64_t gpa, uint64_t len)
{
	const uint8_t *p = gpa_ptr(t, gpa);

	for (uint64_t i = 0; i < len; i++)
		if (p[i] != TEST_CANARY)
			return false;
	return true;
}

static inline uint32_t mmio_read(struct test_vm *t, uint64_t off)
{
	uint8_t d[4];

	bus_access(&t->vm.bus, BUS_MMIO, TEST_BASE + off, d, 4, false);
	return d[0] | d[1] << 8 | d[2] << 16 | (uint32_t)d[3] << 24;
}

static inline void mmio_write(struct test_vm *t, uint64_t off, uint32_t v)
{
	uint8_t d[4] = { v, v >> 8, v >> 16, v >> 24 };

	bus_access(&t->vm.bus, BUS_MMIO, TEST_BASE + off, d, 4, true);
}

static inline uint64_t drv_device_features(struct test_vm *t)
{
	uint64_t f;

	mmio_write(t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f = (uint64_t)mmio_read(t, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	mmio_write(t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return f | mmio_read(t, VIRTIO_MMIO_DEVICE_FEATURES);
}

/* Reset, acknowledge and negotiate @features; returns the Status read back. */
static inline uint32_t drv_negotiate(struct test_vm *t, uint64_t features)
{
	mmio_write(t, VIRTIO_MMIO_STATUS, 0);
	mmio_write(t, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	mmio_write(t, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	mmio_write(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	mmio_write(t, VIRTIO_MMIO_DRIVER_FEATURES, features >> 32);
	mmio_write(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	mmio_write(t, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	mmio_write(t, VIRTIO_MMIO_STATUS, mmio_read(t, VIRTIO_MMIO_STATUS) |
		   VIRTIO_CONFIG_S_FEATURES_OK);
	return mmio_read(t, VIRTIO_MMIO_STATUS);
}

static inline void drv_driver_ok(struct test_vm *t)
{
	mmio_write(t, VIRTIO_MMIO_STATUS, mmio_read(t, VIRTIO_MMIO_STATUS) |
		   VIRTIO_CONFIG_S_DRIVER_OK);
}

struct drv_queue {
	unsigned int index;
	uint32_t size;
	uint64_t desc, avail, used;	/* guest-physical */
	uint16_t avail_idx;		/* the driver's next one */
};

static inline void drv_queue_layout(struct drv_queue *q, unsigned int index,
				    uint32_t size)
{
	memset(q, 0, sizeof(*q));
	q->index = index;
	q->size = size;
	q->desc = TEST_RING_GPA + index * 0x10000ULL;
	q->avail = q->desc + 0x4000;
	q->used = q->desc + 0x8000;
}

/* Program the queue's registers as laid out; returns QueueReady read back. */
static inline uint32_t drv_queue_program(struct test_vm *t, struct drv_queue *q)
{
	mmio_write(t, VIRTIO_MMIO_QUEUE_SEL, q->index);
	mmio_write(t, VIRTIO_MMIO_QUEUE_NUM, q->size);
	mmio_write(t, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)q->desc);
	mmio_write(t, VIRTIO_MMIO_QUEUE_DESC_HIGH, q->desc >> 32);
	mmio_write(t, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)q->avail);
	mmio_write(t, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, q->avail >> 32);
	mmio_write(t, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)q->used);
	mmio_write(t, VIRTIO_MMIO_QUEUE_USED_HIGH, q->used >> 32);
	mmio_write(t, VIRTIO_MMIO_QUEUE_READY, 1);
	return mmio_read(t, VIRTIO_MMIO_QUEUE_READY);
}

/* Zeroed rings at the usual place, programmed. */
static inline uint32_t drv_queue_init(struct test_vm *t, struct drv_queue *q,
				      unsigned int index, uint32_t size)
{
	drv_queue_layout(q, index, size);
	memset(gpa_ptr(t, q->desc), 0, 0x10000);
	return drv_queue_program(t, q);
}

/* Descriptor @i of the table at @table (a ring's or an indirect one). */
static inline void drv_desc(struct test_vm *t, uint64_t table, unsigned int i,
			    uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	struct vring_desc *d = (struct vring_desc *)gpa_ptr(t, table) + i;

	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

static inline void drv_post(struct test_vm *t, struct drv_queue *q, uint16_t head)
{
	struct vring_avail *avail = gpa_ptr(t, q->avail);

	avail->ring[q->avail_idx % q->size] = head;
	q->avail_idx++;
	__atomic_store_n(&avail->idx, q->avail_idx, __ATOMIC_RELEASE);
}

static inline void drv_notify(struct test_vm *t, struct drv_queue *q)
{
	mmio_write(t, VIRTIO_MMIO_QUEUE_NOTIFY, q->index);
}

static inline uint16_t drv_used_idx(struct test_vm *t, struct drv_queue *q)
{
	struct vring_used *used = gpa_ptr(t, q->used);

	return __atomic_load_n(&used->idx, __ATOMIC_ACQUIRE);
}

static inline struct vring_used_elem drv_used_elem(struct test_vm *t,
						   struct drv_queue *q, uint16_t n)
{
	struct vring_used *used = gpa_ptr(t, q->used);

	return used->ring[n % q->size];
}

static inline bool drv_needs_reset(struct test_vm *t)
{
	return mmio_read(t, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET;
}

#endif
