// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI tables for the guest, laid out as QEMU's microvm and Firecracker do:
 *
 *   RSDP (at the start, so the legacy 0xe0000-0xfffff scan finds it)
 *   XSDT -> FADT, MADT
 *   FADT (hardware-reduced: no PM1 blocks, no SCI) -> DSDT
 *   MADT (local APICs, the IOAPIC)
 *   DSDT (\_SB.COM1, PS2_, RTC_, VRnn virtio-mmio devices, \_S5_)
 *
 * Hardware-reduced ACPI is what lets the guest run without a PM timer,
 * GPE blocks or an SCI: poweroff goes through the sleep control register,
 * reboot through the reset register, and every device the kernel should
 * find is named in the DSDT with its own _CRS.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"

#define ACPI_OEM_ID		"MSHVFP"	/* 6 bytes */
#define ACPI_OEM_TABLE_PREFIX	"FPVM"		/* + signature: "FPVMFACP" */
#define ACPI_OEM_REVISION	1
#define ACPI_CREATOR_ID		"MSHV"
#define ACPI_CREATOR_REVISION	1
#define ACPI_HYPERVISOR_ID	"MSHVFPVM"	/* FADT Hypervisor Vendor Identity */

/* The legacy scan only looks at 16-byte boundaries; tables follow suit. */
#define ACPI_TABLE_ALIGN	16

/* RSDP, ACPI 6.x 5.2.5.3 */
#define RSDP_CHECKSUM		8	/* over the first 20 bytes (ACPI 1.0 part) */
#define RSDP_OEM_ID		9
#define RSDP_REVISION		15
#define RSDP_LENGTH		20
#define RSDP_XSDT_ADDR		24
#define RSDP_EXT_CHECKSUM	32	/* over the whole structure */
#define RSDP_V1_LEN		20
#define RSDP_LEN		36

/* System description table header, ACPI 6.x 5.2.6 */
#define SDT_LENGTH		4
#define SDT_REVISION		8
#define SDT_CHECKSUM		9
#define SDT_OEM_ID		10
#define SDT_OEM_TABLE_ID	16
#define SDT_OEM_REVISION	24
#define SDT_CREATOR_ID		28
#define SDT_CREATOR_REVISION	32
#define SDT_HEADER_LEN		36

#define XSDT_ENTRIES		2	/* FADT, MADT (the DSDT hangs off the FADT) */

/* FADT revision 6 (ACPI 6.0), 5.2.9 */
#define FADT_REVISION		6
#define FADT_IAPC_BOOT_ARCH	109
#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_X_DSDT		140
#define FADT_SLEEP_CONTROL_REG	244
#define FADT_SLEEP_STATUS_REG	256
#define FADT_HYPERVISOR_ID	268
#define FADT_LEN		276

/*
 * IA-PC boot architecture flags. There is an 8042 (the guest's reboot
 * fallback and PS2_ in the DSDT); no VGA, MSI or PCIe ASPM, as Firecracker
 * says. "Legacy devices" stays clear: it would send Linux looking for a
 * PnP BIOS.
 */
#define IAPC_8042		(1u << 1)
#define IAPC_NO_VGA		(1u << 2)
#define IAPC_NO_MSI		(1u << 3)
#define IAPC_NO_ASPM		(1u << 4)

/*
 * Feature flags. The buttons bits say "no fixed-feature button": without
 * them Linux registers fixed power/sleep buttons that hardware-reduced
 * ACPI cannot deliver events for.
 */
#define FADT_F_PWR_BUTTON	(1u << 4)
#define FADT_F_SLP_BUTTON	(1u << 5)
#define FADT_F_RESET_REG_SUP	(1u << 10)
#define FADT_F_HW_REDUCED_ACPI	(1u << 20)

/* Generic Address Structure, 5.2.3.2 */
#define GAS_SPACE_SYSTEM_IO	1
#define GAS_ACCESS_BYTE		1

