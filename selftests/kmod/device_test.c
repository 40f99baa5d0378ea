// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mshv_fastpath with the module loaded: the node, sysfs, the version and
 * capability ioctls, unknown and malformed ioctls, many processes opening
 * and closing at once, sysfs, and the ioctl tracepoint.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/mshv_fastpath.h>

#include "kselftest_harness.h"
#include "fastpath_util.h"

#define TRACEFS "/sys/kernel/tracing"

static int open_device(struct __test_metadata *_metadata)
{
	int fd = open(FP_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		SKIP(return -1, FP_DEV " missing: mshv_fastpath is not loaded");
	ASSERT_LE(0, fd) TH_LOG("open " FP_DEV ": %s", strerror(errno));
	return fd;
}

TEST(node_is_misc_char_device)
{
	char dev[32];
	unsigned int major_nr, minor_nr;
	struct stat st;

	if (stat(FP_DEV, &st))
		SKIP(return, FP_DEV " missing: mshv_fastpath is not loaded");
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0660, st.st_mode & 0777);
	ASSERT_EQ(0, read_line("/sys/class/misc/" MSHV_FP_DEVICE_NAME "/dev",
			       dev, sizeof(dev)));
	ASSERT_EQ(2, sscanf(dev, "%u:%u", &major_nr, &minor_nr));
	EXPECT_EQ(10, major_nr);	/* MISC_MAJOR */
	EXPECT_EQ(major_nr, major(st.st_rdev));
	EXPECT_EQ(minor_nr, minor(st.st_rdev));
}

TEST(get_version)
{
	struct mshv_fp_version v;
	char sysfs_version[64], module_version[64];
	int fd = open_device(_metadata);

	memset(&v, 0xa5, sizeof(v));
	ASSERT_EQ(0, ioctl(fd, MSHV_FP_GET_VERSION, &v));
	EXPECT_EQ(MSHV_FP_ABI_MAJOR, v.abi_major);
	EXPECT_EQ(MSHV_FP_ABI_MINOR, v.abi_minor);
	EXPECT_EQ(3, v.abi_minor);	/* 0.3: mshv_fp_attach.register_page */
	EXPECT_EQ(0, v.reserved0);
	for (size_t i = 0; i < sizeof(v.reserved) / sizeof(v.reserved[0]); i++)
		EXPECT_EQ(0, v.reserved[i]);
	EXPECT_TRUE(v.capabilities & (1ULL << MSHV_FP_CAP_VERSION));
	EXPECT_TRUE(v.capabilities & (1ULL << MSHV_FP_CAP_TRACEPOINTS));
	EXPECT_TRUE(v.capabilities & (1ULL << MSHV_FP_CAP_KVM));
	EXPECT_TRUE(v.capabilities & (1ULL << MSHV_FP_CAP_MSHV));
	EXPECT_TRUE(v.capabilities & (1ULL << MSHV_FP_CAP_RULES));
	EXPECT_TRUE(v.capabilities & (1ULL << MSHV_FP_CAP_RING));
	EXPECT_EQ(0, v.capabilities >> (MSHV_FP_CAP_RING + 1));	/* nothing unknown */
	ASSERT_NE(NULL, memchr(v.module_version, '\0', sizeof(v.module_version)));

	/* One version everywhere: ioctl, our sysfs and the module's own. */
	ASSERT_EQ(0, read_line(FP_SYSFS "/version", sysfs_version,
			       sizeof(sysfs_version)));
	ASSERT_EQ(0, read_line("/sys/module/mshv_fastpath/version",
			       module_version, sizeof(module_version)));
	EXPECT_STREQ(v.module_version, sysfs_version);
	EXPECT_STREQ(v.module_version, module_version);
	close(fd);
}

TEST(check_extension)
{
	int fd = open_device(_metadata);

	EXPECT_EQ(1, ioctl(fd, MSHV_FP_CHECK_EXTENSION, MSHV_FP_CAP_VERSION));
	EXPECT_EQ(1, ioctl(fd, MSHV_FP_CHECK_EXTENSION, MSHV_FP_CAP_TRACEPOINTS));
	EXPECT_EQ(1, ioctl(fd, MSHV_FP_CHECK_EXTENSION, MSHV_FP_CAP_KVM));
	EXPECT_EQ(1, ioctl(fd, MSHV_FP_CHECK_EXTENSION, MSHV_FP_CAP_MSHV));
	EXPECT_EQ(1, ioctl(fd, MSHV_FP_CHECK_EXTENSION, MSHV_FP_CAP_RULES));
	EXPECT_EQ(1, ioctl(fd, MSHV_FP_CHECK_EXTENSION, MSHV_FP_CAP_RING));
	EXPECT_EQ(0, ioctl(fd, MSHV_FP_CHECK_EXTENSION, MSHV_FP_CAP_RING + 1));
	EXPECT_EQ(0, ioctl(fd, MSHV_FP_CHECK_EXTENSION, 63UL));
	EXPECT_EQ(0, ioctl(fd, MSHV_FP_CHECK_EXTENSION, 64UL));
	EXPECT_EQ(0, ioctl(fd, MSHV_FP_CHECK_EXTENSION, ~0UL));
	close(fd);
}

