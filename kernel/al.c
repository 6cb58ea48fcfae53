// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - the activity log (AL) of a device.
 *
 * The AL is a table of al-extents slots, each naming a 4 MiB extent of
 * the data area, kept in least-recently-used order. A write may only
 * reach the backing device while every extent it touches is in the
 * table and the transaction that put it there is on disk. A write to a
 * cold extent is handed to the AL worker, which (after writing back the
 * bitmaps if it has to evict an extent) writes one transaction and then
 * starts the write. An extent is in use from the start of a write until
 * the request is freed, i.e. until every peer either has the write
 * stably (barrier acknowledged) or it was marked out of sync: only then
 * may its extent leave the AL, after the bitmap blocks are on disk.
 *
 * On attach after a crash (the superblock lacks TANDEM_MDF_AL_CLEAN) the
 * ring is replayed and the extents it names are marked out of sync in
 * every bitmap slot in use; then the ring is rewritten empty. A clean
 * detach writes every bitmap block and sets TANDEM_MDF_AL_CLEAN.
 *
 * The transaction format and the replay are pure logic in kernel/lib/al.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/hash.h>
#include <linux/hashtable.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "tandem_int.h"
#include "lib/al.h"

#define AL_EXTENT_SHIFT	(ilog2(TANDEM_AL_EXTENT_BYTES) - 9)	/* sectors */

/**
 * struct tandem_al_slot - one entry of the AL table
 * @hash: on the AL's hash chain of @extent
 * @lru: on the AL's LRU list, most recently used first
 * @extent: extent number, TANDEM_AL_NO_EXTENT if free
 * @refs: requests using the extent
 * @committed: the transaction naming @extent is on disk
 */
struct tandem_al_slot {
	struct hlist_node hash;
	struct list_head lru;
	u32 extent;
	u32 refs;
	bool committed;
};

static struct workqueue_struct *tandem_al_wq;

static u32 extent_hash(u32 extent)
{
	return hash_32(extent, TANDEM_AL_HASH_BITS);
}

static struct tandem_al_slot *al_lookup(struct tandem_al *al, u32 extent)
{
	struct tandem_al_slot *s;

	lockdep_assert_held(&al->lock);
	hlist_for_each_entry(s, &al->hash[extent_hash(extent)], hash)
		if (s->extent == extent)
			return s;
	return NULL;
}

static void extent_range(const struct tandem_interval *iv, u32 *first,
			 u32 *last)
{
	*first = iv->sector >> AL_EXTENT_SHIFT;
	*last = (iv->sector + (iv->size >> 9) - 1) >> AL_EXTENT_SHIFT;
}

/**
 * tandem_al_begin() - take the AL extents of a write, if they are hot
 * @d: the device
 * @req: a write with data
 *
 * Context: any. Return: true if the request holds its extents now; false
 * if a transaction is needed first (tandem_al_queue() it).
 */
bool tandem_al_begin(struct tandem_device *d, struct tandem_request *req)
{
	struct tandem_al *al = &d->al;
	struct tandem_al_slot *s;
	unsigned long flags;
	u32 e, first, last;
	bool hot = true;

	extent_range(&req->iv, &first, &last);
	spin_lock_irqsave(&al->lock, flags);
	if (!al->slots) {		/* not attached: nothing to log */
		spin_unlock_irqrestore(&al->lock, flags);
		return true;
	}
	for (e = first; e <= last && hot; e++) {
		s = al_lookup(al, e);
		hot = s && s->committed;
	}
	if (hot) {
		for (e = first; e <= last; e++) {
			s = al_lookup(al, e);
			if (!s->refs++)
				al->used++;
			list_move(&s->lru, &al->lru);
		}
		req->al_gen = al->gen;
		req->flags |= TR_AL;
	}
	spin_unlock_irqrestore(&al->lock, flags);
	return hot;
}

/**
 * tandem_al_complete() - a request no longer needs its extents
 * @d: the device
 * @req: a request that took them (TR_AL)
 *
 * Context: any.
 */
void tandem_al_complete(struct tandem_device *d, struct tandem_request *req)
{
	struct tandem_al *al = &d->al;
	struct tandem_al_slot *s;
	unsigned long flags;
	u32 e, first, last;
	bool wake = false;

	if (!(req->flags & TR_AL))
		return;
	extent_range(&req->iv, &first, &last);
	spin_lock_irqsave(&al->lock, flags);
	/* After a detach (and maybe a new attach) these refs are gone. */
	if (al->slots && req->al_gen == al->gen) {
		for (e = first; e <= last; e++) {
			s = al_lookup(al, e);
			if (WARN_ON_ONCE(!s || !s->refs))
				continue;
			if (!--s->refs) {
				al->used--;
				wake = true;
			}
		}
	}
	spin_unlock_irqrestore(&al->lock, flags);
	if (wake)
		wake_up_all(&al->wait);
}

