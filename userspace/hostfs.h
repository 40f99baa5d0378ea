/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's /proc, /sys and /lib files, as mshv-vmm's diagnostic commands
 * (doctor, resvd) read them.
 *
 * Test hook: MSHV_VMM_ROOT, when set and not empty, is put in front of
 * every path, so that selftests/host can describe hosts this machine is
 * not (a directory with proc/cmdline, proc/iomem, sys/...). It is read
 * afresh on each call: there is no state.
 */
#ifndef MSHV_VMM_HOSTFS_H
#define MSHV_VMM_HOSTFS_H

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The host's @path (absolute) in @buf: @buf, or NULL when it does not fit. */
const char *host_path(char *buf, size_t size, const char *path);

/* fopen(@path, "re"), opendir() and stat() of a host path; errno as theirs. */
FILE *host_fopen(const char *path);
DIR *host_opendir(const char *path);
int host_stat(const char *path, struct stat *st);
bool host_exists(const char *path);

/*
 * Read a small file whole into @buf, NUL-terminated: its length, or -errno
 * (-EFBIG when it does not fit in @size - 1 bytes).
 */
ssize_t host_read_file(const char *path, char *buf, size_t size);

#endif
