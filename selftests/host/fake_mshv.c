// SPDX-License-Identifier: GPL-2.0
/*
 * A fake /dev/mshv (see fake_mshv.h). The ioctl numbers are the ones the
 * notes on the mshv ABI give (upstream include/uapi/linux/mshv.h, and
 * rust-vmm's mshv-ioctls of 2023 for the Mariner driver).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/mshv_fastpath.h>

#include "fake_mshv.h"

#define HVCALL_GET_VP_REGISTERS	0x50
#define HVCALL_SET_VP_REGISTERS	0x51
#define HVCALL_TRANSLATE_VA	0x52

#define MAX_FILES		64
#define MAX_SCRIPT		64
#define MAX_REGS		64
#define MAX_GSIS		256

struct fake_file {
	int fd;
	enum fake_mshv_fd kind;
	unsigned int vp;
};

struct script_entry {
	int err;		/* 0: msg */
	uint8_t msg[256];
};

struct fake_reg {
	uint32_t name;
	uint8_t value[16];
};

static struct {
	bool active;
	struct fake_mshv_config config;
	struct fake_file files[MAX_FILES];
	unsigned int nr_files;
	struct fake_mshv_call *calls;
	unsigned int nr_calls, max_calls;
	struct {
		struct script_entry entries[MAX_SCRIPT];
		unsigned int head, tail;
	} script[FAKE_MSHV_MAX_VPS];
	uint8_t *register_page[FAKE_MSHV_MAX_VPS];
	struct fake_reg regs[FAKE_MSHV_MAX_VPS][MAX_REGS];
	unsigned int nr_regs[FAKE_MSHV_MAX_VPS];
	int irqfd[MAX_GSIS];
	uint64_t user_area[FAKE_MSHV_MAX_VPS];	/* MSHV_FP_ATTACH_VCPU's buffer */
} fake;

int __real_open(const char *path, int flags, ...);
int __real_ioctl(int fd, unsigned long request, ...);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __real_close(int fd);

void fake_mshv_reset(const struct fake_mshv_config *config)
{
	for (unsigned int i = 0; i < fake.nr_calls; i++)
		free(fake.calls[i].data);
	free(fake.calls);
	memset(&fake, 0, sizeof(fake));
	fake.active = true;
	fake.config = *config;
	if (!fake.config.unknown_errno)
		fake.config.unknown_errno = ENOTTY;
	for (unsigned int i = 0; i < MAX_GSIS; i++)
		fake.irqfd[i] = -1;
}

static struct fake_file *find_file(int fd)
{
	for (unsigned int i = 0; fake.active && i < fake.nr_files; i++)
		if (fake.files[i].fd == fd)
			return &fake.files[i];
	return NULL;
}

/* A new fake file: a real descriptor, so that close() and fd numbers work. */
static int new_file(enum fake_mshv_fd kind, unsigned int vp)
{
	int fd;

	if (fake.nr_files == MAX_FILES)
		return -EMFILE;
	fd = __real_open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	fake.files[fake.nr_files++] = (struct fake_file){ fd, kind, vp };
	return fd;
}

int __wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;
	int fd;

	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	if (!fake.active || strcmp(path, FAKE_MSHV_PATH))
		return __real_open(path, flags, mode);
	if (fake.config.abi == FAKE_MSHV_ABSENT) {
		errno = ENOENT;
		return -1;
	}
	fd = new_file(FAKE_FD_DEV, 0);
	if (fd < 0) {
		errno = -fd;
		return -1;
	}
	return fd;
}

int __wrap_close(int fd)
{
	struct fake_file *f = find_file(fd);

	if (f)
		*f = fake.files[--fake.nr_files];
	return __real_close(fd);
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	struct fake_file *f = find_file(fd);
	uint8_t *page;

	if (!f)
		return __real_mmap(addr, len, prot, flags, fd, off);
	if (f->kind != FAKE_FD_VP || off != 0 || len != 4096 || fake.config.no_register_page) {
		errno = ENODEV;
		return MAP_FAILED;
	}
	page = __real_mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return page;
	put_le(page, 0, 1, 2);		/* version 1; not valid until an intercept */
	fake.register_page[f->vp] = page;
	return page;
}

/* ---- Recording ---- */

