// SPDX-License-Identifier: GPL-2.0
/*
 * The fast-path engine on real KVM exits (nested KVM in the test VM): each
 * test runs a small real-mode guest (guests.S) through MSHV_FP_RUN and
 * checks what the kernel finished and what reached userspace.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/time.h>
#include <time.h>

#include "kselftest_harness.h"
#include "kvm_guest.h"

#define DOORBELL_PORT	0x10
#define RING_PORT	0x20
#define READ_PORT	0x30
#define COUNT_PORT	0x40

/* A VM running @code with one attached vCPU; false: test skipped or failed. */
static bool setup(struct __test_metadata *_metadata, struct test_vm *vm,
		  struct test_vcpu *vcpu, struct guest_code code, struct guest_args args)
{
	if (!path_exists("/dev/kvm"))
		SKIP(return false, "no /dev/kvm (load kvm-amd or kvm-intel)");
	if (!path_exists(FP_DEV))
		SKIP(return false, FP_DEV " missing: mshv_fastpath is not loaded");
	EXPECT_EQ(0, test_vm_create(vm, code)) TH_LOG("VM: %s", strerror(errno));
	EXPECT_EQ(0, test_vcpu_create(vm, vcpu, 0, args)) TH_LOG("vCPU: %s", strerror(errno));
	EXPECT_EQ(0, test_vcpu_attach(vcpu, 0)) TH_LOG("attach: %s", strerror(errno));
	return _metadata->passed;
}

