// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - attaching a backing disk: opening it (exclusively), finding
 * and validating its metadata (docs/METADATA.md), and writing the
 * superblock back when generations or flags change.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/delay.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "tandem_int.h"

/* Holder shared by every tandem device for external metadata devices:
 * several volumes may keep their metadata in slots of one device, but no
 * one else may open it exclusively while they do. */
static int tandem_meta_holder;

u64 tandem_data_sectors(struct tandem_device *d)
{
	return d->md.info.data_sect;
}

/**
 * tandem_get_disk() - pin the backing disk for one I/O
 * @d: the device
 *
 * Return: true if the disk is attached (and stays so until
 * tandem_put_disk()); detach waits for every pin to be dropped.
 */
bool tandem_get_disk(struct tandem_device *d)
{
	struct tandem_resource *r = d->resource;
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&r->lock, flags);
	ok = d->backing && d->disk_state != TANDEM_DS_DETACHING &&
	     d->disk_state != TANDEM_DS_FAILED &&
	     d->disk_state != TANDEM_DS_DISKLESS;
	if (ok)
		atomic_inc(&d->local_pending);
	spin_unlock_irqrestore(&r->lock, flags);
	return ok;
}

void tandem_put_disk(struct tandem_device *d)
{
	atomic_dec(&d->local_pending);
}

/**
 * tandem_disk_usable() - may application I/O use the local disk now
 * @d: the device
 *
 * A disk that is attached and neither failed nor going away takes
 * writes, even while it is not UpToDate (a sync target); which reads it
 * serves is tandem_local_read_ok()'s call.
 *
 * Context: resource->lock held.
 */
bool tandem_disk_usable(struct tandem_device *d)
{
	lockdep_assert_held(&d->resource->lock);
	return d->backing && d->disk_state >= TANDEM_DS_INCONSISTENT &&
	       d->disk_state != TANDEM_DS_DUNKNOWN;
}

/* The same, for a caller that does not hold resource->lock. */
bool tandem_disk_usable_unlocked(struct tandem_device *d)
{
	bool ok;

	spin_lock_irq(&d->resource->lock);
	ok = tandem_disk_usable(d);
	spin_unlock_irq(&d->resource->lock);
	return ok;
}

int tandem_bdev_md_io(struct block_device *bdev, u64 offset, struct page *page,
		      blk_opf_t opf)
{
	struct bio bio;
	struct bio_vec bvec;
	int err;

	bio_init(&bio, bdev, &bvec, 1, opf);
	bio.bi_iter.bi_sector = offset >> 9;
	__bio_add_page(&bio, page, TANDEM_MD_SB_BYTES, 0);
	err = submit_bio_wait(&bio);
	bio_uninit(&bio);
	return err;
}

/**
 * tandem_md_io() - read or write one 4 KiB block of the metadata device
 * @d: an attached device
 * @offset: byte offset on the metadata device
 * @page: the block
 * @opf: operation and flags
 *
 * Context: process context. Return: 0 or a negative errno.
 */
int tandem_md_io(struct tandem_device *d, u64 offset, struct page *page,
		 blk_opf_t opf)
{
	int err;

	tandem_disk_io_start(d);
	err = tandem_bdev_md_io(d->md.bdev, offset, page, opf);
	tandem_disk_io_end(d);
	return err;
}

/**
 * tandem_md_write() - write the device's superblock
 * @d: an attached device
 *
 * Context: process context. Return: 0 or a negative errno (logged).
 */
int tandem_md_write(struct tandem_device *d)
{
	struct page *page;
	blk_opf_t opf = REQ_OP_WRITE | REQ_SYNC | REQ_FUA;
	int err;

	if (!d->md.bdev)
		return 0;
	page = alloc_page(GFP_NOIO);
	if (!page)
		return -ENOMEM;
	if (d->opts.md_flushes)
		opf |= REQ_PREFLUSH;
	/* Encoded under the mutex: an online resize may move the area. */
	mutex_lock(&d->md_io_mutex);
	err = tandem_md_encode(&d->md.info, page_address(page));
	if (err) {
		mutex_unlock(&d->md_io_mutex);
		__free_page(page);
		pr_err("%s/%u: refusing to write inconsistent metadata: %s\n",
		       d->resource->name, d->volume, tandem_md_strerror(err));
		return -EINVAL;
	}
	err = tandem_md_io(d, d->md.sb_offset, page, opf);
	mutex_unlock(&d->md_io_mutex);
	__free_page(page);
	if (err)
		tandem_disk_error(d, TANDEM_IO_META, d->md.sb_offset >> 9, err);
	return err;
}

