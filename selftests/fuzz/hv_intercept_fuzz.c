// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the intercept-message decoder shared by the module and
 * mshv-vmm (common/hv_intercept.c). Each input is a message as RUN_VP
 * returns it (any length). Beyond "no crash, no sanitizer report":
 *
 *   decode     deterministic; an error is one of enum hvi_decode_error, with
 *              a name; a success is a known type whose payload fits
 *              (payload_size 0..240, the buffer long enough), every field
 *              within its documented bounds (access type, I/O size 1/2/4,
 *              instruction length 1..15 where the type needs one, at most
 *              16 instruction bytes, EOI vector <= 255) and equal to the
 *              bytes at its documented offset (hand-written here, not the
 *              structs of hv_abi.h)
 *   complete   hvi_complete_skip/hvi_complete_io move RIP past the
 *              instruction and, for IN, write RAX as the CPU does
 *   regpage    hvi_regpage_apply on a fake register page (allocated to its
 *              exact size) writes only RIP and the GPRs of the mask, sets
 *              exactly the dirty bits for them, and leaves a page it may
 *              not use untouched
 *
 * The page's state and IN's value come from the header's sender and
 * reserved bytes, which the decoder ignores: sender bit 0 an unknown page
 * version, bit 1 isvalid clear, bits 2-33 the dirty bits already set,
 * bits 32-63 the value IN reads; rsvd (bytes 6-7) the GPR mask of a second,
 * arbitrary completion.
 *
 * selftests/host/fuzz_test.sh runs it for 20 s; longer, new inputs in DIR:
 *   selftests/fuzz/hv_intercept_fuzz -dict=selftests/fuzz/hv_intercept.dict \
 *	-max_total_time=3600 DIR selftests/fuzz/corpus/hv_intercept
 */
#include <stdint.h>
#include <string.h>

#include "hv_intercept.h"
#include "fuzz.h"

/* Offsets in the message: the header, then the payload at P. */
#define P		16
#define HDR_LEN		40	/* the intercept header that starts a payload */

/* What each type must carry, from the hypervisor's layouts. */
static const struct {
	uint32_t type;
	unsigned int payload;	/* bytes its layout needs */
	bool header;		/* starts with the 40-byte intercept header */
	bool insn_len;		/* ... with an instruction length 1..15 */
} layouts[] = {
	{ HVI_MSG_X64_IO_PORT_INTERCEPT, 128, true, true },
	{ HVI_MSG_UNMAPPED_GPA, 80, true, false },
	{ HVI_MSG_GPA_INTERCEPT, 80, true, false },
	{ HVI_MSG_UNACCEPTED_GPA, 80, true, false },
	{ HVI_MSG_X64_MSR_INTERCEPT, 64, true, true },
	{ HVI_MSG_X64_CPUID_INTERCEPT, 104, true, true },
	{ HVI_MSG_X64_HALT, HDR_LEN, true, false },
	{ HVI_MSG_GPA_ATTRIBUTE_INTERCEPT, HDR_LEN, true, false },
	{ HVI_MSG_X64_EXCEPTION_INTERCEPT, HDR_LEN, true, false },
	{ HVI_MSG_UNRECOVERABLE_EXCEPTION, HDR_LEN, true, false },
	{ HVI_MSG_X64_INTERRUPTION_DELIVERABLE, HDR_LEN, true, false },
	{ HVI_MSG_X64_SIPI_INTERCEPT, HDR_LEN, true, false },
	{ HVI_MSG_X64_SEV_VMGEXIT_INTERCEPT, HDR_LEN, true, false },
	{ HVI_MSG_X64_APIC_EOI, 8, false, false },
	{ HVI_MSG_UNSUPPORTED_FEATURE, 0, false, false },
	{ HVI_MSG_OPAQUE_INTERCEPT, 0, false, false },
	{ HVI_MSG_TIMER_EXPIRED, 0, false, false },
};

#define U8(off)		(data[off])
#define U16(off)	((uint16_t)fuzz_le(data + (off), 2))
#define U32(off)	((uint32_t)fuzz_le(data + (off), 4))
#define U64(off)	((uint64_t)fuzz_le(data + (off), 8))
#define EQ(field, value)							\
	FUZZ_ASSERT((field) == (value), "type 0x%x: 0x%llx, the bytes say 0x%llx",	\
		    exit->type, (unsigned long long)(field), (unsigned long long)(value))

