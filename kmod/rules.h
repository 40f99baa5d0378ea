/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rule table as running vCPUs read it: its layout and the lookup, inline
 * because they run on every exit. Updates are in rules.c.
 */
#ifndef _MSHV_FASTPATH_RULES_H
#define _MSHV_FASTPATH_RULES_H

#include <linux/eventfd.h>
#include <linux/log2.h>

#include "compat.h"
#include "mshv_fastpath.h"

struct mshv_fp_krule;

/*
 * A slot carries copies of what an exit needs of its rule, so that the
 * lookup touches the table alone.
 */
struct mshv_fp_rule_slot {
	u64 start;
	u64 end;			/* exclusive */
	u64 datamatch;
	u64 value;
	struct eventfd_ctx *eventfd;
	u32 id;
	u8 key;				/* space * 2 + write */
	u8 action;
	u8 sizes;
	bool datamatch_only;
	bool owner;			/* the rule's first slot: frees it */
	struct mshv_fp_krule *krule;
};

struct mshv_fp_rule_table {
	struct rcu_head rcu;
	unsigned int nr_rules;
	unsigned int nr_slots;
	struct mshv_fp_rule_slot slots[];
};

static inline u8 slot_key(u8 space, bool write)
{
	return space * 2 + write;
}

static inline u8 size_bit(u8 size)
{
	return 1 << ilog2(size);
}

/* The slot that covers @a, or NULL. Under rcu_read_lock(). */
static inline const struct mshv_fp_rule_slot *
mshv_fp_rules_lookup(const struct mshv_fp_rule_table *table, const struct mshv_fp_access *a)
{
	u8 key = slot_key(a->space, a->write);
	unsigned int lo = 0, hi = table->nr_slots, mid;
	const struct mshv_fp_rule_slot *slot;
	int i;

	/* lo = first slot after every (key, start <= addr) */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		slot = &table->slots[mid];
		if (slot->key < key || (slot->key == key && slot->start <= a->addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	/* The slot before, and its datamatch siblings (same start, same end). */
	for (i = (int)lo - 1; i >= 0; i--) {
		slot = &table->slots[i];
		if (slot->key != key || slot->start != table->slots[lo - 1].start)
			break;
		if (a->addr + a->size > slot->end)
			break;
		if (slot->sizes && !(slot->sizes & size_bit(a->size)))
			continue;
		if (slot->datamatch_only && a->data != slot->datamatch)
			continue;
		return slot;
	}
	return NULL;
}

/* Under rcu_read_lock(): the action for @access, or MSHV_FP_ACTION_FORWARDED. */
static inline u8 mshv_fp_rules_apply(struct mshv_fp_vcpu *vcpu,
				     const struct mshv_fp_access *access,
				     u64 *value, u32 *rule_id)
{
	const struct mshv_fp_rule_table *table = rcu_dereference(vcpu->vm->rules);
	const struct mshv_fp_rule_slot *slot;

	if (!table)
		return MSHV_FP_ACTION_FORWARDED;
	slot = mshv_fp_rules_lookup(table, access);
	if (!slot)
		return MSHV_FP_ACTION_FORWARDED;
	*rule_id = slot->id;

	switch (slot->action) {
	case MSHV_FP_ACTION_DOORBELL:
		mshv_fp_eventfd_signal(slot->eventfd);
		break;
	case MSHV_FP_ACTION_COALESCE:
		if (!mshv_fp_ring_push(vcpu->vm, access, vcpu->id, slot->id)) {
			vcpu->stats.ring_full++;
			return MSHV_FP_ACTION_FORWARDED;
		}
		break;
	case MSHV_FP_ACTION_FIXED_READ:
	case MSHV_FP_ACTION_COUNT:
		*value = slot->value;
		break;
	}
	return slot->action;
}

#endif /* _MSHV_FASTPATH_RULES_H */
