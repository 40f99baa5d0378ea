// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input to the fast path gives an error, never a crash or a leak:
 * fds that are not KVM vCPUs or mshv VPs, bad mshv message buffers and
 * register pages, another process's vCPU, malformed rules,
 * bad eventfds, bad pointers, non-zero reserved fields, bad mappings.
 * The test VM's kernel-log check makes sure none of it logged anything.
 */
#include <sys/eventfd.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "kvm_guest.h"

#define EXPECT_ERRNO(err, call) do {					\
	errno = 0;							\
	EXPECT_EQ(-1, (call));						\
	EXPECT_EQ((err), errno) TH_LOG("%s", #call);			\
} while (0)

static bool setup(struct __test_metadata *_metadata, struct test_vm *vm,
		  struct test_vcpu *vcpu)
{
	if (!path_exists("/dev/kvm"))
		SKIP(return false, "no /dev/kvm (load kvm-amd or kvm-intel)");
	if (!path_exists(FP_DEV))
		SKIP(return false, FP_DEV " missing: mshv_fastpath is not loaded");
	EXPECT_EQ(0, test_vm_create(vm, GUEST(guest_port_writes)));
	EXPECT_EQ(0, test_vcpu_create(vm, vcpu, 0, (struct guest_args){ .ebx = 1 }));
	return _metadata->passed;
}

static int attach_fd(struct test_vm *vm, int fd)
{
	struct mshv_fp_attach attach = {
		.hypervisor = MSHV_FP_HV_KVM, .vcpu_fd = fd,
	};

	return ioctl(vm->fp, MSHV_FP_ATTACH_VCPU, &attach);
}

TEST(attach_refuses_what_is_not_a_kvm_vcpu)
{
	struct test_vcpu vcpu;
	struct test_vm vm;
	int efd, null;

	if (!setup(_metadata, &vm, &vcpu))
		return;
	efd = eventfd(0, 0);
	null = open("/dev/null", O_RDWR);
	EXPECT_ERRNO(EINVAL, attach_fd(&vm, efd));
	EXPECT_ERRNO(EINVAL, attach_fd(&vm, null));
	EXPECT_ERRNO(EINVAL, attach_fd(&vm, vm.vm));	/* KVM's VM, not a vCPU */
	EXPECT_ERRNO(EINVAL, attach_fd(&vm, vm.kvm));	/* /dev/kvm */
	EXPECT_ERRNO(EINVAL, attach_fd(&vm, vm.fp));	/* ourselves */
	EXPECT_ERRNO(EBADF, attach_fd(&vm, -1));
	EXPECT_ERRNO(EBADF, attach_fd(&vm, 1000));
	EXPECT_EQ(0, read_long(FP_SYSFS "/vcpus"));
}

TEST(attach_checks_every_field)
{
	struct mshv_fp_attach attach;
	struct test_vcpu vcpu;
	struct test_vm vm;

	if (!setup(_metadata, &vm, &vcpu))
		return;
#define ATTACH_WITH(field, value) ({					\
	memset(&attach, 0, sizeof(attach));				\
	attach.hypervisor = MSHV_FP_HV_KVM;				\
	attach.vcpu_fd = vcpu.fd;					\
	attach.field = value;						\
	ioctl(vm.fp, MSHV_FP_ATTACH_VCPU, &attach);			\
})
	EXPECT_ERRNO(EINVAL, ATTACH_WITH(hypervisor, 0));
	EXPECT_ERRNO(EINVAL, ATTACH_WITH(hypervisor, 77));
	EXPECT_ERRNO(EINVAL, ATTACH_WITH(hypervisor, MSHV_FP_HV_MSHV));	/* no buffer */
	EXPECT_ERRNO(EINVAL, ATTACH_WITH(flags, 1));
	EXPECT_ERRNO(EINVAL, ATTACH_WITH(user_area, 0x1000));
	EXPECT_ERRNO(EINVAL, ATTACH_WITH(register_page, 0x1000));
	/* Even a mapping of this vCPU's page 0: KVM has no register page. */
	EXPECT_ERRNO(EINVAL, ATTACH_WITH(register_page, (uintptr_t)vcpu.run));
	EXPECT_ERRNO(EINVAL, ATTACH_WITH(reserved[0], 1));
	EXPECT_ERRNO(EINVAL, ATTACH_WITH(reserved[2], 1));
	EXPECT_ERRNO(EFAULT, ioctl(vm.fp, MSHV_FP_ATTACH_VCPU, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(vm.fp, MSHV_FP_ATTACH_VCPU, (void *)-4096L));
	/* And after all that, a good attach works. */
	EXPECT_LE(0, ATTACH_WITH(vcpu_id, 3));
}