static void *copy_bytes(const void *src, size_t len)
{
	void *p = malloc(len ? len : 1);

	if (p && len)
		memcpy(p, src, len);
	return p;
}

static struct fake_mshv_call *record(struct fake_file *f, unsigned long request, void *arg)
{
	struct fake_mshv_call *c;
	size_t size = _IOC_SIZE(request);

	if (fake.nr_calls == fake.max_calls) {
		unsigned int max = fake.max_calls ? 2 * fake.max_calls : 64;
		struct fake_mshv_call *calls = realloc(fake.calls, max * sizeof(*calls));

		if (!calls)
			abort();
		fake.calls = calls;
		fake.max_calls = max;
	}
	c = &fake.calls[fake.nr_calls++];
	memset(c, 0, sizeof(*c));
	c->fd_kind = f->kind;
	c->vp = f->vp;
	c->request = request;
	if ((_IOC_DIR(request) & _IOC_WRITE) && arg) {
		c->arg_len = size < sizeof(c->arg) ? size : sizeof(c->arg);
		memcpy(c->arg, arg, c->arg_len);
	}
	switch (request) {
	case UP_ROOT_HVCALL:
		c->data_len = get_le(c->arg, 4, 2);
		c->data = copy_bytes((void *)(uintptr_t)get_le(c->arg, 16, 8), c->data_len);
		break;
	case MAR_GET_VP_REGISTERS:
	case MAR_SET_VP_REGISTERS:
		c->data_len = 32 * get_le(c->arg, 0, 4);
		c->data = copy_bytes((void *)(uintptr_t)get_le(c->arg, 8, 8), c->data_len);
		break;
	case UP_SET_MSI_ROUTING:
	case MAR_SET_MSI_ROUTING:
		c->data_len = 16 * get_le(c->arg, 0, 4);
		c->data = copy_bytes((uint8_t *)arg + 8, c->data_len);
		break;
	}
	return c;
}

unsigned int fake_mshv_nr_calls(void)
{
	return fake.nr_calls;
}

const struct fake_mshv_call *fake_mshv_call(unsigned int i)
{
	return i < fake.nr_calls ? &fake.calls[i] : NULL;
}

const struct fake_mshv_call *fake_mshv_find(unsigned long request, unsigned int nth)
{
	for (unsigned int i = 0; i < fake.nr_calls; i++)
		if (fake.calls[i].request == request && !nth--)
			return &fake.calls[i];
	return NULL;
}

unsigned int fake_mshv_count(unsigned long request)
{
	unsigned int n = 0;

	while (fake_mshv_find(request, n))
		n++;
	return n;
}

const struct fake_mshv_call *fake_mshv_find_hvcall(uint16_t code, unsigned int nth)
{
	for (unsigned int i = 0; i < fake.nr_calls; i++)
		if (fake.calls[i].request == UP_ROOT_HVCALL &&
		    get_le(fake.calls[i].arg, 0, 2) == code && !nth--)
			return &fake.calls[i];
	return NULL;
}

/* ---- The VP's state ---- */

static struct fake_reg *reg(unsigned int vp, uint32_t name)
{
	for (unsigned int i = 0; i < fake.nr_regs[vp]; i++)
		if (fake.regs[vp][i].name == name)
			return &fake.regs[vp][i];
	if (fake.nr_regs[vp] == MAX_REGS)
		abort();
	fake.regs[vp][fake.nr_regs[vp]] = (struct fake_reg){ .name = name };
	return &fake.regs[vp][fake.nr_regs[vp]++];
}

void fake_mshv_set_reg(unsigned int vp, uint32_t name, uint64_t value)
{
	put_le(reg(vp, name)->value, 0, value, 8);
}

uint64_t fake_mshv_get_reg(unsigned int vp, uint32_t name)
{
	return get_le(reg(vp, name)->value, 0, 8);
}

uint8_t *fake_mshv_register_page(unsigned int vp)
{
	return vp < FAKE_MSHV_MAX_VPS ? fake.register_page[vp] : NULL;
}

int fake_mshv_irqfd(unsigned int gsi)
{
	return gsi < MAX_GSIS ? fake.irqfd[gsi] : -1;
}

