/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ACPI hardware-reduced sleep control/status and reset registers: how the
 * guest powers off (S5) and resets.
 */
#ifndef MSHV_VMM_ACPI_PM_H
#define MSHV_VMM_ACPI_PM_H

#include <stdint.h>

struct acpi_pm;
struct vm;

/*
 * Registers MACHINE_ACPI_SLEEP_CTL_PORT, _STS_PORT and _RESET_PORT on
 * vm->bus. NULL with errno set on failure.
 */
struct acpi_pm *acpi_pm_create(struct vm *vm);
/* Sleep requests other than S5 the guest made: it wakes at once from them. */
uint64_t acpi_pm_ignored_sleeps(struct acpi_pm *pm);
/* After the vCPUs have stopped. */
void acpi_pm_destroy(struct acpi_pm *pm);

#endif
