// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - application I/O: interval locking, replication, completion
 * rules of protocols A/B/C, epochs and the transfer log.
 *
 * A write request owes its upper bio:
 *   - the local write (a clone submitted to the backing device), and
 *   - for each peer it is replicated to: "sent" (A), the peer's receive
 *     ack (B) or the peer's write ack (C).
 * When all of these happened the upper bio ends. Each peer entry also sits
 * on that connection's transfer log until the barrier closing its epoch is
 * acknowledged (every write of the epoch is stable on the peer). If the
 * connection is lost first, the entry's blocks are marked out of sync
 * towards that peer: exactly what the peer may not have.
 *
 * Overlapping writes are serialised by the device's interval list: a
 * write that overlaps one in flight is postponed until it completes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "tandem_int.h"

static bool overlaps(const struct tandem_interval *a, sector_t sector,
		     unsigned int size)
{
	return a->sector < sector + (size >> 9) &&
	       sector < a->sector + (a->size >> 9);
}

static bool interval_conflict(struct tandem_device *d,
			      struct tandem_interval *iv)
{
	struct tandem_interval *i;

	lockdep_assert_held(&d->resource->lock);
	list_for_each_entry(i, &d->intervals, list) {
		if (overlaps(i, iv->sector, iv->size)) {
			i->waiting = true;
			return true;
		}
	}
	return false;
}

/**
 * tandem_interval_begin() - claim a sector range of a device
 * @d: the device
 * @iv: range to claim (sector, size set)
 * @wait: sleep until the range is free; else fail with -EBUSY
 *
 * Context: process context when @wait.
 */
int tandem_interval_begin(struct tandem_device *d, struct tandem_interval *iv,
			  bool wait)
{
	struct tandem_resource *r = d->resource;

	for (;;) {
		spin_lock_irq(&r->lock);
		if (!interval_conflict(d, iv)) {
			list_add_tail(&iv->list, &d->intervals);
			iv->waiting = false;
			spin_unlock_irq(&r->lock);
			return 0;
		}
		spin_unlock_irq(&r->lock);
		if (!wait)
			return -EBUSY;
		wait_event(d->interval_wait, ({
			bool busy;

			spin_lock_irq(&r->lock);
			busy = interval_conflict(d, iv);
			spin_unlock_irq(&r->lock);
			!busy;
		}));
	}
}

static bool interval_busy(struct tandem_device *d, struct tandem_interval *iv)
{
	bool busy;

	spin_lock_irq(&d->resource->lock);
	busy = interval_conflict(d, iv);
	spin_unlock_irq(&d->resource->lock);
	return busy;
}

/**
 * tandem_interval_begin_peer() - claim a range for a request of a peer
 * @d: the device
 * @iv: range to claim (sector, size set)
 * @c: the connection the request arrived on
 *
 * The receiver serves resync and read requests of its peer only once no
 * application write overlaps them. Such a write may itself be waiting
 * for an ack from that very peer, and if the link is gone it is settled
 * only by tandem_tl_fail_all(), on the receiver's own thread once its
 * loop ends. So the wait gives up as soon as @c leaves Connected (the
 * connection state is polled: a lost link must not depend on a wake-up).
 *
 * Context: process context (the receiver).
 * Return: 0 with the range claimed, or -ECONNABORTED.
 */
int tandem_interval_begin_peer(struct tandem_device *d,
			       struct tandem_interval *iv,
			       struct tandem_connection *c)
{
	while (tandem_interval_begin(d, iv, false)) {
		if (READ_ONCE(c->cstate) != TANDEM_CS_CONNECTED ||
		    kthread_should_stop())
			return -ECONNABORTED;
		wait_event_timeout(d->interval_wait,
				   !interval_busy(d, iv) ||
				   READ_ONCE(c->cstate) != TANDEM_CS_CONNECTED,
				   HZ / 10);
	}
	return 0;
}

/* Start postponed requests whose range became free. */
static void restart_postponed(struct tandem_device *d)
{
	struct tandem_resource *r = d->resource;
	struct tandem_request *req, *tmp;
	unsigned long flags;
	LIST_HEAD(ready);

	spin_lock_irqsave(&r->lock, flags);
	list_for_each_entry_safe(req, tmp, &d->postponed, postponed) {
		if (interval_conflict(d, &req->iv))
			continue;
		list_del(&req->postponed);
		list_add_tail(&req->iv.list, &d->intervals);
		list_add_tail(&req->postponed, &ready);
	}
	spin_unlock_irqrestore(&r->lock, flags);
	/*
	 * This may run in a bio completion: the worker starts them, in
	 * process context (submitting may sleep).
	 */
	list_for_each_entry_safe(req, tmp, &ready, postponed) {
		list_del_init(&req->postponed);
		tandem_al_queue(d, req);
	}
}

