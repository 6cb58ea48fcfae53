// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - the receiver of the DATA stream: writes and resync data from
 * the peer, barriers, resync requests, state and option packets.
 *
 * Every length, volume, sector and size read from the wire is checked
 * before it is used; a bad packet drops the connection (ProtocolError)
 * with a log line that says what was wrong.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "lib/sync_decide.h"
#include "tandem_int.h"

/**
 * struct peer_req - a write (or resync block) received from the peer
 * @c: connection it came on
 * @pd: peer device
 * @iv: range, on device->peer_intervals while in flight
 * @block_id: the peer's cookie
 * @seq: the peer's sequence number
 * @dp_flags: TANDEM_DP_*
 * @sync: resync data rather than an application write
 * @epoch: epoch it belongs to (application writes)
 * @rs: the resync request it answers (resync data)
 * @status: result of the local write
 * @work: completion work on c->ack_wq
 */
struct peer_req {
	struct tandem_connection *c;
	struct tandem_peer_device *pd;
	struct tandem_interval iv;
	u64 block_id;
	u32 seq;
	u32 dp_flags;
	bool sync;
	struct tandem_epoch *epoch;
	struct tandem_rs_req *rs;
	blk_status_t status;
	struct work_struct work;
};

static int proto_error(struct tandem_connection *c, const char *what,
		       u16 type, u32 value)
{
	tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
			   "bad packet type %u: %s (%u)", type, what, value);
	return -EPROTO;
}

static int recv_body(struct tandem_connection *c, void *body, size_t want,
		     u16 type, u32 length)
{
	if (length != want)
		return proto_error(c, "wrong body length", type, length);
	return c->transport->class->ops->recv(c->transport, TANDEM_STREAM_DATA,
					      body, want);
}

/* Read and discard @len bytes of payload we cannot use. */
static int drain(struct tandem_connection *c, u32 len)
{
	void *buf = kmalloc(PAGE_SIZE, GFP_NOIO);
	int err = 0;

	if (!buf)
		return -ENOMEM;
	while (len && !err) {
		u32 n = min_t(u32, len, PAGE_SIZE);

		err = c->transport->class->ops->recv(c->transport,
						     TANDEM_STREAM_DATA, buf, n);
		len -= n;
	}
	kfree(buf);
	return err;
}

static struct tandem_peer_device *volume_pd(struct tandem_connection *c,
					    u16 volume)
{
	struct tandem_device *d = tandem_device_by_volume(c->resource, volume);

	return d ? tandem_peer_device(d, c) : NULL;
}

/* ---- epochs ------------------------------------------------------- */

static struct tandem_epoch *current_epoch(struct tandem_connection *c)
{
	struct tandem_epoch *e;

	lockdep_assert_held(&c->resource->lock);
	if (!list_empty(&c->epochs)) {
		e = list_last_entry(&c->epochs, struct tandem_epoch, list);
		if (!e->closed)
			return e;
	}
	e = kzalloc(sizeof(*e), GFP_ATOMIC);
	if (e)
		list_add_tail(&e->list, &c->epochs);
	return e;
}

static void flush_backing(struct tandem_resource *r)
{
	struct tandem_device *d;
	int vnr;

	idr_for_each_entry(&r->devices, d, vnr)
		if (d->backing && d->opts.disk_flushes)
			blkdev_issue_flush(d->backing);
}

/*
 * Acknowledge finished epochs, oldest first. Called from the receiver and
 * from the completions of peer writes; the mutex keeps the acks in epoch
 * order, each behind its flush, which the sender relies on: a barrier ack
 * says that epoch and every older one are stable.
 */
static void ack_epochs(struct tandem_connection *c)
{
	struct tandem_resource *r = c->resource;
	struct tandem_epoch *e;

	mutex_lock(&c->epoch_ack_mutex);
	for (;;) {
		struct tandem_p_barrier_ack ba;

		spin_lock_irq(&r->lock);
		e = list_first_entry_or_null(&c->epochs, struct tandem_epoch,
					     list);
		if (!e || !e->closed || e->done != e->writes) {
			spin_unlock_irq(&r->lock);
			break;
		}
		list_del(&e->list);
		spin_unlock_irq(&r->lock);

		if (e->writes)
			flush_backing(r);
		ba.barrier = cpu_to_be32(e->barrier_nr);
		ba.set_size = cpu_to_be32(e->writes);
		kfree(e);
		tandem_send_packet(c, TANDEM_STREAM_CONTROL, TP_BARRIER_ACK, 0,
				   &ba, sizeof(ba), NULL, 0);
	}
	mutex_unlock(&c->epoch_ack_mutex);
}

/* ---- writes from the peer ----------------------------------------- */

static bool peer_conflict(struct tandem_device *d, struct tandem_interval *iv)
{
	struct tandem_interval *i;

	lockdep_assert_held(&d->resource->lock);
	list_for_each_entry(i, &d->peer_intervals, list)
		if (i->sector < iv->sector + (iv->size >> 9) &&
		    iv->sector < i->sector + (i->size >> 9))
			return true;
	return false;
}

/**
 * tandem_peer_writes_wait() - wait until no write from a peer overlaps @iv
 * @d: the device
 * @iv: the range
 *
 * Writes the receiver submitted earlier reach the disk first.
 */
void tandem_peer_writes_wait(struct tandem_device *d,
			     struct tandem_interval *iv)
{
	struct tandem_resource *r = d->resource;

	wait_event(d->interval_wait, ({
		bool busy;

		spin_lock_irq(&r->lock);
		busy = peer_conflict(d, iv);
		spin_unlock_irq(&r->lock);
		!busy;
	}));
}

static void peer_req_done_work(struct work_struct *work)
{
	struct peer_req *pr = container_of(work, struct peer_req, work);
	struct tandem_connection *c = pr->c;
	struct tandem_peer_device *pd = pr->pd;
	struct tandem_device *d = pd->device;
	struct tandem_resource *r = d->resource;
	bool ok = !pr->status;

	spin_lock_irq(&r->lock);
	list_del(&pr->iv.list);
	if (pr->epoch)
		pr->epoch->done++;
	spin_unlock_irq(&r->lock);
	wake_up_all(&d->interval_wait);

	if (!ok)
		pr_err_ratelimited("%s/%u: writing peer data at sector %llu failed\n",
				   r->name, d->volume,
				   (unsigned long long)pr->iv.sector);
	if (pr->sync) {
		if (ok)
			tandem_resync_received(pd, pr->iv.sector, pr->iv.size);
		else	/* still marked: the resync asks again */
			tandem_resync_failed(pd, pr->iv.size);
		if (pr->rs)
			tandem_resync_req_done(pd, pr->rs);
		tandem_send_ack(c, ok ? TP_SYNC_ACK : TP_NEG_ACK, d->volume,
				pr->iv.sector, pr->block_id, pr->iv.size, 0);
	} else {
		if (!ok || (pr->dp_flags & TANDEM_DP_SEND_WRITE_ACK))
			tandem_send_ack(c, ok ? TP_WRITE_ACK : TP_NEG_ACK,
					d->volume, pr->iv.sector, pr->block_id,
					pr->iv.size, pr->seq);
		atomic_dec(&c->unacked);
		ack_epochs(c);
	}
	kfree(pr);
	if (atomic_dec_and_test(&c->peer_inflight))
		wake_up_all(&c->peer_wait);
	tandem_connection_put(c);
}

