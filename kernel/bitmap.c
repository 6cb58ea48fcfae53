// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - out-of-sync bitmaps, in memory and in the metadata area.
 *
 * Each peer device holds one bit per 4 KiB block of the data area: set
 * when the block may differ on that peer. The bitmap lives in memory
 * while the disk is attached; its copy on disk is the peer's slot of the
 * metadata area (docs/METADATA.md), little-endian 64-bit words, bit n of
 * the slot for block n.
 *
 * Every change marks the 4 KiB bitmap block it falls in dirty; dirty
 * blocks are written back when an extent leaves the activity log (so
 * that outside the AL the bitmap on disk is complete), when a connection
 * is lost, when a resync ends or makes progress, and on detach, which
 * writes every block. Writes are FUA: when tandem_bm_write() returns, the
 * blocks are stable.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "tandem_int.h"

#define BM_SECT		(TANDEM_BM_BLOCK_BYTES >> 9)	/* sectors per bit */
#define BM_PAGE_BITS	(TANDEM_BM_BLOCK_BYTES * 8)	/* bits per block */
#define BM_PAGE_LONGS	(BM_PAGE_BITS / BITS_PER_LONG)

static u64 bm_pages(u64 bits)
{
	return DIV_ROUND_UP(bits, BM_PAGE_BITS);
}

/* Byte offset of block @page of metadata slot @idx on the meta device. */
static u64 slot_block_offset(struct tandem_device *d, u32 idx, u64 page)
{
	const struct tandem_md_info *md = &d->md.info;

	return d->md.layout.md_offset +
	       (md->bm_offset_sect + (u64)idx * md->bm_slot_sect) * 512 +
	       page * TANDEM_BM_BLOCK_BYTES;
}

/* Index of @pd's slot in the metadata, or -1 if it has none. */
static int slot_index(struct tandem_peer_device *pd)
{
	struct tandem_device *d = pd->device;
	struct tandem_md_peer_info *slot;

	slot = tandem_md_peer_slot(d, pd->connection->peer_node_id, false);
	return slot ? slot - d->md.info.peers : -1;
}

/* One block of an in-memory bitmap to/from its little-endian disk form. */
static void bm_to_disk(const unsigned long *bm, u64 page, __le64 *out,
		       unsigned int longs)
{
	const unsigned long *src = bm + page * BM_PAGE_LONGS;
	unsigned int i;

	BUILD_BUG_ON(BITS_PER_LONG != 64);
	for (i = 0; i < longs; i++)
		out[i] = cpu_to_le64(src[i]);
}

static void bm_from_disk(unsigned long *bm, u64 page, const __le64 *in,
			 unsigned int longs)
{
	unsigned long *dst = bm + page * BM_PAGE_LONGS;
	unsigned int i;

	for (i = 0; i < longs; i++)
		dst[i] = le64_to_cpu(in[i]);
}

/* Load @pd's bitmap from its slot; bits beyond the data area are zero. */
static int bm_read(struct tandem_peer_device *pd, unsigned long *bm,
		   u64 bits, int idx)
{
	struct tandem_device *d = pd->device;
	u64 p, n = bm_pages(bits), longs = BITS_TO_LONGS(bits);
	struct page *page;
	int err = 0;

	page = alloc_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	for (p = 0; p < n; p++) {
		err = tandem_md_io(d, slot_block_offset(d, idx, p), page,
				   REQ_OP_READ | REQ_SYNC);
		if (err)
			break;
		bm_from_disk(bm, p, page_address(page),
			     min_t(u64, BM_PAGE_LONGS, longs - p * BM_PAGE_LONGS));
	}
	__free_page(page);
	if (bits % BITS_PER_LONG)
		bm[longs - 1] &= BITMAP_LAST_WORD_MASK(bits);
	return err;
}

/**
 * tandem_bm_alloc() - set up a peer device's bitmap from the metadata
 * @pd: peer device of an attached device
 *
 * A peer with a metadata slot gets the slot's bits; a peer without one
 * (never connected) starts clean.
 *
 * Context: process context. Return: 0 or a negative errno.
 */
