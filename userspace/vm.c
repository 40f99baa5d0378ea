// SPDX-License-Identifier: GPL-2.0
/*
 * The VM object: its stop state, and the placer that puts the devices'
 * rules into the hypervisor or the mshv_fastpath module.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <linux/mshv_fastpath.h>

#include "fastpath.h"
#include "hv.h"
#include "iothread.h"
#include "vmm.h"

void vm_init(struct vm *vm)
{
	memset(vm, 0, sizeof(*vm));
	rules_init(&vm->rules);
	pthread_mutex_init(&vm->stop_lock, NULL);
	pthread_cond_init(&vm->stop_cond, NULL);
	pthread_mutex_init(&vm->drain_lock, NULL);
	vm->fastpath_fd = -1;
	vm->drain_timer_fd = -1;
}

void vm_request_stop(struct vm *vm, enum vm_stop_reason reason,
		     const char *detail_fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&vm->stop_lock);
	if (vm->stop_reason == VM_RUNNING) {
		vm->stop_reason = reason;
		va_start(ap, detail_fmt);
		vsnprintf(vm->stop_detail, sizeof(vm->stop_detail), detail_fmt, ap);
		va_end(ap);
		pthread_cond_broadcast(&vm->stop_cond);
	}
	pthread_mutex_unlock(&vm->stop_lock);
	if (vm->hv_ops)
		for (unsigned int i = 0; i < vm->nr_cpus; i++)
			if (vm->cpus[i] && vm->cpus[i]->hv)
				vm->hv_ops->kick(vm->cpus[i]->hv);
}

bool vm_stopping(struct vm *vm)
{
	return __atomic_load_n(&vm->stop_reason, __ATOMIC_ACQUIRE) != VM_RUNNING;
}

/* Module actions for our rule kinds. */
static const uint8_t module_action[RULE_NR_KINDS] = {
	[RULE_DOORBELL] = MSHV_FP_ACTION_DOORBELL,
	[RULE_COALESCE] = MSHV_FP_ACTION_COALESCE,
	[RULE_FIXED_READ] = MSHV_FP_ACTION_FIXED_READ,
	[RULE_DISCARD] = MSHV_FP_ACTION_COUNT,
};

static int module_place(struct vm *vm, struct rule *rule)
{
	struct mshv_fp_rule r = {
		.space = rule->space == BUS_PIO ? MSHV_FP_SPACE_PIO : MSHV_FP_SPACE_MMIO,
		.access = rule->kind == RULE_FIXED_READ ? MSHV_FP_ACCESS_READ :
							 MSHV_FP_ACCESS_WRITE,
		.action = module_action[rule->kind],
		.addr = rule->addr,
		.len = rule->len,
		.datamatch = rule->datamatch,
		.value = rule->value,
		.eventfd = rule->kind == RULE_DOORBELL ? rule->eventfd : -1,
		.flags = rule->has_datamatch ? MSHV_FP_RULE_DATAMATCH : 0,
	};

	if (vm->fastpath_fd < 0)
		return -ENODEV;
	if (rule->kind == RULE_COALESCE && !vm->fastpath_ring)
		return -ENODEV;
	if (ioctl(vm->fastpath_fd, MSHV_FP_ADD_RULE, &r) < 0)
		return -errno;
	rule->module_id = r.id;
	return 0;
}

static int vm_place_rule(void *ctx, struct rule *rule, enum rule_layer layer)
{
	struct vm *vm = ctx;

	switch (layer) {
	case RULE_IN_HYPERVISOR:
		return vm->hv_ops->place_rule(vm->hv, rule);
	case RULE_IN_MODULE:
		return module_place(vm, rule);
	default:
		return -EINVAL;
	}
}

static void vm_unplace_rule(void *ctx, struct rule *rule)
{
	struct vm *vm = ctx;

	if (rule->layer == RULE_IN_HYPERVISOR)
		vm->hv_ops->unplace_rule(vm->hv, rule);
	else if (rule->layer == RULE_IN_MODULE)
		ioctl(vm->fastpath_fd, MSHV_FP_REMOVE_RULE, (unsigned long)rule->module_id);
}

static void deliver_write(void *ctx, enum bus_space space, uint64_t addr,
			  const uint8_t *data, unsigned int len)
{
	struct vm *vm = ctx;
	uint8_t buf[8];

	if (len > sizeof(buf))
		return;
	memcpy(buf, data, len);
	bus_access(&vm->bus, space, addr, buf, len, true);
}

