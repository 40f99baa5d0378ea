/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the VMM's device unit tests share: a fake interrupt line, and a
 * stalled reader of a device's output with a VM stop that ends the wait.
 */
#ifndef VMM_TEST_UTIL_H
#define VMM_TEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <unistd.h>

#include "irq.h"
#include "vmm.h"

/*
 * Records the level a device drives and counts what the guest would see,
 * rising edges, and what it would not, calls that keep the level.
 */
struct fake_irq {
	struct irq_line line;
	int level;
	unsigned int rises;	/* the I/O thread may count them: fake_irq_rises() */
	unsigned int redundant;	/* calls that did not change the level */
};

static inline void fake_irq_set_level(struct irq_line *line, int level)
{
	struct fake_irq *irq = line->ctx;

	if (level == irq->level)
		irq->redundant++;
	if (level && !irq->level)
		__atomic_add_fetch(&irq->rises, 1, __ATOMIC_RELAXED);
	irq->level = level;
}

static inline void fake_irq_init(struct fake_irq *irq, unsigned int gsi)
{
	*irq = (struct fake_irq){
		.line = { .set_level = fake_irq_set_level, .gsi = gsi, .ctx = irq },
	};
}

static inline unsigned int fake_irq_rises(struct fake_irq *irq)
{
	return __atomic_load_n(&irq->rises, __ATOMIC_RELAXED);
}

/* Fill the pipe whose write end is @fd, as a reader that stopped reading would. */
static inline bool fill_pipe(int fd)
{
	static const char junk[4096];
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK))
		return false;
	while (write(fd, junk, sizeof(junk)) > 0)
		;
	/* The last bytes of room, if any were smaller than a chunk. */
	while (write(fd, junk, 1) > 0)
		;
	return errno == EAGAIN && !fcntl(fd, F_SETFL, flags);
}

/* A VM stop requested from another thread, @ms milliseconds after the start. */
struct delayed_stop {
	struct vm *vm;
	unsigned int ms;
	pthread_t thread;
};

static inline void *delayed_stop_run(void *arg)
{
	struct delayed_stop *stop = arg;

	usleep(stop->ms * 1000);
	vm_request_stop(stop->vm, VM_STOP_SIGNAL, "test: stop");
	return NULL;
}

static inline bool delayed_stop_start(struct delayed_stop *stop, struct vm *vm,
				      unsigned int ms)
{
	*stop = (struct delayed_stop){ .vm = vm, .ms = ms };
	return !pthread_create(&stop->thread, NULL, delayed_stop_run, stop);
}

static inline void delayed_stop_join(struct delayed_stop *stop)
{
	pthread_join(stop->thread, NULL);
}

#endif
