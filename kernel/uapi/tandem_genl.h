/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tandem - generic netlink API (family "tandem", version
 * TANDEM_GENL_API_VERSION). Every command needs CAP_NET_ADMIN.
 *
 * Objects are addressed by attributes at the top level of a message:
 *   resource     TANDEM_A_RESOURCE (string)
 *   device       TANDEM_A_MINOR (u32)
 *   connection   TANDEM_A_RESOURCE + TANDEM_A_PEER_NODE_ID (u32)
 *
 * Options travel in nested attributes (TANDEM_A_NET_OPTS,
 * TANDEM_A_DISK_OPTS, TANDEM_A_RES_OPTS); an option left out keeps its
 * current value (or its default on creation). Errors come back as a
 * negative errno in the netlink ack plus, when there is more to say, an
 * extack message ("resource r0: peer 1 is Primary, allow-two-primaries
 * is off").
 *
 * Status (TANDEM_CMD_GET_STATUS, dump) returns one message per object:
 * TANDEM_A_OBJ says which kind, then the addressing attributes and
 * TANDEM_A_STATE (nested); connections also carry TANDEM_A_NET_OPTS and
 * TANDEM_A_LOCAL_ADDR/TANDEM_A_PEER_ADDR, devices TANDEM_A_DISK_OPTS, so
 * that `tandemsetup show` can print the running configuration (the
 * shared secret is never sent back). The same messages are multicast to group
 * "events" as TANDEM_CMD_EVENT whenever an object changes state, with
 * TANDEM_A_EVENT saying whether it was created, changed or destroyed.
 */
#ifndef _UAPI_TANDEM_GENL_H
#define _UAPI_TANDEM_GENL_H

#define TANDEM_GENL_NAME		"tandem"
#define TANDEM_GENL_MCGRP_EVENTS	"events"

#define TANDEM_RESOURCE_NAME_MAX	64	/* including the NUL */
#define TANDEM_PATH_MAX			256	/* backing/meta device paths */
#define TANDEM_SECRET_MAX		64	/* shared-secret, bytes */
#define TANDEM_ALG_NAME_MAX		64	/* crypto algorithm names */

enum tandem_cmd {
	TANDEM_CMD_UNSPEC,
	TANDEM_CMD_NEW_RESOURCE,	/* RESOURCE, NODE_ID, [RES_OPTS] */
	TANDEM_CMD_DEL_RESOURCE,	/* RESOURCE (must be down) */
	TANDEM_CMD_RES_OPTS,		/* RESOURCE, RES_OPTS */
	TANDEM_CMD_NEW_MINOR,		/* RESOURCE, MINOR, VOLUME */
	TANDEM_CMD_DEL_MINOR,		/* MINOR (must be detached) */
	TANDEM_CMD_ATTACH,		/* MINOR, BACKING_DEV, META_DEV,
					 * META_INDEX, [DISK_OPTS] */
	TANDEM_CMD_DETACH,		/* MINOR */
	TANDEM_CMD_DISK_OPTS,		/* MINOR, DISK_OPTS */
	TANDEM_CMD_CONNECT,		/* RESOURCE, PEER_NODE_ID, LOCAL_ADDR,
					 * PEER_ADDR, [NET_OPTS],
					 * [DISCARD_MY_DATA] */
	TANDEM_CMD_DISCONNECT,		/* RESOURCE, PEER_NODE_ID */
	TANDEM_CMD_NET_OPTS,		/* RESOURCE, PEER_NODE_ID, NET_OPTS */
	TANDEM_CMD_PRIMARY,		/* RESOURCE, [FORCE] */
	TANDEM_CMD_SECONDARY,		/* RESOURCE */
	TANDEM_CMD_DOWN,		/* RESOURCE: disconnect all, detach
					 * all, delete minors and resource */
	TANDEM_CMD_GET_STATUS,		/* dump; filter: [RESOURCE] */
	TANDEM_CMD_EVENT,		/* multicast only */
	TANDEM_CMD_INVALIDATE,		/* MINOR: become SyncTarget */
	TANDEM_CMD_INVALIDATE_REMOTE,	/* MINOR: become SyncSource */
	TANDEM_CMD_PAUSE_SYNC,		/* MINOR, PEER_NODE_ID */
	TANDEM_CMD_RESUME_SYNC,		/* MINOR, PEER_NODE_ID */
	TANDEM_CMD_OUTDATE,		/* MINOR */
	TANDEM_CMD_VERIFY,		/* MINOR, PEER_NODE_ID,
					 * [VERIFY_START] */
	TANDEM_CMD_RESIZE,		/* MINOR, [SIZE] */
	__TANDEM_CMD_MAX,
};
#define TANDEM_CMD_MAX (__TANDEM_CMD_MAX - 1)

enum tandem_attr {
	TANDEM_A_UNSPEC,
	TANDEM_A_RESOURCE,		/* string */
	TANDEM_A_NODE_ID,		/* u32, < TANDEM_NODE_ID_MAX */
	TANDEM_A_PEER_NODE_ID,		/* u32 */
	TANDEM_A_MINOR,			/* u32 */
	TANDEM_A_VOLUME,		/* u32 */
	TANDEM_A_BACKING_DEV,		/* string, path of a block device */
	TANDEM_A_META_DEV,		/* string; absent or "internal" */
	TANDEM_A_META_INDEX,		/* s32; -1 flexible, >= 0 indexed */
	TANDEM_A_LOCAL_ADDR,		/* binary: struct sockaddr_in/_in6 */
	TANDEM_A_PEER_ADDR,		/* binary: struct sockaddr_in/_in6 */
	TANDEM_A_FORCE,			/* flag */
	TANDEM_A_DISCARD_MY_DATA,	/* flag */
	TANDEM_A_NET_OPTS,		/* nested enum tandem_net_attr */
	TANDEM_A_DISK_OPTS,		/* nested enum tandem_disk_attr */
	TANDEM_A_RES_OPTS,		/* nested enum tandem_res_attr */
	TANDEM_A_OBJ,			/* u32 enum tandem_obj (status/events) */
	TANDEM_A_EVENT,			/* u32 enum tandem_event */
	TANDEM_A_STATE,			/* nested enum tandem_state_attr */
	TANDEM_A_VERIFY_START,		/* u64, sector where verify begins */
	TANDEM_A_SIZE,			/* u64, sectors; resize target */
	__TANDEM_A_MAX,
};
#define TANDEM_A_MAX (__TANDEM_A_MAX - 1)

/* Replication protocols (net option "protocol"). */
enum tandem_protocol {
	TANDEM_PROT_A = 1,	/* done when sent */
	TANDEM_PROT_B = 2,	/* done when the peer received it */
	TANDEM_PROT_C = 3,	/* done when the peer wrote it */
};

enum tandem_net_attr {
	TANDEM_NET_UNSPEC,
	TANDEM_NET_PROTOCOL,		/* u32 enum tandem_protocol; C */
	TANDEM_NET_TRANSPORT,		/* string; "tcp" */
	TANDEM_NET_ALLOW_TWO_PRIMARIES,	/* u8 0/1; 0 */
	TANDEM_NET_CRAM_HMAC_ALG,	/* string, e.g. "sha256"; none */
	TANDEM_NET_SHARED_SECRET,	/* binary, <= TANDEM_SECRET_MAX */
	TANDEM_NET_DATA_INTEGRITY_ALG,	/* string; none */
	TANDEM_NET_TIMEOUT,		/* u32, 0.1 s units; 60 (6 s) */
	TANDEM_NET_CONNECT_INT,		/* u32, seconds; 10 */
	TANDEM_NET_PING_INT,		/* u32, seconds; 10 */
	TANDEM_NET_PING_TIMEOUT,	/* u32, 0.1 s units; 5 */
	TANDEM_NET_KO_COUNT,		/* u32; 7 */
	TANDEM_NET_SNDBUF_SIZE,		/* u32, bytes; 0 = auto */
	TANDEM_NET_RCVBUF_SIZE,		/* u32, bytes; 0 = auto */
	TANDEM_NET_MAX_BUFFERS,		/* u32, 4 KiB pages; 2048 */
	TANDEM_NET_MAX_EPOCH_SIZE,	/* u32, writes; 2048 */
	TANDEM_NET_AFTER_SB_0PRI,	/* u32 enum tandem_asb_policy
					 * (kernel/lib/after_sb.h); disconnect */
	TANDEM_NET_AFTER_SB_1PRI,	/* u32, the same; disconnect */
	TANDEM_NET_AFTER_SB_2PRI,	/* u32, the same; disconnect */
	TANDEM_NET_VERIFY_ALG,		/* string, e.g. "sha1"; none */
	__TANDEM_NET_MAX,
};
#define TANDEM_NET_MAX (__TANDEM_NET_MAX - 1)

enum tandem_disk_attr {
	TANDEM_DISK_UNSPEC,
	TANDEM_DISK_RESYNC_RATE,	/* u32, KiB/s; 250 */
	TANDEM_DISK_C_PLAN_AHEAD,	/* u32, 0.1 s units; 20 */
	TANDEM_DISK_C_FILL_TARGET,	/* u32, sectors; 100 */
	TANDEM_DISK_C_DELAY_TARGET,	/* u32, 0.1 s units; 10 */
	TANDEM_DISK_C_MAX_RATE,		/* u32, KiB/s; 102400 */
	TANDEM_DISK_C_MIN_RATE,		/* u32, KiB/s; 250 */
	TANDEM_DISK_AL_EXTENTS,		/* u32; 1237 */
	TANDEM_DISK_ON_IO_ERROR,	/* u32 enum tandem_on_io_error */
	TANDEM_DISK_BARRIER,		/* u8 0/1; 0 */
	TANDEM_DISK_FLUSHES,		/* u8 0/1; 1 */
	TANDEM_DISK_MD_FLUSHES,		/* u8 0/1; 1 */
	TANDEM_DISK_RESYNC_AFTER,	/* u32 minor whose resync goes first;
					 * TANDEM_NO_MINOR (default): none */
	TANDEM_DISK_TIMEOUT,		/* u32, 0.1 s units, 0 (default): off;
					 * a backing device that completes
					 * nothing for this long is Failed */
	__TANDEM_DISK_MAX,
};
#define TANDEM_DISK_MAX (__TANDEM_DISK_MAX - 1)

#define TANDEM_NO_MINOR	0xffffffffU

enum tandem_on_io_error {
	TANDEM_IOERR_DETACH,
	TANDEM_IOERR_PASS_ON,
	TANDEM_IOERR_CALL_HANDLER,
};

enum tandem_res_attr {
	TANDEM_RES_UNSPEC,
	TANDEM_RES_AUTO_PROMOTE,	/* u8 0/1; 0 */
	__TANDEM_RES_MAX,
};
#define TANDEM_RES_MAX (__TANDEM_RES_MAX - 1)

enum tandem_obj {
	TANDEM_OBJ_RESOURCE = 1,
	TANDEM_OBJ_DEVICE,
	TANDEM_OBJ_CONNECTION,
	TANDEM_OBJ_PEER_DEVICE,
};

enum tandem_event {
	TANDEM_EV_EXISTS = 1,	/* initial dump */
	TANDEM_EV_CREATE,
	TANDEM_EV_CHANGE,
	TANDEM_EV_DESTROY,
};

/* State values (the names users see are in tandem_state_names.h). */
enum tandem_role {
	TANDEM_ROLE_UNKNOWN,
	TANDEM_ROLE_PRIMARY,
	TANDEM_ROLE_SECONDARY,
};

enum tandem_disk_state {
	TANDEM_DS_DISKLESS,
	TANDEM_DS_ATTACHING,
	TANDEM_DS_DETACHING,
	TANDEM_DS_FAILED,
	TANDEM_DS_NEGOTIATING,
	TANDEM_DS_INCONSISTENT,
	TANDEM_DS_OUTDATED,
	TANDEM_DS_DUNKNOWN,
	TANDEM_DS_CONSISTENT,
	TANDEM_DS_UPTODATE,
	TANDEM_DS_COUNT,
};

enum tandem_conn_state {
	TANDEM_CS_STANDALONE,
	TANDEM_CS_DISCONNECTING,
	TANDEM_CS_UNCONNECTED,
	TANDEM_CS_TIMEOUT,
	TANDEM_CS_BROKEN_PIPE,
	TANDEM_CS_NETWORK_FAILURE,
	TANDEM_CS_PROTOCOL_ERROR,
	TANDEM_CS_TEAR_DOWN,
	TANDEM_CS_CONNECTING,
	TANDEM_CS_CONNECTED,
	TANDEM_CS_COUNT,
};

enum tandem_repl_state {
	TANDEM_RS_OFF,
	TANDEM_RS_ESTABLISHED,
	TANDEM_RS_STARTING_SYNC_S,
	TANDEM_RS_STARTING_SYNC_T,
	TANDEM_RS_WF_BITMAP_S,
	TANDEM_RS_WF_BITMAP_T,
	TANDEM_RS_SYNC_SOURCE,
	TANDEM_RS_SYNC_TARGET,
	TANDEM_RS_VERIFY_S,
	TANDEM_RS_VERIFY_T,
	TANDEM_RS_PAUSED_SYNC_S,
	TANDEM_RS_PAUSED_SYNC_T,
	TANDEM_RS_AHEAD,
	TANDEM_RS_BEHIND,
	TANDEM_RS_COUNT,
};

enum tandem_state_attr {
	TANDEM_ST_UNSPEC,
	TANDEM_ST_ROLE,			/* u32 enum tandem_role */
	TANDEM_ST_DISK,			/* u32 enum tandem_disk_state */
	TANDEM_ST_CONN,			/* u32 enum tandem_conn_state */
	TANDEM_ST_PEER_ROLE,		/* u32 enum tandem_role */
	TANDEM_ST_REPL,			/* u32 enum tandem_repl_state */
	TANDEM_ST_PEER_DISK,		/* u32 enum tandem_disk_state */
	TANDEM_ST_PROTOCOL,		/* u32 enum tandem_protocol */
	TANDEM_ST_SIZE_SECT,		/* u64, usable size (512 B sectors) */
	TANDEM_ST_OOS_KIB,		/* u64, out of sync */
	TANDEM_ST_SYNC_TOTAL_KIB,	/* u64, size of the running resync */
	TANDEM_ST_SYNC_SPEED_KIBS,	/* u32, recent resync speed */
	TANDEM_ST_SENT_KIB,		/* u64 ns: */
	TANDEM_ST_RECV_KIB,		/* u64 nr: */
	TANDEM_ST_WRITTEN_KIB,		/* u64 dw: */
	TANDEM_ST_READ_KIB,		/* u64 dr: */
	TANDEM_ST_PENDING,		/* u32 pe: */
	TANDEM_ST_UNACKED,		/* u32 ua: */
	TANDEM_ST_APP_PENDING,		/* u32 ap: */
	TANDEM_ST_EPOCHS,		/* u32 ep: */
	TANDEM_ST_TRANSPORT,		/* string */
	TANDEM_ST_PEER_ADDR,		/* binary sockaddr */
	TANDEM_ST_BACKING_DEV,		/* string */
	TANDEM_ST_LAST_ERROR,		/* string: why the connection broke */
	__TANDEM_ST_MAX,
};
#define TANDEM_ST_MAX (__TANDEM_ST_MAX - 1)

#endif /* _UAPI_TANDEM_GENL_H */
