/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tiny real-mode KVM guests for the fast-path selftests, in the style of
 * the KVM selftests: the guest's code lives in the test (guests.S), and
 * the test drives KVM directly. Helpers return 0 or -1 with errno set.
 */
#ifndef KVM_GUEST_H
#define KVM_GUEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>
#include <linux/mshv_fastpath.h>

#include "fastpath_util.h"

#define GUEST_CODE_GPA	0x1000
#define GUEST_MEM_SIZE	0x8000		/* RAM: 0 - 32 KiB */
#define GUEST_MMIO_GPA	0x9000		/* no memory here: MMIO exits */
#define DONE_PORT	0xe9		/* every guest ends with a write here */

extern const unsigned char guest_port_writes[], guest_port_writes_end[];
extern const unsigned char guest_port_reads[], guest_port_reads_end[];
extern const unsigned char guest_mmio_writes[], guest_mmio_writes_end[];
extern const unsigned char guest_mmio_read[], guest_mmio_read_end[];

struct guest_code {
	const unsigned char *start, *end;
};
#define GUEST(name) ((struct guest_code){ name, name##_end })

struct test_vm {
	int kvm;
	int vm;
	void *mem;
	int run_size;
	int fp;				/* /dev/mshv_fastpath: the fast-path VM */
	struct mshv_fp_ring *ring;	/* its coalesced ring */
};

struct test_vcpu {
	struct test_vm *vm;
	int fd;				/* KVM vCPU */
	struct kvm_run *run;
	int fp;				/* attached fast-path vCPU, or -1 */
};

/* The registers guests take their parameters from. */
struct guest_args {
	uint32_t eax, ebx, ecx, edx, esi, edi;
};

static inline int test_vm_create(struct test_vm *vm, struct guest_code code)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = GUEST_MEM_SIZE,
	};

	memset(vm, 0, sizeof(*vm));
	vm->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0)
		return -1;
	vm->vm = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	if (vm->vm < 0)
		return -1;
	vm->run_size = ioctl(vm->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size <= 0)
		return -1;
	vm->mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED)
		return -1;
	memcpy((char *)vm->mem + GUEST_CODE_GPA, code.start, code.end - code.start);
	region.userspace_addr = (uintptr_t)vm->mem;
	if (ioctl(vm->vm, KVM_SET_USER_MEMORY_REGION, &region))
		return -1;
	vm->fp = open(FP_DEV, O_RDWR | O_CLOEXEC);
	if (vm->fp < 0)
		return -1;
	vm->ring = mmap(NULL, MSHV_FP_RING_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			vm->fp, 0);
	return vm->ring == MAP_FAILED ? -1 : 0;
}

static inline int test_vcpu_set_args(struct test_vcpu *vcpu, struct guest_args a)
{
	struct kvm_regs regs = {
		.rax = a.eax, .rbx = a.ebx, .rcx = a.ecx, .rdx = a.edx,
		.rsi = a.esi, .rdi = a.edi,
		.rip = GUEST_CODE_GPA, .rflags = 2,
	};

	return ioctl(vcpu->fd, KVM_SET_REGS, &regs);
}

/* A vCPU in real mode at GUEST_CODE_GPA, every segment at 0. */
static inline int test_vcpu_create(struct test_vm *vm, struct test_vcpu *vcpu,
				   int id, struct guest_args args)
{
	struct kvm_sregs sregs;

	vcpu->vm = vm;
	vcpu->fp = -1;
	vcpu->fd = ioctl(vm->vm, KVM_CREATE_VCPU, id);
	if (vcpu->fd < 0)
		return -1;
	vcpu->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED)
		return -1;
	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs))
		return -1;
	sregs.cs.base = sregs.ds.base = sregs.es.base = sregs.ss.base = 0;
	sregs.cs.selector = sregs.ds.selector = sregs.es.selector = sregs.ss.selector = 0;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs))
		return -1;
	return test_vcpu_set_args(vcpu, args);
}

static inline int test_vcpu_attach(struct test_vcpu *vcpu, uint32_t id)
{
	struct mshv_fp_attach attach = {
		.hypervisor = MSHV_FP_HV_KVM,
		.vcpu_fd = vcpu->fd,
		.vcpu_id = id,
	};

	vcpu->fp = ioctl(vcpu->vm->fp, MSHV_FP_ATTACH_VCPU, &attach);
	return vcpu->fp < 0 ? -1 : 0;
}

/* Through the fast path when attached, else KVM_RUN: returns ioctl's result. */
static inline int test_vcpu_run(struct test_vcpu *vcpu)
{
	if (vcpu->fp >= 0)
		return ioctl(vcpu->fp, MSHV_FP_RUN, 0);
	return ioctl(vcpu->fd, KVM_RUN, 0);
}

static inline int exit_is_port(const struct test_vcpu *vcpu, uint16_t port)
{
	return vcpu->run->exit_reason == KVM_EXIT_IO && vcpu->run->io.port == port;
}

/* The data of a port-I/O exit (OUT: what the guest wrote). */
static inline uint32_t exit_io_data(const struct test_vcpu *vcpu)
{
	uint32_t v = 0;

	memcpy(&v, (char *)vcpu->run + vcpu->run->io.data_offset, vcpu->run->io.size);
	return v;
}

/* Answer an IN exit, as a VMM does before running again. */
static inline void exit_io_answer(struct test_vcpu *vcpu, uint32_t value)
{
	memcpy((char *)vcpu->run + vcpu->run->io.data_offset, &value, vcpu->run->io.size);
}

static inline int test_add_rule(struct test_vm *vm, struct mshv_fp_rule rule)
{
	if (ioctl(vm->fp, MSHV_FP_ADD_RULE, &rule))
		return -1;
	return (int)rule.id;
}

static inline struct mshv_fp_rule port_rule(uint8_t action, uint8_t access,
					    uint64_t port, uint64_t len)
{
	return (struct mshv_fp_rule){
		.space = MSHV_FP_SPACE_PIO, .access = access, .action = action,
		.addr = port, .len = len, .eventfd = -1,
	};
}

static inline struct mshv_fp_rule mmio_rule(uint8_t action, uint8_t access,
					    uint64_t gpa, uint64_t len)
{
	struct mshv_fp_rule rule = port_rule(action, access, gpa, len);

	rule.space = MSHV_FP_SPACE_MMIO;
	return rule;
}

static inline uint64_t eventfd_count(int efd)
{
	uint64_t n = 0;

	if (read(efd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

/* Take every entry the kernel put in the ring, oldest first. */
static inline unsigned int ring_drain(struct mshv_fp_ring *ring,
				      struct mshv_fp_ring_entry *out, unsigned int max)
{
	unsigned int n = 0;
	uint32_t last = __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE);

	while (ring->first != last && n < max) {
		out[n++] = ring->entries[ring->first];
		__atomic_store_n(&ring->first, (ring->first + 1) % ring->nr_entries,
				 __ATOMIC_RELEASE);
	}
	return n;
}

static inline int test_vcpu_stats(struct test_vcpu *vcpu, struct mshv_fp_stats *stats)
{
	return ioctl(vcpu->fp, MSHV_FP_GET_STATS, stats);
}

#endif /* KVM_GUEST_H */
