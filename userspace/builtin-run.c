// SPDX-License-Identifier: GPL-2.0
/* mshv-vmm run: boot a Linux guest. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acpi-pm.h"
#include "acpi.h"
#include "boot.h"
#include "builtin.h"
#include "hv.h"
#include "i8042.h"
#include "iothread.h"
#include "irq.h"
#include "machine.h"
#include "mshv-probe.h"
#include "port80.h"
#include "rtc.h"
#include "stats.h"
#include "term.h"
#include "uart.h"
#include "virtio-blk.h"
#include "virtio-console.h"
#include "virtio-rng.h"
#include "vmm.h"

/* Exit statuses (also in the man page). */
#define EXIT_POWEROFF		0
#define EXIT_VMM_ERROR		1
#define EXIT_GUEST_RESET	3
#define EXIT_GUEST_CRASH	4

#define KERNEL_MAX_SIZE		(256u << 20)
#define MEM_MIN			(32ULL << 20)
#define MEM_MAX			(1ULL << 40)

enum stats_mode { STATS_NONE, STATS_TEXT, STATS_JSON };

struct run_opts {
	const char *kernel, *initrd, *cmdline;
	uint64_t mem;
	unsigned int cpus;
	unsigned int nr_disks;
	struct { const char *path; bool read_only; } disks[VMM_MAX_DISKS];
	bool virtio_console;
	bool no_fastpath;
	enum stats_mode stats;
	const char *hypervisor;
};

/* Everything one running VM owns besides struct vm itself. */
struct machine {
	struct vm vm;
	struct run_opts opts;
	struct irq_line irqs[24];
	struct uart *uart;
	struct i8042 *i8042;
	struct rtc *rtc;
	struct acpi_pm *pm;
	unsigned int nr_blk;
	struct virtio_blk *blk[VMM_MAX_DISKS];
	struct virtio_console *console;
	struct virtio_rng *rng;
	struct acpi_config acpi;
	struct term term;
	int signal_fd;
	int stop_signal;
	const char *module_state;
	uint8_t *kernel, *initrd;
	struct bzimage bz;
	size_t kernel_size, initrd_size;
};

void cmd_run_help(void)
{
	puts("Usage: mshv-vmm run --kernel BZIMAGE [OPTIONS]\n"
	     "\n"
	     "Boot a Linux guest (a stock distribution kernel will do) with a serial\n"
	     "console, an RTC, virtio-blk disks, a virtio console and a virtio RNG.\n"
	     "Hot guest accesses are handled in the kernel when it can: by the\n"
	     "hypervisor's own mechanisms, else by the mshv_fastpath module if loaded.\n"
	     "\n"
	     "  -k, --kernel BZIMAGE    the guest kernel (x86-64 bzImage), required\n"
	     "  -i, --initrd FILE       initial ramdisk\n"
	     "  -c, --cmdline STR       kernel command line; console=ttyS0 (hvc0 with\n"
	     "                          --console virtio) and pci=off are added unless it\n"
	     "                          sets console= or pci= itself\n"
	     "  -m, --mem SIZE          guest RAM: 256M (default), 2G...; plain numbers are MiB\n"
	     "  -p, --cpus N            virtual CPUs (default 1)\n"
	     "  -d, --disk PATH[,ro]    raw disk image as virtio-blk, /dev/vda first;\n"
	     "                          ',ro' makes it read-only (repeatable, up to 6)\n"
	     "      --console serial|virtio  the guest console: ttyS0 (default) or hvc0\n"
	     "      --no-fastpath       handle every exit in userspace (for comparison)\n"
	     "      --stats[=json]      at exit, print rule placement and exit counts\n"
	     "                          to stderr (json: one object, for programs)\n"
	     "      --hypervisor auto|kvm|mshv  which one to use; auto (the default) takes\n"
	     "                          mshv when /dev/mshv works, else kvm\n"
	     "  -h, --help              this text\n"
	     "\n"
	     "Console: the terminal is in raw mode while the guest runs; Ctrl-A x quits,\n"
	     "Ctrl-A Ctrl-A sends Ctrl-A.\n"
	     "\n"
	     "Exit status: 0 guest powered off, 1 VMM or hypervisor error, 2 bad command\n"
	     "line or input file, 3 guest asked for a reset, 4 guest crashed (triple fault),\n"
	     "128+N stopped by signal N (130 also for Ctrl-A x).\n"
	     "\n"
	     "Examples:\n"
	     "  mshv-vmm run -k /boot/vmlinuz-$(uname -r) -i initrd.img -d disk.img \\\n"
	     "      -c 'root=/dev/vda rw' --cpus 2 --mem 1G\n"
	     "  mshv-vmm run -k bzImage -i initramfs.cpio.gz --stats");
}

