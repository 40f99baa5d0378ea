/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which mshv ABI the running kernel speaks, found by probing ioctls on
 * /dev/mshv (never from the kernel version string):
 *
 *   Mariner   MSHV_MARINER_CHECK_EXTENSION(CORE_API_STABLE) succeeds
 *             (upstream's /dev/mshv knows only CREATE_PARTITION: -ENOTTY)
 *   upstream  MSHV_UAPI_CREATE_PARTITION with an undefined flag bit fails
 *             with -EINVAL: the flags are checked before anything is
 *             created (Mariner does not know the number: -ENOTTY)
 *
 * Anything else is an unknown ABI, described in probe->detail.
 */
#ifndef MSHV_VMM_MSHV_PROBE_H
#define MSHV_VMM_MSHV_PROBE_H

#include <stdbool.h>

#define MSHV_DEVICE_PATH	"/dev/mshv"

enum mshv_abi {
	MSHV_ABI_NONE,		/* no usable /dev/mshv */
	MSHV_ABI_UPSTREAM,	/* Linux >= 6.15 */
	MSHV_ABI_MARINER,	/* Mariner 5.15.*.mshv* (2023 driver) */
};

struct mshv_probe {
	enum mshv_abi abi;
	int fd;			/* /dev/mshv, open O_RDWR|O_CLOEXEC; -1 if none */
	int open_errno;		/* why open() failed, else 0 */
	bool register_page;	/* Mariner: MSHV_CAP_REGISTER_PAGE; upstream: true */
	char detail[192];	/* what was found, for messages */
};

/*
 * Open @path (NULL: MSHV_DEVICE_PATH) and probe it. Returns 0 with
 * probe->fd open and probe->abi set; -ENOENT (absent), -EACCES, ... with
 * probe->open_errno set; or -EPROTO for an ABI this build does not know
 * (fd closed, detail names the answers seen).
 */
int mshv_probe(const char *path, struct mshv_probe *probe);

/* "upstream (Linux >= 6.15)", "Mariner 5.15", "none". */
const char *mshv_abi_name(enum mshv_abi abi);

#endif