static void check_decoded(const uint8_t *data, size_t size, const struct hvi_exit *exit)
{
	unsigned int i, k;

	for (k = 0; k < sizeof(layouts) / sizeof(layouts[0]); k++)
		if (layouts[k].type == exit->type)
			break;
	FUZZ_ASSERT(k < sizeof(layouts) / sizeof(layouts[0]),
		    "decoded type 0x%x, which this target does not know: add it", exit->type);
	EQ(exit->type, U32(0));
	FUZZ_ASSERT(U8(4) >= layouts[k].payload && U8(4) <= HVI_MESSAGE_PAYLOAD_SIZE &&
		    size >= P + layouts[k].payload,
		    "type 0x%x: payload_size %u, %zu bytes", exit->type, U8(4), size);

	if (layouts[k].header) {
		EQ(exit->vp_index, U32(P + 0));
		EQ(exit->access, U8(P + 5));
		FUZZ_ASSERT(exit->access <= HVI_ACCESS_EXECUTE, "access type %u", exit->access);
		EQ(exit->cs_attributes, U16(P + 8 + 14));
		EQ(exit->rip, U64(P + 24));
		EQ(exit->rflags, U64(P + 32));
	} else {
		FUZZ_ASSERT(!exit->access && !exit->rip && !exit->rflags && !exit->cs_attributes,
			    "type 0x%x without an intercept header has its fields", exit->type);
	}
	if (layouts[k].insn_len) {
		EQ(exit->insn_len, U8(P + 4) & 0x0f);
		FUZZ_ASSERT(exit->insn_len >= 1 && exit->insn_len <= 15, "length %u",
			    exit->insn_len);
	} else {
		FUZZ_ASSERT(!exit->insn_len, "type 0x%x has no instruction length: %u",
			    exit->type, exit->insn_len);
	}

	switch (exit->type) {
	case HVI_MSG_X64_IO_PORT_INTERCEPT:
		EQ(exit->io.port, U16(P + 40));
		EQ(exit->io.size, U8(P + 42) & 7);
		FUZZ_ASSERT(exit->io.size == 1 || exit->io.size == 2 || exit->io.size == 4,
			    "I/O size %u", exit->io.size);
		EQ(exit->io.string, !!(U8(P + 42) & 8));
		EQ(exit->io.rep, !!(U8(P + 42) & 16));
		FUZZ_ASSERT(exit->access != HVI_ACCESS_EXECUTE, "port I/O executed");
		EQ(exit->io.write, exit->access == HVI_ACCESS_WRITE);
		FUZZ_ASSERT(U8(P + 43) <= 16, "%u instruction bytes", U8(P + 43));
		EQ(exit->io.rax, U64(P + 48));
		EQ(exit->io.ds_base, U64(P + 72));
		EQ(exit->io.es_base, U64(P + 88));
		EQ(exit->io.rcx, U64(P + 104));
		EQ(exit->io.rsi, U64(P + 112));
		EQ(exit->io.rdi, U64(P + 120));
		break;
	case HVI_MSG_UNMAPPED_GPA:
	case HVI_MSG_GPA_INTERCEPT:
	case HVI_MSG_UNACCEPTED_GPA:
		EQ(exit->mem.insn_count, U8(P + 44));
		FUZZ_ASSERT(exit->mem.insn_count <= 16, "%u instruction bytes",
			    exit->mem.insn_count);
		EQ(exit->mem.gva_valid, U8(P + 45) & 1);
		EQ(exit->mem.gva, U64(P + 48));
		EQ(exit->mem.gpa, U64(P + 56));
		for (i = 0; i < 16; i++)
			EQ(exit->mem.insn[i], U8(P + 64 + i));
		break;
	case HVI_MSG_X64_MSR_INTERCEPT:
		EQ(exit->msr.index, U32(P + 40));
		EQ(exit->msr.rdx, U64(P + 48));
		EQ(exit->msr.rax, U64(P + 56));
		break;
	case HVI_MSG_X64_CPUID_INTERCEPT:
		EQ(exit->cpuid.rax, U64(P + 40));
		EQ(exit->cpuid.rcx, U64(P + 48));
		EQ(exit->cpuid.rdx, U64(P + 56));
		EQ(exit->cpuid.rbx, U64(P + 64));
		EQ(exit->cpuid.default_rax, U64(P + 72));
		EQ(exit->cpuid.default_rcx, U64(P + 80));
		EQ(exit->cpuid.default_rdx, U64(P + 88));
		EQ(exit->cpuid.default_rbx, U64(P + 96));
		break;
	case HVI_MSG_X64_APIC_EOI:
		EQ(exit->vp_index, U32(P + 0));
		EQ(exit->eoi.vector, U32(P + 4));
		FUZZ_ASSERT(exit->eoi.vector <= 255, "vector %u", exit->eoi.vector);
		break;
	}
}

static void check_failed(const uint8_t *data, size_t size, int ret)
{
	const char *what = hvi_decode_strerror(ret);

	FUZZ_ASSERT(ret >= -HVI_ERR_VECTOR && ret <= -HVI_ERR_SHORT_BUFFER, "error %d", ret);
	FUZZ_ASSERT(what && *what && strcmp(what, "unknown decode error"), "error %d unnamed",
		    ret);
	FUZZ_ASSERT((ret == -HVI_ERR_SHORT_BUFFER) == (size < P),
		    "%zu bytes, error %d", size, ret);
	if (size >= P)
		FUZZ_ASSERT((ret == -HVI_ERR_UNKNOWN_TYPE) ==
			    !strcmp(hvi_msg_name(U32(0)), "unknown message type"),
			    "type 0x%x, error %d", U32(0), ret);
}

