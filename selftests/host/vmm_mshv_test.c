// SPDX-License-Identifier: GPL-2.0
/*
 * The VMM's mshv backend (hv-mshv.c) and ABI probe (mshv-probe.c) against
 * a fake /dev/mshv (fake_mshv.c) in each driver ABI. The messages RUN_VP
 * returns are built here byte by byte from the documented layouts of
 * struct hv_message and its intercepts, and the calls the backend makes
 * are checked byte by byte too: neither side uses common/hv_abi.h's
 * structs, so a wrong offset there shows up here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <linux/mshv_fastpath.h>

#include "kselftest_harness.h"

#include "fake_mshv.h"
#include "hv.h"
#include "machine.h"
#include "mshv-probe.h"
#include "vmm.h"

/* Hypercalls, register names, message types */
#define HC_SET_PARTITION_PROPERTY 0x45
#define HC_GET_VP_REGISTERS	0x50
#define HC_SET_VP_REGISTERS	0x51
#define HC_TRANSLATE_VA		0x52
#define R_RAX			0x00020000
#define R_RCX			0x00020001
#define R_RDX			0x00020002
#define R_RBX			0x00020003
#define R_RSP			0x00020004
#define R_RSI			0x00020006
#define R_RDI			0x00020007
#define R_RIP			0x00020010
#define R_RFLAGS		0x00020011
#define R_CR0			0x00040000
#define R_CR3			0x00040002
#define R_CR4			0x00040003
#define R_ES			0x00060000
#define R_CS			0x00060001
#define R_SS			0x00060002
#define R_DS			0x00060003
#define R_FS			0x00060004
#define R_GS			0x00060005
#define R_GDTR			0x00070001
#define R_EFER			0x00080001
#define MSG_UNMAPPED_GPA	0x80000000
#define MSG_GPA_INTERCEPT	0x80000001
#define MSG_UNRECOVERABLE	0x80000021
#define MSG_IO_PORT		0x80010000
#define MSG_MSR			0x80010001
#define MSG_CPUID		0x80010002
#define MSG_APIC_EOI		0x80010004
#define MSG_HALT		0x80010007
#define P			16	/* payload offset in struct hv_message */

/* Register page: version @0, isvalid @2, dirty @4, gpr[16] @8, rip @136 */
#define RP_ISVALID		2
#define RP_DIRTY		4
#define RP_GPR(n)		(8 + 8 * (n))
#define RP_RIP			136
#define DIRTY_GENERAL		1
#define DIRTY_IP		2

#define CS_LONG			0xa09b	/* 64-bit code segment attributes */
#define GVA_OFFSET		0xffff800000000000ULL
#define GUEST_RAM		(32ULL << 20)
#define MMIO_BASE		0xd0000000ULL

struct rig {
	struct vm vm;
	struct hv *hv;
	struct hv_vcpu *vcpu;
	char err[256];
	/* A UART-like port 0x3f8 and a 4 KiB MMIO device. */
	uint8_t port_written[64];
	unsigned int port_writes;
	uint64_t mmio_offset;
	uint8_t mmio_written[8];
	unsigned int mmio_len;
};

static void port_dev(void *opaque, uint64_t offset, uint8_t *data, unsigned int len, bool is_write)
{
	struct rig *r = opaque;

	if (!is_write) {
		memset(data, 0x5a, len);
		return;
	}
	for (unsigned int i = 0; i < len && r->port_writes < sizeof(r->port_written); i++)
		r->port_written[r->port_writes++] = data[i];
	(void)offset;
}

static void mmio_dev(void *opaque, uint64_t offset, uint8_t *data, unsigned int len, bool is_write)
{
	struct rig *r = opaque;

	r->mmio_offset = offset;
	r->mmio_len = len;
	if (is_write)
		memcpy(r->mmio_written, data, len);
	else
		put_le(data, 0, 0x1122334455667788ULL, len);
}

/* A VM with one vCPU on a fake /dev/mshv of @abi. */
static struct rig *rig_open(struct __test_metadata *_metadata, enum fake_mshv_abi abi,
			    bool register_page)
{
	struct fake_mshv_config config = {
		.abi = abi,
		.no_register_page = !register_page,
		.gva_offset = GVA_OFFSET,
	};
	struct rig *r = calloc(1, sizeof(*r));

	ASSERT_NE(NULL, r);
	fake_mshv_reset(&config);
	vm_init(&r->vm);
	ASSERT_EQ(0, guest_mem_init(&r->vm.mem, GUEST_RAM));
	ASSERT_EQ(0, bus_register(&r->vm.bus, BUS_PIO, 0x3f8, 8, port_dev, r, "port"));
	ASSERT_EQ(0, bus_register(&r->vm.bus, BUS_MMIO, MMIO_BASE, 0x1000, mmio_dev, r, "mmio"));
	r->vm.hv_ops = &hv_mshv_ops;
	ASSERT_EQ(0, hv_mshv_ops.open(&r->hv, r->err, sizeof(r->err))) TH_LOG("%s", r->err);
	r->vm.hv = r->hv;
	ASSERT_EQ(0, hv_mshv_ops.create_vm(r->hv, &r->vm, r->err, sizeof(r->err)))
		TH_LOG("%s", r->err);
	ASSERT_EQ(0, hv_mshv_ops.create_vcpu(r->hv, 0, &r->vcpu, r->err, sizeof(r->err)))
		TH_LOG("%s", r->err);
	EXPECT_EQ(register_page, fake_mshv_register_page(0) != NULL);
	return r;
}

static void rig_close(struct rig *r)
{
	hv_mshv_ops.destroy_vcpu(r->vcpu);
	hv_mshv_ops.close(r->hv);
	guest_mem_free(&r->vm.mem);
	rules_destroy(&r->vm.rules);
	free(r);
}

/* ---- Messages, from the documented offsets ---- */

static void msg_init(uint8_t m[256], uint32_t type, uint8_t payload_size)
{
	memset(m, 0, 256);
	put_le(m, 0, type, 4);
	m[4] = payload_size;
}

/* The 40-byte intercept header: vp @0, insn length @4, access @5, cs @8, rip @24, rflags @32. */
static void msg_header(uint8_t m[256], unsigned int insn_len, unsigned int access, uint64_t rip)
{
	put_le(m, P + 0, 0, 4);
	m[P + 4] = insn_len;
	m[P + 5] = access;
	put_le(m, P + 8 + 14, CS_LONG, 2);	/* cs.attributes */
	put_le(m, P + 24, rip, 8);
	put_le(m, P + 32, 0x2, 8);
}

/*
 * Port I/O (128): port @40, access info @42, rax @48, ds @72, es @88,
 * rcx @104, rsi @112, rdi @120
 */
static void msg_io(uint8_t m[256], uint16_t port, unsigned int size, bool write, uint64_t rax,
		   uint64_t rip, unsigned int insn_len)
{
	msg_init(m, MSG_IO_PORT, 128);
	msg_header(m, insn_len, write, rip);
	put_le(m, P + 40, port, 2);
	m[P + 42] = size;
	put_le(m, P + 48, rax, 8);
}

/* Memory (80): insn count @44, gva @48, gpa @56, insn bytes @64 */
static void msg_mem(uint8_t m[256], uint64_t gpa, bool write, uint64_t rip, const uint8_t *insn,
		    unsigned int count)
{
	msg_init(m, MSG_UNMAPPED_GPA, 80);
	msg_header(m, 0, write, rip);
	m[P + 44] = count;
	put_le(m, P + 56, gpa, 8);
	memcpy(m + P + 64, insn, count);
}

