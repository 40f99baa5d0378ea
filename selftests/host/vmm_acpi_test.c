// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI tables as the guest kernel reads them: found from the RSDP (by
 * address and by the legacy scan), linked by guest-physical addresses,
 * checksummed, and describing the machine in machine.h. Offsets here are
 * taken from the ACPI 6.x spec, not from acpi.c, so that a wrong layout
 * there fails here.
 *
 * dump_tables_for_iasl writes xsdt.dat, facp.dat, apic.dat and dsdt.dat for
 * vmm_acpi_iasl_test.sh to $VMM_ACPI_DUMP_DIR (else to a temporary directory).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acpi.h"

#include "kselftest_harness.h"

#define GPA		MACHINE_ACPI_ADDR
#define NR_VIRTIO	3
#define HDR_LEN		36	/* system description table header */
#define CANARY		0xa5

struct tables {
	uint8_t buf[MACHINE_ACPI_SIZE];
	size_t used;
	const uint8_t *xsdt, *fadt, *madt, *dsdt;
};

static uint16_t le16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static uint8_t byte_sum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return sum;
}

static size_t count_occurrences(const uint8_t *hay, size_t hay_len,
				const void *needle, size_t needle_len)
{
	const uint8_t *end = hay + hay_len, *p = hay;
	size_t n = 0;

	while ((p = memmem(p, end - p, needle, needle_len))) {
		n++;
		p++;
	}
	return n;
}

static void make_config(struct acpi_config *cfg, unsigned int nr_cpus, unsigned int nr_virtio)
{
	unsigned int i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->nr_cpus = nr_cpus;
	cfg->nr_virtio = nr_virtio;
	for (i = 0; i < nr_virtio; i++) {
		cfg->virtio[i].base = MACHINE_VIRTIO_MMIO_BASE + i * MACHINE_VIRTIO_MMIO_SIZE;
		cfg->virtio[i].size = MACHINE_VIRTIO_MMIO_SIZE;
		cfg->virtio[i].gsi = MACHINE_VIRTIO_FIRST_GSI + i;
	}
}

/* The table at guest address @gpa, if its header and whole length are in the buffer. */
static const uint8_t *table_at(const struct tables *t, uint64_t gpa)
{
	const uint8_t *p;
	uint32_t len;

	if (gpa < GPA || gpa - GPA > t->used || t->used - (gpa - GPA) < HDR_LEN)
		return NULL;
	p = t->buf + (gpa - GPA);
	len = le32(p + 4);
	if (len < HDR_LEN || len > t->used - (gpa - GPA))
		return NULL;
	return p;
}

static void check_sdt(struct __test_metadata *_metadata, const uint8_t *table,
		      const char *sig, uint8_t revision)
{
	ASSERT_NE(NULL, table) TH_LOG("%s points outside the tables", sig);
	EXPECT_EQ(0, memcmp(table, sig, 4)) TH_LOG("expected %s, found %.4s", sig, table);
	EXPECT_EQ(revision, table[8]) TH_LOG("%s revision", sig);
	EXPECT_EQ(0, byte_sum(table, le32(table + 4))) TH_LOG("%s checksum", sig);
	EXPECT_EQ(0, memcmp(table + 10, "MSHVFP", 6)) TH_LOG("%s OEM ID", sig);
}