static int new_eventfd(void)
{
	return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

TEST(doorbell_writes_signal_exactly_n)
{
	const uint32_t n = 1000;
	struct guest_args args = {
		.ebx = 1, .ecx = n, .edx = DOORBELL_PORT, .esi = DONE_PORT,
	};
	struct mshv_fp_rule rule = port_rule(MSHV_FP_ACTION_DOORBELL,
					     MSHV_FP_ACCESS_WRITE, DOORBELL_PORT, 1);
	struct mshv_fp_stats stats;
	struct test_vcpu vcpu;
	struct test_vm vm;

	if (!setup(_metadata, &vm, &vcpu, GUEST(guest_port_writes), args))
		return;
	rule.eventfd = new_eventfd();
	ASSERT_LT(0, test_add_rule(&vm, rule));

	ASSERT_EQ(0, test_vcpu_run(&vcpu));
	ASSERT_TRUE(exit_is_port(&vcpu, DONE_PORT))
		TH_LOG("exit %u port 0x%x", vcpu.run->exit_reason, vcpu.run->io.port);
	EXPECT_EQ(n, eventfd_count(rule.eventfd));

	ASSERT_EQ(0, test_vcpu_stats(&vcpu, &stats));
	EXPECT_EQ(1, stats.runs);
	EXPECT_EQ(n + 1, stats.exits);
	EXPECT_EQ(n, stats.handled[MSHV_FP_ACTION_DOORBELL]);
	EXPECT_EQ(1, stats.forwarded);
	EXPECT_LE(stats.hv_ns, stats.run_ns);
}

/* Datamatch doorbells share a port; other values go to userspace. */
TEST(datamatch_doorbells_share_a_port)
{
	const uint32_t n = 512;	/* AL runs 0..255 twice */
	struct guest_args args = {
		.ebx = 1, .ecx = n, .edx = DOORBELL_PORT, .esi = DONE_PORT,
	};
	struct mshv_fp_rule r0 = port_rule(MSHV_FP_ACTION_DOORBELL,
					   MSHV_FP_ACCESS_WRITE, DOORBELL_PORT, 1);
	struct mshv_fp_rule r1 = r0;
	uint32_t forwarded = 0;
	struct test_vcpu vcpu;
	struct test_vm vm;

	if (!setup(_metadata, &vm, &vcpu, GUEST(guest_port_writes), args))
		return;
	r0.flags = r1.flags = MSHV_FP_RULE_DATAMATCH;
	r0.datamatch = 7;
	r1.datamatch = 200;
	r0.eventfd = new_eventfd();
	r1.eventfd = new_eventfd();
	ASSERT_LT(0, test_add_rule(&vm, r0));
	ASSERT_LT(0, test_add_rule(&vm, r1));
	r1.datamatch = 9;
	r1.flags = 0;
	errno = 0;
	EXPECT_EQ(-1, test_add_rule(&vm, r1)) TH_LOG("a plain rule over datamatch ones");
	EXPECT_EQ(EEXIST, errno);

	for (;;) {
		ASSERT_EQ(0, test_vcpu_run(&vcpu));
		if (exit_is_port(&vcpu, DONE_PORT))
			break;
		ASSERT_TRUE(exit_is_port(&vcpu, DOORBELL_PORT));
		EXPECT_NE(7, exit_io_data(&vcpu));
		EXPECT_NE(200, exit_io_data(&vcpu));
		forwarded++;
	}
	EXPECT_EQ(2, eventfd_count(r0.eventfd));
	EXPECT_EQ(2, eventfd_count(r1.eventfd));
	EXPECT_EQ(n - 4, forwarded);
}

/* Coalesced writes: in order in the ring; a full ring forwards, never drops. */
static void check_coalesced(struct __test_metadata *_metadata, uint32_t n)
{
	struct guest_args args = {
		.ebx = 2, .ecx = n, .edx = RING_PORT, .esi = DONE_PORT,
	};
	struct mshv_fp_rule rule = port_rule(MSHV_FP_ACTION_COALESCE,
					     MSHV_FP_ACCESS_WRITE, RING_PORT, 2);
	struct mshv_fp_ring_entry entries[256];
	uint32_t expect = 0, forwarded = 0;
	struct mshv_fp_stats stats;
	struct test_vcpu vcpu;
	struct test_vm vm;
	int id;

	if (!setup(_metadata, &vm, &vcpu, GUEST(guest_port_writes), args))
		return;
	ASSERT_EQ(127, vm.ring->nr_entries);
	id = test_add_rule(&vm, rule);
	ASSERT_LT(0, id);

	for (;;) {
		unsigned int got, i;

		ASSERT_EQ(0, test_vcpu_run(&vcpu));
		/* As a VMM must: drain the ring before handling the exit. */
		got = ring_drain(vm.ring, entries, 256);
		for (i = 0; i < got; i++) {
			ASSERT_EQ(expect, entries[i].data);
			ASSERT_EQ(RING_PORT, entries[i].addr);
			ASSERT_EQ(2, entries[i].len);
			ASSERT_EQ(MSHV_FP_SPACE_PIO, entries[i].space);
			ASSERT_EQ(id, entries[i].rule_id);
			expect++;
		}
		if (exit_is_port(&vcpu, DONE_PORT))
			break;
		ASSERT_TRUE(exit_is_port(&vcpu, RING_PORT));
		ASSERT_EQ(expect, exit_io_data(&vcpu)) TH_LOG("forwarded write out of order");
		expect++;
		forwarded++;
	}
	EXPECT_EQ(n, expect);
	ASSERT_EQ(0, test_vcpu_stats(&vcpu, &stats));
	EXPECT_EQ(forwarded, stats.ring_full);
	EXPECT_EQ(n - forwarded, stats.handled[MSHV_FP_ACTION_COALESCE]);
	if (n > 126) {
		EXPECT_LT(0, forwarded) TH_LOG("the ring never filled up");
	} else {
		EXPECT_EQ(0, forwarded);
	}
}

TEST(coalesced_writes_arrive_in_order)
{
	check_coalesced(_metadata, 100);
}

TEST(coalesced_ring_full_forwards_the_surplus)
{
	check_coalesced(_metadata, 1000);
}

/*
 * A fixed-value read reaches the guest exactly as a userspace answer would:
 * the guest reads once (port I/O: three times) with EAX preset, then
 * reports EAX through the done port.
 */
static void check_fixed_read(struct __test_metadata *_metadata, uint8_t space, uint8_t size)
{
	const uint32_t before = 0xaaaaaaaa, value = 0x12345678;
	uint32_t mask = size == 4 ? ~0u : (1u << (size * 8)) - 1;
	const uint64_t addr = space == MSHV_FP_SPACE_PIO ? READ_PORT : GUEST_MMIO_GPA + 0x100;
	struct guest_args args = {
		.eax = before, .ebx = size, .ecx = 3, .edx = addr, .edi = addr, .esi = DONE_PORT,
	};
	struct mshv_fp_rule rule = port_rule(MSHV_FP_ACTION_FIXED_READ,
					     MSHV_FP_ACCESS_READ, addr, 4);
	struct test_vcpu vcpu;
	struct test_vm vm;

	if (!setup(_metadata, &vm, &vcpu, space == MSHV_FP_SPACE_PIO ?
		   GUEST(guest_port_reads) : GUEST(guest_mmio_read), args))
		return;
	rule.space = space;
	rule.value = value;
	ASSERT_LT(0, test_add_rule(&vm, rule));
	ASSERT_EQ(0, test_vcpu_run(&vcpu));
	ASSERT_TRUE(exit_is_port(&vcpu, DONE_PORT));
	EXPECT_EQ((before & ~mask) | (value & mask), exit_io_data(&vcpu));
}

TEST(fixed_read_1_byte)
{
	check_fixed_read(_metadata, MSHV_FP_SPACE_PIO, 1);
}

TEST(fixed_read_2_bytes)
{
	check_fixed_read(_metadata, MSHV_FP_SPACE_PIO, 2);
}

TEST(fixed_read_4_bytes)
{
	check_fixed_read(_metadata, MSHV_FP_SPACE_PIO, 4);
}

/* The rule's size filter: a 4-byte read of a 1-byte register goes to userspace. */
TEST(size_filter_forwards_other_sizes)
{
	struct guest_args args = {
		.ebx = 4, .ecx = 1, .edx = READ_PORT, .esi = DONE_PORT,
	};
	struct mshv_fp_rule rule = port_rule(MSHV_FP_ACTION_FIXED_READ,
					     MSHV_FP_ACCESS_READ, READ_PORT, 4);
	struct test_vcpu vcpu;
	struct test_vm vm;

	if (!setup(_metadata, &vm, &vcpu, GUEST(guest_port_reads), args))
		return;
	rule.sizes = MSHV_FP_SIZE_1;
	ASSERT_LT(0, test_add_rule(&vm, rule));
	ASSERT_EQ(0, test_vcpu_run(&vcpu));
	ASSERT_TRUE(exit_is_port(&vcpu, READ_PORT));
	EXPECT_EQ(KVM_EXIT_IO_IN, vcpu.run->io.direction);
	exit_io_answer(&vcpu, 0xcafe);
	ASSERT_EQ(0, test_vcpu_run(&vcpu));
	ASSERT_TRUE(exit_is_port(&vcpu, DONE_PORT));
	EXPECT_EQ(0xcafe, exit_io_data(&vcpu));
}

TEST(count_action_counts_and_resumes)
{
	const uint32_t n = 300;
	struct guest_args args = {
		.ebx = 4, .ecx = n, .edx = COUNT_PORT, .esi = DONE_PORT,
	};
	struct mshv_fp_stats stats;
	struct test_vcpu vcpu;
	struct test_vm vm;

	if (!setup(_metadata, &vm, &vcpu, GUEST(guest_port_writes), args))
		return;
	ASSERT_LT(0, test_add_rule(&vm, port_rule(MSHV_FP_ACTION_COUNT,
		MSHV_FP_ACCESS_READ | MSHV_FP_ACCESS_WRITE, COUNT_PORT, 4)));
	ASSERT_EQ(0, test_vcpu_run(&vcpu));
	ASSERT_TRUE(exit_is_port(&vcpu, DONE_PORT));
	ASSERT_EQ(0, test_vcpu_stats(&vcpu, &stats));
	EXPECT_EQ(n, stats.handled[MSHV_FP_ACTION_COUNT]);
}

TEST(unmatched_exits_are_forwarded)
{
	struct guest_args args = {
		.ebx = 1, .ecx = 5, .edx = 0x70, .esi = DONE_PORT,
	};
	struct mshv_fp_stats stats;
	struct test_vcpu vcpu;
	struct test_vm vm;
	int i;

	if (!setup(_metadata, &vm, &vcpu, GUEST(guest_port_writes), args))
		return;
	/* A rule next to the port, not on it. */
	ASSERT_LT(0, test_add_rule(&vm, port_rule(MSHV_FP_ACTION_COUNT,
		MSHV_FP_ACCESS_WRITE, 0x71, 1)));
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, test_vcpu_run(&vcpu));
		ASSERT_TRUE(exit_is_port(&vcpu, 0x70));
		EXPECT_EQ(i, exit_io_data(&vcpu));
	}
	ASSERT_EQ(0, test_vcpu_run(&vcpu));
	ASSERT_TRUE(exit_is_port(&vcpu, DONE_PORT));
	ASSERT_EQ(0, test_vcpu_stats(&vcpu, &stats));
	EXPECT_EQ(6, stats.forwarded);
	EXPECT_EQ(0, stats.handled[MSHV_FP_ACTION_COUNT]);
	/* HLT is no access: forwarded too. */
	ASSERT_EQ(0, test_vcpu_run(&vcpu));
	EXPECT_EQ(KVM_EXIT_HLT, vcpu.run->exit_reason);
}