/* What the hypervisor does at an intercept: the register page is current again. */
static void regpage_intercept(uint64_t rip, uint64_t rax)
{
	uint8_t *page = fake_mshv_register_page(0);

	if (!page)
		return;
	page[RP_ISVALID] = 1;
	put_le(page, RP_DIRTY, 0, 4);
	put_le(page, RP_RIP, rip, 8);
	put_le(page, RP_GPR(0), rax, 8);
}

static int run(struct rig *r, struct hv_exit *exit)
{
	memset(exit, 0, sizeof(*exit));
	return hv_mshv_ops.run(r->vcpu, exit);
}

/* The register assoc @i of a SET_VP_REGISTERS call (hvcall input or Mariner array). */
static const uint8_t *set_reg_assoc(const struct fake_mshv_call *c, enum fake_mshv_abi abi,
				    unsigned int i)
{
	return c->data + (abi == FAKE_MSHV_UPSTREAM ? 16 : 0) + 32 * i;
}

/* The @nth register write: its call, with the number of registers it sets. */
static const struct fake_mshv_call *set_regs_call(enum fake_mshv_abi abi, unsigned int nth,
						  unsigned int *count)
{
	const struct fake_mshv_call *c;

	if (abi == FAKE_MSHV_UPSTREAM) {
		c = fake_mshv_find_hvcall(HC_SET_VP_REGISTERS, nth);
		if (c)
			*count = get_le(c->arg, 2, 2);
	} else {
		c = fake_mshv_find(MAR_SET_VP_REGISTERS, nth);
		if (c)
			*count = get_le(c->arg, 0, 4);
	}
	return c;
}

/* ---- The probe ---- */

TEST(probe_upstream)
{
	struct fake_mshv_config config = { .abi = FAKE_MSHV_UPSTREAM };
	struct mshv_probe probe;
	const struct fake_mshv_call *c;

	fake_mshv_reset(&config);
	ASSERT_EQ(0, mshv_probe(NULL, &probe));
	EXPECT_EQ(MSHV_ABI_UPSTREAM, probe.abi);
	EXPECT_TRUE(probe.register_page);
	EXPECT_LE(0, probe.fd);
	EXPECT_STREQ("upstream (Linux >= 6.15)", mshv_abi_name(probe.abi));
	/* Mariner's CHECK_EXTENSION first, then CREATE_PARTITION with bit 63 only. */
	ASSERT_EQ(2, fake_mshv_nr_calls());
	EXPECT_EQ(MAR_CHECK_EXTENSION, fake_mshv_call(0)->request);
	c = fake_mshv_call(1);
	EXPECT_EQ(UP_CREATE_PARTITION, c->request);
	EXPECT_EQ(16, c->arg_len);
	EXPECT_EQ(1ULL << 63, get_le(c->arg, 0, 8));
	EXPECT_EQ(0, get_le(c->arg, 8, 8));
	close(probe.fd);
}

TEST(probe_mariner)
{
	struct fake_mshv_config config = { .abi = FAKE_MSHV_MARINER };
	struct mshv_probe probe;

	fake_mshv_reset(&config);
	ASSERT_EQ(0, mshv_probe(NULL, &probe));
	EXPECT_EQ(MSHV_ABI_MARINER, probe.abi);
	EXPECT_TRUE(probe.register_page);
	EXPECT_STREQ("Mariner 5.15", mshv_abi_name(probe.abi));
	/* CORE_API_STABLE, then REGISTER_PAGE; no upstream ioctl. */
	ASSERT_EQ(2, fake_mshv_nr_calls());
	EXPECT_EQ(0, get_le(fake_mshv_find(MAR_CHECK_EXTENSION, 0)->arg, 0, 4));
	EXPECT_EQ(1, get_le(fake_mshv_find(MAR_CHECK_EXTENSION, 1)->arg, 0, 4));
	close(probe.fd);

	config.no_register_page = true;
	fake_mshv_reset(&config);
	ASSERT_EQ(0, mshv_probe(NULL, &probe));
	EXPECT_EQ(MSHV_ABI_MARINER, probe.abi);
	EXPECT_FALSE(probe.register_page);
	close(probe.fd);
}

TEST(probe_unknown_abi)
{
	struct fake_mshv_config config = { .abi = FAKE_MSHV_UNKNOWN };
	struct mshv_probe probe;

	fake_mshv_reset(&config);
	EXPECT_EQ(-EPROTO, mshv_probe(NULL, &probe));
	EXPECT_EQ(MSHV_ABI_NONE, probe.abi);
	EXPECT_EQ(-1, probe.fd);
	EXPECT_NE(NULL, strstr(probe.detail, "/dev/mshv: CHECK_EXTENSION (0x4004b800): "
				"Inappropriate ioctl for device"))
		TH_LOG("%s", probe.detail);
	EXPECT_NE(NULL, strstr(probe.detail, "(0x4010b800): Inappropriate ioctl for device"))
		TH_LOG("%s", probe.detail);

	/* Both refused, but not the way either ABI refuses the other's ioctl. */
	config.unknown_errno = EPERM;
	fake_mshv_reset(&config);
	EXPECT_EQ(-EPROTO, mshv_probe(NULL, &probe));
	EXPECT_NE(NULL, strstr(probe.detail, "Operation not permitted")) TH_LOG("%s", probe.detail);
	EXPECT_STREQ("none", mshv_abi_name(probe.abi));
}

TEST(probe_absent)
{
	struct fake_mshv_config config = { .abi = FAKE_MSHV_ABSENT };
	struct mshv_probe probe;

	fake_mshv_reset(&config);
	EXPECT_EQ(-ENOENT, mshv_probe(NULL, &probe));
	EXPECT_EQ(MSHV_ABI_NONE, probe.abi);
	EXPECT_EQ(ENOENT, probe.open_errno);
	EXPECT_EQ(-1, probe.fd);
	EXPECT_EQ(0, fake_mshv_nr_calls());
	/* Another path: not the fake, really absent. */
	EXPECT_EQ(-ENOENT, mshv_probe("/nonexistent/mshv", &probe));
	EXPECT_NE(NULL, strstr(probe.detail, "/nonexistent/mshv")) TH_LOG("%s", probe.detail);
}

TEST(open_errors_say_what_was_found)
{
	struct fake_mshv_config config = { .abi = FAKE_MSHV_ABSENT };
	struct hv *hv = NULL;
	char err[256] = "";

	fake_mshv_reset(&config);
	EXPECT_EQ(-ENOENT, hv_mshv_ops.open(&hv, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "/dev/mshv is not there")) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "root driver")) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "Mariner")) TH_LOG("%s", err);

	config.abi = FAKE_MSHV_UNKNOWN;
	fake_mshv_reset(&config);
	EXPECT_EQ(-EPROTO, hv_mshv_ops.open(&hv, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "unknown mshv ABI: /dev/mshv: CHECK_EXTENSION"))
		TH_LOG("%s", err);
}

/* ---- The partition ---- */

