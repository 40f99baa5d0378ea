// SPDX-License-Identifier: GPL-2.0
/*
 * mshv_fastpath: handles hot VM exits of the Microsoft Hypervisor driver
 * (and KVM) in the kernel, forwarding the rest to the VMM.
 *
 * This file owns the module's life cycle and /dev/mshv_fastpath, whose
 * every open is one VM (struct mshv_fp_vm).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "mshv_fastpath.h"
#include "trace.h"

/*
 * VMs have a cache of their own so that a leak shows up by name in
 * /proc/slabinfo (with slab_nomerge) and makes kmem_cache_destroy()
 * complain at unload.
 */
static struct kmem_cache *mshv_fp_vm_cache;
static LIST_HEAD(mshv_fp_vms);
DEFINE_MUTEX(mshv_fp_lock);
/* Totals of the VMs already freed, under mshv_fp_lock: sysfs counts since load. */
static struct mshv_fp_stats mshv_fp_retired_stats;

static const u64 mshv_fp_capabilities =
	BIT_ULL(MSHV_FP_CAP_VERSION) | BIT_ULL(MSHV_FP_CAP_TRACEPOINTS) |
	BIT_ULL(MSHV_FP_CAP_KVM) | BIT_ULL(MSHV_FP_CAP_MSHV) |
	BIT_ULL(MSHV_FP_CAP_RULES) | BIT_ULL(MSHV_FP_CAP_RING);

/* Totals over all VMs since the module was loaded, for sysfs. */
void mshv_fp_global_stats(struct mshv_fp_stats *sum, unsigned int *nr_vms,
			  unsigned int *nr_vcpus)
{
	struct mshv_fp_vm *vm;

	mutex_lock(&mshv_fp_lock);
	*sum = mshv_fp_retired_stats;
	*nr_vms = 0;
	*nr_vcpus = 0;
	list_for_each_entry(vm, &mshv_fp_vms, node) {
		struct mshv_fp_stats vm_stats;
		unsigned int vcpus;

		(*nr_vms)++;
		mshv_fp_vm_stats_locked(vm, &vm_stats, &vcpus);
		*nr_vcpus += vcpus;
		mshv_fp_stats_add(sum, &vm_stats);
	}
	mutex_unlock(&mshv_fp_lock);
}

static void mshv_fp_vm_free(struct kref *kref)
{
	struct mshv_fp_vm *vm = container_of(kref, struct mshv_fp_vm, kref);

	/* Every vCPU is detached by now: detached_stats is the VM's total. */
	mutex_lock(&mshv_fp_lock);
	list_del(&vm->node);
	mshv_fp_stats_add(&mshv_fp_retired_stats, &vm->detached_stats);
	mutex_unlock(&mshv_fp_lock);
	mshv_fp_vm_destroy(vm);
	kmem_cache_free(mshv_fp_vm_cache, vm);
}

void mshv_fp_vm_put(struct mshv_fp_vm *vm)
{
	kref_put(&vm->kref, mshv_fp_vm_free);
}

