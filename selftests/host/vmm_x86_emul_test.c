// SPDX-License-Identifier: GPL-2.0
/*
 * mshv-vmm's x86 emulation (x86-emul.c): MMIO MOV decoding from real
 * encodings (checked against GNU as), the CPU's register rules for loads,
 * what the decoder must refuse, and string port I/O against a fake guest
 * (page tables, RAM and a port).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

#include "x86-emul.h"

/* A byte array and its length, as two arguments. */
#define BYTES(...)	((const uint8_t[]){ __VA_ARGS__ }), \
		sizeof((const uint8_t[]){ __VA_ARGS__ })

struct expect {
	uint8_t len, size;
	bool is_write;
	int reg;
	bool high_byte;
	uint64_t imm;
	uint8_t reg_size;
	bool sign_extend;
};

/* Decode in the given mode and compare every field; the error text goes to @err. */
static int decode_mode(const uint8_t *insn, unsigned int count, bool long_mode, bool default32,
		       struct x86_mmio_op *op, char *err, size_t errlen)
{
	memset(op, 0xa5, sizeof(*op));	/* the decoder must set every field */
	return x86_decode_mmio(insn, count, long_mode, default32, op, err, errlen);
}

#define EXPECT_OP(op, ...) do {							\
	struct expect e = { __VA_ARGS__ };					\
	EXPECT_EQ(e.len, (op).len);						\
	EXPECT_EQ(e.size, (op).size);						\
	EXPECT_EQ(e.is_write, (op).is_write);					\
	EXPECT_EQ(e.reg, (op).reg);						\
	EXPECT_EQ(e.high_byte, (op).high_byte);					\
	EXPECT_EQ(e.imm, (op).imm);						\
	EXPECT_EQ(e.reg_size, (op).reg_size);					\
	EXPECT_EQ(e.sign_extend, (op).sign_extend);				\
} while (0)

#define DECODE64(op, ...) ASSERT_EQ(0, decode_mode(BYTES(__VA_ARGS__), true, true, &(op), err, \
						   sizeof(err))) TH_LOG("%s", err)
#define DECODE32(op, ...) ASSERT_EQ(0, decode_mode(BYTES(__VA_ARGS__), false, true, &(op), err, \
						   sizeof(err))) TH_LOG("%s", err)
#define DECODE16(op, ...) ASSERT_EQ(0, decode_mode(BYTES(__VA_ARGS__), false, false, &(op), err, \
						   sizeof(err))) TH_LOG("%s", err)

TEST(mov_modrm_forms)
{
	struct x86_mmio_op op;
	char err[256] = "";

	DECODE64(op, 0x8b, 0x87, 0x00, 0x01, 0x00, 0x00);	/* mov eax,[rdi+0x100] */
	EXPECT_OP(op, .len = 6, .size = 4, .reg = 0, .reg_size = 4);
	DECODE64(op, 0x44, 0x89, 0x4e, 0x08);			/* mov [rsi+8],r9d */
	EXPECT_OP(op, .len = 4, .size = 4, .is_write = true, .reg = 9);
	/* mov rax,[rip+0x40302010] */
	DECODE64(op, 0x48, 0x8b, 0x05, 0x10, 0x20, 0x30, 0x40);
	EXPECT_OP(op, .len = 7, .size = 8, .reg = 0, .reg_size = 8);
	DECODE64(op, 0x66, 0x89, 0x10);				/* mov [rax],dx */
	EXPECT_OP(op, .len = 3, .size = 2, .is_write = true, .reg = 2);
	DECODE64(op, 0x4c, 0x8b, 0x47, 0x08);			/* mov r8,[rdi+8] */
	EXPECT_OP(op, .len = 4, .size = 8, .reg = 8, .reg_size = 8);
	/* SIB forms: no base with disp32, rsp base, index*scale with disp32 */
	DECODE64(op, 0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00);	/* mov eax,[0x1000] */
	EXPECT_OP(op, .len = 7, .size = 4, .reg = 0, .reg_size = 4);
	DECODE64(op, 0x8b, 0x44, 0x24, 0x08);			/* mov eax,[rsp+8] */
	EXPECT_OP(op, .len = 4, .size = 4, .reg = 0, .reg_size = 4);
	/* mov eax,[rdi+rcx*4+0x100] */
	DECODE64(op, 0x8b, 0x84, 0x8f, 0x00, 0x01, 0x00, 0x00);
	EXPECT_OP(op, .len = 7, .size = 4, .reg = 0, .reg_size = 4);
	/* a segment override, and trailing bytes that are not part of it */
	DECODE64(op, 0x65, 0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00, 0x90, 0x90);
	EXPECT_OP(op, .len = 8, .size = 4, .reg = 0, .reg_size = 4);
	/* a REX before another prefix is ignored: 16-bit, not 64-bit */
	DECODE64(op, 0x48, 0x66, 0x8b, 0x07);
	EXPECT_OP(op, .len = 4, .size = 2, .reg = 0, .reg_size = 2);
	/* exactly 15 bytes */
	DECODE64(op, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e,
		 0x8b, 0x87, 0x00, 0x01, 0x00, 0x00);
	EXPECT_OP(op, .len = 15, .size = 4, .reg = 0, .reg_size = 4);
}

