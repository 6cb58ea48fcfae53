// SPDX-License-Identifier: GPL-2.0
/*
 * tandemsetup - the named fields of a status/event object. Pure.
 */
#include <stdio.h>
#include <string.h>

#include "kernel/lib/tandem_lib.h"
#include "setup/obj.h"

const char *ts_obj_kind_name(uint32_t kind)
{
	switch (kind) {
	case TANDEM_OBJ_RESOURCE:
		return "resource";
	case TANDEM_OBJ_DEVICE:
		return "device";
	case TANDEM_OBJ_CONNECTION:
		return "connection";
	case TANDEM_OBJ_PEER_DEVICE:
		return "peer-device";
	}
	return "unknown";
}

const char *ts_event_name(uint32_t ev)
{
	switch (ev) {
	case TANDEM_EV_EXISTS:
		return "exists";
	case TANDEM_EV_CREATE:
		return "create";
	case TANDEM_EV_CHANGE:
		return "change";
	case TANDEM_EV_DESTROY:
		return "destroy";
	}
	return "unknown";
}

static const char * const keys[TS_F_COUNT] = {
	[TS_F_NAME] = "name",
	[TS_F_MINOR] = "minor",
	[TS_F_PEER_NODE_ID] = "peer-node-id",
	[TS_F_VOLUME] = "volume",
	[TS_F_NODE_ID] = "node-id",
	[TS_F_ROLE] = "role",
	[TS_F_DISK] = "disk",
	[TS_F_CONN] = "connection",
	[TS_F_PEER_ROLE] = "peer-role",
	[TS_F_REPL] = "replication",
	[TS_F_PEER_DISK] = "peer-disk",
	[TS_F_PROTOCOL] = "protocol",
	[TS_F_TRANSPORT] = "transport",
	[TS_F_DONE] = "done",
	[TS_F_SIZE] = "size",
	[TS_F_OOS] = "out-of-sync",
	[TS_F_SYNC_TOTAL] = "sync-total",
	[TS_F_SYNC_SPEED] = "sync-speed",
	[TS_F_SENT] = "sent",
	[TS_F_RECEIVED] = "received",
	[TS_F_WRITTEN] = "written",
	[TS_F_READ] = "read",
	[TS_F_PENDING] = "pending",
	[TS_F_UNACKED] = "unacked",
	[TS_F_APP_PENDING] = "app-pending",
	[TS_F_EPOCHS] = "epochs",
	[TS_F_BACKING_DEV] = "backing-dev",
	[TS_F_LOCAL_ADDR] = "local-addr",
	[TS_F_PEER_ADDR] = "peer-addr",
	[TS_F_LAST_ERROR] = "last-error",
};

const char *ts_field_key(enum ts_field f, uint32_t kind)
{
	if (f == TS_F_PEER_ROLE && kind == TANDEM_OBJ_CONNECTION)
		return "role";
	return f < TS_F_COUNT ? keys[f] : "?";
}

/* Plain numeric state attribute of each numeric field. */
static const uint8_t st_num[TS_F_COUNT] = {
	[TS_F_OOS] = TANDEM_ST_OOS_KIB,
	[TS_F_SYNC_TOTAL] = TANDEM_ST_SYNC_TOTAL_KIB,
	[TS_F_SYNC_SPEED] = TANDEM_ST_SYNC_SPEED_KIBS,
	[TS_F_SENT] = TANDEM_ST_SENT_KIB,
	[TS_F_RECEIVED] = TANDEM_ST_RECV_KIB,
	[TS_F_WRITTEN] = TANDEM_ST_WRITTEN_KIB,
	[TS_F_READ] = TANDEM_ST_READ_KIB,
	[TS_F_PENDING] = TANDEM_ST_PENDING,
	[TS_F_UNACKED] = TANDEM_ST_UNACKED,
	[TS_F_APP_PENDING] = TANDEM_ST_APP_PENDING,
	[TS_F_EPOCHS] = TANDEM_ST_EPOCHS,
};

static bool is_resync(uint64_t repl)
{
	switch (repl) {
	case TANDEM_RS_SYNC_SOURCE:
	case TANDEM_RS_SYNC_TARGET:
	case TANDEM_RS_PAUSED_SYNC_S:
	case TANDEM_RS_PAUSED_SYNC_T:
		return true;
	}
	return false;
}

static bool str_value(struct ts_value *v, const char *s)
{
	v->type = TS_V_STR;
	snprintf(v->str, sizeof(v->str), "%s", s);
	return true;
}

static bool num_value(struct ts_value *v, uint64_t n)
{
	v->type = TS_V_NUM;
	v->num = n;
	return true;
}

static bool addr_value(struct ts_value *v, const struct ts_addr *a)
{
	ts_format_addr((const struct sockaddr *)&a->ss, a->len, false,
		       v->str, sizeof(v->str));
	v->type = TS_V_STR;
	return true;
}

bool ts_field_get(const struct ts_obj *o, enum ts_field f,
		  struct ts_value *v)
{
	const uint64_t *st = o->st;

