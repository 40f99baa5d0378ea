// SPDX-License-Identifier: GPL-2.0
/*
 * mshv-exitstat: where a VM's exits go and how long they take, from the
 * mshv_fastpath module's tracepoints and KVM's (mshv_exitstat.bpf.c).
 * This file: the command line, the choice of sources, loading and
 * attaching the BPF programs, and the reporting loop.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "exitstat-report.h"
#include "exitstat-snapshot.h"
#include "exitstat-tracefs.h"
#include "kvm_tp.h"
#include "mshv_exitstat.skel.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define EXIT_FAIL	1
#define EXIT_USAGE	2

enum source { SOURCE_AUTO, SOURCE_MODULE, SOURCE_KVM, SOURCE_ALL };

struct options {
	enum source source;
	__u32 pid, tid, vcpu;
	bool vcpu_on;
	double interval_s, duration_s;	/* 0: none */
	bool json, verbose;
	size_t max_rows;
};

static void usage(FILE *out)
{
	fprintf(out,
"Usage: mshv-exitstat [OPTIONS]\n"
"\n"
"Shows where a VM's exits go and how long they take: which exits (port I/O,\n"
"MMIO, other reasons), how many, whether the kernel finished them (the\n"
"mshv_fastpath module's rules, or KVM itself) or the VMM in userspace had to,\n"
"and the latency of each path. Traces until Ctrl-C (or -d), then prints.\n"
"\n"
"Sources (-s): the mshv_fastpath module's tracepoints (every exit MSHV_FP_RUN\n"
"sees, with the action that finished it or 'forwarded'), or KVM's (kvm_exit,\n"
"kvm_entry, kvm_userspace_exit, kvm_mmio: every exit of the hardware, also on a\n"
"plain KVM host): exits KVM handled itself, exits forwarded to userspace.\n"
"\n"
"Options:\n"
"  -p, --pid PID       only this process (the VMM)\n"
"  -t, --tid TID       only this thread (one vCPU thread)\n"
"      --vcpu N        only vCPU N: the module's vcpu_id (what the VMM attached)\n"
"                      in its events, KVM's vcpu_id in KVM's (mshv-vmm uses the\n"
"                      same number for both)\n"
"  -s, --source SRC    auto (default): the module's when it is loaded, else\n"
"                      KVM's; module; kvm; all: the module's, plus the\n"
"                      hardware's exit reasons from kvm_exit (of every KVM VM,\n"
"                      also those not using the module; one more probe on\n"
"                      every exit)\n"
"  -i, --interval SEC  print (and start over) every SEC seconds\n"
"  -d, --duration SEC  stop after SEC seconds\n"
"  -j, --json          one JSON object per report, on one line\n"
"  -n, --rows N        table rows to print (default 20; 0: all; JSON has all)\n"
"  -v, --verbose       libbpf's messages too\n"
"  -h, --help          this text\n"
"\n"
"Reading the output:\n"
"  KIND     pio, mmio, or other (then PORT/ADDRESS/REASON names the exit reason:\n"
"           kvm_run:* from the module on KVM, hvmsg:* on mshv, svm:*/vmx:* from\n"
"           kvm_exit)\n"
"  BY       who finished the exit: doorbell, coalesce, fixed_read, count (the\n"
"           module's rules), kvm (KVM itself), forwarded (the VMM in userspace)\n"
"  TIME     in the kernel: the module's time on the exit, or kvm_exit to\n"
"           kvm_entry for KVM; forwarded: the round trip through userspace,\n"
"           from the return to the VMM to the next entry of that thread\n"
"  Then: the fast-path hit ratio (exits the module finished / exits it saw),\n"
"  log2 histograms of both latencies, and the hardware's exit reasons.\n"
"\n"
"Needs root (or CAP_BPF, CAP_PERFMON and read access to tracefs).\n"
"Exit status: 0 done (also after Ctrl-C or SIGTERM), 1 failure (no\n"
"tracepoints, no privilege), 2 usage error.\n"
"\n"
"Examples:\n"
"  sudo mshv-exitstat -p $(pidof mshv-vmm)          # until Ctrl-C\n"
"  sudo mshv-exitstat -i 1 -d 10 --json             # ten 1 s reports\n"
"  sudo mshv-exitstat -s kvm -d 5                   # a plain KVM host\n"
"\n"
"More: docs/exitstat.md (what the numbers mean, the JSON schema).\n");
}

