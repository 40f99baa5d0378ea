// SPDX-License-Identifier: GPL-2.0
/*
 * The shared intercept decoder (common/hv_intercept.c) fed the bytes the
 * hypervisor writes. Every message and register page here is laid out by
 * hand, byte offset by byte offset, from the layouts in the project's notes
 * (struct hv_message and the x64 intercept payloads, the VP register
 * page), never through the structs of hv_abi.h: the test is an independent
 * check of those structs as well as of the decoder.
 *
 * Both driver ABIs, upstream and Mariner, hand userspace the same
 * hypervisor messages and the same register page (only their ioctl numbers
 * differ), so one set of cases covers both; hvi_decode() takes no ABI.
 */
#include <stdint.h>
#include <string.h>

#include "hv_intercept.h"

#include "kselftest_harness.h"

/* struct hv_message: header, then the payload at 16. */
#define MSG_SIZE	256
#define MSG_TYPE	0	/* u32 */
#define MSG_PAYLOAD_SIZE 4	/* u8 */
#define MSG_FLAGS	5	/* u8 */
#define MSG_SENDER	8	/* u64 */
#define P		16	/* the payload */

/* The 40-byte intercept header, at the start of the payload. */
#define H_VP_INDEX	(P + 0)		/* u32 */
#define H_INSN_LEN_CR8	(P + 4)		/* u8: length bits 0-3, cr8 bits 4-7 */
#define H_ACCESS	(P + 5)		/* u8: read 0, write 1, execute 2 */
#define H_EXEC_STATE	(P + 6)		/* u16 */
#define H_CS		(P + 8)		/* segment: u64 base, u32 limit, u16 sel, u16 attr */
#define H_RIP		(P + 24)	/* u64 */
#define H_RFLAGS	(P + 32)	/* u64 */

/* Port I/O intercept, 128 bytes. */
#define IO_PORT		(P + 40)	/* u16 */
#define IO_ACCESS_INFO	(P + 42)	/* u8: size bits 0-2, string bit 3, rep bit 4 */
#define IO_INSN_COUNT	(P + 43)	/* u8 */
#define IO_RAX		(P + 48)
#define IO_INSN_BYTES	(P + 56)	/* 16 bytes */
#define IO_DS		(P + 72)	/* segment, base first */
#define IO_ES		(P + 88)
#define IO_RCX		(P + 104)
#define IO_RSI		(P + 112)
#define IO_RDI		(P + 120)
#define IO_PAYLOAD	128

/* Memory (GPA) intercept, 80 bytes. */
#define MEM_CACHE_TYPE	(P + 40)	/* u32 */
#define MEM_INSN_COUNT	(P + 44)	/* u8 */
#define MEM_ACCESS_INFO	(P + 45)	/* u8: gva valid bit 0 */
#define MEM_GVA		(P + 48)
#define MEM_GPA		(P + 56)
#define MEM_INSN_BYTES	(P + 64)	/* 16 bytes */
#define MEM_PAYLOAD	80

/* MSR intercept, 64 bytes. */
#define MSR_NUMBER	(P + 40)	/* u32 */
#define MSR_RDX		(P + 48)
#define MSR_RAX		(P + 56)
#define MSR_PAYLOAD	64

/* CPUID intercept, 104 bytes: the guest's registers, then the defaults. */
#define CPUID_RAX	(P + 40)
#define CPUID_RCX	(P + 48)
#define CPUID_RDX	(P + 56)
#define CPUID_RBX	(P + 64)
#define CPUID_DEF_RAX	(P + 72)
#define CPUID_DEF_RCX	(P + 80)
#define CPUID_DEF_RDX	(P + 88)
#define CPUID_DEF_RBX	(P + 96)
#define CPUID_PAYLOAD	104

#define HEADER_PAYLOAD	40	/* HALT and the others that carry only the header */

/* APIC EOI: no intercept header, { u32 vp_index; u32 vector }. */
#define EOI_VP_INDEX	(P + 0)
#define EOI_VECTOR	(P + 4)
#define EOI_PAYLOAD	8

/* Message types (the notes' list). */
#define T_UNMAPPED_GPA		0x80000000u
#define T_GPA_INTERCEPT		0x80000001u
#define T_UNACCEPTED_GPA	0x80000003u
#define T_GPA_ATTRIBUTE		0x80000004u
#define T_TIMER_EXPIRED		0x80000010u
#define T_UNRECOVERABLE_EXC	0x80000021u
#define T_UNSUPPORTED_FEATURE	0x80000022u
#define T_OPAQUE_INTERCEPT	0x8000003fu
#define T_IO_PORT		0x80010000u
#define T_MSR			0x80010001u
#define T_CPUID			0x80010002u
#define T_EXCEPTION		0x80010003u
#define T_APIC_EOI		0x80010004u
#define T_HALT			0x80010007u
#define T_INTERRUPTION_DELIV	0x80010008u
#define T_SIPI			0x80010009u
#define T_SEV_VMGEXIT		0x80010013u

#define ACCESS_READ	0
#define ACCESS_WRITE	1
#define ACCESS_EXECUTE	2

/* The VP register page: version, isvalid, dirty, rax..r15, rip, rflags. */
#define RP_SIZE		4096
#define RP_VERSION	0	/* u16, 1 */
#define RP_ISVALID	2	/* u8 */
#define RP_DIRTY	4	/* u32: GENERAL bit 0, IP bit 1, ... */
#define RP_GPR(n)	(8 + 8 * (n))	/* rax rcx rdx rbx rsp rbp rsi rdi r8..r15 */
#define RP_RIP		136
#define RP_RFLAGS	144
#define RP_DIRTY_GENERAL 0x1u
#define RP_DIRTY_IP	0x2u

/* Little-endian, byte by byte, whatever the host. */
static void put_u8(uint8_t *buf, size_t off, uint8_t v)
{
	buf[off] = v;
}

