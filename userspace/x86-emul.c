// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO instruction decoding and string port I/O for a hypervisor that
 * leaves them to userspace (mshv). Only what Linux guests do on MMIO and
 * port I/O is understood: the MOV family (88/89/8A/8B, C6/C7, A0-A3, MOVZX,
 * MOVSX, MOVSXD) and INS/OUTS. The decoder only needs the instruction's
 * length and its register operand, not the address: the intercept gives
 * the guest-physical address.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "x86-emul.h"

#define REX_W		0x8
#define REX_R		0x4
#define PAGE_SIZE	4096ULL
#define PAGE_OFFSET(a)	((a) & (PAGE_SIZE - 1))

struct decoder {
	const uint8_t *insn;
	unsigned int count;
	unsigned int pos;	/* next byte */
	const char *why;	/* set by a failed fetch */
};

/* The @n little-endian bytes at the current position, or -1 with d->why. */
static int fetch(struct decoder *d, unsigned int n, uint64_t *val)
{
	if (d->pos + n > X86_MAX_INSN_LEN) {
		d->why = "longer than 15 bytes";
		return -1;
	}
	if (d->pos + n > d->count) {
		d->why = "truncated (the intercept gave too few instruction bytes)";
		return -1;
	}
	*val = 0;
	for (unsigned int i = 0; i < n; i++)
		*val |= (uint64_t)d->insn[d->pos + i] << (8 * i);
	d->pos += n;
	return 0;
}

static int reject(const struct decoder *d, const char *why, char *err, size_t errlen)
{
	unsigned int shown = d->count < 16 ? d->count : 16;
	size_t off;

	if (!errlen)
		return -EINVAL;
	off = snprintf(err, errlen, "unsupported MMIO instruction");
	if (!shown && off < errlen)
		off += snprintf(err + off, errlen - off, " (no bytes)");
	for (unsigned int i = 0; i < shown && off < errlen; i++)
		off += snprintf(err + off, errlen - off, " %02x", d->insn[i]);
	if (off < errlen)
		snprintf(err + off, errlen - off, ": %s", why);
	return -EINVAL;
}

static uint64_t size_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/*
 * Skip a ModRM memory operand (with its SIB and displacement); *reg gets
 * the reg field, REX.R included, and *digit the bare field (/0 forms).
 */
static int skip_modrm(struct decoder *d, unsigned int addr_size, uint8_t rex,
		      unsigned int *reg, unsigned int *digit)
{
	uint64_t modrm, sib, displacement;
	unsigned int mod, rm, disp = 0;

	if (fetch(d, 1, &modrm))
		return -1;
	mod = modrm >> 6;
	rm = modrm & 7;
	*digit = (modrm >> 3) & 7;
	*reg = *digit | (rex & REX_R ? 8 : 0);
	if (mod == 3) {
		d->why = "register operand (mod=11), not a memory access";
		return -1;
	}
	if (addr_size == 2) {
		/* 16-bit addressing: no SIB; [disp16] is mod=00 rm=110 */
		if (mod == 1)
			disp = 1;
		else if (mod == 2 || rm == 6)
			disp = 2;
	} else {
		if (rm == 4) {
			if (fetch(d, 1, &sib))
				return -1;
			if (mod == 0 && (sib & 7) == 5)
				disp = 4;	/* no base: [index*scale + disp32] */
		}
		if (mod == 0 && rm == 5)
			disp = 4;		/* RIP-relative, or [disp32] in 32-bit code */
		else if (mod == 1)
			disp = 1;
		else if (mod == 2)
			disp = 4;
	}
	return disp && fetch(d, disp, &displacement) ? -1 : 0;
}

int x86_decode_mmio(const uint8_t *insn, unsigned int count, bool long_mode, bool default32,
		    struct x86_mmio_op *op, char *err, size_t errlen)
{
	struct decoder d = { .insn = insn, .count = count };
	bool opsize_prefix = false, addr_prefix = false;
	unsigned int opcode, size, addr_size, reg, digit;
	uint64_t byte, imm;
	uint8_t rex = 0;

