// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - online verify.
 *
 * The node where `verify` is run (VerifyS) walks its data area in ranges
 * of up to 128 KiB, no faster than the resync controller allows. For
 * each range it claims the range in the device's interval list (no local
 * write can change it while it is compared), reads it, computes one
 * verify-alg digest per 4 KiB block and sends them in TP_OV_REQ on the
 * DATA stream: behind every write of that range that was sent before.
 * The peer (VerifyT) reads the same range once the peer writes to it in
 * flight are done, compares the digests and answers with TP_OV_REPLY on
 * the CONTROL stream: one bit per block that differs. The source alone
 * judges: it leaves out the blocks a peer write changed while the range
 * was out (the target cannot tell whether the source read them before or
 * after that write), sets the bits of the rest in its bitmap, logs the
 * runs and sends that verdict back in TP_OV_RESULT (DATA), from which the
 * target does the same. Nothing is copied: the verify source records (slot flag
 * VERIFIED, sent as TANDEM_UF_VERIFIED) that it holds the copy to keep,
 * so that the next connection resyncs those blocks from it
 * (kernel/lib/sync_decide.c, rule 4).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/hash.h>
#include <linux/bio.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/slab.h>

#include <net/netlink.h>

#include "tandem_int.h"
#include "lib/rs_ctrl.h"

#define OV_SECT		(TANDEM_BM_BLOCK_BYTES >> 9)	/* sectors per block */
#define OV_TICK		(HZ / 10)
#define OV_MAX_INFLIGHT	(4U << 20)

/**
 * struct ov_req - a range the verify source sent, waiting for its reply
 * @list: on peer_device->ov_reqs, in the order sent
 * @iv: the range, held in the device's interval list until the reply
 * @stale: blocks a write from the peer changed meanwhile: no verdict;
 *	once replied and on peer_device->ov_results, the verdict to send
 */
struct ov_req {
	struct list_head list;
	struct tandem_interval iv;
	u32 stale;
};

static void ov_stop_source(struct tandem_peer_device *pd);

/* ---- common ---------------------------------------------------------- */

static struct crypto_shash *ov_alloc_tfm(const char *alg)
{
	struct crypto_shash *tfm = crypto_alloc_shash(alg, 0, 0);

	if (IS_ERR(tfm))
		return tfm;
	/* a keyed hash (hmac(...)) has no key here; huge digests no room */
	if (crypto_shash_digestsize(tfm) > TANDEM_OV_MAX_DIGEST ||
	    (crypto_shash_get_flags(tfm) & CRYPTO_TFM_NEED_KEY)) {
		crypto_free_shash(tfm);
		return ERR_PTR(-EINVAL);
	}
	return tfm;
}

static void ov_free(struct crypto_shash **tfm)
{
	if (*tfm) {
		crypto_free_shash(*tfm);
		*tfm = NULL;
	}
}

/**
 * tandem_verify_alg_check() - can @alg be a verify-alg?
 * @alg: hash name
 *
 * Return: 0, or -EINVAL: unknown, keyed, a digest over 64 bytes, or a
 * name too long for the wire.
 */
int tandem_verify_alg_check(const char *alg)
{
	struct crypto_shash *tfm;

	if (strlen(alg) >= sizeof(((struct tandem_p_ov_req *)NULL)->alg))
		return -EINVAL;
	tfm = ov_alloc_tfm(alg);
	if (IS_ERR(tfm))
		return -EINVAL;
	crypto_free_shash(tfm);
	return 0;
}

/*
 * Read [sector, sector + size) of the backing device into @pages
 * (size / 4 KiB pages of 4 KiB), waiting for the result.
 */
static int ov_read(struct tandem_device *d, sector_t sector, u32 size,
		   struct page **pages)
{
	unsigned int nr = size / TANDEM_BM_BLOCK_BYTES, i;
	struct bio *bio;
	int err;

	if (!tandem_get_disk(d))
		return -ENODEV;
	bio = bio_alloc(d->backing, nr, REQ_OP_READ, GFP_NOIO);
	for (i = 0; i < nr; i++)
		__bio_add_page(bio, pages[i], TANDEM_BM_BLOCK_BYTES, 0);
	bio->bi_iter.bi_sector = sector;
	err = submit_bio_wait(bio);
	bio_put(bio);
	atomic64_add(size >> 10, &d->read_kib);
	tandem_put_disk(d);
	return err;
}

