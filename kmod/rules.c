// SPDX-License-Identifier: GPL-2.0
/*
 * A VM's rules: which guest accesses the kernel finishes, and how.
 *
 * Running vCPUs look rules up on every exit, without a lock: the table is
 * read under RCU and never changed in place. An update (under rules_lock)
 * builds a new table, publishes it with rcu_assign_pointer() and frees the
 * old one, and any removed rule, after a grace period. A vCPU thus sees
 * either the old or the new table, whole.
 *
 * The table is an array of slots sorted by (key, start, datamatch), key
 * being the space and the direction: a rule that matches reads and writes
 * has two slots. Within one key, slots overlap only as datamatch siblings
 * (identical ranges), so the slot for an address is found by binary search.
 */
#include <linux/eventfd.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "rules.h"

struct mshv_fp_krule {
	struct mshv_fp_rule rule;	/* as userspace gave it, id set */
	struct eventfd_ctx *eventfd;	/* DOORBELL */
	struct rcu_head rcu;
};

static struct kmem_cache *mshv_fp_rule_cache;

#define PIO_SPACE_END		0x10000ULL
#define MMIO_SPACE_END		(1ULL << 52)	/* x86-64 physical address limit */
#define MAX_MMIO_RULE_LEN	SZ_1G

static bool rule_is_datamatch(const struct mshv_fp_rule *rule)
{
	return rule->flags & MSHV_FP_RULE_DATAMATCH;
}

static int rule_check(const struct mshv_fp_rule *r)
{
	u8 all_sizes = MSHV_FP_SIZE_1 | MSHV_FP_SIZE_2 | MSHV_FP_SIZE_4 | MSHV_FP_SIZE_8;
	u8 rw = MSHV_FP_ACCESS_READ | MSHV_FP_ACCESS_WRITE;
	int i;

	if (r->id || r->flags & ~MSHV_FP_RULE_DATAMATCH)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(r->reserved); i++)
		if (r->reserved[i])
			return -EINVAL;
	if (r->space != MSHV_FP_SPACE_PIO && r->space != MSHV_FP_SPACE_MMIO)
		return -EINVAL;
	if (!r->access || r->access & ~rw || r->sizes & ~all_sizes)
		return -EINVAL;
	if (r->space == MSHV_FP_SPACE_PIO && r->sizes & MSHV_FP_SIZE_8)
		return -EINVAL;		/* port I/O is at most 4 bytes */

	if (!r->len || r->addr + r->len < r->addr)
		return -EINVAL;
	if (r->space == MSHV_FP_SPACE_PIO && r->addr + r->len > PIO_SPACE_END)
		return -EINVAL;
	if (r->space == MSHV_FP_SPACE_MMIO &&
	    (r->len > MAX_MMIO_RULE_LEN || r->addr + r->len > MMIO_SPACE_END))
		return -EINVAL;

	switch (r->action) {
	case MSHV_FP_ACTION_DOORBELL:
	case MSHV_FP_ACTION_COALESCE:
		if (r->access != MSHV_FP_ACCESS_WRITE)
			return -EINVAL;
		break;
	case MSHV_FP_ACTION_FIXED_READ:
		if (r->access != MSHV_FP_ACCESS_READ)
			return -EINVAL;
		break;
	case MSHV_FP_ACTION_COUNT:
		break;
	default:
		return -EINVAL;
	}
	if (rule_is_datamatch(r) && r->access != MSHV_FP_ACCESS_WRITE)
		return -EINVAL;
	return 0;
}

/* May @a and @b share (part of) a range? Only as datamatch siblings. */
static bool rules_conflict(const struct mshv_fp_rule *a, const struct mshv_fp_rule *b)
{
	if (a->space != b->space || !(a->access & b->access))
		return false;
	if (a->addr >= b->addr + b->len || b->addr >= a->addr + a->len)
		return false;
	return !(rule_is_datamatch(a) && rule_is_datamatch(b) &&
		 a->addr == b->addr && a->len == b->len &&
		 a->datamatch != b->datamatch);
}

static int slot_cmp(const void *pa, const void *pb)
{
	const struct mshv_fp_rule_slot *a = pa, *b = pb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->datamatch != b->datamatch)
		return a->datamatch < b->datamatch ? -1 : 1;
	return 0;
}

static struct mshv_fp_rule_table *table_alloc(unsigned int nr_slots)
{
	struct mshv_fp_rule_table *table;

	table = kzalloc(struct_size(table, slots, nr_slots), GFP_KERNEL_ACCOUNT);
	if (table)
		table->nr_slots = nr_slots;
	return table;
}

static void add_slots(struct mshv_fp_rule_table *table, unsigned int *n,
		      struct mshv_fp_krule *krule)
{
	const struct mshv_fp_rule *r = &krule->rule;
	bool owner = true;
	int write;

	for (write = 0; write <= 1; write++) {
		u8 access = write ? MSHV_FP_ACCESS_WRITE : MSHV_FP_ACCESS_READ;

		if (!(r->access & access))
			continue;
		table->slots[(*n)++] = (struct mshv_fp_rule_slot) {
			.start = r->addr,
			.end = r->addr + r->len,
			.datamatch = r->datamatch,
			.value = r->value,
			.eventfd = krule->eventfd,
			.id = r->id,
			.key = slot_key(r->space, write),
			.action = r->action,
			.sizes = r->sizes,
			.datamatch_only = rule_is_datamatch(r),
			.owner = owner,
			.krule = krule,
		};
		owner = false;
	}
}

