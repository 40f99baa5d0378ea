// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/mshv_fastpath/: stable, human-readable attributes, one value
 * per file.
 *
 *   version        module version, as in modinfo
 *   vms            VMs alive: open /dev/mshv_fastpath files, and VMs whose file
 *                  is closed but whose vCPUs are still attached
 *   vcpus          attached vCPUs
 *   stats/<name>   the fields of struct mshv_fp_stats, summed over every VM
 *                  since the module was loaded:
 *                  runs exits handled_doorbell handled_coalesce
 *                  handled_fixed_read handled_count forwarded ring_full
 *                  run_ns hv_ns
 *   resvd/         the check of hyperv_resvd_new made at load (resvd.c)
 */
#include <linux/kobject.h>
#include <linux/stddef.h>
#include <linux/sysfs.h>

#include "mshv_fastpath.h"

static struct kobject *mshv_fp_kobj;

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", MSHV_FP_MODULE_VERSION);
}
static struct kobj_attribute version_attr = __ATTR_RO(version);

/* vms and vcpus: one show for both counts. */
static ssize_t count_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf);
static struct kobj_attribute vms_attr = __ATTR(vms, 0444, count_show, NULL);
static struct kobj_attribute vcpus_attr = __ATTR(vcpus, 0444, count_show, NULL);

static ssize_t count_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct mshv_fp_stats stats;
	unsigned int vms, vcpus;

	mshv_fp_global_stats(&stats, &vms, &vcpus);
	return sysfs_emit(buf, "%u\n", attr == &vms_attr ? vms : vcpus);
}

static struct attribute *mshv_fp_attrs[] = {
	&version_attr.attr,
	&vms_attr.attr,
	&vcpus_attr.attr,
	NULL,
};

static const struct attribute_group mshv_fp_attr_group = {
	.attrs = mshv_fp_attrs,
};

/* stats/: each file shows the u64 at an offset of struct mshv_fp_stats. */
struct mshv_fp_stat_attr {
	struct kobj_attribute attr;
	size_t offset;
};

static ssize_t stat_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	size_t offset = container_of(attr, struct mshv_fp_stat_attr, attr)->offset;
	struct mshv_fp_stats stats;
	unsigned int vms, vcpus;

	mshv_fp_global_stats(&stats, &vms, &vcpus);
	return sysfs_emit(buf, "%llu\n", *(u64 *)((char *)&stats + offset));
}

#define STAT_ATTR(_name, _field) \
	static struct mshv_fp_stat_attr stat_##_name = { \
		.attr = __ATTR(_name, 0444, stat_show, NULL), \
		.offset = offsetof(struct mshv_fp_stats, _field), \
	}

STAT_ATTR(runs, runs);
STAT_ATTR(exits, exits);
STAT_ATTR(handled_doorbell, handled[MSHV_FP_ACTION_DOORBELL]);
STAT_ATTR(handled_coalesce, handled[MSHV_FP_ACTION_COALESCE]);
STAT_ATTR(handled_fixed_read, handled[MSHV_FP_ACTION_FIXED_READ]);
STAT_ATTR(handled_count, handled[MSHV_FP_ACTION_COUNT]);
STAT_ATTR(forwarded, forwarded);
STAT_ATTR(ring_full, ring_full);
STAT_ATTR(run_ns, run_ns);
STAT_ATTR(hv_ns, hv_ns);

static struct attribute *mshv_fp_stat_attrs[] = {
	&stat_runs.attr.attr,
	&stat_exits.attr.attr,
	&stat_handled_doorbell.attr.attr,
	&stat_handled_coalesce.attr.attr,
	&stat_handled_fixed_read.attr.attr,
	&stat_handled_count.attr.attr,
	&stat_forwarded.attr.attr,
	&stat_ring_full.attr.attr,
	&stat_run_ns.attr.attr,
	&stat_hv_ns.attr.attr,
	NULL,
};

static const struct attribute_group mshv_fp_stat_group = {
	.name = "stats",
	.attrs = mshv_fp_stat_attrs,
};

static const struct attribute_group *mshv_fp_groups[] = {
	&mshv_fp_attr_group,
	&mshv_fp_stat_group,
	NULL,
};

int mshv_fp_sysfs_init(void)
{
	int ret;

	mshv_fp_kobj = kobject_create_and_add(MSHV_FP_DEVICE_NAME, kernel_kobj);
	if (!mshv_fp_kobj)
		return -ENOMEM;

	ret = sysfs_create_groups(mshv_fp_kobj, mshv_fp_groups);
	if (!ret)
		ret = mshv_fp_resvd_sysfs_init(mshv_fp_kobj);
	if (ret) {
		kobject_put(mshv_fp_kobj);
		mshv_fp_kobj = NULL;
	}
	return ret;
}

void mshv_fp_sysfs_exit(void)
{
	mshv_fp_resvd_sysfs_exit();
	/* Removing the kobject removes its attribute groups too. */
	kobject_put(mshv_fp_kobj);
	mshv_fp_kobj = NULL;
}
