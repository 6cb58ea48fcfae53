// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - TCP transport: one socket per stream (DATA and CONTROL).
 *
 * This file holds the class, the data path and the teardown; connection
 * setup lives in tcp_connect.c. docs/TRANSPORT.md ("TCP transport")
 * explains the design.
 *
 * Lifetime of sockets: an established connection is a struct ttcp_conn
 * with a reference count. Every operation that uses a socket takes a
 * reference first (ttcp_conn_get()); disconnect() unhooks the connection,
 * shuts its sockets down (which wakes every thread blocked on them with
 * an error) and drops the instance's reference. The sockets are released
 * by whoever drops the last reference, so a socket is never used after
 * its release, whichever thread calls disconnect() and when.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/uio.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "tcp_int.h"
#include "uapi/tandem_version.h"

/* net_conf_change() limits for the buffer sizes */
#define TTCP_BUF_MIN		(4U << 10)
#define TTCP_BUF_MAX		(64U << 20)
#define TTCP_MAX_BUFFERS_MIN	32

/**
 * ttcp_conf_valid() - check net options
 * @conf: options to check
 *
 * Return: 0 or -EINVAL.
 */
int ttcp_conf_valid(const struct tandem_net_conf *conf)
{
	if (conf->connect_int < 1 || conf->timeout < 1)
		return -EINVAL;
	if (conf->sndbuf_size &&
	    (conf->sndbuf_size < TTCP_BUF_MIN || conf->sndbuf_size > TTCP_BUF_MAX))
		return -EINVAL;
	if (conf->rcvbuf_size &&
	    (conf->rcvbuf_size < TTCP_BUF_MIN || conf->rcvbuf_size > TTCP_BUF_MAX))
		return -EINVAL;
	if (conf->max_buffers < TTCP_MAX_BUFFERS_MIN)
		return -EINVAL;
	return 0;
}

/**
 * ttcp_send_timeout() - send timeout of @conf in jiffies
 * @conf: valid options (@conf->timeout is in 0.1 s units)
 *
 * Return: the timeout, at least one jiffy.
 */
long ttcp_send_timeout(const struct tandem_net_conf *conf)
{
	u64 j = div_u64((u64)conf->timeout * HZ, 10);

	return clamp_t(u64, j, 1, MAX_SCHEDULE_TIMEOUT - 1);
}

/**
 * ttcp_sock_set_bufs() - apply the buffer sizes of @conf to a socket
 * @sk: the socket
 * @conf: valid options
 *
 * A size is taken as SO_SNDBUF/SO_RCVBUF take it (doubled for the
 * kernel's bookkeeping overhead, not capped by net.core.*mem_max) and
 * locked, so autotuning leaves it alone; 0 unlocks it and gives the size
 * back to autotuning.
 */
void ttcp_sock_set_bufs(struct sock *sk, const struct tandem_net_conf *conf)
{
	lock_sock(sk);
	if (conf->sndbuf_size) {
		sk->sk_userlocks |= SOCK_SNDBUF_LOCK;
		WRITE_ONCE(sk->sk_sndbuf, max_t(int, conf->sndbuf_size * 2,
						SOCK_MIN_SNDBUF));
		sk->sk_write_space(sk);
	} else {
		sk->sk_userlocks &= ~SOCK_SNDBUF_LOCK;
	}
	if (conf->rcvbuf_size) {
		sk->sk_userlocks |= SOCK_RCVBUF_LOCK;
		WRITE_ONCE(sk->sk_rcvbuf, max_t(int, conf->rcvbuf_size * 2,
						SOCK_MIN_RCVBUF));
	} else {
		sk->sk_userlocks &= ~SOCK_RCVBUF_LOCK;
	}
	release_sock(sk);
}

/**
 * ttcp_sock_send_all() - send all of @iter
 * @sock: connected socket
 * @iter: data (ITER_SOURCE); advanced by what was sent
 * @msg_flags: MSG_* flags for each sendmsg call (MSG_MORE)
 *
 * The socket's send timeout bounds each wait for buffer space: a call
 * that makes no progress for that long fails.
 *
 * Return: 0, -ETIMEDOUT, -EINTR on a signal, or another negative errno
 * (-EPIPE after a shutdown).
 */