static unsigned int slots_of(const struct mshv_fp_rule *r)
{
	return hweight8(r->access);
}

static void krule_free(struct mshv_fp_krule *krule)
{
	if (krule->eventfd)
		eventfd_ctx_put(krule->eventfd);
	kmem_cache_free(mshv_fp_rule_cache, krule);
}

static void krule_free_rcu(struct rcu_head *rcu)
{
	krule_free(container_of(rcu, struct mshv_fp_krule, rcu));
}

/* Publish @new (under rules_lock) and free the old table after readers. */
static void table_replace(struct mshv_fp_vm *vm, struct mshv_fp_rule_table *new)
{
	struct mshv_fp_rule_table *old;

	old = rcu_replace_pointer(vm->rules, new, lockdep_is_held(&vm->rules_lock));
	if (old)
		kfree_rcu(old, rcu);
}

int mshv_fp_rules_add(struct mshv_fp_vm *vm, struct mshv_fp_rule *rule)
{
	struct mshv_fp_rule_table *old, *new;
	struct mshv_fp_krule *krule;
	unsigned int i, n = 0, nr_old_slots = 0;
	int ret;

	ret = rule_check(rule);
	if (ret)
		return ret;

	krule = kmem_cache_zalloc(mshv_fp_rule_cache, GFP_KERNEL_ACCOUNT);
	if (!krule)
		return -ENOMEM;
	if (rule->action == MSHV_FP_ACTION_DOORBELL) {
		krule->eventfd = eventfd_ctx_fdget(rule->eventfd);
		if (IS_ERR(krule->eventfd)) {
			ret = PTR_ERR(krule->eventfd);
			krule->eventfd = NULL;
			goto err_free;
		}
	}

	mutex_lock(&vm->rules_lock);
	old = rcu_dereference_protected(vm->rules, lockdep_is_held(&vm->rules_lock));
	if (old) {
		ret = -ENOSPC;
		if (old->nr_rules >= MSHV_FP_MAX_RULES)
			goto err_unlock;
		ret = -EEXIST;
		for (i = 0; i < old->nr_slots; i++)
			if (rules_conflict(&old->slots[i].krule->rule, rule))
				goto err_unlock;
		nr_old_slots = old->nr_slots;
	}
	ret = -ENOMEM;
	new = table_alloc(nr_old_slots + slots_of(rule));
	if (!new)
		goto err_unlock;
	if (old) {
		memcpy(new->slots, old->slots, nr_old_slots * sizeof(old->slots[0]));
		new->nr_rules = old->nr_rules;
	}
	n = nr_old_slots;
	rule->id = vm->next_rule_id++;
	krule->rule = *rule;
	add_slots(new, &n, krule);
	new->nr_rules++;
	sort(new->slots, new->nr_slots, sizeof(new->slots[0]), slot_cmp, NULL);
	table_replace(vm, new);
	mutex_unlock(&vm->rules_lock);
	return 0;

err_unlock:
	mutex_unlock(&vm->rules_lock);
err_free:
	krule_free(krule);
	return ret;
}

int mshv_fp_rules_remove(struct mshv_fp_vm *vm, u32 id)
{
	struct mshv_fp_rule_table *old, *new;
	struct mshv_fp_krule *krule = NULL;
	unsigned int i, n = 0;

	mutex_lock(&vm->rules_lock);
	old = rcu_dereference_protected(vm->rules, lockdep_is_held(&vm->rules_lock));
	for (i = 0; old && i < old->nr_slots; i++)
		if (old->slots[i].id == id)
			krule = old->slots[i].krule;
	if (!krule) {
		mutex_unlock(&vm->rules_lock);
		return -ENOENT;
	}

	new = table_alloc(old->nr_slots - slots_of(&krule->rule));
	if (!new) {
		mutex_unlock(&vm->rules_lock);
		return -ENOMEM;
	}
	for (i = 0; i < old->nr_slots; i++)
		if (old->slots[i].krule != krule)
			new->slots[n++] = old->slots[i];
	new->nr_rules = old->nr_rules - 1;
	table_replace(vm, new);
	mutex_unlock(&vm->rules_lock);

	/* vCPUs may still be using it: free it after they are done. */
	call_rcu(&krule->rcu, krule_free_rcu);
	return 0;
}

/* The VM is being freed: no vCPU can be reading the table. */
void mshv_fp_rules_free(struct mshv_fp_vm *vm)
{
	struct mshv_fp_rule_table *table = rcu_dereference_protected(vm->rules, 1);
	unsigned int i;

	if (!table)
		return;
	for (i = 0; i < table->nr_slots; i++)
		if (table->slots[i].owner)
			krule_free(table->slots[i].krule);
	kfree(table);
}

int mshv_fp_rules_cache_init(void)
{
	mshv_fp_rule_cache = KMEM_CACHE(mshv_fp_krule, SLAB_ACCOUNT);
	return mshv_fp_rule_cache ? 0 : -ENOMEM;
}

void mshv_fp_rules_cache_exit(void)
{
	kmem_cache_destroy(mshv_fp_rule_cache);
}
