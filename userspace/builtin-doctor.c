// SPDX-License-Identifier: GPL-2.0
/*
 * mshv-vmm doctor: can this host launch a VM, on which hypervisor, and
 * what stands in the way. One line per check, and the fix when one fails.
 *
 * Test hooks (environment, for selftests/host/vmm_doctor_test.sh only):
 *   MSHV_VMM_ROOT          prefixed to every /proc, /sys and /lib path read
 *                          (hostfs.h)
 *   MSHV_VMM_MSHV_DEVICE   instead of /dev/mshv
 *   MSHV_VMM_KVM_DEVICE    instead of /dev/kvm
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "builtin.h"
#include "fastpath.h"
#include "hostfs.h"
#include "json.h"
#include "mshv-probe.h"
#include "resvd.h"

#define EXIT_CANNOT_LAUNCH	1

enum check_status { CHECK_OK, CHECK_WARN, CHECK_FAIL, CHECK_INFO };

static const char *const status_json[] = { "ok", "warn", "fail", "info" };
static const char *const status_text[] = { "ok", "warn", "FAIL", "info" };

enum check_id {
	CHECK_MSHV, CHECK_KERNEL, CHECK_RESVD, CHECK_MODULE, CHECK_KVM, CHECK_ISOLATION,
	NR_CHECKS
};

/* JSON names and the labels people read, in the order they are printed. */
static const struct { const char *name, *label; } check_names[NR_CHECKS] = {
	[CHECK_MSHV] = { "mshv", "/dev/mshv" },
	[CHECK_KERNEL] = { "kernel", "kernel" },
	[CHECK_RESVD] = { "hyperv_resvd_new", "hyperv_resvd_new" },
	[CHECK_MODULE] = { "module", "fast-path module" },
	[CHECK_KVM] = { "kvm", "/dev/kvm" },
	[CHECK_ISOLATION] = { "isolation", "SEV-SNP" },
};

struct check {
	enum check_status status;
	char summary[320];
	char fix[320];		/* empty: nothing to do */
};

struct doctor {
	const char *mshv_path, *kvm_path;
	char release[128];
	char cpu_flags[4096];		/* the first "flags" line of /proc/cpuinfo */
	struct mshv_probe mshv;
	int mshv_ret;			/* mshv_probe(): 0 or -errno */
	bool kvm_usable;
	char kvm_error[160];		/* why not */
	int kvm_errno;
	struct check checks[NR_CHECKS];
};

void cmd_doctor_help(void)
{
	puts("Usage: mshv-vmm doctor [--json]\n"
	     "\n"
	     "Checks whether this host can launch a VM with mshv-vmm, explains each\n"
	     "finding on one line, and says how to fix what fails. Checks:\n"
	     "\n"
	     "  /dev/mshv          the Microsoft Hypervisor's root-partition driver, and\n"
	     "                     which of its ABIs the kernel speaks (upstream Linux\n"
	     "                     >= 6.15, or the 2023 driver of Mariner 5.15.*.mshv*\n"
	     "                     kernels), found by probing ioctls, never from the\n"
	     "                     kernel version\n"
	     "  kernel             the kernel release, and whether it looks like a\n"
	     "                     Mariner mshv kernel (for information only)\n"
	     "  hyperv_resvd_new   on a Mariner mshv root, the boot stub lists the\n"
	     "                     hypervisor's own memory on the kernel command line so\n"
	     "                     that Linux never hands it out; checked to be there\n"
	     "                     and well-formed\n"
	     "  fast-path module   mshv_fastpath, which handles hot exits in the kernel:\n"
	     "                     loaded, same version and ABI as these tools, able to\n"
	     "                     attach mshv VPs and KVM vCPUs (optional: without it\n"
	     "                     every exit reaches mshv-vmm)\n"
	     "  /dev/kvm           KVM, the fallback where there is no /dev/mshv, and\n"
	     "                     whether the CPU offers VMX or SVM at all\n"
	     "  SEV-SNP            what the host says about AMD SEV-SNP (information only:\n"
	     "                     mshv-vmm launches non-isolated partitions)\n"
	     "\n"
	     "Statuses: ok, warn (works, but not as well as it could), FAIL, info.\n"
	     "\n"
	     "  --json   one JSON object: checks [{name, status, summary, fix}],\n"
	     "           can_launch, hypervisor (\"mshv\", \"kvm\" or null), mshv_abi\n"
	     "  -h       this text\n"
	     "\n"
	     "Exit status: 0 a VM can be launched (on /dev/mshv or on KVM), 1 it\n"
	     "cannot, 2 bad command line.");
}