static void put_le(uint8_t *buf, size_t off, uint64_t v, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++)
		buf[off + i] = (uint8_t)(v >> (8 * i));
}

static void put_u16(uint8_t *buf, size_t off, uint16_t v)
{
	put_le(buf, off, v, 2);
}

static void put_u32(uint8_t *buf, size_t off, uint32_t v)
{
	put_le(buf, off, v, 4);
}

static void put_u64(uint8_t *buf, size_t off, uint64_t v)
{
	put_le(buf, off, v, 8);
}

static uint64_t get_le(const uint8_t *buf, size_t off, unsigned int bytes)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < bytes; i++)
		v |= (uint64_t)buf[off + i] << (8 * i);
	return v;
}

/*
 * A message of @type with @payload_size, flags and sender set (the decoder
 * must ignore them), and everything else 0x00.
 */
static void msg_init(uint8_t *m, uint32_t type, uint8_t payload_size)
{
	memset(m, 0, MSG_SIZE);
	put_u32(m, MSG_TYPE, type);
	put_u8(m, MSG_PAYLOAD_SIZE, payload_size);
	put_u8(m, MSG_FLAGS, 0x01);
	put_u64(m, MSG_SENDER, 0x5e5e5e5e5e5e5e5eull);
}

#define VP_INDEX	7
#define RIP		0xffffffff81234560ull
#define RFLAGS		0x0000000000000246ull

/* The intercept header, with a CS and execution state the decoder ignores. */
static void put_header(uint8_t *m, uint8_t insn_len_cr8, uint8_t access)
{
	put_u32(m, H_VP_INDEX, VP_INDEX);
	put_u8(m, H_INSN_LEN_CR8, insn_len_cr8);
	put_u8(m, H_ACCESS, access);
	put_u16(m, H_EXEC_STATE, 0x3c1f);
	put_u64(m, H_CS, 0);
	put_u32(m, H_CS + 8, 0xffffffff);
	put_u16(m, H_CS + 12, 0x10);
	put_u16(m, H_CS + 14, 0xa09b);
	put_u64(m, H_RIP, RIP);
	put_u64(m, H_RFLAGS, RFLAGS);
}

#define IO_RAX_VALUE	0xdeadbeefcafef00dull
#define IO_RCX_VALUE	0x1111111111111104ull
#define IO_RSI_VALUE	0x2222222222222200ull
#define IO_RDI_VALUE	0x3333333333333300ull
#define IO_DS_BASE	0x4444444444444000ull
#define IO_ES_BASE	0x5555555555555000ull

/* A port I/O intercept: @access_info as the hypervisor encodes it. */
static void io_msg(uint8_t *m, uint16_t port, uint8_t access_info, uint8_t access,
		   uint8_t insn_len)
{
	static const uint8_t insn[] = { 0xf3, 0x6c };	/* rep insb, for the bytes */

	msg_init(m, T_IO_PORT, IO_PAYLOAD);
	put_header(m, insn_len, access);
	put_u16(m, IO_PORT, port);
	put_u8(m, IO_ACCESS_INFO, access_info);
	put_u8(m, IO_INSN_COUNT, sizeof(insn));
	put_u32(m, P + 44, 0xa5a5a5a5);	/* reserved */
	put_u64(m, IO_RAX, IO_RAX_VALUE);
	memcpy(m + IO_INSN_BYTES, insn, sizeof(insn));
	put_u64(m, IO_DS, IO_DS_BASE);
	put_u64(m, IO_ES, IO_ES_BASE);
	put_u64(m, IO_RCX, IO_RCX_VALUE);
	put_u64(m, IO_RSI, IO_RSI_VALUE);
	put_u64(m, IO_RDI, IO_RDI_VALUE);
}

#define MEM_GPA_VALUE	0x00000000fed00040ull
#define MEM_GVA_VALUE	0xffffc90000100040ull

static void mem_msg(uint8_t *m, uint32_t type, uint8_t access, uint8_t access_info,
		    const uint8_t *insn, uint8_t insn_count)
{
	unsigned int i;

	msg_init(m, type, MEM_PAYLOAD);
	put_header(m, 0, access);
	put_u32(m, MEM_CACHE_TYPE, 6);
	put_u8(m, MEM_INSN_COUNT, insn_count);
	put_u8(m, MEM_ACCESS_INFO, access_info);
	put_u64(m, MEM_GVA, MEM_GVA_VALUE);
	put_u64(m, MEM_GPA, MEM_GPA_VALUE);
	for (i = 0; i < insn_count && i < 16; i++)
		m[MEM_INSN_BYTES + i] = insn[i];
}

static void msr_msg(uint8_t *m, uint8_t access, uint32_t msr, uint64_t rdx, uint64_t rax)
{
	msg_init(m, T_MSR, MSR_PAYLOAD);
	put_header(m, 2, access);
	put_u32(m, MSR_NUMBER, msr);
	put_u32(m, P + 44, 0xa5a5a5a5);	/* reserved */
	put_u64(m, MSR_RDX, rdx);
	put_u64(m, MSR_RAX, rax);
}

static void cpuid_msg(uint8_t *m)
{
	msg_init(m, T_CPUID, CPUID_PAYLOAD);
	put_header(m, 2, ACCESS_EXECUTE);
	put_u64(m, CPUID_RAX, 0x40000000);
	put_u64(m, CPUID_RCX, 0x11);
	put_u64(m, CPUID_RDX, 0x22);
	put_u64(m, CPUID_RBX, 0x33);
	put_u64(m, CPUID_DEF_RAX, 0x40000006);
	put_u64(m, CPUID_DEF_RCX, 0x7263694d);
	put_u64(m, CPUID_DEF_RDX, 0x76482074);
	put_u64(m, CPUID_DEF_RBX, 0x7263694d666f736full);
}

