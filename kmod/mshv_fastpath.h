/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal declarations shared by the files of mshv_fastpath.ko.
 *
 * Objects and their lifetimes:
 *
 *   mshv_fp_vm    one per open /dev/mshv_fastpath. Refcounted (kref): the
 *                 file holds one reference, every attached vCPU another, so
 *                 a vCPU may keep running after the VM fd is closed. Owns
 *                 the rules and the coalesced ring.
 *   mshv_fp_vcpu  one per MSHV_FP_ATTACH_VCPU, owned by its anon-inode fd.
 *                 Holds a reference on the hypervisor's vCPU file, which
 *                 keeps the hypervisor's vCPU (and its VM) alive, and
 *                 whatever its adapter set up at attach (mshv: a pinned
 *                 register page) until the adapter's detach().
 *   mshv_fp_krule a rule; read under RCU by running vCPUs, freed after a
 *                 grace period when removed.
 *
 * Locks, outermost first:
 *   mshv_fp_lock (mutex)  the lists of VMs and of attached vCPUs, and
 *                         vm->detached_stats
 *   vm->rules_lock (mutex) rule table updates (readers use RCU)
 *   vcpu->run_lock (mutex) one MSHV_FP_RUN at a time; vcpu->stats
 *   vm->ring_lock (spinlock) the ring's producer side
 */
#ifndef _MSHV_FASTPATH_H
#define _MSHV_FASTPATH_H

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include <linux/mshv_fastpath.h>

#define MSHV_FP_MAX_RULES	256

struct mshv_fp_rule_table;

struct mshv_fp_vm {
	struct kref kref;
	struct list_head node;		/* in mshv_fp_vms while alive, under mshv_fp_lock */
	pid_t owner_tgid;

	struct mutex rules_lock;
	struct mshv_fp_rule_table __rcu *rules;
	u32 next_rule_id;

	spinlock_t ring_lock;
	struct mshv_fp_ring *ring;	/* one page, mapped by userspace */
	u32 ring_last;			/* producer index; the page's copy is untrusted */

	struct mshv_fp_stats detached_stats; /* of vCPUs already detached */
};

/* One guest access, decoded by an adapter from the hypervisor's exit. */
struct mshv_fp_access {
	u64 addr;	/* port or guest physical address */
	u64 data;	/* a write's value, zero-extended */
	u8 space;	/* MSHV_FP_SPACE_* */
	u8 size;	/* bytes: 1, 2, 4 or 8 */
	bool write;
};

/* What the run loop saw of one exit (tracepoint mshv_fastpath:exit). */
enum mshv_fp_exit_kind {
	MSHV_FP_EXIT_PIO = MSHV_FP_SPACE_PIO,
	MSHV_FP_EXIT_MMIO = MSHV_FP_SPACE_MMIO,
	MSHV_FP_EXIT_OTHER,
};

/* One exit as the tracepoints report it. */
struct mshv_fp_exit_seen {
	struct mshv_fp_access access;
	u32 reason;
	u32 rule_id;
	u8 kind;	/* MSHV_FP_EXIT_* */
	u8 action;	/* MSHV_FP_ACTION_*, or MSHV_FP_ACTION_FORWARDED */
};

struct mshv_fp_vcpu;

/*
 * A hypervisor adapter: everything the engine needs to know about one
 * hypervisor. The engine (vcpu.c) never looks at a hypervisor's structures.
 */
struct mshv_fp_adapter {
	u32 hypervisor;			/* MSHV_FP_HV_* */
	const char *name;
	/*
	 * Check that @file is this hypervisor's vCPU and that current owns
	 * it, and the hypervisor-specific fields of @attach; fill vcpu->hv.
	 * On failure, nothing is left for detach() to undo.
	 */
	int (*attach)(struct mshv_fp_vcpu *vcpu, struct file *file,
		      const struct mshv_fp_attach *attach);
	/* Optional: undo attach(), before the vCPU file is released. */
	void (*detach)(struct mshv_fp_vcpu *vcpu);
	/* Enter the guest through the hypervisor's own run ioctl. */
	long (*enter)(struct mshv_fp_vcpu *vcpu);
	/*
	 * Decode the exit that enter() returned. *@reason gets the
	 * hypervisor's own exit code. Returns false when the exit is not a
	 * single access the engine may finish (it then goes to userspace).
	 */
	bool (*decode)(struct mshv_fp_vcpu *vcpu, struct mshv_fp_access *access,
		       u32 *reason);
	/* Finish a handled access; @value answers a read. */
	int (*complete)(struct mshv_fp_vcpu *vcpu,
			const struct mshv_fp_access *access, u64 value);
	/*
	 * The run loop returns -EINTR after finishing an exit itself: make
	 * the run area say "interrupted", so that userspace never sees that
	 * exit as one it has to handle.
	 */
	void (*mark_interrupted)(struct mshv_fp_vcpu *vcpu);
};

