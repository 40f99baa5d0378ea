/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MC146818 CMOS RTC at ports 0x70/0x71: the host's time in UTC, and
 * 128 bytes of CMOS RAM. No interrupts (periodic, alarm or update).
 */
#ifndef MSHV_VMM_RTC_H
#define MSHV_VMM_RTC_H

struct rtc;
struct vm;

/* Registers MACHINE_RTC_PORT and +1 on vm->bus. NULL with errno on failure. */
struct rtc *rtc_create(struct vm *vm);
/* After the vCPUs have stopped. */
void rtc_destroy(struct rtc *rtc);

#endif
