// SPDX-License-Identifier: GPL-2.0
/*
 * The seed corpora of hv_intercept_fuzz and x86_emul_fuzz, which are binary:
 * written by make into fuzz/corpus/hv_intercept/ and fuzz/corpus/x86_emul/
 * from the descriptions below, so that the messages follow hv_abi.h's
 * layouts. A few valid inputs of every kind and some that must be refused;
 * the fuzzer finds the rest.
 *
 *   fuzz/gen_seeds DIR
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hv_abi.h"

static const char *out_dir;

static void put(const char *corpus, const char *name, const void *buf, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, corpus);
	if (mkdir(path, 0755) && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", out_dir, corpus, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* ---- hv_intercept: messages as RUN_VP returns them ---- */

/* Page state and IN's value, as hv_intercept_fuzz.c reads the sender. */
#define SENDER_PLAIN		0
#define SENDER_BAD_VERSION	1
#define SENDER_NOT_VALID	2
#define SENDER_DIRTY_IN(v)	(((__u64)(v) << 32) | (HVI_REGPAGE_DIRTY_FLAGS << 2))

static struct hvi_message message(__u32 type, __u8 payload_size, __u64 sender)
{
	struct hvi_message m;

	memset(&m, 0, sizeof(m));
	m.header.message_type = type;
	m.header.payload_size = payload_size;
	m.header.sender = sender;
	return m;
}

/* 64-bit kernel code at a typical address. */
static void *intercept_header(struct hvi_message *m, __u8 insn_len, __u8 access)
{
	struct hvi_intercept_header *h = (void *)m->payload;

	h->vp_index = 1;
	h->insn_len_cr8 = insn_len;
	h->access_type = access;
	h->cs.selector = 0x10;
	h->cs.limit = 0xffffffff;
	h->cs.attributes = 0xa09b;	/* present, code, L, G */
	h->rip = 0xffffffff81234560ULL;
	h->rflags = 0x246;
	return h;
}

static void put_message(const char *name, const struct hvi_message *m)
{
	put("hv_intercept", name, m, sizeof(m->header) + m->header.payload_size);
}

static void io(const char *name, __u16 port, __u8 access, __u8 info, __u8 insn_len,
	       __u64 sender)
{
	struct hvi_message m = message(HVI_MSG_X64_IO_PORT_INTERCEPT,
				       sizeof(struct hvi_io_port_intercept), sender);
	struct hvi_io_port_intercept *io = intercept_header(&m, insn_len, access);

	io->port = port;
	io->access_info = info;
	io->rax = 0x1122334455667788ULL;
	io->rcx = 16;
	io->rsi = 0x1000;
	io->rdi = 0x2000;
	io->ds.base = 0x100000;
	io->es.base = 0x200000;
	put_message(name, &m);
}

/* @len instruction bytes at @insn, of which the message says @count. */
static void memory(const char *name, __u32 type, __u8 access, const char *insn, size_t len,
		   __u8 count)
{
	struct hvi_message m = message(type, sizeof(struct hvi_memory_intercept), SENDER_PLAIN);
	struct hvi_memory_intercept *mem = intercept_header(&m, 0, access);

	mem->insn_byte_count = count;
	mem->access_info = HVI_MEM_ACCESS_GVA_VALID;
	mem->gva = 0xffffc90000010000ULL;
	mem->gpa = 0xfebf0000;
	memcpy(mem->insn_bytes, insn, len);
	put_message(name, &m);
}

static void header_only(const char *name, __u32 type)
{
	struct hvi_message m = message(type, sizeof(struct hvi_intercept_header), SENDER_PLAIN);

	intercept_header(&m, 0, HVI_ACCESS_READ);
	put_message(name, &m);
}

static void eoi(const char *name, __u32 vector)
{
	struct hvi_message m = message(HVI_MSG_X64_APIC_EOI, sizeof(struct hvi_apic_eoi),
				       SENDER_PLAIN);
	struct hvi_apic_eoi e = { .vp_index = 3, .vector = vector };

	memcpy(m.payload, &e, sizeof(e));
	put_message(name, &m);
}