TEST(mmio_doorbell_and_coalesce)
{
	const uint32_t n = 50;
	struct guest_args args = {
		.ebx = 4, .ecx = n, .edi = GUEST_MMIO_GPA, .esi = DONE_PORT,
	};
	struct mshv_fp_rule doorbell = mmio_rule(MSHV_FP_ACTION_DOORBELL,
						 MSHV_FP_ACCESS_WRITE, GUEST_MMIO_GPA, 4);
	struct mshv_fp_ring_entry entries[128];
	struct test_vcpu vcpu;
	struct test_vm vm;
	unsigned int got, i;

	if (!setup(_metadata, &vm, &vcpu, GUEST(guest_mmio_writes), args))
		return;
	doorbell.eventfd = new_eventfd();
	ASSERT_LT(0, test_add_rule(&vm, doorbell));
	ASSERT_EQ(0, test_vcpu_run(&vcpu));
	ASSERT_TRUE(exit_is_port(&vcpu, DONE_PORT))
		TH_LOG("exit %u", vcpu.run->exit_reason);
	EXPECT_EQ(n, eventfd_count(doorbell.eventfd));

	/* Same guest, now the writes coalesced: 8 bytes above the doorbell. */
	args.edi = GUEST_MMIO_GPA + 8;
	ASSERT_EQ(0, test_vcpu_set_args(&vcpu, args));
	ASSERT_LT(0, test_add_rule(&vm, mmio_rule(MSHV_FP_ACTION_COALESCE,
		MSHV_FP_ACCESS_WRITE, GUEST_MMIO_GPA + 8, 8)));
	ASSERT_EQ(0, test_vcpu_run(&vcpu));
	ASSERT_TRUE(exit_is_port(&vcpu, DONE_PORT));
	got = ring_drain(vm.ring, entries, 128);
	ASSERT_EQ(n, got);
	for (i = 0; i < got; i++) {
		EXPECT_EQ(i, entries[i].data);
		EXPECT_EQ(GUEST_MMIO_GPA + 8, entries[i].addr);
		EXPECT_EQ(4, entries[i].len);
		EXPECT_EQ(MSHV_FP_SPACE_MMIO, entries[i].space);
	}
}