	memset(op, 0, sizeof(*op));
	for (;;) {
		if (fetch(&d, 1, &byte))
			return reject(&d, d.why, err, errlen);
		switch (byte) {
		case 0x66:
			opsize_prefix = true;
			break;
		case 0x67:
			addr_prefix = true;
			break;
		case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
			break;	/* segment: the intercept's GPA already has it */
		case 0xf0:
			return reject(&d, "LOCK prefix", err, errlen);
		case 0xf2: case 0xf3:
			return reject(&d, "REP/REPNE prefix (string or SSE instruction)",
				      err, errlen);
		default:
			if (long_mode && (byte & 0xf0) == 0x40) {
				rex = byte;
				continue;
			}
			goto opcode;
		}
		rex = 0;	/* a REX counts only right before the opcode */
	}
opcode:
	opcode = byte;
	if (opcode == 0x0f) {
		if (fetch(&d, 1, &byte))
			return reject(&d, d.why, err, errlen);
		opcode = 0x0f00 | byte;
	}
	if (long_mode) {
		size = rex & REX_W ? 8 : opsize_prefix ? 2 : 4;
		addr_size = addr_prefix ? 4 : 8;
	} else {
		size = default32 != opsize_prefix ? 4 : 2;
		addr_size = default32 != addr_prefix ? 4 : 2;
	}

	switch (opcode) {
	case 0x88: case 0x89: case 0x8a: case 0x8b:	/* mov r/m, r; mov r, r/m */
		if (skip_modrm(&d, addr_size, rex, &reg, &digit))
			return reject(&d, d.why, err, errlen);
		op->size = opcode & 1 ? size : 1;
		op->is_write = !(opcode & 2);
		op->reg = reg;
		if (op->size == 1 && !rex && reg >= 4) {
			op->high_byte = true;
			op->reg = reg - 4;
		}
		break;
	case 0xc6: case 0xc7:				/* mov r/m, imm */
		if (skip_modrm(&d, addr_size, rex, &reg, &digit))
			return reject(&d, d.why, err, errlen);
		if (digit)
			return reject(&d, "C6/C7 with a reg field other than /0", err, errlen);
		op->size = opcode & 1 ? size : 1;
		if (fetch(&d, op->size > 4 ? 4 : op->size, &imm))
			return reject(&d, d.why, err, errlen);
		if (op->size == 8)
			imm = (uint64_t)(int64_t)(int32_t)imm;
		op->is_write = true;
		op->reg = -1;
		op->imm = imm & size_mask(op->size);
		break;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:	/* mov al/ax/eax/rax, moffs and back */
		if (fetch(&d, addr_size, &imm))
			return reject(&d, d.why, err, errlen);
		op->size = opcode & 1 ? size : 1;
		op->is_write = opcode & 2;
		op->reg = X86_RAX;
		break;
	case 0x0fb6: case 0x0fb7: case 0x0fbe: case 0x0fbf:	/* movzx, movsx */
		if (skip_modrm(&d, addr_size, rex, &reg, &digit))
			return reject(&d, d.why, err, errlen);
		op->size = opcode & 1 ? 2 : 1;
		op->reg = reg;
		op->reg_size = size;
		op->sign_extend = opcode & 8;
		break;
	case 0x63:					/* movsxd r64, r/m32 */
		if (!long_mode)
			return reject(&d, "ARPL", err, errlen);
		if (!(rex & REX_W))
			return reject(&d, "MOVSXD without REX.W", err, errlen);
		if (skip_modrm(&d, addr_size, rex, &reg, &digit))
			return reject(&d, d.why, err, errlen);
		op->size = 4;
		op->reg = reg;
		op->reg_size = 8;
		op->sign_extend = true;
		break;
	default:
		return reject(&d, "not a MOV to or from memory", err, errlen);
	}
	if (!op->is_write && !op->reg_size)
		op->reg_size = op->size;
	op->len = d.pos;
	return 0;
}

uint64_t x86_mmio_store_value(const struct x86_mmio_op *op, const uint64_t gpr[16])
{
	if (op->reg < 0 || op->reg > 15)
		return op->imm & size_mask(op->size);
	if (op->high_byte)
		return (gpr[op->reg] >> 8) & 0xff;
	return gpr[op->reg] & size_mask(op->size);
}

void x86_mmio_load_result(const struct x86_mmio_op *op, uint64_t gpr[16], uint64_t value)
{
	unsigned int bits = 8 * op->size;
	uint64_t *dest;

	if (op->reg < 0 || op->reg > 15 || !op->size || op->size > 8)
		return;
	dest = &gpr[op->reg];
	value &= size_mask(op->size);
	if (op->sign_extend && bits < 64 && (value >> (bits - 1)) & 1)
		value |= ~size_mask(op->size);
	if (op->high_byte) {
		*dest = (*dest & ~0xff00ULL) | (value & 0xff) << 8;
		return;
	}
	switch (op->reg_size) {
	case 1:
	case 2:
		*dest = (*dest & ~size_mask(op->reg_size)) | (value & size_mask(op->reg_size));
		break;
	case 4:
		*dest = (uint32_t)value;
		break;
	case 8:
		*dest = value;
		break;
	}
}