int tandem_bm_alloc(struct tandem_peer_device *pd)
{
	struct tandem_device *d = pd->device;
	u64 bits = DIV_ROUND_UP(tandem_data_sectors(d), BM_SECT), weight;
	unsigned long *bm, *dirty;
	int idx = slot_index(pd), err;

	bm = kvcalloc(BITS_TO_LONGS(bits), sizeof(long), GFP_KERNEL);
	dirty = bitmap_zalloc(bm_pages(bits), GFP_KERNEL);
	if (!bm || !dirty) {
		err = -ENOMEM;
		goto out_free;
	}
	if (idx >= 0) {
		err = bm_read(pd, bm, bits, idx);
		if (err) {
			pr_err("%s/%u: reading the bitmap of peer %u failed (%d)\n",
			       d->resource->name, d->volume,
			       pd->connection->peer_node_id, err);
			goto out_free;
		}
	}
	weight = bitmap_weight(bm, bits);
	spin_lock_irq(&d->resource->lock);
	kvfree(pd->bitmap);
	bitmap_free(pd->bm_dirty);
	pd->bitmap = bm;
	pd->bm_dirty = dirty;
	pd->bm_bits = bits;
	pd->oos_bits = weight;
	spin_unlock_irq(&d->resource->lock);
	if (weight)
		pr_info("%s/%u peer %u: %llu KiB marked out of sync on disk\n",
			d->resource->name, d->volume,
			pd->connection->peer_node_id, weight * 4);
	return 0;

out_free:
	bitmap_free(dirty);
	kvfree(bm);
	return err;
}

void tandem_bm_free(struct tandem_peer_device *pd)
{
	unsigned long *bm, *dirty;

	spin_lock_irq(&pd->device->resource->lock);
	bm = pd->bitmap;
	dirty = pd->bm_dirty;
	pd->bitmap = NULL;
	pd->bm_dirty = NULL;
	pd->bm_bits = 0;
	pd->oos_bits = 0;
	spin_unlock_irq(&pd->device->resource->lock);
	bitmap_free(dirty);
	kvfree(bm);
}

/*
 * Write @pd's dirty (or @all) bitmap blocks. The caller keeps the disk
 * attached (it holds a disk pin, an application request, or is detach)
 * and holds the device's md_io_mutex, which also keeps @pd on the
 * device's list.
 */
static int bm_write(struct tandem_peer_device *pd, bool all)
{
	struct tandem_device *d = pd->device;
	struct tandem_resource *r = d->resource;
	struct page *page;
	u64 p, n, longs;
	int idx, err = 0;

	lockdep_assert_held(&d->md_io_mutex);
	page = alloc_page(GFP_NOIO);
	if (!page)
		return -ENOMEM;
	idx = d->md.bdev ? slot_index(pd) : -1;
	n = bm_pages(pd->bm_bits);
	longs = BITS_TO_LONGS(pd->bm_bits);
	for (p = 0; idx >= 0 && p < n; p++) {
		bool write;

		spin_lock_irq(&r->lock);
		write = pd->bitmap && p < bm_pages(pd->bm_bits) &&
			(__test_and_clear_bit(p, pd->bm_dirty) || all);
		if (write) {
			memset(page_address(page), 0, PAGE_SIZE);
			bm_to_disk(pd->bitmap, p, page_address(page),
				   min_t(u64, BM_PAGE_LONGS,
					 longs - p * BM_PAGE_LONGS));
		}
		spin_unlock_irq(&r->lock);
		if (!write)
			continue;
		err = tandem_md_io(d, slot_block_offset(d, idx, p), page,
				   REQ_OP_WRITE | REQ_SYNC | REQ_FUA);
		if (err) {
			spin_lock_irq(&r->lock);
			if (pd->bm_dirty)
				__set_bit(p, pd->bm_dirty);
			spin_unlock_irq(&r->lock);
			pr_err_ratelimited("%s/%u: writing the bitmap of peer %u failed (%d)\n",
					   r->name, d->volume,
					   pd->connection->peer_node_id, err);
			tandem_disk_error(d, TANDEM_IO_META,
					  slot_block_offset(d, idx, p) >> 9, err);
			break;
		}
		atomic_inc(&d->bm_writes);
	}
	__free_page(page);
	return err;
}

