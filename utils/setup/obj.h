/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandemsetup - one object of a status dump or of an event message
 * (resource, device, connection or peer device), as read from the
 * kernel's attributes, and the named fields that status, events and
 * JSON output print from it.
 */
#ifndef TANDEM_SETUP_OBJ_H
#define TANDEM_SETUP_OBJ_H

#include <stdbool.h>
#include <stdint.h>

#include "setup/options.h"
#include "setup/parse.h"

#define TS_ST_SLOTS	32
#define TS_ERRMSG_MAX	256

struct ts_obj {
	uint32_t kind;		/* enum tandem_obj; 0 when absent */
	uint32_t event;		/* enum tandem_event; EXISTS when absent */
	uint32_t have;		/* bit N: top-level attribute N present */
	char resource[TANDEM_RESOURCE_NAME_MAX];
	uint32_t node_id;
	uint32_t peer_node_id;
	uint32_t minor;
	uint32_t volume;
	char backing_dev[TANDEM_PATH_MAX];
	char meta_dev[TANDEM_PATH_MAX];
	int32_t meta_index;
	struct ts_addr local_addr;
	struct ts_addr peer_addr;

	/* TANDEM_A_STATE; bit N of st_have: TANDEM_ST_* N present */
	uint32_t st_have;
	uint64_t st[TS_ST_SLOTS];	/* numeric values */
	char st_transport[TANDEM_TRANSPORT_NAME_MAX + 1];
	char st_backing_dev[TANDEM_PATH_MAX];
	char st_last_error[TS_ERRMSG_MAX];
	struct ts_addr st_peer_addr;

	/* TANDEM_A_NET_OPTS, _DISK_OPTS, _RES_OPTS */
	struct ts_optset opts[TS_GRP_COUNT];
};

static inline bool ts_obj_has(const struct ts_obj *o, int attr)
{
	return o->have & (1u << attr);
}

static inline bool ts_obj_has_st(const struct ts_obj *o, int attr)
{
	return o->st_have & (1u << attr);
}

/* "resource", "device", "connection", "peer-device"; "unknown". */
const char *ts_obj_kind_name(uint32_t kind);
/* "exists", "create", "change", "destroy"; "unknown". */
const char *ts_event_name(uint32_t ev);

/*
 * Fields, in the order events lines and JSON print them. A field is
 * present when the kernel sent its attribute (F_DONE: when a resync is
 * running, computed from sync-total and out-of-sync).
 */
enum ts_field {
	TS_F_NAME,
	TS_F_MINOR,
	TS_F_PEER_NODE_ID,
	TS_F_VOLUME,
	TS_F_NODE_ID,
	TS_F_ROLE,
	TS_F_DISK,
	TS_F_CONN,
	TS_F_PEER_ROLE,
	TS_F_REPL,
	TS_F_PEER_DISK,
	TS_F_PROTOCOL,
	TS_F_TRANSPORT,
	TS_F_DONE,
	TS_F_SIZE,
	TS_F_OOS,
	TS_F_SYNC_TOTAL,
	TS_F_SYNC_SPEED,
	TS_F_SENT,
	TS_F_RECEIVED,
	TS_F_WRITTEN,
	TS_F_READ,
	TS_F_PENDING,
	TS_F_UNACKED,
	TS_F_APP_PENDING,
	TS_F_EPOCHS,
	TS_F_BACKING_DEV,
	TS_F_LOCAL_ADDR,
	TS_F_PEER_ADDR,
	TS_F_LAST_ERROR,
	TS_F_COUNT,
};

enum ts_vtype {
	TS_V_NUM,	/* u64 */
	TS_V_PERMILLE,	/* u64, tenths of a percent */
	TS_V_STR,	/* text */
};

struct ts_value {
	enum ts_vtype type;
	uint64_t num;
	char str[TS_ERRMSG_MAX];
};

/* Key of @f on a line about an object of kind @kind ("role" is the
 * peer's role on a connection line, "peer-role" elsewhere). */
const char *ts_field_key(enum ts_field f, uint32_t kind);
/* Fill @v when @o has field @f; false when it has not. */
bool ts_field_get(const struct ts_obj *o, enum ts_field f,
		  struct ts_value *v);

#endif