/* MADT, 5.2.12 */
#define MADT_REVISION		4	/* ACPI 6.0-6.2 */
#define MADT_PCAT_COMPAT	(1u << 0)	/* there is an 8259 (KVM's) */
#define MADT_LOCAL_APIC		0
#define MADT_LOCAL_APIC_LEN	8
#define MADT_LAPIC_ENABLED	(1u << 0)
#define MADT_IO_APIC		1
#define MADT_IO_APIC_LEN	12
#define MADT_IOAPIC_ID		0	/* KVM's IOAPIC ID register resets to 0 */

#define DSDT_REVISION		2	/* 64-bit AML integers */

/* AML opcodes and prefixes, ACPI 6.x 20.2 */
#define AML_ONE_OP		0x01
#define AML_NAME_OP		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_STRING_PREFIX	0x0d
#define AML_QWORD_PREFIX	0x0e
#define AML_SCOPE_OP		0x10
#define AML_BUFFER_OP		0x11
#define AML_PACKAGE_OP		0x12
#define AML_EXT_OP_PREFIX	0x5b
#define AML_DEVICE_OP		0x82	/* after AML_EXT_OP_PREFIX */
#define AML_ROOT_CHAR		'\\'
#define AML_NAME_SEG_LEN	4

/* Resource descriptors, ACPI 6.x 6.4 */
#define RES_IO			0x47	/* small item 0x08, 7 bytes */
#define RES_IO_DECODE16		0x01
#define RES_END_TAG		0x79	/* small item 0x0f, 1 byte */
#define RES_MEMORY32_FIXED	0x86	/* large item */
#define RES_MEMORY32_FIXED_LEN	9
#define RES_MEM_READ_WRITE	0x01
#define RES_EXT_IRQ		0x89	/* large item */
#define RES_EXT_IRQ_LEN		6	/* flags, count, one interrupt */
#define RES_IRQ_CONSUMER	(1u << 0)
#define RES_IRQ_EDGE		(1u << 1)	/* active-high, exclusive: 0 */

/*
 * An append-only writer over the caller's buffer. Bytes that would land
 * past the end are dropped but still counted, so one pass both sizes and
 * fills the tables, and an undersized buffer is never written past.
 */
struct acpi_writer {
	uint8_t *buf;
	size_t size;
	size_t pos;
};

/* Where a table landed in the buffer. */
struct acpi_span {
	size_t start;
	size_t len;
};

static bool writer_fits(const struct acpi_writer *w)
{
	return w->pos <= w->size;
}

static void emit(struct acpi_writer *w, const void *data, size_t len)
{
	if (writer_fits(w) && len <= w->size - w->pos)
		memcpy(w->buf + w->pos, data, len);
	w->pos += len;
}

static void emit_byte(struct acpi_writer *w, uint8_t byte)
{
	emit(w, &byte, 1);
}

static void emit_zeros(struct acpi_writer *w, size_t len)
{
	static const uint8_t zeros[ACPI_TABLE_ALIGN];

	while (len) {
		size_t n = len < sizeof(zeros) ? len : sizeof(zeros);

		emit(w, zeros, n);
		len -= n;
	}
}

/*
 * Insert @len bytes at @at, moving what follows up. AML puts length
 * prefixes before bodies whose length is only known once they are written.
 */
static void insert(struct acpi_writer *w, size_t at, const void *data, size_t len)
{
	if (writer_fits(w) && len <= w->size - w->pos) {
		memmove(w->buf + at + len, w->buf + at, w->pos - at);
		memcpy(w->buf + at, data, len);
	}
	w->pos += len;
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, v);
	put_le16(p + 2, v >> 16);
}

static void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, v);
	put_le32(p + 4, v >> 32);
}

/* The byte that makes @len bytes sum to zero with it. */
static uint8_t checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return -sum;
}

