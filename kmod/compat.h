/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shims for the kernel APIs that differ between the kernels this module
 * builds for: Mariner 5.15 (the mshv target), Debian 6.1 and 6.12, and
 * upstream. Keep every version test in this file.
 */
#ifndef _MSHV_FASTPATH_COMPAT_H
#define _MSHV_FASTPATH_COMPAT_H

#include <linux/eventfd.h>
#include <linux/mm.h>
#include <linux/version.h>

/* 6.8 dropped eventfd_signal()'s count argument (it was always 1). */
static inline void mshv_fp_eventfd_signal(struct eventfd_ctx *ctx)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

/* 6.5 dropped pin_user_pages()'s vmas argument. Caller holds mmap_read_lock. */
static inline long mshv_fp_pin_user_page(unsigned long addr, unsigned int gup_flags,
					 struct page **page)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	return pin_user_pages(addr, 1, gup_flags, page);
#else
	return pin_user_pages(addr, 1, gup_flags, page, NULL);
#endif
}

/*
 * The mshv driver of Mariner's 5.15 kernels speaks the 2023 ioctl ABI,
 * upstream's (Linux >= 6.15) the current one. mshv.c asks the driver which
 * it speaks; it asks about the likely one first, because the driver logs
 * the other's ioctl as invalid.
 */
#define MSHV_FP_MSHV_MARINER_LIKELY	(LINUX_VERSION_CODE < KERNEL_VERSION(6, 0, 0))

#endif /* _MSHV_FASTPATH_COMPAT_H */
