// SPDX-License-Identifier: GPL-2.0
/* bzImage checks and boot_params building (userspace/boot.c). */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

#include "boot.h"
#include "machine.h"

#define IMAGE_SIZE	(64 * 1024)
#define SETUP_SECTS	4

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	memcpy(p + off, &v, sizeof(v));
}

static uint32_t get32(const uint8_t *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint64_t get64(const uint8_t *p, size_t off)
{
	uint64_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

/* A bzImage as far as its setup header goes, with a recognisable kernel part. */
static uint8_t *fake_bzimage(void)
{
	uint8_t *img = calloc(1, IMAGE_SIZE);

	img[0x1f1] = SETUP_SECTS;
	img[0x1fe] = 0x55;
	img[0x1ff] = 0xaa;
	img[0x200] = 0xeb;			/* jmp over the header... */
	img[0x201] = 0x6a;			/* ...to 0x26c: header ends there */
	memcpy(img + 0x202, "HdrS", 4);
	img[0x206] = 0x0f;			/* protocol 2.15 */
	img[0x207] = 0x02;
	img[0x211] = 0x01;			/* LOADED_HIGH */
	put32(img, 0x22c, 0x7fffffff);		/* initrd_addr_max */
	img[0x234] = 1;				/* relocatable */
	img[0x236] = 0x03;			/* XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G */
	put32(img, 0x238, 2047);		/* cmdline_size */
	put32(img, 0x260, 4 << 20);		/* init_size */
	memset(img + (SETUP_SECTS + 1) * 512, 0xcc, IMAGE_SIZE - (SETUP_SECTS + 1) * 512);
	return img;
}

TEST(parse_accepts_a_64bit_bzimage)
{
	uint8_t *img = fake_bzimage();
	struct bzimage bz;
	char err[128];

	ASSERT_EQ(0, bzimage_parse(img, IMAGE_SIZE, &bz, err, sizeof(err)));
	EXPECT_EQ(0x020f, bz.version);
	EXPECT_EQ((SETUP_SECTS + 1) * 512, bz.setup_size);
	EXPECT_EQ(IMAGE_SIZE - bz.setup_size, bz.kernel_size);
	EXPECT_EQ(2047, bz.cmdline_size);
	free(img);
}

TEST(parse_rejects_what_cannot_boot)
{
	static const struct { size_t off; uint8_t value; const char *reason; } breaks[] = {
		{ 0x1fe, 0, "boot flag" },
		{ 0x202, 'X', "HdrS" },
		{ 0x207, 0x01, "too old" },
		{ 0x236, 0, "64-bit" },
		{ 0x211, 0, "zImage" },
		{ 0x234, 0, "relocatable" },
		{ 0x1f1, 200, "truncated" },
	};
	char err[128];
	struct bzimage bz;

	for (size_t i = 0; i < sizeof(breaks) / sizeof(breaks[0]); i++) {
		uint8_t *img = fake_bzimage();

		img[breaks[i].off] = breaks[i].value;
		EXPECT_EQ(-EINVAL, bzimage_parse(img, IMAGE_SIZE, &bz, err, sizeof(err)));
		EXPECT_NE(NULL, strstr(err, breaks[i].reason)) TH_LOG("%s: got '%s'",
								      breaks[i].reason, err);
		free(img);
	}
	EXPECT_EQ(-EINVAL, bzimage_parse((uint8_t *)"short", 5, &bz, err, sizeof(err)));
}

TEST(boot_params_e820_cmdline_initrd_and_registers)
{
	uint8_t *img = fake_bzimage(), initrd[10000];
	struct guest_mem mem;
	struct hv_boot_regs regs;
	struct boot_layout layout;
	struct bzimage bz;
	char err[128];
	uint8_t *bp;

	memset(initrd, 0x5a, sizeof(initrd));
	ASSERT_EQ(0, guest_mem_init(&mem, 64 << 20));
	ASSERT_EQ(0, bzimage_parse(img, IMAGE_SIZE, &bz, err, sizeof(err)));
	ASSERT_EQ(0, boot_setup(&mem, &bz, initrd, sizeof(initrd), "console=ttyS0 quiet",
				MACHINE_ACPI_ADDR, &regs, &layout, err, sizeof(err))) TH_LOG("%s", err);
	bp = guest_ptr(&mem, MACHINE_BOOT_PARAMS_ADDR, 4096);

	/* The kernel part is at 1 MiB, entry at its 64-bit startup. */
	EXPECT_EQ(0xcc, *(uint8_t *)guest_ptr(&mem, MACHINE_KERNEL_ADDR, 1));
	EXPECT_EQ(MACHINE_KERNEL_ADDR + 0x200, regs.rip);
	EXPECT_EQ(MACHINE_BOOT_PARAMS_ADDR, regs.rsi);
	EXPECT_EQ(1ULL << 10 | 1ULL << 8, regs.efer);	/* LMA | LME */
	EXPECT_TRUE(regs.cr0 & (1ULL << 31));
	/* The header came along; the loader fields are ours. */
	EXPECT_EQ(0, memcmp(bp + 0x202, "HdrS", 4));
	EXPECT_EQ(0xff, bp[0x210]);
	EXPECT_STREQ("console=ttyS0 quiet",
		     (char *)guest_ptr(&mem, get32(bp, 0x228), 20));
	EXPECT_EQ(MACHINE_ACPI_ADDR, get64(bp, 0x070));
	/* initrd: page-aligned, whole, above the kernel's init_size, in RAM. */
	uint32_t initrd_addr = get32(bp, 0x218);

	EXPECT_EQ(sizeof(initrd), get32(bp, 0x21c));
	EXPECT_EQ(0, initrd_addr & 0xfff);
	EXPECT_GE(initrd_addr, MACHINE_KERNEL_ADDR + (4 << 20));
	EXPECT_LE(initrd_addr + sizeof(initrd), 64 << 20);
	EXPECT_EQ(0, memcmp(guest_ptr(&mem, initrd_addr, sizeof(initrd)), initrd, sizeof(initrd)));
	/* E820: RAM below the EBDA and from 1 MiB to the end; the BIOS area reserved. */
	ASSERT_EQ(4, bp[0x1e8]);
	EXPECT_EQ(0, get64(bp, 0x2d0));
	EXPECT_EQ(MACHINE_EBDA_START, get64(bp, 0x2d0 + 8));
	EXPECT_EQ(1, get32(bp, 0x2d0 + 16));
	EXPECT_EQ(MACHINE_ACPI_ADDR, get64(bp, 0x2d0 + 2 * 20));
	EXPECT_EQ(2, get32(bp, 0x2d0 + 2 * 20 + 16));
	EXPECT_EQ(MACHINE_KERNEL_ADDR, get64(bp, 0x2d0 + 3 * 20));
	EXPECT_EQ((64 << 20) - MACHINE_KERNEL_ADDR, get64(bp, 0x2d0 + 3 * 20 + 8));
	/* Identity map: 2 MiB pages, entry 5 maps 10 MiB. */
	uint64_t *pd = guest_ptr(&mem, MACHINE_PML4_ADDR + 0x2000, 4096);

	EXPECT_EQ((5ULL << 21) | 0x83, pd[5]);
	/* The reset vector writes the ACPI reset register: mov dx, 0x602; out dx, al. */
	uint8_t *reset = guest_ptr(&mem, MACHINE_RESET_VECTOR, 16);

	EXPECT_EQ(0xb0, reset[0]);
	EXPECT_EQ(MACHINE_ACPI_RESET_VALUE, reset[1]);
	EXPECT_EQ(0xba, reset[2]);
	EXPECT_EQ(MACHINE_ACPI_RESET_PORT, reset[3] | reset[4] << 8);
	EXPECT_EQ(0xee, reset[5]);
	guest_mem_free(&mem);
	free(img);
}

TEST(boot_setup_refuses_what_does_not_fit)
{
	uint8_t *img = fake_bzimage();
	struct guest_mem mem;
	struct hv_boot_regs regs;
	struct boot_layout layout;
	struct bzimage bz;
	char err[128], *cmdline = malloc(3000);

	memset(cmdline, 'a', 2999);
	cmdline[2999] = '\0';
	ASSERT_EQ(0, guest_mem_init(&mem, 8 << 20));
	ASSERT_EQ(0, bzimage_parse(img, IMAGE_SIZE, &bz, err, sizeof(err)));
	EXPECT_EQ(-E2BIG, boot_setup(&mem, &bz, NULL, 0, cmdline, 0, &regs, &layout, err,
				     sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "command line too long"));
	/* An initrd bigger than the RAM left above the kernel. */
	EXPECT_EQ(-ENOMEM, boot_setup(&mem, &bz, (uint8_t *)cmdline, 6 << 20, "", 0, &regs,
				      &layout, err, sizeof(err)));
	/* init_size larger than RAM. */
	put32(img, 0x260, 16 << 20);
	ASSERT_EQ(0, bzimage_parse(img, IMAGE_SIZE, &bz, err, sizeof(err)));
	EXPECT_EQ(-ENOMEM, boot_setup(&mem, &bz, NULL, 0, "", 0, &regs, &layout, err,
				      sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "not enough memory"));
	guest_mem_free(&mem);
	free(cmdline);
	free(img);
}

TEST(guest_ptr_is_overflow_safe)
{
	struct guest_mem mem;

	ASSERT_EQ(0, guest_mem_init(&mem, 32 << 20));
	EXPECT_NE(NULL, guest_ptr(&mem, 0, 32 << 20));
	EXPECT_NE(NULL, guest_ptr(&mem, (32 << 20) - 1, 1));
	EXPECT_NE(NULL, guest_ptr(&mem, 32 << 20, 0));
	EXPECT_EQ(NULL, guest_ptr(&mem, (32 << 20) - 1, 2));
	EXPECT_EQ(NULL, guest_ptr(&mem, 1, UINT64_MAX));
	EXPECT_EQ(NULL, guest_ptr(&mem, UINT64_MAX, 2));
	EXPECT_EQ(NULL, guest_ptr(&mem, 32 << 20, 1));
	guest_mem_free(&mem);
}

TEST_HARNESS_MAIN