static void peer_endio(struct bio *bio)
{
	struct peer_req *pr = bio->bi_private;
	struct tandem_device *d = pr->pd->device;
	struct bio_vec *bv;
	struct bvec_iter_all iter;

	tandem_disk_io_end(d);
	pr->status = bio->bi_status;
	if (!pr->status) {
		atomic64_add(pr->iv.size >> 10, &d->written_kib);
	} else if (!tandem_disk_error(d, TANDEM_IO_WRITE, pr->iv.sector,
				      blk_status_to_errno(pr->status))) {
		/* pass_on: the peer hears of it (TP_NEG_ACK); so do we. */
		tandem_bm_set_range(pr->pd, pr->iv.sector, pr->iv.size);
	}
	bio_for_each_segment_all(bv, bio, iter)
		__free_page(bv->bv_page);
	bio_put(bio);
	tandem_put_disk(pr->pd->device);
	queue_work(pr->c->ack_wq, &pr->work);
}

static struct bio *alloc_write_bio(struct tandem_device *d, u32 size,
				   blk_opf_t opf)
{
	unsigned int nr = DIV_ROUND_UP(size, PAGE_SIZE), i;
	struct bio *bio;

	bio = bio_alloc(d->backing, nr, opf, GFP_NOIO);
	for (i = 0; i < nr; i++) {
		struct page *page = alloc_page(GFP_NOIO);
		unsigned int len = min_t(u32, size - i * PAGE_SIZE, PAGE_SIZE);

		if (!page || !bio_add_page(bio, page, len, 0)) {
			struct bio_vec *bv;
			struct bvec_iter_all it;

			if (page)
				__free_page(page);
			bio_for_each_segment_all(bv, bio, it)
				__free_page(bv->bv_page);
			bio_put(bio);
			return NULL;
		}
	}
	return bio;
}

static int receive_data(struct tandem_connection *c, u16 type, u16 volume,
			u32 length)
{
	struct tandem_resource *r = c->resource;
	struct tandem_p_data p;
	struct tandem_peer_device *pd;
	struct tandem_device *d;
	struct tandem_rs_req *rs = NULL;
	struct peer_req *pr;
	struct bio *bio = NULL;
	u32 size, flags, payload;
	sector_t sector;
	blk_opf_t opf = REQ_OP_WRITE;
	bool sync = type == TP_SYNC_DATA;
	int err;

	if (length < sizeof(p))
		return proto_error(c, "short data packet", type, length);
	err = c->transport->class->ops->recv(c->transport, TANDEM_STREAM_DATA,
					     &p, sizeof(p));
	if (err)
		return err;
	payload = length - sizeof(p);
	size = be32_to_cpu(p.size);
	flags = be32_to_cpu(p.dp_flags);
	sector = be64_to_cpu(p.sector);

	pd = volume_pd(c, volume);
	if (!pd)
		return proto_error(c, "unknown volume", type, volume);
	d = pd->device;
	if (flags & (TANDEM_DP_DISCARD | TANDEM_DP_ZEROES)) {
		if (payload)
			return proto_error(c, "payload on discard", type, payload);
		opf = flags & TANDEM_DP_DISCARD ? REQ_OP_DISCARD :
						  REQ_OP_WRITE_ZEROES;
	} else if (payload != size) {
		return proto_error(c, "payload length differs from size", type,
				   payload);
	}
	if (!size || size % 512 || size > TANDEM_MAX_PAYLOAD)
		return proto_error(c, "bad size", type, size);
	/*
	 * Only a Primary writes; while we are one, only with
	 * allow-two-primaries (the handshake agreed on it). Nothing of the
	 * packet reaches our disk.
	 */
	if (!sync && READ_ONCE(r->role) == TANDEM_ROLE_PRIMARY &&
	    !READ_ONCE(c->opts.two_primaries))
		return proto_error(c, "a write while we are Primary without allow-two-primaries",
				   type, volume);
	if (!sync) {	/* application I/O, for c-min-rate */
		atomic64_add(size >> 10, &d->app_io_kib);
		/* a range we are verifying changes: no verdict on it */
		tandem_verify_peer_write(pd, sector, size);
	}
	if (!sync && (flags & TANDEM_DP_NO_LOCAL) && d->backing &&
	    sector + (size >> 9) <= tandem_data_sectors(d) &&
	    sector + (size >> 9) >= sector) {
		/* The sender's disk misses it: we hold the only copy. */
		tandem_peer_disk_lost(pd);
		tandem_bm_set_range(pd, sector, size);
	}
	if (!tandem_get_disk(d)) {
		err = drain(c, payload);
		if (!err && !sync)
			tandem_send_ack(c, TP_NEG_ACK, volume, sector,
					be64_to_cpu(p.block_id), size,
					be32_to_cpu(p.seq_num));
		return err;
	}
	if (sector + (size >> 9) > tandem_data_sectors(d) ||
	    sector + (size >> 9) < sector) {
		tandem_put_disk(d);
		/* Nothing to write it to, or beyond our disk: refuse it. */
		err = drain(c, payload);
		if (!err && !sync)
			tandem_send_ack(c, TP_NEG_ACK, volume, sector,
					be64_to_cpu(p.block_id), size,
					be32_to_cpu(p.seq_num));
		return err;
	}
	if (sync && !tandem_repl_target(READ_ONCE(pd->repl))) {
		tandem_put_disk(d);
		return drain(c, payload);	/* a resync we stopped */
	}
	if (sync) {
		rs = tandem_resync_take_req(pd, be64_to_cpu(p.block_id));
		if (!rs || rs->iv.sector != sector || rs->iv.size != size) {
			if (rs)
				tandem_resync_req_done(pd, rs);
			tandem_put_disk(d);
			/* given up (the resync restarted), or not ours */
			return drain(c, payload);
		}
	}

	/* From here on the disk pin belongs to the request: peer_endio. */
	err = -ENOMEM;
	pr = kzalloc(sizeof(*pr), GFP_NOIO);
	if (!pr)
		goto out_put_disk;
	pr->rs = rs;
	if (opf == REQ_OP_WRITE) {
		if (flags & TANDEM_DP_FUA)
			opf |= REQ_FUA;
		if (flags & TANDEM_DP_FLUSH)
			opf |= REQ_PREFLUSH;
		bio = alloc_write_bio(d, size, opf);
		if (!bio)
			goto out_free_pr;
		if (payload) {
			struct iov_iter it;

			iov_iter_bvec(&it, ITER_DEST, bio->bi_io_vec,
				      bio->bi_vcnt, size);
			err = c->transport->class->ops->recv_iter(c->transport,
							TANDEM_STREAM_DATA, &it);
			if (err) {
				struct bio_vec *bv;
				struct bvec_iter_all bi;

				bio_for_each_segment_all(bv, bio, bi)
					__free_page(bv->bv_page);
				bio_put(bio);
				goto out_free_pr;
			}
		}
	} else {
		bio = bio_alloc(d->backing, 0, opf, GFP_NOIO);
		bio->bi_iter.bi_size = size;
	}
	atomic64_add(size >> 10, &c->recv_kib);
	bio->bi_iter.bi_sector = sector;
	bio->bi_private = pr;
	bio->bi_end_io = peer_endio;

	pr->c = c;
	pr->pd = pd;
	pr->iv.sector = sector;
	pr->iv.size = size;
	pr->block_id = be64_to_cpu(p.block_id);
	pr->seq = be32_to_cpu(p.seq_num);
	pr->dp_flags = flags;
	pr->sync = sync;
	INIT_WORK(&pr->work, peer_req_done_work);

	if (!sync && (flags & TANDEM_DP_SEND_RECV_ACK))
		tandem_send_ack(c, TP_RECV_ACK, volume, sector, pr->block_id,
				size, pr->seq);

	/* Overlapping writes reach the disk in the order they arrived. */
	wait_event(d->interval_wait, ({
		bool busy;

		spin_lock_irq(&r->lock);
		busy = peer_conflict(d, &pr->iv);
		if (!busy) {
			list_add_tail(&pr->iv.list, &d->peer_intervals);
			if (!sync) {
				pr->epoch = current_epoch(c);
				if (pr->epoch)
					pr->epoch->writes++;
			}
		}
		spin_unlock_irq(&r->lock);
		!busy;
	}));
	if (!sync && !pr->epoch) {
		spin_lock_irq(&r->lock);
		list_del(&pr->iv.list);
		spin_unlock_irq(&r->lock);
		if (bio->bi_vcnt) {
			struct bio_vec *bv;
			struct bvec_iter_all bi;

			bio_for_each_segment_all(bv, bio, bi)
				__free_page(bv->bv_page);
		}
		bio_put(bio);
		err = -ENOMEM;
		goto out_free_pr;
	}
	if (!sync)
		atomic_inc(&c->unacked);
	kref_get(&c->kref);
	atomic_inc(&c->peer_inflight);
	tandem_disk_io_start(d);
	if (opf == REQ_OP_DISCARD && !bdev_max_discard_sectors(d->backing)) {
		/* Discard is a hint; a disk without it loses nothing. */
		bio->bi_status = BLK_STS_OK;
		bio_endio(bio);
	} else {
		submit_bio_noacct(bio);
	}
	return 0;

out_free_pr:
	kfree(pr);
out_put_disk:
	if (rs)
		tandem_resync_req_done(pd, rs);
	tandem_put_disk(d);
	return err;
}