static int ov_alloc_pages(struct page **pages, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		pages[i] = alloc_page(GFP_NOIO);
		if (!pages[i]) {
			while (i--)
				__free_page(pages[i]);
			return -ENOMEM;
		}
	}
	return 0;
}

static void ov_free_pages(struct page **pages, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		__free_page(pages[i]);
}

/* One digest per page into @out (nr * digest size bytes). */
static int ov_digests(struct crypto_shash *tfm, struct page **pages,
		      unsigned int nr, u8 *out)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	unsigned int ds = crypto_shash_digestsize(tfm), i;
	int err = 0;

	desc->tfm = tfm;
	for (i = 0; i < nr && !err; i++) {
		void *p = kmap_local_page(pages[i]);

		err = crypto_shash_digest(desc, p, TANDEM_BM_BLOCK_BYTES,
					  out + i * ds);
		kunmap_local(p);
	}
	shash_desc_zero(desc);
	return err;
}

/* Log the current run of different blocks, if any. */
static void ov_flush_run(struct tandem_peer_device *pd)
{
	if (!pd->ov_run_len)
		return;
	pr_info("%s/%u peer %u: out of sync: start=%llu, size=%u (sectors)\n",
		pd->device->resource->name, pd->device->volume,
		pd->connection->peer_node_id,
		(unsigned long long)pd->ov_run_sect, pd->ov_run_len * OV_SECT);
	pd->ov_run_len = 0;
}

/* Mark, count and log (in runs) the blocks of a range that differ. */
static void ov_found(struct tandem_peer_device *pd, sector_t sector,
		     u32 mismatch, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		sector_t s = sector + (sector_t)i * OV_SECT;

		if (!(mismatch & (1U << i)))
			continue;
		tandem_bm_set_range(pd, s, TANDEM_BM_BLOCK_BYTES);
		pd->ov_oos++;
		if (pd->ov_run_len &&
		    pd->ov_run_sect + (sector_t)pd->ov_run_len * OV_SECT == s) {
			pd->ov_run_len++;
			continue;
		}
		ov_flush_run(pd);
		pd->ov_run_sect = s;
		pd->ov_run_len = 1;
	}
}

static void ov_begin(struct tandem_peer_device *pd, sector_t start,
		     sector_t end)
{
	pd->ov_start = start;
	pd->ov_end = end;
	pd->ov_done = 0;
	pd->ov_oos = 0;
	pd->ov_run_len = 0;
	pd->ov_failed = false;
	pd->ov_begin = jiffies;
}

static void ov_report(struct tandem_peer_device *pd, const char *how)
{
	struct tandem_device *d = pd->device;
	unsigned int ms = max(1U, jiffies_to_msecs(jiffies - pd->ov_begin));

	ov_flush_run(pd);
	pr_info("%s/%u peer %u: online verify %s: %llu KiB compared in %u.%03u s, %llu KiB out of sync\n",
		d->resource->name, d->volume, pd->connection->peer_node_id,
		how, pd->ov_done / 2, ms / 1000, ms % 1000, pd->ov_oos * 4);
}

/* ---- verify source ----------------------------------------------------- */

static bool ov_should_run(struct tandem_peer_device *pd)
{
	return !kthread_should_stop() && !READ_ONCE(pd->ov_failed) &&
	       READ_ONCE(pd->repl) == TANDEM_RS_VERIFY_S &&
	       READ_ONCE(pd->connection->cstate) == TANDEM_CS_CONNECTED;
}

