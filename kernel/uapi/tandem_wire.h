/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tandem - wire protocol between two nodes (docs/PROTOCOL.md).
 *
 * Every packet is a struct tandem_hdr followed by hdr.length bytes: a
 * fixed-size, big-endian body struct for its type, then (for data-
 * carrying types) the payload. Packets travel on one of two streams:
 * DATA (writes, resync data, barriers, state) and CONTROL (acks, pings),
 * so acks never queue behind bulk data.
 *
 * All integers are big-endian. Every struct size is fixed and checked
 * with BUILD_BUG_ON in the kernel (wire.c) and static_assert in the
 * unit tests.
 */
#ifndef _UAPI_TANDEM_WIRE_H
#define _UAPI_TANDEM_WIRE_H

#include <linux/types.h>

#define TANDEM_MAGIC		0x54414e44	/* "TAND" */

/* Largest body + payload of one packet: one 1 MiB bio plus its body. */
#define TANDEM_MAX_PAYLOAD	(1U << 20)
#define TANDEM_MAX_BODY		256

enum tandem_stream {
	TANDEM_STREAM_DATA,
	TANDEM_STREAM_CONTROL,
	TANDEM_STREAM_COUNT,
};

/**
 * struct tandem_hdr - every packet starts with this
 * @magic: TANDEM_MAGIC
 * @type: enum tandem_packet
 * @volume: volume number the packet is about (0 for connection-wide)
 * @length: bytes following this header (body + payload)
 * @reserved: 0
 */
struct tandem_hdr {
	__be32 magic;
	__be16 type;
	__be16 volume;
	__be32 length;
	__be32 reserved;
} __attribute__((packed));

enum tandem_packet {
	/* handshake (both streams) */
	TP_HELLO		= 1,	/* tandem_p_hello */
	TP_AUTH_CHALLENGE	= 2,	/* tandem_p_auth */
	TP_AUTH_RESPONSE	= 3,	/* tandem_p_auth */
	TP_AUTH_RESULT		= 4,	/* tandem_p_auth_result */
	/* connection (DATA) */
	TP_NET_OPTS		= 10,	/* tandem_p_net_opts */
	TP_UUIDS		= 11,	/* tandem_p_uuids */
	TP_SIZES		= 12,	/* tandem_p_sizes */
	TP_STATE		= 13,	/* tandem_p_state */
	TP_DISCONNECT		= 14,	/* no body, or tandem_p_disconnect:
					 * orderly close */
	TP_ROLE_REQ		= 15,	/* tandem_p_role_req */
	/* data path (DATA) */
	TP_DATA			= 20,	/* tandem_p_data + payload */
	TP_BARRIER		= 21,	/* tandem_p_barrier */
	TP_SYNC_REQ		= 22,	/* tandem_p_block_req */
	TP_SYNC_DATA		= 23,	/* tandem_p_data + payload */
	TP_OUT_OF_SYNC		= 24,	/* tandem_p_block_req */
	TP_SYNC_DONE		= 25,	/* tandem_p_sync_done */
	TP_OV_REQ		= 26,	/* tandem_p_ov_req + digests */
	TP_RESIZE		= 27,	/* tandem_p_resize */
	TP_READ_REQ		= 28,	/* tandem_p_block_req: read these
					 * blocks for me (a diskless reader) */
	TP_READ_REPLY		= 29,	/* tandem_p_data + payload, or with
					 * TANDEM_DP_READ_ERROR no payload */
	TP_OV_RESULT		= 30,	/* tandem_p_ov_reply: the verify
					 * source's verdict on a range */
	/* acks (CONTROL) */
	TP_PING			= 40,	/* no body */
	TP_PING_ACK		= 41,	/* no body */
	TP_RECV_ACK		= 42,	/* tandem_p_block_ack: protocol B */
	TP_WRITE_ACK		= 43,	/* tandem_p_block_ack: protocol C */
	TP_NEG_ACK		= 44,	/* tandem_p_block_ack: peer write failed */
	TP_BARRIER_ACK		= 45,	/* tandem_p_barrier_ack */
	TP_SYNC_ACK		= 46,	/* tandem_p_block_ack: resync write done */
	TP_ROLE_REPLY		= 47,	/* tandem_p_role_reply */
	TP_OV_REPLY		= 48,	/* tandem_p_ov_reply */
};

