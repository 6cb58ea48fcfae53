// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - RDMA transport: the verbs resources of a stream and their
 * completions.
 *
 * A stream (DATA or CONTROL) is one reliable-connected QP with its CQ, its
 * registered send and receive buffers and, when it receives by RDMA WRITE
 * (enum trdma_data_mode), the MR over its receive slots. This file sizes
 * and creates them (trdma_stream_setup), opens the slots to the peer
 * (trdma_stream_grant), posts receive work requests and credit updates,
 * handles every completion (receive, send, credit update, registration)
 * and tears the resources down (trdma_stream_teardown, from the last
 * reference or the device removal). The data path that uses them is in
 * rdma.c, connection setup in rdma_cm.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/jiffies.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "rdma_int.h"

/* ---- streams: buffers and verbs resources ----------------------------- */

static void trdma_rx_done(struct ib_cq *cq, struct ib_wc *wc);
static void trdma_rx_write_done(struct ib_cq *cq, struct ib_wc *wc);
static void trdma_reg_done(struct ib_cq *cq, struct ib_wc *wc);
static void trdma_tx_done(struct ib_cq *cq, struct ib_wc *wc);
static void trdma_credit_done(struct ib_cq *cq, struct ib_wc *wc);

/**
 * trdma_stream_alloc() - a new stream, no resources yet
 * @stream: enum tandem_stream it will carry
 *
 * Return: the stream with one reference, or NULL.
 */
struct trdma_stream *trdma_stream_alloc(enum tandem_stream stream)
{
	struct trdma_stream *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return NULL;
	kref_init(&s->kref);
	s->stream = stream;
	mutex_init(&s->mutex);
	INIT_LIST_HEAD(&s->dev_node);
	spin_lock_init(&s->lock);
	s->cm_state = -1;
	s->credit_cqe.done = trdma_credit_done;
	s->rx_cqe.done = trdma_rx_write_done;
	s->reg_cqe.done = trdma_reg_done;
	init_waitqueue_head(&s->wq);
	return s;
}

static void trdma_bufs_free(struct trdma_buf *b, u32 n)
{
	u32 i;

	if (!b)
		return;
	for (i = 0; i < n; i++)
		kfree(b[i].addr);
	kvfree(b);
}

static struct trdma_buf *trdma_bufs_alloc(struct trdma_stream *s, u32 n,
					  u32 size,
					  void (*done)(struct ib_cq *,
						       struct ib_wc *))
{
	struct trdma_buf *b;
	u32 i;

	b = kvcalloc(n, sizeof(*b), GFP_KERNEL);
	if (!b)
		return NULL;
	for (i = 0; i < n; i++) {
		b[i].addr = kmalloc(size, GFP_KERNEL);
		if (!b[i].addr) {
			trdma_bufs_free(b, i);
			return NULL;
		}
		b[i].s = s;
		b[i].cqe.done = done;
	}
	return b;
}

static void trdma_bufs_unmap(struct ib_device *ibdev, struct trdma_buf *b,
			     u32 n, u32 size, enum dma_data_direction dir)
{
	u32 i;

	for (i = 0; b && i < n; i++) {
		if (!b[i].dma)
			continue;
		ib_dma_unmap_single(ibdev, b[i].dma, size, dir);
		b[i].dma = 0;
	}
}

static int trdma_bufs_map(struct ib_device *ibdev, struct trdma_buf *b,
			  u32 n, u32 size, enum dma_data_direction dir)
{
	u32 i;

	for (i = 0; i < n; i++) {
		u64 dma = ib_dma_map_single(ibdev, b[i].addr, size, dir);

		if (ib_dma_mapping_error(ibdev, dma)) {
			trdma_bufs_unmap(ibdev, b, i, size, dir);
			return -ENOMEM;
		}
		b[i].dma = dma;
	}
	return 0;
}