void fake_mshv_push_message(unsigned int vp, const uint8_t msg[256])
{
	struct script_entry *e = &fake.script[vp].entries[fake.script[vp].tail++ % MAX_SCRIPT];

	e->err = 0;
	memcpy(e->msg, msg, sizeof(e->msg));
}

void fake_mshv_push_errno(unsigned int vp, int err)
{
	fake.script[vp].entries[fake.script[vp].tail++ % MAX_SCRIPT].err = err;
}

int fake_mshv_fastpath_fd(void)
{
	return new_file(FAKE_FD_FASTPATH_VM, 0);
}

/* ---- Answers ---- */

static int run_vp(unsigned int vp, void *buf)
{
	struct script_entry *e;

	if (fake.script[vp].head == fake.script[vp].tail)
		return -EINTR;
	e = &fake.script[vp].entries[fake.script[vp].head++ % MAX_SCRIPT];
	if (e->err)
		return -e->err;
	memcpy(buf, e->msg, sizeof(e->msg));
	return 0;
}

/* Upstream's pass-through hypercall: the register calls and translation. */
static int root_hvcall(struct fake_file *f, uint8_t *arg)
{
	uint16_t code = get_le(arg, 0, 2), reps = get_le(arg, 2, 2);
	uint8_t *in = (uint8_t *)(uintptr_t)get_le(arg, 16, 8);
	uint8_t *out = (uint8_t *)(uintptr_t)get_le(arg, 24, 8);

	if (get_le(arg, 8, 2) || get_le(arg, 4, 2) < 8 || get_le(arg, 4, 2) > 4096)
		return -EINVAL;
	switch (code) {
	case HVCALL_GET_VP_REGISTERS:
		for (unsigned int i = 0; i < reps; i++)
			memcpy(out + 16 * i, reg(f->vp, get_le(in, 16 + 4 * i, 4))->value, 16);
		break;
	case HVCALL_SET_VP_REGISTERS:
		for (unsigned int i = 0; i < reps; i++)
			memcpy(reg(f->vp, get_le(in, 16 + 32 * i, 4))->value, in + 16 + 32 * i + 16,
			       16);
		break;
	case HVCALL_TRANSLATE_VA:
		put_le(out, 0, 0, 8);
		put_le(out, 8, get_le(in, 24, 8) - fake.config.gva_offset / 4096, 8);
		break;
	}
	put_le(arg, 2, reps, 2);	/* reps completed: all */
	return 0;
}

static int mariner_registers(struct fake_file *f, uint8_t *arg, bool set)
{
	uint8_t *regs = (uint8_t *)(uintptr_t)get_le(arg, 8, 8);
	uint32_t count = get_le(arg, 0, 4);

	if (count > 128)
		return -EINVAL;
	for (uint32_t i = 0; i < count; i++) {
		struct fake_reg *r = reg(f->vp, get_le(regs, 32 * i, 4));

		if (set)
			memcpy(r->value, regs + 32 * i + 16, 16);
		else
			memcpy(regs + 32 * i + 16, r->value, 16);
	}
	return 0;
}

static int mariner_translate(uint8_t *arg)
{
	put_le((uint8_t *)(uintptr_t)get_le(arg, 16, 8), 0, 0, 8);
	put_le((uint8_t *)(uintptr_t)get_le(arg, 24, 8), 0,
	       get_le(arg, 0, 8) - fake.config.gva_offset, 8);
	return 0;
}

static int irqfd(uint8_t *arg)
{
	uint32_t gsi = get_le(arg, 8, 4);

	if (gsi >= MAX_GSIS)
		return -EINVAL;
	fake.irqfd[gsi] = (int32_t)get_le(arg, 0, 4);
	return 0;
}

static int dev_ioctl(unsigned long request, uint8_t *arg)
{
	switch (fake.config.abi) {
	case FAKE_MSHV_UPSTREAM:
		if (request != UP_CREATE_PARTITION)
			return -ENOTTY;
		if (get_le(arg, 0, 8) & ~0x3fULL || get_le(arg, 8, 8))
			return -EINVAL;
		return new_file(FAKE_FD_VM, 0);
	case FAKE_MSHV_MARINER:
		if (request == MAR_CHECK_EXTENSION) {
			switch (get_le(arg, 0, 4)) {
			case 0:		/* CORE_API_STABLE */
				return 1;
			case 1:		/* REGISTER_PAGE */
				return !fake.config.no_register_page;
			default:
				return -EINVAL;
			}
		}
		return request == MAR_CREATE_PARTITION ? new_file(FAKE_FD_VM, 0) : -ENOTTY;
	default:
		return -fake.config.unknown_errno;
	}
}