static void hv_intercept_seeds(void)
{
	struct hvi_message m;
	struct hvi_msr_intercept *msr;
	struct hvi_cpuid_intercept *cpuid;

	/* OUT DX,AL; IN AL,DX; IN AX,DX; IN EAX,DX; REP OUTSB; INSW */
	io("io-out-byte", 0x3f8, HVI_ACCESS_WRITE, 1, 1, SENDER_PLAIN);
	io("io-in-byte", 0x60, HVI_ACCESS_READ, 1, 1, SENDER_DIRTY_IN(0xa5));
	io("io-in-word", 0x1f0, HVI_ACCESS_READ, 2, 2, SENDER_DIRTY_IN(0xbeef));
	io("io-in-dword", 0xcfc, HVI_ACCESS_READ, 4, 1, SENDER_DIRTY_IN(0x80862000));
	io("io-out-dword", 0xcf8, HVI_ACCESS_WRITE, 4, 1, SENDER_PLAIN);
	io("io-rep-outsb", 0x3f8, HVI_ACCESS_WRITE,
	   1 | HVI_IO_ACCESS_STRING | HVI_IO_ACCESS_REP, 2, SENDER_PLAIN);
	io("io-insw", 0x1f0, HVI_ACCESS_READ, 2 | HVI_IO_ACCESS_STRING, 2, SENDER_PLAIN);
	io("io-in-page-stale", 0x60, HVI_ACCESS_READ, 1, 1, SENDER_BAD_VERSION);
	io("io-in-page-invalid", 0x60, HVI_ACCESS_READ, 1, 1, SENDER_NOT_VALID);
	io("bad-io-size-3", 0x60, HVI_ACCESS_READ, 3, 1, SENDER_PLAIN);
	io("bad-io-execute", 0x60, HVI_ACCESS_EXECUTE, 1, 1, SENDER_PLAIN);
	io("bad-io-insn-len-0", 0x60, HVI_ACCESS_READ, 1, 0, SENDER_PLAIN);

	/* A second completion writing every GPR: the header's reserved bytes. */
	m = message(HVI_MSG_X64_IO_PORT_INTERCEPT, HVI_MESSAGE_PAYLOAD_SIZE, SENDER_PLAIN);
	intercept_header(&m, 1, HVI_ACCESS_READ);
	m.payload[40] = 0x61;
	m.payload[42] = 1;
	m.header.rsvd[0] = m.header.rsvd[1] = 0xff;
	put("hv_intercept", "io-in-full-message", &m, sizeof(m));

	/* mov [rdx],eax; mov rax,[rsp+0x100] with 16 bytes; execute; too many bytes */
	memory("unmapped-gpa-store", HVI_MSG_UNMAPPED_GPA, HVI_ACCESS_WRITE, "\x89\x02", 2, 2);
	memory("unmapped-gpa-load-16", HVI_MSG_UNMAPPED_GPA, HVI_ACCESS_READ,
	       "\x48\x8b\x84\x24\x00\x01\x00\x00\x90\x90\x90\x90\x90\x90\x90\x90", 16, 16);
	memory("gpa-intercept-load", HVI_MSG_GPA_INTERCEPT, HVI_ACCESS_READ,
	       "\x8b\x05\x10\x20\x30\x00", 6, 6);
	memory("unaccepted-gpa", HVI_MSG_UNACCEPTED_GPA, HVI_ACCESS_READ, "", 0, 0);
	memory("gpa-execute", HVI_MSG_UNMAPPED_GPA, HVI_ACCESS_EXECUTE, "", 0, 0);
	memory("bad-gpa-17-bytes", HVI_MSG_UNMAPPED_GPA, HVI_ACCESS_READ, "\x89\x02", 2, 17);
	memory("bad-gpa-access-3", HVI_MSG_UNMAPPED_GPA, 3, "\x89\x02", 2, 2);

	/* RDMSR APIC_BASE; WRMSR EFER */
	m = message(HVI_MSG_X64_MSR_INTERCEPT, sizeof(*msr), SENDER_PLAIN);
	msr = intercept_header(&m, 2, HVI_ACCESS_READ);
	msr->msr = 0x1b;
	put_message("msr-read", &m);
	msr->header.access_type = HVI_ACCESS_WRITE;
	msr->msr = 0xc0000080;
	msr->rax = 0xd01;
	put_message("msr-write", &m);
	m.header.payload_size = sizeof(struct hvi_intercept_header);
	put_message("bad-msr-payload-short", &m);

	m = message(HVI_MSG_X64_CPUID_INTERCEPT, sizeof(*cpuid), SENDER_DIRTY_IN(0));
	cpuid = intercept_header(&m, 2, HVI_ACCESS_READ);
	cpuid->rax = 0x40000000;
	cpuid->default_rax = 0x40000006;
	cpuid->default_rbx = 0x7263694d;
	put_message("cpuid", &m);
	m.header.payload_size = HVI_MESSAGE_PAYLOAD_SIZE + 1;
	put_message("bad-cpuid-payload-241", &m);

	header_only("halt", HVI_MSG_X64_HALT);
	header_only("gpa-attribute", HVI_MSG_GPA_ATTRIBUTE_INTERCEPT);
	header_only("exception", HVI_MSG_X64_EXCEPTION_INTERCEPT);
	header_only("triple-fault", HVI_MSG_UNRECOVERABLE_EXCEPTION);
	header_only("interruption-deliverable", HVI_MSG_X64_INTERRUPTION_DELIVERABLE);
	header_only("sipi", HVI_MSG_X64_SIPI_INTERCEPT);
	header_only("sev-vmgexit", HVI_MSG_X64_SEV_VMGEXIT_INTERCEPT);
	header_only("bad-legacy-fp-error-unknown", HVI_MSG_X64_LEGACY_FP_ERROR);
	header_only("bad-type-none", HVI_MSG_NONE);

	eoi("apic-eoi", 0x30);
	eoi("apic-eoi-255", 0xff);
	eoi("bad-apic-eoi-256", 0x100);

	m = message(HVI_MSG_TIMER_EXPIRED, 0, SENDER_PLAIN);
	put_message("timer-expired", &m);
	m = message(HVI_MSG_UNSUPPORTED_FEATURE, 8, SENDER_PLAIN);
	put_message("unsupported-feature", &m);
	m = message(HVI_MSG_OPAQUE_INTERCEPT, 0, SENDER_PLAIN);
	put_message("opaque", &m);
	put("hv_intercept", "bad-short-buffer", &m, 10);
}

