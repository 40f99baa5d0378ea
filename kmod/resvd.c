// SPDX-License-Identifier: GPL-2.0
/*
 * hyperv_resvd_new: is the Microsoft Hypervisor's own memory kept from Linux?
 *
 * On an mshv root partition, Mariner's boot stub names the hypervisor's code
 * and data on the kernel command line, hyperv_resvd_new=<size>!<start>,...,
 * and the kernel reserves those ranges. A kernel without that patch, or a
 * boot entry that lost the parameter or keeps a stale copy, lets Linux hand
 * the hypervisor's memory to a driver or a guest. At load, this file parses
 * the running kernel's command line with the parser mshv-vmm uses
 * (common/resvd.c), checks each range once against the page allocator and
 * the iomem tree, claims the ranges it safely can when asked to
 * (resvd_claim=1), and keeps the results, unchanged until unload, for
 * /sys/kernel/mshv_fastpath/resvd/:
 *
 *   count        ranges parsed: 0 when the parameter is absent or invalid
 *   status       ok (every range reserved or claimed), unprotected, invalid
 *                (also when the command line cannot be read) or absent
 *   error        why it is invalid, else empty
 *   setup_data   "0x<start> 0x<size>" per SETUP_MSHV entry the boot loader
 *                chained, in chain order (sysfs shows no address of those)
 *   N/           one directory per range, from 0: start, size, end
 *                (inclusive, as in /proc/iomem), status (reserved,
 *                unprotected or claimed) and detail (one line: why)
 *
 * It is a diagnostic: whatever it finds, the module loads.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": hyperv_resvd_new: " fmt

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/kobject.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/pfn.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string_helpers.h>
#include <linux/sysfs.h>
#ifdef CONFIG_X86
#include <asm/bootparam.h>
#endif

#include "mshv_fastpath.h"
#include "resvd.h"

static bool resvd_claim;
module_param(resvd_claim, bool, 0444);
MODULE_PARM_DESC(resvd_claim,
		 "Claim the hyperv_resvd_new ranges that nothing reserves and nothing uses, as a busy iomem resource, until unload (default: off)");

/*
 * /proc/cmdline is the command line (at most COMMAND_LINE_SIZE, 2048 on
 * x86) and a newline: one that fills this buffer is not a command line.
 */
#define RESVD_CMDLINE_BUF	4096

/*
 * SETUP_MSHV entries kept for sysfs: the stub chains one per range and the
 * kernel takes at most RESVD_MAX_RANGES; a page holds 64 lines of them.
 */
#define RESVD_SETUP_MAX		(2 * RESVD_MAX_RANGES)

enum resvd_verdict {
	RESVD_RESERVED,
	RESVD_UNPROTECTED,
	RESVD_CLAIMED,
};

static const char * const resvd_verdict_names[] = {
	[RESVD_RESERVED] = "reserved",
	[RESVD_UNPROTECTED] = "unprotected",
	[RESVD_CLAIMED] = "claimed",
};

struct resvd_range_state {
	u64 start;
	u64 size;
	enum resvd_verdict verdict;
	char detail[224];
	struct resource *claim;		/* our busy resource while claimed */
	struct kobject *kobj;		/* resvd/N */
};

/*
 * Filled once by mshv_fp_resvd_init() before sysfs shows it, then only
 * read until mshv_fp_resvd_exit() releases the claims: no lock.
 */
static struct {
	const char *status;		/* ok, unprotected, invalid, absent */
	char error[160];
	unsigned int nr;
	struct resvd_range_state range[RESVD_MAX_RANGES];
	unsigned int nr_setup;
	struct resvd_range setup[RESVD_SETUP_MAX];
	struct kobject *kobj;		/* resvd/ */
} resvd;

/*
 * Read up to @size bytes from @pos of the file at @path; *@len gets how
 * many. Neither saved_command_line nor boot_params is exported to modules,
 * so the module reads what the kernel shows in /proc and /sys, as the
 * process that loads it (root).
 */