static enum tandem_disk_state disk_state_from_md(const struct tandem_md_info *i)
{
	if (!(i->flags & TANDEM_MDF_CONSISTENT))
		return TANDEM_DS_INCONSISTENT;
	if (i->flags & TANDEM_MDF_OUTDATED)
		return TANDEM_DS_OUTDATED;
	if (i->flags & TANDEM_MDF_WAS_UP_TO_DATE)
		return TANDEM_DS_UPTODATE;
	return TANDEM_DS_CONSISTENT;
}

static struct block_device *open_dev(const char *path, void *holder,
				     const char *what,
				     struct netlink_ext_ack *extack)
{
	struct block_device *bdev;

	bdev = blkdev_get_by_path(path, FMODE_READ | FMODE_WRITE | FMODE_EXCL,
				  holder);
	if (IS_ERR(bdev)) {
		switch (PTR_ERR(bdev)) {
		case -EBUSY:
			TANDEM_SET_ERR(extack,
					   "%s %s is in use (mounted, or held by another device)",
					   what, path);
			break;
		case -ENOENT:
		case -ENXIO:
		case -ENODEV:
			TANDEM_SET_ERR(extack, "%s %s does not exist",
					   what, path);
			break;
		case -ENOTBLK:
			TANDEM_SET_ERR(extack, "%s %s is not a block device",
					   what, path);
			break;
		default:
			TANDEM_SET_ERR(extack, "cannot open %s %s (%ld)",
					   what, path, PTR_ERR(bdev));
		}
	}
	return bdev;
}

/**
 * tandem_attach() - give a device its backing disk
 * @d: a Diskless device
 * @backing: path of the backing block device
 * @meta: path of the external metadata device, NULL for internal
 * @meta_index: -1 flexible, >= 0 indexed slot (external only)
 * @extack: where refusals are explained
 *
 * Refuses a disk without valid metadata, metadata that does not fit the
 * devices, a disk too small, a disk in use.
 */
int tandem_attach(struct tandem_device *d, const char *backing,
		  const char *meta, int meta_index,
		  struct netlink_ext_ack *extack)
{
	struct tandem_resource *r = d->resource;
	struct tandem_md_place place = {};
	struct tandem_md_info info;
	struct tandem_md_layout layout;
	struct tandem_peer_device *pd;
	struct block_device *bdev, *mdev;
	struct page *page;
	u64 sb_offset;
	int err;

	lockdep_assert_held(&tandem_cfg_mutex);
	bdev = open_dev(backing, d, "backing device", extack);
	if (IS_ERR(bdev))
		return PTR_ERR(bdev);
	mdev = bdev;
	if (meta) {
		mdev = open_dev(meta, &tandem_meta_holder, "meta device",
				extack);
		if (IS_ERR(mdev)) {
			err = PTR_ERR(mdev);
			goto out_put_backing;
		}
	}
	place.kind = !meta ? TANDEM_MD_INTERNAL :
		     meta_index >= 0 ? TANDEM_MD_INDEXED : TANDEM_MD_FLEXIBLE;
	place.index = meta_index >= 0 ? meta_index : 0;
	place.disk_bytes = bdev_nr_bytes(bdev);
	place.meta_bytes = meta ? bdev_nr_bytes(mdev) : 0;

