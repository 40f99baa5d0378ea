// SPDX-License-Identifier: GPL-2.0
/*
 * common/hv_abi.h against the real upstream uapi header: <linux/mshv.h> of
 * Debian's linux-libc-dev 7.x, which scripts/fetch-mshv-uapi unpacks into
 * host/upstream-uapi (first on this test's include path). Every ioctl
 * number, struct size, field offset and size, and flag bit the project
 * uses is compared and printed. The Mariner driver has no header to compare
 * with: its ioctl numbers are pinned to the values of the project's notes
 * (rust-vmm/mshv of 2023), written out here as literals.
 */
#include <stddef.h>
#include <stdio.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"

#if __has_include(<mshv-uapi-version.h>)
#define HAVE_UPSTREAM_HEADER 1
#include <mshv-uapi-version.h>
#include <linux/mshv.h>
#endif

#include "hv_abi.h"

/*
 * The harness's children end with _exit(): buffered stdout would be lost,
 * so the numbers go to stderr, as TAP comments.
 */
static void expect_same(struct __test_metadata *_metadata, const char *ours,
			unsigned long long ours_value, const char *theirs,
			unsigned long long theirs_value)
{
	fprintf(stderr, "# %s = 0x%llx %s %s\n", ours, ours_value,
		ours_value == theirs_value ? "==" : "!=", theirs);
	EXPECT_EQ(theirs_value, ours_value)
		TH_LOG("%s is 0x%llx, %s is 0x%llx", ours, ours_value, theirs,
		       theirs_value);
}

#define EXPECT_SAME(ours, theirs) \
	expect_same(_metadata, #ours, (ours), #theirs, (theirs))

#define FIELD_SIZE(type, field) sizeof(((type *)0)->field)

/* Offset and size of a field of ours and of upstream's struct. */
#define EXPECT_SAME_FIELD(ours, ours_field, theirs, theirs_field) do { \
	expect_same(_metadata, "offsetof(" #ours ", " #ours_field ")", \
		    offsetof(ours, ours_field), #theirs "." #theirs_field, \
		    offsetof(theirs, theirs_field)); \
	expect_same(_metadata, "sizeof(" #ours "." #ours_field ")", \
		    FIELD_SIZE(ours, ours_field), #theirs "." #theirs_field, \
		    FIELD_SIZE(theirs, theirs_field)); \
} while (0)

#ifdef HAVE_UPSTREAM_HEADER

TEST(upstream_ioctl_numbers)
{
	fprintf(stderr, "# upstream <linux/mshv.h> of linux-libc-dev %s\n",
		MSHV_UAPI_UPSTREAM_VERSION);
	EXPECT_SAME(MSHV_IOCTL_MAGIC, MSHV_IOCTL);
	EXPECT_SAME(MSHV_UAPI_CREATE_PARTITION, MSHV_CREATE_PARTITION);
	EXPECT_SAME(MSHV_UAPI_INITIALIZE_PARTITION, MSHV_INITIALIZE_PARTITION);
	EXPECT_SAME(MSHV_UAPI_CREATE_VP, MSHV_CREATE_VP);
	EXPECT_SAME(MSHV_UAPI_SET_GUEST_MEMORY, MSHV_SET_GUEST_MEMORY);
	EXPECT_SAME(MSHV_UAPI_IRQFD, MSHV_IRQFD);
	EXPECT_SAME(MSHV_UAPI_IOEVENTFD, MSHV_IOEVENTFD);
	EXPECT_SAME(MSHV_UAPI_SET_MSI_ROUTING, MSHV_SET_MSI_ROUTING);
	EXPECT_SAME(MSHV_UAPI_ROOT_HVCALL, MSHV_ROOT_HVCALL);
	EXPECT_SAME(MSHV_UAPI_RUN_VP, MSHV_RUN_VP);
}

/* The same numbers as the notes' table says: header and notes agree. */
TEST(upstream_ioctl_numbers_as_documented)
{
	EXPECT_SAME(0x4010B800u, MSHV_CREATE_PARTITION);
	EXPECT_SAME(0x0000B800u, MSHV_INITIALIZE_PARTITION);
	EXPECT_SAME(0x4004B801u, MSHV_CREATE_VP);
	EXPECT_SAME(0x4020B802u, MSHV_SET_GUEST_MEMORY);
	EXPECT_SAME(0x4010B803u, MSHV_IRQFD);
	EXPECT_SAME(0x4020B804u, MSHV_IOEVENTFD);
	EXPECT_SAME(0x4008B805u, MSHV_SET_MSI_ROUTING);
	EXPECT_SAME(0xC020B807u, MSHV_ROOT_HVCALL);
	EXPECT_SAME(0x8100B800u, MSHV_RUN_VP);
}

