// SPDX-License-Identifier: GPL-2.0
/*
 * The MC146818 CMOS RTC, as Linux reads and sets it.
 *
 * The clock is the host's CLOCK_REALTIME in UTC, shown in the format
 * register B asks for (BCD or binary, 12 or 24 hours). Time the guest
 * writes is kept as an offset from the host's clock, so it reads back as
 * set and keeps running; with register B's SET bit the registers hold
 * still while the guest writes them, and the new time starts when SET is
 * cleared. UIP rises in the last 244 us of each second, as on the chip, so
 * Linux's update-in-progress checks see it come and go. The divider bits
 * of register A are kept but do not stop the clock, and there are no
 * interrupts: register C never reports a flag, whatever register B
 * enables.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "bus.h"
#include "machine.h"
#include "rtc.h"
#include "vmm.h"

#define RTC_NR_PORTS		2	/* index, data */
#define CMOS_SIZE		128
#define CMOS_INDEX_MASK		0x7f	/* bit 7 of the index masks NMIs: ignored */

#define REG_SECONDS		0x00
#define REG_MINUTES		0x02
#define REG_HOURS		0x04
#define REG_WEEKDAY		0x06
#define REG_DAY			0x07
#define REG_MONTH		0x08
#define REG_YEAR		0x09
#define REG_A			0x0a
#define REG_B			0x0b
#define REG_C			0x0c
#define REG_D			0x0d
#define REG_CENTURY		0x32	/* where PCs keep it: ACPI FADT "century" */

#define REG_A_UIP		0x80
#define REG_A_DEFAULT		0x26	/* 32.768 kHz time base, 1024 Hz rate */
#define REG_B_SET		0x80
#define REG_B_DM_BINARY		0x04
#define REG_B_24H		0x02
#define REG_B_DEFAULT		REG_B_24H
#define REG_D_VRT		0x80
#define HOURS_PM		0x80

#define NSEC_PER_SEC		1000000000L
#define UIP_NSEC		244000L
/* 9999-12-31 23:59:59: guest-set times beyond are not taken. */
#define RTC_TIME_MAX		253402300799LL

struct rtc {
	pthread_mutex_t lock;
	uint8_t index;
	/* RAM, registers A and B, and the time registers while SET holds them. */
	uint8_t cmos[CMOS_SIZE];
	int64_t offset;		/* guest time minus host time, seconds */
};

static const uint8_t time_regs[] = {
	REG_SECONDS, REG_MINUTES, REG_HOURS, REG_WEEKDAY,
	REG_DAY, REG_MONTH, REG_YEAR, REG_CENTURY,
};

static bool is_time_reg(unsigned int index)
{
	for (size_t i = 0; i < sizeof(time_regs); i++)
		if (time_regs[i] == index)
			return true;
	return false;
}

static bool rtc_frozen(const struct rtc *rtc)
{
	return rtc->cmos[REG_B] & REG_B_SET;
}

/* The guest's time now; @nsec: how far into the second. */
static void guest_now(const struct rtc *rtc, struct tm *tm, long *nsec)
{
	struct timespec ts;
	time_t t;

	clock_gettime(CLOCK_REALTIME, &ts);
	t = ts.tv_sec + rtc->offset;
	gmtime_r(&t, tm);
	*nsec = ts.tv_nsec;
}

static uint8_t to_reg(const struct rtc *rtc, unsigned int v)
{
	if (rtc->cmos[REG_B] & REG_B_DM_BINARY)
		return v;
	return (v / 10) << 4 | v % 10;
}

static unsigned int from_reg(const struct rtc *rtc, uint8_t v)
{
	if (rtc->cmos[REG_B] & REG_B_DM_BINARY)
		return v;
	return (v >> 4) * 10 + (v & 0x0f);
}

static uint8_t time_reg_value(const struct rtc *rtc, unsigned int index,
			      const struct tm *tm)
{
	int year = tm->tm_year + 1900;
	int hour = tm->tm_hour;

	switch (index) {
	case REG_SECONDS:
		return to_reg(rtc, tm->tm_sec);
	case REG_MINUTES:
		return to_reg(rtc, tm->tm_min);
	case REG_HOURS:
		if (rtc->cmos[REG_B] & REG_B_24H)
			return to_reg(rtc, hour);
		return to_reg(rtc, hour % 12 ? hour % 12 : 12) |
		       (hour >= 12 ? HOURS_PM : 0);
	case REG_WEEKDAY:
		return to_reg(rtc, tm->tm_wday + 1);
	case REG_DAY:
		return to_reg(rtc, tm->tm_mday);
	case REG_MONTH:
		return to_reg(rtc, tm->tm_mon + 1);
	case REG_YEAR:
		return to_reg(rtc, year % 100);
	default:	/* REG_CENTURY */
		return to_reg(rtc, year / 100);
	}
}

