/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What exit_loop's guest (exit_loop_guest.S) is told to do: a parameter
 * block in guest memory, written by exit_loop before the first run and read
 * by the guest at the start of every pass. Shared by the C and the assembly.
 */
#ifndef EXIT_LOOP_H
#define EXIT_LOOP_H

#define EXIT_LOOP_PARAMS	0x800	/* guest physical, below the code at 0x1000 */
#define P_HANDLED		0x800	/* u32: OUTs to the handled port per pass */
#define P_FORWARDED		0x804	/* u32: OUTs to the forwarded port per pass */
#define P_MMIO			0x808	/* u32: MMIO writes per pass */
#define P_HANDLED_PORT		0x80c	/* u16 */
#define P_FORWARDED_PORT	0x80e	/* u16 */
#define P_DONE_PORT		0x810	/* u16: one OUT here ends every pass */
#define P_MMIO_ADDR		0x812	/* u16: guest physical, below 64 KiB */

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct exit_loop_params {
	uint32_t handled;
	uint32_t forwarded;
	uint32_t mmio;
	uint16_t handled_port;
	uint16_t forwarded_port;
	uint16_t done_port;
	uint16_t mmio_addr;
};

_Static_assert(offsetof(struct exit_loop_params, mmio) == P_MMIO - EXIT_LOOP_PARAMS,
	       "exit_loop.h: C and assembly layouts differ");
_Static_assert(offsetof(struct exit_loop_params, mmio_addr) == P_MMIO_ADDR - EXIT_LOOP_PARAMS,
	       "exit_loop.h: C and assembly layouts differ");

extern const unsigned char exit_loop_guest[], exit_loop_guest_end[];
#endif

#endif /* EXIT_LOOP_H */
