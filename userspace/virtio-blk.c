// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk (VIRTIO 1.2 5.2) on a raw image. Requests are handled one at
 * a time on the I/O thread with plain preadv/pwritev on the image.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/fs.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>

#include "virtio-blk.h"
#include "virtio-mmio.h"

#define SECTOR_SIZE	512
/* Header and status take a descriptor each (as QEMU and kvmtool do). */
#define BLK_SEG_MAX	(VIRTQ_MAX_SIZE - 2)
/* The used length (32 bits) counts a read's data and the status byte. */
#define BLK_MAX_DATA	(UINT32_MAX - 1)

struct virtio_blk {
	struct virtio_mmio_dev *mmio;
	int fd;
	bool read_only;
	uint64_t capacity;		/* in sectors */
	char serial[VIRTIO_BLK_ID_BYTES]; /* zero-padded, not terminated */

	/* Under the device lock: the request at hand. */
	struct virtq_chain chain;
	struct iovec data[VIRTQ_MAX_SIZE];
};

static void blk_config_read(void *dev, uint32_t offset, uint8_t *data,
			    unsigned int len)
{
	struct virtio_blk *blk = dev;
	struct virtio_blk_config cfg = {
		.capacity = htole64(blk->capacity),
		.seg_max = htole32(BLK_SEG_MAX),
	};

	memcpy(data, (uint8_t *)&cfg + offset, len);
}

/* All of @iov at @pos, however many calls it takes. 0 or -errno. */
static int rw_full(int fd, struct iovec *iov, unsigned int nr, off_t pos,
		   bool write)
{
	while (nr) {
		ssize_t n = write ? pwritev(fd, iov, nr, pos) : preadv(fd, iov, nr, pos);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;	/* the image shrank under us */
		pos += n;
		while (nr && (size_t)n >= iov->iov_len) {
			n -= iov->iov_len;
			iov++;
			nr--;
		}
		if (nr) {
			iov->iov_base = (uint8_t *)iov->iov_base + n;
			iov->iov_len -= n;
		}
	}
	return 0;
}

/* Read or write @len bytes of @iov from @offset on at @sector. */
static uint8_t blk_rw(struct virtio_blk *blk, bool write, uint64_t sector,
		      const struct iovec *iov, unsigned int nr, size_t offset,
		      uint64_t len)
{
	unsigned int nr_data;

	if (len % SECTOR_SIZE || len > BLK_MAX_DATA || sector > blk->capacity ||
	    len / SECTOR_SIZE > blk->capacity - sector)
		return VIRTIO_BLK_S_IOERR;
	nr_data = iov_slice(iov, nr, offset, len, blk->data);
	if (rw_full(blk->fd, blk->data, nr_data, sector * SECTOR_SIZE, write))
		return VIRTIO_BLK_S_IOERR;
	return VIRTIO_BLK_S_OK;
}