TEST(create_vm_upstream)
{
	struct rig *r = rig_open(_metadata, FAKE_MSHV_UPSTREAM, true);
	const struct fake_mshv_call *c;

	/* After the probe's two calls: CREATE_PARTITION with LAPIC, X2APIC, GPA super pages. */
	c = fake_mshv_call(2);
	ASSERT_EQ(UP_CREATE_PARTITION, c->request);
	EXPECT_EQ(FAKE_FD_DEV, c->fd_kind);
	EXPECT_EQ(0x7, get_le(c->arg, 0, 8));
	EXPECT_EQ(0, get_le(c->arg, 8, 8));		/* isolation NONE */
	/* The synthetic processor features, an early property: before INITIALIZE. */
	c = fake_mshv_call(3);
	ASSERT_EQ(UP_ROOT_HVCALL, c->request);
	EXPECT_EQ(FAKE_FD_VM, c->fd_kind);
	EXPECT_EQ(HC_SET_PARTITION_PROPERTY, get_le(c->arg, 0, 2));
	EXPECT_EQ(0, get_le(c->arg, 2, 2));		/* not a rep call */
	ASSERT_EQ(24, c->data_len);
	EXPECT_EQ(0x00010001, get_le(c->data, 8, 4));
	EXPECT_EQ(0x06000ffbULL, get_le(c->data, 16, 8));
	EXPECT_EQ(UP_INITIALIZE_PARTITION, fake_mshv_call(4)->request);
	/* Unimplemented MSRs: ignore writes, read 0. */
	c = fake_mshv_call(5);
	ASSERT_EQ(UP_ROOT_HVCALL, c->request);
	EXPECT_EQ(HC_SET_PARTITION_PROPERTY, get_le(c->arg, 0, 2));
	EXPECT_EQ(0x00050017, get_le(c->data, 8, 4));
	EXPECT_EQ(1, get_le(c->data, 16, 8));
	/* One irqfd per IOAPIC pin, GSI n = pin n. */
	EXPECT_EQ(24, fake_mshv_count(UP_IRQFD));
	for (unsigned int gsi = 0; gsi < 24; gsi++) {
		c = fake_mshv_find(UP_IRQFD, gsi);
		ASSERT_NE(NULL, c);
		EXPECT_EQ(gsi, get_le(c->arg, 8, 4));
		EXPECT_EQ(0, get_le(c->arg, 12, 4));	/* flags: assign, no resample */
		EXPECT_LE(0, fake_mshv_irqfd(gsi));
	}
	EXPECT_EQ(0, fake_mshv_count(MAR_CREATE_PARTITION));
	EXPECT_EQ(0, fake_mshv_count(MAR_SET_PARTITION_PROPERTY));
	/* No intercept installed: none is needed. */
	EXPECT_EQ(NULL, fake_mshv_find_hvcall(0x4d, 0));
	rig_close(r);
}

TEST(create_vm_mariner)
{
	struct rig *r = rig_open(_metadata, FAKE_MSHV_MARINER, true);
	const struct fake_mshv_call *c;

	/* CREATE_PARTITION: 48 bytes, the hypervisor's LAPIC_ENABLED and features. */
	c = fake_mshv_call(2);
	ASSERT_EQ(MAR_CREATE_PARTITION, c->request);
	ASSERT_EQ(48, c->arg_len);
	EXPECT_EQ(1ULL << 13, get_le(c->arg, 0, 8));
	EXPECT_EQ(0, get_le(c->arg, 8, 8));		/* no processor feature disabled */
	EXPECT_EQ(0, get_le(c->arg, 16, 8));
	EXPECT_EQ(0, get_le(c->arg, 24, 8));		/* nor XSAVE feature */
	EXPECT_EQ(0x06000ffbULL, get_le(c->arg, 32, 8));
	EXPECT_EQ(0, get_le(c->arg, 40, 8));		/* isolation NONE */
	c = fake_mshv_call(3);
	ASSERT_EQ(MAR_SET_PARTITION_PROPERTY, c->request);
	EXPECT_EQ(0x00050017, get_le(c->arg, 0, 4));
	EXPECT_EQ(1, get_le(c->arg, 8, 8));
	/* No INITIALIZE (the Mariner partition needs none), no upstream ioctls. */
	EXPECT_EQ(0, fake_mshv_count(UP_INITIALIZE_PARTITION));
	EXPECT_EQ(0, fake_mshv_count(UP_ROOT_HVCALL));
	EXPECT_EQ(24, fake_mshv_count(MAR_IRQFD));
	EXPECT_EQ(23, get_le(fake_mshv_find(MAR_IRQFD, 23)->arg, 8, 4));
	rig_close(r);
}

static void check_map_memory(struct __test_metadata *_metadata, enum fake_mshv_abi abi)
{
	struct rig *r = rig_open(_metadata, abi, true);
	const struct fake_mshv_call *c;
	uint8_t *hva = r->vm.mem.base + (2 << 20);

	ASSERT_EQ(0, hv_mshv_ops.map_memory(r->hv, 0, 0x200000, 0x400000, hva));
	c = fake_mshv_find(UP_SET_GUEST_MEMORY, 0);	/* the same number in both ABIs */
	ASSERT_NE(NULL, c);
	ASSERT_EQ(32, c->arg_len);
	EXPECT_EQ(0x400000, get_le(c->arg, 0, 8));	/* size */
	EXPECT_EQ(0x200, get_le(c->arg, 8, 8));		/* guest pfn */
	EXPECT_EQ((uintptr_t)hva, get_le(c->arg, 16, 8));
	if (abi == FAKE_MSHV_UPSTREAM) {
		EXPECT_EQ(0x3, c->arg[24]);		/* WRITABLE | EXECUTABLE */
		for (unsigned int i = 25; i < 32; i++)
			EXPECT_EQ(0, c->arg[i]);
	} else {
		EXPECT_EQ(0xf, get_le(c->arg, 24, 4));	/* READABLE | WRITABLE | EXECUTABLE */
		EXPECT_EQ(0, get_le(c->arg, 28, 4));
	}
	rig_close(r);
}

TEST(map_memory_upstream)
{
	check_map_memory(_metadata, FAKE_MSHV_UPSTREAM);
}

TEST(map_memory_mariner)
{
	check_map_memory(_metadata, FAKE_MSHV_MARINER);
}

