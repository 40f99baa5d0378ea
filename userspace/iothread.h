/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The I/O thread: one epoll loop per VM for device work that may block
 * (disk I/O, console input), fed by eventfds (virtio doorbells), timerfds
 * and the terminal. Callbacks run on the I/O thread, one at a time.
 */
#ifndef MSHV_VMM_IOTHREAD_H
#define MSHV_VMM_IOTHREAD_H

typedef void (*io_callback)(void *opaque);

struct iothread;

struct iothread *iothread_create(void);
/* Call @fn(@opaque) whenever @fd is readable. Before or after start. */
int iothread_watch(struct iothread *io, int fd, io_callback fn, void *opaque);
int iothread_unwatch(struct iothread *io, int fd);
int iothread_start(struct iothread *io);
/* Stop and join the thread; callbacks have finished when it returns. */
void iothread_stop(struct iothread *io);
void iothread_destroy(struct iothread *io);

#endif
