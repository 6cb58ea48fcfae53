/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandem - activity log transactions and their replay (pure logic).
 *
 * The activity log (AL) names the 4 MiB extents of the data area that may
 * have writes in flight. A write to an extent not in the AL waits until a
 * transaction naming it is on disk; an extent leaves the AL only after
 * the bitmap blocks covering it are on disk. After a crash, the extents
 * of the replayed AL are marked out of sync towards every peer: outside
 * them, the bitmaps on disk are complete.
 *
 * The AL area is a ring of TANDEM_AL_BYTES / 4096 transaction blocks,
 * written in turn. Each block (big-endian) holds:
 *
 *   0   magic      TANDEM_AL_MAGIC
 *   4   checksum   CRC32C of the block with this field zero
 *   8   seq        transaction number, increasing, never 0
 *   16  nr_slots   AL size in extents (al-extents) when written
 *   20  n_updates  slot changes made by this transaction
 *   22  ctx_count  context entries
 *   24  ctx_start  first slot of the context window
 *   28  reserved   0
 *   32  updates    n_updates x { be32 slot, be32 extent }
 *   544 context    ctx_count x be32 extent, slots ctx_start...
 *
 * An extent number TANDEM_AL_NO_EXTENT marks a free slot. Every block
 * records the table after its own updates: the changed slots, and a
 * window of the whole table that moves on with every transaction, sized
 * so that the newest ring-size-minus-one blocks cover every slot. Replay
 * applies the valid blocks oldest first; a torn newest block is simply
 * invalid (the writes it would have admitted were never submitted).
 */
#ifndef _TANDEM_AL_H
#define _TANDEM_AL_H

#include "tandem_lib.h"
#include "../uapi/tandem_meta.h"

#define TANDEM_AL_MAGIC		0x544e414cU	/* "TNAL" */
#define TANDEM_AL_BLOCK_BYTES	4096U
#define TANDEM_AL_BLOCKS	(TANDEM_AL_BYTES / TANDEM_AL_BLOCK_BYTES)
#define TANDEM_AL_MAX_UPDATES	64U
#define TANDEM_AL_CTX_OFFSET	(32U + TANDEM_AL_MAX_UPDATES * 8U)
#define TANDEM_AL_MAX_CTX	((TANDEM_AL_BLOCK_BYTES - TANDEM_AL_CTX_OFFSET) / 4U)
#define TANDEM_AL_NO_EXTENT	0xffffffffU
/* Bitmap bits per AL extent. */
#define TANDEM_AL_BITS_PER_EXTENT (TANDEM_AL_EXTENT_BYTES / TANDEM_BM_BLOCK_BYTES)

/**
 * struct tandem_al_update - one slot change of a transaction
 * @slot: slot number, below the AL size
 * @extent: new extent of the slot, or TANDEM_AL_NO_EXTENT
 */
struct tandem_al_update {
	u32 slot;
	u32 extent;
};

/**
 * tandem_al_ctx_per_block() - context window size for an AL size
 * @nr_slots: al-extents
 *
 * Return: entries each transaction carries, so that the newest
 * TANDEM_AL_BLOCKS - 1 transactions cover all @nr_slots slots.
 */
u32 tandem_al_ctx_per_block(u32 nr_slots);

/**
 * tandem_al_encode() - build one transaction block
 * @block: TANDEM_AL_BLOCK_BYTES bytes, overwritten
 * @seq: transaction number (non-zero)
 * @table: the whole table after the updates, @nr_slots entries
 * @nr_slots: AL size
 * @updates: slot changes, at most TANDEM_AL_MAX_UPDATES
 * @n_updates: their number
 * @ctx_start: first slot of the context window (< @nr_slots)
 *
 * The window holds tandem_al_ctx_per_block(@nr_slots) entries, wrapping
 * around at @nr_slots (fewer if @nr_slots is smaller).
 *
 * Return: the slot after the window (where the next one starts), or a
 * negative value if an argument is out of range.
 */
int tandem_al_encode(unsigned char *block, u64 seq, const u32 *table,
		     u32 nr_slots, const struct tandem_al_update *updates,
		     u32 n_updates, u32 ctx_start);

/**
 * struct tandem_al_replay - result of reading an AL ring
 * @valid: blocks that passed the checks
 * @nr_slots: AL size the newest valid block was written with (0: none)
 * @max_seq: highest transaction number seen (0: none)
 * @active: extents in the replayed table (not free slots)
 */
struct tandem_al_replay {
	u32 valid;
	u32 nr_slots;
	u64 max_seq;
	u32 active;
};

/**
 * tandem_al_replay() - rebuild the AL table from the ring
 * @ring: TANDEM_AL_BLOCKS blocks as read from disk
 * @table: TANDEM_AL_EXTENTS_MAX entries, filled in (free slots are
 *         TANDEM_AL_NO_EXTENT)
 * @out: summary
 *
 * Blocks with a bad magic or checksum, or fields out of range, are
 * ignored; so are blocks written with another AL size than the newest
 * valid one. The rest are applied in transaction order.
 */
void tandem_al_replay(const unsigned char *ring, u32 *table,
		      struct tandem_al_replay *out);

/**
 * tandem_al_mark_extent() - set the bitmap bits of one AL extent
 * @bm: an on-disk bitmap slot: bit n is bit (n % 8) of byte n / 8
 *      (little-endian 64-bit words)
 * @bm_bits: bits in the slot that cover data
 * @extent: extent number
 *
 * Return: bits that were clear and are now set.
 */
u64 tandem_al_mark_extent(unsigned char *bm, u64 bm_bits, u32 extent);

#endif /* _TANDEM_AL_H */
