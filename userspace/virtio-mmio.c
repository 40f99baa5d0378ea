// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-mmio transport, version 2 (VIRTIO 1.2 4.2.2). Registers are
 * 32-bit and only aligned 32-bit accesses are honoured; the guest can ask
 * for anything, so every selector and value is checked where it is used.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "iothread.h"
#include "machine.h"
#include "virtio-mmio.h"
#include "vmm.h"

#define VIRTIO_MMIO_MAGIC	0x74726976	/* "virt" */
#define VIRTIO_MMIO_VERSION_2	2

struct virtio_mmio_queue {
	struct virtqueue vq;
	struct virtio_mmio_dev *t;
	unsigned int index;
	int notify_fd;			/* the doorbell */
	struct rule notify_rule;
	char rule_name[64];
};

struct virtio_mmio_dev {
	struct vm *vm;
	struct irq_line *irq;
	const struct virtio_device_ops *ops;
	void *dev;
	char name[32];
	uint64_t device_features;
	uint64_t bad_accesses;		/* atomic */

	pthread_mutex_t lock;		/* the registers, the queues, the device */
	uint64_t driver_features;
	uint32_t device_features_sel, driver_features_sel;
	uint32_t queue_sel;
	uint32_t status;
	uint32_t interrupt_status;
	bool broken;
	struct virtio_mmio_queue queues[VIRTIO_MMIO_MAX_QUEUES];
};

static void count_bad_access(struct virtio_mmio_dev *t)
{
	__atomic_add_fetch(&t->bad_accesses, 1, __ATOMIC_RELAXED);
}

uint64_t virtio_mmio_bad_accesses(struct virtio_mmio_dev *t)
{
	return __atomic_load_n(&t->bad_accesses, __ATOMIC_RELAXED);
}

static void raise_interrupt(struct virtio_mmio_dev *t, uint32_t bits)
{
	t->interrupt_status |= bits;
	irq_line_pulse(t->irq);
}

/* The guest broke the rules: stop using the device until it resets it. */
static void mark_broken(struct virtio_mmio_dev *t, const char *why)
{
	if (t->broken)
		return;
	t->broken = true;
	t->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	fprintf(stderr, "%s: guest error: %s; the device needs a reset\n",
		t->name, why ? why : "?");
	if (t->status & VIRTIO_CONFIG_S_DRIVER_OK)
		raise_interrupt(t, VIRTIO_MMIO_INT_CONFIG);
}

static void process_queue_locked(struct virtio_mmio_dev *t,
				 struct virtio_mmio_queue *q)
{
	int ret;

	/* No buffers are used before DRIVER_OK (spec 3.1.1): that kicks them. */
	if (t->broken || !(t->status & VIRTIO_CONFIG_S_DRIVER_OK) || !q->vq.ready)
		return;
	ret = t->ops->queue_notify(t->dev, q->index, &q->vq);
	/* Buffers used before a violation still get their interrupt. */
	if (virtq_should_interrupt(&q->vq))
		raise_interrupt(t, VIRTIO_MMIO_INT_VRING);
	if (ret < 0)
		mark_broken(t, q->vq.error);
}

static void process_queue(struct virtio_mmio_queue *q)
{
	pthread_mutex_lock(&q->t->lock);
	process_queue_locked(q->t, q);
	pthread_mutex_unlock(&q->t->lock);
}

/* I/O thread: the doorbell rang, in the hypervisor, the module or notify(). */
static void doorbell_rang(void *opaque)
{
	struct virtio_mmio_queue *q = opaque;
	eventfd_t count;

	/* Drain before processing: a notify after this read rings again. */
	eventfd_read(q->notify_fd, &count);
	process_queue(q);
}

/*
 * Have @q processed where queue processing runs: on the I/O thread, or
 * right here without one (unit tests). @locked: the caller holds the lock.
 */
static void ring_doorbell(struct virtio_mmio_queue *q, bool locked)
{
	if (q->t->vm->io)
		eventfd_write(q->notify_fd, 1);
	else if (locked)
		process_queue_locked(q->t, q);
	else
		process_queue(q);
}

void virtio_mmio_kick_queue(struct virtio_mmio_dev *t, unsigned int index)
{
	if (index < t->ops->nr_queues)
		process_queue(&t->queues[index]);
}

static struct virtio_mmio_queue *selected_queue(struct virtio_mmio_dev *t)
{
	return t->queue_sel < t->ops->nr_queues ? &t->queues[t->queue_sel] : NULL;
}

static void reset_device(struct virtio_mmio_dev *t)
{
	t->driver_features = 0;
	t->device_features_sel = t->driver_features_sel = 0;
	t->queue_sel = 0;
	t->status = 0;
	t->interrupt_status = 0;
	t->broken = false;
	for (unsigned int i = 0; i < t->ops->nr_queues; i++)
		virtq_reset(&t->queues[i].vq);
}

static bool features_acceptable(struct virtio_mmio_dev *t)
{
	return !(t->driver_features & ~t->device_features) &&
	       (t->driver_features & (1ULL << VIRTIO_F_VERSION_1));
}

