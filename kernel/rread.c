// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - reads served by a peer.
 *
 * A node whose disk cannot serve a read (it has none, it is being
 * detached after an error, it failed this very read, or the blocks are
 * out of sync) asks a connected peer whose disk is UpToDate:
 *
 *   reader                                   peer
 *     TP_READ_REQ (sector, block_id, size) ->      waits for the writes
 *                                                  it received before
 *                                                  that overlap, reads
 *     <- TP_READ_REPLY (tandem_p_data + payload,
 *                       or TANDEM_DP_READ_ERROR and none)
 *
 * Both go on the DATA stream, so a read follows every write the reader
 * sent before it. The read waits on the reader's transfer log (block_id
 * indexes connection->req_ids); a lost connection fails it with EIO.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "tandem_int.h"

/**
 * tandem_read_peer() - a connected peer that can serve our reads
 * @d: the device
 *
 * Context: resource->lock held. Return: its peer device, or NULL.
 */
struct tandem_peer_device *tandem_read_peer(struct tandem_device *d)
{
	struct tandem_peer_device *pd;

	lockdep_assert_held(&d->resource->lock);
	list_for_each_entry(pd, &d->peer_devices, dev_list)
		if (pd->connection->cstate == TANDEM_CS_CONNECTED &&
		    pd->peer_disk == TANDEM_DS_UPTODATE &&
		    (pd->connection->features & TANDEM_FF_DISKLESS))
			return pd;
	return NULL;
}

/**
 * tandem_local_read_ok() - may the local disk serve this read
 * @d: the device, with a usable disk
 * @sector: first sector
 * @size: bytes
 *
 * An UpToDate disk serves every read. A disk that is not (a pass_on
 * error took it out of UpToDate) serves the blocks that are in sync with
 * the peer that would serve the read instead.
 *
 * Context: resource->lock held.
 */
bool tandem_local_read_ok(struct tandem_device *d, sector_t sector,
			  unsigned int size)
{
	struct tandem_peer_device *pd;
	u64 first, end;

	lockdep_assert_held(&d->resource->lock);
	if (d->disk_state == TANDEM_DS_UPTODATE)
		return true;
	pd = tandem_read_peer(d);
	if (!pd || !pd->bitmap || !size)
		return false;
	first = sector / (TANDEM_BM_BLOCK_BYTES >> 9);
	end = DIV_ROUND_UP_ULL(sector + (size >> 9),
			       TANDEM_BM_BLOCK_BYTES >> 9);
	if (end > pd->bm_bits)
		return false;
	return find_next_bit(pd->bitmap, end, first) >= end;
}

/**
 * tandem_send_read_req() - ask the peer of @rp for the blocks of a read
 * @rp: the read's peer part
 *
 * Context: the connection's send queue. Return: 0 (the reply ends the
 * read), or a negative errno.
 */
int tandem_send_read_req(struct tandem_req_peer *rp)
{
	struct tandem_request *req = rp->req;
	struct tandem_connection *c = rp->connection;
	struct tandem_resource *r = c->resource;
	struct tandem_p_block_req p = {};
	int err;

	if (!(c->features & TANDEM_FF_DISKLESS))
		return -EOPNOTSUPP;
	err = xa_alloc(&c->req_ids, &rp->id, rp, xa_limit_31b, GFP_NOIO);
	if (err)
		return err;
	spin_lock_irq(&r->lock);
	rp->epoch = 0;		/* no barrier ever names epoch 0 */
	list_add_tail(&rp->tl, &c->transfer_log);
	rp->in_tl = true;
	kref_get(&req->refs);
	spin_unlock_irq(&r->lock);

	p.sector = cpu_to_be64(req->master->bi_iter.bi_sector);
	p.block_id = cpu_to_be64(rp->id);
	p.size = cpu_to_be32(req->master->bi_iter.bi_size);
	err = tandem_send_packet(c, TANDEM_STREAM_DATA, TP_READ_REQ,
				 req->device->volume, &p, sizeof(p), NULL, 0);
	if (!err)
		rp->sent = true;
	return err;
}

/* ---- the serving side ----------------------------------------------- */

/**
 * struct peer_read - a read a peer asked us for
 * @c: connection it came on (a reference is held)
 * @d: the device
 * @iv: the range, held in the device's interval list until sent
 * @block_id: the reader's cookie
 * @bio: our read, its pages the payload
 * @status: its result
 * @pages: pages reserved with tandem_serve_pages_get()
 * @work: sends the reply, on the connection's send queue
 */
struct peer_read {
	struct tandem_connection *c;
	struct tandem_device *d;
	struct tandem_interval iv;
	u64 block_id;
	struct bio *bio;
	blk_status_t status;
	unsigned int pages;
	struct work_struct work;
};

