// SPDX-License-Identifier: GPL-2.0
/*
 * The VMM's small legacy devices: the i8042 (Linux's probe, the keyboard,
 * the reset line), the CMOS RTC against the host's clock, the ACPI sleep
 * and reset registers, and port 0x80.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kselftest_harness.h"

#include "acpi-pm.h"
#include "i8042.h"
#include "machine.h"
#include "port80.h"
#include "rtc.h"
#include "vmm.h"
#include "vmm_test_util.h"

/* A VM with the legacy devices, as mshv-vmm run sets them up. */
struct bench {
	struct vm vm;
	struct fake_irq irq;	/* the i8042's */
	struct i8042 *kbc;
	struct rtc *rtc;
	struct acpi_pm *pm;
};

static void bench_destroy(struct bench *b)
{
	/* The rules first: port 0x80's lives in the device. */
	rules_destroy(&b->vm.rules);
	port80_destroy(&b->vm);
	acpi_pm_destroy(b->pm);
	rtc_destroy(b->rtc);
	i8042_destroy(b->kbc);
	free(b);
}

static struct bench *bench_create(void)
{
	struct bench *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	vm_init(&b->vm);
	fake_irq_init(&b->irq, MACHINE_I8042_IRQ);
	b->kbc = i8042_create(&b->vm, &b->irq.line);
	b->rtc = rtc_create(&b->vm);
	b->pm = acpi_pm_create(&b->vm);
	if (!b->kbc || !b->rtc || !b->pm || port80_create(&b->vm)) {
		bench_destroy(b);
		return NULL;
	}
	return b;
}

static void outb(struct bench *b, uint16_t port, uint8_t val)
{
	bus_access(&b->vm.bus, BUS_PIO, port, &val, 1, true);
}

static uint8_t inb(struct bench *b, uint16_t port)
{
	uint8_t val = 0;

	bus_access(&b->vm.bus, BUS_PIO, port, &val, 1, false);
	return val;
}

/* i8042 */

#define KBC_DATA	0x60
#define KBC_CMD		0x64
#define KBC_OBF		0x01
#define KBC_AUXDATA	0x20

/* A controller command and its reply, as Linux's i8042_command() does it. */
static int kbc_command(struct bench *b, uint8_t cmd)
{
	outb(b, KBC_CMD, cmd);
	if (!(inb(b, KBC_CMD) & KBC_OBF))
		return -1;
	return inb(b, KBC_DATA);
}

TEST(i8042_linux_probe)
{
	struct bench *b = bench_create();
	unsigned int rises;
	int ctr;

	ASSERT_NE(NULL, b);
	/* Nothing to flush; keyboard not inhibited, system flag set. */
	EXPECT_EQ(0x14, inb(b, KBC_CMD) & 0x15);
	EXPECT_EQ(0x55, kbc_command(b, 0xaa));
	ctr = kbc_command(b, 0x20);
	EXPECT_EQ(ctr, kbc_command(b, 0x20));
	/* Translated keyboard, as a BIOS leaves it; no AUX. */
	EXPECT_EQ(0x40, ctr & 0x40);
	/* Linux: keyboard off, no keyboard interrupts while it sets up. */
	outb(b, KBC_CMD, 0x60);
	outb(b, KBC_DATA, (ctr | 0x10) & ~0x01);
	EXPECT_EQ((ctr | 0x10) & ~0x01, kbc_command(b, 0x20));
	rises = b->irq.rises;
	EXPECT_EQ(0, inb(b, KBC_CMD) & KBC_OBF);
	EXPECT_EQ(0, kbc_command(b, 0xab));
	/* AUX loop comes back without the AUX bit, AUX test fails: no AUX port. */
	outb(b, KBC_CMD, 0xd3);
	outb(b, KBC_DATA, 0x5a);
	EXPECT_EQ(KBC_OBF, inb(b, KBC_CMD) & (KBC_OBF | KBC_AUXDATA));
	ctr = kbc_command(b, 0xa9);
	EXPECT_NE(0x00, ctr);
	EXPECT_NE(0xfa, ctr);
	EXPECT_NE(0xff, ctr);
	/* None of it interrupted: KBDINT was off. */
	EXPECT_EQ(rises, b->irq.rises);
	EXPECT_EQ(VM_RUNNING, b->vm.stop_reason);
	bench_destroy(b);
}

