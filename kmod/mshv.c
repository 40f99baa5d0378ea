// SPDX-License-Identifier: GPL-2.0
/*
 * The mshv adapter: runs a Microsoft Hypervisor VP through the mshv
 * driver's own RUN_VP ioctl and finishes scalar port I/O intercepts by
 * writing RIP and RAX into the VP's register page. Like the KVM adapter it
 * uses no symbol of the driver: the VP file userspace hands over is the
 * driver's, and holding it keeps everything used here alive.
 *
 * RUN_VP copies the intercept message (a 256-byte struct hv_message) into
 * the caller's buffer (mshv_fp_attach.user_area); decode() copies it back
 * into the kernel and decodes it with the code mshv-vmm uses too
 * (common/hv_intercept.c). An exit that is not finished here is left
 * untouched in that buffer, so userspace handles it as if RUN_VP had
 * returned to it directly.
 *
 * Lifetimes: the vCPU holds a reference on the VP file (vcpu.c); the VP
 * file holds the driver's partition, which owns the VP and its register
 * page, so neither goes away while the vCPU is attached. The register page
 * is pinned at attach and unpinned by detach(), which vcpu.c calls before
 * it drops the VP file: the kernel address kept here is valid as long as
 * the vCPU, whatever userspace does to its own mapping meanwhile.
 *
 * Locking: only the run loop uses the per-VP state, under vcpu->run_lock;
 * the driver serialises its own VP ioctls (its vp mutex).
 */
#include <linux/bits.h>
#include <linux/fs.h>
#include <linux/kallsyms.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "hv_intercept.h"
#include "mshv_fastpath.h"

/* The adapter's own state of an attached VP (vcpu->hv.vcpu). */
struct mshv_fp_vp {
	unsigned int run_vp;		/* RUN_VP in the ABI the driver speaks */
	struct page *regs_page;		/* pinned register page, or NULL */
	struct hvi_register_page *regs;	/* its kernel address */
	struct hvi_exit exit;		/* the exit decode() accepted */
	u8 msg[HVI_MESSAGE_SIZE];	/* kernel copy of the message */
};

/*
 * mshv VP files are anon-inode files named "mshv_vp" whose ioctl handler
 * is mshv_vp_ioctl(), in every version of the driver: module mshv_root
 * (upstream, and Mariner's since 2023), module mshv (the earlier single
 * module), or built in. As for KVM the handler is recognised by its name.
 */
static bool file_is_mshv_vp(struct file *file)
{
	char handler[KSYM_SYMBOL_LEN];

	if (strcmp(file->f_path.dentry->d_name.name, "mshv_vp"))
		return false;
	snprintf(handler, sizeof(handler), "%ps", file->f_op->unlocked_ioctl);
	return !strcmp(handler, "mshv_vp_ioctl [mshv_root]") ||
	       !strcmp(handler, "mshv_vp_ioctl [mshv]") ||
	       !strcmp(handler, "mshv_vp_ioctl");
}

/*
 * The two ioctl ABIs of the driver (common/hv_abi.h). Their files and
 * handlers have the same names, so the driver is asked: each ABI's probe
 * ioctl copies its argument in before doing anything else, so with a NULL
 * argument it fails with -EFAULT where that ABI is spoken, and with -ENOTTY
 * (the driver logs "invalid ioctl") where it is not.
 */
static const struct mshv_vp_abi {
	unsigned int probe;
	unsigned int run_vp;
} mshv_vp_abis[] = {
	{ MSHV_UAPI_ROOT_HVCALL, MSHV_UAPI_RUN_VP },
	{ MSHV_MARINER_GET_VP_REGISTERS, MSHV_MARINER_RUN_VP },
};

/*
 * May wait for the VP's driver mutex, that is for a RUN_VP of the same VP
 * running in another thread (killable).
 */
static int mshv_vp_fp_find_abi(struct file *file, unsigned int *run_vp)
{
	unsigned int first = MSHV_FP_MSHV_MARINER_LIKELY ? 1 : 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mshv_vp_abis); i++) {
		const struct mshv_vp_abi *abi =
			&mshv_vp_abis[(first + i) % ARRAY_SIZE(mshv_vp_abis)];
		long ret = file->f_op->unlocked_ioctl(file, abi->probe, 0);

		if (ret == -EFAULT) {
			*run_vp = abi->run_vp;
			return 0;
		}
		if (ret == -EINTR)
			return -EINTR;
		if (ret != -ENOTTY)
			return -EINVAL;
	}
	return -EINVAL;		/* a driver that speaks neither */
}

/*
 * Pin the register page the caller mapped at @addr. Under the mmap lock,
 * so that the page pinned is the one of the mapping checked: the caller's
 * own shared, writable mapping of this VP file's page 0 (a private mapping
 * would give a copy the hypervisor never reads).
 */
static int mshv_vp_fp_pin_regs(struct mshv_fp_vp *vp, struct file *file, u64 addr)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	long pinned;
	int ret = -EINVAL;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	if (vma && vma->vm_file == file && vma->vm_start == addr &&
	    vma->vm_pgoff == MSHV_VP_MMAP_REGISTERS &&
	    (vma->vm_flags & (VM_SHARED | VM_WRITE)) == (VM_SHARED | VM_WRITE)) {
		pinned = mshv_fp_pin_user_page(addr, FOLL_WRITE, &vp->regs_page);
		if (pinned == 1)
			ret = 0;
		else
			ret = pinned < 0 ? pinned : -EFAULT;
	}
	mmap_read_unlock(mm);
	if (ret)
		return ret;
	vp->regs = page_address(vp->regs_page);
	return 0;
}

