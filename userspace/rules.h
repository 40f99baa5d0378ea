/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fast-path rules: each device describes its hot guest accesses once, as
 * rules; rules.c places each at the cheapest layer the running hypervisor
 * offers (its own in-kernel mechanism, else the mshv_fastpath module, else
 * userspace). A rule left in userspace changes nothing about how the
 * access is handled: it reaches the device's bus handler as any access
 * does. So a device must behave the same whichever layer its rules land on.
 */
#ifndef MSHV_VMM_RULES_H
#define MSHV_VMM_RULES_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "bus.h"

enum rule_kind {
	RULE_DOORBELL,		/* write: signal @eventfd (virtio notify) */
	RULE_COALESCE,		/* write: queue it, the device sees it later, in order */
	RULE_FIXED_READ,	/* read: answer @value while the rule is enabled */
	RULE_DISCARD,		/* write: drop it (port 0x80 I/O delay) */
	RULE_NR_KINDS,
};

enum rule_layer {
	RULE_IN_USERSPACE,	/* the VMM's exit handler */
	RULE_IN_MODULE,		/* mshv_fastpath's in-kernel run loop */
	RULE_IN_HYPERVISOR,	/* KVM ioeventfd / coalesced MMIO-PIO; mshv doorbell */
	RULE_NR_LAYERS,
};

struct rule {
	/* Described by the device. */
	const char *name;
	enum rule_kind kind;
	enum bus_space space;
	uint64_t addr;
	uint32_t len;
	bool has_datamatch;	/* DOORBELL: only writes of @datamatch */
	uint64_t datamatch;
	int eventfd;		/* DOORBELL */
	uint64_t value;		/* FIXED_READ */

	/* Kept by rules.c. */
	enum rule_layer layer;
	bool enabled;
	uint32_t module_id;
	uint64_t userspace_hits; /* matching exits that reached the VMM */
	struct rule *next;
};

/*
 * Where rules can go; filled by the VM from its backend and the module.
 * With no callbacks (unit tests, --no-fastpath) every rule stays in
 * userspace.
 */
struct rules_placer {
	/* Try to place @rule at @layer: 0, or -errno to try the next one. */
	int (*place)(void *ctx, struct rule *rule, enum rule_layer layer);
	void (*unplace)(void *ctx, struct rule *rule);
	/* Hand every coalesced write queued so far to the bus, in order. */
	void (*drain)(void *ctx);
	/* Drain promptly while @waiting (see rules_drain_waiting()). */
	void (*drain_waiting)(void *ctx, bool waiting);
	void *ctx;
};

struct rules {
	pthread_mutex_t lock;	/* the list, placement changes */
	struct rule *head;
	struct rules_placer placer;
	bool userspace_only;	/* --no-fastpath */
};

void rules_init(struct rules *rules);
void rules_destroy(struct rules *rules);

/*
 * Add a device's rule (storage owned by the device, alive as long as the
 * VM) and place it. A rule starts enabled. Returns 0 or -errno.
 */
int rules_add(struct rules *rules, struct rule *rule);

/*
 * Turn a FIXED_READ rule off while its answer would be wrong (e.g. UART
 * input pending) and on again after. Off, the read reaches the device.
 */
void rules_set_enabled(struct rules *rules, struct rule *rule, bool enabled);

/* Flush coalesced writes to their devices. Any thread. */
void rules_drain(struct rules *rules);

/*
 * A device says the guest now waits on it to see its coalesced writes
 * (the UART's THRE interrupt: the guest writes a FIFO's worth, then waits
 * for the interrupt we raise only once we have seen them). While any
 * device waits, coalesced writes are drained every millisecond; else only
 * at exits and on a slow tick.
 */
void rules_drain_waiting(struct rules *rules, bool waiting);

/* Count an exit that reached userspace against the rule it matches. */
void rules_count_userspace(struct rules *rules, enum bus_space space,
			   uint64_t addr, const uint8_t *data, unsigned int len,
			   bool is_write);

const char *rule_kind_name(enum rule_kind kind);
const char *rule_layer_name(enum rule_layer layer);

#endif