void tandem_interval_end(struct tandem_device *d, struct tandem_interval *iv)
{
	struct tandem_resource *r = d->resource;
	unsigned long flags;
	bool waiting;

	spin_lock_irqsave(&r->lock, flags);
	list_del(&iv->list);
	waiting = iv->waiting;
	spin_unlock_irqrestore(&r->lock, flags);
	if (waiting) {
		wake_up_all(&d->interval_wait);
		restart_postponed(d);
	}
}

/* ---- request lifetime --------------------------------------------- */

static void req_free(struct kref *kref)
{
	struct tandem_request *req = container_of(kref, struct tandem_request,
						  refs);
	struct tandem_device *d = req->device;
	unsigned int i;

	tandem_al_complete(d, req);
	for (i = 0; i < req->nr_peers; i++)
		tandem_connection_put(req->peers[i].connection);
	kfree(req);
	if (atomic_dec_and_test(&d->reqs))
		wake_up_all(&d->interval_wait);
}

static void req_put(struct tandem_request *req)
{
	kref_put(&req->refs, req_free);
}

/* Drop one of the things the upper bio waits for; end it on the last. */
static void req_dec_pending(struct tandem_request *req)
{
	struct tandem_device *d = req->device;
	unsigned int i;

	if (!atomic_dec_and_test(&req->pending))
		return;

	if (((req->flags & TR_WRITE) &&
	     (!(req->flags & TR_LOCAL) || req->local_failed)) ||
	    (req->flags & TR_REMOTE_READ)) {
		/* Not on the local disk: it is good only where a peer has it. */
		bool ok = false;

		for (i = 0; i < req->nr_peers; i++)
			ok |= req->peers[i].acked && !req->peers[i].failed;
		if (!ok && !req->error)
			req->error = BLK_STS_IOERR;
	}
	if (req->flags & TR_WRITE) {
		struct tandem_resource *r = d->resource;
		unsigned long flags;

		/* A later write must not share an epoch with this one. */
		spin_lock_irqsave(&r->lock, flags);
		for (i = 0; i < req->nr_peers; i++)
			req->peers[i].connection->epoch_completed = true;
		spin_unlock_irqrestore(&r->lock, flags);
		if (req->iv.size)
			tandem_interval_end(d, &req->iv);
	}
	req->master->bi_status = req->error;
	bio_end_io_acct(req->master, req->start);
	bio_endio(req->master);
	atomic_dec(&d->ap_pending);
	req_put(req);
}

static void mark_peer_failed(struct tandem_req_peer *rp)
{
	struct tandem_request *req = rp->req;
	struct tandem_peer_device *pd;

	if (!(req->flags & TR_WRITE) || !req->iv.size)
		return;
	pd = tandem_peer_device(req->device, rp->connection);
	if (pd)
		tandem_bm_set_range(pd, req->iv.sector, req->iv.size);
}

/*
 * The peer part of a request is resolved: acked (ok) or lost (!ok).
 * Caller holds resource->lock; returns true if the caller must drop a
 * pending count (done outside the lock).
 */
static bool rp_resolve(struct tandem_req_peer *rp, bool ok)
{
	if (rp->acked)
		return false;
	rp->acked = true;
	if (!ok)
		rp->failed = true;
	return true;
}

/* ---- sending ------------------------------------------------------ */

static u32 dp_flags(struct tandem_request *req, u32 protocol)
{
	u32 f = 0;

	if (req->opf & REQ_FUA)
		f |= TANDEM_DP_FUA;
	if (req->opf & REQ_PREFLUSH)
		f |= TANDEM_DP_FLUSH;
	switch (req->opf & REQ_OP_MASK) {
	case REQ_OP_DISCARD:
		f |= TANDEM_DP_DISCARD;
		break;
	case REQ_OP_WRITE_ZEROES:
		f |= TANDEM_DP_ZEROES;
		break;
	default:
		break;
	}
	if (!(req->flags & TR_LOCAL))
		f |= TANDEM_DP_NO_LOCAL;
	if (protocol == TANDEM_PROT_B)
		f |= TANDEM_DP_SEND_RECV_ACK;
	else if (protocol == TANDEM_PROT_C)
		f |= TANDEM_DP_SEND_WRITE_ACK;
	return f;
}

