// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - out-of-sync bitmaps and resync.
 *
 * The sync target drives: a thread walks its bitmap towards the source
 * and sends TP_SYNC_REQ for runs of out-of-sync blocks, no faster than
 * resync-rate allows (a byte budget refilled every 100 ms), with a bounded
 * number of bytes in flight. The source reads each requested range under
 * the device's interval lock (so it never races an application write to
 * the same blocks) and answers with TP_SYNC_DATA on the DATA stream,
 * behind any write it sent earlier. The target writes the block, clears
 * its bits and acknowledges with TP_SYNC_ACK, upon which the source clears
 * its own bits. When no bit is left the target declares its disk UpToDate.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>

#include "tandem_int.h"

#define BM_SECT		(TANDEM_BM_BLOCK_BYTES >> 9)	/* sectors per bit */
#define RS_TICK		(HZ / 10)
#define RS_MAX_INFLIGHT	(4U << 20)

/* ---- bitmap ------------------------------------------------------- */

int tandem_bm_alloc(struct tandem_peer_device *pd)
{
	u64 bits = DIV_ROUND_UP(tandem_data_sectors(pd->device), BM_SECT);
	struct tandem_md_peer_info *slot;
	unsigned long *bm;

	bm = kvcalloc(BITS_TO_LONGS(bits), sizeof(long), GFP_KERNEL);
	if (!bm)
		return -ENOMEM;
	spin_lock_irq(&pd->device->resource->lock);
	kvfree(pd->bitmap);
	pd->bitmap = bm;
	pd->bm_bits = bits;
	pd->oos_bits = 0;
	spin_unlock_irq(&pd->device->resource->lock);
	/*
	 * Bitmap contents are not kept on disk yet: if changes towards this
	 * peer were being tracked when the disk was last detached, which
	 * blocks changed is unknown, so all of them count as changed.
	 */
	slot = tandem_md_peer_slot(pd->device, pd->connection->peer_node_id,
				   false);
	if (slot && slot->bitmap_uuid)
		tandem_bm_set_all(pd);
	return 0;
}

void tandem_bm_free(struct tandem_peer_device *pd)
{
	unsigned long *bm;

	spin_lock_irq(&pd->device->resource->lock);
	bm = pd->bitmap;
	pd->bitmap = NULL;
	pd->bm_bits = 0;
	pd->oos_bits = 0;
	spin_unlock_irq(&pd->device->resource->lock);
	kvfree(bm);
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
			if (!__test_and_set_bit(b, pd->bitmap))
				pd->oos_bits++;
		} else if (__test_and_clear_bit(b, pd->bitmap)) {
			pd->oos_bits--;
		}
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

void tandem_bm_set_all(struct tandem_peer_device *pd)
{
	spin_lock_irq(&pd->device->resource->lock);
	if (pd->bitmap) {
		bitmap_fill(pd->bitmap, pd->bm_bits);
		pd->oos_bits = pd->bm_bits;
	}
	spin_unlock_irq(&pd->device->resource->lock);
}

static void bm_clear_all(struct tandem_peer_device *pd)
{
	spin_lock_irq(&pd->device->resource->lock);
	if (pd->bitmap) {
		bitmap_zero(pd->bitmap, pd->bm_bits);
		pd->oos_bits = 0;
	}
	spin_unlock_irq(&pd->device->resource->lock);
}

/* ---- progress ------------------------------------------------------ */

static void rs_begin(struct tandem_peer_device *pd)
{
	spin_lock_irq(&pd->device->resource->lock);
	pd->rs_total = pd->oos_bits;
	pd->rs_start = jiffies;
	pd->rs_mark_bits = pd->oos_bits;
	pd->rs_mark_time = jiffies;
	pd->rs_speed = 0;
	spin_unlock_irq(&pd->device->resource->lock);
}