static int blk_request(struct virtio_blk *blk, struct virtqueue *vq)
{
	struct virtq_chain *c = &blk->chain;
	struct iovec *in = virtq_chain_in(c);
	struct virtio_blk_outhdr hdr;
	uint64_t in_data, sector;
	uint32_t written = 0;
	uint8_t status;

	/* The header leads the readable part, the status ends the writable one. */
	if (iov_to_buf(c->iov, c->nr_out, 0, &hdr, sizeof(hdr)) != sizeof(hdr) ||
	    !c->in_len)
		return virtq_fail(vq, "virtio-blk request without header or status");
	in_data = c->in_len - 1;
	sector = le64toh(hdr.sector);

	switch (le32toh(hdr.type)) {
	case VIRTIO_BLK_T_IN:
		status = blk_rw(blk, false, sector, in, c->nr_in, 0, in_data);
		if (status == VIRTIO_BLK_S_OK)
			written = in_data;
		break;
	case VIRTIO_BLK_T_OUT:
		status = blk->read_only ? VIRTIO_BLK_S_IOERR :
			 blk_rw(blk, true, sector, c->iov, c->nr_out, sizeof(hdr),
				c->out_len - sizeof(hdr));
		break;
	case VIRTIO_BLK_T_FLUSH:
		status = fdatasync(blk->fd) ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_GET_ID:
		written = iov_from_buf(in, c->nr_in, 0, blk->serial,
				       in_data < sizeof(blk->serial) ? in_data :
								       sizeof(blk->serial));
		status = VIRTIO_BLK_S_OK;
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	/* Last: the driver takes the status byte as the completion. */
	iov_from_buf(in, c->nr_in, in_data, &status, 1);
	virtq_push(vq, c, written + 1);
	return 0;
}

static int blk_queue_notify(void *dev, unsigned int index, struct virtqueue *vq)
{
	struct virtio_blk *blk = dev;
	int ret;

	(void)index;	/* one queue */
	while ((ret = virtq_pop(vq, &blk->chain)) > 0) {
		ret = blk_request(blk, vq);
		if (ret < 0)
			return ret;
	}
	return ret;
}

static const struct virtio_device_ops blk_ops = {
	.device_id = VIRTIO_ID_BLOCK,
	.nr_queues = 1,
	.config_size = sizeof(struct virtio_blk_config),
	.config_read = blk_config_read,
	.queue_notify = blk_queue_notify,
};

/* Bytes in the image, or negative with @err filled. */
static int64_t image_size(int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;
	uint64_t size;

	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot stat disk image %s: %s", path, strerror(errno));
		return -EIO;
	}
	if (S_ISREG(st.st_mode))
		return st.st_size;
	if (!S_ISBLK(st.st_mode)) {
		snprintf(err, errlen, "disk image %s is not a regular file or block device",
			 path);
		return -EINVAL;
	}
	if (ioctl(fd, BLKGETSIZE64, &size) < 0) {
		snprintf(err, errlen, "cannot get the size of %s: %s", path, strerror(errno));
		return -EIO;
	}
	return size;
}

static int open_image(struct virtio_blk *blk, const char *path, char *err,
		      size_t errlen)
{
	int64_t size;

	blk->fd = open(path, (blk->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (blk->fd < 0) {
		snprintf(err, errlen, "cannot open disk image %s: %s", path, strerror(errno));
		return -1;
	}
	size = image_size(blk->fd, path, err, errlen);
	if (size < 0)
		return -1;
	blk->capacity = size / SECTOR_SIZE;
	if (!blk->capacity) {
		snprintf(err, errlen, "disk image %s is empty (smaller than one %d-byte sector)",
			 path, SECTOR_SIZE);
		return -1;
	}
	/* Readers share, a writer is alone: two VMs never write one image. */
	if (flock(blk->fd, (blk->read_only ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			snprintf(err, errlen, "disk image %s is in use by another VM%s", path,
				 blk->read_only ? " for writing" : "");
		else
			snprintf(err, errlen, "cannot lock disk image %s: %s", path,
				 strerror(errno));
		return -1;
	}
	return 0;
}

struct virtio_blk *virtio_blk_create(struct vm *vm, uint64_t base,
				     struct irq_line *irq, const char *path,
				     bool read_only, unsigned int index,
				     char *err, size_t errlen)
{
	struct virtio_blk *blk = calloc(1, sizeof(*blk));
	const char *slash = strrchr(path, '/');
	const char *serial = slash ? slash + 1 : path;
	uint64_t features = (1ULL << VIRTIO_BLK_F_FLUSH) | (1ULL << VIRTIO_BLK_F_SEG_MAX);
	char name[32];

	if (!blk) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	blk->read_only = read_only;
	if (open_image(blk, path, err, errlen) < 0)
		goto fail;
	memcpy(blk->serial, serial, strnlen(serial, sizeof(blk->serial)));
	if (read_only)
		features |= 1ULL << VIRTIO_BLK_F_RO;
	snprintf(name, sizeof(name), "virtio-blk%u", index);
	blk->mmio = virtio_mmio_create(vm, base, irq, &blk_ops, features, blk, name,
				       err, errlen);
	if (!blk->mmio)
		goto fail;
	return blk;

fail:
	if (blk->fd >= 0)
		close(blk->fd);
	free(blk);
	return NULL;
}

void virtio_blk_destroy(struct virtio_blk *blk)
{
	if (!blk)
		return;
	virtio_mmio_destroy(blk->mmio);
	close(blk->fd);
	free(blk);
}
