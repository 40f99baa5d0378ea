/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the host says about the hypervisor's memory ranges, for
 * mshv-vmm resvd check and generate: the kernel's resource tree
 * (/proc/iomem), the firmware's memory map (/sys/firmware/memmap), the mshv
 * boot stub's SETUP_MSHV entries (/sys/kernel/boot_params/setup_data) and
 * the mshv_fastpath module's own view (/sys/kernel/mshv_fastpath/resvd).
 * Every path goes through hostfs.h. The files are the kernel's, but they are
 * read as text that may be anything: what does not parse is reported, never
 * guessed at.
 */
#ifndef MSHV_VMM_RESVD_HOST_H
#define MSHV_VMM_RESVD_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include "resvd.h"

/* The name the kernel gives each range it reserves from hyperv_resvd_new. */
#define IOMEM_HYPERVISOR	"Hypervisor Code and Data"
/* A PCI host bridge window: where devices are given their addresses. */
#define IOMEM_PCI_WINDOW	"PCI Bus "

/* The boot stub's setup_data type (an indirect entry: SETUP_INDIRECT | 7). */
#define SETUP_MSHV		7
#define SETUP_MAX		64	/* setup_data entries looked at */

/* ---- /proc/iomem ---- */

struct iomem_entry {
	__u64 start, end;	/* inclusive, as printed */
	unsigned int depth;	/* 0 at the top; two spaces of indentation each */
	int parent;		/* the enclosing entry's index, -1 at the top */
	char name[64];
};

struct iomem {
	struct iomem_entry *entry;	/* in the file's order: each child after its parent */
	size_t nr;
};

/*
 * Read /proc/iomem: 0, or -errno with @why saying what went wrong (-EINVAL:
 * a line that is not "START-END : NAME" at a sensible depth, or entries
 * out of order or outside their parent).
 */
int iomem_read(struct iomem *io, char *why, size_t why_size);
void iomem_free(struct iomem *io);

/* Every address reads 0: the kernel hides them from users without CAP_SYS_ADMIN. */
bool iomem_hidden(const struct iomem *io);

/* The "Hypervisor Code and Data" entries, in address order: how many (@out holds @max). */
unsigned int iomem_hypervisor_ranges(const struct iomem *io, struct resvd_range *out,
				     unsigned int max);

enum resvd_verdict {
	VERDICT_RESERVED,	/* the kernel (or the firmware) keeps Linux off all of it */
	VERDICT_CLAIMED,	/* protected, some of it by the mshv_fastpath module */
	VERDICT_UNPROTECTED,	/* some of it is RAM Linux may hand out, or MMIO space */
	VERDICT_UNKNOWN,	/* cannot tell */
};

struct iomem_verdict {
	enum resvd_verdict verdict;
	bool in_use;		/* a part is RAM the kernel uses for something else */
	char where[200];	/* what covers it: "Hypervisor Code and Data", ... */
};

/* Where [@start, @end] lies in the tree, and what that means. */
void iomem_classify(const struct iomem *io, __u64 start, __u64 end, struct iomem_verdict *v);

/* ---- /sys/firmware/memmap ---- */

struct fwmap_entry {
	__u64 start, end;	/* inclusive */
	char type[48];		/* "System RAM", "Reserved", "ACPI Tables", ... */
};

struct fwmap {
	struct fwmap_entry *entry;	/* sorted by start */
	size_t nr;
};

/* 0, -ENOENT without /sys/firmware/memmap, or -errno with @why. */
int fwmap_read(struct fwmap *map, char *why, size_t why_size);
void fwmap_free(struct fwmap *map);

/* The firmware's type(s) for [@start, @end]: "System RAM", "System RAM + Reserved", ... */
void fwmap_describe(const struct fwmap *map, __u64 start, __u64 end, char *buf, size_t size);

/* ---- /sys/kernel/boot_params/setup_data ---- */

struct setup_entry {
	unsigned int number;	/* the directory's name */
	bool type_known;	/* its type file said 0x<hex> */
	unsigned int type;
	__u64 size;		/* of its data file, from stat(): the data is never read */
	bool mshv;		/* type 7 with a size that is a whole number of pages */
};

struct setup_list {
	bool present;		/* the directory exists */
	unsigned int nr;
	bool more;		/* more than SETUP_MAX entries */
	struct setup_entry entry[SETUP_MAX];
};

/* 0 (also when the directory is absent: @list->present false), or -errno with @why. */
int setup_data_read(struct setup_list *list, char *why, size_t why_size);

/* ---- /sys/kernel/mshv_fastpath/resvd ---- */

struct module_range {
	__u64 start, size, end;
	char status[16];	/* reserved, unprotected, claimed */
	char detail[160];
};

struct module_resvd {
	bool loaded;		/* /sys/kernel/mshv_fastpath exists */
	bool has_resvd;		/* and its resvd directory */
	bool valid;		/* every file parsed; else @problem says which did not */
	char problem[160];
	char status[16];	/* ok, unprotected, invalid, absent */
	char error[160];	/* the module's parse error, or "" */
	unsigned int count;
	struct module_range range[RESVD_MAX_RANGES];
	bool has_setup_data;	/* its setup_data file: the boot stub's ranges */
	unsigned int nr_setup;
	struct resvd_range setup[SETUP_MAX];
};

void module_resvd_read(struct module_resvd *m);

/* "reserved", "claimed", "unprotected": whether the module's word means protected. */
bool module_status_protected(const char *status);

#endif