/* The header with length and checksum left zero until seal_sdt(). */
static void put_sdt_header(uint8_t *hdr, const char sig[4], uint8_t revision)
{
	memcpy(hdr, sig, 4);
	hdr[SDT_REVISION] = revision;
	memcpy(hdr + SDT_OEM_ID, ACPI_OEM_ID, 6);
	memcpy(hdr + SDT_OEM_TABLE_ID, ACPI_OEM_TABLE_PREFIX, 4);
	memcpy(hdr + SDT_OEM_TABLE_ID + 4, sig, 4);
	put_le32(hdr + SDT_OEM_REVISION, ACPI_OEM_REVISION);
	memcpy(hdr + SDT_CREATOR_ID, ACPI_CREATOR_ID, 4);
	put_le32(hdr + SDT_CREATOR_REVISION, ACPI_CREATOR_REVISION);
}

static void emit_sdt_header(struct acpi_writer *w, const char sig[4], uint8_t revision)
{
	uint8_t hdr[SDT_HEADER_LEN] = { 0 };

	put_sdt_header(hdr, sig, revision);
	emit(w, hdr, sizeof(hdr));
}

static void seal_sdt(uint8_t *table, size_t len)
{
	put_le32(table + SDT_LENGTH, len);
	table[SDT_CHECKSUM] = 0;
	table[SDT_CHECKSUM] = checksum(table, len);
}

/* An 8-bit port register, accessed a byte at a time. */
static void put_gas_io8(uint8_t *p, uint16_t port)
{
	p[0] = GAS_SPACE_SYSTEM_IO;
	p[1] = 8;		/* register bit width */
	p[2] = 0;		/* bit offset */
	p[3] = GAS_ACCESS_BYTE;
	put_le64(p + 4, port);
}

/* ---- Fixed tables ------------------------------------------------------ */

/* The XSDT address and both checksums are filled in by acpi_build(). */
static void emit_rsdp(struct acpi_writer *w)
{
	uint8_t rsdp[RSDP_LEN] = "RSD PTR ";

	memcpy(rsdp + RSDP_OEM_ID, ACPI_OEM_ID, 6);
	rsdp[RSDP_REVISION] = 2;	/* ACPI 2.0+: has the XSDT; no RSDT */
	put_le32(rsdp + RSDP_LENGTH, RSDP_LEN);
	emit(w, rsdp, sizeof(rsdp));
}

/* Entries are filled in by acpi_build() once every table has its place. */
static void emit_xsdt(struct acpi_writer *w, const struct acpi_config *cfg)
{
	(void)cfg;
	emit_sdt_header(w, "XSDT", 1);
	emit_zeros(w, 8 * XSDT_ENTRIES);
}

static void emit_fadt(struct acpi_writer *w, const struct acpi_config *cfg)
{
	uint8_t f[FADT_LEN] = { 0 };

	(void)cfg;
	put_sdt_header(f, "FACP", FADT_REVISION);
	put_le16(f + FADT_IAPC_BOOT_ARCH, IAPC_8042 | IAPC_NO_VGA | IAPC_NO_MSI | IAPC_NO_ASPM);
	put_le32(f + FADT_FLAGS, FADT_F_HW_REDUCED_ACPI | FADT_F_RESET_REG_SUP |
		 FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON);
	put_gas_io8(f + FADT_RESET_REG, MACHINE_ACPI_RESET_PORT);
	f[FADT_RESET_VALUE] = MACHINE_ACPI_RESET_VALUE;
	/* Linux's acpi_hw_extended_sleep() needs both to power off. */
	put_gas_io8(f + FADT_SLEEP_CONTROL_REG, MACHINE_ACPI_SLEEP_CTL_PORT);
	put_gas_io8(f + FADT_SLEEP_STATUS_REG, MACHINE_ACPI_SLEEP_STS_PORT);
	memcpy(f + FADT_HYPERVISOR_ID, ACPI_HYPERVISOR_ID, 8);
	emit(w, f, sizeof(f));
}

