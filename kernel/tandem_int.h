/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandem - objects and declarations shared between the files of tandem.ko.
 *
 * Objects:
 *   resource     a replication group: role, volumes (devices), connections
 *   device       one volume: minor, gendisk, backing disk, metadata
 *   connection   one peer: transport instance, connection state, options
 *   peer_device  device x connection: replication state, peer disk, bitmap
 *
 * Locking:
 *   tandem_cfg_mutex   serialises configuration (netlink commands), object
 *                      creation and destruction, and the global lists.
 *   resource->lock     (spinlock, irq-safe) every state field of the
 *                      resource and its objects, request lists, transfer
 *                      logs, epochs and interval lists. Bio completions
 *                      take it from interrupt context.
 */
#ifndef _TANDEM_INT_H
#define _TANDEM_INT_H

#include <linux/blkdev.h>
#include <linux/completion.h>
#include <linux/idr.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "lib/after_sb.h"
#include "lib/md_layout.h"
#include "lib/tandem_lib.h"
#include "transport.h"
#include "uapi/tandem_genl.h"
#include "uapi/tandem_meta.h"
#include "uapi/tandem_wire.h"

#define TANDEM_MAX_MINORS	(1U << 20)
#define TANDEM_SYNC_CHUNK	(128U << 10)	/* bytes per resync request */

struct netlink_ext_ack;
struct tandem_resource;
struct tandem_device;
struct tandem_connection;
struct tandem_peer_device;

/**
 * struct tandem_net_opts - the options of one connection
 * @protocol: enum tandem_protocol
 * @two_primaries: allow-two-primaries
 * @transport: transport class name
 * @hmac_alg: cram-hmac-alg, empty for none
 * @secret: shared-secret
 * @secret_len: bytes of @secret
 * @integrity_alg: data-integrity-alg, empty for none
 * @verify_alg: verify-alg (online verify), empty for none
 * @ping_int: seconds
 * @ping_timeout: 0.1 s units
 * @ko_count: sends that may time out in a row before the peer is dropped
 * @after_sb: after-sb-0pri, -1pri, -2pri (enum tandem_asb_policy)
 * @conf: what the transport reads (timeouts, buffers, connect-int)
 */
struct tandem_net_opts {
	u32 protocol;
	bool two_primaries;
	char transport[TANDEM_TRANSPORT_NAME_MAX];
	char hmac_alg[TANDEM_ALG_NAME_MAX];
	u8 secret[TANDEM_SECRET_MAX];
	u32 secret_len;
	char integrity_alg[TANDEM_ALG_NAME_MAX];
	char verify_alg[TANDEM_ALG_NAME_MAX];
	u32 ping_int;
	u32 ping_timeout;
	u32 ko_count;
	u32 after_sb[3];
	struct tandem_net_conf conf;
};

/**
 * struct tandem_disk_opts - the options of one device's disk
 * @resync_rate: KiB/s
 * @c_plan_ahead: 0.1 s units
 * @c_fill_target: sectors
 * @c_delay_target: 0.1 s units
 * @c_max_rate: KiB/s
 * @c_min_rate: KiB/s
 * @al_extents: activity log extents
 * @on_io_error: enum tandem_on_io_error
 * @disk_barrier: use barriers on the backing device
 * @disk_flushes: flush the backing device at epoch boundaries
 * @md_flushes: flush after metadata writes
 * @resync_after: minor whose resync must finish first, TANDEM_NO_MINOR
 * @disk_timeout: 0.1 s units, 0 = off: a backing device that completes
 *                nothing for this long while I/O is pending is Failed
 */
struct tandem_disk_opts {
	u32 resync_rate;
	u32 c_plan_ahead;
	u32 c_fill_target;
	u32 c_delay_target;
	u32 c_max_rate;
	u32 c_min_rate;
	u32 al_extents;
	u32 on_io_error;
	bool disk_barrier;
	bool disk_flushes;
	bool md_flushes;
	u32 resync_after;
	u32 disk_timeout;
};

/**
 * enum tandem_promotion - a promotion of this node, as its peers see it
 * @TANDEM_PROMOTE_NONE: none in progress
 * @TANDEM_PROMOTE_ASKING: asking the connected peers (TP_ROLE_REQ); a
 *                         peer asking at the same time wins if its node
 *                         id is lower
 * @TANDEM_PROMOTE_COMMITTED: every peer agreed; this node becomes Primary
 *                            and refuses every peer's promotion
 */
enum tandem_promotion {
	TANDEM_PROMOTE_NONE,
	TANDEM_PROMOTE_ASKING,
	TANDEM_PROMOTE_COMMITTED,
};