/* Keyboard replies, one interrupt edge per byte. */
static void expect_kbd_reply(struct __test_metadata *_metadata, struct bench *b,
			     const uint8_t *reply, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++) {
		unsigned int rises = b->irq.rises;

		EXPECT_EQ(1, b->irq.level);
		EXPECT_EQ(KBC_OBF, inb(b, KBC_CMD) & KBC_OBF);
		EXPECT_EQ(reply[i], inb(b, KBC_DATA));
		if (i + 1 < len)
			EXPECT_EQ(rises + 1, b->irq.rises);
	}
	EXPECT_EQ(0, b->irq.level);
	EXPECT_EQ(0, inb(b, KBC_CMD) & KBC_OBF);
}

TEST(i8042_keyboard_answers_atkbd)
{
	struct bench *b = bench_create();

	ASSERT_NE(NULL, b);
	outb(b, KBC_DATA, 0xf2);	/* GET ID, translated */
	expect_kbd_reply(_metadata, b, (const uint8_t[]){ 0xfa, 0xab, 0x41 }, 3);
	outb(b, KBC_DATA, 0xff);	/* reset */
	expect_kbd_reply(_metadata, b, (const uint8_t[]){ 0xfa, 0xaa }, 2);
	outb(b, KBC_DATA, 0xed);	/* LEDs off */
	expect_kbd_reply(_metadata, b, (const uint8_t[]){ 0xfa }, 1);
	outb(b, KBC_DATA, 0x00);
	expect_kbd_reply(_metadata, b, (const uint8_t[]){ 0xfa }, 1);
	outb(b, KBC_DATA, 0xf4);	/* enable scanning */
	expect_kbd_reply(_metadata, b, (const uint8_t[]){ 0xfa }, 1);
	outb(b, KBC_DATA, 0xee);	/* echo */
	expect_kbd_reply(_metadata, b, (const uint8_t[]){ 0xee }, 1);
	outb(b, KBC_DATA, 0x01);	/* nonsense: resend */
	expect_kbd_reply(_metadata, b, (const uint8_t[]){ 0xfe }, 1);

	/* A disabled keyboard interface holds replies back. */
	outb(b, KBC_DATA, 0xf2);
	outb(b, KBC_CMD, 0xad);
	EXPECT_EQ(0xfa, inb(b, KBC_DATA));
	EXPECT_EQ(0, inb(b, KBC_CMD) & KBC_OBF);
	EXPECT_EQ(0, b->irq.level);
	outb(b, KBC_CMD, 0xae);
	expect_kbd_reply(_metadata, b, (const uint8_t[]){ 0xab, 0x41 }, 2);

	/* Untranslated, the ID is the keyboard's own. */
	outb(b, KBC_CMD, 0x60);
	outb(b, KBC_DATA, 0x05);
	outb(b, KBC_DATA, 0xf2);
	expect_kbd_reply(_metadata, b, (const uint8_t[]){ 0xfa, 0xab, 0x83 }, 3);
	EXPECT_EQ(0, b->irq.redundant);
	bench_destroy(b);
}

TEST(i8042_reset_line)
{
	struct bench *b = bench_create();

	ASSERT_NE(NULL, b);
	outb(b, KBC_CMD, 0xff);	/* pulses nothing */
	EXPECT_EQ(VM_RUNNING, b->vm.stop_reason);
	outb(b, KBC_CMD, 0xfe);
	EXPECT_EQ(VM_STOP_RESET, b->vm.stop_reason);
	EXPECT_STREQ("guest reset through the i8042", b->vm.stop_detail);
	bench_destroy(b);

	/* The output port's reset line, written low. */
	b = bench_create();
	ASSERT_NE(NULL, b);
	EXPECT_EQ(0x03, kbc_command(b, 0xd0) & 0x03);
	outb(b, KBC_CMD, 0xd1);
	outb(b, KBC_DATA, 0x03);
	EXPECT_EQ(VM_RUNNING, b->vm.stop_reason);
	outb(b, KBC_CMD, 0xd1);
	outb(b, KBC_DATA, 0x02);
	EXPECT_EQ(VM_STOP_RESET, b->vm.stop_reason);
	bench_destroy(b);
}