/* Speed over the last few seconds, in KiB/s. */
static void rs_mark(struct tandem_peer_device *pd)
{
	unsigned long now = jiffies, dt = now - pd->rs_mark_time;
	u64 left;

	if (dt < 2 * HZ)
		return;
	spin_lock_irq(&pd->device->resource->lock);
	left = pd->oos_bits;
	if (pd->rs_mark_bits >= left)
		pd->rs_speed = div64_u64((pd->rs_mark_bits - left) * 4 * HZ,
					 dt);
	pd->rs_mark_bits = left;
	pd->rs_mark_time = now;
	spin_unlock_irq(&pd->device->resource->lock);
}

/* ---- sync target ---------------------------------------------------- */

static u32 chunk_for_rate(u32 rate_kib)
{
	u64 per_tick = (u64)rate_kib * 1024 / 10;

	per_tick = round_down(per_tick, TANDEM_BM_BLOCK_BYTES);
	return clamp_t(u64, per_tick, TANDEM_BM_BLOCK_BYTES, TANDEM_SYNC_CHUNK);
}

/* Next run of set bits at or after @*cursor, at most @max_bits long. */
static bool next_run(struct tandem_peer_device *pd, u64 *cursor,
		     u64 max_bits, u64 *start, u64 *count)
{
	struct tandem_resource *r = pd->device->resource;
	u64 b, n = 0;

	spin_lock_irq(&r->lock);
	if (!pd->bitmap) {
		spin_unlock_irq(&r->lock);
		return false;
	}
	b = find_next_bit(pd->bitmap, pd->bm_bits, *cursor);
	if (b >= pd->bm_bits) {
		spin_unlock_irq(&r->lock);
		return false;
	}
	while (b + n < pd->bm_bits && n < max_bits &&
	       test_bit(b + n, pd->bitmap))
		n++;
	spin_unlock_irq(&r->lock);
	*start = b;
	*count = n;
	*cursor = b + n;
	return true;
}

static int send_sync_req(struct tandem_peer_device *pd, sector_t sector,
			 u32 size)
{
	struct tandem_p_block_req p = {};

	p.sector = cpu_to_be64(sector);
	p.block_id = 0;
	p.size = cpu_to_be32(size);
	return tandem_send_packet(pd->connection, TANDEM_STREAM_DATA,
				  TP_SYNC_REQ, pd->device->volume, &p,
				  sizeof(p), NULL, 0);
}

static bool rs_should_run(struct tandem_peer_device *pd)
{
	return !kthread_should_stop() &&
	       READ_ONCE(pd->repl) == TANDEM_RS_SYNC_TARGET &&
	       READ_ONCE(pd->connection->cstate) == TANDEM_CS_CONNECTED;
}

static void target_done(struct tandem_peer_device *pd)
{
	struct tandem_device *d = pd->device;
	struct tandem_resource *r = d->resource;
	struct tandem_p_sync_done p = {};
	unsigned int ms = max(1U, jiffies_to_msecs(jiffies - pd->rs_start));

	pr_info("%s/%u peer %u: resync done: %llu KiB in %u.%03u s (%llu KiB/s)\n",
		r->name, d->volume, pd->connection->peer_node_id,
		pd->rs_total * 4, ms / 1000, ms % 1000,
		div_u64(pd->rs_total * 4 * 1000, ms));
	tandem_sync_generation_done(pd, true);
	tandem_set_disk_state(d, TANDEM_DS_UPTODATE);
	tandem_set_repl_state(pd, TANDEM_RS_ESTABLISHED);
	tandem_send_packet(pd->connection, TANDEM_STREAM_DATA, TP_SYNC_DONE,
			   d->volume, &p, sizeof(p), NULL, 0);
	tandem_send_state(pd);
}