static void drain_module_ring(struct vm *vm)
{
	struct mshv_fp_ring *ring = vm->fastpath_ring;
	uint32_t first = ring->first;
	/* Acquire: the entries the kernel wrote before it moved last. */
	uint32_t last = __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE);
	uint32_t nr = ring->nr_entries;

	if (!nr || nr > (MSHV_FP_RING_SIZE - sizeof(*ring)) / sizeof(ring->entries[0]))
		return;
	while (first != last && first < nr) {
		struct mshv_fp_ring_entry e = ring->entries[first];
		uint8_t data[8];

		memcpy(data, &e.data, sizeof(data));
		if (e.len <= 8)
			deliver_write(vm, e.space == MSHV_FP_SPACE_PIO ? BUS_PIO : BUS_MMIO,
				      e.addr, data, e.len);
		vm->drained[RULE_IN_MODULE]++;
		first = (first + 1) % nr;
		__atomic_store_n(&ring->first, first, __ATOMIC_RELEASE);
	}
}

static void count_hv_drained(void *ctx, enum bus_space space, uint64_t addr,
			     const uint8_t *data, unsigned int len)
{
	struct vm *vm = ctx;

	vm->drained[RULE_IN_HYPERVISOR]++;
	deliver_write(vm, space, addr, data, len);
}

/*
 * One drainer at a time, so that coalesced writes reach their device in
 * the order the guest made them.
 */
static void vm_drain(void *ctx)
{
	struct vm *vm = ctx;

	pthread_mutex_lock(&vm->drain_lock);
	if (vm->hv_ops->drain)
		vm->hv_ops->drain(vm->hv, count_hv_drained, vm);
	if (vm->fastpath_ring)
		drain_module_ring(vm);
	pthread_mutex_unlock(&vm->drain_lock);
}

int vm_fastpath_open(struct vm *vm)
{
	struct mshv_fp_version version;
	void *ring;

	vm->fastpath_fd = fastpath__open(&version);
	if (vm->fastpath_fd < 0)
		return vm->fastpath_fd;
	/* A module of another ABI major, or one without rules, cannot take ours. */
	if (version.abi_major != MSHV_FP_ABI_MAJOR ||
	    !(version.capabilities & (1ULL << MSHV_FP_CAP_RULES))) {
		vm_fastpath_close(vm);
		return -EPROTO;
	}
	ring = mmap(NULL, MSHV_FP_RING_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		    vm->fastpath_fd, 0);
	vm->fastpath_ring = ring == MAP_FAILED ? NULL : ring;
	return 0;
}

/*
 * The drain tick: fast while a device waits on its coalesced writes, slow
 * otherwise, as a backstop for output followed by a long quiet spell.
 */
#define DRAIN_FAST_NS	1000000
#define DRAIN_SLOW_NS	50000000

static void set_drain_tick(struct vm *vm, long ns)
{
	struct itimerspec every = { .it_interval.tv_nsec = ns, .it_value.tv_nsec = ns };

	if (vm->drain_timer_fd >= 0)
		timerfd_settime(vm->drain_timer_fd, 0, &every, NULL);
}

static void vm_drain_waiting(void *ctx, bool waiting)
{
	struct vm *vm = ctx;
	int waiters = __atomic_add_fetch(&vm->drain_waiters, waiting ? 1 : -1,
					 __ATOMIC_ACQ_REL);

	if (waiting && waiters == 1)
		set_drain_tick(vm, DRAIN_FAST_NS);
	else if (!waiting && waiters == 0)
		set_drain_tick(vm, DRAIN_SLOW_NS);
}

static void drain_tick(void *opaque)
{
	struct vm *vm = opaque;
	uint64_t expirations;

	if (read(vm->drain_timer_fd, &expirations, sizeof(expirations)) > 0)
		vm_drain(vm);
}

int vm_start_drain_timer(struct vm *vm)
{
	bool needed = false;

	for (struct rule *r = vm->rules.head; r; r = r->next)
		needed |= r->kind == RULE_COALESCE && r->layer != RULE_IN_USERSPACE;
	if (!needed)
		return 0;
	vm->drain_timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (vm->drain_timer_fd < 0)
		return -errno;
	set_drain_tick(vm, __atomic_load_n(&vm->drain_waiters, __ATOMIC_ACQUIRE) ?
		       DRAIN_FAST_NS : DRAIN_SLOW_NS);
	return iothread_watch(vm->io, vm->drain_timer_fd, drain_tick, vm);
}

void vm_stop_drain_timer(struct vm *vm)
{
	if (vm->drain_timer_fd < 0)
		return;
	close(vm->drain_timer_fd);
	vm->drain_timer_fd = -1;
}

void vm_use_placer(struct vm *vm)
{
	vm->rules.placer = (struct rules_placer){
		.place = vm_place_rule,
		.unplace = vm_unplace_rule,
		.drain = vm_drain,
		.drain_waiting = vm_drain_waiting,
		.ctx = vm,
	};
}

void vm_fastpath_close(struct vm *vm)
{
	if (vm->fastpath_ring)
		munmap(vm->fastpath_ring, MSHV_FP_RING_SIZE);
	vm->fastpath_ring = NULL;
	if (vm->fastpath_fd >= 0)
		close(vm->fastpath_fd);
	vm->fastpath_fd = -1;
}