/* Feature bits negotiated in TP_HELLO. */
#define TANDEM_FF_TRIM		(1ULL << 0)	/* discard */
#define TANDEM_FF_ZEROES	(1ULL << 1)	/* write-zeroes */
#define TANDEM_FF_FUA		(1ULL << 2)	/* FUA/preflush honoured */
#define TANDEM_FF_DISKLESS	(1ULL << 3)	/* TP_READ_REQ served,
						 * TANDEM_DP_NO_LOCAL known */

/**
 * struct tandem_p_hello - first packet on each stream, both directions
 * @proto_min: oldest protocol version spoken
 * @proto_max: newest protocol version spoken
 * @features: TANDEM_FF_* bits this node supports
 * @stream: enum tandem_stream this socket/queue pair carries
 * @node_id: sender's node id
 * @peer_node_id: node id the sender expects at the other end
 * @auth: 1 if the sender requires challenge-response authentication
 * @conn_cookie: random, equal on both streams of one connection attempt
 * @resource: resource name, NUL-padded
 */
struct tandem_p_hello {
	__be32 proto_min;
	__be32 proto_max;
	__be64 features;
	__be32 stream;
	__be32 node_id;
	__be32 peer_node_id;
	__be32 auth;
	__be64 conn_cookie;
	__u8 resource[64];
} __attribute__((packed));

#define TANDEM_CHALLENGE_LEN	32
#define TANDEM_DIGEST_MAX	64

/**
 * struct tandem_p_auth - challenge or response
 * @len: bytes of @data in use
 * @data: random challenge, or HMAC(shared-secret, peer's challenge)
 */
struct tandem_p_auth {
	__be32 len;
	__u8 data[TANDEM_DIGEST_MAX];
} __attribute__((packed));

struct tandem_p_auth_result {
	__be32 ok;
} __attribute__((packed));

/* TP_NET_OPTS flags */
#define TANDEM_NF_TWO_PRIMARIES	(1U << 0)
#define TANDEM_NF_DISCARD_MY_DATA (1U << 1)

/**
 * struct tandem_p_net_opts - options both sides must agree on
 * @protocol: enum tandem_protocol
 * @flags: TANDEM_NF_*
 * @integrity_alg: data-integrity-alg, NUL-padded, empty for none
 * @after_sb: after-sb-0pri, -1pri and -2pri policies (-1pri and -2pri
 *            must be the same on both nodes)
 */
struct tandem_p_net_opts {
	__be32 protocol;
	__be32 flags;
	__u8 integrity_alg[32];
	__be32 after_sb[3];
} __attribute__((packed));

#define TANDEM_HISTORY_UUIDS	4

/* TP_UUIDS flags */
#define TANDEM_UF_CRASHED_PRIMARY	(1U << 0)
#define TANDEM_UF_INCONSISTENT		(1U << 1)
#define TANDEM_UF_PRIMARY		(1U << 2)
#define TANDEM_UF_OLDER_PRIMARY		(1U << 3) /* was Primary when the
						   * bitmap towards the peer
						   * started */
#define TANDEM_UF_SYNC_RESUME		(1U << 5) /* the sender is Inconsistent
						   * from an unfinished resync
						   * as the receiver's target;
						   * @bitmap_uuid is the
						   * receiver's generation when
						   * it began */
#define TANDEM_UF_VERIFIED		(1U << 4) /* our online verify found
						   * blocks that differ */

/**
 * struct tandem_p_uuids - generation identifiers of one volume
 * @current_uuid: current data generation
 * @bitmap_uuid: generation the bitmap towards this peer started at
 * @history: older generations, newest first
 * @flags: TANDEM_UF_*
 * @oos_bits: set bits in the bitmap towards this peer
 */
struct tandem_p_uuids {
	__be64 current_uuid;
	__be64 bitmap_uuid;
	__be64 history[TANDEM_HISTORY_UUIDS];
	__be32 flags;
	__be32 pad;
	__be64 oos_bits;
} __attribute__((packed));

/**
 * struct tandem_p_sizes - sizes of one volume
 * @backing_sect: usable size of the local backing device (data area)
 * @current_sect: size the sender's device currently exposes (0: none)
 * @max_bio_bytes: largest request the sender's backing device takes
 */
struct tandem_p_sizes {
	__be64 backing_sect;
	__be64 current_sect;
	__be32 max_bio_bytes;
	__be32 pad;
} __attribute__((packed));

