/* SPDX-License-Identifier: GPL-2.0 */
/* virtio-rng: the guest's hwrng, fed from getrandom(2). */
#ifndef MSHV_VMM_VIRTIO_RNG_H
#define MSHV_VMM_VIRTIO_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "irq.h"

struct vm;
struct virtio_rng;

/* At most this many random bytes per request (Linux asks for 64). */
#define VIRTIO_RNG_MAX_REQUEST	4096

struct virtio_rng *virtio_rng_create(struct vm *vm, uint64_t base,
				     struct irq_line *irq, char *err,
				     size_t errlen);
/* See virtio_mmio_destroy() for when. */
void virtio_rng_destroy(struct virtio_rng *rng);

#endif