static int receive_barrier(struct tandem_connection *c, u32 length)
{
	struct tandem_resource *r = c->resource;
	struct tandem_p_barrier b;
	struct tandem_epoch *e;
	int err;

	err = recv_body(c, &b, sizeof(b), TP_BARRIER, length);
	if (err)
		return err;
	spin_lock_irq(&r->lock);
	e = current_epoch(c);
	if (e) {
		e->closed = true;
		e->barrier_nr = be32_to_cpu(b.barrier);
	}
	spin_unlock_irq(&r->lock);
	if (!e)
		return -ENOMEM;
	ack_epochs(c);
	return 0;
}

/* ---- state ---------------------------------------------------------- */

/* Send our bitmap towards @pd's peer as runs of out-of-sync blocks. */
static int send_bitmap(struct tandem_peer_device *pd)
{
	struct tandem_resource *r = pd->device->resource;
	u64 b = 0, n, data_sect = tandem_data_sectors(pd->device);
	struct tandem_p_block_req p = {};
	int err;

	for (;;) {
		spin_lock_irq(&r->lock);
		if (!pd->bitmap) {
			spin_unlock_irq(&r->lock);
			return -ENODEV;
		}
		b = find_next_bit(pd->bitmap, pd->bm_bits, b);
		for (n = 0; b + n < pd->bm_bits && n < (TANDEM_MAX_PAYLOAD >> 12) &&
		     test_bit(b + n, pd->bitmap); n++)
			;
		spin_unlock_irq(&r->lock);
		if (!n)
			return 0;
		p.sector = cpu_to_be64(b * 8);
		p.size = cpu_to_be32(min_t(u64, n * 8, data_sect - b * 8) << 9);
		err = tandem_send_packet(pd->connection, TANDEM_STREAM_DATA,
					 TP_OUT_OF_SYNC, pd->device->volume,
					 &p, sizeof(p), NULL, 0);
		if (err)
			return err;
		b += n;
	}
}

/* Our disk is about to miss blocks: it is no longer consistent. */
static void make_inconsistent(struct tandem_device *d)
{
	if (d->disk_state == TANDEM_DS_INCONSISTENT)
		return;
	d->md.info.flags &= ~(TANDEM_MDF_CONSISTENT | TANDEM_MDF_WAS_UP_TO_DATE);
	tandem_md_write(d);
	tandem_set_disk_state(d, TANDEM_DS_INCONSISTENT);
}

void tandem_become_source(struct tandem_peer_device *pd, bool full)
{
	if (full)
		tandem_bm_set_all(pd);
	else if (send_bitmap(pd))
		return;	/* the connection broke; the worker cleans up */
	tandem_set_repl_state(pd, TANDEM_RS_SYNC_SOURCE);
	tandem_resync_start(pd, false);
	tandem_sync_pause_update(pd);
	tandem_send_state(pd);
}

void tandem_become_target(struct tandem_peer_device *pd, bool full)
{
	struct tandem_device *d = pd->device;

	make_inconsistent(d);
	if (d->disk_state == TANDEM_DS_FAILED)
		return;		/* the superblock write failed: it detaches */
	if (full) {
		tandem_bm_set_all(pd);
		tandem_set_repl_state(pd, TANDEM_RS_SYNC_TARGET);
		tandem_sync_pause_update(pd);
		tandem_send_state(pd);
		tandem_resync_start(pd, true);
	} else {
		/* The source's bitmap follows; then its SyncSource state. */
		tandem_set_repl_state(pd, TANDEM_RS_WF_BITMAP_T);
		tandem_send_state(pd);
		/*
		 * Unless the source decided first (we attached, it answered):
		 * then both came before the state that made us decide.
		 */
		if (tandem_repl_source(READ_ONCE(pd->peer_repl))) {
			tandem_set_repl_state(pd, TANDEM_RS_SYNC_TARGET);
			tandem_resync_start(pd, true);
			tandem_sync_pause_update(pd);
		}
	}
}

/*
 * Both nodes changed the data since they last shared it. The after-sb
 * policies (kernel/lib/after_sb.c), run on mirrored facts on both nodes,
 * either pick a victim, whose changes are discarded (it becomes sync
 * target of the other), or leave the connection StandAlone.
 */
