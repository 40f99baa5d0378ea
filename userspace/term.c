// SPDX-License-Identifier: GPL-2.0
/* Host terminal: raw mode, input, escape sequence. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "iothread.h"
#include "term.h"
#include "vmm.h"

void term_init(struct term *t, struct vm *vm, int in_fd, term_input_fn input,
	       void *input_ctx)
{
	memset(t, 0, sizeof(*t));
	t->vm = vm;
	t->in_fd = in_fd;
	t->is_tty = isatty(in_fd);
	t->input = input;
	t->input_ctx = input_ctx;
}

int term_raw(struct term *t)
{
	struct termios raw;

	if (!t->is_tty || t->raw)
		return 0;
	if (tcgetattr(t->in_fd, &t->saved) < 0)
		return -errno;
	raw = t->saved;
	/* As QEMU -nographic: every key, Ctrl-C included, goes to the guest. */
	cfmakeraw(&raw);
	raw.c_oflag |= OPOST | ONLCR;	/* keep our own messages readable */
	if (tcsetattr(t->in_fd, TCSANOW, &raw) < 0)
		return -errno;
	t->raw = true;
	return 0;
}

void term_restore(struct term *t)
{
	if (t->raw)
		tcsetattr(t->in_fd, TCSANOW, &t->saved);
	t->raw = false;
}

size_t term_filter(struct term *t, uint8_t *buf, size_t len)
{
	size_t out = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = buf[i];

		if (t->escape_seen) {
			t->escape_seen = false;
			if (c == 'x' || c == 'X') {
				vm_request_stop(t->vm, VM_STOP_SIGNAL, "console escape (Ctrl-A x)");
				return out;
			}
			if (c != TERM_ESCAPE_CHAR)
				continue;	/* unknown escape: dropped */
		} else if (c == TERM_ESCAPE_CHAR) {
			t->escape_seen = true;
			continue;
		}
		buf[out++] = c;
	}
	return out;
}

void term_readable(void *opaque)
{
	struct term *t = opaque;
	uint8_t buf[256];
	ssize_t n = read(t->in_fd, buf, sizeof(buf));
	size_t len;

	if (n <= 0) {
		/* EOF (input from a file or /dev/null): stop watching, keep running. */
		if (n == 0 || (errno != EINTR && errno != EAGAIN))
			iothread_unwatch(t->vm->io, t->in_fd);
		return;
	}
	len = term_filter(t, buf, n);
	if (len && t->input)
		t->input(t->input_ctx, buf, len);
}