int ttcp_sock_send_all(struct socket *sock, struct iov_iter *iter,
		       unsigned int msg_flags)
{
	while (iov_iter_count(iter)) {
		struct msghdr msg = { .msg_flags = msg_flags | MSG_NOSIGNAL };
		int n;

		msg.msg_iter = *iter;
		n = sock_sendmsg(sock, &msg);
		if (n > 0) {
			/* progress every round: the loop ends */
			iov_iter_advance(iter, n);
			continue;
		}
		if (n == 0 || n == -EAGAIN)
			return -ETIMEDOUT;
		if (n == -ERESTARTSYS)
			return -EINTR;
		return n;
	}
	return 0;
}

/**
 * ttcp_sock_recv_exact() - receive exactly iov_iter_count(@iter) bytes
 * @sock: connected socket
 * @iter: destination (ITER_DEST); advanced by what was received
 * @timeo: overall timeout in jiffies, MAX_SCHEDULE_TIMEOUT for none
 *
 * Must be the only receiver on @sock: it sets the socket's receive
 * timeout for each wait to what is left of @timeo.
 *
 * Return: 0; -EAGAIN if @timeo expired with nothing received;
 * -ETIMEDOUT if it expired after part of the data; -ECONNRESET when the
 * peer closed (or the socket was shut down); -EINTR on a signal; or
 * another negative errno.
 */
int ttcp_sock_recv_exact(struct socket *sock, struct iov_iter *iter,
			 long timeo)
{
	unsigned long deadline = jiffies + timeo;
	size_t got = 0;

	while (iov_iter_count(iter)) {
		struct msghdr msg = {};
		long left = MAX_SCHEDULE_TIMEOUT;
		int n;

		if (timeo != MAX_SCHEDULE_TIMEOUT)
			left = max_t(long, (long)(deadline - jiffies), 0);
		WRITE_ONCE(sock->sk->sk_rcvtimeo, left);
		msg.msg_iter = *iter;
		n = sock_recvmsg(sock, &msg, MSG_WAITALL | MSG_NOSIGNAL);
		if (n > 0) {
			/* progress every round: the loop ends */
			iov_iter_advance(iter, n);
			got += n;
			continue;
		}
		if (n == 0)
			return -ECONNRESET;
		if (n == -EAGAIN)
			return got ? -ETIMEDOUT : -EAGAIN;
		if (n == -ERESTARTSYS)
			return -EINTR;
		return n;
	}
	return 0;
}

static void ttcp_conn_release(struct kref *kref)
{
	struct ttcp_conn *c = container_of(kref, struct ttcp_conn, kref);
	int i;

	for (i = 0; i < TANDEM_STREAM_COUNT; i++)
		sock_release(c->sock[i]);
	kfree(c);
}

/**
 * ttcp_conn_put() - drop a reference; the last one releases the sockets
 * @c: the connection
 */
void ttcp_conn_put(struct ttcp_conn *c)
{
	kref_put(&c->kref, ttcp_conn_release);
}

static struct ttcp_conn *ttcp_conn_get(struct ttcp_transport *tt)
{
	struct ttcp_conn *c;

	spin_lock(&tt->lock);
	c = tt->conn;
	if (c)
		kref_get(&c->kref);
	spin_unlock(&tt->lock);
	return c;
}

/**
 * ttcp_conn_unhook() - take the established connection away from @tt
 * @tt: the instance
 *
 * Return: the connection with the instance's reference, now the
 * caller's, or NULL.
 */
struct ttcp_conn *ttcp_conn_unhook(struct ttcp_transport *tt)
{
	struct ttcp_conn *c;

	spin_lock(&tt->lock);
	c = tt->conn;
	tt->conn = NULL;
	spin_unlock(&tt->lock);
	return c;
}

/**
 * ttcp_conn_shutdown_put() - shut both sockets down, drop a reference
 * @c: an unhooked connection, or NULL
 *
 * Threads blocked in send or recv on @c return with an error; the
 * sockets are released when the last of them has dropped its reference.
 */