static void resolve_split_brain(struct tandem_peer_device *pd,
				const struct tandem_sync_facts *sf)
{
	struct tandem_device *d = pd->device;
	struct tandem_connection *c = pd->connection;
	struct tandem_resource *r = d->resource;
	struct tandem_asb_facts f = {};
	struct tandem_asb_outcome o;
	struct tandem_md_peer_info *slot;
	bool full = !tandem_sync_sb_bitmap(sf);

	slot = tandem_md_peer_slot(d, c->peer_node_id, false);
	/* What the peer decides on: the values we sent it, not live ones. */
	f.my_primary = pd->sent_role == TANDEM_ROLE_PRIMARY;
	f.peer_primary = READ_ONCE(c->peer_role) == TANDEM_ROLE_PRIMARY;
	f.my_older_primary = slot && (slot->flags & TANDEM_MDPF_OLDER_PRIMARY);
	f.peer_older_primary = pd->peer_flags & TANDEM_UF_OLDER_PRIMARY;
	f.my_changes = pd->sent_oos_bits;
	f.peer_changes = pd->peer_oos_bits;
	f.my_node_lower = sf->my_node_lower;
	f.my_0p = c->opts.after_sb[0];
	f.peer_0p = c->peer_after_sb_0p;
	f.p1 = c->opts.after_sb[1];
	f.p2 = c->opts.after_sb[2];
	tandem_asb_decide(&f, &o);

	pr_warn("%s/%u peer %u: split brain detected (generation %016llx, peer %016llx; changes %llu KiB here, %llu KiB on the peer)\n",
		r->name, d->volume, c->peer_node_id, sf->my_current,
		sf->peer_current, f.my_changes * 4, f.peer_changes * 4);
	tandem_call_helper(r, c, d, "initial-split-brain", false);
	switch (o.result) {
	case TANDEM_ASB_R_DISCONNECT:
		tandem_refuse_connection(c,
				   "split brain detected on volume %u: the nodes' data went different ways (generation %016llx, peer %016llx); %s; disconnecting",
				   d->volume, sf->my_current, sf->peer_current,
				   o.why);
		/* Not resolved automatically: the administrator's turn. */
		tandem_call_helper(r, c, d, "split-brain", false);
		return;
	case TANDEM_ASB_R_I_WIN:
		pr_warn("%s/%u peer %u: split brain resolved automatically (%s): the peer discards its changes\n",
			r->name, d->volume, c->peer_node_id, o.why);
		pr_info("%s/%u peer %u: %s sync as source\n", r->name, d->volume,
			c->peer_node_id, full ? "full" : "bitmap");
		tandem_become_source(pd, full);
		return;
	case TANDEM_ASB_R_I_LOSE:
		pr_warn("%s/%u peer %u: split brain resolved automatically (%s): discarding our changes\n",
			r->name, d->volume, c->peer_node_id, o.why);
		if (o.victim_primary && tandem_demote_victim(r)) {
			tandem_refuse_connection(c,
					   "split brain on volume %u: our data is to be discarded but we are Primary and the device is in use; disconnecting",
					   d->volume);
			tandem_call_helper(r, c, d, "pri-lost-after-sb", false);
			return;
		}
		pr_info("%s/%u peer %u: %s sync as target\n", r->name, d->volume,
			c->peer_node_id, full ? "full" : "bitmap");
		tandem_become_target(pd, full);
		return;
	}
}

/**
 * tandem_decide_sync() - after a state exchange: which way, if any, to sync
 * @pd: peer device whose peer state is known
 *
 * Both nodes run this on the same facts and reach mirrored decisions;
 * the rules are tandem_sync_decide() (kernel/lib/sync_decide.c).
 */
void tandem_decide_sync(struct tandem_peer_device *pd)
{
	struct tandem_device *d = pd->device;
	struct tandem_connection *c = pd->connection;
	struct tandem_resource *r = d->resource;
	struct tandem_md_peer_info *slot;
	struct tandem_sync_facts f = {};
	enum tandem_sync_decision what;
	enum tandem_repl_state repl;
	int i;

	spin_lock_irq(&r->lock);
	f.my_disk = d->backing ? d->disk_state : TANDEM_DS_DISKLESS;
	f.peer_disk = pd->peer_disk;
	repl = pd->repl;
	spin_unlock_irq(&r->lock);

	if (c->cstate != TANDEM_CS_CONNECTED || c->refused ||
	    f.peer_disk == TANDEM_DS_DUNKNOWN)
		return;
	if (repl != TANDEM_RS_OFF && repl != TANDEM_RS_ESTABLISHED)
		return;		/* a resync is set up or running */

	tandem_remember_peer(d, c->peer_node_id);
	slot = d->backing ? tandem_md_peer_slot(d, c->peer_node_id, false) :
			    NULL;
	f.my_current = d->md.info.current_uuid;
	f.my_bitmap = slot ? slot->bitmap_uuid : 0;
	for (i = 0; i < TANDEM_MD_HISTORY; i++)
		f.my_history[i] = d->md.info.history[i];
	f.peer_current = pd->peer_uuid;
	f.peer_bitmap = pd->peer_bitmap_uuid;
	memcpy(f.peer_history, pd->peer_history, sizeof(f.peer_history));
	f.my_crashed = d->md.info.flags & TANDEM_MDF_CRASHED_PRIMARY;
	f.peer_crashed = pd->peer_flags & TANDEM_UF_CRASHED_PRIMARY;
	/*
	 * What a verify found is resynced when the nodes connect next, not
	 * at once: the administrator looks at the report first.
	 */
	if (repl == TANDEM_RS_OFF) {
		f.my_verified = slot && (slot->flags & TANDEM_MDPF_VERIFIED);
		f.peer_verified = pd->peer_flags & TANDEM_UF_VERIFIED;
	}
	f.my_node_lower = r->node_id < c->peer_node_id;
	f.my_discard = c->discard_my_data;
	f.peer_discard = c->peer_discard_my_data;
	f.my_sync_from = slot ? slot->sync_uuid : 0;
	f.peer_sync_from = pd->peer_sync_from;

	what = tandem_sync_decide(&f);
	/*
	 * A Primary may be sync target when the source serves the reads of
	 * blocks not synced yet (kernel/rread.c).
	 */
	if ((what == TANDEM_SYNC_FULL_TARGET ||
	     what == TANDEM_SYNC_BITMAP_TARGET) &&
	    READ_ONCE(r->role) == TANDEM_ROLE_PRIMARY &&
	    (!(c->features & TANDEM_FF_DISKLESS) ||
	     f.peer_disk != TANDEM_DS_UPTODATE)) {
		tandem_refuse_connection(c,
				   "volume %u would have to become sync target while Primary (%s); demote it first",
				   d->volume, tandem_sync_decision_name(what));
		return;
	}
	switch (what) {
	case TANDEM_SYNC_NONE:
		tandem_set_repl_state(pd, TANDEM_RS_ESTABLISHED);
		return;
	case TANDEM_SYNC_FULL_SOURCE:
	case TANDEM_SYNC_BITMAP_SOURCE:
		pr_info("%s/%u peer %u: %s\n", r->name, d->volume,
			c->peer_node_id, tandem_sync_decision_name(what));
		tandem_become_source(pd, what == TANDEM_SYNC_FULL_SOURCE);
		return;
	case TANDEM_SYNC_FULL_TARGET:
	case TANDEM_SYNC_BITMAP_TARGET:
		pr_info("%s/%u peer %u: %s\n", r->name, d->volume,
			c->peer_node_id, tandem_sync_decision_name(what));
		tandem_become_target(pd, what == TANDEM_SYNC_FULL_TARGET);
		return;
	case TANDEM_SYNC_SPLIT_BRAIN:
		resolve_split_brain(pd, &f);
		return;
	case TANDEM_SYNC_UNRELATED:
		tandem_refuse_connection(c,
				   "unrelated data on volume %u: the two disks share no history (generation %016llx, peer %016llx); refusing to connect",
				   d->volume, f.my_current, f.peer_current);
		return;
	}
}