static int ov_send(struct tandem_peer_device *pd, sector_t sector,
		   sector_t end, u32 size, u32 flags, const u8 *digests)
{
	struct tandem_p_ov_req p = {};
	unsigned int ds = crypto_shash_digestsize(pd->ov_tfm);
	unsigned int len = size / TANDEM_BM_BLOCK_BYTES * ds;
	struct bio_vec bv;
	struct iov_iter it;

	p.sector = cpu_to_be64(sector);
	p.end_sect = cpu_to_be64(end);
	p.size = cpu_to_be32(size);
	p.flags = cpu_to_be32(flags);
	p.digest_size = cpu_to_be32(ds);
	strscpy(p.alg, crypto_shash_alg_name(pd->ov_tfm), sizeof(p.alg));
	if (len) {
		bv.bv_page = virt_to_page(digests);
		bv.bv_offset = offset_in_page(digests);
		bv.bv_len = len;
		iov_iter_bvec(&it, ITER_SOURCE, &bv, 1, len);
	}
	return tandem_send_packet(pd->connection, TANDEM_STREAM_DATA,
				  TP_OV_REQ, pd->device->volume, &p,
				  sizeof(p), len ? &it : NULL, 0);
}

/*
 * Claim @iv without sleeping in the interval wait: a write that holds it
 * may wait for the peer, and the peer may be gone. Return: 0, or
 * -ECANCELED when @go_on() says to stop trying.
 */
static int ov_claim(struct tandem_peer_device *pd, struct tandem_interval *iv,
		    bool (*go_on)(struct tandem_peer_device *pd))
{
	while (tandem_interval_begin(pd->device, iv, false)) {
		if (!go_on(pd))
			return -ECANCELED;
		schedule_timeout_interruptible(max(1, HZ / 100));
	}
	return 0;
}

/* Read, digest and send one range; it stays claimed until its reply. */
static int ov_source_range(struct tandem_peer_device *pd, sector_t sector,
			   u32 size, struct page **pages, u8 *digests)
{
	struct tandem_device *d = pd->device;
	struct tandem_resource *r = d->resource;
	unsigned int nr = size / TANDEM_BM_BLOCK_BYTES;
	struct ov_req *o;
	int err;

	o = kzalloc(sizeof(*o), GFP_KERNEL);
	if (!o)
		return -ENOMEM;
	o->iv.sector = sector;
	o->iv.size = size;
	err = ov_claim(pd, &o->iv, ov_should_run);
	if (err)
		goto fail_free;
	err = ov_read(d, sector, size, pages);
	if (!err)
		err = ov_digests(pd->ov_tfm, pages, nr, digests);
	if (err) {
		pr_err("%s/%u peer %u: online verify: reading sector %llu failed (%d)\n",
		       r->name, d->volume, pd->connection->peer_node_id,
		       (unsigned long long)sector, err);
		goto fail_end;
	}
	spin_lock_irq(&r->lock);
	list_add_tail(&o->list, &pd->ov_reqs);
	spin_unlock_irq(&r->lock);
	atomic_add(size, &pd->ov_inflight);
	err = ov_send(pd, sector, 0, size, 0, digests);
	if (err)	/* the worker releases what is on ov_reqs */
		tandem_conn_failed(pd->connection, TANDEM_CS_NETWORK_FAILURE,
				   "sending a verify request failed (%d)", err);
	return err;

fail_end:
	tandem_interval_end(d, &o->iv);
fail_free:
	kfree(o);
	return err;
}

/*
 * Send the verdicts of replied ranges to the target (source thread: the
 * DATA stream orders them before the LAST request). Return: 0 or the
 * send error (the connection is failed then).
 */
static int ov_send_results(struct tandem_peer_device *pd)
{
	struct tandem_resource *r = pd->device->resource;
	struct tandem_p_ov_reply a = {};
	struct ov_req *o, *tmp;
	LIST_HEAD(todo);
	int err = 0;

	spin_lock_irq(&r->lock);
	list_splice_init(&pd->ov_results, &todo);
	spin_unlock_irq(&r->lock);
	list_for_each_entry_safe(o, tmp, &todo, list) {
		list_del(&o->list);
		a.sector = cpu_to_be64(o->iv.sector);
		a.size = cpu_to_be32(o->iv.size);
		a.mismatch = cpu_to_be32(o->stale);
		if (!err)
			err = tandem_send_packet(pd->connection,
						 TANDEM_STREAM_DATA,
						 TP_OV_RESULT,
						 pd->device->volume, &a,
						 sizeof(a), NULL, 0);
		kfree(o);
	}
	if (err)
		tandem_conn_failed(pd->connection, TANDEM_CS_NETWORK_FAILURE,
				   "sending a verify result failed (%d)", err);
	return err;
}