static int vm_ioctl(unsigned long request, uint8_t *arg)
{
	bool up = fake.config.abi == FAKE_MSHV_UPSTREAM;
	uint32_t vp = arg ? get_le(arg, 0, 4) : 0;

	if (up) {
		switch (request) {
		case UP_INITIALIZE_PARTITION:
		case UP_SET_GUEST_MEMORY:
		case UP_IOEVENTFD:
		case UP_SET_MSI_ROUTING:
			return 0;
		case UP_ROOT_HVCALL:
			return root_hvcall(&(struct fake_file){ .kind = FAKE_FD_VM }, arg);
		case UP_IRQFD:
			return irqfd(arg);
		case UP_CREATE_VP:
			return vp < FAKE_MSHV_MAX_VPS ? new_file(FAKE_FD_VP, vp) : -EINVAL;
		}
		return -ENOTTY;
	}
	switch (request) {
	case MAR_MAP_GUEST_MEMORY:
	case MAR_IOEVENTFD:
	case MAR_SET_MSI_ROUTING:
	case MAR_SET_PARTITION_PROPERTY:
		return 0;
	case MAR_IRQFD:
		return irqfd(arg);
	case MAR_CREATE_VP:
		return vp < FAKE_MSHV_MAX_VPS ? new_file(FAKE_FD_VP, vp) : -EINVAL;
	}
	return -ENOTTY;
}

static int vp_ioctl(struct fake_file *f, unsigned long request, uint8_t *arg)
{
	if (fake.config.abi == FAKE_MSHV_UPSTREAM) {
		if (request == UP_RUN_VP)
			return run_vp(f->vp, arg);
		return request == UP_ROOT_HVCALL ? root_hvcall(f, arg) : -ENOTTY;
	}
	switch (request) {
	case MAR_RUN_VP:
		return run_vp(f->vp, arg);
	case MAR_GET_VP_REGISTERS:
		return mariner_registers(f, arg, false);
	case MAR_SET_VP_REGISTERS:
		return mariner_registers(f, arg, true);
	case MAR_TRANSLATE_GVA:
		return mariner_translate(arg);
	}
	return -ENOTTY;
}

static int fastpath_ioctl(struct fake_file *f, unsigned long request, uint8_t *arg)
{
	if (f->kind == FAKE_FD_FASTPATH_VM && request == MSHV_FP_ATTACH_VCPU) {
		struct mshv_fp_attach attach;

		memcpy(&attach, arg, sizeof(attach));
		if (attach.vcpu_id >= FAKE_MSHV_MAX_VPS || !find_file(attach.vcpu_fd))
			return -EINVAL;
		fake.user_area[attach.vcpu_id] = attach.user_area;
		return new_file(FAKE_FD_FASTPATH_VP, attach.vcpu_id);
	}
	if (f->kind == FAKE_FD_FASTPATH_VP && request == MSHV_FP_RUN)
		return run_vp(f->vp, (void *)(uintptr_t)fake.user_area[f->vp]);
	return -ENOTTY;
}

int __wrap_ioctl(int fd, unsigned long request, ...)
{
	struct fake_file *f = find_file(fd);
	uint8_t *arg;
	va_list ap;
	int ret;

	va_start(ap, request);
	arg = va_arg(ap, uint8_t *);
	va_end(ap);
	if (!f)
		return __real_ioctl(fd, request, arg);
	record(f, request, arg);
	switch (f->kind) {
	case FAKE_FD_DEV:
		ret = dev_ioctl(request, arg);
		break;
	case FAKE_FD_VM:
		ret = vm_ioctl(request, arg);
		break;
	case FAKE_FD_VP:
		ret = vp_ioctl(f, request, arg);
		break;
	default:
		ret = fastpath_ioctl(f, request, arg);
	}
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return ret;
}