/* One line on stderr: @prefix, the message, @suffix. Returns @status. */
static int report(int status, const char *prefix, const char *suffix, const char *fmt,
		  va_list ap)
{
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputs(suffix, stderr);
	return status;
}

/* A bad command line or input file: exit status 2. */
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	int status;

	va_start(ap, fmt);
	status = report(EXIT_USAGE, "mshv-vmm run: ", " (see 'mshv-vmm run --help')\n", fmt, ap);
	va_end(ap);
	return status;
}

/* The VMM or the hypervisor failed: exit status 1. */
static int fail(const char *fmt, ...)
{
	va_list ap;
	int status;

	va_start(ap, fmt);
	status = report(EXIT_VMM_ERROR, "mshv-vmm: ", "\n", fmt, ap);
	va_end(ap);
	return status;
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 20;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -EINVAL;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	default: return -EINVAL;
	}
	if ((*end == 'i' || *end == 'B') && end[1] == (*end == 'i' ? 'B' : '\0'))
		end += *end == 'i' ? 2 : 1;
	if (*end || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_disk(struct run_opts *o, const char *arg)
{
	const char *comma = strchr(arg, ',');
	size_t len = comma ? (size_t)(comma - arg) : strlen(arg);
	char *path;

	if (o->nr_disks == VMM_MAX_DISKS)
		return usage_error("at most %d --disk options", VMM_MAX_DISKS);
	if (!len)
		return usage_error("--disk needs a path");
	if (comma && strcmp(comma, ",ro"))
		return usage_error("--disk %s: the only option is ',ro'", arg);
	path = strndup(arg, len);
	if (!path)
		return EXIT_VMM_ERROR;
	o->disks[o->nr_disks].path = path;
	o->disks[o->nr_disks].read_only = comma;
	o->nr_disks++;
	return 0;
}

static int parse_args(int argc, char **argv, struct run_opts *o)
{
	enum { OPT_CONSOLE = 256, OPT_NO_FASTPATH, OPT_STATS, OPT_HYPERVISOR };
	static const struct option options[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "mem", required_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, 'p' },
		{ "disk", required_argument, NULL, 'd' },
		{ "console", required_argument, NULL, OPT_CONSOLE },
		{ "no-fastpath", no_argument, NULL, OPT_NO_FASTPATH },
		{ "stats", optional_argument, NULL, OPT_STATS },
		{ "hypervisor", required_argument, NULL, OPT_HYPERVISOR },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char *end;
	int opt, ret;

	*o = (struct run_opts){ .mem = 256ULL << 20, .cpus = 1, .hypervisor = "auto" };
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":k:i:c:m:p:d:h", options, NULL)) != -1) {
		switch (opt) {
		case 'k': o->kernel = optarg; break;
		case 'i': o->initrd = optarg; break;
		case 'c': o->cmdline = optarg; break;
		case 'm':
			if (parse_size(optarg, &o->mem) || o->mem < MEM_MIN || o->mem > MEM_MAX ||
			    o->mem & ((1 << 20) - 1))
				return usage_error("--mem %s: want a whole number of MiB from 32M to 1T "
						   "(e.g. 512M, 2G)", optarg);
			break;
		case 'p': {
			unsigned long n;

			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || !n || n > VMM_MAX_CPUS)
				return usage_error("--cpus %s: want 1 to %d", optarg, VMM_MAX_CPUS);
			o->cpus = n;
			break;
		}
		case 'd':
			ret = parse_disk(o, optarg);
			if (ret)
				return ret;
			break;
		case OPT_CONSOLE:
			if (strcmp(optarg, "serial") && strcmp(optarg, "virtio"))
				return usage_error("--console %s: want serial or virtio", optarg);
			o->virtio_console = !strcmp(optarg, "virtio");
			break;
		case OPT_NO_FASTPATH: o->no_fastpath = true; break;
		case OPT_STATS:
			if (optarg && strcmp(optarg, "json") && strcmp(optarg, "text"))
				return usage_error("--stats=%s: want text or json", optarg);
			o->stats = optarg && !strcmp(optarg, "json") ? STATS_JSON : STATS_TEXT;
			break;
		case OPT_HYPERVISOR:
			if (strcmp(optarg, "auto") && strcmp(optarg, "kvm") && strcmp(optarg, "mshv"))
				return usage_error("--hypervisor %s: want auto, kvm or mshv", optarg);
			o->hypervisor = optarg;
			break;
		case 'h':
			cmd_run_help();
			return -1;
		case ':':
			return usage_error("%s needs an argument", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!o->kernel)
		return usage_error("--kernel is required");
	return 0;
}