static void check_boot_regs(struct __test_metadata *_metadata, enum fake_mshv_abi abi)
{
	struct rig *r = rig_open(_metadata, abi, true);
	const struct hv_boot_regs b = {
		.rip = 0x1000200, .rsi = 0x7000, .rsp = 0x8ff0,
		.cr0 = 0x80000011, .cr3 = 0x9000, .cr4 = 0x20, .efer = 0x500,
		.gdt_base = 0x500, .gdt_limit = 0x1f, .code_sel = 0x10, .data_sel = 0x18,
	};
	static const struct { uint32_t name; uint64_t value; } want_regs[] = {
		{ R_RIP, 0x1000200 }, { R_RSI, 0x7000 }, { R_RSP, 0x8ff0 }, { R_RFLAGS, 2 },
	};
	static const uint32_t segs[] = { R_CS, R_DS, R_ES, R_FS, R_GS, R_SS };
	const struct fake_mshv_call *c;
	unsigned int n = 0;

	ASSERT_EQ(0, hv_mshv_ops.set_boot_regs(r->vcpu, &b));
	c = set_regs_call(abi, 0, &n);
	ASSERT_NE(NULL, c);
	ASSERT_EQ(4, n);
	for (unsigned int i = 0; i < 4; i++) {
		EXPECT_EQ(want_regs[i].name, get_le(set_reg_assoc(c, abi, i), 0, 4));
		EXPECT_EQ(want_regs[i].value, get_le(set_reg_assoc(c, abi, i), 16, 8));
	}
	c = set_regs_call(abi, 1, &n);
	ASSERT_NE(NULL, c);
	ASSERT_EQ(11, n);
	for (unsigned int i = 0; i < 6; i++) {
		const uint8_t *a = set_reg_assoc(c, abi, i);

		EXPECT_EQ(segs[i], get_le(a, 0, 4));
		EXPECT_EQ(0, get_le(a, 16, 8));				/* base */
		EXPECT_EQ(0xffffffff, get_le(a, 24, 4));		/* limit */
		EXPECT_EQ(i ? 0x18 : 0x10, get_le(a, 28, 2));		/* selector */
		EXPECT_EQ(i ? 0xc093 : 0xa09b, get_le(a, 30, 2));	/* attributes */
	}
	EXPECT_EQ(R_GDTR, get_le(set_reg_assoc(c, abi, 6), 0, 4));
	EXPECT_EQ(0x1f, get_le(set_reg_assoc(c, abi, 6), 16 + 6, 2));
	EXPECT_EQ(0x500, get_le(set_reg_assoc(c, abi, 6), 16 + 8, 8));
	EXPECT_EQ(R_CR0, get_le(set_reg_assoc(c, abi, 7), 0, 4));
	EXPECT_EQ(0x80000011, get_le(set_reg_assoc(c, abi, 7), 16, 8));
	EXPECT_EQ(R_CR3, get_le(set_reg_assoc(c, abi, 8), 0, 4));
	EXPECT_EQ(R_CR4, get_le(set_reg_assoc(c, abi, 9), 0, 4));
	EXPECT_EQ(0x20, get_le(set_reg_assoc(c, abi, 9), 16, 8));
	EXPECT_EQ(R_EFER, get_le(set_reg_assoc(c, abi, 10), 0, 4));
	EXPECT_EQ(0x500, get_le(set_reg_assoc(c, abi, 10), 16, 8));
	if (abi == FAKE_MSHV_UPSTREAM) {
		/* The hvcall: header {partition id (kernel's), VP 0, VTL 0}, 32-byte assocs. */
		EXPECT_EQ(16 + 11 * 32, get_le(c->arg, 4, 2));
		EXPECT_EQ(0, get_le(c->arg, 6, 2));
		EXPECT_EQ(0, get_le(c->data, 8, 8));
		EXPECT_EQ(FAKE_FD_VP, c->fd_kind);
	}
	EXPECT_EQ(0x9000, fake_mshv_get_reg(0, R_CR3));
	EXPECT_EQ(0x1000200, fake_mshv_get_reg(0, R_RIP));
	rig_close(r);
}

TEST(boot_regs_upstream)
{
	check_boot_regs(_metadata, FAKE_MSHV_UPSTREAM);
}

TEST(boot_regs_mariner)
{
	check_boot_regs(_metadata, FAKE_MSHV_MARINER);
}

/* ---- Port I/O ---- */

/*
 * OUT then IN of @size: the OUT's data is RAX truncated; the IN writes
 * its bytes of RAX as the CPU does (hvi_complete_io()); RIP moves past
 * either.
 */
static void check_port_io(struct __test_metadata *_metadata, enum fake_mshv_abi abi,
			  bool register_page)
{
	for (unsigned int size = 1; size <= 4; size *= 2) {
		struct rig *r = rig_open(_metadata, abi, register_page);
		uint64_t rax = 0xdeadbeefcafebabeULL, mask = size == 4 ? 0xffffffff :
								(1U << (8 * size)) - 1;
		/* The CPU's write: AL/AX merge into RAX, EAX zero-extends into it. */
		uint64_t want_rax = size == 4 ? 0x11223344 : (rax & ~mask) | (0x11223344 & mask);
		uint8_t *page = fake_mshv_register_page(0);
		uint8_t m[256];
		struct hv_exit exit;
		unsigned int n = 0;
		const struct fake_mshv_call *c;

		msg_io(m, 0x70, size, true, rax, 0x1000, 1 + (size == 2));
		fake_mshv_push_message(0, m);
		regpage_intercept(0x1000, rax);
		ASSERT_EQ(0, run(r, &exit));
		ASSERT_EQ(HV_EXIT_IO, exit.reason) TH_LOG("%s", exit.detail);
		EXPECT_EQ(0x70, exit.io.port);
		EXPECT_EQ(size, exit.io.size);
		EXPECT_TRUE(exit.io.is_write);
		EXPECT_EQ(1, exit.io.count);
		EXPECT_EQ(rax & mask, get_le(exit.io.data, 0, size));

		msg_io(m, 0x71, size, false, rax, 0x2000, 2);
		fake_mshv_push_message(0, m);
		ASSERT_EQ(0, run(r, &exit));	/* finishes the OUT, then the IN exit */
		if (register_page) {
			/* The OUT finished before the next RUN_VP: RIP only. */
			c = NULL;
			EXPECT_EQ(0x1000 + 1 + (size == 2), get_le(page, RP_RIP, 8));
			EXPECT_EQ(DIRTY_IP, get_le(page, RP_DIRTY, 4));
			EXPECT_EQ(rax, get_le(page, RP_GPR(0), 8));
		} else {
			c = set_regs_call(abi, 0, &n);
			ASSERT_NE(NULL, c);
			ASSERT_EQ(1, n);
			EXPECT_EQ(R_RIP, get_le(set_reg_assoc(c, abi, 0), 0, 4));
			EXPECT_EQ(0x1000 + 1 + (size == 2),
				  get_le(set_reg_assoc(c, abi, 0), 16, 8));
		}
		ASSERT_EQ(HV_EXIT_IO, exit.reason) TH_LOG("%s", exit.detail);
		EXPECT_FALSE(exit.io.is_write);
		EXPECT_EQ(0x71, exit.io.port);
		put_le(exit.io.data, 0, 0x11223344, size);
		regpage_intercept(0x2000, rax);

		ASSERT_EQ(0, run(r, &exit));	/* finishes the IN; the empty script: EINTR */
		EXPECT_EQ(HV_EXIT_INTR, exit.reason) TH_LOG("%s", exit.detail);
		if (register_page) {
			EXPECT_EQ(0x2002, get_le(page, RP_RIP, 8));
			EXPECT_EQ(want_rax, get_le(page, RP_GPR(0), 8));
			EXPECT_EQ(DIRTY_GENERAL | DIRTY_IP, get_le(page, RP_DIRTY, 4));
			EXPECT_EQ(0, fake_mshv_count(MAR_SET_VP_REGISTERS));
			EXPECT_EQ(NULL, fake_mshv_find_hvcall(HC_SET_VP_REGISTERS, 0));
		} else {
			c = set_regs_call(abi, 1, &n);
			ASSERT_NE(NULL, c);
			ASSERT_EQ(2, n);
			EXPECT_EQ(R_RIP, get_le(set_reg_assoc(c, abi, 0), 0, 4));
			EXPECT_EQ(0x2002, get_le(set_reg_assoc(c, abi, 0), 16, 8));
			EXPECT_EQ(R_RAX, get_le(set_reg_assoc(c, abi, 1), 0, 4));
			EXPECT_EQ(want_rax, get_le(set_reg_assoc(c, abi, 1), 16, 8));
			if (abi == FAKE_MSHV_UPSTREAM) {
				EXPECT_EQ(16 + 2 * 32, get_le(c->arg, 4, 2));
				EXPECT_EQ(0, get_le(c->data, 8, 4));	/* VP 0 */
			}
			EXPECT_EQ(want_rax, fake_mshv_get_reg(0, R_RAX));
		}
		EXPECT_EQ(3, fake_mshv_count(abi == FAKE_MSHV_UPSTREAM ? UP_RUN_VP : MAR_RUN_VP));
		rig_close(r);
	}
}

TEST(port_io_register_page_upstream)
{
	check_port_io(_metadata, FAKE_MSHV_UPSTREAM, true);
}

