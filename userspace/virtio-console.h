/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-console with one port (no MULTIPORT): the guest's hvc0. What the
 * guest sends goes to an output fd; host input is buffered (bounded) until
 * the guest has receive buffers posted.
 */
#ifndef MSHV_VMM_VIRTIO_CONSOLE_H
#define MSHV_VMM_VIRTIO_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "irq.h"

struct vm;
struct virtio_console;

/* Input held for a guest that is not reading: more is dropped. */
#define VIRTIO_CONSOLE_INPUT_MAX	4096

/* Register the device at @base; guest output is written to @out_fd. */
struct virtio_console *virtio_console_create(struct vm *vm, uint64_t base,
					     struct irq_line *irq, int out_fd,
					     char *err, size_t errlen);
/* See virtio_mmio_destroy() for when. */
void virtio_console_destroy(struct virtio_console *c);

/* Host input for the guest. Any thread. */
void virtio_console_receive(struct virtio_console *c, const uint8_t *buf,
			    size_t len);

#endif