static int resvd_read_file(const char *path, loff_t pos, void *buf, size_t size,
			   size_t *len)
{
	struct file *file;
	ssize_t n = 0;

	*len = 0;
	file = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(file))
		return PTR_ERR(file);
	while (*len < size) {
		n = kernel_read(file, (char *)buf + *len, size - *len, &pos);
		if (n <= 0)
			break;
		*len += n;
	}
	filp_close(file, NULL);
	return n < 0 ? n : 0;
}

/* The check of one range: what the two iomem walks found in it. */
struct resvd_walk {
	u64 end;			/* the range's last byte */
	unsigned long alloc_pages;	/* pages the allocator may hand out */
	u64 first_alloc;
	u64 next;			/* first byte the iomem walk has not passed */
	bool reached_end;
	bool gap, gap_window;		/* the first uncovered piece, and its kind */
	u64 gap_start, gap_end;
};

/*
 * Called for each piece of "System RAM" in the range: the allocator manages
 * no page outside System RAM (its memory comes from the firmware's RAM
 * entries, and hotplugged memory is added as System RAM too), so walking
 * these pieces bounds the loop by the RAM there is, whatever the range's
 * size. A page is the allocator's (free or in use) when it is online (its
 * memmap is initialised) and not PG_reserved: memblock_free_all() marks
 * PG_reserved what memblock keeps (the kernel's image, early allocations,
 * memmap= and hyperv_resvd_new ranges, holes) and gives every other page to
 * the allocator with the flag clear. A compound page came from the
 * allocator (or hugetlb's share of it) and must not be asked
 * PageReserved() (PF_NO_COMPOUND).
 */
static int resvd_ram_piece(struct resource *res, void *arg)
{
	unsigned long pfn = PFN_UP(res->start), end_pfn = PFN_DOWN(res->end + 1);
	struct resvd_walk *w = arg;

	for (; pfn < end_pfn; pfn++) {
		struct page *page = pfn_to_online_page(pfn);

		if (page && (PageCompound(page) || !PageReserved(page)) &&
		    !w->alloc_pages++)
			w->first_alloc = PFN_PHYS(pfn);
		if (!(pfn % 4096))
			cond_resched();
	}
	return 0;
}

static void resvd_note_gap(struct resvd_walk *w, u64 start, u64 end, bool window)
{
	if (!w->gap) {
		w->gap = true;
		w->gap_window = window;
		w->gap_start = start;
		w->gap_end = end;
	} else if (w->gap_window == window && w->gap_end + 1 == start) {
		w->gap_end = end;
	}
}

/*
 * walk_iomem_res_desc() gives, in address order and without overlaps, the
 * part within the range of the outermost resource that covers each
 * address (6.1 and 5.15 alike: it descends into a resource only when that
 * one does not match the flags, and goes on after the end of each match).
 * Addresses between pieces belong to no resource: nothing stops a driver
 * or a PCI BAR from taking them. A host bridge window (IORESOURCE_WINDOW)
 * covers nothing either: it is where PCI devices get their addresses. What
 * lies inside a window is not seen (the walk returns the window itself), so
 * a piece there is unprotected even where a BAR or a reservation in the
 * window covers it; resvd_claim_range() looks again.
 */
static int resvd_iomem_piece(struct resource *res, void *arg)
{
	struct resvd_walk *w = arg;

	if (res->start > w->next)
		resvd_note_gap(w, w->next, res->start - 1, false);
	if (res->flags & IORESOURCE_WINDOW)
		resvd_note_gap(w, res->start, res->end, true);
	if (res->end >= w->end)
		w->reached_end = true;
	else
		w->next = res->end + 1;
	return 0;
}

static void resvd_format_size(char *buf, int len, u64 bytes)
{
	string_get_size(bytes, 1, STRING_UNITS_2, buf, len);
}

/*
 * Unprotected ranges with no page of the allocator in them may be claimed:
 * request_mem_region() makes a busy resource, which no driver can request
 * or map and no PCI BAR can be placed over. It refuses a range that a busy
 * resource is in the way of, or that only partly overlaps another one. It
 * nests the claim in the innermost resource that holds the whole range: a
 * host bridge window or the root is fine, anything else lies inside a
 * window, where the walk does not look, and is likely a device's BAR, so
 * the claim is given back.
 */
