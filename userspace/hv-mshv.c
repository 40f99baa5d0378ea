// SPDX-License-Identifier: GPL-2.0
/*
 * The mshv backend: /dev/mshv, the Microsoft Hypervisor's root driver, in
 * both of its ABIs (upstream Linux >= 6.15, and the 2023 driver of Azure's
 * Mariner 5.15 kernels). mshv_probe() says which one runs; every ABI
 * difference is one branch or one table entry in the operation it touches.
 *
 * Unlike KVM, mshv leaves the VMM more to do:
 *  - no in-kernel IOAPIC, PIC or PIT: the IOAPIC is userspace (ioapic.c),
 *    its interrupts reach the hypervisor's local APICs through MSI routes
 *    and irqfds; the guest finds its timers through the hypervisor's
 *    enlightenments (the synthetic processor features below);
 *  - no instruction emulator: an MMIO intercept carries the instruction
 *    bytes and the VMM decodes the MOV (x86-emul.c), and string port I/O
 *    is run here;
 *  - an intercept is finished by writing RIP and the GPRs back, through
 *    the VP's register page or the register hypercalls.
 * Sources: the upstream driver (drivers/hv/mshv_root_main.c,
 * mshv_eventfd.c), rust-vmm/mshv (mshv-ioctls) and cloud-hypervisor's
 * hypervisor/src/mshv/mod.rs, QEMU's accel/mshv and target/i386/mshv.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/mshv_fastpath.h>

#include "hv.h"
#include "hv_intercept.h"
#include "ioapic.h"
#include "machine.h"
#include "mshv-probe.h"
#include "vmm.h"
#include "x86-emul.h"

/*
 * What only the VMM uses, beyond common/hv_abi.h. Partition properties:
 * hvhdk_mini.h; the Mariner ioctls: rust-vmm/mshv mshv-ioctls (2023).
 */
#define HVI_PROPERTY_SYNTHETIC_PROC_FEATURES	0x00010001
#define HVI_PROPERTY_UNIMPLEMENTED_MSR_ACTION	0x00050017
#define HVI_UNIMPLEMENTED_MSR_IGNORE_WRITE_READ_ZERO 1
#define HVI_TRANSLATE_GVA_VALIDATE_READ		(1ULL << 0)
#define HVI_TRANSLATE_GVA_VALIDATE_WRITE	(1ULL << 1)
#define HVI_TRANSLATE_GVA_SUCCESS		0

struct hvi_input_set_partition_property {
	__u64 partition_id;
	__u32 property_code;
	__u32 padding;
	__u64 property_value;
};

struct hvi_input_translate_virtual_address {
	__u64 partition_id;
	__u32 vp_index;
	__u32 padding;
	__u64 control_flags;
	__u64 gva_page;
};

struct hvi_output_translate_virtual_address {
	__u64 result;			/* result code in bits 0-31 */
	__u64 gpa_page;
};

struct mshv_mariner_partition_property {
	__u32 property_code;
	__u32 pad;
	__u64 property_value;
};

struct mshv_mariner_translate_gva {
	__u64 gva;
	__u64 flags;
	__u64 result;			/* __u64 *: the hypervisor's result */
	__u64 gpa;			/* __u64 *: the whole guest-physical address */
};

#define MSHV_MARINER_SET_PARTITION_PROPERTY \
	_IOW(MSHV_IOCTL_MAGIC, 0x0C, struct mshv_mariner_partition_property)
#define MSHV_MARINER_TRANSLATE_GVA \
	_IOWR(MSHV_IOCTL_MAGIC, 0x0E, struct mshv_mariner_translate_gva)

/*
 * What the guest is told about the hypervisor (union
 * hv_partition_synthetic_processor_features): what rust-vmm's create_vm
 * gave Mariner partitions in 2023, QEMU's accel/mshv the same. Linux needs
 * the frequency MSRs above all: with no PIT or HPET, they are how it
 * learns the TSC and local APIC timer rates.
 */
#define SYNTH_HYPERVISOR_PRESENT		(1ULL << 0)
#define SYNTH_HV1				(1ULL << 1)
#define SYNTH_ACCESS_PARTITION_REFERENCE_COUNTER (1ULL << 3)
#define SYNTH_ACCESS_SYNIC_REGS			(1ULL << 4)
#define SYNTH_ACCESS_SYNTHETIC_TIMER_REGS	(1ULL << 5)
#define SYNTH_ACCESS_INTR_CTRL_REGS		(1ULL << 6)
#define SYNTH_ACCESS_HYPERCALL_REGS		(1ULL << 7)
#define SYNTH_ACCESS_VP_INDEX			(1ULL << 8)
#define SYNTH_ACCESS_PARTITION_REFERENCE_TSC	(1ULL << 9)
#define SYNTH_ACCESS_GUEST_IDLE_REG		(1ULL << 10)
#define SYNTH_ACCESS_FREQUENCY_REGS		(1ULL << 11)
#define SYNTH_TB_FLUSH_HYPERCALLS		(1ULL << 25)
#define SYNTH_SYNTHETIC_CLUSTER_IPI		(1ULL << 26)
#define SYNTHETIC_PROC_FEATURES							\
	(SYNTH_HYPERVISOR_PRESENT | SYNTH_HV1 |					\
	 SYNTH_ACCESS_PARTITION_REFERENCE_COUNTER | SYNTH_ACCESS_SYNIC_REGS |	\
	 SYNTH_ACCESS_SYNTHETIC_TIMER_REGS | SYNTH_ACCESS_INTR_CTRL_REGS |	\
	 SYNTH_ACCESS_HYPERCALL_REGS | SYNTH_ACCESS_VP_INDEX |			\
	 SYNTH_ACCESS_PARTITION_REFERENCE_TSC | SYNTH_ACCESS_GUEST_IDLE_REG |	\
	 SYNTH_ACCESS_FREQUENCY_REGS | SYNTH_TB_FLUSH_HYPERCALLS |		\
	 SYNTH_SYNTHETIC_CLUSTER_IPI)

/* Segment attributes (struct hvi_segment): type, S, P, L, D/B, G. */
#define SEG_ATTR_CODE64		0xa09b	/* execute/read, accessed, L, G */
#define SEG_ATTR_DATA		0xc093	/* read/write, accessed, D/B, G */
#define SEG_ATTR_L		(1U << 13)
#define SEG_ATTR_DB		(1U << 14)

