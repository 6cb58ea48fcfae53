// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - TCP transport: one socket per stream (DATA and CONTROL).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/net.h>

#include "transport.h"
#include "uapi/tandem_version.h"

enum tcp_stream {
	TCP_STREAM_DATA,
	TCP_STREAM_CONTROL,
	TCP_STREAM_COUNT,
};

/**
 * struct tcp_transport - private part of a TCP transport instance
 * @sock: one connected socket per stream, NULL while unconnected
 * @send_mutex: serialises senders per stream
 */
struct tcp_transport {
	struct socket *sock[TCP_STREAM_COUNT];
	struct mutex send_mutex[TCP_STREAM_COUNT];
};

static int tcp_init(struct tandem_transport *t)
{
	struct tcp_transport *tt = t->priv;
	int i;

	for (i = 0; i < TCP_STREAM_COUNT; i++)
		mutex_init(&tt->send_mutex[i]);
	return 0;
}

static void tcp_free(struct tandem_transport *t)
{
	struct tcp_transport *tt = t->priv;
	int i;

	for (i = 0; i < TCP_STREAM_COUNT; i++) {
		if (tt->sock[i]) {
			kernel_sock_shutdown(tt->sock[i], SHUT_RDWR);
			sock_release(tt->sock[i]);
			tt->sock[i] = NULL;
		}
		mutex_destroy(&tt->send_mutex[i]);
	}
}

static const struct tandem_transport_ops tcp_ops = {
	.init	= tcp_init,
	.free	= tcp_free,
};

static struct tandem_transport_class tcp_class = {
	.name		= "tcp",
	.version	= TANDEM_VERSION,
	.owner		= THIS_MODULE,
	.api_version	= TANDEM_TRANSPORT_API_VERSION,
	.instance_size	= sizeof(struct tcp_transport),
	.ops		= &tcp_ops,
};

static int __init tcp_transport_init(void)
{
	return tandem_register_transport(&tcp_class);
}

static void __exit tcp_transport_exit(void)
{
	tandem_unregister_transport(&tcp_class);
}

module_init(tcp_transport_init);
module_exit(tcp_transport_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tandem TCP transport");
MODULE_VERSION(TANDEM_VERSION);