static void emit_madt(struct acpi_writer *w, const struct acpi_config *cfg)
{
	uint8_t lapic_addr_and_flags[8];
	uint8_t ioapic[MADT_IO_APIC_LEN] = { MADT_IO_APIC, MADT_IO_APIC_LEN, MADT_IOAPIC_ID };
	unsigned int cpu;

	emit_sdt_header(w, "APIC", MADT_REVISION);
	put_le32(lapic_addr_and_flags, MACHINE_LAPIC_ADDR);
	put_le32(lapic_addr_and_flags + 4, MADT_PCAT_COMPAT);
	emit(w, lapic_addr_and_flags, sizeof(lapic_addr_and_flags));

	/* ACPI processor UID == APIC ID == KVM vCPU id. */
	for (cpu = 0; cpu < cfg->nr_cpus; cpu++) {
		uint8_t lapic[MADT_LOCAL_APIC_LEN] = {
			MADT_LOCAL_APIC, MADT_LOCAL_APIC_LEN, cpu, cpu, MADT_LAPIC_ENABLED
		};

		emit(w, lapic, sizeof(lapic));
	}

	/*
	 * GSI n is pin n. No interrupt source overrides, as in Firecracker:
	 * KVM's default GSI routing, which the VMM keeps, sends ISA IRQ n
	 * (the PIT's 0 too) to pin n. QEMU's IRQ0 -> GSI2 override matches
	 * its own routing of GSI 0 to pin 2, not KVM's.
	 */
	put_le32(ioapic + 4, MACHINE_IOAPIC_ADDR);
	put_le32(ioapic + 8, 0);
	emit(w, ioapic, sizeof(ioapic));
}

/* ---- AML --------------------------------------------------------------- */

/* \_SB_ or COM1: an optional root prefix and one 4-character NameSeg. */
static void aml_name(struct acpi_writer *w, const char *name)
{
	if (*name == AML_ROOT_CHAR)
		emit_byte(w, *name++);
	emit(w, name, AML_NAME_SEG_LEN);
}

/* The shortest encoding, as iasl would pick: a BufferSize needs it too. */
static size_t aml_encode_integer(uint8_t *out, uint64_t value)
{
	size_t width, i;

	if (value <= AML_ONE_OP) {
		out[0] = value;		/* ZeroOp, OneOp */
		return 1;
	}
	if (value <= UINT8_MAX) {
		out[0] = AML_BYTE_PREFIX;
		width = 1;
	} else if (value <= UINT16_MAX) {
		out[0] = AML_WORD_PREFIX;
		width = 2;
	} else if (value <= UINT32_MAX) {
		out[0] = AML_DWORD_PREFIX;
		width = 4;
	} else {
		out[0] = AML_QWORD_PREFIX;
		width = 8;
	}
	for (i = 0; i < width; i++)
		out[1 + i] = value >> (8 * i);
	return 1 + width;
}

static void aml_integer(struct acpi_writer *w, uint64_t value)
{
	uint8_t enc[9];

	emit(w, enc, aml_encode_integer(enc, value));
}

/*
 * Open a PkgLength-prefixed object (Scope, Device, Package, Buffer): the
 * body is written first and aml_close() inserts the length in front.
 */
static size_t aml_open(struct acpi_writer *w, uint8_t opcode)
{
	emit_byte(w, opcode);
	return w->pos;
}

/*
 * PkgLength (20.2.4) counts itself: 1 byte for totals up to 63, else a
 * lead byte with the count of following bytes in bits 7-6 and the low
 * nibble of the length, then the rest of the length 8 bits at a time.
 */
