/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake /dev/mshv for the VMM's unit tests, in either driver ABI or one
 * nobody knows. Linked with -Wl,--wrap=open,--wrap=ioctl,--wrap=mmap,
 * --wrap=close: the fake answers for the files it opened (backed by real
 * /dev/null descriptors) and passes every other call through.
 *
 * It knows the ioctls by the numbers of docs/mshv-abi notes (written out
 * here, not taken from common/hv_abi.h, so that the tests check those
 * too), records each call with its argument bytes and the bytes behind
 * the argument's pointers, and answers RUN_VP from a script of 256-byte
 * messages the test builds.
 */
#ifndef FAKE_MSHV_H
#define FAKE_MSHV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fake_mshv_abi {
	FAKE_MSHV_ABSENT,	/* open() fails with ENOENT */
	FAKE_MSHV_UPSTREAM,
	FAKE_MSHV_MARINER,
	FAKE_MSHV_UNKNOWN,	/* every /dev/mshv ioctl fails with unknown_errno */
};

struct fake_mshv_config {
	enum fake_mshv_abi abi;
	bool no_register_page;	/* Mariner: CAP_REGISTER_PAGE 0; both: mmap fails */
	int unknown_errno;	/* FAKE_MSHV_UNKNOWN; 0: ENOTTY */
	uint64_t gva_offset;	/* address translation: gpa = gva - gva_offset */
};

/* Which file a call was made on. */
enum fake_mshv_fd {
	FAKE_FD_NONE,
	FAKE_FD_DEV,		/* /dev/mshv */
	FAKE_FD_VM,		/* partition */
	FAKE_FD_VP,
	FAKE_FD_FASTPATH_VM,	/* /dev/mshv_fastpath VM fd */
	FAKE_FD_FASTPATH_VP,	/* its MSHV_FP_ATTACH_VCPU fd */
};

struct fake_mshv_call {
	enum fake_mshv_fd fd_kind;
	unsigned int vp;		/* VP fds: the VP index */
	unsigned long request;
	uint8_t arg[64];		/* the argument's _IOC_SIZE bytes (RUN_VP: none) */
	size_t arg_len;
	uint8_t *data;			/* bytes behind the argument's pointers */
	size_t data_len;
};

/* The ioctl numbers of the notes on the mshv ABI, for the fake and its tests. */
/* Upstream (Linux >= 6.15) */
#define UP_CREATE_PARTITION	0x4010B800UL
#define UP_INITIALIZE_PARTITION	0x0000B800UL
#define UP_CREATE_VP		0x4004B801UL
#define UP_SET_GUEST_MEMORY	0x4020B802UL
#define UP_IRQFD		0x4010B803UL
#define UP_IOEVENTFD		0x4020B804UL
#define UP_SET_MSI_ROUTING	0x4008B805UL
#define UP_ROOT_HVCALL		0xC020B807UL
#define UP_RUN_VP		0x8100B800UL
/* Mariner 5.15 (2023) */
#define MAR_CHECK_EXTENSION	0x4004B800UL
#define MAR_CREATE_PARTITION	0x4030B801UL
#define MAR_MAP_GUEST_MEMORY	0x4020B802UL
#define MAR_CREATE_VP		0x4004B804UL
#define MAR_GET_VP_REGISTERS	0xC010B805UL
#define MAR_SET_VP_REGISTERS	0x4010B806UL
#define MAR_RUN_VP		0x8100B807UL
#define MAR_SET_PARTITION_PROPERTY 0x4010B80CUL
#define MAR_IRQFD		0x4010B80EUL
#define MAR_TRANSLATE_GVA	0xC020B80EUL	/* VP fd */
#define MAR_IOEVENTFD		0x4020B80FUL
#define MAR_SET_MSI_ROUTING	0x4008B811UL

#define FAKE_MSHV_PATH		"/dev/mshv"
#define FAKE_MSHV_MAX_VPS	4

/* Forget every call, file and script; the next open of /dev/mshv gets @config. */
void fake_mshv_reset(const struct fake_mshv_config *config);

/* The recorded calls, oldest first. */
unsigned int fake_mshv_nr_calls(void);
const struct fake_mshv_call *fake_mshv_call(unsigned int i);
/* The @nth (0-based) call with @request, or NULL. */
const struct fake_mshv_call *fake_mshv_find(unsigned long request, unsigned int nth);
unsigned int fake_mshv_count(unsigned long request);
/* The @nth ROOT_HVCALL with hypercall @code, or NULL. */
const struct fake_mshv_call *fake_mshv_find_hvcall(uint16_t code, unsigned int nth);

/* RUN_VP (or MSHV_FP_RUN) on @vp: the next call returns these 256 bytes ... */
void fake_mshv_push_message(unsigned int vp, const uint8_t msg[256]);
/* ... or fails with @err. An empty script fails with EINTR. */
void fake_mshv_push_errno(unsigned int vp, int err);

/* The VP's register page as mapped by the VMM, or NULL. */
uint8_t *fake_mshv_register_page(unsigned int vp);
/* The VP's registers as the register calls see them (by hv register name). */
void fake_mshv_set_reg(unsigned int vp, uint32_t name, uint64_t value);
uint64_t fake_mshv_get_reg(unsigned int vp, uint32_t name);
/* The eventfd the VMM gave IRQFD for @gsi, or -1. */
int fake_mshv_irqfd(unsigned int gsi);

/* A fake /dev/mshv_fastpath VM fd: MSHV_FP_ATTACH_VCPU, MSHV_FP_RUN. */
int fake_mshv_fastpath_fd(void);

/* Little-endian field access for hand-built buffers. */
static inline void put_le(uint8_t *buf, size_t off, uint64_t value, unsigned int size)
{
	for (unsigned int i = 0; i < size; i++)
		buf[off + i] = value >> (8 * i);
}

static inline uint64_t get_le(const uint8_t *buf, size_t off, unsigned int size)
{
	uint64_t value = 0;

	for (unsigned int i = 0; i < size; i++)
		value |= (uint64_t)buf[off + i] << (8 * i);
	return value;
}

#endif