static void usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "mshv-exitstat: %s '%s' (see --help)\n", what, arg);
	exit(EXIT_USAGE);
}

static __u32 parse_u32(const char *arg, const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v > UINT32_MAX)
		usage_error(what, arg);
	return v;
}

static double parse_seconds(const char *arg, const char *what)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end || !(v > 0 && v <= 31 * 24 * 3600))
		usage_error(what, arg);
	return v;
}

static struct options parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "tid", required_argument, NULL, 't' },
		{ "vcpu", required_argument, NULL, 'c' },
		{ "source", required_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "rows", required_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct options o = { .max_rows = 20 };
	int c;

	while ((c = getopt_long(argc, argv, "p:t:s:i:d:jn:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': o.pid = parse_u32(optarg, "-p takes a process id, not"); break;
		case 't': o.tid = parse_u32(optarg, "-t takes a thread id, not"); break;
		case 'c':
			o.vcpu = parse_u32(optarg, "--vcpu takes a vCPU number, not");
			o.vcpu_on = true;
			break;
		case 's':
			if (!strcmp(optarg, "auto"))
				o.source = SOURCE_AUTO;
			else if (!strcmp(optarg, "module"))
				o.source = SOURCE_MODULE;
			else if (!strcmp(optarg, "kvm"))
				o.source = SOURCE_KVM;
			else if (!strcmp(optarg, "all"))
				o.source = SOURCE_ALL;
			else
				usage_error("--source is auto, module, kvm or all, not", optarg);
			break;
		case 'i': o.interval_s = parse_seconds(optarg, "-i takes seconds, not"); break;
		case 'd': o.duration_s = parse_seconds(optarg, "-d takes seconds, not"); break;
		case 'j': o.json = true; break;
		case 'n': o.max_rows = parse_u32(optarg, "-n takes a row count, not"); break;
		case 'v': o.verbose = true; break;
		case 'h': usage(stdout); exit(0);
		default:	/* getopt said what */
			fprintf(stderr, "mshv-exitstat: see --help\n");
			exit(EXIT_USAGE);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument", argv[optind]);
	return o;
}

/* Root, or the capabilities that loading and attaching need. */
static bool privileged(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3] = { 0 };
	int need[] = { 39 /* CAP_BPF */, 38 /* CAP_PERFMON */ };

	if (geteuid() == 0)
		return true;
	if (syscall(SYS_capget, &hdr, caps))
		return false;
	if (caps[CAP_SYS_ADMIN / 32].effective & (1u << (CAP_SYS_ADMIN % 32)))
		return true;
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!(caps[need[i] / 32].effective & (1u << (need[i] % 32))))
			return false;
	return true;
}

#define FIELD(type, member, name) { name, offsetof(type, member), sizeof(((type *)0)->member) }

static const struct tp_field fp_exit_batch_fields[] = {
	FIELD(struct mshv_fp_tp_exit_batch, vcpu_id, "vcpu_id"),
	FIELD(struct mshv_fp_tp_exit_batch, hypervisor, "hypervisor"),
	FIELD(struct mshv_fp_tp_exit_batch, nr, "nr"),
	FIELD(struct mshv_fp_tp_exit_batch, records, "records"),
};
static const struct tp_field kvm_exit_fields[] = {
	FIELD(struct kvm_tp_exit, exit_reason, "exit_reason"),
	FIELD(struct kvm_tp_exit, isa, "isa"),
	FIELD(struct kvm_tp_exit, info1, "info1"),
	FIELD(struct kvm_tp_exit, vcpu_id, "vcpu_id"),
};

#define EVENT(sys, name, fields) { sys, name, fields, sizeof(fields) / sizeof(fields[0]) }
/* A raw tracepoint: its arguments, not a record; only its presence is checked. */
#define RAW_EVENT(sys, name) { sys, name, NULL, 0 }

/*
 * The first of each source is the one whose absence explains itself. The
 * module's exit_batch is read raw, but its arguments are its record's fields
 * in order (kmod/trace.h): the record's layout tells that this is the module
 * the program knows.
 */
static const struct tp_event module_events[] = {
	EVENT("mshv_fastpath", "exit_batch", fp_exit_batch_fields),
};
static const struct tp_event kvm_events[] = {
	EVENT("kvm", "kvm_exit", kvm_exit_fields),
	RAW_EVENT("kvm", "kvm_entry"),
	RAW_EVENT("kvm", "kvm_userspace_exit"),
	RAW_EVENT("kvm", "kvm_mmio"),
};

static bool path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static const char *module_missing_why(void)
{
	if (!path_exists("/sys/module/mshv_fastpath"))
		return "the module is not loaded (sudo modprobe mshv_fastpath)";
	return "the module is loaded but has no such tracepoint (older than this tool?)";
}

static const char *kvm_missing_why(void)
{
	if (!path_exists("/sys/module/kvm"))
		return "KVM is not loaded (sudo modprobe kvm_amd, or kvm_intel)";
	return "this kernel's KVM has no such tracepoint";
}

/* Every event of a source is there and laid out as the programs read it. */
static bool source_usable(const char *events, const struct tp_event *evs, size_t n)
{
	char why[256];

	for (size_t i = 0; i < n; i++) {
		if (tracefs_check_layout(events, &evs[i], why, sizeof(why))) {
			fprintf(stderr, "mshv-exitstat: %s\n", why);
			return false;
		}
	}
	return true;
}

/* What to attach. */
struct sources {
	bool module;		/* the module's tracepoints */
	bool kvm_reasons;	/* kvm:kvm_exit, counting reasons */
	bool kvm_exits;		/* all of KVM's, following every exit */
};

/* Decide what to attach; false (with the reasons said) when nothing can be. */
static bool choose_sources(const struct options *o, struct sources *src)
{
	const char *events = tracefs_events_dir();
	bool have_module, have_kvm;

	if (!events || access(events, R_OK | X_OK)) {
		fprintf(stderr, "mshv-exitstat: cannot read tracefs (%s): mount it "
			"(mount -t tracefs nodev /sys/kernel/tracing) and run as root\n",
			events ? events : "not mounted");
		return false;
	}
	have_module = tracefs_has_event(events, &module_events[0]);
	have_kvm = tracefs_has_event(events, &kvm_events[0]);
	/* auto: the module's alone when it is there (KVM's would add a probe per exit). */
	if (!have_module && o->source != SOURCE_KVM)
		fprintf(stderr, "mshv-exitstat: %s:%s: %s%s\n", module_events[0].system,
			module_events[0].name, module_missing_why(),
			o->source == SOURCE_AUTO && have_kvm ? " - using KVM's tracepoints" : "");
	if (!have_kvm && (o->source == SOURCE_KVM || o->source == SOURCE_ALL ||
			  (o->source == SOURCE_AUTO && !have_module)))
		fprintf(stderr, "mshv-exitstat: %s:%s: %s%s\n", kvm_events[0].system,
			kvm_events[0].name, kvm_missing_why(),
			o->source == SOURCE_ALL && have_module ?
			" - using the module's tracepoints only" : "");
	if ((o->source == SOURCE_MODULE && !have_module) ||
	    (o->source == SOURCE_KVM && !have_kvm) || (!have_module && !have_kvm))
		return false;

	src->module = have_module && o->source != SOURCE_KVM;
	/* With the module, kvm_exit only adds the hardware's reasons. */
	src->kvm_exits = have_kvm && !src->module;
	src->kvm_reasons = src->kvm_exits || (have_kvm && o->source == SOURCE_ALL);
	if (src->module && !source_usable(events, module_events, ARRAY_SIZE(module_events)))
		return false;
	if (src->kvm_exits)
		return source_usable(events, kvm_events, ARRAY_SIZE(kvm_events));
	return !src->kvm_reasons || source_usable(events, kvm_events, 1);
}

/* libbpf's print callback takes no argument: -v is read from here. */
static bool libbpf_verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG || (level == LIBBPF_INFO && !libbpf_verbose))
		return 0;
	return vfprintf(stderr, fmt, args);
}