void ttcp_conn_shutdown_put(struct ttcp_conn *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < TANDEM_STREAM_COUNT; i++)
		kernel_sock_shutdown(c->sock[i], SHUT_RDWR);
	ttcp_conn_put(c);
}

static int ttcp_init(struct tandem_transport *t)
{
	struct ttcp_transport *tt = t->priv;
	struct net *net = &init_net;
	int i;

	/* Sockets live in the network namespace of who creates the instance. */
	if (current->nsproxy)
		net = current->nsproxy->net_ns;
	tt->net = get_net(net);
	mutex_init(&tt->sock_mutex);
	init_waitqueue_head(&tt->wq);
	spin_lock_init(&tt->lock);
	for (i = 0; i < TANDEM_STREAM_COUNT; i++) {
		mutex_init(&tt->send_mutex[i]);
		tt->rcvtimeo[i] = MAX_SCHEDULE_TIMEOUT;
	}
	return 0;
}

static void ttcp_disconnect(struct tandem_transport *t)
{
	struct ttcp_transport *tt = t->priv;
	struct ttcp_conn *c;
	int i;

	mutex_lock(&tt->sock_mutex);
	WRITE_ONCE(tt->aborted, true);
	for (i = 0; i < TTCP_PENDING_MAX; i++)
		if (tt->pending[i])
			kernel_sock_shutdown(tt->pending[i], SHUT_RDWR);
	/*
	 * Unhook under sock_mutex: a connect() that installs its connection
	 * does so under it too, after checking @aborted.
	 */
	c = ttcp_conn_unhook(tt);
	mutex_unlock(&tt->sock_mutex);
	wake_up_all(&tt->wq);
	ttcp_conn_shutdown_put(c);
}

static void ttcp_free(struct tandem_transport *t)
{
	struct ttcp_transport *tt = t->priv;
	int i;

	ttcp_disconnect(t);
	/* The core never frees an instance while it is connecting. */
	WARN_ON_ONCE(tt->connecting);
	for (i = 0; i < TANDEM_STREAM_COUNT; i++)
		mutex_destroy(&tt->send_mutex[i]);
	mutex_destroy(&tt->sock_mutex);
	put_net(tt->net);
}

static int ttcp_send(struct tandem_transport *t, enum tandem_stream stream,
		     const void *buf, size_t len, struct iov_iter *payload,
		     unsigned int flags)
{
	struct ttcp_transport *tt = t->priv;
	unsigned int more = (flags & TANDEM_SEND_MORE) ? MSG_MORE : 0;
	bool has_payload = payload && iov_iter_count(payload);
	struct socket *sock;
	struct ttcp_conn *c;
	int err = 0;

	if (stream >= TANDEM_STREAM_COUNT)
		return -EINVAL;
	c = ttcp_conn_get(tt);
	if (!c)
		return -ENOTCONN;
	sock = c->sock[stream];

	mutex_lock(&tt->send_mutex[stream]);
	if (len) {
		struct kvec kv = { .iov_base = (void *)buf, .iov_len = len };
		struct iov_iter it;

		iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, len);
		err = ttcp_sock_send_all(sock, &it, has_payload ? MSG_MORE : more);
	}
	/* sendmsg copies the payload: no page is referenced after return */
	if (!err && has_payload)
		err = ttcp_sock_send_all(sock, payload, more);
	mutex_unlock(&tt->send_mutex[stream]);

	ttcp_conn_put(c);
	return err;
}

static int ttcp_recv_iter(struct tandem_transport *t, enum tandem_stream stream,
			  struct iov_iter *iter)
{
	struct ttcp_transport *tt = t->priv;
	struct ttcp_conn *c;
	int err;

	if (stream >= TANDEM_STREAM_COUNT)
		return -EINVAL;
	c = ttcp_conn_get(tt);
	if (!c)
		return -ENOTCONN;
	err = ttcp_sock_recv_exact(c->sock[stream], iter,
				   READ_ONCE(tt->rcvtimeo[stream]));
	ttcp_conn_put(c);
	return err;
}