TEST(port_io_register_page_mariner)
{
	check_port_io(_metadata, FAKE_MSHV_MARINER, true);
}

TEST(port_io_set_registers_upstream)
{
	check_port_io(_metadata, FAKE_MSHV_UPSTREAM, false);
}

TEST(port_io_set_registers_mariner)
{
	check_port_io(_metadata, FAKE_MSHV_MARINER, false);
}

/* REP OUTSB of "hello" from guest memory to the UART-like port, done in the backend. */
static void check_rep_outsb(struct __test_metadata *_metadata, enum fake_mshv_abi abi,
			    bool register_page)
{
	struct rig *r = rig_open(_metadata, abi, register_page);
	uint64_t gpa = 0x10ffd, gva = GVA_OFFSET + gpa;	/* crosses a page */
	uint8_t *page = fake_mshv_register_page(0);
	const struct fake_mshv_call *c;
	struct hv_exit exit;
	unsigned int n = 0;
	uint8_t m[256];

	memcpy(r->vm.mem.base + gpa, "hello", 5);
	msg_io(m, 0x3f8, 1, true, 0, 0x3000, 2);
	m[P + 42] = 1 | 0x08 | 0x10;		/* size 1, string, rep */
	put_le(m, P + 104, 5, 8);		/* rcx */
	put_le(m, P + 112, gva, 8);		/* rsi */
	fake_mshv_push_message(0, m);
	regpage_intercept(0x3000, 0);
	ASSERT_EQ(0, run(r, &exit));
	EXPECT_EQ(HV_EXIT_INTR, exit.reason) TH_LOG("%s", exit.detail);
	ASSERT_EQ(5, r->port_writes);
	EXPECT_EQ(0, memcmp(r->port_written, "hello", 5));
	/* Translated one page at a time, reading. */
	if (abi == FAKE_MSHV_UPSTREAM) {
		c = fake_mshv_find_hvcall(HC_TRANSLATE_VA, 0);
		ASSERT_NE(NULL, c);
		EXPECT_EQ(FAKE_FD_VP, c->fd_kind);
		EXPECT_EQ(32, get_le(c->arg, 4, 2));
		EXPECT_EQ(16, get_le(c->arg, 6, 2));
		EXPECT_EQ(1, get_le(c->data, 16, 8));		/* VALIDATE_READ */
		EXPECT_EQ(gva >> 12, get_le(c->data, 24, 8));
		EXPECT_NE(NULL, fake_mshv_find_hvcall(HC_TRANSLATE_VA, 1));
	} else {
		c = fake_mshv_find(MAR_TRANSLATE_GVA, 0);
		ASSERT_NE(NULL, c);
		EXPECT_EQ(gva, get_le(c->arg, 0, 8));
		EXPECT_EQ(1, get_le(c->arg, 8, 8));
		EXPECT_EQ(2, fake_mshv_count(MAR_TRANSLATE_GVA));
	}
	if (register_page) {
		EXPECT_EQ(0x3002, get_le(page, RP_RIP, 8));
		EXPECT_EQ(gva + 5, get_le(page, RP_GPR(6), 8));	/* rsi */
		EXPECT_EQ(0, get_le(page, RP_GPR(1), 8));	/* rcx */
		EXPECT_EQ(DIRTY_GENERAL | DIRTY_IP, get_le(page, RP_DIRTY, 4));
	} else {
		c = set_regs_call(abi, 0, &n);
		ASSERT_NE(NULL, c);
		EXPECT_EQ(3, n);
		EXPECT_EQ(0x3002, fake_mshv_get_reg(0, R_RIP));
		EXPECT_EQ(gva + 5, fake_mshv_get_reg(0, R_RSI));
		EXPECT_EQ(0, fake_mshv_get_reg(0, R_RCX));
	}
	rig_close(r);
}

TEST(rep_outsb_upstream)
{
	check_rep_outsb(_metadata, FAKE_MSHV_UPSTREAM, true);
}

TEST(rep_outsb_mariner_no_register_page)
{
	check_rep_outsb(_metadata, FAKE_MSHV_MARINER, false);
}

TEST(string_io_outside_ram_is_an_error)
{
	struct rig *r = rig_open(_metadata, FAKE_MSHV_UPSTREAM, true);
	struct hv_exit exit;
	uint8_t m[256];

	msg_io(m, 0x3f8, 1, true, 0, 0x3000, 1);
	m[P + 42] = 1 | 0x08;
	put_le(m, P + 112, GVA_OFFSET + GUEST_RAM + 0x1000, 8);
	fake_mshv_push_message(0, m);
	ASSERT_EQ(0, run(r, &exit));
	EXPECT_EQ(HV_EXIT_ERROR, exit.reason);
	EXPECT_NE(NULL, strstr(exit.detail, "not RAM")) TH_LOG("%s", exit.detail);
	EXPECT_EQ(0, r->port_writes);
	rig_close(r);
}

/* ---- MMIO ---- */

static void check_mmio(struct __test_metadata *_metadata, enum fake_mshv_abi abi,
		       bool register_page)
{
	struct rig *r = rig_open(_metadata, abi, register_page);
	static const uint8_t load[16] = { 0x8b, 0x07, 0x90, 0x90 };	/* mov eax, [rdi] */
	static const uint8_t store[16] = { 0x89, 0x0f, 0xcc };		/* mov [rdi], ecx */
	uint8_t *page = fake_mshv_register_page(0);
	uint64_t rcx = 0x1234567890abcdefULL;
	struct hv_exit exit;
	unsigned int n = 0;
	uint8_t m[256];

	if (page) {
		put_le(page, RP_GPR(1), rcx, 8);
	} else {
		fake_mshv_set_reg(0, R_RCX, rcx);
		fake_mshv_set_reg(0, R_RAX, ~0ULL);
	}
	msg_mem(m, MMIO_BASE + 0x10, false, 0x4000, load, sizeof(load));
	fake_mshv_push_message(0, m);
	regpage_intercept(0x4000, ~0ULL);
	ASSERT_EQ(0, run(r, &exit));
	ASSERT_EQ(HV_EXIT_MMIO, exit.reason) TH_LOG("%s", exit.detail);
	EXPECT_EQ(MMIO_BASE + 0x10, exit.mmio.gpa);
	EXPECT_EQ(4, exit.mmio.len);
	EXPECT_FALSE(exit.mmio.is_write);
	bus_access(&r->vm.bus, BUS_MMIO, exit.mmio.gpa, exit.mmio.data, exit.mmio.len, false);
	EXPECT_EQ(0x10, r->mmio_offset);

	msg_mem(m, MMIO_BASE + 0x20, true, 0x5000, store, sizeof(store));
	m[P + 5] = 1;				/* write */
	fake_mshv_push_message(0, m);
	ASSERT_EQ(0, run(r, &exit));		/* finishes the load: EAX, zero-extended */
	if (page) {
		EXPECT_EQ(0x55667788, get_le(page, RP_GPR(0), 8));
		EXPECT_EQ(0x4002, get_le(page, RP_RIP, 8));
		EXPECT_EQ(DIRTY_GENERAL | DIRTY_IP, get_le(page, RP_DIRTY, 4));
		regpage_intercept(0x5000, 0x55667788);
	} else {
		EXPECT_EQ(0x55667788, fake_mshv_get_reg(0, R_RAX));
		EXPECT_EQ(0x4002, fake_mshv_get_reg(0, R_RIP));
		/* The GPRs came by GET_VP_REGISTERS: RAX..R15. */
		if (abi == FAKE_MSHV_UPSTREAM) {
			const struct fake_mshv_call *c;

			c = fake_mshv_find_hvcall(HC_GET_VP_REGISTERS, 0);
			ASSERT_NE(NULL, c);
			EXPECT_EQ(16, get_le(c->arg, 2, 2));
			EXPECT_EQ(16 + 16 * 4, get_le(c->arg, 4, 2));
			EXPECT_EQ(16 * 16, get_le(c->arg, 6, 2));
			EXPECT_EQ(R_RAX, get_le(c->data, 16, 4));
			EXPECT_EQ(R_RDI, get_le(c->data, 16 + 7 * 4, 4));
		} else {
			EXPECT_EQ(16, get_le(fake_mshv_find(MAR_GET_VP_REGISTERS, 0)->arg, 0, 4));
		}
	}
	ASSERT_EQ(HV_EXIT_MMIO, exit.reason) TH_LOG("%s", exit.detail);
	EXPECT_TRUE(exit.mmio.is_write);
	EXPECT_EQ(MMIO_BASE + 0x20, exit.mmio.gpa);
	EXPECT_EQ(4, exit.mmio.len);
	EXPECT_EQ(0x90abcdef, get_le(exit.mmio.data, 0, 4));

	ASSERT_EQ(0, run(r, &exit));		/* finishes the store: RIP only */
	EXPECT_EQ(HV_EXIT_INTR, exit.reason);
	if (page) {
		EXPECT_EQ(0x5002, get_le(page, RP_RIP, 8));
		EXPECT_EQ(DIRTY_IP, get_le(page, RP_DIRTY, 4));
	} else {
		set_regs_call(abi, 1, &n);
		EXPECT_EQ(1, n);
		EXPECT_EQ(0x5002, fake_mshv_get_reg(0, R_RIP));
	}
	rig_close(r);
}