static int rs_target_thread(void *arg)
{
	struct tandem_peer_device *pd = arg;
	struct tandem_device *d = pd->device;
	u64 cursor = 0, start, count, budget = 0;
	u64 data_sect = tandem_data_sectors(d);
	bool finished = false;

	rs_begin(pd);
	pr_info("%s/%u peer %u: resync started as target, %llu KiB to go\n",
		d->resource->name, d->volume, pd->connection->peer_node_id,
		pd->rs_total * 4);
	while (rs_should_run(pd)) {
		u32 rate = READ_ONCE(d->opts.resync_rate);
		u32 chunk = chunk_for_rate(rate);
		u64 refill = (u64)rate * 1024 / 10;

		budget = min_t(u64, budget + refill, max_t(u64, 2 * refill,
							   chunk));
		while (budget >= chunk && rs_should_run(pd) &&
		       atomic_read(&pd->rs_inflight) < RS_MAX_INFLIGHT) {
			sector_t sector;
			u32 size;

			if (!next_run(pd, &cursor,
				      chunk / TANDEM_BM_BLOCK_BYTES, &start,
				      &count)) {
				if (atomic_read(&pd->rs_inflight))
					break;
				if (!READ_ONCE(pd->oos_bits)) {
					finished = true;
					break;
				}
				cursor = 0;	/* re-dirtied behind us */
				break;
			}
			sector = start * BM_SECT;
			size = count * TANDEM_BM_BLOCK_BYTES;
			if (sector + (size >> 9) > data_sect)
				size = (data_sect - sector) << 9;
			atomic_add(size, &pd->rs_inflight);
			if (send_sync_req(pd, sector, size)) {
				atomic_sub(size, &pd->rs_inflight);
				break;
			}
			budget -= min_t(u64, budget, size);
		}
		if (finished)
			break;
		rs_mark(pd);
		schedule_timeout_interruptible(RS_TICK);
	}
	if (finished && rs_should_run(pd))
		target_done(pd);
	tandem_wait_for_stop();
	return 0;
}

void tandem_resync_start(struct tandem_peer_device *pd, bool as_target)
{
	struct task_struct *t;

	if (!as_target) {
		rs_begin(pd);
		pr_info("%s/%u peer %u: resync started as source, %llu KiB to go\n",
			pd->device->resource->name, pd->device->volume,
			pd->connection->peer_node_id, pd->rs_total * 4);
		return;
	}
	if (pd->rs_task)
		return;
	atomic_set(&pd->rs_inflight, 0);
	t = kthread_run(rs_target_thread, pd, "tandem_rs_%s_%u",
			pd->device->resource->name, pd->device->volume);
	if (IS_ERR(t)) {
		tandem_conn_failed(pd->connection, TANDEM_CS_NETWORK_FAILURE,
				   "cannot start the resync thread");
		return;
	}
	pd->rs_task = t;
}

/* Called by the connection worker only (after a loss, or at teardown). */
void tandem_resync_stop(struct tandem_peer_device *pd)
{
	if (pd->rs_task) {
		kthread_stop(pd->rs_task);
		pd->rs_task = NULL;
	}
}

/* The target wrote a resync block. */
void tandem_resync_received(struct tandem_peer_device *pd, sector_t sector,
			    u32 size)
{
	tandem_bm_clear_range(pd, sector, size);
	atomic_sub(min_t(int, size, atomic_read(&pd->rs_inflight)),
		   &pd->rs_inflight);
	atomic64_add(size >> 10, &pd->rs_recv_kib);
}

/* Source side: the target has everything. */
void tandem_resync_finished(struct tandem_peer_device *pd)
{
	if (pd->repl != TANDEM_RS_SYNC_SOURCE)
		return;
	bm_clear_all(pd);
	tandem_sync_generation_done(pd, false);
	tandem_set_repl_state(pd, TANDEM_RS_ESTABLISHED);
}

/* ---- sync source ---------------------------------------------------- */

/**
 * struct rs_read - a resync read on the source
 * @pd: peer device asking
 * @iv: range, held in the device's interval list until sent
 * @block_id: requester's cookie
 * @bio: the read
 * @status: its result
 * @work: sends the data, on the connection's send queue
 */
struct rs_read {
	struct tandem_peer_device *pd;
	struct tandem_interval iv;
	u64 block_id;
	struct bio *bio;
	blk_status_t status;
	struct work_struct work;
};

static void rs_read_free(struct rs_read *rr)
{
	struct bio_vec *bv;
	struct bvec_iter_all it;

	if (rr->bio) {
		bio_for_each_segment_all(bv, rr->bio, it)
			__free_page(bv->bv_page);
		bio_put(rr->bio);
	}
	kfree(rr);
}

