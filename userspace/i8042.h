/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The i8042 keyboard controller at ports 0x60 and 0x64: a keyboard that
 * answers Linux's probe but has no keys, no AUX (mouse) port, and the
 * CPU reset line the guest pulls to reboot.
 */
#ifndef MSHV_VMM_I8042_H
#define MSHV_VMM_I8042_H

struct i8042;
struct irq_line;
struct vm;

/*
 * Registers ports MACHINE_I8042_PORT and +4 on vm->bus; keyboard
 * interrupts go to @irq. Returns NULL with errno set on failure.
 */
struct i8042 *i8042_create(struct vm *vm, struct irq_line *irq);
/* After the vCPUs have stopped. */
void i8042_destroy(struct i8042 *kbc);

#endif