static int attach_mshv(struct test_vm *vm, int fd, const void *user_area,
		       uint64_t register_page)
{
	struct mshv_fp_attach attach = {
		.hypervisor = MSHV_FP_HV_MSHV, .vcpu_fd = fd,
		.user_area = (uintptr_t)user_area, .register_page = register_page,
	};

	return ioctl(vm->fp, MSHV_FP_ATTACH_VCPU, &attach);
}

/*
 * The mshv adapter, on a machine without mshv: what is not an mshv VP, or
 * comes without a usable message buffer, is refused, and the buffer is
 * left as it was.
 */
TEST(mshv_attach_refuses_what_is_not_an_mshv_vp)
{
	const long page = sysconf(_SC_PAGESIZE);
	unsigned char *buf, *read_only, *unmapped;
	struct test_vcpu vcpu;
	struct test_vm vm;
	int efd, null;

	if (!setup(_metadata, &vm, &vcpu))
		return;
	buf = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	read_only = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unmapped = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_NE(MAP_FAILED, read_only);
	ASSERT_NE(MAP_FAILED, unmapped);
	ASSERT_EQ(0, munmap(unmapped, page));
	memset(buf, 0x5a, page);
	efd = eventfd(0, 0);
	null = open("/dev/null", O_RDWR);

	/* Good buffers, wrong files. */
	EXPECT_ERRNO(EINVAL, attach_mshv(&vm, vcpu.fd, buf, 0));	/* KVM's vCPU */
	EXPECT_ERRNO(EINVAL, attach_mshv(&vm, vcpu.fd, buf, (uintptr_t)vcpu.run));
	EXPECT_ERRNO(EINVAL, attach_mshv(&vm, vm.vm, buf, 0));
	EXPECT_ERRNO(EINVAL, attach_mshv(&vm, null, buf, 0));
	EXPECT_ERRNO(EINVAL, attach_mshv(&vm, efd, buf, 0));
	EXPECT_ERRNO(EINVAL, attach_mshv(&vm, vm.fp, buf, 0));		/* ourselves */
	EXPECT_ERRNO(EBADF, attach_mshv(&vm, -1, buf, 0));
	/* Bad buffers and register pages, whatever the file. */
	EXPECT_ERRNO(EINVAL, attach_mshv(&vm, null, NULL, 0));
	EXPECT_ERRNO(EINVAL, attach_mshv(&vm, vcpu.fd, NULL, 0));
	EXPECT_ERRNO(EINVAL, attach_mshv(&vm, null, buf, (uintptr_t)buf + 8));
	EXPECT_ERRNO(EFAULT, attach_mshv(&vm, null, read_only, 0));
	EXPECT_ERRNO(EFAULT, attach_mshv(&vm, null, unmapped, 0));
	EXPECT_ERRNO(EFAULT, attach_mshv(&vm, null, (void *)0xffff888000000000ULL, 0));
	EXPECT_ERRNO(EFAULT, attach_mshv(&vm, null, (void *)-16L, 0));

	for (long i = 0; i < page; i++) {
		ASSERT_EQ(0x5a, buf[i]) TH_LOG("buffer byte %ld changed", i);
	}
	EXPECT_EQ(0, read_long(FP_SYSFS "/vcpus"));
	/* The KVM vCPU is still free to attach. */
	EXPECT_EQ(0, test_vcpu_attach(&vcpu, 0));
}

