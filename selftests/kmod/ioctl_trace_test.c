// SPDX-License-Identifier: GPL-2.0
/*
 * The module's tracepoints as the BPF tools see them: a libbpf skeleton
 * attached to mshv_fastpath:ioctl counts exactly the ioctls this process
 * makes, with their results.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/mshv_fastpath.h>

#include "kselftest_harness.h"
#include "fastpath_util.h"
#include "ioctl_trace.skel.h"

#define NR_VERSION_CALLS	1000
#define NR_UNKNOWN_CALLS	10

TEST(bpf_counts_every_ioctl)
{
	const unsigned int unknown = _IO(MSHV_FP_IOCTL_MAGIC, 0x7d);
	struct ioctl_trace_bpf *skel;
	struct mshv_fp_version v;
	int fd;

	fd = open(FP_DEV, O_RDWR);
	if (fd < 0)
		SKIP(return, FP_DEV ": %s (module not loaded)", strerror(errno));

	skel = ioctl_trace_bpf__open();
	ASSERT_NE(NULL, skel);
	skel->rodata->target_tgid = getpid();
	ASSERT_EQ(0, ioctl_trace_bpf__load(skel));
	ASSERT_EQ(0, ioctl_trace_bpf__attach(skel)) TH_LOG("attach: %s", strerror(errno));

	for (int i = 0; i < NR_VERSION_CALLS; i++)
		ASSERT_EQ(0, ioctl(fd, MSHV_FP_GET_VERSION, &v));
	for (int i = 0; i < NR_UNKNOWN_CALLS; i++)
		ASSERT_EQ(-1, ioctl(fd, unknown, 0));

	EXPECT_EQ(NR_VERSION_CALLS + NR_UNKNOWN_CALLS, skel->bss->nr_ioctls);
	EXPECT_EQ(NR_UNKNOWN_CALLS, skel->bss->nr_enotty);
	EXPECT_EQ(unknown, skel->bss->last_cmd);

	ioctl_trace_bpf__destroy(skel);
	close(fd);
}

TEST_HARNESS_MAIN