/* Buffer counts and sizes of @s from @conf. */
static void trdma_stream_size(struct trdma_stream *s,
			      const struct tandem_net_conf *conf)
{
	if (s->stream == TANDEM_STREAM_DATA) {
		s->rx_size = TRDMA_DATA_BUF_SIZE;
		s->rx_credits = trdma_rx_bytes(conf) / TRDMA_DATA_BUF_SIZE;
		s->tx_size = TRDMA_DATA_BUF_SIZE;
		s->nr_tx = trdma_tx_bytes(conf) / TRDMA_DATA_BUF_SIZE;
	} else {
		s->rx_size = TRDMA_CTRL_BUF_SIZE;
		s->rx_credits = TRDMA_CTRL_BUFS;
		s->tx_size = TRDMA_CTRL_BUF_SIZE;
		s->nr_tx = TRDMA_CTRL_BUFS;
	}
	s->nr_rx = s->rx_credits + TRDMA_CREDIT_MSGS;
	s->nr_rxbuf = s->nr_rx;
	/* report reposted buffers once a quarter of the credits are back */
	s->credit_thresh = max_t(u32, 1, s->rx_credits / 4);
}

/*
 * Can one fast-registration MR map @nr slots of @slot_size bytes with
 * pages of @page_size bytes on @ibdev?
 */
static bool trdma_mr_fits(struct ib_device *ibdev, u32 nr, u32 slot_size,
			  u32 page_size)
{
	const struct ib_device_attr *a = &ibdev->attrs;

	return slot_size % page_size == 0 && (a->page_size_cap & page_size) &&
	       (u64)nr * (slot_size / page_size) <= a->max_fast_reg_page_list_len;
}

/* Page sizes to map the slots with, best first: one page per slot. */
static const u32 trdma_mr_page_sizes[] = { TRDMA_DATA_BUF_SIZE, PAGE_SIZE };

/*
 * How @s will receive: the data_mode parameter for DATA, if the device
 * can register all its slots in one MR (else SEND, saying why), and SEND
 * for CONTROL. Sizes @s's receive buffers accordingly.
 */
static void trdma_stream_mode(struct trdma_stream *s, struct ib_device *ibdev)
{
	bool fits = false;
	u32 i;

	s->rx_mode = TRDMA_MODE_SEND;
	if (s->stream != TANDEM_STREAM_DATA ||
	    trdma_data_mode_wanted() != TRDMA_MODE_WRITE)
		return;
	for (i = 0; i < ARRAY_SIZE(trdma_mr_page_sizes); i++)
		fits |= trdma_mr_fits(ibdev, s->rx_credits, s->rx_size,
				      trdma_mr_page_sizes[i]);
	if (!fits || s->rx_credits > TRDMA_IMM_SLOT_MAX + 1 ||
	    !(ibdev->attrs.device_cap_flags & IB_DEVICE_MEM_MGT_EXTENSIONS)) {
		pr_info_ratelimited("%s: cannot register %u receive slots of %u bytes in one region (at most %u pages): receiving by SEND\n",
				    dev_name(&ibdev->dev), s->rx_credits,
				    s->rx_size,
				    ibdev->attrs.max_fast_reg_page_list_len);
		return;
	}
	s->rx_mode = TRDMA_MODE_WRITE;
	/* a slot per credit; credit updates land in no buffer */
	s->nr_rxbuf = s->rx_credits;
}

/* Work requests and completions @s needs, against the device's limits. */
static int trdma_stream_check_limits(struct trdma_stream *s,
				     struct ib_device *ibdev)
{
	const struct ib_device_attr *a = &ibdev->attrs;
	u32 send_wr = s->nr_tx + TRDMA_CREDIT_MSGS + 2;
	u32 recv_wr = s->nr_rx + 1;

	if (send_wr > (u32)a->max_qp_wr || recv_wr > (u32)a->max_qp_wr ||
	    send_wr + recv_wr > (u32)a->max_cqe) {
		pr_err_ratelimited("%s: %u send and %u receive buffers exceed the device's limits (%d work requests per queue, %d completions); lower sndbuf-size, rcvbuf-size or max-buffers\n",
				   dev_name(&ibdev->dev), s->nr_tx, s->nr_rx,
				   a->max_qp_wr, a->max_cqe);
		return -EINVAL;
	}
	return 0;
}

/*
 * Post a receive work request. TRDMA_MODE_SEND: into @b. TRDMA_MODE_WRITE:
 * without a buffer (it only takes an immediate), handing the slot @b, if
 * any, back to the device.
 */