/* Close the current epoch: send a barrier. Runs on the send queue. */
static int close_epoch(struct tandem_connection *c)
{
	struct tandem_p_barrier b = {};
	struct tandem_resource *r = c->resource;
	u32 nr;

	spin_lock_irq(&r->lock);
	nr = c->epoch_nr++;
	c->epoch_writes = 0;
	c->epoch_completed = false;
	spin_unlock_irq(&r->lock);
	b.barrier = cpu_to_be32(nr);
	return tandem_send_packet(c, TANDEM_STREAM_DATA, TP_BARRIER, 0, &b,
				  sizeof(b), NULL, 0);
}

static int send_write(struct tandem_req_peer *rp)
{
	struct tandem_request *req = rp->req;
	struct tandem_connection *c = rp->connection;
	struct tandem_resource *r = c->resource;
	struct bio *bio = req->master;
	struct tandem_p_data p = {};
	struct bio_vec *bvecs = NULL, bv;
	struct bvec_iter iter;
	struct iov_iter payload, *pl = NULL;
	unsigned int n = 0;
	u32 flags, protocol;
	int err;

	err = xa_alloc(&c->req_ids, &rp->id, rp, xa_limit_31b, GFP_NOIO);
	if (err)
		return err;

	spin_lock_irq(&r->lock);
	protocol = c->opts.protocol;
	/*
	 * A write that completed upwards must not share an epoch with a
	 * later one. An open epoch without writes needs no barrier: the
	 * completed write is in a closed epoch already.
	 */
	if (!c->epoch_writes)
		c->epoch_completed = false;
	if (c->epoch_completed ||
	    c->epoch_writes >= c->opts.conf.max_epoch_size) {
		spin_unlock_irq(&r->lock);
		err = close_epoch(c);
		if (err) {
			xa_erase(&c->req_ids, rp->id);
			rp->id = 0;
			return err;
		}
		spin_lock_irq(&r->lock);
	}
	rp->epoch = c->epoch_nr;
	rp->seq = ++c->seq;
	c->epoch_writes++;
	list_add_tail(&rp->tl, &c->transfer_log);
	rp->in_tl = true;
	kref_get(&req->refs);
	spin_unlock_irq(&r->lock);

	flags = dp_flags(req, protocol);
	p.sector = cpu_to_be64(req->iv.sector);
	p.block_id = cpu_to_be64(rp->id);
	p.seq_num = cpu_to_be32(rp->seq);
	p.dp_flags = cpu_to_be32(flags);
	p.size = cpu_to_be32(req->iv.size);
	p.epoch = cpu_to_be32(rp->epoch);

	if (!(flags & (TANDEM_DP_DISCARD | TANDEM_DP_ZEROES)) && req->iv.size) {
		bvecs = kmalloc_array(bio_segments(bio), sizeof(*bvecs),
				      GFP_NOIO);
		if (!bvecs)
			return -ENOMEM;
		bio_for_each_segment(bv, bio, iter)
			bvecs[n++] = bv;
		iov_iter_bvec(&payload, ITER_SOURCE, bvecs, n, req->iv.size);
		pl = &payload;
	}
	if (protocol != TANDEM_PROT_A)
		atomic_inc(&c->pending);
	err = tandem_send_packet(c, TANDEM_STREAM_DATA, TP_DATA,
				 req->device->volume, &p, sizeof(p), pl,
				 atomic_read(&c->send_queued) > 1 ?
				 TANDEM_SEND_MORE : 0);
	kfree(bvecs);
	if (err) {
		if (protocol != TANDEM_PROT_A)
			atomic_dec(&c->pending);
		return err;
	}
	atomic64_add(req->iv.size >> 10, &c->sent_kib);
	rp->sent = true;
	return protocol == TANDEM_PROT_A ? 1 : 0;
}

/*
 * An empty flush: every write completed before it must be stable on the
 * peer, which a barrier ack says of a whole epoch (the peer acks epochs
 * in order). With writes in the open epoch, close it and wait for its
 * ack. Without, the writes to cover are in closed epochs whose barriers
 * are on their way: wait for the ack of the newest one still in the
 * transfer log, or for nothing if the log is empty. Under protocol A a
 * flush, like a write, waits for nothing but the sending of its barrier.
 * Returns 1 when the flush is resolved, else 0 or a negative errno.
 */