/* Replies to what we sent are in, or the connection is gone (bounded). */
static void ov_drain(struct tandem_peer_device *pd)
{
	unsigned long until = jiffies + 10 * HZ;

	while (atomic_read(&pd->ov_inflight) > 0 &&
	       READ_ONCE(pd->connection->cstate) == TANDEM_CS_CONNECTED &&
	       !kthread_should_stop() && time_before(jiffies, until))
		schedule_timeout_interruptible(max(1, HZ / 50));
}

/* Remember (on disk) that the blocks found are to be resynced from us. */
static void ov_mark_verified(struct tandem_peer_device *pd)
{
	struct tandem_device *d = pd->device;
	struct tandem_md_peer_info *slot;

	mutex_lock(&d->md_io_mutex);
	slot = d->backing ? tandem_md_peer_slot(d, pd->connection->peer_node_id,
						false) : NULL;
	if (slot)
		slot->flags |= TANDEM_MDPF_VERIFIED;
	mutex_unlock(&d->md_io_mutex);
	if (slot)
		tandem_md_write(d);
}

static int ov_source_thread(void *arg)
{
	struct tandem_peer_device *pd = arg;
	struct tandem_device *d = pd->device;
	sector_t pos = pd->ov_start;
	u64 budget = 0, last_done = 0, want, in;
	unsigned long last_tick = jiffies;
	struct page *pages[TANDEM_OV_MAX_BLOCKS];
	struct tandem_rs_ctrl_conf conf;
	struct tandem_rs_ctrl ctrl;
	bool finished = false;
	u8 *digests;

	digests = kmalloc(TANDEM_OV_MAX_BLOCKS * TANDEM_OV_MAX_DIGEST,
			  GFP_KERNEL);
	if (!digests || ov_alloc_pages(pages, TANDEM_OV_MAX_BLOCKS)) {
		kfree(digests);
		pr_err("%s/%u: online verify: out of memory\n",
		       d->resource->name, d->volume);
		WRITE_ONCE(pd->ov_failed, true);
		goto end;
	}
	tandem_rs_ctrl_init(&ctrl);
	while (ov_should_run(pd)) {
		unsigned int tick_ms = max(1U, jiffies_to_msecs(jiffies -
								last_tick));
		u64 done = READ_ONCE(pd->ov_done);

		last_tick = jiffies;
		in = (done - last_done) << 9;
		last_done = done;
		tandem_rs_conf(d, &conf);
		want = tandem_rs_ctrl_step(&ctrl, &conf, tick_ms, in,
					   atomic_read(&pd->ov_inflight));
		if (ov_send_results(pd)) {
			WRITE_ONCE(pd->ov_failed, true);
			break;
		}
		budget = min_t(u64, budget + want, want + TANDEM_SYNC_CHUNK);
		while (budget >= TANDEM_BM_BLOCK_BYTES && pos < pd->ov_end &&
		       ov_should_run(pd) &&
		       atomic_read(&pd->ov_inflight) < OV_MAX_INFLIGHT) {
			u32 size = min_t(u64, TANDEM_SYNC_CHUNK,
					 (u64)(pd->ov_end - pos) << 9);

			size = min_t(u64, size, round_up(budget,
						TANDEM_BM_BLOCK_BYTES));
			if (ov_source_range(pd, pos, size, pages, digests)) {
				WRITE_ONCE(pd->ov_failed, true);
				break;
			}
			pos += size >> 9;
			budget -= min_t(u64, budget, size);
		}
		if (pos >= pd->ov_end && !atomic_read(&pd->ov_inflight)) {
			finished = true;
			break;
		}
		schedule_timeout_interruptible(OV_TICK);
	}
	ov_free_pages(pages, TANDEM_OV_MAX_BLOCKS);
	kfree(digests);
end:
	/* Replies still on their way would answer no request later on. */
	ov_drain(pd);
	if (READ_ONCE(pd->connection->cstate) == TANDEM_CS_CONNECTED &&
	    READ_ONCE(pd->repl) == TANDEM_RS_VERIFY_S &&
	    !kthread_should_stop() && !ov_send_results(pd)) {
		/* The peer ends its side with this. */
		ov_send(pd, pos, 0, 0, TANDEM_OV_LAST, NULL);
		ov_report(pd, finished ? "done" : "stopped");
		tandem_bm_write(pd);
		if (pd->ov_oos)
			ov_mark_verified(pd);
		tandem_set_repl_state(pd, TANDEM_RS_ESTABLISHED);
		tandem_send_state(pd);
	}
	tandem_wait_for_stop();
	return 0;
}