int trdma_post_recv_locked(struct trdma_stream *s, struct trdma_buf *b)
{
	struct ib_sge sge = {};
	struct ib_recv_wr wr = { .wr_cqe = &s->rx_cqe };
	int err;

	lockdep_assert_held(&s->lock);
	if (s->dead)
		return -ESHUTDOWN;
	if (b)
		ib_dma_sync_single_for_device(s->dev->ibdev, b->dma,
					      s->rx_size, DMA_FROM_DEVICE);
	if (s->rx_mode == TRDMA_MODE_SEND) {
		sge.addr = b->dma;
		sge.length = s->rx_size;
		sge.lkey = s->dev->pd->local_dma_lkey;
		wr.wr_cqe = &b->cqe;
		wr.sg_list = &sge;
		wr.num_sge = 1;
	}
	err = ib_post_recv(s->qp, &wr, NULL);
	if (!err)
		s->rx_posted++;
	return err;
}

/*
 * Tell the peer about reposted receive buffers once enough have come
 * back. A credit update uses no credit: it lands in one of the
 * TRDMA_CREDIT_MSGS buffers posted beyond the credits.
 */
void trdma_credit_update_locked(struct trdma_stream *s)
{
	struct ib_send_wr wr = {
		.wr_cqe = &s->credit_cqe, .opcode = IB_WR_SEND_WITH_IMM,
		.send_flags = IB_SEND_SIGNALED,
	};
	u32 n;

	lockdep_assert_held(&s->lock);
	if (s->dead || s->broken || s->unacked < s->credit_thresh ||
	    s->credit_msgs >= TRDMA_CREDIT_MSGS)
		return;
	n = min_t(u32, s->unacked, TRDMA_IMM_CREDITS);
	wr.ex.imm_data = cpu_to_be32(TRDMA_IMM_CREDIT_ONLY | n);
	if (ib_post_send(s->qp, &wr, NULL)) {
		s->broken = true;
		return;
	}
	s->credit_msgs++;
	s->unacked -= n;
}

/*
 * TRDMA_MODE_WRITE: one fast-registration MR over every (mapped) slot,
 * slot i at rx_mr->iova + i * rx_size. Registered for remote write by a
 * work request once the QP can send: trdma_stream_grant().
 */
static int trdma_rx_mr_alloc(struct trdma_stream *s, struct ib_device *ibdev)
{
	struct scatterlist *sgl;
	int n, err = -EOPNOTSUPP;
	u32 i;

	lockdep_assert_held(&s->mutex);
	sgl = kvcalloc(s->nr_rxbuf, sizeof(*sgl), GFP_KERNEL);
	if (!sgl)
		return -ENOMEM;
	sg_init_table(sgl, s->nr_rxbuf);
	for (i = 0; i < s->nr_rxbuf; i++) {
		sg_set_buf(&sgl[i], s->rx[i].addr, s->rx_size);
		sg_dma_address(&sgl[i]) = s->rx[i].dma;
		sg_dma_len(&sgl[i]) = s->rx_size;
	}
	for (i = 0; i < ARRAY_SIZE(trdma_mr_page_sizes); i++) {
		u32 pg = trdma_mr_page_sizes[i];
		struct ib_mr *mr;

		if (!trdma_mr_fits(ibdev, s->nr_rxbuf, s->rx_size, pg))
			continue;
		mr = ib_alloc_mr(s->dev->pd, IB_MR_TYPE_MEM_REG,
				 s->nr_rxbuf * (s->rx_size / pg));
		if (IS_ERR(mr)) {
			err = PTR_ERR(mr);
			continue;
		}
		/* all or nothing: a slot must not straddle a mapping hole */
		n = ib_map_mr_sg(mr, sgl, s->nr_rxbuf, NULL, pg);
		if (n == s->nr_rxbuf &&
		    mr->length == (u64)s->nr_rxbuf * s->rx_size) {
			s->rx_mr = mr;
			s->rx_rkey = mr->rkey;
			s->rx_iova = mr->iova;
			err = 0;
			break;
		}
		ib_dereg_mr(mr);
		err = n < 0 ? n : -EINVAL;
	}
	kvfree(sgl);
	if (err)
		pr_err_ratelimited("%s: registering %u receive slots for RDMA WRITE failed (%d); data_mode=send avoids it\n",
				   dev_name(&ibdev->dev), s->nr_rxbuf, err);
	return err;
}

/**
 * trdma_stream_grant() - TRDMA_MODE_WRITE: open the slots to the peer
 * @s: a stream whose connection is established
 *
 * Posts the registration of the slots for remote write and, behind it on
 * the same send queue, so executed after it, a credit update granting
 * every slot: the peer starts with no credit and writes nothing before.
 * Does nothing in TRDMA_MODE_SEND (the peer's credits came with our
 * private data) and after the first call. Process context.
 */
