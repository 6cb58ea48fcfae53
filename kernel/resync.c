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

#include <net/netlink.h>

#include "tandem_int.h"
#include "lib/rs_ctrl.h"

#define BM_SECT		(TANDEM_BM_BLOCK_BYTES >> 9)	/* sectors per bit */
#define RS_TICK		(HZ / 10)
#define RS_MAX_INFLIGHT	(4U << 20)

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

/*
 * Request [sector, sector + size). Return: 0, -EBUSY when an application
 * write holds part of the range (try again later), or another errno.
 */
static int send_sync_req(struct tandem_peer_device *pd, sector_t sector,
			 u32 size)
{
	struct tandem_device *d = pd->device;
	struct tandem_p_block_req p = {};
	struct tandem_rs_req *rq;
	u32 id;
	int err;

	rq = kzalloc(sizeof(*rq), GFP_NOIO);
	if (!rq)
		return -ENOMEM;
	rq->iv.sector = sector;
	rq->iv.size = size;
	/* Not waiting: that write may wait for this thread's owner. */
	err = tandem_interval_begin(d, &rq->iv, false);
	if (err)
		goto out_free;
	err = xa_alloc(&pd->rs_reqs, &id, rq, xa_limit_31b, GFP_NOIO);
	if (err)
		goto out_end;
	p.sector = cpu_to_be64(sector);
	p.block_id = cpu_to_be64(id);
	p.size = cpu_to_be32(size);
	err = tandem_send_packet(pd->connection, TANDEM_STREAM_DATA,
				 TP_SYNC_REQ, d->volume, &p, sizeof(p), NULL, 0);
	if (!err || xa_erase(&pd->rs_reqs, id) != rq)
		return err;	/* (or the receiver took it meanwhile) */
out_end:
	tandem_interval_end(d, &rq->iv);
out_free:
	kfree(rq);
	return err;
}

/**
 * tandem_resync_take_req() - the request a TP_SYNC_DATA answers
 * @pd: peer device
 * @block_id: from the packet
 *
 * Return: the request (the caller ends it with tandem_resync_req_done()),
 * or NULL if none is in flight under @block_id (a resync that stopped).
 */
struct tandem_rs_req *tandem_resync_take_req(struct tandem_peer_device *pd,
					     u64 block_id)
{
	if (!block_id || block_id > U32_MAX)
		return NULL;
	return xa_erase(&pd->rs_reqs, block_id);
}

void tandem_resync_req_done(struct tandem_peer_device *pd,
			    struct tandem_rs_req *rq)
{
	tandem_interval_end(pd->device, &rq->iv);
	kfree(rq);
}

/* The resync stopped: its requests in flight are given up. */
static void rs_reqs_release(struct tandem_peer_device *pd)
{
	struct tandem_rs_req *rq;
	unsigned long id;

	xa_for_each(&pd->rs_reqs, id, rq)
		if (xa_erase(&pd->rs_reqs, id) == rq)
			tandem_resync_req_done(pd, rq);
}

static bool rs_should_run(struct tandem_peer_device *pd)
{
	return !kthread_should_stop() &&
	       tandem_repl_target(READ_ONCE(pd->repl)) &&
	       READ_ONCE(pd->connection->cstate) == TANDEM_CS_CONNECTED;
}

