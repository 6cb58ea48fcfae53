// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - connection lifecycle: the worker thread that connects, shakes
 * hands, receives on the DATA stream and cleans up after a loss; sending
 * packets; orderly and forced disconnects.
 *
 * The worker owns the transport instance. Other threads use it under
 * c->transport_sem (read); the worker takes it for writing to replace or
 * destroy the instance, after ops->disconnect() has woken every user.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/random.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "tandem_int.h"
#include "uapi/tandem_version.h"

/**
 * tandem_send_packet() - send one packet on a stream of a connection
 * @c: connection
 * @s: stream
 * @type: packet type
 * @volume: volume number for the header
 * @body: fixed-size body, may be NULL if @body_len is 0
 * @body_len: bytes of @body, at most TANDEM_MAX_BODY
 * @payload: optional payload
 * @flags: TANDEM_SEND_*
 *
 * Return: 0, -ENOTCONN without a transport, or the transport's error.
 */
int tandem_send_packet(struct tandem_connection *c, enum tandem_stream s,
		       enum tandem_packet type, unsigned int volume,
		       const void *body, size_t body_len,
		       struct iov_iter *payload, unsigned int flags)
{
	struct {
		struct tandem_hdr h;
		u8 body[TANDEM_MAX_BODY];
	} __packed buf;
	size_t plen = payload ? iov_iter_count(payload) : 0;
	int err = -ENOTCONN;

	if (WARN_ON_ONCE(body_len > TANDEM_MAX_BODY))
		return -EINVAL;
	buf.h.magic = cpu_to_be32(TANDEM_MAGIC);
	buf.h.type = cpu_to_be16(type);
	buf.h.volume = cpu_to_be16(volume);
	buf.h.length = cpu_to_be32(body_len + plen);
	buf.h.reserved = 0;
	if (body_len)
		memcpy(buf.body, body, body_len);

	down_read(&c->transport_sem);
	if (c->transport)
		err = c->transport->class->ops->send(c->transport, s, &buf,
						     sizeof(buf.h) + body_len,
						     payload, flags);
	up_read(&c->transport_sem);
	return err;
}

/**
 * tandem_conn_failed() - the connection broke (or must be broken)
 * @c: connection
 * @cs: state to report (NetworkFailure, BrokenPipe, ProtocolError, ...)
 * @fmt: why, for the log and for status
 *
 * Callable from any process context. The worker notices, cleans up and
 * reconnects (or stays StandAlone for ProtocolError and auth failures).
 */
void tandem_conn_failed(struct tandem_connection *c, enum tandem_conn_state cs,
			const char *fmt, ...)
{
	struct tandem_resource *r = c->resource;
	bool first = false;
	va_list args;

	spin_lock_irq(&r->lock);
	if (c->cstate == TANDEM_CS_CONNECTED ||
	    c->cstate == TANDEM_CS_CONNECTING) {
		first = true;
		va_start(args, fmt);
		vsnprintf(c->last_error, sizeof(c->last_error), fmt, args);
		va_end(args);
	}
	spin_unlock_irq(&r->lock);
	if (!first)
		return;
	pr_warn("%s peer %u: %s\n", r->name, c->peer_node_id, c->last_error);
	tandem_set_cstate(c, cs);
	down_read(&c->transport_sem);
	if (c->transport)
		c->transport->class->ops->disconnect(c->transport);
	up_read(&c->transport_sem);
}

/**
 * tandem_refuse_connection() - refuse the peer after the state exchange
 * @c: a Connected connection, called from its receiver
 * @fmt: why (logged, kept for status)
 *
 * Both nodes reach such verdicts (split brain, unrelated data) from the
 * same facts, but a node that closed its sockets at once could make the
 * peer lose the packets that lead it there (a close with unread data
 * resets the connection). So the refusal is orderly: tell the peer with
 * TP_DISCONNECT (flag TANDEM_DISC_REFUSED: a peer that reached another
 * verdict, e.g. because only we know we cannot demote, goes StandAlone
 * too) and keep reading until its own TP_DISCONNECT arrives, or 5 seconds
 * pass; then the connection ends StandAlone on both nodes.
 */
