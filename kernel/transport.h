/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandem - the transport API.
 *
 * This is the only header a transport module includes from the core. A
 * transport module registers one struct tandem_transport_class from its
 * module_init and unregisters it from its module_exit; the core finds the
 * class by the name given in a resource's net section, loading the module
 * "tandem_transport_<name>" on demand, and pins the module for as long as
 * any connection uses the class.
 *
 * docs/TRANSPORT.md explains why each member exists.
 */
#ifndef _TANDEM_TRANSPORT_H
#define _TANDEM_TRANSPORT_H

#include <linux/list.h>
#include <linux/module.h>
#include <linux/types.h>

#include "uapi/tandem_limits.h"

/*
 * Version of this header. A class built against another version is
 * refused at registration: the layout of the ops table is part of it.
 */
#define TANDEM_TRANSPORT_API_VERSION	1

struct tandem_transport;

/**
 * struct tandem_transport_ops - what a transport does for the core
 * @init: prepare a freshly allocated instance (its private area of
 *        &tandem_transport_class.instance_size bytes is zeroed)
 * @free: release everything @init and later calls acquired
 */
struct tandem_transport_ops {
	int (*init)(struct tandem_transport *t);
	void (*free)(struct tandem_transport *t);
};

/**
 * struct tandem_transport_class - one kind of transport (tcp, rdma, ...)
 * @name: name used in configurations, [a-z0-9_], see
 *        tandem_transport_name_valid()
 * @version: the transport module's own version string, shown in /proc/tandem
 * @owner: module implementing the class, pinned while the class is in use
 * @api_version: must be TANDEM_TRANSPORT_API_VERSION
 * @instance_size: bytes of private data the core allocates per instance,
 *                 after struct tandem_transport
 * @ops: operations; every member is mandatory
 * @list: registry linkage, owned by the core
 */
struct tandem_transport_class {
	const char *name;
	const char *version;
	struct module *owner;
	u32 api_version;
	size_t instance_size;
	const struct tandem_transport_ops *ops;
	struct list_head list;
};

/**
 * struct tandem_transport - one transport instance (one peer connection)
 * @class: the class this instance belongs to (pinned)
 * @priv: the class's private area, &tandem_transport_class.instance_size
 *        bytes
 */
struct tandem_transport {
	struct tandem_transport_class *class;
	void *priv;
};

int tandem_register_transport(struct tandem_transport_class *tc);
void tandem_unregister_transport(struct tandem_transport_class *tc);

#endif /* _TANDEM_TRANSPORT_H */
