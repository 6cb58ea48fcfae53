// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - RDMA transport: one reliable-connected QP per stream (DATA and
 * CONTROL), set up with rdma_cm.
 *
 * This file holds the class, its options, the RDMA devices (a PD each,
 * and an ib_client whose remove callback tears down every stream on a
 * device that goes away), connections and the data path; the streams'
 * verbs resources, completions and teardown live in rdma_stream.c,
 * connection setup in rdma_cm.c. docs/TRANSPORT.md ("RDMA
 * transport") explains the design.
 *
 * Data path: the sender copies into pre-registered send buffers; a
 * message is one or more chunks of at most one receive buffer of the
 * peer, and the receiver hands out the bytes of the chunks in order. The
 * immediate data returns credits (receive buffers reposted since the last
 * report) and flags the last chunk of a message and credit-only updates.
 * How a chunk reaches the peer is the peer's choice (enum
 * trdma_data_mode, the data_mode parameter, DATA stream only): two-sided
 * SEND into its posted receive buffers, or RDMA WRITE with immediate into
 * its receive slots, registered for remote write, in order (the slot is
 * in the immediate, as a check), each write consuming a posted receive
 * work request without a buffer that delivers the immediate.
 *
 * Lifetime: an established connection is a struct trdma_conn with a
 * reference count, like the TCP transport's; its streams have their own
 * reference count, because connect() and the device removal hold them
 * too. The verbs resources of a stream (QP, CQ, buffer mappings) are
 * destroyed by trdma_stream_teardown(), from the last reference or from
 * the device removal, whichever comes first; the rdma_cm id and the
 * memory go with the last reference.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/net_namespace.h>

#include "rdma_int.h"
#include "uapi/tandem_version.h"

DECLARE_WAIT_QUEUE_HEAD(trdma_cm_wq);

/* The RDMA devices the ib_client was told about; see struct trdma_dev. */
static LIST_HEAD(trdma_devs);
static DEFINE_MUTEX(trdma_dev_mutex);

/* ---- options --------------------------------------------------------- */

static const char * const trdma_mode_names[] = {
	[TRDMA_MODE_SEND]	= "send",
	[TRDMA_MODE_WRITE]	= "write",
};

/*
 * How DATA streams set up from now on receive; see enum trdma_data_mode.
 * SEND by default: RDMA WRITE measured no faster on soft-RoCE and needs
 * more of the device (docs/TRANSPORT.md, "SEND against RDMA WRITE").
 */
static int trdma_data_mode = TRDMA_MODE_SEND;

static int trdma_data_mode_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(trdma_mode_names, val);

	if (i < 0)
		return -EINVAL;
	WRITE_ONCE(*(int *)kp->arg, i);
	return 0;
}

static int trdma_data_mode_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  trdma_mode_names[READ_ONCE(*(int *)kp->arg)]);
}

static const struct kernel_param_ops trdma_data_mode_ops = {
	.set	= trdma_data_mode_set,
	.get	= trdma_data_mode_get,
};
module_param_cb(data_mode, &trdma_data_mode_ops, &trdma_data_mode, 0644);
MODULE_PARM_DESC(data_mode,
		 "how DATA payloads reach this node: send (two-sided SEND into posted receive buffers) or write (the peer RDMA WRITEs with immediate into receive slots registered for remote write); read when a connection is set up, the peer follows what each receiver announces (default send)");

/**
 * trdma_data_mode_wanted() - how new DATA streams should receive
 *
 * Return: the data_mode parameter, read once.
 */
enum trdma_data_mode trdma_data_mode_wanted(void)
{
	return READ_ONCE(trdma_data_mode);
}

/**
 * trdma_mode_name() - readable name of a data mode, for the log
 * @mode: enum trdma_data_mode
 *
 * Return: "SEND" or "RDMA WRITE".
 */
const char *trdma_mode_name(enum trdma_data_mode mode)
{
	return mode == TRDMA_MODE_WRITE ? "RDMA WRITE" : "SEND";
}

/* Bytes of DATA receive buffers: rcvbuf-size, or max-buffers pages. */
u32 trdma_rx_bytes(const struct tandem_net_conf *conf)
{
	if (conf->rcvbuf_size)
		return conf->rcvbuf_size;
	return min_t(u64, (u64)conf->max_buffers * SZ_4K,
		     TRDMA_RCVBUF_DEFAULT_MAX);
}