/* The header-only message of @type. */
static void header_msg(uint8_t *m, uint32_t type, uint8_t insn_len_cr8, uint8_t access)
{
	msg_init(m, type, HEADER_PAYLOAD);
	put_header(m, insn_len_cr8, access);
}

static void expect_header(struct __test_metadata *_metadata, const struct hvi_exit *ex,
			  uint32_t type, uint8_t access)
{
	EXPECT_EQ(type, ex->type);
	EXPECT_EQ(VP_INDEX, ex->vp_index);
	EXPECT_EQ(access, ex->access);
	EXPECT_EQ(RIP, ex->rip);
	EXPECT_EQ(RFLAGS, ex->rflags);
	EXPECT_EQ(0xa09b, ex->cs_attributes);	/* 64-bit code segment: L, P, S, type 11 */
}

TEST(io_port_scalar_in_and_out)
{
	static const struct {
		uint8_t size;
		uint8_t access;
		uint16_t port;
		uint8_t insn_len;
	} cases[] = {
		{ 1, ACCESS_READ, 0x3f8, 1 },	/* in al, dx */
		{ 2, ACCESS_READ, 0xcfc, 2 },	/* in ax, dx */
		{ 4, ACCESS_READ, 0xcfc, 1 },	/* in eax, dx */
		{ 1, ACCESS_WRITE, 0x80, 2 },	/* out 0x80, al */
		{ 2, ACCESS_WRITE, 0x604, 2 },	/* out dx, ax */
		{ 4, ACCESS_WRITE, 0xcf8, 1 },	/* out dx, eax */
	};
	uint8_t m[MSG_SIZE];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct hvi_exit ex;

		/* cr8 in the high nibble must not leak into the length. */
		io_msg(m, cases[i].port, cases[i].size, cases[i].access,
		       0xf0 | cases[i].insn_len);
		ASSERT_EQ(0, hvi_decode(m, sizeof(m), &ex)) TH_LOG("case %u", i);
		expect_header(_metadata, &ex, T_IO_PORT, cases[i].access);
		EXPECT_EQ(cases[i].insn_len, ex.insn_len) TH_LOG("case %u", i);
		EXPECT_EQ(cases[i].port, ex.io.port) TH_LOG("case %u", i);
		EXPECT_EQ(cases[i].size, ex.io.size) TH_LOG("case %u", i);
		EXPECT_EQ(cases[i].access == ACCESS_WRITE, ex.io.write) TH_LOG("case %u", i);
		EXPECT_FALSE(ex.io.string) TH_LOG("case %u", i);
		EXPECT_FALSE(ex.io.rep) TH_LOG("case %u", i);
		EXPECT_EQ(IO_RAX_VALUE, ex.io.rax) TH_LOG("case %u", i);
		EXPECT_EQ(IO_RCX_VALUE, ex.io.rcx) TH_LOG("case %u", i);
		EXPECT_EQ(IO_RSI_VALUE, ex.io.rsi) TH_LOG("case %u", i);
		EXPECT_EQ(IO_RDI_VALUE, ex.io.rdi) TH_LOG("case %u", i);
		EXPECT_EQ(IO_DS_BASE, ex.io.ds_base) TH_LOG("case %u", i);
		EXPECT_EQ(IO_ES_BASE, ex.io.es_base) TH_LOG("case %u", i);
	}
}

TEST(io_port_string_and_rep)
{
	static const struct {
		uint8_t access_info;
		uint8_t access;
		bool string, rep;
	} cases[] = {
		{ 0x08 | 1, ACCESS_READ, true, false },		/* insb */
		{ 0x18 | 2, ACCESS_READ, true, true },		/* rep insw */
		{ 0x18 | 4, ACCESS_WRITE, true, true },		/* rep outsd */
		{ 0x10 | 1, ACCESS_WRITE, false, true },	/* rep prefix on out */
	};
	uint8_t m[MSG_SIZE];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct hvi_exit ex;

		io_msg(m, 0x1f0, cases[i].access_info, cases[i].access, 2);
		ASSERT_EQ(0, hvi_decode(m, sizeof(m), &ex)) TH_LOG("case %u", i);
		EXPECT_EQ(cases[i].access_info & 7, ex.io.size) TH_LOG("case %u", i);
		EXPECT_EQ(cases[i].string, ex.io.string) TH_LOG("case %u", i);
		EXPECT_EQ(cases[i].rep, ex.io.rep) TH_LOG("case %u", i);
		EXPECT_EQ(cases[i].access == ACCESS_WRITE, ex.io.write) TH_LOG("case %u", i);
		EXPECT_EQ(0x1f0, ex.io.port);
		EXPECT_EQ(IO_RCX_VALUE, ex.io.rcx);
		EXPECT_EQ(IO_RSI_VALUE, ex.io.rsi);
		EXPECT_EQ(IO_RDI_VALUE, ex.io.rdi);
		EXPECT_EQ(IO_DS_BASE, ex.io.ds_base);
		EXPECT_EQ(IO_ES_BASE, ex.io.es_base);
	}
}

/* OUT: RIP past the instruction, no register written. */
TEST(io_port_out_completion)
{
	uint8_t m[MSG_SIZE];
	struct hvi_completion done;
	struct hvi_exit ex;

	io_msg(m, 0x3f8, 1, ACCESS_WRITE, 1);
	ASSERT_EQ(0, hvi_decode(m, sizeof(m), &ex));
	memset(&done, 0xa5, sizeof(done));
	hvi_complete_io(&ex, 0xffffffff, &done);
	EXPECT_EQ(RIP + 1, done.rip);
	EXPECT_EQ(0, done.gpr_mask);
}

/*
 * IN, as the CPU writes its destination (SDM: 8/16-bit register writes keep
 * bits 63:8 / 63:16, 32-bit writes zero-extend): AL and AX merge into RAX,
 * EAX clears the upper half; value bits above the size are dropped.
 */
