// SPDX-License-Identifier: GPL-2.0
/*
 * The module's tracepoints as the BPF tools see them: their tracefs
 * formats match the layouts in bpf/mshv_fastpath_tp.h, and a libbpf
 * skeleton attached to them counts exactly the ioctls and exits this
 * process makes.
 */
#include <stddef.h>
#include <sys/eventfd.h>

#include "kselftest_harness.h"
#include "kvm_guest.h"
#include "mshv_fastpath_tp.h"
#include "tracepoints.skel.h"

#define TRACEFS_EVENTS "/sys/kernel/tracing/events/mshv_fastpath"

/* The "format" file of one event, or NULL. */
static char *read_format(const char *event)
{
	static char buf[8192];
	char path[256];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), TRACEFS_EVENTS "/%s/format", event);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* The format says FIELD is at OFFSET with SIZE bytes. */
static bool has_field(const char *format, const char *decl, size_t offset, size_t size)
{
	char want[128];

	snprintf(want, sizeof(want), "field:%s;\toffset:%zu;\tsize:%zu;", decl, offset, size);
	return strstr(format, want) != NULL;
}

#define EXPECT_FIELD(fmt, type, decl, field) \
	EXPECT_TRUE(has_field(fmt, decl, offsetof(type, field), sizeof(((type *)0)->field))) \
		TH_LOG("%s: no '%s' at %zu", #type, decl, offsetof(type, field))

/* exit_batch's records: the module's layout (uapi) and the BPF tools' agree. */
#define RECORD_FIELD_AGREES(field) \
	(offsetof(struct mshv_fp_exit_record, field) == \
	 offsetof(struct mshv_fp_tp_exit_record, field) && \
	 sizeof(((struct mshv_fp_exit_record *)0)->field) == \
	 sizeof(((struct mshv_fp_tp_exit_record *)0)->field))
_Static_assert(sizeof(struct mshv_fp_exit_record) == sizeof(struct mshv_fp_tp_exit_record) &&
	       MSHV_FP_EXIT_BATCH == MSHV_FP_TP_EXIT_BATCH &&
	       MSHV_FP_HV_KVM == MSHV_FP_TP_HV_KVM && MSHV_FP_HV_MSHV == MSHV_FP_TP_HV_MSHV &&
	       RECORD_FIELD_AGREES(addr) && RECORD_FIELD_AGREES(ns) &&
	       RECORD_FIELD_AGREES(user_ns) && RECORD_FIELD_AGREES(reason) &&
	       RECORD_FIELD_AGREES(rule_id) && RECORD_FIELD_AGREES(kind) &&
	       RECORD_FIELD_AGREES(size) && RECORD_FIELD_AGREES(write) &&
	       RECORD_FIELD_AGREES(action) && RECORD_FIELD_AGREES(reserved),
	       "struct mshv_fp_tp_exit_record differs from struct mshv_fp_exit_record");

TEST(formats_match_bpf_layouts)
{
	char *fmt;

	if (!path_exists(TRACEFS_EVENTS))
		SKIP(return, "no " TRACEFS_EVENTS ": module not loaded or tracefs not mounted");
	fmt = read_format("ioctl");
	ASSERT_NE(NULL, fmt);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_ioctl, "unsigned int cmd", cmd);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_ioctl, "long ret", ret);

	fmt = read_format("exit");
	ASSERT_NE(NULL, fmt);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_exit, "u32 vcpu_id", vcpu_id);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_exit, "u8 hypervisor", hypervisor);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_exit, "u8 kind", kind);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_exit, "u8 size", size);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_exit, "u8 write", write);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_exit, "u32 reason", reason);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_exit, "u64 addr", addr);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_exit, "u8 action", action);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_exit, "u32 rule_id", rule_id);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_exit, "u64 ns", ns);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_exit, "u64 user_ns", user_ns);

	fmt = read_format("run_enter");
	ASSERT_NE(NULL, fmt);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_run_enter, "u32 vcpu_id", vcpu_id);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_run_enter, "u8 hypervisor", hypervisor);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_run_enter, "u64 user_ns", user_ns);

	fmt = read_format("exit_batch");
	ASSERT_NE(NULL, fmt);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_exit_batch, "u32 vcpu_id", vcpu_id);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_exit_batch, "u8 hypervisor", hypervisor);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_exit_batch, "u32 nr", nr);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_exit_batch, "__data_loc u8[] records", records);

	fmt = read_format("run_exit");
	ASSERT_NE(NULL, fmt);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_run_exit, "u32 vcpu_id", vcpu_id);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_run_exit, "u8 hypervisor", hypervisor);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_run_exit, "long ret", ret);
	EXPECT_FIELD(fmt, struct mshv_fp_tp_run_exit, "u64 handled", handled);
}

static struct tracepoints_bpf *attach_skeleton(struct __test_metadata *_metadata)
{
	struct tracepoints_bpf *skel = tracepoints_bpf__open();