/**
 * struct tandem_resource - a replication group
 * @list: on tandem_resources
 * @name: resource name
 * @node_id: this node's id
 * @kref: references (connections and devices hold one)
 * @lock: protects every state field below and in child objects
 * @role: enum tandem_role
 * @devices: volume number -> struct tandem_device
 * @connections: list of struct tandem_connection
 * @state_wait: woken on every state change
 * @promote_mutex: serialises role changes
 * @promoting: where a promotion of ours stands (enum tandem_promotion);
 *             a peer's role request is judged by it, under @lock
 */
struct tandem_resource {
	struct list_head list;
	char name[TANDEM_RESOURCE_NAME_MAX];
	u32 node_id;
	struct kref kref;
	spinlock_t lock;
	enum tandem_role role;
	struct idr devices;
	struct list_head connections;
	wait_queue_head_t state_wait;
	struct mutex promote_mutex;
	enum tandem_promotion promoting;
};

/**
 * struct tandem_interval - a sector range in use by a request
 * @list: on the device's list of active intervals
 * @sector: first sector
 * @size: bytes
 * @waiting: another request waits for this one
 */
struct tandem_interval {
	struct list_head list;
	sector_t sector;
	unsigned int size;
	bool waiting;
};

#define TANDEM_AL_HASH_BITS	8

struct tandem_al_slot;

/**
 * struct tandem_al - a device's activity log (kernel/al.c)
 * @lock: protects everything below (irq-safe: completions take it)
 * @slots: the table, @nr entries; NULL while not attached
 * @table: extent of each slot, as written in transactions
 * @nr: al-extents in use
 * @used: slots with requests using them
 * @gen: incremented on every attach; requests remember it
 * @hash: slots by extent
 * @lru: slots, most recently used first
 * @queued: requests waiting for a transaction
 * @work: writes transactions and starts the queued requests
 * @wait: woken when a slot becomes unused
 * @seq: number of the last transaction written
 * @ctx_next: first slot of the next transaction's context window
 * @page: transaction buffer (used under the device's md_io_mutex)
 */
struct tandem_al {
	spinlock_t lock;
	struct tandem_al_slot *slots;
	u32 *table;
	u32 nr;
	u32 used;
	u32 gen;
	struct hlist_head hash[1 << TANDEM_AL_HASH_BITS];
	struct list_head lru;
	struct list_head queued;
	struct work_struct work;
	wait_queue_head_t wait;
	u64 seq;
	u32 ctx_next;
	struct page *page;
};

/**
 * struct tandem_md - a device's metadata, as attached
 * @bdev: device holding the metadata (the backing device for internal)
 * @info: decoded superblock, CPU order
 * @layout: computed layout
 * @sb_offset: byte offset of the superblock on @bdev
 */
struct tandem_md {
	struct block_device *bdev;
	struct tandem_md_info info;
	struct tandem_md_layout layout;
	u64 sb_offset;
};

/**
 * struct tandem_device - one volume of a resource
 * @resource: owner
 * @minor: device minor, /dev/tandem<minor>
 * @volume: volume number within the resource
 * @disk: the gendisk
 * @disk_state: enum tandem_disk_state
 * @backing: backing block device, NULL when diskless
 * @backing_path: its path, as given to attach
 * @meta_path: metadata device path, empty for internal
 * @meta_index: -1 flexible, >= 0 indexed (ignored for internal)
 * @md: metadata
 * @md_io_mutex: serialises writes of the metadata area (superblock, AL,
 *               bitmaps)
 * @al: activity log
 * @opts: disk options
 * @peer_devices: struct tandem_peer_device of each connection
 * @intervals: active intervals (application writes, resync reads)
 * @postponed: requests waiting for an overlapping interval
 * @peer_intervals: intervals of writes received from a peer, in flight
 * @interval_wait: woken when an interval is released
 * @open_count: openers of the gendisk
 * @open_rw: openers for writing
 * @ap_pending: application requests not yet completed upwards
 * @reqs: requests not freed yet (completed upwards, but maybe still on a
 *        transfer log): the device may not go away before they are
 * @local_pending: requests submitted to the backing device, not done
 * @written_kib: dw
 * @read_kib: dr
 * @app_io_kib: application I/O (local, and writes replicated from a
 *              peer) seen on this device; resync I/O is not counted
 * @al_writes: al
 * @bm_writes: bm
 * @exposed: gendisk added (add_disk succeeded)
 * @fail_from: disk state before the last I/O error made it Failed
 * @fail_work: detaches a Failed disk (kernel/ioerr.c)
 * @pass_on_work: on-io-error pass_on: takes the disk out of UpToDate
 * @io_errors: data errors passed on (pass_on) since attach
 * @dying: the device is being destroyed: no failure work any more
 * @disk_inflight: I/O submitted to the backing or metadata device, not
 *                 completed (disk-timeout)
 * @disk_done: completions of such I/O, counted (disk-timeout)
 * @timeout_work: checks every 100 ms that the disk makes progress
 * @stall_ms: how long it has completed nothing with I/O in flight
 * @last_done: @disk_done at the last check
 */
