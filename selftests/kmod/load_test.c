// SPDX-License-Identifier: GPL-2.0
/*
 * Loading and unloading mshv_fastpath: the node and sysfs appear and go,
 * an open file keeps the module in, 50 load/unload cycles leak nothing.
 *
 * Needs the module's path in MSHV_FP_MODULE (set by the test VM runner) and
 * CAP_SYS_MODULE. Every test leaves the module loaded, as it found it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/mshv_fastpath.h>

#include "kselftest_harness.h"
#include "fastpath_util.h"

#define MODULE_NAME	"mshv_fastpath"
#define LOAD_CYCLES	50

static int load_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

static int unload_module(void)
{
	return syscall(SYS_delete_module, MODULE_NAME, O_NONBLOCK);
}

static int module_loaded(void)
{
	return path_exists("/sys/module/" MODULE_NAME);
}

/*
 * The module's path, with the module loaded; NULL (test skipped) when the
 * test cannot run. A helper rather than a fixture: the 6.1 harness runs the
 * test body even when FIXTURE_SETUP skips.
 */
static const char *loaded_module_path(struct __test_metadata *_metadata)
{
	const char *path = getenv("MSHV_FP_MODULE");

	if (!path || !*path)
		SKIP(return NULL, "MSHV_FP_MODULE (path of mshv_fastpath.ko) is not set");
	if (!path_exists(path))
		SKIP(return NULL, "no module file %s", path);
	if (!module_loaded() && load_module(path)) {
		TH_LOG("load %s: %s", path, strerror(errno));
		_metadata->passed = 0;
		return NULL;
	}
	return path;
}

/* Leave the module loaded, as the test found it. */
static void reload(const char *path)
{
	if (!module_loaded())
		load_module(path);
}

TEST(unload_removes_node_and_sysfs)
{
	const char *path = loaded_module_path(_metadata);

	if (!path)
		return;
	ASSERT_TRUE(path_exists(FP_DEV));
	ASSERT_EQ(0, unload_module()) TH_LOG("unload: %s", strerror(errno));
	EXPECT_FALSE(module_loaded());
	EXPECT_FALSE(path_exists(FP_DEV));
	EXPECT_FALSE(path_exists(FP_SYSFS));
	EXPECT_EQ(-1, slab_active_objects(FP_SLAB_CACHE));

	ASSERT_EQ(0, load_module(path)) TH_LOG("load: %s", strerror(errno));
	EXPECT_TRUE(path_exists(FP_DEV));
	EXPECT_TRUE(path_exists(FP_SYSFS "/version"));
	EXPECT_EQ(0, read_long(FP_SYSFS "/vms"));
}

TEST(load_twice_gives_eexist)
{
	const char *path = loaded_module_path(_metadata);

	if (!path)
		return;
	errno = 0;
	EXPECT_EQ(-1, load_module(path));
	EXPECT_EQ(EEXIST, errno);
}

TEST(open_file_keeps_module_loaded)
{
	const char *path = loaded_module_path(_metadata);
	int fd;

	if (!path)
		return;
	fd = open(FP_DEV, O_RDWR);
	ASSERT_LE(0, fd);
	errno = 0;
	EXPECT_EQ(-1, unload_module());
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY) TH_LOG("errno %d", errno);
	EXPECT_TRUE(module_loaded());
	EXPECT_EQ(1, ioctl(fd, MSHV_FP_CHECK_EXTENSION, MSHV_FP_CAP_VERSION));
	close(fd);
	EXPECT_EQ(0, unload_module());
	reload(path);
}

/* Each cycle opens files; the VM cache must be empty and then gone. */
TEST(load_unload_cycles_leak_nothing)
{
	const char *path = loaded_module_path(_metadata);

	if (!path)
		return;
	for (int cycle = 0; cycle < LOAD_CYCLES; cycle++) {
		int fds[8];

		if (!module_loaded())
			ASSERT_EQ(0, load_module(path))
				TH_LOG("cycle %d: load: %s", cycle, strerror(errno));
		for (int i = 0; i < 8; i++) {
			fds[i] = open(FP_DEV, O_RDWR);
			ASSERT_LE(0, fds[i]) TH_LOG("cycle %d: open: %s", cycle, strerror(errno));
		}
		ASSERT_EQ(8, slab_active_objects(FP_SLAB_CACHE))
			TH_LOG("cycle %d (exact counts need slub_debug=FZPU,mshv_fp_*)", cycle);
		for (int i = 0; i < 8; i++)
			close(fds[i]);
		ASSERT_EQ(0, slab_active_objects(FP_SLAB_CACHE)) TH_LOG("cycle %d", cycle);
		ASSERT_EQ(0, unload_module()) TH_LOG("cycle %d: unload: %s", cycle, strerror(errno));
		ASSERT_EQ(-1, slab_active_objects(FP_SLAB_CACHE)) TH_LOG("cycle %d", cycle);
	}
	reload(path);
}

TEST_HARNESS_MAIN
