/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mshv_fastpath: userspace interface of /dev/mshv_fastpath.
 *
 * This header is shared, unchanged, by the kernel module and by the
 * userspace tools. Every struct has a fixed size, explicit padding and
 * reserved fields that must be zero, so that later ABI minor versions can
 * give them a meaning without breaking older callers.
 */
#ifndef _UAPI_LINUX_MSHV_FASTPATH_H
#define _UAPI_LINUX_MSHV_FASTPATH_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define MSHV_FP_DEVICE_NAME		"mshv_fastpath"

/*
 * ABI version. The major number changes only when an existing ioctl or
 * struct changes incompatibly; the minor number when something is added.
 */
#define MSHV_FP_ABI_MAJOR		0
#define MSHV_FP_ABI_MINOR		1

/* 0xB8 is the mshv driver's magic; its neighbour is ours. */
#define MSHV_FP_IOCTL_MAGIC		0xB9

#define MSHV_FP_VERSION_LEN		32

/* MSHV_FP_GET_VERSION: what the loaded module is and what it can do. */
struct mshv_fp_version {
	__u16 abi_major;
	__u16 abi_minor;
	__u32 reserved0;			/* zero */
	__u64 capabilities;			/* MSHV_FP_CAP_* bit mask */
	char module_version[MSHV_FP_VERSION_LEN]; /* NUL-terminated */
	__u64 reserved[4];			/* zero */
};

/*
 * Capability numbers, for MSHV_FP_CHECK_EXTENSION and as bit positions in
 * mshv_fp_version.capabilities. Numbers are never reused.
 */
#define MSHV_FP_CAP_VERSION		0	/* this ioctl set; always 1 */
#define MSHV_FP_CAP_TRACEPOINTS		1	/* TRACE_SYSTEM mshv_fastpath */

#define MSHV_FP_GET_VERSION \
	_IOR(MSHV_FP_IOCTL_MAGIC, 0x00, struct mshv_fp_version)
/* Argument: a capability number. Returns 1 if supported, else 0. */
#define MSHV_FP_CHECK_EXTENSION	_IO(MSHV_FP_IOCTL_MAGIC, 0x01)

#endif /* _UAPI_LINUX_MSHV_FASTPATH_H */
