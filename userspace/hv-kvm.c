// SPDX-License-Identifier: GPL-2.0
/* The KVM backend. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>
#include <linux/mshv_fastpath.h>

#include "hv.h"
#include "machine.h"
#include "vmm.h"

#define KVM_TSS_ADDR		0xfffbd000
#define KVM_IDENTITY_MAP_ADDR	0xfffbc000
#define MSR_IA32_MISC_ENABLE	0x000001a0
#define MISC_ENABLE_FAST_STRING	(1ULL << 0)
#define APIC_LVT_LINT0		0x350
#define APIC_LVT_LINT1		0x360
#define APIC_MODE_NMI		0x4
#define APIC_MODE_EXTINT	0x7

struct hv {
	int kvm_fd;
	int vm_fd;
	int run_size;
	int coalesced_page;	/* KVM_CAP_COALESCED_MMIO: page offset, or 0 */
	bool coalesced_pio;
	int discard_fd;		/* ioeventfd sink for RULE_DISCARD; never read */
	struct kvm_coalesced_mmio_ring *ring; /* mapped through vCPU 0 */
	struct kvm_cpuid2 *cpuid;	/* what KVM supports */
};

struct hv_vcpu {
	struct hv *hv;
	unsigned int id;
	int fd;
	int fastpath_fd;	/* MSHV_FP_RUN on this instead of KVM_RUN, or -1 */
	struct kvm_run *run;
	pthread_t thread;
	bool thread_known;
};

static int kvm_open(struct hv **out, char *err, size_t errlen)
{
	struct hv *hv = calloc(1, sizeof(*hv));

	if (!hv)
		return -ENOMEM;
	hv->vm_fd = hv->discard_fd = -1;
	hv->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (hv->kvm_fd < 0) {
		int ret = -errno;

		snprintf(err, errlen, "cannot open /dev/kvm: %s", strerror(errno));
		free(hv);
		return ret;
	}
	if (ioctl(hv->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		snprintf(err, errlen, "/dev/kvm speaks an unknown API version");
		close(hv->kvm_fd);
		free(hv);
		return -EINVAL;
	}
	*out = hv;
	return 0;
}

static void kvm_close(struct hv *hv)
{
	if (!hv)
		return;
	if (hv->discard_fd >= 0)
		close(hv->discard_fd);
	if (hv->vm_fd >= 0)
		close(hv->vm_fd);
	close(hv->kvm_fd);
	free(hv->cpuid);
	free(hv);
}

static struct kvm_cpuid2 *supported_cpuid(int kvm_fd)
{
	for (unsigned int n = 64; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));

		if (!c)
			return NULL;
		c->nent = n;
		if (!ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c))
			return c;
		free(c);
		if (errno != E2BIG)
			return NULL;
	}
	return NULL;
}