	EXPECT_NE(NULL, skel);
	if (!skel)
		return NULL;
	skel->rodata->target_tgid = getpid();
	EXPECT_EQ(0, tracepoints_bpf__load(skel));
	EXPECT_EQ(0, tracepoints_bpf__attach(skel)) TH_LOG("attach: %s", strerror(errno));
	return skel;
}

TEST(bpf_counts_every_ioctl)
{
	const unsigned int unknown = _IO(MSHV_FP_IOCTL_MAGIC, 0x7d);
	struct tracepoints_bpf *skel;
	struct mshv_fp_version v;
	int fd;

	fd = open(FP_DEV, O_RDWR);
	if (fd < 0)
		SKIP(return, FP_DEV ": %s (module not loaded)", strerror(errno));
	skel = attach_skeleton(_metadata);
	ASSERT_NE(NULL, skel);

	for (int i = 0; i < 1000; i++)
		ASSERT_EQ(0, ioctl(fd, MSHV_FP_GET_VERSION, &v));
	for (int i = 0; i < 10; i++)
		ASSERT_EQ(-1, ioctl(fd, unknown, 0));

	EXPECT_EQ(1010, skel->bss->nr_ioctls);
	EXPECT_EQ(10, skel->bss->nr_enotty);
	EXPECT_EQ(unknown, skel->bss->last_cmd);
	tracepoints_bpf__destroy(skel);
	close(fd);
}

/*
 * N doorbells finished in the kernel and one forwarded exit, as BPF sees
 * them: the doorbells at once, the forwarded exit once it is finished, here
 * when the vCPU is detached (the VMM never ran it again: no round trip).
 * exit_batch has the same exits, in batches: at most one batch not yet
 * traced when the run returns, all of them once the vCPU is detached.
 */
TEST(bpf_sees_every_exit_and_its_action)
{
	const uint32_t n = 200;
	struct guest_args args = {
		.ebx = 1, .ecx = n, .edx = 0x10, .esi = DONE_PORT,
	};
	struct mshv_fp_rule rule = port_rule(MSHV_FP_ACTION_DOORBELL,
					     MSHV_FP_ACCESS_WRITE, 0x10, 1);
	struct tracepoints_bpf *skel;
	struct test_vcpu vcpu;
	struct test_vm vm;

	if (!path_exists("/dev/kvm") || !path_exists(FP_DEV))
		SKIP(return, "needs /dev/kvm and the module");
	ASSERT_EQ(0, test_vm_create(&vm, GUEST(guest_port_writes)));
	ASSERT_EQ(0, test_vcpu_create(&vm, &vcpu, 0, args));
	ASSERT_EQ(0, test_vcpu_attach(&vcpu, 7));
	rule.eventfd = eventfd(0, 0);
	ASSERT_LT(0, test_add_rule(&vm, rule));
	skel = attach_skeleton(_metadata);
	ASSERT_NE(NULL, skel);

	ASSERT_EQ(0, test_vcpu_run(&vcpu));
	ASSERT_TRUE(exit_is_port(&vcpu, DONE_PORT));
	EXPECT_EQ(n, skel->bss->exits_by_action[MSHV_FP_ACTION_DOORBELL]);
	EXPECT_EQ(0, skel->bss->exits_by_action[MSHV_FP_ACTION_FORWARDED]);
	EXPECT_GE(n, skel->bss->batched_by_action[MSHV_FP_ACTION_DOORBELL]);
	EXPECT_LT(n - MSHV_FP_EXIT_BATCH, skel->bss->batched_by_action[MSHV_FP_ACTION_DOORBELL]);
	close(vcpu.fp);
	vcpu.fp = -1;
	EXPECT_EQ(1, skel->bss->exits_by_action[MSHV_FP_ACTION_FORWARDED]);
	EXPECT_EQ(DONE_PORT, skel->bss->last_exit_addr);
	EXPECT_EQ(0, skel->bss->last_exit_user_ns);
	EXPECT_EQ(7, skel->bss->last_exit_vcpu);
	EXPECT_LT(0, skel->bss->exit_ns_total);
	EXPECT_EQ(1, skel->bss->nr_run_enter);
	EXPECT_EQ(1, skel->bss->nr_run_exit);
	EXPECT_EQ(n, skel->bss->handled_reported);

	EXPECT_EQ(n, skel->bss->batched_by_action[MSHV_FP_ACTION_DOORBELL]);
	EXPECT_EQ(1, skel->bss->batched_by_action[MSHV_FP_ACTION_FORWARDED]);
	EXPECT_EQ(DONE_PORT, skel->bss->last_batched_addr);
	EXPECT_EQ(7, skel->bss->last_batch_vcpu);
	EXPECT_EQ(skel->bss->exit_ns_total, skel->bss->batched_ns_total);
	EXPECT_EQ(MSHV_FP_EXIT_BATCH, skel->bss->max_batch);
	/* Batched: 7 when no batch is 10 ms late; one per exit would be 201. */
	EXPECT_GE((n + 1) / 4, skel->bss->nr_batches);
	tracepoints_bpf__destroy(skel);
}

TEST_HARNESS_MAIN
