// SPDX-License-Identifier: GPL-2.0
/*
 * mshv-exitstat's reports. The text is laid out like perf kvm stat's (one
 * row per exit kind and port, address or reason, with its share of the
 * exits and of the time, and min/avg/max), followed by the fast-path hit
 * ratio, the two latency histograms and the hardware's exit reasons. The
 * JSON carries the same numbers, unrounded (docs/exitstat.md: the schema).
 */
#include <inttypes.h>
#include <stdlib.h>

#include "exitstat-names.h"
#include "exitstat-report.h"

#define HIST_BAR_WIDTH 40

/* Where the exits of a report went. */
struct totals {
	__u64 exits, in_kernel, forwarded;
	__u64 fp_exits, fp_handled;	/* seen by the module */
	__u64 time_ns;
};

static bool by_module(unsigned int by)
{
	return by <= 3 || by == EXITSTAT_FORWARDED;
}

static bool in_kernel(unsigned int by)
{
	return by <= 3 || by == EXITSTAT_BY_KVM;
}

static struct totals sum_totals(const struct exitstat_snapshot *s)
{
	struct totals t = { 0 };

	for (size_t i = 0; i < s->nr_rows; i++) {
		const struct exitstat_snap_row *r = &s->rows[i];

		t.exits += r->count;
		t.time_ns += r->time_ns;
		if (in_kernel(r->key.by))
			t.in_kernel += r->count;
		else
			t.forwarded += r->count;
		if (by_module(r->key.by)) {
			t.fp_exits += r->count;
			if (r->key.by != EXITSTAT_FORWARDED)
				t.fp_handled += r->count;
		}
	}
	return t;
}

static double pct(__u64 part, __u64 whole)
{
	return whole ? 100.0 * part / whole : 0.0;
}

/* Most exits first; then most time. */
static int row_order(const void *a, const void *b)
{
	const struct exitstat_snap_row *x = *(const struct exitstat_snap_row *const *)a;
	const struct exitstat_snap_row *y = *(const struct exitstat_snap_row *const *)b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (x->time_ns != y->time_ns)
		return x->time_ns < y->time_ns ? 1 : -1;
	return 0;
}

static const struct exitstat_snap_row **sorted_rows(const struct exitstat_snapshot *s)
{
	const struct exitstat_snap_row **rows = calloc(s->nr_rows + 1, sizeof(*rows));

	if (!rows)
		return NULL;
	for (size_t i = 0; i < s->nr_rows; i++)
		rows[i] = &s->rows[i];
	qsort(rows, s->nr_rows, sizeof(*rows), row_order);
	return rows;
}