static void rs_send_work(struct work_struct *work)
{
	struct rs_read *rr = container_of(work, struct rs_read, work);
	struct tandem_peer_device *pd = rr->pd;
	struct tandem_connection *c = pd->connection;
	struct tandem_device *d = pd->device;
	struct tandem_p_data p = {};
	struct iov_iter it;
	int err;

	if (!rr->status) {
		p.sector = cpu_to_be64(rr->iv.sector);
		p.block_id = cpu_to_be64(rr->block_id);
		p.size = cpu_to_be32(rr->iv.size);
		iov_iter_bvec(&it, ITER_SOURCE, rr->bio->bi_io_vec,
			      rr->bio->bi_vcnt, rr->iv.size);
		err = tandem_send_packet(c, TANDEM_STREAM_DATA, TP_SYNC_DATA,
					 d->volume, &p, sizeof(p), &it, 0);
		if (!err) {
			atomic64_add(rr->iv.size >> 10, &pd->rs_sent_kib);
			atomic64_add(rr->iv.size >> 10, &c->sent_kib);
		}
	} else {
		pr_err_ratelimited("%s/%u: resync read at sector %llu failed\n",
				   d->resource->name, d->volume,
				   (unsigned long long)rr->iv.sector);
		tandem_conn_failed(c, TANDEM_CS_NETWORK_FAILURE,
				   "local read error while serving resync");
	}
	tandem_interval_end(d, &rr->iv);
	rs_read_free(rr);
	tandem_connection_put(c);
}

static void rs_read_endio(struct bio *bio)
{
	struct rs_read *rr = bio->bi_private;

	rr->status = bio->bi_status;
	atomic64_add(rr->iv.size >> 10, &rr->pd->device->read_kib);
	tandem_put_disk(rr->pd->device);
	queue_work(rr->pd->connection->send_wq, &rr->work);
}

/* Source: read [sector, sector+size) and send it. Receiver context. */
void tandem_resync_serve(struct tandem_peer_device *pd, sector_t sector,
			 u64 block_id, u32 size)
{
	struct tandem_device *d = pd->device;
	unsigned int nr = DIV_ROUND_UP(size, PAGE_SIZE), i;
	struct rs_read *rr;

	if (d->disk_state != TANDEM_DS_UPTODATE || !tandem_get_disk(d)) {
		tandem_conn_failed(pd->connection, TANDEM_CS_PROTOCOL_ERROR,
				   "peer requested resync data but our disk is %s",
				   tandem_disk_state_name(d->disk_state));
		return;
	}
	rr = kzalloc(sizeof(*rr), GFP_NOIO);
	if (!rr)
		goto fail_put_disk;
	rr->pd = pd;
	rr->iv.sector = sector;
	rr->iv.size = size;
	rr->block_id = block_id;
	INIT_WORK(&rr->work, rs_send_work);
	rr->bio = bio_alloc(d->backing, nr, REQ_OP_READ, GFP_NOIO);
	for (i = 0; i < nr; i++) {
		struct page *page = alloc_page(GFP_NOIO);

		if (!page)
			goto fail_free;
		if (!bio_add_page(rr->bio, page,
				  min_t(u32, size - i * PAGE_SIZE, PAGE_SIZE),
				  0)) {
			__free_page(page);
			goto fail_free;
		}
	}
	rr->bio->bi_iter.bi_sector = sector;
	rr->bio->bi_private = rr;
	rr->bio->bi_end_io = rs_read_endio;

	/* Never read what an application write is changing right now. */
	tandem_interval_begin(d, &rr->iv, true);
	kref_get(&pd->connection->kref);
	submit_bio_noacct(rr->bio);
	return;

fail_free:
	rs_read_free(rr);
fail_put_disk:
	tandem_put_disk(d);
	tandem_conn_failed(pd->connection, TANDEM_CS_NETWORK_FAILURE,
			   "out of memory serving resync");
}
