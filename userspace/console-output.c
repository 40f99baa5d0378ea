// SPDX-License-Identifier: GPL-2.0
/*
 * Guest console output to a host fd. The fd is usually the terminal and
 * blocking, so a reader that stops reading would block write() for good:
 * each write is preceded by a poll() that wakes up to look for a VM stop,
 * and is no larger than a pipe that polled writable takes at once.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "console-output.h"
#include "vmm.h"

/* How often a writer blocked on a slow reader looks for a VM stop. */
#define STOP_CHECK_MS		100

void console_output_init(struct console_output *out, struct vm *vm, int fd,
			 const char *name)
{
	out->vm = vm;
	snprintf(out->name, sizeof(out->name), "%s", name);
	pthread_mutex_init(&out->lock, NULL);
	out->fd = fd;
	out->bytes = 0;
	out->dropped = 0;
}

void console_output_destroy(struct console_output *out)
{
	pthread_mutex_destroy(&out->lock);
}

/*
 * Wait until the fd takes a write: false if the VM stopped first. Once it
 * is stopping, output still goes out to a reader that keeps up, but no
 * byte waits for one that does not.
 */
static bool wait_writable(struct console_output *out)
{
	struct pollfd pfd = { .fd = out->fd, .events = POLLOUT };

	for (;;) {
		int n = poll(&pfd, 1, vm_stopping(out->vm) ? 0 : STOP_CHECK_MS);

		/* Ready, or an error that write() will report. */
		if (n > 0 || (n < 0 && errno != EINTR))
			return true;
		if (vm_stopping(out->vm))
			return false;
	}
}

void console_output_write(struct console_output *out, const void *buf,
			  size_t len)
{
	const uint8_t *bytes = buf;
	size_t done = 0;

	pthread_mutex_lock(&out->lock);
	while (done < len && out->fd >= 0 && wait_writable(out)) {
		size_t chunk = len - done < PIPE_BUF ? len - done : PIPE_BUF;
		ssize_t n = write(out->fd, bytes + done, chunk);

		if (n > 0) {
			done += n;
			continue;
		}
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n == 0)
			errno = EPIPE;
		fprintf(stderr, "mshv-vmm: %s: output: %m; discarding further output\n",
			out->name);
		out->fd = -1;
	}
	out->bytes += done;
	out->dropped += len - done;
	pthread_mutex_unlock(&out->lock);
}

void console_output_stats(struct console_output *out, uint64_t *bytes,
			  uint64_t *dropped)
{
	pthread_mutex_lock(&out->lock);
	*bytes = out->bytes;
	*dropped = out->dropped;
	pthread_mutex_unlock(&out->lock);
}
