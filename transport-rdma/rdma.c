// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - RDMA transport over kernel verbs and rdma_cm.
 *
 * This module registers the "rdma" class; the verbs data path arrives
 * with the RDMA transport issue (see docs/TRANSPORT.md).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "transport.h"
#include "uapi/tandem_version.h"

/**
 * struct rdma_transport - private part of an RDMA transport instance
 * @credits: send credits granted by the peer (receive buffers it posted)
 */
struct rdma_transport {
	unsigned int credits;
};

static int rdma_init(struct tandem_transport *t)
{
	struct rdma_transport *rt = t->priv;

	rt->credits = 0;
	return 0;
}

static void rdma_free(struct tandem_transport *t)
{
}

static const struct tandem_transport_ops rdma_ops = {
	.init	= rdma_init,
	.free	= rdma_free,
};

static struct tandem_transport_class rdma_class = {
	.name		= "rdma",
	.version	= TANDEM_VERSION,
	.owner		= THIS_MODULE,
	.api_version	= TANDEM_TRANSPORT_API_VERSION,
	.instance_size	= sizeof(struct rdma_transport),
	.ops		= &rdma_ops,
};

static int __init rdma_transport_init(void)
{
	return tandem_register_transport(&rdma_class);
}

static void __exit rdma_transport_exit(void)
{
	tandem_unregister_transport(&rdma_class);
}

module_init(rdma_transport_init);
module_exit(rdma_transport_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tandem RDMA transport");
MODULE_VERSION(TANDEM_VERSION);