TEST(io_port_in_completion)
{
	static const struct {
		uint8_t size;
		uint32_t value;
		uint64_t rax;
	} cases[] = {
		{ 1, 0x12, 0xdeadbeefcafef012ull },
		{ 1, 0xffffff12, 0xdeadbeefcafef012ull },
		{ 2, 0x3456, 0xdeadbeefcafe3456ull },
		{ 2, 0xffff3456, 0xdeadbeefcafe3456ull },
		{ 4, 0x789abcde, 0x00000000789abcdeull },
	};
	uint8_t m[MSG_SIZE];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct hvi_completion done;
		struct hvi_exit ex;

		io_msg(m, 0x71, cases[i].size, ACCESS_READ, 2);
		ASSERT_EQ(0, hvi_decode(m, sizeof(m), &ex));
		ASSERT_EQ(IO_RAX_VALUE, ex.io.rax);
		memset(&done, 0xa5, sizeof(done));
		hvi_complete_io(&ex, cases[i].value, &done);
		EXPECT_EQ(RIP + 2, done.rip) TH_LOG("case %u", i);
		EXPECT_EQ(1, done.gpr_mask) TH_LOG("case %u: only RAX", i);
		EXPECT_EQ(cases[i].rax, done.gpr[0]) TH_LOG("case %u", i);
	}
}

TEST(memory_intercepts)
{
	static const uint8_t insn[16] = {
		0x8b, 0x87, 0x40, 0x00, 0x10, 0x00,	/* mov eax, [rdi + 0x100040] */
		0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0xcc,
	};
	static const struct {
		uint32_t type;
		uint8_t access;
		uint8_t access_info;
		bool gva_valid;
		uint8_t insn_count;
	} cases[] = {
		{ T_UNMAPPED_GPA, ACCESS_READ, 0x01, true, 6 },
		{ T_UNMAPPED_GPA, ACCESS_WRITE, 0x00, false, 16 },
		{ T_GPA_INTERCEPT, ACCESS_WRITE, 0x01, true, 0 },
		{ T_GPA_INTERCEPT, ACCESS_EXECUTE, 0xfe, false, 15 },	/* other bits set */
	};
	uint8_t m[MSG_SIZE];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct hvi_exit ex;

		mem_msg(m, cases[i].type, cases[i].access, cases[i].access_info, insn,
			cases[i].insn_count);
		ASSERT_EQ(0, hvi_decode(m, sizeof(m), &ex)) TH_LOG("case %u", i);
		expect_header(_metadata, &ex, cases[i].type, cases[i].access);
		/* No instruction length: MMIO is emulated from the bytes. */
		EXPECT_EQ(0, ex.insn_len) TH_LOG("case %u", i);
		EXPECT_EQ(MEM_GPA_VALUE, ex.mem.gpa) TH_LOG("case %u", i);
		EXPECT_EQ(MEM_GVA_VALUE, ex.mem.gva) TH_LOG("case %u", i);
		EXPECT_EQ(cases[i].gva_valid, ex.mem.gva_valid) TH_LOG("case %u", i);
		EXPECT_EQ(cases[i].insn_count, ex.mem.insn_count) TH_LOG("case %u", i);
		EXPECT_EQ(0, memcmp(insn, ex.mem.insn, cases[i].insn_count))
			TH_LOG("case %u: instruction bytes", i);
	}
}

TEST(msr_read_and_write)
{
	uint8_t m[MSG_SIZE];
	struct hvi_completion done;
	struct hvi_exit ex;

	msr_msg(m, ACCESS_READ, 0xc0000080, 0x1111111122222222ull, 0x3333333344444444ull);
	ASSERT_EQ(0, hvi_decode(m, sizeof(m), &ex));
	expect_header(_metadata, &ex, T_MSR, ACCESS_READ);
	EXPECT_EQ(2, ex.insn_len);
	EXPECT_EQ(0xc0000080, ex.msr.index);
	EXPECT_EQ(0x1111111122222222ull, ex.msr.rdx);
	EXPECT_EQ(0x3333333344444444ull, ex.msr.rax);

	msr_msg(m, ACCESS_WRITE, 0x4b564d02, 0x00000000deadbeefull, 0x00000000feedf00dull);
	ASSERT_EQ(0, hvi_decode(m, sizeof(m), &ex));
	expect_header(_metadata, &ex, T_MSR, ACCESS_WRITE);
	EXPECT_EQ(0x4b564d02, ex.msr.index);
	EXPECT_EQ(0xdeadbeefull, ex.msr.rdx);
	EXPECT_EQ(0xfeedf00dull, ex.msr.rax);

	hvi_complete_skip(&ex, &done);
	EXPECT_EQ(RIP + 2, done.rip);
	EXPECT_EQ(0, done.gpr_mask);
}

TEST(cpuid_with_defaults)
{
	uint8_t m[MSG_SIZE];
	struct hvi_completion done;
	struct hvi_exit ex;

	cpuid_msg(m);
	ASSERT_EQ(0, hvi_decode(m, sizeof(m), &ex));
	expect_header(_metadata, &ex, T_CPUID, ACCESS_EXECUTE);
	EXPECT_EQ(2, ex.insn_len);
	EXPECT_EQ(0x40000000, ex.cpuid.rax);
	EXPECT_EQ(0x11, ex.cpuid.rcx);
	EXPECT_EQ(0x22, ex.cpuid.rdx);
	EXPECT_EQ(0x33, ex.cpuid.rbx);
	EXPECT_EQ(0x40000006, ex.cpuid.default_rax);
	EXPECT_EQ(0x7263694d, ex.cpuid.default_rcx);
	EXPECT_EQ(0x76482074, ex.cpuid.default_rdx);
	EXPECT_EQ(0x7263694d666f736full, ex.cpuid.default_rbx);

	hvi_complete_skip(&ex, &done);
	EXPECT_EQ(RIP + 2, done.rip);
	EXPECT_EQ(0, done.gpr_mask);
}