static void write_status(struct virtio_mmio_dev *t, uint32_t status)
{
	bool driver_ok_now;

	if (!status) {
		reset_device(t);
		return;
	}
	/* NEEDS_RESET is the device's bit; Linux writes back what it read. */
	status &= ~VIRTIO_CONFIG_S_NEEDS_RESET;
	if ((status & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !(t->status & VIRTIO_CONFIG_S_FEATURES_OK) && !features_acceptable(t))
		status &= ~VIRTIO_CONFIG_S_FEATURES_OK;	/* the driver reads it back */
	driver_ok_now = (status & VIRTIO_CONFIG_S_DRIVER_OK) &&
			!(t->status & VIRTIO_CONFIG_S_DRIVER_OK);
	t->status = status | (t->broken ? VIRTIO_CONFIG_S_NEEDS_RESET : 0);
	/* Drivers may post buffers and notify before DRIVER_OK. */
	if (driver_ok_now)
		for (unsigned int i = 0; i < t->ops->nr_queues; i++)
			ring_doorbell(&t->queues[i], true);
}

static void write_queue_ready(struct virtio_mmio_dev *t,
			      struct virtio_mmio_queue *q, uint32_t value)
{
	bool indirect = t->driver_features & (1ULL << VIRTIO_RING_F_INDIRECT_DESC);

	if (!value) {
		q->vq.ready = false;
		return;
	}
	if (q->vq.ready || t->broken)
		return;
	if (virtq_enable(&q->vq, &t->vm->mem, indirect) < 0) {
		mark_broken(t, q->vq.error);
		return;
	}
	if (t->status & VIRTIO_CONFIG_S_DRIVER_OK)
		ring_doorbell(q, true);
}

/* The ring address that register @offset (low or high half) sets. */
static uint64_t *ring_addr(struct virtio_mmio_queue *q, uint64_t offset)
{
	switch (offset & ~4ULL) {
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		return &q->vq.desc_gpa;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
		return &q->vq.avail_gpa;
	default:
		return &q->vq.used_gpa;
	}
}

static void write_ring_addr(struct virtio_mmio_queue *q, uint64_t offset,
			    uint32_t value)
{
	uint64_t *addr = ring_addr(q, offset);

	if (offset & 4)
		*addr = (*addr & 0xffffffffULL) | ((uint64_t)value << 32);
	else
		*addr = (*addr & ~0xffffffffULL) | value;
}

static void write_reg(struct virtio_mmio_dev *t, uint64_t offset, uint32_t value)
{
	struct virtio_mmio_queue *q = selected_queue(t);

	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		t->device_features_sel = value;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		t->driver_features_sel = value;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		/* Fixed once FEATURES_OK is set (spec 3.1.1). */
		if (t->status & VIRTIO_CONFIG_S_FEATURES_OK || t->driver_features_sel > 1)
			break;
		if (t->driver_features_sel)
			t->driver_features = (t->driver_features & 0xffffffffULL) |
					     ((uint64_t)value << 32);
		else
			t->driver_features = (t->driver_features & ~0xffffffffULL) | value;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		t->queue_sel = value;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (q && !q->vq.ready)
			q->vq.size = value;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (q)
			write_queue_ready(t, q, value);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		t->interrupt_status &= ~value;
		break;
	case VIRTIO_MMIO_STATUS:
		write_status(t, value);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		/* Frozen while the queue is ready (spec 4.2.2.2). */
		if (q && !q->vq.ready)
			write_ring_addr(q, offset, value);
		break;
	default:
		count_bad_access(t);
		break;
	}
}

static uint32_t read_reg(struct virtio_mmio_dev *t, uint64_t offset)
{
	struct virtio_mmio_queue *q = selected_queue(t);

	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return VIRTIO_MMIO_VERSION_2;
	case VIRTIO_MMIO_DEVICE_ID:
		return t->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (t->device_features_sel > 1)
			return 0;
		return t->device_features >> (32 * t->device_features_sel);
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? VIRTQ_MAX_SIZE : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q ? q->vq.ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return t->interrupt_status;
	case VIRTIO_MMIO_STATUS:
		return t->status;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return 0;	/* our config space never changes */
	default:
		count_bad_access(t);
		return 0;
	}
}

/* Device config space: any size, within the device's config_size. */
static void config_access(struct virtio_mmio_dev *t, uint64_t offset,
			  uint8_t *data, unsigned int len, bool is_write)
{
	if (!is_write)
		memset(data, 0, len);
	/* Nothing in our devices' config spaces is writable. */
	if (is_write || offset > t->ops->config_size ||
	    len > t->ops->config_size - offset || !t->ops->config_read) {
		count_bad_access(t);
		return;
	}
	pthread_mutex_lock(&t->lock);
	t->ops->config_read(t->dev, offset, data, len);
	pthread_mutex_unlock(&t->lock);
}

