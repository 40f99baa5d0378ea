// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk (virtio-blk.c) on a temporary image, driven through the bus
 * as Linux's virtio_blk would: reads, writes, flushes, get-id, read-only
 * images, requests past the end, malformed requests, image checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/virtio_blk.h>

#include "kselftest_harness.h"

#include "virtio-blk.h"
#include "virtqueue.h"
#include "vmm_virtio_driver.h"

#define IMAGE_SIZE	(1024 * 1024 + 100)	/* 2048 sectors and a tail */
#define IMAGE_SECTORS	2048
#define HDR_GPA		(TEST_DATA_GPA + 0x80000)
#define STATUS_GPA	(TEST_DATA_GPA + 0x80100)
#define BIG_DATA_GPA	(TEST_DATA_GPA + TEST_DATA_SIZE)	/* to the end of RAM */
#define W		VRING_DESC_F_WRITE
#define N		VRING_DESC_F_NEXT

static uint8_t image_byte(uint64_t off)
{
	return (off * 7 + off / 512) & 0xff;
}

struct blk_ctx {
	struct test_vm *t;
	struct virtio_blk *blk;
	struct drv_queue q;
	char dir[64];
	char path[128];
	char err[256];
};

/*
 * A fresh directory with an image called @name of @size bytes: patterned
 * up to IMAGE_SIZE, sparse beyond.
 */
static int make_image(struct blk_ctx *c, const char *name, uint64_t size)
{
	static uint8_t buf[IMAGE_SIZE];
	size_t patterned = size < sizeof(buf) ? size : sizeof(buf);
	int fd, ret = 0;

	snprintf(c->dir, sizeof(c->dir), "/tmp/vmm-virtio-blk.XXXXXX");
	if (!mkdtemp(c->dir))
		return -1;
	snprintf(c->path, sizeof(c->path), "%s/%s", c->dir, name);
	for (size_t i = 0; i < patterned; i++)
		buf[i] = image_byte(i);
	fd = open(c->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, buf, patterned) != (ssize_t)patterned || ftruncate(fd, size))
		ret = -1;
	close(fd);
	return ret;
}

static void remove_image(struct blk_ctx *c)
{
	unlink(c->path);
	rmdir(c->dir);
}

static struct virtio_blk *blk_create(struct blk_ctx *c, uint64_t base, bool read_only)
{
	c->err[0] = '\0';
	return virtio_blk_create(&c->t->vm, base, &c->t->irq.line, c->path, read_only, 0,
				 c->err, sizeof(c->err));
}

/* The driver's part: negotiate @features, set up the 16-entry queue, DRIVER_OK. */
static void blk_driver_start(struct __test_metadata *_metadata, struct blk_ctx *c,
			     uint64_t features)
{
	ASSERT_TRUE(drv_negotiate(c->t, features) & VIRTIO_CONFIG_S_FEATURES_OK);
	ASSERT_EQ(1, drv_queue_init(c->t, &c->q, 0, 16));
	drv_driver_ok(c->t);
}

/* A device on a fresh image @name of @size bytes, started with all it offers. */
static void blk_start_image(struct __test_metadata *_metadata, struct blk_ctx *c,
			    const char *name, uint64_t size, bool read_only)
{
	uint64_t want = F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_INDIRECT_DESC) |
			F(VIRTIO_BLK_F_FLUSH) | F(VIRTIO_BLK_F_SEG_MAX);

	memset(c, 0, sizeof(*c));
	ASSERT_EQ(0, make_image(c, name, size));
	c->t = test_vm_create();
	ASSERT_NE(NULL, c->t);
	c->blk = blk_create(c, TEST_BASE, read_only);
	ASSERT_NE(NULL, c->blk) TH_LOG("%s", c->err);
	EXPECT_EQ(2, mmio_read(c->t, VIRTIO_MMIO_DEVICE_ID));
	if (read_only)
		want |= F(VIRTIO_BLK_F_RO);
	EXPECT_EQ(want, drv_device_features(c->t));
	blk_driver_start(_metadata, c, want);
}