/* RTC */

#define RTC_INDEX	0x70
#define RTC_DATA	0x71

static uint8_t cmos_read(struct bench *b, uint8_t index)
{
	outb(b, RTC_INDEX, index);
	return inb(b, RTC_DATA);
}

static void cmos_write(struct bench *b, uint8_t index, uint8_t val)
{
	outb(b, RTC_INDEX, index);
	outb(b, RTC_DATA, val);
}

/* A register's value in the format register B selects. */
static unsigned int from_reg(uint8_t reg_b, uint8_t v)
{
	return reg_b & 0x04 ? v : (v >> 4) * 10 + (v & 0x0f);
}

/* The RTC's time as Linux's mc146818_get_time() reads it. */
static time_t rtc_time(struct bench *b)
{
	uint8_t reg_b = cmos_read(b, 0x0b);
	uint8_t sec, hour;
	struct tm tm;

	do {
		while (cmos_read(b, 0x0a) & 0x80)
			;
		sec = cmos_read(b, 0x00);
		tm = (struct tm){
			.tm_sec = from_reg(reg_b, sec),
			.tm_min = from_reg(reg_b, cmos_read(b, 0x02)),
			.tm_mday = from_reg(reg_b, cmos_read(b, 0x07)),
			.tm_mon = from_reg(reg_b, cmos_read(b, 0x08)) - 1,
			.tm_year = from_reg(reg_b, cmos_read(b, 0x32)) * 100 +
				   from_reg(reg_b, cmos_read(b, 0x09)) - 1900,
		};
		hour = cmos_read(b, 0x04);
	} while (sec != cmos_read(b, 0x00));
	if (reg_b & 0x02)
		tm.tm_hour = from_reg(reg_b, hour);
	else
		tm.tm_hour = from_reg(reg_b, hour & 0x7f) % 12 + (hour & 0x80 ? 12 : 0);
	return timegm(&tm);
}

static bool near(time_t a, time_t b)
{
	return llabs((long long)(a - b)) <= 2;
}

TEST(rtc_shows_host_time_in_every_format)
{
	struct bench *b = bench_create();
	time_t now;
	struct tm tm;

	ASSERT_NE(NULL, b);
	/* Power-on: BCD, 24 hours, valid RAM and time, no interrupt flags. */
	EXPECT_EQ(0x02, cmos_read(b, 0x0b));
	EXPECT_EQ(0x80, cmos_read(b, 0x0d));
	EXPECT_EQ(0x00, cmos_read(b, 0x0c));
	EXPECT_TRUE(near(time(NULL), rtc_time(b)));
	now = time(NULL);
	gmtime_r(&now, &tm);
	EXPECT_EQ(tm.tm_wday + 1, cmos_read(b, 0x06));

	cmos_write(b, 0x0b, 0x06);	/* binary, 24 hours */
	EXPECT_TRUE(near(time(NULL), rtc_time(b)));
	EXPECT_GE(59, cmos_read(b, 0x00));
	EXPECT_EQ((tm.tm_year + 1900) / 100, cmos_read(b, 0x32));
	cmos_write(b, 0x0b, 0x00);	/* BCD, 12 hours */
	EXPECT_TRUE(near(time(NULL), rtc_time(b)));
	EXPECT_GE(0x12, cmos_read(b, 0x04) & 0x7f);
	EXPECT_LE(0x01, cmos_read(b, 0x04) & 0x7f);
	cmos_write(b, 0x0b, 0x04);	/* binary, 12 hours */
	EXPECT_TRUE(near(time(NULL), rtc_time(b)));
	bench_destroy(b);
}