TEST(unknown_ioctls_give_enotty)
{
	const unsigned long cmds[] = {
		_IO(MSHV_FP_IOCTL_MAGIC, 0x7f),		/* unused number */
		MSHV_FP_RUN,				/* a vCPU ioctl, on the VM fd */
		_IOR(MSHV_FP_IOCTL_MAGIC, 0x00, __u32),	/* right nr, wrong size */
		_IOW(MSHV_FP_IOCTL_MAGIC, 0x00, struct mshv_fp_version),
		_IO(MSHV_FP_IOCTL_MAGIC, 0x00),
		0xAE00,					/* KVM_GET_API_VERSION */
		0,
		~0UL,
	};
	int fd = open_device(_metadata);

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, cmds[i], 0));
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd 0x%lx", cmds[i]);
	}
	close(fd);
}

TEST(bad_pointers_give_efault)
{
	void *const ptrs[] = {
		NULL, (void *)1, (void *)0xffff888000000000ULL, (void *)-1L,
	};
	int fd = open_device(_metadata);

	for (size_t i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, MSHV_FP_GET_VERSION, ptrs[i]));
		EXPECT_EQ(EFAULT, errno) TH_LOG("pointer %p", ptrs[i]);
	}
	close(fd);
}

#define NR_PROCS	32
#define OPENS_PER_PROC	200

/* Many processes open, query and close at once; nothing is left behind. */
TEST(open_close_from_many_processes)
{
	long vms_before, objects_before;
	pid_t pids[NR_PROCS];
	int fd = open_device(_metadata);

	close(fd);
	vms_before = read_long(FP_SYSFS "/vms");
	objects_before = slab_active_objects(FP_SLAB_CACHE);
	ASSERT_LE(0, vms_before);
	ASSERT_LE(0, objects_before) TH_LOG("no " FP_SLAB_CACHE
		" in /proc/slabinfo: boot with slab_nomerge");

	for (int p = 0; p < NR_PROCS; p++) {
		pids[p] = fork();
		ASSERT_LE(0, pids[p]);
		if (pids[p])
			continue;
		for (int i = 0; i < OPENS_PER_PROC; i++) {
			struct mshv_fp_version v;
			int cfd = open(FP_DEV, O_RDWR);

			if (cfd < 0 || ioctl(cfd, MSHV_FP_GET_VERSION, &v))
				_exit(1);
			/* Every 16th file is left for exit() to close. */
			if (i % 16)
				close(cfd);
		}
		_exit(0);
	}
	for (int p = 0; p < NR_PROCS; p++) {
		int status;

		ASSERT_EQ(pids[p], waitpid(pids[p], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	EXPECT_EQ(vms_before, read_long(FP_SYSFS "/vms"));
	EXPECT_EQ(objects_before, slab_active_objects(FP_SLAB_CACHE));
}

TEST(vms_counts_open_files)
{
	long before;
	int fd1, fd2, fd3;

	fd1 = open_device(_metadata);
	before = read_long(FP_SYSFS "/vms");
	ASSERT_LE(1, before);
	fd2 = open(FP_DEV, O_RDWR);
	fd3 = dup(fd2);		/* same file description: one VM */
	ASSERT_LE(0, fd3);
	EXPECT_EQ(before + 1, read_long(FP_SYSFS "/vms"));
	close(fd2);
	EXPECT_EQ(before + 1, read_long(FP_SYSFS "/vms"));
	close(fd3);
	EXPECT_EQ(before, read_long(FP_SYSFS "/vms"));
	close(fd1);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* The ioctl tracepoint: its format, and an event per ioctl with the result. */
TEST(ioctl_tracepoint)
{
	const char *event = TRACEFS "/events/mshv_fastpath/ioctl";
	char path[256], buf[8192], expect[64];
	const unsigned int cmd = _IO(MSHV_FP_IOCTL_MAGIC, 0x7e);
	ssize_t n;
	int fd, tfd;

	fd = open_device(_metadata);
	if (!path_exists(TRACEFS "/events"))
		SKIP(return, "tracefs is not mounted at " TRACEFS);

	snprintf(path, sizeof(path), "%s/format", event);
	tfd = open(path, O_RDONLY);
	ASSERT_LE(0, tfd) TH_LOG("%s: %s", path, strerror(errno));
	n = read(tfd, buf, sizeof(buf) - 1);
	close(tfd);
	ASSERT_LT(0, n);
	buf[n] = '\0';
	EXPECT_NE(NULL, strstr(buf, "field:unsigned int cmd;\toffset:8;\tsize:4;"));
	EXPECT_NE(NULL, strstr(buf, "field:long ret;\toffset:16;\tsize:8;"));

	ASSERT_EQ(0, write_file(TRACEFS "/trace", ""));
	snprintf(path, sizeof(path), "%s/enable", event);
	ASSERT_EQ(0, write_file(path, "1"));
	EXPECT_EQ(-1, ioctl(fd, cmd, 0));
	ASSERT_EQ(0, write_file(path, "0"));

	tfd = open(TRACEFS "/trace", O_RDONLY);
	ASSERT_LE(0, tfd);
	n = read(tfd, buf, sizeof(buf) - 1);
	close(tfd);
	ASSERT_LT(0, n);
	buf[n] = '\0';
	snprintf(expect, sizeof(expect), "ioctl: cmd=0x%08x ret=%d", cmd, -ENOTTY);
	EXPECT_NE(NULL, strstr(buf, expect)) TH_LOG("no '%s' in trace:\n%s", expect, buf);
	close(fd);
}

TEST_HARNESS_MAIN
