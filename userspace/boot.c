// SPDX-License-Identifier: GPL-2.0
/* Linux/x86 64-bit boot protocol: see boot.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "boot.h"
#include "machine.h"

/* boot_params / setup header offsets (arch/x86/include/uapi/asm/bootparam.h). */
#define BP_ACPI_RSDP_ADDR	0x070
#define BP_EXT_RAMDISK_IMAGE	0x0c0
#define BP_EXT_RAMDISK_SIZE	0x0c4
#define BP_EXT_CMD_LINE_PTR	0x0c8
#define BP_E820_ENTRIES		0x1e8
#define HDR_SETUP_SECTS		0x1f1
#define HDR_VID_MODE		0x1fa
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP		0x200
#define HDR_MAGIC		0x202
#define HDR_VERSION		0x206
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_LOADFLAGS		0x211
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21c
#define HDR_HEAP_END_PTR	0x224
#define HDR_CMD_LINE_PTR	0x228
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_RELOCATABLE		0x234
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_INIT_SIZE		0x260
#define BP_E820_TABLE		0x2d0
#define BP_E820_MAX		128
#define BOOT_PARAMS_SIZE	4096

#define LOADED_HIGH		0x01
#define CAN_USE_HEAP		0x80
#define XLF_KERNEL_64		0x01
#define E820_RAM		1
#define E820_RESERVED		2

#define BOOT_CODE_SEL		0x10	/* __BOOT_CS */
#define BOOT_DATA_SEL		0x18	/* __BOOT_DS */
#define CR0_PE			(1ULL << 0)
#define CR0_ET			(1ULL << 4)
#define CR0_PG			(1ULL << 31)
#define CR4_PAE			(1ULL << 5)
#define EFER_LME		(1ULL << 8)
#define EFER_LMA		(1ULL << 10)
#define PTE_PRESENT_RW		0x3ULL
#define PTE_PS			0x80ULL
/* The identity map covers the low 4 GiB with 2 MiB pages: 4 page directories. */
#define BOOT_MAP_GIB		4

static uint16_t get16(const uint8_t *p, size_t off)
{
	return p[off] | p[off + 1] << 8;
}

static uint32_t get32(const uint8_t *p, size_t off)
{
	return (uint32_t)get16(p, off) | (uint32_t)get16(p, off + 2) << 16;
}

static void put16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = v;
	p[off + 1] = v >> 8;
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	put16(p, off, v);
	put16(p, off + 2, v >> 16);
}

static void put64(uint8_t *p, size_t off, uint64_t v)
{
	put32(p, off, v);
	put32(p, off + 4, v >> 32);
}

int bzimage_parse(const uint8_t *image, size_t size, struct bzimage *bz,
		  char *err, size_t errlen)
{
	unsigned int setup_sects;

	memset(bz, 0, sizeof(*bz));
	if (size < HDR_INIT_SIZE + 4 || get16(image, HDR_BOOT_FLAG) != 0xaa55 ||
	    memcmp(image + HDR_MAGIC, "HdrS", 4)) {
		snprintf(err, errlen, "not a Linux bzImage (no boot flag or 'HdrS' setup header)");
		return -EINVAL;
	}
	bz->version = get16(image, HDR_VERSION);
	if (bz->version < 0x020c) {
		snprintf(err, errlen, "boot protocol %u.%02u is too old: need 2.12 (Linux 3.8) or later",
			 bz->version >> 8, bz->version & 0xff);
		return -EINVAL;
	}
	if (!(image[HDR_XLOADFLAGS] & XLF_KERNEL_64)) {
		snprintf(err, errlen, "not a 64-bit kernel (no 64-bit entry point in xloadflags)");
		return -EINVAL;
	}
	if (!(image[HDR_LOADFLAGS] & LOADED_HIGH)) {
		snprintf(err, errlen, "zImage (loaded low) kernels are not supported");
		return -EINVAL;
	}
	if (!image[HDR_RELOCATABLE]) {
		snprintf(err, errlen, "kernel is not relocatable");
		return -EINVAL;
	}
	setup_sects = image[HDR_SETUP_SECTS] ? image[HDR_SETUP_SECTS] : 4;
	bz->setup_size = (setup_sects + 1) * 512ul;
	if (bz->setup_size >= size) {
		snprintf(err, errlen, "truncated bzImage: %zu bytes, the setup part alone is %zu",
			 size, bz->setup_size);
		return -EINVAL;
	}
	bz->image = image;
	bz->size = size;
	bz->kernel = image + bz->setup_size;
	bz->kernel_size = size - bz->setup_size;
	bz->init_size = get32(image, HDR_INIT_SIZE);
	bz->initrd_addr_max = get32(image, HDR_INITRD_ADDR_MAX);
	bz->cmdline_size = get32(image, HDR_CMDLINE_SIZE);
	bz->header_end = HDR_JUMP + 2 + image[HDR_JUMP + 1];
	if (bz->header_end > bz->setup_size || bz->header_end < HDR_INIT_SIZE + 4) {
		snprintf(err, errlen, "bad setup header length");
		return -EINVAL;
	}
	if (bz->init_size < bz->kernel_size) {
		snprintf(err, errlen, "bad init_size %u for a %zu-byte kernel",
			 bz->init_size, bz->kernel_size);
		return -EINVAL;
	}
	return 0;
}