	/* A disk on which no metadata could exist at all: say so plainly. */
	err = tandem_md_compute_layout(&place, 1, TANDEM_AL_EXTENTS_MIN, &layout);
	if (err == -TANDEM_MD_EDISKSMALL || err == -TANDEM_MD_EMETASMALL) {
		TANDEM_SET_ERR(extack, "%s too small (%llu KiB): %s",
			       err == -TANDEM_MD_EDISKSMALL ? backing : meta,
			       (err == -TANDEM_MD_EDISKSMALL ? place.disk_bytes :
				place.meta_bytes) >> 10,
			       tandem_md_strerror(-err));
		err = -EINVAL;
		goto out_put_meta;
	}
	err = tandem_md_sb_offset(&place, &sb_offset);
	if (err) {
		TANDEM_SET_ERR(extack, "metadata placement: %s",
				   tandem_md_strerror(-err));
		err = -EINVAL;
		goto out_put_meta;
	}
	page = alloc_page(GFP_KERNEL);
	if (!page) {
		err = -ENOMEM;
		goto out_put_meta;
	}
	err = tandem_bdev_md_io(mdev, sb_offset, page, REQ_OP_READ | REQ_SYNC);
	if (!err) {
		err = tandem_md_decode(page_address(page), &info);
		if (err)
			TANDEM_SET_ERR(extack,
					   "no valid tandem metadata on %s: %s (create it with tandemmeta create-md)",
					   meta ? meta : backing,
					   tandem_md_strerror(-err));
	} else {
		TANDEM_SET_ERR(extack, "reading metadata failed (%d)", err);
	}
	if (!err && place.kind == TANDEM_MD_INTERNAL)
		err = tandem_resize_follow(mdev, page, &place, &info,
					   &sb_offset);
	__free_page(page);
	if (err) {
		err = err < 0 && err > -TANDEM_MD_ERR_MAX ? -EINVAL : err;
		goto out_put_meta;
	}
	err = tandem_md_validate(&info, &place);
	if (!err)
		tandem_md_layout_of(&info, &place, &layout);
	if (err) {
		TANDEM_SET_ERR(extack, "metadata does not fit the disks: %s",
				   tandem_md_strerror(-err));
		err = -EINVAL;
		goto out_put_meta;
	}
	if (info.node_id != r->node_id) {
		pr_info("%s/%u: metadata was created for node %u, now node %u\n",
			r->name, d->volume, info.node_id, r->node_id);
		tandem_md_adopt(&info, r->node_id);
	}

	d->md.bdev = mdev;
	d->md.info = info;
	d->md.layout = layout;
	d->md.sb_offset = sb_offset;
	strscpy(d->backing_path, backing, sizeof(d->backing_path));
	strscpy(d->meta_path, meta ? meta : "", sizeof(d->meta_path));
	d->meta_index = meta_index;

	err = tandem_al_attach(d);
	if (err) {
		TANDEM_SET_ERR(extack, "activity log on %s: I/O error (%d)",
			       meta ? meta : backing, err);
		goto out_clear_md;
	}
	list_for_each_entry(pd, &d->peer_devices, dev_list) {
		err = tandem_bm_alloc(pd);
		if (err) {
			TANDEM_SET_ERR(extack, "reading the bitmaps on %s failed (%d)",
				       meta ? meta : backing, err);
			goto out_free_bitmaps;
		}
	}
	blk_queue_logical_block_size(d->disk->queue,
				     bdev_logical_block_size(bdev));
	blk_queue_max_discard_sectors(d->disk->queue,
		min_t(unsigned int, bdev_max_discard_sectors(bdev),
		      TANDEM_MAX_PAYLOAD >> 9));
	blk_queue_max_write_zeroes_sectors(d->disk->queue,
		min_t(unsigned int, bdev_write_zeroes_sectors(bdev),
		      TANDEM_MAX_PAYLOAD >> 9));
	if (bdev_max_discard_sectors(bdev))
		d->disk->queue->limits.discard_granularity = 4096;

	spin_lock_irq(&r->lock);
	d->backing = bdev;
	spin_unlock_irq(&r->lock);
	if (info.flags & TANDEM_MDF_PRIMARY_IND)
		d->md.info.flags |= TANDEM_MDF_CRASHED_PRIMARY;
	tandem_md_write(d);
	tandem_set_disk_state(d, disk_state_from_md(&info));
	tandem_device_update_size(d);
	tandem_disk_timeout_start(d);
	pr_info("%s/%u minor %u: attached %s (%s metadata), %llu KiB of data\n",
		r->name, d->volume, d->minor, backing,
		tandem_md_kind_name(place.kind) ?: "?",
		(unsigned long long)info.data_sect / 2);
	list_for_each_entry(pd, &d->peer_devices, dev_list)
		if (pd->connection->cstate == TANDEM_CS_CONNECTED)
			tandem_send_state_all(pd);
	return 0;

out_free_bitmaps:
	list_for_each_entry(pd, &d->peer_devices, dev_list)
		tandem_bm_free(pd);
	tandem_al_detach(d);
out_clear_md:
	memset(&d->md, 0, sizeof(d->md));
out_put_meta:
	if (meta)
		blkdev_put(mdev, FMODE_READ | FMODE_WRITE | FMODE_EXCL);
out_put_backing:
	blkdev_put(bdev, FMODE_READ | FMODE_WRITE | FMODE_EXCL);
	return err;
}

/*
 * Stop what runs against the disk with each peer: the resync we drive as
 * target, the verify we drive as source, and leave the sync states. The
 * peers learn our disk state from the TP_STATE that follows and stop
 * their side.
 */
