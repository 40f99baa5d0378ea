// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueues, device side. Nothing the guest wrote is trusted: ring
 * indexes, descriptor indexes, lengths and addresses are all checked, and
 * every guest-physical range goes through guest_ptr().
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "virtqueue.h"

void virtq_reset(struct virtqueue *vq)
{
	memset(vq, 0, sizeof(*vq));
}

int virtq_fail(struct virtqueue *vq, const char *why)
{
	vq->error = why;
	return -EINVAL;
}

int virtq_enable(struct virtqueue *vq, const struct guest_mem *mem, bool indirect)
{
	uint32_t n = vq->size;

	if (n == 0 || n > VIRTQ_MAX_SIZE || (n & (n - 1)))
		return virtq_fail(vq, "queue size is not a power of two up to QueueNumMax");
	if (vq->desc_gpa % VRING_DESC_ALIGN_SIZE ||
	    vq->avail_gpa % VRING_AVAIL_ALIGN_SIZE ||
	    vq->used_gpa % VRING_USED_ALIGN_SIZE)
		return virtq_fail(vq, "misaligned ring");
	/* Sizes as in the spec's table, event fields included. */
	vq->desc = guest_ptr(mem, vq->desc_gpa, sizeof(struct vring_desc) * n);
	vq->avail = guest_ptr(mem, vq->avail_gpa,
			      sizeof(struct vring_avail) + sizeof(uint16_t) * (n + 1));
	vq->used = guest_ptr(mem, vq->used_gpa,
			     sizeof(struct vring_used) + sizeof(struct vring_used_elem) * n +
			     sizeof(uint16_t));
	if (!vq->desc || !vq->avail || !vq->used)
		return virtq_fail(vq, "ring outside guest RAM");
	vq->mem = mem;
	vq->indirect = indirect;
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->pushed = false;
	vq->error = NULL;
	vq->ready = true;
	return 0;
}

/*
 * Copy descriptor @i of @table (which may be an unaligned indirect table)
 * exactly once: the guest can rewrite it while we look at our copy.
 */
static void read_desc(const uint8_t *table, uint32_t i, struct vring_desc *desc)
{
	memcpy(desc, table + (size_t)i * sizeof(*desc), sizeof(*desc));
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static int walk_chain(struct virtqueue *vq, uint16_t head,
		      struct virtq_chain *chain)
{
	const uint8_t *table = (const uint8_t *)vq->desc;
	uint32_t table_size = vq->size;
	uint32_t idx = head;
	bool in_indirect = false;
	unsigned int nr = 0;

	chain->head = head;
	chain->nr_out = chain->nr_in = 0;
	chain->out_len = chain->in_len = 0;
	for (;;) {
		struct vring_desc desc;
		uint16_t flags;
		uint32_t len;
		void *buf;

		if (idx >= table_size)
			return virtq_fail(vq, "descriptor index out of range");
		read_desc(table, idx, &desc);
		flags = le16toh(desc.flags);
		len = le32toh(desc.len);

		if (flags & VRING_DESC_F_INDIRECT) {
			if (!vq->indirect)
				return virtq_fail(vq, "indirect descriptor not negotiated");
			if (in_indirect)
				return virtq_fail(vq, "nested indirect table");
			if (flags & VRING_DESC_F_NEXT)
				return virtq_fail(vq, "indirect descriptor with NEXT");
			if (len == 0 || len % sizeof(desc) ||
			    len / sizeof(desc) > VIRTQ_MAX_SIZE)
				return virtq_fail(vq, "bad indirect table length");
			table = guest_ptr(vq->mem, le64toh(desc.addr), len);
			if (!table)
				return virtq_fail(vq, "indirect table outside guest RAM");
			table_size = len / sizeof(desc);
			in_indirect = true;
			idx = 0;
			continue;
		}

		/*
		 * Each buffer counts, so a looping chain ends here. Linux sizes
		 * indirect tables by seg_max, not by the ring it got: allow
		 * those up to our largest queue.
		 */
		if (nr == (in_indirect ? VIRTQ_MAX_SIZE : vq->size))
			return virtq_fail(vq, "descriptor chain longer than the queue");
		if (len == 0)
			return virtq_fail(vq, "zero-length buffer");
		buf = guest_ptr(vq->mem, le64toh(desc.addr), len);
		if (!buf)
			return virtq_fail(vq, "buffer outside guest RAM");
		chain->iov[nr].iov_base = buf;
		chain->iov[nr].iov_len = len;
		nr++;
		if (flags & VRING_DESC_F_WRITE) {
			chain->nr_in++;
			chain->in_len += len;
		} else {
			if (chain->nr_in)
				return virtq_fail(vq, "device-readable buffer after a writable one");
			chain->nr_out++;
			chain->out_len += len;
		}
		if (!(flags & VRING_DESC_F_NEXT))
			return 0;
		idx = le16toh(desc.next);
	}
}

int virtq_pop(struct virtqueue *vq, struct virtq_chain *chain)
{
	uint16_t avail_idx, head;
	int ret;

	if (!vq->ready)
		return 0;
	/* Acquire: the entries and descriptors it publishes are read after. */
	avail_idx = le16toh(__atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE));
	if (avail_idx == vq->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->size)
		return virtq_fail(vq, "available index moved more than a queue ahead");
	head = le16toh(__atomic_load_n(&vq->avail->ring[vq->last_avail & (vq->size - 1)],
				       __ATOMIC_RELAXED));
	if (head >= vq->size)
		return virtq_fail(vq, "available ring entry out of range");
	ret = walk_chain(vq, head, chain);
	if (ret)
		return ret;
	vq->last_avail++;
	return 1;
}