TEST(halt)
{
	uint8_t m[MSG_SIZE];
	struct hvi_exit ex;

	header_msg(m, T_HALT, 0x01, ACCESS_EXECUTE);
	/* Only the header: the buffer may end right after it. */
	ASSERT_EQ(0, hvi_decode(m, P + HEADER_PAYLOAD, &ex));
	expect_header(_metadata, &ex, T_HALT, ACCESS_EXECUTE);
	EXPECT_EQ(0, ex.insn_len);
}

TEST(apic_eoi)
{
	uint8_t m[MSG_SIZE];
	struct hvi_exit ex;

	msg_init(m, T_APIC_EOI, EOI_PAYLOAD);
	put_u32(m, EOI_VP_INDEX, 3);
	put_u32(m, EOI_VECTOR, 0xec);
	ASSERT_EQ(0, hvi_decode(m, P + EOI_PAYLOAD, &ex));
	EXPECT_EQ(T_APIC_EOI, ex.type);
	EXPECT_EQ(3, ex.vp_index);
	EXPECT_EQ(0xec, ex.eoi.vector);
	EXPECT_EQ(0, ex.rip);
	EXPECT_EQ(0, ex.insn_len);

	/* A vector is 8 bits: anything above is a malformed message. */
	put_u32(m, EOI_VECTOR, 0x100);
	EXPECT_EQ(-HVI_ERR_VECTOR, hvi_decode(m, P + EOI_PAYLOAD, &ex));
}

/*
 * Types the decoder knows without handling them: decoded as far as their
 * common header, for the caller to report by name.
 */
TEST(known_unhandled_types)
{
	static const struct {
		uint32_t type;
		uint8_t payload;
		bool header;
	} cases[] = {
		{ T_UNACCEPTED_GPA, MEM_PAYLOAD, true },
		{ T_GPA_ATTRIBUTE, HEADER_PAYLOAD, true },
		{ T_EXCEPTION, HEADER_PAYLOAD, true },
		{ T_UNRECOVERABLE_EXC, HEADER_PAYLOAD, true },
		{ T_INTERRUPTION_DELIV, HEADER_PAYLOAD, true },
		{ T_SIPI, HEADER_PAYLOAD, true },
		{ T_SEV_VMGEXIT, HEADER_PAYLOAD, true },
		{ T_UNSUPPORTED_FEATURE, 0, false },
		{ T_OPAQUE_INTERCEPT, 0, false },
		{ T_TIMER_EXPIRED, 0, false },
	};
	uint8_t m[MSG_SIZE];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct hvi_exit ex;

		msg_init(m, cases[i].type, cases[i].payload);
		if (cases[i].header)
			put_header(m, 0x03, ACCESS_WRITE);
		ASSERT_EQ(0, hvi_decode(m, sizeof(m), &ex)) TH_LOG("type 0x%x", cases[i].type);
		EXPECT_EQ(cases[i].type, ex.type);
		EXPECT_EQ(cases[i].header ? VP_INDEX : 0, ex.vp_index)
			TH_LOG("type 0x%x", cases[i].type);
		EXPECT_EQ(cases[i].header ? RIP : 0, ex.rip) TH_LOG("type 0x%x", cases[i].type);
		EXPECT_EQ(cases[i].header ? RFLAGS : 0, ex.rflags)
			TH_LOG("type 0x%x", cases[i].type);
		EXPECT_EQ(cases[i].header ? ACCESS_WRITE : 0, ex.access)
			TH_LOG("type 0x%x", cases[i].type);
		EXPECT_STRNE("unknown message type", hvi_msg_name(cases[i].type))
			TH_LOG("type 0x%x", cases[i].type);
	}
}

TEST(reject_short_buffer)
{
	uint8_t m[MSG_SIZE];
	struct hvi_exit ex;

	msg_init(m, T_TIMER_EXPIRED, 0);
	EXPECT_EQ(-HVI_ERR_SHORT_BUFFER, hvi_decode(m, 0, &ex));
	EXPECT_EQ(-HVI_ERR_SHORT_BUFFER, hvi_decode(m, P - 1, &ex));
	/* A message without payload needs no more than the header. */
	EXPECT_EQ(0, hvi_decode(m, P, &ex));
	EXPECT_EQ(T_TIMER_EXPIRED, ex.type);
}

/* payload_size below what the type's layout needs, or above 240. */
TEST(reject_payload_size)
{
	static const struct {
		uint32_t type;
		uint8_t min;
	} cases[] = {
		{ T_IO_PORT, IO_PAYLOAD },
		{ T_UNMAPPED_GPA, MEM_PAYLOAD },
		{ T_GPA_INTERCEPT, MEM_PAYLOAD },
		{ T_UNACCEPTED_GPA, MEM_PAYLOAD },
		{ T_MSR, MSR_PAYLOAD },
		{ T_CPUID, CPUID_PAYLOAD },
		{ T_HALT, HEADER_PAYLOAD },
		{ T_EXCEPTION, HEADER_PAYLOAD },
		{ T_APIC_EOI, EOI_PAYLOAD },
	};
	uint8_t m[MSG_SIZE];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct hvi_exit ex;

		msg_init(m, cases[i].type, cases[i].min);
		put_header(m, 0x02, ACCESS_READ);
		put_u8(m, IO_ACCESS_INFO, 1);	/* a valid port size where it is one */
		if (cases[i].type == T_APIC_EOI)	/* no header: keep the vector valid */
			put_u32(m, EOI_VECTOR, 0x30);
		ASSERT_EQ(0, hvi_decode(m, sizeof(m), &ex)) TH_LOG("type 0x%x", cases[i].type);

		put_u8(m, MSG_PAYLOAD_SIZE, cases[i].min - 1);
		EXPECT_EQ(-HVI_ERR_PAYLOAD_SIZE, hvi_decode(m, sizeof(m), &ex))
			TH_LOG("type 0x%x, payload size %u", cases[i].type, cases[i].min - 1);
		put_u8(m, MSG_PAYLOAD_SIZE, 241);
		EXPECT_EQ(-HVI_ERR_PAYLOAD_SIZE, hvi_decode(m, sizeof(m), &ex))
			TH_LOG("type 0x%x, payload size 241", cases[i].type);
		put_u8(m, MSG_PAYLOAD_SIZE, 255);
		EXPECT_EQ(-HVI_ERR_PAYLOAD_SIZE, hvi_decode(m, sizeof(m), &ex))
			TH_LOG("type 0x%x, payload size 255", cases[i].type);
		/* The size says enough, the buffer holds less. */
		put_u8(m, MSG_PAYLOAD_SIZE, 240);
		EXPECT_EQ(-HVI_ERR_PAYLOAD_SIZE, hvi_decode(m, P + cases[i].min - 1, &ex))
			TH_LOG("type 0x%x, buffer %u bytes", cases[i].type, P + cases[i].min - 1);
		EXPECT_EQ(0, hvi_decode(m, P + cases[i].min, &ex))
			TH_LOG("type 0x%x, buffer %u bytes", cases[i].type, P + cases[i].min);
	}
}

