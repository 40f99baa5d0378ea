/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio-mmio transport, modern layout (version 2, VIRTIO 1.2 4.2.2),
 * in a 0x1000-byte MMIO window. The device models (virtio-blk.c, ...) only
 * describe themselves and process their queues; registers, feature
 * negotiation, queue setup, interrupts, doorbells and resets live here.
 *
 * Each queue's doorbell is an eventfd watched by the VM's I/O thread and
 * registered as a RULE_DOORBELL, so a QueueNotify write may never reach
 * the VMM; when it does, the bus handler signals the same eventfd. So the
 * guest's requests are processed on the I/O thread, under the device's
 * lock (synchronously in the bus handler when the VM has no I/O thread,
 * as in unit tests).
 */
#ifndef MSHV_VMM_VIRTIO_MMIO_H
#define MSHV_VMM_VIRTIO_MMIO_H

#include <stddef.h>
#include <stdint.h>

#include "irq.h"
#include "virtqueue.h"

struct vm;
struct virtio_mmio_dev;

#define VIRTIO_MMIO_MAX_QUEUES	2
/* "MSHV", as QEMU and kvmtool put their names here. */
#define VIRTIO_MMIO_VENDOR	0x5648534d

struct virtio_device_ops {
	uint32_t device_id;		/* VIRTIO_ID_* */
	unsigned int nr_queues;		/* at most VIRTIO_MMIO_MAX_QUEUES */
	uint32_t config_size;		/* bytes of device config space */
	/* Bytes [@offset, @offset + @len) of config space, within config_size. */
	void (*config_read)(void *dev, uint32_t offset, uint8_t *data,
			    unsigned int len);
	/*
	 * Process the available buffers of queue @index, with the device lock
	 * held. 0, or -EINVAL if the guest broke the rules (virtq_pop()'s
	 * errors, or virtq_fail() for the device's own): the device is then
	 * marked broken until the driver resets it.
	 */
	int (*queue_notify)(void *dev, unsigned int index, struct virtqueue *vq);
};

/*
 * Register a device at @base (MACHINE_VIRTIO_MMIO_SIZE bytes) with its
 * doorbell rules. @features: device-specific feature bits (VERSION_1 and
 * INDIRECT_DESC are added). @name ("virtio-blk0") names the window, the
 * rules and log messages. NULL with @err filled on failure.
 */
struct virtio_mmio_dev *virtio_mmio_create(struct vm *vm, uint64_t base,
					   struct irq_line *irq,
					   const struct virtio_device_ops *ops,
					   uint64_t features, void *dev,
					   const char *name, char *err,
					   size_t errlen);

/*
 * Only once nothing can reach the device any more: after the vCPUs and the
 * I/O thread have stopped and the VM's rules are destroyed (the rules and
 * the bus range refer to it).
 */
void virtio_mmio_destroy(struct virtio_mmio_dev *t);

/*
 * Process queue @index now, as if the driver had notified it: for device
 * events such as host input arriving. Takes the device lock. Any thread.
 */
void virtio_mmio_kick_queue(struct virtio_mmio_dev *t, unsigned int index);

/* Register accesses refused (unaligned, odd-sized, out of range). */
uint64_t virtio_mmio_bad_accesses(struct virtio_mmio_dev *t);

#endif