static int kvm_create_vm(struct hv *hv, struct vm *vm, char *err, size_t errlen)
{
	struct kvm_pit_config pit = { 0 };

	(void)vm;
	hv->vm_fd = ioctl(hv->kvm_fd, KVM_CREATE_VM, 0);
	if (hv->vm_fd < 0) {
		snprintf(err, errlen, "KVM_CREATE_VM: %s", strerror(errno));
		return -errno;
	}
	/* Where Intel's VMX keeps real-mode state; outside guest RAM. */
	ioctl(hv->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR);
	ioctl(hv->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &(uint64_t){ KVM_IDENTITY_MAP_ADDR });
	/* In-kernel PIC, IOAPIC, LAPICs and PIT: their exits never reach us. */
	if (ioctl(hv->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0 ||
	    ioctl(hv->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
		snprintf(err, errlen, "in-kernel irqchip/PIT: %s", strerror(errno));
		return -errno;
	}
	hv->run_size = ioctl(hv->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	hv->coalesced_page = ioctl(hv->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_MMIO);
	if (hv->coalesced_page < 0)
		hv->coalesced_page = 0;
	hv->coalesced_pio = ioctl(hv->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_PIO) > 0;
	hv->cpuid = supported_cpuid(hv->kvm_fd);
	if (hv->run_size <= 0 || !hv->cpuid) {
		snprintf(err, errlen, "KVM: cannot read the vCPU area size or CPUID");
		return -EINVAL;
	}
	return 0;
}

static int kvm_map_memory(struct hv *hv, unsigned int slot, uint64_t gpa,
			  uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	return ioctl(hv->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0 ? -errno : 0;
}

/* LINT0 takes the 8259's ExtINT, LINT1 NMIs: what firmware sets up. */
static int setup_lapic(struct hv_vcpu *v)
{
	struct kvm_lapic_state lapic;
	uint32_t *lint0 = (uint32_t *)&lapic.regs[APIC_LVT_LINT0];
	uint32_t *lint1 = (uint32_t *)&lapic.regs[APIC_LVT_LINT1];

	if (ioctl(v->fd, KVM_GET_LAPIC, &lapic) < 0)
		return -errno;
	*lint0 = (*lint0 & ~0x700u) | (APIC_MODE_EXTINT << 8);
	*lint1 = (*lint1 & ~0x700u) | (APIC_MODE_NMI << 8);
	return ioctl(v->fd, KVM_SET_LAPIC, &lapic) < 0 ? -errno : 0;
}

static int kvm_create_vcpu(struct hv *hv, unsigned int id,
			   struct hv_vcpu **out, char *err, size_t errlen)
{
	struct hv_vcpu *v = calloc(1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	v->hv = hv;
	v->id = id;
	v->fastpath_fd = -1;
	v->fd = ioctl(hv->vm_fd, KVM_CREATE_VCPU, id);
	if (v->fd < 0) {
		snprintf(err, errlen, "KVM_CREATE_VCPU %u: %s", id, strerror(errno));
		free(v);
		return -errno;
	}
	v->run = mmap(NULL, hv->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		snprintf(err, errlen, "mmap of vCPU %u: %s", id, strerror(errno));
		close(v->fd);
		free(v);
		return -errno;
	}
	if (hv->coalesced_page && !hv->ring &&
	    (hv->coalesced_page + 1) * 4096 <= hv->run_size)
		hv->ring = (void *)((uint8_t *)v->run + hv->coalesced_page * 4096);
	if (setup_lapic(v) < 0) {
		snprintf(err, errlen, "vCPU %u LAPIC: %s", id, strerror(errno));
		return -errno;
	}
	*out = v;
	return 0;
}

static struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t function,
				       uint32_t index)
{
	for (unsigned int i = 0; i < c->nent; i++)
		if (c->entries[i].function == function && c->entries[i].index == index)
			return &c->entries[i];
	return NULL;
}

/*
 * An emulated host (QEMU TCG under nested KVM) can offer AVX state in
 * XSAVE leaf 0xD without the AVX flag in leaf 1; Linux then warns of an
 * "XSAVE consistency problem". Offer AVX state only with AVX, and size
 * the save area for what is left.
 */
static void drop_xsave_features_without_cpuid(struct kvm_cpuid2 *c)
{
	struct kvm_cpuid_entry2 *leaf1 = cpuid_find(c, 1, 0);
	struct kvm_cpuid_entry2 *xsave = cpuid_find(c, 0xd, 0);
	uint32_t size = 576;	/* legacy area + XSAVE header */

	if (!leaf1 || !xsave || (leaf1->ecx & (1u << 28)))
		return;
	xsave->eax &= ~(1u << 2);
	for (unsigned int bit = 2; bit < 32; bit++) {
		struct kvm_cpuid_entry2 *f = cpuid_find(c, 0xd, bit);

		if ((xsave->eax & (1u << bit)) && f && f->ebx + f->eax > size)
			size = f->ebx + f->eax;
	}
	xsave->ecx = size;
	if (xsave->ebx > size)
		xsave->ebx = size;
}

/*
 * CPUID: what KVM supports, with the hypervisor bit, this vCPU's APIC id,
 * and a flat topology of @nr_cpus single-threaded cores in one package,
 * told the same way in every leaf the guest may read it from.
 */
static int kvm_setup_cpuid(struct hv_vcpu *v, unsigned int nr_cpus)
{
	struct kvm_cpuid2 *src = v->hv->cpuid;
	size_t size = sizeof(*src) + src->nent * sizeof(src->entries[0]);
	struct kvm_cpuid2 *c = malloc(size);
	unsigned int core_bits = 0;
	int ret = 0;

	if (!c)
		return -ENOMEM;
	memcpy(c, src, size);
	while ((1u << core_bits) < nr_cpus)
		core_bits++;
	for (unsigned int i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			e->ebx = (e->ebx & 0xffff) | (v->id << 24) | ((1u << core_bits) << 16);
			e->ecx |= 1u << 31;		/* running on a hypervisor */
			if (nr_cpus > 1)
				e->edx |= 1u << 28;	/* HTT: the count above is valid */
			break;
		case 4:		/* Intel: cores per package */
			e->eax = (e->eax & 0x3ffffff) | (((1u << core_bits) - 1) << 26);
			break;
		case 6:		/* no thermal/power management */
			e->ecx &= ~(1u << 3);
			break;
		case 0xb:	/* Intel: x2APIC topology, one thread per core */
			e->edx = v->id;
			if (e->index == 0) {
				e->eax = 0;
				e->ebx = 1;
				e->ecx = 0x100;
			} else if (e->index == 1) {
				e->eax = core_bits;
				e->ebx = nr_cpus;
				e->ecx = 0x201;
			} else {
				e->eax = e->ebx = 0;
				e->ecx = e->index;
			}
			break;
		case 0x80000001: /* AMD: no CmpLegacy, no topology extensions */
			e->ecx &= ~((1u << 1) | (1u << 22));
			break;
		case 0x80000008: /* AMD: cores per package */
			e->ecx = (core_bits << 12) | (nr_cpus - 1);
			break;
		}
	}
	drop_xsave_features_without_cpuid(c);
	if (ioctl(v->fd, KVM_SET_CPUID2, c) < 0)
		ret = -errno;
	free(c);
	return ret;
}

static void set_segment(struct kvm_segment *s, uint16_t sel, bool code)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel,
		.type = code ? 0xb : 0x3, .present = 1, .dpl = 0,
		.db = !code, .s = 1, .l = code, .g = 1,
	};
}

static int kvm_set_boot_regs(struct hv_vcpu *v, const struct hv_boot_regs *b)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = b->rip, .rsi = b->rsi, .rsp = b->rsp,
				 .rflags = 2 };
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[1];
	} msrs = { .hdr.nmsrs = 1,
		   .e[0] = { .index = MSR_IA32_MISC_ENABLE, .data = MISC_ENABLE_FAST_STRING } };

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	set_segment(&sregs.cs, b->code_sel, true);
	set_segment(&sregs.ds, b->data_sel, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.gdt.base = b->gdt_base;
	sregs.gdt.limit = b->gdt_limit;
	sregs.cr0 = b->cr0;
	sregs.cr3 = b->cr3;
	sregs.cr4 = b->cr4;
	sregs.efer = b->efer;
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0 ||
	    ioctl(v->fd, KVM_SET_REGS, &regs) < 0 ||
	    ioctl(v->fd, KVM_SET_MSRS, &msrs) != 1)
		return -errno ? -errno : -EIO;
	return 0;
}