TEST(reject_unknown_type)
{
	static const uint32_t types[] = {
		0x00000000, 0x80000002, 0x80010006, 0x80010014, 0x80020000, 0xffffffff,
	};
	uint8_t m[MSG_SIZE];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		struct hvi_exit ex;

		msg_init(m, types[i], 240);
		put_header(m, 0x02, ACCESS_READ);
		EXPECT_EQ(-HVI_ERR_UNKNOWN_TYPE, hvi_decode(m, sizeof(m), &ex))
			TH_LOG("type 0x%x", types[i]);
		EXPECT_STREQ("unknown message type", hvi_msg_name(types[i]));
	}
}

/*
 * The length is a 4-bit field: 15 is its largest value and valid, 0 is
 * impossible for the types whose instruction the VMM skips.
 */
TEST(instruction_length)
{
	uint8_t m[MSG_SIZE];
	struct hvi_exit ex;

	io_msg(m, 0x80, 1, ACCESS_WRITE, 0x0f);
	ASSERT_EQ(0, hvi_decode(m, sizeof(m), &ex));
	EXPECT_EQ(15, ex.insn_len);
	io_msg(m, 0x80, 1, ACCESS_WRITE, 0xff);
	ASSERT_EQ(0, hvi_decode(m, sizeof(m), &ex));
	EXPECT_EQ(15, ex.insn_len);

	io_msg(m, 0x80, 1, ACCESS_WRITE, 0x00);
	EXPECT_EQ(-HVI_ERR_INSN_LEN, hvi_decode(m, sizeof(m), &ex));
	io_msg(m, 0x80, 1, ACCESS_WRITE, 0xf0);	/* cr8 15, length 0 */
	EXPECT_EQ(-HVI_ERR_INSN_LEN, hvi_decode(m, sizeof(m), &ex));
	msr_msg(m, ACCESS_READ, 0x10, 0, 0);
	put_u8(m, H_INSN_LEN_CR8, 0x00);
	EXPECT_EQ(-HVI_ERR_INSN_LEN, hvi_decode(m, sizeof(m), &ex));
	cpuid_msg(m);
	put_u8(m, H_INSN_LEN_CR8, 0x50);
	EXPECT_EQ(-HVI_ERR_INSN_LEN, hvi_decode(m, sizeof(m), &ex));

	/* Types that are not skipped do without one. */
	header_msg(m, T_HALT, 0x00, ACCESS_EXECUTE);
	EXPECT_EQ(0, hvi_decode(m, sizeof(m), &ex));
	mem_msg(m, T_GPA_INTERCEPT, ACCESS_READ, 0, NULL, 0);
	EXPECT_EQ(0, hvi_decode(m, sizeof(m), &ex));
}

TEST(reject_instruction_byte_count)
{
	static const uint8_t insn[16] = { 0x89, 0x07 };
	uint8_t m[MSG_SIZE];
	struct hvi_exit ex;

	io_msg(m, 0x80, 1, ACCESS_WRITE, 2);
	put_u8(m, IO_INSN_COUNT, 16);
	EXPECT_EQ(0, hvi_decode(m, sizeof(m), &ex));
	put_u8(m, IO_INSN_COUNT, 17);
	EXPECT_EQ(-HVI_ERR_INSN_BYTES, hvi_decode(m, sizeof(m), &ex));
	put_u8(m, IO_INSN_COUNT, 255);
	EXPECT_EQ(-HVI_ERR_INSN_BYTES, hvi_decode(m, sizeof(m), &ex));

	mem_msg(m, T_UNMAPPED_GPA, ACCESS_WRITE, 1, insn, 16);
	EXPECT_EQ(0, hvi_decode(m, sizeof(m), &ex));
	EXPECT_EQ(16, ex.mem.insn_count);
	put_u8(m, MEM_INSN_COUNT, 17);
	EXPECT_EQ(-HVI_ERR_INSN_BYTES, hvi_decode(m, sizeof(m), &ex));
	put_u8(m, MEM_INSN_COUNT, 255);
	EXPECT_EQ(-HVI_ERR_INSN_BYTES, hvi_decode(m, sizeof(m), &ex));
}

