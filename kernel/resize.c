// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - online resize (grow) of a device whose backing devices grew.
 *
 * The node where the administrator runs `resize` (the initiator) asks the
 * connected peer how large a data area its disk offers now (TP_RESIZE
 * QUERY/REPLY), takes the smaller of both (or the requested size, if not
 * larger), grows its own area, and tells the peer to do the same
 * (COMMIT). The added range is out of sync on both nodes; the node that
 * is Primary (else the initiator, if UpToDate) becomes sync source of
 * it, so only the added range is resynced.
 *
 * Growing internal metadata moves the area to the new end of the backing
 * device: bitmaps and AL are written at the new place first, then the
 * superblock (flush + FUA). Before that, a copy of the current superblock
 * goes to the new end, so that attach always finds one (docs/METADATA.md
 * "Online resize"): either the new superblock, or the copy, which names
 * where the old area ends, and there the old superblock.
 *
 * External metadata does not move: the data area grows as far as the
 * existing bitmap slots cover.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/blkdev.h>
#include <linux/build_bug.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <net/genetlink.h>

#include "tandem_int.h"

#define BLK_SECT	(TANDEM_BM_BLOCK_BYTES >> 9)	/* sectors per block */
#define BITS_PER_BMB	(TANDEM_BM_BLOCK_BYTES * 8ULL)	/* blocks per bm block */
#define FIXED_BLOCKS	((TANDEM_AL_BYTES + TANDEM_MD_SB_BYTES) / \
			 TANDEM_BM_BLOCK_BYTES)
#define RSZ_TIMEOUT	(20 * HZ)

/* One resize at a time on this node (either direction). */
static DEFINE_MUTEX(rsz_mutex);

/**
 * struct rsz_wait - an initiator waiting for the peer's REPLY
 * @c: the connection asked
 * @volume: the volume asked about
 * @done: the reply is in @reply
 * @reply: the peer's answer
 */
struct rsz_wait {
	struct tandem_connection *c;
	u16 volume;
	bool done;
	struct tandem_p_resize reply;
};

static DEFINE_SPINLOCK(rsz_wait_lock);
static DECLARE_WAIT_QUEUE_HEAD(rsz_wq);
static struct rsz_wait *rsz_waiter;

/**
 * struct rsz_plan - geometry of a device's metadata after a resize
 * @info: the superblock to write (geometry fields changed)
 * @layout: the matching layout
 * @sb_offset: where the superblock goes
 * @move: the area moves (internal metadata, device grew)
 */
struct rsz_plan {
	struct tandem_md_info info;
	struct tandem_md_layout layout;
	u64 sb_offset;
	bool move;
};

static u64 bm_blocks(u64 data_blocks)
{
	return DIV_ROUND_UP_ULL(data_blocks, BITS_PER_BMB);
}

static u64 kib(u64 sect)
{
	return sect / 2;
}

/**
 * tandem_md_layout_of() - the layout a decoded superblock describes
 * @info: decoded, validated superblock
 * @place: where it was found
 * @layout: filled in
 *
 * An internal area starts where the data area ends (after an online
 * resize limited by the peer that is not where create-md would put it);
 * a flexible area is the meta device; an indexed one its slot.
 */
void tandem_md_layout_of(const struct tandem_md_info *info,
			 const struct tandem_md_place *place,
			 struct tandem_md_layout *layout)
{
	u64 start;

	switch (place->kind) {
	case TANDEM_MD_INTERNAL:
		start = info->data_sect * 512;
		break;
	case TANDEM_MD_INDEXED:
		start = (u64)place->index * TANDEM_MD_INDEXED_SLOT_BYTES;
		break;
	default:
		start = 0;
		break;
	}
	layout->data_sect = info->data_sect;
	layout->md_size_sect = info->md_size_sect;
	layout->md_offset = start;
	layout->sb_offset = start + info->md_size_sect * 512 -
			    TANDEM_MD_SB_BYTES;
	layout->al_offset_sect = info->al_offset_sect;
	layout->al_size_sect = info->al_size_sect;
	layout->bm_offset_sect = info->bm_offset_sect;
	layout->bm_slot_sect = info->bm_slot_sect;
}

/**
 * tandem_resize_follow() - find the superblock of an unfinished resize
 * @bdev: the backing device (internal metadata)
 * @page: a page holding the superblock block found at the device's end;
 *        reused as buffer
 * @place: the placement; its disk_bytes may be lowered
 * @info: the superblock found at the end; replaced when followed
 * @sb_offset: where it was found; replaced when followed
 *
 * A valid superblock at the end of the device whose area ends before
 * the end is the copy an online resize writes before moving the area.
 * If the area it names still ends with a valid superblock of the same
 * device uuid, the move did not complete: that superblock is the one in
 * use, and the device is treated as if it had its old size.
 *
 * Return: 0 (followed or not applicable) or a negative errno.
 */