/* Bytes of DATA send buffers: sndbuf-size, or the default. */
u32 trdma_tx_bytes(const struct tandem_net_conf *conf)
{
	return conf->sndbuf_size ? conf->sndbuf_size : TRDMA_SNDBUF_DEFAULT;
}

/**
 * trdma_conf_valid() - check net options, explaining what is wrong
 * @conf: options to check
 *
 * The DATA stream grants the peer rcvbuf-size (default: max-buffers
 * pages, at most 8 MiB) in 32 KiB receive buffers as credits, and sends
 * from sndbuf-size (default 4 MiB) of 32 KiB send buffers; each needs at
 * least two buffers. max-buffers is what the peer may have in flight
 * towards us: a receive ring larger than that would let it exceed it.
 *
 * Return: 0 or -EINVAL.
 */
int trdma_conf_valid(const struct tandem_net_conf *conf)
{
	if (conf->connect_int < 1 || conf->timeout < 1) {
		pr_err("connect-int and timeout must be at least 1\n");
		return -EINVAL;
	}
	if (conf->max_buffers < TRDMA_MAX_BUFFERS_MIN) {
		pr_err("max-buffers %u: at least %u needed\n",
		       conf->max_buffers, TRDMA_MAX_BUFFERS_MIN);
		return -EINVAL;
	}
	if (conf->sndbuf_size && (conf->sndbuf_size < TRDMA_BUF_BYTES_MIN ||
				  conf->sndbuf_size > TRDMA_BUF_BYTES_MAX)) {
		pr_err("sndbuf-size %u: must be 0 or %u..%u (send buffers of %u bytes)\n",
		       conf->sndbuf_size, TRDMA_BUF_BYTES_MIN,
		       TRDMA_BUF_BYTES_MAX, TRDMA_DATA_BUF_SIZE);
		return -EINVAL;
	}
	if (conf->rcvbuf_size && (conf->rcvbuf_size < TRDMA_BUF_BYTES_MIN ||
				  conf->rcvbuf_size > TRDMA_BUF_BYTES_MAX)) {
		pr_err("rcvbuf-size %u: must be 0 or %u..%u (receive buffers of %u bytes)\n",
		       conf->rcvbuf_size, TRDMA_BUF_BYTES_MIN,
		       TRDMA_BUF_BYTES_MAX, TRDMA_DATA_BUF_SIZE);
		return -EINVAL;
	}
	if (trdma_rx_bytes(conf) > (u64)conf->max_buffers * SZ_4K) {
		pr_err("rcvbuf-size %u exceeds max-buffers %u (%llu bytes): the peer could have more in flight than max-buffers allows\n",
		       conf->rcvbuf_size, conf->max_buffers,
		       (u64)conf->max_buffers * SZ_4K);
		return -EINVAL;
	}
	return 0;
}

static long trdma_send_timeout(const struct tandem_net_conf *conf)
{
	u64 j = div_u64((u64)conf->timeout * HZ, 10);

	return clamp_t(u64, j, 1, MAX_SCHEDULE_TIMEOUT - 1);
}

/* ---- devices --------------------------------------------------------- */

/* Put @s on its device's list, allocating the device's PD on first use. */
int trdma_dev_attach(struct trdma_stream *s, struct ib_device *ibdev)
{
	struct trdma_dev *dev;
	int err = -ENODEV;

	lockdep_assert_held(&s->mutex);
	mutex_lock(&trdma_dev_mutex);
	list_for_each_entry(dev, &trdma_devs, node) {
		if (dev->ibdev != ibdev)
			continue;
		if (dev->removing)
			break;
		if (!dev->pd) {
			struct ib_pd *pd = ib_alloc_pd(ibdev, 0);

			if (IS_ERR(pd)) {
				err = PTR_ERR(pd);
				break;
			}
			dev->pd = pd;
		}
		s->dev = dev;
		list_add_tail(&s->dev_node, &dev->streams);
		err = 0;
		break;
	}
	mutex_unlock(&trdma_dev_mutex);
	return err;
}

void trdma_dev_detach(struct trdma_stream *s)
{
	struct trdma_dev *dev = s->dev;

	lockdep_assert_held(&s->mutex);
	if (!dev)
		return;
	mutex_lock(&trdma_dev_mutex);
	list_del_init(&s->dev_node);
	s->dev = NULL;
	mutex_unlock(&trdma_dev_mutex);
	wake_up_all(&dev->wq);
}

static int trdma_dev_add(struct ib_device *ibdev);
static void trdma_dev_remove(struct ib_device *ibdev, void *client_data);