static void aml_close(struct acpi_writer *w, size_t start)
{
	static const size_t max_total[] = { 0, 0x3f, 0xfff, 0xfffff, 0xfffffff };
	size_t body = w->pos - start, total, n, i;
	uint8_t enc[4];

	for (n = 1; n < 4 && body + n > max_total[n]; n++)
		;
	total = body + n;
	if (n == 1) {
		enc[0] = total;
	} else {
		enc[0] = (n - 1) << 6 | (total & 0xf);
		for (i = 1; i < n; i++)
			enc[i] = total >> (4 + 8 * (i - 1));
	}
	insert(w, start, enc, n);
}

static size_t aml_scope_open(struct acpi_writer *w, const char *name)
{
	size_t start = aml_open(w, AML_SCOPE_OP);

	aml_name(w, name);
	return start;
}

static size_t aml_device_open(struct acpi_writer *w, const char *name)
{
	size_t start;

	emit_byte(w, AML_EXT_OP_PREFIX);
	start = aml_open(w, AML_DEVICE_OP);
	aml_name(w, name);
	return start;
}

static void aml_name_integer(struct acpi_writer *w, const char *name, uint64_t value)
{
	emit_byte(w, AML_NAME_OP);
	aml_name(w, name);
	aml_integer(w, value);
}

static void aml_name_string(struct acpi_writer *w, const char *name, const char *string)
{
	emit_byte(w, AML_NAME_OP);
	aml_name(w, name);
	emit_byte(w, AML_STRING_PREFIX);
	emit(w, string, strlen(string) + 1);
}

/*
 * EISAID("PNP0501"): three letters in 5 bits each and four hex digits,
 * stored as a big-endian DWord (which is why _HID integers read oddly).
 */
static void aml_name_eisaid(struct acpi_writer *w, const char *name, const char *id)
{
	uint32_t v = (uint32_t)(id[0] - '@') << 26 | (uint32_t)(id[1] - '@') << 21 |
		     (uint32_t)(id[2] - '@') << 16 | strtoul(id + 3, NULL, 16);
	uint8_t enc[5] = { AML_DWORD_PREFIX, v >> 24, v >> 16, v >> 8, v };

	emit_byte(w, AML_NAME_OP);
	aml_name(w, name);
	emit(w, enc, sizeof(enc));
}

/* Name (_CRS, ResourceTemplate () { ... }): descriptors go between. */
static size_t aml_crs_open(struct acpi_writer *w)
{
	emit_byte(w, AML_NAME_OP);
	aml_name(w, "_CRS");
	return aml_open(w, AML_BUFFER_OP);
}

static void aml_crs_close(struct acpi_writer *w, size_t start)
{
	/* A zero checksum in the end tag means "not checksummed". */
	static const uint8_t end_tag[2] = { RES_END_TAG, 0 };
	uint8_t size[9];

	emit(w, end_tag, sizeof(end_tag));
	insert(w, start, size, aml_encode_integer(size, w->pos - start));
	aml_close(w, start);
}

/* IO (Decode16, port, port, 1, len) */
static void res_io(struct acpi_writer *w, uint16_t port, uint8_t len)
{
	uint8_t d[8] = { RES_IO, RES_IO_DECODE16 };

	put_le16(d + 2, port);	/* minimum */
	put_le16(d + 4, port);	/* maximum */
	d[6] = 1;		/* alignment */
	d[7] = len;
	emit(w, d, sizeof(d));
}

/* Memory32Fixed (ReadWrite, base, len) */
static void res_memory32_fixed(struct acpi_writer *w, uint32_t base, uint32_t len)
{
	uint8_t d[3 + RES_MEMORY32_FIXED_LEN] = { RES_MEMORY32_FIXED, RES_MEMORY32_FIXED_LEN };

	d[3] = RES_MEM_READ_WRITE;
	put_le32(d + 4, base);
	put_le32(d + 8, len);
	emit(w, d, sizeof(d));
}

/*
 * Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive) { gsi }.
 * The extended form names a GSI, not an ISA IRQ, so Linux maps it through
 * the IOAPIC as given: hardware-reduced ACPI leaves it no legacy PIC and
 * no identity-mapped ISA IRQs. Every line here is edge: ISA lines are, and
 * the VMM pulses the virtio ones.
 */