int tandem_resize_follow(struct block_device *bdev, struct page *page,
			 struct tandem_md_place *place,
			 struct tandem_md_info *info, u64 *sb_offset)
{
	struct tandem_md_place old = *place;
	struct tandem_md_info *prev;
	u64 end = (info->data_sect + info->md_size_sect) * 512;
	int err;

	if (end >= place->disk_bytes / TANDEM_BM_BLOCK_BYTES *
		   TANDEM_BM_BLOCK_BYTES || end < TANDEM_MD_SB_BYTES)
		return 0;
	prev = kmalloc(sizeof(*prev), GFP_KERNEL);
	if (!prev)
		return -ENOMEM;
	err = tandem_bdev_md_io(bdev, end - TANDEM_MD_SB_BYTES, page,
				REQ_OP_READ | REQ_SYNC);
	if (err)
		goto out_free;
	old.disk_bytes = end;
	if (tandem_md_decode(page_address(page), prev) ||
	    prev->device_uuid != info->device_uuid ||
	    tandem_md_validate(prev, &old))
		goto out_free;	/* not ours: attach says what is wrong */
	pr_warn("found the metadata of an unfinished online resize at byte %llu (data area %llu KiB); run resize again\n",
		end - TANDEM_MD_SB_BYTES, kib(prev->data_sect));
	*info = *prev;
	*sb_offset = end - TANDEM_MD_SB_BYTES;
	*place = old;
out_free:
	kfree(prev);
	return err;
}

static bool overlaps(u64 s1, u64 e1, u64 s2, u64 e2)
{
	return s1 < e2 && s2 < e1;
}

/*
 * Internal metadata: can a data area of @data blocks be laid out on a
 * device of @disk blocks without writing over the live parts of the
 * current area (its bitmaps, AL and superblock) before the new
 * superblock is written? If so, *@bm_off is where the new bitmaps start,
 * relative to the new area. The new AL and superblock end the device:
 * either exactly where the current ones are (the device did not grow;
 * the superblock is then replaced in place, one 4 KiB write), or behind
 * them.
 */
static bool internal_fits(const struct tandem_md_info *md, u64 data,
			  u64 disk, u64 *bm_off)
{
	u64 start = md->data_sect / BLK_SECT;
	u64 end = start + md->md_size_sect / BLK_SECT;
	u64 ob = start + md->bm_offset_sect / BLK_SECT;
	u64 ob_end = ob + md->max_peers * (md->bm_slot_sect / BLK_SECT);
	u64 need = md->max_peers * bm_blocks(data);
	u64 cand[3] = { data, ob_end, end };
	int i;

	if (disk < end || (disk != end && disk - end < FIXED_BLOCKS) ||
	    disk < FIXED_BLOCKS + need || data > disk - FIXED_BLOCKS - need)
		return false;
	for (i = 0; i < ARRAY_SIZE(cand); i++) {
		u64 x = cand[i];

		if (x < data || x + need > disk - FIXED_BLOCKS ||
		    overlaps(x, x + need, ob, ob_end) ||
		    overlaps(x, x + need, end - FIXED_BLOCKS, end))
			continue;
		*bm_off = x - data;
		return true;
	}
	return false;
}

static void disk_place(struct tandem_device *d, struct tandem_md_place *p)
{
	p->kind = d->md.info.kind;
	p->index = d->meta_index >= 0 ? d->meta_index : 0;
	p->disk_bytes = bdev_nr_bytes(d->backing);
	p->meta_bytes = d->md.bdev ? bdev_nr_bytes(d->md.bdev) : 0;
}

/**
 * rsz_local_max() - the largest data area this node's disk offers now
 * @d: an attached device
 * @max_sect: result; at least the current data area
 * @move: internal metadata that must move although the size may stay
 * @why: reason for a limit or refusal, for the administrator
 * @len: size of @why
 *
 * Return: 0 or a negative errno (@why says why).
 */