static int send_uuids(struct tandem_peer_device *pd)
{
	struct tandem_device *d = pd->device;
	struct tandem_p_uuids u = {};
	int i;

	struct tandem_md_peer_info *slot;
	u32 flags = 0;

	slot = tandem_md_peer_slot(d, pd->connection->peer_node_id, false);
	if (d->md.info.flags & TANDEM_MDF_CRASHED_PRIMARY)
		flags |= TANDEM_UF_CRASHED_PRIMARY;
	if (d->disk_state == TANDEM_DS_INCONSISTENT)
		flags |= TANDEM_UF_INCONSISTENT;
	if (d->resource->role == TANDEM_ROLE_PRIMARY)
		flags |= TANDEM_UF_PRIMARY;
	if (slot && slot->bitmap_uuid &&
	    (slot->flags & TANDEM_MDPF_OLDER_PRIMARY))
		flags |= TANDEM_UF_OLDER_PRIMARY;
	if (slot && (slot->flags & TANDEM_MDPF_VERIFIED))
		flags |= TANDEM_UF_VERIFIED;
	u.current_uuid = cpu_to_be64(d->md.info.current_uuid);
	u.bitmap_uuid = cpu_to_be64(slot ? slot->bitmap_uuid : 0);
	if (slot && slot->sync_uuid && d->disk_state == TANDEM_DS_INCONSISTENT) {
		/* An Inconsistent node is ahead of no one: the field says
		 * where our unfinished resync from the peer began. */
		flags |= TANDEM_UF_SYNC_RESUME;
		u.bitmap_uuid = cpu_to_be64(slot->sync_uuid);
	}
	for (i = 0; i < TANDEM_HISTORY_UUIDS; i++)
		u.history[i] = cpu_to_be64(d->md.info.history[i]);
	u.flags = cpu_to_be32(flags);
	pd->sent_oos_bits = READ_ONCE(pd->oos_bits);
	u.oos_bits = cpu_to_be64(pd->sent_oos_bits);
	return tandem_send_packet(pd->connection, TANDEM_STREAM_DATA, TP_UUIDS,
				  d->volume, &u, sizeof(u), NULL, 0);
}

/*
 * Our role, disk state and replication state of one volume, preceded by
 * our generations: a state change (promotion, end of sync) may come with
 * a new generation, and the peer judges the state by it.
 */
int tandem_send_state(struct tandem_peer_device *pd)
{
	return tandem_send_state_flags(pd, 0);
}

/* The same, with extra TANDEM_SF_* flags (TANDEM_SF_START_FULL). */
int tandem_send_state_flags(struct tandem_peer_device *pd, u32 flags)
{
	struct tandem_device *d = pd->device;
	struct tandem_resource *r = d->resource;
	struct tandem_p_state s = {};
	int err;

	err = send_uuids(pd);
	if (err)
		return err;
	spin_lock_irq(&r->lock);
	s.role = cpu_to_be32(r->role);
	pd->sent_role = r->role;
	s.disk = cpu_to_be32(d->disk_state);
	s.repl = cpu_to_be32(pd->repl);
	if (pd->rs_paused)
		flags |= TANDEM_SF_USER_PAUSE;
	if (pd->rs_after_paused)
		flags |= TANDEM_SF_DEP_PAUSE;
	s.flags = cpu_to_be32(flags);
	spin_unlock_irq(&r->lock);
	return tandem_send_packet(pd->connection, TANDEM_STREAM_DATA, TP_STATE,
				  d->volume, &s, sizeof(s), NULL, 0);
}

/* Sizes, generations and state of one volume: sent after connecting. */
int tandem_send_state_all(struct tandem_peer_device *pd)
{
	struct tandem_device *d = pd->device;
	struct tandem_p_sizes sz = {};
	int err;

	sz.backing_sect = cpu_to_be64(d->backing ? tandem_data_sectors(d) : 0);
	sz.current_sect = cpu_to_be64(get_capacity(d->disk));
	sz.max_bio_bytes = cpu_to_be32(TANDEM_MAX_PAYLOAD);
	err = tandem_send_packet(pd->connection, TANDEM_STREAM_DATA, TP_SIZES,
				 d->volume, &sz, sizeof(sz), NULL, 0);
	if (err)
		return err;
	return tandem_send_state(pd);
}

/*
 * The peer started a full sync by itself (invalidate: it is target;
 * invalidate-remote: it is source): take the other side, or refuse.
 */
static void start_full_for_peer(struct tandem_peer_device *pd)
{
	struct tandem_device *d = pd->device;
	struct tandem_connection *c = pd->connection;
	struct tandem_resource *r = d->resource;

	/* (a disk that failed while it started: its detach follows) */
	if (pd->peer_disk < TANDEM_DS_INCONSISTENT ||
	    !tandem_disk_usable_unlocked(d))
		return;
	if (tandem_repl_target(pd->peer_repl)) {
		if (d->disk_state != TANDEM_DS_UPTODATE) {
			tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
					   "peer invalidated its disk but ours is %s",
					   tandem_disk_state_name(d->disk_state));
			return;
		}
		pr_info("%s/%u peer %u: the peer invalidated its disk: full sync as source\n",
			r->name, d->volume, c->peer_node_id);
		tandem_become_source(pd, true);
	} else if (tandem_repl_source(pd->peer_repl)) {
		if (READ_ONCE(r->role) == TANDEM_ROLE_PRIMARY) {
			tandem_refuse_connection(c,
					   "peer asked to overwrite volume %u (invalidate-remote) but we are Primary",
					   d->volume);
			return;
		}
		pr_info("%s/%u peer %u: the peer invalidated our disk: full sync as target\n",
			r->name, d->volume, c->peer_node_id);
		tandem_become_target(pd, true);
	}
}

/*
 * The peer's disk failed or was detached: its resync or verify with us is
 * over (the bits stay for the next one), our changes from now on are for it to
 * fetch (a new generation, kernel/state.c), and a Primary may have lost
 * its last good copy.
 */
static void peer_disk_gone(struct tandem_peer_device *pd, u32 old, u32 disk)
{
	struct tandem_device *d = pd->device;
	struct tandem_connection *c = pd->connection;
	enum tandem_repl_state rs = READ_ONCE(pd->repl);

	if (old != TANDEM_DS_DUNKNOWN)	/* (not just a diskless peer connecting) */
		pr_warn("%s/%u peer %u: the peer's disk is %s now\n",
			c->resource->name, d->volume, c->peer_node_id,
			tandem_disk_state_name(disk));
	if (tandem_repl_syncing(rs) || rs == TANDEM_RS_WF_BITMAP_T) {
		pr_info("%s/%u peer %u: resync stopped, %llu KiB left for later\n",
			c->resource->name, d->volume, c->peer_node_id,
			READ_ONCE(pd->oos_bits) * 4);
		tandem_set_repl_state(pd, TANDEM_RS_ESTABLISHED);
		tandem_bm_write(pd);
	} else if (rs == TANDEM_RS_VERIFY_S || rs == TANDEM_RS_VERIFY_T) {
		tandem_verify_stop(pd);
		tandem_cas_repl_state(pd, rs, TANDEM_RS_ESTABLISHED);
	}
	tandem_peer_disk_lost(pd);
	tandem_check_good_data(d);
}

