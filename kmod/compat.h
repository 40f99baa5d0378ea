/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shims for the kernel APIs that differ between the kernels this module
 * builds for: Mariner 5.15 (the mshv target), Debian 6.1 and 6.12, and
 * upstream. Keep every version test in this file.
 */
#ifndef _MSHV_FASTPATH_COMPAT_H
#define _MSHV_FASTPATH_COMPAT_H

#include <linux/eventfd.h>
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

#endif /* _MSHV_FASTPATH_COMPAT_H */
