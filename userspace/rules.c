// SPDX-License-Identifier: GPL-2.0
/* Fast-path rules: placement at the cheapest layer, and their counters. */
#include <errno.h>

#include "rules.h"

void rules_init(struct rules *rules)
{
	pthread_mutex_init(&rules->lock, NULL);
	rules->head = NULL;
	rules->placer = (struct rules_placer){ 0 };
	rules->userspace_only = false;
}

void rules_destroy(struct rules *rules)
{
	pthread_mutex_lock(&rules->lock);
	for (struct rule *r = rules->head; r; r = r->next)
		if (r->layer != RULE_IN_USERSPACE && rules->placer.unplace)
			rules->placer.unplace(rules->placer.ctx, r);
	rules->head = NULL;
	pthread_mutex_unlock(&rules->lock);
	pthread_mutex_destroy(&rules->lock);
}

/* Cheapest first; userspace always works. */
static void place(struct rules *rules, struct rule *rule)
{
	static const enum rule_layer order[] = { RULE_IN_HYPERVISOR, RULE_IN_MODULE };

	rule->layer = RULE_IN_USERSPACE;
	if (rules->userspace_only || !rules->placer.place)
		return;
	for (unsigned int i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!rules->placer.place(rules->placer.ctx, rule, order[i])) {
			rule->layer = order[i];
			return;
		}
	}
}

int rules_add(struct rules *rules, struct rule *rule)
{
	if (rule->kind >= RULE_NR_KINDS || rule->space >= BUS_NR_SPACES ||
	    !rule->len || rule->addr + rule->len < rule->addr)
		return -EINVAL;
	pthread_mutex_lock(&rules->lock);
	rule->enabled = true;
	rule->userspace_hits = 0;
	place(rules, rule);
	/* Published last: rules_count_userspace() walks the list without the lock. */
	rule->next = rules->head;
	__atomic_store_n(&rules->head, rule, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&rules->lock);
	return 0;
}

void rules_set_enabled(struct rules *rules, struct rule *rule, bool enabled)
{
	pthread_mutex_lock(&rules->lock);
	if (rule->enabled != enabled) {
		rule->enabled = enabled;
		/*
		 * Off: the kernel must stop answering, so take the rule out of
		 * it; on: place it again (it may land elsewhere if the kernel
		 * refuses now, which is still correct, only slower).
		 */
		if (!enabled && rule->layer != RULE_IN_USERSPACE) {
			rules->placer.unplace(rules->placer.ctx, rule);
			rule->layer = RULE_IN_USERSPACE;
		} else if (enabled) {
			place(rules, rule);
		}
	}
	pthread_mutex_unlock(&rules->lock);
}

void rules_drain(struct rules *rules)
{
	if (rules->placer.drain)
		rules->placer.drain(rules->placer.ctx);
}

void rules_drain_waiting(struct rules *rules, bool waiting)
{
	if (rules->placer.drain_waiting)
		rules->placer.drain_waiting(rules->placer.ctx, waiting);
}

void rules_count_userspace(struct rules *rules, enum bus_space space,
			   uint64_t addr, const uint8_t *data, unsigned int len,
			   bool is_write)
{
	uint64_t value = 0;

	for (unsigned int i = 0; i < len && i < sizeof(value); i++)
		value |= (uint64_t)data[i] << (8 * i);
	struct rule *r = __atomic_load_n(&rules->head, __ATOMIC_ACQUIRE);

	for (; r; r = r->next) {
		bool reads = r->kind == RULE_FIXED_READ;

		if (r->space != space || reads == is_write ||
		    addr < r->addr || addr - r->addr >= r->len ||
		    (r->has_datamatch && r->datamatch != value))
			continue;
		__atomic_add_fetch(&r->userspace_hits, 1, __ATOMIC_RELAXED);
		return;
	}
}

const char *rule_kind_name(enum rule_kind kind)
{
	static const char *const names[RULE_NR_KINDS] = {
		[RULE_DOORBELL] = "doorbell",
		[RULE_COALESCE] = "coalesce",
		[RULE_FIXED_READ] = "fixed-read",
		[RULE_DISCARD] = "discard",
	};

	return kind < RULE_NR_KINDS ? names[kind] : "?";
}

const char *rule_layer_name(enum rule_layer layer)
{
	static const char *const names[RULE_NR_LAYERS] = {
		[RULE_IN_USERSPACE] = "userspace",
		[RULE_IN_MODULE] = "module",
		[RULE_IN_HYPERVISOR] = "hypervisor",
	};

	return layer < RULE_NR_LAYERS ? names[layer] : "?";
}
