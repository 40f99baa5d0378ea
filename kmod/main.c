// SPDX-License-Identifier: GPL-2.0
/*
 * mshv_fastpath: handles hot VM exits of the Microsoft Hypervisor driver
 * (and KVM) in the kernel, forwarding the rest to the VMM.
 *
 * This file owns the module's life cycle and /dev/mshv_fastpath.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <linux/mshv_fastpath.h>

#include "mshv_fastpath.h"
#include "trace.h"

/*
 * All open sessions. Sessions have a cache of their own so that a leak
 * shows up by name in /proc/slabinfo (with slab_nomerge) and makes
 * kmem_cache_destroy() complain at unload.
 */
static struct kmem_cache *mshv_fp_session_cache;
static LIST_HEAD(mshv_fp_sessions);
static DEFINE_MUTEX(mshv_fp_sessions_lock);
static unsigned int mshv_fp_nr_sessions;

static const u64 mshv_fp_capabilities =
	BIT_ULL(MSHV_FP_CAP_VERSION) | BIT_ULL(MSHV_FP_CAP_TRACEPOINTS);

unsigned int mshv_fp_session_count(void)
{
	unsigned int n;

	mutex_lock(&mshv_fp_sessions_lock);
	n = mshv_fp_nr_sessions;
	mutex_unlock(&mshv_fp_sessions_lock);
	return n;
}

static int mshv_fp_open(struct inode *inode, struct file *file)
{
	struct mshv_fp_session *session;

	session = kmem_cache_zalloc(mshv_fp_session_cache, GFP_KERNEL_ACCOUNT);
	if (!session)
		return -ENOMEM;
	session->owner_tgid = task_tgid_nr(current);

	mutex_lock(&mshv_fp_sessions_lock);
	list_add_tail(&session->node, &mshv_fp_sessions);
	mshv_fp_nr_sessions++;
	mutex_unlock(&mshv_fp_sessions_lock);

	file->private_data = session;
	return nonseekable_open(inode, file);
}

static int mshv_fp_release(struct inode *inode, struct file *file)
{
	struct mshv_fp_session *session = file->private_data;

	mutex_lock(&mshv_fp_sessions_lock);
	list_del(&session->node);
	mshv_fp_nr_sessions--;
	mutex_unlock(&mshv_fp_sessions_lock);

	kmem_cache_free(mshv_fp_session_cache, session);
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
		ret = -ENOTTY;
		break;
	}
	trace_ioctl(cmd, ret);
	return ret;
}

static const struct file_operations mshv_fp_fops = {
	.owner = THIS_MODULE,
	.open = mshv_fp_open,
	.release = mshv_fp_release,
	.unlocked_ioctl = mshv_fp_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
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

	mshv_fp_session_cache = KMEM_CACHE(mshv_fp_session, SLAB_ACCOUNT);
	if (!mshv_fp_session_cache)
		return -ENOMEM;

	ret = mshv_fp_sysfs_init();
	if (ret)
		goto err_cache;

	ret = misc_register(&mshv_fp_miscdev);
	if (ret)
		goto err_sysfs;

	pr_info("version %s loaded (ABI %d.%d)\n", MSHV_FP_MODULE_VERSION,
		MSHV_FP_ABI_MAJOR, MSHV_FP_ABI_MINOR);
	return 0;

err_sysfs:
	mshv_fp_sysfs_exit();
err_cache:
	kmem_cache_destroy(mshv_fp_session_cache);
	return ret;
}

static void __exit mshv_fp_exit(void)
{
	/* Open files hold a module reference, so no session is left here. */
	misc_deregister(&mshv_fp_miscdev);
	mshv_fp_sysfs_exit();
	kmem_cache_destroy(mshv_fp_session_cache);
}

module_init(mshv_fp_init);
module_exit(mshv_fp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Fast path for Microsoft Hypervisor (mshv) and KVM VM exits");
MODULE_VERSION(MSHV_FP_MODULE_VERSION);
MODULE_AUTHOR("mshv-fastpath developers");
