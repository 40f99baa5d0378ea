// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: mshv-vmm's MMIO instruction decoder (userspace/x86-emul.c),
 * which reads instruction bytes the guest chose. Input: a flags byte, then
 * the instruction bytes (all the rest; what follows the instruction is the
 * value a load reads). Flags: bit 0 64-bit code (CS.L), bit 1 32-bit
 * default (CS.D), bits 2-4 the size of the error buffer (from
 * err_sizes[]), bit 5 also a made-up struct x86_mmio_op from the bytes.
 * Beyond "no crash, no sanitizer report":
 *
 *   decode  success: 1 <= len <= count and 15, size 1/2/4/8, reg -1..15 (-1
 *           only for an immediate store, whose imm fits the size), no REX
 *           register, SPL-DIL or 8-byte access outside 64-bit code, AH-BH
 *           only for bytes; the same result from exactly len bytes, a
 *           failure from len - 1. Failure: -EINVAL and a NUL-terminated,
 *           nonempty message that fits the buffer (allocated to its exact
 *           size)
 *   store   x86_mmio_store_value: the register's bytes or the immediate,
 *           truncated to the size
 *   load    x86_mmio_load_result changes only the destination register:
 *           its low bytes get the value, extended as MOVZX/MOVSX say, the
 *           rest as the CPU does (8/16-bit kept, 32-bit zeroed)
 *   any op  store/load on a made-up op touch only gpr[0..15]
 *
 * selftests/host/fuzz_test.sh runs it for 20 s; longer, new inputs in DIR:
 *   selftests/fuzz/x86_emul_fuzz -max_total_time=3600 DIR selftests/fuzz/corpus/x86_emul
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "x86-emul.h"
#include "fuzz.h"

#define FLAG_LONG_MODE	0x01
#define FLAG_DEFAULT32	0x02
#define FLAG_ERR_SIZE(f) (((f) >> 2) & 7)
#define FLAG_RAW_OP	0x20

#define ERR_PREFIX	"unsupported MMIO instruction"

static const size_t err_sizes[8] = { 128, 0, 1, 2, 8, 29, 40, 64 };

static uint64_t mask_of(unsigned int bytes)
{
	return bytes >= 8 ? ~0ULL : (1ULL << (8 * bytes)) - 1;
}

/* Registers whose bytes all differ, with both halves of every byte set. */
static void fill_gprs(uint64_t *gpr)
{
	for (unsigned int i = 0; i < 16; i++)
		gpr[i] = 0x8899aabbccddeeffULL ^ (0x0101010101010101ULL * (i + 1));
}

static void check_decoded(const struct x86_mmio_op *op, unsigned int count, bool long_mode)
{
	FUZZ_ASSERT(op->len >= 1 && op->len <= count && op->len <= X86_MAX_INSN_LEN,
		    "length %u of %u bytes", op->len, count);
	FUZZ_ASSERT(op->size == 1 || op->size == 2 || op->size == 4 || op->size == 8,
		    "size %u", op->size);
	FUZZ_ASSERT(op->reg >= -1 && op->reg <= 15, "reg %d", op->reg);
	FUZZ_ASSERT(op->reg >= 0 || op->is_write, "a load without a register");
	FUZZ_ASSERT(!(op->imm & ~mask_of(op->size)) && (op->reg < 0 || !op->imm),
		    "imm 0x%llx, size %u, reg %d", (unsigned long long)op->imm, op->size, op->reg);
	FUZZ_ASSERT(long_mode || (op->size <= 4 && op->reg <= 7 && op->reg_size <= 4),
		    "64-bit operand or r8-r15 outside 64-bit code");
	FUZZ_ASSERT(!op->high_byte || (op->size == 1 && op->reg >= 0 && op->reg <= 3),
		    "high byte of reg %d, size %u", op->reg, op->size);
	/* Byte registers 4-7 without REX are AH-BH: SPL-DIL need a REX. */
	FUZZ_ASSERT(long_mode || op->size != 1 || op->reg < 4 ||
		    (!op->is_write && op->reg_size > 1),
		    "byte register %d outside 64-bit code", op->reg);
	if (op->is_write) {
		FUZZ_ASSERT(!op->sign_extend, "a store that sign-extends");
	} else {
		FUZZ_ASSERT((op->reg_size == 1 || op->reg_size == 2 || op->reg_size == 4 ||
			     op->reg_size == 8) && op->reg_size >= op->size,
			    "load of %u bytes into %u", op->size, op->reg_size);
		FUZZ_ASSERT(!op->high_byte || op->reg_size == 1, "AH-BH as a wide register");
	}
}

/* Decoding stops at the instruction: exactly its bytes suffice, one fewer not. */
static void check_exact_length(const uint8_t *insn, const struct x86_mmio_op *op,
			       bool long_mode, bool default32)
{
	uint8_t *copy = malloc(op->len);
	struct x86_mmio_op again;
	char err[128];

	memcpy(copy, insn, op->len);
	FUZZ_ASSERT(!x86_decode_mmio(copy, op->len, long_mode, default32, &again,
				     err, sizeof(err)) && !memcmp(op, &again, sizeof(again)),
		    "its own %u bytes decode otherwise: %s", op->len, err);
	FUZZ_ASSERT(x86_decode_mmio(copy, op->len - 1, long_mode, default32, &again,
				    err, sizeof(err)) == -EINVAL,
		    "decoded from %u of its %u bytes", op->len - 1, op->len);
	free(copy);
}

