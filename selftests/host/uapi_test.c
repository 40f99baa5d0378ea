// SPDX-License-Identifier: GPL-2.0
/*
 * The uapi header is an ABI: its sizes, offsets and ioctl numbers may only
 * change together with MSHV_FP_ABI_MAJOR. This pins them.
 */
#include <stddef.h>
#include <sys/ioctl.h>

#include <linux/mshv_fastpath.h>

#include "kselftest_harness.h"

TEST(version_struct_layout)
{
	EXPECT_EQ(80, sizeof(struct mshv_fp_version));
	EXPECT_EQ(0, offsetof(struct mshv_fp_version, abi_major));
	EXPECT_EQ(2, offsetof(struct mshv_fp_version, abi_minor));
	EXPECT_EQ(4, offsetof(struct mshv_fp_version, reserved0));
	EXPECT_EQ(8, offsetof(struct mshv_fp_version, capabilities));
	EXPECT_EQ(16, offsetof(struct mshv_fp_version, module_version));
	EXPECT_EQ(48, offsetof(struct mshv_fp_version, reserved));
}

TEST(attach_struct_layout)
{
	EXPECT_EQ(56, sizeof(struct mshv_fp_attach));
	EXPECT_EQ(0, offsetof(struct mshv_fp_attach, hypervisor));
	EXPECT_EQ(4, offsetof(struct mshv_fp_attach, vcpu_fd));
	EXPECT_EQ(8, offsetof(struct mshv_fp_attach, vcpu_id));
	EXPECT_EQ(12, offsetof(struct mshv_fp_attach, flags));
	EXPECT_EQ(16, offsetof(struct mshv_fp_attach, user_area));
	/* ABI 0.3 gave the first of the four reserved u64s a name. */
	EXPECT_EQ(24, offsetof(struct mshv_fp_attach, register_page));
	EXPECT_EQ(32, offsetof(struct mshv_fp_attach, reserved));
}

TEST(rule_struct_layout)
{
	EXPECT_EQ(80, sizeof(struct mshv_fp_rule));
	EXPECT_EQ(0, offsetof(struct mshv_fp_rule, id));
	EXPECT_EQ(4, offsetof(struct mshv_fp_rule, space));
	EXPECT_EQ(5, offsetof(struct mshv_fp_rule, access));
	EXPECT_EQ(6, offsetof(struct mshv_fp_rule, action));
	EXPECT_EQ(7, offsetof(struct mshv_fp_rule, sizes));
	EXPECT_EQ(8, offsetof(struct mshv_fp_rule, addr));
	EXPECT_EQ(16, offsetof(struct mshv_fp_rule, len));
	EXPECT_EQ(24, offsetof(struct mshv_fp_rule, datamatch));
	EXPECT_EQ(32, offsetof(struct mshv_fp_rule, value));
	EXPECT_EQ(40, offsetof(struct mshv_fp_rule, eventfd));
	EXPECT_EQ(44, offsetof(struct mshv_fp_rule, flags));
	EXPECT_EQ(48, offsetof(struct mshv_fp_rule, reserved));
}

TEST(ring_layout)
{
	EXPECT_EQ(32, sizeof(struct mshv_fp_ring_entry));
	EXPECT_EQ(0, offsetof(struct mshv_fp_ring_entry, addr));
	EXPECT_EQ(8, offsetof(struct mshv_fp_ring_entry, len));
	EXPECT_EQ(12, offsetof(struct mshv_fp_ring_entry, space));
	EXPECT_EQ(16, offsetof(struct mshv_fp_ring_entry, data));
	EXPECT_EQ(24, offsetof(struct mshv_fp_ring_entry, vcpu_id));
	EXPECT_EQ(28, offsetof(struct mshv_fp_ring_entry, rule_id));
	EXPECT_EQ(16, sizeof(struct mshv_fp_ring));
	EXPECT_EQ(16, offsetof(struct mshv_fp_ring, entries));
	EXPECT_EQ(4096, MSHV_FP_RING_SIZE);
}

TEST(stats_struct_layout)
{
	EXPECT_EQ(128, sizeof(struct mshv_fp_stats));
	EXPECT_EQ(16, offsetof(struct mshv_fp_stats, handled));
	EXPECT_EQ(48, offsetof(struct mshv_fp_stats, forwarded));
	EXPECT_EQ(64, offsetof(struct mshv_fp_stats, run_ns));
	EXPECT_EQ(72, offsetof(struct mshv_fp_stats, hv_ns));
}

TEST(ioctl_numbers)
{
	EXPECT_EQ(0x8050B900u, MSHV_FP_GET_VERSION);
	EXPECT_EQ(0x0000B901u, MSHV_FP_CHECK_EXTENSION);
	EXPECT_EQ(0x4038B902u, MSHV_FP_ATTACH_VCPU);
	EXPECT_EQ(0xC050B903u, MSHV_FP_ADD_RULE);
	EXPECT_EQ(0x0000B904u, MSHV_FP_REMOVE_RULE);
	EXPECT_EQ(0x8080B905u, MSHV_FP_GET_STATS);
	EXPECT_EQ(0x0000B906u, MSHV_FP_RUN);
}

TEST(abi_and_capability_numbers)
{
	EXPECT_EQ(0, MSHV_FP_ABI_MAJOR);
	EXPECT_EQ(0, MSHV_FP_CAP_VERSION);
	EXPECT_EQ(1, MSHV_FP_CAP_TRACEPOINTS);
	EXPECT_EQ(2, MSHV_FP_CAP_KVM);
	EXPECT_EQ(3, MSHV_FP_CAP_MSHV);
	EXPECT_EQ(4, MSHV_FP_CAP_RULES);
	EXPECT_EQ(5, MSHV_FP_CAP_RING);
	EXPECT_EQ(1, MSHV_FP_HV_KVM);
	EXPECT_EQ(2, MSHV_FP_HV_MSHV);
	EXPECT_EQ(4, MSHV_FP_NR_ACTIONS);
	EXPECT_EQ(255, MSHV_FP_ACTION_FORWARDED);
}

TEST_HARNESS_MAIN