static void blk_start(struct __test_metadata *_metadata, struct blk_ctx *c, bool read_only)
{
	blk_start_image(_metadata, c, "disk.img", IMAGE_SIZE, read_only);
}

static void blk_stop(struct blk_ctx *c)
{
	test_vm_drop_rules(c->t);
	virtio_blk_destroy(c->blk);
	test_vm_free(c->t);
	remove_image(c);
}

/*
 * One request as Linux lays it out: header, data (split in two when it is
 * big enough, to cover multi-buffer requests), status. Returns the status
 * byte, 0xee if the device did not write it; *used: the used length.
 */
static uint8_t blk_request(struct blk_ctx *c, uint32_t type, uint64_t sector,
			   uint64_t data, uint32_t len, uint32_t *used)
{
	struct virtio_blk_outhdr *hdr = gpa_ptr(c->t, HDR_GPA);
	uint8_t *status = gpa_ptr(c->t, STATUS_GPA);
	uint16_t dir = type == VIRTIO_BLK_T_OUT ? 0 : W;
	uint16_t n = 0;

	hdr->type = type;
	hdr->ioprio = 0;
	hdr->sector = sector;
	*status = 0xee;
	drv_desc(c->t, c->q.desc, n, HDR_GPA, sizeof(*hdr), N, n + 1);
	n++;
	if (len >= 1024) {
		drv_desc(c->t, c->q.desc, n, data, len / 2, dir | N, n + 1);
		n++;
		drv_desc(c->t, c->q.desc, n, data + len / 2, len - len / 2, dir | N, n + 1);
		n++;
	} else if (len) {
		drv_desc(c->t, c->q.desc, n, data, len, dir | N, n + 1);
		n++;
	}
	drv_desc(c->t, c->q.desc, n, STATUS_GPA, 1, W, 0);
	drv_post(c->t, &c->q, 0);
	drv_notify(c->t, &c->q);
	if (drv_used_idx(c->t, &c->q) != c->q.avail_idx)
		return 0xee;
	*used = drv_used_elem(c->t, &c->q, c->q.avail_idx - 1).len;
	return *status;
}

/* Image bytes [off, off + len) still hold image_byte(). */
static bool file_matches(const char *path, uint64_t off, size_t len)
{
	static uint8_t buf[IMAGE_SIZE];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool ok = fd >= 0 && pread(fd, buf, len, off) == (ssize_t)len;

	for (size_t i = 0; ok && i < len; i++)
		ok = buf[i] == image_byte(off + i);
	if (fd >= 0)
		close(fd);
	return ok;
}

TEST(blk_config_reports_capacity_and_seg_max)
{
	struct blk_ctx c;

	blk_start(_metadata, &c, false);
	EXPECT_EQ(IMAGE_SECTORS, mmio_read(c.t, VIRTIO_MMIO_CONFIG));
	EXPECT_EQ(0, mmio_read(c.t, VIRTIO_MMIO_CONFIG + 4));
	EXPECT_EQ(VIRTQ_MAX_SIZE - 2, mmio_read(c.t, VIRTIO_MMIO_CONFIG + 12));
	blk_stop(&c);
}