/**
 * tandem_bm_write() - write a peer device's dirty bitmap blocks
 * @pd: peer device
 *
 * Nothing happens if the disk is not attached (or being detached, which
 * writes everything itself).
 *
 * Context: process context. Return: 0 or a negative errno (logged; the
 * blocks stay dirty).
 */
int tandem_bm_write(struct tandem_peer_device *pd)
{
	struct tandem_device *d = pd->device;
	int err;

	if (!tandem_get_disk(d))
		return 0;
	mutex_lock(&d->md_io_mutex);
	err = bm_write(pd, false);
	mutex_unlock(&d->md_io_mutex);
	tandem_put_disk(d);
	return err;
}

/**
 * tandem_bm_write_all() - write back the bitmaps of every peer
 * @d: a device whose disk stays attached meanwhile (the caller holds an
 *     application request, or is detach)
 * @all: every block, not only the dirty ones
 *
 * Context: process context. Return: 0 or the first error.
 */
int tandem_bm_write_all(struct tandem_device *d, bool all)
{
	struct tandem_peer_device *pd;
	int err = 0, e;

	mutex_lock(&d->md_io_mutex);
	list_for_each_entry(pd, &d->peer_devices, dev_list) {
		e = bm_write(pd, all);
		if (e && !err)
			err = e;
	}
	mutex_unlock(&d->md_io_mutex);
	return err;
}

/* Mark every block of @pd's bitmap dirty (its slot is new). */
void tandem_bm_dirty_all(struct tandem_peer_device *pd)
{
	spin_lock_irq(&pd->device->resource->lock);
	if (pd->bm_dirty)
		bitmap_fill(pd->bm_dirty, bm_pages(pd->bm_bits));
	spin_unlock_irq(&pd->device->resource->lock);
}

/*
 * Set: every block the range touches. Clear: only blocks the range covers
 * completely (a block written in part is not in sync), except the short
 * block at the end of the data area.
 */
static void bm_range(struct tandem_peer_device *pd, sector_t sector,
		     unsigned int size, bool set)
{
	struct tandem_resource *r = pd->device->resource;
	u64 end_sect = sector + (size >> 9);
	unsigned long flags;
	u64 b, first, end;

	if (!size)
		return;
	spin_lock_irqsave(&r->lock, flags);
	if (!pd->bitmap)
		goto out_unlock;
	if (set) {
		first = sector / BM_SECT;
		end = DIV_ROUND_UP(end_sect, BM_SECT);
	} else {
		first = DIV_ROUND_UP(sector, BM_SECT);
		end = end_sect >= pd->bm_bits * BM_SECT ||
		      end_sect >= tandem_data_sectors(pd->device) ?
			DIV_ROUND_UP(end_sect, BM_SECT) : end_sect / BM_SECT;
	}
	end = min(end, pd->bm_bits);
	for (b = first; b < end; b++) {
		if (set) {
			if (__test_and_set_bit(b, pd->bitmap))
				continue;
			pd->oos_bits++;
		} else {
			if (!__test_and_clear_bit(b, pd->bitmap))
				continue;
			pd->oos_bits--;
		}
		__set_bit(b / BM_PAGE_BITS, pd->bm_dirty);
	}
out_unlock:
	spin_unlock_irqrestore(&r->lock, flags);
}

void tandem_bm_set_range(struct tandem_peer_device *pd, sector_t sector,
			 unsigned int size)
{
	bm_range(pd, sector, size, true);
}

void tandem_bm_clear_range(struct tandem_peer_device *pd, sector_t sector,
			   unsigned int size)
{
	bm_range(pd, sector, size, false);
}

static void bm_fill(struct tandem_peer_device *pd, bool set)
{
	spin_lock_irq(&pd->device->resource->lock);
	if (pd->bitmap) {
		if (set) {
			bitmap_fill(pd->bitmap, pd->bm_bits);
			/* bitmap_fill() fills the whole last word */
			if (pd->bm_bits % BITS_PER_LONG)
				pd->bitmap[pd->bm_bits / BITS_PER_LONG] &=
					BITMAP_LAST_WORD_MASK(pd->bm_bits);
		} else {
			bitmap_zero(pd->bitmap, pd->bm_bits);
		}
		pd->oos_bits = set ? pd->bm_bits : 0;
		bitmap_fill(pd->bm_dirty, bm_pages(pd->bm_bits));
	}
	spin_unlock_irq(&pd->device->resource->lock);
}

