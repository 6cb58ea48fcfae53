// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - RDMA transport over kernel verbs and rdma_cm.
 *
 * This module registers the "rdma" class; the verbs data path arrives
 * with the RDMA transport issue (see docs/TRANSPORT.md).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/string.h>

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

/*
 * Until the verbs data path exists, an instance can be created (so that
 * the class, its loading and pinning work end to end) but never connects:
 * connect() fails with a clear message and nothing else is reachable.
 */
static int rdma_connect(struct tandem_transport *t,
			const struct tandem_path *path,
			const struct tandem_net_conf *conf)
{
	pr_err_ratelimited("the rdma transport cannot connect yet; use transport \"tcp\"\n");
	return -EOPNOTSUPP;
}

static void rdma_disconnect(struct tandem_transport *t)
{
}

static int rdma_send(struct tandem_transport *t, enum tandem_stream stream,
		     const void *buf, size_t len, struct iov_iter *payload,
		     unsigned int flags)
{
	return -ENOTCONN;
}

static int rdma_recv(struct tandem_transport *t, enum tandem_stream stream,
		     void *buf, size_t len)
{
	return -ENOTCONN;
}

static int rdma_recv_iter(struct tandem_transport *t,
			  enum tandem_stream stream, struct iov_iter *iter)
{
	return -ENOTCONN;
}

static void rdma_set_timeout(struct tandem_transport *t,
			     enum tandem_stream stream, long timeout)
{
}

static void rdma_hint_cork(struct tandem_transport *t,
			   enum tandem_stream stream, bool cork)
{
}

static void rdma_stats(struct tandem_transport *t,
		       struct tandem_transport_stats *st)
{
	memset(st, 0, sizeof(*st));
}

static int rdma_net_conf_change(struct tandem_transport *t,
				const struct tandem_net_conf *conf)
{
	return 0;
}

static const struct tandem_transport_ops rdma_ops = {
	.init		= rdma_init,
	.free		= rdma_free,
	.connect	= rdma_connect,
	.disconnect	= rdma_disconnect,
	.send		= rdma_send,
	.recv		= rdma_recv,
	.recv_iter	= rdma_recv_iter,
	.set_timeout	= rdma_set_timeout,
	.hint_cork	= rdma_hint_cork,
	.stats		= rdma_stats,
	.net_conf_change = rdma_net_conf_change,
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
