// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-mmio transport and split virtqueues (virtio-mmio.c,
 * virtqueue.c), virtio-rng and virtio-console, driven through the bus as
 * a guest driver would. Most tests play a malicious guest: the device
 * must end up broken (DEVICE_NEEDS_RESET), write nothing, and work again
 * after a reset.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "iothread.h"
#include "virtio-console.h"
#include "virtio-mmio.h"
#include "virtio-rng.h"
#include "vmm_test_util.h"
#include "vmm_virtio_driver.h"

#define TEST_DEVICE_ID	0x7e
#define TEST_FILL	0x5a

/* A device that fills every writable byte with TEST_FILL and counts chains. */
struct test_dev {
	struct test_vm *t;
	struct virtio_mmio_dev *mmio;
	unsigned int chains;
	uint64_t out_bytes;
	struct virtq_chain chain;
};

static void test_config_read(void *dev, uint32_t offset, uint8_t *data, unsigned int len)
{
	static const uint8_t config[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	(void)dev;
	memcpy(data, config + offset, len);
}

static int test_queue_notify(void *dev, unsigned int index, struct virtqueue *vq)
{
	struct test_dev *d = dev;
	int ret;

	(void)index;
	while ((ret = virtq_pop(vq, &d->chain)) > 0) {
		struct iovec *in = virtq_chain_in(&d->chain);

		d->chains++;
		d->out_bytes += d->chain.out_len;
		for (unsigned int i = 0; i < d->chain.nr_in; i++)
			memset(in[i].iov_base, TEST_FILL, in[i].iov_len);
		virtq_push(vq, &d->chain, d->chain.in_len);
	}
	return ret;
}

static const struct virtio_device_ops test_ops = {
	.device_id = TEST_DEVICE_ID,
	.nr_queues = 2,
	.config_size = 8,
	.config_read = test_config_read,
	.queue_notify = test_queue_notify,
};

static struct test_dev *test_dev_create(void)
{
	struct test_dev *d = calloc(1, sizeof(*d));
	char err[128];

	if (!d)
		return NULL;
	d->t = test_vm_create();
	if (d->t)
		d->mmio = virtio_mmio_create(&d->t->vm, TEST_BASE, &d->t->irq.line, &test_ops,
					     0, d, "virtio-test0", err, sizeof(err));
	if (!d->mmio) {
		if (d->t)
			test_vm_free(d->t);
		free(d);
		return NULL;
	}
	return d;
}

static void test_dev_destroy(struct test_dev *d)
{
	test_vm_drop_rules(d->t);
	virtio_mmio_destroy(d->mmio);
	test_vm_free(d->t);
	free(d);
}

#define ALL_FEATURES	(F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_INDIRECT_DESC))

/* Negotiate @features, set up queue 0 with 8 entries, DRIVER_OK. */
static void drv_start(struct __test_metadata *_metadata, struct test_vm *t,
		      struct drv_queue *q, uint64_t features)
{
	ASSERT_TRUE(drv_negotiate(t, features) & VIRTIO_CONFIG_S_FEATURES_OK);
	ASSERT_EQ(1, drv_queue_init(t, q, 0, 8));
	drv_driver_ok(t);
	ASSERT_FALSE(drv_needs_reset(t));
}

/* A test device its driver has started (drv_start()). */
static struct test_dev *started_dev(struct __test_metadata *_metadata,
				    struct drv_queue *q, uint64_t features)
{
	struct test_dev *d = test_dev_create();

	ASSERT_NE(NULL, d);
	drv_start(_metadata, d->t, q, features);
	return d;
}

/* A chain with one writable 64-byte buffer at TEST_DATA_GPA + @off. */
static void post_good_request(struct test_vm *t, struct drv_queue *q, uint64_t off)
{
	drv_desc(t, q->desc, 0, TEST_DATA_GPA + off, 64, VRING_DESC_F_WRITE, 0);
	drv_post(t, q, 0);
	drv_notify(t, q);
}

/*
 * After the guest posted something malicious to queue 0 and notified:
 * the device is broken, told the driver so, used nothing and wrote
 * nothing; after a reset and a fresh start it serves requests again.
 */
static void expect_broken_then_recovers(struct __test_metadata *_metadata,
					struct test_dev *d, struct drv_queue *q)
{
	struct test_vm *t = d->t;

	EXPECT_TRUE(drv_needs_reset(t));
	/* Broken after DRIVER_OK: the driver hears of it (spec 2.1.2). */
	EXPECT_TRUE(mmio_read(t, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	EXPECT_EQ(1, fake_irq_rises(&t->irq));
	EXPECT_EQ(0, drv_used_idx(t, q));
	EXPECT_EQ(0, d->chains);
	EXPECT_TRUE(canary_intact(t, TEST_DATA_GPA, TEST_DATA_SIZE));

	/* Broken stays broken: a good request is not served, Linux's status write-back keeps it. */
	post_good_request(t, q, 0);
	EXPECT_EQ(0, d->chains);
	mmio_write(t, VIRTIO_MMIO_STATUS, mmio_read(t, VIRTIO_MMIO_STATUS));
	EXPECT_TRUE(drv_needs_reset(t));

	mmio_write(t, VIRTIO_MMIO_STATUS, 0);
	EXPECT_EQ(0, mmio_read(t, VIRTIO_MMIO_STATUS));
	EXPECT_EQ(0, mmio_read(t, VIRTIO_MMIO_INTERRUPT_STATUS));
	mmio_write(t, VIRTIO_MMIO_QUEUE_SEL, 0);
	EXPECT_EQ(0, mmio_read(t, VIRTIO_MMIO_QUEUE_READY));
	drv_start(_metadata, t, q, ALL_FEATURES);
	post_good_request(t, q, 0x100);
	EXPECT_EQ(1, d->chains);
	EXPECT_EQ(1, drv_used_idx(t, q));
	EXPECT_EQ(64, drv_used_elem(t, q, 0).len);
	EXPECT_FALSE(drv_needs_reset(t));
}

TEST(transport_identifies_itself)
{
	struct test_dev *d = test_dev_create();
	struct test_vm *t;
	uint64_t features;

	ASSERT_NE(NULL, d);
	t = d->t;
	EXPECT_EQ(0x74726976, mmio_read(t, VIRTIO_MMIO_MAGIC_VALUE));
	EXPECT_EQ(2, mmio_read(t, VIRTIO_MMIO_VERSION));
	EXPECT_EQ(TEST_DEVICE_ID, mmio_read(t, VIRTIO_MMIO_DEVICE_ID));
	EXPECT_EQ(VIRTIO_MMIO_VENDOR, mmio_read(t, VIRTIO_MMIO_VENDOR_ID));
	features = drv_device_features(t);
	EXPECT_EQ(ALL_FEATURES, features);
	mmio_write(t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	EXPECT_EQ(0, mmio_read(t, VIRTIO_MMIO_DEVICE_FEATURES));
	mmio_write(t, VIRTIO_MMIO_QUEUE_SEL, 1);
	EXPECT_EQ(VIRTQ_MAX_SIZE, mmio_read(t, VIRTIO_MMIO_QUEUE_NUM_MAX));
	mmio_write(t, VIRTIO_MMIO_QUEUE_SEL, 2);
	EXPECT_EQ(0, mmio_read(t, VIRTIO_MMIO_QUEUE_NUM_MAX));
	EXPECT_EQ(0, mmio_read(t, VIRTIO_MMIO_QUEUE_READY));
	EXPECT_EQ(0, mmio_read(t, VIRTIO_MMIO_CONFIG_GENERATION));
	test_dev_destroy(d);
}

TEST(doorbell_rules_one_per_queue)
{
	struct test_dev *d = test_dev_create();
	unsigned int seen = 0;

	ASSERT_NE(NULL, d);
	for (struct rule *r = d->t->vm.rules.head; r; r = r->next) {
		EXPECT_EQ(RULE_DOORBELL, r->kind);
		EXPECT_EQ(BUS_MMIO, r->space);
		EXPECT_EQ(TEST_BASE + VIRTIO_MMIO_QUEUE_NOTIFY, r->addr);
		EXPECT_EQ(4, r->len);
		EXPECT_TRUE(r->has_datamatch);
		EXPECT_LE(0, r->eventfd);
		EXPECT_EQ(RULE_IN_USERSPACE, r->layer);
		EXPECT_EQ(0, strcmp(r->datamatch ? "virtio-test0 notify q1" :
				    "virtio-test0 notify q0", r->name));
		seen |= 1u << r->datamatch;
	}
	EXPECT_EQ(3, seen);
	test_dev_destroy(d);
}

TEST(odd_register_accesses_are_ignored_and_counted)
{
	struct test_dev *d = test_dev_create();
	struct test_vm *t;
	uint8_t data[8];

	ASSERT_NE(NULL, d);
	t = d->t;
	mmio_write(t, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	/* A byte write, an unaligned word, a 64-bit access: all refused. */
	data[0] = 0xff;
	bus_access(&t->vm.bus, BUS_MMIO, TEST_BASE + VIRTIO_MMIO_STATUS, data, 1, true);
	memset(data, 0xff, sizeof(data));
	bus_access(&t->vm.bus, BUS_MMIO, TEST_BASE + VIRTIO_MMIO_STATUS + 1, data, 4, true);
	bus_access(&t->vm.bus, BUS_MMIO, TEST_BASE + VIRTIO_MMIO_STATUS, data, 8, true);
	bus_access(&t->vm.bus, BUS_MMIO, TEST_BASE + VIRTIO_MMIO_MAGIC_VALUE, data, 2, false);
	EXPECT_EQ(0, data[0]);
	EXPECT_EQ(0, data[1]);
	EXPECT_EQ(VIRTIO_CONFIG_S_ACKNOWLEDGE, mmio_read(t, VIRTIO_MMIO_STATUS));
	/* Unknown register, notify of a queue that does not exist. */
	mmio_write(t, 0x0c0, 1);
	mmio_write(t, VIRTIO_MMIO_QUEUE_NOTIFY, 7);
	EXPECT_EQ(6, virtio_mmio_bad_accesses(d->mmio));
	EXPECT_FALSE(drv_needs_reset(t));
	test_dev_destroy(d);
}

TEST(config_space_is_bounded)
{
	struct test_dev *d = test_dev_create();
	struct test_vm *t;
	uint8_t data[8];

	ASSERT_NE(NULL, d);
	t = d->t;
	EXPECT_EQ(0x04030201, mmio_read(t, VIRTIO_MMIO_CONFIG));
	EXPECT_EQ(0x08070605, mmio_read(t, VIRTIO_MMIO_CONFIG + 4));
	ASSERT_TRUE(bus_access(&t->vm.bus, BUS_MMIO, TEST_BASE + VIRTIO_MMIO_CONFIG + 7,
			       data, 1, false));
	EXPECT_EQ(8, data[0]);
	/* Straddling the end of the config space, or past it: zeros, counted. */
	memset(data, 0xff, sizeof(data));
	bus_access(&t->vm.bus, BUS_MMIO, TEST_BASE + VIRTIO_MMIO_CONFIG + 6, data, 4, false);
	EXPECT_EQ(0, data[0]);
	EXPECT_EQ(0, mmio_read(t, 0xffc));
	mmio_write(t, VIRTIO_MMIO_CONFIG, 0);
	EXPECT_EQ(3, virtio_mmio_bad_accesses(d->mmio));
	EXPECT_EQ(0x04030201, mmio_read(t, VIRTIO_MMIO_CONFIG));
	test_dev_destroy(d);
}

TEST(features_ok_needs_version_1_and_offered_bits)
{
	struct test_dev *d = test_dev_create();
	struct test_vm *t;

	ASSERT_NE(NULL, d);
	t = d->t;
	EXPECT_FALSE(drv_negotiate(t, F(VIRTIO_RING_F_INDIRECT_DESC)) &
		     VIRTIO_CONFIG_S_FEATURES_OK);
	EXPECT_FALSE(drv_negotiate(t, F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_EVENT_IDX)) &
		     VIRTIO_CONFIG_S_FEATURES_OK);
	EXPECT_TRUE(drv_negotiate(t, F(VIRTIO_F_VERSION_1)) & VIRTIO_CONFIG_S_FEATURES_OK);
	test_dev_destroy(d);
}

TEST(request_is_served_with_interrupt_and_nothing_else_written)
{
	struct drv_queue q;
	struct test_dev *d = started_dev(_metadata, &q, ALL_FEATURES);
	struct test_vm *t = d->t;

	/* A readable 16 bytes, then writable 64 split in two. */
	drv_desc(t, q.desc, 0, TEST_DATA_GPA, 16, VRING_DESC_F_NEXT, 5);
	drv_desc(t, q.desc, 5, TEST_DATA_GPA + 0x200, 40, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
	drv_desc(t, q.desc, 2, TEST_DATA_GPA + 0x300, 24, VRING_DESC_F_WRITE, 0);
	drv_post(t, &q, 0);
	drv_notify(t, &q);

	EXPECT_EQ(1, d->chains);
	EXPECT_EQ(16, d->out_bytes);
	EXPECT_EQ(1, drv_used_idx(t, &q));
	EXPECT_EQ(0, drv_used_elem(t, &q, 0).id);
	EXPECT_EQ(64, drv_used_elem(t, &q, 0).len);
	EXPECT_EQ(TEST_FILL, *(uint8_t *)gpa_ptr(t, TEST_DATA_GPA + 0x200 + 39));
	EXPECT_EQ(TEST_FILL, *(uint8_t *)gpa_ptr(t, TEST_DATA_GPA + 0x300));
	EXPECT_TRUE(canary_intact(t, TEST_DATA_GPA, 0x200));
	EXPECT_TRUE(canary_intact(t, TEST_DATA_GPA + 0x200 + 40, 0x300 - 0x200 - 40));
	EXPECT_TRUE(canary_intact(t, TEST_DATA_GPA + 0x300 + 24, TEST_DATA_SIZE - 0x300 - 24));
	EXPECT_EQ(1, fake_irq_rises(&t->irq));
	EXPECT_EQ(VIRTIO_MMIO_INT_VRING, mmio_read(t, VIRTIO_MMIO_INTERRUPT_STATUS));
	mmio_write(t, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	EXPECT_EQ(0, mmio_read(t, VIRTIO_MMIO_INTERRUPT_STATUS));

	/* The ring wraps: 20 more requests through an 8-entry queue. */
	for (unsigned int i = 0; i < 20; i++)
		post_good_request(t, &q, 0x1000);
	EXPECT_EQ(21, drv_used_idx(t, &q));
	EXPECT_EQ(21, d->chains);
	EXPECT_FALSE(drv_needs_reset(t));
	test_dev_destroy(d);
}

TEST(indirect_table_is_followed)
{
	uint64_t table = TEST_DATA_GPA + 0x8000;
	struct drv_queue q;
	struct test_dev *d = started_dev(_metadata, &q, ALL_FEATURES);
	struct test_vm *t = d->t;

	drv_desc(t, table, 0, TEST_DATA_GPA, 32, VRING_DESC_F_NEXT, 1);
	drv_desc(t, table, 1, TEST_DATA_GPA + 0x100, 48, VRING_DESC_F_WRITE, 0);
	drv_desc(t, q.desc, 3, table, 2 * sizeof(struct vring_desc), VRING_DESC_F_INDIRECT, 0);
	drv_post(t, &q, 3);
	drv_notify(t, &q);
	EXPECT_EQ(1, d->chains);
	EXPECT_EQ(32, d->out_bytes);
	EXPECT_EQ(3, drv_used_elem(t, &q, 0).id);
	EXPECT_EQ(48, drv_used_elem(t, &q, 0).len);
	EXPECT_FALSE(drv_needs_reset(t));
	test_dev_destroy(d);
}

TEST(no_interrupt_when_the_driver_suppresses_them)
{
	struct drv_queue q;
	struct test_dev *d = started_dev(_metadata, &q, ALL_FEATURES);
	struct test_vm *t = d->t;

	((struct vring_avail *)gpa_ptr(t, q.avail))->flags = VRING_AVAIL_F_NO_INTERRUPT;
	post_good_request(t, &q, 0);
	EXPECT_EQ(1, drv_used_idx(t, &q));
	EXPECT_EQ(0, fake_irq_rises(&t->irq));
	EXPECT_EQ(0, mmio_read(t, VIRTIO_MMIO_INTERRUPT_STATUS));
	test_dev_destroy(d);
}

TEST(buffers_wait_for_driver_ok)
{
	struct test_dev *d = test_dev_create();
	struct drv_queue q;
	struct test_vm *t;

	ASSERT_NE(NULL, d);
	t = d->t;
	ASSERT_TRUE(drv_negotiate(t, ALL_FEATURES) & VIRTIO_CONFIG_S_FEATURES_OK);
	ASSERT_EQ(1, drv_queue_init(t, &q, 0, 8));
	post_good_request(t, &q, 0);
	EXPECT_EQ(0, d->chains);
	EXPECT_TRUE(canary_intact(t, TEST_DATA_GPA, TEST_DATA_SIZE));
	drv_driver_ok(t);
	EXPECT_EQ(1, d->chains);
	EXPECT_EQ(1, drv_used_idx(t, &q));
	test_dev_destroy(d);
}

TEST(queue_registers_frozen_while_ready)
{
	struct drv_queue q;
	struct test_dev *d = started_dev(_metadata, &q, ALL_FEATURES);
	struct test_vm *t = d->t;

	mmio_write(t, VIRTIO_MMIO_QUEUE_SEL, 0);
	mmio_write(t, VIRTIO_MMIO_QUEUE_DESC_LOW, 0xfff000);
	mmio_write(t, VIRTIO_MMIO_QUEUE_NUM, 3);
	post_good_request(t, &q, 0);
	EXPECT_EQ(1, drv_used_idx(t, &q));
	/* QueueReady 0 stops the queue (Linux's del_vq reads it back). */
	mmio_write(t, VIRTIO_MMIO_QUEUE_READY, 0);
	EXPECT_EQ(0, mmio_read(t, VIRTIO_MMIO_QUEUE_READY));
	post_good_request(t, &q, 0);
	EXPECT_EQ(1, drv_used_idx(t, &q));
	EXPECT_FALSE(drv_needs_reset(t));
	test_dev_destroy(d);
}

/* Malicious descriptor chains: one TEST each, same checks. */
#define BAD_CHAIN_TEST(name, features)						\
	static void name##_post(struct test_vm *t, struct drv_queue *q);	\
	TEST(name)								\
	{									\
		struct drv_queue q;						\
		struct test_dev *d = started_dev(_metadata, &q, features);	\
										\
		name##_post(d->t, &q);						\
		drv_notify(d->t, &q);						\
		expect_broken_then_recovers(_metadata, d, &q);			\
		test_dev_destroy(d);						\
	}									\
	static void name##_post(struct test_vm *t, struct drv_queue *q)

#define W	VRING_DESC_F_WRITE
#define N	VRING_DESC_F_NEXT
#define I	VRING_DESC_F_INDIRECT

BAD_CHAIN_TEST(bad_descriptor_loop, ALL_FEATURES)
{
	drv_desc(t, q->desc, 0, TEST_DATA_GPA, 16, W | N, 1);
	drv_desc(t, q->desc, 1, TEST_DATA_GPA + 16, 16, W | N, 0);
	drv_post(t, q, 0);
}

BAD_CHAIN_TEST(bad_next_index, ALL_FEATURES)
{
	drv_desc(t, q->desc, 0, TEST_DATA_GPA, 16, W | N, 8);
	drv_post(t, q, 0);
}

BAD_CHAIN_TEST(bad_head_index, ALL_FEATURES)
{
	drv_desc(t, q->desc, 0, TEST_DATA_GPA, 16, W, 0);
	drv_post(t, q, 8);
}

BAD_CHAIN_TEST(bad_address_straddles_end_of_ram, ALL_FEATURES)
{
	drv_desc(t, q->desc, 0, TEST_DATA_GPA, 16, W | N, 1);
	drv_desc(t, q->desc, 1, TEST_RAM_SIZE - 16, 32, W, 0);
	drv_post(t, q, 0);
}

BAD_CHAIN_TEST(bad_address_is_mmio, ALL_FEATURES)
{
	drv_desc(t, q->desc, 0, MACHINE_IOAPIC_ADDR, 16, W, 0);
	drv_post(t, q, 0);
}

BAD_CHAIN_TEST(bad_address_plus_length_overflows, ALL_FEATURES)
{
	drv_desc(t, q->desc, 0, UINT64_MAX - 15, 32, W, 0);
	drv_post(t, q, 0);
}

BAD_CHAIN_TEST(bad_zero_length, ALL_FEATURES)
{
	drv_desc(t, q->desc, 0, TEST_DATA_GPA, 16, W | N, 1);
	drv_desc(t, q->desc, 1, TEST_DATA_GPA + 16, 0, W, 0);
	drv_post(t, q, 0);
}

BAD_CHAIN_TEST(bad_huge_length, ALL_FEATURES)
{
	drv_desc(t, q->desc, 0, TEST_DATA_GPA, UINT32_MAX, W, 0);
	drv_post(t, q, 0);
}

BAD_CHAIN_TEST(bad_readable_after_writable, ALL_FEATURES)
{
	drv_desc(t, q->desc, 0, TEST_DATA_GPA, 16, W | N, 1);
	drv_desc(t, q->desc, 1, TEST_DATA_GPA + 16, 16, 0, 0);
	drv_post(t, q, 0);
}

BAD_CHAIN_TEST(bad_avail_index_jump, ALL_FEATURES)
{
	struct vring_avail *avail = gpa_ptr(t, q->avail);

	for (unsigned int i = 0; i < 8; i++) {
		drv_desc(t, q->desc, i, TEST_DATA_GPA + 64 * i, 64, W, 0);
		avail->ring[i] = i;
	}
	__atomic_store_n(&avail->idx, 9, __ATOMIC_RELEASE);
}

#define TABLE	(TEST_RING_GPA + 0xc000)	/* indirect tables: outside the canary area */

BAD_CHAIN_TEST(bad_indirect_length_not_multiple_of_16, ALL_FEATURES)
{
	drv_desc(t, TABLE, 0, TEST_DATA_GPA, 16, W, 0);
	drv_desc(t, q->desc, 0, TABLE, 24, I, 0);
	drv_post(t, q, 0);
}

BAD_CHAIN_TEST(bad_indirect_zero_length, ALL_FEATURES)
{
	drv_desc(t, q->desc, 0, TABLE, 0, I, 0);
	drv_post(t, q, 0);
}

BAD_CHAIN_TEST(bad_indirect_too_long, ALL_FEATURES)
{
	drv_desc(t, q->desc, 0, TABLE, (VIRTQ_MAX_SIZE + 1) * sizeof(struct vring_desc), I, 0);
	drv_post(t, q, 0);
}

BAD_CHAIN_TEST(bad_indirect_outside_ram, ALL_FEATURES)
{
	drv_desc(t, q->desc, 0, TEST_RAM_SIZE - 16, 32, I, 0);
	drv_post(t, q, 0);
}

BAD_CHAIN_TEST(bad_indirect_nested, ALL_FEATURES)
{
	drv_desc(t, TABLE, 0, TEST_DATA_GPA, 16, W | N, 1);
	drv_desc(t, TABLE, 1, TABLE + 0x100, 16, I, 0);
	drv_desc(t, TABLE + 0x100, 0, TEST_DATA_GPA + 16, 16, W, 0);
	drv_desc(t, q->desc, 0, TABLE, 32, I, 0);
	drv_post(t, q, 0);
}

BAD_CHAIN_TEST(bad_indirect_loop, ALL_FEATURES)
{
	drv_desc(t, TABLE, 0, TEST_DATA_GPA, 16, W | N, 1);
	drv_desc(t, TABLE, 1, TEST_DATA_GPA + 16, 16, W | N, 0);
	drv_desc(t, q->desc, 0, TABLE, 32, I, 0);
	drv_post(t, q, 0);
}

BAD_CHAIN_TEST(bad_indirect_next_out_of_table, ALL_FEATURES)
{
	drv_desc(t, TABLE, 0, TEST_DATA_GPA, 16, W | N, 2);
	drv_desc(t, TABLE, 1, TEST_DATA_GPA + 16, 16, W, 0);
	drv_desc(t, q->desc, 0, TABLE, 32, I, 0);
	drv_post(t, q, 0);
}

BAD_CHAIN_TEST(bad_indirect_with_next, ALL_FEATURES)
{
	drv_desc(t, TABLE, 0, TEST_DATA_GPA, 16, W, 0);
	drv_desc(t, q->desc, 0, TABLE, 16, I | N, 1);
	drv_desc(t, q->desc, 1, TEST_DATA_GPA + 16, 16, W, 0);
	drv_post(t, q, 0);
}

BAD_CHAIN_TEST(bad_indirect_not_negotiated, F(VIRTIO_F_VERSION_1))
{
	drv_desc(t, TABLE, 0, TEST_DATA_GPA, 16, W, 0);
	drv_desc(t, q->desc, 0, TABLE, 16, I, 0);
	drv_post(t, q, 0);
}

/*
 * Bad queue setups: refused at QueueReady. Broken before DRIVER_OK, so no
 * interrupt yet; processing stays off once the driver sets DRIVER_OK.
 */
static void expect_queue_refused(struct __test_metadata *_metadata, struct test_dev *d,
				 struct drv_queue *q)
{
	struct test_vm *t = d->t;

	ASSERT_TRUE(drv_negotiate(t, ALL_FEATURES) & VIRTIO_CONFIG_S_FEATURES_OK);
	memset(gpa_ptr(t, TEST_RING_GPA), 0, 0x10000);
	EXPECT_EQ(0, drv_queue_program(t, q));
	EXPECT_TRUE(drv_needs_reset(t));
	EXPECT_EQ(0, fake_irq_rises(&t->irq));
	drv_driver_ok(t);
	EXPECT_TRUE(drv_needs_reset(t));

	/* The rings where a good driver has them: nothing is served there either. */
	drv_queue_layout(q, 0, 8);
	post_good_request(t, q, 0);
	EXPECT_EQ(0, drv_used_idx(t, q));
	EXPECT_EQ(0, d->chains);
	EXPECT_TRUE(canary_intact(t, TEST_DATA_GPA, TEST_DATA_SIZE));

	mmio_write(t, VIRTIO_MMIO_STATUS, 0);
	EXPECT_FALSE(drv_needs_reset(t));
	drv_start(_metadata, t, q, ALL_FEATURES);
	post_good_request(t, q, 0x100);
	EXPECT_EQ(1, d->chains);
	EXPECT_EQ(1, drv_used_idx(t, q));
}

/* A good queue layout spoilt one way: one TEST each, same checks. */
#define BAD_QUEUE_TEST(name)							\
	static void name##_spoil(struct drv_queue *q);				\
	TEST(name)								\
	{									\
		struct test_dev *d = test_dev_create();				\
		struct drv_queue q;						\
										\
		ASSERT_NE(NULL, d);						\
		drv_queue_layout(&q, 0, 8);					\
		name##_spoil(&q);						\
		expect_queue_refused(_metadata, d, &q);				\
		test_dev_destroy(d);						\
	}									\
	static void name##_spoil(struct drv_queue *q)

BAD_QUEUE_TEST(bad_queue_size_not_power_of_two)
{
	q->size = 6;
}

BAD_QUEUE_TEST(bad_queue_size_above_max)
{
	q->size = 2 * VIRTQ_MAX_SIZE;
}

BAD_QUEUE_TEST(bad_queue_size_zero)
{
	q->size = 0;
}

BAD_QUEUE_TEST(bad_descriptor_ring_outside_ram)
{
	q->desc = TEST_RAM_SIZE - 64;
}

BAD_QUEUE_TEST(bad_used_ring_wraps_address_space)
{
	q->used = UINT64_MAX - 63;
}

BAD_QUEUE_TEST(bad_avail_ring_misaligned)
{
	q->avail += 1;
}

/* The loop guard must not refuse what is legal: a chain of every descriptor. */
TEST(longest_direct_chain_is_accepted)
{
	struct drv_queue q;
	struct test_dev *d = started_dev(_metadata, &q, ALL_FEATURES);
	struct test_vm *t = d->t;

	/* The longest legal direct chain: all 8 descriptors. */
	for (unsigned int i = 0; i < 8; i++)
		drv_desc(t, q.desc, i, TEST_DATA_GPA + 16 * i, 16, W | (i < 7 ? N : 0), i + 1);
	drv_post(t, &q, 0);
	drv_notify(t, &q);
	EXPECT_EQ(1, d->chains);
	EXPECT_EQ(128, drv_used_elem(t, &q, 0).len);
	EXPECT_FALSE(drv_needs_reset(t));
	test_dev_destroy(d);
}

/* virtio-rng */

static struct virtio_rng *rng_start(struct __test_metadata *_metadata, struct test_vm *t,
				    struct drv_queue *q)
{
	char err[128] = "";
	struct virtio_rng *rng = virtio_rng_create(&t->vm, TEST_BASE, &t->irq.line, err,
						   sizeof(err));

	EXPECT_STREQ("", err);
	if (!rng)
		return NULL;
	EXPECT_EQ(4, mmio_read(t, VIRTIO_MMIO_DEVICE_ID));
	drv_start(_metadata, t, q, F(VIRTIO_F_VERSION_1));
	return rng;
}

TEST(rng_returns_random_bytes)
{
	struct test_vm *t = test_vm_create();
	struct virtio_rng *rng;
	struct drv_queue q;
	const uint8_t *buf;
	unsigned int canaries = 0;

	ASSERT_NE(NULL, t);
	rng = rng_start(_metadata, t, &q);
	ASSERT_NE(NULL, rng);
	post_good_request(t, &q, 0);
	EXPECT_EQ(1, drv_used_idx(t, &q));
	EXPECT_EQ(64, drv_used_elem(t, &q, 0).len);
	buf = gpa_ptr(t, TEST_DATA_GPA);
	for (unsigned int i = 0; i < 64; i++)
		canaries += buf[i] == TEST_CANARY;
	EXPECT_GT(8, canaries);	/* random bytes, not left alone */
	EXPECT_TRUE(canary_intact(t, TEST_DATA_GPA + 64, TEST_DATA_SIZE - 64));
	EXPECT_EQ(1, fake_irq_rises(&t->irq));

	/* A big request gets at most VIRTIO_RNG_MAX_REQUEST bytes. */
	drv_desc(t, q.desc, 1, TEST_DATA_GPA + 0x1000, 3 * VIRTIO_RNG_MAX_REQUEST, W, 0);
	drv_post(t, &q, 1);
	drv_notify(t, &q);
	EXPECT_EQ(2, drv_used_idx(t, &q));
	EXPECT_EQ(VIRTIO_RNG_MAX_REQUEST, drv_used_elem(t, &q, 1).len);
	EXPECT_TRUE(canary_intact(t, TEST_DATA_GPA + 0x1000 + VIRTIO_RNG_MAX_REQUEST,
				  2 * VIRTIO_RNG_MAX_REQUEST));

	/* A request with nothing to write into is a driver bug. */
	drv_desc(t, q.desc, 2, TEST_DATA_GPA + 0x100, 16, 0, 0);
	drv_post(t, &q, 2);
	drv_notify(t, &q);
	EXPECT_TRUE(drv_needs_reset(t));
	test_vm_drop_rules(t);
	virtio_rng_destroy(rng);
	test_vm_free(t);
}

/* The doorbell path of a real VM: eventfd, I/O thread. */
static bool wait_used(struct test_vm *t, struct drv_queue *q, uint16_t idx)
{
	for (int i = 0; i < 2000; i++) {
		if (drv_used_idx(t, q) == idx)
			return true;
		usleep(1000);
	}
	return false;
}

TEST(rng_through_the_io_thread)
{
	struct test_vm *t = test_vm_create();
	struct virtio_rng *rng;
	struct drv_queue q;
	struct rule *rule;
	uint64_t one = 1;

	ASSERT_NE(NULL, t);
	t->vm.io = iothread_create();
	ASSERT_NE(NULL, t->vm.io);
	ASSERT_EQ(0, iothread_start(t->vm.io));
	rng = rng_start(_metadata, t, &q);
	ASSERT_NE(NULL, rng);

	/* The rule stayed in userspace: QueueNotify reaches the bus handler. */
	post_good_request(t, &q, 0);
	EXPECT_TRUE(wait_used(t, &q, 1));
	/* Placed in the hypervisor, the doorbell signals the eventfd itself. */
	rule = t->vm.rules.head;
	ASSERT_NE(NULL, rule);
	EXPECT_STREQ("virtio-rng notify q0", rule->name);
	drv_desc(t, q.desc, 0, TEST_DATA_GPA, 64, W, 0);
	drv_post(t, &q, 0);
	ASSERT_EQ(sizeof(one), write(rule->eventfd, &one, sizeof(one)));
	EXPECT_TRUE(wait_used(t, &q, 2));
	EXPECT_EQ(2, fake_irq_rises(&t->irq));

	iothread_stop(t->vm.io);
	test_vm_drop_rules(t);
	virtio_rng_destroy(rng);
	iothread_destroy(t->vm.io);
	test_vm_free(t);
}

/* virtio-console */

struct console_ctx {
	struct test_vm *t;
	struct virtio_console *con;
	struct drv_queue rx, tx;
	int pipe[2];
};

static void console_start(struct __test_metadata *_metadata, struct console_ctx *c)
{
	char err[128] = "";

	c->t = test_vm_create();
	ASSERT_NE(NULL, c->t);
	ASSERT_EQ(0, pipe2(c->pipe, O_CLOEXEC | O_NONBLOCK));
	c->con = virtio_console_create(&c->t->vm, TEST_BASE, &c->t->irq.line, c->pipe[1],
				       err, sizeof(err));
	ASSERT_NE(NULL, c->con);
	EXPECT_EQ(3, mmio_read(c->t, VIRTIO_MMIO_DEVICE_ID));
	EXPECT_EQ(F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_INDIRECT_DESC),
		  drv_device_features(c->t));
	ASSERT_TRUE(drv_negotiate(c->t, F(VIRTIO_F_VERSION_1)) & VIRTIO_CONFIG_S_FEATURES_OK);
	ASSERT_EQ(1, drv_queue_init(c->t, &c->rx, 0, 8));
	ASSERT_EQ(1, drv_queue_init(c->t, &c->tx, 1, 8));
}

static void console_stop(struct console_ctx *c)
{
	test_vm_drop_rules(c->t);
	virtio_console_destroy(c->con);
	test_vm_free(c->t);
	close(c->pipe[0]);
	close(c->pipe[1]);
}

TEST(console_output_reaches_the_fd)
{
	struct console_ctx c;
	char out[64] = "";

	console_start(_metadata, &c);
	drv_driver_ok(c.t);
	memcpy(gpa_ptr(c.t, TEST_DATA_GPA), "hello, ", 7);
	memcpy(gpa_ptr(c.t, TEST_DATA_GPA + 0x100), "world\n", 6);
	drv_desc(c.t, c.tx.desc, 0, TEST_DATA_GPA, 7, N, 1);
	drv_desc(c.t, c.tx.desc, 1, TEST_DATA_GPA + 0x100, 6, 0, 0);
	drv_post(c.t, &c.tx, 0);
	drv_notify(c.t, &c.tx);
	EXPECT_EQ(1, drv_used_idx(c.t, &c.tx));
	EXPECT_EQ(0, drv_used_elem(c.t, &c.tx, 0).len);
	EXPECT_EQ(13, read(c.pipe[0], out, sizeof(out)));
	EXPECT_STREQ("hello, world\n", out);
	console_stop(&c);
}

/* A reader that stalls for good holds the I/O thread only until the VM stops. */
TEST(console_stalled_output_gives_up_when_the_vm_stops)
{
	struct console_ctx c;
	struct delayed_stop stop;
	char out[4096];
	ssize_t n;
	bool lost = true;

	console_start(_metadata, &c);
	drv_driver_ok(c.t);
	ASSERT_TRUE(fill_pipe(c.pipe[1]));
	memcpy(gpa_ptr(c.t, TEST_DATA_GPA), "late", 4);
	drv_desc(c.t, c.tx.desc, 0, TEST_DATA_GPA, 4, 0, 0);
	drv_post(c.t, &c.tx, 0);
	ASSERT_TRUE(delayed_stop_start(&stop, &c.t->vm, 100));
	drv_notify(c.t, &c.tx);
	delayed_stop_join(&stop);
	/* The buffer goes back all the same: the driver is not left waiting. */
	EXPECT_EQ(1, drv_used_idx(c.t, &c.tx));
	EXPECT_FALSE(drv_needs_reset(c.t));
	while ((n = read(c.pipe[0], out, sizeof(out))) > 0)
		lost &= !memmem(out, n, "late", 4);
	EXPECT_TRUE(lost);
	console_stop(&c);
}

TEST(console_input_waits_for_buffers)
{
	struct console_ctx c;
	uint8_t big[2 * VIRTIO_CONSOLE_INPUT_MAX];

	console_start(_metadata, &c);
	/* Typed before the driver is ready: kept, delivered in pieces. */
	virtio_console_receive(c.con, (const uint8_t *)"abcdefghij", 10);
	drv_desc(c.t, c.rx.desc, 0, TEST_DATA_GPA, 4, W, 0);
	drv_post(c.t, &c.rx, 0);
	drv_notify(c.t, &c.rx);
	EXPECT_EQ(0, drv_used_idx(c.t, &c.rx));
	drv_driver_ok(c.t);
	ASSERT_EQ(1, drv_used_idx(c.t, &c.rx));
	EXPECT_EQ(4, drv_used_elem(c.t, &c.rx, 0).len);
	EXPECT_EQ(0, memcmp(gpa_ptr(c.t, TEST_DATA_GPA), "abcd", 4));
	EXPECT_TRUE(canary_intact(c.t, TEST_DATA_GPA + 4, 0x1000));

	drv_desc(c.t, c.rx.desc, 1, TEST_DATA_GPA + 0x100, 64, W, 0);
	drv_post(c.t, &c.rx, 1);
	drv_notify(c.t, &c.rx);
	ASSERT_EQ(2, drv_used_idx(c.t, &c.rx));
	EXPECT_EQ(6, drv_used_elem(c.t, &c.rx, 1).len);
	EXPECT_EQ(0, memcmp(gpa_ptr(c.t, TEST_DATA_GPA + 0x100), "efghij", 6));
	EXPECT_TRUE(canary_intact(c.t, TEST_DATA_GPA + 0x106, 64 - 6));

	/* A posted buffer is filled as soon as input arrives. */
	drv_desc(c.t, c.rx.desc, 2, TEST_DATA_GPA + 0x200, 64, W, 0);
	drv_post(c.t, &c.rx, 2);
	drv_notify(c.t, &c.rx);
	EXPECT_EQ(2, drv_used_idx(c.t, &c.rx));
	virtio_console_receive(c.con, (const uint8_t *)"xy", 2);
	ASSERT_EQ(3, drv_used_idx(c.t, &c.rx));
	EXPECT_EQ(2, drv_used_elem(c.t, &c.rx, 2).len);

	/* Input is bounded while the guest does not read. */
	memset(big, 'z', sizeof(big));
	virtio_console_receive(c.con, big, sizeof(big));
	for (unsigned int i = 0; i < 3; i++) {
		drv_desc(c.t, c.rx.desc, 3, TEST_DATA_GPA + 0x1000, 4096, W, 0);
		drv_post(c.t, &c.rx, 3);
		drv_notify(c.t, &c.rx);
	}
	EXPECT_EQ(4, drv_used_idx(c.t, &c.rx));
	EXPECT_EQ(VIRTIO_CONSOLE_INPUT_MAX, drv_used_elem(c.t, &c.rx, 3).len);
	EXPECT_FALSE(drv_needs_reset(c.t));
	console_stop(&c);
}

TEST_HARNESS_MAIN
