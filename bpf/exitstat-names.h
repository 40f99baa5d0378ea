/* SPDX-License-Identifier: GPL-2.0 */
/* Names of exit kinds, handlers and exit reasons, as mshv-exitstat prints them. */
#ifndef EXITSTAT_NAMES_H
#define EXITSTAT_NAMES_H

#include <stddef.h>
#include <linux/types.h>

/* "pio", "mmio", "other". */
const char *exitstat_kind_name(unsigned int kind);

/* "doorbell", ..., "kvm" (KVM itself), "forwarded" (to userspace). */
const char *exitstat_by_name(unsigned int by);

/* The family of a reason space: "kvm_run", "hvmsg", "vmx", "svm". */
const char *exitstat_reason_space_name(unsigned int space);

/* A reason's name in its space ("hlt", "npf", "io_port"...), or its number in hex. */
const char *exitstat_reason_name(unsigned int space, __u32 reason, char *buf, size_t size);

#endif /* EXITSTAT_NAMES_H */
