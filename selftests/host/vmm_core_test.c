// SPDX-License-Identifier: GPL-2.0
/* The VMM's bus dispatch and fast-path rule placement (bus.c, rules.c). */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"

#include "bus.h"
#include "rules.h"

struct fake_dev {
	uint64_t last_offset;
	uint8_t last_data[8];
	unsigned int accesses;
};

static void fake_handler(void *opaque, uint64_t offset, uint8_t *data, unsigned int len,
			 bool is_write)
{
	struct fake_dev *d = opaque;

	d->last_offset = offset;
	d->accesses++;
	if (is_write)
		memcpy(d->last_data, data, len);
	else
		memset(data, 0x42, len);
}

TEST(bus_dispatches_to_the_right_device)
{
	static struct bus bus;
	struct fake_dev a = { 0 }, b = { 0 };
	uint8_t data[4] = { 1, 2, 3, 4 };

	ASSERT_EQ(0, bus_register(&bus, BUS_PIO, 0x3f8, 8, fake_handler, &a, "a"));
	ASSERT_EQ(0, bus_register(&bus, BUS_MMIO, 0xd0000000, 0x1000, fake_handler, &b, "b"));
	EXPECT_EQ(-EEXIST, bus_register(&bus, BUS_PIO, 0x3fc, 8, fake_handler, &b, "overlap"));
	EXPECT_EQ(-EINVAL, bus_register(&bus, BUS_PIO, UINT64_MAX, 2, fake_handler, &b, "wrap"));

	EXPECT_TRUE(bus_access(&bus, BUS_PIO, 0x3fd, data, 1, true));
	EXPECT_EQ(5, a.last_offset);
	EXPECT_EQ(1, a.last_data[0]);
	EXPECT_TRUE(bus_access(&bus, BUS_MMIO, 0xd0000050, data, 4, false));
	EXPECT_EQ(0x50, b.last_offset);
	EXPECT_EQ(0x42, data[3]);
	/* Straddling the end of a device, or nobody's: all-ones, counted. */
	EXPECT_FALSE(bus_access(&bus, BUS_MMIO, 0xd0000ffe, data, 4, false));
	EXPECT_EQ(0xff, data[0]);
	EXPECT_FALSE(bus_access(&bus, BUS_PIO, 0x80, data, 1, true));
	EXPECT_EQ(1, bus.unclaimed[BUS_MMIO]);
	EXPECT_EQ(1, bus.unclaimed[BUS_PIO]);
	EXPECT_EQ(1, b.accesses);
}

/* A placer whose "hypervisor" takes doorbells only and whose "module" takes the rest. */
struct fake_placer {
	unsigned int placed[RULE_NR_LAYERS], unplaced, drains;
	bool module_present;
};

static int fake_place(void *ctx, struct rule *rule, enum rule_layer layer)
{
	struct fake_placer *p = ctx;

	if (layer == RULE_IN_HYPERVISOR && rule->kind != RULE_DOORBELL)
		return -EOPNOTSUPP;
	if (layer == RULE_IN_MODULE && !p->module_present)
		return -ENODEV;
	p->placed[layer]++;
	return 0;
}

static void fake_unplace(void *ctx, struct rule *rule)
{
	(void)rule;
	((struct fake_placer *)ctx)->unplaced++;
}

static void fake_drain(void *ctx)
{
	((struct fake_placer *)ctx)->drains++;
}

static void setup_rules(struct rules *rules, struct fake_placer *p)
{
	rules_init(rules);
	rules->placer = (struct rules_placer){
		.place = fake_place, .unplace = fake_unplace, .drain = fake_drain, .ctx = p,
	};
}