/*
 * UIP comes and goes: set only for the last 244 us of each second. Look
 * for a while (longer if this process was preempted through the windows).
 */
TEST(rtc_update_in_progress_is_never_stuck)
{
	struct bench *b = bench_create();
	struct timespec start, t;
	unsigned long set = 0, clear = 0;
	long elapsed_ms;

	ASSERT_NE(NULL, b);
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		if (cmos_read(b, 0x0a) & 0x80)
			set++;
		else
			clear++;
		clock_gettime(CLOCK_MONOTONIC, &t);
		elapsed_ms = (t.tv_sec - start.tv_sec) * 1000 +
			     (t.tv_nsec - start.tv_nsec) / 1000000;
	} while (elapsed_ms < 1100 || (!set && elapsed_ms < 10000));
	EXPECT_LT(0, set);
	EXPECT_LT(set * 100, clear);
	/* The divider and rate bits are the guest's; UIP is not. */
	cmos_write(b, 0x0a, 0xa6);
	EXPECT_EQ(0x26, cmos_read(b, 0x0a) & 0x7f);
	bench_destroy(b);
}

TEST(rtc_cmos_ram)
{
	struct bench *b = bench_create();

	ASSERT_NE(NULL, b);
	cmos_write(b, 0x40, 0x5a);
	cmos_write(b, 0x7f, 0xa5);
	/* Bit 7 of the index is the NMI mask, not part of the index. */
	EXPECT_EQ(0x5a, cmos_read(b, 0xc0));
	EXPECT_EQ(0xa5, cmos_read(b, 0x7f));
	EXPECT_EQ(0xff, inb(b, RTC_INDEX));
	/* Alarm registers are plain storage. */
	cmos_write(b, 0x01, 0x33);
	EXPECT_EQ(0x33, cmos_read(b, 0x01));
	/* Registers C and D are read-only. */
	cmos_write(b, 0x0d, 0x00);
	EXPECT_EQ(0x80, cmos_read(b, 0x0d));
	bench_destroy(b);
}

/* A time the guest sets reads back, keeps running, and nonsense is refused. */
TEST(rtc_guest_sets_the_time)
{
	struct bench *b = bench_create();
	struct tm set = { .tm_year = 2031 - 1900, .tm_mon = 6, .tm_mday = 31,
			  .tm_hour = 21, .tm_min = 30, .tm_sec = 5 };
	time_t target = timegm(&set), host = time(NULL);

	ASSERT_NE(NULL, b);
	/* As Linux's mc146818_set_time(): SET, the registers, SET off. */
	cmos_write(b, 0x0b, 0x82);
	cmos_write(b, 0x00, 0x05);
	cmos_write(b, 0x02, 0x30);
	cmos_write(b, 0x04, 0x21);
	cmos_write(b, 0x07, 0x31);	/* 31 July is only valid once the month is */
	cmos_write(b, 0x08, 0x07);
	cmos_write(b, 0x09, 0x31);
	cmos_write(b, 0x32, 0x20);
	/* Held while SET. */
	EXPECT_EQ(0x31, cmos_read(b, 0x07));
	cmos_write(b, 0x0b, 0x02);
	EXPECT_TRUE(near(target + (time(NULL) - host), rtc_time(b)));

	/* A single register written while running moves the clock too. */
	cmos_write(b, 0x09, 0x32);
	set.tm_year++;
	target = timegm(&set);
	EXPECT_TRUE(near(target + (time(NULL) - host), rtc_time(b)));

	/* Invalid BCD in the century: a year past 9999, refused. */
	cmos_write(b, 0x32, 0xff);
	EXPECT_TRUE(near(target + (time(NULL) - host), rtc_time(b)));
	bench_destroy(b);
}

/* ACPI sleep and reset registers */

#define SLEEP_S5	(MACHINE_ACPI_S5_TYPE << 2 | ACPI_SLEEP_CTL_SLP_EN)