static int send_flush(struct tandem_req_peer *rp)
{
	struct tandem_connection *c = rp->connection;
	struct tandem_resource *r = c->resource;
	struct tandem_req_peer *last;
	bool close, wait;
	int err;

	spin_lock_irq(&r->lock);
	rp->sent = true;
	close = c->epoch_writes;
	wait = c->opts.protocol != TANDEM_PROT_A &&
	       (close || !list_empty(&c->transfer_log));
	if (!wait) {
		spin_unlock_irq(&r->lock);
		err = close ? close_epoch(c) : 0;
		return err ? err : 1;
	}
	if (close) {
		rp->epoch = c->epoch_nr;
	} else {
		last = list_last_entry(&c->transfer_log,
				       struct tandem_req_peer, tl);
		rp->epoch = last->epoch;
	}
	list_add_tail(&rp->tl, &c->transfer_log);
	rp->in_tl = true;
	kref_get(&rp->req->refs);
	spin_unlock_irq(&r->lock);
	return close ? close_epoch(c) : 0;
}

/*
 * Queued after the last queued write was sent: close the epoch so that
 * the peer acknowledges it soon and the transfer log stays short.
 */
void tandem_idle_barrier_work(struct work_struct *work)
{
	struct tandem_connection *c = container_of(work,
						   struct tandem_connection,
						   idle_barrier);
	bool close;

	spin_lock_irq(&c->resource->lock);
	close = c->epoch_writes && !atomic_read(&c->send_queued);
	spin_unlock_irq(&c->resource->lock);
	if (close && READ_ONCE(c->cstate) == TANDEM_CS_CONNECTED &&
	    close_epoch(c))
		tandem_conn_failed(c, TANDEM_CS_BROKEN_PIPE,
				   "sending a barrier failed");
}

static void send_work(struct work_struct *work)
{
	struct tandem_req_peer *rp = container_of(work, struct tandem_req_peer,
						  work);
	struct tandem_request *req = rp->req;
	struct tandem_connection *c = rp->connection;
	struct tandem_resource *r = c->resource;
	bool drop = false;
	int ret = -ENOTCONN;

	if (READ_ONCE(c->cstate) == TANDEM_CS_CONNECTED) {
		/*
		 * An empty flush comes as a zero-length write with
		 * REQ_PREFLUSH (or as REQ_OP_FLUSH): it carries no data.
		 */
		if (!(req->flags & TR_WRITE))
			ret = tandem_send_read_req(rp);
		else if (!req->iv.size)
			ret = send_flush(rp);
		else
			ret = send_write(rp);
	}

	spin_lock_irq(&r->lock);
	if (ret < 0) {
		drop = rp_resolve(rp, false);
	} else if (ret == 1) {
		/* protocol A: sent is enough; or a flush with nothing to wait for */
		drop = rp_resolve(rp, true);
	}
	spin_unlock_irq(&r->lock);

	if (ret < 0) {
		mark_peer_failed(rp);
		if (ret != -ENOTCONN)
			tandem_conn_failed(c, TANDEM_CS_BROKEN_PIPE,
					   "sending a write failed (%d)", ret);
	}
	if (drop)
		req_dec_pending(req);
	if (atomic_dec_and_test(&c->send_queued))
		queue_work(c->send_wq, &c->idle_barrier);
	req_put(req);	/* the reference of this work */
}

/* ---- local I/O ---------------------------------------------------- */

/* What a request owes connection @c: sent by send_work, on its queue. */
static void peer_part_init(struct tandem_request *req,
			   struct tandem_req_peer *rp,
			   struct tandem_connection *c)
{
	rp->connection = c;
	kref_get(&c->kref);
	rp->req = req;
	INIT_WORK(&rp->work, send_work);
	INIT_LIST_HEAD(&rp->tl);
}

/*
 * A failed local read, on a disk that is being detached: read it again
 * from a peer with good data. Returns true if a peer took it over.
 */