static struct ib_client trdma_ib_client = {
	.name	= "tandem_rdma",
	.add	= trdma_dev_add,
	.remove	= trdma_dev_remove,
};

static int trdma_dev_add(struct ib_device *ibdev)
{
	struct trdma_dev *dev;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	dev->ibdev = ibdev;
	INIT_LIST_HEAD(&dev->streams);
	init_waitqueue_head(&dev->wq);
	mutex_lock(&trdma_dev_mutex);
	list_add_tail(&dev->node, &trdma_devs);
	mutex_unlock(&trdma_dev_mutex);
	ib_set_client_data(ibdev, &trdma_ib_client, dev);
	return 0;
}

static bool trdma_dev_idle(struct trdma_dev *dev)
{
	bool idle;

	mutex_lock(&trdma_dev_mutex);
	idle = list_empty(&dev->streams);
	mutex_unlock(&trdma_dev_mutex);
	return idle;
}

/*
 * The device goes away: break every stream on it and destroy their verbs
 * resources now (their users see errors and, through the core, call
 * disconnect(), which releases the rdma_cm ids), then the PD. rdma_cm's
 * own removal runs after ours (clients are removed in the reverse order
 * of registration) and waits for those ids.
 */
static void trdma_dev_remove(struct ib_device *ibdev, void *client_data)
{
	struct trdma_dev *dev = client_data;
	struct trdma_stream *s;

	if (!dev)
		return;
	mutex_lock(&trdma_dev_mutex);
	dev->removing = true;
again:
	list_for_each_entry(s, &dev->streams, dev_node) {
		/* one that has no reference left is being released anyway */
		if (!kref_get_unless_zero(&s->kref))
			continue;
		mutex_unlock(&trdma_dev_mutex);
		pr_info("%s: device removed, dropping the connection\n",
			dev_name(&ibdev->dev));
		trdma_stream_break(s);
		trdma_stream_teardown(s);
		trdma_stream_put(s);
		mutex_lock(&trdma_dev_mutex);
		goto again;
	}
	mutex_unlock(&trdma_dev_mutex);
	wait_event(dev->wq, trdma_dev_idle(dev));

	mutex_lock(&trdma_dev_mutex);
	list_del(&dev->node);
	mutex_unlock(&trdma_dev_mutex);
	if (dev->pd)
		ib_dealloc_pd(dev->pd);
	kfree(dev);
}

/* ---- connections ----------------------------------------------------- */

static void trdma_conn_release(struct kref *kref)
{
	struct trdma_conn *c = container_of(kref, struct trdma_conn, kref);
	int i;

	for (i = 0; i < TANDEM_STREAM_COUNT; i++)
		trdma_stream_put(c->s[i]);
	kfree(c);
}

/**
 * trdma_conn_put() - drop a reference; the last one releases the streams
 * @c: the connection
 */
void trdma_conn_put(struct trdma_conn *c)
{
	kref_put(&c->kref, trdma_conn_release);
}

static struct trdma_conn *trdma_conn_get(struct trdma_transport *tt)
{
	struct trdma_conn *c;

	spin_lock(&tt->lock);
	c = tt->conn;
	if (c)
		kref_get(&c->kref);
	spin_unlock(&tt->lock);
	return c;
}

/**
 * trdma_conn_unhook() - take the established connection away from @tt
 * @tt: the instance
 *
 * Return: the connection with the instance's reference, now the
 * caller's, or NULL.
 */
struct trdma_conn *trdma_conn_unhook(struct trdma_transport *tt)
{
	struct trdma_conn *c;

	spin_lock(&tt->lock);
	c = tt->conn;
	tt->conn = NULL;
	spin_unlock(&tt->lock);
	return c;
}

/**
 * trdma_conn_shutdown_put() - break both streams, drop a reference
 * @c: an unhooked connection, or NULL
 *
 * Threads blocked in send or recv on @c return with an error; the
 * streams are released when the last of them has dropped its reference.
 */
void trdma_conn_shutdown_put(struct trdma_conn *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < TANDEM_STREAM_COUNT; i++)
		trdma_stream_shutdown(c->s[i]);
	trdma_conn_put(c);
}

/* ---- the ops --------------------------------------------------------- */