TEST(mov_byte_registers)
{
	struct x86_mmio_op op;
	char err[256] = "";

	DECODE64(op, 0x88, 0x60, 0x04);				/* mov [rax+4],ah */
	EXPECT_OP(op, .len = 3, .size = 1, .is_write = true, .reg = 0, .high_byte = true);
	DECODE64(op, 0x40, 0x88, 0x60, 0x04);			/* mov [rax+4],spl */
	EXPECT_OP(op, .len = 4, .size = 1, .is_write = true, .reg = 4);
	DECODE64(op, 0x8a, 0x47, 0x01);				/* mov al,[rdi+1] */
	EXPECT_OP(op, .len = 3, .size = 1, .reg = 0, .reg_size = 1);
	DECODE64(op, 0x8a, 0x67, 0x01);				/* mov ah,[rdi+1] */
	EXPECT_OP(op, .len = 3, .size = 1, .reg = 0, .high_byte = true, .reg_size = 1);
	DECODE64(op, 0x41, 0x8a, 0x47, 0x01);			/* mov al,[r15+1] */
	EXPECT_OP(op, .len = 4, .size = 1, .reg = 0, .reg_size = 1);
	DECODE64(op, 0x44, 0x8a, 0x67, 0x01);			/* mov r12b,[rdi+1] */
	EXPECT_OP(op, .len = 4, .size = 1, .reg = 12, .reg_size = 1);
}

TEST(mov_immediate)
{
	struct x86_mmio_op op;
	char err[256] = "";

	DECODE64(op, 0xc7, 0x00, 0x78, 0x56, 0x34, 0x12);	/* mov dword [rax],0x12345678 */
	EXPECT_OP(op, .len = 6, .size = 4, .is_write = true, .reg = -1, .imm = 0x12345678);
	DECODE64(op, 0x66, 0xc7, 0x00, 0x34, 0x12);		/* mov word [rax],0x1234 */
	EXPECT_OP(op, .len = 5, .size = 2, .is_write = true, .reg = -1, .imm = 0x1234);
	DECODE64(op, 0xc6, 0x40, 0x10, 0xab);			/* mov byte [rax+0x10],0xab */
	EXPECT_OP(op, .len = 4, .size = 1, .is_write = true, .reg = -1, .imm = 0xab);
	/* REX.W: imm32 sign-extended to 64 bits */
	DECODE64(op, 0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff);	/* mov qword [rax],-1 */
	EXPECT_OP(op, .len = 7, .size = 8, .is_write = true, .reg = -1, .imm = ~0ULL);
	DECODE64(op, 0x48, 0xc7, 0x00, 0x00, 0x00, 0x00, 0x80);
	EXPECT_OP(op, .len = 7, .size = 8, .is_write = true, .reg = -1,
		  .imm = 0xffffffff80000000ULL);
	DECODE64(op, 0x48, 0xc7, 0x00, 0x78, 0x56, 0x34, 0x12);
	EXPECT_OP(op, .len = 7, .size = 8, .is_write = true, .reg = -1, .imm = 0x12345678);
	/* a RIP-relative store with an immediate after the displacement */
	DECODE64(op, 0xc7, 0x05, 0x00, 0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00);
	EXPECT_OP(op, .len = 10, .size = 4, .is_write = true, .reg = -1, .imm = 1);
}

TEST(mov_moffs)
{
	struct x86_mmio_op op;
	char err[256] = "";

	DECODE64(op, 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11); /* mov eax,[moffs64] */
	EXPECT_OP(op, .len = 9, .size = 4, .reg = 0, .reg_size = 4);
	DECODE64(op, 0x48, 0xa3, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11);
	EXPECT_OP(op, .len = 10, .size = 8, .is_write = true, .reg = 0);
	DECODE64(op, 0x67, 0xa1, 0x44, 0x33, 0x22, 0x11);	/* addr32 mov eax,[moffs32] */
	EXPECT_OP(op, .len = 6, .size = 4, .reg = 0, .reg_size = 4);
	DECODE64(op, 0xa0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0);	/* mov al,[moffs64] */
	EXPECT_OP(op, .len = 9, .size = 1, .reg = 0, .reg_size = 1);
	DECODE64(op, 0x66, 0xa3, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0);	/* mov [moffs64],ax */
	EXPECT_OP(op, .len = 10, .size = 2, .is_write = true, .reg = 0);
	DECODE32(op, 0xa1, 0x00, 0x00, 0xc0, 0xfe);		/* 32-bit code: moffs32 */
	EXPECT_OP(op, .len = 5, .size = 4, .reg = 0, .reg_size = 4);
	DECODE16(op, 0xa1, 0x00, 0x10);				/* 16-bit code: moffs16 */
	EXPECT_OP(op, .len = 3, .size = 2, .reg = 0, .reg_size = 2);
}