static void resvd_claim_range(struct resvd_range_state *r, size_t len)
{
	char *tail = r->detail + len;
	size_t room = sizeof(r->detail) - len;
	struct resource *parent;

	r->claim = request_mem_region(r->start, r->size, RESVD_CLAIM_NAME);
	if (!r->claim) {
		if (r->start + (r->size - 1) > iomem_resource.end)
			snprintf(tail, room, "; cannot be claimed: iomem ends at 0x%llx",
				 (unsigned long long)iomem_resource.end);
		else
			snprintf(tail, room,
				 "; cannot be claimed: a busy resource is in the way, or one it overlaps in part");
		return;
	}
	parent = r->claim->parent;
	if (parent != &iomem_resource && !(parent->flags & IORESOURCE_WINDOW)) {
		release_mem_region(r->start, r->size);
		r->claim = NULL;
		snprintf(tail, room,
			 "; not claimed: it lies inside 0x%llx-0x%llx, a resource in the window (a device's?)",
			 (unsigned long long)parent->start, (unsigned long long)parent->end);
		return;
	}
	r->verdict = RESVD_CLAIMED;
	snprintf(tail, room, "; claimed as \"%s\"", RESVD_CLAIM_NAME);
}

static void resvd_check_range(unsigned int index, struct resvd_range_state *r)
{
	struct resvd_walk w = {
		.end = r->start + (r->size - 1),
		.next = r->start,
	};
	char size[16];
	int len;

	walk_iomem_res_desc(IORES_DESC_NONE, IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY,
			    r->start, w.end, &w, resvd_ram_piece);
	walk_iomem_res_desc(IORES_DESC_NONE, IORESOURCE_MEM, r->start, w.end, &w,
			    resvd_iomem_piece);
	if (!w.reached_end)
		resvd_note_gap(&w, w.next, w.end, false);

	if (w.alloc_pages) {
		r->verdict = RESVD_UNPROTECTED;
		len = snprintf(r->detail, sizeof(r->detail),
			       "%lu page%s of System RAM the allocator manages, first at 0x%llx",
			       w.alloc_pages, w.alloc_pages == 1 ? "" : "s", w.first_alloc);
	} else if (w.gap) {
		r->verdict = RESVD_UNPROTECTED;
		len = snprintf(r->detail, sizeof(r->detail),
			       w.gap_window ?
			       "0x%llx-0x%llx is in a PCI host bridge window" :
			       "no iomem resource covers 0x%llx-0x%llx",
			       w.gap_start, w.gap_end);
	} else {
		r->verdict = RESVD_RESERVED;
		len = snprintf(r->detail, sizeof(r->detail),
			       "covered by iomem resources, no allocatable page");
	}
	if (r->verdict == RESVD_UNPROTECTED && !w.alloc_pages && resvd_claim)
		resvd_claim_range(r, min_t(size_t, len, sizeof(r->detail) - 1));

	resvd_format_size(size, sizeof(size), r->size);
	if (r->verdict == RESVD_CLAIMED)
		pr_info("range %u (0x%llx-0x%llx, %s): %s\n", index, r->start, w.end, size,
			r->detail);
	else if (w.alloc_pages)
		pr_warn("range %u (0x%llx-0x%llx, %s) unprotected: %s; not fixable at runtime: boot a kernel that honours hyperv_resvd_new, or add memmap=0x%llx$0x%llx\n",
			index, r->start, w.end, size, r->detail, r->size, r->start);
	else if (r->verdict == RESVD_UNPROTECTED)
		pr_warn("range %u (0x%llx-0x%llx, %s) unprotected: %s%s\n", index, r->start,
			w.end, size, r->detail,
			resvd_claim ? "" : "; resvd_claim=1 would try to claim it");
}

/* Whether /dev/mshv exists: on a host without it, absence is normal. */
static bool resvd_mshv_host(void)
{
	struct path path;

	if (kern_path("/dev/mshv", LOOKUP_FOLLOW, &path))
		return false;
	path_put(&path);
	return true;
}