static int trdma_init(struct tandem_transport *t)
{
	struct trdma_transport *tt = t->priv;
	struct net *net = &init_net;
	int i;

	/* rdma_cm ids live in the network namespace of who creates us */
	if (current->nsproxy)
		net = current->nsproxy->net_ns;
	tt->net = get_net(net);
	mutex_init(&tt->cm_mutex);
	spin_lock_init(&tt->lock);
	for (i = 0; i < TANDEM_STREAM_COUNT; i++) {
		mutex_init(&tt->send_mutex[i]);
		tt->rcvtimeo[i] = MAX_SCHEDULE_TIMEOUT;
	}
	return 0;
}

static void trdma_disconnect(struct tandem_transport *t)
{
	struct trdma_transport *tt = t->priv;
	struct trdma_conn *c;

	mutex_lock(&tt->cm_mutex);
	WRITE_ONCE(tt->aborted, true);
	/*
	 * Unhook under cm_mutex: a connect() that installs its connection
	 * does so under it too, after checking @aborted.
	 */
	c = trdma_conn_unhook(tt);
	mutex_unlock(&tt->cm_mutex);
	wake_up_all(&trdma_cm_wq);
	trdma_conn_shutdown_put(c);
}

static void trdma_free(struct tandem_transport *t)
{
	struct trdma_transport *tt = t->priv;
	int i;

	trdma_disconnect(t);
	/* The core never frees an instance while it is connecting. */
	WARN_ON_ONCE(tt->connecting);
	for (i = 0; i < TANDEM_STREAM_COUNT; i++)
		mutex_destroy(&tt->send_mutex[i]);
	mutex_destroy(&tt->cm_mutex);
	put_net(tt->net);
}

static bool trdma_can_send(struct trdma_stream *s)
{
	bool ok;

	spin_lock_bh(&s->lock);
	ok = s->broken || (s->tx_nfree && s->credits);
	spin_unlock_bh(&s->lock);
	return ok;
}

/* Send one chunk of up to the peer's buffer size from @buf and @payload. */
static int trdma_send_chunk(struct trdma_stream *s, const void **buf,
			    size_t *len, struct iov_iter *payload, long timeo)
{
	size_t room = min(s->tx_size, s->peer_buf_size);
	struct ib_sge sge = {};
	struct ib_rdma_wr wr = {
		.wr = {
			.opcode = IB_WR_SEND_WITH_IMM,
			.send_flags = IB_SEND_SIGNALED,
			.sg_list = &sge, .num_sge = 1,
		},
	};
	struct trdma_buf *b;
	size_t n = 0, m;
	long r;
	u32 imm, idx;
	int err;

	r = wait_event_interruptible_timeout(s->wq, trdma_can_send(s), timeo);
	if (r < 0)
		return -EINTR;
	spin_lock_bh(&s->lock);
	if (s->broken) {
		err = -ECONNRESET;
		goto out_unlock;
	}
	if (!s->tx_nfree || !s->credits) {
		err = -ETIMEDOUT;
		goto out_unlock;
	}
	idx = s->tx_free[--s->tx_nfree];
	spin_unlock_bh(&s->lock);

	/* only we take buffers: @idx is ours until its completion */
	b = &s->tx[idx];
	m = min(*len, room);
	memcpy(b->addr, *buf, m);
	*buf += m;
	*len -= m;
	n = m;
	if (payload && n < room) {
		m = min(iov_iter_count(payload), room - n);
		if (copy_from_iter(b->addr + n, m, payload) != m) {
			err = -EFAULT;
			spin_lock_bh(&s->lock);
			goto out_put_buf;
		}
		n += m;
	}
	b->len = n;
	sge.addr = b->dma;
	sge.length = n;
	wr.wr.wr_cqe = &b->cqe;

	spin_lock_bh(&s->lock);
	if (s->dead || s->broken) {
		err = -ECONNRESET;
		goto out_put_buf;
	}
	sge.lkey = s->dev->pd->local_dma_lkey;
	ib_dma_sync_single_for_device(s->dev->ibdev, b->dma, n, DMA_TO_DEVICE);
	imm = min_t(u32, s->unacked, TRDMA_IMM_CREDITS);
	if (!*len && !(payload && iov_iter_count(payload)))
		imm |= TRDMA_IMM_END;
	if (s->peer_mode == TRDMA_MODE_WRITE) {
		/* a credit means the peer's oldest slot we filled is free */
		wr.wr.opcode = IB_WR_RDMA_WRITE_WITH_IMM;
		wr.remote_addr = s->peer_addr +
				 (u64)s->tx_slot * s->peer_buf_size;
		wr.rkey = s->peer_rkey;
		imm |= s->tx_slot << TRDMA_IMM_SLOT_SHIFT;
	}
	wr.wr.ex.imm_data = cpu_to_be32(imm);
	err = ib_post_send(s->qp, &wr.wr, NULL);
	if (err) {
		s->broken = true;
		goto out_put_buf;
	}
	if (s->peer_mode == TRDMA_MODE_WRITE)
		s->tx_slot = (s->tx_slot + 1) % s->peer_credits;
	s->credits--;
	s->unacked -= imm & TRDMA_IMM_CREDITS;
	s->tx_bytes += n;
	spin_unlock_bh(&s->lock);
	return 0;

out_put_buf:
	s->tx_free[s->tx_nfree++] = idx;
out_unlock:
	spin_unlock_bh(&s->lock);
	return err;
}