static void check_set(struct check *c, enum check_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void check_set(struct check *c, enum check_status status, const char *fmt, ...)
{
	va_list ap;

	c->status = status;
	va_start(ap, fmt);
	vsnprintf(c->summary, sizeof(c->summary), fmt, ap);
	va_end(ap);
}

static void check_fix(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check_fix(struct check *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->fix, sizeof(c->fix), fmt, ap);
	va_end(ap);
}

static bool has_cpu_flag(const struct doctor *d, const char *flag)
{
	size_t len = strlen(flag);

	for (const char *p = d->cpu_flags; (p = strstr(p, flag)); p += len)
		if ((p == d->cpu_flags || p[-1] == ' ') && (p[len] == ' ' || !p[len]))
			return true;
	return false;
}

static void read_cpu_flags(struct doctor *d)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f = host_fopen("/proc/cpuinfo");

	d->cpu_flags[0] = '\0';
	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "flags", 5) || !colon)
			continue;
		snprintf(d->cpu_flags, sizeof(d->cpu_flags), "%s", colon + 1 + (colon[1] == ' '));
		d->cpu_flags[strcspn(d->cpu_flags, "\n")] = '\0';
		break;
	}
	free(line);
	fclose(f);
}

static void read_release(struct doctor *d)
{
	struct utsname uts;

	/* The same string as uname -r, and a fake root can provide it. */
	if (host_read_file("/proc/sys/kernel/osrelease", d->release, sizeof(d->release)) > 0) {
		d->release[strcspn(d->release, "\n")] = '\0';
		return;
	}
	if (!uname(&uts))
		snprintf(d->release, sizeof(d->release), "%s", uts.release);
	else
		snprintf(d->release, sizeof(d->release), "unknown");
}

static void probe_kvm(struct doctor *d)
{
	int fd = open(d->kvm_path, O_RDWR | O_CLOEXEC);
	int version;

	if (fd < 0) {
		d->kvm_errno = errno;
		snprintf(d->kvm_error, sizeof(d->kvm_error), "%s", strerror(errno));
		return;
	}
	version = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (version < 0)
		snprintf(d->kvm_error, sizeof(d->kvm_error), "not KVM: KVM_GET_API_VERSION: %s",
			 strerror(errno));
	else if (version != KVM_API_VERSION)
		snprintf(d->kvm_error, sizeof(d->kvm_error), "KVM API version %d, not %d",
			 version, KVM_API_VERSION);
	else
		d->kvm_usable = true;
	close(fd);
}

static bool mshv_usable(const struct doctor *d)
{
	return !d->mshv_ret;
}

/* A kernel whose mshv_root is a module that is not loaded: modprobe fixes it. */
static bool mshv_root_is_a_module(const struct doctor *d)
{
	char path[256], *line = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/lib/modules/%s/modules.dep", d->release);
	f = host_fopen(path);
	if (!f)
		return false;
	while (!found && getline(&line, &cap, f) > 0)
		found = strstr(line, "/mshv_root.ko") != NULL;
	free(line);
	fclose(f);
	return found;
}

static const char *abi_summary(enum mshv_abi abi)
{
	return abi == MSHV_ABI_UPSTREAM ? "upstream ABI (Linux >= 6.15)" :
	       "Mariner 5.15 ABI (the 2023 driver)";
}

