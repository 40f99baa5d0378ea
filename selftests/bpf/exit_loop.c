// SPDX-License-Identifier: GPL-2.0
/*
 * exit_loop: a KVM guest that makes a known number of exits of known kinds,
 * for the exit-tracing tests and the exitstat benchmark (in the test VM).
 * Tracers are checked against what it prints: exact counts per port, the
 * module's own statistics, and its pid for a tracer's -p.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>

#include "../kmod/kvm_guest.h"
#include "exit_loop.h"

#define HANDLED_PORT	0x500
#define FORWARDED_PORT	0x501

struct options {
	bool module;
	uint32_t handled, forwarded, mmio;
	double seconds;		/* 0: one pass */
	bool json;
};

/* Exits that reached this process, by what the guest accessed. */
struct userspace_exits {
	uint64_t handled_port, forwarded_port, mmio, done;
};

struct result {
	uint64_t passes;
	double wall_s;
	struct userspace_exits user;
	uint64_t doorbells;		/* eventfd signals of the doorbell rule */
	struct mshv_fp_stats stats;	/* the module's, for this vCPU */
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: exit_loop [OPTIONS]\n"
		"\n"
		"Runs a one-vCPU KVM guest whose exits are known in advance, for tracers to be\n"
		"checked against. One pass of the guest makes, in order:\n"
		"  N one-byte OUTs to port 0x%x  (--handled N)\n"
		"  M one-byte OUTs to port 0x%x  (--forwarded M)\n"
		"  K one-byte MMIO writes to 0x%x, where the guest has no memory (--mmio K)\n"
		"  one OUT to port 0x%x, the end of the pass\n"
		"\n"
		"Options:\n"
		"  --module       run the vCPU through mshv_fastpath (MSHV_FP_RUN), with a\n"
		"                 doorbell rule that finishes port 0x%x's writes in the\n"
		"                 kernel; every other exit is forwarded to this process\n"
		"                 (the default)\n"
		"  --no-module    plain KVM_RUN: every exit comes to this process\n"
		"  --handled N    default 1000\n"
		"  --forwarded M  default 100\n"
		"  --mmio K       default 0\n"
		"  --seconds S    make passes until S seconds have gone by (default: one pass)\n"
		"  --json         one JSON object instead of text\n"
		"  -h, --help     this text\n"
		"\n"
		"It prints its pid, the exits it saw per port, the module's statistics\n"
		"(MSHV_FP_GET_STATS), the wall time and exits per second.\n"
		"\n"
		"Examples:\n"
		"  exit_loop --handled 1000 --forwarded 300 --mmio 20\n"
		"  sudo bpftrace -c 'exit_loop --no-module' bpf/bpftrace/kvm_exits.bt\n"
		"  exit_loop --seconds 5 --json\n",
		HANDLED_PORT, FORWARDED_PORT, GUEST_MMIO_GPA, DONE_PORT, HANDLED_PORT);
}

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "exit_loop: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see --help)\n");
	exit(2);
}