TEST(movzx_movsx_movsxd)
{
	struct x86_mmio_op op;
	char err[256] = "";

	DECODE64(op, 0x0f, 0xb6, 0x47, 0x02);			/* movzx eax,byte [rdi+2] */
	EXPECT_OP(op, .len = 4, .size = 1, .reg = 0, .reg_size = 4);
	DECODE64(op, 0x66, 0x0f, 0xb6, 0x07);			/* movzx ax,byte [rdi] */
	EXPECT_OP(op, .len = 4, .size = 1, .reg = 0, .reg_size = 2);
	DECODE64(op, 0x0f, 0xb7, 0x47, 0x02);			/* movzx eax,word [rdi+2] */
	EXPECT_OP(op, .len = 4, .size = 2, .reg = 0, .reg_size = 4);
	DECODE64(op, 0x0f, 0xbe, 0x47, 0x02);			/* movsx eax,byte [rdi+2] */
	EXPECT_OP(op, .len = 4, .size = 1, .reg = 0, .reg_size = 4, .sign_extend = true);
	DECODE64(op, 0x48, 0x0f, 0xbf, 0x07);			/* movsx rax,word [rdi] */
	EXPECT_OP(op, .len = 4, .size = 2, .reg = 0, .reg_size = 8, .sign_extend = true);
	DECODE64(op, 0x48, 0x63, 0x47, 0x04);			/* movsxd rax,dword [rdi+4] */
	EXPECT_OP(op, .len = 4, .size = 4, .reg = 0, .reg_size = 8, .sign_extend = true);
	DECODE64(op, 0x4c, 0x63, 0x0e);				/* movsxd r9,dword [rsi] */
	EXPECT_OP(op, .len = 3, .size = 4, .reg = 9, .reg_size = 8, .sign_extend = true);
}

TEST(legacy_modes)
{
	struct x86_mmio_op op;
	char err[256] = "";

	DECODE32(op, 0x8b, 0x05, 0x00, 0x00, 0xc0, 0xfe);	/* mov eax,[0xfec00000] */
	EXPECT_OP(op, .len = 6, .size = 4, .reg = 0, .reg_size = 4);
	DECODE32(op, 0x89, 0x10);				/* mov [eax],edx */
	EXPECT_OP(op, .len = 2, .size = 4, .is_write = true, .reg = 2);
	DECODE32(op, 0x66, 0x89, 0x10);				/* mov [eax],dx */
	EXPECT_OP(op, .len = 3, .size = 2, .is_write = true, .reg = 2);
	DECODE32(op, 0x88, 0x38);				/* mov [eax],bh */
	EXPECT_OP(op, .len = 2, .size = 1, .is_write = true, .reg = 3, .high_byte = true);
	DECODE16(op, 0x8b, 0x07);				/* mov ax,[bx] */
	EXPECT_OP(op, .len = 2, .size = 2, .reg = 0, .reg_size = 2);
	DECODE16(op, 0x8b, 0x47, 0x02);				/* mov ax,[bx+2] */
	EXPECT_OP(op, .len = 3, .size = 2, .reg = 0, .reg_size = 2);
	DECODE16(op, 0x8b, 0x06, 0x00, 0x10);			/* mov ax,[0x1000] */
	EXPECT_OP(op, .len = 4, .size = 2, .reg = 0, .reg_size = 2);
	DECODE16(op, 0x8b, 0x87, 0x00, 0x01);			/* mov ax,[bx+0x100] */
	EXPECT_OP(op, .len = 4, .size = 2, .reg = 0, .reg_size = 2);
	DECODE16(op, 0x66, 0x8b, 0x07);				/* mov eax,[bx] */
	EXPECT_OP(op, .len = 3, .size = 4, .reg = 0, .reg_size = 4);
	DECODE16(op, 0x67, 0x8b, 0x87, 0x00, 0x01, 0x00, 0x00);	/* mov ax,[edi+0x100] */
	EXPECT_OP(op, .len = 7, .size = 2, .reg = 0, .reg_size = 2);
}

/* Each must fail with @why in the message, which starts with the bytes. */
static void expect_reject(struct __test_metadata *_metadata, const uint8_t *insn,
			  unsigned int count, bool long_mode, const char *bytes, const char *why)
{
	struct x86_mmio_op op;
	char err[256] = "", prefix[128];

	EXPECT_EQ(-EINVAL, decode_mode(insn, count, long_mode, true, &op, err, sizeof(err)));
	snprintf(prefix, sizeof(prefix), "unsupported MMIO instruction %s: ", bytes);
	EXPECT_EQ(0, strncmp(err, prefix, strlen(prefix))) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, why)) TH_LOG("%s", err);
}