static void notify(struct virtio_mmio_dev *t, uint32_t index)
{
	if (index >= t->ops->nr_queues) {
		count_bad_access(t);
		return;
	}
	/* The doorbell rule stayed in userspace: ring it ourselves. */
	ring_doorbell(&t->queues[index], false);
}

static void virtio_mmio_access(void *opaque, uint64_t offset, uint8_t *data,
			       unsigned int len, bool is_write)
{
	struct virtio_mmio_dev *t = opaque;
	uint32_t value;

	if (offset >= VIRTIO_MMIO_CONFIG) {
		config_access(t, offset - VIRTIO_MMIO_CONFIG, data, len, is_write);
		return;
	}
	if (len != 4 || offset % 4) {
		if (!is_write)
			memset(data, 0, len);
		count_bad_access(t);
		return;
	}
	if (is_write) {
		value = data[0] | data[1] << 8 | data[2] << 16 | (uint32_t)data[3] << 24;
		if (offset == VIRTIO_MMIO_QUEUE_NOTIFY) {
			notify(t, value);
			return;
		}
		pthread_mutex_lock(&t->lock);
		write_reg(t, offset, value);
		pthread_mutex_unlock(&t->lock);
		return;
	}
	pthread_mutex_lock(&t->lock);
	value = read_reg(t, offset);
	pthread_mutex_unlock(&t->lock);
	for (unsigned int i = 0; i < 4; i++)
		data[i] = value >> (8 * i);
}

static void close_queues(struct virtio_mmio_dev *t)
{
	for (unsigned int i = 0; i < t->ops->nr_queues; i++) {
		struct virtio_mmio_queue *q = &t->queues[i];

		if (q->notify_fd < 0)
			continue;
		if (t->vm->io)
			iothread_unwatch(t->vm->io, q->notify_fd);
		close(q->notify_fd);
	}
}

struct virtio_mmio_dev *virtio_mmio_create(struct vm *vm, uint64_t base,
					   struct irq_line *irq,
					   const struct virtio_device_ops *ops,
					   uint64_t features, void *dev,
					   const char *name, char *err,
					   size_t errlen)
{
	struct virtio_mmio_dev *t;
	int ret;

	if (ops->nr_queues > VIRTIO_MMIO_MAX_QUEUES) {
		snprintf(err, errlen, "%s: too many queues", name);
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	t->vm = vm;
	t->irq = irq;
	t->ops = ops;
	t->dev = dev;
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->device_features = features | (1ULL << VIRTIO_F_VERSION_1) |
			     (1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	pthread_mutex_init(&t->lock, NULL);
	for (unsigned int i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		t->queues[i].notify_fd = -1;

	for (unsigned int i = 0; i < ops->nr_queues; i++) {
		struct virtio_mmio_queue *q = &t->queues[i];

		q->t = t;
		q->index = i;
		q->notify_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (q->notify_fd < 0) {
			snprintf(err, errlen, "%s: eventfd: %s", name, strerror(errno));
			goto fail;
		}
		if (vm->io) {
			ret = iothread_watch(vm->io, q->notify_fd, doorbell_rang, q);
			if (ret < 0) {
				close(q->notify_fd);
				q->notify_fd = -1;
				snprintf(err, errlen, "%s: cannot watch its doorbell: %s",
					 name, strerror(-ret));
				goto fail;
			}
		}
	}
	ret = bus_register(&vm->bus, BUS_MMIO, base, MACHINE_VIRTIO_MMIO_SIZE,
			   virtio_mmio_access, t, t->name);
	if (ret < 0) {
		snprintf(err, errlen, "%s: cannot register MMIO at 0x%llx: %s", name,
			 (unsigned long long)base, strerror(-ret));
		goto fail;
	}
	/* Last: the bus and the rules cannot let go of a device once they hold it. */
	for (unsigned int i = 0; i < ops->nr_queues; i++) {
		struct virtio_mmio_queue *q = &t->queues[i];

		snprintf(q->rule_name, sizeof(q->rule_name), "%s notify q%u", t->name, i);
		q->notify_rule = (struct rule){
			.name = q->rule_name,
			.kind = RULE_DOORBELL,
			.space = BUS_MMIO,
			.addr = base + VIRTIO_MMIO_QUEUE_NOTIFY,
			.len = 4,
			.has_datamatch = true,
			.datamatch = i,
			.eventfd = q->notify_fd,
		};
		ret = rules_add(&vm->rules, &q->notify_rule);
		if (ret < 0) {
			/* Left allocated on purpose: the bus still points at it. */
			snprintf(err, errlen, "%s: cannot add its doorbell rule: %s",
				 name, strerror(-ret));
			return NULL;
		}
	}
	return t;

fail:
	close_queues(t);
	pthread_mutex_destroy(&t->lock);
	free(t);
	return NULL;
}

void virtio_mmio_destroy(struct virtio_mmio_dev *t)
{
	if (!t)
		return;
	close_queues(t);
	pthread_mutex_destroy(&t->lock);
	free(t);
}
