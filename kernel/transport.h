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
#include <linux/socket.h>
#include <linux/types.h>

#include "uapi/tandem_limits.h"
#include "uapi/tandem_wire.h"

/*
 * Version of this header. A class built against another version is
 * refused at registration: the layout of the ops table is part of it.
 */
#define TANDEM_TRANSPORT_API_VERSION	1

struct tandem_transport;
struct iov_iter;

/**
 * struct tandem_net_conf - connection options a transport reads
 * @connect_int: seconds between connection attempts
 * @timeout: 0.1 s units; a send that makes no progress for this long fails
 * @sndbuf_size: bytes, 0 = let the transport choose
 * @rcvbuf_size: bytes, 0 = let the transport choose
 * @max_buffers: 4 KiB pages the peer may have in flight towards us
 * @max_epoch_size: writes per epoch
 *
 * The core owns this; it hands a copy to ops->connect() and to
 * ops->net_conf_change().
 */
struct tandem_net_conf {
	unsigned int connect_int;
	unsigned int timeout;
	unsigned int sndbuf_size;
	unsigned int rcvbuf_size;
	unsigned int max_buffers;
	unsigned int max_epoch_size;
};

/**
 * struct tandem_path - the two ends of a connection
 * @my_addr: local address to listen on / connect from
 * @peer_addr: peer address to connect to / accept from
 * @active: true: this end connects; false: this end listens and
 *          accepts only connections coming from @peer_addr's address.
 *          The core makes the node with the lower node-id active, so
 *          the two ends never race each other.
 */
struct tandem_path {
	struct sockaddr_storage my_addr;
	struct sockaddr_storage peer_addr;
	bool active;
};

/* Flags for ops->send() */
#define TANDEM_SEND_MORE	(1U << 0)	/* more packets follow soon */

/**
 * struct tandem_transport_stats - what the core shows and acts on
 * @send_buffer_used: bytes queued for sending, not yet acknowledged by
 *                    the transport's peer (all streams)
 * @send_buffer_size: capacity for such bytes
 * @congested: true when a sender would block now
 */
struct tandem_transport_stats {
	u64 send_buffer_used;
	u64 send_buffer_size;
	bool congested;
};

/**
 * struct tandem_transport_ops - what a transport does for the core
 *
 * Messages: the core sends a message as one send() call (a header and
 * body in @buf, then an optional payload) and receives it in pieces
 * (header, body, payload) with recv()/recv_iter(), always consuming whole
 * messages in order. A transport with message boundaries (RDMA) may rely
 * on that; a byte stream (TCP) need not care.
 *
 * Streams: TANDEM_STREAM_DATA and TANDEM_STREAM_CONTROL are independent;
 * sends on one stream never wait for the other. Each stream may be used by
 * one receiving thread and any number of sending threads at a time: the
 * transport serialises senders of a stream.
 *
 * Errors: send/recv return 0 or a negative errno. -EAGAIN from recv means
 * the stream's receive timeout expired with nothing received, and the
 * stream is still usable; a timeout after part of the data arrived is
 * -ETIMEDOUT. Every error other than -EAGAIN means the connection is
 * broken and the core will call disconnect().
 *
 * @init: prepare a freshly allocated instance (its private area of
 *        &tandem_transport_class.instance_size bytes is zeroed)
 * @free: release everything @init and later calls acquired; the
 *        instance is disconnected
 * @connect: establish both streams to the peer of @path, blocking; keep
 *           trying (every @conf->connect_int seconds for the active end)
 *           until it succeeds, disconnect() is called while it runs
 *           (-ECONNABORTED) or the thread gets a signal (-EINTR; a
 *           kthread_stop() counts as one). A disconnect() that happened
 *           before connect() began does not cancel it: an instance may be
 *           connected again after a disconnect. Bad addresses: -EINVAL.
 * @disconnect: close both streams; wakes any thread blocked in connect,
 *              send or recv, which then return an error. Process context
 *              (it may sleep), from any thread, any number of times, and
 *              safe against concurrent senders and receivers.
 * @send: send one message: @len bytes of @buf, then all of @payload if not
 *        NULL (the payload pages stay owned by the caller and must not be
 *        referenced after return)
 * @recv: receive exactly @len bytes into @buf
 * @recv_iter: receive exactly iov_iter_count(@iter) bytes into @iter
 * @set_timeout: receive timeout of a stream, in jiffies;
 *               MAX_SCHEDULE_TIMEOUT for none
 * @hint_cork: @cork true: batch small sends of @stream; false: flush now
 * @stats: fill @st
 * @net_conf_change: validate @conf and apply it to a connected instance
 *                   where possible (buffer sizes), -EINVAL if invalid
 */
struct tandem_transport_ops {
	int (*init)(struct tandem_transport *t);
	void (*free)(struct tandem_transport *t);
	int (*connect)(struct tandem_transport *t,
		       const struct tandem_path *path,
		       const struct tandem_net_conf *conf);
	void (*disconnect)(struct tandem_transport *t);
	int (*send)(struct tandem_transport *t, enum tandem_stream stream,
		    const void *buf, size_t len, struct iov_iter *payload,
		    unsigned int flags);
	int (*recv)(struct tandem_transport *t, enum tandem_stream stream,
		    void *buf, size_t len);
	int (*recv_iter)(struct tandem_transport *t, enum tandem_stream stream,
			 struct iov_iter *iter);
	void (*set_timeout)(struct tandem_transport *t,
			    enum tandem_stream stream, long timeout);
	void (*hint_cork)(struct tandem_transport *t,
			  enum tandem_stream stream, bool cork);
	void (*stats)(struct tandem_transport *t,
		      struct tandem_transport_stats *st);
	int (*net_conf_change)(struct tandem_transport *t,
			       const struct tandem_net_conf *conf);
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