static void e820_add(uint8_t *bp, uint64_t addr, uint64_t size, uint32_t type)
{
	unsigned int n = bp[BP_E820_ENTRIES];
	size_t off = BP_E820_TABLE + n * 20;

	put64(bp, off, addr);
	put64(bp, off + 8, size);
	put32(bp, off + 16, type);
	bp[BP_E820_ENTRIES] = n + 1;
}

static void build_e820(uint8_t *bp, const struct guest_mem *mem)
{
	const struct guest_mem_region *low = &mem->regions[0];

	e820_add(bp, 0, MACHINE_EBDA_START, E820_RAM);
	e820_add(bp, MACHINE_EBDA_START, 0xa0000 - MACHINE_EBDA_START, E820_RESERVED);
	/* The BIOS area, where the ACPI tables live. */
	e820_add(bp, MACHINE_ACPI_ADDR, MACHINE_KERNEL_ADDR - MACHINE_ACPI_ADDR, E820_RESERVED);
	e820_add(bp, MACHINE_KERNEL_ADDR, low->size - MACHINE_KERNEL_ADDR, E820_RAM);
	if (mem->nr_regions > 1)
		e820_add(bp, mem->regions[1].gpa, mem->regions[1].size, E820_RAM);
}

/* Identity map of the low 4 GiB: what the 64-bit entry point needs to see. */
static void build_page_tables(struct guest_mem *mem)
{
	uint64_t *pml4 = guest_ptr(mem, MACHINE_PML4_ADDR, 4096);
	uint64_t *pdpt = guest_ptr(mem, MACHINE_PML4_ADDR + 0x1000, 4096);
	uint64_t pd_base = MACHINE_PML4_ADDR + 0x2000;
	uint64_t *pd = guest_ptr(mem, pd_base, BOOT_MAP_GIB * 4096);

	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = (MACHINE_PML4_ADDR + 0x1000) | PTE_PRESENT_RW;
	for (unsigned int g = 0; g < BOOT_MAP_GIB; g++)
		pdpt[g] = (pd_base + g * 4096) | PTE_PRESENT_RW;
	for (unsigned int i = 0; i < BOOT_MAP_GIB * 512; i++)
		pd[i] = ((uint64_t)i << 21) | PTE_PRESENT_RW | PTE_PS;
}

/* mov al, RESET_VALUE; mov dx, RESET_PORT; out dx, al; 1: hlt; jmp 1b */
static void build_reset_vector(struct guest_mem *mem)
{
	const uint8_t code[] = {
		0xb0, MACHINE_ACPI_RESET_VALUE,
		0xba, MACHINE_ACPI_RESET_PORT & 0xff, MACHINE_ACPI_RESET_PORT >> 8,
		0xee, 0xf4, 0xeb, 0xfd,
	};

	memcpy(guest_ptr(mem, MACHINE_RESET_VECTOR, sizeof(code)), code, sizeof(code));
}

static void build_gdt(struct guest_mem *mem)
{
	uint64_t *gdt = guest_ptr(mem, MACHINE_GDT_ADDR, 4 * 8);

	gdt[0] = 0;
	gdt[1] = 0;
	gdt[BOOT_CODE_SEL / 8] = 0x00af9b000000ffffULL;	/* 64-bit code */
	gdt[BOOT_DATA_SEL / 8] = 0x00cf93000000ffffULL;	/* flat data */
}