TEST(mmio_mov_register_page_upstream)
{
	check_mmio(_metadata, FAKE_MSHV_UPSTREAM, true);
}

TEST(mmio_mov_get_registers_upstream)
{
	check_mmio(_metadata, FAKE_MSHV_UPSTREAM, false);
}

TEST(mmio_mov_get_registers_mariner)
{
	check_mmio(_metadata, FAKE_MSHV_MARINER, false);
}

TEST(mmio_refusals)
{
	struct rig *r = rig_open(_metadata, FAKE_MSHV_UPSTREAM, true);
	static const uint8_t movs[16] = { 0xf3, 0xa5 };		/* rep movsd */
	static const uint8_t load[16] = { 0x8b, 0x07 };
	struct hv_exit exit;
	uint8_t m[256];

	/* An instruction the decoder does not take: named, bytes and address. */
	msg_mem(m, MMIO_BASE + 0x10, false, 0x4000, movs, sizeof(movs));
	fake_mshv_push_message(0, m);
	ASSERT_EQ(0, run(r, &exit));
	EXPECT_EQ(HV_EXIT_ERROR, exit.reason);
	EXPECT_NE(NULL, strstr(exit.detail,
			       "MMIO at 0xd0000010: unsupported MMIO instruction f3 a5"))
		TH_LOG("%s", exit.detail);
	/* A load the hypervisor calls a write. */
	msg_mem(m, MMIO_BASE, true, 0x4000, load, sizeof(load));
	m[P + 5] = 1;
	fake_mshv_push_message(0, m);
	ASSERT_EQ(0, run(r, &exit));
	EXPECT_EQ(HV_EXIT_ERROR, exit.reason);
	EXPECT_NE(NULL, strstr(exit.detail, "load")) TH_LOG("%s", exit.detail);
	/* A GPA intercept on RAM is no MMIO. */
	msg_mem(m, 0x100000, false, 0x4000, load, sizeof(load));
	put_le(m, 0, MSG_GPA_INTERCEPT, 4);
	fake_mshv_push_message(0, m);
	ASSERT_EQ(0, run(r, &exit));
	EXPECT_EQ(HV_EXIT_ERROR, exit.reason);
	EXPECT_NE(NULL, strstr(exit.detail, "guest RAM at 0x100000")) TH_LOG("%s", exit.detail);
	/* Executing from MMIO. */
	msg_mem(m, MMIO_BASE, false, MMIO_BASE, load, 0);
	m[P + 5] = 2;
	fake_mshv_push_message(0, m);
	ASSERT_EQ(0, run(r, &exit));
	EXPECT_EQ(HV_EXIT_ERROR, exit.reason);
	EXPECT_NE(NULL, strstr(exit.detail, "executes")) TH_LOG("%s", exit.detail);
	EXPECT_EQ(0, r->mmio_len);
	rig_close(r);
}

/* ---- The other intercepts ---- */

TEST(msr_cpuid_halt)
{
	struct rig *r = rig_open(_metadata, FAKE_MSHV_UPSTREAM, true);
	uint8_t *page = fake_mshv_register_page(0);
	struct hv_exit exit;
	uint8_t m[256];

	/* RDMSR of an MSR nobody emulates: 0 in EDX:EAX, RIP past it. */
	msg_init(m, MSG_MSR, 64);
	msg_header(m, 2, 0, 0x6000);
	put_le(m, P + 40, 0xc0011029, 4);
	fake_mshv_push_message(0, m);
	regpage_intercept(0x6000, 0xffff);
	put_le(page, RP_GPR(2), 0xffff, 8);
	ASSERT_EQ(0, run(r, &exit));
	EXPECT_EQ(HV_EXIT_INTR, exit.reason) TH_LOG("%s", exit.detail);
	EXPECT_EQ(0x6002, get_le(page, RP_RIP, 8));
	EXPECT_EQ(0, get_le(page, RP_GPR(0), 8));
	EXPECT_EQ(0, get_le(page, RP_GPR(2), 8));

	/* WRMSR: ignored, RIP past it, no GPR written. */
	msg_init(m, MSG_MSR, 64);
	msg_header(m, 2, 1, 0x6100);
	put_le(m, P + 40, 0xc0011029, 4);
	fake_mshv_push_message(0, m);
	regpage_intercept(0x6100, 0x1234);
	ASSERT_EQ(0, run(r, &exit));
	EXPECT_EQ(0x6102, get_le(page, RP_RIP, 8));
	EXPECT_EQ(0x1234, get_le(page, RP_GPR(0), 8));
	EXPECT_EQ(DIRTY_IP, get_le(page, RP_DIRTY, 4));

	/* CPUID: the hypervisor's default answer (rax rcx rdx rbx @72.., 32 bits). */
	msg_init(m, MSG_CPUID, 104);
	msg_header(m, 2, 2, 0x7000);
	put_le(m, P + 40, 1, 8);
	put_le(m, P + 72, 0xffffffff000a0655ULL, 8);
	put_le(m, P + 80, 0xf6f8320b, 8);
	put_le(m, P + 88, 0x178bfbff, 8);
	put_le(m, P + 96, 0x00010800, 8);
	fake_mshv_push_message(0, m);
	regpage_intercept(0x7000, 1);
	ASSERT_EQ(0, run(r, &exit));
	EXPECT_EQ(HV_EXIT_INTR, exit.reason) TH_LOG("%s", exit.detail);
	EXPECT_EQ(0x7002, get_le(page, RP_RIP, 8));
	EXPECT_EQ(0x000a0655, get_le(page, RP_GPR(0), 8));
	EXPECT_EQ(0xf6f8320b, get_le(page, RP_GPR(1), 8));
	EXPECT_EQ(0x178bfbff, get_le(page, RP_GPR(2), 8));
	EXPECT_EQ(0x00010800, get_le(page, RP_GPR(3), 8));

	/* HLT reaches the VMM, which runs the VP again. */
	msg_init(m, MSG_HALT, 40);
	msg_header(m, 0, 2, 0x8000);
	fake_mshv_push_message(0, m);
	ASSERT_EQ(0, run(r, &exit));
	EXPECT_EQ(HV_EXIT_HLT, exit.reason);

	/* A triple fault: the guest crashed. */
	msg_init(m, MSG_UNRECOVERABLE, 40);
	msg_header(m, 0, 0, 0xfff0);
	fake_mshv_push_message(0, m);
	ASSERT_EQ(0, run(r, &exit));
	EXPECT_EQ(HV_EXIT_SHUTDOWN, exit.reason);
	EXPECT_NE(NULL, strstr(exit.detail, "triple fault")) TH_LOG("%s", exit.detail);
	rig_close(r);
}