/**
 * struct tandem_p_state - the sender's state of one volume
 * @role: enum tandem_role of the sender's resource
 * @disk: enum tandem_disk_state of the sender's volume
 * @repl: enum tandem_repl_state the sender requests/has
 * @flags: TANDEM_SF_*
 */
struct tandem_p_state {
	__be32 role;
	__be32 disk;
	__be32 repl;
	__be32 flags;
} __attribute__((packed));

/* TP_DISCONNECT flags */
#define TANDEM_DISC_REFUSED	(1U << 0) /* the sender refuses this
					   * connection: do not retry */

/**
 * struct tandem_p_disconnect - optional body of TP_DISCONNECT
 * @flags: TANDEM_DISC_*
 */
struct tandem_p_disconnect {
	__be32 flags;
} __attribute__((packed));

/* TP_STATE flags */
#define TANDEM_SF_USER_PAUSE	(1U << 0) /* the sender's administrator
					   * paused the resync (pause-sync) */
#define TANDEM_SF_DEP_PAUSE	(1U << 2) /* the sender waits for another
					   * resync first (resync-after) */
#define TANDEM_SF_START_FULL	(1U << 1) /* the sender just started a full
					   * sync in the direction of @repl
					   * (invalidate, invalidate-remote):
					   * take the other side */
#define TANDEM_SF_START_BITMAP	(1U << 3) /* the sender's disk lost blocks
					   * (on-io-error pass_on) and waits
					   * for our bitmap: become its sync
					   * source */

/* TP_DATA / TP_SYNC_DATA flags (dp_flags) */
#define TANDEM_DP_FUA		(1U << 0)
#define TANDEM_DP_FLUSH		(1U << 1)	/* preflush */
#define TANDEM_DP_DISCARD	(1U << 2)	/* no payload */
#define TANDEM_DP_ZEROES	(1U << 3)	/* no payload */
#define TANDEM_DP_SEND_RECV_ACK	(1U << 4)	/* protocol B */
#define TANDEM_DP_SEND_WRITE_ACK (1U << 5)	/* protocol C */
#define TANDEM_DP_NO_LOCAL	(1U << 6)	/* the sender's own disk did
						 * not get this write: mark
						 * it out of sync towards
						 * the sender */
#define TANDEM_DP_READ_ERROR	(1U << 7)	/* TP_READ_REPLY: the peer
						 * could not read; no payload */

/**
 * struct tandem_p_data - a write (or resync block)
 * @sector: first 512-byte sector
 * @block_id: sender's cookie, echoed in acks
 * @seq_num: per-connection sequence number of writes
 * @dp_flags: TANDEM_DP_*
 * @size: bytes written; equals the payload length unless DISCARD/ZEROES
 * @epoch: epoch (barrier number) the write belongs to
 */
struct tandem_p_data {
	__be64 sector;
	__be64 block_id;
	__be32 seq_num;
	__be32 dp_flags;
	__be32 size;
	__be32 epoch;
} __attribute__((packed));

/**
 * struct tandem_p_block_req - a range of blocks (resync request, oos)
 * @sector: first sector
 * @block_id: requester's cookie
 * @size: bytes
 * @pad: 0
 */
struct tandem_p_block_req {
	__be64 sector;
	__be64 block_id;
	__be32 size;
	__be32 pad;
} __attribute__((packed));

/**
 * struct tandem_p_block_ack - answer about one write or resync block
 * @sector: as in the request
 * @block_id: as in the request
 * @size: as in the request
 * @seq_num: as in the request (0 for resync)
 */
struct tandem_p_block_ack {
	__be64 sector;
	__be64 block_id;
	__be32 size;
	__be32 seq_num;
} __attribute__((packed));

/**
 * struct tandem_p_barrier - closes an epoch
 * @barrier: the epoch number being closed
 * @pad: 0
 */
struct tandem_p_barrier {
	__be32 barrier;
	__be32 pad;
} __attribute__((packed));

/**
 * struct tandem_p_barrier_ack - every write of an epoch is stable
 * @barrier: epoch number
 * @set_size: number of writes in the epoch
 */
struct tandem_p_barrier_ack {
	__be32 barrier;
	__be32 set_size;
} __attribute__((packed));

/**
 * struct tandem_p_sync_done - the sync source has sent every block
 * @oos_bits: bits the source still had set (normally 0)
 * @pad: 0
 */
struct tandem_p_sync_done {
	__be64 oos_bits;
} __attribute__((packed));

