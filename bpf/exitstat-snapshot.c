// SPDX-License-Identifier: GPL-2.0
/*
 * Reading mshv-exitstat's per-CPU tables. The BPF side only ever adds, so
 * an interval is the difference of two snapshots: exact, with no reset
 * racing the programs.
 */
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "exitstat-snapshot.h"

static int key_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct exitstat_snap_row *)a)->key,
		      &((const struct exitstat_snap_row *)b)->key, sizeof(struct exitstat_key));
}

/* Add @r's counts and times into @into; min and max when @r has them. */
static void merge_row(struct exitstat_snap_row *into, const struct exitstat_snap_row *r)
{
	into->count += r->count;
	into->timed += r->timed;
	into->time_ns += r->time_ns;
	if (!r->has_minmax)
		return;
	if (!into->has_minmax || r->min_ns < into->min_ns)
		into->min_ns = r->min_ns;
	if (!into->has_minmax || r->max_ns > into->max_ns)
		into->max_ns = r->max_ns;
	into->has_minmax = true;
}

/* Add one CPU's row into @out, keeping min and max of generation @gen. */
static void add_row(struct exitstat_snap_row *out, const struct exitstat_row *v, __u64 gen)
{
	const struct exitstat_snap_row r = {
		.count = v->count, .timed = v->timed, .time_ns = v->time_ns,
		.min_ns = v->min_ns, .max_ns = v->max_ns,
		/* Timed during generation @gen (stored + 1: 0 is never). */
		.has_minmax = v->timed && v->gen == (__u32)(gen + 1),
	};

	merge_row(out, &r);
}

/* Append @cpu's used rows to @snap (unsorted, a key once per CPU). */
static int collect_rows(struct exitstat_snapshot *snap, size_t *cap,
			const struct exitstat_cpu *cpu, __u64 gen)
{
	for (size_t i = 0; i < EXITSTAT_ROW_SLOTS; i++) {
		const struct exitstat_slot *slot = &cpu->slots[i];
		struct exitstat_snap_row *row;

		if (!slot->row.used)
			continue;
		if (snap->nr_rows == *cap) {
			size_t new_cap = *cap ? 2 * *cap : 64;
			void *p = realloc(snap->rows, new_cap * sizeof(*snap->rows));

			if (!p)
				return -1;
			snap->rows = p;
			*cap = new_cap;
		}
		row = &snap->rows[snap->nr_rows++];
		memset(row, 0, sizeof(*row));
		row->key = slot->key;
		add_row(row, &slot->row, gen);
	}
	return 0;
}

/* Sort the rows by key and sum each key's rows (one per CPU) into one. */
static void merge_rows(struct exitstat_snapshot *snap)
{
	size_t out = 0;

	if (!snap->nr_rows)
		return;
	qsort(snap->rows, snap->nr_rows, sizeof(*snap->rows), key_cmp);
	for (size_t i = 1; i < snap->nr_rows; i++) {
		struct exitstat_snap_row *into = &snap->rows[out];
		const struct exitstat_snap_row *r = &snap->rows[i];

		if (key_cmp(into, r))
			snap->rows[++out] = *r;
		else
			merge_row(into, r);
	}
	snap->nr_rows = out + 1;
}

int exitstat_snapshot_take(struct exitstat_snapshot *snap, const struct exitstat_maps *maps,
			   __u64 gen)
{
	struct exitstat_cpu *cpu = malloc(sizeof(*cpu));
	size_t cap = 0;

	memset(snap, 0, sizeof(*snap));
	if (!cpu)
		return -1;
	for (__u32 i = 0; i < (__u32)maps->nr_cpus; i++) {
		if (bpf_map_lookup_elem(maps->cpus, &i, cpu) ||
		    collect_rows(snap, &cap, cpu, gen))
			goto fail;
		for (int h = 0; h < EXITSTAT_NR_HISTS; h++)
			for (int s = 0; s < EXITSTAT_HIST_SLOTS; s++)
				snap->hists[h][s] += cpu->hists[h][s];
		for (int r = 0; r < EXITSTAT_REASON_SLOTS; r++)
			snap->reasons[r] += cpu->reasons[r];
		for (int c = 0; c < EXITSTAT_NR_COUNTERS; c++)
			snap->counters[c] += cpu->counters[c];
	}
	free(cpu);
	merge_rows(snap);
	return 0;
fail:
	free(cpu);
	exitstat_snapshot_free(snap);
	return -1;
}

int exitstat_snapshot_diff(struct exitstat_snapshot *out, const struct exitstat_snapshot *cur,
			   const struct exitstat_snapshot *prev)
{
	memset(out, 0, sizeof(*out));
	out->rows = calloc(cur->nr_rows ? cur->nr_rows : 1, sizeof(*out->rows));
	if (!out->rows)
		return -1;
	for (size_t i = 0; i < cur->nr_rows; i++) {
		struct exitstat_snap_row row = cur->rows[i];
		const struct exitstat_snap_row *old = NULL;

		if (prev && prev->nr_rows)
			old = bsearch(&row, prev->rows, prev->nr_rows, sizeof(row), key_cmp);
		if (old) {
			row.count -= old->count;
			row.timed -= old->timed;
			row.time_ns -= old->time_ns;
		}
		if (!row.count && !row.timed)
			continue;
		row.has_minmax = row.has_minmax && row.timed;
		out->rows[out->nr_rows++] = row;
	}
	for (int h = 0; h < EXITSTAT_NR_HISTS; h++)
		for (int s = 0; s < EXITSTAT_HIST_SLOTS; s++)
			out->hists[h][s] = cur->hists[h][s] - (prev ? prev->hists[h][s] : 0);
	for (int r = 0; r < EXITSTAT_REASON_SLOTS; r++)
		out->reasons[r] = cur->reasons[r] - (prev ? prev->reasons[r] : 0);
	for (int c = 0; c < EXITSTAT_NR_COUNTERS; c++)
		out->counters[c] = cur->counters[c] - (prev ? prev->counters[c] : 0);
	return 0;
}

void exitstat_snapshot_free(struct exitstat_snapshot *snap)
{
	free(snap->rows);
	snap->rows = NULL;
	snap->nr_rows = 0;
}