TEST(blk_reads_sectors)
{
	struct blk_ctx c;
	uint32_t used = 0;
	const uint8_t *data;
	bool same = true;

	blk_start(_metadata, &c, false);
	EXPECT_EQ(VIRTIO_BLK_S_OK, blk_request(&c, VIRTIO_BLK_T_IN, 2, TEST_DATA_GPA, 1024, &used));
	EXPECT_EQ(1025, used);
	data = gpa_ptr(c.t, TEST_DATA_GPA);
	for (unsigned int i = 0; i < 1024; i++)
		same &= data[i] == image_byte(1024 + i);
	EXPECT_TRUE(same);
	EXPECT_TRUE(canary_intact(c.t, TEST_DATA_GPA + 1024, 0x1000));
	/* The last whole sector; the tail past it is not part of the disk. */
	EXPECT_EQ(VIRTIO_BLK_S_OK, blk_request(&c, VIRTIO_BLK_T_IN, IMAGE_SECTORS - 1,
					       TEST_DATA_GPA + 0x2000, 512, &used));
	EXPECT_EQ(image_byte(IMAGE_SIZE - 100 - 1), data[0x2000 + 511]);
	EXPECT_EQ(2, fake_irq_rises(&c.t->irq));
	EXPECT_FALSE(drv_needs_reset(c.t));
	blk_stop(&c);
}

TEST(blk_writes_reach_the_file)
{
	struct blk_ctx c;
	uint8_t back[1536];
	uint32_t used = 0;
	int fd;

	blk_start(_metadata, &c, false);
	memset(gpa_ptr(c.t, TEST_DATA_GPA), 'W', sizeof(back));
	EXPECT_EQ(VIRTIO_BLK_S_OK, blk_request(&c, VIRTIO_BLK_T_OUT, 5, TEST_DATA_GPA,
					       sizeof(back), &used));
	EXPECT_EQ(1, used);
	EXPECT_EQ(VIRTIO_BLK_S_OK, blk_request(&c, VIRTIO_BLK_T_FLUSH, 0, 0, 0, &used));
	fd = open(c.path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(sizeof(back), pread(fd, back, sizeof(back), 5 * 512));
	close(fd);
	for (unsigned int i = 0; i < sizeof(back); i++)
		ASSERT_EQ('W', back[i]);
	EXPECT_TRUE(file_matches(c.path, 0, 5 * 512));
	EXPECT_TRUE(file_matches(c.path, 8 * 512, IMAGE_SIZE - 8 * 512));
	blk_stop(&c);
}

TEST(blk_get_id_is_the_image_name)
{
	struct blk_ctx c;
	uint32_t used = 0;
	char id[VIRTIO_BLK_ID_BYTES + 1] = "";

	blk_start(_metadata, &c, false);
	EXPECT_EQ(VIRTIO_BLK_S_OK, blk_request(&c, VIRTIO_BLK_T_GET_ID, 0, TEST_DATA_GPA,
					       VIRTIO_BLK_ID_BYTES, &used));
	EXPECT_EQ(VIRTIO_BLK_ID_BYTES + 1, used);
	memcpy(id, gpa_ptr(c.t, TEST_DATA_GPA), VIRTIO_BLK_ID_BYTES);
	EXPECT_STREQ("disk.img", id);
	EXPECT_EQ(0, id[VIRTIO_BLK_ID_BYTES - 1]);
	blk_stop(&c);
}

TEST(blk_get_id_truncates_long_names)
{
	struct blk_ctx c;
	uint32_t used = 0;
	char id[VIRTIO_BLK_ID_BYTES + 1] = "";

	blk_start_image(_metadata, &c, "a-rather-long-image-name.raw", 4096, false);
	EXPECT_EQ(VIRTIO_BLK_S_OK, blk_request(&c, VIRTIO_BLK_T_GET_ID, 0, TEST_DATA_GPA,
					       64, &used));
	EXPECT_EQ(VIRTIO_BLK_ID_BYTES + 1, used);
	memcpy(id, gpa_ptr(c.t, TEST_DATA_GPA), VIRTIO_BLK_ID_BYTES);
	EXPECT_STREQ("a-rather-long-image-", id);
	EXPECT_TRUE(canary_intact(c.t, TEST_DATA_GPA + VIRTIO_BLK_ID_BYTES,
				  64 - VIRTIO_BLK_ID_BYTES));
	blk_stop(&c);
}

TEST(blk_read_only_refuses_writes)
{
	struct blk_ctx c;
	struct virtio_blk *other;
	uint32_t used = 0;

	blk_start(_metadata, &c, true);
	memset(gpa_ptr(c.t, TEST_DATA_GPA), 'W', 512);
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, blk_request(&c, VIRTIO_BLK_T_OUT, 0, TEST_DATA_GPA, 512,
						  &used));
	EXPECT_TRUE(file_matches(c.path, 0, IMAGE_SIZE));
	EXPECT_EQ(VIRTIO_BLK_S_OK, blk_request(&c, VIRTIO_BLK_T_IN, 0, TEST_DATA_GPA, 512,
					       &used));
	EXPECT_EQ(image_byte(1), *(uint8_t *)gpa_ptr(c.t, TEST_DATA_GPA + 1));
	EXPECT_EQ(VIRTIO_BLK_S_OK, blk_request(&c, VIRTIO_BLK_T_FLUSH, 0, 0, 0, &used));

	/* Readers share the image; a writer does not get it. */
	other = blk_create(&c, TEST_BASE + 0x1000, true);
	EXPECT_NE(NULL, other) TH_LOG("%s", c.err);
	EXPECT_EQ(NULL, blk_create(&c, TEST_BASE + 0x2000, false));
	EXPECT_NE(NULL, strstr(c.err, "in use by another VM")) TH_LOG("%s", c.err);
	test_vm_drop_rules(c.t);
	virtio_blk_destroy(other);
	virtio_blk_destroy(c.blk);
	test_vm_free(c.t);
	remove_image(&c);
}

