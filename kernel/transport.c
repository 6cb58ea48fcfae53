// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - registry of transport classes.
 *
 * Classes live on one list under one mutex. Looking a class up by name
 * loads its module on demand and takes a reference on the module, so that
 * a transport cannot be unloaded while a connection uses it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kmod.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "lib/tandem_lib.h"
#include "tandem_int.h"

static LIST_HEAD(tandem_transport_classes);
static DEFINE_MUTEX(tandem_transport_lock);

static struct tandem_transport_class *__find_class(const char *name)
{
	struct tandem_transport_class *tc;

	lockdep_assert_held(&tandem_transport_lock);
	list_for_each_entry(tc, &tandem_transport_classes, list)
		if (!strcmp(tc->name, name))
			return tc;
	return NULL;
}

/**
 * tandem_register_transport() - make a transport class available
 * @tc: the class; must stay valid until tandem_unregister_transport()
 *
 * Return: 0, -EINVAL for a malformed class or another API version,
 * -EEXIST if a class of that name is registered already.
 */
int tandem_register_transport(struct tandem_transport_class *tc)
{
	int err = 0;

	if (!tc->name || !tandem_transport_name_valid(tc->name)) {
		pr_err("refusing transport with invalid name\n");
		return -EINVAL;
	}
	if (tc->api_version != TANDEM_TRANSPORT_API_VERSION) {
		pr_err("transport %s: API version %u, core speaks %u\n",
		       tc->name, tc->api_version, TANDEM_TRANSPORT_API_VERSION);
		return -EINVAL;
	}
	if (!tc->ops || !tc->version || !tc->ops->init || !tc->ops->free ||
	    !tc->ops->connect || !tc->ops->disconnect || !tc->ops->send ||
	    !tc->ops->recv || !tc->ops->recv_iter || !tc->ops->set_timeout ||
	    !tc->ops->hint_cork || !tc->ops->stats ||
	    !tc->ops->net_conf_change) {
		pr_err("transport %s: incomplete class\n", tc->name);
		return -EINVAL;
	}

	mutex_lock(&tandem_transport_lock);
	if (__find_class(tc->name)) {
		err = -EEXIST;
		goto out_unlock;
	}
	list_add_tail(&tc->list, &tandem_transport_classes);
	pr_info("transport %s (%s) registered\n", tc->name, tc->version);
out_unlock:
	mutex_unlock(&tandem_transport_lock);
	return err;
}
EXPORT_SYMBOL_GPL(tandem_register_transport);

/**
 * tandem_unregister_transport() - withdraw a transport class
 * @tc: a class registered with tandem_register_transport()
 *
 * Called from the transport's module_exit; by then no instance exists,
 * because every instance holds a reference on the owning module.
 */
void tandem_unregister_transport(struct tandem_transport_class *tc)
{
	mutex_lock(&tandem_transport_lock);
	list_del_init(&tc->list);
	mutex_unlock(&tandem_transport_lock);
	pr_info("transport %s unregistered\n", tc->name);
}
EXPORT_SYMBOL_GPL(tandem_unregister_transport);

static struct tandem_transport_class *try_get_class(const char *name)
{
	struct tandem_transport_class *tc;

	mutex_lock(&tandem_transport_lock);
	tc = __find_class(name);
	if (tc && !try_module_get(tc->owner))
		tc = NULL;	/* its module is on its way out */
	mutex_unlock(&tandem_transport_lock);
	return tc;
}

/**
 * tandem_transport_class_get() - find a transport class and pin it
 * @name: class name from the configuration
 *
 * Loads "tandem_transport_<name>" if no such class is registered yet.
 *
 * Return: the class with its module pinned, or an ERR_PTR: -EINVAL for
 * a malformed name, -ENOENT if no module provides the class.
 */
struct tandem_transport_class *tandem_transport_class_get(const char *name)
{
	struct tandem_transport_class *tc;

	if (!tandem_transport_name_valid(name))
		return ERR_PTR(-EINVAL);

	tc = try_get_class(name);
	if (tc)
		return tc;

	request_module("tandem_transport_%s", name);
	tc = try_get_class(name);
	if (!tc) {
		pr_warn("transport %s: no such transport (module tandem_transport_%s not found)\n",
			name, name);
		return ERR_PTR(-ENOENT);
	}
	return tc;
}

/**
 * tandem_transport_class_put() - unpin a class from tandem_transport_class_get()
 * @tc: the class
 */
void tandem_transport_class_put(struct tandem_transport_class *tc)
{
	module_put(tc->owner);
}

/**
 * tandem_transport_create() - create a transport instance of a class
 * @name: class name
 *
 * Return: the instance, its class pinned, or an ERR_PTR.
 */
struct tandem_transport *tandem_transport_create(const char *name)
{
	struct tandem_transport_class *tc;
	struct tandem_transport *t;
	int err;

	tc = tandem_transport_class_get(name);
	if (IS_ERR(tc))
		return ERR_CAST(tc);

	t = kzalloc(sizeof(*t) + tc->instance_size, GFP_KERNEL);
	if (!t) {
		err = -ENOMEM;
		goto out_put_class;
	}
	t->class = tc;
	t->priv = t + 1;
	err = tc->ops->init(t);
	if (err)
		goto out_free_instance;
	return t;

out_free_instance:
	kfree(t);
out_put_class:
	tandem_transport_class_put(tc);
	return ERR_PTR(err);
}

/**
 * tandem_transport_destroy() - free an instance and unpin its class
 * @t: instance from tandem_transport_create()
 */
void tandem_transport_destroy(struct tandem_transport *t)
{
	struct tandem_transport_class *tc = t->class;

	tc->ops->free(t);
	kfree(t);
	tandem_transport_class_put(tc);
}

/**
 * tandem_transport_classes_show() - list registered classes for /proc/tandem
 * @m: the seq_file being written
 */
void tandem_transport_classes_show(struct seq_file *m)
{
	struct tandem_transport_class *tc;

	mutex_lock(&tandem_transport_lock);
	seq_printf(m, "Transports (api:%u):", TANDEM_TRANSPORT_API_VERSION);
	list_for_each_entry(tc, &tandem_transport_classes, list)
		seq_printf(m, " %s (%s)", tc->name, tc->version);
	seq_putc(m, '\n');
	mutex_unlock(&tandem_transport_lock);
}
