// SPDX-License-Identifier: GPL-2.0
/* Client side of /dev/mshv_fastpath. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "fastpath.h"

static const char *const cap_names[] = {
	[MSHV_FP_CAP_VERSION] = "version",
	[MSHV_FP_CAP_TRACEPOINTS] = "tracepoints",
	[MSHV_FP_CAP_KVM] = "kvm",
	[MSHV_FP_CAP_MSHV] = "mshv",
	[MSHV_FP_CAP_RULES] = "rules",
	[MSHV_FP_CAP_RING] = "ring",
};

const char *fastpath__cap_name(unsigned int cap)
{
	if (cap >= sizeof(cap_names) / sizeof(cap_names[0]))
		return NULL;
	return cap_names[cap];
}

int fastpath__open(struct mshv_fp_version *version)
{
	int fd = open("/dev/" MSHV_FP_DEVICE_NAME, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	memset(version, 0, sizeof(*version));
	if (ioctl(fd, MSHV_FP_GET_VERSION, version) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	/* The kernel terminates it; do not trust that across versions. */
	version->module_version[sizeof(version->module_version) - 1] = '\0';
	return fd;
}