void trdma_stream_grant(struct trdma_stream *s)
{
	struct ib_send_wr credit = {
		.wr_cqe = &s->credit_cqe, .opcode = IB_WR_SEND_WITH_IMM,
		.send_flags = IB_SEND_SIGNALED,
	};
	struct ib_reg_wr reg = {
		.wr = {
			.wr_cqe = &s->reg_cqe, .opcode = IB_WR_REG_MR,
			.send_flags = IB_SEND_SIGNALED, .next = &credit,
		},
		.access = IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE,
	};
	const struct ib_send_wr *bad = NULL;

	spin_lock_bh(&s->lock);
	if (s->rx_mode != TRDMA_MODE_WRITE || s->rx_granted || s->dead ||
	    s->broken)
		goto out_unlock;
	s->rx_granted = true;
	reg.mr = s->rx_mr;
	reg.key = s->rx_mr->rkey;
	credit.ex.imm_data = cpu_to_be32(TRDMA_IMM_CREDIT_ONLY | s->rx_credits);
	if (ib_post_send(s->qp, &reg.wr, &bad)) {
		s->broken = true;
		/* what went before @bad completes (flushed) all the same */
		if (bad == &credit)
			s->reg_posted++;
		goto out_unlock;
	}
	s->reg_posted++;
	s->credit_msgs++;
out_unlock:
	spin_unlock_bh(&s->lock);
	wake_up_all(&s->wq);
}

/**
 * trdma_stream_setup() - create the verbs resources of @s
 * @s: a stream whose rdma_cm id has a device (route resolved, or a
 *     connection request)
 * @conf: valid options, sizing the buffers
 *
 * Creates the CQ and the QP, maps the buffers and posts every receive
 * buffer, so the peer may send as soon as the connection is up. In
 * TRDMA_MODE_WRITE also allocates and maps the slots' MR, registered by
 * trdma_stream_grant() once the connection is up.
 *
 * Return: 0, -EINVAL if the device cannot hold that many buffers,
 * -ENODEV if it is going away, or another negative errno.
 */
