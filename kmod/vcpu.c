// SPDX-License-Identifier: GPL-2.0
/*
 * Attached vCPUs and the run loop: the fast-path engine.
 *
 * MSHV_FP_RUN enters the guest through the hypervisor's own run ioctl (via
 * the adapter), from the caller's context, and loops in the kernel while
 * the exits match rules. It returns to userspace on an exit that no rule
 * finishes, or with the hypervisor's error (-EINTR for a signal or an
 * immediate-exit request): a guest that only makes handled exits is still
 * interruptible, and cond_resched() runs between exits.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/indirect_call_wrapper.h>
#include <linux/ktime.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "mshv_fastpath.h"
#include "rules.h"
#include "trace.h"

LIST_HEAD(mshv_fp_vcpus);
static struct kmem_cache *mshv_fp_vcpu_cache;

static const struct mshv_fp_adapter *const mshv_fp_adapters[] = {
	&mshv_fp_kvm_adapter,
	&mshv_fp_mshv_adapter,
};

/*
 * The adapters' hooks are called on every exit: with retpolines and return
 * thunks an indirect call is dear, so the known adapters are called directly.
 */
#define ADAPTER_CALL(vcpu, op, ...) \
	INDIRECT_CALL_2((vcpu)->adapter->op, kvm_fp_##op, mshv_vp_fp_##op, \
			vcpu, ##__VA_ARGS__)

/*
 * One exit: decode it, apply the matching rule, finish it. Returns true
 * when the exit is finished and the guest can be entered again.
 */
static bool mshv_fp_handle_exit(struct mshv_fp_vcpu *vcpu, struct mshv_fp_exit_seen *seen)
{
	u64 value = 0;

	memset(seen, 0, sizeof(*seen));
	seen->kind = MSHV_FP_EXIT_OTHER;
	seen->action = MSHV_FP_ACTION_FORWARDED;
	if (ADAPTER_CALL(vcpu, decode, &seen->access, &seen->reason)) {
		seen->kind = seen->access.space;
		rcu_read_lock();
		seen->action = mshv_fp_rules_apply(vcpu, &seen->access, &value,
						   &seen->rule_id);
		rcu_read_unlock();
		/* Outside RCU: an adapter's completion may sleep. */
		if (seen->action != MSHV_FP_ACTION_FORWARDED &&
		    ADAPTER_CALL(vcpu, complete, &seen->access, value))
			seen->action = MSHV_FP_ACTION_FORWARDED;
	}

	if (seen->action == MSHV_FP_ACTION_FORWARDED)
		vcpu->stats.forwarded++;
	else
		vcpu->stats.handled[seen->action]++;
	return seen->action != MSHV_FP_ACTION_FORWARDED;
}

/* How late exit_batch may trace an exit, if more exits follow it. */
#define MSHV_FP_TRACE_LAG_NS	(10 * NSEC_PER_MSEC)

static __always_inline bool mshv_fp_exit_traced(void)
{
	return trace_exit_enabled() || trace_exit_batch_enabled();
}

static void mshv_fp_trace_batch(struct mshv_fp_vcpu *vcpu)
{
	if (!vcpu->trace_batch.nr)
		return;
	trace_exit_batch(vcpu->id, vcpu->adapter->hypervisor,
			 vcpu->trace_batch.records, vcpu->trace_batch.nr);
	vcpu->trace_batch.nr = 0;
}

/* Add the exit to the vCPU's batch at @now; trace the batch when due. */
static void mshv_fp_batch_exit(struct mshv_fp_vcpu *vcpu,
			       const struct mshv_fp_exit_seen *seen, u64 ns,
			       u64 user_ns, u64 now)
{
	struct mshv_fp_exit_record *rec;

	if (!vcpu->trace_batch.nr)
		vcpu->trace_batch.first_ns = now;
	rec = &vcpu->trace_batch.records[vcpu->trace_batch.nr++];
	*rec = (struct mshv_fp_exit_record) {
		.addr = seen->access.addr,
		.ns = ns,
		.user_ns = user_ns,
		.reason = seen->reason,
		.rule_id = seen->rule_id,
		.kind = seen->kind,
		.size = seen->access.size,
		.write = seen->access.write,
		.action = seen->action,
	};
	if (vcpu->trace_batch.nr == MSHV_FP_EXIT_BATCH ||
	    now - vcpu->trace_batch.first_ns >= MSHV_FP_TRACE_LAG_NS)
		mshv_fp_trace_batch(vcpu);
}

/* Call when mshv_fp_exit_traced(): trace a finished exit at @now. */
static void mshv_fp_trace_exit(struct mshv_fp_vcpu *vcpu,
			       const struct mshv_fp_exit_seen *seen, u64 ns,
			       u64 user_ns, u64 now)
{
	trace_exit(vcpu->id, vcpu->adapter->hypervisor, seen->kind,
		   seen->access.size, seen->access.write, seen->reason,
		   seen->access.addr, seen->action, seen->rule_id, ns, user_ns);
	if (trace_exit_batch_enabled())
		mshv_fp_batch_exit(vcpu, seen, ns, user_ns, now);
}

/*
 * An exit is traced once it is finished, with what it cost: by the module,
 * just before the guest is entered again; by the VMM, when it runs the vCPU
 * again (with the round trip), or detaches it. One event per exit (and a
 * place in a batch), and its times come from the clock reads the loop
 * makes anyway (one before each entry, one after each exit, for hv_ns):
 * tracing adds none, which matters where a read is dear (HPET).
 */
static long mshv_fp_vcpu_run(struct mshv_fp_vcpu *vcpu)
{
	const struct mshv_fp_adapter *adapter = vcpu->adapter;
	u64 start, entered, exited = 0, returned, handled = 0;
	struct mshv_fp_exit_seen seen;
	bool untraced = false;	/* @seen is an exit not traced yet */
	long ret;

	/* The hypervisor serialises its vCPU too; this keeps our stats whole. */
	if (!mutex_trylock(&vcpu->run_lock))
		return -EBUSY;
	start = ktime_get_ns();
	/* A tracer detached since: its batch is no new tracer's. */
	if (!trace_exit_batch_enabled())
		vcpu->trace_batch.nr = 0;
	if (vcpu->forwarded_pending) {
		if (mshv_fp_exit_traced())
			mshv_fp_trace_exit(vcpu, &vcpu->forwarded, vcpu->forwarded_ns,
					   start - vcpu->returned_ns, start);
		vcpu->forwarded_pending = false;
	}
	trace_run_enter(vcpu->id, adapter->hypervisor,
			vcpu->returned_ns ? start - vcpu->returned_ns : 0);
	vcpu->stats.runs++;

	entered = start;
	for (;;) {
		ret = ADAPTER_CALL(vcpu, enter);
		exited = ktime_get_ns();
		vcpu->stats.hv_ns += exited - entered;
		if (ret)
			break;
		vcpu->stats.exits++;
		untraced = true;
		if (!mshv_fp_handle_exit(vcpu, &seen))
			break;
		handled++;
		/*
		 * The hypervisor checks for signals when entered again, but
		 * an adapter's may not do it before running the guest: check
		 * here too, so that no loop of handled exits is unbounded.
		 */
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
		entered = ktime_get_ns();
		if (mshv_fp_exit_traced())
			mshv_fp_trace_exit(vcpu, &seen, entered - exited, 0, entered);
		untraced = false;
	}
	if (ret == -EINTR && handled)
		adapter->mark_interrupted(vcpu);

	returned = ktime_get_ns();
	if (untraced && seen.action == MSHV_FP_ACTION_FORWARDED) {
		vcpu->forwarded = seen;
		vcpu->forwarded_ns = returned - exited;
		vcpu->forwarded_pending = true;
	} else if (untraced && mshv_fp_exit_traced()) {
		/* Finished in the kernel, then a signal. */
		mshv_fp_trace_exit(vcpu, &seen, returned - exited, 0, returned);
	}
	vcpu->stats.run_ns += returned - start;
	vcpu->returned_ns = returned;
	trace_run_exit(vcpu->id, adapter->hypervisor, ret, handled);
	mutex_unlock(&vcpu->run_lock);
	return ret;
}

static long mshv_fp_vcpu_get_stats(struct mshv_fp_vcpu *vcpu, void __user *argp)
{
	struct mshv_fp_stats stats;

	/* Whole u64s; a run in progress may add to them meanwhile. */
	stats = vcpu->stats;
	if (copy_to_user(argp, &stats, sizeof(stats)))
		return -EFAULT;
	return 0;
}

static long mshv_fp_vcpu_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	struct mshv_fp_vcpu *vcpu = file->private_data;

	switch (cmd) {
	case MSHV_FP_RUN:
		if (arg)
			return -EINVAL;
		return mshv_fp_vcpu_run(vcpu);
	case MSHV_FP_GET_STATS:
		return mshv_fp_vcpu_get_stats(vcpu, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

/* Undo the adapter's attach: before the file that keeps its vCPU alive goes. */
static void mshv_fp_vcpu_detach(struct mshv_fp_vcpu *vcpu)
{
	if (vcpu->adapter->detach)
		vcpu->adapter->detach(vcpu);
}

static void mshv_fp_vcpu_free(struct mshv_fp_vcpu *vcpu)
{
	mshv_fp_vcpu_detach(vcpu);
	fput(vcpu->hv_file);
	mshv_fp_vm_put(vcpu->vm);
	kmem_cache_free(mshv_fp_vcpu_cache, vcpu);
}

/* Detach: the last reference to the vCPU fd is gone, so no run is in progress. */
static int mshv_fp_vcpu_release(struct inode *inode, struct file *file)
{
	struct mshv_fp_vcpu *vcpu = file->private_data;

	/* A forwarded exit the VMM never ran the vCPU after: no round trip. */
	if (vcpu->forwarded_pending && mshv_fp_exit_traced())
		mshv_fp_trace_exit(vcpu, &vcpu->forwarded, vcpu->forwarded_ns, 0,
				   ktime_get_ns());
	mshv_fp_trace_batch(vcpu);
	mutex_lock(&mshv_fp_lock);
	list_del(&vcpu->node);
	mshv_fp_stats_add(&vcpu->vm->detached_stats, &vcpu->stats);
	mutex_unlock(&mshv_fp_lock);
	mshv_fp_vcpu_free(vcpu);
	return 0;
}

static const struct file_operations mshv_fp_vcpu_fops = {
	.owner = THIS_MODULE,
	.release = mshv_fp_vcpu_release,
	.unlocked_ioctl = mshv_fp_vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static const struct mshv_fp_adapter *mshv_fp_adapter_find(u32 hypervisor)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(mshv_fp_adapters); i++)
		if (mshv_fp_adapters[i]->hypervisor == hypervisor)
			return mshv_fp_adapters[i];
	return NULL;
}

long mshv_fp_vcpu_attach(struct mshv_fp_vm *vm, const struct mshv_fp_attach *attach)
{
	const struct mshv_fp_adapter *adapter;
	struct mshv_fp_vcpu *vcpu, *other;
	int i, fd;
	long ret;

	if (attach->flags)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(attach->reserved); i++)
		if (attach->reserved[i])
			return -EINVAL;
	adapter = mshv_fp_adapter_find(attach->hypervisor);
	if (!adapter)
		return -EINVAL;

	vcpu = kmem_cache_zalloc(mshv_fp_vcpu_cache, GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	mutex_init(&vcpu->run_lock);
	vcpu->adapter = adapter;
	vcpu->id = attach->vcpu_id;
	vcpu->user_area = attach->user_area;
	vcpu->hv_file = fget(attach->vcpu_fd);
	if (!vcpu->hv_file) {
		ret = -EBADF;
		goto err_free;
	}
	ret = adapter->attach(vcpu, vcpu->hv_file, attach);
	if (ret)
		goto err_fput;

	kref_get(&vm->kref);
	vcpu->vm = vm;

	mutex_lock(&mshv_fp_lock);
	list_for_each_entry(other, &mshv_fp_vcpus, node) {
		if (other->hv_file == vcpu->hv_file) {
			mutex_unlock(&mshv_fp_lock);
			ret = -EEXIST;		/* one fast path per vCPU */
			goto err_put_vm;
		}
	}
	list_add_tail(&vcpu->node, &mshv_fp_vcpus);
	mutex_unlock(&mshv_fp_lock);

	fd = anon_inode_getfd("mshv_fastpath-vcpu", &mshv_fp_vcpu_fops, vcpu,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		mutex_lock(&mshv_fp_lock);
		list_del(&vcpu->node);
		mutex_unlock(&mshv_fp_lock);
		mshv_fp_vcpu_free(vcpu);
		return fd;
	}
	return fd;

err_put_vm:
	mshv_fp_vm_put(vm);
	mshv_fp_vcpu_detach(vcpu);
err_fput:
	fput(vcpu->hv_file);
err_free:
	kmem_cache_free(mshv_fp_vcpu_cache, vcpu);
	return ret;
}

int mshv_fp_vcpu_cache_init(void)
{
	mshv_fp_vcpu_cache = KMEM_CACHE(mshv_fp_vcpu, SLAB_ACCOUNT);
	return mshv_fp_vcpu_cache ? 0 : -ENOMEM;
}

void mshv_fp_vcpu_cache_exit(void)
{
	kmem_cache_destroy(mshv_fp_vcpu_cache);
}