/* A vCPU inherited by another process is not that process's to run. */
TEST(attach_refuses_another_process_vcpu)
{
	struct test_vcpu vcpu;
	struct test_vm vm;
	int status;
	pid_t pid;

	if (!setup(_metadata, &vm, &vcpu))
		return;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fp = open(FP_DEV, O_RDWR);
		struct mshv_fp_attach attach = {
			.hypervisor = MSHV_FP_HV_KVM, .vcpu_fd = vcpu.fd,
		};

		if (fp < 0)
			_exit(10);
		if (ioctl(fp, MSHV_FP_ATTACH_VCPU, &attach) != -1)
			_exit(11);
		_exit(errno == EPERM ? 0 : 12);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("10: open, 11: attached, 12: wrong errno");
}

/* One malformed rule per case: each is refused, none is added. */
TEST(bad_rules_are_refused)
{
	struct mshv_fp_rule good = port_rule(MSHV_FP_ACTION_COUNT, MSHV_FP_ACCESS_WRITE, 0x60, 4);
	struct mshv_fp_rule r;
	struct test_vcpu vcpu;
	struct test_vm vm;
	long rules_before;
	int efd;

	if (!setup(_metadata, &vm, &vcpu))
		return;
	rules_before = slab_active_objects("mshv_fp_krule");
	efd = eventfd(0, 0);
#define RULE_WITH(field, value) ({ r = good; r.field = value; test_add_rule(&vm, r); })
	EXPECT_ERRNO(EINVAL, RULE_WITH(len, 0));
	EXPECT_ERRNO(EINVAL, RULE_WITH(addr, 0xfffe));		/* past port 0xffff */
	EXPECT_ERRNO(EINVAL, RULE_WITH(len, 0x10001));
	EXPECT_ERRNO(EINVAL, RULE_WITH(addr, ~0ULL));		/* wraps */
	EXPECT_ERRNO(EINVAL, RULE_WITH(space, 2));
	EXPECT_ERRNO(EINVAL, RULE_WITH(access, 0));
	EXPECT_ERRNO(EINVAL, RULE_WITH(access, 4));
	EXPECT_ERRNO(EINVAL, RULE_WITH(action, MSHV_FP_NR_ACTIONS));
	EXPECT_ERRNO(EINVAL, RULE_WITH(sizes, MSHV_FP_SIZE_8));	/* no 8-byte port I/O */
	EXPECT_ERRNO(EINVAL, RULE_WITH(sizes, 0x10));
	EXPECT_ERRNO(EINVAL, RULE_WITH(flags, 2));
	EXPECT_ERRNO(EINVAL, RULE_WITH(id, 5));
	EXPECT_ERRNO(EINVAL, RULE_WITH(reserved[0], 1));
	EXPECT_ERRNO(EINVAL, RULE_WITH(reserved[3], 1));
	EXPECT_ERRNO(EINVAL, RULE_WITH(action, MSHV_FP_ACTION_FIXED_READ));	/* a write rule */
	r = good;
	r.access = MSHV_FP_ACCESS_READ;
	r.action = MSHV_FP_ACTION_COALESCE;				/* coalesced reads */
	EXPECT_ERRNO(EINVAL, test_add_rule(&vm, r));
	r = good;
	r.access = MSHV_FP_ACCESS_READ;
	r.flags = MSHV_FP_RULE_DATAMATCH;				/* datamatch on reads */
	EXPECT_ERRNO(EINVAL, test_add_rule(&vm, r));
	r = good;
	r.access = MSHV_FP_ACCESS_READ | MSHV_FP_ACCESS_WRITE;
	r.action = MSHV_FP_ACTION_DOORBELL;				/* doorbell on reads */
	r.eventfd = efd;
	EXPECT_ERRNO(EINVAL, test_add_rule(&vm, r));

	/* MMIO: at most 1 GiB a rule, below 2^52. */
	r = mmio_rule(MSHV_FP_ACTION_COUNT, MSHV_FP_ACCESS_WRITE, 0x100000, (1ULL << 30) + 1);
	EXPECT_ERRNO(EINVAL, test_add_rule(&vm, r));
	r = mmio_rule(MSHV_FP_ACTION_COUNT, MSHV_FP_ACCESS_WRITE, (1ULL << 52) - 4, 8);
	EXPECT_ERRNO(EINVAL, test_add_rule(&vm, r));

	/* Doorbells need an eventfd. */
	r = port_rule(MSHV_FP_ACTION_DOORBELL, MSHV_FP_ACCESS_WRITE, 0x60, 1);
	r.eventfd = -1;
	EXPECT_ERRNO(EBADF, test_add_rule(&vm, r));
	r.eventfd = vm.vm;						/* not an eventfd */
	EXPECT_ERRNO(EINVAL, test_add_rule(&vm, r));

	EXPECT_ERRNO(EFAULT, ioctl(vm.fp, MSHV_FP_ADD_RULE, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(vm.fp, MSHV_FP_ADD_RULE, (void *)-4096L));
	EXPECT_ERRNO(ENOENT, ioctl(vm.fp, MSHV_FP_REMOVE_RULE, 1));
	EXPECT_ERRNO(ENOENT, ioctl(vm.fp, MSHV_FP_REMOVE_RULE, ~0UL));

	/* None of it went in: the good rule is the first. */
	EXPECT_EQ(1, test_add_rule(&vm, good));
	EXPECT_EQ(rules_before + 1, slab_active_objects("mshv_fp_krule"));
}

TEST(overlapping_rules_are_refused)
{
	struct test_vcpu vcpu;
	struct test_vm vm;
	int id;

	if (!setup(_metadata, &vm, &vcpu))
		return;
	id = test_add_rule(&vm, port_rule(MSHV_FP_ACTION_COUNT, MSHV_FP_ACCESS_WRITE, 0x3f8, 8));
	ASSERT_LT(0, id);
	EXPECT_ERRNO(EEXIST, test_add_rule(&vm, port_rule(MSHV_FP_ACTION_COUNT,
		     MSHV_FP_ACCESS_WRITE, 0x3f8, 8)));
	EXPECT_ERRNO(EEXIST, test_add_rule(&vm, port_rule(MSHV_FP_ACTION_COUNT,
		     MSHV_FP_ACCESS_WRITE, 0x3f0, 9)));		/* tail overlaps */
	EXPECT_ERRNO(EEXIST, test_add_rule(&vm, port_rule(MSHV_FP_ACTION_COALESCE,
		     MSHV_FP_ACCESS_WRITE, 0x3ff, 1)));		/* inside */
	EXPECT_ERRNO(EEXIST, test_add_rule(&vm, port_rule(MSHV_FP_ACTION_COUNT,
		     MSHV_FP_ACCESS_READ | MSHV_FP_ACCESS_WRITE, 0x3f0, 0x100)));
	/* Touching is not overlapping; reads and writes do not overlap. */
	EXPECT_LT(0, test_add_rule(&vm, port_rule(MSHV_FP_ACTION_COUNT,
		  MSHV_FP_ACCESS_WRITE, 0x3f0, 8)));
	EXPECT_LT(0, test_add_rule(&vm, port_rule(MSHV_FP_ACTION_FIXED_READ,
		  MSHV_FP_ACCESS_READ, 0x3fd, 1)));
	/* Same address in the other space is another address. */
	EXPECT_LT(0, test_add_rule(&vm, mmio_rule(MSHV_FP_ACTION_COUNT,
		  MSHV_FP_ACCESS_WRITE, 0x3f8, 8)));
	/* Removed, the range is free again. */
	EXPECT_EQ(0, ioctl(vm.fp, MSHV_FP_REMOVE_RULE, id));
	EXPECT_ERRNO(ENOENT, ioctl(vm.fp, MSHV_FP_REMOVE_RULE, id));
	EXPECT_LT(0, test_add_rule(&vm, port_rule(MSHV_FP_ACTION_COALESCE,
		  MSHV_FP_ACCESS_WRITE, 0x3f8, 8)));
}

TEST(rule_table_is_bounded)
{
	struct test_vcpu vcpu;
	struct test_vm vm;
	int i;

	if (!setup(_metadata, &vm, &vcpu))
		return;
	for (i = 0; i < 256; i++)
		ASSERT_LT(0, test_add_rule(&vm, port_rule(MSHV_FP_ACTION_COUNT,
			  MSHV_FP_ACCESS_WRITE, 0x1000 + i, 1)));
	EXPECT_ERRNO(ENOSPC, test_add_rule(&vm, port_rule(MSHV_FP_ACTION_COUNT,
		     MSHV_FP_ACCESS_WRITE, 0x2000, 1)));
}

TEST(bad_run_and_stats_calls)
{
	struct test_vcpu vcpu;
	struct test_vm vm;

	if (!setup(_metadata, &vm, &vcpu))
		return;
	ASSERT_EQ(0, test_vcpu_attach(&vcpu, 0));
	EXPECT_ERRNO(EINVAL, ioctl(vcpu.fp, MSHV_FP_RUN, 1));
	EXPECT_ERRNO(ENOTTY, ioctl(vcpu.fp, MSHV_FP_ADD_RULE, NULL));
	EXPECT_ERRNO(ENOTTY, ioctl(vcpu.fp, _IO(MSHV_FP_IOCTL_MAGIC, 0x7f), 0));
	EXPECT_ERRNO(ENOTTY, ioctl(vm.fp, MSHV_FP_RUN, 0));
	EXPECT_ERRNO(EFAULT, ioctl(vcpu.fp, MSHV_FP_GET_STATS, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(vm.fp, MSHV_FP_GET_STATS, (void *)-4096L));
}

TEST(bad_ring_mappings)
{
	struct test_vcpu vcpu;
	struct test_vm vm;
	void *p;

	if (!setup(_metadata, &vm, &vcpu))
		return;
	p = mmap(NULL, 2 * MSHV_FP_RING_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, vm.fp, 0);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, MSHV_FP_RING_SIZE, PROT_READ, MAP_SHARED, vm.fp, MSHV_FP_RING_SIZE);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, MSHV_FP_RING_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, vm.fp, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

/* Userspace scribbling over the ring's indexes cannot hurt the kernel. */
TEST(corrupt_ring_indexes_forward_writes)
{
	struct guest_args args = {
		.ebx = 1, .ecx = 10, .edx = 0x20, .esi = DONE_PORT,
	};
	struct mshv_fp_stats stats;
	struct test_vcpu vcpu;
	struct test_vm vm;
	int forwarded = 0;

	if (!setup(_metadata, &vm, &vcpu))
		return;
	ASSERT_EQ(0, test_vcpu_set_args(&vcpu, args));
	ASSERT_EQ(0, test_vcpu_attach(&vcpu, 0));
	ASSERT_LT(0, test_add_rule(&vm, port_rule(MSHV_FP_ACTION_COALESCE,
		  MSHV_FP_ACCESS_WRITE, 0x20, 1)));
	vm.ring->first = 0xdeadbeef;
	vm.ring->last = 0x12345678;
	vm.ring->nr_entries = 0;
	for (;;) {
		ASSERT_EQ(0, test_vcpu_run(&vcpu));
		if (exit_is_port(&vcpu, DONE_PORT))
			break;
		ASSERT_TRUE(exit_is_port(&vcpu, 0x20));
		forwarded++;
	}
	EXPECT_EQ(10, forwarded);
	ASSERT_EQ(0, test_vcpu_stats(&vcpu, &stats));
	EXPECT_EQ(10, stats.ring_full);
}

TEST_HARNESS_MAIN
