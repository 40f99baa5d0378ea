// SPDX-License-Identifier: GPL-2.0
/* Guest RAM: one anonymous mapping, split around the 32-bit MMIO hole. */
#include <errno.h>
#include <sys/mman.h>

#include "mem.h"

#define HUGE_PAGE_SIZE	(2ULL << 20)

/*
 * Anonymous memory aligned to 2 MiB, so that transparent huge pages can
 * back it and the hypervisor can map the guest with 2 MiB pages too
 * (KVM needs the host and guest addresses congruent modulo 2 MiB).
 */
static void *map_aligned(uint64_t size)
{
	uint8_t *raw, *aligned;
	uint64_t slack = HUGE_PAGE_SIZE;

	/* MAP_NORESERVE: the guest touches what it uses; the rest stays unbacked. */
	raw = mmap(NULL, size + slack, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		return MAP_FAILED;
	aligned = (uint8_t *)(((uintptr_t)raw + slack - 1) & ~(uintptr_t)(slack - 1));
	if (aligned > raw)
		munmap(raw, aligned - raw);
	munmap(aligned + size, raw + slack - aligned);
	madvise(aligned, size, MADV_HUGEPAGE);
	return aligned;
}

int guest_mem_init(struct guest_mem *mem, uint64_t size)
{
	void *base;

	if (!size || size > (1ULL << 46) || size & 0xfff)
		return -EINVAL;
	base = map_aligned(size);
	if (base == MAP_FAILED)
		return -errno;
	mem->base = base;
	mem->size = size;
	mem->regions[0] = (struct guest_mem_region){
		.gpa = 0,
		.size = size < GUEST_MEM_LOW_LIMIT ? size : GUEST_MEM_LOW_LIMIT,
		.hva = base,
	};
	mem->nr_regions = 1;
	if (size > GUEST_MEM_LOW_LIMIT) {
		mem->regions[1] = (struct guest_mem_region){
			.gpa = GUEST_MEM_HIGH_BASE,
			.size = size - GUEST_MEM_LOW_LIMIT,
			.hva = mem->base + GUEST_MEM_LOW_LIMIT,
		};
		mem->nr_regions = 2;
	}
	return 0;
}

void guest_mem_free(struct guest_mem *mem)
{
	if (mem->base)
		munmap(mem->base, mem->size);
	mem->base = NULL;
	mem->size = 0;
	mem->nr_regions = 0;
}

void *guest_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	for (unsigned int i = 0; i < mem->nr_regions; i++) {
		const struct guest_mem_region *r = &mem->regions[i];

		/* Written so that no sum can overflow. */
		if (gpa >= r->gpa && gpa - r->gpa <= r->size &&
		    len <= r->size - (gpa - r->gpa))
			return r->hva + (gpa - r->gpa);
	}
	return NULL;
}