static void check_store(const struct x86_mmio_op *op)
{
	uint64_t gpr[16], value, want;

	fill_gprs(gpr);
	value = x86_mmio_store_value(op, gpr);
	if (op->reg < 0)
		want = op->imm;
	else if (op->high_byte)
		want = gpr[op->reg] >> 8 & 0xff;
	else
		want = gpr[op->reg] & mask_of(op->size);
	FUZZ_ASSERT(value == want, "stores 0x%llx, want 0x%llx", (unsigned long long)value,
		    (unsigned long long)want);
}

static void check_load(const struct x86_mmio_op *op, uint64_t value)
{
	uint64_t before[16], gpr[16], dest, low, extended, kept;
	unsigned int i;

	fill_gprs(before);
	memcpy(gpr, before, sizeof(gpr));
	x86_mmio_load_result(op, gpr, value);
	for (i = 0; i < 16; i++)
		FUZZ_ASSERT(gpr[i] == before[i] || (int)i == op->reg, "gpr %u changed, reg %d",
			    i, op->reg);
	dest = gpr[op->reg];
	if (op->high_byte) {
		FUZZ_ASSERT(dest == ((before[op->reg] & ~0xff00ULL) | (value & 0xff) << 8),
			    "AH-BH: 0x%llx", (unsigned long long)dest);
		return;
	}
	low = value & mask_of(op->size);
	FUZZ_ASSERT((dest & mask_of(op->size)) == low, "low bytes 0x%llx, value 0x%llx",
		    (unsigned long long)dest, (unsigned long long)value);
	/* Between the access and the register: copies of the sign bit, or zeroes. */
	extended = op->sign_extend && (low >> (8 * op->size - 1) & 1) ? ~0ULL : 0;
	FUZZ_ASSERT(((dest ^ extended) & mask_of(op->reg_size) & ~mask_of(op->size)) == 0,
		    "extension of %u into %u bytes: 0x%llx", op->size, op->reg_size,
		    (unsigned long long)dest);
	/* Above the register: 8/16-bit writes keep RAX's rest, 32-bit ones zero it. */
	kept = op->reg_size < 4 ? before[op->reg] : 0;
	FUZZ_ASSERT(((dest ^ kept) & ~mask_of(op->reg_size)) == 0,
		    "above %u bytes: 0x%llx, was 0x%llx", op->reg_size,
		    (unsigned long long)dest, (unsigned long long)before[op->reg]);
}

/* Any op, however made up: only gpr[op->reg], and only when it is 0..15. */
static void check_raw_op(const uint8_t *data, size_t size)
{
	struct x86_mmio_op op = { 0 };
	uint64_t *gpr = malloc(16 * sizeof(*gpr)), before[16];
	unsigned int i;

	if (size < 14) {
		free(gpr);
		return;
	}
	op.reg = (int8_t)data[1];
	op.size = data[2];
	op.reg_size = data[3];
	op.high_byte = data[4] & 1;
	op.sign_extend = data[4] & 2;
	op.is_write = data[4] & 4;
	op.imm = fuzz_le(data + 5, 8);
	fill_gprs(before);
	memcpy(gpr, before, sizeof(before));
	x86_mmio_store_value(&op, gpr);
	x86_mmio_load_result(&op, gpr, fuzz_le(data + 6, 8));
	for (i = 0; i < 16; i++)
		FUZZ_ASSERT(gpr[i] == before[i] || (int)i == op.reg, "gpr %u changed, reg %d",
			    i, op.reg);
	free(gpr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t errlen;
	bool long_mode, default32;
	const uint8_t *insn;
	unsigned int count;
	struct x86_mmio_op op;
	uint64_t value = 0;
	char *err;
	int ret;

	if (!size)
		return 0;
	long_mode = data[0] & FLAG_LONG_MODE;
	default32 = data[0] & FLAG_DEFAULT32;
	errlen = err_sizes[FLAG_ERR_SIZE(data[0])];
	insn = data + 1;
	count = size - 1;
	err = malloc(errlen ? errlen : 1);

	ret = x86_decode_mmio(insn, count, long_mode, default32, &op, err, errlen);
	if (ret) {
		FUZZ_ASSERT(ret == -EINVAL, "error %d", ret);
		FUZZ_ASSERT(!errlen || memchr(err, 0, errlen), "message not NUL-terminated");
		FUZZ_ASSERT(errlen < 2 || err[0], "empty message in %zu bytes", errlen);
		FUZZ_ASSERT(!errlen || !strncmp(err, ERR_PREFIX, errlen - 1 < strlen(ERR_PREFIX) ?
						  errlen - 1 : strlen(ERR_PREFIX)),
			    "message '%s'", err);
	} else {
		check_decoded(&op, count, long_mode);
		check_exact_length(insn, &op, long_mode, default32);
		if (op.is_write) {
			check_store(&op);
		} else {
			memcpy(&value, insn + op.len, count - op.len < 8 ? count - op.len : 8);
			check_load(&op, value);
		}
	}
	free(err);
	if (data[0] & FLAG_RAW_OP)
		check_raw_op(data, size);
	return 0;
}