int boot_setup(struct guest_mem *mem, const struct bzimage *bz,
	       const uint8_t *initrd, size_t initrd_size, const char *cmdline,
	       uint64_t rsdp_addr, struct hv_boot_regs *regs,
	       struct boot_layout *layout, char *err, size_t errlen)
{
	uint64_t low_end = mem->regions[0].size;
	uint64_t kernel_end = MACHINE_KERNEL_ADDR + bz->init_size;
	size_t cmdline_len = strlen(cmdline);
	uint8_t *bp, *dst;

	memset(layout, 0, sizeof(*layout));
	if (kernel_end > low_end) {
		snprintf(err, errlen, "not enough memory: the kernel needs %u MiB to decompress",
			 (unsigned int)(kernel_end >> 20) + 1);
		return -ENOMEM;
	}
	if (cmdline_len > bz->cmdline_size || cmdline_len >= MACHINE_CMDLINE_MAX) {
		snprintf(err, errlen, "command line too long: %zu bytes, this kernel takes %u",
			 cmdline_len, bz->cmdline_size);
		return -E2BIG;
	}
	dst = guest_ptr(mem, MACHINE_KERNEL_ADDR, bz->kernel_size);
	memcpy(dst, bz->kernel, bz->kernel_size);
	layout->kernel_addr = MACHINE_KERNEL_ADDR;

	bp = guest_ptr(mem, MACHINE_BOOT_PARAMS_ADDR, BOOT_PARAMS_SIZE);
	memset(bp, 0, BOOT_PARAMS_SIZE);
	memcpy(bp + HDR_SETUP_SECTS, bz->image + HDR_SETUP_SECTS,
	       bz->header_end - HDR_SETUP_SECTS);
	put16(bp, HDR_VID_MODE, 0xffff);		/* "normal" */
	bp[HDR_TYPE_OF_LOADER] = 0xff;			/* undefined loader */
	bp[HDR_LOADFLAGS] |= CAN_USE_HEAP;
	put16(bp, HDR_HEAP_END_PTR, 0xfe00);
	memcpy(guest_ptr(mem, MACHINE_CMDLINE_ADDR, cmdline_len + 1), cmdline, cmdline_len + 1);
	put32(bp, HDR_CMD_LINE_PTR, MACHINE_CMDLINE_ADDR);
	put32(bp, BP_EXT_CMD_LINE_PTR, 0);
	/* Read by kernels of boot protocol 2.14 and later; older ones scan for it. */
	put64(bp, BP_ACPI_RSDP_ADDR, rsdp_addr);
	layout->rsdp_addr = rsdp_addr;
	build_e820(bp, mem);

	if (initrd) {
		uint64_t max = bz->initrd_addr_max ? (uint64_t)bz->initrd_addr_max + 1 : 0x38000000;
		uint64_t top = low_end < max ? low_end : max;
		uint64_t addr = top >= initrd_size ? (top - initrd_size) & ~0xfffULL : 0;

		if (!initrd_size || addr < kernel_end) {
			snprintf(err, errlen, "not enough memory for a %zu MiB initrd above the kernel",
				 (initrd_size >> 20) + 1);
			return -ENOMEM;
		}
		memcpy(guest_ptr(mem, addr, initrd_size), initrd, initrd_size);
		put32(bp, HDR_RAMDISK_IMAGE, addr);
		put32(bp, HDR_RAMDISK_SIZE, initrd_size);
		put32(bp, BP_EXT_RAMDISK_IMAGE, addr >> 32);
		put32(bp, BP_EXT_RAMDISK_SIZE, (uint64_t)initrd_size >> 32);
		layout->initrd_addr = addr;
		layout->initrd_size = initrd_size;
	}

	build_page_tables(mem);
	build_gdt(mem);
	build_reset_vector(mem);
	*regs = (struct hv_boot_regs){
		.rip = MACHINE_KERNEL_ADDR + 0x200,	/* startup_64 */
		.rsi = MACHINE_BOOT_PARAMS_ADDR,
		.cr0 = CR0_PE | CR0_ET | CR0_PG,
		.cr3 = MACHINE_PML4_ADDR,
		.cr4 = CR4_PAE,
		.efer = EFER_LME | EFER_LMA,
		.gdt_base = MACHINE_GDT_ADDR,
		.gdt_limit = 4 * 8 - 1,
		.code_sel = BOOT_CODE_SEL,
		.data_sel = BOOT_DATA_SEL,
	};
	return 0;
}
