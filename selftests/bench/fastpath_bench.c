// SPDX-License-Identifier: GPL-2.0
/*
 * make bench: what a port-I/O exit costs, per way of handling it, measured
 * side by side on real (nested) KVM exits in the test VM.
 *
 *   (a)  N port writes handled in userspace after KVM_RUN returns
 *   (b)  the same writes finished by mshv_fastpath (doorbell rule)
 *   (c)  the same writes finished by KVM's own ioeventfd
 *   (a') N port reads answered in userspace
 *   (b') the same reads answered by a fixed-value rule
 *
 * The modes are interleaved in every round, in slices of a few hundred
 * exits each, so that drift and hiccups of the machine (TCG timing is
 * noisy) hit them alike. The last lines are the ratios of
 * the medians, and the share of (b) spent in the module's own code.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>

#include "../kmod/kvm_guest.h"

#define PORT		0x10
#define NR_MODES	5
#define SLICES		6	/* per mode and round, interleaved */

enum mode { USER_WRITE, FP_WRITE, IOEVENTFD_WRITE, USER_READ, FP_READ };

static const char *const mode_names[NR_MODES] = {
	"(a)  write, userspace", "(b)  write, fast path", "(c)  write, KVM ioeventfd",
	"(a') read, userspace", "(b') read, fast path",
};

struct bench {
	struct test_vm vm;
	struct test_vcpu vcpu;
	bool reads;
};

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void setup(struct bench *b, enum mode mode)
{
	b->reads = mode == USER_READ || mode == FP_READ;
	if (test_vm_create(&b->vm, b->reads ? GUEST(guest_port_reads) : GUEST(guest_port_writes)))
		die("VM");
	if (test_vcpu_create(&b->vm, &b->vcpu, 0, (struct guest_args){ }))
		die("vCPU");
	if (mode == FP_WRITE || mode == FP_READ) {
		struct mshv_fp_rule rule = port_rule(
			b->reads ? MSHV_FP_ACTION_FIXED_READ : MSHV_FP_ACTION_DOORBELL,
			b->reads ? MSHV_FP_ACCESS_READ : MSHV_FP_ACCESS_WRITE, PORT, 1);

		if (test_vcpu_attach(&b->vcpu, 0))
			die("attach");
		rule.eventfd = eventfd(0, EFD_NONBLOCK);
		rule.value = 0x5a;
		if (test_add_rule(&b->vm, rule) < 0)
			die("rule");
	}
	if (mode == IOEVENTFD_WRITE) {
		struct kvm_ioeventfd io = {
			.addr = PORT, .len = 1, .fd = eventfd(0, EFD_NONBLOCK),
			.flags = KVM_IOEVENTFD_FLAG_PIO,
		};

		if (ioctl(b->vm.vm, KVM_IOEVENTFD, &io))
			die("KVM_IOEVENTFD");
	}
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Run @n accesses; nanoseconds they took. */
static double measure(struct bench *b, uint32_t n)
{
	struct guest_args args = {
		.ebx = 1, .ecx = n, .edx = PORT, .esi = DONE_PORT,
	};
	double start;

	if (test_vcpu_set_args(&b->vcpu, args))
		die("regs");
	start = now_ns();
	for (;;) {
		if (test_vcpu_run(&b->vcpu))
			die("run");
		if (exit_is_port(&b->vcpu, DONE_PORT))
			break;
		if (!exit_is_port(&b->vcpu, PORT)) {
			fprintf(stderr, "unexpected exit %u\n", b->vcpu.run->exit_reason);
			exit(1);
		}
		if (b->reads)
			exit_io_answer(&b->vcpu, 0x5a);
	}
	return now_ns() - start;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 7;
	uint32_t n = argc > 2 ? atoi(argv[2]) : 3000;
	double ns[NR_MODES][64], med[NR_MODES], cost_pct[64];
	struct bench bench[NR_MODES];
	bool b_wins = true, b_read_wins = true;
	int r, m;

	if (rounds < 1 || rounds > 64 || n < SLICES) {
		fprintf(stderr, "usage: fastpath_bench [ROUNDS (1-64)] [EXITS]\n");
		return 2;
	}
	for (m = 0; m < NR_MODES; m++)
		setup(&bench[m], m);

	printf("%d rounds of %u exits per mode; microseconds per exit\n", rounds, n);
	printf("round  %8s %8s %8s %8s %8s  module%%\n", "(a)", "(b)", "(c)", "(a')", "(b')");
	for (r = 0; r < rounds; r++) {
		struct mshv_fp_stats s0, s1;
		uint32_t slice = n / SLICES;
		int k;

		test_vcpu_stats(&bench[FP_WRITE].vcpu, &s0);
		for (m = 0; m < NR_MODES; m++)
			ns[m][r] = 0;
		for (k = 0; k < SLICES; k++) {
			for (m = 0; m < NR_MODES; m++) {
				/* Rotate the order, so no mode always goes first. */
				int mode = (m + k + r) % NR_MODES;

				ns[mode][r] += measure(&bench[mode], slice);
			}
		}
		for (m = 0; m < NR_MODES; m++)
			ns[m][r] /= slice * SLICES;
		test_vcpu_stats(&bench[FP_WRITE].vcpu, &s1);
		/* The module's own share of (b): MSHV_FP_RUN time outside KVM_RUN. */
		cost_pct[r] = 100.0 * ((s1.run_ns - s0.run_ns) - (s1.hv_ns - s0.hv_ns)) /
			      (ns[FP_WRITE][r] * slice * SLICES);
		b_wins &= ns[FP_WRITE][r] < ns[USER_WRITE][r];
		b_read_wins &= ns[FP_READ][r] < ns[USER_READ][r];
		printf("%5d  %8.2f %8.2f %8.2f %8.2f %8.2f  %6.2f\n", r + 1,
		       ns[USER_WRITE][r] / 1e3, ns[FP_WRITE][r] / 1e3,
		       ns[IOEVENTFD_WRITE][r] / 1e3, ns[USER_READ][r] / 1e3,
		       ns[FP_READ][r] / 1e3, cost_pct[r]);
	}
	for (m = 0; m < NR_MODES; m++) {
		med[m] = median(ns[m], rounds);
		printf("median %-28s %8.2f us\n", mode_names[m], med[m] / 1e3);
	}
	printf("(b) faster than (a) in every round: %s\n", b_wins ? "yes" : "NO");
	printf("(b') faster than (a') in every round: %s\n", b_read_wins ? "yes" : "NO");
	printf("fastpath_vs_userspace: %.3f\n", med[FP_WRITE] / med[USER_WRITE]);
	printf("fastpath_read_vs_userspace: %.3f\n", med[FP_READ] / med[USER_READ]);
	printf("fastpath_vs_kvm_ioeventfd: %.3f\n", med[FP_WRITE] / med[IOEVENTFD_WRITE]);
	printf("fastpath_module_cost_pct: %.2f\n", median(cost_pct, rounds));
	return 0;
}
