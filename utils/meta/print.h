/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandemmeta - printing a superblock for people (key: value lines) and
 * for programs (one JSON object).
 */
#ifndef TANDEM_UTILS_META_PRINT_H
#define TANDEM_UTILS_META_PRINT_H

#include <stdint.h>
#include <stdio.h>

#include "kernel/lib/md_layout.h"
#include "meta/area.h"

/**
 * struct meta_where - where a superblock was read from
 * @device: path of the device holding the area
 * @md_offset: byte offset of the area on @device
 * @sb_offset: byte offset of the superblock on @device
 */
struct meta_where {
	const char *device;
	uint64_t md_offset;
	uint64_t sb_offset;
};

/**
 * struct meta_state - what dump-md reads besides the superblock
 * @al: the activity log ring, replayed
 * @bits_set: bits set in each bitmap slot in use (others 0)
 */
struct meta_state {
	const struct meta_al *al;
	uint64_t bits_set[TANDEM_MD_MAX_PEERS];
};

/* "1.50 GiB"; @buf of at least 32 bytes. Returns @buf. */
const char *meta_fmt_size(char *buf, size_t len, uint64_t bytes);

/* The disk state the flags stand for: Inconsistent, Outdated, ... */
const char *meta_disk_state(uint32_t flags);

/* "CONSISTENT|AL_CLEAN", or "none"; @buf of at least 128 bytes. */
const char *meta_flags_str(char *buf, size_t len, uint32_t flags, int peer);

/*
 * @state may be NULL when the bitmaps and the AL could not be read: the
 * lines (keys) about them are left out.
 */
void meta_print_dump(FILE *out, const struct tandem_md_info *info,
		     const struct meta_where *where,
		     const struct meta_state *state);
void meta_print_dump_json(FILE *out, const struct tandem_md_info *info,
			  const struct meta_where *where,
			  const struct meta_state *state);
void meta_print_gi(FILE *out, const struct tandem_md_info *info);
void meta_print_gi_json(FILE *out, const struct tandem_md_info *info);

#endif