/* Build into @t and follow RSDP -> XSDT -> FADT, MADT; FADT -> DSDT. */
static void build_and_link(struct __test_metadata *_metadata, struct tables *t,
			   const struct acpi_config *cfg)
{
	const uint8_t *rsdp = t->buf;
	int ret;

	memset(t->buf, CANARY, sizeof(t->buf));
	ret = acpi_build(t->buf, GPA, sizeof(t->buf), cfg);
	ASSERT_LT(0, ret) TH_LOG("acpi_build: %d", ret);
	ASSERT_GE(sizeof(t->buf), (size_t)ret);
	t->used = ret;

	ASSERT_EQ(0, memcmp(rsdp, "RSD PTR ", 8));
	EXPECT_EQ(0, byte_sum(rsdp, 20)) TH_LOG("RSDP v1 checksum");
	EXPECT_EQ(0, byte_sum(rsdp, 36)) TH_LOG("RSDP extended checksum");
	EXPECT_EQ(2, rsdp[15]);				/* revision: has XSDT */
	EXPECT_EQ(36, le32(rsdp + 20));			/* length */
	EXPECT_EQ(0, memcmp(rsdp + 9, "MSHVFP", 6));

	t->xsdt = table_at(t, le64(rsdp + 24));
	check_sdt(_metadata, t->xsdt, "XSDT", 1);
	ASSERT_EQ(HDR_LEN + 2 * 8, le32(t->xsdt + 4));
	t->fadt = table_at(t, le64(t->xsdt + HDR_LEN));
	check_sdt(_metadata, t->fadt, "FACP", 6);
	t->madt = table_at(t, le64(t->xsdt + HDR_LEN + 8));
	check_sdt(_metadata, t->madt, "APIC", 4);
	t->dsdt = table_at(t, le64(t->fadt + 140));	/* X_DSDT */
	check_sdt(_metadata, t->dsdt, "DSDT", 2);
}

static int overlaps(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
	return a < b + b_len && b < a + a_len;
}

static void check_layout(struct __test_metadata *_metadata, const struct tables *t)
{
	const uint8_t *sdt[] = { t->xsdt, t->fadt, t->madt, t->dsdt };
	size_t i, j, off;
	int found = -1;

	for (i = 0; i < 4; i++) {
		EXPECT_FALSE(overlaps(t->buf, 36, sdt[i], le32(sdt[i] + 4))) TH_LOG("RSDP overlap");
		for (j = i + 1; j < 4; j++) {
			EXPECT_FALSE(overlaps(sdt[i], le32(sdt[i] + 4), sdt[j], le32(sdt[j] + 4)))
				TH_LOG("%.4s overlaps %.4s", sdt[i], sdt[j]);
		}
	}
	/* Linux's legacy scan: 16-byte steps through the BIOS area. */
	ASSERT_EQ(0, GPA % 16);
	for (off = 0; off + 36 <= t->used && found < 0; off += 16)
		if (!memcmp(t->buf + off, "RSD PTR ", 8) && !byte_sum(t->buf + off, 20))
			found = off;
	EXPECT_EQ(0, found);
}

static void check_gas_io8(struct __test_metadata *_metadata, const uint8_t *gas,
			  uint16_t port, const char *what)
{
	EXPECT_EQ(1, gas[0]) TH_LOG("%s: system I/O space", what);
	EXPECT_EQ(8, gas[1]) TH_LOG("%s: 8 bits wide", what);
	EXPECT_EQ(0, gas[2]) TH_LOG("%s: bit offset", what);
	EXPECT_TRUE(gas[3] <= 1) TH_LOG("%s: byte or undefined access", what);
	EXPECT_EQ(port, le64(gas + 4)) TH_LOG("%s: port", what);
}

static void check_fadt(struct __test_metadata *_metadata, const uint8_t *fadt)
{
	uint16_t boot_arch = le16(fadt + 109);
	uint32_t flags = le32(fadt + 112);

	EXPECT_EQ(276, le32(fadt + 4));
	EXPECT_TRUE(flags & (1u << 20)) TH_LOG("HW_REDUCED_ACPI");
	EXPECT_TRUE(flags & (1u << 10)) TH_LOG("RESET_REG_SUP");
	EXPECT_TRUE(boot_arch & (1u << 1)) TH_LOG("8042 present");
	EXPECT_TRUE(boot_arch & (1u << 2)) TH_LOG("no VGA");
	EXPECT_FALSE(boot_arch & (1u << 5)) TH_LOG("CMOS RTC present");
	EXPECT_EQ(0, le16(fadt + 46)) TH_LOG("no SCI in hardware-reduced ACPI");
	check_gas_io8(_metadata, fadt + 116, MACHINE_ACPI_RESET_PORT, "RESET_REG");
	EXPECT_EQ(MACHINE_ACPI_RESET_VALUE, fadt[128]);
	check_gas_io8(_metadata, fadt + 244, MACHINE_ACPI_SLEEP_CTL_PORT, "SLEEP_CONTROL_REG");
	check_gas_io8(_metadata, fadt + 256, MACHINE_ACPI_SLEEP_STS_PORT, "SLEEP_STATUS_REG");
}