TEST(blk_second_writer_is_refused)
{
	struct blk_ctx c;

	blk_start(_metadata, &c, false);
	EXPECT_EQ(NULL, blk_create(&c, TEST_BASE + 0x1000, false));
	EXPECT_NE(NULL, strstr(c.err, "in use by another VM")) TH_LOG("%s", c.err);
	EXPECT_NE(NULL, strstr(c.err, c.path));
	EXPECT_EQ(NULL, blk_create(&c, TEST_BASE + 0x1000, true));
	EXPECT_NE(NULL, strstr(c.err, "in use by another VM")) TH_LOG("%s", c.err);
	blk_stop(&c);
}

TEST(blk_requests_past_the_end_fail)
{
	struct blk_ctx c;
	uint32_t used = 0;
	struct stat st;

	blk_start(_metadata, &c, false);
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, blk_request(&c, VIRTIO_BLK_T_IN, IMAGE_SECTORS,
						  TEST_DATA_GPA, 512, &used));
	EXPECT_EQ(1, used);
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, blk_request(&c, VIRTIO_BLK_T_IN, IMAGE_SECTORS - 1,
						  TEST_DATA_GPA, 1024, &used));
	/* sector * 512 and sector + count must not wrap around. */
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, blk_request(&c, VIRTIO_BLK_T_IN, 1ULL << 55,
						  TEST_DATA_GPA, 512, &used));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, blk_request(&c, VIRTIO_BLK_T_IN, UINT64_MAX,
						  TEST_DATA_GPA, 512, &used));
	/* Not whole sectors. */
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, blk_request(&c, VIRTIO_BLK_T_IN, 0, TEST_DATA_GPA, 100,
						  &used));
	EXPECT_TRUE(canary_intact(c.t, TEST_DATA_GPA, 0x10000));
	memset(gpa_ptr(c.t, TEST_DATA_GPA), 'W', 1024);
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, blk_request(&c, VIRTIO_BLK_T_OUT, IMAGE_SECTORS - 1,
						  TEST_DATA_GPA, 1024, &used));
	ASSERT_EQ(0, stat(c.path, &st));
	EXPECT_EQ(IMAGE_SIZE, st.st_size);
	EXPECT_TRUE(file_matches(c.path, 0, IMAGE_SIZE));
	EXPECT_FALSE(drv_needs_reset(c.t));
	blk_stop(&c);
}