/* A register page in the state the sender bits ask for, its GPRs all different. */
static struct hvi_register_page *fake_page(uint64_t sender)
{
	struct hvi_register_page *page = malloc(sizeof(*page));
	unsigned int i;

	page->version = sender & 1 ? (uint16_t)(sender >> 16) | 2 : HVI_REGPAGE_VERSION_1;
	page->isvalid = !(sender & 2);
	page->rsvdz = 0xa5;
	page->dirty = (uint32_t)(sender >> 2);
	for (i = 0; i < 16; i++)
		page->gpr[i] = 0x1111111111111111ULL * (i + 1) ^ 0x8040201008040201ULL;
	page->rip = 0xfedcba9876543210ULL;
	page->rflags = 0x246;
	return page;
}

static void check_apply(const struct hvi_completion *done, uint64_t sender)
{
	struct hvi_register_page *page = fake_page(sender), before = *page;
	bool usable = before.version == HVI_REGPAGE_VERSION_1 && before.isvalid;
	bool ok = hvi_regpage_apply(page, done);
	uint32_t dirty = HVI_REGPAGE_DIRTY_IP;
	unsigned int i;

	FUZZ_ASSERT(ok == usable, "version %u isvalid %u: apply says %d",
		    before.version, before.isvalid, ok);
	if (!ok) {
		FUZZ_ASSERT(!memcmp(page, &before, sizeof(before)), "unusable page written");
		free(page);
		return;
	}
	FUZZ_ASSERT(page->rip == done->rip, "rip 0x%llx, completion 0x%llx",
		    (unsigned long long)page->rip, (unsigned long long)done->rip);
	for (i = 0; i < 16; i++) {
		uint64_t want = done->gpr_mask & (1U << i) ? done->gpr[i] : before.gpr[i];

		FUZZ_ASSERT(page->gpr[i] == want, "gpr %u: 0x%llx, want 0x%llx (mask 0x%x)",
			    i, (unsigned long long)page->gpr[i], (unsigned long long)want,
			    done->gpr_mask);
	}
	if (done->gpr_mask)
		dirty |= HVI_REGPAGE_DIRTY_GENERAL;
	FUZZ_ASSERT(page->dirty == (before.dirty | dirty), "dirty 0x%x from 0x%x, mask 0x%x",
		    page->dirty, before.dirty, done->gpr_mask);
	FUZZ_ASSERT(page->version == before.version && page->isvalid == before.isvalid &&
		    page->rsvdz == before.rsvdz && page->rflags == before.rflags,
		    "a field other than rip, gpr and dirty written");
	free(page);
}

static void check_completions(const uint8_t *data, const struct hvi_exit *exit)
{
	uint64_t sender = U64(8);
	uint32_t in_value = sender >> 32;
	struct hvi_completion done;
	unsigned int i;

	hvi_complete_skip(exit, &done);
	FUZZ_ASSERT(done.rip == exit->rip + exit->insn_len && !done.gpr_mask,
		    "skip: rip 0x%llx mask 0x%x", (unsigned long long)done.rip, done.gpr_mask);
	check_apply(&done, sender);

	if (exit->type == HVI_MSG_X64_IO_PORT_INTERCEPT && !exit->io.string && !exit->io.rep) {
		uint64_t mask = (1ULL << (8 * exit->io.size)) - 1;

		hvi_complete_io(exit, in_value, &done);
		FUZZ_ASSERT(done.rip == exit->rip + exit->insn_len, "io: rip 0x%llx",
			    (unsigned long long)done.rip);
		if (exit->io.write) {
			FUZZ_ASSERT(!done.gpr_mask, "OUT writes registers: 0x%x", done.gpr_mask);
		} else if (exit->io.size == 4) {
			FUZZ_ASSERT(done.gpr_mask == 1 && done.gpr[0] == in_value,
				    "IN EAX: mask 0x%x rax 0x%llx", done.gpr_mask,
				    (unsigned long long)done.gpr[0]);
		} else {
			FUZZ_ASSERT(done.gpr_mask == 1 &&
				    done.gpr[0] == ((exit->io.rax & ~mask) | (in_value & mask)),
				    "IN size %u: mask 0x%x rax 0x%llx", exit->io.size,
				    done.gpr_mask, (unsigned long long)done.gpr[0]);
		}
		check_apply(&done, sender);
	}

	/* Any mask: every register of the page, one at a time or together. */
	memset(&done, 0, sizeof(done));
	done.rip = exit->rip ^ sender;
	done.gpr_mask = U16(6);
	for (i = 0; i < 16; i++)
		done.gpr[i] = ~0x0101010101010101ULL * i;
	check_apply(&done, sender);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hvi_exit exit, again;
	int ret = hvi_decode(data, size, &exit);

	FUZZ_ASSERT(ret == hvi_decode(data, size, &again) && !memcmp(&exit, &again, sizeof(exit)),
		    "two decodes differ");
	FUZZ_ASSERT(hvi_msg_name(exit.type), "no name for type 0x%x", exit.type);
	if (ret) {
		check_failed(data, size, ret);
		return 0;
	}
	check_decoded(data, size, &exit);
	check_completions(data, &exit);
	return 0;
}
