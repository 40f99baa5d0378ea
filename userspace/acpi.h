/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ACPI tables for a stock distribution kernel: RSDP, XSDT, FADT
 * (hardware-reduced, with sleep and reset registers), MADT (LAPICs,
 * IOAPIC, ISA overrides) and a DSDT that names the UART and the
 * virtio-mmio devices (_HID LNRO0005), as QEMU's microvm and Firecracker do.
 */
#ifndef MSHV_VMM_ACPI_H
#define MSHV_VMM_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include "machine.h"

struct acpi_virtio_dev {
	uint64_t base;
	uint32_t size;
	uint32_t gsi;
};

struct acpi_config {
	unsigned int nr_cpus;		/* LAPIC ids 0..nr_cpus-1 */
	unsigned int nr_virtio;
	struct acpi_virtio_dev virtio[MACHINE_VIRTIO_MAX];
};

/*
 * Write the tables into @buf, which the guest sees at @gpa, @size bytes;
 * the RSDP is at the start. Returns the bytes used, or -ENOSPC/-EINVAL.
 */
int acpi_build(void *buf, uint64_t gpa, size_t size,
	       const struct acpi_config *cfg);

#endif
