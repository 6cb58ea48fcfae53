/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandem - RDMA transport: declarations shared by its files.
 *
 * rdma.c          class registration, options, the RDMA devices we use
 *                 (one PD each, an ib_client that tears connections down
 *                 when a device goes away), connections, the data path
 *                 with credit-based flow control, disconnect, free
 * rdma_stream.c   streams: QP, CQ, buffers, the slots' MR, receive and
 *                 credit posting, completions, teardown
 * rdma_cm.c       connection setup with rdma_cm: active resolve/connect,
 *                 passive listen/accept, pairing of the two streams
 *
 * Our symbols start with trdma_/TRDMA_: rdma_ belongs to the kernel.
 */
#ifndef _TANDEM_RDMA_INT_H
#define _TANDEM_RDMA_INT_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <rdma/ib_verbs.h>
#include <rdma/rdma_cm.h>

#include "transport.h"

/*
 * Receive and send buffers: DATA carries writes (4 KiB..1 MiB payloads),
 * CONTROL small acks and pings. A message larger than one buffer is sent
 * as several chunks, one buffer each, and reassembled by the receiver.
 */
#define TRDMA_DATA_BUF_SIZE	(32U << 10)
#define TRDMA_CTRL_BUF_SIZE	(4U << 10)
#define TRDMA_CTRL_BUFS		64	/* CONTROL: receive and send buffers */

/* DATA ring limits, in bytes, and the defaults when the options say 0 */
#define TRDMA_BUF_BYTES_MIN	(2 * TRDMA_DATA_BUF_SIZE)
#define TRDMA_BUF_BYTES_MAX	(64U << 20)
#define TRDMA_RCVBUF_DEFAULT_MAX (8U << 20)	/* cap of max_buffers * 4 KiB */
#define TRDMA_SNDBUF_DEFAULT	(4U << 20)
#define TRDMA_MAX_BUFFERS_MIN	32

/*
 * Credit-update messages (no data) do not use a credit: each side posts
 * TRDMA_CREDIT_MSGS receive buffers beyond the credits it grants, and
 * has at most that many credit updates in flight. That reserve is what
 * lets the receiver always tell a blocked sender about free buffers.
 */
#define TRDMA_CREDIT_MSGS	4

/*
 * Immediate data of every SEND and RDMA WRITE: credits returned, flags,
 * and for an RDMA WRITE the receive slot it wrote (a check: the sender
 * fills the peer's slots in order, the receiver expects them in order).
 */
#define TRDMA_IMM_CREDITS	0xffffU
#define TRDMA_IMM_END		(1U << 16)	/* last chunk of a message */
#define TRDMA_IMM_CREDIT_ONLY	(1U << 17)	/* no data, credits only */
#define TRDMA_IMM_SLOT_SHIFT	18
#define TRDMA_IMM_SLOT_MAX	0x3fffU		/* 14 bits */

/**
 * enum trdma_data_mode - how a stream's receiver takes data
 * @TRDMA_MODE_SEND: the peer SENDs into posted receive buffers
 * @TRDMA_MODE_WRITE: the peer RDMA WRITEs (with immediate) into our
 *                    receive slots, registered for remote write; posted
 *                    receive work requests (no buffer) take the immediates
 *
 * Chosen per direction by the receiver (the data_mode parameter, DATA
 * stream only) and announced in its private data; the sender follows.
 */
enum trdma_data_mode {
	TRDMA_MODE_SEND,
	TRDMA_MODE_WRITE,
};

/* Connection setup */
#define TRDMA_PRIV_MAGIC	0x5472644d	/* "TrdM" */
#define TRDMA_PRIV_VERSION	2
#define TRDMA_RESOLVE_MS	2000		/* address and route resolution */
#define TRDMA_HANDSHAKE_TIMEOUT	(5 * HZ)	/* each step of the active end */
#define TRDMA_PAIR_TIMEOUT	(4 * HZ)	/* a half-made pair is dropped */
#define TRDMA_DRAIN_TIMEOUT	(5 * HZ)	/* flushing a QP in teardown */
#define TRDMA_LINGER		(HZ / 2)	/* posted sends at a close */
#define TRDMA_BACKLOG		8
/*
 * Local ACK timeout, 4.096 us * 2^n: 15 is 134 ms. rdma_cm's default
 * for RoCE (about 0.5 s) makes every lost packet a half-second stall.
 */