static int rsz_local_max(struct tandem_device *d, u64 *max_sect, bool *move,
			 char *why, size_t len)
{
	const struct tandem_md_info *md = &d->md.info;
	struct tandem_md_place place;
	struct tandem_md_layout lay;
	u64 cur = md->data_sect / BLK_SECT, disk, old_end, d1, d2, off, cover;
	int err;

	disk_place(d, &place);
	disk = place.disk_bytes / TANDEM_BM_BLOCK_BYTES;
	*move = false;
	*max_sect = md->data_sect;
	why[0] = '\0';
	if (md->kind != TANDEM_MD_INTERNAL) {
		cover = md->bm_slot_sect / BLK_SECT * BITS_PER_BMB;
		if (disk < cur) {
			snprintf(why, len, "the backing device (%llu KiB) is smaller than the data area (%llu KiB)",
				 disk * 4, cur * 4);
			return -EINVAL;
		}
		*max_sect = min(disk, cover) * BLK_SECT;
		if (disk > cover)
			snprintf(why, len, "the external metadata's bitmap slots cover only %llu KiB of the %llu KiB backing device",
				 cover * 4, disk * 4);
		return 0;
	}
	old_end = (md->data_sect + md->md_size_sect) / BLK_SECT;
	if (disk < old_end) {
		snprintf(why, len, "the backing device (%llu KiB) is smaller than its data and metadata (%llu KiB)",
			 disk * 4, old_end * 4);
		return -EINVAL;
	}
	err = tandem_md_compute_layout(&place, md->max_peers, md->al_extents,
				       &lay);
	if (err) {
		snprintf(why, len, "%s", tandem_md_strerror(err));
		return -EINVAL;
	}
	d1 = max(lay.data_sect / BLK_SECT, cur);
	cover = md->bm_slot_sect / BLK_SECT * BITS_PER_BMB;
	d2 = max(min(d1, cover), cur);
	if (internal_fits(md, d1, disk, &off))
		*max_sect = d1 * BLK_SECT;
	else if (internal_fits(md, d2, disk, &off))
		*max_sect = d2 * BLK_SECT;
	else if (disk == old_end)
		return 0;
	else if (!internal_fits(md, cur, disk, &off)) {
		snprintf(why, len, "the backing device grew by %llu KiB, too little to move the metadata without overwriting it",
			 (disk - old_end) * 4);
		return 0;
	}
	*move = disk != old_end;
	return 0;
}

/* The metadata geometry for a data area of @new_sect. */
static int rsz_plan(struct tandem_device *d, u64 new_sect,
		    struct rsz_plan *p, char *why, size_t len)
{
	const struct tandem_md_info *md = &d->md.info;
	struct tandem_md_place place;
	u64 n = new_sect / BLK_SECT, disk, old_end, off;
	int err;

	disk_place(d, &place);
	disk = place.disk_bytes / TANDEM_BM_BLOCK_BYTES;
	p->info = *md;
	p->info.data_sect = new_sect;
	p->move = false;
	if (md->kind == TANDEM_MD_INTERNAL) {
		old_end = (md->data_sect + md->md_size_sect) / BLK_SECT;
		p->move = disk != old_end;
		if ((p->move || n != md->data_sect / BLK_SECT) &&
		    internal_fits(md, n, disk, &off)) {
			p->info.md_size_sect = (disk - n) * BLK_SECT;
			p->info.bm_offset_sect = off * BLK_SECT;
			p->info.bm_slot_sect = bm_blocks(n) * BLK_SECT;
			p->info.al_offset_sect = (disk - n - FIXED_BLOCKS) *
						 BLK_SECT;
		} else if (new_sect != md->data_sect) {
			snprintf(why, len, "no room for the metadata of a %llu KiB data area",
				 kib(new_sect));
			return -ENOSPC;
		} else {
			p->move = false;	/* cannot: stays as it is */
		}
	}
	err = tandem_md_check(&p->info);
	if (!err)
		err = tandem_md_validate(&p->info, &place);
	if (err) {
		snprintf(why, len, "new metadata would be invalid: %s",
			 tandem_md_strerror(err));
		return -EINVAL;
	}
	tandem_md_layout_of(&p->info, &place, &p->layout);
	p->sb_offset = p->layout.sb_offset;
	return 0;
}

static int write_sb(struct tandem_device *d, const struct tandem_md_info *i,
		    u64 offset, struct page *page)
{
	int err = tandem_md_encode(i, page_address(page));

	if (err)
		return -EINVAL;
	return tandem_md_io(d, offset, page, REQ_OP_WRITE | REQ_SYNC |
			    REQ_PREFLUSH | REQ_FUA);
}

/* Set bits [@from, @to) of bitmap block @p (LE bit order on disk). */
static void mark_in_block(void *buf, u64 p, u64 from, u64 to)
{
	u64 first = p * BITS_PER_BMB, b;

	from = max(from, first);
	to = min(to, first + BITS_PER_BMB);
	for (b = from; b < to; b++)
		__set_bit_le(b - first, buf);
}

/*
 * Bitmap slots in use by a peer this node has no peer device for (a
 * connection that was deleted): carry them to the new place, the added
 * range out of sync. Caller holds the md_io_mutex; @old is the geometry
 * before the resize, d->md the new one.
 */