struct mshv_fp_vcpu {
	struct mshv_fp_vm *vm;		/* holds a reference */
	struct list_head node;		/* in mshv_fp_vcpus, under mshv_fp_lock */
	const struct mshv_fp_adapter *adapter;
	struct file *hv_file;		/* the hypervisor's vCPU; holds a reference */
	/*
	 * The adapter's view of it: pointers it follows on every exit, kept
	 * here so that an exit touches as few cache lines as possible.
	 */
	struct {
		void *vcpu;		/* the hypervisor's vCPU (mshv: the adapter's) */
		void *exit_area;	/* where exits are described (kvm_run) */
		void *io_data;		/* where port I/O data goes */
	} hv;
	u64 user_area;			/* mshv: the caller's message buffer */
	u32 id;				/* the caller's vCPU number */

	struct mutex run_lock;
	struct mshv_fp_stats stats;	/* written under run_lock */
	/*
	 * When MSHV_FP_RUN last returned; and the forwarded exit it returned
	 * with, with its time in the kernel, until the VMM runs the vCPU
	 * again: the exit is traced then, with its round trip. Under
	 * run_lock.
	 */
	u64 returned_ns;
	bool forwarded_pending;
	struct mshv_fp_exit_seen forwarded;
	u64 forwarded_ns;
	/*
	 * Finished exits not traced yet by exit_batch, the first at
	 * @first_ns. Under run_lock, or at release (no run then).
	 */
	struct {
		u64 first_ns;
		u32 nr;
		struct mshv_fp_exit_record records[MSHV_FP_EXIT_BATCH];
	} trace_batch;
};

/* main.c */
extern struct mutex mshv_fp_lock;
void mshv_fp_vm_put(struct mshv_fp_vm *vm);

/* vm.c */
int mshv_fp_vm_init(struct mshv_fp_vm *vm);
void mshv_fp_vm_destroy(struct mshv_fp_vm *vm);
long mshv_fp_vm_ioctl(struct mshv_fp_vm *vm, unsigned int cmd, unsigned long arg);
int mshv_fp_vm_mmap(struct mshv_fp_vm *vm, struct vm_area_struct *vma);
bool mshv_fp_ring_push(struct mshv_fp_vm *vm, const struct mshv_fp_access *access,
		       u32 vcpu_id, u32 rule_id);
void mshv_fp_stats_add(struct mshv_fp_stats *sum, const struct mshv_fp_stats *s);
/* Under mshv_fp_lock: the VM's totals, attached and detached vCPUs. */
void mshv_fp_vm_stats_locked(struct mshv_fp_vm *vm, struct mshv_fp_stats *sum,
			     unsigned int *nr_vcpus);
void mshv_fp_global_stats(struct mshv_fp_stats *sum, unsigned int *nr_vms,
			  unsigned int *nr_vcpus);

/* rules.c */
int mshv_fp_rules_add(struct mshv_fp_vm *vm, struct mshv_fp_rule *rule);
int mshv_fp_rules_remove(struct mshv_fp_vm *vm, u32 id);
void mshv_fp_rules_free(struct mshv_fp_vm *vm);
int mshv_fp_rules_cache_init(void);
void mshv_fp_rules_cache_exit(void);

/* vcpu.c */
extern struct list_head mshv_fp_vcpus;
long mshv_fp_vcpu_attach(struct mshv_fp_vm *vm, const struct mshv_fp_attach *attach);
int mshv_fp_vcpu_cache_init(void);
void mshv_fp_vcpu_cache_exit(void);

/*
 * The adapters: kvm.c and mshv.c. Their hot-path hooks are called directly
 * (vcpu.c), so they are declared here.
 */
extern const struct mshv_fp_adapter mshv_fp_kvm_adapter;
long kvm_fp_enter(struct mshv_fp_vcpu *vcpu);
bool kvm_fp_decode(struct mshv_fp_vcpu *vcpu, struct mshv_fp_access *access, u32 *reason);
int kvm_fp_complete(struct mshv_fp_vcpu *vcpu, const struct mshv_fp_access *access,
		    u64 value);

extern const struct mshv_fp_adapter mshv_fp_mshv_adapter;
long mshv_vp_fp_enter(struct mshv_fp_vcpu *vcpu);
bool mshv_vp_fp_decode(struct mshv_fp_vcpu *vcpu, struct mshv_fp_access *access,
		       u32 *reason);
int mshv_vp_fp_complete(struct mshv_fp_vcpu *vcpu, const struct mshv_fp_access *access,
			u64 value);

/* sysfs.c */
int mshv_fp_sysfs_init(void);
void mshv_fp_sysfs_exit(void);

/*
 * resvd.c: the check of hyperv_resvd_new, done once at load (init: before
 * sysfs; exit: releases what resvd_claim=1 claimed), and its sysfs files.
 */
struct kobject;
int mshv_fp_resvd_init(void);
void mshv_fp_resvd_exit(void);
int mshv_fp_resvd_sysfs_init(struct kobject *parent);
void mshv_fp_resvd_sysfs_exit(void);

#endif /* _MSHV_FASTPATH_H */