static void stop_syncs(struct tandem_device *d)
{
	struct tandem_peer_device *pd;
	enum tandem_repl_state rs;

	list_for_each_entry(pd, &d->peer_devices, dev_list) {
		tandem_resync_stop(pd);
		tandem_verify_stop(pd);
		rs = READ_ONCE(pd->repl);
		if (tandem_repl_syncing(rs) || rs == TANDEM_RS_WF_BITMAP_T ||
		    rs == TANDEM_RS_VERIFY_S || rs == TANDEM_RS_VERIFY_T)
			tandem_cas_repl_state(pd, rs, TANDEM_RS_ESTABLISHED);
	}
}

/*
 * Detach, after an administrator's request (@failed false: every bitmap
 * and a clean activity log are written, so that the next attach needs no
 * replay) or after an I/O error (@failed true: the disk is Failed; what
 * can still be written is, but the activity log stays to be replayed,
 * the disk is marked Outdated, and no one waits for the peers).
 */
static void do_detach(struct tandem_device *d, bool failed)
{
	struct tandem_resource *r = d->resource;
	struct tandem_peer_device *pd;
	struct block_device *bdev = d->backing;
	bool clean = false;
	int i;

	lockdep_assert_held(&tandem_cfg_mutex);
	if (!bdev)
		return;
	if (!failed)
		tandem_set_disk_state(d, TANDEM_DS_DETACHING);
	/* From here on no new request uses the disk (tandem_disk_usable). */
	stop_syncs(d);
	while (atomic_read(&d->local_pending))
		msleep(20);
	list_for_each_entry(pd, &d->peer_devices, dev_list)
		if (pd->connection->cstate == TANDEM_CS_CONNECTED)
			flush_workqueue(pd->connection->send_wq);
	if (!failed) {
		/*
		 * Writes the peers have not confirmed as stable still hold
		 * their AL extents; their barrier acks come soon (or the
		 * connection fails and marks them out of sync). Only with
		 * none left are the bitmaps on disk complete, and the AL
		 * needs no replay.
		 */
		for (i = 0; i < 500 && !tandem_al_idle(d); i++)
			msleep(20);
		clean = !tandem_bm_write_all(d, true);
		clean = tandem_al_idle(d) && clean;
		if (!clean)
			pr_warn("%s/%u: detaching with writes not confirmed by a peer; the activity log will be replayed on the next attach\n",
				r->name, d->volume);
	} else {
		tandem_bm_write_all(d, true);
		d->md.info.flags |= TANDEM_MDF_OUTDATED;
	}
	if (clean)
		d->md.info.flags |= TANDEM_MDF_AL_CLEAN;
	d->md.info.flags &= ~TANDEM_MDF_PRIMARY_IND;
	tandem_md_write(d);
	tandem_al_detach(d);

	spin_lock_irq(&r->lock);
	d->backing = NULL;
	spin_unlock_irq(&r->lock);
	list_for_each_entry(pd, &d->peer_devices, dev_list)
		tandem_bm_free(pd);
	if (d->md.bdev != bdev)
		blkdev_put(d->md.bdev, FMODE_READ | FMODE_WRITE | FMODE_EXCL);
	blkdev_put(bdev, FMODE_READ | FMODE_WRITE | FMODE_EXCL);
	memset(&d->md, 0, sizeof(d->md));
	d->backing_path[0] = '\0';
	tandem_set_disk_state(d, TANDEM_DS_DISKLESS);
	tandem_device_update_size(d);
	pr_info("%s/%u minor %u: detached%s\n", r->name, d->volume, d->minor,
		failed ? " after an I/O error" : "");
	list_for_each_entry(pd, &d->peer_devices, dev_list)
		if (pd->connection->cstate == TANDEM_CS_CONNECTED)
			tandem_send_state_all(pd);
}

/**
 * tandem_detach() - let go of the backing disk
 * @d: the device
 *
 * New I/O stops using the disk first (a Primary goes on through an
 * UpToDate peer), a running resync or verify with any peer stops, I/O in
 * flight is waited for, then the bitmaps and the superblock are written
 * and the devices are closed.
 *
 * Context: tandem_cfg_mutex held.
 */
void tandem_detach(struct tandem_device *d)
{
	do_detach(d, false);
}

/**
 * tandem_detach_failed() - let go of a disk that failed an I/O
 * @d: a device whose disk is Failed (kernel/ioerr.c)
 *
 * Context: tandem_cfg_mutex held.
 */
void tandem_detach_failed(struct tandem_device *d)
{
	do_detach(d, true);
}