TEST(rejections)
{
	expect_reject(_metadata, BYTES(0xf0, 0x89, 0x07), true, "f0 89 07", "LOCK");
	expect_reject(_metadata, BYTES(0xf3, 0xa4), true, "f3 a4", "REP");
	expect_reject(_metadata, BYTES(0xf2, 0x0f, 0x10, 0x07), true, "f2 0f 10 07", "REP");
	expect_reject(_metadata, BYTES(0xa4), true, "a4", "not a MOV");	/* movsb */
	expect_reject(_metadata, BYTES(0xaa), true, "aa", "not a MOV");	/* stosb */
	expect_reject(_metadata, BYTES(0x39, 0x07), true, "39 07", "not a MOV");	/* cmp */
	expect_reject(_metadata, BYTES(0x09, 0x07), true, "09 07", "not a MOV");	/* or */
	expect_reject(_metadata, BYTES(0x87, 0x07), true, "87 07", "not a MOV");	/* xchg */
	/* mov eax,eax */
	expect_reject(_metadata, BYTES(0x89, 0xc0), true, "89 c0", "mod=11");
	expect_reject(_metadata, BYTES(0x0f, 0xb6, 0xc0), true, "0f b6 c0", "mod=11");
	expect_reject(_metadata, BYTES(0x8b, 0x87, 0x00, 0x01), true, "8b 87 00 01",
		      "truncated");
	expect_reject(_metadata, BYTES(0xa1, 0x00, 0x00, 0xc0, 0xfe), true, "a1 00 00 c0 fe",
		      "truncated");
	expect_reject(_metadata, BYTES(0x48, 0x0f), true, "48 0f", "truncated");
	expect_reject(_metadata, BYTES(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
				       0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66), true,
		      "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 66", "longer than 15");
	expect_reject(_metadata, BYTES(0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e,
				       0x2e, 0x8b, 0x87, 0x00, 0x01, 0x00, 0x00), true,
		      "2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 8b 87 00 01 00 00", "longer than 15");
	expect_reject(_metadata, BYTES(0x0f, 0x10, 0x07), true, "0f 10 07", "not a MOV");
	expect_reject(_metadata, BYTES(0xc5, 0xf8, 0x10, 0x07), true, "c5 f8 10 07",
		      "not a MOV");				/* vmovups */
	expect_reject(_metadata, BYTES(0x62, 0xf1, 0x7c, 0x48, 0x10, 0x07), true,
		      "62 f1 7c 48 10 07", "not a MOV");	/* EVEX */
	expect_reject(_metadata, BYTES(0xc7, 0x08, 0x00, 0x00, 0x00, 0x00), true,
		      "c7 08 00 00 00 00", "/0");
	expect_reject(_metadata, BYTES(0x63, 0x07), true, "63 07", "REX.W");
	expect_reject(_metadata, BYTES(0x63, 0x07), false, "63 07", "ARPL");
	/* in 32-bit code 0x48 is DEC EAX, not a REX */
	expect_reject(_metadata, BYTES(0x48, 0x8b, 0x07), false, "48 8b 07", "not a MOV");
}

TEST(reject_without_bytes_or_room)
{
	struct x86_mmio_op op;
	char small[12];

	EXPECT_EQ(-EINVAL, x86_decode_mmio(NULL, 0, true, true, &op, small, sizeof(small)));
	EXPECT_STREQ("unsupported", small);	/* cut, terminated */
	EXPECT_EQ(-EINVAL, x86_decode_mmio((const uint8_t[]){ 0xf0 }, 1, true, true, &op,
					   NULL, 0));
}

/* Any bytes: an error, or an operation within the bytes given and the architecture's limits. */
TEST(random_bytes)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	unsigned int decoded = 0;

	for (unsigned int n = 0; n < 200000; n++) {
		uint8_t insn[16];
		unsigned int count;
		struct x86_mmio_op op;
		char err[64];
		int ret;

		for (unsigned int i = 0; i < 16; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			insn[i] = seed >> 56;
		}
		/* bias towards the MOV opcodes so the accepting paths are exercised too */
		if (n & 1)
			insn[n & 2 ? 1 : 0] = (const uint8_t[]){ 0x88, 0x89, 0x8a, 0x8b, 0xc6, 0xc7,
								 0xa1, 0x63 }[(seed >> 8) & 7];
		count = (seed >> 16) % 17;
		ret = decode_mode(insn, count, seed & (1 << 20), seed & (1 << 21), &op, err,
				  sizeof(err));
		if (ret) {
			ASSERT_EQ(-EINVAL, ret);
			ASSERT_EQ(0, strncmp(err, "unsupported MMIO instruction", 28));
			continue;
		}
		decoded++;
		ASSERT_GE(count, op.len);
		ASSERT_GE(X86_MAX_INSN_LEN, op.len);
		ASSERT_LE(1, op.len);
		ASSERT_TRUE(op.size == 1 || op.size == 2 || op.size == 4 || op.size == 8);
		ASSERT_TRUE(op.reg >= -1 && op.reg <= 15);
		ASSERT_TRUE(op.is_write || op.reg_size >= op.size);
	}
	EXPECT_LT(1000, decoded);
}

TEST(store_values)
{
	uint64_t gpr[16];
	struct x86_mmio_op op;
	char err[256] = "";

	for (int i = 0; i < 16; i++)
		gpr[i] = 0x1122334455667788ULL + ((uint64_t)i << 56);
	DECODE64(op, 0x44, 0x89, 0x4e, 0x08);			/* mov [rsi+8],r9d */
	EXPECT_EQ(0x55667788ULL, x86_mmio_store_value(&op, gpr));
	DECODE64(op, 0x66, 0x89, 0x10);				/* mov [rax],dx */
	EXPECT_EQ(0x7788ULL, x86_mmio_store_value(&op, gpr));
	DECODE64(op, 0x88, 0x60, 0x04);				/* mov [rax+4],ah */
	EXPECT_EQ(0x77ULL, x86_mmio_store_value(&op, gpr));
	DECODE64(op, 0x40, 0x88, 0x60, 0x04);			/* mov [rax+4],spl */
	EXPECT_EQ(0x88ULL, x86_mmio_store_value(&op, gpr));
	DECODE64(op, 0x48, 0xa3, 0, 0, 0, 0, 0, 0, 0, 0);	/* mov [moffs],rax */
	EXPECT_EQ(0x1122334455667788ULL, x86_mmio_store_value(&op, gpr));
	DECODE64(op, 0x48, 0xc7, 0x00, 0xfe, 0xff, 0xff, 0xff);	/* mov qword [rax],-2 */
	EXPECT_EQ(0xfffffffffffffffeULL, x86_mmio_store_value(&op, gpr));
	DECODE64(op, 0xc6, 0x40, 0x10, 0xab);
	EXPECT_EQ(0xabULL, x86_mmio_store_value(&op, gpr));
}