/*
 * The driver lets whoever holds a VP file use it; here that is the caller
 * (its fd), and with a register page also the caller's address space,
 * which must map it.
 */
static int mshv_vp_fp_attach(struct mshv_fp_vcpu *vcpu, struct file *file,
			     const struct mshv_fp_attach *attach)
{
	u32 __user *msg_type = u64_to_user_ptr(attach->user_area);
	struct mshv_fp_vp *vp;
	u32 type;
	int ret;

	if (!attach->user_area || !PAGE_ALIGNED(attach->register_page))
		return -EINVAL;
	/* RUN_VP writes the message there: a bad buffer fails now, not at an exit. */
	if (!access_ok(msg_type, HVI_MESSAGE_SIZE) ||
	    get_user(type, msg_type) || put_user(type, msg_type))
		return -EFAULT;
	if (!file_is_mshv_vp(file))
		return -EINVAL;

	vp = kzalloc(sizeof(*vp), GFP_KERNEL_ACCOUNT);
	if (!vp)
		return -ENOMEM;
	ret = mshv_vp_fp_find_abi(file, &vp->run_vp);
	if (!ret && attach->register_page)
		ret = mshv_vp_fp_pin_regs(vp, file, attach->register_page);
	if (ret) {
		kfree(vp);
		return ret;
	}
	vcpu->hv.vcpu = vp;
	return 0;
}

static void mshv_vp_fp_detach(struct mshv_fp_vcpu *vcpu)
{
	struct mshv_fp_vp *vp = vcpu->hv.vcpu;

	if (vp->regs_page)
		unpin_user_page(vp->regs_page);
	kfree(vp);
}

long mshv_vp_fp_enter(struct mshv_fp_vcpu *vcpu)
{
	struct mshv_fp_vp *vp = vcpu->hv.vcpu;

	return vcpu->hv_file->f_op->unlocked_ioctl(vcpu->hv_file, vp->run_vp,
						    (unsigned long)vcpu->user_area);
}

/*
 * The register page is what finishes an exit: without a usable one the
 * exit is not offered to the rules at all, so that no rule acts on an
 * access that then goes to userspace as well.
 */
static bool mshv_vp_fp_regs_usable(const struct mshv_fp_vp *vp)
{
	return vp->regs && READ_ONCE(vp->regs->version) == HVI_REGPAGE_VERSION_1 &&
	       READ_ONCE(vp->regs->isvalid);
}

bool mshv_vp_fp_decode(struct mshv_fp_vcpu *vcpu, struct mshv_fp_access *a,
		       u32 *reason)
{
	struct mshv_fp_vp *vp = vcpu->hv.vcpu;
	const struct hvi_exit *exit = &vp->exit;
	int ret;

	/* Userspace may change its buffer at any time: decode a copy. */
	if (copy_from_user(vp->msg, u64_to_user_ptr(vcpu->user_area), sizeof(vp->msg)))
		return false;
	ret = hvi_decode(vp->msg, sizeof(vp->msg), &vp->exit);
	*reason = exit->type;
	/* Malformed messages, string and rep I/O (emulation): userspace's. */
	if (ret || exit->type != HVI_MSG_X64_IO_PORT_INTERCEPT || exit->io.string ||
	    exit->io.rep || !mshv_vp_fp_regs_usable(vp))
		return false;
	a->space = MSHV_FP_SPACE_PIO;
	a->addr = exit->io.port;
	a->size = exit->io.size;
	a->write = exit->io.write;
	if (a->write)
		a->data = exit->io.rax & GENMASK_ULL(a->size * 8 - 1, 0);
	return true;
}

/*
 * RIP past the instruction and, for IN, the value merged into RAX, marked
 * dirty in the register page: the hypervisor loads them when RUN_VP
 * resumes the VP. An error leaves the exit to userspace, its message
 * untouched.
 */
int mshv_vp_fp_complete(struct mshv_fp_vcpu *vcpu, const struct mshv_fp_access *a,
			u64 value)
{
	struct mshv_fp_vp *vp = vcpu->hv.vcpu;
	struct hvi_completion done;

	if (!vp->regs)
		return -EOPNOTSUPP;
	hvi_complete_io(&vp->exit, (u32)value, &done);
	return hvi_regpage_apply(vp->regs, &done) ? 0 : -EOPNOTSUPP;
}

/*
 * The buffer still holds the last exit, finished here: a message type of
 * HVI_MSG_NONE tells userspace there is nothing to handle. If userspace
 * unmapped its buffer meanwhile, nothing can be written, nor read.
 */
static void mshv_vp_fp_mark_interrupted(struct mshv_fp_vcpu *vcpu)
{
	struct hvi_message_header __user *hdr = u64_to_user_ptr(vcpu->user_area);

	put_user(HVI_MSG_NONE, &hdr->message_type);
}

const struct mshv_fp_adapter mshv_fp_mshv_adapter = {
	.hypervisor = MSHV_FP_HV_MSHV,
	.name = "mshv",
	.attach = mshv_vp_fp_attach,
	.detach = mshv_vp_fp_detach,
	.enter = mshv_vp_fp_enter,
	.decode = mshv_vp_fp_decode,
	.complete = mshv_vp_fp_complete,
	.mark_interrupted = mshv_vp_fp_mark_interrupted,
};