/* Write the transaction block @seq. Caller holds the md_io_mutex. */
static int al_write_tr(struct tandem_device *d, struct tandem_al_update *upd,
		       u32 n_upd)
{
	struct tandem_al *al = &d->al;
	u64 off = d->md.layout.md_offset + d->md.info.al_offset_sect * 512;
	int next, err;

	lockdep_assert_held(&d->md_io_mutex);
	next = tandem_al_encode(page_address(al->page), al->seq + 1, al->table,
				al->nr, upd, n_upd, al->ctx_next);
	if (WARN_ON_ONCE(next < 0))
		return -EINVAL;
	off += (u64)(al->seq % TANDEM_AL_BLOCKS) * TANDEM_AL_BLOCK_BYTES;
	err = tandem_md_io(d, off, al->page, REQ_OP_WRITE | REQ_SYNC |
			   REQ_FUA);
	if (err)
		return err;
	al->seq++;
	al->ctx_next = next;
	atomic_inc(&d->al_writes);
	return 0;
}

/*
 * Make every extent of @req hot and committed, taking a reference on
 * each. AL worker only: the only place that adds extents.
 */
static int al_activate(struct tandem_device *d, struct tandem_request *req)
{
	struct tandem_al *al = &d->al;
	struct tandem_al_update upd[2];
	struct tandem_al_slot *s, *victim;
	u32 e, first, last, n_upd = 0, evicted = 0;
	int err = 0;

	extent_range(&req->iv, &first, &last);
	if (WARN_ON_ONCE(last - first >= ARRAY_SIZE(upd)))
		return -EINVAL;
	for (e = first; e <= last; e++) {
		spin_lock_irq(&al->lock);
		for (;;) {
			if (!al->slots) {
				spin_unlock_irq(&al->lock);
				return -ENODEV;
			}
			victim = NULL;
			s = al_lookup(al, e);
			if (s)
				break;
			list_for_each_entry_reverse(s, &al->lru, lru) {
				if (!s->refs) {
					victim = s;
					break;
				}
			}
			if (victim)
				break;
			spin_unlock_irq(&al->lock);
			/* Every slot busy: wait for a write to finish. */
			wait_event(al->wait, READ_ONCE(al->used) < al->nr ||
				   !READ_ONCE(al->slots));
			spin_lock_irq(&al->lock);
		}
		if (victim) {
			s = victim;
			if (s->extent != TANDEM_AL_NO_EXTENT) {
				hash_del(&s->hash);
				evicted++;
			}
			s->extent = e;
			s->committed = false;
			hlist_add_head(&s->hash, &al->hash[extent_hash(e)]);
			al->table[s - al->slots] = e;
			upd[n_upd].slot = s - al->slots;
			upd[n_upd].extent = e;
			n_upd++;
		}
		if (!s->refs++)
			al->used++;
		list_move(&s->lru, &al->lru);
		spin_unlock_irq(&al->lock);
	}
	req->al_gen = al->gen;
	req->flags |= TR_AL;
	if (!n_upd)
		return 0;

	/*
	 * An evicted extent had no write in use: its out-of-sync bits are in
	 * memory and must be on disk before the AL stops naming it.
	 */
	if (evicted)
		err = tandem_bm_write_all(d, false);
	mutex_lock(&d->md_io_mutex);
	if (!err)
		err = al_write_tr(d, upd, n_upd);
	mutex_unlock(&d->md_io_mutex);
	if (err) {
		/* Not on disk: the extents stay uncommitted, the disk goes. */
		tandem_disk_error(d, TANDEM_IO_META,
				  (d->md.layout.md_offset >> 9) +
				  d->md.info.al_offset_sect, err);
		return err;
	}
	spin_lock_irq(&al->lock);
	for (e = first; e <= last; e++) {
		s = al_lookup(al, e);
		if (s)
			s->committed = true;
	}
	spin_unlock_irq(&al->lock);
	return 0;
}

static void al_work(struct work_struct *work)
{
	struct tandem_device *d = container_of(work, struct tandem_device,
					       al.work);
	struct tandem_al *al = &d->al;
	struct tandem_request *req;

	for (;;) {
		spin_lock_irq(&al->lock);
		req = list_first_entry_or_null(&al->queued,
					       struct tandem_request, al_list);
		if (req)
			list_del_init(&req->al_list);
		spin_unlock_irq(&al->lock);
		if (!req)
			return;
		/*
		 * A write whose activity-log record is not on disk never
		 * reaches the local disk: only the peers get it (and track
		 * it for us); with none it fails.
		 */
		if ((req->flags & TR_LOCAL) && req->iv.size &&
		    al_activate(d, req))
			tandem_req_drop_local(req);
		tandem_req_start_now(req);
	}
}