#define TRDMA_ACK_TIMEOUT	15

/**
 * struct trdma_cm_priv - private data of the connection request and reply
 * @magic: TRDMA_PRIV_MAGIC
 * @version: TRDMA_PRIV_VERSION
 * @stream: enum tandem_stream this rdma_cm connection carries
 * @mode: enum trdma_data_mode: how the sender of this data receives
 * @reserved: zero
 * @cookie: random, the same on both connections of one attempt
 * @credits: receive buffers the sender of this data grants (initial
 *           credits of the other end, in TRDMA_MODE_SEND; in
 *           TRDMA_MODE_WRITE the number of receive slots, granted as
 *           credits once they are registered)
 * @buf_size: bytes per receive buffer (slot) of the sender of this data
 * @rkey: TRDMA_MODE_WRITE: remote key of the slots, else zero
 * @reserved2: zero
 * @addr: TRDMA_MODE_WRITE: address of slot 0 in the region @rkey
 *        covers; slot i is at @addr + i * @buf_size. Else zero.
 *
 * The active end sends it with rdma_connect(), the passive end answers
 * with its own in rdma_accept(). Big-endian, 40 bytes (a connection
 * request carries at most 56 bytes of private data over rdma_cm).
 */
struct trdma_cm_priv {
	__be32 magic;
	__u8 version;
	__u8 stream;
	__u8 mode;
	__u8 reserved;
	__be64 cookie;
	__be32 credits;
	__be32 buf_size;
	__be32 rkey;
	__be32 reserved2;
	__be64 addr;
} __packed;

/**
 * struct trdma_peer_ring - how the peer receives on a stream
 * @credits: its receive buffers (slots) granted to us
 * @buf_size: bytes per receive buffer (slot)
 * @mode: enum trdma_data_mode
 * @rkey: TRDMA_MODE_WRITE: remote key of the slots
 * @addr: TRDMA_MODE_WRITE: address of slot 0
 *
 * What struct trdma_cm_priv says, decoded and checked.
 */
struct trdma_peer_ring {
	u32 credits;
	u32 buf_size;
	enum trdma_data_mode mode;
	u32 rkey;
	u64 addr;
};

/**
 * struct trdma_dev - an RDMA device we know about
 * @node: in trdma_devs
 * @ibdev: the device
 * @pd: protection domain shared by all streams on the device, allocated
 *      on first use
 * @streams: streams holding verbs resources on the device
 * @removing: the device is going away: no new streams
 * @wq: woken when a stream leaves @streams
 *
 * Created by the ib_client's add callback, destroyed by its remove
 * callback after every stream on the device has released its QP, CQ
 * and buffer mappings. All members but @ibdev and @wq under
 * trdma_dev_mutex.
 */
struct trdma_dev {
	struct list_head node;
	struct ib_device *ibdev;
	struct ib_pd *pd;
	struct list_head streams;
	bool removing;
	wait_queue_head_t wq;
};

/**
 * struct trdma_buf - one pre-registered buffer
 * @cqe: completion entry of the work request using the buffer
 * @s: the stream it belongs to
 * @addr: kernel address
 * @dma: DMA address (0 when not mapped)
 * @len: bytes received into it (receive buffers)
 */
struct trdma_buf {
	struct ib_cqe cqe;
	struct trdma_stream *s;
	void *addr;
	u64 dma;
	u32 len;
};