/**
 * tandem_verify_start() - start an online verify towards one peer
 * @pd: peer device
 * @start: first sector to compare (rounded down to 4 KiB)
 * @extack: where a refusal is explained
 *
 * Context: tandem_cfg_mutex held.
 * Return: 0 or a negative errno with @extack set.
 */
int tandem_verify_start(struct tandem_peer_device *pd, sector_t start,
			struct netlink_ext_ack *extack)
{
	struct tandem_device *d = pd->device;
	struct tandem_connection *c = pd->connection;
	struct crypto_shash *tfm;
	struct task_struct *t;
	sector_t end;
	int err;

	lockdep_assert_held(&tandem_cfg_mutex);
	if (READ_ONCE(c->cstate) != TANDEM_CS_CONNECTED ||
	    READ_ONCE(pd->repl) != TANDEM_RS_ESTABLISHED) {
		TANDEM_SET_ERR(extack,
			       "online verify needs an established connection to peer %u (replication is %s)",
			       c->peer_node_id,
			       tandem_repl_state_name(READ_ONCE(pd->repl)));
		return -ENOTCONN;
	}
	if (d->disk_state != TANDEM_DS_UPTODATE ||
	    READ_ONCE(pd->peer_disk) != TANDEM_DS_UPTODATE) {
		TANDEM_SET_ERR(extack,
			       "online verify needs UpToDate disks on both nodes (here %s, peer %s)",
			       tandem_disk_state_name(d->disk_state),
			       tandem_disk_state_name(READ_ONCE(pd->peer_disk)));
		return -EINVAL;
	}
	if (!c->opts.verify_alg[0]) {
		TANDEM_SET_ERR(extack,
			       "no verify-alg is set for peer %u (net option verify-alg)",
			       c->peer_node_id);
		return -EINVAL;
	}
	end = tandem_data_sectors(d);
	start = round_down(start, OV_SECT);
	if (start >= end) {
		TANDEM_SET_ERR(extack,
			       "start sector %llu is beyond the end of the device (%llu sectors)",
			       (unsigned long long)start,
			       (unsigned long long)end);
		return -EINVAL;
	}
	tfm = ov_alloc_tfm(c->opts.verify_alg);
	if (IS_ERR(tfm)) {
		TANDEM_SET_ERR(extack,
			       "verify-alg '%s' is not a hash this kernel offers (%ld)",
			       c->opts.verify_alg, PTR_ERR(tfm));
		return PTR_ERR(tfm);
	}
	/* The thread of an earlier verify is parked; it is ours to stop. */
	ov_stop_source(pd);
	if (!tandem_cas_repl_state(pd, TANDEM_RS_ESTABLISHED,
				   TANDEM_RS_VERIFY_S)) {
		crypto_free_shash(tfm);
		TANDEM_SET_ERR(extack, "the replication state changed (the peer may have started a verify); try again");
		return -EAGAIN;
	}
	pd->ov_tfm = tfm;
	ov_begin(pd, start, end);
	err = ov_send(pd, start, end, 0, TANDEM_OV_START, NULL);
	if (!err)
		err = tandem_send_state(pd);
	if (err)
		goto fail_state;
	t = kthread_run(ov_source_thread, pd, "tandem_ov_%s_%u",
			d->resource->name, d->volume);
	if (IS_ERR(t)) {
		err = PTR_ERR(t);
		goto fail_state;
	}
	pd->ov_task = t;
	pr_info("%s/%u peer %u: online verify started (%s) at sector %llu, %llu KiB to compare\n",
		d->resource->name, d->volume, c->peer_node_id,
		c->opts.verify_alg, (unsigned long long)start,
		(unsigned long long)(end - start) / 2);
	return 0;

fail_state:
	tandem_conn_failed(c, TANDEM_CS_NETWORK_FAILURE,
			   "cannot start the online verify");
	TANDEM_SET_ERR(extack, "cannot start the online verify (%d)", err);
	return err;
}

