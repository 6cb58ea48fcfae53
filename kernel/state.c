// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - the state module: every change of role, disk, connection and
 * replication state goes through here, where the rules are checked and
 * the change is announced (log line, netlink event, waiters woken).
 *
 * Rules enforced:
 *  - never two Primaries unless allow-two-primaries: a promotion asks
 *    every connected peer first (TP_ROLE_REQ), the peer refuses while it
 *    is Primary itself;
 *  - never Primary without an UpToDate local disk unless forced; a forced
 *    promotion makes the disk UpToDate and starts a new data generation;
 *  - never Secondary while the device is open for writing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/random.h>
#include <linux/umh.h>

#include "tandem_int.h"

void tandem_state_changed(struct tandem_resource *r)
{
	wake_up_all(&r->state_wait);
}

void tandem_set_cstate(struct tandem_connection *c, enum tandem_conn_state cs)
{
	struct tandem_resource *r = c->resource;
	enum tandem_conn_state old;
	unsigned long flags;

	spin_lock_irqsave(&r->lock, flags);
	old = c->cstate;
	c->cstate = cs;
	if (cs != TANDEM_CS_CONNECTED)
		c->peer_role = TANDEM_ROLE_UNKNOWN;
	spin_unlock_irqrestore(&r->lock, flags);
	if (old == cs)
		return;
	pr_info("%s peer %u: conn( %s -> %s )\n", r->name, c->peer_node_id,
		tandem_conn_state_name(old), tandem_conn_state_name(cs));
	tandem_nl_notify_connection(c, TANDEM_EV_CHANGE);
	tandem_state_changed(r);
}

void tandem_set_disk_state(struct tandem_device *d, enum tandem_disk_state ds)
{
	struct tandem_resource *r = d->resource;
	enum tandem_disk_state old;
	unsigned long flags;

	spin_lock_irqsave(&r->lock, flags);
	old = d->disk_state;
	/* A failed disk only goes away (kernel/ioerr.c detaches it). */
	if (old == TANDEM_DS_FAILED && ds != TANDEM_DS_DETACHING &&
	    ds != TANDEM_DS_DISKLESS) {
		spin_unlock_irqrestore(&r->lock, flags);
		return;
	}
	d->disk_state = ds;
	spin_unlock_irqrestore(&r->lock, flags);
	if (old == ds)
		return;
	pr_info("%s/%u minor %u: disk( %s -> %s )\n", r->name, d->volume,
		d->minor, tandem_disk_state_name(old),
		tandem_disk_state_name(ds));
	tandem_nl_notify_device(d, TANDEM_EV_CHANGE);
	tandem_state_changed(r);
}

void tandem_set_repl_state(struct tandem_peer_device *pd,
			   enum tandem_repl_state rs)
{
	struct tandem_resource *r = pd->device->resource;
	enum tandem_repl_state old;
	unsigned long flags;

	spin_lock_irqsave(&r->lock, flags);
	old = pd->repl;
	pd->repl = rs;
	spin_unlock_irqrestore(&r->lock, flags);
	if (old == rs)
		return;
	pr_info("%s/%u peer %u: repl( %s -> %s )\n", r->name, pd->device->volume,
		pd->connection->peer_node_id, tandem_repl_state_name(old),
		tandem_repl_state_name(rs));
	tandem_nl_notify_peer_device(pd, TANDEM_EV_CHANGE);
	tandem_state_changed(r);
}

/**
 * tandem_cas_repl_state() - change the replication state if it is @old
 * @pd: peer device
 * @old: the state it must still have
 * @rs: the new state
 *
 * Return: true if it was changed.
 */
bool tandem_cas_repl_state(struct tandem_peer_device *pd,
			   enum tandem_repl_state old, enum tandem_repl_state rs)
{
	struct tandem_resource *r = pd->device->resource;
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&r->lock, flags);
	ok = pd->repl == old &&
	     pd->connection->cstate == TANDEM_CS_CONNECTED;
	if (ok)
		pd->repl = rs;
	spin_unlock_irqrestore(&r->lock, flags);
	if (!ok || old == rs)
		return ok;
	pr_info("%s/%u peer %u: repl( %s -> %s )\n", r->name, pd->device->volume,
		pd->connection->peer_node_id, tandem_repl_state_name(old),
		tandem_repl_state_name(rs));
	tandem_nl_notify_peer_device(pd, TANDEM_EV_CHANGE);
	tandem_state_changed(r);
	return true;
}

static bool device_open_rw(struct tandem_resource *r)
{
	struct tandem_device *d;
	int vnr;

	idr_for_each_entry(&r->devices, d, vnr)
		if (d->open_rw)
			return true;
	return false;
}

