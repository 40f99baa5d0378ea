/* SPDX-License-Identifier: GPL-2.0 */
/* Client side of /dev/mshv_fastpath. */
#ifndef MSHV_VMM_FASTPATH_H
#define MSHV_VMM_FASTPATH_H

#include <linux/mshv_fastpath.h>

/*
 * Open the module's device and read its version. Returns the open fd, or
 * -errno (-ENOENT: the module is not loaded).
 */
int fastpath__open(struct mshv_fp_version *version);

/* Name of capability @cap, or NULL if this build does not know it. */
const char *fastpath__cap_name(unsigned int cap);

#endif