TEST(acpi_pm_s5_powers_off)
{
	struct bench *b = bench_create();

	ASSERT_NE(NULL, b);
	/* The type without SLP_EN is only a write. */
	outb(b, MACHINE_ACPI_SLEEP_CTL_PORT, MACHINE_ACPI_S5_TYPE << 2);
	EXPECT_EQ(VM_RUNNING, b->vm.stop_reason);
	outb(b, MACHINE_ACPI_SLEEP_CTL_PORT, SLEEP_S5);
	EXPECT_EQ(VM_STOP_POWEROFF, b->vm.stop_reason);
	EXPECT_STREQ("guest powered off (ACPI S5)", b->vm.stop_detail);
	EXPECT_EQ(0, acpi_pm_ignored_sleeps(b->pm));
	bench_destroy(b);
}

TEST(acpi_pm_other_sleep_types_wake_at_once)
{
	struct bench *b = bench_create();

	ASSERT_NE(NULL, b);
	EXPECT_EQ(0, inb(b, MACHINE_ACPI_SLEEP_STS_PORT) & 0x80);
	/* S3, as Linux's acpi_hw_extended_sleep() asks: then it polls WAK_STS. */
	outb(b, MACHINE_ACPI_SLEEP_STS_PORT, 0x80);
	outb(b, MACHINE_ACPI_SLEEP_CTL_PORT, 3 << 2 | ACPI_SLEEP_CTL_SLP_EN);
	EXPECT_EQ(VM_RUNNING, b->vm.stop_reason);
	EXPECT_EQ(1, acpi_pm_ignored_sleeps(b->pm));
	EXPECT_EQ(0x80, inb(b, MACHINE_ACPI_SLEEP_STS_PORT) & 0x80);
	/* Write 1 to clear. */
	outb(b, MACHINE_ACPI_SLEEP_STS_PORT, 0x80);
	EXPECT_EQ(0, inb(b, MACHINE_ACPI_SLEEP_STS_PORT) & 0x80);
	outb(b, MACHINE_ACPI_SLEEP_CTL_PORT, 1 << 2 | ACPI_SLEEP_CTL_SLP_EN);
	EXPECT_EQ(2, acpi_pm_ignored_sleeps(b->pm));
	EXPECT_EQ(VM_RUNNING, b->vm.stop_reason);
	bench_destroy(b);
}

TEST(acpi_pm_reset)
{
	struct bench *b = bench_create();

	ASSERT_NE(NULL, b);
	outb(b, MACHINE_ACPI_RESET_PORT, MACHINE_ACPI_RESET_VALUE + 1);
	EXPECT_EQ(VM_RUNNING, b->vm.stop_reason);
	outb(b, MACHINE_ACPI_RESET_PORT, MACHINE_ACPI_RESET_VALUE);
	EXPECT_EQ(VM_STOP_RESET, b->vm.stop_reason);
	/* The first reason stands. */
	outb(b, MACHINE_ACPI_SLEEP_CTL_PORT, SLEEP_S5);
	EXPECT_EQ(VM_STOP_RESET, b->vm.stop_reason);
	bench_destroy(b);
}

/* Port 0x80 */

TEST(port80_discards)
{
	struct bench *b = bench_create();
	struct rule *r;

	ASSERT_NE(NULL, b);
	/* The other legacy devices have no rules. */
	r = b->vm.rules.head;
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("port 0x80 delay", r->name);
	EXPECT_EQ(RULE_DISCARD, r->kind);
	EXPECT_EQ(BUS_PIO, r->space);
	EXPECT_EQ(0x80, r->addr);
	EXPECT_EQ(1, r->len);
	EXPECT_EQ(NULL, r->next);
	outb(b, 0x80, 0x12);
	EXPECT_EQ(0xff, inb(b, 0x80));
	EXPECT_EQ(0, b->vm.bus.unclaimed[BUS_PIO]);
	/* One port only. */
	EXPECT_EQ(NULL, bus_find(&b->vm.bus, BUS_PIO, 0x81, 1));
	bench_destroy(b);
}

TEST_HARNESS_MAIN
