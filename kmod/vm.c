// SPDX-License-Identifier: GPL-2.0
/*
 * A VM's fast-path state: its ioctls, its coalesced-write ring and its
 * statistics.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/uaccess.h>

#include "mshv_fastpath.h"

static_assert(sizeof(struct mshv_fp_ring_entry) == 32);
static_assert(MSHV_FP_RING_SIZE == PAGE_SIZE);

#define MSHV_FP_RING_ENTRIES \
	((MSHV_FP_RING_SIZE - sizeof(struct mshv_fp_ring)) / \
	 sizeof(struct mshv_fp_ring_entry))

int mshv_fp_vm_init(struct mshv_fp_vm *vm)
{
	mutex_init(&vm->rules_lock);
	spin_lock_init(&vm->ring_lock);
	vm->next_rule_id = 1;
	vm->ring = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vm->ring)
		return -ENOMEM;
	vm->ring->nr_entries = MSHV_FP_RING_ENTRIES;
	return 0;
}

/* The last reference is gone: no vCPU runs, no mapping of the ring is left. */
void mshv_fp_vm_destroy(struct mshv_fp_vm *vm)
{
	mshv_fp_rules_free(vm);
	free_page((unsigned long)vm->ring);
}

/*
 * Producer side of the ring, shared by the VM's running vCPUs. Userspace
 * owns ring->first and may write anything there: it is read once and
 * checked. The kernel's own index is vm->ring_last; ring->last is only a
 * copy published to userspace, after the entry (smp_wmb pairs with the
 * consumer's read barrier between reading last and reading entries).
 */
bool mshv_fp_ring_push(struct mshv_fp_vm *vm, const struct mshv_fp_access *access,
		       u32 vcpu_id, u32 rule_id)
{
	struct mshv_fp_ring *ring = vm->ring;
	struct mshv_fp_ring_entry *entry;
	u32 first, next;
	bool pushed = false;

	spin_lock(&vm->ring_lock);
	first = READ_ONCE(ring->first);
	next = (vm->ring_last + 1) % MSHV_FP_RING_ENTRIES;
	if (first < MSHV_FP_RING_ENTRIES && next != first) {
		entry = &ring->entries[vm->ring_last];
		entry->addr = access->addr;
		entry->len = access->size;
		entry->space = access->space;
		memset(entry->reserved, 0, sizeof(entry->reserved));
		entry->data = access->data;
		entry->vcpu_id = vcpu_id;
		entry->rule_id = rule_id;
		smp_wmb();	/* the entry, then the index that publishes it */
		vm->ring_last = next;
		WRITE_ONCE(ring->last, next);
		pushed = true;
	}
	spin_unlock(&vm->ring_lock);
	return pushed;
}

static vm_fault_t mshv_fp_ring_fault(struct vm_fault *vmf)
{
	struct mshv_fp_vm *vm = vmf->vma->vm_file->private_data;

	if (vmf->pgoff != 0)
		return VM_FAULT_SIGBUS;
	vmf->page = virt_to_page(vm->ring);
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct mshv_fp_ring_vm_ops = {
	.fault = mshv_fp_ring_fault,
};

/* The mapping holds a reference on the file, hence on the VM and its ring. */
int mshv_fp_vm_mmap(struct mshv_fp_vm *vm, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff != 0 || vma_pages(vma) != 1)
		return -EINVAL;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vma->vm_ops = &mshv_fp_ring_vm_ops;
	return 0;
}

void mshv_fp_stats_add(struct mshv_fp_stats *sum, const struct mshv_fp_stats *s)
{
	int i;

	sum->runs += s->runs;
	sum->exits += s->exits;
	for (i = 0; i < MSHV_FP_NR_ACTIONS; i++)
		sum->handled[i] += s->handled[i];
	sum->forwarded += s->forwarded;
	sum->ring_full += s->ring_full;
	sum->run_ns += s->run_ns;
	sum->hv_ns += s->hv_ns;
}

/*
 * Running vCPUs update their counters without a lock shared with this
 * reader: each u64 is read whole, but a total may be a few exits behind.
 */
void mshv_fp_vm_stats_locked(struct mshv_fp_vm *vm, struct mshv_fp_stats *sum,
			     unsigned int *nr_vcpus)
{
	struct mshv_fp_vcpu *vcpu;

	lockdep_assert_held(&mshv_fp_lock);
	*sum = vm->detached_stats;
	*nr_vcpus = 0;
	list_for_each_entry(vcpu, &mshv_fp_vcpus, node) {
		if (vcpu->vm != vm)
			continue;
		mshv_fp_stats_add(sum, &vcpu->stats);
		(*nr_vcpus)++;
	}
}

static long mshv_fp_vm_get_stats(struct mshv_fp_vm *vm, void __user *argp)
{
	struct mshv_fp_stats stats;
	unsigned int nr_vcpus;

	mutex_lock(&mshv_fp_lock);
	mshv_fp_vm_stats_locked(vm, &stats, &nr_vcpus);
	mutex_unlock(&mshv_fp_lock);
	if (copy_to_user(argp, &stats, sizeof(stats)))
		return -EFAULT;
	return 0;
}

static long mshv_fp_vm_add_rule(struct mshv_fp_vm *vm, void __user *argp)
{
	struct mshv_fp_rule rule;
	int ret;

	if (copy_from_user(&rule, argp, sizeof(rule)))
		return -EFAULT;
	ret = mshv_fp_rules_add(vm, &rule);
	if (ret)
		return ret;
	if (put_user(rule.id, (__u32 __user *)argp)) {
		mshv_fp_rules_remove(vm, rule.id);
		return -EFAULT;
	}
	return 0;
}

static long mshv_fp_vm_attach(struct mshv_fp_vm *vm, void __user *argp)
{
	struct mshv_fp_attach attach;

	if (copy_from_user(&attach, argp, sizeof(attach)))
		return -EFAULT;
	return mshv_fp_vcpu_attach(vm, &attach);
}

long mshv_fp_vm_ioctl(struct mshv_fp_vm *vm, unsigned int cmd, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case MSHV_FP_ATTACH_VCPU:
		return mshv_fp_vm_attach(vm, argp);
	case MSHV_FP_ADD_RULE:
		return mshv_fp_vm_add_rule(vm, argp);
	case MSHV_FP_REMOVE_RULE:
		if (arg > U32_MAX)
			return -ENOENT;
		return mshv_fp_rules_remove(vm, arg);
	case MSHV_FP_GET_STATS:
		return mshv_fp_vm_get_stats(vm, argp);
	default:
		return -ENOTTY;
	}
}