void tandem_refuse_connection(struct tandem_connection *c, const char *fmt,
			      ...)
{
	struct tandem_p_disconnect p = {
		.flags = cpu_to_be32(TANDEM_DISC_REFUSED),
	};
	va_list args;

	if (c->refused)
		return;
	va_start(args, fmt);
	vsnprintf(c->last_error, sizeof(c->last_error), fmt, args);
	va_end(args);
	c->refused = true;
	pr_warn("%s peer %u: %s\n", c->resource->name, c->peer_node_id,
		c->last_error);
	tandem_send_packet(c, TANDEM_STREAM_DATA, TP_DISCONNECT, 0, &p,
			   sizeof(p), NULL, 0);
	down_read(&c->transport_sem);
	if (c->transport)
		c->transport->class->ops->set_timeout(c->transport,
						      TANDEM_STREAM_DATA,
						      5 * HZ);
	up_read(&c->transport_sem);
}

/* ---- handshake ---------------------------------------------------- */

static int recv_exact(struct tandem_connection *c, enum tandem_stream s,
		      void *buf, size_t len)
{
	return c->transport->class->ops->recv(c->transport, s, buf, len);
}

/**
 * tandem_recv_header() - receive and check a packet header
 * @c: connection
 * @s: stream
 * @type: out
 * @volume: out
 * @length: out: bytes following the header
 */
int tandem_recv_header(struct tandem_connection *c, enum tandem_stream s,
		       u16 *type, u16 *volume, u32 *length)
{
	struct tandem_hdr h;
	int err;

	err = recv_exact(c, s, &h, sizeof(h));
	if (err)
		return err;
	if (be32_to_cpu(h.magic) != TANDEM_MAGIC) {
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "bad magic 0x%08x on %s stream",
				   be32_to_cpu(h.magic),
				   s == TANDEM_STREAM_DATA ? "data" : "control");
		return -EPROTO;
	}
	*type = be16_to_cpu(h.type);
	*volume = be16_to_cpu(h.volume);
	*length = be32_to_cpu(h.length);
	if (*length > TANDEM_MAX_BODY + TANDEM_MAX_PAYLOAD || h.reserved) {
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "packet type %u: bad length %u", *type,
				   *length);
		return -EPROTO;
	}
	return 0;
}

/* Receive a packet that must be of @want with a body of exactly @len. */
int tandem_recv_fixed(struct tandem_connection *c, enum tandem_stream s,
		      u16 want, void *body, size_t len)
{
	u16 type, volume;
	u32 length;
	int err;

	err = tandem_recv_header(c, s, &type, &volume, &length);
	if (err)
		return err;
	if (type != want || length != len) {
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "expected packet %u (%zu bytes), got %u (%u bytes)",
				   want, len, type, length);
		return -EPROTO;
	}
	return recv_exact(c, s, body, len);
}

static int hello_stream(struct tandem_connection *c, enum tandem_stream s,
			u64 cookie)
{
	struct tandem_resource *r = c->resource;
	struct tandem_p_hello me = {}, peer;
	struct tandem_proto_range mine = { TANDEM_PROTO_MIN, TANDEM_PROTO_MAX };
	struct tandem_proto_range theirs;
	u32 agreed;
	int err;

	me.proto_min = cpu_to_be32(TANDEM_PROTO_MIN);
	me.proto_max = cpu_to_be32(TANDEM_PROTO_MAX);
	me.features = cpu_to_be64(TANDEM_FF_TRIM | TANDEM_FF_ZEROES |
				  TANDEM_FF_FUA | TANDEM_FF_DISKLESS);
	me.stream = cpu_to_be32(s);
	me.node_id = cpu_to_be32(r->node_id);
	me.peer_node_id = cpu_to_be32(c->peer_node_id);
	me.auth = cpu_to_be32(c->opts.hmac_alg[0] ? 1 : 0);
	me.conn_cookie = cpu_to_be64(cookie);
	strscpy(me.resource, r->name, sizeof(me.resource));

	err = tandem_send_packet(c, s, TP_HELLO, 0, &me, sizeof(me), NULL, 0);
	if (err)
		return err;
	err = tandem_recv_fixed(c, s, TP_HELLO, &peer, sizeof(peer));
	if (err)
		return err;

	theirs.min = be32_to_cpu(peer.proto_min);
	theirs.max = be32_to_cpu(peer.proto_max);
	agreed = tandem_proto_agree(&mine, &theirs);
	peer.resource[sizeof(peer.resource) - 1] = '\0';
	if (!agreed) {
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "no common protocol version (we %u-%u, peer %u-%u)",
				   mine.min, mine.max, theirs.min, theirs.max);
		return -EPROTO;
	}
	if (be32_to_cpu(peer.stream) != s ||
	    strcmp(peer.resource, r->name) ||
	    be32_to_cpu(peer.node_id) != c->peer_node_id ||
	    be32_to_cpu(peer.peer_node_id) != r->node_id) {
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "peer is resource \"%s\" node %u expecting node %u; we are \"%s\" node %u expecting node %u",
				   peer.resource, be32_to_cpu(peer.node_id),
				   be32_to_cpu(peer.peer_node_id), r->name,
				   r->node_id, c->peer_node_id);
		return -EPROTO;
	}
	if (!be32_to_cpu(peer.auth) != !c->opts.hmac_alg[0]) {
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "authentication configured on one side only (we: %s)",
				   c->opts.hmac_alg[0] ? "on" : "off");
		return -EACCES;
	}
	c->agreed_proto = agreed;
	c->features = be64_to_cpu(peer.features) & be64_to_cpu(me.features);
	return 0;
}

