// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetimes around the fast path: the module's VM fd, its vCPU fd and KVM's
 * vCPU fd closed in any order, also during a run in another thread; a
 * process killed mid-run; the module held while in use; one vCPU attached
 * once. Afterwards sysfs and the slab caches show nothing left behind.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "kvm_guest.h"

#define DOORBELL_PORT	0x10

static bool setup(struct __test_metadata *_metadata, struct test_vm *vm,
		  struct test_vcpu *vcpu, uint32_t writes)
{
	struct guest_args args = {
		.ebx = 1, .ecx = writes, .edx = DOORBELL_PORT, .esi = DONE_PORT,
	};
	struct mshv_fp_rule rule = port_rule(MSHV_FP_ACTION_DOORBELL,
					     MSHV_FP_ACCESS_WRITE, DOORBELL_PORT, 1);

	if (!path_exists("/dev/kvm"))
		SKIP(return false, "no /dev/kvm (load kvm-amd or kvm-intel)");
	if (!path_exists(FP_DEV))
		SKIP(return false, FP_DEV " missing: mshv_fastpath is not loaded");
	EXPECT_EQ(0, test_vm_create(vm, GUEST(guest_port_writes)));
	EXPECT_EQ(0, test_vcpu_create(vm, vcpu, 0, args));
	EXPECT_EQ(0, test_vcpu_attach(vcpu, 0)) TH_LOG("attach: %s", strerror(errno));
	rule.eventfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	EXPECT_LT(0, test_add_rule(vm, rule));
	return _metadata->passed;
}

/* The module's objects in use: VMs and vCPUs per sysfs, and their caches. */
struct usage {
	long vms, vcpus, vm_objs, vcpu_objs, rule_objs;
};

static struct usage usage_now(void)
{
	return (struct usage){
		.vms = read_long(FP_SYSFS "/vms"),
		.vcpus = read_long(FP_SYSFS "/vcpus"),
		.vm_objs = slab_active_objects("mshv_fp_vm"),
		.vcpu_objs = slab_active_objects("mshv_fp_vcpu"),
		.rule_objs = slab_active_objects("mshv_fp_krule"),
	};
}

/* RCU frees removed rules a little later: wait for the counts to settle. */
#define EXPECT_USAGE(before) do {						\
	struct usage now;							\
	for (int i = 0; i < 100; i++) {						\
		now = usage_now();						\
		if (!memcmp(&now, &(before), sizeof(now)))			\
			break;							\
		usleep(20000);							\
	}									\
	EXPECT_EQ((before).vms, now.vms);					\
	EXPECT_EQ((before).vcpus, now.vcpus);					\
	EXPECT_EQ((before).vm_objs, now.vm_objs);				\
	EXPECT_EQ((before).vcpu_objs, now.vcpu_objs);				\
	EXPECT_EQ((before).rule_objs, now.rule_objs);				\
} while (0)

TEST(close_vm_fd_first_vcpu_keeps_running)
{
	struct usage before = usage_now();
	struct test_vcpu vcpu;
	struct test_vm vm;

	if (!setup(_metadata, &vm, &vcpu, 100))
		return;
	EXPECT_EQ(before.vms + 1, read_long(FP_SYSFS "/vms"));
	munmap(vm.ring, MSHV_FP_RING_SIZE);
	ASSERT_EQ(0, close(vm.fp));
	/* The VM's rules live on with its vCPU. */
	ASSERT_EQ(0, test_vcpu_run(&vcpu));
	EXPECT_TRUE(exit_is_port(&vcpu, DONE_PORT));
	ASSERT_EQ(0, close(vcpu.fp));
	EXPECT_USAGE(before);
}

TEST(close_kvm_vcpu_fd_first)
{
	struct usage before = usage_now();
	struct test_vcpu vcpu;
	struct test_vm vm;

	if (!setup(_metadata, &vm, &vcpu, 100))
		return;
	/* The fast path holds KVM's vCPU file: it still runs. */
	munmap(vcpu.run, vm.run_size);
	ASSERT_EQ(0, close(vcpu.fd));
	ASSERT_EQ(0, close(vm.vm));
	ASSERT_EQ(0, ioctl(vcpu.fp, MSHV_FP_RUN, 0));
	ASSERT_EQ(0, close(vcpu.fp));
	/* The ring's mapping holds the VM too. */
	ASSERT_EQ(0, close(vm.fp));
	EXPECT_EQ(before.vms + 1, read_long(FP_SYSFS "/vms"));
	munmap(vm.ring, MSHV_FP_RING_SIZE);
	EXPECT_USAGE(before);
}

static void on_signal(int sig)
{
	(void)sig;
}

struct runner {
	int fp;
	int ret, err;
};

static void *run_once(void *arg)
{
	struct runner *r = arg;

	r->ret = ioctl(r->fp, MSHV_FP_RUN, 0);
	r->err = errno;
	return NULL;
}

