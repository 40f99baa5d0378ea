// SPDX-License-Identifier: GPL-2.0
/* --stats: rule placement and exit counts, for people or (--stats=json) programs. */
#include <inttypes.h>
#include <sys/ioctl.h>

#include <linux/mshv_fastpath.h>

#include "hv.h"
#include "json.h"
#include "stats.h"
#include "vmm.h"

struct exit_totals {
	struct hv_vcpu_stats hv;		/* summed over vCPUs */
	struct mshv_fp_stats module;
	bool module_valid;
	uint64_t user[VCPU_NR_EXIT_KINDS];
	uint64_t user_total;
};

static const char *const exit_kind_names[VCPU_NR_EXIT_KINDS] = {
	[VCPU_EXIT_PIO_READ] = "pio_read",
	[VCPU_EXIT_PIO_WRITE] = "pio_write",
	[VCPU_EXIT_MMIO_READ] = "mmio_read",
	[VCPU_EXIT_MMIO_WRITE] = "mmio_write",
	[VCPU_EXIT_HLT] = "hlt",
	[VCPU_EXIT_OTHER] = "other",
};

static void collect(struct vm *vm, struct exit_totals *t)
{
	*t = (struct exit_totals){ 0 };
	t->hv.valid = true;
	for (unsigned int i = 0; i < vm->nr_cpus; i++) {
		struct vcpu *v = vm->cpus[i];
		struct hv_vcpu_stats s;

		vm->hv_ops->vcpu_stats(v->hv, &s);
		t->hv.valid &= s.valid;
		t->hv.exits += s.exits;
		t->hv.io_exits += s.io_exits;
		t->hv.mmio_exits += s.mmio_exits;
		t->hv.halt_exits += s.halt_exits;
		for (unsigned int k = 0; k < VCPU_NR_EXIT_KINDS; k++) {
			t->user[k] += v->exits[k];
			t->user_total += v->exits[k];
		}
	}
	if (vm->fastpath_fd >= 0)
		t->module_valid = !ioctl(vm->fastpath_fd, MSHV_FP_GET_STATS, &t->module);
}

static uint64_t module_handled(const struct exit_totals *t)
{
	uint64_t sum = 0;

	for (unsigned int a = 0; a < MSHV_FP_NR_ACTIONS; a++)
		sum += t->module.handled[a];
	return sum;
}

static void print_text(struct vm *vm, FILE *out, const struct exit_totals *t,
		       const char *module_state)
{
	fprintf(out, "\nmshv-vmm stats: hypervisor %s, fast-path module %s\n",
		vm->hv_ops->name, module_state);
	fprintf(out, "  %-28s %-11s %-11s %s\n", "rule", "kind", "placed in",
		"reached userspace");
	for (struct rule *r = vm->rules.head; r; r = r->next)
		fprintf(out, "  %-28s %-11s %-11s %" PRIu64 "\n", r->name,
			rule_kind_name(r->kind), rule_layer_name(r->layer), r->userspace_hits);
	if (t->hv.valid)
		fprintf(out, "  exits taken by the hypervisor:  %" PRIu64
			" (all reasons; port I/O %" PRIu64 ", halt %" PRIu64 ")\n",
			t->hv.exits, t->hv.io_exits, t->hv.halt_exits);
	if (t->module_valid)
		fprintf(out, "  handled in the module:          %" PRIu64
			" (doorbell %llu, coalesce %llu, fixed-read %llu, discard %llu;"
			" %llu forwarded)\n", module_handled(t),
			(unsigned long long)t->module.handled[MSHV_FP_ACTION_DOORBELL],
			(unsigned long long)t->module.handled[MSHV_FP_ACTION_COALESCE],
			(unsigned long long)t->module.handled[MSHV_FP_ACTION_FIXED_READ],
			(unsigned long long)t->module.handled[MSHV_FP_ACTION_COUNT],
			(unsigned long long)t->module.forwarded);
	fprintf(out, "  coalesced writes drained:       %" PRIu64 " from the hypervisor, %"
		PRIu64 " from the module\n", vm->drained[RULE_IN_HYPERVISOR],
		vm->drained[RULE_IN_MODULE]);
	fprintf(out, "  exits that reached userspace:   %" PRIu64
		" (port I/O read %" PRIu64 ", write %" PRIu64 "; MMIO read %" PRIu64
		", write %" PRIu64 "; halt %" PRIu64 "; other %" PRIu64 ")\n",
		t->user_total, t->user[VCPU_EXIT_PIO_READ], t->user[VCPU_EXIT_PIO_WRITE],
		t->user[VCPU_EXIT_MMIO_READ], t->user[VCPU_EXIT_MMIO_WRITE],
		t->user[VCPU_EXIT_HLT], t->user[VCPU_EXIT_OTHER]);
	fprintf(out, "  accesses no device claimed:     port I/O %" PRIu64 ", MMIO %" PRIu64 "\n",
		vm->bus.unclaimed[BUS_PIO], vm->bus.unclaimed[BUS_MMIO]);
}

static void print_json(struct vm *vm, FILE *out, const struct exit_totals *t,
		       const char *module_state)
{
	const char *sep = "";

	fprintf(out, "{\"hypervisor\": ");
	json__string(out, vm->hv_ops->name);
	fprintf(out, ", \"module\": ");
	json__string(out, module_state);
	fprintf(out, ", \"cpus\": %u, \"guest_mem_bytes\": %" PRIu64
		", \"guest_mem_addr\": \"%p\", \"rules\": [", vm->nr_cpus, vm->mem.size,
		(void *)vm->mem.base);
	for (struct rule *r = vm->rules.head; r; r = r->next, sep = ", ") {
		fprintf(out, "%s{\"name\": ", sep);
		json__string(out, r->name);
		fprintf(out, ", \"kind\": \"%s\", \"layer\": \"%s\", \"userspace_hits\": %" PRIu64 "}",
			rule_kind_name(r->kind), rule_layer_name(r->layer), r->userspace_hits);
	}
	fprintf(out, "], \"exits\": {\"hypervisor\": ");
	if (t->hv.valid)
		fprintf(out, "%" PRIu64, t->hv.exits);
	else
		fprintf(out, "null");
	fprintf(out, ", \"module_handled\": %" PRIu64 ", \"userspace\": %" PRIu64,
		t->module_valid ? module_handled(t) : 0, t->user_total);
	for (unsigned int k = 0; k < VCPU_NR_EXIT_KINDS; k++)
		fprintf(out, ", \"userspace_%s\": %" PRIu64, exit_kind_names[k], t->user[k]);
	fprintf(out, "}, \"drained\": {\"hypervisor\": %" PRIu64 ", \"module\": %" PRIu64 "}"
		", \"unclaimed\": {\"pio\": %" PRIu64 ", \"mmio\": %" PRIu64 "}}\n",
		vm->drained[RULE_IN_HYPERVISOR], vm->drained[RULE_IN_MODULE],
		vm->bus.unclaimed[BUS_PIO], vm->bus.unclaimed[BUS_MMIO]);
}

void vm_print_stats(struct vm *vm, FILE *out, bool json, const char *module_state)
{
	struct exit_totals t;

	collect(vm, &t);
	if (json)
		print_json(vm, out, &t, module_state);
	else
		print_text(vm, out, &t, module_state);
	fflush(out);
}