static int promote_checks(struct tandem_resource *r, bool force,
			  const char **why)
{
	struct tandem_connection *c;
	struct tandem_device *d;
	bool served;
	int vnr;

	if (idr_is_empty(&r->devices)) {
		*why = "resource has no volumes";
		return -EINVAL;
	}
	idr_for_each_entry(&r->devices, d, vnr) {
		switch (d->disk_state) {
		case TANDEM_DS_UPTODATE:
			break;
		case TANDEM_DS_INCONSISTENT:
		case TANDEM_DS_OUTDATED:
		case TANDEM_DS_CONSISTENT:
			if (force)
				break;
			*why = "local disk is not UpToDate (use --force to make it so)";
			return -EINVAL;
		default:
			/* Diskless: the data of an UpToDate peer serves. */
			spin_lock_irq(&r->lock);
			served = tandem_read_peer(d);
			spin_unlock_irq(&r->lock);
			if (served)
				break;
			*why = "no usable local disk and no connected peer with an UpToDate disk";
			return -EINVAL;
		}
	}
	list_for_each_entry(c, &r->connections, list) {
		if (c->cstate == TANDEM_CS_CONNECTED &&
		    c->peer_role == TANDEM_ROLE_PRIMARY &&
		    !c->opts.two_primaries) {
			*why = "peer is Primary and allow-two-primaries is off";
			return -EBUSY;
		}
	}
	return 0;
}

/* ---- generations ---------------------------------------------------- */

/**
 * tandem_md_peer_slot() - the metadata's bitmap slot of a peer
 * @d: an attached device
 * @peer_node_id: the peer
 * @alloc: take a free slot if the peer has none
 *
 * Return: the slot, or NULL (no slot and !@alloc, or all slots taken).
 */
struct tandem_md_peer_info *tandem_md_peer_slot(struct tandem_device *d,
						u32 peer_node_id, bool alloc)
{
	struct tandem_md_info *md = &d->md.info;
	u32 i;

	for (i = 0; i < md->max_peers && i < TANDEM_MD_MAX_PEERS; i++)
		if (md->peers[i].node_id == peer_node_id)
			return &md->peers[i];
	if (!alloc)
		return NULL;
	for (i = 0; i < md->max_peers && i < TANDEM_MD_MAX_PEERS; i++) {
		if (md->peers[i].node_id == TANDEM_MD_NO_NODE) {
			md->peers[i].node_id = peer_node_id;
			md->peers[i].flags = 0;
			md->peers[i].bitmap_uuid = 0;
			return &md->peers[i];
		}
	}
	return NULL;
}

/* Start a new data generation; the old one goes to the history. */
void tandem_new_generation(struct tandem_device *d)
{
	struct tandem_md_info *md = &d->md.info;
	int i;

	for (i = TANDEM_MD_HISTORY - 1; i > 0; i--)
		md->history[i] = md->history[i - 1];
	md->history[0] = md->current_uuid;
	do {
		md->current_uuid = get_random_u64() & ~1ULL;
	} while (!md->current_uuid);
}

static bool peer_connected(struct tandem_resource *r, u32 peer_node_id)
{
	struct tandem_connection *c;

	list_for_each_entry(c, &r->connections, list)
		if (c->peer_node_id == peer_node_id &&
		    READ_ONCE(c->cstate) == TANDEM_CS_CONNECTED)
			return true;
	return false;
}

/**
 * tandem_track_absent_peers() - our data starts to differ from absent peers'
 * @d: an attached, UpToDate device of a Primary
 * @at_loss: called because a peer was lost (we were Primary before the
 *           split: the "older Primary" of after-sb), not on promotion
 *
 * Called when a Primary loses a peer, and when a node becomes Primary.
 * For every peer this volume has ever been connected to (its metadata
 * slot) that is not connected now and has no bitmap generation yet, the
 * current generation becomes that peer's bitmap generation; then one new
 * generation starts. On reconnect, a peer whose current generation equals
 * our bitmap generation needs exactly the blocks in our bitmap; a peer
 * that moved on by itself meanwhile is a split brain.
 */