static bool retry_read_remote(struct tandem_request *req)
{
	struct tandem_device *d = req->device;
	struct tandem_resource *r = d->resource;
	struct tandem_req_peer *rp = &req->peers[0];
	struct tandem_peer_device *pd;
	unsigned long flags;

	spin_lock_irqsave(&r->lock, flags);
	pd = tandem_read_peer(d);
	if (pd) {
		peer_part_init(req, rp, pd->connection);
		req->nr_peers = 1;
		req->flags |= TR_REMOTE_READ;
	}
	spin_unlock_irqrestore(&r->lock, flags);
	if (!pd)
		return false;
	/* The local part's pending count is the peer's now. */
	kref_get(&req->refs);
	atomic_inc(&rp->connection->send_queued);
	queue_work(rp->connection->send_wq, &rp->work);
	return true;
}

static void local_endio(struct bio *clone)
{
	struct tandem_request *req = clone->bi_private;
	struct tandem_device *d = req->device;
	blk_status_t st = clone->bi_status;
	bool write = req->flags & TR_WRITE;
	struct tandem_peer_device *pd;

	tandem_disk_io_end(d);
	bio_put(clone);
	if (st) {
		sector_t sector = write ? req->iv.sector :
					  req->master->bi_iter.bi_sector;
		bool detach = tandem_disk_error(d, write ? TANDEM_IO_WRITE :
						TANDEM_IO_READ, sector,
						blk_status_to_errno(st));

		if (write && detach) {
			req->local_failed = true;
		} else if (write) {
			/* pass_on: the error goes up; the block is suspect. */
			req->error = st;
			list_for_each_entry(pd, &d->peer_devices, dev_list)
				tandem_bm_set_range(pd, req->iv.sector,
						    req->iv.size);
		} else if (!detach || !retry_read_remote(req)) {
			req->error = st;
		} else {
			tandem_put_disk(d);
			return;
		}
	}
	if (write && !st)
		atomic64_add(req->iv.size >> 10, &d->written_kib);
	tandem_put_disk(d);
	req_dec_pending(req);
}

/* The request holds a disk pin (TR_LOCAL), taken when it was submitted. */
static void submit_local(struct tandem_request *req)
{
	struct tandem_device *d = req->device;
	struct bio *clone;

	clone = bio_alloc_clone(d->backing, req->master, GFP_NOIO,
				&tandem_bio_set);
	clone->bi_private = req;
	clone->bi_end_io = local_endio;
	if (!(req->flags & TR_WRITE))
		atomic64_add(req->master->bi_iter.bi_size >> 10, &d->read_kib);
	tandem_disk_io_start(d);
	submit_bio_noacct(clone);
}

/**
 * tandem_req_drop_local() - a write will not reach the local disk after all
 * @req: a write with a local part that has not been submitted yet (its
 *       activity-log record could not be written)
 *
 * The write goes to the peers only, marked so that they track it for us.
 */
void tandem_req_drop_local(struct tandem_request *req)
{
	if (!(req->flags & TR_LOCAL))
		return;
	req->flags &= ~TR_LOCAL;
	tandem_put_disk(req->device);
	atomic_dec(&req->pending);	/* never the last: the submitter's */
}

/**
 * tandem_req_start_now() - send a request to its peers and to the disk
 * @req: a request whose interval (and AL extents, for a write) it holds
 */
void tandem_req_start_now(struct tandem_request *req)
{
	unsigned int i;

	for (i = 0; i < req->nr_peers; i++) {
		kref_get(&req->refs);
		atomic_inc(&req->peers[i].connection->send_queued);
		queue_work(req->peers[i].connection->send_wq,
			   &req->peers[i].work);
	}
	if (req->flags & TR_LOCAL)
		submit_local(req);
	req_dec_pending(req);	/* the submitter's count */
}

/* A write needs its activity log extents first. */
static void start_request(struct tandem_request *req)
{
	if ((req->flags & TR_WRITE) && (req->flags & TR_LOCAL) &&
	    req->iv.size && !tandem_al_begin(req->device, req)) {
		tandem_al_queue(req->device, req);
		return;
	}
	tandem_req_start_now(req);
}

static bool replicate_to(struct tandem_peer_device *pd)
{
	return pd->connection->cstate == TANDEM_CS_CONNECTED &&
	       pd->repl != TANDEM_RS_OFF &&
	       pd->peer_disk >= TANDEM_DS_INCONSISTENT;
}

/*
 * Where a request goes: the local disk when it can take it, and for a
 * write every peer that can. A read the local disk cannot serve (no disk,
 * a disk being detached, blocks not in sync) goes to a peer with good
 * data. Caller holds resource->lock.
 */
