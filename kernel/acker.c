// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - the receiver of the CONTROL stream: acks, barrier acks, role
 * replies, and the ping/ping-ack keepalive that detects a dead peer.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>

#include "tandem_int.h"

void tandem_send_ack(struct tandem_connection *c, enum tandem_packet type,
		     unsigned int volume, sector_t sector, u64 block_id,
		     u32 size, u32 seq)
{
	struct tandem_p_block_ack a;

	a.sector = cpu_to_be64(sector);
	a.block_id = cpu_to_be64(block_id);
	a.size = cpu_to_be32(size);
	a.seq_num = cpu_to_be32(seq);
	tandem_send_packet(c, TANDEM_STREAM_CONTROL, type, volume, &a,
			   sizeof(a), NULL, 0);
}

static int recv_ctl(struct tandem_connection *c, void *buf, size_t len,
		    u16 type, u32 length)
{
	if (length != len) {
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "bad packet type %u on control stream: length %u",
				   type, length);
		return -EPROTO;
	}
	if (!len)
		return 0;
	return c->transport->class->ops->recv(c->transport,
					      TANDEM_STREAM_CONTROL, buf, len);
}

static int handle(struct tandem_connection *c, u16 type, u16 volume,
		  u32 length)
{
	union {
		struct tandem_p_block_ack a;
		struct tandem_p_barrier_ack b;
		struct tandem_p_role_reply rr;
		struct tandem_p_ov_reply ov;
	} p;
	struct tandem_device *d;
	struct tandem_peer_device *pd;
	int err;

	switch (type) {
	case TP_PING:
		err = recv_ctl(c, NULL, 0, type, length);
		if (!err)
			err = tandem_send_packet(c, TANDEM_STREAM_CONTROL,
						 TP_PING_ACK, 0, NULL, 0,
						 NULL, 0);
		return err;
	case TP_PING_ACK:
		return recv_ctl(c, NULL, 0, type, length);
	case TP_RECV_ACK:
	case TP_WRITE_ACK:
	case TP_NEG_ACK:
		err = recv_ctl(c, &p.a, sizeof(p.a), type, length);
		if (!err)
			tandem_req_peer_acked(c, be64_to_cpu(p.a.block_id),
					      type != TP_NEG_ACK);
		if (!err && type == TP_NEG_ACK)
			pr_warn_ratelimited("%s peer %u: peer failed to write sector %llu\n",
					    c->resource->name, c->peer_node_id,
					    be64_to_cpu(p.a.sector));
		return err;
	case TP_SYNC_ACK:
		err = recv_ctl(c, &p.a, sizeof(p.a), type, length);
		if (err)
			return err;
		d = tandem_device_by_volume(c->resource, volume);
		pd = d ? tandem_peer_device(d, c) : NULL;
		if (pd && be32_to_cpu(p.a.size) <= TANDEM_MAX_PAYLOAD)
			tandem_bm_clear_range(pd, be64_to_cpu(p.a.sector),
					      be32_to_cpu(p.a.size));
		return 0;
	case TP_OV_REPLY:
		err = recv_ctl(c, &p.ov, sizeof(p.ov), type, length);
		if (err)
			return err;
		d = tandem_device_by_volume(c->resource, volume);
		pd = d ? tandem_peer_device(d, c) : NULL;
		if (!pd || tandem_verify_reply(pd, &p.ov)) {
			tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
					   "verify reply for sector %llu answers no request",
					   be64_to_cpu(p.ov.sector));
			return -EPROTO;
		}
		return 0;
	case TP_BARRIER_ACK:
		err = recv_ctl(c, &p.b, sizeof(p.b), type, length);
		if (!err)
			tandem_req_barrier_acked(c, be32_to_cpu(p.b.barrier),
						 be32_to_cpu(p.b.set_size));
		return err;
	case TP_ROLE_REPLY:
		err = recv_ctl(c, &p.rr, sizeof(p.rr), type, length);
		if (!err) {
			c->role_reply = -(int)min_t(u32,
					be32_to_cpu(p.rr.result), 4095);
			complete(&c->role_done);
		}
		return err;
	default:
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "unexpected packet type %u on control stream",
				   type);
		return -EPROTO;
	}
}

int tandem_acker_thread(void *arg)
{
	struct tandem_connection *c = arg;
	const struct tandem_transport_ops *ops = c->transport->class->ops;
	struct tandem_transport *t = c->transport;
	bool ping_out = false;
	u16 type, volume;
	u32 length;
	int err;

	while (!kthread_should_stop()) {
		ops->set_timeout(t, TANDEM_STREAM_CONTROL, ping_out ?
				 c->opts.ping_timeout * HZ / 10 :
				 c->opts.ping_int * HZ);
		err = tandem_recv_header(c, TANDEM_STREAM_CONTROL, &type,
					 &volume, &length);
		if (err == -EAGAIN) {
			if (ping_out) {
				tandem_conn_failed(c, TANDEM_CS_NETWORK_FAILURE,
						   "PingAck did not arrive in time");
				break;
			}
			ping_out = true;
			if (tandem_send_packet(c, TANDEM_STREAM_CONTROL, TP_PING,
					       0, NULL, 0, NULL, 0))
				break;
			continue;
		}
		if (err) {
			if (!kthread_should_stop())
				tandem_conn_failed(c, TANDEM_CS_NETWORK_FAILURE,
						   "control stream broke (%d)",
						   err);
			break;
		}
		ping_out = false;
		if (handle(c, type, volume, length))
			break;
	}
	tandem_wait_for_stop();
	return 0;
}

/**
 * tandem_peer_promotion_pending() - did we let the peer become Primary?
 * @c: connection
 *
 * True from our yes to the peer's TP_ROLE_REQ until the connection goes,
 * or until twice the time the peer waits for answers has passed (a peer
 * whose promotion failed after asking says nothing more).
 *
 * Context: resource->lock held.
 */
bool tandem_peer_promotion_pending(struct tandem_connection *c)
{
	unsigned long span = 2 * (c->opts.conf.timeout * HZ / 10 + HZ);

	lockdep_assert_held(&c->resource->lock);
	return c->peer_granted && c->cstate == TANDEM_CS_CONNECTED &&
	       time_before(jiffies, c->peer_granted + span);
}

/**
 * tandem_request_role() - ask the peer whether we may change role
 * @c: a Connected connection
 * @role: the role we want
 *
 * Return: 0 if the peer agrees, -EBUSY if it refuses, -ETIMEDOUT or
 * -ENOTCONN if it does not answer.
 */
int tandem_request_role(struct tandem_connection *c, enum tandem_role role)
{
	struct tandem_p_role_req p = {};
	long left;
	int err;

	reinit_completion(&c->role_done);
	c->role_reply = -ENOTCONN;
	p.role = cpu_to_be32(role);
	err = tandem_send_packet(c, TANDEM_STREAM_DATA, TP_ROLE_REQ, 0, &p,
				 sizeof(p), NULL, 0);
	if (err)
		return err;
	left = wait_for_completion_timeout(&c->role_done,
					   c->opts.conf.timeout * HZ / 10 + HZ);
	if (!left)
		return -ETIMEDOUT;
	return c->role_reply;
}