TEST(malformed_messages)
{
	struct rig *r = rig_open(_metadata, FAKE_MSHV_UPSTREAM, true);
	struct hv_exit exit;
	uint8_t m[256];

	/* A port intercept whose payload is too small for its layout. */
	msg_io(m, 0x70, 1, true, 0, 0x1000, 1);
	m[4] = 100;
	fake_mshv_push_message(0, m);
	ASSERT_EQ(0, run(r, &exit));
	EXPECT_EQ(HV_EXIT_ERROR, exit.reason);
	EXPECT_NE(NULL, strstr(exit.detail, "payload size")) TH_LOG("%s", exit.detail);
	EXPECT_NE(NULL, strstr(exit.detail, "0x80010000")) TH_LOG("%s", exit.detail);
	/* Instruction length 0. */
	msg_io(m, 0x70, 1, true, 0, 0x1000, 0);
	fake_mshv_push_message(0, m);
	ASSERT_EQ(0, run(r, &exit));
	EXPECT_EQ(HV_EXIT_ERROR, exit.reason);
	EXPECT_NE(NULL, strstr(exit.detail, "instruction length")) TH_LOG("%s", exit.detail);
	/* A type nobody knows. */
	msg_init(m, 0x8001ffff, 40);
	fake_mshv_push_message(0, m);
	ASSERT_EQ(0, run(r, &exit));
	EXPECT_EQ(HV_EXIT_ERROR, exit.reason);
	EXPECT_NE(NULL, strstr(exit.detail, "unknown message type")) TH_LOG("%s", exit.detail);
	/* A known type this VMM does not handle: named. */
	msg_init(m, 0x80010003, 40);		/* exception intercept */
	msg_header(m, 0, 0, 0x1234);
	fake_mshv_push_message(0, m);
	ASSERT_EQ(0, run(r, &exit));
	EXPECT_EQ(HV_EXIT_ERROR, exit.reason);
	EXPECT_NE(NULL, strstr(exit.detail, "unexpected exception intercept (0x80010003) at rip "
				"0x1234")) TH_LOG("%s", exit.detail);
	/* Another VP's message. */
	msg_io(m, 0x70, 1, true, 0, 0x1000, 1);
	put_le(m, P, 3, 4);
	fake_mshv_push_message(0, m);
	ASSERT_EQ(0, run(r, &exit));
	EXPECT_EQ(HV_EXIT_ERROR, exit.reason);
	EXPECT_NE(NULL, strstr(exit.detail, "for VP 3 reached VP 0")) TH_LOG("%s", exit.detail);
	/* RUN_VP failing for another reason than a signal. */
	fake_mshv_push_errno(0, EFAULT);
	ASSERT_EQ(0, run(r, &exit));
	EXPECT_EQ(HV_EXIT_ERROR, exit.reason);
	EXPECT_STREQ("RUN_VP: Bad address", exit.detail);
	rig_close(r);
}

/* ---- Interrupts ---- */

static void ioapic_write(struct rig *r, uint32_t reg, uint32_t value)
{
	uint8_t data[4];

	put_le(data, 0, reg, 4);
	bus_access(&r->vm.bus, BUS_MMIO, MACHINE_IOAPIC_ADDR, data, 4, true);
	put_le(data, 0, value, 4);
	bus_access(&r->vm.bus, BUS_MMIO, MACHINE_IOAPIC_ADDR + 0x10, data, 4, true);
}

static uint64_t eventfd_count(int fd)
{
	eventfd_t value = 0;

	return eventfd_read(fd, &value) ? 0 : value;
}

static void check_irq_delivery(struct __test_metadata *_metadata, enum fake_mshv_abi abi)
{
	struct rig *r = rig_open(_metadata, abi, true);
	unsigned long routing = abi == FAKE_MSHV_UPSTREAM ? UP_SET_MSI_ROUTING :
							     MAR_SET_MSI_ROUTING;
	const struct fake_mshv_call *c;

	/* Pin 4, edge, vector 0x24, physical destination APIC 1. */
	ioapic_write(r, 0x11 + 2 * 4, 1U << 24);
	ioapic_write(r, 0x10 + 2 * 4, 0x24);
	EXPECT_EQ(0, fake_mshv_count(routing));
	ASSERT_EQ(0, hv_mshv_ops.irq_line(r->hv, 4, 1));
	ASSERT_EQ(1, fake_mshv_count(routing));
	c = fake_mshv_find(routing, 0);
	EXPECT_EQ(1, get_le(c->arg, 0, 4));		/* nr */
	EXPECT_EQ(0, get_le(c->arg, 4, 4));
	ASSERT_EQ(16, c->data_len);
	EXPECT_EQ(4, get_le(c->data, 0, 4));		/* gsi */
	EXPECT_EQ(0xfee01000, get_le(c->data, 4, 4));	/* address_lo */
	EXPECT_EQ(0, get_le(c->data, 8, 4));		/* address_hi */
	EXPECT_EQ(0x24, get_le(c->data, 12, 4));	/* data: vector, fixed, edge */
	EXPECT_EQ(1, eventfd_count(fake_mshv_irqfd(4)));
	/* Another edge, same route: the irqfd alone. */
	hv_mshv_ops.irq_line(r->hv, 4, 0);
	hv_mshv_ops.irq_line(r->hv, 4, 1);
	EXPECT_EQ(1, fake_mshv_count(routing));
	EXPECT_EQ(1, eventfd_count(fake_mshv_irqfd(4)));
	/* The guest moves the pin to another vector: the route follows. */
	ioapic_write(r, 0x10 + 2 * 4, 0x31);
	hv_mshv_ops.irq_line(r->hv, 4, 0);
	hv_mshv_ops.irq_line(r->hv, 4, 1);
	ASSERT_EQ(2, fake_mshv_count(routing));
	EXPECT_EQ(0x31, get_le(fake_mshv_find(routing, 1)->data, 12, 4));
	EXPECT_EQ(1, eventfd_count(fake_mshv_irqfd(4)));
	EXPECT_EQ(0, eventfd_count(fake_mshv_irqfd(5)));
	EXPECT_EQ(-EINVAL, hv_mshv_ops.irq_line(r->hv, 24, 1));
	rig_close(r);
}

TEST(irq_delivery_upstream)
{
	check_irq_delivery(_metadata, FAKE_MSHV_UPSTREAM);
}

TEST(irq_delivery_mariner)
{
	check_irq_delivery(_metadata, FAKE_MSHV_MARINER);
}

