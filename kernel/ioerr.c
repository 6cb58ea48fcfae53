// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - what a failing backing disk does (the on-io-error policy).
 *
 * A read or write error of the data area, or any error writing the
 * metadata (superblock, activity log, bitmaps), is reported here from
 * the completion that saw it:
 *
 *   detach               the disk goes Failed at once: no new request
 *                        uses it, the peers are told, and the failure
 *                        worker detaches it (Diskless). The request that
 *                        failed is completed through the peers where it
 *                        can be: a write the protocol says a peer has is
 *                        a success, a read is read again from a peer.
 *   call-local-io-error  the same, after running the local-io-error
 *                        handler.
 *   pass_on              data errors only: the error reaches the
 *                        application (or the writing peer) for the
 *                        failed request, its blocks are marked out of
 *                        sync, and the disk is no longer UpToDate.
 *                        Metadata errors always detach.
 *
 * While the disk is Failed or gone, a Primary goes on through its peers
 * (kernel/req.c, kernel/rread.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>

#include "tandem_int.h"

static const char *const io_kind_names[] = {
	[TANDEM_IO_READ]	= "read",
	[TANDEM_IO_WRITE]	= "write",
	[TANDEM_IO_META]	= "metadata write",
	[TANDEM_IO_TIMEOUT]	= "I/O timeout (disk-timeout)",
};

/**
 * tandem_disk_error() - the backing disk failed an I/O
 * @d: the device
 * @kind: enum tandem_io_kind
 * @sector: first sector of the failed request (data), or the metadata
 *          offset in sectors
 * @err: the negative errno
 *
 * Context: any (bio completions call it). Return: true when the error
 * is handled by the disk's detach (the caller completes the request
 * through the peers if it can), false when it is passed on to the
 * request's owner (pass_on, data errors only).
 */
bool tandem_disk_error(struct tandem_device *d, enum tandem_io_kind kind,
		       sector_t sector, int err)
{
	struct tandem_resource *r = d->resource;
	u32 policy = READ_ONCE(d->opts.on_io_error);
	bool detach = kind == TANDEM_IO_META || kind == TANDEM_IO_TIMEOUT ||
		      policy != TANDEM_IOERR_PASS_ON;
	unsigned long flags;
	bool first = false;

	pr_err_ratelimited("%s/%u minor %u: local %s error %d at sector %llu (on-io-error %s)\n",
			   r->name, d->volume, d->minor, io_kind_names[kind],
			   err, (unsigned long long)sector,
			   detach ? (policy == TANDEM_IOERR_CALL_HANDLER ?
				     "call-local-io-error" : "detach") :
			   "pass_on");
	spin_lock_irqsave(&r->lock, flags);
	if (!detach) {
		d->io_errors++;
	} else if (d->backing && d->disk_state != TANDEM_DS_FAILED &&
		   d->disk_state != TANDEM_DS_DETACHING &&
		   d->disk_state != TANDEM_DS_DISKLESS) {
		d->fail_from = d->disk_state;
		d->disk_state = TANDEM_DS_FAILED;
		first = true;
	}
	spin_unlock_irqrestore(&r->lock, flags);
	if (first)
		queue_work(system_long_wq, &d->fail_work);
	else if (!detach)
		queue_work(system_long_wq, &d->pass_on_work);
	return detach;
}

/*
 * The worker needs the configuration lock (attach, detach and down take
 * it too); a device being destroyed sets @dying and cancels the work,
 * which must not wait for the lock that the destroyer holds.
 */
static bool lock_cfg_or_dying(struct tandem_device *d)
{
	while (!mutex_trylock(&tandem_cfg_mutex)) {
		if (READ_ONCE(d->dying))
			return false;
		msleep(5);
	}
	if (READ_ONCE(d->dying)) {
		mutex_unlock(&tandem_cfg_mutex);
		return false;
	}
	return true;
}

/* Tell every connected peer our disk state now. */
static void send_state_to_peers(struct tandem_device *d)
{
	struct tandem_peer_device *pd;

	list_for_each_entry(pd, &d->peer_devices, dev_list)
		if (READ_ONCE(pd->connection->cstate) == TANDEM_CS_CONNECTED)
			tandem_send_state(pd);
}

static void fail_work_fn(struct work_struct *work)
{
	struct tandem_device *d = container_of(work, struct tandem_device,
					       fail_work);
	struct tandem_resource *r = d->resource;

	/* First the news: the peers stop counting on our disk at once. */
	pr_info("%s/%u minor %u: disk( %s -> Failed )\n", r->name, d->volume,
		d->minor, tandem_disk_state_name(d->fail_from));
	tandem_nl_notify_device(d, TANDEM_EV_CHANGE);
	tandem_state_changed(r);
	if (!lock_cfg_or_dying(d))
		return;
	if (d->disk_state != TANDEM_DS_FAILED || !d->backing)
		goto out_unlock;
	send_state_to_peers(d);
	if (READ_ONCE(d->opts.on_io_error) == TANDEM_IOERR_CALL_HANDLER)
		tandem_call_helper(r, NULL, d, "local-io-error", true);
	mutex_unlock(&tandem_cfg_mutex);
	/*
	 * What the disk still holds (a disk-timeout) comes back first, and
	 * not under the lock: the administrator may go on meanwhile.
	 */
	while (atomic_read(&d->local_pending) && !READ_ONCE(d->dying))
		msleep(20);
	if (!lock_cfg_or_dying(d))
		return;
	if (d->disk_state == TANDEM_DS_FAILED && d->backing) {
		tandem_detach_failed(d);
		tandem_check_good_data(d);
	}
out_unlock:
	mutex_unlock(&tandem_cfg_mutex);
}

/*
 * pass_on: the failed request got its error and its blocks are marked
 * out of sync. The disk is no longer UpToDate for them: with an UpToDate
 * peer connected, it becomes that peer's bitmap sync target at once (a
 * Primary too: reads of the marked blocks are served by the peer
 * meanwhile). A block the disk still cannot write stays marked and is
 * tried again until the disk takes it. Without such a peer the disk
 * stays as it is, and the bits wait for the next resync.
 */
static void pass_on_work_fn(struct work_struct *work)
{
	struct tandem_device *d = container_of(work, struct tandem_device,
					       pass_on_work);

	if (!lock_cfg_or_dying(d))
		return;
	if (d->backing)
		tandem_pass_on_repair(d);
	mutex_unlock(&tandem_cfg_mutex);
}

void tandem_pass_on_repair(struct tandem_device *d)
{
	struct tandem_resource *r = d->resource;
	struct tandem_peer_device *pd;

	lockdep_assert_held(&tandem_cfg_mutex);
	list_for_each_entry(pd, &d->peer_devices, dev_list) {
		if (READ_ONCE(pd->connection->cstate) != TANDEM_CS_CONNECTED ||
		    READ_ONCE(pd->repl) != TANDEM_RS_ESTABLISHED ||
		    pd->peer_disk != TANDEM_DS_UPTODATE ||
		    !(pd->connection->features & TANDEM_FF_DISKLESS) ||
		    !READ_ONCE(pd->oos_bits))
			continue;
		pr_info("%s/%u peer %u: %llu KiB lost to I/O errors (pass_on): bitmap resync from the peer\n",
			r->name, d->volume, pd->connection->peer_node_id,
			READ_ONCE(pd->oos_bits) * 4);
		tandem_start_bitmap_resync(pd);
		return;	/* one source is enough */
	}
}

/*
 * disk-timeout: every 100 ms, has the disk completed anything since the
 * last look while I/O is in flight? Nothing for disk-timeout: it is
 * Failed, whatever on-io-error says (there is no error to pass on). The
 * requests it holds complete when it gives them back (or fails them);
 * from now on no new request goes to it, and the peers serve.
 */
static void timeout_work_fn(struct work_struct *work)
{
	struct tandem_device *d = container_of(to_delayed_work(work),
					       struct tandem_device,
					       timeout_work);
	u32 limit_ms = READ_ONCE(d->opts.disk_timeout) * 100;
	int done = atomic_read(&d->disk_done);

	if (!limit_ms || !READ_ONCE(d->backing) || READ_ONCE(d->dying) ||
	    READ_ONCE(d->disk_state) == TANDEM_DS_FAILED)
		return;
	if (atomic_read(&d->disk_inflight) && done == d->last_done)
		d->stall_ms += 100;
	else
		d->stall_ms = 0;
	d->last_done = done;
	if (d->stall_ms >= limit_ms) {
		tandem_disk_error(d, TANDEM_IO_TIMEOUT, 0, -ETIMEDOUT);
		return;
	}
	queue_delayed_work(system_long_wq, &d->timeout_work, HZ / 10);
}

/**
 * tandem_disk_timeout_start() - watch the disk, if disk-timeout is set
 * @d: an attached device (after attach, or a disk-options change)
 */
void tandem_disk_timeout_start(struct tandem_device *d)
{
	d->stall_ms = 0;
	d->last_done = atomic_read(&d->disk_done);
	if (READ_ONCE(d->opts.disk_timeout) && d->backing)
		mod_delayed_work(system_long_wq, &d->timeout_work, HZ / 10);
}

void tandem_ioerr_init(struct tandem_device *d)
{
	INIT_WORK(&d->fail_work, fail_work_fn);
	INIT_WORK(&d->pass_on_work, pass_on_work_fn);
	INIT_DELAYED_WORK(&d->timeout_work, timeout_work_fn);
}

/**
 * tandem_ioerr_stop() - the device goes away: no failure work after this
 * @d: the device
 *
 * Context: tandem_cfg_mutex held.
 */
void tandem_ioerr_stop(struct tandem_device *d)
{
	lockdep_assert_held(&tandem_cfg_mutex);
	WRITE_ONCE(d->dying, true);
	cancel_delayed_work_sync(&d->timeout_work);
	cancel_work_sync(&d->fail_work);
	cancel_work_sync(&d->pass_on_work);
}

/**
 * tandem_good_data_reachable() - may this node's I/O be served at all
 * @d: the device
 *
 * Return: true if the local disk is UpToDate or a connected peer's is.
 * Context: resource->lock held.
 */
bool tandem_good_data_reachable(struct tandem_device *d)
{
	lockdep_assert_held(&d->resource->lock);
	return (d->backing && d->disk_state == TANDEM_DS_UPTODATE) ||
	       tandem_read_peer(d);
}

/**
 * tandem_check_good_data() - a Primary lost its last good copy: say so
 * @d: the device, after its disk or a peer's disk went away
 *
 * Runs the pri-on-incon-degr handler when the node is Primary and neither
 * its disk nor a connected peer's disk is UpToDate any more.
 *
 * Context: process context.
 */
void tandem_check_good_data(struct tandem_device *d)
{
	struct tandem_resource *r = d->resource;
	bool lost;

	spin_lock_irq(&r->lock);
	lost = r->role == TANDEM_ROLE_PRIMARY &&
	       !tandem_good_data_reachable(d);
	spin_unlock_irq(&r->lock);
	if (!lost)
		return;
	pr_err("%s/%u minor %u: Primary without good data: neither the local disk nor a peer's is UpToDate\n",
	       r->name, d->volume, d->minor);
	tandem_call_helper(r, NULL, d, "pri-on-incon-degr", false);
}
