// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - the block device /dev/tandem<minor>: gendisk, open rules, size.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/module.h>

#include "tandem_int.h"

static int tandem_major;

static int tandem_open(struct block_device *bdev, fmode_t mode)
{
	struct tandem_device *d = bdev->bd_disk->private_data;
	struct tandem_resource *r = d->resource;
	int err = 0;

	spin_lock_irq(&r->lock);
	if ((mode & FMODE_WRITE) && r->role != TANDEM_ROLE_PRIMARY)
		err = -EROFS;	/* only a Primary takes writes */
	else if (!tandem_good_data_reachable(d) &&
		 r->role != TANDEM_ROLE_PRIMARY)
		err = -EMEDIUMTYPE;	/* no good data here nor at a peer */
	if (!err) {
		d->open_count++;
		if (mode & FMODE_WRITE)
			d->open_rw++;
	}
	spin_unlock_irq(&r->lock);
	return err;
}

static void tandem_release(struct gendisk *disk, fmode_t mode)
{
	struct tandem_device *d = disk->private_data;
	struct tandem_resource *r = d->resource;

	spin_lock_irq(&r->lock);
	d->open_count--;
	if (mode & FMODE_WRITE)
		d->open_rw--;
	spin_unlock_irq(&r->lock);
}

static const struct block_device_operations tandem_fops = {
	.owner		= THIS_MODULE,
	.submit_bio	= tandem_submit_bio,
	.open		= tandem_open,
	.release	= tandem_release,
};

/*
 * A Primary writes when its disk is UpToDate, or (diskless, or its disk
 * failed) when a connected peer's is. Caller holds resource->lock.
 */
bool tandem_may_write(struct tandem_device *d)
{
	lockdep_assert_held(&d->resource->lock);
	if (d->resource->role != TANDEM_ROLE_PRIMARY)
		return false;
	if (d->disk_state == TANDEM_DS_UPTODATE && d->backing)
		return true;
	return tandem_read_peer(d) != NULL;
}

int tandem_device_expose(struct tandem_device *d)
{
	struct gendisk *disk;
	int err;

	disk = blk_alloc_disk(NUMA_NO_NODE);
	if (!disk)
		return -ENOMEM;
	disk->major = tandem_major;
	disk->first_minor = d->minor;
	disk->minors = 1;
	disk->fops = &tandem_fops;
	disk->private_data = d;
	disk->flags |= GENHD_FL_NO_PART;
	snprintf(disk->disk_name, sizeof(disk->disk_name), "tandem%u",
		 d->minor);
	blk_queue_logical_block_size(disk->queue, 512);
	blk_queue_physical_block_size(disk->queue, 4096);
	blk_queue_max_hw_sectors(disk->queue, TANDEM_MAX_PAYLOAD >> 9);
	blk_queue_max_discard_sectors(disk->queue, 0);
	blk_queue_write_cache(disk->queue, true, true);
	set_capacity(disk, 0);
	set_disk_ro(disk, true);
	d->disk = disk;
	err = add_disk(disk);
	if (err) {
		put_disk(disk);
		d->disk = NULL;
		return err;
	}
	d->exposed = true;
	return 0;
}

void tandem_device_unexpose(struct tandem_device *d)
{
	if (!d->disk)
		return;
	if (d->exposed)
		del_gendisk(d->disk);
	put_disk(d->disk);
	d->disk = NULL;
	d->exposed = false;
}

/*
 * The device exposes the data area of its disk, or the smaller of ours
 * and the connected peers' when they are smaller (and nothing while we
 * have no disk).
 */
void tandem_device_update_size(struct tandem_device *d)
{
	struct tandem_peer_device *pd;
	sector_t size = 0;

	if (d->backing) {
		size = tandem_data_sectors(d);
		list_for_each_entry(pd, &d->peer_devices, dev_list)
			if (pd->peer_size_sect &&
			    pd->connection->cstate == TANDEM_CS_CONNECTED)
				size = min_t(sector_t, size, pd->peer_size_sect);
	} else {
		/* Diskless: the peers' data, as long as one is connected. */
		list_for_each_entry(pd, &d->peer_devices, dev_list)
			if (pd->peer_size_sect &&
			    pd->connection->cstate == TANDEM_CS_CONNECTED)
				size = size ? min_t(sector_t, size,
						    pd->peer_size_sect) :
					      pd->peer_size_sect;
		/* An open device keeps its size; its I/O fails meanwhile. */
		if (!size && d->open_count)
			size = get_capacity(d->disk);
	}
	if (get_capacity(d->disk) != size) {
		pr_info("%s/%u minor %u: size %llu KiB\n", d->resource->name,
			d->volume, d->minor, (unsigned long long)size / 2);
		set_capacity_and_notify(d->disk, size);
	}
}

int tandem_blkdev_init(void)
{
	tandem_major = register_blkdev(0, "tandem");
	return tandem_major < 0 ? tandem_major : 0;
}

void tandem_blkdev_exit(void)
{
	unregister_blkdev(tandem_major, "tandem");
}