TEST(upstream_create_partition_and_vp)
{
	EXPECT_SAME(sizeof(struct mshv_uapi_create_partition),
		    sizeof(struct mshv_create_partition));
	EXPECT_SAME_FIELD(struct mshv_uapi_create_partition, pt_flags,
			  struct mshv_create_partition, pt_flags);
	EXPECT_SAME_FIELD(struct mshv_uapi_create_partition, pt_isolation,
			  struct mshv_create_partition, pt_isolation);
	EXPECT_SAME(MSHV_UAPI_PT_BIT_LAPIC, MSHV_PT_BIT_LAPIC);
	EXPECT_SAME(MSHV_UAPI_PT_BIT_X2APIC, MSHV_PT_BIT_X2APIC);
	EXPECT_SAME(MSHV_UAPI_PT_BIT_GPA_SUPER_PAGES, MSHV_PT_BIT_GPA_SUPER_PAGES);
	EXPECT_SAME(MSHV_UAPI_PT_ISOLATION_NONE, MSHV_PT_ISOLATION_NONE);

	EXPECT_SAME(sizeof(struct mshv_uapi_create_vp), sizeof(struct mshv_create_vp));
	EXPECT_SAME_FIELD(struct mshv_uapi_create_vp, vp_index,
			  struct mshv_create_vp, vp_index);
}

TEST(upstream_guest_memory)
{
	EXPECT_SAME(sizeof(struct mshv_uapi_user_mem_region),
		    sizeof(struct mshv_user_mem_region));
	EXPECT_SAME_FIELD(struct mshv_uapi_user_mem_region, size,
			  struct mshv_user_mem_region, size);
	EXPECT_SAME_FIELD(struct mshv_uapi_user_mem_region, guest_pfn,
			  struct mshv_user_mem_region, guest_pfn);
	EXPECT_SAME_FIELD(struct mshv_uapi_user_mem_region, userspace_addr,
			  struct mshv_user_mem_region, userspace_addr);
	EXPECT_SAME_FIELD(struct mshv_uapi_user_mem_region, flags,
			  struct mshv_user_mem_region, flags);
	EXPECT_SAME_FIELD(struct mshv_uapi_user_mem_region, rsvd,
			  struct mshv_user_mem_region, rsvd);
	EXPECT_SAME(MSHV_UAPI_MEM_BIT_WRITABLE, MSHV_SET_MEM_BIT_WRITABLE);
	EXPECT_SAME(MSHV_UAPI_MEM_BIT_EXECUTABLE, MSHV_SET_MEM_BIT_EXECUTABLE);
	EXPECT_SAME(MSHV_UAPI_MEM_BIT_UNMAP, MSHV_SET_MEM_BIT_UNMAP);
	EXPECT_SAME(HVI_PAGE_SIZE, MSHV_HV_PAGE_SIZE);
}

TEST(upstream_irqfd)
{
	EXPECT_SAME(sizeof(struct mshv_irqfd_args), sizeof(struct mshv_user_irqfd));
	EXPECT_SAME_FIELD(struct mshv_irqfd_args, fd, struct mshv_user_irqfd, fd);
	EXPECT_SAME_FIELD(struct mshv_irqfd_args, resamplefd,
			  struct mshv_user_irqfd, resamplefd);
	EXPECT_SAME_FIELD(struct mshv_irqfd_args, gsi, struct mshv_user_irqfd, gsi);
	EXPECT_SAME_FIELD(struct mshv_irqfd_args, flags, struct mshv_user_irqfd, flags);
	EXPECT_SAME(MSHV_IRQFD_ARGS_BIT_DEASSIGN, MSHV_IRQFD_BIT_DEASSIGN);
	EXPECT_SAME(MSHV_IRQFD_ARGS_BIT_RESAMPLE, MSHV_IRQFD_BIT_RESAMPLE);
}

TEST(upstream_ioeventfd)
{
	EXPECT_SAME(sizeof(struct mshv_ioeventfd_args), sizeof(struct mshv_user_ioeventfd));
	EXPECT_SAME_FIELD(struct mshv_ioeventfd_args, datamatch,
			  struct mshv_user_ioeventfd, datamatch);
	EXPECT_SAME_FIELD(struct mshv_ioeventfd_args, addr, struct mshv_user_ioeventfd, addr);
	EXPECT_SAME_FIELD(struct mshv_ioeventfd_args, len, struct mshv_user_ioeventfd, len);
	EXPECT_SAME_FIELD(struct mshv_ioeventfd_args, fd, struct mshv_user_ioeventfd, fd);
	EXPECT_SAME_FIELD(struct mshv_ioeventfd_args, flags, struct mshv_user_ioeventfd, flags);
	EXPECT_SAME_FIELD(struct mshv_ioeventfd_args, rsvd, struct mshv_user_ioeventfd, rsvd);
	EXPECT_SAME(MSHV_IOEVENTFD_ARGS_BIT_DATAMATCH, MSHV_IOEVENTFD_BIT_DATAMATCH);
	EXPECT_SAME(MSHV_IOEVENTFD_ARGS_BIT_PIO, MSHV_IOEVENTFD_BIT_PIO);
	EXPECT_SAME(MSHV_IOEVENTFD_ARGS_BIT_DEASSIGN, MSHV_IOEVENTFD_BIT_DEASSIGN);
}