void tandem_track_absent_peers(struct tandem_device *d, bool at_loss)
{
	struct tandem_md_info *md = &d->md.info;
	bool any = false;
	u32 i;

	if (!d->backing || d->disk_state != TANDEM_DS_UPTODATE)
		return;
	for (i = 0; i < md->max_peers && i < TANDEM_MD_MAX_PEERS; i++) {
		struct tandem_md_peer_info *slot = &md->peers[i];

		if (slot->node_id == TANDEM_MD_NO_NODE || slot->bitmap_uuid ||
		    peer_connected(d->resource, slot->node_id))
			continue;
		slot->bitmap_uuid = md->current_uuid;
		/* Primary already when the peer went: the older Primary. */
		if (at_loss)
			slot->flags |= TANDEM_MDPF_OLDER_PRIMARY;
		else
			slot->flags &= ~TANDEM_MDPF_OLDER_PRIMARY;
		any = true;
	}
	if (!any)
		return;
	tandem_new_generation(d);
	pr_info("%s/%u: new generation %016llx; changes for absent peers tracked from %016llx\n",
		d->resource->name, d->volume, md->current_uuid,
		md->history[0]);
	tandem_md_write(d);
}

/* Remember a peer this volume exchanged state with, in its metadata. */
void tandem_remember_peer(struct tandem_device *d, u32 peer_node_id)
{
	struct tandem_peer_device *pd;

	if (!d->backing || tandem_md_peer_slot(d, peer_node_id, false))
		return;
	if (!tandem_md_peer_slot(d, peer_node_id, true)) {
		pr_warn_ratelimited("%s/%u: no free bitmap slot for peer %u (max-peers %u)\n",
				    d->resource->name, d->volume, peer_node_id,
				    d->md.info.max_peers);
		return;
	}
	/* The slot may hold an earlier peer's bits: ours replace them. */
	list_for_each_entry(pd, &d->peer_devices, dev_list)
		if (pd->connection->peer_node_id == peer_node_id)
			tandem_bm_dirty_all(pd);
	tandem_md_write(d);
}

/**
 * tandem_sync_generation_done() - a resync with a peer completed
 * @pd: the peer device
 * @as_target: we were the target (and now hold the peer's generation)
 */
void tandem_sync_generation_done(struct tandem_peer_device *pd,
				 bool as_target)
{
	struct tandem_device *d = pd->device;
	struct tandem_md_peer_info *slot;

	slot = tandem_md_peer_slot(d, pd->connection->peer_node_id, false);
	if (slot) {
		slot->bitmap_uuid = 0;
		/* What an online verify found is in sync now, too. */
		slot->flags &= ~(TANDEM_MDPF_OLDER_PRIMARY |
				 TANDEM_MDPF_VERIFIED);
	}
	d->md.info.flags &= ~TANDEM_MDF_CRASHED_PRIMARY;
	if (as_target) {
		if (slot)
			slot->sync_uuid = 0;
		d->md.info.current_uuid = pd->peer_uuid;
		d->md.info.flags |= TANDEM_MDF_CONSISTENT |
				    TANDEM_MDF_WAS_UP_TO_DATE;
		d->md.info.flags &= ~TANDEM_MDF_OUTDATED;
	}
	tandem_md_write(d);
}

/**
 * tandem_peer_disk_lost() - a connected peer's disk failed or was detached
 * @pd: the peer device
 *
 * While our UpToDate data changes and the peer's disk does not, the
 * changes are tracked for it: as for an absent peer, the current
 * generation becomes its bitmap generation and a new one starts. When
 * the peer attaches its disk again, the generations call for a bitmap
 * resync from us. Nothing happens when a bitmap generation is already
 * kept for the peer (its changes are being tracked).
 *
 * Context: process context (writes the superblock).
 */
void tandem_peer_disk_lost(struct tandem_peer_device *pd)
{
	struct tandem_device *d = pd->device;
	struct tandem_md_peer_info *slot;

	if (!d->backing || d->disk_state != TANDEM_DS_UPTODATE)
		return;
	slot = tandem_md_peer_slot(d, pd->connection->peer_node_id, false);
	if (!slot || slot->bitmap_uuid)
		return;
	slot->bitmap_uuid = d->md.info.current_uuid;
	slot->flags &= ~TANDEM_MDPF_OLDER_PRIMARY;
	tandem_new_generation(d);
	pr_info("%s/%u: new generation %016llx; changes for peer %u (no disk) tracked from %016llx\n",
		d->resource->name, d->volume, d->md.info.current_uuid,
		pd->connection->peer_node_id, d->md.info.history[0]);
	tandem_md_write(d);
}

/* Demoted cleanly: the metadata no longer says Primary. */
static void forget_primary(struct tandem_resource *r)
{
	struct tandem_device *d;
	int vnr;

	idr_for_each_entry(&r->devices, d, vnr) {
		d->md.info.flags &= ~TANDEM_MDF_PRIMARY_IND;
		if (d->backing)
			tandem_md_write(d);
	}
}