/* TP_OV_REQ flags */
#define TANDEM_OV_START		(1U << 0) /* verify begins: no digests */
#define TANDEM_OV_LAST		(1U << 1) /* verify ends: no digests */

/* Blocks of 4 KiB one TP_OV_REQ covers at most (one bit each in a reply) */
#define TANDEM_OV_MAX_BLOCKS	32
/* Largest digest a verify-alg may produce */
#define TANDEM_OV_MAX_DIGEST	64

/**
 * struct tandem_p_ov_req - online verify: digests of a range (DATA)
 * @sector: first sector of the range
 * @end_sect: end of the whole verify run (TANDEM_OV_START), else 0
 * @size: bytes of the range, a multiple of 4 KiB, at most
 *        TANDEM_OV_MAX_BLOCKS blocks; 0 with START and LAST
 * @flags: TANDEM_OV_*
 * @digest_size: bytes of each block's digest that follow the body
 * @pad: 0
 * @alg: verify-alg of the sender, NUL-padded
 *
 * The body is followed by size / 4096 digests of @digest_size bytes, one
 * per 4 KiB block, computed with @alg over the sender's data.
 */
struct tandem_p_ov_req {
	__be64 sector;
	__be64 end_sect;
	__be32 size;
	__be32 flags;
	__be32 digest_size;
	__be32 pad;
	__u8 alg[32];
} __attribute__((packed));

/* TP_OV_REPLY flags */
#define TANDEM_OV_FAILED	(1U << 0) /* the verify cannot go on here */

/**
 * struct tandem_p_ov_reply - online verify: which blocks differ
 * @sector: the request's sector
 * @size: the request's size
 * @mismatch: bit i set: block i of the range differs
 * @flags: TANDEM_OV_FAILED (TP_OV_REPLY only), else 0
 *
 * As TP_OV_REPLY (CONTROL) the target's comparison; as TP_OV_RESULT
 * (DATA) the source's verdict: the blocks that differ once those a peer
 * write changed meanwhile are left out. Only a range with a block found
 * differing gets a TP_OV_RESULT.
 */
struct tandem_p_ov_reply {
	__be64 sector;
	__be32 size;
	__be32 mismatch;
	__be32 flags;
	__be32 pad;
} __attribute__((packed));

/* TP_RESIZE operations (tandem_p_resize.op) */
#define TANDEM_RSZ_QUERY	1	/* how far can your disk grow? */
#define TANDEM_RSZ_REPLY	2	/* answer to QUERY */
#define TANDEM_RSZ_COMMIT	3	/* grow (or move the metadata) now */

/* TP_RESIZE flags */
#define TANDEM_RSZF_MOVE	(1U << 0)	/* REPLY: the replier's internal
						 * metadata must move even at
						 * the same data size */
#define TANDEM_RSZF_YOU_SOURCE	(1U << 1)	/* COMMIT: the receiver is the
						 * sync source of the added
						 * range */
#define TANDEM_RSZF_YOU_TARGET	(1U << 2)	/* COMMIT: the receiver is its
						 * sync target */

#define TANDEM_RSZ_WHY_MAX	96

/**
 * struct tandem_p_resize - online resize of one volume (TP_RESIZE)
 * @op: TANDEM_RSZ_*
 * @flags: TANDEM_RSZF_*
 * @size_sect: QUERY and REPLY: the largest data area the sender's disk
 *             offers now; COMMIT: the agreed new size of the data area
 * @cur_sect: the sender's current data area
 * @result: REPLY: 0, or a positive errno when the replier refuses
 * @pad: 0
 * @why: REPLY: NUL-terminated reason for a refusal or for a limit;
 *       empty otherwise
 */
struct tandem_p_resize {
	__be32 op;
	__be32 flags;
	__be64 size_sect;
	__be64 cur_sect;
	__be32 result;
	__be32 pad;
	__u8 why[TANDEM_RSZ_WHY_MAX];
} __attribute__((packed));

/**
 * struct tandem_p_role_req - ask the peer whether we may become Primary
 * @role: requested enum tandem_role
 * @pad: 0
 */
struct tandem_p_role_req {
	__be32 role;
	__be32 pad;
} __attribute__((packed));

/**
 * struct tandem_p_role_reply - answer to TP_ROLE_REQ
 * @result: 0 allowed, else a positive errno
 * @pad: 0
 */
struct tandem_p_role_reply {
	__be32 result;
	__be32 pad;
} __attribute__((packed));

#endif /* _UAPI_TANDEM_WIRE_H */