static void check_madt(struct __test_metadata *_metadata, const uint8_t *madt,
		       unsigned int nr_cpus)
{
	uint32_t len = le32(madt + 4), off;
	unsigned int lapics = 0, ioapics = 0;

	EXPECT_EQ(MACHINE_LAPIC_ADDR, le32(madt + 36));
	EXPECT_TRUE(le32(madt + 40) & 1) TH_LOG("PCAT_COMPAT");
	for (off = 44; off < len; off += madt[off + 1]) {
		const uint8_t *e = madt + off;

		ASSERT_LE(off + 2, len);
		ASSERT_LE(2, e[1]);
		ASSERT_LE(off + e[1], len) TH_LOG("entry at %u runs past the MADT", off);
		switch (e[0]) {
		case 0:		/* Processor Local APIC */
			ASSERT_EQ(8, e[1]);
			EXPECT_EQ(lapics, e[2]) TH_LOG("ACPI processor UID");
			EXPECT_EQ(lapics, e[3]) TH_LOG("APIC ID");
			EXPECT_TRUE(le32(e + 4) & 1) TH_LOG("CPU %u enabled", lapics);
			lapics++;
			break;
		case 1:		/* I/O APIC */
			ASSERT_EQ(12, e[1]);
			EXPECT_EQ(MACHINE_IOAPIC_ADDR, le32(e + 4));
			EXPECT_EQ(0, le32(e + 8)) TH_LOG("GSI base");
			ioapics++;
			break;
		default:
			/*
			 * Interrupt source overrides too: KVM's default routing
			 * sends ISA IRQ n (the PIT's 0 too) to IOAPIC pin n.
			 */
			EXPECT_TRUE(0) TH_LOG("unexpected MADT entry type %u", e[0]);
		}
	}
	EXPECT_EQ(len, off);
	EXPECT_EQ(nr_cpus, lapics);
	EXPECT_EQ(1, ioapics);
}

/* PkgLength, ACPI 6.x 20.2.4; @enc_len gets the bytes it took. */
static size_t pkg_length(const uint8_t *p, size_t *enc_len)
{
	unsigned int follow = p[0] >> 6, i;
	size_t len = follow ? p[0] & 0xf : p[0] & 0x3f;

	for (i = 0; i < follow; i++)
		len |= (size_t)p[1 + i] << (4 + 8 * i);
	*enc_len = 1 + follow;
	return len;
}

static void expect_bytes(struct __test_metadata *_metadata, const uint8_t *dsdt,
			 const void *bytes, size_t len, const char *what)
{
	EXPECT_EQ(1, count_occurrences(dsdt, le32(dsdt + 4), bytes, len))
		TH_LOG("DSDT: %s", what);
}