void tandem_bm_set_all(struct tandem_peer_device *pd)
{
	bm_fill(pd, true);
}

void tandem_bm_clear_all(struct tandem_peer_device *pd)
{
	bm_fill(pd, false);
}

/**
 * tandem_bm_write_all_locked() - write every block of every peer's bitmap
 * @d: an attached device whose geometry the caller just changed
 *
 * Like tandem_bm_write_all(d, true) for a caller that already holds the
 * md_io_mutex (online resize, which writes the bitmaps at their new
 * place before the superblock that names it).
 *
 * Context: process context. Return: 0 or the first error.
 */
int tandem_bm_write_all_locked(struct tandem_device *d)
{
	struct tandem_peer_device *pd;
	int err = 0, e;

	lockdep_assert_held(&d->md_io_mutex);
	list_for_each_entry(pd, &d->peer_devices, dev_list) {
		e = bm_write(pd, true);
		if (e && !err)
			err = e;
	}
	return err;
}

/**
 * tandem_bm_grow() - let a peer device's bitmap cover a larger data area
 * @pd: peer device of an attached device
 * @bits: new number of bits, not less than the current
 * @mark: set the added bits (the added range is out of sync)
 *
 * The new arrays are allocated first; the switch copies the old bits
 * under resource->lock, so no concurrent change is lost. Every block
 * becomes dirty. tandem_bm_truncate() undoes it.
 *
 * Context: process context. Return: 0 or -ENOMEM (nothing changed).
 */
int tandem_bm_grow(struct tandem_peer_device *pd, u64 bits, bool mark)
{
	struct tandem_resource *r = pd->device->resource;
	unsigned long *bm, *dirty, *old_bm, *old_dirty;
	u64 old_bits;

	bm = kvcalloc(BITS_TO_LONGS(bits), sizeof(long), GFP_KERNEL);
	dirty = bitmap_zalloc(bm_pages(bits), GFP_KERNEL);
	if (!bm || !dirty) {
		bitmap_free(dirty);
		kvfree(bm);
		return -ENOMEM;
	}
	spin_lock_irq(&r->lock);
	old_bm = pd->bitmap;
	old_dirty = pd->bm_dirty;
	old_bits = pd->bm_bits;
	if (!old_bm || bits < old_bits) {
		spin_unlock_irq(&r->lock);
		bitmap_free(dirty);
		kvfree(bm);
		return old_bm ? -EINVAL : 0;
	}
	bitmap_copy(bm, old_bm, old_bits);
	if (mark && bits > old_bits) {
		bitmap_set(bm, old_bits, bits - old_bits);
		pd->oos_bits += bits - old_bits;
	}
	bitmap_fill(dirty, bm_pages(bits));
	pd->bitmap = bm;
	pd->bm_dirty = dirty;
	pd->bm_bits = bits;
	spin_unlock_irq(&r->lock);
	bitmap_free(old_dirty);
	kvfree(old_bm);
	return 0;
}

/**
 * tandem_bm_truncate() - cover fewer bits again (a failed resize)
 * @pd: peer device
 * @bits: the number of bits before tandem_bm_grow()
 *
 * The arrays stay as large as they are; the bits beyond @bits are
 * cleared and no longer counted.
 */
void tandem_bm_truncate(struct tandem_peer_device *pd, u64 bits)
{
	struct tandem_resource *r = pd->device->resource;

	spin_lock_irq(&r->lock);
	if (pd->bitmap && bits < pd->bm_bits) {
		bitmap_clear(pd->bitmap, bits, pd->bm_bits - bits);
		pd->bm_bits = bits;
		pd->oos_bits = bitmap_weight(pd->bitmap, bits);
	}
	spin_unlock_irq(&r->lock);
}