/* Stop the source thread, release its claimed ranges, free its hash. */
static void ov_stop_source(struct tandem_peer_device *pd)
{
	struct tandem_resource *r = pd->device->resource;
	struct task_struct *t = xchg(&pd->ov_task, NULL);
	struct ov_req *o, *tmp;
	LIST_HEAD(left);

	/* The worker and a detach may both stop it: one of them does. */
	if (t)
		kthread_stop(t);
	spin_lock_irq(&r->lock);
	list_splice_init(&pd->ov_reqs, &left);
	spin_unlock_irq(&r->lock);
	list_for_each_entry_safe(o, tmp, &left, list) {
		tandem_interval_end(pd->device, &o->iv);
		kfree(o);
	}
	/* (their ranges are released already; the verdicts are moot) */
	spin_lock_irq(&r->lock);
	list_splice_init(&pd->ov_results, &left);
	spin_unlock_irq(&r->lock);
	list_for_each_entry_safe(o, tmp, &left, list)
		kfree(o);
	atomic_set(&pd->ov_inflight, 0);
	ov_free(&pd->ov_tfm);
}

/**
 * tandem_verify_stop() - end a verify on this peer device
 * @pd: peer device
 *
 * Called by the connection worker after a loss (the acker is stopped, no
 * reply arrives any more): stops the source thread and releases every
 * range still claimed. What an interrupted verify found stays marked,
 * and (as source) the flag that resyncs it from here is kept.
 */
void tandem_verify_stop(struct tandem_peer_device *pd)
{
	enum tandem_repl_state rs = READ_ONCE(pd->repl);

	ov_stop_source(pd);
	if (rs == TANDEM_RS_VERIFY_T || rs == TANDEM_RS_VERIFY_S) {
		ov_report(pd, "aborted");
		tandem_bm_write(pd);
		if (rs == TANDEM_RS_VERIFY_S && pd->ov_oos)
			ov_mark_verified(pd);
	}
	ov_free(&pd->ov_peer_tfm);
}

/**
 * tandem_verify_peer_write() - the peer writes [sector, sector + size)
 * @pd: peer device
 * @sector: first sector
 * @size: bytes
 *
 * A range we verify as source that this write overlaps gets no verdict
 * for the blocks written: the peer may compare them before or after the
 * write reached us. The write itself brings them in sync.
 * Context: receiver.
 */
void tandem_verify_peer_write(struct tandem_peer_device *pd, sector_t sector,
			      u32 size)
{
	struct tandem_resource *r = pd->device->resource;
	sector_t end = sector + (size >> 9);
	struct ov_req *o;
	unsigned int i;

	if (READ_ONCE(pd->repl) != TANDEM_RS_VERIFY_S)
		return;
	spin_lock_irq(&r->lock);
	list_for_each_entry(o, &pd->ov_reqs, list) {
		sector_t s = o->iv.sector;

		for (i = 0; i < o->iv.size / TANDEM_BM_BLOCK_BYTES; i++) {
			sector_t b = s + (sector_t)i * OV_SECT;

			if (b < end && sector < b + OV_SECT)
				o->stale |= 1U << i;
		}
	}
	spin_unlock_irq(&r->lock);
}

/**
 * tandem_verify_reply() - TP_OV_REPLY arrived (CONTROL stream)
 * @pd: peer device
 * @p: the reply
 *
 * Return: 0, or -EPROTO if it answers no request of ours.
 */