static int trdma_send(struct tandem_transport *t, enum tandem_stream stream,
		      const void *buf, size_t len, struct iov_iter *payload,
		      unsigned int flags)
{
	struct trdma_transport *tt = t->priv;
	struct trdma_stream *s;
	struct trdma_conn *c;
	long timeo;
	int err;

	if (stream >= TANDEM_STREAM_COUNT)
		return -EINVAL;
	c = trdma_conn_get(tt);
	if (!c)
		return -ENOTCONN;
	s = c->s[stream];
	spin_lock(&tt->lock);
	timeo = trdma_send_timeout(&tt->conf);
	spin_unlock(&tt->lock);

	/* the payload is copied: no page is referenced after return */
	mutex_lock(&tt->send_mutex[stream]);
	do {
		err = trdma_send_chunk(s, &buf, &len, payload, timeo);
	} while (!err && (len || (payload && iov_iter_count(payload))));
	mutex_unlock(&tt->send_mutex[stream]);

	trdma_conn_put(c);
	return err;
}

static bool trdma_can_recv(struct trdma_stream *s)
{
	bool ok;

	spin_lock_bh(&s->lock);
	ok = s->broken || s->rx_count;
	spin_unlock_bh(&s->lock);
	return ok;
}

/* The receiver is done with @b: back to the receive queue. */
static int trdma_rx_recycle(struct trdma_stream *s, struct trdma_buf *b)
{
	int err;

	spin_lock_bh(&s->lock);
	if (s->broken) {	/* the next recv reports it, after the data */
		spin_unlock_bh(&s->lock);
		return 0;
	}
	err = trdma_post_recv_locked(s, b);
	if (!err) {
		s->unacked++;
		trdma_credit_update_locked(s);
	}
	spin_unlock_bh(&s->lock);
	return err ? -ECONNRESET : 0;
}

static int trdma_recv_stream(struct trdma_stream *s, struct iov_iter *iter,
			     long timeo)
{
	unsigned long deadline = jiffies + timeo;
	size_t got = 0;

	while (iov_iter_count(iter)) {
		struct trdma_buf *b = s->rx_cur;
		size_t n;
		int err;

		if (!b) {
			long left = MAX_SCHEDULE_TIMEOUT, r;

			if (timeo != MAX_SCHEDULE_TIMEOUT)
				left = max_t(long, (long)(deadline - jiffies), 0);
			r = wait_event_interruptible_timeout(s->wq,
							     trdma_can_recv(s),
							     left);
			if (r < 0)
				return -EINTR;
			spin_lock_bh(&s->lock);
			/* data that arrived before the break comes first */
			if (s->broken && !s->rx_count) {
				spin_unlock_bh(&s->lock);
				return -ECONNRESET;
			}
			if (!s->rx_count) {
				spin_unlock_bh(&s->lock);
				return got ? -ETIMEDOUT : -EAGAIN;
			}
			b = s->rx_fifo[s->rx_head];
			s->rx_head = (s->rx_head + 1) % s->nr_rx;
			s->rx_count--;
			spin_unlock_bh(&s->lock);
			s->rx_cur = b;
			s->rx_off = 0;
		}
		n = min_t(size_t, b->len - s->rx_off, iov_iter_count(iter));
		if (copy_to_iter(b->addr + s->rx_off, n, iter) != n)
			return -EFAULT;
		s->rx_off += n;
		got += n;
		if (s->rx_off < b->len)
			continue;
		s->rx_cur = NULL;
		err = trdma_rx_recycle(s, b);
		if (err)
			return err;
	}
	return 0;
}

static int trdma_recv_iter(struct tandem_transport *t,
			   enum tandem_stream stream, struct iov_iter *iter)
{
	struct trdma_transport *tt = t->priv;
	struct trdma_conn *c;
	int err;

