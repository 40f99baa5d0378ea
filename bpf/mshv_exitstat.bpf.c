// SPDX-License-Identifier: GPL-2.0
/*
 * mshv-exitstat's BPF side: where every VM exit goes and how long it takes.
 *
 * Two sources (mshv-exitstat loads the programs of those it uses). The
 * mshv_fastpath module's tracepoints say which exits it finished in the
 * kernel and which it forwarded, with the times; kvm:kvm_exit may add the
 * hardware's exit reasons. Without the module (or -s kvm), KVM's
 * tracepoints follow every exit: kvm_exit, then kvm_entry (KVM finished
 * it) or kvm_userspace_exit (the VMM will).
 *
 * Tracing must not slow the guest down much, so: raw tracepoints (no trace
 * record is built); one lookup of this CPU's tables, inlined. On the
 * module's path one program run per batch of up to 32 exits, no clock read
 * and no state of ours: the module traces an exit once it is finished,
 * with its times. KVM's path, one or more program runs per exit, keeps the
 * thread's pending exit in task storage and reads the clock.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "kvm_tp.h"
#include "mshv_exitstat.h"

/* Set by mshv-exitstat before loading. 0: no filter. */
const volatile __u32 filter_tgid;
const volatile __u32 filter_tid;
const volatile bool filter_vcpu_on;
const volatile __u32 filter_vcpu;
/* KVM's tracepoints follow every exit (else kvm_exit counts reasons only). */
const volatile bool kvm_follows_exits;

/* Advanced by mshv-exitstat at every interval: min and max restart. */
__u64 interval_gen;

/* One element per possible CPU (mshv-exitstat sets max_entries). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exitstat_cpu);
} cpus SEC(".maps");

/* What a vCPU thread is in the middle of. */
struct thread_state {
	__u64 exit_ns;		/* kvm_exit seen at, not yet entered again; 0: none */
	__u64 user_ns;		/* KVM_RUN returned at, after a forwarded exit; 0: no */
	struct exitstat_key key;	/* the pending or forwarded exit's row */
	__u8 left_kvm;		/* KVM_RUN returned since that kvm_exit */
};

/* Task storage: no hashing per event, and gone with the thread. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct thread_state);
} threads SEC(".maps");

/* This CPU's tables; NULL only if the CPU is beyond max_entries. */
static __always_inline struct exitstat_cpu *this_cpu(void)
{
	__u32 cpu = bpf_get_smp_processor_id();

	return bpf_map_lookup_elem(&cpus, &cpu);
}

static __always_inline void count(struct exitstat_cpu *t, __u32 counter)
{
	if (counter < EXITSTAT_NR_COUNTERS)
		t->counters[counter]++;
}

static __always_inline bool wanted_thread(void)
{
	__u64 id;

	if (!filter_tgid && !filter_tid)
		return true;
	id = bpf_get_current_pid_tgid();
	if (filter_tgid && (__u32)(id >> 32) != filter_tgid)
		return false;
	return !filter_tid || (__u32)id == filter_tid;
}

static __always_inline bool wanted_vcpu(__u32 vcpu_id)
{
	return !filter_vcpu_on || vcpu_id == filter_vcpu;
}