/* The guest's last translated page: a REP moves through one page at a time. */
struct xlate_cache {
	bool valid;
	uint64_t gva_page, gpa_page;
};

/* Host pointer for @len bytes at @gva, all within one page. */
static uint8_t *map_part(const struct x86_string_io_ops *ops, struct xlate_cache *c,
			 uint64_t gva, unsigned int len, bool write, char *err, size_t errlen,
			 int *ret)
{
	uint64_t gpa;
	uint8_t *hva;

	if (!c->valid || c->gva_page != gva - PAGE_OFFSET(gva)) {
		*ret = ops->translate(ops->ctx, gva, write, &gpa);
		if (*ret) {
			snprintf(err, errlen, "%s guest address 0x%llx: cannot translate it (%s)",
				 write ? "INS to" : "OUTS from", (unsigned long long)gva,
				 strerror(-*ret));
			c->valid = false;
			return NULL;
		}
		*c = (struct xlate_cache){ true, gva - PAGE_OFFSET(gva), gpa - PAGE_OFFSET(gpa) };
	}
	gpa = c->gpa_page | PAGE_OFFSET(gva);
	hva = ops->guest_ptr(ops->ctx, gpa, len);
	if (!hva) {
		*ret = -EFAULT;
		snprintf(err, errlen, "%s guest address 0x%llx (guest-physical 0x%llx): not RAM",
			 write ? "INS to" : "OUTS from", (unsigned long long)gva,
			 (unsigned long long)gpa);
	}
	return hva;
}

int x86_string_io(const struct hvi_exit *exit, const struct x86_string_io_ops *ops,
		  struct hvi_completion *done, char *err, size_t errlen)
{
	bool in = !exit->io.write;
	unsigned int size = exit->io.size;
	uint64_t base = in ? exit->io.es_base : exit->io.ds_base;
	uint64_t index = in ? exit->io.rdi : exit->io.rsi;
	uint64_t remaining = exit->io.rep ? exit->io.rcx : 1;
	uint64_t step = exit->rflags & X86_RFLAGS_DF ? -(uint64_t)size : size;
	uint64_t todo = remaining < X86_STRING_IO_MAX_ELEMENTS ? remaining
							       : X86_STRING_IO_MAX_ELEMENTS;
	struct xlate_cache cache = { .valid = false };
	int index_reg = in ? X86_RDI : X86_RSI;
	int ret = 0;

	memset(done, 0, sizeof(*done));
	done->rip = exit->rip;
	if (exit->type != HVI_MSG_X64_IO_PORT_INTERCEPT || !exit->io.string ||
	    (size != 1 && size != 2 && size != 4) ||
	    !exit->insn_len || exit->insn_len > X86_MAX_INSN_LEN) {
		snprintf(err, errlen, "not a string port I/O intercept (type 0x%x, size %u)",
			 exit->type, size);
		return -EINVAL;
	}

	for (; todo; todo--, remaining--, index += step) {
		uint64_t gva = base + index;
		unsigned int first = PAGE_SIZE - PAGE_OFFSET(gva);
		uint8_t *part[2] = { NULL, NULL };
		uint8_t data[4] = { 0 };

		/* An element that crosses a page: each part translated on its own. */
		if (first > size)
			first = size;
		part[0] = map_part(ops, &cache, gva, first, in, err, errlen, &ret);
		if (part[0] && first < size)
			part[1] = map_part(ops, &cache, gva + first, size - first, in,
					   err, errlen, &ret);
		if (ret)
			break;
		if (in) {
			ops->port_io(ops->ctx, exit->io.port, data, size, false);
			memcpy(part[0], data, first);
			if (part[1])
				memcpy(part[1], data + first, size - first);
		} else {
			memcpy(data, part[0], first);
			if (part[1])
				memcpy(data + first, part[1], size - first);
			ops->port_io(ops->ctx, exit->io.port, data, size, true);
		}
	}

	done->gpr[index_reg] = index;
	done->gpr_mask |= 1u << index_reg;
	if (exit->io.rep) {
		done->gpr[X86_RCX] = remaining;
		done->gpr_mask |= 1u << X86_RCX;
	}
	if (!ret && !remaining)
		done->rip = exit->rip + exit->insn_len;
	return ret;
}
