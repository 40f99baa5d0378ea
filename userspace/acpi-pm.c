// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI hardware-reduced sleep and reset registers (ACPI 6, 4.8.3.7-8).
 *
 * Writing SLP_EN with the _S5_ sleep type to the sleep control register
 * powers the VM off; writing the reset value to the reset register resets
 * it (the VMM stops either way and reports why). Other sleep states are
 * not modelled: the guest "wakes" at once, with WAK_STS set in the status
 * register, since Linux spins on that bit after it asks to sleep.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "acpi-pm.h"
#include "bus.h"
#include "machine.h"
#include "vmm.h"

#define SLEEP_CTL_TYP_SHIFT	2
#define SLEEP_CTL_TYP_MASK	0x07
#define SLEEP_STS_WAK_STS	0x80

struct acpi_pm {
	struct vm *vm;
	pthread_mutex_t lock;
	uint8_t sleep_status;
	uint64_t ignored_sleeps;
};

/* Each register is a one-port range: the bus hands over single bytes only. */

static void sleep_ctl_io(void *opaque, uint64_t offset, uint8_t *data,
			 unsigned int len, bool is_write)
{
	struct acpi_pm *pm = opaque;
	unsigned int type;

	(void)offset;
	(void)len;
	if (!is_write) {
		data[0] = 0;	/* SLP_EN reads as 0; nothing else to show */
		return;
	}
	if (!(data[0] & ACPI_SLEEP_CTL_SLP_EN))
		return;
	type = (data[0] >> SLEEP_CTL_TYP_SHIFT) & SLEEP_CTL_TYP_MASK;
	if (type == MACHINE_ACPI_S5_TYPE) {
		vm_request_stop(pm->vm, VM_STOP_POWEROFF, "guest powered off (ACPI S5)");
		return;
	}
	pthread_mutex_lock(&pm->lock);
	pm->ignored_sleeps++;
	pm->sleep_status |= SLEEP_STS_WAK_STS;
	pthread_mutex_unlock(&pm->lock);
}

static void sleep_sts_io(void *opaque, uint64_t offset, uint8_t *data,
			 unsigned int len, bool is_write)
{
	struct acpi_pm *pm = opaque;

	(void)offset;
	(void)len;
	pthread_mutex_lock(&pm->lock);
	if (is_write)
		pm->sleep_status &= ~data[0];	/* write 1 to clear */
	else
		data[0] = pm->sleep_status;
	pthread_mutex_unlock(&pm->lock);
}

static void reset_io(void *opaque, uint64_t offset, uint8_t *data,
		     unsigned int len, bool is_write)
{
	struct acpi_pm *pm = opaque;

	(void)offset;
	(void)len;
	if (!is_write)
		data[0] = 0;	/* write-only */
	else if (data[0] == MACHINE_ACPI_RESET_VALUE)
		vm_request_stop(pm->vm, VM_STOP_RESET, "guest reset through ACPI");
}

uint64_t acpi_pm_ignored_sleeps(struct acpi_pm *pm)
{
	uint64_t n;

	pthread_mutex_lock(&pm->lock);
	n = pm->ignored_sleeps;
	pthread_mutex_unlock(&pm->lock);
	return n;
}

struct acpi_pm *acpi_pm_create(struct vm *vm)
{
	static const struct {
		uint16_t port;
		bus_handler handler;
		const char *name;
	} regs[] = {
		{ MACHINE_ACPI_SLEEP_CTL_PORT, sleep_ctl_io, "acpi sleep control" },
		{ MACHINE_ACPI_SLEEP_STS_PORT, sleep_sts_io, "acpi sleep status" },
		{ MACHINE_ACPI_RESET_PORT, reset_io, "acpi reset" },
	};
	struct acpi_pm *pm = calloc(1, sizeof(*pm));

	if (!pm)
		return NULL;
	pm->vm = vm;
	pthread_mutex_init(&pm->lock, NULL);
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		int err = bus_register(&vm->bus, BUS_PIO, regs[i].port, 1,
				       regs[i].handler, pm, regs[i].name);

		if (err) {
			/* Nothing points at it yet only if the first one failed. */
			if (!i)
				acpi_pm_destroy(pm);
			errno = -err;
			return NULL;
		}
	}
	return pm;
}

void acpi_pm_destroy(struct acpi_pm *pm)
{
	if (!pm)
		return;
	pthread_mutex_destroy(&pm->lock);
	free(pm);
}