static void target_done(struct tandem_peer_device *pd)
{
	struct tandem_device *d = pd->device;
	struct tandem_resource *r = d->resource;
	struct tandem_p_sync_done p = {};
	unsigned int ms = max(1U, jiffies_to_msecs(jiffies - pd->rs_start));
	bool disk;

	/* Only a disk that is still here, and got every block, is UpToDate. */
	spin_lock_irq(&r->lock);
	disk = d->backing && pd->bitmap && !pd->oos_bits &&
	       d->disk_state == TANDEM_DS_INCONSISTENT;
	spin_unlock_irq(&r->lock);
	if (!disk)
		return;
	pr_info("%s/%u peer %u: resync done: %llu KiB in %u.%03u s (%llu KiB/s)\n",
		r->name, d->volume, pd->connection->peer_node_id,
		pd->rs_total * 4, ms / 1000, ms % 1000,
		div_u64(pd->rs_total * 4 * 1000, ms));
	tandem_bm_write(pd);
	tandem_sync_generation_done(pd, true);
	tandem_set_disk_state(d, TANDEM_DS_UPTODATE);
	tandem_set_repl_state(pd, TANDEM_RS_ESTABLISHED);
	tandem_send_packet(pd->connection, TANDEM_STREAM_DATA, TP_SYNC_DONE,
			   d->volume, &p, sizeof(p), NULL, 0);
	tandem_send_state(pd);
}

/*
 * Is the resync of our resync-after minor (or of one it waits for) still
 * to be done? Without the configuration lock, the last answer stands.
 */
static bool rs_after_busy(struct tandem_peer_device *pd)
{
	u32 m = READ_ONCE(pd->device->opts.resync_after);
	struct tandem_peer_device *opd;
	struct tandem_device *other;
	bool busy = false;

	if (m == TANDEM_NO_MINOR)
		return false;
	if (!mutex_trylock(&tandem_cfg_mutex))
		return READ_ONCE(pd->rs_after_paused);
	other = tandem_device_find(m);
	if (other) {
		spin_lock_irq(&other->resource->lock);
		list_for_each_entry(opd, &other->peer_devices, dev_list)
			if (tandem_repl_syncing(opd->repl) ||
			    opd->repl == TANDEM_RS_WF_BITMAP_T)
				busy = true;
		spin_unlock_irq(&other->resource->lock);
	}
	mutex_unlock(&tandem_cfg_mutex);
	return busy;
}

void tandem_rs_conf(struct tandem_device *d, struct tandem_rs_ctrl_conf *c)
{
	c->resync_rate = READ_ONCE(d->opts.resync_rate);
	c->c_plan_ahead = READ_ONCE(d->opts.c_plan_ahead);
	c->c_fill_target = READ_ONCE(d->opts.c_fill_target);
	c->c_delay_target = READ_ONCE(d->opts.c_delay_target);
	c->c_max_rate = READ_ONCE(d->opts.c_max_rate);
	c->c_min_rate = READ_ONCE(d->opts.c_min_rate);
}

static bool rs_paused(struct tandem_peer_device *pd)
{
	return READ_ONCE(pd->rs_paused) || READ_ONCE(pd->rs_peer_paused) ||
	       READ_ONCE(pd->rs_after_paused);
}

bool tandem_repl_target(enum tandem_repl_state rs)
{
	return rs == TANDEM_RS_SYNC_TARGET || rs == TANDEM_RS_PAUSED_SYNC_T;
}

bool tandem_repl_source(enum tandem_repl_state rs)
{
	return rs == TANDEM_RS_SYNC_SOURCE || rs == TANDEM_RS_PAUSED_SYNC_S;
}

bool tandem_repl_syncing(enum tandem_repl_state rs)
{
	return tandem_repl_target(rs) || tandem_repl_source(rs);
}

/**
 * tandem_sync_pause_update() - PausedSync* while anybody pauses the resync
 * @pd: peer device
 *
 * A resync is paused while the local administrator (pause-sync), the
 * peer's, or a resync-after dependency holds it. The state is reported to
 * the peer when it changes.
 */
void tandem_sync_pause_update(struct tandem_peer_device *pd)
{
	enum tandem_repl_state rs = READ_ONCE(pd->repl), want;
	bool paused = rs_paused(pd);

	if (!tandem_repl_syncing(rs))
		return;
	if (tandem_repl_target(rs))
		want = paused ? TANDEM_RS_PAUSED_SYNC_T : TANDEM_RS_SYNC_TARGET;
	else
		want = paused ? TANDEM_RS_PAUSED_SYNC_S : TANDEM_RS_SYNC_SOURCE;
	if (want == rs || !tandem_cas_repl_state(pd, rs, want))
		return;
	tandem_send_state(pd);
}

