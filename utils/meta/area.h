/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandemmeta - the bitmap slots and the activity log of a metadata area
 * (docs/METADATA.md): reading the AL ring, marking its extents in a
 * bitmap slot, rewriting it empty, counting a slot's bits.
 */
#ifndef TANDEM_UTILS_META_AREA_H
#define TANDEM_UTILS_META_AREA_H

#include <stdint.h>

#include "kernel/lib/al.h"
#include "kernel/lib/md_layout.h"
#include "meta/dev.h"

/**
 * struct meta_al - an activity log ring as read from disk
 * @rp: replay summary (tandem_al_replay())
 * @table: replayed table, TANDEM_AL_EXTENTS_MAX entries
 * @extents: the extents of @table, ascending, each once
 * @n_extents: their number (@rp.active, unless the ring named one twice)
 */
struct meta_al {
	struct tandem_al_replay rp;
	uint32_t table[TANDEM_AL_EXTENTS_MAX];
	uint32_t extents[TANDEM_AL_EXTENTS_MAX];
	uint32_t n_extents;
};

/* Bits of a bitmap slot that cover data: one per 4 KiB, rounded up. */
uint64_t meta_bm_bits(const struct tandem_md_info *info);

/* Byte offset of bitmap slot @slot / of the AL, for an area at @md_off. */
uint64_t meta_bm_slot_offset(const struct tandem_md_info *info,
			     uint64_t md_off, unsigned int slot);
uint64_t meta_al_offset(const struct tandem_md_info *info, uint64_t md_off);

/* Read and replay the AL ring. Returns 0, or -1 (said why). */
int meta_al_read(const struct meta_dev *d, uint64_t al_off,
		 struct meta_al *al);

/*
 * Set the bits of @n extents (ascending) in the bitmap slot at @slot_off
 * covering @bm_bits bits: each 4 KiB bitmap block concerned is read,
 * marked and, if anything changed, written back. @marked gets the bits
 * newly set. Returns 0, or -1 (said why).
 */
int meta_bm_mark(const struct meta_dev *d, uint64_t slot_off,
		 uint64_t bm_bits, const uint32_t *extents, uint32_t n,
		 uint64_t *marked);

/*
 * Write the whole ring as TANDEM_AL_BLOCKS empty transactions of an AL of
 * @nr_slots extents, numbered on from @last_seq (each in the ring block
 * the module would put it in). No fsync. Returns 0, or -1 (said why).
 */
int meta_al_write_empty(const struct meta_dev *d, uint64_t al_off,
			uint32_t nr_slots, uint64_t last_seq);

/*
 * Count the bits set among the first @bm_bits bits of the bitmap slot at
 * @slot_off. Holes of a regular file are not read. Returns 0, or -1.
 */
int meta_bm_count(const struct meta_dev *d, uint64_t slot_off,
		  uint64_t bm_bits, uint64_t *count);

#endif