/* Read a whole regular file of at most @max bytes. */
static int read_file(const char *what, const char *path, size_t max, uint8_t **buf,
		     size_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t done = 0;

	if (fd < 0)
		return usage_error("%s %s: %s", what, path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !st.st_size ||
	    (uint64_t)st.st_size > max) {
		close(fd);
		return usage_error("%s %s: %s", what, path,
				   !S_ISREG(st.st_mode) ? "not a regular file" :
				   !st.st_size ? "empty file" : "too big");
	}
	*buf = malloc(st.st_size);
	while (*buf && done < (size_t)st.st_size) {
		ssize_t n = read(fd, *buf + done, st.st_size - done);

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			close(fd);
			return usage_error("%s %s: read failed: %s", what, path,
					   n ? strerror(errno) : "file shrank");
		}
		done += n;
	}
	close(fd);
	if (!*buf)
		return usage_error("%s %s: out of memory", what, path);
	*size = done;
	return 0;
}

static void hv_irq_set(struct irq_line *line, int level)
{
	struct vm *vm = line->ctx;

	vm->hv_ops->irq_line(vm->hv, line->gsi, level);
}

/*
 * auto: mshv when /dev/mshv speaks an ABI this build knows, else KVM.
 * @why_not_mshv: what was found at /dev/mshv instead ("" if it is used).
 */
static const struct hv_ops *pick_hypervisor(const char *want, char *why_not_mshv, size_t len)
{
	struct mshv_probe probe;
	int ret;

	if (!strcmp(want, "mshv"))
		return &hv_mshv_ops;
	if (!strcmp(want, "kvm"))
		return &hv_kvm_ops;
	ret = mshv_probe(NULL, &probe);
	if (!ret) {
		close(probe.fd);
		return &hv_mshv_ops;
	}
	snprintf(why_not_mshv, len, "%s%s", ret == -EPROTO ? "unknown mshv ABI: " : "",
		 probe.detail);
	/* There but unusable: worth a line even when KVM then works. */
	if (ret != -ENOENT)
		fprintf(stderr, "mshv-vmm: %s; trying KVM\n", why_not_mshv);
	return &hv_kvm_ops;
}

static int setup_hypervisor(struct machine *m)
{
	struct vm *vm = &m->vm;
	char err[256] = "", why_not_mshv[256] = "";
	int ret;

	vm->hv_ops = pick_hypervisor(m->opts.hypervisor, why_not_mshv, sizeof(why_not_mshv));
	ret = vm->hv_ops->open(&vm->hv, err, sizeof(err));
	if (ret && vm->hv_ops == &hv_mshv_ops)
		return fail("%s%s", err,
			    ret == -ENOENT ? "; 'mshv-vmm doctor' checks this host" : "");
	if (ret)
		return fail("%s%s%s%s", err, ret == -ENOENT ?
			    " (is the kvm module loaded? is this a VM without nested virtualization?)" :
			    "", *why_not_mshv ? "; and " : "", why_not_mshv);
	if (vm->hv_ops->create_vm(vm->hv, vm, err, sizeof(err)))
		return fail("%s", err);
	ret = guest_mem_init(&vm->mem, m->opts.mem);
	if (ret)
		return fail("cannot allocate %" PRIu64 " MiB of guest memory: %s",
			    m->opts.mem >> 20, strerror(-ret));
	for (unsigned int i = 0; i < vm->mem.nr_regions; i++) {
		struct guest_mem_region *r = &vm->mem.regions[i];

		ret = vm->hv_ops->map_memory(vm->hv, i, r->gpa, r->size, r->hva);
		if (ret)
			return fail("cannot map guest memory: %s", strerror(-ret));
	}
	for (unsigned int i = 0; i < m->opts.cpus; i++) {
		struct vcpu *v = calloc(1, sizeof(*v));

		if (!v)
			return fail("out of memory");
		v->vm = vm;
		v->id = i;
		vm->cpus[i] = v;
		vm->nr_cpus = i + 1;
		if (vm->hv_ops->create_vcpu(vm->hv, i, &v->hv, err, sizeof(err)))
			return fail("%s", err);
		ret = vm->hv_ops->setup_cpuid(v->hv, m->opts.cpus);
		if (ret)
			return fail("vCPU %u CPUID: %s", i, strerror(-ret));
	}
	return 0;
}