static int carry_orphan_slots(struct tandem_device *d,
			      const struct rsz_plan *old, struct page *page)
{
	const struct tandem_md_info *md = &d->md.info;
	struct tandem_peer_device *pd;
	u64 old_bits = old->info.data_sect / BLK_SECT;
	u64 bits = md->data_sect / BLK_SECT, p, from, to;
	u32 i;
	int err;

	lockdep_assert_held(&d->md_io_mutex);
	for (i = 0; i < md->max_peers; i++) {
		bool have = false;

		if (md->peers[i].node_id == TANDEM_MD_NO_NODE)
			continue;
		list_for_each_entry(pd, &d->peer_devices, dev_list)
			if (pd->connection->peer_node_id == md->peers[i].node_id)
				have = true;
		if (have)
			continue;
		for (p = 0; p < bm_blocks(bits); p++) {
			from = old->layout.md_offset +
			       (old->info.bm_offset_sect +
				i * old->info.bm_slot_sect) * 512 +
			       p * TANDEM_BM_BLOCK_BYTES;
			to = d->md.layout.md_offset +
			     (md->bm_offset_sect + i * md->bm_slot_sect) * 512 +
			     p * TANDEM_BM_BLOCK_BYTES;
			memset(page_address(page), 0, PAGE_SIZE);
			if (p < bm_blocks(old_bits)) {
				err = tandem_md_io(d, from, page,
						   REQ_OP_READ | REQ_SYNC);
				if (err)
					return err;
			}
			mark_in_block(page_address(page), p, old_bits, bits);
			err = tandem_md_io(d, to, page, REQ_OP_WRITE | REQ_SYNC);
			if (err)
				return err;
		}
	}
	return 0;
}

/* Make @p the device's metadata place (sizes, offsets, superblock). */
static void use_place(struct tandem_device *d, const struct rsz_plan *p)
{
	lockdep_assert_held(&d->md_io_mutex);
	d->md.info.data_sect = p->info.data_sect;
	d->md.info.md_size_sect = p->info.md_size_sect;
	d->md.info.al_offset_sect = p->info.al_offset_sect;
	d->md.info.bm_offset_sect = p->info.bm_offset_sect;
	d->md.info.bm_slot_sect = p->info.bm_slot_sect;
	d->md.layout = p->layout;
	d->md.sb_offset = p->sb_offset;
}

/**
 * rsz_apply() - give this node's device a data area of @new_sect
 * @d: an attached device (the caller pins the disk)
 * @new_sect: not smaller than the current data area
 * @why: reason of a failure
 * @len: size of @why
 *
 * Writes, in this order: (internal metadata that moves) a copy of the
 * current superblock at the new place of the superblock; the bitmaps
 * and the AL at their new place; the new superblock, flushed and FUA.
 * The added range is marked out of sync towards every peer.
 *
 * Context: process context, rsz_mutex held. Return: 0 or a negative
 * errno; on error the device keeps its old geometry.
 */
static int rsz_apply(struct tandem_device *d, u64 new_sect, char *why,
		     size_t len)
{
	struct tandem_resource *r = d->resource;
	struct tandem_peer_device *pd;
	struct rsz_plan *plan, *old;
	unsigned int noio;
	u64 old_bits = d->md.info.data_sect / BLK_SECT;
	u64 bits = new_sect / BLK_SECT;
	struct page *page;
	int err;

	lockdep_assert_held(&rsz_mutex);
	plan = kcalloc(2, sizeof(*plan), GFP_KERNEL);
	page = alloc_page(GFP_KERNEL);
	err = -ENOMEM;
	if (!plan || !page)
		goto out_free;
	old = plan + 1;
	err = rsz_plan(d, new_sect, plan, why, len);
	if (err)
		goto out_free;
	if (!plan->move && new_sect == d->md.info.data_sect)
		goto out_free;		/* nothing to write */

	/*
	 * Bitmaps grow under md_io_mutex: no bitmap write may use the new
	 * size with the old layout. No reclaim I/O into our own device.
	 */
	noio = memalloc_noio_save();
	mutex_lock(&d->md_io_mutex);
	list_for_each_entry(pd, &d->peer_devices, dev_list) {
		err = tandem_bm_grow(pd, bits, true);
		if (err) {
			snprintf(why, len, "out of memory for the bitmaps");
			goto out_unlock;
		}
	}
	old->info = d->md.info;
	old->layout = d->md.layout;
	old->sb_offset = d->md.sb_offset;
	if (plan->move) {
		/* The forwarding copy: attach finds the old area through it. */
		err = write_sb(d, &d->md.info, plan->sb_offset, page);
		if (err) {
			snprintf(why, len, "writing at the new end of the device failed (%d)",
				 err);
			goto out_unlock;
		}
	}
	use_place(d, plan);
	err = tandem_bm_write_all_locked(d);
	if (!err)
		err = carry_orphan_slots(d, old, page);
	if (!err && plan->move)
		err = tandem_al_rewrite_locked(d);
	if (!err)
		err = write_sb(d, &d->md.info, d->md.sb_offset, page);
	if (err) {
		snprintf(why, len, "writing the metadata at its new place failed (%d)",
			 err);
		use_place(d, old);
	}
out_unlock:
	if (err)
		list_for_each_entry(pd, &d->peer_devices, dev_list)
			tandem_bm_truncate(pd, old_bits);
	mutex_unlock(&d->md_io_mutex);
	memalloc_noio_restore(noio);
	if (!err)
		pr_info("%s/%u minor %u: data area %llu KiB -> %llu KiB%s\n",
			r->name, d->volume, d->minor, old_bits * 4, bits * 4,
			plan->move ? ", metadata moved to the end of the grown device" : "");
out_free:
	if (page)
		__free_page(page);
	kfree(plan);
	return err;
}

