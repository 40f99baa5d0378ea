// SPDX-License-Identifier: GPL-2.0
/* The VM's I/O thread: an epoll loop, stopped through an eventfd. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "iothread.h"

#define IOTHREAD_MAX_WATCHES	64

struct io_watch {
	int fd;
	io_callback fn;
	void *opaque;
};

struct iothread {
	int epoll_fd;
	int stop_fd;
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;	/* watches[] */
	struct io_watch watches[IOTHREAD_MAX_WATCHES];
};

struct iothread *iothread_create(void)
{
	struct iothread *io = calloc(1, sizeof(*io));
	struct epoll_event ev = { .events = EPOLLIN };

	if (!io)
		return NULL;
	pthread_mutex_init(&io->lock, NULL);
	for (unsigned int i = 0; i < IOTHREAD_MAX_WATCHES; i++)
		io->watches[i].fd = -1;
	io->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	io->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ev.data.ptr = NULL;	/* NULL marks the stop eventfd */
	if (io->epoll_fd < 0 || io->stop_fd < 0 ||
	    epoll_ctl(io->epoll_fd, EPOLL_CTL_ADD, io->stop_fd, &ev) < 0) {
		iothread_destroy(io);
		return NULL;
	}
	return io;
}

int iothread_watch(struct iothread *io, int fd, io_callback fn, void *opaque)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct io_watch *w = NULL;
	int ret = -ENOSPC;

	pthread_mutex_lock(&io->lock);
	for (unsigned int i = 0; i < IOTHREAD_MAX_WATCHES && !w; i++)
		if (io->watches[i].fd < 0)
			w = &io->watches[i];
	if (w) {
		*w = (struct io_watch){ fd, fn, opaque };
		ev.data.ptr = w;
		ret = 0;
		if (epoll_ctl(io->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			ret = -errno;
			w->fd = -1;
		}
	}
	pthread_mutex_unlock(&io->lock);
	return ret;
}

int iothread_unwatch(struct iothread *io, int fd)
{
	int ret = -ENOENT;

	pthread_mutex_lock(&io->lock);
	for (unsigned int i = 0; i < IOTHREAD_MAX_WATCHES; i++) {
		if (io->watches[i].fd != fd)
			continue;
		epoll_ctl(io->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
		io->watches[i].fd = -1;
		ret = 0;
	}
	pthread_mutex_unlock(&io->lock);
	return ret;
}

static void *iothread_main(void *arg)
{
	struct iothread *io = arg;
	struct epoll_event events[16];

	for (;;) {
		int n = epoll_wait(io->epoll_fd, events, 16, -1);

		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			struct io_watch *w = events[i].data.ptr;

			if (!w)
				return NULL;
			/*
			 * A callback that runs after its fd was unwatched would
			 * be a use-after-free: check under the lock, run without
			 * it (callbacks may watch/unwatch).
			 */
			pthread_mutex_lock(&io->lock);
			io_callback fn = w->fd >= 0 ? w->fn : NULL;
			void *opaque = w->opaque;

			pthread_mutex_unlock(&io->lock);
			if (fn)
				fn(opaque);
		}
	}
	return NULL;
}

int iothread_start(struct iothread *io)
{
	int ret = pthread_create(&io->thread, NULL, iothread_main, io);

	if (ret)
		return -ret;
	io->running = true;
	return 0;
}

void iothread_stop(struct iothread *io)
{
	uint64_t one = 1;

	if (!io->running)
		return;
	if (write(io->stop_fd, &one, sizeof(one)) != sizeof(one))
		abort();	/* cannot happen on a non-full eventfd */
	pthread_join(io->thread, NULL);
	io->running = false;
}

void iothread_destroy(struct iothread *io)
{
	if (!io)
		return;
	iothread_stop(io);
	if (io->epoll_fd >= 0)
		close(io->epoll_fd);
	if (io->stop_fd >= 0)
		close(io->stop_fd);
	pthread_mutex_destroy(&io->lock);
	free(io);
}