static bool use_local(struct tandem_device *d, struct bio *bio, bool write)
{
	lockdep_assert_held(&d->resource->lock);
	if (!tandem_disk_usable(d))
		return false;
	return write || tandem_local_read_ok(d, bio->bi_iter.bi_sector,
					     bio->bi_iter.bi_size);
}

/* A connected peer whose replication is not decided yet, or NULL. */
static struct tandem_connection *deciding_peer_locked(struct tandem_device *d)
{
	struct tandem_peer_device *pd;

	lockdep_assert_held(&d->resource->lock);
	list_for_each_entry(pd, &d->peer_devices, dev_list)
		if (pd->connection->cstate == TANDEM_CS_CONNECTED &&
		    pd->repl == TANDEM_RS_OFF)
			return pd->connection;
	return NULL;
}

/*
 * A connected peer whose replication is not decided yet (the state
 * exchange after a connect): returned with a reference, else NULL.
 * @timeout_j: set to the longest time a write waits for that decision.
 */
static struct tandem_connection *deciding_peer(struct tandem_device *d,
					       unsigned long *timeout_j)
{
	struct tandem_resource *r = d->resource;
	struct tandem_connection *c;

	spin_lock_irq(&r->lock);
	c = deciding_peer_locked(d);
	if (c) {
		kref_get(&c->kref);
		if (timeout_j)
			*timeout_j = max(1U, c->opts.conf.timeout) * HZ / 10;
	}
	spin_unlock_irq(&r->lock);
	return c;
}

static bool deciding(struct tandem_device *d)
{
	struct tandem_connection *c = deciding_peer(d, NULL);

	if (!c)
		return false;
	tandem_connection_put(c);
	return true;
}

/*
 * A write issued while a connected peer's replication is still being
 * decided is not sent (see replicate_to()), only marked in the bitmap;
 * if both nodes then find nothing to resync (equal generations, e.g. a
 * promotion right after "Connected"), that mark is never acted on and
 * the peer lacks the write for good. So writes wait for the decision,
 * which takes one round trip. A peer that has not decided within the
 * net timeout is disconnected: the write then counts as a change for an
 * absent peer (a new generation), which the next connect resyncs.
 */
static void wait_for_replication_decision(struct tandem_device *d)
{
	struct tandem_connection *c;
	unsigned long timeout_j = HZ;

	while ((c = deciding_peer(d, &timeout_j))) {
		if (!wait_event_timeout(d->resource->state_wait,
					READ_ONCE(c->cstate) !=
					TANDEM_CS_CONNECTED || !deciding(d),
					timeout_j))
			tandem_conn_failed(c, TANDEM_CS_TIMEOUT,
					   "no replication decision from the peer within %u ms of connecting",
					   jiffies_to_msecs(timeout_j));
		tandem_connection_put(c);
	}
}