struct tandem_device {
	struct tandem_resource *resource;
	unsigned int minor;
	unsigned int volume;
	struct gendisk *disk;
	enum tandem_disk_state disk_state;
	struct block_device *backing;
	char backing_path[TANDEM_PATH_MAX];
	char meta_path[TANDEM_PATH_MAX];
	int meta_index;
	struct tandem_md md;
	struct mutex md_io_mutex;
	struct tandem_al al;
	struct tandem_disk_opts opts;
	struct list_head peer_devices;
	struct list_head intervals;
	struct list_head postponed;
	struct list_head peer_intervals;
	wait_queue_head_t interval_wait;
	int open_count;
	int open_rw;
	atomic_t ap_pending;
	atomic_t reqs;
	atomic_t local_pending;
	atomic64_t written_kib;
	atomic64_t read_kib;
	atomic64_t app_io_kib;
	atomic_t al_writes;
	atomic_t bm_writes;
	bool exposed;
	enum tandem_disk_state fail_from;
	struct work_struct fail_work;
	struct work_struct pass_on_work;
	u32 io_errors;
	bool dying;
	atomic_t disk_inflight;
	atomic_t disk_done;
	struct delayed_work timeout_work;
	unsigned int stall_ms;
	int last_done;
};

/**
 * struct tandem_epoch - receiving side of one epoch
 * @list: on the connection's list of open epochs, oldest first
 * @barrier_nr: number of the barrier that closes it (0 until known)
 * @writes: writes received in this epoch
 * @done: of those, written to disk
 * @closed: the barrier arrived
 */
struct tandem_epoch {
	struct list_head list;
	u32 barrier_nr;
	unsigned int writes;
	unsigned int done;
	bool closed;
};

/**
 * struct tandem_connection - one peer of a resource
 * @list: on resource->connections
 * @resource: owner
 * @kref: references; threads and in-flight requests hold one
 * @peer_node_id: the peer's node id
 * @cstate: enum tandem_conn_state
 * @peer_role: enum tandem_role of the peer
 * @path: addresses
 * @opts: net options (writers hold tandem_cfg_mutex; readers on the data
 *        path read @opts.protocol under resource->lock)
 * @transport: transport instance while a connection exists
 * @worker: connector, then receiver of the DATA stream
 * @acker: receiver of the CONTROL stream
 * @send_wq: ordered queue of everything sent on the DATA stream
 * @ack_wq: queue of the completions of peer writes, which send their acks
 *          on the CONTROL stream
 * @agreed_proto: protocol version agreed in the handshake
 * @features: feature bits both sides have
 * @discard_my_data: connect --discard-my-data: in a split brain, our data
 *                   is the one to throw away (until the next connect)
 * @peer_discard_my_data: the peer connected with --discard-my-data
 * @peer_after_sb_0p: the peer's after-sb-0pri
 * @epoch_nr: current epoch on the sending side
 * @epoch_writes: writes sent in the current epoch
 * @epoch_completed: a write of the current epoch completed upwards
 * @transfer_log: requests sent, waiting for their barrier ack
 * @epochs: receiving side's open epochs
 * @epoch_ack_mutex: one ack_epochs() at a time, so that barrier acks go
 *                   out in epoch order, each after its flush
 * @seq: sequence number of the last write sent
 * @pending: pe: requests sent, no answer yet
 * @unacked: ua: peer requests received, not acked yet
 * @sent_kib: ns
 * @recv_kib: nr
 * @last_ping: jiffies a ping was sent, 0 if none outstanding
 * @ping_ack: woken by a ping ack
 * @role_reply: result of our last TP_ROLE_REQ
 * @role_done: completes when TP_ROLE_REPLY arrives
 * @peer_granted: jiffies (| 1) when we agreed to the peer's promotion,
 *                0 if we did not; until the peer reports itself Primary
 *                (then its role refuses us) or the yes expires (see
 *                tandem_peer_promotion_pending()), we refuse to become
 *                Primary ourselves
 * @last_error: why the connection last broke, for status
 * @stop: disconnect requested by the administrator
 * @refused: we refused this connection after the state exchange (split
 *           brain, unrelated data, ...); @last_error says why. The refusal
 *           is orderly: see tandem_refuse_connection()
 * @req_ids: block_id -> struct tandem_req_peer of writes on the transfer
 *           log, so that an ack finds its request without a search and a
 *           block_id from the wire is only ever used as an index
 * @transport_sem: users of @transport hold it for reading
 * @send_queued: writes queued on @send_wq, not yet sent
 * @idle_barrier: closes the epoch when the send queue runs empty
 * @peer_inflight: peer requests (writes, resync) received, not finished
 * @peer_wait: woken when @peer_inflight drops
 * @serve_pages: pages held by reads we serve to the peer (resync data,
 *               remote reads) until they are sent; bounded by max-buffers
 *               so that a peer that reads slowly cannot exhaust our memory
 * @serve_wait: woken when @serve_pages drops
 * @worker_done: the worker has left its loop (it ended StandAlone) and
 *               no longer touches the resource's devices
 */
