/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandem - TCP transport: declarations shared by its files.
 *
 * tcp.c          class registration, data path (send/recv), cork hints,
 *                stats, net-option changes, disconnect, free
 * tcp_connect.c  connection setup: active connect, passive listen/accept,
 *                the preamble that pairs the two sockets of a connection
 *
 * Our symbols start with ttcp_/TTCP_: tcp_ and TCP_ belong to the kernel's
 * own TCP (tcp_connect(), tcp_init(), TCP_KEEPIDLE, ...).
 */
#ifndef _TANDEM_TCP_INT_H
#define _TANDEM_TCP_INT_H

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "transport.h"

/*
 * Sockets a connection attempt may hold at once: the passive end has a
 * listening socket, a DATA and a CONTROL socket waiting for their partner,
 * and the socket whose preamble it is reading.
 */
#define TTCP_PENDING_MAX		4

/* Preamble (see struct ttcp_preamble) */
#define TTCP_PREAMBLE_MAGIC	0x54746350	/* "TtcP" */
#define TTCP_PREAMBLE_VERSION	1
#define TTCP_PREAMBLE_HELLO	1	/* active -> passive: "I am stream S" */
#define TTCP_PREAMBLE_ACCEPT	2	/* passive -> active: "paired" */

/* Handshake timing */
#define TTCP_HANDSHAKE_TIMEOUT	(5 * HZ)	/* connect(), reading an ACCEPT */
#define TTCP_PREAMBLE_TIMEOUT	(2 * HZ)	/* passive end reading a HELLO */
#define TTCP_PAIR_TIMEOUT	(4 * HZ)	/* a half-made pair is dropped */
#define TTCP_ACCEPT_POLL		(HZ / 2)	/* accept() wakes up to look around */

/* Keepalive: first probe after 10 s idle, then every 5 s, 3 probes */
#define TTCP_KEEPIDLE		10
#define TTCP_KEEPINTVL		5
#define TTCP_KEEPCNT		3

/**
 * struct ttcp_preamble - first bytes on each socket of a connection
 * @magic: TTCP_PREAMBLE_MAGIC
 * @version: TTCP_PREAMBLE_VERSION
 * @kind: TTCP_PREAMBLE_HELLO or TTCP_PREAMBLE_ACCEPT
 * @stream: enum tandem_stream this socket carries
 * @cookie: random, the same on both sockets of one connection attempt
 *
 * The active end sends a HELLO on each socket; the passive end pairs a
 * DATA and a CONTROL socket with equal cookies and answers each with an
 * ACCEPT carrying the same fields. Big-endian, 16 bytes.
 */
struct ttcp_preamble {
	__be32 magic;
	__u8 version;
	__u8 kind;
	__be16 stream;
	__be64 cookie;
} __packed;

/**
 * struct ttcp_conn - the two sockets of one established connection
 * @kref: one reference held by &ttcp_transport.conn while installed, one
 *        by each send/recv/cork/stats/net_conf_change call using it
 * @sock: connected socket per stream (enum tandem_stream)
 *
 * disconnect() unhooks the connection and shuts its sockets down, which
 * makes every call blocked on them return; the sockets are released
 * when the last reference goes, so no call ever touches a released
 * socket.
 */
struct ttcp_conn {
	struct kref kref;
	struct socket *sock[TANDEM_STREAM_COUNT];
};

/**
 * struct ttcp_transport - private part of a TCP transport instance
 * @net: network namespace of the creator of the instance (referenced)
 * @sock_mutex: protects @pending, @aborted and @connecting, and orders
 *              disconnect()'s shutdown of pending sockets against their
 *              release by connect()
 * @pending: sockets of the connection attempt in progress, so that
 *           disconnect() can shut them down
 * @aborted: disconnect() was called since connect() started
 * @connecting: a connect() is running
 * @wq: connect() sleeps here between attempts; disconnect() wakes it
 * @lock: protects @conn and @conf
 * @conn: the established connection, NULL when there is none
 * @conf: current net options
 * @send_mutex: serialises the senders of a stream
 * @rcvtimeo: receive timeout per stream, jiffies
 */
struct ttcp_transport {
	struct net *net;
	struct mutex sock_mutex;
	struct socket *pending[TTCP_PENDING_MAX];
	bool aborted;
	bool connecting;
	wait_queue_head_t wq;
	spinlock_t lock;
	struct ttcp_conn *conn;
	struct tandem_net_conf conf;
	struct mutex send_mutex[TANDEM_STREAM_COUNT];
	long rcvtimeo[TANDEM_STREAM_COUNT];
};

/* tcp.c */
int ttcp_conf_valid(const struct tandem_net_conf *conf);
long ttcp_send_timeout(const struct tandem_net_conf *conf);
void ttcp_sock_set_bufs(struct sock *sk, const struct tandem_net_conf *conf);
int ttcp_sock_send_all(struct socket *sock, struct iov_iter *iter,
		       unsigned int msg_flags);
int ttcp_sock_recv_exact(struct socket *sock, struct iov_iter *iter,
			 long timeo);
void ttcp_conn_put(struct ttcp_conn *c);
struct ttcp_conn *ttcp_conn_unhook(struct ttcp_transport *tt);
void ttcp_conn_shutdown_put(struct ttcp_conn *c);

/* tcp_connect.c */
int ttcp_connect(struct tandem_transport *t, const struct tandem_path *path,
		 const struct tandem_net_conf *conf);

#endif /* _TANDEM_TCP_INT_H */