static struct mshv_exitstat_bpf *load_and_attach(const struct options *o,
						 const struct sources *src)
{
	struct mshv_exitstat_bpf *skel = mshv_exitstat_bpf__open();
	int nr_cpus;

	if (!skel) {
		fprintf(stderr, "mshv-exitstat: opening the BPF object: %s\n", strerror(errno));
		return NULL;
	}

	const struct {
		struct bpf_program *prog;
		struct bpf_link **link;
		const char *tracepoint;
		bool wanted;
	} progs[] = {
		{ skel->progs.fp_exit_batch, &skel->links.fp_exit_batch, "mshv_fastpath:exit_batch",
		  src->module },
		{ skel->progs.kvm_exit, &skel->links.kvm_exit, "kvm:kvm_exit",
		  src->kvm_reasons },
		{ skel->progs.kvm_entry, &skel->links.kvm_entry, "kvm:kvm_entry", src->kvm_exits },
		{ skel->progs.kvm_userspace_exit, &skel->links.kvm_userspace_exit,
		  "kvm:kvm_userspace_exit", src->kvm_exits },
		{ skel->progs.kvm_mmio, &skel->links.kvm_mmio, "kvm:kvm_mmio", src->kvm_exits },
	};
	const size_t nr_progs = ARRAY_SIZE(progs);

	nr_cpus = libbpf_num_possible_cpus();
	if (nr_cpus <= 0) {
		fprintf(stderr, "mshv-exitstat: cannot count the CPUs: %s\n", strerror(-nr_cpus));
		goto fail;
	}
	/* One element of tables per CPU the kernel may run a vCPU on. */
	bpf_map__set_max_entries(skel->maps.cpus, nr_cpus);
	skel->rodata->filter_tgid = o->pid;
	skel->rodata->filter_tid = o->tid;
	skel->rodata->filter_vcpu_on = o->vcpu_on;
	skel->rodata->filter_vcpu = o->vcpu;
	skel->rodata->kvm_follows_exits = src->kvm_exits;
	/* Only the programs of the sources in use are loaded. */
	for (size_t i = 0; i < nr_progs; i++)
		bpf_program__set_autoload(progs[i].prog, progs[i].wanted);
	if (mshv_exitstat_bpf__load(skel)) {
		fprintf(stderr, "mshv-exitstat: loading the BPF programs: %s\n", strerror(errno));
		goto fail;
	}
	for (size_t i = 0; i < nr_progs; i++) {
		if (!progs[i].wanted)
			continue;
		*progs[i].link = bpf_program__attach(progs[i].prog);
		if (!*progs[i].link) {
			fprintf(stderr, "mshv-exitstat: attaching to %s: %s\n", progs[i].tracepoint,
				strerror(errno));
			goto fail;
		}
	}
	return skel;
fail:
	mshv_exitstat_bpf__destroy(skel);
	return NULL;
}

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Sleep until @when (monotonic seconds; 0: no end) or a stop signal. The
 * signals are blocked but while ppoll() sleeps: one cannot slip in between
 * the check of stop_requested and the sleep.
 */