static int ttcp_recv(struct tandem_transport *t, enum tandem_stream stream,
		     void *buf, size_t len)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct iov_iter it;

	iov_iter_kvec(&it, ITER_DEST, &kv, 1, len);
	return ttcp_recv_iter(t, stream, &it);
}

static void ttcp_set_timeout(struct tandem_transport *t,
			     enum tandem_stream stream, long timeout)
{
	struct ttcp_transport *tt = t->priv;

	if (stream >= TANDEM_STREAM_COUNT)
		return;
	if (timeout < 0)
		timeout = MAX_SCHEDULE_TIMEOUT;
	WRITE_ONCE(tt->rcvtimeo[stream], timeout);
}

static void ttcp_hint_cork(struct tandem_transport *t,
			   enum tandem_stream stream, bool cork)
{
	struct ttcp_transport *tt = t->priv;
	struct ttcp_conn *c;

	if (stream >= TANDEM_STREAM_COUNT)
		return;
	c = ttcp_conn_get(tt);
	if (!c)
		return;
	/* uncorking pushes out whatever partial segment is queued */
	tcp_sock_set_cork(c->sock[stream]->sk, cork);
	ttcp_conn_put(c);
}

static void ttcp_stats(struct tandem_transport *t,
		       struct tandem_transport_stats *st)
{
	struct ttcp_transport *tt = t->priv;
	struct ttcp_conn *c;
	int i;

	memset(st, 0, sizeof(*st));
	c = ttcp_conn_get(tt);
	if (!c)
		return;
	for (i = 0; i < TANDEM_STREAM_COUNT; i++) {
		struct sock *sk = c->sock[i]->sk;
		const struct tcp_sock *tp = tcp_sk(sk);

		/* written by the sender but not yet acknowledged by the peer */
		st->send_buffer_used += (u32)(READ_ONCE(tp->write_seq) -
					      READ_ONCE(tp->snd_una));
		st->send_buffer_size += READ_ONCE(sk->sk_sndbuf);
		if (!sk_stream_is_writeable(sk))
			st->congested = true;
	}
	ttcp_conn_put(c);
}

static int ttcp_net_conf_change(struct tandem_transport *t,
				const struct tandem_net_conf *conf)
{
	struct ttcp_transport *tt = t->priv;
	struct ttcp_conn *c;
	int err, i;

	err = ttcp_conf_valid(conf);
	if (err)
		return err;
	spin_lock(&tt->lock);
	tt->conf = *conf;
	spin_unlock(&tt->lock);

	c = ttcp_conn_get(tt);
	if (!c)
		return 0;
	for (i = 0; i < TANDEM_STREAM_COUNT; i++) {
		struct sock *sk = c->sock[i]->sk;

		ttcp_sock_set_bufs(sk, conf);
		WRITE_ONCE(sk->sk_sndtimeo, ttcp_send_timeout(conf));
	}
	ttcp_conn_put(c);
	return 0;
}

static const struct tandem_transport_ops ttcp_ops = {
	.init		= ttcp_init,
	.free		= ttcp_free,
	.connect	= ttcp_connect,
	.disconnect	= ttcp_disconnect,
	.send		= ttcp_send,
	.recv		= ttcp_recv,
	.recv_iter	= ttcp_recv_iter,
	.set_timeout	= ttcp_set_timeout,
	.hint_cork	= ttcp_hint_cork,
	.stats		= ttcp_stats,
	.net_conf_change = ttcp_net_conf_change,
};

static struct tandem_transport_class ttcp_class = {
	.name		= "tcp",
	.version	= TANDEM_VERSION,
	.owner		= THIS_MODULE,
	.api_version	= TANDEM_TRANSPORT_API_VERSION,
	.instance_size	= sizeof(struct ttcp_transport),
	.ops		= &ttcp_ops,
};

static int __init ttcp_transport_init(void)
{
	BUILD_BUG_ON(sizeof(struct ttcp_preamble) != 16);
	return tandem_register_transport(&ttcp_class);
}

static void __exit ttcp_transport_exit(void)
{
	tandem_unregister_transport(&ttcp_class);
}

module_init(ttcp_transport_init);
module_exit(ttcp_transport_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tandem TCP transport");
MODULE_VERSION(TANDEM_VERSION);
