/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers shared by the mshv_fastpath VM selftests. */
#ifndef FASTPATH_UTIL_H
#define FASTPATH_UTIL_H

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define FP_DEV		"/dev/" MSHV_FP_DEVICE_NAME
#define FP_SYSFS	"/sys/kernel/" MSHV_FP_DEVICE_NAME
#define FP_SLAB_CACHE	"mshv_fp_vm"

static inline int path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* First line of a file, without its newline; -1 if it cannot be read. */
static inline int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ret = -1;

	if (!f)
		return -1;
	if (fgets(buf, (int)len, f)) {
		buf[strcspn(buf, "\n")] = '\0';
		ret = 0;
	}
	fclose(f);
	return ret;
}

static inline long read_long(const char *path)
{
	char buf[64];

	if (read_line(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 0);
}

/* Active objects of a slab cache in /proc/slabinfo, -1 if there is none. */
static inline long slab_active_objects(const char *cache)
{
	char name[64];
	long active = -1, n;
	char line[512];
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		return -2;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %ld", name, &n) == 2 && !strcmp(name, cache)) {
			active = n;
			break;
		}
	}
	fclose(f);
	return active;
}

#endif /* FASTPATH_UTIL_H */