static int kvm_run(struct hv_vcpu *v, struct hv_exit *exit)
{
	struct kvm_run *run = v->run;
	int ret;

	if (!v->thread_known) {
		v->thread = pthread_self();
		__atomic_store_n(&v->thread_known, true, __ATOMIC_RELEASE);
	}
	if (v->fastpath_fd >= 0)
		ret = ioctl(v->fastpath_fd, MSHV_FP_RUN, 0);
	else
		ret = ioctl(v->fd, KVM_RUN, 0);
	exit->detail[0] = '\0';
	if (ret < 0) {
		if (errno == EINTR || errno == EAGAIN) {
			exit->reason = HV_EXIT_INTR;
			return 0;
		}
		exit->reason = HV_EXIT_ERROR;
		snprintf(exit->detail, sizeof(exit->detail), "%s: %s",
			 v->fastpath_fd >= 0 ? "MSHV_FP_RUN" : "KVM_RUN", strerror(errno));
		return 0;
	}
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		exit->reason = HV_EXIT_IO;
		exit->io.port = run->io.port;
		exit->io.size = run->io.size;
		exit->io.is_write = run->io.direction == KVM_EXIT_IO_OUT;
		exit->io.count = run->io.count;
		exit->io.data = (uint8_t *)run + run->io.data_offset;
		break;
	case KVM_EXIT_MMIO:
		exit->reason = HV_EXIT_MMIO;
		exit->mmio.gpa = run->mmio.phys_addr;
		exit->mmio.len = run->mmio.len;
		exit->mmio.is_write = run->mmio.is_write;
		exit->mmio.data = run->mmio.data;
		break;
	case KVM_EXIT_HLT:
		exit->reason = HV_EXIT_HLT;
		break;
	case KVM_EXIT_SHUTDOWN:
		exit->reason = HV_EXIT_SHUTDOWN;
		snprintf(exit->detail, sizeof(exit->detail), "triple fault");
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		switch (run->system_event.type) {
		case KVM_SYSTEM_EVENT_SHUTDOWN:
			exit->reason = HV_EXIT_POWEROFF;
			break;
		case KVM_SYSTEM_EVENT_RESET:
			exit->reason = HV_EXIT_RESET;
			break;
		default:
			exit->reason = HV_EXIT_SHUTDOWN;
			snprintf(exit->detail, sizeof(exit->detail), "system event %u",
				 run->system_event.type);
		}
		break;
	case KVM_EXIT_INTR:
		exit->reason = HV_EXIT_INTR;
		break;
	case KVM_EXIT_FAIL_ENTRY:
		exit->reason = HV_EXIT_ERROR;
		snprintf(exit->detail, sizeof(exit->detail),
			 "VM entry failed (hardware reason 0x%llx)",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR: {
		struct kvm_regs regs = { 0 };

		/* The guest did what KVM cannot emulate: a crash, at this rip. */
		ioctl(v->fd, KVM_GET_REGS, &regs);
		exit->reason = HV_EXIT_SHUTDOWN;
		snprintf(exit->detail, sizeof(exit->detail),
			 "KVM internal error %u (emulation failed?) at rip 0x%llx",
			 run->internal.suberror, (unsigned long long)regs.rip);
		break;
	}
	default:
		exit->reason = HV_EXIT_ERROR;
		snprintf(exit->detail, sizeof(exit->detail), "unexpected KVM exit %u",
			 run->exit_reason);
	}
	return 0;
}