/**
 * tandem_start_bitmap_resync() - become sync target of what the bitmaps name
 * @pd: a connected, Established peer device whose disk is UpToDate
 *
 * Used when our disk lost blocks while the nodes stay connected
 * (on-io-error pass_on). The peer, told by TANDEM_SF_START_BITMAP, sends
 * its bitmap and becomes sync source; then we pull.
 */
void tandem_start_bitmap_resync(struct tandem_peer_device *pd)
{
	make_inconsistent(pd->device);
	tandem_set_repl_state(pd, TANDEM_RS_WF_BITMAP_T);
	tandem_send_state_flags(pd, TANDEM_SF_START_BITMAP);
}

/* The peer's disk lost blocks and waits for our bitmap: be its source. */
static void start_bitmap_for_peer(struct tandem_peer_device *pd)
{
	struct tandem_device *d = pd->device;
	struct tandem_connection *c = pd->connection;

	if (pd->peer_repl != TANDEM_RS_WF_BITMAP_T ||
	    d->disk_state != TANDEM_DS_UPTODATE)
		return;
	pr_info("%s/%u peer %u: the peer lost blocks to I/O errors: bitmap resync as source\n",
		c->resource->name, d->volume, c->peer_node_id);
	tandem_become_source(pd, false);
}

/*
 * The device is as large as the smallest disk of the connected nodes.
 * A peer's smaller disk must not shrink a device a Primary (or any
 * opener) is using: the blocks beyond would fail, under a mounted file
 * system too. Such a peer is refused, the device keeps its size.
 */
static bool peer_size_acceptable(struct tandem_peer_device *pd, u64 sect)
{
	struct tandem_device *d = pd->device;
	struct tandem_connection *c = pd->connection;
	u64 have = get_capacity(d->disk);

	if (!sect || sect >= have ||
	    (READ_ONCE(c->resource->role) != TANDEM_ROLE_PRIMARY &&
	     !READ_ONCE(d->open_count)))
		return true;
	tandem_refuse_connection(c,
			   "volume %u: the peer's disk (%llu KiB) is smaller than our device in use (%llu KiB); refusing to shrink it",
			   d->volume, (unsigned long long)sect / 2,
			   (unsigned long long)have / 2);
	return false;
}

static int receive_state(struct tandem_connection *c, u16 type, u16 volume,
			 u32 length)
{
	struct tandem_resource *r = c->resource;
	struct tandem_peer_device *pd = volume_pd(c, volume);
	union {
		struct tandem_p_sizes sz;
		struct tandem_p_uuids u;
		struct tandem_p_state s;
	} p;
	size_t want = type == TP_SIZES ? sizeof(p.sz) :
		      type == TP_UUIDS ? sizeof(p.u) : sizeof(p.s);
	u32 role, disk, sflags, old_disk;
	bool lost;
	int i, err;

	err = recv_body(c, &p, want, type, length);
	if (err)
		return err;
	if (!pd) {
		pr_warn_ratelimited("%s peer %u: state for volume %u we do not have\n",
				    r->name, c->peer_node_id, volume);
		return 0;
	}
	switch (type) {
	case TP_SIZES:
		if (!peer_size_acceptable(pd, be64_to_cpu(p.sz.backing_sect)))
			break;
		pd->peer_size_sect = be64_to_cpu(p.sz.backing_sect);
		tandem_device_update_size(pd->device);
		break;
	case TP_UUIDS:
		pd->peer_uuid = be64_to_cpu(p.u.current_uuid);
		pd->peer_bitmap_uuid = be64_to_cpu(p.u.bitmap_uuid);
		pd->peer_flags = be32_to_cpu(p.u.flags);
		pd->peer_sync_from = 0;
		if (pd->peer_flags & TANDEM_UF_SYNC_RESUME) {
			pd->peer_sync_from = pd->peer_bitmap_uuid;
			pd->peer_bitmap_uuid = 0;
		}
		pd->peer_oos_bits = be64_to_cpu(p.u.oos_bits);
		for (i = 0; i < TANDEM_HISTORY_UUIDS; i++)
			pd->peer_history[i] = be64_to_cpu(p.u.history[i]);
		break;
	default:
		role = be32_to_cpu(p.s.role);
		disk = be32_to_cpu(p.s.disk);
		if (role > TANDEM_ROLE_SECONDARY || disk >= TANDEM_DS_COUNT)
			return proto_error(c, "bad state value", type,
					   role > TANDEM_ROLE_SECONDARY ? role :
					   disk);
		if (be32_to_cpu(p.s.repl) >= TANDEM_RS_COUNT)
			return proto_error(c, "bad replication state", type,
					   be32_to_cpu(p.s.repl));
		sflags = be32_to_cpu(p.s.flags);
		spin_lock_irq(&r->lock);
		old_disk = pd->peer_disk;
		/* Its disk went, or is gone while we still sync with it. */
		lost = disk < TANDEM_DS_INCONSISTENT &&
		       (old_disk >= TANDEM_DS_INCONSISTENT ||
			tandem_repl_syncing(pd->repl) ||
			pd->repl == TANDEM_RS_WF_BITMAP_T ||
			pd->repl == TANDEM_RS_VERIFY_S ||
			pd->repl == TANDEM_RS_VERIFY_T);
		c->peer_role = role;
		if (role == TANDEM_ROLE_PRIMARY)	/* (its role guards us now) */
			c->peer_granted = 0;
		pd->peer_disk = disk;
		pd->peer_repl = be32_to_cpu(p.s.repl);
		pd->rs_peer_paused = sflags & (TANDEM_SF_USER_PAUSE |
					       TANDEM_SF_DEP_PAUSE);
		spin_unlock_irq(&r->lock);
		tandem_nl_notify_connection(c, TANDEM_EV_CHANGE);
		tandem_nl_notify_peer_device(pd, TANDEM_EV_CHANGE);
		if (lost)	/* (and the decision below says none) */
			peer_disk_gone(pd, old_disk, disk);
		if ((sflags & TANDEM_SF_START_BITMAP) &&
		    !tandem_repl_syncing(pd->repl) &&
		    pd->repl != TANDEM_RS_WF_BITMAP_T) {
			start_bitmap_for_peer(pd);
			break;
		}
		if ((sflags & TANDEM_SF_START_FULL) &&
		    !tandem_repl_syncing(pd->repl)) {
			start_full_for_peer(pd);
			break;
		}
		if (tandem_repl_source(pd->repl) &&
		    tandem_repl_source(pd->peer_repl)) {
			tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
					   "both nodes became sync source of volume %u",
					   volume);
			break;
		}
		if (tandem_repl_source(pd->repl) &&
		    disk == TANDEM_DS_UPTODATE)
			tandem_resync_finished(pd);
		if (pd->repl == TANDEM_RS_WF_BITMAP_T &&
		    tandem_repl_source(pd->peer_repl)) {
			/* The whole bitmap is here: pull what it names. */
			tandem_set_repl_state(pd, TANDEM_RS_SYNC_TARGET);
			tandem_resync_start(pd, true);
		}
		tandem_sync_pause_update(pd);
		tandem_decide_sync(pd);
		break;
	}
	return 0;
}