void virtq_push(struct virtqueue *vq, const struct virtq_chain *chain,
		uint32_t written)
{
	struct vring_used_elem *elem = &vq->used->ring[vq->used_idx & (vq->size - 1)];

	if (written > chain->in_len)
		written = chain->in_len;
	__atomic_store_n(&elem->id, htole32(chain->head), __ATOMIC_RELAXED);
	__atomic_store_n(&elem->len, htole32(written), __ATOMIC_RELAXED);
	vq->used_idx++;
	/* Release: the entry is visible before the index that publishes it. */
	__atomic_store_n(&vq->used->idx, htole16(vq->used_idx), __ATOMIC_RELEASE);
	vq->pushed = true;
}

bool virtq_should_interrupt(struct virtqueue *vq)
{
	uint16_t flags;

	if (!vq->pushed)
		return false;
	vq->pushed = false;
	/*
	 * Our used->idx store before the flags load: the driver clears
	 * NO_INTERRUPT and then re-reads used->idx, so one side sees the other.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	flags = le16toh(__atomic_load_n(&vq->avail->flags, __ATOMIC_RELAXED));
	return !(flags & VRING_AVAIL_F_NO_INTERRUPT);
}

/* Copy @len bytes between @buf and @iov from @offset on, either way. */
static size_t iov_copy(const struct iovec *iov, unsigned int nr, size_t offset,
		       uint8_t *buf, size_t len, bool into_iov)
{
	size_t done = 0;

	for (unsigned int i = 0; i < nr && done < len; i++) {
		uint8_t *piece;
		size_t n;

		if (offset >= iov[i].iov_len) {
			offset -= iov[i].iov_len;
			continue;
		}
		piece = (uint8_t *)iov[i].iov_base + offset;
		n = iov[i].iov_len - offset;
		if (n > len - done)
			n = len - done;
		if (into_iov)
			memcpy(piece, buf + done, n);
		else
			memcpy(buf + done, piece, n);
		done += n;
		offset = 0;
	}
	return done;
}

size_t iov_to_buf(const struct iovec *iov, unsigned int nr, size_t offset,
		  void *buf, size_t len)
{
	return iov_copy(iov, nr, offset, buf, len, false);
}

size_t iov_from_buf(const struct iovec *iov, unsigned int nr, size_t offset,
		    const void *buf, size_t len)
{
	/* Only read from: the cast is for sharing the walk with iov_to_buf(). */
	return iov_copy(iov, nr, offset, (uint8_t *)buf, len, true);
}

unsigned int iov_slice(const struct iovec *iov, unsigned int nr, size_t offset,
		       size_t len, struct iovec *out)
{
	unsigned int nr_out = 0;

	for (unsigned int i = 0; i < nr && len; i++) {
		size_t n;

		if (offset >= iov[i].iov_len) {
			offset -= iov[i].iov_len;
			continue;
		}
		n = iov[i].iov_len - offset;
		if (n > len)
			n = len;
		out[nr_out].iov_base = (uint8_t *)iov[i].iov_base + offset;
		out[nr_out].iov_len = n;
		nr_out++;
		len -= n;
		offset = 0;
	}
	return nr_out;
}