struct tandem_connection {
	struct list_head list;
	struct tandem_resource *resource;
	struct kref kref;
	u32 peer_node_id;
	enum tandem_conn_state cstate;
	enum tandem_role peer_role;
	struct tandem_path path;
	struct tandem_net_opts opts;
	struct tandem_transport *transport;
	struct task_struct *worker;
	struct task_struct *acker;
	struct workqueue_struct *send_wq;
	struct workqueue_struct *ack_wq;
	u32 agreed_proto;
	u64 features;
	bool discard_my_data;
	bool peer_discard_my_data;
	u32 peer_after_sb_0p;
	u32 epoch_nr;
	unsigned int epoch_writes;
	bool epoch_completed;
	struct list_head transfer_log;
	struct list_head epochs;
	struct mutex epoch_ack_mutex;
	u32 seq;
	atomic_t pending;
	atomic_t unacked;
	atomic64_t sent_kib;
	atomic64_t recv_kib;
	unsigned long last_ping;
	int role_reply;
	struct completion role_done;
	unsigned long peer_granted;
	char last_error[128];
	bool stop;
	bool refused;
	struct xarray req_ids;
	struct rw_semaphore transport_sem;
	atomic_t send_queued;
	struct work_struct idle_barrier;
	atomic_t peer_inflight;
	wait_queue_head_t peer_wait;
	atomic_t serve_pages;
	wait_queue_head_t serve_wait;
	bool worker_done;
};

/**
 * struct tandem_peer_device - a device as replicated to one peer
 * @device: the volume
 * @connection: the peer
 * @dev_list: on device->peer_devices
 * @repl: enum tandem_repl_state
 * @peer_disk: enum tandem_disk_state of the peer's volume
 * @peer_size_sect: the peer's backing data size
 * @peer_uuid: the peer's current generation
 * @peer_bitmap_uuid: generation the peer's bitmap towards us started at
 * @peer_sync_from: our generation when the peer's unfinished resync as
 *                  our target began (TANDEM_UF_SYNC_RESUME), else 0
 * @peer_history: the peer's older generations
 * @peer_flags: TANDEM_UF_* of the peer's last TP_UUIDS
 * @peer_oos_bits: bits set in the peer's bitmap towards us (its changes)
 * @sent_oos_bits: @oos_bits as last sent to the peer (TP_UUIDS)
 * @sent_role: our role as last sent to the peer (TP_STATE)
 * @peer_repl: replication state the peer last reported
 * @bitmap: one bit per 4 KiB of the data area: out of sync with the peer
 * @bm_dirty: one bit per 4 KiB block of @bitmap: changed since written
 * @bm_bits: bits in @bitmap
 * @oos_bits: bits set in @bitmap
 * @rs_total: bits to sync when the running resync started
 * @rs_start: jiffies the resync started
 * @rs_mark_bits: bits left at @rs_mark_time (speed)
 * @rs_mark_time: jiffies of the last speed mark
 * @rs_speed: KiB/s measured over the last marks
 * @rs_inflight: bytes requested, not yet received
 * @rs_sent_kib: resync data sent (source side)
 * @rs_recv_kib: resync data received (target side)
 * @rs_recv_bytes: the same in bytes, for the resync controller
 * @rs_paused: resync paused by the administrator (pause-sync), locally
 * @rs_peer_paused: the peer paused it
 * @rs_after_paused: waiting for the resync of the resync-after minor
 * @rs_task: resync driver (sync target)
 * @rs_reqs: block_id -> struct tandem_rs_req: the resync requests the
 *           target sent and has not written the data of yet
 * @ov_task: online verify driver (verify source)
 * @ov_tfm: verify-alg of the verify we run as source
 * @ov_peer_tfm: verify-alg of the verify the peer runs (we are target)
 * @ov_reqs: verify requests sent, waiting for their reply (source)
 * @ov_inflight: bytes of @ov_reqs
 * @ov_results: replied ranges with blocks found differing, whose verdict
 *	the source thread still has to send (TP_OV_RESULT)
 * @ov_start: first sector of the running verify
 * @ov_end: sector where it ends
 * @ov_done: sectors compared so far
 * @ov_oos: 4 KiB blocks found different so far
 * @ov_run_sect: start of the current run of different blocks (logging)
 * @ov_run_len: blocks in that run
 * @ov_begin: jiffies the verify started
 * @ov_failed: the verify cannot go on (read error, the peer said so)
 */
