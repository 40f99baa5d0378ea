/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mshv-vmm: the VM object every part hangs off. There is no global state:
 * everything a VM owns is reached from its struct vm, so two VMs in one
 * process never collide.
 */
#ifndef MSHV_VMM_VMM_H
#define MSHV_VMM_VMM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "machine.h"
#include "mem.h"
#include "rules.h"

struct hv;
struct hv_ops;
struct hv_vcpu;
struct iothread;
struct mshv_fp_ring;

#define VMM_MAX_CPUS		64
/* Every virtio-mmio slot but the console's and the RNG's. */
#define VMM_MAX_DISKS		(MACHINE_VIRTIO_MAX - 2)

/* Why the VM stopped; main() turns it into the exit status. */
enum vm_stop_reason {
	VM_RUNNING = 0,
	VM_STOP_POWEROFF,	/* ACPI S5 or the like: exit status 0 */
	VM_STOP_RESET,		/* guest asked for a reboot: we do not reboot */
	VM_STOP_PANIC,		/* guest panic / triple fault */
	VM_STOP_SIGNAL,		/* SIGINT/SIGTERM or the console escape */
	VM_STOP_ERROR,		/* VMM or hypervisor error */
};

/* Exits that reached the VMM, by kind (--stats). */
enum vcpu_exit_kind {
	VCPU_EXIT_PIO_READ,
	VCPU_EXIT_PIO_WRITE,
	VCPU_EXIT_MMIO_READ,
	VCPU_EXIT_MMIO_WRITE,
	VCPU_EXIT_HLT,
	VCPU_EXIT_OTHER,	/* shutdown, reset, errors */
	VCPU_NR_EXIT_KINDS,
};

struct vcpu {
	struct vm *vm;
	unsigned int id;
	struct hv_vcpu *hv;
	pthread_t thread;
	bool started;
	uint64_t exits[VCPU_NR_EXIT_KINDS];	/* written by the vCPU thread only */
};

/* Start @vcpu's thread: it runs the guest until the VM stops. */
int vcpu_start(struct vcpu *vcpu);
void vcpu_join(struct vcpu *vcpu);
/* Handle one exit (also used by unit tests with a fake exit). */
struct hv_exit;
void vcpu_handle_exit(struct vcpu *vcpu, struct hv_exit *exit);

struct vm {
	struct guest_mem mem;
	struct bus bus;
	struct rules rules;
	const struct hv_ops *hv_ops;
	struct hv *hv;
	struct iothread *io;
	unsigned int nr_cpus;
	struct vcpu *cpus[VMM_MAX_CPUS];
	int fastpath_fd;	/* /dev/mshv_fastpath VM fd, or -1 */
	struct mshv_fp_ring *fastpath_ring; /* its coalesced-write ring, or NULL */
	pthread_mutex_t drain_lock; /* one drainer at a time: keeps write order */
	uint64_t drained[RULE_NR_LAYERS];	/* coalesced writes drained, per rule_layer */
	int drain_timer_fd;	/* timerfd of the drain tick, or -1 */
	int drain_waiters;	/* devices in rules_drain_waiting() */

	pthread_mutex_t stop_lock;
	pthread_cond_t stop_cond;
	enum vm_stop_reason stop_reason;
	char stop_detail[128];
};

/* Zero @vm and set up its locks and rules; no hypervisor yet. */
void vm_init(struct vm *vm);

/*
 * Ask every vCPU and the I/O thread to stop, for @reason. The first
 * reason wins; callable from any thread, including signal-free contexts.
 */
void vm_request_stop(struct vm *vm, enum vm_stop_reason reason,
		     const char *detail_fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool vm_stopping(struct vm *vm);

/* Open the mshv_fastpath module for this VM: 0, or -ENOENT if not loaded. */
int vm_fastpath_open(struct vm *vm);
void vm_fastpath_close(struct vm *vm);
/* Place rules through the VM's backend and module (not in unit tests). */
void vm_use_placer(struct vm *vm);
/*
 * Once the devices exist: if coalesced writes can wait in the kernel,
 * drain them from the I/O thread on a tick. Returns 0 or -errno.
 */
int vm_start_drain_timer(struct vm *vm);
void vm_stop_drain_timer(struct vm *vm);

#endif
