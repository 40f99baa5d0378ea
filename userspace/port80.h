/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Port 0x80, where Linux's outb_p() writes to wait an I/O cycle: a discard
 * rule makes those writes free wherever the rule can be placed.
 */
#ifndef MSHV_VMM_PORT80_H
#define MSHV_VMM_PORT80_H

struct vm;

/* Registers port 0x80 on vm->bus and its rule in vm->rules: 0 or -errno. */
int port80_create(struct vm *vm);
/* After vm->rules has been destroyed: the rule lives here. */
void port80_destroy(struct vm *vm);

#endif