/* ROOT_HVCALL: the driver deposits memory and retries itself; older ones said -EAGAIN. */
#define HVCALL_ATTEMPTS		16
/* A kick that lands just before RUN_VP is lost: sent again while the vCPU runs on. */
#define KICK_ATTEMPTS		100
#define KICK_RETRY_US		100
#define MSR_LOG_MAX		64
/* The most registers one call sets or gets here (upstream's page allows 127). */
#define REGS_MAX		32

/* The ioctls both ABIs have with the same argument, under their own numbers. */
struct mshv_ioctl_numbers {
	unsigned long create_vp, irqfd, ioeventfd, set_msi_routing, run_vp;
};

static const struct mshv_ioctl_numbers upstream_ioctls = {
	.create_vp = MSHV_UAPI_CREATE_VP,
	.irqfd = MSHV_UAPI_IRQFD,
	.ioeventfd = MSHV_UAPI_IOEVENTFD,
	.set_msi_routing = MSHV_UAPI_SET_MSI_ROUTING,
	.run_vp = MSHV_UAPI_RUN_VP,
};

static const struct mshv_ioctl_numbers mariner_ioctls = {
	.create_vp = MSHV_MARINER_CREATE_VP,
	.irqfd = MSHV_MARINER_IRQFD,
	.ioeventfd = MSHV_MARINER_IOEVENTFD,
	.set_msi_routing = MSHV_MARINER_SET_MSI_ROUTING,
	.run_vp = MSHV_MARINER_RUN_VP,
};

struct hv {
	enum mshv_abi abi;
	const struct mshv_ioctl_numbers *nr;
	bool register_page;	/* the driver maps one per VP */
	int mshv_fd;
	int vm_fd;
	struct vm *vm;
	struct ioapic *ioapic;
	int irqfd[IOAPIC_NR_PINS];	/* GSI n: IOAPIC pin n */
	/* The MSI each pin last sent; written in deliveries (the IOAPIC's lock). */
	struct mshv_msi_routing_entry_args route[IOAPIC_NR_PINS];
	uint32_t routed;		/* bit n: route[n] is in the hypervisor */
	pthread_mutex_t msr_lock;
	unsigned int nr_msrs_logged;
	uint32_t msrs_logged[MSR_LOG_MAX];
};

/* The exit whose completion the next run() applies. */
enum pending_exit { PENDING_NONE, PENDING_IO, PENDING_MMIO };

struct hv_vcpu {
	struct hv *hv;
	unsigned int id;
	int fd;
	int fastpath_fd;	/* MSHV_FP_RUN on this instead of RUN_VP, or -1 */
	struct hvi_register_page *regpage;	/* NULL: registers by hypercall only */
	/* RUN_VP's (and MSHV_FP_RUN's) struct hv_message */
	uint8_t msg[MSHV_RUN_VP_BUF_SIZE] __attribute__((aligned(8)));
	struct hvi_exit exit;	/* msg, decoded */
	enum pending_exit pending;
	struct x86_mmio_op mmio;
	uint64_t gpr[16];	/* at the MMIO intercept */
	uint8_t data[8];	/* hv_exit's io.data / mmio.data */
	pthread_t thread;
	bool thread_known;
	bool in_run;		/* between the kick check and the end of RUN_VP */
	bool kicked;
	struct hv_vcpu_stats stats;
};

/* What run() does after a message: enter the guest again, or hand @exit to the VMM. */
enum next_step { STEP_GUEST, STEP_EXIT };