/* Closing every fd while another thread is inside MSHV_FP_RUN. */
TEST(close_all_fds_during_run)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct usage before = usage_now();
	struct mshv_fp_stats stats = { };
	struct runner runner;
	struct test_vcpu vcpu;
	struct test_vm vm;
	pthread_t thread;
	int stats_fd;

	if (!setup(_metadata, &vm, &vcpu, 0))	/* writes forever */
		return;
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	stats_fd = dup(vcpu.fp);
	runner.fp = vcpu.fp;
	ASSERT_EQ(0, pthread_create(&thread, NULL, run_once, &runner));
	while (stats.handled[MSHV_FP_ACTION_DOORBELL] < 100)
		ASSERT_EQ(0, ioctl(stats_fd, MSHV_FP_GET_STATS, &stats));

	/* A second run of the same vCPU is refused while the first goes on. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(stats_fd, MSHV_FP_RUN, 0));
	EXPECT_EQ(EBUSY, errno);

	close(stats_fd);
	close(vcpu.fp);
	close(vm.fp);
	munmap(vm.ring, MSHV_FP_RING_SIZE);
	munmap(vcpu.run, vm.run_size);
	close(vcpu.fd);
	close(vm.vm);
	/* The run goes on (it holds its file) until the signal. */
	usleep(100000);
	ASSERT_EQ(0, pthread_kill(thread, SIGUSR1));
	ASSERT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(-1, runner.ret);
	EXPECT_EQ(EINTR, runner.err);
	EXPECT_USAGE(before);
}

/* A process killed in the middle of a run leaves nothing behind. */
TEST(process_killed_during_run)
{
	struct usage before = usage_now();
	int status, pipefd[2];
	char ready;
	pid_t pid;

	if (!path_exists("/dev/kvm") || !path_exists(FP_DEV))
		SKIP(return, "needs /dev/kvm and the module");
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct test_vcpu vcpu;
		struct test_vm vm;

		if (!setup(_metadata, &vm, &vcpu, 0))
			_exit(1);
		if (write(pipefd[1], "r", 1) != 1)
			_exit(1);
		test_vcpu_run(&vcpu);
		_exit(2);
	}
	ASSERT_EQ(1, read(pipefd[0], &ready, 1));
	usleep(200000);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_USAGE(before);
}

TEST(module_held_while_in_use)
{
	struct test_vcpu vcpu;
	struct test_vm vm;

	if (!setup(_metadata, &vm, &vcpu, 10))
		return;
	/* Only the vCPU fd is left: it alone must keep the module in. */
	munmap(vm.ring, MSHV_FP_RING_SIZE);
	close(vm.fp);
	errno = 0;
	EXPECT_EQ(-1, syscall(SYS_delete_module, "mshv_fastpath", O_NONBLOCK));
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY) TH_LOG("errno %d", errno);
	EXPECT_TRUE(path_exists("/sys/module/mshv_fastpath"));
	EXPECT_EQ(0, test_vcpu_run(&vcpu));
}

TEST(attach_twice_is_an_error)
{
	struct mshv_fp_attach attach = { .hypervisor = MSHV_FP_HV_KVM };
	struct test_vcpu vcpu;
	struct test_vm vm;
	int other_vm;

	if (!setup(_metadata, &vm, &vcpu, 10))
		return;
	attach.vcpu_fd = vcpu.fd;
	errno = 0;
	EXPECT_EQ(-1, ioctl(vm.fp, MSHV_FP_ATTACH_VCPU, &attach));
	EXPECT_EQ(EEXIST, errno);
	/* Not in another fast-path VM either. */
	other_vm = open(FP_DEV, O_RDWR);
	ASSERT_LE(0, other_vm);
	errno = 0;
	EXPECT_EQ(-1, ioctl(other_vm, MSHV_FP_ATTACH_VCPU, &attach));
	EXPECT_EQ(EEXIST, errno);
	/* Once detached, it may be attached again. */
	close(vcpu.fp);
	vcpu.fp = ioctl(other_vm, MSHV_FP_ATTACH_VCPU, &attach);
	EXPECT_LE(0, vcpu.fp) TH_LOG("re-attach: %s", strerror(errno));
}

TEST(vm_stats_sum_vcpus_and_survive_detach)
{
	long doorbells_before = read_long(FP_SYSFS "/stats/handled_doorbell");
	long exits_before = read_long(FP_SYSFS "/stats/exits");
	struct mshv_fp_stats vcpu_stats, vm_stats;
	struct test_vcpu vcpu;
	struct test_vm vm;

	if (!setup(_metadata, &vm, &vcpu, 40))
		return;
	ASSERT_EQ(0, test_vcpu_run(&vcpu));
	ASSERT_EQ(0, test_vcpu_stats(&vcpu, &vcpu_stats));
	ASSERT_EQ(0, ioctl(vm.fp, MSHV_FP_GET_STATS, &vm_stats));
	EXPECT_EQ(40, vm_stats.handled[MSHV_FP_ACTION_DOORBELL]);
	EXPECT_EQ(0, memcmp(&vcpu_stats, &vm_stats, sizeof(vm_stats)));
	EXPECT_EQ(doorbells_before + 40, read_long(FP_SYSFS "/stats/handled_doorbell"));
	close(vcpu.fp);
	ASSERT_EQ(0, ioctl(vm.fp, MSHV_FP_GET_STATS, &vm_stats));
	EXPECT_EQ(40, vm_stats.handled[MSHV_FP_ACTION_DOORBELL]);
	EXPECT_EQ(41, vm_stats.exits);

	/* sysfs counts since the module was loaded: the VM's exits stay. */
	munmap(vm.ring, MSHV_FP_RING_SIZE);
	close(vm.fp);
	EXPECT_EQ(doorbells_before + 40, read_long(FP_SYSFS "/stats/handled_doorbell"));
	EXPECT_EQ(exits_before + 41, read_long(FP_SYSFS "/stats/exits"));
}

TEST_HARNESS_MAIN