static void peer_read_free(struct peer_read *pr)
{
	struct bio_vec *bv;
	struct bvec_iter_all it;

	if (pr->bio) {
		bio_for_each_segment_all(bv, pr->bio, it)
			__free_page(bv->bv_page);
		bio_put(pr->bio);
	}
	tandem_serve_pages_put(pr->c, pr->pages);
	kfree(pr);
}

static int send_reply(struct tandem_connection *c, unsigned int volume,
		      sector_t sector, u64 block_id, u32 size,
		      struct bio *bio)
{
	struct tandem_p_data p = {};
	struct iov_iter it;

	p.sector = cpu_to_be64(sector);
	p.block_id = cpu_to_be64(block_id);
	p.size = cpu_to_be32(size);
	if (!bio) {
		p.dp_flags = cpu_to_be32(TANDEM_DP_READ_ERROR);
		return tandem_send_packet(c, TANDEM_STREAM_DATA, TP_READ_REPLY,
					  volume, &p, sizeof(p), NULL, 0);
	}
	iov_iter_bvec(&it, ITER_SOURCE, bio->bi_io_vec, bio->bi_vcnt, size);
	return tandem_send_packet(c, TANDEM_STREAM_DATA, TP_READ_REPLY, volume,
				  &p, sizeof(p), &it, 0);
}

static void peer_read_send_work(struct work_struct *work)
{
	struct peer_read *pr = container_of(work, struct peer_read, work);
	struct tandem_connection *c = pr->c;
	int err;

	err = send_reply(c, pr->d->volume, pr->iv.sector, pr->block_id,
			 pr->iv.size, pr->status ? NULL : pr->bio);
	if (!err && !pr->status)
		atomic64_add(pr->iv.size >> 10, &c->sent_kib);
	tandem_interval_end(pr->d, &pr->iv);
	peer_read_free(pr);
	tandem_connection_put(c);
}

static void peer_read_endio(struct bio *bio)
{
	struct peer_read *pr = bio->bi_private;
	struct tandem_device *d = pr->d;

	tandem_disk_io_end(d);
	pr->status = bio->bi_status;
	if (pr->status)
		tandem_disk_error(d, TANDEM_IO_READ, pr->iv.sector,
				  blk_status_to_errno(pr->status));
	else
		atomic64_add(pr->iv.size >> 10, &d->read_kib);
	tandem_put_disk(d);
	queue_work(pr->c->send_wq, &pr->work);
}

/**
 * tandem_receive_read_req() - TP_READ_REQ: read blocks for the peer
 * @c: the connection
 * @volume: from the header
 * @length: body length from the header
 *
 * Without an UpToDate disk (or for a range beyond it) the answer is a
 * TP_READ_REPLY with TANDEM_DP_READ_ERROR; a malformed request drops the
 * connection.
 *
 * Context: the receiver. Return: 0 or a negative errno.
 */
int tandem_receive_read_req(struct tandem_connection *c, u16 volume,
			    u32 length)
{
	struct tandem_p_block_req p;
	struct tandem_device *d;
	struct peer_read *pr;
	unsigned int nr, i;
	sector_t sector;
	u64 block_id;
	u32 size;
	int err;

	if (length != sizeof(p)) {
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "bad packet type %u: wrong body length (%u)",
				   TP_READ_REQ, length);
		return -EPROTO;
	}
	err = c->transport->class->ops->recv(c->transport, TANDEM_STREAM_DATA,
					     &p, sizeof(p));
	if (err)
		return err;
	sector = be64_to_cpu(p.sector);
	size = be32_to_cpu(p.size);
	block_id = be64_to_cpu(p.block_id);
	d = tandem_device_by_volume(c->resource, volume);
	if (!d || !tandem_peer_device(d, c) || !size || size % 512 ||
	    size > TANDEM_MAX_PAYLOAD || sector + (size >> 9) < sector) {
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "bad packet type %u: bad read request (volume %u, size %u)",
				   TP_READ_REQ, volume, size);
		return -EPROTO;
	}
	/* At most max-buffers pages wait to be sent: see tandem_serve_pages_get() */
	nr = DIV_ROUND_UP(size, PAGE_SIZE);
	if (tandem_serve_pages_get(c, nr))
		return -ECONNABORTED;
	if (READ_ONCE(d->disk_state) != TANDEM_DS_UPTODATE ||
	    !tandem_get_disk(d)) {
		tandem_serve_pages_put(c, nr);
		return send_reply(c, volume, sector, block_id, size, NULL);
	}
	if (sector + (size >> 9) > tandem_data_sectors(d)) {
		tandem_put_disk(d);
		tandem_serve_pages_put(c, nr);
		return send_reply(c, volume, sector, block_id, size, NULL);
	}

	/* From here on the disk pin belongs to the read: peer_read_endio. */
	pr = kzalloc(sizeof(*pr), GFP_NOIO);
	if (!pr) {
		tandem_serve_pages_put(c, nr);
		goto fail_put_disk;
	}
	pr->pages = nr;
	pr->c = c;
	pr->d = d;
	pr->iv.sector = sector;
	pr->iv.size = size;
	pr->block_id = block_id;
	INIT_WORK(&pr->work, peer_read_send_work);
	pr->bio = bio_alloc(d->backing, nr, REQ_OP_READ, GFP_NOIO);
	for (i = 0; i < nr; i++) {
		struct page *page = alloc_page(GFP_NOIO);

		if (!page)
			goto fail_free;
		if (!bio_add_page(pr->bio, page,
				  min_t(u32, size - i * PAGE_SIZE, PAGE_SIZE),
				  0)) {
			__free_page(page);
			goto fail_free;
		}
	}
	pr->bio->bi_iter.bi_sector = sector;
	pr->bio->bi_private = pr;
	pr->bio->bi_end_io = peer_read_endio;

	/* Writes of the reader sent before the read reach our disk first. */
	tandem_peer_writes_wait(d, &pr->iv);
	if (tandem_interval_begin_peer(d, &pr->iv, c)) {
		/* The link is gone: the reader asks again, or elsewhere. */
		peer_read_free(pr);
		tandem_put_disk(d);
		return -ECONNABORTED;
	}
	kref_get(&c->kref);
	tandem_disk_io_start(d);
	submit_bio_noacct(pr->bio);
	return 0;