/* ---- x86_emul: a flags byte, the instruction, the value a load reads ---- */

#define X64	"\x01"		/* 64-bit code */
#define PM32	"\x02"		/* 32-bit protected mode */
#define RM16	"\x00"		/* 16-bit code */

static void insn(const char *name, const char *bytes, size_t len)
{
	put("x86_emul", name, bytes, len);
}

/* A string literal's bytes, NULs inside included, without its terminator. */
#define INSN(name, literal) insn(name, literal, sizeof(literal) - 1)

static void x86_emul_seeds(void)
{
	INSN("mov-store-dword", X64 "\x89\x02");
	INSN("mov-load-dword", X64 "\x8b\x02" "\xf0\xde\xbc\x9a\x78\x56\x34\x92");
	INSN("mov-store-byte", X64 "\x88\x02");
	INSN("mov-load-byte", X64 "\x8a\x02" "\x81");
	INSN("mov-store-ah", X64 "\x88\x22");
	INSN("mov-load-bh", X64 "\x8a\x3a" "\xfe");
	INSN("mov-store-sil", X64 "\x40\x88\x32");
	INSN("mov-store-word", X64 "\x66\x89\x02");
	INSN("mov-load-word", X64 "\x66\x8b\x02" "\x34\x92");
	INSN("mov-store-qword", X64 "\x48\x89\x02");
	INSN("mov-load-qword", X64 "\x48\x8b\x02" "\x01\x02\x03\x04\x05\x06\x07\x88");
	INSN("mov-store-r8d", X64 "\x44\x89\x02");
	INSN("mov-load-r15", X64 "\x4c\x8b\x3a" "\xaa\xbb\xcc\xdd");
	INSN("mov-sib-disp8", X64 "\x89\x44\x24\x08");
	INSN("mov-sib-disp32", X64 "\x89\x84\x24\x00\x01\x00\x00");
	INSN("mov-sib-no-base", X64 "\x8b\x04\x25\x00\x00\xe0\xfe");
	INSN("mov-rip-relative", X64 "\x8b\x05\x10\x20\x30\x00");
	INSN("mov-disp32", X64 "\x89\x82\x00\x00\x20\x00");
	INSN("mov-imm-byte", X64 "\xc6\x00\xab");
	INSN("mov-imm-word", X64 "\x66\xc7\x00\x34\x12");
	INSN("mov-imm-dword", X64 "\xc7\x00\x78\x56\x34\x12");
	INSN("mov-imm-qword", X64 "\x48\xc7\x00\x00\x00\x00\x80");
	INSN("moffs-load", X64 "\xa1\x00\x00\xe0\xfe\x00\x00\x00\x00" "\x11\x22\x33\x44");
	INSN("moffs-store-byte", X64 "\xa2\x00\x00\xe0\xfe\x00\x00\x00\x00");
	INSN("moffs-addr32", X64 "\x67\xa3\x00\x00\xe0\xfe");
	INSN("movzx-byte", X64 "\x0f\xb6\x02" "\xff");
	INSN("movzx-word", X64 "\x0f\xb7\x02" "\xff\xff");
	INSN("movsx-byte", X64 "\x0f\xbe\x02" "\x80");
	INSN("movsx-word-64", X64 "\x48\x0f\xbf\x02" "\x00\x80");
	INSN("movsx-byte-16", X64 "\x66\x0f\xbe\x02" "\x80");
	INSN("movsxd", X64 "\x48\x63\x02" "\x00\x00\x00\x80");
	INSN("segment-gs", X64 "\x65\x48\x8b\x02");
	INSN("addr32", X64 "\x67\x89\x02");
	INSN("rex-before-prefix", X64 "\x48\x66\x89\x02");
	INSN("pm32-store", PM32 "\x89\x02");
	INSN("pm32-load-word", PM32 "\x66\x8b\x02" "\x34\x92");
	INSN("pm32-moffs", PM32 "\xa1\x00\x00\xe0\xfe");
	INSN("pm32-addr16", PM32 "\x67\x89\x07");
	INSN("pm32-movzx", PM32 "\x0f\xb6\x02" "\x80");
	INSN("rm16-store", RM16 "\x89\x07");
	INSN("rm16-disp16", RM16 "\x89\x06\x34\x12");
	INSN("rm16-bp-disp8", RM16 "\x8b\x46\x02" "\x01\x80");
	INSN("rm16-operand32", RM16 "\x66\x89\x07");
	INSN("rm16-moffs", RM16 "\xa1\x34\x12");
	INSN("bad-pm32-0x40-is-inc", PM32 "\x40\x89\x02");
	INSN("bad-pm32-arpl", PM32 "\x63\x02");
	INSN("bad-lock", X64 "\xf0\x89\x02");
	INSN("bad-rep-movs", X64 "\xf3\xa5");
	INSN("bad-register-operand", X64 "\x89\xc0");
	INSN("bad-add", X64 "\x01\x02");
	INSN("bad-no-bytes", X64);
	INSN("bad-truncated", X64 "\x8b\x84\x24");
	INSN("bad-16-bytes", X64 "\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66"
	     "\x89\x02");
	INSN("bad-c7-reg-field", X64 "\xc7\x08\x00\x00\x00\x00");
	INSN("bad-movsxd-without-w", X64 "\x63\x02");
	/* The error in a buffer of 0, 1, 8 and 29 bytes (flags bits 2-4). */
	INSN("bad-lock-err-0", "\x05" "\xf0\x89\x02");
	INSN("bad-lock-err-1", "\x09" "\xf0\x89\x02");
	INSN("bad-truncated-err-8", "\x11" "\x8b\x84\x24");
	INSN("bad-add-err-29", "\x15" "\x01\x02");
	/* A made-up op too (flag bit 5): reg 3, size 2, reg_size 4, sign-extend. */
	INSN("raw-op", "\x21" "\x03\x02\x04\x02" "\x80\x81\x82\x83\x84\x85\x86\x87\x88");
	INSN("raw-op-bad-reg", "\x21" "\xf0\x09\x03\x01" "\x80\x81\x82\x83\x84\x85\x86\x87\x88");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	out_dir = argv[1];
	if (mkdir(out_dir, 0755) && errno != EEXIST) {
		perror(out_dir);
		return 1;
	}
	hv_intercept_seeds();
	x86_emul_seeds();
	return 0;
}
