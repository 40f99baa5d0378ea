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

TEST(ioctl_numbers)
{
	EXPECT_EQ(0x8050B900u, MSHV_FP_GET_VERSION);
	EXPECT_EQ(0x0000B901u, MSHV_FP_CHECK_EXTENSION);
}

TEST(abi_and_capability_numbers)
{
	EXPECT_EQ(0, MSHV_FP_ABI_MAJOR);
	EXPECT_EQ(0, MSHV_FP_CAP_VERSION);
	EXPECT_EQ(1, MSHV_FP_CAP_TRACEPOINTS);
}

TEST_HARNESS_MAIN