TEST(rules_land_at_the_cheapest_layer)
{
	struct fake_placer p = { .module_present = true };
	struct rules rules;
	struct rule bell = { .name = "bell", .kind = RULE_DOORBELL, .space = BUS_MMIO,
			     .addr = 0xd0000050, .len = 4, .has_datamatch = true };
	struct rule lsr = { .name = "lsr", .kind = RULE_FIXED_READ, .space = BUS_PIO,
			    .addr = 0x3fd, .len = 1, .value = 0x60 };

	setup_rules(&rules, &p);
	ASSERT_EQ(0, rules_add(&rules, &bell));
	ASSERT_EQ(0, rules_add(&rules, &lsr));
	EXPECT_EQ(RULE_IN_HYPERVISOR, bell.layer);
	EXPECT_EQ(RULE_IN_MODULE, lsr.layer);

	/* Off: out of the kernel, so the device answers; on: back in. */
	rules_set_enabled(&rules, &lsr, false);
	EXPECT_EQ(RULE_IN_USERSPACE, lsr.layer);
	EXPECT_EQ(1, p.unplaced);
	rules_set_enabled(&rules, &lsr, false);
	EXPECT_EQ(1, p.unplaced);
	rules_set_enabled(&rules, &lsr, true);
	EXPECT_EQ(RULE_IN_MODULE, lsr.layer);
	EXPECT_EQ(2, p.placed[RULE_IN_MODULE]);

	rules_drain(&rules);
	EXPECT_EQ(1, p.drains);
	rules_destroy(&rules);
	EXPECT_EQ(3, p.unplaced);
}

TEST(rules_fall_back_to_userspace)
{
	struct fake_placer p = { .module_present = false };
	struct rules rules;
	struct rule lsr = { .name = "lsr", .kind = RULE_FIXED_READ, .space = BUS_PIO,
			    .addr = 0x3fd, .len = 1 };
	struct rule bell = { .name = "bell", .kind = RULE_DOORBELL, .space = BUS_PIO,
			     .addr = 0x100, .len = 2 };
	struct rule bad = { .name = "bad", .kind = RULE_NR_KINDS, .len = 1 };

	setup_rules(&rules, &p);
	ASSERT_EQ(0, rules_add(&rules, &lsr));
	EXPECT_EQ(RULE_IN_USERSPACE, lsr.layer);
	EXPECT_EQ(-EINVAL, rules_add(&rules, &bad));
	bad.kind = RULE_DOORBELL;
	bad.len = 0;
	EXPECT_EQ(-EINVAL, rules_add(&rules, &bad));
	/* --no-fastpath: nothing goes to the kernel at all. */
	rules.userspace_only = true;
	ASSERT_EQ(0, rules_add(&rules, &bell));
	EXPECT_EQ(RULE_IN_USERSPACE, bell.layer);
	EXPECT_EQ(0, p.placed[RULE_IN_HYPERVISOR]);
	rules_destroy(&rules);
}

TEST(userspace_hits_are_counted_per_rule)
{
	struct rules rules;
	struct rule q0 = { .name = "q0", .kind = RULE_DOORBELL, .space = BUS_MMIO,
			   .addr = 0x1050, .len = 4, .has_datamatch = true, .datamatch = 0 };
	struct rule q1 = q0;
	struct rule lsr = { .name = "lsr", .kind = RULE_FIXED_READ, .space = BUS_PIO,
			    .addr = 0x3fd, .len = 1 };
	uint8_t one[4] = { 1 }, zero[4] = { 0 };

	q1.name = "q1";
	q1.datamatch = 1;
	rules_init(&rules);
	ASSERT_EQ(0, rules_add(&rules, &q0));
	ASSERT_EQ(0, rules_add(&rules, &q1));
	ASSERT_EQ(0, rules_add(&rules, &lsr));
	rules_count_userspace(&rules, BUS_MMIO, 0x1050, one, 4, true);
	rules_count_userspace(&rules, BUS_MMIO, 0x1050, one, 4, true);
	rules_count_userspace(&rules, BUS_MMIO, 0x1050, zero, 4, true);
	rules_count_userspace(&rules, BUS_MMIO, 0x1050, zero, 4, false); /* a read: none */
	rules_count_userspace(&rules, BUS_PIO, 0x3fd, zero, 1, false);
	rules_count_userspace(&rules, BUS_PIO, 0x3fd, zero, 1, true);	/* write: none */
	EXPECT_EQ(1, q0.userspace_hits);
	EXPECT_EQ(2, q1.userspace_hits);
	EXPECT_EQ(1, lsr.userspace_hits);
	rules_destroy(&rules);
}

TEST_HARNESS_MAIN
