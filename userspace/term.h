/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host terminal as the guest's console: raw mode while the VM runs
 * (restored on every exit path by the caller), input to the console
 * device, and the escape sequence Ctrl-A x to stop the VM.
 */
#ifndef MSHV_VMM_TERM_H
#define MSHV_VMM_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

struct vm;

#define TERM_ESCAPE_CHAR	0x01	/* Ctrl-A */

typedef void (*term_input_fn)(void *ctx, const uint8_t *buf, size_t len);

struct term {
	struct vm *vm;
	int in_fd;
	bool is_tty, raw;
	struct termios saved;
	bool escape_seen;	/* the last byte was Ctrl-A */
	term_input_fn input;
	void *input_ctx;
};

void term_init(struct term *t, struct vm *vm, int in_fd, term_input_fn input,
	       void *input_ctx);
/* Raw mode if @in_fd is a terminal. */
int term_raw(struct term *t);
void term_restore(struct term *t);
/* I/O thread callback: read input, act on escapes, pass the rest on. */
void term_readable(void *opaque);
/* Filter @len bytes of input; returns bytes left in @buf for the guest. */
size_t term_filter(struct term *t, uint8_t *buf, size_t len);

#endif
