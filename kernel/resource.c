// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - creation, lookup and destruction of resources, devices,
 * connections and peer devices.
 *
 * Everything here runs under tandem_cfg_mutex: configuration is serial.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "tandem_int.h"

DEFINE_MUTEX(tandem_cfg_mutex);
LIST_HEAD(tandem_resources);
static DEFINE_IDR(tandem_minors);

void tandem_net_opts_default(struct tandem_net_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->protocol = TANDEM_PROT_C;
	strscpy(o->transport, TANDEM_TRANSPORT_DEFAULT, sizeof(o->transport));
	o->ping_int = 10;
	o->ping_timeout = 5;
	o->ko_count = 7;
	o->conf.connect_int = 10;
	o->conf.timeout = 60;
	o->conf.max_buffers = 2048;
	o->conf.max_epoch_size = 2048;
}

void tandem_disk_opts_default(struct tandem_disk_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->resync_rate = 250;
	o->resync_after = TANDEM_NO_MINOR;
	o->c_plan_ahead = 20;
	o->c_fill_target = 100;
	o->c_delay_target = 10;
	o->c_max_rate = 102400;
	o->c_min_rate = 250;
	o->al_extents = TANDEM_AL_EXTENTS_DEFAULT;
	o->on_io_error = TANDEM_IOERR_DETACH;
	o->disk_barrier = false;
	o->disk_flushes = true;
	o->md_flushes = true;
}

/* ---- resources ---------------------------------------------------- */

struct tandem_resource *tandem_resource_find(const char *name)
{
	struct tandem_resource *r;

	lockdep_assert_held(&tandem_cfg_mutex);
	list_for_each_entry(r, &tandem_resources, list)
		if (!strcmp(r->name, name))
			return r;
	return NULL;
}

struct tandem_resource *tandem_resource_create(const char *name, u32 node_id)
{
	struct tandem_resource *r;

	lockdep_assert_held(&tandem_cfg_mutex);
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return NULL;
	strscpy(r->name, name, sizeof(r->name));
	r->node_id = node_id;
	kref_init(&r->kref);
	spin_lock_init(&r->lock);
	r->role = TANDEM_ROLE_SECONDARY;
	idr_init(&r->devices);
	INIT_LIST_HEAD(&r->connections);
	init_waitqueue_head(&r->state_wait);
	mutex_init(&r->promote_mutex);
	list_add_tail(&r->list, &tandem_resources);
	tandem_nl_notify_resource(r, TANDEM_EV_CREATE);
	return r;
}

static void resource_free(struct kref *kref)
{
	struct tandem_resource *r = container_of(kref, struct tandem_resource,
						 kref);

	idr_destroy(&r->devices);
	mutex_destroy(&r->promote_mutex);
	kfree(r);
}

void tandem_resource_put(struct tandem_resource *r)
{
	kref_put(&r->kref, resource_free);
}

/* The resource must have no devices and no connections left. */
void tandem_resource_destroy(struct tandem_resource *r)
{
	lockdep_assert_held(&tandem_cfg_mutex);
	WARN_ON(!list_empty(&r->connections));
	tandem_nl_notify_resource(r, TANDEM_EV_DESTROY);
	list_del(&r->list);
	tandem_resource_put(r);
}

/* ---- devices ------------------------------------------------------ */

struct tandem_device *tandem_device_find(unsigned int minor)
{
	lockdep_assert_held(&tandem_cfg_mutex);
	return idr_find(&tandem_minors, minor);
}

struct tandem_device *tandem_device_by_volume(struct tandem_resource *r,
					      unsigned int volume)
{
	return idr_find(&r->devices, volume);
}

struct tandem_device *tandem_device_create(struct tandem_resource *r,
					   unsigned int minor,
					   unsigned int volume)
{
	struct tandem_connection *c;
	struct tandem_device *d;
	int err;

	lockdep_assert_held(&tandem_cfg_mutex);
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return ERR_PTR(-ENOMEM);
	d->resource = r;
	d->minor = minor;
	d->volume = volume;
	d->disk_state = TANDEM_DS_DISKLESS;
	d->meta_index = -1;
	tandem_disk_opts_default(&d->opts);
	INIT_LIST_HEAD(&d->peer_devices);
	INIT_LIST_HEAD(&d->intervals);
	INIT_LIST_HEAD(&d->postponed);
	INIT_LIST_HEAD(&d->peer_intervals);
	init_waitqueue_head(&d->interval_wait);
	mutex_init(&d->md_io_mutex);
	tandem_al_init(d);
	tandem_ioerr_init(d);

	err = idr_alloc(&tandem_minors, d, minor, minor + 1, GFP_KERNEL);
	if (err < 0) {
		err = err == -ENOSPC ? -EEXIST : err;
		goto out_free;
	}
	/*
	 * The volume's slot is reserved empty: a connection's threads look
	 * volumes up there without a lock, and see the device only once
	 * its peer devices are complete (idr_replace below).
	 */
	err = idr_alloc(&r->devices, NULL, volume, volume + 1, GFP_KERNEL);
	if (err < 0) {
		err = err == -ENOSPC ? -EEXIST : err;
		goto out_remove_minor;
	}
	list_for_each_entry(c, &r->connections, list) {
		err = tandem_peer_device_add(d, c);
		if (err)
			goto out_remove_peers;
	}
	err = tandem_device_expose(d);
	if (err)
		goto out_remove_peers;
	idr_replace(&r->devices, d, volume);
	kref_get(&r->kref);
	tandem_nl_notify_device(d, TANDEM_EV_CREATE);
	return d;

out_remove_peers:
	while (!list_empty(&d->peer_devices)) {
		struct tandem_peer_device *pd =
			list_first_entry(&d->peer_devices,
					 struct tandem_peer_device, dev_list);

		list_del(&pd->dev_list);
		tandem_bm_free(pd);
		kfree(pd);
	}
	idr_remove(&r->devices, volume);
out_remove_minor:
	idr_remove(&tandem_minors, minor);
out_free:
	kfree(d);
	return ERR_PTR(err);
}