int tandem_verify_reply(struct tandem_peer_device *pd,
			const struct tandem_p_ov_reply *p)
{
	struct tandem_device *d = pd->device;
	struct tandem_resource *r = d->resource;
	sector_t sector = be64_to_cpu(p->sector);
	u32 size = be32_to_cpu(p->size), stale = 0, verdict = 0;
	unsigned int nr;
	struct ov_req *o;

	spin_lock_irq(&r->lock);
	o = list_first_entry_or_null(&pd->ov_reqs, struct ov_req, list);
	if (o && o->iv.sector == sector && o->iv.size == size) {
		list_del(&o->list);
		stale = o->stale;
	} else {
		o = NULL;
	}
	spin_unlock_irq(&r->lock);
	if (!o)
		return -EPROTO;
	if (be32_to_cpu(p->flags) & TANDEM_OV_FAILED) {
		pr_err("%s/%u peer %u: online verify failed on the peer\n",
		       r->name, d->volume, pd->connection->peer_node_id);
		WRITE_ONCE(pd->ov_failed, true);
	} else {
		nr = size / TANDEM_BM_BLOCK_BYTES;
		verdict = be32_to_cpu(p->mismatch) & ~stale &
			  (u32)GENMASK_ULL(nr - 1, 0);
		ov_found(pd, sector, verdict, nr);
		WRITE_ONCE(pd->ov_done, pd->ov_done + (size >> 9));
	}
	tandem_interval_end(d, &o->iv);
	if (verdict) {
		/* before ov_inflight drops: the thread sends it before LAST */
		o->stale = verdict;
		spin_lock_irq(&r->lock);
		list_add_tail(&o->list, &pd->ov_results);
		spin_unlock_irq(&r->lock);
	} else {
		kfree(o);
	}
	atomic_sub(size, &pd->ov_inflight);
	return 0;
}

/* ---- verify target ------------------------------------------------------ */

static int ov_reply(struct tandem_peer_device *pd, sector_t sector, u32 size,
		    u32 mismatch, u32 flags)
{
	struct tandem_p_ov_reply a = {};

	a.sector = cpu_to_be64(sector);
	a.size = cpu_to_be32(size);
	a.mismatch = cpu_to_be32(mismatch);
	a.flags = cpu_to_be32(flags);
	return tandem_send_packet(pd->connection, TANDEM_STREAM_CONTROL,
				  TP_OV_REPLY, pd->device->volume, &a,
				  sizeof(a), NULL, 0);
}

static bool ov_connected(struct tandem_peer_device *pd)
{
	return READ_ONCE(pd->connection->cstate) == TANDEM_CS_CONNECTED;
}

/* Compare one range with the peer's digests; the mask of blocks differing. */
static int ov_compare(struct tandem_peer_device *pd, sector_t sector,
		      u32 size, const u8 *theirs, u32 *mismatch)
{
	struct tandem_device *d = pd->device;
	unsigned int nr = size / TANDEM_BM_BLOCK_BYTES, i;
	unsigned int ds = crypto_shash_digestsize(pd->ov_peer_tfm);
	struct page *pages[TANDEM_OV_MAX_BLOCKS];
	struct tandem_interval iv = { .sector = sector, .size = size };
	u8 *mine;
	int err;

	mine = kmalloc(nr * ds, GFP_NOIO);
	if (!mine)
		return -ENOMEM;
	err = ov_alloc_pages(pages, nr);
	if (err)
		goto out_free_mine;
	/* Writes of this range that came before are on our disk first. */
	tandem_peer_writes_wait(d, &iv);
	/* (a local write may wait for the peer: give up when it is gone) */
	err = ov_claim(pd, &iv, ov_connected);
	if (!err) {
		err = ov_read(d, sector, size, pages);
		tandem_interval_end(d, &iv);
	}
	if (!err)
		err = ov_digests(pd->ov_peer_tfm, pages, nr, mine);
	ov_free_pages(pages, nr);
	*mismatch = 0;
	for (i = 0; !err && i < nr; i++)
		if (memcmp(mine + i * ds, theirs + i * ds, ds))
			*mismatch |= 1U << i;
out_free_mine:
	kfree(mine);
	return err;
}

/**
 * tandem_verify_receive() - TP_OV_REQ arrived (DATA stream, receiver)
 * @pd: peer device
 * @p: its body
 * @digests: the digests after it (size / 4 KiB of digest_size bytes)
 *
 * The caller checked the range and the digest size against the body.
 * Return: 0, or an error that breaks the connection.
 */
