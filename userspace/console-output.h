/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest console's output to a host fd, shared by the UART and
 * virtio-console: bytes leave in order, a stalled reader holds the writer
 * up but never past a VM stop, and an fd that fails is reported once and
 * then no longer written.
 */
#ifndef MSHV_VMM_CONSOLE_OUTPUT_H
#define MSHV_VMM_CONSOLE_OUTPUT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct vm;

struct console_output {
	struct vm *vm;
	char name[32];		/* the device, in the error message */
	pthread_mutex_t lock;	/* one writer at a time: bytes leave in order */
	int fd;			/* -1: discard */
	uint64_t bytes;		/* written to @fd */
	uint64_t dropped;	/* no fd, it failed, or the VM stopped first */
};

/* Output to @fd (-1: discard it all) for the device called @name. */
void console_output_init(struct console_output *out, struct vm *vm, int fd,
			 const char *name);
void console_output_destroy(struct console_output *out);

/*
 * Write all of @buf, waiting for a slow reader; what is left when the VM
 * stops or the fd fails is dropped. Any thread.
 */
void console_output_write(struct console_output *out, const void *buf,
			  size_t len);

void console_output_stats(struct console_output *out, uint64_t *bytes,
			  uint64_t *dropped);

#endif