/* The module, unless --no-fastpath; without it every rule stays where it can. */
static void setup_fastpath(struct machine *m)
{
	struct vm *vm = &m->vm;
	int ret;

	m->module_state = "disabled (--no-fastpath)";
	if (m->opts.no_fastpath) {
		vm->rules.userspace_only = true;
		return;
	}
	vm_use_placer(vm);
	ret = vm_fastpath_open(vm);
	if (ret) {
		m->module_state = ret == -ENOENT ? "not loaded" : "unavailable";
		if (ret != -ENOENT)
			fprintf(stderr, "mshv-vmm: /dev/mshv_fastpath: %s; going on without it\n",
				strerror(-ret));
		return;
	}
	m->module_state = "loaded";
	for (unsigned int i = 0; i < vm->nr_cpus; i++) {
		ret = vm->hv_ops->fastpath_attach(vm->cpus[i]->hv, vm->fastpath_fd);
		if (ret) {
			fprintf(stderr, "mshv-vmm: mshv_fastpath cannot attach vCPU %u: %s; "
				"going on without it\n", i, strerror(-ret));
			vm_fastpath_close(vm);
			m->module_state = "attach failed";
			return;
		}
	}
}

static void console_input(void *ctx, const uint8_t *buf, size_t len)
{
	struct machine *m = ctx;

	if (m->opts.virtio_console)
		virtio_console_receive(m->console, buf, len);
	else
		uart_receive(m->uart, buf, len);
}

static struct irq_line *irq(struct machine *m, unsigned int gsi)
{
	m->irqs[gsi] = (struct irq_line){ .set_level = hv_irq_set, .gsi = gsi, .ctx = &m->vm };
	return &m->irqs[gsi];
}

static int next_virtio(struct machine *m, uint64_t *base, unsigned int *gsi)
{
	unsigned int n = m->acpi.nr_virtio;

	if (n == MACHINE_VIRTIO_MAX)
		return -ENOSPC;
	*base = MACHINE_VIRTIO_MMIO_BASE + n * MACHINE_VIRTIO_MMIO_SIZE;
	*gsi = MACHINE_VIRTIO_FIRST_GSI + n;
	m->acpi.virtio[n] = (struct acpi_virtio_dev){ *base, MACHINE_VIRTIO_MMIO_SIZE, *gsi };
	m->acpi.nr_virtio = n + 1;
	return 0;
}

static int setup_devices(struct machine *m)
{
	struct vm *vm = &m->vm;
	char err[256] = "";
	uint64_t base = 0;
	unsigned int gsi = 0;

	m->uart = uart_create(vm, MACHINE_UART_PORT, irq(m, MACHINE_UART_IRQ), STDOUT_FILENO);
	m->i8042 = i8042_create(vm, irq(m, MACHINE_I8042_IRQ));
	m->rtc = rtc_create(vm);
	m->pm = acpi_pm_create(vm);
	if (!m->uart || !m->i8042 || !m->rtc || !m->pm || port80_create(vm))
		return fail("cannot create the legacy devices");
	for (unsigned int i = 0; i < m->opts.nr_disks; i++) {
		if (next_virtio(m, &base, &gsi))
			return fail("too many virtio devices");
		m->blk[i] = virtio_blk_create(vm, base, irq(m, gsi), m->opts.disks[i].path,
					      m->opts.disks[i].read_only, i, err, sizeof(err));
		if (!m->blk[i]) {
			fprintf(stderr, "mshv-vmm run: --disk %s: %s\n", m->opts.disks[i].path, err);
			return EXIT_USAGE;
		}
		m->nr_blk = i + 1;
	}
	if (next_virtio(m, &base, &gsi))
		return fail("too many virtio devices");
	m->console = virtio_console_create(vm, base, irq(m, gsi), STDOUT_FILENO, err,
					   sizeof(err));
	if (!m->console)
		return fail("virtio console: %s", err);
	if (next_virtio(m, &base, &gsi))
		return fail("too many virtio devices");
	m->rng = virtio_rng_create(vm, base, irq(m, gsi), err, sizeof(err));
	if (!m->rng)
		return fail("virtio RNG: %s", err);
	return 0;
}