static int receive_net_opts(struct tandem_connection *c, u32 length)
{
	struct tandem_resource *r = c->resource;
	struct tandem_p_net_opts p;
	bool two;
	u32 proto;
	int err;

	err = recv_body(c, &p, sizeof(p), TP_NET_OPTS, length);
	if (err)
		return err;
	proto = be32_to_cpu(p.protocol);
	if (proto < TANDEM_PROT_A || proto > TANDEM_PROT_C)
		return proto_error(c, "bad protocol", TP_NET_OPTS, proto);
	two = !!(be32_to_cpu(p.flags) & TANDEM_NF_TWO_PRIMARIES);
	spin_lock_irq(&r->lock);
	/* Two Primaries must not be left without allow-two-primaries. */
	if (c->opts.two_primaries && !two &&
	    r->role == TANDEM_ROLE_PRIMARY &&
	    c->peer_role == TANDEM_ROLE_PRIMARY) {
		spin_unlock_irq(&r->lock);
		return proto_error(c, "allow-two-primaries off while both nodes are Primary",
				   TP_NET_OPTS, 0);
	}
	c->opts.protocol = proto;
	c->opts.two_primaries = two;
	spin_unlock_irq(&r->lock);
	pr_info("%s peer %u: peer switched to protocol %c\n", r->name,
		c->peer_node_id, tandem_protocol_letter(proto));
	tandem_nl_notify_connection(c, TANDEM_EV_CHANGE);
	return 0;
}

static int receive_role_req(struct tandem_connection *c, u32 length)
{
	struct tandem_resource *r = c->resource;
	struct tandem_p_role_req p;
	struct tandem_p_role_reply rep = {};
	int err, result = 0;

	err = recv_body(c, &p, sizeof(p), TP_ROLE_REQ, length);
	if (err)
		return err;
	if (be32_to_cpu(p.role) == TANDEM_ROLE_PRIMARY &&
	    !c->opts.two_primaries) {
		struct tandem_connection *other;

		/*
		 * No: when we are Primary, or past asking our peers, or
		 * asking with the lower node id (the tie of two promotions
		 * at once), or when another peer is promoting with our yes.
		 * A yes is remembered: tandem_set_role() refuses to promote
		 * us while the peer's promotion is pending. Judged under the
		 * lock that tandem_set_role() moves its promotion under.
		 */
		spin_lock_irq(&r->lock);
		if (r->role == TANDEM_ROLE_PRIMARY ||
		    r->promoting == TANDEM_PROMOTE_COMMITTED ||
		    (r->promoting == TANDEM_PROMOTE_ASKING &&
		     r->node_id < c->peer_node_id))
			result = EBUSY;
		list_for_each_entry(other, &r->connections, list)
			if (other != c && tandem_peer_promotion_pending(other))
				result = EBUSY;
		if (!result)
			c->peer_granted = jiffies | 1;
		spin_unlock_irq(&r->lock);
		pr_info("%s peer %u: role request to become Primary %s\n",
			r->name, c->peer_node_id,
			result ? "refused" : "granted");
	}
	rep.result = cpu_to_be32(result);
	return tandem_send_packet(c, TANDEM_STREAM_CONTROL, TP_ROLE_REPLY, 0,
				  &rep, sizeof(rep), NULL, 0);
}

/*
 * A TP_SYNC_REQ or TP_OUT_OF_SYNC body: a range of the data area of one
 * of our attached volumes, or a protocol error.
 */
static int recv_block_range(struct tandem_connection *c, u16 type,
			    u16 volume, u32 length,
			    struct tandem_peer_device **pd, sector_t *sector,
			    u32 *size, u64 *block_id)
{
	struct tandem_p_block_req p;
	int err;

	err = recv_body(c, &p, sizeof(p), type, length);
	if (err)
		return err;
	*pd = volume_pd(c, volume);
	if (!*pd)
		return proto_error(c, "unknown volume", type, volume);
	*sector = be64_to_cpu(p.sector);
	*size = be32_to_cpu(p.size);
	*block_id = be64_to_cpu(p.block_id);
	/* (without a disk, tandem_resync_serve() sorts it out) */
	if (!*size || *size % 512 || *size > TANDEM_MAX_PAYLOAD ||
	    ((*pd)->device->backing &&
	     *sector + (*size >> 9) > tandem_data_sectors((*pd)->device)))
		return proto_error(c, "bad block range", type, *size);
	return 0;
}

static int receive_sync_req(struct tandem_connection *c, u16 volume,
			    u32 length)
{
	struct tandem_peer_device *pd;
	sector_t sector;
	u64 block_id;
	u32 size;
	int err;

	err = recv_block_range(c, TP_SYNC_REQ, volume, length, &pd, &sector,
			       &size, &block_id);
	if (!err)
		tandem_resync_serve(pd, sector, block_id, size);
	return err;
}

static int receive_out_of_sync(struct tandem_connection *c, u16 volume,
			       u32 length)
{
	struct tandem_p_block_req p;
	struct tandem_peer_device *pd;
	sector_t sector, end;
	u32 size;
	int err;

	err = recv_body(c, &p, sizeof(p), TP_OUT_OF_SYNC, length);
	if (err)
		return err;
	pd = volume_pd(c, volume);
	if (!pd)
		return proto_error(c, "unknown volume", TP_OUT_OF_SYNC, volume);
	sector = be64_to_cpu(p.sector);
	size = be32_to_cpu(p.size);
	if (!size || size % 512 || size > TANDEM_MAX_PAYLOAD ||
	    sector + (size >> 9) < sector)
		return proto_error(c, "bad block range", TP_OUT_OF_SYNC, size);
	/*
	 * The peer's device may be larger than ours (a resize that only it
	 * finished): what lies beyond our data area does not concern us.
	 */
	end = min_t(sector_t, sector + (size >> 9),
		    pd->device->backing ? tandem_data_sectors(pd->device) : 0);
	if (sector < end)
		tandem_bm_set_range(pd, sector, (end - sector) << 9);
	return 0;
}

static int receive_sync_done(struct tandem_connection *c, u16 volume,
			     u32 length)
{
	struct tandem_p_sync_done p;
	struct tandem_peer_device *pd;
	int err;

	err = recv_body(c, &p, sizeof(p), TP_SYNC_DONE, length);
	if (err)
		return err;
	pd = volume_pd(c, volume);
	if (pd && tandem_repl_source(pd->repl))
		tandem_resync_finished(pd);
	return 0;
}