TEST(reject_port_access_size)
{
	static const uint8_t bad_sizes[] = { 0, 3, 5, 6, 7 };
	uint8_t m[MSG_SIZE];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_sizes); i++) {
		struct hvi_exit ex;

		io_msg(m, 0x80, bad_sizes[i], ACCESS_WRITE, 2);
		EXPECT_EQ(-HVI_ERR_ACCESS_SIZE, hvi_decode(m, sizeof(m), &ex))
			TH_LOG("size %u", bad_sizes[i]);
		/* String and rep bits do not make a size valid. */
		io_msg(m, 0x80, 0x18 | bad_sizes[i], ACCESS_WRITE, 2);
		EXPECT_EQ(-HVI_ERR_ACCESS_SIZE, hvi_decode(m, sizeof(m), &ex))
			TH_LOG("size %u, rep string", bad_sizes[i]);
	}
}

TEST(reject_access_type)
{
	uint8_t m[MSG_SIZE];
	struct hvi_exit ex;

	io_msg(m, 0x80, 1, 3, 2);
	EXPECT_EQ(-HVI_ERR_ACCESS_TYPE, hvi_decode(m, sizeof(m), &ex));
	io_msg(m, 0x80, 1, 0xff, 2);
	EXPECT_EQ(-HVI_ERR_ACCESS_TYPE, hvi_decode(m, sizeof(m), &ex));
	/* Port I/O reads or writes: "execute" is no access a port has. */
	io_msg(m, 0x80, 1, ACCESS_EXECUTE, 2);
	EXPECT_EQ(-HVI_ERR_ACCESS_TYPE, hvi_decode(m, sizeof(m), &ex));

	mem_msg(m, T_GPA_INTERCEPT, 3, 1, NULL, 0);
	EXPECT_EQ(-HVI_ERR_ACCESS_TYPE, hvi_decode(m, sizeof(m), &ex));
	msr_msg(m, 3, 0x10, 0, 0);
	EXPECT_EQ(-HVI_ERR_ACCESS_TYPE, hvi_decode(m, sizeof(m), &ex));
	header_msg(m, T_HALT, 0, 3);
	EXPECT_EQ(-HVI_ERR_ACCESS_TYPE, hvi_decode(m, sizeof(m), &ex));
}

/* A register page as the hypervisor lays it out, with a fill pattern. */
static void regpage_init(uint8_t *page, uint16_t version, uint8_t isvalid, uint32_t dirty)
{
	unsigned int i;

	for (i = 0; i < RP_SIZE; i++)
		page[i] = (uint8_t)(0x40 + i);
	put_u16(page, RP_VERSION, version);
	put_u8(page, RP_ISVALID, isvalid);
	put_u8(page, RP_ISVALID + 1, 0);
	put_u32(page, RP_DIRTY, dirty);
	for (i = 0; i < 16; i++)
		put_u64(page, RP_GPR(i), 0x0101010101010101ull * (i + 1));
	put_u64(page, RP_RIP, 0x1000);
	put_u64(page, RP_RFLAGS, 0x202);
}

/* Bytes of @page other than [from, to) ranges in @written equal @before's. */
static size_t regpage_changed_elsewhere(const uint8_t *page, const uint8_t *before,
					const size_t (*written)[2], unsigned int n)
{
	size_t i, changed = 0;
	unsigned int w;

	for (i = 0; i < RP_SIZE; i++) {
		bool inside = false;

		for (w = 0; w < n; w++)
			inside |= i >= written[w][0] && i < written[w][1];
		if (!inside && page[i] != before[i])
			changed++;
	}
	return changed;
}

TEST(regpage_in_completion)
{
	static const size_t written[][2] = {
		{ RP_DIRTY, RP_DIRTY + 4 }, { RP_GPR(0), RP_GPR(0) + 8 }, { RP_RIP, RP_RIP + 8 },
	};
	_Alignas(4096) uint8_t page[RP_SIZE];
	uint8_t before[RP_SIZE], m[MSG_SIZE];
	struct hvi_completion done;
	struct hvi_exit ex;

	io_msg(m, 0x71, 1, ACCESS_READ, 2);
	ASSERT_EQ(0, hvi_decode(m, sizeof(m), &ex));
	hvi_complete_io(&ex, 0x12, &done);

	/* Dirty bits already set (XMM, SEGMENT) stay. */
	regpage_init(page, 1, 1, 0x0c);
	memcpy(before, page, sizeof(page));
	ASSERT_TRUE(hvi_regpage_apply((struct hvi_register_page *)page, &done));
	EXPECT_EQ(RIP + 2, get_le(page, RP_RIP, 8));
	EXPECT_EQ(0xdeadbeefcafef012ull, get_le(page, RP_GPR(0), 8));
	EXPECT_EQ(0x0c | RP_DIRTY_GENERAL | RP_DIRTY_IP, get_le(page, RP_DIRTY, 4));
	EXPECT_EQ(0, regpage_changed_elsewhere(page, before, written, 3))
		TH_LOG("bytes other than dirty, RAX and RIP changed");
}

TEST(regpage_skip_completion)
{
	static const size_t written[][2] = {
		{ RP_DIRTY, RP_DIRTY + 4 }, { RP_RIP, RP_RIP + 8 },
	};
	_Alignas(4096) uint8_t page[RP_SIZE];
	uint8_t before[RP_SIZE], m[MSG_SIZE];
	struct hvi_completion done;
	struct hvi_exit ex;

	msr_msg(m, ACCESS_WRITE, 0x10, 0, 0);
	ASSERT_EQ(0, hvi_decode(m, sizeof(m), &ex));
	hvi_complete_skip(&ex, &done);

	regpage_init(page, 1, 1, 0x10);
	memcpy(before, page, sizeof(page));
	ASSERT_TRUE(hvi_regpage_apply((struct hvi_register_page *)page, &done));
	EXPECT_EQ(RIP + 2, get_le(page, RP_RIP, 8));
	EXPECT_EQ(0x10 | RP_DIRTY_IP, get_le(page, RP_DIRTY, 4));
	EXPECT_EQ(0, regpage_changed_elsewhere(page, before, written, 2))
		TH_LOG("bytes other than dirty and RIP changed");
}