/* Decode @insn, load @value through it into a register file of @fill, return the destination. */
static uint64_t load(struct __test_metadata *_metadata, const uint8_t *insn, unsigned int count,
		     uint64_t fill, uint64_t value, int *reg)
{
	uint64_t gpr[16];
	struct x86_mmio_op op;
	char err[256] = "";

	for (int i = 0; i < 16; i++)
		gpr[i] = fill;
	*reg = -1;
	EXPECT_EQ(0, decode_mode(insn, count, true, true, &op, err, sizeof(err))) TH_LOG("%s", err);
	if (op.reg < 0 || op.reg > 15)
		return 0;
	x86_mmio_load_result(&op, gpr, value);
	for (int i = 0; i < 16; i++) {
		if (i != op.reg) {
			EXPECT_EQ(fill, gpr[i]) TH_LOG("register %d changed", i);
		}
	}
	*reg = op.reg;
	return gpr[op.reg];
}

TEST(load_results)
{
	const uint64_t fill = 0x1122334455667788ULL;
	int reg;

	/* mov al,[rdi+1]: merges the low byte; bits above the access size are ignored */
	EXPECT_EQ(0x11223344556677abULL, load(_metadata, BYTES(0x8a, 0x47, 0x01), fill,
					      0x12ab, &reg));
	EXPECT_EQ(0, reg);
	/* mov ah,[rdi+1] */
	EXPECT_EQ(0x112233445566ab88ULL, load(_metadata, BYTES(0x8a, 0x67, 0x01), fill,
					      0xab, &reg));
	EXPECT_EQ(0, reg);
	/* mov r12b,[rdi+1] */
	EXPECT_EQ(0x11223344556677abULL, load(_metadata, BYTES(0x44, 0x8a, 0x67, 0x01), fill,
					      0xab, &reg));
	EXPECT_EQ(12, reg);
	/* mov ax,[rdi]: 16-bit merge */
	EXPECT_EQ(0x112233445566beefULL, load(_metadata, BYTES(0x66, 0x8b, 0x07), fill,
					      0xbeef, &reg));
	/* mov eax,[rdi+0x100]: zero-extended */
	EXPECT_EQ(0xdeadbeefULL, load(_metadata, BYTES(0x8b, 0x87, 0x00, 0x01, 0x00, 0x00), fill,
				      0xffffffffdeadbeefULL, &reg));
	/* mov r8,[rdi+8] */
	EXPECT_EQ(0xfedcba9876543210ULL, load(_metadata, BYTES(0x4c, 0x8b, 0x47, 0x08), fill,
					      0xfedcba9876543210ULL, &reg));
	EXPECT_EQ(8, reg);
	/* movzx eax,byte: upper 56 bits cleared */
	EXPECT_EQ(0xffULL, load(_metadata, BYTES(0x0f, 0xb6, 0x47, 0x02), fill, 0xff, &reg));
	/* movzx ax,byte: 16-bit destination merges */
	EXPECT_EQ(0x11223344556600ffULL, load(_metadata, BYTES(0x66, 0x0f, 0xb6, 0x07), fill,
					      0xff, &reg));
	/* movzx eax,word */
	EXPECT_EQ(0x8000ULL, load(_metadata, BYTES(0x0f, 0xb7, 0x47, 0x02), fill, 0x8000, &reg));
	/* movsx eax,byte: sign into 32 bits, upper half zero */
	EXPECT_EQ(0xffffff80ULL, load(_metadata, BYTES(0x0f, 0xbe, 0x47, 0x02), fill, 0x80, &reg));
	EXPECT_EQ(0x7fULL, load(_metadata, BYTES(0x0f, 0xbe, 0x47, 0x02), fill, 0x7f, &reg));
	/* movsx ax,byte: 16-bit merge of the extended value */
	EXPECT_EQ(0x112233445566ff80ULL, load(_metadata, BYTES(0x66, 0x0f, 0xbe, 0x07), fill,
					      0x80, &reg));
	/* movsx rax,word */
	EXPECT_EQ(0xffffffffffff8000ULL, load(_metadata, BYTES(0x48, 0x0f, 0xbf, 0x07), fill,
					      0x8000, &reg));
	/* movsxd rax,dword */
	EXPECT_EQ(0xffffffff80000000ULL, load(_metadata, BYTES(0x48, 0x63, 0x47, 0x04), fill,
					      0x80000000, &reg));
	EXPECT_EQ(0x7fffffffULL, load(_metadata, BYTES(0x48, 0x63, 0x47, 0x04), fill,
				      0x7fffffff, &reg));
	/* mov eax,[moffs] */
	EXPECT_EQ(0x12345678ULL, load(_metadata, BYTES(0xa1, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0), fill,
				      0x12345678, &reg));
}