TEST(upstream_msi_routing)
{
	EXPECT_SAME(sizeof(struct mshv_msi_routing_args), sizeof(struct mshv_user_irq_table));
	EXPECT_SAME_FIELD(struct mshv_msi_routing_args, nr, struct mshv_user_irq_table, nr);
	EXPECT_SAME_FIELD(struct mshv_msi_routing_args, rsvd,
			  struct mshv_user_irq_table, rsvd);
	EXPECT_SAME(offsetof(struct mshv_msi_routing_args, entries),
		    offsetof(struct mshv_user_irq_table, entries));

	EXPECT_SAME(sizeof(struct mshv_msi_routing_entry_args),
		    sizeof(struct mshv_user_irq_entry));
	EXPECT_SAME_FIELD(struct mshv_msi_routing_entry_args, gsi,
			  struct mshv_user_irq_entry, gsi);
	EXPECT_SAME_FIELD(struct mshv_msi_routing_entry_args, address_lo,
			  struct mshv_user_irq_entry, address_lo);
	EXPECT_SAME_FIELD(struct mshv_msi_routing_entry_args, address_hi,
			  struct mshv_user_irq_entry, address_hi);
	EXPECT_SAME_FIELD(struct mshv_msi_routing_entry_args, data,
			  struct mshv_user_irq_entry, data);
}

TEST(upstream_root_hvcall)
{
	EXPECT_SAME(sizeof(struct mshv_uapi_root_hvcall), sizeof(struct mshv_root_hvcall));
	EXPECT_SAME_FIELD(struct mshv_uapi_root_hvcall, code, struct mshv_root_hvcall, code);
	EXPECT_SAME_FIELD(struct mshv_uapi_root_hvcall, reps, struct mshv_root_hvcall, reps);
	EXPECT_SAME_FIELD(struct mshv_uapi_root_hvcall, in_sz, struct mshv_root_hvcall, in_sz);
	EXPECT_SAME_FIELD(struct mshv_uapi_root_hvcall, out_sz,
			  struct mshv_root_hvcall, out_sz);
	EXPECT_SAME_FIELD(struct mshv_uapi_root_hvcall, status,
			  struct mshv_root_hvcall, status);
	EXPECT_SAME_FIELD(struct mshv_uapi_root_hvcall, rsvd, struct mshv_root_hvcall, rsvd);
	EXPECT_SAME_FIELD(struct mshv_uapi_root_hvcall, in_ptr,
			  struct mshv_root_hvcall, in_ptr);
	EXPECT_SAME_FIELD(struct mshv_uapi_root_hvcall, out_ptr,
			  struct mshv_root_hvcall, out_ptr);
}

TEST(upstream_vp)
{
	EXPECT_SAME(MSHV_RUN_VP_BUF_SIZE, MSHV_RUN_VP_BUF_SZ);
	EXPECT_SAME(MSHV_RUN_VP_BUF_SIZE, sizeof(struct mshv_run_vp));
	EXPECT_SAME(HVI_MESSAGE_SIZE, sizeof(struct mshv_run_vp));
	EXPECT_SAME(MSHV_VP_MMAP_REGISTERS, MSHV_VP_MMAP_OFFSET_REGISTERS);
	EXPECT_SAME(MSHV_VP_MMAP_INTERCEPT_MESSAGE, MSHV_VP_MMAP_OFFSET_INTERCEPT_MESSAGE);
	EXPECT_SAME(MSHV_VP_MMAP_GHCB, MSHV_VP_MMAP_OFFSET_GHCB);
}

#else

TEST(upstream_header_fetched)
{
	ASSERT_TRUE(0) TH_LOG("no upstream <linux/mshv.h> in selftests/host/upstream-uapi: "
			      "run scripts/fetch-mshv-uapi (make deps does), then make");
}

#endif

/* The notes' table (rust-vmm/mshv, 2023): the only source for these. */
TEST(mariner_ioctl_numbers)
{
	EXPECT_SAME(MSHV_MARINER_CHECK_EXTENSION, 0x4004B800u);
	EXPECT_SAME(MSHV_MARINER_CREATE_PARTITION, 0x4030B801u);
	EXPECT_SAME(MSHV_MARINER_MAP_GUEST_MEMORY, 0x4020B802u);
	EXPECT_SAME(MSHV_MARINER_UNMAP_GUEST_MEMORY, 0x4020B803u);
	EXPECT_SAME(MSHV_MARINER_CREATE_VP, 0x4004B804u);
	EXPECT_SAME(MSHV_MARINER_GET_VP_REGISTERS, 0xC010B805u);
	EXPECT_SAME(MSHV_MARINER_SET_VP_REGISTERS, 0x4010B806u);
	EXPECT_SAME(MSHV_MARINER_RUN_VP, 0x8100B807u);
	EXPECT_SAME(MSHV_MARINER_INSTALL_INTERCEPT, 0x4010B808u);
	EXPECT_SAME(MSHV_MARINER_ASSERT_INTERRUPT, 0x4018B809u);
	EXPECT_SAME(MSHV_MARINER_IRQFD, 0x4010B80Eu);
	EXPECT_SAME(MSHV_MARINER_IOEVENTFD, 0x4020B80Fu);
	EXPECT_SAME(MSHV_MARINER_SET_MSI_ROUTING, 0x4008B811u);
}

TEST_HARNESS_MAIN