/* gpr[n] lands at 8 + 8n, rax through r15; unmasked ones stay. */
TEST(regpage_gpr_offsets)
{
	_Alignas(4096) uint8_t page[RP_SIZE];
	uint8_t before[RP_SIZE];
	struct hvi_completion done;
	unsigned int i;

	memset(&done, 0, sizeof(done));
	done.rip = 0xfffff000;
	done.gpr_mask = 0x8421;	/* rax, rbp, r10, r15 */
	for (i = 0; i < 16; i++)
		done.gpr[i] = 0xa000000000000000ull | i;

	regpage_init(page, 1, 1, 0);
	memcpy(before, page, sizeof(page));
	ASSERT_TRUE(hvi_regpage_apply((struct hvi_register_page *)page, &done));
	for (i = 0; i < 16; i++) {
		uint64_t want = done.gpr_mask & (1u << i) ? done.gpr[i] :
			get_le(before, RP_GPR(i), 8);

		EXPECT_EQ(want, get_le(page, RP_GPR(i), 8)) TH_LOG("gpr %u", i);
	}
	EXPECT_EQ(0xfffff000, get_le(page, RP_RIP, 8));
	EXPECT_EQ(0x202, get_le(page, RP_RFLAGS, 8));
	EXPECT_EQ(RP_DIRTY_GENERAL | RP_DIRTY_IP, get_le(page, RP_DIRTY, 4));
}

/* A page the hypervisor has not made valid, or of another version: untouched. */
TEST(regpage_refused)
{
	static const struct {
		uint16_t version;
		uint8_t isvalid;
	} cases[] = { { 1, 0 }, { 0, 1 }, { 2, 1 }, { 0x0101, 1 } };
	_Alignas(4096) uint8_t page[RP_SIZE];
	uint8_t before[RP_SIZE];
	struct hvi_completion done;
	unsigned int i;

	memset(&done, 0, sizeof(done));
	done.rip = 0xfffff000;
	done.gpr_mask = 1;
	done.gpr[0] = 0x42;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		regpage_init(page, cases[i].version, cases[i].isvalid, 0);
		memcpy(before, page, sizeof(page));
		EXPECT_FALSE(hvi_regpage_apply((struct hvi_register_page *)page, &done))
			TH_LOG("version %u, isvalid %u", cases[i].version, cases[i].isvalid);
		EXPECT_EQ(0, memcmp(before, page, sizeof(page)))
			TH_LOG("version %u, isvalid %u: page written", cases[i].version,
			       cases[i].isvalid);
	}
}

/* Every name says which message it is: none NULL, none shared. */
TEST(message_names)
{
	static const struct {
		uint32_t type;
		const char *word;	/* a word the name must contain */
	} cases[] = {
		{ T_IO_PORT, "port" }, { T_UNMAPPED_GPA, "GPA" }, { T_GPA_INTERCEPT, "GPA" },
		{ T_MSR, "MSR" }, { T_CPUID, "CPUID" }, { T_HALT, "HLT" },
		{ T_APIC_EOI, "EOI" }, { T_UNACCEPTED_GPA, "GPA" },
		{ T_GPA_ATTRIBUTE, "attribute" }, { T_EXCEPTION, "exception" },
		{ T_UNRECOVERABLE_EXC, "exception" }, { T_INTERRUPTION_DELIV, "deliverable" },
		{ T_SIPI, "SIPI" }, { T_SEV_VMGEXIT, "VMGEXIT" },
		{ T_UNSUPPORTED_FEATURE, "feature" }, { T_OPAQUE_INTERCEPT, "opaque" },
		{ T_TIMER_EXPIRED, "timer" },
	};
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *name = hvi_msg_name(cases[i].type);

		ASSERT_NE(NULL, name) TH_LOG("type 0x%x", cases[i].type);
		EXPECT_NE(NULL, strstr(name, cases[i].word))
			TH_LOG("type 0x%x is \"%s\", no \"%s\"", cases[i].type, name,
			       cases[i].word);
		for (j = 0; j < i; j++)
			EXPECT_STRNE(hvi_msg_name(cases[j].type), name)
				TH_LOG("types 0x%x and 0x%x", cases[j].type, cases[i].type);
	}
	ASSERT_NE(NULL, hvi_msg_name(0x12345678));
	EXPECT_NE(NULL, strstr(hvi_msg_name(0x12345678), "unknown"));
}

TEST(decode_error_strings)
{
	static const struct {
		int err;
		const char *word;
	} cases[] = {
		{ -HVI_ERR_SHORT_BUFFER, "header" }, { -HVI_ERR_PAYLOAD_SIZE, "payload" },
		{ -HVI_ERR_UNKNOWN_TYPE, "type" }, { -HVI_ERR_INSN_LEN, "length" },
		{ -HVI_ERR_INSN_BYTES, "16" }, { -HVI_ERR_ACCESS_SIZE, "size" },
		{ -HVI_ERR_ACCESS_TYPE, "access type" },
	};
	const char *unknown = hvi_decode_strerror(-1000);
	unsigned int i, j;

	ASSERT_NE(NULL, unknown);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *s = hvi_decode_strerror(cases[i].err);

		ASSERT_NE(NULL, s) TH_LOG("error %d", cases[i].err);
		EXPECT_NE(NULL, strstr(s, cases[i].word))
			TH_LOG("error %d is \"%s\", no \"%s\"", cases[i].err, s, cases[i].word);
		EXPECT_STRNE(unknown, s) TH_LOG("error %d", cases[i].err);
		for (j = 0; j < i; j++)
			EXPECT_STRNE(hvi_decode_strerror(cases[j].err), s)
				TH_LOG("errors %d and %d", cases[j].err, cases[i].err);
	}
	ASSERT_NE(NULL, hvi_decode_strerror(0));
	ASSERT_NE(NULL, hvi_decode_strerror(1));
}

TEST_HARNESS_MAIN