TEST(blk_unknown_request_is_unsupported)
{
	struct blk_ctx c;
	uint32_t used = 0;

	blk_start(_metadata, &c, false);
	EXPECT_EQ(VIRTIO_BLK_S_UNSUPP, blk_request(&c, VIRTIO_BLK_T_DISCARD, 0, TEST_DATA_GPA,
						   16, &used));
	EXPECT_FALSE(drv_needs_reset(c.t));
	blk_stop(&c);
}

TEST(blk_indirect_request)
{
	struct blk_ctx c;
	uint64_t table = TEST_RING_GPA + 0xc000;
	struct virtio_blk_outhdr *hdr;
	const uint8_t *data;
	bool same = true;

	blk_start(_metadata, &c, false);
	hdr = gpa_ptr(c.t, HDR_GPA);
	*hdr = (struct virtio_blk_outhdr){ .type = VIRTIO_BLK_T_IN, .sector = 7 };
	*(uint8_t *)gpa_ptr(c.t, STATUS_GPA) = 0xee;
	/* Linux's layout with a scatterlist: one indirect table of 2 + segments. */
	drv_desc(c.t, table, 0, HDR_GPA, sizeof(*hdr), N, 1);
	drv_desc(c.t, table, 1, TEST_DATA_GPA, 512, W | N, 2);
	drv_desc(c.t, table, 2, TEST_DATA_GPA + 0x1000, 512, W | N, 3);
	drv_desc(c.t, table, 3, STATUS_GPA, 1, W, 0);
	drv_desc(c.t, c.q.desc, 9, table, 4 * sizeof(struct vring_desc), VRING_DESC_F_INDIRECT, 0);
	drv_post(c.t, &c.q, 9);
	drv_notify(c.t, &c.q);
	ASSERT_EQ(1, drv_used_idx(c.t, &c.q));
	EXPECT_EQ(9, drv_used_elem(c.t, &c.q, 0).id);
	EXPECT_EQ(1025, drv_used_elem(c.t, &c.q, 0).len);
	EXPECT_EQ(VIRTIO_BLK_S_OK, *(uint8_t *)gpa_ptr(c.t, STATUS_GPA));
	data = gpa_ptr(c.t, TEST_DATA_GPA);
	for (unsigned int i = 0; i < 512; i++) {
		same &= data[i] == image_byte(7 * 512 + i);
		same &= data[0x1000 + i] == image_byte(8 * 512 + i);
	}
	EXPECT_TRUE(same);
	blk_stop(&c);
}

TEST(blk_request_without_status_breaks_the_device)
{
	struct blk_ctx c;
	struct virtio_blk_outhdr *hdr;

	blk_start(_metadata, &c, false);
	hdr = gpa_ptr(c.t, HDR_GPA);
	*hdr = (struct virtio_blk_outhdr){ .type = VIRTIO_BLK_T_IN };
	drv_desc(c.t, c.q.desc, 0, HDR_GPA, sizeof(*hdr), N, 1);
	drv_desc(c.t, c.q.desc, 1, TEST_DATA_GPA, 512, 0, 0);
	drv_post(c.t, &c.q, 0);
	drv_notify(c.t, &c.q);
	EXPECT_TRUE(drv_needs_reset(c.t));
	EXPECT_EQ(0, drv_used_idx(c.t, &c.q));
	blk_stop(&c);
}

TEST(blk_short_header_breaks_the_device)
{
	struct blk_ctx c;

	blk_start(_metadata, &c, false);
	drv_desc(c.t, c.q.desc, 0, HDR_GPA, 8, N, 1);
	drv_desc(c.t, c.q.desc, 1, STATUS_GPA, 1, W, 0);
	drv_post(c.t, &c.q, 0);
	drv_notify(c.t, &c.q);
	EXPECT_TRUE(drv_needs_reset(c.t));
	EXPECT_EQ(0xc3, *(uint8_t *)gpa_ptr(c.t, STATUS_GPA));
	/* Reset, start again: served. */
	mmio_write(c.t, VIRTIO_MMIO_STATUS, 0);
	blk_driver_start(_metadata, &c, F(VIRTIO_F_VERSION_1));
	EXPECT_FALSE(drv_needs_reset(c.t));
	blk_stop(&c);
}