struct tandem_peer_device {
	struct tandem_device *device;
	struct tandem_connection *connection;
	struct list_head dev_list;
	enum tandem_repl_state repl;
	enum tandem_disk_state peer_disk;
	u64 peer_size_sect;
	u64 peer_uuid;
	u64 peer_bitmap_uuid;
	u64 peer_sync_from;
	u64 peer_history[TANDEM_HISTORY_UUIDS];
	u32 peer_flags;
	u64 peer_oos_bits;
	u64 sent_oos_bits;
	enum tandem_role sent_role;
	enum tandem_repl_state peer_repl;
	unsigned long *bitmap;
	unsigned long *bm_dirty;
	u64 bm_bits;
	u64 oos_bits;
	u64 rs_total;
	unsigned long rs_start;
	u64 rs_mark_bits;
	unsigned long rs_mark_time;
	u32 rs_speed;
	atomic_t rs_inflight;
	atomic64_t rs_sent_kib;
	atomic64_t rs_recv_kib;
	atomic64_t rs_recv_bytes;
	bool rs_paused;
	bool rs_peer_paused;
	bool rs_after_paused;
	struct task_struct *rs_task;
	struct xarray rs_reqs;
	struct task_struct *ov_task;
	struct crypto_shash *ov_tfm;
	struct crypto_shash *ov_peer_tfm;
	struct list_head ov_reqs;
	struct list_head ov_results;
	atomic_t ov_inflight;
	sector_t ov_start;
	sector_t ov_end;
	u64 ov_done;
	u64 ov_oos;
	sector_t ov_run_sect;
	u32 ov_run_len;
	unsigned long ov_begin;
	bool ov_failed;
};

/**
 * struct tandem_rs_req - a resync request in flight, on the target
 * @iv: its range, in the device's interval list from the request until
 *      the data is written: an application write to it (the target may
 *      be Primary) waits, so the older resync data never overwrites it
 */
struct tandem_rs_req {
	struct tandem_interval iv;
};

/* Request flags */
#define TR_WRITE	(1U << 0)
#define TR_LOCAL_DONE	(1U << 1)
#define TR_POSTPONED	(1U << 2)
#define TR_COMPLETED	(1U << 3)	/* master bio ended */
#define TR_AL		(1U << 4)	/* holds its activity log extents */
#define TR_LOCAL	(1U << 5)	/* has a local part: pins the disk */
#define TR_REMOTE_READ	(1U << 6)	/* a read served by a peer */

/**
 * struct tandem_req_peer - what one request owes one peer
 * @connection: the peer (a reference is held)
 * @req: back pointer
 * @tl: on connection->transfer_log
 * @work: send work on connection->send_wq
 * @epoch: epoch the write was sent in
 * @seq: sequence number
 * @id: index in connection->req_ids (0: none), sent as block_id
 * @sent: handed to the transport
 * @acked: the protocol's ack arrived (or protocol A: sent)
 * @in_tl: on the transfer log
 * @failed: the peer did not get it: set out-of-sync
 */
struct tandem_req_peer {
	struct tandem_connection *connection;
	struct tandem_request *req;
	struct list_head tl;
	struct work_struct work;
	u32 epoch;
	u32 seq;
	u32 id;
	bool sent;
	bool acked;
	bool in_tl;
	bool failed;
};

/**
 * struct tandem_request - an application I/O on a tandem device
 * @device: the device
 * @master: the bio from above
 * @iv: the sector range (writes)
 * @flags: TR_*
 * @opf: operation and flags of @master
 * @error: first error
 * @pending: things that must happen before @master may end
 * @refs: references (pending work, transfer log entries)
 * @start: jiffies, for accounting
 * @nr_peers: entries in @peers
 * @postponed: on device->postponed while waiting for an interval
 * @al_list: on device->al.queued while waiting for an AL transaction
 * @al_gen: AL generation its extents were taken in
 * @local_failed: the local part failed and the disk is being detached:
 *                the peers decide whether the request succeeded
 * @peers: one per connection the write is replicated to (a read has
 *         one, used when a peer serves it)
 */
struct tandem_request {
	struct tandem_device *device;
	struct bio *master;
	struct tandem_interval iv;
	unsigned int flags;
	blk_opf_t opf;
	blk_status_t error;
	atomic_t pending;
	struct kref refs;
	unsigned long start;
	unsigned int nr_peers;
	struct list_head postponed;
	struct list_head al_list;
	u32 al_gen;
	bool local_failed;
	struct tandem_req_peer peers[];
};

/*
 * Formatted netlink error messages. Acks of the (non-parallel) tandem
 * family are built under genl_lock, so one buffer is enough.
 */
