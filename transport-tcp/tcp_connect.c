// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - TCP transport: connection setup.
 *
 * A connection is two TCP sockets, one per stream. The active end
 * connects both from its own address to the peer and sends a HELLO
 * preamble on each (stream id and a random cookie shared by both sockets
 * of the attempt); the passive end listens, drops connections that do not
 * come from the peer's address, reads each HELLO with a short timeout,
 * and pairs a DATA and a CONTROL socket with equal cookies. It answers
 * both with an ACCEPT, and the active end returns once it has read both
 * ACCEPTs. Half-made pairs are dropped after TTCP_PAIR_TIMEOUT.
 *
 * Every socket of an attempt in progress is registered in
 * &ttcp_transport.pending, under sock_mutex, before anything blocks on
 * it; disconnect() shuts all of them down under the same mutex and sets
 * @aborted, so every wait of the attempt ends at once. A socket is
 * unregistered (again under the mutex) before it is released, so
 * disconnect() never touches a released socket.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/uio.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "tcp_int.h"

#define TTCP_BACKLOG	8

/**
 * struct ttcp_half - a socket of the passive end waiting for its partner
 * @sock: the socket (registered in &ttcp_transport.pending), or NULL
 * @cookie: cookie of its HELLO
 * @expires: jiffies after which it is dropped
 */
struct ttcp_half {
	struct socket *sock;
	u64 cookie;
	unsigned long expires;
};

static int ttcp_addr_len(const struct sockaddr_storage *ss)
{
	switch (ss->ss_family) {
	case AF_INET:
		return sizeof(struct sockaddr_in);
	case AF_INET6:
		return IS_ENABLED(CONFIG_IPV6) ? sizeof(struct sockaddr_in6) : 0;
	}
	return 0;
}

static __be16 ttcp_addr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_port;
	return ((const struct sockaddr_in6 *)ss)->sin6_port;
}

static void ttcp_addr_set_port(struct sockaddr_storage *ss, __be16 port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = port;
	else
		((struct sockaddr_in6 *)ss)->sin6_port = port;
}

