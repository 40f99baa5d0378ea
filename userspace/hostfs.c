// SPDX-License-Identifier: GPL-2.0
/* The host's files, under MSHV_VMM_ROOT when a test sets it (hostfs.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "hostfs.h"

const char *host_path(char *buf, size_t size, const char *path)
{
	const char *root = getenv("MSHV_VMM_ROOT");
	int len = snprintf(buf, size, "%s%s", root ? root : "", path);

	if (len < 0 || (size_t)len >= size) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return buf;
}

FILE *host_fopen(const char *path)
{
	char full[PATH_MAX];

	return host_path(full, sizeof(full), path) ? fopen(full, "re") : NULL;
}

DIR *host_opendir(const char *path)
{
	char full[PATH_MAX];

	return host_path(full, sizeof(full), path) ? opendir(full) : NULL;
}

int host_stat(const char *path, struct stat *st)
{
	char full[PATH_MAX];

	return host_path(full, sizeof(full), path) ? stat(full, st) : -1;
}

bool host_exists(const char *path)
{
	char full[PATH_MAX];

	return host_path(full, sizeof(full), path) && !access(full, F_OK);
}

ssize_t host_read_file(const char *path, char *buf, size_t size)
{
	char full[PATH_MAX], more;
	ssize_t n, ret = 0;
	size_t len = 0;
	int fd;

	if (!host_path(full, sizeof(full), path))
		return -errno;
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* /proc and /sys files say they are 0 bytes long: read to the end. */
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n <= 0) {
			ret = n < 0 ? -errno : 0;
			break;
		}
		len += n;
	}
	if (!ret && len == size - 1 && read(fd, &more, 1) > 0)
		ret = -EFBIG;
	close(fd);
	if (ret)
		return ret;
	buf[len] = '\0';
	return len;
}