/**
 * tandem_al_queue() - start a write once its extents are in the AL
 * @d: the device
 * @req: a write for which tandem_al_begin() failed
 *
 * Context: any.
 */
void tandem_al_queue(struct tandem_device *d, struct tandem_request *req)
{
	struct tandem_al *al = &d->al;
	unsigned long flags;

	spin_lock_irqsave(&al->lock, flags);
	list_add_tail(&req->al_list, &al->queued);
	spin_unlock_irqrestore(&al->lock, flags);
	queue_work(tandem_al_wq, &al->work);
}

void tandem_al_init(struct tandem_device *d)
{
	struct tandem_al *al = &d->al;

	spin_lock_init(&al->lock);
	INIT_LIST_HEAD(&al->lru);
	INIT_LIST_HEAD(&al->queued);
	INIT_WORK(&al->work, al_work);
	init_waitqueue_head(&al->wait);
	hash_init(al->hash);
}

/*
 * Mark the extents of a replayed AL out of sync in every bitmap slot in
 * use, on disk. Called on attach, before the bitmaps are loaded.
 */
static int al_mark_slots(struct tandem_device *d, const u32 *table, u32 nr)
{
	const struct tandem_md_info *md = &d->md.info;
	u64 bits = DIV_ROUND_UP(md->data_sect, TANDEM_BM_BLOCK_BYTES >> 9);
	u64 pages = DIV_ROUND_UP(bits, TANDEM_BM_BLOCK_BYTES * 8), p, marked;
	unsigned long *touched;
	struct page *page;
	u32 i, k;
	int err = 0;

	touched = bitmap_zalloc(pages, GFP_KERNEL);
	page = alloc_page(GFP_KERNEL);
	if (!touched || !page) {
		err = -ENOMEM;
		goto out_free;
	}
	for (k = 0; k < nr; k++) {
		u64 pg = (u64)table[k] * TANDEM_AL_BITS_PER_EXTENT /
			 (TANDEM_BM_BLOCK_BYTES * 8);

		if (table[k] != TANDEM_AL_NO_EXTENT && pg < pages)
			__set_bit(pg, touched);
	}
	for (i = 0; i < md->max_peers && i < TANDEM_MD_MAX_PEERS; i++) {
		if (md->peers[i].node_id == TANDEM_MD_NO_NODE)
			continue;
		marked = 0;
		for_each_set_bit(p, touched, pages) {
			u64 off = d->md.layout.md_offset +
				  (md->bm_offset_sect + i * md->bm_slot_sect) *
				  512 + p * TANDEM_BM_BLOCK_BYTES;
			u64 first_bit = p * TANDEM_BM_BLOCK_BYTES * 8;
			u64 in_page = min_t(u64, bits - first_bit,
					    TANDEM_BM_BLOCK_BYTES * 8);

			err = tandem_md_io(d, off, page, REQ_OP_READ | REQ_SYNC);
			if (err)
				goto out_free;
			for (k = 0; k < nr; k++) {
				u64 e = table[k];

				if (table[k] == TANDEM_AL_NO_EXTENT ||
				    e * TANDEM_AL_BITS_PER_EXTENT / (TANDEM_BM_BLOCK_BYTES * 8) != p)
					continue;
				marked += tandem_al_mark_extent(page_address(page),
					in_page, e - p * (TANDEM_BM_BLOCK_BYTES * 8 /
							  TANDEM_AL_BITS_PER_EXTENT));
			}
			err = tandem_md_io(d, off, page, REQ_OP_WRITE | REQ_SYNC |
					   REQ_FUA);
			if (err)
				goto out_free;
		}
		pr_info("%s/%u: activity log: %llu KiB newly out of sync towards peer %u\n",
			d->resource->name, d->volume, marked * 4,
			md->peers[i].node_id);
	}
out_free:
	if (page)
		__free_page(page);
	bitmap_free(touched);
	return err;
}

/**
 * tandem_al_attach() - replay the AL if needed and start an empty one
 * @d: a device whose metadata (d->md) was just read, bitmaps not loaded
 *
 * Context: process context, tandem_cfg_mutex held. Return: 0 or a
 * negative errno (the attach fails: data could be lost otherwise).
 */