/* "812ns", "1.42us", "15.3us", "1.20ms", "2.50s" */
static const char *fmt_ns(char *buf, size_t size, double ns)
{
	static const char *const units[] = { "ns", "us", "ms", "s" };
	int u = 0;

	while (ns >= 1000.0 && u < 3) {
		ns /= 1000.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%.0f%s", ns, units[u]);
	else
		snprintf(buf, size, ns < 10 ? "%.2f%s" : ns < 100 ? "%.1f%s" : "%.0f%s", ns,
			 units[u]);
	return buf;
}

/* The port or address of a row, or its reason ("svm:hlt"). */
static const char *fmt_where(char *buf, size_t size, const struct exitstat_key *k)
{
	char name[32];

	if (k->kind == EXITSTAT_KIND_OTHER)
		snprintf(buf, size, "%s:%s", exitstat_reason_space_name(k->reason_space),
			 exitstat_reason_name(k->reason_space, k->reason, name, sizeof(name)));
	else
		snprintf(buf, size, "%#" PRIx64, (uint64_t)k->addr);
	return buf;
}

static const char *direction(const struct exitstat_key *k)
{
	if (k->kind == EXITSTAT_KIND_OTHER)
		return "-";
	return k->write ? "write" : "read";
}

static void print_table(FILE *out, const struct exitstat_snapshot *s, const struct totals *t,
			size_t max_rows)
{
	const struct exitstat_snap_row **rows = sorted_rows(s);
	char where[48], min[16], avg[16], max[16];
	__u64 rest_count = 0;
	size_t rest = 0;

	if (!rows)
		return;
	fprintf(out, "%-6s %-24s %-5s %-10s %10s %7s %7s %8s %8s %8s\n", "KIND",
		"PORT/ADDRESS/REASON", "DIR", "BY", "COUNT", "%", "TIME%", "MIN", "AVG", "MAX");
	for (size_t i = 0; i < s->nr_rows; i++) {
		const struct exitstat_snap_row *r = rows[i];

		if (max_rows && i >= max_rows) {
			rest++;
			rest_count += r->count;
			continue;
		}
		snprintf(min, sizeof(min), "-");
		snprintf(avg, sizeof(avg), "-");
		snprintf(max, sizeof(max), "-");
		if (r->timed)
			fmt_ns(avg, sizeof(avg), (double)r->time_ns / r->timed);
		if (r->has_minmax) {
			fmt_ns(min, sizeof(min), r->min_ns);
			fmt_ns(max, sizeof(max), r->max_ns);
		}
		fprintf(out, "%-6s %-24s %-5s %-10s %10" PRIu64 " %7.2f %7.2f %8s %8s %8s\n",
			exitstat_kind_name(r->key.kind), fmt_where(where, sizeof(where), &r->key),
			direction(&r->key), exitstat_by_name(r->key.by), (uint64_t)r->count,
			pct(r->count, t->exits), pct(r->time_ns, t->time_ns), min, avg, max);
	}
	if (rest)
		fprintf(out, "(%zu more rows: %" PRIu64 " exits; -n 0 shows all)\n", rest,
			(uint64_t)rest_count);
	fprintf(out, "%-6s %-24s %-5s %-10s %10" PRIu64 " %7.2f %7.2f\n", "total", "", "", "",
		(uint64_t)t->exits, t->exits ? 100.0 : 0.0, t->time_ns ? 100.0 : 0.0);
	free(rows);
}

static void print_hist(FILE *out, const char *title, const __u64 *slots)
{
	int first = -1, last = -1;
	__u64 total = 0, peak = 0;

	for (int i = 0; i < EXITSTAT_HIST_SLOTS; i++) {
		if (!slots[i])
			continue;
		if (first < 0)
			first = i;
		last = i;
		total += slots[i];
		if (slots[i] > peak)
			peak = slots[i];
	}
	fprintf(out, "\n%s: %" PRIu64 " exits\n", title, (uint64_t)total);
	if (first < 0)
		return;
	fprintf(out, "%24s : %-10s distribution\n", "ns", "count");
	for (int i = first; i <= last; i++) {
		__u64 from = i ? 1ULL << (i - 1) : 0, to = i ? (1ULL << (i - 1)) * 2 - 1 : 0;
		int stars = (int)(slots[i] * HIST_BAR_WIDTH / peak);

		fprintf(out, "%11" PRIu64 " -> %-9" PRIu64 " : %-10" PRIu64 " |%-*.*s|\n",
			(uint64_t)from, (uint64_t)to, (uint64_t)slots[i], HIST_BAR_WIDTH, stars,
			"****************************************");
	}
}

/*
 * The reason and its space of a slot of the reasons array. AMD's last slot
 * also holds the codes above it (SEV-ES's VMGEXIT ones): it is shown as
 * VMEXIT_INVALID, the one of them a guest without SEV-ES can cause.
 */
static void reason_of_slot(int slot, unsigned int *space, __u32 *reason)
{
	if (slot < EXITSTAT_SVM_SLOTS) {
		*space = EXITSTAT_REASON_SVM;
		*reason = slot == EXITSTAT_SVM_SLOTS - 1 ? 0xffffffffu : (__u32)slot;
	} else {
		*space = EXITSTAT_REASON_VMX;
		*reason = slot - EXITSTAT_SVM_SLOTS;
	}
}

static __u64 hardware_exits(const struct exitstat_snapshot *s)
{
	__u64 n = 0;

	for (int i = 0; i < EXITSTAT_REASON_SLOTS; i++)
		n += s->reasons[i];
	return n;
}

static void print_reasons(FILE *out, const struct exitstat_snapshot *s, const struct totals *t,
			  const struct exitstat_view *v)
{
	__u64 total = hardware_exits(s);
	char name[32];

	fprintf(out, "\nHardware exits (kvm:kvm_exit): %" PRIu64, (uint64_t)total);
	if (v->module && !v->kvm_exits)
		fprintf(out, "; the module saw %" PRIu64 ", KVM finished the others itself "
			"(-s kvm follows those too)", (uint64_t)t->fp_exits);
	fprintf(out, "\n");
	/* Few slots are ever non-zero: print them most first, by repeated scans. */
	for (__u64 above = UINT64_MAX;;) {
		__u64 best = 0;

		for (int i = 0; i < EXITSTAT_REASON_SLOTS; i++)
			if (s->reasons[i] < above && s->reasons[i] > best)
				best = s->reasons[i];
		if (!best)
			break;
		for (int i = 0; i < EXITSTAT_REASON_SLOTS; i++) {
			unsigned int space;
			__u32 reason;

			if (s->reasons[i] != best)
				continue;
			reason_of_slot(i, &space, &reason);
			fprintf(out, "  %-3s %-28s %10" PRIu64 " %7.2f %%\n",
				exitstat_reason_space_name(space),
				exitstat_reason_name(space, reason, name, sizeof(name)),
				(uint64_t)best, pct(best, total));
		}
		above = best;
	}
}

static const char *sources_name(const struct exitstat_view *v)
{
	if (v->module)
		return v->kvm_reasons ? "mshv_fastpath, kvm_exit reasons" : "mshv_fastpath";
	return "kvm";
}

static void print_filters(FILE *out, const struct exitstat_view *v)
{
	if (v->pid)
		fprintf(out, ", pid %" PRIu32, v->pid);
	if (v->tid)
		fprintf(out, ", tid %" PRIu32, v->tid);
	if (v->vcpu_on)
		fprintf(out, ", vcpu %" PRIu32, v->vcpu);
}

void exitstat_print_text(FILE *out, const struct exitstat_snapshot *s,
			 const struct exitstat_view *v)
{
	struct totals t = sum_totals(s);

	if (v->interval)
		fprintf(out, "\n=== interval %u: %.2f s", v->interval, v->seconds);
	else
		fprintf(out, "\n=== %.2f s", v->seconds);
	fprintf(out, ", sources: %s", sources_name(v));
	print_filters(out, v);
	fprintf(out, "\n\n");

	print_table(out, s, &t, v->max_rows);
	fprintf(out, "\nExits: %" PRIu64 " (%.0f/s): in the kernel %" PRIu64 " (%.2f %%), "
		"forwarded to userspace %" PRIu64 " (%.2f %%)\n", (uint64_t)t.exits,
		v->seconds > 0 ? t.exits / v->seconds : 0.0, (uint64_t)t.in_kernel,
		pct(t.in_kernel, t.exits), (uint64_t)t.forwarded, pct(t.forwarded, t.exits));
	if (v->module)
		fprintf(out, "Fast path: %" PRIu64 " of the %" PRIu64 " exits the module saw were "
			"finished in the kernel: hit ratio %.2f %%\n", (uint64_t)t.fp_handled,
			(uint64_t)t.fp_exits, pct(t.fp_handled, t.fp_exits));
	if (s->counters[EXITSTAT_CNT_DROPPED])
		fprintf(out, "Not counted: %" PRIu64 " events (a map was full)\n",
			(uint64_t)s->counters[EXITSTAT_CNT_DROPPED]);

	print_hist(out, "Handled in the kernel", s->hists[EXITSTAT_HIST_KERNEL]);
	print_hist(out, "Round trip through userspace", s->hists[EXITSTAT_HIST_USER]);
	if (v->kvm_reasons)
		print_reasons(out, s, &t, v);
	fflush(out);
}

static void json_u32_or_null(FILE *out, const char *name, bool set, __u32 value)
{
	if (set)
		fprintf(out, "\"%s\":%" PRIu32, name, value);
	else
		fprintf(out, "\"%s\":null", name);
}

static void json_row(FILE *out, const struct exitstat_snap_row *r)
{
	const struct exitstat_key *k = &r->key;
	char name[32];

	fprintf(out, "{\"kind\":\"%s\",", exitstat_kind_name(k->kind));
	if (k->kind == EXITSTAT_KIND_OTHER)
		fprintf(out, "\"addr\":null,\"write\":null,\"reason\":%" PRIu32 ","
			"\"reason_space\":\"%s\",\"reason_name\":\"%s\",", k->reason,
			exitstat_reason_space_name(k->reason_space),
			exitstat_reason_name(k->reason_space, k->reason, name, sizeof(name)));
	else
		fprintf(out, "\"addr\":%" PRIu64 ",\"write\":%s,\"reason\":null,"
			"\"reason_space\":null,\"reason_name\":null,", (uint64_t)k->addr,
			k->write ? "true" : "false");
	fprintf(out, "\"by\":\"%s\",\"in_kernel\":%s,\"origin\":\"%s\",", exitstat_by_name(k->by),
		in_kernel(k->by) ? "true" : "false", by_module(k->by) ? "mshv_fastpath" : "kvm");
	fprintf(out, "\"count\":%" PRIu64 ",\"timed\":%" PRIu64 ",\"time_ns\":%" PRIu64 ",",
		(uint64_t)r->count, (uint64_t)r->timed, (uint64_t)r->time_ns);
	if (r->has_minmax)
		fprintf(out, "\"min_ns\":%" PRIu64 ",", (uint64_t)r->min_ns);
	else
		fprintf(out, "\"min_ns\":null,");
	if (r->timed)
		fprintf(out, "\"avg_ns\":%" PRIu64 ",", (uint64_t)(r->time_ns / r->timed));
	else
		fprintf(out, "\"avg_ns\":null,");
	if (r->has_minmax)
		fprintf(out, "\"max_ns\":%" PRIu64 "}", (uint64_t)r->max_ns);
	else
		fprintf(out, "\"max_ns\":null}");
}

static void json_hist(FILE *out, const char *name, const __u64 *slots)
{
	bool first = true;

	fprintf(out, "\"%s\":[", name);
	for (int i = 0; i < EXITSTAT_HIST_SLOTS; i++) {
		__u64 from = i ? 1ULL << (i - 1) : 0, to = i ? (1ULL << (i - 1)) * 2 - 1 : 0;

		if (!slots[i])
			continue;
		fprintf(out, "%s{\"from\":%" PRIu64 ",\"to\":%" PRIu64 ",\"count\":%" PRIu64 "}",
			first ? "" : ",", (uint64_t)from, (uint64_t)to, (uint64_t)slots[i]);
		first = false;
	}
	fprintf(out, "]");
}

static void json_reasons(FILE *out, const struct exitstat_snapshot *s)
{
	bool first = true;
	char name[32];

	fprintf(out, "{\"exits\":%" PRIu64 ",\"reasons\":[", (uint64_t)hardware_exits(s));
	for (int i = 0; i < EXITSTAT_REASON_SLOTS; i++) {
		unsigned int space;
		__u32 reason;

		if (!s->reasons[i])
			continue;
		reason_of_slot(i, &space, &reason);
		fprintf(out, "%s{\"isa\":\"%s\",\"reason\":%" PRIu32 ",\"name\":\"%s\","
			"\"count\":%" PRIu64 "}", first ? "" : ",",
			exitstat_reason_space_name(space),
			reason, exitstat_reason_name(space, reason, name, sizeof(name)),
			(uint64_t)s->reasons[i]);
		first = false;
	}
	fprintf(out, "]}");
}

void exitstat_print_json(FILE *out, const struct exitstat_snapshot *s,
			 const struct exitstat_view *v)
{
	const struct exitstat_snap_row **rows = sorted_rows(s);
	struct totals t = sum_totals(s);

	if (!rows)
		return;
	fprintf(out, "{\"interval\":%u,\"seconds\":%.6f,", v->interval, v->seconds);
	fprintf(out, "\"sources\":{\"mshv_fastpath\":%s,\"kvm\":%s},",
		v->module ? "true" : "false",
		v->kvm_exits ? "\"exits\"" : v->kvm_reasons ? "\"reasons\"" : "null");
	fprintf(out, "\"filter\":{");
	json_u32_or_null(out, "pid", v->pid, v->pid);
	fprintf(out, ",");
	json_u32_or_null(out, "tid", v->tid, v->tid);
	fprintf(out, ",");
	json_u32_or_null(out, "vcpu", v->vcpu_on, v->vcpu);
	fprintf(out, "},\"exits\":[");
	for (size_t i = 0; i < s->nr_rows; i++) {
		if (i)
			fprintf(out, ",");
		json_row(out, rows[i]);
	}
	fprintf(out, "],\"totals\":{\"exits\":%" PRIu64 ",\"in_kernel\":%" PRIu64 ","
		"\"forwarded\":%" PRIu64 ",\"per_second\":%.1f},", (uint64_t)t.exits,
		(uint64_t)t.in_kernel, (uint64_t)t.forwarded,
		v->seconds > 0 ? t.exits / v->seconds : 0.0);
	if (v->module)
		fprintf(out, "\"fastpath\":{\"exits\":%" PRIu64 ",\"handled\":%" PRIu64 ","
			"\"forwarded\":%" PRIu64 ",\"hit_ratio\":%.6f},", (uint64_t)t.fp_exits,
			(uint64_t)t.fp_handled, (uint64_t)(t.fp_exits - t.fp_handled),
			t.fp_exits ? (double)t.fp_handled / t.fp_exits : 0.0);
	else
		fprintf(out, "\"fastpath\":null,");
	fprintf(out, "\"histograms\":{");
	json_hist(out, "kernel_ns", s->hists[EXITSTAT_HIST_KERNEL]);
	fprintf(out, ",");
	json_hist(out, "userspace_ns", s->hists[EXITSTAT_HIST_USER]);
	fprintf(out, "},\"hardware\":");
	if (v->kvm_reasons)
		json_reasons(out, s);
	else
		fprintf(out, "null");
	fprintf(out, ",\"dropped\":%" PRIu64 "}\n", (uint64_t)s->counters[EXITSTAT_CNT_DROPPED]);
	fflush(out);
	free(rows);
}