static bool ttcp_addr_any(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr ==
		       htonl(INADDR_ANY);
	return ipv6_addr_any(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

static bool ttcp_addr_same_ip(const struct sockaddr_storage *a,
			      const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return ipv6_addr_equal(&((const struct sockaddr_in6 *)a)->sin6_addr,
			       &((const struct sockaddr_in6 *)b)->sin6_addr);
}

/*
 * Both addresses of one family (IPv4 or IPv6), a real peer address, and a
 * port where one is needed: the peer's for the active end, ours for the
 * passive end.
 */
static int ttcp_path_valid(const struct tandem_path *path)
{
	if (!ttcp_addr_len(&path->my_addr) ||
	    path->my_addr.ss_family != path->peer_addr.ss_family)
		return -EINVAL;
	if (ttcp_addr_any(&path->peer_addr))
		return -EINVAL;
	if (path->active && !ttcp_addr_port(&path->peer_addr))
		return -EINVAL;
	if (!path->active && !ttcp_addr_port(&path->my_addr))
		return -EINVAL;
	return 0;
}

static int ttcp_pending_add(struct ttcp_transport *tt, struct socket *sock)
{
	int i, err = -EBUSY;

	mutex_lock(&tt->sock_mutex);
	if (tt->aborted) {
		err = -ECONNABORTED;
		goto out_unlock;
	}
	for (i = 0; i < TTCP_PENDING_MAX; i++) {
		if (!tt->pending[i]) {
			tt->pending[i] = sock;
			err = 0;
			break;
		}
	}
	WARN_ON_ONCE(err);
out_unlock:
	mutex_unlock(&tt->sock_mutex);
	return err;
}

static void __ttcp_pending_del(struct ttcp_transport *tt, struct socket *sock)
{
	int i;

	lockdep_assert_held(&tt->sock_mutex);
	for (i = 0; i < TTCP_PENDING_MAX; i++)
		if (tt->pending[i] == sock)
			tt->pending[i] = NULL;
}

/* Unregister a pending socket and release it; NULL is ignored. */
static void ttcp_pending_release(struct ttcp_transport *tt, struct socket *sock)
{
	if (!sock)
		return;
	mutex_lock(&tt->sock_mutex);
	__ttcp_pending_del(tt, sock);
	mutex_unlock(&tt->sock_mutex);
	sock_release(sock);
}

static void ttcp_sock_prepare(struct socket *sock)
{
	struct sock *sk = sock->sk;

	/* We carry block I/O: never recurse into the block layer. */
	sk->sk_allocation = GFP_NOIO;
	sk->sk_use_task_frag = false;
	WRITE_ONCE(sk->sk_sndtimeo, TTCP_HANDSHAKE_TIMEOUT);
}

/* A new socket, registered as pending, with the buffer sizes of @conf. */
static int ttcp_sock_create(struct ttcp_transport *tt, int family,
			    const struct tandem_net_conf *conf,
			    struct socket **res)
{
	struct socket *sock;
	int err;

	err = sock_create_kern(tt->net, family, SOCK_STREAM, IPPROTO_TCP,
			       &sock);
	if (err)
		return err;
	ttcp_sock_prepare(sock);
	ttcp_sock_set_bufs(sock->sk, conf);
	err = ttcp_pending_add(tt, sock);
	if (err) {
		sock_release(sock);
		return err;
	}
	*res = sock;
	return 0;
}

static int ttcp_send_preamble(struct socket *sock, u8 kind,
			      enum tandem_stream stream, u64 cookie)
{
	struct ttcp_preamble p = {
		.magic = cpu_to_be32(TTCP_PREAMBLE_MAGIC),
		.version = TTCP_PREAMBLE_VERSION,
		.kind = kind,
		.stream = cpu_to_be16(stream),
		.cookie = cpu_to_be64(cookie),
	};
	struct kvec kv = { .iov_base = &p, .iov_len = sizeof(p) };
	struct iov_iter it;

	iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, sizeof(p));
	return ttcp_sock_send_all(sock, &it, 0);
}

/* Read a preamble of @kind; -EPROTO if it is anything else. */
static int ttcp_recv_preamble(struct socket *sock, u8 kind, long timeo,
			      enum tandem_stream *stream, u64 *cookie)
{
	struct ttcp_preamble p;
	struct kvec kv = { .iov_base = &p, .iov_len = sizeof(p) };
	struct iov_iter it;
	int err;

	iov_iter_kvec(&it, ITER_DEST, &kv, 1, sizeof(p));
	err = ttcp_sock_recv_exact(sock, &it, timeo);
	if (err)
		return err;
	if (be32_to_cpu(p.magic) != TTCP_PREAMBLE_MAGIC ||
	    p.version != TTCP_PREAMBLE_VERSION || p.kind != kind ||
	    be16_to_cpu(p.stream) >= TANDEM_STREAM_COUNT)
		return -EPROTO;
	*stream = be16_to_cpu(p.stream);
	*cookie = be64_to_cpu(p.cookie);
	return 0;
}

/*
 * Make @s (registered as pending) the instance's connection, unless
 * disconnect() came first. On success the sockets belong to the
 * connection; on error they are still pending and the caller's.
 */
static int ttcp_install(struct ttcp_transport *tt,
			struct socket *s[TANDEM_STREAM_COUNT])
{
	struct tandem_net_conf conf;
	struct ttcp_conn *c, *old;
	int i;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	kref_init(&c->kref);

	spin_lock(&tt->lock);
	conf = tt->conf;
	spin_unlock(&tt->lock);
	for (i = 0; i < TANDEM_STREAM_COUNT; i++) {
		struct sock *sk = s[i]->sk;

		sock_set_keepalive(sk);
		tcp_sock_set_keepidle(sk, TTCP_KEEPIDLE);
		tcp_sock_set_keepintvl(sk, TTCP_KEEPINTVL);
		tcp_sock_set_keepcnt(sk, TTCP_KEEPCNT);
		ttcp_sock_set_bufs(sk, &conf);
		WRITE_ONCE(sk->sk_sndtimeo, ttcp_send_timeout(&conf));
		c->sock[i] = s[i];
	}
	/*
	 * Nothing waits for Nagle: acks and pings go out at once, and so do
	 * writes and barriers; batching on DATA comes from MSG_MORE, which
	 * the core sets while more packets are queued behind the current one.
	 */
	tcp_sock_set_nodelay(s[TANDEM_STREAM_CONTROL]->sk);
	tcp_sock_set_nodelay(s[TANDEM_STREAM_DATA]->sk);

	mutex_lock(&tt->sock_mutex);
	if (tt->aborted) {
		mutex_unlock(&tt->sock_mutex);
		kfree(c);
		return -ECONNABORTED;
	}
	for (i = 0; i < TANDEM_STREAM_COUNT; i++)
		__ttcp_pending_del(tt, s[i]);
	spin_lock(&tt->lock);
	old = tt->conn;
	tt->conn = c;
	spin_unlock(&tt->lock);
	mutex_unlock(&tt->sock_mutex);

	ttcp_conn_shutdown_put(old);	/* none: connect() dropped it */
	return 0;
}

static bool ttcp_handshake_over(struct ttcp_transport *tt, struct sock *sk)
{
	return READ_ONCE(tt->aborted) ||
	       !((1 << READ_ONCE(sk->sk_state)) & (TCPF_SYN_SENT | TCPF_SYN_RECV));
}

/* Connect @sock from our address (any port) to the peer. */
static int ttcp_connect_sock(struct ttcp_transport *tt, struct socket *sock,
			     const struct tandem_path *path)
{
	struct sockaddr_storage local = path->my_addr;
	struct sockaddr_storage peer = path->peer_addr;
	struct sock *sk = sock->sk;
	long left;
	int err;

	ttcp_addr_set_port(&local, 0);
	err = kernel_bind(sock, (struct sockaddr *)&local, ttcp_addr_len(&local));
	if (err)
		return err;
	/*
	 * Non-blocking connect, then wait for the handshake ourselves: a
	 * disconnect() that shut the socket down before the SYN went out
	 * is seen through @aborted, which a blocking connect would not see.
	 */
	err = kernel_connect(sock, (struct sockaddr *)&peer, ttcp_addr_len(&peer),
			     O_NONBLOCK);
	if (err && err != -EINPROGRESS)
		return err;
	left = wait_event_interruptible_timeout(*sk_sleep(sk),
						ttcp_handshake_over(tt, sk),
						TTCP_HANDSHAKE_TIMEOUT);
	if (left < 0)
		return -EINTR;
	if (READ_ONCE(tt->aborted))
		return -ECONNABORTED;
	if (READ_ONCE(sk->sk_state) == TCP_ESTABLISHED)
		return 0;
	err = sock_error(sk);
	if (err)
		return err;
	return left ? -ECONNREFUSED : -ETIMEDOUT;
}

/* One attempt of the active end. */
static int ttcp_try_active(struct ttcp_transport *tt,
			   const struct tandem_path *path,
			   const struct tandem_net_conf *conf)
{
	struct socket *s[TANDEM_STREAM_COUNT] = {};
	u64 cookie = get_random_u64();
	enum tandem_stream stream;
	u64 echo;
	int i, err;

	for (i = 0; i < TANDEM_STREAM_COUNT; i++) {
		err = ttcp_sock_create(tt, path->my_addr.ss_family, conf, &s[i]);
		if (err)
			goto out_release;
		err = ttcp_connect_sock(tt, s[i], path);
		if (err)
			goto out_release;
		err = ttcp_send_preamble(s[i], TTCP_PREAMBLE_HELLO, i, cookie);
		if (err)
			goto out_release;
	}
	for (i = 0; i < TANDEM_STREAM_COUNT; i++) {
		err = ttcp_recv_preamble(s[i], TTCP_PREAMBLE_ACCEPT,
					 TTCP_HANDSHAKE_TIMEOUT, &stream, &echo);
		if (!err && (stream != i || echo != cookie))
			err = -EPROTO;
		if (err)
			goto out_release;
	}
	err = ttcp_install(tt, s);
	if (!err) {
		pr_info("connected to %pISpc\n", &path->peer_addr);
		return 0;
	}
out_release:
	for (i = 0; i < TANDEM_STREAM_COUNT; i++)
		ttcp_pending_release(tt, s[i]);
	return err;
}

static int ttcp_listen(struct ttcp_transport *tt, const struct tandem_path *path,
		       const struct tandem_net_conf *conf, struct socket **res)
{
	struct sockaddr_storage local = path->my_addr;
	struct socket *ls;
	int err;

	err = ttcp_sock_create(tt, local.ss_family, conf, &ls);
	if (err)
		return err;
	sock_set_reuseaddr(ls->sk);
	err = kernel_bind(ls, (struct sockaddr *)&local, ttcp_addr_len(&local));
	if (err)
		goto out_release;
	err = kernel_listen(ls, TTCP_BACKLOG);
	if (err)
		goto out_release;
	*res = ls;
	return 0;

out_release:
	ttcp_pending_release(tt, ls);
	return err;
}

static bool ttcp_peer_allowed(struct socket *sock, const struct tandem_path *path)
{
	struct sockaddr_storage ss = {};

	if (kernel_getpeername(sock, (struct sockaddr *)&ss) < 0)
		return false;
	if (ttcp_addr_same_ip(&ss, &path->peer_addr))
		return true;
	pr_warn_ratelimited("dropping connection from %pISc: expecting %pISc\n",
			    &ss, &path->peer_addr);
	return false;
}

static void ttcp_half_drop(struct ttcp_transport *tt, struct ttcp_half *h)
{
	ttcp_pending_release(tt, h->sock);
	h->sock = NULL;
}

/* Both halves are held: answer each with an ACCEPT and install them. */
static int ttcp_pair_done(struct ttcp_transport *tt,
			  struct ttcp_half half[TANDEM_STREAM_COUNT])
{
	struct socket *s[TANDEM_STREAM_COUNT];
	int i, err;

	for (i = 0; i < TANDEM_STREAM_COUNT; i++) {
		s[i] = half[i].sock;
		err = ttcp_send_preamble(s[i], TTCP_PREAMBLE_ACCEPT, i,
					 half[i].cookie);
		if (err)
			return err;
	}
	err = ttcp_install(tt, s);
	if (err)
		return err;
	for (i = 0; i < TANDEM_STREAM_COUNT; i++)
		half[i].sock = NULL;
	return 0;
}

/* Accept until a DATA and a CONTROL socket of one attempt are paired. */
static int ttcp_accept_pair(struct ttcp_transport *tt,
			    const struct tandem_path *path, struct socket *ls)
{
	struct ttcp_half half[TANDEM_STREAM_COUNT] = {};
	int i, err;

	for (;;) {
		enum tandem_stream s, o;
		struct socket *ns;
		u64 cookie;

		if (READ_ONCE(tt->aborted)) {
			err = -ECONNABORTED;
			break;
		}
		if (signal_pending(current)) {
			err = -EINTR;
			break;
		}
		for (i = 0; i < TANDEM_STREAM_COUNT; i++)
			if (half[i].sock && time_after(jiffies, half[i].expires))
				ttcp_half_drop(tt, &half[i]);

		/* wake up now and then to expire halves */
		WRITE_ONCE(ls->sk->sk_rcvtimeo, TTCP_ACCEPT_POLL);
		err = kernel_accept(ls, &ns, 0);
		if (err == -EAGAIN)
			continue;
		if (err)
			break;
		err = ttcp_pending_add(tt, ns);
		if (err) {
			sock_release(ns);
			break;
		}
		ttcp_sock_prepare(ns);
		if (!ttcp_peer_allowed(ns, path)) {
			ttcp_pending_release(tt, ns);
			continue;
		}
		err = ttcp_recv_preamble(ns, TTCP_PREAMBLE_HELLO,
					 TTCP_PREAMBLE_TIMEOUT, &s, &cookie);
		if (err) {
			pr_debug("no valid preamble: %d\n", err);
			ttcp_pending_release(tt, ns);
			continue;
		}
		o = s == TANDEM_STREAM_DATA ? TANDEM_STREAM_CONTROL :
					      TANDEM_STREAM_DATA;
		/* a newer attempt replaces what an older one left */
		ttcp_half_drop(tt, &half[s]);
		if (half[o].sock && half[o].cookie != cookie)
			ttcp_half_drop(tt, &half[o]);
		half[s].sock = ns;
		half[s].cookie = cookie;
		half[s].expires = jiffies + TTCP_PAIR_TIMEOUT;
		if (!half[o].sock)
			continue;

		err = ttcp_pair_done(tt, half);
		if (!err) {
			pr_info("connected with %pISc\n", &path->peer_addr);
			return 0;
		}
		for (i = 0; i < TANDEM_STREAM_COUNT; i++)
			ttcp_half_drop(tt, &half[i]);
	}
	for (i = 0; i < TANDEM_STREAM_COUNT; i++)
		ttcp_half_drop(tt, &half[i]);
	return err;
}

/* One attempt of the passive end: listen until a pair is made. */
static int ttcp_try_passive(struct ttcp_transport *tt,
			    const struct tandem_path *path,
			    const struct tandem_net_conf *conf)
{
	struct socket *ls;
	int err;

	err = ttcp_listen(tt, path, conf, &ls);
	if (err)
		return err;
	err = ttcp_accept_pair(tt, path, ls);
	ttcp_pending_release(tt, ls);
	return err;
}

/*
 * Sleep until the next attempt.
 * Return: 0, -ECONNABORTED after disconnect(), -EINTR on a signal.
 */
static int ttcp_wait_retry(struct ttcp_transport *tt)
{
	unsigned int secs;
	long timeo, r;

	spin_lock(&tt->lock);
	secs = tt->conf.connect_int;
	spin_unlock(&tt->lock);
	timeo = min_t(u64, (u64)secs * HZ, MAX_SCHEDULE_TIMEOUT - 1);
	r = wait_event_interruptible_timeout(tt->wq, READ_ONCE(tt->aborted),
					     timeo);
	if (READ_ONCE(tt->aborted))
		return -ECONNABORTED;
	if (r < 0)
		return -EINTR;
	return 0;
}

/* What an attempt's error means: done, or worth another attempt. */
static int ttcp_attempt_result(struct ttcp_transport *tt, int err)
{
	if (!err)
		return 0;
	if (READ_ONCE(tt->aborted))
		return -ECONNABORTED;
	if (err == -EINTR || err == -ERESTARTSYS || signal_pending(current))
		return -EINTR;
	return err;
}

static bool ttcp_err_retry(int err)
{
	switch (err) {
	case 0:
	case -ECONNABORTED:
	case -EINTR:
	case -EAFNOSUPPORT:		/* no IPv6 in this kernel */
	case -EPROTONOSUPPORT:
		return false;
	}
	return true;
}

/**
 * ttcp_connect() - &tandem_transport_ops.connect of the TCP transport
 * @t: the instance
 * @path: addresses and role
 * @conf: net options
 *
 * Return: 0 once both streams are established; -ECONNABORTED after
 * disconnect(); -EINTR on a signal; -EINVAL for bad addresses or options;
 * -EBUSY if another connect() is running on @t.
 */
int ttcp_connect(struct tandem_transport *t, const struct tandem_path *path,
		 const struct tandem_net_conf *conf)
{
	struct ttcp_transport *tt = t->priv;
	struct ttcp_conn *old;
	int err, last_err = 0;

	err = ttcp_path_valid(path);
	if (!err)
		err = ttcp_conf_valid(conf);
	if (err)
		return err;

	mutex_lock(&tt->sock_mutex);
	if (tt->connecting) {
		mutex_unlock(&tt->sock_mutex);
		return -EBUSY;
	}
	tt->connecting = true;
	WRITE_ONCE(tt->aborted, false);
	old = ttcp_conn_unhook(tt);	/* a new connection replaces the old */
	mutex_unlock(&tt->sock_mutex);
	ttcp_conn_shutdown_put(old);

	spin_lock(&tt->lock);
	tt->conf = *conf;
	spin_unlock(&tt->lock);

	/* ends by success, disconnect() or a signal; one attempt per connect_int */
	for (;;) {
		if (path->active)
			err = ttcp_try_active(tt, path, conf);
		else
			err = ttcp_try_passive(tt, path, conf);
		err = ttcp_attempt_result(tt, err);
		if (!ttcp_err_retry(err))
			break;
		if (err != last_err)
			pr_debug("%s %pISpc: %d, retrying\n",
				 path->active ? "connecting to" : "listening on",
				 path->active ? &path->peer_addr : &path->my_addr,
				 err);
		last_err = err;
		err = ttcp_wait_retry(tt);
		if (err)
			break;
	}

	mutex_lock(&tt->sock_mutex);
	tt->connecting = false;
	mutex_unlock(&tt->sock_mutex);
	return err;
}
