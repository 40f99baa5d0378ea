/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Port I/O and MMIO dispatch to device models. Devices register their
 * ranges before the vCPUs start; lookups afterwards take no lock. Each
 * device serialises its own state with its own lock.
 */
#ifndef MSHV_VMM_BUS_H
#define MSHV_VMM_BUS_H

#include <stdbool.h>
#include <stdint.h>

enum bus_space { BUS_PIO, BUS_MMIO, BUS_NR_SPACES };

/*
 * A device's handler: @offset is relative to the registered base, @data
 * holds @len (1, 2, 4 or 8) little-endian bytes: filled by the handler on
 * a read, given on a write.
 */
typedef void (*bus_handler)(void *opaque, uint64_t offset, uint8_t *data,
			    unsigned int len, bool is_write);

struct bus_range {
	uint64_t base;
	uint64_t len;
	bus_handler handler;
	void *opaque;
	const char *name;
};

#define BUS_MAX_RANGES	64

struct bus {
	unsigned int nr[BUS_NR_SPACES];
	struct bus_range ranges[BUS_NR_SPACES][BUS_MAX_RANGES];
	/* accesses no device claimed: reads return all-ones, writes dropped */
	uint64_t unclaimed[BUS_NR_SPACES];
};

/* Returns 0, or -EEXIST (overlap), -ENOSPC, -EINVAL. */
int bus_register(struct bus *bus, enum bus_space space, uint64_t base,
		 uint64_t len, bus_handler handler, void *opaque,
		 const char *name);

/* Dispatch one access. Returns false if no device claims it. */
bool bus_access(struct bus *bus, enum bus_space space, uint64_t addr,
		uint8_t *data, unsigned int len, bool is_write);

const struct bus_range *bus_find(const struct bus *bus, enum bus_space space,
				 uint64_t addr, unsigned int len);

#endif
