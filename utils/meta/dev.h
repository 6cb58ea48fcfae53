/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandemmeta - the devices (or regular files) metadata is read from and
 * written to, and how META is spelled on the command line.
 */
#ifndef TANDEM_UTILS_META_DEV_H
#define TANDEM_UTILS_META_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * struct meta_spec - META as given: internal, PATH, or PATH[N]
 * @kind: enum tandem_md_kind
 * @index: slot number (indexed only)
 * @path: the meta device (NULL for internal), allocated
 */
struct meta_spec {
	unsigned int kind;
	unsigned int index;
	char *path;
};

/* Parse META. Returns 0, or -1 with a message in @err. */
int meta_spec_parse(const char *arg, struct meta_spec *spec, char *err,
		    size_t errlen);
void meta_spec_free(struct meta_spec *spec);

/**
 * struct meta_dev - an open device or regular file
 * @path: as given by the user
 * @fd: open descriptor, -1 when closed
 * @bytes: size in bytes
 * @is_blk: a block device (opened O_EXCL)
 */
struct meta_dev {
	const char *path;
	int fd;
	uint64_t bytes;
	bool is_blk;
};

/*
 * Open @path for reading, or for reading and writing. A block device is
 * opened exclusively, so one that is mounted, attached or otherwise held
 * is refused. On failure prints why and returns -1.
 */
int meta_dev_open(struct meta_dev *d, const char *path, bool write);
void meta_dev_close(struct meta_dev *d);

/* Whether two open devices are the same file or block device. */
bool meta_dev_same(const struct meta_dev *a, const struct meta_dev *b);

/* Whole transfers; on failure they print why and return -1. */
int meta_dev_read(const struct meta_dev *d, void *buf, size_t len,
		  uint64_t off);
int meta_dev_write(const struct meta_dev *d, const void *buf, size_t len,
		   uint64_t off);
int meta_dev_zero(const struct meta_dev *d, uint64_t off, uint64_t len);
int meta_dev_sync(const struct meta_dev *d);

/*
 * Look for a non-zero byte in [off, off + len). Returns 1 and sets @at
 * when one is found, 0 when all are zero, -1 on a read error.
 */
int meta_dev_find_nonzero(const struct meta_dev *d, uint64_t off,
			  uint64_t len, uint64_t *at);

#endif
