// SPDX-License-Identifier: GPL-2.0
/* Port I/O and MMIO dispatch: a short array per space, filled before the vCPUs run. */
#include <errno.h>
#include <string.h>

#include "bus.h"

static bool overlaps(const struct bus_range *r, uint64_t base, uint64_t len)
{
	return base < r->base + r->len && r->base < base + len;
}

int bus_register(struct bus *bus, enum bus_space space, uint64_t base,
		 uint64_t len, bus_handler handler, void *opaque,
		 const char *name)
{
	struct bus_range *r;

	if (space >= BUS_NR_SPACES || !len || base + len < base || !handler)
		return -EINVAL;
	if (bus->nr[space] >= BUS_MAX_RANGES)
		return -ENOSPC;
	for (unsigned int i = 0; i < bus->nr[space]; i++)
		if (overlaps(&bus->ranges[space][i], base, len))
			return -EEXIST;
	r = &bus->ranges[space][bus->nr[space]++];
	*r = (struct bus_range){ base, len, handler, opaque, name };
	return 0;
}

const struct bus_range *bus_find(const struct bus *bus, enum bus_space space,
				 uint64_t addr, unsigned int len)
{
	if (space >= BUS_NR_SPACES)
		return NULL;
	for (unsigned int i = 0; i < bus->nr[space]; i++) {
		const struct bus_range *r = &bus->ranges[space][i];

		if (addr >= r->base && addr - r->base < r->len &&
		    len <= r->len - (addr - r->base))
			return r;
	}
	return NULL;
}

bool bus_access(struct bus *bus, enum bus_space space, uint64_t addr,
		uint8_t *data, unsigned int len, bool is_write)
{
	const struct bus_range *r = bus_find(bus, space, addr, len);

	if (!r) {
		if (space < BUS_NR_SPACES)
			__atomic_add_fetch(&bus->unclaimed[space], 1, __ATOMIC_RELAXED);
		if (!is_write)
			memset(data, 0xff, len);
		return false;
	}
	r->handler(r->opaque, addr - r->base, data, len, is_write);
	return true;
}