int trdma_stream_setup(struct trdma_stream *s,
		       const struct tandem_net_conf *conf)
{
	struct ib_device *ibdev = s->cm_id->device;
	struct ib_qp_init_attr qp_attr = {};
	u32 i;
	int err;

	trdma_stream_size(s, conf);
	trdma_stream_mode(s, ibdev);
	err = trdma_stream_check_limits(s, ibdev);
	if (err)
		return err;
	s->rx = trdma_bufs_alloc(s, s->nr_rxbuf, s->rx_size, trdma_rx_done);
	s->tx = trdma_bufs_alloc(s, s->nr_tx, s->tx_size, trdma_tx_done);
	s->rx_fifo = kvcalloc(s->nr_rx, sizeof(*s->rx_fifo), GFP_KERNEL);
	s->tx_free = kvcalloc(s->nr_tx, sizeof(*s->tx_free), GFP_KERNEL);
	if (!s->rx || !s->tx || !s->rx_fifo || !s->tx_free)
		return -ENOMEM;	/* freed with the stream */
	for (i = 0; i < s->nr_tx; i++)
		s->tx_free[i] = i;
	s->tx_nfree = s->nr_tx;

	mutex_lock(&s->mutex);
	if (s->dead) {
		err = -ENODEV;
		goto out_unlock;
	}
	err = trdma_dev_attach(s, ibdev);
	if (err)
		goto out_unlock;
	err = trdma_bufs_map(ibdev, s->rx, s->nr_rxbuf, s->rx_size,
			     DMA_FROM_DEVICE);
	if (err)
		goto out_detach;
	err = trdma_bufs_map(ibdev, s->tx, s->nr_tx, s->tx_size,
			     DMA_TO_DEVICE);
	if (err)
		goto out_unmap_rx;
	if (s->rx_mode == TRDMA_MODE_WRITE) {
		err = trdma_rx_mr_alloc(s, ibdev);
		if (err)
			goto out_unmap_tx;
	}
	s->cq = ib_alloc_cq_any(ibdev, s, s->nr_rx + s->nr_tx +
				TRDMA_CREDIT_MSGS + 3, IB_POLL_SOFTIRQ);
	if (IS_ERR(s->cq)) {
		err = PTR_ERR(s->cq);
		s->cq = NULL;
		goto out_dereg_mr;
	}
	qp_attr.qp_context = s;
	qp_attr.send_cq = s->cq;
	qp_attr.recv_cq = s->cq;
	/* and the slots' registration */
	qp_attr.cap.max_send_wr = s->nr_tx + TRDMA_CREDIT_MSGS + 2;
	qp_attr.cap.max_recv_wr = s->nr_rx + 1;
	qp_attr.cap.max_send_sge = 1;
	qp_attr.cap.max_recv_sge = 1;
	qp_attr.sq_sig_type = IB_SIGNAL_ALL_WR;
	qp_attr.qp_type = IB_QPT_RC;
	err = rdma_create_qp(s->cm_id, s->dev->pd, &qp_attr);
	if (err)
		goto out_free_cq;
	s->qp = s->cm_id->qp;

	spin_lock_bh(&s->lock);
	for (i = 0; i < s->nr_rx && !err; i++)
		err = trdma_post_recv_locked(s, s->rx_mode == TRDMA_MODE_SEND ?
					     &s->rx[i] : NULL);
	spin_unlock_bh(&s->lock);
	mutex_unlock(&s->mutex);
	/* a failed post leaves the QP to the teardown, which flushes it */
	return err;

out_free_cq:
	ib_free_cq(s->cq);
	s->cq = NULL;
out_dereg_mr:
	if (s->rx_mr) {
		ib_dereg_mr(s->rx_mr);
		s->rx_mr = NULL;
	}
out_unmap_tx:
	trdma_bufs_unmap(ibdev, s->tx, s->nr_tx, s->tx_size, DMA_TO_DEVICE);
out_unmap_rx:
	trdma_bufs_unmap(ibdev, s->rx, s->nr_rxbuf, s->rx_size,
			 DMA_FROM_DEVICE);
out_detach:
	trdma_dev_detach(s);
out_unlock:
	mutex_unlock(&s->mutex);
	return err;
}

/**
 * trdma_stream_start() - the peer's buffers are known: we may send
 * @s: the stream
 * @peer: how the peer receives, from its private data
 *
 * A peer receiving by SEND granted its credits in the private data; one
 * receiving by RDMA WRITE grants them once its slots are registered
 * (trdma_stream_grant()), which may already have happened.
 */
void trdma_stream_start(struct trdma_stream *s,
			const struct trdma_peer_ring *peer)
{
	spin_lock_bh(&s->lock);
	s->peer_credits = peer->credits;
	s->peer_buf_size = peer->buf_size;
	s->peer_mode = peer->mode;
	s->peer_rkey = peer->rkey;
	s->peer_addr = peer->addr;
	s->tx_slot = 0;
	if (peer->mode == TRDMA_MODE_SEND)
		s->credits = peer->credits;
	spin_unlock_bh(&s->lock);
}

/**
 * trdma_stream_break() - make every call on @s fail from now on
 * @s: the stream
 *
 * Wakes every thread waiting on @s, and connect(). Any context.
 */
void trdma_stream_break(struct trdma_stream *s)
{
	unsigned long flags;

	spin_lock_irqsave(&s->lock, flags);
	s->broken = true;
	spin_unlock_irqrestore(&s->lock, flags);
	wake_up_all(&s->wq);
	wake_up_all(&trdma_cm_wq);
}

static u32 trdma_outstanding(struct trdma_stream *s)
{
	u32 n;

	spin_lock_bh(&s->lock);
	n = s->rx_posted + (s->nr_tx - s->tx_nfree) + s->credit_msgs +
	    s->reg_posted;
	spin_unlock_bh(&s->lock);
	return n;
}

/**
 * trdma_stream_teardown() - destroy the verbs resources of @s
 * @s: the stream
 *
 * The QP goes to the error state, its work requests flush (bounded
 * wait), then QP, CQ, the slots' MR (which deregistering invalidates)
 * and buffer mappings go and @s leaves its device.
 * Idempotent; the rdma_cm id and the memory stay until the last
 * reference. Process context.
 */