int tandem_verify_receive(struct tandem_peer_device *pd,
			  const struct tandem_p_ov_req *p, const u8 *digests)
{
	struct tandem_device *d = pd->device;
	struct tandem_resource *r = d->resource;
	u32 flags = be32_to_cpu(p->flags);
	sector_t sector = be64_to_cpu(p->sector);
	u32 size = be32_to_cpu(p->size), mismatch;
	char alg[sizeof(p->alg) + 1];
	struct crypto_shash *tfm;
	int err;

	if (flags & TANDEM_OV_START) {
		memcpy(alg, p->alg, sizeof(p->alg));
		alg[sizeof(p->alg)] = '\0';
		tfm = ov_alloc_tfm(alg);
		if (IS_ERR(tfm)) {
			pr_err("%s/%u peer %u: online verify with '%s' refused: not a hash this kernel offers\n",
			       r->name, d->volume,
			       pd->connection->peer_node_id, alg);
			return 0;	/* the requests get FAILED replies */
		}
		if (!d->backing || !tandem_cas_repl_state(pd,
				TANDEM_RS_ESTABLISHED, TANDEM_RS_VERIFY_T)) {
			crypto_free_shash(tfm);
			pr_warn("%s/%u peer %u: online verify refused: replication is %s\n",
				r->name, d->volume,
				pd->connection->peer_node_id,
				tandem_repl_state_name(READ_ONCE(pd->repl)));
			return 0;
		}
		ov_free(&pd->ov_peer_tfm);
		pd->ov_peer_tfm = tfm;
		ov_begin(pd, sector, be64_to_cpu(p->end_sect));
		pr_info("%s/%u peer %u: online verify started by the peer (%s) at sector %llu\n",
			r->name, d->volume, pd->connection->peer_node_id, alg,
			(unsigned long long)sector);
		return tandem_send_state(pd);
	}
	if (flags & TANDEM_OV_LAST) {
		if (READ_ONCE(pd->repl) != TANDEM_RS_VERIFY_T)
			return 0;
		ov_report(pd, "done");
		tandem_bm_write(pd);
		ov_free(&pd->ov_peer_tfm);
		tandem_set_repl_state(pd, TANDEM_RS_ESTABLISHED);
		return tandem_send_state(pd);
	}
	if (READ_ONCE(pd->repl) != TANDEM_RS_VERIFY_T || !pd->ov_peer_tfm ||
	    !d->backing || crypto_shash_digestsize(pd->ov_peer_tfm) !=
	    be32_to_cpu(p->digest_size))
		return ov_reply(pd, sector, size, 0, TANDEM_OV_FAILED);
	err = ov_compare(pd, sector, size, digests, &mismatch);
	if (err) {
		pr_err("%s/%u peer %u: online verify: reading sector %llu failed (%d)\n",
		       r->name, d->volume, pd->connection->peer_node_id,
		       (unsigned long long)sector, err);
		return ov_reply(pd, sector, size, 0, TANDEM_OV_FAILED);
	}
	/* the source's TP_OV_RESULT says which of them to mark */
	WRITE_ONCE(pd->ov_done, pd->ov_done + (size >> 9));
	return ov_reply(pd, sector, size, mismatch, 0);
}

/**
 * tandem_verify_result() - TP_OV_RESULT arrived (DATA stream, receiver)
 * @pd: peer device
 * @p: the source's verdict on one range it sent us
 *
 * The caller checked the range. Marks, counts and logs the blocks the
 * source found differing.
 * Return: 0.
 */
int tandem_verify_result(struct tandem_peer_device *pd,
			 const struct tandem_p_ov_reply *p)
{
	if (READ_ONCE(pd->repl) != TANDEM_RS_VERIFY_T)
		return 0;	/* (a verify we stopped: LAST follows) */
	ov_found(pd, be64_to_cpu(p->sector), be32_to_cpu(p->mismatch),
		 be32_to_cpu(p->size) / TANDEM_BM_BLOCK_BYTES);
	return 0;
}