/* The device must be detached and not open. */
void tandem_device_destroy(struct tandem_device *d)
{
	struct tandem_resource *r = d->resource;
	struct tandem_peer_device *pd, *tmp;

	lockdep_assert_held(&tandem_cfg_mutex);
	tandem_ioerr_stop(d);
	tandem_nl_notify_device(d, TANDEM_EV_DESTROY);
	tandem_device_unexpose(d);
	list_for_each_entry_safe(pd, tmp, &d->peer_devices, dev_list) {
		mutex_lock(&d->md_io_mutex);
		spin_lock_irq(&r->lock);
		list_del(&pd->dev_list);
		spin_unlock_irq(&r->lock);
		mutex_unlock(&d->md_io_mutex);
		tandem_bm_free(pd);
		kfree(pd);
	}
	idr_remove(&r->devices, d->volume);
	idr_remove(&tandem_minors, d->minor);
	kfree(d);
	tandem_resource_put(r);
}

/* ---- connections -------------------------------------------------- */

struct tandem_connection *tandem_connection_find(struct tandem_resource *r,
						 u32 peer_node_id)
{
	struct tandem_connection *c;

	list_for_each_entry(c, &r->connections, list)
		if (c->peer_node_id == peer_node_id)
			return c;
	return NULL;
}

struct tandem_peer_device *tandem_peer_device(struct tandem_device *d,
					      struct tandem_connection *c)
{
	struct tandem_peer_device *pd;

	list_for_each_entry(pd, &d->peer_devices, dev_list)
		if (pd->connection == c)
			return pd;
	return NULL;
}

int tandem_peer_device_add(struct tandem_device *d,
			   struct tandem_connection *c)
{
	struct tandem_peer_device *pd;

	pd = kzalloc(sizeof(*pd), GFP_KERNEL);
	if (!pd)
		return -ENOMEM;
	pd->device = d;
	pd->connection = c;
	pd->repl = TANDEM_RS_OFF;
	pd->peer_disk = TANDEM_DS_DUNKNOWN;
	INIT_LIST_HEAD(&pd->ov_reqs);
	INIT_LIST_HEAD(&pd->ov_results);
	xa_init_flags(&pd->rs_reqs, XA_FLAGS_ALLOC1);
	if (d->backing && tandem_bm_alloc(pd)) {
		kfree(pd);
		return -ENOMEM;
	}
	mutex_lock(&d->md_io_mutex);
	spin_lock_irq(&d->resource->lock);
	list_add_tail(&pd->dev_list, &d->peer_devices);
	spin_unlock_irq(&d->resource->lock);
	mutex_unlock(&d->md_io_mutex);
	return 0;
}