static int send_resize(struct tandem_peer_device *pd, u32 op, u32 flags,
		       u64 size_sect, int result, const char *why)
{
	struct tandem_device *d = pd->device;
	struct tandem_p_resize p = {};

	BUILD_BUG_ON(sizeof(struct tandem_p_resize) != 128);
	p.op = cpu_to_be32(op);
	p.flags = cpu_to_be32(flags);
	p.size_sect = cpu_to_be64(size_sect);
	p.cur_sect = cpu_to_be64(d->md.info.data_sect);
	p.result = cpu_to_be32(result);
	if (why)
		strscpy(p.why, why, sizeof(p.why));
	return tandem_send_packet(pd->connection, TANDEM_STREAM_DATA,
				  TP_RESIZE, d->volume, &p, sizeof(p), NULL, 0);
}

static int send_sizes(struct tandem_peer_device *pd)
{
	struct tandem_device *d = pd->device;
	struct tandem_p_sizes sz = {};

	sz.backing_sect = cpu_to_be64(d->md.info.data_sect);
	sz.current_sect = cpu_to_be64(get_capacity(d->disk));
	sz.max_bio_bytes = cpu_to_be32(TANDEM_MAX_PAYLOAD);
	return tandem_send_packet(pd->connection, TANDEM_STREAM_DATA, TP_SIZES,
				  d->volume, &sz, sizeof(sz), NULL, 0);
}

/* Why this node cannot take part in a resize now, or NULL. */
static const char *rsz_busy(struct tandem_peer_device *pd)
{
	enum tandem_repl_state rs = READ_ONCE(pd->repl);

	if (!pd->device->backing)
		return "it has no disk";
	if (rs != TANDEM_RS_ESTABLISHED)
		return tandem_repl_syncing(rs) || rs == TANDEM_RS_WF_BITMAP_T ?
		       "a resync is running; wait for it to finish" :
		       "the connection is not established";
	return NULL;
}

/* The peer asks how far our disk can grow. */
static void answer_query(struct tandem_peer_device *pd)
{
	struct tandem_device *d = pd->device;
	char why[TANDEM_RSZ_WHY_MAX];
	const char *busy;
	u64 max = 0;
	bool move = false;
	int err = 0;

	busy = rsz_busy(pd);
	if (busy) {
		send_resize(pd, TANDEM_RSZ_REPLY, 0, 0, EBUSY, busy);
		return;
	}
	if (!mutex_trylock(&rsz_mutex)) {
		send_resize(pd, TANDEM_RSZ_REPLY, 0, 0, EBUSY,
			    "another resize is in progress there");
		return;
	}
	if (tandem_get_disk(d)) {
		err = rsz_local_max(d, &max, &move, why, sizeof(why));
		tandem_put_disk(d);
	} else {
		err = -ENODEV;
		strscpy(why, "it has no disk", sizeof(why));
	}
	mutex_unlock(&rsz_mutex);
	send_resize(pd, TANDEM_RSZ_REPLY, move ? TANDEM_RSZF_MOVE : 0, max,
		    -err, why);
}