/*
 * A fake guest: 4 pages of RAM at GPA 0x10000; a page table of a few
 * guest-virtual pages (0 = not mapped), one mapping a GPA that is no RAM;
 * a port that logs writes and answers reads 0x01, 0x02, 0x03, ...
 */
#define RAM_GPA		0x10000ULL
#define RAM_SIZE	0x4000ULL
#define VA_BASE		0x400000ULL	/* guest-virtual pages from here */
#define NOT_RAM_GPA	0xfed00000ULL

struct fake_guest {
	uint8_t ram[RAM_SIZE];
	uint64_t page_table[8];		/* VA_BASE + n*4K -> GPA page, 0: not mapped */
	unsigned int translations;
	uint8_t out[16384];		/* what the port got */
	unsigned int out_len;
	unsigned int port_calls;
	uint8_t next_in;
	uint16_t last_port;
	unsigned int last_size;
};

static int fake_translate(void *ctx, uint64_t gva, bool write, uint64_t *gpa)
{
	struct fake_guest *g = ctx;
	uint64_t page = (gva - VA_BASE) / 4096;

	(void)write;
	g->translations++;
	if (gva < VA_BASE || page >= 8 || !g->page_table[page])
		return -EFAULT;
	*gpa = g->page_table[page] + (gva & 0xfff);
	return 0;
}

static void *fake_guest_ptr(void *ctx, uint64_t gpa, uint64_t len)
{
	struct fake_guest *g = ctx;

	if (gpa < RAM_GPA || gpa - RAM_GPA > RAM_SIZE || len > RAM_SIZE - (gpa - RAM_GPA))
		return NULL;
	return g->ram + (gpa - RAM_GPA);
}

static void fake_port_io(void *ctx, uint16_t port, uint8_t *data, unsigned int size,
			 bool is_write)
{
	struct fake_guest *g = ctx;

	g->port_calls++;
	g->last_port = port;
	g->last_size = size;
	for (unsigned int i = 0; i < size; i++) {
		if (is_write && g->out_len < sizeof(g->out))
			g->out[g->out_len++] = data[i];
		else if (!is_write)
			data[i] = ++g->next_in;
	}
}

static struct fake_guest *fake_guest_new(struct x86_string_io_ops *ops)
{
	struct fake_guest *g = calloc(1, sizeof(*g));

	if (!g)
		abort();
	for (unsigned int i = 0; i < RAM_SIZE; i++)
		g->ram[i] = i & 0xff;
	/* VA pages 0,1 -> RAM pages 2,0 (not contiguous), page 2 unmapped, page 3 not RAM */
	g->page_table[0] = RAM_GPA + 0x2000;
	g->page_table[1] = RAM_GPA;
	g->page_table[3] = NOT_RAM_GPA;
	*ops = (struct x86_string_io_ops){
		.ctx = g, .translate = fake_translate, .guest_ptr = fake_guest_ptr,
		.port_io = fake_port_io,
	};
	return g;
}

static struct hvi_exit string_exit(bool write, unsigned int size, bool rep, uint64_t rcx,
				   uint64_t index)
{
	struct hvi_exit e = {
		.type = HVI_MSG_X64_IO_PORT_INTERCEPT,
		.insn_len = rep ? 2 : 1,
		.rip = 0xffffffff81000000ULL,
		.rflags = 0x2,
	};

	e.io.port = 0x3f8;
	e.io.size = size;
	e.io.write = write;
	e.io.string = true;
	e.io.rep = rep;
	e.io.rcx = rcx;
	e.io.rax = 0xaaaa;
	/* DS and ES bases 0 in 64-bit code; a nonzero one is still added */
	e.io.ds_base = write ? VA_BASE - 0x100 : 0;
	e.io.es_base = write ? 0 : VA_BASE - 0x100;
	if (write)
		e.io.rsi = index + 0x100;
	else
		e.io.rdi = index + 0x100;
	return e;
}

#define GPR_BIT(r)	(1u << (r))

