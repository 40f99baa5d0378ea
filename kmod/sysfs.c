// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/mshv_fastpath/: stable, human-readable attributes.
 *
 *   version   module version, as in modinfo
 *   sessions  number of open /dev/mshv_fastpath file descriptions
 */
#include <linux/kobject.h>
#include <linux/sysfs.h>

#include <linux/mshv_fastpath.h>

#include "mshv_fastpath.h"

static struct kobject *mshv_fp_kobj;

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", MSHV_FP_MODULE_VERSION);
}
static struct kobj_attribute version_attr = __ATTR_RO(version);

static ssize_t sessions_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%u\n", mshv_fp_session_count());
}
static struct kobj_attribute sessions_attr = __ATTR_RO(sessions);

static struct attribute *mshv_fp_attrs[] = {
	&version_attr.attr,
	&sessions_attr.attr,
	NULL,
};

static const struct attribute_group mshv_fp_attr_group = {
	.attrs = mshv_fp_attrs,
};

int mshv_fp_sysfs_init(void)
{
	int ret;

	mshv_fp_kobj = kobject_create_and_add(MSHV_FP_DEVICE_NAME, kernel_kobj);
	if (!mshv_fp_kobj)
		return -ENOMEM;

	ret = sysfs_create_group(mshv_fp_kobj, &mshv_fp_attr_group);
	if (ret) {
		kobject_put(mshv_fp_kobj);
		mshv_fp_kobj = NULL;
	}
	return ret;
}

void mshv_fp_sysfs_exit(void)
{
	/* Removing the kobject removes its attribute group too. */
	kobject_put(mshv_fp_kobj);
	mshv_fp_kobj = NULL;
}