/**
 * tandem_demote_victim() - give up the Primary role to resolve a split brain
 * @r: the resource
 *
 * The after-sb policy picked our data to be discarded while we are
 * Primary. Like "secondary", but from the receiver: the caller goes on to
 * become sync target and tells the peer itself.
 *
 * Return: 0, or -EBUSY if a device is held open for writing or a role
 * change is in progress.
 */
int tandem_demote_victim(struct tandem_resource *r)
{
	struct tandem_device *d;
	int vnr, err = 0;

	/* A role change in progress (it may be our caller): not now. */
	if (!mutex_trylock(&r->promote_mutex))
		return -EBUSY;
	if (r->role != TANDEM_ROLE_PRIMARY)
		goto out_unlock;
	if (device_open_rw(r)) {
		err = -EBUSY;
		goto out_unlock;
	}
	forget_primary(r);
	idr_for_each_entry(&r->devices, d, vnr)
		set_disk_ro(d->disk, true);
	spin_lock_irq(&r->lock);
	r->role = TANDEM_ROLE_SECONDARY;
	spin_unlock_irq(&r->lock);
	pr_info("%s: role( Primary -> Secondary ) (split brain victim)\n",
		r->name);
	tandem_nl_notify_resource(r, TANDEM_EV_CHANGE);
	tandem_state_changed(r);
out_unlock:
	mutex_unlock(&r->promote_mutex);
	return err;
}

static char usermode_helper[128] = "/sbin/tandemadm";
module_param_string(usermode_helper, usermode_helper,
		    sizeof(usermode_helper), 0644);
MODULE_PARM_DESC(usermode_helper,
		 "program called for handlers (default /sbin/tandemadm)");

/**
 * tandem_call_helper() - run a handler: "<usermode_helper> CMD RESOURCE"
 * @r: the resource
 * @c: the connection concerned, or NULL
 * @d: the volume concerned, or NULL
 * @cmd: handler name, e.g. "pri-lost-after-sb"
 * @wait: wait for the program to finish (else only for it to start:
 *        callers that must not block on a handler, e.g. a receiver)
 *
 * The environment carries TANDEM_RESOURCE, TANDEM_MINOR, TANDEM_VOLUME
 * and TANDEM_PEER_NODE_ID (when known).
 *
 * Context: process context. Return: its exit status (>= 0; 0 when not
 * waited for) or a negative errno.
 */
int tandem_call_helper(struct tandem_resource *r, struct tandem_connection *c,
		       struct tandem_device *d, const char *cmd, bool wait)
{
	char res_env[80], minor_env[32], vol_env[32], peer_env[40];
	char path[sizeof(usermode_helper)];
	char *envp[] = { "HOME=/", "TERM=linux",
			 "PATH=/sbin:/usr/sbin:/bin:/usr/bin",
			 res_env, minor_env, vol_env, peer_env, NULL };
	char *argv[] = { path, (char *)cmd, r->name, NULL };
	int ret;

	/* "echo PATH > .../usermode_helper" leaves a newline behind. */
	strscpy(path, usermode_helper, sizeof(path));
	strim(path);
	snprintf(res_env, sizeof(res_env), "TANDEM_RESOURCE=%s", r->name);
	snprintf(minor_env, sizeof(minor_env), "TANDEM_MINOR=%d",
		 d ? (int)d->minor : -1);
	snprintf(vol_env, sizeof(vol_env), "TANDEM_VOLUME=%d",
		 d ? (int)d->volume : -1);
	snprintf(peer_env, sizeof(peer_env), "TANDEM_PEER_NODE_ID=%d",
		 c ? (int)c->peer_node_id : -1);
	pr_info("%s: calling helper %s %s %s\n", r->name, path,
		cmd, r->name);
	ret = call_usermodehelper(path, argv, envp,
				  wait ? UMH_WAIT_PROC : UMH_WAIT_EXEC);
	if (ret < 0)
		pr_warn("%s: helper %s %s failed to run (%d)\n", r->name,
			path, cmd, ret);
	else if (!wait)
		return 0;
	else
		pr_info("%s: helper %s %s exit code %d\n", r->name,
			path, cmd, (ret >> 8) & 0xff);
	return ret < 0 ? ret : (ret >> 8) & 0xff;
}

/*
 * Move our promotion to @stage, unless a peer we let promote has not
 * reported itself Primary yet: two nodes asking at once each get a yes
 * from the other only if neither has answered the other's request.
 */
static int set_promoting(struct tandem_resource *r,
			 enum tandem_promotion stage, const char **why)
{
	struct tandem_connection *c;
	int err = 0;