static enum next_step exit_error(struct hv_exit *exit, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static enum next_step exit_error(struct hv_exit *exit, const char *fmt, ...)
{
	va_list ap;

	exit->reason = HV_EXIT_ERROR;
	va_start(ap, fmt);
	vsnprintf(exit->detail, sizeof(exit->detail), fmt, ap);
	va_end(ap);
	return STEP_EXIT;
}

/*
 * Upstream's pass-through hypercall: the driver puts the partition id in
 * the first u64 of @in and, for a rep call, the reps done in call.reps.
 */
static int root_hvcall(int fd, __u16 code, __u16 reps, void *in, size_t in_sz,
		       void *out, size_t out_sz)
{
	for (int attempt = 0; attempt < HVCALL_ATTEMPTS; attempt++) {
		struct mshv_uapi_root_hvcall call = {
			.code = code,
			.reps = reps,
			.in_sz = in_sz,
			.out_sz = out_sz,
			.in_ptr = (uintptr_t)in,
			.out_ptr = (uintptr_t)out,
		};

		if (!ioctl(fd, MSHV_UAPI_ROOT_HVCALL, &call))
			return call.reps == reps ? 0 : -EIO;
		if (errno != EAGAIN)
			return -errno;
	}
	return -EAGAIN;
}

/* ---- Registers ---- */

/* Mariner: GET/SET_VP_REGISTERS read and write the assoc array itself. */
static int mariner_vp_registers(struct hv_vcpu *v, unsigned long request,
				const struct hvi_register_assoc *regs, unsigned int n)
{
	struct mshv_mariner_vp_registers args = { .count = n, .regs = (uintptr_t)regs };

	return ioctl(v->fd, request, &args) < 0 ? -errno : 0;
}

static int set_registers(struct hv_vcpu *v, const struct hvi_register_assoc *regs,
			 unsigned int n)
{
	if (v->hv->abi == MSHV_ABI_UPSTREAM) {
		struct {
			struct hvi_input_vp_registers hdr;
			struct hvi_register_assoc regs[REGS_MAX];
		} in = { .hdr.vp_index = v->id };

		if (n > REGS_MAX)
			return -E2BIG;
		memcpy(in.regs, regs, n * sizeof(*regs));
		return root_hvcall(v->fd, HVI_CALL_SET_VP_REGISTERS, n, &in,
				   sizeof(in.hdr) + n * sizeof(*regs), NULL, 0);
	}
	return mariner_vp_registers(v, MSHV_MARINER_SET_VP_REGISTERS, regs, n);
}

/* The values of the @n registers named in @regs. */
static int get_registers(struct hv_vcpu *v, struct hvi_register_assoc *regs, unsigned int n)
{
	if (v->hv->abi == MSHV_ABI_UPSTREAM) {
		struct {
			struct hvi_input_vp_registers hdr;
			__u32 names[REGS_MAX];
		} in = { .hdr.vp_index = v->id };
		__u64 values[REGS_MAX][2];
		int ret;

		if (n > REGS_MAX)
			return -E2BIG;
		for (unsigned int i = 0; i < n; i++)
			in.names[i] = regs[i].name;
		ret = root_hvcall(v->fd, HVI_CALL_GET_VP_REGISTERS, n, &in,
				  sizeof(in.hdr) + n * sizeof(in.names[0]), values,
				  n * sizeof(values[0]));
		for (unsigned int i = 0; !ret && i < n; i++)
			memcpy(&regs[i].value, values[i], sizeof(values[i]));
		return ret;
	}
	return mariner_vp_registers(v, MSHV_MARINER_GET_VP_REGISTERS, regs, n);
}

static struct hvi_register_assoc reg64(__u32 name, __u64 value)
{
	return (struct hvi_register_assoc){ .name = name, .value.reg64 = value };
}

/* RAX..R15 in the register page's order: from the page if it is current. */
static int get_gprs(struct hv_vcpu *v, uint64_t gpr[16])
{
	struct hvi_register_assoc regs[16];
	int ret;

	if (v->regpage && v->regpage->version == HVI_REGPAGE_VERSION_1 && v->regpage->isvalid) {
		memcpy(gpr, v->regpage->gpr, sizeof(v->regpage->gpr));
		return 0;
	}
	for (unsigned int i = 0; i < 16; i++)
		regs[i] = reg64(HVI_REG_RAX + i, 0);
	ret = get_registers(v, regs, 16);
	for (unsigned int i = 0; !ret && i < 16; i++)
		gpr[i] = regs[i].value.reg64;
	return ret;
}

/* Finish an intercept: through the register page, else the register calls. */
static int apply_completion(struct hv_vcpu *v, const struct hvi_completion *done)
{
	struct hvi_register_assoc regs[17];
	unsigned int n = 0;

	if (v->regpage && hvi_regpage_apply(v->regpage, done))
		return 0;
	regs[n++] = reg64(HVI_REG_RIP, done->rip);
	for (unsigned int i = 0; i < 16; i++)
		if (done->gpr_mask & (1U << i))
			regs[n++] = reg64(HVI_REG_RAX + i, done->gpr[i]);
	return set_registers(v, regs, n);
}

/* ---- The hypervisor and the partition ---- */

static int mshv_open(struct hv **out, char *err, size_t errlen)
{
	struct mshv_probe probe;
	struct hv *hv;
	int ret = mshv_probe(NULL, &probe);

	if (ret == -ENOENT) {
		snprintf(err, errlen, "%s is not there: the Microsoft Hypervisor's root driver "
			 "provides it, in a Linux kernel running as the hypervisor's root "
			 "partition (Linux >= 6.15 with mshv_root, or Azure's Mariner "
			 "5.15.*.mshv* kernels)", MSHV_DEVICE_PATH);
		return ret;
	}
	if (ret == -EPROTO) {
		snprintf(err, errlen, "unknown mshv ABI: %s", probe.detail);
		return ret;
	}
	if (ret) {
		snprintf(err, errlen, "%s%s", probe.detail,
			 ret == -EACCES ? " (root only: the device is mode 0600)" : "");
		return ret;
	}
	hv = calloc(1, sizeof(*hv));
	if (!hv) {
		close(probe.fd);
		return -ENOMEM;
	}
	hv->abi = probe.abi;
	hv->nr = probe.abi == MSHV_ABI_UPSTREAM ? &upstream_ioctls : &mariner_ioctls;
	hv->register_page = probe.register_page;
	hv->mshv_fd = probe.fd;
	hv->vm_fd = -1;
	for (unsigned int i = 0; i < IOAPIC_NR_PINS; i++)
		hv->irqfd[i] = -1;
	pthread_mutex_init(&hv->msr_lock, NULL);
	*out = hv;
	return 0;
}

static void mshv_close(struct hv *hv)
{
	if (!hv)
		return;
	if (hv->ioapic)
		ioapic_destroy(hv->ioapic);
	for (unsigned int i = 0; i < IOAPIC_NR_PINS; i++)
		if (hv->irqfd[i] >= 0)
			close(hv->irqfd[i]);
	if (hv->vm_fd >= 0)
		close(hv->vm_fd);
	close(hv->mshv_fd);
	pthread_mutex_destroy(&hv->msr_lock);
	free(hv);
}

static int set_partition_property(struct hv *hv, __u32 code, __u64 value)
{
	struct hvi_input_set_partition_property in = {
		.property_code = code,
		.property_value = value,
	};
	struct mshv_mariner_partition_property prop = {
		.property_code = code,
		.property_value = value,
	};

	if (hv->abi == MSHV_ABI_UPSTREAM)
		return root_hvcall(hv->vm_fd, HVI_CALL_SET_PARTITION_PROPERTY, 0, &in, sizeof(in),
				   NULL, 0);
	return ioctl(hv->vm_fd, MSHV_MARINER_SET_PARTITION_PROPERTY, &prop) < 0 ? -errno : 0;
}

/*
 * Upstream: LAPIC for the hypervisor's local APICs; X2APIC so that the
 * guest may drive them through MSRs (QEMU's accel/mshv asks for both);
 * GPA_SUPER_PAGES so that the 2 MiB-aligned guest RAM (mem.c) can be
 * mapped with 2 MiB pages. The synthetic features are an "early"
 * property: set before INITIALIZE_PARTITION. Mariner: the creation flags
 * rust-vmm gave it in 2023 (LAPIC only), features in the same call.
 */
static int create_partition(struct hv *hv, char *err, size_t errlen)
{
	int ret;

	if (hv->abi == MSHV_ABI_UPSTREAM) {
		struct mshv_uapi_create_partition args = {
			.pt_flags = 1ULL << MSHV_UAPI_PT_BIT_LAPIC |
				    1ULL << MSHV_UAPI_PT_BIT_X2APIC |
				    1ULL << MSHV_UAPI_PT_BIT_GPA_SUPER_PAGES,
			.pt_isolation = MSHV_UAPI_PT_ISOLATION_NONE,
		};

		hv->vm_fd = ioctl(hv->mshv_fd, MSHV_UAPI_CREATE_PARTITION, &args);
		if (hv->vm_fd < 0) {
			snprintf(err, errlen, "CREATE_PARTITION: %s", strerror(errno));
			return -errno;
		}
		ret = set_partition_property(hv, HVI_PROPERTY_SYNTHETIC_PROC_FEATURES,
					     SYNTHETIC_PROC_FEATURES);
		if (ret) {
			snprintf(err, errlen, "setting the synthetic processor features: %s",
				 strerror(-ret));
			return ret;
		}
		if (ioctl(hv->vm_fd, MSHV_UAPI_INITIALIZE_PARTITION, 0) < 0) {
			snprintf(err, errlen, "INITIALIZE_PARTITION: %s", strerror(errno));
			return -errno;
		}
	} else {
		struct mshv_mariner_create_partition args = {
			.flags = HVI_PT_CREATION_LAPIC_ENABLED,
			.synthetic_processor_features = SYNTHETIC_PROC_FEATURES,
			.isolation_properties = HVI_ISOLATION_NONE,
		};

		hv->vm_fd = ioctl(hv->mshv_fd, MSHV_MARINER_CREATE_PARTITION, &args);
		if (hv->vm_fd < 0) {
			snprintf(err, errlen, "CREATE_PARTITION: %s", strerror(errno));
			return -errno;
		}
	}
	return 0;
}

/* The whole table: the driver replaces the previous one. */
static int set_msi_routing(struct hv *hv)
{
	struct mshv_msi_routing_args *table;
	int ret;

	table = calloc(1, sizeof(*table) + sizeof(hv->route));
	if (!table)
		return -ENOMEM;
	for (unsigned int pin = 0; pin < IOAPIC_NR_PINS; pin++)
		if (hv->routed & (1U << pin))
			table->entries[table->nr++] = hv->route[pin];
	ret = ioctl(hv->vm_fd, hv->nr->set_msi_routing, table) < 0 ? -errno : 0;
	free(table);
	return ret;
}

/*
 * An IOAPIC interrupt to the local APICs: pin n is GSI n, whose MSI route
 * follows the entry the guest programmed (rewritten when it changes),
 * and whose irqfd the driver turns into an interrupt assertion.
 *
 * Level-triggered entries keep the trigger bit in the route, so that the
 * local APIC reports the guest's EOI. The Mariner driver hands that EOI
 * to RUN_VP (run() passes it to ioapic_eoi()); upstream's mshv_eventfd.c
 * only gives it to a resample irqfd whose GSI equals the EOI'd vector and
 * drops it otherwise, so upstream a level-triggered pin would deliver
 * once. This machine has none: its ACPI tables make every line edge.
 *
 * Called by the IOAPIC with its lock held: deliveries, and so route[] and
 * routed, are serialised.
 */
static void deliver_interrupt(void *ctx, const struct ioapic_delivery *d)
{
	struct hv *hv = ctx;
	struct mshv_msi_routing_entry_args route = { .gsi = d->pin };
	int ret;

	if (d->pin >= IOAPIC_NR_PINS)
		return;
	ioapic_delivery_to_msi(d, &route.address_lo, &route.data);
	if (!(hv->routed & (1U << d->pin)) || memcmp(&hv->route[d->pin], &route, sizeof(route))) {
		hv->route[d->pin] = route;
		hv->routed |= 1U << d->pin;
		ret = set_msi_routing(hv);
		if (ret) {
			hv->routed &= ~(1U << d->pin);
			fprintf(stderr, "mshv-vmm: MSI route of IOAPIC pin %u: %s; "
				"interrupt lost\n", d->pin, strerror(-ret));
			return;
		}
	}
	if (eventfd_write(hv->irqfd[d->pin], 1) < 0)
		fprintf(stderr, "mshv-vmm: irqfd of IOAPIC pin %u: %s; interrupt lost\n",
			d->pin, strerror(errno));
}

static int setup_interrupts(struct hv *hv, char *err, size_t errlen)
{
	for (unsigned int pin = 0; pin < IOAPIC_NR_PINS; pin++) {
		struct mshv_irqfd_args irqfd = { .gsi = pin };

		hv->irqfd[pin] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		irqfd.fd = hv->irqfd[pin];
		if (hv->irqfd[pin] < 0 || ioctl(hv->vm_fd, hv->nr->irqfd, &irqfd) < 0) {
			snprintf(err, errlen, "irqfd for GSI %u: %s", pin, strerror(errno));
			return -errno;
		}
	}
	hv->ioapic = ioapic_create(&hv->vm->bus, MACHINE_IOAPIC_ADDR, deliver_interrupt, hv);
	if (!hv->ioapic) {
		snprintf(err, errlen, "cannot create the IOAPIC: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/*
 * No intercept is installed: port I/O and unmapped-GPA accesses reach the
 * VMM without one (cloud-hypervisor and QEMU install none and handle
 * both), and the unimplemented-MSR action below spares the guest the #GP
 * the hypervisor would give it (cloud-hypervisor's create_vm, QEMU's
 * set_unimplemented_msr_action).
 */
static int mshv_create_vm(struct hv *hv, struct vm *vm, char *err, size_t errlen)
{
	int ret;

	hv->vm = vm;
	ret = create_partition(hv, err, errlen);
	if (ret)
		return ret;
	ret = set_partition_property(hv, HVI_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
				     HVI_UNIMPLEMENTED_MSR_IGNORE_WRITE_READ_ZERO);
	if (ret) {
		snprintf(err, errlen, "setting the unimplemented-MSR action: %s", strerror(-ret));
		return ret;
	}
	return setup_interrupts(hv, err, errlen);
}

static int mshv_map_memory(struct hv *hv, unsigned int slot, uint64_t gpa, uint64_t size,
			   void *hva)
{
	int ret;

	(void)slot;
	if (hv->abi == MSHV_ABI_UPSTREAM) {
		struct mshv_uapi_user_mem_region region = {
			.size = size,
			.guest_pfn = gpa / HVI_PAGE_SIZE,
			.userspace_addr = (uintptr_t)hva,
			.flags = 1 << MSHV_UAPI_MEM_BIT_WRITABLE |
				 1 << MSHV_UAPI_MEM_BIT_EXECUTABLE,
		};

		ret = ioctl(hv->vm_fd, MSHV_UAPI_SET_GUEST_MEMORY, &region);
	} else {
		struct mshv_mariner_user_mem_region region = {
			.size = size,
			.guest_pfn = gpa / HVI_PAGE_SIZE,
			.userspace_addr = (uintptr_t)hva,
			.flags = HVI_MAP_GPA_READABLE | HVI_MAP_GPA_WRITABLE |
				 HVI_MAP_GPA_EXECUTABLE,
		};

		ret = ioctl(hv->vm_fd, MSHV_MARINER_MAP_GUEST_MEMORY, &region);
	}
	return ret < 0 ? -errno : 0;
}

/*
 * The local APIC's LINT0/LINT1 stay as the hypervisor resets them: Linux
 * programs both on the boot CPU (setup_local_APIC()).
 */
static int mshv_create_vcpu(struct hv *hv, unsigned int id, struct hv_vcpu **out, char *err,
			    size_t errlen)
{
	struct mshv_uapi_create_vp args = { .vp_index = id };
	struct hv_vcpu *v = calloc(1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	v->hv = hv;
	v->id = id;
	v->fastpath_fd = -1;
	v->fd = ioctl(hv->vm_fd, hv->nr->create_vp, &args);
	if (v->fd < 0) {
		snprintf(err, errlen, "CREATE_VP %u: %s", id, strerror(errno));
		free(v);
		return -errno;
	}
	/* None for isolated partitions (and old Mariner drivers): then by hypercall. */
	if (hv->register_page) {
		void *page = mmap(NULL, HVI_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd,
				  MSHV_VP_MMAP_REGISTERS * sysconf(_SC_PAGESIZE));

		v->regpage = page == MAP_FAILED ? NULL : page;
	}
	*out = v;
	return 0;
}

/*
 * mshv has no SET_CPUID: the guest sees the hypervisor's own CPUID for
 * the partition (its processor features, its topology of the VPs).
 * Changing a leaf would take HVCALL_REGISTER_INTERCEPT_RESULT (0x91) per
 * leaf, as QEMU does, or a CPUID intercept answered in run().
 */
static int mshv_setup_cpuid(struct hv_vcpu *v, unsigned int nr_cpus)
{
	(void)v;
	(void)nr_cpus;
	return 0;
}

static struct hvi_register_assoc segment(__u32 name, uint16_t selector, uint16_t attributes)
{
	return (struct hvi_register_assoc){
		.name = name,
		.value.segment = { .base = 0, .limit = 0xffffffff, .selector = selector,
				   .attributes = attributes },
	};
}

/* General registers, then the special ones in cloud-hypervisor's order. */
static int mshv_set_boot_regs(struct hv_vcpu *v, const struct hv_boot_regs *b)
{
	const struct hvi_register_assoc regs[] = {
		reg64(HVI_REG_RIP, b->rip),
		reg64(HVI_REG_RSI, b->rsi),
		reg64(HVI_REG_RSP, b->rsp),
		reg64(HVI_REG_RFLAGS, 2),
	};
	const struct hvi_register_assoc sregs[] = {
		segment(HVI_REG_CS, b->code_sel, SEG_ATTR_CODE64),
		segment(HVI_REG_DS, b->data_sel, SEG_ATTR_DATA),
		segment(HVI_REG_ES, b->data_sel, SEG_ATTR_DATA),
		segment(HVI_REG_FS, b->data_sel, SEG_ATTR_DATA),
		segment(HVI_REG_GS, b->data_sel, SEG_ATTR_DATA),
		segment(HVI_REG_SS, b->data_sel, SEG_ATTR_DATA),
		{ .name = HVI_REG_GDTR,
		  .value.table = { .limit = b->gdt_limit, .base = b->gdt_base } },
		reg64(HVI_REG_CR0, b->cr0),
		reg64(HVI_REG_CR3, b->cr3),
		reg64(HVI_REG_CR4, b->cr4),
		reg64(HVI_REG_EFER, b->efer),
	};
	int ret = set_registers(v, regs, sizeof(regs) / sizeof(regs[0]));

	return ret ? ret : set_registers(v, sregs, sizeof(sregs) / sizeof(sregs[0]));
}

/* ---- Running the guest ---- */

static int translate_gva(void *ctx, uint64_t gva, bool write, uint64_t *gpa)
{
	struct hv_vcpu *v = ctx;
	__u64 flags = write ? HVI_TRANSLATE_GVA_VALIDATE_WRITE : HVI_TRANSLATE_GVA_VALIDATE_READ;
	__u64 result = 0;
	int ret;

	if (v->hv->abi == MSHV_ABI_UPSTREAM) {
		struct hvi_input_translate_virtual_address in = {
			.vp_index = v->id,
			.control_flags = flags,
			.gva_page = gva / HVI_PAGE_SIZE,
		};
		struct hvi_output_translate_virtual_address out = { 0 };

		ret = root_hvcall(v->fd, HVI_CALL_TRANSLATE_VIRTUAL_ADDRESS, 0, &in, sizeof(in),
				  &out, sizeof(out));
		result = out.result;
		*gpa = out.gpa_page * HVI_PAGE_SIZE + gva % HVI_PAGE_SIZE;
	} else {
		struct mshv_mariner_translate_gva args = {
			.gva = gva,
			.flags = flags,
			.result = (uintptr_t)&result,
			.gpa = (uintptr_t)gpa,
		};

		ret = ioctl(v->fd, MSHV_MARINER_TRANSLATE_GVA, &args) < 0 ? -errno : 0;
	}
	if (!ret && (__u32)result != HVI_TRANSLATE_GVA_SUCCESS)
		ret = -EFAULT;
	return ret;
}

static void *string_guest_ptr(void *ctx, uint64_t gpa, uint64_t len)
{
	struct hv_vcpu *v = ctx;

	return guest_ptr(&v->hv->vm->mem, gpa, len);
}

/* One element of INS/OUTS, as vcpu.c hands a port access to the devices. */
static void string_port_io(void *ctx, uint16_t port, uint8_t *data, unsigned int size,
			   bool is_write)
{
	struct hv_vcpu *v = ctx;
	struct vm *vm = v->hv->vm;

	rules_count_userspace(&vm->rules, BUS_PIO, port, data, size, is_write);
	bus_access(&vm->bus, BUS_PIO, port, data, size, is_write);
}

/* INS/OUTS with or without REP, run here: the VMM's exit has room for one access. */
static enum next_step string_io(struct hv_vcpu *v, struct hv_exit *exit)
{
	const struct x86_string_io_ops ops = {
		.ctx = v,
		.translate = translate_gva,
		.guest_ptr = string_guest_ptr,
		.port_io = string_port_io,
	};
	struct hvi_completion done;
	char err[sizeof(exit->detail)];
	int ret;

	/* Coalesced writes first: the device must see them in guest order. */
	rules_drain(&v->hv->vm->rules);
	if (x86_string_io(&v->exit, &ops, &done, err, sizeof(err)))
		return exit_error(exit, "%s", err);
	ret = apply_completion(v, &done);
	if (ret)
		return exit_error(exit, "string I/O on port 0x%x: setting registers: %s",
				  v->exit.io.port, strerror(-ret));
	return STEP_GUEST;
}

static enum next_step port_io(struct hv_vcpu *v, struct hv_exit *exit)
{
	const struct hvi_exit *ex = &v->exit;

	if (ex->io.string)
		return string_io(v, exit);
	exit->reason = HV_EXIT_IO;
	exit->io.port = ex->io.port;
	exit->io.size = ex->io.size;
	exit->io.is_write = ex->io.write;
	exit->io.count = 1;
	exit->io.data = v->data;
	memset(v->data, 0, sizeof(v->data));
	if (ex->io.write) {
		/* OUT writes AL, AX or EAX: the low bytes of the RAX the message carries. */
		uint32_t value = (uint32_t)ex->io.rax;

		memcpy(v->data, &value, ex->io.size);
	}
	v->pending = PENDING_IO;
	return STEP_EXIT;
}

/*
 * An access to a guest-physical address with no RAM behind it: decode
 * the MOV from the intercept's instruction bytes, hand the VMM one MMIO
 * access; the next run() writes a load's register and moves RIP on.
 */
static enum next_step mmio(struct hv_vcpu *v, struct hv_exit *exit)
{
	const struct hvi_exit *ex = &v->exit;
	uint64_t gpa = ex->mem.gpa;
	uint16_t cs = ex->cs_attributes;	/* 64-bit code (L), else 32 (D) or 16 */
	char err[sizeof(exit->detail)];
	int ret;

	if (ex->access == HVI_ACCESS_EXECUTE)
		return exit_error(exit, "guest executes at guest-physical 0x%llx (no RAM "
				  "there), rip 0x%llx", (unsigned long long)gpa,
				  (unsigned long long)ex->rip);
	if (guest_ptr(&v->hv->vm->mem, gpa, 1))
		return exit_error(exit, "%s on guest RAM at 0x%llx, rip 0x%llx",
				  hvi_msg_name(ex->type), (unsigned long long)gpa,
				  (unsigned long long)ex->rip);
	if (x86_decode_mmio(ex->mem.insn, ex->mem.insn_count, cs & SEG_ATTR_L, cs & SEG_ATTR_DB,
			    &v->mmio, err, sizeof(err)))
		return exit_error(exit, "MMIO at 0x%llx: %s", (unsigned long long)gpa, err);
	if (v->mmio.is_write != (ex->access == HVI_ACCESS_WRITE) ||
	    (!v->mmio.is_write && (v->mmio.reg < 0 || v->mmio.reg > 15)))
		return exit_error(exit, "MMIO at 0x%llx: the instruction is a %s, the hypervisor "
				  "reports a %s", (unsigned long long)gpa,
				  v->mmio.is_write ? "store" : "load",
				  ex->access == HVI_ACCESS_WRITE ? "write" : "read");
	ret = get_gprs(v, v->gpr);
	if (ret)
		return exit_error(exit, "MMIO at 0x%llx: reading the registers: %s",
				  (unsigned long long)gpa, strerror(-ret));
	memset(v->data, 0, sizeof(v->data));
	if (v->mmio.is_write) {
		uint64_t value = x86_mmio_store_value(&v->mmio, v->gpr);

		memcpy(v->data, &value, v->mmio.size);
	}
	exit->reason = HV_EXIT_MMIO;
	exit->mmio.gpa = gpa;
	exit->mmio.len = v->mmio.size;
	exit->mmio.is_write = v->mmio.is_write;
	exit->mmio.data = v->data;
	v->pending = PENDING_MMIO;
	return STEP_EXIT;
}

/* Once per MSR and VM: the guest's Linux probes a few, each would repeat. */
static void log_msr_once(struct hv *hv, unsigned int vp, uint32_t msr, bool write)
{
	bool first = true;

	pthread_mutex_lock(&hv->msr_lock);
	for (unsigned int i = 0; i < hv->nr_msrs_logged; i++)
		first &= hv->msrs_logged[i] != msr;
	if (first && hv->nr_msrs_logged < MSR_LOG_MAX)
		hv->msrs_logged[hv->nr_msrs_logged++] = msr;
	else
		first = false;
	pthread_mutex_unlock(&hv->msr_lock);
	if (first)
		fprintf(stderr, "mshv-vmm: vCPU %u: %s of MSR 0x%x, which is not emulated: %s\n",
			vp, write ? "write" : "read", msr, write ? "ignored" : "read as 0");
}

/*
 * Only if an MSR intercept reaches us despite the unimplemented-MSR
 * action: what that action does, a read of 0 and an ignored write.
 */
static enum next_step msr(struct hv_vcpu *v, struct hv_exit *exit)
{
	const struct hvi_exit *ex = &v->exit;
	struct hvi_completion done;
	bool write = ex->access == HVI_ACCESS_WRITE;
	int ret;

	log_msr_once(v->hv, v->id, ex->msr.index, write);
	hvi_complete_skip(ex, &done);
	if (!write) {
		done.gpr[X86_RAX] = done.gpr[X86_RDX] = 0;
		done.gpr_mask = 1U << X86_RAX | 1U << X86_RDX;
	}
	ret = apply_completion(v, &done);
	return ret ? exit_error(exit, "MSR 0x%x: setting registers: %s", ex->msr.index,
				strerror(-ret)) : STEP_GUEST;
}

/* Only if a CPUID intercept reaches us: the hypervisor's own answer. */
static enum next_step cpuid(struct hv_vcpu *v, struct hv_exit *exit)
{
	const struct hvi_exit *ex = &v->exit;
	struct hvi_completion done;
	int ret;

	hvi_complete_skip(ex, &done);
	/* CPUID writes 32-bit results, zero-extended. */
	done.gpr[X86_RAX] = (uint32_t)ex->cpuid.default_rax;
	done.gpr[X86_RBX] = (uint32_t)ex->cpuid.default_rbx;
	done.gpr[X86_RCX] = (uint32_t)ex->cpuid.default_rcx;
	done.gpr[X86_RDX] = (uint32_t)ex->cpuid.default_rdx;
	done.gpr_mask = 1U << X86_RAX | 1U << X86_RBX | 1U << X86_RCX | 1U << X86_RDX;
	ret = apply_completion(v, &done);
	return ret ? exit_error(exit, "CPUID: setting registers: %s", strerror(-ret)) :
		     STEP_GUEST;
}

static bool handled_here(__u32 type)
{
	switch (type) {
	case HVI_MSG_X64_IO_PORT_INTERCEPT:
	case HVI_MSG_UNMAPPED_GPA:
	case HVI_MSG_GPA_INTERCEPT:
	case HVI_MSG_X64_MSR_INTERCEPT:
	case HVI_MSG_X64_CPUID_INTERCEPT:
	case HVI_MSG_X64_HALT:
	case HVI_MSG_X64_APIC_EOI:
	case HVI_MSG_UNRECOVERABLE_EXCEPTION:
		return true;
	default:
		return false;
	}
}

static enum next_step handle_message(struct hv_vcpu *v, struct hv_exit *exit)
{
	struct hvi_exit *ex = &v->exit;
	int ret = hvi_decode(v->msg, sizeof(v->msg), ex);
	__u32 type;

	v->stats.exits++;
	if (ret) {
		memcpy(&type, v->msg, sizeof(type));
		return exit_error(exit, "message 0x%08x (%s): %s", type, hvi_msg_name(type),
				  hvi_decode_strerror(ret));
	}
	if (handled_here(ex->type) && ex->vp_index != v->id)
		return exit_error(exit, "%s for VP %u reached VP %u", hvi_msg_name(ex->type),
				  ex->vp_index, v->id);
	switch (ex->type) {
	case HVI_MSG_X64_IO_PORT_INTERCEPT:
		v->stats.io_exits++;
		return port_io(v, exit);
	case HVI_MSG_UNMAPPED_GPA:
	case HVI_MSG_GPA_INTERCEPT:
		v->stats.mmio_exits++;
		return mmio(v, exit);
	case HVI_MSG_X64_MSR_INTERCEPT:
		return msr(v, exit);
	case HVI_MSG_X64_CPUID_INTERCEPT:
		return cpuid(v, exit);
	case HVI_MSG_X64_HALT:
		v->stats.halt_exits++;
		exit->reason = HV_EXIT_HLT;
		return STEP_EXIT;
	case HVI_MSG_X64_APIC_EOI:
		if (ex->eoi.vector > 0xff)
			return exit_error(exit, "APIC EOI of vector %u", ex->eoi.vector);
		ioapic_eoi(v->hv->ioapic, ex->eoi.vector);
		return STEP_GUEST;
	case HVI_MSG_UNRECOVERABLE_EXCEPTION:
		exit->reason = HV_EXIT_SHUTDOWN;
		snprintf(exit->detail, sizeof(exit->detail),
			 "unrecoverable exception (triple fault) at rip 0x%llx",
			 (unsigned long long)ex->rip);
		return STEP_EXIT;
	default:
		return exit_error(exit, "unexpected %s (0x%08x) at rip 0x%llx",
				  hvi_msg_name(ex->type), ex->type, (unsigned long long)ex->rip);
	}
}

/* The port or MMIO access the VMM has done since the last run(). */
static int finish_pending(struct hv_vcpu *v)
{
	struct hvi_completion done;

	if (v->pending == PENDING_IO) {
		uint32_t in_value = 0;

		memcpy(&in_value, v->data, v->exit.io.size);
		hvi_complete_io(&v->exit, in_value, &done);
	} else {
		memset(&done, 0, sizeof(done));
		done.rip = v->exit.rip + v->mmio.len;
		if (!v->mmio.is_write) {
			uint64_t value = 0;

			memcpy(&value, v->data, v->mmio.size);
			x86_mmio_load_result(&v->mmio, v->gpr, value);
			done.gpr[v->mmio.reg] = v->gpr[v->mmio.reg];
			done.gpr_mask = 1U << v->mmio.reg;
		}
	}
	v->pending = PENDING_NONE;
	return apply_completion(v, &done);
}

/*
 * Into the guest until it leaves a message: 0, 1 if kicked or
 * interrupted, or -errno. mshv has no immediate_exit: a kick sets
 * @kicked, checked here after @in_run is set, and signals the thread
 * while @in_run holds (see mshv_kick()).
 */
static int enter_guest(struct hv_vcpu *v)
{
	int ret, err;

	__atomic_store_n(&v->in_run, true, __ATOMIC_SEQ_CST);
	if (__atomic_exchange_n(&v->kicked, false, __ATOMIC_SEQ_CST)) {
		__atomic_store_n(&v->in_run, false, __ATOMIC_SEQ_CST);
		return 1;
	}
	if (v->fastpath_fd >= 0)
		ret = ioctl(v->fastpath_fd, MSHV_FP_RUN, 0);
	else
		ret = ioctl(v->fd, v->hv->nr->run_vp, v->msg);
	err = errno;
	__atomic_store_n(&v->in_run, false, __ATOMIC_SEQ_CST);
	if (ret >= 0)
		return 0;
	if (err != EINTR && err != EAGAIN)
		return -err;
	__atomic_store_n(&v->kicked, false, __ATOMIC_SEQ_CST);
	return 1;
}

static int mshv_run(struct hv_vcpu *v, struct hv_exit *exit)
{
	int ret;

	if (!v->thread_known) {
		v->thread = pthread_self();
		__atomic_store_n(&v->thread_known, true, __ATOMIC_RELEASE);
	}
	exit->detail[0] = '\0';
	if (v->pending != PENDING_NONE) {
		ret = finish_pending(v);
		if (ret) {
			exit_error(exit, "finishing the last exit: setting registers: %s",
				   strerror(-ret));
			return 0;
		}
	}
	for (;;) {
		ret = enter_guest(v);
		if (ret > 0) {
			exit->reason = HV_EXIT_INTR;
			return 0;
		}
		if (ret < 0) {
			exit_error(exit, "%s: %s", v->fastpath_fd >= 0 ? "MSHV_FP_RUN" : "RUN_VP",
				   strerror(-ret));
			return 0;
		}
		if (handle_message(v, exit) == STEP_EXIT)
			return 0;
	}
}

/*
 * The flag alone misses a vCPU inside RUN_VP, the signal alone one that
 * checked the flag just before: a signal taken between the check and the
 * ioctl is lost. So the signal is sent again while the vCPU is still in
 * run() with the kick not taken, a few times over 10 ms. A vCPU outside
 * run() gets no signal, which would interrupt a device's system call.
 */
static void mshv_kick(struct hv_vcpu *v)
{
	__atomic_store_n(&v->kicked, true, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&v->thread_known, __ATOMIC_ACQUIRE))
		return;
	for (int attempt = 0; attempt < KICK_ATTEMPTS; attempt++) {
		if (!__atomic_load_n(&v->in_run, __ATOMIC_SEQ_CST) ||
		    !__atomic_load_n(&v->kicked, __ATOMIC_SEQ_CST))
			return;
		pthread_kill(v->thread, SIGUSR1);
		usleep(KICK_RETRY_US);
	}
}

static void mshv_destroy_vcpu(struct hv_vcpu *v)
{
	if (!v)
		return;
	if (v->fastpath_fd >= 0)
		close(v->fastpath_fd);
	if (v->regpage)
		munmap(v->regpage, HVI_PAGE_SIZE);
	close(v->fd);
	free(v);
}

static int mshv_irq_line(struct hv *hv, unsigned int gsi, int level)
{
	if (gsi >= IOAPIC_NR_PINS)
		return -EINVAL;
	ioapic_set_irq(hv->ioapic, gsi, level);
	return 0;
}

static int ioeventfd(struct hv *hv, const struct rule *rule, bool assign)
{
	struct mshv_ioeventfd_args io = {
		.datamatch = rule->datamatch,
		.addr = rule->addr,
		.len = rule->len,
		.fd = rule->eventfd,
		.flags = (rule->has_datamatch ? 1U << MSHV_IOEVENTFD_ARGS_BIT_DATAMATCH : 0) |
			 (assign ? 0 : 1U << MSHV_IOEVENTFD_ARGS_BIT_DEASSIGN),
	};

	return ioctl(hv->vm_fd, hv->nr->ioeventfd, &io) < 0 ? -errno : 0;
}

/*
 * MMIO doorbells only: the driver refuses port I/O ioeventfds
 * (-EOPNOTSUPP) and has no coalesced-write ring, so those rules go to
 * the fast-path module or stay in userspace.
 */
static int mshv_place_rule(struct hv *hv, struct rule *rule)
{
	if (rule->kind != RULE_DOORBELL || rule->space != BUS_MMIO)
		return -EOPNOTSUPP;
	return ioeventfd(hv, rule, true);
}

static void mshv_unplace_rule(struct hv *hv, struct rule *rule)
{
	if (rule->kind == RULE_DOORBELL && rule->space == BUS_MMIO)
		ioeventfd(hv, rule, false);
}

static int mshv_fastpath_attach(struct hv_vcpu *v, int fastpath_vm_fd)
{
	struct mshv_fp_attach attach = {
		.hypervisor = MSHV_FP_HV_MSHV,
		.vcpu_fd = v->fd,
		.vcpu_id = v->id,
		.user_area = (uintptr_t)v->msg,
		.register_page = (uintptr_t)v->regpage,
	};
	int fd = ioctl(fastpath_vm_fd, MSHV_FP_ATTACH_VCPU, &attach);

	if (fd < 0)
		return -errno;
	v->fastpath_fd = fd;
	return 0;
}

/* The exits that reached this backend: mshv keeps no per-VP counters we can read. */
static void mshv_vcpu_stats(struct hv_vcpu *v, struct hv_vcpu_stats *stats)
{
	*stats = v->stats;
	stats->valid = true;
}

static void mshv_dump_regs(struct hv_vcpu *v, char *buf, size_t len)
{
	static const __u32 names[] = {
		HVI_REG_RIP, HVI_REG_RSP, HVI_REG_RFLAGS, HVI_REG_CR0, HVI_REG_CR3, HVI_REG_CR4,
		HVI_REG_EFER,
	};
	struct hvi_register_assoc r[sizeof(names) / sizeof(names[0])];

	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		r[i] = reg64(names[i], 0);
	if (get_registers(v, r, sizeof(names) / sizeof(names[0]))) {
		snprintf(buf, len, "registers unavailable");
		return;
	}
	snprintf(buf, len, "rip=0x%llx rsp=0x%llx rflags=0x%llx cr0=0x%llx cr3=0x%llx "
		 "cr4=0x%llx efer=0x%llx",
		 (unsigned long long)r[0].value.reg64, (unsigned long long)r[1].value.reg64,
		 (unsigned long long)r[2].value.reg64, (unsigned long long)r[3].value.reg64,
		 (unsigned long long)r[4].value.reg64, (unsigned long long)r[5].value.reg64,
		 (unsigned long long)r[6].value.reg64);
}

const struct hv_ops hv_mshv_ops = {
	.name = "mshv",
	.open = mshv_open,
	.close = mshv_close,
	.create_vm = mshv_create_vm,
	.map_memory = mshv_map_memory,
	.create_vcpu = mshv_create_vcpu,
	.setup_cpuid = mshv_setup_cpuid,
	.set_boot_regs = mshv_set_boot_regs,
	.run = mshv_run,
	.kick = mshv_kick,
	.destroy_vcpu = mshv_destroy_vcpu,
	.irq_line = mshv_irq_line,
	.place_rule = mshv_place_rule,
	.unplace_rule = mshv_unplace_rule,
	.fastpath_attach = mshv_fastpath_attach,
	.vcpu_stats = mshv_vcpu_stats,
	.dump_regs = mshv_dump_regs,
};