static void check_mshv(struct doctor *d)
{
	struct check *c = &d->checks[CHECK_MSHV];
	const char *path = d->mshv_path;
	struct stat st;

	switch (d->mshv_ret) {
	case 0:
		check_set(c, CHECK_OK, "%s%s", abi_summary(d->mshv.abi),
			  d->mshv.register_page ? "" : ", no register page (slower exits)");
		return;
	case -ENOENT:
		if (d->kvm_usable)
			check_set(c, CHECK_WARN, "absent: VMs run on KVM instead");
		else
			check_set(c, CHECK_FAIL, "absent: this host is not a Microsoft Hypervisor "
				  "root partition");
		if (mshv_root_is_a_module(d))
			check_fix(c, "this kernel has mshv_root as a module: "
				  "sudo modprobe mshv_root");
		else
			check_fix(c, "%s exists only on the root partition of the Microsoft "
				  "Hypervisor: an Azure DCas_cc_v5 VM with its Mariner *.mshv* "
				  "kernel, or Linux >= 6.15 with CONFIG_MSHV_ROOT booted as the "
				  "root partition", path);
		return;
	case -EACCES:
	case -EPERM:
		if (!stat(path, &st))
			check_set(c, CHECK_FAIL, "present, but not for this user: mode %04o, "
				  "owner %u, group %u", st.st_mode & 07777, st.st_uid, st.st_gid);
		else
			check_set(c, CHECK_FAIL, "present, but not for this user: %s",
				  strerror(-d->mshv_ret));
		check_fix(c, "run as root, or give a group access with a udev rule "
			  "(KERNEL==\"mshv\", GROUP=\"kvm\", MODE=\"0660\") and join that group");
		return;
	case -EPROTO:
		check_set(c, CHECK_FAIL, "present, unknown ABI: %s", d->mshv.detail);
		check_fix(c, "this build knows the upstream (Linux >= 6.15) and the Mariner "
			  "5.15 ABIs; please report this line with the output of "
			  "scripts/mshv-validate.sh");
		return;
	default:
		check_set(c, CHECK_FAIL, "cannot be opened: %s", strerror(-d->mshv_ret));
		check_fix(c, "see why with: ls -l %s; dmesg | grep -i mshv", path);
	}
}

static void check_kernel(struct doctor *d)
{
	struct check *c = &d->checks[CHECK_KERNEL];

	/* Mariner's mshv kernels are named 5.15.126.mshv9-2.cm2 and the like. */
	if (strstr(d->release, ".mshv"))
		check_set(c, CHECK_INFO, "%s: a Mariner mshv kernel (the ABI is probed, not "
			  "inferred from this)", d->release);
	else
		check_set(c, CHECK_INFO, "%s: not a Mariner mshv kernel", d->release);
}

static void format_size(char *buf, size_t size, unsigned long long bytes)
{
	if (bytes >= 1ULL << 30)
		snprintf(buf, size, "%.1f GiB", bytes / (double)(1ULL << 30));
	else if (bytes >= 1ULL << 20)
		snprintf(buf, size, "%.1f MiB", bytes / (double)(1ULL << 20));
	else if (bytes >= 1ULL << 10)
		snprintf(buf, size, "%.1f KiB", bytes / (double)(1ULL << 10));
	else
		snprintf(buf, size, "%llu bytes", bytes);
}