/* The initiator grew its disk to @size_sect: do the same. */
static void do_commit(struct tandem_peer_device *pd, u64 size_sect, u32 flags)
{
	struct tandem_device *d = pd->device;
	struct tandem_connection *c = pd->connection;
	u64 cur = d->md.info.data_sect;
	char why[TANDEM_RSZ_WHY_MAX] = "";
	int err;

	if ((flags & TANDEM_RSZF_YOU_TARGET) &&
	    READ_ONCE(d->resource->role) == TANDEM_ROLE_PRIMARY) {
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "resize of volume %u: the peer wants us, Primary, as sync target",
				   d->volume);
		return;
	}
	mutex_lock(&rsz_mutex);
	if (!tandem_get_disk(d)) {
		mutex_unlock(&rsz_mutex);
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "resize of volume %u: we have no disk",
				   d->volume);
		return;
	}
	err = size_sect < cur || size_sect % BLK_SECT ? -EINVAL :
	      rsz_apply(d, size_sect, why, sizeof(why));
	tandem_put_disk(d);
	if (err) {
		mutex_unlock(&rsz_mutex);
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "resize of volume %u to %llu KiB failed: %s",
				   d->volume, kib(size_sect),
				   why[0] ? why : "bad size");
		return;
	}
	pd->peer_size_sect = size_sect;
	send_sizes(pd);
	if (size_sect > cur) {
		pr_info("%s/%u peer %u: resync of the added %llu KiB as %s\n",
			d->resource->name, d->volume, c->peer_node_id,
			kib(size_sect - cur),
			flags & TANDEM_RSZF_YOU_SOURCE ? "source" : "target");
		if (flags & TANDEM_RSZF_YOU_SOURCE)
			tandem_become_source(pd, false);
		else if (flags & TANDEM_RSZF_YOU_TARGET)
			tandem_become_target(pd, false);
	}
	tandem_device_update_size(d);
	mutex_unlock(&rsz_mutex);
}

/**
 * tandem_receive_resize() - a TP_RESIZE packet on the DATA stream
 * @c: the connection
 * @volume: volume number
 * @length: body length from the header
 *
 * Context: the connection's receiver. Return: 0 or a negative errno
 * (the connection is failed).
 */
int tandem_receive_resize(struct tandem_connection *c, u16 volume, u32 length)
{
	struct tandem_device *d;
	struct tandem_peer_device *pd;
	struct tandem_p_resize p;
	unsigned long flags;
	u32 op;
	int err;

	if (length != sizeof(p)) {
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "bad packet type %u: wrong body length (%u)",
				   TP_RESIZE, length);
		return -EPROTO;
	}
	err = c->transport->class->ops->recv(c->transport, TANDEM_STREAM_DATA,
					     &p, sizeof(p));
	if (err)
		return err;
	p.why[sizeof(p.why) - 1] = '\0';
	op = be32_to_cpu(p.op);
	d = tandem_device_by_volume(c->resource, volume);
	pd = d ? tandem_peer_device(d, c) : NULL;
	if (!pd) {
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "resize of volume %u we do not have", volume);
		return -EPROTO;
	}
	switch (op) {
	case TANDEM_RSZ_QUERY:
		answer_query(pd);
		return 0;
	case TANDEM_RSZ_REPLY:
		spin_lock_irqsave(&rsz_wait_lock, flags);
		if (rsz_waiter && rsz_waiter->c == c &&
		    rsz_waiter->volume == volume) {
			rsz_waiter->reply = p;
			rsz_waiter->done = true;
		}
		spin_unlock_irqrestore(&rsz_wait_lock, flags);
		wake_up_all(&rsz_wq);
		return 0;
	case TANDEM_RSZ_COMMIT:
		do_commit(pd, be64_to_cpu(p.size_sect), be32_to_cpu(p.flags));
		return 0;
	}
	tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
			   "bad packet type %u: unknown resize operation (%u)",
			   TP_RESIZE, op);
	return -EPROTO;
}

/* Ask the peer of @pd how far its disk can grow. */
static int query_peer(struct tandem_peer_device *pd, u64 my_max,
		      struct tandem_p_resize *reply)
{
	struct tandem_connection *c = pd->connection;
	struct rsz_wait w = { .c = c, .volume = pd->device->volume };
	long left;
	int err;

	spin_lock_irq(&rsz_wait_lock);
	rsz_waiter = &w;
	spin_unlock_irq(&rsz_wait_lock);
	err = send_resize(pd, TANDEM_RSZ_QUERY, 0, my_max, 0, NULL);
	if (!err) {
		left = wait_event_interruptible_timeout(rsz_wq,
				READ_ONCE(w.done) ||
				READ_ONCE(c->cstate) != TANDEM_CS_CONNECTED,
				RSZ_TIMEOUT);
		if (left < 0)
			err = -EINTR;
	}
	spin_lock_irq(&rsz_wait_lock);
	rsz_waiter = NULL;
	if (!err && !w.done)
		err = -ETIMEDOUT;
	if (!err)
		*reply = w.reply;
	spin_unlock_irq(&rsz_wait_lock);
	return err;
}

/* The only peer device of @d, or NULL; an error if there are several. */
static int the_peer(struct tandem_device *d, struct tandem_peer_device **out,
		    struct netlink_ext_ack *extack)
{
	struct tandem_peer_device *pd;