	spin_lock_irq(&r->lock);
	list_for_each_entry(c, &r->connections, list) {
		if (!c->opts.two_primaries &&
		    tandem_peer_promotion_pending(c)) {
			*why = "peer is becoming Primary and allow-two-primaries is off";
			err = -EBUSY;
		}
	}
	if (!err)
		r->promoting = stage;
	spin_unlock_irq(&r->lock);
	return err;
}

/**
 * tandem_set_role() - promote or demote a resource
 * @r: the resource
 * @role: TANDEM_ROLE_PRIMARY or TANDEM_ROLE_SECONDARY
 * @force: promote even without an UpToDate disk
 * @why: set to the reason on failure
 *
 * Context: process context, tandem_cfg_mutex held.
 * Return: 0 or a negative errno with @why set.
 */
int tandem_set_role(struct tandem_resource *r, enum tandem_role role,
		    bool force, const char **why)
{
	struct tandem_connection *c;
	struct tandem_device *d;
	struct tandem_peer_device *pd;
	int vnr, err = 0;

	lockdep_assert_held(&tandem_cfg_mutex);
	mutex_lock(&r->promote_mutex);
	if (r->role == role)
		goto out_unlock;

	if (role == TANDEM_ROLE_PRIMARY) {
		err = promote_checks(r, force, why);
		if (err)
			goto out_unlock;
		err = set_promoting(r, TANDEM_PROMOTE_ASKING, why);
		if (err)
			goto out_unlock;
		/* Ask every connected peer; one that is Primary refuses. */
		list_for_each_entry(c, &r->connections, list) {
			if (c->cstate != TANDEM_CS_CONNECTED ||
			    c->opts.two_primaries)
				continue;
			err = tandem_request_role(c, TANDEM_ROLE_PRIMARY);
			if (err) {
				*why = err == -EBUSY ?
					"peer is Primary or becoming Primary, and allow-two-primaries is off" :
					"peer did not answer the role request";
				goto out_unlock;
			}
		}
		/* From here on every peer's request is refused. */
		err = set_promoting(r, TANDEM_PROMOTE_COMMITTED, why);
		if (err)
			goto out_unlock;
		idr_for_each_entry(&r->devices, d, vnr) {
			if (!d->backing)
				continue;	/* served by a peer */
			if (d->disk_state != TANDEM_DS_UPTODATE) {
				pr_warn("%s/%u: forced promotion, local data declared UpToDate\n",
					r->name, d->volume);
				tandem_new_generation(d);
				d->md.info.flags |= TANDEM_MDF_CONSISTENT |
						    TANDEM_MDF_WAS_UP_TO_DATE;
				d->md.info.flags &= ~TANDEM_MDF_OUTDATED;
				tandem_set_disk_state(d, TANDEM_DS_UPTODATE);
			} else if (!d->md.info.current_uuid) {
				tandem_new_generation(d);
			}
			d->md.info.flags |= TANDEM_MDF_PRIMARY_IND;
			tandem_md_write(d);
			/* Peers we cannot reach will miss what we write now. */
			tandem_track_absent_peers(d, false);
		}
	} else {
		if (device_open_rw(r)) {
			*why = "device is held open for writing";
			err = -EBUSY;
			goto out_unlock;
		}
		forget_primary(r);
	}

	spin_lock_irq(&r->lock);
	r->role = role;
	spin_unlock_irq(&r->lock);
	pr_info("%s: role( %s -> %s )%s\n", r->name,
		tandem_role_name(role == TANDEM_ROLE_PRIMARY ?
				 TANDEM_ROLE_SECONDARY : TANDEM_ROLE_PRIMARY),
		tandem_role_name(role), force ? " (forced)" : "");
	tandem_nl_notify_resource(r, TANDEM_EV_CHANGE);
	tandem_state_changed(r);

	/* Tell the peers, and start a sync where our data is now the good one. */
	idr_for_each_entry(&r->devices, d, vnr) {
		set_disk_ro(d->disk, role != TANDEM_ROLE_PRIMARY);
		list_for_each_entry(pd, &d->peer_devices, dev_list) {
			if (pd->connection->cstate != TANDEM_CS_CONNECTED)
				continue;
			tandem_send_state(pd);
			tandem_decide_sync(pd);
		}
	}
out_unlock:
	spin_lock_irq(&r->lock);
	r->promoting = TANDEM_PROMOTE_NONE;
	spin_unlock_irq(&r->lock);
	mutex_unlock(&r->promote_mutex);
	return err;
}