/**
 * struct trdma_stream - one rdma_cm connection: one stream of a transport
 * @kref: held by the owner (the connection, or connect() while the stream
 *        is being set up or waits for its partner) and briefly by the
 *        device removal
 * @stream: enum tandem_stream
 * @cm_id: the rdma_cm id, destroyed when the last reference goes
 * @mutex: serialises creation and destruction of @qp, @cq, the buffer
 *         mappings and @dev against each other
 * @dev: device the stream's verbs resources live on (on its @streams
 *       list), NULL before they exist and after teardown
 * @dev_node: in &trdma_dev.streams
 * @cq: completion queue of both work queues
 * @qp: the queue pair
 * @lock: protects everything below, and posting work requests
 * @dead: verbs resources are (being) destroyed: post nothing
 * @broken: the connection is unusable; every call fails
 * @cm_state: last rdma_cm event of interest during setup (RDMA_CM_EVENT_*),
 *            -1 for none
 * @established: the rdma_cm connection is established
 * @cookie: cookie of the attempt (passive end: from the request)
 * @peer_credits: credits the peer granted in its private data (its
 *                receive slots, in TRDMA_MODE_WRITE)
 * @peer_buf_size: bytes per receive buffer of the peer
 * @peer_mode: how the peer receives (enum trdma_data_mode)
 * @peer_rkey: TRDMA_MODE_WRITE: remote key of the peer's slots
 * @peer_addr: TRDMA_MODE_WRITE: address of the peer's slot 0
 * @tx_slot: TRDMA_MODE_WRITE: the peer's slot our next chunk goes to
 * @credits: send credits: receive buffers the peer has free for us
 * @unacked: receive buffers reposted but not yet reported to the peer
 * @credit_thresh: report @unacked in a credit update from this many on
 * @credit_msgs: credit updates in flight
 * @rx_mode: how we receive (enum trdma_data_mode), fixed at setup
 * @rx: receive buffers: @nr_rxbuf of them. TRDMA_MODE_SEND: one per
 *      receive work request; TRDMA_MODE_WRITE: the slots the peer
 *      writes into, in order, one per credit
 * @nr_rxbuf: receive buffers
 * @nr_rx: receive work requests posted: @rx_credits plus
 *         TRDMA_CREDIT_MSGS
 * @rx_credits: receive buffers granted to the peer as credits
 * @rx_size: bytes per receive buffer
 * @rx_posted: receive work requests not completed yet
 * @rx_mr: TRDMA_MODE_WRITE: memory region over all slots, registered
 *         for remote write once the connection is established
 * @rx_rkey: TRDMA_MODE_WRITE: @rx_mr's rkey, kept for the private data
 *           (teardown may free @rx_mr while the connection is set up)
 * @rx_iova: TRDMA_MODE_WRITE: @rx_mr's address of slot 0, the same way
 * @rx_slot: TRDMA_MODE_WRITE: the slot the peer's next chunk lands in
 * @rx_cqe: TRDMA_MODE_WRITE: completion entry of the receive work
 *          requests (they have no buffer of their own)
 * @reg_cqe: completion entry of the registration of @rx_mr
 * @reg_posted: registrations of @rx_mr not completed yet
 * @rx_granted: TRDMA_MODE_WRITE: @rx_mr's registration and the credits
 *              for the slots were posted
 * @rx_fifo: received data buffers in arrival order, @nr_rx slots
 * @rx_head: next one to consume
 * @rx_count: buffers in @rx_fifo
 * @rx_cur: buffer being consumed by the receiver (receiver thread only)
 * @rx_off: bytes of @rx_cur already consumed (receiver thread only)
 * @tx: send buffers
 * @nr_tx: send buffers
 * @tx_size: bytes per send buffer
 * @tx_free: indexes of free send buffers (a stack of @tx_nfree)
 * @tx_nfree: free send buffers
 * @tx_bytes: bytes in send buffers not yet completed
 * @credit_cqe: completion entry of credit updates
 * @wq: senders and the receiver wait here
 */
struct trdma_stream {
	struct kref kref;
	enum tandem_stream stream;
	struct rdma_cm_id *cm_id;
	struct mutex mutex;
	struct trdma_dev *dev;
	struct list_head dev_node;
	struct ib_cq *cq;
	struct ib_qp *qp;

	spinlock_t lock;
	bool dead;
	bool broken;
	int cm_state;
	bool established;
	u64 cookie;
	u32 peer_credits;
	u32 peer_buf_size;
	enum trdma_data_mode peer_mode;
	u32 peer_rkey;
	u64 peer_addr;
	u32 tx_slot;
	u32 credits;
	u32 unacked;
	u32 credit_thresh;
	u32 credit_msgs;

	enum trdma_data_mode rx_mode;
	struct trdma_buf *rx;
	u32 nr_rxbuf;
	u32 nr_rx;
	u32 rx_credits;
	u32 rx_size;
	u32 rx_posted;
	struct ib_mr *rx_mr;
	u32 rx_rkey;
	u64 rx_iova;
	u32 rx_slot;
	struct ib_cqe rx_cqe;
	struct ib_cqe reg_cqe;
	u32 reg_posted;
	bool rx_granted;
	struct trdma_buf **rx_fifo;
	u32 rx_head;
	u32 rx_count;
	struct trdma_buf *rx_cur;
	u32 rx_off;