/* Parse the command line into resvd.range[]; returns the status. */
static const char *resvd_parse_running_cmdline(char *buf)
{
	struct resvd_error err;
	struct resvd_list list;
	unsigned int i;
	size_t len;
	int ret;

	ret = resvd_read_file("/proc/cmdline", 0, buf, RESVD_CMDLINE_BUF, &len);
	if (ret) {
		snprintf(resvd.error, sizeof(resvd.error),
			 "cannot read /proc/cmdline (error %d)", ret);
		return "invalid";
	}
	if (len == RESVD_CMDLINE_BUF) {
		snprintf(resvd.error, sizeof(resvd.error),
			 "/proc/cmdline is longer than %d bytes", RESVD_CMDLINE_BUF - 1);
		return "invalid";
	}
	ret = resvd_parse_cmdline(buf, len, &list, &err);
	if (ret < 0) {
		if (err.occurrence)
			snprintf(resvd.error, sizeof(resvd.error), "occurrence %u: %s",
				 err.occurrence + 1, err.msg);
		else
			strscpy(resvd.error, err.msg, sizeof(resvd.error));
		return "invalid";
	}
	if (!ret)
		return "absent";
	if (ret > 1)
		pr_notice("%d occurrences: the kernel reserves the ranges of each; checking the last one's (the boot stub appends it)\n",
			  ret);
	for (i = 0; i < list.nr; i++) {
		resvd.range[i].start = list.r[i].start;
		resvd.range[i].size = list.r[i].size;
	}
	resvd.nr = list.nr;
	return "ok";
}

#ifdef CONFIG_X86
/*
 * Mariner's boot stub (drivers/firmware/efi/libstub/x86-efi-mshv.c) chains
 * one SETUP_INDIRECT node per range, whose struct setup_indirect has type
 * SETUP_MSHV, addr the start and len the size. SETUP_MSHV is Mariner's
 * alone: upstream gives 7 to SETUP_CC_BLOB (>= 5.19), a direct node whose
 * setup_data.type is 7. Only an indirect node's inner type is taken for
 * SETUP_MSHV, so the two never mix; si.addr's memory is never read (it is
 * the hypervisor's).
 */
#define RESVD_SETUP_MSHV	7
/* A longer chain is taken for garbage. */
#define RESVD_SETUP_MAX_NODES	256

/*
 * Copy @size bytes at physical address @pa, which must be System RAM, as
 * setup_data is (the kernel marks it E820_TYPE_RESERVED_KERN). memremap()
 * would warn on a range that is partly RAM and map anything else as
 * cacheable I/O memory; on System RAM it gives the direct map.
 */
static bool resvd_copy_phys(u64 pa, void *dst, size_t size)
{
	void *src;

	if (size > U64_MAX - pa ||
	    region_intersects(pa, size, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) !=
	    REGION_INTERSECTS)
		return false;
	src = memremap(pa, size, MEMREMAP_WB);
	if (!src)
		return false;
	memcpy(dst, src, size);
	memunmap(src);
	return true;
}

/*
 * Collect the SETUP_MSHV entries, walking the chain as
 * arch/x86/kernel/ksysfs.c does, from boot_params.hdr.setup_data, read
 * through /sys/kernel/boot_params/data. A broken chain is reported once;
 * the entries before the break are kept.
 */
