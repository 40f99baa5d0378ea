// SPDX-License-Identifier: GPL-2.0
/*
 * Port 0x80: the POST-code / I/O delay port. Writes are dropped (by the
 * "port 0x80 delay" discard rule where it can be placed, here otherwise)
 * and reads see an empty bus.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "port80.h"
#include "rules.h"
#include "vmm.h"

#define PORT80			0x80

struct port80 {
	struct rule rule;
};

static void port80_io(void *opaque, uint64_t offset, uint8_t *data,
		      unsigned int len, bool is_write)
{
	(void)opaque;
	(void)offset;
	if (!is_write)
		memset(data, 0xff, len);
}

int port80_create(struct vm *vm)
{
	struct port80 *p = calloc(1, sizeof(*p));
	int err;

	if (!p)
		return -ENOMEM;
	p->rule = (struct rule) {
		.name = "port 0x80 delay",
		.kind = RULE_DISCARD,
		.space = BUS_PIO,
		.addr = PORT80,
		.len = 1,
		.eventfd = -1,
	};
	err = bus_register(&vm->bus, BUS_PIO, PORT80, 1, port80_io, p, "port 0x80");
	if (err) {
		free(p);
		return err;
	}
	/* On failure the bus keeps it, and port80_destroy() finds it there. */
	return rules_add(&vm->rules, &p->rule);
}

void port80_destroy(struct vm *vm)
{
	const struct bus_range *r = bus_find(&vm->bus, BUS_PIO, PORT80, 1);

	if (r && r->handler == port80_io)
		free(r->opaque);
}