static void sleep_until(double when, const sigset_t *unblocked)
{
	while (!stop_requested) {
		double left = when - now_s();
		struct timespec ts;

		if (when && left <= 0)
			return;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
		ppoll(NULL, 0, when ? &ts : NULL, unblocked);
	}
}

static void report(const struct options *o, struct exitstat_view *view,
		   const struct exitstat_snapshot *cur, const struct exitstat_snapshot *prev)
{
	struct exitstat_snapshot delta;

	if (exitstat_snapshot_diff(&delta, cur, prev)) {
		fprintf(stderr, "mshv-exitstat: out of memory\n");
		return;
	}
	if (o->json)
		exitstat_print_json(stdout, &delta, view);
	else
		exitstat_print_text(stdout, &delta, view);
	exitstat_snapshot_free(&delta);
}

/* Trace until -d runs out or a signal; report every interval or once. */
static int trace(const struct options *o, struct mshv_exitstat_bpf *skel,
		 const struct sources *src, const sigset_t *unblocked)
{
	struct exitstat_maps maps = {
		.cpus = bpf_map__fd(skel->maps.cpus),
		.nr_cpus = bpf_map__max_entries(skel->maps.cpus),
	};
	struct exitstat_view view = {
		.module = src->module, .kvm_reasons = src->kvm_reasons,
		.kvm_exits = src->kvm_exits, .max_rows = o->max_rows,
		.pid = o->pid, .tid = o->tid, .vcpu_on = o->vcpu_on, .vcpu = o->vcpu,
	};
	struct exitstat_snapshot prev = { 0 }, cur;
	double start = now_s(), period_start = start;
	double end = o->duration_s ? start + o->duration_s : 0;
	bool done = false;

	fprintf(stderr, "mshv-exitstat: tracing exits (%s)",
		src->module ? (src->kvm_reasons ? "mshv_fastpath, kvm_exit reasons" :
			       "mshv_fastpath") : "kvm");
	if (o->duration_s)
		fprintf(stderr, " for %g s", o->duration_s);
	fprintf(stderr, "; Ctrl-C to stop\n");
	while (!done) {
		double next = o->interval_s ? period_start + o->interval_s : end;

		if (end && next > end)
			next = end;
		sleep_until(next, unblocked);
		done = stop_requested || (end && now_s() >= end) || !o->interval_s;

		/* The generation the programs are on: this period's min and max. */
		if (exitstat_snapshot_take(&cur, &maps, skel->bss->interval_gen)) {
			fprintf(stderr, "mshv-exitstat: reading the maps: %s\n", strerror(errno));
			exitstat_snapshot_free(&prev);
			return EXIT_FAIL;
		}
		skel->bss->interval_gen++;
		view.seconds = now_s() - period_start;
		period_start = now_s();
		if (o->interval_s)
			view.interval++;
		report(o, &view, &cur, o->interval_s ? &prev : NULL);
		exitstat_snapshot_free(&prev);
		prev = cur;
	}
	/* The rows are cumulative: none at all means no VM ran through the module. */
	if (src->module && !prev.nr_rows && o->source == SOURCE_AUTO)
		fprintf(stderr, "mshv-exitstat: no exit went through mshv_fastpath; if a VM ran, "
			"its VMM does not use the module: try -s kvm\n");
	exitstat_snapshot_free(&prev);
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = parse_options(argc, argv);
	struct sigaction sa = { .sa_handler = on_stop_signal };
	sigset_t stop_signals, unblocked;
	struct mshv_exitstat_bpf *skel;
	struct sources src;
	int rc;

	if (!privileged()) {
		fprintf(stderr, "mshv-exitstat: needs root (or CAP_BPF and CAP_PERFMON) to load "
			"BPF programs and attach them to tracepoints\n");
		return EXIT_FAIL;
	}
	libbpf_verbose = o.verbose;
	libbpf_set_print(libbpf_print);
	if (!choose_sources(&o, &src)) {
		fprintf(stderr, "mshv-exitstat: nothing to trace\n");
		return EXIT_FAIL;
	}

	/* Before attaching: a signal from then on ends in a report. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop_signals, &unblocked);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	skel = load_and_attach(&o, &src);
	if (!skel)
		return EXIT_FAIL;
	rc = trace(&o, skel, &src, &unblocked);
	mshv_exitstat_bpf__destroy(skel);
	return rc;
}