int tandem_send_net_opts(struct tandem_connection *c)
{
	struct tandem_p_net_opts p = {};
	u32 flags = 0;
	int i;

	if (c->opts.two_primaries)
		flags |= TANDEM_NF_TWO_PRIMARIES;
	if (c->discard_my_data)
		flags |= TANDEM_NF_DISCARD_MY_DATA;
	p.protocol = cpu_to_be32(c->opts.protocol);
	p.flags = cpu_to_be32(flags);
	for (i = 0; i < 3; i++)
		p.after_sb[i] = cpu_to_be32(c->opts.after_sb[i]);
	return tandem_send_packet(c, TANDEM_STREAM_DATA, TP_NET_OPTS, 0, &p,
				  sizeof(p), NULL, 0);
}

static int handshake(struct tandem_connection *c)
{
	struct tandem_p_net_opts peer;
	u32 proto, flags;
	int i, err;

	err = hello_stream(c, TANDEM_STREAM_DATA, 0);
	if (err)
		return err;
	err = hello_stream(c, TANDEM_STREAM_CONTROL, 0);
	if (err)
		return err;
	if (c->opts.hmac_alg[0]) {
		err = tandem_auth(c);
		if (err)
			return err;
	}
	err = tandem_send_net_opts(c);
	if (err)
		return err;
	err = tandem_recv_fixed(c, TANDEM_STREAM_DATA, TP_NET_OPTS, &peer,
				sizeof(peer));
	if (err)
		return err;
	proto = be32_to_cpu(peer.protocol);
	flags = be32_to_cpu(peer.flags);
	c->peer_discard_my_data = !!(flags & TANDEM_NF_DISCARD_MY_DATA);
	if (proto != c->opts.protocol) {
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "incompatible protocols: we use %c, peer uses %c",
				   tandem_protocol_letter(c->opts.protocol),
				   tandem_protocol_letter(proto));
		return -EPROTO;
	}
	if (!(flags & TANDEM_NF_TWO_PRIMARIES) != !c->opts.two_primaries) {
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "allow-two-primaries differs between the nodes");
		return -EPROTO;
	}
	/* after-sb-0pri may differ (discard-local here, -remote there). */
	c->peer_after_sb_0p = be32_to_cpu(peer.after_sb[0]);
	for (i = 1; i < 3; i++) {
		if (be32_to_cpu(peer.after_sb[i]) != c->opts.after_sb[i]) {
			tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
					   "after-sb-%dpri differs between the nodes (%s here, %s on the peer)",
					   i, tandem_asb_name(c->opts.after_sb[i]),
					   tandem_asb_name(be32_to_cpu(peer.after_sb[i])));
			return -EPROTO;
		}
	}
	return 0;
}

/* ---- the worker ----------------------------------------------------- */