int tandem_al_attach(struct tandem_device *d)
{
	struct tandem_al *al = &d->al;
	struct tandem_al_replay rp;
	u64 off = d->md.layout.md_offset + d->md.info.al_offset_sect * 512;
	u32 nr = clamp_t(u32, d->opts.al_extents, TANDEM_AL_EXTENTS_MIN,
			 TANDEM_AL_EXTENTS_MAX);
	struct tandem_al_slot *slots;
	unsigned char *ring;
	struct page *page;
	u32 *table, i;
	int err;

	lockdep_assert_held(&tandem_cfg_mutex);
	ring = kvmalloc(TANDEM_AL_BYTES, GFP_KERNEL);
	table = kvmalloc_array(TANDEM_AL_EXTENTS_MAX, sizeof(u32), GFP_KERNEL);
	slots = kvcalloc(nr, sizeof(*slots), GFP_KERNEL);
	page = alloc_page(GFP_KERNEL);
	err = -ENOMEM;
	if (!ring || !table || !slots || !page)
		goto out_free;

	for (i = 0; i < TANDEM_AL_BLOCKS; i++) {
		err = tandem_md_io(d, off + i * TANDEM_AL_BLOCK_BYTES, page,
				   REQ_OP_READ | REQ_SYNC);
		if (err)
			goto out_free;
		memcpy(ring + i * TANDEM_AL_BLOCK_BYTES, page_address(page),
		       TANDEM_AL_BLOCK_BYTES);
	}
	tandem_al_replay(ring, table, &rp);
	if (!(d->md.info.flags & TANDEM_MDF_AL_CLEAN)) {
		pr_info("%s/%u: replaying the activity log: %u transactions, %u active extents\n",
			d->resource->name, d->volume, rp.valid, rp.active);
		err = al_mark_slots(d, table, rp.nr_slots);
		if (err) {
			pr_err("%s/%u: applying the activity log failed (%d)\n",
			       d->resource->name, d->volume, err);
			goto out_free;
		}
	}

	/* A fresh, empty table; every ring block rewritten to say so. */
	for (i = 0; i < nr; i++) {
		slots[i].extent = TANDEM_AL_NO_EXTENT;
		table[i] = TANDEM_AL_NO_EXTENT;
	}
	spin_lock_irq(&al->lock);
	al->slots = slots;
	al->table = table;
	al->nr = nr;
	al->used = 0;
	al->gen++;
	al->seq = rp.max_seq;
	al->ctx_next = 0;
	al->page = page;
	hash_init(al->hash);
	INIT_LIST_HEAD(&al->lru);
	for (i = 0; i < nr; i++) {
		INIT_HLIST_NODE(&slots[i].hash);
		list_add_tail(&slots[i].lru, &al->lru);
	}
	spin_unlock_irq(&al->lock);
	mutex_lock(&d->md_io_mutex);
	for (i = 0; i < TANDEM_AL_BLOCKS && !err; i++)
		err = al_write_tr(d, NULL, 0);
	mutex_unlock(&d->md_io_mutex);
	kvfree(ring);
	if (err) {
		pr_err("%s/%u: writing the activity log failed (%d)\n",
		       d->resource->name, d->volume, err);
		tandem_al_detach(d);
		return err;
	}
	d->md.info.flags &= ~TANDEM_MDF_AL_CLEAN;
	return 0;

out_free:
	if (page)
		__free_page(page);
	kvfree(slots);
	kvfree(table);
	kvfree(ring);
	return err;
}

/**
 * tandem_al_idle() - no request holds an AL extent
 * @d: the device
 */
bool tandem_al_idle(struct tandem_device *d)
{
	return !READ_ONCE(d->al.used);
}

/**
 * tandem_al_detach() - drop the AL table (the disk is going away)
 * @d: the device
 */
void tandem_al_detach(struct tandem_device *d)
{
	struct tandem_al *al = &d->al;
	struct tandem_al_slot *slots;
	struct page *page;
	u32 *table;

	flush_work(&al->work);
	spin_lock_irq(&al->lock);
	slots = al->slots;
	table = al->table;
	page = al->page;
	al->slots = NULL;
	al->table = NULL;
	al->page = NULL;
	al->nr = 0;
	al->used = 0;
	hash_init(al->hash);
	INIT_LIST_HEAD(&al->lru);
	spin_unlock_irq(&al->lock);
	wake_up_all(&al->wait);
	kvfree(slots);
	kvfree(table);
	if (page)
		__free_page(page);
}

int tandem_al_wq_init(void)
{
	tandem_al_wq = alloc_workqueue("tandem_al", WQ_MEM_RECLAIM, 0);
	return tandem_al_wq ? 0 : -ENOMEM;
}

void tandem_al_wq_exit(void)
{
	destroy_workqueue(tandem_al_wq);
}

/**
 * tandem_al_rewrite_locked() - write the whole ring at the AL's place
 * @d: an attached device whose AL moved (online resize)
 *
 * Eight transactions without updates: their context windows together
 * name every slot of the table, so a replay of the new ring finds the
 * active set as it is now.
 *
 * Context: process context, md_io_mutex held. Return: 0 or an errno.
 */
int tandem_al_rewrite_locked(struct tandem_device *d)
{
	int i, err = 0;

	lockdep_assert_held(&d->md_io_mutex);
	if (!d->al.page)
		return 0;
	for (i = 0; i < TANDEM_AL_BLOCKS && !err; i++)
		err = al_write_tr(d, NULL, 0);
	return err;
}