static void check_dsdt(struct __test_metadata *_metadata, const uint8_t *dsdt,
		       const struct acpi_config *cfg)
{
	static const uint8_t s5[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x07, 0x04, 0x0a, MACHINE_ACPI_S5_TYPE, 0, 0, 0
	};
	static const uint8_t com1_crs[] = {
		0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,		/* IO 0x3f8, 8 */
		0x89, 0x06, 0x00, 0x03, 0x01, MACHINE_UART_IRQ, 0, 0, 0	/* Interrupt */
	};
	static const uint8_t pnp0501[] = { 0x0c, 0x41, 0xd0, 0x05, 0x01 };
	uint32_t len = le32(dsdt + 4);
	size_t scope_len, enc_len;
	unsigned int i;

	EXPECT_EQ(cfg->nr_virtio, count_occurrences(dsdt, len, "LNRO0005", 9));
	expect_bytes(_metadata, dsdt, pnp0501, sizeof(pnp0501), "EISAID PNP0501");
	expect_bytes(_metadata, dsdt, com1_crs, sizeof(com1_crs), "COM1 _CRS");
	for (i = 0; i < cfg->nr_virtio; i++) {
		uint8_t mem[12] = { 0x86, 0x09, 0x00, 0x01 };	/* Memory32Fixed RW */
		uint8_t irq[9] = { 0x89, 0x06, 0x00, 0x03, 0x01 };	/* consumer, edge */
		const char name[5] = { 'V', 'R', '0' + i / 10, '0' + i % 10 };

		expect_bytes(_metadata, dsdt, name, 4, name);
		put_le32(mem + 4, cfg->virtio[i].base);
		put_le32(mem + 8, cfg->virtio[i].size);
		expect_bytes(_metadata, dsdt, mem, sizeof(mem), "virtio Memory32Fixed");
		put_le32(irq + 5, cfg->virtio[i].gsi);
		expect_bytes(_metadata, dsdt, irq, sizeof(irq), "virtio Interrupt");
	}

	/* Scope (\_SB) { ... } then Name (_S5_, ...) at the root, to the end. */
	ASSERT_EQ(0x10, dsdt[HDR_LEN]);
	scope_len = pkg_length(dsdt + HDR_LEN + 1, &enc_len);
	EXPECT_EQ(0, memcmp(dsdt + HDR_LEN + 1 + enc_len, "\\_SB_", 5));
	ASSERT_EQ(len, HDR_LEN + 1 + scope_len + sizeof(s5))
		TH_LOG("\\_SB scope length %zu, DSDT %u", scope_len, len);
	EXPECT_EQ(0, memcmp(dsdt + HDR_LEN + 1 + scope_len, s5, sizeof(s5)));
}

static void check_machine(struct __test_metadata *_metadata, unsigned int nr_cpus,
			  unsigned int nr_virtio)
{
	struct tables *t = malloc(sizeof(*t));
	struct acpi_config cfg;

	ASSERT_NE(NULL, t);
	make_config(&cfg, nr_cpus, nr_virtio);
	build_and_link(_metadata, t, &cfg);
	check_layout(_metadata, t);
	check_fadt(_metadata, t->fadt);
	check_madt(_metadata, t->madt, nr_cpus);
	check_dsdt(_metadata, t->dsdt, &cfg);
	free(t);
}

TEST(one_cpu)
{
	check_machine(_metadata, 1, NR_VIRTIO);
}

TEST(four_cpus)
{
	check_machine(_metadata, 4, NR_VIRTIO);
}

/* 255 LAPICs and a \_SB scope long enough for a 2-byte PkgLength. */
TEST(largest_machine)
{
	check_machine(_metadata, 255, MACHINE_VIRTIO_MAX);
}

TEST(no_virtio_devices)
{
	check_machine(_metadata, 2, 0);
}

/* Every rejected config leaves the buffer as it was. */
TEST(rejects_bad_config)
{
	struct acpi_config bad[6];
	uint8_t buf[4096];
	size_t i, j;

	for (i = 0; i < 6; i++)
		make_config(&bad[i], 1, 1);
	bad[0].nr_cpus = 0;
	bad[1].nr_cpus = 256;
	bad[2].nr_virtio = MACHINE_VIRTIO_MAX + 1;
	bad[3].virtio[0].base = 1ULL << 32;
	bad[4].virtio[0].size = 0;
	bad[5].virtio[0].base = UINT32_MAX - 0xfff + 1;
	bad[5].virtio[0].size = 0x2000;	/* crosses 4 GiB */

	/* Braces around ASSERT_*() ... TH_LOG(): the macro is two statements. */
	for (i = 0; i < 6; i++) {
		memset(buf, CANARY, sizeof(buf));
		EXPECT_EQ(-EINVAL, acpi_build(buf, GPA, sizeof(buf), &bad[i])) TH_LOG("config %zu", i);
		for (j = 0; j < sizeof(buf); j++) {
			ASSERT_EQ(CANARY, buf[j]) TH_LOG("config %zu: byte %zu written", i, j);
		}
	}
	EXPECT_EQ(-EINVAL, acpi_build(buf, GPA, sizeof(buf), NULL));
	/* The legacy scan only finds an RSDP on a 16-byte boundary. */
	make_config(&bad[0], 1, 1);
	EXPECT_EQ(-EINVAL, acpi_build(buf, GPA + 8, sizeof(buf), &bad[0]));
}

