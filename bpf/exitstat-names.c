// SPDX-License-Identifier: GPL-2.0
/*
 * Names of exit reasons in the four numberings mshv-exitstat meets:
 * kvm_run.exit_reason (the module on KVM, KVM_RUN's return), hv_message
 * types (the module on mshv), and the hardware's own, as kvm:kvm_exit
 * reports them: AMD SVM exit codes and Intel VMX basic exit reasons.
 * Lower case, as perf kvm stat prints them; AMD's after the manual's
 * VMEXIT_* names.
 */
#include <stdio.h>

#include "exitstat-names.h"
#include "mshv_exitstat.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* include/uapi/linux/kvm.h, KVM_EXIT_* */
static const char *const kvm_run_reasons[] = {
	[0] = "unknown", [1] = "exception", [2] = "io", [3] = "hypercall", [4] = "debug",
	[5] = "hlt", [6] = "mmio", [7] = "irq_window_open", [8] = "shutdown",
	[9] = "fail_entry", [10] = "intr", [11] = "set_tpr", [12] = "tpr_access",
	[16] = "nmi", [17] = "internal_error", [21] = "watchdog", [23] = "epr",
	[24] = "system_event", [26] = "ioapic_eoi", [27] = "hyperv", [29] = "x86_rdmsr",
	[30] = "x86_wrmsr", [31] = "dirty_ring_full", [32] = "ap_reset_hold",
	[33] = "x86_bus_lock", [34] = "xen", [37] = "notify", [39] = "memory_fault",
};

/* arch/x86/include/uapi/asm/vmx.h, EXIT_REASON_* */
static const char *const vmx_reasons[] = {
	[0] = "exception_nmi", [1] = "external_interrupt", [2] = "triple_fault",
	[3] = "init_signal", [4] = "sipi_signal", [7] = "interrupt_window",
	[8] = "nmi_window", [9] = "task_switch", [10] = "cpuid", [12] = "hlt", [13] = "invd",
	[14] = "invlpg", [15] = "rdpmc", [16] = "rdtsc", [18] = "vmcall", [19] = "vmclear",
	[20] = "vmlaunch", [21] = "vmptrld", [22] = "vmptrst", [23] = "vmread",
	[24] = "vmresume", [25] = "vmwrite", [26] = "vmoff", [27] = "vmon",
	[28] = "cr_access", [29] = "dr_access", [30] = "io_instruction", [31] = "msr_read",
	[32] = "msr_write", [33] = "invalid_state", [34] = "msr_load_fail",
	[36] = "mwait_instruction", [37] = "monitor_trap_flag", [39] = "monitor_instruction",
	[40] = "pause_instruction", [41] = "mce_during_vmentry", [43] = "tpr_below_threshold",
	[44] = "apic_access", [45] = "eoi_induced", [46] = "gdtr_idtr", [47] = "ldtr_tr",
	[48] = "ept_violation", [49] = "ept_misconfig", [50] = "invept", [51] = "rdtscp",
	[52] = "preemption_timer", [53] = "invvpid", [54] = "wbinvd", [55] = "xsetbv",
	[56] = "apic_write", [57] = "rdrand", [58] = "invpcid", [59] = "vmfunc",
	[60] = "encls", [61] = "rdseed", [62] = "pml_full", [63] = "xsaves", [64] = "xrstors",
	[67] = "umwait", [68] = "tpause", [74] = "bus_lock", [75] = "notify",
};

/* arch/x86/include/uapi/asm/svm.h, SVM_EXIT_* from 0x60 */
static const char *const svm_reasons[] = {
	[0x60] = "intr", [0x61] = "nmi", [0x62] = "smi", [0x63] = "init", [0x64] = "vintr",
	[0x65] = "cr0_sel_write", [0x66] = "idtr_read", [0x67] = "gdtr_read",
	[0x68] = "ldtr_read", [0x69] = "tr_read", [0x6a] = "idtr_write", [0x6b] = "gdtr_write",
	[0x6c] = "ldtr_write", [0x6d] = "tr_write", [0x6e] = "rdtsc", [0x6f] = "rdpmc",
	[0x70] = "pushf", [0x71] = "popf", [0x72] = "cpuid", [0x73] = "rsm", [0x74] = "iret",
	[0x75] = "swint", [0x76] = "invd", [0x77] = "pause", [0x78] = "hlt", [0x79] = "invlpg",
	[0x7a] = "invlpga", [0x7b] = "ioio", [0x7c] = "msr", [0x7d] = "task_switch",
	[0x7e] = "ferr_freeze", [0x7f] = "shutdown", [0x80] = "vmrun", [0x81] = "vmmcall",
	[0x82] = "vmload", [0x83] = "vmsave", [0x84] = "stgi", [0x85] = "clgi",
	[0x86] = "skinit", [0x87] = "rdtscp", [0x88] = "icebp", [0x89] = "wbinvd",
	[0x8a] = "monitor", [0x8b] = "mwait", [0x8c] = "mwait_cond", [0x8d] = "xsetbv",
	[0x8e] = "rdpru", [0x8f] = "efer_write_trap", [0xa0] = "invlpgb",
	[0xa1] = "invlpgb_illegal", [0xa2] = "invpcid", [0xa3] = "mcommit",
};