/**
 * tandem_pause_sync() - pause-sync / resume-sync
 * @pd: peer device
 * @pause: pause, or resume
 * @extack: where a refusal is explained
 *
 * The flag stays until resumed: a resync that starts later starts paused.
 *
 * Context: tandem_cfg_mutex held.
 */
int tandem_pause_sync(struct tandem_peer_device *pd, bool pause,
		      struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&tandem_cfg_mutex);
	if (READ_ONCE(pd->rs_paused) == pause) {
		TANDEM_SET_ERR(extack, "resync with peer %u is %s paused here",
			       pd->connection->peer_node_id,
			       pause ? "already" : "not");
		return -EALREADY;
	}
	WRITE_ONCE(pd->rs_paused, pause);
	pr_info("%s/%u peer %u: resync %s by the administrator\n",
		pd->device->resource->name, pd->device->volume,
		pd->connection->peer_node_id, pause ? "paused" : "resumed");
	if (READ_ONCE(pd->connection->cstate) != TANDEM_CS_CONNECTED)
		return 0;
	tandem_sync_pause_update(pd);
	/* The peer learns the flag even if our state stays the same. */
	tandem_send_state(pd);
	return 0;
}

/**
 * tandem_invalidate() - invalidate / invalidate-remote
 * @d: the device
 * @remote: overwrite the peer's data with ours (invalidate-remote), not
 *          ours with the peer's (invalidate)
 * @extack: where a refusal is explained
 *
 * Connected to a peer with good data (invalidate) or to a peer that may be
 * overwritten (invalidate-remote): a full sync starts in that direction.
 * invalidate without a connection marks the local disk Inconsistent, so
 * that the next connection brings a full sync.
 *
 * Context: tandem_cfg_mutex held.
 */
int tandem_invalidate(struct tandem_device *d, bool remote,
		      struct netlink_ext_ack *extack)
{
	struct tandem_resource *r = d->resource;
	struct tandem_peer_device *pd, *found = NULL;

	lockdep_assert_held(&tandem_cfg_mutex);
	if (!d->backing) {
		TANDEM_SET_ERR(extack, "minor %u has no disk", d->minor);
		return -ENODEV;
	}
	list_for_each_entry(pd, &d->peer_devices, dev_list) {
		if (READ_ONCE(pd->connection->cstate) != TANDEM_CS_CONNECTED)
			continue;
		if (tandem_repl_syncing(pd->repl) ||
		    pd->repl == TANDEM_RS_WF_BITMAP_T) {
			TANDEM_SET_ERR(extack,
				       "a resync with peer %u is running already",
				       pd->connection->peer_node_id);
			return -EBUSY;
		}
		if (pd->repl == TANDEM_RS_VERIFY_S ||
		    pd->repl == TANDEM_RS_VERIFY_T) {
			TANDEM_SET_ERR(extack,
				       "an online verify with peer %u is running; wait for it to end",
				       pd->connection->peer_node_id);
			return -EBUSY;
		}
		found = pd;
		break;
	}
	if (remote) {
		if (!found) {
			TANDEM_SET_ERR(extack, "invalidate-remote needs a connected peer");
			return -ENOTCONN;
		}
		if (d->disk_state != TANDEM_DS_UPTODATE) {
			TANDEM_SET_ERR(extack, "local disk is %s, not UpToDate",
				       tandem_disk_state_name(d->disk_state));
			return -EINVAL;
		}
		if (found->connection->peer_role == TANDEM_ROLE_PRIMARY) {
			TANDEM_SET_ERR(extack, "the peer is Primary: demote it first");
			return -EBUSY;
		}
		pr_info("%s/%u peer %u: invalidate-remote: full sync as source\n",
			r->name, d->volume, found->connection->peer_node_id);
		tandem_bm_set_all(found);
		tandem_set_repl_state(found, TANDEM_RS_SYNC_SOURCE);
		tandem_resync_start(found, false);
		tandem_sync_pause_update(found);
		tandem_send_state_flags(found, TANDEM_SF_START_FULL);
		return 0;
	}
	if (READ_ONCE(r->role) == TANDEM_ROLE_PRIMARY) {
		TANDEM_SET_ERR(extack, "the local node is Primary: demote it first");
		return -EBUSY;
	}
	if (found && found->peer_disk != TANDEM_DS_UPTODATE) {
		TANDEM_SET_ERR(extack, "the peer's disk is %s, not UpToDate",
			       tandem_disk_state_name(found->peer_disk));
		return -EINVAL;
	}
	d->md.info.flags &= ~(TANDEM_MDF_CONSISTENT | TANDEM_MDF_WAS_UP_TO_DATE);
	if (tandem_md_write(d)) {
		TANDEM_SET_ERR(extack, "writing the metadata failed: the disk is detached (on-io-error)");
		return -EIO;
	}
	tandem_set_disk_state(d, TANDEM_DS_INCONSISTENT);
	if (!found) {
		pr_info("%s/%u: invalidated: a full sync follows the next connection\n",
			r->name, d->volume);
		return 0;
	}
	pr_info("%s/%u peer %u: invalidate: full sync as target\n", r->name,
		d->volume, found->connection->peer_node_id);
	tandem_bm_set_all(found);
	tandem_set_repl_state(found, TANDEM_RS_SYNC_TARGET);
	tandem_sync_pause_update(found);
	tandem_send_state_flags(found, TANDEM_SF_START_FULL);
	tandem_resync_start(found, true);
	return 0;
}