static void check_resvd(struct doctor *d)
{
	struct check *c = &d->checks[CHECK_RESVD];
	char cmdline[8192], total[32], found[160] = "";
	struct resvd_list list;
	struct resvd_error err;
	unsigned long long sum = 0;
	ssize_t len;
	int n;

	len = host_read_file("/proc/cmdline", cmdline, sizeof(cmdline));
	if (len < 0) {
		check_set(c, CHECK_WARN, "cannot read /proc/cmdline: %s", strerror(-len));
		return;
	}
	n = resvd_parse_cmdline(cmdline, len, &list, &err);
	for (unsigned int i = 0; n > 0 && i < list.nr; i++)
		sum += list.r[i].size;
	format_size(total, sizeof(total), sum);
	if (n > 0)
		snprintf(found, sizeof(found), "%u range%s, %s in all", list.nr,
			 list.nr == 1 ? "" : "s", total);
	else if (n < 0 && err.occurrence)
		snprintf(found, sizeof(found), "occurrence %u: %s", err.occurrence + 1, err.msg);
	else if (n < 0)
		snprintf(found, sizeof(found), "%s", err.msg);

	if (d->mshv_ret == -ENOENT) {
		if (!n)
			check_set(c, CHECK_INFO, "not applicable: no /dev/mshv");
		else
			check_set(c, CHECK_INFO, "not applicable (no /dev/mshv), but present: %s",
				  found);
		return;
	}
	if (!n) {
		/* Only Mariner's kernels take it; upstream has no such parameter. */
		if (mshv_usable(d) && d->mshv.abi == MSHV_ABI_UPSTREAM) {
			check_set(c, CHECK_INFO, "absent: upstream kernels (Linux >= 6.15) have no "
				  "such parameter");
			return;
		}
		check_set(c, CHECK_WARN, "absent: this kernel was not told which memory is the "
			  "hypervisor's own, and may hand it out");
		check_fix(c, "boot through the mshv loader, whose boot stub appends it; "
			  "'mshv-vmm resvd check' compares the ranges with /proc/iomem");
		return;
	}
	if (n == -RESVD_ERR_OLD_FORM) {
		check_set(c, CHECK_WARN, "cannot be checked: %s", found);
		check_fix(c, "kernels since mid-2023 write <size>!<start> pairs: update the "
			  "kernel-mshv package");
	} else if (n < 0) {
		check_set(c, CHECK_FAIL, "malformed: %s", found);
		check_fix(c, "the boot stub writes this parameter at every boot: remove any copy "
			  "from the boot loader's configuration (GRUB_CMDLINE_LINUX, grub.cfg)");
	} else if (n > 1) {
		check_set(c, CHECK_WARN, "%d occurrences: the kernel reserves the ranges of each; "
			  "the last one has %s", n, found);
		check_fix(c, "the boot stub appends its own at every boot: remove the others "
			  "from the boot loader's configuration, they may be stale");
	} else {
		check_set(c, CHECK_OK, "%s", found);
	}
}

static void check_module(struct doctor *d)
{
	struct check *c = &d->checks[CHECK_MODULE];
	bool want_mshv = mshv_usable(d), want_kvm = !want_mshv && d->kvm_usable;
	struct mshv_fp_version v;
	bool can_mshv, can_kvm;
	int fd = fastpath__open(&v);

	if (fd == -ENOENT) {
		check_set(c, CHECK_WARN, "not loaded: every exit reaches mshv-vmm (VMs run, "
			  "slower)");
		if (host_exists("/proc/modules"))
			check_fix(c, "sudo modprobe mshv_fastpath (after 'sudo make dkms-install' "
				  "if it is not installed)");
		else
			check_fix(c, "this kernel cannot load modules (no /proc/modules): boot one "
				  "with CONFIG_MODULES, then sudo modprobe mshv_fastpath");
		return;
	}
	if (fd < 0) {
		check_set(c, CHECK_WARN, "/dev/%s cannot be opened: %s", MSHV_FP_DEVICE_NAME,
			  strerror(-fd));
		if (fd == -EACCES)
			check_fix(c, "join the kvm group (the module's udev rule gives it "
				  "/dev/%s), or run as root", MSHV_FP_DEVICE_NAME);
		return;
	}
	close(fd);
	can_mshv = v.capabilities & (1ULL << MSHV_FP_CAP_MSHV);
	can_kvm = v.capabilities & (1ULL << MSHV_FP_CAP_KVM);
	check_set(c, CHECK_OK, "%s (ABI %u.%u), attaches %s", v.module_version, v.abi_major,
		  v.abi_minor, can_mshv && can_kvm ? "mshv VPs and KVM vCPUs" :
		  can_mshv ? "mshv VPs only" : can_kvm ? "KVM vCPUs only" : "neither mshv VPs "
		  "nor KVM vCPUs");
	if (v.abi_major != MSHV_FP_ABI_MAJOR || strcmp(v.module_version, MSHV_FP_TOOLS_VERSION)) {
		/* Another ABI major is refused by mshv-vmm run; another version is a mix-up. */
		check_set(c, CHECK_WARN, "%s (ABI %u.%u), these tools %s (ABI %d.%d)%s",
			  v.module_version, v.abi_major, v.abi_minor, MSHV_FP_TOOLS_VERSION,
			  MSHV_FP_ABI_MAJOR, MSHV_FP_ABI_MINOR,
			  v.abi_major != MSHV_FP_ABI_MAJOR ? ": not used" : "");
		check_fix(c, "install the module and the tools from one release (sudo make "
			  "dkms-install; sudo make -C userspace install), then reload it "
			  "(sudo rmmod mshv_fastpath; sudo modprobe mshv_fastpath)");
	} else if ((want_mshv && !can_mshv) || (want_kvm && !can_kvm)) {
		check_set(c, CHECK_WARN, "%s cannot attach %s: VMs run without it",
			  v.module_version, want_mshv ? "mshv VPs" : "KVM vCPUs");
		check_fix(c, "a module built for a kernel with %s attaches them: rebuild it "
			  "for this kernel (sudo make dkms-install)",
			  want_mshv ? "the mshv driver" : "KVM");
	}
}