	struct trdma_buf *tx;
	u32 nr_tx;
	u32 tx_size;
	u32 *tx_free;
	u32 tx_nfree;
	u64 tx_bytes;
	struct ib_cqe credit_cqe;

	wait_queue_head_t wq;
};

/**
 * struct trdma_conn - an established connection: one stream each
 * @kref: one reference held by &trdma_transport.conn while installed,
 *        one by each call using it
 * @s: the streams, by enum tandem_stream
 *
 * disconnect() unhooks the connection and breaks its streams, which
 * makes every call blocked on them return; the streams are released
 * when the last reference goes.
 */
struct trdma_conn {
	struct kref kref;
	struct trdma_stream *s[TANDEM_STREAM_COUNT];
};

/**
 * struct trdma_transport - private part of an RDMA transport instance
 * @net: network namespace of the creator of the instance (referenced)
 * @cm_mutex: protects @aborted, @connecting, @path, @half, @listen_gone
 *            and @stale, and orders disconnect() against connect()
 *            installing its connection. Never held while destroying an
 *            rdma_cm id: the listener's event handler takes it.
 * @aborted: disconnect() was called since connect() started
 * @connecting: a connect() is running
 * @path: the path of the running connect()
 * @half: passive end: accepted streams waiting for their partner
 * @half_expires: jiffies after which a half is dropped
 * @stale: passive end: streams the listener replaced, for connect() to
 *         release (the event handler cannot destroy rdma_cm ids)
 * @nr_stale: entries in @stale
 * @listen_gone: the listener's device went away: listen again
 * @lock: protects @conn and @conf
 * @conn: the established connection, NULL when there is none
 * @conf: current net options
 * @send_mutex: serialises the senders of a stream
 * @rcvtimeo: receive timeout per stream, jiffies
 */
struct trdma_transport {
	struct net *net;
	struct mutex cm_mutex;
	bool aborted;
	bool connecting;
	struct tandem_path path;
	struct trdma_stream *half[TANDEM_STREAM_COUNT];
	unsigned long half_expires[TANDEM_STREAM_COUNT];
	struct trdma_stream *stale[2 * TANDEM_STREAM_COUNT];
	unsigned int nr_stale;
	bool listen_gone;
	spinlock_t lock;
	struct trdma_conn *conn;
	struct tandem_net_conf conf;
	struct mutex send_mutex[TANDEM_STREAM_COUNT];
	long rcvtimeo[TANDEM_STREAM_COUNT];
};

/* Woken on every rdma_cm event and disconnect(): connect() waits here. */
extern wait_queue_head_t trdma_cm_wq;

/* rdma.c */
int trdma_conf_valid(const struct tandem_net_conf *conf);
u32 trdma_rx_bytes(const struct tandem_net_conf *conf);
u32 trdma_tx_bytes(const struct tandem_net_conf *conf);
enum trdma_data_mode trdma_data_mode_wanted(void);
const char *trdma_mode_name(enum trdma_data_mode mode);
int trdma_dev_attach(struct trdma_stream *s, struct ib_device *ibdev);
void trdma_dev_detach(struct trdma_stream *s);
void trdma_conn_put(struct trdma_conn *c);
struct trdma_conn *trdma_conn_unhook(struct trdma_transport *tt);
void trdma_conn_shutdown_put(struct trdma_conn *c);

/* rdma_stream.c */
struct trdma_stream *trdma_stream_alloc(enum tandem_stream stream);
void trdma_stream_put(struct trdma_stream *s);
int trdma_stream_setup(struct trdma_stream *s,
		       const struct tandem_net_conf *conf);
void trdma_stream_start(struct trdma_stream *s,
			const struct trdma_peer_ring *peer);
void trdma_stream_grant(struct trdma_stream *s);
void trdma_stream_break(struct trdma_stream *s);
void trdma_stream_shutdown(struct trdma_stream *s);
void trdma_stream_teardown(struct trdma_stream *s);
int trdma_post_recv_locked(struct trdma_stream *s, struct trdma_buf *b);
void trdma_credit_update_locked(struct trdma_stream *s);

/* rdma_cm.c */
int trdma_stream_cm_handler(struct rdma_cm_id *id,
			    struct rdma_cm_event *ev);
int trdma_connect(struct tandem_transport *t, const struct tandem_path *path,
		  const struct tandem_net_conf *conf);

#endif /* _TANDEM_RDMA_INT_H */