static void die(const char *what)
{
	fprintf(stderr, "exit_loop: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint32_t parse_count(const char *arg)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 0);
	if (errno || end == arg || *end || arg[0] == '-' || v > UINT32_MAX / 2)
		usage_error("'%s' is not a count", arg);
	return v;
}

static struct options parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "module", no_argument, NULL, 'M' },
		{ "no-module", no_argument, NULL, 'n' },
		{ "handled", required_argument, NULL, 'H' },
		{ "forwarded", required_argument, NULL, 'F' },
		{ "mmio", required_argument, NULL, 'm' },
		{ "seconds", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct options o = { .module = true, .handled = 1000, .forwarded = 100 };
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'M': o.module = true; break;
		case 'n': o.module = false; break;
		case 'H': o.handled = parse_count(optarg); break;
		case 'F': o.forwarded = parse_count(optarg); break;
		case 'm': o.mmio = parse_count(optarg); break;
		case 's':
			o.seconds = strtod(optarg, &end);
			if (end == optarg || *end || !(o.seconds > 0 && o.seconds <= 3600))
				usage_error("--seconds takes (0, 3600], not '%s'", optarg);
			break;
		case 'j': o.json = true; break;
		case 'h': usage(stdout); exit(0);
		default: exit(2);	/* getopt named the option */
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	return o;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The VM: KVM's, with the fast-path VM beside it when the module is used. */
static void create_vm(struct test_vm *vm, const struct options *o)
{
	struct kvm_userspace_memory_region region = {
		.memory_size = GUEST_MEM_SIZE,
	};
	struct exit_loop_params params = {
		.handled = o->handled, .forwarded = o->forwarded, .mmio = o->mmio,
		.handled_port = HANDLED_PORT, .forwarded_port = FORWARDED_PORT,
		.done_port = DONE_PORT, .mmio_addr = GUEST_MMIO_GPA,
	};

	memset(vm, 0, sizeof(*vm));
	vm->fp = -1;
	vm->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0)
		die("/dev/kvm");
	vm->vm = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	vm->run_size = ioctl(vm->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->vm < 0 || vm->run_size <= 0)
		die("KVM_CREATE_VM");
	vm->mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED)
		die("guest memory");
	memcpy((char *)vm->mem + GUEST_CODE_GPA, exit_loop_guest,
	       exit_loop_guest_end - exit_loop_guest);
	memcpy((char *)vm->mem + EXIT_LOOP_PARAMS, &params, sizeof(params));
	region.userspace_addr = (uintptr_t)vm->mem;
	if (ioctl(vm->vm, KVM_SET_USER_MEMORY_REGION, &region))
		die("KVM_SET_USER_MEMORY_REGION");
	if (o->module) {
		vm->fp = open(FP_DEV, O_RDWR | O_CLOEXEC);
		if (vm->fp < 0)
			die(FP_DEV " (load mshv_fastpath, or use --no-module)");
	}
}

/* Attach the vCPU and add the doorbell rule; returns the rule's eventfd. */
static int setup_fastpath(struct test_vcpu *vcpu)
{
	struct mshv_fp_rule rule = port_rule(MSHV_FP_ACTION_DOORBELL, MSHV_FP_ACCESS_WRITE,
					     HANDLED_PORT, 1);

	if (test_vcpu_attach(vcpu, 0))
		die("MSHV_FP_ATTACH_VCPU");
	rule.eventfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (rule.eventfd < 0)
		die("eventfd");
	if (test_add_rule(vcpu->vm, rule) < 0)
		die("MSHV_FP_ADD_RULE");
	return rule.eventfd;
}

/* True when the exit ended a pass; counts it; an unexpected exit is fatal. */
static bool count_exit(const struct test_vcpu *vcpu, struct userspace_exits *user)
{
	const struct kvm_run *run = vcpu->run;

	if (run->exit_reason == KVM_EXIT_IO && run->io.direction == KVM_EXIT_IO_OUT) {
		switch (run->io.port) {
		case HANDLED_PORT: user->handled_port++; return false;
		case FORWARDED_PORT: user->forwarded_port++; return false;
		case DONE_PORT: user->done++; return true;
		}
	}
	if (run->exit_reason == KVM_EXIT_MMIO && run->mmio.is_write &&
	    run->mmio.phys_addr == GUEST_MMIO_GPA) {
		user->mmio++;
		return false;
	}
	fprintf(stderr, "exit_loop: unexpected exit: reason %u (port 0x%x)\n", run->exit_reason,
		run->exit_reason == KVM_EXIT_IO ? run->io.port : 0);
	exit(1);
}

static struct result run_guest(const struct options *o)
{
	struct result r = { };
	struct test_vcpu vcpu;
	struct test_vm vm;
	int doorbell = -1;
	double start;

	create_vm(&vm, o);
	if (test_vcpu_create(&vm, &vcpu, 0, (struct guest_args){ }))
		die("vCPU");
	if (o->module)
		doorbell = setup_fastpath(&vcpu);

	start = now_s();
	for (;;) {
		if (test_vcpu_run(&vcpu)) {
			/* Stopped and continued (SIGSTOP, a debugger): no exit to handle. */
			if (errno == EINTR)
				continue;
			die(o->module ? "MSHV_FP_RUN" : "KVM_RUN");
		}
		if (count_exit(&vcpu, &r.user)) {
			r.passes++;
			if (!o->seconds || now_s() - start >= o->seconds)
				break;
		}
	}
	r.wall_s = now_s() - start;
	if (o->module) {
		r.doorbells = eventfd_count(doorbell);
		if (test_vcpu_stats(&vcpu, &r.stats))
			die("MSHV_FP_GET_STATS");
	}
	return r;
}

static uint64_t handled_in_kernel(const struct mshv_fp_stats *s)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < MSHV_FP_NR_ACTIONS; i++)
		n += s->handled[i];
	return n;
}