void tandem_submit_bio(struct bio *bio)
{
	struct tandem_device *d = bio->bi_bdev->bd_disk->private_data;
	struct tandem_resource *r = d->resource;
	struct tandem_peer_device *pd, *reader = NULL;
	struct tandem_request *req;
	unsigned int n = 0, i = 0;
	bool write = op_is_write(bio_op(bio)), local;

	bio = bio_split_to_limits(bio);
	if (!bio)
		return;
	/* (checked under the lock the request takes anyway: no extra cost) */
	spin_lock_irq(&r->lock);
	while (write && deciding_peer_locked(d)) {
		spin_unlock_irq(&r->lock);
		wait_for_replication_decision(d);
		spin_lock_irq(&r->lock);
	}
	local = use_local(d, bio, write);
	if (!write && !local)
		reader = tandem_read_peer(d);
	if (write ? !tandem_may_write(d) : !local && !reader) {
		spin_unlock_irq(&r->lock);
		bio_io_error(bio);
		return;
	}
	if (write)
		list_for_each_entry(pd, &d->peer_devices, dev_list)
			n++;
	else
		n = 1;
	/* The disk stays attached while a request uses it: detach waits. */
	if (local)
		atomic_inc(&d->local_pending);
	atomic_inc(&d->ap_pending);
	spin_unlock_irq(&r->lock);

	req = kzalloc(struct_size(req, peers, n), GFP_NOIO);
	if (!req) {
		if (local)
			tandem_put_disk(d);
		atomic_dec(&d->ap_pending);
		bio->bi_status = BLK_STS_RESOURCE;
		bio_endio(bio);
		return;
	}
	atomic_inc(&d->reqs);
	req->device = d;
	req->master = bio;
	req->opf = bio->bi_opf;
	kref_init(&req->refs);
	INIT_LIST_HEAD(&req->postponed);
	INIT_LIST_HEAD(&req->al_list);
	atomic_set(&req->pending, local ? 2 : 1);	/* submitter (+ local) */
	if (local)
		req->flags |= TR_LOCAL;
	req->start = bio_start_io_acct(bio);
	atomic64_add(bio->bi_iter.bi_size >> 10, &d->app_io_kib);

	if (!write) {
		if (local) {
			submit_local(req);
			req_dec_pending(req);
			return;
		}
		/* Served by a peer (the choice is checked again when sent). */
		spin_lock_irq(&r->lock);
		pd = tandem_read_peer(d);
		if (pd) {
			struct tandem_req_peer *rp = &req->peers[0];

			peer_part_init(req, rp, pd->connection);
			req->nr_peers = 1;
			req->flags |= TR_REMOTE_READ;
			atomic_inc(&req->pending);
		}
		spin_unlock_irq(&r->lock);
		if (!pd)
			req->error = BLK_STS_IOERR;
		tandem_req_start_now(req);
		return;
	}

	req->flags |= TR_WRITE;
	req->iv.sector = bio->bi_iter.bi_sector;
	req->iv.size = bio->bi_iter.bi_size;

	spin_lock_irq(&r->lock);
	list_for_each_entry(pd, &d->peer_devices, dev_list) {
		if (i == n)
			break;
		if (replicate_to(pd)) {
			struct tandem_req_peer *rp = &req->peers[i++];

			peer_part_init(req, rp, pd->connection);
		} else if (req->iv.size && pd->bitmap) {
			/* The peer cannot get it now: out of sync. */
			spin_unlock_irq(&r->lock);
			tandem_bm_set_range(pd, req->iv.sector, req->iv.size);
			spin_lock_irq(&r->lock);
		}
	}
	req->nr_peers = i;
	atomic_add(i, &req->pending);

	if (req->iv.size && interval_conflict(d, &req->iv)) {
		req->flags |= TR_POSTPONED;
		list_add_tail(&req->postponed, &d->postponed);
		spin_unlock_irq(&r->lock);
		/* The conflict may have ended before we queued ourselves. */
		restart_postponed(d);
		return;
	}
	if (req->iv.size)
		list_add_tail(&req->iv.list, &d->intervals);
	spin_unlock_irq(&r->lock);
	start_request(req);
}

/* ---- acks --------------------------------------------------------- */

static struct tandem_req_peer *find_in_tl(struct tandem_connection *c,
					  u64 block_id)
{
	struct tandem_req_peer *rp;

	lockdep_assert_held(&c->resource->lock);
	if (!block_id || block_id > U32_MAX)
		return NULL;
	rp = xa_load(&c->req_ids, block_id);
	return rp && rp->in_tl ? rp : NULL;
}

/* Off the transfer log: its id may be reused. */
static void forget_id(struct tandem_connection *c, struct tandem_req_peer *rp)
{
	if (rp->id) {
		xa_erase(&c->req_ids, rp->id);
		rp->id = 0;
	}
}

/**
 * tandem_req_peer_acked() - a receive/write ack (or a negative ack) arrived
 * @c: connection it arrived on
 * @block_id: cookie from TP_DATA
 * @ok: false for TP_NEG_ACK: the peer failed to write
 *
 * An unknown @block_id is ignored (it was failed already when the
 * connection broke); it is only ever used as an index into
 * connection->req_ids.
 */
void tandem_req_peer_acked(struct tandem_connection *c, u64 block_id, bool ok)
{
	struct tandem_resource *r = c->resource;
	struct tandem_req_peer *rp;
	bool drop = false;
	unsigned long flags;

	spin_lock_irqsave(&r->lock, flags);
	rp = find_in_tl(c, block_id);
	if (rp && !(rp->req->flags & TR_WRITE))
		rp = NULL;	/* a read is answered by TP_READ_REPLY only */
	if (rp) {
		drop = rp_resolve(rp, ok);
		if (drop)
			atomic_dec(&c->pending);
	}
	spin_unlock_irqrestore(&r->lock, flags);
	if (rp && !ok)
		mark_peer_failed(rp);
	if (drop)
		req_dec_pending(rp->req);
}

