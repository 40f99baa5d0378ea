// SPDX-License-Identifier: GPL-2.0
/*
 * Which mshv ABI /dev/mshv speaks, from how it answers two ioctls that
 * create nothing (see mshv-probe.h). The two ABIs share the ioctl magic
 * but not the numbers, so each one refuses the other's probe with ENOTTY.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hv_abi.h"
#include "mshv-probe.h"

/* No upstream release defines it: the driver refuses it before creating anything. */
#define PROBE_UNDEFINED_PT_FLAG	(1ULL << 63)

/* An ioctl's answer, for the detail of an unknown ABI. */
static const char *answer(int ret, int err)
{
	return ret >= 0 ? "succeeded" : strerror(err);
}

int mshv_probe(const char *path, struct mshv_probe *probe)
{
	struct mshv_uapi_create_partition bad_flags = { .pt_flags = PROBE_UNDEFINED_PT_FLAG };
	__u32 cap = MSHV_MARINER_CAP_CORE_API_STABLE;
	int ret, mariner_ret, mariner_errno, upstream_errno;

	if (!path)
		path = MSHV_DEVICE_PATH;
	*probe = (struct mshv_probe){ .abi = MSHV_ABI_NONE, .fd = -1 };
	probe->fd = open(path, O_RDWR | O_CLOEXEC);
	if (probe->fd < 0) {
		probe->open_errno = errno;
		snprintf(probe->detail, sizeof(probe->detail), "cannot open %s: %s", path,
			 strerror(errno));
		return -probe->open_errno;
	}

	mariner_ret = ioctl(probe->fd, MSHV_MARINER_CHECK_EXTENSION, &cap);
	mariner_errno = errno;
	if (mariner_ret >= 0) {
		cap = MSHV_MARINER_CAP_REGISTER_PAGE;
		probe->abi = MSHV_ABI_MARINER;
		probe->register_page = ioctl(probe->fd, MSHV_MARINER_CHECK_EXTENSION, &cap) > 0;
		snprintf(probe->detail, sizeof(probe->detail), "%s: %s ABI, %s register page",
			 path, mshv_abi_name(probe->abi),
			 probe->register_page ? "with a" : "no");
		return 0;
	}

	ret = ioctl(probe->fd, MSHV_UAPI_CREATE_PARTITION, &bad_flags);
	upstream_errno = errno;
	if (ret < 0 && upstream_errno == EINVAL && mariner_errno == ENOTTY) {
		probe->abi = MSHV_ABI_UPSTREAM;
		probe->register_page = true;
		snprintf(probe->detail, sizeof(probe->detail), "%s: %s ABI", path,
			 mshv_abi_name(probe->abi));
		return 0;
	}
	/* It took the flag: a partition we do not want, from a driver we do not know. */
	if (ret >= 0)
		close(ret);
	snprintf(probe->detail, sizeof(probe->detail),
		 "%s: CHECK_EXTENSION (0x%08lx): %s; CREATE_PARTITION with an undefined flag "
		 "(0x%08lx): %s", path, (unsigned long)MSHV_MARINER_CHECK_EXTENSION,
		 answer(mariner_ret, mariner_errno), (unsigned long)MSHV_UAPI_CREATE_PARTITION,
		 answer(ret, upstream_errno));
	close(probe->fd);
	probe->fd = -1;
	return -EPROTO;
}

const char *mshv_abi_name(enum mshv_abi abi)
{
	switch (abi) {
	case MSHV_ABI_UPSTREAM:
		return "upstream (Linux >= 6.15)";
	case MSHV_ABI_MARINER:
		return "Mariner 5.15";
	default:
		return "none";
	}
}
