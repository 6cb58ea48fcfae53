// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - RDMA transport: connection setup with rdma_cm.
 *
 * A connection is two rdma_cm connections (RC QPs), one per stream. The
 * active end resolves the peer's address and route for each, creates the
 * stream's QP and posts its receive buffers, and connects with private
 * data (struct trdma_cm_priv: stream, a random cookie shared by both
 * connections of the attempt, its credits and buffer size, and how it
 * receives: by SEND, or by RDMA WRITE into slots it names). The passive
 * end listens on its address; its listener's event handler refuses
 * requests that do not come from the peer's address or carry bad private
 * data, and accepts the others after creating the stream's QP and posting
 * its receive buffers, answering with its own credits. connect() on the
 * passive end pairs an established DATA and CONTROL connection with equal
 * cookies; halves that find no partner within TRDMA_PAIR_TIMEOUT are
 * dropped. Each end sends the way the other receives; an end receiving by
 * RDMA WRITE registers its slots and grants them once its connection is
 * established (trdma_stream_grant()).
 *
 * Event handlers only record what happened and wake trdma_cm_wq (the
 * listener's also accepts): connect() does the waiting, and it destroys
 * every rdma_cm id of an attempt itself, never while holding cm_mutex,
 * which the listener's handler takes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <net/ipv6.h>

#include "rdma_int.h"

/* Accepting requests: every wake-up of the passive end looks around. */
#define TRDMA_PASSIVE_POLL	(HZ / 2)

static int trdma_addr_len(const struct sockaddr_storage *ss)
{
	switch (ss->ss_family) {
	case AF_INET:
		return sizeof(struct sockaddr_in);
	case AF_INET6:
		return IS_ENABLED(CONFIG_IPV6) ? sizeof(struct sockaddr_in6) : 0;
	}
	return 0;
}

static __be16 trdma_addr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_port;
	return ((const struct sockaddr_in6 *)ss)->sin6_port;
}

static void trdma_addr_set_port(struct sockaddr_storage *ss, __be16 port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = port;
	else
		((struct sockaddr_in6 *)ss)->sin6_port = port;
}