/**
 * tandem_req_take_read() - the read a TP_READ_REPLY answers
 * @c: connection it arrived on
 * @block_id: cookie from the TP_READ_REQ
 *
 * The read leaves the transfer log (a connection loss no longer fails
 * it); the caller fills its pages and ends it with tandem_req_read_done().
 *
 * Context: the receiver. Return: the read's peer part, or NULL if
 * @block_id names no read in flight.
 */
struct tandem_req_peer *tandem_req_take_read(struct tandem_connection *c,
					     u64 block_id)
{
	struct tandem_resource *r = c->resource;
	struct tandem_req_peer *rp;

	spin_lock_irq(&r->lock);
	rp = find_in_tl(c, block_id);
	if (rp && (rp->req->flags & TR_WRITE))
		rp = NULL;
	if (rp) {
		list_del_init(&rp->tl);
		rp->in_tl = false;
	}
	spin_unlock_irq(&r->lock);
	if (rp)
		forget_id(c, rp);
	return rp;
}

/**
 * tandem_req_read_done() - a read served by a peer is complete
 * @rp: from tandem_req_take_read()
 * @ok: its pages hold the data
 */
void tandem_req_read_done(struct tandem_req_peer *rp, bool ok)
{
	struct tandem_request *req = rp->req;
	struct tandem_resource *r = req->device->resource;
	bool drop;

	spin_lock_irq(&r->lock);
	drop = rp_resolve(rp, ok);
	spin_unlock_irq(&r->lock);
	if (drop)
		req_dec_pending(req);
	req_put(req);	/* the transfer log's reference */
}

/**
 * tandem_req_barrier_acked() - every write of epoch @barrier is stable
 * @c: connection
 * @barrier: epoch number
 * @set_size: writes the peer counted in it
 */
void tandem_req_barrier_acked(struct tandem_connection *c, u32 barrier,
			      u32 set_size)
{
	struct tandem_resource *r = c->resource;
	struct tandem_req_peer *rp, *tmp;
	LIST_HEAD(done);
	u32 writes = 0;

	spin_lock_irq(&r->lock);
	list_for_each_entry_safe(rp, tmp, &c->transfer_log, tl) {
		/* (a read waits for its reply, whatever a barrier says) */
		if (rp->epoch != barrier || !(rp->req->flags & TR_WRITE))
			continue;
		list_move_tail(&rp->tl, &done);
		rp->in_tl = false;
		if (rp->req->iv.size)
			writes++;
	}
	spin_unlock_irq(&r->lock);
	if (writes != set_size)
		pr_warn("%s peer %u: barrier %u acked %u writes, we sent %u\n",
			r->name, c->peer_node_id, barrier, set_size, writes);

	list_for_each_entry_safe(rp, tmp, &done, tl) {
		bool drop;

		list_del_init(&rp->tl);
		forget_id(c, rp);
		spin_lock_irq(&r->lock);
		drop = rp_resolve(rp, true);	/* flushes end here */
		if (drop && rp->req->iv.size)
			atomic_dec(&c->pending);
		spin_unlock_irq(&r->lock);
		if (drop)
			req_dec_pending(rp->req);
		req_put(rp->req);
	}
}

/**
 * tandem_tl_fail_all() - the connection is gone: settle the transfer log
 * @c: the connection, no longer Connected
 *
 * Every write the peer may not have stably is marked out of sync; waiting
 * upper bios are released.
 */
void tandem_tl_fail_all(struct tandem_connection *c)
{
	struct tandem_resource *r = c->resource;
	struct tandem_req_peer *rp, *tmp;
	LIST_HEAD(lost);

	spin_lock_irq(&r->lock);
	list_splice_init(&c->transfer_log, &lost);
	list_for_each_entry(rp, &lost, tl)
		rp->in_tl = false;
	spin_unlock_irq(&r->lock);

	list_for_each_entry_safe(rp, tmp, &lost, tl) {
		bool drop;

		list_del_init(&rp->tl);
		forget_id(c, rp);
		mark_peer_failed(rp);
		spin_lock_irq(&r->lock);
		drop = rp_resolve(rp, false);
		spin_unlock_irq(&r->lock);
		if (drop)
			req_dec_pending(rp->req);
		req_put(rp->req);
	}
	atomic_set(&c->pending, 0);
}
