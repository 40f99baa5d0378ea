/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Snapshots of mshv-exitstat's tables, summed over CPUs, and the difference
 * of two: what happened in an interval.
 */
#ifndef EXITSTAT_SNAPSHOT_H
#define EXITSTAT_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "mshv_exitstat.h"

struct exitstat_maps {
	int cpus;	/* the array of struct exitstat_cpu, one per CPU */
	int nr_cpus;	/* its entries: the possible CPUs */
};

struct exitstat_snap_row {
	struct exitstat_key key;
	__u64 count, timed, time_ns;
	__u64 min_ns, max_ns;		/* valid when has_minmax */
	bool has_minmax;
};

struct exitstat_snapshot {
	struct exitstat_snap_row *rows;	/* sorted by key */
	size_t nr_rows;
	__u64 hists[EXITSTAT_NR_HISTS][EXITSTAT_HIST_SLOTS];
	__u64 reasons[EXITSTAT_REASON_SLOTS];
	__u64 counters[EXITSTAT_NR_COUNTERS];
};

/*
 * Read every CPU's tables. Min and max come only from rows of generation
 * @gen (the interval in progress). 0, or -1 with errno.
 */
int exitstat_snapshot_take(struct exitstat_snapshot *snap, const struct exitstat_maps *maps,
			   __u64 gen);

/*
 * @out = @cur - @prev (@prev NULL: everything since the start). Rows with
 * nothing in the interval are left out; min and max are @cur's. 0, or -1.
 */
int exitstat_snapshot_diff(struct exitstat_snapshot *out, const struct exitstat_snapshot *cur,
			   const struct exitstat_snapshot *prev);

void exitstat_snapshot_free(struct exitstat_snapshot *snap);

#endif /* EXITSTAT_SNAPSHOT_H */
