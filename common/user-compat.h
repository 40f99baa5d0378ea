/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel's headers give the shared code in common/ and a userspace
 * build has to define itself. Never included by the module.
 */
#ifndef MSHV_FP_USER_COMPAT_H
#define MSHV_FP_USER_COMPAT_H

#ifdef __KERNEL__
#error "the kernel has its own __packed and ARRAY_SIZE"
#endif

#ifndef __packed
#define __packed __attribute__((packed))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#endif