/*
 * A read whose length the 32-bit used length cannot count: refused before
 * any I/O. The same buffer again and again, in one indirect table.
 */
TEST(blk_read_longer_than_its_used_length_fails)
{
	const unsigned int nr_data = VIRTQ_MAX_SIZE - 2;
	const uint32_t data_len = 17 << 20;	/* nr_data of them pass 4 GiB */
	uint64_t table = TEST_RING_GPA + 0xc000;
	struct virtio_blk_outhdr *hdr;
	unsigned int n = 0;
	struct blk_ctx c;

	blk_start_image(_metadata, &c, "big.img", 8ULL << 30, false);
	ASSERT_LT(BIG_DATA_GPA + data_len, TEST_RAM_SIZE);
	hdr = gpa_ptr(c.t, HDR_GPA);
	*hdr = (struct virtio_blk_outhdr){ .type = VIRTIO_BLK_T_IN };
	*(uint8_t *)gpa_ptr(c.t, STATUS_GPA) = 0xee;
	memset(gpa_ptr(c.t, BIG_DATA_GPA), TEST_CANARY, 0x10000);
	drv_desc(c.t, table, n, HDR_GPA, sizeof(*hdr), N, n + 1);
	for (n++; n <= nr_data; n++)
		drv_desc(c.t, table, n, BIG_DATA_GPA, data_len, W | N, n + 1);
	drv_desc(c.t, table, n, STATUS_GPA, 1, W, 0);
	drv_desc(c.t, c.q.desc, 0, table, (n + 1) * sizeof(struct vring_desc),
		 VRING_DESC_F_INDIRECT, 0);
	drv_post(c.t, &c.q, 0);
	drv_notify(c.t, &c.q);
	ASSERT_EQ(1, drv_used_idx(c.t, &c.q));
	EXPECT_EQ(1, drv_used_elem(c.t, &c.q, 0).len);
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, *(uint8_t *)gpa_ptr(c.t, STATUS_GPA));
	EXPECT_TRUE(canary_intact(c.t, BIG_DATA_GPA, 0x10000));
	EXPECT_FALSE(drv_needs_reset(c.t));
	blk_stop(&c);
}

/* Images that cannot be disks: a clear error each. */
static void expect_refused(struct __test_metadata *_metadata, const char *path,
			   const char *why)
{
	struct test_vm *t = test_vm_create();
	char err[256] = "";

	ASSERT_NE(NULL, t);
	EXPECT_EQ(NULL, virtio_blk_create(&t->vm, TEST_BASE, &t->irq.line, path, false, 0,
					  err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, why)) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, path)) TH_LOG("%s", err);
	EXPECT_EQ(0, t->vm.bus.nr[BUS_MMIO]);
	test_vm_drop_rules(t);
	test_vm_free(t);
}

TEST(blk_refuses_unusable_images)
{
	struct blk_ctx c;

	memset(&c, 0, sizeof(c));
	expect_refused(_metadata, "/nonexistent/disk.img", "No such file");
	expect_refused(_metadata, "/dev/null", "not a regular file or block device");
	expect_refused(_metadata, "/tmp", "Is a directory");
	ASSERT_EQ(0, make_image(&c, "empty.img", 0));
	expect_refused(_metadata, c.path, "empty");
	remove_image(&c);
	ASSERT_EQ(0, make_image(&c, "tiny.img", 511));
	expect_refused(_metadata, c.path, "empty");
	remove_image(&c);
}

TEST_HARNESS_MAIN