static void res_interrupt(struct acpi_writer *w, uint32_t gsi)
{
	uint8_t d[3 + RES_EXT_IRQ_LEN] = { RES_EXT_IRQ, RES_EXT_IRQ_LEN };

	d[3] = RES_IRQ_CONSUMER | RES_IRQ_EDGE;
	d[4] = 1;		/* interrupt count */
	put_le32(d + 5, gsi);
	emit(w, d, sizeof(d));
}

/* An ISA device found by Linux's PNP layer through its EISA _HID; uid 0: none. */
static void dsdt_isa_device(struct acpi_writer *w, const char *name, const char *hid,
			    unsigned int uid, uint16_t port, uint8_t port_len, uint32_t irq)
{
	size_t dev = aml_device_open(w, name), crs;

	aml_name_eisaid(w, "_HID", hid);
	if (uid)
		aml_name_integer(w, "_UID", uid);
	crs = aml_crs_open(w);
	res_io(w, port, port_len);
	res_interrupt(w, irq);
	aml_crs_close(w, crs);
	aml_close(w, dev);
}

/*
 * The i8042 gets one IO descriptor per register: Linux's i8042 PNP probe
 * takes the data port from the first and the command port from the second,
 * each of length 1 (as Firecracker describes it).
 */
static void dsdt_i8042(struct acpi_writer *w)
{
	size_t dev = aml_device_open(w, "PS2_"), crs;

	aml_name_eisaid(w, "_HID", "PNP0303");
	crs = aml_crs_open(w);
	res_io(w, MACHINE_I8042_PORT, 1);
	res_io(w, MACHINE_I8042_PORT + 4, 1);
	res_interrupt(w, MACHINE_I8042_IRQ);
	aml_crs_close(w, crs);
	aml_close(w, dev);
}

_Static_assert(MACHINE_VIRTIO_MAX <= 100, "virtio device names are VR00..VR99");

/* Matched by virtio_mmio.c's ACPI table ("LNRO0005"). */
static void dsdt_virtio(struct acpi_writer *w, unsigned int index,
			const struct acpi_virtio_dev *vdev)
{
	const char name[AML_NAME_SEG_LEN + 1] = { 'V', 'R', '0' + index / 10, '0' + index % 10 };
	size_t dev = aml_device_open(w, name), crs;

	aml_name_string(w, "_HID", "LNRO0005");
	aml_name_integer(w, "_UID", index);
	aml_name_integer(w, "_CCA", 1);	/* DMA is cache-coherent */
	crs = aml_crs_open(w);
	res_memory32_fixed(w, vdev->base, vdev->size);
	res_interrupt(w, vdev->gsi);
	aml_crs_close(w, crs);
	aml_close(w, dev);
}

/*
 * Name (\_S5_, Package () { SLP_TYP, 0, 0, 0 }): Linux takes SLP_TYP from
 * the first element and writes it with SLP_EN to the sleep control
 * register; without \_S5_ it does not offer ACPI poweroff at all.
 */
static void dsdt_s5(struct acpi_writer *w)
{
	size_t pkg;
	int i;

	emit_byte(w, AML_NAME_OP);
	aml_name(w, "_S5_");	/* the DSDT's top level is the root scope */
	pkg = aml_open(w, AML_PACKAGE_OP);
	emit_byte(w, 4);	/* NumElements */
	aml_integer(w, MACHINE_ACPI_S5_TYPE);
	for (i = 0; i < 3; i++)
		aml_integer(w, 0);	/* SLP_TYPb (unused), reserved */
	aml_close(w, pkg);
}