TEST(outsb_single)
{
	struct x86_string_io_ops ops;
	struct fake_guest *g = fake_guest_new(&ops);
	struct hvi_exit e = string_exit(true, 1, false, 77, 0x10);
	struct hvi_completion done;
	char err[256] = "";

	ASSERT_EQ(0, x86_string_io(&e, &ops, &done, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(1, g->port_calls);
	EXPECT_EQ(0x3f8, g->last_port);
	EXPECT_EQ(1, g->out_len);
	EXPECT_EQ(0x10, g->out[0]);		/* VA page 0 is RAM page 2: ram[0x2010] */
	EXPECT_EQ(e.rip + 1, done.rip);
	EXPECT_EQ(GPR_BIT(X86_RSI), done.gpr_mask);	/* RCX untouched without REP */
	EXPECT_EQ(e.io.rsi + 1, done.gpr[X86_RSI]);
	free(g);
}

TEST(rep_outsw)
{
	struct x86_string_io_ops ops;
	struct fake_guest *g = fake_guest_new(&ops);
	struct hvi_exit e = string_exit(true, 2, true, 3, 0x20);
	struct hvi_completion done;
	char err[256] = "";

	ASSERT_EQ(0, x86_string_io(&e, &ops, &done, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(3, g->port_calls);
	EXPECT_EQ(2, g->last_size);
	ASSERT_EQ(6, g->out_len);
	for (unsigned int i = 0; i < 6; i++)
		EXPECT_EQ(0x20 + i, g->out[i]);
	EXPECT_EQ(e.rip + 2, done.rip);
	EXPECT_EQ(GPR_BIT(X86_RSI) | GPR_BIT(X86_RCX), done.gpr_mask);
	EXPECT_EQ(0, done.gpr[X86_RCX]);
	EXPECT_EQ(e.io.rsi + 6, done.gpr[X86_RSI]);
	/* one page: translated once */
	EXPECT_EQ(1, g->translations);
	free(g);
}

TEST(rep_outsb_df)
{
	struct x86_string_io_ops ops;
	struct fake_guest *g = fake_guest_new(&ops);
	struct hvi_exit e = string_exit(true, 1, true, 3, 0x42);
	struct hvi_completion done;
	char err[256] = "";

	e.rflags |= X86_RFLAGS_DF;
	ASSERT_EQ(0, x86_string_io(&e, &ops, &done, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(3, g->out_len);
	EXPECT_EQ(0x42, g->out[0]);
	EXPECT_EQ(0x41, g->out[1]);
	EXPECT_EQ(0x40, g->out[2]);
	EXPECT_EQ(e.io.rsi - 3, done.gpr[X86_RSI]);
	EXPECT_EQ(0, done.gpr[X86_RCX]);
	EXPECT_EQ(e.rip + 2, done.rip);
	free(g);
}

TEST(ins_forward_and_backward)
{
	struct x86_string_io_ops ops;
	struct fake_guest *g = fake_guest_new(&ops);
	struct hvi_exit e = string_exit(false, 2, false, 0, 0x80);
	struct hvi_completion done;
	char err[256] = "";

	/* insw: [es:rdi] gets the port's two bytes */
	ASSERT_EQ(0, x86_string_io(&e, &ops, &done, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(0x01, g->ram[0x2080]);
	EXPECT_EQ(0x02, g->ram[0x2081]);
	EXPECT_EQ(0x82, g->ram[0x2082]);	/* untouched */
	EXPECT_EQ(GPR_BIT(X86_RDI), done.gpr_mask);
	EXPECT_EQ(e.io.rdi + 2, done.gpr[X86_RDI]);
	EXPECT_EQ(e.rip + 1, done.rip);

	/* std; rep insb */
	e = string_exit(false, 1, true, 2, 0x91);
	e.rflags |= X86_RFLAGS_DF;
	ASSERT_EQ(0, x86_string_io(&e, &ops, &done, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(0x03, g->ram[0x2091]);
	EXPECT_EQ(0x04, g->ram[0x2090]);
	EXPECT_EQ(0x8f, g->ram[0x208f]);
	EXPECT_EQ(e.io.rdi - 2, done.gpr[X86_RDI]);
	EXPECT_EQ(0, done.gpr[X86_RCX]);
	EXPECT_EQ(GPR_BIT(X86_RDI) | GPR_BIT(X86_RCX), done.gpr_mask);
	free(g);
}

TEST(rep_rcx_zero)
{
	struct x86_string_io_ops ops;
	struct fake_guest *g = fake_guest_new(&ops);
	struct hvi_exit e = string_exit(false, 4, true, 0, 0x80);
	struct hvi_completion done;
	char err[256] = "";

	ASSERT_EQ(0, x86_string_io(&e, &ops, &done, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(0, g->port_calls);
	EXPECT_EQ(0, g->translations);
	EXPECT_EQ(e.rip + 2, done.rip);
	EXPECT_EQ(0, done.gpr[X86_RCX]);
	EXPECT_EQ(e.io.rdi, done.gpr[X86_RDI]);
	free(g);
}

TEST(rep_longer_than_one_call)
{
	struct x86_string_io_ops ops;
	struct fake_guest *g = fake_guest_new(&ops);
	/* 4101 bytes from the start of VA page 0 into page 1 */
	struct hvi_exit e = string_exit(true, 1, true, X86_STRING_IO_MAX_ELEMENTS + 5, 0);
	struct hvi_completion done;
	char err[256] = "";

	ASSERT_EQ(0, x86_string_io(&e, &ops, &done, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(X86_STRING_IO_MAX_ELEMENTS, g->port_calls);
	EXPECT_EQ(e.rip, done.rip);		/* re-executed for the rest */
	EXPECT_EQ(5, done.gpr[X86_RCX]);
	EXPECT_EQ(e.io.rsi + X86_STRING_IO_MAX_ELEMENTS, done.gpr[X86_RSI]);
	EXPECT_EQ(0xff, g->out[X86_STRING_IO_MAX_ELEMENTS - 1]);	/* ram[0x2fff] */

	/* the guest runs it again with the registers written back */
	e.io.rcx = done.gpr[X86_RCX];
	e.io.rsi = done.gpr[X86_RSI];
	ASSERT_EQ(0, x86_string_io(&e, &ops, &done, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(X86_STRING_IO_MAX_ELEMENTS + 5, g->port_calls);
	EXPECT_EQ(0x00, g->out[X86_STRING_IO_MAX_ELEMENTS]);	/* VA page 1 = ram[0] */
	EXPECT_EQ(0x04, g->out[X86_STRING_IO_MAX_ELEMENTS + 4]);
	EXPECT_EQ(e.rip + 2, done.rip);
	EXPECT_EQ(0, done.gpr[X86_RCX]);
	free(g);
}

TEST(element_across_pages)
{
	struct x86_string_io_ops ops;
	struct fake_guest *g = fake_guest_new(&ops);
	/* outsw at the last byte of VA page 0: ram[0x2fff] then ram[0x0000] */
	struct hvi_exit e = string_exit(true, 2, false, 0, 0xfff);
	struct hvi_completion done;
	char err[256] = "";

	g->ram[0] = 0x5a;
	ASSERT_EQ(0, x86_string_io(&e, &ops, &done, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(2, g->out_len);
	EXPECT_EQ(0xff, g->out[0]);
	EXPECT_EQ(0x5a, g->out[1]);
	EXPECT_EQ(e.rip + 1, done.rip);

	/* insl at VA page 0 + 0xffe: two bytes at the end of RAM page 2, two at RAM page 0 */
	e = string_exit(false, 4, false, 0, 0xffe);
	ASSERT_EQ(0, x86_string_io(&e, &ops, &done, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(0x01, g->ram[0x2ffe]);
	EXPECT_EQ(0x02, g->ram[0x2fff]);
	EXPECT_EQ(0x03, g->ram[0x0000]);
	EXPECT_EQ(0x04, g->ram[0x0001]);
	EXPECT_EQ(0x02, g->ram[0x0002]);	/* untouched */
	EXPECT_EQ(e.io.rdi + 4, done.gpr[X86_RDI]);
	free(g);
}

TEST(translation_failure)
{
	struct x86_string_io_ops ops;
	struct fake_guest *g = fake_guest_new(&ops);
	/* rep outsb x4 from VA page 1 + 0xffe: the third byte is on unmapped page 2 */
	struct hvi_exit e = string_exit(true, 1, true, 4, 0x1ffe);
	struct hvi_completion done;
	char err[256] = "";

	EXPECT_EQ(-EFAULT, x86_string_io(&e, &ops, &done, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "0x402000")) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "translate")) TH_LOG("%s", err);
	EXPECT_EQ(2, g->port_calls);		/* the element at fault is not performed */
	EXPECT_EQ(e.rip, done.rip);
	EXPECT_EQ(2, done.gpr[X86_RCX]);
	EXPECT_EQ(e.io.rsi + 2, done.gpr[X86_RSI]);

	/* an INS whose second half is unmapped: the port is not read at all */
	e = string_exit(false, 4, false, 0, 0x1ffe);
	g->port_calls = 0;
	EXPECT_EQ(-EFAULT, x86_string_io(&e, &ops, &done, err, sizeof(err)));
	EXPECT_EQ(0, g->port_calls);
	EXPECT_EQ(0xfe, g->ram[0x0ffe]);	/* VA page 1 = RAM page 0: untouched */
	EXPECT_EQ(e.rip, done.rip);
	EXPECT_EQ(e.io.rdi, done.gpr[X86_RDI]);

	/* below any mapping */
	e = string_exit(true, 1, false, 0, 0);
	e.io.ds_base = 0;
	e.io.rsi = 0x1000;
	EXPECT_EQ(-EFAULT, x86_string_io(&e, &ops, &done, err, sizeof(err)));
	free(g);
}

TEST(not_ram)
{
	struct x86_string_io_ops ops;
	struct fake_guest *g = fake_guest_new(&ops);
	struct hvi_exit e = string_exit(false, 2, true, 8, 0x3000);	/* VA page 3: not RAM */
	struct hvi_completion done;
	char err[256] = "";

	EXPECT_EQ(-EFAULT, x86_string_io(&e, &ops, &done, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "not RAM")) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "0xfed00000")) TH_LOG("%s", err);
	EXPECT_EQ(0, g->port_calls);
	EXPECT_EQ(e.rip, done.rip);
	EXPECT_EQ(8, done.gpr[X86_RCX]);
	free(g);
}

TEST(not_a_string_intercept)
{
	struct x86_string_io_ops ops;
	struct fake_guest *g = fake_guest_new(&ops);
	struct hvi_exit e = string_exit(true, 1, false, 0, 0);
	struct hvi_completion done;
	char err[256] = "";

	e.io.string = false;
	EXPECT_EQ(-EINVAL, x86_string_io(&e, &ops, &done, err, sizeof(err)));
	e.io.string = true;
	e.io.size = 8;
	EXPECT_EQ(-EINVAL, x86_string_io(&e, &ops, &done, err, sizeof(err)));
	e.io.size = 1;
	e.type = HVI_MSG_UNMAPPED_GPA;
	EXPECT_EQ(-EINVAL, x86_string_io(&e, &ops, &done, err, sizeof(err)));
	EXPECT_EQ(0, g->port_calls);
	free(g);
}

TEST_HARNESS_MAIN
