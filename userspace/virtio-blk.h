/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-blk on a raw image file or block device: read, write, flush and
 * get-id requests on one queue. The image is locked (flock) so that two
 * VMs cannot write it at once.
 */
#ifndef MSHV_VMM_VIRTIO_BLK_H
#define MSHV_VMM_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "irq.h"

struct vm;
struct virtio_blk;

/*
 * Open @path and register the device at @base, named "virtio-blk<index>".
 * NULL with a message in @err if the image cannot be used (missing, not a
 * regular file or block device, empty, locked by another VM).
 */
struct virtio_blk *virtio_blk_create(struct vm *vm, uint64_t base,
				     struct irq_line *irq, const char *path,
				     bool read_only, unsigned int index,
				     char *err, size_t errlen);
/* See virtio_mmio_destroy() for when. */
void virtio_blk_destroy(struct virtio_blk *blk);

#endif