static __always_inline struct thread_state *thread_get(bool create)
{
	struct thread_state *st;
	struct exitstat_cpu *t;

	st = bpf_task_storage_get(&threads, bpf_get_current_task_btf(), 0,
				  create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	if (!st && create) {
		t = this_cpu();
		if (t)
			count(t, EXITSTAT_CNT_DROPPED);
	}
	return st;
}

/* 1 if @x (below 2^32) is not 0, without a branch. */
static __always_inline __u64 nonzero(__u64 x)
{
	__u64 b = (x + 0xffffffffULL) >> 32;

	/* Keep clang from turning it back into a compare and a branch. */
	barrier_var(b);
	return b;
}

/*
 * floor(log2(v)) + 1, 0 for 0: slot s holds [2^(s-1), 2^s). Without
 * branches: in an emulator each branch target costs a lookup, and this
 * runs on every exit.
 */
static __always_inline __u32 log2_slot(__u64 v)
{
	__u64 s = 0, b;

	b = nonzero(v >> 32) << 5; v >>= b; s += b;
	b = nonzero(v >> 16) << 4; v >>= b; s += b;
	b = nonzero(v >> 8) << 3; v >>= b; s += b;
	b = nonzero(v >> 4) << 2; v >>= b; s += b;
	b = nonzero(v >> 2) << 1; v >>= b; s += b;
	b = nonzero(v >> 1); v >>= b; s += b;
	return s + v;
}

static __always_inline void hist_add(struct exitstat_cpu *t, __u32 hist, __u64 ns)
{
	__u32 slot = log2_slot(ns);

	if (slot >= EXITSTAT_HIST_SLOTS)
		slot = EXITSTAT_HIST_SLOTS - 1;
	/* The verifier wants the bound on the register used as the index. */
	barrier_var(slot);
	if (hist < EXITSTAT_NR_HISTS && slot < EXITSTAT_HIST_SLOTS)
		t->hists[hist][slot]++;
}

static __always_inline __u64 key_word(const struct exitstat_key *key, int i)
{
	return ((const __u64 *)key)[i];
}

/* The key's row in this CPU's table, claiming a free slot; NULL: no room. */
static __always_inline struct exitstat_row *row_get(struct exitstat_cpu *t,
						    const struct exitstat_key *key)
{
	__u64 w0 = key_word(key, 0), w1 = key_word(key, 1);
	__u32 hash = ((w0 ^ (w1 * 0x9e3779b97f4a7c15ULL)) * 0xff51afd7ed558ccdULL) >> 40;

	for (int i = 0; i < EXITSTAT_ROW_PROBES; i++) {
		struct exitstat_slot *slot = &t->slots[(hash + i) & (EXITSTAT_ROW_SLOTS - 1)];

		if (!slot->row.used) {
			slot->key = *key;
			/*
			 * mshv-exitstat reads a row only once its key is
			 * whole: the key is stored first (BPF has no fence;
			 * x86 keeps stores in order, the compiler must too).
			 */
			asm volatile("" ::: "memory");
			slot->row.used = 1;
			return &slot->row;
		}
		if (key_word(&slot->key, 0) == w0 && key_word(&slot->key, 1) == w1)
			return &slot->row;
	}
	count(t, EXITSTAT_CNT_DROPPED);
	return NULL;
}

/* Count an exit in its row (@exits 1) and/or give it a time (@timed). */
static __always_inline void row_add(struct exitstat_cpu *t, const struct exitstat_key *key,
				    __u64 exits, bool timed, __u64 ns)
{
	struct exitstat_row *row = row_get(t, key);
	/* +1: a row never timed (gen 0) starts its min and max too. */
	__u32 gen = interval_gen + 1;

	if (!row)
		return;
	row->count += exits;
	if (!timed)
		return;
	row->timed++;
	row->time_ns += ns;
	if (row->gen != gen || ns < row->min_ns)
		row->min_ns = ns;
	if (row->gen != gen || ns > row->max_ns)
		row->max_ns = ns;
	row->gen = gen;
}

/*
 * ---- The module's tracepoint ----
 * exit_batch, raw: the arguments as kmod/trace.h's TP_PROTO has them. The
 * module traces an exit once it is finished, forwarded ones with their
 * round trip, so one record says all about one exit; and up to
 * MSHV_FP_TP_EXIT_BATCH records in one program run.
 */

/*
 * Count one record. A global function: the verifier checks it once, not
 * once per record of a batch (a loop it would walk 32 times).
 */
__noinline int fp_exit_add(struct exitstat_cpu *t, const struct mshv_fp_tp_exit_record *rec,
			   __u32 hypervisor)
{
	struct exitstat_key key;

	if (!t || !rec)
		return 0;
	key = (struct exitstat_key) { .kind = rec->kind, .by = rec->action,
				      .write = rec->write };
	if (rec->kind == EXITSTAT_KIND_OTHER) {
		key.reason = rec->reason;
		key.reason_space = hypervisor == MSHV_FP_TP_HV_MSHV ? EXITSTAT_REASON_HVMSG :
						     EXITSTAT_REASON_KVM_RUN;
	} else {
		key.addr = rec->addr;
	}
	if (rec->action != EXITSTAT_FORWARDED) {
		row_add(t, &key, 1, true, rec->ns);
		hist_add(t, EXITSTAT_HIST_KERNEL, rec->ns);
	} else if (rec->user_ns) {
		/* Its time is the round trip through the VMM. */
		row_add(t, &key, 1, true, rec->user_ns);
		hist_add(t, EXITSTAT_HIST_USER, rec->user_ns);
	} else {
		/* The vCPU was detached, never run again after it. */
		row_add(t, &key, 1, false, 0);
	}
	return 0;
}

SEC("raw_tp/exit_batch")
int BPF_PROG(fp_exit_batch, __u32 vcpu_id, __u8 hypervisor,
	     const struct mshv_fp_tp_exit_record *records, __u32 nr)
{
	struct exitstat_cpu *t;
	__u64 size;

	if (!wanted_thread() || !wanted_vcpu(vcpu_id))
		return 0;
	t = this_cpu();
	if (!t)
		return 0;
	if (nr > MSHV_FP_TP_EXIT_BATCH)
		nr = MSHV_FP_TP_EXIT_BATCH;
	size = (__u64)nr * sizeof(t->batch[0]);
	/* The verifier wants the bound on the register passed. */
	barrier_var(size);
	/* One copy of the whole batch into this CPU's element. */
	if (size > sizeof(t->batch) || bpf_probe_read_kernel(t->batch, size, records)) {
		t->counters[EXITSTAT_CNT_DROPPED] += nr;
		return 0;
	}
	for (__u32 i = 0; i < MSHV_FP_TP_EXIT_BATCH && i < nr; i++)
		fp_exit_add(t, &t->batch[i], hypervisor);
	return 0;
}

/*
 * ---- KVM's tracepoints ----
 * kvm_exit is read from its record: a raw tracepoint would only have the
 * vCPU, the exit reason is what the record's assignment asks the vendor
 * module for. The others are raw: their arguments are scalars, the same
 * from 5.15 to 6.12 (kvm_entry's are not read).
 */

SEC("tracepoint/kvm/kvm_exit")
int kvm_exit(struct kvm_tp_exit *ctx)
{
	__u32 reason = ctx->exit_reason, slot, space;
	struct exitstat_key key = { .kind = EXITSTAT_KIND_OTHER, .by = EXITSTAT_BY_KVM };
	struct exitstat_cpu *t;
	struct thread_state *st;

	if (!wanted_thread() || !wanted_vcpu(ctx->vcpu_id))
		return 0;
	t = this_cpu();
	if (!t)
		return 0;
	if (ctx->isa == KVM_TP_ISA_SVM) {
		slot = reason < EXITSTAT_SVM_SLOTS ? reason : EXITSTAT_SVM_SLOTS - 1;
		space = EXITSTAT_REASON_SVM;
		if (reason == SVM_EXIT_IOIO) {
			key.kind = EXITSTAT_KIND_PIO;
			key.addr = (ctx->info1 >> 16) & 0xffff;
			key.write = !(ctx->info1 & SVM_IOIO_TYPE_IN);
		}
	} else {
		reason &= 0xffff;	/* the basic exit reason */
		slot = EXITSTAT_SVM_SLOTS + (reason < EXITSTAT_VMX_SLOTS ? reason :
					     EXITSTAT_VMX_SLOTS - 1);
		space = EXITSTAT_REASON_VMX;
		if (reason == VMX_EXIT_IO_INSTRUCTION) {
			key.kind = EXITSTAT_KIND_PIO;
			key.addr = (ctx->info1 >> 16) & 0xffff;
			key.write = !(ctx->info1 & VMX_IO_DIRECTION_IN);
		}
	}
	barrier_var(slot);
	if (slot < EXITSTAT_REASON_SLOTS)
		t->reasons[slot]++;
	if (!kvm_follows_exits)
		return 0;

	if (key.kind == EXITSTAT_KIND_OTHER) {
		key.reason = reason;
		key.reason_space = space;
	}
	st = thread_get(true);
	if (!st)
		return 0;
	st->exit_ns = bpf_ktime_get_ns();
	st->left_kvm = 0;
	st->key = key;
	return 0;
}

/* An MMIO access, in the kernel or on its way to userspace: the pending exit's address. */
SEC("raw_tp/kvm_mmio")
int BPF_PROG(kvm_mmio, int type, int len, __u64 gpa)
{
	struct thread_state *st = thread_get(false);

	if (!st || !st->exit_ns || st->left_kvm)
		return 0;
	st->key.kind = EXITSTAT_KIND_MMIO;
	st->key.addr = gpa;
	st->key.write = type == KVM_TP_MMIO_WRITE;
	st->key.reason = 0;
	st->key.reason_space = 0;
	return 0;
}

/* KVM_RUN returns: @err < 0 for an error (a signal: -EINTR). */
SEC("raw_tp/kvm_userspace_exit")
int BPF_PROG(kvm_userspace_exit, __u32 reason, int err)
{
	struct thread_state *st = thread_get(false);
	struct exitstat_cpu *t;

	if (!st || !st->exit_ns || st->left_kvm)
		return 0;
	st->left_kvm = 1;
	if (err) {
		/* Back to userspace for a signal, not for this exit. */
		st->key.kind = EXITSTAT_KIND_OTHER;
		st->key.addr = 0;
		st->key.write = 0;
		st->key.reason = reason;
		st->key.reason_space = EXITSTAT_REASON_KVM_RUN;
	}
	st->key.by = EXITSTAT_KVM_FORWARDED;
	t = this_cpu();
	if (t)
		row_add(t, &st->key, 1, false, 0);
	st->user_ns = bpf_ktime_get_ns();
	return 0;
}

/*
 * The thread enters the guest. Only threads kvm_exit chose (the filters)
 * have a state: no filter here.
 */
SEC("raw_tp/kvm_entry")
int BPF_PROG(kvm_entry)
{
	struct thread_state *st = thread_get(false);
	struct exitstat_cpu *t;
	__u64 now, ns;

	if (!st)
		return 0;
	t = this_cpu();
	if (!t)
		return 0;
	now = bpf_ktime_get_ns();
	if (st->user_ns) {
		/* The round trip of the exit KVM_RUN returned with. */
		ns = now - st->user_ns;
		row_add(t, &st->key, 0, true, ns);
		hist_add(t, EXITSTAT_HIST_USER, ns);
		st->user_ns = 0;
	}
	if (st->exit_ns && !st->left_kvm) {
		/* KVM finished this exit itself. */
		ns = now - st->exit_ns;
		row_add(t, &st->key, 1, true, ns);
		hist_add(t, EXITSTAT_HIST_KERNEL, ns);
	}
	st->exit_ns = 0;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