extern char tandem_nl_errbuf[256];
#define TANDEM_SET_ERR(extack, fmt, ...)				\
	do {								\
		snprintf(tandem_nl_errbuf, sizeof(tandem_nl_errbuf),	\
			 fmt, ##__VA_ARGS__);				\
		if (extack)						\
			(extack)->_msg = tandem_nl_errbuf;		\
	} while (0)

extern struct mutex tandem_cfg_mutex;
extern struct list_head tandem_resources;
extern struct bio_set tandem_bio_set;

/* resource.c */
struct tandem_resource *tandem_resource_find(const char *name);
struct tandem_resource *tandem_resource_create(const char *name, u32 node_id);
void tandem_resource_destroy(struct tandem_resource *resource);
void tandem_resource_put(struct tandem_resource *resource);
struct tandem_device *tandem_device_find(unsigned int minor);
struct tandem_device *tandem_device_by_volume(struct tandem_resource *r,
					      unsigned int volume);
struct tandem_device *tandem_device_create(struct tandem_resource *r,
					   unsigned int minor,
					   unsigned int volume);
void tandem_device_destroy(struct tandem_device *device);
struct tandem_connection *tandem_connection_find(struct tandem_resource *r,
						 u32 peer_node_id);
struct tandem_connection *tandem_connection_create(struct tandem_resource *r,
						   u32 peer_node_id);
void tandem_connection_destroy(struct tandem_connection *connection);
void tandem_connection_put(struct tandem_connection *connection);
struct tandem_peer_device *tandem_peer_device(struct tandem_device *device,
					      struct tandem_connection *c);
int tandem_peer_device_add(struct tandem_device *device,
			   struct tandem_connection *connection);
void tandem_net_opts_default(struct tandem_net_opts *o);
void tandem_disk_opts_default(struct tandem_disk_opts *o);
void tandem_resources_destroy_all(void);
void tandem_resource_teardown(struct tandem_resource *r);
void tandem_wait_for_stop(void);

/* generations (state.c) */
struct tandem_md_peer_info *tandem_md_peer_slot(struct tandem_device *d,
						u32 peer_node_id, bool alloc);
void tandem_new_generation(struct tandem_device *d);
void tandem_track_absent_peers(struct tandem_device *d, bool at_loss);
void tandem_remember_peer(struct tandem_device *d, u32 peer_node_id);
void tandem_sync_generation_done(struct tandem_peer_device *pd,
				 bool as_target);
void tandem_peer_disk_lost(struct tandem_peer_device *pd);

/* state.c */
int tandem_set_role(struct tandem_resource *r, enum tandem_role role,
		    bool force, const char **why);
void tandem_set_cstate(struct tandem_connection *c,
		       enum tandem_conn_state cs);
void tandem_set_disk_state(struct tandem_device *device,
			   enum tandem_disk_state ds);
void tandem_set_repl_state(struct tandem_peer_device *pd,
			   enum tandem_repl_state rs);
void tandem_state_changed(struct tandem_resource *r);
bool tandem_cas_repl_state(struct tandem_peer_device *pd,
			   enum tandem_repl_state old,
			   enum tandem_repl_state rs);
int tandem_demote_victim(struct tandem_resource *r);
int tandem_call_helper(struct tandem_resource *r, struct tandem_connection *c,
		       struct tandem_device *d, const char *cmd, bool wait);

/* nl.c */
int tandem_nl_init(void);
void tandem_nl_exit(void);
void tandem_nl_notify_resource(struct tandem_resource *r,
			       enum tandem_event ev);
void tandem_nl_notify_device(struct tandem_device *d, enum tandem_event ev);
void tandem_nl_notify_connection(struct tandem_connection *c,
				 enum tandem_event ev);
void tandem_nl_notify_peer_device(struct tandem_peer_device *pd,
				  enum tandem_event ev);

/* device.c */
int tandem_blkdev_init(void);
void tandem_blkdev_exit(void);
int tandem_device_expose(struct tandem_device *device);
void tandem_device_unexpose(struct tandem_device *device);
void tandem_device_update_size(struct tandem_device *device);
bool tandem_may_write(struct tandem_device *device);

/* req.c */
void tandem_submit_bio(struct bio *bio);
void tandem_req_peer_acked(struct tandem_connection *c, u64 block_id,
			   bool ok);
void tandem_req_barrier_acked(struct tandem_connection *c, u32 barrier,
			      u32 set_size);
void tandem_tl_fail_all(struct tandem_connection *c);
void tandem_idle_barrier_work(struct work_struct *work);
int tandem_interval_begin(struct tandem_device *device,
			  struct tandem_interval *iv, bool wait);
int tandem_interval_begin_peer(struct tandem_device *device,
			       struct tandem_interval *iv,
			       struct tandem_connection *c);
void tandem_interval_end(struct tandem_device *device,
			 struct tandem_interval *iv);
void tandem_req_start_now(struct tandem_request *req);
void tandem_req_drop_local(struct tandem_request *req);
void tandem_req_read_done(struct tandem_req_peer *rp, bool ok);
struct tandem_req_peer *tandem_req_take_read(struct tandem_connection *c,
					     u64 block_id);

/* al.c */
void tandem_al_init(struct tandem_device *d);
int tandem_al_attach(struct tandem_device *d);
void tandem_al_detach(struct tandem_device *d);
bool tandem_al_idle(struct tandem_device *d);
bool tandem_al_begin(struct tandem_device *d, struct tandem_request *req);
void tandem_al_queue(struct tandem_device *d, struct tandem_request *req);
void tandem_al_complete(struct tandem_device *d, struct tandem_request *req);
int tandem_al_wq_init(void);
int tandem_al_rewrite_locked(struct tandem_device *d);
void tandem_al_wq_exit(void);

/* bitmap.c */
int tandem_bm_alloc(struct tandem_peer_device *pd);
void tandem_bm_free(struct tandem_peer_device *pd);
int tandem_bm_write(struct tandem_peer_device *pd);
int tandem_bm_write_all(struct tandem_device *d, bool all);
void tandem_bm_dirty_all(struct tandem_peer_device *pd);
void tandem_bm_set_range(struct tandem_peer_device *pd, sector_t sector,
			 unsigned int size);
void tandem_bm_clear_range(struct tandem_peer_device *pd, sector_t sector,
			   unsigned int size);
void tandem_bm_set_all(struct tandem_peer_device *pd);
void tandem_bm_clear_all(struct tandem_peer_device *pd);
int tandem_bm_write_all_locked(struct tandem_device *d);
int tandem_bm_grow(struct tandem_peer_device *pd, u64 bits, bool mark);
void tandem_bm_truncate(struct tandem_peer_device *pd, u64 bits);

/* ioerr.c */
enum tandem_io_kind {
	TANDEM_IO_READ,
	TANDEM_IO_WRITE,
	TANDEM_IO_META,
	TANDEM_IO_TIMEOUT,
};
bool tandem_disk_error(struct tandem_device *d, enum tandem_io_kind kind,
		       sector_t sector, int err);
void tandem_ioerr_init(struct tandem_device *d);
void tandem_ioerr_stop(struct tandem_device *d);
bool tandem_good_data_reachable(struct tandem_device *d);
void tandem_check_good_data(struct tandem_device *d);
void tandem_pass_on_repair(struct tandem_device *d);
void tandem_disk_timeout_start(struct tandem_device *d);

/**
 * tandem_disk_io_start() - an I/O goes to the backing or metadata device
 * @d: the device
 */
static inline void tandem_disk_io_start(struct tandem_device *d)
{
	atomic_inc(&d->disk_inflight);
}

/**
 * tandem_disk_io_end() - such an I/O completed (whatever its status)
 * @d: the device
 */
static inline void tandem_disk_io_end(struct tandem_device *d)
{
	atomic_inc(&d->disk_done);
	atomic_dec(&d->disk_inflight);
}

/* rread.c */
struct tandem_peer_device *tandem_read_peer(struct tandem_device *d);
bool tandem_local_read_ok(struct tandem_device *d, sector_t sector,
			  unsigned int size);
int tandem_send_read_req(struct tandem_req_peer *rp);
int tandem_receive_read_req(struct tandem_connection *c, u16 volume,
			    u32 length);
int tandem_receive_read_reply(struct tandem_connection *c, u16 volume,
			      u32 length);

/* attach.c */
int tandem_attach(struct tandem_device *device, const char *backing,
		  const char *meta, int meta_index,
		  struct netlink_ext_ack *extack);
void tandem_detach(struct tandem_device *device);
void tandem_detach_failed(struct tandem_device *device);
bool tandem_disk_usable(struct tandem_device *device);
bool tandem_disk_usable_unlocked(struct tandem_device *device);
int tandem_md_write(struct tandem_device *device);
int tandem_md_io(struct tandem_device *device, u64 offset, struct page *page,
		 blk_opf_t opf);
int tandem_bdev_md_io(struct block_device *bdev, u64 offset,
		      struct page *page, blk_opf_t opf);
u64 tandem_data_sectors(struct tandem_device *device);
bool tandem_get_disk(struct tandem_device *device);
void tandem_put_disk(struct tandem_device *device);

/* conn.c */
int tandem_connect(struct tandem_connection *c);
void tandem_disconnect(struct tandem_connection *c);
int tandem_send_packet(struct tandem_connection *c, enum tandem_stream s,
		       enum tandem_packet type, unsigned int volume,
		       const void *body, size_t body_len,
		       struct iov_iter *payload, unsigned int flags);
int tandem_serve_pages_get(struct tandem_connection *c, unsigned int nr);
void tandem_serve_pages_put(struct tandem_connection *c, unsigned int nr);
bool tandem_connection_live(struct tandem_connection *c);
void tandem_conn_failed(struct tandem_connection *c,
			enum tandem_conn_state cs, const char *fmt, ...)
	__printf(3, 4);
void tandem_refuse_connection(struct tandem_connection *c, const char *fmt,
			      ...) __printf(2, 3);
int tandem_send_state(struct tandem_peer_device *pd);
int tandem_send_state_flags(struct tandem_peer_device *pd, u32 flags);
int tandem_send_state_all(struct tandem_peer_device *pd);
int tandem_recv_header(struct tandem_connection *c, enum tandem_stream s,
		       u16 *type, u16 *volume, u32 *length);
int tandem_recv_fixed(struct tandem_connection *c, enum tandem_stream s,
		      u16 want, void *body, size_t len);
int tandem_send_net_opts(struct tandem_connection *c);
int tandem_request_role(struct tandem_connection *c, enum tandem_role role);
bool tandem_peer_promotion_pending(struct tandem_connection *c);

/* auth.c */
int tandem_auth(struct tandem_connection *c);

/* receiver.c */
int tandem_receive_loop(struct tandem_connection *c);
void tandem_receiver_cleanup(struct tandem_connection *c);
void tandem_decide_sync(struct tandem_peer_device *pd);
void tandem_peer_writes_wait(struct tandem_device *d,
			     struct tandem_interval *iv);

/* acker.c */
int tandem_acker_thread(void *arg);
void tandem_send_ack(struct tandem_connection *c, enum tandem_packet type,
		     unsigned int volume, sector_t sector, u64 block_id,
		     u32 size, u32 seq);

/* resync.c */
void tandem_resync_start(struct tandem_peer_device *pd, bool as_target);
void tandem_resync_stop(struct tandem_peer_device *pd);
void tandem_resync_serve(struct tandem_peer_device *pd, sector_t sector,
			 u64 block_id, u32 size);
void tandem_resync_received(struct tandem_peer_device *pd, sector_t sector,
			    u32 size);
void tandem_resync_failed(struct tandem_peer_device *pd, u32 size);
struct tandem_rs_req *tandem_resync_take_req(struct tandem_peer_device *pd,
					     u64 block_id);
void tandem_resync_req_done(struct tandem_peer_device *pd,
			    struct tandem_rs_req *rq);
void tandem_resync_finished(struct tandem_peer_device *pd);
bool tandem_repl_syncing(enum tandem_repl_state rs);
bool tandem_repl_target(enum tandem_repl_state rs);
bool tandem_repl_source(enum tandem_repl_state rs);
void tandem_sync_pause_update(struct tandem_peer_device *pd);
int tandem_pause_sync(struct tandem_peer_device *pd, bool pause,
		      struct netlink_ext_ack *extack);
int tandem_invalidate(struct tandem_device *d, bool remote,
		      struct netlink_ext_ack *extack);
void tandem_become_source(struct tandem_peer_device *pd, bool full);
void tandem_become_target(struct tandem_peer_device *pd, bool full);
void tandem_start_bitmap_resync(struct tandem_peer_device *pd);
struct tandem_rs_ctrl_conf;
void tandem_rs_conf(struct tandem_device *d, struct tandem_rs_ctrl_conf *c);

/* verify.c */
int tandem_verify_start(struct tandem_peer_device *pd, sector_t start,
			struct netlink_ext_ack *extack);
void tandem_verify_stop(struct tandem_peer_device *pd);
int tandem_verify_alg_check(const char *alg);
void tandem_verify_peer_write(struct tandem_peer_device *pd, sector_t sector,
			      u32 size);
int tandem_verify_reply(struct tandem_peer_device *pd,
			const struct tandem_p_ov_reply *p);
int tandem_verify_result(struct tandem_peer_device *pd,
			 const struct tandem_p_ov_reply *p);
int tandem_verify_receive(struct tandem_peer_device *pd,
			  const struct tandem_p_ov_req *p, const u8 *digests);

/* resize.c */
int tandem_resize(struct tandem_device *d, u64 size_sect,
		  struct netlink_ext_ack *extack);
int tandem_resize_follow(struct block_device *bdev, struct page *page,
			 struct tandem_md_place *place,
			 struct tandem_md_info *info, u64 *sb_offset);
void tandem_md_layout_of(const struct tandem_md_info *info,
			 const struct tandem_md_place *place,
			 struct tandem_md_layout *layout);
int tandem_receive_resize(struct tandem_connection *c, u16 volume,
			  u32 length);

/* transport.c */
struct tandem_transport_class *tandem_transport_class_get(const char *name);
void tandem_transport_class_put(struct tandem_transport_class *tc);
void tandem_transport_classes_show(struct seq_file *m);
struct tandem_transport *tandem_transport_create(const char *name);
void tandem_transport_destroy(struct tandem_transport *t);

/* proc.c */
int tandem_proc_init(void);
void tandem_proc_exit(void);

/* transport_selftest.c */
struct dentry;
void tandem_selftest_debugfs_init(struct dentry *root);

/* debugfs.c */
void tandem_debugfs_init(void);
void tandem_debugfs_exit(void);

#endif /* _TANDEM_INT_H */