static void kvm_kick(struct hv_vcpu *v)
{
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_RELEASE);
	if (__atomic_load_n(&v->thread_known, __ATOMIC_ACQUIRE))
		pthread_kill(v->thread, SIGUSR1);
}

static void kvm_destroy_vcpu(struct hv_vcpu *v)
{
	if (!v)
		return;
	if (v->fastpath_fd >= 0)
		close(v->fastpath_fd);
	if (v->hv->ring && (void *)v->hv->ring >= (void *)v->run &&
	    (uint8_t *)v->hv->ring < (uint8_t *)v->run + v->hv->run_size)
		v->hv->ring = NULL;
	munmap(v->run, v->hv->run_size);
	close(v->fd);
	free(v);
}

static int kvm_irq_line(struct hv *hv, unsigned int gsi, int level)
{
	struct kvm_irq_level irq = { .irq = gsi, .level = level };

	return ioctl(hv->vm_fd, KVM_IRQ_LINE, &irq) < 0 ? -errno : 0;
}

static int ioeventfd(struct hv *hv, const struct rule *rule, int fd, bool assign)
{
	struct kvm_ioeventfd io = {
		.datamatch = rule->datamatch,
		.addr = rule->addr,
		.len = rule->len,
		.fd = fd,
		.flags = (rule->space == BUS_PIO ? KVM_IOEVENTFD_FLAG_PIO : 0) |
			 (rule->has_datamatch ? KVM_IOEVENTFD_FLAG_DATAMATCH : 0) |
			 (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
	};

	return ioctl(hv->vm_fd, KVM_IOEVENTFD, &io) < 0 ? -errno : 0;
}

static int coalesced(struct hv *hv, const struct rule *rule, bool assign)
{
	struct kvm_coalesced_mmio_zone zone = {
		.addr = rule->addr,
		.size = rule->len,
		.pio = rule->space == BUS_PIO,
	};

	if (!hv->ring || (rule->space == BUS_PIO && !hv->coalesced_pio))
		return -EOPNOTSUPP;
	return ioctl(hv->vm_fd, assign ? KVM_REGISTER_COALESCED_MMIO :
		     KVM_UNREGISTER_COALESCED_MMIO, &zone) < 0 ? -errno : 0;
}

static int kvm_place_rule(struct hv *hv, struct rule *rule)
{
	switch (rule->kind) {
	case RULE_DOORBELL:
		return ioeventfd(hv, rule, rule->eventfd, true);
	case RULE_COALESCE:
		return coalesced(hv, rule, true);
	case RULE_DISCARD:
		/* An ioeventfd nobody reads: KVM finishes the write, we never see it. */
		if (hv->discard_fd < 0)
			hv->discard_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (hv->discard_fd < 0)
			return -errno;
		return ioeventfd(hv, rule, hv->discard_fd, true);
	default:
		return -EOPNOTSUPP;	/* KVM cannot answer reads in the kernel */
	}
}

static void kvm_unplace_rule(struct hv *hv, struct rule *rule)
{
	if (rule->kind == RULE_DOORBELL)
		ioeventfd(hv, rule, rule->eventfd, false);
	else if (rule->kind == RULE_DISCARD)
		ioeventfd(hv, rule, hv->discard_fd, false);
	else if (rule->kind == RULE_COALESCE)
		coalesced(hv, rule, false);
}

static void kvm_drain(struct hv *hv,
		      void (*fn)(void *ctx, enum bus_space space, uint64_t addr,
				 const uint8_t *data, unsigned int len),
		      void *ctx)
{
	struct kvm_coalesced_mmio_ring *ring = hv->ring;
	uint32_t max = (4096 - sizeof(*ring)) / sizeof(ring->coalesced_mmio[0]);
	uint32_t first, last;

	if (!ring)
		return;
	first = ring->first;
	last = __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE);
	while (first != last && first < max) {
		struct kvm_coalesced_mmio e = ring->coalesced_mmio[first];

		if (e.len <= sizeof(e.data))
			fn(ctx, e.pio ? BUS_PIO : BUS_MMIO, e.phys_addr, e.data, e.len);
		first = (first + 1) % max;
		__atomic_store_n(&ring->first, first, __ATOMIC_RELEASE);
	}
}