/*
 * Each tick the controller (kernel/lib/rs_ctrl.c) says how many bytes to
 * request: the fixed resync-rate share, or (c-plan-ahead > 0) what keeps
 * c-fill-target (or c-delay-target worth of data) in flight, up to
 * c-max-rate. While application I/O is active, no more than c-min-rate.
 */
static int rs_target_thread(void *arg)
{
	struct tandem_peer_device *pd = arg;
	struct tandem_device *d = pd->device;
	u64 cursor = 0, start, count, budget = 0, in, want;
	u64 data_sect = tandem_data_sectors(d);
	u64 last_recv = atomic64_read(&pd->rs_recv_bytes);
	u64 last_app = atomic64_read(&d->app_io_kib);
	unsigned long last_tick = jiffies, last_bm = jiffies;
	unsigned long app_seen = jiffies - HZ;
	struct tandem_rs_ctrl_conf conf;
	struct tandem_rs_ctrl ctrl;
	bool finished = false;
	int err;

	tandem_rs_ctrl_init(&ctrl);
	rs_begin(pd);
	pr_info("%s/%u peer %u: resync started as target, %llu KiB to go\n",
		d->resource->name, d->volume, pd->connection->peer_node_id,
		pd->rs_total * 4);
	WRITE_ONCE(pd->rs_after_paused, false);
	while (rs_should_run(pd)) {
		unsigned int tick_ms = jiffies_to_msecs(jiffies - last_tick);
		u64 recv = atomic64_read(&pd->rs_recv_bytes);
		u64 app = atomic64_read(&d->app_io_kib);

		last_tick = jiffies;
		if (rs_after_busy(pd) != READ_ONCE(pd->rs_after_paused)) {
			WRITE_ONCE(pd->rs_after_paused, !pd->rs_after_paused);
			pr_info("%s/%u peer %u: resync %s (resync-after minor %u)\n",
				d->resource->name, d->volume,
				pd->connection->peer_node_id,
				pd->rs_after_paused ? "waits" : "goes on",
				READ_ONCE(d->opts.resync_after));
			tandem_sync_pause_update(pd);
		}
		in = recv - last_recv;
		last_recv = recv;
		tandem_rs_conf(d, &conf);
		want = tandem_rs_ctrl_step(&ctrl, &conf, max(tick_ms, 1U), in,
					   atomic_read(&pd->rs_inflight));
		/*
		 * Application I/O within the last second counts as active.
		 * The rate compared with c-min-rate is the one this tick is
		 * about to ask for: judged by what arrived in the last tick,
		 * a slow tick let the next one request a full unthrottled
		 * share, and the resync ran well above c-min-rate on average.
		 */
		if (app != last_app)
			app_seen = jiffies;
		if (tandem_rs_ctrl_throttle(&conf,
					    time_before(jiffies, app_seen + HZ),
					    min_t(u64, U32_MAX,
						  div_u64(want * 1000,
							  max(tick_ms, 1U) *
							  1024))))
			want = min_t(u64, want,
				     round_up((u64)conf.c_min_rate * 1024 *
					      max(tick_ms, 1U) / 1000,
					      TANDEM_BM_BLOCK_BYTES));
		last_app = app;
		/* Unused budget does not pile up into a burst later. */
		budget = min_t(u64, budget + want, want + TANDEM_SYNC_CHUNK);
		if (rs_paused(pd))
			budget = 0;
		while (budget >= TANDEM_BM_BLOCK_BYTES && rs_should_run(pd) &&
		       atomic_read(&pd->rs_inflight) < RS_MAX_INFLIGHT) {
			u64 max_bits = min_t(u64, budget, TANDEM_SYNC_CHUNK) /
				       TANDEM_BM_BLOCK_BYTES;
			sector_t sector;
			u32 size;

			if (!next_run(pd, &cursor, max_bits, &start, &count)) {
				if (atomic_read(&pd->rs_inflight))
					break;
				if (!READ_ONCE(pd->bitmap))
					break;	/* detached: not done */
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
			err = send_sync_req(pd, sector, size);
			if (err) {
				atomic_sub(size, &pd->rs_inflight);
				if (err == -EBUSY)
					cursor = start;	/* next tick */
				break;
			}
			budget -= min_t(u64, budget, count *
					TANDEM_BM_BLOCK_BYTES);
		}
		if (finished)
			break;
		rs_mark(pd);
		if (time_after(jiffies, last_bm + 5 * HZ)) {
			tandem_bm_write(pd);	/* progress survives a crash */
			last_bm = jiffies;
		}
		schedule_timeout_interruptible(RS_TICK);
	}
	if (finished && rs_should_run(pd))
		target_done(pd);
	tandem_wait_for_stop();
	return 0;
}

void tandem_resync_start(struct tandem_peer_device *pd, bool as_target)
{
	struct tandem_md_peer_info *slot;
	struct task_struct *t;

	if (!as_target) {
		rs_begin(pd);
		pr_info("%s/%u peer %u: resync started as source, %llu KiB to go\n",
			pd->device->resource->name, pd->device->volume,
			pd->connection->peer_node_id, pd->rs_total * 4);
		return;
	}
	/* A thread from an earlier resync on this connection is parked. */
	tandem_resync_stop(pd);
	/* Where this resync began: an interrupted one goes on from here. */
	slot = pd->device->backing ?
	       tandem_md_peer_slot(pd->device, pd->connection->peer_node_id,
				   true) : NULL;
	if (slot && slot->sync_uuid != pd->peer_uuid) {
		slot->sync_uuid = pd->peer_uuid;
		tandem_md_write(pd->device);
	}
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

/* Called by the connection worker (after a loss, at teardown) and detach. */
void tandem_resync_stop(struct tandem_peer_device *pd)
{
	/* The worker and a detach may both stop it: one of them does. */
	struct task_struct *t = xchg(&pd->rs_task, NULL);

	if (t)
		kthread_stop(t);
	rs_reqs_release(pd);
}

/* The target wrote a resync block. */
void tandem_resync_received(struct tandem_peer_device *pd, sector_t sector,
			    u32 size)
{
	tandem_bm_clear_range(pd, sector, size);
	atomic_sub(min_t(int, size, atomic_read(&pd->rs_inflight)),
		   &pd->rs_inflight);
	atomic64_add(size >> 10, &pd->rs_recv_kib);
	atomic64_add(size, &pd->rs_recv_bytes);
}

/* The target could not write a resync block: it is in flight no more. */
void tandem_resync_failed(struct tandem_peer_device *pd, u32 size)
{
	atomic_sub(min_t(int, size, atomic_read(&pd->rs_inflight)),
		   &pd->rs_inflight);
}

/* Source side: the target has everything. */
void tandem_resync_finished(struct tandem_peer_device *pd)
{
	if (!tandem_repl_source(pd->repl))
		return;
	tandem_bm_clear_all(pd);
	tandem_bm_write(pd);
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
 * @pages: pages reserved with tandem_serve_pages_get()
 * @work: sends the data, on the connection's send queue
 */
struct rs_read {
	struct tandem_peer_device *pd;
	struct tandem_interval iv;
	u64 block_id;
	struct bio *bio;
	blk_status_t status;
	unsigned int pages;
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
	tandem_serve_pages_put(rr->pd->connection, rr->pages);
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
		/* The disk is being detached (or pass_on): the target hears
		 * it from TP_STATE, or keeps the bit for later. */
		pr_err_ratelimited("%s/%u: resync read at sector %llu failed\n",
				   d->resource->name, d->volume,
				   (unsigned long long)rr->iv.sector);
	}
	tandem_interval_end(d, &rr->iv);
	rs_read_free(rr);
	tandem_connection_put(c);
}

static void rs_read_endio(struct bio *bio)
{
	struct rs_read *rr = bio->bi_private;

	tandem_disk_io_end(rr->pd->device);
	rr->status = bio->bi_status;
	if (rr->status)
		tandem_disk_error(rr->pd->device, TANDEM_IO_READ, rr->iv.sector,
				  blk_status_to_errno(rr->status));
	else
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

	/* At most max-buffers pages wait to be sent: see tandem_serve_pages_get() */
	if (tandem_serve_pages_get(pd->connection, nr))
		return;	/* the link is gone: the target asks again */
	if (d->disk_state != TANDEM_DS_UPTODATE || !tandem_get_disk(d)) {
		enum tandem_disk_state ds = READ_ONCE(d->disk_state);

		/* Our disk is going away: the peer hears it from TP_STATE. */
		tandem_serve_pages_put(pd->connection, nr);
		if (ds == TANDEM_DS_FAILED || ds == TANDEM_DS_DETACHING ||
		    (ds == TANDEM_DS_DISKLESS && !tandem_repl_source(pd->repl)))
			return;
		tandem_conn_failed(pd->connection, TANDEM_CS_PROTOCOL_ERROR,
				   "peer requested resync data but our disk is %s",
				   tandem_disk_state_name(ds));
		return;
	}
	rr = kzalloc(sizeof(*rr), GFP_NOIO);
	if (!rr) {
		tandem_serve_pages_put(pd->connection, nr);
		goto fail_put_disk;
	}
	rr->pd = pd;
	rr->pages = nr;
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

	/*
	 * Never read what an application write is changing right now, nor
	 * blocks a write received from the peer before the request is still
	 * writing (the peer may be a Primary sync target).
	 */
	tandem_peer_writes_wait(d, &rr->iv);
	if (tandem_interval_begin_peer(d, &rr->iv, pd->connection))
		goto drop;	/* the link is gone: the target asks again */
	kref_get(&pd->connection->kref);
	tandem_disk_io_start(d);
	submit_bio_noacct(rr->bio);
	return;

drop:
	rs_read_free(rr);
	tandem_put_disk(d);
	return;
fail_free:
	rs_read_free(rr);
fail_put_disk:
	tandem_put_disk(d);
	tandem_conn_failed(pd->connection, TANDEM_CS_NETWORK_FAILURE,
			   "out of memory serving resync");
}