static void teardown_transport(struct tandem_connection *c)
{
	struct tandem_transport *t;

	down_write(&c->transport_sem);
	t = c->transport;
	c->transport = NULL;
	up_write(&c->transport_sem);
	if (t) {
		t->class->ops->disconnect(t);
		tandem_transport_destroy(t);
	}
}

/* After a loss: stop helpers, settle requests, forget the peer's state. */
static void cleanup_after_loss(struct tandem_connection *c)
{
	struct tandem_resource *r = c->resource;
	struct tandem_device *d;
	struct tandem_peer_device *pd;
	int vnr;

	down_read(&c->transport_sem);
	if (c->transport)
		c->transport->class->ops->disconnect(c->transport);
	up_read(&c->transport_sem);

	if (c->acker) {
		kthread_stop(c->acker);
		tandem_connection_put(c);
		c->acker = NULL;
	}
	idr_for_each_entry(&r->devices, d, vnr) {
		pd = tandem_peer_device(d, c);
		if (pd) {
			tandem_resync_stop(pd);
			tandem_verify_stop(pd);
		}
	}
	flush_workqueue(c->send_wq);
	tandem_receiver_cleanup(c);
	flush_workqueue(c->ack_wq);
	tandem_tl_fail_all(c);
	complete_all(&c->role_done);

	idr_for_each_entry(&r->devices, d, vnr) {
		pd = tandem_peer_device(d, c);
		if (!pd)
			continue;
		pd->peer_disk = TANDEM_DS_DUNKNOWN;
		pd->peer_repl = TANDEM_RS_OFF;
		pd->rs_peer_paused = false;
		pd->rs_after_paused = false;
		pd->peer_size_sect = 0;
		tandem_set_repl_state(pd, TANDEM_RS_OFF);
		tandem_device_update_size(d);
	}
	teardown_transport(c);
	/* Now that it counts as absent (not Connected) for the Primary. */
	if (READ_ONCE(r->role) == TANDEM_ROLE_PRIMARY)
		idr_for_each_entry(&r->devices, d, vnr)
			tandem_track_absent_peers(d, true);
	/* What the peer missed, on disk before anything else happens. */
	idr_for_each_entry(&r->devices, d, vnr) {
		pd = tandem_peer_device(d, c);
		if (pd)
			tandem_bm_write(pd);
		/* A Primary served by that peer has no good data left. */
		tandem_check_good_data(d);
	}
}

/* ---- what we serve to the peer -------------------------------------- */

static bool serve_reserve(struct tandem_connection *c, unsigned int nr)
{
	unsigned int limit = READ_ONCE(c->opts.conf.max_buffers);
	int held = atomic_read(&c->serve_pages);

	do {
		/* One request always fits, whatever max-buffers says. */
		if (held && held + nr > limit)
			return false;
	} while (!atomic_try_cmpxchg(&c->serve_pages, &held, held + nr));
	return true;
}

/**
 * tandem_serve_pages_get() - reserve pages for data the peer asked for
 * @c: connection the request came on
 * @nr: pages the reply needs
 *
 * Resync data and remote reads hold their pages until they are sent. The
 * receiver waits here while max-buffers pages are out, so it stops
 * reading requests and the transport's flow control holds the peer back.
 * Context: the connection's receiver.
 * Return: 0, or -ECONNABORTED once the connection is going away.
 */
int tandem_serve_pages_get(struct tandem_connection *c, unsigned int nr)
{
	for (;;) {
		if (READ_ONCE(c->cstate) != TANDEM_CS_CONNECTED ||
		    kthread_should_stop())
			return -ECONNABORTED;
		if (serve_reserve(c, nr))
			return 0;
		/* Sends end by success, error or timeout: recheck each second. */
		wait_event_timeout(c->serve_wait,
				   !atomic_read(&c->serve_pages) ||
				   atomic_read(&c->serve_pages) + nr <=
				   READ_ONCE(c->opts.conf.max_buffers) ||
				   READ_ONCE(c->cstate) != TANDEM_CS_CONNECTED,
				   HZ);
	}
}

/**
 * tandem_serve_pages_put() - the pages of a served reply are free again
 * @c: connection
 * @nr: pages, as reserved by tandem_serve_pages_get()
 */
