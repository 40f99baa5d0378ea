/* SPDX-License-Identifier: GPL-2.0 */
/* Internal declarations shared by the files of mshv_fastpath.ko. */
#ifndef _MSHV_FASTPATH_H
#define _MSHV_FASTPATH_H

#include <linux/list.h>
#include <linux/types.h>

/* One open file description of /dev/mshv_fastpath. */
struct mshv_fp_session {
	struct list_head node;		/* in mshv_fp_sessions, under its lock */
	pid_t owner_tgid;		/* process that opened it */
};

unsigned int mshv_fp_session_count(void);

int mshv_fp_sysfs_init(void);
void mshv_fp_sysfs_exit(void);

#endif /* _MSHV_FASTPATH_H */