static void signal_readable(void *opaque)
{
	struct machine *m = opaque;
	struct signalfd_siginfo si;

	if (read(m->signal_fd, &si, sizeof(si)) != sizeof(si))
		return;
	m->stop_signal = si.ssi_signo;
	vm_request_stop(&m->vm, VM_STOP_SIGNAL, "stopped by %s", strsignal(si.ssi_signo));
}

static void ignore_kick(int sig)
{
	(void)sig;
}

/* vCPU kicks arrive as SIGUSR1; termination signals through a signalfd. */
static int setup_signals(struct machine *m, sigset_t *old)
{
	struct sigaction sa = { .sa_handler = ignore_kick };	/* no SA_RESTART */
	sigset_t set;

	sigaction(SIGUSR1, &sa, NULL);
	/* A console reader that goes away is an output error, not our death. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, old);
	sigdelset(&set, SIGUSR1);
	m->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (m->signal_fd < 0)
		return -errno;
	return iothread_watch(m->vm.io, m->signal_fd, signal_readable, m);
}

/*
 * The user's command line plus what this machine needs unless the user
 * said otherwise: the console, and pci=off because there is no PCI bus
 * (without it the kernel scans 8192 config-space slots, an exit each).
 */
static char *build_cmdline(const struct run_opts *o)
{
	const char *user = o->cmdline ? o->cmdline : "";
	const char *console = o->virtio_console ? "console=hvc0 " : "console=ttyS0 ";
	char *s;

	if (asprintf(&s, "%s%s%s", strstr(user, "console=") ? "" : console,
		     strstr(user, "pci=") ? "" : "pci=off ", user) < 0)
		return NULL;
	/* No trailing blank when the user gave nothing. */
	if (*s && s[strlen(s) - 1] == ' ')
		s[strlen(s) - 1] = '\0';
	return s;
}

static int load_guest(struct machine *m)
{
	struct vm *vm = &m->vm;
	struct hv_boot_regs regs;
	struct boot_layout layout;
	char err[256] = "";
	uint8_t *acpi_mem;
	char *cmdline;
	int ret;

	m->acpi.nr_cpus = vm->nr_cpus;
	acpi_mem = guest_ptr(&vm->mem, MACHINE_ACPI_ADDR, MACHINE_ACPI_SIZE);
	ret = acpi_build(acpi_mem, MACHINE_ACPI_ADDR, MACHINE_ACPI_SIZE, &m->acpi);
	if (ret < 0)
		return fail("cannot build the ACPI tables: %s", strerror(-ret));
	cmdline = build_cmdline(&m->opts);
	if (!cmdline)
		return fail("out of memory");
	ret = boot_setup(&vm->mem, &m->bz, m->initrd, m->initrd_size, cmdline, MACHINE_ACPI_ADDR,
			 &regs, &layout, err, sizeof(err));
	free(cmdline);
	if (ret) {
		fprintf(stderr, "mshv-vmm run: %s\n", err);
		return EXIT_USAGE;
	}
	ret = vm->hv_ops->set_boot_regs(vm->cpus[0]->hv, &regs);
	if (ret)
		return fail("cannot set the boot registers: %s", strerror(-ret));
	return 0;
}

static int exit_status(struct machine *m)
{
	struct vm *vm = &m->vm;

	switch (vm->stop_reason) {
	case VM_STOP_POWEROFF:
		return EXIT_POWEROFF;
	case VM_STOP_RESET:
		fprintf(stderr, "mshv-vmm: %s; not rebooting\n", vm->stop_detail);
		return EXIT_GUEST_RESET;
	case VM_STOP_PANIC:
		fprintf(stderr, "mshv-vmm: guest crashed: %s\n", vm->stop_detail);
		return EXIT_GUEST_CRASH;
	case VM_STOP_SIGNAL:
		fprintf(stderr, "mshv-vmm: %s\n", vm->stop_detail);
		return 128 + (m->stop_signal ? m->stop_signal : SIGINT);
	default:
		fprintf(stderr, "mshv-vmm: %s\n", vm->stop_detail);
		return EXIT_VMM_ERROR;
	}
}

static int run_vm(struct machine *m)
{
	struct vm *vm = &m->vm;
	sigset_t old;
	int ret;

	vm->io = iothread_create();
	if (!vm->io)
		return fail("cannot create the I/O thread");
	ret = setup_hypervisor(m);
	if (ret)
		return ret;
	setup_fastpath(m);
	ret = setup_devices(m);
	if (ret)
		return ret;
	ret = load_guest(m);
	if (ret)
		return ret;
	/* In guest memory now: the host copies would only add to our RSS. */
	free(m->kernel);
	free(m->initrd);
	m->kernel = m->initrd = NULL;
	term_init(&m->term, vm, STDIN_FILENO, console_input, m);
	if (setup_signals(m, &old) || vm_start_drain_timer(vm))
		return fail("cannot set up the I/O thread: %s", strerror(errno));
	/* A regular file or /dev/null as stdin cannot be polled: no console input. */
	ret = iothread_watch(vm->io, STDIN_FILENO, term_readable, &m->term);
	if (ret && ret != -EPERM)
		return fail("cannot watch the console input: %s", strerror(-ret));
	term_raw(&m->term);
	if (iothread_start(vm->io))
		return fail("cannot start the I/O thread");
	for (unsigned int i = 0; i < vm->nr_cpus; i++)
		if (vcpu_start(vm->cpus[i]))
			vm_request_stop(vm, VM_STOP_ERROR, "cannot start vCPU %u", i);

	pthread_mutex_lock(&vm->stop_lock);
	while (vm->stop_reason == VM_RUNNING)
		pthread_cond_wait(&vm->stop_cond, &vm->stop_lock);
	pthread_mutex_unlock(&vm->stop_lock);

	for (unsigned int i = 0; i < vm->nr_cpus; i++)
		vcpu_join(vm->cpus[i]);
	iothread_stop(vm->io);
	/* What the guest wrote last may still sit in a ring. */
	rules_drain(&vm->rules);
	term_restore(&m->term);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (m->opts.stats != STATS_NONE)
		vm_print_stats(vm, stderr, m->opts.stats == STATS_JSON, m->module_state);
	return exit_status(m);
}

static void machine_free(struct machine *m)
{
	struct vm *vm = &m->vm;

	term_restore(&m->term);
	if (vm->io)
		iothread_stop(vm->io);
	rules_destroy(&vm->rules);
	for (unsigned int i = 0; i < m->nr_blk; i++)
		virtio_blk_destroy(m->blk[i]);
	if (m->console)
		virtio_console_destroy(m->console);
	if (m->rng)
		virtio_rng_destroy(m->rng);
	if (m->uart)
		uart_destroy(m->uart);
	if (m->i8042)
		i8042_destroy(m->i8042);
	if (m->rtc)
		rtc_destroy(m->rtc);
	if (m->pm)
		acpi_pm_destroy(m->pm);
	port80_destroy(vm);
	for (unsigned int i = 0; i < vm->nr_cpus; i++) {
		if (vm->hv_ops && vm->cpus[i]->hv)
			vm->hv_ops->destroy_vcpu(vm->cpus[i]->hv);
		free(vm->cpus[i]);
	}
	vm_fastpath_close(vm);
	if (vm->hv_ops && vm->hv)
		vm->hv_ops->close(vm->hv);
	guest_mem_free(&vm->mem);
	iothread_destroy(vm->io);
	if (m->signal_fd >= 0)
		close(m->signal_fd);
	vm_stop_drain_timer(vm);
	free(m->kernel);
	free(m->initrd);
	for (unsigned int i = 0; i < m->opts.nr_disks; i++)
		free((char *)m->opts.disks[i].path);
}

int cmd_run(int argc, char **argv)
{
	struct machine *m = calloc(1, sizeof(*m));
	char err[256];
	int ret;

	if (!m)
		return EXIT_VMM_ERROR;
	vm_init(&m->vm);
	m->signal_fd = -1;
	ret = parse_args(argc, argv, &m->opts);
	if (!ret)
		ret = read_file("--kernel", m->opts.kernel, KERNEL_MAX_SIZE, &m->kernel,
				&m->kernel_size);
	if (!ret && bzimage_parse(m->kernel, m->kernel_size, &m->bz, err, sizeof(err)))
		ret = usage_error("--kernel %s: %s", m->opts.kernel, err);
	if (!ret && m->opts.initrd)
		ret = read_file("--initrd", m->opts.initrd, GUEST_MEM_LOW_LIMIT, &m->initrd,
				&m->initrd_size);
	if (!ret)
		ret = run_vm(m);
	machine_free(m);
	free(m);
	return ret < 0 ? 0 : ret;	/* -1: --help */
}
