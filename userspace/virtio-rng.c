// SPDX-License-Identifier: GPL-2.0
/* virtio-rng (VIRTIO 1.2 5.4): one request queue of device-writable buffers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

#include <linux/virtio_ids.h>

#include "virtio-mmio.h"
#include "virtio-rng.h"

struct virtio_rng {
	struct virtio_mmio_dev *mmio;
	struct virtq_chain chain;	/* under the device lock */
};

/* Random bytes into @buf: how many we got (fewer only on a host error). */
static size_t fill_random(uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = getrandom(buf + done, len - done, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += n;
	}
	return done;
}

static int rng_queue_notify(void *dev, unsigned int index, struct virtqueue *vq)
{
	struct virtio_rng *rng = dev;
	struct virtq_chain *c = &rng->chain;
	int ret;

	(void)index;	/* one queue */
	while ((ret = virtq_pop(vq, c)) > 0) {
		struct iovec *in = virtq_chain_in(c);
		size_t filled = 0;

		if (!c->nr_in)
			return virtq_fail(vq, "virtio-rng request without a writable buffer");
		for (unsigned int i = 0; i < c->nr_in && filled < VIRTIO_RNG_MAX_REQUEST; i++) {
			size_t want = in[i].iov_len;
			size_t got;

			if (want > VIRTIO_RNG_MAX_REQUEST - filled)
				want = VIRTIO_RNG_MAX_REQUEST - filled;
			got = fill_random(in[i].iov_base, want);
			filled += got;
			if (got < want)
				break;
		}
		virtq_push(vq, c, filled);
	}
	return ret;
}

static const struct virtio_device_ops rng_ops = {
	.device_id = VIRTIO_ID_RNG,
	.nr_queues = 1,
	.queue_notify = rng_queue_notify,
};

struct virtio_rng *virtio_rng_create(struct vm *vm, uint64_t base,
				     struct irq_line *irq, char *err,
				     size_t errlen)
{
	struct virtio_rng *rng = calloc(1, sizeof(*rng));

	if (!rng) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rng->mmio = virtio_mmio_create(vm, base, irq, &rng_ops, 0, rng, "virtio-rng",
				       err, errlen);
	if (!rng->mmio) {
		free(rng);
		return NULL;
	}
	return rng;
}

void virtio_rng_destroy(struct virtio_rng *rng)
{
	if (!rng)
		return;
	virtio_mmio_destroy(rng->mmio);
	free(rng);
}