	*out = NULL;
	list_for_each_entry(pd, &d->peer_devices, dev_list) {
		if (*out) {
			TANDEM_SET_ERR(extack, "online resize with more than one peer is not supported");
			return -EOPNOTSUPP;
		}
		*out = pd;
	}
	pd = *out;
	if (pd && READ_ONCE(pd->connection->cstate) != TANDEM_CS_CONNECTED) {
		TANDEM_SET_ERR(extack, "not connected to peer %u: grow the backing devices of both nodes, connect, then resize",
			       pd->connection->peer_node_id);
		return -ENOTCONN;
	}
	return 0;
}

/*
 * With the peer: agree on the size, apply here, then tell the peer.
 * Caller holds rsz_mutex and a disk pin.
 */
static int resize_connected(struct tandem_peer_device *pd, u64 want,
			    u64 my_max, bool my_move,
			    struct netlink_ext_ack *extack)
{
	struct tandem_device *d = pd->device;
	struct tandem_resource *r = d->resource;
	struct tandem_connection *c = pd->connection;
	struct tandem_p_resize rep;
	char why[TANDEM_RSZ_WHY_MAX] = "";
	u64 cur = d->md.info.data_sect, peer_max, new;
	bool peer_move, source, grow;
	const char *busy = rsz_busy(pd);
	int err;

	if (busy) {
		TANDEM_SET_ERR(extack, "cannot resize now: %s", busy);
		return -EBUSY;
	}
	err = query_peer(pd, my_max, &rep);
	if (err) {
		TANDEM_SET_ERR(extack, "peer %u did not answer the resize request (%d)",
			       c->peer_node_id, err);
		return err;
	}
	if (be32_to_cpu(rep.result)) {
		TANDEM_SET_ERR(extack, "peer %u refuses the resize: %s",
			       c->peer_node_id, rep.why);
		return -(int)min_t(u32, be32_to_cpu(rep.result), 4095);
	}
	peer_max = be64_to_cpu(rep.size_sect);
	peer_move = be32_to_cpu(rep.flags) & TANDEM_RSZF_MOVE;
	if (be64_to_cpu(rep.cur_sect) != cur) {
		TANDEM_SET_ERR(extack, "the data areas differ (%llu KiB here, %llu KiB on peer %u): reconnect first",
			       kib(cur), kib(be64_to_cpu(rep.cur_sect)),
			       c->peer_node_id);
		return -EINVAL;
	}
	new = min(my_max, peer_max);
	if (want) {
		if (want > new) {
			TANDEM_SET_ERR(extack, "--size=%llu KiB is more than both disks provide: %llu KiB here, %llu KiB on peer %u",
				       kib(want), kib(my_max), kib(peer_max),
				       c->peer_node_id);
			return -ENOSPC;
		}
		new = want;
	}
	grow = new > cur;
	if (!grow && !my_move && !peer_move) {
		if (my_max > cur && peer_max == cur) {
			TANDEM_SET_ERR(extack, "size stays %llu KiB: the backing device of peer %u has not grown%s%s",
				       kib(cur), c->peer_node_id,
				       rep.why[0] ? ": " : "", rep.why);
			return -ENOSPC;
		}
		TANDEM_SET_ERR(extack, "nothing to do: the backing devices have not grown (data area %llu KiB)",
			       kib(cur));
		return 0;
	}

	if (READ_ONCE(r->role) == TANDEM_ROLE_PRIMARY &&
	    READ_ONCE(c->peer_role) == TANDEM_ROLE_PRIMARY) {
		TANDEM_SET_ERR(extack, "both nodes are Primary: one would have to be the sync target of the added range; demote one first");
		return -EBUSY;
	}
	/* The Primary serves the added range; else we do, if UpToDate. */
	source = READ_ONCE(r->role) == TANDEM_ROLE_PRIMARY ||
		 (READ_ONCE(c->peer_role) != TANDEM_ROLE_PRIMARY &&
		  d->disk_state == TANDEM_DS_UPTODATE);
	if (grow && (source ? d->disk_state : pd->peer_disk) !=
		    TANDEM_DS_UPTODATE) {
		TANDEM_SET_ERR(extack, "the %s disk is %s, not UpToDate: it cannot be the sync source of the added range",
			       source ? "local" : "peer's",
			       tandem_disk_state_name(source ? d->disk_state :
						      pd->peer_disk));
		return -EINVAL;
	}