static void check_kvm(struct doctor *d)
{
	struct check *c = &d->checks[CHECK_KVM];
	bool vmx = has_cpu_flag(d, "vmx"), svm = has_cpu_flag(d, "svm");

	if (d->kvm_usable) {
		check_set(c, CHECK_OK, "usable (API version %d)%s", KVM_API_VERSION,
			  mshv_usable(d) ? "; /dev/mshv is preferred" : "");
		return;
	}
	if (mshv_usable(d) && d->kvm_errno == ENOENT) {
		check_set(c, CHECK_INFO, "absent, not needed: VMs run on /dev/mshv");
		return;
	}
	check_set(c, mshv_usable(d) ? CHECK_WARN : CHECK_FAIL, "%s: %s%s", d->kvm_path,
		  d->kvm_error, d->kvm_errno != ENOENT ? "" : vmx ? " (the CPU has VMX)" :
		  svm ? " (the CPU has SVM)" : " (and the CPU offers neither VMX nor SVM)");
	if (d->kvm_errno == EACCES || d->kvm_errno == EPERM)
		check_fix(c, "join the group that owns %s (usually kvm: sudo usermod -aG kvm "
			  "$USER, then log in again), or run as root", d->kvm_path);
	else if (d->kvm_errno == ENOENT && (vmx || svm))
		check_fix(c, "load KVM: sudo modprobe %s", vmx ? "kvm_intel" : "kvm_amd");
	else if (d->kvm_errno == ENOENT)
		check_fix(c, "in a VM, use a size or configuration with nested virtualization "
			  "(VMX/SVM visible in /proc/cpuinfo), or run on an mshv root partition");
	else
		check_fix(c, "%s is not a working KVM device: check ls -l %s and dmesg",
			  d->kvm_path, d->kvm_path);
}

static void check_isolation(struct doctor *d)
{
	struct check *c = &d->checks[CHECK_ISOLATION];
	char param[16], flags[64] = "", mshv[64] = "";
	static const char *const sev_flags[] = { "sev", "sev_es", "sev_snp" };
	const char *kvm_amd = "kvm_amd not loaded";
	ssize_t len;

	for (unsigned int i = 0; i < sizeof(sev_flags) / sizeof(sev_flags[0]); i++)
		if (has_cpu_flag(d, sev_flags[i]))
			snprintf(flags + strlen(flags), sizeof(flags) - strlen(flags), "%s%s",
				 flags[0] ? " " : "", sev_flags[i]);
	len = host_read_file("/sys/module/kvm_amd/parameters/sev_snp", param, sizeof(param));
	if (len > 0)
		kvm_amd = param[0] == 'Y' || param[0] == '1' ? "kvm_amd sev_snp on" :
			  "kvm_amd sev_snp off";
	else if (host_exists("/sys/module/kvm_amd"))
		kvm_amd = "kvm_amd without sev_snp";
	if (mshv_usable(d))
		snprintf(mshv, sizeof(mshv), "; mshv: %s", d->mshv.register_page ?
			 "register page (non-isolated VPs)" : "no register page");
	check_set(c, CHECK_INFO, "CPU flags: %s; %s%s (mshv-vmm launches non-isolated partitions)",
		  flags[0] ? flags : "no sev, sev_es or sev_snp", kvm_amd, mshv);
}