void trdma_stream_teardown(struct trdma_stream *s)
{
	struct ib_qp_attr attr = { .qp_state = IB_QPS_ERR };
	struct ib_device *ibdev;

	mutex_lock(&s->mutex);
	spin_lock_bh(&s->lock);
	s->dead = true;
	s->broken = true;
	spin_unlock_bh(&s->lock);
	wake_up_all(&s->wq);
	if (!s->dev)
		goto out_unlock;
	ibdev = s->dev->ibdev;
	if (s->qp) {
		ib_modify_qp(s->qp, &attr, IB_QP_STATE);
		if (!wait_event_timeout(s->wq, !trdma_outstanding(s),
					TRDMA_DRAIN_TIMEOUT))
			pr_warn_ratelimited("%u work requests did not flush\n",
					    trdma_outstanding(s));
		rdma_destroy_qp(s->cm_id);
		s->qp = NULL;
	}
	if (s->cq) {
		ib_free_cq(s->cq);
		s->cq = NULL;
	}
	if (s->rx_mr) {
		ib_dereg_mr(s->rx_mr);
		s->rx_mr = NULL;
	}
	trdma_bufs_unmap(ibdev, s->tx, s->nr_tx, s->tx_size, DMA_TO_DEVICE);
	trdma_bufs_unmap(ibdev, s->rx, s->nr_rxbuf, s->rx_size,
			 DMA_FROM_DEVICE);
	trdma_dev_detach(s);
out_unlock:
	mutex_unlock(&s->mutex);
	wake_up_all(&trdma_cm_wq);
}

/**
 * trdma_stream_shutdown() - break @s and disconnect its rdma_cm connection
 * @s: the stream
 *
 * The peer sees the disconnection, our QP goes to the error state.
 * Process context.
 */
void trdma_stream_shutdown(struct trdma_stream *s)
{
	/*
	 * What was sent before reaches the peer, as with a TCP close: a
	 * healthy stream gets a moment to complete its posted sends (the
	 * last message before a close is often the reason for it).
	 */
	wait_event_timeout(s->wq, ({
		bool idle;

		spin_lock_bh(&s->lock);
		idle = s->broken || s->dead || s->tx_nfree == s->nr_tx;
		spin_unlock_bh(&s->lock);
		idle;
	}), TRDMA_LINGER);
	trdma_stream_break(s);
	mutex_lock(&s->mutex);
	if (s->cm_id && s->qp && !s->dead)
		rdma_disconnect(s->cm_id);
	mutex_unlock(&s->mutex);
}

static void trdma_stream_release(struct kref *kref)
{
	struct trdma_stream *s = container_of(kref, struct trdma_stream, kref);

	trdma_stream_teardown(s);
	if (s->cm_id)
		rdma_destroy_id(s->cm_id);
	trdma_bufs_free(s->rx, s->nr_rxbuf);
	trdma_bufs_free(s->tx, s->nr_tx);
	kvfree(s->rx_fifo);
	kvfree(s->tx_free);
	mutex_destroy(&s->mutex);
	kfree(s);
}

/**
 * trdma_stream_put() - drop a reference; the last one destroys everything
 * @s: the stream, or NULL. Process context.
 */
void trdma_stream_put(struct trdma_stream *s)
{
	if (s)
		kref_put(&s->kref, trdma_stream_release);
}

/* ---- completions ----------------------------------------------------- */

static void trdma_wc_error(struct trdma_stream *s, struct ib_wc *wc,
			   const char *what)
{
	if (wc->status != IB_WC_WR_FLUSH_ERR)
		pr_err_ratelimited("%s completion failed: %s (%d)\n", what,
				   ib_wc_status_msg(wc->status), wc->status);
	s->broken = true;
}

static void trdma_rx_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct trdma_buf *b = container_of(wc->wr_cqe, struct trdma_buf, cqe);
	struct trdma_stream *s = b->s;
	u32 imm;

	spin_lock(&s->lock);
	s->rx_posted--;
	if (wc->status != IB_WC_SUCCESS) {
		trdma_wc_error(s, wc, "receive");
		goto out_wake;
	}
	if (!(wc->wc_flags & IB_WC_WITH_IMM) || wc->byte_len > s->rx_size) {
		pr_err_ratelimited("malformed message (%u bytes, flags %#x)\n",
				   wc->byte_len, wc->wc_flags);
		s->broken = true;
		goto out_wake;
	}
	imm = be32_to_cpu(wc->ex.imm_data);
	s->credits += imm & TRDMA_IMM_CREDITS;
	if (imm & TRDMA_IMM_CREDIT_ONLY) {
		/* nothing to consume: straight back to the receive queue */
		if (trdma_post_recv_locked(s, b) && !s->dead)
			s->broken = true;
		goto out_wake;
	}
	ib_dma_sync_single_for_cpu(s->dev->ibdev, b->dma, s->rx_size,
				   DMA_FROM_DEVICE);
	b->len = wc->byte_len;
	s->rx_fifo[(s->rx_head + s->rx_count) % s->nr_rx] = b;
	s->rx_count++;