	err = rsz_apply(d, new, why, sizeof(why));
	if (err) {
		TANDEM_SET_ERR(extack, "resize to %llu KiB failed: %s",
			       kib(new), why);
		return err;
	}
	if (grow && source) {
		tandem_set_repl_state(pd, TANDEM_RS_SYNC_SOURCE);
	} else if (grow) {
		d->md.info.flags &= ~(TANDEM_MDF_CONSISTENT |
				      TANDEM_MDF_WAS_UP_TO_DATE);
		tandem_md_write(d);
		tandem_set_disk_state(d, TANDEM_DS_INCONSISTENT);
		tandem_set_repl_state(pd, TANDEM_RS_WF_BITMAP_T);
	}
	err = send_resize(pd, TANDEM_RSZ_COMMIT,
			  !grow ? 0 : source ? TANDEM_RSZF_YOU_TARGET :
			  TANDEM_RSZF_YOU_SOURCE, new, 0, NULL);
	if (err) {
		TANDEM_SET_ERR(extack, "grown here to %llu KiB, but the connection to peer %u broke (%d); the added range is marked out of sync",
			       kib(new), c->peer_node_id, err);
		return err;
	}
	if (grow && source)
		tandem_become_source(pd, false);
	else if (grow)
		tandem_send_state(pd);
	tandem_device_update_size(d);
	if (!grow) {
		TANDEM_SET_ERR(extack, "size stays %llu KiB: the backing device of peer %u has not grown%s%s (the metadata moved to the end of the grown device)",
			       kib(cur), c->peer_node_id,
			       rep.why[0] ? ": " : "", rep.why);
		return -ENOSPC;
	}
	TANDEM_SET_ERR(extack, "grown from %llu KiB to %llu KiB; the added %llu KiB are resynced %s peer %u",
		       kib(cur), kib(new), kib(new - cur),
		       source ? "to" : "from", c->peer_node_id);
	return 0;
}

/**
 * tandem_resize() - grow a device after its backing devices grew
 * @d: the device
 * @want: requested data area in sectors, 0 for as large as possible
 * @extack: refusals and the outcome are explained here
 *
 * Context: tandem_cfg_mutex held. Return: 0 or a negative errno.
 */
int tandem_resize(struct tandem_device *d, u64 want,
		  struct netlink_ext_ack *extack)
{
	struct tandem_peer_device *pd;
	char why[TANDEM_RSZ_WHY_MAX] = "";
	u64 cur, max;
	bool move;
	int err;

	lockdep_assert_held(&tandem_cfg_mutex);
	if (!tandem_get_disk(d)) {
		TANDEM_SET_ERR(extack, "minor %u has no disk", d->minor);
		return -ENODEV;
	}
	cur = d->md.info.data_sect;
	err = -EINVAL;
	if (want % BLK_SECT) {
		TANDEM_SET_ERR(extack, "size %llu bytes is not a multiple of 4 KiB",
			       want * 512);
		goto out_put;
	}
	if (want && want < cur) {
		TANDEM_SET_ERR(extack, "shrinking is not supported online (data area %llu KiB, requested %llu KiB)",
			       kib(cur), kib(want));
		goto out_put;
	}
	err = the_peer(d, &pd, extack);
	if (err)
		goto out_put;
	mutex_lock(&rsz_mutex);
	err = rsz_local_max(d, &max, &move, why, sizeof(why));
	if (err) {
		TANDEM_SET_ERR(extack, "cannot resize: %s", why);
		goto out_unlock;
	}
	if (!want && d->md.info.kind != TANDEM_MD_INTERNAL && why[0]) {
		TANDEM_SET_ERR(extack, "cannot grow to the whole backing device: %s; give --size=%lluK or less",
			       why, kib(max));
		err = -ENOSPC;
		goto out_unlock;
	}
	if (pd) {
		err = resize_connected(pd, want, max, move, extack);
		goto out_unlock;
	}
	if (want > max) {
		TANDEM_SET_ERR(extack, "--size=%llu KiB is more than the disk provides (%llu KiB)%s%s",
			       kib(want), kib(max), why[0] ? ": " : "", why);
		err = -ENOSPC;
		goto out_unlock;
	}
	if (!want)
		want = max;
	if (want == cur && !move) {
		TANDEM_SET_ERR(extack, "nothing to do: the backing device has not grown (data area %llu KiB)%s%s",
			       kib(cur), why[0] ? "; " : "", why);
		err = 0;
		goto out_unlock;
	}
	err = rsz_apply(d, want, why, sizeof(why));
	if (err) {
		TANDEM_SET_ERR(extack, "resize to %llu KiB failed: %s",
			       kib(want), why);
		goto out_unlock;
	}
	tandem_device_update_size(d);
	TANDEM_SET_ERR(extack, "grown from %llu KiB to %llu KiB", kib(cur),
		       kib(want));
out_unlock:
	mutex_unlock(&rsz_mutex);
out_put:
	tandem_put_disk(d);
	return err;
}
