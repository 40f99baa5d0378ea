// SPDX-License-Identifier: GPL-2.0
/*
 * The KVM adapter: runs a KVM vCPU through KVM's own KVM_RUN and reads its
 * exits from kvm_run. No KVM symbol is used, only its headers: the vCPU
 * file userspace hands over is KVM's, and KVM keeps everything we touch
 * alive while we hold that file.
 *
 * kvm_run and the port I/O data page are also mapped by userspace, which
 * may write them at any time: every field is read once and checked.
 */
#include <linux/kallsyms.h>
#include <linux/kvm_host.h>
#include <linux/string.h>

#include "mshv_fastpath.h"

/*
 * KVM's vCPU files are anon-inode files named "kvm-vcpu:N" whose ioctl
 * handler is kvm_vcpu_ioctl(). Their fops have no owner and no symbol of
 * theirs is exported, so the handler is recognised by its name (kallsyms;
 * without it every file is refused, which is safe): "kvm_vcpu_ioctl [kvm]"
 * with KVM as a module, "kvm_vcpu_ioctl" built in.
 */
static bool file_is_kvm_vcpu(struct file *file)
{
	char handler[KSYM_SYMBOL_LEN];

	if (strncmp(file->f_path.dentry->d_name.name, "kvm-vcpu:", 9))
		return false;
	snprintf(handler, sizeof(handler), "%ps", file->f_op->unlocked_ioctl);
	return !strcmp(handler, "kvm_vcpu_ioctl [kvm]") ||
	       !strcmp(handler, "kvm_vcpu_ioctl");
}

static int kvm_fp_attach(struct mshv_fp_vcpu *vcpu, struct file *file,
			 const struct mshv_fp_attach *attach)
{
	struct kvm_vcpu *kvm_vcpu;

	/* mshv's fields: KVM has its own kvm_run and no register page. */
	if (attach->user_area || attach->register_page)
		return -EINVAL;
	if (!file_is_kvm_vcpu(file))
		return -EINVAL;
	kvm_vcpu = file->private_data;
	/* KVM's own rule for its vCPU ioctls: only the VM's creator. */
	if (kvm_vcpu->kvm->mm != current->mm)
		return -EPERM;
	vcpu->hv.vcpu = kvm_vcpu;
	vcpu->hv.exit_area = kvm_vcpu->run;
	vcpu->hv.io_data = kvm_vcpu->arch.pio_data;
	return 0;
}

/*
 * An access's 1-8 bytes, little-endian, from or to KVM's data areas (the pio
 * page and kvm_run.mmio.data, both 8-byte aligned): plain loads and stores,
 * no memcpy() call on the hot path.
 */
static u64 load_le(const void *p, u8 size)
{
	switch (size) {
	case 1:
		return *(const u8 *)p;
	case 2:
		return *(const u16 *)p;
	case 4:
		return *(const u32 *)p;
	default:
		return *(const u64 *)p;
	}
}

static void store_le(void *p, u8 size, u64 value)
{
	switch (size) {
	case 1:
		*(u8 *)p = value;
		break;
	case 2:
		*(u16 *)p = value;
		break;
	case 4:
		*(u32 *)p = value;
		break;
	default:
		*(u64 *)p = value;
		break;
	}
}

long kvm_fp_enter(struct mshv_fp_vcpu *vcpu)
{
	return vcpu->hv_file->f_op->unlocked_ioctl(vcpu->hv_file, KVM_RUN, 0);
}

bool kvm_fp_decode(struct mshv_fp_vcpu *vcpu, struct mshv_fp_access *a,
			  u32 *reason)
{
	struct kvm_run *run = vcpu->hv.exit_area;

	*reason = READ_ONCE(run->exit_reason);
	switch (*reason) {
	case KVM_EXIT_IO:
		/* String I/O (count > 1) stays with userspace. */
		if (READ_ONCE(run->io.count) != 1)
			return false;
		a->size = READ_ONCE(run->io.size);
		if (a->size != 1 && a->size != 2 && a->size != 4)
			return false;
		a->space = MSHV_FP_SPACE_PIO;
		a->addr = READ_ONCE(run->io.port);
		a->write = READ_ONCE(run->io.direction) == KVM_EXIT_IO_OUT;
		/* KVM keeps the data in its own pio page, whatever data_offset says. */
		if (a->write)
			a->data = load_le(vcpu->hv.io_data, a->size);
		return true;
	case KVM_EXIT_MMIO:
		a->size = READ_ONCE(run->mmio.len);
		if (a->size != 1 && a->size != 2 && a->size != 4 && a->size != 8)
			return false;
		a->space = MSHV_FP_SPACE_MMIO;
		a->addr = READ_ONCE(run->mmio.phys_addr);
		a->write = READ_ONCE(run->mmio.is_write);
		if (a->write)
			a->data = load_le(run->mmio.data, a->size);
		return true;
	default:
		return false;
	}
}

/*
 * KVM finishes the instruction itself when it is entered again, taking a
 * read's data from where userspace would have put it.
 */
int kvm_fp_complete(struct mshv_fp_vcpu *vcpu, const struct mshv_fp_access *a,
			   u64 value)
{
	struct kvm_run *run = vcpu->hv.exit_area;

	if (a->write)
		return 0;
	if (a->space == MSHV_FP_SPACE_PIO)
		store_le(vcpu->hv.io_data, a->size, value);
	else
		store_le(run->mmio.data, a->size, value);
	return 0;
}

static void kvm_fp_mark_interrupted(struct mshv_fp_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->hv.exit_area;

	WRITE_ONCE(run->exit_reason, KVM_EXIT_INTR);
}

const struct mshv_fp_adapter mshv_fp_kvm_adapter = {
	.hypervisor = MSHV_FP_HV_KVM,
	.name = "kvm",
	.attach = kvm_fp_attach,
	.enter = kvm_fp_enter,
	.decode = kvm_fp_decode,
	.complete = kvm_fp_complete,
	.mark_interrupted = kvm_fp_mark_interrupted,
};