TEST(mmio_fixed_read_1_byte)
{
	check_fixed_read(_metadata, MSHV_FP_SPACE_MMIO, 1);
}

TEST(mmio_fixed_read_4_bytes)
{
	check_fixed_read(_metadata, MSHV_FP_SPACE_MMIO, 4);
}

static void on_signal(int sig)
{
	(void)sig;
}

/* A guest that only makes handled exits still stops for a signal. */
TEST(signal_interrupts_handled_loop)
{
	struct guest_args args = {
		.ebx = 1, .ecx = 0, .edx = DOORBELL_PORT, .esi = DONE_PORT,
	};
	struct mshv_fp_rule rule = port_rule(MSHV_FP_ACTION_DOORBELL,
					     MSHV_FP_ACCESS_WRITE, DOORBELL_PORT, 1);
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	struct itimerval timer = { .it_value = { .tv_usec = 200000 } };
	struct mshv_fp_stats stats;
	struct test_vcpu vcpu;
	struct test_vm vm;
	uint64_t rings;

	if (!setup(_metadata, &vm, &vcpu, GUEST(guest_port_writes), args))
		return;
	rule.eventfd = new_eventfd();
	ASSERT_LT(0, test_add_rule(&vm, rule));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));

	ASSERT_EQ(0, setitimer(ITIMER_REAL, &timer, NULL));
	errno = 0;
	EXPECT_EQ(-1, test_vcpu_run(&vcpu));
	EXPECT_EQ(EINTR, errno);
	/* Nothing for userspace to handle: the doorbells were finished. */
	EXPECT_EQ(KVM_EXIT_INTR, vcpu.run->exit_reason);
	rings = eventfd_count(rule.eventfd);
	EXPECT_LT(0, rings);
	ASSERT_EQ(0, test_vcpu_stats(&vcpu, &stats));
	EXPECT_EQ(rings, stats.handled[MSHV_FP_ACTION_DOORBELL]);

	/* immediate_exit: back at once, the guest untouched. */
	vcpu.run->immediate_exit = 1;
	errno = 0;
	EXPECT_EQ(-1, test_vcpu_run(&vcpu));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(0, eventfd_count(rule.eventfd));
	vcpu.run->immediate_exit = 0;

	/* And it runs on afterwards. */
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &timer, NULL));
	EXPECT_EQ(-1, test_vcpu_run(&vcpu));
	EXPECT_LT(0, eventfd_count(rule.eventfd));
}