static int resvd_read_setup_data(void)
{
	const loff_t pos = offsetof(struct boot_params, hdr.setup_data);
	const char *problem = NULL;
	struct setup_indirect si;
	struct setup_data sd;
	unsigned int n, i;
	u64 pa, *seen;
	size_t len;
	int ret;

	BUILD_BUG_ON(offsetof(struct boot_params, hdr.setup_data) != 0x250);
	ret = resvd_read_file("/sys/kernel/boot_params/data", pos, &pa, sizeof(pa), &len);
	if (ret || len != sizeof(pa)) {
		pr_warn("cannot read /sys/kernel/boot_params/data (error %d): setup_data not read\n",
			ret);
		return 0;
	}
	seen = kcalloc(RESVD_SETUP_MAX_NODES, sizeof(*seen), GFP_KERNEL);
	if (!seen)
		return -ENOMEM;
	for (n = 0; pa && !problem; n++) {
		for (i = 0; i < n && seen[i] != pa; i++)
			;
		if (i < n)
			problem = "is an earlier node's (a loop)";
		else if (n == RESVD_SETUP_MAX_NODES)
			problem = "is past the 256th node";
		else if (!resvd_copy_phys(pa, &sd, sizeof(sd)))
			problem = "is not System RAM";
		else if (sd.type == SETUP_INDIRECT && sd.len < sizeof(si))
			problem = "is SETUP_INDIRECT with a payload too short";
		else if (sd.type == SETUP_INDIRECT &&
			 !resvd_copy_phys(pa + offsetof(struct setup_data, data), &si, sizeof(si)))
			problem = "has its payload outside System RAM";
		if (problem) {
			pr_warn("setup_data node %u at 0x%llx %s: the rest of the chain is not read\n",
				n, pa, problem);
			break;
		}
		seen[n] = pa;
		if (sd.type == SETUP_INDIRECT && si.type == RESVD_SETUP_MSHV) {
			if (resvd.nr_setup == RESVD_SETUP_MAX) {
				pr_warn("more than %d SETUP_MSHV entries: the rest are not shown\n",
					RESVD_SETUP_MAX);
				break;
			}
			resvd.setup[resvd.nr_setup].start = si.addr;
			resvd.setup[resvd.nr_setup].size = si.len;
			resvd.nr_setup++;
		}
		pa = sd.next;
	}
	kfree(seen);
	return 0;
}
#else
/* setup_data is x86's boot protocol. */
static int resvd_read_setup_data(void)
{
	return 0;
}
#endif

/* Check the running kernel's hyperv_resvd_new. Fails only for lack of memory. */
int mshv_fp_resvd_init(void)
{
	unsigned int i, unprotected = 0, claimed = 0;
	char *buf, size[16];
	u64 total = 0;
	int ret;

	ret = resvd_read_setup_data();
	if (ret)
		return ret;
	buf = kmalloc(RESVD_CMDLINE_BUF, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	resvd.status = resvd_parse_running_cmdline(buf);
	kfree(buf);

	if (!strcmp(resvd.status, "invalid")) {
		pr_warn("invalid: %s\n", resvd.error);
		return 0;
	}
	if (!strcmp(resvd.status, "absent")) {
		/* Quiet where there is no mshv: no noise for KVM users. */
		if (resvd.nr_setup)
			pr_notice("absent, but the boot loader chained %u SETUP_MSHV ranges (resvd/setup_data)\n",
				  resvd.nr_setup);
		else if (resvd_mshv_host())
			pr_info("absent from the kernel command line of this mshv host\n");
		return 0;
	}
	for (i = 0; i < resvd.nr; i++) {
		resvd_check_range(i, &resvd.range[i]);
		unprotected += resvd.range[i].verdict == RESVD_UNPROTECTED;
		claimed += resvd.range[i].verdict == RESVD_CLAIMED;
		total += resvd.range[i].size;
	}
	if (unprotected) {
		resvd.status = "unprotected";
		return 0;
	}
	resvd_format_size(size, sizeof(size), total);
	pr_info("%u range%s, %s, all reserved%s\n", resvd.nr, resvd.nr == 1 ? "" : "s", size,
		claimed ? " or claimed" : "");
	return 0;
}

/* Release the claims: at unload, and when the module's init fails. */
void mshv_fp_resvd_exit(void)
{
	unsigned int i;

	for (i = 0; i < resvd.nr; i++) {
		struct resvd_range_state *r = &resvd.range[i];

		if (r->claim) {
			release_mem_region(r->start, r->size);
			r->claim = NULL;
		}
	}
}

static ssize_t resvd_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf);
static struct kobj_attribute resvd_count_attr = __ATTR(count, 0444, resvd_show, NULL);
static struct kobj_attribute resvd_status_attr = __ATTR(status, 0444, resvd_show, NULL);
static struct kobj_attribute resvd_error_attr = __ATTR(error, 0444, resvd_show, NULL);
static struct kobj_attribute resvd_setup_attr = __ATTR(setup_data, 0444, resvd_show, NULL);