static const char *hypervisor_of(const struct doctor *d)
{
	if (mshv_usable(d))
		return "mshv";
	return d->kvm_usable ? "kvm" : NULL;
}

static const char *mshv_abi_key(const struct doctor *d)
{
	if (mshv_usable(d))
		return d->mshv.abi == MSHV_ABI_UPSTREAM ? "upstream" : "mariner";
	return d->mshv_ret == -EPROTO ? "unknown" : NULL;
}

static void print_json(const struct doctor *d)
{
	const char *hv = hypervisor_of(d), *abi = mshv_abi_key(d);

	printf("{\"tools_version\":");
	json__string(stdout, MSHV_FP_TOOLS_VERSION);
	printf(",\"can_launch\":%s,\"hypervisor\":", hv ? "true" : "false");
	if (hv)
		json__string(stdout, hv);
	else
		fputs("null", stdout);
	fputs(",\"mshv_abi\":", stdout);
	if (abi)
		json__string(stdout, abi);
	else
		fputs("null", stdout);
	fputs(",\"checks\":[", stdout);
	for (unsigned int i = 0; i < NR_CHECKS; i++) {
		const struct check *c = &d->checks[i];

		printf("%s{\"name\":", i ? "," : "");
		json__string(stdout, check_names[i].name);
		printf(",\"status\":\"%s\",\"summary\":", status_json[c->status]);
		json__string(stdout, c->summary);
		if (c->fix[0]) {
			fputs(",\"fix\":", stdout);
			json__string(stdout, c->fix);
		}
		putchar('}');
	}
	puts("]}");
}

static void print_text(const struct doctor *d)
{
	const char *hv = hypervisor_of(d);

	for (unsigned int i = 0; i < NR_CHECKS; i++) {
		const struct check *c = &d->checks[i];

		printf("  %-5s %-18s %s\n", status_text[c->status], check_names[i].label,
		       c->summary);
		if (c->fix[0])
			printf("  %-5s %-18s fix: %s\n", "", "", c->fix);
	}
	if (hv && !strcmp(hv, "mshv"))
		printf("\nmshv-vmm can launch VMs here: on %s, %s\n", d->mshv_path,
		       abi_summary(d->mshv.abi));
	else if (hv && d->mshv_ret != -ENOENT)
		printf("\nmshv-vmm can launch VMs here: on KVM, with --hypervisor kvm (%s is "
		       "there but unusable)\n", d->mshv_path);
	else if (hv)
		puts("\nmshv-vmm can launch VMs here: on KVM");
	else
		puts("\nmshv-vmm cannot launch a VM here: neither /dev/mshv nor /dev/kvm "
		     "is usable");
}

/* The test hooks: set and not empty, else @fallback. */
static const char *env_or(const char *name, const char *fallback)
{
	const char *value = getenv(name);

	return value && value[0] ? value : fallback;
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct doctor *d;
	bool json = false;
	int opt, status;

	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			cmd_doctor_help();
			return 0;
		default:
			fputs("Try 'mshv-vmm doctor --help'.\n", stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mshv-vmm doctor: unexpected argument '%s' (see 'mshv-vmm doctor "
			"--help')\n", argv[optind]);
		return EXIT_USAGE;
	}

	d = calloc(1, sizeof(*d));
	if (!d) {
		fputs("mshv-vmm doctor: out of memory\n", stderr);
		return EXIT_CANNOT_LAUNCH;
	}
	d->mshv_path = env_or("MSHV_VMM_MSHV_DEVICE", MSHV_DEVICE_PATH);
	d->kvm_path = env_or("MSHV_VMM_KVM_DEVICE", "/dev/kvm");
	read_release(d);
	read_cpu_flags(d);
	d->mshv_ret = mshv_probe(d->mshv_path, &d->mshv);
	if (!d->mshv_ret)
		close(d->mshv.fd);
	probe_kvm(d);

	check_mshv(d);
	check_kernel(d);
	check_resvd(d);
	check_module(d);
	check_kvm(d);
	check_isolation(d);

	if (json)
		print_json(d);
	else
		print_text(d);
	status = hypervisor_of(d) ? 0 : EXIT_CANNOT_LAUNCH;
	free(d);
	return status;
}