void tandem_serve_pages_put(struct tandem_connection *c, unsigned int nr)
{
	atomic_sub(nr, &c->serve_pages);
	wake_up(&c->serve_wait);
}

/**
 * tandem_connection_live() - may the connection's threads use our devices?
 * @c: connection
 *
 * True from connect until the worker has stopped (disconnect) or left its
 * loop for good (a refusal): until then the receiver, acker and send work
 * look devices up and walk their peer devices without a reference.
 * Context: tandem_cfg_mutex held.
 */
bool tandem_connection_live(struct tandem_connection *c)
{
	lockdep_assert_held(&tandem_cfg_mutex);
	return c->worker && !smp_load_acquire(&c->worker_done);
}

static bool stop_retrying(struct tandem_connection *c)
{
	return kthread_should_stop() || READ_ONCE(c->stop) || c->refused ||
	       READ_ONCE(c->cstate) == TANDEM_CS_PROTOCOL_ERROR;
}

static int worker_fn(void *arg)
{
	struct tandem_connection *c = arg;
	struct tandem_resource *r = c->resource;
	char name[TANDEM_TRANSPORT_NAME_MAX];
	struct tandem_transport *t;
	struct tandem_net_conf conf;
	struct tandem_device *d;
	struct tandem_peer_device *pd;
	int vnr, err;

	while (!kthread_should_stop() && !READ_ONCE(c->stop)) {
		tandem_set_cstate(c, TANDEM_CS_CONNECTING);
		/* net-options may change the options (and transport) any time */
		spin_lock_irq(&r->lock);
		strscpy(name, c->opts.transport, sizeof(name));
		conf = c->opts.conf;
		conf.timeout *= max(c->opts.ko_count, 1U);
		spin_unlock_irq(&r->lock);
		t = tandem_transport_create(name);
		if (IS_ERR(t)) {
			snprintf(c->last_error, sizeof(c->last_error),
				 "transport %s unavailable (%ld)",
				 name, PTR_ERR(t));
			pr_err("%s peer %u: %s\n", r->name, c->peer_node_id,
			       c->last_error);
			break;
		}
		down_write(&c->transport_sem);
		c->transport = t;
		up_write(&c->transport_sem);
		if (READ_ONCE(c->stop)) {	/* disconnect raced with us */
			teardown_transport(c);
			break;
		}
		/* net-options switched the transport while we created it */
		spin_lock_irq(&r->lock);
		err = strcmp(name, c->opts.transport);
		spin_unlock_irq(&r->lock);
		if (err) {
			teardown_transport(c);
			continue;
		}

		/* A peer is dropped after ko-count send timeouts in a row. */
		err = t->class->ops->connect(t, &c->path, &conf);
		if (err) {
			if (err != -ECONNABORTED && err != -EINTR)
				tandem_conn_failed(c, TANDEM_CS_NETWORK_FAILURE,
						   "connect failed (%d)", err);
			teardown_transport(c);
			if (err == -EINVAL || err == -EOPNOTSUPP)
				break;
			continue;
		}
		t->class->ops->set_timeout(t, TANDEM_STREAM_DATA,
					   c->opts.conf.timeout * HZ / 10 * 4);
		t->class->ops->set_timeout(t, TANDEM_STREAM_CONTROL,
					   c->opts.conf.timeout * HZ / 10 * 4);
		err = handshake(c);
		if (err) {
			if (err != -EPROTO && err != -EACCES)
				tandem_conn_failed(c, TANDEM_CS_NETWORK_FAILURE,
						   "handshake failed (%d)", err);
			cleanup_after_loss(c);
			if (stop_retrying(c) || err == -EACCES)
				break;
			schedule_timeout_interruptible(HZ);
			continue;
		}

		/* Connected. */
		t->class->ops->set_timeout(t, TANDEM_STREAM_DATA,
					   MAX_SCHEDULE_TIMEOUT);
		c->refused = false;
		spin_lock_irq(&r->lock);
		c->epoch_nr = 1;
		c->epoch_writes = 0;
		c->epoch_completed = false;
		c->seq = 0;
		c->peer_granted = 0;
		c->last_error[0] = '\0';
		spin_unlock_irq(&r->lock);
		reinit_completion(&c->role_done);
		kref_get(&c->kref);
		c->acker = kthread_run(tandem_acker_thread, c, "tandem_ack_%s",
				       r->name);
		if (IS_ERR(c->acker)) {
			c->acker = NULL;
			tandem_connection_put(c);
			tandem_conn_failed(c, TANDEM_CS_NETWORK_FAILURE,
					   "cannot start the ack receiver");
			cleanup_after_loss(c);
			break;
		}
		tandem_set_cstate(c, TANDEM_CS_CONNECTED);
		pr_info("%s peer %u: connected (protocol %c, wire version %u, transport %s)\n",
			r->name, c->peer_node_id,
			tandem_protocol_letter(c->opts.protocol),
			c->agreed_proto, t->class->name);
		idr_for_each_entry(&r->devices, d, vnr) {
			pd = tandem_peer_device(d, c);
			if (pd)
				tandem_send_state_all(pd);
		}
		err = tandem_receive_loop(c);
		if (c->refused) {
			char why[sizeof(c->last_error)];

			strscpy(why, c->last_error, sizeof(why));
			c->last_error[0] = '\0';
			tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR, "%s", why);
		} else if (READ_ONCE(c->cstate) == TANDEM_CS_CONNECTED) {
			tandem_conn_failed(c, TANDEM_CS_NETWORK_FAILURE,
					   "connection lost (%d)", err);
		}
		cleanup_after_loss(c);
		if (stop_retrying(c))
			break;
		schedule_timeout_interruptible(HZ / 2);
	}

	if (READ_ONCE(c->cstate) != TANDEM_CS_STANDALONE)
		tandem_set_cstate(c, TANDEM_CS_STANDALONE);
	smp_store_release(&c->worker_done, true);
	tandem_wait_for_stop();
	return 0;
}

