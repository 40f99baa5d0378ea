/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor backend interface: what the VMM needs of KVM or mshv,
 * and nothing hypervisor-specific above it. One file per backend
 * (hv-kvm.c, hv-mshv.c), as in cloud-hypervisor's hypervisor crate.
 */
#ifndef MSHV_VMM_HV_H
#define MSHV_VMM_HV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules.h"

struct vm;

enum hv_exit_reason {
	HV_EXIT_IO,		/* port I/O: exit.io */
	HV_EXIT_MMIO,		/* MMIO: exit.mmio */
	HV_EXIT_HLT,		/* HLT reached userspace (mshv's HALT message; KVM without an irqchip) */
	HV_EXIT_SHUTDOWN,	/* triple fault */
	HV_EXIT_RESET,		/* the hypervisor saw a reset request */
	HV_EXIT_POWEROFF,	/* the hypervisor saw a power-off request */
	HV_EXIT_INTR,		/* interrupted by a kick or a signal: check for stop */
	HV_EXIT_ERROR,		/* cannot go on: exit.detail says why */
};

struct hv_exit {
	enum hv_exit_reason reason;
	union {
		struct {
			uint16_t port;
			uint8_t size;	/* 1, 2, 4 */
			bool is_write;
			uint32_t count;	/* string I/O: elements at data */
			uint8_t *data;	/* count * size bytes */
		} io;
		struct {
			uint64_t gpa;
			uint8_t len;	/* 1..8 */
			bool is_write;
			uint8_t *data;
		} mmio;
	};
	char detail[96];
};

/* Long-mode entry state, as the boot protocol wants it. */
struct hv_boot_regs {
	uint64_t rip, rsi, rsp;
	uint64_t cr0, cr3, cr4, efer;
	uint64_t gdt_base;
	uint16_t gdt_limit;
	uint16_t code_sel, data_sel;
};

/* Exit counts as the hypervisor keeps them (all exits, not only ours). */
struct hv_vcpu_stats {
	uint64_t exits;		/* every exit the hypervisor took */
	uint64_t io_exits;
	uint64_t mmio_exits;
	uint64_t halt_exits;
	bool valid;
};

struct hv;
struct hv_vcpu;

struct hv_ops {
	const char *name;		/* "kvm", "mshv" */
	/* Open the hypervisor; -ENOENT if it is not there. */
	int (*open)(struct hv **hv, char *err, size_t errlen);
	void (*close)(struct hv *hv);
	/* The VM, its in-kernel interrupt controllers and timer. */
	int (*create_vm)(struct hv *hv, struct vm *vm, char *err, size_t errlen);
	int (*map_memory)(struct hv *hv, unsigned int slot, uint64_t gpa,
			  uint64_t size, void *hva);
	int (*create_vcpu)(struct hv *hv, unsigned int id,
			   struct hv_vcpu **vcpu, char *err, size_t errlen);
	/* CPUID (with topology for @nr_cpus) and boot MSRs. */
	int (*setup_cpuid)(struct hv_vcpu *vcpu, unsigned int nr_cpus);
	int (*set_boot_regs)(struct hv_vcpu *vcpu, const struct hv_boot_regs *regs);
	/* Run until an exit userspace must see; @data stays valid till the next run. */
	int (*run)(struct hv_vcpu *vcpu, struct hv_exit *exit);
	/* Make a running vCPU return HV_EXIT_INTR soon. Any thread. */
	void (*kick)(struct hv_vcpu *vcpu);
	void (*destroy_vcpu)(struct hv_vcpu *vcpu);
	/* Interrupt line @gsi to @level. Any thread. */
	int (*irq_line)(struct hv *hv, unsigned int gsi, int level);
	/* The hypervisor's own in-kernel mechanism for @rule, or -EOPNOTSUPP. */
	int (*place_rule)(struct hv *hv, struct rule *rule);
	void (*unplace_rule)(struct hv *hv, struct rule *rule);
	/* Coalesced writes the hypervisor queued: hand each to @fn in order. */
	void (*drain)(struct hv *hv, void (*fn)(void *ctx, enum bus_space space,
						uint64_t addr, const uint8_t *data,
						unsigned int len), void *ctx);
	/* Attach @vcpu to the fast-path module's VM fd: 0 or -errno. */
	int (*fastpath_attach)(struct hv_vcpu *vcpu, int fastpath_vm_fd);
	void (*vcpu_stats)(struct hv_vcpu *vcpu, struct hv_vcpu_stats *stats);
	void (*dump_regs)(struct hv_vcpu *vcpu, char *buf, size_t len);
};

extern const struct hv_ops hv_kvm_ops;
extern const struct hv_ops hv_mshv_ops;

#endif