	v->type = TS_V_NUM;
	v->num = 0;
	v->str[0] = '\0';
	switch (f) {
	case TS_F_NAME:
		return ts_obj_has(o, TANDEM_A_RESOURCE) &&
		       str_value(v, o->resource);
	case TS_F_MINOR:
		return ts_obj_has(o, TANDEM_A_MINOR) && num_value(v, o->minor);
	case TS_F_PEER_NODE_ID:
		return ts_obj_has(o, TANDEM_A_PEER_NODE_ID) &&
		       num_value(v, o->peer_node_id);
	case TS_F_VOLUME:
		return ts_obj_has(o, TANDEM_A_VOLUME) &&
		       num_value(v, o->volume);
	case TS_F_NODE_ID:
		return ts_obj_has(o, TANDEM_A_NODE_ID) &&
		       num_value(v, o->node_id);
	case TS_F_ROLE:
		return ts_obj_has_st(o, TANDEM_ST_ROLE) &&
		       str_value(v, tandem_role_name((unsigned int)st[TANDEM_ST_ROLE]));
	case TS_F_DISK:
		return ts_obj_has_st(o, TANDEM_ST_DISK) &&
		       str_value(v, tandem_disk_state_name((unsigned int)st[TANDEM_ST_DISK]));
	case TS_F_CONN:
		return ts_obj_has_st(o, TANDEM_ST_CONN) &&
		       str_value(v, tandem_conn_state_name((unsigned int)st[TANDEM_ST_CONN]));
	case TS_F_PEER_ROLE:
		return ts_obj_has_st(o, TANDEM_ST_PEER_ROLE) &&
		       str_value(v, tandem_role_name((unsigned int)st[TANDEM_ST_PEER_ROLE]));
	case TS_F_REPL:
		return ts_obj_has_st(o, TANDEM_ST_REPL) &&
		       str_value(v, tandem_repl_state_name((unsigned int)st[TANDEM_ST_REPL]));
	case TS_F_PEER_DISK:
		return ts_obj_has_st(o, TANDEM_ST_PEER_DISK) &&
		       str_value(v, tandem_disk_state_name((unsigned int)st[TANDEM_ST_PEER_DISK]));
	case TS_F_PROTOCOL:
		if (!ts_obj_has_st(o, TANDEM_ST_PROTOCOL))
			return false;
		v->type = TS_V_STR;
		v->str[0] = tandem_protocol_letter((unsigned int)st[TANDEM_ST_PROTOCOL]);
		v->str[1] = '\0';
		return true;
	case TS_F_TRANSPORT:
		return ts_obj_has_st(o, TANDEM_ST_TRANSPORT) &&
		       str_value(v, o->st_transport);
	case TS_F_DONE:
		/* running resync: (total - out of sync) / total */
		if (!ts_obj_has_st(o, TANDEM_ST_SYNC_TOTAL_KIB) ||
		    !ts_obj_has_st(o, TANDEM_ST_OOS_KIB) ||
		    !st[TANDEM_ST_SYNC_TOTAL_KIB] ||
		    (ts_obj_has_st(o, TANDEM_ST_REPL) &&
		     !is_resync(st[TANDEM_ST_REPL])))
			return false;
		v->type = TS_V_PERMILLE;
		if (st[TANDEM_ST_OOS_KIB] >= st[TANDEM_ST_SYNC_TOTAL_KIB])
			v->num = 0;
		else	/* rounded down: 100.0 only when done */
			v->num = (st[TANDEM_ST_SYNC_TOTAL_KIB] -
				  st[TANDEM_ST_OOS_KIB]) * 1000 /
				 st[TANDEM_ST_SYNC_TOTAL_KIB];
		return true;
	case TS_F_SIZE:
		return ts_obj_has_st(o, TANDEM_ST_SIZE_SECT) &&
		       num_value(v, st[TANDEM_ST_SIZE_SECT] / 2);
	case TS_F_BACKING_DEV:
		if (ts_obj_has(o, TANDEM_A_BACKING_DEV))
			return str_value(v, o->backing_dev);
		return ts_obj_has_st(o, TANDEM_ST_BACKING_DEV) &&
		       str_value(v, o->st_backing_dev);
	case TS_F_LOCAL_ADDR:
		return ts_obj_has(o, TANDEM_A_LOCAL_ADDR) &&
		       addr_value(v, &o->local_addr);
	case TS_F_PEER_ADDR:
		if (ts_obj_has(o, TANDEM_A_PEER_ADDR))
			return addr_value(v, &o->peer_addr);
		return ts_obj_has_st(o, TANDEM_ST_PEER_ADDR) &&
		       addr_value(v, &o->st_peer_addr);
	case TS_F_LAST_ERROR:
		return ts_obj_has_st(o, TANDEM_ST_LAST_ERROR) &&
		       o->st_last_error[0] && str_value(v, o->st_last_error);
	default:
		if (f < TS_F_COUNT && st_num[f] && ts_obj_has_st(o, st_num[f]))
			return num_value(v, st[st_num[f]]);
		return false;
	}
}