static ssize_t resvd_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	unsigned int i;
	int len = 0;

	if (attr == &resvd_count_attr)
		return sysfs_emit(buf, "%u\n", resvd.nr);
	if (attr == &resvd_status_attr)
		return sysfs_emit(buf, "%s\n", resvd.status);
	if (attr == &resvd_error_attr)
		return sysfs_emit(buf, "%s\n", resvd.error);
	for (i = 0; i < resvd.nr_setup; i++)
		len += sysfs_emit_at(buf, len, "0x%llx 0x%llx\n", resvd.setup[i].start,
				     resvd.setup[i].size);
	return len;
}

static struct attribute *resvd_attrs[] = {
	&resvd_count_attr.attr,
	&resvd_status_attr.attr,
	&resvd_error_attr.attr,
	&resvd_setup_attr.attr,
	NULL,
};

static const struct attribute_group resvd_group = {
	.attrs = resvd_attrs,
};

/* resvd/N/: one show for the five files, the range found by its kobject. */
static ssize_t resvd_range_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf);
static struct kobj_attribute resvd_start_attr = __ATTR(start, 0444, resvd_range_show, NULL);
static struct kobj_attribute resvd_size_attr = __ATTR(size, 0444, resvd_range_show, NULL);
static struct kobj_attribute resvd_end_attr = __ATTR(end, 0444, resvd_range_show, NULL);
static struct kobj_attribute resvd_verdict_attr = __ATTR(status, 0444, resvd_range_show, NULL);
static struct kobj_attribute resvd_detail_attr = __ATTR(detail, 0444, resvd_range_show, NULL);

static ssize_t resvd_range_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	const struct resvd_range_state *r = NULL;
	unsigned int i;

	for (i = 0; i < resvd.nr && !r; i++)
		if (resvd.range[i].kobj == kobj)
			r = &resvd.range[i];
	if (!r)
		return -ENODEV;
	if (attr == &resvd_start_attr)
		return sysfs_emit(buf, "0x%llx\n", r->start);
	if (attr == &resvd_size_attr)
		return sysfs_emit(buf, "0x%llx\n", r->size);
	if (attr == &resvd_end_attr)
		return sysfs_emit(buf, "0x%llx\n", r->start + (r->size - 1));
	if (attr == &resvd_verdict_attr)
		return sysfs_emit(buf, "%s\n", resvd_verdict_names[r->verdict]);
	return sysfs_emit(buf, "%s\n", r->detail);
}

static struct attribute *resvd_range_attrs[] = {
	&resvd_start_attr.attr,
	&resvd_size_attr.attr,
	&resvd_end_attr.attr,
	&resvd_verdict_attr.attr,
	&resvd_detail_attr.attr,
	NULL,
};

static const struct attribute_group resvd_range_group = {
	.attrs = resvd_range_attrs,
};

/* resvd/ under @parent (/sys/kernel/mshv_fastpath), after mshv_fp_resvd_init(). */
int mshv_fp_resvd_sysfs_init(struct kobject *parent)
{
	unsigned int i;
	char name[12];
	int ret;

	resvd.kobj = kobject_create_and_add("resvd", parent);
	if (!resvd.kobj)
		return -ENOMEM;
	ret = sysfs_create_group(resvd.kobj, &resvd_group);
	for (i = 0; i < resvd.nr && !ret; i++) {
		snprintf(name, sizeof(name), "%u", i);
		resvd.range[i].kobj = kobject_create_and_add(name, resvd.kobj);
		if (!resvd.range[i].kobj)
			ret = -ENOMEM;
		else
			ret = sysfs_create_group(resvd.range[i].kobj, &resvd_range_group);
	}
	if (ret)
		mshv_fp_resvd_sysfs_exit();
	return ret;
}

void mshv_fp_resvd_sysfs_exit(void)
{
	unsigned int i;

	/* Removing a kobject removes its files too. */
	for (i = 0; i < resvd.nr; i++) {
		kobject_put(resvd.range[i].kobj);
		resvd.range[i].kobj = NULL;
	}
	kobject_put(resvd.kobj);
	resvd.kobj = NULL;
}
