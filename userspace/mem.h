/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest RAM. Every guest-physical address that comes from the guest goes
 * through guest_ptr(), which refuses ranges that are not wholly RAM.
 */
#ifndef MSHV_VMM_MEM_H
#define MSHV_VMM_MEM_H

#include <stddef.h>
#include <stdint.h>

/* The 32-bit hole: MMIO devices, IOAPIC, LAPIC live above this. */
#define GUEST_MEM_LOW_LIMIT	0xc0000000ULL
#define GUEST_MEM_HIGH_BASE	0x100000000ULL

struct guest_mem_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;
};

struct guest_mem {
	uint8_t *base;		/* one host mapping of all RAM */
	uint64_t size;		/* bytes of RAM */
	unsigned int nr_regions; /* 1, or 2 when RAM goes above 4 GiB */
	struct guest_mem_region regions[2];
};

/* Map @size bytes of anonymous memory as guest RAM. Returns 0 or -errno. */
int guest_mem_init(struct guest_mem *mem, uint64_t size);
void guest_mem_free(struct guest_mem *mem);

/*
 * Host pointer for [@gpa, @gpa + @len) if that range is wholly inside one
 * RAM region, else NULL. Overflow-safe: any @gpa and @len may come from
 * the guest.
 */
void *guest_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len);

#endif