struct vcpu_thread {
	struct test_vcpu vcpu;
	int result;
};

static void *run_to_done(void *arg)
{
	struct vcpu_thread *t = arg;

	t->result = test_vcpu_run(&t->vcpu) == 0 && exit_is_port(&t->vcpu, DONE_PORT);
	return NULL;
}

TEST(two_vcpus_at_once)
{
	const uint32_t n = 2000;
	struct vcpu_thread t[2];
	pthread_t threads[2];
	struct test_vm vm;
	int efd[2], i;

	if (!setup(_metadata, &vm, &t[0].vcpu, GUEST(guest_port_writes), (struct guest_args){
			.ebx = 1, .ecx = n, .edx = DOORBELL_PORT, .esi = DONE_PORT }))
		return;
	ASSERT_EQ(0, test_vcpu_create(&vm, &t[1].vcpu, 1, (struct guest_args){
		.ebx = 2, .ecx = n, .edx = DOORBELL_PORT + 2, .esi = DONE_PORT }));
	ASSERT_EQ(0, test_vcpu_attach(&t[1].vcpu, 1));
	for (i = 0; i < 2; i++) {
		struct mshv_fp_rule rule = port_rule(MSHV_FP_ACTION_DOORBELL,
			MSHV_FP_ACCESS_WRITE, DOORBELL_PORT + 2 * i, 2);

		efd[i] = rule.eventfd = new_eventfd();
		ASSERT_LT(0, test_add_rule(&vm, rule));
	}
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, run_to_done, &t[i]));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pthread_join(threads[i], NULL));
		EXPECT_TRUE(t[i].result);
		EXPECT_EQ(n, eventfd_count(efd[i]));
	}
}

struct churn {
	struct test_vm *vm;
	int efd;
	volatile int stop;
	unsigned int cycles;
};

/* Remove and re-add the doorbell rule as fast as possible. */
static void *churn_rule(void *arg)
{
	struct churn *c = arg;
	struct mshv_fp_rule rule = port_rule(MSHV_FP_ACTION_DOORBELL,
					     MSHV_FP_ACCESS_WRITE, DOORBELL_PORT, 1);
	int id;

	rule.eventfd = c->efd;
	id = test_add_rule(c->vm, rule);
	while (!c->stop && id > 0) {
		if (ioctl(c->vm->fp, MSHV_FP_REMOVE_RULE, id))
			break;
		id = test_add_rule(c->vm, rule);
		c->cycles++;
	}
	return NULL;
}

/* Rules change under a running vCPU: every write is counted once, somewhere. */
TEST(rules_changed_while_running)
{
	const uint32_t n = 3000;
	struct guest_args args = {
		.ebx = 1, .ecx = n, .edx = DOORBELL_PORT, .esi = DONE_PORT,
	};
	struct churn churn = { };
	uint32_t in_userspace = 0;
	struct test_vcpu vcpu;
	struct test_vm vm;
	pthread_t thread;
	uint64_t in_kernel;

	if (!setup(_metadata, &vm, &vcpu, GUEST(guest_port_writes), args))
		return;
	churn.vm = &vm;
	churn.efd = new_eventfd();
	ASSERT_EQ(0, pthread_create(&thread, NULL, churn_rule, &churn));
	for (;;) {
		ASSERT_EQ(0, test_vcpu_run(&vcpu));
		if (exit_is_port(&vcpu, DONE_PORT))
			break;
		ASSERT_TRUE(exit_is_port(&vcpu, DOORBELL_PORT));
		in_userspace++;
	}
	churn.stop = 1;
	ASSERT_EQ(0, pthread_join(thread, NULL));
	in_kernel = eventfd_count(churn.efd);
	TH_LOG("%u rule changes; %lu writes in the kernel, %u in userspace",
	       churn.cycles, (unsigned long)in_kernel, in_userspace);
	EXPECT_EQ(n, in_kernel + in_userspace);
	EXPECT_LT(0, churn.cycles);
}

TEST_HARNESS_MAIN
