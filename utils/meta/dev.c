// SPDX-License-Identifier: GPL-2.0
/*
 * tandemmeta - device access and the META argument.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/uapi/tandem_meta.h"
#include "meta/dev.h"

#define CHUNK (1U << 20)

int meta_spec_parse(const char *arg, struct meta_spec *spec, char *err,
		    size_t errlen)
{
	size_t len = strlen(arg);
	const char *open_br;

	memset(spec, 0, sizeof(*spec));
	if (!len) {
		snprintf(err, errlen, "META is empty");
		return -1;
	}
	if (!strcmp(arg, "internal")) {
		spec->kind = TANDEM_MD_INTERNAL;
		return 0;
	}
	open_br = strrchr(arg, '[');
	if (arg[len - 1] == ']' && open_br) {
		const char *p = open_br + 1;
		unsigned long long n = 0;

		if (open_br == arg) {
			snprintf(err, errlen, "META '%s' has no device path",
				 arg);
			return -1;
		}
		if (p == arg + len - 1) {
			snprintf(err, errlen, "META '%s': missing index", arg);
			return -1;
		}
		for (; p < arg + len - 1; p++) {
			if (*p < '0' || *p > '9') {
				snprintf(err, errlen,
					 "META '%s': index is not a number",
					 arg);
				return -1;
			}
			n = n * 10 + (unsigned int)(*p - '0');
			if (n > UINT_MAX) {
				snprintf(err, errlen,
					 "META '%s': index too large", arg);
				return -1;
			}
		}
		spec->kind = TANDEM_MD_INDEXED;
		spec->index = (unsigned int)n;
		spec->path = strndup(arg, (size_t)(open_br - arg));
	} else {
		spec->kind = TANDEM_MD_FLEXIBLE;
		spec->path = strdup(arg);
	}
	if (!spec->path) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void meta_spec_free(struct meta_spec *spec)
{
	free(spec->path);
	spec->path = NULL;
}

int meta_dev_open(struct meta_dev *d, const char *path, bool write)
{
	int flags = (write ? O_RDWR : O_RDONLY) | O_CLOEXEC;
	struct stat st;

	d->path = path;
	d->fd = -1;
	d->bytes = 0;
	d->is_blk = false;
	if (stat(path, &st) < 0) {
		fprintf(stderr, "tandemmeta: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISBLK(st.st_mode)) {
		d->is_blk = true;
		flags |= O_EXCL;
	} else if (!S_ISREG(st.st_mode)) {
		fprintf(stderr,
			"tandemmeta: %s: neither a block device nor a regular file\n",
			path);
		return -1;
	}
	d->fd = open(path, flags);
	if (d->fd < 0) {
		if (errno == EBUSY)
			fprintf(stderr,
				"tandemmeta: %s: device is in use (mounted, attached to tandem, or held by another program)\n",
				path);
		else
			fprintf(stderr, "tandemmeta: %s: %s\n", path,
				strerror(errno));
		return -1;
	}
	if (d->is_blk) {
		if (ioctl(d->fd, BLKGETSIZE64, &d->bytes) < 0) {
			fprintf(stderr, "tandemmeta: %s: cannot get size: %s\n",
				path, strerror(errno));
			meta_dev_close(d);
			return -1;
		}
	} else {
		d->bytes = (uint64_t)st.st_size;
	}
	return 0;
}

void meta_dev_close(struct meta_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

bool meta_dev_same(const struct meta_dev *a, const struct meta_dev *b)
{
	struct stat sa, sb;

	if (fstat(a->fd, &sa) < 0 || fstat(b->fd, &sb) < 0)
		return false;
	if (a->is_blk && b->is_blk)
		return sa.st_rdev == sb.st_rdev;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int meta_dev_read(const struct meta_dev *d, void *buf, size_t len,
		  uint64_t off)
{
	char *p = buf;

	while (len) {
		ssize_t n = pread(d->fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr,
				"tandemmeta: %s: read at byte %" PRIu64 ": %s\n",
				d->path, off,
				n < 0 ? strerror(errno) : "unexpected end");
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int meta_dev_write(const struct meta_dev *d, const void *buf, size_t len,
		   uint64_t off)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(d->fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr,
				"tandemmeta: %s: write at byte %" PRIu64 ": %s\n",
				d->path, off,
				n < 0 ? strerror(errno) : "nothing written");
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int write_zeroes(const struct meta_dev *d, uint64_t off, uint64_t len)
{
	char *zero = calloc(1, CHUNK);
	int ret = 0;

	if (!zero) {
		fprintf(stderr, "tandemmeta: out of memory\n");
		return -1;
	}
	while (len && !ret) {
		size_t n = len < CHUNK ? (size_t)len : CHUNK;

		ret = meta_dev_write(d, zero, n, off);
		off += n;
		len -= n;
	}
	free(zero);
	return ret;
}

/*
 * Zero a range the cheapest way the device offers: a regular file gets a
 * hole punched (no space allocated for zeroes), a block device a zero-out
 * request (which thin and SSD devices may serve without writing); either
 * falls back to writing zeroes.
 */
int meta_dev_zero(const struct meta_dev *d, uint64_t off, uint64_t len)
{
	if (!len)
		return 0;
	if (!d->is_blk) {
		if (!fallocate(d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       (off_t)off, (off_t)len))
			return 0;
	} else if (!(off % 512) && !(len % 512)) {
		uint64_t range[2] = { off, len };

		if (!ioctl(d->fd, BLKZEROOUT, range))
			return 0;
	}
	return write_zeroes(d, off, len);
}

int meta_dev_sync(const struct meta_dev *d)
{
	if (fsync(d->fd) < 0) {
		fprintf(stderr, "tandemmeta: %s: fsync: %s\n", d->path,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Read [off, off + len) looking for a non-zero byte. */
static int scan(const struct meta_dev *d, unsigned char *buf, uint64_t off,
		uint64_t len, uint64_t *at)
{
	while (len) {
		size_t n = len < CHUNK ? (size_t)len : CHUNK, i;

		if (meta_dev_read(d, buf, n, off) < 0)
			return -1;
		for (i = 0; i < n && !buf[i]; i++)
			;
		if (i < n) {
			*at = off + i;
			return 1;
		}
		off += n;
		len -= n;
	}
	return 0;
}

int meta_dev_find_nonzero(const struct meta_dev *d, uint64_t off,
			  uint64_t len, uint64_t *at)
{
	uint64_t end = off + len;
	unsigned char *buf = malloc(CHUNK);
	int ret = 0;

	if (!buf) {
		fprintf(stderr, "tandemmeta: out of memory\n");
		return -1;
	}
	/* in a regular file only the data extents can hold non-zero bytes */
	while (!d->is_blk && off < end) {
		off_t data = lseek(d->fd, (off_t)off, SEEK_DATA), hole;

		if (data < 0 && errno == ENXIO) {
			off = end;	/* only a hole up to the end of the file */
			break;
		}
		if (data < 0)
			break;		/* no SEEK_DATA: read it all */
		if ((uint64_t)data >= end) {
			off = end;
			break;
		}
		hole = lseek(d->fd, data, SEEK_HOLE);
		if (hole < 0 || (uint64_t)hole > end)
			hole = (off_t)end;
		ret = scan(d, buf, (uint64_t)data, (uint64_t)(hole - data), at);
		if (ret)
			break;
		off = (uint64_t)hole;
	}
	if (!ret && off < end)
		ret = scan(d, buf, off, end - off, at);
	free(buf);
	return ret;
}