	if (stream >= TANDEM_STREAM_COUNT)
		return -EINVAL;
	c = trdma_conn_get(tt);
	if (!c)
		return -ENOTCONN;
	err = trdma_recv_stream(c->s[stream], iter,
				READ_ONCE(tt->rcvtimeo[stream]));
	trdma_conn_put(c);
	return err;
}

static int trdma_recv(struct tandem_transport *t, enum tandem_stream stream,
		      void *buf, size_t len)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct iov_iter it;

	iov_iter_kvec(&it, ITER_DEST, &kv, 1, len);
	return trdma_recv_iter(t, stream, &it);
}

static void trdma_set_timeout(struct tandem_transport *t,
			      enum tandem_stream stream, long timeout)
{
	struct trdma_transport *tt = t->priv;

	if (stream >= TANDEM_STREAM_COUNT)
		return;
	if (timeout < 0)
		timeout = MAX_SCHEDULE_TIMEOUT;
	WRITE_ONCE(tt->rcvtimeo[stream], timeout);
}

/* Every chunk is posted as it is filled; there is nothing to batch. */
static void trdma_hint_cork(struct tandem_transport *t,
			    enum tandem_stream stream, bool cork)
{
}

static void trdma_stats(struct tandem_transport *t,
			struct tandem_transport_stats *st)
{
	struct trdma_transport *tt = t->priv;
	struct trdma_conn *c;
	int i;

	memset(st, 0, sizeof(*st));
	c = trdma_conn_get(tt);
	if (!c)
		return;
	for (i = 0; i < TANDEM_STREAM_COUNT; i++) {
		struct trdma_stream *s = c->s[i];

		spin_lock_bh(&s->lock);
		st->send_buffer_used += s->tx_bytes;
		st->send_buffer_size += (u64)s->nr_tx * s->tx_size;
		/* a sender would wait for a buffer or for the peer's credits */
		if (!s->tx_nfree || !s->credits)
			st->congested = true;
		spin_unlock_bh(&s->lock);
	}
	trdma_conn_put(c);
}

/*
 * Buffer sizes shape the rings, which are created when connecting: a
 * change applies at the next connect. The send timeout applies at once.
 */
static int trdma_net_conf_change(struct tandem_transport *t,
				 const struct tandem_net_conf *conf)
{
	struct trdma_transport *tt = t->priv;
	int err;

	err = trdma_conf_valid(conf);
	if (err)
		return err;
	spin_lock(&tt->lock);
	tt->conf = *conf;
	spin_unlock(&tt->lock);
	return 0;
}

static const struct tandem_transport_ops trdma_ops = {
	.init		= trdma_init,
	.free		= trdma_free,
	.connect	= trdma_connect,
	.disconnect	= trdma_disconnect,
	.send		= trdma_send,
	.recv		= trdma_recv,
	.recv_iter	= trdma_recv_iter,
	.set_timeout	= trdma_set_timeout,
	.hint_cork	= trdma_hint_cork,
	.stats		= trdma_stats,
	.net_conf_change = trdma_net_conf_change,
};

static struct tandem_transport_class trdma_class = {
	.name		= "rdma",
	.version	= TANDEM_VERSION,
	.owner		= THIS_MODULE,
	.api_version	= TANDEM_TRANSPORT_API_VERSION,
	.instance_size	= sizeof(struct trdma_transport),
	.ops		= &trdma_ops,
};

static int __init trdma_transport_init(void)
{
	int err;

	BUILD_BUG_ON(sizeof(struct trdma_cm_priv) != 40);
	BUILD_BUG_ON(TRDMA_BUF_BYTES_MAX / TRDMA_DATA_BUF_SIZE >
		     TRDMA_IMM_SLOT_MAX + 1);
	err = ib_register_client(&trdma_ib_client);
	if (err)
		return err;
	err = tandem_register_transport(&trdma_class);
	if (err)
		goto out_unregister_client;
	return 0;

out_unregister_client:
	ib_unregister_client(&trdma_ib_client);
	return err;
}

static void __exit trdma_transport_exit(void)
{
	tandem_unregister_transport(&trdma_class);
	/* no instance is left: this only frees the devices' PDs */
	ib_unregister_client(&trdma_ib_client);
}

module_init(trdma_transport_init);
module_exit(trdma_transport_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tandem RDMA transport");
MODULE_VERSION(TANDEM_VERSION);