/**
 * tandem_connect() - start connecting a configured connection
 * @c: connection, StandAlone, with path and options set
 *
 * Context: tandem_cfg_mutex held.
 */
int tandem_connect(struct tandem_connection *c)
{
	struct tandem_transport_class *tc;

	lockdep_assert_held(&tandem_cfg_mutex);
	/* Fail now, with a clear message, if the transport does not exist. */
	tc = tandem_transport_class_get(c->opts.transport);
	if (IS_ERR(tc)) {
		snprintf(c->last_error, sizeof(c->last_error),
			 "no transport \"%s\"", c->opts.transport);
		return PTR_ERR(tc);
	}
	tandem_transport_class_put(tc);

	/* A worker that ended StandAlone (a refusal) waits to be stopped. */
	tandem_disconnect(c);
	c->stop = false;
	c->worker_done = false;
	c->last_error[0] = '\0';
	kref_get(&c->kref);
	c->worker = kthread_run(worker_fn, c, "tandem_w_%s_%u",
				c->resource->name, c->peer_node_id);
	if (IS_ERR(c->worker)) {
		c->worker = NULL;
		tandem_connection_put(c);
		snprintf(c->last_error, sizeof(c->last_error),
			 "cannot start the connection thread");
		return -ENOMEM;
	}
	return 0;
}

/**
 * tandem_disconnect() - stop a connection; it ends StandAlone
 * @c: connection
 *
 * Sends an orderly TP_DISCONNECT when connected, then stops the worker
 * (which cleans up). Context: tandem_cfg_mutex held.
 */
void tandem_disconnect(struct tandem_connection *c)
{
	lockdep_assert_held(&tandem_cfg_mutex);
	if (!c->worker)
		return;
	WRITE_ONCE(c->stop, true);
	if (READ_ONCE(c->cstate) == TANDEM_CS_CONNECTED) {
		tandem_set_cstate(c, TANDEM_CS_DISCONNECTING);
		tandem_send_packet(c, TANDEM_STREAM_DATA, TP_DISCONNECT, 0,
				   NULL, 0, NULL, 0);
	}
	down_read(&c->transport_sem);
	if (c->transport)
		c->transport->class->ops->disconnect(c->transport);
	up_read(&c->transport_sem);
	kthread_stop(c->worker);
	c->worker = NULL;
	tandem_connection_put(c);
	tandem_set_cstate(c, TANDEM_CS_STANDALONE);
}