/* Too small: -ENOSPC and not one byte written past the given size. */
TEST(small_buffer)
{
	struct tables *t = malloc(sizeof(*t));
	uint8_t *buf = malloc(sizeof(t->buf));
	struct acpi_config cfg;
	size_t sizes[8], i, j, need;

	ASSERT_NE(NULL, t);
	ASSERT_NE(NULL, buf);
	make_config(&cfg, 4, NR_VIRTIO);
	build_and_link(_metadata, t, &cfg);
	need = t->used;
	sizes[0] = 0;
	sizes[1] = 1;
	sizes[2] = 35;
	sizes[3] = 36;
	sizes[4] = t->fadt - t->buf + 100;
	sizes[5] = t->dsdt - t->buf + 50;	/* inside the AML */
	sizes[6] = need - 3;
	sizes[7] = need - 1;

	for (i = 0; i < 8; i++) {
		memset(buf, CANARY, sizeof(t->buf));
		EXPECT_EQ(-ENOSPC, acpi_build(buf, GPA, sizes[i], &cfg)) TH_LOG("size %zu", sizes[i]);
		for (j = sizes[i]; j < sizeof(t->buf); j++) {
			ASSERT_EQ(CANARY, buf[j]) TH_LOG("size %zu: byte %zu written", sizes[i], j);
		}
	}

	/* Exactly enough: the same tables as with room to spare. */
	memset(buf, CANARY, sizeof(t->buf));
	ASSERT_EQ((int)need, acpi_build(buf, GPA, need, &cfg));
	EXPECT_EQ(0, memcmp(buf, t->buf, need));
	EXPECT_EQ(CANARY, buf[need]);
	free(buf);
	free(t);
}

static void dump_table(struct __test_metadata *_metadata, const char *dir, const uint8_t *table)
{
	char path[4096], name[5];
	FILE *f;
	size_t i;

	for (i = 0; i < 4; i++)
		name[i] = table[i] | 0x20;	/* "FACP" -> "facp" */
	name[4] = 0;
	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	f = fopen(path, "wb");
	ASSERT_NE(NULL, f) TH_LOG("%s: %m", path);
	EXPECT_EQ(1, fwrite(table, le32(table + 4), 1, f));
	EXPECT_EQ(0, fclose(f));
}

/*
 * Dump the tables for vmm_acpi_iasl_test.sh into $VMM_ACPI_DUMP_DIR, or
 * (run alone) into a temporary directory, checking what lands on disk.
 */
TEST(dump_tables_for_iasl)
{
	const char *dir = getenv("VMM_ACPI_DUMP_DIR");
	char tmp_dir[] = "/tmp/vmm_acpi_test.XXXXXX";
	static const char *const names[] = { "xsdt", "facp", "apic", "dsdt" };
	struct tables *t;
	struct acpi_config cfg;
	char path[4096];
	struct stat st;

	if (!dir) {
		ASSERT_NE(NULL, mkdtemp(tmp_dir));
		dir = tmp_dir;
	}
	t = malloc(sizeof(*t));
	ASSERT_NE(NULL, t);
	make_config(&cfg, 4, NR_VIRTIO);
	build_and_link(_metadata, t, &cfg);
	dump_table(_metadata, dir, t->xsdt);
	dump_table(_metadata, dir, t->fadt);
	dump_table(_metadata, dir, t->madt);
	dump_table(_metadata, dir, t->dsdt);
	const uint8_t *tables[] = { t->xsdt, t->fadt, t->madt, t->dsdt };

	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s.dat", dir, names[i]);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
		EXPECT_EQ(le32(tables[i] + 4), st.st_size);
		if (dir == tmp_dir)
			unlink(path);
	}
	if (dir == tmp_dir)
		rmdir(tmp_dir);
	free(t);
}

TEST_HARNESS_MAIN