struct tandem_connection *tandem_connection_create(struct tandem_resource *r,
						   u32 peer_node_id)
{
	struct tandem_connection *c;
	struct tandem_device *d;
	int vnr, err;

	lockdep_assert_held(&tandem_cfg_mutex);
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return ERR_PTR(-ENOMEM);
	c->resource = r;
	kref_init(&c->kref);
	c->peer_node_id = peer_node_id;
	c->cstate = TANDEM_CS_STANDALONE;
	c->peer_role = TANDEM_ROLE_UNKNOWN;
	tandem_net_opts_default(&c->opts);
	INIT_LIST_HEAD(&c->transfer_log);
	INIT_LIST_HEAD(&c->epochs);
	init_completion(&c->role_done);
	INIT_WORK(&c->idle_barrier, tandem_idle_barrier_work);
	init_rwsem(&c->transport_sem);
	xa_init_flags(&c->req_ids, XA_FLAGS_ALLOC1);
	init_waitqueue_head(&c->peer_wait);
	init_waitqueue_head(&c->serve_wait);
	mutex_init(&c->epoch_ack_mutex);
	c->send_wq = alloc_ordered_workqueue("tandem_s_%s_%u", WQ_MEM_RECLAIM,
					     r->name, peer_node_id);
	c->ack_wq = alloc_workqueue("tandem_a_%s_%u", WQ_MEM_RECLAIM, 0,
				    r->name, peer_node_id);
	if (!c->send_wq || !c->ack_wq) {
		err = -ENOMEM;
		goto out_free_wq;
	}
	idr_for_each_entry(&r->devices, d, vnr) {
		err = tandem_peer_device_add(d, c);
		if (err)
			goto out_remove_peers;
	}
	kref_get(&r->kref);
	/* (walked under the lock by the receivers too) */
	spin_lock_irq(&r->lock);
	list_add_tail(&c->list, &r->connections);
	spin_unlock_irq(&r->lock);
	tandem_nl_notify_connection(c, TANDEM_EV_CREATE);
	return c;

out_remove_peers:
	idr_for_each_entry(&r->devices, d, vnr) {
		struct tandem_peer_device *pd = tandem_peer_device(d, c);

		if (pd) {
			mutex_lock(&d->md_io_mutex);
			spin_lock_irq(&r->lock);
			list_del(&pd->dev_list);
			spin_unlock_irq(&r->lock);
			mutex_unlock(&d->md_io_mutex);
			tandem_bm_free(pd);
			kfree(pd);
		}
	}
out_free_wq:
	if (c->send_wq)
		destroy_workqueue(c->send_wq);
	if (c->ack_wq)
		destroy_workqueue(c->ack_wq);
	mutex_destroy(&c->epoch_ack_mutex);
	kfree(c);
	return ERR_PTR(err);
}

static void connection_free(struct kref *kref)
{
	struct tandem_connection *c = container_of(kref,
						   struct tandem_connection,
						   kref);

	destroy_workqueue(c->send_wq);
	destroy_workqueue(c->ack_wq);
	xa_destroy(&c->req_ids);
	mutex_destroy(&c->epoch_ack_mutex);
	tandem_resource_put(c->resource);
	kfree(c);
}

void tandem_connection_put(struct tandem_connection *c)
{
	kref_put(&c->kref, connection_free);
}

/* The connection must be StandAlone (threads stopped). */
void tandem_connection_destroy(struct tandem_connection *c)
{
	struct tandem_resource *r = c->resource;
	struct tandem_device *d;
	int vnr;

	lockdep_assert_held(&tandem_cfg_mutex);
	tandem_nl_notify_connection(c, TANDEM_EV_DESTROY);
	idr_for_each_entry(&r->devices, d, vnr) {
		struct tandem_peer_device *pd = tandem_peer_device(d, c);

		if (pd) {
			/* The next connection to this peer starts from it. */
			tandem_bm_write(pd);
			mutex_lock(&d->md_io_mutex);
			spin_lock_irq(&r->lock);
			list_del(&pd->dev_list);
			spin_unlock_irq(&r->lock);
			mutex_unlock(&d->md_io_mutex);
			tandem_bm_free(pd);
			kfree(pd);
		}
	}
	spin_lock_irq(&r->lock);
	list_del(&c->list);
	spin_unlock_irq(&r->lock);
	tandem_connection_put(c);
}

/**
 * tandem_resource_teardown() - disconnect, detach and delete everything
 * @r: the resource; freed on return
 *
 * Context: tandem_cfg_mutex held, no device open.
 */
void tandem_resource_teardown(struct tandem_resource *r)
{
	struct tandem_connection *c, *ctmp;
	struct tandem_device *d;
	int vnr;

	lockdep_assert_held(&tandem_cfg_mutex);
	list_for_each_entry_safe(c, ctmp, &r->connections, list) {
		tandem_disconnect(c);
		tandem_connection_destroy(c);
	}
	idr_for_each_entry(&r->devices, d, vnr) {
		tandem_detach(d);
		/* With no connection left, every request is freed soon. */
		WARN_ON(!wait_event_timeout(d->interval_wait,
					    !atomic_read(&d->reqs), 30 * HZ));
		tandem_device_destroy(d);
	}
	tandem_resource_destroy(r);
}

/* Module unload: take everything down. */
void tandem_resources_destroy_all(void)
{
	struct tandem_resource *r, *rtmp;

	mutex_lock(&tandem_cfg_mutex);
	list_for_each_entry_safe(r, rtmp, &tandem_resources, list)
		tandem_resource_teardown(r);
	mutex_unlock(&tandem_cfg_mutex);
}

/**
 * tandem_wait_for_stop() - park a kthread that finished its work
 *
 * The thread's owner reaps it with kthread_stop(); until then it sleeps.
 */
void tandem_wait_for_stop(void)
{
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
}