static const char *svm_reason_name(__u32 code, char *buf, size_t size)
{
	static const char *const special[] = {
		"npf", "avic_incomplete_ipi", "avic_unaccelerated_access", "vmgexit",
	};

	if (code < 0x40) {
		/* read_cr, write_cr, read_dr, write_dr: 16 each */
		static const char *const cr_dr[] = { "read_cr", "write_cr", "read_dr", "write_dr" };

		snprintf(buf, size, "%s%u", cr_dr[code >> 4], code & 0xf);
		return buf;
	}
	if (code < 0x60) {
		snprintf(buf, size, "excp_%u", code - 0x40);	/* the vector */
		return buf;
	}
	if (code >= 0x90 && code < 0xa0) {
		snprintf(buf, size, "cr%u_write_trap", code - 0x90);
		return buf;
	}
	if (code < ARRAY_SIZE(svm_reasons) && svm_reasons[code])
		return svm_reasons[code];
	if (code >= 0x400 && code < 0x400 + ARRAY_SIZE(special))
		return special[code - 0x400];
	if (code == 0xffffffffu)
		return "invalid";
	if (code >= 0x80000000u)
		snprintf(buf, size, "vmgexit_0x%x", code);	/* SEV-ES: the GHCB's */
	else
		snprintf(buf, size, "0x%x", code);
	return buf;
}

static const char *hvmsg_name(__u32 type)
{
	switch (type) {
	case 0x00000000: return "none";
	case 0x80000000: return "unmapped_gpa";
	case 0x80000001: return "gpa_intercept";
	case 0x80000003: return "unaccepted_gpa";
	case 0x80000004: return "gpa_attribute_intercept";
	case 0x80000010: return "timer_expired";
	case 0x80000021: return "unrecoverable_exception";
	case 0x80000022: return "unsupported_feature";
	case 0x8000003f: return "opaque_intercept";
	case 0x80010000: return "io_port_intercept";
	case 0x80010001: return "msr_intercept";
	case 0x80010002: return "cpuid_intercept";
	case 0x80010003: return "exception_intercept";
	case 0x80010004: return "apic_eoi";
	case 0x80010005: return "legacy_fp_error";
	case 0x80010007: return "halt";
	case 0x80010008: return "interruption_deliverable";
	case 0x80010009: return "sipi_intercept";
	case 0x80010013: return "sev_vmgexit_intercept";
	}
	return NULL;
}

const char *exitstat_kind_name(unsigned int kind)
{
	switch (kind) {
	case EXITSTAT_KIND_PIO: return "pio";
	case EXITSTAT_KIND_MMIO: return "mmio";
	}
	return "other";
}

const char *exitstat_by_name(unsigned int by)
{
	switch (by) {
	case 0: return "doorbell";
	case 1: return "coalesce";
	case 2: return "fixed_read";
	case 3: return "count";
	case EXITSTAT_BY_KVM: return "kvm";
	case EXITSTAT_FORWARDED:
	case EXITSTAT_KVM_FORWARDED: return "forwarded";
	}
	return "unknown";
}

const char *exitstat_reason_space_name(unsigned int space)
{
	switch (space) {
	case EXITSTAT_REASON_KVM_RUN: return "kvm_run";
	case EXITSTAT_REASON_HVMSG: return "hvmsg";
	case EXITSTAT_REASON_VMX: return "vmx";
	case EXITSTAT_REASON_SVM: return "svm";
	}
	return "none";
}

const char *exitstat_reason_name(unsigned int space, __u32 reason, char *buf, size_t size)
{
	const char *name = NULL;

	switch (space) {
	case EXITSTAT_REASON_KVM_RUN:
		if (reason < ARRAY_SIZE(kvm_run_reasons))
			name = kvm_run_reasons[reason];
		break;
	case EXITSTAT_REASON_HVMSG:
		name = hvmsg_name(reason);
		break;
	case EXITSTAT_REASON_VMX:
		if (reason < ARRAY_SIZE(vmx_reasons))
			name = vmx_reasons[reason];
		break;
	case EXITSTAT_REASON_SVM:
		return svm_reason_name(reason, buf, size);
	}
	if (name)
		return name;
	snprintf(buf, size, "0x%x", reason);
	return buf;
}