/* Copy the running time into the registers, for SET or a single write. */
static void latch_time(struct rtc *rtc)
{
	struct tm tm;
	long nsec;

	guest_now(rtc, &tm, &nsec);
	for (size_t i = 0; i < sizeof(time_regs); i++)
		rtc->cmos[time_regs[i]] = time_reg_value(rtc, time_regs[i], &tm);
}

/* The time in the registers becomes the time now (day of week is derived). */
static void commit_time(struct rtc *rtc)
{
	uint8_t hours = rtc->cmos[REG_HOURS];
	struct tm tm = {
		.tm_sec = from_reg(rtc, rtc->cmos[REG_SECONDS]),
		.tm_min = from_reg(rtc, rtc->cmos[REG_MINUTES]),
		.tm_mday = from_reg(rtc, rtc->cmos[REG_DAY]),
		.tm_mon = (int)from_reg(rtc, rtc->cmos[REG_MONTH]) - 1,
		.tm_year = (int)(from_reg(rtc, rtc->cmos[REG_CENTURY]) * 100 +
				 from_reg(rtc, rtc->cmos[REG_YEAR])) - 1900,
	};
	struct timespec ts;
	time_t t;

	if (rtc->cmos[REG_B] & REG_B_24H)
		tm.tm_hour = from_reg(rtc, hours);
	else
		tm.tm_hour = from_reg(rtc, hours & ~HOURS_PM) % 12 +
			     (hours & HOURS_PM ? 12 : 0);
	/* timegm() folds out-of-range fields; a time before 1970 or past 9999 is refused. */
	t = timegm(&tm);
	if (t < 0 || t > RTC_TIME_MAX)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	rtc->offset = t - ts.tv_sec;
}

static uint8_t rtc_read(struct rtc *rtc, unsigned int index)
{
	struct tm tm;
	long nsec;

	switch (index) {
	case REG_A:
		guest_now(rtc, &tm, &nsec);
		if (!rtc_frozen(rtc) && nsec >= NSEC_PER_SEC - UIP_NSEC)
			return rtc->cmos[REG_A] | REG_A_UIP;
		return rtc->cmos[REG_A];
	case REG_C:
		return 0;
	case REG_D:
		return REG_D_VRT;
	default:
		if (!is_time_reg(index) || rtc_frozen(rtc))
			return rtc->cmos[index];
		guest_now(rtc, &tm, &nsec);
		return time_reg_value(rtc, index, &tm);
	}
}

static void rtc_write(struct rtc *rtc, unsigned int index, uint8_t val)
{
	bool was_frozen = rtc_frozen(rtc);

	switch (index) {
	case REG_A:
		rtc->cmos[REG_A] = val & ~REG_A_UIP;
		break;
	case REG_B:
		rtc->cmos[REG_B] = val;
		if (!was_frozen && rtc_frozen(rtc))
			latch_time(rtc);
		else if (was_frozen && !rtc_frozen(rtc))
			commit_time(rtc);
		break;
	case REG_C:
	case REG_D:
		break;	/* read-only */
	default:
		if (!is_time_reg(index) || was_frozen) {
			rtc->cmos[index] = val;
			break;
		}
		latch_time(rtc);
		rtc->cmos[index] = val;
		commit_time(rtc);
		break;
	}
}

static void rtc_io(void *opaque, uint64_t offset, uint8_t *data,
		   unsigned int len, bool is_write)
{
	struct rtc *rtc = opaque;

	pthread_mutex_lock(&rtc->lock);
	/* A wide access is a run of byte accesses, as the ISA bus splits it. */
	for (unsigned int i = 0; i < len; i++) {
		bool index_port = offset + i == 0;

		if (is_write && index_port)
			rtc->index = data[i] & CMOS_INDEX_MASK;
		else if (is_write)
			rtc_write(rtc, rtc->index, data[i]);
		else	/* the index port is write-only */
			data[i] = index_port ? 0xff : rtc_read(rtc, rtc->index);
	}
	pthread_mutex_unlock(&rtc->lock);
}

struct rtc *rtc_create(struct vm *vm)
{
	struct rtc *rtc = calloc(1, sizeof(*rtc));
	int err;

	if (!rtc)
		return NULL;
	rtc->cmos[REG_A] = REG_A_DEFAULT;
	rtc->cmos[REG_B] = REG_B_DEFAULT;
	pthread_mutex_init(&rtc->lock, NULL);
	err = bus_register(&vm->bus, BUS_PIO, MACHINE_RTC_PORT, RTC_NR_PORTS,
			   rtc_io, rtc, "rtc");
	if (err) {
		rtc_destroy(rtc);
		errno = -err;
		return NULL;
	}
	return rtc;
}

void rtc_destroy(struct rtc *rtc)
{
	if (!rtc)
		return;
	pthread_mutex_destroy(&rtc->lock);
	free(rtc);
}
