/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Linux/x86 64-bit boot protocol (Documentation/arch/x86/boot.rst):
 * a bzImage's setup header checked and copied into boot_params, the E820
 * map, command line and initrd placed in guest RAM, identity page tables
 * and a GDT, and the long-mode register state for the 64-bit entry point.
 */
#ifndef MSHV_VMM_BOOT_H
#define MSHV_VMM_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "hv.h"
#include "mem.h"

/* What we need to know of a bzImage, from its setup header. */
struct bzimage {
	const uint8_t *image;
	size_t size;
	uint16_t version;		/* boot protocol, e.g. 0x020f */
	size_t setup_size;		/* real-mode part, bytes */
	const uint8_t *kernel;		/* protected-mode part */
	size_t kernel_size;
	uint32_t init_size;		/* memory the kernel needs from its load address */
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;		/* longest command line, without NUL */
	size_t header_end;		/* setup header copied into boot_params: 0x1f1..here */
};

/* Check @image; 0, or -EINVAL with the reason in @err. */
int bzimage_parse(const uint8_t *image, size_t size, struct bzimage *bz,
		  char *err, size_t errlen);

struct boot_layout {
	uint64_t kernel_addr;
	uint64_t initrd_addr;
	uint64_t initrd_size;
	uint64_t rsdp_addr;
};

/*
 * Put the kernel, @initrd (may be NULL), @cmdline, boot_params, page
 * tables and GDT into @mem, and fill @regs for the BSP. Returns 0, or
 * -errno with the reason in @err (too little memory, command line too long...).
 */
int boot_setup(struct guest_mem *mem, const struct bzimage *bz,
	       const uint8_t *initrd, size_t initrd_size, const char *cmdline,
	       uint64_t rsdp_addr, struct hv_boot_regs *regs,
	       struct boot_layout *layout, char *err, size_t errlen);

#endif