static int mshv_fp_open(struct inode *inode, struct file *file)
{
	struct mshv_fp_vm *vm;
	int ret;

	vm = kmem_cache_zalloc(mshv_fp_vm_cache, GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	kref_init(&vm->kref);
	vm->owner_tgid = task_tgid_nr(current);
	ret = mshv_fp_vm_init(vm);
	if (ret) {
		kmem_cache_free(mshv_fp_vm_cache, vm);
		return ret;
	}

	mutex_lock(&mshv_fp_lock);
	list_add_tail(&vm->node, &mshv_fp_vms);
	mutex_unlock(&mshv_fp_lock);

	file->private_data = vm;
	return nonseekable_open(inode, file);
}

static int mshv_fp_release(struct inode *inode, struct file *file)
{
	/* Attached vCPUs keep the VM alive until they are closed too. */
	mshv_fp_vm_put(file->private_data);
	return 0;
}

static long mshv_fp_get_version(void __user *argp)
{
	struct mshv_fp_version version = {
		.abi_major = MSHV_FP_ABI_MAJOR,
		.abi_minor = MSHV_FP_ABI_MINOR,
		.capabilities = mshv_fp_capabilities,
	};

	strscpy(version.module_version, MSHV_FP_MODULE_VERSION,
		sizeof(version.module_version));
	if (copy_to_user(argp, &version, sizeof(version)))
		return -EFAULT;
	return 0;
}

static long mshv_fp_check_extension(unsigned long cap)
{
	if (cap >= 64)
		return 0;
	return !!(mshv_fp_capabilities & BIT_ULL(cap));
}

static long mshv_fp_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	long ret;

	switch (cmd) {
	case MSHV_FP_GET_VERSION:
		ret = mshv_fp_get_version((void __user *)arg);
		break;
	case MSHV_FP_CHECK_EXTENSION:
		ret = mshv_fp_check_extension(arg);
		break;
	default:
		ret = mshv_fp_vm_ioctl(file->private_data, cmd, arg);
		break;
	}
	trace_ioctl(cmd, ret);
	return ret;
}

static int mshv_fp_mmap(struct file *file, struct vm_area_struct *vma)
{
	return mshv_fp_vm_mmap(file->private_data, vma);
}

static const struct file_operations mshv_fp_fops = {
	.owner = THIS_MODULE,
	.open = mshv_fp_open,
	.release = mshv_fp_release,
	.unlocked_ioctl = mshv_fp_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = mshv_fp_mmap,
};

static struct miscdevice mshv_fp_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = MSHV_FP_DEVICE_NAME,
	.fops = &mshv_fp_fops,
	.mode = 0660,
};

static int __init mshv_fp_init(void)
{
	int ret;

	mshv_fp_vm_cache = KMEM_CACHE(mshv_fp_vm, SLAB_ACCOUNT);
	if (!mshv_fp_vm_cache)
		return -ENOMEM;
	ret = mshv_fp_rules_cache_init();
	if (ret)
		goto err_vm_cache;
	ret = mshv_fp_vcpu_cache_init();
	if (ret)
		goto err_rules_cache;

	/* A diagnostic: it fails only for lack of memory, never the load otherwise. */
	ret = mshv_fp_resvd_init();
	if (ret)
		goto err_resvd;

	ret = mshv_fp_sysfs_init();
	if (ret)
		goto err_resvd;

	ret = misc_register(&mshv_fp_miscdev);
	if (ret)
		goto err_sysfs;

	pr_info("version %s loaded (ABI %d.%d)\n", MSHV_FP_MODULE_VERSION,
		MSHV_FP_ABI_MAJOR, MSHV_FP_ABI_MINOR);
	return 0;

err_sysfs:
	mshv_fp_sysfs_exit();
err_resvd:
	mshv_fp_resvd_exit();
	mshv_fp_vcpu_cache_exit();
err_rules_cache:
	mshv_fp_rules_cache_exit();
err_vm_cache:
	kmem_cache_destroy(mshv_fp_vm_cache);
	return ret;
}

static void __exit mshv_fp_exit(void)
{
	/* Open files hold a module reference, so no VM or vCPU is left here. */
	misc_deregister(&mshv_fp_miscdev);
	mshv_fp_sysfs_exit();
	mshv_fp_resvd_exit();
	/* Removed rules are freed by RCU callbacks in this module: wait for them. */
	rcu_barrier();
	mshv_fp_vcpu_cache_exit();
	mshv_fp_rules_cache_exit();
	kmem_cache_destroy(mshv_fp_vm_cache);
}

module_init(mshv_fp_init);
module_exit(mshv_fp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Fast path for Microsoft Hypervisor (mshv) and KVM VM exits");
MODULE_VERSION(MSHV_FP_MODULE_VERSION);
MODULE_AUTHOR("mshv-fastpath developers");