static void emit_dsdt(struct acpi_writer *w, const struct acpi_config *cfg)
{
	size_t sb;
	unsigned int i;

	emit_sdt_header(w, "DSDT", DSDT_REVISION);
	sb = aml_scope_open(w, "\\_SB_");
	/*
	 * Through PNP the 8250 driver gets the UART's GSI mapped; its built-in
	 * COM1 assumes ISA IRQ 4, and without a legacy PIC nothing maps ISA
	 * IRQs to GSIs.
	 */
	dsdt_isa_device(w, "COM1", "PNP0501", 1, MACHINE_UART_PORT, 8, MACHINE_UART_IRQ);
	dsdt_i8042(w);
	/* Likewise rtc-cmos, instead of the platform RTC with a bare IRQ 8. */
	dsdt_isa_device(w, "RTC_", "PNP0B00", 0, MACHINE_RTC_PORT, 2, MACHINE_RTC_IRQ);
	for (i = 0; i < cfg->nr_virtio; i++)
		dsdt_virtio(w, i, &cfg->virtio[i]);
	aml_close(w, sb);
	dsdt_s5(w);
}

/* ---- Layout ------------------------------------------------------------ */

static struct acpi_span emit_table(struct acpi_writer *w, const struct acpi_config *cfg,
				   void (*emit_fn)(struct acpi_writer *,
						   const struct acpi_config *))
{
	struct acpi_span span;

	emit_zeros(w, (ACPI_TABLE_ALIGN - w->pos % ACPI_TABLE_ALIGN) % ACPI_TABLE_ALIGN);
	span.start = w->pos;
	emit_fn(w, cfg);
	span.len = w->pos - span.start;
	return span;
}

static bool config_valid(const struct acpi_config *cfg)
{
	unsigned int i;

	/* APIC ID 0xff is the broadcast ID: Linux ignores such an entry. */
	if (!cfg || cfg->nr_cpus == 0 || cfg->nr_cpus > 255 ||
	    cfg->nr_virtio > MACHINE_VIRTIO_MAX)
		return false;
	/* Memory32Fixed reaches only the first 4 GiB. */
	for (i = 0; i < cfg->nr_virtio; i++) {
		const struct acpi_virtio_dev *vdev = &cfg->virtio[i];

		if (vdev->size == 0 || vdev->base > UINT32_MAX ||
		    vdev->size > UINT32_MAX - vdev->base + 1)
			return false;
	}
	return true;
}

int acpi_build(void *buf, uint64_t gpa, size_t size, const struct acpi_config *cfg)
{
	struct acpi_writer w = { .buf = buf, .size = size };
	struct acpi_span xsdt, fadt, madt, dsdt;
	uint8_t *b = buf;

	if (!config_valid(cfg) || gpa % ACPI_TABLE_ALIGN)
		return -EINVAL;

	emit_rsdp(&w);
	xsdt = emit_table(&w, cfg, emit_xsdt);
	fadt = emit_table(&w, cfg, emit_fadt);
	madt = emit_table(&w, cfg, emit_madt);
	dsdt = emit_table(&w, cfg, emit_dsdt);
	if (!writer_fits(&w))
		return -ENOSPC;

	/* Every table has its place: point them at each other, then seal. */
	put_le64(b + RSDP_XSDT_ADDR, gpa + xsdt.start);
	put_le64(b + xsdt.start + SDT_HEADER_LEN, gpa + fadt.start);
	put_le64(b + xsdt.start + SDT_HEADER_LEN + 8, gpa + madt.start);
	put_le64(b + fadt.start + FADT_X_DSDT, gpa + dsdt.start);

	seal_sdt(b + xsdt.start, xsdt.len);
	seal_sdt(b + fadt.start, fadt.len);
	seal_sdt(b + madt.start, madt.len);
	seal_sdt(b + dsdt.start, dsdt.len);
	b[RSDP_CHECKSUM] = checksum(b, RSDP_V1_LEN);
	b[RSDP_EXT_CHECKSUM] = checksum(b, RSDP_LEN);
	return w.pos;
}