fail_free:
	peer_read_free(pr);
fail_put_disk:
	tandem_put_disk(d);
	return send_reply(c, volume, sector, block_id, size, NULL);
}

/**
 * tandem_receive_read_reply() - TP_READ_REPLY: the blocks of our read
 * @c: the connection
 * @volume: from the header
 * @length: body + payload length from the header
 *
 * Context: the receiver. Return: 0, or a negative errno (a reply that
 * answers no read of ours, or does not fit it, is a protocol error).
 */
int tandem_receive_read_reply(struct tandem_connection *c, u16 volume,
			      u32 length)
{
	struct tandem_p_data p;
	struct tandem_req_peer *rp;
	struct tandem_request *req;
	struct bio_vec *bvecs, bv;
	struct bvec_iter iter;
	struct iov_iter it;
	u32 size, flags, payload;
	unsigned int n = 0;
	const char *bad = NULL;
	int err;

	if (length < sizeof(p)) {
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "bad packet type %u: short read reply (%u)",
				   TP_READ_REPLY, length);
		return -EPROTO;
	}
	err = c->transport->class->ops->recv(c->transport, TANDEM_STREAM_DATA,
					     &p, sizeof(p));
	if (err)
		return err;
	payload = length - sizeof(p);
	size = be32_to_cpu(p.size);
	flags = be32_to_cpu(p.dp_flags);
	rp = tandem_req_take_read(c, be64_to_cpu(p.block_id));
	if (!rp) {
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "bad packet type %u: answers no read of ours",
				   TP_READ_REPLY);
		return -EPROTO;
	}
	req = rp->req;
	if (req->device->volume != volume ||
	    be64_to_cpu(p.sector) != req->master->bi_iter.bi_sector ||
	    size != req->master->bi_iter.bi_size)
		bad = "does not match the read";
	else if (payload != ((flags & TANDEM_DP_READ_ERROR) ? 0 : size))
		bad = "wrong payload length";
	if (bad) {
		tandem_req_read_done(rp, false);
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "bad packet type %u: read reply %s",
				   TP_READ_REPLY, bad);
		return -EPROTO;
	}
	if (flags & TANDEM_DP_READ_ERROR) {
		pr_warn_ratelimited("%s/%u peer %u: the peer could not read sector %llu for us\n",
				    c->resource->name, volume, c->peer_node_id,
				    (unsigned long long)be64_to_cpu(p.sector));
		tandem_req_read_done(rp, false);
		return 0;
	}
	bvecs = kmalloc_array(bio_segments(req->master), sizeof(*bvecs),
			      GFP_NOIO);
	if (!bvecs) {
		tandem_req_read_done(rp, false);
		return -ENOMEM;
	}
	bio_for_each_segment(bv, req->master, iter)
		bvecs[n++] = bv;
	iov_iter_bvec(&it, ITER_DEST, bvecs, n, size);
	err = c->transport->class->ops->recv_iter(c->transport,
						  TANDEM_STREAM_DATA, &it);
	kfree(bvecs);
	if (!err)
		atomic64_add(size >> 10, &c->recv_kib);
	tandem_req_read_done(rp, !err);
	return err;
}