/* TP_OV_REQ: a range to compare, or the start or end of a verify. */
static int receive_ov_req(struct tandem_connection *c, u16 volume,
			  u32 length)
{
	struct tandem_peer_device *pd;
	struct tandem_p_ov_req p;
	u32 size, ds, flags, len;
	sector_t sector;
	u8 *digests;
	int err;

	if (length < sizeof(p))
		return proto_error(c, "wrong body length", TP_OV_REQ, length);
	err = c->transport->class->ops->recv(c->transport, TANDEM_STREAM_DATA,
					     &p, sizeof(p));
	if (err)
		return err;
	pd = volume_pd(c, volume);
	if (!pd)
		return proto_error(c, "unknown volume", TP_OV_REQ, volume);
	sector = be64_to_cpu(p.sector);
	size = be32_to_cpu(p.size);
	ds = be32_to_cpu(p.digest_size);
	flags = be32_to_cpu(p.flags);
	len = size / TANDEM_BM_BLOCK_BYTES * ds;
	if (size % TANDEM_BM_BLOCK_BYTES ||
	    size > TANDEM_OV_MAX_BLOCKS * TANDEM_BM_BLOCK_BYTES ||
	    !ds || ds > TANDEM_OV_MAX_DIGEST || length != sizeof(p) + len ||
	    (flags & (TANDEM_OV_START | TANDEM_OV_LAST) && size) ||
	    (!(flags & (TANDEM_OV_START | TANDEM_OV_LAST)) && !size) ||
	    sector % (TANDEM_BM_BLOCK_BYTES >> 9))
		return proto_error(c, "bad verify request", TP_OV_REQ, size);
	/* (a disk detached meanwhile: tandem_verify_receive() says FAILED) */
	if (pd->device->backing &&
	    (sector > tandem_data_sectors(pd->device) ||
	     sector + (size >> 9) > tandem_data_sectors(pd->device) ||
	     ((flags & TANDEM_OV_START) &&
	      (be64_to_cpu(p.end_sect) > tandem_data_sectors(pd->device) ||
	       be64_to_cpu(p.end_sect) <= sector))))
		return proto_error(c, "bad verify range", TP_OV_REQ, size);
	if (!len)
		return tandem_verify_receive(pd, &p, NULL);
	digests = kmalloc(len, GFP_NOIO);
	if (!digests)
		return -ENOMEM;
	err = c->transport->class->ops->recv(c->transport, TANDEM_STREAM_DATA,
					     digests, len);
	if (!err)
		err = tandem_verify_receive(pd, &p, digests);
	kfree(digests);
	return err;
}

/* TP_OV_RESULT: the verify source's verdict on a range we compared. */
static int receive_ov_result(struct tandem_connection *c, u16 volume,
			     u32 length)
{
	struct tandem_peer_device *pd;
	struct tandem_p_ov_reply p;
	u32 size, nr, mismatch;
	sector_t sector;
	int err;

	err = recv_body(c, &p, sizeof(p), TP_OV_RESULT, length);
	if (err)
		return err;
	pd = volume_pd(c, volume);
	if (!pd)
		return proto_error(c, "unknown volume", TP_OV_RESULT, volume);
	sector = be64_to_cpu(p.sector);
	size = be32_to_cpu(p.size);
	mismatch = be32_to_cpu(p.mismatch);
	nr = size / TANDEM_BM_BLOCK_BYTES;
	if (!size || size % TANDEM_BM_BLOCK_BYTES ||
	    nr > TANDEM_OV_MAX_BLOCKS || p.flags || !mismatch ||
	    (mismatch & ~(u32)GENMASK_ULL(nr - 1, 0)) ||
	    sector % (TANDEM_BM_BLOCK_BYTES >> 9))
		return proto_error(c, "bad verify result", TP_OV_RESULT, size);
	if (pd->device->backing &&
	    (sector > tandem_data_sectors(pd->device) ||
	     sector + (size >> 9) > tandem_data_sectors(pd->device)))
		return proto_error(c, "bad verify range", TP_OV_RESULT, size);
	return tandem_verify_result(pd, &p);
}

/*
 * TP_DISCONNECT, with or without a body. Return: 1 for a plain close, 0
 * or an error when the peer refused the connection (we are refused too,
 * and answer in kind), < 0 on a bad packet.
 */
static int receive_disconnect(struct tandem_connection *c, u32 length)
{
	struct tandem_p_disconnect p = {};
	int err;

	if (length) {
		err = recv_body(c, &p, sizeof(p), TP_DISCONNECT, length);
		if (err)
			return err;
	}
	if (!(be32_to_cpu(p.flags) & TANDEM_DISC_REFUSED) || c->refused)
		return 1;
	tandem_refuse_connection(c, "the peer refused the connection");
	return -ECONNRESET;
}

/**
 * tandem_receive_loop() - process the DATA stream until it breaks
 * @c: a Connected connection
 *
 * Return: the error that ended it.
 */
int tandem_receive_loop(struct tandem_connection *c)
{
	u16 type, volume;
	u32 length;
	int err;

	for (;;) {
		err = tandem_recv_header(c, TANDEM_STREAM_DATA, &type, &volume,
					 &length);
		if (err)
			return err;
		switch (type) {
		case TP_DATA:
		case TP_SYNC_DATA:
			err = receive_data(c, type, volume, length);
			break;
		case TP_BARRIER:
			err = receive_barrier(c, length);
			break;
		case TP_SIZES:
		case TP_UUIDS:
		case TP_STATE:
			err = receive_state(c, type, volume, length);
			break;
		case TP_NET_OPTS:
			err = receive_net_opts(c, length);
			break;
		case TP_ROLE_REQ:
			err = receive_role_req(c, length);
			break;
		case TP_SYNC_REQ:
			err = receive_sync_req(c, volume, length);
			break;
		case TP_SYNC_DONE:
			err = receive_sync_done(c, volume, length);
			break;
		case TP_OUT_OF_SYNC:
			err = receive_out_of_sync(c, volume, length);
			break;
		case TP_OV_REQ:
			err = receive_ov_req(c, volume, length);
			break;
		case TP_OV_RESULT:
			err = receive_ov_result(c, volume, length);
			break;
		case TP_RESIZE:
			err = tandem_receive_resize(c, volume, length);
			break;
		case TP_READ_REQ:
			err = tandem_receive_read_req(c, volume, length);
			break;
		case TP_READ_REPLY:
			err = tandem_receive_read_reply(c, volume, length);
			break;
		case TP_DISCONNECT:
			err = receive_disconnect(c, length);
			if (err <= 0)
				return err;
			if (c->refused)		/* the peer refuses us too */
				return -ECONNRESET;
			tandem_conn_failed(c, TANDEM_CS_TEAR_DOWN,
					   "peer closed the connection");
			return -ECONNRESET;
		default:
			return proto_error(c, "unexpected on data stream",
					   type, length);
		}
		if (err)
			return err;
	}
}

/* After a loss: wait for writes in flight from the peer, drop epochs. */
void tandem_receiver_cleanup(struct tandem_connection *c)
{
	struct tandem_resource *r = c->resource;
	struct tandem_epoch *e, *tmp;

	wait_event(c->peer_wait, !atomic_read(&c->peer_inflight));
	flush_workqueue(c->ack_wq);
	spin_lock_irq(&r->lock);
	list_for_each_entry_safe(e, tmp, &c->epochs, list) {
		list_del(&e->list);
		kfree(e);
	}
	spin_unlock_irq(&r->lock);
	atomic_set(&c->unacked, 0);
}