TEST(apic_eoi_reaches_the_ioapic)
{
	struct rig *r = rig_open(_metadata, FAKE_MSHV_MARINER, true);
	struct hv_exit exit;
	uint8_t m[256];

	/* Pin 9, level, vector 0x39: delivered once while the line stays high. */
	ioapic_write(r, 0x11 + 2 * 9, 0);
	ioapic_write(r, 0x10 + 2 * 9, 0x39 | 1U << 15);
	hv_mshv_ops.irq_line(r->hv, 9, 1);
	EXPECT_EQ(1, eventfd_count(fake_mshv_irqfd(9)));
	EXPECT_EQ(0xc039, get_le(fake_mshv_find(MAR_SET_MSI_ROUTING, 0)->data, 12, 4));
	hv_mshv_ops.irq_line(r->hv, 9, 1);
	EXPECT_EQ(0, eventfd_count(fake_mshv_irqfd(9)));
	/* The guest's EOI (vp @0, vector @4): the line is still high, so again. */
	msg_init(m, MSG_APIC_EOI, 8);
	put_le(m, P + 4, 0x39, 4);
	fake_mshv_push_message(0, m);
	ASSERT_EQ(0, run(r, &exit));
	EXPECT_EQ(HV_EXIT_INTR, exit.reason) TH_LOG("%s", exit.detail);
	EXPECT_EQ(1, eventfd_count(fake_mshv_irqfd(9)));
	/* A vector no x86 has. */
	put_le(m, P + 4, 0x139, 4);
	fake_mshv_push_message(0, m);
	ASSERT_EQ(0, run(r, &exit));
	EXPECT_EQ(HV_EXIT_ERROR, exit.reason);
	rig_close(r);
}

/* ---- Kicks, rules, the fast path, statistics ---- */

TEST(kick_before_run)
{
	struct rig *r = rig_open(_metadata, FAKE_MSHV_UPSTREAM, true);
	struct hv_exit exit;
	uint8_t m[256];

	msg_init(m, MSG_HALT, 40);
	fake_mshv_push_message(0, m);
	hv_mshv_ops.kick(r->vcpu);
	ASSERT_EQ(0, run(r, &exit));
	EXPECT_EQ(HV_EXIT_INTR, exit.reason);
	EXPECT_EQ(0, fake_mshv_count(UP_RUN_VP));
	/* Taken once: the next run enters the guest. */
	ASSERT_EQ(0, run(r, &exit));
	EXPECT_EQ(HV_EXIT_HLT, exit.reason);
	EXPECT_EQ(1, fake_mshv_count(UP_RUN_VP));
	rig_close(r);
}

static void check_rules(struct __test_metadata *_metadata, enum fake_mshv_abi abi)
{
	struct rig *r = rig_open(_metadata, abi, true);
	unsigned long nr = abi == FAKE_MSHV_UPSTREAM ? UP_IOEVENTFD : MAR_IOEVENTFD;
	struct rule doorbell = {
		.kind = RULE_DOORBELL, .space = BUS_MMIO, .addr = MMIO_BASE + 0x50, .len = 4,
		.has_datamatch = true, .datamatch = 2, .eventfd = 42,
	};
	struct rule pio = { .kind = RULE_DOORBELL, .space = BUS_PIO, .addr = 0x70, .len = 1 };
	struct rule coalesce = { .kind = RULE_COALESCE, .space = BUS_MMIO, .addr = MMIO_BASE,
				 .len = 1 };
	const struct fake_mshv_call *c;

	ASSERT_EQ(0, hv_mshv_ops.place_rule(r->hv, &doorbell));
	c = fake_mshv_find(nr, 0);
	ASSERT_NE(NULL, c);
	ASSERT_EQ(32, c->arg_len);
	EXPECT_EQ(2, get_le(c->arg, 0, 8));		/* datamatch */
	EXPECT_EQ(MMIO_BASE + 0x50, get_le(c->arg, 8, 8));
	EXPECT_EQ(4, get_le(c->arg, 16, 4));
	EXPECT_EQ(42, get_le(c->arg, 20, 4));
	EXPECT_EQ(1, get_le(c->arg, 24, 4));		/* DATAMATCH */
	hv_mshv_ops.unplace_rule(r->hv, &doorbell);
	EXPECT_EQ(1 | 4, get_le(fake_mshv_find(nr, 1)->arg, 24, 4));	/* DATAMATCH|DEASSIGN */
	EXPECT_EQ(-EOPNOTSUPP, hv_mshv_ops.place_rule(r->hv, &pio));
	EXPECT_EQ(-EOPNOTSUPP, hv_mshv_ops.place_rule(r->hv, &coalesce));
	EXPECT_EQ(2, fake_mshv_count(nr));
	EXPECT_TRUE(hv_mshv_ops.drain == NULL);	/* no coalesced-write ring */
	rig_close(r);
}

TEST(rules_upstream)
{
	check_rules(_metadata, FAKE_MSHV_UPSTREAM);
}

TEST(rules_mariner)
{
	check_rules(_metadata, FAKE_MSHV_MARINER);
}

TEST(fastpath_attach_and_run)
{
	struct rig *r = rig_open(_metadata, FAKE_MSHV_UPSTREAM, true);
	int fp = fake_mshv_fastpath_fd();
	const struct fake_mshv_call *c;
	struct hv_vcpu_stats stats;
	struct hv_exit exit;
	uint8_t m[256];

	ASSERT_LE(0, fp);
	ASSERT_EQ(0, hv_mshv_ops.fastpath_attach(r->vcpu, fp));
	c = fake_mshv_find(MSHV_FP_ATTACH_VCPU, 0);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(2, get_le(c->arg, 0, 4));		/* MSHV_FP_HV_MSHV */
	EXPECT_LE(0, (int)get_le(c->arg, 4, 4));	/* the VP fd */
	EXPECT_EQ(0, get_le(c->arg, 8, 4));		/* vcpu id */
	EXPECT_EQ(0, get_le(c->arg, 12, 4));
	EXPECT_NE(0, get_le(c->arg, 16, 8));		/* the message buffer */
	EXPECT_EQ((uintptr_t)fake_mshv_register_page(0), get_le(c->arg, 24, 8));

	/* The module's run loop puts the message in the same buffer. */
	msg_io(m, 0x3f9, 1, false, 0, 0x1000, 1);
	fake_mshv_push_message(0, m);
	ASSERT_EQ(0, run(r, &exit));
	ASSERT_EQ(HV_EXIT_IO, exit.reason) TH_LOG("%s", exit.detail);
	EXPECT_EQ(0x3f9, exit.io.port);
	EXPECT_EQ(1, fake_mshv_count(MSHV_FP_RUN));
	EXPECT_EQ(0, fake_mshv_count(UP_RUN_VP));
	ASSERT_EQ(0, run(r, &exit));
	EXPECT_EQ(HV_EXIT_INTR, exit.reason);
	EXPECT_STREQ("", exit.detail);

	hv_mshv_ops.vcpu_stats(r->vcpu, &stats);
	EXPECT_TRUE(stats.valid);
	EXPECT_EQ(1, stats.exits);
	EXPECT_EQ(1, stats.io_exits);
	EXPECT_EQ(0, stats.mmio_exits);
	close(fp);
	rig_close(r);
}

TEST(dump_regs)
{
	struct rig *r = rig_open(_metadata, FAKE_MSHV_MARINER, false);
	char buf[256];

	fake_mshv_set_reg(0, R_RIP, 0xffffffff81000000ULL);
	fake_mshv_set_reg(0, R_CR3, 0x1234000);
	hv_mshv_ops.dump_regs(r->vcpu, buf, sizeof(buf));
	EXPECT_NE(NULL, strstr(buf, "rip=0xffffffff81000000")) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "cr3=0x1234000")) TH_LOG("%s", buf);
	rig_close(r);
}

TEST_HARNESS_MAIN
