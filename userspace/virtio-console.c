// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-console (VIRTIO 1.2 5.3) with a single port and no feature bits:
 * receiveq 0 carries host input to the guest, transmitq 1 its output.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_ids.h>

#include "console-output.h"
#include "virtio-console.h"
#include "virtio-mmio.h"

#define CONSOLE_RX_QUEUE	0
#define CONSOLE_TX_QUEUE	1

struct virtio_console {
	struct virtio_mmio_dev *mmio;
	struct console_output out;
	struct virtq_chain chain;	/* under the device lock */

	/* Taken inside the device lock, never around it. */
	pthread_mutex_t input_lock;
	size_t input_len;
	uint8_t input[VIRTIO_CONSOLE_INPUT_MAX];
};

static int console_tx(struct virtio_console *c, struct virtqueue *vq)
{
	int ret;

	while ((ret = virtq_pop(vq, &c->chain)) > 0) {
		for (unsigned int i = 0; i < c->chain.nr_out; i++)
			console_output_write(&c->out, c->chain.iov[i].iov_base,
					     c->chain.iov[i].iov_len);
		virtq_push(vq, &c->chain, 0);
	}
	return ret;
}

static int console_rx(struct virtio_console *c, struct virtqueue *vq)
{
	int ret = 0;

	pthread_mutex_lock(&c->input_lock);
	while (c->input_len && (ret = virtq_pop(vq, &c->chain)) > 0) {
		size_t n;

		if (!c->chain.nr_in) {
			ret = virtq_fail(vq, "virtio-console receive buffer not writable");
			break;
		}
		n = iov_from_buf(virtq_chain_in(&c->chain), c->chain.nr_in, 0,
				 c->input, c->input_len);
		memmove(c->input, c->input + n, c->input_len - n);
		c->input_len -= n;
		virtq_push(vq, &c->chain, n);
	}
	pthread_mutex_unlock(&c->input_lock);
	return ret < 0 ? ret : 0;
}

static int console_queue_notify(void *dev, unsigned int index, struct virtqueue *vq)
{
	struct virtio_console *c = dev;

	return index == CONSOLE_TX_QUEUE ? console_tx(c, vq) : console_rx(c, vq);
}

static const struct virtio_device_ops console_ops = {
	.device_id = VIRTIO_ID_CONSOLE,
	.nr_queues = 2,
	.queue_notify = console_queue_notify,
};

void virtio_console_receive(struct virtio_console *c, const uint8_t *buf,
			    size_t len)
{
	size_t room;

	pthread_mutex_lock(&c->input_lock);
	/* Bounded, like a UART's FIFO: a guest that does not read loses the rest. */
	room = sizeof(c->input) - c->input_len;
	if (len > room)
		len = room;
	memcpy(c->input + c->input_len, buf, len);
	c->input_len += len;
	pthread_mutex_unlock(&c->input_lock);
	virtio_mmio_kick_queue(c->mmio, CONSOLE_RX_QUEUE);
}

struct virtio_console *virtio_console_create(struct vm *vm, uint64_t base,
					     struct irq_line *irq, int out_fd,
					     char *err, size_t errlen)
{
	struct virtio_console *c = calloc(1, sizeof(*c));

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	console_output_init(&c->out, vm, out_fd, "virtio-console");
	pthread_mutex_init(&c->input_lock, NULL);
	c->mmio = virtio_mmio_create(vm, base, irq, &console_ops, 0, c,
				     "virtio-console", err, errlen);
	if (!c->mmio) {
		pthread_mutex_destroy(&c->input_lock);
		console_output_destroy(&c->out);
		free(c);
		return NULL;
	}
	return c;
}

void virtio_console_destroy(struct virtio_console *c)
{
	if (!c)
		return;
	virtio_mmio_destroy(c->mmio);
	pthread_mutex_destroy(&c->input_lock);
	console_output_destroy(&c->out);
	free(c);
}
