/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Split virtqueues (VIRTIO 1.2, 2.7), device side. The rings and every
 * buffer live in guest memory and the guest may rewrite them at any time,
 * so each value is read once and checked before use. A guest that breaks
 * the rules gets -EINVAL with vq->error set; the transport then marks the
 * device broken. Callers serialise access to a queue (the device's lock).
 */
#ifndef MSHV_VMM_VIRTQUEUE_H
#define MSHV_VMM_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <linux/virtio_ring.h>

#include "mem.h"

/* QueueNumMax of every queue, and the longest chain we accept. */
#define VIRTQ_MAX_SIZE	256

struct virtqueue {
	/* Set by the driver through the transport before it enables the queue. */
	uint32_t size;			/* QueueNum: checked when enabled */
	uint64_t desc_gpa, avail_gpa, used_gpa;

	/* Resolved once by virtq_enable(). */
	bool ready;
	bool indirect;			/* VIRTIO_F_INDIRECT_DESC negotiated */
	const struct guest_mem *mem;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;

	uint16_t last_avail;		/* next available entry to take */
	uint16_t used_idx;		/* our copy of used->idx */
	bool pushed;			/* used entries since the last interrupt check */
	const char *error;		/* why the guest's queue is broken */
};

/*
 * One descriptor chain as iovecs into guest memory: the device-readable
 * buffers first (iov[0 .. nr_out)), then the device-writable ones
 * (iov[nr_out .. nr_out + nr_in)).
 */
struct virtq_chain {
	uint16_t head;
	unsigned int nr_out, nr_in;
	uint64_t out_len, in_len;	/* bytes */
	struct iovec iov[VIRTQ_MAX_SIZE];
};

static inline struct iovec *virtq_chain_in(struct virtq_chain *chain)
{
	return chain->iov + chain->nr_out;
}

/* Forget everything the driver set up: device reset. */
void virtq_reset(struct virtqueue *vq);

/*
 * QueueReady = 1: check the size (a power of two, at most VIRTQ_MAX_SIZE)
 * and resolve the three rings in guest RAM once. 0, or -EINVAL (vq->error
 * set). @indirect: VIRTIO_F_INDIRECT_DESC was negotiated.
 */
int virtq_enable(struct virtqueue *vq, const struct guest_mem *mem, bool indirect);

/*
 * Take the next available chain: 1 with @chain filled, 0 if the driver
 * has made none available, -EINVAL if the guest broke the rules.
 */
int virtq_pop(struct virtqueue *vq, struct virtq_chain *chain);

/* Return @chain to the driver, @written bytes put into its writable part. */
void virtq_push(struct virtqueue *vq, const struct virtq_chain *chain,
		uint32_t written);

/*
 * After a batch of virtq_push(): true if the driver wants an interrupt
 * for it (it may have suppressed them with VRING_AVAIL_F_NO_INTERRUPT).
 */
bool virtq_should_interrupt(struct virtqueue *vq);

/* Devices' own rule checks: record @why and return -EINVAL. */
int virtq_fail(struct virtqueue *vq, const char *why);

/* Copy between a flat buffer and the bytes of @iov from @offset on. */
size_t iov_to_buf(const struct iovec *iov, unsigned int nr, size_t offset,
		  void *buf, size_t len);
size_t iov_from_buf(const struct iovec *iov, unsigned int nr, size_t offset,
		    const void *buf, size_t len);

/*
 * The iovecs covering bytes [@offset, @offset + @len) of @iov into @out
 * (room for @nr entries). Returns how many; fewer bytes if @iov is shorter.
 */
unsigned int iov_slice(const struct iovec *iov, unsigned int nr, size_t offset,
		       size_t len, struct iovec *out);

#endif