out_wake:
	spin_unlock(&s->lock);
	wake_up_all(&s->wq);
}

/* TRDMA_MODE_WRITE: a chunk the peer wrote into a slot, or credits. */
static void trdma_rx_write_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct trdma_stream *s = container_of(wc->wr_cqe, struct trdma_stream,
					      rx_cqe);
	struct trdma_buf *b;
	u32 imm = 0, slot = 0;

	spin_lock(&s->lock);
	s->rx_posted--;
	if (wc->status != IB_WC_SUCCESS) {
		trdma_wc_error(s, wc, "receive");
		goto out_wake;
	}
	if (!(wc->wc_flags & IB_WC_WITH_IMM))
		goto out_malformed;
	imm = be32_to_cpu(wc->ex.imm_data);
	slot = imm >> TRDMA_IMM_SLOT_SHIFT;
	if (wc->opcode == IB_WC_RECV && (imm & TRDMA_IMM_CREDIT_ONLY) &&
	    !wc->byte_len) {
		/* uses no slot: the work request goes straight back */
		s->credits += imm & TRDMA_IMM_CREDITS;
		if (trdma_post_recv_locked(s, NULL) && !s->dead)
			s->broken = true;
		goto out_wake;
	}
	if (wc->opcode != IB_WC_RECV_RDMA_WITH_IMM ||
	    (imm & TRDMA_IMM_CREDIT_ONLY) || wc->byte_len > s->rx_size ||
	    slot != s->rx_slot)
		goto out_malformed;
	s->credits += imm & TRDMA_IMM_CREDITS;
	b = &s->rx[slot];
	s->rx_slot = (slot + 1) % s->nr_rxbuf;
	ib_dma_sync_single_for_cpu(s->dev->ibdev, b->dma, s->rx_size,
				   DMA_FROM_DEVICE);
	b->len = wc->byte_len;
	s->rx_fifo[(s->rx_head + s->rx_count) % s->nr_rx] = b;
	s->rx_count++;
	goto out_wake;

out_malformed:
	pr_err_ratelimited("malformed message (opcode %d, %u bytes, flags %#x, immediate %#x, slot %u expected)\n",
			   wc->opcode, wc->byte_len, wc->wc_flags, imm,
			   s->rx_slot);
	s->broken = true;
out_wake:
	spin_unlock(&s->lock);
	wake_up_all(&s->wq);
}

static void trdma_reg_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct trdma_stream *s = container_of(wc->wr_cqe, struct trdma_stream,
					      reg_cqe);

	spin_lock(&s->lock);
	if (wc->status != IB_WC_SUCCESS)
		trdma_wc_error(s, wc, "slot registration");
	s->reg_posted--;
	spin_unlock(&s->lock);
	wake_up_all(&s->wq);
}

static void trdma_tx_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct trdma_buf *b = container_of(wc->wr_cqe, struct trdma_buf, cqe);
	struct trdma_stream *s = b->s;

	spin_lock(&s->lock);
	if (wc->status != IB_WC_SUCCESS)
		trdma_wc_error(s, wc, "send");
	s->tx_bytes -= b->len;
	s->tx_free[s->tx_nfree++] = b - s->tx;
	spin_unlock(&s->lock);
	wake_up_all(&s->wq);
}

static void trdma_credit_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct trdma_stream *s = container_of(wc->wr_cqe, struct trdma_stream,
					      credit_cqe);

	spin_lock(&s->lock);
	if (wc->status != IB_WC_SUCCESS)
		trdma_wc_error(s, wc, "credit update");
	s->credit_msgs--;
	/* one that could not go for lack of a slot goes now */
	trdma_credit_update_locked(s);
	spin_unlock(&s->lock);
	wake_up_all(&s->wq);
}