static bool trdma_addr_any(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr ==
		       htonl(INADDR_ANY);
	return ipv6_addr_any(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

static bool trdma_addr_same_ip(const struct sockaddr_storage *a,
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

/* Same rules as the TCP transport: one family, a real peer, the ports. */
static int trdma_path_valid(const struct tandem_path *path)
{
	if (!trdma_addr_len(&path->my_addr) ||
	    path->my_addr.ss_family != path->peer_addr.ss_family)
		return -EINVAL;
	if (trdma_addr_any(&path->peer_addr))
		return -EINVAL;
	if (path->active && !trdma_addr_port(&path->peer_addr))
		return -EINVAL;
	if (!path->active && !trdma_addr_port(&path->my_addr))
		return -EINVAL;
	return 0;
}

static void trdma_priv_fill(struct trdma_cm_priv *p, struct trdma_stream *s)
{
	memset(p, 0, sizeof(*p));
	p->magic = cpu_to_be32(TRDMA_PRIV_MAGIC);
	p->version = TRDMA_PRIV_VERSION;
	p->stream = s->stream;
	p->cookie = cpu_to_be64(s->cookie);
	p->credits = cpu_to_be32(s->rx_credits);
	p->buf_size = cpu_to_be32(s->rx_size);
	p->mode = s->rx_mode;
	if (s->rx_mode == TRDMA_MODE_WRITE) {
		p->rkey = cpu_to_be32(s->rx_rkey);
		p->addr = cpu_to_be64(s->rx_iova);
	}
}

/* Check the private data of @ev; fill in what it says. */
static int trdma_priv_parse(const struct rdma_cm_event *ev,
			    enum tandem_stream *stream, u64 *cookie,
			    struct trdma_peer_ring *peer)
{
	const struct trdma_cm_priv *p = ev->param.conn.private_data;
	u32 c, b;

	if (!p || ev->param.conn.private_data_len < sizeof(*p) ||
	    be32_to_cpu(p->magic) != TRDMA_PRIV_MAGIC)
		return -EPROTO;
	if (p->version != TRDMA_PRIV_VERSION) {
		pr_err_ratelimited("peer speaks connection setup version %u, we %u: load the same tandem_transport_rdma on both nodes\n",
				   p->version, TRDMA_PRIV_VERSION);
		return -EPROTO;
	}
	c = be32_to_cpu(p->credits);
	b = be32_to_cpu(p->buf_size);
	if (p->stream >= TANDEM_STREAM_COUNT || !c || c > TRDMA_IMM_CREDITS ||
	    b < 512 || b > TRDMA_BUF_BYTES_MAX || p->mode > TRDMA_MODE_WRITE ||
	    (p->mode == TRDMA_MODE_WRITE &&
	     (p->stream != TANDEM_STREAM_DATA || c > TRDMA_IMM_SLOT_MAX + 1)))
		return -EPROTO;	/* only DATA may be received by RDMA WRITE */
	*stream = p->stream;
	*cookie = be64_to_cpu(p->cookie);
	peer->credits = c;
	peer->buf_size = b;
	peer->mode = p->mode;
	peer->rkey = be32_to_cpu(p->rkey);
	peer->addr = be64_to_cpu(p->addr);
	return 0;
}

static void trdma_conn_param(struct rdma_conn_param *cp,
			     const struct trdma_cm_priv *p)
{
	memset(cp, 0, sizeof(*cp));
	cp->private_data = p;
	cp->private_data_len = sizeof(*p);
	cp->flow_control = 1;
	cp->retry_count = 7;
	/* credit updates may find no buffer for a moment: retry for ever */
	cp->rnr_retry_count = 7;
}

/**
 * trdma_stream_cm_handler() - rdma_cm events of a stream's connection
 * @id: the stream's rdma_cm id (context: the stream)
 * @ev: the event
 *
 * Records setup progress for connect(), the peer's buffers from the
 * reply of an active connection, grants a peer writing into our slots
 * its credits once established, and breaks the stream when the
 * connection goes away. Never destroys @id.
 *
 * Return: 0.
 */
int trdma_stream_cm_handler(struct rdma_cm_id *id, struct rdma_cm_event *ev)
{
	struct trdma_stream *s = id->context;
	struct trdma_peer_ring peer;
	enum tandem_stream stream;
	u64 cookie;

	switch (ev->event) {
	case RDMA_CM_EVENT_ADDR_RESOLVED:
	case RDMA_CM_EVENT_ROUTE_RESOLVED:
		WRITE_ONCE(s->cm_state, ev->event);
		wake_up_all(&trdma_cm_wq);
		break;
	case RDMA_CM_EVENT_ESTABLISHED:
		if (!s->peer_buf_size) {
			/* active end: the passive end's answer */
			if (trdma_priv_parse(ev, &stream, &cookie, &peer) ||
			    stream != s->stream || cookie != s->cookie) {
				pr_err_ratelimited("bad private data in the connection reply\n");
				WRITE_ONCE(s->cm_state, RDMA_CM_EVENT_REJECTED);
				trdma_stream_break(s);
				break;
			}
			trdma_stream_start(s, &peer);
		}
		trdma_stream_grant(s);
		spin_lock_bh(&s->lock);
		s->established = true;
		spin_unlock_bh(&s->lock);
		WRITE_ONCE(s->cm_state, ev->event);
		wake_up_all(&trdma_cm_wq);
		break;
	case RDMA_CM_EVENT_ADDR_ERROR:
	case RDMA_CM_EVENT_ROUTE_ERROR:
	case RDMA_CM_EVENT_CONNECT_ERROR:
	case RDMA_CM_EVENT_UNREACHABLE:
	case RDMA_CM_EVENT_REJECTED:
		pr_debug("stream %d: %s (%d)\n", s->stream,
			 rdma_event_msg(ev->event), ev->status);
		WRITE_ONCE(s->cm_state, ev->event);
		trdma_stream_break(s);
		break;
	case RDMA_CM_EVENT_DISCONNECTED:
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
	case RDMA_CM_EVENT_ADDR_CHANGE:
		pr_debug("stream %d: %s\n", s->stream,
			 rdma_event_msg(ev->event));
		trdma_stream_break(s);
		break;
	default:
		break;
	}
	return 0;
}

/* ---- active end ------------------------------------------------------ */

static bool trdma_cm_step_done(struct trdma_transport *tt,
			       struct trdma_stream *s, int want)
{
	return READ_ONCE(tt->aborted) || READ_ONCE(s->broken) ||
	       READ_ONCE(s->cm_state) == want;
}

/* Wait for the rdma_cm event @want on @s; an errno for anything else. */
static int trdma_cm_wait(struct trdma_transport *tt, struct trdma_stream *s,
			 int want)
{
	long r;

	r = wait_event_interruptible_timeout(trdma_cm_wq,
					     trdma_cm_step_done(tt, s, want),
					     TRDMA_HANDSHAKE_TIMEOUT);
	if (READ_ONCE(tt->aborted))
		return -ECONNABORTED;
	if (r < 0)
		return -EINTR;
	if (READ_ONCE(s->cm_state) == want && !READ_ONCE(s->broken))
		return 0;
	switch (READ_ONCE(s->cm_state)) {
	case RDMA_CM_EVENT_REJECTED:
		return -ECONNREFUSED;
	case RDMA_CM_EVENT_ADDR_ERROR:
	case RDMA_CM_EVENT_ROUTE_ERROR:
	case RDMA_CM_EVENT_UNREACHABLE:
		return -EHOSTUNREACH;
	}
	return r ? -ECONNRESET : -ETIMEDOUT;
}

/* Connect one stream of an active attempt. */
static int trdma_connect_stream(struct trdma_transport *tt,
				struct trdma_stream *s,
				const struct tandem_path *path,
				const struct tandem_net_conf *conf)
{
	struct sockaddr_storage local = path->my_addr;
	struct sockaddr_storage peer = path->peer_addr;
	struct rdma_conn_param cp;
	struct trdma_cm_priv priv;
	struct rdma_cm_id *id;
	int err;

	id = rdma_create_id(tt->net, trdma_stream_cm_handler, s, RDMA_PS_TCP,
			    IB_QPT_RC);
	if (IS_ERR(id))
		return PTR_ERR(id);
	s->cm_id = id;		/* destroyed with the stream */

	trdma_addr_set_port(&local, 0);
	err = rdma_resolve_addr(id, (struct sockaddr *)&local,
				(struct sockaddr *)&peer, TRDMA_RESOLVE_MS);
	if (err)
		return err;
	err = trdma_cm_wait(tt, s, RDMA_CM_EVENT_ADDR_RESOLVED);
	if (err)
		return err;
	err = rdma_resolve_route(id, TRDMA_RESOLVE_MS);
	if (err)
		return err;
	err = trdma_cm_wait(tt, s, RDMA_CM_EVENT_ROUTE_RESOLVED);
	if (err)
		return err;
	err = trdma_stream_setup(s, conf);
	if (err)
		return err;

	trdma_priv_fill(&priv, s);
	trdma_conn_param(&cp, &priv);
	mutex_lock(&s->mutex);
	err = s->dead ? -ENODEV : rdma_set_ack_timeout(id, TRDMA_ACK_TIMEOUT) ?:
				  rdma_connect(id, &cp);
	mutex_unlock(&s->mutex);
	if (err)
		return err;
	return trdma_cm_wait(tt, s, RDMA_CM_EVENT_ESTABLISHED);
}

/*
 * Make @s the instance's connection, unless disconnect() came first. On
 * success the streams belong to the connection; on error they are still
 * the caller's.
 */
static int trdma_install(struct trdma_transport *tt,
			 struct trdma_stream *s[TANDEM_STREAM_COUNT])
{
	struct trdma_conn *c, *old;
	int i;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	kref_init(&c->kref);
	for (i = 0; i < TANDEM_STREAM_COUNT; i++)
		c->s[i] = s[i];

	mutex_lock(&tt->cm_mutex);
	if (tt->aborted) {
		mutex_unlock(&tt->cm_mutex);
		kfree(c);
		return -ECONNABORTED;
	}
	spin_lock(&tt->lock);
	old = tt->conn;
	tt->conn = c;
	spin_unlock(&tt->lock);
	mutex_unlock(&tt->cm_mutex);

	trdma_conn_shutdown_put(old);	/* none: connect() dropped it */
	return 0;
}

/* One attempt of the active end. */
static int trdma_try_active(struct trdma_transport *tt,
			    const struct tandem_path *path,
			    const struct tandem_net_conf *conf)
{
	struct trdma_stream *s[TANDEM_STREAM_COUNT] = {};
	u64 cookie = get_random_u64();
	int i, err = 0;

	for (i = 0; i < TANDEM_STREAM_COUNT && !err; i++) {
		s[i] = trdma_stream_alloc(i);
		if (!s[i]) {
			err = -ENOMEM;
			break;
		}
		s[i]->cookie = cookie;
		err = trdma_connect_stream(tt, s[i], path, conf);
	}
	if (!err)
		err = trdma_install(tt, s);
	if (!err) {
		pr_info("connected to %pISpc (DATA: we receive by %s, send by %s)\n",
			&path->peer_addr,
			trdma_mode_name(s[TANDEM_STREAM_DATA]->rx_mode),
			trdma_mode_name(s[TANDEM_STREAM_DATA]->peer_mode));
		return 0;
	}
	for (i = 0; i < TANDEM_STREAM_COUNT; i++) {
		if (!s[i])
			continue;
		trdma_stream_shutdown(s[i]);
		trdma_stream_put(s[i]);
	}
	return err;
}

/* ---- passive end ----------------------------------------------------- */

/* Park @s for connect() to release; false if there is no room. */
static bool trdma_stale_add(struct trdma_transport *tt, struct trdma_stream *s)
{
	lockdep_assert_held(&tt->cm_mutex);
	if (tt->nr_stale >= ARRAY_SIZE(tt->stale))
		return false;
	tt->stale[tt->nr_stale++] = s;
	return true;
}

/*
 * A connection request on the listener: check it, set the stream up and
 * accept it, then hand it to connect() as a half. Runs in the request's
 * event handler, with the new id's and the listener's handler mutexes
 * held. A non-zero return makes rdma_cm reject and destroy @id.
 */
static int trdma_passive_request(struct trdma_transport *tt,
				 struct rdma_cm_id *id,
				 struct rdma_cm_event *ev)
{
	struct sockaddr_storage *src = &id->route.addr.dst_addr;
	struct tandem_net_conf conf;
	struct rdma_conn_param cp;
	struct trdma_cm_priv priv;
	struct trdma_peer_ring peer;
	enum tandem_stream stream, o;
	struct trdma_stream *s;
	u64 cookie;
	bool ok;
	int err;

	mutex_lock(&tt->cm_mutex);
	ok = tt->connecting && !tt->aborted;
	if (ok && !trdma_addr_same_ip(src, &tt->path.peer_addr)) {
		pr_warn_ratelimited("dropping connection from %pISc: expecting %pISc\n",
				    src, &tt->path.peer_addr);
		ok = false;
	}
	mutex_unlock(&tt->cm_mutex);
	if (!ok)
		return -ECONNREFUSED;
	if (trdma_priv_parse(ev, &stream, &cookie, &peer)) {
		pr_warn_ratelimited("dropping connection from %pISc: bad private data\n",
				    src);
		return -EPROTO;
	}
	spin_lock(&tt->lock);
	conf = tt->conf;
	spin_unlock(&tt->lock);

	s = trdma_stream_alloc(stream);
	if (!s)
		return -ENOMEM;
	s->cookie = cookie;
	s->cm_id = id;
	/* later events of @id are the stream's */
	id->context = s;
	id->event_handler = trdma_stream_cm_handler;

	err = trdma_stream_setup(s, &conf);
	if (err)
		goto out_put;
	trdma_stream_start(s, &peer);
	trdma_priv_fill(&priv, s);
	trdma_conn_param(&cp, &priv);
	mutex_lock(&s->mutex);
	err = s->dead ? -ENODEV : rdma_set_ack_timeout(id, TRDMA_ACK_TIMEOUT) ?:
				  rdma_accept(id, &cp);
	mutex_unlock(&s->mutex);
	if (err)
		goto out_put;

	mutex_lock(&tt->cm_mutex);
	err = -ECONNABORTED;
	if (!tt->connecting || tt->aborted)
		goto out_unlock;
	o = stream == TANDEM_STREAM_DATA ? TANDEM_STREAM_CONTROL :
					   TANDEM_STREAM_DATA;
	err = -EBUSY;
	if (tt->nr_stale + 2 > ARRAY_SIZE(tt->stale))
		goto out_unlock;
	/* a newer attempt replaces what an older one left */
	if (tt->half[stream])
		trdma_stale_add(tt, tt->half[stream]);
	tt->half[stream] = NULL;
	if (tt->half[o] && tt->half[o]->cookie != cookie) {
		trdma_stale_add(tt, tt->half[o]);
		tt->half[o] = NULL;
	}
	tt->half[stream] = s;
	tt->half_expires[stream] = jiffies + TRDMA_PAIR_TIMEOUT;
	mutex_unlock(&tt->cm_mutex);
	wake_up_all(&trdma_cm_wq);
	return 0;

out_unlock:
	mutex_unlock(&tt->cm_mutex);
out_put:
	/* rdma_cm destroys @id when we return an error: not ours any more */
	trdma_stream_break(s);
	trdma_stream_teardown(s);
	mutex_lock(&s->mutex);
	s->cm_id = NULL;
	mutex_unlock(&s->mutex);
	trdma_stream_put(s);
	return err;
}

static int trdma_listen_handler(struct rdma_cm_id *id, struct rdma_cm_event *ev)
{
	struct trdma_transport *tt = id->context;

	switch (ev->event) {
	case RDMA_CM_EVENT_CONNECT_REQUEST:
		return trdma_passive_request(tt, id, ev);
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
	case RDMA_CM_EVENT_ADDR_CHANGE:
		/* connect() destroys the listener and listens again */
		mutex_lock(&tt->cm_mutex);
		tt->listen_gone = true;
		mutex_unlock(&tt->cm_mutex);
		wake_up_all(&trdma_cm_wq);
		break;
	default:
		break;
	}
	return 0;
}

static bool trdma_half_ready(struct trdma_stream *s)
{
	return s && READ_ONCE(s->established) && !READ_ONCE(s->broken);
}

/*
 * Under cm_mutex: move stale, expired and broken halves to @drop, and
 * take a complete pair into @pair. Return: true if @pair is complete.
 */
static bool trdma_passive_collect(struct trdma_transport *tt,
				  struct trdma_stream **drop,
				  unsigned int *nr_drop,
				  struct trdma_stream *pair[TANDEM_STREAM_COUNT])
{
	struct trdma_stream **h = tt->half;
	unsigned int i;

	lockdep_assert_held(&tt->cm_mutex);
	for (i = 0; i < tt->nr_stale; i++)
		drop[(*nr_drop)++] = tt->stale[i];
	tt->nr_stale = 0;
	for (i = 0; i < TANDEM_STREAM_COUNT; i++) {
		if (h[i] && (READ_ONCE(h[i]->broken) ||
			     time_after(jiffies, tt->half_expires[i]))) {
			drop[(*nr_drop)++] = h[i];
			h[i] = NULL;
		}
	}
	if (!trdma_half_ready(h[TANDEM_STREAM_DATA]) ||
	    !trdma_half_ready(h[TANDEM_STREAM_CONTROL]) ||
	    h[TANDEM_STREAM_DATA]->cookie != h[TANDEM_STREAM_CONTROL]->cookie)
		return false;
	for (i = 0; i < TANDEM_STREAM_COUNT; i++) {
		pair[i] = h[i];
		h[i] = NULL;
	}
	return true;
}

static void trdma_streams_put(struct trdma_stream **s, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		trdma_stream_shutdown(s[i]);
		trdma_stream_put(s[i]);
	}
}

/* Accept until a DATA and a CONTROL connection of one attempt pair up. */
static int trdma_accept_pair(struct trdma_transport *tt,
			     const struct tandem_path *path)
{
	struct trdma_stream *drop[ARRAY_SIZE(tt->stale) + TANDEM_STREAM_COUNT];
	struct trdma_stream *pair[TANDEM_STREAM_COUNT];
	unsigned int nr_drop;
	bool paired;
	int err;

	for (;;) {
		wait_event_interruptible_timeout(trdma_cm_wq,
						 READ_ONCE(tt->aborted) ||
						 READ_ONCE(tt->listen_gone) ||
						 READ_ONCE(tt->nr_stale) ||
						 (trdma_half_ready(READ_ONCE(tt->half[0])) &&
						  trdma_half_ready(READ_ONCE(tt->half[1]))),
						 TRDMA_PASSIVE_POLL);
		nr_drop = 0;
		mutex_lock(&tt->cm_mutex);
		paired = trdma_passive_collect(tt, drop, &nr_drop, pair);
		err = tt->aborted ? -ECONNABORTED :
		      tt->listen_gone ? -ENETDOWN : 0;
		mutex_unlock(&tt->cm_mutex);
		trdma_streams_put(drop, nr_drop);
		if (paired) {
			struct trdma_stream *d = pair[TANDEM_STREAM_DATA];
			enum trdma_data_mode in = d->rx_mode, out = d->peer_mode;

			err = err ?: trdma_install(tt, pair);
			if (!err) {
				pr_info("connected with %pISc (DATA: we receive by %s, send by %s)\n",
					&path->peer_addr, trdma_mode_name(in),
					trdma_mode_name(out));
				return 0;
			}
			trdma_streams_put(pair, TANDEM_STREAM_COUNT);
			return err;
		}
		if (err)
			return err;
		if (signal_pending(current))
			return -EINTR;
	}
}

/* One attempt of the passive end: listen until a pair is made. */
static int trdma_try_passive(struct trdma_transport *tt,
			     const struct tandem_path *path)
{
	struct trdma_stream *drop[ARRAY_SIZE(tt->stale) + TANDEM_STREAM_COUNT];
	struct sockaddr_storage local = path->my_addr;
	struct trdma_stream *pair[TANDEM_STREAM_COUNT];
	unsigned int nr_drop = 0;
	struct rdma_cm_id *id;
	int err;

	mutex_lock(&tt->cm_mutex);
	tt->listen_gone = false;
	mutex_unlock(&tt->cm_mutex);
	id = rdma_create_id(tt->net, trdma_listen_handler, tt, RDMA_PS_TCP,
			    IB_QPT_RC);
	if (IS_ERR(id))
		return PTR_ERR(id);
	err = rdma_bind_addr(id, (struct sockaddr *)&local);
	if (err)
		goto out_destroy_id;
	err = rdma_listen(id, TRDMA_BACKLOG);
	if (err)
		goto out_destroy_id;
	err = trdma_accept_pair(tt, path);

out_destroy_id:
	/* no request handler runs after this: the halves are final */
	rdma_destroy_id(id);
	mutex_lock(&tt->cm_mutex);
	tt->half_expires[0] = jiffies - 1;
	tt->half_expires[1] = jiffies - 1;
	if (trdma_passive_collect(tt, drop, &nr_drop, pair))
		trdma_streams_put(pair, TANDEM_STREAM_COUNT);
	mutex_unlock(&tt->cm_mutex);
	trdma_streams_put(drop, nr_drop);
	return err;
}

/* ---- connect --------------------------------------------------------- */

/*
 * Sleep until the next attempt.
 * Return: 0, -ECONNABORTED after disconnect(), -EINTR on a signal.
 */
static int trdma_wait_retry(struct trdma_transport *tt)
{
	unsigned int secs;
	long timeo, r;

	spin_lock(&tt->lock);
	secs = tt->conf.connect_int;
	spin_unlock(&tt->lock);
	timeo = min_t(u64, (u64)secs * HZ, MAX_SCHEDULE_TIMEOUT - 1);
	r = wait_event_interruptible_timeout(trdma_cm_wq,
					     READ_ONCE(tt->aborted), timeo);
	if (READ_ONCE(tt->aborted))
		return -ECONNABORTED;
	if (r < 0)
		return -EINTR;
	return 0;
}

/* What an attempt's error means: done, or worth another attempt. */
static int trdma_attempt_result(struct trdma_transport *tt, int err)
{
	if (!err)
		return 0;
	if (READ_ONCE(tt->aborted))
		return -ECONNABORTED;
	if (err == -EINTR || err == -ERESTARTSYS || signal_pending(current))
		return -EINTR;
	return err;
}

static bool trdma_err_retry(int err)
{
	switch (err) {
	case 0:
	case -ECONNABORTED:
	case -EINTR:
	case -EAFNOSUPPORT:
		return false;
	}
	return true;
}

/**
 * trdma_connect() - &tandem_transport_ops.connect of the RDMA transport
 * @t: the instance
 * @path: addresses and role
 * @conf: net options
 *
 * Return: 0 once both streams are established; -ECONNABORTED after
 * disconnect(); -EINTR on a signal; -EINVAL for bad addresses or options;
 * -EBUSY if another connect() is running on @t.
 */
int trdma_connect(struct tandem_transport *t, const struct tandem_path *path,
		  const struct tandem_net_conf *conf)
{
	struct trdma_transport *tt = t->priv;
	struct trdma_conn *old;
	int err, last_err = 0;

	err = trdma_path_valid(path);
	if (!err)
		err = trdma_conf_valid(conf);
	if (err)
		return err;

	mutex_lock(&tt->cm_mutex);
	if (tt->connecting) {
		mutex_unlock(&tt->cm_mutex);
		return -EBUSY;
	}
	tt->connecting = true;
	tt->path = *path;
	WRITE_ONCE(tt->aborted, false);
	old = trdma_conn_unhook(tt);	/* a new connection replaces the old */
	mutex_unlock(&tt->cm_mutex);
	trdma_conn_shutdown_put(old);

	spin_lock(&tt->lock);
	tt->conf = *conf;
	spin_unlock(&tt->lock);

	/* ends by success, disconnect() or a signal; one attempt per connect_int */
	for (;;) {
		if (path->active)
			err = trdma_try_active(tt, path, conf);
		else
			err = trdma_try_passive(tt, path);
		err = trdma_attempt_result(tt, err);
		if (!trdma_err_retry(err))
			break;
		if (err != last_err)
			pr_debug("%s %pISpc: %d, retrying\n",
				 path->active ? "connecting to" : "listening on",
				 path->active ? &path->peer_addr : &path->my_addr,
				 err);
		last_err = err;
		err = trdma_wait_retry(tt);
		if (err)
			break;
	}

	mutex_lock(&tt->cm_mutex);
	tt->connecting = false;
	mutex_unlock(&tt->cm_mutex);
	return err;
}
