/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record of kvm:kvm_exit, for the program attached with
 * SEC("tracepoint/kvm/kvm_exit"): a raw tracepoint would only have the vCPU,
 * the exit reason is what the record's assignment asks the vendor module
 * for. Its types live in kvm.ko's BTF, not in vmlinux.h, so the layout is
 * declared here as arch/x86/kvm/trace.h has it (the same from 5.15 to 6.12)
 * and mshv-exitstat checks every field it reads against tracefs' format
 * file before it attaches. Plus the constants of KVM's other tracepoints.
 */
#ifndef KVM_TP_H
#define KVM_TP_H

#include "mshv_fastpath_tp.h"

/* kvm:kvm_exit: info1 is AMD's EXITINFO1 or Intel's exit qualification. */
struct kvm_tp_exit {
	struct mshv_fp_tp_common common;
	unsigned int exit_reason;
	unsigned long guest_rip;
	unsigned int isa;		/* 1 VMX, 2 SVM */
	unsigned long long info1;
	unsigned long long info2;
	unsigned int intr_info;
	unsigned int error_code;
	unsigned int vcpu_id;
};

#define KVM_TP_ISA_VMX			1
#define KVM_TP_ISA_SVM			2
#define KVM_TP_MMIO_READ_UNSATISFIED	0
#define KVM_TP_MMIO_READ		1
#define KVM_TP_MMIO_WRITE		2

/* Port I/O exits: the port and direction are in info1. */
#define SVM_EXIT_IOIO			0x07b
#define SVM_IOIO_TYPE_IN		0x1	/* EXITINFO1 bit 0: 1 = IN */
#define VMX_EXIT_IO_INSTRUCTION		30
#define VMX_IO_DIRECTION_IN		0x8	/* qualification bit 3: 1 = IN */

#endif /* KVM_TP_H */