static uint64_t total_exits(const struct result *r)
{
	const struct userspace_exits *u = &r->user;

	return u->handled_port + u->forwarded_port + u->mmio + u->done +
	       handled_in_kernel(&r->stats);
}

static void print_json(const struct options *o, const struct result *r)
{
	const struct mshv_fp_stats *s = &r->stats;

	printf("{\"pid\": %d, \"path\": \"%s\", ", getpid(), o->module ? "module" : "kvm");
	printf("\"per_pass\": {\"handled\": %u, \"forwarded\": %u, \"mmio\": %u}, ",
	       o->handled, o->forwarded, o->mmio);
	printf("\"ports\": {\"handled\": %u, \"forwarded\": %u, \"done\": %u, \"mmio\": %u}, ",
	       HANDLED_PORT, FORWARDED_PORT, DONE_PORT, GUEST_MMIO_GPA);
	printf("\"passes\": %llu, \"wall_s\": %.6f, \"exits\": %llu, \"exits_per_s\": %.0f, ",
	       (unsigned long long)r->passes, r->wall_s, (unsigned long long)total_exits(r),
	       total_exits(r) / r->wall_s);
	printf("\"userspace\": {\"handled_port\": %llu, \"forwarded_port\": %llu, "
	       "\"mmio\": %llu, \"done\": %llu}",
	       (unsigned long long)r->user.handled_port,
	       (unsigned long long)r->user.forwarded_port,
	       (unsigned long long)r->user.mmio, (unsigned long long)r->user.done);
	if (o->module) {
		printf(", \"doorbells\": %llu, \"module\": {\"runs\": %llu, \"exits\": %llu, "
		       "\"handled\": {\"doorbell\": %llu, \"coalesce\": %llu, "
		       "\"fixed_read\": %llu, \"count\": %llu}, \"forwarded\": %llu, "
		       "\"run_ns\": %llu, \"hv_ns\": %llu}",
		       (unsigned long long)r->doorbells, (unsigned long long)s->runs,
		       (unsigned long long)s->exits,
		       (unsigned long long)s->handled[MSHV_FP_ACTION_DOORBELL],
		       (unsigned long long)s->handled[MSHV_FP_ACTION_COALESCE],
		       (unsigned long long)s->handled[MSHV_FP_ACTION_FIXED_READ],
		       (unsigned long long)s->handled[MSHV_FP_ACTION_COUNT],
		       (unsigned long long)s->forwarded, (unsigned long long)s->run_ns,
		       (unsigned long long)s->hv_ns);
	}
	printf("}\n");
}

static void print_text(const struct options *o, const struct result *r)
{
	const struct mshv_fp_stats *s = &r->stats;

	printf("exit_loop: pid %d, %s, %llu pass%s of %u + %u + %u + 1 exits in %.3f s\n",
	       getpid(), o->module ? "MSHV_FP_RUN (mshv_fastpath)" : "KVM_RUN",
	       (unsigned long long)r->passes, r->passes == 1 ? "" : "es",
	       o->handled, o->forwarded, o->mmio, r->wall_s);
	printf("exits:      %llu, %.0f/s\n", (unsigned long long)total_exits(r),
	       total_exits(r) / r->wall_s);
	printf("userspace:  port 0x%x: %llu, port 0x%x: %llu, mmio 0x%x: %llu, done 0x%x: %llu\n",
	       HANDLED_PORT, (unsigned long long)r->user.handled_port,
	       FORWARDED_PORT, (unsigned long long)r->user.forwarded_port,
	       GUEST_MMIO_GPA, (unsigned long long)r->user.mmio,
	       DONE_PORT, (unsigned long long)r->user.done);
	if (o->module) {
		printf("doorbells:  %llu\n", (unsigned long long)r->doorbells);
		printf("module:     runs %llu, exits %llu, handled %llu (doorbell %llu), "
		       "forwarded %llu\n",
		       (unsigned long long)s->runs, (unsigned long long)s->exits,
		       (unsigned long long)handled_in_kernel(s),
		       (unsigned long long)s->handled[MSHV_FP_ACTION_DOORBELL],
		       (unsigned long long)s->forwarded);
	}
}

int main(int argc, char **argv)
{
	struct options o = parse_options(argc, argv);
	struct result r = run_guest(&o);

	if (o.json)
		print_json(&o, &r);
	else
		print_text(&o, &r);
	return 0;
}