static int kvm_fastpath_attach(struct hv_vcpu *v, int fastpath_vm_fd)
{
	struct mshv_fp_attach attach = {
		.hypervisor = MSHV_FP_HV_KVM,
		.vcpu_fd = v->fd,
		.vcpu_id = v->id,
	};
	int fd = ioctl(fastpath_vm_fd, MSHV_FP_ATTACH_VCPU, &attach);

	if (fd < 0)
		return -errno;
	v->fastpath_fd = fd;
	return 0;
}

/* KVM's binary statistics (Linux 5.14+): the few counters we report. */
static void kvm_vcpu_stats(struct hv_vcpu *v, struct hv_vcpu_stats *stats)
{
	struct kvm_stats_header hdr;
	int fd = ioctl(v->fd, KVM_GET_STATS_FD, 0);
	size_t desc_size;
	uint8_t *descs = NULL;

	memset(stats, 0, sizeof(*stats));
	if (fd < 0)
		return;
	if (pread(fd, &hdr, sizeof(hdr), 0) != sizeof(hdr) || hdr.num_desc > 4096 ||
	    hdr.name_size > 256)
		goto out;
	desc_size = sizeof(struct kvm_stats_desc) + hdr.name_size;
	descs = malloc(desc_size * hdr.num_desc);
	if (!descs || pread(fd, descs, desc_size * hdr.num_desc, hdr.desc_offset) !=
		      (ssize_t)(desc_size * hdr.num_desc))
		goto out;
	for (uint32_t i = 0; i < hdr.num_desc; i++) {
		struct kvm_stats_desc *d = (void *)(descs + i * desc_size);
		uint64_t *field = NULL, value;

		d->name[hdr.name_size - 1] = '\0';
		if (!strcmp(d->name, "exits"))
			field = &stats->exits;
		else if (!strcmp(d->name, "io_exits"))
			field = &stats->io_exits;
		else if (!strcmp(d->name, "mmio_exits"))
			field = &stats->mmio_exits;
		else if (!strcmp(d->name, "halt_exits"))
			field = &stats->halt_exits;
		if (field && pread(fd, &value, sizeof(value), hdr.data_offset + d->offset) ==
			     sizeof(value)) {
			*field = value;
			stats->valid = true;
		}
	}
out:
	free(descs);
	close(fd);
}

static void kvm_dump_regs(struct hv_vcpu *v, char *buf, size_t len)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0) {
		snprintf(buf, len, "registers unavailable");
		return;
	}
	snprintf(buf, len, "rip=0x%llx rsp=0x%llx rflags=0x%llx cr0=0x%llx cr3=0x%llx "
		 "cr4=0x%llx efer=0x%llx",
		 (unsigned long long)r.rip, (unsigned long long)r.rsp,
		 (unsigned long long)r.rflags, (unsigned long long)s.cr0,
		 (unsigned long long)s.cr3, (unsigned long long)s.cr4,
		 (unsigned long long)s.efer);
}

const struct hv_ops hv_kvm_ops = {
	.name = "kvm",
	.open = kvm_open,
	.close = kvm_close,
	.create_vm = kvm_create_vm,
	.map_memory = kvm_map_memory,
	.create_vcpu = kvm_create_vcpu,
	.setup_cpuid = kvm_setup_cpuid,
	.set_boot_regs = kvm_set_boot_regs,
	.run = kvm_run,
	.kick = kvm_kick,
	.destroy_vcpu = kvm_destroy_vcpu,
	.irq_line = kvm_irq_line,
	.place_rule = kvm_place_rule,
	.unplace_rule = kvm_unplace_rule,
	.drain = kvm_drain,
	.fastpath_attach = kvm_fastpath_attach,
	.vcpu_stats = kvm_vcpu_stats,
	.dump_regs = kvm_dump_regs,
};
